// Connection, responses: accepting sends, framing their data (chunks when the engine frames the
// body), staging them behind earlier responses, writing the output queue, and completing sends
// and retiring slots as output progresses.
#include "connection.h"

#include <algorithm>
#include <climits>

#include "hsys/chunk_framing.h"
#include "posix_loop.h"
#include "posix_queue.h"

namespace hsys::posix {

namespace {

void appendChunkBytes(const ResponseView& view, std::string& out) {
  for (const DataChunk& chunk : view.chunks) {
    out.append(reinterpret_cast<const char*>(static_cast<uintptr_t>(chunk.handleOrAddress)), chunk.length);
  }
}

}  // namespace

void Connection::queueBytes(int index, const void* data, uint64_t length) {
  if (length == 0) return;
  if (index == work().wire) work().output.append(OutputQueue::memory(data, length));
  else slotAt(index).staged.push_back(OutputQueue::memory(data, length));
}

void Connection::queueFile(int index, int fd, uint64_t offset, uint64_t length) {
  if (length == 0) return;
  if (index == work().wire) work().output.append(OutputQueue::file(fd, offset, length));
  else slotAt(index).staged.push_back(OutputQueue::file(fd, offset, length));
}

void Connection::promote() {
  // Slots before work().wire have queued their last bytes; the wire slot's staged bytes go next.
  while (work().wire < work().count) {
    Slot& slot = slotAt(work().wire);
    if (!slot.staged.empty()) {
      for (const OutputQueue::Segment& segment : slot.staged) work().output.append(segment);
      slot.staged.clear();
    }
    slot.sends.forEach([this](PendingSend& pending) {
      if (pending.staged) {
        pending.staged = false;
        pending.endMark = work().output.added();
      }
    });
    if (!slot.finalQueued || slot.closeAfter) {
      if (slot.finalQueued) ++work().wire;  // nothing behind a closing response is ever written
      return;
    }
    ++work().wire;
  }
}

int32_t Connection::send(uint64_t requestId, const ResponseView& view, uint64_t token) {
  return session_->onSendAccepted(requestId, view, token);
}

int32_t Connection::onSendAccepted(uint64_t requestId, const ResponseView& view, uint64_t token) {
  int index = indexOf(requestId);
  if (index < 0 || (state_ != State::kOpen && state_ != State::kOpaque)) return kNoSuchRequest;
  Slot& slot = slotAt(index);
  if (slot.finalQueued) return kNoSuchRequest;  // its response is complete
  const bool hasHead = view.flags & kResponseHasHead;
  const bool opaqueStream = state_ == State::kOpaque;
  if (opaqueStream ? hasHead : hasHead == slot.responseStarted) return kInvalidArgument;  // head missing or repeated
  bool memoryOnly = true;  // no file chunk: the data may be copied behind the head
  for (const DataChunk& chunk : view.chunks) {
    if (chunk.kind == kChunkFile && chunk.handleOrAddress > static_cast<uint64_t>(INT_MAX)) return kInvalidArgument;
    if (chunk.kind == kChunkMemory && chunk.handleOrAddress == 0 && chunk.length != 0) return kInvalidArgument;
    memoryOnly = memoryOnly && chunk.kind == kChunkMemory;
  }
  const uint64_t dataBytes = view.totalChunkBytes();
  const bool final = !(view.flags & kResponseMoreData);
  const bool becomesOpaque = !opaqueStream && (view.flags & kResponseOpaque);
  if (becomesOpaque && index != work().count - 1) return kInvalidArgument;  // requests behind it were parsed as HTTP
  const bool owner = requestId == work().owner;
  if (hasHead) {
    bool bodyComplete = !owner || work().bodyDone;
    if (owner && final && !becomesOpaque && !work().bodyDone) bodyComplete = discardBufferedBody();
    ResponseContext context;
    context.headRequest = slot.head.isHeadMethod;
    context.httpMinor = slot.head.minor;
    context.requestKeepAlive = slot.head.keepAlive;
    context.engineMustClose = peerEof_ || (final && !becomesOpaque && !bodyComplete);
    ResponseDecision decision;
    if (buildResponseHead(view, context, slot.headBytes, decision) != nullptr) return kInvalidArgument;
    slot.responseStarted = true;
    slot.dropBody = decision.dropBody;
    slot.chunked = decision.chunked;
    slot.declaredLength = decision.declaredLength;
    slot.bodySent = 0;
    slot.closeAfter = slot.closeAfter || decision.close;
    if (!exceedsDeclaredLength(slot, dataBytes) && slot.cacheable && view.cacheTtlSeconds > 0 && final &&
        (decision.declaredLength < 0 || static_cast<uint64_t>(decision.declaredLength) == dataBytes)) {
      OutputCache::instance().store(slot.cacheKey, view, loop_->now());
    }
  } else {
    if (view.flags & kResponseDisconnect) slot.closeAfter = true;
    if (owner && final && !opaqueStream && !becomesOpaque && !discardBufferedBody()) slot.closeAfter = true;
  }
  const bool writesBody = opaqueStream || becomesOpaque || !slot.dropBody;
  if (writesBody && !opaqueStream && !becomesOpaque) {
    // The declared length is the engine's to keep: not a byte past it goes out, and a body that
    // ends short resets rather than leave the client waiting for the rest.
    if (exceedsDeclaredLength(slot, dataBytes)) {
      resetAfter(index);
      return kInvalidArgument;
    }
    slot.bodySent += dataBytes;
    if (final && slot.declaredLength >= 0 && slot.bodySent < static_cast<uint64_t>(slot.declaredLength)) {
      slot.closeAfter = slot.resetAfter = true;
    }
  }
  // A small body rides in the head's segment, as Netty's HTTP encoder merges small content into
  // the header buffer: one iovec per response instead of two in the sendmsg that writes it.
  const bool bodyInHead = hasHead && writesBody && !slot.chunked && !becomesOpaque &&
                          dataBytes <= kBodyInHeadBytes && memoryOnly;
  if (bodyInHead) appendChunkBytes(view, slot.headBytes);
  const bool dataInPlace = writesBody && !bodyInHead;  // the output points into the caller's memory
  if (hasHead) queueBytes(index, slot.headBytes.data(), slot.headBytes.size());
  PendingSend& pending = slot.sends.emplaceBack();
  pending.token = token;
  pending.length = dataBytes;
  pending.opaque = becomesOpaque;
  if (dataInPlace) queueSendData(index, view, pending, final);
  pending.staged = index != work().wire;
  pending.endMark = pending.staged ? 0 : work().output.added();
  if (becomesOpaque) stopParsing_ = true;
  slot.finalQueued = opaqueStream ? (view.flags & kResponseDisconnect) != 0 : (final && !becomesOpaque);
  if (slot.closeAfter) stopParsing_ = true;
  if (index == work().wire) promote();
  // The loop writes it before it polls again, with the other sends made since its last poll
  // (this connection's pipelined responses in one sendmsg, all connections' in one system call).
  // A 101 goes at once: the stream is opaque once it is out, and the application reads it next.
  if (becomesOpaque) flushOutput();
  else deferFlush();
  // Only data queued in place points into the caller's memory; the head, framing and small
  // bodies are the engine's own bytes, so the caller may reuse its record at once.
  return dataInPlace && dataBytes > 0 ? kOk : kOkCopied;
}

bool Connection::exceedsDeclaredLength(const Slot& slot, uint64_t dataBytes) const {
  return slot.declaredLength >= 0 && slot.bodySent + dataBytes > static_cast<uint64_t>(slot.declaredLength);
}

void Connection::queueSendData(int index, const ResponseView& view, PendingSend& pending, bool last) {
  // A chunked response's data goes out as one chunk per send; the framing bytes live in the
  // send (pending.framing) until it completes.
  size_t prefix = 0;
  pending.framing.clear();
  if (slotAt(index).chunked) appendChunkFraming(pending.length, last, view, pending.framing, prefix);
  queueBytes(index, pending.framing.data(), prefix);
  for (const DataChunk& chunk : view.chunks) {
    if (chunk.kind == kChunkFile) {
      queueFile(index, static_cast<int>(chunk.handleOrAddress), chunk.offset, chunk.length);
    } else {
      queueBytes(index, reinterpret_cast<const void*>(static_cast<uintptr_t>(chunk.handleOrAddress)), chunk.length);
    }
  }
  queueBytes(index, pending.framing.data() + prefix, pending.framing.size() - prefix);
}

void Connection::deferFlush() {
  if (flushDeferred_) return;
  flushDeferred_ = true;
  loop_->deferFlush(this);
}

void Connection::flushDeferred() {
  flushDeferred_ = false;
  if (state_ == State::kOpen || state_ == State::kOpaque) flushOutput();
}

uint64_t Connection::gatherDeferredOutput(std::vector<iovec>& iov) {
  if ((state_ != State::kOpen && state_ != State::kOpaque) || !writable_ || work().flushing) return 0;
  return work().output.gather(iov);
}

void Connection::finishDeferredFlush(ssize_t result) {
  flushDeferred_ = false;
  if (state_ != State::kOpen && state_ != State::kOpaque) return;
  startSendWindow();
  int code = 0;
  OutputQueue::Result taken = work().output.takeWritten(result, code);
  if (taken == OutputQueue::Result::kError) {
    abort(kConnectionLost, true, false);
    return;
  }
  if (taken == OutputQueue::Result::kAgain) writable_ = false;
  flushOutput();  // what the batch did not cover (file segments, more than IOV_MAX), and progress
}

void Connection::startSendWindow() {
  // Output waits from now: the minimum send rate is measured from here (onTick).
  if (work().sendWindowStart != 0) return;
  work().sendWindowStart = loop_->now();
  work().sendWindowBytes = work().output.bytesWritten();
}

void Connection::flushOutput() {
  if (work().flushing) {
    work().flushAgain = true;
    return;
  }
  work().flushing = true;
  do {
    work().flushAgain = false;
    if (state_ == State::kClosed || state_ == State::kLingering) break;
    if (!work().output.empty() && writable_) {
      startSendWindow();
      int code = 0;
      OutputQueue::Result result = work().output.flush(fd_, code, loop_->iovScratch());
      if (result == OutputQueue::Result::kAgain) {
        writable_ = false;
      } else if (result == OutputQueue::Result::kError) {
        work().flushing = false;
        abort(kConnectionLost, true, false);
        return;
      }
    }
    if (work().output.empty()) work().sendWindowStart = 0;
    session_->onOutputProgressed();
  } while (work().flushAgain);
  work().flushing = false;
}

void Connection::completeSend(Slot& slot) {
  const PendingSend& done = slot.sends.front();
  const bool opaque = done.opaque;
  loop_->pushSendCompleted(kOk, done.token, slot.requestId, done.length);
  slot.sends.popFront();
  if (opaque) {
    state_ = State::kOpaque;  // from now on raw bytes both ways
    work().owner = slot.requestId;
    if (work().readPending) tryCompleteBodyRead();
  }
}

void Connection::onOutputProgressed() {
  uint64_t written = work().output.done();
  bool popped = false;
  while (work().count > 0 && (state_ == State::kOpen || state_ == State::kOpaque)) {
    Slot& front = slotAt(0);
    while (!front.sends.empty() && !front.sends.front().staged && front.sends.front().endMark <= written) {
      completeSend(front);
      if (state_ == State::kClosed) return;
    }
    if (!front.sends.empty()) break;  // written only in part
    if (!front.finalQueued || work().wire == 0) break;  // more of this response is to come
    if (front.closeAfter && !work().output.empty()) break;  // closing now would drop bytes not yet written
    if (!popFront()) return;
    popped = true;
  }
  if (!popped || state_ != State::kOpen) return;
  if (work().count == 0) {
    idleSince_ = loop_->now();
    if (work().handOffWaiting) {
      work().handOffWaiting = false;
      work().handOffHops = 0;
      routeRequest();  // now the connection may move (or the route changed meanwhile)
      if (handOffRequested()) return;
    }
  }
  processInput();  // pipelined requests waiting in the buffer
}

bool Connection::popFront() {
  Slot& slot = slotAt(0);
  if (slot.resetAfter) {
    abort(kConnectionLost, true, true);  // its request learns it as kRequestAborted
    return false;
  }
  bool close = slot.closeAfter || state_ == State::kOpaque;
  if (slot.requestId != 0) {
    if (work().readPending && work().owner == slot.requestId) completeBodyRead(kCancelled, 0);  // the response ended the request
    forgetRequest(slot);
    if (work().owner == slot.requestId) {
      if (!work().bodyDone) close = true;  // its unread body stands between us and the next request
      work().owner = 0;
    }
    if (work().blockingId == slot.requestId) work().blockingId = 0;
  }
  slot.reset();
  work().first = (work().first + 1) % kMaxPipeline;
  --work().count;
  --work().wire;
  if (close) {
    beginLingeringClose();
    return false;
  }
  return true;
}

}  // namespace hsys::posix
