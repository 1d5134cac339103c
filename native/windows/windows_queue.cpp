#include <algorithm>
#include <cstdlib>

#include "dynamic_httpapi.h"
#include "queue_settings.h"
#include "response_builder.h"
#include "tls_facts.h"
#include "win32_errors.h"
#include "windows_engine.h"

namespace hsys::windows {

namespace {

constexpr uint32_t kDefaultPendingReceives = 4;
constexpr uint32_t kDefaultReceiveBufferSize = 16 * 1024;
// HTTP_REQUEST_V2 itself plus room for a small request.
constexpr uint32_t kMinReceiveBufferSize = 4 * 1024;
// A receive buffer grown for one large request shrinks back above this multiple of the default.
constexpr uint32_t kShrinkFactor = 4;
// Receive completions failing in a row before a receive stops being reposted (a wedged queue
// must not turn the loop into a busy spin); it is retried when another receive succeeds.
constexpr uint32_t kMaxReceiveFailures = 16;

// A client certificate info block plus a typical certificate chain's leaf.
constexpr uint32_t kClientCertBufferSize = 4096;

HTTPAPI_VERSION apiVersion2() {
  HTTPAPI_VERSION version = HTTPAPI_VERSION_2;
  return version;
}

// Content-Length of a request as the kernel saw it; UINT64_MAX when absent or not a number
// (HTTP.SYS rejects malformed ones before they reach us).
uint64_t declaredLength(const HTTP_REQUEST& request) {
  const HTTP_KNOWN_HEADER& header = request.Headers.KnownHeaders[HttpHeaderContentLength];
  if (header.pRawValue == nullptr || header.RawValueLength == 0) return UINT64_MAX;
  uint64_t value = 0;
  for (USHORT i = 0; i < header.RawValueLength; ++i) {
    char c = header.pRawValue[i];
    if (c == ' ' || c == '\t') continue;
    if (c < '0' || c > '9') return UINT64_MAX;
    if (value > (UINT64_MAX - 9) / 10) return UINT64_MAX - 1;  // absurdly large: over any limit
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

uint64_t copiedBodyBytes(const HTTP_REQUEST& request) {
  uint64_t total = 0;
  for (USHORT i = 0; i < request.EntityChunkCount; ++i) {
    const HTTP_DATA_CHUNK& chunk = request.pEntityChunks[i];
    if (chunk.DataChunkType == HttpDataChunkFromMemory) total += chunk.FromMemory.BufferLength;
  }
  return total;
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
  const HttpApiRuntime& runtime = httpApi();
  if (!checkQueueOptions(options_, runtime, error)) return false;
  std::wstring name = widen(options_.name);
  const wchar_t* queueName = name.empty() ? nullptr : name.c_str();
  ULONG result = ERROR_ALREADY_EXISTS;
  if (options_.mode != kQueueAttach) {
    result = HttpCreateRequestQueue(apiVersion2(), queueName, nullptr, 0, &handle_);
  }
  if (result == ERROR_ALREADY_EXISTS && options_.mode != kQueueCreate) {
    // Another process created the queue: use it as it is. Its creator owns the URLs and the
    // properties, so an attached queue sets neither (as ASP.NET Core's HttpSys does).
    result = HttpCreateRequestQueue(apiVersion2(), queueName, nullptr,
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

  result = HttpCreateServerSession(apiVersion2(), &session_, 0);
  if (result != NO_ERROR) {
    session_ = HTTP_NULL_ID;
    setWin32Error(error, "HttpCreateServerSession", result);
    return false;
  }
  return applyQueueProperties(handle_, options_, runtime, error) &&
         applySessionProperties(session_, options_, runtime, error);
}

void WindowsQueue::closeHandles() {
  closing_ = true;
  // URL groups first, so no new request is routed to the queue while it goes away.
  for (auto& [prefix, group] : groups_) HttpCloseUrlGroup(group);
  groups_.clear();
  if (handle_ != nullptr) {
    // Every pending receive, send and body read completes with ERROR_OPERATION_ABORTED (or
    // finishes normally); their packets still arrive at the port, which outlives the handle.
    CancelIoEx(handle_, nullptr);
    HttpCloseRequestQueue(handle_);
    handle_ = nullptr;
  }
  if (session_ != HTTP_NULL_ID) {
    HttpCloseServerSession(session_);
    session_ = HTTP_NULL_ID;
  }
}

bool WindowsQueue::addUrl(const std::string& prefix, Error& error) {
  if (closing_) {
    error.set(kInvalidArgument, 0, "addUrl " + prefix + ": the request queue is closed");
    return false;
  }
  if (attached_) {
    error.set(kInvalidArgument, 0, "addUrl " + prefix + ": attached to request queue " +
                                       options_.name + ", whose creator registers its URLs");
    return false;
  }
  HTTP_URL_GROUP_ID group = HTTP_NULL_ID;
  ULONG result = HttpCreateUrlGroup(session_, &group, 0);
  if (result != NO_ERROR) {
    setWin32Error(error, "HttpCreateUrlGroup", result, prefix);
    return false;
  }
  HTTP_BINDING_INFO binding{};
  binding.Flags.Present = 1;
  binding.RequestQueueHandle = handle_;
  result = HttpSetUrlGroupProperty(group, HttpServerBindingProperty, &binding, sizeof binding);
  if (result != NO_ERROR) {
    HttpCloseUrlGroup(group);
    setWin32Error(error, "HttpSetUrlGroupProperty", result, prefix);
    return false;
  }
  if (!applyUrlGroupProperties(group, options_, httpApi(), prefix, error)) {
    HttpCloseUrlGroup(group);
    return false;
  }
  std::wstring url = widen(prefix);
  result = HttpAddUrlToUrlGroup(group, url.c_str(), 0, 0);
  if (result != NO_ERROR) {
    HttpCloseUrlGroup(group);
    setWin32Error(error, "HttpAddUrlToUrlGroup", result, prefix);
    return false;
  }
  groups_.emplace_back(prefix, group);
  return true;
}

bool WindowsQueue::removeUrl(const std::string& prefix, Error& error) {
  if (attached_) {
    error.set(kInvalidArgument, 0, "removeUrl " + prefix + ": attached to request queue " +
                                       options_.name + ", whose creator registers its URLs");
    return false;
  }
  auto found = std::find_if(groups_.begin(), groups_.end(),
                            [&](const auto& entry) { return entry.first == prefix; });
  if (found == groups_.end()) {
    error.set(kInvalidArgument, 0, "removeUrl " + prefix + ": the prefix is not registered on this queue");
    return false;
  }
  HTTP_URL_GROUP_ID group = found->second;
  groups_.erase(found);
  // Removing the URL explicitly matters under Wine, whose HttpCloseUrlGroup keeps it listening.
  std::wstring url = widen(prefix);
  ULONG result = HttpRemoveUrlFromUrlGroup(group, url.c_str(), 0);
  HttpCloseUrlGroup(group);
  if (result != NO_ERROR) {
    setWin32Error(error, "HttpRemoveUrlFromUrlGroup", result, prefix);
    return false;
  }
  return true;
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
    ReceiveOp& op = *receives_.back();
    op.buffer.resize(options_.receiveBufferSize);
    ULONG result = postReceive(op, HTTP_NULL_ID);
    if (result != NO_ERROR && i == 0) {
      // Not even one receive could be posted: the queue cannot work.
      setWin32Error(error, "HttpReceiveHttpRequest", result);
      return false;
    }
  }
  return true;
}

// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is not set on the queue handle, on purpose: every call
// that starts (NO_ERROR, ERROR_IO_PENDING, or the warning ERROR_MORE_DATA) then posts exactly one
// packet, and results are handled in one place, onCompletion. With the flag, synchronous
// successes would have to be completed inline while warnings (ERROR_MORE_DATA) still post
// packets on some systems, and Wine's behaviour there is unverified. The price is one extra
// dequeue per synchronously finished call, amortised by GetQueuedCompletionStatusEx batches.
bool WindowsQueue::startedAsync(OverlappedOp& op, ULONG result) {
  if (result != NO_ERROR && result != ERROR_IO_PENDING && result != ERROR_MORE_DATA) return false;
  op.inKernel = true;
  ++opsInKernel_;
  return true;
}

ULONG WindowsQueue::postReceive(ReceiveOp& op, HTTP_REQUEST_ID requestId) {
  for (;;) {
    op.reset();
    op.requestId = requestId;
    ULONG result = HttpReceiveHttpRequest(
        handle_, requestId, HTTP_RECEIVE_REQUEST_FLAG_COPY_BODY,
        reinterpret_cast<HTTP_REQUEST*>(op.buffer.data()), op.buffer.capacity(), nullptr,
        op.overlapped());
    if (startedAsync(op, result)) return NO_ERROR;
    if (requestId != HTTP_NULL_ID && result == ERROR_CONNECTION_INVALID) {
      // The request we were fetching went away with its client: wait for the next one.
      requestId = HTTP_NULL_ID;
      continue;
    }
    parkedReceives_.push_back(&op);
    return result;
  }
}

void WindowsQueue::rearmParkedReceives() {
  if (parkedReceives_.empty() || closing_) return;
  std::vector<ReceiveOp*> parked;
  parked.swap(parkedReceives_);
  for (ReceiveOp* op : parked) postReceive(*op, HTTP_NULL_ID);
}

int32_t WindowsQueue::send(uint64_t requestId, const uint8_t* record, uint32_t recordLength,
                           uint64_t sendToken) {
  ResponseView view;
  const char* whyInvalid = nullptr;
  if (record == nullptr || !view.parse(record, recordLength, &whyInvalid)) return kInvalidArgument;
  if (closing_) return kCancelled;
  auto found = requests_.find(requestId);
  if (found == requests_.end()) return kNoSuchRequest;
  RequestState& state = found->second;
  if (state.sendPending) return kBusy;
  bool hasHead = (view.flags & kResponseHasHead) != 0;
  if (hasHead == state.headSent) return kInvalidArgument;  // a second head, or body before head
  const HttpApiRuntime& runtime = httpApi();
  // Wine before 10 aborts the process in HttpSendResponseEntityBody.
  if (!hasHead && !runtime.canSendEntityBody) return kUnsupported;

  auto op = std::make_unique<SendOp>(this);
  op->requestId = requestId;
  op->token = sendToken;
  if (!buildResponse(view, runtime, state.headRequest, *op, &whyInvalid)) return kInvalidArgument;

  ULONG result;
  if (hasHead) {
    result = HttpSendHttpResponse(handle_, requestId, op->sendFlags, &op->response,
                                  op->offerToCache ? &op->cachePolicy : nullptr, nullptr, nullptr,
                                  0, op->overlapped(), nullptr);
  } else {
    result = HttpSendResponseEntityBody(handle_, requestId, op->sendFlags,
                                        static_cast<USHORT>(op->chunks.size()),
                                        op->chunks.empty() ? nullptr : op->chunks.data(), nullptr,
                                        nullptr, 0, op->overlapped(), nullptr);
  }
  if (startedAsync(*op, result)) {
    state.sendPending = true;
    state.headSent = true;
    (void)op.release();  // owned by the kernel until its packet is dequeued
    return kOk;
  }
  int32_t status = completionStatus(result);
  if (status == kConnectionLost) requests_.erase(found);
  return status;
}

int32_t WindowsQueue::receiveBody(uint64_t requestId, uint8_t* buffer, uint32_t capacity,
                                  uint64_t bodyToken) {
  if (buffer == nullptr || capacity == 0) return kInvalidArgument;
  if (closing_) return kCancelled;
  auto found = requests_.find(requestId);
  if (found == requests_.end()) return kNoSuchRequest;
  RequestState& state = found->second;
  if (state.bodyPending) return kBusy;

  auto op = std::make_unique<BodyOp>(this);
  op->requestId = requestId;
  op->token = bodyToken;
  ULONG result = HttpReceiveRequestEntityBody(handle_, requestId, 0, buffer, capacity, nullptr,
                                              op->overlapped());
  if (startedAsync(*op, result)) {
    state.bodyPending = true;
    (void)op.release();
    return kOk;
  }
  if (result == ERROR_HANDLE_EOF) {
    // End of body, reported synchronously (an error status: no packet follows).
    loop_.push(kBodyReceived, kOk, bodyToken, requestId, 0);
    return kOk;
  }
  int32_t status = completionStatus(result);
  if (status == kConnectionLost) requests_.erase(found);
  return status;
}

int32_t WindowsQueue::closeConnection(uint64_t connectionId) {
  (void)connectionId;
  return kUnsupported;  // not yet: DISCONNECT on the held final send (issue 11, windows part)
}

int32_t WindowsQueue::cancel(uint64_t requestId) {
  auto found = requests_.find(requestId);
  if (found == requests_.end()) return kNoSuchRequest;
  // Wine's HttpCancelHttpRequest is a process-aborting stub.
  if (!httpApi().canCancelRequest) return kUnsupported;
  // Synchronous: it only starts the cancellation; the request's pending operations complete
  // with ERROR_OPERATION_ABORTED through the port, and HTTP.SYS resets the connection.
  ULONG result = HttpCancelHttpRequest(handle_, requestId, nullptr);
  if (result == NO_ERROR || result == ERROR_CONNECTION_INVALID) {
    requests_.erase(found);
    return kOk;
  }
  return completionStatus(result);
}

void WindowsQueue::close() {
  if (closing_ && closedReported_) return;
  requests_.clear();
  parkedReceives_.clear();
  closeHandles();
  maybeReportClosed();
}

void WindowsQueue::maybeReportClosed() {
  if (!closing_ || closedReported_ || opsInKernel_ != 0) return;
  closedReported_ = true;
  loop_.push(kQueueClosed, kOk, token_, 0, 0);
  loop_.retire(this);
}

void WindowsQueue::onCompletion(OverlappedOp* op, DWORD error, DWORD bytes) {
  op->inKernel = false;
  --opsInKernel_;
  switch (op->kind) {
    case OverlappedOp::Kind::kReceive:
      onReceive(static_cast<ReceiveOp&>(*op), error, bytes);
      break;
    case OverlappedOp::Kind::kSend:
      onSend(static_cast<SendOp&>(*op), error, bytes);
      break;
    case OverlappedOp::Kind::kBody:
      onBody(static_cast<BodyOp&>(*op), error, bytes);
      break;
    case OverlappedOp::Kind::kDisconnect:
      onDisconnect(static_cast<DisconnectOp&>(*op), error);
      break;
    case OverlappedOp::Kind::kClientCert:
      onClientCertificate(static_cast<ClientCertOp&>(*op), error, bytes);
      break;
  }
  maybeReportClosed();
}

void WindowsQueue::discard(OverlappedOp* op) {
  op->inKernel = false;
  --opsInKernel_;
  if (op->kind != OverlappedOp::Kind::kReceive) delete op;
}

void WindowsQueue::onReceive(ReceiveOp& op, DWORD error, DWORD bytes) {
  if (closing_) return;  // the op stays with the queue, idle
  auto* request = reinterpret_cast<HTTP_REQUEST*>(op.buffer.data());
  switch (error) {
    case NO_ERROR: {
      receiveFailures_ = 0;
      if (rejectOversizedBody(*request)) {
        // Answered 413 by the backend; the request never reaches Java.
      } else if (needsClientCertificate(*request, options_.exportClientCertificate) &&
                 httpApi().canReceiveClientCertificate) {
        fetchClientCertificate(op);  // takes the buffer; the request is handed out later
      } else {
        deliver(*request, nullptr);  // copies everything out of the buffer
      }
      if (op.buffer.capacity() < options_.receiveBufferSize ||
          op.buffer.capacity() > kShrinkFactor * options_.receiveBufferSize) {
        op.buffer.resize(options_.receiveBufferSize);
      }
      postReceive(op, HTTP_NULL_ID);
      rearmParkedReceives();
      return;
    }
    case ERROR_MORE_DATA: {
      // The head did not fit: fetch the same request again into a buffer of the size the
      // kernel reported (never a fresh receive, which would take the next request instead).
      HTTP_REQUEST_ID requestId = request->RequestId;
      uint32_t needed = bytes > op.buffer.capacity() ? bytes : op.buffer.capacity() * 2;
      op.buffer.resize(needed);
      postReceive(op, requestId);
      return;
    }
    default:
      if (error == ERROR_CONNECTION_INVALID && op.requestId != HTTP_NULL_ID) {
        // The request being re-received went away with its client: wait for the next one.
        postReceive(op, HTTP_NULL_ID);
      } else if (++receiveFailures_ < kMaxReceiveFailures) {
        postReceive(op, HTTP_NULL_ID);
      } else {
        parkedReceives_.push_back(&op);
      }
      return;
  }
}

void WindowsQueue::onSend(SendOp& op, DWORD error, DWORD bytes) {
  std::unique_ptr<SendOp> owned(&op);
  auto found = requests_.find(op.requestId);
  if (found != requests_.end()) {
    RequestState& state = found->second;
    state.sendPending = false;
    if (op.opaque) state.opaque = true;
    bool finished = error != NO_ERROR || op.disconnect || (op.finalSend && !state.opaque);
    if (finished) requests_.erase(found);
  }
  if (op.internal) return;
  loop_.push(kSendCompleted, completionStatus(error), op.token, op.requestId,
             error == NO_ERROR ? bytes : 0);
}

void WindowsQueue::onBody(BodyOp& op, DWORD error, DWORD bytes) {
  std::unique_ptr<BodyOp> owned(&op);
  auto found = requests_.find(op.requestId);
  if (found != requests_.end()) found->second.bodyPending = false;
  if (error == ERROR_HANDLE_EOF) {
    loop_.push(kBodyReceived, kOk, op.token, op.requestId, 0);
    return;
  }
  int32_t status = completionStatus(error);
  if (status == kConnectionLost && found != requests_.end()) requests_.erase(found);
  if (error == NO_ERROR && found != requests_.end() && options_.maxRequestBodyBytes != 0) {
    // Only bodies without Content-Length (chunked) get here with too many bytes: HTTP.SYS
    // never delivers more than a declared length, and declared lengths were checked.
    found->second.bodyBytes += bytes;
    if (found->second.bodyBytes > options_.maxRequestBodyBytes) {
      loop_.push(kBodyReceived, kInvalidArgument, op.token, op.requestId, 0);
      abandonOversized(found);
      return;
    }
  }
  loop_.push(kBodyReceived, status, op.token, op.requestId, error == NO_ERROR ? bytes : 0);
}

bool WindowsQueue::rejectOversizedBody(const HTTP_REQUEST& request) {
  uint64_t limit = options_.maxRequestBodyBytes;
  if (limit == 0) return false;
  uint64_t declared = declaredLength(request);
  if ((declared == UINT64_MAX || declared <= limit) && copiedBodyBytes(request) <= limit) return false;
  sendEngineAnswer(request.RequestId, 413, "Request Entity Too Large");
  return true;
}

void WindowsQueue::abandonOversized(std::unordered_map<uint64_t, RequestState>::iterator found) {
  uint64_t requestId = found->first;
  RequestState& state = found->second;
  if (!state.headSent && !state.sendPending) {
    sendEngineAnswer(requestId, 413, "Request Entity Too Large");
  } else if (httpApi().canCancelRequest) {
    HttpCancelHttpRequest(handle_, requestId, nullptr);
  }
  requests_.erase(found);
  loop_.push(kRequestAborted, kConnectionLost, token_, requestId, 0);
}

void WindowsQueue::sendEngineAnswer(uint64_t requestId, uint16_t status, const char* reason) {
  // Static strings only: the send may outlive this call.
  static const char kClose[] = "close";
  ResponseView view;
  view.flags = kResponseHasHead | kResponseDisconnect;
  view.status = status;
  view.reason = reason;
  view.headers.push_back({static_cast<uint8_t>(HttpHeaderConnection), {}, kClose});
  auto op = std::make_unique<SendOp>(this);
  op->requestId = requestId;
  op->internal = true;
  const char* whyInvalid = nullptr;
  if (!buildResponse(view, httpApi(), false, *op, &whyInvalid)) return;
  ULONG result = HttpSendHttpResponse(handle_, requestId, op->sendFlags, &op->response, nullptr,
                                      nullptr, nullptr, 0, op->overlapped(), nullptr);
  if (startedAsync(*op, result)) {
    (void)op.release();
  } else if (httpApi().canCancelRequest) {
    // No answer possible: reset rather than leave the client waiting for the timeouts.
    HttpCancelHttpRequest(handle_, requestId, nullptr);
  }
}

void WindowsQueue::deliver(const HTTP_REQUEST& request, const HTTP_SSL_CLIENT_CERT_INFO* certificate) {
  RequestState state;
  state.headRequest = request.Verb == HttpVerbHEAD;
  state.connectionId = request.ConnectionId;
  state.bodyBytes = copiedBodyBytes(request);
  requests_[request.RequestId] = state;
  loop_.pushRequest(token_, request, certificate);
  watchConnection(request.ConnectionId);
}

void WindowsQueue::watchConnection(uint64_t connectionId) {
  const HttpApiRuntime& runtime = httpApi();
  if (!runtime.canWaitForDisconnect || connections_.count(connectionId) != 0) return;
  auto op = std::make_unique<DisconnectOp>(this);
  op->connectionId = connectionId;
  ULONG result = runtime.waitForDisconnectEx(handle_, connectionId, 0, op->overlapped());
  if (startedAsync(*op, result)) {
    connections_[connectionId] = op.release();
  } else if (result == ERROR_CONNECTION_INVALID) {
    abortConnection(connectionId);  // gone already
  }
}

void WindowsQueue::onDisconnect(DisconnectOp& op, DWORD error) {
  std::unique_ptr<DisconnectOp> owned(&op);
  connections_.erase(op.connectionId);
  // Cancelled: the queue is closing. Anything else: the client went away.
  if (closing_ || error == ERROR_OPERATION_ABORTED) return;
  abortConnection(op.connectionId);
}

void WindowsQueue::abortConnection(uint64_t connectionId) {
  // Requests still open on the connection end here; their pending sends and body reads
  // complete on their own with an error.
  for (auto it = requests_.begin(); it != requests_.end();) {
    if (it->second.connectionId != connectionId) {
      ++it;
      continue;
    }
    loop_.push(kRequestAborted, kConnectionLost, token_, it->first, 0);
    it = requests_.erase(it);
  }
}

void WindowsQueue::fetchClientCertificate(ReceiveOp& receive) {
  auto op = std::make_unique<ClientCertOp>(this);
  op->request.swap(receive.buffer);
  receive.buffer.resize(options_.receiveBufferSize);
  op->certificate.resize(kClientCertBufferSize);
  const auto* request = reinterpret_cast<const HTTP_REQUEST*>(op->request.data());
  op->requestId = request->RequestId;
  if (!startClientCertificate(*op)) deliver(*request, nullptr);
  else (void)op.release();
}

bool WindowsQueue::startClientCertificate(ClientCertOp& op) {
  const auto* request = reinterpret_cast<const HTTP_REQUEST*>(op.request.data());
  op.reset();
  ULONG result = httpApi().receiveClientCertificate(
      handle_, request->ConnectionId, 0,
      reinterpret_cast<HTTP_SSL_CLIENT_CERT_INFO*>(op.certificate.data()), op.certificate.capacity(),
      nullptr, op.overlapped());
  return startedAsync(op, result);
}

void WindowsQueue::onClientCertificate(ClientCertOp& op, DWORD error, DWORD bytes) {
  std::unique_ptr<ClientCertOp> owned(&op);
  if (closing_) return;
  const auto* request = reinterpret_cast<const HTTP_REQUEST*>(op.request.data());
  if (error == ERROR_MORE_DATA) {
    op.certificate.resize(bytes > op.certificate.capacity() ? bytes : op.certificate.capacity() * 2);
    if (startClientCertificate(op)) {
      (void)owned.release();
      return;
    }
  }
  // Without a certificate (none sent, renegotiation refused) the request still goes out; Java
  // sees a TLS record without kTlsClientCertPresent.
  deliver(*request, error == NO_ERROR
                        ? reinterpret_cast<const HTTP_SSL_CLIENT_CERT_INFO*>(op.certificate.data())
                        : nullptr);
}

}  // namespace hsys::windows
