// Posted receives: HttpReceiveHttpRequest kept posted options_.pendingReceives times, re-received
// by request id when a head does not fit, retried with a back-off when the kernel refuses them;
// and HttpReceiveClientCertificate for requests that are handed out with their certificate.
#include <algorithm>

#include "dynamic_httpapi.h"
#include "tls_facts.h"
#include "win32_errors.h"
#include "windows_engine.h"

namespace hsys::windows {

namespace {

// A receive buffer grown for one large request shrinks back above this multiple of the default.
constexpr uint32_t kShrinkFactor = 4;
// Failed receives in a row, with none left in the kernel, before the queue gives up (unless the
// error is a shortage that passes: then it retries for good); retried after 1, 2, 4, ... up to
// 1000 ms, so giving up takes about a quarter of a second.
constexpr uint32_t kMaxReceiveFailures = 8;
constexpr uint32_t kMaxRetryDelayMillis = 1000;

// A client certificate info block plus a typical certificate chain's leaf.
constexpr uint32_t kClientCertBufferSize = 4096;

// Shortages of kernel or process resources: they pass, so the queue keeps retrying.
bool isShortage(DWORD error) {
  switch (error) {
    case ERROR_NO_SYSTEM_RESOURCES:
    case ERROR_NONPAGED_SYSTEM_RESOURCES:
    case ERROR_PAGED_SYSTEM_RESOURCES:
    case ERROR_WORKING_SET_QUOTA:
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_NOT_ENOUGH_QUOTA:
      return true;
    default:
      return false;
  }
}

// After ERROR_MORE_DATA HTTP.SYS reports the size of HTTP_SSL_CLIENT_CERT_INFO only, not of the
// certificate after it (ASP.NET Core's ClientCertLoader adds CertEncodedSize for this reason).
uint32_t certificateBufferNeeded(const AlignedBuffer& buffer, DWORD reported) {
  const auto* info = reinterpret_cast<const HTTP_SSL_CLIENT_CERT_INFO*>(buffer.data());
  uint64_t needed = std::max<uint64_t>(reported, sizeof(HTTP_SSL_CLIENT_CERT_INFO)) + info->CertEncodedSize;
  if (needed <= buffer.capacity()) needed = uint64_t{buffer.capacity()} * 2;
  return static_cast<uint32_t>(std::min<uint64_t>(needed, UINT32_MAX / 2));
}

}  // namespace

void WindowsQueue::postReceive(ReceiveOp* op, HTTP_REQUEST_ID requestId) {
  const HttpApiRuntime& api = httpApi();
  for (;;) {
    op->reset();
    op->requestId = requestId;
    auto* request = reinterpret_cast<HTTP_REQUEST*>(op->buffer.data());
    ULONG result = api.receiveHttpRequest(handle_, requestId, HTTP_RECEIVE_REQUEST_FLAG_COPY_BODY,
                                          request, op->buffer.capacity(), nullptr, op->overlapped());
    if (startedAsync(*op, result)) return;
    if (result == ERROR_MORE_DATA) {
      // The head did not fit, synchronously: fetch it again by id into a bigger buffer, with a
      // fresh op, as this one may still get a packet (absorbStrayPacket).
      requestId = request->RequestId;
      auto fresh = std::make_unique<ReceiveOp>(this);
      fresh->buffer.resize(op->buffer.capacity() * 2);
      absorbStrayPacket(*op);
      op = fresh.get();
      receives_.push_back(std::move(fresh));
      continue;
    }
    if (requestId != HTTP_NULL_ID &&
        (result == ERROR_CONNECTION_INVALID || result == ERROR_INVALID_PARAMETER)) {
      // The request being fetched went away with its client (or, as ASP.NET Core's accept loop
      // notes for ERROR_INVALID_PARAMETER, its id is no longer valid): wait for the next one.
      requestId = HTTP_NULL_ID;
      continue;
    }
    parkReceive(*op, result);
    return;
  }
}

void WindowsQueue::parkReceive(ReceiveOp& op, ULONG error) {
  parkedReceives_.push_back(&op);
  lastReceiveError_ = error;
  ++receiveFailures_;
  uint32_t shift = std::min<uint32_t>(receiveFailures_ - 1, 10);
  nextRearm_ = std::chrono::steady_clock::now() +
               std::chrono::milliseconds(std::min<uint32_t>(1u << shift, kMaxRetryDelayMillis));
  if (receiveFailures_ >= kMaxReceiveFailures && !isShortage(error) && !receiveInKernel()) {
    // Nothing will ever deliver a request again: say so rather than go quiet.
    failQueue(error);
  }
}

bool WindowsQueue::receiveInKernel() const {
  for (const auto& op : receives_) {
    if (op->inKernel && !op->absorbing) return true;
  }
  return false;
}

void WindowsQueue::rearmParkedReceives() {
  if (parkedReceives_.empty() || closing_) return;
  std::vector<ReceiveOp*> parked;
  parked.swap(parkedReceives_);
  for (ReceiveOp* op : parked) {
    if (closing_) break;
    postReceive(op, HTTP_NULL_ID);
  }
}

void WindowsQueue::onReceive(ReceiveOp& op, DWORD error, DWORD bytes) {
  if (closing_) return;  // the op stays with the queue, idle
  auto* request = reinterpret_cast<HTTP_REQUEST*>(op.buffer.data());
  switch (error) {
    case NO_ERROR:
      receiveFailures_ = 0;
      dispatchRequest(op);  // copies everything it needs out of the buffer (or takes it)
      if (op.buffer.capacity() < options_.receiveBufferSize ||
          op.buffer.capacity() > kShrinkFactor * options_.receiveBufferSize) {
        op.buffer.resize(options_.receiveBufferSize);
      }
      postReceive(&op, HTTP_NULL_ID);
      rearmParkedReceives();
      return;
    case ERROR_MORE_DATA: {
      // The head did not fit: fetch the same request again into a buffer of the size the
      // kernel reported (never a fresh receive, which would take the next request instead).
      HTTP_REQUEST_ID requestId = request->RequestId;
      uint32_t needed = bytes > op.buffer.capacity() ? bytes : op.buffer.capacity() * 2;
      op.buffer.resize(needed);
      postReceive(&op, requestId);
      return;
    }
    default:
      if (error == ERROR_CONNECTION_INVALID && op.requestId != HTTP_NULL_ID) {
        // The request being re-received went away with its client: wait for the next one.
        postReceive(&op, HTTP_NULL_ID);
      } else {
        parkReceive(op, error);
      }
      return;
  }
}

void WindowsQueue::fetchClientCertificate(ReceiveOp& receive) {
  auto op = std::make_unique<ClientCertOp>(this);
  op->request.swap(receive.buffer);
  receive.buffer.resize(options_.receiveBufferSize);
  op->certificate.resize(kClientCertBufferSize);
  op->requestId = reinterpret_cast<const HTTP_REQUEST*>(op->request.data())->RequestId;
  if (startClientCertificate(op)) return;
  deliver(*reinterpret_cast<const HTTP_REQUEST*>(op->request.data()), nullptr);
}

bool WindowsQueue::startClientCertificate(std::unique_ptr<ClientCertOp>& op) {
  for (;;) {
    const auto* request = reinterpret_cast<const HTTP_REQUEST*>(op->request.data());
    op->reset();
    ULONG result = httpApi().receiveClientCertificate(
        handle_, request->ConnectionId, 0,
        reinterpret_cast<HTTP_SSL_CLIENT_CERT_INFO*>(op->certificate.data()),
        op->certificate.capacity(), nullptr, op->overlapped());
    if (startedAsync(*op, result)) {
      (void)op.release();  // owned by the kernel until its packet is dequeued
      return true;
    }
    if (result != ERROR_MORE_DATA) return false;
    // Synchronously too small: again with a fresh op, as this one may still get a packet.
    auto fresh = std::make_unique<ClientCertOp>(this);
    fresh->request.swap(op->request);
    fresh->requestId = op->requestId;
    fresh->certificate.resize(certificateBufferNeeded(op->certificate, 0));
    absorbStrayPacket(*op);
    (void)op.release();  // freed when its marker arrives (onAbsorbed)
    op = std::move(fresh);
  }
}

void WindowsQueue::onClientCertificate(ClientCertOp& op, DWORD error, DWORD bytes) {
  std::unique_ptr<ClientCertOp> owned(&op);
  if (closing_) return;
  if (error == ERROR_MORE_DATA) {
    owned->certificate.resize(certificateBufferNeeded(owned->certificate, bytes));
    if (startClientCertificate(owned)) return;
  }
  // Without a certificate (none sent, renegotiation refused) the request still goes out; Java
  // sees a TLS record without kTlsClientCertPresent.
  const auto* request = reinterpret_cast<const HTTP_REQUEST*>(owned->request.data());
  deliver(*request, error == NO_ERROR ? reinterpret_cast<const HTTP_SSL_CLIENT_CERT_INFO*>(
                                            owned->certificate.data())
                                      : nullptr);
}

}  // namespace hsys::windows
