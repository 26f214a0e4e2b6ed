// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Js.JoinSet from GJS: spawn, join in completion order, abort, shut down.
//
// GJS runs JavaScript on the main thread only: a JavaScript function must
// never be given to spawn_in_thread(), so every task here is a main-context
// task (spawn()), which may complete later from an asynchronous callback.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Js from 'gi://Js?version=1';
import System from 'system';

import {
    test, run, assert, assertEqual, assertRejectsGError, assertCancelled,
    taskError, deferred, iterations,
} from './harness.js';

Gio._promisify(Js.JoinSet.prototype, 'join_next_async', 'join_next_finish');
Gio._promisify(Js.JoinSet.prototype, 'join_all_async', 'join_all_finish');
Gio._promisify(Js.JoinSet.prototype, 'shutdown_async', 'shutdown_finish');
Gio._promisify(Gio.File.prototype, 'load_contents_async', 'load_contents_finish');

// The value a task returned with return_value(). (Until the C API gives
// bindings a plain return value, GJS returns [true, value]; see
// test-rough-edges.js.)
function valueOf(task) {
    const result = task.propagate_value();
    return Array.isArray(result) && result.length === 2 && result[0] === true ? result[1] : result;
}

// Spawns an async function as a task: what it resolves to becomes the
// task's value, what it throws the task's GLib.Error. A plain JavaScript
// exception thrown by a task function would only be logged by GJS.
function spawnAsync(joinset, func) {
    return joinset.spawn(task => {
        func(task.get_cancellable()).then(value => task.return_value(value), error => {
            task.return_error(error instanceof GLib.Error ? error
                : new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED, `${error}`));
        });
    });
}

// Spawns a task that completes when the test says so: returns its id and
// a promise of {task, cancellable} once it runs.
function spawnHeld(joinset) {
    const started = deferred();
    const id = joinset.spawn(task => started.resolve({task, cancellable: task.get_cancellable()}));
    return {id, started: started.promise};
}

test('a task never runs inside spawn()', async () => {
    const joinset = new Js.JoinSet();
    let ran = false;
    const id = joinset.spawn(task => {
        ran = true;
        task.return_value('done');
    });
    assert(id !== 0, 'spawn returned 0');
    assert(!ran, 'the task ran inside spawn()');
    const task = await joinset.join_next_async(null);
    assert(ran);
    assertEqual(task.get_id(), id);
    assert(task.get_completed());
    assertEqual(valueOf(task), 'done');
    assertEqual(await joinset.join_next_async(null), null);
});

test('values round-trip through return_value()', async () => {
    const joinset = new Js.JoinSet();
    const object = {words: ['one', 'three'], n: 4};
    const cancellable = new Gio.Cancellable();
    const ids = new Map([
        [joinset.spawn(t => t.return_value('text')), 'text'],
        [joinset.spawn(t => t.return_value(42)), 42],
        [joinset.spawn(t => t.return_value(true)), true],
        [joinset.spawn(t => t.return_value(object)), object],
        [joinset.spawn(t => t.return_value(cancellable)), cancellable],
    ]);
    const intId = joinset.spawn(t => t.return_int(-7));
    for (let task; (task = await joinset.join_next_async(null));) {
        if (task.get_id() === intId) {
            assertEqual(task.propagate_int(), -7);
            continue;
        }
        const expected = ids.get(task.get_id());
        assert(valueOf(task) === expected, `task ${task.get_id()}: ${valueOf(task)} !== ${expected}`);
        ids.delete(task.get_id());
    }
    assertEqual(ids.size, 0);
});

test('completion order, ids mapped back to inputs', async () => {
    const words = ['one', 'three', 'four'];
    const finishOrder = [2, 0, 1];
    const joinset = new Js.JoinSet();
    const held = words.map(() => spawnHeld(joinset));
    const indexOf = new Map(held.map(({id}, index) => [id, index]));
    assertEqual(joinset.length, 3);

    const running = await Promise.all(held.map(h => h.started));
    for (const index of finishOrder)
        running[index].task.return_value(words[index].length);

    const joined = [];
    for (let task; (task = await joinset.join_next_async(null));) {
        const index = indexOf.get(task.get_id());
        joined.push(index);
        assertEqual(valueOf(task), words[index].length);
    }
    assertEqual(joined, finishOrder);
    assert(joinset.is_empty());
});

test('async functions as tasks: value, JS exception, GLib.Error', async () => {
    const joinset = new Js.JoinSet();
    const ok = spawnAsync(joinset, async () => {
        await iterations(2);
        return 'resolved';
    });
    const thrown = spawnAsync(joinset, async () => {
        throw new TypeError('bad input');
    });
    const missing = spawnAsync(joinset, async cancellable => {
        const file = Gio.File.new_for_path('/nonexistent/joinset-gjs-test');
        return file.load_contents_async(cancellable);
    });

    const outcomes = new Map();
    for (let task; (task = await joinset.join_next_async(null));)
        outcomes.set(task.get_id(), task);

    assertEqual(valueOf(outcomes.get(ok)), 'resolved');
    const error = taskError(outcomes.get(thrown));
    assert(error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED), `${error}`);
    assertEqual(error.message, 'TypeError: bad input');
    assert(taskError(outcomes.get(missing)).matches(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND));
});

test('a task error comes back unchanged', async () => {
    const joinset = new Js.JoinSet();
    joinset.spawn(task => task.return_error(
        new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.PERMISSION_DENIED, 'no way')));
    const error = taskError(await joinset.join_next_async(null));
    assert(error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.PERMISSION_DENIED));
    assertEqual(error.message, 'no way');
});

test('a task that never returns is abandoned once released', async () => {
    const joinset = new Js.JoinSet();
    joinset.spawn(() => {});  // returns nothing, keeps no reference
    // The task's JavaScript wrapper holds it until it is collected.
    let task = null;
    joinset.join_next_async(null).then(t => (task = t));
    while (!task) {
        System.gc();
        // eslint-disable-next-line no-await-in-loop
        await iterations(1);
    }
    const error = taskError(task);
    assert(error.matches(Js.JoinError, Js.JoinError.ABANDONED), `${error}`);
});

test('join_all_async: every task, in completion order', async () => {
    const joinset = new Js.JoinSet();
    const held = [0, 1, 2, 3].map(() => spawnHeld(joinset));
    const all = joinset.join_all_async(null);
    const running = await Promise.all(held.map(h => h.started));
    for (const n of [3, 1, 0, 2])
        running[n].task.return_value(n);
    const tasks = await all;
    assertEqual(tasks.map(valueOf), [3, 1, 0, 2]);
    assertEqual(tasks.map(t => t.get_id()), [3, 1, 0, 2].map(n => held[n].id));
});

test('a cancelled join loses no task', async () => {
    const joinset = new Js.JoinSet();
    const held = spawnHeld(joinset);
    const {task} = await held.started;
    const cancellable = new Gio.Cancellable();
    const join = joinset.join_next_async(cancellable);
    cancellable.cancel();
    await assertRejectsGError(join, Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
    task.return_value('kept');
    assertEqual(valueOf(await joinset.join_next_async(null)), 'kept');
});

test('abort a running task: its cancellable fires, it joins cancelled', async () => {
    const joinset = new Js.JoinSet();
    const held = spawnHeld(joinset);
    const {task, cancellable} = await held.started;
    let cancelled = false;
    cancellable.connect(() => (cancelled = true));

    assert(joinset.abort(held.id), 'abort() returned false');
    assert(cancelled, 'the cancellable did not fire');
    assert(!joinset.abort(held.id), 'aborting twice returned true');
    const joined = await joinset.join_next_async(null);
    assertEqual(joined.get_id(), held.id);
    assertCancelled(joined);
    task.return_value('too late');  // dropped
    assertCancelled(joined);
});

test('abort a queued task: it never runs', async () => {
    const joinset = new Js.JoinSet({max_concurrent: 1});
    const first = spawnHeld(joinset);
    let ran = false;
    const queued = joinset.spawn(t => {
        ran = true;
        t.return_value(0);
    });
    const {task} = await first.started;
    assert(joinset.abort(queued));
    const aborted = await joinset.join_next_async(null);
    assertEqual(aborted.get_id(), queued);
    assertCancelled(aborted);
    task.return_value(1);
    assertEqual(valueOf(await joinset.join_next_async(null)), 1);
    await iterations();
    assert(!ran, 'the aborted task ran');
});

test('abort after completion keeps the result', async () => {
    const joinset = new Js.JoinSet();
    const id = joinset.spawn(t => t.return_value('real'));
    await iterations();
    assert(!joinset.abort(id), 'abort() of a finished task returned true');
    assertEqual(valueOf(await joinset.join_next_async(null)), 'real');
});

test('abort_all aborts every unfinished task, the set stays open', async () => {
    const joinset = new Js.JoinSet({max_concurrent: 2});
    const held = [0, 1, 2, 3].map(() => spawnHeld(joinset));
    await Promise.all(held.slice(0, 2).map(h => h.started));
    joinset.abort_all();
    assert(!joinset.is_closed());
    const tasks = await joinset.join_all_async(null);
    assertEqual(tasks.length, 4);
    tasks.forEach(assertCancelled);
    const id = joinset.spawn(t => t.return_value('after'));
    assert(id !== 0);
    assertEqual(valueOf(await joinset.join_next_async(null)), 'after');
});

test('abort-on-error: the first failure aborts the rest', async () => {
    const joinset = new Js.JoinSet({abort_on_error: true});
    const held = spawnHeld(joinset);
    await held.started;
    const failing = joinset.spawn(t => t.return_error(
        new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED, 'first failure')));
    const first = await joinset.join_next_async(null);
    assertEqual(first.get_id(), failing);
    assertEqual(taskError(first).message, 'first failure');
    assertCancelled(await joinset.join_next_async(null));
});

test('shutdown: aborts, waits, hands the aborted task to the pending join, leaves the set empty and open', async () => {
    const joinset = new Js.JoinSet();
    const held = spawnHeld(joinset);
    let stopped = false;
    const {cancellable} = await held.started;
    cancellable.connect(() => (stopped = true));

    const pending = joinset.join_next_async(null);
    const shutdown = joinset.shutdown_async(null);
    assertEqual(joinset.length, 0);
    assertEqual(await shutdown, true);
    assert(stopped, 'the running task was not aborted');
    assertCancelled(await pending);
    assertEqual(joinset.length, 0);
    assertEqual(await joinset.join_next_async(null), null);
    assert(!joinset.is_closed());
    joinset.close();
    assert(joinset.is_closed());
    assertEqual(joinset.spawn(t => t.return_value(0)), 0);
});

test('a parent cancellable aborts and closes the set', async () => {
    const parent = new Gio.Cancellable();
    const joinset = Js.JoinSet.new_with_cancellable(parent);
    assert(joinset.cancellable === parent);
    const held = spawnHeld(joinset);
    await held.started;
    parent.cancel();
    assert(joinset.is_closed());
    assertEqual(joinset.spawn(t => t.return_value(0)), 0);
    assertCancelled(await joinset.join_next_async(null));
});

test('max-concurrent: FIFO starts, raising the limit starts waiting tasks', async () => {
    const joinset = new Js.JoinSet({max_concurrent: 2});
    assertEqual(joinset.max_concurrent, 2);
    const started = [];
    let running = 0;
    let peak = 0;
    const tasks = [];
    for (let n = 0; n < 5; n++) {
        joinset.spawn(task => {
            started.push(n);
            running++;
            peak = Math.max(peak, running);
            tasks[n] = task;
        });
    }
    await iterations();
    assertEqual(started, [0, 1]);

    // Completing a task lets the next one in, in spawn order.
    running--;
    tasks[0].return_value(0);
    await iterations();
    assertEqual(started, [0, 1, 2]);

    joinset.max_concurrent = 5;
    await iterations();
    assertEqual(started, [0, 1, 2, 3, 4]);
    assertEqual(peak, 4);
    for (const n of [1, 2, 3, 4])
        tasks[n].return_value(n);
    assertEqual((await joinset.join_all_async(null)).map(valueOf), [0, 1, 2, 3, 4]);
});

test('length is a property, notified as it changes', async () => {
    const joinset = new Js.JoinSet();
    const seen = [];
    joinset.connect('notify::length', () => seen.push(joinset.length));
    const held = [spawnHeld(joinset), spawnHeld(joinset)];
    assertEqual(joinset.length, 2);
    const running = await Promise.all(held.map(h => h.started));
    assert(seen.includes(2), `notifications: ${seen}`);
    running.forEach(({task}) => task.return_value(0));
    await joinset.join_all_async(null);
    await iterations();
    assertEqual(seen[seen.length - 1], 0);
});

test('running tasks do not keep the set alive', async () => {
    // Only the JavaScript wrapper holds the set while a task runs, so the
    // garbage collector can release it (see test-rough-edges.js for what
    // the tasks then see).
    const joinset = new Js.JoinSet();
    const held = spawnHeld(joinset);
    const {task} = await held.started;
    assertEqual(System.refcount(joinset), 1);
    task.return_value(0);
    assertEqual(valueOf(await joinset.join_next_async(null)), 0);
    // The finished join's GAsyncResult held the set until collected.
    System.gc();
    assertEqual(System.refcount(joinset), 1);
});

run();
