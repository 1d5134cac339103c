// One accepted TCP connection and its HTTP/1.1 state machine:
//
//   kOpen ──101 + kResponseOpaque written──> kOpaque (raw bytes both ways)
//     └──close decided / parse error, last response written──> kLingering (FIN sent, input drained) ─> kClosed
//
// Pipelining: while a connection is open the engine parses every complete request already in
// the read buffer (up to kMaxPipeline in flight) and hands each out as its own kRequestReceived,
// so a batch of pipelined requests costs one poll. Requests live in a ring of slots in request
// order; responses leave strictly in that order: a send for a slot whose predecessors have not
// queued their last bytes is staged (pointers only, no copy) and promoted to the wire queue when
// its turn comes. A batch of ready responses goes out in one sendmsg. Parsing stops behind a
// request whose body is not all buffered (its body owns the following bytes), behind an Upgrade
// or CONNECT, and behind a request that ends the connection.
//
// An idle keep-alive connection is its small core alone (184 bytes: socket, id, addresses,
// routes, flags, the keep-alive clock, the queues it served). Everything a request in flight needs
// (the read buffer's bookkeeping, the parser, the ring, the body owner, a pending body read, the
// output queue, a hand-off, the mid-request timers) is its ConnectionWork (connection_work.h),
// taken from the loop's pool on first need and given back once the connection is idle again
// (PosixLoop::settle). Within it, the read buffer is taken from the loop's pool
// (receive_buffers.h) when bytes are to be read and given back when nothing in it is needed any
// more (no unread bytes, no undelivered head); request slots likewise come from the loop's pool
// (request_slots.h) and go back when the connection is idle; a pooled slot's head table and
// response-head string keep their capacity for the next request. A request record is written
// straight from the buffer into the loop's arena when its completion is delivered, so
// undelivered heads stay in the buffer.
//
// One class, defined by job: connection.cpp (lifecycle, events, timers, the ring's bookkeeping,
// closing), request_intake.cpp (read, parse, route, request records), body_reader.cpp (body reads,
// chunked decoding into the caller's buffer), response_sender.cpp (sends, framing, staging, output
// progress). The HTTP/1.1 part is reached through ProtocolSession (protocol_session.h), where an
// HTTP/2 session could later sit beside it.
//
// The socket is registered edge-triggered once (EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET) and never
// modified: readable_/writable_ remember the last edge, so no epoll_ctl per request.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

#include "hsys/engine.h"
#include "hsys/records.h"
#include "connection_work.h"
#include "http_parser.h"
#include "pollable.h"
#include "protocol_session.h"
#include "request_slots.h"
#include "response_writer.h"
#include "url_prefix.h"

namespace hsys::posix {

class PosixLoop;
class PosixQueue;
class PortRoutes;
class SyscallBatch;

// Connection is the transport side and, through ProtocolSession, today's HTTP/1.1 session.
class Connection : public Pollable, private ProtocolSession {
  friend class ConnectionSet;

 public:
  enum class State : uint8_t { kOpen, kOpaque, kLingering, kClosed };
  static constexpr int kMaxPipeline = ConnectionWork::kMaxPipeline;

  // counted: the connection takes part in the port's maxConnections count.
  Connection(int fd, uint64_t id, PortRoutes* routes, const SocketAddressRecord& remote,
             const SocketAddressRecord& local, bool counted = true);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  uint64_t id() const { return id_; }
  State state() const { return state_; }
  PortRoutes* routes() const { return routes_; }
  // The queue a live request of this connection belongs to, or null.
  PosixQueue* queueOf(uint64_t requestId) const;
  bool servesQueue(const PosixQueue* queue) const;
  // The queue with this serial was handed at least one request of this connection.
  bool hasServed(uint64_t queueSerial) const;
  // Bytes of the read buffer it holds (0 when idle with nothing buffered).
  size_t receiveBufferBytes() const { return work_ ? work_->in.capacity() : 0; }
  // Request slots it holds (0 when idle).
  size_t requestSlotsHeld() const;
  // It holds output segment storage (lent with its slots; false when idle).
  bool holdsOutputStorage() const { return work_ && work_->output.hasStorage(); }
  // It holds work state (connection_work.h; false when idle).
  bool holdsWork() const { return work_ != nullptr; }
  // Closed and about to be freed: its slots and work go back to the loop's pools.
  void giveBackSlots();
  // Gives the work state back to the loop's pool when the connection is idle (PosixLoop::settle,
  // after each call into the connection has returned).
  void releaseIdleWork();

  // Loop side.
  void attach(PosixLoop* loop);
  void onEvents(uint32_t events);
  // After arriving from another loop's inbox: route the parsed request again, here.
  void resumeAfterHandOff();
  bool handOffRequested() const { return work_ && work_->handOff.inbox != nullptr; }
  RouteTarget takeHandOff() {
    flushDeferred_ = false;  // the new loop keeps its own list
    return std::move(work_->handOff);
  }
  // The loop could not hand the connection over: answer 503 here.
  void refuseHandOff();
  // Over maxConnections: answer 503 and close.
  void refuse();
  // Writes the request record of requestId into arena when its completion is delivered;
  // returns SIZE_MAX when the request is gone or was delivered already.
  size_t writeRequestRecord(uint64_t requestId, std::vector<uint8_t>& arena, std::vector<uint8_t>& scratch);
  // Writes responses the loop deferred to batch them (see send).
  void flushDeferred();
  // The loop's batched system calls (syscall_batch.h). A receive: on an EPOLLIN that leads to
  // reading a request head into the read buffer, addHeadReceive queues that read (true) and
  // applyHeadReceive takes its result, as fill() would have; onEvents then runs without EPOLLIN.
  bool addHeadReceive(SyscallBatch& batch, size_t& space);
  void applyHeadReceive(ssize_t result, size_t space);
  // A deferred flush: gatherDeferredOutput appends the iovecs of the memory run at the front of
  // the output and returns its bytes (0: nothing to batch, flushDeferred() does it);
  // finishDeferredFlush takes the sendmsg result and writes the rest as flushDeferred() would.
  uint64_t gatherDeferredOutput(std::vector<iovec>& iov);
  void finishDeferredFlush(ssize_t result);
  // Periodic check (about once a second): timeouts and the minimum send rate.
  void onTick(int64_t now);
  // Lingering close ran out of time.
  void lingerExpired();
  int64_t lingerDeadline() const { return work_ ? work_->lingerDeadline : 0; }
  // A body read waiting with a raised receive low-water mark (awaitBodyBytes) gives up on it at
  // this time and takes what the socket has.
  int64_t coalesceDeadline() const { return work().bodyWaitSince + kBodyCoalesceMillis; }
  void coalesceExpired();
  // How long a body read waits for a whole buffer's worth before it takes less: the time a bulk
  // body's client may pause (or end a chunked body) before the bytes it sent are handed over.
  static constexpr int64_t kBodyCoalesceMillis = 2;
  // A response body up to this size is copied behind its head: one output segment, not two.
  static constexpr uint64_t kBodyInHeadBytes = 512;
  // The largest receive low-water mark a body read asks for (one wake-up per this many bytes).
  static constexpr uint32_t kMaxBodyLowWater = 256 * 1024;
  // A body read that brings this much (or fills its buffer) shows a client streaming its body.
  static constexpr uint64_t kBulkReadBytes = 64 * 1024;

  // Queue side.
  int32_t send(uint64_t requestId, const ResponseView& view, uint64_t token);
  int32_t receiveBody(uint64_t requestId, uint8_t* buffer, uint32_t capacity, uint64_t token);
  // The application behind queue closed the connection (Queue::closeConnection): responses
  // already queued are written, then the connection closes; unanswered requests are dropped.
  void closeForQueue(const PosixQueue* queue);
  // Ends the connection at once. Requests of causeQueue (or causeId) see status on their pending
  // operations and no kRequestAborted; other delivered requests are reported aborted when
  // reportAborted. reset sends RST instead of FIN.
  void abort(int32_t status, bool reportAborted, bool reset, const PosixQueue* causeQueue = nullptr,
             uint64_t causeId = 0);

 private:
  enum class Fill { kData, kAgain, kEof, kError, kFull };

  using Slot = RequestSlot;

  // Slots come from the loop's pool on first use and go back when the connection is idle
  // (releaseIdleSlots): a connection that never pipelines holds at most one.
  Slot& slotAt(int index) {
    ConnectionWork& w = work();
    std::unique_ptr<Slot>& slot = w.ring[ringIndex(w, index)];
    if (__builtin_expect(!slot, 0)) slot = takeSlot();
    return *slot;
  }
  std::unique_ptr<Slot> takeSlot();
  // Only for index < count_ (allocated).
  const Slot& slotAt(int index) const { return *work_->ring[ringIndex(*work_, index)]; }
  static size_t ringIndex(const ConnectionWork& w, int index) {
    static_assert((kMaxPipeline & (kMaxPipeline - 1)) == 0, "the ring wraps with a mask");
    return static_cast<size_t>(w.first + index) & (kMaxPipeline - 1);
  }
  // The work state, taken from the loop's pool when the connection holds none.
  ConnectionWork& work() {
    if (!work_) work_ = takeWork();
    return *work_;
  }
  // Read-only: an idle connection's is the default (nothing in flight).
  const ConnectionWork& work() const { return work_ ? *work_ : idleWork(); }
  std::unique_ptr<ConnectionWork> takeWork();
  static const ConnectionWork& idleWork();
  int indexOf(uint64_t requestId) const;
  bool hasLiveRequest() const;
  bool canParse() const;

  void refreshRoutes();
  const ConnectionLimits& currentLimits();

  // Input.
  // Makes room in the read buffer (taken from the loop's pool when the connection holds none)
  // and returns how many bytes the next receive may bring.
  size_t prepareReadSpace(size_t maxBuffered);
  Fill fill(size_t maxBuffered);
  // What a receive of up to space bytes into the read buffer brought (result: bytes, or -errno,
  // not -EINTR), taken into the buffer and the edge state.
  Fill takeReceived(ssize_t result, size_t space);
  // What a receive that brought nothing means (result: 0, or -errno, not -EINTR).
  Fill readFailed(ssize_t result);
  // Gives the read buffer back to the loop when it holds nothing the connection still needs.
  void releaseIdleBuffer();
  // Gives the slots back to the loop when no request, parsed head or queued output needs them.
  void releaseIdleSlots();
  void giveSlots();
  // A request whose head (in the read buffer) the application has not been handed yet.
  static bool awaitsDelivery(const Slot& slot) { return !slot.delivered && slot.requestId != 0; }
  bool undeliveredAfter(int index) const;
  size_t retainFrom() const;
  void shiftBuffer(size_t by);
  void processInput();
  // ProtocolSession, HTTP/1.1.
  void onBytesArrived(bool peerHalfClosed) final;
  int32_t onSendAccepted(uint64_t requestId, const ResponseView& view, uint64_t token) final;
  void onOutputProgressed() final;
  void parseRequests();
  void onInputEnded(Fill result);
  void routeRequest();
  // Canonicalizes the parse slot's path (the loop's canonicalPath(), slot.cookedTarget); false: 400.
  bool canonicalizeTarget(Slot& slot);
  void startRequest(PosixQueue* queue);
  void engineAnswer(int status, bool forceClose);
  bool serveFromCache(uint64_t queueSerial);
  bool discardBufferedBody();
  // Body reads (the body owner or the opaque stream).
  void tryCompleteBodyRead();
  void readPlainBody();
  void readChunkedBody();
  // One receive while decoding a chunked body, nothing buffered; advances produced by the chunk
  // data received straight into the caller's buffer.
  Fill receiveChunked(size_t& produced);
  void completeBodyRead(int32_t status, uint64_t length);
  // The pending body read found no bytes and waits for up to wanted more (see body_reader.cpp).
  void awaitBodyBytes(uint64_t wanted);
  // SO_RCVLOWAT: epoll reports the socket readable once this many bytes are queued (1: any).
  void setReceiveLowWater(uint32_t bytes);
  void stopCoalescing();
  // No body is being read any more: the socket is reported readable for any byte again.
  void endBodyCoalescing();
  void onBodyDone();
  // The owner's body failed (answer 400 or 413): its read fails with readStatus, the engine
  // answers in its turn and closes, or resets when its response had started.
  void failRequestBody(int answer, int32_t readStatus);
  // Ends the response of slot index where it stands: reset the connection after what is queued.
  void resetAfter(int index);
  // A chunked body's buffered bytes, checked before its head is delivered: 0, 400 or 413.
  int checkBufferedChunkedBody(const RequestHead& head, uint64_t maxBody) const;
  // Output.
  void queueBytes(int index, const void* data, uint64_t length);
  void queueFile(int index, int fd, uint64_t offset, uint64_t length);
  // Queues a send's data chunks, framed as one HTTP chunk when the response is chunked.
  void queueSendData(int index, const ResponseView& view, PendingSend& pending, bool last);
  bool exceedsDeclaredLength(const Slot& slot, uint64_t dataBytes) const;
  void promote();
  void flushOutput();
  // Leaves the flush to the loop, which makes the sends of a step with one system call.
  void deferFlush();
  void startSendWindow();
  void completeSend(Slot& slot);
  bool popFront();
  // The request leaves the engine: no operation finds it any more, and one never delivered
  // stops counting against its queue's length.
  void forgetRequest(const Slot& slot);
  void failSlots(int32_t status, bool reportAborted, const PosixQueue* causeQueue, uint64_t causeId);
  // Writes queued output without waiting or completing sends (before an abort).
  void writeAcceptedOutput();
  void beginLingeringClose();
  void drainLingering();
  void closeSocket(bool reset);
  // Tells every queue this connection served that it has ended (kConnectionClosed), once.
  void reportClosed();
  bool isHttp2Preface() const;
  void addServed(const PosixQueue& queue);
  void dropUnansweredFrom(int index, const PosixQueue* closer);

  // The idle core: what a connection keeps between requests, packed (184 bytes on 64-bit).
  int fd_;
  State state_ = State::kOpen;
  bool readable_ = true;       // no EAGAIN/short read since the last EPOLLIN edge
  bool writable_ = true;       // no EAGAIN since the last EPOLLOUT edge (OutputQueue::takeWritten)
  bool peerEof_ = false;       // read returned 0 (opaque streams report it as end of data)
  bool stopParsing_ = false;   // no request may follow (close, error, opaque)
  bool flushDeferred_ = false;  // on the loop's list of responses to write before the next wait
  bool counted_;
  uint32_t setIndex_ = 0;  // its place in the loop's ConnectionSet
  uint64_t id_;
  ProtocolSession* session_ = this;  // the protocol spoken (HTTP/1.1: this connection)
  PosixLoop* loop_ = nullptr;
  PortRoutes* routes_;
  std::shared_ptr<const RouteTable> routeTable_;
  uint64_t routeVersion_ = 0;
  SocketAddressRecord remote_, local_;
  int64_t idleSince_ = 0;  // ring empty since (keep-alive idle / header wait)
  // What only a working connection needs (connection_work.h): null while idle.
  std::unique_ptr<ConnectionWork> work_;
  // The queues that were handed requests of this connection: each is told when it ends, through
  // its loop's inbox when that is another loop. Usually one, kept inline (no allocation); the
  // others, if any, in moreServed_.
  RouteTarget served_;  // inbox null: none yet
  std::unique_ptr<std::vector<RouteTarget>> moreServed_;
};

}  // namespace hsys::posix
