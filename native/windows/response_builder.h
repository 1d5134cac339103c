// Response record (parsed into a ResponseView) -> the HTTP Server API structures of one send:
// HTTP_RESPONSE_V2 with known headers by id and unknown headers by name, HTTP_DATA_CHUNKs from
// memory or file handles, send flags and the cache policy. Everything is built inside the SendOp,
// which keeps it alive until the send's completion.
#pragma once

#include "hsys/records.h"
#include "overlapped_op.h"

namespace hsys::windows {

struct HttpApiRuntime;

// Returns false with *whyInvalid set when the view cannot be expressed (a header id outside the
// response table, a value over 64 KiB, a memory chunk over 4 GiB, ...). Nothing is sent then.
// headRequest: the request was HEAD, so a missing Content-Length is not added (no body).
bool buildResponse(const ResponseView& view, const HttpApiRuntime& runtime, bool headRequest,
                   SendOp& op, const char** whyInvalid);

}  // namespace hsys::windows
