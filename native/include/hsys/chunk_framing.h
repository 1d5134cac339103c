// Chunked transfer coding (RFC 9112 7.1) as the engine writes it for a kResponseChunked
// response: HTTP.SYS leaves it to the sender, so both backends frame with this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "hsys/records.h"

namespace hsys {

// The framing around one send's dataBytes, into out (replaced): the size line in
// out[0, prefixLength), then the CRLF after the data and, on the last send, the last chunk,
// view's trailer fields and the final CRLF. An empty send that is not the last gets nothing (a
// zero-size chunk would end the body).
void appendChunkFraming(uint64_t dataBytes, bool last, const ResponseView& view, std::string& out,
                        size_t& prefixLength);

}  // namespace hsys
