// Where real HTTP.SYS behaves unlike Wine's (issue 18), checked on the HTTP Server API double:
// receives that fail or answer ERROR_MORE_DATA synchronously, the headers and flags of the sends
// the backend makes, the properties it sets, client certificates, and the error text.
#ifdef _WIN32

#include <doctest/doctest.h>

#include <string>

#include "hsys/java_utf8.h"
#include "httpapi_double_fixture.h"
#include "win32_errors.h"

using namespace hsys;
using namespace hsys::test;

namespace {

DoubleRequest request(uint64_t connectionId, const char* url, std::vector<std::pair<std::string, std::string>> headers = {}) {
  DoubleRequest built;
  built.connectionId = connectionId;
  built.url = url;
  built.headers = {{"Host", "localhost"}};
  built.headers.insert(built.headers.end(), headers.begin(), headers.end());
  return built;
}

QueueOptions singleSmallReceive() {
  QueueOptions options;
  options.pendingReceives = 1;
  options.receiveBufferSize = 4096;
  return options;
}

}  // namespace

TEST_SUITE("windows backend on the HTTP Server API double: issue 18") {

TEST_CASE("a synchronous ERROR_MORE_DATA without a packet: the head is fetched again, receives stay posted") {
  for (bool wineAlsoPosts : {false, true}) {
    CAPTURE(wineAlsoPosts);
    DoubleServer server(singleSmallReceive());
    server.api.moreDataSynchronously(wineAlsoPosts);
    // Both arrive before the loop runs: the repost after the first meets the second at once.
    server.api.arrive(request(1, "/small"));
    server.api.arrive(request(2, "/big", {{"X-Big", std::string(9000, 'b')}}));
    ReceivedRequest small, big;
    REQUIRE(server.harness.waitForRequest(small));
    REQUIRE(server.harness.waitForRequest(big));
    CHECK(small.url == "/small");
    CHECK(big.header("X-Big").size() == 9000);
    CHECK(server.nothing(kRequestReceived));  // delivered once, whatever the kernel queued
    ReceivedRequest next = server.deliver(request(3, "/next"));
    CHECK(next.url == "/next");
    CHECK(server.api.pendingReceives() == 1);
    Completion closed = server.closeQueue();
    CHECK(closed.type == kQueueClosed);  // no op is counted that never comes back
    CHECK(closed.status == kOk);
  }
}

TEST_CASE("receives failing with ERROR_NO_SYSTEM_RESOURCES are retried until they work") {
  DoubleServer server(singleSmallReceive());
  server.api.arrive(request(1, "/before"));  // the loop reposts its only receive after this one...
  server.api.failReceives(ERROR_NO_SYSTEM_RESOURCES, 10);  // ...and the kernel refuses it ten times
  ReceivedRequest before;
  REQUIRE(server.harness.waitForRequest(before));
  server.api.arrive(request(2, "/after"));
  ReceivedRequest after;
  REQUIRE(server.harness.waitForRequest(after, 5000));
  CHECK(after.url == "/after");
  CHECK(server.api.receiveCalls >= 12);
}

TEST_CASE("a re-receive by id failing with ERROR_INVALID_PARAMETER starts over with id 0") {
  DoubleServer server(singleSmallReceive());
  server.api.arrive(request(1, "/big", {{"X-Big", std::string(6000, 'b')}}));
  server.api.failReceives(ERROR_INVALID_PARAMETER, 1);  // the fetch by id after ERROR_MORE_DATA
  CHECK(server.nothing(kRequestReceived, 300));
  ReceivedRequest next = server.deliver(request(2, "/next"));
  CHECK(next.url == "/next");
}

TEST_CASE("receives that can never be posted again close the queue with the error") {
  HttpApiDouble api;
  Harness harness;
  api.attach(harness.loop());
  Error error;
  Queue* queue = harness.loop().createQueue(singleSmallReceive(), 61, error);
  REQUIRE_MESSAGE(queue != nullptr, error.message);
  REQUIRE(queue->addUrl("http://+:8080/", error));
  REQUIRE(queue->start(error));
  api.arrive(request(1, "/last"));
  api.failReceives(ERROR_INVALID_HANDLE, 1000);
  ReceivedRequest last;
  REQUIRE(harness.waitForRequest(last));
  Completion closed;
  REQUIRE(harness.waitFor(kQueueClosed, 61, closed, 3000));
  CHECK(closed.status == ERROR_INVALID_HANDLE);
}

TEST_CASE("a send HTTP.SYS refuses at once is refused by send(), never read as accepted or copied") {
  // A system code is send()'s answer; code 1 (ERROR_INVALID_FUNCTION) would read as kOkCopied,
  // so it comes back as kSystemError.
  DoubleServer server;
  ReceivedRequest first = server.deliver(request(1, "/first"));
  ResponseBuilder streamed;
  streamed.status(200, "OK").header("Content-Type", "text/plain").flags(kResponseMoreData);
  server.api.failSends(ERROR_INVALID_PARAMETER, 1);
  CHECK(streamed.sendTo(server.queue, first.requestId, 71) == static_cast<int32_t>(ERROR_INVALID_PARAMETER));
  ReceivedRequest second = server.deliver(request(2, "/second"));
  ResponseBuilder again;
  again.status(200, "OK").header("Content-Type", "text/plain").flags(kResponseMoreData);
  server.api.failSends(ERROR_INVALID_FUNCTION, 1);
  CHECK(again.sendTo(server.queue, second.requestId, 72) == kSystemError);
  Completion none;
  CHECK_FALSE(server.harness.waitFor(kSendCompleted, 0, none, 200));  // refused: nothing completes
}

TEST_CASE("a whole cacheable response leaves Content-Length to HTTP.SYS; others keep theirs") {
  DoubleServer server;
  ReceivedRequest cached = server.deliver(request(1, "/cached"));
  ResponseBuilder cacheable;
  cacheable.status(200, "OK").header("Content-Length", "5").header("Content-Type", "text/plain").body("hello")
      .cacheTtl(60);
  REQUIRE(server.harness.sendAndWait(server.queue, cached.requestId, cacheable) == kOk);
  ReceivedRequest plain = server.deliver(request(2, "/plain"));
  ResponseBuilder uncached;
  uncached.status(200, "OK").header("Content-Length", "5").body("hello");
  REQUIRE(server.harness.sendAndWait(server.queue, plain.requestId, uncached) == kOk);
  ReceivedRequest bare = server.deliver(request(3, "/bare"));
  ResponseBuilder withoutLength;
  withoutLength.status(200, "OK").body("hello").cacheTtl(60);
  REQUIRE(server.harness.sendAndWait(server.queue, bare.requestId, withoutLength) == kOk);

  REQUIRE(server.api.sends.size() == 3);
  const RecordedSend& first = server.api.sends[0];
  CHECK(first.cachePolicy);
  CHECK_FALSE(first.hasKnown(HttpHeaderContentLength));  // HTTP.SYS adds its own
  CHECK(first.unknownCount("Content-Length") == 0);
  CHECK(first.known.at(HttpHeaderContentType) == "text/plain");
  CHECK(first.body == "hello");
  CHECK(server.api.sends[1].known.at(HttpHeaderContentLength) == "5");
  CHECK_FALSE(server.api.sends[2].hasKnown(HttpHeaderContentLength));  // none added either
}

TEST_CASE("a 101's Connection: Upgrade is handed over by name, not as a known header") {
  DoubleServer server;
  ReceivedRequest upgrade = server.deliver(request(1, "/ws", {{"Connection", "Upgrade"}, {"Upgrade", "websocket"}}));
  ResponseBuilder switching;
  switching.status(101, "Switching Protocols").header("Connection", "Upgrade").header("Upgrade", "websocket")
      .flags(kResponseOpaque | kResponseMoreData);
  REQUIRE(server.harness.sendAndWait(server.queue, upgrade.requestId, switching) == kOk);
  REQUIRE(server.api.sends.size() == 1);
  const RecordedSend& send = server.api.sends[0];
  CHECK(send.status == 101);
  CHECK((send.flags & HTTP_SEND_RESPONSE_FLAG_OPAQUE) != 0);
  CHECK_FALSE(send.hasKnown(HttpHeaderConnection));
  REQUIRE(send.unknownCount("Connection") == 1);
  CHECK(send.unknown[0].second == "Upgrade");
  CHECK(send.known.at(HttpHeaderUpgrade) == "websocket");
}

TEST_CASE("after a 101 the upgraded stream's bytes do not count against maxRequestBodyBytes") {
  QueueOptions options;
  options.maxRequestBodyBytes = 16;
  DoubleServer server(options);
  ReceivedRequest upgrade = server.deliver(request(1, "/ws", {{"Connection", "Upgrade"}, {"Upgrade", "websocket"}}));
  ResponseBuilder switching;
  switching.status(101, "Switching Protocols").header("Connection", "Upgrade").header("Upgrade", "websocket")
      .flags(kResponseOpaque | kResponseMoreData);
  REQUIRE(server.harness.sendAndWait(server.queue, upgrade.requestId, switching) == kOk);
  uint8_t buffer[64];
  size_t received = 0;
  for (uint64_t token = 70; token < 75; ++token) {
    server.api.bodyArrives(upgrade.requestId, std::string(40, 'w'));
    REQUIRE(server.queue->receiveBody(upgrade.requestId, buffer, sizeof buffer, token) == kOk);
    Completion read = server.expect(kBodyReceived, token);
    REQUIRE(read.status == kOk);
    received += read.length;
  }
  CHECK(received == 200);  // far past the limit
  CHECK(server.nothing(kRequestAborted));
  REQUIRE(server.api.sends.size() == 1);  // no 413
}

TEST_CASE("the backend's 413: Connection: close and DISCONNECT on HTTP/1.1, neither on HTTP/2") {
  QueueOptions options;
  options.maxRequestBodyBytes = 10;
  DoubleServer server(options);
  DoubleRequest http11 = request(1, "/upload", {{"Content-Length", "100"}});
  http11.verb = "POST";
  http11.moreBody = true;
  DoubleRequest http2 = http11;
  http2.connectionId = 2;
  http2.http2 = true;
  server.api.arrive(http11);
  server.api.arrive(http2);
  CHECK(server.nothing(kRequestReceived, 300));  // answered by the backend, never delivered
  REQUIRE(server.api.sends.size() == 2);
  const RecordedSend& one = server.api.sends[0];
  const RecordedSend& two = server.api.sends[1];
  CHECK(one.status == 413);
  CHECK((one.flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) != 0);
  CHECK(one.known.at(HttpHeaderConnection) == "close");
  CHECK(two.status == 413);
  CHECK((two.flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) == 0);
  CHECK_FALSE(two.hasKnown(HttpHeaderConnection));
  CHECK(server.api.connectionOpen(2));  // the connection's other streams go on
}

TEST_CASE("maxConnections is set once, on the URL group that holds every prefix") {
  QueueOptions options;
  options.maxConnections = 7;
  DoubleServer server(options);
  Error error;
  REQUIRE(server.queue->addUrl("http://+:8081/", error));
  REQUIRE(server.queue->addUrl("http://+:8082/app/", error));
  CHECK(server.api.urlGroupsCreated.size() == 1);
  REQUIRE(server.api.urls.size() == 3);
  for (const auto& [group, url] : server.api.urls) CHECK(group == server.api.urlGroupsCreated[0]);
  int limits = 0;
  for (const RecordedProperty& property : server.api.properties) {
    if (property.qosType != HttpQosSettingTypeConnectionLimit) continue;
    ++limits;
    CHECK(property.target == RecordedProperty::kUrlGroup);
    CHECK(property.id == server.api.urlGroupsCreated[0]);
    CHECK(property.maxConnections == 7);
  }
  CHECK(limits == 1);
  CHECK(server.queue->removeUrl("http://+:8081/", error));
  CHECK(server.api.urls.size() == 2);
}

TEST_CASE("client certificates: the retry is sized from CertEncodedSize; no renegotiation where it cannot work") {
  QueueOptions options;
  options.exportClientCertificate = true;
  DoubleServer server(options);
  std::string der(20000, 'c');
  server.api.certificateFor(1, der);
  DoubleRequest tls = request(1, "/secure");
  tls.tls = true;
  ReceivedRequest secure = server.deliver(tls);
  CHECK(secure.certificate == der);
  CHECK(server.api.certificateCalls == 2);  // the first, then one of the right size

  int callsBefore = server.api.certificateCalls;
  DoubleRequest http2 = tls;
  http2.connectionId = 2;
  http2.http2 = true;
  DoubleRequest upload = tls;
  upload.connectionId = 3;
  upload.verb = "POST";
  upload.moreBody = true;
  DoubleRequest tls13 = tls;
  tls13.connectionId = 4;
  tls13.tlsProtocol = 0x00001000;  // SP_PROT_TLS1_3_SERVER
  for (const DoubleRequest& noRenegotiation : {http2, upload, tls13}) {
    server.api.certificateFor(noRenegotiation.connectionId, der);
    ReceivedRequest delivered = server.deliver(noRenegotiation);
    CHECK(delivered.hasTls);
    CHECK(delivered.certificate.empty());
  }
  CHECK(server.api.certificateCalls == callsBefore);
}

TEST_CASE("an error in the user's language reaches the message as UTF-8, and Java as modified UTF-8") {
  DoubleServer server;
  server.api.messageLanguage = MAKELANGID(LANG_RUSSIAN, SUBLANG_DEFAULT);
  wchar_t wide[256];
  DWORD length = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
                                ERROR_ACCESS_DENIED, server.api.messageLanguage, wide, 256, nullptr);
  if (length == 0) {
    MESSAGE("no Russian system messages on this machine (a language pack): only ASCII text checked");
    server.api.messageLanguage = 0;
  }
  server.api.addUrlError = ERROR_ACCESS_DENIED;
  Error error;
  CHECK_FALSE(server.queue->addUrl("http://+:8099/", error));
  CHECK(error.systemCode == ERROR_ACCESS_DENIED);
  CHECK(error.message.find("HttpAddUrlToUrlGroup failed for http://+:8099/: error 5 (") == 0);
  if (length != 0) {
    CHECK(error.message.find(u8"Доступ запрещён") != std::string::npos);  // Wine's text; Windows' may differ
    CHECK(error.message.find(hsys::windows::narrow(std::wstring_view(wide, 6))) != std::string::npos);
  }
  // Valid UTF-8 through and through: the modified form decodes back to the same bytes.
  std::string modified = toModifiedUtf8(error.message);
  CHECK(fromModifiedUtf8(modified) == error.message);
  CHECK(modified == error.message);  // nothing outside the BMP, no NUL: the forms agree
}

}  // TEST_SUITE

#endif  // _WIN32
