#include "syscall_batch.h"

#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "posix_util.h"

namespace hsys::posix {

namespace {

// Entries of the submission queue: the most operations one io_uring_enter carries (a larger
// step is issued in several). One wait's batch of receives fits.
constexpr unsigned kRingEntries = 256;
static_assert(kRingEntries >= SyscallBatch::kMaxEvents, "the receives of one wait go in one submission");

// The wait's completion, told apart from the operations' (whose user_data is their index).
constexpr uint64_t kWaitTag = UINT64_MAX;
// IORING_OP_EPOLL_WAIT, Linux 6.15. Opcodes are ABI; the kernel headers this is built with may
// predate this one, and the probe tells whether the running kernel has it.
constexpr uint8_t kOpEpollWait = 59;

// HTTPSYS_IO_URING: unset or 1, everything through the ring; no-wait, the operations through it
// and the wait with epoll_wait (as on a kernel before 6.15); 0, no ring.
const char* ringSetting() {
  const char* setting = std::getenv("HTTPSYS_IO_URING");
  return setting == nullptr ? "1" : setting;
}

bool supportsOperation(int ringFd, uint8_t opcode) {
  constexpr unsigned kProbeOps = 256;
  alignas(io_uring_probe) unsigned char storage[sizeof(io_uring_probe) + kProbeOps * sizeof(io_uring_probe_op)] = {};
  auto* probe = reinterpret_cast<io_uring_probe*>(storage);
  if (::syscall(__NR_io_uring_register, ringFd, IORING_REGISTER_PROBE, probe, kProbeOps) < 0) return false;
  return opcode <= probe->last_op && opcode < probe->ops_len && (probe->ops[opcode].flags & IO_URING_OP_SUPPORTED) != 0;
}

int64_t monotonicNanos() {
  timespec now;
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

}  // namespace

// The rings the kernel shares with us (io_uring_setup(2)): submission queue entries, the
// submission ring (indices into them) and the completion ring.
struct SyscallBatch::Ring {
  void* ringMemory = nullptr;
  size_t ringBytes = 0;
  io_uring_sqe* entries = nullptr;
  size_t entryBytes = 0;
  unsigned* sqTail = nullptr;
  unsigned sqMask = 0;
  unsigned* cqHead = nullptr;
  unsigned* cqTail = nullptr;
  unsigned cqMask = 0;
  io_uring_cqe* completions = nullptr;

  ~Ring() {
    if (entries != nullptr) ::munmap(entries, entryBytes);
    if (ringMemory != nullptr) ::munmap(ringMemory, ringBytes);
  }
};

SyscallBatch::SyscallBatch() {
  operations_.reserve(kRingEntries);
  if (std::strcmp(ringSetting(), "0") == 0) return;
  io_uring_params params{};
  // Completions need no interrupt of the loop thread: they come inline. (Not SINGLE_ISSUER: the
  // ring is made on the thread that creates the loop, which need not be the one polling it.)
  params.flags = IORING_SETUP_COOP_TASKRUN;
  int fd = static_cast<int>(::syscall(__NR_io_uring_setup, kRingEntries, &params));
  if (fd < 0 && errno == EINVAL) {  // a kernel before 5.19 does not know the flag
    params = io_uring_params{};
    fd = static_cast<int>(::syscall(__NR_io_uring_setup, kRingEntries, &params));
  }
  if (fd < 0) return;
  if ((params.features & IORING_FEAT_SINGLE_MMAP) == 0) {  // before 5.4: not worth a second path
    ::close(fd);
    return;
  }
  auto ring = new Ring();
  ring->ringBytes = std::max(params.sq_off.array + params.sq_entries * sizeof(unsigned),
                             params.cq_off.cqes + params.cq_entries * sizeof(io_uring_cqe));
  void* memory = ::mmap(nullptr, ring->ringBytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                        IORING_OFF_SQ_RING);
  ring->entryBytes = params.sq_entries * sizeof(io_uring_sqe);
  void* entries = ::mmap(nullptr, ring->entryBytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                         IORING_OFF_SQES);
  if (memory == MAP_FAILED || entries == MAP_FAILED) {
    if (memory != MAP_FAILED) ::munmap(memory, ring->ringBytes);
    if (entries != MAP_FAILED) ::munmap(entries, ring->entryBytes);
    ring->ringMemory = nullptr;
    ring->entries = nullptr;
    delete ring;
    ::close(fd);
    return;
  }
  auto* base = static_cast<char*>(memory);
  ring->ringMemory = memory;
  ring->entries = static_cast<io_uring_sqe*>(entries);
  ring->sqTail = reinterpret_cast<unsigned*>(base + params.sq_off.tail);
  ring->sqMask = *reinterpret_cast<unsigned*>(base + params.sq_off.ring_mask);
  ring->cqHead = reinterpret_cast<unsigned*>(base + params.cq_off.head);
  ring->cqTail = reinterpret_cast<unsigned*>(base + params.cq_off.tail);
  ring->cqMask = *reinterpret_cast<unsigned*>(base + params.cq_off.ring_mask);
  ring->completions = reinterpret_cast<io_uring_cqe*>(base + params.cq_off.cqes);
  // Submission slot i always names entry i: the entries are filled in ring order.
  auto* array = reinterpret_cast<unsigned*>(base + params.sq_off.array);
  for (unsigned i = 0; i < params.sq_entries; ++i) array[i] = i;
  ring_ = ring;
  ringFd_ = fd;
  ringWaits_ = std::strcmp(ringSetting(), "no-wait") != 0 && supportsOperation(fd, kOpEpollWait);
}

SyscallBatch::~SyscallBatch() { closeRing(); }

void SyscallBatch::closeRing() {
  // A wait armed in the ring ends with it (the kernel cancels it before it takes any events); one
  // that completed keeps its events for runAndWait.
  if (ring_ != nullptr) reapCompletions();
  if (wait_ == Wait::kArmed) wait_ = Wait::kNone;
  ringWaits_ = false;
  delete ring_;
  ring_ = nullptr;
  if (ringFd_ >= 0) ::close(ringFd_);
  ringFd_ = -1;
}

size_t SyscallBatch::addReceive(int fd, void* buffer, size_t length) {
  operations_.push_back(Operation{false, false, fd, buffer, nullptr, length, 0});
  return operations_.size() - 1;
}

size_t SyscallBatch::addSendMessage(int fd, const msghdr* message) {
  operations_.push_back(Operation{true, false, fd, nullptr, message, 0, 0});
  return operations_.size() - 1;
}

void SyscallBatch::run() {
  if (ring_ != nullptr) {
    for (size_t done = 0; done < operations_.size();) {
      size_t count = std::min<size_t>(operations_.size() - done, kRingEntries);
      if (!runThroughRing(done, count, nullptr)) {
        closeRing();  // it failed once: the loop goes on without it
        break;
      }
      done += count;
    }
  }
  for (Operation& operation : operations_) {
    if (!operation.completed) runDirect(operation);
  }
}

void SyscallBatch::runDirect(Operation& operation) {
  ssize_t n;
  do {
    n = operation.send ? ::sendmsg(operation.fd, operation.message, MSG_NOSIGNAL | MSG_DONTWAIT)
                       : ::recv(operation.fd, operation.buffer, operation.length, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  operation.result = callResult(n);
  operation.completed = true;
}

int SyscallBatch::runAndWait(int epollFd, int maxEvents, int timeoutMillis) {
  maxEvents = std::clamp(maxEvents, 1, kMaxEvents);
  if (!ringWaits_) {
    run();
    return waitDirect(epollFd, maxEvents, timeoutMillis);
  }
  // The operations that do not fit in one submission with the wait go first, on their own.
  const size_t withWait = kRingEntries - 1;
  size_t done = 0;
  for (; ring_ != nullptr && operations_.size() - done > withWait; done += withWait) {
    if (!runThroughRing(done, withWait, nullptr)) closeRing();
  }
  const WaitRequest wait{epollFd, maxEvents, timeoutMillis};
  if (ring_ != nullptr && !runThroughRing(done, operations_.size() - done, &wait)) closeRing();
  for (Operation& operation : operations_) {
    if (!operation.completed) runDirect(operation);
  }
  if (wait_ == Wait::kCompleted) {
    wait_ = Wait::kNone;
    if (waitResult_ >= 0) return waitResult_;
    heldEvents_ = 0;
    ringWaits_ = false;  // the kernel refused the wait: epoll_wait from now on
  }
  if (ringWaits_) return 0;  // the time is up and the wait stays armed
  return waitDirect(epollFd, maxEvents, timeoutMillis);
}

int SyscallBatch::waitDirect(int epollFd, int maxEvents, int timeoutMillis) {
  int count = ::epoll_wait(epollFd, events_, maxEvents, timeoutMillis);
  if (count < 0 && errno == EINTR) count = 0;
  heldEvents_ = std::max(count, 0);
  return count;
}

void SyscallBatch::forget(const void* pollable) {
  // Outside run() the only completion the kernel can post is the wait's: it is taken now, so a
  // wait that completed since is scrubbed too.
  if (ring_ != nullptr && wait_ == Wait::kArmed) reapCompletions();
  for (int i = 0; i < heldEvents_; ++i) {
    if (events_[i].data.ptr == pollable) events_[i].data.ptr = nullptr;
  }
}

size_t SyscallBatch::reapCompletions() {
  Ring& ring = *ring_;
  unsigned head = *ring.cqHead;
  unsigned tail = __atomic_load_n(ring.cqTail, __ATOMIC_ACQUIRE);
  size_t operations = 0;
  for (; head != tail; ++head) {
    const io_uring_cqe& completion = ring.completions[head & ring.cqMask];
    if (completion.user_data == kWaitTag) {
      wait_ = Wait::kCompleted;
      waitResult_ = completion.res;
      heldEvents_ = std::max(completion.res, 0);
      continue;
    }
    Operation& operation = operations_[completion.user_data];
    operation.result = completion.res;
    operation.completed = true;
    ++operations;
  }
  __atomic_store_n(ring.cqHead, head, __ATOMIC_RELEASE);
  return operations;
}

bool SyscallBatch::runThroughRing(size_t from, size_t count, const WaitRequest* wait) {
  Ring& ring = *ring_;
  unsigned tail = *ring.sqTail;  // only this thread moves the submission tail
  for (size_t i = 0; i < count; ++i) {
    const Operation& operation = operations_[from + i];
    io_uring_sqe& entry = ring.entries[(tail + i) & ring.sqMask];
    std::memset(&entry, 0, sizeof entry);
    entry.fd = operation.fd;
    entry.user_data = from + i;
    // MSG_DONTWAIT: a socket with nothing to give (or no room) completes with -EAGAIN at once
    // instead of io_uring polling it for us; the loop's epoll does that.
    if (operation.send) {
      entry.opcode = IORING_OP_SENDMSG;
      entry.addr = reinterpret_cast<uint64_t>(operation.message);
      entry.len = 1;
      entry.msg_flags = MSG_NOSIGNAL | MSG_DONTWAIT;
    } else {
      entry.opcode = IORING_OP_RECV;
      entry.addr = reinterpret_cast<uint64_t>(operation.buffer);
      entry.len = static_cast<uint32_t>(std::min<size_t>(operation.length, UINT32_MAX));
      entry.msg_flags = MSG_DONTWAIT;
    }
  }
  size_t entries = count;
  if (wait != nullptr && wait_ == Wait::kNone) {
    // After the sends, so their bytes are out before the loop sleeps. It completes at once if
    // events are ready; else io_uring polls the epoll instance and completes it when one is.
    io_uring_sqe& entry = ring.entries[(tail + entries) & ring.sqMask];
    std::memset(&entry, 0, sizeof entry);
    entry.opcode = kOpEpollWait;
    entry.fd = wait->epollFd;
    entry.addr = reinterpret_cast<uint64_t>(events_);
    entry.len = static_cast<uint32_t>(wait->maxEvents);
    entry.user_data = kWaitTag;
    ++entries;
    wait_ = Wait::kArmed;
    heldEvents_ = 0;  // the kernel may write the buffer from now on
  }
  __atomic_store_n(ring.sqTail, tail + static_cast<unsigned>(entries), __ATOMIC_RELEASE);
  const bool waits = wait != nullptr && wait->timeoutMillis != 0;
  const int64_t deadline = wait != nullptr && wait->timeoutMillis > 0 ? monotonicNanos() + wait->timeoutMillis * 1000000LL : 0;
  // Entries the kernel has taken must complete before their buffers may be used again, so
  // every taken operation is waited for. Only a failure to take any (not expected for valid
  // entries) withdraws them, and the caller makes those calls directly.
  size_t submitted = 0, completed = 0;
  bool withdrawn = false, waitOver = !waits;
  for (;;) {
    completed += reapCompletions();
    if (wait_ == Wait::kCompleted) waitOver = true;
    size_t expected = withdrawn ? std::min(submitted, count) : count;
    if ((withdrawn || submitted == entries) && completed == expected && waitOver) break;
    io_uring_getevents_arg limit{};
    __kernel_timespec remaining{};
    unsigned flags = IORING_ENTER_GETEVENTS;
    void* argument = nullptr;
    size_t argumentSize = 0;
    if (!waitOver && deadline != 0) {
      int64_t left = deadline - monotonicNanos();
      if (left <= 0) {
        waitOver = true;
        continue;
      }
      remaining.tv_sec = left / 1000000000;
      remaining.tv_nsec = left % 1000000000;
      limit.ts = reinterpret_cast<uint64_t>(&remaining);
      flags |= IORING_ENTER_EXT_ARG;
      argument = &limit;
      argumentSize = sizeof limit;
    }
    unsigned toSubmit = withdrawn ? 0 : static_cast<unsigned>(entries - submitted);
    unsigned toComplete = static_cast<unsigned>(expected - completed) + (waitOver ? 0 : 1);
    long entered = ::syscall(__NR_io_uring_enter, ringFd_, toSubmit, toComplete, flags, argument, argumentSize);
    if (entered < 0) {
      if (errno == ETIME || errno == EINTR) {
        waitOver = true;  // the time is up, or a signal came (as epoll_wait's EINTR: no events)
      } else if (!withdrawn && errno != EAGAIN && errno != EBUSY) {
        __atomic_store_n(ring.sqTail, tail + static_cast<unsigned>(submitted), __ATOMIC_RELEASE);
        withdrawn = true;
        if (submitted < entries && entries > count) wait_ = Wait::kNone;  // the wait was not taken
        waitOver = true;
      }
      continue;
    }
    if (!withdrawn) submitted += static_cast<size_t>(entered);
  }
  return !withdrawn;
}

}  // namespace hsys::posix
