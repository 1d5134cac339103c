// Known HTTP header names in HTTP_HEADER_ID order (http.h). Request and response tables share
// ids 0-19 (general and entity headers) and differ from 20 on. Java has the same tables
// (codec-bridge KnownHeaders); the posix backend uses them to name and recognise headers.
#pragma once

#include <cstdint>
#include <string_view>

namespace hsys {

constexpr int kRequestHeaderCount = 41;   // HttpHeaderRequestMaximum
constexpr int kResponseHeaderCount = 30;  // HttpHeaderResponseMaximum

// The ids the engine itself looks for, by name: the one place their numbers live in C++
// (header_ids.cpp checks each against the name tables).
enum KnownHeaderId : uint8_t {
  kHeaderConnection = 1,
  kHeaderDate = 2,
  kHeaderTransferEncoding = 6,
  kHeaderUpgrade = 7,
  kHeaderContentLength = 11,
  kRequestHeaderAuthorization = 24,  // request table only
  kRequestHeaderRange = 37,          // request table only
  kResponseHeaderSetCookie = 27,     // response table only
  kResponseHeaderVary = 28,          // response table only
};

extern const std::string_view kRequestHeaderNames[kRequestHeaderCount];
extern const std::string_view kResponseHeaderNames[kResponseHeaderCount];

// Case-insensitive look-ups; return kUnknownHeader (0xFF) when the name is not in the table.
uint8_t requestHeaderId(std::string_view name);
uint8_t responseHeaderId(std::string_view name);

bool equalsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace hsys
