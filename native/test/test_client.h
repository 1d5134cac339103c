// A tiny blocking HTTP/1.1 client over plain sockets (BSD or Winsock) for the contract tests:
// the tests drive the engine on their own thread and talk to it through a real socket.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace hsys::test {

// Initialises Winsock once (no-op elsewhere).
void initSockets();

// A port that was free a moment ago on 127.0.0.1.
uint16_t freePort();

class TestConnection {
 public:
  TestConnection() = default;
  ~TestConnection();
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  bool connect(uint16_t port);
  bool sendAll(const std::string& bytes);
  // Reads one whole response (Content-Length, chunked, or until close) within timeoutMillis.
  // Returns false on timeout or error; raw holds everything read for that response.
  bool readResponse(std::string& raw, int timeoutMillis = 5000);
  // Reads until done(raw) holds (raw: everything read so far, unparsed, pending bytes first) or
  // the timeout passes; for long bodies, where done looks at a length or at the last bytes.
  bool readUntil(std::string& raw, const std::function<bool(const std::string&)>& done, int timeoutMillis);
  // Reads until the peer closes or the timeout passes; true when it closed.
  bool readUntilClosed(std::string& raw, int timeoutMillis = 5000);
  // As readUntilClosed, telling a reset (RST) from an orderly close (FIN).
  enum class End { kTimeout, kClosed, kReset };
  End readUntilEnd(std::string& raw, int timeoutMillis = 5000);
  void close();

 private:
  bool readSome(std::string& into, int timeoutMillis);
  intptr_t socket_ = -1;
  std::string pending_;
};

// Splits a raw response into status code, headers block and body (chunked bodies decoded).
struct ParsedResponse {
  int status = 0;
  std::string headers;  // raw header lines, "\r\n"-separated
  std::string body;
  std::string trailers;  // a chunked body's trailer lines, "Name: value\r\n" each
  std::string header(const std::string& name) const;  // first value, case-insensitive; "" if none
};
bool parseResponse(const std::string& raw, ParsedResponse& out);

}  // namespace hsys::test
