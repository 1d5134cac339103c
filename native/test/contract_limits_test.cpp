// Posix engine: HTTP.SYS timeouts and limits from QueueOptions (header wait, keep-alive idle,
// entity body, minimum send rate, maxConnections) and an oversized chunked body. Timeouts are
// 1-2 s; assertions allow generous bounds (tests may run under load).
#ifndef _WIN32

#include <doctest/doctest.h>

#include <chrono>

#include "posix_test_support.h"

using namespace hsys;
using namespace hsys::test;

namespace {

int64_t millisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("posix limits: a head that never completes is answered 408 after headerWaitTimeout") {
  Harness harness;
  uint16_t port = freePort();
  QueueOptions options;
  options.headerWaitTimeoutSeconds = 1;
  REQUIRE_MESSAGE(harness.openQueue(port, options) != nullptr, harness.lastError);
  TestConnection client;
  REQUIRE(client.connect(port));
  REQUIRE(client.sendAll("GET /slow HTTP/1.1\r\n" + hostHeader(port)));
  auto start = std::chrono::steady_clock::now();
  std::string raw;
  REQUIRE(pumpUntilClosed(harness, client, raw, 8000));
  CHECK(millisSince(start) >= 900);
  CHECK(statusOf(raw) == 408);
  Completion none;
  CHECK_FALSE(harness.waitFor(kRequestReceived, 0, none, 10));
}

TEST_CASE("posix limits: an idle keep-alive connection is closed after idleConnectionTimeout") {
  Harness harness;
  uint16_t port = freePort();
  QueueOptions options;
  options.idleConnectionTimeoutSeconds = 1;
  Queue* queue = harness.openQueue(port, options);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  TestConnection silent;  // never sends anything
  REQUIRE(silent.connect(port));
  TestConnection client;
  REQUIRE(client.connect(port));
  ReceivedRequest request = harness.request(client, get("/", port));
  ResponseBuilder response;
  REQUIRE(sendText(queue, request.requestId, response, "ok", 5) == kOk);
  std::string raw;
  REQUIRE(pumpResponse(harness, client, raw));
  CHECK(statusOf(raw) == 200);
  auto start = std::chrono::steady_clock::now();
  REQUIRE(pumpUntilClosed(harness, client, raw, 8000));
  CHECK(millisSince(start) >= 500);
  CHECK(raw.empty());
  REQUIRE(pumpUntilClosed(harness, silent, raw, 8000));
}

TEST_CASE("posix limits: a body that stops arriving fails the read after entityBodyTimeout") {
  Harness harness;
  uint16_t port = freePort();
  QueueOptions options;
  options.entityBodyTimeoutSeconds = 1;
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client, options);
  ReceivedRequest request =
      harness.request(client, "POST /up HTTP/1.1\r\n" + hostHeader(port) + "Content-Length: 10\r\n\r\nabc");
  uint8_t buffer[16];
  REQUIRE(queue->receiveBody(request.requestId, buffer, sizeof buffer, 31) == kOk);
  Completion read;
  REQUIRE(harness.waitFor(kBodyReceived, 31, read, 8000));
  CHECK(read.status != kOk);
  Completion aborted;
  CHECK(harness.waitFor(kRequestAborted, 0, aborted, 2000));
  std::string raw;
  CHECK(pumpUntilClosed(harness, client, raw, 3000));
}

TEST_CASE("posix limits: a client reading slower than minSendRate is disconnected") {
  Harness harness;
  uint16_t port = freePort();
  QueueOptions options;
  options.minSendRateBytesPerSecond = 64 * 1024 * 1024;  // the body below is owed within ~1 s
  TestConnection client;  // asks and never reads
  Queue* queue = harness.openAndConnect(port, client, options);
  ReceivedRequest request = harness.request(client, get("/big", port));
  std::string body(64 * 1024 * 1024, 'x');  // far more than the socket buffers hold
  ResponseBuilder response;
  REQUIRE(sendText(queue, request.requestId, response, body, 41) == kOk);
  Completion done;
  REQUIRE(harness.waitFor(kSendCompleted, 41, done, 15000));
  CHECK(done.status == kConnectionLost);
}

TEST_CASE("posix limits: a reader that pauses but keeps the minimum rate overall is not cut off") {
  Harness harness;
  uint16_t port = freePort();
  QueueOptions options;
  options.minSendRateBytesPerSecond = 1024 * 1024;  // 16 MB may take 16 s
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client, options);
  ReceivedRequest request = harness.request(client, get("/big", port));
  std::string body(16 * 1024 * 1024, 'y');
  ResponseBuilder response;
  REQUIRE(sendText(queue, request.requestId, response, body, 42) == kOk);
  pump(harness, 3000);  // the client reads nothing for 3 s: more than one 2 s window
  std::string raw;
  REQUIRE(pumpResponse(harness, client, raw, 20000));
  CHECK(raw.size() > body.size());
  Completion done;
  REQUIRE(harness.waitFor(kSendCompleted, 42, done));
  CHECK(done.status == kOk);
}

TEST_CASE("posix limits: connections above maxConnections get 503 and are closed") {
  Harness harness;
  uint16_t port = freePort();
  QueueOptions options;
  options.maxConnections = 2;
  Queue* queue = harness.openQueue(port, options);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  TestConnection first, second;
  REQUIRE(first.connect(port));
  REQUIRE(second.connect(port));
  pump(harness, 50);  // both accepted
  TestConnection third;
  REQUIRE(third.connect(port));
  std::string raw;
  REQUIRE(pumpUntilClosed(harness, third, raw));
  CHECK(statusOf(raw) == 503);
  // A slot frees when a connection ends; the next one is served.
  first.close();
  pump(harness, 50);
  pump(harness, 50);  // the closed connection is freed at the poll after it was retired
  TestConnection fourth;
  REQUIRE(fourth.connect(port));
  REQUIRE(fourth.sendAll(get("/", port)));
  ReceivedRequest request;
  REQUIRE(harness.waitForRequest(request));
  ResponseBuilder response;
  REQUIRE(sendText(queue, request.requestId, response, "in", 6) == kOk);
  REQUIRE(pumpResponse(harness, fourth, raw));
  CHECK(statusOf(raw) == 200);
}

TEST_CASE("posix limits: a chunked body above maxRequestBodyBytes is answered 413") {
  Harness harness;
  uint16_t port = freePort();
  QueueOptions options;
  options.maxRequestBodyBytes = 8;
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client, options);
  ReceivedRequest request =
      harness.request(client, "POST /c HTTP/1.1\r\n" + hostHeader(port) + "Transfer-Encoding: chunked\r\n\r\n");
  REQUIRE(client.sendAll("6\r\nhello \r\n6\r\nworld!\r\n0\r\n\r\n"));
  uint8_t buffer[64];
  int32_t status = kOk;
  for (int i = 0; i < 4 && status == kOk; ++i) {
    REQUIRE(queue->receiveBody(request.requestId, buffer, sizeof buffer, 60 + static_cast<uint64_t>(i)) == kOk);
    Completion read;
    REQUIRE(harness.waitFor(kBodyReceived, 60 + static_cast<uint64_t>(i), read));
    status = read.status;
  }
  CHECK(status != kOk);
  std::string raw;
  REQUIRE(pumpUntilClosed(harness, client, raw));
  CHECK(statusOf(raw) == 413);
  ResponseBuilder late;
  CHECK(sendText(queue, request.requestId, late, "late", 61) == kNoSuchRequest);
}

#endif
