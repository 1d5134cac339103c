// Client connections as one queue sees them: which delivered requests are open on each, the
// disconnect wait that reports its end (kRequestAborted for open requests, then
// kConnectionClosed), and closeConnection.
//
// HTTP.SYS has no call that closes a connection. closeConnection therefore ends it the ways the
// API offers: HTTP_SEND_RESPONSE_FLAG_DISCONNECT on a held final send (the graceful way), an
// empty DISCONNECT send ending an upgraded stream, HttpCancelHttpRequest for a response that is
// only partly out or a request left unanswered (a reset). An idle connection (no request in hand)
// cannot be ended at all: it is remembered as closed, so the next request it brings is refused
// and never delivered, and HTTP.SYS's idle timer ends it otherwise.
//
// A connection's state lives while a disconnect wait is pending, requests are open or responses
// are on their way; a closed one that no wait will report (Wine, or a wait that could not be
// posted) is remembered in a bounded list instead.
#include <algorithm>

#include "dynamic_httpapi.h"
#include "request_body.h"
#include "response_builder.h"
#include "tls_facts.h"
#include "win32_errors.h"
#include "windows_engine.h"

namespace hsys::windows {

namespace {
// Closed connections remembered without a disconnect wait; the oldest is forgotten first.
constexpr size_t kMaxClosedWithoutWait = 1024;
}  // namespace

void WindowsQueue::dispatchRequest(ReceiveOp& receive) {
  const auto* request = reinterpret_cast<const HTTP_REQUEST*>(receive.buffer.data());
  bool http2 = (request->Flags & HTTP_REQUEST_FLAG_HTTP2) != 0;
  auto connection = connections_.find(request->ConnectionId);
  if (connection != connections_.end() && connection->second.closing) {
    refuse(request->RequestId, http2);  // the application closed this connection
    return;
  }
  if (rejectOversizedBody(*request)) return;  // answered 413 by the backend, never delivered
  if (needsClientCertificate(*request, options_.exportClientCertificate) &&
      httpApi().canReceiveClientCertificate) {
    fetchClientCertificate(receive);  // takes the buffer; the request is handed out later
    return;
  }
  deliver(*request, nullptr);
}

void WindowsQueue::deliver(const HTTP_REQUEST& request, const HTTP_SSL_CLIENT_CERT_INFO* certificate) {
  bool http2 = (request.Flags & HTTP_REQUEST_FLAG_HTTP2) != 0;
  ConnectionState& connection = connections_[request.ConnectionId];
  if (connection.closing) {  // closed while the request's client certificate was fetched
    refuse(request.RequestId, http2);
    settleConnection(request.ConnectionId);
    return;
  }
  RequestState state;
  state.headRequest = request.Verb == HttpVerbHEAD;
  state.http2 = http2;
  state.connectionId = request.ConnectionId;
  state.bodyBytes = copiedBodyBytes(request);
  requests_[request.RequestId] = std::move(state);
  ++connection.openRequests;
  loop_.pushRequest(token_, request, certificate);
  if (connection.wait == nullptr) watchConnection(request.ConnectionId, connection);
}

void WindowsQueue::watchConnection(uint64_t connectionId, ConnectionState& connection) {
  const HttpApiRuntime& api = httpApi();
  if (!api.canWaitForDisconnect) return;
  auto op = std::make_unique<DisconnectOp>(this);
  op->connectionId = connectionId;
  ULONG result = api.waitForDisconnectEx(handle_, connectionId, 0, op->overlapped());
  if (startedAsync(*op, result)) {
    connection.wait = op.release();  // owned by the kernel until its packet is dequeued
  } else if (result == ERROR_CONNECTION_INVALID) {
    connectionEnded(connectionId);  // gone already
  }
}

void WindowsQueue::onDisconnect(DisconnectOp& op, DWORD error) {
  std::unique_ptr<DisconnectOp> owned(&op);
  auto connection = connections_.find(op.connectionId);
  if (connection != connections_.end() && connection->second.wait == &op) {
    connection->second.wait = nullptr;
  }
  if (closing_) return;  // the queue is closing: kQueueClosed is its last word
  connectionEnded(op.connectionId);
}

void WindowsQueue::connectionEnded(uint64_t connectionId) {
  // Requests still open on the connection end here; their sends and body reads in flight
  // complete on their own with an error. One whose response was all handed over is not
  // aborted: its send completion says how it went.
  for (auto it = requests_.begin(); it != requests_.end();) {
    if (it->second.connectionId != connectionId) {
      ++it;
      continue;
    }
    dropWaiting(it->second, kConnectionLost);
    if (!it->second.finalHanded) loop_.push(kRequestAborted, kConnectionLost, token_, it->first, 0);
    it = requests_.erase(it);
  }
  connections_.erase(connectionId);
  auto remembered = std::find(closedWithoutWait_.begin(), closedWithoutWait_.end(), connectionId);
  if (remembered != closedWithoutWait_.end()) closedWithoutWait_.erase(remembered);
  loop_.push(kConnectionClosed, kOk, token_, 0, 0, connectionId);
}

void WindowsQueue::requestLost(RequestMap::iterator found) {
  uint64_t connectionId = found->second.connectionId;
  auto connection = connections_.find(connectionId);
  // With a disconnect wait pending, the wait reports the end; without one, nothing else will.
  bool report = connection != connections_.end() && connection->second.wait == nullptr;
  finishRequest(found);
  if (report) connectionEnded(connectionId);
}

void WindowsQueue::finishRequest(RequestMap::iterator found, int32_t status) {
  uint64_t connectionId = found->second.connectionId;
  dropWaiting(found->second, status);
  requests_.erase(found);
  auto connection = connections_.find(connectionId);
  if (connection != connections_.end() && connection->second.openRequests > 0) {
    --connection->second.openRequests;
  }
  settleConnection(connectionId);
}

void WindowsQueue::settleConnection(uint64_t connectionId) {
  auto found = connections_.find(connectionId);
  if (found == connections_.end()) return;
  const ConnectionState& connection = found->second;
  if (connection.wait != nullptr || connection.openRequests > 0 || connection.finalSendsOut > 0 ||
      !connection.abandoned.empty()) {
    return;
  }
  if (!connection.closing) {
    connections_.erase(found);
    return;
  }
  // Closed and idle, and no wait will report its end: remember it, so what it brings later is
  // refused, but only so many.
  if (std::find(closedWithoutWait_.begin(), closedWithoutWait_.end(), connectionId) !=
      closedWithoutWait_.end()) {
    return;
  }
  closedWithoutWait_.push_back(connectionId);
  if (closedWithoutWait_.size() <= kMaxClosedWithoutWait) return;
  auto oldest = connections_.find(closedWithoutWait_.front());
  closedWithoutWait_.pop_front();
  if (oldest != connections_.end() && oldest->second.wait == nullptr &&
      oldest->second.openRequests == 0) {
    connections_.erase(oldest);
  }
}

void WindowsQueue::finalSendDone(uint64_t connectionId) {
  auto found = connections_.find(connectionId);
  if (found == connections_.end()) return;
  ConnectionState& connection = found->second;
  if (connection.finalSendsOut > 0) --connection.finalSendsOut;
  if (connection.closing && connection.finalSendsOut == 0) resetAbandoned(connection);
  settleConnection(connectionId);
}

void WindowsQueue::resetAbandoned(ConnectionState& connection) {
  // The responses before them are out: the requests the application dropped end now. Behind a
  // DISCONNECT send HTTP.SYS has closed the connection already, and these calls find nothing.
  for (const AbandonedRequest& request : connection.abandoned) refuse(request.requestId, request.http2);
  connection.abandoned.clear();
}

int32_t WindowsQueue::closeConnection(uint64_t connectionId) {
  if (closing_) return kNoSuchRequest;
  auto found = connections_.find(connectionId);
  if (found == connections_.end()) return kNoSuchRequest;
  ConnectionState& connection = found->second;
  if (connection.closing) return kOk;
  connection.closing = true;

  std::vector<uint64_t> open;
  for (const auto& [requestId, state] : requests_) {
    if (state.connectionId == connectionId) open.push_back(requestId);
  }
  const HttpApiRuntime& api = httpApi();
  for (uint64_t requestId : open) {
    auto request = requests_.find(requestId);
    if (request == requests_.end()) continue;
    RequestState& state = request->second;
    if (state.opaque) {
      endOpaqueStream(request);  // after the bytes handed over, as closing a socket does
    } else if (state.finalHanded) {
      // Answered. A final send not yet handed to HTTP.SYS (held, or behind the request's other
      // sends) ends the connection; one already in the kernel leaves the connection idle.
      if (!state.waiting.empty()) addDisconnect(*state.waiting.back(), api, !state.http2);
    } else if (state.headHanded) {
      // Part of a response is out: ending it early must not look like a complete answer.
      if (api.canCancelRequest) api.cancelHttpRequest(handle_, requestId, nullptr);
      finishRequest(request);
    } else {
      // Unanswered: dropped (later sends get kNoSuchRequest; no kRequestAborted, the application
      // did this), and reset once the responses before it are out.
      connection.abandoned.push_back({requestId, state.http2});
      finishRequest(request);
    }
  }
  if (connection.finalSendsOut == 0) resetAbandoned(connection);
  settleConnection(connectionId);
  return kOk;
}

}  // namespace hsys::windows
