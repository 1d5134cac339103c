#!/usr/bin/env bash
# Fuzzes the posix engine's HTTP request parser (native/fuzz/http_parser_fuzz.cpp) with libFuzzer
# under AddressSanitizer and UndefinedBehaviorSanitizer for a fixed time, starting from the
# committed seed corpus. Fails on any crash, sanitizer report or broken invariant; the input that
# did it is left in BUILD_DIR/fuzz/ (crash-*). Needs clang with libFuzzer (Debian: clang, which
# pulls libclang-rt-NN-dev).
# Usage: scripts/fuzz-native.sh [BUILD_DIR] [SECONDS]   (default: build/fuzz, 30 s)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/fuzz}
seconds=${2:-30}
cxx=${CLANGXX:-$(command -v clang++ || true)}
[ -n "$cxx" ] || { echo "fuzz-native: clang++ not found (apt-get install clang)" >&2; exit 1; }

mkdir -p "$build/fuzz/new-inputs"
binary="$build/fuzz/http_parser_fuzz"
"$cxx" -std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -I "$root/native/include" -I "$root/native/posix" \
  "$root/native/fuzz/http_parser_fuzz.cpp" "$root/native/posix/http_parser.cpp" \
  "$root/native/posix/path_decoder.cpp" "$root/native/common/header_ids.cpp" -o "$binary"

echo "== fuzzing the HTTP parser for ${seconds}s"
# New inputs go to a scratch folder (first corpus argument); the committed seeds stay as they are.
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=8192 -print_final_stats=1 \
  -artifact_prefix="$build/fuzz/" "$build/fuzz/new-inputs" "$root/native/fuzz/corpus/http_parser" \
  2>&1 | grep -v '^#[0-9]*[[:space:]]*\(NEW\|REDUCE\|pulse\)' || { echo "fuzz-native: FAILED (see $build/fuzz/)" >&2; exit 1; }
