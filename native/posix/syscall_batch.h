// The socket operations of one loop step (the receives that follow an epoll_wait, the sends
// deferred to the end of a step) made with one system call: they go into an io_uring
// submission queue and one io_uring_enter issues them all. On this kind of machine a system
// call's entry and exit cost more than the TCP work of a small request (benchmarks/README.md,
// "Where the time goes"), so a loop that serves many connections per step saves most of its
// kernel time per request. Every operation carries MSG_DONTWAIT, so io_uring completes it
// inline, with EAGAIN rather than waiting: the results are the ones recv and sendmsg would have
// returned, and the callers keep their synchronous logic.
//
// The wait for the loop's next events can go into the same io_uring_enter as the sends that
// end a step (runAndWait, with IORING_OP_EPOLL_WAIT): a keep-alive loop's cycle is then two
// system calls (sends with the wait, then the receives) instead of three.
//
// Where io_uring is unavailable (an old kernel, a seccomp profile that forbids it, or
// HTTPSYS_IO_URING=0) run() makes the same calls one by one, and runAndWait calls epoll_wait.
#pragma once

#include <sys/epoll.h>
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
  // runAndWait's wait goes through it too (false: epoll_wait).
  bool waitsInRing() const { return ringWaits_; }

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

  // The most events one wait returns.
  static constexpr int kMaxEvents = 256;
  // Makes every added operation, and in the same system call waits up to timeoutMillis (-1: no
  // limit, 0: not at all) for events of epollFd; returns how many it wrote to events() (at most
  // maxEvents), or -1 with errno set. A wait the kernel could not complete at once stays armed
  // when the time is up and is the next call's (whose maxEvents it keeps); so the events a call
  // returns may have been gathered during an earlier system call of this thread, and forget()
  // must learn of every pollable that leaves the epoll set.
  int runAndWait(int epollFd, int maxEvents, int timeoutMillis);
  epoll_event* events() { return events_; }
  // pollable (an event's data.ptr) left the epoll set: no event that was gathered before and is
  // returned or handled from now on names it (its entries get a null data.ptr).
  void forget(const void* pollable);

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

  // What the ring's wait for events is doing: none in flight, submitted and not yet completed,
  // or completed (waitResult_) and not yet returned by runAndWait.
  enum class Wait { kNone, kArmed, kCompleted };
  struct WaitRequest {
    int epollFd;
    int maxEvents;
    int timeoutMillis;
  };

  static void runDirect(Operation& operation);
  // Issues operations [from, from + count) through the ring, with wait (if not null) in the same
  // system call; false if io_uring_enter failed (run() then makes those not completed directly
  // and stops using the ring).
  bool runThroughRing(size_t from, size_t count, const WaitRequest* wait);
  // Takes the completions the kernel has posted.
  size_t reapCompletions();
  bool ringWaitSupported() const;
  int waitDirect(int epollFd, int maxEvents, int timeoutMillis);
  void closeRing();

  std::vector<Operation> operations_;
  int ringFd_ = -1;
  Ring* ring_ = nullptr;
  bool ringWaits_ = false;
  Wait wait_ = Wait::kNone;
  int waitResult_ = 0;
  int heldEvents_ = 0;  // events_[0, heldEvents_) were gathered and may still be handled
  epoll_event events_[kMaxEvents];
};

}  // namespace hsys::posix
