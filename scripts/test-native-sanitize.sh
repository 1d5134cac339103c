#!/usr/bin/env bash
# Builds the native contract tests with AddressSanitizer + UndefinedBehaviorSanitizer
# (-DHSYS_SANITIZE=ON) and runs them against the posix backend, then the JNI host against the
# sanitized JNI library: use-after-free, overflows, leaks and undefined behaviour in the engine
# or the JNI layer fail the run.
# Usage: scripts/test-native-sanitize.sh [BUILD_DIR]   (default: build/sanitize)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/sanitize}
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHSYS_SANITIZE=ON >/dev/null
cmake --build "$build" -j "$jobs" --target hsys_contract_tests hsys_jni_host
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== native contract tests (posix backend) under ASan/UBSan"
"$build/hsys_contract_tests" --duration=true
# The JNI layer too: the JNI host drives this build's (sanitized) JNI library; it needs the
# compiled Java classes for the javap surface.
classes=$root/transport-httpsys/target/classes
if [ -f "$classes/dev/nettyhttpsys/transport/Native.class" ]; then
  echo "== JNI host (posix JNI library) under ASan/UBSan"
  bash "$root/scripts/jni-surface.sh" "$classes" "$build/jni-surface.txt"
  "$build/hsys_jni_host" --library="$build/libnetty_httpsys_linux_x86_64.so" --surface="$build/jni-surface.txt"
else
  echo "== JNI host under ASan/UBSan skipped: no compiled Native class in $classes (run mvn compile first)"
fi
