# SPDX-License-Identifier: LGPL-2.1-or-later
import gi
gi.require_version('Js', '1')
from gi.repository import GLib, Gio, Js  # noqa: E402


def fetch_later(task, url):
    # A spawn() function completes its task itself, here from a callback
    # of the main loop, as an asynchronous GIO call would.
    def reply():
        if url.startswith('https:'):
            task.return_value({'url': url, 'size': 2 ** 40})  # any object
        else:
            task.return_error(PermissionError('plain HTTP refused: ' + url))
        return GLib.SOURCE_REMOVE

    GLib.timeout_add(10, reply)


def stuck(task):
    # Honours its abort: stops when the cancellable is cancelled.
    task.get_cancellable().connect(lambda *args: task.return_int(0))


joinset = Js.JoinSet(ordered=True)                # joins in spawn order
joinset.spawn(fetch_later, 'https://example.org/')
joinset.spawn(fetch_later, 'http://example.org/')
joinset.spawn_full(stuck, name='slow', timeout_ms=50)
aborted = joinset.spawn(stuck)
joinset.abort(aborted)

for task in joinset:
    try:
        print(task.get_id(), task.propagate_value())
    except PermissionError as error:              # raised by the task
        print(task.get_id(), 'refused:', error)
    except GLib.Error as error:                   # from the library
        if error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT):
            print(task.get_id(), task.get_name(), 'timed out')
        elif error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
            print(task.get_id(), 'aborted')
