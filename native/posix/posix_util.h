// Small helpers shared by the posix backend: error texts people can act on, socket address
// conversion into the record layout, and the cached HTTP Date value.
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "hsys/records.h"

namespace hsys::posix {

// "<what> failed: <strerror> (errno N)" plus a hint for the errors people meet in practice.
std::string systemError(std::string_view what, int code, std::string_view hint = {});

// A hint for a failed bind/listen on port (EADDRINUSE, EACCES, EADDRNOTAVAIL), or "".
std::string bindHint(int code, uint16_t port, std::string_view address);

// sockaddr_in / sockaddr_in6 (IPv4-mapped reported as IPv4) -> record form.
SocketAddressRecord toAddressRecord(const sockaddr_storage& address);

// The IMF-fixdate of the current second ("Sun, 06 Nov 1994 08:49:37 GMT"), formatted once per
// second per thread.
std::string_view httpDate();

// A read or write call's outcome as io_uring reports it: the byte count, or -errno.
inline ssize_t callResult(ssize_t n) { return n < 0 ? -errno : n; }

// ASCII lower-casing without locale.
inline char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
std::string lowerCase(std::string_view text);
bool startsWithIgnoreCase(std::string_view text, std::string_view prefix);

}  // namespace hsys::posix
