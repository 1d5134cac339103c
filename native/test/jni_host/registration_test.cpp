// JNI_OnLoad and the RegisterNatives table against the compiled Native class: a native added on
// one side only fails here (an UnsatisfiedLinkError or a NoSuchMethodError on a user's machine).
// Also the numbers Java reads the completion buffer and the settings array with.
#include <doctest/doctest.h>

#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "hsys/engine.h"
#include "loaded_library.h"

using namespace hsys;
using namespace hsys::jnihost;

namespace {

using Signature = std::pair<std::string, std::string>;  // name, descriptor

std::string describe(const std::set<Signature>& signatures) {
  std::ostringstream out;
  for (const auto& [name, descriptor] : signatures) out << "\n    " << name << descriptor;
  return out.str();
}

std::string describeException(const Object* exception) {
  if (exception == nullptr) return "none";
  std::string text = exception->type->name;
  if (!exception->constructorArguments.empty()) text += ": " + HostVm::utf8(exception->constructorArguments[0].reference);
  return text;
}

int64_t constantOf(const LoadedLibrary& loaded, const std::string& className, const std::string& name) {
  const JavaClass* type = loaded.model.find(className);
  REQUIRE_MESSAGE(type != nullptr, className << " is not in the javap surface");
  const Member* member = type->declaredMember(name);
  REQUIRE_MESSAGE((member != nullptr && member->constant), className << "." << name << " is not a constant");
  return *member->constant;
}

}  // namespace

TEST_SUITE("JNI layer: loading") {

TEST_CASE("JNI_OnLoad succeeds and asks for a JNI version the JVM supports") {
  LoadedLibrary& loaded = loadedLibrary(false);
  CHECK_MESSAGE(loaded.onLoadException == nullptr,
                "JNI_OnLoad left " << describeException(loaded.onLoadException) << " pending");
  CHECK(loaded.onLoadResult == JNI_VERSION_1_8);
}

TEST_CASE("the registered natives are exactly the natives Native.java declares, with the same descriptors") {
  LoadedLibrary& loaded = loadedLibrary(false);
  const JavaClass& native = loaded.natives->type();
  std::set<Signature> declared;
  for (const Member* method : native.nativeMethods()) {
    CHECK_MESSAGE(method->isStatic, "Native." << method->name << " is not static; the table registers static natives");
    declared.emplace(method->name, method->descriptor);
  }
  REQUIRE_MESSAGE(!declared.empty(), "javap showed no natives in Native: is the surface current?");
  std::set<Signature> registered;
  for (const Registration& registration : loaded.vm->registrations()) {
    CHECK_MESSAGE(registration.owner == &native, "a native registered on " << registration.owner->name);
    CHECK_MESSAGE(registration.function != nullptr, registration.name << " registered without a function");
    CHECK_MESSAGE(registered.emplace(registration.name, registration.descriptor).second,
                  registration.name << registration.descriptor << " registered twice");
  }
  std::set<Signature> notRegistered, notDeclared;
  for (const Signature& signature : declared) {
    if (registered.count(signature) == 0) notRegistered.insert(signature);
  }
  for (const Signature& signature : registered) {
    if (declared.count(signature) == 0) notDeclared.insert(signature);
  }
  CHECK_MESSAGE(notRegistered.empty(), "declared in Native.java but not registered by native/jni/jni_bridge.cpp "
                                       "(UnsatisfiedLinkError on the first call):" << describe(notRegistered));
  CHECK_MESSAGE(notDeclared.empty(), "registered by native/jni/jni_bridge.cpp but not a native of Native.java "
                                     "(RegisterNatives fails, the library does not load):" << describe(notDeclared));
  MESSAGE(declared.size() << " natives declared, " << registered.size() << " registered");
}

TEST_CASE("the Java constants the natives are read with equal engine.h's") {
  LoadedLibrary& loaded = loadedLibrary(false);
  const std::string native = "dev/nettyhttpsys/transport/Native";
  const std::string status = "dev/nettyhttpsys/transport/EngineStatus";
  const struct {
    const std::string& className;
    const char* name;
    int64_t engineValue;
  } constants[] = {
      {native, "COMPLETION_SIZE", static_cast<int64_t>(sizeof(Completion))},
      {native, "REQUEST_RECEIVED", kRequestReceived},
      {native, "SEND_COMPLETED", kSendCompleted},
      {native, "BODY_RECEIVED", kBodyReceived},
      {native, "QUEUE_CLOSED", kQueueClosed},
      {native, "REQUEST_ABORTED", kRequestAborted},
      {native, "CONNECTION_CLOSED", kConnectionClosed},
      {status, "OK", kOk},
      {status, "CANCELLED", kCancelled},
      {status, "CONNECTION_LOST", kConnectionLost},
      {status, "INVALID_ARGUMENT", kInvalidArgument},
      {status, "NO_SUCH_REQUEST", kNoSuchRequest},
      {status, "BUSY", kBusy},
      {status, "SYSTEM_ERROR", kSystemError},
      {status, "UNSUPPORTED", kUnsupported},
  };
  for (const auto& constant : constants) {
    CAPTURE(constant.name);
    CHECK(constantOf(loaded, constant.className, constant.name) == constant.engineValue);
  }
  CHECK(constantOf(loaded, "dev/nettyhttpsys/transport/ServerSettings", "NATIVE_COUNT") == kQueueOptionCount);
}

}  // TEST_SUITE
