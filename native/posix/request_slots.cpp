#include "request_slots.h"

#include <utility>

namespace hsys::posix {

PendingSend& SendList::emplaceBack() {
  if (!empty()) return more_.emplace_back();
  firstUsed_ = true;
  first_.token = first_.length = first_.endMark = 0;
  first_.staged = first_.opaque = false;
  first_.framing.clear();
  return first_;
}

void SendList::popFront() {
  if (firstUsed_) firstUsed_ = false;
  else more_.pop_front();
}

void SendList::clear() {
  firstUsed_ = false;
  if (!more_.empty()) more_.clear();  // clear() walks the deque's nodes even when it is empty
}

void RequestSlot::reset() {
  inlineBody = 0;
  requestId = 0;
  queue = nullptr;
  delivered = false;
  responseStarted = false;
  finalQueued = false;
  dropBody = false;
  closeAfter = false;
  resetAfter = false;
  chunked = false;
  declaredLength = -1;
  bodySent = 0;
  sends.clear();
  staged.clear();
  cached.reset();
}

std::unique_ptr<RequestSlot> RequestSlots::take() {
  if (free_.empty()) return std::make_unique<RequestSlot>();
  std::unique_ptr<RequestSlot> slot = std::move(free_.back());
  free_.pop_back();
  return slot;
}

void RequestSlots::lendOutputStorage(OutputQueue& output) {
  if (output.hasStorage() || freeOutputStorage_.empty()) return;  // without: it allocates its own
  output.adoptStorage(freeOutputStorage_.back());
  freeOutputStorage_.pop_back();
}

void RequestSlots::takeBackOutputStorage(OutputQueue& output) {
  if (!output.hasStorage() || !output.empty()) return;
  std::vector<OutputQueue::Segment> storage;
  output.releaseStorage(storage);
  if (freeOutputStorage_.size() < kMaxFree) freeOutputStorage_.push_back(std::move(storage));
}

void RequestSlots::give(std::unique_ptr<RequestSlot>& slot) {
  if (!slot) return;
  if (free_.size() < kMaxFree) {
    slot->reset();
    free_.push_back(std::move(slot));
  }
  slot.reset();
}

}  // namespace hsys::posix
