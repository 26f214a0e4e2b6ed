/* test-join-set.vala: Js.JoinSet through its VAPI
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What Vala adds on top of C: owned delegates whose closures the set must
 * free, `yield` on the async methods, and error domains in catch clauses.
 */

/* Runs an async test to completion in a main loop: begin starts it,
 * end finishes it (and throws its error). */
delegate void Begin (AsyncReadyCallback callback);
delegate void End (AsyncResult result) throws Error;

void run_async (Begin begin, End end) {
    var loop = new MainLoop ();
    AsyncResult? result = null;

    begin ((obj, res) => {
        result = res;
        loop.quit ();
    });
    loop.run ();

    try {
        end (result);
    } catch (Error e) {
        error ("%s (%s, %d)", e.message, e.domain.to_string (), e.code);
    }
}

/* Something a closure captures: tells when every closure was freed. */
class Witness : Object {
    static Mutex mutex;
    static int alive = 0;

    construct {
        mutex.lock ();
        alive++;
        mutex.unlock ();
    }

    ~Witness () {
        mutex.lock ();
        alive--;
        mutex.unlock ();
    }

    static int get_alive () {
        mutex.lock ();
        var n = alive;
        mutex.unlock ();
        return n;
    }

    /* Waits (at most 5 s) until no Witness is alive, iterating the
     * default context: a closure is freed in the set's home thread (this
     * one), by the set's source, when its worker let go of it after the
     * join was delivered (docs/threads.md). Waiting without iterating
     * failed 5 runs in 200. */
    public static bool all_freed () {
        var deadline = get_monotonic_time () + 5 * TimeSpan.SECOND;
        while (get_alive () > 0 && get_monotonic_time () < deadline) {
            if (!MainContext.default ().iteration (false))
                Thread.usleep (200);
        }
        return get_alive () == 0;
    }
}

async void test_sum_of_squares () throws Error {
    var joinset = new Js.JoinSet ();
    ssize_t total = 0;

    for (ssize_t n = 1; n <= 3; n++) {
        ssize_t m = n;  /* one closure per iteration */
        joinset.spawn_in_thread ((task) => task.return_int (m * m));
    }

    Js.Task? task;
    while ((task = yield joinset.join_next_async (null)) != null)
        total += task.propagate_int ();

    assert_cmpint ((int) total, CompareOperator.EQ, 14);
}

async void test_completion_order () throws Error {
    string[] words = { "one", "three", "four" };
    int[] finish_order = { 2, 0, 1 };
    var joinset = new Js.JoinSet ();
    var index_of = new HashTable<uint64?, int> (int64_hash, int64_equal);
    var running = new Js.Task[words.length];
    int started = 0;

    for (int i = 0; i < words.length; i++) {
        int index = i;
        var id = joinset.spawn ((task) => {
            running[index] = task;  /* completes when the test says so */
            started++;
        });
        index_of[id] = i;
    }

    while (started < words.length)
        MainContext.default ().iteration (true);
    foreach (var index in finish_order)
        running[index].return_int (words[index].length);
    running = null;

    int position = 0;
    Js.Task? task;
    while ((task = yield joinset.join_next_async (null)) != null) {
        var index = index_of[task.get_id ()];
        assert_cmpint (index, CompareOperator.EQ, finish_order[position++]);
        assert_cmpint ((int) task.propagate_int (), CompareOperator.EQ, words[index].length);
    }
    assert_cmpint (position, CompareOperator.EQ, words.length);
}

async void test_errors () throws Error {
    var joinset = new Js.JoinSet ();
    var failing = joinset.spawn_in_thread ((task) => {
        task.return_error (new IOError.PERMISSION_DENIED ("no way"));
    });
    joinset.spawn ((task) => {
        /* returns nothing and keeps no reference: abandoned */
    });

    bool denied = false, abandoned = false;
    Js.Task? task;
    while ((task = yield joinset.join_next_async (null)) != null) {
        assert_true (task.had_error ());
        try {
            task.propagate_boolean ();
            assert_not_reached ();
        } catch (IOError.PERMISSION_DENIED e) {
            assert_true (task.get_id () == failing);
            assert_cmpstr (e.message, CompareOperator.EQ, "no way");
            denied = true;
        } catch (Js.JoinError.ABANDONED e) {
            abandoned = true;
        }
    }
    assert_true (denied && abandoned);
}

async void test_abort_and_shutdown () throws Error {
    var joinset = new Js.JoinSet ();
    Js.Task? held = null;
    bool cancelled = false;

    var id = joinset.spawn ((task) => {
        held = task;
        task.get_cancellable ().cancelled.connect (() => cancelled = true);
    });
    var queued_ran = false;
    joinset.max_concurrent = 1;
    var queued = joinset.spawn ((task) => {
        queued_ran = true;
        task.return_int (0);
    });

    while (held == null)
        MainContext.default ().iteration (true);

    assert_true (joinset.abort (queued));
    assert_true (joinset.abort (id));
    assert_true (cancelled);
    assert_false (joinset.abort (id));
    held = null;

    for (int i = 0; i < 2; i++) {
        var task = yield joinset.join_next_async (null);
        try {
            task.propagate_int ();
            assert_not_reached ();
        } catch (IOError.CANCELLED e) {
        }
    }
    assert_false (queued_ran);

    // Shutdown leaves the set empty and open; close() refuses spawns.
    assert_true (yield joinset.shutdown_async (null));
    assert_false (joinset.is_closed ());
    assert_true (joinset.length == 0);
    joinset.close ();
    assert_true (joinset.is_closed ());
    assert_true (joinset.spawn ((task) => task.return_int (0)) == 0);
}

async void test_join_all () throws Error {
    var joinset = new Js.JoinSet ();
    for (int n = 0; n < 4; n++) {
        int m = n;
        joinset.spawn_in_thread ((task) => task.return_int (m));
    }
    var tasks = yield joinset.join_all_async (null);
    assert_cmpint (tasks.length, CompareOperator.EQ, 4);
    ssize_t sum = 0;
    for (uint i = 0; i < tasks.length; i++)
        sum += tasks[i].propagate_int ();
    assert_cmpint ((int) sum, CompareOperator.EQ, 6);
    assert_true (joinset.is_empty ());
}

async void test_closures_are_freed () throws Error {
    var joinset = new Js.JoinSet ();

    /* In a scope of their own, so that only the closures hold them. */
    {
        var joined = new Witness ();
        var aborted = new Witness ();
        joinset.max_concurrent = 1;
        joinset.spawn_in_thread ((task) => task.return_int (joined != null ? 1 : 0));
        var id = joinset.spawn ((task) => task.return_int (aborted != null ? 1 : 0));
        joinset.abort (id);
    }

    while ((yield joinset.join_next_async (null)) != null)
        ;
    /* The thread closure is freed once its worker returned, in this
     * thread (the set's home). */
    assert_true (Witness.all_freed ());
}

int main (string[] args) {
    Test.init (ref args);

    Test.add_func ("/vala/join-set/sum-of-squares",
                   () => run_async ((cb) => test_sum_of_squares.begin (cb), (r) => test_sum_of_squares.end (r)));
    Test.add_func ("/vala/join-set/completion-order",
                   () => run_async ((cb) => test_completion_order.begin (cb), (r) => test_completion_order.end (r)));
    Test.add_func ("/vala/join-set/errors",
                   () => run_async ((cb) => test_errors.begin (cb), (r) => test_errors.end (r)));
    Test.add_func ("/vala/join-set/abort-and-shutdown",
                   () => run_async ((cb) => test_abort_and_shutdown.begin (cb), (r) => test_abort_and_shutdown.end (r)));
    Test.add_func ("/vala/join-set/join-all",
                   () => run_async ((cb) => test_join_all.begin (cb), (r) => test_join_all.end (r)));
    Test.add_func ("/vala/join-set/closures-are-freed",
                   () => run_async ((cb) => test_closures_are_freed.begin (cb), (r) => test_closures_are_freed.end (r)));

    return Test.run ();
}
