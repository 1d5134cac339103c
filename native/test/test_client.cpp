#include "test_client.h"

#include <chrono>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
using SocketLength = int;
static void closeSocket(intptr_t s) { closesocket(static_cast<SOCKET>(s)); }
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
using SocketLength = socklen_t;
static void closeSocket(intptr_t s) { ::close(static_cast<int>(s)); }
#endif

namespace hsys::test {

void initSockets() {
#ifdef _WIN32
  static bool done = false;
  if (!done) {
    WSADATA data;
    WSAStartup(MAKEWORD(2, 2), &data);
    done = true;
  }
#endif
}

static sockaddr_in loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

uint16_t freePort() {
  initSockets();
  intptr_t s = static_cast<intptr_t>(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in address = loopback(0);
  ::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address);
  SocketLength length = sizeof address;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&address), &length);
  closeSocket(s);
  return ntohs(address.sin_port);
}

TestConnection::~TestConnection() { close(); }

void TestConnection::close() {
  if (socket_ != -1) closeSocket(socket_);
  socket_ = -1;
  pending_.clear();
}

bool TestConnection::connect(uint16_t port) {
  initSockets();
  close();
  socket_ = static_cast<intptr_t>(::socket(AF_INET, SOCK_STREAM, 0));
  int one = 1;
  ::setsockopt(socket_, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&one), sizeof one);
  sockaddr_in address = loopback(port);
  return ::connect(socket_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
}

bool TestConnection::sendAll(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(socket_, bytes.data() + sent, static_cast<int>(bytes.size() - sent), 0);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Appends what arrives within timeoutMillis; false on timeout, error or orderly close (with
// nothing read).
bool TestConnection::readSome(std::string& into, int timeoutMillis) {
#ifdef _WIN32
  WSAPOLLFD descriptor{static_cast<SOCKET>(socket_), POLLRDNORM, 0};
  if (WSAPoll(&descriptor, 1, timeoutMillis) <= 0) return false;
#else
  pollfd descriptor{static_cast<int>(socket_), POLLIN, 0};
  if (::poll(&descriptor, 1, timeoutMillis) <= 0) return false;
#endif
  char buffer[16384];
  auto n = ::recv(socket_, buffer, sizeof buffer, 0);
  if (n <= 0) return false;
  into.append(buffer, static_cast<size_t>(n));
  return true;
}

static int millisLeft(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

static size_t findCaseInsensitive(const std::string& haystack, const std::string& needle) {
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    bool match = true;
    for (size_t j = 0; j < needle.size() && match; ++j) {
      match = std::tolower(static_cast<unsigned char>(haystack[i + j])) ==
              std::tolower(static_cast<unsigned char>(needle[j]));
    }
    if (match) return i;
  }
  return std::string::npos;
}

// Length of one complete response at the start of data, or 0 when it is not complete yet.
static size_t completeResponseLength(const std::string& data, bool peerClosed) {
  size_t headEnd = data.find("\r\n\r\n");
  if (headEnd == std::string::npos) return 0;
  size_t bodyStart = headEnd + 4;
  std::string head = data.substr(0, headEnd + 2);
  int status = std::atoi(head.c_str() + 9);
  if ((status >= 100 && status < 200) || status == 204 || status == 304) return bodyStart;
  size_t lengthAt = findCaseInsensitive(head, "\r\ncontent-length:");
  if (lengthAt != std::string::npos) {
    size_t length = std::strtoul(head.c_str() + lengthAt + 17, nullptr, 10);
    return data.size() >= bodyStart + length ? bodyStart + length : 0;
  }
  if (findCaseInsensitive(head, "chunked") != std::string::npos) {
    size_t position = bodyStart;
    for (;;) {
      size_t lineEnd = data.find("\r\n", position);
      if (lineEnd == std::string::npos) return 0;
      size_t size = std::strtoul(data.c_str() + position, nullptr, 16);
      position = lineEnd + 2;
      if (size == 0) {  // the last chunk, then trailer lines up to an empty line
        if (data.compare(position, 2, "\r\n") == 0) return position + 2;
        size_t end = data.find("\r\n\r\n", position);
        return end == std::string::npos ? 0 : end + 4;
      }
      if (data.size() < position + size + 2) return 0;
      position += size + 2;
    }
  }
  return peerClosed ? data.size() : 0;
}

bool TestConnection::readResponse(std::string& raw, int timeoutMillis) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMillis);
  for (;;) {
    size_t length = completeResponseLength(pending_, false);
    if (length > 0) {
      raw = pending_.substr(0, length);
      pending_.erase(0, length);
      return true;
    }
    if (!readSome(pending_, millisLeft(deadline))) {
      length = completeResponseLength(pending_, true);
      raw = pending_.substr(0, length);
      pending_.erase(0, length);
      return length > 0;
    }
  }
}

bool TestConnection::readUntil(std::string& raw, const std::function<bool(const std::string&)>& done,
                               int timeoutMillis) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMillis);
  raw = std::move(pending_);
  pending_.clear();
  while (!done(raw)) {
    if (!readSome(raw, millisLeft(deadline))) return false;
  }
  return true;
}

bool TestConnection::readUntilClosed(std::string& raw, int timeoutMillis) {
  return readUntilEnd(raw, timeoutMillis) != End::kTimeout;
}

static bool lastErrorWasReset() {
#ifdef _WIN32
  return WSAGetLastError() == WSAECONNRESET;
#else
  return errno == ECONNRESET;
#endif
}

TestConnection::End TestConnection::readUntilEnd(std::string& raw, int timeoutMillis) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMillis);
  raw = pending_;
  pending_.clear();
  for (;;) {
    int left = millisLeft(deadline);
    if (left == 0) return End::kTimeout;
#ifdef _WIN32
    WSAPOLLFD descriptor{static_cast<SOCKET>(socket_), POLLRDNORM, 0};
    if (WSAPoll(&descriptor, 1, left) <= 0) return End::kTimeout;
#else
    pollfd descriptor{static_cast<int>(socket_), POLLIN, 0};
    if (::poll(&descriptor, 1, left) <= 0) return End::kTimeout;
#endif
    char buffer[16384];
    auto n = ::recv(socket_, buffer, sizeof buffer, 0);
    if (n == 0) return End::kClosed;
    if (n < 0) return lastErrorWasReset() ? End::kReset : End::kClosed;
    raw.append(buffer, static_cast<size_t>(n));
  }
}

std::string ParsedResponse::header(const std::string& name) const {
  size_t at = findCaseInsensitive("\r\n" + headers, "\r\n" + name + ":");
  if (at == std::string::npos) return "";
  size_t valueStart = at + name.size() + 1;
  size_t valueEnd = headers.find("\r\n", valueStart);
  std::string value = headers.substr(valueStart, valueEnd == std::string::npos
                                                     ? std::string::npos
                                                     : valueEnd - valueStart);
  size_t first = value.find_first_not_of(" \t");
  return first == std::string::npos ? "" : value.substr(first);
}

bool parseResponse(const std::string& raw, ParsedResponse& out) {
  size_t lineEnd = raw.find("\r\n");
  size_t headEnd = raw.find("\r\n\r\n");
  if (lineEnd == std::string::npos || headEnd == std::string::npos || raw.size() < 12) return false;
  out.status = std::atoi(raw.c_str() + 9);
  out.headers = raw.substr(lineEnd + 2, headEnd - lineEnd);
  std::string body = raw.substr(headEnd + 4);
  if (findCaseInsensitive(out.header("Transfer-Encoding"), "chunked") != std::string::npos) {
    std::string decoded;
    size_t position = 0;
    for (;;) {
      size_t end = body.find("\r\n", position);
      if (end == std::string::npos) return false;
      size_t size = std::strtoul(body.c_str() + position, nullptr, 16);
      if (size == 0) {
        size_t blank = body.find("\r\n\r\n", end);  // trailer lines, each with its CRLF
        if (blank != std::string::npos) out.trailers = body.substr(end + 2, blank - end);
        break;
      }
      decoded += body.substr(end + 2, size);
      position = end + 2 + size + 2;
    }
    body = decoded;
  }
  out.body = body;
  return true;
}

}  // namespace hsys::test
