#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The ABI of libjoinset-1.so against the baseline of the current soname
# (build-aux/abi/libjoinset-1.so.0.abi), with libabigail:
#
#   build-aux/check-abi.sh              compare; fails on any incompatible
#                                       change (a removed or changed
#                                       function, type or struct), prints
#                                       additions and passes
#   build-aux/check-abi.sh --update     rewrite the baseline from this tree
#                                       (a release does it, see
#                                       CONTRIBUTING.md, "ABI")
#   build-aux/check-abi.sh --self-check build a copy of this tree with a
#                                       function removed and a parameter
#                                       type changed, and fail unless the
#                                       comparison catches both
#
# The library is built from the committed sources in a temporary folder
# (debugoptimized, for the DWARF that abidw reads) and only the public
# headers' types count (--headers-dir). Needs abigail-tools.
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
baseline="$srcdir/build-aux/abi/libjoinset-1.so.0.abi"
work=$(mktemp -d "${TMPDIR:-/tmp}/joinset-abi.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mode=${1:-check}

# Builds the tree in $1 into $work/$2 and installs its headers there.
build () {
  meson setup "$work/$2-build" "$1" --prefix="$work/$2" --libdir=lib \
    -Dtests=false -Dexamples=false -Ddocumentation=disabled \
    -Dintrospection=disabled -Dnls=disabled \
    >"$work/$2-setup.log" 2>&1 || { cat "$work/$2-setup.log"; exit 1; }
  meson install -C "$work/$2-build" --quiet >"$work/$2-install.log" 2>&1 ||
    { cat "$work/$2-install.log"; exit 1; }
}

dump () {
  abidw --headers-dir "$work/$1/include/joinset-1/joinset" \
    --drop-private-types --no-show-locs --no-comp-dir-path \
    --no-corpus-path "$work/$1/lib/libjoinset-1.so"
}

# Compares the baseline with the library in $work/$1 (dumped the same way):
# 0 when compatible. Additions are compatible (--no-added-syms); any other
# change fails, whether abidiff calls it incompatible (8: a removed
# symbol) or only a change (4: a changed parameter, return or struct).
compare () {
  status=0
  dump "$1" > "$work/$1.abi"
  abidiff --no-added-syms "$baseline" "$work/$1.abi" \
    >"$work/$1-report.txt" 2>&1 || status=$?
  # abidiff's exit status is a bit mask: 1 error, 2 usage error, 4 an ABI
  # change, 8 an incompatible ABI change.
  if [ $((status & 3)) -ne 0 ]; then
    cat "$work/$1-report.txt"
    echo "not ok: abidiff failed (status $status)"
    exit 1
  fi
  return $((status & 12))
}

case "$mode" in
  check)
    test -f "$baseline" || { echo "not ok: no baseline $baseline"; exit 1; }
    build "$srcdir" current
    if compare current; then
      echo "ok: the ABI of libjoinset-1.so.0 is compatible with its baseline"
      # Additions are compatible; show them for the release notes.
      abidiff "$baseline" "$work/current.abi" || true
    else
      cat "$work/current-report.txt"
      echo "not ok: an incompatible ABI change (see above); a change of this kind needs a new soname and a new baseline"
      exit 1
    fi
    ;;

  --update)
    build "$srcdir" current
    dump current > "$baseline"
    echo "ok: $baseline rewritten ($(grep -c '<elf-symbol ' "$baseline") symbols)"
    ;;

  --self-check)
    test -f "$baseline" || { echo "not ok: no baseline $baseline"; exit 1; }
    # An addition passes: a new exported function.
    git -C "$srcdir" archive --format=tar --prefix=added/ HEAD | tar -x -C "$work"
    printf '\nJS_AVAILABLE_IN_ALL\nvoid js_join_set_abi_self_check (void);\n' \
      >> "$work/added/joinset/js-join-set.h"
    printf '\nvoid\njs_join_set_abi_self_check (void)\n{\n}\n' \
      >> "$work/added/joinset/js-join-set.c"
    build "$work/added" added
    if ! compare added; then
      cat "$work/added-report.txt"
      echo "not ok: the ABI check fails on an added function"
      exit 1
    fi
    grep -q "js_join_set_abi_self_check" "$work/added.abi" ||
      { echo "not ok: the added function is not in the new ABI"; exit 1; }
    echo "ok: an added function passes"

    git -C "$srcdir" archive --format=tar --prefix=mutated/ HEAD | tar -x -C "$work"
    # A removed function: js_join_set_detach_all() is no longer exported.
    perl -0pi -e 's/JS_AVAILABLE_IN_ALL\n(void\s+js_join_set_detach_all)/$1/' \
      "$work/mutated/joinset/js-join-set.h"
    # A changed parameter type: js_join_set_set_timeout() takes a gint64.
    perl -0pi -e 's/(js_join_set_set_timeout\s*\(JsJoinSet\s*\*self,\s*)guint(\s+timeout_ms)/$1gint64$2/' \
      "$work/mutated/joinset/js-join-set.h" "$work/mutated/joinset/js-join-set.c"
    if ! grep -q "gint64 *timeout_ms" "$work/mutated/joinset/js-join-set.c"; then
      echo "not ok: the self-check could not change js_join_set_set_timeout()"
      exit 1
    fi
    build "$work/mutated" mutated
    if compare mutated; then
      cat "$work/mutated-report.txt"
      echo "not ok: the ABI check let an incompatible change pass"
      exit 1
    fi
    for symbol in js_join_set_detach_all js_join_set_set_timeout; do
      grep -q "$symbol" "$work/mutated-report.txt" || {
        cat "$work/mutated-report.txt"
        echo "not ok: the report does not name $symbol"
        exit 1
      }
    done
    echo "ok: the ABI check fails on a removed function and a changed parameter type:"
    sed 's/^/  /' "$work/mutated-report.txt"
    ;;

  *)
    echo "usage: $0 [--update | --self-check]" >&2
    exit 2
    ;;
esac
