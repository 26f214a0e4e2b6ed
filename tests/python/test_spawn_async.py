# SPDX-License-Identifier: LGPL-2.1-or-later
"""JoinSet.spawn_async(): a GIO asynchronous operation as a task, in one
line, with real operations (file loads, a subprocess wait)."""

import os
import tempfile

import jstesting
from jstesting import Js, GLib, Gio


class SpawnAsyncTest(jstesting.TestCase):

    def setUp(self):
        super().setUp()
        fd, self.path = tempfile.mkstemp(prefix='js-spawn-async-')
        os.write(fd, b'hello, python')
        os.close(fd)
        self.addCleanup(os.unlink, self.path)

    def test_file_load_in_one_line(self):
        file = Gio.File.new_for_path(self.path)
        joinset = Js.JoinSet()
        task_id = joinset.spawn_async(file.load_bytes_async, file.load_bytes_finish)
        self.assertNotEqual(task_id, 0)
        task = joinset.join_next()
        self.assertEqual(task.get_id(), task_id)
        data, etag = task.propagate_value()     # what load_bytes_finish returned
        self.assertEqual(data.get_data(), b'hello, python')
        self.assertIsNone(joinset.join_next())

    def test_extra_arguments_go_before_the_cancellable(self):
        file = Gio.File.new_for_path(self.path)
        joinset = Js.JoinSet()
        joinset.spawn_async(file.read_async, file.read_finish, GLib.PRIORITY_LOW)
        stream = joinset.join_next().propagate_value()
        self.assertEqual(stream.read_bytes(100, None).get_data(), b'hello, python')

    def test_the_operations_error_is_the_tasks(self):
        file = Gio.File.new_for_path('/nonexistent/js-spawn-async')
        joinset = Js.JoinSet(abort_on_error=True)
        sleeper = Gio.Subprocess.new(['sleep', '30'], Gio.SubprocessFlags.NONE)
        self.addCleanup(sleeper.force_exit)
        waiting = joinset.spawn_async(sleeper.wait_async, sleeper.wait_finish)
        joinset.spawn_async(file.load_bytes_async, file.load_bytes_finish)
        failed = joinset.join_next()
        with self.assertRaises(GLib.Error) as raised:
            failed.propagate_value()
        self.assertTrue(raised.exception.matches(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.NOT_FOUND))
        # The failure counted for abort-on-error: the wait was aborted.
        aborted = joinset.join_next()
        self.assertEqual(aborted.get_id(), waiting)
        self.assertCancelled(aborted)

    def test_abort_in_flight_joins_at_once(self):
        sleeper = Gio.Subprocess.new(['sleep', '30'], Gio.SubprocessFlags.NONE)
        self.addCleanup(sleeper.force_exit)
        joinset = Js.JoinSet()
        task_id = joinset.spawn_async(sleeper.wait_async, sleeper.wait_finish)
        self.run_until(lambda: joinset.get_n_running() == 1, message='the start')
        self.assertTrue(joinset.abort(task_id))
        task = joinset.try_join_next()          # at once, no iteration
        self.assertIsNotNone(task)
        self.assertCancelled(task)
        # The late callback (the wait, cancelled) is handled quietly.
        context = GLib.MainContext.default()
        for _ in range(20):
            context.iteration(False)

    def test_an_exception_in_start_fails_the_task(self):
        joinset = Js.JoinSet()

        def start(cancellable, callback):
            raise FileNotFoundError(2, 'no such thing')

        joinset.spawn_async(start, lambda result: None)
        task = joinset.join_next()
        with self.assertRaises(FileNotFoundError):
            task.propagate_value()

    def test_name_and_timeout(self):
        sleeper = Gio.Subprocess.new(['sleep', '30'], Gio.SubprocessFlags.NONE)
        self.addCleanup(sleeper.force_exit)
        joinset = Js.JoinSet()
        joinset.spawn_async(sleeper.wait_async, sleeper.wait_finish,
                            name='sleeper', timeout_ms=50)
        task = joinset.join_next()
        self.assertEqual(task.get_name(), 'sleeper')
        with self.assertRaises(GLib.Error) as raised:
            task.propagate_value()
        self.assertTrue(raised.exception.matches(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.TIMED_OUT))

    def test_not_callable(self):
        with self.assertRaises(TypeError):
            Js.JoinSet().spawn_async('load', lambda result: None)


if __name__ == '__main__':
    jstesting.main()
