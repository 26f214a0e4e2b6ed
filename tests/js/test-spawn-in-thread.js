// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run WITHOUT the override (meson sets no GJS_PATH) and without
// fatal-criticals: the library itself must not crash GJS when a JavaScript
// function reaches a worker thread. GJS refuses to call it (a critical),
// the task is abandoned, and the function's closure is released in the
// main thread, where GJS allows it.

import GLib from 'gi://GLib';
import Js from 'gi://Js?version=1';
import System from 'system';

import {test, run, assert, assertThrowsGError} from './harness.js';

test('spawn_in_thread of a JS function does not crash, the task is abandoned', async () => {
    const joinset = new Js.JoinSet();
    for (let i = 0; i < 20; i++)
        joinset.spawn_in_thread(task => task.return_int(42));
    let n = 0;
    for (;;) {
        // eslint-disable-next-line no-await-in-loop
        const task = await new Promise((resolve, reject) =>
            joinset.join_next_async(null, (s, res) => {
                try {
                    resolve(s.join_next_finish(res));
                } catch (e) {
                    reject(e);
                }
            }));
        if (task === null)
            break;
        assertThrowsGError(() => task.propagate_int(), Js.JoinError, Js.JoinError.ABANDONED);
        n++;
    }
    assert(n === 20, `joined ${n} tasks`);
    // Let the released closures go, in the main thread.
    System.gc();
    await new Promise(resolve => GLib.idle_add(GLib.PRIORITY_LOW, () => {
        resolve();
        return GLib.SOURCE_REMOVE;
    }));
});

run();
