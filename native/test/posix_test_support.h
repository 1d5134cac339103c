// Helpers shared by the posix-only contract test files: raw requests, pumping the loop while a
// blocking client reads, and a queue on explicit prefixes.
#pragma once
#ifndef _WIN32

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "engine_harness.h"
#include "test_client.h"

namespace hsys::test {

inline std::string hostHeader(uint16_t port) { return "Host: 127.0.0.1:" + std::to_string(port) + "\r\n"; }

inline std::string get(const std::string& path, uint16_t port, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\n" + hostHeader(port) + extra + "\r\n";
}

// The loop runs on the test thread: poll it for a moment (completions go to the backlog).
inline void pump(Harness& harness, int millis = 5) {
  Completion none;
  harness.waitFor(0xFFFF, 0, none, millis);
}

// Reads one response while the loop keeps running.
inline bool pumpResponse(Harness& harness, TestConnection& client, std::string& raw, int timeoutMillis = 3000) {
  for (int waited = 0; waited < timeoutMillis; waited += 10) {
    pump(harness);
    if (client.readResponse(raw, 5)) return true;
  }
  return false;
}

// Reads until the server ends the connection (FIN or RST) while the loop keeps running.
inline TestConnection::End pumpUntilEnd(Harness& harness, TestConnection& client, std::string& raw,
                                        int timeoutMillis = 3000) {
  raw.clear();
  for (int waited = 0; waited < timeoutMillis; waited += 10) {
    pump(harness);
    std::string part;
    TestConnection::End end = client.readUntilEnd(part, 5);
    raw += part;
    if (end != TestConnection::End::kTimeout) return end;
  }
  return TestConnection::End::kTimeout;
}

// Reads until the server closes while the loop keeps running; true when it closed.
inline bool pumpUntilClosed(Harness& harness, TestConnection& client, std::string& raw, int timeoutMillis = 3000) {
  return pumpUntilEnd(harness, client, raw, timeoutMillis) != TestConnection::End::kTimeout;
}

// Sends bytes on a new connection and reads until the server closes it (closed says whether it
// did within the time).
inline std::string exchangeUntilClose(Harness& harness, uint16_t port, const std::string& bytes, bool* closed) {
  TestConnection client;
  if (!client.connect(port)) return "";
  client.sendAll(bytes);
  std::string raw;
  *closed = pumpUntilClosed(harness, client, raw);
  return raw;
}

inline int statusOf(const std::string& raw) { return raw.size() > 12 ? std::atoi(raw.c_str() + 9) : 0; }

inline std::string bodyOf(const std::string& raw) {
  ParsedResponse parsed;
  return parseResponse(raw, parsed) ? parsed.body : std::string("<unparsable>");
}

// Sends a 200 with body on its own send token; does not wait.
inline int32_t sendText(Queue* queue, uint64_t requestId, ResponseBuilder& response, const std::string& body,
                        uint64_t token) {
  return response.status(200, "OK").header("Content-Length", std::to_string(body.size())).body(body)
      .sendTo(queue, requestId, token);
}

// A queue on explicit prefixes, closed (and its kQueueClosed awaited) by the destructor.
struct PrefixQueue {
  Harness& harness;
  Queue* queue = nullptr;
  uint64_t token;
  PrefixQueue(Harness& h, uint64_t queueToken, const std::vector<std::string>& prefixes, const QueueOptions& options = {})
      : harness(h), token(queueToken) {
    Error error;
    queue = h.loop().createQueue(options, token, error);
    REQUIRE_MESSAGE(queue != nullptr, error.message);
    for (const std::string& prefix : prefixes) REQUIRE_MESSAGE(queue->addUrl(prefix, error), error.message);
    REQUIRE(queue->start(error));
  }
  ~PrefixQueue() {
    queue->close();
    Completion closed;
    CHECK(harness.waitFor(kQueueClosed, token, closed));
  }
};

}  // namespace hsys::test

#endif
