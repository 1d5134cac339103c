// The Java classes the JNI host knows: names, superclasses, fields and methods with their JNI
// descriptors, native and static flags and constant values, read from `javap -s -p -constants`
// output (scripts/jni-surface.sh writes it at build time from the compiled classes and the JDK).
// So every FindClass, GetFieldID, GetMethodID and RegisterNatives the library makes is checked
// against the real classes, not against a copy written for the test.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hsys::jnihost {

struct JavaClass;

struct Member {
  const JavaClass* owner = nullptr;
  std::string name;        // "<init>" for constructors
  std::string descriptor;  // "(JI)V", "Ljava/lang/String;"
  bool isMethod = false;
  bool isStatic = false;
  bool isNative = false;
  std::optional<int64_t> constant;  // static final integral value shown by javap -constants
};

struct JavaClass {
  std::string name;       // binary name with slashes: "java/io/FileDescriptor"
  std::string superName;  // empty for java/lang/Object and interfaces
  bool isInterface = false;
  bool isAbstract = false;
  std::vector<std::unique_ptr<Member>> members;

  const Member* declaredField(const std::string& fieldName, const std::string& descriptor) const;
  const Member* declaredMethod(const std::string& methodName, const std::string& descriptor) const;
  const Member* declaredMember(const std::string& memberName) const;  // first of that name
  std::vector<const Member*> nativeMethods() const;
};

class ClassModel {
 public:
  // Parses concatenated javap outputs; on failure returns false and explains in error.
  bool parseJavap(const std::string& text, std::string& error);

  const JavaClass* find(const std::string& name) const;
  // A class the host makes up (e.g. a user's own FileChannel subclass), once; not from javap.
  const JavaClass& define(const std::string& name, const std::string& superName);
  // The superclass, or nullptr for java/lang/Object. A superclass missing from the model is a
  // gap in scripts/jni-surface.sh: reported through missing, so lookups never guess.
  const JavaClass* superOf(const JavaClass& type, std::string& missing) const;
  // True when an instance of type may be stored where target (a class name) is expected.
  bool isAssignable(const JavaClass& type, const std::string& target, std::string& missing) const;
  size_t size() const { return classes_.size(); }

 private:
  std::map<std::string, std::unique_ptr<JavaClass>> classes_;
};

// "(JLjava/lang/String;[J)V" -> {"J", "Ljava/lang/String;", "[J"}; the return type is returnType.
bool splitMethodDescriptor(const std::string& descriptor, std::vector<std::string>& parameters,
                           std::string& returnType);

}  // namespace hsys::jnihost
