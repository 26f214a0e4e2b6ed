# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared helpers for the Python tests of libjoinset.

Importing this module makes ``from gi.repository import Js`` load the
uninstalled typelib (GI_TYPELIB_PATH, set by meson) and the uninstalled
override (JS_PYTHON_OVERRIDES, the directory holding ``Js.py``), and gives:

- ``main()``: runs the unittest cases of ``__main__`` and reports them as TAP,
  the protocol meson uses to count them;
- ``TestCase``: a unittest case with a watchdog that dumps every thread's
  stack and fails the run instead of hanging, and ``run_until()`` which
  iterates the main context until a condition holds.
"""

import faulthandler
import gc
import os
import sys
import unittest

import gi


def use_uninstalled_overrides():
    """Put the override directory named by JS_PYTHON_OVERRIDES first on
    gi.overrides.__path__, where PyGObject looks for ``Js.py``."""
    import gi.overrides

    overrides = os.environ.get('JS_PYTHON_OVERRIDES')
    if overrides and overrides not in gi.overrides.__path__:
        gi.overrides.__path__.insert(0, overrides)


use_uninstalled_overrides()
gi.require_version('Js', '1')

from gi.repository import GLib, Gio, Js  # noqa: E402

WATCHDOG_SECONDS = 20


def is_cancelled_error(error):
    return error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


class TestCase(unittest.TestCase):

    def setUp(self):
        faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True)
        self.context = GLib.MainContext.default()

    def tearDown(self):
        gc.collect()
        while self.context.pending():
            self.context.iteration(False)
        faulthandler.cancel_dump_traceback_later()

    def run_until(self, predicate, timeout=10, message='condition'):
        """Iterate the default main context until predicate() is true.
        The timeout only turns a hang into a failure."""
        expired = []
        source = GLib.timeout_source_new(int(timeout * 1000))
        source.set_callback(lambda *args: expired.append(True) or GLib.SOURCE_REMOVE)
        source.attach(self.context)
        try:
            while not predicate():
                if expired:
                    self.fail('timed out waiting for {}'.format(message))
                self.context.iteration(True)
        finally:
            source.destroy()

    def join_next_async(self, joinset, cancellable=None):
        """join_next_async() + join_next_finish(), iterating until done:
        returns the task (or None) or raises the join's GLib.Error."""
        outcome = []

        def done(source, result):
            try:
                outcome.append(source.join_next_finish(result))
            except GLib.Error as error:
                outcome.append(error)

        joinset.join_next_async(cancellable, done)
        self.run_until(lambda: outcome, message='join_next_async')
        if isinstance(outcome[0], GLib.Error):
            raise outcome[0]
        return outcome[0]

    def shutdown(self, joinset):
        outcome = []
        joinset.shutdown_async(None, lambda s, r: outcome.append(s.shutdown_finish(r)))
        self.run_until(lambda: outcome, message='shutdown')
        return outcome[0]

    def assertCancelled(self, task):
        with self.assertRaises(GLib.Error) as raised:
            task.propagate_value()
        self.assertTrue(is_cancelled_error(raised.exception), raised.exception)


class TapResult(unittest.TestResult):
    """Reports each test as a TAP line, the plan at the end."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream
        self.count = 0

    def _report(self, ok, test, directive='', details=None):
        self.count += 1
        line = '{} {} - {}'.format('ok' if ok else 'not ok', self.count, test.id())
        if directive:
            line += ' # ' + directive
        print(line, file=self.stream, flush=True)
        if details:
            for detail_line in details.rstrip().splitlines():
                print('# ' + detail_line, file=self.stream)
            self.stream.flush()

    def addSuccess(self, test):
        super().addSuccess(test)
        self._report(True, test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._report(False, test, details=self.failures[-1][1])

    def addError(self, test, err):
        super().addError(test, err)
        self._report(False, test, details=self.errors[-1][1])

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._report(True, test, 'SKIP ' + reason)

    # TAP's TODO directive: "not ok # TODO" is an expected failure, and
    # meson counts "ok # TODO" as an unexpected pass, which fails the run.
    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._report(False, test, 'TODO expected failure',
                     details=self.expectedFailures[-1][1])

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._report(True, test, 'TODO unexpected success: the known failure is fixed')


def main():
    # Output goes to a pipe: keep TAP and the tracebacks of a watchdog
    # timeout in order.
    sys.stdout.reconfigure(line_buffering=True)
    faulthandler.enable()
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules['__main__'])
    if len(sys.argv) > 1:
        # Run only the tests whose id contains one of the arguments.
        suite = unittest.TestSuite(t for t in _flatten(suite)
                                   if any(a in t.id() for a in sys.argv[1:]))
    result = TapResult(sys.stdout)
    suite.run(result)
    print('1..{}'.format(result.count), flush=True)
    sys.exit(0 if result.wasSuccessful() else 1)


def _flatten(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _flatten(item)
        else:
            yield item
