// The windows backend: the engine interface over the HTTP Server API 2.0 and an IO completion
// port. One WindowsLoop owns one completion port and the request queues bound to it.
//   windows_loop.cpp        completion port, batched dequeue, wake-up, record arena, createLoop
//   windows_queue.cpp       server session, URL groups, request queue, receives, sends, body
//                           reads, disconnect notifications, client certificates, 413 answers
//   queue_settings.cpp      QueueOptions checked and applied as HTTP.SYS properties
//   request_serializer.cpp  HTTP_REQUEST -> request record
//   tls_facts.cpp           HTTP_SSL_INFO -> TlsRecord
//   response_builder.cpp    response record -> HTTP_RESPONSE_V2 and data chunks
//   dynamic_httpapi.cpp     optional exports, Wine detection and its capability limits
//   win32_errors.cpp        Win32 codes -> statuses and messages with hints
#pragma once

#include <atomic>
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

// Completion keys of the port: request queue handles, and the wake-up packet.
constexpr ULONG_PTR kQueueKey = 1;
constexpr ULONG_PTR kWakeupKey = 2;

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

  // Called by the loop for each dequeued packet of this queue's ops.
  void onCompletion(OverlappedOp* op, DWORD error, DWORD bytes);
  // Loop destruction: the packet is dequeued, report nothing.
  void discard(OverlappedOp* op);

  uint64_t token() const { return token_; }
  bool closing() const { return closing_; }
  size_t opsInKernel() const { return opsInKernel_; }
  // Closes the handles without reporting (loop destruction).
  void closeHandles();

 private:
  struct RequestState {
    bool headSent = false;
    bool sendPending = false;
    bool bodyPending = false;
    bool opaque = false;
    bool headRequest = false;  // HEAD: the response has no body
    uint64_t connectionId = 0;
    uint64_t bodyBytes = 0;    // body bytes handed out so far (maxRequestBodyBytes)
  };

  // Posts op (the request id after ERROR_MORE_DATA, else HTTP_NULL_ID); NO_ERROR when a packet
  // will follow, else the error, with op parked.
  ULONG postReceive(ReceiveOp& op, HTTP_REQUEST_ID requestId);
  bool startedAsync(OverlappedOp& op, ULONG result);
  void finishOp(OverlappedOp* op);
  void onReceive(ReceiveOp& op, DWORD error, DWORD bytes);
  void onSend(SendOp& op, DWORD error, DWORD bytes);
  void onBody(BodyOp& op, DWORD error, DWORD bytes);
  void onDisconnect(DisconnectOp& op, DWORD error);
  void onClientCertificate(ClientCertOp& op, DWORD error, DWORD bytes);
  // Registers the request, queues its kRequestReceived and watches its connection.
  void deliver(const HTTP_REQUEST& request, const HTTP_SSL_CLIENT_CERT_INFO* certificate);
  // maxRequestBodyBytes: a declared (or already copied) body over the limit is answered 413 by
  // the backend and never delivered; a streamed one over it is abandoned mid-way.
  bool rejectOversizedBody(const HTTP_REQUEST& request);
  void abandonOversized(std::unordered_map<uint64_t, RequestState>::iterator found);
  void sendEngineAnswer(uint64_t requestId, uint16_t status, const char* reason);
  // HttpWaitForDisconnectEx once per connection; kRequestAborted for its open requests.
  void watchConnection(uint64_t connectionId);
  void abortConnection(uint64_t connectionId);
  void fetchClientCertificate(ReceiveOp& receive);
  bool startClientCertificate(ClientCertOp& op);
  void rearmParkedReceives();
  void maybeReportClosed();

  WindowsLoop& loop_;
  QueueOptions options_;
  uint64_t token_;
  HTTP_SERVER_SESSION_ID session_ = HTTP_NULL_ID;
  HANDLE handle_ = nullptr;
  // One URL group per prefix: Wine allows one URL per group, and removing a prefix is then
  // closing its group.
  std::vector<std::pair<std::string, HTTP_URL_GROUP_ID>> groups_;
  std::vector<std::unique_ptr<ReceiveOp>> receives_;
  std::vector<ReceiveOp*> parkedReceives_;  // failed synchronously; retried on the next completion
  std::unordered_map<uint64_t, RequestState> requests_;
  std::unordered_map<uint64_t, DisconnectOp*> connections_;  // pending disconnect waits (kernel-owned)
  size_t opsInKernel_ = 0;
  uint32_t receiveFailures_ = 0;  // consecutive failed receive completions
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
  void push(uint32_t type, int32_t status, uint64_t token, uint64_t requestId, uint64_t length);
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
