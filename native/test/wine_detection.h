// Which Wine (if any) a Windows test binary runs under, so cases Wine cannot run are registered
// as skipped with their reason (doctest::skip + description), never silently passed.
#pragma once
#ifdef _WIN32

#include <windows.h>

#include <cstdio>

namespace hsys::test {

// "8.0", "10.0"...: the Wine version this process runs under, or nullptr on real Windows.
inline const char* wineVersion() {
  using WineGetVersion = const char*(CDECL*)();
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  auto get = ntdll == nullptr ? nullptr
                              : reinterpret_cast<WineGetVersion>(reinterpret_cast<void*>(
                                    GetProcAddress(ntdll, "wine_get_version")));
  return get == nullptr ? nullptr : get();
}

inline bool runningUnderWine() { return wineVersion() != nullptr; }

inline int wineMajor() {
  const char* version = wineVersion();
  int major = 0;
  if (version != nullptr) std::sscanf(version, "%d", &major);
  return major;
}

// Wine before 10 has no HttpSendResponseEntityBody (a process-aborting stub).
inline bool wineWithoutStreaming() { return runningUnderWine() && wineMajor() < 10; }

}  // namespace hsys::test

#endif  // _WIN32
