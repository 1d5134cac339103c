#include "path_decoder.h"

#include <cstring>

namespace hsys::posix {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool decodePathForRouting(std::string_view raw, std::string& scratch, std::string_view& out) {
  if (std::memchr(raw.data(), '%', raw.size()) == nullptr) {
    out = raw;
    return true;
  }
  scratch.clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '%') {
      scratch.push_back(c);
      continue;
    }
    if (i + 2 >= raw.size()) return false;  // "%" or "%4" at the end
    int high = hexValue(raw[i + 1]);
    int low = hexValue(raw[i + 2]);
    if (high < 0 || low < 0) return false;
    char decoded = static_cast<char>(high * 16 + low);
    if (decoded == '/' || decoded == '\0') return false;
    scratch.push_back(decoded);
    i += 2;
  }
  out = scratch;
  return true;
}

}  // namespace hsys::posix
