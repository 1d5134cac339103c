// Connection, request intake: reading into the receive buffer, parsing heads (pipelined ones
// too), routing each to its queue (or to another loop, or answering it from the output cache or
// with an engine answer), and writing a delivered request's record.
#include "connection.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "hsys/header_ids.h"
#include "listener_registry.h"
#include "posix_util.h"
#include "posix_loop.h"
#include "syscall_batch.h"
#include "posix_queue.h"
#include "receive_buffers.h"

namespace hsys::posix {

namespace {

constexpr size_t kMinReadSpace = 4 * 1024;
constexpr int kMaxHandOffHops = 4;

}  // namespace

void Connection::onBytesArrived(bool peerHalfClosed) {
  // A FIN while a request is open: the client gave up (Netty's default, no half-closure).
  // Requests that arrive together with the FIN are still served.
  bool hadLive = hasLiveRequest();
  if (work().readPending) tryCompleteBodyRead();
  if (state_ == State::kOpen) processInput();
  if (hadLive && state_ == State::kOpen && peerHalfClosed && hasLiveRequest()) {
    abort(kConnectionLost, true, false);
  }
}

size_t Connection::retainFrom() const {
  for (int i = 0; i < work().count; ++i) {
    const Slot& slot = slotAt(i);
    if (awaitsDelivery(slot)) return std::min(slot.headStart, work().begin);
  }
  return work().begin;
}

bool Connection::undeliveredAfter(int index) const {
  for (int i = index + 1; i < work().count; ++i) {
    if (awaitsDelivery(slotAt(i))) return true;
  }
  return false;
}

void Connection::shiftBuffer(size_t by) {
  if (by == 0) return;
  if (work().end > by) std::memmove(work().in.data(), work().in.data() + by, work().end - by);
  work().begin -= by;
  work().end -= by;
  for (int i = 0; i < work().count; ++i) {
    Slot& slot = slotAt(i);
    if (awaitsDelivery(slot)) slot.headStart -= by;
  }
}

size_t Connection::prepareReadSpace(size_t maxBuffered) {
  if (work().in.empty()) work().in = loop_->receiveBuffers().take();
  size_t unread = work().end - work().begin;
  size_t keep = retainFrom();
  if (keep == work().end || (keep > 0 && work().in.size() - work().end < kMinReadSpace)) shiftBuffer(keep);
  if (work().in.size() - work().end < kMinReadSpace) {
    size_t grown = std::max(work().in.size() * 2, ReceiveBuffers::kStandardSize);
    grown = std::max(std::min(grown, work().begin + maxBuffered + kMinReadSpace), work().end + kMinReadSpace);
    work().in.resize(grown);
  }
  return std::min(work().in.size() - work().end, maxBuffered - unread + 1);
}

Connection::Fill Connection::fill(size_t maxBuffered) {
  if (work().readErrno != 0) {
    int code = work().readErrno;
    work().readErrno = 0;
    return readFailed(-code);
  }
  if (!readable_) return Fill::kAgain;
  if (work().end - work().begin >= maxBuffered) return Fill::kFull;
  size_t space = prepareReadSpace(maxBuffered);
  for (;;) {
    ssize_t n = ::recv(fd_, work().in.data() + work().end, space, 0);
    if (n < 0 && errno == EINTR) continue;
    return takeReceived(callResult(n), space);
  }
}

Connection::Fill Connection::takeReceived(ssize_t result, size_t space) {
  if (result <= 0) return readFailed(result);
  work().end += static_cast<size_t>(result);
  if (static_cast<size_t>(result) < space) readable_ = false;  // drained: the next byte brings an edge
  return Fill::kData;
}

bool Connection::addHeadReceive(SyscallBatch& batch, size_t& space) {
  // Exactly when processing this EPOLLIN starts with fill() in parseRequests: nothing unparsed,
  // a head may be parsed next, and the read goes into the read buffer.
  if (state_ != State::kOpen || work().readPending || peerEof_ || work().headParsed || work().begin != work().end || !canParse()) return false;
  space = prepareReadSpace(loop_->limits().maxHeadBytes + 1);
  batch.addReceive(fd_, work().in.data() + work().end, space);
  return true;
}

void Connection::applyHeadReceive(ssize_t result, size_t space) {
  readable_ = true;  // the edge this receive answered
  if (result == -EINTR) return;  // fill() reads again
  // An error is the connection's end, which only handling the event may decide: fill() tells it.
  if (takeReceived(result, space) == Fill::kError) work().readErrno = static_cast<int>(-result);
}

Connection::Fill Connection::readFailed(ssize_t result) {
  // result is 0 (end of stream) or -errno (not EINTR).
  if (result == 0) {
    peerEof_ = true;
    readable_ = false;
    return Fill::kEof;
  }
  if (result == -EAGAIN) {
    readable_ = false;
    return Fill::kAgain;
  }
  return Fill::kError;
}

void Connection::releaseIdleBuffer() {
  // Nothing unread and no undelivered head in it: the buffer goes back to the loop, so an idle
  // keep-alive connection holds none. Pipelined bytes keep it.
  if (work().in.empty() || work().begin != work().end || work().headParsed || retainFrom() != work().end) return;
  loop_->receiveBuffers().give(work().in);
  work().begin = work().end = 0;
}

void Connection::processInput() {
  // Re-entered from output progress (a finished response frees a slot): the outer call loops.
  if (work().parsing) {
    work().parseAgain = true;
    return;
  }
  work().parsing = true;
  do {
    work().parseAgain = false;
    parseRequests();
  } while (work().parseAgain && state_ == State::kOpen);
  work().parsing = false;
  if (state_ == State::kOpen && !work().output.empty()) deferFlush();
  if (state_ == State::kOpen) {
    releaseIdleBuffer();
    releaseIdleSlots();
  }
}

void Connection::onInputEnded(Fill result) {
  stopParsing_ = true;
  if (result == Fill::kError) {
    abort(kConnectionLost, true, true);
    return;
  }
  if (work().count == 0) {
    closeSocket(false);  // idle (or a partial head) and the client is gone
    loop_->retire(this);
    return;
  }
  // Requests that came with the FIN are answered; the last response closes the connection.
  slotAt(work().count - 1).closeAfter = true;
}

void Connection::parseRequests() {
  const ParserLimits& limits = loop_->limits();
  while (canParse()) {
    if (work().headParsed) {  // a routed-later head (hand-off refused, or resumed here)
      routeRequest();
      continue;
    }
    // RFC 9112 2.2: ignore empty lines before a request line.
    bool skipped = false;
    while (work().end - work().begin >= 2 && work().in[work().begin] == '\r' && work().in[work().begin + 1] == '\n') {
      work().begin += 2;
      skipped = true;
    }
    if (skipped) work().parser.reset();
    if (work().begin == work().end) {
      work().headStarted = 0;
      if (peerEof_) {
        onInputEnded(Fill::kEof);
        return;
      }
      Fill result = fill(limits.maxHeadBytes + 1);
      if (result == Fill::kData) continue;
      if (result == Fill::kEof || result == Fill::kError) onInputEnded(result);
      return;
    }
    if (work().headStarted == 0) work().headStarted = loop_->now();
    int status = 0;
    Slot& slot = slotAt(work().count);
    ParseResult parsed = work().parser.parse(work().in.data() + work().begin, work().end - work().begin, limits, slot.head, status);
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
    work().headStarted = 0;
    if (parsed == ParseResult::kError) {
      work().headParsed = false;
      engineAnswer(status, true);
      return;
    }
    work().headParsed = true;
    work().handOffHops = 0;
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
  Slot& slot = slotAt(work().count);
  const RequestHead& head = slot.head;
  const char* base = work().in.data() + work().begin;
  std::string_view host = head.absoluteForm ? head.authority.in(base) : head.host.in(base);
  if (!canonicalizeTarget(slot)) {
    engineAnswer(400, true);  // no canonical form: it could route one way here, another in the handler
    return;
  }
  const RouteTable::Route* route = routeTable_->find(host, loop_->canonicalPath().decoded());
  if (route == nullptr) {
    engineAnswer(404, false);  // HTTP.SYS answers unmatched URLs itself
    return;
  }
  if (serveFromCache(route->target.queueSerial)) return;  // whichever loop owns the queue
  if (route->target.inbox.get() != loop_->inbox().get()) {
    if (work().count > 0) {
      work().handOffWaiting = true;  // a connection moves between requests only: wait for the ring to empty
      return;
    }
    if (++work().handOffHops > kMaxHandOffHops) {
      engineAnswer(503, false);
      return;
    }
    work().handOff = route->target;  // the loop moves us once this call returns (PosixLoop::settle)
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
  const char* base = work().in.data() + work().begin;
  return loop_->canonicalPath().cookTarget(slot.head.target.in(base), slot.head.path.in(base), slot.cookedTarget);
}

void Connection::startRequest(PosixQueue* queue) {
  Slot& slot = slotAt(work().count);
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
    work().headParsed = false;
    work().parser.reset();
    stopParsing_ = true;
    if (work().count == 0) beginLingeringClose();
    else slotAt(work().count - 1).closeAfter = true;
    return;
  }
  if (queue->waiting >= queue->queueLength()) {
    // The queue is full of requests the application has not taken: HTTP.SYS with
    // HttpServer503VerbosityProperty answers 503 and drops the connection.
    engineAnswer(503, true);
    return;
  }
  work().headParsed = false;
  slot.reset();
  slot.requestId = nextRequestId();
  slot.queue = queue;
  slot.headStart = work().begin;
  ++queue->waiting;
  ++work().count;
  uint64_t length = head.contentLength > 0 ? static_cast<uint64_t>(head.contentLength) : 0;
  size_t buffered = work().end - work().begin - head.headLength;
  if (!head.chunked && length <= buffered && length <= queue->receiveBufferSize()) {
    slot.inlineBody = length;  // the whole body goes into the record: parse on behind it
    work().begin += head.headLength + length;
  } else {
    work().owner = slot.requestId;
    work().ownerChunked = head.chunked;
    work().ownerExpectContinue = head.expectContinue;
    work().bodyRemaining = length;
    work().bodyTotal = 0;
    work().chunked.reset();
    work().bodyDone = false;
    work().continueSent = false;
    work().begin += head.headLength;
  }
  if (!head.keepAlive) stopParsing_ = true;
  const char* base = work().in.data() + slot.headStart;
  bool upgrade = head.method.in(base) == "CONNECT";
  for (const ParsedHeader& header : head.headers) upgrade = upgrade || header.knownId == kHeaderUpgrade;
  if (upgrade) work().blockingId = slot.requestId;  // what follows may not be HTTP at all
  addServed(*queue);
  loop_->registerRequest(slot.requestId, this);
  loop_->push(kRequestReceived, kOk, queue->token(), slot.requestId, 0);
}

int Connection::checkBufferedChunkedBody(const RequestHead& head, uint64_t maxBody) const {
  // Decodes (and discards) what is already buffered with a decoder of its own; the bytes are
  // decoded again when they are read. 0: nothing wrong so far, else the answer.
  ChunkedDecoder probe;
  size_t start = work().begin + head.headLength;
  size_t consumed = 0, produced = 0;
  ChunkedDecoder::Result result = probe.decode(work().in.data() + start, work().end - start, nullptr, 0, consumed, produced,
                                               loop_->limits().maxTrailerBytes);
  if (result == ChunkedDecoder::Result::kError) return 400;
  if (maxBody != 0 && produced > maxBody) return 413;
  return 0;
}

bool Connection::serveFromCache(uint64_t queueSerial) {
  Slot& slot = slotAt(work().count);
  const RequestHead& head = slot.head;
  const char* base = work().in.data() + work().begin;
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
  work().headParsed = false;
  work().parser.reset();
  slot.reset();
  work().begin += consumed;
  slot.cached = std::move(entry);
  // The whole head (and a small body) in one segment: one iovec per response in the sendmsg,
  // as for the application's responses; the copy costs less than the kernel's per-iovec work.
  slot.headBytes.assign(slot.cached->head).append("Date: ").append(httpDate()).append("\r\n");
  if (close) slot.headBytes.append("Connection: close\r\n");
  else if (minor == 0) slot.headBytes.append("Connection: keep-alive\r\n");
  slot.headBytes.append("\r\n");
  const std::string& body = slot.cached->body;
  const bool bodyInHead = !headRequest && body.size() <= kBodyInHeadBytes;  // as onSendAccepted
  if (bodyInHead) slot.headBytes.append(body);
  slot.finalQueued = true;
  slot.closeAfter = close;
  if (close) stopParsing_ = true;
  int index = work().count++;
  queueBytes(index, slot.headBytes.data(), slot.headBytes.size());
  if (!headRequest && !bodyInHead) queueBytes(index, body.data(), body.size());
  promote();
  return true;
}

void Connection::engineAnswer(int status, bool forceClose) {
  if (work().count >= kMaxPipeline) {  // cannot happen (parsing stops first); never overrun the ring
    abort(kConnectionLost, true, true);
    return;
  }
  Slot& slot = slotAt(work().count);
  const RequestHead& head = slot.head;
  bool headRequest = work().headParsed && head.isHeadMethod;
  bool close = forceClose || !work().headParsed || !head.keepAlive || peerEof_;
  size_t consumed = 0;
  if (!close) {
    // Skip the answered request, body included when all of it is already here.
    consumed = head.headLength;
    if (head.chunked) {
      close = true;
    } else if (head.contentLength > 0) {
      if (work().end - work().begin - head.headLength >= static_cast<uint64_t>(head.contentLength)) {
        consumed += static_cast<size_t>(head.contentLength);
      } else {
        close = true;
      }
    }
  }
  work().headParsed = false;
  work().parser.reset();
  slot.reset();
  bool preface = status == 505 && isHttp2Preface();
  work().begin += close ? 0 : consumed;
  if (preface) buildHttp2Refusal(slot.headBytes);  // a client speaking HTTP/2 reads frames, not a 505
  else buildEngineResponse(status, headRequest, close, slot.headBytes);
  slot.finalQueued = true;
  slot.closeAfter = close;
  if (close) stopParsing_ = true;
  int index = work().count++;
  queueBytes(index, slot.headBytes.data(), slot.headBytes.size());
  promote();
}

bool Connection::isHttp2Preface() const {
  static constexpr std::string_view kPrefaceLine = "PRI * HTTP/2.0\r\n";
  return work().end - work().begin >= kPrefaceLine.size() &&
         std::string_view(work().in.data() + work().begin, kPrefaceLine.size()) == kPrefaceLine;
}

size_t Connection::writeRequestRecord(uint64_t requestId, std::vector<uint8_t>& arena, std::vector<uint8_t>& scratch) {
  int index = indexOf(requestId);
  if (index < 0) return SIZE_MAX;
  Slot& slot = slotAt(index);
  if (slot.delivered) return SIZE_MAX;
  const RequestHead& head = slot.head;
  const char* base = work().in.data() + slot.headStart;
  std::string_view firstBody;
  bool more = false;
  if (requestId != work().owner) {
    firstBody = std::string_view(base + head.headLength, static_cast<size_t>(slot.inlineBody));
  } else {
    // The owner is the last slot and nothing consumed its body yet: it starts at work().begin.
    size_t available = work().end - work().begin;
    uint32_t limit = slot.queue->receiveBufferSize();
    size_t consumed = 0;
    if (work().ownerChunked) {
      scratch.resize(limit);
      size_t produced = 0;
      // A malformed chunk stops here and resurfaces at the first receiveBody.
      work().chunked.decode(work().in.data() + work().begin, available, scratch.data(), limit, consumed, produced,
                      loop_->limits().maxTrailerBytes);
      firstBody = std::string_view(reinterpret_cast<const char*>(scratch.data()), produced);
      if (work().chunked.done()) work().bodyDone = true;
    } else {
      consumed = static_cast<size_t>(std::min<uint64_t>({available, work().bodyRemaining, limit}));
      firstBody = std::string_view(work().in.data() + work().begin, consumed);
      work().bodyRemaining -= consumed;
      if (work().bodyRemaining == 0) work().bodyDone = true;
    }
    work().bodyTotal += firstBody.size();
    more = !work().bodyDone;
    work().begin += consumed;  // firstBody still points at the bytes: nothing moves them before the copy
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
  if (requestId == work().owner && work().bodyDone) onBodyDone();
  // The head may have been the last thing the buffer kept, unless a request behind it still
  // waits (records go out in request order: the next slot nearly always answers it, where
  // releaseIdleBuffer's retainFrom would scan the ring from the front at every record).
  if (state_ == State::kOpen && !undeliveredAfter(index)) releaseIdleBuffer();
  return offset;
}

}  // namespace hsys::posix
