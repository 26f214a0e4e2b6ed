# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the override gives Python users beyond the C API: their own
exceptions back, prompt failure of a task function that raises, Ctrl-C in
blocking joins, any object as a value, TypeError for a wrong getter, no
pointer API, a natural spawn_full(), and help() that documents it all."""

import errno
import gc
import json
import os
import pydoc
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
import weakref

import jstesting
from jstesting import Js, GLib, Gio, is_cancelled_error
from gi.repository import GObject


def join_within(testcase, joinset, seconds=5):
    """join_next(), failing the test instead of hanging if no task comes
    back within seconds."""
    cancellable = Gio.Cancellable()
    source = GLib.timeout_source_new(int(seconds * 1000))
    source.set_callback(lambda *args: cancellable.cancel() or GLib.SOURCE_REMOVE)
    source.attach(GLib.MainContext.default())
    try:
        return joinset.join_next(cancellable)
    except GLib.Error as error:
        if cancellable.is_cancelled():
            testcase.fail('no task came back within {} s'.format(seconds))
        raise error
    finally:
        source.destroy()


def wait_aborted(task, seconds=10):
    deadline = time.monotonic() + seconds
    while not task.is_cancelled() and time.monotonic() < deadline:
        time.sleep(0.005)


class RaisingFunctionTest(jstesting.TestCase):
    """Point 2: a spawn() function that raises fails its task at once."""

    def test_spawn_functions_that_raise_fail_at_once(self):
        joinset = Js.JoinSet()

        def broken(task, where):
            raise ValueError(where)

        ids = {
            joinset.spawn(broken, 'spawn'): 'spawn',
            joinset.spawn_in_thread(broken, 'spawn_in_thread'): 'spawn_in_thread',
            joinset.spawn_full(broken, 'spawn_full', in_thread=True): 'spawn_full',
        }
        seen = {}
        while not joinset.is_empty():
            task = join_within(self, joinset)
            with self.assertRaises(ValueError) as raised:
                task.propagate_value()
            seen[ids[task.get_id()]] = raised.exception.args[0]
        self.assertEqual(seen, {name: name for name in ids.values()})

    def test_function_that_returned_keeps_its_value(self):
        joinset = Js.JoinSet()

        def returns_then_raises(task):
            task.return_int(7)
            raise RuntimeError('after the return: printed, not the result')

        joinset.spawn(returns_then_raises)
        self.assertEqual(join_within(self, joinset).propagate_int(), 7)

    def test_exception_after_abort_is_not_the_result(self):
        joinset = Js.JoinSet()
        started = threading.Event()

        def notices_abort(task):
            started.set()
            wait_aborted(task)
            raise ValueError('too late: the task was aborted')

        task_id = joinset.spawn_in_thread(notices_abort)
        self.assertTrue(started.wait(10))
        joinset.abort(task_id)
        task = join_within(self, joinset)
        self.assertCancelled(task)  # a GLib.Error from C, not the ValueError


class OwnExceptionTest(jstesting.TestCase):
    """Point 3: a task's exception comes back as itself."""

    def test_same_object_with_type_errno_and_traceback(self):
        joinset = Js.JoinSet()
        raised = []

        def read_missing(path):
            try:
                with open(path, 'rb') as stream:
                    return stream.read()
            except OSError as error:
                raised.append(error)
                raise

        for spawn in (joinset.spawn_call, joinset.spawn_call_in_thread):
            spawn(read_missing, '/nonexistent/joinset-test')
        for task in joinset:
            try:
                task.propagate_value()
                self.fail('no exception')
            except FileNotFoundError as error:
                self.assertIn(error, raised)
                self.assertIs(raised[raised.index(error)], error)
                self.assertEqual(error.errno, errno.ENOENT)
                self.assertEqual(error.filename, '/nonexistent/joinset-test')
                frames = [f.name for f in traceback.extract_tb(error.__traceback__)]
                self.assertIn('read_missing', frames)
                self.assertNotIn('_call', frames, 'the override\'s frame is left out')
        self.assertEqual(len(raised), 2)

    def test_raised_again_with_the_same_traceback(self):
        joinset = Js.JoinSet()
        joinset.spawn_call(lambda: {}['missing'])
        task = joinset.join_next()
        lengths = []
        for _ in range(3):
            with self.assertRaises(KeyError) as raised:
                task.propagate_value()
            lengths.append(len(traceback.extract_tb(raised.exception.__traceback__)))
        self.assertEqual(len(set(lengths)), 1, lengths)

    def test_joined_in_another_thread_and_by_join_all(self):
        joinset = Js.JoinSet()
        errors = [LookupError('first'), LookupError('second')]

        def fail_with(error):
            raise error

        joinset.spawn_call_in_thread(fail_with, errors[0])
        got = []

        def joiner():
            try:
                joinset.join_next().propagate_value()
            except LookupError as error:
                got.append(error)

        thread = threading.Thread(target=joiner)
        thread.start()
        thread.join(10)
        self.assertEqual(len(got), 1)
        self.assertIs(got[0], errors[0])

        joinset.spawn_call_in_thread(fail_with, errors[1])
        outcome = []
        joinset.join_all_async(None, lambda s, r: outcome.append(s.join_all_finish(r)))
        self.run_until(lambda: outcome, message='join_all_async')
        with self.assertRaises(LookupError) as raised:
            outcome[0][0].propagate_value()
        self.assertIs(raised.exception, errors[1])

    def test_return_error_takes_any_exception(self):
        joinset = Js.JoinSet()
        error = PermissionError(errno.EACCES, 'denied', '/root/secret')
        held = []
        joinset.spawn(held.append)  # completed later, as from a callback
        self.run_until(lambda: held, message='the task function')
        held.pop().return_error(error)
        with self.assertRaises(PermissionError) as raised:
            joinset.join_next().propagate_boolean()
        self.assertIs(raised.exception, error)

    def test_abort_on_error_fires_and_c_errors_stay_glib_errors(self):
        joinset = Js.JoinSet(abort_on_error=True)
        joinset.spawn_in_thread(lambda task: (wait_aborted(task), task.return_int(0)))
        joinset.spawn_call_in_thread(lambda: int('not a number'))
        outcomes = []
        for task in joinset:
            try:
                task.propagate_value()
            except ValueError:
                outcomes.append('ValueError')
            except GLib.Error as error:
                outcomes.append('cancelled' if is_cancelled_error(error) else error.message)
        self.assertEqual(sorted(outcomes), ['ValueError', 'cancelled'])

    def test_c_sees_a_gerror(self):
        # What C code, and GLib.Error handlers, see of a Python exception.
        joinset = Js.JoinSet()
        joinset.spawn_call(lambda: 1 / 0)
        task = joinset.join_next()
        self.assertTrue(task.had_error())
        with self.assertRaises(ZeroDivisionError):
            task.propagate_value()

    def test_exception_is_freed_with_its_task(self):
        joinset = Js.JoinSet()
        finalized = threading.Event()

        class Tracked(ValueError):
            pass  # unlike ValueError, takes weak references

        def fails():
            error = Tracked('freed')
            weakref.finalize(error, finalized.set)
            raise error

        joinset.spawn_call_in_thread(fails)
        task = joinset.join_next()
        with self.assertRaises(ValueError):
            task.propagate_value()
        del task
        # The worker thread may let go of the task just after the join.
        deadline = time.monotonic() + 5
        while not finalized.is_set() and time.monotonic() < deadline:
            gc.collect()
            time.sleep(0.01)
        self.assertTrue(finalized.is_set(), 'the task or its exception leaked')


SIGINT_CHILD = r'''
import sys, threading, time
sys.path[:0] = {path!r}
import jstesting
from jstesting import Js, GLib

def stuck(task):
    while not task.is_cancelled():   # stops only when aborted
        time.sleep(0.005)
    task.return_int(0)

held = []
try:
    with Js.JoinSet() as joinset:
        joinset.spawn_in_thread(stuck)
        joinset.spawn(held.append)   # a main-context task that never returns
        print('joining', flush=True)
        try:
            {join}
        except KeyboardInterrupt:
            print('interrupted', flush=True)
            raise
except KeyboardInterrupt:
    # Closed, shut down and emptied by the with block.
    print('closed' if joinset.is_closed() else 'open', len(joinset), flush=True)
'''


# A thread function that ignores its cancellable keeps shutdown_sync()
# waiting: Ctrl-C stops the wait, not the shutdown.
SHUTDOWN_CHILD = r'''
import signal, sys, threading
sys.path[:0] = {path!r}
import jstesting
from jstesting import Js

started, release = threading.Event(), threading.Event()

def stubborn(task):
    started.set()
    release.wait()               # ignores its cancellable
    task.return_int(0)

held = []
joinset = Js.JoinSet()
joinset.spawn_in_thread(stubborn)
joinset.spawn(held.append)       # a main-context task that never returns
started.wait()                   # else the shutdown need not wait for it
print('joining', flush=True)
try:
    {join}
except KeyboardInterrupt:
    print('interrupted', flush=True)
# Aborted and freed: only the stubborn function still runs.
print('closed' if joinset.is_closed() else 'open', len(joinset),
      signal.getsignal(signal.SIGINT) is signal.default_int_handler, flush=True)
release.set()
joinset.shutdown_sync()          # waits for it, which now returns
print('spawned' if joinset.spawn_call(int) else 'refused', flush=True)
'''


class CtrlCTest(jstesting.TestCase):
    """Point 4: Ctrl-C interrupts a blocking join at once."""

    def interrupt(self, join, child=SIGINT_CHILD, after='closed 0\n'):
        code = child.format(path=sys.path[:1], join=join)
        env = dict(os.environ, G_DEBUG='')
        child = subprocess.Popen([sys.executable, '-c', code], env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            self.assertEqual(child.stdout.readline(), 'joining\n')
            time.sleep(0.3)  # now blocked in the join, no task finishing
            sent = time.monotonic()
            child.send_signal(signal.SIGINT)
            line = ''
            if select.select([child.stdout], [], [], 5)[0]:
                line = child.stdout.readline()
            latency = time.monotonic() - sent
            if line != 'interrupted\n':
                child.kill()
            # Not communicate(): it would lose the lines that readline()
            # read ahead into the buffer of child.stdout.
            killer = threading.Timer(10, child.kill)
            killer.start()
            try:
                rest, errors = child.stdout.read(), child.stderr.read()
                child.wait()
            finally:
                killer.cancel()
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        self.assertEqual(line, 'interrupted\n', errors)
        self.assertLess(latency, 0.1, 'Ctrl-C took {:.0f} ms'.format(latency * 1000))
        # Leaving the with block closed the set and shut it down: the stuck
        # thread task was aborted (else the block would not have ended)
        # and both tasks were freed.
        self.assertEqual(rest, after, errors)
        self.assertEqual(child.returncode, 0, errors)

    def test_iteration(self):
        self.interrupt('for task in joinset: print("joined", task)')

    def test_join_next(self):
        self.interrupt('joinset.join_next()')

    def test_join_all_sync(self):
        self.interrupt('joinset.join_all_sync()')

    def test_join_by_id(self):
        self.interrupt('joinset.join_by_id(1)')  # the stuck thread task

    def test_shutdown_sync(self):
        # The wait stops; the set stays empty and open, and a second
        # shutdown_sync() waits for the function left running.
        self.interrupt('joinset.shutdown_sync()', SHUTDOWN_CHILD,
                       'open 0 True\nspawned\n')

    def test_with_block_exit(self):
        # Leaving the block closes the set, then waits in shutdown_sync().
        self.interrupt('with joinset: pass', SHUTDOWN_CHILD,
                       'closed 0 True\nrefused\n')

    def test_ctrl_c_in_a_loop_body_then_shutdown_sync(self):
        # Pressed while the body runs, it is raised by the shutdown_sync()
        # of the body: the tasks are aborted and freed, and it does not wait
        # for a function that ignores its cancellable.
        joinset = Js.JoinSet()
        started, release = threading.Event(), threading.Event()
        joinset.spawn_call(lambda: 1)
        joinset.spawn_call_in_thread(lambda: started.set() or release.wait())
        self.assertTrue(started.wait(5))  # else the shutdown need not wait
        fallback = threading.Timer(5, release.set)  # never hang the test
        fallback.start()
        try:
            with self.assertRaises(KeyboardInterrupt):
                for task in joinset:
                    os.kill(os.getpid(), signal.SIGINT)
                    time.sleep(0.05)  # Python runs the handler here: no raise
                    start = time.monotonic()
                    joinset.shutdown_sync()
            waited = time.monotonic() - start
            self.assertFalse(release.is_set(), 'shutdown_sync() waited for the function')
            self.assertLess(waited, 1)
            self.assertEqual(len(joinset), 0)
            self.assertFalse(joinset.is_closed())
            self.assertIs(signal.getsignal(signal.SIGINT), signal.default_int_handler)
        finally:
            release.set()
            fallback.cancel()
        joinset.shutdown_sync()

    def test_ctrl_c_in_a_loop_body_is_raised_by_the_next_step(self):
        joinset = Js.JoinSet()
        for n in range(3):
            joinset.spawn_call(lambda n=n: n)
        handled = []
        with self.assertRaises(KeyboardInterrupt):
            for task in joinset:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.05)  # Python runs the handler here: no raise
                handled.append(task.propagate_value())
        self.assertEqual(len(handled), 1, 'the body ran to its end once')
        self.assertIs(signal.getsignal(signal.SIGINT), signal.default_int_handler)
        self.assertEqual(len(joinset), 2)

    def test_ctrl_c_twice_in_a_loop_body_raises_at_once(self):
        joinset = Js.JoinSet()
        joinset.spawn_call(lambda: 1)
        handled = []
        with self.assertRaises(KeyboardInterrupt):
            for task in joinset:
                for _ in range(2):
                    os.kill(os.getpid(), signal.SIGINT)
                    time.sleep(0.05)
                handled.append(task)
        self.assertEqual(handled, [])
        self.assertIs(signal.getsignal(signal.SIGINT), signal.default_int_handler)

    def test_ctrl_c_in_a_join_nested_in_a_task_function(self):
        outer, inner = Js.JoinSet(), Js.JoinSet()
        held = []
        inner.spawn(held.append)  # completes only at the end of the test

        def parent():
            threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGINT)).start()
            return inner.join_next()  # blocks in the outer join's iteration

        outer.spawn_call(parent)
        with self.assertRaises(KeyboardInterrupt):
            outer.join_next()  # raised here too, not only in parent()
        with self.assertRaises(KeyboardInterrupt):
            outer.join_next().propagate_value()  # what parent() raised
        self.assertIs(signal.getsignal(signal.SIGINT), signal.default_int_handler)
        held.pop().return_int(0)
        self.assertEqual(inner.join_next().propagate_int(), 0)

    def test_handlers_left_as_they_were(self):
        joinset = Js.JoinSet()
        joinset.spawn_call_in_thread(time.sleep, 0.05)
        joinset.join_next()
        self.assertIs(signal.getsignal(signal.SIGINT), signal.default_int_handler)
        self.assertEqual(signal.set_wakeup_fd(-1), -1)

        calls = []
        previous = signal.signal(signal.SIGINT, lambda *args: calls.append(args))
        try:
            joinset.spawn_call_in_thread(os.kill, os.getpid(), signal.SIGINT)
            joinset.spawn_call_in_thread(time.sleep, 0.2)
            self.assertEqual(len(joinset.join_all_sync()), 2)  # not interrupted
            self.assertEqual(len(calls), 1, 'a handler of the user\'s runs instead')
        finally:
            signal.signal(signal.SIGINT, previous)

    def test_user_cancellable_still_cancels(self):
        joinset = Js.JoinSet()
        held = []
        joinset.spawn(held.append)
        cancellable = Gio.Cancellable()
        GLib.timeout_add(50, lambda: cancellable.cancel() or GLib.SOURCE_REMOVE)
        with self.assertRaises(GLib.Error) as raised:
            joinset.join_next(cancellable)
        self.assertTrue(is_cancelled_error(raised.exception))
        held.pop().return_int(1)
        self.assertEqual(joinset.join_next().propagate_int(), 1)


class Payload:
    pass


class AnyValueTest(jstesting.TestCase):
    """Point 6: any Python object is a value."""

    def test_any_object_round_trips(self):
        payload = Payload()
        values = [2 ** 40, -2 ** 70, None, [1, 'two'], {'k': (3,)}, payload, 'text', 1.5]
        joinset = Js.JoinSet(ordered=True)
        for value in values:
            joinset.spawn(lambda task, v: task.return_value(v), value)
            joinset.spawn_in_thread(lambda task, v: task.return_value(v), value)
        got = [task.propagate_value() for task in joinset]
        self.assertEqual(got, [v for v in values for _ in range(2)])
        self.assertIs(got[values.index(payload) * 2], payload)
        self.assertIs(got[values.index(payload) * 2 + 1], payload)

    def test_gvalue_is_passed_as_it_is(self):
        joinset = Js.JoinSet()
        joinset.spawn(lambda t: t.return_value(GObject.Value(GObject.TYPE_UINT64, 2 ** 63)))
        self.assertEqual(joinset.join_next().propagate_value(), 2 ** 63)


class WrongGetterTest(jstesting.TestCase):
    """Point 8: a wrong-type read raises TypeError."""

    def test_wrong_getter_raises_type_error(self):
        joinset = Js.JoinSet(ordered=True)
        joinset.spawn(lambda t: t.return_int(1))
        joinset.spawn(lambda t: t.return_value('text'))
        joinset.spawn(lambda t: t.return_boolean(True))
        joinset.spawn_call(lambda: 'spawn_call')
        by_int, by_value, by_boolean, by_call = joinset.join_all_sync()
        with self.assertRaisesRegex(TypeError, 'propagate_int'):
            by_int.propagate_value()
        with self.assertRaisesRegex(TypeError, 'propagate_value'):
            by_value.propagate_boolean()
        with self.assertRaisesRegex(TypeError, 'propagate_boolean'):
            by_boolean.propagate_int()
        with self.assertRaises(TypeError):
            by_call.propagate_int()
        # The right getter still works afterwards.
        self.assertEqual((by_int.propagate_int(), by_value.propagate_value(),
                          by_boolean.propagate_boolean(), by_call.propagate_value()),
                         (1, 'text', True, 'spawn_call'))

    def test_failed_task_raises_its_error_whatever_the_getter(self):
        joinset = Js.JoinSet()
        joinset.spawn(lambda t: t.return_error(KeyError('k')))
        task = joinset.join_next()
        for getter in (task.propagate_value, task.propagate_int, task.propagate_boolean):
            with self.assertRaises(KeyError):
                getter()


class PointerApiTest(jstesting.TestCase):
    """Point 7: the pointer API is not part of the Python API."""

    def test_no_pointer_methods(self):
        for name in ('return_pointer', 'propagate_pointer'):
            self.assertFalse(hasattr(Js.Task, name), name)
        joinset = Js.JoinSet()
        joinset.spawn(lambda t: t.return_value(1))
        task = joinset.join_next()
        with self.assertRaisesRegex(AttributeError, 'propagate_value'):
            task.propagate_pointer()


class SpawnFullTest(jstesting.TestCase):
    """Point 10: spawn_full(func, *data, name=, timeout_ms=, in_thread=)."""

    def test_keyword_options(self):
        joinset = Js.JoinSet()
        main = threading.get_ident()

        def body(task, a, b):
            task.return_value((task.get_name(), a, b, threading.get_ident() != main))

        joinset.spawn_full(body, 1, 2, name='in-thread', in_thread=True)
        joinset.spawn_full(body, 3, 4, name='flags', flags=Js.SpawnFlags.IN_THREAD)
        joinset.spawn_full(body, 5, 6)
        joinset.spawn_call_full(lambda: Js.current_task().get_name(), name='call',
                                flags=Js.SpawnFlags.IN_THREAD)
        got = sorted(map(repr, (t.propagate_value() for t in joinset)))
        self.assertEqual(got, sorted(map(repr, [('in-thread', 1, 2, True), ('flags', 3, 4, True),
                                                (None, 5, 6, False), 'call'])))

        joinset.spawn_full(lambda task: wait_aborted(task), timeout_ms=20)
        with self.assertRaises(GLib.Error) as raised:
            joinset.join_next().propagate_value()
        self.assertTrue(raised.exception.matches(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.TIMED_OUT))

    def test_the_c_order_is_refused_with_a_hint(self):
        joinset = Js.JoinSet()
        with self.assertRaisesRegex(TypeError, r'spawn_full\(func, \*data, name=None'):
            joinset.spawn_full(Js.SpawnFlags.DEFAULT, 'name', 0, lambda t: None)
        self.assertTrue(joinset.is_empty())


class HelpTest(jstesting.TestCase):
    """Point 11: help() shows the override's API."""

    def test_every_public_method_documented_in_help(self):
        for cls in (Js.JoinSet, Js.Task):
            text = pydoc.render_doc(cls, renderer=pydoc.plaintext)
            for name, member in vars(cls).items():
                if not callable(member) or (name.startswith('_') and name not in (
                        '__iter__', '__len__', '__enter__', '__exit__')):
                    continue
                self.assertTrue(member.__doc__, '{}.{} has no docstring'.format(
                    cls.__name__, name))
                first_line = member.__doc__.strip().splitlines()[0].strip()
                self.assertIn(first_line, text, '{}.{}'.format(cls.__name__, name))
        self.assertIn('spawn_call_in_thread', pydoc.render_doc(Js.JoinSet,
                                                               renderer=pydoc.plaintext))
        self.assertIn('docs/python.md', sys.modules['gi.overrides.Js'].__doc__)


class InstallDirTest(jstesting.TestCase):
    """Point 5: installed where the interpreter finds it."""

    def test_default_prefix_installs_on_sys_path(self):
        build = os.path.join(os.environ['G_TEST_BUILDDIR'], '..', '..')
        with open(os.path.join(build, 'meson-info', 'intro-installed.json')) as f:
            installed = json.load(f)
        with open(os.path.join(build, 'meson-info', 'intro-buildoptions.json')) as f:
            prefix = next(o['value'] for o in json.load(f) if o['name'] == 'prefix')
        targets = [dest for src, dest in installed.items()
                   if src.endswith(os.path.join('bindings', 'python', 'Js.py'))]
        if not targets:
            self.skipTest('the override is not installed by this build')
        site = os.path.dirname(os.path.dirname(os.path.dirname(targets[0])))
        self.assertEqual(targets[0], os.path.join(site, 'gi', 'overrides', 'Js.py'))
        if prefix not in ('/usr', '/usr/local'):
            self.skipTest('a custom prefix ({}): PYTHONPATH={}'.format(prefix, site))
        python_path = subprocess.run(
            [os.environ.get('JS_PYTHON', sys.executable), '-c', 'import sys; print(sys.path)'],
            env={'PATH': os.environ.get('PATH', '')}, capture_output=True, text=True,
            check=True).stdout
        self.assertIn(repr(site), python_path)


if __name__ == '__main__':
    jstesting.main()
