#include "engine_harness.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstring>

#include "hsys/header_ids.h"

namespace hsys::test {

std::string ReceivedRequest::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (equalsIgnoreCase(key, name)) return value;
  }
  return "";
}

ReceivedRequest decodeRequest(const uint8_t* record, uint64_t length) {
  ReceivedRequest request;
  RequestRecordHeader head;
  if (length < sizeof head) return request;
  std::memcpy(&head, record, sizeof head);
  request.requestId = head.requestId;
  request.connectionId = head.connectionId;
  request.flags = head.flags;
  request.httpMajor = head.httpMajor;
  request.httpMinor = head.httpMinor;
  request.remote = head.remote;
  request.local = head.local;
  const char* cursor = reinterpret_cast<const char*>(record) + sizeof head;
  request.method.assign(cursor, head.methodLength);
  cursor += head.methodLength;
  request.url.assign(cursor, head.urlLength);
  cursor += head.urlLength;
  request.cookedUrl.assign(cursor, head.cookedUrlLength);
  cursor += head.cookedUrlLength;
  for (uint16_t i = 0; i < head.headerCount; ++i) {
    HeaderEntry entry;
    std::memcpy(&entry, cursor, sizeof entry);
    cursor += sizeof entry;
    std::string name = entry.knownId == kUnknownHeader
                           ? std::string(cursor, entry.nameLength)
                           : std::string(kRequestHeaderNames[entry.knownId]);
    cursor += entry.nameLength;
    request.headers.emplace_back(name, std::string(cursor, entry.valueLength));
    cursor += entry.valueLength;
  }
  request.body.assign(cursor, head.bodyLength);
  if (head.tlsOffset != 0 && head.tlsOffset + sizeof(TlsRecord) <= length) {
    request.hasTls = true;
    std::memcpy(&request.tls, record + head.tlsOffset, sizeof(TlsRecord));
    const char* der = reinterpret_cast<const char*>(record) + head.tlsOffset + sizeof(TlsRecord);
    if (head.tlsOffset + sizeof(TlsRecord) + request.tls.certLength <= length) {
      request.certificate.assign(der, request.tls.certLength);
    }
  }
  return request;
}

ResponseBuilder& ResponseBuilder::status(uint16_t code, std::string reason) {
  status_ = code;
  reason_ = std::move(reason);
  return *this;
}
ResponseBuilder& ResponseBuilder::header(std::string name, std::string value) {
  headers_.emplace_back(std::move(name), std::move(value));
  return *this;
}
ResponseBuilder& ResponseBuilder::trailer(std::string name, std::string value) {
  trailers_.emplace_back(std::move(name), std::move(value));
  return *this;
}
ResponseBuilder& ResponseBuilder::body(std::string bytes) {
  Piece piece;
  piece.bytes = std::move(bytes);
  pieces_.push_back(std::move(piece));
  return *this;
}
ResponseBuilder& ResponseBuilder::fileChunk(uint64_t handle, uint64_t offset, uint64_t length) {
  Piece piece;
  piece.file = true;
  piece.handle = handle;
  piece.offset = offset;
  piece.length = length;
  pieces_.push_back(std::move(piece));
  return *this;
}
ResponseBuilder& ResponseBuilder::flags(uint32_t extraFlags) {
  flags_ |= extraFlags;
  return *this;
}
ResponseBuilder& ResponseBuilder::bodyOnly() {
  flags_ &= ~uint32_t{kResponseHasHead};
  return *this;
}
ResponseBuilder& ResponseBuilder::cacheTtl(uint32_t seconds) {
  cacheTtl_ = seconds;
  return *this;
}

const std::vector<uint8_t>& ResponseBuilder::build() {
  record_.assign(sizeof(ResponseRecordHeader), 0);
  bool hasHead = flags_ & kResponseHasHead;
  auto append = [this](const void* data, size_t size) {
    const uint8_t* bytes = static_cast<const uint8_t*>(data);
    record_.insert(record_.end(), bytes, bytes + size);
  };
  auto appendField = [&append](uint8_t id, const std::string& name, const std::string& value) {
    HeaderEntry entry{id, 0, static_cast<uint16_t>(id == kUnknownHeader ? name.size() : 0),
                      static_cast<uint32_t>(value.size())};
    append(&entry, sizeof entry);
    if (id == kUnknownHeader) append(name.data(), name.size());
    append(value.data(), value.size());
  };
  if (hasHead) {
    append(reason_.data(), reason_.size());
    for (const auto& [name, value] : headers_) appendField(responseHeaderId(name), name, value);
  }
  for (const auto& [name, value] : trailers_) appendField(kUnknownHeader, name, value);
  while (record_.size() % 8 != 0) record_.push_back(0);
  for (const Piece& piece : pieces_) {
    DataChunk chunk = piece.file
        ? DataChunk{kChunkFile, 0, piece.handle, piece.offset, piece.length}
        : DataChunk{kChunkMemory, 0, reinterpret_cast<uint64_t>(piece.bytes.data()), 0, piece.bytes.size()};
    append(&chunk, sizeof chunk);
  }
  ResponseRecordHeader head{};
  head.recordLength = static_cast<uint32_t>(record_.size());
  head.flags = flags_;
  head.status = status_;
  head.reasonLength = static_cast<uint16_t>(hasHead ? reason_.size() : 0);
  head.headerCount = static_cast<uint16_t>(hasHead ? headers_.size() : 0);
  head.chunkCount = static_cast<uint16_t>(pieces_.size());
  head.trailerCount = static_cast<uint16_t>(trailers_.size());
  head.cacheTtlSeconds = cacheTtl_;
  std::memcpy(record_.data(), &head, sizeof head);
  return record_;
}

int32_t ResponseBuilder::sendTo(Queue* queue, uint64_t requestId, uint64_t token) {
  const std::vector<uint8_t>& record = build();
  return queue->send(requestId, record.data(), static_cast<uint32_t>(record.size()), token);
}

Harness::Harness() {
  Error error;
  loop_ = createLoop(error);
  if (!loop_) lastError = error.message;
}

Harness::~Harness() {
  if (queue_ != nullptr) {
    queue_->close();
    Completion closed;
    waitFor(kQueueClosed, queueToken_, closed, 5000);
  }
}

Queue* Harness::openQueue(uint16_t port, const QueueOptions& options) {
  Error error;
  Queue* queue = loop_->createQueue(options, queueToken_, error);
  if (queue == nullptr) {
    lastError = "createQueue: " + error.message;
    return nullptr;
  }
  queue_ = queue;
  std::string prefix = "http://127.0.0.1:" + std::to_string(port) + "/";
  if (!queue->addUrl(prefix, error)) {
    lastError = "addUrl " + prefix + ": " + error.message;
    return nullptr;
  }
  if (!queue->start(error)) {
    lastError = "start: " + error.message;
    return nullptr;
  }
  return queue;
}

bool Harness::waitFor(uint32_t type, uint64_t token, Completion& out, int timeoutMillis) {
  auto matches = [&](const Completion& c) {
    return c.type == type && (token == 0 || c.token == token);
  };
  for (size_t i = 0; i < backlog_.size(); ++i) {
    if (matches(backlog_[i])) {
      out = backlog_[i];
      backlog_.erase(backlog_.begin() + static_cast<long>(i));
      return true;
    }
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMillis);
  Completion batch[64];
  while (std::chrono::steady_clock::now() < deadline) {
    int32_t count = loop_->poll(batch, 64, 50);
    if (count < 0) {
      lastError = "poll failed with status " + std::to_string(count);
      return false;
    }
    bool found = false;
    for (int32_t i = 0; i < count; ++i) {
      Completion c = batch[i];
      if (c.type == kRequestReceived) {
        // The record dies at the next poll: decode now and keep the decoded copy.
        requestBacklog_.push_back(
            decodeRequest(reinterpret_cast<const uint8_t*>(c.address), c.length));
        c.address = 0;
      }
      if (!found && matches(c)) {
        out = c;
        found = true;
      } else {
        backlog_.push_back(c);
      }
    }
    if (found) return true;
  }
  return false;
}

bool Harness::waitForRequest(ReceivedRequest& out, int timeoutMillis) {
  Completion completion;
  if (!waitFor(kRequestReceived, 0, completion, timeoutMillis)) return false;
  for (size_t i = 0; i < requestBacklog_.size(); ++i) {
    if (requestBacklog_[i].requestId == completion.requestId) {
      out = requestBacklog_[i];
      requestBacklog_.erase(requestBacklog_.begin() + static_cast<long>(i));
      return true;
    }
  }
  return false;
}

int32_t Harness::sendAndWait(Queue* queue, uint64_t requestId, ResponseBuilder& response) {
  const std::vector<uint8_t>& record = response.build();
  uint64_t token = ++nextToken_;
  int32_t status = queue->send(requestId, record.data(), static_cast<uint32_t>(record.size()), token);
  if (status != kOk) return status;
  Completion done;
  if (!waitFor(kSendCompleted, token, done)) return kCancelled;
  return done.status;
}

Queue* Harness::openAndConnect(uint16_t port, TestConnection& client, const QueueOptions& options) {
  Queue* queue = openQueue(port, options);
  REQUIRE_MESSAGE(queue != nullptr, lastError);
  REQUIRE(client.connect(port));
  return queue;
}

ReceivedRequest Harness::request(TestConnection& client, const std::string& bytes) {
  REQUIRE(client.sendAll(bytes));
  ReceivedRequest received;
  REQUIRE(waitForRequest(received));
  return received;
}

ParsedResponse Harness::respond(Queue* queue, uint64_t requestId, ResponseBuilder& response,
                                TestConnection& client) {
  CHECK(sendAndWait(queue, requestId, response) == kOk);
  std::string raw;
  REQUIRE(client.readResponse(raw));
  ParsedResponse parsed;
  REQUIRE(parseResponse(raw, parsed));
  return parsed;
}

// At most 25 reads: each must bring bytes, so 10 bytes never need more.
void Harness::checkOpaqueEcho(Queue* queue, uint64_t requestId, TestConnection& client) {
  REQUIRE(client.sendAll("ping-bytes"));
  uint8_t buffer[64];
  std::string received;
  for (uint64_t token = 95; received.size() < 10 && token < 120; ++token) {
    REQUIRE(queue->receiveBody(requestId, buffer, sizeof buffer, token) == kOk);
    Completion done;
    REQUIRE(waitFor(kBodyReceived, token, done));
    REQUIRE(done.status == kOk);
    REQUIRE(done.length > 0);
    received.append(reinterpret_cast<char*>(buffer), done.length);
  }
  CHECK(received == "ping-bytes");
  ResponseBuilder pong;
  pong.bodyOnly().body("pong-bytes").flags(kResponseMoreData);
  CHECK(sendAndWait(queue, requestId, pong) == kOk);
  std::string echoed;
  while (echoed.size() < 10) {
    std::string part;
    if (!client.readUntilClosed(part, 200) && part.empty()) break;
    echoed += part;
  }
  CHECK(echoed == "pong-bytes");
  ResponseBuilder bye;
  bye.bodyOnly().flags(kResponseDisconnect);
  CHECK(sendAndWait(queue, requestId, bye) == kOk);
  std::string raw;
  CHECK(client.readUntilClosed(raw));
}

}  // namespace hsys::test
