#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "test_client.h"

int main(int argc, char** argv) {
  hsys::test::initSockets();
  doctest::Context context(argc, argv);
  return context.run();
}
