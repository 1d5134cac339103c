#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs what is missing, then builds both
# native backends, runs the native contract suite (posix natively, windows under Wine) and every
# Java test with Maven.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-prerequisites.sh
mvn -B -ntp verify "$@"
