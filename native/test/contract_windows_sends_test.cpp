// Windows backend sends: the buffering and Nagle flags, and file chunks from a Windows HANDLE
// (as Java's FileDescriptor hands it over) with a byte range. Under Wine, whose http.sys sends
// memory chunks only, the backend copies the range into memory, so the same case checks the
// handle, offset and length handling there and HttpDataChunkFromFileHandle on Windows.
#ifdef _WIN32

#include <doctest/doctest.h>

#include <string>

#include "engine_harness.h"
#include "test_client.h"
#include "windows_test_util.h"

using namespace hsys;
using namespace hsys::test;

namespace {

// A temporary file holding content, deleted when the handle closes.
HANDLE temporaryFile(const std::string& content, DWORD extraFlags) {
  wchar_t directory[MAX_PATH], path[MAX_PATH];
  if (GetTempPathW(MAX_PATH, directory) == 0 || GetTempFileNameW(directory, L"hsy", 0, path) == 0) {
    return INVALID_HANDLE_VALUE;
  }
  HANDLE file = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ, nullptr, CREATE_ALWAYS,
                            FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE | extraFlags, nullptr);
  if (file == INVALID_HANDLE_VALUE) return file;
  OVERLAPPED at{};  // positional, so it works for overlapped handles too
  HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  at.hEvent = event;
  DWORD written = 0;
  if (!WriteFile(file, content.data(), static_cast<DWORD>(content.size()), &written, &at)) {
    GetOverlappedResult(file, &at, &written, TRUE);
  }
  CloseHandle(event);
  return file;
}

std::string fetch(Harness& harness, Queue* queue, uint16_t port, ResponseBuilder& response,
                  int32_t* sendStatus) {
  TestConnection client;
  if (!client.connect(port)) return "<connect failed>";
  client.sendAll("GET /file HTTP/1.1\r\n" + hostHeader(port) + "\r\n");
  ReceivedRequest request;
  if (!harness.waitForRequest(request)) return "<no request>";
  *sendStatus = harness.sendAndWait(queue, request.requestId, response);
  std::string raw;
  if (*sendStatus != kOk || !client.readResponse(raw)) return "<no response>";
  ParsedResponse parsed;
  return parseResponse(raw, parsed) ? parsed.body : "<unparsable>";
}

}  // namespace

TEST_SUITE("windows backend: sends") {

TEST_CASE("kResponseBufferData and kResponseEnableNagling: the response arrives whole") {
  // Windows: HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA / ENABLE_NAGLING. Wine ignores both, and the
  // backend does not pass them there (Wine 10 compares the flags with MORE_DATA for equality).
  Harness harness;
  uint16_t port = freePort();
  Queue* queue = harness.openQueue(port);
  REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
  ResponseBuilder response;
  response.header("Content-Length", "10").body("buff").body("ered").body("!!")
      .flags(kResponseBufferData | kResponseEnableNagling);
  int32_t status = -100;
  CHECK(fetch(harness, queue, port, response, &status) == "buffered!!");
  CHECK(status == kOk);
}

TEST_CASE("a file chunk is sent from a file handle with an offset and a length") {
  const std::string content = "0123456789from-a-file, and more after it";
  for (DWORD flags : {DWORD{0}, DWORD{FILE_FLAG_OVERLAPPED}}) {
    CAPTURE(flags);
    HANDLE file = temporaryFile(content, flags);
    REQUIRE(file != INVALID_HANDLE_VALUE);
    Harness harness;
    uint16_t port = freePort();
    Queue* queue = harness.openQueue(port);
    REQUIRE_MESSAGE(queue != nullptr, harness.lastError);
    ResponseBuilder response;
    response.header("Content-Length", "16").body("<").fileChunk(reinterpret_cast<uint64_t>(file), 10, 11)
        .body("|").fileChunk(reinterpret_cast<uint64_t>(file), 0, 3);
    int32_t status = -100;
    CHECK(fetch(harness, queue, port, response, &status) == "<from-a-file|012");
    CHECK(status == kOk);
    CloseHandle(file);
  }
}

TEST_CASE("Wine: a file chunk past the end of the file is refused before anything is sent" *
          doctest::skip(!runningUnderWine()) *
          doctest::description("only where the backend copies file chunks (Wine); Windows "
                               "reports a short file in the send's completion")) {
  HANDLE file = temporaryFile("short", 0);
  REQUIRE(file != INVALID_HANDLE_VALUE);
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request = harness.request(client, "GET /file HTTP/1.1\r\n" + hostHeader(port) + "\r\n");
  ResponseBuilder bad;
  const std::vector<uint8_t>& record =
      bad.header("Content-Length", "100").fileChunk(reinterpret_cast<uint64_t>(file), 0, 100).build();
  CHECK(queue->send(request.requestId, record.data(), static_cast<uint32_t>(record.size()), 3) ==
        kInvalidArgument);
  // The request is untouched: a good response still goes out.
  answer(harness, queue, request, client);
  CloseHandle(file);
}

TEST_CASE("after a 101 with kResponseOpaque the connection carries raw bytes both ways" *
          doctest::skip(runningUnderWine()) *
          doctest::description("Wine ignores HTTP_SEND_RESPONSE_FLAG_OPAQUE (later body reads see "
                               "an empty body) and Wine 8 has no HttpSendResponseEntityBody")) {
  Harness harness;
  uint16_t port = freePort();
  TestConnection client;
  Queue* queue = harness.openAndConnect(port, client);
  ReceivedRequest request =
      harness.request(client, "GET /ws HTTP/1.1\r\n" + hostHeader(port) + "Connection: Upgrade\r\nUpgrade: test\r\n\r\n");
  // As codec-bridge encodes an upgrade: OPAQUE | MORE_DATA, then body-only sends.
  ResponseBuilder upgrade;
  upgrade.status(101, "Switching Protocols").header("Connection", "Upgrade").header("Upgrade", "test")
      .flags(kResponseOpaque | kResponseMoreData);
  CHECK(harness.respond(queue, request.requestId, upgrade, client).status == 101);

  harness.checkOpaqueEcho(queue, request.requestId, client);
}

}  // TEST_SUITE

#endif  // _WIN32
