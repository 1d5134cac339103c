// One object per asynchronous HTTP Server API call. It carries the OVERLAPPED the kernel
// completes and every buffer the kernel may read or write during the call (the receive buffer,
// the HTTP_RESPONSE with its header and chunk arrays, the cache policy), and it lives until the
// completion packet for its OVERLAPPED has been dequeued from the port - also after CancelIoEx
// or closing the request queue handle, since the kernel finishes with the memory only then.
//
// The request queue handle is not put into FILE_SKIP_COMPLETION_PORT_ON_SUCCESS mode, so every
// call that returns NO_ERROR or ERROR_IO_PENDING posts exactly one packet, and any error return
// none: the op is finished on the spot. A synchronous ERROR_MORE_DATA (a warning status) is the
// exception whose packet is uncertain: Wine queues one, ASP.NET Core and HttpListener re-issue at
// once as if none came. The op then waits for a marker packet behind it (queue_packets.cpp,
// absorbStrayPacket), which is right either way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "win32.h"

namespace hsys::windows {

class WindowsQueue;
struct OverlappedOp;

// The OVERLAPPED and a back pointer, in a standard-layout struct so the OVERLAPPED* that comes
// out of the completion port converts back to its op without offsetof on a polymorphic class.
struct OverlappedHeader {
  OVERLAPPED overlapped;
  OverlappedOp* op;
};
static_assert(offsetof(OverlappedHeader, overlapped) == 0, "OVERLAPPED must come first");

struct OverlappedOp {
  enum class Kind : uint8_t { kReceive, kSend, kBody, kDisconnect, kClientCert };

  OverlappedOp(Kind kind, WindowsQueue* queue) : kind(kind), queue(queue) {
    header.op = this;
    reset();
  }
  virtual ~OverlappedOp() = default;
  OverlappedOp(const OverlappedOp&) = delete;
  OverlappedOp& operator=(const OverlappedOp&) = delete;

  // Clears the OVERLAPPED before the op is handed to the kernel again.
  void reset() { ZeroMemory(&header.overlapped, sizeof header.overlapped); }
  OVERLAPPED* overlapped() { return &header.overlapped; }
  static OverlappedOp* from(OVERLAPPED* overlapped) {
    return reinterpret_cast<OverlappedHeader*>(overlapped)->op;
  }

  OverlappedHeader header;
  const Kind kind;
  WindowsQueue* const queue;
  bool inKernel = false;   // between a call that will post a packet and that packet's dequeue
  bool absorbing = false;  // waiting for its kAbsorbKey marker; a kernel packet meanwhile is noise
  uint64_t requestId = 0;
  uint64_t token = 0;
};

// An 8-aligned byte buffer (HTTP_REQUEST holds 8-byte fields and pointers).
class AlignedBuffer {
 public:
  void swap(AlignedBuffer& other) { words_.swap(other.words_); }  // pointers into it stay valid
  uint8_t* data() { return reinterpret_cast<uint8_t*>(words_.data()); }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(words_.data()); }
  uint32_t capacity() const { return static_cast<uint32_t>(words_.size() * sizeof(uint64_t)); }
  void resize(uint32_t bytes) { words_.assign((bytes + 7) / 8, 0); }

 private:
  std::vector<uint64_t> words_;
};

// A posted HttpReceiveHttpRequest. Owned by its queue and reused: after each completion it is
// posted again (with the request id and a bigger buffer after ERROR_MORE_DATA).
struct ReceiveOp : OverlappedOp {
  explicit ReceiveOp(WindowsQueue* queue) : OverlappedOp(Kind::kReceive, queue) {}
  AlignedBuffer buffer;
};

// An HttpSendHttpResponse or HttpSendResponseEntityBody call. The caller's record and the memory
// its chunks name stay valid until kSendCompleted (engine contract); everything built from them
// lives here.
struct SendOp : OverlappedOp {
  explicit SendOp(WindowsQueue* queue) : OverlappedOp(Kind::kSend, queue) {}
  bool hasHead = false;
  bool finalSend = false;  // the response ends with this send
  bool opaque = false;
  bool disconnect = false;       // kResponseDisconnect: the request (and connection) end here
  bool endsResponse = false;     // counted in its connection's finalSendsOut
  uint64_t connectionId = 0;
  ULONG sendFlags = 0;           // HTTP_SEND_RESPONSE_FLAG_*
  bool offerToCache = false;     // pass cachePolicy
  HTTP_RESPONSE_V2 response{};
  HTTP_CACHE_POLICY cachePolicy{};
  std::vector<HTTP_UNKNOWN_HEADER> unknownHeaders;
  std::vector<HTTP_DATA_CHUNK> chunks;
  std::vector<HTTP_MULTIPLE_KNOWN_HEADERS> multipleKnown;
  std::vector<HTTP_KNOWN_HEADER> extraKnown;  // values of multipleKnown, in blocks
  std::vector<HTTP_RESPONSE_INFO> responseInfo;
  char contentLength[24] = {};  // a Content-Length value the backend adds
  std::string chunkFraming;     // kResponseChunked: the size line, CRLF, last chunk and trailers
  std::vector<std::vector<uint8_t>> fileCopies;  // file chunks read into memory (no file chunks in Wine)
  bool internal = false;  // an answer of the backend itself (413): no kSendCompleted
};

// An HttpReceiveRequestEntityBody call into the caller's buffer (valid until kBodyReceived).
struct BodyOp : OverlappedOp {
  explicit BodyOp(WindowsQueue* queue) : OverlappedOp(Kind::kBody, queue) {}
};

// HttpWaitForDisconnectEx for one connection: completes when the client goes away (or the
// queue closes), however many requests the connection carried meanwhile.
struct DisconnectOp : OverlappedOp {
  explicit DisconnectOp(WindowsQueue* queue) : OverlappedOp(Kind::kDisconnect, queue) {}
  uint64_t connectionId = 0;
};

// HttpReceiveClientCertificate for a TLS request that is handed out once the certificate is
// there. It keeps the receive buffer holding the request (the receive got a fresh one).
struct ClientCertOp : OverlappedOp {
  explicit ClientCertOp(WindowsQueue* queue) : OverlappedOp(Kind::kClientCert, queue) {}
  AlignedBuffer request;      // the HTTP_REQUEST and everything it points at
  AlignedBuffer certificate;  // HTTP_SSL_CLIENT_CERT_INFO followed by the DER bytes
};

}  // namespace hsys::windows
