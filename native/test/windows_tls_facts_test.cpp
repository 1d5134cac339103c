// TLS facts of the windows backend, checked without TLS: Wine's http.sys has none, so these cases
// hand-build the HTTP Server API structures a TLS request carries (HTTP_SSL_INFO, the
// HttpRequestInfoTypeSslProtocol entry, HTTP_SSL_CLIENT_CERT_INFO) and check what the backend
// writes into the request record. The real TLS path is listed in docs/windows-verification.md.
#ifdef _WIN32

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine_harness.h"
#include "request_serializer.h"
#include "tls_facts.h"

using namespace hsys;
using namespace hsys::test;
using namespace hsys::windows;

namespace {

// SP_PROT_TLS1_2_SERVER, CALG_AES_256, CALG_SHA_384, CALG_ECDH_EPHEM (schannel / wincrypt).
constexpr ULONG kTls12Server = 0x00000400;
constexpr ULONG kAes256 = 0x00006610;
constexpr ULONG kSha384 = 0x0000800d;
constexpr ULONG kEcdhEphemeral = 0x0000ae06;

struct TlsRequest {
  std::string der = std::string("\x30\x82\x01\x0a", 4) + std::string(266, '\x5a');
  SslProtocolInfo protocol{kTls12Server, kAes256, 256, kSha384, 384, kEcdhEphemeral, 384};
  HTTP_REQUEST_INFO info{};
  HTTP_SSL_CLIENT_CERT_INFO cert{};
  HTTP_SSL_INFO ssl{};

  TlsRequest() {
    info.InfoType = static_cast<HTTP_REQUEST_INFO_TYPE>(kRequestInfoTypeSslProtocol);
    info.InfoLength = sizeof protocol;
    info.pInfo = &protocol;
    cert.CertFlags = 0x00000020;  // CERT_TRUST_IS_UNTRUSTED_ROOT
    cert.CertEncodedSize = static_cast<ULONG>(der.size());
    cert.pCertEncoded = reinterpret_cast<PUCHAR>(der.data());
    ssl.ServerCertKeySize = 2048;
    ssl.ConnectionKeySize = 256;
    ssl.SslClientCertNegotiated = 1;
    ssl.pClientCertInfo = &cert;
  }
};

}  // namespace

TEST_SUITE("windows backend: TLS facts (hand-built structures)") {

TEST_CASE("protocol, algorithms, key sizes and the negotiated client certificate") {
  TlsRequest tls;
  TlsFacts facts = tlsFacts(tls.ssl, &tls.info, 1, nullptr);
  CHECK(facts.record.protocol == kTls12Server);
  CHECK(facts.record.cipherType == kAes256);
  CHECK(facts.record.cipherStrength == 256);
  CHECK(facts.record.hashType == kSha384);
  CHECK(facts.record.hashStrength == 384);
  CHECK(facts.record.keyExchangeType == kEcdhEphemeral);
  CHECK(facts.record.keyExchangeStrength == 384);
  CHECK(facts.record.connectionKeySize == 256);
  CHECK(facts.record.serverCertKeySize == 2048);
  CHECK(facts.record.flags == (kTlsClientCertNegotiated | kTlsClientCertPresent));
  CHECK(facts.record.certErrorFlags == 0x20);
  CHECK(facts.record.certLength == tls.der.size());
  CHECK(facts.certificate == tls.der);
}

TEST_CASE("no protocol entry, no certificate, a certificate denied by the mapper") {
  TlsRequest tls;
  tls.ssl.pClientCertInfo = nullptr;
  tls.ssl.SslClientCertNegotiated = 0;
  tls.info.InfoType = HttpRequestInfoTypeAuth;  // another kind of entry: ignored
  TlsFacts bare = tlsFacts(tls.ssl, &tls.info, 1, nullptr);
  CHECK(bare.record.protocol == 0);
  CHECK(bare.record.cipherType == 0);
  CHECK(bare.record.flags == 0);
  CHECK(bare.record.certLength == 0);
  CHECK(bare.certificate.empty());

  tls.info.InfoType = static_cast<HTTP_REQUEST_INFO_TYPE>(kRequestInfoTypeSslProtocol);
  tls.info.InfoLength = 8;  // too short for HTTP_SSL_PROTOCOL_INFO: ignored, not over-read
  CHECK(tlsFacts(tls.ssl, &tls.info, 1, nullptr).record.protocol == 0);

  HTTP_SSL_CLIENT_CERT_INFO denied{};
  denied.CertDeniedByMapper = TRUE;
  denied.CertFlags = 0x8;
  tls.ssl.pClientCertInfo = &denied;
  TlsFacts facts = tlsFacts(tls.ssl, nullptr, 0, nullptr);
  CHECK(facts.record.flags == kTlsCertDeniedByMapper);
  CHECK(facts.record.certErrorFlags == 0x8);
  CHECK(facts.certificate.empty());
}

TEST_CASE("a certificate fetched with HttpReceiveClientCertificate wins; when to fetch one") {
  TlsRequest tls;
  std::string fetchedDer = "fetched-der";
  HTTP_SSL_CLIENT_CERT_INFO fetched{};
  fetched.CertEncodedSize = static_cast<ULONG>(fetchedDer.size());
  fetched.pCertEncoded = reinterpret_cast<PUCHAR>(fetchedDer.data());
  TlsFacts facts = tlsFacts(tls.ssl, &tls.info, 1, &fetched);
  CHECK(facts.certificate == fetchedDer);
  CHECK(facts.record.certErrorFlags == 0);

  HTTP_REQUEST request{};
  CHECK_FALSE(needsClientCertificate(request, true));  // not TLS
  request.pSslInfo = &tls.ssl;
  CHECK_FALSE(needsClientCertificate(request, true));  // already in the request
  tls.ssl.pClientCertInfo = nullptr;
  CHECK(needsClientCertificate(request, true));
  CHECK_FALSE(needsClientCertificate(request, false));  // not asked for
  // A renegotiation cannot work: HTTP/2, TLS 1.3, or a body still on its way.
  request.Flags = HTTP_REQUEST_FLAG_HTTP2;
  CHECK_FALSE(needsClientCertificate(request, true));
  request.Flags = HTTP_REQUEST_FLAG_MORE_ENTITY_BODY_EXISTS;
  CHECK_FALSE(needsClientCertificate(request, true));
  request.Flags = 0;
  request.RequestInfoCount = 1;
  request.pRequestInfo = &tls.info;
  CHECK(needsClientCertificate(request, true));  // TLS 1.2
  tls.protocol.Protocol = 0x00001000;            // SP_PROT_TLS1_3_SERVER
  CHECK_FALSE(needsClientCertificate(request, true));
}

TEST_CASE("a TLS request's record carries kRequestSecure and the TlsRecord after the body") {
  TlsRequest tls;
  std::string verb = "GET", url = "/secure?x=1", body = "early";
  std::string host = "example.test";
  HTTP_DATA_CHUNK chunk{};
  chunk.DataChunkType = HttpDataChunkFromMemory;
  chunk.FromMemory.pBuffer = body.data();
  chunk.FromMemory.BufferLength = static_cast<ULONG>(body.size());
  HTTP_REQUEST request{};
  request.RequestId = 77;
  request.ConnectionId = 78;
  request.Version.MajorVersion = 1;
  request.Version.MinorVersion = 1;
  request.Verb = HttpVerbGET;
  request.pRawUrl = url.c_str();
  request.RawUrlLength = static_cast<USHORT>(url.size());
  request.Headers.KnownHeaders[HttpHeaderHost].pRawValue = host.c_str();
  request.Headers.KnownHeaders[HttpHeaderHost].RawValueLength = static_cast<USHORT>(host.size());
  request.EntityChunkCount = 1;
  request.pEntityChunks = &chunk;
  request.pSslInfo = &tls.ssl;
  request.RequestInfoCount = 1;
  request.pRequestInfo = &tls.info;

  std::vector<uint8_t> arena;
  size_t offset = serializeRequest(request, arena);
  RequestRecordHeader head;
  std::memcpy(&head, arena.data() + offset, sizeof head);
  ReceivedRequest decoded = decodeRequest(arena.data() + offset, head.recordLength);
  CHECK((decoded.flags & kRequestSecure) != 0);
  CHECK(decoded.method == "GET");
  CHECK(decoded.url == url);
  CHECK(decoded.header("Host") == host);
  CHECK(decoded.body == body);
  REQUIRE(decoded.hasTls);
  CHECK(decoded.tls.protocol == kTls12Server);
  CHECK(decoded.tls.flags == (kTlsClientCertNegotiated | kTlsClientCertPresent));
  CHECK(decoded.certificate == tls.der);
  CHECK(head.recordLength == head.tlsOffset + sizeof(TlsRecord) + tls.der.size());

  // Without pSslInfo: no TLS record at all.
  request.pSslInfo = nullptr;
  arena.clear();
  offset = serializeRequest(request, arena);
  std::memcpy(&head, arena.data() + offset, sizeof head);
  CHECK(head.tlsOffset == 0);
  CHECK((head.flags & kRequestSecure) == 0);
}

}  // TEST_SUITE

#endif  // _WIN32
