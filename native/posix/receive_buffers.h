// Receive buffers of a loop's connections. A connection holds one only while it has bytes to
// keep (a head being parsed, an undelivered head, pipelined bytes, chunk framing of a body being
// read); an idle keep-alive connection gives its buffer back, so 10,000 idle connections hold
// none. Given-back buffers of the standard size wait in a small free list for the next
// connection that reads; larger ones (grown for a long head) are freed.
//
// Loop thread only; a buffer is plain memory, so a connection handed to another loop gives its
// buffer back to that loop's pool.
#pragma once

#include <cstddef>
#include <vector>

namespace hsys::posix {

class ReceiveBuffers {
 public:
  static constexpr size_t kStandardSize = 8 * 1024;
  // At most 8 MB waiting per loop: as many as connections hold at once under load (bounded by
  // the poll's back-pressure: requests not yet taken keep theirs), so no request allocates one
  // in steady state; with 64, 10,000 busy connections spent 9% of the loop in malloc and zeroing.
  static constexpr size_t kMaxFree = 1024;

  // A buffer of kStandardSize bytes (contents undefined).
  std::vector<char> take();
  // Takes buffer back (leaving it empty).
  void give(std::vector<char>& buffer);
  // Bytes waiting in the free list.
  size_t freeBytes() const { return free_.size() * kStandardSize; }

 private:
  std::vector<std::vector<char>> free_;
};

}  // namespace hsys::posix
