// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The policies and progress reporting of issue 7 from GJS: the counters and
// their notifications, task-finished, task-progress, ordered joins,
// abort-on-success, and timeouts of main-context tasks.
//
// GJS runs JavaScript on the main thread only, so every task here is a
// main-context task that the test completes when it wants: nothing depends
// on timing.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Js from 'gi://Js?version=1';

import {
    test, run, assert, assertEqual, assertCancelled, taskError, deferred,
    iterations,
} from './harness.js';

Gio._promisify(Js.JoinSet.prototype, 'join_next_async', 'join_next_finish');
Gio._promisify(Js.JoinSet.prototype, 'join_all_async', 'join_all_finish');

// The value a task returned with return_value() (see test-join-set.js).
function valueOf(task) {
    const result = task.propagate_value();
    return Array.isArray(result) && result.length === 2 && result[0] === true ? result[1] : result;
}

// Spawns a task that completes when the test says so: returns its id and a
// promise of {task, cancellable} once it runs.
function spawnHeld(joinset, spawn = func => joinset.spawn(func)) {
    const started = deferred();
    const id = spawn(task => started.resolve({task, cancellable: task.get_cancellable()}));
    return {id, started: started.promise};
}

// Iterates the main loop until predicate() holds (the harness's timeout
// turns a hang into a failure).
async function until(predicate) {
    while (!predicate())
        // eslint-disable-next-line no-await-in-loop
        await iterations(1);
}

// Records the notifications of properties of an object, with the value
// read in the handler.
function record(object, ...names) {
    const seen = Object.fromEntries(names.map(name => [name, []]));
    for (const name of names)
        object.connect(`notify::${name}`, () => seen[name].push(Number(object[name.replaceAll('-', '_')])));
    seen.last = name => seen[name][seen[name].length - 1];
    return seen;
}

test('counters: notified in the main context, coalesced', async () => {
    const joinset = new Js.JoinSet({max_concurrent: 1});
    const seen = record(joinset, 'n-spawned', 'n-queued', 'n-running', 'n-finished', 'progress');
    const held = [0, 1, 2].map(() => spawnHeld(joinset));
    assertEqual(Number(joinset.n_spawned), 3);
    assertEqual(seen['n-spawned'], [], 'notified inside spawn()');

    const first = await held[0].started;
    await until(() => seen.last('n-running') === 1 && seen.last('n-queued') === 2);
    // Three spawns between two iterations: one notification.
    assertEqual(seen['n-spawned'], [3]);
    assertEqual(joinset.get_n_queued(), 2);

    first.task.return_value(0);
    const second = await held[1].started;
    second.task.return_value(1);
    const third = await held[2].started;
    third.task.return_value(2);
    await until(() => seen.last('n-finished') === 3);
    assertEqual([joinset.n_running, joinset.n_queued], [0, 0]);
    const finished = seen['n-finished'];
    assertEqual(finished, [...finished].sort(), 'n-finished went down');
    assertEqual(seen.last('progress'), 1);
    assertEqual(Number(joinset.n_finished), 3);
    assertEqual(joinset.progress, 1);
    assertEqual(joinset.length, 3, 'finished tasks stay until joined');
    assertEqual((await joinset.join_all_async(null)).map(valueOf), [0, 1, 2]);
    assertEqual(Number(joinset.n_finished), 3, 'joining does not change n-finished');
});

// A regression test: the set used to take the counters it notifies before
// running the main-context tasks that were ready, and notify after, so a
// handler that changed a count back could leave the last notified value
// stale (n-running 1 for a UI while nothing runs).
test('counters: the last notification shows the final value', async () => {
    const joinset = new Js.JoinSet({max_concurrent: 1});
    const tasks = [];
    const seen = [];
    joinset.connect('notify::n-running', () => {
        seen.push(joinset.n_running);
        // End the second task from inside the notification.
        if (tasks.length === 2 && !tasks[1].get_completed())
            tasks[1].return_value(1);
    });
    joinset.spawn(task => tasks.push(task));
    joinset.spawn(task => tasks.push(task));
    await until(() => tasks.length === 1 && seen.length >= 1);
    tasks[0].return_value(0);
    await until(() => tasks.length === 2);
    if (!tasks[1].get_completed())
        tasks[1].return_value(1);
    await until(() => Number(joinset.n_finished) === 2);
    await new Promise(resolve => GLib.timeout_add(GLib.PRIORITY_DEFAULT, 200, () => {
        resolve();
        return GLib.SOURCE_REMOVE;
    }));
    assertEqual(joinset.n_running, 0);
    assertEqual(seen[seen.length - 1], 0, `notifications of n-running: ${seen}`);
});

test('task-finished: each task once, in completion order, still joinable', async () => {
    const joinset = new Js.JoinSet();
    const emitted = [];
    joinset.connect('task-finished', (set, task) => emitted.push(task.get_id()));
    const held = [0, 1, 2].map(() => spawnHeld(joinset));
    const running = await Promise.all(held.map(h => h.started));
    for (const n of [2, 0, 1]) {
        running[n].task.return_value(n);
        // eslint-disable-next-line no-await-in-loop
        await until(() => emitted[emitted.length - 1] === held[n].id);
    }
    assertEqual(emitted, [2, 0, 1].map(n => held[n].id));
    assertEqual(joinset.length, 3);
    const joined = await joinset.join_all_async(null);
    assertEqual(joined.map(t => t.get_id()), emitted);
    assertEqual(joined.map(valueOf), [2, 0, 1]);
});

test('task-progress and JsTask:progress from a main-context task', async () => {
    const joinset = new Js.JoinSet();
    const signals = [];
    joinset.connect('task-progress', (set, task, fraction) => signals.push([task.name, fraction]));
    const held = spawnHeld(joinset, func => joinset.spawn_full(Js.SpawnFlags.DEFAULT, 'render', 0, func));
    const {task} = await held.started;
    assertEqual(task.name, 'render');
    const notified = [];
    task.connect('notify::progress', () => notified.push(task.progress));

    task.set_progress(0.25);
    task.set_progress(0.5);
    assertEqual(task.get_progress(), 0.5);
    assertEqual(signals, [], 'progress is delivered from the main loop');
    await until(() => signals.length > 0);
    // Set twice between two deliveries: the last value, once.
    assertEqual(signals, [['render', 0.5]]);
    assertEqual(notified, [0.5]);

    task.set_progress(1.0);
    await until(() => signals.length > 1);
    assertEqual(signals[1], ['render', 1.0]);
    task.return_value('done');
    assertEqual(valueOf(await joinset.join_next_async(null)), 'done');
});

test('ordered: joins in spawn order, later tasks still run', async () => {
    const joinset = new Js.JoinSet({ordered: true});
    assert(joinset.ordered);
    const held = [0, 1, 2].map(() => spawnHeld(joinset));
    const running = await Promise.all(held.map(h => h.started));
    running[2].task.return_value(2);
    running[1].task.return_value(1);
    assertEqual(Number(joinset.get_n_finished()), 2);
    assertEqual(joinset.try_join_next(), null, 'joined before the oldest task finished');
    assert(!joinset.is_empty());

    const next = joinset.join_next_async(null);
    await iterations();
    running[0].task.return_value(0);
    const order = [await next];
    for (let task; (task = await joinset.join_next_async(null));)
        order.push(task);
    assertEqual(order.map(t => t.get_id()), held.map(h => h.id));
    assertEqual(order.map(valueOf), [0, 1, 2]);
});

test('abort-on-success: the first success aborts the rest, a failure does not', async () => {
    const joinset = new Js.JoinSet({abort_on_success: true});
    const names = ['slow', 'broken', 'fast'];
    const held = names.map(() => spawnHeld(joinset));
    const running = await Promise.all(held.map(h => h.started));
    const cancelled = [];
    running.forEach(({cancellable}, n) => cancellable.connect(() => cancelled.push(names[n])));

    running[1].task.return_error(new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED, 'down'));
    assertEqual(cancelled, [], 'a failure won the race');
    running[2].task.return_value('payload');
    assertEqual(cancelled, ['slow'], 'the winner did not abort the others at once');

    const outcomes = {};
    for (let task; (task = await joinset.join_next_async(null));) {
        const name = names[held.findIndex(h => h.id === task.get_id())];
        outcomes[name] = task.had_error() ? taskError(task) : valueOf(task);
    }
    assertEqual(outcomes.fast, 'payload');
    assertEqual(outcomes.broken.message, 'down');
    assert(outcomes.slow instanceof GLib.Error &&
        outcomes.slow.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED), `slow: ${outcomes.slow}`);
    running[0].task.return_value('too late');  // freed

    // The set stays open, and the race is over.
    assert(!joinset.is_closed());
    joinset.spawn(t => t.return_value('again'));
    assertEqual(valueOf(await joinset.join_next_async(null)), 'again');
});

test('timeout: a main-context task runs out of time', async () => {
    const joinset = new Js.JoinSet({timeout: 50});
    assertEqual(joinset.timeout, 50);
    const held = spawnHeld(joinset);
    const {task, cancellable} = await held.started;
    const cancelled = deferred();
    cancellable.connect(() => cancelled.resolve());

    const joined = await joinset.join_next_async(null);
    assertEqual(joined.get_id(), held.id);
    const error = taskError(joined);
    assert(error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.TIMED_OUT), `${error}`);
    await cancelled.promise;
    task.return_value('too late');  // freed
});

test('timeout: spawn_full gives one task its own limit and a name', async () => {
    const joinset = new Js.JoinSet();
    const held = spawnHeld(joinset, func => joinset.spawn_full(Js.SpawnFlags.DEFAULT, 'lookup', 30, func));
    const {task} = await held.started;
    const joined = await joinset.join_next_async(null);
    assertEqual(joined.get_name(), 'lookup');
    assert(taskError(joined).matches(Gio.IOErrorEnum, Gio.IOErrorEnum.TIMED_OUT));
    task.return_value(0);
    // Aborted tasks are not timed out.
    const aborted = spawnHeld(joinset, func => joinset.spawn_full(Js.SpawnFlags.DEFAULT, null, 30, func));
    await aborted.started;
    joinset.abort(aborted.id);
    assertCancelled(await joinset.join_next_async(null));
});

run();
