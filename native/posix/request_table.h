// Id -> connection, for one loop (request ids, and connection ids): open addressing with linear
// probing, so registering and finishing a request allocate nothing (std::unordered_map allocates
// a node per insert). Ids are process-unique and never 0; the table grows when live + deleted
// entries pass half.
#pragma once

#include <cstdint>
#include <vector>

namespace hsys::posix {

class Connection;

class RequestTable {
 public:
  RequestTable() : slots_(64) {}

  Connection* find(uint64_t id) const {
    size_t mask = slots_.size() - 1;
    for (size_t i = hash(id) & mask;; i = (i + 1) & mask) {
      const Entry& entry = slots_[i];
      if (entry.id == id) return entry.connection;
      if (entry.id == kEmpty) return nullptr;
    }
  }

  void insert(uint64_t id, Connection* connection) {
    if ((used_ + 1) * 2 > slots_.size()) rehash(live_ * 4 > slots_.size() ? slots_.size() * 2 : slots_.size());
    size_t mask = slots_.size() - 1;
    size_t i = hash(id) & mask;
    while (slots_[i].id != kEmpty && slots_[i].id != kDeleted) i = (i + 1) & mask;
    if (slots_[i].id == kEmpty) ++used_;
    slots_[i] = Entry{id, connection};
    ++live_;
  }

  void erase(uint64_t id) {
    size_t mask = slots_.size() - 1;
    for (size_t i = hash(id) & mask;; i = (i + 1) & mask) {
      Entry& entry = slots_[i];
      if (entry.id == id) {
        entry = Entry{kDeleted, nullptr};
        --live_;
        return;
      }
      if (entry.id == kEmpty) return;
    }
  }

  size_t size() const { return live_; }

  template <typename Visit>
  void forEach(Visit visit) const {
    for (const Entry& entry : slots_) {
      if (entry.id != kEmpty && entry.id != kDeleted) visit(entry.id, entry.connection);
    }
  }

 private:
  static constexpr uint64_t kEmpty = 0;
  static constexpr uint64_t kDeleted = UINT64_MAX;
  struct Entry {
    uint64_t id = kEmpty;
    Connection* connection = nullptr;
  };

  static size_t hash(uint64_t id) { return static_cast<size_t>(id * 0x9E3779B97F4A7C15ull >> 16); }

  void rehash(size_t size) {
    std::vector<Entry> old(size);
    old.swap(slots_);
    used_ = live_ = 0;
    for (const Entry& entry : old) {
      if (entry.id != kEmpty && entry.id != kDeleted) insert(entry.id, entry.connection);
    }
  }

  std::vector<Entry> slots_;
  size_t used_ = 0;  // live + deleted
  size_t live_ = 0;
};

}  // namespace hsys::posix
