// Posix engine: pipelined requests are parsed ahead and delivered together, responses leave in
// request order whatever order the handler answers in.
#ifndef _WIN32

#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "posix_test_support.h"

using namespace hsys;
using namespace hsys::test;

TEST_CASE("posix pipelining: buffered requests are delivered at once and answered in request order") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  REQUIRE(client.sendAll(get("/one", port) + "POST /two HTTP/1.1\r\n" + hostHeader(port) +
                         "Content-Length: 3\r\n\r\nabc" + get("/three", port)));
  std::map<std::string, ReceivedRequest> byUrl;
  for (int i = 0; i < 3; ++i) {  // all three arrive before any response is sent
    ReceivedRequest request;
    REQUIRE(harness.waitForRequest(request));
    byUrl[request.url] = request;
  }
  REQUIRE(byUrl.size() == 3);
  CHECK(byUrl["/two"].body == "abc");  // a body that was all buffered travels in the record
  CHECK((byUrl["/two"].flags & kRequestMoreBody) == 0);
  std::set<uint64_t> ids;
  for (auto& [url, request] : byUrl) ids.insert(request.requestId);
  CHECK(ids.size() == 3);

  // A request whose whole body is in its record reads end-of-body at once.
  std::vector<uint8_t> buffer(16);
  REQUIRE(queue->receiveBody(byUrl["/two"].requestId, buffer.data(), 16, 70) == kOk);
  Completion read;
  REQUIRE(harness.waitFor(kBodyReceived, 70, read));
  CHECK(read.length == 0);

  // Answer backwards: nothing completes until the first response can go out.
  ResponseBuilder r3, r2, r1, again;  // each stays alive (and unchanged) until its send completes
  REQUIRE(sendText(queue, byUrl["/three"].requestId, r3, "reply/three", 73) == kOk);
  REQUIRE(sendText(queue, byUrl["/two"].requestId, r2, "reply/two", 72) == kOk);
  Completion early;
  CHECK_FALSE(harness.waitFor(kSendCompleted, 73, early, 100));
  CHECK(sendText(queue, byUrl["/two"].requestId, again, "again", 79) == kNoSuchRequest);  // already answered
  REQUIRE(sendText(queue, byUrl["/one"].requestId, r1, "reply/one", 71) == kOk);
  for (uint64_t token : {71, 72, 73}) {
    Completion done;
    REQUIRE(harness.waitFor(kSendCompleted, token, done));
    CHECK(done.status == kOk);
  }
  for (const char* path : {"/one", "/two", "/three"}) {
    std::string raw;
    REQUIRE(client.readResponse(raw));
    CHECK(bodyOf(raw) == std::string("reply") + path);
  }
  // The connection goes on after the batch.
  REQUIRE(client.sendAll(get("/four", port)));
  ReceivedRequest fourth;
  REQUIRE(harness.waitForRequest(fourth));
  CHECK(fourth.url == "/four");
  CHECK(fourth.connectionId == byUrl["/one"].connectionId);
}

TEST_CASE("posix pipelining: a batch's sends under one token complete as one completion that counts them") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  REQUIRE(client.sendAll(get("/a", port) + get("/b", port) + get("/c", port)));
  std::vector<ReceivedRequest> requests(3);
  for (ReceivedRequest& request : requests) REQUIRE(harness.waitForRequest(request));
  // One channel answers its pipelined requests under its one token, as the transport does.
  ResponseBuilder a, b, c;
  const uint64_t channelToken = 90;
  REQUIRE(sendText(queue, requests[0].requestId, a, "reply-a", channelToken) == kOk);
  REQUIRE(sendText(queue, requests[1].requestId, b, "reply-bb", channelToken) == kOk);
  REQUIRE(sendText(queue, requests[2].requestId, c, "reply-ccc", channelToken) == kOk);
  Completion done;
  REQUIRE(harness.waitFor(kSendCompleted, channelToken, done));
  CHECK(done.status == kOk);
  CHECK(done.address == 3);  // three sends, one completion
  CHECK(done.length == 7 + 8 + 9);
  CHECK(done.requestId == requests[2].requestId);  // the last send's request
  Completion more;
  CHECK_FALSE(harness.waitFor(kSendCompleted, channelToken, more, 100));
  for (const char* body : {"reply-a", "reply-bb", "reply-ccc"}) {
    std::string raw;
    REQUIRE(client.readResponse(raw));
    CHECK(bodyOf(raw) == body);
  }
}

TEST_CASE("posix pipelining: failed sends are reported one by one, never folded") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  REQUIRE(client.sendAll(get("/a", port) + get("/b", port)));
  std::vector<ReceivedRequest> requests(2);
  for (ReceivedRequest& request : requests) REQUIRE(harness.waitForRequest(request));
  // The second answer is staged behind the first, which never comes: cancelling the first
  // request resets the connection and fails the staged send.
  ResponseBuilder staged;
  const uint64_t channelToken = 91;
  REQUIRE(sendText(queue, requests[1].requestId, staged, "staged", channelToken) == kOk);
  REQUIRE(queue->cancel(requests[0].requestId) == kOk);
  Completion failed;
  REQUIRE(harness.waitFor(kSendCompleted, channelToken, failed));
  CHECK(failed.status != kOk);
  CHECK(failed.address == 1);
}

TEST_CASE("posix pipelining: at most 16 requests are in flight per connection") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  std::string burst;
  for (int i = 0; i < 20; ++i) burst += get("/r" + std::to_string(i), port);
  REQUIRE(client.sendAll(burst));
  std::vector<ReceivedRequest> requests;
  for (int i = 0; i < 16; ++i) {
    ReceivedRequest request;
    REQUIRE(harness.waitForRequest(request));
    CHECK(request.url == "/r" + std::to_string(i));
    requests.push_back(request);
  }
  Completion more;
  CHECK_FALSE(harness.waitFor(kRequestReceived, 0, more, 100));
  // Each finished response lets one more in.
  std::vector<ResponseBuilder> builders(20);
  REQUIRE(sendText(queue, requests[0].requestId, builders[0], "0", 500) == kOk);
  for (int i = 16; i < 20; ++i) {
    if (i > 16) REQUIRE(sendText(queue, requests[static_cast<size_t>(i - 16)].requestId, builders[static_cast<size_t>(i - 16)],
                                 std::to_string(i - 16), 500 + static_cast<uint64_t>(i - 16)) == kOk);
    ReceivedRequest request;
    REQUIRE(harness.waitForRequest(request));
    CHECK(request.url == "/r" + std::to_string(i));
    requests.push_back(request);
  }
  for (size_t i = 4; i < 20; ++i) {
    REQUIRE(sendText(queue, requests[i].requestId, builders[i], std::to_string(i), 500 + i) == kOk);
  }
  for (int i = 0; i < 20; ++i) {
    std::string raw;
    REQUIRE(pumpResponse(harness, client, raw));
    CHECK(bodyOf(raw) == std::to_string(i));
  }
}

TEST_CASE("posix pipelining: a body still arriving blocks the requests behind it") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  REQUIRE(client.sendAll("POST /upload HTTP/1.1\r\n" + hostHeader(port) + "Content-Length: 10\r\n\r\nabc"));
  ReceivedRequest post;
  REQUIRE(harness.waitForRequest(post));
  CHECK(post.body == "abc");
  CHECK((post.flags & kRequestMoreBody) != 0);
  REQUIRE(client.sendAll("defghij" + get("/after", port)));
  Completion early;
  CHECK_FALSE(harness.waitFor(kRequestReceived, 0, early, 100));
  std::vector<uint8_t> buffer(64);
  REQUIRE(queue->receiveBody(post.requestId, buffer.data(), 64, 80) == kOk);
  Completion read;
  REQUIRE(harness.waitFor(kBodyReceived, 80, read));
  CHECK(std::string(reinterpret_cast<char*>(buffer.data()), read.length) == "defghij");
  // Once the body is in, the next request is parsed even though the POST has no answer yet.
  ReceivedRequest after;
  REQUIRE(harness.waitForRequest(after));
  CHECK(after.url == "/after");
  ResponseBuilder second, first;
  REQUIRE(sendText(queue, after.requestId, second, "second", 82) == kOk);
  REQUIRE(sendText(queue, post.requestId, first, "first", 81) == kOk);
  std::string raw;
  REQUIRE(pumpResponse(harness, client, raw));
  CHECK(bodyOf(raw) == "first");
  REQUIRE(pumpResponse(harness, client, raw));
  CHECK(bodyOf(raw) == "second");
}

TEST_CASE("posix pipelining: engine answers take their turn; Connection: close ends the pipeline") {
  Harness harness;
  uint16_t port = freePort();
  PrefixQueue app(harness, 7, {"http://127.0.0.1:" + std::to_string(port) + "/app/"});
  TestConnection client;
  REQUIRE(client.connect(port));
  REQUIRE(client.sendAll(get("/app/1", port) + get("/elsewhere", port) + get("/app/2", port, "Connection: close\r\n") +
                         get("/app/never", port)));
  ReceivedRequest one, two;
  REQUIRE(harness.waitForRequest(one));
  REQUIRE(harness.waitForRequest(two));
  CHECK(one.url == "/app/1");
  CHECK(two.url == "/app/2");
  Completion more;
  CHECK_FALSE(harness.waitFor(kRequestReceived, 0, more, 100));  // nothing after Connection: close
  ResponseBuilder r2, r1;
  REQUIRE(sendText(app.queue, two.requestId, r2, "two", 92) == kOk);
  REQUIRE(sendText(app.queue, one.requestId, r1, "one", 91) == kOk);
  std::string raw;
  REQUIRE(pumpUntilClosed(harness, client, raw));
  // 200 one, the engine's 404, 200 two with Connection: close, then the end.
  CHECK(statusOf(raw) == 200);
  size_t first = raw.find("\r\n\r\none");
  size_t notFound = raw.find("HTTP/1.1 404");
  size_t last = raw.find("\r\n\r\ntwo");
  CHECK(first != std::string::npos);
  CHECK(notFound != std::string::npos);
  CHECK(last != std::string::npos);
  CHECK(first < notFound);
  CHECK(notFound < last);
  CHECK(raw.substr(last).find("HTTP/1.1") == std::string::npos);
  CHECK(raw.find("/app/never") == std::string::npos);
}

TEST_CASE("posix pipelining: a client that leaves aborts every delivered request") {
  Harness harness;
  uint16_t port = freePort();
  Queue* queue = harness.openQueue(port);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  std::set<uint64_t> ids;
  {
    TestConnection client;
    REQUIRE(client.connect(port));
    REQUIRE(client.sendAll(get("/a", port) + get("/b", port)));
    for (int i = 0; i < 2; ++i) {
      ReceivedRequest request;
      REQUIRE(harness.waitForRequest(request));
      ids.insert(request.requestId);
    }
  }
  for (int i = 0; i < 2; ++i) {
    Completion aborted;
    REQUIRE(harness.waitFor(kRequestAborted, 0, aborted));
    CHECK(ids.erase(aborted.requestId) == 1);
  }
  ResponseBuilder late;
  CHECK(sendText(queue, 12345, late, "x", 1) == kNoSuchRequest);
}

TEST_CASE("posix pipelining: pipelined requests for queues on different loops follow the connection") {
  uint16_t port = freePort();
  const std::string p = ":" + std::to_string(port);
  Harness loopA, loopB;
  PrefixQueue a(loopA, 51, {"http://+" + p + "/a/"});
  PrefixQueue b(loopB, 52, {"http://+" + p + "/b/"});
  TestConnection client;
  REQUIRE(client.connect(port));
  const std::vector<std::string> paths = {"/a/1", "/a/2", "/b/3", "/a/4", "/b/5"};
  std::string burst;
  for (const std::string& path : paths) burst += get(path, port);
  REQUIRE(client.sendAll(burst));
  // Each loop answers what reaches it; the connection moves once its earlier requests are done.
  std::vector<std::string> seen;
  std::vector<std::unique_ptr<ResponseBuilder>> builders;
  for (int round = 0; round < 1000 && seen.size() < paths.size(); ++round) {
    for (int which = 0; which < 2; ++which) {
      Harness& harness = which == 0 ? loopA : loopB;
      ReceivedRequest request;
      if (!harness.waitForRequest(request, 2)) continue;
      seen.push_back(request.url);
      builders.push_back(std::make_unique<ResponseBuilder>());
      REQUIRE(sendText(which == 0 ? a.queue : b.queue, request.requestId, *builders.back(), "reply" + request.url,
                       900 + seen.size()) == kOk);
    }
  }
  CHECK(seen == paths);
  for (const std::string& path : paths) {
    std::string raw;
    bool got = false;
    for (int i = 0; i < 300 && !got; ++i) {
      pump(loopA, 1);
      pump(loopB, 1);
      got = client.readResponse(raw, 2);
    }
    REQUIRE(got);
    CHECK(bodyOf(raw) == "reply" + path);
  }
}
TEST_CASE("posix pipelining: bodies on either side of the size copied behind the head arrive intact, in order") {
  // A body of up to 512 bytes is copied behind its head (one output segment), a longer one is
  // written from the record: both kinds, staged behind an unanswered request and on the wire,
  // and the same sizes served as cache hits.
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  const std::vector<size_t> sizes = {0, 1, 511, 512, 513, 4096};
  std::string burst;
  for (size_t size : sizes) burst += get("/size/" + std::to_string(size), port);
  REQUIRE(client.sendAll(burst));
  std::vector<ReceivedRequest> requests(sizes.size());
  for (ReceivedRequest& request : requests) REQUIRE(harness.waitForRequest(request));
  auto bodyOfSize = [](size_t size) {
    std::string body(size, '.');
    for (size_t i = 0; i < size; ++i) body[i] = static_cast<char>('a' + (i * 7 + size) % 26);
    return body;
  };
  // Backwards, so every response but the first is staged behind the ones before it; each is
  // cacheable, so the same URLs come back as hits.
  std::vector<ResponseBuilder> builders(sizes.size());
  for (size_t i = sizes.size(); i-- > 0;) {
    builders[i].status(200, "OK").header("Content-Length", std::to_string(sizes[i])).body(bodyOfSize(sizes[i]))
        .cacheTtl(30);
    REQUIRE(builders[i].sendTo(queue, requests[i].requestId, 500 + i) == kOk);
  }
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::string raw;
    REQUIRE(pumpResponse(harness, client, raw));
    CHECK(bodyOf(raw) == bodyOfSize(sizes[i]));
  }
  REQUIRE(client.sendAll(burst));
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::string raw;
    REQUIRE(pumpResponse(harness, client, raw));
    CHECK(bodyOf(raw) == bodyOfSize(sizes[i]));
  }
  Completion none;
  CHECK_FALSE(harness.waitFor(kRequestReceived, 0, none, 10));  // all of them were hits
}

namespace {

// Overwrites a sent record and every byte its memory chunks name, as a caller reusing them would.
void scribbleOver(std::vector<uint8_t>& record) {
  ResponseRecordHeader header;
  std::memcpy(&header, record.data(), sizeof header);
  const size_t table = record.size() - header.chunkCount * sizeof(DataChunk);
  for (uint16_t i = 0; i < header.chunkCount; ++i) {
    DataChunk chunk;
    std::memcpy(&chunk, record.data() + table + i * sizeof(DataChunk), sizeof chunk);
    if (chunk.kind == kChunkMemory && chunk.length != 0) {
      std::memset(reinterpret_cast<void*>(static_cast<uintptr_t>(chunk.handleOrAddress)), '#', chunk.length);
    }
  }
  std::memset(record.data(), 0xEE, record.size());
}

}  // namespace

TEST_CASE("posix: a send answered kOkCopied needs none of the caller's memory afterwards") {
  // Heads, framing and bodies copied behind the head (up to 512 bytes) are the engine's own bytes:
  // the caller (Java) may reuse the record at once. A body written in place must stay until its
  // completion.
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  const std::vector<size_t> sizes = {0, 1, 512, 513, 4096};
  std::string burst;
  for (size_t size : sizes) burst += get("/copied/" + std::to_string(size), port);
  burst += get("/streamed", port);
  REQUIRE(client.sendAll(burst));
  std::vector<ReceivedRequest> requests(sizes.size() + 1);
  for (ReceivedRequest& request : requests) REQUIRE(harness.waitForRequest(request));
  auto bodyOfSize = [](size_t size) { return std::string(size, static_cast<char>('a' + size % 26)); };
  std::vector<ResponseBuilder> builders(sizes.size());
  // Backwards, so all but the first are staged behind an unanswered request when sent.
  for (size_t i = sizes.size(); i-- > 0;) {
    std::vector<uint8_t>& record = const_cast<std::vector<uint8_t>&>(
        builders[i].status(200, "OK").header("Content-Length", std::to_string(sizes[i])).body(bodyOfSize(sizes[i]))
            .build());
    int32_t status = queue->send(requests[i].requestId, record.data(), static_cast<uint32_t>(record.size()), 600 + i);
    CHECK_MESSAGE(status == (sizes[i] <= 512 ? kOkCopied : kOk), "body of " << sizes[i] << " bytes");
    if (status == kOkCopied) scribbleOver(record);
  }
  // A streamed response: its head alone and its empty end are copied, its data is not.
  const uint64_t streamed = requests.back().requestId;
  ResponseBuilder head, data, end;
  std::vector<uint8_t>& headRecord = const_cast<std::vector<uint8_t>&>(
      head.status(200, "OK").header("Content-Type", "text/plain").flags(kResponseMoreData).build());
  CHECK(queue->send(streamed, headRecord.data(), static_cast<uint32_t>(headRecord.size()), 700) == kOkCopied);
  scribbleOver(headRecord);
  const std::vector<uint8_t>& dataRecord = data.bodyOnly().body("streamed data").flags(kResponseMoreData).build();
  CHECK(queue->send(streamed, dataRecord.data(), static_cast<uint32_t>(dataRecord.size()), 701) == kOk);
  std::vector<uint8_t>& endRecord = const_cast<std::vector<uint8_t>&>(end.bodyOnly().build());
  CHECK(queue->send(streamed, endRecord.data(), static_cast<uint32_t>(endRecord.size()), 702) == kOkCopied);
  scribbleOver(endRecord);
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::string raw;
    REQUIRE(pumpResponse(harness, client, raw));
    CHECK(statusOf(raw) == 200);
    CHECK(bodyOf(raw) == bodyOfSize(sizes[i]));
  }
  std::string raw;
  REQUIRE(pumpResponse(harness, client, raw));
  CHECK(bodyOf(raw) == "streamed data");
  uint64_t completed = 0;  // a completion follows every send, copied or not (one may count several)
  Completion done;
  while (completed < sizes.size() + 3 && harness.waitFor(kSendCompleted, 0, done)) {
    CHECK(done.status == kOk);
    completed += done.address;
  }
  CHECK(completed == sizes.size() + 3);
}
#endif
