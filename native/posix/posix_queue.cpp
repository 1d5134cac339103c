#include "posix_queue.h"

#include "connection.h"
#include "listener_registry.h"
#include "output_cache.h"
#include "queue_names.h"
#include "posix_loop.h"

namespace hsys::posix {

PosixQueue::PosixQueue(PosixLoop& loop, const QueueOptions& options, uint64_t token, uint64_t serial)
    : loop_(loop), options_(options), token_(token), serial_(serial) {}

PosixQueue::~PosixQueue() { releaseQueueName(options_.name); }

bool PosixQueue::addUrl(const std::string& text, Error& error) {
  if (closed_) {
    error.set(kInvalidArgument, 0, "addUrl " + text + ": the request queue is closed");
    return false;
  }
  UrlPrefix prefix;
  std::string problem = parseUrlPrefix(text, prefix);
  if (!problem.empty()) {
    error.set(kInvalidArgument, 0, "addUrl " + text + ": " + problem);
    return false;
  }
  std::shared_ptr<ListenerSocket> socket =
      ListenerRegistry::instance().add(prefix, RouteTarget{serial_, loop_.inbox()}, options_, error);
  if (!socket) return false;
  loop_.retainListener(socket);
  prefixes_.push_back(std::move(prefix));
  return true;
}

bool PosixQueue::removeUrl(const std::string& text, Error& error) {
  UrlPrefix prefix;
  std::string problem = parseUrlPrefix(text, prefix);
  if (!problem.empty()) {
    error.set(kInvalidArgument, 0, "removeUrl " + text + ": " + problem);
    return false;
  }
  for (size_t i = 0; i < prefixes_.size(); ++i) {
    if (prefixes_[i].port == prefix.port && prefixes_[i].host == prefix.host && prefixes_[i].path == prefix.path) {
      std::shared_ptr<ListenerSocket> socket = ListenerRegistry::instance().remove(prefix, serial_);
      if (socket) loop_.releaseListener(socket);
      prefixes_.erase(prefixes_.begin() + static_cast<long>(i));
      return true;
    }
  }
  error.set(kInvalidArgument, 0, "removeUrl " + text + ": the prefix is not registered on this request queue");
  return false;
}

bool PosixQueue::start(Error& error) {
  if (closed_) {
    error.set(kInvalidArgument, 0, "start: the request queue is closed");
    return false;
  }
  started_ = true;
  return true;
}

int32_t PosixQueue::send(uint64_t requestId, const uint8_t* record, uint32_t recordLength, uint64_t sendToken) {
  Connection* connection = loop_.findRequest(requestId);
  if (connection == nullptr || connection->queueOf(requestId) != this) return kNoSuchRequest;
  if (record == nullptr) return kInvalidArgument;
  ResponseView& view = loop_.responseView();
  const char* why = nullptr;
  if (!view.parse(record, recordLength, &why)) return kInvalidArgument;
  int32_t status = connection->send(requestId, view, sendToken);
  loop_.settle(connection);
  return status;
}

int32_t PosixQueue::receiveBody(uint64_t requestId, uint8_t* buffer, uint32_t capacity, uint64_t bodyToken) {
  Connection* connection = loop_.findRequest(requestId);
  if (connection == nullptr || connection->queueOf(requestId) != this) return kNoSuchRequest;
  if (buffer == nullptr || capacity == 0) return kInvalidArgument;
  int32_t status = connection->receiveBody(requestId, buffer, capacity, bodyToken);
  loop_.settle(connection);
  return status;
}

int32_t PosixQueue::cancel(uint64_t requestId) {
  Connection* connection = loop_.findRequest(requestId);
  if (connection == nullptr || connection->queueOf(requestId) != this) return kNoSuchRequest;
  connection->abort(kCancelled, false, true, nullptr, requestId);
  return kOk;
}

int32_t PosixQueue::closeConnection(uint64_t connectionId) {
  if (closed_) return kNoSuchRequest;
  Connection* connection = loop_.findConnection(connectionId);
  if (connection != nullptr) {
    if (!connection->hasServed(serial_)) return kNoSuchRequest;
    connection->closeForQueue(this);
    loop_.settle(connection);
    return kOk;
  }
  // Not on this loop: either gone (its kConnectionClosed is on its way) or serving a queue of
  // another loop, which only it may touch. Refuse what it brings here later, as HTTP.SYS refuses
  // requests on a connection the application closed. A bounded memory: an evicted id is one whose
  // connection went on elsewhere for a long time.
  constexpr size_t kMaxRemembered = 256;
  if (refusesConnection(connectionId)) return kOk;
  if (closedElsewhere_.size() == kMaxRemembered) closedElsewhere_.pop_front();
  closedElsewhere_.push_back(connectionId);
  return kOk;
}

bool PosixQueue::refusesConnection(uint64_t connectionId) const {
  for (uint64_t id : closedElsewhere_) {
    if (id == connectionId) return true;
  }
  return false;
}

void PosixQueue::forgetClosedConnection(uint64_t connectionId) {
  for (auto it = closedElsewhere_.begin(); it != closedElsewhere_.end(); ++it) {
    if (*it == connectionId) {
      closedElsewhere_.erase(it);
      return;
    }
  }
}

void PosixQueue::unregisterAll() {
  for (const UrlPrefix& prefix : prefixes_) {
    std::shared_ptr<ListenerSocket> socket = ListenerRegistry::instance().remove(prefix, serial_);
    if (socket) loop_.releaseListener(socket);
  }
  prefixes_.clear();
}

void PosixQueue::close() {
  if (closed_) return;
  closed_ = true;
  unregisterAll();
  OutputCache::instance().dropQueue(serial_);
  loop_.cancelQueueRequests(*this);
  loop_.pushQueueClosed(*this);  // after every completion the cancellations produced
}

}  // namespace hsys::posix
