#include "receive_buffers.h"

#include <utility>

namespace hsys::posix {

std::vector<char> ReceiveBuffers::take() {
  if (free_.empty()) return std::vector<char>(kStandardSize);
  std::vector<char> buffer = std::move(free_.back());
  free_.pop_back();
  return buffer;
}

void ReceiveBuffers::give(std::vector<char>& buffer) {
  if (buffer.size() == kStandardSize && buffer.capacity() == kStandardSize && free_.size() < kMaxFree) {
    free_.push_back(std::move(buffer));
  }
  buffer = std::vector<char>();  // frees a grown buffer; leaves the connection holding nothing
}

}  // namespace hsys::posix
