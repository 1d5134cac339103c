// Turns a response record into bytes on the wire: the status line and headers (known header
// ids named through kResponseHeaderNames, plus Date, Connection: close and, for a complete
// single-send response, Content-Length, as HTTP.SYS adds them), then the data chunks written
// in place with writev (memory) and sendfile (file chunks). Nothing is copied but the head.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <string>
#include <vector>

#include "hsys/records.h"

namespace hsys::posix {

// What the engine knows about the request a response answers.
struct ResponseContext {
  bool headRequest = false;       // HEAD: never a body
  uint16_t httpMinor = 1;
  bool requestKeepAlive = true;   // the client allows a next request on this connection
  bool engineMustClose = false;   // e.g. an unread request body: the next request cannot be found
};

struct ResponseDecision {
  bool close = false;      // close the connection after this response
  bool dropBody = false;   // HEAD, 1xx, 204, 205, 304: chunk bytes are not sent
  bool chunked = false;    // the engine frames the body as chunks (chunk_framing.h)
  int64_t declaredLength = -1;  // the body must be exactly this long (Content-Length); -1 = not bounded
};

// Serialises the head of view (which has kResponseHasHead and passed ResponseView::parse) into
// out, replacing its contents, with the engine's framing: one Content-Length (none on 1xx/204,
// 0 on 205, the total of a whole response without one), Transfer-Encoding: chunked for a
// kResponseChunked response to HTTP/1.1, Date, Connection. Returns nullptr, or why the record
// cannot be sent.
const char* buildResponseHead(const ResponseView& view, const ResponseContext& context, std::string& out,
                              ResponseDecision& decision);

// "HTTP/1.1 <status> <reason>" plus Date, Content-Length, optional Connection: close and an
// HTML body, for the answers the engine gives by itself (404, 400, 503...).
void buildEngineResponse(int status, bool headRequest, bool close, std::string& out);
// The answer to a cleartext HTTP/2 connection preface (prior knowledge): HTTP.SYS speaks HTTP/2
// only over TLS, so the server's preface (an empty SETTINGS frame) and a GOAWAY with
// HTTP_1_1_REQUIRED and a readable reason, after which the connection closes (RFC 9113 3.4, 7).
void buildHttp2Refusal(std::string& out);

const char* reasonPhrase(int status);

// Pending output of one connection: memory and file segments written in order. Segment counts
// are absolute (added/done never go back), so a caller can mark where a send ends and learn
// when its bytes are out.
class OutputQueue {
 public:
  struct Segment {
    const char* data;  // memory; null for a file segment
    int fd;
    uint64_t offset;
    uint64_t length;
  };

  void addMemory(const void* data, uint64_t length);
  void addFile(int fd, uint64_t offset, uint64_t length);
  void append(const Segment& segment) {
    segments_.push_back(segment);
    bytesQueued_ += segment.length;
  }
  static Segment memory(const void* data, uint64_t length) {
    return Segment{static_cast<const char*>(data), -1, 0, length};
  }
  static Segment file(int fd, uint64_t offset, uint64_t length) { return Segment{nullptr, fd, offset, length}; }
  bool empty() const { return next_ == segments_.size(); }
  uint64_t added() const { return base_ + segments_.size(); }
  uint64_t done() const { return base_ + next_; }
  uint64_t bytesWritten() const { return bytesWritten_; }
  uint64_t bytesQueued() const { return bytesQueued_; }  // ever appended
  uint64_t pendingBytes() const;
  void clear();
  // The segment array, lent by the loop's pool while the connection holds request slots (output
  // is only queued for a slot), so an idle connection holds none. adoptStorage takes storage
  // (emptied) when the queue has none; releaseStorage hands it back (into storage) when empty.
  bool hasStorage() const { return segments_.capacity() != 0; }
  void adoptStorage(std::vector<Segment>& storage);
  void releaseStorage(std::vector<Segment>& storage);

  // Appends the run of memory segments at the front (at most IOV_MAX) to iov; returns its bytes
  // (0 when the front is a file segment or nothing is queued).
  uint64_t gather(std::vector<iovec>& iov) const;
  // written bytes of the front are out (a sendmsg of what gather gave returned written).
  void consume(uint64_t written);

  enum class Result { kDone, kAgain, kError };
  // What a sendmsg of gather()'s bytes returned (bytes, or -errno), taken: kDone when some or
  // all went out (or, on -EINTR, nothing did and it may be tried at once), kAgain when the socket
  // is full (EAGAIN), kError with errorCode.
  //
  // Only EAGAIN says full. A write that takes less than offered proves nothing, and the
  // connections are edge-triggered: EPOLLOUT comes only after a write found no room. sendfile's
  // splice stops early, with room left, when a signal or task work (an io_uring completion) is
  // pending for the thread; waiting for EPOLLOUT then stalls the response.
  Result takeWritten(ssize_t result, int& errorCode);
  // Writes as much as the socket takes, gathering memory segments in iov (scratch, shared by a
  // loop's connections). kAgain: the socket said EAGAIN, wait for EPOLLOUT. kError: errorCode is
  // errno.
  Result flush(int socketFd, int& errorCode, std::vector<iovec>& iov);

 private:
  std::vector<Segment> segments_;
  size_t next_ = 0;
  uint64_t base_ = 0;  // segments written and dropped before segments_[0]
  uint64_t bytesWritten_ = 0;
  uint64_t bytesQueued_ = 0;
};

}  // namespace hsys::posix
