// SPDX-License-Identifier: LGPL-2.1-or-later
//
// close(), shutdown as Tokio's, and joining one task by id, from GJS.
// Main-context tasks only (see test-join-set.js).

import Gio from 'gi://Gio';
import Js from 'gi://Js?version=1';

import {
    test, run, assert, assertEqual, assertRejectsGError, assertCancelled, deferred,
} from './harness.js';

Gio._promisify(Js.JoinSet.prototype, 'join_by_id_async', 'join_by_id_finish');
Gio._promisify(Js.JoinSet.prototype, 'join_next_async', 'join_next_finish');
Gio._promisify(Js.JoinSet.prototype, 'join_all_async', 'join_all_finish');
Gio._promisify(Js.JoinSet.prototype, 'shutdown_async', 'shutdown_finish');

function spawnHeld(joinset) {
    const started = deferred();
    const id = joinset.spawn(task => started.resolve(task));
    return {id, started: started.promise};
}

test('join_by_id takes one task and leaves the others', async () => {
    const joinset = new Js.JoinSet();
    const first = spawnHeld(joinset);
    const second = spawnHeld(joinset);

    const joined = joinset.join_by_id_async(second.id, null);
    const next = joinset.join_next_async(null);
    (await second.started).return_int(2);
    const task = await joined;
    assertEqual(task.get_id(), second.id);
    assertEqual(task.propagate_int(), 2);
    assertEqual(joinset.length, 1);

    (await first.started).return_int(1);
    assertEqual((await next).get_id(), first.id, 'join_next got the other task');
});

test('join_by_id: an unknown id, and a second join of the same id, fail at once', async () => {
    const joinset = new Js.JoinSet();
    await assertRejectsGError(joinset.join_by_id_async(7, null),
        Js.JoinError, Js.JoinError.UNKNOWN_TASK);

    const held = spawnHeld(joinset);
    const joined = joinset.join_by_id_async(held.id, null);
    await assertRejectsGError(joinset.join_by_id_async(held.id, null),
        Gio.IOErrorEnum, Gio.IOErrorEnum.PENDING);
    assert(joinset.abort(held.id));
    assertCancelled(await joined);
});

test('close, then wait: the tasks finish, new ones are refused', async () => {
    const joinset = new Js.JoinSet();
    const held = spawnHeld(joinset);
    joinset.close();
    assert(joinset.is_closed());
    assertEqual(joinset.spawn(t => t.return_int(0)), 0);
    const all = joinset.join_all_async(null);
    (await held.started).return_int(4);
    const tasks = await all;
    assertEqual(tasks.length, 1);
    assertEqual(tasks[0].propagate_int(), 4);
});

test('shutdown leaves an empty set that accepts spawns', async () => {
    const joinset = new Js.JoinSet();
    const held = spawnHeld(joinset);
    const task = await held.started;
    assertEqual(await joinset.shutdown_async(null), true);
    assertEqual(joinset.length, 0);
    assert(!joinset.is_closed());
    assert(task.get_cancellable().is_cancelled());
    task.return_int(0);
    joinset.spawn(t => t.return_int(5));
    assertEqual((await joinset.join_next_async(null)).propagate_int(), 5);
});

run();
