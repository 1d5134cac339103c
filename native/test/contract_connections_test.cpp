// The engine contract for client connections: kConnectionClosed tells a queue that a connection
// it was handed requests of has ended, and Queue::closeConnection ends one as closing a socket
// does (the responses already handed over first). The Java side builds one child channel per
// connection on these two.
#include <doctest/doctest.h>

#include "engine_harness.h"
#include "test_client.h"
#ifdef _WIN32
#include "windows_test_util.h"
#endif

using namespace hsys;
using namespace hsys::test;

namespace {

std::string getRequest(const std::string& path, uint16_t port) {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n";
}

// Waits for the kConnectionClosed of connectionId (other connections' are skipped).
bool waitForClosed(Harness& harness, uint64_t connectionId, int timeoutMillis = 5000) {
  Completion closed;
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (!harness.waitFor(kConnectionClosed, 0, closed, timeoutMillis)) return false;
    if (closed.address == connectionId) return true;
  }
  return false;
}

// Reads what the client gets until the server closes, polling the loop meanwhile.
bool readUntilServerCloses(Harness& harness, TestConnection& client, std::string& raw) {
  raw.clear();
  for (int waited = 0; waited < 5000; waited += 10) {
    Completion none;
    harness.waitFor(0xFFFF, 0, none, 5);
    std::string part;
    bool closed = client.readUntilClosed(part, 5);
    raw += part;
    if (closed) return true;
  }
  return false;
}

// What Wine's http.sys (8 and 10) cannot do: HttpWaitForDisconnectEx is a process-aborting stub
// (no kConnectionClosed from it), and HTTP_SEND_RESPONSE_FLAG_DISCONNECT is ignored (the
// connection stays open). The windows backend's side of both runs on the HTTP Server API double
// (windows_double_connections_test.cpp); these cases run on Windows.
#ifdef _WIN32
const bool kNoDisconnectWait = runningUnderWine();
const bool kNoDisconnectFlag = runningUnderWine();
const bool kNoBodySends = wineWithoutStreaming();
#else
constexpr bool kNoDisconnectWait = false;
constexpr bool kNoDisconnectFlag = false;
constexpr bool kNoBodySends = false;
#endif

}  // namespace

TEST_CASE("a connection the client closes is reported to the queue it served, once" *
          doctest::skip(kNoDisconnectWait) *
          doctest::description("Wine: HttpWaitForDisconnectEx is a process-aborting stub (Wine 8 and 10)")) {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request = harness.request(client, getRequest("/first", port));
  ResponseBuilder response;
  response.status(200, "OK").header("Content-Length", "2").body("ok");
  ParsedResponse parsed = harness.respond(queue, request.requestId, response, client);
  CHECK(parsed.status == 200);
  client.close();
  CHECK(waitForClosed(harness, request.connectionId));
  Completion again;
  CHECK_FALSE(harness.waitFor(kConnectionClosed, 0, again, 300));
}

TEST_CASE("closeConnection right after the last response: the client reads it, then the connection ends" *
          doctest::skip(kNoDisconnectFlag || kNoDisconnectWait) *
          doctest::description("Wine ignores HTTP_SEND_RESPONSE_FLAG_DISCONNECT and has no disconnect waits")) {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request = harness.request(client, getRequest("/bye", port));
  ResponseBuilder response;
  response.status(200, "OK").header("Content-Length", "3").body("bye");
  const std::vector<uint8_t>& record = response.build();
  // No poll between the send and the close: the close must still reach this response.
  REQUIRE(accepted(queue->send(request.requestId, record.data(), static_cast<uint32_t>(record.size()), 77)));
  REQUIRE(queue->closeConnection(request.connectionId) == kOk);
  std::string raw;
  CHECK(readUntilServerCloses(harness, client, raw));
  ParsedResponse parsed;
  REQUIRE(parseResponse(raw, parsed));
  CHECK(parsed.status == 200);
  CHECK(parsed.body == "bye");
  Completion sent;
  REQUIRE(harness.waitFor(kSendCompleted, 77, sent));
  CHECK(sent.status == kOk);
  CHECK(waitForClosed(harness, request.connectionId));
  CHECK(queue->closeConnection(request.connectionId) == kNoSuchRequest);
}

TEST_CASE("several sends of one response may be in the engine at once; they complete in order" *
          doctest::skip(kNoBodySends) *
          doctest::description("Wine 8: HttpSendResponseEntityBody is a process-aborting stub")) {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request = harness.request(client, getRequest("/parts", port));
  ResponseBuilder head, middle, last;
  head.status(200, "OK").header("Content-Length", "12").body("part").flags(kResponseMoreData);
  middle.bodyOnly().body("part").flags(kResponseMoreData);
  last.bodyOnly().body("last");
  uint64_t token = 600;
  for (ResponseBuilder* part : {&head, &middle, &last}) {
    const std::vector<uint8_t>& record = part->build();
    REQUIRE(accepted(queue->send(request.requestId, record.data(), static_cast<uint32_t>(record.size()), token++)));
  }
  for (uint64_t expected = 600; expected < token; ++expected) {
    Completion done;
    REQUIRE(harness.waitFor(kSendCompleted, 0, done));
    CHECK(done.token == expected);
    CHECK(done.status == kOk);
  }
  std::string raw;
  REQUIRE(client.readResponse(raw));
  ParsedResponse parsed;
  REQUIRE(parseResponse(raw, parsed));
  CHECK(parsed.body == "partpartlast");
}

#ifndef _WIN32

TEST_CASE("posix: closeConnection on an idle keep-alive connection ends it at once") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request = harness.request(client, getRequest("/idle", port));
  ResponseBuilder response;
  response.status(200, "OK").header("Content-Length", "1").body("x");
  CHECK(harness.respond(queue, request.requestId, response, client).status == 200);
  REQUIRE(queue->closeConnection(request.connectionId) == kOk);
  std::string raw;
  CHECK(readUntilServerCloses(harness, client, raw));
  CHECK(raw.empty());
  CHECK(waitForClosed(harness, request.connectionId));
}

TEST_CASE("posix: closeConnection drops the unanswered requests behind the last response") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  REQUIRE(client.sendAll(getRequest("/1", port) + getRequest("/2", port) + getRequest("/3", port)));
  std::vector<ReceivedRequest> requests(3);
  for (ReceivedRequest& request : requests) REQUIRE(harness.waitForRequest(request));
  ResponseBuilder first;
  first.status(200, "OK").header("Content-Length", "5").body("first");
  const std::vector<uint8_t>& record = first.build();
  REQUIRE(accepted(queue->send(requests[0].requestId, record.data(), static_cast<uint32_t>(record.size()), 81)));
  REQUIRE(queue->closeConnection(requests[0].connectionId) == kOk);
  std::string raw;
  CHECK(readUntilServerCloses(harness, client, raw));
  ParsedResponse parsed;
  REQUIRE(parseResponse(raw, parsed));
  CHECK(parsed.body == "first");
  CHECK(raw.find("HTTP/1.1", 5) == std::string::npos);  // nothing after the first response
  ResponseBuilder late;
  late.status(200, "OK").header("Content-Length", "0");
  const std::vector<uint8_t>& lateRecord = late.build();
  CHECK(queue->send(requests[1].requestId, lateRecord.data(), static_cast<uint32_t>(lateRecord.size()), 82) ==
        kNoSuchRequest);
  CHECK(waitForClosed(harness, requests[0].connectionId));
  // The dropped requests are the application's own doing: no kRequestAborted for them.
  Completion aborted;
  CHECK_FALSE(harness.waitFor(kRequestAborted, 0, aborted, 200));
}

TEST_CASE("posix: closeConnection while a response is only partly sent resets the connection") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request = harness.request(client, getRequest("/partial", port));
  ResponseBuilder head;
  head.status(200, "OK").header("Content-Length", "100").body("only part").flags(kResponseMoreData);
  REQUIRE(harness.sendAndWait(queue, request.requestId, head) == kOk);
  REQUIRE(queue->closeConnection(request.connectionId) == kOk);
  std::string raw;
  CHECK(readUntilServerCloses(harness, client, raw));  // a reset reads as the end too
  CHECK(raw.find("only part") != std::string::npos);
  CHECK(waitForClosed(harness, request.connectionId));
}

TEST_CASE("posix: closeConnection after an upgrade ends the opaque stream after its bytes") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request = harness.request(
      client, "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                  "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
  ResponseBuilder switching;
  switching.status(101, "Switching Protocols").header("Connection", "Upgrade").header("Upgrade", "websocket")
      .flags(kResponseOpaque | kResponseMoreData);
  REQUIRE(harness.sendAndWait(queue, request.requestId, switching) == kOk);
  ResponseBuilder frame;
  frame.bodyOnly().body("last-bytes").flags(kResponseMoreData);
  const std::vector<uint8_t>& record = frame.build();
  REQUIRE(accepted(queue->send(request.requestId, record.data(), static_cast<uint32_t>(record.size()), 91)));
  REQUIRE(queue->closeConnection(request.connectionId) == kOk);
  std::string raw;
  CHECK(readUntilServerCloses(harness, client, raw));
  CHECK(raw.size() >= 10);
  CHECK(raw.compare(raw.size() - 10, 10, "last-bytes") == 0);
  CHECK(waitForClosed(harness, request.connectionId));
}

TEST_CASE("posix: a connection closed while it served another loop never reaches the closing queue again") {
  uint16_t port = freePort();
  const std::string p = ":" + std::to_string(port);
  Harness loopA, loopB;
  auto open = [&](Harness& harness, uint64_t token, const std::string& prefix) {
    Error error;
    Queue* queue = harness.loop().createQueue(QueueOptions{}, token, error);
    REQUIRE_MESSAGE(queue != nullptr, error.message);
    REQUIRE(queue->addUrl(prefix, error));
    REQUIRE(queue->start(error));
    return queue;
  };
  Queue* a = open(loopA, 61, "http://+" + p + "/a/");
  Queue* b = open(loopB, 62, "http://+" + p + "/b/");
  TestConnection client;
  REQUIRE(client.connect(port));
  auto exchange = [&](Harness& harness, Queue* queue, const std::string& path, uint64_t& connectionId) {
    REQUIRE(client.sendAll(getRequest(path, port)));
    ReceivedRequest request;
    bool got = false;
    for (int i = 0; i < 500 && !got; ++i) {
      Completion none;
      (&harness == &loopA ? loopB : loopA).waitFor(0xFFFF, 0, none, 1);
      got = harness.waitForRequest(request, 2);
    }
    REQUIRE(got);
    connectionId = request.connectionId;
    ResponseBuilder response;
    response.status(200, "OK").header("Content-Length", "2").body("ok");
    REQUIRE(harness.sendAndWait(queue, request.requestId, response) == kOk);
    std::string raw;
    REQUIRE(client.readResponse(raw, 3000));
  };
  uint64_t connectionId = 0;
  exchange(loopA, a, "/a/1", connectionId);
  exchange(loopB, b, "/b/2", connectionId);  // the connection now lives on loop B
  CHECK(a->closeConnection(connectionId) == kOk);
  REQUIRE(client.sendAll(getRequest("/a/3", port)));
  std::string raw;
  bool closed = false;
  ReceivedRequest unexpected;
  bool delivered = false;
  for (int waited = 0; waited < 3000 && !closed; waited += 4) {
    delivered = delivered || loopA.waitForRequest(unexpected, 2);
    Completion none;
    loopB.waitFor(0xFFFF, 0, none, 2);
    std::string part;
    closed = client.readUntilClosed(part, 5);
    raw += part;
  }
  CHECK(closed);
  CHECK(raw.empty());
  CHECK_FALSE(delivered);
  CHECK(waitForClosed(loopA, connectionId));  // through loop A's inbox, or on loop A itself
  a->close();
  b->close();
  Completion done;
  CHECK(loopA.waitFor(kQueueClosed, 61, done));
  CHECK(loopB.waitFor(kQueueClosed, 62, done));
}

TEST_CASE("posix: an HTTP/2 preface on plain text gets SETTINGS and GOAWAY(HTTP_1_1_REQUIRED), then the close") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  (void)queue;
  REQUIRE(client.sendAll(std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + std::string("\0\0\0\4\0\0\0\0\0", 9)));
  std::string raw;
  CHECK(readUntilServerCloses(harness, client, raw));
  REQUIRE(raw.size() >= 26);
  CHECK(raw.compare(0, 9, std::string("\0\0\0\4\0\0\0\0\0", 9)) == 0);  // empty SETTINGS
  CHECK(static_cast<uint8_t>(raw[12]) == 0x7);                            // GOAWAY
  CHECK(raw.compare(18, 8, std::string("\0\0\0\0\0\0\0\x0d", 8)) == 0);   // stream 0, HTTP_1_1_REQUIRED
  CHECK(raw.find("HTTP/2 without TLS") != std::string::npos);
}

#endif
