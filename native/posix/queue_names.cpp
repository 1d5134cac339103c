#include "queue_names.h"

#include <cerrno>
#include <mutex>
#include <set>

namespace hsys::posix {

namespace {

std::mutex gMutex;
std::set<std::string>& names() {
  static auto* set = new std::set<std::string>();  // never destroyed: loops may outlive statics
  return *set;
}

}  // namespace

bool claimQueueName(const QueueOptions& options, Error& error) {
  if (options.mode > kQueueCreateOrAttach) {
    error.set(kInvalidArgument, 0, "createQueue: unknown queue mode " + std::to_string(options.mode));
    return false;
  }
  if (options.name.empty()) {
    if (options.mode == kQueueAttach) {
      error.set(kInvalidArgument, 0, "createQueue: attaching to a request queue needs its name");
      return false;
    }
    return true;
  }
  std::lock_guard<std::mutex> lock(gMutex);
  bool exists = names().count(options.name) != 0;
  if (!exists && options.mode != kQueueAttach) {
    names().insert(options.name);
    return true;
  }
  if (exists && options.mode == kQueueCreate) {
    error.set(kInvalidArgument, EEXIST,
              "createQueue: a request queue named \"" + options.name +
                  "\" already exists in this process (HTTP.SYS answers ERROR_ALREADY_EXISTS the same way)");
    return false;
  }
  error.set(kUnsupported, 0,
            "createQueue: the posix engine cannot attach to the existing request queue \"" + options.name +
                "\" (" + (exists ? "it is served by another queue of this process" : "no queue of that name exists here") +
                "); on Windows, HTTP.SYS attaches to a queue another process created. Use the create mode.");
  return false;
}

void releaseQueueName(const std::string& name) {
  if (name.empty()) return;
  std::lock_guard<std::mutex> lock(gMutex);
  names().erase(name);
}

}  // namespace hsys::posix
