#include "java_strings.h"

#include <cstdio>

namespace hsys::jnihost {

bool decodeModifiedUtf8(const char* text, std::u16string& out) {
  bool valid = true;
  const auto* p = reinterpret_cast<const unsigned char*>(text);
  auto continuation = [](unsigned char c) { return (c & 0xC0) == 0x80; };
  while (*p != 0) {
    unsigned c = *p;
    if (c < 0x80) {
      out += static_cast<char16_t>(c);
      p += 1;
    } else if ((c & 0xE0) == 0xC0 && continuation(p[1])) {
      unsigned value = ((c & 0x1F) << 6) | (p[1] & 0x3F);
      if (value < 0x80 && value != 0) valid = false;  // overlong (only NUL may be)
      out += static_cast<char16_t>(value);
      p += 2;
    } else if ((c & 0xF0) == 0xE0 && continuation(p[1]) && continuation(p[2])) {
      unsigned value = ((c & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
      if (value < 0x800) valid = false;
      out += static_cast<char16_t>(value);
      p += 3;
    } else {
      valid = false;
      out += u'\uFFFD';
      p += 1;
    }
  }
  return valid;
}

std::string encodeModifiedUtf8(const std::u16string& chars) {
  std::string out;
  for (char16_t c : chars) {
    if (c != 0 && c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::string printable(const char* bytes) {
  std::string out;
  for (const char* p = bytes; *p != 0; ++p) {
    auto c = static_cast<unsigned char>(*p);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
  return out;
}

std::string toUtf8(const std::u16string& chars) {
  std::string out;
  for (size_t i = 0; i < chars.size(); ++i) {
    char32_t c = chars[i];
    if (c >= 0xD800 && c < 0xDC00 && i + 1 < chars.size() && chars[i + 1] >= 0xDC00 && chars[i + 1] < 0xE000) {
      c = 0x10000 + ((c - 0xD800) << 10) + (chars[++i] - 0xDC00);
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

}  // namespace hsys::jnihost
