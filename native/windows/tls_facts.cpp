#include "tls_facts.h"

#include <cstring>

namespace hsys::windows {

TlsFacts tlsFacts(const HTTP_SSL_INFO& ssl, const HTTP_REQUEST_INFO* infos, USHORT infoCount,
                  const HTTP_SSL_CLIENT_CERT_INFO* certificate) {
  TlsFacts facts;
  TlsRecord& tls = facts.record;
  tls.connectionKeySize = ssl.ConnectionKeySize;
  tls.serverCertKeySize = ssl.ServerCertKeySize;
  if (ssl.SslClientCertNegotiated) tls.flags |= kTlsClientCertNegotiated;

  for (USHORT i = 0; infos != nullptr && i < infoCount; ++i) {
    const HTTP_REQUEST_INFO& info = infos[i];
    if (static_cast<int>(info.InfoType) != kRequestInfoTypeSslProtocol || info.pInfo == nullptr ||
        info.InfoLength < sizeof(SslProtocolInfo)) {
      continue;
    }
    SslProtocolInfo protocol;
    std::memcpy(&protocol, info.pInfo, sizeof protocol);
    tls.protocol = protocol.Protocol;
    tls.cipherType = protocol.CipherType;
    tls.cipherStrength = protocol.CipherStrength;
    tls.hashType = protocol.HashType;
    tls.hashStrength = protocol.HashStrength;
    tls.keyExchangeType = protocol.KeyExchangeType;
    tls.keyExchangeStrength = protocol.KeyExchangeStrength;
    break;
  }

  const HTTP_SSL_CLIENT_CERT_INFO* cert = certificate != nullptr ? certificate : ssl.pClientCertInfo;
  if (cert != nullptr) {
    tls.certErrorFlags = cert->CertFlags;
    if (cert->CertDeniedByMapper) tls.flags |= kTlsCertDeniedByMapper;
    if (cert->pCertEncoded != nullptr && cert->CertEncodedSize > 0) {
      tls.flags |= kTlsClientCertPresent;
      facts.certificate = std::string_view(reinterpret_cast<const char*>(cert->pCertEncoded),
                                           cert->CertEncodedSize);
    }
  }
  tls.certLength = static_cast<uint32_t>(facts.certificate.size());
  return facts;
}

namespace {

constexpr ULONG kTls13Server = 0x00001000;  // SP_PROT_TLS1_3_SERVER (schannel.h)

ULONG protocolOf(const HTTP_REQUEST& request) {
  for (USHORT i = 0; request.pRequestInfo != nullptr && i < request.RequestInfoCount; ++i) {
    const HTTP_REQUEST_INFO& info = request.pRequestInfo[i];
    if (static_cast<int>(info.InfoType) != kRequestInfoTypeSslProtocol || info.pInfo == nullptr ||
        info.InfoLength < sizeof(SslProtocolInfo)) {
      continue;
    }
    SslProtocolInfo protocol;
    std::memcpy(&protocol, info.pInfo, sizeof protocol);
    return protocol.Protocol;
  }
  return 0;
}

}  // namespace

bool needsClientCertificate(const HTTP_REQUEST& request, bool exportClientCertificate) {
  if (!exportClientCertificate || request.pSslInfo == nullptr ||
      request.pSslInfo->pClientCertInfo != nullptr) {
    return false;
  }
  // Fetching it means a TLS renegotiation. HTTP/2 and TLS 1.3 forbid that, and while the client
  // is still sending a body it is not listening for a handshake: the request would stall (ASP.NET
  // Core buffers the body first, and turned renegotiation off by default in 5.0 for these
  // deadlocks). Such requests go out without it; clientcertnegotiation=enable on the binding
  // asks for the certificate in the first handshake instead.
  if ((request.Flags & (HTTP_REQUEST_FLAG_HTTP2 | HTTP_REQUEST_FLAG_MORE_ENTITY_BODY_EXISTS)) != 0) {
    return false;
  }
  return (protocolOf(request) & kTls13Server) == 0;
}

}  // namespace hsys::windows
