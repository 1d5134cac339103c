// The rules every backend applies to the fields of a response record (ResponseView::parse calls
// checkResponseFields), so no handler output reaches the wire as given when it could break the
// response apart or desynchronise the connection (RFC 9110 5.5, 6.5, 8.6; RFC 9112 4, 6, 7):
//
//   - status 100-599 on a head; a reason phrase of HTAB, SP, VCHAR and obs-text only;
//   - field names are tokens; values hold no control character but HTAB (CR, LF, NUL included);
//   - no Transfer-Encoding field: chunked framing is the engine's (kResponseChunked);
//   - Content-Length is digits only; several fields must agree (only the first is kept); it
//     cannot go with kResponseChunked;
//   - trailers only on the last send of a kResponseChunked response, by name, never a framing,
//     routing or connection field (Content-Length, Transfer-Encoding, Trailer, Connection,
//     Keep-Alive, Upgrade, TE, Host).
#pragma once

#include <string_view>

#include "hsys/records.h"

namespace hsys {

bool isToken(std::string_view text);
// HTAB, SP, VCHAR and obs-text: what a field value or reason phrase may hold.
bool isFieldText(std::string_view text);

// Checks view's fields, sets view.contentLength and drops repeated (identical) Content-Length
// fields; returns nullptr or why the record is refused.
const char* checkResponseFields(ResponseView& view);

}  // namespace hsys
