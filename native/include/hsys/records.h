// The two binary records that cross the JNI boundary, shared by every backend and by Java
// (codec-bridge: RequestRecordDecoder / ResponseRecordEncoder). Little-endian, no padding
// except where stated. codec-bridge reads and writes the same layouts in Java (RecordLayout,
// RequestRecordDecoder, ResponseRecordWriter; its tests read responses back with
// ResponseRecordReader); engine_abi.h exports every size, offset and flag so Java checks them
// against this file when the library loads.
//
// Request record (written by a backend, read by Java):
//   RequestRecordHeader (88 bytes)
//   method bytes [methodLength]             e.g. "GET"
//   url bytes [urlLength]                   request target as sent: "/path?query"
//   cooked url bytes [cookedUrlLength]      the target with its path canonical (canonical_path.h),
//                                           what the request was routed on; absent (0) when that
//                                           is the target as sent
//   headerCount x { HeaderEntry (8 bytes), name bytes [nameLength], value bytes [valueLength] }
//   body bytes [bodyLength]                 the first entity bytes, if any arrived with the head
//   TlsRecord + certificate bytes           only with kRequestSecure, at offset tlsOffset
//
// Response record (written by Java, read by a backend):
//   ResponseRecordHeader (24 bytes)
//   reason bytes [reasonLength]             only with kResponseHasHead
//   headerCount x { HeaderEntry, name, value }
//   trailerCount x { HeaderEntry, name, value }  trailer fields (always by name), only on the last
//                                           send of a kResponseChunked response
//   zero padding to a multiple of 8
//   chunkCount x DataChunk (32 bytes)
//
// The engine owns the framing it writes: fields are checked (response_fields.h), a declared
// Content-Length is enforced, and chunked framing (kResponseChunked) is written by the engine,
// never carried as body bytes or a Transfer-Encoding field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace hsys {

// Request record flags.
enum RequestFlags : uint32_t {
  kRequestMoreBody = 1,   // more entity body follows: read it with Queue::receiveBody
  kRequestSecure = 2,     // arrived over TLS
  kRequestHttp2 = 4,      // arrived over HTTP/2 (no Transfer-Encoding in the response)
};

// TLS facts of a secure request (HTTP_SSL_INFO + HTTP_SSL_CLIENT_CERT_INFO), raw: Java names them.
enum TlsFlags : uint32_t {
  kTlsClientCertNegotiated = 1,  // SslClientCertNegotiated
  kTlsClientCertPresent = 2,     // certificate bytes follow (certLength > 0)
  kTlsCertDeniedByMapper = 4,    // CertDeniedByMapper
};

struct TlsRecord {
  uint32_t flags;                 // TlsFlags
  uint32_t protocol;              // SP_PROT_* of HTTP_SSL_PROTOCOL_INFO (0 = unknown)
  uint32_t cipherType;            // ALG_ID
  uint32_t cipherStrength;
  uint32_t hashType;
  uint32_t hashStrength;
  uint32_t keyExchangeType;
  uint32_t keyExchangeStrength;
  uint16_t connectionKeySize;
  uint16_t serverCertKeySize;
  uint32_t certErrorFlags;        // HTTP_SSL_CLIENT_CERT_INFO::CertFlags (CERT_TRUST_* errors; 0 = trusted)
  uint32_t certLength;            // DER bytes following this record
  uint32_t reserved;
};
static_assert(sizeof(TlsRecord) == 48, "layout");

struct SocketAddressRecord {
  uint16_t family;   // 4 or 6; 0 = unknown
  uint16_t port;     // host byte order
  uint8_t address[16];  // IPv4 in the first 4 bytes
};
static_assert(sizeof(SocketAddressRecord) == 20, "layout");

struct RequestRecordHeader {
  uint32_t recordLength;
  uint32_t flags;          // RequestFlags
  uint64_t requestId;
  uint64_t connectionId;
  uint16_t httpMajor;
  uint16_t httpMinor;
  uint16_t headerCount;
  uint16_t methodLength;
  uint32_t urlLength;
  uint32_t bodyLength;
  SocketAddressRecord remote;
  SocketAddressRecord local;
  uint32_t tlsOffset;      // offset of the TlsRecord from the record start; 0 = none
  uint32_t cookedUrlLength;  // 0: the url as sent is already canonical
};
static_assert(sizeof(RequestRecordHeader) == 88, "layout");

// kUnknownHeader: the name is given as bytes. Otherwise knownId is an HTTP_HEADER_ID
// (request or response table of header_ids.h) and nameLength is 0.
constexpr uint8_t kUnknownHeader = 0xFF;

struct HeaderEntry {
  uint8_t knownId;
  uint8_t reserved;
  uint16_t nameLength;
  uint32_t valueLength;
};
static_assert(sizeof(HeaderEntry) == 8, "layout");

// Response record flags.
enum ResponseFlags : uint32_t {
  kResponseHasHead = 1,    // status, reason and headers are present: the first send of a response
  kResponseMoreData = 2,   // more sends follow for this response
  kResponseDisconnect = 4, // close the connection once this send is done
  kResponseOpaque = 8,     // after this send the connection carries opaque bytes (after a 101)
  kResponseBufferData = 16,    // let the kernel buffer the data (HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA)
  kResponseEnableNagling = 32, // Nagle on for this send (HTTP_SEND_RESPONSE_FLAG_ENABLE_NAGLING)
  kResponseChunked = 64,   // on every send of a chunked response: the engine writes
                           // Transfer-Encoding: chunked with the head, frames each send's data
                           // as one chunk and ends the last send with the last chunk and the
                           // trailer section (an HTTP/1.0 client gets the data unframed)
};

struct ResponseRecordHeader {
  uint32_t recordLength;
  uint32_t flags;            // ResponseFlags
  uint16_t status;
  uint16_t reasonLength;
  uint16_t headerCount;
  uint16_t chunkCount;
  uint32_t cacheTtlSeconds;  // 0 = not offered to the output cache
  uint16_t trailerCount;
  uint16_t reserved;
};
static_assert(sizeof(ResponseRecordHeader) == 24, "layout");

enum ChunkKind : uint32_t {
  kChunkMemory = 0,      // handleOrAddress = address of the bytes
  kChunkFile = 1,        // handleOrAddress = file descriptor / HANDLE, offset = file offset
};

struct DataChunk {
  uint32_t kind;
  uint32_t reserved;
  uint64_t handleOrAddress;
  uint64_t offset;
  uint64_t length;
};
static_assert(sizeof(DataChunk) == 32, "layout");

// A view of a response record, checked against its length. Backends parse with this only.
struct ResponseView {
  uint32_t flags = 0;
  uint16_t status = 0;
  uint32_t cacheTtlSeconds = 0;
  std::string_view reason;
  struct Header {
    uint8_t knownId;
    std::string_view name;   // empty when knownId != kUnknownHeader
    std::string_view value;
  };
  std::vector<Header> headers;
  std::vector<Header> trailers;  // names only (knownId == kUnknownHeader)
  std::vector<DataChunk> chunks;
  int64_t contentLength = -1;    // the Content-Length field's value; -1 = none

  // Returns false (and leaves a description in whyInvalid) when the record is malformed or a
  // field breaks the rules of response_fields.h.
  bool parse(const uint8_t* record, uint32_t length, const char** whyInvalid);
  uint64_t totalChunkBytes() const;
};

// Appends a request record to a byte vector; backends fill it field by field.
class RequestRecordWriter {
 public:
  explicit RequestRecordWriter(std::vector<uint8_t>& out);

  void begin(uint64_t requestId, uint64_t connectionId, uint16_t httpMajor, uint16_t httpMinor,
             uint32_t flags, const SocketAddressRecord& remote, const SocketAddressRecord& local,
             std::string_view method, std::string_view url, std::string_view cookedUrl = {});
  void addKnownHeader(uint8_t knownId, std::string_view value);
  void addHeader(std::string_view name, std::string_view value);
  void addBody(std::string_view bytes);
  // After addBody: appends the TLS facts and certificate bytes and sets tlsOffset.
  void addTls(const TlsRecord& tls, std::string_view certificate);
  // Fixes up the lengths; returns the offset of the record inside the vector.
  size_t finish();

 private:
  std::vector<uint8_t>& out_;
  size_t start_ = 0;
  uint16_t headerCount_ = 0;
  uint32_t bodyLength_ = 0;
  uint32_t tlsOffset_ = 0;
};

}  // namespace hsys
