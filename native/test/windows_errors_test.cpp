// Windows backend error messages, checked as plain code: every failed HTTP Server API call becomes
// an Error naming the call, the Win32 code with the system's text, and a hint where one helps.
#ifdef _WIN32

#include <doctest/doctest.h>

#include <string>

#include "win32_errors.h"

using namespace hsys;
using namespace hsys::windows;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_SUITE("windows backend: error messages") {

TEST_CASE("a rejected property value names the property call, the code and what to check") {
  Error error;
  setWin32Error(error, "HttpSetRequestQueueProperty(HttpServerQueueLengthProperty)",
                ERROR_INVALID_PARAMETER, "queue length 0");
  CHECK(error.status == kSystemError);
  CHECK(error.systemCode == ERROR_INVALID_PARAMETER);
  CHECK(contains(error.message, "HttpSetRequestQueueProperty(HttpServerQueueLengthProperty) failed"));
  CHECK(contains(error.message, "queue length 0"));
  CHECK(contains(error.message, "error 87"));
  CHECK(contains(error.message, "HTTP.SYS rejected the value"));
}

TEST_CASE("named queues: a missing name, a taken name, no access") {
  Error missing;
  setWin32Error(missing, "HttpCreateRequestQueue", ERROR_FILE_NOT_FOUND, "orders (open existing)");
  CHECK(contains(missing.message, "error 2"));
  CHECK(contains(missing.message, "orders (open existing)"));
  CHECK(contains(missing.message, "must run first"));

  Error taken;
  setWin32Error(taken, "HttpCreateRequestQueue", ERROR_ALREADY_EXISTS, "orders");
  CHECK(contains(taken.message, "error 183"));
  CHECK(contains(taken.message, "names are machine-wide"));

  Error denied;
  setWin32Error(denied, "HttpCreateRequestQueue", ERROR_ACCESS_DENIED, "orders (open existing)");
  CHECK(contains(denied.message, "error 5"));
  CHECK(contains(denied.message, "did not give this user access"));
}

TEST_CASE("a call this HTTP.SYS does not implement is kUnsupported, with the reason") {
  Error error;
  setWin32Error(error, "HttpSetUrlGroupProperty(HttpServerQosProperty)", ERROR_CALL_NOT_IMPLEMENTED,
                "http://127.0.0.1:8080/");
  CHECK(error.status == kUnsupported);
  CHECK(contains(error.message, "error 120"));
  CHECK(contains(error.message, "does not implement the call"));
}

TEST_CASE("completion codes map to engine statuses") {
  CHECK(completionStatus(NO_ERROR) == kOk);
  CHECK(completionStatus(ERROR_OPERATION_ABORTED) == kCancelled);
  CHECK(completionStatus(ERROR_CONNECTION_INVALID) == kConnectionLost);
  CHECK(completionStatus(ERROR_NETNAME_DELETED) == kConnectionLost);
  CHECK(completionStatus(ERROR_CALL_NOT_IMPLEMENTED) == kUnsupported);
  CHECK(completionStatus(ERROR_HANDLE_EOF) == static_cast<int32_t>(ERROR_HANDLE_EOF));
}

}  // TEST_SUITE

#endif  // _WIN32
