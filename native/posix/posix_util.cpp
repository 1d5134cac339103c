#include "posix_util.h"

#include <netinet/in.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "hsys/header_ids.h"

namespace hsys::posix {

std::string systemError(std::string_view what, int code, std::string_view hint) {
  char buffer[256];
  // GNU strerror_r returns the text (maybe not in buffer); XSI returns int. Handle both.
  auto result = strerror_r(code, buffer, sizeof buffer);
  const char* text;
  if constexpr (std::is_same_v<decltype(result), int>) {
    text = buffer;
  } else {
    text = result;
  }
  std::string message(what);
  message.append(" failed: ").append(text).append(" (errno ").append(std::to_string(code)).append(")");
  if (!hint.empty()) message.append("; ").append(hint);
  return message;
}

std::string bindHint(int code, uint16_t port, std::string_view address) {
  std::string portText = std::to_string(port);
  switch (code) {
    case EADDRINUSE:
      return "port " + portText + " is in use by another process; HTTP.SYS would share it by URL prefix, "
             "the posix engine shares ports only within one process";
    case EACCES:
      return "ports below 1024 need root or CAP_NET_BIND_SERVICE on Linux (HTTP.SYS would need a URL "
             "ACL instead); pick a port >= 1024";
    case EADDRNOTAVAIL:
      return "the address " + std::string(address) + " is not an address of this machine; use + or * "
             "to listen on every address";
    default:
      return {};
  }
}

SocketAddressRecord toAddressRecord(const sockaddr_storage& address) {
  SocketAddressRecord record{};
  if (address.ss_family == AF_INET) {
    sockaddr_in v4;
    std::memcpy(&v4, &address, sizeof v4);
    record.family = 4;
    record.port = ntohs(v4.sin_port);
    std::memcpy(record.address, &v4.sin_addr, 4);
  } else if (address.ss_family == AF_INET6) {
    sockaddr_in6 v6;
    std::memcpy(&v6, &address, sizeof v6);
    record.port = ntohs(v6.sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
      record.family = 4;
      std::memcpy(record.address, v6.sin6_addr.s6_addr + 12, 4);
    } else {
      record.family = 6;
      std::memcpy(record.address, &v6.sin6_addr, 16);
    }
  }
  return record;
}

std::string_view httpDate() {
  static thread_local char text[64];
  static thread_local time_t cachedSecond = -1;
  time_t now = ::time(nullptr);
  if (now != cachedSecond) {
    static const char kDays[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char kMonths[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    tm utc;
    ::gmtime_r(&now, &utc);
    std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday],
                  utc.tm_mday, kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
                  utc.tm_sec);
    cachedSecond = now;
  }
  return std::string_view(text, 29);
}

std::string lowerCase(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = lowerAscii(c);
  return result;
}

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equalsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

}  // namespace hsys::posix
