#include "listener_registry.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "posix_util.h"

namespace hsys::posix {

namespace {

constexpr int kBacklog = 4096;  // the kernel caps it at net.core.somaxconn

struct BindPlan {
  bool wildcard = true;
  std::string address;  // textual, for messages; "" for wildcard
  sockaddr_storage storage{};
  socklen_t length = 0;
};

// Which address a prefix's host asks the engine to listen on: an IP literal or localhost its own,
// any other host the queue's listen address (every address when it has none).
std::string planBind(const UrlPrefix& prefix, const std::string& listenAddress, BindPlan& plan) {
  const std::string& host = prefix.host;
  plan = BindPlan{};
  std::string literal = host;
  if (host == "localhost") literal = "127.0.0.1";
  if (!literal.empty() && literal.front() == '[') literal = literal.substr(1, literal.size() - 2);
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (::inet_pton(AF_INET, literal.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(prefix.port);
    std::memcpy(&plan.storage, &v4, sizeof v4);
    plan.length = sizeof v4;
  } else if (::inet_pton(AF_INET6, literal.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(prefix.port);
    std::memcpy(&plan.storage, &v6, sizeof v6);
    plan.length = sizeof v6;
  } else if (!listenAddress.empty() && listenAddress != literal) {
    UrlPrefix onAddress = prefix;  // +, *, or a name routed by the Host header: the listen address
    onAddress.host = listenAddress;
    return planBind(onAddress, "", plan);
  } else {
    return "";  // every address
  }
  plan.wildcard = false;
  plan.address = literal;
  return "";
}

int bindSocket(int family, const sockaddr* address, socklen_t length, bool v6Only, int& code) {
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    code = errno;
    return -1;
  }
  int one = 1;
  // SO_REUSEADDR lets a restarted server bind while old connections sit in TIME_WAIT; on Linux
  // it does not let two listeners share a port (that would need SO_REUSEPORT, never set here).
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // Lets a wildcard socket bind beside a host-specific one of this process (PortLock keeps other
  // processes of ours off the port; a foreign listener without SO_REUSEPORT still conflicts).
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (family == AF_INET6) {
    int flag = v6Only ? 1 : 0;
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &flag, sizeof flag);
  }
  if (::bind(fd, address, length) != 0 || ::listen(fd, kBacklog) != 0) {
    code = errno;
    ::close(fd);
    return -1;
  }
  return fd;
}

std::shared_ptr<PortLock> acquirePortLock(uint16_t port, int& code) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    code = errno;
    return nullptr;
  }
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::string name = "netty-httpsys-port-" + std::to_string(port);
  std::memcpy(address.sun_path + 1, name.data(), name.size());  // abstract: sun_path[0] == 0
  socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    code = errno;
    ::close(fd);
    return nullptr;
  }
  return std::make_shared<PortLock>(fd);
}

}  // namespace

PortLock::~PortLock() { ::close(fd_); }

ListenerSocket::~ListenerSocket() {
  if (fd_ >= 0) ::close(fd_);
}

void PortRoutes::publish(std::shared_ptr<const RouteTable> table) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    table_ = std::move(table);
  }
  version_.fetch_add(1, std::memory_order_acq_rel);
}

ListenerRegistry& ListenerRegistry::instance() {
  // Never destroyed: loops on other threads may still release sockets during process exit.
  static ListenerRegistry* registry = new ListenerRegistry();
  return *registry;
}

PortRoutes* ListenerRegistry::portRoutes(uint16_t port) {
  auto& slot = ports_[port];
  if (!slot) slot = std::make_unique<PortRoutes>(port);
  return slot.get();
}

std::shared_ptr<ListenerSocket> ListenerRegistry::socketFor(const UrlPrefix& prefix, const std::string& listenAddress,
                                                            PortRoutes* routes, Error& error) {
  BindPlan plan;
  planBind(prefix, listenAddress, plan);
  std::shared_ptr<PortLock> lock;
  for (size_t i = 0; i < sockets_.size();) {
    std::shared_ptr<ListenerSocket> socket = sockets_[i].lock();
    if (!socket) {
      sockets_.erase(sockets_.begin() + static_cast<long>(i));
      continue;
    }
    ++i;
    if (socket->port() != prefix.port) continue;
    if (socket->wildcard()) return socket;  // a wildcard socket serves every host of the port
    if (!plan.wildcard && socket->address() == plan.address) return socket;
    lock = socket->lock();  // a host-specific socket of ours: bind beside it
  }
  if (!lock) {
    int code = 0;
    lock = acquirePortLock(prefix.port, code);
    if (!lock) {
      error.set(kSystemError, code == EADDRINUSE ? EADDRINUSE : code,
                code == EADDRINUSE
                    ? "listening on port " + std::to_string(prefix.port) + " for " + prefix.text +
                          ": another netty-httpsys process already serves this port; HTTP.SYS would share it "
                          "by URL prefix across processes, the posix engine cannot"
                    : systemError("locking port " + std::to_string(prefix.port), code));
      return nullptr;
    }
  }

  int code = 0;
  int fd = -1;
  std::string shown = plan.wildcard ? std::string("*") : plan.address;
  if (plan.wildcard) {
    sockaddr_in6 any6{};
    any6.sin6_family = AF_INET6;
    any6.sin6_port = htons(prefix.port);
    any6.sin6_addr = in6addr_any;
    fd = bindSocket(AF_INET6, reinterpret_cast<sockaddr*>(&any6), sizeof any6, false, code);
    if (fd < 0 && (code == EAFNOSUPPORT || code == EADDRNOTAVAIL)) {  // no IPv6 here: IPv4 only
      sockaddr_in any4{};
      any4.sin_family = AF_INET;
      any4.sin_port = htons(prefix.port);
      any4.sin_addr.s_addr = htonl(INADDR_ANY);
      fd = bindSocket(AF_INET, reinterpret_cast<sockaddr*>(&any4), sizeof any4, false, code);
    }
  } else {
    fd = bindSocket(plan.storage.ss_family, reinterpret_cast<sockaddr*>(&plan.storage), plan.length, true, code);
  }
  if (fd < 0) {
    std::string what = "listening on " + shown + ":" + std::to_string(prefix.port) + " for " + prefix.text;
    error.set(kSystemError, code, systemError(what, code, bindHint(code, prefix.port, shown)));
    return nullptr;
  }
  auto socket = std::make_shared<ListenerSocket>(fd, prefix.port, plan.wildcard ? "*" : plan.address,
                                                 plan.wildcard, routes, std::move(lock));
  sockets_.push_back(socket);
  return socket;
}

void ListenerRegistry::republish(PortRoutes* routes, const RouteTarget* added, const UrlPrefix* addedPrefix,
                                 const UrlPrefix* removedPrefix, uint64_t removedSerial) {
  auto table = std::make_shared<RouteTable>(*routes->snapshot());
  auto& list = table->routes();
  if (removedPrefix != nullptr) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i].target.queueSerial == removedSerial && list[i].prefix.host == removedPrefix->host &&
          list[i].prefix.path == removedPrefix->path) {
        list.erase(list.begin() + static_cast<long>(i));
        break;
      }
    }
  }
  if (added != nullptr) list.push_back(RouteTable::Route{*addedPrefix, *added});
  table->limits() = limitsOf(routes->port());
  routes->publish(std::move(table));
}

ConnectionLimits ListenerRegistry::limitsOf(uint16_t port) const {
  // The strictest setting of any queue on the port wins; unset (0) means the HTTP.SYS default.
  ConnectionLimits limits;
  bool rateSet = false;
  auto tighten = [](int64_t& field, uint32_t seconds, bool& seen) {
    if (seconds == 0) return;
    int64_t millis = static_cast<int64_t>(seconds) * 1000;
    if (!seen || millis < field) field = millis;
    seen = true;
  };
  bool header = false, idle = false, body = false, drain = false;
  for (const Registration& registration : registrations_) {
    if (registration.prefix.port != port) continue;
    const QueueOptions& options = registration.options;
    tighten(limits.headerWaitMillis, options.headerWaitTimeoutSeconds, header);
    tighten(limits.idleMillis, options.idleConnectionTimeoutSeconds, idle);
    tighten(limits.entityBodyMillis, options.entityBodyTimeoutSeconds, body);
    tighten(limits.lingerMillis, options.drainEntityBodyTimeoutSeconds, drain);
    if (options.minSendRateBytesPerSecond != 0) {
      uint64_t rate = options.minSendRateBytesPerSecond;
      if (!rateSet || rate > limits.minSendRate) limits.minSendRate = rate;
      rateSet = true;
    }
    if (options.maxConnections != 0 &&
        (limits.maxConnections == 0 || options.maxConnections < limits.maxConnections)) {
      limits.maxConnections = options.maxConnections;
    }
  }
  return limits;
}

std::shared_ptr<ListenerSocket> ListenerRegistry::add(const UrlPrefix& prefix, const RouteTarget& target,
                                                      const QueueOptions& options, Error& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Registration& registration : registrations_) {
    if (registration.prefix.port == prefix.port && registration.prefix.host == prefix.host &&
        registration.prefix.path == prefix.path) {
      error.set(kInvalidArgument, EEXIST,
                registration.queueSerial == target.queueSerial
                    ? "the URL prefix " + prefix.text + " is already registered on this request queue"
                    : "the URL prefix " + prefix.text + " is already registered by another request queue "
                      "of this process (HTTP.SYS answers ERROR_ALREADY_EXISTS the same way)");
      return nullptr;
    }
  }
  PortRoutes* routes = portRoutes(prefix.port);
  std::shared_ptr<ListenerSocket> socket = socketFor(prefix, options.listenAddress, routes, error);
  if (!socket) return nullptr;
  registrations_.push_back(Registration{prefix, target.queueSerial, socket, options});
  republish(routes, &target, &prefix, nullptr, 0);
  return socket;
}

std::shared_ptr<ListenerSocket> ListenerRegistry::remove(const UrlPrefix& prefix, uint64_t queueSerial) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < registrations_.size(); ++i) {
    Registration& registration = registrations_[i];
    if (registration.queueSerial == queueSerial && registration.prefix.port == prefix.port &&
        registration.prefix.host == prefix.host && registration.prefix.path == prefix.path) {
      std::shared_ptr<ListenerSocket> socket = std::move(registration.socket);
      registrations_.erase(registrations_.begin() + static_cast<long>(i));
      republish(portRoutes(prefix.port), nullptr, nullptr, &prefix, queueSerial);
      return socket;
    }
  }
  return nullptr;
}

}  // namespace hsys::posix
