// What a connection needs only while it works (a request being read, parsed, routed, answered,
// a body being read, output queued, a hand-off or a lingering close) and the loop's pool of it.
// A connection takes one from its loop's pool on first need and gives it back once it is idle
// again (Connection::releaseIdleWork, from PosixLoop::settle), so an idle keep-alive connection
// is its small core alone (under 200 bytes) and 10,000 idle connections hold no work state.
// A busy loop reuses pooled ones: a request allocates none in steady state.
//
// Loop thread only; like receive buffers and request slots, one is plain memory, so a connection
// handed to another loop gives its work back to that loop's pool.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "http_parser.h"
#include "request_slots.h"
#include "response_writer.h"
#include "url_prefix.h"

namespace hsys::posix {

struct ConnectionWork {
  static constexpr int kMaxPipeline = 16;

  // Read buffer (empty while idle, from ReceiveBuffers): [begin, end) is not yet parsed or
  // consumed as body; heads of undelivered slots sit before begin and are kept (retainFrom) until
  // their records are written.
  std::vector<char> in;
  size_t begin = 0, end = 0;
  int readErrno = 0;  // a batched receive failed: the next fill() reports it
  HeadParser parser;
  bool headParsed = false;      // the parse slot (slotAt(count)) holds a parsed, unrouted head
  bool handOffWaiting = false;  // it routes to another loop: move once the ring is empty
  RouteTarget handOff;
  int handOffHops = 0;

  // The ring: count slots from first; slots [0, wire) have queued their last bytes. Slots come
  // from RequestSlots and go back when the connection is idle.
  std::array<std::unique_ptr<RequestSlot>, kMaxPipeline> ring;
  int first = 0, count = 0, wire = 0;
  mutable int8_t lastFound = -1;  // indexOf's last scan result: where the next lookup looks first
  uint64_t blockingId = 0;  // an Upgrade/CONNECT request: parse nothing behind it until it ends

  // The body owner: the last slot, whose body was not all buffered when it was parsed. The
  // fields after owner are set whenever an owner is; they mean nothing while owner is 0.
  uint64_t owner = 0;
  bool ownerChunked = false;
  bool ownerExpectContinue = false;
  bool bodyDone = true;
  bool continueSent = false;
  uint64_t bodyRemaining = 0;  // Content-Length bytes not yet handed out
  uint64_t bodyTotal = 0;      // body bytes handed out (for maxRequestBodyBytes)
  ChunkedDecoder chunked;

  // The pending receiveBody of the owner / opaque stream.
  bool readPending = false;
  bool bodyStreaming = false;  // the last body read brought a bulk (Connection::kBulkReadBytes)
  bool coalescing = false;     // a body read waits in the loop's coalescing list
  uint32_t receiveLowWater = 1;  // the socket's SO_RCVLOWAT (back to 1 when the body ends)
  uint32_t readCapacity = 0;
  uint8_t* readBuffer = nullptr;
  uint64_t readToken = 0;

  OutputQueue output;
  bool flushing = false, flushAgain = false;
  bool parsing = false, parseAgain = false;

  // Timers (checked by Connection::onTick; 0 = not running).
  int64_t headStarted = 0;       // first byte of an incomplete head arrived
  int64_t bodyWaitSince = 0;     // a body read waits for bytes since
  int64_t sendWindowStart = 0;   // output pending since
  uint64_t sendWindowBytes = 0;  // bytes written before it (what is owed since = queued - this)
  int64_t lingerDeadline = 0;

  // Holds nothing a connection still needs: no buffer, slot, output, head, body, read, hand-off
  // or timer, and no call on the stack. Giving it back then changes nothing but memory.
  bool idle() const;
};

class ConnectionWorks {
 public:
  // About as many as connections work at once under load (as RequestSlots::kMaxFree).
  static constexpr size_t kMaxFree = 1024;

  std::unique_ptr<ConnectionWork> take();
  // Takes work (idle) back, leaving it null.
  void give(std::unique_ptr<ConnectionWork>& work);

 private:
  std::vector<std::unique_ptr<ConnectionWork>> free_;
};

}  // namespace hsys::posix
