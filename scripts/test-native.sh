#!/usr/bin/env bash
# Runs the native tests against both backends: the contract suite (the engine's C++ interface;
# posix natively, windows built with mingw-w64 under Wine) and the JNI host (native/test/jni_host),
# which loads the very JNI libraries the jar ships (CLASSES_DIR/META-INF/native), checks their
# RegisterNatives table against the compiled Native class and serves requests through them: the
# .so natively with dlopen, the DLL with LoadLibraryW under Wine.
# Usage: scripts/test-native.sh BUILD_DIR CLASSES_DIR
#   BUILD_DIR as given to build-native.sh; CLASSES_DIR = transport-httpsys/target/classes
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?build folder}
classes=${2:?classes folder (transport-httpsys/target/classes)}
native=$classes/META-INF/native
surface=$build/jni-surface.txt
bash "$root/scripts/jni-surface.sh" "$classes" "$surface"

echo "== native contract tests: posix backend"
"$build/linux-x86_64/hsys_contract_tests" --duration=true
# The engine's other ways to make its system calls (syscall_batch.h): io_uring without its epoll
# wait (kernels before 6.15), and no io_uring at all (kernels before 5.4, or a seccomp profile
# that forbids it, as container runtimes' defaults do).
for setting in no-wait 0; do
  echo "== native contract tests: posix backend, HTTPSYS_IO_URING=$setting"
  HTTPSYS_IO_URING=$setting "$build/linux-x86_64/hsys_contract_tests"
done
echo "== JNI host: $native/libnetty_httpsys_linux_x86_64.so"
"$build/linux-x86_64/hsys_jni_host" --library="$native/libnetty_httpsys_linux_x86_64.so" --surface="$surface"

echo "== native contract tests: windows backend under $(wine --version 2>/dev/null || echo 'no wine')"
# shellcheck source=wine-env.sh
source "$root/scripts/wine-env.sh"
trap wine_env_stop EXIT
# Wine's helper processes (winedevice.exe hosts http.sys) outlive the test and would hold a pipe
# open, so the output goes through a file rather than straight to whoever reads ours.
windows=$build/windows-x86_64
log="$windows/contract-under-wine.log"
status=0
(cd "$windows" && timeout 180 wine ./hsys_contract_tests.exe --duration=true) >"$log" 2>&1 || status=$?
cat "$log"
dll=$native/netty_httpsys_windows_x86_64.dll
echo "== JNI host under $(wine --version): $dll"
log="$windows/jni-host-under-wine.log"
(cd "$windows" && timeout 120 wine ./hsys_jni_host.exe --library="$(winepath -w "$dll")" \
  --surface="$(winepath -w "$surface")") >"$log" 2>&1 || status=$?
cat "$log"

# Wine 10 (streamed responses) runs only where scripts/test-wine10.sh already built its chroot:
# then it takes a few seconds; building the chroot (network, root) is never done from here.
if [ -f "$root/build/wine10/chroot.ready" ] && [ "$(id -u)" -eq 0 ] && [ "${HSYS_SKIP_WINE10:-0}" != 1 ]; then
  echo "== windows backend under Wine 10 (cached chroot): contract tests and JNI host"
  bash "$root/scripts/test-wine10.sh" "$windows" "$dll" "$surface" || status=$?
else
  echo "== Wine 10 run skipped: no cached chroot (build it once with scripts/test-wine10.sh, as root)"
fi
exit "$status"
