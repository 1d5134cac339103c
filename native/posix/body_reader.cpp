// Connection, request bodies: receiveBody for the body owner (or the upgraded stream), reading
// plain bodies and decoding chunked ones straight into the caller's buffer, 100-continue, the
// receive low-water mark of a bulk body, and what happens when a body fails or is abandoned.
#include "connection.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "posix_loop.h"
#include "posix_util.h"
#include "posix_queue.h"

namespace hsys::posix {

namespace {

constexpr size_t kMaxBufferedBody = 64 * 1024;  // read-ahead while decoding a chunked body
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

bool Connection::discardBufferedBody() {
  if (work().bodyDone) return true;
  if (work().ownerChunked) {
    size_t consumed = 0, produced = 0;
    ChunkedDecoder::Result result = work().chunked.decode(work().in.data() + work().begin, work().end - work().begin, nullptr, 0, consumed,
                                                    produced, loop_->limits().maxTrailerBytes);
    work().begin += consumed;
    if (result == ChunkedDecoder::Result::kError) return false;
    work().bodyDone = work().chunked.done();
    return work().bodyDone;
  }
  size_t take = static_cast<size_t>(std::min<uint64_t>(work().end - work().begin, work().bodyRemaining));
  work().begin += take;
  work().bodyRemaining -= take;
  work().bodyDone = work().bodyRemaining == 0;
  return work().bodyDone;
}

int32_t Connection::receiveBody(uint64_t requestId, uint8_t* buffer, uint32_t capacity, uint64_t token) {
  int index = indexOf(requestId);
  if (index < 0 || (state_ != State::kOpen && state_ != State::kOpaque)) return kNoSuchRequest;
  if (state_ != State::kOpaque && requestId != work().owner) {
    loop_->push(kBodyReceived, kOk, token, requestId, 0);  // its whole body was in the record
    return kOk;
  }
  if (work().readPending) return kBusy;
  work().readPending = true;
  work().readBuffer = buffer;
  work().readCapacity = capacity;
  work().readToken = token;
  Slot& slot = slotAt(index);
  if (state_ == State::kOpen && work().ownerExpectContinue && !work().continueSent && !slot.responseStarted && !work().bodyDone) {
    work().continueSent = true;  // the client waits for this before it sends the body
    queueBytes(index, kContinue, sizeof kContinue - 1);
    flushOutput();
    if (state_ == State::kClosed) return kOk;  // the pending read completed with the failure
  }
  tryCompleteBodyRead();
  return kOk;
}

void Connection::completeBodyRead(int32_t status, uint64_t length) {
  stopCoalescing();
  work().bodyStreaming = status == kOk && length >= std::min<uint64_t>(work().readCapacity, kBulkReadBytes);
  work().readPending = false;
  work().bodyWaitSince = 0;
  loop_->push(kBodyReceived, status, work().readToken, work().owner, length);
}

void Connection::awaitBodyBytes(uint64_t wanted) {
  // When a read brings a bulk of bytes (kBulkReadBytes, or its whole buffer), the client streams
  // the body: woken at every segment it writes, the loop would sleep and wake (and the client
  // pay for waking it) once per 64 KB or less. So the kernel is asked to report the socket readable only once the
  // bytes this read wants are queued (SO_RCVLOWAT; a read still takes what is there). The mark
  // stays for the body's next reads, following what each wants; a client that stops short of it
  // (a pause, a chunked body's end) is read anyway after kBodyCoalesceMillis (coalesceExpired),
  // and the mark is dropped until a read brings a bulk again.
  if (work().bodyWaitSince == 0) work().bodyWaitSince = loop_->now();
  if (work().coalescing || (!work().bodyStreaming && work().receiveLowWater <= 1)) return;
  setReceiveLowWater(static_cast<uint32_t>(std::clamp<uint64_t>(wanted, 1, kMaxBodyLowWater)));
  if (work().receiveLowWater <= 1) return;
  work().coalescing = true;
  loop_->addCoalescing(this);
}

void Connection::coalesceExpired() {
  // The client sent less than the mark and waits (or pauses): take what it sent.
  stopCoalescing();
  work().bodyStreaming = false;  // until a read brings a bulk again
  setReceiveLowWater(1);
  readable_ = true;
  tryCompleteBodyRead();
}

void Connection::stopCoalescing() {
  if (!work_ || !work_->coalescing) return;
  work_->coalescing = false;
  loop_->removeCoalescing(this);
}

void Connection::endBodyCoalescing() {
  if (!work_) return;  // no work state: no mark was raised
  stopCoalescing();
  work().bodyStreaming = false;
  setReceiveLowWater(1);  // the next request's head (or a lingering close's drain) wakes at its first byte
}

void Connection::setReceiveLowWater(uint32_t bytes) {
  if (bytes == work().receiveLowWater || fd_ < 0) return;
  int value = static_cast<int>(bytes);
  // A failure leaves the mark where it was: reads are only woken more often than they could be.
  if (::setsockopt(fd_, SOL_SOCKET, SO_RCVLOWAT, &value, sizeof value) == 0) work().receiveLowWater = bytes;
}

void Connection::onBodyDone() {
  endBodyCoalescing();
  // The following bytes are the next request's: parse on (the caller's loop picks it up).
  if (state_ == State::kOpen && !work().parsing) processInput();
  else work().parseAgain = true;
}

void Connection::failRequestBody(int answer, int32_t readStatus) {
  // The owner's body cannot be read on: malformed chunked framing (400) or past
  // maxRequestBodyBytes (413), which HTTP.SYS answers itself and closes. The request ends here;
  // its handler sees the failed read and then kNoSuchRequest. Responses queued before it are
  // written first: the answer (or the reset) takes the request's own turn.
  int index = indexOf(work().owner);
  uint64_t id = work().owner;
  completeBodyRead(readStatus, 0);
  endBodyCoalescing();
  work().owner = 0;
  work().bodyDone = true;
  stopParsing_ = true;
  if (index < 0) {  // cannot happen: the owner is a live slot
    abort(kConnectionLost, true, true);
    return;
  }
  Slot& slot = slotAt(index);
  if (slot.responseStarted) {
    resetAfter(index);  // part of its response is out: only a reset says it is not whole
    return;
  }
  loop_->push(kRequestAborted, readStatus, slot.queue->token(), id, 0);
  forgetRequest(slot);
  slot.requestId = 0;
  slot.queue = nullptr;
  slot.sends.clear();
  buildEngineResponse(answer, false, true, slot.headBytes);
  slot.responseStarted = true;
  slot.finalQueued = true;
  slot.closeAfter = true;
  queueBytes(index, slot.headBytes.data(), slot.headBytes.size());
  promote();
  flushOutput();
}

void Connection::resetAfter(int index) {
  // Nothing more of this response is written; the connection is reset once the bytes queued
  // before this point (earlier responses included) are out.
  Slot& slot = slotAt(index);
  stopParsing_ = true;
  slot.finalQueued = true;
  slot.closeAfter = true;
  slot.resetAfter = true;
  promote();
  flushOutput();
}

void Connection::tryCompleteBodyRead() {
  if (!work().readPending || (state_ != State::kOpen && state_ != State::kOpaque)) return;
  if (state_ == State::kOpen && work().ownerChunked) readChunkedBody();
  else readPlainBody();
}

void Connection::readPlainBody() {
  // A Content-Length body or the opaque stream: what is buffered is copied, the rest is received
  // straight into the caller's buffer, as much as the socket has (one completion, one copy fewer).
  const bool opaque = state_ == State::kOpaque;
  if (!opaque && work().bodyDone) {
    completeBodyRead(kOk, 0);
    return;
  }
  const uint64_t want = opaque ? work().readCapacity : std::min<uint64_t>(work().bodyRemaining, work().readCapacity);
  size_t got = static_cast<size_t>(std::min<uint64_t>(work().end - work().begin, want));
  if (got > 0) {
    std::memcpy(work().readBuffer, work().in.data() + work().begin, got);
    work().begin += got;
  }
  while (got < want && readable_ && !peerEof_) {
    ssize_t n = ::recv(fd_, work().readBuffer + got, static_cast<size_t>(want - got), 0);
    if (n > 0) {
      if (static_cast<uint64_t>(n) < want - got) readable_ = false;
      got += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (got > 0) {
      if (n < 0 && errno == EAGAIN) readable_ = false;
      break;  // the bytes read go out now; an end or error shows on the next read
    }
    Fill result = readFailed(callResult(n));
    if (result == Fill::kAgain) break;
    if (result == Fill::kEof && opaque) break;  // reported below as a 0-byte read
    abort(kConnectionLost, true, false);  // the body ended early, or the socket failed
    return;
  }
  if (got == 0 && !(opaque && peerEof_)) {
    if (opaque) {
      if (work().bodyWaitSince == 0) work().bodyWaitSince = loop_->now();
    } else {
      awaitBodyBytes(want);
    }
    return;
  }
  bool done = false;
  if (!opaque) {
    work().bodyRemaining -= got;
    work().bodyTotal += got;
    done = work().bodyDone = work().bodyRemaining == 0;
  }
  completeBodyRead(kOk, got);
  if (done) onBodyDone();
}

void Connection::readChunkedBody() {
  // Decodes what is buffered into the caller's buffer and reads on until that buffer is full,
  // the body ends or the socket has nothing more: many chunks make one completion, as
  // HttpReceiveRequestEntityBody gives them. Chunk data not yet buffered is received straight
  // into the caller's buffer; only what follows it (framing, small chunks) passes through ours.
  if (work().bodyDone) {
    completeBodyRead(kOk, 0);
    return;
  }
  const uint32_t maxTrailer = loop_->limits().maxTrailerBytes;
  int index = indexOf(work().owner);
  const uint64_t maxBody = index < 0 ? 0 : slotAt(index).queue->maxRequestBodyBytes();
  size_t produced = 0;
  while (produced < work().readCapacity && !work().chunked.done()) {
    if (work().begin < work().end) {
      size_t consumed = 0, made = 0;
      ChunkedDecoder::Result result = work().chunked.decode(work().in.data() + work().begin, work().end - work().begin, work().readBuffer + produced,
                                                      work().readCapacity - produced, consumed, made, maxTrailer);
      work().begin += consumed;
      produced += made;
      work().bodyTotal += made;
      if (result == ChunkedDecoder::Result::kError) {
        failRequestBody(400, kMalformedBody);
        return;
      }
      if (maxBody != 0 && work().bodyTotal > maxBody) {
        failRequestBody(413, kInvalidArgument);
        return;
      }
      continue;  // the decoder took all it could: the output is full, the body ended, or it wants more
    }
    if (!readable_) break;
    Fill result = receiveChunked(produced);
    if (maxBody != 0 && work().bodyTotal > maxBody) {
      failRequestBody(413, kInvalidArgument);
      return;
    }
    if (result == Fill::kData) continue;
    if (result == Fill::kAgain) break;
    abort(kConnectionLost, true, result != Fill::kEof);  // the body ended early, or the socket failed
    return;
  }
  if (work().chunked.done()) work().bodyDone = true;
  if (produced == 0 && !work().bodyDone) {
    awaitBodyBytes(work().readCapacity);
    return;
  }
  completeBodyRead(kOk, produced);
  if (work().bodyDone) onBodyDone();
}

Connection::Fill Connection::receiveChunked(size_t& produced) {
  // Nothing is buffered. Inside a chunk, its data goes straight to the caller's buffer and what
  // follows it into ours, in one readv.
  size_t direct = static_cast<size_t>(std::min<uint64_t>(work().chunked.pendingDataBytes(), work().readCapacity - produced));
  size_t space = prepareReadSpace(kMaxBufferedBody);
  iovec parts[2] = {{work().readBuffer + produced, direct}, {work().in.data() + work().end, space}};
  for (;;) {
    ssize_t n = direct > 0 ? ::readv(fd_, parts, 2) : ::recv(fd_, parts[1].iov_base, space, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return readFailed(callResult(n));
    size_t read = static_cast<size_t>(n);
    if (read < direct + space) readable_ = false;
    size_t data = std::min(read, direct);
    work().chunked.tookData(data);
    produced += data;
    work().bodyTotal += data;
    work().end += read - data;
    return Fill::kData;
  }
}

}  // namespace hsys::posix
