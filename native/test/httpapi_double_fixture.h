// A loop and a started queue of the real windows backend running on the HTTP Server API double,
// for the cases that check what the backend hands over where Wine behaves unlike Windows.
#pragma once
#ifdef _WIN32

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "engine_harness.h"
#include "httpapi_double.h"

namespace hsys::test {

struct DoubleServer {
  static constexpr uint64_t kQueueToken = 1;
  HttpApiDouble api;  // declared first: in place before the loop is made, removed after it is gone
  Harness harness;
  Queue* queue = nullptr;  // null once closed

  explicit DoubleServer(const QueueOptions& options = {}) {
    REQUIRE_MESSAGE(harness.lastError.empty(), harness.lastError);
    api.attach(harness.loop());
    Error error;
    queue = harness.loop().createQueue(options, kQueueToken, error);
    REQUIRE_MESSAGE(queue != nullptr, error.message);
    REQUIRE_MESSAGE(queue->addUrl("http://+:8080/", error), error.message);
    REQUIRE_MESSAGE(queue->start(error), error.message);
  }

  ~DoubleServer() {
    if (queue != nullptr) closeQueue();
  }

  // Closes the queue and returns its kQueueClosed (the Queue object is gone after it).
  Completion closeQueue() {
    queue->close();
    queue = nullptr;
    Completion closed{};
    harness.waitFor(kQueueClosed, kQueueToken, closed, 5000);
    return closed;
  }

  // A request arrives and the queue hands it out.
  ReceivedRequest deliver(const DoubleRequest& request) {
    api.arrive(request);
    ReceivedRequest received;
    REQUIRE(harness.waitForRequest(received));
    return received;
  }

  // Hands a send over without polling (as a Java write does), returning send()'s status.
  int32_t handOver(uint64_t requestId, ResponseBuilder& response, uint64_t token) {
    const std::vector<uint8_t>& record = response.build();
    return queue->send(requestId, record.data(), static_cast<uint32_t>(record.size()), token);
  }

  // Polls until the completion comes (the held sends leave at the start of each poll).
  Completion expect(uint32_t type, uint64_t token = 0, int timeoutMillis = 2000) {
    Completion completion{};
    REQUIRE(harness.waitFor(type, token, completion, timeoutMillis));
    return completion;
  }

  bool nothing(uint32_t type, int timeoutMillis = 200) {
    Completion completion{};
    return !harness.waitFor(type, 0, completion, timeoutMillis);
  }
};

}  // namespace hsys::test

#endif  // _WIN32
