#!/usr/bin/env bash
# Idle keep-alive memory: what N open, idle keep-alive connections cost the server. BenchmarkServer
# (one event-loop thread, pinned to CPU 0, lib.sh's fixed heap for every transport)
# is started on each transport; a small client (Python, in this file) opens N connections one
# after another, sends one GET / on each and reads the answer, then leaves them all open and idle.
# Two readings, before (after a warm-up round of WARMUP_CONNECTIONS connections, opened, answered
# and closed) and after, once the connections have been idle, each after a full collection and a
# trim of the C heap (jcmd GC.run, the JIT quiet, SETTLE seconds, System.trim_native_heap: see
# collect()):
#   - outside the Java heap: the growth of the server's RSS (VmRSS from /proc/<pid>/status). The
#     heap is touched in full at start (-XX:+AlwaysPreTouch), so its pages are resident in both
#     readings and the growth is the native memory alone (the engine, malloc, the JVM's own);
#     without it, which heap pages the collector happened to touch first moved the figure by
#     about a KB per connection from run to run;
#   - the live Java heap: the growth of the bytes of reachable objects (jcmd GC.class_histogram,
#     read after the RSS), what the connections keep reachable.
# Their sum divided by N is the cost of one idle connection. The warm-up opens as many connections
# as the measured round by default, so what that work touches anyway (JIT, classes, malloc arenas)
# is in place before the first reading. Each transport is measured RUNS times on fresh servers and
# the medians are reported.
#
# Usage: benchmarks/idle-memory.sh [N] [TRANSPORT ...]
#   N          idle connections (default 10000; the file limit is raised to the hard limit, and a
#              transport is skipped, saying so, when it is below N + 100)
#   TRANSPORT  httpsys epoll io_uring nio (default: all four)
# Environment: SETTLE seconds between the collection and the trim before each reading (default 6); WARMUP_CONNECTIONS
#              (default N); RUNS runs per transport, each on a fresh server, reported as medians (default 3);
#              HISTOGRAMS a folder: each reading's class histogram is kept there (TRANSPORT-RUN-before/after.txt)
#              and the classes whose live bytes grew most are listed (TRANSPORT-RUN-growth.txt).
# Writes benchmarks/results/idle-memory-<UTC time>.md. Needs python3 and the built jar:
#   mvn -B -q -DskipTests -pl benchmarks -am package
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
connections=${1:-10000}
shift || true
transports=("$@")
[ ${#transports[@]} -gt 0 ] || transports=(httpsys epoll io_uring nio)
settle=${SETTLE:-6}
warmup_connections=${WARMUP_CONNECTIONS:-$connections}
runs=$(whole_number RUNS 3 runs 1)

ensure_tools python3=python3 taskset=util-linux
require_jar
# The heap resident from the start (RSS grows by native memory only), and every full collection
# compacting every region: by default G1's full collection leaves a region that is mostly live in
# place and covers its dead objects with int[] fillers, which GC.class_histogram counts as live
# (epoll's warm-up left about 10 MB of them, gone by the next reading: a "shrink" of 1 KB a
# connection that had nothing to do with connections).
server_java_options=(-XX:+AlwaysPreTouch -XX:MarkSweepDeadRatio=0)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
file_limit=$(ulimit -n)

stamp=${BENCH_STAMP:-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$bench_results"
out="$bench_results/idle-memory-$stamp.md"
work=$(mktemp -d)
client_pid=
stop_client() {
  [ -n "$client_pid" ] || return 0
  kill "$client_pid" 2>/dev/null || true
  wait "$client_pid" 2>/dev/null || true
  client_pid=
}
trap 'stop_client; stop_server; rm -rf "$work"' EXIT

# The client: opens N connections to 127.0.0.1:PORT one at a time, sends a GET / on each and reads
# the whole answer (head and Content-Length body), prints "IDLE <N>" and keeps them open until it
# is killed; prints "FAILED <what>" and exits on any error.
cat > "$work/idle_client.py" <<'PYTHON'
import signal, socket, sys

count, port = int(sys.argv[1]), int(sys.argv[2])
request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
held = []
try:
    for i in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            part = sock.recv(4096)
            if not part:
                raise RuntimeError("connection %d closed before the answer's head" % i)
            answer += part
        head, body = answer.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError("connection %d: %r" % (i, head.split(b"\r\n", 1)[0]))
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            part = sock.recv(4096)
            if not part:
                raise RuntimeError("connection %d closed in the answer's body" % i)
            body += part
        held.append(sock)
except Exception as error:
    print("FAILED %s" % error, flush=True)
    sys.exit(1)
print("IDLE %d" % len(held), flush=True)
signal.pause()
PYTHON

# run_client N LOG: starts the client against server_port; returns once its connections are idle
# (client_pid set), or 1 with the reason in client_error.
run_client() {
  local count=$1 log=$2
  python3 "$work/idle_client.py" "$count" "$server_port" > "$log" 2>&1 &
  client_pid=$!
  for _ in $(seq 1200); do
    grep -q '^IDLE\|^FAILED' "$log" 2>/dev/null && break
    kill -0 "$client_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q '^IDLE' "$log"; then
    client_error=$(tail -1 "$log" 2>/dev/null || echo "no output")
    [ -n "$client_error" ] || client_error="no answer within 120 s"
    stop_client
    return 1
  fi
}

# wait_for_quiet_jit: returns once the JIT compilers ran under 5 ms in a second (at most 60 s):
# while they compile what a round ran, their arenas hold megabytes.
wait_for_quiet_jit() {
  local before
  for _ in $(seq 60); do
    before=$(jit_ns "$server_pid")
    sleep 1
    [ $(( $(jit_ns "$server_pid") - before )) -ge 5000000 ] || return 0
  done
}

# collect: a full collection, the JIT quiet, SETTLE seconds, then a trim of the C heap; readings
# after it see memory in use. The waits come before the trim: the JIT compilers' arena chunks
# (about 18 MB right after the warm-up's compilations) go back to malloc only once compiling is
# over and HotSpot's chunk pool cleaner has run (every 5 s); counted in one reading and not the
# other they made the figure move by 1-2 KB a connection from run to run, below zero at times.
collect() {
  jcmd "$server_pid" GC.run > /dev/null 2>&1 || true
  wait_for_quiet_jit
  sleep "$settle"
  jcmd "$server_pid" System.trim_native_heap > /dev/null 2>&1 || true
  sleep 1
}

# The live Java heap (KiB): the bytes of all reachable objects, from jcmd GC.class_histogram (which
# collects first, so garbage allocated since the last collection is not counted, as it was in
# GC.heap_info's "used": an idle loop allocates a little on every wake-up).
live_heap_kib() {
  local keep="${HISTOGRAMS:-$work}/$1.txt"
  jcmd "$server_pid" GC.class_histogram 2>/dev/null | tee "$keep" | awk '$1 == "Total" { print int($3 / 1024) }'
}

# shrunk_heap NAME: the bytes (KiB, 0 or negative) of the classes whose live bytes shrank between
# NAME-before and NAME-after, and the largest of them: memory the warm-up left that the measured
# round freed, not a cost (or saving) of the connections, which only add objects. A check that the
# readings compare like with like: it should be 0.
shrunk_heap() {
  awk 'FNR == 1 { file++ } $1 ~ /^[0-9]+:$/ { bytes[file, $4] = $3; seen[$4] = 1 }
       END { for (c in seen) { d = bytes[2, c] - bytes[1, c]; if (d < 0) { sum += d; if (d < most) { most = d; name = c } } }
             printf "%d %s\n", sum / 1024, (name == "" ? "-" : name) }' "${HISTOGRAMS:-$work}/$1-before.txt" "${HISTOGRAMS:-$work}/$1-after.txt"
}

# histogram_growth NAME: the classes whose live bytes grew most between NAME-before and NAME-after
# (bytes and instances per connection), when HISTOGRAMS is set.
histogram_growth() {
  [ -n "${HISTOGRAMS:-}" ] || return 0
  awk -v n="$connections" 'FNR == 1 { file++ } $1 ~ /^[0-9]+:$/ { bytes[file, $4] = $3; count[file, $4] = $2; seen[$4] = 1 }
       END { for (c in seen) { d = bytes[2, c] - bytes[1, c]; if (d > 0) printf "%8.1f B %6.2f x  %s\n", d / n, (count[2, c] - count[1, c]) / n, c } }' \
    "$HISTOGRAMS/$1-before.txt" "$HISTOGRAMS/$1-after.txt" | sort -rn | head -40 > "$HISTOGRAMS/$1-growth.txt"
}

# measure TRANSPORT: one run on a fresh server; sets measured_growth (RSS: outside the Java heap)
# and measured_heap (the live Java heap), in KiB, or fails with the reason in measure_error.
measure() {
  local transport=$1 log="$work/server-$1.log" before heap_before after heap_after
  if ! start_server "$transport" "$log"; then
    measure_error="the server did not start: $server_error"
    return 1
  fi
  if ! run_client "$warmup_connections" "$work/warmup-$transport.log"; then
    measure_error="the warm-up client failed: $client_error"
    stop_server
    return 1
  fi
  stop_client
  collect
  before=$(rss_kib "$server_pid")
  heap_before=$(live_heap_kib "$transport-$run-before")
  if ! run_client "$connections" "$work/client-$transport.log"; then
    measure_error="the client failed: $client_error"
    stop_server
    return 1
  fi
  collect
  after=$(rss_kib "$server_pid")
  heap_after=$(live_heap_kib "$transport-$run-after")
  histogram_growth "$transport-$run"
  read -r measured_shrunk measured_shrunk_class < <(shrunk_heap "$transport-$run")
  stop_client
  stop_server
  measured_growth=$((after - before))
  measured_heap=$((heap_after - heap_before))
}

rows=()
notes=()
for transport in "${transports[@]}"; do
  if [ $((connections + 100)) -gt "$file_limit" ]; then
    notes+=("- $transport: not measured: the file limit ($file_limit) is below $((connections + 100))")
    continue
  fi
  growths=() heaps=() totals=() shrunk=() shrunk_classes=
  for ((run = 0; run < runs; run++)); do
    if ! measure "$transport"; then
      notes+=("- $transport: not measured: $measure_error")
      growths=()
      break
    fi
    growths+=("$measured_growth") heaps+=("$measured_heap") totals+=($((measured_growth + measured_heap)))
    shrunk+=("$measured_shrunk")
    [ "$measured_shrunk" -ge 0 ] || case " $shrunk_classes " in *" $measured_shrunk_class "*) ;; *) shrunk_classes+=" $measured_shrunk_class" ;; esac
  done
  [ ${#growths[@]} -gt 0 ] || continue
  rows+=("$(awk -v t="$transport" -v n="$connections" -v total="$(median "${totals[@]}")" \
      -v g="$(median "${growths[@]}")" -v h="$(median "${heaps[@]}")" -v all="${totals[*]}" -v rss="${growths[*]}" \
      -v shrunk="${shrunk[*]}" -v classes="${shrunk_classes# }" \
    'BEGIN { runs = split(all, each, " "); split(rss, outside, " "); list = ""
             split(shrunk, gone, " "); gone_list = ""
             for (i = 1; i <= runs; i++) list = list (i > 1 ? ", " : "") sprintf("%.2f (%.2f)", each[i] / n, outside[i] / n)
             for (i = 1; i <= runs; i++) gone_list = gone_list (i > 1 ? ", " : "") sprintf("%.2f", gone[i] / n)
             printf "| %s | %.2f | %s | %.2f | %.2f | %s%s |", t, total / n, list, g / n, h / n, gone_list,
                    (classes == "" ? "" : " (`" classes "`)") }')")
done

{
  echo "# Idle keep-alive memory: $(date -u '+%Y-%m-%d %H:%M') UTC, $connections connections"
  echo
  describe_machine
  echo "- server: BenchmarkServer, one event-loop thread, \`taskset -c 0\`, -Xms${server_heap_mb}m -Xmx${server_heap_mb}m ${server_java_options[*]} (every transport)"
  echo "- client: $connections connections opened one at a time, one \`GET /\` answered on each, then all left open and idle"
  echo "- readings before (after a warm-up of $warmup_connections connections, answered and closed) and after (the"
  echo "  $connections connections idle), each after a full collection, the JIT quiet, $settle s"
  echo "  (HotSpot frees the JIT's arena chunks) and a C-heap trim (jcmd GC.run, System.trim_native_heap). Outside the Java heap: the growth of VmRSS (the heap is pre-touched, so"
  echo "  resident in both readings); live Java heap: the growth of the reachable objects' bytes (jcmd GC.class_histogram)."
  echo "  A connection's cost is their sum. Each transport is measured $runs times, each time on a fresh server; the"
  echo "  figures are the medians (each column's own); the runs list each run's total (and its part outside the heap)"
  echo "- the live heap's growth is the net of all classes; the last column is the part of it from classes that shrank (per"
  echo "  run, largest class named): connections only add objects, so anything there is memory a warm-up left that the"
  echo "  measured round freed (it was G1's int[] fillers before -XX:MarkSweepDeadRatio=0) and makes the net figure low"
  echo "- command: \`RUNS=$runs benchmarks/idle-memory.sh $connections ${transports[*]}\`"
  echo
  echo "| transport | KB per idle connection | the runs | of which outside the Java heap (RSS) | of which live Java heap | in it, classes that shrank, per run |"
  echo "|---|---:|---|---:|---:|---|"
  for row in "${rows[@]+"${rows[@]}"}"; do echo "$row"; done
  for note in "${notes[@]+"${notes[@]}"}"; do echo "$note"; done
} > "$out"
cat "$out"
echo "idle-memory.sh: wrote $out"
