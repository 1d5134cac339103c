#include "engine_harness.h"

#include <doctest/doctest.h>

#include <chrono>

namespace hsys::test {

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
  if (!accepted(status)) return status;
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
