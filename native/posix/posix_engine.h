// The posix backend: HTTP.SYS semantics over epoll. One PosixLoop per event-loop thread owns its
// epoll instance, its listening sockets (one per port, shared by every queue of the loop that
// registered a prefix on it), its connections and its request queues.
//   posix_loop.cpp        poll, wake-up, listeners, completions and the record arena
//   posix_connection.cpp  per-connection reading, parsing, routing, request bodies, responses
//   posix_queue.cpp       the Queue interface
#pragma once

#include <climits>
#include <sys/uio.h>

#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "hsys/engine.h"
#include "hsys/records.h"
#include "http_parser.h"
#include "url_routes.h"

namespace hsys::posix {

class PosixLoop;

struct Pollable {
  enum Kind { kWakeup, kListener, kConnection } kind;
  explicit Pollable(Kind k) : kind(k) {}
};

struct Listener : Pollable {
  Listener() : Pollable(kListener) {}
  int fd = -1;
  uint16_t port = 0;
  RouteTable routes;
};

class PosixQueue;

struct Connection : Pollable {
  Connection() : Pollable(kConnection) {}
  enum class State { kReadingHead, kInRequest, kOpaque, kClosed };

  int fd = -1;
  uint64_t id = 0;
  Listener* listener = nullptr;
  SocketAddressRecord remote{}, local{};
  State state = State::kReadingHead;
  bool peerClosed = false;
  bool closeAfterWrite = false;  // close once the output drains
  uint32_t epollEvents = 0;

  // Input: the current request's head starts at 0; bytes beyond it are body or pipelined requests.
  std::vector<char> in;
  ParsedHead head;

  // The request in progress.
  uint64_t requestId = 0;
  PosixQueue* queue = nullptr;
  bool delivered = false;
  size_t bodyCursor = 0;       // next unread body byte in `in`
  uint64_t bodyRemaining = 0;  // Content-Length bytes not yet handed out
  ChunkedDecoder chunkedBody;
  bool bodyDone = false;
  bool continueSent = false;
  bool responseStarted = false;
  bool noResponseBody = false;

  // A pending receiveBody.
  bool bodyReadPending = false;
  uint8_t* bodyBuffer = nullptr;
  uint32_t bodyCapacity = 0;
  uint64_t bodyToken = 0;

  // Output: iovecs into the head we built, engine-made bytes, or the caller's chunks.
  std::string headBytes;
  std::deque<std::string> ownedOutput;
  std::vector<iovec> out;
  size_t outIndex = 0;
  bool sendPending = false;
  bool finalSend = false;
  uint64_t sendToken = 0;
  uint64_t sendBytes = 0;
};

class PosixQueue : public Queue {
 public:
  PosixQueue(PosixLoop& loop, const QueueOptions& options, uint64_t token);

  bool addUrl(const std::string& prefix, Error& error) override;
  bool removeUrl(const std::string& prefix, Error& error) override;
  bool start(Error& error) override;
  int32_t send(uint64_t requestId, const uint8_t* record, uint32_t recordLength, uint64_t sendToken) override;
  int32_t receiveBody(uint64_t requestId, uint8_t* buffer, uint32_t capacity, uint64_t bodyToken) override;
  int32_t cancel(uint64_t requestId) override;
  void close() override;

  uint64_t token() const { return token_; }
  const QueueOptions& options() const { return options_; }
  bool started() const { return started_ && !closed_; }
  uint32_t activeRequests = 0;

 private:
  PosixLoop& loop_;
  QueueOptions options_;
  uint64_t token_;
  bool started_ = false;
  bool closed_ = false;
  std::vector<UrlPrefixParts> prefixes_;
};

class PosixLoop : public Loop {
 public:
  PosixLoop(int epollFd, int wakeFd);
  ~PosixLoop() override;

  Queue* createQueue(const QueueOptions& options, uint64_t queueToken, Error& error) override;
  int32_t poll(Completion* out, int32_t capacity, int32_t timeoutMillis) override;
  void wakeup() override;
  const char* backendName() const override { return "posix-epoll"; }

  // Used by PosixQueue.
  Listener* listenerFor(uint16_t port, Error& error);
  void releaseListenerIfUnused(Listener* listener);
  Connection* findRequest(uint64_t requestId);
  int32_t send(Connection& connection, const uint8_t* record, uint32_t length, uint64_t token);
  int32_t receiveBody(Connection& connection, uint8_t* buffer, uint32_t capacity, uint64_t token);
  void closeConnection(Connection& connection, int32_t pendingStatus, bool reportAbort);
  void closeQueue(PosixQueue& queue);
  void push(uint32_t type, int32_t status, uint64_t token, uint64_t requestId, uint64_t length);

 private:
  struct Pending {
    Completion completion;
  };

  void handleEvent(Pollable* pollable, uint32_t events);
  void accept(Listener& listener);
  void onReadable(Connection& connection);
  void onWritable(Connection& connection);
  void process(Connection& connection);
  void startRequest(Connection& connection);
  void respondEngine(Connection& connection, int status, bool close);
  void tryCompleteBodyRead(Connection& connection);
  void flush(Connection& connection);
  void finishRequest(Connection& connection);
  void updateInterest(Connection& connection);
  bool serializeRequest(uint64_t requestId, size_t& offset, size_t& length);
  bool bodyFullyRead(const Connection& connection) const;

  int epollFd_;
  int wakeFd_;
  Pollable wakePollable_{Pollable::kWakeup};
  std::unordered_map<uint16_t, std::unique_ptr<Listener>> listeners_;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  std::unordered_map<uint64_t, Connection*> requests_;
  std::vector<std::unique_ptr<PosixQueue>> queues_;
  std::vector<std::unique_ptr<Connection>> graveyard_;
  std::vector<std::unique_ptr<Listener>> closedListeners_;
  std::deque<Completion> pending_;
  std::vector<uint8_t> arena_;
  ParserLimits limits_;
  uint64_t nextRequestId_ = 1;
  uint64_t nextConnectionId_ = 1;
};

// "Date: ..." for now, cached per second.
const std::string& httpDate();

// "what failed: strerror (errno N)".
std::string systemError(const char* what, int code);

}  // namespace hsys::posix
