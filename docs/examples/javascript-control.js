// SPDX-License-Identifier: LGPL-2.1-or-later
// javascript-control.js: progress, a timeout and an abort, from GJS.
// Run with: gjs -m javascript-control.js

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Js from 'gi://Js?version=1';

// Resolves after @ms, or rejects with CANCELLED when @cancellable fires.
function sleep(ms, cancellable) {
    return new Promise((resolve, reject) => {
        const id = GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
            cancellable.disconnect(handler);
            resolve();
            return GLib.SOURCE_REMOVE;
        });
        const handler = cancellable.connect(() => {
            GLib.source_remove(id);
            reject(new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED, 'stopped'));
        });
    });
}

const set = new Js.JoinSet();
set.ordered = true;

// Progress: the set reports it in the main context, at most once per
// frame (a bar would show it), and before the task's join.
const reported = new Map();
set.connect('task-progress', (_set, task, fraction) => reported.set(task.get_id(), fraction));
set.spawn_full(Js.SpawnFlags.DEFAULT, 'steps', 0, async task => {
    for (let step = 1; step <= 2; step++) {
        await sleep(50, task.get_cancellable());
        task.set_progress(step / 2);
    }
    return 'done';
});

// A time limit: the task fails with G_IO_ERROR_TIMED_OUT and its
// cancellable is cancelled, which stops the sleep.
set.spawn_full(Js.SpawnFlags.DEFAULT, 'slow', 100, async task => {
    await sleep(10000, task.get_cancellable());
    return 'too late';
});

// An abort: the task fails with G_IO_ERROR_CANCELLED at once.
const id = set.spawn_full(Js.SpawnFlags.DEFAULT, 'aborted', 0, async task => {
    await sleep(10000, task.get_cancellable());
});
GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10, () => {
    set.abort(id);
    return GLib.SOURCE_REMOVE;
});

// JavaScript runs on the main thread only: spawn_in_thread() is refused.
try {
    set.spawn_in_thread(task => task.return_int(1));
} catch (error) {
    print(`spawn_in_thread: ${error.message}`);
}

const loop = new GLib.MainLoop(null, false);
(async () => {
    for await (const task of set) {
        try {
            const progress = reported.has(task.get_id()) ? `, progress ${reported.get(task.get_id())}` : '';
            print(`${task.get_name()}: ${task.propagate_value()}${progress}`);
        } catch (error) {
            const timedOut = error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.TIMED_OUT);
            print(`${task.get_name()}: ${timedOut ? 'timed out' : error.message}`);
        }
    }
})().catch(logError).finally(() => loop.quit());
loop.run();
