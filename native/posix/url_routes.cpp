#include "url_routes.h"

#include "hsys/header_ids.h"

namespace hsys::posix {

namespace {

std::string lowerCase(std::string_view text) {
  std::string result(text);
  for (char& c : result) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return result;
}

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equalsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

// HTTP.SYS looks at strong wildcard (+) prefixes first, then explicit hosts, then weak
// wildcards (*) (Microsoft's "UrlPrefix Strings").
int hostRank(const std::string& host) { return host == "+" ? 2 : host == "*" ? 0 : 1; }

}  // namespace

std::string parseUrlPrefix(std::string_view prefix, UrlPrefixParts& out) {
  std::string_view rest;
  if (startsWithIgnoreCase(prefix, "http://")) {
    rest = prefix.substr(7);
  } else if (startsWithIgnoreCase(prefix, "https://")) {
    out.secure = true;
    rest = prefix.substr(8);
  } else {
    return "URL prefix must start with http:// or https://";
  }
  if (out.secure) return "https prefixes need TLS, which the posix engine does not offer yet";
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || prefix.back() != '/') {
    return "URL prefix must end with '/' (e.g. http://+:8080/)";
  }
  std::string_view authority = rest.substr(0, slash);
  size_t colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');
  std::string_view host = authority;
  uint32_t port = 80;
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    std::string_view digits = authority.substr(colon + 1);
    if (digits.empty() || digits.size() > 5) return "URL prefix has an invalid port";
    port = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return "URL prefix has an invalid port";
      port = port * 10 + static_cast<uint32_t>(c - '0');
    }
    if (port == 0 || port > 65535) return "URL prefix port must be 1-65535";
  }
  if (host.empty()) return "URL prefix has no host (use + for every host)";
  out.host = lowerCase(host);
  out.port = static_cast<uint16_t>(port);
  out.path = lowerCase(rest.substr(slash));
  return "";
}

bool RouteTable::add(const UrlPrefixParts& prefix, PosixQueue* queue, std::string& error) {
  for (const Route& route : routes_) {
    if (route.host == prefix.host && route.path == prefix.path) {
      error = route.queue == queue ? "the prefix is already registered on this request queue"
                                   : "the prefix is already registered by another request queue";
      return false;
    }
  }
  routes_.push_back({prefix.host, prefix.path, queue});
  return true;
}

bool RouteTable::remove(const UrlPrefixParts& prefix, PosixQueue* queue) {
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].host == prefix.host && routes_[i].path == prefix.path && routes_[i].queue == queue) {
      routes_.erase(routes_.begin() + static_cast<long>(i));
      return true;
    }
  }
  return false;
}

void RouteTable::removeQueue(PosixQueue* queue) {
  for (size_t i = routes_.size(); i-- > 0;) {
    if (routes_[i].queue == queue) routes_.erase(routes_.begin() + static_cast<long>(i));
  }
}

PosixQueue* RouteTable::match(std::string_view host, std::string_view path) const {
  const Route* best = nullptr;
  for (const Route& route : routes_) {
    bool hostMatches = route.host == "+" || route.host == "*" || equalsIgnoreCase(route.host, host);
    // "/app/" also matches the target "/app" (HTTP.SYS does the same).
    bool pathMatches = startsWithIgnoreCase(path, route.path) ||
                       (path.size() + 1 == route.path.size() && startsWithIgnoreCase(route.path, path));
    if (!hostMatches || !pathMatches) continue;
    if (best == nullptr || hostRank(route.host) > hostRank(best->host) ||
        (hostRank(route.host) == hostRank(best->host) && route.path.size() > best->path.size())) {
      best = &route;
    }
  }
  return best == nullptr ? nullptr : best->queue;
}

}  // namespace hsys::posix
