#include "win32_errors.h"

#include <cstring>

#include "dynamic_httpapi.h"

namespace hsys::windows {

namespace {

bool isCall(const char* call, const char* name) { return std::strcmp(call, name) == 0; }

// "HttpSetRequestQueueProperty(HttpServerQueueLengthProperty)" is a property call.
bool startsWith(const char* call, const char* prefix) {
  return std::strncmp(call, prefix, std::strlen(prefix)) == 0;
}

bool isPropertyCall(const char* call) { return std::strchr(call, '(') != nullptr; }

bool isUrlCall(const char* call) {
  return isCall(call, "HttpAddUrlToUrlGroup") || isCall(call, "HttpRemoveUrlFromUrlGroup") ||
         isCall(call, "HttpSetUrlGroupProperty");
}

// What to do about a failure, when we know; empty otherwise.
std::string hintFor(const char* call, DWORD code, const std::string& subject) {
  const std::string prefix = subject.empty() ? std::string("<prefix>") : subject;
  switch (code) {
    case ERROR_ACCESS_DENIED:
      if (isUrlCall(call)) {
        return "run elevated or reserve the prefix: netsh http add urlacl url=" + prefix +
               " user=<you>";
      }
      if (startsWith(call, "HttpCreateRequestQueue")) {
        return "the request queue's creator did not give this user access to it";
      }
      return "run elevated (administrator) or reserve the URL prefix with netsh http add urlacl";
    case ERROR_INVALID_PARAMETER:
      if (isUrlCall(call)) return "invalid URL prefix (it must end with '/', e.g. http://+:8080/)";
      if (isPropertyCall(call)) {
        return "HTTP.SYS rejected the value (request queue length 1-65535; see the QueueOptions "
               "documentation for each limit)";
      }
      return "an argument was rejected by HTTP.SYS";
    case ERROR_ALREADY_EXISTS:
      if (isCall(call, "HttpCreateRequestQueue")) {
        return "a request queue with this name exists already (names are machine-wide)";
      }
      return "the prefix is already registered by another request queue";
    case ERROR_SHARING_VIOLATION:
      return "the port is held by a program that does not use HTTP.SYS (under Wine: by any socket); "
             "pick another port or stop that program";
    case ERROR_INVALID_NETNAME:
      return "the host part of the URL prefix is not valid (use +, *, a host name or an IP address)";
    case ERROR_CALL_NOT_IMPLEMENTED:
      return "this HTTP.SYS does not implement the call (Wine's http.sys is partial; see "
             "docs/windows-verification.md)";
    case ERROR_NOT_SUPPORTED:
      return "the HTTP Server API 2.0 is not available (Windows Vista / Server 2008 or later)";
    case ERROR_CONNECTION_INVALID:
      return "the request is finished or its connection was closed";
    case ERROR_FILE_NOT_FOUND:
      if (isUrlCall(call)) return "the prefix is not registered on this queue";
      if (startsWith(call, "HttpCreateRequestQueue")) {
        return "no request queue with this name exists; the process that creates it must run "
               "first (or use create-or-attach)";
      }
      return {};
    case ERROR_NO_SYSTEM_RESOURCES:
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
      return "the system is out of resources (non-paged pool or handles)";
    default:
      return {};
  }
}

}  // namespace

std::string systemMessage(DWORD code) {
  // The wide call: the text is in the user's language, which the ANSI code page may not hold,
  // and it reaches Java as real UTF-8 (FormatMessageA would hand over code page bytes).
  wchar_t* text = nullptr;
  DWORD length = httpApi().formatMessage(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, code, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), reinterpret_cast<LPWSTR>(&text), 0,
      nullptr);
  std::string message;
  if (length != 0 && text != nullptr) message = narrow(std::wstring_view(text, length));
  if (text != nullptr) LocalFree(text);
  while (!message.empty() && (message.back() == '\r' || message.back() == '\n' ||
                              message.back() == ' ' || message.back() == '.')) {
    message.pop_back();
  }
  if (message.empty()) message = "unknown error";
  return message;
}

void setWin32Error(Error& error, const char* call, DWORD code, const std::string& subject) {
  std::string text = std::string(call) + " failed";
  if (!subject.empty()) text += " for " + subject;
  text += ": error " + std::to_string(code) + " (" + systemMessage(code) + ")";
  std::string hint = hintFor(call, code, subject);
  if (!hint.empty()) text += "; " + hint;
  int32_t status = code == ERROR_CALL_NOT_IMPLEMENTED ? kUnsupported : kSystemError;
  error.set(status, static_cast<int32_t>(code), std::move(text));
}

int32_t completionStatus(DWORD code) {
  switch (code) {
    case ERROR_SUCCESS: return kOk;
    case ERROR_OPERATION_ABORTED: return kCancelled;
    case ERROR_CONNECTION_INVALID:
    case ERROR_NETNAME_DELETED:
    case ERROR_CONNECTION_ABORTED:
    case ERROR_GRACEFUL_DISCONNECT:
      return kConnectionLost;
    case ERROR_CALL_NOT_IMPLEMENTED: return kUnsupported;
    default: return static_cast<int32_t>(code);
  }
}

std::wstring widen(const std::string& utf8) {
  if (utf8.empty()) return {};
  int length = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring wide(static_cast<size_t>(length), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), wide.data(), length);
  return wide;
}

std::string narrow(std::wstring_view utf16) {
  if (utf16.empty()) return {};
  int size = static_cast<int>(utf16.size());
  int length = WideCharToMultiByte(CP_UTF8, 0, utf16.data(), size, nullptr, 0, nullptr, nullptr);
  std::string utf8(static_cast<size_t>(length), '\0');
  WideCharToMultiByte(CP_UTF8, 0, utf16.data(), size, utf8.data(), length, nullptr, nullptr);
  return utf8;
}

}  // namespace hsys::windows
