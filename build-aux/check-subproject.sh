#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Another meson project uses libjoinset as a subproject: tests/subproject
# is copied into a temporary folder, given a wrap file that fetches this
# repository's committed HEAD with git (as a project would fetch a release
# tag from libjoinset's repository), and configured with
# --wrap-mode=forcefallback, so that the subproject is built even where
# libjoinset is installed. Its program must build and print 14.
#
# Usage: build-aux/check-subproject.sh
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/joinset-subproject.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

cp -r "$srcdir/tests/subproject" "$work/consumer"
mkdir -p "$work/consumer/subprojects"
revision=$(git -C "$srcdir" rev-parse HEAD)
cat > "$work/consumer/subprojects/joinset.wrap" <<WRAP
[wrap-git]
url = $srcdir
revision = $revision
depth = 1

[provide]
joinset-1 = joinset_dep
WRAP
echo "# subprojects/joinset.wrap:"
cat "$work/consumer/subprojects/joinset.wrap"

meson setup "$work/build" "$work/consumer" --wrap-mode=forcefallback \
  >"$work/setup.log" 2>&1 || { cat "$work/setup.log"; exit 1; }
grep -q "Subproject joinset finished" "$work/setup.log" ||
  { cat "$work/setup.log"; echo "not ok: the subproject was not used"; exit 1; }
meson compile -C "$work/build" >"$work/compile.log" 2>&1 ||
  { cat "$work/compile.log"; exit 1; }

output=$("$work/build/consumer")
echo "$output"
case "$output" in
  *": 14") echo "ok: a meson project builds and runs with libjoinset as a subproject" ;;
  *) echo "not ok: unexpected output"; exit 1 ;;
esac
