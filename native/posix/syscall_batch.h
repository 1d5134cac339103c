// The socket operations of one loop step (the receives that follow an epoll_wait, the sends
// deferred to the end of a step) made with one system call: they go into an io_uring
// submission queue and one io_uring_enter issues them all. On this kind of machine a system
// call's entry and exit cost more than the TCP work of a small request (benchmarks/README.md,
// "Where the time goes"), so a loop that serves many connections per step saves most of its
// kernel time per request. Every operation carries MSG_DONTWAIT, so io_uring completes it
// inline, with EAGAIN rather than waiting: the results are the ones recv and sendmsg would have
// returned, and the callers keep their synchronous logic.
//
// Where io_uring is unavailable (an old kernel, a seccomp profile that forbids it, or
// HTTPSYS_IO_URING=0) run() makes the same calls one by one.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hsys::posix {

class SyscallBatch {
 public:
  SyscallBatch();
  ~SyscallBatch();
  SyscallBatch(const SyscallBatch&) = delete;
  SyscallBatch& operator=(const SyscallBatch&) = delete;

  // The operations go through io_uring (false: one system call each).
  bool usesRing() const { return ring_ != nullptr; }

  // Adds an operation and returns its index for result(). The buffers (and message, with its
  // iovecs) must stay valid until run() returns.
  size_t addReceive(int fd, void* buffer, size_t length);
  size_t addSendMessage(int fd, const msghdr* message);
  size_t size() const { return operations_.size(); }
  bool empty() const { return operations_.empty(); }

  // Makes every added operation; then result(i) is what the call returned: a byte count, or
  // -errno.
  void run();
  ssize_t result(size_t index) const { return operations_[index].result; }
  // Forgets the operations (before the next step's).
  void clear() { operations_.clear(); }

 private:
  struct Operation {
    bool send;
    bool completed;
    int fd;
    void* buffer;           // receive
    const msghdr* message;  // send
    size_t length;
    ssize_t result;
  };
  struct Ring;

  static void runDirect(Operation& operation);
  // Issues operations [from, from + count) through the ring; false if io_uring_enter failed
  // (run() then makes those not completed directly and stops using the ring).
  bool runThroughRing(size_t from, size_t count);
  void closeRing();

  std::vector<Operation> operations_;
  int ringFd_ = -1;
  Ring* ring_ = nullptr;
};

}  // namespace hsys::posix
