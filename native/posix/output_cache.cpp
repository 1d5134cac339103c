#include "output_cache.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "hsys/header_ids.h"
#include "response_writer.h"

namespace hsys::posix {

namespace {

bool responseCacheable(const ResponseView& view) {
  if (!(view.flags & kResponseHasHead) || view.status != 200) return false;
  if (view.flags & (kResponseMoreData | kResponseOpaque | kResponseDisconnect | kResponseChunked)) return false;
  if (view.totalChunkBytes() > OutputCache::kMaxEntryBytes) return false;
  for (const ResponseView::Header& header : view.headers) {
    uint8_t id = header.knownId == kUnknownHeader ? responseHeaderId(header.name) : header.knownId;
    // Keyed by URL alone: a response chosen by request headers (Vary) or carrying one client's
    // cookie must not be handed to every client.
    if (id == kResponseHeaderSetCookie || id == kHeaderConnection || id == kResponseHeaderVary) return false;
  }
  return true;
}

}  // namespace

OutputCache& OutputCache::instance() {
  static OutputCache* cache = new OutputCache();  // never destroyed: loops may outlive statics
  return *cache;
}

void OutputCache::makeKey(uint64_t queueSerial, std::string_view host, std::string_view target, std::string& out) {
  size_t colon = host.rfind(':');
  if (colon != std::string_view::npos && host.find(']', colon) == std::string_view::npos) host = host.substr(0, colon);
  // Sized once and filled in place: this runs for every GET.
  out.resize(sizeof queueSerial + host.size() + 1 + target.size());
  char* at = out.data();
  std::memcpy(at, &queueSerial, sizeof queueSerial);
  at += sizeof queueSerial;
  for (char c : host) *at++ = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  *at++ = '\0';
  std::memcpy(at, target.data(), target.size());
}

std::shared_ptr<const CachedResponse> OutputCache::find(const std::string& key, int64_t nowMillis) {
  if (entries_.load(std::memory_order_relaxed) == 0) return nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = map_.find(key);
  if (found == map_.end()) return nullptr;
  if (found->second->expiresAtMillis <= nowMillis) {
    totalBytes_ -= found->second->head.size() + found->second->body.size();
    map_.erase(found);
    entries_.store(map_.size(), std::memory_order_relaxed);
    return nullptr;
  }
  return found->second;
}

bool OutputCache::store(const std::string& key, const ResponseView& view, int64_t nowMillis) {
  if (view.cacheTtlSeconds == 0 || !responseCacheable(view)) return false;
  auto entry = std::make_shared<CachedResponse>();
  // The head as the engine writes it for a keep-alive HTTP/1.1 client, minus Date (refreshed
  // per hit) and the blank line.
  ResponseContext context;
  ResponseDecision decision;
  if (buildResponseHead(view, context, entry->head, decision) != nullptr || decision.close) return false;
  entry->head.resize(entry->head.size() - 2);
  size_t date = entry->head.find("\r\nDate: ");
  if (date != std::string::npos) entry->head.erase(date, entry->head.find("\r\n", date + 2) - date);
  entry->body.reserve(view.totalChunkBytes());
  for (const DataChunk& chunk : view.chunks) {
    if (chunk.kind == kChunkMemory) {
      entry->body.append(reinterpret_cast<const char*>(static_cast<uintptr_t>(chunk.handleOrAddress)),
                         static_cast<size_t>(chunk.length));
      continue;
    }
    // A file chunk is read once now (at most kMaxEntryBytes); a short file is not cached.
    size_t at = entry->body.size();
    entry->body.resize(at + static_cast<size_t>(chunk.length));
    size_t done = 0;
    while (done < chunk.length) {
      ssize_t n = ::pread(static_cast<int>(chunk.handleOrAddress), &entry->body[at + done],
                          static_cast<size_t>(chunk.length) - done, static_cast<off_t>(chunk.offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
  }
  entry->expiresAtMillis = nowMillis + static_cast<int64_t>(view.cacheTtlSeconds) * 1000;
  uint64_t size = entry->head.size() + entry->body.size();
  std::lock_guard<std::mutex> lock(mutex_);
  // Expired entries go at most once a second (and whenever room is needed), so memory follows
  // what is live, not what was ever cached; when the cache is still full the response is not kept.
  if (totalBytes_ + size > kMaxTotalBytes || nowMillis >= nextPurgeMillis_) {
    nextPurgeMillis_ = nowMillis + 1000;
    for (auto it = map_.begin(); it != map_.end();) {
      if (it->second->expiresAtMillis <= nowMillis) {
        totalBytes_ -= it->second->head.size() + it->second->body.size();
        it = map_.erase(it);
      } else {
        ++it;
      }
    }
    if (totalBytes_ + size > kMaxTotalBytes) return false;
  }
  auto& slot = map_[key];
  if (slot) totalBytes_ -= slot->head.size() + slot->body.size();
  slot = std::move(entry);
  totalBytes_ += size;
  entries_.store(map_.size(), std::memory_order_relaxed);
  return true;
}

void OutputCache::dropQueue(uint64_t queueSerial) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = map_.begin(); it != map_.end();) {
    uint64_t serial;
    std::memcpy(&serial, it->first.data(), sizeof serial);
    if (serial == queueSerial) {
      totalBytes_ -= it->second->head.size() + it->second->body.size();
      it = map_.erase(it);
    } else {
      ++it;
    }
  }
  entries_.store(map_.size(), std::memory_order_relaxed);
}

void OutputCache::measure(uint64_t& entries, uint64_t& bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries = map_.size();
  bytes = totalBytes_;
}

}  // namespace hsys::posix
