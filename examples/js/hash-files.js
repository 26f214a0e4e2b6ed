#!/usr/bin/env -S gjs -m
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// hash-files.js: checksum every file under a directory with a Js.JoinSet,
// the GJS version of examples/joinset-hash.c.
//
// Usage: gjs -m hash-files.js [-j JOBS] [DIRECTORY]
//
// GJS runs JavaScript on the main thread only, so the tasks are spawned in
// the main context (spawn(), never spawn_in_thread()) and do their I/O
// with asynchronous Gio calls: at most JOBS files are read at once. Each
// checksum is printed as its task finishes (completion order, mapped back
// to its file by the task id), then a summary. Ctrl-C cancels the set's
// parent cancellable: reads in progress stop, queued tasks never start.
//
// It uses the override libjoinset installs for GJS (async functions as
// tasks, for await over the set): uninstalled, run it with
// GJS_PATH=bindings/gjs (see docs/javascript.md).

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Js from 'gi://Js?version=1';
import System from 'system';

Gio._promisify(Gio.File.prototype, 'read_async', 'read_finish');
Gio._promisify(Gio.InputStream.prototype, 'read_bytes_async', 'read_bytes_finish');
Gio._promisify(Gio.InputStream.prototype, 'close_async', 'close_finish');

const CHUNK_SIZE = 64 * 1024;

// The body of a task: resolves to the SHA-256 of the file.
async function hashFile(path, cancellable) {
    const stream = await Gio.File.new_for_path(path).read_async(GLib.PRIORITY_DEFAULT, cancellable);
    const checksum = new GLib.Checksum(GLib.ChecksumType.SHA256);
    try {
        for (;;) {
            // eslint-disable-next-line no-await-in-loop
            const bytes = await stream.read_bytes_async(CHUNK_SIZE, GLib.PRIORITY_DEFAULT, cancellable);
            if (bytes.get_size() === 0)
                break;
            checksum.update(bytes.toArray());
        }
    } finally {
        stream.close_async(GLib.PRIORITY_DEFAULT, null).catch(() => {});
    }
    return checksum.get_string();
}

function collectFiles(dir, paths) {
    const children = dir.enumerate_children('standard::name,standard::type',
        Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, null);
    for (let info; (info = children.next_file(null));) {
        const name = info.get_name();
        const child = dir.get_child(name);
        switch (info.get_file_type()) {
        case Gio.FileType.DIRECTORY:
            // Skip version control and build directories.
            if (!name.startsWith('.') && !name.startsWith('_build')) {
                try {
                    collectFiles(child, paths);
                } catch {
                    // Unreadable directory: skip it, as the C example does.
                }
            }
            break;
        case Gio.FileType.REGULAR:
            paths.push(child.get_path());
            break;
        default:
            break;
        }
    }
    return paths;
}

function parseArgs(args) {
    let jobs = GLib.get_num_processors();
    let directory = null;
    for (let i = 0; i < args.length; i++) {
        if (args[i] === '-j' || args[i] === '--jobs')
            jobs = Number(args[++i]);
        else if (args[i].startsWith('--jobs='))
            jobs = Number(args[i].slice('--jobs='.length));
        else
            directory = args[i];
    }
    if (!Number.isInteger(jobs) || jobs < 1) {
        printerr('--jobs must be at least 1');
        System.exit(2);
    }
    // Default: the source tree this example belongs to.
    directory ??= Gio.File.new_for_uri(import.meta.url).get_parent().get_parent().get_parent().get_path();
    return {jobs, directory};
}

async function main(args) {
    const {jobs, directory} = parseArgs(args);
    const timer = GLib.get_monotonic_time();
    const counts = {hashed: 0, failed: 0, aborted: 0};

    let files;
    try {
        files = collectFiles(Gio.File.new_for_commandline_arg(directory), []);
    } catch (error) {
        printerr(error.message);
        return 1;
    }

    const cancellable = new Gio.Cancellable();
    const joinset = Js.JoinSet.new_with_cancellable(cancellable);
    joinset.max_concurrent = jobs;

    const sigint = GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 2 /* SIGINT */, () => {
        printerr('Interrupted: aborting the remaining tasks');
        cancellable.cancel();
        return GLib.SOURCE_REMOVE;
    });

    const paths = new Map();
    // An async function is a task: what it resolves to is the task's
    // value, what it throws the task's error.
    for (const path of files)
        paths.set(joinset.spawn(task => hashFile(path, task.get_cancellable())), path);

    for await (const task of joinset) {
        const path = paths.get(task.get_id());
        try {
            print(`${task.propagate_value()}  ${path}`);
            counts.hashed++;
        } catch (error) {
            if (error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED)) {
                counts.aborted++;
            } else {
                printerr(`${path}: ${error.message}`);
                counts.failed++;
            }
        }
    }

    if (!cancellable.is_cancelled())
        GLib.source_remove(sigint);

    const seconds = (GLib.get_monotonic_time() - timer) / 1e6;
    print(`\n${counts.hashed} files hashed, ${counts.failed} failed, ${counts.aborted} aborted, ` +
          `with at most ${jobs} at once, in ${seconds.toFixed(3)} s`);
    return counts.failed > 0 || counts.aborted > 0 ? 1 : 0;
}

const loop = new GLib.MainLoop(null, false);
let status = 1;
main(ARGV).then(code => (status = code), error => logError(error)).finally(() => loop.quit());
loop.run();
System.exit(status);
