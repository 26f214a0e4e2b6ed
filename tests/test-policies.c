/* test-policies.c: progress, ordered and racing joins, timeouts, discarding
 * sets and nested groups
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

#include "js-test-util.h"

static JsTestGate gate;

/* A thread task that blocks on the gate, then returns its value. */
static void
gated_func (JsTask   *task,
            gpointer  user_data)
{
  js_test_gate_pass (&gate);
  js_task_return_int (task, GPOINTER_TO_SIZE (user_data));
}

static void
value_func (JsTask   *task,
            gpointer  user_data)
{
  js_task_return_int (task, GPOINTER_TO_SIZE (user_data));
}

static void
fail_func (JsTask   *task,
           gpointer  user_data)
{
  js_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "failure %d",
                            GPOINTER_TO_INT (user_data));
}

/* Runs until cancelled (10 s at most), then returns the cancellation. */
static void
cooperative_func (JsTask   *task,
                  gpointer  user_data)
{
  gint64 end = g_get_monotonic_time () + JS_TEST_DEADLINE_USEC;

  while (!g_cancellable_is_cancelled (js_task_get_cancellable (task)) && g_get_monotonic_time () < end)
    g_usleep (500);
  if (!js_task_return_error_if_cancelled (task))
    js_task_return_int (task, -1);
}

static void
assert_int (JsTask *task,
            gssize  value)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (js_task_propagate_int (task, &error), ==, value);
  g_assert_no_error (error);
}

static void
assert_error (JsTask *task,
              GQuark  domain,
              gint    code)
{
  g_autoptr(GError) error = NULL;

  js_task_propagate_int (task, &error);
  g_assert_error (error, domain, code);
}

/* Iterates the default context for @ms milliseconds: lets notifications
 * that were coalesced arrive. */
static void
iterate_for (guint ms)
{
  gboolean done = FALSE;
  guint id = g_timeout_add (ms, js_test_timeout_cb, &done);

  while (!done)
    g_main_context_iteration (NULL, TRUE);
  (void) id;
}

/* ------------------------------------------------------------------------
 * Progress for user interfaces
 * ------------------------------------------------------------------------ */

typedef struct
{
  guint    n_notify[4];           /* n-queued, n-running, n-finished, n-spawned */
  guint    n_wrong_thread;
  GThread *main_thread;
} Notifies;

static void
on_counter_notify (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    data)
{
  static const char *names[] = { "n-queued", "n-running", "n-finished", "n-spawned" };
  Notifies *n = data;

  if (g_thread_self () != n->main_thread)
    n->n_wrong_thread++;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (pspec->name, names[i]))
      n->n_notify[i]++;
}

static void
test_counters (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) tasks = NULL;
  Notifies n = { { 0 }, 0, g_thread_self () };

  g_test_summary ("n-queued, n-running, n-finished and n-spawned count the "
                  "tasks; they are notified in the set's context, coalesced");

  js_test_gate_init (&gate);
  g_signal_connect (set, "notify", G_CALLBACK (on_counter_notify), &n);
  js_join_set_set_max_concurrent (set, 2);

  for (gsize i = 0; i < 4; i++)
    js_join_set_spawn_in_thread (set, gated_func, GSIZE_TO_POINTER (i), NULL);
  js_join_set_spawn (set, value_func, GSIZE_TO_POINTER (10), NULL);

  g_assert_cmpuint (js_join_set_get_n_spawned (set), ==, 5);
  js_test_gate_await_entered (&gate, 2);
  g_assert_cmpuint (js_join_set_get_n_running (set), ==, 2);
  g_assert_cmpuint (js_join_set_get_n_queued (set), ==, 3);
  g_assert_cmpuint (js_join_set_get_n_finished (set), ==, 0);
  g_assert_cmpfloat (js_join_set_get_progress (set), ==, 0.0);

  /* Not notified in the spawning call, nor from the workers. */
  g_assert_cmpuint (n.n_notify[3], ==, 0);
  js_test_iterate_pending (NULL);
  g_assert_cmpuint (n.n_notify[3], ==, 1);

  js_test_gate_open (&gate);
  tasks = js_test_join_all (set);
  g_assert_cmpuint (tasks->len, ==, 5);
  g_assert_cmpuint (js_join_set_get_n_finished (set), ==, 5);
  g_assert_cmpuint (js_join_set_get_n_running (set), ==, 0);
  g_assert_cmpuint (js_join_set_get_n_queued (set), ==, 0);

  /* Final values are notified, in the main thread. */
  iterate_for (100);
  g_assert_cmpuint (n.n_wrong_thread, ==, 0);
  g_assert_cmpuint (n.n_notify[0], >=, 1);
  g_assert_cmpuint (n.n_notify[1], >=, 1);
  g_assert_cmpuint (n.n_notify[2], >=, 1);
  /* Never more than one notification per counter change. */
  g_assert_cmpuint (n.n_notify[2], <=, 5);
  g_assert_cmpfloat (js_join_set_get_progress (set), ==, 1.0);

  js_test_gate_clear (&gate);
}

typedef struct
{
  guint   n_notify;
  double  last;
} ProgressNotifies;

static void
on_progress_notify (GObject    *object,
                    GParamSpec *pspec,
                    gpointer    data)
{
  ProgressNotifies *p = data;
  double progress = 0;

  g_object_get (object, "progress", &progress, NULL);
  g_assert_cmpfloat (progress, >=, p->last);
  p->last = progress;
  p->n_notify++;
}

static void
test_progress_property (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) tasks = NULL;
  ProgressNotifies p = { 0, 0.0 };

  g_test_summary ("JsJoinSet:progress is n-finished / n-spawned, notified "
                  "(for a binding to a progress bar) up to 1.0");

  g_signal_connect (set, "notify::progress", G_CALLBACK (on_progress_notify), &p);
  g_assert_cmpfloat (js_join_set_get_progress (set), ==, 0.0);
  js_test_gate_init (&gate);
  js_join_set_spawn_in_thread (set, gated_func, GSIZE_TO_POINTER (1), NULL);
  for (gsize i = 0; i < 3; i++)
    js_join_set_spawn (set, value_func, GSIZE_TO_POINTER (i), NULL);
  while (js_join_set_get_n_finished (set) < 3)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpfloat (js_join_set_get_progress (set), ==, 0.75);

  js_test_gate_open (&gate);
  tasks = js_test_join_all (set);
  g_assert_cmpuint (tasks->len, ==, 4);
  iterate_for (100);
  g_assert_cmpfloat (p.last, ==, 1.0);
  g_assert_cmpuint (p.n_notify, >=, 2);
  g_assert_cmpuint (p.n_notify, <=, 5);
  js_test_gate_clear (&gate);
}

static JsTask *held_pair[2];
static guint n_held_pair;

static void
hold_func (JsTask   *task,
           gpointer  user_data)
{
  held_pair[n_held_pair++] = g_object_ref (task);
}

static void
on_n_running_complete_second (GObject    *object,
                              GParamSpec *pspec,
                              gpointer    data)
{
  GArray *seen = data;
  guint n = js_join_set_get_n_running (JS_JOIN_SET (object));

  g_array_append_val (seen, n);
  /* Ends the second task from inside the notification. */
  if (n_held_pair == 2 && !js_task_get_completed (held_pair[1]))
    js_task_return_int (held_pair[1], 2);
}

static void
test_counters_last_value (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (guint));

  g_test_summary ("The last notification of a counter shows its final value, "
                  "also when tasks of the context start in the same "
                  "iteration and a handler changes it back");

  n_held_pair = 0;
  js_join_set_set_max_concurrent (set, 1);
  g_signal_connect (set, "notify::n-running", G_CALLBACK (on_n_running_complete_second), seen);
  js_join_set_spawn (set, hold_func, NULL, NULL);
  js_join_set_spawn (set, hold_func, NULL, NULL);
  while (n_held_pair < 1)
    g_main_context_iteration (NULL, TRUE);
  iterate_for (50);

  js_task_return_int (held_pair[0], 1);
  iterate_for (100);
  g_assert_cmpuint (n_held_pair, ==, 2);
  if (!js_task_get_completed (held_pair[1]))
    js_task_return_int (held_pair[1], 2);
  iterate_for (100);

  g_assert_cmpuint (seen->len, >=, 1);
  g_assert_cmpuint (js_join_set_get_n_running (set), ==, 0);
  g_assert_cmpuint (g_array_index (seen, guint, seen->len - 1), ==, 0);

  g_clear_object (&held_pair[0]);
  g_clear_object (&held_pair[1]);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    data)
{
  (*(guint *) data)++;
}

static void
test_counters_coalesced (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) tasks = NULL;
  guint n_finished_notify = 0;
  const guint n = 20000;

  g_test_summary ("20,000 fast tasks do not flood the main loop: n-finished "
                  "is notified far fewer times than tasks finish");

  g_signal_connect (set, "notify::n-finished", G_CALLBACK (count_notify), &n_finished_notify);
  for (gsize i = 0; i < n; i++)
    js_join_set_spawn_in_thread (set, value_func, GSIZE_TO_POINTER (i), NULL);
  tasks = js_test_join_all (set);
  g_assert_cmpuint (tasks->len, ==, n);
  while (js_join_set_get_n_finished (set) != n)
    g_main_context_iteration (NULL, TRUE);
  js_test_iterate_pending (NULL);

  g_test_message ("%u notifications of n-finished for %u tasks", n_finished_notify, n);
  g_assert_cmpuint (n_finished_notify, >=, 1);
  g_assert_cmpuint (n_finished_notify, <, n / 10);
}

typedef struct
{
  GPtrArray *tasks;
  guint      n_wrong_thread;
  GThread   *main_thread;
} Finished;

static void
on_task_finished (JsJoinSet *set,
                  JsTask    *task,
                  gpointer   data)
{
  Finished *f = data;

  g_assert_true (JS_IS_TASK (task));
  g_assert_true (js_task_get_completed (task));
  if (g_thread_self () != f->main_thread)
    f->n_wrong_thread++;
  g_ptr_array_add (f->tasks, g_object_ref (task));
}

static void
test_task_finished (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Finished f = { g_ptr_array_new_with_free_func (g_object_unref), 0, g_thread_self () };
  guint64 before;
  JsTask *task;
  guint n_joined = 0;

  g_test_summary ("task-finished is emitted in the set's context for every "
                  "task spawned while it is connected; the tasks stay joinable");

  /* Spawned before the handler: no emission. */
  before = js_join_set_spawn (set, value_func, GSIZE_TO_POINTER (100), NULL);
  g_signal_connect (set, "task-finished", G_CALLBACK (on_task_finished), &f);
  for (gsize i = 1; i <= 6; i++)
    {
      if (i % 2)
        js_join_set_spawn_in_thread (set, value_func, GSIZE_TO_POINTER (i), NULL);
      else
        js_join_set_spawn (set, fail_func, GSIZE_TO_POINTER (i), NULL);
    }

  while (f.tasks->len < 6)
    g_main_context_iteration (NULL, TRUE);
  js_test_iterate_pending (NULL);
  g_assert_cmpuint (f.tasks->len, ==, 6);
  g_assert_cmpuint (f.n_wrong_thread, ==, 0);
  for (guint i = 0; i < f.tasks->len; i++)
    g_assert_cmpuint (js_task_get_id (g_ptr_array_index (f.tasks, i)), !=, before);

  while ((task = js_join_set_try_join_next (set)) != NULL)
    {
      n_joined++;
      g_object_unref (task);
    }
  g_assert_cmpuint (n_joined, ==, 7);
  g_ptr_array_unref (f.tasks);
}

typedef struct
{
  guint    n_signals;
  guint    n_task_notify;
  double   last;
  guint64  id;
  char    *name;
  GThread *main_thread;
  guint    n_wrong_thread;
} Progress;

static void
on_task_progress (JsJoinSet *set,
                  JsTask    *task,
                  double     fraction,
                  gpointer   data)
{
  Progress *p = data;

  if (g_thread_self () != p->main_thread)
    p->n_wrong_thread++;
  g_assert_cmpfloat (fraction, >=, p->last);
  g_assert_cmpfloat (js_task_get_progress (task), >=, fraction);
  p->last = fraction;
  p->id = js_task_get_id (task);
  g_free (p->name);
  p->name = g_strdup (js_task_get_name (task));
  p->n_signals++;

  if (p->n_signals == 1)
    g_signal_connect (task, "notify::progress", G_CALLBACK (count_notify), &p->n_task_notify);
}

/* Reports 1,000 steps of progress, then waits at the gate. */
static void
progress_func (JsTask   *task,
               gpointer  user_data)
{
  for (guint i = 1; i <= 1000; i++)
    js_task_set_progress (task, i / 1000.0);
  js_test_gate_pass (&gate);
  js_task_return_int (task, 1);
}

static void
test_task_progress (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Progress p = { 0, 0, 0.0, 0, NULL, g_thread_self (), 0 };
  g_autoptr(JsTask) task = NULL;
  guint64 id;

  g_test_summary ("js_task_set_progress() from a worker is delivered in the "
                  "set's context as task-progress and notify::progress, "
                  "coalesced, ending with the last value");

  js_test_gate_init (&gate);
  g_signal_connect (set, "task-progress", G_CALLBACK (on_task_progress), &p);
  id = js_join_set_spawn_full (set, JS_SPAWN_IN_THREAD, "download", 0,
                               progress_func, NULL, NULL);
  js_test_gate_await_entered (&gate, 1);

  while (p.last < 1.0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (p.n_wrong_thread, ==, 0);
  g_assert_cmpuint (p.id, ==, id);
  g_assert_cmpstr (p.name, ==, "download");
  g_test_message ("%u task-progress emissions for 1000 reports", p.n_signals);
  g_assert_cmpuint (p.n_signals, <, 1000);

  js_test_gate_open (&gate);
  task = js_test_join_next (set, NULL);
  g_assert_cmpfloat (js_task_get_progress (task), ==, 1.0);
  g_assert_cmpstr (js_task_get_name (task), ==, "download");

  /* A finished task reports nothing more. */
  js_task_set_progress (task, 0.5);
  js_test_iterate_pending (NULL);
  g_assert_cmpfloat (p.last, ==, 1.0);
  g_assert_cmpfloat (js_task_get_progress (task), ==, 0.5);

  g_free (p.name);
  js_test_gate_clear (&gate);
}

/* A join that a join callback starts, and that is served at once, is
 * delivered after the task-progress of its task: the signals of a task
 * come before its join, as docs/vala.md and docs/javascript.md show. */
typedef struct
{
  JsJoinSet *set;
  JsTestGate gate;        /* the thread task waits there for join 1 */
  gint       returned;    /* the thread task returned */
  double     reported;    /* its last task-progress */
  double     at_join;     /* what was reported when join 2 completed */
  gboolean   done;
} ProgressOrder;

static void
order_thread_func (JsTask   *task,
                   gpointer  data)
{
  ProgressOrder *o = data;

  js_test_gate_pass (&o->gate);
  js_task_set_progress (task, 0.5);
  js_task_return_int (task, 2);
  g_atomic_int_set (&o->returned, 1);
}

static void
order_main_func (JsTask   *task,
                 gpointer  data)
{
  js_task_return_int (task, 1);
}

static void
on_order_progress (JsJoinSet *set,
                   JsTask    *task,
                   double     fraction,
                   gpointer   data)
{
  ((ProgressOrder *) data)->reported = fraction;
}

static void
order_join2_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  ProgressOrder *o = data;
  g_autoptr(JsTask) task = js_join_set_join_next_finish (JS_JOIN_SET (object), result, NULL);

  g_assert_nonnull (task);
  g_assert_cmpint (js_task_propagate_int (task, NULL), ==, 2);
  o->at_join = o->reported;
  o->done = TRUE;
}

static void
order_join1_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  ProgressOrder *o = data;
  g_autoptr(JsTask) task = js_join_set_join_next_finish (JS_JOIN_SET (object), result, NULL);

  g_assert_nonnull (task);
  /* The thread task reports progress and finishes while this dispatch
   * runs: its join is served at once, in this dispatch. */
  js_test_gate_open (&o->gate);
  while (!g_atomic_int_get (&o->returned))
    g_usleep (100);
  js_join_set_join_next_async (o->set, NULL, order_join2_cb, o);
}

static void
test_task_progress_before_join (void)
{
  ProgressOrder o = { .set = js_join_set_new () };

  g_test_summary ("A join started in a join callback and served at once "
                  "completes after its task's task-progress");

  js_test_gate_init (&o.gate);
  js_join_set_set_ordered (o.set, TRUE);
  g_signal_connect (o.set, "task-progress", G_CALLBACK (on_order_progress), &o);
  js_join_set_spawn (o.set, order_main_func, NULL, NULL);
  js_join_set_spawn_in_thread (o.set, order_thread_func, &o, NULL);
  js_test_gate_await_entered (&o.gate, 1);

  js_join_set_join_next_async (o.set, NULL, order_join1_cb, &o);
  js_test_iterate_until (NULL, &o.done);
  g_assert_cmpfloat (o.at_join, ==, 0.5);

  g_assert_finalize_object (o.set);
  js_test_gate_clear (&o.gate);
}

static void
test_task_properties (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(JsTask) task = NULL;
  g_autofree char *name = NULL;
  guint64 id, prop_id = 0;
  double progress = -1;

  g_test_summary ("JsTask:id, :name and :progress read what the getters do");

  id = js_join_set_spawn_full (set, JS_SPAWN_DEFAULT, "named", 0, value_func, NULL, NULL);
  task = js_test_join_next (set, NULL);
  g_object_get (task, "id", &prop_id, "name", &name, "progress", &progress, NULL);
  g_assert_cmpuint (prop_id, ==, id);
  g_assert_cmpstr (name, ==, "named");
  g_assert_cmpfloat (progress, ==, 0.0);
}

/* ------------------------------------------------------------------------
 * Ordered joins
 * ------------------------------------------------------------------------ */

static void
test_ordered (void)
{
  g_autoptr(JsJoinSet) set = g_object_new (JS_TYPE_JOIN_SET, "ordered", TRUE, NULL);
  g_autoptr(GPtrArray) tasks = NULL;
  JsTask *task;

  g_test_summary ("An ordered set joins in spawn order: a slow first task "
                  "holds back the later ones, which still run and finish");

  js_test_gate_init (&gate);
  g_assert_true (js_join_set_get_ordered (set));
  js_join_set_spawn_in_thread (set, gated_func, GSIZE_TO_POINTER (1), NULL);
  for (gsize i = 2; i <= 5; i++)
    js_join_set_spawn_in_thread (set, value_func, GSIZE_TO_POINTER (i), NULL);

  /* Everything but the first finishes, and waits. */
  while (js_join_set_get_n_finished (set) < 4)
    g_usleep (1000);
  g_assert_null (js_join_set_try_join_next (set));
  g_assert_cmpuint (js_join_set_get_length (set), ==, 5);

  js_test_gate_open (&gate);
  for (gssize i = 1; i <= 5; i++)
    {
      task = js_test_join_next (set, NULL);
      assert_int (task, i);
      g_object_unref (task);
    }
  g_assert_true (js_join_set_is_empty (set));

  /* join_all too, and main-context tasks mixed in. */
  for (gsize i = 6; i <= 12; i++)
    {
      if (i % 3 == 0)
        js_join_set_spawn (set, value_func, GSIZE_TO_POINTER (i), NULL);
      else
        js_join_set_spawn_in_thread (set, value_func, GSIZE_TO_POINTER (i), NULL);
    }
  tasks = js_test_join_all (set);
  g_assert_cmpuint (tasks->len, ==, 7);
  for (guint i = 0; i < tasks->len; i++)
    assert_int (g_ptr_array_index (tasks, i), 6 + i);

  js_test_gate_clear (&gate);
}

static void
test_ordered_toggle (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *task;

  g_test_summary ("Turning ordered on in a set that holds tasks waits for the "
                  "oldest; turning it off lets the finished ones through");

  js_test_gate_init (&gate);
  js_join_set_spawn (set, value_func, GSIZE_TO_POINTER (1), NULL);
  js_join_set_spawn_in_thread (set, gated_func, GSIZE_TO_POINTER (2), NULL);
  js_join_set_spawn (set, value_func, GSIZE_TO_POINTER (3), NULL);

  /* Unordered: 1 joins first; then make it ordered. */
  task = js_test_join_next (set, NULL);
  assert_int (task, 1);
  g_object_unref (task);
  js_join_set_set_ordered (set, TRUE);
  js_test_iterate_pending (NULL);
  g_assert_cmpuint (js_join_set_get_n_finished (set), ==, 2);
  g_assert_null (js_join_set_try_join_next (set));

  /* Back to completion order: 3 is there. */
  js_join_set_set_ordered (set, FALSE);
  task = js_join_set_try_join_next (set);
  assert_int (task, 3);
  g_object_unref (task);

  js_test_gate_open (&gate);
  task = js_test_join_next (set, NULL);
  assert_int (task, 2);
  g_object_unref (task);
  js_test_gate_clear (&gate);
}

static void
test_ordered_abort (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *task;
  guint64 first;

  g_test_summary ("In an ordered set, aborting the oldest task lets the next "
                  "ones through, in order");

  js_join_set_set_ordered (set, TRUE);
  first = js_join_set_spawn_in_thread (set, cooperative_func, NULL, NULL);
  js_join_set_spawn_in_thread (set, value_func, GSIZE_TO_POINTER (2), NULL);
  js_join_set_spawn (set, value_func, GSIZE_TO_POINTER (3), NULL);

  while (js_join_set_get_n_finished (set) < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (js_join_set_try_join_next (set));

  g_assert_true (js_join_set_abort (set, first));
  task = js_join_set_try_join_next (set);
  g_assert_cmpuint (js_task_get_id (task), ==, first);
  assert_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_object_unref (task);
  for (gssize i = 2; i <= 3; i++)
    {
      task = js_join_set_try_join_next (set);
      assert_int (task, i);
      g_object_unref (task);
    }
}

/* ------------------------------------------------------------------------
 * Racing
 * ------------------------------------------------------------------------ */

static void
test_abort_on_success (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) tasks = NULL;
  guint n_won = 0, n_cancelled = 0, n_failed = 0;
  guint64 winner;

  g_test_summary ("With abort-on-success, the first task that succeeds aborts "
                  "the others; failures do not");

  js_join_set_set_abort_on_success (set, TRUE);
  g_assert_true (js_join_set_get_abort_on_success (set));
  for (gint i = 0; i < 3; i++)
    js_join_set_spawn_in_thread (set, cooperative_func, NULL, NULL);
  js_join_set_spawn (set, fail_func, GINT_TO_POINTER (1), NULL);
  js_test_iterate_pending (NULL);
  g_assert_cmpuint (js_join_set_get_n_finished (set), ==, 1);

  winner = js_join_set_spawn (set, value_func, GSIZE_TO_POINTER (42), NULL);
  tasks = js_test_join_all (set);
  g_assert_cmpuint (tasks->len, ==, 5);
  for (guint i = 0; i < tasks->len; i++)
    {
      JsTask *task = g_ptr_array_index (tasks, i);
      g_autoptr(GError) error = NULL;
      gssize value = js_task_propagate_int (task, &error);

      if (error == NULL)
        {
          g_assert_cmpuint (js_task_get_id (task), ==, winner);
          g_assert_cmpint (value, ==, 42);
          n_won++;
        }
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        n_cancelled++;
      else
        n_failed++;
    }
  g_assert_cmpuint (n_won, ==, 1);
  g_assert_cmpuint (n_cancelled, ==, 3);
  g_assert_cmpuint (n_failed, ==, 1);

  /* The set stays open. */
  g_assert_false (js_join_set_is_closed (set));
}

/* ------------------------------------------------------------------------
 * Timeouts
 * ------------------------------------------------------------------------ */

static void
record_thread (GCancellable *cancellable,
               gpointer      data)
{
  g_atomic_pointer_set ((GThread **) data, g_thread_self ());
}

static JsTask *held_task;

/* A main-context task that keeps its task and never completes it. */
static void
main_until_cancelled_func (JsTask   *task,
                           gpointer  user_data)
{
  GThread **cancelled_in = user_data;

  g_cancellable_connect (js_task_get_cancellable (task), G_CALLBACK (record_thread), cancelled_in, NULL);
  held_task = g_object_ref (task);
}

static void
test_timeout (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  GThread *cancelled_in = NULL;
  JsTask *task;
  guint64 slow, quick, main_slow;

  g_test_summary ("A task that runs out of time is aborted and joins with "
                  "G_IO_ERROR_TIMED_OUT; tasks of the set's context are "
                  "cancelled in that context; a quick task keeps its result");

  js_join_set_set_timeout (set, 50);
  g_assert_cmpuint (js_join_set_get_timeout (set), ==, 50);
  slow = js_join_set_spawn_in_thread (set, cooperative_func, NULL, NULL);
  quick = js_join_set_spawn_in_thread (set, value_func, GSIZE_TO_POINTER (7), NULL);
  main_slow = js_join_set_spawn (set, main_until_cancelled_func, &cancelled_in, NULL);

  for (guint i = 0; i < 3; i++)
    {
      task = js_test_join_next (set, NULL);
      if (js_task_get_id (task) == quick)
        assert_int (task, 7);
      else
        {
          g_assert_true (js_task_get_id (task) == slow || js_task_get_id (task) == main_slow);
          assert_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
        }
      g_object_unref (task);
    }

  /* The main-context task's cancellable was cancelled in this thread. */
  while (g_atomic_pointer_get (&cancelled_in) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_atomic_pointer_get (&cancelled_in) == g_thread_self ());
  g_clear_object (&held_task);
}

static void
test_timeout_starts_with_function (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *task;
  guint64 queued;

  g_test_summary ("The clock of a timeout starts when the function is called: "
                  "time spent queued does not count; spawn_full's timeout "
                  "overrides the set's, and 0 means none");

  js_test_gate_init (&gate);
  js_join_set_set_timeout (set, 1);
  js_join_set_set_max_concurrent (set, 1);
  /* No limit for the blocker, 300 ms for the one queued behind it. */
  js_join_set_spawn_full (set, JS_SPAWN_IN_THREAD, "blocker", 0, gated_func,
                          GSIZE_TO_POINTER (1), NULL);
  queued = js_join_set_spawn_full (set, JS_SPAWN_IN_THREAD, NULL, 300, value_func,
                                   GSIZE_TO_POINTER (2), NULL);
  js_test_gate_await_entered (&gate, 1);
  g_usleep (500 * 1000);
  js_test_gate_open (&gate);

  for (gssize i = 1; i <= 2; i++)
    {
      task = js_test_join_next (set, NULL);
      assert_int (task, js_task_get_id (task) == queued ? 2 : 1);
      g_object_unref (task);
    }
  js_test_gate_clear (&gate);
}

static void
join_all_timeout_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      data)
{
  GPtrArray **out = data;
  g_autoptr(GError) error = NULL;

  *out = js_join_set_join_all_timeout_finish (JS_JOIN_SET (object), result, &error);
  g_assert_no_error (error);
}

static void
test_join_all_timeout (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  GPtrArray *tasks = NULL;
  JsTask *task;
  guint64 blocked;

  g_test_summary ("join_all_timeout_async returns the tasks finished when "
                  "the time is up; the others stay in the set");

  js_test_gate_init (&gate);
  blocked = js_join_set_spawn_in_thread (set, gated_func, GSIZE_TO_POINTER (0), NULL);
  for (gsize i = 1; i <= 3; i++)
    js_join_set_spawn_in_thread (set, value_func, GSIZE_TO_POINTER (i), NULL);
  while (js_join_set_get_n_finished (set) < 3)
    g_usleep (1000);

  js_join_set_join_all_timeout_async (set, 100, NULL, join_all_timeout_cb, &tasks);
  while (tasks == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (tasks->len, ==, 3);
  for (guint i = 0; i < tasks->len; i++)
    g_assert_cmpuint (js_task_get_id (g_ptr_array_index (tasks, i)), !=, blocked);
  g_clear_pointer (&tasks, g_ptr_array_unref);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 1);

  /* 0: only what finished already; an empty set: at once, empty. */
  js_join_set_join_all_timeout_async (set, 0, NULL, join_all_timeout_cb, &tasks);
  while (tasks == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (tasks->len, ==, 0);
  g_clear_pointer (&tasks, g_ptr_array_unref);

  js_test_gate_open (&gate);
  task = js_test_join_next (set, NULL);
  g_assert_cmpuint (js_task_get_id (task), ==, blocked);
  g_object_unref (task);

  js_join_set_join_all_timeout_async (set, 10000, NULL, join_all_timeout_cb, &tasks);
  while (tasks == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (tasks->len, ==, 0);
  g_clear_pointer (&tasks, g_ptr_array_unref);

  js_test_gate_clear (&gate);
}

/* A finished join_all_timeout_async() must not keep its set alive until
 * the deadline. */
static void
test_join_all_timeout_releases_set (void)
{
  JsJoinSet *set = js_join_set_new ();
  GPtrArray *tasks = NULL;

  g_test_summary ("A join_all_timeout_async that completes early releases the "
                  "set at once, not at its deadline");

  js_join_set_spawn (set, value_func, GSIZE_TO_POINTER (1), NULL);
  js_join_set_join_all_timeout_async (set, 60 * 1000, NULL, join_all_timeout_cb, &tasks);
  while (tasks == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (tasks->len, ==, 1);
  g_ptr_array_unref (tasks);
  js_test_iterate_pending (NULL);
  g_assert_finalize_object (set);
}

/* ------------------------------------------------------------------------
 * Discarding sets
 * ------------------------------------------------------------------------ */

static void
tracked_func (JsTask   *task,
              gpointer  user_data)
{
  js_task_return_pointer (task, js_test_tracked_new (user_data, 1), js_test_tracked_free);
}

static void
test_discard_results (void)
{
  g_autoptr(JsJoinSet) set = g_object_new (JS_TYPE_JOIN_SET, "discard-results", TRUE, NULL);
  JsTestCounter freed;
  JsTestJoin join = { 0 };
  const guint n = 1000;

  g_test_summary ("A set that discards results frees finished tasks at once: "
                  "it empties without joins, and a join waits for it to be empty");

  js_test_counter_init (&freed);
  g_assert_true (js_join_set_get_discard_results (set));
  for (guint i = 0; i < n; i++)
    {
      if (i % 2)
        js_join_set_spawn (set, tracked_func, &freed, NULL);
      else
        js_join_set_spawn_in_thread (set, tracked_func, &freed, NULL);
    }

  js_join_set_join_next_async (set, NULL, js_test_join_cb, &join);
  js_test_iterate_until (NULL, &join.done);
  g_assert_null (join.task);
  g_assert_no_error (join.error);
  g_assert_true (js_join_set_is_empty (set));
  g_assert_cmpuint (js_join_set_get_n_finished (set), ==, n);
  g_assert_cmpint (js_test_counter_await (&freed, n), ==, n);
  js_test_counter_clear (&freed);
}

static void
test_discard_results_failures (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Finished f = { g_ptr_array_new_with_free_func (g_object_unref), 0, g_thread_self () };
  gulong handler;

  g_test_summary ("A discarding set reports each task to task-finished, and a "
                  "failure nobody handles with a warning naming the task");

  js_join_set_set_discard_results (set, TRUE);
  handler = g_signal_connect (set, "task-finished", G_CALLBACK (on_task_finished), &f);
  js_join_set_spawn (set, value_func, GSIZE_TO_POINTER (1), NULL);
  js_join_set_spawn_in_thread (set, fail_func, GINT_TO_POINTER (2), NULL);
  while (f.tasks->len < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (js_join_set_is_empty (set));
  g_signal_handler_disconnect (set, handler);

  js_test_expect_begin ("Task 4 (\"fails\") of a JsJoinSet that discards results failed: failure 3");
  js_join_set_spawn (set, value_func, GSIZE_TO_POINTER (2), NULL);
  js_join_set_spawn_full (set, JS_SPAWN_IN_THREAD, "fails", 0, fail_func, GINT_TO_POINTER (3), NULL);
  while (js_join_set_get_n_finished (set) < 4)
    g_main_context_iteration (NULL, TRUE);
  js_test_iterate_pending (NULL);
  g_assert_cmpuint (js_test_expect_end (), ==, 1);

  g_ptr_array_unref (f.tasks);
}

/* ------------------------------------------------------------------------
 * Nested groups
 * ------------------------------------------------------------------------ */

typedef struct
{
  JsTestCounter children_cancelled;
  JsTestCounter children_started;
} Nested;

static void
child_func (JsTask   *task,
            gpointer  user_data)
{
  Nested *nested = user_data;

  js_test_counter_inc (&nested->children_started);
  cooperative_func (task, NULL);
  if (g_cancellable_is_cancelled (js_task_get_cancellable (task)))
    js_test_counter_inc (&nested->children_cancelled);
}

/* A thread task that runs a group of its own, tied to its cancellable. */
static void
parent_func (JsTask   *task,
             gpointer  user_data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(JsJoinSet) children = NULL;
  g_autoptr(GError) error = NULL;
  JsTask *child;
  guint n = 0;

  /* A worker thread has no context of its own: give the child set one,
   * which join_next() iterates. */
  g_main_context_push_thread_default (context);
  children = js_join_set_new_with_cancellable (js_task_get_cancellable (task));

  for (guint i = 0; i < 3; i++)
    js_join_set_spawn_in_thread (children, child_func, user_data, NULL);

  while ((child = js_join_set_join_next (children, NULL, &error)) != NULL)
    {
      n++;
      g_object_unref (child);
    }
  g_assert_no_error (error);
  g_clear_object (&children);
  g_main_context_pop_thread_default (context);
  js_task_return_int (task, n);
}

static void
test_nested (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(JsTask) task = NULL;
  Nested nested;
  guint64 id;

  g_test_summary ("A set created with a task's cancellable as its parent is "
                  "aborted with that task");

  js_test_counter_init (&nested.children_cancelled);
  js_test_counter_init (&nested.children_started);
  id = js_join_set_spawn_in_thread (set, parent_func, &nested, NULL);
  js_test_counter_await (&nested.children_started, 3);
  g_assert_true (js_join_set_abort (set, id));

  task = js_test_join_next (set, NULL);
  assert_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (js_test_counter_await (&nested.children_cancelled, 3), ==, 3);

  js_test_counter_clear (&nested.children_cancelled);
  js_test_counter_clear (&nested.children_started);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  js_test_expect_install ();

  g_test_add_func ("/join-set/progress/counters", test_counters);
  g_test_add_func ("/join-set/progress/counters-coalesced", test_counters_coalesced);
  g_test_add_func ("/join-set/progress/property", test_progress_property);
  g_test_add_func ("/join-set/progress/counters-last-value", test_counters_last_value);
  g_test_add_func ("/join-set/progress/task-finished", test_task_finished);
  g_test_add_func ("/join-set/progress/task-progress", test_task_progress);
  g_test_add_func ("/join-set/progress/task-progress-before-join", test_task_progress_before_join);
  g_test_add_func ("/join-set/progress/task-properties", test_task_properties);
  g_test_add_func ("/join-set/ordered/spawn-order", test_ordered);
  g_test_add_func ("/join-set/ordered/toggle", test_ordered_toggle);
  g_test_add_func ("/join-set/ordered/abort-oldest", test_ordered_abort);
  g_test_add_func ("/join-set/racing/abort-on-success", test_abort_on_success);
  g_test_add_func ("/join-set/timeout/per-task", test_timeout);
  g_test_add_func ("/join-set/timeout/starts-with-function", test_timeout_starts_with_function);
  g_test_add_func ("/join-set/timeout/join-all", test_join_all_timeout);
  g_test_add_func ("/join-set/timeout/join-all-releases-set", test_join_all_timeout_releases_set);
  g_test_add_func ("/join-set/discard/frees-at-once", test_discard_results);
  g_test_add_func ("/join-set/discard/failures", test_discard_results_failures);
  g_test_add_func ("/join-set/nested/parent-task-aborts-child-set", test_nested);

  return g_test_run ();
}
