#include "hsys/java_utf8.h"

#include <cstdint>

namespace hsys {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

bool isContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Decodes one sequence at text[at]; advances at. allowSurrogates: modified UTF-8, where surrogate
// halves are encoded one by one (and C0 80 is NUL).
char32_t decodeOne(std::string_view text, size_t& at, bool allowSurrogates) {
  unsigned char lead = static_cast<unsigned char>(text[at]);
  if (lead < 0x80) {
    ++at;
    return lead;
  }
  int length = (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 0;
  if (length == 0 || at + length > text.size()) {
    ++at;
    return kReplacement;
  }
  char32_t value = lead & (0x7F >> length);
  for (int i = 1; i < length; ++i) {
    unsigned char next = static_cast<unsigned char>(text[at + i]);
    if (!isContinuation(next)) {
      at += i;
      return kReplacement;
    }
    value = (value << 6) | (next & 0x3F);
  }
  at += length;
  static constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  bool modifiedNul = allowSurrogates && length == 2 && value == 0;
  if (value < kMinimum[length] && !modifiedNul) return kReplacement;  // overlong
  if (value > 0x10FFFF) return kReplacement;
  if (value >= 0xD800 && value <= 0xDFFF && !allowSurrogates) return kReplacement;
  return value;
}

void appendUtf8(std::string& out, char32_t value) {
  if (value < 0x80) {
    out += static_cast<char>(value);
  } else if (value < 0x800) {
    out += static_cast<char>(0xC0 | (value >> 6));
    out += static_cast<char>(0x80 | (value & 0x3F));
  } else if (value < 0x10000) {
    out += static_cast<char>(0xE0 | (value >> 12));
    out += static_cast<char>(0x80 | ((value >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (value & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (value >> 18));
    out += static_cast<char>(0x80 | ((value >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((value >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (value & 0x3F));
  }
}

}  // namespace

std::string toModifiedUtf8(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t at = 0; at < utf8.size();) {
    char32_t value = decodeOne(utf8, at, false);
    if (value == 0) {
      out += "\xC0\x80";
    } else if (value >= 0x10000) {
      char32_t offset = value - 0x10000;
      appendUtf8(out, 0xD800 + (offset >> 10));
      appendUtf8(out, 0xDC00 + (offset & 0x3FF));
    } else {
      appendUtf8(out, value);
    }
  }
  return out;
}

std::string fromModifiedUtf8(std::string_view modified) {
  std::string out;
  out.reserve(modified.size());
  for (size_t at = 0; at < modified.size();) {
    char32_t value = decodeOne(modified, at, true);
    if (value >= 0xD800 && value <= 0xDBFF) {
      size_t next = at;
      char32_t low = next < modified.size() ? decodeOne(modified, next, true) : 0;
      if (low >= 0xDC00 && low <= 0xDFFF) {
        at = next;
        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00);
      } else {
        value = kReplacement;
      }
    } else if (value >= 0xDC00 && value <= 0xDFFF) {
      value = kReplacement;
    }
    appendUtf8(out, value);
  }
  return out;
}

}  // namespace hsys
