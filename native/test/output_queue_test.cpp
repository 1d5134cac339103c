// The posix engine's output queue (response_writer.h) on a real TCP connection over loopback:
// connections are edge-triggered, so the queue may only say "wait for EPOLLOUT" when the socket
// refused a write. A sendfile cut short by a signal (or by io_uring task work, which the kernel
// flags the same way) leaves room in the socket and no EPOLLOUT to come.
#ifndef _WIN32

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "response_writer.h"

using hsys::posix::OutputQueue;

namespace {

// A connected loopback TCP pair: ours non-blocking (as the engine's), the peer blocking. TCP, not
// syscall_batch_test's socketpair: a Unix socket reports EPOLLOUT each time its peer reads, which
// would hide a missing edge; TCP reports it only after a write found no room.
struct LoopbackPair {
  int ours = -1, peer = -1;
  LoopbackPair() {
    int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener, 1) == 0);
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    peer = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(::connect(peer, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    ours = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    REQUIRE(ours >= 0);
    ::close(listener);
  }
  ~LoopbackPair() {
    ::close(ours);
    ::close(peer);
  }
};

// A file of size bytes, already unlinked.
int temporaryFile(size_t size) {
  char path[] = "/tmp/hsys-output-queue-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::unlink(path);
  REQUIRE(::ftruncate(fd, static_cast<off_t>(size)) == 0);  // reads as zeros
  return fd;
}

void ignoreSignal(int) {}

}  // namespace

TEST_CASE("posix output: a sendfile cut short by signals still ends, each wait for EPOLLOUT answered") {
  constexpr size_t kFileBytes = 32u << 20;
  LoopbackPair pair;
  int file = temporaryFile(kFileBytes);
  OutputQueue queue;
  queue.addFile(file, 0, kFileBytes);
  int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event interest{};
  interest.events = EPOLLOUT | EPOLLET;
  REQUIRE(::epoll_ctl(epoll, EPOLL_CTL_ADD, pair.ours, &interest) == 0);
  epoll_event event{};
  ::epoll_wait(epoll, &event, 1, 0);  // the edge of registration: the socket starts with room
  struct sigaction handler{}, previous{};
  handler.sa_handler = ignoreSignal;
  handler.sa_flags = SA_RESTART;
  REQUIRE(::sigaction(SIGUSR1, &handler, &previous) == 0);
  // Every REQUIRE is above: no failure from here on may leave a thread running.

  // The peer reads all as fast as it can, so the socket keeps having room.
  std::atomic<bool> done{false};
  std::atomic<size_t> received{0};
  std::thread reader([&] {
    std::vector<char> buffer(1 << 16);
    for (;;) {
      ssize_t n = ::recv(pair.peer, buffer.data(), buffer.size(), 0);
      if (n <= 0) break;
      received += static_cast<size_t>(n);
    }
  });
  // Signals land while sendfile runs: splice stops at the next pipe buffer and returns short.
  pthread_t writer = ::pthread_self();
  std::thread interrupter([&] {
    while (!done) {
      ::pthread_kill(writer, SIGUSR1);
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  });

  std::vector<iovec> iov;
  int waits = 0, unanswered = 0, code = 0;
  OutputQueue::Result result;
  while ((result = queue.flush(pair.ours, code, iov)) == OutputQueue::Result::kAgain) {
    ++waits;
    // Two seconds for EPOLLOUT, however often the signals interrupt the wait.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    int ready = 0;
    for (auto now = std::chrono::steady_clock::now(); ready <= 0 && now < deadline; now = std::chrono::steady_clock::now()) {
      int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count());
      ready = ::epoll_wait(epoll, &event, 1, left);
    }
    if (ready <= 0) {
      ++unanswered;  // the queue said full and no EPOLLOUT came: a response would stall here
      break;
    }
  }
  done = true;
  interrupter.join();
  ::sigaction(SIGUSR1, &previous, nullptr);
  ::shutdown(pair.ours, SHUT_WR);
  reader.join();
  ::close(epoll);
  ::close(file);

  CHECK(unanswered == 0);
  CHECK(result == OutputQueue::Result::kDone);
  CHECK(received == kFileBytes);
  CHECK(queue.bytesWritten() == kFileBytes);
  MESSAGE("waits for EPOLLOUT: " << waits);
}

#endif  // _WIN32
