#include "hsys/chunk_framing.h"

namespace hsys {

void appendChunkFraming(uint64_t dataBytes, bool last, const ResponseView& view, std::string& out,
                        size_t& prefixLength) {
  out.clear();
  if (dataBytes > 0) {
    static constexpr char kHex[] = "0123456789abcdef";
    char digits[16];
    int count = 0;
    for (uint64_t value = dataBytes; value != 0; value >>= 4) digits[count++] = kHex[value & 0xF];
    while (count > 0) out.push_back(digits[--count]);
    out.append("\r\n");
  }
  prefixLength = out.size();
  if (dataBytes > 0) out.append("\r\n");
  if (!last) return;
  out.append("0\r\n");
  for (const ResponseView::Header& trailer : view.trailers) {
    out.append(trailer.name).append(": ").append(trailer.value).append("\r\n");
  }
  out.append("\r\n");
}

}  // namespace hsys
