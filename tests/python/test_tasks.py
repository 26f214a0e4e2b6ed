# SPDX-License-Identifier: LGPL-2.1-or-later
"""Spawning Python tasks and joining their results, through the
introspected API (spawn, return_*, join_*, propagate_*)."""

import threading
import weakref

import jstesting
from jstesting import Js, GLib, Gio, is_cancelled_error
from gi.repository import GObject


def pyvalue(value):
    return GObject.Value(GObject.TYPE_PYOBJECT, value)


class Payload:
    """Any Python object: a task returns it as it is, not a copy."""


class ValuesTest(jstesting.TestCase):

    def test_main_context_task_returns_python_object(self):
        payload = Payload()
        joinset = Js.JoinSet()
        ran_in = []

        def body(task):
            ran_in.append(threading.get_ident())
            task.return_value(pyvalue(payload))

        task_id = joinset.spawn(body)
        self.assertNotEqual(task_id, 0)
        self.assertEqual(ran_in, [], 'spawn() must not run the task inside the call')

        task = self.join_next_async(joinset)
        self.assertEqual(task.get_id(), task_id)
        self.assertTrue(task.get_completed())
        self.assertFalse(task.had_error())
        self.assertIs(task.propagate_value(), payload)
        self.assertEqual(ran_in, [threading.get_ident()])
        self.assertIsNone(self.join_next_async(joinset))

    def test_thread_task_returns_python_object(self):
        joinset = Js.JoinSet()
        ran_in = []

        def body(task):
            ran_in.append(threading.get_ident())
            task.return_value(pyvalue({'words': ['one', 'three']}))

        joinset.spawn_in_thread(body)
        task = joinset.join_next(None)
        self.assertEqual(task.propagate_value(), {'words': ['one', 'three']})
        self.assertEqual(len(ran_in), 1)
        self.assertNotEqual(ran_in[0], threading.get_ident())

    def test_plain_values_round_trip(self):
        joinset = Js.JoinSet()
        ids = {
            joinset.spawn(lambda t: t.return_value('text')): 'text',
            joinset.spawn(lambda t: t.return_value(pyvalue(None))): None,
            joinset.spawn_in_thread(lambda t: t.return_value(pyvalue(2 ** 70))): 2 ** 70,
        }
        int_id = joinset.spawn(lambda t: t.return_int(-42))
        bool_id = joinset.spawn_in_thread(lambda t: t.return_boolean(True))

        for task in iter(lambda: joinset.join_next(None), None):
            if task.get_id() == int_id:
                self.assertEqual(task.propagate_int(), -42)
            elif task.get_id() == bool_id:
                self.assertIs(task.propagate_boolean(), True)
            else:
                self.assertEqual(task.propagate_value(), ids.pop(task.get_id()))
        self.assertEqual(ids, {})

    def test_error_comes_back_unchanged(self):
        joinset = Js.JoinSet()

        def fails(task):
            task.return_error(GLib.Error('disk on fire', 'my-app-error-quark', 7))

        joinset.spawn_in_thread(fails)
        task = joinset.join_next(None)
        self.assertTrue(task.had_error())
        with self.assertRaises(GLib.Error) as raised:
            task.propagate_value()
        self.assertEqual(raised.exception.domain, 'my-app-error-quark')
        self.assertEqual(raised.exception.code, 7)
        self.assertEqual(raised.exception.message, 'disk on fire')

    def test_abandoned_task(self):
        joinset = Js.JoinSet()
        # Never returns: when the runner drops the task it is abandoned.
        joinset.spawn(lambda task: None)
        task = self.join_next_async(joinset)
        with self.assertRaises(GLib.Error) as raised:
            task.propagate_value()
        self.assertTrue(raised.exception.matches(Js.join_error_quark(),
                                                 Js.JoinError.ABANDONED))

    def test_async_task_completes_later(self):
        # A main-context task may complete later, from a callback of the
        # main loop (here an idle source), holding on to its task.
        joinset = Js.JoinSet()

        def body(task):
            def later():
                task.return_value(pyvalue('later'))
                return GLib.SOURCE_REMOVE
            GLib.idle_add(later)

        joinset.spawn(body)
        self.assertEqual(self.join_next_async(joinset).propagate_value(), 'later')


class OrderTest(jstesting.TestCase):

    def test_completion_order_maps_back_to_inputs(self):
        # The seed's word-length example: results come back in the order
        # the tasks complete, and ids map them back to their inputs.
        words = ['one', 'three', 'four']
        finish_order = [2, 0, 1]
        joinset = Js.JoinSet()
        gates = [threading.Event() for _ in words]

        def length(task, index):
            if not gates[index].wait(10):
                task.return_error(GLib.Error('gate never opened', 'test', 0))
                return
            task.return_value(pyvalue(len(words[index])))

        index_of = {joinset.spawn_in_thread(length, i): i for i in range(len(words))}
        self.assertEqual(len(index_of), 3)
        self.assertEqual(joinset.get_length(), 3)

        joined = []
        for index in finish_order:
            gates[index].set()
            task = joinset.join_next(None)
            joined.append(index_of[task.get_id()])
            self.assertEqual(task.propagate_value(), len(words[index_of[task.get_id()]]))
        self.assertEqual(joined, finish_order)
        self.assertTrue(joinset.is_empty())

    def test_main_context_tasks_complete_out_of_order(self):
        joinset = Js.JoinSet()
        held = {}

        def body(task, name):
            held[name] = task  # completes when the test says so

        ids = {joinset.spawn(body, name): name for name in 'abc'}
        self.run_until(lambda: len(held) == 3, message='tasks to start')
        for name in 'cab':
            held.pop(name).return_value(pyvalue(name.upper()))
        order = []
        for task in iter(lambda: joinset.try_join_next(), None):
            order.append((ids[task.get_id()], task.propagate_value()))
        self.assertEqual(order, [('c', 'C'), ('a', 'A'), ('b', 'B')])

    def test_sum_of_squares(self):
        joinset = Js.JoinSet()
        for n in (1, 2, 3):
            joinset.spawn_in_thread(lambda task, n: task.return_int(n * n), n)
        total = 0
        while (task := joinset.join_next(None)) is not None:
            total += task.propagate_int()
        self.assertEqual(total, 14)


class JoinTest(jstesting.TestCase):

    def test_empty_set(self):
        joinset = Js.JoinSet()
        self.assertTrue(joinset.is_empty())
        self.assertIsNone(joinset.try_join_next())
        self.assertIsNone(joinset.join_next(None))
        self.assertIsNone(self.join_next_async(joinset))

    def test_try_join_next_tells_not_ready_from_empty(self):
        joinset = Js.JoinSet()
        gate = threading.Event()
        joinset.spawn_in_thread(lambda t: (gate.wait(10), t.return_int(1)))
        self.assertIsNone(joinset.try_join_next())
        self.assertFalse(joinset.is_empty())
        gate.set()
        self.assertEqual(joinset.join_next(None).propagate_int(), 1)

    def test_join_all_in_completion_order_and_frees_tasks(self):
        joinset = Js.JoinSet()
        held = {}
        ids = {joinset.spawn(lambda t, n: held.__setitem__(n, t), n): n for n in range(4)}
        outcome = []
        joinset.join_all_async(None, lambda s, r: outcome.append(s.join_all_finish(r)))
        self.run_until(lambda: len(held) == 4, message='tasks to start')
        for n in (3, 1, 0, 2):
            held.pop(n).return_value(pyvalue(n))
        self.run_until(lambda: outcome, message='join_all')
        tasks = outcome.pop()
        self.assertEqual([ids[t.get_id()] for t in tasks], [3, 1, 0, 2])
        self.assertEqual([t.propagate_value() for t in tasks], [3, 1, 0, 2])

        # (transfer container): the list holds the only references.
        finalized = []
        for task in tasks:
            task.weak_ref(finalized.append, task.get_id())
        del tasks, task
        self.run_until(lambda: len(finalized) == 4, message='tasks to be finalized')

    def test_cancelled_join_loses_no_task(self):
        joinset = Js.JoinSet()
        held = []
        joinset.spawn(lambda t: held.append(t))
        self.run_until(lambda: held, message='task to start')

        cancellable = Gio.Cancellable()
        outcome = []

        def done(source, result):
            try:
                outcome.append(source.join_next_finish(result))
            except GLib.Error as error:
                outcome.append(error)

        joinset.join_next_async(cancellable, done)
        cancellable.cancel()
        self.run_until(lambda: outcome, message='cancelled join')
        self.assertIsInstance(outcome[0], GLib.Error)
        self.assertTrue(is_cancelled_error(outcome[0]))

        held.pop().return_value(pyvalue('kept'))
        self.assertEqual(self.join_next_async(joinset).propagate_value(), 'kept')

    def test_length_is_notified(self):
        joinset = Js.JoinSet()
        lengths = []
        held = []
        joinset.connect('notify::length', lambda s, pspec: lengths.append(s.props.length))
        joinset.spawn(lambda t: held.append(t))
        joinset.spawn(lambda t: held.append(t))
        self.assertEqual(joinset.props.length, 2)
        self.run_until(lambda: 2 in lengths, message='length 2 notified')
        for task in held:
            task.return_int(0)
        del held[:], task
        while joinset.join_next(None) is not None:
            pass
        self.run_until(lambda: lengths[-1] == 0, message='length 0 notified')

if __name__ == '__main__':
    jstesting.main()
