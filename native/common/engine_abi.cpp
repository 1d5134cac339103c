#include "hsys/engine_abi.h"

#include <cstddef>

#include "hsys/engine.h"
#include "hsys/header_ids.h"
#include "hsys/records.h"

namespace hsys {
namespace {

class TableBuilder {
 public:
  void add(const char* name, long long value) { text_ += std::string(name) + "=" + std::to_string(value) + "\n"; }
  void add(const std::string& name, std::string_view value) {
    text_ += name;
    text_ += '=';
    text_ += value;
    text_ += '\n';
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

#define HSYS_FACT(table, value) (table).add(#value, static_cast<long long>(value))
#define HSYS_SIZE(table, type) (table).add(#type ".size", static_cast<long long>(sizeof(type)))
#define HSYS_OFFSET(table, type, field) (table).add(#type "." #field, static_cast<long long>(offsetof(type, field)))

std::string buildTable() {
  TableBuilder t;
  HSYS_SIZE(t, Completion);
  HSYS_FACT(t, kRequestReceived);
  HSYS_FACT(t, kSendCompleted);
  HSYS_FACT(t, kBodyReceived);
  HSYS_FACT(t, kQueueClosed);
  HSYS_FACT(t, kRequestAborted);
  HSYS_FACT(t, kConnectionClosed);
  HSYS_FACT(t, kOk);
  HSYS_FACT(t, kOkCopied);
  HSYS_FACT(t, kCancelled);
  HSYS_FACT(t, kConnectionLost);
  HSYS_FACT(t, kInvalidArgument);
  HSYS_FACT(t, kNoSuchRequest);
  HSYS_FACT(t, kBusy);
  HSYS_FACT(t, kSystemError);
  HSYS_FACT(t, kUnsupported);
  HSYS_FACT(t, kMalformedBody);
  HSYS_FACT(t, kQueueCreate);
  HSYS_FACT(t, kQueueAttach);
  HSYS_FACT(t, kQueueCreateOrAttach);
  HSYS_FACT(t, kOptMode);
  HSYS_FACT(t, kOptReceiveBufferSize);
  HSYS_FACT(t, kOptPendingReceives);
  HSYS_FACT(t, kOptQueueLength);
  HSYS_FACT(t, kOptMaxRequestBodyBytes);
  HSYS_FACT(t, kOptMaxConnections);
  HSYS_FACT(t, kOptEntityBodyTimeout);
  HSYS_FACT(t, kOptDrainEntityBodyTimeout);
  HSYS_FACT(t, kOptRequestQueueTimeout);
  HSYS_FACT(t, kOptIdleConnectionTimeout);
  HSYS_FACT(t, kOptHeaderWaitTimeout);
  HSYS_FACT(t, kOptMinSendRate);
  HSYS_FACT(t, kOptExportClientCertificate);
  HSYS_FACT(t, kQueueOptionCount);
  HSYS_FACT(t, kEngineStatsCount);

  HSYS_FACT(t, kRequestMoreBody);
  HSYS_FACT(t, kRequestSecure);
  HSYS_FACT(t, kRequestHttp2);
  HSYS_FACT(t, kTlsClientCertNegotiated);
  HSYS_FACT(t, kTlsClientCertPresent);
  HSYS_FACT(t, kTlsCertDeniedByMapper);
  HSYS_SIZE(t, TlsRecord);
  HSYS_OFFSET(t, TlsRecord, protocol);
  HSYS_OFFSET(t, TlsRecord, connectionKeySize);
  HSYS_OFFSET(t, TlsRecord, certErrorFlags);
  HSYS_OFFSET(t, TlsRecord, certLength);
  HSYS_SIZE(t, SocketAddressRecord);
  HSYS_OFFSET(t, SocketAddressRecord, port);
  HSYS_OFFSET(t, SocketAddressRecord, address);
  HSYS_SIZE(t, RequestRecordHeader);
  HSYS_OFFSET(t, RequestRecordHeader, flags);
  HSYS_OFFSET(t, RequestRecordHeader, requestId);
  HSYS_OFFSET(t, RequestRecordHeader, connectionId);
  HSYS_OFFSET(t, RequestRecordHeader, httpMajor);
  HSYS_OFFSET(t, RequestRecordHeader, httpMinor);
  HSYS_OFFSET(t, RequestRecordHeader, headerCount);
  HSYS_OFFSET(t, RequestRecordHeader, methodLength);
  HSYS_OFFSET(t, RequestRecordHeader, urlLength);
  HSYS_OFFSET(t, RequestRecordHeader, bodyLength);
  HSYS_OFFSET(t, RequestRecordHeader, remote);
  HSYS_OFFSET(t, RequestRecordHeader, local);
  HSYS_OFFSET(t, RequestRecordHeader, tlsOffset);
  HSYS_OFFSET(t, RequestRecordHeader, cookedUrlLength);
  HSYS_FACT(t, kUnknownHeader);
  HSYS_SIZE(t, HeaderEntry);
  HSYS_OFFSET(t, HeaderEntry, nameLength);
  HSYS_OFFSET(t, HeaderEntry, valueLength);
  HSYS_FACT(t, kResponseHasHead);
  HSYS_FACT(t, kResponseMoreData);
  HSYS_FACT(t, kResponseDisconnect);
  HSYS_FACT(t, kResponseOpaque);
  HSYS_FACT(t, kResponseBufferData);
  HSYS_FACT(t, kResponseEnableNagling);
  HSYS_FACT(t, kResponseChunked);
  HSYS_SIZE(t, ResponseRecordHeader);
  HSYS_OFFSET(t, ResponseRecordHeader, flags);
  HSYS_OFFSET(t, ResponseRecordHeader, status);
  HSYS_OFFSET(t, ResponseRecordHeader, reasonLength);
  HSYS_OFFSET(t, ResponseRecordHeader, headerCount);
  HSYS_OFFSET(t, ResponseRecordHeader, chunkCount);
  HSYS_OFFSET(t, ResponseRecordHeader, cacheTtlSeconds);
  HSYS_OFFSET(t, ResponseRecordHeader, trailerCount);
  HSYS_OFFSET(t, ResponseRecordHeader, reserved);
  HSYS_FACT(t, kChunkMemory);
  HSYS_FACT(t, kChunkFile);
  HSYS_SIZE(t, DataChunk);
  HSYS_OFFSET(t, DataChunk, handleOrAddress);
  HSYS_OFFSET(t, DataChunk, offset);
  HSYS_OFFSET(t, DataChunk, length);

  HSYS_FACT(t, kRequestHeaderCount);
  HSYS_FACT(t, kResponseHeaderCount);
  for (int id = 0; id < kRequestHeaderCount; ++id) t.add("request.header." + std::to_string(id), kRequestHeaderNames[id]);
  for (int id = 0; id < kResponseHeaderCount; ++id) {
    t.add("response.header." + std::to_string(id), kResponseHeaderNames[id]);
  }
  return t.take();
}

#undef HSYS_FACT
#undef HSYS_SIZE
#undef HSYS_OFFSET

}  // namespace

const std::string& engineAbiTable() {
  static const std::string table = buildTable();
  return table;
}

}  // namespace hsys
