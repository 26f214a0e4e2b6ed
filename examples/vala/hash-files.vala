/* hash-files.vala: checksum every file under a directory with a Js.JoinSet,
 * the Vala version of examples/joinset-hash.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: hash-files [-j JOBS] [DIRECTORY]
 *
 * Every file is hashed by a task on the thread pool, at most JOBS at once.
 * Each checksum is printed as its task finishes (completion order, mapped
 * back to its file by the task id), then a summary. Ctrl-C cancels the
 * set's parent cancellable: running tasks stop at their next chunk, queued
 * ones never start, and the summary says how many were aborted.
 */

const size_t CHUNK_SIZE = 64 * 1024;

/* The default directory: this source tree (set by meson). */
[CCode (cname = "JS_SOURCE_DIR")]
extern const string SOURCE_DIR;

static int jobs = 0;

const OptionEntry[] entries = {
    { "jobs", 'j', OptionFlags.NONE, OptionArg.INT, ref jobs, "Hash at most JOBS files at once", "JOBS" },
    { null }
};

/* Runs on a worker thread. */
static string hash_file (string path, Cancellable cancellable) throws Error {
    var checksum = new Checksum (ChecksumType.SHA256);
    var stream = File.new_for_path (path).read (cancellable);
    var buffer = new uint8[CHUNK_SIZE];
    ssize_t n_read;

    while ((n_read = stream.read (buffer, cancellable)) > 0)
        checksum.update (buffer, n_read);

    return checksum.get_string ();
}

static void collect_files (File dir, GenericArray<string> paths) throws Error {
    var children = dir.enumerate_children (FileAttribute.STANDARD_NAME + "," + FileAttribute.STANDARD_TYPE,
                                           FileQueryInfoFlags.NOFOLLOW_SYMLINKS);
    FileInfo? info;

    while ((info = children.next_file ()) != null) {
        var name = info.get_name ();
        var child = dir.get_child (name);

        switch (info.get_file_type ()) {
        case FileType.DIRECTORY:
            /* Skip version control and build directories. */
            if (!name.has_prefix (".") && !name.has_prefix ("_build")) {
                try {
                    collect_files (child, paths);
                } catch (Error e) {
                    /* Unreadable directory: skip it. */
                }
            }
            break;
        case FileType.REGULAR:
            paths.add (child.get_path ());
            break;
        default:
            break;
        }
    }
}

/* Spawns one task per file and prints each checksum as its task finishes.
 * Returns the exit status. (The set's cancellable is not a parameter: an
 * async method would fail as a whole once it is cancelled.) */
static async int hash_all (Js.JoinSet joinset, GenericArray<string> files) {
    var timer = new Timer ();
    var paths = new HashTable<uint64?, string> (int64_hash, int64_equal);
    uint hashed = 0, failed = 0, aborted = 0;

    foreach (unowned string file in files) {
        /* Each iteration has its own `path`, captured by its own closure. */
        string path = file;
        var id = joinset.spawn_in_thread ((task) => {
            try {
                string sum = hash_file (path, task.get_cancellable ());
                task.return_pointer ((owned) sum, free);
            } catch (Error e) {
                task.return_error ((owned) e);
            }
        });
        paths[id] = path;
    }

    for (;;) {
        Js.Task? task;

        try {
            task = yield joinset.join_next_async (null);
        } catch (Error e) {
            assert_not_reached ();  /* this join is never cancelled */
        }
        if (task == null)
            break;  /* every task was joined */

        var path = paths[task.get_id ()];
        try {
            string sum = (string) (owned) task.propagate_pointer ();
            print ("%s  %s\n", sum, path);
            hashed++;
        } catch (IOError.CANCELLED e) {
            aborted++;
        } catch (Error e) {
            printerr ("%s: %s\n", path, e.message);
            failed++;
        }
    }

    print ("\n%u files hashed, %u failed, %u aborted, with at most %d at once, in %.3f s\n",
           hashed, failed, aborted, jobs, timer.elapsed ());

    return failed > 0 || aborted > 0 ? 1 : 0;
}

int main (string[] args) {
    jobs = (int) get_num_processors ();

    var context = new OptionContext ("[DIRECTORY] - checksum every file with a Js.JoinSet");
    context.add_main_entries (entries, null);
    try {
        context.parse (ref args);
    } catch (OptionError e) {
        printerr ("%s\n", e.message);
        return 2;
    }
    if (jobs < 1) {
        printerr ("--jobs must be at least 1\n");
        return 2;
    }

    var files = new GenericArray<string> ();
    try {
        collect_files (File.new_for_commandline_arg (args.length > 1 ? args[1] : SOURCE_DIR), files);
    } catch (Error e) {
        printerr ("%s\n", e.message);
        return 1;
    }

    var cancellable = new Cancellable ();
    Unix.signal_add (ProcessSignal.INT, () => {
        printerr ("Interrupted: aborting the remaining tasks\n");
        cancellable.cancel ();
        return Source.REMOVE;
    });

    var joinset = new Js.JoinSet.with_cancellable (cancellable);
    joinset.max_concurrent = jobs;

    var loop = new MainLoop ();
    int status = 1;
    hash_all.begin (joinset, files, (obj, res) => {
        status = hash_all.end (res);
        loop.quit ();
    });
    loop.run ();

    return status;
}
