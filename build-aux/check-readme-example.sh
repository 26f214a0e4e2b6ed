#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The C example at the top of README.md must compile against the build
# tree and print 14.
# Usage: check-readme-example.sh CC SRCDIR BUILDDIR
set -eu
cc="$1"; src="$2"; build="$3"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^```c$/ { f = 1; next } /^```$/ { if (f) exit } f' "$src/README.md" > "$tmp/readme.c"
$cc -Wall -Werror -o "$tmp/readme" "$tmp/readme.c" \
  -I"$src" -I"$src/joinset" -I"$build" -I"$build/joinset" \
  $(pkg-config --cflags --libs gio-2.0) -L"$build/joinset" -ljoinset-1 \
  -Wl,-rpath,"$build/joinset"
out=$("$tmp/readme")
if [ "$out" != "14" ]; then
  echo "not ok: the README example printed '$out', not 14"; exit 1
fi
echo "ok: the README example compiles and prints 14"
