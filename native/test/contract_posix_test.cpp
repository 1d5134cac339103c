// Contract tests only the posix engine must pass: what HTTP.SYS does inside the kernel (parsing,
// routing, engine-made answers, connection management) that the posix backend re-implements.
// Raw sockets make malformed and pipelined input possible.
#ifndef _WIN32

#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "posix_test_support.h"

using namespace hsys;
using namespace hsys::test;

namespace {

void respond(Harness& harness, Queue* queue, uint64_t requestId, const std::string& body,
             const std::string& extraHeader = "", const std::string& extraValue = "") {
  ResponseBuilder response;
  response.status(200, "OK").header("Content-Length", std::to_string(body.size())).body(body);
  if (!extraHeader.empty()) response.header(extraHeader, extraValue);
  REQUIRE(harness.sendAndWait(queue, requestId, response) == kOk);
}

}  // namespace

TEST_CASE("posix: malformed requests get the engine's answer and the connection closes") {
  Harness harness;
  uint16_t port = freePort();
  Queue* queue = harness.openQueue(port);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  const std::string host = hostHeader(port);
  struct Case {
    const char* what;
    std::string bytes;
    int status;
  };
  const std::vector<Case> cases = {
      {"CL + TE", "POST / HTTP/1.1\r\n" + host + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
      {"differing CLs", "POST / HTTP/1.1\r\n" + host + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400},
      {"invalid CL", "POST / HTTP/1.1\r\n" + host + "Content-Length: +5\r\n\r\nhello", 400},
      {"obs-fold", "GET / HTTP/1.1\r\n" + host + "X-A: one\r\n two\r\n\r\n", 400},
      {"bare LF", "GET / HTTP/1.1\n" + host + "\n", 400},
      {"bare CR in value", "GET / HTTP/1.1\r\n" + host + "X-A: a\rb\r\n\r\n", 400},
      {"NUL in value", std::string("GET / HTTP/1.1\r\n") + host + std::string("X-A: a\0b\r\n\r\n", 13), 400},
      {"space before colon", "GET / HTTP/1.1\r\n" + host + "X-A : b\r\n\r\n", 400},
      {"no Host in HTTP/1.1", "GET / HTTP/1.1\r\nUser-Agent: x\r\n\r\n", 400},
      {"two Hosts", "GET / HTTP/1.1\r\n" + host + host + "\r\n", 400},
      {"bad request line", "GET  / HTTP/1.1\r\n" + host + "\r\n", 400},
      {"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
      {"chunked not last", "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked, chunked\r\n\r\n", 400},
      {"unsupported coding", "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501},
      {"HTTP/3.0 request line", "GET / HTTP/3.0\r\n" + host + "\r\n", 505},
      {"long request line", "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\n" + host + "\r\n", 414},
      {"huge head", "GET / HTTP/1.1\r\n" + host + "X-Big: " + std::string(70000, 'b') + "\r\n\r\n", 431},
      {"unknown expectation", "GET / HTTP/1.1\r\n" + host + "Expect: magic\r\n\r\n", 417},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    bool closed = false;
    std::string raw = exchangeUntilClose(harness, port, c.bytes, &closed);
    CHECK(statusOf(raw) == c.status);
    CHECK(closed);
    ParsedResponse parsed;
    if (parseResponse(raw, parsed)) CHECK(parsed.header("Connection") == "close");
  }
  // None of them reached the queue.
  Completion unexpected;
  CHECK_FALSE(harness.waitFor(kRequestReceived, 0, unexpected, 100));
}

TEST_CASE("posix: a URL no prefix matches gets 404 from the engine and the connection lives on") {
  Harness harness;
  uint16_t port = freePort();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  PrefixQueue app(harness, 7, {base + "/app/"});
  TestConnection client;
  REQUIRE(client.connect(port));
  REQUIRE(client.sendAll(get("/other", port)));
  std::string raw;
  REQUIRE(pumpResponse(harness, client, raw));
  CHECK(statusOf(raw) == 404);
  REQUIRE(client.sendAll(get("/APP/page", port)));  // prefixes match case-insensitively
  ReceivedRequest request;
  REQUIRE(harness.waitForRequest(request));
  CHECK(request.url == "/APP/page");
  respond(harness, app.queue, request.requestId, "app");
  REQUIRE(client.readResponse(raw));
  CHECK(statusOf(raw) == 200);
}

TEST_CASE("posix: routing follows HTTP.SYS: strong wildcard, then host, then weak wildcard, longest path") {
  Harness harness;
  uint16_t port = freePort();
  const std::string p = ":" + std::to_string(port);
  PrefixQueue weak(harness, 11, {"http://*" + p + "/"});
  PrefixQueue host(harness, 12, {"http://127.0.0.1" + p + "/api/", "http://127.0.0.1" + p + "/api/v2/"});
  PrefixQueue strong(harness, 13, {"http://+" + p + "/strong/"});
  struct Expectation {
    std::string hostValue, path;
    uint64_t token;
  };
  const std::vector<Expectation> expectations = {
      {"127.0.0.1" + p, "/api/x", 12}, {"127.0.0.1" + p, "/api/v2/y", 12}, {"localhost" + p, "/api/x", 11},
      {"127.0.0.1" + p, "/strong/z", 13}, {"example.com", "/strong/", 13},  {"127.0.0.1", "/ApI/X", 12},
      {"127.0.0.1" + p, "/elsewhere", 11},
  };
  TestConnection client;
  REQUIRE(client.connect(port));
  for (const Expectation& e : expectations) {
    CAPTURE(e.hostValue);
    CAPTURE(e.path);
    REQUIRE(client.sendAll("GET " + e.path + " HTTP/1.1\r\nHost: " + e.hostValue + "\r\n\r\n"));
    Completion received;
    REQUIRE(harness.waitFor(kRequestReceived, 0, received));
    CHECK(received.token == e.token);
    Queue* queue = received.token == 11 ? weak.queue : received.token == 12 ? host.queue : strong.queue;
    respond(harness, queue, received.requestId, "ok");
    std::string raw;
    REQUIRE(client.readResponse(raw));
    CHECK(statusOf(raw) == 200);
  }
}

TEST_CASE("posix: HTTP/1.0 closes unless keep-alive is asked; Connection: close is honoured") {
  Harness harness;
  uint16_t port = freePort();
  Queue* queue = harness.openQueue(port);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);

  SUBCASE("HTTP/1.0 without keep-alive") {
    TestConnection client;
    REQUIRE(client.connect(port));
    ReceivedRequest request = harness.request(client, "GET /old HTTP/1.0\r\n" + hostHeader(port) + "\r\n");
    CHECK(request.httpMinor == 0);
    respond(harness, queue, request.requestId, "bye");
    std::string raw;
    CHECK(client.readUntilClosed(raw));
    ParsedResponse parsed;
    REQUIRE(parseResponse(raw, parsed));
    CHECK(parsed.header("Connection") == "close");
    CHECK(parsed.body == "bye");
  }
  SUBCASE("HTTP/1.0 with keep-alive") {
    TestConnection client;
    REQUIRE(client.connect(port));
    for (int round = 0; round < 2; ++round) {
      ReceivedRequest request =
          harness.request(client, "GET /old HTTP/1.0\r\n" + hostHeader(port) + "Connection: keep-alive\r\n\r\n");
      respond(harness, queue, request.requestId, "again");
      std::string raw;
      REQUIRE(client.readResponse(raw));
      ParsedResponse parsed;
      REQUIRE(parseResponse(raw, parsed));
      CHECK(parsed.header("Connection") == "keep-alive");
    }
  }
  SUBCASE("the client's Connection: close") {
    TestConnection client;
    REQUIRE(client.connect(port));
    ReceivedRequest request = harness.request(client, get("/", port, "Connection: close\r\n"));
    respond(harness, queue, request.requestId, "x");
    std::string raw;
    CHECK(client.readUntilClosed(raw));
    ParsedResponse parsed;
    REQUIRE(parseResponse(raw, parsed));
    CHECK(parsed.header("Connection") == "close");
  }
  SUBCASE("the response's Connection: close") {
    TestConnection client;
    REQUIRE(client.connect(port));
    ReceivedRequest request = harness.request(client, get("/", port));
    respond(harness, queue, request.requestId, "x", "Connection", "close");
    std::string raw;
    CHECK(client.readUntilClosed(raw));
    CHECK(statusOf(raw) == 200);
  }
  SUBCASE("kResponseDisconnect") {
    TestConnection client;
    REQUIRE(client.connect(port));
    ReceivedRequest request = harness.request(client, get("/", port));
    ResponseBuilder response;
    response.header("Content-Length", "1").body("x").flags(kResponseDisconnect);
    CHECK(harness.sendAndWait(queue, request.requestId, response) == kOk);
    std::string raw;
    CHECK(client.readUntilClosed(raw));
    ParsedResponse parsed;
    REQUIRE(parseResponse(raw, parsed));
    CHECK(parsed.header("Connection") == "close");
  }
}

TEST_CASE("posix: no body for HEAD, 204 and 304; Content-Length added to single-send responses") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);

  ReceivedRequest request = harness.request(client, "HEAD /h HTTP/1.1\r\n" + hostHeader(port) + "\r\n");
  CHECK(request.method == "HEAD");
  respond(harness, queue, request.requestId, "hello");
  // Then a GET on the same connection: stray body bytes of the HEAD answer would show up here.
  REQUIRE(client.sendAll(get("/g", port)));
  REQUIRE(harness.waitForRequest(request));
  ResponseBuilder unframed;
  unframed.body("abc").body("def");  // no Content-Length: the engine adds 6
  CHECK(harness.sendAndWait(queue, request.requestId, unframed) == kOk);
  REQUIRE(client.sendAll(get("/n", port)));
  REQUIRE(harness.waitForRequest(request));
  ResponseBuilder noContent;
  noContent.status(204, "No Content").body("dropped");
  CHECK(harness.sendAndWait(queue, request.requestId, noContent) == kOk);
  REQUIRE(client.sendAll(get("/last", port, "Connection: close\r\n")));
  REQUIRE(harness.waitForRequest(request));
  respond(harness, queue, request.requestId, "end");

  std::string raw;
  CHECK(client.readUntilClosed(raw));
  // HEAD answer: Content-Length kept, no body; then the GET's, the 204's and the last one.
  size_t second = raw.find("HTTP/1.1", 1);
  REQUIRE(second != std::string::npos);
  std::string headAnswer = raw.substr(0, second);
  CHECK(headAnswer.find("Content-Length: 5\r\n") != std::string::npos);
  CHECK(headAnswer.size() == headAnswer.find("\r\n\r\n") + 4);
  std::string rest = raw.substr(second);
  CHECK(rest.find("Content-Length: 6\r\n\r\nabcdef") != std::string::npos);
  size_t noContentAt = rest.find("HTTP/1.1 204");
  REQUIRE(noContentAt != std::string::npos);
  std::string afterNoContent = rest.substr(noContentAt);
  CHECK(afterNoContent.find("dropped") == std::string::npos);
  CHECK(afterNoContent.find("Content-Length: 7") == std::string::npos);
  CHECK(afterNoContent.find("\r\n\r\nHTTP/1.1 200 OK") != std::string::npos);
}

TEST_CASE("posix: a chunked request body is decoded for the handler") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  REQUIRE(client.sendAll("POST /c HTTP/1.1\r\n" + hostHeader(port) + "Transfer-Encoding: chunked\r\n\r\n"
                         "5;ext=1\r\nhello\r\n"));
  ReceivedRequest request;
  REQUIRE(harness.waitForRequest(request));
  CHECK(request.body == "hello");
  CHECK((request.flags & kRequestMoreBody) != 0);
  std::string body = request.body;
  REQUIRE(client.sendAll("6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"));
  uint8_t buffer[4];  // smaller than a chunk: decoding resumes mid-chunk
  for (uint64_t token = 300;; ++token) {
    REQUIRE(queue->receiveBody(request.requestId, buffer, sizeof buffer, token) == kOk);
    Completion done;
    REQUIRE(harness.waitFor(kBodyReceived, token, done));
    REQUIRE(done.status == kOk);
    if (done.length == 0) break;
    body.append(reinterpret_cast<char*>(buffer), done.length);
  }
  CHECK(body == "hello world");
  respond(harness, queue, request.requestId, "ok");
  std::string raw;
  REQUIRE(client.readResponse(raw));
  CHECK(statusOf(raw) == 200);
}

TEST_CASE("posix: Expect: 100-continue is answered when the body is first read, never otherwise") {
  Harness harness;
  uint16_t port = freePort();
  Queue* queue = harness.openQueue(port);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  const std::string head = "PUT /u HTTP/1.1\r\n" + hostHeader(port) + "Expect: 100-continue\r\nContent-Length: 4\r\n\r\n";

  SUBCASE("read the body") {
    TestConnection client;
    REQUIRE(client.connect(port));
    ReceivedRequest request = harness.request(client, head);
    CHECK((request.flags & kRequestMoreBody) != 0);
    uint8_t buffer[16];
    REQUIRE(queue->receiveBody(request.requestId, buffer, sizeof buffer, 51) == kOk);
    std::string interim;
    REQUIRE(client.readResponse(interim));
    CHECK(interim == "HTTP/1.1 100 Continue\r\n\r\n");
    REQUIRE(client.sendAll("data"));
    Completion done;
    REQUIRE(harness.waitFor(kBodyReceived, 51, done));
    CHECK(done.length == 4);
    CHECK(std::string(reinterpret_cast<char*>(buffer), 4) == "data");
    respond(harness, queue, request.requestId, "stored");
    std::string raw;
    REQUIRE(client.readResponse(raw));
    CHECK(statusOf(raw) == 200);
  }
  SUBCASE("answer without reading") {
    TestConnection client;
    REQUIRE(client.connect(port));
    ReceivedRequest request = harness.request(client, head);
    ResponseBuilder response;
    response.status(413, "Too Large").header("Content-Length", "0");
    CHECK(harness.sendAndWait(queue, request.requestId, response) == kOk);
    std::string raw;
    CHECK(client.readUntilClosed(raw));  // the unread body would garble the next request
    CHECK(statusOf(raw) == 413);
    CHECK(raw.find("100 Continue") == std::string::npos);
    ParsedResponse parsed;
    REQUIRE(parseResponse(raw, parsed));
    CHECK(parsed.header("Connection") == "close");
  }
}

TEST_CASE("posix: a client that leaves while its request is open produces kRequestAborted") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request =
      harness.request(client, "POST /slow HTTP/1.1\r\n" + hostHeader(port) + "Content-Length: 100\r\n\r\nabc");
  uint8_t buffer[256];
  REQUIRE(queue->receiveBody(request.requestId, buffer, sizeof buffer, 61) == kOk);
  client.close();
  Completion read, aborted;
  REQUIRE(harness.waitFor(kBodyReceived, 61, read));
  CHECK(read.status == kConnectionLost);
  REQUIRE(harness.waitFor(kRequestAborted, 0, aborted));
  CHECK(aborted.requestId == request.requestId);
  CHECK(aborted.token == 1);  // the harness's queue token
  ResponseBuilder late;
  const std::vector<uint8_t>& record = late.header("Content-Length", "0").build();
  CHECK(queue->send(request.requestId, record.data(), static_cast<uint32_t>(record.size()), 62) == kNoSuchRequest);
}

TEST_CASE("posix: cancel resets the connection and completes pending operations with kCancelled") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request =
      harness.request(client, "POST / HTTP/1.1\r\n" + hostHeader(port) + "Content-Length: 10\r\n\r\n");
  uint8_t buffer[16];
  REQUIRE(queue->receiveBody(request.requestId, buffer, sizeof buffer, 71) == kOk);
  CHECK(queue->cancel(request.requestId) == kOk);
  Completion done;
  REQUIRE(harness.waitFor(kBodyReceived, 71, done));
  CHECK(done.status == kCancelled);
  std::string raw;
  CHECK(client.readUntilClosed(raw));
  CHECK(raw.empty());
  CHECK(queue->cancel(request.requestId) == kNoSuchRequest);
}

TEST_CASE("posix: closing a queue cancels its requests, reports kQueueClosed last and frees the port") {
  uint16_t port = freePort();
  const std::string prefix = "http://+:" + std::to_string(port) + "/";
  {
    Harness harness;
    Error error;
    Queue* queue = harness.loop().createQueue({}, 21, error);
    REQUIRE(queue != nullptr);
    REQUIRE_MESSAGE(queue->addUrl(prefix, error), error.message);
    REQUIRE(queue->start(error));
    TestConnection client;
    REQUIRE(client.connect(port));
    ReceivedRequest request = harness.request(client, get("/", port, "Content-Length: 5\r\n"));
    uint8_t buffer[16];
    REQUIRE(queue->receiveBody(request.requestId, buffer, sizeof buffer, 81) == kOk);
    queue->close();
    Completion batch[16];
    int32_t count = 0;
    for (int i = 0; i < 20 && count == 0; ++i) count = harness.loop().poll(batch, 16, 50);
    REQUIRE(count == 2);
    CHECK(batch[0].type == kBodyReceived);
    CHECK(batch[0].status == kCancelled);
    CHECK(batch[1].type == kQueueClosed);
    CHECK(batch[1].token == 21);
    std::string raw;
    CHECK(client.readUntilClosed(raw));
  }
  // The listener is gone: the port can be bound again, by a new loop.
  Harness again;
  Error error;
  Queue* queue = again.loop().createQueue({}, 22, error);
  CHECK_MESSAGE(queue->addUrl(prefix, error), error.message);
  queue->close();
  Completion closed;
  CHECK(again.waitFor(kQueueClosed, 22, closed));
}

TEST_CASE("posix: maxRequestBodyBytes makes the engine answer a declared length over it with 413") {
  Harness harness;
  uint16_t port = freePort();
  QueueOptions options;
  options.maxRequestBodyBytes = 10;
  Queue* queue = harness.openQueue(port, options);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  TestConnection client;
  REQUIRE(client.connect(port));
  REQUIRE(client.sendAll("POST /big HTTP/1.1\r\n" + hostHeader(port) + "Content-Length: 11\r\n\r\nhello world"));
  std::string raw;
  CHECK(pumpUntilClosed(harness, client, raw));
  CHECK(statusOf(raw) == 413);
  CHECK(raw.find("Connection: close") != std::string::npos);
  Completion none;
  CHECK_FALSE(harness.waitFor(kRequestReceived, 0, none, 10));
}

TEST_CASE("posix: streamed responses, file chunks and unique request ids") {
  Harness harness;
  uint16_t port = freePort();
  Queue* queue = harness.openQueue(port);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  char path[] = "/tmp/hsys-contract-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::unlink(path);
  const std::string content = "0123456789file-content";
  REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));

  TestConnection client;
  REQUIRE(client.connect(port));
  ReceivedRequest request = harness.request(client, get("/stream", port));
  ResponseBuilder head;
  head.body("first").flags(kResponseChunked | kResponseMoreData);
  CHECK(harness.sendAndWait(queue, request.requestId, head) == kOk);
  // A file chunk (bytes 10..21): the engine frames it as one HTTP chunk, then the last chunk.
  std::vector<uint8_t> record(sizeof(ResponseRecordHeader), 0);
  DataChunk chunk{kChunkFile, 0, static_cast<uint64_t>(fd), 10, 12};
  record.insert(record.end(), reinterpret_cast<uint8_t*>(&chunk), reinterpret_cast<uint8_t*>(&chunk) + sizeof chunk);
  ResponseRecordHeader header{};
  header.recordLength = static_cast<uint32_t>(record.size());
  header.flags = kResponseChunked;
  header.chunkCount = 1;
  std::memcpy(record.data(), &header, sizeof header);
  REQUIRE(accepted(queue->send(request.requestId, record.data(), header.recordLength, 91)));
  Completion done;
  REQUIRE(harness.waitFor(kSendCompleted, 91, done));
  CHECK(done.status == kOk);
  std::string raw;
  REQUIRE(client.readResponse(raw));
  CHECK(raw.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
  CHECK(raw.substr(raw.find("\r\n\r\n") + 4) == "5\r\nfirst\r\nc\r\nfile-content\r\n0\r\n\r\n");
  ::close(fd);

  std::set<uint64_t> ids{request.requestId};
  for (int i = 0; i < 5; ++i) {
    REQUIRE(client.sendAll(get("/again", port)));
    REQUIRE(harness.waitForRequest(request));
    CHECK(ids.insert(request.requestId).second);
    respond(harness, queue, request.requestId, "");
    REQUIRE(client.readResponse(raw));
  }
}

TEST_CASE("posix: after a 101 with kResponseOpaque the connection carries raw bytes both ways") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request = harness.request(client, get("/ws", port, "Connection: Upgrade\r\nUpgrade: test\r\n"));
  ResponseBuilder upgrade;
  upgrade.status(101, "Switching Protocols").header("Connection", "Upgrade").header("Upgrade", "test")
      .flags(kResponseOpaque);
  CHECK(harness.sendAndWait(queue, request.requestId, upgrade) == kOk);
  std::string raw;
  REQUIRE(client.readResponse(raw));
  CHECK(statusOf(raw) == 101);

  harness.checkOpaqueEcho(queue, request.requestId, client);
}

TEST_CASE("posix: a port taken by another process gives an error that says so") {
  int blocker = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  REQUIRE(::bind(blocker, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  ::getsockname(blocker, reinterpret_cast<sockaddr*>(&address), &length);
  REQUIRE(::listen(blocker, 1) == 0);
  uint16_t port = ntohs(address.sin_port);

  Harness harness;
  Error error;
  Queue* queue = harness.loop().createQueue({}, 31, error);
  REQUIRE(queue != nullptr);
  CHECK_FALSE(queue->addUrl("http://+:" + std::to_string(port) + "/", error));
  CHECK(error.status == kSystemError);
  CHECK(error.message.find("in use by another process") != std::string::npos);
  CHECK_FALSE(queue->addUrl("https://+:443/", error));
  CHECK(error.message.find("TLS") != std::string::npos);
  queue->close();
  Completion closed;
  CHECK(harness.waitFor(kQueueClosed, 31, closed));
  ::close(blocker);
}

TEST_CASE("posix: a queue's listen address limits where its wildcard prefix listens; any Host is routed") {
  auto connects = [](const char* ip, uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    ::inet_pton(AF_INET, ip, &address.sin_addr);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
  };
  Harness harness;
  uint16_t port = freePort();
  QueueOptions options;
  options.listenAddress = "127.0.0.1";
  Error error;
  Queue* queue = harness.loop().createQueue(options, 32, error);
  REQUIRE(queue != nullptr);
  REQUIRE_MESSAGE(queue->addUrl("http://+:" + std::to_string(port) + "/", error), error.message);
  REQUIRE(queue->start(error));
  CHECK_FALSE(connects("127.0.0.2", port));  // loopback too, but not the address asked for
  TestConnection client;
  REQUIRE(client.connect(port));
  REQUIRE(client.sendAll("GET /x HTTP/1.1\r\nHost: some.name.example\r\n\r\n"));
  ReceivedRequest request;
  REQUIRE(harness.waitForRequest(request));
  CHECK(request.url == "/x");
  queue->close();
  Completion closed;
  CHECK(harness.waitFor(kQueueClosed, 32, closed));
}

TEST_CASE("posix: queues on different loops share a port; a connection follows its requests") {
  uint16_t port = freePort();
  const std::string p = ":" + std::to_string(port);
  Harness loopA, loopB;
  PrefixQueue a(loopA, 41, {"http://+" + p + "/a/"});
  PrefixQueue b(loopB, 42, {"http://+" + p + "/b/"});
  TestConnection client;
  REQUIRE(client.connect(port));
  // One keep-alive connection alternates between the queues (and so between the loops).
  for (const char* path : {"/b/1", "/a/2", "/b/3", "/a/4"}) {
    CAPTURE(path);
    REQUIRE(client.sendAll(get(path, port)));
    Harness& owner = path[1] == 'a' ? loopA : loopB;
    Harness& other = path[1] == 'a' ? loopB : loopA;
    Completion received;
    bool found = false;
    for (int i = 0; i < 300 && !found; ++i) {
      pump(other, 2);
      found = owner.waitFor(kRequestReceived, 0, received, 2);
    }
    REQUIRE(found);
    CHECK(received.token == (path[1] == 'a' ? 41u : 42u));
    ResponseBuilder response;
    response.header("Content-Length", "2").body("ok");
    CHECK(owner.sendAndWait(path[1] == 'a' ? a.queue : b.queue, received.requestId, response) == kOk);
    std::string raw;
    REQUIRE(client.readResponse(raw));
    CHECK(statusOf(raw) == 200);
  }
}

#endif  // _WIN32
