// HTTP Server API functions resolved at run time, and what this process runs on.
//
// httpapi.dll exports differ between Windows versions and Wine: a static import of a function
// Wine does not export (HttpIsFeatureSupported, HttpSetRequestProperty, HttpDelegateRequestEx,
// HttpFindUrlGroupId, ...) would stop our DLL from loading at all. Such functions are looked up
// with GetProcAddress and may be null; so are the newer ones mingw-w64's http.h does not declare
// (HttpWaitForDisconnectEx). Functions Wine 8 exports as process-aborting stubs
// (HttpCancelHttpRequest, HttpSendResponseEntityBody, HttpReceiveClientCertificate,
// HttpWaitForDisconnect[Ex], HttpShutdownRequestQueue) are never called where the capability
// flags below say they are stubs. The contract suite checks that the JNI DLL loads under Wine.
#pragma once

#include "win32.h"

namespace hsys::windows {

using HttpIsFeatureSupportedFn = BOOL(WINAPI*)(int feature);
using HttpSetRequestPropertyFn = ULONG(WINAPI*)(HANDLE queue, HTTP_OPAQUE_ID id, int property,
                                                void* input, ULONG inputLength, OVERLAPPED* overlapped);
using HttpDelegateRequestExFn = ULONG(WINAPI*)(HANDLE queue, HANDLE delegateQueue, HTTP_REQUEST_ID id,
                                               HTTP_URL_GROUP_ID delegateUrlGroup, ULONG propertyCount,
                                               void* properties);
using HttpFindUrlGroupIdFn = ULONG(WINAPI*)(PCWSTR fullyQualifiedUrl, HANDLE queue,
                                            HTTP_URL_GROUP_ID* urlGroupId);
using HttpWaitForDisconnectExFn = ULONG(WINAPI*)(HANDLE queue, HTTP_CONNECTION_ID connection,
                                                 ULONG reserved, OVERLAPPED* overlapped);
using HttpReceiveClientCertificateFn = ULONG(WINAPI*)(HANDLE queue, HTTP_CONNECTION_ID connection,
                                                      ULONG flags, HTTP_SSL_CLIENT_CERT_INFO* info,
                                                      ULONG infoSize, ULONG* received,
                                                      OVERLAPPED* overlapped);
using RtlNtStatusToDosErrorFn = ULONG(WINAPI*)(LONG status);

struct HttpApiRuntime {
  // Optional exports (null when absent).
  HttpIsFeatureSupportedFn isFeatureSupported = nullptr;
  HttpSetRequestPropertyFn setRequestProperty = nullptr;
  HttpDelegateRequestExFn delegateRequestEx = nullptr;
  HttpFindUrlGroupIdFn findUrlGroupId = nullptr;
  HttpWaitForDisconnectExFn waitForDisconnectEx = nullptr;
  HttpReceiveClientCertificateFn receiveClientCertificate = nullptr;
  RtlNtStatusToDosErrorFn ntStatusToDosError = nullptr;

  // Wine, when this process runs under it ("8.0", "10.0", ...); major 0 on real Windows.
  bool underWine = false;
  int wineMajor = 0;
  int wineMinor = 0;
  char wineVersion[32] = {};

  // Capabilities that differ between real HTTP.SYS and Wine's partial one (DESIGN.md).
  bool canSendEntityBody = true;   // HttpSendResponseEntityBody: a process-aborting stub before Wine 10
  bool canCancelRequest = true;    // HttpCancelHttpRequest: a stub in Wine
  bool honoursResponseInfo = true; // pResponseInfo (multiple known headers): ignored by Wine
  bool honoursSendFlags = true;    // Wine ignores all but MORE_DATA (Wine 10 compares flags with
                                   // == MORE_DATA, so others must not be passed there)
  bool canSendFileChunks = true;   // HttpDataChunkFromFileHandle: ERROR_CALL_NOT_IMPLEMENTED in Wine
  bool honoursQueueNames = true;   // Wine ignores names and OPEN_EXISTING (a new, empty queue)
  bool canWaitForDisconnect = true;        // HttpWaitForDisconnectEx: a stub in Wine
  bool canReceiveClientCertificate = true; // HttpReceiveClientCertificate: a stub in Wine
  // Wine answers ERROR_CALL_NOT_IMPLEMENTED for most server properties (queue length, 503
  // verbosity, timeouts, connection limits): tolerated there, an error on Windows.
  bool propertiesMayBeMissing = false;
};

// Resolved once, on first use; thread-safe.
const HttpApiRuntime& httpApi();

// Converts an OVERLAPPED's NTSTATUS (its Internal field) to a Win32 error code.
DWORD win32ErrorFromOverlapped(const OVERLAPPED& overlapped);

}  // namespace hsys::windows
