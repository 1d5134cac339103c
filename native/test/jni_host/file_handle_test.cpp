// Native.fileHandle reads what the JDK keeps in a FileChannelImpl: its FileDescriptor's `handle`
// (a HANDLE, Windows) or `fd` (Linux). The objects are laid out as the JDK fills them on each
// platform (the other field -1), so reading the wrong field fails; then a file chunk is sent
// from the handle it returned.
#include <doctest/doctest.h>

#include <string>

#include "host_test_util.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>
#endif

using namespace hsys;
using namespace hsys::jnihost;
using hsys::test::ReceivedRequest;
using hsys::test::ResponseBuilder;

namespace {

const std::string kContent = "0123456789abcdefghijklmnopqrstuvwxyz";

// A temporary file holding kContent, removed on destruction; handle() is what the JDK stores.
class TemporaryFile {
 public:
  TemporaryFile() {
#ifdef _WIN32
    wchar_t directory[MAX_PATH], path[MAX_PATH];
    REQUIRE(GetTempPathW(MAX_PATH, directory) != 0);
    REQUIRE(GetTempFileNameW(directory, L"hjh", 0, path) != 0);
    // As the JDK opens a file for a FileChannel: synchronous, shared for reading.
    file_ = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ, nullptr, CREATE_ALWAYS,
                        FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, nullptr);
    REQUIRE(file_ != INVALID_HANDLE_VALUE);
    DWORD written = 0;
    REQUIRE(WriteFile(file_, kContent.data(), static_cast<DWORD>(kContent.size()), &written, nullptr));
#else
    char path[] = "/tmp/hsys-jni-host-XXXXXX";
    file_ = mkstemp(path);
    REQUIRE(file_ >= 0);
    unlink(path);
    REQUIRE(write(file_, kContent.data(), kContent.size()) == static_cast<ssize_t>(kContent.size()));
#endif
  }
  ~TemporaryFile() {
#ifdef _WIN32
    CloseHandle(file_);
#else
    close(file_);
#endif
  }
  jlong handle() const {
#ifdef _WIN32
    return reinterpret_cast<jlong>(file_);
#else
    return file_;
#endif
  }

 private:
#ifdef _WIN32
  HANDLE file_;
#else
  int file_;
#endif
};

// new FileInputStream(file).getChannel(), as the JDK lays it out on this platform.
Object* fileChannelOf(HostVm& vm, const TemporaryFile& file) {
  Object* descriptor = vm.newInstance(vm.classNamed("java/io/FileDescriptor"));
#ifdef _WIN32
  vm.setField(descriptor, "handle", Value{file.handle()});
  vm.setField(descriptor, "fd", Value{-1});
#else
  vm.setField(descriptor, "fd", Value{file.handle()});
  vm.setField(descriptor, "handle", Value{-1});
#endif
  Object* channel = vm.newInstance(vm.classNamed("sun/nio/ch/FileChannelImpl"));
  vm.setField(channel, "fd", Value{0, descriptor});
  return channel;
}

}  // namespace

TEST_SUITE("JNI layer: file handles") {

TEST_CASE("fileHandle reads the FileDescriptor of a FileChannelImpl, and a file chunk is sent from it") {
  LoadedLibrary& loaded = loadedLibrary();
  NativeClass& natives = *loaded.natives;
  TemporaryFile file;
  jlong handle = natives.call<jlong>("fileHandle", fileChannelOf(*loaded.vm, file));
  CHECK(natives.lastException == nullptr);
  REQUIRE(handle == file.handle());

  ServedClient served(31);
  ReceivedRequest request = served.get("/file");
  ResponseBuilder response;
  response.header("Content-Length", "9").body("<").fileChunk(static_cast<uint64_t>(handle), 10, 6).body("|")
      .fileChunk(static_cast<uint64_t>(handle), 0, 1);
  CHECK(served.respond(request.requestId, response).body == "<abcdef|0");
  CHECK(served.closeQueue());
}

TEST_CASE("fileHandle answers -1, with nothing pending, for a FileChannel that is not the JDK's and for null") {
  LoadedLibrary& loaded = loadedLibrary();
  NativeClass& natives = *loaded.natives;
  // A FileChannel subclass of a user's own: no `fd` field, so GetFieldID fails and is cleared.
  const JavaClass& custom = loaded.model.define("com/example/MyFileChannel", "java/nio/channels/FileChannel");
  CHECK(natives.call<jlong>("fileHandle", loaded.vm->newInstance(custom)) == -1);
  CHECK(natives.lastException == nullptr);
  CHECK(natives.call<jlong>("fileHandle", static_cast<Object*>(nullptr)) == -1);
  CHECK(natives.lastException == nullptr);
}

}  // TEST_SUITE
