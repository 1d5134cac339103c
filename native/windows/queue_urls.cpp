// URL prefixes of a request queue: the URL groups that route them to it (one shared group, or one
// group per prefix where the runtime allows only one URL per group), and their removal.
#include <algorithm>

#include "dynamic_httpapi.h"
#include "queue_settings.h"
#include "win32_errors.h"
#include "windows_engine.h"

namespace hsys::windows {

bool WindowsQueue::addUrl(const std::string& prefix, Error& error) {
  if (closing_) {
    error.set(kInvalidArgument, 0, "addUrl " + prefix + ": the request queue is closed");
    return false;
  }
  if (attached_) {
    error.set(kInvalidArgument, 0, "addUrl " + prefix + ": attached to request queue " +
                                       options_.name + ", whose creator registers its URLs");
    return false;
  }
  const HttpApiRuntime& api = httpApi();
  bool shared = !api.oneUrlPerGroup;
  HTTP_URL_GROUP_ID group = shared ? sharedGroup_ : HTTP_NULL_ID;
  bool created = group == HTTP_NULL_ID;
  if (created) {
    ULONG result = api.createUrlGroup(session_, &group, 0);
    if (result != NO_ERROR) {
      setWin32Error(error, "HttpCreateUrlGroup", result, prefix);
      return false;
    }
    HTTP_BINDING_INFO binding{};
    binding.Flags.Present = 1;
    binding.RequestQueueHandle = handle_;
    result = api.setUrlGroupProperty(group, HttpServerBindingProperty, &binding, sizeof binding);
    if (result != NO_ERROR) {
      api.closeUrlGroup(group);
      setWin32Error(error, "HttpSetUrlGroupProperty", result, prefix);
      return false;
    }
    if (!applyUrlGroupProperties(group, options_, api, prefix, error)) {
      api.closeUrlGroup(group);
      return false;
    }
    if (shared) sharedGroup_ = group;
  }
  std::wstring url = widen(prefix);
  ULONG result = api.addUrlToUrlGroup(group, url.c_str(), 0, 0);
  if (result != NO_ERROR) {
    if (!shared) api.closeUrlGroup(group);
    setWin32Error(error, "HttpAddUrlToUrlGroup", result, prefix);
    return false;
  }
  urls_.emplace_back(prefix, group);
  return true;
}

bool WindowsQueue::removeUrl(const std::string& prefix, Error& error) {
  if (attached_) {
    error.set(kInvalidArgument, 0, "removeUrl " + prefix + ": attached to request queue " +
                                       options_.name + ", whose creator registers its URLs");
    return false;
  }
  auto found = std::find_if(urls_.begin(), urls_.end(),
                            [&](const auto& entry) { return entry.first == prefix; });
  if (found == urls_.end()) {
    error.set(kInvalidArgument, 0, "removeUrl " + prefix + ": the prefix is not registered on this queue");
    return false;
  }
  HTTP_URL_GROUP_ID group = found->second;
  urls_.erase(found);
  const HttpApiRuntime& api = httpApi();
  // Removing the URL explicitly matters under Wine, whose HttpCloseUrlGroup keeps it listening.
  std::wstring url = widen(prefix);
  ULONG result = api.removeUrlFromUrlGroup(group, url.c_str(), 0);
  if (group != sharedGroup_) api.closeUrlGroup(group);
  if (result != NO_ERROR) {
    setWin32Error(error, "HttpRemoveUrlFromUrlGroup", result, prefix);
    return false;
  }
  return true;
}

}  // namespace hsys::windows
