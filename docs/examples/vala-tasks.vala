/* vala-tasks.vala: tasks in the main context and in threads, from Vala.
 * Build with: valac --pkg joinset-1 --pkg gio-2.0 vala-tasks.vala
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A main-context task that adopts an async call: it returns its task when
 * the load finishes. The task stays alive meanwhile: the async method
 * holds a reference to it. */
async void load (Js.Task task, File file) {
    try {
        var bytes = yield file.load_bytes_async (task.get_cancellable (), null);
        task.return_int ((ssize_t) bytes.get_size ());
    } catch (Error e) {
        task.return_error ((owned) e);
    }
}

/* A thread task: blocking work, checking for an abort between steps. */
void count (Js.Task task) {
    ssize_t sum = 0;
    for (int i = 1; i <= 1000; i++) {
        if (task.return_error_if_cancelled ())
            return;
        sum += i;
        if (i % 500 == 0)
            task.set_progress (i / 1000.0);
    }
    task.return_int (sum);
}

double reported = 0.0;  /* the last progress the set reported */

async void join_all (Js.JoinSet set, string dir) {
    for (;;) {
        Js.Task? task = null;
        try {
            task = yield set.join_next_async ();
        } catch (Error e) {
            assert_not_reached ();  /* never cancelled */
        }
        if (task == null)
            break;  /* every task was joined */

        try {
            var result = task.propagate_int ();
            if (task.name == "count")
                print ("%s: %zd, progress reported: %.1f\n", task.name, result, reported);
            else
                print ("%s: %zd\n", task.name, result);
        } catch (IOError.TIMED_OUT e) {
            print ("%s: timed out\n", task.name);
        } catch (Error e) {
            print ("%s: %s\n", task.name, e.message.replace (dir, "DIR"));
        }
    }
}

int main () {
    string dir;
    try {
        dir = DirUtils.make_tmp ("joinset-XXXXXX");
        FileUtils.set_contents (Path.build_filename (dir, "a.txt"), "first file");
    } catch (Error e) {
        error ("%s", e.message);
    }

    var set = new Js.JoinSet ();
    set.ordered = true;  /* join in spawn order, for a stable output */

    /* Progress arrives in the main context, even from a thread task, and
     * before the task's join. */
    set.task_progress.connect ((task, fraction) => reported = fraction);

    foreach (var name in new string[] { "a.txt", "missing.txt" }) {
        var file = File.new_for_path (Path.build_filename (dir, name));
        set.spawn_full (Js.SpawnFlags.DEFAULT, name, 0, (task) => load.begin (task, file));
    }
    set.spawn_full (Js.SpawnFlags.IN_THREAD, "count", 0, count);

    /* A task that never returns: its time limit fails it. It is held
     * (dropping the last reference would abandon it at once). */
    Js.Task? forever = null;
    set.spawn_full (Js.SpawnFlags.DEFAULT, "forever", 50, (task) => forever = task);

    /* A task aborted before it ran: it never runs. */
    var id = set.spawn_full (Js.SpawnFlags.DEFAULT, "aborted", 0, (task) => assert_not_reached ());
    set.abort (id);

    var loop = new MainLoop ();
    join_all.begin (set, dir, () => loop.quit ());
    loop.run ();

    FileUtils.unlink (Path.build_filename (dir, "a.txt"));
    DirUtils.remove (dir);
    return 0;
}
