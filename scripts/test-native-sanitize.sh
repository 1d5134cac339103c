#!/usr/bin/env bash
# Builds the native contract tests with AddressSanitizer + UndefinedBehaviorSanitizer
# (-DHSYS_SANITIZE=ON) and runs them against the posix backend: use-after-free, overflows,
# leaks and undefined behaviour in the engine fail the run.
# Usage: scripts/test-native-sanitize.sh [BUILD_DIR]   (default: build/sanitize)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/sanitize}
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHSYS_SANITIZE=ON >/dev/null
cmake --build "$build" -j "$jobs" --target hsys_contract_tests
echo "== native contract tests (posix backend) under ASan/UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$build/hsys_contract_tests" --duration=true
