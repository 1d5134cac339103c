// The known-header lookups every request and response header goes through: each name of the
// HTTP.SYS tables finds its id in any letter case, and nothing else finds one.
#include <doctest/doctest.h>

#include <cctype>
#include <string>

#include "hsys/header_ids.h"
#include "hsys/records.h"  // kUnknownHeader

using namespace hsys;

namespace {

std::string withCase(std::string_view name, bool upper) {
  std::string out(name);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    c = static_cast<char>(upper ? std::toupper(u) : std::tolower(u));
  }
  return out;
}

}  // namespace

TEST_CASE("header ids: every known request and response name finds its id in any letter case") {
  for (int id = 0; id < kRequestHeaderCount; ++id) {
    std::string_view name = kRequestHeaderNames[id];
    CAPTURE(name);
    CHECK(requestHeaderId(name) == id);
    CHECK(requestHeaderId(withCase(name, true)) == id);
    CHECK(requestHeaderId(withCase(name, false)) == id);
  }
  for (int id = 0; id < kResponseHeaderCount; ++id) {
    std::string_view name = kResponseHeaderNames[id];
    CAPTURE(name);
    CHECK(responseHeaderId(name) == id);
    CHECK(responseHeaderId(withCase(name, true)) == id);
  }
}

TEST_CASE("header ids: other names, of any length, have none") {
  for (std::string_view name : {"", "X", "X-Custom", "Hosts", "Hos", "Set-Cookie2", "Content-Lengths",
                                "If-Unmodified-Since-Or-Later-Than-This", "User-Agen"}) {
    CAPTURE(name);
    CHECK(requestHeaderId(name) == kUnknownHeader);
    CHECK(responseHeaderId(name) == kUnknownHeader);
  }
  CHECK(requestHeaderId("Set-Cookie") == kUnknownHeader);  // a response header only
  CHECK(responseHeaderId("Host") == kUnknownHeader);       // a request header only
}
