#include "dynamic_httpapi.h"

#include <cstdio>
#include <cstring>

namespace hsys::windows {

namespace {

template <typename Fn>
Fn lookup(HMODULE module, const char* name) {
  if (module == nullptr) return nullptr;
  // GetProcAddress returns FARPROC; the cast to the real signature goes through void*.
  return reinterpret_cast<Fn>(reinterpret_cast<void*>(GetProcAddress(module, name)));
}

HttpApiRuntime resolve() {
  HttpApiRuntime runtime;
  // httpapi.dll is already loaded: the backend imports its core functions statically.
  HMODULE httpapi = GetModuleHandleW(L"httpapi.dll");
  if (httpapi == nullptr) httpapi = LoadLibraryW(L"httpapi.dll");
  runtime.isFeatureSupported = lookup<HttpIsFeatureSupportedFn>(httpapi, "HttpIsFeatureSupported");
  runtime.setRequestProperty = lookup<HttpSetRequestPropertyFn>(httpapi, "HttpSetRequestProperty");
  runtime.delegateRequestEx = lookup<HttpDelegateRequestExFn>(httpapi, "HttpDelegateRequestEx");
  runtime.findUrlGroupId = lookup<HttpFindUrlGroupIdFn>(httpapi, "HttpFindUrlGroupId");
  runtime.waitForDisconnectEx = lookup<HttpWaitForDisconnectExFn>(httpapi, "HttpWaitForDisconnectEx");
  runtime.receiveClientCertificate =
      lookup<HttpReceiveClientCertificateFn>(httpapi, "HttpReceiveClientCertificate");

  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  runtime.ntStatusToDosError = lookup<RtlNtStatusToDosErrorFn>(ntdll, "RtlNtStatusToDosError");
  using WineGetVersionFn = const char*(CDECL*)();
  if (auto wineGetVersion = lookup<WineGetVersionFn>(ntdll, "wine_get_version")) {
    runtime.underWine = true;
    const char* version = wineGetVersion();
    if (version != nullptr) {
      std::snprintf(runtime.wineVersion, sizeof runtime.wineVersion, "%s", version);
      std::sscanf(version, "%d.%d", &runtime.wineMajor, &runtime.wineMinor);
    }
    // Checked (DESIGN.md): Wine 8.0 aborts the process in HttpSendResponseEntityBody and
    // HttpCancelHttpRequest; Wine 10.0 implements streamed responses. Cancel stays a stub.
    runtime.canSendEntityBody = runtime.wineMajor >= 10;
    runtime.canCancelRequest = false;
    runtime.honoursResponseInfo = false;
    runtime.honoursSendFlags = false;
    runtime.canSendFileChunks = false;
    runtime.honoursQueueNames = false;
    runtime.canWaitForDisconnect = false;      // exported, but as a process-aborting stub
    runtime.canReceiveClientCertificate = false;
    runtime.propertiesMayBeMissing = true;
  }
  if (runtime.waitForDisconnectEx == nullptr) runtime.canWaitForDisconnect = false;
  if (runtime.receiveClientCertificate == nullptr) runtime.canReceiveClientCertificate = false;
  return runtime;
}

}  // namespace

const HttpApiRuntime& httpApi() {
  static const HttpApiRuntime runtime = resolve();  // thread-safe initialisation (C++11)
  return runtime;
}

DWORD win32ErrorFromOverlapped(const OVERLAPPED& overlapped) {
  LONG status = static_cast<LONG>(overlapped.Internal);
  if (status == 0) return ERROR_SUCCESS;
  if (auto convert = httpApi().ntStatusToDosError) return convert(status);
  // Without ntdll's converter (never seen): the few statuses this backend acts on.
  switch (static_cast<ULONG>(status)) {
    case 0x80000005UL: return ERROR_MORE_DATA;          // STATUS_BUFFER_OVERFLOW
    case 0xC0000120UL: return ERROR_OPERATION_ABORTED;  // STATUS_CANCELLED
    case 0xC0000011UL: return ERROR_HANDLE_EOF;         // STATUS_END_OF_FILE
    case 0xC000140BUL: return ERROR_CONNECTION_INVALID; // STATUS_CONNECTION_INVALID
    default: return ERROR_GEN_FAILURE;
  }
}

}  // namespace hsys::windows
