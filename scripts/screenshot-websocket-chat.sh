#!/usr/bin/env bash
# Tries the WebSocket chat page once in a real browser: starts the chat example, lets headless
# Chromium (Debian's `chromium`, installed here if missing) open the page as "bob" saying one thing,
# then as "alice" saying another, and keeps the second window's screenshot in
# docs/images/websocket-chat.png (alice's page shows bob's message from the room's history and her
# own message as broadcast back by the server). Not part of the test command.
# Usage: scripts/screenshot-websocket-chat.sh [port]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port=${1:-18080}
out=docs/images/websocket-chat.png
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium
fi
PORT=$port bash scripts/run-example.sh websocket > build/screenshot-chat-server.log 2>&1 &
server=$!
profile=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$profile"' EXIT
for _ in $(seq 1 300); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/" && break
  kill -0 "$server" 2>/dev/null || { cat build/screenshot-chat-server.log; exit 1; }
  sleep 1
done
# The flags this machine needs: no sandbox as root, no GPU, and no background traffic (the
# network is closed, so Chromium's own connections would only fail).
browser() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --window-size=800,560 --virtual-time-budget=3000 "$@"
}
browser --dump-dom "http://127.0.0.1:$port/?name=bob&say=Hi%20from%20bob%27s%20browser" > /dev/null
mkdir -p "$(dirname "$out")"
browser --screenshot="$root/$out" "http://127.0.0.1:$port/?name=alice&say=Hello%20bob%2C%20this%20is%20alice"
echo "screenshot: $out"
