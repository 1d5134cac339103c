#include "jni_library.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

namespace hsys::jnihost {

std::unique_ptr<JniLibrary> JniLibrary::load(const std::string& path, std::string& error) {
#ifdef _WIN32
  int length = MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, nullptr, 0);
  std::wstring wide(static_cast<size_t>(length), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, wide.data(), length);
  HMODULE module = LoadLibraryW(wide.c_str());  // what HotSpot's os::dll_load calls
  if (module == nullptr) {
    error = "LoadLibraryW(" + path + ") failed with error " + std::to_string(GetLastError());
    return nullptr;
  }
  void* symbol = reinterpret_cast<void*>(GetProcAddress(module, "JNI_OnLoad"));
#else
  void* module = dlopen(path.c_str(), RTLD_LAZY);  // what HotSpot's os::dll_load calls
  if (module == nullptr) {
    error = std::string("dlopen failed: ") + dlerror();
    return nullptr;
  }
  void* symbol = dlsym(module, "JNI_OnLoad");
#endif
  if (symbol == nullptr) {
    error = path + " exports no JNI_OnLoad";
    return nullptr;
  }
  return std::unique_ptr<JniLibrary>(new JniLibrary(reinterpret_cast<OnLoad>(symbol)));
}

jint JniLibrary::onLoad(HostVm& vm) const {
  HostVm::NativeFrame frame(vm);
  return onLoad_(vm.javaVm(), nullptr);
}

}  // namespace hsys::jnihost
