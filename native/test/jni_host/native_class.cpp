#include "native_class.h"

#include <doctest/doctest.h>

namespace hsys::jnihost {

// Called on every native call: its checks fail the case when broken but add no assertion count.
void* NativeClass::link(const std::string& name, const std::string& argumentKinds, char resultKind,
                        const std::vector<Object*>& objects) {
  const Member* method = type_.declaredMember(name);
  if (method == nullptr) FAIL(type_.name << " declares no " << name);
  if (!method->isMethod || !method->isNative || !method->isStatic) FAIL(type_.name << "." << name << " is not a static native");
  std::vector<std::string> parameters;
  std::string returnType;
  if (!splitMethodDescriptor(method->descriptor, parameters, returnType)) FAIL("bad descriptor " << method->descriptor);
  std::string declaredKinds;
  for (const std::string& parameter : parameters) declaredKinds += parameter[0] == '[' ? 'L' : parameter[0];
  char declaredResult = returnType[0] == '[' ? 'L' : returnType[0];
  if (declaredKinds != argumentKinds || declaredResult != resultKind) {
    FAIL("the host calls " << name << " with kinds (" << argumentKinds << ")" << resultKind
                           << " but Native.java declares " << method->descriptor);
  }
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (objects[i] == nullptr) continue;
    const std::string& parameter = parameters[i];
    std::string expected = parameter[0] == 'L' ? parameter.substr(1, parameter.size() - 2) : parameter;
    std::string missing;
    if (!vm_.model().isAssignable(*objects[i]->type, expected, missing)) {
      FAIL(name << ": argument " << i << " is a " << objects[i]->type->name << ", not a " << expected);
    }
  }
  for (const Registration& registration : vm_.registrations()) {
    if (registration.owner == &type_ && registration.name == name && registration.descriptor == method->descriptor) {
      return registration.function;
    }
  }
  FAIL("UnsatisfiedLinkError: " << type_.name << "." << name << method->descriptor
                                << " is declared but the library registered no function for it");
  return nullptr;
}

void NativeClass::afterCall(const std::string& name) {
  lastException = vm_.takePendingException();
  for (const std::string& problem : vm_.takeProblems()) {
    FAIL_CHECK("during " << name << ": " << problem);
  }
}

}  // namespace hsys::jnihost
