# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import signal

import gi
gi.require_version('Js', '1')
from gi.repository import GLib, Js  # noqa: E402


aborted = []


def stubborn(task):
    # A task that never finishes on its own; it stops when aborted.
    def on_abort(*unused):
        aborted.append(task.get_name())
        task.return_int(0)
    task.get_cancellable().connect(on_abort)


def press_ctrl_c(task):
    os.kill(os.getpid(), signal.SIGINT)          # what Ctrl-C does
    stubborn(task)


try:
    with Js.JoinSet() as joinset:
        joinset.spawn_full(stubborn, name='in the main context')
        joinset.spawn_full(press_ctrl_c, name='in a thread', in_thread=True)
        for task in joinset:                     # KeyboardInterrupt here
            print('joined task', task.get_id())
except KeyboardInterrupt:
    # Leaving the with block closed the set, aborted what was left and
    # freed it: nothing of the set runs or waits any more. (The task of
    # the main context may not have started yet: then it never will.)
    print('interrupted; closed:', joinset.is_closed(), '; left:', len(joinset))
    print('aborted while running:', 'in a thread' in aborted)
