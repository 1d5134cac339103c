// QueueOptions -> HTTP.SYS: checks the options before anything is created, and applies them as
// server properties (HttpServerQueueLengthProperty and HttpServer503VerbosityProperty on the
// request queue, HttpServerTimeoutsProperty on the server session, the connection limit as
// HttpServerQosProperty on the URL group, as ASP.NET Core does). An attached queue applies none of
// them: the process that created the queue owns its properties and URLs.
#pragma once

#include "hsys/engine.h"
#include "win32.h"

namespace hsys::windows {

struct HttpApiRuntime;

// Mode and name consistent, every number within what HTTP.SYS can take. False with error set
// (kInvalidArgument, or kUnsupported where this HTTP.SYS cannot do what is asked).
bool checkQueueOptions(const QueueOptions& options, const HttpApiRuntime& runtime, Error& error);

// True when any timeout (or the minimum send rate) is set; fills limits (zero = default).
bool timeoutLimits(const QueueOptions& options, HTTP_TIMEOUT_LIMIT_INFO& limits);

bool applyQueueProperties(HANDLE queue, const QueueOptions& options, const HttpApiRuntime& runtime,
                          Error& error);
bool applySessionProperties(HTTP_SERVER_SESSION_ID session, const QueueOptions& options,
                            const HttpApiRuntime& runtime, Error& error);
bool applyUrlGroupProperties(HTTP_URL_GROUP_ID group, const QueueOptions& options,
                             const HttpApiRuntime& runtime, const std::string& prefix, Error& error);

}  // namespace hsys::windows
