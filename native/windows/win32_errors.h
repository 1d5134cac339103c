// Win32 error codes -> engine statuses and messages meant for people.
#pragma once

#include <string>
#include <string_view>

#include "hsys/engine.h"
#include "win32.h"

namespace hsys::windows {

// Sets error to kSystemError (or kUnsupported for ERROR_CALL_NOT_IMPLEMENTED) with a message
// "<call> failed: error <code> (<system text>)[; <hint>]". subject names what the call was about
// (a URL prefix, a queue name) and is used in hints; it may be empty.
void setWin32Error(Error& error, const char* call, DWORD code, const std::string& subject = {});

// "<system text>" for a Win32 code in the user's language, as UTF-8, without the trailing line
// break and full stop.
std::string systemMessage(DWORD code);

// Status of a completed (or synchronously failed) operation: ERROR_OPERATION_ABORTED ->
// kCancelled, ERROR_CONNECTION_INVALID / ERROR_NETNAME_DELETED -> kConnectionLost,
// ERROR_CALL_NOT_IMPLEMENTED -> kUnsupported, anything else -> the positive Win32 code.
int32_t completionStatus(DWORD code);

// UTF-8 -> UTF-16 for the wide-string HTTP Server API calls.
std::wstring widen(const std::string& utf8);

// UTF-16 -> UTF-8 (system text for people).
std::string narrow(std::wstring_view utf16);

}  // namespace hsys::windows
