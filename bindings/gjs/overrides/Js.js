// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The GJS override of libjoinset: what `imports.gi.Js` and
// `import Js from 'gi://Js'` give JavaScript on top of the typelib.
//
// GJS loads it from the `overrides/` directory of any entry of its search
// path (imports.searchPath): <datadir>/gjs-1.0 of every XDG data
// directory, and each directory of GJS_PATH. meson installs it into
// <prefix>/share/gjs-1.0/overrides; the tests use it from the source tree
// with GJS_PATH=bindings/gjs.
//
// What it changes, and why (docs/javascript.md tells users):
//
// - spawn(func): a task function that throws fails its task at once with
//   the exception's message; an async function, or one returning a
//   promise, completes its task with the resolved value or fails it with
//   the rejection. Without it such a task waited for the garbage collector
//   to drop it (about 10 s), then joined as ABANDONED.
// - spawn_in_thread(), and spawn_full() with JS_SPAWN_IN_THREAD, throw:
//   GJS runs JavaScript on its main thread only.
// - return_value(value) takes any JavaScript value (undefined, arrays,
//   objects, big numbers, BigInt): GJS cannot guess a GValue type for most
//   of them. Strings, booleans and GObjects travel as themselves; anything
//   else is carried in a small GObject that holds the value, read back by
//   propagate_value(). Nothing is kept in a table: the value lives as long
//   as the task's result.
// - for await (const task of set): joins until the set is empty.
// - spawn_async() throws, pointing at spawn() with an async function: GJS
//   cannot call the C form, whose start function takes a C callback.

/* exported _init */

const {GLib, GObject, Gio} = imports.gi;

// The GObject that carries a JavaScript value through a task's GValue.
// GJS keeps the JavaScript object alive while C holds a reference (the
// task's result), and lets it go with the result.
const ValueBox = GObject.registerClass({
    GTypeName: 'JsGjsValueBox',
}, class ValueBox extends GObject.Object {
    _init(value) {
        super._init();
        this.value = value;
    }
});

// Tasks whose producer returned a result, to settle each task once.
const returned = new WeakSet();

function toGError(error) {
    if (error instanceof GLib.Error)
        return error;
    const message = error instanceof Error ? error.message : String(error);
    return new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED, message);
}

function threadError(method) {
    return new Error(`Js.JoinSet.${method}(): GJS runs JavaScript on the ` +
        'main thread only, so a JavaScript function cannot run on a worker ' +
        'thread; use spawn() (with an async function for I/O) instead');
}

// Runs @func as the body of @task, settling the task with what it returns,
// throws, resolves or rejects, unless it returned a result itself.
function runTask(task, func) {
    const fail = error => {
        if (!returned.has(task))
            task.return_error(toGError(error));
        else
            logError(error, `Js task ${task.get_id()} threw after it returned`);
    };

    let result;
    try {
        result = func(task);
    } catch (error) {
        fail(error);
        return;
    }

    if (result !== null && typeof result?.then === 'function') {
        result.then(value => {
            if (!returned.has(task))
                task.return_value(value);
        }, fail);
    }
    // A plain return value is not a result: a task function returns its
    // task with task.return_*(), now or later (an arrow function returns
    // whatever its expression gives).
}

function wrapTaskFunc(func) {
    if (typeof func !== 'function')
        throw new TypeError('a task function must be a function');
    return task => runTask(task, func);
}

function joinNext(set) {
    return new Promise((resolve, reject) => {
        set.join_next_async(null, (_set, res) => {
            try {
                resolve(_set.join_next_finish(res));
            } catch (error) {
                reject(error);
            }
        });
    });
}

function _init() {
    const Js = this;
    const {JoinSet, Task} = Js;

    // Spawning
    const spawn = JoinSet.prototype.spawn;
    JoinSet.prototype.spawn = function (func) {
        return spawn.call(this, wrapTaskFunc(func));
    };

    JoinSet.prototype.spawn_in_thread = function () {
        throw threadError('spawn_in_thread');
    };

    const spawnFull = JoinSet.prototype.spawn_full;
    JoinSet.prototype.spawn_full = function (flags, name, timeoutMs, func) {
        if (flags & Js.SpawnFlags.IN_THREAD)
            throw threadError('spawn_full');
        return spawnFull.call(this, flags, name, timeoutMs, wrapTaskFunc(func));
    };

    // A GIO operation as a task: the C spawn_async() hands its start
    // function a C callback, which GJS cannot pass on (it would throw
    // "accepts another callback as a parameter"). In JavaScript the same
    // thing is an async function given to spawn().
    JoinSet.prototype.spawn_async = function () {
        throw new Error('Js.JoinSet.spawn_async() is the C form of adopting ' +
            'a GIO call; in JavaScript an async function is the task: ' +
            'set.spawn(async task => await file.load_bytes_async(' +
            'task.get_cancellable())), with Gio._promisify() on the method');
    };

    // Joining: for await (const task of set)
    JoinSet.prototype[Symbol.asyncIterator] = async function* () {
        for (;;) {
            // eslint-disable-next-line no-await-in-loop
            const task = await joinNext(this);
            if (task === null)
                return;
            yield task;
        }
    };

    // Returning: mark the task returned, and box what GJS cannot convert.
    for (const name of ['return_boolean', 'return_int', 'return_error',
        'return_new_error', 'return_error_if_cancelled']) {
        const original = Task.prototype[name];
        if (original === undefined)
            continue;
        Task.prototype[name] = function (...args) {
            const result = original.apply(this, args);
            if (name !== 'return_error_if_cancelled' || result)
                returned.add(this);
            return result;
        };
    }

    const returnValue = Task.prototype.return_value;
    Task.prototype.return_value = function (value) {
        returned.add(this);
        if (typeof value === 'string' || typeof value === 'boolean' ||
            value instanceof GObject.Object)
            returnValue.call(this, value);
        else
            returnValue.call(this, new ValueBox(value));
    };

    const propagateValue = Task.prototype.propagate_value;
    Task.prototype.propagate_value = function () {
        const value = propagateValue.call(this);
        return value instanceof ValueBox ? value.value : value;
    };
}
