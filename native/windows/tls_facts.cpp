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

bool needsClientCertificate(const HTTP_REQUEST& request, bool exportClientCertificate) {
  return exportClientCertificate && request.pSslInfo != nullptr &&
         request.pSslInfo->pClientCertInfo == nullptr;
}

}  // namespace hsys::windows
