// Drives a Loop from a test: builds response records, decodes request records and polls until
// an expected completion arrives, so each contract test reads as client steps and assertions.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hsys/engine.h"
#include "hsys/records.h"
#include "test_client.h"

namespace hsys::test {

// A request record decoded into owned strings (the record itself dies at the next poll).
struct ReceivedRequest {
  uint64_t requestId = 0;
  uint64_t connectionId = 0;
  uint32_t flags = 0;
  uint16_t httpMajor = 0, httpMinor = 0;
  std::string method, url, body;
  std::string cookedUrl;       // the target with its path canonical; empty when url is
  const std::string& routedUrl() const { return cookedUrl.empty() ? url : cookedUrl; }
  std::vector<std::pair<std::string, std::string>> headers;  // known ids resolved to names
  SocketAddressRecord remote{}, local{};
  bool hasTls = false;         // the record carries a TlsRecord (tlsOffset != 0)
  TlsRecord tls{};
  std::string certificate;     // DER bytes after the TlsRecord
  std::string header(const std::string& name) const;  // case-insensitive, "" if absent
};
ReceivedRequest decodeRequest(const uint8_t* record, uint64_t length);

// Builds a response record whose memory chunks point into strings this object owns; keep it
// alive until the send completes.
class ResponseBuilder {
 public:
  ResponseBuilder& status(uint16_t code, std::string reason);
  ResponseBuilder& header(std::string name, std::string value);  // known names become ids
  ResponseBuilder& trailer(std::string name, std::string value);  // always by name
  ResponseBuilder& body(std::string bytes);                      // one memory chunk each call
  // A file chunk: handle is a Windows HANDLE or a file descriptor, as the backend expects.
  ResponseBuilder& fileChunk(uint64_t handle, uint64_t offset, uint64_t length);
  ResponseBuilder& flags(uint32_t extraFlags);                   // kResponseMoreData, ...
  ResponseBuilder& bodyOnly();                                   // a later send: no head
  ResponseBuilder& cacheTtl(uint32_t seconds);
  const std::vector<uint8_t>& build();
  // build(), then queue->send with this token (no wait); the send's status.
  int32_t sendTo(Queue* queue, uint64_t requestId, uint64_t token);

 private:
  uint16_t status_ = 200;
  std::string reason_ = "OK";
  std::vector<std::pair<std::string, std::string>> headers_;
  std::vector<std::pair<std::string, std::string>> trailers_;
  struct Piece {
    std::string bytes;  // memory chunk
    bool file = false;
    uint64_t handle = 0, offset = 0, length = 0;
  };
  std::vector<Piece> pieces_;
  uint32_t flags_ = kResponseHasHead;
  uint32_t cacheTtl_ = 0;
  std::vector<uint8_t> record_;
};

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
