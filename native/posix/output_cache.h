// The native output cache, as HTTP.SYS's kernel response cache: a whole 200 response to a GET,
// sent in one call with cacheTtlSeconds > 0, is kept per process and later GETs (and HEADs) of
// the same queue, host and URL are answered by the engine without reaching the queue until the
// TTL ends. The Date header is refreshed on every hit.
//
// Eligible: GET request without Authorization or Range and without a body; status 200; no
// kResponseMoreData/kResponseOpaque/kResponseDisconnect; at most kMaxEntryBytes (file chunks are
// read into the entry); no Set-Cookie, no "Vary: *", no Connection: close in the response.
//
// Threading: any loop may store or look up (a connection's loop need not be the queue's); a
// mutex guards the map, and an empty cache costs one relaxed atomic load per request.
// Entries are shared_ptr so a connection writing one keeps it alive after it is replaced.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hsys/records.h"

namespace hsys::posix {

struct CachedResponse {
  std::string head;   // status line and headers, Content-Length included, without Date and the blank line
  std::string body;
  int64_t expiresAtMillis = 0;
};

class OutputCache {
 public:
  static constexpr uint64_t kMaxEntryBytes = 256 * 1024;
  static constexpr uint64_t kMaxTotalBytes = 64 * 1024 * 1024;

  static OutputCache& instance();

  // Builds the key of a request into out (reused buffer): queue serial, host without port, target.
  static void makeKey(uint64_t queueSerial, std::string_view host, std::string_view target, std::string& out);

  // The live entry for key, or null. Expired entries are dropped here.
  std::shared_ptr<const CachedResponse> find(const std::string& key, int64_t nowMillis);
  // Stores view (already checked eligible by the caller for the request side) if the response
  // side is eligible; returns whether it was stored.
  bool store(const std::string& key, const ResponseView& view, int64_t nowMillis);
  // Forgets every entry of a queue (it closed: its URLs may be served by someone else next).
  void dropQueue(uint64_t queueSerial);
  // Entries and bytes held now (for EngineStats).
  void measure(uint64_t& entries, uint64_t& bytes);

 private:
  std::mutex mutex_;
  std::atomic<size_t> entries_{0};
  uint64_t totalBytes_ = 0;
  int64_t nextPurgeMillis_ = 0;
  std::unordered_map<std::string, std::shared_ptr<const CachedResponse>> map_;
};

}  // namespace hsys::posix
