#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Only <joinset/joinset.h> may be included directly: including any other
# public header must fail with the guard's #error, and the umbrella header
# must compile on its own.
# Usage: check-header-guard.sh CC SRCDIR BUILDDIR
set -eu
cc="$1"; src="$2"; build="$3"
flags="-I$src -I$src/joinset -I$build -I$build/joinset $(pkg-config --cflags gio-2.0)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

printf '#include <joinset/joinset.h>\nint main (void) { return JS_CHECK_VERSION (1, 0, 0) ? 0 : 1; }\n' > "$tmp/ok.c"
if ! $cc $flags -c "$tmp/ok.c" -o "$tmp/ok.o"; then
  echo "not ok: <joinset/joinset.h> does not compile"; status=1
else
  echo "ok: <joinset/joinset.h> compiles"
fi

for h in "$src"/joinset/js-*.h "$build"/joinset/js-enums.h "$build"/joinset/js-version.h; do
  name=$(basename "$h")
  case "$name" in *-private.h) continue ;; esac
  printf '#include <joinset/%s>\n' "$name" > "$tmp/bad.c"
  if $cc $flags -c "$tmp/bad.c" -o "$tmp/bad.o" 2>"$tmp/err"; then
    echo "not ok: <joinset/$name> can be included directly"; status=1
  elif grep -q 'Only <joinset/joinset.h> can be included directly' "$tmp/err"; then
    echo "ok: <joinset/$name> refuses direct inclusion"
  else
    echo "not ok: <joinset/$name> failed for another reason:"; cat "$tmp/err"; status=1
  fi
done
exit $status
