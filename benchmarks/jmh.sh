#!/usr/bin/env bash
# JMH round trips (TransportBenchmark): every transport and scenario, server and Netty client in
# one JVM over loopback, 8 keep-alive connections. Extra arguments go to JMH, e.g. a short run:
#   benchmarks/jmh.sh -wi 1 -i 2 -p transport=httpsys,epoll -p scenario=hello,64k
# Writes benchmarks/results/jmh-<UTC time>.md (table with ratios to epoll, machine), .csv (JMH's
# own) and .png (chart). A combination that failed is listed with JMH's reason, never left out silently.
# Needs gnuplot (installed with apt-get when run as root) and the built jar:
#   mvn -B -q -DskipTests -pl benchmarks -am package
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi

ensure_tools gnuplot=gnuplot-nox
require_jar
stamp=${BENCH_STAMP:-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$bench_results"
out="$bench_results/jmh-$stamp"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
machine=$(describe_machine)  # before the run: the load average it starts under

java -jar "$bench_jar" TransportBenchmark -rf csv -rff "$out.csv" "$@" 2>&1 | tee "$log"

# transport, scenario, exchanges/s, error, ratio to epoll's exchanges/s (from JMH's CSV, by column name).
awk -F, -v OFS='\t' '
  { gsub(/["\r]/, "") }
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  { t = $col["Param: transport"]; s = $col["Param: scenario"]; score[s, t] = $col["Score"]; err[s, t] = $col["Score Error (99.9%)"]
    if (!(s in seen)) { seen[s] = 1; order[++n] = s }
    if (!(t in tseen)) { tseen[t] = 1; torder[++m] = t } }
  END { print "transport", "scenario", "exchanges_per_s", "score_error", "vs_epoll"
        for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) { s = order[i]; t = torder[j]
          if (!((s, t) in score)) continue
          ratio = ((s, "epoll") in score) ? sprintf("%.2f", score[s, t] / score[s, "epoll"]) : "-"
          print t, s, sprintf("%.0f", score[s, t]), (err[s, t] == "NaN" ? "-" : sprintf("%.0f", err[s, t])), ratio } }
' "$out.csv" > "$out.tsv"

{
  echo "# JMH TransportBenchmark: $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo
  echo "$machine"
  echo "- command: \`benchmarks/jmh.sh $*\`"
  echo "- server: BenchmarkServer with one event-loop thread; client: Netty's own (LoadClient), one event-loop thread,"
  echo "  8 keep-alive connections per JMH thread, 16 exchanges each per invocation; both in the JMH fork's JVM on the same cores."
  echo "- exchanges/s: responses (WebSocket: echoed messages) per second, ± JMH's 99.9% error; vs epoll: the ratio to epoll's score."
  echo
  echo "![exchanges per second by transport and scenario](jmh-$stamp.png)"
  echo
  echo "| scenario | transport | exchanges/s | ± | vs epoll |"
  echo "|---|---|---:|---:|---:|"
  awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %s |\n", $2, $1, $3, $4, $5 }' "$out.tsv"
  awk '/^# Parameters: / { params = $0; sub(/^# Parameters: /, "", params) }
       /<failure>/ { failed = 1; next }
       failed && NF { printf "| %s | | failed: %s | | |\n", params, $0; failed = 0 }' "$log"
} > "$out.md"

if [ "$(wc -l < "$out.tsv")" -gt 1 ]; then
  chart "$out.tsv" "$out.png" "JMH round trips over loopback (8 connections, one server thread): $(date -u +%Y-%m-%d)" \
    "3|exchanges/s (log scale)|1|%.1s%c" "5|exchanges/s relative to epoll (1.0 = epoll)|0|%.2f"
fi
rm -f "$out.tsv"
echo
cat "$out.md"
echo "jmh.sh: wrote $out.md, $out.csv and $out.png"
