// SPDX-License-Identifier: LGPL-2.1-or-later
//
// What GJS users should get from the C API where it does not yet give it to
// them. Each case runs in its own process (meson passes its name), because
// today they end in a GLib critical, fatal under G_DEBUG=fatal-criticals.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Js from 'gi://Js?version=1';
import System from 'system';

import {test, run, assert, assertEqual, assertThrowsGError, deferred, iterations} from './harness.js';

Gio._promisify(Js.JoinSet.prototype, 'join_next_async', 'join_next_finish');

// js_task_propagate_value() fills a caller-allocated GValue and returns a
// gboolean that only repeats whether it threw. GJS hands back
// [true, value]; the value alone is what a binding user expects.
test('propagate-value returns the value', async () => {
    const joinset = new Js.JoinSet();
    joinset.spawn(task => task.return_value('text'));
    const task = await joinset.join_next_async(null);
    assertEqual(task.propagate_value(), 'text');
});

// On a failed task GJS 1.74 still converts the (uninitialized) GValue
// out-argument: the task's GLib.Error is replaced by "Don't know how to
// convert GType (null) to JavaScript object", after two criticals from
// g_value_type_transformable().
test('propagate-value throws the task error', async () => {
    const joinset = new Js.JoinSet();
    joinset.spawn(task => task.return_error(
        new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.PERMISSION_DENIED, 'denied')));
    const task = await joinset.join_next_async(null);
    const error = assertThrowsGError(() => task.propagate_value(),
        Gio.IOErrorEnum, Gio.IOErrorEnum.PERMISSION_DENIED);
    assertEqual(error.message, 'denied');
});

// Dropping the set aborts its running tasks. In GJS the set is disposed by
// the garbage collector, where GJS refuses to run JavaScript ("Attempting
// to run a JS callback during garbage collection"): a running task's
// cancellable handler never runs, so its async work is never stopped.
test('gc-dispose aborts running tasks', async () => {
    let joinset = new Js.JoinSet();
    const started = deferred();
    let cancelled = false;
    joinset.spawn(task => {
        task.get_cancellable().connect(() => (cancelled = true));
        started.resolve(task);
    });
    const task = await started.promise;
    assert(!task.get_completed());
    joinset = null;
    System.gc();
    for (let i = 0; i < 10 && !cancelled; i++) {
        // eslint-disable-next-line no-await-in-loop
        await iterations(1);
    }
    assert(cancelled, 'the running task was not told it was aborted');
    assert(task.get_completed(), 'the task was not aborted');
});

run();
