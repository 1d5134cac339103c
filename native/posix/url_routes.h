// URL-prefix routing as HTTP.SYS does it: `+` (strong wildcard) prefixes are tried first, then
// host-specific ones, then `*` (weak wildcard); within a category the longest path prefix wins;
// matching ignores case. One table per listening port.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hsys::posix {

class PosixQueue;

struct UrlPrefixParts {
  bool secure = false;
  std::string host;  // lower-case; "+" or "*" for wildcards
  uint16_t port = 0;
  std::string path;  // lower-case, starts and ends with '/'
};

// Parses "http://host:port/path/". Returns an empty string on success, else what is wrong.
std::string parseUrlPrefix(std::string_view prefix, UrlPrefixParts& out);

class RouteTable {
 public:
  bool add(const UrlPrefixParts& prefix, PosixQueue* queue, std::string& error);
  bool remove(const UrlPrefixParts& prefix, PosixQueue* queue);
  void removeQueue(PosixQueue* queue);
  bool empty() const { return routes_.empty(); }
  // The queue for a request with this Host (without port) and target path, or nullptr.
  PosixQueue* match(std::string_view host, std::string_view path) const;

 private:
  struct Route {
    std::string host;
    std::string path;
    PosixQueue* queue;
  };
  std::vector<Route> routes_;
};

}  // namespace hsys::posix
