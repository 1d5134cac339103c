// The posix engine's batched system calls (syscall_batch.h): through io_uring and one by one,
// a batch gives each operation what recv and sendmsg would have returned, never waits for a
// socket, and carries more operations than one ring submission holds.
#ifndef _WIN32

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
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
