#!/usr/bin/env bash
# Where the server's time goes: BenchmarkServer on one transport under one load scenario (wrk, as
# load.sh runs it), profiled with JFR (`jcmd <pid> JFR.start settings=profile`), the CPU time split
# into user and system from /proc. There are no hardware counters here, so this is JFR's sampling of
# Java frames: native frames (the engine, the kernel) show up as the Java method that called them.
#
# Usage: benchmarks/profile.sh [TRANSPORT] [SCENARIO] [SECONDS]   (default: httpsys pipelined-16 10)
# Writes benchmarks/results/profile-<transport>-<scenario>-<UTC time>.md: the split, the top frames
# by own samples and by samples including callees, and own samples by package. The recording is
# kept in benchmarks/target/profiles/ for `jfr print` / `jfr summary` or JDK Mission Control.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
transport=${1:-httpsys}
scenario=${2:-pipelined-16}
seconds=${3:-10}
read -r connections path method body depth < <(scenario_fields "$scenario") \
  || { echo "profile.sh: unknown scenario '$scenario'" >&2; exit 2; }

ensure_tools wrk=wrk taskset=util-linux jcmd=openjdk-17-jdk-headless jfr=openjdk-17-jdk-headless
require_jar
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
stamp=${BENCH_STAMP:-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$bench_results" "$bench_dir/target/profiles"
recording="$bench_dir/target/profiles/$transport-$scenario-$stamp.jfr"
out="$bench_results/profile-$transport-$scenario-$stamp.md"
work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT
machine=$(describe_machine)

start_server "$transport" "$work/server.log" || { echo "profile.sh: $transport did not start: $server_error" >&2; exit 1; }
wrk_row / GET 0 1 32 "${WARMUP:-5}" > /dev/null  # JIT warm-up
wrk_row "$path" "$method" "$body" "$depth" "$connections" 1 > /dev/null
jcmd "$server_pid" JFR.start name=benchmark settings=profile > /dev/null
read -r user_before system_before < <(awk '{print $14, $15}' "/proc/$server_pid/stat")
result=$(wrk_row "$path" "$method" "$body" "$depth" "$connections" "$seconds")
read -r user_after system_after < <(awk '{print $14, $15}' "/proc/$server_pid/stat")
jcmd "$server_pid" JFR.stop name=benchmark filename="$recording" > /dev/null
stop_server
[[ $result != FAILED* ]] || { echo "profile.sh: wrk failed: ${result#FAILED }" >&2; exit 1; }

# One line per sample: its frames from the top, "|"-separated, without line numbers.
stacks() {
  jfr print --events "$1" --stack-depth 64 "$recording" | awk '
    /stackTrace = \[/ { inside = 1; stack = ""; next }
    inside && /^[[:space:]]*\]/ { inside = 0; if (stack != "") print stack; next }
    inside { frame = $0; sub(/^[[:space:]]+/, "", frame); sub(/[[:space:]]+line:.*$/, "", frame)
             if (frame != "...") stack = stack (stack == "" ? "" : "|") frame }'
}
stacks jdk.ExecutionSample > "$work/java.txt"
stacks jdk.NativeMethodSample > "$work/native.txt"

# ranked N FILE WHAT: a Markdown table of the N largest of "count<TAB>name" lines on stdin, with shares of FILE's samples.
ranked() {
  local samples
  samples=$(wc -l < "$2")
  if [ "$samples" -eq 0 ]; then echo "(no samples)"; cat > /dev/null; return; fi
  echo "| samples | share | $3 |"
  echo "|---:|---:|---|"
  sort -t$'\t' -k1,1nr | awk -F'\t' -v n="$1" -v s="$samples" 'NR <= n { printf "| %d | %.1f%% | `%s` |\n", $1, 100 * $1 / s, $2 }'
}

# top N FILE self|total: frames by samples with the frame on top (own time) or anywhere (with callees).
top() {
  awk -F'|' -v mode="$3" '
    mode == "self" { count[$1]++; next }
    { delete once; for (i = 1; i <= NF; i++) if (!($i in once)) { once[$i] = 1; count[$i]++ } }
    END { for (f in count) printf "%d\t%s\n", count[f], f }' "$2" | ranked "$1" "$2" frame
}

# by_package FILE: own samples by package (the top frame's class name up to its last dot).
by_package() {
  awk -F'|' '{ frame = $1; sub(/\(.*$/, "", frame); sub(/\.[^.]*$/, "", frame); sub(/\.[^.]*$/, "", frame); count[frame]++ }
    END { for (p in count) printf "%d\t%s\n", count[p], p }' "$1" | ranked 15 "$1" package
}

requests=$(field requests "$result")
{
  echo "# Profile: $transport, $scenario, $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo
  echo "$machine"
  echo "- command: \`benchmarks/profile.sh $transport $scenario $seconds\`; JFR settings=profile; recording: \`target/profiles/$(basename "$recording")\`"
  awk -v u=$((user_after - user_before)) -v s=$((system_after - system_before)) -v hz="$(getconf CLK_TCK)" \
      -v n="$requests" -v sec="$seconds" 'BEGIN {
    printf "- %d requests in %d s (%.0f/s); server CPU %.2f us/request: user %.2f us (Java, the engine, the JIT, GC), system %.2f us (the kernel: TCP, epoll, syscalls)\n",
      n, sec, n / sec, (u + s) / hz * 1e6 / n, u / hz * 1e6 / n, s / hz * 1e6 / n }'
  echo "- samples: $(wc -l < "$work/java.txt") in Java code (jdk.ExecutionSample), $(wc -l < "$work/native.txt") in native methods (jdk.NativeMethodSample)"
  echo
  echo "## Java: own samples (the frame on top)"
  echo
  top 25 "$work/java.txt" self
  echo
  echo "## Java: own samples by package"
  echo
  by_package "$work/java.txt"
  echo
  echo "## Java: samples including callees (the frame anywhere in the stack)"
  echo
  top 30 "$work/java.txt" total
  echo
  echo "## Native methods: where threads were in native code when sampled"
  echo
  top 10 "$work/native.txt" self
} > "$out"
cat "$out"
echo "profile.sh: wrote $out"
