// Posix engine: listening sockets. A wildcard prefix added after a host-specific one on the same
// port binds beside it (both route through the port's table); another process of ours cannot
// silently share a port this process serves.
#ifndef _WIN32

#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "posix_test_support.h"

using namespace hsys;
using namespace hsys::test;

namespace {

// Sends request to address:port and returns the first bytes of the answer (while pumping).
std::string askAt(Harness& harness, const char* address, uint16_t port, const std::string& request, Queue* queue,
                  std::string* urlSeen) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_port = htons(port);
  ::inet_pton(AF_INET, address, &target.sin_addr);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&target), sizeof target) == 0);
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  ReceivedRequest received;
  if (harness.waitForRequest(received, 2000)) {
    *urlSeen = received.url;
    ResponseBuilder response;
    response.status(200, "OK").header("Content-Length", "2").body("ok");
    REQUIRE(harness.sendAndWait(queue, received.requestId, response) == kOk);
  }
  char buffer[512];
  ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
  ::close(fd);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

}  // namespace

TEST_CASE("posix listeners: a wildcard prefix can follow a host-specific one on the same port") {
  Harness specificLoop, wildcardLoop;
  uint16_t port = freePort();
  const std::string p = ":" + std::to_string(port);
  PrefixQueue specific(specificLoop, 61, {"http://127.0.0.1" + p + "/x/"});
  PrefixQueue wildcard(wildcardLoop, 62, {"http://*" + p + "/"});
  std::string url;
  // 127.0.0.1 reaches the specific socket; routing still sees both prefixes.
  std::string raw = askAt(specificLoop, "127.0.0.1", port, "GET /x/a HTTP/1.1\r\nHost: 127.0.0.1" + p + "\r\n\r\n",
                          specific.queue, &url);
  CHECK(statusOf(raw) == 200);
  CHECK(url == "/x/a");
  url.clear();
  // 127.0.0.2 (still loopback) only reaches the wildcard socket.
  raw = askAt(wildcardLoop, "127.0.0.2", port, "GET /x/a HTTP/1.1\r\nHost: 127.0.0.2" + p + "\r\n\r\n",
              wildcard.queue, &url);
  CHECK(statusOf(raw) == 200);
  CHECK(url == "/x/a");
}

TEST_CASE("posix listeners: another process cannot take a port this process serves") {
  Harness harness;
  uint16_t port = freePort();
  Queue* queue = harness.openQueue(port);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  // A fresh process (exec, not just fork: a forked child would inherit this one's registry).
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::string portText = std::to_string(port);
    ::setenv("HSYS_HELPER_PORT", portText.c_str(), 1);
    ::execl("/proc/self/exe", "hsys_contract_tests", "--no-skip", "--no-version",
            "--test-case=posix listeners helper: addUrl on a port another process serves", "--minimal=true",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("posix queues: names are unique in the process; attaching is refused with the reason") {
  Harness harness;
  Error error;
  QueueOptions named;
  named.name = "orders";
  Queue* first = harness.loop().createQueue(named, 71, error);
  REQUIRE_MESSAGE(first != nullptr, error.message);
  CHECK(harness.loop().createQueue(named, 72, error) == nullptr);
  CHECK(error.message.find("already exists") != std::string::npos);
  named.mode = kQueueAttach;
  CHECK(harness.loop().createQueue(named, 73, error) == nullptr);
  CHECK(error.status == kUnsupported);
  CHECK(error.message.find("cannot attach") != std::string::npos);
  named.mode = kQueueCreateOrAttach;
  CHECK(harness.loop().createQueue(named, 74, error) == nullptr);
  CHECK(error.status == kUnsupported);
  QueueOptions anonymousAttach;
  anonymousAttach.mode = kQueueAttach;
  CHECK(harness.loop().createQueue(anonymousAttach, 75, error) == nullptr);
  first->close();
  Completion closed;
  REQUIRE(harness.waitFor(kQueueClosed, 71, closed));
  // The name is free once the queue is gone; create-or-attach then creates.
  Queue* again = harness.loop().createQueue(named, 76, error);
  REQUIRE_MESSAGE(again != nullptr, error.message);
  again->close();
  REQUIRE(harness.waitFor(kQueueClosed, 76, closed));
}

// Run only by "another process cannot take a port this process serves", in a second process:
// doctest's exit code carries the verdict.
TEST_CASE("posix listeners helper: addUrl on a port another process serves" * doctest::skip()) {
  const char* port = std::getenv("HSYS_HELPER_PORT");
  REQUIRE(port != nullptr);
  Error error;
  std::unique_ptr<Loop> loop = createLoop(error);
  REQUIRE(loop);
  Queue* queue = loop->createQueue({}, 1, error);
  REQUIRE(queue != nullptr);
  CHECK_FALSE(queue->addUrl(std::string("http://+:") + port + "/", error));
  CHECK(error.message.find("another netty-httpsys process") != std::string::npos);
}

#endif
