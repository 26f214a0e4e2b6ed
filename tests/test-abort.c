/* test-abort.c: aborting tasks, abort-on-error, the parent cancellable,
 * shutdown, dispose, and exactly-once destruction on every path
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <joinset/joinset.h>

#include "js-test-util.h"

#define TEST_ERROR (test_error_quark ())
static G_DEFINE_QUARK (js-test-abort-error-quark, test_error)

typedef enum
{
  KIND_THREAD,
  KIND_MAIN,
} Kind;

static const char *kind_names[] = { "thread", "main" };

/* ------------------------------------------------------------------------
 * Life: one task whose every step is counted
 *
 * A thread task may be gated: its function blocks on a gate that ignores
 * cancellation until the test opens it. A main-context task cannot block,
 * so a "held" one keeps a reference, returns, and completes when the test
 * calls life_release(). Either way it then returns a tracked result unless
 * it is told to return nothing (and so be abandoned).
 * ------------------------------------------------------------------------ */

typedef struct
{
  Kind           kind;
  gboolean       block;         /* gated (thread) or held (main) */
  gboolean       produce;       /* return a tracked result */
  gssize         value;

  JsTestCounter  called;        /* the function was called */
  JsTestCounter  returned;      /* a thread function is about to return */
  JsTestCounter  data_freed;    /* user_data_destroy */
  JsTestCounter  result_freed;  /* result_destroy */
  JsTestGate     gate;
  JsTask        *held;
  GCancellable  *cancellable;   /* the one the function got */
  guint64        id;
} Life;

static void
life_init (Life     *life,
           Kind      kind,
           gboolean  block,
           gboolean  produce,
           gssize    value)
{
  memset (life, 0, sizeof *life);
  life->kind = kind;
  life->block = block;
  life->produce = produce;
  life->value = value;
  js_test_counter_init (&life->called);
  js_test_counter_init (&life->returned);
  js_test_counter_init (&life->data_freed);
  js_test_counter_init (&life->result_freed);
  js_test_gate_init (&life->gate);
}

static void
life_data_free (gpointer data)
{
  Life *life = data;

  js_test_counter_inc (&life->data_freed);
}

static void
life_produce (Life   *life,
              JsTask *task)
{
  if (life->produce)
    js_task_return_pointer (task,
                            js_test_tracked_new (&life->result_freed, life->value),
                            js_test_tracked_free);
}

static void
life_func (JsTask   *task,
           gpointer  user_data)
{
  Life *life = user_data;

  g_assert_true (js_task_get_cancellable (task) == js_task_get_cancellable (task));
  life->cancellable = js_task_get_cancellable (task);

  if (life->kind == KIND_MAIN && life->block)
    {
      life->held = g_object_ref (task);
      js_test_counter_inc (&life->called);
      return;
    }

  js_test_counter_inc (&life->called);
  if (life->block)
    js_test_gate_pass (&life->gate);
  life_produce (life, task);
  js_test_counter_inc (&life->returned);
}

static guint64
life_spawn (JsJoinSet *set,
            Life      *life)
{
  if (life->kind == KIND_THREAD)
    life->id = js_join_set_spawn_in_thread (set, life_func, life, life_data_free);
  else
    life->id = js_join_set_spawn (set, life_func, life, life_data_free);

  return life->id;
}

/* Waits until the function was called (iterating the main context for a
 * main-context task). */
static void
life_await_started (Life *life)
{
  if (life->kind == KIND_MAIN)
    while (js_test_counter_get (&life->called) == 0)
      g_main_context_iteration (NULL, TRUE);

  js_test_counter_await (&life->called, 1);
  if (life->kind == KIND_THREAD && life->block)
    js_test_gate_await_entered (&life->gate, 1);
}

/* Lets a blocked function go on and complete. */
static void
life_release (Life *life)
{
  if (life->kind == KIND_MAIN)
    {
      JsTask *task = g_steal_pointer (&life->held);

      g_assert_nonnull (task);
      life_produce (life, task);
      g_object_unref (task);
    }
  else
    {
      js_test_gate_open (&life->gate);
      js_test_counter_await (&life->returned, 1);
    }
}

/* Waits until the task released its user_data and checks every count.
 * A function that returns still touches its Life: wait for it too. */
static void
life_assert_settled (Life *life,
                     gint  called,
                     gint  results)
{
  g_assert_cmpint (js_test_counter_await_released (&life->data_freed, 1), ==, 1);
  if (called && life->kind == KIND_THREAD)
    js_test_counter_await (&life->returned, 1);
  g_assert_cmpint (js_test_counter_get (&life->called), ==, called);
  g_assert_cmpint (js_test_counter_await (&life->result_freed, results), ==, results);
  g_assert_null (life->held);
}

static void
life_clear (Life *life)
{
  g_assert_null (life->held);
  js_test_counter_clear (&life->called);
  js_test_counter_clear (&life->returned);
  js_test_counter_clear (&life->data_freed);
  js_test_counter_clear (&life->result_freed);
  js_test_gate_clear (&life->gate);
}

/* Joins the next task and checks it is @life's. */
static JsTask *
join_life (JsJoinSet *set,
           Life      *life)
{
  g_autoptr(GError) error = NULL;
  JsTask *task;

  task = js_test_join_next (set, &error);
  g_assert_no_error (error);
  g_assert_nonnull (task);
  g_assert_cmpuint (js_task_get_id (task), ==, life->id);
  g_assert_true (js_task_get_completed (task));

  return task;
}

static void
assert_result (JsTask *task,
               gssize  value)
{
  g_autoptr(GError) error = NULL;
  JsTestTracked *result;

  g_assert_false (js_task_had_error (task));
  result = js_task_propagate_pointer (task, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpint (result->value, ==, value);
  js_test_tracked_free (result);
}

static void
join_cancelled (JsJoinSet *set,
                Life      *life)
{
  JsTask *task = join_life (set, life);

  js_test_assert_cancelled (task);
  g_object_unref (task);
}

static void
join_result (JsJoinSet *set,
             Life      *life)
{
  JsTask *task = join_life (set, life);

  assert_result (task, life->value);
  g_object_unref (task);
}

/* ------------------------------------------------------------------------
 * abort
 * ------------------------------------------------------------------------ */

static void
test_abort_queued (void)
{
  g_test_summary ("Aborting a queued task: it never starts, its user_data is "
                  "destroyed at once, and it joins as G_IO_ERROR_CANCELLED");

  for (Kind kind = KIND_THREAD; kind <= KIND_MAIN; kind++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      Life first, queued;

      g_test_message ("kind: %s", kind_names[kind]);

      life_init (&first, kind, TRUE, TRUE, 1);
      life_init (&queued, kind, FALSE, TRUE, 2);

      js_join_set_set_max_concurrent (set, 1);
      life_spawn (set, &first);
      life_await_started (&first);
      life_spawn (set, &queued);

      g_assert_true (js_join_set_abort (set, queued.id));
      g_assert_cmpint (js_test_counter_get (&queued.data_freed), ==, 1);
      g_assert_cmpint (js_test_counter_get (&queued.called), ==, 0);

      join_cancelled (set, &queued);

      life_release (&first);
      join_result (set, &first);
      js_test_iterate_pending (NULL);

      life_assert_settled (&first, 1, 1);
      life_assert_settled (&queued, 0, 0);
      g_assert_finalize_object (g_steal_pointer (&set));
      g_assert_cmpint (js_test_counter_get (&queued.called), ==, 0);
      g_assert_cmpint (js_test_counter_get (&queued.data_freed), ==, 1);
      life_clear (&first);
      life_clear (&queued);
    }
}

static void
test_abort_not_started (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Life life;

  g_test_summary ("Aborting a main-context task before its context ran it: "
                  "it never runs and its user_data is destroyed at once");

  life_init (&life, KIND_MAIN, FALSE, TRUE, 1);
  life_spawn (set, &life);
  g_assert_true (js_join_set_abort (set, life.id));
  g_assert_cmpint (js_test_counter_get (&life.data_freed), ==, 1);

  join_cancelled (set, &life);
  js_test_iterate_pending (NULL);
  life_assert_settled (&life, 0, 0);

  g_assert_finalize_object (g_steal_pointer (&set));
  life_clear (&life);
}

static void
test_abort_running (void)
{
  g_test_summary ("Aborting a running task cancels its cancellable and "
                  "joins it as G_IO_ERROR_CANCELLED at once, even if it "
                  "ignores cancellation; its late result is freed");

  for (Kind kind = KIND_THREAD; kind <= KIND_MAIN; kind++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      JsTask *task;
      Life life;

      g_test_message ("kind: %s", kind_names[kind]);

      life_init (&life, kind, TRUE, TRUE, 3);
      life_spawn (set, &life);
      life_await_started (&life);
      g_assert_false (g_cancellable_is_cancelled (life.cancellable));

      g_assert_true (js_join_set_abort (set, life.id));
      g_assert_true (g_cancellable_is_cancelled (life.cancellable));

      /* at once: no iteration, and the function is still blocked */
      task = js_join_set_try_join_next (set);
      g_assert_nonnull (task);
      g_assert_cmpuint (js_task_get_id (task), ==, life.id);
      js_test_assert_cancelled (task);
      g_assert_cmpint (js_test_counter_get (&life.returned), ==, 0);
      g_assert_true (js_join_set_is_empty (set));

      /* what it returns now is freed, though the consumer holds the task */
      life_release (&life);
      g_assert_cmpint (js_test_counter_await (&life.result_freed, 1), ==, 1);
      js_test_assert_cancelled (task);
      g_object_unref (task);

      life_assert_settled (&life, 1, 1);
      g_assert_finalize_object (g_steal_pointer (&set));
      life_clear (&life);
    }
}

static void
test_abort_completed (void)
{
  g_test_summary ("Aborting a task that already completed returns FALSE and "
                  "keeps its real result");

  for (Kind kind = KIND_THREAD; kind <= KIND_MAIN; kind++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      Life life;

      life_init (&life, kind, FALSE, TRUE, 4);
      life_spawn (set, &life);
      life_await_started (&life);
      if (kind == KIND_THREAD)
        js_test_counter_await (&life.returned, 1);

      g_assert_false (js_join_set_abort (set, life.id));
      join_result (set, &life);

      life_assert_settled (&life, 1, 1);
      g_assert_finalize_object (g_steal_pointer (&set));
      life_clear (&life);
    }
}

static void
test_abort_twice (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *task;
  Life life;

  g_test_summary ("Aborting twice is harmless: the second abort returns FALSE");

  life_init (&life, KIND_THREAD, TRUE, TRUE, 5);
  life_spawn (set, &life);
  life_await_started (&life);

  g_assert_true (js_join_set_abort (set, life.id));
  g_assert_false (js_join_set_abort (set, life.id));

  task = join_life (set, &life);
  js_test_assert_cancelled (task);
  /* and after it was joined */
  g_assert_false (js_join_set_abort (set, life.id));

  life_release (&life);
  g_object_unref (task);
  life_assert_settled (&life, 1, 1);
  g_assert_finalize_object (g_steal_pointer (&set));
  life_clear (&life);
}

static void
test_abort_unknown (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(JsJoinSet) other = js_join_set_new ();
  Life life;

  g_assert_false (js_join_set_abort (set, 0));
  g_assert_false (js_join_set_abort (set, 1));
  g_assert_false (js_join_set_abort (set, G_MAXUINT64));

  life_init (&life, KIND_THREAD, TRUE, TRUE, 6);
  life_spawn (set, &life);
  life_await_started (&life);

  g_assert_false (js_join_set_abort (set, life.id + 1));
  g_assert_false (js_join_set_abort (set, 0));
  /* ids belong to their set */
  g_assert_false (js_join_set_abort (other, life.id));
  g_assert_false (g_cancellable_is_cancelled (life.cancellable));

  life_release (&life);
  join_result (set, &life);
  life_assert_settled (&life, 1, 1);
  g_assert_finalize_object (g_steal_pointer (&set));
  g_assert_finalize_object (g_steal_pointer (&other));
  life_clear (&life);
}

typedef struct
{
  JsJoinSet *set;
  guint64    id;
} AbortFromThread;

static gpointer
abort_thread_func (gpointer data)
{
  AbortFromThread *a = data;

  return GINT_TO_POINTER (js_join_set_abort (a->set, a->id));
}

static void
test_abort_from_thread (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  AbortFromThread a;
  GThread *thread;
  Life life;

  life_init (&life, KIND_THREAD, TRUE, TRUE, 7);
  life_spawn (set, &life);
  life_await_started (&life);

  a.set = set;
  a.id = life.id;
  thread = g_thread_new ("aborter", abort_thread_func, &a);
  g_assert_true (GPOINTER_TO_INT (g_thread_join (thread)));
  g_assert_true (g_cancellable_is_cancelled (life.cancellable));

  join_cancelled (set, &life);
  life_release (&life);
  life_assert_settled (&life, 1, 1);
  g_assert_finalize_object (g_steal_pointer (&set));
  life_clear (&life);
}

typedef struct
{
  JsJoinSet *set;          /* the only reference, until cancelled */
  JsTask    *task;
  gboolean   cancelled;
} DropOnCancel;

static void
drop_on_cancel (GCancellable *cancellable,
                DropOnCancel *d)
{
  d->cancelled = TRUE;
  g_clear_object (&d->task);
  g_clear_object (&d->set);
}

/* Keeps running: holds its task and lets drop_on_cancel() finish it. */
static void
keep_running_func (JsTask   *task,
                   gpointer  user_data)
{
  DropOnCancel *d = user_data;

  d->task = g_object_ref (task);
  g_cancellable_connect (js_task_get_cancellable (task), G_CALLBACK (drop_on_cancel), d, NULL);
}

static void
int_func (JsTask   *task,
          gpointer  user_data)
{
  js_task_return_int (task, 1);
}

static void
test_abort_handler_drops_set (void)
{
  DropOnCancel d = { 0 };
  JsJoinSet *set = js_join_set_new ();
  gpointer weak = set;
  guint64 id;

  g_test_summary ("A cancelled handler drops the last reference to the set "
                  "while js_join_set_abort() is on the stack, after the "
                  "abort freed a slot for a queued thread task: nothing is "
                  "used after it is freed (run under ASan in CI)");

  js_join_set_set_max_concurrent (set, 1);
  id = js_join_set_spawn (set, keep_running_func, &d, NULL);
  js_join_set_spawn_in_thread (set, int_func, NULL, NULL);
  g_object_add_weak_pointer (G_OBJECT (set), &weak);
  d.set = set;

  while (d.task == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (js_join_set_abort (set, id));
  g_assert_true (d.cancelled);
  g_assert_null (weak);
  g_assert_null (d.set);
  js_test_iterate_pending (NULL);
}

static void
test_abort_all (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Life done, thread, held, queued, after;
  Life *aborted[] = { &thread, &held, &queued };

  g_test_summary ("abort_all() aborts every unfinished task, keeps finished "
                  "results, and leaves the set open");

  life_init (&done, KIND_THREAD, FALSE, TRUE, 1);
  life_init (&thread, KIND_THREAD, TRUE, TRUE, 2);
  life_init (&held, KIND_MAIN, TRUE, TRUE, 3);
  life_init (&queued, KIND_THREAD, FALSE, TRUE, 4);
  life_init (&after, KIND_MAIN, FALSE, TRUE, 5);

  life_spawn (set, &done);
  js_test_counter_await (&done.returned, 1);
  life_spawn (set, &thread);
  life_spawn (set, &held);
  life_await_started (&thread);
  life_await_started (&held);
  js_join_set_set_max_concurrent (set, 1);
  life_spawn (set, &queued);

  js_join_set_abort_all (set);
  g_assert_false (js_join_set_is_closed (set));
  g_assert_true (g_cancellable_is_cancelled (thread.cancellable));
  g_assert_true (g_cancellable_is_cancelled (held.cancellable));
  g_assert_cmpint (js_test_counter_get (&queued.data_freed), ==, 1);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 4);

  join_result (set, &done);
  for (guint n = 0; n < G_N_ELEMENTS (aborted); n++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsTask) task = js_test_join_next (set, &error);
      gboolean found = FALSE;

      g_assert_no_error (error);
      g_assert_nonnull (task);
      js_test_assert_cancelled (task);
      for (guint i = 0; i < G_N_ELEMENTS (aborted); i++)
        if (aborted[i]->id == js_task_get_id (task))
          found = TRUE;
      g_assert_true (found);
    }
  g_assert_true (js_join_set_is_empty (set));

  /* still open (and no longer limited: the aborted thread function still
   * holds its slot until it returns) */
  js_join_set_set_max_concurrent (set, 0);
  g_assert_cmpuint (life_spawn (set, &after), !=, 0);
  join_result (set, &after);

  life_release (&thread);
  life_release (&held);
  life_assert_settled (&done, 1, 1);
  life_assert_settled (&thread, 1, 1);
  life_assert_settled (&held, 1, 1);
  life_assert_settled (&queued, 0, 0);
  life_assert_settled (&after, 1, 1);

  g_assert_finalize_object (g_steal_pointer (&set));
  life_clear (&done);
  life_clear (&thread);
  life_clear (&held);
  life_clear (&queued);
  life_clear (&after);
}

/* ------------------------------------------------------------------------
 * abort-on-error
 * ------------------------------------------------------------------------ */

typedef struct
{
  GQuark  domain;
  gint    code;
} Failure;

static void
fail_func (JsTask   *task,
           gpointer  user_data)
{
  const Failure *failure = user_data;

  js_task_return_new_error (task, failure->domain, failure->code, "failure %d", failure->code);
}

static void
test_abort_on_error (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GError) error = NULL;
  Failure own;
  Life running, queued;
  JsTask *task;
  guint64 failing_id;

  g_test_summary ("With abort-on-error, the first failing task aborts the "
                  "unfinished ones, which join as cancelled, and keeps its "
                  "own error");

  own.domain = TEST_ERROR;
  own.code = 9;
  life_init (&running, KIND_THREAD, TRUE, TRUE, 1);
  life_init (&queued, KIND_MAIN, FALSE, TRUE, 2);

  js_join_set_set_abort_on_error (set, TRUE);
  js_join_set_set_max_concurrent (set, 2);
  life_spawn (set, &running);
  life_await_started (&running);
  failing_id = js_join_set_spawn (set, fail_func, &own, NULL);
  life_spawn (set, &queued);

  task = js_test_join_next (set, &error);
  g_assert_no_error (error);
  g_assert_nonnull (task);
  g_assert_cmpuint (js_task_get_id (task), ==, failing_id);
  g_assert_cmpint (js_task_propagate_int (task, &error), ==, -1);
  g_assert_error (error, TEST_ERROR, 9);
  g_assert_cmpstr (error->message, ==, "failure 9");
  g_clear_error (&error);
  g_object_unref (task);

  g_assert_true (g_cancellable_is_cancelled (running.cancellable));
  g_assert_cmpint (js_test_counter_get (&queued.data_freed), ==, 1);
  g_assert_cmpint (js_test_counter_get (&running.returned), ==, 0);

  for (guint n = 0; n < 2; n++)
    {
      g_autoptr(JsTask) aborted = js_test_join_next (set, &error);

      g_assert_no_error (error);
      g_assert_nonnull (aborted);
      g_assert_true (js_task_get_id (aborted) == running.id ||
                     js_task_get_id (aborted) == queued.id);
      js_test_assert_cancelled (aborted);
    }
  g_assert_true (js_join_set_is_empty (set));

  life_release (&running);
  js_test_iterate_pending (NULL);
  life_assert_settled (&running, 1, 1);
  life_assert_settled (&queued, 0, 0);
  g_assert_finalize_object (g_steal_pointer (&set));
  life_clear (&running);
  life_clear (&queued);
}

static void
test_abort_on_error_not_cancellation (void)
{
  Failure own;

  g_test_summary ("A task failing with G_IO_ERROR_CANCELLED does not abort "
                  "the others, nor does any error when abort-on-error is "
                  "off");

  own.domain = G_IO_ERROR;
  own.code = G_IO_ERROR_CANCELLED;

  for (guint variant = 0; variant < 2; variant++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      g_autoptr(GError) error = NULL;
      Failure real;
      Life running;
      JsTask *task;
      guint64 id;

      real.domain = TEST_ERROR;
      real.code = 3;
      life_init (&running, KIND_THREAD, TRUE, TRUE, 1);
      js_join_set_set_abort_on_error (set, variant == 0);
      life_spawn (set, &running);
      life_await_started (&running);

      id = js_join_set_spawn (set, fail_func, variant == 0 ? &own : &real, NULL);
      task = js_test_join_next (set, &error);
      g_assert_no_error (error);
      g_assert_nonnull (task);
      g_assert_cmpuint (js_task_get_id (task), ==, id);
      g_assert_true (js_task_had_error (task));
      g_object_unref (task);

      js_test_iterate_pending (NULL);
      g_assert_false (g_cancellable_is_cancelled (running.cancellable));
      g_assert_null (js_join_set_try_join_next (set));

      life_release (&running);
      join_result (set, &running);
      life_assert_settled (&running, 1, 1);
      g_assert_finalize_object (g_steal_pointer (&set));
      life_clear (&running);
    }
}

static void
test_abort_on_error_abandoned (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GError) error = NULL;
  Life running, abandoned;
  JsTask *task;

  g_test_summary ("An abandoned task failed: with abort-on-error it aborts "
                  "the others");

  life_init (&running, KIND_THREAD, TRUE, TRUE, 1);
  life_init (&abandoned, KIND_MAIN, FALSE, FALSE, 2);

  js_join_set_set_abort_on_error (set, TRUE);
  life_spawn (set, &running);
  life_await_started (&running);
  life_spawn (set, &abandoned);

  task = join_life (set, &abandoned);
  g_assert_null (js_task_propagate_pointer (task, &error));
  g_assert_error (error, JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED);
  g_object_unref (task);

  g_assert_true (g_cancellable_is_cancelled (running.cancellable));
  join_cancelled (set, &running);

  life_release (&running);
  life_assert_settled (&running, 1, 1);
  life_assert_settled (&abandoned, 1, 0);
  g_assert_finalize_object (g_steal_pointer (&set));
  life_clear (&running);
  life_clear (&abandoned);
}

/* ------------------------------------------------------------------------
 * The parent cancellable
 * ------------------------------------------------------------------------ */

static void
test_parent_cancellable (void)
{
  g_test_summary ("Cancelling the parent cancellable aborts every task and "
                  "closes the set: later spawns return 0 and destroy their "
                  "user_data at once");

  for (guint how = 0; how < 2; how++)
    {
      GCancellable *parent = g_cancellable_new ();
      GCancellable *got = NULL;
      JsJoinSet *set;
      Life running, held, queued, late_thread, late_main;

      if (how == 0)
        set = js_join_set_new_with_cancellable (parent);
      else
        set = g_object_new (JS_TYPE_JOIN_SET, "cancellable", parent, NULL);

      g_assert_true (js_join_set_get_cancellable (set) == parent);
      g_object_get (set, "cancellable", &got, NULL);
      g_assert_true (got == parent);
      g_object_unref (got);
      g_assert_false (js_join_set_is_closed (set));

      life_init (&running, KIND_THREAD, TRUE, TRUE, 1);
      life_init (&held, KIND_MAIN, TRUE, TRUE, 2);
      life_init (&queued, KIND_THREAD, FALSE, TRUE, 3);
      life_init (&late_thread, KIND_THREAD, FALSE, TRUE, 4);
      life_init (&late_main, KIND_MAIN, FALSE, TRUE, 5);

      life_spawn (set, &running);
      life_spawn (set, &held);
      life_await_started (&running);
      life_await_started (&held);
      js_join_set_set_max_concurrent (set, 1);
      life_spawn (set, &queued);

      g_cancellable_cancel (parent);
      g_assert_true (js_join_set_is_closed (set));
      g_assert_true (g_cancellable_is_cancelled (running.cancellable));
      g_assert_true (g_cancellable_is_cancelled (held.cancellable));
      g_assert_cmpint (js_test_counter_get (&queued.data_freed), ==, 1);

      g_assert_cmpuint (life_spawn (set, &late_thread), ==, 0);
      g_assert_cmpint (js_test_counter_get (&late_thread.data_freed), ==, 1);
      g_assert_cmpuint (life_spawn (set, &late_main), ==, 0);
      g_assert_cmpint (js_test_counter_get (&late_main.data_freed), ==, 1);

      g_assert_cmpuint (js_join_set_get_length (set), ==, 3);
      for (guint n = 0; n < 3; n++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(JsTask) task = js_test_join_next (set, &error);

          g_assert_no_error (error);
          g_assert_nonnull (task);
          js_test_assert_cancelled (task);
        }
      g_assert_true (js_join_set_is_empty (set));

      life_release (&running);
      life_release (&held);
      js_test_iterate_pending (NULL);
      life_assert_settled (&running, 1, 1);
      life_assert_settled (&held, 1, 1);
      life_assert_settled (&queued, 0, 0);
      life_assert_settled (&late_thread, 0, 0);
      life_assert_settled (&late_main, 0, 0);

      g_assert_finalize_object (set);
      g_assert_finalize_object (parent);
      life_clear (&running);
      life_clear (&held);
      life_clear (&queued);
      life_clear (&late_thread);
      life_clear (&late_main);
    }
}

static void
test_parent_cancellable_cancelled (void)
{
  GCancellable *parent = g_cancellable_new ();
  JsJoinSet *set;
  Life late;

  g_test_summary ("A set whose parent is already cancelled is closed from "
                  "the start");

  g_cancellable_cancel (parent);
  set = js_join_set_new_with_cancellable (parent);
  g_assert_true (js_join_set_is_closed (set));

  life_init (&late, KIND_THREAD, FALSE, TRUE, 1);
  g_assert_cmpuint (life_spawn (set, &late), ==, 0);
  g_assert_cmpint (js_test_counter_get (&late.data_freed), ==, 1);
  g_assert_true (js_join_set_is_empty (set));

  g_assert_finalize_object (set);
  g_assert_finalize_object (parent);
  g_assert_cmpint (js_test_counter_get (&late.called), ==, 0);
  life_clear (&late);
}

static void
test_parent_cancellable_outlives (void)
{
  GCancellable *parent = g_cancellable_new ();
  JsJoinSet *set = js_join_set_new_with_cancellable (parent);

  g_test_summary ("A set dropped before its parent cancellable is "
                  "disconnected from it: cancelling the parent later is "
                  "harmless");

  g_assert_finalize_object (set);
  g_cancellable_cancel (parent);
  g_assert_finalize_object (parent);
}

static void
test_parent_cancellable_reused (void)
{
  GCancellable *parent = g_cancellable_new ();
  guint cancelled_signal = g_signal_lookup ("cancelled", G_TYPE_CANCELLABLE);

  g_test_summary ("A set dropped after its parent was cancelled leaves no "
                  "handler on it: a long-lived parent, cancelled and reset "
                  "between groups, does not collect the handlers of dead "
                  "sets");

  for (guint round = 0; round < 3; round++)
    {
      JsJoinSet *set = js_join_set_new_with_cancellable (parent);

      g_assert_true (g_signal_has_handler_pending (parent, cancelled_signal, 0, TRUE));
      g_cancellable_cancel (parent);
      g_assert_true (js_join_set_is_closed (set));
      g_assert_finalize_object (set);
      g_assert_false (g_signal_has_handler_pending (parent, cancelled_signal, 0, TRUE));
      g_cancellable_reset (parent);
    }

  g_assert_finalize_object (parent);
}

/* ------------------------------------------------------------------------
 * shutdown
 * ------------------------------------------------------------------------ */

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
  gint      returned_then;
  Life     *watched;
} Shutdown;

static void
shutdown_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Shutdown *s = user_data;

  g_assert_false (s->done);
  s->ok = js_join_set_shutdown_finish (JS_JOIN_SET (object), result, &s->error);
  if (s->watched != NULL)
    s->returned_then = js_test_counter_get (&s->watched->returned);
  s->done = TRUE;
}

static gboolean
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;

  return G_SOURCE_REMOVE;
}

static void
test_shutdown (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GError) error = NULL;
  gboolean waited = FALSE;
  Life running, held, late, again;
  Shutdown s = { 0 };
  JsTask *task;

  g_test_summary ("shutdown_async() aborts its tasks and frees them (the "
                  "set is empty at once), refuses spawns while it waits, "
                  "completes only once no thread function runs any more, "
                  "and leaves an empty set that accepts spawns again");

  life_init (&running, KIND_THREAD, TRUE, TRUE, 1);
  life_init (&held, KIND_MAIN, TRUE, TRUE, 2);
  life_init (&late, KIND_THREAD, FALSE, TRUE, 3);
  life_init (&again, KIND_THREAD, FALSE, TRUE, 4);
  s.watched = &running;

  life_spawn (set, &running);
  life_spawn (set, &held);
  life_await_started (&running);
  life_await_started (&held);

  js_join_set_shutdown_async (set, NULL, shutdown_cb, &s);
  g_assert_true (js_join_set_is_closed (set));
  g_assert_true (g_cancellable_is_cancelled (running.cancellable));
  g_assert_true (g_cancellable_is_cancelled (held.cancellable));
  g_assert_cmpuint (js_join_set_get_length (set), ==, 0);
  g_assert_null (js_join_set_try_join_next (set));
  g_assert_cmpuint (life_spawn (set, &late), ==, 0);
  g_assert_cmpint (js_test_counter_get (&late.data_freed), ==, 1);

  /* the thread function ignores its cancellable: the shutdown waits */
  g_timeout_add (50, set_flag_cb, &waited);
  js_test_iterate_until (NULL, &waited);
  g_assert_false (s.done);

  /* when the shutdown completes, the function has returned */
  js_test_gate_open (&running.gate);
  js_test_iterate_until (NULL, &s.done);
  g_assert_no_error (s.error);
  g_assert_true (s.ok);
  g_assert_cmpint (s.returned_then, ==, 1);

  /* nothing is left to join, and the late results are freed */
  g_assert_cmpuint (js_join_set_get_length (set), ==, 0);
  g_assert_true (js_join_set_is_empty (set));
  g_assert_null (js_join_set_join_next (set, NULL, &error));
  g_assert_no_error (error);
  life_release (&held);
  life_assert_settled (&running, 1, 1);
  life_assert_settled (&held, 1, 1);
  life_assert_settled (&late, 0, 0);

  /* the set is open again */
  g_assert_false (js_join_set_is_closed (set));
  g_assert_cmpuint (life_spawn (set, &again), !=, 0);
  task = js_join_set_join_next (set, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (js_task_get_id (task), ==, again.id);
  g_assert_false (js_task_had_error (task));
  g_object_unref (task);

  life_assert_settled (&again, 1, 1);
  g_assert_finalize_object (g_steal_pointer (&set));
  life_clear (&running);
  life_clear (&held);
  life_clear (&late);
  life_clear (&again);
}

static void
test_shutdown_empty (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Shutdown s = { 0 };

  g_test_summary ("Shutting down an empty set completes later, never "
                  "inside the call, and leaves the set open");

  js_join_set_shutdown_async (set, NULL, shutdown_cb, &s);
  g_assert_false (s.done);
  /* Nothing runs: the shutdown is done waiting at once. */
  g_assert_false (js_join_set_is_closed (set));
  js_test_iterate_until (NULL, &s.done);
  g_assert_no_error (s.error);
  g_assert_true (s.ok);
  g_assert_false (js_join_set_is_closed (set));

  g_assert_finalize_object (g_steal_pointer (&set));
}

static void
test_shutdown_cancel (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Shutdown s = { 0 };
  Life running;

  g_test_summary ("Cancelling a shutdown stops the wait with "
                  "G_IO_ERROR_CANCELLED; the set is empty and accepts "
                  "spawns again, and the late result is freed");

  life_init (&running, KIND_THREAD, TRUE, TRUE, 1);
  life_spawn (set, &running);
  life_await_started (&running);

  js_join_set_shutdown_async (set, cancellable, shutdown_cb, &s);
  js_test_iterate_pending (NULL);
  g_assert_false (s.done);
  g_assert_true (js_join_set_is_closed (set));
  g_cancellable_cancel (cancellable);
  js_test_iterate_until (NULL, &s.done);
  g_assert_false (s.ok);
  g_assert_error (s.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&s.error);
  g_assert_false (js_join_set_is_closed (set));
  g_assert_cmpuint (js_join_set_get_length (set), ==, 0);

  life_release (&running);
  g_assert_null (js_join_set_try_join_next (set));
  life_assert_settled (&running, 1, 1);
  g_assert_finalize_object (g_steal_pointer (&set));
  life_clear (&running);
}

static void
test_shutdown_cancel_no_warning (void)
{
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(JsJoinSet) set = NULL;
  Shutdown s = { 0 };
  gboolean waited = FALSE;
  Life running;

  g_test_summary ("A cancelled shutdown takes its warning about a stuck "
                  "task with it: no warning after the delay");

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      g_test_trap_assert_stderr_unmatched ("*shutdown has waited*");
      return;
    }

  /* Read once per process, by its first shutdown: this one. */
  g_setenv ("JS_SHUTDOWN_WARNING_SECONDS", "1", TRUE);
  set = js_join_set_new ();
  cancellable = g_cancellable_new ();

  life_init (&running, KIND_THREAD, TRUE, TRUE, 1);
  life_spawn (set, &running);
  life_await_started (&running);

  js_join_set_shutdown_async (set, cancellable, shutdown_cb, &s);
  g_cancellable_cancel (cancellable);
  js_test_iterate_until (NULL, &s.done);
  g_assert_error (s.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&s.error);

  /* Past the warning's delay, with the task still stuck. */
  g_timeout_add (1500, set_flag_cb, &waited);
  js_test_iterate_until (NULL, &waited);

  life_release (&running);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 0);
  life_assert_settled (&running, 1, 1);
  g_assert_finalize_object (g_steal_pointer (&set));
  life_clear (&running);
}

/* ------------------------------------------------------------------------
 * Dispose
 * ------------------------------------------------------------------------ */

static void
test_dispose (void)
{
  JsJoinSet *set = js_join_set_new ();
  Life done, running, held, queued_thread, queued_main, ready_main;

  g_test_summary ("Dropping the set: tasks never keep it alive; running "
                  "tasks are cancelled, queued ones never run, and every "
                  "user_data and result is destroyed exactly once, also for "
                  "functions that return after the set is gone");

  life_init (&done, KIND_THREAD, FALSE, TRUE, 1);
  life_init (&running, KIND_THREAD, TRUE, TRUE, 2);
  life_init (&held, KIND_MAIN, TRUE, TRUE, 3);
  life_init (&queued_thread, KIND_THREAD, FALSE, TRUE, 4);
  life_init (&queued_main, KIND_MAIN, FALSE, TRUE, 5);

  life_spawn (set, &done);
  js_test_counter_await (&done.returned, 1);
  life_spawn (set, &running);
  life_spawn (set, &held);
  life_await_started (&running);
  life_await_started (&held);
  js_join_set_set_max_concurrent (set, 1);
  life_spawn (set, &queued_thread);
  life_spawn (set, &queued_main);

  g_assert_finalize_object (set);

  /* A thread task is cancelled during the dispose; a task of the set's
   * context from that context, on its next iteration. */
  g_assert_true (g_cancellable_is_cancelled (running.cancellable));
  g_assert_false (g_cancellable_is_cancelled (held.cancellable));
  g_main_context_iteration (NULL, FALSE);
  g_assert_true (g_cancellable_is_cancelled (held.cancellable));
  g_assert_cmpint (js_test_counter_get (&queued_thread.data_freed), ==, 1);
  g_assert_cmpint (js_test_counter_get (&queued_main.data_freed), ==, 1);
  life_assert_settled (&done, 1, 1);

  /* functions that finish after the set is gone */
  g_assert_cmpint (js_test_counter_get (&running.data_freed), ==, 0);
  g_assert_cmpint (js_test_counter_get (&held.data_freed), ==, 0);
  life_release (&held);
  g_assert_cmpint (js_test_counter_get (&held.result_freed), ==, 1);
  life_release (&running);

  js_test_iterate_pending (NULL);
  life_assert_settled (&running, 1, 1);
  life_assert_settled (&held, 1, 1);
  life_assert_settled (&queued_thread, 0, 0);
  life_assert_settled (&queued_main, 0, 0);

  /* a main-context task the context had not run yet never runs either */
  set = js_join_set_new ();
  life_init (&ready_main, KIND_MAIN, FALSE, TRUE, 6);
  life_spawn (set, &ready_main);
  g_assert_finalize_object (set);
  g_assert_cmpint (js_test_counter_get (&ready_main.data_freed), ==, 1);
  js_test_iterate_pending (NULL);
  life_assert_settled (&ready_main, 0, 0);

  life_clear (&done);
  life_clear (&running);
  life_clear (&held);
  life_clear (&queued_thread);
  life_clear (&queued_main);
  life_clear (&ready_main);
}

static void
record_cancel_thread (GCancellable *cancellable,
                      gpointer      user_data)
{
  g_atomic_pointer_set ((GThread **) user_data, g_thread_self ());
}

static gpointer
unref_in_thread (gpointer data)
{
  g_object_unref (data);
  return NULL;
}

static void
test_dispose_other_thread (void)
{
  JsJoinSet *set = js_join_set_new ();
  GThread *cancelled_in = NULL;
  GThread *thread;
  Life held;

  g_test_summary ("A set whose last reference is dropped in another thread "
                  "cancels its running main-context tasks from its own "
                  "context, so their cancelled handlers run in its thread");

  life_init (&held, KIND_MAIN, TRUE, TRUE, 1);
  life_spawn (set, &held);
  life_await_started (&held);
  g_cancellable_connect (held.cancellable, G_CALLBACK (record_cancel_thread),
                         &cancelled_in, NULL);

  thread = g_thread_new ("unref", unref_in_thread, set);
  g_thread_join (thread);
  g_assert_false (g_cancellable_is_cancelled (held.cancellable));

  js_test_iterate_pending (NULL);
  g_assert_true (g_cancellable_is_cancelled (held.cancellable));
  g_assert_true (g_atomic_pointer_get (&cancelled_in) == g_thread_self ());

  life_release (&held);
  life_assert_settled (&held, 1, 1);
  life_clear (&held);
}

static void
test_dispose_run_dispose (void)
{
  JsJoinSet *set = js_join_set_new ();
  JsTestJoin join = { 0 };
  Life running, late;

  g_test_summary ("A set disposed explicitly (as bindings do) but still "
                  "referenced is closed and empty, and may be disposed again");

  life_init (&running, KIND_THREAD, TRUE, TRUE, 1);
  life_init (&late, KIND_MAIN, FALSE, TRUE, 2);
  life_spawn (set, &running);
  life_await_started (&running);

  g_object_run_dispose (G_OBJECT (set));
  g_assert_true (g_cancellable_is_cancelled (running.cancellable));
  g_assert_true (js_join_set_is_closed (set));
  g_assert_true (js_join_set_is_empty (set));
  g_assert_cmpuint (life_spawn (set, &late), ==, 0);
  g_assert_cmpint (js_test_counter_get (&late.data_freed), ==, 1);

  js_join_set_join_next_async (set, NULL, js_test_join_cb, &join);
  js_test_iterate_until (NULL, &join.done);
  g_assert_null (join.task);
  g_assert_no_error (join.error);

  g_object_run_dispose (G_OBJECT (set));
  life_release (&running);
  life_assert_settled (&running, 1, 1);
  life_assert_settled (&late, 0, 0);
  g_assert_finalize_object (set);
  life_clear (&running);
  life_clear (&late);
}

static void
test_dispose_run_dispose_pending_joins (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  JsJoinSet *set = js_join_set_new ();
  JsTestJoin next = { 0 };
  JsTestJoinAll all = { 0 };
  Life running;

  g_test_summary ("Joins pending when a set is disposed explicitly complete "
                  "with an empty set instead of waiting forever (and "
                  "keeping the set alive)");

  life_init (&running, KIND_THREAD, TRUE, TRUE, 1);
  life_spawn (set, &running);
  life_await_started (&running);

  /* One light join (no cancellable), one through a GTask. */
  js_join_set_join_next_async (set, NULL, js_test_join_cb, &next);
  js_join_set_join_all_async (set, cancellable, js_test_join_all_cb, &all);
  js_test_iterate_pending (NULL);
  g_assert_false (next.done);
  g_assert_false (all.done);

  g_object_run_dispose (G_OBJECT (set));
  g_assert_false (next.done);
  g_assert_false (all.done);
  js_test_iterate_until (NULL, &next.done);
  js_test_iterate_until (NULL, &all.done);

  g_assert_no_error (next.error);
  g_assert_null (next.task);
  g_assert_no_error (all.error);
  g_assert_nonnull (all.tasks);
  g_assert_cmpuint (all.tasks->len, ==, 0);
  g_ptr_array_unref (all.tasks);

  life_release (&running);
  life_assert_settled (&running, 1, 1);
  g_assert_finalize_object (set);
  life_clear (&running);
}

/* ------------------------------------------------------------------------
 * Exactly once, path by path
 * ------------------------------------------------------------------------ */

typedef enum
{
  PATH_JOINED,
  PATH_ABORTED_QUEUED,
  PATH_ABORTED_RUNNING,
  PATH_DETACHED,
  PATH_DISPOSED_RUNNING,
  PATH_DISPOSED_COMPLETED,
  PATH_ABANDONED,
  PATH_CLOSED,
} Path;

static void
test_exactly_once (gconstpointer data)
{
  Path path = GPOINTER_TO_INT (data);

  for (Kind kind = KIND_THREAD; kind <= KIND_MAIN; kind++)
    {
      JsJoinSet *set = js_join_set_new ();
      JsTask *task;
      Life blocker, life;

      g_test_message ("kind: %s", kind_names[kind]);

      life_init (&blocker, kind, TRUE, TRUE, 0);
      life_init (&life, kind,
                 path == PATH_ABORTED_RUNNING || path == PATH_DETACHED ||
                 path == PATH_DISPOSED_RUNNING,
                 path != PATH_ABANDONED, 1);

      switch (path)
        {
        case PATH_JOINED:
          life_spawn (set, &life);
          task = join_life (set, &life);
          g_object_unref (task);
          life_assert_settled (&life, 1, 1);
          break;

        case PATH_ABORTED_QUEUED:
          js_join_set_set_max_concurrent (set, 1);
          life_spawn (set, &blocker);
          life_await_started (&blocker);
          life_spawn (set, &life);
          g_assert_true (js_join_set_abort (set, life.id));
          g_assert_cmpint (js_test_counter_get (&life.data_freed), ==, 1);
          join_cancelled (set, &life);
          life_release (&blocker);
          join_result (set, &blocker);
          life_assert_settled (&blocker, 1, 1);
          life_assert_settled (&life, 0, 0);
          break;

        case PATH_ABORTED_RUNNING:
          life_spawn (set, &life);
          life_await_started (&life);
          g_assert_true (js_join_set_abort (set, life.id));
          join_cancelled (set, &life);
          life_release (&life);
          life_assert_settled (&life, 1, 1);
          break;

        case PATH_DETACHED:
          life_spawn (set, &life);
          life_await_started (&life);
          js_join_set_detach_all (set);
          life_release (&life);
          life_assert_settled (&life, 1, 1);
          break;

        case PATH_DISPOSED_RUNNING:
          life_spawn (set, &life);
          life_await_started (&life);
          g_assert_finalize_object (g_steal_pointer (&set));
          life_release (&life);
          life_assert_settled (&life, 1, 1);
          break;

        case PATH_DISPOSED_COMPLETED:
          life_spawn (set, &life);
          life_await_started (&life);
          if (kind == KIND_THREAD)
            js_test_counter_await (&life.returned, 1);
          g_assert_finalize_object (g_steal_pointer (&set));
          life_assert_settled (&life, 1, 1);
          break;

        case PATH_ABANDONED:
          life_spawn (set, &life);
          task = join_life (set, &life);
          {
            g_autoptr(GError) error = NULL;

            g_assert_null (js_task_propagate_pointer (task, &error));
            g_assert_error (error, JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED);
          }
          g_object_unref (task);
          life_assert_settled (&life, 1, 0);
          break;

        case PATH_CLOSED:
          js_join_set_close (set);
          g_assert_cmpuint (life_spawn (set, &life), ==, 0);
          g_assert_cmpint (js_test_counter_get (&life.data_freed), ==, 1);
          js_test_iterate_pending (NULL);
          life_assert_settled (&life, 0, 0);
          break;

        default:
          g_assert_not_reached ();
        }

      js_test_iterate_pending (NULL);
      if (set != NULL)
        g_assert_finalize_object (set);

      /* nothing more, ever */
      g_assert_cmpint (js_test_counter_get (&life.data_freed), ==, 1);
      g_assert_cmpint (js_test_counter_get (&life.result_freed), <=, 1);
      g_assert_cmpint (js_test_counter_get (&blocker.data_freed), <=, 1);
      if (path != PATH_ABORTED_QUEUED)
        {
          /* the blocker was never spawned */
          g_assert_cmpint (js_test_counter_get (&blocker.data_freed), ==, 0);
        }

      life_clear (&blocker);
      life_clear (&life);
    }
}

int
main (int   argc,
      char *argv[])
{
  static const struct { const char *name; Path path; } paths[] = {
    { "joined", PATH_JOINED },
    { "aborted-queued", PATH_ABORTED_QUEUED },
    { "aborted-running", PATH_ABORTED_RUNNING },
    { "detached", PATH_DETACHED },
    { "disposed-running", PATH_DISPOSED_RUNNING },
    { "disposed-completed", PATH_DISPOSED_COMPLETED },
    { "abandoned", PATH_ABANDONED },
    { "closed", PATH_CLOSED },
  };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/join-set/abort/queued", test_abort_queued);
  g_test_add_func ("/join-set/abort/not-started", test_abort_not_started);
  g_test_add_func ("/join-set/abort/running", test_abort_running);
  g_test_add_func ("/join-set/abort/completed", test_abort_completed);
  g_test_add_func ("/join-set/abort/twice", test_abort_twice);
  g_test_add_func ("/join-set/abort/unknown-id", test_abort_unknown);
  g_test_add_func ("/join-set/abort/from-thread", test_abort_from_thread);
  g_test_add_func ("/join-set/abort/all", test_abort_all);
  g_test_add_func ("/join-set/abort/handler-drops-set", test_abort_handler_drops_set);
  g_test_add_func ("/join-set/abort-on-error/aborts-others", test_abort_on_error);
  g_test_add_func ("/join-set/abort-on-error/not-cancellation", test_abort_on_error_not_cancellation);
  g_test_add_func ("/join-set/abort-on-error/abandoned", test_abort_on_error_abandoned);
  g_test_add_func ("/join-set/cancellable/parent", test_parent_cancellable);
  g_test_add_func ("/join-set/cancellable/already-cancelled", test_parent_cancellable_cancelled);
  g_test_add_func ("/join-set/cancellable/outlived", test_parent_cancellable_outlives);
  g_test_add_func ("/join-set/cancellable/reused", test_parent_cancellable_reused);
  g_test_add_func ("/join-set/shutdown/waits-for-threads", test_shutdown);
  g_test_add_func ("/join-set/shutdown/empty", test_shutdown_empty);
  g_test_add_func ("/join-set/shutdown/cancel", test_shutdown_cancel);
  g_test_add_func ("/join-set/shutdown/cancel-no-warning", test_shutdown_cancel_no_warning);
  g_test_add_func ("/join-set/dispose/everything", test_dispose);
  g_test_add_func ("/join-set/dispose/run-dispose", test_dispose_run_dispose);
  g_test_add_func ("/join-set/dispose/run-dispose-pending-joins", test_dispose_run_dispose_pending_joins);
  g_test_add_func ("/join-set/dispose/other-thread", test_dispose_other_thread);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *name = g_strdup_printf ("/join-set/exactly-once/%s", paths[i].name);

      g_test_add_data_func (name, GINT_TO_POINTER (paths[i].path), test_exactly_once);
    }

  return g_test_run ();
}
