# SPDX-License-Identifier: LGPL-2.1-or-later
"""Aborting, shutting down, limiting and dropping a set from Python, and
Python thread tasks running alongside the main loop."""

import gc
import os
import threading
import weakref

import jstesting
from jstesting import Js, GLib, Gio, is_cancelled_error
from gi.repository import GObject


def pyvalue(value):
    return GObject.Value(GObject.TYPE_PYOBJECT, value)


class Captured:
    """Something a task function captures: its finalizer tells when the
    set let go of the function (the closure's user_data destroy ran)."""


def watch(obj):
    """Returns an event set when obj is finalized, in whatever thread."""
    finalized = threading.Event()
    weakref.finalize(obj, finalized.set)
    return finalized


def on_cancelled(cancellable, callback):
    # Gio.Cancellable.connect() is g_cancellable_connect(), whose callback
    # takes no argument in Python: use the signal.
    GObject.Object.connect(cancellable, 'cancelled', lambda c: callback())


class AbortTest(jstesting.TestCase):

    def test_abort_running_main_context_task(self):
        joinset = Js.JoinSet()
        held = []
        cancelled = []

        def body(task):
            held.append(task)
            on_cancelled(task.get_cancellable(), lambda: cancelled.append(True))

        task_id = joinset.spawn(body)
        self.run_until(lambda: held, message='task to start')

        self.assertTrue(joinset.abort(task_id))
        self.assertEqual(cancelled, [True])
        self.assertFalse(joinset.abort(task_id), 'aborting twice is harmless')

        task = self.join_next_async(joinset)
        self.assertEqual(task.get_id(), task_id)
        self.assertCancelled(task)

        # Whatever it returns afterwards is dropped, without a critical.
        held.pop().return_value(pyvalue('too late'))
        self.assertCancelled(task)

    def test_abort_running_thread_task_does_not_wait_for_it(self):
        joinset = Js.JoinSet()
        started = threading.Event()
        release = threading.Event()
        returned = threading.Event()

        def body(task):
            started.set()
            release.wait(10)  # ignores its cancellable on purpose
            task.return_value(pyvalue('late'))
            returned.set()

        task_id = joinset.spawn_in_thread(body)
        self.assertTrue(started.wait(10))
        self.assertTrue(joinset.abort(task_id))
        task = joinset.join_next(None)
        self.assertCancelled(task)
        self.assertFalse(returned.is_set(), 'the join waited for the thread function')
        release.set()
        self.assertTrue(returned.wait(10))
        self.assertCancelled(task)

    def test_abort_queued_task_never_runs_and_releases_its_function(self):
        joinset = Js.JoinSet(max_concurrent=1)
        held = []
        ran = []
        joinset.spawn(lambda t: held.append(t))

        captured = Captured()
        finalized = watch(captured)
        queued_id = joinset.spawn(lambda t, captured=captured: ran.append(captured))
        del captured
        self.run_until(lambda: held, message='first task to start')

        self.assertTrue(joinset.abort(queued_id))
        self.assertTrue(finalized.is_set(), 'the closure was not released at once')

        # Joins follow completion: the aborted task completed first.
        aborted = self.join_next_async(joinset)
        self.assertEqual(aborted.get_id(), queued_id)
        self.assertCancelled(aborted)
        held.pop().return_int(1)
        self.assertEqual(self.join_next_async(joinset).propagate_int(), 1)
        self.assertIsNone(self.join_next_async(joinset))
        self.assertEqual(ran, [])

    def test_abort_after_completion_keeps_result(self):
        joinset = Js.JoinSet()
        task_id = joinset.spawn_in_thread(lambda t: t.return_value(pyvalue('done')))
        task = joinset.join_next(None)
        self.assertFalse(joinset.abort(task_id))
        self.assertEqual(task.propagate_value(), 'done')

        # Completed but not joined yet: still the real result.
        returned = threading.Event()

        def body(task):
            task.return_value(pyvalue('kept'))
            returned.set()

        task_id = joinset.spawn_in_thread(body)
        self.assertTrue(returned.wait(10))
        self.assertFalse(joinset.abort(task_id))
        self.assertEqual(joinset.join_next(None).propagate_value(), 'kept')

    def test_abort_all_keeps_set_open(self):
        joinset = Js.JoinSet(max_concurrent=2)
        held = []
        for _ in range(4):
            joinset.spawn(lambda t: held.append(t))
        self.run_until(lambda: len(held) == 2, message='two tasks to start')
        joinset.abort_all()
        self.assertFalse(joinset.is_closed())
        tasks = [joinset.join_next(None) for _ in range(4)]
        for task in tasks:
            self.assertCancelled(task)
        self.assertEqual(len(held), 2, 'queued tasks ran after abort_all()')

        task_id = joinset.spawn(lambda t: t.return_int(5))
        self.assertNotEqual(task_id, 0)
        self.assertEqual(joinset.join_next(None).propagate_int(), 5)

    def test_abort_on_error(self):
        joinset = Js.JoinSet(abort_on_error=True)
        held = []
        joinset.spawn(lambda t: held.append(t))
        failing = joinset.spawn_in_thread(
            lambda t: t.return_error(GLib.Error('bad', 'test-error-quark', 1)))
        first = joinset.join_next(None)
        self.assertEqual(first.get_id(), failing)
        with self.assertRaises(GLib.Error) as raised:
            first.propagate_value()
        self.assertEqual(raised.exception.domain, 'test-error-quark')
        self.assertCancelled(joinset.join_next(None))

    def test_parent_cancellable_aborts_and_closes(self):
        parent = Gio.Cancellable()
        joinset = Js.JoinSet.new_with_cancellable(parent)
        self.assertIs(joinset.get_cancellable(), parent)
        held = []
        joinset.spawn(lambda t: held.append(t))
        self.run_until(lambda: held, message='task to start')
        parent.cancel()
        self.assertTrue(joinset.is_closed())
        self.assertEqual(joinset.spawn(lambda t: t.return_int(0)), 0)
        self.assertCancelled(joinset.join_next(None))
        self.assertIsNone(joinset.join_next(None))


class ShutdownTest(jstesting.TestCase):

    def test_shutdown_waits_for_thread_functions(self):
        joinset = Js.JoinSet()
        started = threading.Event()
        release = threading.Event()
        returned = []

        def body(task):
            started.set()
            release.wait(10)  # ignores its cancellable: delays the shutdown
            returned.append(True)
            task.return_int(0)

        joinset.spawn_in_thread(body)
        self.assertTrue(started.wait(10))

        outcome = []
        pending = []
        joinset.join_next_async(None, lambda s, r: pending.append(s.join_next_finish(r)))
        joinset.shutdown_async(None, lambda s, r: outcome.append(s.shutdown_finish(r)))
        # Spawns are refused while the shutdown waits; the set is empty.
        self.assertTrue(joinset.is_closed())
        self.assertEqual(joinset.spawn_in_thread(body), 0)
        self.assertEqual(len(joinset), 0)

        # Let the main loop run for a while: the shutdown must not complete
        # while the thread function runs.
        spins = []
        GLib.timeout_add(50, lambda: spins.append(True) or GLib.SOURCE_REMOVE)
        self.run_until(lambda: spins or outcome, message='a few iterations')
        self.assertEqual(outcome, [], 'shutdown completed while a function ran')

        release.set()
        self.run_until(lambda: outcome, message='shutdown')
        self.assertEqual(outcome, [True])
        self.assertEqual(returned, [True])
        # The aborted task went to the join that was pending; the set is
        # empty and open again, as after Tokio's shutdown.
        self.run_until(lambda: pending, message='the pending join')
        self.assertCancelled(pending[0])
        self.assertIsNone(joinset.join_next(None))
        self.assertFalse(joinset.is_closed())

    def test_shutdown_of_idle_set(self):
        joinset = Js.JoinSet()
        self.assertTrue(self.shutdown(joinset))
        self.assertFalse(joinset.is_closed())
        self.assertIsNone(joinset.join_next(None))
        joinset.spawn(lambda t: t.return_int(7))
        self.assertEqual(joinset.join_next(None).propagate_int(), 7)


class ConcurrencyTest(jstesting.TestCase):

    def test_thread_task_runs_while_main_loop_runs(self):
        # The worker runs Python code while the main thread waits in C
        # (join_next iterating the main loop): each side waits for the
        # other, so this completes only if PyGObject releases the GIL
        # while the C side waits.
        joinset = Js.JoinSet()
        main_thread = threading.get_ident()
        replied = threading.Event()
        seen = {}

        def reply():
            seen['reply'] = threading.get_ident()
            replied.set()
            return GLib.SOURCE_REMOVE

        def worker(task):
            seen['worker'] = threading.get_ident()
            GLib.idle_add(reply)          # runs in the main loop...
            ok = replied.wait(10)         # ...while this thread waits
            task.return_value(pyvalue(ok))

        joinset.spawn_in_thread(worker)
        task = joinset.join_next(None)
        self.assertIs(task.propagate_value(), True, 'the main loop did not run')
        self.assertEqual(seen['reply'], main_thread)
        self.assertNotEqual(seen['worker'], main_thread)

    def test_max_concurrent_thread_tasks(self):
        limit = 3
        joinset = Js.JoinSet(max_concurrent=limit)
        self.assertEqual(joinset.get_max_concurrent(), limit)
        lock = threading.Lock()
        running = [0]
        peak = [0]
        started = []
        # Each group of `limit` tasks meets at the barrier: it proves they
        # ran at the same time, and the counter that no more did.
        barrier = threading.Barrier(limit, timeout=10)

        def body(task, n):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
                started.append(n)
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                task.return_error(GLib.Error('barrier broken', 'test', 0))
                return
            finally:
                with lock:
                    running[0] -= 1
            task.return_int(n)

        for n in range(3 * limit):
            joinset.spawn_in_thread(body, n)
        results = sorted(t.propagate_int() for t in iter(lambda: joinset.join_next(None), None))
        self.assertEqual(results, list(range(3 * limit)))
        self.assertEqual(peak[0], limit)
        # Queued tasks start in spawn order, group after group.
        for group in range(3):
            self.assertEqual(sorted(started[group * limit:(group + 1) * limit]),
                             list(range(group * limit, (group + 1) * limit)))

    def test_thread_tasks_waiting_on_each_other_do_not_starve(self):
        # More blocking thread tasks than processors, spawned one at a time
        # (each once the previous one runs), all waiting for each other:
        # the pool must find a thread for every one of them.
        count = max(3, (os.cpu_count() or 1) + 1)
        joinset = Js.JoinSet()
        barrier = threading.Barrier(count, timeout=10)

        def body(task, started):
            started.set()
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                task.return_error(GLib.Error('starved: not every task ran', 'test', 0))
                return
            task.return_int(1)

        for n in range(count):
            started = threading.Event()
            joinset.spawn_in_thread(body, started)
            # A task starts at once, or within a few watchdog ticks.
            if not started.wait(2):
                barrier.abort()
                self.fail('thread task {} of {} never started while the others '
                          'blocked: the pool starved it'.format(n + 1, count))
        results = [t.propagate_int() for t in joinset.join_all_sync()]
        self.assertEqual(results, [1] * count)

    def test_raising_max_concurrent_starts_waiting_tasks(self):
        joinset = Js.JoinSet(max_concurrent=1)
        held = []
        for n in range(3):
            joinset.spawn(lambda t, n: held.append((n, t)), n)
        self.run_until(lambda: held, message='first task')
        self.assertEqual([n for n, t in held], [0])
        joinset.props.max_concurrent = 3
        self.run_until(lambda: len(held) == 3, message='waiting tasks to start')
        self.assertEqual([n for n, t in held], [0, 1, 2])
        for n, task in held:
            task.return_int(n)
        del held[:], task


class DisposeTest(jstesting.TestCase):

    def test_dropping_the_set_aborts_tasks_and_releases_functions(self):
        joinset = Js.JoinSet()
        main_cancelled = []
        thread_started = threading.Event()
        thread_saw_cancel = threading.Event()
        held = []

        main_captured = Captured()
        main_finalized = watch(main_captured)

        def main_body(task, captured=main_captured):
            held.append(task)
            # Let go of the task once aborted, as an async operation's
            # callback would.
            on_cancelled(task.get_cancellable(), lambda: (main_cancelled.append(True), held.clear()))

        thread_captured = Captured()
        thread_finalized = watch(thread_captured)

        def thread_body(task, captured=thread_captured):
            cancelled = threading.Event()
            on_cancelled(task.get_cancellable(), cancelled.set)
            thread_started.set()
            if task.get_cancellable().is_cancelled() or cancelled.wait(10):
                thread_saw_cancel.set()
            task.return_value(pyvalue('freed, not joined'))

        queued_captured = Captured()
        queued_finalized = watch(queued_captured)

        joinset.spawn(main_body)
        joinset.spawn_in_thread(thread_body)
        joinset.props.max_concurrent = 2
        joinset.spawn(lambda t, captured=queued_captured: t.return_int(0))
        del main_body, thread_body, main_captured, thread_captured, queued_captured

        self.assertTrue(thread_started.wait(10))
        self.run_until(lambda: held, message='main-context task to start')
        for finalized in (main_finalized, thread_finalized, queued_finalized):
            self.assertFalse(finalized.is_set())

        del joinset
        gc.collect()

        self.assertTrue(queued_finalized.is_set(), 'the queued task was not released')
        # The running task is told at once, or from the next iteration.
        self.run_until(lambda: main_cancelled, message='the running task to be aborted')
        self.assertEqual(main_cancelled, [True])
        self.assertTrue(main_finalized.is_set(), 'the main-context closure leaked')
        self.assertTrue(thread_saw_cancel.wait(10), 'the thread task was not cancelled')
        # Released in the set's context (the home thread), which the test
        # iterates: never on the worker.
        self.run_until(thread_finalized.is_set, message='the thread closure leaked')

    def test_set_is_not_kept_alive_by_its_tasks(self):
        joinset = Js.JoinSet()
        held = []
        joinset.spawn(lambda t: held.append(t))
        self.run_until(lambda: held, message='task to start')
        finalized = []
        joinset.weak_ref(finalized.append, True)
        del joinset
        gc.collect()
        self.assertEqual(finalized, [True])
        # The orphaned task can still return, harmlessly.
        held.pop().return_int(0)


if __name__ == '__main__':
    jstesting.main()
