// The HTTP Server API as the backend calls it: every function through one table, resolved once,
// with what this process runs on.
//
// httpapi.dll exports differ between Windows versions and Wine: a static import of a function
// Wine does not export (HttpIsFeatureSupported, HttpSetRequestProperty, HttpDelegateRequestEx,
// HttpFindUrlGroupId, ...) would stop our DLL from loading at all. Such functions are looked up
// with GetProcAddress and may be null; so are the newer ones mingw-w64's http.h does not declare
// (HttpWaitForDisconnectEx). Functions Wine exports as process-aborting stubs
// (HttpCancelHttpRequest, HttpSendResponseEntityBody before Wine 10, HttpReceiveClientCertificate,
// HttpWaitForDisconnect[Ex], HttpShutdownRequestQueue) are never called where the capability
// flags below say they are stubs. The contract suite checks that the JNI DLL loads under Wine.
//
// The backend calls nothing of the HTTP Server API but through this table, so a test double that
// behaves as Windows does (native/test/httpapi_double.*) can stand in for httpapi.dll where Wine
// behaves differently, and record what the backend hands over.
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
  // The functions httpapi.dll always exports (imported statically; never null).
  decltype(&::HttpInitialize) initialize = nullptr;
  decltype(&::HttpTerminate) terminate = nullptr;
  decltype(&::HttpCreateRequestQueue) createRequestQueue = nullptr;
  decltype(&::HttpCloseRequestQueue) closeRequestQueue = nullptr;
  decltype(&::HttpSetRequestQueueProperty) setRequestQueueProperty = nullptr;
  decltype(&::HttpCreateServerSession) createServerSession = nullptr;
  decltype(&::HttpCloseServerSession) closeServerSession = nullptr;
  decltype(&::HttpSetServerSessionProperty) setServerSessionProperty = nullptr;
  decltype(&::HttpCreateUrlGroup) createUrlGroup = nullptr;
  decltype(&::HttpCloseUrlGroup) closeUrlGroup = nullptr;
  decltype(&::HttpSetUrlGroupProperty) setUrlGroupProperty = nullptr;
  decltype(&::HttpAddUrlToUrlGroup) addUrlToUrlGroup = nullptr;
  decltype(&::HttpRemoveUrlFromUrlGroup) removeUrlFromUrlGroup = nullptr;
  decltype(&::HttpReceiveHttpRequest) receiveHttpRequest = nullptr;
  decltype(&::HttpReceiveRequestEntityBody) receiveRequestEntityBody = nullptr;
  decltype(&::HttpSendHttpResponse) sendHttpResponse = nullptr;
  decltype(&::HttpSendResponseEntityBody) sendResponseEntityBody = nullptr;
  decltype(&::HttpCancelHttpRequest) cancelHttpRequest = nullptr;
  // Error text for a Win32 code (FormatMessageW): not HTTP Server API, but the one other system
  // answer whose shape varies by machine (the user's language), so a test can choose it too.
  decltype(&::FormatMessageW) formatMessage = nullptr;

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
  bool canCancelRequest = true;    // HttpCancelHttpRequest: a stub in Wine (8 and 10)
  bool honoursResponseInfo = true; // pResponseInfo (multiple known headers): ignored by Wine
  bool honoursSendFlags = true;    // Wine ignores all but MORE_DATA (Wine 10 compares flags with
                                   // == MORE_DATA, so others must not be passed there)
  bool canSendFileChunks = true;   // HttpDataChunkFromFileHandle: ERROR_CALL_NOT_IMPLEMENTED in Wine
  bool honoursQueueNames = true;   // Wine ignores names and OPEN_EXISTING (a new, empty queue)
  bool canWaitForDisconnect = true;        // HttpWaitForDisconnectEx: a stub in Wine (8 and 10)
  bool canReceiveClientCertificate = true; // HttpReceiveClientCertificate: a stub in Wine
  bool oneUrlPerGroup = false;     // Wine: HttpAddUrlToUrlGroup refuses a second URL in a group
  // Wine answers ERROR_CALL_NOT_IMPLEMENTED for most server properties (queue length, 503
  // verbosity, timeouts, connection limits): tolerated there, an error on Windows.
  bool propertiesMayBeMissing = false;
};

// The real one is resolved once, on first use; thread-safe.
const HttpApiRuntime& httpApi();

// Tests only: makes httpApi() return replacement (nullptr: the real one again) and returns what
// was in place. Swap only while no loop exists: loops and queues call through whatever is in
// place at the time of each call.
const HttpApiRuntime* replaceHttpApiForTesting(const HttpApiRuntime* replacement);

// The real functions and capabilities of this process, for a double to start from.
HttpApiRuntime resolveHttpApi();

// Converts an OVERLAPPED's NTSTATUS (its Internal field) to a Win32 error code.
DWORD win32ErrorFromOverlapped(const OVERLAPPED& overlapped);

}  // namespace hsys::windows
