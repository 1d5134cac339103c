#include "url_prefix.h"

#include "hsys/canonical_path.h"
#include "hsys/header_ids.h"
#include "posix_util.h"

namespace hsys::posix {

std::string parseUrlPrefix(std::string_view text, UrlPrefix& out) {
  out = UrlPrefix{};
  out.text = std::string(text);
  std::string_view rest;
  if (startsWithIgnoreCase(text, "http://")) {
    rest = text.substr(7);
  } else if (startsWithIgnoreCase(text, "https://")) {
    return "https prefixes need TLS, which the posix engine does not offer yet (HTTP.SYS does)";
  } else {
    return "a URL prefix must start with http:// (e.g. http://+:8080/)";
  }
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || text.back() != '/') {
    return "a URL prefix must end with '/' (e.g. http://+:8080/app/)";
  }
  std::string_view authority = rest.substr(0, slash);
  std::string_view host = authority;
  uint32_t port = 80;
  size_t bracket = authority.rfind(']');
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    std::string_view digits = authority.substr(colon + 1);
    if (digits.empty() || digits.size() > 5) return "the URL prefix has an invalid port";
    port = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return "the URL prefix has an invalid port";
      port = port * 10 + static_cast<uint32_t>(c - '0');
    }
    if (port == 0 || port > 65535) return "the URL prefix port must be 1-65535";
  }
  if (host.empty()) return "the URL prefix has no host (use + for every host)";
  if (host.front() == '[' && host.back() != ']') return "the URL prefix has an unterminated IPv6 literal";
  std::string_view path = rest.substr(slash);
  for (char c : path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '?' || c == '#' || c == 0x7F) {
      return "the URL prefix path may not contain spaces, control characters, '?' or '#'";
    }
  }
  // Requests are matched by their canonical path, so the prefix is canonicalized the same way.
  CanonicalPath canonical;
  if (!canonical.assign(path)) {
    return "the URL prefix path has no canonical form (an encoded '/' or control character, a bad escape, "
           "or '..' above the root)";
  }
  out.host = lowerCase(host);
  out.port = static_cast<uint16_t>(port);
  out.path = lowerCase(canonical.decoded());
  return "";
}

std::string_view hostWithoutPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

const RouteTable::Route* RouteTable::find(std::string_view host, std::string_view path) const {
  host = hostWithoutPort(host);
  const Route* best = nullptr;
  for (const Route& route : routes_) {
    const UrlPrefix& prefix = route.prefix;
    if (!prefix.wildcard() && !equalsIgnoreCase(prefix.host, host)) continue;
    // "/app/" also takes the target "/app" (HTTP.SYS does the same).
    bool pathMatches = startsWithIgnoreCase(path, prefix.path) ||
                       (path.size() + 1 == prefix.path.size() && startsWithIgnoreCase(prefix.path, path));
    if (!pathMatches) continue;
    if (best == nullptr || prefix.rank() > best->prefix.rank() ||
        (prefix.rank() == best->prefix.rank() && prefix.path.size() > best->prefix.path.size())) {
      best = &route;
    }
  }
  return best;
}

}  // namespace hsys::posix
