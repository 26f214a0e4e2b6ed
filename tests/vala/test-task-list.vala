/* test-task-list.vala: the live list model of a set's tasks through the
 * VAPI
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * get_tasks () is a GLib.ListModel of Js.Task in spawn order; the state is
 * a Js.TaskState property; task-started is a Vala signal; a joined task
 * leaves the model, with items-changed in the main context.
 */

void iterate_until (owned SourceFunc done) {
    var deadline = get_monotonic_time () + 10 * TimeSpan.SECOND;

    while (!done ()) {
        assert (get_monotonic_time () < deadline);
        MainContext.default ().iteration (true);
    }
}

void test_task_list () {
    var set = new Js.JoinSet ();
    ListModel model = set.get_tasks ();
    var main_thread = Thread.self<void> ();
    var held = new GenericArray<Js.Task> ();
    uint n_changes = 0;
    uint n_started = 0;

    assert (model.get_item_type () == typeof (Js.Task));
    assert (set.tasks == model);
    model.items_changed.connect ((position, removed, added) => {
        assert (Thread.self<void> () == main_thread);
        n_changes++;
    });
    set.task_started.connect ((task) => {
        assert (task.state != Js.TaskState.QUEUED);
        n_started++;
    });

    for (var i = 0; i < 3; i++)
        set.spawn ((task) => { held.add (task); });
    iterate_until (() => model.get_n_items () == 3);
    assert (n_changes == 1);
    for (uint i = 0; i < 3; i++)
        assert (((Js.Task) model.get_item (i)).get_id () == i + 1);

    iterate_until (() => n_started == 3);
    var first = (Js.Task) model.get_item (0);
    var finished = false;
    first.notify["state"].connect (() => {
        finished = first.get_state () == Js.TaskState.FINISHED;
    });
    held[0].return_int (1);
    iterate_until (() => finished);

    try {
        var joined = set.join_next (null);
        assert (joined.get_id () == 1);
    } catch (Error e) {
        error ("%s", e.message);
    }
    iterate_until (() => model.get_n_items () == 2);
    assert (((Js.Task) model.get_item (0)).get_id () == 2);

    held[1].return_int (2);
    held[2].return_int (3);
    held.remove_range (0, 3);
    set.detach_all ();
    iterate_until (() => model.get_n_items () == 0);
}

int main (string[] args) {
    Test.init (ref args);

    Test.add_func ("/vala/task-list/model", test_task_list);

    return Test.run ();
}
