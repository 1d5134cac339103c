// Shared by the windows contract tests: which Wine (if any) they run under (wine_detection.h)
// and the small client steps every case repeats.
#pragma once
#ifdef _WIN32

#include <doctest/doctest.h>

#include <windows.h>

#include <string>

#include "engine_harness.h"
#include "test_client.h"
#include "wine_detection.h"

namespace hsys::test {

inline std::string hostHeader(uint16_t port) {
  return "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
}

inline std::string prefixFor(uint16_t port) {
  return "http://127.0.0.1:" + std::to_string(port) + "/";
}

// A started queue on prefixFor(port) under the caller's token, for tests that close it (or its
// loop) themselves and look for completions with that token.
inline Queue* startQueue(Loop& loop, uint16_t port, uint64_t token) {
  Error error;
  Queue* queue = loop.createQueue(QueueOptions{}, token, error);
  REQUIRE_MESSAGE(queue != nullptr, error.message);
  REQUIRE_MESSAGE(queue->addUrl(prefixFor(port), error), error.message);
  REQUIRE_MESSAGE(queue->start(error), error.message);
  return queue;
}

// Answers a request with a small fixed body and checks the client got it.
inline void answer(Harness& harness, Queue* queue, const ReceivedRequest& request,
                   TestConnection& client, const std::string& body = "ok") {
  ResponseBuilder response;
  response.header("Content-Length", std::to_string(body.size())).body(body);
  CHECK(harness.respond(queue, request.requestId, response, client).body == body);
}

}  // namespace hsys::test

#endif  // _WIN32
