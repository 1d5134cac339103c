#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "hsys/header_ids.h"
#include "posix_engine.h"

namespace hsys::posix {

std::string systemError(const char* what, int code) {
  return std::string(what) + " failed: " + std::strerror(code) + " (errno " + std::to_string(code) + ")";
}

namespace {

SocketAddressRecord toRecord(const sockaddr_storage& address) {
  SocketAddressRecord record{};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    record.family = 4;
    record.port = ntohs(v4.sin_port);
    std::memcpy(record.address, &v4.sin_addr, 4);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    record.port = ntohs(v6.sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {  // dual-stack listener: report IPv4 as IPv4
      record.family = 4;
      std::memcpy(record.address, v6.sin6_addr.s6_addr + 12, 4);
    } else {
      record.family = 6;
      std::memcpy(record.address, &v6.sin6_addr, 16);
    }
  }
  return record;
}

int openListener(uint16_t port, Error& error) {
  // HTTP.SYS listens on every address of the port whatever the prefix's host (hosts are routed
  // by the Host header), so do the same: dual-stack [::], else 0.0.0.0.
  int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1, zero = 0;
  if (fd >= 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_port = htons(port);
    address.sin6_addr = in6addr_any;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      int code = errno;
      ::close(fd);
      fd = -1;
      if (code == EADDRINUSE) {
        error.set(kSystemError, code, "port " + std::to_string(port) +
                  " is in use by another process or event loop; HTTP.SYS would share it by URL prefix, the "
                  "posix engine shares a port only among the request queues of one event loop");
        return -1;
      }
    }
  }
  if (fd < 0) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error.set(kSystemError, errno, systemError("socket", errno));
      return -1;
    }
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      int code = errno;
      ::close(fd);
      error.set(kSystemError, code, code == EADDRINUSE
                    ? "port " + std::to_string(port) + " is in use by another process or event loop"
                    : systemError("bind", code));
      return -1;
    }
  }
  if (::listen(fd, 1024) != 0) {
    int code = errno;
    ::close(fd);
    error.set(kSystemError, code, systemError("listen", code));
    return -1;
  }
  return fd;
}

}  // namespace

const std::string& httpDate() {
  static thread_local std::string cached;
  static thread_local time_t cachedSecond = 0;
  time_t now = ::time(nullptr);
  if (now != cachedSecond) {
    static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    tm utc;
    ::gmtime_r(&now, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday], utc.tm_mday,
                  kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
    cached = text;
    cachedSecond = now;
  }
  return cached;
}

PosixLoop::PosixLoop(int epollFd, int wakeFd) : epollFd_(epollFd), wakeFd_(wakeFd) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = &wakePollable_;
  ::epoll_ctl(epollFd_, EPOLL_CTL_ADD, wakeFd_, &event);
  arena_.reserve(64 * 1024);
}

PosixLoop::~PosixLoop() {
  for (auto& [fd, connection] : connections_) ::close(fd);
  for (auto& [port, listener] : listeners_) ::close(listener->fd);
  ::close(wakeFd_);
  ::close(epollFd_);
}

Queue* PosixLoop::createQueue(const QueueOptions& options, uint64_t queueToken, Error& error) {
  queues_.push_back(std::make_unique<PosixQueue>(*this, options, queueToken));
  return queues_.back().get();
}

void PosixLoop::wakeup() {
  uint64_t one = 1;
  ssize_t ignored = ::write(wakeFd_, &one, sizeof one);
  (void)ignored;
}

Listener* PosixLoop::listenerFor(uint16_t port, Error& error) {
  auto found = listeners_.find(port);
  if (found != listeners_.end()) return found->second.get();
  int fd = openListener(port, error);
  if (fd < 0) return nullptr;
  auto listener = std::make_unique<Listener>();
  listener->fd = fd;
  listener->port = port;
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = listener.get();
  ::epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &event);
  Listener* result = listener.get();
  listeners_[port] = std::move(listener);
  return result;
}

void PosixLoop::releaseListenerIfUnused(Listener* listener) {
  if (!listener->routes.empty()) return;
  ::epoll_ctl(epollFd_, EPOLL_CTL_DEL, listener->fd, nullptr);
  ::close(listener->fd);
  listener->fd = -1;
  // Connections accepted on it keep a pointer: keep the object until the loop dies.
  auto found = listeners_.find(listener->port);
  closedListeners_.push_back(std::move(found->second));
  listeners_.erase(found);
}

Connection* PosixLoop::findRequest(uint64_t requestId) {
  auto found = requests_.find(requestId);
  return found == requests_.end() ? nullptr : found->second;
}

void PosixLoop::push(uint32_t type, int32_t status, uint64_t token, uint64_t requestId, uint64_t length) {
  pending_.push_back(Completion{type, status, token, requestId, 0, length});
}

void PosixLoop::closeQueue(PosixQueue& queue) {
  std::vector<Connection*> affected;
  for (auto& [fd, connection] : connections_) {
    if (connection->queue == &queue && connection->state != Connection::State::kClosed) affected.push_back(connection.get());
  }
  for (Connection* connection : affected) closeConnection(*connection, kCancelled, false);
  for (auto& [port, listener] : listeners_) listener->routes.removeQueue(&queue);
  std::vector<Listener*> unused;
  for (auto& [port, listener] : listeners_) {
    if (listener->routes.empty()) unused.push_back(listener.get());
  }
  for (Listener* listener : unused) releaseListenerIfUnused(listener);
  push(kQueueClosed, kOk, queue.token(), 0, 0);
}

int32_t PosixLoop::poll(Completion* out, int32_t capacity, int32_t timeoutMillis) {
  graveyard_.clear();
  epoll_event events[128];
  int timeout = pending_.empty() ? timeoutMillis : 0;
  int count = ::epoll_wait(epollFd_, events, 128, timeout);
  if (count < 0 && errno != EINTR) return kSystemError;
  for (int i = 0; i < count; ++i) {
    handleEvent(static_cast<Pollable*>(events[i].data.ptr), events[i].events);
  }

  // Deliver: request records are serialized now, into the arena that lives until the next poll.
  arena_.clear();
  int32_t delivered = 0;
  struct RecordSpan {
    int32_t index;
    size_t offset;
  };
  RecordSpan spans[256];
  int32_t spanCount = 0;
  while (delivered < capacity && !pending_.empty()) {
    Completion completion = pending_.front();
    pending_.pop_front();
    if (completion.type == kRequestReceived) {
      size_t offset, length;
      if (!serializeRequest(completion.requestId, offset, length)) continue;  // gone before delivery
      completion.length = length;
      if (spanCount < 256) {
        spans[spanCount++] = {delivered, offset};
      }
    } else if (completion.type == kQueueClosed) {
      for (size_t i = 0; i < queues_.size(); ++i) {
        if (queues_[i]->token() == completion.token) {
          queues_.erase(queues_.begin() + static_cast<long>(i));
          break;
        }
      }
    }
    out[delivered++] = completion;
    if (spanCount == 256) break;
  }
  for (int32_t i = 0; i < spanCount; ++i) {
    out[spans[i].index].address = reinterpret_cast<uint64_t>(arena_.data() + spans[i].offset);
  }
  return delivered;
}

void PosixLoop::handleEvent(Pollable* pollable, uint32_t events) {
  switch (pollable->kind) {
    case Pollable::kWakeup: {
      uint64_t value;
      ssize_t ignored = ::read(wakeFd_, &value, sizeof value);
      (void)ignored;
      break;
    }
    case Pollable::kListener:
      accept(*static_cast<Listener*>(pollable));
      break;
    case Pollable::kConnection: {
      Connection& connection = *static_cast<Connection*>(pollable);
      if (connection.state == Connection::State::kClosed) break;
      if (events & EPOLLOUT) onWritable(connection);
      if (connection.state != Connection::State::kClosed && (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP))) {
        onReadable(connection);
      }
      break;
    }
  }
}

void PosixLoop::accept(Listener& listener) {
  for (;;) {
    sockaddr_storage remote{};
    socklen_t remoteLength = sizeof remote;
    int fd = ::accept4(listener.fd, reinterpret_cast<sockaddr*>(&remote), &remoteLength,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a transient error (EMFILE...) retried on the next event
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto connection = std::make_unique<Connection>();
    connection->fd = fd;
    connection->id = nextConnectionId_++;
    connection->listener = &listener;
    connection->remote = toRecord(remote);
    sockaddr_storage local{};
    socklen_t localLength = sizeof local;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLength);
    connection->local = toRecord(local);
    connection->in.reserve(4096);
    connection->epollEvents = EPOLLIN | EPOLLRDHUP;
    epoll_event event{};
    event.events = connection->epollEvents;
    event.data.ptr = connection.get();
    ::epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &event);
    connections_[fd] = std::move(connection);
  }
}

void PosixLoop::updateInterest(Connection& connection) {
  uint32_t wanted = EPOLLRDHUP;
  if (!connection.out.empty()) wanted |= EPOLLOUT;
  // Read while parsing a head, while a body read waits, or while buffering stays small;
  // otherwise leave bytes in the kernel (back-pressure).
  bool wantRead = connection.state == Connection::State::kReadingHead || connection.bodyReadPending ||
                  connection.in.size() < 256 * 1024;
  if (wantRead && !connection.peerClosed) wanted |= EPOLLIN;
  if (wanted == connection.epollEvents) return;
  connection.epollEvents = wanted;
  epoll_event event{};
  event.events = wanted;
  event.data.ptr = &connection;
  ::epoll_ctl(epollFd_, EPOLL_CTL_MOD, connection.fd, &event);
}

bool PosixLoop::serializeRequest(uint64_t requestId, size_t& offset, size_t& length) {
  Connection* connection = findRequest(requestId);
  if (connection == nullptr || connection->state != Connection::State::kInRequest) return false;
  Connection& c = *connection;
  const char* base = c.in.data();
  const ParsedHead& head = c.head;
  // Hand the body bytes that are already here to the record (up to the receive buffer size).
  std::string_view initialBody;
  if (!head.chunked && c.bodyRemaining > 0) {
    size_t available = c.in.size() - c.bodyCursor;
    uint32_t limit = c.queue->options().receiveBufferSize ? c.queue->options().receiveBufferSize : 16 * 1024;
    size_t take = static_cast<size_t>(std::min<uint64_t>({static_cast<uint64_t>(available), c.bodyRemaining, static_cast<uint64_t>(limit)}));
    initialBody = std::string_view(base + c.bodyCursor, take);
    c.bodyCursor += take;
    c.bodyRemaining -= take;
  }
  if (!head.chunked && c.bodyRemaining == 0) c.bodyDone = true;
  uint32_t flags = c.bodyDone ? 0u : static_cast<uint32_t>(kRequestMoreBody);
  RequestRecordWriter writer(arena_);
  writer.begin(requestId, c.id, head.major, head.minor, flags, c.remote, c.local, head.method.in(base),
               head.target.in(base));
  for (const ParsedHeader& header : head.headers) {
    if (header.knownId != kUnknownHeader) {
      writer.addKnownHeader(header.knownId, header.value.in(base));
    } else {
      writer.addHeader(header.name.in(base), header.value.in(base));
    }
  }
  writer.addBody(initialBody);
  offset = writer.finish();
  length = arena_.size() - offset;
  c.delivered = true;
  return true;
}

}  // namespace hsys::posix

namespace hsys {

std::unique_ptr<Loop> createLoop(Error& error) {
  using namespace posix;
  int epollFd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epollFd < 0) {
    error.set(kSystemError, errno, posix::systemError("epoll_create1", errno));
    return nullptr;
  }
  int wakeFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeFd < 0) {
    error.set(kSystemError, errno, posix::systemError("eventfd", errno));
    ::close(epollFd);
    return nullptr;
  }
  return std::make_unique<posix::PosixLoop>(epollFd, wakeFd);
}

}  // namespace hsys
