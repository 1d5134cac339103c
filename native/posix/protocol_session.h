// The seam between a connection's transport side (socket, edge-triggered events, timers, closing:
// connection.cpp) and the protocol spoken on it. Today there is one protocol, HTTP/1.1, which
// Connection implements itself (request_intake.cpp, body_reader.cpp, response_sender.cpp). An
// HTTP/2 session would implement this interface beside it, chosen once per connection (a prior-
// knowledge preface or an h2c upgrade). The connection calls it once per event, never per byte.
#pragma once

#include <cstdint>

#include "hsys/records.h"

namespace hsys::posix {

class ProtocolSession {
 public:
  // The socket became readable (or the peer ended its stream; peerHalfClosed: EPOLLRDHUP came
  // with the event): read, parse, hand requests to their queues, feed a pending body read.
  virtual void onBytesArrived(bool peerHalfClosed) = 0;
  // The application handed over a send for requestId (Queue::send); a status as Queue::send.
  virtual int32_t onSendAccepted(uint64_t requestId, const ResponseView& view, uint64_t token) = 0;
  // Bytes of the output queue were written: complete sends, retire finished requests.
  virtual void onOutputProgressed() = 0;

 protected:
  ~ProtocolSession() = default;
};

}  // namespace hsys::posix
