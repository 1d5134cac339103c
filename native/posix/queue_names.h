// Request queue names within the process (HttpCreateRequestQueue's name and flags). The posix
// engine creates named queues and refuses a second queue of the same name, as HTTP.SYS does
// (ERROR_ALREADY_EXISTS); it cannot attach to an existing queue, which in HTTP.SYS belongs to
// another process: attaching is answered kUnsupported with the reason.
#pragma once

#include <string>

#include "hsys/engine.h"

namespace hsys::posix {

// Claims options.name for a new queue according to options.mode; false with error set.
bool claimQueueName(const QueueOptions& options, Error& error);
// Frees a name claimed for a queue that is gone.
void releaseQueueName(const std::string& name);

}  // namespace hsys::posix
