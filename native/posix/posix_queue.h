// The Queue of the posix engine: a set of URL prefixes in the process-wide ListenerRegistry and
// the requests routed to them. Operations find the request's connection through its loop.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "hsys/engine.h"
#include "url_prefix.h"

namespace hsys::posix {

class PosixLoop;

class PosixQueue : public Queue {
 public:
  PosixQueue(PosixLoop& loop, const QueueOptions& options, uint64_t token, uint64_t serial);
  ~PosixQueue() override;

  bool addUrl(const std::string& prefix, Error& error) override;
  bool removeUrl(const std::string& prefix, Error& error) override;
  bool start(Error& error) override;
  int32_t send(uint64_t requestId, const uint8_t* record, uint32_t recordLength, uint64_t sendToken) override;
  int32_t receiveBody(uint64_t requestId, uint8_t* buffer, uint32_t capacity, uint64_t bodyToken) override;
  int32_t cancel(uint64_t requestId) override;
  int32_t closeConnection(uint64_t connectionId) override;
  void close() override;

  // Connections this queue closed while they were on another loop: their later requests to this
  // queue close them instead of being delivered. Forgotten when they end (bounded either way).
  bool refusesConnection(uint64_t connectionId) const;
  void forgetClosedConnection(uint64_t connectionId);

  uint64_t token() const { return token_; }
  uint64_t serial() const { return serial_; }
  bool accepting() const { return started_ && !closed_; }
  uint32_t queueLength() const { return options_.queueLength ? options_.queueLength : kDefaultQueueLength; }
  uint32_t receiveBufferSize() const { return options_.receiveBufferSize ? options_.receiveBufferSize : 16 * 1024; }
  uint64_t maxRequestBodyBytes() const { return options_.maxRequestBodyBytes; }

  // Requests routed here that the application has not taken yet (their kRequestReceived is not
  // delivered by poll): HTTP.SYS's request queue, bounded by queueLength (503 beyond it). A
  // delivered request no longer counts, however long its answer takes.
  uint32_t waiting = 0;

  // Drops every prefix from the registry without completions (loop destruction).
  void unregisterAll();

 private:
  PosixLoop& loop_;
  QueueOptions options_;
  uint64_t token_;
  uint64_t serial_;
  bool started_ = false;
  bool closed_ = false;
  std::vector<UrlPrefix> prefixes_;
  std::deque<uint64_t> closedElsewhere_;
};

}  // namespace hsys::posix
