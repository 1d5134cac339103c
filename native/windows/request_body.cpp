#include "request_body.h"

namespace hsys::windows {

uint64_t declaredLength(const HTTP_REQUEST& request) {
  const HTTP_KNOWN_HEADER& header = request.Headers.KnownHeaders[HttpHeaderContentLength];
  if (header.pRawValue == nullptr || header.RawValueLength == 0) return UINT64_MAX;
  uint64_t value = 0;
  for (USHORT i = 0; i < header.RawValueLength; ++i) {
    char c = header.pRawValue[i];
    if (c == ' ' || c == '\t') continue;
    if (c < '0' || c > '9') return UINT64_MAX;
    if (value > (UINT64_MAX - 9) / 10) return UINT64_MAX - 1;  // absurdly large: over any limit
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

uint64_t copiedBodyBytes(const HTTP_REQUEST& request) {
  uint64_t total = 0;
  for (USHORT i = 0; i < request.EntityChunkCount; ++i) {
    const HTTP_DATA_CHUNK& chunk = request.pEntityChunks[i];
    if (chunk.DataChunkType == HttpDataChunkFromMemory) total += chunk.FromMemory.BufferLength;
  }
  return total;
}

}  // namespace hsys::windows
