#include "posix_loop.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>

#include "output_cache.h"
#include "posix_util.h"
#include "queue_names.h"

namespace hsys::posix {

namespace {

std::atomic<uint64_t> gRequestIds{0};
std::atomic<uint64_t> gConnectionIds{0};
std::atomic<uint64_t> gQueueSerials{0};

constexpr int kAcceptBatch = 64;       // accepts per listener event, then let other sockets of this loop have a turn
constexpr int64_t kTickMillis = 1000;  // granularity of connection timeouts
constexpr uint32_t kConnectionEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

}  // namespace

uint64_t nextRequestId() { return gRequestIds.fetch_add(1, std::memory_order_relaxed) + 1; }
uint64_t nextConnectionId() { return gConnectionIds.fetch_add(1, std::memory_order_relaxed) + 1; }

int64_t monotonicMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

// ---- LoopInbox ----

LoopInbox::~LoopInbox() {
  arrivals_.clear();
  ::close(eventFd_);
}

void LoopInbox::wake() {
  uint64_t one = 1;
  ssize_t ignored = ::write(eventFd_, &one, sizeof one);  // EAGAIN only when the counter is saturated
  (void)ignored;
}

bool LoopInbox::post(std::unique_ptr<Connection>& connection) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!open_) return false;
    arrivals_.push_back(std::move(connection));
  }
  wake();
  return true;
}

void LoopInbox::post(const ClosedNotice& notice) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!open_) return;  // the loop is gone, and its queues with it
    notices_.push_back(notice);
  }
  wake();
}

void LoopInbox::drain(std::vector<std::unique_ptr<Connection>>& out, std::vector<ClosedNotice>& notices) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& connection : arrivals_) out.push_back(std::move(connection));
  arrivals_.clear();
  notices.insert(notices.end(), notices_.begin(), notices_.end());
  notices_.clear();
}

void LoopInbox::shut() {
  std::vector<std::unique_ptr<Connection>> leftovers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = false;
    leftovers.swap(arrivals_);
  }
  // Destroyed outside the lock; their sockets close (the clients see a reset).
}

// ---- PosixLoop ----

PosixLoop::PosixLoop(int epollFd, std::shared_ptr<LoopInbox> inbox) : epollFd_(epollFd), inbox_(std::move(inbox)) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = static_cast<Pollable*>(inbox_.get());
  ::epoll_ctl(epollFd_, EPOLL_CTL_ADD, inbox_->fd(), &event);
  arena_.reserve(64 * 1024);
}

PosixLoop::~PosixLoop() {
  inbox_->shut();
  for (auto& [serial, queue] : queues_) queue->unregisterAll();
  for (auto& [socket, polled] : listeners_) ::epoll_ctl(epollFd_, EPOLL_CTL_DEL, polled.socket->fd(), nullptr);
  listeners_.clear();
  connections_.clear();  // destructors close the sockets; nobody is told any more
  arrivals_.clear();
  graveyard_.clear();
  queues_.clear();
  ::epoll_ctl(epollFd_, EPOLL_CTL_DEL, inbox_->fd(), nullptr);
  ::close(epollFd_);
}

Queue* PosixLoop::createQueue(const QueueOptions& options, uint64_t queueToken, Error& error) {
  if (!claimQueueName(options, error)) return nullptr;
  uint64_t serial = gQueueSerials.fetch_add(1, std::memory_order_relaxed) + 1;
  auto queue = std::make_unique<PosixQueue>(*this, options, queueToken, serial);
  PosixQueue* result = queue.get();
  queues_.emplace(serial, std::move(queue));
  return result;
}

EngineStats PosixLoop::stats() const {
  EngineStats stats;
  stats.openConnections = connections_.size();
  stats.liveRequests = requests_.size();
  stats.pendingCompletions = pending_.size() - pendingHead_;
  stats.recordArenaBytes = arena_.capacity();
  OutputCache::instance().measure(stats.cacheEntries, stats.cacheBytes);
  for (const std::unique_ptr<Connection>& connection : connections_) {
    size_t bytes = connection->receiveBufferBytes();
    stats.receiveBuffers += bytes > 0 ? 1 : 0;
    stats.receiveBufferBytes += bytes;
    stats.requestSlots += connection->requestSlotsHeld();
    stats.outputQueues += connection->holdsOutputStorage() ? 1 : 0;
    stats.connectionWork += connection->holdsWork() ? 1 : 0;
  }
  stats.receiveBufferBytes += receiveBuffers_.freeBytes();
  return stats;
}

void PosixLoop::push(uint32_t type, int32_t status, uint64_t token, uint64_t requestId, uint64_t length) {
  pending_.push_back(Completion{type, status, token, requestId, 0, length});
}

void PosixLoop::pushSendCompleted(int32_t status, uint64_t token, uint64_t requestId, uint64_t length) {
  Completion completion = sendCompleted(status, token, requestId, length);
  if (pending_.size() > pendingHead_ && foldSendCompleted(pending_.back(), completion)) return;
  pending_.push_back(completion);
}

void PosixLoop::pushQueueClosed(PosixQueue& queue) {
  // address carries the queue serial until delivery, when the queue is deleted.
  pending_.push_back(Completion{kQueueClosed, kOk, queue.token(), 0, queue.serial(), 0});
}

PosixQueue* PosixLoop::findQueue(uint64_t serial) const {
  auto found = queues_.find(serial);
  return found == queues_.end() ? nullptr : found->second.get();
}

Connection* PosixLoop::findRequest(uint64_t requestId) const {
  return requests_.find(requestId);
}

void PosixLoop::registerRequest(uint64_t requestId, Connection* connection) { requests_.insert(requestId, connection); }

void PosixLoop::connectionClosed(uint64_t queueSerial, uint64_t connectionId) {
  PosixQueue* queue = findQueue(queueSerial);
  if (queue == nullptr || !queue->accepting()) return;  // closed: kQueueClosed is its last word
  queue->forgetClosedConnection(connectionId);
  pending_.push_back(Completion{kConnectionClosed, kOk, queue->token(), 0, connectionId, 0});
}

void PosixLoop::unregisterRequest(uint64_t requestId) { requests_.erase(requestId); }

void PosixLoop::retire(Connection* connection) {
  removeLingering(connection);
  std::unique_ptr<Connection> owned = connections_.take(connection);
  if (!owned) return;
  removeCoalescing(connection);
  connectionIds_.erase(connection->id());
  // It writes nothing more, and events gathered before it left the epoll set must not name it
  // once it is freed; those of the batch being handled may (it stays until the next poll).
  deferred_.erase(std::remove(deferred_.begin(), deferred_.end(), connection), deferred_.end());
  batch_.forget(static_cast<Pollable*>(connection));
  graveyard_.push_back(std::move(owned));
}

void PosixLoop::settle(Connection* connection) {
  connection->releaseIdleWork();
  if (!connection->handOffRequested()) return;
  RouteTarget target = connection->takeHandOff();
  std::unique_ptr<Connection> owned = connections_.take(connection);
  if (!owned) return;
  ::epoll_ctl(epollFd_, EPOLL_CTL_DEL, connection->fd(), nullptr);
  connectionIds_.erase(connection->id());
  removeLingering(connection);
  removeCoalescing(connection);
  // Once posted it belongs to another thread: no deferred flush or event of ours may touch it.
  deferred_.erase(std::remove(deferred_.begin(), deferred_.end(), connection), deferred_.end());
  batch_.forget(static_cast<Pollable*>(connection));
  owned->attach(nullptr);
  if (target.inbox->post(owned)) return;  // now the other loop's
  // The target loop is gone: keep the connection and answer 503 here.
  Connection* raw = connections_.add(std::move(owned));
  connectionIds_.insert(raw->id(), raw);
  raw->attach(this);
  if (!addToEpoll(raw)) {
    raw->abort(kConnectionLost, false, true);
    return;
  }
  raw->refuseHandOff();
}

bool PosixLoop::addToEpoll(Connection* connection) {
  epoll_event event{};
  event.events = kConnectionEvents;
  event.data.ptr = static_cast<Pollable*>(connection);
  return ::epoll_ctl(epollFd_, EPOLL_CTL_ADD, connection->fd(), &event) == 0;
}

void PosixLoop::retainListener(const std::shared_ptr<ListenerSocket>& socket) {
  PolledListener& polled = listeners_[socket.get()];
  if (polled.users++ == 0) {
    polled.socket = socket;
    epoll_event event{};
    // EPOLLEXCLUSIVE: when several loops poll the socket, a new connection wakes one of them.
    event.events = EPOLLIN | EPOLLEXCLUSIVE;
    event.data.ptr = static_cast<Pollable*>(socket.get());
    ::epoll_ctl(epollFd_, EPOLL_CTL_ADD, socket->fd(), &event);
  }
}

void PosixLoop::releaseListener(const std::shared_ptr<ListenerSocket>& socket) {
  auto found = listeners_.find(socket.get());
  if (found == listeners_.end()) return;
  if (--found->second.users > 0) return;
  ::epoll_ctl(epollFd_, EPOLL_CTL_DEL, socket->fd(), nullptr);
  batch_.forget(static_cast<Pollable*>(socket.get()));
  listeners_.erase(found);  // the socket closes when the registry lets go too
}

void PosixLoop::cancelQueueRequests(PosixQueue& queue) {
  std::vector<Connection*> affected;
  requests_.forEach([&](uint64_t, Connection* connection) {
    if (std::find(affected.begin(), affected.end(), connection) == affected.end()) affected.push_back(connection);
  });
  for (Connection* connection : affected) {
    if (connection->servesQueue(&queue)) connection->abort(kCancelled, false, true, &queue);
  }
}

void PosixLoop::addLingering(Connection* connection) { lingering_.push_back(connection); }

void PosixLoop::removeLingering(Connection* connection) {
  auto found = std::find(lingering_.begin(), lingering_.end(), connection);
  if (found != lingering_.end()) lingering_.erase(found);
}

void PosixLoop::addCoalescing(Connection* connection) { coalescing_.push_back(connection); }

void PosixLoop::removeCoalescing(Connection* connection) {
  auto found = std::find(coalescing_.begin(), coalescing_.end(), connection);
  if (found != coalescing_.end()) coalescing_.erase(found);
}

void PosixLoop::expireCoalescing(int64_t now) {
  for (size_t i = 0; i < coalescing_.size();) {
    Connection* connection = coalescing_[i];
    if (connection->coalesceDeadline() <= now) {
      connection->coalesceExpired();  // removes it from coalescing_
      if (i < coalescing_.size() && coalescing_[i] == connection) ++i;
      if (connection->state() != Connection::State::kClosed) settle(connection);
    } else {
      ++i;
    }
  }
}

void PosixLoop::expireLingering(int64_t now) {
  for (size_t i = 0; i < lingering_.size();) {
    Connection* connection = lingering_[i];
    if (connection->lingerDeadline() <= now) {
      connection->lingerExpired();  // retire() removes it from lingering_
      if (i < lingering_.size() && lingering_[i] == connection) ++i;
    } else {
      ++i;
    }
  }
}

void PosixLoop::acceptAll(ListenerSocket& listener) {
  for (int i = 0; i < kAcceptBatch; ++i) {
    sockaddr_storage remote{};
    socklen_t remoteLength = sizeof remote;
    int fd = ::accept4(listener.fd(), reinterpret_cast<sockaddr*>(&remote), &remoteLength,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      // EAGAIN: done (or another loop took it). EMFILE/ENFILE/ENOBUFS: retried on the next
      // event; the pending connection waits in the backlog.
      return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_storage local{};
    socklen_t localLength = sizeof local;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLength);
    PortRoutes* routes = listener.routes();
    uint32_t limit = routes->snapshot()->limits().maxConnections;
    // Over maxConnections: answered 503 and closed, as HTTP.SYS does; not counted.
    bool refused = limit != 0 && routes->connections.load(std::memory_order_relaxed) >= limit;
    auto connection = std::make_unique<Connection>(fd, nextConnectionId(), routes, toAddressRecord(remote),
                                                   toAddressRecord(local), !refused);
    Connection* raw = connection.get();
    raw->attach(this);
    if (!addToEpoll(raw)) continue;  // the unique_ptr closes it
    connections_.add(std::move(connection));
    connectionIds_.insert(raw->id(), raw);
    if (refused) raw->refuse();
  }
}

void PosixLoop::adopt(std::unique_ptr<Connection> connection) {
  Connection* raw = connection.get();
  raw->attach(this);
  if (!addToEpoll(raw)) return;
  connections_.add(std::move(connection));
  connectionIds_.insert(raw->id(), raw);
  raw->resumeAfterHandOff();
  settle(raw);
}

void PosixLoop::adoptArrivals() {
  inbox_->drain(arrivals_, notices_);
  for (auto& connection : arrivals_) adopt(std::move(connection));
  arrivals_.clear();
  for (const ClosedNotice& notice : notices_) connectionClosed(notice.queueSerial, notice.connectionId);
  notices_.clear();
}

void PosixLoop::flushDeferred() { runStep(nullptr, 0); }

void PosixLoop::runStep(epoll_event* events, int count) {
  // Receives are applied before sends: finishing a send may parse the next request, which must
  // find the bytes already received in the buffer.
  batch_.clear();
  prepareSends();
  prepareReceives(events, count);
  if (!batch_.empty()) batch_.run();
  for (const BatchedReceive& receive : receives_) {
    receive.connection->applyHeadReceive(batch_.result(receive.operation), receive.space);
  }
  finishSends();
}

void PosixLoop::prepareSends() {
  // Each deferred connection's first sendmsg goes into the batch; what follows it (a partial
  // write, file segments) is written directly when the results are taken.
  flushing_.swap(deferred_);
  sends_.clear();
  sendIov_.clear();
  for (Connection* connection : flushing_) {
    size_t first = sendIov_.size();
    uint64_t attempted = connection->gatherDeferredOutput(sendIov_);
    sends_.push_back(BatchedSend{first, sendIov_.size() - first, attempted, 0});
  }
  sendMessages_.assign(sends_.size(), msghdr{});  // the iovec array no longer moves
  for (size_t i = 0; i < sends_.size(); ++i) {
    BatchedSend& send = sends_[i];
    if (send.attempted == 0) continue;
    sendMessages_[i].msg_iov = sendIov_.data() + send.firstIov;
    sendMessages_[i].msg_iovlen = send.iovCount;
    send.operation = batch_.addSendMessage(flushing_[i]->fd(), &sendMessages_[i]);
  }
}

void PosixLoop::finishSends() {
  // Connections are only freed at the next poll, so the pointers are still valid here. settle()
  // may drop entries from deferred_, which is why flushing_ holds the step's list.
  for (size_t i = 0; i < flushing_.size(); ++i) {
    Connection* connection = flushing_[i];
    if (sends_[i].attempted != 0) {
      connection->finishDeferredFlush(batch_.result(sends_[i].operation));
    } else {
      connection->flushDeferred();
    }
    settle(connection);
  }
  flushing_.clear();
}

void PosixLoop::prepareReceives(epoll_event* events, int count) {
  receives_.clear();
  for (int i = 0; i < count; ++i) {
    Pollable* pollable = static_cast<Pollable*>(events[i].data.ptr);
    if (pollable == nullptr || pollable->pollKind() != Pollable::Kind::kConnection) continue;
    if ((events[i].events & EPOLLIN) == 0 || (events[i].events & (EPOLLERR | EPOLLHUP)) != 0) continue;
    auto* connection = static_cast<Connection*>(pollable);
    size_t space = 0;
    size_t operation = batch_.size();
    if (!connection->addHeadReceive(batch_, space)) continue;
    receives_.push_back(BatchedReceive{connection, space, operation});
    events[i].events &= ~static_cast<uint32_t>(EPOLLIN);  // taken care of
  }
}

void PosixLoop::tick(int64_t now) {
  ticking_.clear();
  for (const std::unique_ptr<Connection>& connection : connections_) ticking_.push_back(connection.get());
  for (Connection* connection : ticking_) {
    if (connection->state() == Connection::State::kClosed) continue;
    connection->onTick(now);
    settle(connection);
  }
}

int32_t PosixLoop::poll(Completion* out, int32_t capacity, int32_t timeoutMillis) {
  if (capacity <= 0) return kInvalidArgument;
  // Connections retired since the last poll: retire() took them out of deferred_ and out of
  // events gathered meanwhile.
  for (const std::unique_ptr<Connection>& closed : graveyard_) closed->giveBackSlots();
  graveyard_.clear();
  int64_t now = now_ = monotonicMillis();
  if (now >= nextTick_) {
    nextTick_ = now + kTickMillis;
    if (!connections_.empty()) tick(now);
  }
  // The sends the application made since the last poll go out in the system call that waits for
  // the next events (their clients answer only once they have them). Their results may complete
  // sends or end connections, which must not wait for other sockets: with sends, the wait only
  // takes what is ready.
  batch_.clear();
  prepareSends();
  int timeout = flushing_.empty() ? waitTimeout(timeoutMillis, now) : 0;
  int count = batch_.runAndWait(epollFd_, eventCapacity(capacity, flushing_.size()), timeout);
  finishSends();
  if (count < 0) return kSystemError;
  if (timeout != 0) now_ = monotonicMillis();
  epoll_event* events = batch_.events();
  runStep(events, count);
  for (int i = 0; i < count; ++i) {
    Pollable* pollable = static_cast<Pollable*>(events[i].data.ptr);
    if (pollable == nullptr) continue;  // left the epoll set after the event was gathered
    switch (pollable->pollKind()) {
      case Pollable::Kind::kWakeup: {
        uint64_t value;
        ssize_t ignored = ::read(inbox_->fd(), &value, sizeof value);
        (void)ignored;
        adoptArrivals();
        break;
      }
      case Pollable::Kind::kListener:
        acceptAll(*static_cast<ListenerSocket*>(pollable));
        break;
      case Pollable::Kind::kConnection: {
        Connection* connection = static_cast<Connection*>(pollable);
        if (connection->state() == Connection::State::kClosed) break;  // closed earlier in this batch
        connection->onEvents(events[i].events);
        settle(connection);
        break;
      }
    }
  }
  // What handling the events wrote (cache hits, engine answers, pipelined responses), in one batch.
  if (!deferred_.empty()) flushDeferred();
  if (!lingering_.empty()) expireLingering(now_);
  if (!coalescing_.empty()) expireCoalescing(monotonicMillis());
  return deliver(out, capacity);
}

int PosixLoop::waitTimeout(int32_t timeoutMillis, int64_t now) const {
  int timeout = pendingHead_ == pending_.size() ? timeoutMillis : 0;
  if (!connections_.empty() && timeout != 0) {
    int64_t wait = std::max<int64_t>(0, nextTick_ - now);
    if (timeout < 0 || wait < timeout) timeout = static_cast<int>(wait);
  }
  if (!lingering_.empty() && timeout != 0) {
    int64_t nearest = lingering_.front()->lingerDeadline();
    for (Connection* connection : lingering_) nearest = std::min(nearest, connection->lingerDeadline());
    int64_t wait = std::max<int64_t>(0, nearest - monotonicMillis());
    if (timeout < 0 || wait < timeout) timeout = static_cast<int>(wait);
  }
  if (!coalescing_.empty() && timeout != 0) {
    int64_t nearest = coalescing_.front()->coalesceDeadline();
    for (Connection* connection : coalescing_) nearest = std::min(nearest, connection->coalesceDeadline());
    int64_t wait = std::max<int64_t>(0, nearest - monotonicMillis());
    if (timeout < 0 || wait < timeout) timeout = static_cast<int>(wait);
  }
  return timeout;
}

int PosixLoop::eventCapacity(int32_t capacity, size_t sendsFinishing) const {
  // Back-pressure: new input only as far as the application takes completions. Reading more
  // sockets than the coming deliveries carry would grow the queue of requests the application
  // has not taken until it overflows (503) while the application keeps up; one event at least,
  // so a stream of send completions never starves input. Each connection whose send is being
  // made completes at least one.
  const size_t undelivered = pending_.size() - pendingHead_ + sendsFinishing;
  return undelivered >= static_cast<size_t>(capacity)
             ? 1
             : static_cast<int>(std::min<size_t>(SyscallBatch::kMaxEvents, capacity - undelivered));
}

int32_t PosixLoop::deliver(Completion* out, int32_t capacity) {
  // Records of the previous batch die here; addresses are taken once the arena stops growing.
  arena_.clear();
  slots_.clear();
  int32_t delivered = 0;
  while (delivered < capacity && pendingHead_ < pending_.size()) {
    Completion completion = pending_[pendingHead_++];
    if (completion.type == kRequestReceived) {
      Connection* connection = findRequest(completion.requestId);
      if (connection == nullptr) continue;  // the client left first
      size_t offset = connection->writeRequestRecord(completion.requestId, arena_, scratch_);
      if (offset == SIZE_MAX) continue;
      completion.length = arena_.size() - offset;
      slots_.push_back(RecordSlot{delivered, offset});
    } else if (completion.type == kQueueClosed) {
      queues_.erase(completion.address);  // every completion of the queue came before this one
      completion.address = 0;
    }
    out[delivered++] = completion;
  }
  if (pendingHead_ == pending_.size()) {
    pending_.clear();  // keeps its capacity: no allocation per completion
    pendingHead_ = 0;
  } else if (pendingHead_ > 4096) {
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(pendingHead_));
    pendingHead_ = 0;
  }
  for (const RecordSlot& slot : slots_) {
    out[slot.index].address = reinterpret_cast<uint64_t>(arena_.data() + slot.offset);
  }
  return delivered;
}

}  // namespace hsys::posix

namespace hsys {

std::unique_ptr<Loop> createLoop(Error& error) {
  int epollFd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epollFd < 0) {
    int code = errno;
    error.set(kSystemError, code, posix::systemError("epoll_create1", code, "the engine needs Linux epoll"));
    return nullptr;
  }
  int eventFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (eventFd < 0) {
    int code = errno;
    error.set(kSystemError, code, posix::systemError("eventfd", code, code == EMFILE ? "raise the open-file limit (ulimit -n)" : ""));
    ::close(epollFd);
    return nullptr;
  }
  return std::make_unique<posix::PosixLoop>(epollFd, std::make_shared<posix::LoopInbox>(eventFd));
}

}  // namespace hsys
