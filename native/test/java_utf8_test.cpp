// Modified UTF-8 (what JNI's NewStringUTF takes and GetStringUTFChars gives) and real UTF-8 (what
// the engine and the system speak): error text in any language reaches Java intact, and a URL
// prefix or queue name with a character outside the BMP registers under its own name.
#include <doctest/doctest.h>

#include <string>

#include "hsys/java_utf8.h"

#ifdef _WIN32
#include "win32_errors.h"
#endif

using namespace hsys;

TEST_SUITE("modified UTF-8") {

TEST_CASE("text in the Basic Multilingual Plane is the same in both forms") {
  for (const char* text : {"plain ASCII", u8"Доступ запрещён", u8"アクセスが拒否されました。", u8"Zugriff verweigert: äöü"}) {
    CHECK(toModifiedUtf8(text) == text);
    CHECK(fromModifiedUtf8(text) == text);
  }
}

TEST_CASE("characters outside the BMP become two 3-byte surrogate halves, and back") {
  const std::string clef = "\xF0\x9D\x84\x9E";             // U+1D11E in UTF-8
  const std::string halves = "\xED\xA0\xB4\xED\xB4\x9E";   // D834 DD1E, one by one
  CHECK(toModifiedUtf8("a" + clef + "b") == "a" + halves + "b");
  CHECK(fromModifiedUtf8("a" + halves + "b") == "a" + clef + "b");
}

TEST_CASE("NUL is C0 80 in modified UTF-8") {
  CHECK(toModifiedUtf8(std::string("a\0b", 3)) == "a\xC0\x80" "b");
  CHECK(fromModifiedUtf8("a\xC0\x80" "b") == std::string("a\0b", 3));
}

TEST_CASE("bytes that are not UTF-8 become U+FFFD instead of reaching NewStringUTF") {
  const std::string replacement = "\xEF\xBF\xBD";
  CHECK(toModifiedUtf8("\xC4\xEE") == replacement + replacement);  // code page 1251 bytes
  CHECK(toModifiedUtf8("\xE2\x82") == replacement + replacement);  // truncated sequence
  CHECK(toModifiedUtf8("\xC0\xAF") == replacement);                // overlong '/'
  CHECK(toModifiedUtf8("\xED\xA0\x80") == replacement);            // an encoded surrogate is not UTF-8
  CHECK(fromModifiedUtf8("\xED\xA0\xB4x") == replacement + "x");   // a high half alone
  CHECK(fromModifiedUtf8("\xED\xB4\x9E") == replacement);          // a low half alone
}

#ifdef _WIN32
TEST_CASE("windows: a prefix from Java with a character outside the BMP widens to its own UTF-16") {
  const std::string fromJava = "http://+:8080/\xED\xA0\xB4\xED\xB4\x9E/";  // GetStringUTFChars' bytes
  std::wstring wide = hsys::windows::widen(fromModifiedUtf8(fromJava));
  CHECK(wide == L"http://+:8080/\xD834\xDD1E/");
  CHECK(hsys::windows::widen(fromJava).find(L'\xFFFD') != std::wstring::npos);  // what happened before
}
#endif

}  // TEST_SUITE
