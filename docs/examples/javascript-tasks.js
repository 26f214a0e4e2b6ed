// SPDX-License-Identifier: LGPL-2.1-or-later
// javascript-tasks.js: load files as tasks of a set, then join them.
// Run with: gjs -m javascript-tasks.js

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Js from 'gi://Js?version=1';

// load_bytes_async() without a callback returns a promise.
Gio._promisify(Gio.File.prototype, 'load_bytes_async');

const dir = GLib.dir_make_tmp('joinset-XXXXXX');
GLib.file_set_contents(`${dir}/a.txt`, 'first file');
GLib.file_set_contents(`${dir}/b.txt`, 'second');

const set = new Js.JoinSet();
set.ordered = true;  // join in spawn order, for a stable output

// An async function is a task: what it returns completes the task, what it
// throws fails it. Abort cancels task.get_cancellable().
for (const name of ['a.txt', 'b.txt', 'missing.txt']) {
    set.spawn(async task => {
        const file = Gio.File.new_for_path(`${dir}/${name}`);
        const [bytes] = await file.load_bytes_async(task.get_cancellable());
        return {name, size: bytes.get_size()};
    });
}

// A plain function returns its task itself, now or later; an exception
// fails the task at once.
set.spawn(task => task.return_int(42));
set.spawn(() => {
    throw new Error('not today');
});

const loop = new GLib.MainLoop(null, false);
(async () => {
    // Joins every task as it finishes, until the set is empty.
    for await (const task of set) {
        try {
            const value = task.get_id() === 4 ? task.propagate_int() : task.propagate_value();
            print(`task ${task.get_id()}: ${JSON.stringify(value)}`);
        } catch (error) {
            print(`task ${task.get_id()} failed: ${error.message.replace(dir, "DIR")}`);
        }
    }
})().catch(logError).finally(() => loop.quit());
loop.run();

for (const name of ['a.txt', 'b.txt'])
    GLib.unlink(`${dir}/${name}`);
GLib.rmdir(dir);
