// libFuzzer harness for the whole posix engine behind a real socket: the input is sent to a
// listening queue over loopback in up to three writes, and a scripted handler answers every
// request (reading bodies, answering out of order, streaming, asking for the cache) with
// choices taken from the input (status, chunked framing, a Content-Length that may disagree with
// the body). Catches what the parser harness cannot: the pipelining ring, buffer compaction,
// staged responses, engine answers, framing enforcement and aborts, under ASan/UBSan.
// Built and run by scripts/fuzz-native.sh.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hsys/engine.h"
#include "hsys/records.h"

using namespace hsys;

namespace {

struct Engine {
  std::unique_ptr<Loop> loop;
  Queue* queue = nullptr;
  uint16_t port = 0;
};

Engine& engine() {
  static Engine* instance = [] {
    auto* e = new Engine();
    Error error;
    e->loop = createLoop(error);
    if (!e->loop) __builtin_trap();
    QueueOptions options;
    options.maxRequestBodyBytes = 4096;
    options.receiveBufferSize = 256;  // small: bodies span records and reads
    e->queue = e->loop->createQueue(options, 1, error);
    for (uint16_t port = 41000; port < 41100 && e->port == 0; ++port) {
      if (e->queue->addUrl("http://127.0.0.1:" + std::to_string(port) + "/", error)) e->port = port;
    }
    if (e->port == 0 || !e->queue->start(error)) __builtin_trap();
    return e;
  }();
  return *instance;
}

// A response record with one memory chunk; the record and body live until the send completes.
struct PendingSend {
  std::vector<uint8_t> record;
  std::string body;
};

// declaredLength >= 0 adds a Content-Length field (which may disagree with the body: the engine
// must then refuse or reset, never write past it).
std::vector<uint8_t> buildRecord(uint32_t flags, uint16_t status, uint32_t ttl, const std::string& body,
                                 int64_t declaredLength) {
  std::vector<uint8_t> record(sizeof(ResponseRecordHeader), 0);
  uint16_t headerCount = 0;
  if (declaredLength >= 0) {
    std::string value = std::to_string(declaredLength);
    HeaderEntry entry{11, 0, 0, static_cast<uint32_t>(value.size())};  // Content-Length
    const uint8_t* bytes = reinterpret_cast<const uint8_t*>(&entry);
    record.insert(record.end(), bytes, bytes + sizeof entry);
    record.insert(record.end(), value.begin(), value.end());
    headerCount = 1;
  }
  while (record.size() % 8 != 0) record.push_back(0);
  DataChunk chunk{kChunkMemory, 0, reinterpret_cast<uint64_t>(body.data()), 0, body.size()};
  const uint8_t* raw = reinterpret_cast<const uint8_t*>(&chunk);
  if (!body.empty()) record.insert(record.end(), raw, raw + sizeof chunk);
  ResponseRecordHeader head{};
  head.recordLength = static_cast<uint32_t>(record.size());
  head.flags = flags;
  head.status = status;
  head.chunkCount = body.empty() ? 0 : 1;
  head.headerCount = headerCount;
  head.cacheTtlSeconds = ttl;
  std::memcpy(record.data(), &head, sizeof head);
  return record;
}

class Script {
 public:
  Script(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t next() { return size_ == 0 ? 0 : data_[position_++ % size_]; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > 16 * 1024) return 0;
  Engine& e = engine();
  Script script(data, size);
  int client = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(e.port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address);  // EINPROGRESS on loopback is brief

  const uint8_t* wire = data + 1;
  size_t wireSize = size - 1;
  size_t cuts[2] = {wireSize * (data[0] & 3) / 4, wireSize * ((data[0] >> 2) & 3) / 4};
  if (cuts[1] < cuts[0]) std::swap(cuts[0], cuts[1]);
  size_t sent = 0;
  // Records and read buffers must outlive their completions, which may come in a later input.
  static std::map<uint64_t, std::unique_ptr<PendingSend>> sends;
  static std::vector<uint8_t> bodyBuffer(64);
  static uint64_t token = 100;
  std::vector<uint64_t> waiting;  // requests not answered yet
  int quiet = 0;
  Completion completions[64];
  for (int round = 0; round < 400 && quiet < 4; ++round) {
    // Feed the next piece of the input.
    size_t limit = round == 0 ? cuts[0] : round == 1 ? cuts[1] : wireSize;
    while (sent < limit) {
      ssize_t n = ::send(client, wire + sent, limit - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    char sink[65536];
    while (::recv(client, sink, sizeof sink, 0) > 0) {
    }
    int count = e.loop->poll(completions, 64, 1);
    if (count < 0) __builtin_trap();
    quiet = count == 0 && sent == wireSize ? quiet + 1 : 0;
    for (int i = 0; i < count; ++i) {
      const Completion& c = completions[i];
      if (c.type == kRequestReceived) {
        RequestRecordHeader head;
        if (c.length < sizeof head) __builtin_trap();
        std::memcpy(&head, reinterpret_cast<const void*>(c.address), sizeof head);
        if (head.recordLength != c.length || head.requestId != c.requestId) __builtin_trap();
        if (head.flags & kRequestMoreBody) {
          e.queue->receiveBody(c.requestId, bodyBuffer.data(), static_cast<uint32_t>(bodyBuffer.size()), token++);
        }
        waiting.push_back(c.requestId);
      } else if (c.type == kBodyReceived && c.status == kOk && c.length > 0) {
        e.queue->receiveBody(c.requestId, bodyBuffer.data(), static_cast<uint32_t>(bodyBuffer.size()), token++);
      } else if (c.type == kSendCompleted) {
        sends.erase(c.token);
      } else if (c.type == kRequestAborted) {
        for (size_t k = 0; k < waiting.size(); ++k) {
          if (waiting[k] == c.requestId) waiting.erase(waiting.begin() + static_cast<long>(k));
        }
      }
    }
    // Answer some waiting requests, in an order and shape the input picks.
    while (!waiting.empty() && (script.next() & 1)) {
      size_t pick = script.next() % waiting.size();
      uint64_t id = waiting[pick];
      waiting.erase(waiting.begin() + static_cast<long>(pick));
      uint8_t shape = script.next();
      auto send = std::make_unique<PendingSend>();
      send->body = std::string(static_cast<size_t>(shape % 40), 'b');
      uint32_t flags = kResponseHasHead | ((shape & 0x40) ? kResponseDisconnect : 0u) |
                       ((shape & 0x10) ? kResponseChunked : 0u);
      uint16_t status = (shape & 0x80) ? 404 : (shape & 0x02) ? 205 : 200;
      int64_t declared = (shape & 0x08) ? std::max<int64_t>(0, static_cast<int64_t>(send->body.size()) + (shape & 0x06) - 2)
                                        : -1;  // from two short of the body to four past it
      send->record = buildRecord(flags, status, (shape & 0x20) ? 1 : 0, send->body, declared);
      uint64_t sendToken = token++;
      // Kept until its completion unless the engine copied it: a copied send's memory is freed at
      // once, so a sanitizer build catches an engine that still reads it.
      if (e.queue->send(id, send->record.data(), static_cast<uint32_t>(send->record.size()), sendToken) == kOk) {
        sends.emplace(sendToken, std::move(send));
      }
    }
  }
  ::close(client);
  // Let the engine see the close and finish everything; then the records may go.
  for (int round = 0; round < 20; ++round) {
    int count = e.loop->poll(completions, 64, round < 2 ? 1 : 0);
    if (count < 0) __builtin_trap();
    for (int i = 0; i < count; ++i) {
      if (completions[i].type == kRequestReceived) e.queue->cancel(completions[i].requestId);
      if (completions[i].type == kSendCompleted) sends.erase(completions[i].token);
    }
  }
  for (uint64_t id : waiting) e.queue->cancel(id);
  for (int round = 0; round < 5; ++round) {
    int count = e.loop->poll(completions, 64, 0);
    for (int i = 0; i < count; ++i) {
      if (completions[i].type == kSendCompleted) sends.erase(completions[i].token);
    }
  }
  return 0;
}
