// Windows backend: QueueOptions as HTTP.SYS sees them (modes and names, limits and timeouts as
// server properties) and the limit HTTP.SYS does not have, maxRequestBodyBytes, which the
// backend enforces with its own 413. Cases Wine cannot run are skipped with the reason.
#ifdef _WIN32

#include <doctest/doctest.h>

#include <string>

#include "engine_harness.h"
#include "test_client.h"
#include "windows_test_util.h"

using namespace hsys;
using namespace hsys::test;

namespace {

int statusOf(const std::string& raw) {
  ParsedResponse parsed;
  return parseResponse(raw, parsed) ? parsed.status : 0;
}

// A queue name no other test (or process) uses.
std::string uniqueQueueName(const char* what) {
  return std::string("hsys-test-") + what + "-" + std::to_string(GetCurrentProcessId()) + "-" +
         std::to_string(freePort());
}

}  // namespace

TEST_SUITE("windows backend: queue options") {

TEST_CASE("inconsistent or out-of-range options are refused before anything is created") {
  Harness harness;
  REQUIRE_MESSAGE(harness.lastError.empty(), harness.lastError);
  Error error;
  QueueOptions badMode;
  badMode.mode = 7;
  CHECK(harness.loop().createQueue(badMode, 2, error) == nullptr);
  CHECK(error.status == kInvalidArgument);
  CHECK(error.message.find("not a QueueMode") != std::string::npos);

  QueueOptions nameless;
  nameless.mode = kQueueAttach;
  error = Error{};
  CHECK(harness.loop().createQueue(nameless, 3, error) == nullptr);
  CHECK(error.status == kInvalidArgument);
  CHECK(error.message.find("needs a request queue name") != std::string::npos);

  QueueOptions tooLong;
  tooLong.headerWaitTimeoutSeconds = 70000;
  error = Error{};
  CHECK(harness.loop().createQueue(tooLong, 4, error) == nullptr);
  CHECK(error.status == kInvalidArgument);
  CHECK(error.message.find("headerWaitTimeoutSeconds = 70000") != std::string::npos);
  CHECK(error.message.find("65535") != std::string::npos);
}

TEST_CASE("every limit and timeout set: the queue opens and serves") {
  // On Windows each becomes a server property (checked by HTTP.SYS, which would refuse bad
  // values with an error naming the call); Wine answers ERROR_CALL_NOT_IMPLEMENTED for them,
  // which the backend tolerates only there.
  Harness harness;
  QueueOptions options;
  options.queueLength = 50;
  options.maxConnections = 10;
  options.entityBodyTimeoutSeconds = 30;
  options.drainEntityBodyTimeoutSeconds = 30;
  options.requestQueueTimeoutSeconds = 30;
  options.idleConnectionTimeoutSeconds = 30;
  options.headerWaitTimeoutSeconds = 30;
  options.minSendRateBytesPerSecond = 200;
  options.name = uniqueQueueName("limits");
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client, options);
  ReceivedRequest request = harness.request(client, "GET /limits HTTP/1.1\r\n" + hostHeader(port) + "\r\n");
  answer(harness, queue, request, client);
}

TEST_CASE("queueLength: with the queue full, HTTP.SYS answers 503 instead of resetting" *
          doctest::skip(runningUnderWine()) *
          doctest::description("Wine implements neither HttpServerQueueLengthProperty nor "
                               "HttpServer503VerbosityProperty")) {
  Harness harness;
  QueueOptions options;
  options.queueLength = 1;
  options.pendingReceives = 1;
  uint16_t port = freePort();
  Queue* queue = harness.openQueue(port, options);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  // The loop does not poll meanwhile, so no receive is reposted: the first request takes the
  // posted receive, the second waits in the queue (length 1), the third overflows it.
  TestConnection first, second, third;
  REQUIRE(first.connect(port));
  REQUIRE(first.sendAll("GET /1 HTTP/1.1\r\n" + hostHeader(port) + "\r\n"));
  Sleep(200);
  REQUIRE(second.connect(port));
  REQUIRE(second.sendAll("GET /2 HTTP/1.1\r\n" + hostHeader(port) + "\r\n"));
  Sleep(200);
  REQUIRE(third.connect(port));
  REQUIRE(third.sendAll("GET /3 HTTP/1.1\r\n" + hostHeader(port) + "\r\n"));
  std::string raw;
  REQUIRE(third.readResponse(raw, 5000));
  CHECK(statusOf(raw) == 503);
  // The first two are served once the loop polls again.
  for (int served = 0; served < 2; ++served) {
    ReceivedRequest request;
    REQUIRE(harness.waitForRequest(request));
    answer(harness, queue, request, request.url == "/1" ? first : second);
  }
}

TEST_CASE("idleConnectionTimeoutSeconds: an idle keep-alive connection is closed" *
          doctest::skip(runningUnderWine()) *
          doctest::description("Wine does not implement HttpServerTimeoutsProperty")) {
  Harness harness;
  QueueOptions options;
  options.idleConnectionTimeoutSeconds = 2;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client, options);
  ReceivedRequest request = harness.request(client, "GET /idle HTTP/1.1\r\n" + hostHeader(port) + "\r\n");
  answer(harness, queue, request, client);
  // The idle timer runs once the connection's first request was routed; HTTP.SYS's timer wheel
  // is coarse, so allow several times the limit.
  std::string rest;
  CHECK(client.readUntilClosed(rest, 15000));
  CHECK(rest.empty());
}

TEST_CASE("Wine: attaching to a named queue is refused, since Wine ignores queue names" *
          doctest::skip(!runningUnderWine()) *
          doctest::description("only under Wine: Windows attaches (see the next case)")) {
  Harness harness;
  QueueOptions options;
  options.name = uniqueQueueName("attach");
  options.mode = kQueueAttach;
  Error error;
  CHECK(harness.loop().createQueue(options, 5, error) == nullptr);
  CHECK(error.status == kUnsupported);
  CHECK(error.message.find("HTTP_CREATE_REQUEST_QUEUE_FLAG_OPEN_EXISTING") != std::string::npos);
  CHECK(error.message.find("ignores request queue names") != std::string::npos);
}

TEST_CASE("named queues: attach opens the creator's queue, takes no URLs and serves its requests" *
          doctest::skip(runningUnderWine()) *
          doctest::description("Wine ignores request queue names and OPEN_EXISTING")) {
  std::string name = uniqueQueueName("shared");
  // Attaching to a name nobody created says so.
  Harness early;
  QueueOptions attach;
  attach.name = name;
  attach.mode = kQueueAttach;
  Error error;
  CHECK(early.loop().createQueue(attach, 6, error) == nullptr);
  CHECK(error.systemCode == ERROR_FILE_NOT_FOUND);
  CHECK(error.message.find("HttpCreateRequestQueue") != std::string::npos);
  CHECK(error.message.find("must run first") != std::string::npos);

  // The creator registers the URL and posts no receive; the attached queue serves.
  Harness creator;
  uint16_t port = freePort();
  QueueOptions create;
  create.name = name;
  Queue* owner = creator.loop().createQueue(create, 7, error);
  REQUIRE_MESSAGE(owner != nullptr, error.message);
  REQUIRE_MESSAGE(owner->addUrl(prefixFor(port), error), error.message);

  Harness server;
  QueueOptions either;
  either.name = name;
  either.mode = kQueueCreateOrAttach;  // exists already: attaches
  Queue* attached = server.loop().createQueue(either, 8, error);
  REQUIRE_MESSAGE(attached != nullptr, error.message);
  Error refused;
  CHECK_FALSE(attached->addUrl(prefixFor(freePort()), refused));
  CHECK(refused.message.find("creator registers its URLs") != std::string::npos);
  REQUIRE_MESSAGE(attached->start(error), error.message);

  TestConnection client;
  REQUIRE(client.connect(port));
  REQUIRE(client.sendAll("GET /attached HTTP/1.1\r\n" + hostHeader(port) + "\r\n"));
  ReceivedRequest request;
  REQUIRE(server.waitForRequest(request));
  CHECK(request.url == "/attached");
  answer(server, attached, request, client);
  attached->close();
  owner->close();
  Completion closed;
  CHECK(server.waitFor(kQueueClosed, 8, closed));
  CHECK(creator.waitFor(kQueueClosed, 7, closed));
}

TEST_CASE("a declared body over maxRequestBodyBytes is answered 413 by the backend, never delivered") {
  Harness harness;
  QueueOptions options;
  options.maxRequestBodyBytes = 10;
  uint16_t port = freePort();
  Queue* queue = harness.openQueue(port, options);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);

  TestConnection big;
  REQUIRE(big.connect(port));
  REQUIRE(big.sendAll("POST /big HTTP/1.1\r\n" + hostHeader(port) +
                      "Content-Length: 11\r\n\r\nhello world"));
  // Nothing reaches the handler; the engine's poll still has to run for the answer to go out.
  ReceivedRequest none;
  CHECK_FALSE(harness.waitForRequest(none, 500));
  std::string raw;
  REQUIRE(big.readResponse(raw));
  CHECK(statusOf(raw) == 413);
  ParsedResponse parsed;
  REQUIRE(parseResponse(raw, parsed));
  CHECK(parsed.header("Connection") == "close");

  // At the limit the request is delivered as usual.
  TestConnection small;
  REQUIRE(small.connect(port));
  REQUIRE(small.sendAll("POST /small HTTP/1.1\r\n" + hostHeader(port) +
                        "Content-Length: 10\r\n\r\n0123456789"));
  ReceivedRequest request;
  REQUIRE(harness.waitForRequest(request));
  CHECK(request.url == "/small");
  CHECK(request.body == "0123456789");
  answer(harness, queue, request, small);
}

TEST_CASE("a chunked body growing past maxRequestBodyBytes ends the request with 413" *
          doctest::skip(runningUnderWine()) *
          doctest::description("Wine's http.sys does not parse chunked request bodies")) {
  Harness harness;
  QueueOptions options;
  options.maxRequestBodyBytes = 10;
  options.receiveBufferSize = 4096;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client, options);
  REQUIRE(client.sendAll("POST /chunked HTTP/1.1\r\n" + hostHeader(port) +
                         "Transfer-Encoding: chunked\r\n\r\n"));
  ReceivedRequest request;
  REQUIRE(harness.waitForRequest(request));
  REQUIRE(client.sendAll("8\r\n01234567\r\n8\r\n89abcdef\r\n"));
  uint8_t buffer[64];
  size_t total = request.body.size();
  Completion read{};
  for (uint64_t token = 300; token < 310; ++token) {
    REQUIRE(queue->receiveBody(request.requestId, buffer, sizeof buffer, token) == kOk);
    REQUIRE(harness.waitFor(kBodyReceived, token, read));
    if (read.status != kOk || read.length == 0) break;
    total += read.length;
  }
  CHECK(read.status == kInvalidArgument);
  Completion aborted;
  REQUIRE(harness.waitFor(kRequestAborted, 0, aborted));
  CHECK(aborted.requestId == request.requestId);
  std::string raw;
  CHECK(client.readUntilClosed(raw, 3000));
  CHECK(statusOf(raw) == 413);
  ResponseBuilder late;
  const std::vector<uint8_t>& record = late.header("Content-Length", "0").build();
  CHECK(queue->send(request.requestId, record.data(), static_cast<uint32_t>(record.size()), 9) ==
        kNoSuchRequest);
}

}  // TEST_SUITE

#endif  // _WIN32
