# Prepares Wine for running the mingw-built native tests: a project-local prefix, no debug noise,
# no Mono/Gecko installer prompts, no display or stdin needed. Meant to be sourced:
#
#   source scripts/wine-env.sh          # sets WINEPREFIX etc., boots the prefix once
#   trap wine_env_stop EXIT             # stops this prefix's wineserver at the end
#   ctest --test-dir build/windows-x86_64
#
# The first boot of a fresh prefix takes a while (see docs/windows-verification.md); later runs
# reuse it. Delete build/wineprefix to start over.

_wine_env_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

export WINEPREFIX="${HSYS_WINEPREFIX:-$_wine_env_root/build/wineprefix}"
export WINEDEBUG="${WINEDEBUG:--all}"
# mscoree/mshtml disabled: wineboot would otherwise offer to download Mono and Gecko.
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
export WINEARCH="${WINEARCH:-win64}"
# Running as root in CI is fine for Wine as long as the prefix belongs to root (it does: we make it).
unset WINELOADERNOEXEC 2>/dev/null || true

wine_env_stop() {
  # Stops the wineserver of this prefix only (and with it winedevice/services of the prefix).
  if command -v wineserver >/dev/null 2>&1; then
    wineserver -k >/dev/null 2>&1 || true
    wineserver -w >/dev/null 2>&1 || true
  fi
}

_wine_env_boot() {
  if ! command -v wine >/dev/null 2>&1; then
    echo "wine-env: wine is not installed; the windows backend tests cannot run" >&2
    return 1
  fi
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    mkdir -p "$WINEPREFIX"
    local started=$SECONDS
    echo "wine-env: creating Wine prefix $WINEPREFIX (first time only)" >&2
    # No display: keep wineboot from trying to open windows; stdin closed so nothing can prompt.
    DISPLAY= wineboot --init </dev/null >/dev/null 2>&1 || {
      echo "wine-env: wineboot --init failed" >&2
      return 1
    }
    wineserver -w
    echo "wine-env: prefix ready after $((SECONDS - started)) s" >&2
  fi
}

_wine_env_boot
