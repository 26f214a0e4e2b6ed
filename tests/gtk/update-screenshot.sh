#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Regenerates docs/images/gtk-demo.png, the README's screenshot of the GTK 4
# demo, from the current build: it is the PNG of the test case
# gtk-demo-screenshot (tests/gtk/check-gtk-demo.py), kept once the case
# passed. Usage: tests/gtk/update-screenshot.sh [BUILDDIR] (default _build)
set -eu
cd "$(dirname "$0")/../.."
build=${1:-_build}

ninja -C "$build" examples/gtk/joinset-gtk-demo
mkdir -p docs/images
GTK_DEMO_SCREENSHOT=docs/images/gtk-demo.png \
  tests/gtk/check-gtk-demo.py screenshot "$build/examples/gtk/joinset-gtk-demo"
