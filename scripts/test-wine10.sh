#!/usr/bin/env bash
# Runs the windows backend's contract tests under Wine 10 (Debian trixie), which implements
# HttpSendResponseEntityBody and MORE_DATA (streamed responses) that the host's Wine 8 lacks.
# The first run builds a trixie chroot with Wine (debootstrap + apt, about a minute here, needs
# root and network); later runs reuse it and take seconds, and then scripts/test-native.sh (so
# mvn verify) runs this too. Without a cached chroot the default test command skips it.
#
#   scripts/test-wine10.sh [WINDOWS_BUILD_DIR [JNI_LIBRARY JNI_SURFACE]]   default: build/windows-dev
#   scripts/test-wine10.sh --prepare               only build the chroot (the test command does this)
#
# With JNI_LIBRARY (the jar's netty_httpsys_windows_x86_64.dll) and JNI_SURFACE (scripts/jni-surface.sh
# output) the JNI host (hsys_jni_host.exe from the same build folder) runs that DLL too, copied in
# and compared byte for byte with the original.
#
# The chroot lives in build/wine10/chroot (ignored by git); delete it to start over. The test
# binary is copied in, run with its own Wine prefix, and this chroot's wineserver is stopped
# at the end. Timings are printed per step.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/windows-dev}
cache=$root/build/wine10
chroot_dir=$cache/chroot
stamp=$cache/chroot.ready
mirror=${HSYS_DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ "$(id -u)" -ne 0 ]; then
  echo "test-wine10: needs root (debootstrap, chroot, mounts)" >&2
  exit 2
fi
prepare_only=0
if [ "${1:-}" = --prepare ]; then
  prepare_only=1
fi
exe=$build/hsys_contract_tests.exe
if [ "$prepare_only" = 0 ] && [ ! -f "$exe" ]; then
  echo "test-wine10: $exe not found; build the windows backend first (see docs/windows-verification.md)" >&2
  exit 2
fi
jni_library=${2:-}
jni_surface=${3:-}
if [ -n "$jni_library" ] && { [ ! -f "$jni_library" ] || [ ! -f "$jni_surface" ] || [ ! -f "$build/hsys_jni_host.exe" ]; }; then
  echo "test-wine10: the JNI host needs $jni_library, $jni_surface and $build/hsys_jni_host.exe" >&2
  exit 2
fi

step_started=$SECONDS
step() { echo "test-wine10: $1 ($((SECONDS - step_started)) s)"; step_started=$SECONDS; }

mounted=()
cleanup() {
  if [ -x "$chroot_dir/usr/bin/wineserver" ]; then
    chroot "$chroot_dir" env WINEPREFIX=/opt/hsys/wineprefix wineserver -k >/dev/null 2>&1 || true
  fi
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
mount_into() {  # mount_into TYPE-OR-bind SOURCE TARGET
  mkdir -p "$3"
  if mountpoint -q "$3"; then return; fi
  if [ "$1" = bind ]; then mount --bind "$2" "$3"; else mount -t "$1" "$2" "$3"; fi
  mounted+=("$3")
}

if [ ! -f "$stamp" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -q debootstrap
  rm -rf "$chroot_dir"
  mkdir -p "$cache"
  debootstrap --variant=minbase trixie "$chroot_dir" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
    tail -20 "$cache/debootstrap.log" >&2
    exit 1
  }
  step "debootstrap trixie"
  mount_into proc proc "$chroot_dir/proc"
  mount_into bind /dev "$chroot_dir/dev"
  cp /etc/resolv.conf "$chroot_dir/etc/resolv.conf" 2>/dev/null || true
  chroot "$chroot_dir" env DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get update -q && apt-get install -y -q --no-install-recommends wine wine64' \
    >"$cache/apt.log" 2>&1 || {
    tail -20 "$cache/apt.log" >&2
    exit 1
  }
  touch "$stamp"
  step "apt-get install wine (chroot)"
fi
if [ "$prepare_only" = 1 ]; then
  echo "test-wine10: chroot ready in $chroot_dir"
  exit 0
fi

mount_into proc proc "$chroot_dir/proc"
mount_into bind /dev "$chroot_dir/dev"
mkdir -p "$chroot_dir/opt/hsys/jni"
cp "$exe" "$chroot_dir/opt/hsys/"
for dll in "$build"/*.dll; do [ -f "$dll" ] && cp "$dll" "$chroot_dir/opt/hsys/"; done
if [ -n "$jni_library" ]; then
  cp "$build/hsys_jni_host.exe" "$chroot_dir/opt/hsys/"
  cp "$jni_library" "$jni_surface" "$chroot_dir/opt/hsys/jni/"
  cmp "$jni_library" "$chroot_dir/opt/hsys/jni/$(basename "$jni_library")"  # the very DLL of the jar
fi
wine_env=(env HOME=/root WINEPREFIX=/opt/hsys/wineprefix WINEDEBUG=-all WINEARCH=win64
          "WINEDLLOVERRIDES=mscoree,mshtml=" DISPLAY=)
echo "test-wine10: $(chroot "$chroot_dir" wine --version 2>/dev/null)"
if [ ! -f "$chroot_dir/opt/hsys/wineprefix/system.reg" ]; then
  chroot "$chroot_dir" "${wine_env[@]}" sh -c 'wineboot --init && wineserver -w' </dev/null >/dev/null 2>&1
  step "wineboot (first time)"
fi
# As in test-native.sh: Wine's helper processes outlive the test and would hold a pipe open.
log=$cache/contract-under-wine10.log
status=0
chroot "$chroot_dir" "${wine_env[@]}" sh -c \
  'cd /opt/hsys && timeout 180 wine ./hsys_contract_tests.exe --duration=true' \
  </dev/null >"$log" 2>&1 || status=$?
cat "$log"
step "contract tests under Wine 10"
if [ -n "$jni_library" ]; then
  log=$cache/jni-host-under-wine10.log
  chroot "$chroot_dir" "${wine_env[@]}" sh -c 'cd /opt/hsys && timeout 120 wine ./hsys_jni_host.exe "$@"' sh \
    "--library=Z:\\opt\\hsys\\jni\\$(basename "$jni_library")" \
    "--surface=Z:\\opt\\hsys\\jni\\$(basename "$jni_surface")" </dev/null >"$log" 2>&1 || status=$?
  cat "$log"
  step "JNI host under Wine 10"
fi
exit "$status"
