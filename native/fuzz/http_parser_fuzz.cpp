// libFuzzer harness for the posix engine's request parsing: the head parser (fed in two steps,
// as bytes arrive from a socket), the canonical routing path and the chunked body
// decoder. Besides crashes and sanitizer reports it checks the invariants the connection code
// relies on: spans inside the head, a known status for every rejection, decoder progress.
// Built and run by scripts/fuzz-native.sh.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "http_parser.h"
#include "hsys/canonical_path.h"

using namespace hsys::posix;

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

void checkSpan(const Span& span, uint32_t headLength) {
  require(span.offset <= headLength && span.length <= headLength - span.offset);
}

// Decodes a chunked body in small output steps, as receiveBody would.
void decodeChunked(const char* data, size_t length) {
  ChunkedDecoder decoder;
  uint8_t out[7];
  size_t position = 0;
  for (int rounds = 0; rounds < 100000 && position < length && !decoder.done(); ++rounds) {
    size_t consumed = 0, produced = 0;
    auto result = decoder.decode(data + position, length - position, out, sizeof out, consumed, produced, 256);
    require(consumed <= length - position);
    require(produced <= sizeof out);
    if (result == ChunkedDecoder::Result::kError) return;
    if (consumed == 0 && produced == 0) return;  // needs more input
    position += consumed;
  }
  // Discarding (null output) must agree on where the body ends.
  ChunkedDecoder discard;
  size_t consumed = 0, produced = 0;
  discard.decode(data, length, nullptr, 0, consumed, produced, 256);
  require(consumed <= length);
}

// What routing and the handler's uri() rely on: one canonical form, no separator or dot
// segment left to reinterpret, decoding adds no separator, and canonicalizing again changes nothing.
void checkCanonical(const hsys::CanonicalPath& path) {
  std::string encoded(path.encoded()), decoded(path.decoded());
  if (encoded.empty()) return;  // "OPTIONS *" and an absolute-form target without a path
  require(encoded.front() == '/');
  require(encoded.find("//") == std::string::npos && encoded.find('\\') == std::string::npos);
  require(encoded.find("/./") == std::string::npos && encoded.find("/../") == std::string::npos);
  for (char c : decoded) require(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);
  size_t slashes = 0, decodedSlashes = 0;
  for (char c : encoded) slashes += c == '/';
  for (char c : decoded) decodedSlashes += c == '/';
  require(slashes == decodedSlashes);
  hsys::CanonicalPath again;
  require(again.assign(encoded) && !again.changed() && again.decoded() == decoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;
  // Where the first read "ends": derived from the bytes so the fuzzer can move it.
  uint32_t sum = 0;
  for (size_t i = 0; i < size; ++i) sum = sum * 31 + data[i];
  size_t split = sum % size;
  std::vector<char> first(data, data + split);  // exact-size copies: over-reads are caught
  std::vector<char> whole(data, data + size);

  ParserLimits limits;
  limits.maxRequestLine = 2048;
  limits.maxHeadBytes = 8192;
  limits.maxHeaders = 64;
  HeadParser parser;
  RequestHead head;
  int status = 0;
  ParseResult result = ParseResult::kIncomplete;
  if (split > 0) result = parser.parse(first.data(), first.size(), limits, head, status);
  if (result == ParseResult::kIncomplete) result = parser.parse(whole.data(), whole.size(), limits, head, status);

  if (result == ParseResult::kError) {
    require(status == 400 || status == 414 || status == 417 || status == 431 || status == 501 || status == 505);
    return 0;
  }
  if (result != ParseResult::kComplete) return 0;
  require(head.headLength > 0 && head.headLength <= size);
  checkSpan(head.method, head.headLength);
  checkSpan(head.target, head.headLength);
  checkSpan(head.path, head.headLength);
  checkSpan(head.authority, head.headLength);
  checkSpan(head.host, head.headLength);
  for (const ParsedHeader& header : head.headers) {
    checkSpan(header.name, head.headLength);
    checkSpan(header.value, head.headLength);
  }
  require(!(head.chunked && head.contentLength >= 0));  // never both framings

  hsys::CanonicalPath path;
  if (path.assign(head.path.in(whole.data()))) checkCanonical(path);
  if (head.chunked) decodeChunked(whole.data() + head.headLength, size - head.headLength);
  return 0;
}
