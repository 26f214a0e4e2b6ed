# SPDX-License-Identifier: LGPL-2.1-or-later
"""The PyGObject override (bindings/python/Js.py): spawn helpers taking
plain callables, len(), iteration, and the context manager."""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import weakref

import jstesting
from jstesting import Js, GLib, Gio
from gi.repository import GObject


def cancelled_event(cancellable):
    """A threading.Event set when cancellable is cancelled."""
    event = threading.Event()
    GObject.Object.connect(cancellable, 'cancelled', lambda c: event.set())
    if cancellable.is_cancelled():
        event.set()
    return event


class SpawnCallTest(jstesting.TestCase):

    def test_return_value_becomes_result(self):
        joinset = Js.JoinSet()
        payload = object()
        main_id = joinset.spawn_call(lambda a, b=0: (a, b, payload), 1, b=2)
        thread_id = joinset.spawn_call_in_thread(lambda: threading.get_ident())
        results = {t.get_id(): t.propagate_value() for t in joinset}
        self.assertEqual(results[main_id], (1, 2, payload))
        self.assertIs(results[main_id][2], payload)
        self.assertNotEqual(results[thread_id], threading.get_ident())

    def test_none_is_a_value(self):
        joinset = Js.JoinSet()
        joinset.spawn_call(lambda: None)
        task = joinset.join_next(None)
        self.assertFalse(task.had_error())
        self.assertIsNone(task.propagate_value())

    def test_exception_becomes_task_error(self):
        joinset = Js.JoinSet()

        def broken(word):
            raise ValueError('cannot measure ' + word)

        ids = {
            joinset.spawn_call(broken, 'main'): 'main',
            joinset.spawn_call_in_thread(broken, 'thread'): 'thread',
            joinset.spawn_call_in_thread(len, 'fine'): 'fine',
        }
        errors = {}
        for task in joinset:
            try:
                self.assertEqual(task.propagate_value(), 4)
            except ValueError as error:
                self.assertTrue(task.had_error())
                errors[ids[task.get_id()]] = error
        self.assertEqual(sorted(errors), ['main', 'thread'])
        for where, error in errors.items():
            self.assertEqual(error.args, ('cannot measure ' + where,))
        # Still here: the exceptions never reached PyGObject's handler.
        self.assertTrue(joinset.is_empty())

    def test_glib_error_passes_unchanged(self):
        joinset = Js.JoinSet()

        def missing():
            Gio.File.new_for_path('/nonexistent/joinset-test').load_contents(None)

        joinset.spawn_call_in_thread(missing)
        with self.assertRaises(GLib.Error) as raised:
            joinset.join_next(None).propagate_value()
        self.assertTrue(raised.exception.matches(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.NOT_FOUND))

    def test_current_task(self):
        joinset = Js.JoinSet()
        self.assertIsNone(Js.current_task())
        main_id = joinset.spawn_call(lambda: Js.current_task().get_id())
        thread_id = joinset.spawn_call_in_thread(lambda: Js.current_task().get_id())
        for task in joinset:
            self.assertEqual(task.propagate_value(), task.get_id())
            self.assertIn(task.get_id(), (main_id, thread_id))
        self.assertIsNone(Js.current_task())

    def test_aborted_function_raises_cancelled(self):
        joinset = Js.JoinSet()
        started = threading.Event()
        stopped = threading.Event()
        raised = []

        def long_work():
            cancellable = Js.current_task().get_cancellable()
            cancelled = cancelled_event(cancellable)
            started.set()
            try:
                cancelled.wait(10)
                cancellable.set_error_if_cancelled()  # raises when aborted
                return 'not aborted'
            except GLib.Error as error:
                raised.append(error)
                raise
            finally:
                stopped.set()

        task_id = joinset.spawn_call_in_thread(long_work)
        self.assertTrue(started.wait(10))
        joinset.abort(task_id)
        self.assertCancelled(joinset.join_next(None))
        self.assertTrue(stopped.wait(10))
        self.assertEqual(len(raised), 1)
        self.assertTrue(jstesting.is_cancelled_error(raised[0]))

    def test_closure_released_after_task(self):
        joinset = Js.JoinSet()

        class Captured:
            pass

        captured = Captured()
        finalized = threading.Event()
        weakref.finalize(captured, finalized.set)
        joinset.spawn_call_in_thread(lambda c=captured: 1)
        del captured
        self.assertEqual(joinset.join_next(None).propagate_value(), 1)
        # User data is released in the set's thread: if the worker dropped
        # the task last, by the set's source, so iterate while waiting.
        self.run_until(finalized.is_set, message='the closure to be released')


class ContainerTest(jstesting.TestCase):

    def test_len_and_truth(self):
        joinset = Js.JoinSet()
        self.assertEqual(len(joinset), 0)
        self.assertTrue(joinset, 'an empty set is still a set')
        for n in range(3):
            joinset.spawn_call(lambda n=n: n)
        self.assertEqual(len(joinset), 3)
        joinset.join_next(None)
        self.assertEqual(len(joinset), 2)

    def test_iteration_in_completion_order(self):
        joinset = Js.JoinSet()
        gates = [threading.Event() for _ in range(3)]
        order = [1, 2, 0]

        def wait_for(n):
            if not gates[n].wait(10):
                raise TimeoutError('gate {}'.format(n))
            return n

        ids = {joinset.spawn_call_in_thread(wait_for, n): n for n in range(3)}
        seen = []
        gates[order[0]].set()
        for task in joinset:
            seen.append(ids[task.get_id()])
            if len(seen) < 3:
                gates[order[len(seen)]].set()
        self.assertEqual(seen, order)
        self.assertEqual(list(joinset), [])

    def test_join_all_sync_includes_tasks_spawned_meanwhile(self):
        joinset = Js.JoinSet()

        def parent():
            joinset.spawn_call(lambda: 'child')
            return 'parent'

        joinset.spawn_call(parent)
        values = [t.propagate_value() for t in joinset.join_all_sync()]
        self.assertEqual(values, ['parent', 'child'])
        self.assertEqual(len(joinset), 0)


class ContextManagerTest(jstesting.TestCase):

    def test_exit_shuts_down_and_waits_for_functions(self):
        started = threading.Event()
        returned = threading.Event()

        def slow():
            cancelled = cancelled_event(Js.current_task().get_cancellable())
            started.set()
            cancelled.wait(10)  # stops when aborted
            returned.set()
            return 'late'

        ran = []
        with Js.JoinSet(max_concurrent=1) as joinset:
            joinset.spawn_call_in_thread(slow)
            joinset.spawn_call_in_thread(lambda: ran.append('queued'))
            self.assertTrue(started.wait(10))
            pending = []
            joinset.join_all_async(None, lambda s, r: pending.append(s.join_all_finish(r)))
        self.assertTrue(returned.is_set(), 'the with statement did not wait')
        # Shut down as Tokio's shutdown does: both tasks were aborted (the
        # queued one never ran) and went to the join that was pending; the
        # set is empty.
        self.assertEqual(ran, [])
        self.assertEqual(len(joinset), 0)
        # And closed: the block's set takes no more work.
        self.assertTrue(joinset.is_closed())
        self.assertEqual(joinset.spawn_call(lambda: 2), 0)
        self.run_until(lambda: pending, message='the pending join_all')
        self.assertEqual(len(pending[0]), 2)
        for task in pending[0]:
            self.assertCancelled(task)

    def test_exit_keeps_the_main_loop_running(self):
        # A thread function that needs the main loop to finish (here it
        # waits for an idle callback) must not deadlock the with statement.
        started = threading.Event()
        replied = threading.Event()

        def needs_main_loop():
            started.set()
            GLib.idle_add(lambda: replied.set() or GLib.SOURCE_REMOVE)
            return replied.wait(10)  # ignores its cancellable on purpose

        with Js.JoinSet() as joinset:
            joinset.spawn_call_in_thread(needs_main_loop)
            self.assertTrue(started.wait(10))
        self.assertTrue(replied.is_set(), 'the main loop did not run during shutdown')

    def test_exception_in_block_propagates_after_shutdown(self):
        with self.assertRaises(KeyError):
            with Js.JoinSet() as joinset:
                joinset.spawn_call(lambda: 1)
                raise KeyError('body failed')
        # Closed and shut down: its task was freed.
        self.assertEqual(len(joinset), 0)
        self.assertTrue(joinset.is_closed())
        self.assertEqual(joinset.spawn_call(lambda: 2), 0)

    def test_shutdown_sync_from_another_thread(self):
        joinset = Js.JoinSet()
        joinset.spawn_call_in_thread(lambda: 1)
        errors = []

        def shut():
            try:
                joinset.shutdown_sync()
            except Exception as error:  # reported below
                errors.append(error)

        thread = threading.Thread(target=shut)
        thread.start()
        thread.join(10)
        self.assertFalse(thread.is_alive())
        self.assertEqual(errors, [])
        self.assertEqual(len(joinset), 0)


class InstallLayoutTest(jstesting.TestCase):

    def test_override_found_in_a_site_directory(self):
        # Installed, Js.py lands in <site-packages>/gi/overrides/ with no
        # __init__.py of its own: PyGObject finds it through
        # pkgutil.extend_path. Check that layout with a fresh interpreter.
        source = os.path.join(os.environ['JS_PYTHON_OVERRIDES'], 'Js.py')
        with tempfile.TemporaryDirectory() as site:
            overrides = os.path.join(site, 'gi', 'overrides')
            os.makedirs(overrides)
            shutil.copy(source, overrides)
            env = dict(os.environ, PYTHONPATH=site)
            env.pop('JS_PYTHON_OVERRIDES')
            code = ('import gi; gi.require_version("Js", "1"); '
                    'from gi.repository import Js; '
                    'print(Js.JoinSet.__module__, len(Js.JoinSet()))')
            out = subprocess.run([sys.executable, '-c', code], env=env,
                                 capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.split(), ['gi.overrides.Js', '0'])


if __name__ == '__main__':
    jstesting.main()
