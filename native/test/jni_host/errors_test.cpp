// Failures of the set-up natives arrive as the HttpSysException Java catches: that class, made
// with its (String, int, int) constructor, the message naming the system error and a hint.
#include <doctest/doctest.h>

#include <string>

#include "host_test_util.h"

#ifdef _WIN32
#include <winsock2.h>
#include <windows.h>
#else
#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

using namespace hsys;
using namespace hsys::jnihost;

namespace {

struct ThrownException {
  std::string className;
  std::string constructor;
  std::string message;
  jlong status = 0;
  jlong systemCode = 0;
};

ThrownException thrown(const Object* exception) {
  REQUIRE_MESSAGE(exception != nullptr, "no exception was thrown");
  ThrownException out;
  out.className = exception->type->name;
  REQUIRE_MESSAGE(exception->constructor != nullptr, exception->type->name << " was not made by NewObject");
  out.constructor = exception->constructor->descriptor;
  REQUIRE(exception->constructorArguments.size() == 3);
  out.message = HostVm::utf8(exception->constructorArguments[0].reference);
  out.status = exception->constructorArguments[1].primitive;
  out.systemCode = exception->constructorArguments[2].primitive;
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A plain listening socket on 127.0.0.1, as a program that does not use HTTP.SYS holds a port.
class PortBlocker {
 public:
  PortBlocker() {
    socket_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(socket_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(socket_, 1) == 0);
#ifdef _WIN32
    int length = sizeof address;
#else
    socklen_t length = sizeof address;
#endif
    ::getsockname(socket_, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
  }
  ~PortBlocker() {
#ifdef _WIN32
    closesocket(socket_);
#else
    ::close(socket_);
#endif
  }
  uint16_t port = 0;

 private:
#ifdef _WIN32
  SOCKET socket_;
#else
  int socket_;
#endif
};

}  // namespace

TEST_SUITE("JNI layer: exceptions") {

TEST_CASE("createQueue with a settings array of the wrong length throws HttpSysException (kInvalidArgument)") {
  LoadedLibrary& loaded = loadedLibrary();
  JniEngine engine(*loaded.vm, *loaded.natives);
  jlong queue = engine.createQueue(21, "", std::vector<jlong>(kQueueOptionCount - 1, 0));
  CHECK(queue == 0);
  ThrownException exception = thrown(loaded.natives->lastException);
  CHECK(exception.className == "dev/nettyhttpsys/transport/HttpSysException");
  CHECK(exception.constructor == "(Ljava/lang/String;II)V");
  CHECK(exception.status == kInvalidArgument);
  CHECK(exception.systemCode == 0);
  CHECK(contains(exception.message, "settings array has the wrong length"));
}

TEST_CASE("addUrl on a port a plain socket holds throws HttpSysException with the system error and a hint") {
  LoadedLibrary& loaded = loadedLibrary();
  NativeClass& natives = *loaded.natives;
  JniEngine engine(*loaded.vm, natives);
  PortBlocker blocker;
  jlong queue = engine.createQueue(22, "", queueSettings());
  REQUIRE(natives.lastException == nullptr);
  natives.call<void>("addUrl", queue, engine.javaString(prefixFor(blocker.port)));
  ThrownException exception = thrown(natives.lastException);
  CHECK(exception.className == "dev/nettyhttpsys/transport/HttpSysException");
  CHECK(exception.constructor == "(Ljava/lang/String;II)V");
  CHECK(exception.status == kSystemError);
  MESSAGE("HttpSysException: " << exception.message);
#ifdef _WIN32
  CHECK(exception.systemCode == ERROR_SHARING_VIOLATION);
  CHECK(contains(exception.message, "HttpAddUrlToUrlGroup"));
  CHECK(contains(exception.message, "error 32"));
  CHECK(contains(exception.message, "does not use HTTP.SYS"));
#else
  CHECK(exception.systemCode == EADDRINUSE);
  CHECK(contains(exception.message, "errno 98"));
  CHECK(contains(exception.message, "in use by another process"));
#endif
  CHECK(engine.closeQueue(queue, 22));
}

TEST_CASE("addUrl with a malformed prefix throws HttpSysException naming the prefix") {
  LoadedLibrary& loaded = loadedLibrary();
  NativeClass& natives = *loaded.natives;
  JniEngine engine(*loaded.vm, natives);
  jlong queue = engine.createQueue(23, "", queueSettings());
  REQUIRE(natives.lastException == nullptr);
  const std::string prefix = "http://127.0.0.1:" + std::to_string(test::freePort());  // no trailing '/'
  natives.call<void>("addUrl", queue, engine.javaString(prefix));
  ThrownException exception = thrown(natives.lastException);
  CHECK(exception.className == "dev/nettyhttpsys/transport/HttpSysException");
  MESSAGE("HttpSysException: " << exception.message);
#ifdef _WIN32
  CHECK(exception.status == kSystemError);
  CHECK(exception.systemCode == ERROR_INVALID_PARAMETER);
  CHECK(contains(exception.message, "error 87"));
  CHECK(contains(exception.message, "must end with '/'"));
#else
  CHECK(exception.status == kInvalidArgument);
  CHECK(contains(exception.message, prefix));
#endif
  CHECK(engine.closeQueue(queue, 23));
}

}  // TEST_SUITE
