#!/usr/bin/env bash
# Runs the native contract suite against both backends: the posix build natively, the windows
# build (mingw-w64) under Wine. Usage: scripts/test-native.sh BUILD_DIR (as given to build-native.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?build folder}

echo "== native contract tests: posix backend"
"$build/linux-x86_64/hsys_contract_tests" --duration=true

echo "== native contract tests: windows backend under $(wine --version 2>/dev/null || echo 'no wine')"
# shellcheck source=wine-env.sh
source "$root/scripts/wine-env.sh"
trap wine_env_stop EXIT
# Wine's helper processes (winedevice.exe hosts http.sys) outlive the test and would hold a pipe
# open, so the output goes through a file rather than straight to whoever reads ours.
log="$build/windows-x86_64/contract-under-wine.log"
status=0
(cd "$build/windows-x86_64" && timeout 180 wine ./hsys_contract_tests.exe --duration=true) >"$log" 2>&1 || status=$?
cat "$log"

# Wine 10 (streamed responses) runs only where scripts/test-wine10.sh already built its chroot:
# then it takes a few seconds; building the chroot (network, root) is never done from here.
if [ -f "$root/build/wine10/chroot.ready" ] && [ "$(id -u)" -eq 0 ] && [ "${HSYS_SKIP_WINE10:-0}" != 1 ]; then
  echo "== native contract tests: windows backend under Wine 10 (cached chroot)"
  bash "$root/scripts/test-wine10.sh" "$build/windows-x86_64" || status=$?
else
  echo "== Wine 10 run skipped: no cached chroot (build it once with scripts/test-wine10.sh, as root)"
fi
exit "$status"
