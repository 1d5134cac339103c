// The Loop of the posix engine: one epoll instance polled by one thread, an eventfd for
// wake-ups and for connections handed over by other loops (LoopInbox), the completion FIFO and
// the per-poll record arena. It owns its queues and connections; listening sockets are shared
// process-wide through the ListenerRegistry and polled (EPOLLEXCLUSIVE) by every loop that has
// a queue on them. A connection accepted by one loop whose request routes to a queue of another
// loop moves to that loop between requests, so a queue is only ever touched by its own thread.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "connection.h"
#include "hsys/canonical_path.h"
#include "hsys/engine.h"
#include "http_parser.h"
#include "listener_registry.h"
#include "pollable.h"
#include "posix_queue.h"
#include "receive_buffers.h"
#include "connection_set.h"
#include "connection_work.h"
#include "request_slots.h"
#include "request_table.h"
#include "syscall_batch.h"

namespace hsys::posix {

// A connection that served a queue of another loop has ended: that loop reports
// kConnectionClosed to the queue.
struct ClosedNotice {
  uint64_t queueSerial;
  uint64_t connectionId;
};

// Where other threads leave connections (and closed-connection notices) for a loop; its eventfd
// is also the loop's wake-up. Shared (route tables of other loops point at it) and outlives its
// loop if need be.
class LoopInbox : public Pollable {
 public:
  explicit LoopInbox(int eventFd) : Pollable(Kind::kWakeup), eventFd_(eventFd) {}
  ~LoopInbox() override;
  int fd() const { return eventFd_; }
  void wake();
  // Takes connection (and wakes the loop) unless the loop is gone; then connection stays with the caller.
  bool post(std::unique_ptr<Connection>& connection);
  void post(const ClosedNotice& notice);
  void drain(std::vector<std::unique_ptr<Connection>>& out, std::vector<ClosedNotice>& notices);
  void shut();

 private:
  std::mutex mutex_;
  bool open_ = true;
  std::vector<std::unique_ptr<Connection>> arrivals_;
  std::vector<ClosedNotice> notices_;
  int eventFd_;
};

uint64_t nextRequestId();
uint64_t nextConnectionId();
int64_t monotonicMillis();

class PosixLoop : public Loop {
 public:
  PosixLoop(int epollFd, std::shared_ptr<LoopInbox> inbox);
  ~PosixLoop() override;

  Queue* createQueue(const QueueOptions& options, uint64_t queueToken, Error& error) override;
  int32_t poll(Completion* out, int32_t capacity, int32_t timeoutMillis) override;
  void wakeup() override { inbox_->wake(); }
  const char* backendName() const override { return "posix-epoll"; }
  EngineStats stats() const override;

  // Services for connections and queues (loop thread only).
  void push(uint32_t type, int32_t status, uint64_t token, uint64_t requestId, uint64_t length);
  // A send's kSendCompleted, folded into the one before it when it may be (foldSendCompleted).
  void pushSendCompleted(int32_t status, uint64_t token, uint64_t requestId, uint64_t length);
  void pushQueueClosed(PosixQueue& queue);
  const std::shared_ptr<LoopInbox>& inbox() const { return inbox_; }
  PosixQueue* findQueue(uint64_t serial) const;
  Connection* findRequest(uint64_t requestId) const;
  Connection* findConnection(uint64_t connectionId) const { return connectionIds_.find(connectionId); }
  // A connection that delivered requests to the queue of this loop with that serial has ended.
  void connectionClosed(uint64_t queueSerial, uint64_t connectionId);
  void registerRequest(uint64_t requestId, Connection* connection);
  void unregisterRequest(uint64_t requestId);
  void retire(Connection* connection);
  void settle(Connection* connection);
  void retainListener(const std::shared_ptr<ListenerSocket>& socket);
  void releaseListener(const std::shared_ptr<ListenerSocket>& socket);
  void cancelQueueRequests(PosixQueue& queue);
  void deferFlush(Connection* connection) { deferred_.push_back(connection); }
  void addLingering(Connection* connection);
  void removeLingering(Connection* connection);
  // Body reads waiting for a whole buffer's worth (Connection::awaitBodyBytes) until their
  // coalesceDeadline.
  void addCoalescing(Connection* connection);
  void removeCoalescing(Connection* connection);
  ResponseView& responseView() { return responseView_; }
  ReceiveBuffers& receiveBuffers() { return receiveBuffers_; }
  RequestSlots& requestSlots() { return requestSlots_; }
  ConnectionWorks& connectionWorks() { return connectionWorks_; }
  const ParserLimits& limits() const { return limits_; }
  // Scratch of the connections' own work, which never spans two calls: one per loop rather than
  // one per connection, so an idle connection carries none of it. The path of the head being
  // routed (Connection::routeRequest), and the iovec array of one sendmsg (OutputQueue::flush).
  CanonicalPath& canonicalPath() { return canonicalPath_; }
  std::vector<iovec>& iovScratch() { return iovScratch_; }
  int epollFd() const { return epollFd_; }
  // The monotonic clock in milliseconds as of the last wake-up: timers have second granularity,
  // so one clock read per poll serves every connection.
  int64_t now() const { return now_; }

 private:
  struct PolledListener {
    std::shared_ptr<ListenerSocket> socket;
    int users = 0;
  };
  struct RecordSlot {
    int32_t index;
    size_t offset;
  };

  void acceptAll(ListenerSocket& listener);
  void adopt(std::unique_ptr<Connection> connection);
  void adoptArrivals();
  void expireLingering(int64_t now);
  void expireCoalescing(int64_t now);
  // A step's system calls in one batch (syscall_batch.h): the head reads of connections
  // events[0, count) find readable (their EPOLLIN is cleared: the read is done), with any
  // deferred sends. Then the events are handled.
  void runStep(epoll_event* events, int count);
  void prepareSends();
  void prepareReceives(epoll_event* events, int count);
  void finishSends();
  // The deferred sends alone, in one batch.
  void flushDeferred();
  // How long the wait for events may block: not while completions wait, and no later than the
  // next tick, lingering or coalescing deadline.
  int waitTimeout(int32_t timeoutMillis, int64_t now) const;
  // The most events one wait takes: as many as the coming deliveries can carry.
  int eventCapacity(int32_t capacity, size_t sendsFinishing) const;
  void tick(int64_t now);
  int32_t deliver(Completion* out, int32_t capacity);
  bool addToEpoll(Connection* connection);

  int epollFd_;
  std::shared_ptr<LoopInbox> inbox_;
  std::unordered_map<uint64_t, std::unique_ptr<PosixQueue>> queues_;  // by serial
  ConnectionSet connections_;
  RequestTable requests_;
  RequestTable connectionIds_;  // connection id -> connection, for Queue::closeConnection
  std::unordered_map<ListenerSocket*, PolledListener> listeners_;
  std::vector<std::unique_ptr<Connection>> graveyard_;  // freed at the next poll
  std::vector<std::unique_ptr<Connection>> arrivals_;
  std::vector<ClosedNotice> notices_;
  std::vector<Connection*> lingering_;
  std::vector<Connection*> coalescing_;
  std::vector<Connection*> deferred_;   // responses to write before the next wait
  std::vector<Connection*> flushing_;
  // The step's batched system calls, and what the results belong to.
  SyscallBatch batch_;
  struct BatchedReceive {
    Connection* connection;
    size_t space;
    size_t operation;
  };
  std::vector<BatchedReceive> receives_;
  struct BatchedSend {
    size_t firstIov;
    size_t iovCount;
    uint64_t attempted;  // 0: not batched
    size_t operation;
  };
  std::vector<BatchedSend> sends_;
  std::vector<iovec> sendIov_;
  std::vector<msghdr> sendMessages_;
  std::vector<Connection*> ticking_;
  int64_t nextTick_ = 0;
  int64_t now_ = monotonicMillis();
  std::vector<Completion> pending_;  // [pendingHead_, size) not yet delivered
  size_t pendingHead_ = 0;
  std::vector<uint8_t> arena_;
  std::vector<uint8_t> scratch_;
  std::vector<RecordSlot> slots_;
  ResponseView responseView_;
  ParserLimits limits_;
  ReceiveBuffers receiveBuffers_;
  RequestSlots requestSlots_;
  ConnectionWorks connectionWorks_;
  CanonicalPath canonicalPath_;
  std::vector<iovec> iovScratch_;
};

}  // namespace hsys::posix
