// Percent-decoding of the request path before routing, as HTTP.SYS routes on the cooked URL:
// "%41pp" reaches the prefix "/app/". The request record keeps the raw target. An encoded '/'
// (it would let "/a%2Fb" route as "/a/b" in one place and as one segment in another), an encoded
// NUL and a malformed escape are refused with 400.
#pragma once

#include <string>
#include <string_view>

namespace hsys::posix {

// Returns true and the path to route on: raw itself when it has no '%', else the decoded bytes
// in scratch (reused, so no allocation once it has grown). False: answer 400.
bool decodePathForRouting(std::string_view raw, std::string& scratch, std::string_view& out);

}  // namespace hsys::posix
