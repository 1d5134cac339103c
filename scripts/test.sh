#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs what is missing, then
#  1. mvn verify: builds both native backends, runs the native contract suite (posix natively,
#     windows under the host's Wine 8 and, when its chroot could be built, Wine 10) and every
#     Java test (codec-bridge, the transport with its differential suite against NIO, examples);
#  2. the posix contract suite again under ASan/UBSan;
#  3. a short libFuzzer run of the HTTP parser and of the whole posix engine.
# Before them, scripts/check-doc-paths.sh: every file the docs and engine headers name exists.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-prerequisites.sh
# Wine 10 needs a debootstrapped Debian trixie (network, root). Without it the Wine 10 run is
# skipped with its reason; every other step still runs.
if [ "$(id -u)" -eq 0 ] && [ "${HSYS_SKIP_WINE10:-0}" != 1 ]; then
  timeout 900 bash scripts/test-wine10.sh --prepare || echo "test: Wine 10 chroot could not be built; its run will be skipped"
fi
bash scripts/check-doc-paths.sh
mvn -B -ntp verify "$@"
bash scripts/test-native-sanitize.sh "$root/build/sanitize"
bash scripts/fuzz-native.sh "$root/build" 30
