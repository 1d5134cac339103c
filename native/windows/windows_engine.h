// The windows backend: the engine interface over the HTTP Server API 2.0 and an IO completion
// port. One WindowsLoop owns one completion port and the request queues bound to it.
//   windows_loop.cpp        completion port, batched dequeue, wake-up, record arena, createLoop
//   windows_queue.cpp       request queue and server session: open, start, close
//   queue_urls.cpp          URL groups: addUrl, removeUrl
//   queue_packets.cpp       ops in the kernel: packet routing, stray-packet markers
//   queue_receives.cpp      posted receives (re-receives, retries), client certificates
//   queue_sends.cpp         sends (the held final send), body reads, cancel, engine answers
//   queue_connections.cpp   connections: disconnect waits, kConnectionClosed, closeConnection
//   queue_settings.cpp      QueueOptions checked and applied as HTTP.SYS properties
//   request_serializer.cpp  HTTP_REQUEST -> request record
//   tls_facts.cpp           HTTP_SSL_INFO -> TlsRecord
//   response_builder.cpp    response record -> HTTP_RESPONSE_V2 and data chunks
//   dynamic_httpapi.cpp     the HTTP Server API function table, Wine detection and its limits
//   win32_errors.cpp        Win32 codes -> statuses and messages with hints
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "hsys/engine.h"
#include "hsys/records.h"
#include "overlapped_op.h"
#include "win32.h"

namespace hsys::windows {

class WindowsLoop;

// Completion keys of the port: request queue handles, the wake-up packet, and the marker that
// follows a call which may or may not have queued a packet (see WindowsQueue::absorbStrayPacket).
constexpr ULONG_PTR kQueueKey = 1;
constexpr ULONG_PTR kWakeupKey = 2;
constexpr ULONG_PTR kAbsorbKey = 3;

class WindowsQueue : public Queue {
 public:
  WindowsQueue(WindowsLoop& loop, const QueueOptions& options, uint64_t token);
  ~WindowsQueue() override;

  // Server session, request queue and its properties, association with the port.
  bool open(Error& error);

  bool addUrl(const std::string& prefix, Error& error) override;
  bool removeUrl(const std::string& prefix, Error& error) override;
  bool start(Error& error) override;
  int32_t send(uint64_t requestId, const uint8_t* record, uint32_t recordLength,
               uint64_t sendToken) override;
  int32_t receiveBody(uint64_t requestId, uint8_t* buffer, uint32_t capacity,
                      uint64_t bodyToken) override;
  int32_t cancel(uint64_t requestId) override;
  int32_t closeConnection(uint64_t connectionId) override;
  void close() override;

  // Called by the loop at the start of each poll: issues the held final sends and retries parked
  // receives when their time has come. Returns how long the poll may wait before this queue
  // needs the next call (-1: no limit).
  int32_t beforePoll(std::chrono::steady_clock::time_point now);
  // Called by the loop for each dequeued packet of this queue's ops.
  void onCompletion(OverlappedOp* op, DWORD error, DWORD bytes);
  // The kAbsorbKey marker of op was dequeued: any packet the kernel queued for it came before.
  void onAbsorbed(OverlappedOp* op);
  // Loop destruction: the packet is dequeued, report nothing.
  void discard(OverlappedOp* op, bool marker);

  uint64_t token() const { return token_; }
  bool closing() const { return closing_; }
  size_t opsInKernel() const { return opsInKernel_; }
  // Closes the handles without reporting (loop destruction).
  void closeHandles();

 private:
  struct RequestState {
    bool headHanded = false;   // a send with the head was accepted
    bool finalHanded = false;  // the send that ends the response was accepted: no more sends
    bool opaque = false;       // a 101 with kResponseOpaque was accepted: raw bytes both ways
    bool sending = false;      // one of its sends is in the kernel
    bool holdFinal = false;    // the final send waits (last in `waiting`) for the next poll
    bool bodyPending = false;
    bool headRequest = false;  // HEAD: the response has no body
    bool http2 = false;        // a stream of an HTTP/2 connection
    uint64_t connectionId = 0;
    uint64_t bodyBytes = 0;    // body bytes handed out so far (maxRequestBodyBytes)
    // Accepted sends not yet handed to HTTP.SYS. A request's sends go to the kernel one at a
    // time and in order (HTTP.SYS documents nothing about several pending on one request).
    std::deque<std::unique_ptr<SendOp>> waiting;
  };
  using RequestMap = std::unordered_map<uint64_t, RequestState>;

  struct AbandonedRequest {
    uint64_t requestId;
    bool http2;
  };
  struct ConnectionState {
    DisconnectOp* wait = nullptr;  // pending HttpWaitForDisconnectEx (kernel-owned)
    uint32_t openRequests = 0;     // delivered and not finished
    uint32_t finalSendsOut = 0;    // sends ending a response, held or in the kernel
    uint64_t heldRequestId = 0;    // whose final send is held (at most one per connection)
    bool closing = false;          // closeConnection: nothing more is delivered
    std::vector<AbandonedRequest> abandoned;  // unanswered at closeConnection: reset once responses are out
  };

  // ---- receives (queue_receives.cpp)
  // Posts op (the request id after ERROR_MORE_DATA, else HTTP_NULL_ID). A failure parks the op
  // for a retry from beforePoll.
  void postReceive(ReceiveOp* op, HTTP_REQUEST_ID requestId);
  void onReceive(ReceiveOp& op, DWORD error, DWORD bytes);
  void parkReceive(ReceiveOp& op, ULONG error);
  void rearmParkedReceives();
  bool receiveInKernel() const;
  void fetchClientCertificate(ReceiveOp& receive);
  bool startClientCertificate(std::unique_ptr<ClientCertOp>& op);
  void onClientCertificate(ClientCertOp& op, DWORD error, DWORD bytes);

  // ---- sends, body reads, engine answers (queue_sends.cpp)
  // Hands op to HTTP.SYS; false with result set when it did not start (no packet follows).
  bool startSend(SendOp& op, ULONG& result);
  void onSend(SendOp& op, DWORD error, DWORD bytes);
  void onBody(BodyOp& op, DWORD error, DWORD bytes);
  void flushHeldSends();
  // The held final send of found may go: it is handed over once the sends before it are done.
  void releaseHeld(RequestMap::iterator found);
  // Hands the next waiting send of found to HTTP.SYS when none of its sends is in the kernel.
  void pump(RequestMap::iterator found);
  // Sends of a request that ends otherwise never reach the kernel: their records go back with
  // status (kSendCompleted), and a final one no longer counts for its connection.
  void dropWaiting(RequestState& state, int32_t status);
  // maxRequestBodyBytes: a declared (or already copied) body over the limit is answered 413 by
  // the backend and never delivered; a streamed one over it is abandoned mid-way.
  bool rejectOversizedBody(const HTTP_REQUEST& request);
  void abandonOversized(RequestMap::iterator found);
  // An answer of the backend itself: Connection: close and DISCONNECT on HTTP/1.x only.
  void sendEngineAnswer(uint64_t requestId, bool http2, uint16_t status, const char* reason);
  // Ends a request the application will not answer: reset where HTTP.SYS can (cancel), else a
  // minimal 503 that closes the connection.
  void refuse(uint64_t requestId, bool http2);
  void endOpaqueStream(RequestMap::iterator found);

  // ---- connections (queue_connections.cpp)
  // Registers the request, queues its kRequestReceived and watches its connection.
  void deliver(const HTTP_REQUEST& request, const HTTP_SSL_CLIENT_CERT_INFO* certificate);
  // Hands a received request on: refused when its connection was closed, answered 413 when its
  // body is too large, else delivered (after fetching its client certificate when asked).
  void dispatchRequest(ReceiveOp& receive);
  // HttpWaitForDisconnectEx once per connection; kRequestAborted for its open requests and
  // kConnectionClosed when it completes.
  void watchConnection(uint64_t connectionId, ConnectionState& connection);
  void onDisconnect(DisconnectOp& op, DWORD error);
  // The connection is gone: its open requests are aborted, the queue is told once.
  void connectionEnded(uint64_t connectionId);
  // A send or body read found the client gone: the request ends, and where no disconnect wait
  // will report the connection's end, it is reported now.
  void requestLost(RequestMap::iterator found);
  // The request is done (answered, failed, reset or dropped): sends still waiting go back with
  // status, and its connection's state is settled.
  void finishRequest(RequestMap::iterator found, int32_t status = kCancelled);
  // Forgets a connection's state once nothing refers to it (see queue_connections.cpp).
  void settleConnection(uint64_t connectionId);
  void finalSendDone(uint64_t connectionId);
  void resetAbandoned(ConnectionState& connection);

  // ---- ops in the kernel (windows_queue.cpp)
  // NO_ERROR or ERROR_IO_PENDING: a packet will follow (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is
  // not set), the op is counted until it is dequeued.
  bool startedAsync(OverlappedOp& op, ULONG result);
  // A synchronous ERROR_MORE_DATA: Windows may or may not queue a packet for it. op waits behind a
  // marker packet; any kernel packet for it arrives first (the port is FIFO) and is ignored.
  void absorbStrayPacket(OverlappedOp& op);
  void maybeReportClosed();
  // No receive can be posted any more: the queue closes and kQueueClosed carries the error.
  void failQueue(DWORD error);

  WindowsLoop& loop_;
  QueueOptions options_;
  uint64_t token_;
  HTTP_SERVER_SESSION_ID session_ = HTTP_NULL_ID;
  HANDLE handle_ = nullptr;
  // The registered prefixes and their URL group. One group holds them all, as ASP.NET Core does
  // (so maxConnections is set once); under Wine, which takes one URL per group, one group each.
  std::vector<std::pair<std::string, HTTP_URL_GROUP_ID>> urls_;
  HTTP_URL_GROUP_ID sharedGroup_ = HTTP_NULL_ID;
  std::vector<std::unique_ptr<ReceiveOp>> receives_;
  std::vector<ReceiveOp*> parkedReceives_;  // failed; retried from beforePoll
  std::chrono::steady_clock::time_point nextRearm_{};
  RequestMap requests_;
  std::unordered_map<uint64_t, ConnectionState> connections_;
  std::deque<uint64_t> closedWithoutWait_;  // closed connections no wait will report: bounded
  std::vector<uint64_t> heldOrder_;         // requests with a held final send, in send order
  std::vector<uint64_t> flushing_;          // heldOrder_ while it is being issued
  size_t opsInKernel_ = 0;
  uint32_t receiveFailures_ = 0;  // failed receives since the last success
  DWORD lastReceiveError_ = NO_ERROR;
  int32_t closedStatus_ = kOk;    // kQueueClosed's status: not kOk when the queue failed
  bool started_ = false;
  bool attached_ = false;  // opened a queue another process created (kQueueAttach)
  bool closing_ = false;
  bool closedReported_ = false;
};

class WindowsLoop : public Loop {
 public:
  explicit WindowsLoop(HANDLE port);
  ~WindowsLoop() override;

  Queue* createQueue(const QueueOptions& options, uint64_t queueToken, Error& error) override;
  int32_t poll(Completion* out, int32_t capacity, int32_t timeoutMillis) override;
  void wakeup() override;
  const char* backendName() const override { return "windows-httpapi"; }

  // Used by WindowsQueue.
  HANDLE port() const { return port_; }
  void push(uint32_t type, int32_t status, uint64_t token, uint64_t requestId, uint64_t length,
            uint64_t address = 0);
  // A send's kSendCompleted, folded into the one before it when it may be (foldSendCompleted).
  void pushSendCompleted(int32_t status, uint64_t token, uint64_t requestId, uint64_t length);
  // Serializes a request into this poll's arena and queues its kRequestReceived.
  void pushRequest(uint64_t queueToken, const HTTP_REQUEST& request,
                   const HTTP_SSL_CLIENT_CERT_INFO* certificate = nullptr);
  // The queue reported kQueueClosed: delete it once the current dispatch is over.
  void retire(WindowsQueue* queue);
  // createLoop: HttpInitialize succeeded, so the destructor calls HttpTerminate.
  void markInitialized() { initialized_ = true; }

 private:
  // A completion waiting for delivery; kRequestReceived ones point into the arena by offset, or
  // own their record once they had to wait for a later poll.
  struct Pending {
    Completion completion;
    bool hasRecord = false;        // kRequestReceived
    size_t arenaOffset = 0;        // where the record is in arena_ (when !ownedRecord)
    std::vector<uint8_t> ownedRecord;
    bool owned = false;
  };

  void dispatch(const OVERLAPPED_ENTRY& entry);
  void deleteRetired();
  void drainForShutdown();

  HANDLE port_;
  std::vector<std::unique_ptr<WindowsQueue>> queues_;
  std::vector<WindowsQueue*> retired_;
  std::deque<Pending> pending_;
  std::vector<uint8_t> arena_;
  std::vector<OVERLAPPED_ENTRY> entries_;
  std::atomic<bool> wakeupPosted_{false};
  bool initialized_ = false;
};

}  // namespace hsys::windows
