/* stress-faults.c: fault injection against JsJoinSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Task functions and callbacks that misbehave: functions that block forever
 * and ignore their cancellable, that return twice or never, destroy notifies
 * and cancellation handlers that call back into the same set, and callbacks
 * and task functions that drop the last reference to the set. None of them
 * may crash, deadlock, lose a result or free something twice.
 *
 * Every wait here has a deadline (DEADLINE_USEC): a deadlock fails the test
 * with the name of the wait instead of hanging.
 */

#include "config.h"

#include <string.h>

#include <joinset/joinset.h>
#include "js-test-util.h"
#include "stress-util.h"

#define DEADLINE_USEC (10 * G_TIME_SPAN_SECOND)

#define FAULT_ERROR (g_quark_from_static_string ("fault-error"))

/* ------------------------------------------------------------------------
 * Counters, shared by every test and reset by counters_reset()
 * ------------------------------------------------------------------------ */

static struct
{
  gint destroyed;       /* user_data destroy calls */
  gint results_made;
  gint results_freed;
} counters;

static void
counters_reset (void)
{
  g_assert_cmpint (g_atomic_int_get (&counters.results_made), ==,
                   g_atomic_int_get (&counters.results_freed));
  memset (&counters, 0, sizeof counters);
}

/* Iterates the default context until @cond (re-evaluated) holds. The
 * counters are bumped on any thread: read them with g_atomic_int_get ()
 * in @cond too. */
#define WAIT_UNTIL(cond)                                                      \
  G_STMT_START {                                                              \
    gint64 deadline_ = g_get_monotonic_time () + DEADLINE_USEC;               \
    while (!(cond))                                                           \
      {                                                                       \
        if (g_get_monotonic_time () > deadline_)                              \
          g_error ("%s:%d: timed out waiting for %s (destroyed %d, results %d/%d)", __FILE__, __LINE__, \
                   #cond, g_atomic_int_get (&counters.destroyed),             \
                   g_atomic_int_get (&counters.results_freed),                \
                   g_atomic_int_get (&counters.results_made));                \
        if (!g_main_context_iteration (NULL, FALSE))                          \
          g_usleep (100);                                                     \
      }                                                                       \
  } G_STMT_END

typedef struct
{
  gint     id;
  gint     destroyed;
  gpointer extra;          /* test-specific */
} Data;

static Data *
data_new (gint id)
{
  Data *data = g_new0 (Data, 1);

  data->id = id;
  return data;
}

static void
data_destroy (gpointer p)
{
  Data *data = p;

  g_assert_cmpint (g_atomic_int_add (&data->destroyed, 1), ==, 0);
  g_free (data);
  g_atomic_int_inc (&counters.destroyed);
}

/* A result counted in counters. */
static JsTestResult *
result_new (gint value)
{
  JsTestResultCounts counts = {
    .total_made = &counters.results_made,
    .total_freed = &counters.results_freed,
  };

  return js_test_result_new (value, NULL, &counts);
}

/* The gate blocking task functions wait on, ignoring cancellation; every
 * test that uses it resets it first. */
static JsTestGate gate;

/* ------------------------------------------------------------------------
 * Task functions
 * ------------------------------------------------------------------------ */

/* Blocks until the gate opens, whatever its cancellable says. */
static void
blocking_func (JsTask   *task,
               gpointer  user_data)
{
  Data *data = user_data;

  js_test_gate_pass (&gate);
  js_task_return_pointer (task, result_new (data->id), js_test_result_free);
}

/* Works until it is cancelled (or for 5 s at most). */
static void
cooperative_func (JsTask   *task,
                  gpointer  user_data)
{
  Data *data = user_data;
  gint64 end = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;

  while (!g_cancellable_is_cancelled (js_task_get_cancellable (task)) && g_get_monotonic_time () < end)
    g_usleep (100);
  if (!js_task_return_error_if_cancelled (task))
    js_task_return_pointer (task, result_new (data->id), js_test_result_free);
}

static void
quick_func (JsTask   *task,
            gpointer  user_data)
{
  Data *data = user_data;

  js_task_return_pointer (task, result_new (data->id), js_test_result_free);
}

static void
never_return_func (JsTask   *task,
                   gpointer  user_data)
{
}

static void
return_twice_func (JsTask   *task,
                   gpointer  user_data)
{
  Data *data = user_data;

  js_task_return_pointer (task, result_new (data->id), js_test_result_free);
  js_task_return_pointer (task, result_new (-data->id), js_test_result_free);
}

/* Joins the next task synchronously, with a deadline. */
static JsTask *
join_next (JsJoinSet *set)
{
  JsTask *task = NULL;

  WAIT_UNTIL ((task = js_join_set_try_join_next (set)) != NULL);
  return task;
}

static gint
join_value (JsJoinSet *set)
{
  g_autoptr(JsTask) task = join_next (set);
  g_autoptr(GError) error = NULL;
  JsTestResult *r = js_task_propagate_pointer (task, &error);
  gint value;

  g_assert_no_error (error);
  g_assert_nonnull (r);
  value = r->value;
  js_test_result_free (r);
  return value;
}

static void
shutdown_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GError **error_out = user_data;
  GError *error = NULL;

  if (!js_join_set_shutdown_finish (JS_JOIN_SET (source), result, &error))
    g_assert_nonnull (error);
  else
    error = g_error_new_literal (FAULT_ERROR, 0, "no error: shutdown completed");
  *error_out = error;
}

/* ------------------------------------------------------------------------
 * Blocking forever
 * ------------------------------------------------------------------------ */

static void
test_blocking_shutdown (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  GError *shutdown_error = NULL;
  JsTestJoinAll all = { 0 };
  guint n = 0;
  JsTask *task;
  gint64 until;

  g_test_summary ("A thread task that ignores its cancellable delays "
                  "shutdown_async until it returns; every task, the stuck "
                  "one included, is aborted and handed at once to the join "
                  "that was pending, the set is empty meanwhile, and "
                  "nothing leaks.");
  counters_reset ();
  js_test_gate_reset (&gate);

  js_join_set_spawn_in_thread (set, blocking_func, data_new (1), data_destroy);
  js_test_gate_await_entered (&gate, 1);
  for (gint i = 0; i < 20; i++)
    js_join_set_spawn_in_thread (set, cooperative_func, data_new (100 + i), data_destroy);
  for (gint i = 0; i < 10; i++)
    js_join_set_spawn (set, quick_func, data_new (200 + i), data_destroy);

  js_join_set_join_all_async (set, NULL, js_test_join_all_cb, &all);
  js_join_set_shutdown_async (set, NULL, shutdown_cb, &shutdown_error);
  g_assert_true (js_join_set_is_closed (set));
  g_assert_cmpuint (js_join_set_spawn (set, quick_func, data_new (300), data_destroy), ==, 0);
  g_assert_true (js_join_set_is_empty (set));
  g_assert_null (js_join_set_try_join_next (set));

  /* Everything, the stuck task included, is aborted and goes at once to
   * the join that was pending. */
  WAIT_UNTIL ((g_main_context_iteration (NULL, FALSE), all.done));
  g_assert_no_error (all.error);
  for (guint i = 0; i < all.tasks->len; i++)
    {
      task = g_ptr_array_index (all.tasks, i);
      js_test_assert_cancelled (task);
      n++;
    }
  g_assert_cmpuint (n, ==, 31);
  g_clear_pointer (&all.tasks, g_ptr_array_unref);

  /* The shutdown waits for the stuck function. */
  until = g_get_monotonic_time () + 200 * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_null (shutdown_error);

  js_test_gate_open (&gate);
  WAIT_UNTIL (shutdown_error != NULL);
  g_assert_error (shutdown_error, FAULT_ERROR, 0);
  g_clear_error (&shutdown_error);
  /* Done: the set accepts spawns again. */
  g_assert_false (js_join_set_is_closed (set));

  g_assert_finalize_object (g_steal_pointer (&set));
  /* The late result of the stuck task was freed with it. */
  WAIT_UNTIL (g_atomic_int_get (&counters.destroyed) == 32);
  WAIT_UNTIL (g_atomic_int_get (&counters.results_freed) ==
              g_atomic_int_get (&counters.results_made));
}

/* blocking_func, under the name in user_data's Data.extra. */
static void
named_blocking_func (JsTask   *task,
                     gpointer  user_data)
{
  Data *data = user_data;

  js_task_set_name (task, data->extra);
  blocking_func (task, user_data);
}

static void
test_blocking_shutdown_warns (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  GError *shutdown_error = NULL;
  Data *two = data_new (2);
  Data *one = data_new (1);
  JsTestJoinAll all = { 0 };
  JsTask *task;
  guint n = 0;

  g_test_summary ("A shutdown that waits for task functions ignoring their "
                  "cancellable warns once, after JS_SHUTDOWN_WARNING_SECONDS "
                  "(1 here), naming each by id and name: an aborted one and "
                  "one detached while running.");
  counters_reset ();
  js_test_gate_reset (&gate);

  two->extra = (gpointer) "stuck-two";
  one->extra = (gpointer) "stuck-one";
  g_assert_cmpuint (js_join_set_spawn_in_thread (set, named_blocking_func, two, data_destroy), ==, 1);
  js_test_gate_await_entered (&gate, 1);
  js_join_set_detach_all (set);
  g_assert_cmpuint (js_join_set_spawn_in_thread (set, named_blocking_func, one, data_destroy), ==, 2);
  js_test_gate_await_entered (&gate, 2);
  js_join_set_spawn_in_thread (set, cooperative_func, data_new (3), data_destroy);

  js_test_expect_begin ("A JsJoinSet shutdown has waited 1 s for 2 tasks whose "
                         "function still runs: 1 (\"stuck-two\"), 2 (\"stuck-one\"). *");
  js_join_set_join_all_async (set, NULL, js_test_join_all_cb, &all);
  js_join_set_shutdown_async (set, NULL, shutdown_cb, &shutdown_error);
  g_assert_true (js_join_set_is_empty (set));
  WAIT_UNTIL ((g_main_context_iteration (NULL, FALSE), all.done));
  g_assert_no_error (all.error);
  for (guint i = 0; i < all.tasks->len; i++)
    {
      task = g_ptr_array_index (all.tasks, i);
      js_test_assert_cancelled (task);
      n++;
    }
  g_assert_cmpuint (n, ==, 2);
  g_clear_pointer (&all.tasks, g_ptr_array_unref);

  /* The warning comes once, and the shutdown still waits. */
  WAIT_UNTIL (js_test_expect_seen () > 0);
  g_assert_null (shutdown_error);

  js_test_gate_open (&gate);
  WAIT_UNTIL (shutdown_error != NULL);
  g_assert_error (shutdown_error, FAULT_ERROR, 0);
  g_clear_error (&shutdown_error);
  g_assert_cmpuint (js_test_expect_end (), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&set));
  WAIT_UNTIL (g_atomic_int_get (&counters.destroyed) == 3);
  WAIT_UNTIL (g_atomic_int_get (&counters.results_freed) ==
              g_atomic_int_get (&counters.results_made));
}

static void
test_blocking_shutdown_quick_no_warning (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  GError *shutdown_error = NULL;
  JsTestJoin join = { 0 };
  gint64 until;

  g_test_summary ("A shutdown whose tasks return in time does not warn, even "
                  "when the set lives on past the warning delay.");
  counters_reset ();

  js_join_set_spawn_in_thread (set, cooperative_func, data_new (1), data_destroy);
  js_test_expect_begin ("*");
  js_join_set_join_next_async (set, NULL, js_test_join_cb, &join);
  js_join_set_shutdown_async (set, NULL, shutdown_cb, &shutdown_error);
  WAIT_UNTIL (shutdown_error != NULL);
  g_clear_error (&shutdown_error);
  WAIT_UNTIL ((g_main_context_iteration (NULL, FALSE), join.done));
  js_test_assert_cancelled (join.task);
  g_clear_object (&join.task);

  until = g_get_monotonic_time () + 1500 * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10000);
  g_assert_cmpuint (js_test_expect_end (), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&set));
}

static void
test_blocking_shutdown_cancelled (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GError *shutdown_error = NULL;
  JsTestJoin join = { 0 };

  g_test_summary ("Cancelling a shutdown stuck on a blocking task stops the "
                  "wait; the aborted task went to the join that was "
                  "pending, and the set is empty and open again.");
  counters_reset ();
  js_test_gate_reset (&gate);

  js_join_set_spawn_in_thread (set, blocking_func, data_new (1), data_destroy);
  js_test_gate_await_entered (&gate, 1);
  js_join_set_join_next_async (set, NULL, js_test_join_cb, &join);
  js_join_set_shutdown_async (set, cancellable, shutdown_cb, &shutdown_error);
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (shutdown_error != NULL);
  g_assert_error (shutdown_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&shutdown_error);
  g_assert_false (js_join_set_is_closed (set));
  g_assert_true (js_join_set_is_empty (set));

  WAIT_UNTIL ((g_main_context_iteration (NULL, FALSE), join.done));
  g_assert_no_error (join.error);
  js_test_assert_cancelled (join.task);
  g_clear_object (&join.task);

  js_test_gate_open (&gate);
  g_assert_finalize_object (g_steal_pointer (&set));
  WAIT_UNTIL (g_atomic_int_get (&counters.destroyed) == 1);
  WAIT_UNTIL (g_atomic_int_get (&counters.results_freed) ==
              g_atomic_int_get (&counters.results_made));
}

static void
test_blocking_unref (void)
{
  JsJoinSet *set = js_join_set_new ();

  g_test_summary ("Dropping a set does not wait for a stuck thread task; "
                  "its late result and user_data are freed when it returns.");
  counters_reset ();
  js_test_gate_reset (&gate);

  for (gint i = 0; i < 4; i++)
    js_join_set_spawn_in_thread (set, blocking_func, data_new (i), data_destroy);
  for (gint i = 0; i < 4; i++)
    js_join_set_spawn_in_thread (set, quick_func, data_new (10 + i), data_destroy);
  js_test_gate_await_entered (&gate, 2);

  g_assert_finalize_object (set);

  js_test_gate_open (&gate);
  WAIT_UNTIL (g_atomic_int_get (&counters.destroyed) == 8);
  WAIT_UNTIL (g_atomic_int_get (&counters.results_freed) ==
              g_atomic_int_get (&counters.results_made));
}

static void
test_blocking_more_than_cores (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  guint n_blockers = 2 * g_get_num_processors () + 2;
  gboolean seen[16] = { FALSE };

  g_test_summary ("More blocking thread tasks than processors do not starve "
                  "the tasks spawned after them.");
  counters_reset ();
  js_test_gate_reset (&gate);

  for (guint i = 0; i < n_blockers; i++)
    js_join_set_spawn_in_thread (set, blocking_func, data_new (1000 + i), data_destroy);
  for (gint i = 0; i < 16; i++)
    js_join_set_spawn_in_thread (set, quick_func, data_new (i), data_destroy);

  /* The quick tasks finish while every blocker is still stuck. */
  for (gint i = 0; i < 16; i++)
    {
      gint value = join_value (set);

      g_assert_cmpint (value, >=, 0);
      g_assert_cmpint (value, <, 16);
      g_assert_false (seen[value]);
      seen[value] = TRUE;
    }
  g_assert_cmpuint (js_join_set_get_length (set), ==, n_blockers);

  js_test_gate_open (&gate);
  for (guint i = 0; i < n_blockers; i++)
    g_assert_cmpint (join_value (set), >=, 1000);

  g_assert_finalize_object (g_steal_pointer (&set));
  WAIT_UNTIL ((guint) g_atomic_int_get (&counters.destroyed) == 16 + n_blockers);
}

static void
test_blocking_then_spawn (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GError) error = NULL;
  JsTask *task;
  JsTestResult *r;
  gint64 start;

  g_test_summary ("A thread task spawned while every worker of its set is "
                  "busy in a blocking task still runs: the pool's watchdog "
                  "must start another worker (a task may well wait for the "
                  "one spawned after it).");
  counters_reset ();
  js_test_gate_reset (&gate);

  js_join_set_spawn_in_thread (set, blocking_func, data_new (1), data_destroy);
  js_test_gate_await_entered (&gate, 1);
  js_join_set_spawn_in_thread (set, quick_func, data_new (2), data_destroy);

  start = g_get_monotonic_time ();
  while ((task = js_join_set_try_join_next (set)) == NULL)
    {
      if (g_get_monotonic_time () - start > 2 * G_TIME_SPAN_SECOND)
        {
          /* Unblock first so that the failure does not hang the suite. */
          js_test_gate_open (&gate);
          g_error ("a thread task spawned behind a blocked one did not run "
                   "within 2 s: every drainer of the set is busy and none "
                   "was added (ensure_drainers_locked() counts busy "
                   "drainers as free)");
        }
      g_usleep (1000);
    }
  r = js_task_propagate_pointer (task, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->value, ==, 2);
  js_test_result_free (r);
  g_object_unref (task);

  js_test_gate_open (&gate);
  g_assert_cmpint (join_value (set), ==, 1);
  g_assert_finalize_object (g_steal_pointer (&set));
  WAIT_UNTIL (g_atomic_int_get (&counters.destroyed) == 2);
  WAIT_UNTIL (g_atomic_int_get (&counters.results_freed) ==
              g_atomic_int_get (&counters.results_made));
}

/* ------------------------------------------------------------------------
 * Returning twice, or never
 * ------------------------------------------------------------------------ */

static void
main_return_twice_func (JsTask   *task,
                        gpointer  user_data)
{
  return_twice_func (task, user_data);
}

static void
test_return_twice (gconstpointer in_thread)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(JsTask) task = NULL;
  g_autoptr(GError) error = NULL;
  JsTestResult *r;

  g_test_summary ("A task that returns twice gets a critical; the first "
                  "result wins and the second is freed at once.");
  counters_reset ();

  js_test_expect_begin ("*called twice*");
  if (in_thread)
    js_join_set_spawn_in_thread (set, return_twice_func, data_new (7), data_destroy);
  else
    js_join_set_spawn (set, main_return_twice_func, data_new (7), data_destroy);

  task = join_next (set);
  /* The thread function may still be between its two returns. */
  WAIT_UNTIL (g_atomic_int_get (&counters.results_freed) == 1);
  g_assert_cmpuint (js_test_expect_end (), ==, 1);

  r = js_task_propagate_pointer (task, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->value, ==, 7);
  js_test_result_free (r);

  g_clear_object (&task);
  g_assert_finalize_object (g_steal_pointer (&set));
  WAIT_UNTIL (g_atomic_int_get (&counters.destroyed) == 1);
}

typedef struct
{
  JsTask *task;
} Holder;

static void
main_never_return_func (JsTask   *task,
                        gpointer  user_data)
{
}

static gint later_started;
static guint later_drop_delay_us = 1000;

static gpointer
drop_task_thread (gpointer data)
{
  g_usleep (later_drop_delay_us);
  g_object_unref (data);
  return NULL;
}

static void
main_never_return_later_func (JsTask   *task,
                              gpointer  user_data)
{
  /* Keeps the task a while, then lets go on another thread. */
  g_atomic_int_set (&later_started, 1);
  g_thread_unref (g_thread_new ("drop-task", drop_task_thread, g_object_ref (task)));
}

static void
test_never_return (gconstpointer data)
{
  guint kind = GPOINTER_TO_UINT (data);
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(JsTask) task = NULL;
  g_autoptr(GError) error = NULL;
  guint64 id;

  g_test_summary ("A task whose last reference is dropped before it returned "
                  "joins with JS_JOIN_ERROR_ABANDONED.");
  counters_reset ();

  switch (kind)
    {
    case 0:
      id = js_join_set_spawn_in_thread (set, never_return_func, data_new (1), data_destroy);
      break;
    case 1:
      id = js_join_set_spawn (set, main_never_return_func, data_new (1), data_destroy);
      break;
    default:
      id = js_join_set_spawn (set, main_never_return_later_func, data_new (1), data_destroy);
      break;
    }

  task = join_next (set);
  g_assert_cmpuint (js_task_get_id (task), ==, id);
  g_assert_true (js_task_had_error (task));
  g_assert_null (js_task_propagate_pointer (task, &error));
  g_assert_error (error, JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED);
  WAIT_UNTIL (g_atomic_int_get (&counters.destroyed) == 1);

  g_clear_object (&task);
  g_assert_finalize_object (g_steal_pointer (&set));
  g_assert_cmpint (g_atomic_int_get (&counters.destroyed), ==, 1);
}

static void
test_never_return_race (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  /* JS_STRESS_ROUNDS cuts it down under valgrind (build-aux/ci-reliability.sh). */
  guint rounds = stress_env_uint ("JS_STRESS_ROUNDS", 3000);
  guint n = 0;

  g_test_summary ("Thread tasks abandoned by their runner (dispose completes "
                  "and re-references them) while the main thread joins and "
                  "drops them at once: the task must stay valid until the "
                  "runner's g_object_unref() has returned.");
  counters_reset ();

  for (guint r = 0; r < rounds; r++)
    {
      for (guint i = 0; i < 8; i++)
        js_join_set_spawn_in_thread (set, never_return_func, data_new (i), data_destroy);
      for (guint i = 0; i < 8; i++)
        {
          JsTask *task;

          /* Spin: take each task the moment it completes. Yield, so that
           * a serializing scheduler (valgrind) still runs the workers. */
          while ((task = js_join_set_try_join_next (set)) == NULL)
            g_thread_yield ();
          g_assert_true (js_task_had_error (task));
          g_object_unref (task);
          n++;
        }
    }

  g_assert_cmpuint (n, ==, rounds * 8);
  g_assert_finalize_object (g_steal_pointer (&set));
  WAIT_UNTIL ((guint) g_atomic_int_get (&counters.destroyed) == rounds * 8);
}

static void
test_never_return_after_drop (void)
{
  JsJoinSet *set = js_join_set_new ();

  g_test_summary ("A task abandoned after its set was dropped frees its "
                  "user_data and nothing else happens.");
  counters_reset ();

  later_drop_delay_us = 50000;
  g_atomic_int_set (&later_started, 0);
  js_join_set_spawn (set, main_never_return_later_func, data_new (1), data_destroy);
  /* Let it start: it hands its reference to a thread. */
  WAIT_UNTIL (g_atomic_int_get (&later_started));
  g_assert_finalize_object (set);
  g_assert_cmpint (g_atomic_int_get (&counters.destroyed), ==, 0);

  WAIT_UNTIL (g_atomic_int_get (&counters.destroyed) == 1);
  later_drop_delay_us = 1000;
}

static void
test_never_return_abort_on_error (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  guint n_cancelled = 0, n_abandoned = 0;

  g_test_summary ("With abort-on-error, an abandoned task aborts the others.");
  counters_reset ();

  js_join_set_set_abort_on_error (set, TRUE);
  for (gint i = 0; i < 4; i++)
    js_join_set_spawn_in_thread (set, cooperative_func, data_new (i), data_destroy);
  js_join_set_spawn (set, main_never_return_func, data_new (9), data_destroy);

  for (gint i = 0; i < 5; i++)
    {
      g_autoptr(JsTask) task = join_next (set);
      g_autoptr(GError) error = NULL;
      gpointer result = js_task_propagate_pointer (task, &error);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        n_cancelled++;
      else if (g_error_matches (error, JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED))
        n_abandoned++;
      else
        g_error ("unexpected outcome: %s", error ? error->message : "a value");
      /* Every task failed: there is no value to free. */
      g_assert_null (result);
    }
  g_assert_cmpuint (n_abandoned, ==, 1);
  g_assert_cmpuint (n_cancelled, ==, 4);

  g_assert_finalize_object (g_steal_pointer (&set));
  WAIT_UNTIL (g_atomic_int_get (&counters.destroyed) == 5);
}

/* ------------------------------------------------------------------------
 * Re-entrancy: callbacks from the set that call into the same set
 * ------------------------------------------------------------------------ */

typedef struct
{
  JsJoinSet *set;          /* not owned */
  guint64    victim;       /* a task to abort */
  gint       spawned;
} Reenter;

static void
reenter (Reenter *re)
{
  /* Every call here takes the set's lock: a destroy notify or handler
   * called under it would deadlock. */
  (void) js_join_set_get_length (re->set);
  (void) js_join_set_is_closed (re->set);
  if (re->victim != 0)
    js_join_set_abort (re->set, re->victim);
  if (js_join_set_spawn_in_thread (re->set, quick_func,
                                   data_new (500 + g_atomic_int_get (&re->spawned)),
                                   data_destroy) != 0)
    g_atomic_int_inc (&re->spawned);
}

static void
reenter_data_destroy (gpointer p)
{
  Data *data = p;

  reenter (data->extra);
  data_destroy (data);
}

static void
test_reentrant_user_data_destroy (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Reenter re = { NULL, 0, 0 };
  guint n = 0;

  g_test_summary ("A user_data destroy notify, called when queued tasks are "
                  "aborted, spawns and aborts on the same set.");
  counters_reset ();
  js_test_gate_reset (&gate);
  re.set = set;

  js_join_set_set_max_concurrent (set, 1);
  js_join_set_spawn_in_thread (set, blocking_func, data_new (1), data_destroy);
  for (gint i = 0; i < 8; i++)
    {
      Data *data = data_new (10 + i);

      data->extra = &re;
      js_join_set_spawn_in_thread (set, quick_func, data, reenter_data_destroy);
    }
  re.victim = 1;   /* the blocker */
  js_test_gate_await_entered (&gate, 1);

  /* Aborts the blocker and the 8 queued tasks; each destroy notify aborts
   * the blocker again and spawns a new task. */
  js_join_set_abort_all (set);
  g_assert_cmpint (re.spawned, ==, 8);
  js_test_gate_open (&gate);

  js_join_set_set_max_concurrent (set, 0);
  for (;;)
    {
      g_autoptr(JsTask) task = NULL;

      if (js_join_set_is_empty (set))
        break;
      task = join_next (set);
      if (!js_task_had_error (task))
        {
          g_autoptr(GError) error = NULL;

          js_test_result_free (js_task_propagate_pointer (task, &error));
        }
      n++;
    }
  g_assert_cmpuint (n, ==, 1 + 8 + 8);

  g_assert_finalize_object (g_steal_pointer (&set));
  WAIT_UNTIL (g_atomic_int_get (&counters.destroyed) == 1 + 8 + 8);
  WAIT_UNTIL (g_atomic_int_get (&counters.results_freed) ==
              g_atomic_int_get (&counters.results_made));
}

/* Calls back into the set, then counts the result freed: the count is
 * the last touch, so that a test waiting for it sees the reentry done. */
static void
reenter_result_free (gpointer p)
{
  reenter (p);
  g_atomic_int_inc (&counters.results_freed);
}

/* A result whose free calls back into the set (through @data's extra). */
static JsTestResult *
reentrant_result_new (Data *data)
{
  JsTestResultCounts counts = {
    .total_made = &counters.results_made,
    .notify = reenter_result_free,
    .notify_data = data->extra,
  };

  return js_test_result_new (data->id, NULL, &counts);
}

static gint late_started;
static gint reentrant_returned;

/* Returns, after it was aborted, a result whose destroy notify spawns. */
static void
late_reentrant_func (JsTask   *task,
                     gpointer  user_data)
{
  Data *data = user_data;

  g_atomic_int_set (&late_started, 1);
  while (!g_cancellable_is_cancelled (js_task_get_cancellable (task)))
    g_usleep (100);
  js_task_return_pointer (task, reentrant_result_new (data), js_test_result_free);
}

static void
reentrant_result_func (JsTask   *task,
                       gpointer  user_data)
{
  Data *data = user_data;

  js_task_return_pointer (task, reentrant_result_new (data), js_test_result_free);
  g_atomic_int_inc (&reentrant_returned);
}

static void
test_reentrant_result_destroy (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Reenter re = { NULL, 0, 0 };
  Data *data;
  guint64 id;

  g_test_summary ("Result destroy notifies (a late result after an abort, a "
                  "result the consumer drops, a result freed while the set "
                  "is disposed) spawn and abort on the same set.");
  counters_reset ();
  re.set = set;
  g_atomic_int_set (&late_started, 0);
  g_atomic_int_set (&reentrant_returned, 0);

  /* A late result, freed by the library as the task was aborted: its
   * destroy notify aborts that task again and spawns task 500. */
  data = data_new (1);
  data->extra = &re;
  id = js_join_set_spawn_in_thread (set, late_reentrant_func, data, data_destroy);
  re.victim = id;
  WAIT_UNTIL (g_atomic_int_get (&late_started));
  g_assert_true (js_join_set_abort (set, id));
  WAIT_UNTIL (g_atomic_int_get (&re.spawned) == 1);

  /* A result the consumer drops without taking it: its destroy notify
   * spawns task 501. */
  data = data_new (2);
  data->extra = &re;
  js_join_set_spawn_in_thread (set, reentrant_result_func, data, data_destroy);

  while (!js_join_set_is_empty (set))
    {
      g_autoptr(JsTask) task = join_next (set);

      if (js_task_get_id (task) == id)
        js_test_assert_cancelled (task);
    }
  /* The worker that ran task 2 may drop the last reference (and so free
   * the result and spawn) a moment after the join. */
  WAIT_UNTIL (g_atomic_int_get (&re.spawned) == 2);
  /* Task 501, if it was spawned after the loop above ended. */
  while (!js_join_set_is_empty (set))
    g_object_unref (join_next (set));

  /* A result nobody joined, freed while the set is disposed: the spawn in
   * its destroy notify meets a closed set. */
  data = data_new (3);
  data->extra = &re;
  js_join_set_spawn_in_thread (set, reentrant_result_func, data, data_destroy);
  WAIT_UNTIL (g_atomic_int_get (&reentrant_returned) == 2);
  /* data 1 and 2 and the user_data of tasks 500 and 501; data 3 may live
   * with its task while the set keeps it for a join. */
  WAIT_UNTIL (g_atomic_int_get (&counters.destroyed) >= 4);

  g_assert_finalize_object (g_steal_pointer (&set));
  g_assert_cmpint (g_atomic_int_get (&re.spawned), ==, 2);
  /* + data 3 and the user_data of the refused spawn */
  g_assert_cmpint (g_atomic_int_get (&counters.destroyed), ==, 6);
  g_assert_cmpint (g_atomic_int_get (&counters.results_freed), ==,
                   g_atomic_int_get (&counters.results_made));
}

static void
reenter_data_destroy_in_dispose (gpointer p)
{
  Data *data = p;
  Reenter *re = data->extra;

  /* The set is being disposed: still valid, and closed. */
  g_assert_true (js_join_set_is_closed (re->set));
  reenter (re);
  data_destroy (data);
}

static void
test_reentrant_dispose (void)
{
  JsJoinSet *set = js_join_set_new ();
  Reenter re = { NULL, 0, 0 };

  g_test_summary ("Destroy notifies of queued tasks, called while the set is "
                  "disposed, call into the set.");
  counters_reset ();
  re.set = set;

  js_join_set_set_max_concurrent (set, 1);
  for (gint i = 0; i < 6; i++)
    {
      Data *data = data_new (i);

      data->extra = &re;
      js_join_set_spawn (set, quick_func, data, reenter_data_destroy_in_dispose);
    }
  g_assert_finalize_object (set);
  g_assert_cmpint (re.spawned, ==, 0);
  /* The spawns met a closed set: their user_data was destroyed at once. */
  g_assert_cmpint (g_atomic_int_get (&counters.destroyed), ==, 12);
}

static void
on_task_cancelled (GCancellable *cancellable,
                   gpointer      p)
{
  reenter (p);
}

static void
cancel_handler_func (JsTask   *task,
                     gpointer  user_data)
{
  Data *data = user_data;
  gulong handler;

  handler = g_cancellable_connect (js_task_get_cancellable (task), G_CALLBACK (on_task_cancelled),
                                   data->extra, NULL);
  while (!g_cancellable_is_cancelled (js_task_get_cancellable (task)))
    g_usleep (100);
  g_cancellable_disconnect (js_task_get_cancellable (task), handler);
  js_task_return_error_if_cancelled (task);
}

static void
test_reentrant_cancel_handler (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Reenter re = { NULL, 0, 0 };
  guint n = 0;

  g_test_summary ("A handler on a task's cancellable, run when the set aborts "
                  "it, calls into the set.");
  counters_reset ();
  re.set = set;

  for (gint i = 0; i < 2; i++)
    {
      Data *data = data_new (i);

      data->extra = &re;
      js_join_set_spawn_in_thread (set, cancel_handler_func, data, data_destroy);
    }
  /* Both are running once the length of the thread-ready queue... just
   * wait a little: the handler only matters for running tasks. */
  g_usleep (20000);
  js_join_set_abort_all (set);
  g_assert_cmpint (re.spawned, >=, 0);

  while (!js_join_set_is_empty (set))
    {
      g_autoptr(JsTask) task = join_next (set);

      if (!js_task_had_error (task))
        {
          g_autoptr(GError) error = NULL;

          js_test_result_free (js_task_propagate_pointer (task, &error));
        }
      n++;
    }
  g_assert_cmpuint (n, ==, 2 + (guint) g_atomic_int_get (&re.spawned));

  g_assert_finalize_object (g_steal_pointer (&set));
  WAIT_UNTIL (g_atomic_int_get (&counters.destroyed) == 2 + g_atomic_int_get (&re.spawned));
}

/* ------------------------------------------------------------------------
 * Dropping the last reference to the set from a callback or a task
 * ------------------------------------------------------------------------ */

typedef struct
{
  JsJoinSet *set;           /* owned: the last reference */
  gpointer   weak;
  gboolean   done;
} Dropper;

static void
drop_in_join_next_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Dropper *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsTask) task = js_join_set_join_next_finish (JS_JOIN_SET (source), result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (task);
  g_clear_object (&d->set);
  /* The pending join itself still holds the set until this returns. */
  d->done = TRUE;
}

static void
drop_in_join_all_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Dropper *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tasks = js_join_set_join_all_finish (JS_JOIN_SET (source), result, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (tasks->len, ==, 8);
  g_clear_object (&d->set);
  d->done = TRUE;
}

static void
drop_in_shutdown_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Dropper *d = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (js_join_set_shutdown_finish (JS_JOIN_SET (source), result, &error));
  g_clear_object (&d->set);
  d->done = TRUE;
}

static void
test_drop_in_callback (gconstpointer data)
{
  guint kind = GPOINTER_TO_UINT (data);
  Dropper d = { js_join_set_new (), NULL, FALSE };

  g_test_summary ("A join or shutdown callback drops the last reference to "
                  "the set while other tasks still run.");
  counters_reset ();
  js_test_gate_reset (&gate);

  d.weak = d.set;
  g_object_add_weak_pointer (G_OBJECT (d.set), &d.weak);

  for (gint i = 0; i < 8; i++)
    js_join_set_spawn_in_thread (d.set, quick_func, data_new (i), data_destroy);
  if (kind != 1)
    {
      /* Still running or queued when the callback drops the set. */
      for (gint i = 0; i < 4; i++)
        js_join_set_spawn_in_thread (d.set, cooperative_func, data_new (10 + i), data_destroy);
      for (gint i = 0; i < 4; i++)
        js_join_set_spawn (d.set, quick_func, data_new (20 + i), data_destroy);
    }

  switch (kind)
    {
    case 0:
      js_join_set_join_next_async (d.set, NULL, drop_in_join_next_cb, &d);
      break;
    case 1:
      js_join_set_join_all_async (d.set, NULL, drop_in_join_all_cb, &d);
      break;
    default:
      js_join_set_shutdown_async (d.set, NULL, drop_in_shutdown_cb, &d);
      break;
    }

  WAIT_UNTIL (d.done);
  WAIT_UNTIL (d.weak == NULL);
  WAIT_UNTIL (g_atomic_int_get (&counters.destroyed) == (kind == 1 ? 8 : 16));
  WAIT_UNTIL (g_atomic_int_get (&counters.results_freed) ==
              g_atomic_int_get (&counters.results_made));
}

static void
drop_set_func (JsTask   *task,
               gpointer  user_data)
{
  Data *data = user_data;
  JsJoinSet *set = g_steal_pointer (&data->extra);
  /* Made before the drop, so that it has handlers to run in its thread. */
  GCancellable *cancellable = js_task_get_cancellable (task);

  /* The last reference: the set is disposed while this function runs,
   * which aborts this very task: at once in a thread, from the set's
   * context's next iteration for a task of that context. */
  g_object_unref (set);
  if (g_main_context_is_owner (g_main_context_default ()))
    g_assert_false (g_cancellable_is_cancelled (cancellable));
  else
    g_assert_true (g_cancellable_is_cancelled (cancellable));
  /* The flag is up either way. */
  g_assert_true (js_task_is_cancelled (task));
  js_task_return_pointer (task, result_new (data->id), js_test_result_free);
}

/* A weak notify raising an atomic flag. Not g_object_add_weak_pointer ()
 * where the last reference may be dropped on a worker thread: GObject
 * clears that pointer with a plain write, racing with the main thread's
 * read in WAIT_UNTIL. */
static void
set_disposed_cb (gpointer  data,
                 GObject  *where_the_object_was)
{
  g_atomic_int_set ((gint *) data, 1);
}

static void
test_drop_in_task (gconstpointer in_thread)
{
  JsJoinSet *set = js_join_set_new ();
  gint disposed = 0;
  Data *data = data_new (1);

  g_test_summary ("A task function drops the last reference to its own set.");
  counters_reset ();

  g_object_weak_ref (G_OBJECT (set), set_disposed_cb, &disposed);
  data->extra = set;   /* the task owns the only reference */
  for (gint i = 0; i < 4; i++)
    js_join_set_spawn_in_thread (set, cooperative_func, data_new (10 + i), data_destroy);
  if (in_thread)
    js_join_set_spawn_in_thread (set, drop_set_func, data, data_destroy);
  else
    js_join_set_spawn (set, drop_set_func, data, data_destroy);
  for (gint i = 0; i < 4; i++)
    js_join_set_spawn (set, quick_func, data_new (20 + i), data_destroy);

  WAIT_UNTIL (g_atomic_int_get (&disposed));
  WAIT_UNTIL (g_atomic_int_get (&counters.destroyed) == 9);
  WAIT_UNTIL (g_atomic_int_get (&counters.results_freed) ==
              g_atomic_int_get (&counters.results_made));
}

int
main (int   argc,
      char *argv[])
{
  /* Read once, by the first shutdown. */
  g_setenv ("JS_SHUTDOWN_WARNING_SECONDS", "1", TRUE);
  g_test_init (&argc, &argv, NULL);
  js_test_expect_install ();

  js_test_gate_init (&gate);

  g_test_add_func ("/join-set/faults/blocking/shutdown-waits", test_blocking_shutdown);
  g_test_add_func ("/join-set/faults/blocking/shutdown-warns", test_blocking_shutdown_warns);
  g_test_add_func ("/join-set/faults/blocking/shutdown-in-time", test_blocking_shutdown_quick_no_warning);
  g_test_add_func ("/join-set/faults/blocking/shutdown-cancelled", test_blocking_shutdown_cancelled);
  g_test_add_func ("/join-set/faults/blocking/unref-does-not-wait", test_blocking_unref);
  g_test_add_func ("/join-set/faults/blocking/more-than-cores", test_blocking_more_than_cores);
  g_test_add_data_func ("/join-set/faults/return-twice/thread", GINT_TO_POINTER (TRUE), test_return_twice);
  g_test_add_data_func ("/join-set/faults/return-twice/main", GINT_TO_POINTER (FALSE), test_return_twice);
  g_test_add_data_func ("/join-set/faults/never-return/thread", GUINT_TO_POINTER (0), test_never_return);
  g_test_add_data_func ("/join-set/faults/never-return/main", GUINT_TO_POINTER (1), test_never_return);
  g_test_add_data_func ("/join-set/faults/never-return/main-dropped-on-thread", GUINT_TO_POINTER (2), test_never_return);
  g_test_add_func ("/join-set/faults/never-return/after-set-dropped", test_never_return_after_drop);
  g_test_add_func ("/join-set/faults/never-return/race-with-join", test_never_return_race);
  g_test_add_func ("/join-set/faults/never-return/abort-on-error", test_never_return_abort_on_error);
  g_test_add_func ("/join-set/faults/reentrant/user-data-destroy", test_reentrant_user_data_destroy);
  g_test_add_func ("/join-set/faults/reentrant/result-destroy", test_reentrant_result_destroy);
  g_test_add_func ("/join-set/faults/reentrant/destroy-during-dispose", test_reentrant_dispose);
  g_test_add_func ("/join-set/faults/reentrant/cancel-handler", test_reentrant_cancel_handler);
  g_test_add_data_func ("/join-set/faults/drop-last-ref/join-next-callback", GUINT_TO_POINTER (0), test_drop_in_callback);
  g_test_add_data_func ("/join-set/faults/drop-last-ref/join-all-callback", GUINT_TO_POINTER (1), test_drop_in_callback);
  g_test_add_data_func ("/join-set/faults/drop-last-ref/shutdown-callback", GUINT_TO_POINTER (2), test_drop_in_callback);
  g_test_add_data_func ("/join-set/faults/drop-last-ref/thread-task", GINT_TO_POINTER (TRUE), test_drop_in_task);
  g_test_add_data_func ("/join-set/faults/drop-last-ref/main-task", GINT_TO_POINTER (FALSE), test_drop_in_task);

  /* Last: while the drainer starvation it checks is open, its failure
   * aborts the program, and the cases above still run first. */
  g_test_add_func ("/join-set/faults/starvation/spawn-behind-blocker", test_blocking_then_spawn);

  return g_test_run ();
}
