// URL prefixes and routing as HTTP.SYS does them. A prefix is "http://host:port/path/" where
// host is "+" (strong wildcard), "*" (weak wildcard), a name or an IP literal. A request is
// routed among the prefixes of its port: strong wildcards first, then host-specific prefixes
// (compared with the Host header, port removed), then weak wildcards; within a class the
// longest matching path prefix wins; comparisons ignore case. A RouteTable is immutable once
// published, so loops on other threads may read a snapshot without locks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hsys::posix {

struct UrlPrefix {
  std::string text;   // as registered
  bool secure = false;
  std::string host;   // lower-case; "+" or "*" for wildcards; IPv6 literals keep their brackets
  uint16_t port = 0;
  std::string path;   // lower-case, starts and ends with '/'

  bool strongWildcard() const { return host == "+"; }
  bool weakWildcard() const { return host == "*"; }
  bool wildcard() const { return strongWildcard() || weakWildcard(); }
  // 0 = weak wildcard, 1 = host-specific, 2 = strong wildcard.
  int rank() const { return strongWildcard() ? 2 : weakWildcard() ? 0 : 1; }
};

// Parses a prefix. Returns "" on success, else what is wrong with it (for Error::message).
std::string parseUrlPrefix(std::string_view text, UrlPrefix& out);

class LoopInbox;

// Who receives requests routed to a prefix: a queue (by its process-unique serial) on a loop
// (reached through the loop's inbox when the request was read by another loop).
struct RouteTarget {
  uint64_t queueSerial = 0;
  std::shared_ptr<LoopInbox> inbox;
};

// Connection-level limits of a port (HTTP_TIMEOUT_LIMIT_INFO, HttpServerConnectionsProperty),
// derived from the QueueOptions of the queues registered on it: for each one the strictest
// value any of them set, else the HTTP.SYS default. Milliseconds.
struct ConnectionLimits {
  int64_t headerWaitMillis = 120000;
  int64_t idleMillis = 120000;
  int64_t entityBodyMillis = 120000;
  int64_t lingerMillis = 2000;           // drainEntityBody: how long a closing connection drains input
  uint64_t minSendRate = 150;            // bytes per second; 0 = no check
  int64_t sendRateWindowMillis = 2000;   // pending output always gets at least this long
  uint32_t maxConnections = 0;           // 0 = unlimited
};

class RouteTable {
 public:
  struct Route {
    UrlPrefix prefix;
    RouteTarget target;
  };
  ConnectionLimits& limits() { return limits_; }
  const ConnectionLimits& limits() const { return limits_; }

  const Route* find(std::string_view host, std::string_view path) const;
  std::vector<Route>& routes() { return routes_; }
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  ConnectionLimits limits_;
};

// "example.com:8080" -> "example.com", "[::1]:80" -> "[::1]".
std::string_view hostWithoutPort(std::string_view host);

}  // namespace hsys::posix
