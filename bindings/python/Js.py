# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyGObject overrides for libjoinset (``gi.repository.Js``).

They make a ``Js.JoinSet`` feel like a Python container of tasks, and let a
plain Python callable be a task::

    import gi
    gi.require_version('Js', '1')
    from gi.repository import GLib, Js

    def word_length(word):
        return len(word)                  # runs on a worker thread

    with Js.JoinSet(max_concurrent=4) as joinset:
        ids = {joinset.spawn_call_in_thread(word_length, w): w
               for w in ('one', 'three', 'four')}
        for task in joinset:              # completion order
            try:
                print(ids[task.get_id()], task.propagate_value())
            except GLib.Error as error:   # the task raised, or was aborted
                print(ids[task.get_id()], 'failed:', error.message)

What is added to the introspected API:

``JoinSet.spawn_call(func, *args, **kwargs)`` and
``JoinSet.spawn_call_in_thread(func, *args, **kwargs)``
    Spawn ``func(*args, **kwargs)`` in the set's main context or on the
    thread pool, and return the task id. What ``func`` returns becomes the
    task's value (any Python object, carried in a ``GObject.TYPE_PYOBJECT``
    value); what it raises becomes the task's ``GLib.Error``: a
    ``GLib.Error`` unchanged, any other exception as an error in the
    ``PYTHON_ERROR_DOMAIN`` domain whose message starts with the exception's
    class name. An exception never reaches PyGObject's callback handler, so
    it never leaves the task unfinished (a plain ``spawn()`` function that
    raises has its traceback printed, and its task stays unfinished for as
    long as Python keeps that traceback). ``func`` must not call the
    ``return_*`` methods itself; use ``spawn()`` for a task that completes
    later from an asynchronous callback.

``JoinSet.spawn_call_full(func, *args, name=None, timeout_ms=0, in_thread=False, **kwargs)``
    ``spawn_call()`` through ``spawn_full()``: ``func(*args, **kwargs)``
    runs in the set's main context, or on the thread pool with
    ``in_thread=True``, as a task named ``name`` with a time limit of its
    own, ``timeout_ms`` milliseconds from the call of ``func`` (0 for none;
    the set's ``timeout`` property does not apply). A task that runs out of
    time is aborted: its cancellable is cancelled and it joins with
    ``Gio.IOErrorEnum.TIMED_OUT``. The three keyword arguments are not
    passed to ``func``; give a ``func`` that takes such keywords through
    ``functools.partial()``.

``current_task()``
    The task whose ``spawn_call*`` function is running in this thread (or
    ``None``): ``current_task().get_cancellable()`` tells a long-running
    function that it was aborted; ``cancellable.set_error_if_cancelled()``
    then raises the error that ends it.

``Task.propagate_value()``
    Returns the value itself (not a ``(True, value)`` tuple) or raises the
    task's ``GLib.Error``.

``len(joinset)``, ``iter(joinset)``, ``joinset.join_all_sync()``
    The number of tasks not joined yet; iterating joins every task in
    completion order (each step blocks, iterating the set's main context, as
    ``join_next()`` does); ``join_all_sync()`` is ``list(joinset)``. A set is
    always true, even when empty, like other GObjects.

``with joinset: ...``
    On exit the set is shut down (``shutdown_sync()``): it is closed, its
    unfinished tasks are aborted, and the ``with`` statement waits until no
    task function is running any more, so no Python code of the set outlives
    the block. The aborted tasks can still be joined.

Threads: a function spawned on the thread pool runs Python code, so it takes
the GIL like any Python thread. PyGObject releases the GIL while the C
library waits (in ``join_next()`` and the main loop), so worker threads and
the main loop run concurrently. Dropping the last reference to a set aborts
its tasks; the callables (and what they captured) are released once their
tasks are done with them.
"""

import threading

from gi.repository import GLib, GObject

from ..module import get_introspection_module
from ..overrides import override

Js = get_introspection_module('Js')

__all__ = ['PYTHON_ERROR_DOMAIN', 'current_task']

#: The ``GLib.Error`` domain of a task whose Python function raised an
#: exception other than ``GLib.Error``; the code is 0.
PYTHON_ERROR_DOMAIN = 'js-python-error-quark'

_local = threading.local()


def current_task():
    """Return the ``Js.Task`` whose ``spawn_call*`` function runs in this
    thread, or ``None`` outside of one."""
    return getattr(_local, 'task', None)


def _error_from_exception(exc):
    if isinstance(exc, GLib.Error):
        return exc
    message = '{}: {}'.format(type(exc).__name__, exc) if str(exc) else type(exc).__name__
    return GLib.Error(message, PYTHON_ERROR_DOMAIN, 0)


def _call(task, func, args, kwargs):
    """The body of a spawn_call*() task: runs func and completes task."""
    outer = current_task()
    _local.task = task
    try:
        value = func(*args, **kwargs)
    except BaseException as exc:
        task.return_error(_error_from_exception(exc))
        if not isinstance(exc, Exception):
            raise  # KeyboardInterrupt, SystemExit: the task has its error
    else:
        task.return_value(GObject.Value(GObject.TYPE_PYOBJECT, value))
    finally:
        _local.task = outer


class JoinSet(Js.JoinSet):

    def spawn_call(self, func, *args, **kwargs):
        """Spawn ``func(*args, **kwargs)`` in the set's main context; its
        return value or exception becomes the task's result. Returns the
        task id, or 0 if the set is closed."""
        return self.spawn(_call, func, args, kwargs)

    def spawn_call_in_thread(self, func, *args, **kwargs):
        """Spawn ``func(*args, **kwargs)`` on the thread pool; its return
        value or exception becomes the task's result. Returns the task id,
        or 0 if the set is closed."""
        return self.spawn_in_thread(_call, func, args, kwargs)

    def spawn_call_full(self, func, *args, name=None, timeout_ms=0, in_thread=False,
                        **kwargs):
        """Spawn ``func(*args, **kwargs)`` with ``spawn_full()``: in the
        set's main context, or on the thread pool if ``in_thread``, named
        ``name``, with a time limit of ``timeout_ms`` milliseconds (0 for
        none, whatever the set's ``timeout``). Its return value or
        exception becomes the task's result. Returns the task id, or 0 if
        the set is closed."""
        flags = Js.SpawnFlags.IN_THREAD if in_thread else Js.SpawnFlags.DEFAULT
        return self.spawn_full(flags, name, timeout_ms, _call, func, args, kwargs)

    def __len__(self):
        return self.get_length()

    def __bool__(self):
        # "if joinset:" tests for None, as with every GObject, not emptiness.
        return True

    def __iter__(self):
        while True:
            task = self.join_next(None)
            if task is None:
                return
            yield task

    def join_all_sync(self):
        """Join every task, including tasks spawned meanwhile, and return
        them in completion order."""
        return list(self)

    def shutdown_sync(self, cancellable=None):
        """Close the set, abort its unfinished tasks, and block until no
        task function of the set is running any more (see
        ``shutdown_async()``). Raises ``GLib.Error`` if ``cancellable`` is
        cancelled first.

        As ``join_next()`` does, it iterates the thread-default main context
        while it waits, unless another thread runs that context."""
        context = GLib.MainContext.ref_thread_default()
        done = threading.Event()
        outcome = []

        def finish(joinset, result):
            try:
                outcome.append(joinset.shutdown_finish(result))
            except GLib.Error as error:
                outcome.append(error)
            done.set()

        self.shutdown_async(cancellable, finish)
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

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.shutdown_sync()
        return False


JoinSet = override(JoinSet)
__all__.append('JoinSet')

# The C function fills a caller-allocated GValue and returns a gboolean that
# only repeats whether it raised; drop that boolean if the typelib has it.
_PROPAGATE_VALUE_HAS_OUT_ARG = bool(Js.Task.propagate_value.get_arguments())


class Task(Js.Task):

    def propagate_value(self):
        """Return the value the task completed with (``return_value()``),
        or raise its ``GLib.Error``."""
        result = Js.Task.propagate_value(self)
        return result[1] if _PROPAGATE_VALUE_HAS_OUT_ARG else result


Task = override(Task)
__all__.append('Task')
