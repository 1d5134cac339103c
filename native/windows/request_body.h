// What an HTTP_REQUEST says about its entity body before any of it is read: the declared
// Content-Length and the bytes HTTP.SYS copied in with the head (COPY_BODY).
#pragma once

#include <cstdint>

#include "win32.h"

namespace hsys::windows {

// Content-Length of a request as the kernel saw it; UINT64_MAX when absent or not a number
// (HTTP.SYS rejects malformed ones before they reach us).
uint64_t declaredLength(const HTTP_REQUEST& request);

uint64_t copiedBodyBytes(const HTTP_REQUEST& request);

}  // namespace hsys::windows
