#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""hash-files.py: checksum every file under a directory with a Js.JoinSet,
the Python version of examples/joinset-hash.c.

Usage: hash-files.py [-j JOBS] [DIRECTORY]

Every file is hashed by a Python function on the thread pool, at most JOBS
at once (hashlib releases the GIL while it hashes, so they really run in
parallel). Each checksum is printed as its task finishes (completion order,
mapped back to its file by the task id), then a summary. Ctrl-C raises
KeyboardInterrupt in the loop that joins them, which aborts the set:
running tasks stop at their next chunk, queued ones never start, and the
summary says how many were aborted.
"""

import argparse
import hashlib
import os
import sys
import time

import gi

gi.require_version('Js', '1')
from gi.repository import GLib, Gio, Js  # noqa: E402

CHUNK_SIZE = 64 * 1024


def hash_file(path):
    """The body of a task, run on a worker thread."""
    cancellable = Js.current_task().get_cancellable()
    checksum = hashlib.sha256()
    with open(path, 'rb') as stream:
        while chunk := stream.read(CHUNK_SIZE):
            cancellable.set_error_if_cancelled()  # aborted: raises, and stops
            checksum.update(chunk)
    return checksum.hexdigest()


def collect_files(directory):
    """Regular files under directory, without following symbolic links,
    skipping version control and build directories."""
    paths = []
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith(('.', '_build')):
                    try:
                        paths.extend(collect_files(entry.path))
                    except OSError:
                        pass  # unreadable directory: skip it
            elif entry.is_file(follow_symlinks=False):
                paths.append(entry.path)
    return paths


def main(argv=None):
    source_tree = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser = argparse.ArgumentParser(description='Checksum every file with a Js.JoinSet.')
    parser.add_argument('-j', '--jobs', type=int, default=os.cpu_count() or 1,
                        help='hash at most JOBS files at once')
    parser.add_argument('directory', nargs='?', default=source_tree)
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error('--jobs must be at least 1')

    start = time.monotonic()
    try:
        files = collect_files(os.path.abspath(args.directory))
    except OSError as error:
        print(error, file=sys.stderr)
        return 1

    counts = {'hashed': 0, 'failed': 0, 'aborted': 0}

    def report(task, path):
        try:
            print('{}  {}'.format(task.propagate_value(), path), flush=True)
            counts['hashed'] += 1
        except GLib.Error as error:  # from C: the task was aborted
            if not error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
                raise
            counts['aborted'] += 1
        except OSError as error:     # what hash_file raised
            print('{}: {}'.format(path, error.strerror), file=sys.stderr)
            counts['failed'] += 1

    # Leaving the with block shuts the set down: nothing it started still
    # runs afterwards, even if the loop below is left by an exception.
    with Js.JoinSet(max_concurrent=args.jobs) as joinset:
        paths = {joinset.spawn_call_in_thread(hash_file, path): path for path in files}
        try:
            # Iterating joins the tasks in completion order. Ctrl-C raises
            # KeyboardInterrupt here at once, whatever the tasks are doing.
            for task in joinset:
                report(task, paths[task.get_id()])
        except KeyboardInterrupt:
            print('Interrupted: aborting the remaining tasks', file=sys.stderr)
            joinset.abort_all()
            for task in joinset:  # the aborted tasks, and any that just finished
                report(task, paths[task.get_id()])

    hashed, failed, aborted = counts['hashed'], counts['failed'], counts['aborted']
    print('\n{} files hashed, {} failed, {} aborted, with at most {} at once, in {:.3f} s'.format(
        hashed, failed, aborted, args.jobs, time.monotonic() - start))
    return 1 if failed or aborted else 0


if __name__ == '__main__':
    sys.exit(main())
