#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstring>

#include "test_client.h"

#ifdef _WIN32
namespace hsys::test {
// contract_windows_sharing_test.cpp: the second process of the two-process cases.
int runChildServer(int argc, char** argv);
}  // namespace hsys::test
#endif

int main(int argc, char** argv) {
  hsys::test::initSockets();
#ifdef _WIN32
  if (argc > 1 && std::strcmp(argv[1], "--hsys-child") == 0) return hsys::test::runChildServer(argc, argv);
#endif
  doctest::Context context(argc, argv);
  return context.run();
}
