// Shared by the JNI host's cases: where they run (backend, Wine), client steps, and reading a
// response while the loop keeps running (the posix engine writes from poll).
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "jni_engine.h"
#include "loaded_library.h"
#include "test_client.h"
#ifdef _WIN32
#include "wine_detection.h"
#endif

namespace hsys::jnihost {

#ifdef _WIN32
constexpr const char* kExpectedBackend = "windows-httpapi";
inline bool underWine() { return test::runningUnderWine(); }
inline bool wineWithoutStreaming() { return test::wineWithoutStreaming(); }
#else
constexpr const char* kExpectedBackend = "posix-epoll";
inline bool underWine() { return false; }
inline bool wineWithoutStreaming() { return false; }
#endif

inline std::string prefixFor(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port) + "/"; }

inline std::string hostHeader(uint16_t port) { return "Host: 127.0.0.1:" + std::to_string(port) + "\r\n"; }

// Polls briefly between reads until a whole response arrived.
inline bool pumpResponse(JniEngine& engine, test::TestConnection& client, test::ParsedResponse& out,
                         int timeoutMillis = 5000) {
  std::string raw;
  for (int waited = 0; waited < timeoutMillis; waited += 20) {
    engine.poll(10);
    if (client.readResponse(raw, 10)) return test::parseResponse(raw, out);
  }
  return false;
}

// Polls briefly between reads until the server closed the connection.
inline bool pumpUntilClosed(JniEngine& engine, test::TestConnection& client, int timeoutMillis = 5000) {
  for (int waited = 0; waited < timeoutMillis; waited += 20) {
    engine.poll(10);
    std::string part;
    if (client.readUntilClosed(part, 10)) return true;
  }
  return false;
}

// The request a client sent, as the engine handed it over.
inline test::ReceivedRequest requestFrom(JniEngine& engine, test::TestConnection& client, const std::string& bytes) {
  REQUIRE(client.sendAll(bytes));
  test::ReceivedRequest request;
  REQUIRE_MESSAGE(engine.waitForRequest(request), "no request arrived");
  return request;
}

// What most cases start from: a new loop, a started queue on a free port, a client connected.
class ServedClient {
 public:
  explicit ServedClient(jlong token, const std::vector<jlong>& settings = queueSettings())
      : loaded(loadedLibrary()), natives(*loaded.natives), engine(*loaded.vm, natives), queueToken(token),
        queue(engine.openQueue(token, prefixFor(port), settings)) {
    REQUIRE(client.connect(port));
  }
  test::ReceivedRequest request(const std::string& bytes) { return requestFrom(engine, client, bytes); }
  test::ReceivedRequest get(const std::string& path) {
    return request("GET " + path + " HTTP/1.1\r\n" + hostHeader(port) + "\r\n");
  }
  // Sends a whole response and returns what the client received.
  test::ParsedResponse respond(uint64_t requestId, test::ResponseBuilder& response) {
    CHECK(engine.sendAndWait(queue, requestId, response) == kOk);
    test::ParsedResponse parsed;
    REQUIRE(pumpResponse(engine, client, parsed));
    return parsed;
  }
  bool closeQueue() { return engine.closeQueue(queue, queueToken); }

  LoadedLibrary& loaded;
  NativeClass& natives;
  JniEngine engine;
  const uint16_t port = test::freePort();
  const jlong queueToken;
  const jlong queue;
  test::TestConnection client;
};

}  // namespace hsys::jnihost
