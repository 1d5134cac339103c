// The natives driven as the transport drives them, with a real client on a socket: a queue with
// settings, a body read, responses (whole, streamed), cancel, closeConnection, close and destroy.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "host_test_util.h"

using namespace hsys;
using namespace hsys::jnihost;
using hsys::test::ParsedResponse;
using hsys::test::ReceivedRequest;
using hsys::test::ResponseBuilder;

TEST_SUITE("JNI layer: serving") {

TEST_CASE("a request served through the natives: options, URL, body read, response, removeUrl, close, destroy") {
  // A 4 KiB receive buffer: the 10 000-byte body comes partly in the record, the rest through
  // receiveBody (Wine 8 dies completing receives over ~20 KB, so not larger).
  ServedClient served(11, queueSettings({{kOptReceiveBufferSize, 4096},
                                         {kOptPendingReceives, 2},
                                         {kOptQueueLength, 100},
                                         {kOptMaxRequestBodyBytes, 1 << 20},
                                         {kOptIdleConnectionTimeout, 120}}));
  NativeClass& natives = served.natives;
  CHECK(HostVm::utf8(natives.call<Object*>("backendName", served.engine.loop())) == kExpectedBackend);
  std::string payload(10000, 'x');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 26);
  ReceivedRequest request = served.request("POST /upload?via=jni HTTP/1.1\r\n" + hostHeader(served.port) +
                                           "Content-Type: text/plain\r\nX-Client: jni-host\r\n"
                                           "Content-Length: " + std::to_string(payload.size()) + "\r\n\r\n" + payload);
  CHECK(request.method == "POST");
  CHECK(request.url == "/upload?via=jni");
  CHECK(request.header("X-Client") == "jni-host");
  CHECK(request.local.port == served.port);
  CHECK((request.flags & kRequestMoreBody) != 0);
  CHECK(served.engine.readBody(served.queue, request) == payload);

  ResponseBuilder response;
  response.status(201, "Created").header("Content-Type", "text/plain").header("Content-Length", "9")
      .body("got ").body("it, ").body("j");
  ParsedResponse parsed = served.respond(request.requestId, response);
  CHECK(parsed.status == 201);
  CHECK(parsed.body == "got it, j");

  // The same connection again (keep-alive), then the prefix is removed and the queue closed.
  ReceivedRequest second = served.get("/again");
  CHECK(second.connectionId == request.connectionId);
  ResponseBuilder again;
  again.header("Content-Length", "2").body("ok");
  CHECK(served.respond(second.requestId, again).body == "ok");

  natives.call<void>("removeUrl", served.queue, served.engine.javaString(prefixFor(served.port)));
  CHECK(natives.lastException == nullptr);
  CHECK(served.closeQueue());
  served.engine.destroyLoop();
}

TEST_CASE("a streamed response: a head with MORE_DATA, body-only sends, the last one" *
          doctest::skip(wineWithoutStreaming()) *
          doctest::description("Wine 8 aborts the process in HttpSendResponseEntityBody; runs under Wine 10, "
                               "on Windows and on Linux")) {
  ServedClient served(12);
  ReceivedRequest request = served.get("/stream");
  ResponseBuilder head;
  head.header("Content-Length", "15").body("hello").flags(kResponseMoreData);
  CHECK(served.engine.sendAndWait(served.queue, request.requestId, head) == kOk);
  ResponseBuilder middle;
  middle.bodyOnly().body(" big ").flags(kResponseMoreData);
  CHECK(served.engine.sendAndWait(served.queue, request.requestId, middle) == kOk);
  ResponseBuilder last;
  last.bodyOnly().body("world");
  CHECK(served.respond(request.requestId, last).body == "hello big world");
  CHECK(served.closeQueue());
}

TEST_CASE("stats writes the loop's counters into a long[] of kEngineStatsCount slots") {
  ServedClient served(17);
  ReceivedRequest request = served.get("/");
  Object* counters = served.engine.vm().newLongArray(std::vector<jlong>(kEngineStatsCount, -1));
  served.natives.call<void>("stats", served.engine.loop(), counters);
  CHECK(served.natives.lastException == nullptr);
  for (jlong counter : counters->longs) CHECK(counter >= 0);  // every slot written (-1 before)
#ifndef _WIN32
  CHECK(counters->longs[0] == 1);  // the posix loop holds the client's connection
  CHECK(counters->longs[1] == 1);  // and its request, unanswered
#endif
  served.natives.call<void>("stats", served.engine.loop(), served.engine.vm().newLongArray({0, 0}));
  REQUIRE(served.natives.lastException != nullptr);  // a wrong-sized array: HttpSysException
  CHECK(served.natives.lastException->type->name == "dev/nettyhttpsys/transport/HttpSysException");
  served.natives.lastException = nullptr;
  ResponseBuilder response;
  response.header("Content-Length", "2").body("ok");
  CHECK(served.respond(request.requestId, response).body == "ok");
  CHECK(served.closeQueue());
}

TEST_CASE("wakeup makes the next poll return at once") {
  LoadedLibrary& loaded = loadedLibrary();
  JniEngine engine(*loaded.vm, *loaded.natives);
  loaded.natives->call<void>("wakeup", engine.loop());
  auto started = std::chrono::steady_clock::now();
  CHECK(engine.poll(10000) >= 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("cancel ends a pending body read with kCancelled and resets the connection" *
          doctest::skip(underWine()) *
          doctest::description("HttpCancelHttpRequest is a process-aborting stub in Wine (Wine: case below)")) {
  ServedClient served(13);
  NativeClass& natives = served.natives;
  ReceivedRequest request = served.request("POST / HTTP/1.1\r\n" + hostHeader(served.port) + "Content-Length: 100\r\n\r\nabc");
  Object* buffer = served.loaded.vm->newDirectBuffer(256);
  jlong address = natives.call<jlong>("bufferAddress", buffer);
  // The rest of the body never comes, so this read stays pending until the cancel.
  REQUIRE(natives.call<jint>("receiveBody", served.queue, static_cast<jlong>(request.requestId), address, jint{256},
                             jlong{77}) == kOk);
  CHECK(natives.call<jint>("cancel", served.queue, static_cast<jlong>(request.requestId)) == kOk);
  Completion read{};
  REQUIRE(served.engine.waitFor(kBodyReceived, 77, read));
  CHECK(read.status == kCancelled);
  CHECK(pumpUntilClosed(served.engine, served.client));
  CHECK(natives.call<jint>("cancel", served.queue, static_cast<jlong>(request.requestId)) == kNoSuchRequest);
  CHECK(served.closeQueue());
}

TEST_CASE("closeConnection: the response already sent arrives, then the connection ends") {
  ServedClient served(14);
  NativeClass& natives = served.natives;
  ReceivedRequest request = served.get("/");
  ResponseBuilder response;
  response.header("Content-Length", "3").body("bye");
  jint sent = served.engine.send(served.queue, request.requestId, response, 901);
  REQUIRE(test::accepted(sent));  // kOkCopied from the posix engine: a small response
  CHECK(natives.call<jint>("closeConnection", served.queue, static_cast<jlong>(request.connectionId)) == kOk);
  ParsedResponse parsed;
  REQUIRE(pumpResponse(served.engine, served.client, parsed));
  CHECK(parsed.body == "bye");
  if (underWine()) {
    // Wine ignores HTTP_SEND_RESPONSE_FLAG_DISCONNECT and has no disconnect wait: the backend's
    // Connection: close on the held send is what shows (docs/windows-verification.md).
    CHECK(parsed.header("Connection") == "close");
  } else {
    CHECK(pumpUntilClosed(served.engine, served.client));
    Completion closed{};
    REQUIRE(served.engine.waitFor(kConnectionClosed, 14, closed));
    CHECK(closed.address == request.connectionId);
    CHECK(natives.call<jint>("closeConnection", served.queue, static_cast<jlong>(request.connectionId)) ==
          kNoSuchRequest);
  }
  CHECK(served.closeQueue());
}

#ifdef _WIN32
namespace {

// Calls a native on the request of a GET, checks its answer, then serves the request normally.
void callThenServe(ServedClient& served, const char* native, jint expected) {
  ReceivedRequest request = served.get("/");
  CHECK(served.natives.call<jint>(native, served.queue, static_cast<jlong>(request.requestId)) == expected);
  ResponseBuilder response;
  response.header("Content-Length", "2").body("ok");
  CHECK(served.respond(request.requestId, response).body == "ok");
  CHECK(served.closeQueue());
}

}  // namespace

TEST_CASE("Wine: cancel answers kUnsupported instead of reaching Wine's aborting stub" *
          doctest::skip(!underWine()) * doctest::description("on Windows the case above runs instead")) {
  ServedClient served(16);
  callThenServe(served, "cancel", kUnsupported);
}
#endif

}  // TEST_SUITE
