// One accepted TCP connection and its HTTP/1.1 state machine:
//
//   kIdle ──head parsed & routed──> kRequest ──final send written──> kIdle (keep-alive)
//     │                               │  └──101 + kResponseOpaque──> kOpaque (raw bytes both ways)
//     │                               └──close decided──> kLingering (FIN sent, input drained) ─> kClosed
//     └──parse error / engine answer with close──> kLingering
//
// One request at a time: bytes behind the current request (pipelining) stay in the read buffer
// until its response is written, so responses leave in request order. The read buffer and the
// head/header tables are reused for every request of the connection; the request record is
// written straight from the buffer into the loop's arena when the completion is delivered.
//
// The socket is registered edge-triggered once (EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET) and never
// modified: readable_/writable_ remember the last edge, so no epoll_ctl per request.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hsys/engine.h"
#include "hsys/records.h"
#include "http_parser.h"
#include "pollable.h"
#include "response_writer.h"
#include "url_prefix.h"

namespace hsys::posix {

class PosixLoop;
class PosixQueue;
class PortRoutes;

class Connection : public Pollable {
 public:
  enum class State { kIdle, kRequest, kOpaque, kLingering, kClosed };

  Connection(int fd, uint64_t id, PortRoutes* routes, const SocketAddressRecord& remote,
             const SocketAddressRecord& local);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  uint64_t id() const { return id_; }
  State state() const { return state_; }
  PosixQueue* queue() const { return queue_; }
  uint64_t requestId() const { return requestId_; }
  bool delivered() const { return delivered_; }

  // Loop side.
  void attach(PosixLoop* loop) { loop_ = loop; }
  void onEvents(uint32_t events);
  // After arriving from another loop's inbox: route the parsed request again, here.
  void resumeAfterHandOff();
  bool handOffRequested() const { return handOff_.inbox != nullptr; }
  RouteTarget takeHandOff() { return std::move(handOff_); }
  // The loop could not hand the connection over: answer 503 here.
  void refuseHandOff();
  // Writes the request record into arena (called when its completion is delivered).
  size_t writeRequestRecord(std::vector<uint8_t>& arena, std::vector<uint8_t>& scratch);
  // Lingering close ran out of time.
  void lingerExpired();
  int64_t lingerDeadline() const { return lingerDeadline_; }

  // Queue side (the request must be this connection's current one).
  int32_t send(const ResponseView& view, uint64_t token);
  int32_t receiveBody(uint8_t* buffer, uint32_t capacity, uint64_t token);
  // Ends the connection at once: pending operations complete with status, then a reset.
  void abort(int32_t status, bool reportAborted, bool reset);

 private:
  enum class Fill { kData, kAgain, kEof, kError, kFull };

  // Input.
  Fill fill(size_t maxBuffered);
  void processInput();
  void routeRequest();
  void startRequest(PosixQueue* queue);
  void engineAnswer(int status, bool forceClose);
  bool discardBufferedBody();
  // Body reads.
  void tryCompleteBodyRead();
  void completeBodyRead(int32_t status, uint64_t length);
  // Output.
  void flushOutput();
  void onOutputDrained();
  void finishRequest();
  void beginLingeringClose();
  void drainLingering();
  void closeSocket(bool reset);

  int fd_;
  uint64_t id_;
  PosixLoop* loop_ = nullptr;
  PortRoutes* routes_;
  std::shared_ptr<const RouteTable> routeTable_;
  uint64_t routeVersion_ = 0;
  SocketAddressRecord remote_, local_;
  State state_ = State::kIdle;
  bool readable_ = true;   // no EAGAIN/short read since the last EPOLLIN edge
  bool writable_ = true;   // no EAGAIN/short write since the last EPOLLOUT edge
  bool peerEof_ = false;   // read returned 0 (opaque streams report it as end of data)

  // Read buffer: unread bytes are [begin_, end_). While a request is routed but undelivered its
  // head starts at begin_; once delivered, begin_ is the next body (or pipelined) byte.
  std::vector<char> in_;
  size_t begin_ = 0, end_ = 0;
  HeadParser parser_;
  RequestHead head_;
  bool headParsed_ = false;
  RouteTarget handOff_;
  int handOffHops_ = 0;

  // The current request.
  uint64_t requestId_ = 0;
  PosixQueue* queue_ = nullptr;
  bool delivered_ = false;
  uint64_t bodyRemaining_ = 0;   // Content-Length bytes not yet handed out
  uint64_t bodyTotal_ = 0;       // body bytes handed out (for maxRequestBodyBytes)
  ChunkedDecoder chunked_;
  bool bodyDone_ = true;
  bool continueSent_ = false;
  bool responseStarted_ = false;
  bool dropBody_ = false;
  bool closeAfterResponse_ = false;

  // The pending receiveBody.
  bool readPending_ = false;
  uint8_t* readBuffer_ = nullptr;
  uint32_t readCapacity_ = 0;
  uint64_t readToken_ = 0;

  // The pending send (one at a time) and engine-made output.
  OutputQueue output_;
  std::string headBytes_;     // the serialised response head of the current send
  std::string engineBytes_;   // an answer the engine gives by itself
  bool sendPending_ = false;
  bool sendFinal_ = false;
  bool sendOpaque_ = false;
  uint64_t sendToken_ = 0;
  uint64_t sendLength_ = 0;
  bool engineAnswerPending_ = false;
  bool closeAfterEngineAnswer_ = false;

  int64_t lingerDeadline_ = 0;
};

}  // namespace hsys::posix
