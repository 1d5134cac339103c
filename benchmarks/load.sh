#!/usr/bin/env bash
# Load test: the same hello-world pipeline on each transport, driven by wrk over loopback, with
# the server's CPU time per request read from /proc. Server on CPU 0, wrk on CPU 1 (2-core box).
# Usage: benchmarks/load.sh [seconds] [transport ...]   (default: 10 s; httpsys httpsys-cached epoll io_uring nio)
# httpsys-cached is httpsys with a 60 s output-cache TTL (HTTPSYS_CACHE_DURATION=60): after the
# first response every request is a cache hit served by the engine without entering the JVM.
# Writes benchmarks/results/load-<date>.md. Needs wrk (apt-get install wrk) and a built jar:
#   mvn -B -q -DskipTests -pl benchmarks -am package
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar="$here/target/benchmarks.jar"
seconds=${1:-10}
shift || true
transports=("$@")
[ ${#transports[@]} -gt 0 ] || transports=(httpsys httpsys-cached epoll io_uring nio)
command -v wrk >/dev/null || { echo "load.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ -f "$jar" ] || { echo "load.sh: $jar missing; run: mvn -B -q -DskipTests -pl benchmarks -am package" >&2; exit 1; }

ticks=$(getconf CLK_TCK)
out="$here/results/load-$(date -u +%Y%m%d-%H%M%S).md"
port=18080
{
  echo "# Hello-world load, $(date -u +%Y-%m-%d) on $(nproc) cores ($(uname -r))"
  echo
  echo "wrk on CPU 1, server (1 event-loop thread) on CPU 0; ${seconds} s per run after a 5 s warm-up."
  echo "CPU/request = server user+system time / responses."
  echo
  echo "| transport | mode | requests/s | server CPU us/request |"
  echo "|---|---|---|---|"
} > "$out"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run_wrk() { # mode -> prints "requests_per_second total_requests"
  local mode=$1 script=()
  [ "$mode" = pipelined-16 ] && script=(-s "$here/pipeline.lua")
  taskset -c 1 wrk -t1 -c32 -d"${seconds}s" "${script[@]}" "http://127.0.0.1:$port/" \
    | awk '/Requests\/sec/ {rps=$2} /requests in/ {total=$1} END {print rps, total}'
}

for transport in "${transports[@]}"; do
  port=$((port + 10))
  cache_ttl=0
  server_transport=$transport
  if [ "$transport" = httpsys-cached ]; then cache_ttl=60; server_transport=httpsys; fi
  HTTPSYS_CACHE_DURATION=$cache_ttl taskset -c 0 java -Xms512m -Xmx512m -cp "$jar" \
    dev.nettyhttpsys.benchmarks.HelloWorldServer "$server_transport" "$port" 1 > "/tmp/load-$transport.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q READY "/tmp/load-$transport.log" 2>/dev/null && break; sleep 0.1; done
  if ! grep -q READY "/tmp/load-$transport.log"; then
    echo "| $transport | - | failed to start: $(tail -1 /tmp/load-$transport.log) | |" >> "$out"
    kill "$pid" 2>/dev/null || true
    continue
  fi
  taskset -c 1 wrk -t1 -c32 -d5s "http://127.0.0.1:$port/" >/dev/null  # warm-up (JIT)
  for mode in sequential pipelined-16; do
    before=$(cpu_ticks "$pid")
    read -r rps total < <(run_wrk "$mode")
    after=$(cpu_ticks "$pid")
    cpu_us=$(awk -v t=$((after - before)) -v hz="$ticks" -v n="$total" 'BEGIN {printf "%.2f", (n > 0 ? t / hz * 1e6 / n : 0)}')
    echo "| $transport | $mode | $rps | $cpu_us |" >> "$out"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
cat "$out"
