/* test-spawn-async.vala: Js.JoinSet.spawn_async through the VAPI
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A GIO async method becomes a task in one statement: the start delegate
 * begins it with the task's cancellable, the finish delegate ends it and
 * hands its value over in a GLib.Value.
 */

File temp_file_with (string contents) throws Error {
    FileIOStream stream;
    var file = File.new_tmp ("js-spawn-async-XXXXXX.txt", out stream);
    stream.output_stream.write_all (contents.data, null);
    stream.close ();
    return file;
}

/* Runs the set's context until @set has no task left to join. */
Js.Task[] join_all (Js.JoinSet set) throws Error {
    Js.Task[] tasks = {};
    Js.Task? task;
    while ((task = set.join_next (null)) != null)
        tasks += task;
    return tasks;
}

void test_file_load () {
    try {
        var file = temp_file_with ("hello from vala");
        var set = new Js.JoinSet ();

        var id = set.spawn_async (
            (task, cancellable, callback) => file.load_bytes_async.begin (cancellable, callback),
            (source, result, out value) => {
                value = Value (typeof (Bytes));
                value.set_boxed (((File) source).load_bytes_async.end (result, null));
                return true;
            });
        assert_true (id != 0);

        var tasks = join_all (set);
        assert_cmpint (tasks.length, CompareOperator.EQ, 1);
        assert_true (tasks[0].get_id () == id);
        Value value;
        tasks[0].propagate_value (out value);
        var bytes = (Bytes) value.get_boxed ();
        assert_cmpstr ((string) bytes.get_data (), CompareOperator.EQ, "hello from vala");
        file.delete ();
    } catch (Error e) {
        error ("%s", e.message);
    }
}

/* The operation's error is the task's, with its domain and code. */
void test_error () {
    try {
        var file = File.new_for_path ("/nonexistent/js-spawn-async");
        var set = new Js.JoinSet ();

        set.spawn_async (
            (task, cancellable, callback) => file.load_bytes_async.begin (cancellable, callback),
            (source, result, out value) => {
                value = Value (typeof (Bytes));
                value.set_boxed (((File) source).load_bytes_async.end (result, null));
                return true;
            });

        var tasks = join_all (set);
        assert_cmpint (tasks.length, CompareOperator.EQ, 1);
        try {
            tasks[0].propagate_boolean ();
            assert_not_reached ();
        } catch (IOError.NOT_FOUND e) {
            /* expected */
        }
    } catch (Error e) {
        error ("%s", e.message);
    }
}

/* Aborting cancels the operation: the task joins as cancelled at once,
 * and the late callback (a subprocess wait) is handled. */
void test_abort () {
    try {
        var set = new Js.JoinSet ();
        var sleeper = new Subprocess.newv ({ "sleep", "30" }, SubprocessFlags.NONE);
        bool started = false;

        var id = set.spawn_async (
            (task, cancellable, callback) => {
                started = true;
                sleeper.wait_async.begin (cancellable, callback);
            },
            (source, result, out value) => {
                value = Value (typeof (bool));
                value.set_boolean (((Subprocess) source).get_if_exited ());
                return true;
            });
        while (!started)
            MainContext.default ().iteration (true);

        set.abort (id);
        var task = set.try_join_next ();
        assert_nonnull (task);
        try {
            task.propagate_boolean ();
            assert_not_reached ();
        } catch (IOError.CANCELLED e) {
            /* expected */
        }
        sleeper.force_exit ();
    } catch (Error e) {
        error ("%s", e.message);
    }
}

int main (string[] args) {
    Test.init (ref args);
    Test.add_func ("/vala/spawn-async/file-load", test_file_load);
    Test.add_func ("/vala/spawn-async/error", test_error);
    Test.add_func ("/vala/spawn-async/abort", test_abort);
    return Test.run ();
}
