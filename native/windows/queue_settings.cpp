#include "queue_settings.h"

#include <limits>
#include <string>

#include "dynamic_httpapi.h"
#include "win32_errors.h"

namespace hsys::windows {

namespace {

constexpr uint32_t kMaxSeconds = std::numeric_limits<USHORT>::max();  // USHORT fields

// A property call's result: NO_ERROR, or ERROR_CALL_NOT_IMPLEMENTED where this HTTP.SYS is known
// not to have the property (Wine); anything else becomes the error.
bool accepted(ULONG result, const HttpApiRuntime& runtime, Error& error, const char* call,
              const std::string& subject = {}) {
  if (result == NO_ERROR) return true;
  if (result == ERROR_CALL_NOT_IMPLEMENTED && runtime.propertiesMayBeMissing) return true;
  setWin32Error(error, call, result, subject);
  return false;
}

bool checkSeconds(uint32_t value, const char* field, Error& error) {
  if (value <= kMaxSeconds) return true;
  error.set(kInvalidArgument, 0,
            std::string("QueueOptions.") + field + " = " + std::to_string(value) +
                " exceeds 65535 seconds (HTTP_TIMEOUT_LIMIT_INFO holds USHORT seconds)");
  return false;
}

}  // namespace

bool checkQueueOptions(const QueueOptions& options, const HttpApiRuntime& runtime, Error& error) {
  if (options.mode > kQueueCreateOrAttach) {
    error.set(kInvalidArgument, 0, "QueueOptions.mode = " + std::to_string(options.mode) +
                                       " is not a QueueMode (0 create, 1 attach, 2 create or attach)");
    return false;
  }
  if (options.mode != kQueueCreate && options.name.empty()) {
    error.set(kInvalidArgument, 0,
              "QueueOptions.mode attach / create-or-attach needs a request queue name");
    return false;
  }
  if (options.mode == kQueueAttach && !runtime.honoursQueueNames) {
    error.set(kUnsupported, ERROR_CALL_NOT_IMPLEMENTED,
              "HttpCreateRequestQueue(HTTP_CREATE_REQUEST_QUEUE_FLAG_OPEN_EXISTING) for " +
                  options.name + ": this HTTP.SYS (Wine " + runtime.wineVersion +
                  ") ignores request queue names, so attaching would open a new, empty queue; "
                  "attach on Windows (see docs/windows-verification.md)");
    return false;
  }
  return checkSeconds(options.entityBodyTimeoutSeconds, "entityBodyTimeoutSeconds", error) &&
         checkSeconds(options.drainEntityBodyTimeoutSeconds, "drainEntityBodyTimeoutSeconds", error) &&
         checkSeconds(options.requestQueueTimeoutSeconds, "requestQueueTimeoutSeconds", error) &&
         checkSeconds(options.idleConnectionTimeoutSeconds, "idleConnectionTimeoutSeconds", error) &&
         checkSeconds(options.headerWaitTimeoutSeconds, "headerWaitTimeoutSeconds", error);
}

bool timeoutLimits(const QueueOptions& options, HTTP_TIMEOUT_LIMIT_INFO& limits) {
  ZeroMemory(&limits, sizeof limits);
  limits.Flags.Present = 1;
  limits.EntityBody = static_cast<USHORT>(options.entityBodyTimeoutSeconds);
  limits.DrainEntityBody = static_cast<USHORT>(options.drainEntityBodyTimeoutSeconds);
  limits.RequestQueue = static_cast<USHORT>(options.requestQueueTimeoutSeconds);
  limits.IdleConnection = static_cast<USHORT>(options.idleConnectionTimeoutSeconds);
  limits.HeaderWait = static_cast<USHORT>(options.headerWaitTimeoutSeconds);
  limits.MinSendRate = options.minSendRateBytesPerSecond;
  return limits.EntityBody != 0 || limits.DrainEntityBody != 0 || limits.RequestQueue != 0 ||
         limits.IdleConnection != 0 || limits.HeaderWait != 0 || limits.MinSendRate != 0;
}

bool applyQueueProperties(HANDLE queue, const QueueOptions& options, const HttpApiRuntime& runtime,
                          Error& error) {
  // Limited: an overflowing queue answers "503 Service Unavailable"; the default (Basic) resets
  // the connection instead, which clients report as a network error.
  HTTP_503_RESPONSE_VERBOSITY verbosity = Http503ResponseVerbosityLimited;
  ULONG result = runtime.setRequestQueueProperty(queue, HttpServer503VerbosityProperty, &verbosity,
                                             sizeof verbosity, 0, nullptr);
  if (!accepted(result, runtime, error, "HttpSetRequestQueueProperty(HttpServer503VerbosityProperty)")) {
    return false;
  }
  ULONG length = options.queueLength != 0 ? options.queueLength : kDefaultQueueLength;
  result = runtime.setRequestQueueProperty(queue, HttpServerQueueLengthProperty, &length, sizeof length,
                                       0, nullptr);
  return accepted(result, runtime, error, "HttpSetRequestQueueProperty(HttpServerQueueLengthProperty)",
                  "queue length " + std::to_string(length));
}

bool applySessionProperties(HTTP_SERVER_SESSION_ID session, const QueueOptions& options,
                            const HttpApiRuntime& runtime, Error& error) {
  // On the session, so every URL group of the queue inherits them; HeaderWait and
  // IdleConnection are connection timers, which HTTP.SYS takes from the session.
  HTTP_TIMEOUT_LIMIT_INFO limits;
  if (!timeoutLimits(options, limits)) return true;
  ULONG result = runtime.setServerSessionProperty(session, HttpServerTimeoutsProperty, &limits,
                                              sizeof limits);
  return accepted(result, runtime, error, "HttpSetServerSessionProperty(HttpServerTimeoutsProperty)");
}

bool applyUrlGroupProperties(HTTP_URL_GROUP_ID group, const QueueOptions& options,
                             const HttpApiRuntime& runtime, const std::string& prefix, Error& error) {
  if (options.maxConnections == 0) return true;
  HTTP_CONNECTION_LIMIT_INFO limit{};
  limit.Flags.Present = 1;
  limit.MaxConnections = options.maxConnections;
  HTTP_QOS_SETTING_INFO qos{};
  qos.QosType = HttpQosSettingTypeConnectionLimit;
  qos.QosSetting = &limit;
  ULONG result = runtime.setUrlGroupProperty(group, HttpServerQosProperty, &qos, sizeof qos);
  return accepted(result, runtime, error, "HttpSetUrlGroupProperty(HttpServerQosProperty)", prefix);
}

}  // namespace hsys::windows
