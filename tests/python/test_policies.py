# SPDX-License-Identifier: LGPL-2.1-or-later
"""The policies and progress reporting of issue 7, as a Python program uses
them: the counters and their notifications, task-finished, task-progress,
ordered, abort-on-success, timeouts, spawn_full() and the override's
spawn_call_full(), join_all_timeout, discard-results and nested sets.

Nothing here depends on how fast anything runs: tasks wait on gates the
tests open, or on their cancellable; deadlines only turn hangs into
failures."""

import functools
import gc
import os
import subprocess
import sys
import threading
import time
import unittest

import jstesting
from jstesting import Js, GLib, Gio, is_cancelled_error
from gi.repository import GObject

GATE_SECONDS = 10


def pyvalue(value):
    return GObject.Value(GObject.TYPE_PYOBJECT, value)


def is_timed_out_error(error):
    return error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT)


def wait_cancelled(cancellable, seconds=GATE_SECONDS):
    """In a thread task: block until cancellable is cancelled. Returns
    False if it was not, after seconds (a hang turned into a failure)."""
    deadline = time.monotonic() + seconds
    while not cancellable.is_cancelled():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def wait_for(predicate, seconds=GATE_SECONDS):
    """Block, without iterating any main context, until predicate() holds."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


class TestCase(jstesting.TestCase):

    def run_until_from_thread(self, predicate, message='condition'):
        """Like run_until(), for a condition that another thread makes
        true: that does not wake the main context up, so it is iterated
        without blocking, and polled."""
        deadline = time.monotonic() + GATE_SECONDS
        while not predicate():
            if time.monotonic() > deadline:
                self.fail('timed out waiting for {}'.format(message))
            while self.context.iteration(False):
                pass
            time.sleep(0.001)


class Recorder:
    """Records the notifications of some properties of an object: the
    value read in the handler and the thread the handler ran in."""

    def __init__(self, obj, *names):
        self.seen = {name: [] for name in names}
        self.threads = set()
        for name in names:
            obj.connect('notify::' + name, self._notified)

    def _notified(self, obj, pspec):
        self.threads.add(threading.get_ident())
        self.seen[pspec.name].append(obj.get_property(pspec.name))

    def last(self, name):
        values = self.seen[name]
        return values[-1] if values else None


class CountersTest(TestCase):

    def test_counters_notified_in_main_thread_and_coalesced(self):
        joinset = Js.JoinSet()
        recorder = Recorder(joinset, 'n-spawned', 'n-finished', 'n-running', 'n-queued')
        gate = threading.Event()
        n_tasks = 200

        def body(task):
            gate.wait(GATE_SECONDS)
            task.return_int(1)

        for _ in range(n_tasks):
            joinset.spawn_in_thread(body)
        self.assertEqual(joinset.props.n_spawned, n_tasks)
        self.assertEqual(recorder.seen['n-spawned'], [],
                         'counters are notified in the main context, not inside spawn()')

        # 200 spawns between two iterations: one notification.
        self.run_until(lambda: recorder.seen['n-spawned'], message='n-spawned notified')
        self.assertEqual(recorder.seen['n-spawned'], [n_tasks])

        # Every task finishes while the main context is not iterated...
        gate.set()
        self.assertTrue(wait_for(lambda: joinset.get_n_finished() == n_tasks),
                        'the tasks did not finish')
        before = len(recorder.seen['n-finished'])
        # ...so the next delivery notifies n-finished once, with the total.
        self.run_until(lambda: recorder.last('n-finished') == n_tasks,
                       message='n-finished notified')
        self.assertEqual(len(recorder.seen['n-finished']), before + 1)
        # n-running went up and back to 0 between two deliveries: nothing
        # to notify, maybe; the getter tells.
        self.assertEqual(joinset.props.n_running, 0)

        finished = recorder.seen['n-finished']
        self.assertEqual(finished, sorted(finished))
        self.assertEqual(recorder.threads, {threading.get_ident()})
        self.assertEqual(joinset.props.n_queued, 0)
        self.assertEqual(joinset.props.length, n_tasks, 'finished tasks stay until joined')
        self.assertEqual(sum(t.propagate_int() for t in joinset), n_tasks)
        self.assertEqual(joinset.props.n_finished, n_tasks, 'joining does not change n-finished')

    def test_queued_and_running_with_a_limit(self):
        joinset = Js.JoinSet(max_concurrent=1)
        recorder = Recorder(joinset, 'n-queued', 'n-running', 'n-finished')
        gate = threading.Event()
        started = []

        def body(task):
            started.append(task.get_id())
            if not gate.wait(GATE_SECONDS):
                task.return_error(GLib.Error('gate never opened', 'test', 0))
                return
            task.return_int(0)

        ids = [joinset.spawn_in_thread(body) for _ in range(3)]
        self.run_until(lambda: recorder.last('n-running') == 1 and recorder.last('n-queued') == 2,
                       message='1 running, 2 queued')
        self.assertEqual(joinset.get_n_running(), 1)
        self.assertEqual(joinset.get_n_queued(), 2)
        self.assertEqual(joinset.get_n_finished(), 0)

        # Aborted tasks count as finished.
        self.assertTrue(joinset.abort(ids[2]))
        self.run_until(lambda: recorder.last('n-finished') == 1 and recorder.last('n-queued') == 1,
                       message='the aborted task counted')
        gate.set()
        self.run_until(lambda: recorder.last('n-finished') == 3, message='all finished')
        self.assertEqual((joinset.props.n_running, joinset.props.n_queued), (0, 0))
        self.assertEqual(started, ids[:2])

    # A regression test: the set used to take the counters it notifies
    # before running the main-context tasks that were ready, and notify
    # after, so a handler that changed a count back could leave the last
    # notified value stale (n-running 1 in a UI while nothing runs).
    def test_last_notification_shows_the_final_value(self):
        joinset = Js.JoinSet(max_concurrent=1)
        held = []
        seen = []

        def on_running(joinset_, pspec):
            seen.append(joinset_.props.n_running)
            # End the second task from inside the notification.
            if len(held) == 2 and not held[1].get_completed():
                held[1].return_int(1)

        joinset.connect('notify::n-running', on_running)
        joinset.spawn(lambda t: held.append(t))
        joinset.spawn(lambda t: held.append(t))
        self.run_until(lambda: held and seen, message='first task to start')
        held[0].return_int(0)
        self.run_until(lambda: len(held) == 2, message='second task to start')
        if not held[1].get_completed():
            held[1].return_int(1)
        self.run_until(lambda: joinset.get_n_finished() == 2, message='both finished')
        # Let any later delivery come (they come within about 16 ms).
        expired = []
        GLib.timeout_add(200, lambda: expired.append(True) or GLib.SOURCE_REMOVE)
        self.run_until(lambda: expired, message='200 ms')
        self.assertEqual(joinset.props.n_running, 0)
        self.assertEqual(seen[-1], 0, 'notifications of n-running: {}'.format(seen))


class TaskFinishedTest(TestCase):

    def test_emitted_in_completion_order_and_tasks_stay_joinable(self):
        joinset = Js.JoinSet()
        emitted = []
        held = {}
        joinset.connect('task-finished',
                        lambda s, task: emitted.append((task.get_id(), threading.get_ident())))

        ids = {joinset.spawn(lambda t, n: held.__setitem__(n, t), name): name
               for name in 'abc'}
        thread_id = joinset.spawn_in_thread(lambda t: t.return_int(7))
        self.run_until(lambda: len(held) == 3, message='tasks to start')
        self.run_until(lambda: len(emitted) == 1, message='the thread task to finish')
        self.assertEqual(emitted[0], (thread_id, threading.get_ident()))

        for name in 'cab':
            held.pop(name).return_value(pyvalue(name))
            self.run_until(lambda: ids.get(emitted[-1][0]) == name,
                           message='task-finished for ' + name)
        self.assertEqual([ids.get(i) for i, _ in emitted[1:]], ['c', 'a', 'b'])
        self.assertEqual({thread for _, thread in emitted}, {threading.get_ident()})

        # The signal does not join: every task is still in the set.
        self.assertEqual(len(joinset), 4)
        joined = {t.get_id(): t for t in joinset}
        self.assertEqual(set(joined), set(ids) | {thread_id})
        self.assertEqual(joined[thread_id].propagate_int(), 7)

    def test_only_tasks_spawned_while_connected(self):
        joinset = Js.JoinSet()
        emitted = []
        before = joinset.spawn(lambda t: t.return_int(1))
        joinset.connect('task-finished', lambda s, task: emitted.append(task.get_id()))
        after = joinset.spawn(lambda t: t.return_int(2))
        self.assertEqual(len(joinset.join_all_sync()), 2)
        self.run_until(lambda: emitted, message='task-finished')
        self.assertEqual(emitted, [after])
        self.assertNotEqual(before, after)


class ProgressTest(TestCase):

    def test_progress_from_a_thread_task_is_delivered_in_main_thread(self):
        joinset = Js.JoinSet()
        signals = []
        notified = []
        running = []
        connected, step1, batch_done, step2 = (threading.Event() for _ in range(4))

        def on_progress(joinset_, task, fraction):
            signals.append((task.get_name(), fraction, threading.get_ident()))

        joinset.connect('task-progress', on_progress)

        def body(task):
            running.append(task)
            connected.wait(GATE_SECONDS)
            task.set_progress(0.25)
            step1.wait(GATE_SECONDS)
            for fraction in (0.5, 0.6, 0.75):
                task.set_progress(fraction)
            batch_done.set()
            step2.wait(GATE_SECONDS)
            task.return_int(42)

        task_id = joinset.spawn_full(body, name='converter', in_thread=True)
        self.run_until_from_thread(lambda: running, message='task to start')
        task = running[0]
        self.assertEqual(task.get_id(), task_id)
        self.assertEqual(task.props.id, task_id)
        self.assertEqual(task.props.name, 'converter')
        self.assertEqual(task.props.progress, 0.0)
        task.connect('notify::progress',
                     lambda t, pspec: notified.append((t.props.progress, threading.get_ident())))
        connected.set()

        main = threading.get_ident()
        self.run_until(lambda: signals, message='first progress')
        self.assertEqual(signals, [('converter', 0.25, main)])
        self.assertEqual(notified, [(0.25, main)])

        # Three values set while the main context is not iterated: the last
        # one is delivered, once.
        step1.set()
        self.assertTrue(batch_done.wait(GATE_SECONDS))
        self.assertEqual(task.get_progress(), 0.75, 'the getter reads the last value at once')
        self.run_until(lambda: len(signals) == 2, message='second progress')
        self.assertEqual(signals[1], ('converter', 0.75, main))
        self.assertEqual(notified[1], (0.75, main))

        step2.set()
        joined = joinset.join_next(None)
        self.assertEqual(joined.propagate_int(), 42)
        self.assertEqual(joined.get_progress(), 0.75)

        # A finished task reports no more progress.
        task.set_progress(1.0)
        expired = []
        GLib.timeout_add(100, lambda: expired.append(True) or GLib.SOURCE_REMOVE)
        self.run_until(lambda: expired, message='100 ms')
        self.assertEqual(len(signals), 2)

    def test_aborted_task_finishes_with_the_same_id_and_name(self):
        # The object may differ (see the progress guide): a UI keys its
        # rows by id.
        joinset = Js.JoinSet()
        progressed, finished = [], []
        joinset.connect('task-progress', lambda s, task, f: progressed.append(task))
        joinset.connect('task-finished', lambda s, task: finished.append(task))
        held = []

        def body(task):
            held.append(task)
            task.set_progress(0.5)

        task_id = joinset.spawn_full(body, name='row')
        self.run_until(lambda: progressed, message='progress')
        self.assertTrue(joinset.abort(task_id))
        self.run_until(lambda: finished, message='task-finished')
        self.assertEqual((finished[0].get_id(), finished[0].get_name()), (task_id, 'row'))
        self.assertEqual(progressed[0].get_id(), task_id)
        self.assertCancelled(finished[0])
        held.pop().return_int(0)  # too late: freed

    def test_set_progress_binds_to_a_progress_bar(self):
        class Bar(GObject.Object):
            fraction = GObject.Property(type=float, default=-1.0)

        joinset = Js.JoinSet()
        bar = Bar()
        joinset.bind_property('progress', bar, 'fraction', GObject.BindingFlags.SYNC_CREATE)
        self.assertEqual(bar.fraction, 0.0)
        gates = [threading.Event() for _ in range(4)]

        def body(task, gate):
            task.return_int(0 if gate.wait(GATE_SECONDS) else -1)

        ids = [joinset.spawn_in_thread(body, gate) for gate in gates]
        gates[0].set()
        self.run_until(lambda: bar.fraction == 0.25, message='a quarter')
        self.assertTrue(joinset.abort(ids[1]), 'aborted tasks count as finished')
        gates[1].set()  # lets its function return
        self.run_until(lambda: bar.fraction == 0.5, message='a half')
        joinset.spawn_call(lambda: None)  # a fifth task: 3 of 5
        self.run_until(lambda: bar.fraction == 0.6, message='three fifths')
        gates[2].set()
        gates[3].set()
        self.run_until(lambda: bar.fraction == 1.0, message='all')
        self.assertEqual(joinset.props.progress, 1.0)
        self.assertEqual(len(joinset.join_all_sync()), 5)

    def test_progress_out_of_range_is_refused(self):
        # g_return_if_fail: a critical, fatal under G_DEBUG=fatal-criticals,
        # so check it in a child process.
        code = ('import sys; sys.path[:0] = {path!r}\n'
                'import jstesting\n'
                'from jstesting import Js, GLib\n'
                'held = []\n'
                'joinset = Js.JoinSet()\n'
                'joinset.spawn(lambda t: held.append(t))\n'
                'ctx = GLib.MainContext.default()\n'
                'while not held: ctx.iteration(True)\n'
                'held[0].set_progress(1.5)\n'
                'print("survived", held[0].get_progress())\n').format(path=sys.path[:1])
        env = dict(os.environ, G_DEBUG='')
        proc = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True,
                              text=True, timeout=30)
        self.assertIn('fraction >= 0.0 && fraction <= 1.0', proc.stderr)
        self.assertEqual(proc.stdout.strip(), 'survived 0.0')


class OrderedTest(TestCase):

    def test_joins_in_spawn_order_while_later_tasks_run(self):
        joinset = Js.JoinSet(ordered=True)
        gates = [threading.Event() for _ in range(3)]

        def body(task, index):
            if not gates[index].wait(GATE_SECONDS):
                task.return_error(GLib.Error('gate never opened', 'test', 0))
                return
            task.return_value(pyvalue(index))

        ids = [joinset.spawn_in_thread(body, i) for i in range(3)]

        # The younger tasks run and finish while the oldest is held...
        gates[2].set()
        gates[1].set()
        self.run_until_from_thread(lambda: joinset.get_n_finished() == 2, message='two finished')
        # ...but nothing can be joined before it.
        self.assertIsNone(joinset.try_join_next())
        self.assertFalse(joinset.is_empty())
        self.assertEqual(len(joinset), 3)

        gates[0].set()
        joined = [(t.get_id(), t.propagate_value()) for t in joinset]
        self.assertEqual(joined, [(ids[0], 0), (ids[1], 1), (ids[2], 2)])

    def test_join_all_in_spawn_order(self):
        joinset = Js.JoinSet(ordered=True)
        held = {}
        ids = [joinset.spawn(lambda t, n: held.__setitem__(n, t), n) for n in range(4)]
        outcome = []
        joinset.join_all_async(None, lambda s, r: outcome.append(s.join_all_finish(r)))
        self.run_until(lambda: len(held) == 4, message='tasks to start')
        for n in (3, 1, 2, 0):
            held.pop(n).return_value(pyvalue(n))
        self.run_until(lambda: outcome, message='join_all')
        self.assertEqual([t.get_id() for t in outcome[0]], ids)
        self.assertEqual([t.propagate_value() for t in outcome[0]], [0, 1, 2, 3])


class AbortOnSuccessTest(TestCase):

    def test_first_success_aborts_the_rest_failures_do_not(self):
        joinset = Js.JoinSet(abort_on_success=True)
        held = {}
        cancelled = []

        def body(task, name):
            held[name] = task
            GObject.Object.connect(task.get_cancellable(), 'cancelled', lambda c: cancelled.append(name))

        ids = {joinset.spawn(body, name): name for name in ('slow', 'broken', 'fast')}
        self.run_until(lambda: len(held) == 3, message='tasks to start')

        held['broken'].return_error(GLib.Error('mirror is down', 'test', 1))
        self.assertEqual(cancelled, [], 'a failure does not win the race')
        self.assertEqual(joinset.get_n_running(), 2)

        held['fast'].return_value(pyvalue('payload'))
        self.assertEqual(cancelled, ['slow'], 'the winner aborts the others at once')

        outcomes = {}
        for task in joinset:
            try:
                outcomes[ids[task.get_id()]] = task.propagate_value()
            except GLib.Error as error:
                outcomes[ids[task.get_id()]] = 'cancelled' if is_cancelled_error(error) else error.message
        self.assertEqual(outcomes, {'fast': 'payload', 'broken': 'mirror is down',
                                    'slow': 'cancelled'})

        # The set stays open: later tasks run.
        self.assertFalse(joinset.is_closed())
        joinset.spawn_call(lambda: 'again')
        self.assertEqual(joinset.join_next(None).propagate_value(), 'again')
        held['slow'].return_value(pyvalue('too late'))  # freed: already joined

    def test_race_of_thread_tasks(self):
        joinset = Js.JoinSet(abort_on_success=True)
        go = threading.Event()

        def loser():
            if not wait_cancelled(Js.current_task().get_cancellable()):
                return 'never cancelled'
            Js.current_task().get_cancellable().set_error_if_cancelled()

        def winner():
            go.wait(GATE_SECONDS)
            return 'winner'

        names = {joinset.spawn_call_in_thread(loser): 'a',
                 joinset.spawn_call_in_thread(winner): 'b',
                 joinset.spawn_call_in_thread(loser): 'c'}
        go.set()  # the race is decided once every task is in the set
        outcomes = {}
        for task in joinset:
            try:
                outcomes[names[task.get_id()]] = task.propagate_value()
            except GLib.Error as error:
                self.assertTrue(is_cancelled_error(error), error)
                outcomes[names[task.get_id()]] = 'cancelled'
        self.assertEqual(outcomes, {'a': 'cancelled', 'b': 'winner', 'c': 'cancelled'})


class TimeoutTest(TestCase):

    def test_thread_task_times_out(self):
        joinset = Js.JoinSet(timeout=50)
        self.assertEqual(joinset.props.timeout, 50)
        saw_cancel = []

        def body(task):
            saw_cancel.append(wait_cancelled(task.get_cancellable()))
            task.return_int(1)  # too late: freed

        joinset.spawn_in_thread(body)
        task = joinset.join_next(None)
        with self.assertRaises(GLib.Error) as raised:
            task.propagate_int()
        self.assertTrue(is_timed_out_error(raised.exception), raised.exception)
        self.assertIn('50 ms', raised.exception.message)
        self.assertTrue(joinset.is_empty())
        self.run_until_from_thread(lambda: saw_cancel, message='the function to return')
        self.assertEqual(saw_cancel, [True], 'the cancellable was cancelled')

    def test_main_task_times_out_and_is_cancelled_in_main_thread(self):
        joinset = Js.JoinSet()
        held = []
        cancelled_in = []

        def body(task):
            held.append(task)  # never completes on its own
            GObject.Object.connect(task.get_cancellable(), 'cancelled',
                                  lambda c: cancelled_in.append(threading.get_ident()))

        joinset.spawn_full(body, name='held', timeout_ms=50)
        task = self.join_next_async(joinset)
        self.assertEqual(task.get_name(), 'held')
        with self.assertRaises(GLib.Error) as raised:
            task.propagate_int()
        self.assertTrue(is_timed_out_error(raised.exception), raised.exception)
        self.run_until(lambda: cancelled_in, message='cancelled handler')
        self.assertEqual(cancelled_in, [threading.get_ident()])
        held.pop().return_int(1)  # too late: freed, no critical

    def test_spawn_full_timeout_replaces_the_sets(self):
        joinset = Js.JoinSet(timeout=20)
        started, release = threading.Event(), threading.Event()

        def exempt(task):
            started.set()
            if release.wait(GATE_SECONDS):
                task.return_int(5)
            else:
                task.return_error(GLib.Error('never released', 'test', 0))

        exempt_id = joinset.spawn_full(exempt, name='exempt', flags=Js.SpawnFlags.IN_THREAD)
        self.assertTrue(started.wait(GATE_SECONDS))
        # A sibling spawned after it started times out under the set's 20 ms...
        joinset.spawn_in_thread(lambda t: (wait_cancelled(t.get_cancellable()), t.return_int(0)))
        sibling = joinset.join_next(None)
        self.assertTrue(is_timed_out_error(self._error_of(sibling)))
        # ...so the exempt task has run longer than that, and still runs.
        self.assertEqual(joinset.get_n_running(), 1)
        release.set()
        task = joinset.join_next(None)
        self.assertEqual((task.get_id(), task.propagate_int()), (exempt_id, 5))

    def test_the_clock_starts_when_the_function_is_called(self):
        # One slot: the second task waits in the queue while the first
        # runs out of its 500 ms, then runs well within its own.
        joinset = Js.JoinSet(max_concurrent=1, timeout=500)
        first = joinset.spawn_in_thread(lambda t: (wait_cancelled(t.get_cancellable()), t.return_int(0)))
        second = joinset.spawn_in_thread(lambda t: t.return_int(2))
        results = {}
        for task in joinset:
            try:
                results[task.get_id()] = task.propagate_int()
            except GLib.Error as error:
                results[task.get_id()] = 'timed out' if is_timed_out_error(error) else error
        self.assertEqual(results, {first: 'timed out', second: 2})

    def test_timeout_counts_as_error_for_abort_on_error(self):
        joinset = Js.JoinSet(abort_on_error=True)
        held = []
        joinset.spawn(lambda t: held.append(t))
        joinset.spawn_full(lambda t: (wait_cancelled(t.get_cancellable()), t.return_int(0)),
                           name='stuck', timeout_ms=30, in_thread=True)
        errors = sorted(('timed out' if is_timed_out_error(e) else
                         'cancelled' if is_cancelled_error(e) else e.message)
                        for e in (self._error_of(t) for t in joinset))
        self.assertEqual(errors, ['cancelled', 'timed out'])
        if held:
            held.pop().return_int(0)  # too late: freed

    def _error_of(self, task):
        with self.assertRaises(GLib.Error) as raised:
            task.propagate_int()
        return raised.exception


class SpawnCallFullTest(TestCase):

    def test_name_thread_and_arguments(self):
        joinset = Js.JoinSet()
        main = threading.get_ident()

        def report(a, b=0, name='not passed'):
            task = Js.current_task()
            return (a, b, name, task.get_name(), threading.get_ident() != main)

        in_thread = joinset.spawn_call_full(report, 1, b=2, name='worker', in_thread=True)
        in_main = joinset.spawn_call_full(functools.partial(report, name='partial'), 3,
                                          name='local')
        results = {t.get_id(): (t.get_name(), t.propagate_value()) for t in joinset}
        self.assertEqual(results[in_thread], ('worker', (1, 2, 'not passed', 'worker', True)))
        self.assertEqual(results[in_main], ('local', (3, 0, 'partial', 'local', False)))

    def test_timeout_ms(self):
        joinset = Js.JoinSet()

        def stuck():
            if wait_cancelled(Js.current_task().get_cancellable()):
                Js.current_task().get_cancellable().set_error_if_cancelled()
            return 'never cancelled'

        joinset.spawn_call_full(stuck, name='stuck', timeout_ms=30, in_thread=True)
        task = joinset.join_next(None)
        self.assertEqual(task.get_name(), 'stuck')
        with self.assertRaises(GLib.Error) as raised:
            task.propagate_value()
        self.assertTrue(is_timed_out_error(raised.exception), raised.exception)

    def test_closed_set_returns_zero(self):
        cancellable = Gio.Cancellable()
        joinset = Js.JoinSet(cancellable=cancellable)
        cancellable.cancel()
        self.assertEqual(joinset.spawn_call_full(lambda: 1, name='late'), 0)


class JoinAllTimeoutTest(TestCase):

    def join_all_timeout(self, joinset, timeout_ms):
        outcome = []
        joinset.join_all_timeout_async(
            timeout_ms, None, lambda s, r: outcome.append(s.join_all_timeout_finish(r)))
        self.run_until(lambda: outcome, message='join_all_timeout')
        return outcome[0]

    def test_partial_results_after_the_deadline(self):
        joinset = Js.JoinSet()
        gate = threading.Event()
        quick = {joinset.spawn_in_thread(lambda t, n: t.return_int(n), n) for n in (1, 2)}
        slow = joinset.spawn_in_thread(
            lambda t: t.return_int(3 if gate.wait(GATE_SECONDS) else -1))
        self.run_until_from_thread(lambda: joinset.get_n_finished() == 2, message='two finished')

        tasks = self.join_all_timeout(joinset, 50)
        self.assertEqual({t.get_id() for t in tasks}, quick)
        self.assertEqual(sorted(t.propagate_int() for t in tasks), [1, 2])
        # The slow one stays in the set, running.
        self.assertEqual(len(joinset), 1)
        self.assertEqual(joinset.get_n_running(), 1)

        # A deadline of 0 takes what finished: nothing.
        self.assertEqual(self.join_all_timeout(joinset, 0), [])
        self.assertEqual(len(joinset), 1)

        gate.set()
        task = joinset.join_next(None)
        self.assertEqual((task.get_id(), task.propagate_int()), (slow, 3))

    def test_completes_when_everything_finished_before_the_deadline(self):
        joinset = Js.JoinSet()
        for n in range(3):
            joinset.spawn_call_in_thread(lambda n=n: n)
        # A deadline of a minute: run_until() fails after 10 s if the join
        # waits for it.
        tasks = self.join_all_timeout(joinset, 60000)
        self.assertEqual(sorted(t.propagate_value() for t in tasks), [0, 1, 2])
        self.assertTrue(joinset.is_empty())


class DiscardResultsTest(TestCase):

    def test_finished_tasks_are_freed_and_reported(self):
        joinset = Js.JoinSet(discard_results=True)
        self.assertTrue(joinset.props.discard_results)
        outcomes = {}
        finalized = []

        def on_finished(joinset_, task):
            task.weak_ref(finalized.append, task.get_id())
            try:
                outcomes[task.get_name()] = task.propagate_value()
            except OSError as error:  # the exception the task raised
                outcomes[task.get_name()] = repr(error)

        joinset.connect('task-finished', on_finished)

        def fails():
            raise OSError('disk full')

        for n in range(4):
            joinset.spawn_call_full(lambda n=n: n * 10, name='save-%d' % n, in_thread=True)
        joinset.spawn_call_full(fails, name='broken', in_thread=True)

        # A join waits until the set is empty, and gives no task.
        self.assertIsNone(joinset.join_next(None))
        self.assertEqual(len(joinset), 0)
        self.assertTrue(joinset.is_empty())
        self.assertEqual(joinset.props.n_finished, 5)
        self.run_until(lambda: len(outcomes) == 5, message='task-finished for every task')
        self.assertEqual(outcomes, {'save-0': 0, 'save-1': 10, 'save-2': 20, 'save-3': 30,
                                    'broken': "OSError('disk full')"})
        # Nothing keeps them once the handler let go. The failed task and
        # the exception it carries form a cycle through the traceback
        # (on_finished's frame holds the task): the collector frees it.
        def freed():
            gc.collect()
            return len(finalized) == 5

        self.run_until_from_thread(freed, message='tasks to be freed')

    def test_failure_without_handler_is_a_warning(self):
        code = ('import sys; sys.path[:0] = {path!r}\n'
                'import jstesting\n'
                'from jstesting import Js, GLib\n'
                'joinset = Js.JoinSet(discard_results=True)\n'
                'def fails():\n'
                '    raise OSError("disk full")\n'
                'joinset.spawn_call_full(fails, name="autosave")\n'
                'joinset.spawn_call_full(lambda: 1, name="fine")\n'
                'assert joinset.join_next(None) is None\n'
                'ctx = GLib.MainContext.default()\n'
                'while ctx.pending(): ctx.iteration(False)\n'
                'print("length", len(joinset))\n').format(path=sys.path[:1])
        env = dict(os.environ, G_DEBUG='')
        proc = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True,
                              text=True, timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.strip(), 'length 0')
        self.assertIn('WARNING', proc.stderr)
        self.assertIn('"autosave"', proc.stderr)
        self.assertIn('OSError: disk full', proc.stderr)
        self.assertNotIn('"fine"', proc.stderr)


class NestedTest(TestCase):

    def test_aborting_a_main_task_aborts_its_child_set(self):
        parents = Js.JoinSet()
        children = []
        child_results = []

        def child():
            if not wait_cancelled(Js.current_task().get_cancellable()):
                return 'never cancelled'
            Js.current_task().get_cancellable().set_error_if_cancelled()

        def folder(task):
            # The child set follows this task's cancellable.
            child_set = Js.JoinSet.new_with_cancellable(task.get_cancellable())
            children.append((child_set, task.get_cancellable()))
            for _ in range(3):
                child_set.spawn_call_in_thread(child)

            def done(source, result):
                child_results.extend(source.join_all_finish(result))
                if not task.return_error_if_cancelled():
                    task.return_int(len(child_results))

            child_set.join_all_async(None, done)

        parent_id = parents.spawn(folder)
        self.run_until(lambda: children, message='the parent task to run')
        child_set, cancellable = children[0]
        self.assertIs(child_set.get_cancellable(), cancellable)
        self.assertEqual(child_set.get_n_spawned(), 3)
        self.assertFalse(child_set.is_closed())

        self.assertTrue(parents.abort(parent_id))
        # Aborted in the same call: the child set is closed, its tasks done.
        self.assertTrue(child_set.is_closed())
        self.assertEqual(child_set.get_n_finished(), 3)
        self.assertEqual(child_set.spawn_call(lambda: 1), 0)

        self.assertCancelled(parents.join_next(None))
        self.run_until(lambda: len(child_results) == 3, message='child join')
        for task in child_results:
            self.assertCancelled(task)
        self.assertTrue(parents.is_empty())

    def test_thread_task_with_its_own_context_and_a_child_set(self):
        parents = Js.JoinSet()
        outcome = []

        def scan(task):
            # A set belongs to the thread-default context of its creator:
            # a worker gives the child set a context of its own.
            context = GLib.MainContext()
            context.push_thread_default()
            try:
                child_set = Js.JoinSet(cancellable=task.get_cancellable())
                child_set.spawn_call_in_thread(lambda: 'quick')
                for _ in range(2):
                    child_set.spawn_in_thread(lambda t: (wait_cancelled(t.get_cancellable()),
                                                           t.return_error_if_cancelled()))
                results = []
                for child in child_set:
                    try:
                        results.append(child.propagate_value())
                    except GLib.Error as error:
                        results.append('cancelled' if is_cancelled_error(error) else error.message)
                    # The quick one comes first: tell the test.
                    task.set_progress(len(results) / 3)
                outcome.append(results)
                del child, child_set
            finally:
                context.pop_thread_default()
            task.return_error_if_cancelled()

        scan_id = parents.spawn_in_thread(scan)
        progress = []
        parents.connect('task-progress', lambda s, t, fraction: progress.append(fraction))
        self.run_until(lambda: progress, message='the first child to be joined')
        self.assertTrue(parents.abort(scan_id))
        self.assertCancelled(parents.join_next(None))
        self.run_until_from_thread(lambda: outcome, message='the scan to end')
        self.assertEqual(outcome[0], ['quick', 'cancelled', 'cancelled'])


if __name__ == '__main__':
    jstesting.main()
