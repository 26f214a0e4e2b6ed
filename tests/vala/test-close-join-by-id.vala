/* test-close-join-by-id.vala: close(), shutdown and joins by id, from Vala
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `yield` on join_by_id_async (), its errors in catch clauses, and the
 * close-then-wait pattern.
 */

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

async void test_join_by_id () throws Error {
    var joinset = new Js.JoinSet ();
    Js.Task? held = null;

    var first = joinset.spawn ((task) => { held = task; });
    var second = joinset.spawn_in_thread ((task) => task.return_int (2));

    /* The second task, while the first one still runs. */
    var task = yield joinset.join_by_id_async (second);
    assert_true (task.get_id () == second);
    assert_true (task.propagate_int () == 2);
    assert_true (joinset.length == 1);

    /* Joined once: the id is gone. */
    var unknown = false;
    try {
        yield joinset.join_by_id_async (second);
    } catch (Js.JoinError.UNKNOWN_TASK e) {
        unknown = true;
    }
    assert_true (unknown);

    /* A task is joined by id once at a time. */
    joinset.join_by_id_async.begin (first, null, (obj, res) => {
        try {
            task = joinset.join_by_id_async.end (res);
        } catch (Error e) {
            assert_not_reached ();
        }
    });
    var pending = false;
    try {
        yield joinset.join_by_id_async (first);
    } catch (IOError.PENDING e) {
        pending = true;
    }
    assert_true (pending);

    held.return_int (1);
    held = null;
    while (task.get_id () != first)
        MainContext.default ().iteration (true);
    assert_true (task.propagate_int () == 1);
    assert_true (joinset.length == 0);
}

async void test_close_then_wait () throws Error {
    var joinset = new Js.JoinSet ();
    joinset.max_concurrent = 1;
    for (int n = 1; n <= 3; n++) {
        int m = n;
        joinset.spawn_in_thread ((task) => task.return_int (m));
    }

    joinset.close ();
    assert_true (joinset.is_closed ());
    assert_true (joinset.spawn ((task) => task.return_int (0)) == 0);

    /* The queued tasks still run: nothing is aborted. */
    var tasks = yield joinset.join_all_async ();
    assert_cmpint (tasks.length, CompareOperator.EQ, 3);
    int64 sum = 0;
    foreach (var task in tasks)
        sum += task.propagate_int ();
    assert_true (sum == 6);

    /* Shutdown after close: still empty, still closed. */
    assert_true (yield joinset.shutdown_async ());
    assert_true (joinset.is_closed ());
    assert_true (joinset.length == 0);
}

int main (string[] args) {
    Test.init (ref args);

    Test.add_func ("/vala/join-set/join-by-id",
                   () => run_async ((cb) => test_join_by_id.begin (cb), (r) => test_join_by_id.end (r)));
    Test.add_func ("/vala/join-set/close-then-wait",
                   () => run_async ((cb) => test_close_then_wait.begin (cb), (r) => test_close_then_wait.end (r)));

    return Test.run ();
}
