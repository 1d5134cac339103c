// Windows backend: two processes on one port. HTTP.SYS routes by URL prefix across processes
// (port sharing), and a named request queue can be served by a process that attached to it.
// The test binary re-launches itself as the second process (main.cpp: --hsys-child).
#ifdef _WIN32

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "engine_harness.h"
#include "test_client.h"
#include "windows_test_util.h"

using namespace hsys;
using namespace hsys::test;

namespace {

constexpr DWORD kChildReadyMillis = 20000;  // a Wine process start takes a second or two
constexpr auto kChildLifetime = std::chrono::seconds(30);

std::wstring widenAscii(const std::string& text) { return std::wstring(text.begin(), text.end()); }

// The second process: this binary with "--hsys-child MODE PORT TARGET EVENT".
class ChildProcess {
 public:
  ChildProcess(const std::string& mode, uint16_t port, const std::string& target) {
    eventName_ = "hsys-child-ready-" + std::to_string(GetCurrentProcessId()) + "-" + std::to_string(port);
    ready_ = CreateEventW(nullptr, TRUE, FALSE, widenAscii(eventName_).c_str());
    wchar_t self[MAX_PATH];
    GetModuleFileNameW(nullptr, self, MAX_PATH);
    std::wstring command = L"\"" + std::wstring(self) + L"\" --hsys-child " + widenAscii(mode) + L" " +
                           std::to_wstring(port) + L" " + widenAscii(target) + L" " +
                           widenAscii(eventName_);
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    started_ = CreateProcessW(nullptr, command.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr,
                              &startup, &process_) != 0;
    if (started_) CloseHandle(process_.hThread);
  }
  ~ChildProcess() {
    if (started_ && WaitForSingleObject(process_.hProcess, 0) == WAIT_TIMEOUT) {
      TerminateProcess(process_.hProcess, 99);
      WaitForSingleObject(process_.hProcess, 5000);
    }
    if (started_) CloseHandle(process_.hProcess);
    if (ready_ != nullptr) CloseHandle(ready_);
  }
  bool waitReady() {
    if (!started_ || ready_ == nullptr) return false;
    HANDLE both[2] = {ready_, process_.hProcess};
    return WaitForMultipleObjects(2, both, FALSE, kChildReadyMillis) == WAIT_OBJECT_0;
  }
  // The exit code once it ended by itself within timeoutMillis, else -1.
  long exitCode(DWORD timeoutMillis) {
    if (!started_ || WaitForSingleObject(process_.hProcess, timeoutMillis) != WAIT_OBJECT_0) return -1;
    DWORD code = 0;
    GetExitCodeProcess(process_.hProcess, &code);
    return static_cast<long>(code);
  }

 private:
  std::string eventName_;
  HANDLE ready_ = nullptr;
  PROCESS_INFORMATION process_{};
  bool started_ = false;
};

std::string get(uint16_t port, const std::string& path, int timeoutMillis = 5000) {
  TestConnection client;
  if (!client.connect(port)) return "<connect failed>";
  client.sendAll("GET " + path + " HTTP/1.1\r\n" + hostHeader(port) + "\r\n");
  std::string raw;
  if (!client.readResponse(raw, timeoutMillis)) return "<no response>";
  ParsedResponse parsed;
  return parseResponse(raw, parsed) ? parsed.body : "<unparsable>";
}

// Serves in the parent until `want` requests were answered; returns how many came.
int serveSome(Harness& harness, Queue* queue, int want, const std::string& expectedPrefix) {
  int served = 0;
  for (; served < want; ++served) {
    ReceivedRequest request;
    if (!harness.waitForRequest(request, 5000)) break;
    CHECK(request.url.rfind(expectedPrefix, 0) == 0);
    ResponseBuilder response;
    std::string body = "parent:" + request.url;
    response.header("Content-Length", std::to_string(body.size())).body(body);
    CHECK(harness.sendAndWait(queue, request.requestId, response) == kOk);
  }
  return served;
}

}  // namespace

namespace hsys::test {

// The child's side: MODE "prefix" registers http://127.0.0.1:PORT/TARGET/; MODE "attach" opens
// the named queue TARGET. It answers "child:<url>" until a URL ends with /quit. Exit code 0 on
// success, 2 on set-up failure, 3 when a request outside its prefix reached it, 4 on timeout.
int runChildServer(int argc, char** argv) {
  if (argc < 6) return 2;
  std::string mode = argv[2], target = argv[4], eventName = argv[5];
  uint16_t port = static_cast<uint16_t>(std::stoi(argv[3]));
  Harness harness;
  if (!harness.lastError.empty()) return 2;
  Error error;
  QueueOptions options;
  std::string prefix = "/" + target + "/";
  if (mode == "attach") {
    options.name = target;
    options.mode = kQueueAttach;
    prefix = "/";
  }
  Queue* queue = harness.loop().createQueue(options, 1, error);
  if (queue == nullptr) return 2;
  if (mode == "prefix" && !queue->addUrl("http://127.0.0.1:" + std::to_string(port) + prefix, error)) {
    return 2;
  }
  if (!queue->start(error)) return 2;
  HANDLE ready = OpenEventW(EVENT_MODIFY_STATE, FALSE, widenAscii(eventName).c_str());
  if (ready == nullptr) return 2;
  SetEvent(ready);
  CloseHandle(ready);

  int code = 4;
  auto deadline = std::chrono::steady_clock::now() + kChildLifetime;
  while (std::chrono::steady_clock::now() < deadline) {
    ReceivedRequest request;
    if (!harness.waitForRequest(request, 500)) continue;
    std::string body = "child:" + request.url;
    ResponseBuilder response;
    response.header("Content-Length", std::to_string(body.size())).body(body);
    harness.sendAndWait(queue, request.requestId, response);
    if (request.url.rfind(prefix, 0) != 0) return 3;
    if (request.url.size() >= 5 && request.url.compare(request.url.size() - 5, 5, "/quit") == 0) {
      code = 0;
      break;
    }
  }
  queue->close();
  Completion closed;
  harness.waitFor(kQueueClosed, 1, closed, 3000);
  return code;
}

}  // namespace hsys::test

TEST_SUITE("windows backend: two processes") {

TEST_CASE("two processes share a port by URL prefix; each gets only its own requests") {
  Harness harness;
  uint16_t port = freePort();
  Error error;
  Queue* queue = harness.loop().createQueue(QueueOptions{}, 51, error);
  REQUIRE_MESSAGE(queue != nullptr, error.message);
  REQUIRE_MESSAGE(queue->addUrl("http://127.0.0.1:" + std::to_string(port) + "/a/", error), error.message);
  REQUIRE_MESSAGE(queue->start(error), error.message);
  ChildProcess child("prefix", port, "b");
  REQUIRE_MESSAGE(child.waitReady(), "the child process did not register http://127.0.0.1:PORT/b/");

  // The parent answers /a/ (on this thread), the child /b/ (in its own process).
  CHECK(get(port, "/b/one") == "child:/b/one");
  TestConnection mine;
  REQUIRE(mine.connect(port));
  REQUIRE(mine.sendAll("GET /a/one HTTP/1.1\r\n" + hostHeader(port) + "\r\n"));
  CHECK(serveSome(harness, queue, 1, "/a/") == 1);
  std::string raw;
  REQUIRE(mine.readResponse(raw));
  CHECK(raw.find("parent:/a/one") != std::string::npos);
  CHECK(get(port, "/b/two/deeper?q=1") == "child:/b/two/deeper?q=1");
  ReceivedRequest stray;
  CHECK_FALSE(harness.waitForRequest(stray, 200));  // nothing of /b/ reached the parent

  CHECK(get(port, "/b/quit") == "child:/b/quit");
  CHECK(child.exitCode(10000) == 0);
  queue->close();
  Completion closed;
  CHECK(harness.waitFor(kQueueClosed, 51, closed));
}

TEST_CASE("two processes serve one named request queue" *
          doctest::skip(runningUnderWine()) *
          doctest::description("Wine ignores request queue names and OPEN_EXISTING")) {
  Harness harness;
  uint16_t port = freePort();
  std::string name = "hsys-test-two-processes-" + std::to_string(GetCurrentProcessId()) + "-" +
                     std::to_string(port);
  QueueOptions options;
  options.name = name;
  Error error;
  Queue* queue = harness.loop().createQueue(options, 52, error);
  REQUIRE_MESSAGE(queue != nullptr, error.message);
  REQUIRE_MESSAGE(queue->addUrl(prefixFor(port), error), error.message);
  // The creator posts no receive: every request goes to the attached child.
  ChildProcess child("attach", port, name);
  std::string why = "the child process could not attach to " + name;
  REQUIRE_MESSAGE(child.waitReady(), why);
  CHECK(get(port, "/x") == "child:/x");
  CHECK(get(port, "/quit") == "child:/quit");
  CHECK(child.exitCode(10000) == 0);
  queue->close();
  Completion closed;
  CHECK(harness.waitFor(kQueueClosed, 52, closed));
}

}  // TEST_SUITE

#endif  // _WIN32
