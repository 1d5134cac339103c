// The connections a loop owns: a vector of owners, each connection remembering its place, so
// adding and removing one is O(1) and costs a loop 8 bytes a connection (an unordered_map
// spent a 32-byte node and a bucket on each, paid by every idle keep-alive connection).
// Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "connection.h"

namespace hsys::posix {

class ConnectionSet {
 public:
  Connection* add(std::unique_ptr<Connection> connection) {
    connection->setIndex_ = static_cast<uint32_t>(owners_.size());
    owners_.push_back(std::move(connection));
    return owners_.back().get();
  }

  bool contains(const Connection* connection) const {
    return connection->setIndex_ < owners_.size() && owners_[connection->setIndex_].get() == connection;
  }

  // Takes connection out (null when it is not here); the last one takes its place.
  std::unique_ptr<Connection> take(Connection* connection) {
    if (!contains(connection)) return nullptr;
    size_t index = connection->setIndex_;
    std::unique_ptr<Connection> owned = std::move(owners_[index]);
    if (index + 1 != owners_.size()) {
      owners_[index] = std::move(owners_.back());
      owners_[index]->setIndex_ = static_cast<uint32_t>(index);
    }
    owners_.pop_back();
    return owned;
  }

  size_t size() const { return owners_.size(); }
  bool empty() const { return owners_.empty(); }
  void clear() { owners_.clear(); }
  auto begin() const { return owners_.begin(); }
  auto end() const { return owners_.end(); }

 private:
  std::vector<std::unique_ptr<Connection>> owners_;
};

}  // namespace hsys::posix
