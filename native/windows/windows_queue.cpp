// A request queue's lifetime: opening (or attaching to) the HTTP.SYS queue with its server
// session and properties, starting the posted receives, and closing (handles first, then
// kQueueClosed once the kernel holds none of its operations). URL groups, receives, sends,
// connections and packet routing each have their own queue_*.cpp.
#include <algorithm>

#include "dynamic_httpapi.h"
#include "queue_settings.h"
#include "win32_errors.h"
#include "windows_engine.h"

namespace hsys::windows {

namespace {

constexpr uint32_t kDefaultPendingReceives = 4;
constexpr uint32_t kDefaultReceiveBufferSize = 16 * 1024;
// HTTP_REQUEST_V2 itself plus room for a small request.
constexpr uint32_t kMinReceiveBufferSize = 4 * 1024;

HTTPAPI_VERSION apiVersion2() {
  HTTPAPI_VERSION version = HTTPAPI_VERSION_2;
  return version;
}

}  // namespace

WindowsQueue::WindowsQueue(WindowsLoop& loop, const QueueOptions& options, uint64_t token)
    : loop_(loop), options_(options), token_(token) {
  if (options_.pendingReceives == 0) options_.pendingReceives = kDefaultPendingReceives;
  if (options_.receiveBufferSize == 0) options_.receiveBufferSize = kDefaultReceiveBufferSize;
  options_.receiveBufferSize = std::max(options_.receiveBufferSize, kMinReceiveBufferSize);
}

WindowsQueue::~WindowsQueue() { closeHandles(); }

bool WindowsQueue::open(Error& error) {
  const HttpApiRuntime& api = httpApi();
  if (!checkQueueOptions(options_, api, error)) return false;
  std::wstring name = widen(options_.name);
  const wchar_t* queueName = name.empty() ? nullptr : name.c_str();
  ULONG result = ERROR_ALREADY_EXISTS;
  if (options_.mode != kQueueAttach) {
    result = api.createRequestQueue(apiVersion2(), queueName, nullptr, 0, &handle_);
  }
  if (result == ERROR_ALREADY_EXISTS && options_.mode != kQueueCreate) {
    // Another process created the queue: use it as it is. Its creator owns the URLs and the
    // properties, so an attached queue sets neither (as ASP.NET Core's HttpSys does).
    result = api.createRequestQueue(apiVersion2(), queueName, nullptr,
                                    HTTP_CREATE_REQUEST_QUEUE_FLAG_OPEN_EXISTING, &handle_);
    attached_ = result == NO_ERROR;
  }
  if (result != NO_ERROR) {
    handle_ = nullptr;
    setWin32Error(error, "HttpCreateRequestQueue", result,
                  options_.mode == kQueueCreate ? options_.name : options_.name + " (open existing)");
    return false;
  }
  // A request queue handle binds to exactly one port, for good.
  if (CreateIoCompletionPort(handle_, loop_.port(), kQueueKey, 0) == nullptr) {
    setWin32Error(error, "CreateIoCompletionPort", GetLastError());
    return false;
  }
  if (attached_) return true;

  result = api.createServerSession(apiVersion2(), &session_, 0);
  if (result != NO_ERROR) {
    session_ = HTTP_NULL_ID;
    setWin32Error(error, "HttpCreateServerSession", result);
    return false;
  }
  return applyQueueProperties(handle_, options_, api, error) &&
         applySessionProperties(session_, options_, api, error);
}

void WindowsQueue::closeHandles() {
  closing_ = true;
  const HttpApiRuntime& api = httpApi();
  // URL groups first, so no new request is routed to the queue while it goes away.
  if (sharedGroup_ != HTTP_NULL_ID) api.closeUrlGroup(sharedGroup_);
  else for (auto& [prefix, group] : urls_) api.closeUrlGroup(group);
  sharedGroup_ = HTTP_NULL_ID;
  urls_.clear();
  if (handle_ != nullptr) {
    // Every pending receive, send and body read completes with ERROR_OPERATION_ABORTED (or
    // finishes normally); their packets still arrive at the port, which outlives the handle.
    CancelIoEx(handle_, nullptr);
    api.closeRequestQueue(handle_);
    handle_ = nullptr;
  }
  if (session_ != HTTP_NULL_ID) {
    api.closeServerSession(session_);
    session_ = HTTP_NULL_ID;
  }
}

bool WindowsQueue::start(Error& error) {
  if (closing_) {
    error.set(kInvalidArgument, 0, "start: the request queue is closed");
    return false;
  }
  if (started_) return true;
  started_ = true;
  receives_.reserve(options_.pendingReceives);
  for (uint32_t i = 0; i < options_.pendingReceives; ++i) {
    receives_.push_back(std::make_unique<ReceiveOp>(this));
    ReceiveOp* op = receives_.back().get();
    op->buffer.resize(options_.receiveBufferSize);
    postReceive(op, HTTP_NULL_ID);
    if (i == 0 && !receiveInKernel()) {
      // Not even one receive could be posted: the queue cannot work.
      setWin32Error(error, "HttpReceiveHttpRequest", lastReceiveError_);
      return false;
    }
  }
  return true;
}

int32_t WindowsQueue::beforePoll(std::chrono::steady_clock::time_point now) {
  flushHeldSends();
  if (parkedReceives_.empty() || closing_) return -1;
  if (now >= nextRearm_) rearmParkedReceives();
  if (parkedReceives_.empty() || closing_) return -1;
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(nextRearm_ - now).count();
  return static_cast<int32_t>(std::max<decltype(wait)>(wait, 0));
}

void WindowsQueue::close() {
  if (closing_ && closedReported_) return;
  // Sends still waiting never reach the kernel: their records go back now.
  for (auto& [requestId, state] : requests_) dropWaiting(state, kCancelled);
  heldOrder_.clear();
  requests_.clear();
  connections_.clear();  // the disconnect waits complete (aborted) on their own
  closedWithoutWait_.clear();
  parkedReceives_.clear();
  closeHandles();
  maybeReportClosed();
}

void WindowsQueue::failQueue(DWORD error) {
  closedStatus_ = completionStatus(error);
  if (closedStatus_ == kOk) closedStatus_ = kSystemError;
  close();
}

void WindowsQueue::maybeReportClosed() {
  if (!closing_ || closedReported_ || opsInKernel_ != 0) return;
  closedReported_ = true;
  loop_.push(kQueueClosed, closedStatus_, token_, 0, 0);
  loop_.retire(this);
}

}  // namespace hsys::windows
