#!/usr/bin/env bash
# Builds the native engine twice: for this Linux host (posix backend) and, cross-compiled with
# mingw-w64, for Windows x86_64 (HTTP.SYS backend). Copies both JNI libraries to OUT/ (the jar's
# META-INF/native/, named as Netty names its native libraries).
# Usage: scripts/build-native.sh BUILD_DIR OUT_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?build folder}
out=${2:?output folder}
jobs=$(nproc 2>/dev/null || echo 2)

configure_and_build() {
  local dir=$1; shift
  cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHSYS_OUTPUT_DIR="$out" "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

# The jar's folder holds the libraries only; folders are left from the earlier <os>-<arch>/ layout.
if [ -d "$out" ]; then find "$out" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +; fi
configure_and_build "$build/linux-x86_64"
if ! command -v x86_64-w64-mingw32-g++-posix >/dev/null; then
  echo "build-native: x86_64-w64-mingw32-g++-posix not found; install g++-mingw-w64-x86-64-posix (scripts/install-prerequisites.sh)" >&2
  exit 1
fi
configure_and_build "$build/windows-x86_64" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake"
ls -l "$out"/
