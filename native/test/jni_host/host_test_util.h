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

}  // namespace hsys::jnihost
