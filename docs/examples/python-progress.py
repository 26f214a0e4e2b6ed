# SPDX-License-Identifier: LGPL-2.1-or-later
import threading

import gi
gi.require_version('Js', '1')
from gi.repository import Js  # noqa: E402

STEPS = 4
seen = {}                      # name: the fractions the main thread saw
shown = {}                     # name: set once the main thread showed one


def convert(name):
    task = Js.current_task()
    for step in range(1, STEPS):
        task.set_progress(step / STEPS)          # from the worker thread
        shown[name].wait(10)                     # for the example's output
        shown[name].clear()
    return name.upper()


def on_task_progress(joinset, task, fraction):
    # Delivered in the set's main context, where GTK widgets live.
    assert threading.current_thread() is threading.main_thread()
    seen[task.get_name()].append(fraction)
    shown[task.get_name()].set()


joinset = Js.JoinSet()
joinset.connect('task-progress', on_task_progress)
for name in ('a.png', 'b.png'):
    seen[name], shown[name] = [], threading.Event()
    joinset.spawn_call_full(convert, name, name=name, in_thread=True)

results = sorted(task.propagate_value() for task in joinset)
print(results, 'set progress:', joinset.props.progress)
for name, fractions in sorted(seen.items()):
    print(name, fractions)
