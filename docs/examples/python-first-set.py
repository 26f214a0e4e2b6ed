# SPDX-License-Identifier: LGPL-2.1-or-later
import threading

import gi
gi.require_version('Js', '1')
from gi.repository import Js  # noqa: E402


def word_length(word):
    # Runs on a worker thread of the shared pool: no GTK here.
    in_main = threading.current_thread() is threading.main_thread()
    return len(word), in_main


def read_config(path):
    with open(path) as stream:   # raises FileNotFoundError
        return stream.read()


with Js.JoinSet(max_concurrent=2) as joinset:    # shut down on exit
    words = {joinset.spawn_call_in_thread(word_length, w): w
             for w in ('one', 'three', 'four')}
    config = joinset.spawn_call(read_config, '/nonexistent/app.conf')

    results = {}
    for task in joinset:                         # completion order
        try:
            results[task.get_id()] = task.propagate_value()
        except FileNotFoundError as error:       # the very exception
            print('no config:', error.filename, error.errno == 2)

for task_id, word in words.items():
    length, in_main = results[task_id]
    print(word, length, 'main thread' if in_main else 'worker thread')
print('joined all:', len(joinset) == 0)
