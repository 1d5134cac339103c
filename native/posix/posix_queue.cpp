#include "posix_engine.h"

namespace hsys::posix {

PosixQueue::PosixQueue(PosixLoop& loop, const QueueOptions& options, uint64_t token)
    : loop_(loop), options_(options), token_(token) {}

bool PosixQueue::addUrl(const std::string& prefix, Error& error) {
  if (closed_) {
    error.set(kInvalidArgument, 0, "the request queue is closed");
    return false;
  }
  UrlPrefixParts parts;
  std::string problem = parseUrlPrefix(prefix, parts);
  if (!problem.empty()) {
    error.set(kInvalidArgument, 0, problem + ": " + prefix);
    return false;
  }
  Listener* listener = loop_.listenerFor(parts.port, error);
  if (listener == nullptr) return false;
  std::string routeError;
  if (!listener->routes.add(parts, this, routeError)) {
    error.set(kInvalidArgument, 0, routeError + ": " + prefix);
    loop_.releaseListenerIfUnused(listener);
    return false;
  }
  prefixes_.push_back(parts);
  return true;
}

bool PosixQueue::removeUrl(const std::string& prefix, Error& error) {
  UrlPrefixParts parts;
  std::string problem = parseUrlPrefix(prefix, parts);
  if (!problem.empty()) {
    error.set(kInvalidArgument, 0, problem + ": " + prefix);
    return false;
  }
  Error ignored;
  Listener* listener = loop_.listenerFor(parts.port, ignored);
  if (listener == nullptr || !listener->routes.remove(parts, this)) {
    if (listener != nullptr) loop_.releaseListenerIfUnused(listener);
    error.set(kInvalidArgument, 0, "the prefix is not registered on this request queue: " + prefix);
    return false;
  }
  loop_.releaseListenerIfUnused(listener);
  return true;
}

bool PosixQueue::start(Error& error) {
  if (closed_) {
    error.set(kInvalidArgument, 0, "the request queue is closed");
    return false;
  }
  started_ = true;
  return true;
}

int32_t PosixQueue::send(uint64_t requestId, const uint8_t* record, uint32_t recordLength, uint64_t sendToken) {
  Connection* connection = loop_.findRequest(requestId);
  if (connection == nullptr || connection->queue != this) return kNoSuchRequest;
  return loop_.send(*connection, record, recordLength, sendToken);
}

int32_t PosixQueue::receiveBody(uint64_t requestId, uint8_t* buffer, uint32_t capacity, uint64_t bodyToken) {
  Connection* connection = loop_.findRequest(requestId);
  if (connection == nullptr || connection->queue != this) return kNoSuchRequest;
  return loop_.receiveBody(*connection, buffer, capacity, bodyToken);
}

int32_t PosixQueue::cancel(uint64_t requestId) {
  Connection* connection = loop_.findRequest(requestId);
  if (connection == nullptr || connection->queue != this) return kNoSuchRequest;
  loop_.closeConnection(*connection, kCancelled, false);
  return kOk;
}

void PosixQueue::close() {
  if (closed_) return;
  closed_ = true;
  loop_.closeQueue(*this);
}

}  // namespace hsys::posix
