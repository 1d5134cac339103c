// The posix engine's batched system calls (syscall_batch.h): through io_uring and one by one,
// a batch gives each operation what recv and sendmsg would have returned, never waits for a
// socket, and carries more operations than one ring submission holds; the wait for events that
// can go with it returns what epoll_wait would, keeps a wait that timed out for the next call,
// and never returns an event of a pollable it was told is gone.
#ifndef _WIN32

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "syscall_batch.h"

using hsys::posix::SyscallBatch;

namespace {

struct SocketPair {
  int ours = -1, peer = -1;
  SocketPair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
    ours = fds[0];
    peer = fds[1];
  }
  ~SocketPair() {
    if (ours >= 0) ::close(ours);
    if (peer >= 0) ::close(peer);
  }
};

// Runs the same exchange through batch: every kind of result a receive and a send can have.
void checkResults(SyscallBatch& batch) {
  SocketPair empty, filled, ended, broken;
  REQUIRE(::send(filled.peer, "hello", 5, 0) == 5);
  ::close(ended.peer);
  ended.peer = -1;
  ::close(broken.peer);
  broken.peer = -1;

  char emptyBuffer[16], filledBuffer[16], endedBuffer[16];
  std::string payload = "response bytes";
  iovec parts[2] = {{payload.data(), 8}, {payload.data() + 8, payload.size() - 8}};
  msghdr message{};
  message.msg_iov = parts;
  message.msg_iovlen = 2;
  iovec brokenPart = {payload.data(), payload.size()};
  msghdr brokenMessage{};
  brokenMessage.msg_iov = &brokenPart;
  brokenMessage.msg_iovlen = 1;

  batch.clear();
  size_t nothing = batch.addReceive(empty.ours, emptyBuffer, sizeof emptyBuffer);
  size_t data = batch.addReceive(filled.ours, filledBuffer, sizeof filledBuffer);
  size_t end = batch.addReceive(ended.ours, endedBuffer, sizeof endedBuffer);
  size_t sent = batch.addSendMessage(empty.ours, &message);
  size_t refused = batch.addSendMessage(broken.ours, &brokenMessage);
  batch.run();

  CHECK(batch.result(nothing) == -EAGAIN);  // no wait for a socket with nothing to give
  REQUIRE(batch.result(data) == 5);
  CHECK(std::string(filledBuffer, 5) == "hello");
  CHECK(batch.result(end) == 0);
  CHECK(batch.result(sent) == static_cast<ssize_t>(payload.size()));
  CHECK(batch.result(refused) == -EPIPE);  // and no SIGPIPE
  char arrived[32];
  REQUIRE(::recv(empty.peer, arrived, sizeof arrived, 0) == static_cast<ssize_t>(payload.size()));
  CHECK(std::string(arrived, payload.size()) == payload);
}

// More operations than one submission carries (256): every one completes, in its own slot.
void checkManyOperations(SyscallBatch& batch) {
  constexpr int kPairs = 300;
  std::vector<SocketPair> pairs(kPairs);
  std::vector<std::string> buffers(kPairs, std::string(8, '\0'));
  for (int i = 0; i < kPairs; ++i) {
    std::string text = std::to_string(i);
    REQUIRE(::send(pairs[static_cast<size_t>(i)].peer, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()));
  }
  batch.clear();
  for (int i = 0; i < kPairs; ++i) batch.addReceive(pairs[static_cast<size_t>(i)].ours, buffers[static_cast<size_t>(i)].data(), 8);
  batch.run();
  for (int i = 0; i < kPairs; ++i) {
    std::string text = std::to_string(i);
    CAPTURE(i);
    REQUIRE(batch.result(static_cast<size_t>(i)) == static_cast<ssize_t>(text.size()));
    CHECK(buffers[static_cast<size_t>(i)].substr(0, text.size()) == text);
  }
}

bool ringUnavailable() {
  SyscallBatch batch;
  return !batch.usesRing();
}

bool ringWaitUnavailable() {
  SyscallBatch batch;
  return !batch.waitsInRing();
}

// A batch made with HTTPSYS_IO_URING set to setting ("0", "no-wait", or unset for the default).
struct BatchWith {
  SyscallBatch* batch;
  explicit BatchWith(const char* setting) {
    if (setting != nullptr) ::setenv("HTTPSYS_IO_URING", setting, 1);
    batch = new SyscallBatch();
    ::unsetenv("HTTPSYS_IO_URING");
  }
  ~BatchWith() { delete batch; }
};

struct Epoll {
  int fd = ::epoll_create1(EPOLL_CLOEXEC);
  ~Epoll() { ::close(fd); }
  void watch(int socket, void* tag) const {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLET;
    event.data.ptr = tag;
    REQUIRE(::epoll_ctl(fd, EPOLL_CTL_ADD, socket, &event) == 0);
  }
};

long long millisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

// What every way of waiting must do: the send added before the wait is made, a ready socket is
// returned with its tag at once, and with nothing ready the call returns no event once the time
// is up; an event that comes later is returned by a later call.
void checkWait(SyscallBatch& batch) {
  Epoll epoll;
  SocketPair watched, written;
  int tag = 0;
  epoll.watch(watched.ours, &tag);

  std::string payload = "sent with the wait";
  iovec part = {payload.data(), payload.size()};
  msghdr message{};
  message.msg_iov = &part;
  message.msg_iovlen = 1;
  batch.clear();
  size_t sent = batch.addSendMessage(written.ours, &message);
  auto start = std::chrono::steady_clock::now();
  CHECK(batch.runAndWait(epoll.fd, 8, 100) == 0);
  // It waited. (epoll_wait may end early with EINTR, which io_uring's task work can raise, so
  // the time is checked where the wait is the ring's.)
  if (batch.waitsInRing()) CHECK(millisSince(start) >= 90);
  CHECK(batch.result(sent) == static_cast<ssize_t>(payload.size()));
  char arrived[32];
  REQUIRE(::recv(written.peer, arrived, sizeof arrived, MSG_DONTWAIT) == static_cast<ssize_t>(payload.size()));

  REQUIRE(::send(watched.peer, "x", 1, 0) == 1);
  batch.clear();
  REQUIRE(batch.runAndWait(epoll.fd, 8, 5000) == 1);
  const void* returned = batch.events()[0].data.ptr;
  CHECK(returned == &tag);
  CHECK((batch.events()[0].events & EPOLLIN) != 0);

  // Edge-triggered: nothing new, so nothing returned; with no time to wait, at once.
  batch.clear();
  CHECK(batch.runAndWait(epoll.fd, 8, 0) == 0);
}

TEST_CASE("syscall batch: the wait for events, in the ring and with epoll_wait") {
  for (const char* setting : {static_cast<const char*>(nullptr), "no-wait", "0"}) {
    CAPTURE((setting == nullptr ? "default" : setting));
    BatchWith made(setting);
    if (setting != nullptr) CHECK_FALSE(made.batch->waitsInRing());
    checkWait(*made.batch);
  }
}

TEST_CASE("syscall batch: a wait in the ring that outlives its call returns no event of a forgotten pollable" *
          doctest::skip(ringWaitUnavailable()) *
          doctest::description("io_uring has no IORING_OP_EPOLL_WAIT here (kernel before 6.15, or io_uring "
                               "refused): the engine waits with epoll_wait, whose events are never held")) {
  SyscallBatch batch;
  REQUIRE(batch.waitsInRing());
  Epoll epoll;
  SocketPair gone, staying, other;
  int goneTag = 0, stayingTag = 0;
  epoll.watch(gone.ours, &goneTag);
  epoll.watch(staying.ours, &stayingTag);

  batch.clear();
  REQUIRE(batch.runAndWait(epoll.fd, 8, 0) == 0);  // nothing ready: the wait stays armed
  // The kernel completes the armed wait at this thread's next system call: the send's return,
  // at the latest the ring's next io_uring_enter. It gathers the event of `gone`.
  REQUIRE(::send(gone.peer, "x", 1, 0) == 1);
  char buffer[4];
  batch.clear();
  size_t received = batch.addReceive(other.ours, buffer, sizeof buffer);
  batch.run();
  CHECK(batch.result(received) == -EAGAIN);
  REQUIRE(::epoll_ctl(epoll.fd, EPOLL_CTL_DEL, gone.ours, nullptr) == 0);
  batch.forget(&goneTag);

  batch.clear();
  int count = batch.runAndWait(epoll.fd, 8, 5000);
  REQUIRE(count == 1);  // gathered before the forget, and scrubbed
  const void* returned = batch.events()[0].data.ptr;
  CHECK(returned == nullptr);

  // Other pollables are untouched, and the wait goes on as before.
  REQUIRE(::send(staying.peer, "y", 1, 0) == 1);
  batch.clear();
  REQUIRE(batch.runAndWait(epoll.fd, 8, 5000) == 1);
  returned = batch.events()[0].data.ptr;
  CHECK(returned == &stayingTag);
}

}  // namespace

TEST_CASE("syscall batch through io_uring: each operation gets what recv or sendmsg returns, without waiting" *
          doctest::skip(ringUnavailable()) *
          doctest::description("io_uring_setup is refused here (kernel before 5.4, or a seccomp profile); the "
                               "engine then makes the calls one by one, as the next case checks")) {
  SyscallBatch batch;
  REQUIRE(batch.usesRing());
  checkResults(batch);
  checkManyOperations(batch);
}

TEST_CASE("syscall batch without io_uring (HTTPSYS_IO_URING=0): the same results, one call each") {
  ::setenv("HTTPSYS_IO_URING", "0", 1);
  SyscallBatch batch;
  ::unsetenv("HTTPSYS_IO_URING");
  REQUIRE_FALSE(batch.usesRing());
  checkResults(batch);
  checkManyOperations(batch);
}

#endif  // !_WIN32
