# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import signal

import gi
gi.require_version('Js', '1')
from gi.repository import GLib, Js  # noqa: E402


def stubborn(task):
    # A task that never finishes on its own; it stops when aborted.
    task.get_cancellable().connect(lambda *args: task.return_int(0))


def press_ctrl_c(task):
    os.kill(os.getpid(), signal.SIGINT)          # what Ctrl-C does
    stubborn(task)


try:
    with Js.JoinSet() as joinset:
        joinset.spawn(stubborn)
        joinset.spawn_in_thread(press_ctrl_c)
        for task in joinset:                     # KeyboardInterrupt here
            print('joined task', task.get_id())
except KeyboardInterrupt:
    # Leaving the with block aborted what was left.
    print('interrupted; closed:', joinset.is_closed())
    for task in sorted(joinset, key=lambda task: task.get_id()):
        try:
            task.propagate_value()
        except GLib.Error as error:
            print('task', task.get_id(), error.message)
