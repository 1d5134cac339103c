// Strict HTTP/1.1 request-head parser (RFC 9110/9112) over a connection's read buffer, plus the
// chunked request-body decoder. The parser records offsets into the buffer, never copies, and
// reuses the connection's header table, so parsing allocates nothing per header (the table
// only grows to the largest header count the connection has seen).
//
// What it rejects (the engine answers with `status` and closes):
//   400  bare CR or LF, obs-fold, control characters, whitespace before ':', malformed request
//        line or target, invalid or differing Content-Length, Content-Length with
//        Transfer-Encoding, chunked not last/once, Transfer-Encoding in HTTP/1.0, missing or
//        repeated Host in HTTP/1.1, invalid Host
//   414  request line (method SP target SP version, without CRLF) longer than maxRequestLine
//   417  an Expect other than 100-continue
//   431  head longer than maxHeadBytes or more than maxHeaders fields
//   501  a transfer coding other than chunked
//   505  HTTP major version other than 1 (HTTP/2 needs TLS/ALPN or the h2c preface, neither of
//        which the posix engine speaks yet)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace hsys::posix {

// Offsets relative to the first byte of the request head.
struct Span {
  uint32_t offset = 0;
  uint32_t length = 0;
  std::string_view in(const char* head) const { return {head + offset, length}; }
};

struct ParsedHeader {
  Span name;
  Span value;
  uint8_t knownId;  // request HTTP_HEADER_ID or kUnknownHeader
};

struct RequestHead {
  Span method;
  Span target;               // as sent
  Span path;                 // the routing path: target without query (absolute form: after the authority)
  Span authority;            // absolute-form authority, else empty
  Span host;                 // Host header value
  uint16_t major = 1, minor = 1;
  std::vector<ParsedHeader> headers;
  uint32_t headLength = 0;   // bytes up to and including the blank line
  int64_t contentLength = -1;
  bool chunked = false;
  bool keepAlive = true;
  bool expectContinue = false;
  bool hasHost = false;
  bool absoluteForm = false;
  bool isHeadMethod = false;

  bool hasBody() const { return chunked || contentLength > 0; }
};

struct ParserLimits {
  uint32_t maxRequestLine = 16 * 1024;  // bytes, CRLF not counted: 16 KiB passes, one more is 414
  uint32_t maxHeadBytes = 64 * 1024;
  uint32_t maxHeaders = 256;
  uint32_t maxTrailerBytes = 16 * 1024;
};

enum class ParseResult { kComplete, kIncomplete, kError };

class HeadParser {
 public:
  // Parses the head at data[0..length). Call again with more bytes after kIncomplete (the
  // search for the blank line resumes where it stopped). On kError, status is the answer.
  ParseResult parse(const char* data, size_t length, const ParserLimits& limits, RequestHead& head,
                    int& status);
  // Forget the resume point: the next parse starts a new head.
  void reset() { scanned_ = 0; }

 private:
  size_t scanned_ = 0;
};

// Incremental chunked-body decoder (RFC 9112 7.1, strictly: see decode). Feed it buffered
// bytes; decoded data goes to out (or is discarded when out is null). Trailer fields are checked
// for shape and dropped.
class ChunkedDecoder {
 public:
  enum class Result { kOk, kError };
  Result decode(const char* in, size_t inLength, uint8_t* out, size_t outCapacity, size_t& consumed,
                size_t& produced, uint32_t maxTrailerBytes = 16 * 1024);
  bool done() const { return state_ == State::kDone; }
  // Bytes of chunk data still owed by the current chunk (0 between chunks).
  uint64_t pendingDataBytes() const { return state_ == State::kData ? remaining_ : 0; }
  // n (at most pendingDataBytes()) bytes of the current chunk's data were received past the
  // decoder, straight into the reader's buffer.
  void tookData(uint64_t n) {
    if (n == 0) return;
    remaining_ -= n;
    if (remaining_ == 0) state_ = State::kDataCr;
  }
  void reset() { *this = ChunkedDecoder(); }

 private:
  enum class State { kSize, kSizeSpace, kExtBeforeName, kExtName, kExtAfterName, kExtBeforeValue, kExtValue,
                     kExtQuoted, kExtQuotedPair, kExtAfterQuoted, kExtAfterValue, kSizeLf, kData, kDataCr, kDataLf,
                     kLineStart, kTrailerName, kTrailer, kTrailerLf, kFinalLf, kDone };
  State state_ = State::kSize;
  uint64_t remaining_ = 0;
  bool sawDigit_ = false;
  uint32_t lineBytes_ = 0;  // bytes of the current size line (or of the trailer section)
};

}  // namespace hsys::posix
