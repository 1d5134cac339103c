// The process-wide table of listening sockets and URL-prefix routes. HTTP.SYS shares a port
// among every request queue that registered a prefix on it; the posix engine does the same
// within one process: one listening socket per (address, port), whatever loop or queue asked
// for it, and one route table per port.
//
// Bind addresses: "+" and "*" (and host names other than localhost, which HTTP.SYS routes by the
// Host header) listen on every address (dual-stack [::], else 0.0.0.0), or on the queue's
// QueueOptions::listenAddress when it has one; "localhost" listens on 127.0.0.1; an IP literal
// listens on that address. A prefix whose port is already served by a
// wildcard socket of this process shares it; a wildcard added after a host-specific socket binds
// next to it (SO_REUSEPORT; the kernel hands each connection to the most specific socket, and
// both route through the same per-port table).
//
// Threading: add/remove run on the calling loop's thread under the registry mutex. Loops read
// routes through PortRoutes::snapshot(), an immutable table swapped on every change, so routing
// a request takes one atomic load when nothing changed (see Connection::routes()).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hsys/engine.h"
#include "pollable.h"
#include "url_prefix.h"

namespace hsys::posix {

// The routes of one port. Lives as long as the process (connections keep a raw pointer).
class PortRoutes {
 public:
  explicit PortRoutes(uint16_t port) : port_(port), table_(std::make_shared<RouteTable>()) {}
  uint16_t port() const { return port_; }
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  std::shared_ptr<const RouteTable> snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return table_;
  }
  // Open connections accepted on this port by any loop (for maxConnections).
  std::atomic<uint32_t> connections{0};

 private:
  friend class ListenerRegistry;
  void publish(std::shared_ptr<const RouteTable> table);

  uint16_t port_;
  mutable std::mutex mutex_;
  std::shared_ptr<const RouteTable> table_;
  std::atomic<uint64_t> version_{1};
};

// Held while this process listens on a port (an abstract unix socket named after the port).
// Listening sockets carry SO_REUSEPORT so a wildcard can bind next to a host-specific socket of
// this process; the lock keeps a second netty-httpsys process from silently sharing the port.
class PortLock {
 public:
  explicit PortLock(int fd) : fd_(fd) {}
  ~PortLock();
  PortLock(const PortLock&) = delete;
  PortLock& operator=(const PortLock&) = delete;

 private:
  int fd_;
};

// One listening socket. Closed when the last registration and the last loop polling it let go.
class ListenerSocket : public Pollable {
 public:
  ListenerSocket(int fd, uint16_t port, std::string address, bool wildcard, PortRoutes* routes,
                 std::shared_ptr<PortLock> lock)
      : Pollable(Kind::kListener), fd_(fd), port_(port), address_(std::move(address)),
        wildcard_(wildcard), routes_(routes), lock_(std::move(lock)) {}
  ~ListenerSocket() override;
  ListenerSocket(const ListenerSocket&) = delete;
  ListenerSocket& operator=(const ListenerSocket&) = delete;

  int fd() const { return fd_; }
  uint16_t port() const { return port_; }
  const std::string& address() const { return address_; }
  bool wildcard() const { return wildcard_; }
  PortRoutes* routes() const { return routes_; }
  const std::shared_ptr<PortLock>& lock() const { return lock_; }

 private:
  int fd_;
  uint16_t port_;
  std::string address_;
  bool wildcard_;
  PortRoutes* routes_;
  std::shared_ptr<PortLock> lock_;
};

class ListenerRegistry {
 public:
  static ListenerRegistry& instance();

  // Registers prefix for target; returns the socket the target's loop must poll, or nullptr
  // with error set (prefix taken, port in use, address not local, ...).
  std::shared_ptr<ListenerSocket> add(const UrlPrefix& prefix, const RouteTarget& target,
                                      const QueueOptions& options, Error& error);
  // Unregisters prefix of the queue; returns the socket it used (nullptr if it was not registered).
  std::shared_ptr<ListenerSocket> remove(const UrlPrefix& prefix, uint64_t queueSerial);

 private:
  struct Registration {
    UrlPrefix prefix;
    uint64_t queueSerial;
    std::shared_ptr<ListenerSocket> socket;
    QueueOptions options;
  };

  PortRoutes* portRoutes(uint16_t port);
  std::shared_ptr<ListenerSocket> socketFor(const UrlPrefix& prefix, const std::string& listenAddress,
                                            PortRoutes* routes, Error& error);
  ConnectionLimits limitsOf(uint16_t port) const;
  void republish(PortRoutes* routes, const RouteTarget* added, const UrlPrefix* addedPrefix,
                 const UrlPrefix* removedPrefix, uint64_t removedSerial);

  std::mutex mutex_;
  std::map<uint16_t, std::unique_ptr<PortRoutes>> ports_;
  std::vector<Registration> registrations_;
  std::vector<std::weak_ptr<ListenerSocket>> sockets_;
};

}  // namespace hsys::posix
