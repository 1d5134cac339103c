#include "connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "listener_registry.h"
#include "posix_loop.h"
#include "posix_queue.h"

namespace hsys::posix {

namespace {

constexpr size_t kInitialBuffer = 8 * 1024;
constexpr size_t kMinReadSpace = 4 * 1024;
constexpr size_t kMaxBufferedBody = 64 * 1024;  // read-ahead while decoding a chunked body
constexpr int64_t kLingerMillis = 2000;
constexpr size_t kMaxLingerDrain = 1024 * 1024;
constexpr int kMaxHandOffHops = 4;
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

Connection::Connection(int fd, uint64_t id, PortRoutes* routes, const SocketAddressRecord& remote,
                       const SocketAddressRecord& local)
    : Pollable(Kind::kConnection), fd_(fd), id_(id), routes_(routes), remote_(remote), local_(local) {}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

// ---- events ----

void Connection::onEvents(uint32_t events) {
  if (events & EPOLLIN) readable_ = true;
  if (events & EPOLLOUT) writable_ = true;
  if (events & (EPOLLERR | EPOLLHUP)) {
    if (state_ == State::kLingering) {
      closeSocket(false);
      loop_->retire(this);
    } else {
      abort(kConnectionLost, true, false);
    }
    return;
  }
  if ((events & EPOLLOUT) && !output_.empty()) {
    flushOutput();
    if (state_ == State::kClosed) return;
  }
  switch (state_) {
    case State::kIdle:
      processInput();
      break;
    case State::kRequest:
      if (readPending_) tryCompleteBodyRead();
      // A FIN while the request is open: the client gave up (Netty's default, no half-closure).
      if (state_ == State::kRequest && (events & EPOLLRDHUP)) abort(kConnectionLost, true, false);
      break;
    case State::kOpaque:
      if (readPending_) tryCompleteBodyRead();  // end of stream is reported as a 0-byte read
      break;
    case State::kLingering:
      drainLingering();
      break;
    case State::kClosed:
      break;
  }
}

void Connection::resumeAfterHandOff() {
  readable_ = true;
  writable_ = true;
  if (headParsed_) {
    routeRequest();
    if (state_ == State::kIdle && !handOffRequested()) processInput();
  } else {
    processInput();
  }
}

void Connection::refuseHandOff() {
  readable_ = true;
  writable_ = true;
  engineAnswer(503, false);
  if (state_ == State::kIdle) processInput();
}

// ---- input ----

Connection::Fill Connection::fill(size_t maxBuffered) {
  if (!readable_) return Fill::kAgain;
  size_t unread = end_ - begin_;
  if (unread >= maxBuffered) return Fill::kFull;
  if (unread == 0) {
    begin_ = end_ = 0;
  } else if (begin_ > 0 && in_.size() - end_ < kMinReadSpace) {
    std::memmove(in_.data(), in_.data() + begin_, unread);  // spans are relative to begin_
    begin_ = 0;
    end_ = unread;
  }
  if (in_.size() - end_ < kMinReadSpace) {
    size_t grown = std::max(in_.size() * 2, kInitialBuffer);
    grown = std::max(std::min(grown, maxBuffered + kMinReadSpace), end_ + kMinReadSpace);
    in_.resize(grown);
  }
  size_t space = std::min(in_.size() - end_, maxBuffered - unread + 1);
  for (;;) {
    ssize_t n = ::recv(fd_, in_.data() + end_, space, 0);
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      if (static_cast<size_t>(n) < space) readable_ = false;  // drained: the next byte brings an edge
      return Fill::kData;
    }
    if (n == 0) {
      peerEof_ = true;
      readable_ = false;
      return Fill::kEof;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      readable_ = false;
      return Fill::kAgain;
    }
    return Fill::kError;
  }
}

void Connection::processInput() {
  const ParserLimits& limits = loop_->limits();
  while (state_ == State::kIdle && !handOffRequested() && output_.empty()) {
    // RFC 9112 2.2: ignore empty lines before a request line.
    bool skipped = false;
    while (end_ - begin_ >= 2 && in_[begin_] == '\r' && in_[begin_ + 1] == '\n') {
      begin_ += 2;
      skipped = true;
    }
    if (skipped) parser_.reset();
    if (begin_ == end_) {
      Fill result = fill(limits.maxHeadBytes + 1);
      if (result == Fill::kData) continue;
      if (result == Fill::kEof || result == Fill::kError) {
        closeSocket(result == Fill::kError);
        loop_->retire(this);
      }
      return;
    }
    int status = 0;
    ParseResult parsed = parser_.parse(in_.data() + begin_, end_ - begin_, limits, head_, status);
    if (parsed == ParseResult::kIncomplete) {
      Fill result = fill(limits.maxHeadBytes + 1);
      if (result == Fill::kData) continue;
      if (result == Fill::kFull) {
        engineAnswer(431, true);
      } else if (result == Fill::kEof || result == Fill::kError) {
        closeSocket(result == Fill::kError);  // a partial head and the client is gone
        loop_->retire(this);
      }
      return;
    }
    if (parsed == ParseResult::kError) {
      headParsed_ = false;
      engineAnswer(status, true);
      return;
    }
    headParsed_ = true;
    handOffHops_ = 0;
    routeRequest();
  }
}

void Connection::routeRequest() {
  uint64_t version = routes_->version();
  if (!routeTable_ || version != routeVersion_) {
    routeTable_ = routes_->snapshot();
    routeVersion_ = version;
  }
  const char* base = in_.data() + begin_;
  std::string_view host = head_.absoluteForm ? head_.authority.in(base) : head_.host.in(base);
  const RouteTable::Route* route = routeTable_->find(host, head_.path.in(base));
  if (route == nullptr) {
    engineAnswer(404, false);  // HTTP.SYS answers unmatched URLs itself
    return;
  }
  if (route->target.inbox.get() != loop_->inbox().get()) {
    if (++handOffHops_ > kMaxHandOffHops) {
      engineAnswer(503, false);
      return;
    }
    handOff_ = route->target;  // the loop moves us once this call returns (PosixLoop::settle)
    return;
  }
  PosixQueue* queue = loop_->findQueue(route->target.queueSerial);
  if (queue == nullptr || !queue->accepting()) {
    engineAnswer(503, false);
    return;
  }
  startRequest(queue);
}

void Connection::startRequest(PosixQueue* queue) {
  uint64_t maxBody = queue->maxRequestBodyBytes();
  if (maxBody != 0 && head_.contentLength > 0 && static_cast<uint64_t>(head_.contentLength) > maxBody) {
    engineAnswer(413, true);
    return;
  }
  if (queue->outstanding >= queue->queueLength()) {
    engineAnswer(503, false);  // HTTP.SYS with HttpServer503VerbosityProperty does the same
    return;
  }
  requestId_ = nextRequestId();
  queue_ = queue;
  ++queue->outstanding;
  state_ = State::kRequest;
  delivered_ = false;
  bodyRemaining_ = head_.contentLength > 0 ? static_cast<uint64_t>(head_.contentLength) : 0;
  bodyTotal_ = 0;
  chunked_.reset();
  bodyDone_ = !head_.hasBody();
  continueSent_ = false;
  responseStarted_ = false;
  dropBody_ = false;
  closeAfterResponse_ = false;
  loop_->registerRequest(requestId_, this);
  loop_->push(kRequestReceived, kOk, queue->token(), requestId_, 0);
}

void Connection::engineAnswer(int status, bool forceClose) {
  bool headRequest = headParsed_ && head_.isHeadMethod;
  bool close = forceClose || !headParsed_ || !head_.keepAlive || peerEof_;
  if (!close) {
    // Skip the answered request, body included when all of it is already here.
    size_t consumed = head_.headLength;
    if (head_.chunked) {
      close = true;
    } else if (head_.contentLength > 0) {
      if (end_ - begin_ - head_.headLength >= static_cast<uint64_t>(head_.contentLength)) {
        consumed += static_cast<size_t>(head_.contentLength);
      } else {
        close = true;
      }
    }
    if (!close) begin_ += consumed;
  }
  headParsed_ = false;
  parser_.reset();
  buildEngineResponse(status, headRequest, close, engineBytes_);
  output_.addMemory(engineBytes_.data(), engineBytes_.size());
  engineAnswerPending_ = true;
  closeAfterEngineAnswer_ = close;
  flushOutput();
}

bool Connection::discardBufferedBody() {
  if (bodyDone_) return true;
  if (head_.chunked) {
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

size_t Connection::writeRequestRecord(std::vector<uint8_t>& arena, std::vector<uint8_t>& scratch) {
  const char* base = in_.data() + begin_;
  size_t bodyStart = begin_ + head_.headLength;
  size_t available = end_ - bodyStart;
  uint32_t limit = queue_->receiveBufferSize();
  std::string_view firstBody;
  size_t consumed = 0;
  if (head_.chunked) {
    scratch.resize(limit);
    size_t produced = 0;
    // A malformed chunk stops here and resurfaces at the first receiveBody.
    chunked_.decode(in_.data() + bodyStart, available, scratch.data(), limit, consumed, produced,
                    loop_->limits().maxTrailerBytes);
    firstBody = std::string_view(reinterpret_cast<const char*>(scratch.data()), produced);
    if (chunked_.done()) bodyDone_ = true;
  } else if (bodyRemaining_ > 0) {
    consumed = static_cast<size_t>(std::min<uint64_t>({available, bodyRemaining_, limit}));
    firstBody = std::string_view(in_.data() + bodyStart, consumed);
    bodyRemaining_ -= consumed;
    if (bodyRemaining_ == 0) bodyDone_ = true;
  }
  bodyTotal_ += firstBody.size();
  RequestRecordWriter writer(arena);
  writer.begin(requestId_, id_, head_.major, head_.minor, bodyDone_ ? 0u : static_cast<uint32_t>(kRequestMoreBody),
               remote_, local_, head_.method.in(base), head_.target.in(base));
  for (const ParsedHeader& header : head_.headers) {
    if (header.knownId != kUnknownHeader) {
      writer.addKnownHeader(header.knownId, header.value.in(base));
    } else {
      writer.addHeader(header.name.in(base), header.value.in(base));
    }
  }
  writer.addBody(firstBody);
  size_t offset = writer.finish();
  begin_ = bodyStart + consumed;  // the head is in the record now; begin_ is the next body byte
  headParsed_ = false;
  delivered_ = true;
  return offset;
}

// ---- request bodies ----

int32_t Connection::receiveBody(uint8_t* buffer, uint32_t capacity, uint64_t token) {
  if (state_ != State::kRequest && state_ != State::kOpaque) return kNoSuchRequest;
  if (readPending_) return kBusy;
  readPending_ = true;
  readBuffer_ = buffer;
  readCapacity_ = capacity;
  readToken_ = token;
  if (state_ == State::kRequest && head_.expectContinue && !continueSent_ && !responseStarted_ && !bodyDone_) {
    continueSent_ = true;  // the client waits for this before it sends the body
    output_.addMemory(kContinue, sizeof kContinue - 1);
    flushOutput();
    if (state_ == State::kClosed) return kOk;  // the pending read completed with the failure
  }
  tryCompleteBodyRead();
  return kOk;
}

void Connection::completeBodyRead(int32_t status, uint64_t length) {
  readPending_ = false;
  loop_->push(kBodyReceived, status, readToken_, requestId_, length);
}

void Connection::tryCompleteBodyRead() {
  while (readPending_ && (state_ == State::kRequest || state_ == State::kOpaque)) {
    if (state_ == State::kOpaque || !head_.chunked) {
      const bool opaque = state_ == State::kOpaque;
      if (!opaque && bodyDone_) {
        completeBodyRead(kOk, 0);
        return;
      }
      uint64_t want = opaque ? readCapacity_ : std::min<uint64_t>(bodyRemaining_, readCapacity_);
      size_t available = end_ - begin_;
      if (available > 0) {
        size_t take = static_cast<size_t>(std::min<uint64_t>(available, want));
        std::memcpy(readBuffer_, in_.data() + begin_, take);
        begin_ += take;
        if (!opaque) {
          bodyRemaining_ -= take;
          bodyTotal_ += take;
          if (bodyRemaining_ == 0) bodyDone_ = true;
        }
        completeBodyRead(kOk, take);
        return;
      }
      if (opaque && peerEof_) {
        completeBodyRead(kOk, 0);
        return;
      }
      if (!readable_) return;
      // Nothing buffered: read straight into the caller's buffer (one copy fewer).
      ssize_t n = ::recv(fd_, readBuffer_, static_cast<size_t>(want), 0);
      if (n > 0) {
        if (static_cast<uint64_t>(n) < want) readable_ = false;
        if (!opaque) {
          bodyRemaining_ -= static_cast<uint64_t>(n);
          bodyTotal_ += static_cast<uint64_t>(n);
          if (bodyRemaining_ == 0) bodyDone_ = true;
        }
        completeBodyRead(kOk, static_cast<uint64_t>(n));
        return;
      }
      if (n == 0) {
        peerEof_ = true;
        readable_ = false;
        if (opaque) {
          completeBodyRead(kOk, 0);
        } else {
          abort(kConnectionLost, true, false);  // the body ended early
        }
        return;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        readable_ = false;
        return;
      }
      abort(kConnectionLost, true, false);
      return;
    }

    // Chunked: decode what is buffered, read more when that is not enough.
    if (bodyDone_) {
      completeBodyRead(kOk, 0);
      return;
    }
    size_t consumed = 0, produced = 0;
    ChunkedDecoder::Result result = chunked_.decode(in_.data() + begin_, end_ - begin_, readBuffer_, readCapacity_,
                                                    consumed, produced, loop_->limits().maxTrailerBytes);
    begin_ += consumed;
    bodyTotal_ += produced;
    uint64_t maxBody = queue_->maxRequestBodyBytes();
    if (result == ChunkedDecoder::Result::kError || (maxBody != 0 && bodyTotal_ > maxBody)) {
      completeBodyRead(kInvalidArgument, 0);
      abort(kConnectionLost, true, true);
      return;
    }
    if (chunked_.done()) bodyDone_ = true;
    if (produced > 0 || bodyDone_) {
      completeBodyRead(kOk, produced);
      return;
    }
    Fill filled = fill(kMaxBufferedBody);
    if (filled == Fill::kData) continue;
    if (filled == Fill::kAgain) return;
    abort(kConnectionLost, true, filled != Fill::kEof);  // kFull: a chunk-size line that never ends
    return;
  }
}

// ---- responses ----

int32_t Connection::send(const ResponseView& view, uint64_t token) {
  if (state_ != State::kRequest && state_ != State::kOpaque) return kNoSuchRequest;
  if (sendPending_) return kBusy;
  const bool hasHead = view.flags & kResponseHasHead;
  const bool opaqueStream = state_ == State::kOpaque;
  if (opaqueStream ? hasHead : hasHead == responseStarted_) return kInvalidArgument;  // head missing or repeated
  for (const DataChunk& chunk : view.chunks) {
    if (chunk.kind == kChunkFile && chunk.handleOrAddress > static_cast<uint64_t>(INT_MAX)) return kInvalidArgument;
    if (chunk.kind == kChunkMemory && chunk.handleOrAddress == 0 && chunk.length != 0) return kInvalidArgument;
  }
  const bool final = !(view.flags & kResponseMoreData);
  const bool becomesOpaque = !opaqueStream && (view.flags & kResponseOpaque);
  if (hasHead) {
    bool bodyComplete = bodyDone_;
    if (final && !becomesOpaque && !bodyDone_) bodyComplete = discardBufferedBody();
    ResponseContext context;
    context.headRequest = head_.isHeadMethod;
    context.httpMinor = head_.minor;
    context.requestKeepAlive = head_.keepAlive;
    context.engineMustClose = peerEof_ || (final && !becomesOpaque && !bodyComplete);
    ResponseDecision decision;
    if (buildResponseHead(view, context, headBytes_, decision) != nullptr) return kInvalidArgument;
    responseStarted_ = true;
    dropBody_ = decision.dropBody;
    closeAfterResponse_ = decision.close;
    output_.addMemory(headBytes_.data(), headBytes_.size());
  } else {
    if (view.flags & kResponseDisconnect) closeAfterResponse_ = true;
    if (final && !opaqueStream && !becomesOpaque && !discardBufferedBody()) closeAfterResponse_ = true;
  }
  if (opaqueStream || becomesOpaque || !dropBody_) {
    for (const DataChunk& chunk : view.chunks) {
      if (chunk.kind == kChunkFile) {
        output_.addFile(static_cast<int>(chunk.handleOrAddress), chunk.offset, chunk.length);
      } else {
        output_.addMemory(reinterpret_cast<const void*>(static_cast<uintptr_t>(chunk.handleOrAddress)), chunk.length);
      }
    }
  }
  sendPending_ = true;
  sendToken_ = token;
  sendLength_ = view.totalChunkBytes();
  sendOpaque_ = becomesOpaque;
  sendFinal_ = opaqueStream ? (view.flags & kResponseDisconnect) != 0 : (final && !becomesOpaque);
  flushOutput();
  return kOk;
}

void Connection::flushOutput() {
  if (state_ == State::kClosed) return;
  if (!output_.empty()) {
    if (!writable_) return;  // EPOLLOUT brings us back
    int code = 0;
    OutputQueue::Result result = output_.flush(fd_, code);
    if (result == OutputQueue::Result::kAgain) {
      writable_ = false;
      return;
    }
    if (result == OutputQueue::Result::kError) {
      abort(kConnectionLost, true, false);
      return;
    }
  }
  onOutputDrained();
}

void Connection::onOutputDrained() {
  if (engineAnswerPending_) {
    engineAnswerPending_ = false;
    if (closeAfterEngineAnswer_) beginLingeringClose();
    // else processInput's loop (our caller, directly or through engineAnswer) carries on
    return;
  }
  if (!sendPending_) return;  // e.g. a 100 Continue went out
  sendPending_ = false;
  loop_->push(kSendCompleted, kOk, sendToken_, requestId_, sendLength_);
  if (sendOpaque_) {
    sendOpaque_ = false;
    state_ = State::kOpaque;  // from now on raw bytes both ways
    if (readPending_) tryCompleteBodyRead();
    return;
  }
  if (sendFinal_) finishRequest();
}

void Connection::finishRequest() {
  if (readPending_) completeBodyRead(kCancelled, 0);  // the response ended the request
  loop_->unregisterRequest(requestId_);
  if (queue_ != nullptr && queue_->outstanding > 0) --queue_->outstanding;
  requestId_ = 0;
  queue_ = nullptr;
  delivered_ = false;
  headParsed_ = false;
  parser_.reset();
  if (closeAfterResponse_ || state_ == State::kOpaque) {
    beginLingeringClose();
    return;
  }
  state_ = State::kIdle;
  processInput();  // pipelined requests wait in the buffer
}

// ---- closing ----

void Connection::beginLingeringClose() {
  // Send our FIN, then read and drop what the client still sends until it closes too, so a
  // reset (close() with unread input) never destroys the response on its way to the client.
  state_ = State::kLingering;
  ::shutdown(fd_, SHUT_WR);
  begin_ = end_ = 0;
  lingerDeadline_ = monotonicMillis() + kLingerMillis;
  loop_->addLingering(this);
  drainLingering();
}

void Connection::drainLingering() {
  char sink[4096];
  char* buffer = in_.empty() ? sink : in_.data();
  size_t size = in_.empty() ? sizeof sink : in_.size();
  size_t drained = 0;
  for (;;) {
    ssize_t n = ::recv(fd_, buffer, size, 0);
    if (n > 0) {
      drained += static_cast<size_t>(n);
      if (drained > kMaxLingerDrain) break;  // it keeps sending: give up politely
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;  // wait for the client's FIN (or the deadline)
    break;  // EOF or error: done
  }
  closeSocket(false);
  loop_->retire(this);
}

void Connection::lingerExpired() {
  closeSocket(true);
  loop_->retire(this);
}

void Connection::abort(int32_t status, bool reportAborted, bool reset) {
  if (state_ == State::kClosed) return;
  if (requestId_ != 0) {
    int32_t opStatus = status == kOk ? kConnectionLost : status;
    if (readPending_) completeBodyRead(opStatus, 0);
    if (sendPending_) {
      sendPending_ = false;
      loop_->push(kSendCompleted, opStatus, sendToken_, requestId_, 0);
    }
    if (reportAborted && delivered_ && queue_ != nullptr) {
      loop_->push(kRequestAborted, kConnectionLost, queue_->token(), requestId_, 0);
    }
    loop_->unregisterRequest(requestId_);
    if (queue_ != nullptr && queue_->outstanding > 0) --queue_->outstanding;
    requestId_ = 0;
    queue_ = nullptr;
  }
  closeSocket(reset);
  loop_->retire(this);
}

void Connection::closeSocket(bool reset) {
  if (fd_ < 0) return;
  if (reset) {
    linger option{1, 0};  // RST instead of FIN: the peer learns at once that the exchange failed
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &option, sizeof option);
  }
  ::epoll_ctl(loop_->epollFd(), EPOLL_CTL_DEL, fd_, nullptr);
  ::close(fd_);
  fd_ = -1;
  state_ = State::kClosed;
  output_.clear();
  engineAnswerPending_ = false;
}

}  // namespace hsys::posix
