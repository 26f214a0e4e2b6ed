/* test-task-list.c: the live list model of a set's tasks, the task state
 * and the task-started signal
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

#include "js-test-util.h"

static GThread *main_thread;

/* ------------------------------------------------------------------------
 * A mirror of a model, kept by its items-changed alone: if the model's
 * emissions were wrong, the mirror would drift from it.
 * ------------------------------------------------------------------------ */

typedef struct
{
  GListModel *model;
  GPtrArray  *items;          /* JsTask, owned */
  guint       n_emissions;
  guint       position, removed, added;  /* of the last emission */
} Mirror;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Mirror     *m)
{
  g_assert_true (g_thread_self () == main_thread);
  g_assert_true (removed > 0 || added > 0);
  g_assert_cmpuint (position + removed, <=, m->items->len);

  m->n_emissions++;
  m->position = position;
  m->removed = removed;
  m->added = added;

  g_ptr_array_remove_range (m->items, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (m->items, position + i, g_list_model_get_item (model, position + i));
  g_assert_cmpuint (m->items->len, ==, g_list_model_get_n_items (model));
}

static void
mirror_init (Mirror    *m,
             JsJoinSet *set)
{
  guint n;

  m->model = js_join_set_get_tasks (set);
  m->items = g_ptr_array_new_with_free_func (g_object_unref);
  m->n_emissions = 0;
  n = g_list_model_get_n_items (m->model);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (m->items, g_list_model_get_item (m->model, i));
  g_signal_connect (m->model, "items-changed", G_CALLBACK (on_items_changed), m);
}

/* The mirror is the model, and its tasks are in spawn order. */
static void
mirror_check (Mirror *m)
{
  guint n = g_list_model_get_n_items (m->model);

  g_assert_cmpuint (m->items->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsTask) task = g_list_model_get_item (m->model, i);

      g_assert_true (task == g_ptr_array_index (m->items, i));
      if (i > 0)
        g_assert_cmpuint (js_task_get_id (g_ptr_array_index (m->items, i - 1)), <,
                          js_task_get_id (task));
    }
  g_assert_null (g_list_model_get_item (m->model, n));
}

static guint64
mirror_id (Mirror *m,
           guint   i)
{
  return js_task_get_id (g_ptr_array_index (m->items, i));
}

static void
mirror_clear (Mirror *m)
{
  g_signal_handlers_disconnect_by_data (m->model, m);
  g_clear_pointer (&m->items, g_ptr_array_unref);
  g_clear_object (&m->model);
}

/* Iterates the default context until the mirror has @n items. */
static void
iterate_until_n_items (Mirror *m,
                       guint   n)
{
  gint64 deadline = g_get_monotonic_time () + JS_TEST_DEADLINE_USEC;

  while (m->items->len != n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* ------------------------------------------------------------------------
 * Task functions
 * ------------------------------------------------------------------------ */

static void
return_id (JsTask   *task,
           gpointer  user_data)
{
  js_task_return_int (task, (gssize) js_task_get_id (task));
}

/* A main-context task that keeps running until the test returns it: its
 * function stores a reference in the array given as user data. */
static void
hold (JsTask   *task,
      gpointer  user_data)
{
  g_ptr_array_add (user_data, g_object_ref (task));
}

/* Returns the held task with id @id, and drops it. */
static void
return_held (GPtrArray *held,
             guint64    id)
{
  for (guint i = 0; i < held->len; i++)
    if (js_task_get_id (g_ptr_array_index (held, i)) == id)
      {
        js_task_return_int (g_ptr_array_index (held, i), (gssize) id);
        g_ptr_array_remove_index (held, i);
        return;
      }
  g_assert_not_reached ();
}

/* ------------------------------------------------------------------------
 * Order and removal
 * ------------------------------------------------------------------------ */

static void
test_order (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  Mirror m;

  g_test_summary ("The model holds the tasks of the set in spawn order: "
                  "those spawned before it was made, and after");

  js_join_set_spawn (set, hold, held, NULL);
  js_join_set_spawn (set, hold, held, NULL);
  mirror_init (&m, set);
  g_assert_cmpuint (m.items->len, ==, 2);
  g_assert_true (g_list_model_get_item_type (m.model) == JS_TYPE_TASK);

  for (guint i = 0; i < 3; i++)
    js_join_set_spawn (set, hold, held, NULL);
  /* Nothing changes before the context runs. */
  g_assert_cmpuint (g_list_model_get_n_items (m.model), ==, 2);

  iterate_until_n_items (&m, 5);
  mirror_check (&m);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (mirror_id (&m, i), ==, i + 1);

  /* The items are the tasks themselves. */
  while (held->len < 5)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < 5; i++)
    {
      JsTask *task = g_ptr_array_index (held, i);

      g_assert_true (g_ptr_array_index (m.items, js_task_get_id (task) - 1) == task);
    }

  /* The same model while anybody holds it. */
  {
    g_autoptr(GListModel) again = js_join_set_get_tasks (set);
    g_autoptr(GListModel) property = NULL;

    g_object_get (set, "tasks", &property, NULL);
    g_assert_true (again == m.model);
    g_assert_true (property == m.model);
  }

  for (guint64 id = 1; id <= 5; id++)
    return_held (held, id);
  g_ptr_array_unref (js_test_join_all (set));
  iterate_until_n_items (&m, 0);
  mirror_clear (&m);
}

static void
test_join_removes (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  guint64 order[] = { 3, 1, 5, 2, 4 };
  Mirror m;

  g_test_summary ("A task leaves the model when it is joined, not before, "
                  "whatever the order it finishes in");

  mirror_init (&m, set);
  for (guint i = 0; i < 5; i++)
    js_join_set_spawn (set, hold, held, NULL);
  iterate_until_n_items (&m, 5);
  while (held->len < 5)
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsTask) task = NULL;

      return_held (held, order[i]);
      /* Finished, not joined: still there. */
      js_test_iterate_pending (NULL);
      g_assert_cmpuint (m.items->len, ==, 5 - i);

      task = js_test_join_next (set, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (js_task_get_id (task), ==, order[i]);
      iterate_until_n_items (&m, 4 - i);
      mirror_check (&m);
      for (guint j = 0; j < m.items->len; j++)
        g_assert_cmpuint (mirror_id (&m, j), !=, order[i]);
      /* One removal: one emission, for that one position. */
      g_assert_cmpuint (m.removed, ==, 1);
      g_assert_cmpuint (m.added, ==, 0);
    }

  mirror_clear (&m);
}

/* ------------------------------------------------------------------------
 * Coalescing
 * ------------------------------------------------------------------------ */

#define BURST 1000

static void
count_state_notify (GObject    *task,
                    GParamSpec *pspec,
                    guint      *n)
{
  g_assert_true (g_thread_self () == main_thread);
  (*n)++;
}

static void
test_coalesced (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) joined = NULL;
  guint n_state_notify = 0;
  Mirror m;

  g_test_summary ("1,000 tasks spawned, finishing and joined in one "
                  "iteration each emit one items-changed per iteration, "
                  "and one state notification per task");

  mirror_init (&m, set);
  for (guint i = 0; i < BURST; i++)
    js_join_set_spawn (set, return_id, NULL, NULL);

  iterate_until_n_items (&m, BURST);
  g_assert_cmpuint (m.n_emissions, ==, 1);
  g_assert_cmpuint (m.position, ==, 0);
  g_assert_cmpuint (m.added, ==, BURST);
  mirror_check (&m);

  for (guint i = 0; i < BURST; i++)
    g_signal_connect (g_ptr_array_index (m.items, i), "notify::state",
                      G_CALLBACK (count_state_notify), &n_state_notify);

  /* The 1,000 functions run, and finish, in one iteration; their states
   * (running, then finished) are notified once each. */
  while (js_join_set_get_n_finished (set) < BURST || n_state_notify < BURST)
    g_main_context_iteration (NULL, TRUE);
  js_test_iterate_pending (NULL);
  g_assert_cmpuint (n_state_notify, ==, BURST);
  g_assert_cmpuint (m.n_emissions, ==, 1);
  for (guint i = 0; i < BURST; i++)
    g_assert_cmpint (js_task_get_state (g_ptr_array_index (m.items, i)), ==,
                     JS_TASK_STATE_FINISHED);

  /* 1,000 joins in one call: one emission. */
  joined = js_test_join_all (set);
  g_assert_cmpuint (joined->len, ==, BURST);
  iterate_until_n_items (&m, 0);
  g_assert_cmpuint (m.n_emissions, ==, 2);
  g_assert_cmpuint (m.position, ==, 0);
  g_assert_cmpuint (m.removed, ==, BURST);

  for (guint i = 0; i < BURST; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (joined, i), &n_state_notify);
  mirror_clear (&m);
}

/* Iterates the default context for @ms milliseconds: long enough for
 * any coalesced notification (16 ms) to be delivered. */
static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
iterate_for_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
gated_return (JsTask   *task,
              gpointer  user_data)
{
  js_test_gate_pass (user_data);
  js_task_return_int (task, 0);
}

static void
test_coalesced_threads (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTestGate gate;
  Mirror m;

  g_test_summary ("1,000 thread tasks of a discarding set, all finishing "
                  "while the context does not run, leave the model in one "
                  "items-changed, emitted in the set's thread");

  js_test_gate_init (&gate);
  js_join_set_set_discard_results (set, TRUE);
  mirror_init (&m, set);
  for (guint i = 0; i < BURST; i++)
    js_join_set_spawn_in_thread (set, gated_return, &gate, NULL);
  iterate_until_n_items (&m, BURST);
  g_assert_cmpuint (m.n_emissions, ==, 1);

  /* Nobody iterates the context meanwhile. */
  js_test_gate_open (&gate);
  while (js_join_set_get_length (set) > 0)
    g_usleep (1000);
  g_assert_cmpuint (m.n_emissions, ==, 1);

  iterate_until_n_items (&m, 0);
  g_assert_cmpuint (m.n_emissions, ==, 2);
  g_assert_cmpuint (m.position, ==, 0);
  g_assert_cmpuint (m.removed, ==, BURST);
  g_assert_cmpuint (m.added, ==, 0);

  mirror_clear (&m);
  js_test_gate_clear (&gate);
}

/* ------------------------------------------------------------------------
 * Thread tasks: everything in the set's thread
 * ------------------------------------------------------------------------ */

typedef struct
{
  JsTestGate start, gate;
  guint      n_name, n_progress, n_state;
} Worker;

static void
worker_func (JsTask   *task,
             gpointer  user_data)
{
  Worker *w = user_data;

  g_assert_false (g_thread_self () == main_thread);
  js_test_gate_pass (&w->start);
  js_task_set_name (task, "renamed in a worker");
  js_task_set_progress (task, 0.5);
  js_test_gate_pass (&w->gate);
  js_task_return_int (task, 1);
}

static void
on_task_notify (GObject    *object,
                GParamSpec *pspec,
                Worker     *w)
{
  g_assert_true (g_thread_self () == main_thread);
  if (g_str_equal (pspec->name, "name"))
    w->n_name++;
  else if (g_str_equal (pspec->name, "progress"))
    w->n_progress++;
  else if (g_str_equal (pspec->name, "state") &&
           js_task_get_state (JS_TASK (object)) == JS_TASK_STATE_FINISHED)
    w->n_state++;
}

static void
test_threads (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Worker w = { 0 };
  Mirror m;

  g_test_summary ("Thread tasks never make the model or their tasks emit "
                  "from a worker thread");

  js_test_gate_init (&w.start);
  js_test_gate_init (&w.gate);
  mirror_init (&m, set);
  for (guint i = 0; i < 4; i++)
    js_join_set_spawn_in_thread (set, worker_func, &w, NULL);
  iterate_until_n_items (&m, 4);
  for (guint i = 0; i < 4; i++)
    g_signal_connect (g_ptr_array_index (m.items, i), "notify",
                      G_CALLBACK (on_task_notify), &w);

  js_test_gate_open (&w.start);
  js_test_gate_await_entered (&w.gate, 4);
  while (w.n_name < 4 || w.n_progress < 4)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (js_task_get_name (g_ptr_array_index (m.items, i)), ==,
                     "renamed in a worker");

  /* Each finished task is notified, in the set's thread. */
  js_test_gate_open (&w.gate);
  while (w.n_state < 4)
    g_main_context_iteration (NULL, TRUE);
  g_ptr_array_unref (js_test_join_all (set));
  iterate_until_n_items (&m, 0);
  g_assert_cmpuint (w.n_state, ==, 4);

  mirror_clear (&m);
  js_test_gate_clear (&w.start);
  js_test_gate_clear (&w.gate);
}

/* ------------------------------------------------------------------------
 * State and task-started
 * ------------------------------------------------------------------------ */

static void
record_state (GObject    *object,
              GParamSpec *pspec,
              GArray     *states)
{
  JsTaskState state = js_task_get_state (JS_TASK (object));

  g_assert_true (g_thread_self () == main_thread);
  g_array_append_val (states, state);
}

static void
test_state (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (JsTaskState));
  g_autoptr(GArray) aborted_states = g_array_new (FALSE, FALSE, sizeof (JsTaskState));
  g_autoptr(GListModel) model = js_join_set_get_tasks (set);
  g_autoptr(JsTask) task = NULL;
  g_autoptr(JsTask) queued = NULL;
  GValue value = G_VALUE_INIT;
  guint64 queued_id;

  g_test_summary ("A task goes from queued to running to finished, and "
                  "from queued to finished when aborted before it started; "
                  "each state is notified in the set's context");

  js_join_set_set_max_concurrent (set, 1);
  js_join_set_spawn (set, hold, held, NULL);
  queued_id = js_join_set_spawn (set, return_id, NULL, NULL);
  while (g_list_model_get_n_items (model) < 2)
    g_main_context_iteration (NULL, TRUE);

  task = g_list_model_get_item (model, 0);
  queued = g_list_model_get_item (model, 1);
  g_assert_cmpuint (js_task_get_id (queued), ==, queued_id);
  g_signal_connect (task, "notify::state", G_CALLBACK (record_state), states);
  g_signal_connect (queued, "notify::state", G_CALLBACK (record_state), aborted_states);

  while (states->len < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (g_array_index (states, JsTaskState, 0), ==, JS_TASK_STATE_RUNNING);
  g_assert_cmpint (js_task_get_state (task), ==, JS_TASK_STATE_RUNNING);
  g_assert_cmpint (js_task_get_state (queued), ==, JS_TASK_STATE_QUEUED);

  g_value_init (&value, JS_TYPE_TASK_STATE);
  g_object_get_property (G_OBJECT (task), "state", &value);
  g_assert_cmpint (g_value_get_enum (&value), ==, JS_TASK_STATE_RUNNING);
  g_value_unset (&value);

  g_assert_true (js_join_set_abort (set, queued_id));
  return_held (held, js_task_get_id (task));
  while (states->len < 2 || aborted_states->len < 1)
    g_main_context_iteration (NULL, TRUE);
  js_test_iterate_pending (NULL);

  g_assert_cmpuint (states->len, ==, 2);
  g_assert_cmpint (g_array_index (states, JsTaskState, 1), ==, JS_TASK_STATE_FINISHED);
  g_assert_cmpuint (aborted_states->len, ==, 1);
  g_assert_cmpint (g_array_index (aborted_states, JsTaskState, 0), ==, JS_TASK_STATE_FINISHED);
  g_assert_cmpint (js_task_get_state (queued), ==, JS_TASK_STATE_FINISHED);

  g_signal_handlers_disconnect_by_data (task, states);
  g_signal_handlers_disconnect_by_data (queued, aborted_states);
  g_ptr_array_unref (js_test_join_all (set));
}

static void
test_state_without_model (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (JsTaskState));
  g_autoptr(GPtrArray) joined = NULL;
  JsTask *task;

  g_test_summary ("Without a model, js_task_get_state() tells the state "
                  "and nothing is notified: nobody pays for it");

  js_join_set_spawn (set, hold, held, NULL);
  while (held->len < 1)
    g_main_context_iteration (NULL, TRUE);
  task = g_ptr_array_index (held, 0);
  g_assert_cmpint (js_task_get_state (task), ==, JS_TASK_STATE_RUNNING);
  g_signal_connect (task, "notify::state", G_CALLBACK (record_state), states);

  return_held (held, 1);
  joined = js_test_join_all (set);
  g_assert_cmpint (js_task_get_state (g_ptr_array_index (joined, 0)), ==,
                   JS_TASK_STATE_FINISHED);
  iterate_for_ms (50);
  g_assert_cmpuint (states->len, ==, 0);
  g_signal_handlers_disconnect_by_data (g_ptr_array_index (joined, 0), states);
}

typedef struct
{
  GArray *ids;         /* guint64: task-started, in order */
  GArray *finished;    /* guint64: task-finished */
} Started;

static void
on_task_started (JsJoinSet *set,
                 JsTask    *task,
                 Started   *s)
{
  guint64 id = js_task_get_id (task);

  g_assert_true (g_thread_self () == main_thread);
  g_assert_cmpint (js_task_get_state (task), !=, JS_TASK_STATE_QUEUED);
  /* Started before it finished. */
  for (guint i = 0; i < s->finished->len; i++)
    g_assert_cmpuint (g_array_index (s->finished, guint64, i), !=, id);
  g_array_append_val (s->ids, id);
}

static void
on_task_finished (JsJoinSet *set,
                  JsTask    *task,
                  Started   *s)
{
  guint64 id = js_task_get_id (task);

  g_array_append_val (s->finished, id);
}

static void
test_task_started (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Started s = {
    g_array_new (FALSE, FALSE, sizeof (guint64)),
    g_array_new (FALSE, FALSE, sizeof (guint64)),
  };
  guint64 before, aborted, id;

  g_test_summary ("task-started is emitted in the set's context, before "
                  "task-finished, for each task spawned while a handler is "
                  "connected, and not for tasks aborted before they started");

  before = js_join_set_spawn (set, return_id, NULL, NULL);
  g_signal_connect (set, "task-started", G_CALLBACK (on_task_started), &s);
  g_signal_connect (set, "task-finished", G_CALLBACK (on_task_finished), &s);

  js_join_set_set_max_concurrent (set, 2);
  for (guint i = 0; i < 3; i++)
    js_join_set_spawn_in_thread (set, return_id, NULL, NULL);
  for (guint i = 0; i < 3; i++)
    js_join_set_spawn (set, return_id, NULL, NULL);
  aborted = js_join_set_spawn (set, return_id, NULL, NULL);
  g_assert_true (js_join_set_abort (set, aborted));

  g_ptr_array_unref (js_test_join_all (set));
  js_test_iterate_pending (NULL);

  g_assert_cmpuint (s.ids->len, ==, 6);
  for (guint i = 0; i < s.ids->len; i++)
    {
      id = g_array_index (s.ids, guint64, i);
      g_assert_cmpuint (id, !=, before);
      g_assert_cmpuint (id, !=, aborted);
      for (guint j = 0; j < i; j++)
        g_assert_cmpuint (g_array_index (s.ids, guint64, j), !=, id);
    }

  g_signal_handlers_disconnect_by_data (set, &s);
  g_array_unref (s.ids);
  g_array_unref (s.finished);
}

/* ------------------------------------------------------------------------
 * Aborts, abandonment, discarding, detaching, a cancelled join_all
 * ------------------------------------------------------------------------ */

static void
test_aborted_running (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsTask) joined = NULL;
  JsTask *shown;
  Mirror m;

  g_test_summary ("A running task that is aborted stays in the model, "
                  "finished, until its stand-in is joined");

  mirror_init (&m, set);
  js_join_set_spawn (set, hold, held, NULL);
  iterate_until_n_items (&m, 1);
  while (held->len < 1)
    g_main_context_iteration (NULL, TRUE);
  shown = g_ptr_array_index (m.items, 0);

  g_assert_true (js_join_set_abort (set, 1));
  js_test_iterate_pending (NULL);
  g_assert_cmpuint (m.items->len, ==, 1);
  g_assert_cmpint (js_task_get_state (shown), ==, JS_TASK_STATE_FINISHED);

  joined = js_test_join_next (set, &error);
  g_assert_no_error (error);
  js_test_assert_cancelled (joined);
  g_assert_true (joined != shown);
  g_assert_cmpuint (js_task_get_id (joined), ==, 1);
  iterate_until_n_items (&m, 0);

  mirror_clear (&m);
}

static void
let_go (JsTask   *task,
        gpointer  user_data)
{
  /* Returns nothing and keeps no reference: abandoned. */
}

static void
test_abandoned (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GListModel) model = js_join_set_get_tasks (set);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsTask) joined = NULL;

  g_test_summary ("A task in the model whose producer lets go of it "
                  "without returning is still abandoned");

  /* No mirror here: a row that shows a task holds it too. */
  js_join_set_spawn (set, let_go, NULL, NULL);
  js_join_set_spawn_in_thread (set, let_go, NULL, NULL);

  for (guint i = 0; i < 2; i++)
    {
      g_clear_object (&joined);
      joined = js_test_join_next (set, &error);
      g_assert_no_error (error);
      js_task_propagate_int (joined, &error);
      g_assert_error (error, JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED);
      g_clear_error (&error);
    }

  while (g_list_model_get_n_items (model) > 0)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_discard (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  Mirror m;

  g_test_summary ("In a set that discards results, a task leaves the "
                  "model when it finishes");

  js_join_set_set_discard_results (set, TRUE);
  mirror_init (&m, set);
  for (guint i = 0; i < 3; i++)
    js_join_set_spawn (set, hold, held, NULL);
  iterate_until_n_items (&m, 3);
  while (held->len < 3)
    g_main_context_iteration (NULL, TRUE);

  return_held (held, 2);
  iterate_until_n_items (&m, 2);
  g_assert_cmpuint (mirror_id (&m, 0), ==, 1);
  g_assert_cmpuint (mirror_id (&m, 1), ==, 3);
  mirror_check (&m);

  return_held (held, 1);
  return_held (held, 3);
  iterate_until_n_items (&m, 0);
  mirror_clear (&m);
}

static void
test_detach_all (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  Mirror m;

  g_test_summary ("detach_all() empties the model");

  mirror_init (&m, set);
  for (guint i = 0; i < 3; i++)
    js_join_set_spawn (set, hold, held, NULL);
  iterate_until_n_items (&m, 3);
  while (held->len < 3)
    g_main_context_iteration (NULL, TRUE);

  js_join_set_detach_all (set);
  iterate_until_n_items (&m, 0);

  /* The set goes on: new tasks enter the model. */
  js_join_set_spawn (set, return_id, NULL, NULL);
  iterate_until_n_items (&m, 1);
  g_ptr_array_unref (js_test_join_all (set));
  iterate_until_n_items (&m, 0);

  for (guint64 id = 1; id <= 3; id++)
    return_held (held, id);
  mirror_clear (&m);
}

static void
on_shutdown_done (GObject      *object,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (js_join_set_shutdown_finish (JS_JOIN_SET (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

static void
test_shutdown (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean done = FALSE;
  gint64 deadline;
  Mirror m;

  g_test_summary ("A shutdown empties the model, running, queued and "
                  "finished tasks alike, and the set's next tasks enter it");

  mirror_init (&m, set);
  for (guint i = 0; i < 2; i++)
    js_join_set_spawn (set, hold, held, NULL);
  js_join_set_spawn (set, return_id, NULL, NULL);
  iterate_until_n_items (&m, 3);
  while (held->len < 2)
    g_main_context_iteration (NULL, TRUE);
  js_join_set_set_max_concurrent (set, 1);
  js_join_set_spawn (set, return_id, NULL, NULL);
  iterate_until_n_items (&m, 4);

  js_join_set_shutdown_async (set, NULL, on_shutdown_done, &done);
  js_test_iterate_until (NULL, &done);
  g_assert_true (js_join_set_is_empty (set));
  /* The model hears of it within a frame or so: a failure, not a hang,
   * if it never does. */
  deadline = g_get_monotonic_time () + JS_TEST_DEADLINE_USEC;
  while (m.items->len > 0 && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (m.items->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (m.model), ==, 0);

  js_join_set_set_max_concurrent (set, 0);
  js_join_set_spawn (set, return_id, NULL, NULL);
  iterate_until_n_items (&m, 1);
  g_ptr_array_unref (js_test_join_all (set));
  iterate_until_n_items (&m, 0);

  mirror_clear (&m);
}

typedef struct
{
  JsTestGate  gate;
  GThread    *finalized_in;  /* the thread of the task's last unref */
} LateDrop;

/* Returns, then keeps its worker (and the worker its reference to the
 * task) until the test opens the gate. */
static void
return_then_wait (JsTask   *task,
                  gpointer  user_data)
{
  LateDrop *late = user_data;

  js_task_return_int (task, 1);
  js_test_gate_pass (&late->gate);
}

static void
on_late_drop_finalized (gpointer  data,
                        GObject  *where_the_object_was)
{
  ((LateDrop *) data)->finalized_in = g_thread_self ();
}

static void
test_threads_race (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GListModel) model = js_join_set_get_tasks (set);
  g_autoptr(JsTask) task = NULL;
  LateDrop late = { 0 };
  gint64 deadline = g_get_monotonic_time () + JS_TEST_DEADLINE_USEC;

  g_test_summary ("While a model holds the set's tasks, a worker drops its "
                  "reference to a finished thread task in the set's "
                  "thread: in GLib 2.74 the unref that leaves only a "
                  "toggle reference reads the object with no reference "
                  "held, which raced with the model dropping it (a "
                  "use-after-free the fuzzer found)");

  js_test_gate_init (&late.gate);
  js_join_set_spawn_in_thread (set, return_then_wait, &late, NULL);
  while (g_list_model_get_n_items (model) < 1)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
    }
  task = g_list_model_get_item (model, 0);
  g_object_weak_ref (G_OBJECT (task), on_late_drop_finalized, &late);
  g_clear_object (&task);

  /* Joined and dropped, and gone from the model: the worker's reference,
   * held until the gate opens, is the last one. */
  js_test_gate_await_entered (&late.gate, 1);
  task = js_join_set_join_next (set, NULL, NULL);
  g_assert_cmpint (js_task_propagate_int (task, NULL), ==, 1);
  g_clear_object (&task);
  while (g_list_model_get_n_items (model) > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_null (late.finalized_in);

  js_test_gate_open (&late.gate);
  while (g_atomic_pointer_get (&late.finalized_in) == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (100);
    }
  g_assert_true (late.finalized_in == g_thread_self ());

  js_test_gate_clear (&late.gate);
}

static void
test_join_all_cancelled (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  JsTestJoinAll all = { 0 };
  Mirror m;

  g_test_summary ("Tasks a cancelled join_all gives back to the set come "
                  "back to the model, in spawn order");

  mirror_init (&m, set);
  for (guint i = 0; i < 3; i++)
    js_join_set_spawn (set, hold, held, NULL);
  iterate_until_n_items (&m, 3);
  while (held->len < 3)
    g_main_context_iteration (NULL, TRUE);

  js_join_set_join_all_async (set, cancellable, js_test_join_all_cb, &all);
  return_held (held, 3);
  return_held (held, 1);
  iterate_until_n_items (&m, 1);
  g_assert_cmpuint (mirror_id (&m, 0), ==, 2);

  g_cancellable_cancel (cancellable);
  js_test_iterate_until (NULL, &all.done);
  g_assert_error (all.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&all.error);
  iterate_until_n_items (&m, 3);
  mirror_check (&m);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (mirror_id (&m, i), ==, i + 1);

  return_held (held, 2);
  g_ptr_array_unref (js_test_join_all (set));
  iterate_until_n_items (&m, 0);
  mirror_clear (&m);
}

static void
test_made_late (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  Mirror m;

  g_test_summary ("A model made while tasks run, held only by their "
                  "producer, shows them when they finish, in spawn order");

  js_join_set_spawn (set, hold, held, NULL);
  js_join_set_spawn (set, hold, held, NULL);
  js_join_set_spawn (set, return_id, NULL, NULL);
  while (js_join_set_get_n_finished (set) < 1 || held->len < 2)
    g_main_context_iteration (NULL, TRUE);

  mirror_init (&m, set);
  g_assert_cmpuint (m.items->len, ==, 1);
  g_assert_cmpuint (mirror_id (&m, 0), ==, 3);

  return_held (held, 2);
  iterate_until_n_items (&m, 2);
  g_assert_cmpuint (mirror_id (&m, 0), ==, 2);
  return_held (held, 1);
  iterate_until_n_items (&m, 3);
  mirror_check (&m);

  g_ptr_array_unref (js_test_join_all (set));
  iterate_until_n_items (&m, 0);
  mirror_clear (&m);
}

/* ------------------------------------------------------------------------
 * Lifetime
 * ------------------------------------------------------------------------ */

static void
test_dispose (void)
{
  JsJoinSet *set = js_join_set_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model;
  Mirror m;

  g_test_summary ("The model does not keep its set alive, and becomes "
                  "empty when the set is disposed; it is freed once its "
                  "holder drops it");

  mirror_init (&m, set);
  js_join_set_set_max_concurrent (set, 1);
  for (guint i = 0; i < 3; i++)
    js_join_set_spawn (set, hold, held, NULL);
  iterate_until_n_items (&m, 3);
  while (held->len < 1)
    g_main_context_iteration (NULL, TRUE);

  g_assert_finalize_object (set);
  g_assert_cmpuint (g_list_model_get_n_items (m.model), ==, 0);
  g_assert_cmpuint (m.items->len, ==, 0);
  g_assert_true (js_task_is_cancelled (g_ptr_array_index (held, 0)));
  g_assert_cmpint (js_task_get_state (g_ptr_array_index (held, 0)), ==,
                   JS_TASK_STATE_FINISHED);

  model = g_object_ref (m.model);
  mirror_clear (&m);
  g_assert_finalize_object (model);
}

static void
test_model_freed (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  GListModel *model = js_join_set_get_tasks (set);
  g_autoptr(GListModel) again = NULL;

  g_test_summary ("A model nobody holds is freed, and the next call makes "
                  "a new one with the tasks of the set then");

  js_join_set_spawn (set, return_id, NULL, NULL);
  g_assert_finalize_object (model);

  js_join_set_spawn (set, return_id, NULL, NULL);
  again = js_join_set_get_tasks (set);
  g_assert_cmpuint (g_list_model_get_n_items (again), ==, 2);
  g_ptr_array_unref (js_test_join_all (set));
  while (g_list_model_get_n_items (again) > 0)
    g_main_context_iteration (NULL, TRUE);
}

#define MANY 100000

static void
test_many (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) joined = NULL;
  gint64 start;
  Mirror m;

  g_test_summary ("A model of 100,000 tasks: spawned, finished and joined, "
                  "with one emission per burst, in a bounded time");

  mirror_init (&m, set);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < MANY; i++)
    js_join_set_spawn (set, return_id, NULL, NULL);
  iterate_until_n_items (&m, MANY);
  g_assert_cmpuint (m.n_emissions, ==, 1);

  joined = js_test_join_all (set);
  g_assert_cmpuint (joined->len, ==, MANY);
  iterate_until_n_items (&m, 0);
  g_assert_cmpuint (m.n_emissions, ==, 2);
  g_test_message ("100,000 tasks with a model: %.0f ns per task",
                  (g_get_monotonic_time () - start) * 1000.0 / MANY);

  mirror_clear (&m);
}

static void
test_api_checks (void)
{
  g_autoptr(GObject) object = g_object_new (G_TYPE_OBJECT, NULL);

  g_test_summary ("get_tasks() and get_state() refuse what is not a set "
                  "or a task, with a critical");

  js_test_expect_begin ("*JS_IS_JOIN_SET*");
  g_assert_null (js_join_set_get_tasks (NULL));
  g_assert_null (js_join_set_get_tasks ((JsJoinSet *) object));
  g_assert_cmpuint (js_test_expect_end (), ==, 2);

  js_test_expect_begin ("*JS_IS_TASK*");
  g_assert_cmpint (js_task_get_state (NULL), ==, JS_TASK_STATE_QUEUED);
  g_assert_cmpint (js_task_get_state ((JsTask *) object), ==, JS_TASK_STATE_QUEUED);
  g_assert_cmpuint (js_test_expect_end (), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  js_test_expect_install ();
  main_thread = g_thread_self ();

  g_test_add_func ("/join-set/task-list/api-checks", test_api_checks);

  g_test_add_func ("/join-set/task-list/order", test_order);
  g_test_add_func ("/join-set/task-list/join-removes", test_join_removes);
  g_test_add_func ("/join-set/task-list/coalesced", test_coalesced);
  g_test_add_func ("/join-set/task-list/coalesced-threads", test_coalesced_threads);
  g_test_add_func ("/join-set/task-list/threads", test_threads);
  g_test_add_func ("/join-set/task-list/state", test_state);
  g_test_add_func ("/join-set/task-list/state-without-model", test_state_without_model);
  g_test_add_func ("/join-set/task-list/task-started", test_task_started);
  g_test_add_func ("/join-set/task-list/aborted-running", test_aborted_running);
  g_test_add_func ("/join-set/task-list/abandoned", test_abandoned);
  g_test_add_func ("/join-set/task-list/discard", test_discard);
  g_test_add_func ("/join-set/task-list/detach-all", test_detach_all);
  g_test_add_func ("/join-set/task-list/shutdown", test_shutdown);
  g_test_add_func ("/join-set/task-list/threads-race", test_threads_race);
  g_test_add_func ("/join-set/task-list/join-all-cancelled", test_join_all_cancelled);
  g_test_add_func ("/join-set/task-list/made-late", test_made_late);
  g_test_add_func ("/join-set/task-list/dispose", test_dispose);
  g_test_add_func ("/join-set/task-list/model-freed", test_model_freed);
  g_test_add_func ("/join-set/task-list/many", test_many);

  return g_test_run ();
}
