#include "hsys/header_ids.h"

#include <array>
#include <vector>

#include "hsys/records.h"

namespace hsys {

#define HSYS_COMMON_HEADERS                                                                    \
  "Cache-Control", "Connection", "Date", "Keep-Alive", "Pragma", "Trailer", "Transfer-Encoding", \
      "Upgrade", "Via", "Warning", "Allow", "Content-Length", "Content-Type", "Content-Encoding",  \
      "Content-Language", "Content-Location", "Content-MD5", "Content-Range", "Expires",           \
      "Last-Modified"

constexpr std::string_view kRequestHeaderNames[kRequestHeaderCount] = {
    HSYS_COMMON_HEADERS, "Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language",
    "Authorization", "Cookie", "Expect", "From", "Host", "If-Match", "If-Modified-Since",
    "If-None-Match", "If-Range", "If-Unmodified-Since", "Max-Forwards", "Proxy-Authorization",
    "Referer", "Range", "TE", "Translate", "User-Agent"};

constexpr std::string_view kResponseHeaderNames[kResponseHeaderCount] = {
    HSYS_COMMON_HEADERS, "Accept-Ranges", "Age", "ETag", "Location", "Proxy-Authenticate",
    "Retry-After", "Server", "Set-Cookie", "Vary", "WWW-Authenticate"};

#undef HSYS_COMMON_HEADERS

static_assert(kRequestHeaderNames[kHeaderConnection] == "Connection" && kRequestHeaderNames[kHeaderDate] == "Date" &&
                  kRequestHeaderNames[kHeaderTransferEncoding] == "Transfer-Encoding" &&
                  kRequestHeaderNames[kHeaderUpgrade] == "Upgrade" &&
                  kRequestHeaderNames[kHeaderContentLength] == "Content-Length",
              "KnownHeaderId names a different common header");
static_assert(kRequestHeaderNames[kRequestHeaderAuthorization] == "Authorization" &&
                  kRequestHeaderNames[kRequestHeaderRange] == "Range" &&
                  kResponseHeaderNames[kResponseHeaderSetCookie] == "Set-Cookie" &&
                  kResponseHeaderNames[kResponseHeaderVary] == "Vary",
              "KnownHeaderId names a different header");

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]);
    unsigned char y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

namespace {

constexpr size_t longestName(const std::string_view* table, int count) {
  size_t longest = 0;
  for (int i = 0; i < count; ++i) longest = table[i].size() > longest ? table[i].size() : longest;
  return longest;
}

// A table's ids grouped by name length: every request header is looked up, and comparing it only
// with the few known names of its length (at most five) beats comparing it with all 41.
class IdsByLength {
 public:
  IdsByLength(const std::string_view* table, int count) : table_(table) {
    for (int id = 0; id < count; ++id) byLength_[table[id].size()].push_back(static_cast<uint8_t>(id));
  }

  uint8_t find(std::string_view name) const {
    if (name.size() >= byLength_.size()) return kUnknownHeader;
    for (uint8_t id : byLength_[name.size()]) {
      if (equalsIgnoreCase(table_[id], name)) return id;
    }
    return kUnknownHeader;
  }

 private:
  static constexpr size_t kLongestName = longestName(kRequestHeaderNames, kRequestHeaderCount);
  static_assert(longestName(kResponseHeaderNames, kResponseHeaderCount) <= kLongestName,
                "a response header name is longer than every request header name");
  const std::string_view* table_;
  std::array<std::vector<uint8_t>, kLongestName + 1> byLength_;
};

}  // namespace

uint8_t requestHeaderId(std::string_view name) {
  static const IdsByLength ids(kRequestHeaderNames, kRequestHeaderCount);
  return ids.find(name);
}

uint8_t responseHeaderId(std::string_view name) {
  static const IdsByLength ids(kResponseHeaderNames, kResponseHeaderCount);
  return ids.find(name);
}

}  // namespace hsys
