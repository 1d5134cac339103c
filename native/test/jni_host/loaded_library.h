// What main() set up before the cases run: the javap surface, the VM and the JNI library after
// JNI_OnLoad. The library is loaded once per process, as a JVM loads it once.
#pragma once

#include <jni.h>

#include <memory>
#include <string>

#include "class_model.h"
#include "host_vm.h"
#include "jni_library.h"
#include "native_class.h"

namespace hsys::jnihost {

struct LoadedLibrary {
  std::string libraryPath;
  std::string surfacePath;
  std::string problem;  // why the set-up failed; empty when it worked
  ClassModel model;
  std::unique_ptr<HostVm> vm;
  std::unique_ptr<JniLibrary> library;
  jint onLoadResult = JNI_ERR;
  Object* onLoadException = nullptr;
  std::unique_ptr<NativeClass> natives;  // dev.nettyhttpsys.transport.Native
};

// The process's library. Each case REQUIREs that it loaded and, unless it checks JNI_OnLoad
// itself, that JNI_OnLoad succeeded: after a failed one a JVM's System.load throws and no native
// can be called.
LoadedLibrary& loadedLibrary(bool requireOnLoad = true);

}  // namespace hsys::jnihost
