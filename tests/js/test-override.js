// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The GJS override (bindings/gjs/overrides/Js.js), loaded from the source
// tree through GJS_PATH as an installed one is from <datadir>/gjs-1.0.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Js from 'gi://Js?version=1';
import System from 'system';

import {test, run, assert, assertEqual, assertThrowsGError} from './harness.js';

Gio._promisify(Gio.File.prototype, 'load_bytes_async');

const FAILED = [Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED];

async function joinAll(set) {
    const tasks = [];
    for await (const task of set)
        tasks.push(task);
    return tasks;
}

// Within the harness's 10 s per test: without the override a throwing task
// joined as ABANDONED only once the garbage collector dropped it.
async function settlesFast(set) {
    const start = GLib.get_monotonic_time();
    const tasks = await joinAll(set);
    const ms = (GLib.get_monotonic_time() - start) / 1000;
    assert(ms < 2000, `the tasks took ${ms} ms to settle`);
    return tasks;
}

test('a task function that throws fails its task at once', async () => {
    const set = new Js.JoinSet();
    set.spawn(() => {
        throw new Error('boom');
    });
    const [task] = await settlesFast(set);
    const error = assertThrowsGError(() => task.propagate_value(), ...FAILED);
    assertEqual(error.message, 'boom');
});

test('a thrown GLib.Error is the task error', async () => {
    const set = new Js.JoinSet();
    set.spawn(() => {
        throw new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND, 'gone');
    });
    const [task] = await settlesFast(set);
    assertThrowsGError(() => task.propagate_value(), Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND);
});

test('an async function completes its task with the resolved value', async () => {
    const set = new Js.JoinSet();
    set.spawn(task => task.return_value([task.get_id()]) ?? 'not a result');
    set.spawn(async () => {
        await null;
        return 'resolved';
    });
    set.spawn(() => Promise.resolve(7));
    const tasks = await settlesFast(set);
    assertEqual(tasks.map(t => t.propagate_value()).map(String).sort(), ['1', '7', 'resolved']);
});

test('an async function that rejects fails its task at once', async () => {
    const set = new Js.JoinSet();
    set.spawn(async () => {
        await null;
        throw new Error('rejected');
    });
    const [task] = await settlesFast(set);
    assertEqual(assertThrowsGError(() => task.propagate_value(), ...FAILED).message, 'rejected');
});

test('a task that returns itself is not returned twice', async () => {
    const set = new Js.JoinSet();
    set.set_ordered(true);
    set.spawn(task => {
        task.return_int(5);
        return 'not a result: only a promise settles its task';
    });
    set.spawn(async task => {
        await null;
        task.return_boolean(true);
    });
    const tasks = await settlesFast(set);
    assertEqual(tasks[0].propagate_int(), 5);
    assertEqual(tasks[1].propagate_boolean(), true);
});

test('an async GIO call adopted as a task: a real file load', async () => {
    const [file, stream] = Gio.File.new_tmp('joinset-gjs-XXXXXX');
    stream.get_output_stream().write_all('hello, joinset', null);
    stream.close(null);
    try {
        const set = new Js.JoinSet();
        set.set_ordered(true);
        set.spawn(async task => {
            const [bytes] = await file.load_bytes_async(task.get_cancellable());
            return new TextDecoder().decode(bytes.toArray());
        });
        set.spawn(async task => {
            await Gio.File.new_for_path('/nonexistent/joinset').load_bytes_async(task.get_cancellable());
        });
        const tasks = await settlesFast(set);
        assertEqual(tasks[0].propagate_value(), 'hello, joinset');
        assertThrowsGError(() => tasks[1].propagate_value(), Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND);
    } finally {
        file.delete(null);
    }
});

test('spawn_in_thread() is refused at the call, pointing at spawn()', () => {
    const set = new Js.JoinSet();
    let message = '';
    try {
        set.spawn_in_thread(task => task.return_int(1));
    } catch (error) {
        message = error.message;
    }
    assert(message.includes('use spawn()'), `got "${message}"`);
    try {
        set.spawn_full(Js.SpawnFlags.IN_THREAD, 'x', 0, task => task.return_int(1));
        message = '';
    } catch (error) {
        message = error.message;
    }
    assert(message.includes('use spawn()'), `spawn_full: got "${message}"`);
    assertEqual(set.get_length(), 0);
});

test('spawn_async() is refused at the call, pointing at an async spawn()', () => {
    const set = new Js.JoinSet();
    let message = '';
    try {
        set.spawn_async(() => {}, () => true);
    } catch (error) {
        message = error.message;
    }
    assert(message.includes('set.spawn(async task =>'), `got "${message}"`);
    assertEqual(set.get_length(), 0);
});

test('spawn_full() wraps a main-context function too', async () => {
    const set = new Js.JoinSet();
    set.spawn_full(Js.SpawnFlags.DEFAULT, 'named', 0, () => {
        throw new Error('full');
    });
    const [task] = await settlesFast(set);
    assertEqual(task.get_name(), 'named');
    assertEqual(assertThrowsGError(() => task.propagate_value(), ...FAILED).message, 'full');
});

test('any JavaScript value is returned and read back', async () => {
    const values = [undefined, null, [1, 'two', [3]], {a: 1, b: {c: [2]}},
        2 ** 53, -1.5, 12345678901234567890n, 'text', true];
    const set = new Js.JoinSet();
    set.set_ordered(true);
    for (const value of values)
        set.spawn(task => task.return_value(value));
    const object = {};
    set.spawn(async () => object);
    const tasks = await settlesFast(set);
    for (let i = 0; i < values.length; i++)
        assert(Object.is(tasks[i].propagate_value(), values[i]) ||
            JSON.stringify(tasks[i].propagate_value()) === JSON.stringify(values[i]),
        `value ${i}`);
    assert(tasks[values.length].propagate_value() === object, 'the same object comes back');
});

function rssMiB() {
    const status = new TextDecoder().decode(GLib.file_get_contents('/proc/self/status')[1]);
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

// Each round returns 32 MiB of arrays through tasks: kept, six rounds would
// add 160 MiB. The value lives in the task's result, and goes with it.
test('returned values are freed with their tasks', async () => {
    let first = 0;
    for (let round = 0; round < 6; round++) {
        // eslint-disable-next-line no-await-in-loop
        await (async () => {
            const set = new Js.JoinSet();
            for (let i = 0; i < 2000; i++)
                set.spawn(async () => new Array(2000).fill(i));
            for await (const task of set)
                assertEqual(task.propagate_value().length, 2000);
        })();
        for (let i = 0; i < 3; i++) {
            System.gc();
            // eslint-disable-next-line no-await-in-loop
            await new Promise(resolve => GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10, () => {
                resolve();
                return GLib.SOURCE_REMOVE;
            }));
        }
        if (round === 0)
            first = rssMiB();
    }
    const grown = rssMiB() - first;
    assert(grown < 64, `the process grew by ${grown.toFixed(0)} MiB`);
});

test('for await joins every task, then ends', async () => {
    const set = new Js.JoinSet();
    for (let i = 0; i < 5; i++)
        set.spawn(async () => i);
    const seen = [];
    for await (const task of set)
        seen.push(task.propagate_value());
    assertEqual(seen.sort(), [0, 1, 2, 3, 4]);
    assert(set.is_empty());
    // An empty set ends at once.
    assertEqual((await joinAll(set)).length, 0);
});

test('reading a result with the wrong getter throws', async () => {
    const set = new Js.JoinSet();
    set.set_ordered(true);
    set.spawn(task => task.return_int(3));
    set.spawn(task => task.return_value([1]));
    const [intTask, valueTask] = await settlesFast(set);
    const error = assertThrowsGError(() => intTask.propagate_value(),
        Gio.IOErrorEnum, Gio.IOErrorEnum.INVALID_DATA);
    assert(error.message.includes('js_task_propagate_int()'), error.message);
    assertThrowsGError(() => valueTask.propagate_int(), Gio.IOErrorEnum, Gio.IOErrorEnum.INVALID_DATA);
    assertThrowsGError(() => valueTask.propagate_boolean(), Gio.IOErrorEnum, Gio.IOErrorEnum.INVALID_DATA);
    assertEqual(intTask.propagate_int(), 3);
});

test('the pointer functions are hidden from GJS', () => {
    assert(Js.Task.prototype.return_pointer === undefined, 'return_pointer is visible');
    assert(Js.Task.prototype.propagate_pointer === undefined, 'propagate_pointer is visible');
});

run();
