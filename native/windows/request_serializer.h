// HTTP_REQUEST -> request record (records.h). Raw facts only: the verb as sent, the raw URL,
// known headers by HTTP_HEADER_ID, unknown headers by name, the entity bytes that came with the
// head, flags, addresses and the TLS facts (tls_facts.h). Decoding (cookies, certificates, ...)
// happens in Java.
#pragma once

#include <cstdint>
#include <vector>

#include "win32.h"

namespace hsys::windows {

// Appends the record for request to arena and returns its offset there (records start
// 8-aligned). certificate: the client certificate fetched with HttpReceiveClientCertificate,
// or null (then the one in pSslInfo, if any).
size_t serializeRequest(const HTTP_REQUEST& request, std::vector<uint8_t>& arena,
                        const HTTP_SSL_CLIENT_CERT_INFO* certificate = nullptr);

}  // namespace hsys::windows
