#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Installs what libjoinset needs on Debian 12 (run as root, or with sudo
# available) and configures the build directory _build if it is not yet.
# Both Quick start commands in README.md start with this script.
#
# Its arguments go to `meson setup`. With JS_WERROR=true in the
# environment, which .ci/run sets, _build is configured with -Dwerror=true
# (off by default): CI fails on any warning while the README's commands
# stay exactly the ones CI runs.
set -eu

packages="
  meson ninja-build pkg-config gcc
  libglib2.0-dev libglib2.0-dev-bin
  gobject-introspection libgirepository1.0-dev
  valac gjs python3-gi
  gettext locales
  gi-docgen
  valgrind
  libgtk-4-dev xvfb xauth dbus-daemon fonts-cantarell adwaita-icon-theme
  gir1.2-gdkpixbuf-2.0
  abigail-tools git
"

as_root=""
if [ "$(id -u)" -ne 0 ]; then
  as_root="sudo"
fi

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "Installing Debian packages:$missing"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

cd "$(dirname "$0")/.."
werror=""
if [ "${JS_WERROR:-}" = true ]; then
  werror="-Dwerror=true"
fi
if [ ! -f _build/build.ninja ]; then
  meson setup _build -Ddocumentation=enabled $werror "$@"
fi
