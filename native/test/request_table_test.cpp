// The posix engine's id table (request_table.h) against std::unordered_map: ids as the engine
// hands them out (sequential, with gaps), inserted and erased in random order. Clusters form and
// wrap around the table's end, so the backward-shift erase moves entries along every path.
#ifndef _WIN32

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <unordered_map>
#include <vector>

#include "request_table.h"

using hsys::posix::Connection;
using hsys::posix::RequestTable;

namespace {

Connection* connectionFor(uint64_t id) { return reinterpret_cast<Connection*>(static_cast<uintptr_t>(id * 16 + 8)); }

void checkSame(const RequestTable& table, const std::unordered_map<uint64_t, Connection*>& model, uint64_t maxId) {
  REQUIRE(table.size() == model.size());
  for (uint64_t id = 1; id <= maxId; ++id) {
    auto found = model.find(id);
    REQUIRE_MESSAGE(table.find(id) == (found == model.end() ? nullptr : found->second), "id " << id);
  }
  size_t visited = 0;
  table.forEach([&](uint64_t id, Connection* connection) {
    ++visited;
    CHECK(model.at(id) == connection);
  });
  CHECK(visited == model.size());
}

}  // namespace

TEST_CASE("request table: random inserts and erases agree with a map, through growth and wrap-around") {
  std::mt19937_64 random(20261205);
  RequestTable table;
  std::unordered_map<uint64_t, Connection*> model;
  std::vector<uint64_t> live;
  uint64_t nextId = 1;
  for (int round = 0; round < 20000; ++round) {
    bool insert = live.empty() || (live.size() < 700 && random() % 100 < 55);
    if (insert) {
      uint64_t id = nextId;
      nextId += 1 + random() % 3;  // mostly sequential, as the engine's ids
      table.insert(id, connectionFor(id));
      model[id] = connectionFor(id);
      live.push_back(id);
    } else {
      size_t pick = random() % live.size();
      uint64_t id = live[pick];
      live[pick] = live.back();
      live.pop_back();
      table.erase(id);
      model.erase(id);
    }
    if (round % 997 == 0) checkSame(table, model, nextId);
  }
  checkSame(table, model, nextId);
  for (uint64_t id : live) table.erase(id);
  CHECK(table.size() == 0);
  table.erase(0);  // never an id: nothing happens
  table.erase(nextId + 5);
  CHECK(table.size() == 0);
}
#endif
