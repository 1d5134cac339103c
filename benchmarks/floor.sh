#!/usr/bin/env bash
# The kernel's floor: the least server CPU a keep-alive hello-world request can cost over loopback TCP
# on this machine. Netty's epoll BenchmarkServer against floor_server (benchmarks/floor/floor_server.cpp),
# which does nothing but answer each request head with a response of the same size: once with epoll
# (epoll_wait, recv, send) and once with io_uring (multishot accept and receive, one io_uring_enter per
# loop iteration). Each is set up as load.sh sets up a transport: pinned to CPU 0, wrk -t1 on CPU 1,
# the same warm-up, and the sequential and pipelined-16 scenarios of lib.sh.
#
# Usage: benchmarks/floor.sh [RUNS] [SECONDS]
#   RUNS     rounds (default 3); every round measures every server, the servers' order rotating by one
#            from round to round so that none is always first or last
#   SECONDS  per row (default 10)
# Environment: SERVERS (default "netty-epoll floor-epoll floor-uring"; floor-uring-nodefer is io_uring
#              without DEFER_TASKRUN; httpsys and httpsys-cached are BenchmarkServer on this transport, as
#              in load.sh, to read it against the floor in the same rounds); WARMUP, ROW_WARMUP,
#              WARMUP_PASSES, WARMUP_JIT_MS as in load.sh;
#              SYSCALL_SECONDS (default 3; 0: none) for the separate pass that counts system calls with
#              `perf stat -e raw_syscalls:sys_enter` (tracing slows the server, so that pass is not the
#              measured one); BENCH_LOCK (default /tmp/bench.lock): each server's measurement holds it
#              (flock), so that benchmarks run by others at the same time do not overlap with it.
#
# Per row: responses/s; server CPU us/request (user+system time of the server process from
# /proc/<pid>/stat over the row, divided by the responses) and its system part; system calls per request
# (all, and the ones that matter by name); each floor server's CPU against Netty epoll's in the same round.
# Writes benchmarks/results/floor-<UTC time>.md. Needs g++, wrk, taskset, perf (optional: without it
# no system-call counts) and the built jar: mvn -B -q -DskipTests -pl benchmarks -am package
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
RUNS=${1:-} SECONDS_PER_ROW=${2:-}
runs=$(whole_number RUNS 3 runs 1)
seconds=$(whole_number SECONDS_PER_ROW 10 seconds 1)
syscall_seconds=$(whole_number SYSCALL_SECONDS 3 seconds 0)
warmup_passes=$(whole_number WARMUP_PASSES 10 passes 1)
warmup_jit_ms=$(whole_number WARMUP_JIT_MS 20 milliseconds 0)
row_warmup=$(whole_number ROW_WARMUP 1 seconds 0)
warmup=$(whole_number WARMUP 5 seconds 0)
read -r -a servers <<< "${SERVERS:-netty-epoll floor-epoll floor-uring}"
for server in "${servers[@]}"; do
  case $server in netty-epoll|floor-epoll|floor-uring|floor-uring-nodefer|httpsys|httpsys-cached) ;;
    *) echo "floor.sh: unknown server '$server' in SERVERS; known: netty-epoll floor-epoll floor-uring floor-uring-nodefer httpsys httpsys-cached" >&2; exit 2 ;;
  esac
done
scenarios=(sequential pipelined-16)

if ! ensure_tools g++=g++ wrk=wrk taskset=util-linux || ! command -v g++ > /dev/null || ! command -v wrk > /dev/null; then
  echo "floor.sh: needs g++ (to build floor_server) and wrk (the load); install them: apt-get install g++ wrk" >&2
  exit 1
fi
require_jar
count_syscalls=1
if [ "$syscall_seconds" = 0 ]; then count_syscalls=0
elif ! command -v perf > /dev/null; then
  echo "floor.sh: perf missing (Debian: linux-perf): no system-call counts" >&2
  count_syscalls=0
fi

floor_bin="$bench_dir/target/floor_server"
mkdir -p "$bench_dir/target"
g++ -O2 -std=c++17 -Wall -Wextra -Werror -o "$floor_bin" "$bench_dir/floor/floor_server.cpp"

ticks_per_second=$(getconf CLK_TCK)
stamp=${BENCH_STAMP:-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$bench_results"
out="$bench_results/floor-$stamp.md"
work=$(mktemp -d)
lock=${BENCH_LOCK:-/tmp/bench.lock}
exec 9>> "$lock"
trap 'stop_server; rm -rf "$work"' EXIT
# One line per row: run server scenario requests/s cpu_us system_us jit_us syscalls breakdown errors
rows="$work/rows.tsv"
: > "$rows"
# The system calls named in the breakdown (the others are only in the total).
named_syscalls=(epoll_wait epoll_pwait read recvfrom write writev sendto io_uring_enter)

start_named() {
  case $1 in
    netty-epoll) start_server epoll "$2" ;;
    httpsys|httpsys-cached) start_server "$1" "$2" ;;
    floor-*) start_pinned "$2" "$floor_bin" "${1#floor-}" 0 ;;
  esac
}

# syscall_counts PATH METHOD BODY DEPTH CONNECTIONS: "per_request breakdown" for SYSCALL_SECONDS of the row's
# load, counted by perf on the server process; "- -" when that fails.
syscall_counts() {
  local events=raw_syscalls:sys_enter name perf_pid result requests
  for name in "${named_syscalls[@]}"; do events+=",syscalls:sys_enter_$name"; done
  perf stat -x, -e "$events" -o "$work/perf.csv" -p "$server_pid" > /dev/null 2>&1 &
  perf_pid=$!
  sleep 0.3
  result=$(wrk_row "$@" "$syscall_seconds")
  kill -INT "$perf_pid" 2>/dev/null || true
  wait "$perf_pid" 2>/dev/null || true
  requests=$(field requests "$result")
  if [[ $result == FAILED* ]] || [ "${requests:-0}" = 0 ] || ! grep -q 'raw_syscalls:sys_enter' "$work/perf.csv" 2>/dev/null; then
    echo "- -"
    return
  fi
  awk -F, -v n="$requests" '
    $3 == "raw_syscalls:sys_enter" { total = $1 / n }
    $3 ~ /^syscalls:sys_enter_/ && $1 + 0 >= 0.05 * n { name = substr($3, 20); list = list (list ? ", " : "") sprintf("%s %.2f", name, $1 / n) }
    END { printf "%.2f %s\n", total, (list ? list : "-") }' "$work/perf.csv" | sed 's/ /\t/'
}

# measure RUN SERVER: one server's rows of one round, under the lock.
measure() {
  local run=$1 server=$2 log="$work/$2-$1.log" scenario connections path method body depth
  local result requests errors counts
  flock 9
  if ! start_named "$server" "$log"; then
    flock -u 9
    printf '%s\t%s\t-\t-\t-\t-\t-\t-\t-\tthe server did not start: %s\n' "$run" "$server" "$server_error" >> "$rows"
    return
  fi
  wrk_row / GET 0 1 32 "$warmup" > /dev/null
  for scenario in "${scenarios[@]}"; do
    read -r connections path method body depth < <(scenario_fields "$scenario")
    [ "$row_warmup" = 0 ] || jit_quiet_warm_up "$warmup_passes" "$warmup_jit_ms" \
      wrk_row "$path" "$method" "$body" "$depth" "$connections" "$row_warmup" > /dev/null
    measured_row "$path" "$method" "$body" "$depth" "$connections" "$seconds"
    result=$measured_result
    if [[ $result == FAILED* ]]; then
      printf '%s\t%s\t%s\t-\t-\t-\t-\t-\t-\twrk failed: %s\n' "$run" "$server" "$scenario" "${result#FAILED }" >> "$rows"
      continue
    fi
    requests=$(field requests "$result")
    errors=$(( $(field connect "$result") + $(field read "$result") + $(field write "$result") + $(field timeout "$result") + $(field status "$result") ))
    counts="- -"
    [ "$count_syscalls" = 0 ] || counts=$(syscall_counts "$path" "$method" "$body" "$depth" "$connections")
    awk -v OFS='\t' -v run="$run" -v server="$server" -v scenario="$scenario" -v n="$requests" -v us="$(field duration_us "$result")" \
        -v ticks="$measured_ticks" -v kticks="$measured_kernel_ticks" -v hz="$ticks_per_second" \
        -v jit="$measured_jit_ns" -v errors="$errors" -v counts="$counts" '
      BEGIN { split(counts, c, "\t"); if (c[2] == "") { split(counts, c, " ") }
              note = n == 0 ? "no responses" : errors > 0 ? errors " errors" : ""
              print run, server, scenario, sprintf("%.0f", n / (us / 1e6)),
                    (n ? sprintf("%.2f", ticks / hz * 1e6 / n) : "-"), (n ? sprintf("%.2f", kticks / hz * 1e6 / n) : "-"),
                    (n ? sprintf("%.2f", jit / 1e3 / n) : "-"), c[1], c[2], note }' >> "$rows"
  done
  stop_server
  flock -u 9
}

machine=$(describe_machine)
echo "floor.sh: $runs rounds of ${servers[*]}, $seconds s per row; writing $out" >&2
loads=()
for run in $(seq "$runs"); do
  loads+=("$(cut -d' ' -f1-3 /proc/loadavg)")
  count=${#servers[@]}
  for i in $(seq 0 $((count - 1))); do
    server=${servers[$(( (i + run - 1) % count ))]}
    echo "floor.sh: round $run: $server" >&2
    measure "$run" "$server"
  done
done

# med LIST DECIMALS [SUFFIX]: the median of a comma-separated LIST (ending in a comma), or "-" for "-".
med() {
  [ "$1" = - ] && { echo -; return; }
  local values
  IFS=, read -r -a values <<< "${1%,}"
  printf "%.${2}f%s" "$(median "${values[@]}")" "${3:-}"
}

{
  echo "# The kernel's floor: $(date -u '+%Y-%m-%d %H:%M') UTC, $runs rounds, $seconds s per row"
  echo
  echo "$machine"
  echo "- command: \`SERVERS=\"${servers[*]}\" benchmarks/floor.sh $runs $seconds\`"
  echo "- servers: **netty-epoll** is BenchmarkServer on Netty epoll (as in load.sh: one event-loop thread, -Xmx${server_heap_mb}m,"
  echo "  $warmup s warm-up, then $row_warmup s passes of each row's load until one leaves the JIT under $warmup_jit_ms ms of CPU, at most $warmup_passes);"
  echo "  **floor-epoll** and **floor-uring** are \`benchmarks/floor/floor_server.cpp\`: for each request head one fixed response of"
  echo "  the same 78 bytes, nothing else (floor-epoll: edge-triggered epoll_wait, recv, one send per connection per wake-up;"
  echo "  floor-uring: io_uring with multishot accept and multishot receive into provided buffers, sends as SQEs,"
  echo "  one io_uring_enter per loop iteration, SINGLE_ISSUER|DEFER_TASKRUN); **httpsys** and **httpsys-cached** are"
  echo "  BenchmarkServer on this transport, set up as netty-epoll. All pinned to CPU 0, wrk -t1 on CPU 1."
  echo "- CPU us/request: the server process's user+system time over the row (/proc/<pid>/stat) / responses; system: its"
  echo "  kernel part; JIT: the C1/C2 compiler threads' part. System calls per request: a separate ${syscall_seconds} s pass of the same load"
  echo "  under \`perf stat -e raw_syscalls:sys_enter\` (the names: those over 0.05 per request)."
  echo "- load average at the start of each round: ${loads[*]}"
  for run in $(seq "$runs"); do
    echo
    echo "## Round $run"
    echo
    echo "| server | scenario | responses/s | CPU us/request | system | user | JIT | syscalls/request | which | CPU vs netty-epoll | system vs netty-epoll | |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|"
    awk -F'\t' -v run="$run" '
      $1 == run { key = $2 SUBSEP $3; cpu[key] = $5; sys[key] = $6; bad[key] = ($10 != ""); line[++n] = $0 }
      END { for (i = 1; i <= n; i++) { split(line[i], f, "\t"); e = "netty-epoll" SUBSEP f[3]
              ratio = sysratio = "-"
              if (f[2] != "netty-epoll" && (e in cpu) && !bad[e] && f[10] == "" && cpu[e] > 0) {
                ratio = sprintf("%.2fx", f[5] / cpu[e]); sysratio = sprintf("%.2fx", f[6] / sys[e]) }
              user = f[5] == "-" ? "-" : sprintf("%.2f", f[5] - f[6])
              printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[2], f[3], f[4], f[5], f[6], user, f[7], f[8], f[9], ratio, sysratio, f[10] } }' "$rows"
  done
  echo
  echo "## Medians over the rounds"
  echo
  echo "Rows with errors left out; the ratios are the medians of each round's ratio to netty-epoll."
  echo
  echo "| server | scenario | CPU us/request | system | user | syscalls/request | CPU vs netty-epoll | system vs netty-epoll | rounds |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  for scenario in "${scenarios[@]}"; do
    for server in "${servers[@]}"; do
      read -r cpus systems users calls ratios sysratios count < <(awk -F'\t' -v s="$server" -v sc="$scenario" '
        $3 == sc && $10 == "" && $5 != "-" { key = $1 SUBSEP $2; cpu[key] = $5; sys[key] = $6; calls[key] = $8 }
        END { for (k in cpu) { split(k, p, SUBSEP); if (p[2] != s) continue
                c = c cpu[k] ","; y = y sys[k] ","; u = u (cpu[k] - sys[k]) ","; n++
                if (calls[k] != "-") m = m calls[k] ","
                e = p[1] SUBSEP "netty-epoll"
                if (s != "netty-epoll" && (e in cpu)) { r = r cpu[k] / cpu[e] ","; q = q sys[k] / sys[e] "," } }
              printf "%s %s %s %s %s %s %d\n", (c ? c : "-"), (y ? y : "-"), (u ? u : "-"), (m ? m : "-"), (r ? r : "-"), (q ? q : "-"), n }' "$rows")
      echo "| $server | $scenario | $(med "$cpus" 2) | $(med "$systems" 2) | $(med "$users" 2) | $(med "$calls" 2) | $(med "$ratios" 2 x) | $(med "$sysratios" 2 x) | $count |"
    done
  done
} > "$out"

cat "$out"
echo "floor.sh: wrote $out"
