#!/usr/bin/env bash
# Load test: BenchmarkServer (one event-loop thread, pinned to CPU 0) on each transport, driven by
# wrk (pinned to CPU 1) over loopback; every transport in one run, so they share the conditions.
#
# Usage: benchmarks/load.sh [--scenarios=LIST] [SECONDS] [TRANSPORT ...]
#   SECONDS    per row (default 10); the performance targets are stated against `load.sh 10`
#   TRANSPORT  httpsys httpsys-cached epoll io_uring nio (default: all five)
#   LIST       comma-separated scenario names from lib.sh's table, "default" (sequential,pipelined-16,c256,c2000),
#              or "all" (every one); e.g. --scenarios=default,64k,file-1m
# Environment: WARMUP seconds of hello-world load before a transport's first row (default 5);
#              ROW_WARMUP seconds of one pass of each row's own load before it is measured (default 1; 0: none);
#              passes repeat until one leaves the JIT quiet (its compiler threads ran under WARMUP_JIT_MS,
#              default 20), at most WARMUP_PASSES (default 10), so a row measures the transport's steady
#              state and not C2 compiling its path on the server's one core.
#
# Per row: requests/s; server CPU us/request (user+system time of the server process over the
# row, from /proc/<pid>/stat, divided by the responses), and of it the kernel's (system time) and
# the JIT compiler threads'; the warm-up passes it took; latency p50/p99/p99.9 (wrk's, which adds
# the samples a constant-rate client would have seen behind each slow response; none for pipelined
# rows: wrk times a whole batch as one request, and that correction then breaks its percentiles);
# non-2xx/3xx responses; socket errors (connect, read, write, timeout over 5 s); the server's RSS
# after the row. A row with any error is marked in the table
# and hatched in the chart, and left out of the ratios.
# Writes benchmarks/results/load-<UTC time>.md (tables and machine), .tsv (data) and .png (chart).
# Needs wrk and gnuplot (installed with apt-get when run as root) and the built jar:
#   mvn -B -q -DskipTests -pl benchmarks -am package
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

default_scenarios=sequential,pipelined-16,c256,c2000
scenario_list=default
if [[ ${1:-} == --scenarios=* ]]; then scenario_list=${1#--scenarios=}; shift; fi
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
seconds=${1:-10}
shift || true
transports=("$@")
[ ${#transports[@]} -gt 0 ] || transports=(httpsys httpsys-cached epoll io_uring nio)
scenario_list=${scenario_list//default/$default_scenarios}
[ "$scenario_list" != all ] || scenario_list=$(awk 'NF {printf "%s%s", (n++ ? "," : ""), $1}' <<< "$scenario_table")
IFS=, read -r -a scenarios <<< "$scenario_list"
for name in "${scenarios[@]}"; do
  scenario_fields "$name" > /dev/null \
    || { echo "load.sh: unknown scenario '$name'; known: $(awk 'NF {printf "%s ", $1}' <<< "$scenario_table")" >&2; exit 2; }
done

ensure_tools wrk=wrk gnuplot=gnuplot-nox taskset=util-linux
require_jar
# Thousands of connections need as many descriptors in wrk and in the server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
file_limit=$(ulimit -n)

ticks_per_second=$(getconf CLK_TCK)
stamp=${BENCH_STAMP:-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$bench_results"
out="$bench_results/load-$stamp"
work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT
tsv_header="transport	scenario	connections	requests_per_s	cpu_us_per_request	p50_ms	p99_ms	p999_ms	non_2xx	socket_errors	rss_mb	error	kernel_us_per_request	jit_us_per_request	warmups"
row_warmup=${ROW_WARMUP:-1}
warmup_passes=$(whole_number WARMUP_PASSES 10 passes 1)
warmup_jit_ms=$(whole_number WARMUP_JIT_MS 20 milliseconds 0)
echo "$tsv_header" > "$out.tsv"

# Rows that could not be measured: in the table, not in the data.
notes=()

for transport in "${transports[@]}"; do
  log="$work/server-$transport.log"
  if ! start_server "$transport" "$log"; then
    notes+=("| $transport | - | - | not measured: the server did not start: $server_error |")
    continue
  fi
  wrk_row / GET 0 1 32 "${WARMUP:-5}" > /dev/null  # JIT warm-up
  for scenario in "${scenarios[@]}"; do
    read -r connections path method body depth < <(scenario_fields "$scenario")
    if [ $((connections + 100)) -gt "$file_limit" ]; then
      notes+=("| $transport | $scenario | $connections | not measured: the file limit ($file_limit) is below $((connections + 100)) |")
      continue
    fi
    warmups=0
    [ "$row_warmup" = 0 ] || warmups=$(jit_quiet_warm_up "$warmup_passes" "$warmup_jit_ms" \
      wrk_row "$path" "$method" "$body" "$depth" "$connections" "$row_warmup")
    measured_row "$path" "$method" "$body" "$depth" "$connections" "$seconds"
    result=$measured_result
    if [[ $result == FAILED* ]]; then
      notes+=("| $transport | $scenario | $connections | not measured: wrk failed: ${result#FAILED } |")
      continue
    fi
    requests=$(field requests "$result")
    socket_errors=$(( $(field connect "$result") + $(field read "$result") + $(field write "$result") + $(field timeout "$result") ))
    awk -v OFS='\t' -v tr="$transport" -v sc="$scenario" -v c="$connections" -v n="$requests" \
        -v us="$(field duration_us "$result")" -v ticks="$measured_ticks" -v kticks="$measured_kernel_ticks" -v hz="$ticks_per_second" \
        -v jit_ns="$measured_jit_ns" -v warmups="$warmups" \
        -v p50="$(field p50_us "$result")" -v p99="$(field p99_us "$result")" -v p999="$(field p999_us "$result")" -v depth="$depth" \
        -v status="$(field status "$result")" -v sock="$socket_errors" -v rss="$(rss_kib "$server_pid" 2>/dev/null || echo 0)" \
      'function ms(us) { return depth > 1 ? "-" : sprintf("%.2f", us / 1000) }
       BEGIN { print tr, sc, c, sprintf("%.0f", n / (us / 1e6)), (n > 0 ? sprintf("%.2f", ticks / hz * 1e6 / n) : "-"),
               ms(p50), ms(p99), ms(p999),
               status, sock, sprintf("%.0f", rss / 1024), (status + sock > 0 || n == 0) ? 1 : 0,
               (n > 0 ? sprintf("%.2f", kticks / hz * 1e6 / n) : "-"), (n > 0 ? sprintf("%.2f", jit_ns / 1e3 / n) : "-"), warmups }' >> "$out.tsv"
    if ! kill -0 "$server_pid" 2>/dev/null; then
      notes+=("| $transport | - | - | the server died during $scenario: $(tail -1 "$log") |")
      break
    fi
  done
  stop_server
done

{
  echo "# Load: $(date -u '+%Y-%m-%d %H:%M') UTC, $seconds s per row"
  echo
  describe_machine
  echo "- server: BenchmarkServer, one event-loop thread, \`taskset -c 0\`, -Xmx512m; client: wrk -t1, \`taskset -c 1\`, --timeout 5s"
  echo "- command: \`benchmarks/load.sh --scenarios=$scenario_list $seconds ${transports[*]}\` (warm-up: ${WARMUP:-5} s, then passes of $row_warmup s"
  echo "  of each row's load until one leaves the JIT compiler threads under $warmup_jit_ms ms of CPU, at most $warmup_passes)"
  echo "- CPU us/request = the server process's user+system CPU time over the row / responses; of it kernel = its system time"
  echo "  (TCP over loopback, epoll, syscalls: what no user-space work removes), of it JIT = the C1/C2 compiler threads' CPU"
  echo "  (they share the pinned core). Latency: wrk's percentiles, with its"
  echo "  correction for coordinated omission; none for pipelined rows (wrk times a whole batch, and the correction then breaks)."
  echo
  echo "![requests/s and server CPU per request](load-$stamp.png)"
  echo
  echo "| transport | scenario | connections | requests/s | server CPU us/request | of it kernel | of it JIT | warm-ups | p50 ms | p99 ms | p99.9 ms | non-2xx/3xx | socket errors | server RSS MB | |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $13, $14, $15, $6, $7, $8, $9, $10, $11, ($4 == 0 ? "**no responses**" : $12 == 1 ? "**errors: not comparable**" : "") }' "$out.tsv"
  for note in "${notes[@]+"${notes[@]}"}"; do echo "$note"; done
  echo
  echo "Ratios to epoll in the same run (rows with errors left out): CPU per request (lower is better), the same without the"
  echo "JIT compiler threads' part, and requests/s (higher is better)."
  echo
  echo "| scenario | transport | CPU/request vs epoll | without JIT vs epoll | requests/s vs epoll |"
  echo "|---|---|---:|---:|---:|"
  awk -F'\t' 'NR > 1 { key = $2 SUBSEP $1; cpu[key] = $5; rps[key] = $4; bad[key] = $12; jit[key] = $14
                       if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
                       if (!($1 in tseen)) { tseen[$1] = 1; torder[++m] = $1 } }
    END { for (i = 1; i <= n; i++) { s = order[i]; e = s SUBSEP "epoll"
            if (!(e in cpu)) continue
            for (j = 1; j <= m; j++) { t = torder[j]; k = s SUBSEP t
              if (t == "epoll" || !(k in cpu)) continue
              if (bad[k] || bad[e]) printf "| %s | %s | errors | errors | errors |\n", s, t
              else printf "| %s | %s | %.2fx | %.2fx | %.2fx |\n", s, t, cpu[k] / cpu[e], (cpu[k] - jit[k]) / (cpu[e] - jit[e]),
                          rps[k] / rps[e] } } }' "$out.tsv"
} > "$out.md"

if [ "$(wc -l < "$out.tsv")" -gt 1 ]; then
  chart "$out.tsv" "$out.png" "Load (wrk over loopback, server on one core): $(date -u +%Y-%m-%d), $seconds s per row" \
    "4|requests/s (log scale)|1|%.1s%c" "5|server CPU us per request (log scale; lower is better)|1|%.3g"
fi
cat "$out.md"
echo "load.sh: wrote $out.md, $out.tsv and $out.png"
