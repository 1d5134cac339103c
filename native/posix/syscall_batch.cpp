#include "syscall_batch.h"

#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "posix_util.h"

namespace hsys::posix {

namespace {

// Entries of the submission queue: the most operations one io_uring_enter carries (a larger
// step is issued in several). One epoll_wait batch of receives fits.
constexpr unsigned kRingEntries = 256;

bool ringAllowed() {
  const char* setting = std::getenv("HTTPSYS_IO_URING");
  return setting == nullptr || std::strcmp(setting, "0") != 0;
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
  if (!ringAllowed()) return;
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
}

SyscallBatch::~SyscallBatch() { closeRing(); }

void SyscallBatch::closeRing() {
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
      if (!runThroughRing(done, count)) {
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

bool SyscallBatch::runThroughRing(size_t from, size_t count) {
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
  __atomic_store_n(ring.sqTail, tail + static_cast<unsigned>(count), __ATOMIC_RELEASE);
  // Entries the kernel has taken must complete before their buffers may be used again, so
  // every taken entry is waited for. Only a failure to take any (not expected for valid
  // entries) withdraws them, and the caller makes those calls directly.
  size_t submitted = 0, completed = 0;
  bool withdrawn = false;
  for (;;) {
    size_t expected = withdrawn ? submitted : count;
    if (completed == expected) break;
    unsigned toSubmit = withdrawn ? 0 : static_cast<unsigned>(count - submitted);
    long entered = ::syscall(__NR_io_uring_enter, ringFd_, toSubmit, static_cast<unsigned>(expected - completed),
                             IORING_ENTER_GETEVENTS, nullptr, 0);
    if (entered < 0 && !withdrawn && errno != EINTR && errno != EAGAIN && errno != EBUSY) {
      __atomic_store_n(ring.sqTail, tail + static_cast<unsigned>(submitted), __ATOMIC_RELEASE);
      withdrawn = true;
      continue;
    }
    if (entered > 0 && !withdrawn) submitted += static_cast<size_t>(entered);
    unsigned head = *ring.cqHead;
    unsigned cqTail = __atomic_load_n(ring.cqTail, __ATOMIC_ACQUIRE);
    for (; head != cqTail; ++head) {
      const io_uring_cqe& completion = ring.completions[head & ring.cqMask];
      Operation& operation = operations_[completion.user_data];
      operation.result = completion.res;
      operation.completed = true;
      ++completed;
    }
    __atomic_store_n(ring.cqHead, head, __ATOMIC_RELEASE);
  }
  return !withdrawn;
}

}  // namespace hsys::posix
