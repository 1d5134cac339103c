// Request records decoded into owned strings and response records built from strings: what
// the contract tests (through the engine) and the JNI host (through the JNI library) exchange
// with a backend, as codec-bridge does in Java.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hsys/engine.h"
#include "hsys/records.h"

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
  // build(), then queue->send with this token (no wait); the send's status (kOkCopied reported as kOk).
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

// send() accepted the record: kOk, or kOkCopied when the engine copied it (posix, small responses).
inline bool accepted(int32_t sendStatus) { return sendStatus == kOk || sendStatus == kOkCopied; }

}  // namespace hsys::test
