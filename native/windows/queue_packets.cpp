// Completion packets of a queue's overlapped operations: counting what the kernel holds, routing
// each packet to the receive, send, body, disconnect or certificate handler, and absorbing the
// stray packet a synchronous ERROR_MORE_DATA may leave behind.
#include <algorithm>

#include "windows_engine.h"

namespace hsys::windows {

// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is not set on the queue handle, on purpose: every call
// that starts (NO_ERROR or ERROR_IO_PENDING) then posts exactly one packet, and results are
// handled in one place, onCompletion. The price is one extra dequeue per synchronously finished
// call, amortised by GetQueuedCompletionStatusEx batches.
bool WindowsQueue::startedAsync(OverlappedOp& op, ULONG result) {
  if (result != NO_ERROR && result != ERROR_IO_PENDING) return false;
  op.inKernel = true;
  ++opsInKernel_;
  return true;
}

// Whether Windows queues a packet for a synchronous ERROR_MORE_DATA is not documented (Wine does;
// ASP.NET Core re-issues with the same OVERLAPPED as if none came). Whatever the kernel queued
// was queued before the call returned, so a packet posted now comes after it: until that marker
// arrives, op is left alone (a kernel packet for it is ignored), then it is free. The op keeps
// the queue open until then, so loop destruction never frees it under a queued packet.
void WindowsQueue::absorbStrayPacket(OverlappedOp& op) {
  op.absorbing = true;
  op.inKernel = true;
  ++opsInKernel_;
  if (!PostQueuedCompletionStatus(loop_.port(), 0, kAbsorbKey, op.overlapped())) {
    // Only with a broken port: never free the op, a kernel packet may still name it.
    --opsInKernel_;
    op.inKernel = false;
  }
}

void WindowsQueue::onAbsorbed(OverlappedOp* op) {
  op->absorbing = false;
  op->inKernel = false;
  --opsInKernel_;
  if (op->kind == OverlappedOp::Kind::kReceive) {
    // Replaced by a fresh receive when it was parked here: drop it.
    auto found = std::find_if(receives_.begin(), receives_.end(),
                              [op](const auto& owned) { return owned.get() == op; });
    if (found != receives_.end()) receives_.erase(found);
  } else {
    delete op;
  }
  maybeReportClosed();
}

void WindowsQueue::onCompletion(OverlappedOp* op, DWORD error, DWORD bytes) {
  if (op->absorbing) return;  // the kernel's packet for a synchronous ERROR_MORE_DATA: noise
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

void WindowsQueue::discard(OverlappedOp* op, bool marker) {
  if (op->absorbing && !marker) return;
  op->absorbing = false;
  op->inKernel = false;
  --opsInKernel_;
  if (op->kind != OverlappedOp::Kind::kReceive) delete op;
}

}  // namespace hsys::windows
