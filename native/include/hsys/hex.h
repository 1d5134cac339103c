// One hexadecimal digit's value, for the parsers that read hex (percent escapes, chunk sizes).
#pragma once

namespace hsys {

// 0-15, or -1 when c is not a hex digit.
inline int hexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace hsys
