#!/usr/bin/env bash
# Builds the project (without tests) and runs Netty's hello-world HTTP server on this machine's
# default backend (the posix engine on Linux, HTTP.SYS on Windows). Try: curl http://127.0.0.1:8080/
# Usage: scripts/run-example.sh [port]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-prerequisites.sh
mvn -B -ntp -q -DskipTests install
exec mvn -B -ntp -q -pl examples exec:java -Dport="${1:-8080}"
