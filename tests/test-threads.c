/* test-threads.c: many threads spawning and aborting while the main thread
 * joins; every task is accounted for exactly once
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

#include "js-test-util.h"

#define N_SPAWNERS    4
#define N_PER_SPAWNER 5000
#define N_TASKS       (N_SPAWNERS * N_PER_SPAWNER)

typedef enum
{
  MODE_RETURN,           /* returns a result at once */
  MODE_CHECK_CANCELLED,  /* returns CANCELLED if aborted meanwhile */
  MODE_LATER,            /* thread: yields first; main: returns from an idle */
  MODE_ABANDON,          /* returns nothing */
  N_MODES
} Mode;

typedef enum
{
  OUTCOME_RESULT,
  OUTCOME_CANCELLED,
  OUTCOME_ABANDONED,
} Outcome;

typedef struct
{
  guint64 id;
  guint   index;
} Published;

typedef struct
{
  guint64 id;
  Outcome outcome;
  guint   result_index;
} Joined;

typedef struct
{
  JsJoinSet     *set;
  GThread       *main_thread;
  guint32        seed;

  /* indexed by spawn index; atomic */
  gint           data_freed[N_TASKS];
  gint           result_freed[N_TASKS];
  gint           produced[N_TASKS];
  gint           ran[N_TASKS];
  gint           aborted[N_TASKS];
  gint           in_thread[N_TASKS];
  gint           mode[N_TASKS];

  GMutex         mutex;
  GArray        *published;   /* Published, guarded by mutex */

  JsTestCounter  total_data_freed;
  JsTestCounter  total_result_freed;
  gint           total_produced;
} Stress;

typedef struct
{
  Stress *s;
  guint   index;
} Item;

static void
item_free (gpointer data)
{
  Item *item = data;
  Stress *s = item->s;

  g_atomic_int_inc (&s->data_freed[item->index]);
  g_free (item);
  js_test_counter_inc (&s->total_data_freed);
}

/* Returns a result counted at the item's index and in the totals. */
static void
produce (JsTask *task,
         Item   *item)
{
  Stress *s = item->s;
  JsTestResultCounts counts = {
    .made = &s->produced[item->index],
    .freed = &s->result_freed[item->index],
    .total_made = &s->total_produced,
    .notify = (GDestroyNotify) js_test_counter_inc,
    .notify_data = &s->total_result_freed,
  };

  js_task_return_pointer (task, js_test_result_new (item->index, s, &counts),
                          js_test_result_free);
}

typedef struct
{
  JsTask *task;
  Item   *item;
} Later;

static gboolean
produce_later_cb (gpointer data)
{
  Later *later = data;

  g_assert_true (g_thread_self () == later->item->s->main_thread);
  produce (later->task, later->item);
  /* may drop the last reference, and so free item */
  g_object_unref (later->task);
  g_free (later);

  return G_SOURCE_REMOVE;
}

static void
stress_func (JsTask   *task,
             gpointer  user_data)
{
  Item *item = user_data;
  Stress *s = item->s;
  gboolean in_thread = g_atomic_int_get (&s->in_thread[item->index]);

  g_assert_true (in_thread == (g_thread_self () != s->main_thread));
  g_assert_cmpint (g_atomic_int_add (&s->ran[item->index], 1), ==, 0);

  switch ((Mode) g_atomic_int_get (&s->mode[item->index]))
    {
    case MODE_RETURN:
      produce (task, item);
      break;

    case MODE_CHECK_CANCELLED:
      if (!js_task_return_error_if_cancelled (task))
        produce (task, item);
      break;

    case MODE_LATER:
      if (in_thread)
        {
          g_thread_yield ();
          produce (task, item);
        }
      else
        {
          Later *later = g_new0 (Later, 1);

          later->task = g_object_ref (task);
          later->item = item;
          g_idle_add (produce_later_cb, later);
        }
      break;

    case MODE_ABANDON:
      break;

    case N_MODES:
    default:
      g_assert_not_reached ();
    }
}

typedef struct
{
  Stress *s;
  guint   first;
} Spawner;

static gpointer
spawner_func (gpointer data)
{
  Spawner *spawner = data;
  Stress *s = spawner->s;
  GRand *rand = g_rand_new_with_seed (s->seed + spawner->first);

  for (guint j = 0; j < N_PER_SPAWNER; j++)
    {
      guint index = spawner->first + j;
      Item *item = g_new0 (Item, 1);
      gboolean in_thread = g_rand_int_range (rand, 0, 3) != 0;
      Published published;
      guint64 id;

      item->s = s;
      item->index = index;
      g_atomic_int_set (&s->in_thread[index], in_thread);
      g_atomic_int_set (&s->mode[index], g_rand_int_range (rand, 0, N_MODES));

      if (in_thread)
        id = js_join_set_spawn_in_thread (s->set, stress_func, item, item_free);
      else
        id = js_join_set_spawn (s->set, stress_func, item, item_free);
      g_assert_cmpuint (id, !=, 0);

      published.id = id;
      published.index = index;
      g_mutex_lock (&s->mutex);
      g_array_append_val (s->published, published);
      g_mutex_unlock (&s->mutex);

      /* abort a random task, any spawner's, finished or not */
      if (g_rand_int_range (rand, 0, 4) == 0)
        {
          Published victim;

          g_mutex_lock (&s->mutex);
          victim = g_array_index (s->published, Published,
                                  g_rand_int_range (rand, 0, s->published->len));
          g_mutex_unlock (&s->mutex);

          if (js_join_set_abort (s->set, victim.id))
            g_atomic_int_inc (&s->aborted[victim.index]);
        }

      if (j % 512 == 0)
        {
          (void) js_join_set_get_length (s->set);
          g_thread_yield ();
        }
    }

  g_rand_free (rand);

  return NULL;
}

static void
account (GArray *joined,
         JsTask *task)
{
  g_autoptr(GError) error = NULL;
  Joined record = { js_task_get_id (task), OUTCOME_RESULT, G_MAXUINT };
  JsTestResult *result;

  g_assert_true (js_task_get_completed (task));

  result = js_task_propagate_pointer (task, &error);
  if (result != NULL)
    {
      g_assert_no_error (error);
      record.result_index = result->value;
      js_test_result_free (result);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    record.outcome = OUTCOME_CANCELLED;
  else if (g_error_matches (error, JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED))
    record.outcome = OUTCOME_ABANDONED;
  else
    g_assert_no_error (error);

  g_array_append_val (joined, record);
  g_object_unref (task);
}

static void
test_threads_stress (void)
{
  Stress *s = g_new0 (Stress, 1);
  g_autoptr(GArray) joined = g_array_new (FALSE, FALSE, sizeof (Joined));
  g_autoptr(GHashTable) index_of = g_hash_table_new (g_int64_hash, g_int64_equal);
  GThread *threads[N_SPAWNERS];
  Spawner spawners[N_SPAWNERS];
  GRand *rand;
  guint n_async = 0, n_try = 0, n_empty = 0;
  guint n_cancelled = 0, n_abandoned = 0, n_results = 0;

  g_test_summary ("Four threads spawn thread and main-context tasks and "
                  "abort random ones while the main thread joins with "
                  "join_next_async() and try_join_next(): every task joins "
                  "exactly once, with its own result, CANCELLED if and only "
                  "if an abort succeeded, and every user_data and result is "
                  "freed exactly once");

  s->main_thread = g_thread_self ();
  s->seed = g_test_rand_int ();
  s->set = js_join_set_new ();
  s->published = g_array_sized_new (FALSE, FALSE, sizeof (Published), N_TASKS);
  g_mutex_init (&s->mutex);
  js_test_counter_init (&s->total_data_freed);
  js_test_counter_init (&s->total_result_freed);
  js_join_set_set_max_concurrent (s->set, 64);

  rand = g_rand_new_with_seed (s->seed);

  for (guint k = 0; k < N_SPAWNERS; k++)
    {
      spawners[k].s = s;
      spawners[k].first = k * N_PER_SPAWNER;
      threads[k] = g_thread_new ("spawner", spawner_func, &spawners[k]);
    }

  while (joined->len < N_TASKS)
    {
      JsTestJoin join = { 0 };

      if (g_rand_boolean (rand))
        {
          JsTask *task = js_join_set_try_join_next (s->set);

          if (task != NULL)
            {
              account (joined, task);
              n_try++;
              continue;
            }
        }

      js_join_set_join_next_async (s->set, NULL, js_test_join_cb, &join);
      js_test_iterate_until (NULL, &join.done);
      g_assert_no_error (join.error);
      if (join.task != NULL)
        {
          account (joined, join.task);
          n_async++;
        }
      else
        {
          /* empty for now: the spawners are behind */
          n_empty++;
          g_thread_yield ();
        }
    }

  for (guint k = 0; k < N_SPAWNERS; k++)
    g_thread_join (threads[k]);

  g_test_message ("%u joined asynchronously, %u with try_join_next(), "
                  "%u empty joins", n_async, n_try, n_empty);

  /* nothing left, nothing more to come */
  g_assert_cmpuint (joined->len, ==, N_TASKS);
  g_assert_true (js_join_set_is_empty (s->set));
  g_assert_null (js_join_set_try_join_next (s->set));

  g_assert_cmpuint (s->published->len, ==, N_TASKS);
  for (guint i = 0; i < s->published->len; i++)
    {
      Published *p = &g_array_index (s->published, Published, i);

      g_assert_false (g_hash_table_contains (index_of, &p->id));
      g_hash_table_insert (index_of, &p->id, GUINT_TO_POINTER (p->index + 1));
    }

  {
    g_autofree gint *times_joined = g_new0 (gint, N_TASKS);

    for (guint i = 0; i < joined->len; i++)
      {
        Joined *record = &g_array_index (joined, Joined, i);
        guint index = GPOINTER_TO_UINT (g_hash_table_lookup (index_of, &record->id));

        g_assert_cmpuint (index, !=, 0);
        index--;
        times_joined[index]++;

        switch (record->outcome)
          {
          case OUTCOME_RESULT:
            g_assert_cmpuint (record->result_index, ==, index);
            g_assert_cmpint (s->aborted[index], ==, 0);
            n_results++;
            break;

          case OUTCOME_CANCELLED:
            g_assert_cmpint (s->aborted[index], ==, 1);
            n_cancelled++;
            break;

          case OUTCOME_ABANDONED:
            g_assert_cmpint (s->mode[index], ==, MODE_ABANDON);
            g_assert_cmpint (s->aborted[index], ==, 0);
            n_abandoned++;
            break;

          default:
            g_assert_not_reached ();
          }
      }

    for (guint i = 0; i < N_TASKS; i++)
      {
        g_assert_cmpint (times_joined[i], ==, 1);
        g_assert_cmpint (s->aborted[i], <=, 1);
        if (!g_atomic_int_get (&s->ran[i]))
          g_assert_cmpint (s->aborted[i], ==, 1);
      }
  }

  g_test_message ("%u results, %u cancelled, %u abandoned",
                  n_results, n_cancelled, n_abandoned);
  g_assert_cmpuint (n_results + n_cancelled + n_abandoned, ==, N_TASKS);
  /* the stress test must exercise every outcome */
  g_assert_cmpuint (n_cancelled, >, 0);
  g_assert_cmpuint (n_abandoned, >, 0);

  /* Every user_data is destroyed once its function let go, so every
   * result was produced by then; a result the task still owns is freed
   * with it, a moment later. Aborted main-context tasks that return from
   * an idle still have to do it. */
  js_test_iterate_pending (NULL);
  g_assert_cmpint (js_test_counter_await_released (&s->total_data_freed, N_TASKS), ==, N_TASKS);
  js_test_counter_await (&s->total_result_freed, g_atomic_int_get (&s->total_produced));
  for (guint i = 0; i < N_TASKS; i++)
    {
      g_assert_cmpint (g_atomic_int_get (&s->data_freed[i]), ==, 1);
      g_assert_cmpint (g_atomic_int_get (&s->result_freed[i]), ==,
                       g_atomic_int_get (&s->produced[i]));
      g_assert_cmpint (g_atomic_int_get (&s->produced[i]), <=, 1);
    }

  g_assert_finalize_object (s->set);
  g_assert_cmpint (js_test_counter_get (&s->total_data_freed), ==, N_TASKS);

  g_rand_free (rand);
  g_array_unref (s->published);
  g_mutex_clear (&s->mutex);
  js_test_counter_clear (&s->total_data_freed);
  js_test_counter_clear (&s->total_result_freed);
  g_free (s);
}

static void
test_threads_drop (void)
{
  g_test_summary ("Dropping a set while other threads still have thread "
                  "tasks running: every user_data and result is freed "
                  "exactly once");

  for (guint round = 0; round < 20; round++)
    {
      Stress *s = g_new0 (Stress, 1);
      const guint n = 200;

      s->main_thread = g_thread_self ();
      s->set = js_join_set_new ();
      js_test_counter_init (&s->total_data_freed);
      js_test_counter_init (&s->total_result_freed);

      for (guint i = 0; i < n; i++)
        {
          Item *item = g_new0 (Item, 1);

          item->s = s;
          item->index = i;
          s->in_thread[i] = i % 4 != 0;
          s->mode[i] = i % N_MODES;
          if (s->in_thread[i])
            js_join_set_spawn_in_thread (s->set, stress_func, item, item_free);
          else
            js_join_set_spawn (s->set, stress_func, item, item_free);
        }

      /* let some of them finish, some not */
      g_main_context_iteration (NULL, FALSE);
      for (guint i = 0; i < round; i++)
        {
          JsTask *task = js_join_set_try_join_next (s->set);

          g_clear_object (&task);
        }

      g_assert_finalize_object (s->set);

      /* main-context tasks that return from an idle do it now */
      js_test_iterate_pending (NULL);
      g_assert_cmpint (js_test_counter_await_released (&s->total_data_freed, n), ==, n);
      js_test_counter_await (&s->total_result_freed, g_atomic_int_get (&s->total_produced));
      for (guint i = 0; i < n; i++)
        {
          g_assert_cmpint (g_atomic_int_get (&s->data_freed[i]), ==, 1);
          g_assert_cmpint (g_atomic_int_get (&s->result_freed[i]), ==,
                           g_atomic_int_get (&s->produced[i]));
        }

      js_test_counter_clear (&s->total_data_freed);
      js_test_counter_clear (&s->total_result_freed);
      g_free (s);
    }
}

static void
abandon_func (JsTask   *task,
              gpointer  user_data)
{
}

static void
test_threads_abandon (void)
{
  g_test_summary ("Thread tasks abandoned by their function are joined and "
                  "dropped by the main thread while the worker that "
                  "abandoned them may still be releasing its reference: "
                  "each joins once as ABANDONED and is freed safely");

  for (guint round = 0; round < 10; round++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      JsTestCounter data_freed;
      const guint n = 20000;
      guint joined = 0;

      js_test_counter_init (&data_freed);

      for (guint i = 0; i < n; i++)
        js_join_set_spawn_in_thread (set, abandon_func, &data_freed,
                                     (GDestroyNotify) js_test_counter_inc);

      /* take each task the moment it is abandoned, and drop it at once */
      while (joined < n)
        {
          g_autoptr(GError) error = NULL;
          JsTask *task = js_join_set_try_join_next (set);

          if (task == NULL)
            {
              g_thread_yield ();
              continue;
            }

          g_assert_cmpint (js_task_propagate_int (task, &error), ==, -1);
          g_assert_error (error, JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED);
          g_object_unref (task);
          joined++;
        }

      g_assert_cmpint (js_test_counter_await_released (&data_freed, n), ==, n);
      g_assert_true (js_join_set_is_empty (set));
      g_assert_finalize_object (g_steal_pointer (&set));
      g_assert_cmpint (js_test_counter_get (&data_freed), ==, n);
      js_test_counter_clear (&data_freed);
    }
}

/* ------------------------------------------------------------------------
 * Where user data is released: always the set's home thread
 * ------------------------------------------------------------------------ */

typedef struct
{
  JsTestCounter freed;
  GThread      *freed_in;   /* atomic */
} HomeData;

static void
home_data_free (gpointer data)
{
  HomeData *h = data;

  g_atomic_pointer_set (&h->freed_in, g_thread_self ());
  js_test_counter_inc (&h->freed);
}

static JsTestGate home_gate;

static void
home_func (JsTask   *task,
           gpointer  user_data)
{
  const char *mode = js_task_get_name (task);

  if (g_str_equal (mode, "gated"))
    js_test_gate_pass (&home_gate);
  if (!g_str_equal (mode, "abandon"))
    js_task_return_int (task, 1);
}

static void
test_threads_release_at_home (void)
{
  const char *modes[] = { "abandon", "discard", "gated" };

  g_test_summary ("The destroy notify of a thread task's user_data runs in "
                  "the thread that runs the set's context, never in the "
                  "worker that drops the last reference: a binding (GJS) "
                  "may release its closure only there");

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      HomeData h = { 0 };

      g_test_message ("mode: %s", modes[m]);
      js_test_counter_init (&h.freed);
      js_test_gate_init (&home_gate);
      if (g_str_equal (modes[m], "discard"))
        js_join_set_set_discard_results (set, TRUE);

      js_join_set_spawn_full (set, JS_SPAWN_IN_THREAD, modes[m], 0, home_func, &h, home_data_free);

      if (g_str_equal (modes[m], "gated"))
        {
          /* The set goes while the task runs: its source is gone when the
           * worker lets go of the task. */
          js_test_gate_await_entered (&home_gate, 1);
          g_assert_finalize_object (g_steal_pointer (&set));
          js_test_gate_open (&home_gate);
        }
      else if (g_str_equal (modes[m], "abandon"))
        {
          g_autoptr(JsTask) task = js_join_set_join_next (set, NULL, NULL);
          g_autoptr(GError) error = NULL;

          js_task_propagate_int (task, &error);
          g_assert_error (error, JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED);
        }

      /* The worker drops its reference without iterating anything: only
       * this thread, iterating its context, may release the data. */
      g_assert_cmpint (js_test_counter_await_released (&h.freed, 1), ==, 1);
      g_assert_true (g_atomic_pointer_get (&h.freed_in) == g_thread_self ());
      js_test_iterate_pending (NULL);
      g_assert_cmpint (js_test_counter_get (&h.freed), ==, 1);

      js_test_gate_clear (&home_gate);
      js_test_counter_clear (&h.freed);
    }
}

/* ------------------------------------------------------------------------
 * Starvation: blocked thread tasks, within a set and across sets
 * ------------------------------------------------------------------------ */

static JsTestGate starve_gate;

/* Blocks until the gate opens, ignoring its cancellable. */
static void
blocked_func (JsTask   *task,
              gpointer  user_data)
{
  js_test_gate_pass (&starve_gate);
  js_task_return_int (task, 1);
}

static void
release_func (JsTask   *task,
              gpointer  user_data)
{
  js_test_gate_open (&starve_gate);
  js_task_return_int (task, 2);
}

static void
join_all_sync (JsJoinSet *set,
               guint      n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsTask) task = js_join_set_join_next (set, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (task);
      g_assert_cmpint (js_task_propagate_int (task, NULL), >, 0);
    }
  g_assert_true (js_join_set_is_empty (set));
}

static gboolean
set_true_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_starved_set_warns (void)
{
  if (!g_test_subprocess ())
    {
      g_test_summary ("A set whose 64 threads are all blocked while its 65th "
                      "task waits for a thread says so with a warning that "
                      "names the set, the limit and the way out, instead of "
                      "hanging silently");
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      g_test_trap_assert_stderr ("*JsJoinSet 0x*1 thread task waited 1 s while the 64 threads of this set are blocked*at most 64 thread tasks*max-concurrent*");
      return;
    }
  else
    {
      g_autoptr(JsJoinSet) set = NULL;
      gboolean waited = FALSE;

      /* Read once per process: this is the first stall. Warnings are
       * printed, not fatal, here. */
      g_setenv ("JS_STARVATION_WARNING_SECONDS", "1", TRUE);
      g_log_set_always_fatal (G_LOG_FATAL_MASK);

      set = js_join_set_new ();
      js_test_gate_init (&starve_gate);
      for (guint i = 0; i < 64; i++)
        js_join_set_spawn_in_thread (set, blocked_func, NULL, NULL);
      /* It would release them, but it needs a 65th thread. */
      js_join_set_spawn_in_thread (set, release_func, NULL, NULL);
      js_test_gate_await_entered (&starve_gate, 64);

      g_timeout_add (2500, set_true_cb, &waited);
      js_test_iterate_until (NULL, &waited);

      js_test_gate_open (&starve_gate);
      join_all_sync (set, 65);
      g_assert_finalize_object (g_steal_pointer (&set));
    }
}

static void
test_blocked_sets_do_not_starve (void)
{
  if (!g_test_subprocess ())
    {
      g_test_summary ("Four sets whose 64 threads each are blocked leave "
                      "room in the shared pool for a fifth set, whose one "
                      "task releases them");
      /* A starved pool fails the test instead of hanging it. */
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      g_test_trap_assert_stderr_unmatched ("*waited*for a worker thread*");
      return;
    }
  else
    {
      JsJoinSet *sets[5];

      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      js_test_gate_init (&starve_gate);
      for (guint s = 0; s < 4; s++)
        {
          sets[s] = js_join_set_new ();
          for (guint i = 0; i < 64; i++)
            js_join_set_spawn_in_thread (sets[s], blocked_func, NULL, NULL);
        }
      js_test_gate_await_entered (&starve_gate, 4 * 64);

      sets[4] = js_join_set_new ();
      js_join_set_spawn_in_thread (sets[4], release_func, NULL, NULL);
      join_all_sync (sets[4], 1);
      for (guint s = 0; s < 4; s++)
        join_all_sync (sets[s], 64);

      for (guint s = 0; s < 5; s++)
        g_assert_finalize_object (sets[s]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/join-set/threads/stress", test_threads_stress);
  g_test_add_func ("/join-set/threads/drop", test_threads_drop);
  g_test_add_func ("/join-set/threads/abandon", test_threads_abandon);
  g_test_add_func ("/join-set/threads/release-at-home", test_threads_release_at_home);
  g_test_add_func ("/join-set/threads/starved-set-warns", test_starved_set_warns);
  g_test_add_func ("/join-set/threads/blocked-sets-do-not-starve", test_blocked_sets_do_not_starve);

  return g_test_run ();
}
