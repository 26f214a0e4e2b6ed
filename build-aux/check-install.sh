#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Installs libjoinset into a temporary prefix, checks that every file is
# where a distribution expects it, then builds and runs a small program
# outside this tree with nothing but `pkg-config --cflags --libs joinset-1`.
#
# Usage: build-aux/check-install.sh [MESON_SETUP_OPTION...]
#   e.g. build-aux/check-install.sh -Ddocumentation=enabled
#
# The options go to `meson setup`; a feature that is built must also be
# installed (GIR, typelib, VAPI, Python override, API reference, catalogs).
# Needs meson, ninja, a C compiler, pkg-config and python3; nothing is
# written outside a temporary folder, which is removed at the end.
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/joinset-install.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
prefix="$work/prefix"
build="$work/build"
failures=0

fail () {
  echo "not ok: $*"
  failures=$((failures + 1))
}

expect () {
  if [ -e "$prefix/$1" ]; then
    echo "ok: $1"
  else
    fail "$1 is not installed"
  fi
}

echo "# Building and installing into $prefix"
meson setup "$build" "$srcdir" --prefix="$prefix" \
  -Dtests=false -Dexamples=false "$@" >"$work/setup.log" 2>&1 ||
  { cat "$work/setup.log"; exit 1; }
meson compile -C "$build" >"$work/compile.log" 2>&1 ||
  { cat "$work/compile.log"; exit 1; }
meson install -C "$build" --quiet

option () {
  meson introspect "$build" --buildoptions |
    /usr/bin/env python3 -c 'import json, sys
for o in json.load(sys.stdin):
    if o["name"] == sys.argv[1]:
        print(o["value"])' "$1"
}
libdir=$(option libdir)
includedir=$(option includedir)
datadir=$(option datadir)
localedir=$(option localedir)
version=$(meson introspect "$build" --projectinfo |
  /usr/bin/env python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')

echo "# The installed files"
expect "$libdir/libjoinset-1.so"
expect "$libdir/libjoinset-1.so.0"
expect "$libdir/pkgconfig/joinset-1.pc"
for h in joinset.h js-enums.h js-join-error.h js-join-set.h js-task.h \
         js-types.h js-version.h js-version-macros.h; do
  expect "$includedir/joinset-1/joinset/$h"
done
if [ -f "$build/joinset/Js-1.gir" ]; then
  expect "$datadir/gir-1.0/Js-1.gir"
  expect "$libdir/girepository-1.0/Js-1.typelib"
fi
if [ -f "$build/joinset/joinset-1.vapi" ]; then
  expect "$datadir/vala/vapi/joinset-1.vapi"
fi
if [ -d "$build/docs/joinset-1" ]; then
  expect "$datadir/doc/joinset-1/index.html"
  expect "$datadir/doc/joinset-1/class.JoinSet.html"
  expect "$datadir/doc/joinset-1/overview.html"
  expect "$datadir/doc/joinset-1/joinset-1.devhelp2"
fi
languages=""
if [ -d "$build/po" ]; then
  languages=$(grep -v '^#' "$srcdir/po/LINGUAS" || true)
  for lang in $languages; do
    expect "$localedir/$lang/LC_MESSAGES/joinset-1.mo"
  done
fi
overrides=$(cd "$prefix" && find . -path '*/gi/overrides/Js.py' | sed 's|^\./||')
for o in $overrides; do
  echo "ok: $o (Python override)"
done
if [ -f "$srcdir/bindings/python/Js.py" ] && [ -f "$build/joinset/Js-1.gir" ] &&
   [ -z "$overrides" ]; then
  fail "the Python override (bindings/python/Js.py) is not installed in gi/overrides"
fi
if [ -n "$(cd "$prefix" && find . -name '*.a' -o -name '*.la' | head -n 1)" ]; then
  fail "static or libtool archives are installed"
fi

echo "# A program outside the tree, built with pkg-config alone"
PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
export PKG_CONFIG_PATH
if [ "$(pkg-config --modversion joinset-1)" != "$version" ]; then
  fail "pkg-config --modversion joinset-1 is not $version"
fi

mkdir "$work/consumer"
cat >"$work/consumer/consumer.c" <<'EOF'
#include <locale.h>

#include <joinset/joinset.h>

#if !JS_CHECK_VERSION (1, 0, 0)
# error "JS_CHECK_VERSION does not work"
#endif

static void
square (JsTask   *task,
        gpointer  user_data)
{
  gssize n = GPOINTER_TO_SIZE (user_data);

  js_task_return_int (task, n * n);
}

static void
never_runs (JsTask   *task,
            gpointer  user_data)
{
  g_error ("A task aborted before it started must never run");
}

int
main (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(JsTask) aborted = NULL;
  g_autoptr(GError) error = NULL;
  JsTask *task;
  gssize total = 0;

  setlocale (LC_ALL, "");

  for (gsize n = 1; n <= 3; n++)
    js_join_set_spawn_in_thread (set, square, GSIZE_TO_POINTER (n), NULL);
  while ((task = js_join_set_join_next (set, NULL, NULL)) != NULL)
    {
      total += js_task_propagate_int (task, NULL);
      g_object_unref (task);
    }
  g_print ("version %s, sum %" G_GSSIZE_FORMAT "\n", JS_VERSION_S, total);

  js_join_set_abort (set, js_join_set_spawn (set, never_runs, NULL, NULL));
  aborted = js_join_set_try_join_next (set);
  js_task_propagate_boolean (aborted, &error);
  g_print ("%s\n", error->message);

  return EXIT_SUCCESS;
}
EOF
# shellcheck disable=SC2046 # the flags are meant to be split
if ${CC:-cc} -Wall -Wextra -Wno-unused-parameter -Werror \
     -o "$work/consumer/consumer" "$work/consumer/consumer.c" \
     $(pkg-config --cflags --libs joinset-1); then
  echo "ok: consumer.c builds with pkg-config --cflags --libs joinset-1"
else
  fail "consumer.c does not build with pkg-config --cflags --libs joinset-1"
fi

if [ -x "$work/consumer/consumer" ]; then
  # The translated message comes from the installed catalogs.
  expected="The task was aborted"
  case " $(echo $languages) " in
    *" de "*) expected="Die Aufgabe wurde abgebrochen" ;;
  esac
  out=$(LD_LIBRARY_PATH="$prefix/$libdir" LC_ALL=C.UTF-8 LANGUAGE=de \
        "$work/consumer/consumer") || fail "consumer exited with status $?"
  want=$(printf 'version %s, sum 14\n%s' "$version" "$expected")
  if [ "$out" = "$want" ]; then
    echo "ok: consumer runs against the installed library"
  else
    fail "consumer printed '$out', not '$want'"
  fi
fi

if [ -f "$prefix/$libdir/girepository-1.0/Js-1.typelib" ] &&
   /usr/bin/python3 -c 'import gi' 2>/dev/null; then
  # The override goes to the Python site directory of the prefix, the one
  # the README tells users of a custom prefix to put on PYTHONPATH:
  # <prefix>/lib/python3*/<site or dist>-packages (meson's
  # python.get_install_dir() for it).
  pythonpath=""
  for o in $overrides; do
    site="${o%/gi/overrides/Js.py}"
    case "$site" in
      lib*/python3*/site-packages | lib*/python3*/dist-packages)
        pythonpath="$prefix/$site"
        echo "ok: the Python site directory of the prefix is $site" ;;
      *) fail "the override is in $site, not in a Python site directory of the prefix" ;;
    esac
  done
  # With the documented PYTHONPATH, Python loads the typelib and the
  # override (not the bare typelib: JoinSet comes from gi.overrides.Js).
  if GI_TYPELIB_PATH="$prefix/$libdir/girepository-1.0" \
     LD_LIBRARY_PATH="$prefix/$libdir" PYTHONPATH="$pythonpath" \
     /usr/bin/python3 -c 'import gi
gi.require_version("Js", "1")
from gi.repository import Js
assert Js.JoinSet.__module__ == "gi.overrides.Js", Js.JoinSet.__module__
with Js.JoinSet() as joinset:
    joinset.spawn_call_in_thread(pow, 2, 40)
    assert [t.propagate_value() for t in joinset] == [2 ** 40]'; then
    echo "ok: the installed typelib and override load in Python (PYTHONPATH=$pythonpath)"
  else
    fail "the installed typelib and override do not load in Python"
  fi
fi

# The GJS override: installed where GJS looks (<datadir>/gjs-1.0/overrides,
# on GJS's search path through XDG_DATA_DIRS or GJS_PATH), and loaded by
# GJS when it imports the installed typelib.
if [ -f "$build/joinset/Js-1.gir" ]; then
  expect "$datadir/gjs-1.0/overrides/Js.js"
  if command -v gjs >/dev/null 2>&1; then
    if GJS_PATH="$prefix/$datadir/gjs-1.0" \
       GI_TYPELIB_PATH="$prefix/$libdir/girepository-1.0" \
       LD_LIBRARY_PATH="$prefix/$libdir" \
       gjs -c 'const Js = imports.gi.Js;
try { new Js.JoinSet().spawn_in_thread(t => t.return_int(1)); } catch (e) {
    if (e.message.includes("use spawn()")) imports.system.exit(0);
}
imports.system.exit(1);'; then
      echo "ok: the installed GJS override loads"
    else
      fail "GJS does not load the installed override ($datadir/gjs-1.0/overrides/Js.js)"
    fi
  fi
fi

if [ "$failures" -ne 0 ]; then
  echo "check-install: $failures problem(s)"
  exit 1
fi
echo "check-install: libjoinset $version installs and links with pkg-config alone"
