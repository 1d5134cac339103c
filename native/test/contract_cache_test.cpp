// Posix engine: the native output cache (HTTP.SYS kernel cache semantics). A cached response is
// served without a kRequestReceived until its TTL ends; ineligible ones never are.
#ifndef _WIN32

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <thread>
#include <cstring>
#include <unistd.h>

#include "posix_test_support.h"

using namespace hsys;
using namespace hsys::test;

namespace {

// Sends GET (or another request) on a fresh connection; if it reaches the queue, answers it with
// response and returns true; raw gets what the client read.
bool exchange(Harness& harness, Queue* queue, uint16_t port, const std::string& request, ResponseBuilder* response,
              std::string& raw, ReceivedRequest* received = nullptr) {
  TestConnection client;
  REQUIRE(client.connect(port));
  REQUIRE(client.sendAll(request));
  bool reached = false;
  ReceivedRequest got;
  if (harness.waitForRequest(got, 200)) {
    reached = true;
    if (received != nullptr) *received = got;
    REQUIRE(response != nullptr);
    REQUIRE(harness.sendAndWait(queue, got.requestId, *response) == kOk);
  }
  REQUIRE(pumpResponse(harness, client, raw));
  return reached;
}

}  // namespace

TEST_CASE("posix cache: a cacheable response is served natively until its TTL ends") {
  Harness harness;
  uint16_t port = freePort();
  Queue* queue = harness.openQueue(port);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  const std::string path = "/cached?v=1";
  ResponseBuilder first;
  first.status(200, "OK").header("Content-Type", "text/plain").header("ETag", "\"e1\"").body("cached body").cacheTtl(2);
  std::string raw;
  CHECK(exchange(harness, queue, port, get(path, port), &first, raw));
  CHECK(bodyOf(raw) == "cached body");

  // Hits: no request reaches the queue; HEAD gets the head only; pipelined hits stay in order.
  CHECK_FALSE(exchange(harness, queue, port, get(path, port), nullptr, raw));
  ParsedResponse parsed;
  REQUIRE(parseResponse(raw, parsed));
  CHECK(parsed.status == 200);
  CHECK(parsed.body == "cached body");
  CHECK(parsed.header("ETag") == "\"e1\"");
  CHECK(parsed.header("Content-Length") == "11");
  CHECK(!parsed.header("Date").empty());
  CHECK(parsed.headers.find("Date:") == parsed.headers.rfind("Date:"));  // refreshed, not repeated
  {
    TestConnection client;  // HEAD: the test client cannot frame it, so the server closes it
    REQUIRE(client.connect(port));
    REQUIRE(client.sendAll("HEAD " + path + " HTTP/1.1\r\n" + hostHeader(port) + "Connection: close\r\n\r\n"));
    REQUIRE(pumpUntilClosed(harness, client, raw));
    Completion none;
    CHECK_FALSE(harness.waitFor(kRequestReceived, 0, none, 10));
  }
  CHECK(statusOf(raw) == 200);
  CHECK(raw.find("Content-Length: 11") != std::string::npos);
  CHECK(raw.find("cached body") == std::string::npos);
  {
    TestConnection client;
    REQUIRE(client.connect(port));
    REQUIRE(client.sendAll(get(path, port) + get("/other", port) + get(path, port, "Connection: close\r\n")));
    ReceivedRequest other;
    REQUIRE(harness.waitForRequest(other));
    CHECK(other.url == "/other");
    ResponseBuilder middle;
    REQUIRE(sendText(queue, other.requestId, middle, "middle", 3) == kOk);
    REQUIRE(pumpUntilClosed(harness, client, raw));
    size_t a = raw.find("cached body"), b = raw.find("middle"), c = raw.rfind("cached body");
    CHECK(a < b);
    CHECK(b < c);
    CHECK(raw.find("Connection: close") > b);
  }
  // Another URL (query included) or host is a miss.
  ResponseBuilder miss;
  miss.status(200, "OK").body("fresh");
  CHECK(exchange(harness, queue, port, get("/cached?v=2", port), &miss, raw));

  // After the TTL the request reaches the queue again.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  ResponseBuilder again;
  again.status(200, "OK").body("new body");
  CHECK(exchange(harness, queue, port, get(path, port), &again, raw));
  CHECK(bodyOf(raw) == "new body");
  CHECK(exchange(harness, queue, port, get(path, port), &again, raw));  // stored without a TTL: not cached
}

TEST_CASE("posix cache: ineligible requests and responses are never served from the cache") {
  Harness harness;
  uint16_t port = freePort();
  Queue* queue = harness.openQueue(port);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  std::string raw;
  struct Case {
    const char* what;
    std::string path;
    std::function<void(ResponseBuilder&)> build;
  };
  const std::vector<Case> cases = {
      {"Set-Cookie", "/cookie", [](ResponseBuilder& r) { r.status(200, "OK").header("Set-Cookie", "a=b").body("x"); }},
      {"Vary: *", "/vary", [](ResponseBuilder& r) { r.status(200, "OK").header("Vary", "*").body("x"); }},
      {"Vary: Accept-Encoding", "/vary-encoding",
       [](ResponseBuilder& r) { r.status(200, "OK").header("Vary", "Accept-Encoding").body("x"); }},
      {"404", "/missing", [](ResponseBuilder& r) { r.status(404, "Not Found").body("x"); }},
      {"streamed", "/streamed", [](ResponseBuilder& r) {
         r.status(200, "OK").header("Content-Length", "1").body("x").flags(kResponseMoreData);
       }},
      {"too large", "/large", [](ResponseBuilder& r) { r.status(200, "OK").body(std::string(300 * 1024, 'x')); }},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    ResponseBuilder response;
    c.build(response);
    response.cacheTtl(60);
    TestConnection client;
    REQUIRE(client.connect(port));
    ReceivedRequest request = harness.request(client, get(c.path, port));
    REQUIRE(harness.sendAndWait(queue, request.requestId, response) == kOk);
    if (response.build().size() > 0 && c.path == "/streamed") {
      ResponseBuilder last;
      last.bodyOnly();
      REQUIRE(harness.sendAndWait(queue, request.requestId, last) == kOk);
    }
    REQUIRE(pumpResponse(harness, client, raw));
    ResponseBuilder second;
    second.status(200, "OK").body("y");
    CHECK(exchange(harness, queue, port, get(c.path, port), &second, raw));
  }
  // A request with Authorization (or Range) neither uses nor fills the cache.
  ResponseBuilder stored;
  stored.status(200, "OK").body("public").cacheTtl(60);
  CHECK(exchange(harness, queue, port, get("/auth", port, "Authorization: Basic eDp5\r\n"), &stored, raw));
  ResponseBuilder plain;
  plain.status(200, "OK").body("public").cacheTtl(60);
  CHECK(exchange(harness, queue, port, get("/auth", port), &plain, raw));
  CHECK_FALSE(exchange(harness, queue, port, get("/auth", port), nullptr, raw));
  ResponseBuilder ranged;
  ranged.status(200, "OK").body("public");
  CHECK(exchange(harness, queue, port, get("/auth", port, "Range: bytes=0-1\r\n"), &ranged, raw));
}

TEST_CASE("posix cache: a response from a file chunk is cached with the file's bytes") {
  Harness harness;
  uint16_t port = freePort();
  Queue* queue = harness.openQueue(port);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  char path[] = "/tmp/hsys-cache-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::unlink(path);
  const std::string content = "skip-this|static file bytes";
  REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  TestConnection client;
  REQUIRE(client.connect(port));
  ReceivedRequest request = harness.request(client, get("/static.txt", port));
  std::vector<uint8_t> record(sizeof(ResponseRecordHeader), 0);
  DataChunk chunk{kChunkFile, 0, static_cast<uint64_t>(fd), 10, content.size() - 10};
  record.insert(record.end(), reinterpret_cast<uint8_t*>(&chunk), reinterpret_cast<uint8_t*>(&chunk) + sizeof chunk);
  ResponseRecordHeader header{};
  header.recordLength = static_cast<uint32_t>(record.size());
  header.flags = kResponseHasHead;
  header.status = 200;
  header.chunkCount = 1;
  header.cacheTtlSeconds = 60;
  std::memcpy(record.data(), &header, sizeof header);
  REQUIRE(accepted(queue->send(request.requestId, record.data(), header.recordLength, 5)));
  Completion done;
  REQUIRE(harness.waitFor(kSendCompleted, 5, done));
  std::string raw;
  REQUIRE(client.readResponse(raw));
  CHECK(bodyOf(raw) == "static file bytes");
  ::close(fd);  // the cache holds the bytes, not the file
  REQUIRE(client.sendAll(get("/static.txt", port)));
  REQUIRE(pumpResponse(harness, client, raw));
  CHECK(bodyOf(raw) == "static file bytes");
  Completion none;
  CHECK_FALSE(harness.waitFor(kRequestReceived, 0, none, 10));
}

TEST_CASE("posix cache: closing the queue forgets its entries") {
  Harness harness;
  uint16_t port = freePort();
  std::string raw;
  {
    PrefixQueue first(harness, 21, {"http://127.0.0.1:" + std::to_string(port) + "/"});
    ResponseBuilder response;
    response.status(200, "OK").body("old owner").cacheTtl(60);
    CHECK(exchange(harness, first.queue, port, get("/page", port), &response, raw));
    CHECK_FALSE(exchange(harness, first.queue, port, get("/page", port), nullptr, raw));
  }
  PrefixQueue second(harness, 22, {"http://127.0.0.1:" + std::to_string(port) + "/"});
  ResponseBuilder response;
  response.status(200, "OK").body("new owner");
  CHECK(exchange(harness, second.queue, port, get("/page", port), &response, raw));
  CHECK(bodyOf(raw) == "new owner");
}

#endif
