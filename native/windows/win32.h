// The one place that includes the Windows SDK headers for the windows backend, with the few
// HTTP Server API constants that older SDKs (mingw-w64's http.h among them) do not define.
#pragma once

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif

// winsock2.h must precede windows.h; http.h needs both.
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <http.h>

// http.h (Windows 10 SDK) values missing from mingw-w64's copy.
#ifndef HTTP_SEND_RESPONSE_FLAG_OPAQUE
#define HTTP_SEND_RESPONSE_FLAG_OPAQUE 0x00000040
#endif
#ifndef HTTP_REQUEST_FLAG_HTTP2
#define HTTP_REQUEST_FLAG_HTTP2 0x00000004
#endif
#ifndef ERROR_CONNECTION_INVALID
#define ERROR_CONNECTION_INVALID 1229L
#endif
#ifndef HTTP_RESPONSE_INFO_FLAGS_PRESERVE_ORDER
#define HTTP_RESPONSE_INFO_FLAGS_PRESERVE_ORDER 0x00000001
#endif
#ifndef HTTP_SEND_RESPONSE_FLAG_ENABLE_NAGLING
#define HTTP_SEND_RESPONSE_FLAG_ENABLE_NAGLING 0x00000008
#endif
#ifndef HTTP_CREATE_REQUEST_QUEUE_FLAG_OPEN_EXISTING
#define HTTP_CREATE_REQUEST_QUEUE_FLAG_OPEN_EXISTING 0x00000001
#endif
#ifndef HTTP_LIMIT_INFINITE
#define HTTP_LIMIT_INFINITE static_cast<ULONG>(-1)
#endif

namespace hsys::windows {

// HTTP_REQUEST_INFO_TYPE value and structure of the Windows 10 SDK that mingw-w64 lacks
// (HttpRequestInfoTypeSslProtocol, HTTP_SSL_PROTOCOL_INFO); same layout, our own names.
constexpr int kRequestInfoTypeSslProtocol = 2;
struct SslProtocolInfo {
  ULONG Protocol;       // SP_PROT_*
  ULONG CipherType;     // ALG_ID
  ULONG CipherStrength;
  ULONG HashType;
  ULONG HashStrength;
  ULONG KeyExchangeType;
  ULONG KeyExchangeStrength;
};
static_assert(sizeof(SslProtocolInfo) == 28, "HTTP_SSL_PROTOCOL_INFO layout");

}  // namespace hsys::windows
