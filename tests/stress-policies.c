/* stress-policies.c: the races of timeouts, progress and ordered joins
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each round spawns tasks whose outcome races with something else:
 *
 * - timeouts: thread and main-context tasks that take about as long as
 *   their time limit, so the timer thread and the task's own return race
 *   for every task; some rounds drop the set while timers are pending;
 * - progress: thread tasks that report progress in a tight loop while the
 *   main thread joins some of them, aborts others and drops the set;
 * - ordered: an ordered set with random aborts; joins must come out in
 *   increasing id order.
 *
 * Every user_data is destroyed exactly once and every result freed exactly
 * once (counters), every joined task has one of the outcomes its round
 * allows, and the watchdog of stress-util.h fails a stall.
 * JS_STRESS_ROUNDS sets the rounds per case (default 150).
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <joinset/joinset.h>

#include "js-test-util.h"
#include "stress-util.h"

static struct
{
  gint made;       /* user_data created */
  gint destroyed;  /* user_data destroyed */
  gint results;    /* results created */
  gint freed;      /* results freed */
} counts;

typedef struct
{
  guint   sleep_usec;
  gint    destroyed;
} Data;

static Data *
data_new (guint sleep_usec)
{
  Data *data = g_new0 (Data, 1);

  data->sleep_usec = sleep_usec;
  g_atomic_int_inc (&counts.made);
  return data;
}

static void
data_free (gpointer p)
{
  Data *data = p;

  g_assert_cmpint (g_atomic_int_add (&data->destroyed, 1), ==, 0);
  g_free (data);
  g_atomic_int_inc (&counts.destroyed);
}

/* A result counted in the totals. */
static gpointer
result_new (void)
{
  JsTestResultCounts results = {
    .total_made = &counts.results,
    .total_freed = &counts.freed,
  };

  return js_test_result_new (0, NULL, &results);
}

static void
counts_reset (void)
{
  memset (&counts, 0, sizeof counts);
}

/* Everything made was released: waits a little, as late thread functions
 * finish after their set is gone. */
static void
assert_counts_settled (void)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  stress_step ("waiting for user_data and results to be released");
  while (g_atomic_int_get (&counts.destroyed) != g_atomic_int_get (&counts.made) ||
         g_atomic_int_get (&counts.freed) != g_atomic_int_get (&counts.results))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("leaked: %d of %d user_data destroyed, %d of %d results freed",
                 counts.destroyed, counts.made, counts.freed, counts.results);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (100);
    }
}

/* Sleeps about sleep_usec, cooperatively, then returns a result. */
static void
sleepy_func (JsTask   *task,
             gpointer  user_data)
{
  Data *data = user_data;
  gint64 end = g_get_monotonic_time () + data->sleep_usec;

  while (g_get_monotonic_time () < end && !g_cancellable_is_cancelled (js_task_get_cancellable (task)))
    g_usleep (50);
  js_task_return_pointer (task, result_new (), js_test_result_free);
}

/* A main-context task that returns from a timeout of about sleep_usec. */
static gboolean
main_return_cb (gpointer data)
{
  JsTask *task = data;

  js_task_return_pointer (task, result_new (), js_test_result_free);
  return G_SOURCE_REMOVE;
}

static void
main_later_func (JsTask   *task,
                 gpointer  user_data)
{
  Data *data = user_data;

  g_timeout_add_full (G_PRIORITY_DEFAULT, MAX (1, data->sleep_usec / 1000),
                      main_return_cb, g_object_ref (task), g_object_unref);
}

static void
assert_outcome (JsTask   *task,
                gboolean  timeouts)
{
  g_autoptr(GError) error = NULL;
  gpointer result = js_task_propagate_pointer (task, &error);

  if (result != NULL)
    js_test_result_free (result);
  else if (!(timeouts && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) &&
           !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_error ("unexpected outcome: %s", error ? error->message : "no result");
}

static void
test_timeouts (void)
{
  guint64 rounds = stress_env_uint ("JS_STRESS_ROUNDS", 150);
  guint32 base = stress_base_seed ();
  guint n_timed_out = 0, n_returned = 0;

  g_test_summary ("Timeouts race the tasks' own returns, and the set's dispose");
  counts_reset ();
  stress_watchdog_arm (TRUE);

  for (guint64 round = 0; round < rounds; round++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (stress_round_seed (base, round));
      JsJoinSet *set = js_join_set_new ();
      gboolean drop_early = g_rand_int_range (rand, 0, 4) == 0;
      guint n = 48;

      stress_watchdog_set_round (round);
      stress_step ("spawning tasks with timeouts");
      for (guint i = 0; i < n; i++)
        {
          /* About as long as the limit: 1 or 2 ms. */
          guint limit = g_rand_int_range (rand, 1, 3);
          guint sleep_usec = g_rand_int_range (rand, 500, 2500);

          js_join_set_spawn_full (set, i % 4 ? JS_SPAWN_IN_THREAD : JS_SPAWN_DEFAULT,
                                  NULL, limit,
                                  i % 4 ? sleepy_func : main_later_func,
                                  data_new (sleep_usec), data_free);
        }

      if (drop_early)
        {
          stress_step ("dropping a set with timers pending");
          for (guint i = 0; i < 3; i++)
            g_main_context_iteration (NULL, FALSE);
          g_object_unref (set);
          continue;
        }

      stress_step ("joining tasks with timeouts");
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(JsTask) task = js_join_set_join_next (set, NULL, &error);

          g_assert_no_error (error);
          g_assert_nonnull (task);
          if (js_task_had_error (task))
            n_timed_out++;
          else
            n_returned++;
          assert_outcome (task, TRUE);
        }
      g_assert_true (js_join_set_is_empty (set));
      g_object_unref (set);
    }

  g_test_message ("%u timed out, %u returned in time", n_timed_out, n_returned);
  assert_counts_settled ();
  stress_watchdog_arm (FALSE);
}

/* Reports progress until cancelled, or for sleep_usec. */
static void
chatty_func (JsTask   *task,
             gpointer  user_data)
{
  Data *data = user_data;
  gint64 start = g_get_monotonic_time ();
  gint64 end = start + data->sleep_usec;
  gint64 now;

  while ((now = g_get_monotonic_time ()) < end && !g_cancellable_is_cancelled (js_task_get_cancellable (task)))
    js_task_set_progress (task, (now - start) / (double) data->sleep_usec);
  js_task_set_progress (task, 1.0);
  js_task_return_pointer (task, result_new (), js_test_result_free);
}

static void
count_progress (JsJoinSet *set,
                JsTask    *task,
                double     fraction,
                gpointer   data)
{
  g_assert_true (fraction >= 0.0 && fraction <= 1.0);
  (*(guint *) data)++;
}

static void
test_progress (void)
{
  guint64 rounds = stress_env_uint ("JS_STRESS_ROUNDS", 150);
  guint32 base = stress_base_seed ();
  guint n_signals = 0;

  g_test_summary ("Progress reported in a tight loop races joins, aborts and "
                  "the set's dispose; nothing leaks");
  counts_reset ();
  stress_watchdog_arm (TRUE);

  for (guint64 round = 0; round < rounds; round++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (stress_round_seed (base, round));
      JsJoinSet *set = js_join_set_new ();
      guint64 ids[16];

      stress_watchdog_set_round (round);
      stress_step ("spawning chatty tasks");
      g_signal_connect (set, "task-progress", G_CALLBACK (count_progress), &n_signals);
      for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
        ids[i] = js_join_set_spawn_in_thread (set, chatty_func,
                                              data_new (g_rand_int_range (rand, 100, 3000)),
                                              data_free);

      stress_step ("joining, aborting and dropping chatty tasks");
      for (guint i = 0; i < 4; i++)
        {
          g_autoptr(JsTask) task = js_join_set_join_next (set, NULL, NULL);

          assert_outcome (task, FALSE);
          js_join_set_abort (set, ids[g_rand_int_range (rand, 0, G_N_ELEMENTS (ids))]);
          g_main_context_iteration (NULL, FALSE);
        }
      g_object_unref (set);
    }

  g_test_message ("%u task-progress emissions", n_signals);
  assert_counts_settled ();
  stress_watchdog_arm (FALSE);
}

static void
test_ordered (void)
{
  guint64 rounds = stress_env_uint ("JS_STRESS_ROUNDS", 150);
  guint32 base = stress_base_seed ();

  g_test_summary ("An ordered set with random aborts joins in increasing id "
                  "order, every task once");
  counts_reset ();
  stress_watchdog_arm (TRUE);

  for (guint64 round = 0; round < rounds; round++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (stress_round_seed (base, round));
      g_autoptr(JsJoinSet) set = g_object_new (JS_TYPE_JOIN_SET, "ordered", TRUE, NULL);
      guint64 last = 0;
      guint n = 32, joined = 0;

      stress_watchdog_set_round (round);
      stress_step ("spawning ordered tasks");
      for (guint i = 0; i < n; i++)
        js_join_set_spawn_in_thread (set, sleepy_func,
                                     data_new (g_rand_int_range (rand, 0, 800)),
                                     data_free);

      stress_step ("joining ordered tasks, aborting some");
      while (joined < n)
        {
          g_autoptr(JsTask) task = NULL;

          if (g_rand_int_range (rand, 0, 4) == 0)
            js_join_set_abort (set, g_rand_int_range (rand, 1, n + 1));
          task = js_join_set_try_join_next (set);
          if (task == NULL)
            task = js_join_set_join_next (set, NULL, NULL);
          g_assert_nonnull (task);
          g_assert_cmpuint (js_task_get_id (task), >, last);
          last = js_task_get_id (task);
          assert_outcome (task, FALSE);
          joined++;
        }
      g_assert_cmpuint (last, ==, n);
      g_assert_true (js_join_set_is_empty (set));
    }

  assert_counts_settled ();
  stress_watchdog_arm (FALSE);
}

static void
dump_state (void)
{
  fprintf (stderr, "counts: %d/%d user_data destroyed, %d/%d results freed\n",
           counts.destroyed, counts.made, counts.freed, counts.results);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  stress_watchdog_start (dump_state);
  g_test_add_func ("/join-set/stress/policies/timeouts", test_timeouts);
  g_test_add_func ("/join-set/stress/policies/progress", test_progress);
  g_test_add_func ("/join-set/stress/policies/ordered", test_ordered);
  ret = g_test_run ();
  stress_watchdog_stop ();

  return ret;
}
