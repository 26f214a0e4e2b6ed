#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The release tarball builds on its own: `meson dist` makes it from the
# committed tree (git archive: a file that is not in git is not in it),
# then the tarball alone is configured, built with warnings as errors,
# tested with the whole suite, and installed into a temporary prefix.
#
# Usage: build-aux/check-dist.sh
# Needs a clean git checkout (meson dist refuses uncommitted changes),
# and what the README's setup installs. Everything is written to a
# temporary folder, removed at the end. The tarball is kept if
# JS_DIST_OUTPUT names a folder to copy it to.
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/joinset-dist.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

echo "# meson dist from $srcdir"
meson setup "$work/dist-build" "$srcdir" -Dtests=false -Dexamples=false \
  -Ddocumentation=disabled >"$work/setup.log" 2>&1 ||
  { cat "$work/setup.log"; exit 1; }
# --no-tests: the tarball's tests run below, with the options CI uses.
meson dist -C "$work/dist-build" --no-tests --formats xztar
tarball=$(ls "$work"/dist-build/meson-dist/*.tar.xz)
echo "# $(basename "$tarball"): $(du -h "$tarball" | cut -f1)"

mkdir "$work/unpacked"
tar -xf "$tarball" -C "$work/unpacked"
tree=$(ls -d "$work"/unpacked/*)

# Nothing generated, nothing that belongs to a checkout only.
for unwanted in _build .git; do
  if [ -e "$tree/$unwanted" ]; then
    echo "not ok: the tarball contains $unwanted"
    exit 1
  fi
done

echo "# Building the tarball alone (werror, documentation) in $tree"
meson setup "$tree/_build" "$tree" --prefix="$work/prefix" \
  -Dwerror=true -Ddocumentation=enabled >"$work/tree-setup.log" 2>&1 ||
  { cat "$work/tree-setup.log"; exit 1; }
meson compile -C "$tree/_build" >"$work/tree-compile.log" 2>&1 ||
  { cat "$work/tree-compile.log"; exit 1; }

echo "# Testing it: the whole suite"
meson test -C "$tree/_build" --print-errorlogs

echo "# Installing it"
meson install -C "$tree/_build" --quiet
test -e "$work/prefix/lib/x86_64-linux-gnu/libjoinset-1.so" ||
  test -n "$(find "$work/prefix" -name 'libjoinset-1.so' -print -quit)" ||
  { echo "not ok: libjoinset-1.so is not installed"; exit 1; }

if [ -n "${JS_DIST_OUTPUT:-}" ]; then
  cp "$tarball" "$tarball.sha256sum" "$JS_DIST_OUTPUT"/
fi
echo "ok: $(basename "$tarball") builds, passes its tests and installs"
