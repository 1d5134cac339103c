#include "dynamic_httpapi.h"

#include <atomic>
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

std::atomic<const HttpApiRuntime*> replacementForTesting{nullptr};

}  // namespace

HttpApiRuntime resolveHttpApi() {
  HttpApiRuntime runtime;
  runtime.initialize = &::HttpInitialize;
  runtime.terminate = &::HttpTerminate;
  runtime.createRequestQueue = &::HttpCreateRequestQueue;
  runtime.closeRequestQueue = &::HttpCloseRequestQueue;
  runtime.setRequestQueueProperty = &::HttpSetRequestQueueProperty;
  runtime.createServerSession = &::HttpCreateServerSession;
  runtime.closeServerSession = &::HttpCloseServerSession;
  runtime.setServerSessionProperty = &::HttpSetServerSessionProperty;
  runtime.createUrlGroup = &::HttpCreateUrlGroup;
  runtime.closeUrlGroup = &::HttpCloseUrlGroup;
  runtime.setUrlGroupProperty = &::HttpSetUrlGroupProperty;
  runtime.addUrlToUrlGroup = &::HttpAddUrlToUrlGroup;
  runtime.removeUrlFromUrlGroup = &::HttpRemoveUrlFromUrlGroup;
  runtime.receiveHttpRequest = &::HttpReceiveHttpRequest;
  runtime.receiveRequestEntityBody = &::HttpReceiveRequestEntityBody;
  runtime.sendHttpResponse = &::HttpSendHttpResponse;
  runtime.sendResponseEntityBody = &::HttpSendResponseEntityBody;
  runtime.cancelHttpRequest = &::HttpCancelHttpRequest;
  runtime.formatMessage = &::FormatMessageW;
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
    // Wine 8 and Wine 10 (checked: __wine_stub_HttpWaitForDisconnectEx in Wine 10's httpapi.dll).
    runtime.canWaitForDisconnect = false;      // exported, but as a process-aborting stub
    runtime.canReceiveClientCertificate = false;
    runtime.oneUrlPerGroup = true;
    runtime.propertiesMayBeMissing = true;
  }
  if (runtime.waitForDisconnectEx == nullptr) runtime.canWaitForDisconnect = false;
  if (runtime.receiveClientCertificate == nullptr) runtime.canReceiveClientCertificate = false;
  return runtime;
}

const HttpApiRuntime& httpApi() {
  if (const HttpApiRuntime* replacement = replacementForTesting.load(std::memory_order_acquire)) {
    return *replacement;
  }
  static const HttpApiRuntime runtime = resolveHttpApi();  // thread-safe initialisation (C++11)
  return runtime;
}

const HttpApiRuntime* replaceHttpApiForTesting(const HttpApiRuntime* replacement) {
  return replacementForTesting.exchange(replacement, std::memory_order_acq_rel);
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
