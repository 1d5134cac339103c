// Strict HTTP/1.1 request-head parser (RFC 9112) over a connection's read buffer. It records
// offsets, not copies: the head stays in the buffer until its request is finished, and the
// header table is reused by the connection, so parsing allocates nothing per header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace hsys::posix {

struct Span {
  uint32_t offset = 0;
  uint32_t length = 0;
  std::string_view in(const char* base) const { return {base + offset, length}; }
};

struct ParsedHeader {
  Span name;
  Span value;
  uint8_t knownId;  // request HTTP_HEADER_ID or kUnknownHeader
};

struct ParsedHead {
  Span method;
  Span target;
  uint16_t major = 1, minor = 1;
  std::vector<ParsedHeader> headers;  // reused across requests of a connection
  uint32_t headLength = 0;            // bytes up to and including the blank line
  int64_t contentLength = -1;         // -1: none
  bool chunked = false;
  bool keepAlive = true;
  bool expectContinue = false;
  Span host;
  bool hasHost = false;
  bool isHead = false;
};

struct ParserLimits {
  uint32_t maxRequestLine = 8192;
  uint32_t maxHeadBytes = 64 * 1024;
  uint32_t maxHeaders = 200;
};

enum class ParseResult {
  kComplete,
  kIncomplete,  // need more bytes
  kError,       // respond with `status` and close
};

// Parses the head at data[0..length). On kError, status says which answer (400, 414, 431, 501, 505).
ParseResult parseHead(const char* data, size_t length, const ParserLimits& limits, ParsedHead& head,
                      int& status);

// Incremental chunked-body decoder: feed bytes, get decoded data out.
class ChunkedDecoder {
 public:
  // Decodes from in[0..inLength) into out (up to outCapacity). Returns false on malformed input.
  // consumed/produced say how much was used; done() once the last chunk and trailers are read.
  bool decode(const char* in, size_t inLength, char* out, size_t outCapacity, size_t& consumed,
              size_t& produced);
  bool done() const { return state_ == State::kDone; }
  void reset() { *this = ChunkedDecoder(); }

 private:
  enum class State { kSize, kSizeExtension, kSizeLf, kData, kDataCr, kDataLf, kTrailerStart, kTrailer, kTrailerLf, kFinalLf, kDone };
  State state_ = State::kSize;
  uint64_t remaining_ = 0;
  int sizeDigits_ = 0;
};

}  // namespace hsys::posix
