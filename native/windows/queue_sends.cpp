// Sends, body reads and cancels of delivered requests, and the backend's own answers.
//
// The send that ends a response is held until the start of the next poll (or until a later send
// on the same connection needs it out first). Java completes a write promise when send()
// accepts the record, so ctx.writeAndFlush(response).addListener(CLOSE) calls closeConnection
// right after handing over the last send: holding it lets that call still put
// HTTP_SEND_RESPONSE_FLAG_DISCONNECT on it, which is the only graceful way HTTP.SYS has to end a
// connection. The held send is the same single HttpSendHttpResponse (the kernel cache still
// gets the whole response in one call); it only leaves later in the same loop turn.
//
// Several sends of one response may be accepted at once; the backend hands them to HTTP.SYS one
// at a time, in order (the next when the previous one's packet comes back).
#include "dynamic_httpapi.h"
#include "request_body.h"
#include "response_builder.h"
#include "win32_errors.h"
#include "windows_engine.h"

namespace hsys::windows {

int32_t WindowsQueue::send(uint64_t requestId, const uint8_t* record, uint32_t recordLength,
                           uint64_t sendToken) {
  ResponseView view;
  const char* whyInvalid = nullptr;
  if (record == nullptr || !view.parse(record, recordLength, &whyInvalid)) return kInvalidArgument;
  if (closing_) return kCancelled;
  auto found = requests_.find(requestId);
  if (found == requests_.end()) return kNoSuchRequest;
  RequestState& state = found->second;
  if (state.finalHanded) return kNoSuchRequest;  // answered
  bool hasHead = (view.flags & kResponseHasHead) != 0;
  if (hasHead == state.headHanded) return kInvalidArgument;  // a second head, or body before head
  const HttpApiRuntime& api = httpApi();
  // Wine before 10 aborts the process in HttpSendResponseEntityBody.
  if (!hasHead && !api.canSendEntityBody) return kUnsupported;

  auto op = std::make_unique<SendOp>(this);
  op->requestId = requestId;
  op->connectionId = state.connectionId;
  op->token = sendToken;
  if (!buildResponse(view, api, state.headRequest, *op, &whyInvalid)) return kInvalidArgument;
  // On HTTP/2 DISCONNECT would end every stream of the connection; only closeConnection may.
  if (state.http2) dropDisconnect(*op);

  ConnectionState& connection = connections_[state.connectionId];
  if (connection.heldRequestId != 0 && connection.heldRequestId != requestId) {
    auto held = requests_.find(connection.heldRequestId);
    if (held != requests_.end()) releaseHeld(held);  // responses leave in order
  }
  bool opaque = state.opaque || op->opaque;
  op->endsResponse = op->finalSend && (!opaque || op->disconnect);
  if (!op->endsResponse && !state.sending && state.waiting.empty()) {
    // Straight to the kernel: a failure is this call's answer, and nothing was accepted.
    ULONG result = NO_ERROR;
    if (!startSend(*op, result)) {
      int32_t status = completionStatus(result);
      if (status == kConnectionLost) requestLost(found);
      // A system code is this call's answer, except 1 (ERROR_INVALID_FUNCTION), which a send
      // returns only as kOkCopied.
      return status == kOkCopied ? kSystemError : status;
    }
    (void)op.release();  // owned by the kernel until its packet is dequeued
    state.sending = true;
    state.headHanded = true;
    state.opaque = opaque;
    return kOk;
  }
  state.headHanded = true;
  state.opaque = opaque;
  if (op->endsResponse) {
    state.finalHanded = true;
    state.holdFinal = true;
    ++connection.finalSendsOut;
    connection.heldRequestId = requestId;
    heldOrder_.push_back(requestId);
  }
  state.waiting.push_back(std::move(op));
  pump(found);
  return kOk;
}

bool WindowsQueue::startSend(SendOp& op, ULONG& result) {
  const HttpApiRuntime& api = httpApi();
  if (op.hasHead) {
    result = api.sendHttpResponse(handle_, op.requestId, op.sendFlags, &op.response,
                                  op.offerToCache ? &op.cachePolicy : nullptr, nullptr, nullptr, 0,
                                  op.overlapped(), nullptr);
  } else {
    result = api.sendResponseEntityBody(handle_, op.requestId, op.sendFlags,
                                        static_cast<USHORT>(op.chunks.size()),
                                        op.chunks.empty() ? nullptr : op.chunks.data(), nullptr,
                                        nullptr, 0, op.overlapped(), nullptr);
  }
  return startedAsync(op, result);
}

void WindowsQueue::pump(RequestMap::iterator found) {
  RequestState& state = found->second;
  if (state.sending || state.waiting.empty()) return;
  if (state.waiting.front()->endsResponse && state.holdFinal) return;  // until the next poll
  std::unique_ptr<SendOp> op = std::move(state.waiting.front());
  state.waiting.pop_front();
  ULONG result = NO_ERROR;
  if (startSend(*op, result)) {
    state.sending = true;
    (void)op.release();
    return;
  }
  onSend(*op.release(), result, 0);  // send() returned kOk long ago: report it as its completion
}

void WindowsQueue::flushHeldSends() {
  if (heldOrder_.empty()) return;
  flushing_.swap(heldOrder_);
  for (uint64_t requestId : flushing_) {
    auto found = requests_.find(requestId);
    if (found != requests_.end() && found->second.holdFinal) releaseHeld(found);
  }
  flushing_.clear();
}

void WindowsQueue::releaseHeld(RequestMap::iterator found) {
  RequestState& state = found->second;
  state.holdFinal = false;
  auto connection = connections_.find(state.connectionId);
  if (connection != connections_.end() && connection->second.heldRequestId == found->first) {
    connection->second.heldRequestId = 0;
  }
  pump(found);
}

void WindowsQueue::dropWaiting(RequestState& state, int32_t status) {
  auto connection = connections_.find(state.connectionId);
  for (std::unique_ptr<SendOp>& op : state.waiting) {
    if (!op->internal) loop_.pushSendCompleted(status, op->token, op->requestId, 0);
    if (!op->endsResponse || connection == connections_.end()) continue;
    if (connection->second.finalSendsOut > 0) --connection->second.finalSendsOut;
    if (connection->second.heldRequestId == op->requestId) connection->second.heldRequestId = 0;
  }
  state.waiting.clear();
  state.holdFinal = false;
}

void WindowsQueue::onSend(SendOp& op, DWORD error, DWORD bytes) {
  std::unique_ptr<SendOp> owned(&op);
  if (op.endsResponse) finalSendDone(op.connectionId);
  int32_t status = completionStatus(error);
  if (!op.internal) loop_.pushSendCompleted(status, op.token, op.requestId, error == NO_ERROR ? bytes : 0);
  auto found = requests_.find(op.requestId);
  if (found == requests_.end()) return;
  found->second.sending = false;
  if (status == kConnectionLost) {
    requestLost(found);
  } else if (error != NO_ERROR) {
    finishRequest(found, status);
  } else if (op.endsResponse || op.disconnect) {
    finishRequest(found);
  } else {
    pump(found);
  }
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
  ULONG result = httpApi().receiveRequestEntityBody(handle_, requestId, 0, buffer, capacity,
                                                    nullptr, op->overlapped());
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
  if (status == kConnectionLost) requestLost(found);
  return status;
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
  // Bytes after a 101 are the upgraded protocol's, not a request body: no limit applies (as in
  // the posix backend, and ASP.NET Core: "no effect on upgraded connections").
  if (error == NO_ERROR && found != requests_.end() && options_.maxRequestBodyBytes != 0 &&
      !found->second.opaque) {
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
  if (status == kConnectionLost && found != requests_.end()) requestLost(found);
}

int32_t WindowsQueue::cancel(uint64_t requestId) {
  auto found = requests_.find(requestId);
  if (found == requests_.end()) return kNoSuchRequest;
  const HttpApiRuntime& api = httpApi();
  // Wine's HttpCancelHttpRequest is a process-aborting stub.
  if (!api.canCancelRequest) return kUnsupported;
  // Synchronous: it only starts the cancellation; the request's pending operations complete
  // with ERROR_OPERATION_ABORTED through the port, and HTTP.SYS resets the connection.
  ULONG result = api.cancelHttpRequest(handle_, requestId, nullptr);
  if (result == NO_ERROR || result == ERROR_CONNECTION_INVALID) {
    finishRequest(found);
    return kOk;
  }
  return completionStatus(result);
}

bool WindowsQueue::rejectOversizedBody(const HTTP_REQUEST& request) {
  uint64_t limit = options_.maxRequestBodyBytes;
  if (limit == 0) return false;
  uint64_t declared = declaredLength(request);
  if ((declared == UINT64_MAX || declared <= limit) && copiedBodyBytes(request) <= limit) return false;
  sendEngineAnswer(request.RequestId, (request.Flags & HTTP_REQUEST_FLAG_HTTP2) != 0, 413,
                   "Request Entity Too Large");
  return true;
}

void WindowsQueue::abandonOversized(RequestMap::iterator found) {
  uint64_t requestId = found->first;
  RequestState& state = found->second;
  if (!state.headHanded) {
    sendEngineAnswer(requestId, state.http2, 413, "Request Entity Too Large");
  } else if (httpApi().canCancelRequest) {
    httpApi().cancelHttpRequest(handle_, requestId, nullptr);
  }
  finishRequest(found);
  loop_.push(kRequestAborted, kConnectionLost, token_, requestId, 0);
}

void WindowsQueue::sendEngineAnswer(uint64_t requestId, bool http2, uint16_t status,
                                    const char* reason) {
  // Static strings only: the send may outlive this call.
  static const char kClose[] = "close";
  ResponseView view;
  view.status = status;
  view.reason = reason;
  view.flags = kResponseHasHead;
  if (!http2) {
    // HTTP/1.x: the connection may still carry the rest of a body, so it ends here. On HTTP/2
    // the stream ends with the response, and DISCONNECT would end every other stream too.
    view.flags |= kResponseDisconnect;
    view.headers.push_back({static_cast<uint8_t>(HttpHeaderConnection), {}, kClose});
  }
  auto op = std::make_unique<SendOp>(this);
  op->requestId = requestId;
  op->internal = true;
  const HttpApiRuntime& api = httpApi();
  const char* whyInvalid = nullptr;
  if (!buildResponse(view, api, false, *op, &whyInvalid)) return;
  ULONG result = NO_ERROR;
  if (startSend(*op, result)) {
    (void)op.release();
  } else if (api.canCancelRequest) {
    // No answer possible: reset rather than leave the client waiting for the timeouts.
    api.cancelHttpRequest(handle_, requestId, nullptr);
  }
}

void WindowsQueue::refuse(uint64_t requestId, bool http2) {
  const HttpApiRuntime& api = httpApi();
  if (api.canCancelRequest) {
    api.cancelHttpRequest(handle_, requestId, nullptr);
    return;
  }
  sendEngineAnswer(requestId, http2, 503, "Service Unavailable");
}

void WindowsQueue::endOpaqueStream(RequestMap::iterator found) {
  RequestState& state = found->second;
  if (state.finalHanded) return;  // the stream's end is accepted already
  const HttpApiRuntime& api = httpApi();
  if (!api.canSendEntityBody) {
    // No graceful end possible (Wine 8): reset where HTTP.SYS can.
    if (api.canCancelRequest) api.cancelHttpRequest(handle_, found->first, nullptr);
    finishRequest(found);
    return;
  }
  // An empty send with DISCONNECT after the bytes accepted before it, as closing a socket does.
  auto op = std::make_unique<SendOp>(this);
  op->requestId = found->first;
  op->connectionId = state.connectionId;
  op->internal = true;
  op->finalSend = true;
  op->endsResponse = true;
  addDisconnect(*op, api, false);
  state.finalHanded = true;
  ++connections_[state.connectionId].finalSendsOut;
  state.waiting.push_back(std::move(op));
  pump(found);
}

}  // namespace hsys::windows
