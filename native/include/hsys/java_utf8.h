// Java's "modified UTF-8" (JNI's NewStringUTF and GetStringUTFChars) <-> real UTF-8 (what the
// engine uses: error text from the system, URL prefixes and queue names). The two differ in
// characters outside the BMP (modified UTF-8 writes each UTF-16 surrogate as its own 3-byte
// sequence) and in NUL (C0 80); NewStringUTF given anything else is undefined behaviour, and
// decoding modified UTF-8 as UTF-8 turns surrogate halves into U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace hsys {

// Real UTF-8 -> modified UTF-8, safe for NewStringUTF. Bytes that are not UTF-8 (a truncated or
// overlong sequence, an encoded surrogate) become U+FFFD.
std::string toModifiedUtf8(std::string_view utf8);

// Modified UTF-8 (GetStringUTFChars) -> real UTF-8. A surrogate without its partner becomes U+FFFD.
std::string fromModifiedUtf8(std::string_view modified);

}  // namespace hsys
