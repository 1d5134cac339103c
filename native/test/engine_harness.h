// Drives a Loop from a test: polls until an expected completion arrives and pairs client steps
// with records (test_records.h), so each contract test reads as client steps and assertions.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hsys/engine.h"
#include "test_client.h"
#include "test_records.h"

namespace hsys::test {

class Harness {
 public:
  Harness();
  ~Harness();
  Loop& loop() { return *loop_; }
  // Opens a queue on http://127.0.0.1:<port>/ (plus extra prefixes) and starts it.
  Queue* openQueue(uint16_t port, const QueueOptions& options = {});
  // Polls until a completion of the given type (and token, when nonzero) arrives or the
  // timeout passes; earlier completions of other kinds are kept for later waits.
  bool waitFor(uint32_t type, uint64_t token, Completion& out, int timeoutMillis = 5000);
  // waitFor(kRequestReceived) and decode it.
  bool waitForRequest(ReceivedRequest& out, int timeoutMillis = 5000);
  // Sends a record and waits for its kSendCompleted; returns the completion status.
  int32_t sendAndWait(Queue* queue, uint64_t requestId, ResponseBuilder& response);

  // The steps most contract tests share. Each REQUIREs its step, so a failed step stops the
  // test where it failed, as the inline steps did.
  // openQueue(port, options), then connect client to it.
  Queue* openAndConnect(uint16_t port, TestConnection& client, const QueueOptions& options = {});
  // Sends raw request bytes from client and returns the decoded request record.
  ReceivedRequest request(TestConnection& client, const std::string& bytes);
  // sendAndWait (CHECKed to be kOk), then reads and parses the response client receives.
  ParsedResponse respond(Queue* queue, uint64_t requestId, ResponseBuilder& response, TestConnection& client);
  // After an accepted upgrade (101, kResponseOpaque): "ping-bytes" from the client arrive
  // through receiveBody, "pong-bytes" go back as a body-only send, and a kResponseDisconnect
  // send closes the connection. Every backend that supports upgrades must pass these checks.
  void checkOpaqueEcho(Queue* queue, uint64_t requestId, TestConnection& client);
  std::string lastError;

 private:
  std::unique_ptr<Loop> loop_;
  std::vector<Completion> backlog_;
  std::vector<ReceivedRequest> requestBacklog_;
  uint64_t nextToken_ = 1000;
  Queue* queue_ = nullptr;
  uint64_t queueToken_ = 1;
};

}  // namespace hsys::test
