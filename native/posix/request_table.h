// Id -> connection, for one loop (request ids, and connection ids): open addressing with linear
// probing, so registering and finishing a request allocate nothing (std::unordered_map allocates
// a node per insert). Ids are process-unique and never 0; the table grows when live entries pass
// half. An erase moves the entries after it back (no tombstones), so the probe runs stay as short
// as the live entries make them and requests coming and going never force a rehash.
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
    if ((live_ + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
    size_t mask = slots_.size() - 1;
    size_t i = hash(id) & mask;
    while (slots_[i].id != kEmpty) i = (i + 1) & mask;
    slots_[i] = Entry{id, connection};
    ++live_;
  }

  void erase(uint64_t id) {
    if (id == kEmpty) return;
    size_t mask = slots_.size() - 1;
    size_t hole = hash(id) & mask;
    for (;; hole = (hole + 1) & mask) {
      if (slots_[hole].id == id) break;
      if (slots_[hole].id == kEmpty) return;
    }
    // Backward shift: an entry after the hole moves into it unless its home lies cyclically in
    // (hole, entry], where a lookup reaches it without passing the hole.
    for (size_t next = (hole + 1) & mask; slots_[next].id != kEmpty; next = (next + 1) & mask) {
      size_t home = hash(slots_[next].id) & mask;
      bool reachable = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
      if (!reachable) {
        slots_[hole] = slots_[next];
        hole = next;
      }
    }
    slots_[hole] = Entry{};
    --live_;
  }

  size_t size() const { return live_; }

  template <typename Visit>
  void forEach(Visit visit) const {
    for (const Entry& entry : slots_) {
      if (entry.id != kEmpty) visit(entry.id, entry.connection);
    }
  }

 private:
  static constexpr uint64_t kEmpty = 0;
  struct Entry {
    uint64_t id = kEmpty;
    Connection* connection = nullptr;
  };

  static size_t hash(uint64_t id) { return static_cast<size_t>(id * 0x9E3779B97F4A7C15ull >> 16); }

  void rehash(size_t size) {
    std::vector<Entry> old(size);
    old.swap(slots_);
    live_ = 0;
    for (const Entry& entry : old) {
      if (entry.id != kEmpty) insert(entry.id, entry.connection);
    }
  }

  std::vector<Entry> slots_;
  size_t live_ = 0;
};

}  // namespace hsys::posix
