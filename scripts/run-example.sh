#!/usr/bin/env bash
# Builds the project (without tests) and runs one example on this machine's default backend (the
# posix engine on Linux, HTTP.SYS on Windows); Ctrl-C stops it.
# Usage: [PORT=8080] scripts/run-example.sh [EXAMPLE] [ARGUMENT...]
#   helloworld (default)   Netty's hello world: curl http://127.0.0.1:8080/
#   snoop                  echoes each request: curl -d hi 'http://127.0.0.1:8080/a?b=c'
#   file [FOLDER]          static files, ranges, 304s: curl -r 0-99 http://127.0.0.1:8080/README.md
#   websocket              chat page and WebSocket: open http://127.0.0.1:8080/ in two windows
#   portsharing [APP...]   one request queue per app on one port: curl http://127.0.0.1:8080/app1/
#   cache                  output cache: HTTPSYS_CACHE_DURATION=30 ..., then curl twice
#   clientcert             client certificate facts (Windows, https on PORT, default 8443)
#   cluster [PROCESSES]    processes sharing one named request queue (Windows)
# JAVA_OPTS passes JVM options, e.g. JAVA_OPTS=-Dtransport=nio to compare with NIO.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
example=${1:-helloworld}
[ $# -gt 0 ] && shift
case "$example" in
  helloworld)  main=dev.nettyhttpsys.examples.helloworld.HttpHelloWorldServer ;;
  snoop)       main=dev.nettyhttpsys.examples.snoop.HttpSnoopServer ;;
  file)        main=dev.nettyhttpsys.examples.file.HttpStaticFileServer ;;
  websocket)   main=dev.nettyhttpsys.examples.websocket.WebSocketChatServer ;;
  portsharing) main=dev.nettyhttpsys.examples.portsharing.PortSharingServer ;;
  cache)       main=dev.nettyhttpsys.examples.cache.OutputCacheServer ;;
  clientcert)  main=dev.nettyhttpsys.examples.clientcert.ClientCertificateServer ;;
  cluster)     main=dev.nettyhttpsys.examples.cluster.ClusterServer ;;
  *) echo "run-example: unknown example '$example'; one of: helloworld snoop file websocket portsharing cache clientcert cluster" >&2
     exit 2 ;;
esac
bash scripts/install-prerequisites.sh
# Packages the reactor (nothing goes to ~/.m2) and writes the examples' runtime class path.
mvn -B -ntp -q -DskipTests -pl examples -am package dependency:build-classpath \
  -Dmdep.outputFile=target/runtime-classpath.txt -Dmdep.includeScope=runtime
port_option=()
[ -n "${PORT:-}" ] && port_option=("-Dport=$PORT")
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
exec java ${JAVA_OPTS:-} "${port_option[@]}" \
  -cp "examples/target/classes:$(cat examples/target/runtime-classpath.txt)" "$main" "$@"
