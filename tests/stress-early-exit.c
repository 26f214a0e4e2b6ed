/* stress-early-exit.c: spawn 64 tasks, take the first result, drop the rest
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The pattern that deadlocked and crashed a comparable futures library:
 * every round spawns 64 tasks (thread tasks, and in some rounds tasks in
 * the main context too), waits for the first result, and then drops the set
 * while the other tasks are still queued, running or completing on the
 * worker threads. Each test case drops the set its own way: by unref, by
 * abort_all, by cancelling its parent cancellable, or by shutdown_async;
 * every other round sets max-concurrent.
 *
 * Nothing may be lost or freed twice. Every round checks, with counters,
 * that each task's user_data was destroyed exactly once and never while its
 * function still used it, that each result was freed exactly once (by
 * whoever took it, or by the library), that each task was joined at most
 * once and with the outcome its function produced, and that the set itself
 * was finalized. A watchdog fails the test when the main thread makes no
 * progress for 3 s (see stress-util.h).
 *
 * JS_STRESS_ROUNDS sets the rounds per case (default 3000).
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "stress-util.h"

#define N_TASKS 64

#define STRESS_ERROR (g_quark_from_static_string ("stress-error"))

typedef enum
{
  DROP_UNREF,
  DROP_ABORT_ALL,
  DROP_PARENT_CANCEL,
  DROP_SHUTDOWN,
} DropKind;

static const char *drop_names[] = { "unref", "abort-all", "parent-cancel", "shutdown" };

/* What a task function does. */
typedef enum
{
  /* Thread tasks */
  DO_RETURN_NOW,            /* return a pointer at once */
  DO_SLEEP_RETURN,          /* sleep, then return a pointer */
  DO_POLL_CANCELLABLE,      /* work in slices until done or cancelled */
  DO_RETURN_THEN_SLEEP,     /* return, then keep running a while */
  DO_RETURN_ERROR,          /* sleep, then fail with STRESS_ERROR */
  DO_RETURN_INT,            /* return an int */
  DO_ABANDON,               /* return nothing: ABANDONED when the runner lets go */
  N_THREAD_BEHAVIOURS,
  /* Main-context tasks */
  DO_MAIN_RETURN_NOW = N_THREAD_BEHAVIOURS,
  DO_MAIN_LATER_IDLE,       /* keep a ref, return from a timeout */
  DO_MAIN_LATER_THREAD,     /* keep a ref, return from a helper thread */
  DO_MAIN_END,
} Behaviour;

typedef struct _Round Round;

typedef struct
{
  Round    *round;
  guint     index;
  Behaviour behaviour;
  guint     delay_us;
  gint      ran;              /* function calls */
  gint      holding;          /* the producer still uses user_data */
  gint      destroyed;        /* user_data destroy calls */
  gint      results_made;
  gint      results_freed;
  gint      joined;
} Item;

struct _Round
{
  guint64       number;
  guint32       seed;
  GRand        *rand;
  DropKind      drop;
  guint         max_concurrent;
  gboolean      mixed;          /* some tasks in the main context */
  JsJoinSet    *set;            /* owned until drop_set () */
  gint          set_disposed;   /* atomic: set by the set's weak notify */
  GCancellable *parent;
  Item          items[N_TASKS + 1];  /* + one spawned after closing */
  guint         n_items;
  gint          n_destroyed;    /* atomic */
  gint          n_results_made; /* atomic */
  gint          n_results_freed;/* atomic */
  gint          n_thread_funcs; /* atomic: thread functions running now */
  JsTask       *first;
  gboolean      first_done;
  gboolean      shutdown_done;
};

/* Totals over the whole run, for the final message. */
static struct
{
  guint64 rounds;
  guint64 spawned;
  guint64 ran;
  guint64 never_ran;
  guint64 results;
  guint64 joined;
  guint64 joined_cancelled;
} totals;

static GMainContext *main_context;
static GThreadPool  *helpers;
static guint32       base_seed;
static Round        *current_round;   /* for the watchdog's dump */

static void
wake_main (void)
{
  g_main_context_wakeup (main_context);
}

/* A result counted in @item and its round; freeing it wakes the main
 * thread, after the round's count: the last touch of the round, which the
 * main thread may free right after. */
static gpointer
result_new (Item *item)
{
  JsTestResultCounts counts = {
    .made = &item->results_made,
    .freed = &item->results_freed,
    .total_made = &item->round->n_results_made,
    .total_freed = &item->round->n_results_freed,
    .notify = (GDestroyNotify) g_main_context_wakeup,
    .notify_data = main_context,
  };

  return js_test_result_new (item->index + 1, item, &counts);
}

static void
item_destroy (gpointer data)
{
  Item *item = data;
  Round *round = item->round;

  if (g_atomic_int_get (&item->holding))
    g_error ("round %" G_GUINT64_FORMAT ": user_data of task %u destroyed "
             "while its producer still uses it", round->number, item->index + 1);
  if (g_atomic_int_add (&item->destroyed, 1) != 0)
    g_error ("round %" G_GUINT64_FORMAT ": user_data of task %u destroyed twice",
             round->number, item->index + 1);
  /* Last touch of the round. */
  g_atomic_int_inc (&round->n_destroyed);
  wake_main ();
}

/* ------------------------------------------------------------------------
 * Task functions
 * ------------------------------------------------------------------------ */

static void
thread_func (JsTask   *task,
             gpointer  user_data)
{
  Item *item = user_data;
  Round *round = item->round;

  g_atomic_int_inc (&round->n_thread_funcs);
  if (g_atomic_int_add (&item->ran, 1) != 0)
    g_error ("task %u ran twice", item->index + 1);
  g_atomic_int_set (&item->holding, 1);
  g_assert_true (G_IS_CANCELLABLE (js_task_get_cancellable (task)));
  g_assert_true (js_task_get_cancellable (task) == js_task_get_cancellable (task));

  switch (item->behaviour)
    {
    case DO_RETURN_NOW:
      js_task_return_pointer (task, result_new (item), js_test_result_free);
      break;

    case DO_SLEEP_RETURN:
      g_usleep (item->delay_us);
      js_task_return_pointer (task, result_new (item), js_test_result_free);
      break;

    case DO_POLL_CANCELLABLE:
      {
        gint64 end = g_get_monotonic_time () + item->delay_us;

        while (g_get_monotonic_time () < end &&
               !g_cancellable_is_cancelled (js_task_get_cancellable (task)))
          g_usleep (20);
        if (!js_task_return_error_if_cancelled (task))
          js_task_return_pointer (task, result_new (item), js_test_result_free);
      }
      break;

    case DO_RETURN_THEN_SLEEP:
      js_task_return_pointer (task, result_new (item), js_test_result_free);
      g_usleep (item->delay_us);
      break;

    case DO_RETURN_ERROR:
      g_usleep (item->delay_us);
      js_task_return_new_error (task, STRESS_ERROR, (gint) item->index, "task %u failed",
                                item->index + 1);
      break;

    case DO_RETURN_INT:
      js_task_return_int (task, (gssize) item->index);
      break;

    case DO_ABANDON:
      g_usleep (item->delay_us);
      break;

    case DO_MAIN_RETURN_NOW:
    case DO_MAIN_LATER_IDLE:
    case DO_MAIN_LATER_THREAD:
    case DO_MAIN_END:
    default:
      g_assert_not_reached ();
    }

  g_atomic_int_set (&item->holding, 0);
  g_atomic_int_add (&round->n_thread_funcs, -1);
}

/* A task in the main context that completes later: the producer holds a
 * reference to the task until it returned. */
typedef struct
{
  JsTask *task;
  Item   *item;
} Later;

static void
later_complete (Later *later)
{
  Item *item = later->item;

  js_task_return_pointer (later->task, result_new (item), js_test_result_free);
  g_atomic_int_set (&item->holding, 0);
  /* Dropping the producer's reference may destroy user_data. */
  g_object_unref (later->task);
  g_free (later);
}

static gboolean
later_timeout_cb (gpointer data)
{
  later_complete (data);
  return G_SOURCE_REMOVE;
}

typedef enum
{
  JOB_LATER,
  JOB_CANCEL,
  JOB_UNREF,
} JobKind;

typedef struct
{
  JobKind  kind;
  guint    delay_us;
  gpointer data;
} Job;

static void
helper_func (gpointer data,
             gpointer unused)
{
  Job *job = data;

  g_usleep (job->delay_us);

  switch (job->kind)
    {
    case JOB_LATER:
      later_complete (job->data);
      break;

    case JOB_CANCEL:
      g_cancellable_cancel (job->data);
      g_object_unref (job->data);
      break;

    case JOB_UNREF:
      g_object_unref (job->data);
      break;

    default:
      g_assert_not_reached ();
    }

  g_free (job);
  wake_main ();
}

static void
helper_push (JobKind  kind,
             guint    delay_us,
             gpointer data)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->delay_us = delay_us;
  job->data = data;
  g_thread_pool_push (helpers, job, NULL);
}

static void
main_func (JsTask   *task,
           gpointer  user_data)
{
  Item *item = user_data;
  Later *later;

  g_assert_true (g_main_context_is_owner (main_context));
  if (g_atomic_int_add (&item->ran, 1) != 0)
    g_error ("task %u ran twice", item->index + 1);
  g_atomic_int_set (&item->holding, 1);
  g_assert_true (js_task_get_cancellable (task) == js_task_get_cancellable (task));

  switch (item->behaviour)
    {
    case DO_MAIN_RETURN_NOW:
      js_task_return_pointer (task, result_new (item), js_test_result_free);
      g_atomic_int_set (&item->holding, 0);
      break;

    case DO_MAIN_LATER_IDLE:
      later = g_new0 (Later, 1);
      later->task = g_object_ref (task);
      later->item = item;
      g_timeout_add_full (G_PRIORITY_DEFAULT, item->delay_us / 1000,
                          later_timeout_cb, later, NULL);
      break;

    case DO_MAIN_LATER_THREAD:
      later = g_new0 (Later, 1);
      later->task = g_object_ref (task);
      later->item = item;
      helper_push (JOB_LATER, item->delay_us, later);
      break;

    case DO_RETURN_NOW:
    case DO_SLEEP_RETURN:
    case DO_POLL_CANCELLABLE:
    case DO_RETURN_THEN_SLEEP:
    case DO_RETURN_ERROR:
    case DO_RETURN_INT:
    case DO_ABANDON:
    case DO_MAIN_END:
    default:
      g_assert_not_reached ();
    }
}

/* ------------------------------------------------------------------------
 * Checking joined tasks
 * ------------------------------------------------------------------------ */

/* Checks a joined task against what its function did, takes its result and
 * frees it. Returns whether it was cancelled. */
static gboolean
check_joined (Round   *round,
              JsTask  *task,
              gboolean may_be_cancelled)
{
  g_autoptr(GError) error = NULL;
  guint64 id = js_task_get_id (task);
  Item *item;

  g_assert_cmpuint (id, >=, 1);
  g_assert_cmpuint (id, <=, N_TASKS);
  item = &round->items[id - 1];
  g_assert_true (js_task_get_completed (task));
  if (g_atomic_int_add (&item->joined, 1) != 0)
    g_error ("round %" G_GUINT64_FORMAT ": task %" G_GUINT64_FORMAT " joined twice",
             round->number, id);
  totals.joined++;

  if (js_task_had_error (task))
    {
      /* Which propagate function does not matter for an error. */
      js_task_propagate_boolean (task, &error);
      g_assert_nonnull (error);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (!may_be_cancelled)
            g_error ("round %" G_GUINT64_FORMAT ": task %" G_GUINT64_FORMAT
                     " cancelled before anything was aborted", round->number, id);
          totals.joined_cancelled++;
          return TRUE;
        }
      if (item->behaviour == DO_ABANDON)
        {
          g_assert_error (error, JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED);
          return FALSE;
        }
      g_assert_error (error, STRESS_ERROR, (gint) item->index);
      g_assert_cmpint (item->behaviour, ==, DO_RETURN_ERROR);
      return FALSE;
    }

  if (item->behaviour == DO_RETURN_INT)
    {
      g_assert_cmpint (js_task_propagate_int (task, &error), ==, (gssize) item->index);
      g_assert_no_error (error);
    }
  else
    {
      JsTestResult *r = js_task_propagate_pointer (task, &error);

      g_assert_no_error (error);
      g_assert_nonnull (r);
      g_assert_cmpuint (r->magic, ==, JS_TEST_RESULT_MAGIC);
      g_assert_true (r->owner == item);
      js_test_result_free (r);
    }

  return FALSE;
}

/* ------------------------------------------------------------------------
 * One round
 * ------------------------------------------------------------------------ */

static void
dump_round (void)
{
  Round *round = current_round;

  if (round == NULL)
    return;

  fprintf (stderr,
           "round %" G_GUINT64_FORMAT " seed %u drop=%s max-concurrent=%u mixed=%d: "
           "destroyed %d/%u, results freed %d/%d, thread functions running %d, "
           "set %s\n",
           round->number, round->seed, drop_names[round->drop],
           round->max_concurrent, round->mixed,
           g_atomic_int_get (&round->n_destroyed), round->n_items,
           g_atomic_int_get (&round->n_results_freed),
           g_atomic_int_get (&round->n_results_made),
           g_atomic_int_get (&round->n_thread_funcs),
           g_atomic_int_get (&round->set_disposed) ? "disposed" : "alive");
  for (guint i = 0; i < round->n_items; i++)
    {
      Item *item = &round->items[i];

      if (g_atomic_int_get (&item->destroyed) != 1 ||
          g_atomic_int_get (&item->results_freed) != g_atomic_int_get (&item->results_made))
        fprintf (stderr,
                 "  task %u: behaviour %d delay %u us ran %d holding %d "
                 "destroyed %d results %d/%d joined %d\n",
                 i + 1, item->behaviour, item->delay_us,
                 g_atomic_int_get (&item->ran), g_atomic_int_get (&item->holding),
                 g_atomic_int_get (&item->destroyed),
                 g_atomic_int_get (&item->results_freed),
                 g_atomic_int_get (&item->results_made),
                 g_atomic_int_get (&item->joined));
    }
}

static void
first_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Round *round = user_data;
  g_autoptr(GError) error = NULL;

  round->first = js_join_set_join_next_finish (JS_JOIN_SET (source), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (round->first);
  round->first_done = TRUE;
}

static void
shutdown_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Round *round = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (js_join_set_shutdown_finish (JS_JOIN_SET (source), result, &error));
  g_assert_no_error (error);
  /* The promise of shutdown: no task function of the set runs any more. */
  g_assert_cmpint (g_atomic_int_get (&round->n_thread_funcs), ==, 0);
  /* And the set is empty, and accepts spawns again. */
  g_assert_true (js_join_set_is_empty (JS_JOIN_SET (source)));
  g_assert_false (js_join_set_is_closed (JS_JOIN_SET (source)));
  round->shutdown_done = TRUE;
}

static void
spawn_tasks (Round *round)
{
  for (guint i = 0; i < N_TASKS; i++)
    {
      Item *item = &round->items[i];
      gboolean in_main = round->mixed && g_rand_int_range (round->rand, 0, 4) == 0;
      guint64 id;

      item->round = round;
      item->index = i;
      if (in_main)
        item->behaviour = g_rand_int_range (round->rand, DO_MAIN_RETURN_NOW, DO_MAIN_END);
      else
        item->behaviour = g_rand_int_range (round->rand, 0, N_THREAD_BEHAVIOURS);
      /* Mostly short, sometimes long enough to still run at the drop. */
      item->delay_us = g_rand_int_range (round->rand, 0, 8) == 0
                       ? (guint) g_rand_int_range (round->rand, 500, 3000)
                       : (guint) g_rand_int_range (round->rand, 0, 200);
      round->n_items++;

      if (in_main)
        id = js_join_set_spawn (round->set, main_func, item, item_destroy);
      else
        id = js_join_set_spawn_in_thread (round->set, thread_func, item, item_destroy);
      g_assert_cmpuint (id, ==, i + 1);
      totals.spawned++;
    }
}

static void
take_first (Round *round)
{
  switch (g_rand_int_range (round->rand, 0, 4))
    {
    case 0:
      {
        /* The blocking join, iterating the main context while it waits. */
        g_autoptr(GError) error = NULL;

        stress_step ("join_next (first result)");
        round->first = js_join_set_join_next (round->set, NULL, &error);
        g_assert_no_error (error);
        g_assert_nonnull (round->first);
      }
      break;

    case 1:
      stress_step ("try_join_next (first result)");
      while ((round->first = js_join_set_try_join_next (round->set)) == NULL)
        {
          g_assert_false (js_join_set_is_empty (round->set));
          /* Polling: nothing wakes the context when a thread task
           * completes, as nobody waits for the set. */
          if (!g_main_context_iteration (main_context, FALSE))
            g_usleep (20);
        }
      break;

    default:
      stress_step ("join_next_async (first result)");
      js_join_set_join_next_async (round->set, NULL, first_cb, round);
      while (!round->first_done)
        g_main_context_iteration (main_context, TRUE);
      break;
    }

  g_assert_false (check_joined (round, round->first, FALSE));
}

/* After abort_all, parent cancellation or shutdown, every task has its
 * outcome: each one can be joined at once. */
static void
drain_completed (Round *round)
{
  JsTask *task;
  guint expected = js_join_set_get_length (round->set);
  guint n = 0;

  stress_step ("drain after abort");
  while ((task = js_join_set_try_join_next (round->set)) != NULL)
    {
      check_joined (round, task, TRUE);
      g_object_unref (task);
      n++;
    }
  g_assert_cmpuint (n, ==, expected);
  g_assert_true (js_join_set_is_empty (round->set));
}

static void
spawn_after_close (Round *round)
{
  Item *item = &round->items[N_TASKS];

  /* A closed set spawns nothing and destroys user_data at once. */
  item->round = round;
  item->index = N_TASKS;
  item->behaviour = DO_RETURN_NOW;
  round->n_items++;
  g_assert_cmpuint (js_join_set_spawn_in_thread (round->set, thread_func, item, item_destroy),
                    ==, 0);
  g_assert_cmpint (g_atomic_int_get (&item->destroyed), ==, 1);
}

/* The set's weak notify, run by whichever thread drops the last
 * reference, after dispose. Not g_object_add_weak_pointer (): GObject
 * clears that pointer with a plain write, which the main thread's read in
 * round_finished () would race with. */
static void
set_disposed_cb (gpointer  data,
                 GObject  *where_the_object_was)
{
  Round *round = data;

  /* Last touch of the round. */
  g_atomic_int_set (&round->set_disposed, 1);
  wake_main ();
}

static void
drop_set (Round *round)
{
  gboolean keep_first = g_rand_boolean (round->rand);
  JsJoinSet *set = round->set;

  /* Sometimes the first task outlives its set. */
  if (!keep_first)
    g_clear_object (&round->first);

  /* Sometimes let the queued tasks start before the drop. */
  if (round->max_concurrent != 0 && g_rand_int_range (round->rand, 0, 4) == 0)
    js_join_set_set_max_concurrent (set, 0);

  g_object_weak_ref (G_OBJECT (set), set_disposed_cb, round);

  /* Sometimes give the workers time to be in the middle of things. */
  if (g_rand_boolean (round->rand))
    g_usleep (g_rand_int_range (round->rand, 0, 500));

  switch (round->drop)
    {
    case DROP_UNREF:
      stress_step ("drop: unref");
      if (g_rand_int_range (round->rand, 0, 4) == 0)
        helper_push (JOB_UNREF, 0, set);   /* dispose on another thread */
      else
        g_object_unref (set);
      break;

    case DROP_ABORT_ALL:
      stress_step ("drop: abort_all");
      js_join_set_abort_all (set);
      g_assert_false (js_join_set_is_closed (set));
      if (g_rand_boolean (round->rand))
        drain_completed (round);
      stress_step ("drop: unref after abort_all");
      g_object_unref (set);
      break;

    case DROP_PARENT_CANCEL:
      if (g_rand_boolean (round->rand))
        {
          /* Cancel on another thread, racing with the unref here. */
          stress_step ("drop: parent cancelled on a helper thread");
          helper_push (JOB_CANCEL, g_rand_int_range (round->rand, 0, 100),
                       g_object_ref (round->parent));
        }
      else
        {
          stress_step ("drop: parent cancelled");
          g_cancellable_cancel (round->parent);
          g_assert_true (js_join_set_is_closed (set));
          spawn_after_close (round);
          if (g_rand_boolean (round->rand))
            drain_completed (round);
        }
      stress_step ("drop: unref after cancelling the parent");
      g_object_unref (set);
      break;

    case DROP_SHUTDOWN:
      stress_step ("drop: shutdown_async");
      js_join_set_shutdown_async (set, NULL, shutdown_cb, round);
      /* Emptied at once: what nobody joined is freed. */
      g_assert_true (js_join_set_is_empty (set));
      g_assert_null (js_join_set_try_join_next (set));
      if (g_rand_boolean (round->rand))
        {
          stress_step ("drop: waiting for shutdown");
          while (!round->shutdown_done)
            g_main_context_iteration (main_context, TRUE);
          js_join_set_close (set);
          spawn_after_close (round);
          drain_completed (round);
        }
      /* Otherwise the pending shutdown keeps the set alive until it
       * completes. */
      stress_step ("drop: unref after shutdown_async");
      g_object_unref (set);
      break;

    default:
      g_assert_not_reached ();
    }

  g_clear_object (&round->first);
  /* Not ours any more: only set_disposed says when it is gone. */
  round->set = NULL;
}

static gboolean
round_finished (Round *round)
{
  return g_atomic_int_get (&round->set_disposed) &&
         (guint) g_atomic_int_get (&round->n_destroyed) == round->n_items &&
         g_atomic_int_get (&round->n_results_freed) == g_atomic_int_get (&round->n_results_made);
}

static void
check_round (Round *round)
{
  for (guint i = 0; i < round->n_items; i++)
    {
      Item *item = &round->items[i];

      g_assert_cmpint (item->destroyed, ==, 1);
      g_assert_cmpint (item->holding, ==, 0);
      g_assert_cmpint (item->ran, <=, 1);
      g_assert_cmpint (item->joined, <=, 1);
      g_assert_cmpint (item->results_made, <=, 1);
      g_assert_cmpint (item->results_freed, ==, item->results_made);
      if (item->ran)
        totals.ran++;
      else
        totals.never_ran++;
      totals.results += item->results_made;
    }
  if (round->drop == DROP_SHUTDOWN)
    g_assert_true (round->shutdown_done);
}

static void
run_round (DropKind drop,
           guint64  number)
{
  Round *round = g_new0 (Round, 1);

  round->number = number;
  round->seed = stress_round_seed (base_seed ^ (guint32) drop, number);
  round->rand = g_rand_new_with_seed (round->seed);
  round->drop = drop;
  round->mixed = (number / 2) % 2 == 1;
  if (number % 2 == 1)
    {
      static const guint limits[] = { 1, 2, 3, 8, 63 };

      round->max_concurrent = limits[g_rand_int_range (round->rand, 0, G_N_ELEMENTS (limits))];
    }

  stress_watchdog_set_round (number);
  stress_watchdog_set_seed (round->seed);
  current_round = round;
  stress_step ("round start");

  if (drop == DROP_PARENT_CANCEL)
    {
      round->parent = g_cancellable_new ();
      round->set = js_join_set_new_with_cancellable (round->parent);
    }
  else
    {
      round->set = js_join_set_new ();
    }
  if (round->max_concurrent != 0)
    js_join_set_set_max_concurrent (round->set, round->max_concurrent);

  stress_step ("spawn");
  spawn_tasks (round);
  take_first (round);
  drop_set (round);

  stress_step ("waiting for every user_data and result to be freed");
  while (!round_finished (round))
    g_main_context_iteration (main_context, TRUE);

  check_round (round);
  stress_step ("round end");

  current_round = NULL;
  g_clear_object (&round->parent);
  g_rand_free (round->rand);
  /* Poison it: a late callback on this round is a use after free. */
  memset (round, 0xaa, sizeof *round);
  g_free (round);
  totals.rounds++;
}

static void
test_early_exit (gconstpointer data)
{
  DropKind drop = GPOINTER_TO_INT (data);
  guint64 rounds = stress_env_uint ("JS_STRESS_ROUNDS", 3000);
  gint64 start = g_get_monotonic_time ();
  guint64 spawned = totals.spawned;

  g_test_summary ("Spawn 64 tasks, take the first result, drop the set while "
                  "the others run; nothing lost, nothing freed twice.");

  stress_watchdog_arm (TRUE);
  for (guint64 i = 0; i < rounds; i++)
    run_round (drop, i);
  stress_watchdog_arm (FALSE);

  /* Late main-context callbacks of the last round have all run (round_finished),
   * so nothing is left pending. */
  g_test_message ("%s: %" G_GUINT64_FORMAT " rounds, %" G_GUINT64_FORMAT
                  " tasks in %.2f s",
                  drop_names[drop], rounds, totals.spawned - spawned,
                  (g_get_monotonic_time () - start) / (double) G_TIME_SPAN_SECOND);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  main_context = g_main_context_default ();
  helpers = g_thread_pool_new (helper_func, NULL, 4, FALSE, NULL);
  base_seed = stress_base_seed ();
  stress_watchdog_start (dump_round);

  for (DropKind drop = DROP_UNREF; drop <= DROP_SHUTDOWN; drop++)
    {
      g_autofree char *path = g_strdup_printf ("/join-set/stress/early-exit/%s",
                                               drop_names[drop]);

      g_test_add_data_func (path, GINT_TO_POINTER (drop), test_early_exit);
    }

  ret = g_test_run ();

  stress_watchdog_stop ();
  g_thread_pool_free (helpers, FALSE, TRUE);

  g_test_message ("total: %" G_GUINT64_FORMAT " rounds, %" G_GUINT64_FORMAT
                  " tasks spawned, %" G_GUINT64_FORMAT " ran, %" G_GUINT64_FORMAT
                  " never ran, %" G_GUINT64_FORMAT " results, %" G_GUINT64_FORMAT
                  " joined (%" G_GUINT64_FORMAT " cancelled)",
                  totals.rounds, totals.spawned, totals.ran, totals.never_ran,
                  totals.results, totals.joined, totals.joined_cancelled);
  return ret;
}
