// The JNI library as System.load sees it: loaded with LoadLibraryW (Windows) or dlopen (Linux),
// then JNI_OnLoad called with the host's JavaVM inside a native frame, as HotSpot does.
#pragma once

#include <jni.h>

#include <memory>
#include <string>

#include "host_vm.h"

namespace hsys::jnihost {

class JniLibrary {
 public:
  // nullptr with the reason in error when the library does not load or exports no JNI_OnLoad.
  static std::unique_ptr<JniLibrary> load(const std::string& path, std::string& error);
  // Like a JVM, never unloads: the registered functions stay valid for the whole run.
  ~JniLibrary() = default;

  // Calls JNI_OnLoad(vm, nullptr); returns what it returned.
  jint onLoad(HostVm& vm) const;

 private:
  using OnLoad = jint(JNICALL*)(JavaVM*, void*);
  explicit JniLibrary(OnLoad onLoad) : onLoad_(onLoad) {}
  OnLoad onLoad_;
};

}  // namespace hsys::jnihost
