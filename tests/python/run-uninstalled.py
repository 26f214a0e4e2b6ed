# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run a Python program against the uninstalled override:
run-uninstalled.py SCRIPT [ARGS...] (meson sets JS_PYTHON_OVERRIDES)."""

import runpy
import sys

import jstesting  # noqa: F401  (puts the uninstalled override first)

sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
