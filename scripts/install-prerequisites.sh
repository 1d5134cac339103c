#!/usr/bin/env bash
# Installs what the build and the tests need on a Debian 12 machine, only where missing:
# JDK 17 and Maven, CMake and g++ (posix backend), mingw-w64 (Windows DLL), Wine (runs the
# Windows backend's contract tests), doctest (native tests), curl (examples, tests) and clang
# with its libFuzzer runtime (fuzzing; the runtime is only a recommendation of clang).
set -euo pipefail

need=()
command -v cmake >/dev/null || need+=(cmake)
command -v g++ >/dev/null || need+=(g++)
command -v x86_64-w64-mingw32-g++-posix >/dev/null || need+=(g++-mingw-w64-x86-64-posix)
command -v wine >/dev/null || need+=(wine wine64)
[ -f /usr/include/doctest/doctest.h ] || need+=(doctest-dev)
command -v curl >/dev/null || need+=(curl)
command -v clang++ >/dev/null || need+=(clang)
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "install-prerequisites: installing ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
