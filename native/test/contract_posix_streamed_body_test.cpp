// Posix engine, a request body streamed in bulk: once a read brings a bulk, the socket's receive
// low-water mark (SO_RCVLOWAT, read here from the engine's own socket) follows what the next
// read wants, so the loop wakes once per buffer and not per segment; a client that pauses short
// of the mark gets what it sent handed over within milliseconds, not at the entity-body timeout;
// and once the body ends the mark is back at 1, so the next request's head is read at once.
#ifndef _WIN32

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "posix_test_support.h"

using namespace hsys;
using namespace hsys::test;

namespace {

constexpr uint32_t kBuffer = 256 * 1024;  // what the Java channel asks for on a bulk upload

// SO_RCVLOWAT of the engine's connected socket on port (the test's only client connection;
// the engine runs in this process), or -1 when there is none.
int serverLowWater(uint16_t port) {
  DIR* fds = ::opendir("/proc/self/fd");
  if (fds == nullptr) return -1;
  int found = -1;
  while (dirent* entry = ::readdir(fds)) {
    int fd = std::atoi(entry->d_name);
    sockaddr_in local{}, peer{};
    socklen_t localLength = sizeof local, peerLength = sizeof peer;
    if (fd <= 2 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLength) != 0 ||
        local.sin_family != AF_INET || ntohs(local.sin_port) != port ||
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peerLength) != 0) {
      continue;
    }
    int value = 0;
    socklen_t length = sizeof value;
    if (::getsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &value, &length) == 0) found = value;
  }
  ::closedir(fds);
  return found;
}

std::string bytesOf(size_t length, char seed) {
  std::string bytes(length, '\0');
  for (size_t i = 0; i < length; ++i) bytes[i] = static_cast<char>('a' + (seed + i * 7 + i / 4096) % 26);
  return bytes;
}

// One receiveBody of capacity bytes; appends what it brought to body and returns its length.
uint64_t readOnce(Harness& harness, Queue* queue, uint64_t requestId, uint64_t token, std::string& body,
                  uint32_t capacity = kBuffer) {
  std::vector<uint8_t> buffer(capacity);
  REQUIRE(queue->receiveBody(requestId, buffer.data(), capacity, token) == kOk);
  Completion done;
  REQUIRE(harness.waitFor(kBodyReceived, token, done, 5000));
  REQUIRE(done.status == kOk);
  body.append(reinterpret_cast<char*>(buffer.data()), static_cast<size_t>(done.length));
  return done.length;
}

// Reads until body holds want bytes.
void readUpTo(Harness& harness, Queue* queue, uint64_t requestId, uint64_t& token, std::string& body, size_t want) {
  while (body.size() < want) REQUIRE(readOnce(harness, queue, requestId, token++, body) > 0);
}

// Everything the client sent so far is queued at the server: one read of exactly what is left of
// it fills its buffer, so the engine takes the body for a bulk one.
void readFull(Harness& harness, Queue* queue, uint64_t requestId, uint64_t& token, std::string& body, size_t sent) {
  REQUIRE(sent > body.size());
  const uint32_t capacity = static_cast<uint32_t>(sent - body.size());
  CHECK(readOnce(harness, queue, requestId, token++, body, capacity) == capacity);
}

// Starts a read that must wait (it checks the mark the engine set for it), then the client sends
// bytes; they must all come within a bound far below the entity-body timeout. Returns the time.
std::chrono::milliseconds readAfterPause(Harness& harness, Queue* queue, uint64_t requestId, uint64_t& token,
                                         TestConnection& client, const std::string& bytes, std::string& body,
                                         uint16_t port, int expectedMark) {
  std::vector<uint8_t> buffer(kBuffer);
  REQUIRE(queue->receiveBody(requestId, buffer.data(), kBuffer, token) == kOk);
  CHECK(serverLowWater(port) == expectedMark);  // set as the read began to wait (2 ms ago at most)
  auto start = std::chrono::steady_clock::now();
  REQUIRE(client.sendAll(bytes));
  std::string got;
  while (got.size() < bytes.size()) {
    Completion done;
    REQUIRE(harness.waitFor(kBodyReceived, token, done, 5000));
    REQUIRE(done.status == kOk);
    REQUIRE(done.length > 0);
    got.append(reinterpret_cast<char*>(buffer.data()), static_cast<size_t>(done.length));
    ++token;
    if (got.size() < bytes.size()) REQUIRE(queue->receiveBody(requestId, buffer.data(), kBuffer, token) == kOk);
  }
  body += got;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

void answer(Harness& harness, Queue* queue, uint64_t requestId, TestConnection& client) {
  ResponseBuilder response;
  response.header("Content-Length", "2").body("ok");
  CHECK(harness.respond(queue, requestId, response, client).status == 200);
}

Queue* openWithLongBodyTimeout(Harness& harness, uint16_t port, TestConnection& client) {
  QueueOptions options;
  options.entityBodyTimeoutSeconds = 30;  // a read stuck on the mark fails the test's 5 s waits first
  Queue* queue = harness.openAndConnect(port, client, options);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  return queue;
}

}  // namespace

TEST_CASE("posix streamed body: the receive low-water mark follows the reads, a pause is handed over at once, "
          "the next head is read at its first byte") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = openWithLongBodyTimeout(harness, port, client);

  constexpr size_t kTotal = 2 * 1024 * 1024, kFirst = 40 * 1024, kPause = 10 * 1024, kLast = 20 * 1024;
  const std::string payload = bytesOf(kTotal, 3);
  ReceivedRequest request = harness.request(client, "PUT /up HTTP/1.1\r\n" + hostHeader(port) + "Content-Length: " +
                                                        std::to_string(kTotal) + "\r\n\r\n" + payload.substr(0, kFirst));
  CHECK(serverLowWater(port) == 1);
  std::string body = request.body;
  uint64_t token = 100;
  readFull(harness, queue, request.requestId, token, body, kFirst);

  // The client pauses after 10 KB: the waiting read raised the mark to a whole buffer, the 10 KB
  // come anyway, after 2 ms, and the mark is given up until a read fills its buffer again.
  auto waited = readAfterPause(harness, queue, request.requestId, token, client, payload.substr(kFirst, kPause), body,
                               port, static_cast<int>(kBuffer));
  MESSAGE("10 KB sent after a pause were handed over after " << waited.count() << " ms");
  CHECK(waited.count() < 1000);
  CHECK(serverLowWater(port) == 1);

  // Most of the rest streamed from a thread (it outgrows the socket buffers).
  bool allSent = false;
  std::thread sender([&] { allSent = client.sendAll(payload.substr(kFirst + kPause, kTotal - kLast - kFirst - kPause)); });
  readUpTo(harness, queue, request.requestId, token, body, kTotal - kLast);
  sender.join();
  CHECK(allSent);
  // 16 KB fill a read; the read after it waits with the mark at what the body still owes (4 KB),
  // never more, so the last bytes end the body without waiting for bytes that will not come.
  REQUIRE(client.sendAll(payload.substr(kTotal - kLast, kLast - 4096)));
  readFull(harness, queue, request.requestId, token, body, kTotal - 4096);
  waited = readAfterPause(harness, queue, request.requestId, token, client, payload.substr(kTotal - 4096), body, port,
                          4096);
  CHECK(waited.count() < 1000);
  CHECK(body.size() == kTotal);
  CHECK(body == payload);
  std::string none;
  CHECK(readOnce(harness, queue, request.requestId, token++, none) == 0);  // the end
  CHECK(serverLowWater(port) == 1);  // the body ended: any byte wakes the loop again
  answer(harness, queue, request.requestId, client);

  // The next request on the connection, a few bytes: read at once, not held back by a mark.
  auto start = std::chrono::steady_clock::now();
  ReceivedRequest next = harness.request(client, get("/next", port));
  CHECK(next.url == "/next");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  answer(harness, queue, next.requestId, client);
}

TEST_CASE("posix streamed body: a chunked body streamed in bulk whose last chunk comes after a pause ends at once") {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = openWithLongBodyTimeout(harness, port, client);
  const std::string data = bytesOf(40 * 1024, 9);
  ReceivedRequest request = harness.request(client, "POST /c HTTP/1.1\r\n" + hostHeader(port) +
                                                        "Transfer-Encoding: chunked\r\n\r\na000\r\n" + data + "\r\n");
  std::string body = request.body;
  uint64_t token = 10;
  readFull(harness, queue, request.requestId, token, body, data.size());
  CHECK(body == data);
  // The last chunk and the end after a pause: the read waiting on a raised mark (a chunked body
  // does not say how much is left) gets them after 2 ms, and the next read reports the end.
  std::vector<uint8_t> buffer(kBuffer);
  REQUIRE(queue->receiveBody(request.requestId, buffer.data(), kBuffer, token) == kOk);
  CHECK(serverLowWater(port) == static_cast<int>(kBuffer));
  auto start = std::chrono::steady_clock::now();
  REQUIRE(client.sendAll("3\r\nend\r\n0\r\n\r\n"));
  std::string tail;
  for (;; ++token) {
    Completion done;
    REQUIRE(harness.waitFor(kBodyReceived, token, done, 5000));
    REQUIRE(done.status == kOk);
    if (done.length == 0) break;
    tail.append(reinterpret_cast<char*>(buffer.data()), static_cast<size_t>(done.length));
    REQUIRE(queue->receiveBody(request.requestId, buffer.data(), kBuffer, token + 1) == kOk);
  }
  CHECK(tail == "end");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  CHECK(serverLowWater(port) == 1);
  answer(harness, queue, request.requestId, client);
}

#endif  // !_WIN32
