// Shared by the windows contract tests: which Wine (if any) they run under, so cases Wine
// cannot run are registered as skipped with their reason (doctest::skip + description), never
// silently passed; and the small client steps every case repeats.
#pragma once
#ifdef _WIN32

#include <doctest/doctest.h>

#include <windows.h>

#include <cstdio>
#include <string>

#include "engine_harness.h"
#include "test_client.h"

namespace hsys::test {

// "8.0", "10.0"...: the Wine version this process runs under, or nullptr on real Windows.
inline const char* wineVersion() {
  using WineGetVersion = const char*(CDECL*)();
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  auto get = ntdll == nullptr ? nullptr
                              : reinterpret_cast<WineGetVersion>(reinterpret_cast<void*>(
                                    GetProcAddress(ntdll, "wine_get_version")));
  return get == nullptr ? nullptr : get();
}

inline bool runningUnderWine() { return wineVersion() != nullptr; }

inline int wineMajor() {
  const char* version = wineVersion();
  int major = 0;
  if (version != nullptr) std::sscanf(version, "%d", &major);
  return major;
}

// Wine before 10 has no HttpSendResponseEntityBody (a process-aborting stub).
inline bool wineWithoutStreaming() { return runningUnderWine() && wineMajor() < 10; }

inline std::string hostHeader(uint16_t port) {
  return "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
}

inline std::string prefixFor(uint16_t port) {
  return "http://127.0.0.1:" + std::to_string(port) + "/";
}

// A started queue on prefixFor(port) under the caller's token, for tests that close it (or its
// loop) themselves and look for completions with that token.
inline Queue* startQueue(Loop& loop, uint16_t port, uint64_t token) {
  Error error;
  Queue* queue = loop.createQueue(QueueOptions{}, token, error);
  REQUIRE_MESSAGE(queue != nullptr, error.message);
  REQUIRE_MESSAGE(queue->addUrl(prefixFor(port), error), error.message);
  REQUIRE_MESSAGE(queue->start(error), error.message);
  return queue;
}

// Answers a request with a small fixed body and checks the client got it.
inline void answer(Harness& harness, Queue* queue, const ReceivedRequest& request,
                   TestConnection& client, const std::string& body = "ok") {
  ResponseBuilder response;
  response.header("Content-Length", std::to_string(body.size())).body(body);
  CHECK(harness.respond(queue, request.requestId, response, client).body == body);
}

}  // namespace hsys::test

#endif  // _WIN32
