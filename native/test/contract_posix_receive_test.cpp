// Posix engine, the receive side of issue 17: chunked bodies come in reads as large as the
// caller's buffer (many chunks coalesced, as HttpReceiveRequestEntityBody gives them), chunk
// framing split anywhere across socket reads decodes the same, trailers are checked and dropped;
// and a connection holds a receive buffer only while it has bytes to keep, request slots and its
// work state only while requests are in flight (Loop::stats()).
#ifndef _WIN32

#include <doctest/doctest.h>

#include <cstdio>

#include "posix_test_support.h"

using namespace hsys;
using namespace hsys::test;

namespace {

std::string chunkedHead(uint16_t port) {
  return "POST /c HTTP/1.1\r\n" + hostHeader(port) + "Transfer-Encoding: chunked\r\n\r\n";
}

// count chunks of size bytes each ('a' + i % 26), framed, then the last chunk and trailer.
std::string framedChunks(int count, size_t size, std::string& data, const std::string& trailer) {
  std::string framed;
  char line[16];
  std::snprintf(line, sizeof line, "%zx\r\n", size);
  for (int i = 0; i < count; ++i) {
    std::string piece(size, static_cast<char>('a' + i % 26));
    data += piece;
    framed.append(line).append(piece).append("\r\n");
  }
  return framed + "0\r\n" + trailer + "\r\n";
}

// The body read with token fails as malformed, and the client gets a 400 and a close.
void checkRejectedBody(Harness& harness, TestConnection& client, uint64_t token) {
  Completion done;
  REQUIRE(harness.waitFor(kBodyReceived, token, done));
  CHECK(done.status == kMalformedBody);
  std::string raw;
  CHECK(pumpUntilEnd(harness, client, raw) == TestConnection::End::kClosed);
  CHECK(statusOf(raw) == 400);
}

struct BodyReads {
  std::string body;
  std::vector<uint64_t> lengths;  // of the reads that brought bytes
  int32_t status = kOk;
};

// Reads the body through receiveBody (capacity bytes a read) until 0 or a failure.
BodyReads readBody(Harness& harness, Queue* queue, uint64_t requestId, size_t capacity, uint64_t firstToken) {
  BodyReads reads;
  std::vector<uint8_t> buffer(capacity);
  for (uint64_t token = firstToken;; ++token) {
    REQUIRE(queue->receiveBody(requestId, buffer.data(), static_cast<uint32_t>(capacity), token) == kOk);
    Completion done;
    REQUIRE(harness.waitFor(kBodyReceived, token, done));
    reads.status = done.status;
    if (done.status != kOk || done.length == 0) return reads;
    reads.lengths.push_back(done.length);
    reads.body.append(reinterpret_cast<char*>(buffer.data()), static_cast<size_t>(done.length));
  }
}

void answer(Harness& harness, Queue* queue, uint64_t requestId, TestConnection& client) {
  ResponseBuilder response;
  response.header("Content-Length", "2").body("ok");
  CHECK(harness.respond(queue, requestId, response, client).status == 200);
}

EngineStats statsWhen(Harness& harness, uint64_t buffers, uint64_t slots = 0) {
  EngineStats stats = harness.loop().stats();
  for (int i = 0; i < 100 && (stats.receiveBuffers != buffers || stats.requestSlots != slots); ++i) {
    pump(harness);
    stats = harness.loop().stats();
  }
  return stats;
}

}  // namespace

TEST_CASE("posix chunked body: many small chunks already received come in one read as large as the buffer") {
  Harness harness;
  uint16_t port = freePort();
  QueueOptions options;
  options.receiveBufferSize = 1024;  // the record takes the first KB; the rest goes through receiveBody
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client, options);
  std::string data;
  const std::string framed = framedChunks(256, 150, data, "X-Trailer: checked\r\n");  // 38 KB in 256 chunks
  ReceivedRequest request = harness.request(client, chunkedHead(port) + framed);
  CHECK(request.body.size() <= 1024);
  // The whole request was sent before the first read: one read takes every chunk, up to the end.
  BodyReads big = readBody(harness, queue, request.requestId, 256 * 1024, 100);
  CHECK(big.status == kOk);
  CHECK(request.body + big.body == data);
  REQUIRE(big.lengths.size() == 1);
  CHECK(big.lengths[0] == data.size() - request.body.size());
  answer(harness, queue, request.requestId, client);

  // A buffer smaller than what is there: every read but the last fills it.
  data.clear();
  request = harness.request(client, chunkedHead(port) + framedChunks(300, 100, data, ""));
  BodyReads small = readBody(harness, queue, request.requestId, 7000, 200);
  CHECK(small.status == kOk);
  CHECK(request.body + small.body == data);
  REQUIRE(small.lengths.size() >= 2);
  for (size_t i = 0; i + 1 < small.lengths.size(); ++i) CHECK(small.lengths[i] == 7000);
  answer(harness, queue, request.requestId, client);
}

TEST_CASE("posix chunked body: framing split at any byte across socket reads decodes the same") {
  Harness harness;
  uint16_t port = freePort();
  QueueOptions options;
  options.receiveBufferSize = 1024;
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client, options);
  const std::string body = "hello" + std::string(40, 'x') + "!";
  const std::string framed = "5;name=\"v\"\r\nhello\r\n28\r\n" + std::string(40, 'x') +
                             "\r\n1\r\n!\r\n0\r\nX-One: 1\r\nX-Two: 2\r\n\r\n";
  for (size_t split = 1; split < framed.size(); ++split) {
    CAPTURE(split);
    // The head and the first part come together; the rest only after a read is pending, so the
    // engine decodes it from a later socket read (chunk data straight into the caller's buffer).
    ReceivedRequest request = harness.request(client, chunkedHead(port) + framed.substr(0, split));
    std::string got = request.body;
    std::vector<uint8_t> buffer(4096);
    uint64_t token = 1000 + split * 10;
    REQUIRE(queue->receiveBody(request.requestId, buffer.data(), 4096, token) == kOk);
    pump(harness);
    REQUIRE(client.sendAll(framed.substr(split)));
    for (;; ++token) {
      Completion done;
      REQUIRE(harness.waitFor(kBodyReceived, token, done));
      REQUIRE(done.status == kOk);
      if (done.length == 0) break;
      got.append(reinterpret_cast<char*>(buffer.data()), static_cast<size_t>(done.length));
      REQUIRE(queue->receiveBody(request.requestId, buffer.data(), 4096, token + 1) == kOk);
    }
    CHECK(got == body);
    answer(harness, queue, request.requestId, client);  // the connection lives on: the trailer was consumed
  }
}

TEST_CASE("posix chunked body: a malformed chunk behind good ones in the same read fails it with 400") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request = harness.request(client, chunkedHead(port) + "5\r\nhello\r\n");
  std::vector<uint8_t> buffer(64 * 1024);
  REQUIRE(queue->receiveBody(request.requestId, buffer.data(), 64 * 1024, 300) == kOk);
  pump(harness);
  std::string data;
  std::string framed = framedChunks(20, 100, data, "");
  framed.resize(framed.size() - 5);  // no last chunk: a bad size line follows the good chunks
  REQUIRE(client.sendAll(framed + "1x\r\nq\r\n0\r\n\r\n"));
  checkRejectedBody(harness, client, 300);
}

TEST_CASE("posix chunked body: a trailer section past the limit fails the read with 400") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request = harness.request(client, chunkedHead(port) + "3\r\nabc\r\n");
  std::vector<uint8_t> buffer(4096);
  REQUIRE(queue->receiveBody(request.requestId, buffer.data(), 4096, 400) == kOk);
  pump(harness);
  REQUIRE(client.sendAll("0\r\nX-Big: " + std::string(20 * 1024, 'b') + "\r\n\r\n"));  // limit: 16 KB
  checkRejectedBody(harness, client, 400);
}

TEST_CASE("posix receive buffers: an idle keep-alive connection holds none, pipelined bytes keep one") {
  Harness harness;
  uint16_t port = freePort();
  Queue* queue = harness.openQueue(port);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  constexpr int kClients = 20;
  std::vector<TestConnection> clients(kClients);
  for (TestConnection& client : clients) {
    REQUIRE(client.connect(port));
    ReceivedRequest request = harness.request(client, get("/idle", port));
    answer(harness, queue, request.requestId, client);
  }
  EngineStats idle = statsWhen(harness, 0);
  CHECK(idle.openConnections == kClients);
  CHECK(idle.receiveBuffers == 0);
  CHECK(idle.requestSlots == 0);
  CHECK(idle.outputQueues == 0);  // their answers' segment arrays went back with the slots
  CHECK(idle.connectionWork == 0);
  CHECK(idle.receiveBufferBytes <= 64 * 8 * 1024);  // only the loop's free list

  // A head arriving in parts holds a buffer until the request is delivered.
  REQUIRE(clients[0].sendAll("GET /part HTTP/1.1\r\n"));
  CHECK(statsWhen(harness, 1).receiveBuffers == 1);
  ReceivedRequest part = harness.request(clients[0], hostHeader(port) + "\r\n");
  CHECK(part.url == "/part");
  CHECK(harness.loop().stats().receiveBuffers == 0);  // delivered: nothing left to keep
  CHECK(harness.loop().stats().requestSlots == 1);    // in flight: its slot stays
  answer(harness, queue, part.requestId, clients[0]);

  // Pipelined bytes behind an answered request keep the buffer; once they are a request and it
  // is delivered, the buffer goes back.
  ReceivedRequest first = harness.request(clients[1], get("/first", port) + "GET /second HTTP/1.1\r\n");
  answer(harness, queue, first.requestId, clients[1]);
  CHECK(statsWhen(harness, 1).receiveBuffers == 1);
  ReceivedRequest second = harness.request(clients[1], hostHeader(port) + "\r\n");
  CHECK(second.url == "/second");
  answer(harness, queue, second.requestId, clients[1]);
  EngineStats after = statsWhen(harness, 0);
  CHECK(after.receiveBuffers == 0);
  CHECK(after.requestSlots == 0);
  CHECK(after.openConnections == kClients);
}

TEST_CASE("posix request slots: one per request in flight, none once the connection is idle, output storage with them") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  // Two pipelined requests, both delivered and unanswered: two slots.
  ReceivedRequest first = harness.request(client, get("/first", port) + get("/second", port));
  ReceivedRequest second;
  REQUIRE(harness.waitForRequest(second));
  CHECK(second.url == "/second");
  CHECK(statsWhen(harness, 0, 2).requestSlots == 2);
  answer(harness, queue, first.requestId, client);
  answer(harness, queue, second.requestId, client);
  CHECK(statsWhen(harness, 0, 0).requestSlots == 0);
  // An answer the engine gives by itself (no route: 404) takes a slot for its turn and gives it back.
  REQUIRE(client.sendAll("GET /nowhere HTTP/1.1\r\nHost: elsewhere.example\r\n\r\n"));
  std::string raw;
  REQUIRE(pumpResponse(harness, client, raw));
  CHECK(statusOf(raw) == 404);
  EngineStats idle = statsWhen(harness, 0, 0);
  CHECK(idle.requestSlots == 0);
  CHECK(idle.outputQueues == 0);  // the answer's output storage went back with its slot
  CHECK(idle.openConnections == 1);
  // The same connection serves on with a pooled slot, and the pooled output storage with it.
  ReceivedRequest again = harness.request(client, get("/again", port));
  EngineStats busy = statsWhen(harness, 0, 1);
  CHECK(busy.requestSlots == 1);
  CHECK(busy.outputQueues == 1);
  answer(harness, queue, again.requestId, client);
  EngineStats done = statsWhen(harness, 0, 0);
  CHECK(done.requestSlots == 0);
  CHECK(done.outputQueues == 0);
}

// Pumps until connectionWork is work (at most 100 pumps) and returns the stats.
EngineStats statsWhenWorking(Harness& harness, uint64_t work) {
  EngineStats stats = harness.loop().stats();
  for (int i = 0; i < 100 && stats.connectionWork != work; ++i) {
    pump(harness);
    stats = harness.loop().stats();
  }
  return stats;
}

TEST_CASE("posix connection work: held while a head, a request, a body or output is in flight, given back when idle") {
  Harness harness;
  uint16_t port = freePort();
  Queue* queue = harness.openQueue(port);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  constexpr int kClients = 10;
  std::vector<TestConnection> clients(kClients);
  for (TestConnection& client : clients) {
    REQUIRE(client.connect(port));
    ReceivedRequest request = harness.request(client, get("/idle", port));
    answer(harness, queue, request.requestId, client);
  }
  CHECK(statsWhenWorking(harness, 0).connectionWork == 0);

  // Part of a head: the connection works until its request is answered.
  REQUIRE(clients[0].sendAll("GET /part HTTP/1.1\r\n"));
  CHECK(statsWhenWorking(harness, 1).connectionWork == 1);
  ReceivedRequest part = harness.request(clients[0], hostHeader(port) + "\r\n");
  CHECK(harness.loop().stats().connectionWork == 1);  // delivered, unanswered
  answer(harness, queue, part.requestId, clients[0]);
  CHECK(statsWhenWorking(harness, 0).connectionWork == 0);

  // A chunked body read to its end: the body owner's state goes back with the rest, and the
  // connection serves its next request with pooled work as with new.
  std::string data;
  ReceivedRequest upload = harness.request(clients[1], chunkedHead(port) + framedChunks(8, 1000, data, ""));
  CHECK(harness.loop().stats().connectionWork == 1);
  BodyReads reads = readBody(harness, queue, upload.requestId, 4096, 500);
  CHECK(reads.status == kOk);
  CHECK(reads.body == data.substr(upload.body.size()));
  answer(harness, queue, upload.requestId, clients[1]);
  CHECK(statsWhenWorking(harness, 0).connectionWork == 0);
  ReceivedRequest next = harness.request(clients[1], get("/next", port));
  CHECK(next.url == "/next");
  CHECK(harness.loop().stats().connectionWork == 1);
  answer(harness, queue, next.requestId, clients[1]);
  EngineStats idle = statsWhenWorking(harness, 0);
  CHECK(idle.connectionWork == 0);
  CHECK(idle.openConnections == kClients);
}

#endif  // !_WIN32
