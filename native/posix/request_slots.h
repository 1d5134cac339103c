// The per-request state of a connection's ring (RequestSlot) and the loop's pool of them. A
// connection takes a slot when a request (or an engine answer) needs one and gives all of them
// back when it is idle: no request in its ring, no parsed head waiting, no output queued (queued
// segments point into a slot's response head and its sends' framing, so a slot never goes back
// while any are queued). 10,000 idle keep-alive connections hold none; a busy loop reuses pooled
// slots, so a request allocates nothing in steady state.
//
// Loop thread only; a slot is plain memory, so a connection handed to another loop gives its
// slots back to that loop's pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "http_parser.h"
#include "output_cache.h"
#include "response_writer.h"

namespace hsys::posix {

class PosixQueue;

// One accepted send of a response, until its bytes are written.
struct PendingSend {
  uint64_t token = 0;
  uint64_t length = 0;
  uint64_t endMark = 0;  // OutputQueue::added() after its segments
  bool staged = false;   // its segments wait in the slot's staged list
  bool opaque = false;   // the 101 after which the connection carries opaque bytes
  std::string framing;   // chunk size line, CRLF, last chunk and trailers around its data
};

// The sends of one response not yet completed, oldest first (a handler may hand over several
// before the first is written; they complete in order). Queued segments point into a send's
// framing, so no element moves while it lives. The first lives in the slot itself: a pooled slot
// is warm, where a deque's next element is fresh memory every few requests (a cache miss on
// every send, measured); later ones go to the deque.
class SendList {
 public:
  bool empty() const { return !firstUsed_ && more_.empty(); }
  PendingSend& front() { return firstUsed_ ? first_ : more_.front(); }
  PendingSend& back() { return more_.empty() ? first_ : more_.back(); }
  // A new send at the back, its fields at their defaults (framing keeps its capacity).
  PendingSend& emplaceBack();
  void popFront();
  void clear();
  template <typename Visit>
  void forEach(Visit visit) {
    if (firstUsed_) visit(first_);
    for (PendingSend& send : more_) visit(send);
  }

 private:
  PendingSend first_;
  bool firstUsed_ = false;
  std::deque<PendingSend> more_;
};

// One request in flight (or an answer the engine gives by itself, requestId == 0).
struct RequestSlot {
  RequestHead head;            // spans relative to headStart (valid until delivered)
  size_t headStart = 0;        // offset of the head in the connection's read buffer
  uint64_t inlineBody = 0;     // body bytes right behind the head, all buffered, go in the record
  uint64_t requestId = 0;
  PosixQueue* queue = nullptr;
  bool delivered = false;
  bool responseStarted = false;
  bool finalQueued = false;    // its last bytes are in the output queue or staged
  bool dropBody = false;
  bool closeAfter = false;     // the connection ends after this response
  bool resetAfter = false;     // ... with a reset: the response could not be completed
  SendList sends;              // accepted for this response, not yet completed
  bool chunked = false;        // the engine frames the body as chunks
  int64_t declaredLength = -1; // the body's Content-Length, enforced; -1 = none
  uint64_t bodySent = 0;       // body bytes accepted so far
  std::string cookedTarget;    // the target with its path canonical; empty when that is the raw target
  std::string headBytes;       // the serialised response head, or the whole engine answer
  std::string cacheKey;        // output cache key of a GET (kept across requests for its capacity)
  bool cacheable = false;      // a 200 answer with a TTL may be stored under cacheKey
  std::shared_ptr<const CachedResponse> cached;  // a cache hit being written
  std::vector<OutputQueue::Segment> staged;  // bytes waiting for the earlier responses

  // Ready for the next request; the head table, strings and lists keep their capacity.
  void reset();
};

class RequestSlots {
 public:
  // About as many as connections hold at once under load (as ReceiveBuffers::kMaxFree), about
  // 1.2 KB each.
  static constexpr size_t kMaxFree = 1024;

  std::unique_ptr<RequestSlot> take();
  // Takes slot back (leaving it null), reset for its next use.
  void give(std::unique_ptr<RequestSlot>& slot);

  // The connections' output segment arrays (OutputQueue::adoptStorage) come and go with their
  // slots: taken with a connection's first slot, given back with its last.
  void lendOutputStorage(OutputQueue& output);
  void takeBackOutputStorage(OutputQueue& output);

 private:
  std::vector<std::unique_ptr<RequestSlot>> free_;
  std::vector<std::vector<OutputQueue::Segment>> freeOutputStorage_;
};

}  // namespace hsys::posix
