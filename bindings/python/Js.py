# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyGObject overrides for libjoinset (``gi.repository.Js``).

They make a ``Js.JoinSet`` feel like a Python container of tasks, let a
plain Python callable be a task, and give Python its own values and
exceptions back::

    import gi
    gi.require_version('Js', '1')
    from gi.repository import Js

    def word_length(word):
        return len(word)                  # runs on a worker thread

    with Js.JoinSet(max_concurrent=4) as joinset:
        ids = {joinset.spawn_call_in_thread(word_length, w): w
               for w in ('one', 'three', 'four')}
        for task in joinset:              # completion order; Ctrl-C works
            try:
                print(ids[task.get_id()], task.propagate_value())
            except Exception as error:    # what word_length raised
                print(ids[task.get_id()], 'failed:', error)

The guide is ``docs/python.md`` (the "Python" page of the API reference);
``help(Js.JoinSet)`` and ``help(Js.Task)`` show every method. What is added
to the introspected API:

- ``JoinSet.spawn_call(func, *args, **kwargs)``,
  ``spawn_call_in_thread()`` and ``spawn_call_full()``: ``func(*args,
  **kwargs)`` is the task; what it returns is the task's value, what it
  raises the task's error.
- ``JoinSet.spawn(func, *data)``, ``spawn_in_thread()`` and
  ``spawn_full(func, *data, name=None, timeout_ms=0, in_thread=False,
  flags=Js.SpawnFlags.DEFAULT)``: ``func(task, *data)`` completes ``task``
  itself, now or later; if it raises before, the exception fails the task
  at once.
- ``Task.return_value(obj)`` takes any Python object; ``return_error(exc)``
  any exception; ``propagate_value()``, ``propagate_int()`` and
  ``propagate_boolean()`` return the value or raise the task's error: the
  very exception object the task raised, with its traceback, or a
  ``GLib.Error`` for what happened in C (``Gio.IOErrorEnum.CANCELLED`` for
  an aborted task, ``TIMED_OUT``, ``Js.JoinError.ABANDONED``). Reading a
  result with the wrong ``propagate_*()`` raises ``TypeError``.
- ``JoinSet.spawn_async(start, finish, *args)``: a GIO asynchronous
  operation as a task, e.g. ``spawn_async(file.load_bytes_async,
  file.load_bytes_finish)``.
- ``len(joinset)``, ``for task in joinset``, ``join_all_sync()``,
  ``shutdown_sync()`` and ``with joinset:`` (closed and shut down on exit:
  no task function of the set outlives the block).
- A blocking ``join_next()``, ``join_by_id()``, ``shutdown_sync()`` or
  iteration in the main thread raises ``KeyboardInterrupt`` at once on
  Ctrl-C, even if no task finishes.
- ``current_task()``: the task whose function runs in this thread.

The pointer API (``return_pointer``, ``propagate_pointer``) is not
available: use ``return_value()``.

Threads: a function spawned on the thread pool runs Python code, so it takes
the GIL like any Python thread. PyGObject releases the GIL while the C
library waits (in ``join_next()`` and the main loop), so worker threads and
the main loop run concurrently. Dropping the last reference to a set aborts
its tasks; the callables (and what they captured) are released once their
tasks are done with them.
"""

import os
import signal
import threading

from gi.repository import GLib, GObject, Gio

from ..module import get_introspection_module
from ..overrides import override

Js = get_introspection_module('Js')

__all__ = ['PYTHON_ERROR_DOMAIN', 'current_task']

#: The ``GLib.Error`` domain that C code (and ``abort-on-error``) sees for a
#: task whose Python function raised an exception other than ``GLib.Error``;
#: the code is 0 and the message starts with the exception's class name.
#: Python code gets the exception itself back.
PYTHON_ERROR_DOMAIN = 'js-python-error-quark'

_local = threading.local()


def current_task():
    """Return the ``Js.Task`` whose function (given to a ``spawn*()``
    method) runs in this thread, or ``None`` outside of one."""
    return getattr(_local, 'task', None)


# What a task carries for Python besides its C result. The attributes live
# on the task's wrapper: PyGObject keeps a wrapper that has attributes alive
# as long as its GObject (a toggle reference), so the thread that joins the
# task, whichever it is, sees them, and they go with the task.
_KIND = '_js_kind'            # 'value', 'boolean' or 'int': what it returned
_RAISED = '_js_raised'        # _Raised: the exception it failed with


class _Raised:
    """A Python exception a task failed with, and the GError C got."""

    __slots__ = ('exception', 'traceback', 'domain', 'code', 'message')

    def __init__(self, exception, traceback, error):
        self.exception = exception
        self.traceback = traceback
        self.domain = error.domain
        self.code = error.code
        self.message = error.message

    def is_for(self, error):
        """Whether error is the GError made from this exception (and not,
        say, the abort that came first and made it too late)."""
        return (error.domain, error.code, error.message) == \
            (self.domain, self.code, self.message)


def _error_from_exception(exc):
    if isinstance(exc, GLib.Error):
        return exc
    message = '{}: {}'.format(type(exc).__name__, exc) if str(exc) else type(exc).__name__
    return GLib.Error(message, PYTHON_ERROR_DOMAIN, 0)


def _return_exception(task, exc, traceback):
    """Fail task with exc: C (joins, abort-on-error) gets a GError, Python
    code that propagates the task gets exc itself."""
    error = _error_from_exception(exc)
    exc.__traceback__ = traceback
    setattr(task, _RAISED, _Raised(exc, traceback, error))
    Js.Task.return_error(task, error)


def _fail_at_once(task, exc):
    """The task function raised exc: fail its task with it, unless the task
    has its outcome already. Returns False if exc is left unhandled: the
    function completed the task, then raised."""
    if task.get_completed():
        return task.is_cancelled()  # aborted first: exc answers the abort
    # Drop this module's frame (which holds the task) from the traceback.
    traceback = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
    _return_exception(task, exc, traceback)
    return True


def _run(task, func, data):
    """The body of a spawn*() task: func(task, *data), which completes the
    task; an exception it raises first fails the task at once."""
    outer = current_task()
    _local.task = task
    try:
        func(task, *data)
    except BaseException as exc:
        if not _fail_at_once(task, exc) or not isinstance(exc, Exception):
            raise  # printed by PyGObject; KeyboardInterrupt, SystemExit
    finally:
        _local.task = outer


def _call(task, func, args, kwargs):
    """The body of a spawn_call*() task: func(*args, **kwargs), whose value
    or exception completes the task."""
    outer = current_task()
    _local.task = task
    try:
        value = func(*args, **kwargs)
    except BaseException as exc:
        if not _fail_at_once(task, exc) or not isinstance(exc, Exception):
            raise  # printed by PyGObject; KeyboardInterrupt, SystemExit
    else:
        Task.return_value(task, value)
    finally:
        _local.task = outer


def _start_async(task, start, finish, args):
    """The body of a spawn_async() task: start(*args, cancellable,
    callback); the callback's finish(result) completes the task. After an
    abort the task has joined already: finish still runs (so that what it
    returns is freed) and its outcome is dropped."""

    def ready(source, result, *unused):
        try:
            value = finish(result)
        except BaseException as exc:
            if not _fail_at_once(task, exc) or not isinstance(exc, Exception):
                raise  # printed by PyGObject; KeyboardInterrupt, SystemExit
        else:
            if not task.get_completed():
                Task.return_value(task, value)

    _run(task, lambda task: start(*args, task.get_cancellable(), ready), ())


def _spawn_flags(in_thread, flags):
    flags = Js.SpawnFlags(flags if flags is not None else Js.SpawnFlags.DEFAULT)
    return flags | Js.SpawnFlags.IN_THREAD if in_thread else flags


def _check_callable(method, func):
    if isinstance(func, Js.SpawnFlags) or not callable(func):
        raise TypeError('{}() takes the task function first: {}(func, *data, name=None, '
                        'timeout_ms=0, in_thread=False, flags=Js.SpawnFlags.DEFAULT)'
                        .format(method, method))


# Ctrl-C during a blocking join. Python runs its signal handlers only when
# the main thread runs Python code, and a join blocks in C. So while a join
# waits in the main thread, a handler of ours records the signal, and
# Python's C-level handler writes it to a pipe (signal.set_wakeup_fd) that a
# waker thread reads: it cancels the waiting joins at once, and the join
# raises KeyboardInterrupt. Only while SIGINT has Python's default handler,
# as PyGObject's own GLib.MainLoop.run() does.
#
# A `for task in joinset` loop keeps the handler during its body too, as
# asyncio does: Ctrl-C pressed while the body runs is raised by the next
# step of the loop, so a result is never half handled; a second Ctrl-C
# before that step raises at once.
class _SigintGuard:

    # Guards waiting, pending, presses, old_wakeup_fd. Reentrant: _handler
    # runs between two bytecodes of the main thread, which may hold it
    # already (a Ctrl-C in the middle of enter() deadlocked with a Lock).
    lock = threading.RLock()
    waiting = set()          # the cancellables of the joins waiting
    pending = False          # Ctrl-C not raised as KeyboardInterrupt yet
    presses = 0              # how many times, while no join waited
    depth = 0                # guards entered: joins, iterations
    joins = 0                # guarded joins, nested in task functions
    old_wakeup_fd = -1
    write_fd = None

    @classmethod
    def _waker(cls, read_fd):
        while True:
            data = os.read(read_fd, 256)
            with cls.lock:
                # Only cancels: the handler, which Python runs when the
                # join returns, records the Ctrl-C (a late byte must not
                # count twice).
                waiting = list(cls.waiting) if signal.SIGINT in data else []
                forward = cls.old_wakeup_fd
            for cancellable in waiting:
                cancellable.cancel()
            if forward >= 0:
                try:
                    os.write(forward, data)
                except OSError:
                    pass

    @classmethod
    def _handler(cls, signum, frame):
        with cls.lock:
            cls.pending = True
            waiting = list(cls.waiting)
            cls.presses = 0 if waiting else cls.presses + 1
            again = cls.presses > 1 and cls.depth > 0
        for cancellable in waiting:
            cancellable.cancel()
        if again:  # pressed twice while a loop body runs: do not wait
            cls.take()
            raise KeyboardInterrupt

    @classmethod
    def forget_waker(cls):
        """In a forked child, which has no waker thread: start another."""
        cls.write_fd = None

    @classmethod
    def is_active(cls):
        """Whether this thread is the main thread, inside a guard."""
        return cls.depth > 0 and threading.current_thread() is threading.main_thread()

    @classmethod
    def enter(cls):
        """Installs the handler (the first guard in); returns False, and
        does nothing, outside the main thread or if SIGINT has a handler
        of the user's."""
        if threading.current_thread() is not threading.main_thread():
            return False
        if cls.depth == 0:
            if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
                return False
            with cls.lock:
                cls.pending, cls.presses = False, 0
            # Ours first: from here a Ctrl-C is recorded, never raised in
            # the middle of starting the waker (a thread whose start was
            # interrupted would run during the interpreter's finalization).
            signal.signal(signal.SIGINT, cls._handler)
            if cls.write_fd is None:
                read_fd, write_fd = os.pipe()
                os.set_blocking(write_fd, False)
                threading.Thread(target=cls._waker, args=(read_fd,), daemon=True,
                                 name='Js SIGINT waker').start()
                cls.write_fd = write_fd
            with cls.lock:
                cls.old_wakeup_fd = signal.set_wakeup_fd(cls.write_fd,
                                                         warn_on_full_buffer=False)
        cls.depth += 1
        return True

    @classmethod
    def arm(cls, cancellable):
        """Ctrl-C cancels cancellable, until disarm()."""
        with cls.lock:
            cls.waiting.add(cancellable)

    @classmethod
    def disarm(cls, cancellable):
        with cls.lock:
            cls.waiting.discard(cancellable)

    @classmethod
    def take(cls):
        """Returns whether Ctrl-C was pressed: the caller raises
        KeyboardInterrupt. The outermost join forgets it; a join nested in
        a task function leaves it to the join that runs that function."""
        with cls.lock:
            pending = cls.pending
            if cls.joins <= 1:
                cls.pending, cls.presses = False, 0
        return pending

    @classmethod
    def leave(cls):
        """The last guard out puts Python's handler back, and hands it a
        Ctrl-C that nobody raised."""
        cls.depth -= 1
        if cls.depth == 0:
            with cls.lock:
                signal.set_wakeup_fd(cls.old_wakeup_fd)
                cls.old_wakeup_fd = -1
            signal.signal(signal.SIGINT, signal.default_int_handler)
            if cls.take():
                signal.raise_signal(signal.SIGINT)


os.register_at_fork(after_in_child=_SigintGuard.forget_waker)

_INTERRUPTED = object()


def _join_or_interrupted(join, cancellable, interrupted=False):
    """One blocking join (join(cancellable): join_next(), join_by_id(),
    shutdown_sync()'s wait) that Ctrl-C cancels: returns the task (or
    None), or _INTERRUPTED when the join was cancelled by anything but
    cancellable (Ctrl-C, whose KeyboardInterrupt the caller raises).
    interrupted: Ctrl-C was pressed already, the join starts cancelled."""
    waiting = Gio.Cancellable()
    if interrupted:
        waiting.cancel()
    _SigintGuard.arm(waiting)
    handler = 0
    if cancellable is not None:
        handler = GObject.Object.connect(cancellable, 'cancelled', lambda c: waiting.cancel())
        if cancellable.is_cancelled():
            waiting.cancel()
    try:
        return join(waiting)
    except GLib.Error:
        if not waiting.is_cancelled():
            raise  # the join's own error (an unknown id, say)
        if cancellable is not None:
            cancellable.set_error_if_cancelled()  # the caller's cancellation
        return _INTERRUPTED
    finally:
        if handler:
            GObject.Object.disconnect(cancellable, handler)
        _SigintGuard.disarm(waiting)


class JoinSet(Js.JoinSet):
    """A group of tasks with one owner: Python's view of ``JsJoinSet``.

    Spawn with ``spawn_call*()`` (a plain callable) or ``spawn*()`` (a
    function that completes its task), join with ``for task in joinset``,
    ``join_next()`` or ``join_next_async()``, and use it in a ``with``
    statement so that nothing it started outlives the block. See
    ``docs/python.md``."""

    def spawn(self, func, *data):
        """Spawn ``func(task, *data)`` in the set's main context (the
        thread-default context where the set was made). ``func`` completes
        ``task`` with a ``task.return_*()`` method, now or later (from a
        callback). If it raises before, the exception fails the task at
        once. Returns the task id, or 0 if the set is closed."""
        _check_callable('spawn', func)
        return Js.JoinSet.spawn(self, _run, func, data)

    def spawn_in_thread(self, func, *data):
        """Spawn ``func(task, *data)`` on the shared thread pool; as
        ``spawn()`` otherwise. Returns the task id, or 0 if the set is
        closed."""
        _check_callable('spawn_in_thread', func)
        return Js.JoinSet.spawn_in_thread(self, _run, func, data)

    def spawn_full(self, func, *data, name=None, timeout_ms=0, in_thread=False, flags=None):
        """Spawn ``func(task, *data)`` as ``spawn()`` does, with options:
        ``name`` (``Task.get_name()``), ``timeout_ms`` (a time limit of its
        own from the call of ``func``, 0 for none; the set's ``timeout``
        does not apply: a task out of time is aborted and joins with
        ``Gio.IOErrorEnum.TIMED_OUT``), ``in_thread=True`` (or
        ``flags=Js.SpawnFlags.IN_THREAD``) to run on the thread pool.
        Returns the task id, or 0 if the set is closed."""
        _check_callable('spawn_full', func)
        return Js.JoinSet.spawn_full(self, _spawn_flags(in_thread, flags), name,
                                     timeout_ms, _run, func, data)

    def spawn_call(self, func, *args, **kwargs):
        """Spawn ``func(*args, **kwargs)`` in the set's main context; what
        it returns (any Python object) is the task's value, what it raises
        the task's error. Returns the task id, or 0 if the set is
        closed."""
        return Js.JoinSet.spawn(self, _call, func, args, kwargs)

    def spawn_call_in_thread(self, func, *args, **kwargs):
        """Spawn ``func(*args, **kwargs)`` on the thread pool; as
        ``spawn_call()`` otherwise."""
        return Js.JoinSet.spawn_in_thread(self, _call, func, args, kwargs)

    def spawn_call_full(self, func, *args, name=None, timeout_ms=0, in_thread=False,
                        flags=None, **kwargs):
        """Spawn ``func(*args, **kwargs)`` as ``spawn_call()`` does, with
        the options of ``spawn_full()`` (``name``, ``timeout_ms``,
        ``in_thread``, ``flags``), which are not passed to ``func``: give a
        ``func`` that takes such keywords through ``functools.partial()``."""
        _check_callable('spawn_call_full', func)
        return Js.JoinSet.spawn_full(self, _spawn_flags(in_thread, flags), name,
                                     timeout_ms, _call, func, args, kwargs)

    def spawn_async(self, start, finish, *args, name=None, timeout_ms=0):
        """Spawn a task that is one GIO asynchronous operation, in the
        set's main context: ``start(*args, cancellable, callback)`` begins
        it with the task's cancellable (aborting the task cancels it), and
        the task's value is what ``finish(result)`` returns; what either
        raises fails the task. One line per operation::

            joinset.spawn_async(file.load_bytes_async, file.load_bytes_finish)
            joinset.spawn_async(file.read_async, file.read_finish,
                                GLib.PRIORITY_DEFAULT)

        (the second gives ``read_async`` its priority before the
        cancellable). The set's policies apply (``max-concurrent``,
        ``timeout``, ``abort-on-error``); ``name`` and ``timeout_ms`` are
        those of ``spawn_full()``. An aborted task joins with
        ``Gio.IOErrorEnum.CANCELLED`` at once. Returns the task id, or 0 if
        the set is closed."""
        _check_callable('spawn_async', start)
        _check_callable('spawn_async', finish)
        if name is None and not timeout_ms:
            return Js.JoinSet.spawn(self, _start_async, start, finish, args)
        return Js.JoinSet.spawn_full(self, Js.SpawnFlags.DEFAULT, name, timeout_ms,
                                     _start_async, start, finish, args)

    def join_next(self, cancellable=None):
        """Block until the next task finishes and return it, or ``None``
        once the set is empty. In the set's home thread it iterates the
        set's main context while it waits, so main-context tasks keep
        running. Raises ``GLib.Error`` (``CANCELLED``) if ``cancellable``
        is cancelled, and in the main thread ``KeyboardInterrupt`` at once
        on Ctrl-C (unless SIGINT has a handler of your own)."""
        if not _SigintGuard.is_active():
            task = Js.JoinSet.try_join_next(self)  # no need for a handler
            if task is not None or Js.JoinSet.is_empty(self):
                return task
        if not _SigintGuard.enter():
            return Js.JoinSet.join_next(self, cancellable)
        _SigintGuard.joins += 1
        try:
            while True:
                if _SigintGuard.take():  # pressed during a loop's body
                    raise KeyboardInterrupt
                task = Js.JoinSet.try_join_next(self)
                if task is not None or Js.JoinSet.is_empty(self):
                    return task
                task = _join_or_interrupted(lambda c: Js.JoinSet.join_next(self, c),
                                            cancellable)
                if task is not _INTERRUPTED:
                    return task
        finally:
            _SigintGuard.joins -= 1
            _SigintGuard.leave()

    def join_by_id(self, task_id, cancellable=None):
        """Block until the task ``task_id`` (what a ``spawn*()`` method
        returned) finishes, and take it, leaving the other tasks in the
        set; as ``join_next()``, it iterates the set's main context in its
        home thread, and raises ``KeyboardInterrupt`` at once on Ctrl-C in
        the main thread. Raises ``GLib.Error``: ``Js.JoinError.UNKNOWN_TASK``
        for an id that is not in the set (or was joined),
        ``Gio.IOErrorEnum.PENDING`` if another join by id waits for it,
        ``CANCELLED`` if ``cancellable`` is cancelled."""
        if not _SigintGuard.enter():
            return Js.JoinSet.join_by_id(self, task_id, cancellable)
        _SigintGuard.joins += 1
        try:
            while True:
                if _SigintGuard.take():  # pressed during a loop's body
                    raise KeyboardInterrupt
                task = _join_or_interrupted(lambda c: Js.JoinSet.join_by_id(self, task_id, c),
                                            cancellable)
                if task is not _INTERRUPTED:
                    return task
        finally:
            _SigintGuard.joins -= 1
            _SigintGuard.leave()

    def __len__(self):
        """The number of tasks not joined yet (``get_length()``)."""
        return self.get_length()

    def __bool__(self):
        # "if joinset:" tests for None, as with every GObject, not emptiness.
        return True

    def __iter__(self):
        """Join every task, in completion order (or spawn order with
        ``ordered``), including tasks spawned meanwhile; each step is a
        ``join_next()``. In the main thread, Ctrl-C pressed while the
        loop's body runs raises ``KeyboardInterrupt`` at the next step (so
        a result is never half handled), or at once if pressed twice."""
        guarded = _SigintGuard.enter()
        try:
            while True:
                task = self.join_next()
                if task is None:
                    return
                yield task
        finally:
            if guarded:
                _SigintGuard.leave()

    def join_all_sync(self):
        """Join every task, including tasks spawned meanwhile, and return
        them in completion order: ``list(joinset)``."""
        return list(self)

    def shutdown_sync(self, cancellable=None):
        """Abort every unfinished task, free what nobody joined, and block
        until no task function of the set is running any more (see
        ``shutdown_async()``): the set is then empty, and accepts new tasks
        again unless ``close()`` was called. Raises ``GLib.Error`` if
        ``cancellable`` is cancelled first.

        As ``join_next()`` does, it iterates the thread-default main context
        while it waits, unless another thread runs that context.

        In the main thread, Ctrl-C raises ``KeyboardInterrupt`` at once
        (unless SIGINT has a handler of your own): it stops the wait, as
        ``cancellable`` does, not the shutdown. The tasks were aborted and
        freed when the call began, so the set is empty, and accepts new
        tasks again unless it is closed; only a task function that ignores
        its cancellable may still be running. Call ``shutdown_sync()``
        again to wait for it."""
        context = GLib.MainContext.ref_thread_default()

        def wait(waiting):
            done = threading.Event()
            outcome = []

            def finish(joinset, result):
                try:
                    outcome.append(joinset.shutdown_finish(result))
                except GLib.Error as error:
                    outcome.append(error)
                done.set()

            self.shutdown_async(waiting, finish)
            if context.acquire():
                try:
                    while not done.is_set():
                        context.iteration(True)
                finally:
                    context.release()
            else:
                done.wait()
            if isinstance(outcome[0], GLib.Error):
                raise outcome[0]

        if not _SigintGuard.enter():
            wait(cancellable)
            return
        _SigintGuard.joins += 1
        try:
            # Pressed during a loop's body: shut down, but do not wait.
            pressed = _SigintGuard.take()
            while True:
                if _join_or_interrupted(wait, cancellable, pressed) is not _INTERRUPTED:
                    return
                if _SigintGuard.take() or pressed:
                    raise KeyboardInterrupt
        finally:
            _SigintGuard.joins -= 1
            _SigintGuard.leave()

    def __enter__(self):
        """``with joinset:`` returns the set itself."""
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        """Leaving the block (normally, by an exception, or by Ctrl-C)
        closes the set (``close()``: later spawns return 0) and shuts it
        down with ``shutdown_sync()``: unfinished tasks are aborted, what
        was not joined is freed, and no task function of the set runs after
        the block. Ctrl-C while it waits for a task function that ignores
        its cancellable stops the wait (see ``shutdown_sync()``): the set
        is closed and empty, and that function may still be running."""
        self.close()
        self.shutdown_sync()
        return False


JoinSet = override(JoinSet)
__all__.append('JoinSet')

# The C function fills a caller-allocated GValue and returns a gboolean that
# only repeats whether it raised; drop that boolean if the typelib has it.
_PROPAGATE_VALUE_HAS_OUT_ARG = bool(Js.Task.propagate_value.get_arguments())


def _propagate_value(task):
    result = Js.Task.propagate_value(task)
    return result[1] if _PROPAGATE_VALUE_HAS_OUT_ARG else result


class _Unavailable:
    """A C method that Python cannot use: reading it raises AttributeError,
    so hasattr() is False and the error names the alternative."""

    def __init__(self, instead):
        self.instead = instead

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        raise AttributeError('Js.Task.{} is not available from Python: use {}'
                             .format(self.name, self.instead))


class Task(Js.Task):
    """One task of a set: its function completes it with a ``return_*()``
    method, whoever joins it reads the outcome with ``propagate_value()``
    (or ``propagate_int()``, ``propagate_boolean()``)."""

    return_pointer = _Unavailable('return_value(), which takes any Python object')
    propagate_pointer = _Unavailable('propagate_value()')

    def return_value(self, value):
        """Complete the task with ``value``: any Python object (``None``,
        ``2**70``, a list, an object...), read back as itself by
        ``propagate_value()``. A ``GObject.Value`` is passed to C as it is
        (for a C consumer that expects a given GType)."""
        if not isinstance(value, GObject.Value):
            value = GObject.Value(GObject.TYPE_PYOBJECT, value)
        setattr(self, _KIND, 'value')
        Js.Task.return_value(self, value)

    def return_boolean(self, value):
        """Complete the task with a boolean, read by
        ``propagate_boolean()``."""
        setattr(self, _KIND, 'boolean')
        Js.Task.return_boolean(self, value)

    def return_int(self, value):
        """Complete the task with an integer that fits a C ``gssize``, read
        by ``propagate_int()``."""
        setattr(self, _KIND, 'int')
        Js.Task.return_int(self, value)

    def return_error(self, error):
        """Fail the task with ``error``: a ``GLib.Error``, or any exception,
        which ``propagate_*()`` raises again as the same object."""
        if not isinstance(error, BaseException):
            raise TypeError('return_error() takes an exception, not {!r}'.format(error))
        _return_exception(self, error, error.__traceback__)

    def _propagate(self, kind, getter):
        stored = getattr(self, _KIND, None)
        if stored is not None and stored != kind and not self.had_error():
            raise TypeError('task {} returned with return_{}(): read it with propagate_{}()'
                            .format(self.get_id(), stored, stored))
        raised = getattr(self, _RAISED, None)
        try:
            return getter(self)
        except GLib.Error as error:
            # C's answer to a wrong getter, for a task completed in C.
            if not self.had_error() and error.matches(Gio.io_error_quark(),
                                                      Gio.IOErrorEnum.INVALID_DATA):
                raise TypeError(error.message) from None
            if raised is None or not raised.is_for(error):
                raise
        # The task's own exception, raised again with the traceback it had
        # in the task (raising it adds this frame, not to the stored one).
        try:
            raise raised.exception.with_traceback(raised.traceback)
        finally:
            self = raised = None  # no cycle through this frame

    def propagate_value(self):
        """Return the value the task completed with (``return_value()``,
        ``spawn_call*()``), or raise its error: the exception the task
        raised, the same object with its traceback, or a ``GLib.Error``
        from C (aborted: ``Gio.IOErrorEnum.CANCELLED``; out of time:
        ``TIMED_OUT``; dropped unfinished: ``Js.JoinError.ABANDONED``).
        Raises ``TypeError`` if it completed with ``return_int()`` or
        ``return_boolean()``."""
        try:
            return self._propagate('value', _propagate_value)
        finally:
            self = None  # not kept by the traceback of what it raises

    def propagate_boolean(self):
        """Return the boolean of ``return_boolean()``, or raise the task's
        error as ``propagate_value()`` does."""
        try:
            return self._propagate('boolean', Js.Task.propagate_boolean)
        finally:
            self = None  # not kept by the traceback of what it raises

    def propagate_int(self):
        """Return the integer of ``return_int()``, or raise the task's
        error as ``propagate_value()`` does."""
        try:
            return self._propagate('int', Js.Task.propagate_int)
        finally:
            self = None  # not kept by the traceback of what it raises


Task = override(Task)
__all__.append('Task')
