#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ThreadSanitizer CI for libjoinset (docs/reliability.md), called by .ci/run.
#
# Debian's GLib is not built with -fsanitize=thread, so TSan cannot see
# its GMutex and GCond (futex-based on Linux, not pthread's): every lock
# of the library would look like no lock at all. So:
#
#   1. GLib is built from Debian's own source package, the version that is
#      installed, with clang and -Db_sanitize=thread, and installed into
#      _build-tsan-glib/prefix (kept there: the next run skips this step
#      while the installed version and the options are the same; delete
#      the directory to rebuild). The source comes through a
#      temporary deb-src entry for the mirror already configured, removed
#      again afterwards, with apt-get update before and after, so apt is
#      left as found;
#   2. libjoinset is built with clang and -Db_sanitize=thread in
#      _build-tsan against that GLib, and the core, stress and fuzz
#      (corpus replay) suites are run with TSAN_OPTIONS making any report
#      fatal (exit code 66).
#
# Knobs: JS_TSAN_JOBS, ninja jobs for the GLib build (default: all cores);
# and the stress knobs of tests/stress-util.h (JS_STRESS_ROUNDS,
# JS_STRESS_TASKS). Their defaults, those of a plain `meson test`, are not
# cut down: under TSan the whole test step takes 90 to 120 s on 2 cores,
# and building GLib 90 to 150 s more when it is not cached.
#
# Introspection is disabled: the Python and GJS tests would load the TSan
# runtime into an interpreter that was not built with it.
set -euo pipefail
cd "$(dirname "$0")/.."

glib_dir=$PWD/_build-tsan-glib
prefix=$glib_dir/prefix
build=_build-tsan

log() { printf '\n=== ci-tsan: %s\n' "$*"; }

as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo"

# What the steps need, on Debian 12: dpkg-dev for apt-get source, and
# GLib's own build dependencies for what is built here (libffi, pcre2,
# zlib; libglib2.0-dev pulls them in).
packages="meson ninja-build pkg-config clang libclang-rt-14-dev dpkg-dev libglib2.0-dev libffi-dev libpcre2-dev zlib1g-dev"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  log "installing$missing"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# 1. GLib with -fsanitize=thread ---------------------------------------------

# The temporary deb-src entry (a .sources or a .list file, in the format of
# the entry it copies).
src_entry=""

remove_src_entry() {
  if [ -n "$src_entry" ] && [ -e "$src_entry" ]; then
    $as_root rm -f "$src_entry"
    log "removed the temporary deb-src entry; apt-get update"
    $as_root apt-get update -qq || true
  fi
}

# Writes a deb-src entry for the Debian mirror and suite that apt already
# uses for this release, with the same Signed-By (apt refuses two entries
# for one mirror with different keys): from debian.sources (deb822), or
# from a one-line entry in sources.list.
add_src_entry() {
  local codename f stanza line
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  f=/etc/apt/sources.list.d/debian.sources
  if [ -f "$f" ]; then
    # The first stanza whose Suites list the release itself (not only
    # -security), its Types, Suites and Components replaced.
    stanza=$(awk -v c="$codename" '
      function flush() { if (!done && match_ && body != "") { printf "%s", body; done = 1 } body = ""; match_ = 0 }
      /^[ \t]*$/ { flush(); next }
      /^#/ { next }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == c) match_ = 1; next }
      /^(Types|Components):/ { next }
      { body = body $0 "\n" }
      END { flush() }' "$f")
    if [ -n "$stanza" ]; then
      src_entry=/etc/apt/sources.list.d/libjoinset-ci-tsan-src.sources
      printf 'Types: deb-src\nSuites: %s\nComponents: main\n%s\n' "$codename" "$stanza" \
        | $as_root tee "$src_entry" >/dev/null
    fi
  fi
  if [ -z "$src_entry" ] && [ -f /etc/apt/sources.list ]; then
    # deb [options] URI suite components
    line=$(sed -E 's/^[ \t]+//' /etc/apt/sources.list \
      | awk -v c="$codename" '{ l = $0; sub(/\[[^]]*\] */, "") } $1 == "deb" && $3 == c { print l; exit }')
    if [ -n "$line" ]; then
      src_entry=/etc/apt/sources.list.d/libjoinset-ci-tsan-src.list
      echo "deb-src${line#deb}" | $as_root tee "$src_entry" >/dev/null
    fi
  fi
  if [ -z "$src_entry" ]; then
    echo "ci-tsan: no Debian mirror for $codename in /etc/apt; cannot fetch GLib's source" >&2
    return 1
  fi
  log "temporary deb-src entry $src_entry:"
  cat "$src_entry"
}

# The installed GLib's version, and how it is built here. The prefix is
# reused while both stay the same (the recipe is written into it last, once
# complete): change either and the next run fetches and builds again.
glib_version=$(dpkg-query -W -f='${Version}' libglib2.0-0)
# Only glib, gobject and gio are needed (and gmodule, gthread with them);
# everything optional is off to save time. b_lundef=false: the libraries
# leave the TSan runtime's symbols to the executables. The rpath: each
# installed library finds its siblings in the prefix (libgio its
# libgmodule, say) without LD_LIBRARY_PATH, never the system's.
glib_options=(
  --prefix="$prefix" --libdir=lib --buildtype=debugoptimized
  --wrap-mode=nodownload
  -Db_sanitize=thread -Db_lundef=false
  "-Dc_link_args=-Wl,-rpath,$prefix/lib"
  -Dtests=false -Dinstalled_tests=false -Dgtk_doc=false -Dman=false
  -Dsysprof=disabled -Dselinux=disabled -Dlibmount=disabled
  -Dlibelf=disabled -Dxattr=false -Dnls=disabled
  -Ddtrace=false -Dsystemtap=false
)
recipe="glib2.0 $glib_version: ${glib_options[*]}"
stamp=$prefix/.ci-tsan-recipe

fetch_glib() {
  local version=$glib_version
  rm -rf "$glib_dir/src"
  mkdir -p "$glib_dir/src"
  trap remove_src_entry EXIT
  add_src_entry
  $as_root apt-get update -qq
  log "apt-get source glib2.0=$version"
  (cd "$glib_dir/src" && apt-get source -qq --only-source "glib2.0=$version")
  remove_src_entry
  trap - EXIT
}

build_glib() {
  local src
  src=$(find "$glib_dir/src" -mindepth 1 -maxdepth 1 -type d -name 'glib2.0-*' | head -n 1)
  if [ -z "$src" ]; then
    echo "ci-tsan: apt-get source left no glib2.0-* directory in $glib_dir/src" >&2
    return 1
  fi
  log "building GLib from $src with clang, -Db_sanitize=thread"
  rm -rf "$glib_dir/build" "$prefix"
  CC=clang meson setup "$glib_dir/build" "$src" "${glib_options[@]}"
  ninja -C "$glib_dir/build" ${JS_TSAN_JOBS:+-j "$JS_TSAN_JOBS"}
  meson install -C "$glib_dir/build" --quiet
  echo "$recipe" > "$stamp"
}

if [ "$(cat "$stamp" 2>/dev/null)" != "$recipe" ]; then
  # libjoinset's TSan build was linked against the previous one.
  rm -rf "$build"
  start=$SECONDS
  fetch_glib
  fetch_seconds=$((SECONDS - start))
  build_glib
  log "GLib with TSan: fetched in $fetch_seconds s, built and installed in $((SECONDS - start - fetch_seconds)) s"
else
  log "GLib with TSan: reusing $prefix (delete $glib_dir to rebuild)"
fi

# 2. libjoinset with -fsanitize=thread, against that GLib --------------------

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
if [ ! -f "$build/build.ninja" ]; then
  log "configuring $build against $prefix"
  # -Dwerror=false, as in ci-reliability.sh's clang build: clang's
  # -Wcast-align warns where gcc's does not (CORE_OF_CLIENT in
  # joinset/js-runner.c); the gcc builds of CI keep -Werror.
  CC=clang meson setup "$build" \
    -Db_sanitize=thread -Db_lundef=false \
    -Dintrospection=disabled -Ddocumentation=disabled -Dexamples=false \
    -Dwerror=false
fi
ninja -C "$build"

# Every test program must load the TSan GLib, or TSan does not see GLib's
# locks: meson gives the programs and libjoinset a RUNPATH to
# $prefix/lib (from pkg-config's -L), checked here with ldd, without
# LD_LIBRARY_PATH: each GLib library it loads (libglib at least) resolves
# into the prefix.
check_loads_tsan_glib() {
  local t=$1 lib path has_glib=0
  while read -r lib _ path _; do
    case $lib in
      libglib-2.0.so.*|libgobject-2.0.so.*|libgio-2.0.so.*|libgmodule-2.0.so.*)
        if [ "$(realpath -m "$(dirname "$path")")" != "$(realpath "$prefix/lib")" ]; then
          echo "ci-tsan: $t loads $lib from $path, not from $prefix/lib" >&2
          return 1
        fi
        [[ $lib != libglib-2.0.so.* ]] || has_glib=1
        ;;
    esac
  done < <(env -u LD_LIBRARY_PATH ldd "$t")
  if [ "$has_glib" -eq 0 ]; then
    echo "ci-tsan: $t does not load GLib at all:" >&2
    ldd "$t" >&2
    return 1
  fi
}
for t in "$build"/tests/test-* "$build"/tests/stress-* "$build"/tests/fuzz/fuzz-replay; do
  [ -f "$t" ] && [ -x "$t" ] || continue
  check_loads_tsan_glib "$t"
done

# Any report fails its test: the program goes on to print every report,
# then exits with 66 (halt_on_error=0, so one run shows all the races of a
# program, not only the first). tsan.supp lists the reports inside GLib
# that are known to be benign.
# G_SLICE=always-malloc: every GSlice block goes through malloc, where
# TSan tracks who freed and reused it.
export TSAN_OPTIONS="halt_on_error=0:exitcode=66:second_deadlock_stack=1:history_size=4:suppressions=$PWD/build-aux/tsan.supp:print_suppressions=0"
export G_SLICE=always-malloc

log "ThreadSanitizer: meson test --suite core --suite stress --suite fuzz"
start=$SECONDS
# The watchdog tolerates the slowdown (5 to 15 times).
JS_STRESS_STALL_SECONDS=30 \
  meson test -C "$build" --suite core --suite stress --suite fuzz \
    --print-errorlogs --timeout-multiplier 3
log "tsan: core, stress and fuzz suites passed in $((SECONDS - start)) s"
