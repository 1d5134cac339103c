// Posix engine, the request side of issues 12 and 19: the request queue length as HTTP.SYS
// means it; malformed chunked bodies refused before (or after) the handler sees the request;
// routing on the canonical path, which the record carries beside the raw target; the request
// line limit.
#ifndef _WIN32

#include <doctest/doctest.h>

#include "posix_test_support.h"

using namespace hsys;
using namespace hsys::test;

namespace {

std::string chunkedPost(uint16_t port, const std::string& body) {
  return "POST /c HTTP/1.1\r\n" + hostHeader(port) + "Transfer-Encoding: chunked\r\n\r\n" + body;
}

size_t countOf(const std::string& haystack, const std::string& needle) {
  size_t count = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++count;
  return count;
}

// Reads body until its end or a failure; returns the failing status or kOk.
int32_t readWholeBody(Harness& harness, Queue* queue, uint64_t requestId, uint64_t firstToken, std::string& body) {
  uint8_t buffer[64];
  for (uint64_t token = firstToken;; ++token) {
    REQUIRE(queue->receiveBody(requestId, buffer, sizeof buffer, token) == kOk);
    Completion read;
    REQUIRE(harness.waitFor(kBodyReceived, token, read));
    if (read.status != kOk) return read.status;
    if (read.length == 0) return kOk;
    body.append(reinterpret_cast<char*>(buffer), read.length);
  }
}

}  // namespace

TEST_CASE("posix queue length: only requests the application has not taken count; overflow is 503 and close") {
  Harness harness;
  uint16_t port = freePort();
  QueueOptions options;
  options.queueLength = 2;
  Queue* queue = harness.openQueue(port, options);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  // Three pipelined requests are parsed in one read, before the application can take any: two
  // fill the queue, the third overflows it.
  TestConnection piped;
  REQUIRE(piped.connect(port));
  REQUIRE(piped.sendAll(get("/1", port) + get("/2", port) + get("/3", port)));
  ReceivedRequest first, second;
  REQUIRE(harness.waitForRequest(first));
  REQUIRE(harness.waitForRequest(second));
  CHECK(first.url == "/1");
  CHECK(second.url == "/2");
  Completion unexpected;
  CHECK_FALSE(harness.waitFor(kRequestReceived, 0, unexpected, 50));

  // Taken and still unanswered, they no longer count: two more requests fit.
  TestConnection later;
  REQUIRE(later.connect(port));
  REQUIRE(later.sendAll(get("/4", port) + get("/5", port)));
  ReceivedRequest fourth, fifth;
  REQUIRE(harness.waitForRequest(fourth));
  REQUIRE(harness.waitForRequest(fifth));
  for (const ReceivedRequest* request : {&first, &second, &fourth, &fifth}) {
    ResponseBuilder response;
    REQUIRE(sendText(queue, request->requestId, response, "ok", 100 + request->requestId) == kOk);
    Completion sent;
    REQUIRE(harness.waitFor(kSendCompleted, 100 + request->requestId, sent));
  }
  std::string raw;
  REQUIRE(pumpUntilClosed(harness, piped, raw));
  CHECK(countOf(raw, "HTTP/1.1 200 OK") == 2);
  CHECK(countOf(raw, "HTTP/1.1 503") == 1);
  CHECK(raw.rfind("Connection: close") > raw.find("HTTP/1.1 503"));
  std::string more;
  REQUIRE(later.readResponse(raw));
  REQUIRE(later.readResponse(more));
  CHECK(statusOf(raw) == 200);
  CHECK(statusOf(more) == 200);
}

TEST_CASE("posix queue length: input is read only as far as the application takes completions, so a burst "
          "larger than the queue is served without 503") {
  Harness harness;
  uint16_t port = freePort();
  QueueOptions options;
  options.queueLength = 8;
  Queue* queue = harness.openQueue(port, options);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  // 40 clients send at once, before the application polls: five times the queue. An engine that
  // read every ready socket in one poll would queue 40 untaken requests and refuse 32.
  constexpr int kClients = 40;
  std::vector<TestConnection> clients(kClients);
  for (TestConnection& client : clients) {
    REQUIRE(client.connect(port));
    REQUIRE(client.sendAll(get("/burst", port)));
  }
  // The application takes 4 completions a poll and answers every request it takes.
  Completion batch[4];
  int answered = 0;
  uint64_t token = 5000;
  for (int round = 0; round < 2000 && answered < kClients; ++round) {
    int32_t count = harness.loop().poll(batch, 4, 10);
    REQUIRE(count >= 0);
    for (int32_t i = 0; i < count; ++i) {
      if (batch[i].type != kRequestReceived) continue;
      ResponseBuilder response;
      REQUIRE(sendText(queue, batch[i].requestId, response, "ok", ++token) == kOk);
      ++answered;
    }
  }
  CHECK(answered == kClients);
  int ok = 0;
  for (TestConnection& client : clients) {
    std::string raw;
    for (int waited = 0; waited < 3000 && !client.readResponse(raw, 5); waited += 10) {
      Completion ignored[4];
      harness.loop().poll(ignored, 4, 5);
    }
    if (statusOf(raw) == 200) ++ok;
  }
  CHECK(ok == kClients);
}

TEST_CASE("posix chunked body: malformed framing already buffered is answered 400 and never delivered") {
  Harness harness;
  uint16_t port = freePort();
  Queue* queue = harness.openQueue(port);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  struct Case {
    const char* what;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"not hex", "zz\r\n"},
      {"size over 64 bits", "1FFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n"},
      {"leading space", " 5\r\nhello\r\n0\r\n\r\n"},
      {"whitespace after the size", "5 \r\nhello\r\n0\r\n\r\n"},
      {"CR inside an extension", "5;a\rb\r\nhello\r\n0\r\n\r\n"},
      {"extension without a name", "5;\r\nhello\r\n0\r\n\r\n"},
      {"extension value not a token", "5;a=b c\r\nhello\r\n0\r\n\r\n"},
      {"data longer than its size", "5\r\nhelloXX\r\n0\r\n\r\n"},
      {"no CRLF after the data", "5\r\nhello0\r\n\r\n"},
      {"LF-only chunk lines", "5\nhello\n0\n\n"},
      {"bare LF after the last chunk", "0\r\n\n"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    bool closed = false;
    std::string raw = exchangeUntilClose(harness, port, chunkedPost(port, c.body), &closed);
    CHECK(statusOf(raw) == 400);
    CHECK(closed);
    CHECK(raw.find("Connection: close") != std::string::npos);
  }
  Completion unexpected;
  CHECK_FALSE(harness.waitFor(kRequestReceived, 0, unexpected, 50));

  // RFC 9112 7.1: whitespace before ';', extensions with token or quoted values, and leading
  // zeros are all well-formed.
  TestConnection client;
  REQUIRE(client.connect(port));
  ReceivedRequest request = harness.request(
      client, chunkedPost(port, "0000000000000000005 ; a = b ;c=\"q \\\" d\"\r\nhello\r\n0;last\r\nX-T: 1\r\n\r\n"));
  std::string body = request.body;
  CHECK(readWholeBody(harness, queue, request.requestId, 10, body) == kOk);
  CHECK(body == "hello");
}

TEST_CASE("posix chunked body: a request pipelined before a malformed one keeps its answer") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest first = harness.request(client, get("/first", port) + chunkedPost(port, "zz\r\n"));
  Completion unexpected;
  CHECK_FALSE(harness.waitFor(kRequestReceived, 0, unexpected, 50));
  ResponseBuilder response;
  REQUIRE(sendText(queue, first.requestId, response, "first", 20) == kOk);
  std::string raw;
  REQUIRE(pumpUntilClosed(harness, client, raw));
  CHECK(raw.find("HTTP/1.1 200 OK") == 0);
  CHECK(raw.find("first") != std::string::npos);
  CHECK(raw.find("HTTP/1.1 400") != std::string::npos);
}

TEST_CASE("posix chunked body: malformed framing found while reading fails the read and is answered 400") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request = harness.request(client, chunkedPost(port, "5\r\nhello\r\n"));
  CHECK(request.body == "hello");
  REQUIRE(client.sendAll("5 \r\nworld\r\n0\r\n\r\n"));  // whitespace after the size
  std::string body;
  CHECK(readWholeBody(harness, queue, request.requestId, 30, body) == kMalformedBody);
  Completion aborted;
  REQUIRE(harness.waitFor(kRequestAborted, 0, aborted));
  CHECK(aborted.requestId == request.requestId);
  std::string raw;
  CHECK(pumpUntilEnd(harness, client, raw) == TestConnection::End::kClosed);
  CHECK(statusOf(raw) == 400);
  ResponseBuilder late;
  CHECK(sendText(queue, request.requestId, late, "late", 39) == kNoSuchRequest);
}

TEST_CASE("posix chunked body: malformed framing found after the response started resets the connection") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request = harness.request(client, chunkedPost(port, "5\r\nhello\r\n"));
  ResponseBuilder head;
  head.header("Content-Length", "100").body("partial").flags(kResponseMoreData);
  REQUIRE(harness.sendAndWait(queue, request.requestId, head) == kOk);
  REQUIRE(client.sendAll("zz\r\n"));
  std::string body;
  CHECK(readWholeBody(harness, queue, request.requestId, 40, body) == kMalformedBody);
  std::string raw;
  CHECK(pumpUntilEnd(harness, client, raw) == TestConnection::End::kReset);
  CHECK(raw.find("HTTP/1.1 200 OK") == 0);
  CHECK(raw.find("partial") != std::string::npos);
}

TEST_CASE("posix routing: requests route on the canonical path, and the record names the same place") {
  Harness harness;
  uint16_t port = freePort();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  PrefixQueue app1(harness, 51, {base + "/app1/"});
  PrefixQueue app2(harness, 52, {base + "/app2/"});
  PrefixQueue app3(harness, 53, {base + "/app3//x/"});  // prefixes are canonicalized too
  struct Case {
    const char* what;
    std::string target;
    uint64_t token;
    std::string cooked;  // "" = the raw target is canonical
  };
  const std::vector<Case> cases = {
      {"dot-dot segment", "/app1/../app2/x", 52, "/app2/x"},
      {"encoded dots", "/app1/%2e%2E/app2/x", 52, "/app2/x"},
      {"encoded backslash", "/app1/..%5capp2/x", 52, "/app2/x"},
      {"backslash", "/app1/..\\app2/x", 52, "/app2/x"},
      {"absolute form", base + "/app1/../app2/x?q=1", 52, base + "/app2/x?q=1"},
      {"repeated slashes", "//app2//x", 52, "/app2/x"},
      {"dot segment, other case", "/APP2/./x", 52, "/APP2/x"},
      {"encoded unreserved", "/%61pp2/%7Ex?q=%2F", 52, "/app2/~x?q=%2F"},
      {"reserved escapes stay, hex upper-cased", "/app2/%3f%20x", 52, "/app2/%3F%20x"},
      {"already canonical", "/app2/%3F%20x?a=..", 52, ""},
      {"trailing dot-dot", "/app1/x/..", 51, "/app1/"},
      {"trailing encoded dot", "/app1/x/%2E", 51, "/app1/x/"},
      {"canonical prefix", "/app3/x/y", 53, ""},
      {"KB 896287", "/app1/SubDir1\\SubDir2/../../SubDir5/SubDir6", 51, "/app1/SubDir5/SubDir6"},
  };
  TestConnection client;
  REQUIRE(client.connect(port));
  for (const Case& c : cases) {
    CAPTURE(c.what);
    ReceivedRequest request = harness.request(client, get(c.target, port));
    CHECK(request.url == c.target);
    CHECK(request.cookedUrl == c.cooked);
    Queue* queue = c.token == 51 ? app1.queue : c.token == 52 ? app2.queue : app3.queue;
    ResponseBuilder response;
    REQUIRE(sendText(queue, request.requestId, response, "q" + std::to_string(c.token), 60) == kOk);
    std::string raw;
    REQUIRE(pumpResponse(harness, client, raw));
    CHECK(bodyOf(raw) == "q" + std::to_string(c.token));  // answered by the queue the path names
  }
}

TEST_CASE("posix routing: a path without a canonical form is answered 400 and never delivered") {
  Harness harness;
  uint16_t port = freePort();
  PrefixQueue app(harness, 61, {"http://127.0.0.1:" + std::to_string(port) + "/"});
  for (const char* bad : {"/../app1/x", "/app1/../../x", "/app1/%2e%2e/%2E%2E/x", "/app1%2Fx", "/app1/a%00b",
                          "/app1/%0a", "/app1/%7f", "/app1/%C2%85", "/app1/%zz", "/app1/%4"}) {
    CAPTURE(bad);
    bool closed = false;
    CHECK(statusOf(exchangeUntilClose(harness, port, get(bad, port), &closed)) == 400);
    CHECK(closed);
  }
  Completion none;
  CHECK_FALSE(harness.waitFor(kRequestReceived, 0, none, 10));
}

TEST_CASE("posix limits: a request line of exactly 16 KiB is accepted, one byte more is 414") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  const std::string fixed = std::string("GET /") + " HTTP/1.1";  // the line without its target's tail
  std::string exact = "GET /" + std::string(16 * 1024 - fixed.size(), 'a') + " HTTP/1.1";
  REQUIRE(exact.size() == 16 * 1024);
  ReceivedRequest request = harness.request(client, exact + "\r\n" + hostHeader(port) + "\r\n");
  ResponseBuilder response;
  REQUIRE(sendText(queue, request.requestId, response, "ok", 70) == kOk);
  std::string raw;
  REQUIRE(pumpResponse(harness, client, raw));
  CHECK(statusOf(raw) == 200);
  REQUIRE(client.sendAll("GET /a" + exact.substr(5) + "\r\n" + hostHeader(port) + "\r\n"));
  REQUIRE(pumpUntilClosed(harness, client, raw));
  CHECK(statusOf(raw) == 414);
}

#endif  // _WIN32
