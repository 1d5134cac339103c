#include "connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "hsys/chunk_framing.h"
#include "hsys/header_ids.h"
#include "listener_registry.h"
#include "posix_util.h"
#include "posix_loop.h"
#include "posix_queue.h"
#include "receive_buffers.h"

namespace hsys::posix {

namespace {

constexpr size_t kMinReadSpace = 4 * 1024;
constexpr size_t kMaxBufferedBody = 64 * 1024;  // read-ahead while decoding a chunked body
constexpr size_t kMaxLingerDrain = 1024 * 1024;
constexpr int kMaxHandOffHops = 4;
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

Connection::Connection(int fd, uint64_t id, PortRoutes* routes, const SocketAddressRecord& remote,
                       const SocketAddressRecord& local, bool counted)
    : Pollable(Kind::kConnection), fd_(fd), id_(id), routes_(routes), remote_(remote), local_(local),
      counted_(counted) {
  if (counted_) routes_->connections.fetch_add(1, std::memory_order_relaxed);
}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
  if (counted_) routes_->connections.fetch_sub(1, std::memory_order_relaxed);
}

void Connection::attach(PosixLoop* loop) {
  loop_ = loop;
  if (loop_ != nullptr && idleSince_ == 0) idleSince_ = loop_->now();
}

// ---- slots ----

int Connection::indexOf(uint64_t requestId) const {
  if (requestId == 0) return -1;
  for (int i = 0; i < count_; ++i) {
    if (slotAt(i).requestId == requestId) return i;
  }
  return -1;
}

PosixQueue* Connection::queueOf(uint64_t requestId) const {
  int index = indexOf(requestId);
  return index < 0 ? nullptr : slotAt(index).queue;
}

bool Connection::servesQueue(const PosixQueue* queue) const {
  for (int i = 0; i < count_; ++i) {
    if (slotAt(i).queue == queue) return true;
  }
  return false;
}

bool Connection::hasServed(uint64_t queueSerial) const {
  for (const RouteTarget& target : served_) {
    if (target.queueSerial == queueSerial) return true;
  }
  return false;
}

bool Connection::hasLiveRequest() const {
  for (int i = 0; i < count_; ++i) {
    if (slotAt(i).requestId != 0) return true;
  }
  return false;
}

bool Connection::canParse() const {
  return state_ == State::kOpen && !stopParsing_ && !handOffWaiting_ && !handOffRequested() &&
         count_ < kMaxPipeline && blockingId_ == 0 && (owner_ == 0 || bodyDone_);
}

void Connection::forgetRequest(const Slot& slot) {
  loop_->unregisterRequest(slot.requestId);
  if (!slot.delivered && slot.queue != nullptr) --slot.queue->waiting;
}

void Connection::resetSlot(Slot& slot) {
  slot.inlineBody = 0;
  slot.requestId = 0;
  slot.queue = nullptr;
  slot.delivered = false;
  slot.responseStarted = false;
  slot.finalQueued = false;
  slot.dropBody = false;
  slot.closeAfter = false;
  slot.resetAfter = false;
  slot.chunked = false;
  slot.declaredLength = -1;
  slot.bodySent = 0;
  slot.sends.clear();
  slot.staged.clear();  // head table, head string and staged keep their capacity
  slot.cached.reset();
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
    case State::kOpen: {
      // A FIN while a request is open: the client gave up (Netty's default, no half-closure).
      // Requests that arrive together with the FIN are still served.
      bool hadLive = hasLiveRequest();
      if (readPending_) tryCompleteBodyRead();
      if (state_ == State::kOpen) processInput();
      if (hadLive && state_ == State::kOpen && (events & EPOLLRDHUP) && hasLiveRequest()) {
        abort(kConnectionLost, true, false);
      }
      break;
    }
    case State::kOpaque:
      if (readPending_) tryCompleteBodyRead();  // end of stream is reported as a 0-byte read
      break;
    case State::kLingering:
      drainLingering();
      break;
    case State::kClosed:
      break;
  }
  if (state_ == State::kOpen || state_ == State::kOpaque) releaseIdleBuffer();
}

void Connection::resumeAfterHandOff() {
  readable_ = true;
  writable_ = true;
  handOffWaiting_ = false;
  if (headParsed_) routeRequest();
  processInput();
}

void Connection::refuseHandOff() {
  readable_ = true;
  writable_ = true;
  handOffWaiting_ = false;
  engineAnswer(503, false);
  processInput();
}

void Connection::refuse() {
  stopParsing_ = true;
  engineAnswer(503, true);
  flushOutput();
}

// ---- input ----

size_t Connection::retainFrom() const {
  for (int i = 0; i < count_; ++i) {
    const Slot& slot = slotAt(i);
    if (!slot.delivered && slot.requestId != 0) return std::min(slot.headStart, begin_);
  }
  return begin_;
}

void Connection::shiftBuffer(size_t by) {
  if (by == 0) return;
  if (end_ > by) std::memmove(in_.data(), in_.data() + by, end_ - by);
  begin_ -= by;
  end_ -= by;
  for (int i = 0; i < count_; ++i) {
    Slot& slot = slotAt(i);
    if (!slot.delivered && slot.requestId != 0) slot.headStart -= by;
  }
}

size_t Connection::prepareReadSpace(size_t maxBuffered) {
  if (in_.empty()) in_ = loop_->receiveBuffers().take();
  size_t unread = end_ - begin_;
  size_t keep = retainFrom();
  if (keep == end_ || (keep > 0 && in_.size() - end_ < kMinReadSpace)) shiftBuffer(keep);
  if (in_.size() - end_ < kMinReadSpace) {
    size_t grown = std::max(in_.size() * 2, ReceiveBuffers::kStandardSize);
    grown = std::max(std::min(grown, begin_ + maxBuffered + kMinReadSpace), end_ + kMinReadSpace);
    in_.resize(grown);
  }
  return std::min(in_.size() - end_, maxBuffered - unread + 1);
}

Connection::Fill Connection::fill(size_t maxBuffered) {
  if (!readable_) return Fill::kAgain;
  if (end_ - begin_ >= maxBuffered) return Fill::kFull;
  size_t space = prepareReadSpace(maxBuffered);
  for (;;) {
    ssize_t n = ::recv(fd_, in_.data() + end_, space, 0);
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      if (static_cast<size_t>(n) < space) readable_ = false;  // drained: the next byte brings an edge
      return Fill::kData;
    }
    if (n < 0 && errno == EINTR) continue;
    return readFailed(n);
  }
}

Connection::Fill Connection::readFailed(ssize_t n) {
  // n is 0 (end of stream) or -1 with errno set (not EINTR).
  if (n == 0) {
    peerEof_ = true;
    readable_ = false;
    return Fill::kEof;
  }
  if (errno == EAGAIN) {
    readable_ = false;
    return Fill::kAgain;
  }
  return Fill::kError;
}

void Connection::releaseIdleBuffer() {
  // Nothing unread and no undelivered head in it: the buffer goes back to the loop, so an idle
  // keep-alive connection holds none. Pipelined bytes keep it.
  if (in_.empty() || begin_ != end_ || headParsed_ || retainFrom() != end_) return;
  loop_->receiveBuffers().give(in_);
  begin_ = end_ = 0;
}

void Connection::processInput() {
  // Re-entered from output progress (a finished response frees a slot): the outer call loops.
  if (parsing_) {
    parseAgain_ = true;
    return;
  }
  parsing_ = true;
  do {
    parseAgain_ = false;
    parseRequests();
  } while (parseAgain_ && state_ == State::kOpen);
  parsing_ = false;
  if (state_ == State::kOpen && !output_.empty()) flushOutput();
  if (state_ == State::kOpen) releaseIdleBuffer();
}

void Connection::onInputEnded(Fill result) {
  stopParsing_ = true;
  if (result == Fill::kError) {
    abort(kConnectionLost, true, true);
    return;
  }
  if (count_ == 0) {
    closeSocket(false);  // idle (or a partial head) and the client is gone
    loop_->retire(this);
    return;
  }
  // Requests that came with the FIN are answered; the last response closes the connection.
  slotAt(count_ - 1).closeAfter = true;
}

void Connection::parseRequests() {
  const ParserLimits& limits = loop_->limits();
  while (canParse()) {
    if (headParsed_) {  // a routed-later head (hand-off refused, or resumed here)
      routeRequest();
      continue;
    }
    // RFC 9112 2.2: ignore empty lines before a request line.
    bool skipped = false;
    while (end_ - begin_ >= 2 && in_[begin_] == '\r' && in_[begin_ + 1] == '\n') {
      begin_ += 2;
      skipped = true;
    }
    if (skipped) parser_.reset();
    if (begin_ == end_) {
      headStarted_ = 0;
      if (peerEof_) {
        onInputEnded(Fill::kEof);
        return;
      }
      Fill result = fill(limits.maxHeadBytes + 1);
      if (result == Fill::kData) continue;
      if (result == Fill::kEof || result == Fill::kError) onInputEnded(result);
      return;
    }
    if (headStarted_ == 0) headStarted_ = loop_->now();
    int status = 0;
    Slot& slot = slotAt(count_);
    ParseResult parsed = parser_.parse(in_.data() + begin_, end_ - begin_, limits, slot.head, status);
    if (parsed == ParseResult::kIncomplete) {
      Fill result = fill(limits.maxHeadBytes + 1);
      if (result == Fill::kData) continue;
      if (result == Fill::kFull) {
        engineAnswer(431, true);
      } else if (result == Fill::kEof || result == Fill::kError) {
        onInputEnded(result);  // a partial head and the client is gone
      }
      return;
    }
    headStarted_ = 0;
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

const ConnectionLimits& Connection::currentLimits() {
  refreshRoutes();
  return routeTable_->limits();
}

void Connection::refreshRoutes() {
  uint64_t version = routes_->version();
  if (!routeTable_ || version != routeVersion_) {
    routeTable_ = routes_->snapshot();
    routeVersion_ = version;
  }
}

void Connection::routeRequest() {
  refreshRoutes();
  Slot& slot = slotAt(count_);
  const RequestHead& head = slot.head;
  const char* base = in_.data() + begin_;
  std::string_view host = head.absoluteForm ? head.authority.in(base) : head.host.in(base);
  if (!canonicalizeTarget(slot)) {
    engineAnswer(400, true);  // no canonical form: it could route one way here, another in the handler
    return;
  }
  const RouteTable::Route* route = routeTable_->find(host, canonicalPath_.decoded());
  if (route == nullptr) {
    engineAnswer(404, false);  // HTTP.SYS answers unmatched URLs itself
    return;
  }
  if (serveFromCache(route->target.queueSerial)) return;  // whichever loop owns the queue
  if (route->target.inbox.get() != loop_->inbox().get()) {
    if (count_ > 0) {
      handOffWaiting_ = true;  // a connection moves between requests only: wait for the ring to empty
      return;
    }
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

bool Connection::canonicalizeTarget(Slot& slot) {
  // The record carries the target with its path canonical beside the raw one (HTTP.SYS's cooked
  // URL), so what the handler sees as the URI routes where the engine routed the request.
  const char* base = in_.data() + begin_;
  return canonicalPath_.cookTarget(slot.head.target.in(base), slot.head.path.in(base), slot.cookedTarget);
}

void Connection::startRequest(PosixQueue* queue) {
  Slot& slot = slotAt(count_);
  const RequestHead& head = slot.head;
  uint64_t maxBody = queue->maxRequestBodyBytes();
  if (maxBody != 0 && head.contentLength > 0 && static_cast<uint64_t>(head.contentLength) > maxBody) {
    engineAnswer(413, true);
    return;
  }
  if (head.chunked) {
    int refusal = checkBufferedChunkedBody(head, maxBody);
    if (refusal != 0) {
      engineAnswer(refusal, true);  // the handler never sees a request the engine knows is bad
      return;
    }
  }
  if (queue->refusesConnection(id_)) {
    // The application closed this connection while it was on another loop: nothing more of it
    // reaches the queue. The request is dropped, as a closed socket drops it.
    headParsed_ = false;
    parser_.reset();
    stopParsing_ = true;
    if (count_ == 0) beginLingeringClose();
    else slotAt(count_ - 1).closeAfter = true;
    return;
  }
  if (queue->waiting >= queue->queueLength()) {
    // The queue is full of requests the application has not taken: HTTP.SYS with
    // HttpServer503VerbosityProperty answers 503 and drops the connection.
    engineAnswer(503, true);
    return;
  }
  headParsed_ = false;
  resetSlot(slot);
  slot.requestId = nextRequestId();
  slot.queue = queue;
  slot.headStart = begin_;
  ++queue->waiting;
  ++count_;
  uint64_t length = head.contentLength > 0 ? static_cast<uint64_t>(head.contentLength) : 0;
  size_t buffered = end_ - begin_ - head.headLength;
  if (!head.chunked && length <= buffered && length <= queue->receiveBufferSize()) {
    slot.inlineBody = length;  // the whole body goes into the record: parse on behind it
    begin_ += head.headLength + length;
  } else {
    owner_ = slot.requestId;
    ownerChunked_ = head.chunked;
    ownerExpectContinue_ = head.expectContinue;
    bodyRemaining_ = length;
    bodyTotal_ = 0;
    chunked_.reset();
    bodyDone_ = false;
    continueSent_ = false;
    begin_ += head.headLength;
  }
  if (!head.keepAlive) stopParsing_ = true;
  const char* base = in_.data() + slot.headStart;
  bool upgrade = head.method.in(base) == "CONNECT";
  for (const ParsedHeader& header : head.headers) upgrade = upgrade || header.knownId == kHeaderUpgrade;
  if (upgrade) blockingId_ = slot.requestId;  // what follows may not be HTTP at all
  if (!hasServed(queue->serial())) served_.push_back(RouteTarget{queue->serial(), loop_->inbox()});
  loop_->registerRequest(slot.requestId, this);
  loop_->push(kRequestReceived, kOk, queue->token(), slot.requestId, 0);
}

int Connection::checkBufferedChunkedBody(const RequestHead& head, uint64_t maxBody) const {
  // Decodes (and discards) what is already buffered with a decoder of its own; the bytes are
  // decoded again when they are read. 0: nothing wrong so far, else the answer.
  ChunkedDecoder probe;
  size_t start = begin_ + head.headLength;
  size_t consumed = 0, produced = 0;
  ChunkedDecoder::Result result = probe.decode(in_.data() + start, end_ - start, nullptr, 0, consumed, produced,
                                               loop_->limits().maxTrailerBytes);
  if (result == ChunkedDecoder::Result::kError) return 400;
  if (maxBody != 0 && produced > maxBody) return 413;
  return 0;
}

bool Connection::serveFromCache(uint64_t queueSerial) {
  Slot& slot = slotAt(count_);
  const RequestHead& head = slot.head;
  const char* base = in_.data() + begin_;
  slot.cacheable = false;
  std::string_view method = head.method.in(base);
  if ((method != "GET" && !head.isHeadMethod) || head.hasBody()) return false;
  for (const ParsedHeader& header : head.headers) {
    if (header.knownId == kRequestHeaderAuthorization || header.knownId == kRequestHeaderRange) return false;
  }
  std::string_view host = head.absoluteForm ? head.authority.in(base) : head.host.in(base);
  std::string_view target = slot.cookedTarget.empty() ? head.target.in(base) : std::string_view(slot.cookedTarget);
  OutputCache::makeKey(queueSerial, host, target, slot.cacheKey);
  slot.cacheable = !head.isHeadMethod;
  std::shared_ptr<const CachedResponse> entry = OutputCache::instance().find(slot.cacheKey, loop_->now());
  if (!entry) return false;
  // A hit: the engine answers in the request's turn, like its own answers; the queue never sees it.
  bool close = !head.keepAlive || peerEof_;
  bool headRequest = head.isHeadMethod;
  uint16_t minor = head.minor;
  size_t consumed = head.headLength;
  headParsed_ = false;
  parser_.reset();
  resetSlot(slot);
  begin_ += consumed;
  slot.cached = std::move(entry);
  slot.headBytes.assign("Date: ").append(httpDate()).append("\r\n");
  if (close) slot.headBytes.append("Connection: close\r\n");
  else if (minor == 0) slot.headBytes.append("Connection: keep-alive\r\n");
  slot.headBytes.append("\r\n");
  slot.finalQueued = true;
  slot.closeAfter = close;
  if (close) stopParsing_ = true;
  int index = count_++;
  queueBytes(index, slot.cached->head.data(), slot.cached->head.size());
  queueBytes(index, slot.headBytes.data(), slot.headBytes.size());
  if (!headRequest) queueBytes(index, slot.cached->body.data(), slot.cached->body.size());
  promote();
  return true;
}

void Connection::engineAnswer(int status, bool forceClose) {
  if (count_ >= kMaxPipeline) {  // cannot happen (parsing stops first); never overrun the ring
    abort(kConnectionLost, true, true);
    return;
  }
  Slot& slot = slotAt(count_);
  const RequestHead& head = slot.head;
  bool headRequest = headParsed_ && head.isHeadMethod;
  bool close = forceClose || !headParsed_ || !head.keepAlive || peerEof_;
  size_t consumed = 0;
  if (!close) {
    // Skip the answered request, body included when all of it is already here.
    consumed = head.headLength;
    if (head.chunked) {
      close = true;
    } else if (head.contentLength > 0) {
      if (end_ - begin_ - head.headLength >= static_cast<uint64_t>(head.contentLength)) {
        consumed += static_cast<size_t>(head.contentLength);
      } else {
        close = true;
      }
    }
  }
  headParsed_ = false;
  parser_.reset();
  resetSlot(slot);
  bool preface = status == 505 && isHttp2Preface();
  begin_ += close ? 0 : consumed;
  if (preface) buildHttp2Refusal(slot.headBytes);  // a client speaking HTTP/2 reads frames, not a 505
  else buildEngineResponse(status, headRequest, close, slot.headBytes);
  slot.finalQueued = true;
  slot.closeAfter = close;
  if (close) stopParsing_ = true;
  int index = count_++;
  queueBytes(index, slot.headBytes.data(), slot.headBytes.size());
  promote();
}

bool Connection::isHttp2Preface() const {
  static constexpr std::string_view kPrefaceLine = "PRI * HTTP/2.0\r\n";
  return end_ - begin_ >= kPrefaceLine.size() &&
         std::string_view(in_.data() + begin_, kPrefaceLine.size()) == kPrefaceLine;
}

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

size_t Connection::writeRequestRecord(uint64_t requestId, std::vector<uint8_t>& arena, std::vector<uint8_t>& scratch) {
  int index = indexOf(requestId);
  if (index < 0) return SIZE_MAX;
  Slot& slot = slotAt(index);
  if (slot.delivered) return SIZE_MAX;
  const RequestHead& head = slot.head;
  const char* base = in_.data() + slot.headStart;
  std::string_view firstBody;
  bool more = false;
  if (requestId != owner_) {
    firstBody = std::string_view(base + head.headLength, static_cast<size_t>(slot.inlineBody));
  } else {
    // The owner is the last slot and nothing consumed its body yet: it starts at begin_.
    size_t available = end_ - begin_;
    uint32_t limit = slot.queue->receiveBufferSize();
    size_t consumed = 0;
    if (ownerChunked_) {
      scratch.resize(limit);
      size_t produced = 0;
      // A malformed chunk stops here and resurfaces at the first receiveBody.
      chunked_.decode(in_.data() + begin_, available, scratch.data(), limit, consumed, produced,
                      loop_->limits().maxTrailerBytes);
      firstBody = std::string_view(reinterpret_cast<const char*>(scratch.data()), produced);
      if (chunked_.done()) bodyDone_ = true;
    } else {
      consumed = static_cast<size_t>(std::min<uint64_t>({available, bodyRemaining_, limit}));
      firstBody = std::string_view(in_.data() + begin_, consumed);
      bodyRemaining_ -= consumed;
      if (bodyRemaining_ == 0) bodyDone_ = true;
    }
    bodyTotal_ += firstBody.size();
    more = !bodyDone_;
    begin_ += consumed;  // firstBody still points at the bytes: nothing moves them before the copy
  }
  RequestRecordWriter writer(arena);
  writer.begin(requestId, id_, head.major, head.minor, more ? static_cast<uint32_t>(kRequestMoreBody) : 0u,
               remote_, local_, head.method.in(base), head.target.in(base), slot.cookedTarget);
  for (const ParsedHeader& header : head.headers) {
    if (header.knownId != kUnknownHeader) {
      writer.addKnownHeader(header.knownId, header.value.in(base));
    } else {
      writer.addHeader(header.name.in(base), header.value.in(base));
    }
  }
  writer.addBody(firstBody);
  size_t offset = writer.finish();
  slot.delivered = true;
  --slot.queue->waiting;  // the application has it: it no longer fills the queue
  if (requestId == owner_ && bodyDone_) onBodyDone();
  if (state_ == State::kOpen) releaseIdleBuffer();  // the head was the last thing it kept
  return offset;
}

// ---- request bodies ----

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
  readPending_ = false;
  bodyWaitSince_ = 0;
  loop_->push(kBodyReceived, status, readToken_, owner_, length);
}

void Connection::onBodyDone() {
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
    if (bodyWaitSince_ == 0) bodyWaitSince_ = loop_->now();
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
    if (bodyWaitSince_ == 0) bodyWaitSince_ = loop_->now();
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

// ---- responses ----

void Connection::queueBytes(int index, const void* data, uint64_t length) {
  if (length == 0) return;
  if (index == wire_) output_.append(OutputQueue::memory(data, length));
  else slotAt(index).staged.push_back(OutputQueue::memory(data, length));
}

void Connection::queueFile(int index, int fd, uint64_t offset, uint64_t length) {
  if (length == 0) return;
  if (index == wire_) output_.append(OutputQueue::file(fd, offset, length));
  else slotAt(index).staged.push_back(OutputQueue::file(fd, offset, length));
}

void Connection::promote() {
  // Slots before wire_ have queued their last bytes; the wire slot's staged bytes go next.
  while (wire_ < count_) {
    Slot& slot = slotAt(wire_);
    if (!slot.staged.empty()) {
      for (const OutputQueue::Segment& segment : slot.staged) output_.append(segment);
      slot.staged.clear();
    }
    for (PendingSend& pending : slot.sends) {
      if (pending.staged) {
        pending.staged = false;
        pending.endMark = output_.added();
      }
    }
    if (!slot.finalQueued || slot.closeAfter) {
      if (slot.finalQueued) ++wire_;  // nothing behind a closing response is ever written
      return;
    }
    ++wire_;
  }
}

int32_t Connection::send(uint64_t requestId, const ResponseView& view, uint64_t token) {
  int index = indexOf(requestId);
  if (index < 0 || (state_ != State::kOpen && state_ != State::kOpaque)) return kNoSuchRequest;
  Slot& slot = slotAt(index);
  if (slot.finalQueued) return kNoSuchRequest;  // its response is complete
  const bool hasHead = view.flags & kResponseHasHead;
  const bool opaqueStream = state_ == State::kOpaque;
  if (opaqueStream ? hasHead : hasHead == slot.responseStarted) return kInvalidArgument;  // head missing or repeated
  for (const DataChunk& chunk : view.chunks) {
    if (chunk.kind == kChunkFile && chunk.handleOrAddress > static_cast<uint64_t>(INT_MAX)) return kInvalidArgument;
    if (chunk.kind == kChunkMemory && chunk.handleOrAddress == 0 && chunk.length != 0) return kInvalidArgument;
  }
  const bool final = !(view.flags & kResponseMoreData);
  const bool becomesOpaque = !opaqueStream && (view.flags & kResponseOpaque);
  if (becomesOpaque && index != count_ - 1) return kInvalidArgument;  // requests behind it were parsed as HTTP
  const bool owner = requestId == owner_;
  if (hasHead) {
    bool bodyComplete = !owner || bodyDone_;
    if (owner && final && !becomesOpaque && !bodyDone_) bodyComplete = discardBufferedBody();
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
    if (!exceedsDeclaredLength(slot, view.totalChunkBytes()) && slot.cacheable && view.cacheTtlSeconds > 0 && final &&
        (decision.declaredLength < 0 || static_cast<uint64_t>(decision.declaredLength) == view.totalChunkBytes())) {
      OutputCache::instance().store(slot.cacheKey, view, loop_->now());
    }
  } else {
    if (view.flags & kResponseDisconnect) slot.closeAfter = true;
    if (owner && final && !opaqueStream && !becomesOpaque && !discardBufferedBody()) slot.closeAfter = true;
  }
  const bool writesBody = opaqueStream || becomesOpaque || !slot.dropBody;
  const uint64_t dataBytes = view.totalChunkBytes();
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
  if (hasHead) queueBytes(index, slot.headBytes.data(), slot.headBytes.size());
  slot.sends.emplace_back();
  PendingSend& pending = slot.sends.back();
  pending.token = token;
  pending.length = dataBytes;
  pending.opaque = becomesOpaque;
  if (writesBody) queueSendData(index, view, pending, final);
  pending.staged = index != wire_;
  pending.endMark = pending.staged ? 0 : output_.added();
  if (becomesOpaque) stopParsing_ = true;
  slot.finalQueued = opaqueStream ? (view.flags & kResponseDisconnect) != 0 : (final && !becomesOpaque);
  if (slot.closeAfter) stopParsing_ = true;
  if (index == wire_) promote();
  // More delivered requests still owe a response: their sends usually follow at once, so let
  // the loop write them all with one sendmsg before it polls again.
  if (wire_ < count_ && index != count_ - 1) {
    if (!flushDeferred_) {
      flushDeferred_ = true;
      loop_->deferFlush(this);
    }
    return kOk;
  }
  flushOutput();
  return kOk;
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

void Connection::flushDeferred() {
  flushDeferred_ = false;
  if (state_ == State::kOpen || state_ == State::kOpaque) flushOutput();
}

void Connection::flushOutput() {
  if (flushing_) {
    flushAgain_ = true;
    return;
  }
  flushing_ = true;
  do {
    flushAgain_ = false;
    if (state_ == State::kClosed || state_ == State::kLingering) break;
    if (!output_.empty() && writable_) {
      if (sendWindowStart_ == 0) {
        sendWindowStart_ = loop_->now();
        sendWindowBytes_ = output_.bytesWritten();
      }
      int code = 0;
      OutputQueue::Result result = output_.flush(fd_, code);
      if (result == OutputQueue::Result::kAgain) {
        writable_ = false;
      } else if (result == OutputQueue::Result::kError) {
        flushing_ = false;
        abort(kConnectionLost, true, false);
        return;
      }
    }
    if (output_.empty()) sendWindowStart_ = 0;
    onOutputProgress();
  } while (flushAgain_);
  flushing_ = false;
}

void Connection::completeSend(Slot& slot) {
  PendingSend done = std::move(slot.sends.front());
  slot.sends.pop_front();
  loop_->push(kSendCompleted, kOk, done.token, slot.requestId, done.length);
  if (done.opaque) {
    state_ = State::kOpaque;  // from now on raw bytes both ways
    owner_ = slot.requestId;
    if (readPending_) tryCompleteBodyRead();
  }
}

void Connection::onOutputProgress() {
  uint64_t written = output_.done();
  bool popped = false;
  while (count_ > 0 && (state_ == State::kOpen || state_ == State::kOpaque)) {
    Slot& front = slotAt(0);
    while (!front.sends.empty() && !front.sends.front().staged && front.sends.front().endMark <= written) {
      completeSend(front);
      if (state_ == State::kClosed) return;
    }
    if (!front.sends.empty()) break;  // written only in part
    if (!front.finalQueued || wire_ == 0) break;  // more of this response is to come
    if (front.closeAfter && !output_.empty()) break;  // closing now would drop bytes not yet written
    if (!popFront()) return;
    popped = true;
  }
  if (!popped || state_ != State::kOpen) return;
  if (count_ == 0) {
    idleSince_ = loop_->now();
    if (handOffWaiting_) {
      handOffWaiting_ = false;
      handOffHops_ = 0;
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
    if (readPending_ && owner_ == slot.requestId) completeBodyRead(kCancelled, 0);  // the response ended the request
    forgetRequest(slot);
    if (owner_ == slot.requestId) {
      if (!bodyDone_) close = true;  // its unread body stands between us and the next request
      owner_ = 0;
    }
    if (blockingId_ == slot.requestId) blockingId_ = 0;
  }
  resetSlot(slot);
  first_ = (first_ + 1) % kMaxPipeline;
  --count_;
  --wire_;
  if (close) {
    beginLingeringClose();
    return false;
  }
  return true;
}

// ---- timers ----

void Connection::onTick(int64_t now) {
  const ConnectionLimits& limits = currentLimits();
  if (state_ == State::kOpen) {
    if (count_ == 0 && !headParsed_) {
      if (headStarted_ != 0 && now - headStarted_ >= limits.headerWaitMillis) {
        engineAnswer(408, true);  // HTTP.SYS drops the connection; an answer says why
        if (state_ == State::kOpen) flushOutput();
        return;
      }
      if (headStarted_ == 0 && begin_ == end_ && now - idleSince_ >= limits.idleMillis) {
        closeSocket(false);
        loop_->retire(this);
        return;
      }
    }
    if (readPending_ && bodyWaitSince_ != 0 && now - bodyWaitSince_ >= limits.entityBodyMillis) {
      abort(kConnectionLost, true, true);
      return;
    }
  }
  if ((state_ == State::kOpen || state_ == State::kOpaque) && sendWindowStart_ != 0 && limits.minSendRate > 0) {
    // As HTTP.SYS: output may take as long as its size at the minimum rate (at least the
    // window); counted from when output started waiting, growing with every byte queued since.
    uint64_t owed = output_.bytesQueued() - sendWindowBytes_;
    int64_t allowed = std::max<int64_t>(limits.sendRateWindowMillis,
                                        static_cast<int64_t>(owed * 1000 / limits.minSendRate));
    if (now - sendWindowStart_ > allowed) {
      abort(kConnectionLost, true, true);
      return;
    }
  }
}

// ---- closing ----

void Connection::beginLingeringClose() {
  // Send our FIN, then read and drop what the client still sends until it closes too, so a
  // reset (close() with unread input) never destroys the response on its way to the client.
  // Requests parsed behind the closing response never get one: they are reported aborted.
  failSlots(kConnectionLost, true, nullptr, 0);
  reportClosed();
  state_ = State::kLingering;
  ::shutdown(fd_, SHUT_WR);
  begin_ = end_ = 0;
  loop_->receiveBuffers().give(in_);  // what is drained now is dropped: a small sink does
  lingerDeadline_ = loop_->now() + currentLimits().lingerMillis;
  loop_->addLingering(this);
  drainLingering();
}

void Connection::drainLingering() {
  char sink[4096];
  size_t drained = 0;
  for (;;) {
    ssize_t n = ::recv(fd_, sink, sizeof sink, 0);
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

void Connection::failSlots(int32_t status, bool reportAborted, const PosixQueue* causeQueue, uint64_t causeId) {
  for (int i = 0; i < count_; ++i) {
    Slot& slot = slotAt(i);
    if (slot.requestId == 0) continue;
    bool uniform = causeQueue == nullptr && causeId == 0;
    bool cause = uniform || slot.requestId == causeId || (causeQueue != nullptr && slot.queue == causeQueue);
    int32_t opStatus = cause ? (status == kOk ? kConnectionLost : status) : kConnectionLost;
    if (readPending_ && owner_ == slot.requestId) completeBodyRead(opStatus, 0);
    for (const PendingSend& pending : slot.sends) {
      loop_->push(kSendCompleted, opStatus, pending.token, slot.requestId, 0);
    }
    slot.sends.clear();
    // The request that caused the abort knows; the others on the connection learn it here.
    if ((cause ? reportAborted : true) && slot.delivered && slot.queue != nullptr) {
      loop_->push(kRequestAborted, kConnectionLost, slot.queue->token(), slot.requestId, 0);
    }
    forgetRequest(slot);
    resetSlot(slot);
  }
  if (readPending_) completeBodyRead(status == kOk ? kConnectionLost : status, 0);
  count_ = wire_ = first_ = 0;
  owner_ = 0;
  blockingId_ = 0;
  headParsed_ = false;
  stopParsing_ = true;
}

void Connection::abort(int32_t status, bool reportAborted, bool reset, const PosixQueue* causeQueue,
                       uint64_t causeId) {
  if (state_ == State::kClosed) return;
  if (state_ != State::kLingering) failSlots(status, reportAborted, causeQueue, causeId);
  closeSocket(reset);
  loop_->retire(this);
}

void Connection::closeSocket(bool reset) {
  if (fd_ < 0) return;
  reportClosed();
  if (reset) {
    linger option{1, 0};  // RST instead of FIN: the peer learns at once that the exchange failed
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &option, sizeof option);
  }
  ::epoll_ctl(loop_->epollFd(), EPOLL_CTL_DEL, fd_, nullptr);
  ::close(fd_);
  fd_ = -1;
  state_ = State::kClosed;
  output_.clear();
}

void Connection::reportClosed() {
  for (const RouteTarget& target : served_) {
    if (target.inbox.get() == loop_->inbox().get()) loop_->connectionClosed(target.queueSerial, id_);
    else target.inbox->post(ClosedNotice{target.queueSerial, id_});
  }
  served_.clear();
}

void Connection::closeForQueue(const PosixQueue* queue) {
  if (state_ == State::kOpaque) {
    // The upgraded stream ends after the bytes already queued (a FIN, as closing a socket does).
    if (readPending_) completeBodyRead(kCancelled, 0);
    if (count_ > 0) {
      Slot& slot = slotAt(0);
      slot.finalQueued = true;
      slot.closeAfter = true;
      promote();
      flushOutput();
    } else {
      beginLingeringClose();
    }
    return;
  }
  if (state_ != State::kOpen) return;
  stopParsing_ = true;
  headParsed_ = false;
  handOffWaiting_ = false;
  parser_.reset();
  int firstUnanswered = 0;
  while (firstUnanswered < count_ && slotAt(firstUnanswered).finalQueued) ++firstUnanswered;
  for (int i = firstUnanswered; i < count_; ++i) {
    if (slotAt(i).responseStarted) {
      // Part of a response is out: ending it early must not look like a complete answer.
      abort(kCancelled, true, true, queue);
      return;
    }
  }
  dropUnansweredFrom(firstUnanswered, queue);
  if (count_ == 0) {
    beginLingeringClose();
    return;
  }
  slotAt(count_ - 1).closeAfter = true;
  promote();
  flushOutput();
}

void Connection::dropUnansweredFrom(int index, const PosixQueue* closer) {
  for (int i = index; i < count_; ++i) {
    Slot& slot = slotAt(i);
    if (slot.requestId == 0) continue;
    if (readPending_ && owner_ == slot.requestId) completeBodyRead(kCancelled, 0);
    // Another queue's request on this connection will never be answered: tell it.
    if (slot.delivered && slot.queue != nullptr && slot.queue != closer) {
      loop_->push(kRequestAborted, kConnectionLost, slot.queue->token(), slot.requestId, 0);
    }
    forgetRequest(slot);  // undelivered ones are never delivered now
    if (owner_ == slot.requestId) owner_ = 0;
    if (blockingId_ == slot.requestId) blockingId_ = 0;
    resetSlot(slot);
  }
  count_ = index;
  wire_ = std::min(wire_, index);
}

}  // namespace hsys::posix
