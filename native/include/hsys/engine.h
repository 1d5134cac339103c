// The engine interface: what every backend (windows = HTTP.SYS, posix = our own HTTP/1.1 server)
// offers to the JNI layer and to the contract tests. It mirrors the HTTP Server API's model:
// a Loop is one IO completion port (or epoll instance) polled by one thread; a Queue is one
// request queue with its URL prefixes; requests, response sends and body reads are asynchronous
// operations whose results come back from Loop::poll as fixed-size Completion records.
//
// Threading: a Loop and its Queues are used only from the thread that polls the Loop, except
// Loop::wakeup, which any thread may call.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace hsys {

// What a completion reports. The numbers are part of the Java contract (transport Native.java),
// checked at load through engine_abi.h like every other fact below.
enum CompletionType : uint32_t {
  kRequestReceived = 1,  // token = queue token, requestId, address/length = request record
  kSendCompleted = 2,    // token = send token, requestId = the last send's request, address = how many
                         // sends it completes (a token's sends complete in order, and successful
                         // ones in a row fold into one completion: foldSendCompleted), length = bytes sent
  kBodyReceived = 3,     // token = body token, requestId, length = bytes read (0 = end of body)
  kQueueClosed = 4,      // token = queue token; the Queue object is gone after this
  kRequestAborted = 5,   // token = queue token, requestId: the client went away before the response ended
  kConnectionClosed = 6, // token = queue token, address = connection id: a connection that delivered
                         // requests to this queue has ended (client gone, timeout, closeConnection)
};

// Engine status codes, shared by completions and return values. Backend-specific codes
// (Win32 error, errno) are reported as kSystemError with the code in Error::systemCode.
enum Status : int32_t {
  kOk = 0,
  kOkCopied = 1,          // send() only: accepted, and the engine keeps copies of the record and of
                          // every byte its chunks name, so the caller may reuse that memory at once
  kCancelled = -1,        // the operation was cancelled (queue closed, request cancelled)
  kConnectionLost = -2,   // the client connection broke
  kInvalidArgument = -3,  // a malformed record or an argument out of range
  kNoSuchRequest = -4,    // the request id is unknown or the request is finished
  kBusy = -5,             // an operation of the same kind is already pending on the request
  kSystemError = -6,      // see the system code
  kUnsupported = -7,      // the backend cannot do this (e.g. a Wine stub)
  kMalformedBody = -8,    // the request body's framing is malformed (chunked): the engine answered
                          // 400 and closed, or reset the connection when the response had started
};

// One completion as written to the Java-visible batch buffer: 40 bytes, little-endian.
struct Completion {
  uint32_t type;       // CompletionType
  int32_t status;      // Status, or a positive system error code
  uint64_t token;      // the queue token or the operation token given by the caller
  uint64_t requestId;  // the request the completion belongs to (0 for queue events)
  uint64_t address;    // kRequestReceived: address of the request record; kSendCompleted: sends completed
  uint64_t length;     // record length / bytes transferred
};
static_assert(sizeof(Completion) == 40, "Completion layout is part of the Java contract");

// The completion of one send.
inline Completion sendCompleted(int32_t status, uint64_t token, uint64_t requestId, uint64_t length) {
  return Completion{kSendCompleted, status, token, requestId, 1, length};
}

// A pipelined batch completes many sends of one connection at once; reporting them as one
// completion spares the application a dispatch per response. Folds next into previous when both
// are successful send completions of one token (its sends complete in order) and says whether
// it did; a failure is always reported on its own.
inline bool foldSendCompleted(Completion& previous, const Completion& next) {
  if (next.type != kSendCompleted || previous.type != kSendCompleted || next.status != kOk ||
      previous.status != kOk || previous.token != next.token) {
    return false;
  }
  previous.requestId = next.requestId;
  previous.address += next.address;
  previous.length += next.length;
  return true;
}

// An error with a message meant for people: what failed, the system code and a hint.
struct Error {
  int32_t status = kOk;
  int32_t systemCode = 0;
  std::string message;

  bool ok() const { return status == kOk; }
  void set(int32_t newStatus, int32_t newSystemCode, std::string text) {
    status = newStatus;
    systemCode = newSystemCode;
    message = std::move(text);
  }
};

// How Loop::createQueue treats QueueOptions::name (HttpCreateRequestQueue's flags).
enum QueueMode : uint32_t {
  kQueueCreate = 0,          // create a new queue; fails with kBusy-like system error if the name exists
  kQueueAttach = 1,          // open a queue another process created (HTTP_CREATE_REQUEST_QUEUE_FLAG_OPEN_EXISTING)
  kQueueCreateOrAttach = 2,  // create, or open it when the name already exists
};

// The request queue length when QueueOptions::queueLength is 0: the original httpsys module's
// default (HTTP.SYS's own is 1000). The one place this number lives; Java passes 0 by default.
constexpr uint32_t kDefaultQueueLength = 5000;

// How a request queue is opened. Zero means "the backend's default" for every number.
// The JNI layer fills this from a long[] whose order is QueueOptionIndex (ServerSettings.java).
struct QueueOptions {
  std::string name;                 // request queue name; empty = anonymous
  uint32_t mode = kQueueCreate;     // QueueMode; attaching needs a name
  uint32_t receiveBufferSize = 0;   // initial receive buffer per posted receive (HTTPSYS_BUFFER_SIZE)
  uint32_t pendingReceives = 0;     // receives kept posted (HTTPSYS_PENDING_READ_COUNT)
  uint32_t queueLength = 0;         // requests waiting for the application to take them before 503;
                                    // 0 = kDefaultQueueLength (HTTPSYS_REQUEST_QUEUE_LENGTH)
  uint64_t maxRequestBodyBytes = 0; // 0 = unlimited; above it the engine answers 413
  uint32_t maxConnections = 0;      // 0 = unlimited (HttpServerConnectionsProperty)
  // Timeouts in seconds, as HTTP_TIMEOUT_LIMIT_INFO; 0 = the backend's default.
  uint32_t entityBodyTimeoutSeconds = 0;      // for the whole request body to arrive
  uint32_t drainEntityBodyTimeoutSeconds = 0; // to drain an unread body after the response
  uint32_t requestQueueTimeoutSeconds = 0;    // a request may wait in the queue for a receive
  uint32_t idleConnectionTimeoutSeconds = 0;  // a keep-alive connection may stay idle
  uint32_t headerWaitTimeoutSeconds = 0;      // for the request head to arrive
  uint32_t minSendRateBytesPerSecond = 0;     // slower clients are disconnected
  bool exportClientCertificate = false;       // fetch the client certificate (TlsRecord) for TLS requests
  // posix engine: the IP address this queue's wildcard and host-name prefixes listen on ("" =
  // every address), as binding a socket to one address does. HTTP.SYS listens on its IP listen
  // list (netsh http add iplisten) instead; the windows backend ignores it.
  std::string listenAddress;
};

// Positions in the long[] that carries QueueOptions across JNI (all but the name).
enum QueueOptionIndex : int {
  kOptMode = 0,
  kOptReceiveBufferSize,
  kOptPendingReceives,
  kOptQueueLength,
  kOptMaxRequestBodyBytes,
  kOptMaxConnections,
  kOptEntityBodyTimeout,
  kOptDrainEntityBodyTimeout,
  kOptRequestQueueTimeout,
  kOptIdleConnectionTimeout,
  kOptHeaderWaitTimeout,
  kOptMinSendRate,
  kOptExportClientCertificate,
  kQueueOptionCount,
};

class Queue {
 public:
  virtual ~Queue() = default;

  // Registers a URL prefix such as "http://+:8080/" or "http://127.0.0.1:8080/app/".
  virtual bool addUrl(const std::string& prefix, Error& error) = 0;
  virtual bool removeUrl(const std::string& prefix, Error& error) = 0;

  // Starts delivering kRequestReceived completions.
  virtual bool start(Error& error) = 0;

  // Sends (part of) the response to requestId. The record (see records.h) and every memory
  // chunk it names stay valid until the kSendCompleted completion for sendToken is delivered,
  // unless send() returns kOkCopied (the engine copied them all: a small response on the posix
  // engine); the completion follows either way. Any other return is a refusal, and no completion
  // follows: a negative Status, or (Windows) a positive system error code other than 1.
  // Several sends of one response may be pending at once: they go out, and complete, in order.
  virtual int32_t send(uint64_t requestId, const uint8_t* record, uint32_t recordLength,
                       uint64_t sendToken) = 0;

  // Reads request body bytes into buffer; completes with kBodyReceived. The buffer stays valid
  // until that completion is delivered. At most one body read is pending per request.
  virtual int32_t receiveBody(uint64_t requestId, uint8_t* buffer, uint32_t capacity,
                              uint64_t bodyToken) = 0;

  // Abandons a request: pending operations complete with kCancelled and the connection is reset.
  virtual int32_t cancel(uint64_t requestId) = 0;

  // Ends a client connection as closing a socket does: the responses already handed over for its
  // requests are written, then the connection closes (HTTP.SYS: HTTP_SEND_RESPONSE_FLAG_DISCONNECT
  // on the last send). A response that was started but not finished is reset instead. Requests of
  // the connection delivered to this queue and not answered are dropped, and no later request of
  // the connection is ever delivered to this queue. kConnectionClosed follows once the connection
  // is gone. Returns kNoSuchRequest when the connection is not known (any more).
  virtual int32_t closeConnection(uint64_t connectionId) = 0;

  // Stops receiving and cancels everything pending. When every completion of this queue has
  // been delivered, kQueueClosed follows and the Loop deletes the Queue.
  virtual void close() = 0;
};

// What a Loop holds right now, for monitoring (a soak run samples it): every number should stay
// flat under a steady load. The JNI layer passes it to Java as a long[] in field order.
struct EngineStats {
  uint64_t openConnections = 0;     // client connections this loop holds
  uint64_t liveRequests = 0;        // requests handed out (or about to be) and not finished
  uint64_t pendingCompletions = 0;  // completions waiting for the next poll
  uint64_t recordArenaBytes = 0;    // capacity of the per-poll request record arena
  uint64_t cacheEntries = 0;        // output cache entries (process-wide)
  uint64_t cacheBytes = 0;          // output cache bytes (process-wide)
  uint64_t receiveBuffers = 0;      // connections holding a receive buffer (idle ones hold none)
  uint64_t receiveBufferBytes = 0;  // bytes in receive buffers: held by connections or pooled
  uint64_t requestSlots = 0;        // request slots held by connections (idle ones hold none)
  uint64_t outputQueues = 0;        // connections holding output segment storage (idle ones hold none)
  uint64_t connectionWork = 0;      // connections holding per-request work state (posix; idle ones hold none)
};
constexpr int kEngineStatsCount = 11;
static_assert(sizeof(EngineStats) == kEngineStatsCount * sizeof(uint64_t), "EngineStats is a row of counters");

class Loop {
 public:
  virtual ~Loop() = default;

  // Creates a request queue whose completions this Loop delivers, tagged with queueToken.
  // Returns nullptr with error set on failure. The Loop owns the Queue.
  virtual Queue* createQueue(const QueueOptions& options, uint64_t queueToken, Error& error) = 0;

  // Waits up to timeoutMillis (-1 = forever, 0 = do not wait) and writes at most capacity
  // completions to out. Returns how many, or a negative Status. Request records named by the
  // completions stay valid until the next call to poll.
  virtual int32_t poll(Completion* out, int32_t capacity, int32_t timeoutMillis) = 0;

  // Makes a blocked (or the next) poll return promptly. Any thread may call it.
  virtual void wakeup() = 0;

  // Name of the backend, e.g. "posix-epoll" or "windows-httpapi".
  virtual const char* backendName() const = 0;

  // The loop's counters (see EngineStats); on the loop's thread. A backend fills what it tracks.
  virtual EngineStats stats() const { return {}; }
};

// Implemented once per backend; the build links exactly one.
std::unique_ptr<Loop> createLoop(Error& error);

}  // namespace hsys
