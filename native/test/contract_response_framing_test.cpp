// Posix engine, the response side of issue 19: the engine owns the framing it writes. A declared
// Content-Length is kept (never a byte past it; a short body resets), bodiless statuses carry no
// body or stray length, and an HTTP/1.0 client never gets chunked framing.
#ifndef _WIN32

#include <doctest/doctest.h>

#include "posix_test_support.h"

using namespace hsys;
using namespace hsys::test;

namespace {

std::string bodyAfterHead(const std::string& raw) {
  size_t blank = raw.find("\r\n\r\n");
  return blank == std::string::npos ? "" : raw.substr(blank + 4);
}

}  // namespace

TEST_CASE("posix framing: a body longer than its Content-Length is not written past it; the connection resets") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);

  SUBCASE("in one send, after an earlier pipelined answer") {
    REQUIRE(client.sendAll(get("/first", port) + get("/second", port)));
    ReceivedRequest first, second;
    REQUIRE(harness.waitForRequest(first));
    REQUIRE(harness.waitForRequest(second));
    ResponseBuilder fine;
    REQUIRE(sendText(queue, first.requestId, fine, "first", 10) == kOk);
    ResponseBuilder tooLong;
    CHECK(tooLong.header("Content-Length", "3").body("hello").sendTo(queue, second.requestId, 11) == kInvalidArgument);
    std::string raw;
    CHECK(pumpUntilEnd(harness, client, raw) == TestConnection::End::kReset);
    CHECK(bodyOf(raw) == "first");  // the earlier answer, whole, and nothing of the second
    CHECK(raw.find("hel") == std::string::npos);
  }
  SUBCASE("across sends") {
    ReceivedRequest request = harness.request(client, get("/stream", port));
    ResponseBuilder head;
    head.header("Content-Length", "5").body("abc").flags(kResponseMoreData);
    REQUIRE(harness.sendAndWait(queue, request.requestId, head) == kOk);
    ResponseBuilder rest;
    CHECK(rest.bodyOnly().body("def").sendTo(queue, request.requestId, 12) == kInvalidArgument);
    std::string raw;
    CHECK(pumpUntilEnd(harness, client, raw) == TestConnection::End::kReset);
    CHECK(bodyAfterHead(raw) == "abc");
  }
}

TEST_CASE("posix framing: a body that ends short of its Content-Length resets instead of leaving the client waiting") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request = harness.request(client, get("/short", port));
  ResponseBuilder head;
  head.header("Content-Length", "10").body("abc").flags(kResponseMoreData);
  REQUIRE(harness.sendAndWait(queue, request.requestId, head) == kOk);
  ResponseBuilder end;
  end.bodyOnly().body("de");
  REQUIRE(harness.sendAndWait(queue, request.requestId, end) == kOk);
  std::string raw;
  CHECK(pumpUntilEnd(harness, client, raw) == TestConnection::End::kReset);
  CHECK(bodyAfterHead(raw) == "abcde");
  Completion aborted;
  CHECK(harness.waitFor(kRequestAborted, 0, aborted));
}

TEST_CASE("posix framing: 204 and 205 carry no content, 205 says Content-Length: 0, 304 keeps its length") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  struct Case {
    uint16_t status;
    const char* reason;
    std::string contentLength;  // what the engine must write; "" = none
  };
  for (const Case& c : {Case{204, "No Content", ""}, Case{205, "Reset Content", "0"}, Case{304, "Not Modified", "7"}}) {
    CAPTURE(c.status);
    ReceivedRequest request = harness.request(client, get("/bodiless", port));
    ResponseBuilder response;
    response.status(c.status, c.reason).header("Content-Length", "7").body("content");
    REQUIRE(harness.sendAndWait(queue, request.requestId, response) == kOk);
    // The next answer on the same connection shows whether anything stray was written.
    request = harness.request(client, get("/after", port));
    ResponseBuilder after;
    REQUIRE(sendText(queue, request.requestId, after, "after", 30) == kOk);
    std::string raw;
    for (int waited = 0; waited < 3000 && raw.find("after") == std::string::npos; waited += 10) {
      pump(harness);
      std::string part;
      client.readUntilEnd(part, 5);
      raw += part;
    }
    ParsedResponse parsed;
    REQUIRE(parseResponse(raw, parsed));
    CHECK(parsed.status == c.status);
    CHECK(parsed.header("Content-Length") == c.contentLength);
    CHECK(raw.find("content") == std::string::npos);
    CHECK(raw.find("\r\n\r\nHTTP/1.1 200 OK\r\n") != std::string::npos);
  }
}

TEST_CASE("posix framing: an HTTP/1.0 client never gets chunked framing") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request = harness.request(client, "GET /old HTTP/1.0\r\n" + hostHeader(port) + "\r\n");
  ResponseBuilder head;
  head.body("abc").flags(kResponseChunked | kResponseMoreData);
  REQUIRE(harness.sendAndWait(queue, request.requestId, head) == kOk);
  ResponseBuilder end;
  end.bodyOnly().body("def").flags(kResponseChunked).trailer("X-T", "dropped");
  REQUIRE(harness.sendAndWait(queue, request.requestId, end) == kOk);
  std::string raw;
  CHECK(pumpUntilEnd(harness, client, raw) == TestConnection::End::kClosed);  // the close ends the body
  CHECK(raw.find("Transfer-Encoding") == std::string::npos);
  CHECK(bodyAfterHead(raw) == "abcdef");
}

#endif  // _WIN32
