#!/usr/bin/env bash
# Every file a doc or the engine's headers name must exist: paths with a folder relative to the
# repository root, the naming file's folder or native/include (hsys/records.h); bare file names
# (records.h, Native.java) anywhere in the tree. Not checked: build outputs (build/, target/),
# elided paths (examples/.../X.java), globs (*_test.cpp) and the system's headers (jni.h).
# Prints each missing name with where it is mentioned; fails if any is.
# Usage: scripts/check-doc-paths.sh [FILE...]   (default: docs/*.md, README.md, native/include/hsys/*.h)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ $# -eq 0 ]; then set -- docs/*.md README.md native/include/hsys/*.h; fi
tracked=$(git ls-files --cached --others --exclude-standard)
missing=0
for doc in "$@"; do
  while IFS=: read -r line name; do
    name=${name%.}
    case "$name" in
      *...*|*\**|*://*|build/*|*/build/*|target/*|*/target/*) continue ;;
      jni.h|jni_md.h|http.h|windows.h|winsock2.h) continue ;;
      */*) for base in . "$(dirname "$doc")" native/include; do [ -e "$base/$name" ] && continue 2; done ;;
      *) grep -q -E "(^|/)${name//./\\.}\$" <<<"$tracked" && continue ;;
    esac
    echo "$doc:$line: $name does not exist"
    missing=1
  done < <(grep -n -o -E '[*A-Za-z0-9_./:-]+\.(java|cpp|h|sh|md|cmake|lua|xml|py|tsv|txt)\b' "$doc" \
             | grep -v -E ':(https?|[a-z]+\.[a-z]+\.[a-z]+/)' | grep -v -E ':-D')
done
if [ "$missing" = 0 ]; then echo "check-doc-paths: every named file exists ($# files checked)"; fi
exit "$missing"
