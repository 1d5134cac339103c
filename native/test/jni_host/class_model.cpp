#include "class_model.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace hsys::jnihost {

namespace {

std::string slashed(std::string name) {
  std::replace(name.begin(), name.end(), '.', '/');
  return name;
}

// javap writes generic types ("java.util.List<java.io.Closeable>"); descriptors are erased.
std::string withoutTypeArguments(const std::string& text) {
  std::string out;
  int depth = 0;
  for (char c : text) {
    if (c == '<') ++depth;
    if (depth == 0) out += c;
    if (c == '>' && depth > 0) --depth;
  }
  return out;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

// "public final class a.B extends a.C implements a.D,a.E {"
std::unique_ptr<JavaClass> parseClassLine(const std::string& line) {
  std::vector<std::string> tokens = words(withoutTypeArguments(line));
  auto kind = std::find_if(tokens.begin(), tokens.end(),
                           [](const std::string& t) { return t == "class" || t == "interface"; });
  if (kind == tokens.end() || kind + 1 == tokens.end()) return nullptr;
  auto type = std::make_unique<JavaClass>();
  type->isInterface = *kind == "interface";
  type->isAbstract = type->isInterface || contains(tokens, "abstract");
  type->name = slashed(*(kind + 1));
  auto extends = std::find(kind, tokens.end(), "extends");
  if (!type->isInterface && extends != tokens.end() && extends + 1 != tokens.end()) {
    type->superName = slashed(*(extends + 1));
  } else if (!type->isInterface && type->name != "java/lang/Object") {
    type->superName = "java/lang/Object";
  }
  return type;
}

// "  static native long createLoop() throws ...;", "  private int fd;",
// "  static final int COMPLETION_SIZE = 40;", "  public a.B(java.lang.String);", "  static {};"
std::unique_ptr<Member> parseMemberLine(const JavaClass& owner, std::string line) {
  auto member = std::make_unique<Member>();
  member->owner = &owner;
  std::string constant;
  size_t equals = line.find(" = ");
  if (equals != std::string::npos) {
    constant = line.substr(equals + 3);
    if (!constant.empty() && constant.back() == ';') constant.pop_back();
    line.erase(equals);
  }
  line = withoutTypeArguments(line);
  size_t throwsAt = line.find(" throws ");
  if (throwsAt != std::string::npos) line.erase(throwsAt);
  while (!line.empty() && (line.back() == ';' || line.back() == ' ')) line.pop_back();
  if (line.find("static {}") != std::string::npos) {
    member->isMethod = member->isStatic = true;
    member->name = "<clinit>";
    return member;
  }
  size_t paren = line.find('(');
  std::vector<std::string> head = words(paren == std::string::npos ? line : line.substr(0, paren));
  if (head.empty()) return nullptr;
  member->isMethod = paren != std::string::npos;
  member->isStatic = contains(head, "static");
  member->isNative = contains(head, "native");
  member->name = head.back();
  if (member->isMethod && slashed(member->name) == owner.name) member->name = "<init>";
  if (!constant.empty() && member->isStatic && !member->isMethod) {
    char* end = nullptr;
    long long value = std::strtoll(constant.c_str(), &end, 10);
    if (end != constant.c_str() && (*end == '\0' || *end == 'l' || *end == 'L')) member->constant = value;
  }
  return member;
}

}  // namespace

const Member* JavaClass::declaredField(const std::string& fieldName, const std::string& descriptor) const {
  for (const auto& member : members) {
    if (!member->isMethod && member->name == fieldName && member->descriptor == descriptor) return member.get();
  }
  return nullptr;
}

const Member* JavaClass::declaredMethod(const std::string& methodName, const std::string& descriptor) const {
  for (const auto& member : members) {
    if (member->isMethod && member->name == methodName && member->descriptor == descriptor) return member.get();
  }
  return nullptr;
}

const Member* JavaClass::declaredMember(const std::string& memberName) const {
  for (const auto& member : members) {
    if (member->name == memberName) return member.get();
  }
  return nullptr;
}

std::vector<const Member*> JavaClass::nativeMethods() const {
  std::vector<const Member*> out;
  for (const auto& member : members) {
    if (member->isNative) out.push_back(member.get());
  }
  return out;
}

bool ClassModel::parseJavap(const std::string& text, std::string& error) {
  std::istringstream in(text);
  std::unique_ptr<JavaClass> current;
  Member* last = nullptr;
  int lineNumber = 0;
  for (std::string line; std::getline(in, line);) {
    ++lineNumber;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.rfind("Compiled from", 0) == 0) continue;
    if (line[0] != ' ') {
      if (line == "}") {
        if (current == nullptr) {
          error = "line " + std::to_string(lineNumber) + ": '}' outside a class";
          return false;
        }
        std::string name = current->name;
        classes_[name] = std::move(current);
        last = nullptr;
        continue;
      }
      current = parseClassLine(line);
      if (current == nullptr) {
        error = "line " + std::to_string(lineNumber) + ": not a javap class line: " + line;
        return false;
      }
      continue;
    }
    if (current == nullptr) {
      error = "line " + std::to_string(lineNumber) + ": member outside a class: " + line;
      return false;
    }
    const std::string descriptorTag = "    descriptor: ";
    if (line.rfind(descriptorTag, 0) == 0) {
      if (last == nullptr) {
        error = "line " + std::to_string(lineNumber) + ": descriptor without a member";
        return false;
      }
      last->descriptor = line.substr(descriptorTag.size());
      continue;
    }
    if (line.rfind("    ", 0) == 0) continue;  // other javap detail lines
    std::unique_ptr<Member> member = parseMemberLine(*current, line);
    if (member == nullptr) {
      error = "line " + std::to_string(lineNumber) + ": not a javap member line: " + line;
      return false;
    }
    last = member.get();
    current->members.push_back(std::move(member));
  }
  if (current != nullptr) {
    error = "class " + current->name + " is not closed (truncated javap output?)";
    return false;
  }
  for (const auto& [name, type] : classes_) {
    for (const auto& member : type->members) {
      if (member->descriptor.empty()) {
        error = name + "." + member->name + " has no descriptor (javap must run with -s)";
        return false;
      }
    }
  }
  return true;
}

const JavaClass* ClassModel::find(const std::string& name) const {
  auto found = classes_.find(name);
  return found == classes_.end() ? nullptr : found->second.get();
}

const JavaClass& ClassModel::define(const std::string& name, const std::string& superName) {
  if (const JavaClass* existing = find(name)) return *existing;
  auto type = std::make_unique<JavaClass>();
  type->name = name;
  type->superName = superName;
  const JavaClass& result = *type;
  classes_[name] = std::move(type);
  return result;
}

const JavaClass* ClassModel::superOf(const JavaClass& type, std::string& missing) const {
  if (type.superName.empty()) return nullptr;
  const JavaClass* parent = find(type.superName);
  if (parent == nullptr) missing = type.superName;
  return parent;
}

bool ClassModel::isAssignable(const JavaClass& type, const std::string& target, std::string& missing) const {
  for (const JavaClass* at = &type; at != nullptr; at = superOf(*at, missing)) {
    if (at->name == target) return true;
  }
  return false;
}

bool splitMethodDescriptor(const std::string& descriptor, std::vector<std::string>& parameters,
                           std::string& returnType) {
  parameters.clear();
  if (descriptor.empty() || descriptor[0] != '(') return false;
  size_t at = 1;
  auto one = [&](size_t from, size_t& end) {
    size_t i = from;
    while (i < descriptor.size() && descriptor[i] == '[') ++i;
    if (i >= descriptor.size()) return false;
    if (descriptor[i] == 'L') {
      i = descriptor.find(';', i);
      if (i == std::string::npos) return false;
    } else if (std::string("ZBCSIJFDV").find(descriptor[i]) == std::string::npos) {
      return false;
    }
    end = i + 1;
    return true;
  };
  while (at < descriptor.size() && descriptor[at] != ')') {
    size_t end = 0;
    if (!one(at, end)) return false;
    parameters.push_back(descriptor.substr(at, end - at));
    at = end;
  }
  if (at >= descriptor.size()) return false;
  size_t end = 0;
  if (!one(at + 1, end) || end != descriptor.size()) return false;
  returnType = descriptor.substr(at + 1);
  return true;
}

}  // namespace hsys::jnihost
