#!/usr/bin/env bash
# Runs the native contract suite against both backends: the posix build natively, the windows
# build (mingw-w64) under Wine. Usage: scripts/test-native.sh BUILD_DIR (as given to build-native.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?build folder}

echo "== native contract tests: posix backend"
ctest --test-dir "$build/linux-x86_64" --output-on-failure

echo "== native contract tests: windows backend under $(wine --version 2>/dev/null || echo 'no wine')"
# shellcheck source=wine-env.sh
source "$root/scripts/wine-env.sh"
trap wine_env_stop EXIT
ctest --test-dir "$build/windows-x86_64" --output-on-failure
