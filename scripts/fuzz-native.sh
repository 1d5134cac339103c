#!/usr/bin/env bash
# Fuzzes the posix engine with libFuzzer: the HTTP request parser (native/fuzz/http_parser_fuzz.cpp)
# and the whole engine behind a loopback socket (native/fuzz/engine_fuzz.cpp), each
# under AddressSanitizer and UndefinedBehaviorSanitizer for a fixed time, starting from the
# committed seed corpus. Fails on any crash, sanitizer report or broken invariant; the input that
# did it is left in BUILD_DIR/fuzz/NAME-crash-*. Needs clang with libFuzzer (Debian: clang, which
# pulls libclang-rt-NN-dev).
# Usage: scripts/fuzz-native.sh [BUILD_DIR] [SECONDS]   (default: build, 30 s in all: 2/3
# parser, 1/3 engine; plus about 15 s of compiling)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
seconds=${2:-30}
cxx=${CLANGXX:-$(command -v clang++ || true)}
[ -n "$cxx" ] || { echo "fuzz-native: clang++ not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
runtime=$("$cxx" -print-file-name="libclang_rt.fuzzer-$(uname -m).a")
[ -f "$runtime" ] || [ -f "$("$cxx" -print-resource-dir)/lib/linux/libclang_rt.fuzzer-$(uname -m).a" ] || {
  echo "fuzz-native: clang's libFuzzer runtime is missing (Debian 12: apt-get install libclang-rt-14-dev;" \
       "it is only recommended by clang, so --no-install-recommends leaves it out)" >&2; exit 1; }

flags=(-std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I "$root/native/include" -I "$root/native/posix")
common=("$root"/native/common/*.cpp)

# run NAME SECONDS SOURCES...: builds one harness and fuzzes it from its seed corpus. New inputs
# go to a scratch folder (the first corpus argument); the committed seeds stay as they are.
run() {
  local name=$1 time=$2; shift 2
  mkdir -p "$build/fuzz/$name-new"
  "$cxx" "${flags[@]}" "$@" "${common[@]}" -o "$build/fuzz/$name" -lpthread
  echo "== fuzzing $name for ${time}s"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/fuzz/$name" -max_total_time="$time" -timeout=10 -rss_limit_mb=1024 -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz/$name-" "$build/fuzz/$name-new" "$root/native/fuzz/corpus/http_parser" \
    > "$build/fuzz/$name.log" 2>&1 || { tail -60 "$build/fuzz/$name.log"; echo "fuzz-native: $name FAILED (input in $build/fuzz/$name-crash-*)" >&2; exit 1; }
  grep '^stat::\|^Done' "$build/fuzz/$name.log"
}

mkdir -p "$build/fuzz"
# The parser alone (fast: ~100k inputs/s), then the whole engine behind a socket (slower).
run http_parser_fuzz "$((seconds * 2 / 3))" "$root/native/fuzz/http_parser_fuzz.cpp" \
  "$root/native/posix/http_parser.cpp"
run engine_fuzz "$((seconds - seconds * 2 / 3))" "$root/native/fuzz/engine_fuzz.cpp" "$root"/native/posix/*.cpp
