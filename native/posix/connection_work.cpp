#include "connection_work.h"

#include <utility>

namespace hsys::posix {

bool ConnectionWork::idle() const {
  for (const auto& slot : ring) {
    if (slot) return false;
  }
  return in.capacity() == 0 && begin == end && readErrno == 0 && count == 0 && !headParsed && !handOffWaiting &&
         handOff.inbox == nullptr && blockingId == 0 && owner == 0 && !readPending && !coalescing && receiveLowWater == 1 && output.empty() &&
         !output.hasStorage() && !flushing && !parsing && headStarted == 0 && bodyWaitSince == 0 &&
         sendWindowStart == 0 && lingerDeadline == 0;
}

std::unique_ptr<ConnectionWork> ConnectionWorks::take() {
  if (free_.empty()) return std::make_unique<ConnectionWork>();
  std::unique_ptr<ConnectionWork> work = std::move(free_.back());
  free_.pop_back();
  return work;
}

void ConnectionWorks::give(std::unique_ptr<ConnectionWork>& work) {
  if (!work) return;
  if (free_.size() < kMaxFree) {
    *work = ConnectionWork();  // idle: nothing with capacity is left to keep
    free_.push_back(std::move(work));
  }
  work.reset();
}

}  // namespace hsys::posix
