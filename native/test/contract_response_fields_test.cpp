// The response record rules every backend enforces (response_fields.h): a record whose fields
// could break the response apart or desynchronise the connection is refused with
// kInvalidArgument and nothing reaches the client; chunked framing and trailers are the
// engine's. The same source runs against the posix backend and the windows backend under Wine.
#include <doctest/doctest.h>

#include "engine_harness.h"
#include "test_client.h"
#ifdef _WIN32
#include "windows_test_util.h"
#endif

using namespace hsys;
using namespace hsys::test;

namespace {

// Wine's http.sys adds a Content-Length to a single-call response even beside the backend's
// Transfer-Encoding: chunked (HTTP.SYS does not); docs/windows-verification.md.
#ifdef _WIN32
const bool kAddsContentLength = runningUnderWine();
#else
constexpr bool kAddsContentLength = false;
#endif

}  // namespace

TEST_CASE("response records that break the field rules are refused and the request stays answerable") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request =
      harness.request(client, "GET /rules HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n");
  struct Case {
    const char* what;
    ResponseBuilder response;
  };
  std::vector<Case> cases(12);
  cases[0] = {"status 600", {}};
  cases[0].response.status(600, "Beyond");
  cases[1] = {"status 99", {}};
  cases[1].response.status(99, "Before");
  cases[2] = {"control character in a value", {}};
  cases[2].response.header("X-A", std::string("a\x01" "b"));
  cases[3] = {"DEL in a value", {}};
  cases[3].response.header("X-A", "a\x7f");
  cases[4] = {"LF in a value", {}};
  cases[4].response.header("X-A", "a\nInjected: 1");
  cases[5] = {"control character in the reason", {}};
  cases[5].response.status(200, "O\x0bK");
  cases[6] = {"a name that is not a token", {}};
  cases[6].response.header("X A", "1");
  cases[7] = {"Transfer-Encoding from the handler", {}};
  cases[7].response.header("Transfer-Encoding", "chunked");
  cases[8] = {"differing Content-Lengths", {}};
  cases[8].response.header("Content-Length", "1").header("Content-Length", "2").body("x");
  cases[9] = {"a Content-Length that is not a number", {}};
  cases[9].response.header("Content-Length", "+1").body("x");
  cases[10] = {"Content-Length with chunked framing", {}};
  cases[10].response.header("Content-Length", "1").body("x").flags(kResponseChunked);
  cases[11] = {"trailers without chunked framing", {}};
  cases[11].response.header("Content-Length", "1").body("x").trailer("X-T", "1");
  for (size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(cases[i].what);
    CHECK(cases[i].response.sendTo(queue, request.requestId, 700 + i) == kInvalidArgument);
  }
  for (const char* name : {"Content-Length", "transfer-encoding", "Trailer", "Connection", "Host"}) {
    CAPTURE(name);
    ResponseBuilder forbidden;
    forbidden.body("x").flags(kResponseChunked).trailer(name, "1");
    CHECK(forbidden.sendTo(queue, request.requestId, 720) == kInvalidArgument);
  }
  ResponseBuilder injected;
  injected.body("x").flags(kResponseChunked).trailer("X-T", "a\r\nInjected: 1");
  CHECK(injected.sendTo(queue, request.requestId, 721) == kInvalidArgument);

  // None of it reached the client: the request is answered normally afterwards, and a tab in a
  // value, status 599 and an obs-text reason are fine.
  ResponseBuilder fine;
  fine.status(599, "Odd \xe9").header("X-A", "a\tb").header("Content-Length", "2").body("ok");
  ParsedResponse parsed = harness.respond(queue, request.requestId, fine, client);
  CHECK(parsed.status == 599);
  CHECK(parsed.header("X-A") == "a\tb");
  CHECK(parsed.body == "ok");
}

// A chunked response with trailers; returns what the client got.
std::string chunkedExchange(Harness& harness, Queue* queue, TestConnection& client, const std::string& get) {
  ReceivedRequest request = harness.request(client, get);
  ResponseBuilder response;
  response.header("Content-Type", "text/plain").body("hello ").body("world").flags(kResponseChunked)
      .trailer("X-Checksum", "abc").trailer("X-Count", "2");
  CHECK(harness.sendAndWait(queue, request.requestId, response) == kOk);
  std::string raw;
  REQUIRE(client.readResponse(raw));
  return raw;
}

TEST_CASE("a chunked response carries no Content-Length" * doctest::skip(kAddsContentLength) *
          doctest::description("Wine's http.sys adds Content-Length beside Transfer-Encoding: chunked")) {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  std::string raw =
      chunkedExchange(harness, queue, client, "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n");
  ParsedResponse parsed;
  REQUIRE(parseResponse(raw, parsed));
  CHECK(parsed.header("Transfer-Encoding") == "chunked");
  CHECK(parsed.header("Content-Length").empty());
}

TEST_CASE("a chunked response is framed by the engine, with its trailers as fields") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  const std::string get = "GET /chunked HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n";
  std::string raw = chunkedExchange(harness, queue, client, get);
  ParsedResponse parsed;
  REQUIRE(parseResponse(raw, parsed));
  CHECK(parsed.header("Transfer-Encoding") == "chunked");
  CHECK(raw.substr(raw.find("\r\n\r\n") + 4) == "b\r\nhello world\r\n0\r\nX-Checksum: abc\r\nX-Count: 2\r\n\r\n");
  CHECK(parsed.trailers == "X-Checksum: abc\r\nX-Count: 2\r\n");

  // The connection is still in step: a second request gets its own answer.
  ReceivedRequest request = harness.request(client, get);
  ResponseBuilder second;
  second.header("Content-Length", "4").header("Content-Length", "4").body("next");  // identical: one is written
  CHECK(harness.sendAndWait(queue, request.requestId, second) == kOk);
  REQUIRE(client.readResponse(raw));
  REQUIRE(parseResponse(raw, parsed));
  CHECK(parsed.body == "next");
}
