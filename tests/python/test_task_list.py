# SPDX-License-Identifier: LGPL-2.1-or-later
"""The live list model of a set's tasks (js_join_set_get_tasks), the task
state and task-started, as a Python program uses them: the model is a
Gio.ListModel of Js.Task in spawn order, whose items-changed and
notify::state come in the main thread, even for thread tasks."""

import threading

import jstesting
from jstesting import Js, GLib, Gio


class TestTaskList(jstesting.TestCase):

    def test_model_order_state_and_removal(self):
        joinset = Js.JoinSet()
        model = joinset.get_tasks()
        self.assertIsInstance(model, Gio.ListModel)
        self.assertIs(joinset.props.tasks, model)
        self.assertEqual(model.get_item_type(), Js.Task.__gtype__)

        main_thread = threading.current_thread()
        threads = set()
        changes = []
        model.connect('items-changed', lambda m, pos, removed, added: (
            threads.add(threading.current_thread()), changes.append((pos, removed, added))))

        gate = threading.Event()
        held = []

        def blocked(task):
            gate.wait(10)
            task.return_int(task.get_id())

        held_ids = [joinset.spawn(lambda task: held.append(task)) for _ in range(2)]
        thread_id = joinset.spawn_in_thread(blocked)
        self.run_until(lambda: model.get_n_items() == 3, message='three tasks in the model')
        self.assertEqual([model.get_item(i).get_id() for i in range(3)],
                         held_ids + [thread_id])
        self.assertEqual(changes, [(0, 0, 3)])

        states = []
        thread_task = model.get_item(2)
        thread_task.connect('notify::state', lambda t, pspec: (
            threads.add(threading.current_thread()), states.append(t.props.state)))
        self.run_until(lambda: thread_task.get_state() == Js.TaskState.RUNNING,
                       message='the thread task runs')
        gate.set()
        self.run_until(lambda: Js.TaskState.FINISHED in states, message='finished is notified')

        joined = self.join_next_async(joinset)
        self.assertEqual(joined.get_id(), thread_id)
        self.run_until(lambda: model.get_n_items() == 2, message='the joined task leaves')
        self.assertEqual([model.get_item(i).get_id() for i in range(2)], held_ids)

        for task in held:
            task.return_int(0)
        del held[:]
        while joinset.try_join_next() is not None or len(joinset) > 0:
            self.context.iteration(True)
        self.run_until(lambda: model.get_n_items() == 0, message='an empty model')
        self.assertEqual(threads, {main_thread})

    def test_task_started(self):
        joinset = Js.JoinSet()
        started = []
        joinset.connect('task-started', lambda s, task: started.append(
            (task.get_id(), threading.current_thread())))
        ids = [joinset.spawn_in_thread(lambda task: task.return_int(1)) for _ in range(3)]
        joinset.join_all_sync()
        self.run_until(lambda: len(started) == 3, message='three task-started')
        self.assertEqual(sorted(i for i, _ in started), ids)
        self.assertEqual({t for _, t in started}, {threading.current_thread()})


if __name__ == '__main__':
    jstesting.main()
