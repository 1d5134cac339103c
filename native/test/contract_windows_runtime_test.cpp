// Windows backend: what is resolved at run time. The JNI DLL must load wherever httpapi.dll
// lacks a function (Wine exports a subset), so every such function is looked up with
// GetProcAddress, and the exported process-aborting stubs of Wine are never called.
#ifdef _WIN32

#include <doctest/doctest.h>

#include <string>

#include "dynamic_httpapi.h"
#include "windows_test_util.h"

using namespace hsys;
using namespace hsys::test;

namespace {

// The JNI library next to this test binary (both come out of one CMake build folder).
std::wstring jniLibraryPath() {
  wchar_t self[MAX_PATH];
  DWORD length = GetModuleFileNameW(nullptr, self, MAX_PATH);
  std::wstring path(self, length);
  return path.substr(0, path.find_last_of(L"\\/") + 1) + L"netty_httpsys_windows_x86_64.dll";
}

bool jniLibraryPresent() { return GetFileAttributesW(jniLibraryPath().c_str()) != INVALID_FILE_ATTRIBUTES; }

}  // namespace

TEST_SUITE("windows backend: run-time resolution") {

TEST_CASE("the JNI DLL loads here: every function it imports statically is exported" *
          doctest::skip(!jniLibraryPresent()) *
          doctest::description("netty_httpsys_windows_x86_64.dll is not next to the test binary")) {
  HMODULE library = LoadLibraryW(jniLibraryPath().c_str());
  REQUIRE_MESSAGE(library != nullptr, "LoadLibrary failed with error " << GetLastError());
  CHECK((GetProcAddress(library, "JNI_OnLoad") != nullptr));
  FreeLibrary(library);
}

TEST_CASE("optional functions are looked up, and Wine's stubs are flagged as unusable") {
  const windows::HttpApiRuntime& runtime = windows::httpApi();
  CHECK(runtime.underWine == runningUnderWine());
  if (runtime.underWine) {
    // Wine 8 exports these as stubs that abort the process: resolved or imported, never called.
    CHECK((runtime.waitForDisconnectEx != nullptr));
    CHECK_FALSE(runtime.canWaitForDisconnect);
    CHECK_FALSE(runtime.canReceiveClientCertificate);
    CHECK_FALSE(runtime.canCancelRequest);
    CHECK(runtime.canSendEntityBody == (wineMajor() >= 10));
    CHECK_FALSE(runtime.canSendFileChunks);
    CHECK_FALSE(runtime.honoursQueueNames);
    CHECK(runtime.oneUrlPerGroup);
    CHECK(runtime.propertiesMayBeMissing);
  } else {
    CHECK((runtime.waitForDisconnectEx != nullptr));  // Windows 7 / Server 2008 R2 and later
    CHECK(runtime.canWaitForDisconnect);
    CHECK(runtime.canCancelRequest);
    CHECK(runtime.canSendFileChunks);
    CHECK_FALSE(runtime.oneUrlPerGroup);
    CHECK_FALSE(runtime.propertiesMayBeMissing);
  }
  // Every function of the table is there: the backend calls nothing of httpapi.dll but through it.
  CHECK((runtime.receiveHttpRequest != nullptr && runtime.sendHttpResponse != nullptr &&
         runtime.sendResponseEntityBody != nullptr && runtime.cancelHttpRequest != nullptr &&
         runtime.setUrlGroupProperty != nullptr && runtime.formatMessage != nullptr));
}

TEST_CASE("a replacement of the HTTP Server API is in place until it is taken away") {
  windows::HttpApiRuntime replacement = windows::resolveHttpApi();
  replacement.oneUrlPerGroup = !windows::httpApi().oneUrlPerGroup;
  const windows::HttpApiRuntime* previous = windows::replaceHttpApiForTesting(&replacement);
  CHECK(previous == nullptr);
  CHECK(&windows::httpApi() == &replacement);
  CHECK(windows::replaceHttpApiForTesting(previous) == &replacement);
  CHECK(&windows::httpApi() != &replacement);
}

}  // TEST_SUITE

#endif  // _WIN32
