// Java strings as the JNI host holds them (UTF-16) and as JNI hands them over: modified UTF-8
// (NUL as C0 80, supplementary characters as two three-byte surrogates, no four-byte forms).
#pragma once

#include <string>

namespace hsys::jnihost {

// Decodes modified UTF-8 into out; returns false on bytes that are not (they become U+FFFD).
bool decodeModifiedUtf8(const char* text, std::u16string& out);
std::string encodeModifiedUtf8(const std::u16string& chars);
// Standard UTF-8 (surrogate pairs joined), for messages and comparisons in the tests.
std::string toUtf8(const std::u16string& chars);
// The bytes with everything outside printable ASCII as \xNN, for error messages.
std::string printable(const char* bytes);

}  // namespace hsys::jnihost
