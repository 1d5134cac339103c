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
#include "posix_queue.h"

namespace hsys::posix {

namespace {

constexpr size_t kMaxBufferedBody = 64 * 1024;  // read-ahead while decoding a chunked body
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

bool Connection::discardBufferedBody() {
  if (bodyDone_) return true;
  if (ownerChunked_) {
    size_t consumed = 0, produced = 0;
    ChunkedDecoder::Result result = chunked_.decode(in_.data() + begin_, end_ - begin_, nullptr, 0, consumed,
                                                    produced, loop_->limits().maxTrailerBytes);
    begin_ += consumed;
    if (result == ChunkedDecoder::Result::kError) return false;
    bodyDone_ = chunked_.done();
    return bodyDone_;
  }
  size_t take = static_cast<size_t>(std::min<uint64_t>(end_ - begin_, bodyRemaining_));
  begin_ += take;
  bodyRemaining_ -= take;
  bodyDone_ = bodyRemaining_ == 0;
  return bodyDone_;
}

int32_t Connection::receiveBody(uint64_t requestId, uint8_t* buffer, uint32_t capacity, uint64_t token) {
  int index = indexOf(requestId);
  if (index < 0 || (state_ != State::kOpen && state_ != State::kOpaque)) return kNoSuchRequest;
  if (state_ != State::kOpaque && requestId != owner_) {
    loop_->push(kBodyReceived, kOk, token, requestId, 0);  // its whole body was in the record
    return kOk;
  }
  if (readPending_) return kBusy;
  readPending_ = true;
  readBuffer_ = buffer;
  readCapacity_ = capacity;
  readToken_ = token;
  Slot& slot = slotAt(index);
  if (state_ == State::kOpen && ownerExpectContinue_ && !continueSent_ && !slot.responseStarted && !bodyDone_) {
    continueSent_ = true;  // the client waits for this before it sends the body
    queueBytes(index, kContinue, sizeof kContinue - 1);
    flushOutput();
    if (state_ == State::kClosed) return kOk;  // the pending read completed with the failure
  }
  tryCompleteBodyRead();
  return kOk;
}

void Connection::completeBodyRead(int32_t status, uint64_t length) {
  stopCoalescing();
  bodyStreaming_ = status == kOk && length >= std::min<uint64_t>(readCapacity_, kBulkReadBytes);
  readPending_ = false;
  bodyWaitSince_ = 0;
  loop_->push(kBodyReceived, status, readToken_, owner_, length);
}

void Connection::awaitBodyBytes(uint64_t wanted) {
  // When a read brings a bulk of bytes (kBulkReadBytes, or its whole buffer), the client streams
  // the body: woken at every segment it writes, the loop would sleep and wake (and the client
  // pay for waking it) once per 64 KB or less. So the kernel is asked to report the socket readable only once the
  // bytes this read wants are queued (SO_RCVLOWAT; a read still takes what is there). The mark
  // stays for the body's next reads, following what each wants; a client that stops short of it
  // (a pause, a chunked body's end) is read anyway after kBodyCoalesceMillis (coalesceExpired),
  // and the mark is dropped until a read brings a bulk again.
  if (bodyWaitSince_ == 0) bodyWaitSince_ = loop_->now();
  if (coalescing_ || (!bodyStreaming_ && receiveLowWater_ <= 1)) return;
  setReceiveLowWater(static_cast<uint32_t>(std::clamp<uint64_t>(wanted, 1, kMaxBodyLowWater)));
  if (receiveLowWater_ <= 1) return;
  coalescing_ = true;
  loop_->addCoalescing(this);
}

void Connection::coalesceExpired() {
  // The client sent less than the mark and waits (or pauses): take what it sent.
  stopCoalescing();
  bodyStreaming_ = false;  // until a read brings a bulk again
  setReceiveLowWater(1);
  readable_ = true;
  tryCompleteBodyRead();
}

void Connection::stopCoalescing() {
  if (!coalescing_) return;
  coalescing_ = false;
  loop_->removeCoalescing(this);
}

void Connection::endBodyCoalescing() {
  stopCoalescing();
  bodyStreaming_ = false;
  setReceiveLowWater(1);  // the next request's head (or a lingering close's drain) wakes at its first byte
}

void Connection::setReceiveLowWater(uint32_t bytes) {
  if (bytes == receiveLowWater_ || fd_ < 0) return;
  int value = static_cast<int>(bytes);
  // A failure leaves the mark where it was: reads are only woken more often than they could be.
  if (::setsockopt(fd_, SOL_SOCKET, SO_RCVLOWAT, &value, sizeof value) == 0) receiveLowWater_ = bytes;
}

void Connection::onBodyDone() {
  endBodyCoalescing();
  // The following bytes are the next request's: parse on (the caller's loop picks it up).
  if (state_ == State::kOpen && !parsing_) processInput();
  else parseAgain_ = true;
}

void Connection::failRequestBody(int answer, int32_t readStatus) {
  // The owner's body cannot be read on: malformed chunked framing (400) or past
  // maxRequestBodyBytes (413), which HTTP.SYS answers itself and closes. The request ends here;
  // its handler sees the failed read and then kNoSuchRequest. Responses queued before it are
  // written first: the answer (or the reset) takes the request's own turn.
  int index = indexOf(owner_);
  uint64_t id = owner_;
  completeBodyRead(readStatus, 0);
  endBodyCoalescing();
  owner_ = 0;
  bodyDone_ = true;
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
  if (!readPending_ || (state_ != State::kOpen && state_ != State::kOpaque)) return;
  if (state_ == State::kOpen && ownerChunked_) readChunkedBody();
  else readPlainBody();
}

void Connection::readPlainBody() {
  // A Content-Length body or the opaque stream: what is buffered is copied, the rest is received
  // straight into the caller's buffer, as much as the socket has (one completion, one copy fewer).
  const bool opaque = state_ == State::kOpaque;
  if (!opaque && bodyDone_) {
    completeBodyRead(kOk, 0);
    return;
  }
  const uint64_t want = opaque ? readCapacity_ : std::min<uint64_t>(bodyRemaining_, readCapacity_);
  size_t got = static_cast<size_t>(std::min<uint64_t>(end_ - begin_, want));
  if (got > 0) {
    std::memcpy(readBuffer_, in_.data() + begin_, got);
    begin_ += got;
  }
  while (got < want && readable_ && !peerEof_) {
    ssize_t n = ::recv(fd_, readBuffer_ + got, static_cast<size_t>(want - got), 0);
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
    Fill result = readFailed(n);
    if (result == Fill::kAgain) break;
    if (result == Fill::kEof && opaque) break;  // reported below as a 0-byte read
    abort(kConnectionLost, true, false);  // the body ended early, or the socket failed
    return;
  }
  if (got == 0 && !(opaque && peerEof_)) {
    if (opaque) {
      if (bodyWaitSince_ == 0) bodyWaitSince_ = loop_->now();
    } else {
      awaitBodyBytes(want);
    }
    return;
  }
  bool done = false;
  if (!opaque) {
    bodyRemaining_ -= got;
    bodyTotal_ += got;
    done = bodyDone_ = bodyRemaining_ == 0;
  }
  completeBodyRead(kOk, got);
  if (done) onBodyDone();
}

void Connection::readChunkedBody() {
  // Decodes what is buffered into the caller's buffer and reads on until that buffer is full,
  // the body ends or the socket has nothing more: many chunks make one completion, as
  // HttpReceiveRequestEntityBody gives them. Chunk data not yet buffered is received straight
  // into the caller's buffer; only what follows it (framing, small chunks) passes through ours.
  if (bodyDone_) {
    completeBodyRead(kOk, 0);
    return;
  }
  const uint32_t maxTrailer = loop_->limits().maxTrailerBytes;
  int index = indexOf(owner_);
  const uint64_t maxBody = index < 0 ? 0 : slotAt(index).queue->maxRequestBodyBytes();
  size_t produced = 0;
  while (produced < readCapacity_ && !chunked_.done()) {
    if (begin_ < end_) {
      size_t consumed = 0, made = 0;
      ChunkedDecoder::Result result = chunked_.decode(in_.data() + begin_, end_ - begin_, readBuffer_ + produced,
                                                      readCapacity_ - produced, consumed, made, maxTrailer);
      begin_ += consumed;
      produced += made;
      bodyTotal_ += made;
      if (result == ChunkedDecoder::Result::kError) {
        failRequestBody(400, kMalformedBody);
        return;
      }
      if (maxBody != 0 && bodyTotal_ > maxBody) {
        failRequestBody(413, kInvalidArgument);
        return;
      }
      continue;  // the decoder took all it could: the output is full, the body ended, or it wants more
    }
    if (!readable_) break;
    Fill result = receiveChunked(produced);
    if (maxBody != 0 && bodyTotal_ > maxBody) {
      failRequestBody(413, kInvalidArgument);
      return;
    }
    if (result == Fill::kData) continue;
    if (result == Fill::kAgain) break;
    abort(kConnectionLost, true, result != Fill::kEof);  // the body ended early, or the socket failed
    return;
  }
  if (chunked_.done()) bodyDone_ = true;
  if (produced == 0 && !bodyDone_) {
    awaitBodyBytes(readCapacity_);
    return;
  }
  completeBodyRead(kOk, produced);
  if (bodyDone_) onBodyDone();
}

Connection::Fill Connection::receiveChunked(size_t& produced) {
  // Nothing is buffered. Inside a chunk, its data goes straight to the caller's buffer and what
  // follows it into ours, in one readv.
  size_t direct = static_cast<size_t>(std::min<uint64_t>(chunked_.pendingDataBytes(), readCapacity_ - produced));
  size_t space = prepareReadSpace(kMaxBufferedBody);
  iovec parts[2] = {{readBuffer_ + produced, direct}, {in_.data() + end_, space}};
  for (;;) {
    ssize_t n = direct > 0 ? ::readv(fd_, parts, 2) : ::recv(fd_, parts[1].iov_base, space, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return readFailed(n);
    size_t read = static_cast<size_t>(n);
    if (read < direct + space) readable_ = false;
    size_t data = std::min(read, direct);
    chunked_.tookData(data);
    produced += data;
    bodyTotal_ += data;
    end_ += read - data;
    return Fill::kData;
  }
}

}  // namespace hsys::posix
