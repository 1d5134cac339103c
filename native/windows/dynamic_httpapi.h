// HTTP Server API functions resolved at run time, and what this process runs on.
//
// httpapi.dll exports differ between Windows versions and Wine: a static import of a function
// Wine does not export (HttpIsFeatureSupported, HttpSetRequestProperty, HttpDelegateRequestEx,
// HttpFindUrlGroupId) would stop our DLL from loading at all. Such functions are looked up with
// GetProcAddress and may be null. Functions Wine exports as process-aborting stubs are statically
// imported but guarded by the capability flags below.
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
using RtlNtStatusToDosErrorFn = ULONG(WINAPI*)(LONG status);

struct HttpApiRuntime {
  // Optional exports (null when absent).
  HttpIsFeatureSupportedFn isFeatureSupported = nullptr;
  HttpSetRequestPropertyFn setRequestProperty = nullptr;
  HttpDelegateRequestExFn delegateRequestEx = nullptr;
  HttpFindUrlGroupIdFn findUrlGroupId = nullptr;
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
};

// Resolved once, on first use; thread-safe.
const HttpApiRuntime& httpApi();

// Converts an OVERLAPPED's NTSTATUS (its Internal field) to a Win32 error code.
DWORD win32ErrorFromOverlapped(const OVERLAPPED& overlapped);

}  // namespace hsys::windows
