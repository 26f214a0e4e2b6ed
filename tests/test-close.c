/* test-close.c: close(), shutdown as Tokio's, and joining one task by id
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The shutdown cases port Tokio's JoinSet tests of the kind "spawn,
 * shutdown, the set is empty, join_next returns None" (tokio's
 * tests/task_join_set.rs: test_with_sleep's reuse, abort_all's pending and
 * ready tasks, and the promise of JoinSet::shutdown: "When this call
 * returns, the JoinSet will be empty").
 */

#include <joinset/joinset.h>

#include "js-test-util.h"

/* ------------------------------------------------------------------------
 * Task functions
 * ------------------------------------------------------------------------ */

static void
int_func (JsTask   *task,
          gpointer  user_data)
{
  js_task_return_int (task, GPOINTER_TO_INT (user_data));
}

/* A main-context task the test completes: the function keeps it. */
static void
hold_func (JsTask   *task,
           gpointer  user_data)
{
  JsTask **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (task);
}

/* Completes a held task with @value and lets it go. */
static void
release_held (JsTask **slot,
              gint     value)
{
  JsTask *task = g_steal_pointer (slot);

  g_assert_nonnull (task);
  js_task_return_int (task, value);
  g_object_unref (task);
}

/* Spawns a held task and runs the set's context until its function has
 * run: the task is running, and *slot holds it. Returns its id. */
static guint64
spawn_held_running (JsJoinSet  *set,
                    JsTask    **slot)
{
  guint64 id = js_join_set_spawn (set, hold_func, slot, NULL);

  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return id;
}

/* A thread task that waits at its gate, ignoring its cancellable, then
 * returns its value. */
typedef struct
{
  JsTestGate gate;
  gint       value;
  gint       ran;
} Gated;

static void
gated_func (JsTask   *task,
            gpointer  user_data)
{
  Gated *gated = user_data;

  g_atomic_int_inc (&gated->ran);
  js_test_gate_pass (&gated->gate);
  js_task_return_int (task, gated->value);
}

static void
counted_func (JsTask   *task,
              gpointer  user_data)
{
  g_atomic_int_inc ((gint *) user_data);
  js_task_return_int (task, 1);
}

static void
count_free (gpointer data)
{
  g_atomic_int_inc ((gint *) data);
}

/* How often a task function ran, and its user_data was freed. */
typedef struct
{
  gint ran;
  gint freed;
} Counts;

static void
counts_func (JsTask   *task,
             gpointer  user_data)
{
  g_atomic_int_inc (&((Counts *) user_data)->ran);
  js_task_return_int (task, 1);
}

static void
counts_free (gpointer data)
{
  g_atomic_int_inc (&((Counts *) data)->freed);
}

static gssize
task_int (JsTask *task)
{
  g_autoptr(GError) error = NULL;
  gssize value = js_task_propagate_int (task, &error);

  g_assert_no_error (error);
  return value;
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Shutdown;

static void
shutdown_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Shutdown *s = user_data;

  g_assert_false (s->done);
  s->ok = js_join_set_shutdown_finish (JS_JOIN_SET (object), result, &s->error);
  s->done = TRUE;
}

static void
shutdown_and_wait (JsJoinSet *set)
{
  Shutdown s = { 0 };

  js_join_set_shutdown_async (set, NULL, shutdown_cb, &s);
  js_test_iterate_until (NULL, &s.done);
  g_assert_no_error (s.error);
  g_assert_true (s.ok);
}

typedef struct
{
  gboolean  done;
  JsTask   *task;
  GError   *error;
} ById;

static void
by_id_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  ById *b = user_data;

  g_assert_false (b->done);
  b->task = js_join_set_join_by_id_finish (JS_JOIN_SET (object), result, &b->error);
  g_assert_true ((b->task == NULL) != (b->error == NULL));
  b->done = TRUE;
}

static void
by_id_clear (ById *b)
{
  g_clear_object (&b->task);
  g_clear_error (&b->error);
  b->done = FALSE;
}

/* The set is empty in every way a caller can tell. */
static void
assert_empty (JsJoinSet *set)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;

  g_assert_cmpuint (js_join_set_get_length (set), ==, 0);
  g_assert_true (js_join_set_is_empty (set));
  g_assert_null (js_join_set_try_join_next (set));
  g_assert_null (js_join_set_join_next (set, NULL, &error));
  g_assert_no_error (error);
  all = js_test_join_all (set);
  g_assert_cmpuint (all->len, ==, 0);
}

/* ------------------------------------------------------------------------
 * shutdown, as Tokio's
 * ------------------------------------------------------------------------ */

static void
test_shutdown_pending_and_ready (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *held[5] = { NULL };
  gint freed = 0;

  g_test_summary ("Tokio's abort_all case, with shutdown: 5 running tasks "
                  "and 5 finished ones; after shutdown the set is empty and "
                  "join_next returns nothing; every user_data is freed");

  for (guint i = 0; i < 5; i++)
    js_join_set_spawn (set, hold_func, &held[i], NULL);
  for (guint i = 0; i < 5; i++)
    js_join_set_spawn_full (set, JS_SPAWN_IN_THREAD, NULL, 0, counted_func, &freed, NULL);
  while (js_join_set_get_n_finished (set) < 5 || held[4] == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 10);

  shutdown_and_wait (set);
  assert_empty (set);

  for (guint i = 0; i < 5; i++)
    {
      g_assert_true (js_task_is_cancelled (held[i]));
      release_held (&held[i], 0);
    }
  assert_empty (set);
  g_assert_false (js_join_set_is_closed (set));
  g_assert_finalize_object (g_steal_pointer (&set));
}

static void
test_shutdown_then_reuse (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  gboolean seen[10] = { FALSE };
  JsTask *task;

  g_test_summary ("Tokio's test_with_sleep: spawn, empty the set, spawn "
                  "again and join every new task exactly once");

  for (guint round = 0; round < 2; round++)
    {
      for (gint i = 0; i < 10; i++)
        {
          g_assert_cmpuint (js_join_set_spawn_in_thread (set, int_func, GINT_TO_POINTER (i), NULL), !=, 0);
          g_assert_cmpuint (js_join_set_get_length (set), ==, (guint) i + 1);
        }
      shutdown_and_wait (set);
      assert_empty (set);
    }

  for (gint i = 0; i < 10; i++)
    js_join_set_spawn_in_thread (set, int_func, GINT_TO_POINTER (i), NULL);
  while ((task = js_join_set_join_next (set, NULL, NULL)) != NULL)
    {
      gssize value = task_int (task);

      g_assert_false (seen[value]);
      seen[value] = TRUE;
      g_object_unref (task);
    }
  for (guint i = 0; i < 10; i++)
    g_assert_true (seen[i]);
  assert_empty (set);
}

/* Returns a result whose destroy notify counts into user_data. */
static void
tracked_result_func (JsTask   *task,
                     gpointer  user_data)
{
  js_task_return_pointer (task, user_data, count_free);
}

static void
test_shutdown_frees_unjoined (void)
{
  JsJoinSet *set = js_join_set_new ();
  gint results_freed = 0, data_freed = 0;

  g_test_summary ("Results nobody joined are freed by the shutdown, with "
                  "their user_data, and the set can be finalized");

  for (guint i = 0; i < 8; i++)
    js_join_set_spawn_full (set, JS_SPAWN_IN_THREAD, NULL, 0, tracked_result_func,
                            &results_freed, NULL);
  js_join_set_spawn_in_thread (set, int_func, &data_freed, count_free);
  while (js_join_set_get_n_finished (set) < 9)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (g_atomic_int_get (&results_freed), ==, 0);

  shutdown_and_wait (set);
  g_assert_cmpint (g_atomic_int_get (&results_freed), ==, 8);
  g_assert_cmpint (g_atomic_int_get (&data_freed), ==, 1);
  assert_empty (set);
  g_assert_finalize_object (set);
}

static void
test_shutdown_queued_never_run (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Gated blocker = { .value = 7 };
  Shutdown s = { 0 };
  Counts counts = { 0 };

  g_test_summary ("Queued tasks never run once shut down; their user_data "
                  "is freed at once, and the set is empty while the "
                  "shutdown waits for the running function");

  js_test_gate_init (&blocker.gate);
  js_join_set_set_max_concurrent (set, 1);
  js_join_set_spawn_in_thread (set, gated_func, &blocker, NULL);
  js_test_gate_await_entered (&blocker.gate, 1);
  for (guint i = 0; i < 5; i++)
    js_join_set_spawn_in_thread (set, counts_func, &counts, counts_free);

  js_join_set_shutdown_async (set, NULL, shutdown_cb, &s);
  g_assert_cmpint (g_atomic_int_get (&counts.freed), ==, 5);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 0);
  g_assert_true (js_join_set_is_closed (set));
  js_test_iterate_pending (NULL);
  g_assert_false (s.done);

  js_test_gate_open (&blocker.gate);
  js_test_iterate_until (NULL, &s.done);
  g_assert_true (s.ok);
  g_assert_cmpint (g_atomic_int_get (&counts.ran), ==, 0);
  g_assert_false (js_join_set_is_closed (set));
  assert_empty (set);
  js_test_gate_clear (&blocker.gate);
}

static void
test_shutdown_twice (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Gated gated = { .value = 1 };
  Shutdown a = { 0 }, b = { 0 };

  g_test_summary ("Two shutdowns at once both complete once no function "
                  "runs; the set is empty and open afterwards");

  js_test_gate_init (&gated.gate);
  js_join_set_spawn_in_thread (set, gated_func, &gated, NULL);
  js_test_gate_await_entered (&gated.gate, 1);
  js_join_set_shutdown_async (set, NULL, shutdown_cb, &a);
  js_join_set_shutdown_async (set, NULL, shutdown_cb, &b);
  js_test_iterate_pending (NULL);
  g_assert_false (a.done || b.done);
  js_test_gate_open (&gated.gate);
  js_test_iterate_until (NULL, &a.done);
  js_test_iterate_until (NULL, &b.done);
  g_assert_true (a.ok && b.ok);
  g_assert_false (js_join_set_is_closed (set));
  assert_empty (set);
  js_test_gate_clear (&gated.gate);
}

static void
test_shutdown_empty_set (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(JsTask) task = NULL;

  g_test_summary ("Shutting down an empty set completes; the set is still "
                  "usable");

  shutdown_and_wait (set);
  assert_empty (set);
  js_join_set_spawn (set, int_func, GINT_TO_POINTER (3), NULL);
  task = js_join_set_join_next (set, NULL, NULL);
  g_assert_cmpint (task_int (task), ==, 3);
}

static void
test_shutdown_spawn_while_waiting (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Gated gated = { .value = 1 };
  Shutdown s = { 0 };
  gint freed = 0;
  guint64 id;

  g_test_summary ("While a shutdown waits, spawns are refused (0, user_data "
                  "freed at once): no task started meanwhile escapes it; "
                  "afterwards the set accepts them again");

  js_test_gate_init (&gated.gate);
  js_join_set_spawn_in_thread (set, gated_func, &gated, NULL);
  js_test_gate_await_entered (&gated.gate, 1);
  js_join_set_shutdown_async (set, NULL, shutdown_cb, &s);

  g_assert_true (js_join_set_is_closed (set));
  g_assert_cmpuint (js_join_set_spawn (set, int_func, &freed, count_free), ==, 0);
  g_assert_cmpuint (js_join_set_spawn_in_thread (set, int_func, &freed, count_free), ==, 0);
  g_assert_cmpint (freed, ==, 2);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 0);

  js_test_gate_open (&gated.gate);
  js_test_iterate_until (NULL, &s.done);
  g_assert_false (js_join_set_is_closed (set));
  id = js_join_set_spawn (set, int_func, GINT_TO_POINTER (5), NULL);
  g_assert_cmpuint (id, !=, 0);
  {
    g_autoptr(JsTask) task = js_join_set_join_next (set, NULL, NULL);

    g_assert_cmpuint (js_task_get_id (task), ==, id);
    g_assert_cmpint (task_int (task), ==, 5);
  }
  js_test_gate_clear (&gated.gate);
}

static void
test_shutdown_serves_pending_joins (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *held[3] = { NULL };
  JsTestJoin next = { 0 };
  ById by_id = { 0 };
  guint64 ids[3];

  g_test_summary ("Joins pending when a shutdown starts do not hang: a "
                  "join_next gets an aborted task, a join by id its own "
                  "task, aborted; the rest is freed");

  for (guint i = 0; i < 3; i++)
    ids[i] = js_join_set_spawn (set, hold_func, &held[i], NULL);
  while (held[2] == NULL)
    g_main_context_iteration (NULL, TRUE);

  js_join_set_join_by_id_async (set, ids[2], NULL, by_id_cb, &by_id);
  js_join_set_join_next_async (set, NULL, js_test_join_cb, &next);
  shutdown_and_wait (set);
  js_test_iterate_until (NULL, &next.done);
  js_test_iterate_until (NULL, &by_id.done);

  g_assert_no_error (next.error);
  js_test_assert_cancelled (next.task);
  g_assert_cmpuint (js_task_get_id (next.task), !=, ids[2]);
  g_assert_no_error (by_id.error);
  g_assert_cmpuint (js_task_get_id (by_id.task), ==, ids[2]);
  js_test_assert_cancelled (by_id.task);
  assert_empty (set);

  g_clear_object (&next.task);
  by_id_clear (&by_id);
  for (guint i = 0; i < 3; i++)
    release_held (&held[i], 0);
}

static void
test_shutdown_after_close (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  gint freed = 0;

  g_test_summary ("close() then shutdown: the set ends empty and stays "
                  "closed");

  js_join_set_spawn_in_thread (set, int_func, NULL, NULL);
  js_join_set_close (set);
  shutdown_and_wait (set);
  assert_empty (set);
  g_assert_true (js_join_set_is_closed (set));
  g_assert_cmpuint (js_join_set_spawn (set, int_func, &freed, count_free), ==, 0);
  g_assert_cmpint (freed, ==, 1);
}

/* ------------------------------------------------------------------------
 * close
 * ------------------------------------------------------------------------ */

static void
test_close_refuses_spawns (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  gint freed = 0;

  g_test_summary ("After close() every spawn returns 0 and frees its "
                  "user_data at once; closing twice is harmless");

  g_assert_false (js_join_set_is_closed (set));
  js_join_set_close (set);
  g_assert_true (js_join_set_is_closed (set));
  js_join_set_close (set);
  g_assert_true (js_join_set_is_closed (set));

  g_assert_cmpuint (js_join_set_spawn (set, int_func, &freed, count_free), ==, 0);
  g_assert_cmpuint (js_join_set_spawn_in_thread (set, int_func, &freed, count_free), ==, 0);
  g_assert_cmpuint (js_join_set_spawn_full (set, 0, "x", 10, int_func, &freed, count_free), ==, 0);
  g_assert_cmpint (freed, ==, 3);
  assert_empty (set);
  g_assert_cmpuint (js_join_set_get_n_spawned (set), ==, 0);
}

static void
test_close_then_wait (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Gated gated = { .value = 10 };
  JsTestJoinAll all = { 0 };
  gint sum = 0;

  g_test_summary ("The TaskTracker pattern: close() lets running and "
                  "queued tasks finish, not aborted, and join_all_async() "
                  "ends once the set is empty");

  js_test_gate_init (&gated.gate);
  js_join_set_set_max_concurrent (set, 1);
  js_join_set_spawn_in_thread (set, gated_func, &gated, NULL);
  js_test_gate_await_entered (&gated.gate, 1);
  js_join_set_spawn_in_thread (set, int_func, GINT_TO_POINTER (1), NULL);
  js_join_set_spawn (set, int_func, GINT_TO_POINTER (2), NULL);
  g_assert_cmpuint (js_join_set_get_n_queued (set), ==, 2);

  js_join_set_close (set);
  js_join_set_join_all_async (set, NULL, js_test_join_all_cb, &all);
  js_test_iterate_pending (NULL);
  g_assert_false (all.done);

  js_test_gate_open (&gated.gate);
  js_test_iterate_until (NULL, &all.done);
  g_assert_no_error (all.error);
  g_assert_cmpuint (all.tasks->len, ==, 3);
  for (guint i = 0; i < all.tasks->len; i++)
    sum += task_int (g_ptr_array_index (all.tasks, i));
  g_assert_cmpint (sum, ==, 13);
  g_ptr_array_unref (all.tasks);
  assert_empty (set);
  g_assert_true (js_join_set_is_closed (set));
  js_test_gate_clear (&gated.gate);
}

static void
test_close_then_blocking_wait (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *task;
  gint sum = 0;

  g_test_summary ("Close, then a blocking join_next() loop: every task "
                  "is joined with its own result, then NULL");

  for (gint i = 1; i <= 4; i++)
    js_join_set_spawn_in_thread (set, int_func, GINT_TO_POINTER (i), NULL);
  js_join_set_spawn (set, int_func, GINT_TO_POINTER (100), NULL);
  js_join_set_close (set);

  while ((task = js_join_set_join_next (set, NULL, NULL)) != NULL)
    {
      sum += task_int (task);
      g_object_unref (task);
    }
  g_assert_cmpint (sum, ==, 110);
}

typedef struct
{
  JsJoinSet *set;
  gint       spawned;
  gint       freed;
} Spawner;

static gpointer
spawn_until_closed (gpointer data)
{
  Spawner *sp = data;

  while (js_join_set_spawn_in_thread (sp->set, int_func, &sp->freed, count_free) != 0)
    sp->spawned++;
  return NULL;
}

static void
test_close_races_spawns (void)
{
  g_test_summary ("close() from one thread while another spawns: every "
                  "task spawned before it is joined, every refused spawn "
                  "freed its user_data, none is lost");

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      Spawner sp = { set, 0, 0 };
      GThread *thread;
      JsTask *task;
      gint joined = 0;
      gint64 deadline;

      thread = g_thread_new ("spawner", spawn_until_closed, &sp);
      g_usleep (g_random_int_range (0, 2000));
      js_join_set_close (set);
      g_thread_join (thread);

      while ((task = js_join_set_join_next (set, NULL, NULL)) != NULL)
        {
          joined++;
          g_object_unref (task);
        }
      g_assert_cmpint (joined, ==, sp.spawned);
      g_assert_finalize_object (g_steal_pointer (&set));
      /* One refused spawn, plus every task joined: user_data dropped in a
       * worker is freed in the set's context (its home thread), which
       * this loop iterates. */
      deadline = g_get_monotonic_time () + JS_TEST_DEADLINE_USEC;
      while (g_atomic_int_get (&sp.freed) < sp.spawned + 1 &&
             g_get_monotonic_time () < deadline)
        {
          if (!g_main_context_iteration (NULL, FALSE))
            g_usleep (100);
        }
      g_assert_cmpint (g_atomic_int_get (&sp.freed), ==, sp.spawned + 1);
    }
}

/* ------------------------------------------------------------------------
 * join by id
 * ------------------------------------------------------------------------ */

static void
test_by_id_takes_one (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) rest = NULL;
  ById b = { 0 };
  guint64 ids[3];

  g_test_summary ("join_by_id_async() takes the task it names and leaves "
                  "the others in the set; it never completes inside the "
                  "call");

  for (gint i = 0; i < 3; i++)
    ids[i] = js_join_set_spawn_in_thread (set, int_func, GINT_TO_POINTER (i), NULL);

  js_join_set_join_by_id_async (set, ids[1], NULL, by_id_cb, &b);
  g_assert_false (b.done);
  js_test_iterate_until (NULL, &b.done);
  g_assert_no_error (b.error);
  g_assert_cmpuint (js_task_get_id (b.task), ==, ids[1]);
  g_assert_cmpint (task_int (b.task), ==, 1);
  by_id_clear (&b);

  rest = js_test_join_all (set);
  g_assert_cmpuint (rest->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpuint (js_task_get_id (g_ptr_array_index (rest, i)), !=, ids[1]);
}

static void
test_by_id_finished (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  ById b = { 0 };
  guint64 id;

  g_test_summary ("A task that finished already is taken at once");

  id = js_join_set_spawn (set, int_func, GINT_TO_POINTER (4), NULL);
  js_join_set_spawn (set, int_func, GINT_TO_POINTER (5), NULL);
  while (js_join_set_get_n_finished (set) < 2)
    g_main_context_iteration (NULL, TRUE);

  js_join_set_join_by_id_async (set, id, NULL, by_id_cb, &b);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 1);
  js_test_iterate_until (NULL, &b.done);
  g_assert_cmpint (task_int (b.task), ==, 4);
  by_id_clear (&b);
}

static void
test_by_id_unknown (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(JsTask) joined = NULL;
  g_autoptr(GError) error = NULL;
  guint64 bad[3] = { 0, 99, 0 };

  g_test_summary ("An id that is not in the set (0, never spawned, joined "
                  "already) fails at once with JS_JOIN_ERROR_UNKNOWN_TASK, "
                  "async and blocking, and the message names the id");

  bad[2] = js_join_set_spawn (set, int_func, NULL, NULL);
  joined = js_join_set_join_next (set, NULL, NULL);
  g_assert_cmpuint (js_task_get_id (joined), ==, bad[2]);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, bad[i]);
      ById b = { 0 };

      js_join_set_join_by_id_async (set, bad[i], NULL, by_id_cb, &b);
      js_test_iterate_until (NULL, &b.done);
      g_assert_error (b.error, JS_JOIN_ERROR, JS_JOIN_ERROR_UNKNOWN_TASK);
      g_assert_nonnull (strstr (b.error->message, id));
      by_id_clear (&b);

      g_assert_null (js_join_set_join_by_id (set, bad[i], NULL, &error));
      g_assert_error (error, JS_JOIN_ERROR, JS_JOIN_ERROR_UNKNOWN_TASK);
      g_clear_error (&error);
    }
}

static void
test_by_id_twice (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GError) error = NULL;
  JsTask *held = NULL;
  ById first = { 0 }, second = { 0 };
  guint64 id;

  g_test_summary ("A second join by id of a task that one already waits "
                  "for fails at once with G_IO_ERROR_PENDING; the first "
                  "gets the task");

  id = js_join_set_spawn (set, hold_func, &held, NULL);
  js_join_set_join_by_id_async (set, id, NULL, by_id_cb, &first);
  js_join_set_join_by_id_async (set, id, NULL, by_id_cb, &second);
  js_test_iterate_until (NULL, &second.done);
  g_assert_error (second.error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_assert_null (js_join_set_join_by_id (set, id, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_assert_false (first.done);

  release_held (&held, 8);
  js_test_iterate_until (NULL, &first.done);
  g_assert_cmpint (task_int (first.task), ==, 8);
  by_id_clear (&first);
  by_id_clear (&second);
  assert_empty (set);
}

static void
test_by_id_not_taken_by_others (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *held[2] = { NULL };
  JsTestJoin next = { 0 };
  JsTestJoinAll all = { 0 };
  ById b = { 0 };
  guint64 ids[2];

  g_test_summary ("While a join by id waits for a task, join_next, "
                  "join_all and try_join_next never take it");

  for (guint i = 0; i < 2; i++)
    ids[i] = js_join_set_spawn (set, hold_func, &held[i], NULL);
  while (held[1] == NULL)
    g_main_context_iteration (NULL, TRUE);

  js_join_set_join_by_id_async (set, ids[0], NULL, by_id_cb, &b);
  js_join_set_join_next_async (set, NULL, js_test_join_cb, &next);
  release_held (&held[0], 1);
  js_test_iterate_until (NULL, &b.done);
  g_assert_cmpuint (js_task_get_id (b.task), ==, ids[0]);
  js_test_iterate_pending (NULL);
  g_assert_false (next.done);
  g_assert_null (js_join_set_try_join_next (set));

  release_held (&held[1], 2);
  js_test_iterate_until (NULL, &next.done);
  g_assert_cmpuint (js_task_get_id (next.task), ==, ids[1]);
  g_clear_object (&next.task);
  by_id_clear (&b);

  /* join_all: the claimed task is not in its array. */
  ids[0] = js_join_set_spawn (set, hold_func, &held[0], NULL);
  ids[1] = js_join_set_spawn (set, hold_func, &held[1], NULL);
  while (held[1] == NULL)
    g_main_context_iteration (NULL, TRUE);
  js_join_set_join_by_id_async (set, ids[1], NULL, by_id_cb, &b);
  js_join_set_join_all_async (set, NULL, js_test_join_all_cb, &all);
  release_held (&held[1], 2);
  release_held (&held[0], 1);
  js_test_iterate_until (NULL, &all.done);
  js_test_iterate_until (NULL, &b.done);
  g_assert_cmpuint (all.tasks->len, ==, 1);
  g_assert_cmpuint (js_task_get_id (g_ptr_array_index (all.tasks, 0)), ==, ids[0]);
  g_assert_cmpuint (js_task_get_id (b.task), ==, ids[1]);
  g_ptr_array_unref (all.tasks);
  by_id_clear (&b);
  assert_empty (set);
}

static void
test_by_id_cancel (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsTask) task = NULL;
  JsTask *held = NULL;
  ById b = { 0 }, again = { 0 };
  guint64 id;

  g_test_summary ("Cancelling a join by id fails it with "
                  "G_IO_ERROR_CANCELLED and gives up its claim: the task "
                  "goes to other joins, or to a new join by id");

  id = js_join_set_spawn (set, hold_func, &held, NULL);
  js_join_set_join_by_id_async (set, id, cancellable, by_id_cb, &b);
  js_test_iterate_pending (NULL);
  g_cancellable_cancel (cancellable);
  js_test_iterate_until (NULL, &b.done);
  g_assert_error (b.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  by_id_clear (&b);

  /* The claim is gone: a new one may be made, and cancelled again. */
  js_join_set_join_by_id_async (set, id, NULL, by_id_cb, &again);
  g_assert_false (again.done);
  release_held (&held, 6);
  js_test_iterate_until (NULL, &again.done);
  g_assert_cmpint (task_int (again.task), ==, 6);
  by_id_clear (&again);

  /* Cancelled, with the task to other joins. */
  g_cancellable_reset (cancellable);
  id = js_join_set_spawn (set, hold_func, &held, NULL);
  js_join_set_join_by_id_async (set, id, cancellable, by_id_cb, &b);
  js_test_iterate_pending (NULL);
  g_cancellable_cancel (cancellable);
  js_test_iterate_until (NULL, &b.done);
  g_assert_error (b.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  release_held (&held, 9);
  task = js_join_set_join_next (set, NULL, NULL);
  g_assert_cmpuint (js_task_get_id (task), ==, id);
  by_id_clear (&b);
}

static void
test_by_id_cancel_after_served (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  JsTask *held = NULL;
  ById b = { 0 };
  guint64 id;

  g_test_summary ("A join by id handed its task before its callback ran "
                  "returns the task even if cancelled meanwhile: nothing "
                  "is lost");

  id = js_join_set_spawn (set, hold_func, &held, NULL);
  js_join_set_join_by_id_async (set, id, cancellable, by_id_cb, &b);
  while (held == NULL)
    g_main_context_iteration (NULL, TRUE);
  release_held (&held, 2);
  g_cancellable_cancel (cancellable);
  js_test_iterate_until (NULL, &b.done);
  g_assert_no_error (b.error);
  g_assert_cmpint (task_int (b.task), ==, 2);
  by_id_clear (&b);
  assert_empty (set);
}

static void
test_by_id_ordered (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *held[3] = { NULL };
  ById b = { 0 };
  guint64 ids[3];

  g_test_summary ("In an ordered set, joins still yield spawn order, "
                  "skipping the task a join by id took");

  js_join_set_set_ordered (set, TRUE);
  for (guint i = 0; i < 3; i++)
    ids[i] = js_join_set_spawn (set, hold_func, &held[i], NULL);
  while (held[2] == NULL)
    g_main_context_iteration (NULL, TRUE);

  js_join_set_join_by_id_async (set, ids[1], NULL, by_id_cb, &b);
  release_held (&held[2], 3);
  release_held (&held[1], 2);
  js_test_iterate_until (NULL, &b.done);
  g_assert_cmpint (task_int (b.task), ==, 2);
  g_assert_null (js_join_set_try_join_next (set));
  release_held (&held[0], 1);
  for (guint i = 0; i < 3; i += 2)
    {
      g_autoptr(JsTask) task = js_join_set_join_next (set, NULL, NULL);

      g_assert_cmpuint (js_task_get_id (task), ==, ids[i]);
    }
  by_id_clear (&b);
  assert_empty (set);
}

static void
test_by_id_discard_results (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *held[2] = { NULL };
  ById b = { 0 };
  guint64 id;

  g_test_summary ("In a set that discards results, the task a join by id "
                  "waits for is handed over with its result; the others are "
                  "discarded");

  js_join_set_set_discard_results (set, TRUE);
  id = js_join_set_spawn (set, hold_func, &held[0], NULL);
  js_join_set_spawn (set, hold_func, &held[1], NULL);
  while (held[1] == NULL)
    g_main_context_iteration (NULL, TRUE);
  js_join_set_join_by_id_async (set, id, NULL, by_id_cb, &b);
  release_held (&held[0], 11);
  release_held (&held[1], 12);
  js_test_iterate_until (NULL, &b.done);
  g_assert_cmpint (task_int (b.task), ==, 11);
  by_id_clear (&b);
  assert_empty (set);
}

static void
test_by_id_abort (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *held = NULL;
  ById b = { 0 };
  guint64 id;

  g_test_summary ("Aborting the task a join by id waits for hands it over "
                  "at once, as cancelled");

  id = spawn_held_running (set, &held);
  js_join_set_join_by_id_async (set, id, NULL, by_id_cb, &b);
  g_assert_true (js_join_set_abort (set, id));
  js_test_iterate_until (NULL, &b.done);
  js_test_assert_cancelled (b.task);
  by_id_clear (&b);
  release_held (&held, 0);
  assert_empty (set);
}

static void
test_by_id_detach (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *held = NULL;
  ById b = { 0 };
  guint64 id;

  g_test_summary ("A join by id whose task is detached fails with "
                  "JS_JOIN_ERROR_UNKNOWN_TASK: it does not hang");

  id = spawn_held_running (set, &held);
  js_join_set_join_by_id_async (set, id, NULL, by_id_cb, &b);
  js_join_set_detach_all (set);
  js_test_iterate_until (NULL, &b.done);
  g_assert_error (b.error, JS_JOIN_ERROR, JS_JOIN_ERROR_UNKNOWN_TASK);
  by_id_clear (&b);
  release_held (&held, 0);
}

static void
test_by_id_dispose (void)
{
  JsJoinSet *set = js_join_set_new ();
  JsTask *held = NULL;
  ById b = { 0 };
  guint64 id;

  g_test_summary ("A set disposed while a join by id waits (only with "
                  "g_object_run_dispose(): the join holds the set) fails "
                  "the join with JS_JOIN_ERROR_UNKNOWN_TASK, and leaks "
                  "nothing");

  id = spawn_held_running (set, &held);
  js_join_set_join_by_id_async (set, id, NULL, by_id_cb, &b);
  g_object_run_dispose (G_OBJECT (set));
  js_test_iterate_until (NULL, &b.done);
  g_assert_error (b.error, JS_JOIN_ERROR, JS_JOIN_ERROR_UNKNOWN_TASK);
  by_id_clear (&b);
  release_held (&held, 0);
  g_assert_finalize_object (set);
}

static void
test_by_id_blocking (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsTask) main_task = NULL;
  g_autoptr(JsTask) thread_task = NULL;
  guint64 main_id, thread_id;

  g_test_summary ("The blocking join by id iterates the set's context from "
                  "its home thread, so a main-context task runs, and takes "
                  "only the task it names");

  js_join_set_spawn_in_thread (set, int_func, GINT_TO_POINTER (1), NULL);
  main_id = js_join_set_spawn (set, int_func, GINT_TO_POINTER (2), NULL);
  thread_id = js_join_set_spawn_in_thread (set, int_func, GINT_TO_POINTER (3), NULL);

  main_task = js_join_set_join_by_id (set, main_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (task_int (main_task), ==, 2);
  thread_task = js_join_set_join_by_id (set, thread_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (task_int (thread_task), ==, 3);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 1);
}

typedef struct
{
  JsJoinSet    *set;
  guint64       id;
  GCancellable *cancellable;
  JsTask       *task;
  GError       *error;
  gint          started;
} Blocking;

static gpointer
blocking_by_id_thread (gpointer data)
{
  Blocking *bl = data;

  g_atomic_int_set (&bl->started, 1);
  bl->task = js_join_set_join_by_id (bl->set, bl->id, bl->cancellable, &bl->error);
  return NULL;
}

static void
test_by_id_blocking_cancel (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsTask) task = NULL;
  Blocking bl = { set, 0, cancellable, NULL, NULL, 0 };
  JsTask *held = NULL;
  GThread *thread;

  g_test_summary ("A blocking join by id waiting in a worker thread, "
                  "cancelled, returns NULL with G_IO_ERROR_CANCELLED and "
                  "gives the task back to the set");

  bl.id = js_join_set_spawn (set, hold_func, &held, NULL);
  thread = g_thread_new ("by-id", blocking_by_id_thread, &bl);
  while (held == NULL || !g_atomic_int_get (&bl.started))
    g_main_context_iteration (NULL, FALSE);
  g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  g_cancellable_cancel (cancellable);
  g_thread_join (thread);
  g_assert_null (bl.task);
  g_assert_error (bl.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&bl.error);

  release_held (&held, 4);
  task = js_join_set_join_next (set, NULL, NULL);
  g_assert_cmpuint (js_task_get_id (task), ==, bl.id);
}

static gpointer
cancel_thread (gpointer data)
{
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_by_id_race_cancel (void)
{
  guint n_got = 0, n_cancelled = 0;

  g_test_summary ("A thread task finishing while its join by id is "
                  "cancelled from another thread: the join gets the task or "
                  "fails with G_IO_ERROR_CANCELLED, and then the task is in "
                  "the set: never both, never lost");

  for (guint round = 0; round < 300; round++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      Gated gated = { .value = (gint) round };
      GThread *canceller;
      ById b = { 0 };
      guint64 id;

      js_test_gate_init (&gated.gate);
      id = js_join_set_spawn_in_thread (set, gated_func, &gated, NULL);
      js_join_set_join_by_id_async (set, id, cancellable, by_id_cb, &b);
      js_test_gate_await_entered (&gated.gate, 1);

      canceller = g_thread_new ("cancel", cancel_thread, cancellable);
      js_test_gate_open (&gated.gate);
      g_thread_join (canceller);
      js_test_iterate_until (NULL, &b.done);

      if (b.task != NULL)
        {
          g_assert_cmpint (task_int (b.task), ==, (gint) round);
          assert_empty (set);
          n_got++;
        }
      else
        {
          g_autoptr(JsTask) task = NULL;

          g_assert_error (b.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          task = js_join_set_join_next (set, NULL, NULL);
          g_assert_nonnull (task);
          g_assert_cmpuint (js_task_get_id (task), ==, id);
          g_assert_cmpint (task_int (task), ==, (gint) round);
          n_cancelled++;
        }
      by_id_clear (&b);
      g_assert_finalize_object (g_steal_pointer (&set));
      js_test_gate_clear (&gated.gate);
    }
  g_test_message ("%u rounds got the task, %u were cancelled", n_got, n_cancelled);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/join-set/shutdown/tokio/pending-and-ready", test_shutdown_pending_and_ready);
  g_test_add_func ("/join-set/shutdown/tokio/then-reuse", test_shutdown_then_reuse);
  g_test_add_func ("/join-set/shutdown/tokio/frees-unjoined", test_shutdown_frees_unjoined);
  g_test_add_func ("/join-set/shutdown/tokio/queued-never-run", test_shutdown_queued_never_run);
  g_test_add_func ("/join-set/shutdown/tokio/twice", test_shutdown_twice);
  g_test_add_func ("/join-set/shutdown/tokio/empty-set", test_shutdown_empty_set);
  g_test_add_func ("/join-set/shutdown/tokio/spawn-while-waiting", test_shutdown_spawn_while_waiting);
  g_test_add_func ("/join-set/shutdown/serves-pending-joins", test_shutdown_serves_pending_joins);
  g_test_add_func ("/join-set/shutdown/after-close", test_shutdown_after_close);
  g_test_add_func ("/join-set/close/refuses-spawns", test_close_refuses_spawns);
  g_test_add_func ("/join-set/close/then-wait", test_close_then_wait);
  g_test_add_func ("/join-set/close/then-blocking-wait", test_close_then_blocking_wait);
  g_test_add_func ("/join-set/close/races-spawns", test_close_races_spawns);
  g_test_add_func ("/join-set/join-by-id/takes-one", test_by_id_takes_one);
  g_test_add_func ("/join-set/join-by-id/finished", test_by_id_finished);
  g_test_add_func ("/join-set/join-by-id/unknown", test_by_id_unknown);
  g_test_add_func ("/join-set/join-by-id/twice", test_by_id_twice);
  g_test_add_func ("/join-set/join-by-id/not-taken-by-others", test_by_id_not_taken_by_others);
  g_test_add_func ("/join-set/join-by-id/cancel", test_by_id_cancel);
  g_test_add_func ("/join-set/join-by-id/cancel-after-served", test_by_id_cancel_after_served);
  g_test_add_func ("/join-set/join-by-id/ordered", test_by_id_ordered);
  g_test_add_func ("/join-set/join-by-id/discard-results", test_by_id_discard_results);
  g_test_add_func ("/join-set/join-by-id/abort", test_by_id_abort);
  g_test_add_func ("/join-set/join-by-id/detach", test_by_id_detach);
  g_test_add_func ("/join-set/join-by-id/dispose", test_by_id_dispose);
  g_test_add_func ("/join-set/join-by-id/blocking", test_by_id_blocking);
  g_test_add_func ("/join-set/join-by-id/blocking-cancel", test_by_id_blocking_cancel);
  g_test_add_func ("/join-set/join-by-id/race-cancel", test_by_id_race_cancel);

  return g_test_run ();
}
