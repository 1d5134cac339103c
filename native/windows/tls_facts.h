// HTTP_SSL_INFO (+ the HttpRequestInfoTypeSslProtocol entry of pRequestInfo, + the client
// certificate) -> TlsRecord and the certificate's DER bytes, raw: Java names protocols and
// algorithms and decodes the certificate. Plain code, so the contract suite checks it under Wine
// with hand-built structures although Wine's http.sys has no TLS.
#pragma once

#include <string_view>

#include "hsys/records.h"
#include "win32.h"

namespace hsys::windows {

struct TlsFacts {
  TlsRecord record{};
  std::string_view certificate;  // points into the certificate info; empty = none
};

// certificate: fetched with HttpReceiveClientCertificate, or null to use ssl.pClientCertInfo.
TlsFacts tlsFacts(const HTTP_SSL_INFO& ssl, const HTTP_REQUEST_INFO* infos, USHORT infoCount,
                  const HTTP_SSL_CLIENT_CERT_INFO* certificate);

// Whether the backend must ask for the client certificate before handing the request out:
// asked for (exportClientCertificate), not already in the request, and a renegotiation can work
// (HTTP/1.x, not TLS 1.3, no body still to come).
bool needsClientCertificate(const HTTP_REQUEST& request, bool exportClientCertificate);

}  // namespace hsys::windows
