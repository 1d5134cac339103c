#include "request_serializer.h"

#include <cstring>
#include <string>
#include <string_view>

#include "hsys/canonical_path.h"
#include "hsys/records.h"
#include "tls_facts.h"

namespace hsys::windows {

namespace {

// HTTP_VERB names, indexed by the enum (http.h); the first three have no fixed name.
constexpr std::string_view kVerbNames[] = {
    "", "", "", "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT",
    "TRACK", "MOVE", "COPY", "PROPFIND", "PROPPATCH", "MKCOL", "LOCK", "UNLOCK", "SEARCH"};
static_assert(sizeof kVerbNames / sizeof kVerbNames[0] == HttpVerbMaximum, "one name per HTTP_VERB");

std::string_view verbOf(const HTTP_REQUEST& request) {
  int verb = static_cast<int>(request.Verb);
  if (verb > HttpVerbInvalid && verb < HttpVerbMaximum) return kVerbNames[verb];
  // HttpVerbUnknown (and Unparsed/Invalid when the kernel still kept the text): as sent.
  if (request.pUnknownVerb != nullptr) {
    return std::string_view(request.pUnknownVerb, request.UnknownVerbLength);
  }
  return {};
}

SocketAddressRecord addressOf(const SOCKADDR* address) {
  SocketAddressRecord record{};
  if (address == nullptr) return record;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    record.family = 4;
    record.port = ntohs(v4->sin_port);
    std::memcpy(record.address, &v4->sin_addr, 4);
  } else if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    record.family = 6;
    record.port = ntohs(v6->sin6_port);
    std::memcpy(record.address, &v6->sin6_addr, 16);
  }
  return record;
}

// The raw target with its path canonical, as the posix engine routes (canonical_path.h): what
// Java hands the handler as uri(). HTTP.SYS routed on its own cooked URL; a path it accepts
// without a canonical form of ours (an encoded '/', %uNNNN) keeps the raw target.
std::string_view cookedTarget(std::string_view url) {
  thread_local CanonicalPath canonical;
  thread_local std::string cooked;
  if (!canonical.cookTarget(url, CanonicalPath::pathOf(url), cooked)) cooked.clear();
  return cooked;
}

}  // namespace

size_t serializeRequest(const HTTP_REQUEST& request, std::vector<uint8_t>& arena,
                        const HTTP_SSL_CLIENT_CERT_INFO* certificate) {
  uint32_t flags = 0;
  if (request.Flags & HTTP_REQUEST_FLAG_MORE_ENTITY_BODY_EXISTS) flags |= kRequestMoreBody;
  if (request.Flags & HTTP_REQUEST_FLAG_HTTP2) flags |= kRequestHttp2;
  if (request.pSslInfo != nullptr) flags |= kRequestSecure;

  std::string_view url;
  if (request.pRawUrl != nullptr) url = std::string_view(request.pRawUrl, request.RawUrlLength);

  RequestRecordWriter writer(arena);
  writer.begin(request.RequestId, request.ConnectionId, request.Version.MajorVersion,
               request.Version.MinorVersion, flags, addressOf(request.Address.pRemoteAddress),
               addressOf(request.Address.pLocalAddress), verbOf(request), url, cookedTarget(url));

  const HTTP_REQUEST_HEADERS& headers = request.Headers;
  for (int id = 0; id < HttpHeaderRequestMaximum; ++id) {
    const HTTP_KNOWN_HEADER& header = headers.KnownHeaders[id];
    if (header.pRawValue == nullptr) continue;  // absent (a present header may be empty)
    writer.addKnownHeader(static_cast<uint8_t>(id),
                          std::string_view(header.pRawValue, header.RawValueLength));
  }
  for (USHORT i = 0; i < headers.UnknownHeaderCount; ++i) {
    const HTTP_UNKNOWN_HEADER& header = headers.pUnknownHeaders[i];
    writer.addHeader(std::string_view(header.pName, header.NameLength),
                     std::string_view(header.pRawValue, header.RawValueLength));
  }

  for (USHORT i = 0; i < request.EntityChunkCount; ++i) {
    const HTTP_DATA_CHUNK& chunk = request.pEntityChunks[i];
    if (chunk.DataChunkType != HttpDataChunkFromMemory) continue;  // the kernel only fills memory
    writer.addBody(std::string_view(static_cast<const char*>(chunk.FromMemory.pBuffer),
                                    chunk.FromMemory.BufferLength));
  }
  if (request.pSslInfo != nullptr) {
    TlsFacts tls = tlsFacts(*request.pSslInfo, request.pRequestInfo, request.RequestInfoCount,
                            certificate);
    writer.addTls(tls.record, tls.certificate);
  }
  return writer.finish();
}

}  // namespace hsys::windows
