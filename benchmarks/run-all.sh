#!/usr/bin/env bash
# Every benchmark in one command; results in benchmarks/results/, all named with this run's UTC time:
#   bash benchmarks/run-all.sh [SECONDS]      (SECONDS per load row, default 10; about 30 min on 2 cores)
#   QUICK=1 bash benchmarks/run-all.sh        (checks the tooling in about 10 min: 2 s rows, short JMH; not for publishing)
#   JMH_OPTIONS="-wi 2 -i 3 -r 1" bash ...    (TransportBenchmark's iterations instead of its defaults)
# 1. installs wrk and gnuplot if missing (apt-get, as root) and builds the jar (mvn package, tests skipped);
# 2. JMH: CodecBenchmark (codec-<time>.md) and TransportBenchmark (jmh.sh: jmh-<time>.md/.csv/.png);
# 3. load.sh with every scenario but c10000 (load-<time>.md/.tsv/.png);
# 4. bulk.sh: streamed GET, uploads, 1 MiB files (bulk-<time>.md/.tsv/.png; QUICK: 512 MiB GET, 128 MiB the others);
# 5. profile.sh: JFR profiles of httpsys and epoll, sequential and pipelined-16 (profile-*-<time>.md);
# 6. README.md: the Benchmarks block between the benchmarks:latest markers points at the new files.
# Run it on a quiet machine: the result files record the load average at the start of each part.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
root=$(cd "$bench_dir/.." && pwd)
seconds=${1:-10}
jmh_options=()
codec_options=(-wi 3 -i 5)
profile_seconds=10
if [ "${QUICK:-0}" = 1 ]; then
  seconds=2
  jmh_options=(-wi 1 -w 1 -i 2 -r 1)
  codec_options=(-wi 1 -w 1 -i 2 -r 1)
  profile_seconds=3
  export WARMUP=2 STREAM_BYTES=512M UPLOAD_BYTES=128M FILE_BYTES=128M WARMUP_BYTES=64M
fi
[ -z "${JMH_OPTIONS:-}" ] || read -r -a jmh_options <<< "$JMH_OPTIONS"
# Taken before anything of this run adds to it: the other work on the machine.
load_at_start=$(cut -d' ' -f1 /proc/loadavg)
export BENCH_STAMP
BENCH_STAMP=$(date -u +%Y%m%d-%H%M%S)

ensure_tools wrk=wrk gnuplot=gnuplot-nox taskset=util-linux
(cd "$root" && mvn -B -ntp -q -DskipTests -pl benchmarks -am package)

codec="$bench_results/codec-$BENCH_STAMP.md"
{
  echo "# JMH CodecBenchmark: $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo
  describe_machine
  echo "- command: \`java -jar benchmarks/target/benchmarks.jar CodecBenchmark ${codec_options[*]}\`"
  echo "- decodeRequest: a browser GET record (7 headers) to a Netty HttpRequest; encodeHelloResponse: a"
  echo "  FullHttpResponse (2 headers, 13-byte body) to a response record. The Java work per request outside the pipeline."
  echo
  echo '```'
  java -jar "$bench_jar" CodecBenchmark "${codec_options[@]}" | sed -n '/^Benchmark /,$p'
  echo '```'
} > "$codec"
cat "$codec"

bash "$bench_dir/jmh.sh" "${jmh_options[@]}"
bash "$bench_dir/load.sh" --scenarios=default,4k,64k,file-1m,post-16k "$seconds"
bash "$bench_dir/bulk.sh"
profiles=()
for transport in httpsys epoll; do
  for scenario in sequential pipelined-16; do
    bash "$bench_dir/profile.sh" "$transport" "$scenario" "$profile_seconds" > /dev/null
    profiles+=("[$transport $scenario](benchmarks/results/profile-$transport-$scenario-$BENCH_STAMP.md)")
  done
done

# The README's block between the markers names this run's files.
latest=$(mktemp)
{
  echo "Latest run ($(date -u +%Y-%m-%d), \`bash benchmarks/run-all.sh\`; 2 cores, server pinned to one core,"
  echo "one event-loop thread; load average $load_at_start before the run):"
  echo
  echo "![requests/s and server CPU per request by transport and scenario](benchmarks/results/load-$BENCH_STAMP.png)"
  echo
  echo "Tables: [load (wrk)](benchmarks/results/load-$BENCH_STAMP.md) ·"
  echo "[bulk bodies (curl)](benchmarks/results/bulk-$BENCH_STAMP.md) ·"
  echo "[JMH round trips](benchmarks/results/jmh-$BENCH_STAMP.md) ([chart](benchmarks/results/jmh-$BENCH_STAMP.png)) ·"
  echo "[codec](benchmarks/results/codec-$BENCH_STAMP.md) · profiles: $(IFS=,; echo "${profiles[*]}" | sed 's/,/, /g')"
  if awk -v load="$load_at_start" -v cores="$(nproc)" 'BEGIN {exit !(load >= cores / 2)}'; then
    echo
    echo "**This run shared the machine with other work (load average $load_at_start on $(nproc) cores before it started):"
    echo "its numbers check the tooling and do not compare the transports.**"
  fi
} > "$latest"
awk -v latest="$latest" '
  /<!-- benchmarks:latest -->/ { print; while ((getline line < latest) > 0) print line; skip = 1; next }
  /<!-- \/benchmarks:latest -->/ { skip = 0 }
  !skip' "$root/README.md" > "$latest.readme"
if grep -q 'benchmarks/results/load-'"$BENCH_STAMP" "$latest.readme"; then
  cat "$latest.readme" > "$root/README.md"
  echo "run-all: README.md's Benchmarks section now shows this run"
else
  echo "run-all: README.md has no <!-- benchmarks:latest --> block; it was left as it was" >&2
fi
rm -f "$latest" "$latest.readme"
echo "run-all: results in $bench_results/*-$BENCH_STAMP.*"
