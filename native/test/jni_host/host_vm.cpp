#include "host_vm.h"

#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <utility>

#include "java_strings.h"
#include "jni_slot_names.h"

namespace hsys::jnihost {

static_assert(std::size(kJNINativeInterface_SlotNames) * sizeof(void*) == sizeof(JNINativeInterface_),
              "the slot names read from jni.h must cover JNIEnv's function table exactly");
static_assert(std::size(kJNIInvokeInterface_SlotNames) * sizeof(void*) == sizeof(JNIInvokeInterface_),
              "the slot names read from jni.h must cover JavaVM's function table exactly");

namespace {

[[noreturn]] void fatal(const std::string& message) {
  std::fprintf(stderr, "\njni host: FATAL: %s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

const char* const kImplementHint =
    ", which this host does not implement: implement it in native/test/jni_host/host_vm.cpp with "
    "the checks a JVM makes, so the JNI layer stays covered";

template <size_t I>
void JNICALL unimplementedEnvSlot() {
  fatal(std::string("the library called JNIEnv::") + kJNINativeInterface_SlotNames[I] + kImplementHint);
}

template <size_t I>
void JNICALL unimplementedVmSlot() {
  fatal(std::string("the library called JavaVM::") + kJNIInvokeInterface_SlotNames[I] + kImplementHint);
}

template <typename Table, void (JNICALL*... stubs)()>
void fillWithStubs(Table& table) {
  void* entries[] = {reinterpret_cast<void*>(stubs)...};
  static_assert(sizeof entries == sizeof(Table));
  std::memcpy(&table, entries, sizeof entries);
}

template <size_t... I>
void fillEnvStubs(JNINativeInterface_& table, std::index_sequence<I...>) {
  fillWithStubs<JNINativeInterface_, &unimplementedEnvSlot<I>...>(table);
}

template <size_t... I>
void fillVmStubs(JNIInvokeInterface_& table, std::index_sequence<I...>) {
  fillWithStubs<JNIInvokeInterface_, &unimplementedVmSlot<I>...>(table);
}

bool isSupportedVersion(jint version) {
  switch (version) {
    case JNI_VERSION_1_1: case JNI_VERSION_1_2: case JNI_VERSION_1_4: case JNI_VERSION_1_6:
    case JNI_VERSION_1_8: case JNI_VERSION_9: case JNI_VERSION_10:
      return true;
    default:
      return false;
  }
}

// The class a field descriptor names: "Ljava/nio/ByteBuffer;" -> "java/nio/ByteBuffer", "[J" -> "[J".
std::string referenceTypeOf(const std::string& descriptor) {
  if (descriptor.size() > 2 && descriptor[0] == 'L') return descriptor.substr(1, descriptor.size() - 2);
  return descriptor;
}

bool isReferenceDescriptor(const std::string& descriptor) {
  return !descriptor.empty() && (descriptor[0] == 'L' || descriptor[0] == '[');
}

}  // namespace

struct HostVm::Functions {
  static HostVm& of(JNIEnv* env) { return *reinterpret_cast<EnvHolder*>(env)->vm; }

  // Every JNIEnv entry starts here: the JNIEnv's own thread, inside a native call, and no
  // exception pending unless the function is one of the exception-safe ones.
  static HostVm& enter(JNIEnv* env, const char* function, bool exceptionSafe = false) {
    HostVm& vm = of(env);
    if (std::this_thread::get_id() != vm.thread_) {
      fatal(std::string(function) + " called on another thread than its JNIEnv's (a JNIEnv is per thread)");
    }
    if (vm.frames_.empty()) fatal(std::string(function) + " called outside a native method call or JNI_OnLoad");
    if (!exceptionSafe && vm.pending_ != nullptr) {
      fatal(std::string(function) + " called with " + vm.pending_->type->name +
            " pending; only the exception-safe JNI functions may run then");
    }
    return vm;
  }

  static const Member& member(HostVm& vm, const void* id, const char* function) {
    if (vm.knownMembers_.count(id) == 0) fatal(std::string(function) + ": not a field or method ID this VM gave out");
    return *static_cast<const Member*>(id);
  }

  static Object* nonNull(HostVm& vm, jobject reference, const char* function) {
    Object* object = vm.resolve(reference, function);
    if (object == nullptr) fatal(std::string(function) + ": null object (a JVM would crash)");
    return object;
  }

  static const JavaClass& classOf(HostVm& vm, jclass reference, const char* function) {
    Object* object = nonNull(vm, reference, function);
    if (object->mirrorOf == nullptr) fatal(std::string(function) + ": the jclass argument is not a class");
    return *object->mirrorOf;
  }

  static const JavaClass* superOf(HostVm& vm, const JavaClass& type, const char* function) {
    std::string missing;
    const JavaClass* parent = vm.model_.superOf(type, missing);
    if (!missing.empty()) {
      fatal(std::string(function) + ": superclass " + missing + " of " + type.name +
            " is not in the javap surface; add it to scripts/jni-surface.sh");
    }
    return parent;
  }

  static bool assignable(HostVm& vm, const Object* value, const std::string& target, const char* function) {
    if (value == nullptr) return true;
    if (value->type->name == target) return true;
    std::string missing;
    bool result = vm.model_.isAssignable(*value->type, target, missing);
    if (!result && !missing.empty()) {
      fatal(std::string(function) + ": superclass " + missing + " is not in the javap surface; add it to "
            "scripts/jni-surface.sh");
    }
    return result;
  }

  // The instance field slot for an access of the given kind ('J', 'I', or 'L' for references).
  static Value& field(HostVm& vm, jobject reference, jfieldID id, char kind, const char* function) {
    Object* object = nonNull(vm, reference, function);
    const Member& field = member(vm, id, function);
    if (field.isMethod || field.isStatic) fatal(std::string(function) + ": " + field.name + " is not an instance field");
    if (!assignable(vm, object, field.owner->name, function)) {
      fatal(std::string(function) + ": the object is a " + object->type->name + ", which has no field " +
            field.owner->name + "." + field.name);
    }
    bool matches = kind == 'L' ? isReferenceDescriptor(field.descriptor) : field.descriptor == std::string(1, kind);
    if (!matches) {
      fatal(std::string(function) + " on " + field.owner->name + "." + field.name + ", whose type is " +
            field.descriptor);
    }
    return object->fields[&field];
  }

  static jint JNICALL GetEnv(JavaVM* javaVm, void** env, jint version) {
    HostVm& vm = *reinterpret_cast<VmHolder*>(javaVm)->host;
    if (std::this_thread::get_id() != vm.thread_) fatal("GetEnv on a thread this host did not attach");
    if (!isSupportedVersion(version)) {
      *env = nullptr;
      return JNI_EVERSION;
    }
    *env = &vm.env_.env;
    return JNI_OK;
  }

  static jclass JNICALL FindClass(JNIEnv* env, const char* name) {
    HostVm& vm = enter(env, "FindClass");
    const JavaClass* type = vm.model_.find(name);
    if (type == nullptr) {
      vm.throwNew("java/lang/NoClassDefFoundError", name);
      return nullptr;
    }
    return static_cast<jclass>(vm.makeRef(vm.mirror(*type), false));
  }

  static jclass JNICALL GetObjectClass(JNIEnv* env, jobject object) {
    HostVm& vm = enter(env, "GetObjectClass");
    return static_cast<jclass>(vm.makeRef(vm.mirror(*nonNull(vm, object, "GetObjectClass")->type), false));
  }

  static jobject JNICALL NewGlobalRef(JNIEnv* env, jobject reference) {
    HostVm& vm = enter(env, "NewGlobalRef");
    Object* object = vm.resolve(reference, "NewGlobalRef");
    return object == nullptr ? nullptr : vm.makeRef(object, true);
  }

  static void JNICALL DeleteLocalRef(JNIEnv* env, jobject reference) {
    HostVm& vm = enter(env, "DeleteLocalRef", true);
    if (reference == nullptr) return;
    vm.resolve(reference, "DeleteLocalRef");
    auto* ref = reinterpret_cast<Ref*>(reference);
    if (ref->global) fatal("DeleteLocalRef on a global reference");
    ref->live = false;
  }

  static jfieldID JNICALL GetFieldID(JNIEnv* env, jclass clazz, const char* name, const char* signature) {
    HostVm& vm = enter(env, "GetFieldID");
    for (const JavaClass* at = &classOf(vm, clazz, "GetFieldID"); at != nullptr; at = superOf(vm, *at, "GetFieldID")) {
      const Member* found = at->declaredField(name, signature);
      if (found != nullptr && !found->isStatic) {
        vm.knownMembers_.insert(found);
        return reinterpret_cast<jfieldID>(const_cast<Member*>(found));
      }
    }
    vm.throwNew("java/lang/NoSuchFieldError", name);
    return nullptr;
  }

  static jmethodID JNICALL GetMethodID(JNIEnv* env, jclass clazz, const char* name, const char* signature) {
    HostVm& vm = enter(env, "GetMethodID");
    bool constructor = std::strcmp(name, "<init>") == 0;
    for (const JavaClass* at = &classOf(vm, clazz, "GetMethodID"); at != nullptr;
         at = constructor ? nullptr : superOf(vm, *at, "GetMethodID")) {
      const Member* found = at->declaredMethod(name, signature);
      if (found != nullptr && !found->isStatic) {
        vm.knownMembers_.insert(found);
        return reinterpret_cast<jmethodID>(const_cast<Member*>(found));
      }
    }
    vm.throwNew("java/lang/NoSuchMethodError", std::string(name) + signature);
    return nullptr;
  }

  static jint JNICALL RegisterNatives(JNIEnv* env, jclass clazz, const JNINativeMethod* methods, jint count) {
    HostVm& vm = enter(env, "RegisterNatives");
    const JavaClass& owner = classOf(vm, clazz, "RegisterNatives");
    for (jint i = 0; i < count; ++i) {
      vm.registrations_.push_back({&owner, methods[i].name, methods[i].signature, methods[i].fnPtr});
    }
    for (jint i = 0; i < count; ++i) {  // as HotSpot: the first mismatch fails the whole call
      const Member* method = owner.declaredMethod(methods[i].name, methods[i].signature);
      if (method == nullptr || !method->isNative || methods[i].fnPtr == nullptr) {
        vm.throwNew("java/lang/NoSuchMethodError", std::string("Method '") + methods[i].name + methods[i].signature +
                                                       "' name or signature does not match a native of " + owner.name);
        return JNI_ERR;
      }
    }
    return JNI_OK;
  }

  static jint JNICALL Throw(JNIEnv* env, jthrowable throwable) {
    HostVm& vm = enter(env, "Throw");
    Object* object = nonNull(vm, throwable, "Throw");
    if (!assignable(vm, object, "java/lang/Throwable", "Throw")) fatal("Throw with a " + object->type->name);
    vm.pending_ = object;
    return JNI_OK;
  }

  static jboolean JNICALL ExceptionCheck(JNIEnv* env) {
    return enter(env, "ExceptionCheck", true).pending_ != nullptr ? JNI_TRUE : JNI_FALSE;
  }

  static void JNICALL ExceptionClear(JNIEnv* env) { enter(env, "ExceptionClear", true).pending_ = nullptr; }

  static jobject JNICALL NewObjectV(JNIEnv* env, jclass clazz, jmethodID id, va_list arguments) {
    HostVm& vm = enter(env, "NewObject");
    const JavaClass& type = classOf(vm, clazz, "NewObject");
    const Member& constructor = member(vm, id, "NewObject");
    if (constructor.name != "<init>" || constructor.owner != &type) {
      fatal("NewObject with " + constructor.owner->name + "." + constructor.name + " for a " + type.name);
    }
    if (type.isAbstract) fatal("NewObject of abstract " + type.name);
    std::vector<std::string> parameters;
    std::string returnType;
    if (!splitMethodDescriptor(constructor.descriptor, parameters, returnType)) fatal("bad descriptor " + constructor.descriptor);
    Object* object = vm.allocate(type);
    object->constructor = &constructor;
    for (const std::string& parameter : parameters) {
      Value value;
      switch (parameter[0]) {
        case 'J': value.primitive = va_arg(arguments, jlong); break;
        case 'F': case 'D': value.primitive = static_cast<jlong>(va_arg(arguments, double)); break;
        case 'L': case '[': {
          value.reference = vm.resolve(va_arg(arguments, jobject), "NewObject");
          if (!assignable(vm, value.reference, referenceTypeOf(parameter), "NewObject")) {
            fatal("NewObject " + type.name + constructor.descriptor + ": a " + value.reference->type->name +
                  " passed for " + parameter);
          }
          break;
        }
        default: value.primitive = va_arg(arguments, int); break;  // Z B C S I arrive promoted to int
      }
      object->constructorArguments.push_back(value);
    }
    return vm.makeRef(object, false);
  }

  static jstring JNICALL NewStringUTF(JNIEnv* env, const char* bytes) {
    HostVm& vm = enter(env, "NewStringUTF");
    if (bytes == nullptr) return nullptr;
    std::u16string chars;
    if (!decodeModifiedUtf8(bytes, chars)) {
      vm.problems_.push_back("NewStringUTF got bytes that are not modified UTF-8 (a JVM mangles or rejects "
                             "them): \"" + printable(bytes) + "\"");
    }
    return static_cast<jstring>(vm.makeRef(vm.newString(chars), false));
  }

  static const char* JNICALL GetStringUTFChars(JNIEnv* env, jstring string, jboolean* isCopy) {
    HostVm& vm = enter(env, "GetStringUTFChars");
    Object* object = nonNull(vm, string, "GetStringUTFChars");
    if (object->type->name != "java/lang/String") fatal("GetStringUTFChars on a " + object->type->name);
    std::string text = encodeModifiedUtf8(object->chars);
    char* copy = new char[text.size() + 1];
    std::memcpy(copy, text.c_str(), text.size() + 1);
    vm.utfChars_[copy] = object;
    if (isCopy != nullptr) *isCopy = JNI_TRUE;
    return copy;
  }

  static void JNICALL ReleaseStringUTFChars(JNIEnv* env, jstring string, const char* chars) {
    HostVm& vm = enter(env, "ReleaseStringUTFChars", true);
    auto found = vm.utfChars_.find(chars);
    if (found == vm.utfChars_.end()) fatal("ReleaseStringUTFChars with chars GetStringUTFChars did not give out");
    if (found->second != vm.resolve(string, "ReleaseStringUTFChars")) {
      fatal("ReleaseStringUTFChars with another string than the chars came from");
    }
    vm.utfChars_.erase(found);
    delete[] chars;
  }

  static jsize JNICALL GetArrayLength(JNIEnv* env, jarray array) {
    HostVm& vm = enter(env, "GetArrayLength");
    Object* object = nonNull(vm, array, "GetArrayLength");
    if (object->type->name != "[J") fatal("GetArrayLength on a " + object->type->name + " (this host has long[] only)");
    return static_cast<jsize>(object->longs.size());
  }

  static void JNICALL GetLongArrayRegion(JNIEnv* env, jlongArray array, jsize start, jsize length, jlong* buffer) {
    HostVm& vm = enter(env, "GetLongArrayRegion");
    Object* object = nonNull(vm, array, "GetLongArrayRegion");
    if (object->type->name != "[J") fatal("GetLongArrayRegion on a " + object->type->name);
    if (start < 0 || length < 0 || static_cast<size_t>(start) + static_cast<size_t>(length) > object->longs.size()) {
      vm.throwNew("java/lang/ArrayIndexOutOfBoundsException", "Array region " + std::to_string(start) + ".." +
                                                                  std::to_string(start + length) + " out of bounds");
      return;
    }
    std::memcpy(buffer, object->longs.data() + start, static_cast<size_t>(length) * sizeof(jlong));
  }

  static void JNICALL SetLongArrayRegion(JNIEnv* env, jlongArray array, jsize start, jsize length,
                                         const jlong* buffer) {
    HostVm& vm = enter(env, "SetLongArrayRegion");
    Object* object = nonNull(vm, array, "SetLongArrayRegion");
    if (object->type->name != "[J") fatal("SetLongArrayRegion on a " + object->type->name);
    if (start < 0 || length < 0 || static_cast<size_t>(start) + static_cast<size_t>(length) > object->longs.size()) {
      vm.throwNew("java/lang/ArrayIndexOutOfBoundsException", "Array region " + std::to_string(start) + ".." +
                                                                  std::to_string(start + length) + " out of bounds");
      return;
    }
    std::memcpy(object->longs.data() + start, buffer, static_cast<size_t>(length) * sizeof(jlong));
  }

  static jobject JNICALL NewDirectByteBuffer(JNIEnv* env, void* address, jlong capacity) {
    HostVm& vm = enter(env, "NewDirectByteBuffer");
    if (capacity < 0 || capacity > INT_MAX) {
      vm.throwNew("java/lang/IllegalArgumentException", "Capacity " + std::to_string(capacity) + " out of range");
      return nullptr;
    }
    Object* buffer = vm.allocate(vm.classNamed("java/nio/DirectByteBuffer"));
    buffer->address = address;
    buffer->capacity = capacity;
    return vm.makeRef(buffer, false);
  }

  static void* JNICALL GetDirectBufferAddress(JNIEnv* env, jobject buffer) {
    HostVm& vm = enter(env, "GetDirectBufferAddress");
    Object* object = vm.resolve(buffer, "GetDirectBufferAddress");
    if (object == nullptr || !assignable(vm, object, "java/nio/Buffer", "GetDirectBufferAddress")) return nullptr;
    return object->address;  // nullptr for a heap buffer, as a JVM answers
  }

  static jobject JNICALL GetObjectField(JNIEnv* env, jobject object, jfieldID id) {
    HostVm& vm = enter(env, "GetObjectField");
    Object* value = field(vm, object, id, 'L', "GetObjectField").reference;
    return value == nullptr ? nullptr : vm.makeRef(value, false);
  }

  static void JNICALL SetObjectField(JNIEnv* env, jobject object, jfieldID id, jobject value) {
    HostVm& vm = enter(env, "SetObjectField");
    Value& slot = field(vm, object, id, 'L', "SetObjectField");
    Object* target = vm.resolve(value, "SetObjectField");
    const std::string& descriptor = static_cast<const Member*>(static_cast<const void*>(id))->descriptor;
    if (!assignable(vm, target, referenceTypeOf(descriptor), "SetObjectField")) {
      fatal("SetObjectField: a " + target->type->name + " stored into a field of type " + descriptor);
    }
    slot.reference = target;
  }

  static jlong JNICALL GetLongField(JNIEnv* env, jobject object, jfieldID id) {
    HostVm& vm = enter(env, "GetLongField");
    return field(vm, object, id, 'J', "GetLongField").primitive;
  }

  static jint JNICALL GetIntField(JNIEnv* env, jobject object, jfieldID id) {
    HostVm& vm = enter(env, "GetIntField");
    return static_cast<jint>(field(vm, object, id, 'I', "GetIntField").primitive);
  }
};

HostVm::HostVm(ClassModel& model) : model_(model) {
  fillEnvStubs(envTable_, std::make_index_sequence<std::size(kJNINativeInterface_SlotNames)>());
  fillVmStubs(vmTable_, std::make_index_sequence<std::size(kJNIInvokeInterface_SlotNames)>());
  vmTable_.GetEnv = &Functions::GetEnv;
  envTable_.FindClass = &Functions::FindClass;
  envTable_.GetObjectClass = &Functions::GetObjectClass;
  envTable_.NewGlobalRef = &Functions::NewGlobalRef;
  envTable_.DeleteLocalRef = &Functions::DeleteLocalRef;
  envTable_.GetFieldID = &Functions::GetFieldID;
  envTable_.GetMethodID = &Functions::GetMethodID;
  envTable_.RegisterNatives = &Functions::RegisterNatives;
  envTable_.Throw = &Functions::Throw;
  envTable_.ExceptionCheck = &Functions::ExceptionCheck;
  envTable_.ExceptionClear = &Functions::ExceptionClear;
  envTable_.NewObjectV = &Functions::NewObjectV;
  envTable_.NewStringUTF = &Functions::NewStringUTF;
  envTable_.GetStringUTFChars = &Functions::GetStringUTFChars;
  envTable_.ReleaseStringUTFChars = &Functions::ReleaseStringUTFChars;
  envTable_.GetArrayLength = &Functions::GetArrayLength;
  envTable_.GetLongArrayRegion = &Functions::GetLongArrayRegion;
  envTable_.SetLongArrayRegion = &Functions::SetLongArrayRegion;
  envTable_.NewDirectByteBuffer = &Functions::NewDirectByteBuffer;
  envTable_.GetDirectBufferAddress = &Functions::GetDirectBufferAddress;
  envTable_.GetObjectField = &Functions::GetObjectField;
  envTable_.SetObjectField = &Functions::SetObjectField;
  envTable_.GetLongField = &Functions::GetLongField;
  envTable_.GetIntField = &Functions::GetIntField;
  env_.env.functions = &envTable_;
  env_.vm = this;
  vmHolder_.vm.functions = &vmTable_;
  vmHolder_.host = this;
}

HostVm::~HostVm() {
  for (auto& [chars, string] : utfChars_) delete[] chars;
}

const JavaClass& HostVm::classNamed(const std::string& name) const {
  const JavaClass* type = model_.find(name);
  if (type == nullptr) fatal("class " + name + " is not in the javap surface; add it to scripts/jni-surface.sh");
  return *type;
}

Object* HostVm::allocate(const JavaClass& type) {
  heap_.push_back(std::make_unique<Object>());
  heap_.back()->type = &type;
  return heap_.back().get();
}

Object* HostVm::newInstance(const JavaClass& type) { return allocate(type); }

Object* HostVm::newString(const std::u16string& chars) {
  Object* string = allocate(classNamed("java/lang/String"));
  string->chars = chars;
  return string;
}

Object* HostVm::newLongArray(const std::vector<jlong>& values) {
  const JavaClass* type = model_.find("[J");
  Object* array = allocate(type != nullptr ? *type : model_.define("[J", "java/lang/Object"));
  array->longs = values;
  return array;
}

Object* HostVm::newDirectBuffer(jlong capacity) {
  directMemory_.push_back(std::make_unique<uint8_t[]>(static_cast<size_t>(capacity)));
  Object* buffer = allocate(classNamed("java/nio/DirectByteBuffer"));
  buffer->address = directMemory_.back().get();
  buffer->capacity = capacity;
  return buffer;
}

Object* HostVm::mirror(const JavaClass& type) {
  Object*& mirror = mirrors_[&type];
  if (mirror == nullptr) {
    const JavaClass* classClass = model_.find("java/lang/Class");
    mirror = allocate(classClass != nullptr ? *classClass : model_.define("java/lang/Class", "java/lang/Object"));
    mirror->mirrorOf = &type;
  }
  return mirror;
}

const Member* HostVm::fieldNamed(const JavaClass& type, const std::string& name) const {
  std::string missing;
  for (const JavaClass* at = &type; at != nullptr; at = model_.superOf(*at, missing)) {
    for (const auto& member : at->members) {
      if (!member->isMethod && !member->isStatic && member->name == name) return member.get();
    }
  }
  fatal(type.name + " has no field " + name + (missing.empty() ? "" : " (superclass " + missing + " unknown)"));
}

void HostVm::setField(Object* object, const std::string& name, Value value) {
  object->fields[fieldNamed(*object->type, name)] = value;
}

Value HostVm::getField(const Object* object, const std::string& name) const {
  auto found = object->fields.find(fieldNamed(*object->type, name));
  return found == object->fields.end() ? Value{} : found->second;
}

std::string HostVm::utf8(const Object* string) { return string == nullptr ? std::string() : toUtf8(string->chars); }

jobject HostVm::makeRef(Object* object, bool global) {
  Ref& ref = refs_.emplace_back();
  ref.target = object;
  ref.global = global;
  knownRefs_.insert(&ref);
  if (!global) {
    if (frames_.empty()) fatal("a local reference made outside a native call");
    ref.frame = frames_.size();
    frames_.back().push_back(&ref);
    int live = 0;
    for (const Ref* local : frames_.back()) live += local->live ? 1 : 0;
    if (live > kGuaranteedLocalReferences + frameArguments_.back()) {
      fatal("more than " + std::to_string(kGuaranteedLocalReferences) +
            " local references live in one native call; JNI guarantees no more without EnsureLocalCapacity "
            "(delete them with DeleteLocalRef)");
    }
  }
  return reinterpret_cast<jobject>(&ref);
}

Object* HostVm::resolve(jobject reference, const char* function) const {
  if (reference == nullptr) return nullptr;
  if (knownRefs_.count(reference) == 0) fatal(std::string(function) + ": not a reference this VM gave out");
  const auto* ref = reinterpret_cast<const Ref*>(reference);
  if (!ref->live) {
    fatal(std::string(function) + ": a local reference used after DeleteLocalRef or after the native call "
          "that made it returned (keep a global reference instead)");
  }
  return ref->target;
}

void HostVm::throwNew(const std::string& className, const std::string& message) {
  Object* exception = allocate(classNamed(className));
  exception->constructorArguments.push_back(Value{0, newString(std::u16string(message.begin(), message.end()))});
  pending_ = exception;
}

HostVm::NativeFrame::NativeFrame(HostVm& vm) : vm_(vm) {
  vm.frames_.emplace_back();
  vm.frameArguments_.push_back(0);
}

HostVm::NativeFrame::~NativeFrame() {
  for (Ref* ref : vm_.frames_.back()) ref->live = false;
  vm_.frames_.pop_back();
  vm_.frameArguments_.pop_back();
  if (vm_.frames_.empty() && !vm_.utfChars_.empty()) {
    vm_.problems_.push_back(std::to_string(vm_.utfChars_.size()) +
                            " GetStringUTFChars result(s) not released when the native call returned");
  }
}

jobject HostVm::NativeFrame::local(Object* object) {
  if (object == nullptr) return nullptr;
  ++vm_.frameArguments_.back();  // arguments do not count against the guaranteed 16
  return vm_.makeRef(object, false);
}

Object* HostVm::takePendingException() { return std::exchange(pending_, nullptr); }

std::vector<std::string> HostVm::takeProblems() { return std::exchange(problems_, {}); }

}  // namespace hsys::jnihost
