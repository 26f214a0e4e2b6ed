// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The live list model of a set's tasks from GJS: get_tasks() is a
// Gio.ListModel of Js.Task in spawn order; a joined task leaves it; the
// state is notified; task-started is emitted. Main-context tasks only
// (GJS runs JavaScript on the main thread), completed when the test says.

import Gio from 'gi://Gio';
import Js from 'gi://Js?version=1';

import {test, run, assert, assertEqual, deferred, iterations} from './harness.js';

Gio._promisify(Js.JoinSet.prototype, 'join_next_async', 'join_next_finish');

async function until(predicate) {
    while (!predicate())
        // eslint-disable-next-line no-await-in-loop
        await iterations(1);
}

function ids(model) {
    const result = [];
    for (let i = 0; i < model.get_n_items(); i++)
        result.push(Number(model.get_item(i).get_id()));
    return result;
}

test('tasks: a live model in spawn order, joined tasks leave it', async () => {
    const joinset = new Js.JoinSet();
    const model = joinset.get_tasks();
    assert(model instanceof Gio.ListModel, 'a Gio.ListModel');
    assert(joinset.tasks === model, 'the tasks property is the same model');

    const changes = [];
    model.connect('items-changed', (m, position, removed, added) => changes.push([position, removed, added]));

    const started = [];
    joinset.connect('task-started', (s, task) => started.push(Number(task.get_id())));

    const held = [deferred(), deferred(), deferred()];
    const spawned = held.map(d => Number(joinset.spawn(task => d.resolve(task))));
    const tasks = await Promise.all(held.map(d => d.promise));
    await until(() => model.get_n_items() === 3);
    assertEqual(ids(model), spawned);
    assertEqual(changes, [[0, 0, 3]], 'one items-changed for three spawns');

    const states = [];
    const middle = model.get_item(1);
    middle.connect('notify::state', () => states.push(middle.state));
    await until(() => started.length === 3);
    assertEqual(started, spawned);
    assertEqual(middle.get_state(), Js.TaskState.RUNNING);

    tasks[1].return_int(2);
    await until(() => states.includes(Js.TaskState.FINISHED));
    const joined = await joinset.join_next_async(null);
    assertEqual(Number(joined.get_id()), spawned[1]);
    await until(() => model.get_n_items() === 2);
    assertEqual(ids(model), [spawned[0], spawned[2]]);

    tasks[0].return_int(1);
    tasks[2].return_int(3);
    await joinset.join_next_async(null);
    await joinset.join_next_async(null);
    await until(() => model.get_n_items() === 0);
});

run();
