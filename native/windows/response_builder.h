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

// closeConnection reached this final send before it went out: the connection ends after it
// (HTTP_SEND_RESPONSE_FLAG_DISCONNECT where this HTTP.SYS takes it; announce: with
// "Connection: close" in the head, for HTTP/1.x).
void addDisconnect(SendOp& op, const HttpApiRuntime& runtime, bool announce);

// A send on an HTTP/2 stream: DISCONNECT would end every stream of the connection.
void dropDisconnect(SendOp& op);

}  // namespace hsys::windows
