// A JVM stand-in for the JNI library: a JavaVM and a JNIEnv whose function tables implement the
// calls the library makes (against the ClassModel read from javap), while every other slot aborts
// naming itself, so a new JNI use in jni_bridge.cpp cannot pass unnoticed. It is strict where a
// real JVM is lenient or crashes later: references are checked (a local reference used after its
// native call returned, deleted twice, or deleted as the wrong kind is fatal), no JNI call but the
// exception-safe ones may run with an exception pending, field accesses are checked against the
// field's type, strings passed to NewStringUTF must be modified UTF-8, and at most 16 local
// references may be live in one native frame (what JNI guarantees without EnsureLocalCapacity).
#pragma once

#include <jni.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "class_model.h"

namespace hsys::jnihost {

struct Object;

// A field value or constructor argument: primitives widened to jlong, or a reference.
struct Value {
  jlong primitive = 0;
  Object* reference = nullptr;
};

struct Object {
  const JavaClass* type = nullptr;
  std::map<const Member*, Value> fields;
  std::u16string chars;                  // java/lang/String
  std::vector<jlong> longs;              // long[]
  void* address = nullptr;               // a direct ByteBuffer's memory
  jlong capacity = 0;
  const JavaClass* mirrorOf = nullptr;   // a java/lang/Class object: the class it stands for
  const Member* constructor = nullptr;   // an object made through NewObject: with which constructor
  std::vector<Value> constructorArguments;
};

// One entry RegisterNatives was given.
struct Registration {
  const JavaClass* owner = nullptr;
  std::string name;
  std::string descriptor;
  void* function = nullptr;
};

class HostVm {
 public:
  explicit HostVm(ClassModel& model);
  ~HostVm();
  HostVm(const HostVm&) = delete;
  HostVm& operator=(const HostVm&) = delete;

  JavaVM* javaVm() { return &vmHolder_.vm; }
  JNIEnv* env() { return &env_.env; }
  const ClassModel& model() const { return model_; }
  const JavaClass& classNamed(const std::string& name) const;  // fatal if unknown

  // Objects as Java code makes them. Fields start zero/null.
  Object* newInstance(const JavaClass& type);
  Object* newString(const std::u16string& chars);
  Object* newLongArray(const std::vector<jlong>& values);
  Object* newDirectBuffer(jlong capacity);  // ByteBuffer.allocateDirect
  void setField(Object* object, const std::string& name, Value value);
  Value getField(const Object* object, const std::string& name) const;
  static std::string utf8(const Object* string);

  // A native method call from Java: a local reference frame for its duration. Arguments become
  // local references of the frame; what the native returns must be resolved before it ends.
  class NativeFrame {
   public:
    explicit NativeFrame(HostVm& vm);
    ~NativeFrame();
    NativeFrame(const NativeFrame&) = delete;
    NativeFrame& operator=(const NativeFrame&) = delete;
    jobject local(Object* object);

   private:
    HostVm& vm_;
  };
  Object* resolve(jobject reference, const char* function) const;  // fatal if not a live reference
  Object* mirror(const JavaClass& type);

  // The exception a native left pending (then cleared, as Java's catch would), or nullptr.
  Object* takePendingException();
  // Contract breaches found that do not stop the run (unreleased strings, invalid UTF-8...).
  std::vector<std::string> takeProblems();
  const std::vector<Registration>& registrations() const { return registrations_; }
  int nativeCallsInProgress() const { return static_cast<int>(frames_.size()); }

  static constexpr int kGuaranteedLocalReferences = 16;

 private:
  struct Functions;  // the JNI function table entries (host_vm.cpp)
  struct Ref {
    Object* target = nullptr;
    bool global = false;
    bool live = true;
    size_t frame = 0;
  };
  struct EnvHolder {
    JNIEnv env;  // first member: the JNIEnv* the library gets points here
    HostVm* vm;
  };
  struct VmHolder {
    JavaVM vm;
    HostVm* host;
  };

  Object* allocate(const JavaClass& type);
  jobject makeRef(Object* object, bool global);
  const Member* fieldNamed(const JavaClass& type, const std::string& name) const;
  void throwNew(const std::string& className, const std::string& message);

  ClassModel& model_;
  std::thread::id thread_ = std::this_thread::get_id();
  JNINativeInterface_ envTable_{};
  JNIInvokeInterface_ vmTable_{};
  EnvHolder env_{};
  VmHolder vmHolder_{};
  std::deque<std::unique_ptr<Object>> heap_;
  std::vector<std::unique_ptr<uint8_t[]>> directMemory_;
  std::map<const JavaClass*, Object*> mirrors_;
  std::deque<Ref> refs_;
  std::unordered_set<const void*> knownRefs_;
  std::unordered_set<const void*> knownMembers_;
  std::vector<std::vector<Ref*>> frames_;  // the local references of each native call in progress
  std::vector<int> frameArguments_;        // how many of them are the call's arguments
  std::map<const char*, const Object*> utfChars_;  // GetStringUTFChars copies not yet released
  Object* pending_ = nullptr;
  std::vector<std::string> problems_;
  std::vector<Registration> registrations_;
};

}  // namespace hsys::jnihost
