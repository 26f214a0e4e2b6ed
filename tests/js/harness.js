// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A small TAP harness for the GJS tests (meson runs them with
// protocol: 'tap'). Tests are async functions run one after another inside
// a GLib main loop, so they can await join_next_async() and friends; a
// per-test timeout turns a hang into a failure.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import System from 'system';

const TEST_TIMEOUT_MS = 10000;

const tests = [];

export function test(name, func) {
    tests.push({name, func});
}

// A test of a known bug: reported as TAP's "not ok # TODO" (an expected
// failure for meson) while it fails, and as "ok # TODO" (an unexpected
// pass, which fails the run) once the bug is fixed.
export function knownFailure(name, reason, func) {
    tests.push({name, func, todo: reason});
}

export class AssertionError extends Error {
    constructor(message) {
        super(message);
        this.name = 'AssertionError';
    }
}

export function assert(condition, message = 'assertion failed') {
    if (!condition)
        throw new AssertionError(message);
}

function show(value) {
    try {
        return JSON.stringify(value);
    } catch {
        return String(value);
    }
}

export function assertEqual(actual, expected, message = '') {
    if (show(actual) !== show(expected))
        throw new AssertionError(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
}

// Calls func and returns the GLib.Error it throws; fails if it throws
// nothing or something else.
export function assertThrowsGError(func, domain, code) {
    try {
        func();
    } catch (error) {
        assert(error instanceof GLib.Error, `expected a GLib.Error, got ${error}`);
        if (domain !== undefined)
            assert(error.matches(domain, code), `expected error ${domain}:${code}, got ${error}`);
        return error;
    }
    throw new AssertionError('expected a GLib.Error, nothing was thrown');
}

export async function assertRejectsGError(promise, domain, code) {
    try {
        await promise;
    } catch (error) {
        assert(error instanceof GLib.Error, `expected a GLib.Error, got ${error}`);
        assert(error.matches(domain, code), `expected error ${domain}:${code}, got ${error}`);
        return error;
    }
    throw new AssertionError('expected a rejection with a GLib.Error');
}

// Any propagate_*() reports a task's error; propagate_value() is avoided
// here because of the GValue rough edge test-rough-edges.js documents.
export function taskError(task) {
    assert(task.had_error(), `task ${task.get_id()} did not fail`);
    return assertThrowsGError(() => task.propagate_boolean());
}

export function assertCancelled(task) {
    const error = taskError(task);
    assert(error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED),
        `expected the task to be cancelled, got ${error}`);
}

// A promise and the function that settles it, for gates a test controls.
export function deferred() {
    let resolve;
    const promise = new Promise(r => (resolve = r));
    return {promise, resolve};
}

// Resolves after the main loop went through a few iterations, for checking
// that something did not happen meanwhile.
export function iterations(count = 3) {
    return new Promise(resolve => {
        let left = count;
        GLib.idle_add(GLib.PRIORITY_LOW, () => {
            if (--left > 0)
                return GLib.SOURCE_CONTINUE;
            resolve();
            return GLib.SOURCE_REMOVE;
        });
    });
}

export function run() {
    const filters = ARGV;
    const loop = new GLib.MainLoop(null, false);
    let failed = 0;
    let count = 0;

    (async () => {
        for (const {name, func, todo} of tests) {
            if (filters.length > 0 && !filters.some(f => name.includes(f)))
                continue;
            count++;
            let timeoutId = 0;
            const timeout = new Promise((_, reject) => {
                timeoutId = GLib.timeout_add(GLib.PRIORITY_DEFAULT, TEST_TIMEOUT_MS, () => {
                    timeoutId = 0;
                    reject(new AssertionError(`timed out after ${TEST_TIMEOUT_MS} ms`));
                    return GLib.SOURCE_REMOVE;
                });
            });
            try {
                // eslint-disable-next-line no-await-in-loop
                await Promise.race([func(), timeout]);
                print(`ok ${count} - ${name}${todo ? ` # TODO ${todo}` : ''}`);
                if (todo)
                    failed++;
            } catch (error) {
                if (!todo)
                    failed++;
                print(`not ok ${count} - ${name}${todo ? ` # TODO ${todo}` : ''}`);
                for (const line of `${error}\n${error?.stack ?? ''}`.trim().split('\n'))
                    print(`# ${line}`);
            } finally {
                if (timeoutId)
                    GLib.source_remove(timeoutId);
            }
            System.gc();
        }
        print(`1..${count}`);
        loop.quit();
    })();

    loop.run();
    System.exit(failed > 0 ? 1 : 0);
}
