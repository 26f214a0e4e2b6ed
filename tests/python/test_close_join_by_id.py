# SPDX-License-Identifier: LGPL-2.1-or-later
"""close(), shutdown as Tokio's, and joining one task by id, through the
introspected API."""

import threading

import jstesting
from jstesting import Js, GLib, Gio


class JoinByIdTest(jstesting.TestCase):

    def join_by_id_async(self, joinset, task_id, cancellable=None):
        outcome = []

        def done(source, result):
            try:
                outcome.append(source.join_by_id_finish(result))
            except GLib.Error as error:
                outcome.append(error)

        joinset.join_by_id_async(task_id, cancellable, done)
        self.run_until(lambda: outcome, message='join_by_id_async')
        if isinstance(outcome[0], GLib.Error):
            raise outcome[0]
        return outcome[0]

    def test_takes_one_task_and_leaves_the_others(self):
        joinset = Js.JoinSet()
        held = []
        first = joinset.spawn(lambda t: held.append(t))
        second = joinset.spawn_in_thread(lambda t: t.return_int(2))

        task = self.join_by_id_async(joinset, second)
        self.assertEqual(task.get_id(), second)
        self.assertEqual(task.propagate_int(), 2)
        self.assertEqual(len(joinset), 1)

        # The blocking form, for the task still running.
        self.run_until(lambda: held, message='the first task to start')
        threading.Timer(0.05, lambda: held[0].return_int(1)).start()
        task = joinset.join_by_id(first, None)
        self.assertEqual(task.get_id(), first)
        self.assertEqual(task.propagate_int(), 1)
        self.assertEqual(len(joinset), 0)

    def test_unknown_and_pending_ids_fail_at_once(self):
        joinset = Js.JoinSet()
        with self.assertRaises(GLib.Error) as raised:
            joinset.join_by_id(42, None)
        self.assertTrue(raised.exception.matches(Js.join_error_quark(),
                                                 Js.JoinError.UNKNOWN_TASK))

        held = []
        task_id = joinset.spawn(lambda t: held.append(t))
        outcome = []
        joinset.join_by_id_async(task_id, None,
                                 lambda s, r: outcome.append(s.join_by_id_finish(r)))
        with self.assertRaises(GLib.Error) as raised:
            self.join_by_id_async(joinset, task_id)
        self.assertTrue(raised.exception.matches(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.PENDING))
        # join_next does not take the claimed task.
        self.run_until(lambda: held, message='the task to start')
        held.pop().return_int(3)
        self.run_until(lambda: outcome, message='the first join by id')
        self.assertEqual(outcome[0].propagate_int(), 3)
        self.assertIsNone(joinset.try_join_next())


class CloseAndShutdownTest(jstesting.TestCase):

    def test_close_then_wait(self):
        joinset = Js.JoinSet(max_concurrent=1)
        for n in range(1, 4):
            joinset.spawn_in_thread(lambda t, n=n: t.return_int(n))
        joinset.close()
        self.assertTrue(joinset.is_closed())
        self.assertEqual(joinset.spawn(lambda t: t.return_int(0)), 0)
        # Queued tasks still run: the wait ends when the set is empty.
        self.assertEqual(sorted(t.propagate_int() for t in joinset), [1, 2, 3])
        self.assertEqual(len(joinset), 0)

    def test_shutdown_leaves_an_empty_open_set(self):
        joinset = Js.JoinSet()
        held = []
        joinset.spawn(lambda t: held.append(t))
        joinset.spawn_in_thread(lambda t: t.return_int(1))
        self.run_until(lambda: held, message='the task to start')
        self.assertTrue(self.shutdown(joinset))
        self.assertEqual(len(joinset), 0)
        self.assertIsNone(joinset.join_next(None))
        self.assertFalse(joinset.is_closed())
        self.assertTrue(held[0].get_cancellable().is_cancelled())
        held.pop().return_int(0)
        joinset.spawn(lambda t: t.return_int(5))
        self.assertEqual(joinset.join_next(None).propagate_int(), 5)


if __name__ == '__main__':
    jstesting.main()
