// Calls a class's natives as the JVM does once RegisterNatives linked them: the method is looked
// up by name in the javap surface (Native.java declares each name once), the function is the one
// registered for that name and descriptor, the C++ argument and result kinds must match the
// descriptor, and each call runs in a native frame with its object arguments as local references.
// A pending exception afterwards is taken as Java's catch would (lastException).
#pragma once

#include <jni.h>

#include <string>
#include <type_traits>
#include <vector>

#include "host_vm.h"

namespace hsys::jnihost {

template <typename T>
constexpr char jniKindOf() {
  if constexpr (std::is_void_v<T>) {
    return 'V';
  } else if constexpr (std::is_same_v<T, jlong>) {
    return 'J';
  } else if constexpr (std::is_same_v<T, jint>) {
    return 'I';
  } else if constexpr (std::is_same_v<T, jboolean>) {
    return 'Z';
  } else {
    static_assert(std::is_same_v<T, Object*>, "pass jlong, jint, jboolean or Object* (spell jint/jlong out)");
    return 'L';
  }
}

template <typename T>
using JniType = std::conditional_t<std::is_same_v<T, Object*>, jobject, T>;

class NativeClass {
 public:
  NativeClass(HostVm& vm, const JavaClass& type) : vm_(vm), type_(type) {}

  // R is void, jint, jlong, jboolean or Object* (a returned reference, resolved in the frame).
  template <typename R, typename... A>
  R call(const std::string& name, A... arguments) {
    void* target = link(name, std::string{jniKindOf<A>()...}, jniKindOf<R>(), {objectOf(arguments)...});
    auto function = reinterpret_cast<JniType<R>(JNICALL*)(JNIEnv*, jclass, JniType<A>...)>(target);
    auto invoke = [&](HostVm::NativeFrame& frame) {
      return function(vm_.env(), static_cast<jclass>(frame.local(vm_.mirror(type_))), pass(frame, arguments)...);
    };
    if constexpr (std::is_void_v<R>) {
      {
        HostVm::NativeFrame frame(vm_);
        invoke(frame);
      }
      afterCall(name);
    } else {
      R result{};
      {
        HostVm::NativeFrame frame(vm_);
        if constexpr (std::is_same_v<R, Object*>) {
          result = vm_.resolve(invoke(frame), name.c_str());
        } else {
          result = invoke(frame);
        }
      }
      afterCall(name);
      return result;
    }
  }

  Object* lastException = nullptr;  // what the last call threw, or nullptr
  const JavaClass& type() const { return type_; }

 private:
  template <typename A>
  static Object* objectOf(A argument) {
    if constexpr (std::is_same_v<A, Object*>) {
      return argument;
    } else {
      return nullptr;
    }
  }
  template <typename A>
  static JniType<A> pass(HostVm::NativeFrame& frame, A argument) {
    if constexpr (std::is_same_v<A, Object*>) {
      return frame.local(argument);
    } else {
      return argument;
    }
  }
  // The registered function for the native called name, after checking the call against it.
  void* link(const std::string& name, const std::string& argumentKinds, char resultKind,
             const std::vector<Object*>& objects);
  // Takes the pending exception and fails the test on problems the VM found during the call.
  void afterCall(const std::string& name);

  HostVm& vm_;
  const JavaClass& type_;
};

}  // namespace hsys::jnihost
