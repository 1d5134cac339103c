// The windows backend's connection model on the HTTP Server API double (Windows behaviour, where
// Wine has neither disconnect waits, DISCONNECT nor cancel): the held final send, what
// closeConnection hands over in each state of a connection, and kConnectionClosed.
#ifdef _WIN32

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

#include "httpapi_double_fixture.h"

using namespace hsys;
using namespace hsys::test;

namespace {

DoubleRequest get(uint64_t connectionId, const char* url = "/") {
  DoubleRequest request;
  request.connectionId = connectionId;
  request.url = url;
  request.headers = {{"Host", "localhost"}};
  return request;
}

ResponseBuilder& ok(ResponseBuilder& response, const char* body = "ok") {
  return response.status(200, "OK").header("Content-Length", std::to_string(std::strlen(body))).body(body);
}

bool cancelled(const HttpApiDouble& api, uint64_t requestId) {
  return std::find(api.cancels.begin(), api.cancels.end(), requestId) != api.cancels.end();
}

}  // namespace

TEST_SUITE("windows backend on the HTTP Server API double: connections") {

TEST_CASE("the final send waits for the next poll; without closeConnection it carries no DISCONNECT") {
  DoubleServer server;
  ReceivedRequest request = server.deliver(get(7));
  ResponseBuilder response;
  REQUIRE(server.handOver(request.requestId, ok(response).cacheTtl(30), 11) == kOk);
  CHECK(server.api.sends.empty());  // held
  Completion sent = server.expect(kSendCompleted, 11);
  CHECK(sent.status == kOk);
  REQUIRE(server.api.sends.size() == 1);
  const RecordedSend& send = server.api.sends[0];
  CHECK((send.flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) == 0);
  CHECK_FALSE(send.hasKnown(HttpHeaderConnection));
  // Still one HttpSendHttpResponse with the whole response, as the kernel cache needs.
  CHECK(send.cachePolicy);
  CHECK(send.body == "ok");
  CHECK(server.api.connectionOpen(7));
}

TEST_CASE("closeConnection right after the final send: it leaves with DISCONNECT, then kConnectionClosed") {
  DoubleServer server;
  ReceivedRequest request = server.deliver(get(7));
  CHECK(request.connectionId == 7);
  ResponseBuilder response;
  REQUIRE(server.handOver(request.requestId, ok(response, "bye"), 12) == kOk);
  REQUIRE(server.queue->closeConnection(7) == kOk);
  CHECK(server.expect(kSendCompleted, 12).status == kOk);
  REQUIRE(server.api.sends.size() == 1);
  const RecordedSend& send = server.api.sends[0];
  CHECK((send.flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) != 0);
  CHECK(send.known.at(HttpHeaderConnection) == "close");
  CHECK(send.body == "bye");
  Completion closed = server.expect(kConnectionClosed);
  CHECK(closed.address == 7);
  CHECK(closed.token == 1);  // the queue's token
  CHECK(server.nothing(kRequestAborted));
  CHECK(server.queue->closeConnection(7) == kNoSuchRequest);
  CHECK(server.nothing(kConnectionClosed));
}

TEST_CASE("a later send on the same connection issues the held one first, in order") {
  DoubleServer server;
  ReceivedRequest first = server.deliver(get(3, "/1"));
  ReceivedRequest second = server.deliver(get(3, "/2"));
  ResponseBuilder one, two;
  REQUIRE(server.handOver(first.requestId, ok(one, "one"), 21) == kOk);
  REQUIRE(server.handOver(second.requestId, two.status(200, "OK").header("Content-Length", "5").body("tw")
                                                .flags(kResponseMoreData), 22) == kOk);
  REQUIRE(server.api.sends.size() == 2);  // both out before any poll
  CHECK(server.api.sends[0].requestId == first.requestId);
  CHECK(server.api.sends[1].requestId == second.requestId);
  server.expect(kSendCompleted, 21);
  server.expect(kSendCompleted, 22);
}

TEST_CASE("several sends of one response reach HTTP.SYS one at a time, in order; closeConnection marks the last") {
  DoubleServer server;
  ReceivedRequest request = server.deliver(get(13));
  ResponseBuilder head, middle, last;
  head.status(200, "OK").header("Content-Length", "12").body("part").flags(kResponseMoreData);
  middle.bodyOnly().body("more").flags(kResponseMoreData);
  last.bodyOnly().body("last");
  REQUIRE(server.handOver(request.requestId, head, 61) == kOk);
  REQUIRE(server.handOver(request.requestId, middle, 62) == kOk);
  REQUIRE(server.handOver(request.requestId, last, 63) == kOk);
  CHECK(server.api.sends.size() == 1);  // the others wait for the one in the kernel
  REQUIRE(server.queue->closeConnection(13) == kOk);
  for (uint64_t token : {61, 62, 63}) {
    Completion done = server.expect(kSendCompleted);
    CHECK(done.token == token);
    CHECK(done.status == kOk);
  }
  REQUIRE(server.api.sends.size() == 3);
  CHECK(server.api.sends[0].body == "part");
  CHECK(server.api.sends[1].body == "more");
  CHECK(server.api.sends[2].body == "last");
  CHECK((server.api.sends[1].flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) == 0);
  CHECK((server.api.sends[2].flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) != 0);
  CHECK(server.expect(kConnectionClosed).address == 13);
  ResponseBuilder late;
  const std::vector<uint8_t>& record = late.bodyOnly().body("x").build();
  CHECK(server.queue->send(request.requestId, record.data(), static_cast<uint32_t>(record.size()), 64) ==
        kNoSuchRequest);
}

TEST_CASE("closeConnection with an unanswered request behind the answered one drops it and resets it after") {
  DoubleServer server;
  ReceivedRequest answered = server.deliver(get(4, "/a"));
  ReceivedRequest unanswered = server.deliver(get(4, "/b"));
  ResponseBuilder response;
  REQUIRE(server.handOver(answered.requestId, ok(response), 31) == kOk);
  REQUIRE(server.queue->closeConnection(4) == kOk);
  ResponseBuilder late;
  const std::vector<uint8_t>& record = ok(late).build();
  CHECK(server.queue->send(unanswered.requestId, record.data(), static_cast<uint32_t>(record.size()), 32) ==
        kNoSuchRequest);
  server.expect(kSendCompleted, 31);
  REQUIRE(server.api.sends.size() == 1);
  CHECK((server.api.sends[0].flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) != 0);
  CHECK(cancelled(server.api, unanswered.requestId));  // after the response, not before
  CHECK(server.expect(kConnectionClosed).address == 4);
  CHECK(server.nothing(kRequestAborted));  // the application dropped it
}

TEST_CASE("closeConnection while a response is only partly out resets the request") {
  DoubleServer server;
  ReceivedRequest request = server.deliver(get(5));
  ResponseBuilder head;
  head.status(200, "OK").header("Content-Length", "100").body("part").flags(kResponseMoreData);
  REQUIRE(server.harness.sendAndWait(server.queue, request.requestId, head) == kOk);
  REQUIRE(server.queue->closeConnection(5) == kOk);
  CHECK(cancelled(server.api, request.requestId));
  CHECK(server.expect(kConnectionClosed).address == 5);
  ResponseBuilder rest;
  const std::vector<uint8_t>& record = rest.bodyOnly().body("rest").build();
  CHECK(server.queue->send(request.requestId, record.data(), static_cast<uint32_t>(record.size()), 41) ==
        kNoSuchRequest);
}

TEST_CASE("closeConnection with only an unanswered request resets it at once") {
  DoubleServer server;
  ReceivedRequest request = server.deliver(get(6));
  REQUIRE(server.queue->closeConnection(6) == kOk);
  CHECK(cancelled(server.api, request.requestId));
  CHECK(server.api.sends.empty());
  CHECK(server.expect(kConnectionClosed).address == 6);
  CHECK(server.nothing(kRequestAborted));
}

TEST_CASE("an idle connection closed by the application: its next request is refused, never delivered") {
  DoubleServer server;
  ReceivedRequest request = server.deliver(get(8, "/first"));
  ResponseBuilder response;
  REQUIRE(server.harness.sendAndWait(server.queue, request.requestId, ok(response)) == kOk);
  REQUIRE(server.queue->closeConnection(8) == kOk);
  CHECK(server.api.cancels.empty());  // nothing to end yet: HTTP.SYS cannot close an idle connection
  CHECK(server.api.connectionOpen(8));
  uint64_t later = server.api.arrive(get(8, "/later"));
  CHECK(server.nothing(kRequestReceived, 300));
  CHECK(cancelled(server.api, later));
  CHECK(server.expect(kConnectionClosed).address == 8);
}

TEST_CASE("a client that leaves: kRequestAborted for its open request, then kConnectionClosed once") {
  DoubleServer server;
  ReceivedRequest done = server.deliver(get(9, "/done"));
  ResponseBuilder response;
  REQUIRE(server.harness.sendAndWait(server.queue, done.requestId, ok(response)) == kOk);
  ReceivedRequest open = server.deliver(get(9, "/open"));
  CHECK(server.api.waitsPosted.size() == 1);  // one wait per connection
  server.api.clientLeaves(9);
  Completion aborted = server.expect(kRequestAborted);
  CHECK(aborted.requestId == open.requestId);
  CHECK(server.expect(kConnectionClosed).address == 9);
  CHECK(server.nothing(kConnectionClosed));
  CHECK(server.queue->closeConnection(9) == kNoSuchRequest);
}

TEST_CASE("closeConnection on an upgraded stream: an empty DISCONNECT send after the bytes in flight") {
  DoubleServer server;
  DoubleRequest upgrade = get(10, "/ws");
  upgrade.headers.push_back({"Connection", "Upgrade"});
  upgrade.headers.push_back({"Upgrade", "websocket"});
  ReceivedRequest request = server.deliver(upgrade);
  ResponseBuilder switching;
  switching.status(101, "Switching Protocols").header("Connection", "Upgrade").header("Upgrade", "websocket")
      .flags(kResponseOpaque | kResponseMoreData);
  REQUIRE(server.harness.sendAndWait(server.queue, request.requestId, switching) == kOk);
  ResponseBuilder frame;
  REQUIRE(server.handOver(request.requestId, frame.bodyOnly().body("last-bytes").flags(kResponseMoreData), 51) ==
          kOk);
  REQUIRE(server.queue->closeConnection(10) == kOk);
  server.expect(kSendCompleted, 51);
  CHECK(server.expect(kConnectionClosed).address == 10);
  REQUIRE(server.api.sends.size() == 3);
  CHECK(server.api.sends[1].body == "last-bytes");
  CHECK((server.api.sends[1].flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) == 0);
  CHECK_FALSE(server.api.sends[2].hasHead);
  CHECK(server.api.sends[2].body.empty());
  CHECK((server.api.sends[2].flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) != 0);
  CHECK(server.api.cancels.empty());  // graceful, not a reset
}

TEST_CASE("HTTP/2: a record's disconnect flag does not end the connection's other streams") {
  DoubleServer server;
  DoubleRequest stream = get(11);
  stream.http2 = true;
  ReceivedRequest request = server.deliver(stream);
  CHECK((request.flags & kRequestHttp2) != 0);
  ResponseBuilder response;
  REQUIRE(server.harness.sendAndWait(server.queue, request.requestId, ok(response).flags(kResponseDisconnect)) ==
          kOk);
  REQUIRE(server.api.sends.size() == 1);
  CHECK((server.api.sends[0].flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) == 0);
  CHECK(server.api.connectionOpen(11));
}

TEST_CASE("closeConnection of a connection the queue does not know: kNoSuchRequest") {
  DoubleServer server;
  CHECK(server.queue->closeConnection(12345) == kNoSuchRequest);
}

}  // TEST_SUITE

#endif  // _WIN32
