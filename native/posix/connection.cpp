// Connection lifecycle: construction, the loop's events and timers, the ring's bookkeeping
// (which slot holds which request, slots from the loop's pool), and the ways a connection ends
// (lingering close, abort, closeConnection from the application). The HTTP/1.1 work the events
// lead to is in request_intake.cpp, body_reader.cpp and response_sender.cpp.
#include "connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "listener_registry.h"
#include "posix_loop.h"
#include "posix_queue.h"

namespace hsys::posix {

// Every idle keep-alive connection pays for this much (plus its table entries): what only a
// request in flight needs belongs in ConnectionWork.
static_assert(sizeof(void*) != 8 || sizeof(Connection) <= 192, "keep the idle connection's core small");

namespace {

constexpr size_t kMaxLingerDrain = 1024 * 1024;

}  // namespace

Connection::Connection(int fd, uint64_t id, PortRoutes* routes, const SocketAddressRecord& remote,
                       const SocketAddressRecord& local, bool counted)
    : Pollable(Kind::kConnection), fd_(fd), counted_(counted), id_(id), routes_(routes), remote_(remote),
      local_(local) {
  if (counted_) routes_->connections.fetch_add(1, std::memory_order_relaxed);
}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
  if (counted_) routes_->connections.fetch_sub(1, std::memory_order_relaxed);
}

void Connection::attach(PosixLoop* loop) {
  loop_ = loop;
  if (loop_ != nullptr && idleSince_ == 0) idleSince_ = loop_->now();
}

int Connection::indexOf(uint64_t requestId) const {
  if (requestId == 0) return -1;
  const ConnectionWork& w = work();
  // Lookups come in request order: a send is nearly always for the slot awaiting its response,
  // a delivered record for the slot after the one found last. Then the ring is scanned.
  if (w.wire < w.count && slotAt(w.wire).requestId == requestId) return w.wire;
  int next = w.lastFound + 1;
  if (next < w.count && slotAt(next).requestId == requestId) return w.lastFound = static_cast<int8_t>(next);
  for (int i = 0; i < w.count; ++i) {
    if (slotAt(i).requestId == requestId) return w.lastFound = static_cast<int8_t>(i);
  }
  return -1;
}

PosixQueue* Connection::queueOf(uint64_t requestId) const {
  int index = indexOf(requestId);
  return index < 0 ? nullptr : slotAt(index).queue;
}

bool Connection::servesQueue(const PosixQueue* queue) const {
  for (int i = 0; i < work().count; ++i) {
    if (slotAt(i).queue == queue) return true;
  }
  return false;
}

bool Connection::hasServed(uint64_t queueSerial) const {
  if (served_.inbox != nullptr && served_.queueSerial == queueSerial) return true;
  if (!moreServed_) return false;
  return std::any_of(moreServed_->begin(), moreServed_->end(),
                     [queueSerial](const RouteTarget& target) { return target.queueSerial == queueSerial; });
}

bool Connection::hasLiveRequest() const {
  for (int i = 0; i < work().count; ++i) {
    if (slotAt(i).requestId != 0) return true;
  }
  return false;
}

bool Connection::canParse() const {
  return state_ == State::kOpen && !stopParsing_ && !work().handOffWaiting && !handOffRequested() &&
         work().count < kMaxPipeline && work().blockingId == 0 && (work().owner == 0 || work().bodyDone);
}

void Connection::forgetRequest(const Slot& slot) {
  loop_->unregisterRequest(slot.requestId);
  if (!slot.delivered && slot.queue != nullptr) --slot.queue->waiting;
}

std::unique_ptr<Connection::Slot> Connection::takeSlot() {
  loop_->requestSlots().lendOutputStorage(work().output);
  return loop_->requestSlots().take();
}

size_t Connection::requestSlotsHeld() const {
  return static_cast<size_t>(std::count_if(work().ring.begin(), work().ring.end(), [](const auto& slot) { return slot != nullptr; }));
}

std::unique_ptr<ConnectionWork> Connection::takeWork() { return loop_->connectionWorks().take(); }

const ConnectionWork& Connection::idleWork() {
  static const ConnectionWork idle;
  return idle;
}

void Connection::releaseIdleWork() {
  // Only between calls (settle), so no caller holds a reference into it.
  if (work_ && state_ == State::kOpen && work_->idle()) loop_->connectionWorks().give(work_);
}

void Connection::releaseIdleSlots() {
  // Queued output may point into a slot (its response head, its sends' framing): it goes first.
  if (work().count == 0 && !work().headParsed && work().output.empty()) giveSlots();
}

void Connection::giveBackSlots() {
  if (loop_ == nullptr || state_ != State::kClosed || !work_) return;
  giveSlots();  // closeSocket cleared the output
  loop_->receiveBuffers().give(work_->in);
  work_->begin = work_->end = 0;
  if (work_->idle()) loop_->connectionWorks().give(work_);  // else freed with the connection
}

void Connection::giveSlots() {
  if (!work_) return;
  for (std::unique_ptr<Slot>& slot : work().ring) {
    if (slot) loop_->requestSlots().give(slot);
  }
  loop_->requestSlots().takeBackOutputStorage(work().output);
}

void Connection::onEvents(uint32_t events) {
  if (events & EPOLLIN) readable_ = true;
  if (events & EPOLLOUT) writable_ = true;
  if (events & (EPOLLERR | EPOLLHUP)) {
    if (state_ == State::kLingering) {
      closeSocket(false);
      loop_->retire(this);
    } else {
      abort(kConnectionLost, true, false);
    }
    return;
  }
  if ((events & EPOLLOUT) && !work().output.empty()) {
    flushOutput();
    if (state_ == State::kClosed) return;
  }
  switch (state_) {
    case State::kOpen:
      session_->onBytesArrived((events & EPOLLRDHUP) != 0);
      break;
    case State::kOpaque:
      if (work().readPending) tryCompleteBodyRead();  // end of stream is reported as a 0-byte read
      break;
    case State::kLingering:
      drainLingering();
      break;
    case State::kClosed:
      break;
  }
  if (state_ == State::kOpen || state_ == State::kOpaque) {
    releaseIdleBuffer();
    releaseIdleSlots();
  }
}

void Connection::resumeAfterHandOff() {
  readable_ = true;
  writable_ = true;
  work().handOffWaiting = false;
  if (work().headParsed) routeRequest();
  processInput();
}

void Connection::refuseHandOff() {
  readable_ = true;
  writable_ = true;
  work().handOffWaiting = false;
  engineAnswer(503, false);
  processInput();
}

void Connection::refuse() {
  stopParsing_ = true;
  engineAnswer(503, true);
  flushOutput();
}

void Connection::onTick(int64_t now) {
  const ConnectionLimits& limits = currentLimits();
  if (!work_) {  // idle (connection_work.h): only the keep-alive timeout runs
    if (state_ == State::kOpen && now - idleSince_ >= limits.idleMillis) {
      closeSocket(false);
      loop_->retire(this);
    }
    return;
  }
  if (state_ == State::kOpen) {
    if (work().count == 0 && !work().headParsed) {
      if (work().headStarted != 0 && now - work().headStarted >= limits.headerWaitMillis) {
        engineAnswer(408, true);  // HTTP.SYS drops the connection; an answer says why
        if (state_ == State::kOpen) flushOutput();
        return;
      }
      if (work().headStarted == 0 && work().begin == work().end && now - idleSince_ >= limits.idleMillis) {
        closeSocket(false);
        loop_->retire(this);
        return;
      }
    }
    if (work().readPending && work().bodyWaitSince != 0 && now - work().bodyWaitSince >= limits.entityBodyMillis) {
      abort(kConnectionLost, true, true);
      return;
    }
  }
  if ((state_ == State::kOpen || state_ == State::kOpaque) && work().sendWindowStart != 0 && limits.minSendRate > 0) {
    // As HTTP.SYS: output may take as long as its size at the minimum rate (at least the
    // window); counted from when output started waiting, growing with every byte queued since.
    uint64_t owed = work().output.bytesQueued() - work().sendWindowBytes;
    int64_t allowed = std::max<int64_t>(limits.sendRateWindowMillis,
                                        static_cast<int64_t>(owed * 1000 / limits.minSendRate));
    if (now - work().sendWindowStart > allowed) {
      abort(kConnectionLost, true, true);
      return;
    }
  }
}

void Connection::beginLingeringClose() {
  // Send our FIN, then read and drop what the client still sends until it closes too, so a
  // reset (close() with unread input) never destroys the response on its way to the client.
  // Requests parsed behind the closing response never get one: they are reported aborted.
  failSlots(kConnectionLost, true, nullptr, 0);
  reportClosed();
  state_ = State::kLingering;
  endBodyCoalescing();  // the drain wakes at every byte
  ::shutdown(fd_, SHUT_WR);
  work().begin = work().end = 0;
  loop_->receiveBuffers().give(work().in);  // what is drained now is dropped: a small sink does
  work().lingerDeadline = loop_->now() + currentLimits().lingerMillis;
  loop_->addLingering(this);
  drainLingering();
}

void Connection::drainLingering() {
  char sink[4096];
  size_t drained = 0;
  for (;;) {
    ssize_t n = ::recv(fd_, sink, sizeof sink, 0);
    if (n > 0) {
      drained += static_cast<size_t>(n);
      if (drained > kMaxLingerDrain) break;  // it keeps sending: give up politely
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;  // wait for the client's FIN (or the deadline)
    break;  // EOF or error: done
  }
  closeSocket(false);
  loop_->retire(this);
}

void Connection::lingerExpired() {
  closeSocket(true);
  loop_->retire(this);
}

void Connection::failSlots(int32_t status, bool reportAborted, const PosixQueue* causeQueue, uint64_t causeId) {
  for (int i = 0; i < work().count; ++i) {
    Slot& slot = slotAt(i);
    if (slot.requestId == 0) continue;
    bool uniform = causeQueue == nullptr && causeId == 0;
    bool cause = uniform || slot.requestId == causeId || (causeQueue != nullptr && slot.queue == causeQueue);
    int32_t opStatus = cause ? (status == kOk ? kConnectionLost : status) : kConnectionLost;
    if (work().readPending && work().owner == slot.requestId) completeBodyRead(opStatus, 0);
    slot.sends.forEach([&](const PendingSend& pending) {
      loop_->pushSendCompleted(opStatus, pending.token, slot.requestId, 0);
    });
    slot.sends.clear();
    // The request that caused the abort knows; the others on the connection learn it here.
    if ((cause ? reportAborted : true) && slot.delivered && slot.queue != nullptr) {
      loop_->push(kRequestAborted, kConnectionLost, slot.queue->token(), slot.requestId, 0);
    }
    forgetRequest(slot);
    slot.reset();
  }
  if (work().readPending) completeBodyRead(status == kOk ? kConnectionLost : status, 0);
  work().count = work().wire = work().first = 0;
  work().owner = 0;
  work().blockingId = 0;
  work().headParsed = false;
  stopParsing_ = true;
}

void Connection::abort(int32_t status, bool reportAborted, bool reset, const PosixQueue* causeQueue,
                       uint64_t causeId) {
  if (state_ == State::kClosed) return;
  if (state_ != State::kLingering) {
    writeAcceptedOutput();
    failSlots(status, reportAborted, causeQueue, causeId);
  }
  closeSocket(reset);
  loop_->retire(this);
}

void Connection::writeAcceptedOutput() {
  // Sends are written when the loop ends its step (PosixLoop::flushDeferred); what was accepted
  // before an abort goes out first, as far as the socket takes it now, as it would have had it
  // been written at once: a client sees the part of a response that was sent, then the reset.
  if ((state_ != State::kOpen && state_ != State::kOpaque) || work().flushing || !writable_ || work().output.empty()) return;
  int code = 0;
  work().output.flush(fd_, code, loop_->iovScratch());
}

void Connection::closeSocket(bool reset) {
  if (fd_ < 0) return;
  reportClosed();
  if (reset) {
    linger option{1, 0};  // RST instead of FIN: the peer learns at once that the exchange failed
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &option, sizeof option);
  }
  stopCoalescing();
  ::epoll_ctl(loop_->epollFd(), EPOLL_CTL_DEL, fd_, nullptr);
  ::close(fd_);
  fd_ = -1;
  state_ = State::kClosed;
  if (work_) work_->output.clear();
}

void Connection::addServed(const PosixQueue& queue) {
  if (hasServed(queue.serial())) return;
  RouteTarget target{queue.serial(), loop_->inbox()};
  if (served_.inbox == nullptr) {
    served_ = std::move(target);
    return;
  }
  if (!moreServed_) moreServed_ = std::make_unique<std::vector<RouteTarget>>();
  moreServed_->push_back(std::move(target));
}

void Connection::reportClosed() {
  auto report = [this](const RouteTarget& target) {
    if (target.inbox.get() == loop_->inbox().get()) loop_->connectionClosed(target.queueSerial, id_);
    else target.inbox->post(ClosedNotice{target.queueSerial, id_});
  };
  if (served_.inbox != nullptr) report(served_);
  if (moreServed_) {
    for (const RouteTarget& target : *moreServed_) report(target);
  }
  served_ = RouteTarget();
  moreServed_.reset();
}

void Connection::closeForQueue(const PosixQueue* queue) {
  if (state_ == State::kOpaque) {
    // The upgraded stream ends after the bytes already queued (a FIN, as closing a socket does).
    if (work().readPending) completeBodyRead(kCancelled, 0);
    if (work().count > 0) {
      Slot& slot = slotAt(0);
      slot.finalQueued = true;
      slot.closeAfter = true;
      promote();
      flushOutput();
    } else {
      beginLingeringClose();
    }
    return;
  }
  if (state_ != State::kOpen) return;
  stopParsing_ = true;
  work().headParsed = false;
  work().handOffWaiting = false;
  work().parser.reset();
  int firstUnanswered = 0;
  while (firstUnanswered < work().count && slotAt(firstUnanswered).finalQueued) ++firstUnanswered;
  for (int i = firstUnanswered; i < work().count; ++i) {
    if (slotAt(i).responseStarted) {
      // Part of a response is out: ending it early must not look like a complete answer.
      abort(kCancelled, true, true, queue);
      return;
    }
  }
  dropUnansweredFrom(firstUnanswered, queue);
  if (work().count == 0) {
    beginLingeringClose();
    return;
  }
  slotAt(work().count - 1).closeAfter = true;
  promote();
  flushOutput();
}

void Connection::dropUnansweredFrom(int index, const PosixQueue* closer) {
  for (int i = index; i < work().count; ++i) {
    Slot& slot = slotAt(i);
    if (slot.requestId == 0) continue;
    if (work().readPending && work().owner == slot.requestId) completeBodyRead(kCancelled, 0);
    // Another queue's request on this connection will never be answered: tell it.
    if (slot.delivered && slot.queue != nullptr && slot.queue != closer) {
      loop_->push(kRequestAborted, kConnectionLost, slot.queue->token(), slot.requestId, 0);
    }
    forgetRequest(slot);  // undelivered ones are never delivered now
    if (work().owner == slot.requestId) work().owner = 0;
    if (work().blockingId == slot.requestId) work().blockingId = 0;
    slot.reset();
  }
  work().count = index;
  work().wire = std::min(work().wire, index);
}

}  // namespace hsys::posix
