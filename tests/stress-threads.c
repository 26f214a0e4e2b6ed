/* stress-threads.c: spawn and abort from 4 threads while the main thread joins
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One set, four spawner threads and the main thread. The spawners spawn
 * tasks in bursts (mostly thread tasks, some in the main context), abort
 * random tasks, now and then abort everything or change max-concurrent.
 * The main thread joins with a mix of join_next_async (several pending at
 * once, some with a cancellable cancelled before they are served),
 * try_join_next, join_next and join_all_async (often cancelled part way,
 * which must give its tasks back).
 *
 * At the end every task must have been joined exactly once, every task whose
 * abort returned TRUE must have joined as cancelled, every user_data must
 * have been destroyed exactly once and every result freed exactly once.
 *
 * JS_STRESS_TASKS sets the number of tasks (default below; 1000000 is the
 * soak the reliability note quotes).
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "stress-util.h"

#define N_SPAWNERS 4
#define DEFAULT_TASKS 250000
#define MAX_OUTSTANDING 4096

#define STRESS_ERROR (g_quark_from_static_string ("stress-error"))

typedef enum
{
  DO_RETURN_NOW,
  DO_RETURN_INT,
  DO_RETURN_ERROR,
  DO_POLL_CANCELLABLE,
  DO_RETURN_THEN_WORK,
  DO_ABANDON,             /* returns nothing: joins as ABANDONED */
  N_THREAD_BEHAVIOURS,
  DO_MAIN_NOW = N_THREAD_BEHAVIOURS,
  DO_MAIN_LATER,
  DO_END,
} Behaviour;

typedef enum
{
  OUTCOME_NONE,
  OUTCOME_VALUE,
  OUTCOME_ERROR,
  OUTCOME_CANCELLED,
  OUTCOME_ABANDONED,
} Outcome;

typedef struct
{
  guint32 index;
  guint8  behaviour;
  gint    ran;
  gint    destroyed;
  gint    results_made;
  gint    results_freed;
  gint    joined;
  gint    aborted;        /* js_join_set_abort() returned TRUE */
  gint    outcome;        /* Outcome */
} Record;

static struct
{
  JsJoinSet    *set;
  GMainContext *context;
  guint64       n_tasks;
  Record       *records;
  gint         *id_to_index;     /* atomic; index + 1, 0 until known */
  gint          max_id;          /* atomic: the highest id spawned */
  gint          n_destroyed;     /* atomic */
  gint          n_results_made;  /* atomic */
  gint          n_results_freed; /* atomic */
  gint          n_spawned;       /* atomic */
  gint          n_spawners_done; /* atomic */
  gint          n_aborted;       /* atomic: abort() returned TRUE */
  gint          n_abort_all;     /* atomic */
  guint64       n_joined;
  guint64       n_join_next_async;
  guint64       n_join_next_cancelled;
  guint64       n_try_join_next;
  guint64       n_join_next;
  guint64       n_join_all;
  guint64       n_join_all_cancelled;
  guint32       seed;
} s;

static void
wake_main (void)
{
  g_main_context_wakeup (s.context);
}

/* A result counted in @record and in the totals. */
static gpointer
result_new (Record *record)
{
  JsTestResultCounts counts = {
    .made = &record->results_made,
    .freed = &record->results_freed,
    .total_made = &s.n_results_made,
    .total_freed = &s.n_results_freed,
  };

  return js_test_result_new (record->index, record, &counts);
}

static void
record_destroy (gpointer data)
{
  Record *record = data;

  if (g_atomic_int_add (&record->destroyed, 1) != 0)
    g_error ("user_data of task #%u destroyed twice", record->index);
  g_atomic_int_inc (&s.n_destroyed);
}

static void
thread_func (JsTask   *task,
             gpointer  user_data)
{
  Record *record = user_data;

  if (g_atomic_int_add (&record->ran, 1) != 0)
    g_error ("task #%u ran twice", record->index);

  switch (record->behaviour)
    {
    case DO_RETURN_NOW:
      js_task_return_pointer (task, result_new (record), js_test_result_free);
      break;

    case DO_RETURN_INT:
      js_task_return_int (task, record->index);
      break;

    case DO_RETURN_ERROR:
      js_task_return_new_error (task, STRESS_ERROR, 7, "task #%u failed", record->index);
      break;

    case DO_POLL_CANCELLABLE:
      for (guint i = 0; i < 5 && !g_cancellable_is_cancelled (js_task_get_cancellable (task)); i++)
        g_usleep (10);
      if (!js_task_return_error_if_cancelled (task))
        js_task_return_pointer (task, result_new (record), js_test_result_free);
      break;

    case DO_RETURN_THEN_WORK:
      js_task_return_pointer (task, result_new (record), js_test_result_free);
      g_usleep (5);
      break;

    case DO_ABANDON:
      /* The runner drops the last reference: the task is disposed and
       * completed as abandoned while the main thread joins. */
      break;

    case DO_MAIN_NOW:
    case DO_MAIN_LATER:
    case DO_END:
    default:
      g_assert_not_reached ();
    }
}

typedef struct
{
  JsTask *task;
  Record *record;
} Later;

static gboolean
later_return_cb (gpointer data)
{
  Later *later = data;

  js_task_return_pointer (later->task, result_new (later->record), js_test_result_free);
  g_object_unref (later->task);
  g_free (later);
  return G_SOURCE_REMOVE;
}

static void
main_func (JsTask   *task,
           gpointer  user_data)
{
  Record *record = user_data;

  if (g_atomic_int_add (&record->ran, 1) != 0)
    g_error ("task #%u ran twice", record->index);

  if (record->behaviour == DO_MAIN_NOW)
    {
      js_task_return_pointer (task, result_new (record), js_test_result_free);
    }
  else
    {
      Later *later = g_new (Later, 1);

      later->task = g_object_ref (task);
      later->record = record;
      g_idle_add (later_return_cb, later);
    }
}

/* ------------------------------------------------------------------------
 * Spawners
 * ------------------------------------------------------------------------ */

static Record *
record_for_id (guint64 id)
{
  gint index;

  g_assert_cmpuint (id, >=, 1);
  g_assert_cmpuint (id, <=, s.n_tasks);

  /* The spawner stores the mapping right after spawn returns: a task may
   * be joined (or aborted) before that. */
  while ((index = g_atomic_int_get (&s.id_to_index[id])) == 0)
    g_thread_yield ();

  return &s.records[index - 1];
}

typedef struct
{
  guint   number;
  guint64 first;
  guint64 count;
} Spawner;

static gpointer
spawner_main (gpointer data)
{
  Spawner *spawner = data;
  GRand *rand = g_rand_new_with_seed (stress_round_seed (s.seed, spawner->number + 1));
  guint64 next = spawner->first;
  guint64 end = spawner->first + spawner->count;

  while (next < end)
    {
      guint burst = g_rand_int_range (rand, 1, 257);
      guint action;

      /* Keep the set at a bounded size: the joiner catches up. */
      while (js_join_set_get_length (s.set) > MAX_OUTSTANDING)
        g_usleep (50);

      for (guint i = 0; i < burst && next < end; i++, next++)
        {
          Record *record = &s.records[next];
          gboolean in_main = g_rand_int_range (rand, 0, 16) == 0;
          guint64 id;

          record->index = (guint32) next;
          if (in_main)
            record->behaviour = g_rand_int_range (rand, DO_MAIN_NOW, DO_END);
          else
            record->behaviour = g_rand_int_range (rand, 0, N_THREAD_BEHAVIOURS);

          if (in_main)
            id = js_join_set_spawn (s.set, main_func, record, record_destroy);
          else
            id = js_join_set_spawn_in_thread (s.set, thread_func, record, record_destroy);

          g_assert_cmpuint (id, !=, 0);
          g_assert_cmpuint (id, <=, s.n_tasks);
          g_atomic_int_set (&s.id_to_index[id], (gint) next + 1);
          g_atomic_int_inc (&s.n_spawned);

          /* max_id only grows. */
          for (;;)
            {
              gint old = g_atomic_int_get (&s.max_id);

              if ((gint) id <= old ||
                  g_atomic_int_compare_and_exchange (&s.max_id, old, (gint) id))
                break;
            }
        }

      action = g_rand_int_range (rand, 0, 1000);
      if (action < 400)
        {
          /* Abort a few random tasks, finished or not. */
          guint n = g_rand_int_range (rand, 1, 8);

          for (guint i = 0; i < n; i++)
            {
              gint max = g_atomic_int_get (&s.max_id);
              /* Recent tasks: most of them are still queued or running. */
              guint64 id = g_rand_int_range (rand, MAX (1, max - 512), max + 1);

              if (js_join_set_abort (s.set, id))
                {
                  Record *record = record_for_id (id);

                  g_atomic_int_set (&record->aborted, 1);
                  g_atomic_int_inc (&s.n_aborted);
                }
            }
        }
      else if (action < 403)
        {
          js_join_set_abort_all (s.set);
          g_atomic_int_inc (&s.n_abort_all);
        }
      else if (action < 410)
        {
          static const guint limits[] = { 0, 0, 0, 2, 3, 16, 64 };

          js_join_set_set_max_concurrent (s.set,
                                          limits[g_rand_int_range (rand, 0, G_N_ELEMENTS (limits))]);
        }
      else if (action < 700)
        {
          g_usleep (g_rand_int_range (rand, 0, 100));
        }
    }

  g_rand_free (rand);
  g_atomic_int_inc (&s.n_spawners_done);
  wake_main ();
  return NULL;
}

/* ------------------------------------------------------------------------
 * The joiner
 * ------------------------------------------------------------------------ */

static void
account_joined (JsTask *task)
{
  g_autoptr(GError) error = NULL;
  Record *record = record_for_id (js_task_get_id (task));

  g_assert_true (js_task_get_completed (task));
  if (g_atomic_int_add (&record->joined, 1) != 0)
    g_error ("task #%u (id %" G_GUINT64_FORMAT ") joined twice",
             record->index, js_task_get_id (task));
  s.n_joined++;
  stress_step ("joined a task");

  if (js_task_had_error (task))
    {
      js_task_propagate_boolean (task, &error);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_atomic_int_set (&record->outcome, OUTCOME_CANCELLED);
        }
      else if (record->behaviour == DO_ABANDON)
        {
          g_assert_error (error, JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED);
          g_atomic_int_set (&record->outcome, OUTCOME_ABANDONED);
        }
      else
        {
          g_assert_error (error, STRESS_ERROR, 7);
          g_assert_cmpint (record->behaviour, ==, DO_RETURN_ERROR);
          g_atomic_int_set (&record->outcome, OUTCOME_ERROR);
        }
      return;
    }

  g_atomic_int_set (&record->outcome, OUTCOME_VALUE);
  if (record->behaviour == DO_RETURN_INT)
    {
      g_assert_cmpint (js_task_propagate_int (task, &error), ==, (gssize) record->index);
      g_assert_no_error (error);
    }
  else
    {
      JsTestResult *r = js_task_propagate_pointer (task, &error);

      g_assert_no_error (error);
      g_assert_nonnull (r);
      g_assert_true (r->owner == record);
      js_test_result_free (r);
    }
}

typedef struct
{
  gint pending;
} Joiner;

static void
join_next_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Joiner *joiner = user_data;
  g_autoptr(GError) error = NULL;
  JsTask *task;

  task = js_join_set_join_next_finish (JS_JOIN_SET (source), result, &error);
  if (task != NULL)
    {
      g_assert_no_error (error);
      account_joined (task);
      g_object_unref (task);
      s.n_join_next_async++;
    }
  else if (error != NULL)
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      s.n_join_next_cancelled++;
    }
  joiner->pending--;
}

static void
join_all_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Joiner *joiner = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tasks = NULL;

  tasks = js_join_set_join_all_finish (JS_JOIN_SET (source), result, &error);
  if (tasks != NULL)
    {
      g_assert_no_error (error);
      for (guint i = 0; i < tasks->len; i++)
        account_joined (g_ptr_array_index (tasks, i));
      s.n_join_all++;
    }
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      s.n_join_all_cancelled++;
    }
  joiner->pending--;
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static gboolean
all_joined (void)
{
  return g_atomic_int_get (&s.n_spawners_done) == N_SPAWNERS &&
         s.n_joined == (guint64) g_atomic_int_get (&s.n_spawned);
}

static void
dump_state (void)
{
  fprintf (stderr,
           "seed %u: spawned %d/%" G_GUINT64_FORMAT ", joined %" G_GUINT64_FORMAT
           ", set length %u, spawners done %d, destroyed %d, results freed %d/%d, "
           "aborted %d, abort_all %d\n",
           s.seed, g_atomic_int_get (&s.n_spawned), s.n_tasks, s.n_joined,
           s.set != NULL ? js_join_set_get_length (s.set) : 0,
           g_atomic_int_get (&s.n_spawners_done),
           g_atomic_int_get (&s.n_destroyed),
           g_atomic_int_get (&s.n_results_freed), g_atomic_int_get (&s.n_results_made),
           g_atomic_int_get (&s.n_aborted), g_atomic_int_get (&s.n_abort_all));
}

static void
test_threads (void)
{
  Spawner spawners[N_SPAWNERS];
  GThread *threads[N_SPAWNERS];
  GRand *rand;
  Joiner joiner = { 0 };
  gint64 start = g_get_monotonic_time ();

  g_test_summary ("4 threads spawn and abort at random while the main thread "
                  "joins; every task, user_data and result accounted for once.");

  s.context = g_main_context_default ();
  s.n_tasks = stress_env_uint ("JS_STRESS_TASKS", DEFAULT_TASKS);
  g_assert_cmpuint (s.n_tasks, <, G_MAXINT / 2);
  s.seed = stress_base_seed ();
  stress_watchdog_set_seed (s.seed);
  rand = g_rand_new_with_seed (s.seed);
  s.records = g_new0 (Record, s.n_tasks);
  s.id_to_index = g_new0 (gint, s.n_tasks + 1);
  s.set = js_join_set_new ();

  stress_watchdog_arm (TRUE);
  stress_step ("start");

  for (guint i = 0; i < N_SPAWNERS; i++)
    {
      spawners[i].number = i;
      spawners[i].first = s.n_tasks * i / N_SPAWNERS;
      spawners[i].count = s.n_tasks * (i + 1) / N_SPAWNERS - spawners[i].first;
      threads[i] = g_thread_new ("spawner", spawner_main, &spawners[i]);
    }

  while (!all_joined ())
    {
      guint choice = g_rand_int_range (rand, 0, 100);

      if (choice < 50)
        {
          /* A few pending join_next_async, some with a cancellable that
           * is cancelled before or while they wait. */
          guint n = g_rand_int_range (rand, 1, 5);

          for (guint i = 0; i < n; i++)
            {
              g_autoptr(GCancellable) cancellable = NULL;

              if (g_rand_int_range (rand, 0, 8) == 0)
                {
                  cancellable = g_cancellable_new ();
                  if (g_rand_boolean (rand))
                    g_cancellable_cancel (cancellable);
                  else
                    g_timeout_add_full (G_PRIORITY_DEFAULT, 1, cancel_cb,
                                        g_object_ref (cancellable), g_object_unref);
                }
              joiner.pending++;
              js_join_set_join_next_async (s.set, cancellable, join_next_cb, &joiner);
            }
          stress_step ("join_next_async");
          while (joiner.pending > 0)
            g_main_context_iteration (s.context, TRUE);
        }
      else if (choice < 80)
        {
          JsTask *task;
          guint n = 0;

          while ((task = js_join_set_try_join_next (s.set)) != NULL)
            {
              account_joined (task);
              g_object_unref (task);
              s.n_try_join_next++;
              n++;
            }
          /* Let main-context tasks run; nothing wakes us for thread tasks. */
          if (!g_main_context_iteration (s.context, FALSE) && n == 0)
            g_usleep (50);
        }
      else if (choice < 90)
        {
          g_autoptr(GError) error = NULL;
          JsTask *task = js_join_set_join_next (s.set, NULL, &error);

          g_assert_no_error (error);
          if (task != NULL)
            {
              account_joined (task);
              g_object_unref (task);
              s.n_join_next++;
            }
          else
            {
              /* Empty for now: wait for the spawners. */
              g_usleep (50);
            }
        }
      else
        {
          /* join_all, usually cancelled after a moment: the tasks it took
           * go back to the set. */
          g_autoptr(GCancellable) cancellable = g_cancellable_new ();

          g_timeout_add_full (G_PRIORITY_DEFAULT, g_rand_int_range (rand, 0, 10), cancel_cb,
                              g_object_ref (cancellable), g_object_unref);
          joiner.pending++;
          js_join_set_join_all_async (s.set, cancellable, join_all_cb, &joiner);
          stress_step ("join_all_async");
          while (joiner.pending > 0)
            g_main_context_iteration (s.context, TRUE);
        }
    }

  for (guint i = 0; i < N_SPAWNERS; i++)
    g_thread_join (threads[i]);

  stress_step ("finalizing the set");
  g_assert_true (js_join_set_is_empty (s.set));
  g_assert_finalize_object (g_steal_pointer (&s.set));

  /* Thread functions that returned after they were aborted may still be
   * letting go of their tasks; main-context producers may still hold one. */
  stress_step ("waiting for every user_data and result");
  while ((guint64) g_atomic_int_get (&s.n_destroyed) != s.n_tasks ||
         g_atomic_int_get (&s.n_results_freed) != g_atomic_int_get (&s.n_results_made))
    {
      if (!g_main_context_iteration (s.context, FALSE))
        g_usleep (100);
    }

  for (guint64 i = 0; i < s.n_tasks; i++)
    {
      Record *record = &s.records[i];

      g_assert_cmpint (record->destroyed, ==, 1);
      g_assert_cmpint (record->joined, ==, 1);
      g_assert_cmpint (record->ran, <=, 1);
      g_assert_cmpint (record->results_freed, ==, record->results_made);
      g_assert_cmpint (record->outcome, !=, OUTCOME_NONE);
      if (record->aborted)
        g_assert_cmpint (record->outcome, ==, OUTCOME_CANCELLED);
      if (!record->ran)
        g_assert_cmpint (record->outcome, ==, OUTCOME_CANCELLED);
    }

  stress_watchdog_arm (FALSE);

  g_test_message ("%" G_GUINT64_FORMAT " tasks in %.2f s: %d aborted one by one, "
                  "%d abort_all; joins: %" G_GUINT64_FORMAT " join_next_async (+%"
                  G_GUINT64_FORMAT " cancelled), %" G_GUINT64_FORMAT " try_join_next, %"
                  G_GUINT64_FORMAT " join_next, %" G_GUINT64_FORMAT " join_all (+%"
                  G_GUINT64_FORMAT " cancelled)",
                  s.n_tasks,
                  (g_get_monotonic_time () - start) / (double) G_TIME_SPAN_SECOND,
                  s.n_aborted, s.n_abort_all,
                  s.n_join_next_async, s.n_join_next_cancelled, s.n_try_join_next,
                  s.n_join_next, s.n_join_all, s.n_join_all_cancelled);

  g_rand_free (rand);
  g_free (s.records);
  g_free (s.id_to_index);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  stress_watchdog_start (dump_state);
  g_test_add_func ("/join-set/stress/threads/spawn-abort-join", test_threads);
  ret = g_test_run ();
  stress_watchdog_stop ();

  return ret;
}
