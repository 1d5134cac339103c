# Shared by the benchmark scripts (sourced, not run): tools, the jar, the machine description,
# the server's start/stop and CPU counters, the charts.
# shellcheck shell=bash

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench_jar="$bench_dir/target/benchmarks.jar"
bench_results="$bench_dir/results"

# ensure_tools COMMAND=PACKAGE ...: installs missing Debian packages when root, else names them and fails.
ensure_tools() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null || missing+=("${pair#*=}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "benchmarks: missing ${missing[*]}; install them: sudo apt-get install ${missing[*]}" >&2
    return 1
  fi
  echo "benchmarks: installing ${missing[*]} (apt-get)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

require_jar() {
  [ -f "$bench_jar" ] && return 0
  echo "benchmarks: $bench_jar missing; build it: mvn -B -q -DskipTests -pl benchmarks -am package" >&2
  return 1
}

# Markdown lines naming what the numbers were measured on.
describe_machine() {
  local cpu netty commit
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
  netty=$(java -cp "$bench_jar" io.netty.util.Version 2>&1 | grep -o -m1 '[0-9]*\.[0-9]*\.[0-9]*\.[A-Za-z]*' || echo unknown)
  commit=$(git -C "$bench_dir" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [ -z "$(git -C "$bench_dir" status --porcelain -- .. 2>/dev/null | grep -v '^?? benchmarks/results/')" ] || commit="$commit (modified)"
  echo "- machine: $(nproc) cores (${cpu:-unknown CPU}), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r)"
  echo "- JDK: $(java -version 2>&1 | head -1); Netty $netty; netty-httpsys commit $commit"
  echo "- load average when started: $(cut -d' ' -f1-3 /proc/loadavg) (anything near or above the core count means the numbers are noisy)"
}

# The benchmark server's Java heap, fixed (-Xms = -Xmx) so every transport runs with the same one.
server_heap_mb=512
# More JVM options for the server, the same for every transport (a script may set them before start_server).
server_java_options=()

# start_server TRANSPORT LOG: starts BenchmarkServer on CPU 0 with one event-loop thread; as start_pinned.
start_server() {
  local transport=$1 log=$2
  start_pinned "$log" java -Xms${server_heap_mb}m -Xmx${server_heap_mb}m ${server_java_options[@]+"${server_java_options[@]}"} \
    -cp "$bench_jar" dev.nettyhttpsys.benchmarks.BenchmarkServer "$transport" 0 1
}

# start_pinned LOG COMMAND...: starts a server on CPU 0 that prints "READY ... port=N" when it listens;
# sets server_pid and server_port, or returns 1 with the log's last line in server_error.
start_pinned() {
  local log=$1
  shift
  taskset -c 0 "$@" > "$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 150); do grep -q READY "$log" 2>/dev/null && break; kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  server_port=$(sed -n 's/^READY .* port=\([0-9]*\).*/\1/p' "$log")
  if [ -z "$server_port" ]; then
    server_error=$(grep -v '^\s*at ' "$log" | tail -1)
    stop_server
    return 1
  fi
}

stop_server() {
  [ -n "${server_pid:-}" ] || return 0
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

# The load scenarios (load.sh, profile.sh); a new row here is a new scenario for both. The path is
# one that BenchmarkServer's ScenarioHandler answers.
# name          connections  path   method  body bytes  pipeline depth
scenario_table='
sequential      32           /      GET     0           1
pipelined-16    32           /      GET     0           16
pipelined-c64   64           /      GET     0           16
c256            256          /      GET     0           1
c2000           2000         /      GET     0           1
c10000          10000        /      GET     0           1
4k              32           /4k    GET     0           1
64k             32           /64k   GET     0           1
file-1m         32           /file  GET     0           1
post-16k        32           /echo  POST    16384       1
'
# scenario_fields NAME: prints "connections path method body depth", or fails for an unknown name.
scenario_fields() {
  awk -v n="$1" '$1 == n {print $2, $3, $4, $5, $6; found = 1} END {exit !found}' <<< "$scenario_table"
}

# wrk_row PATH METHOD BODY DEPTH CONNECTIONS SECONDS (against server_port): prints wrk's RESULT line, or "FAILED <last line>".
wrk_row() {
  local output
  output=$(METHOD=$2 BODY_BYTES=$3 DEPTH=$4 taskset -c 1 wrk -t1 -c"$5" -d"$6s" --timeout 5s \
    -s "$bench_dir/scenario.lua" "http://127.0.0.1:$server_port$1" 2>&1) || true
  grep '^RESULT ' <<< "$output" || echo "FAILED $(tail -1 <<< "$output")"
}

# measured_row PATH METHOD BODY DEPTH CONNECTIONS SECONDS: wrk_row against server_pid, and what the server spent
# over it. Sets measured_result (wrk_row's line), measured_ticks (CPU, user + system), measured_kernel_ticks (system) and
# measured_jit_ns (the JIT compiler threads); a server that died meanwhile counts as having spent nothing more.
measured_row() {
  local before kernel_before jit_before
  before=$(cpu_ticks "$server_pid")
  kernel_before=$(kernel_ticks "$server_pid")
  jit_before=$(jit_ns "$server_pid")
  measured_result=$(wrk_row "$@")
  measured_ticks=$(( $(cpu_ticks "$server_pid" 2>/dev/null || echo "$before") - before ))
  measured_kernel_ticks=$(( $(kernel_ticks "$server_pid" 2>/dev/null || echo "$kernel_before") - kernel_before ))
  measured_jit_ns=$(( $(jit_ns "$server_pid" 2>/dev/null || echo "$jit_before") - jit_before ))
}

# field NAME RESULT_LINE: one number of a wrk_row RESULT line.
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<< " $2"; }

# Server CPU time (user + system) in clock ticks, its system part (the kernel) alone, and its resident memory in KiB.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
kernel_ticks() { awk '{print $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# whole_number NAME DEFAULT UNIT MIN: the whole number in the environment variable NAME (DEFAULT
# when unset or empty), at least MIN (0 or 1); anything else stops the script, naming the variable.
whole_number() {
  local value=${!1:-$2}
  if [[ ! $value =~ ^[0-9]+$ ]] || [ "$value" -lt "$4" ]; then
    echo "${0##*/}: $1=$value is not a whole number of $3$([ "$4" -gt 0 ] && echo " ($4 or more)")" >&2
    exit 2
  fi
  echo "$value"
}

# median NUMBER...: the middle one (of an even count, the lower middle).
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

# CPU time (ns) the JVM's JIT compiler threads (C1, C2) of process PID have run: they share the
# server's pinned core, so what they compile during a measurement counts as its CPU.
jit_ns() {
  local task total=0
  for task in /proc/"$1"/task/*; do
    case $(cat "$task/comm" 2>/dev/null) in
      C1\ Compiler*|C2\ Compiler*) total=$((total + $(cut -d' ' -f1 "$task/schedstat" 2>/dev/null || echo 0))) ;;
    esac
  done
  echo "$total"
}

# jit_quiet_warm_up MAX_PASSES JIT_MS COMMAND...: runs COMMAND (its output dropped) against the server
# until a pass leaves the JIT compiler threads under JIT_MS of CPU, at most MAX_PASSES times, so what
# is measured next is the transport's steady state; prints how many passes ran.
jit_quiet_warm_up() {
  local max=$1 jit_ms=$2 passes=0 before
  shift 2
  while [ "$passes" -lt "$max" ]; do
    before=$(jit_ns "$server_pid")
    "$@" > /dev/null
    passes=$((passes + 1))
    [ $(( $(jit_ns "$server_pid") - before )) -ge $((jit_ms * 1000000)) ] || break
  done
  echo "$passes"
}

# kernel_counter GROUP NAME: a counter of /proc/net/snmp or /proc/net/netstat (all sockets), e.g. Tcp RetransSegs.
kernel_counter() {
  awk -v group="$1:" -v name="$2" '$1 == group { if (!column) { for (i = 2; i <= NF; i++) if ($i == name) column = i }
                                               else { print $column; found = 1; exit } }
                                   END { if (!found) print 0 }' /proc/net/snmp /proc/net/netstat
}

# TCP segments the kernel retransmitted so far (loopback drops segments when a receive queue overflows,
# and each drop costs the sender a retransmission, often after a timer: the stalls that make a row's wall time).
retransmitted() { kernel_counter Tcp RetransSegs; }

# Times a receiver advertised a zero TCP window so far: its application left the receive buffer full,
# and the sender waited (for a window update, or a probe's timer) before it could send on.
zero_windows() { kernel_counter TcpExt TCPToZeroWindowAdv; }

# chart TSV PNG TITLE PANEL...: grouped bars drawn by gnuplot, one group per scenario, one bar per
# transport (httpsys, httpsys-cached, epoll, io_uring, nio, then any other), one panel per PANEL "column|y label|log 0/1|bar label format".
# TSV has a header line; its columns 1 and 2 are transport and scenario, a column named "error"
# (1 or 0) marks bars measured with errors: they are drawn hatched and labelled "errors".
chart() {
  local tsv=$1 png=$2 title=$3; shift 3
  local data xtics names count error_col
  data=$(mktemp)
  # x = group * (transports + 1) + transport; column 1: x, 2: transport number, 3...: the TSV's columns.
  awk -F'\t' -v OFS='\t' -v data="$data" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "error") err = i; next }
    { if (!($1 in t)) { t[$1] = ++nt; seen[nt] = $1 }
      if (!($2 in s)) { s[$2] = ++ns; order[ns] = $2 } }
    { rows[NR] = $0; tr[NR] = $1; sc[NR] = $2; if (err && $err == 1) bad++; else good++ }
    END {
      # Bars in the usual order of transports (so colours and places match between charts), others after.
      split("httpsys httpsys-cached epoll io_uring nio", usual, " ")
      for (i = 1; i <= 5; i++) if (usual[i] in t) { rank[usual[i]] = ++nr; names = names (nr > 1 ? " " : "") usual[i] }
      for (i = 1; i <= nt; i++) if (!(seen[i] in rank)) { rank[seen[i]] = ++nr; names = names (nr > 1 ? " " : "") seen[i] }
      for (r = 2; r <= NR; r++) print (s[sc[r]] - 1) * (nt + 1) + rank[tr[r]] - 1, rank[tr[r]], rows[r] > data
      for (g = 1; g <= ns; g++) xt = xt (g > 1 ? ", " : "") sprintf("\"%s\" %g", order[g], (g - 1) * (nt + 1) + (nt - 1) / 2)
      print nt; print names; print xt; print err + 2; print ns * (nt + 1) - 1; print bad + 0; print good + 0
    }' "$tsv" > "$data.meta"
  local xmax bad good
  { read -r count; read -r names; read -r xtics; read -r error_col; read -r xmax; read -r bad; read -r good; } < "$data.meta"
  local panels=$# colors="" name
  for name in $names; do
    case $name in
      httpsys) colors+=" #1f4e9c" ;; httpsys-cached) colors+=" #6fa8dc" ;; epoll) colors+=" #e69138" ;;
      io_uring) colors+=" #38761d" ;; nio) colors+=" #999999" ;; *) colors+=" #8e7cc3" ;;
    esac
  done
  {
    echo "set terminal pngcairo size 1400,$((260 + 330 * panels)) font 'DejaVu Sans,10'"
    echo "set output '$png'"
    echo "names = '$names'; colors = '$colors'"
    echo "set multiplot layout $panels,1 title \"$title\" font ',13'"
    echo "set style fill solid 0.9 border rgb '#333333'; set boxwidth 0.85"
    echo "set xtics ($xtics) scale 0; set xrange [-1:$xmax]; set grid ytics lc rgb '#dddddd'"
    echo "set termoption noenhanced; set key outside right top; set offsets 0, 0, graph 0.15, 0"
    local spec column ylabel log format
    for spec in "$@"; do
      IFS='|' read -r column ylabel log format <<< "$spec"
      echo "set ylabel '$ylabel'; unset logscale y; set yrange [0:*]; set format y '%g'"
      [ "$log" = 1 ] && echo "set logscale y; set yrange [*:*]; set format y '%.0s%c'"
      echo "c = $((column + 2))"
      # A plot with no point to draw is left out: with labels and a one-line data file, gnuplot 5.4
      # dies on one (a segmentation fault, e.g. for a single transport's single row without errors).
      echo -n "plot for [i=1:$count] '$data' using (\$2 == i ? \$1 : 1/0):(column(c)) with boxes lc rgb word(colors, i) title word(names, i)"
      local error_test=0
      if [ "$error_col" -gt 2 ] && [ "$bad" -gt 0 ]; then
        error_test="column($error_col) == 1"
        echo ", \\"
        echo "  '$data' using ($error_test ? \$1 : 1/0):(column(c)) with boxes fs pattern 2 lc rgb 'red' notitle, \\"
        echo -n "  '$data' using ($error_test ? \$1 : 1/0):(column(c)):('errors ' . gprintf('$format', column(c))) with labels rotate by 90 left offset 0,0.3 tc rgb 'red' font ',7' notitle"
      fi
      if [ "$good" -gt 0 ]; then
        echo ", \\"
        echo -n "  '$data' using ($error_test ? 1/0 : \$1):(column(c)):(gprintf('$format', column(c))) with labels rotate by 90 left offset 0,0.3 font ',7' notitle"
      fi
      echo
    done
    echo "unset multiplot"
  } > "$data.gp"
  gnuplot "$data.gp"
  rm -f "$data" "$data.meta" "$data.gp"
}
