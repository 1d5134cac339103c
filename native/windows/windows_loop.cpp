#include <algorithm>
#include <chrono>
#include <cstring>

#include "dynamic_httpapi.h"
#include "request_serializer.h"
#include "win32_errors.h"
#include "windows_engine.h"

namespace hsys {

std::unique_ptr<Loop> createLoop(Error& error) {
  using namespace hsys::windows;
  HTTPAPI_VERSION version = HTTPAPI_VERSION_2;
  ULONG result = httpApi().initialize(version, HTTP_INITIALIZE_SERVER, nullptr);
  if (result != NO_ERROR) {
    setWin32Error(error, "HttpInitialize", result);
    return nullptr;
  }
  // One thread polls the port, so let at most one run at a time.
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
  if (port == nullptr) {
    setWin32Error(error, "CreateIoCompletionPort", GetLastError());
    httpApi().terminate(HTTP_INITIALIZE_SERVER, nullptr);
    return nullptr;
  }
  auto loop = std::make_unique<WindowsLoop>(port);
  loop->markInitialized();
  return loop;
}

}  // namespace hsys

namespace hsys::windows {

namespace {
constexpr size_t kMaxEntriesPerPoll = 256;
constexpr size_t kInitialArenaBytes = 64 * 1024;
constexpr auto kShutdownDrainLimit = std::chrono::seconds(5);

size_t alignUp8(size_t value) { return (value + 7) & ~size_t{7}; }
}  // namespace

WindowsLoop::WindowsLoop(HANDLE port) : port_(port) {
  arena_.reserve(kInitialArenaBytes);
  entries_.resize(64);
}

WindowsLoop::~WindowsLoop() {
  for (auto& queue : queues_) queue->closeHandles();
  drainForShutdown();
  queues_.clear();
  CloseHandle(port_);
  if (initialized_) httpApi().terminate(HTTP_INITIALIZE_SERVER, nullptr);
}

// Closing the handles made the kernel finish every operation; their packets must be dequeued
// before the memory the ops own may be freed. Ops that never come back (a driver bug) are
// leaked together with their queue rather than freed under the kernel.
void WindowsLoop::drainForShutdown() {
  auto outstanding = [this] {
    size_t count = 0;
    for (auto& queue : queues_) count += queue->opsInKernel();
    return count;
  };
  auto deadline = std::chrono::steady_clock::now() + kShutdownDrainLimit;
  while (outstanding() > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    ULONG removed = 0;
    if (!GetQueuedCompletionStatusEx(port_, entries_.data(), static_cast<ULONG>(entries_.size()),
                                     &removed, static_cast<DWORD>(left.count()), FALSE)) {
      if (GetLastError() == WAIT_TIMEOUT) continue;
      break;
    }
    for (ULONG i = 0; i < removed; ++i) {
      ULONG_PTR key = entries_[i].lpCompletionKey;
      if ((key != kQueueKey && key != kAbsorbKey) || entries_[i].lpOverlapped == nullptr) continue;
      OverlappedOp* op = OverlappedOp::from(entries_[i].lpOverlapped);
      op->queue->discard(op, key == kAbsorbKey);
    }
  }
  for (auto& queue : queues_) {
    if (queue->opsInKernel() > 0) (void)queue.release();  // the kernel still owns its buffers
  }
}

Queue* WindowsLoop::createQueue(const QueueOptions& options, uint64_t queueToken, Error& error) {
  auto queue = std::make_unique<WindowsQueue>(*this, options, queueToken);
  if (!queue->open(error)) return nullptr;
  queues_.push_back(std::move(queue));
  return queues_.back().get();
}

void WindowsLoop::wakeup() {
  // Gated: at most one wake-up packet in the port at a time.
  if (wakeupPosted_.exchange(true, std::memory_order_acq_rel)) return;
  if (!PostQueuedCompletionStatus(port_, 0, kWakeupKey, nullptr)) {
    wakeupPosted_.store(false, std::memory_order_release);
  }
}

void WindowsLoop::push(uint32_t type, int32_t status, uint64_t token, uint64_t requestId,
                       uint64_t length, uint64_t address) {
  Pending pending;
  pending.completion = Completion{type, status, token, requestId, address, length};
  pending_.push_back(std::move(pending));
}

void WindowsLoop::pushSendCompleted(int32_t status, uint64_t token, uint64_t requestId, uint64_t length) {
  Completion completion = sendCompleted(status, token, requestId, length);
  if (!pending_.empty() && foldSendCompleted(pending_.back().completion, completion)) return;
  Pending pending;
  pending.completion = completion;
  pending_.push_back(std::move(pending));
}

void WindowsLoop::pushRequest(uint64_t queueToken, const HTTP_REQUEST& request,
                              const HTTP_SSL_CLIENT_CERT_INFO* certificate) {
  size_t offset = serializeRequest(request, arena_, certificate);
  RequestRecordHeader head;
  std::memcpy(&head, arena_.data() + offset, sizeof head);
  Pending pending;
  pending.completion = Completion{kRequestReceived, kOk, queueToken, request.RequestId, 0,
                                  head.recordLength};
  pending.hasRecord = true;
  pending.arenaOffset = offset;
  pending_.push_back(std::move(pending));
}

void WindowsLoop::retire(WindowsQueue* queue) { retired_.push_back(queue); }

void WindowsLoop::deleteRetired() {
  for (WindowsQueue* queue : retired_) {
    auto found = std::find_if(queues_.begin(), queues_.end(),
                              [queue](const auto& owned) { return owned.get() == queue; });
    if (found != queues_.end()) queues_.erase(found);
  }
  retired_.clear();
}

void WindowsLoop::dispatch(const OVERLAPPED_ENTRY& entry) {
  if (entry.lpCompletionKey == kWakeupKey) {
    wakeupPosted_.store(false, std::memory_order_release);
    return;
  }
  if (entry.lpOverlapped == nullptr) return;
  OverlappedOp* op = OverlappedOp::from(entry.lpOverlapped);
  if (entry.lpCompletionKey == kAbsorbKey) {
    op->queue->onAbsorbed(op);
    return;
  }
  DWORD error = win32ErrorFromOverlapped(*entry.lpOverlapped);
  op->queue->onCompletion(op, error, entry.dwNumberOfBytesTransferred);
}

int32_t WindowsLoop::poll(Completion* out, int32_t capacity, int32_t timeoutMillis) {
  if (out == nullptr || capacity <= 0) return kInvalidArgument;
  deleteRetired();
  // Held final sends leave now; parked receives are retried when due (and bound the wait).
  int32_t queueWait = -1;
  auto now = std::chrono::steady_clock::now();
  for (size_t i = 0; i < queues_.size(); ++i) {
    int32_t wait = queues_[i]->beforePoll(now);
    if (wait >= 0 && (queueWait < 0 || wait < queueWait)) queueWait = wait;
  }
  if (queueWait >= 0 && (timeoutMillis < 0 || queueWait < timeoutMillis)) timeoutMillis = queueWait;

  // Records named by the previous batch die now. Completions that waited since then own their
  // record; put it back into the fresh arena.
  arena_.clear();
  for (Pending& pending : pending_) {
    if (!pending.hasRecord || !pending.owned) continue;
    arena_.resize(alignUp8(arena_.size()));
    pending.arenaOffset = arena_.size();
    arena_.insert(arena_.end(), pending.ownedRecord.begin(), pending.ownedRecord.end());
    pending.ownedRecord.clear();
    pending.ownedRecord.shrink_to_fit();
    pending.owned = false;
  }

  // Each packet yields at most one completion, except the last one of a closing queue
  // (kQueueClosed follows); extra ones wait for the next poll.
  size_t room = pending_.size() < static_cast<size_t>(capacity)
                    ? static_cast<size_t>(capacity) - pending_.size()
                    : 0;
  if (room > 0) {
    size_t want = std::min(room, kMaxEntriesPerPoll);
    if (entries_.size() < want) entries_.resize(want);
    DWORD wait = !pending_.empty() ? 0
                 : timeoutMillis < 0 ? INFINITE
                                     : static_cast<DWORD>(timeoutMillis);
    ULONG removed = 0;
    if (GetQueuedCompletionStatusEx(port_, entries_.data(), static_cast<ULONG>(want), &removed,
                                    wait, FALSE)) {
      for (ULONG i = 0; i < removed; ++i) dispatch(entries_[i]);
    } else if (GetLastError() != WAIT_TIMEOUT) {
      return kSystemError;
    }
    deleteRetired();
  }

  int32_t count = 0;
  while (count < capacity && !pending_.empty()) {
    Pending& pending = pending_.front();
    Completion completion = pending.completion;
    if (pending.hasRecord) {
      completion.address = reinterpret_cast<uint64_t>(arena_.data() + pending.arenaOffset);
    }
    out[count++] = completion;
    pending_.pop_front();
  }
  // Whatever is left must survive the arena reset of the next poll.
  for (Pending& pending : pending_) {
    if (!pending.hasRecord || pending.owned) continue;
    const uint8_t* record = arena_.data() + pending.arenaOffset;
    pending.ownedRecord.assign(record, record + pending.completion.length);
    pending.owned = true;
  }
  return count;
}

}  // namespace hsys::windows
