// The JNI host: a JVM stand-in that runs the very JNI library the jar ships.
//   hsys_jni_host --library=PATH --surface=JAVAP_OUTPUT [doctest options]
// PATH is META-INF/native/<library> from the transport's build output; JAVAP_OUTPUT is what
// scripts/jni-surface.sh wrote from the compiled classes (scripts/test-native.sh runs both).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "loaded_library.h"
#include "test_client.h"

namespace hsys::jnihost {

namespace {

LoadedLibrary instance;

// Prints each case skipped by its decorator with the reason, so a run's log says what it did not check.
struct SkipReasons : doctest::IReporter {
  explicit SkipReasons(const doctest::ContextOptions& options) : out(*options.cout) {}
  void test_case_skipped(const doctest::TestCaseData& data) override {
    if (!data.m_skip) return;  // also called for cases a filter left out
    out << "skipped: " << data.m_name << " (" << (data.m_description != nullptr ? data.m_description : "no reason")
        << ")\n";
  }
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  std::ostream& out;
};
REGISTER_LISTENER("skip-reasons", 1, SkipReasons);

void load(LoadedLibrary& loaded) {
  std::ifstream in(loaded.surfacePath, std::ios::binary);
  if (!in) {
    loaded.problem = "cannot read the javap surface " + loaded.surfacePath;
    return;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string error;
  if (!loaded.model.parseJavap(text.str(), error)) {
    loaded.problem = loaded.surfacePath + ": " + error;
    return;
  }
  const JavaClass* native = loaded.model.find("dev/nettyhttpsys/transport/Native");
  if (native == nullptr) {
    loaded.problem = loaded.surfacePath + " has no dev.nettyhttpsys.transport.Native";
    return;
  }
  loaded.vm = std::make_unique<HostVm>(loaded.model);
  loaded.library = JniLibrary::load(loaded.libraryPath, error);
  if (!loaded.library) {
    loaded.problem = error;
    return;
  }
  loaded.onLoadResult = loaded.library->onLoad(*loaded.vm);
  loaded.onLoadException = loaded.vm->takePendingException();
  loaded.natives = std::make_unique<NativeClass>(*loaded.vm, *native);
}

}  // namespace

LoadedLibrary& loadedLibrary(bool requireOnLoad) {
  REQUIRE_MESSAGE(instance.problem.empty(), instance.problem);
  REQUIRE(instance.natives != nullptr);
  if (requireOnLoad) {
    REQUIRE_MESSAGE((instance.onLoadResult == JNI_VERSION_1_8 && instance.onLoadException == nullptr),
                    "JNI_OnLoad failed (see the loading cases): System.load would throw UnsatisfiedLinkError");
  }
  return instance;
}

}  // namespace hsys::jnihost

int main(int argc, char** argv) {
  using hsys::jnihost::instance;
  std::vector<char*> doctestArguments;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--library=", 10) == 0) {
      instance.libraryPath = argv[i] + 10;
    } else if (std::strncmp(argv[i], "--surface=", 10) == 0) {
      instance.surfacePath = argv[i] + 10;
    } else {
      doctestArguments.push_back(argv[i]);
    }
  }
  if (instance.libraryPath.empty() || instance.surfacePath.empty()) {
    std::fprintf(stderr, "usage: %s --library=PATH --surface=JAVAP_OUTPUT [doctest options]\n", argv[0]);
    return 2;
  }
  hsys::test::initSockets();
  hsys::jnihost::load(instance);
  std::printf("jni host: %s (surface: %s, %zu classes)\n", instance.libraryPath.c_str(),
              instance.surfacePath.c_str(), instance.model.size());
  doctest::Context context(static_cast<int>(doctestArguments.size()), doctestArguments.data());
  return context.run();
}
