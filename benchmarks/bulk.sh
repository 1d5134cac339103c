#!/usr/bin/env bash
# Bulk bodies: BenchmarkServer (one event-loop thread, pinned to CPU 0) on each transport, curl (pinned
# to CPU 1) over loopback, one large transfer per row; every transport in one run, so they share the conditions.
#
# Usage: benchmarks/bulk.sh [TRANSPORT ...]
#   TRANSPORT  httpsys epoll io_uring nio (default: these four; httpsys-cached is accepted too)
# Environment (sizes in bytes, IEC suffixes allowed: 4G is 4 GiB, 512M, 64K):
#   STREAM_BYTES  the streamed GET's body (default 4G)
#   UPLOAD_BYTES  each POST's body (default 1G)
#   FILE_BYTES    the total of the 1 MiB file responses (default 1G: 1024 requests)
#   WARMUP_BYTES  one warm-up pass: sent through each row's path, unmeasured, before the row is measured (default 256M; 0: none)
#   WARMUP_PASSES at most this many warm-up passes per row (default 8): passes repeat until one leaves the JIT
#                 quiet (its compiler threads ran under WARMUP_JIT_MS, default 20), so a row measures the
#                 transport's steady state and not C2 compiling its path on the server's one core
#   RUNS          measured transfers per row (default 3); wall time, server CPU, JIT CPU, retransmits: each their median
#   ROWS          the rows to run, comma-separated (default all: get-stream,post-length,post-chunked,file-1m)
#   MAX_SECONDS   a transfer taking longer fails its row (default 300)
#
# Rows (the handler is BenchmarkServer's ScenarioHandler, the same Netty code on every transport):
#   get-stream    GET /stream?bytes=N: HttpChunkedInput of 64 KiB chunks of zeros through ChunkedWriteHandler,
#                 no Content-Length (chunked framing); curl -o /dev/null
#   post-length   POST /upload with Content-Length, curl -T of a sparse file of zeros; the handler counts the
#                 HttpContent bytes (no HttpObjectAggregator) and answers the count
#   post-chunked  POST /upload with Transfer-Encoding: chunked, curl -T - from a pipe of zeros
#   file-1m       GET /file: a 1 MiB DefaultFileRegion with Content-Length, fetched again and again by one
#                 curl (many URLs, one keep-alive connection) for FILE_BYTES in all
# Every transfer is checked: status 200 and the bytes received (or the count the server answers)
# equal to what was sent; a row that fails is marked in the table and left out of the ratios.
#
# Per row: wall time (the client's, from its start to its end); throughput in MiB/s; server CPU
# (user+system time of the server process over the transfer, from /proc/<pid>/stat) and server CPU
# per GiB moved, and how much of it the JIT compiler threads took (/proc/<pid>/task/*/schedstat); the
# warm-up passes it took; the TCP segments retransmitted meanwhile (/proc/net/snmp, all sockets) and the zero receive
# windows advertised (/proc/net/netstat TCPToZeroWindowAdv, all sockets); the server's RSS after the row. Then each transport's ratios to epoll's.
# Writes benchmarks/results/bulk-<UTC time>.md (tables, machine, commands), .tsv (data) and .png (chart).
# Needs curl and gnuplot (installed with apt-get when run as root) and the built jar:
#   mvn -B -q -DskipTests -pl benchmarks -am package
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
transports=("$@")
[ ${#transports[@]} -gt 0 ] || transports=(httpsys epoll io_uring nio)

# bytes NAME DEFAULT: the size in the environment variable NAME, in bytes.
bytes() {
  local value=${!1:-$2} parsed
  parsed=$(numfmt --from=iec "$value" 2>/dev/null) && [[ $parsed =~ ^[0-9]+$ ]] \
    || { echo "bulk.sh: $1=$value is not a size in bytes (e.g. 1073741824, 1G, 512M)" >&2; exit 2; }
  echo "$parsed"
}
stream_bytes=$(bytes STREAM_BYTES 4G)
upload_bytes=$(bytes UPLOAD_BYTES 1G)
file_total=$(bytes FILE_BYTES 1G)
warmup_bytes=$(bytes WARMUP_BYTES 256M)
warmup_passes=$(whole_number WARMUP_PASSES 8 passes 1)
warmup_jit_ms=$(whole_number WARMUP_JIT_MS 20 milliseconds 0)
runs=$(whole_number RUNS 3 runs 1)
max_seconds=$(whole_number MAX_SECONDS 300 seconds 1)
all_rows=get-stream,post-length,post-chunked,file-1m
IFS=, read -r -a rows <<< "${ROWS:-$all_rows}"
for row in "${rows[@]}"; do
  [[ ,$all_rows, == *,$row,* ]] || { echo "bulk.sh: ROWS=$ROWS: no row named '$row' (rows: $all_rows)" >&2; exit 2; }
done

ensure_tools curl=curl gnuplot=gnuplot-nox taskset=util-linux numfmt=coreutils
require_jar

ticks_per_second=$(getconf CLK_TCK)
stamp=${BENCH_STAMP:-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$bench_results"
out="$bench_results/bulk-$stamp"
work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT
machine=$(describe_machine)  # now: its load average is the one before this run
echo "transport	row	bytes	wall_s	mib_per_s	server_cpu_s	cpu_s_per_gib	jit_cpu_s	warmups	tcp_retransmits	zero_windows	rss_mb	error" > "$out.tsv"
notes=()

# warm_up ROW: warm-up passes until one leaves the JIT quiet (or WARMUP_PASSES); prints how many ran.
warm_up() {
  [ "$warmup_bytes" = 0 ] && { echo 0; return; }
  jit_quiet_warm_up "$warmup_passes" "$warmup_jit_ms" "${transfer[$1]}" "$warmup_bytes"
}

# The transfers. Each prints the bytes it moved, checked, or "FAILED <what went wrong>".
client() { taskset -c 1 "$@"; }
curl_options=(-sS --max-time "$max_seconds")

get_stream() {  # BYTES
  local got
  got=$(client curl "${curl_options[@]}" -o /dev/null -w '%{http_code} %{size_download}' \
    "$base/stream?bytes=$1" 2>&1) || true
  [ "$got" = "200 $1" ] && echo "$1" || echo "FAILED expected 200 and $1 bytes, got: $got"
}

# A file of zeros that takes no disk (sparse), for the Content-Length upload.
upload_file() {  # BYTES
  local file="$work/upload-$1.bin"
  [ -f "$file" ] || truncate -s "$1" "$file"
  echo "$file"
}

post_length() {  # BYTES
  local got
  got=$(client curl "${curl_options[@]}" -X POST -H 'Expect:' -H 'Content-Type: application/octet-stream' \
    -T "$(upload_file "$1")" -w ' %{http_code}' "$base/upload" 2>&1) || true
  [ "$got" = "$1 200" ] && echo "$1" || echo "FAILED sent $1 bytes, expected the answer '$1' and 200, got: $got"
}

post_chunked() {  # BYTES
  local got
  got=$(client head -c "$1" /dev/zero | client curl "${curl_options[@]}" -X POST -H 'Expect:' \
    -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/octet-stream' -T - \
    -w ' %{http_code}' "$base/upload" 2>&1) || true
  [ "$got" = "$1 200" ] && echo "$1" || echo "FAILED sent $1 bytes, expected the answer '$1' and 200, got: $got"
}

# As many whole 1 MiB responses as make BYTES (at least one), over one connection: one curl, a URL per request.
get_files() {  # BYTES
  local requests=$(( ($1 + file_size - 1) / file_size )) config="$work/files.curlrc" got i
  [ "$requests" -gt 0 ] || requests=1
  for ((i = 0; i < requests; i++)); do printf 'url = "%s/file"\noutput = "/dev/null"\n' "$base"; done > "$config"
  got=$(client curl "${curl_options[@]}" -K "$config" -w '%{http_code} %{size_download}\n' 2>&1) || true
  awk -v n="$requests" -v size="$file_size" '$0 == "200 " size { ok++ } END { exit !(ok == n && NR == n) }' <<< "$got" \
    && echo $((requests * file_size)) \
    || echo "FAILED expected $requests answers of 200 and $file_size bytes, got $(grep -vc "^200 $file_size\$" <<< "$got") others: $(grep -v "^200 $file_size\$" <<< "$got" | head -1)"
}

declare -A transfer=([get-stream]=get_stream [post-length]=post_length [post-chunked]=post_chunked [file-1m]=get_files)
declare -A size=([get-stream]=$stream_bytes [post-length]=$upload_bytes [post-chunked]=$upload_bytes [file-1m]=$file_total)

for transport in "${transports[@]}"; do
  log="$work/server-$transport.log"
  if ! start_server "$transport" "$log"; then
    notes+=("| $transport | - | not measured: the server did not start: $server_error |")
    continue
  fi
  base="http://127.0.0.1:$server_port"
  file_size=$(client curl "${curl_options[@]}" -o /dev/null -w '%{size_download}' "$base/file" 2>/dev/null || echo 0)
  if ! [ "$file_size" -gt 0 ] 2>/dev/null; then
    notes+=("| $transport | - | not measured: GET /file answered no body |")
    stop_server
    continue
  fi
  for row in "${rows[@]}"; do
    warmups=$(warm_up "$row")
    # RUNS measured transfers; each figure is the median of its runs (one stall or JIT burst does not make the row).
    walls=() ticks=() jits=() resent=() closed=()
    for ((run = 0; run < runs; run++)); do
      before=$(cpu_ticks "$server_pid")
      jit_before=$(jit_ns "$server_pid")
      resent_before=$(retransmitted)
      closed_before=$(zero_windows)
      start=$(date +%s%N)
      result=$("${transfer[$row]}" "${size[$row]}")
      end=$(date +%s%N)
      after=$(cpu_ticks "$server_pid" 2>/dev/null || echo "$before")
      jit_after=$(jit_ns "$server_pid" 2>/dev/null || echo "$jit_before")
      [[ $result == FAILED* ]] && break
      walls+=($((end - start))) ticks+=($((after - before))) jits+=($((jit_after - jit_before)))
      resent+=($(($(retransmitted) - resent_before)))
      closed+=($(($(zero_windows) - closed_before)))
    done
    if [[ $result == FAILED* ]]; then
      notes+=("| $transport | $row | **failed**: ${result#FAILED } |")
      printf '%s\t%s\t%s\t-\t-\t-\t-\t-\t%s\t-\t-\t-\t1\n' "$transport" "$row" "${size[$row]}" "$warmups" >> "$out.tsv"
    else
      awk -v OFS='\t' -v tr="$transport" -v row="$row" -v bytes="$result" -v ns="$(median "${walls[@]}")" \
          -v ticks="$(median "${ticks[@]}")" -v hz="$ticks_per_second" -v rss="$(rss_kib "$server_pid" 2>/dev/null || echo 0)" \
          -v jit="$(median "${jits[@]}")" -v warmups="$warmups" -v resent="$(median "${resent[@]}")" \
          -v closed="$(median "${closed[@]}")" \
        'BEGIN { s = ns / 1e9; cpu = ticks / hz; gib = bytes / 2^30
                 print tr, row, bytes, sprintf("%.2f", s), sprintf("%.0f", bytes / 2^20 / s), sprintf("%.2f", cpu),
                       sprintf("%.3f", cpu / gib), sprintf("%.2f", jit / 1e9), warmups, resent, closed, sprintf("%.0f", rss / 1024), 0 }' >> "$out.tsv"
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      notes+=("| $transport | - | the server died during $row: $(tail -1 "$log") |")
      break
    fi
  done
  stop_server
done

gib() { awk -v b="$1" 'BEGIN { printf (b % 2^30 == 0 ? "%d GiB" : b % 2^20 == 0 ? "%d MiB" : "%d bytes"), (b % 2^30 == 0 ? b / 2^30 : b % 2^20 == 0 ? b / 2^20 : b) }'; }
{
  echo "# Bulk bodies: $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo
  echo "$machine"
  echo "- server: BenchmarkServer, one event-loop thread, \`taskset -c 0\`, -Xms512m -Xmx512m; client: curl, \`taskset -c 1\`, one connection per row"
  echo "- command: \`STREAM_BYTES=$stream_bytes UPLOAD_BYTES=$upload_bytes FILE_BYTES=$file_total WARMUP_BYTES=$warmup_bytes WARMUP_PASSES=$warmup_passes WARMUP_JIT_MS=$warmup_jit_ms RUNS=$runs ROWS=$(IFS=,; echo "${rows[*]}") benchmarks/bulk.sh ${transports[*]}\`"
  echo "  (before a row is measured, its transfer is done with WARMUP_BYTES, unmeasured, until a pass leaves the JIT"
  echo "  compiler threads under WARMUP_JIT_MS of CPU, at most WARMUP_PASSES times; JIT CPU is theirs during the row, part of server CPU);"
  echo "  each row is measured RUNS times: wall time, server CPU, JIT CPU and TCP retransmits are each the median of the runs;"
  echo "  TCP retransmits (all sockets, /proc/net/snmp): loopback drops segments when a receive queue overflows and the sender"
  echo "  resends them, often after a timer, so a row with many has a wall time that says little about the transport;"
  echo "  zero windows (all sockets, /proc/net/netstat TCPToZeroWindowAdv): times a receiver's buffer was full and the sender"
  echo "  had to wait for it to be read"
  echo "- server CPU = the server process's user+system time over the transfer (/proc/<pid>/stat, $ticks_per_second ticks/s);"
  echo "  throughput and CPU per GiB count body bytes; wall time is the client's, from its start to its end"
  echo
  echo "The transfers (PORT: the server's; every one checked: status 200, body or answered count equal to what was sent):"
  echo
  echo "| row | bytes | client command |"
  echo "|---|---:|---|"
  echo "| get-stream | $(gib "$stream_bytes") | \`curl ${curl_options[*]} -o /dev/null -w '%{http_code} %{size_download}' http://127.0.0.1:PORT/stream?bytes=$stream_bytes\` |"
  echo "| post-length | $(gib "$upload_bytes") | \`truncate -s $upload_bytes upload.bin; curl ${curl_options[*]} -X POST -H 'Expect:' -H 'Content-Type: application/octet-stream' -T upload.bin -w ' %{http_code}' http://127.0.0.1:PORT/upload\` |"
  echo "| post-chunked | $(gib "$upload_bytes") | \`head -c $upload_bytes /dev/zero \\| curl ${curl_options[*]} -X POST -H 'Expect:' -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/octet-stream' -T - -w ' %{http_code}' http://127.0.0.1:PORT/upload\` |"
  echo "| file-1m | $(gib "$file_total") | \`curl ${curl_options[*]} -K files.curlrc -w '%{http_code} %{size_download}\\n'\`, files.curlrc: one \`url = \"http://127.0.0.1:PORT/file\"\` and \`output = \"/dev/null\"\` per 1 MiB response |"
  echo
  echo "![throughput and server CPU per GiB by transport and row](bulk-$stamp.png)"
  echo
  echo "| transport | row | bytes | wall s | MiB/s | server CPU s | server CPU s/GiB | of it JIT s | warm-ups | TCP retransmits | zero windows | server RSS MB after |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' 'NR > 1 && $13 == 0 { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 }' "$out.tsv"
  for note in "${notes[@]+"${notes[@]}"}"; do echo "$note"; done
  echo
  echo "Ratios to epoll in the same run (failed rows left out): server CPU per GiB (lower is better), the same without the"
  echo "JIT compiler threads' part (the transport's steady-state cost), and throughput (higher is better)."
  echo
  echo "| row | transport | CPU/GiB vs epoll | CPU/GiB without JIT vs epoll | MiB/s vs epoll |"
  echo "|---|---|---:|---:|---:|"
  awk -F'\t' 'NR > 1 && $13 == 0 { key = $2 SUBSEP $1; cpu[key] = $7; rate[key] = $5; steady[key] = ($6 - $8) * 2^30 / $3
                                  if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
                                  if (!($1 in tseen)) { tseen[$1] = 1; torder[++m] = $1 } }
    END { for (i = 1; i <= n; i++) { r = order[i]; e = r SUBSEP "epoll"
            if (!(e in cpu)) continue
            for (j = 1; j <= m; j++) { t = torder[j]; k = r SUBSEP t
              if (t == "epoll" || !(k in cpu)) continue
              printf "| %s | %s | %s | %s | %.2fx |\n", r, t, (cpu[e] > 0 ? sprintf("%.2fx", cpu[k] / cpu[e]) : "-"),
                     (steady[e] > 0 ? sprintf("%.2fx", steady[k] / steady[e]) : "-"), rate[k] / rate[e] } } }' "$out.tsv"
} > "$out.md"

if awk -F'\t' 'NR > 1 && $13 == 0 { ok = 1 } END { exit !ok }' "$out.tsv"; then
  awk -F'\t' -v OFS='\t' 'NR == 1 || $13 == 0' "$out.tsv" > "$work/chart.tsv"
  chart "$work/chart.tsv" "$out.png" "Bulk bodies (curl over loopback, server on one core): $(date -u +%Y-%m-%d)" \
    "5|MiB/s (higher is better)|0|%.0f" "7|server CPU s per GiB (lower is better)|0|%.2f"
else
  sed -i '/^!\[throughput/,+1d' "$out.md"
fi
cat "$out.md"
echo "bulk.sh: wrote $out.md, $out.tsv$( [ -f "$out.png" ] && echo " and $out.png")"
