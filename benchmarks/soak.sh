#!/usr/bin/env bash
# Soak run (documented, not part of CI): millions of mixed requests against the soak server on
# this transport (hello world, 64 KB responses, 16 KB POST echoes, output-cache hits over 256
# keep-alive connections with wrk, plus WebSocket echoes of 1 KB messages), while the server's
# RSS, open descriptors, direct memory and engine counters are sampled every 10 s.
# Usage: benchmarks/soak.sh [seconds]   (default 240: about 10 million requests on 2 cores)
# Writes benchmarks/results/soak-<date>.csv (the samples) and .md (totals, and whether every
# sampled number stayed flat after the warm-up). Needs wrk and the benchmarks jar:
#   mvn -B -q -DskipTests -pl benchmarks -am package
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar="$here/target/benchmarks.jar"
seconds=${1:-240}
port=18500
command -v wrk >/dev/null || { echo "soak.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ -f "$jar" ] || { echo "soak.sh: $jar missing; run: mvn -B -q -DskipTests -pl benchmarks -am package" >&2; exit 1; }
stamp=$(date -u +%Y%m%d-%H%M%S)
csv="$here/results/soak-$stamp.csv"
md="$here/results/soak-$stamp.md"
log=$(mktemp)

taskset -c 0 java -Xms256m -Xmx256m -cp "$jar" dev.nettyhttpsys.benchmarks.soak.SoakServer "$port" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q READY "$log" && break; sleep 0.1; done
grep -q READY "$log" || { echo "soak.sh: the server did not start: $(tail -3 "$log")" >&2; exit 1; }

# The server names its /stats columns on start (one source: SoakServer.STATS_HEADER).
echo "elapsed_s,$(sed -n 's/^COLUMNS //p' "$log")" > "$csv"
sample() { echo "$1,$(curl -s --max-time 5 "http://127.0.0.1:$port/stats")" >> "$csv"; }

sample 0
wrk_out=$(mktemp)
ws_out=$(mktemp)
taskset -c 1 wrk -t1 -c256 -d"${seconds}s" --timeout 10s -s "$here/soak.lua" "http://127.0.0.1:$port/" >"$wrk_out" 2>&1 &
wrk_pid=$!
taskset -c 1 java -cp "$jar" dev.nettyhttpsys.benchmarks.soak.SoakWebSocketClient "$port" 16 "$seconds" >"$ws_out" 2>&1 &
ws_pid=$!
for ((t = 10; t <= seconds; t += 10)); do
  sleep 10
  sample "$t"
done
wait "$wrk_pid" || true
wait "$ws_pid" || true
sleep 2
sample "$((seconds + 2))"

requests=$(awk '/requests in/ {print $1}' "$wrk_out")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$wrk_out"); non2xx=${non2xx:-0}
socket_errors=$(awk '/Socket errors/ {print}' "$wrk_out"); socket_errors=${socket_errors:-none}
websocket=$(tail -1 "$ws_out")
{
  echo "# Soak run, $(date -u +%Y-%m-%d) on $(nproc) cores ($(uname -r)), $(java -version 2>&1 | head -1)"
  echo
  echo "Server: benchmarks/soak/SoakServer on this transport, one event loop, pinned to CPU 0, -Xmx256m."
  echo "Load for ${seconds} s on CPU 1: wrk -c256 with benchmarks/soak.lua (hello, 64 KB, 16 KB POST echo,"
  echo "output-cache hits), and 16 WebSocket clients echoing 1 KB messages."
  echo
  echo "- HTTP requests: $requests (non-2xx: $non2xx; socket errors: $socket_errors)"
  echo "- $websocket"
  echo "- samples every 10 s: \`$(basename "$csv")\`"
  echo
  echo "Flat: a resource (memory, descriptors, arena, cache) ends within 10% of its value after the"
  echo "warm-up and peaks in the second half no more than 25% above the first half; an in-flight gauge"
  echo "(connections, live requests, pending completions) returns to its idle value after the load."
  echo
  echo "| counter | after warm-up (30 s) | last under load | max | after the load | flat |"
  echo "|---|---|---|---|---|---|"
  awk -F, -v seconds="$seconds" '
    NR == 1 { for (i = 2; i <= NF; i++) name[i] = $i; next }
    NR == 2 { for (i = 2; i <= NF; i++) idle[i] = $i }  # the sample before the load
    { for (i = 2; i <= NF; i++) after[i] = $i }  # the last line is the sample after the load
    $1 >= 30 && $1 < seconds {
      half = ($1 < (30 + seconds) / 2) ? 1 : 2
      for (i = 2; i <= NF; i++) {
        if (!(i in first)) first[i] = $i
        last[i] = $i
        if ($i > max[i]) max[i] = $i
        if ($i > halfmax[half, i]) halfmax[half, i] = $i
      }
    }
    END {
      for (i = 2; i in name; i++) {
        # Flat: the last value within 10% (or 64 units) of the first after warm-up, and the second
        # half of the run peaking no more than 25% (or 64 units) above the first half: a leak grows,
        # a steady load wobbles (in-flight gauges such as live_requests swing with it both ways).
        slack = first[i] * 0.10; if (slack < 64) slack = 64
        peak = halfmax[1, i] * 1.25; if (peak < halfmax[1, i] + 64) peak = halfmax[1, i] + 64
        flat = (last[i] <= first[i] + slack && halfmax[2, i] <= peak) ? "yes" : "NO"
        # In-flight gauges follow the load from one instant to the next; what must hold is that
        # they return to their idle value once the load is gone.
        if (name[i] ~ /^(connections|live_requests|pending_completions)$/)
          flat = (after[i] <= idle[i] + 2) ? "yes (back to idle)" : "NO (not back to idle)"
        printf "| %s | %s | %s | %s | %s | %s |\n", name[i], first[i], last[i], max[i], after[i], flat
      }
    }' "$csv"
} > "$md"
rm -f "$wrk_out" "$ws_out"
cat "$md"
