/* fuzz-join-set.c: a model-based fuzzer for JsJoinSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The input is a program: each byte picks an operation (spawn in the main
 * context or in a thread with a chosen outcome, time limit and progress
 * reporting, release a blocked task, abort one, abort all, detach all, set
 * max-concurrent or the set's timeout, toggle ordered, abort-on-success or
 * discard-results, cancel the parent, close, the joins (try_join_next,
 * join_next_async, join_next, join_all_async, join_all_timeout_async,
 * join_by_id_async, join_by_id), a cancelled join, shutdown, read the
 * get_tasks list model, iterate the main context, drop the set), the next
 * bytes its arguments. The program runs against a real set and, next
 * to it, against a small reference model of what the set promises; every
 * observation is checked against the model:
 *
 * - the length and closed state are exact after every operation, except
 *   that in a set that discards results a task that may have finished may
 *   have left it: the length is then bounded by the tasks surely in the set
 *   and the tasks maybe in it;
 * - a joined task is one of the set's, joined once, with the outcome its
 *   function produced, or G_IO_ERROR_CANCELLED if and only if it was
 *   aborted, or JS_JOIN_ERROR_ABANDONED if its function never returned, or
 *   G_IO_ERROR_TIMED_OUT if it had a short time limit (and only that, or
 *   CANCELLED, if it waited for a release that never came); it keeps the
 *   name spawn_full() gave it;
 * - in an ordered set, every join (each task of join_all in its array
 *   order) yields the oldest task of the set: any older one must have left
 *   it by discarding;
 * - with abort-on-success, a task may join as CANCELLED once another task
 *   of the set may have succeeded while it ran;
 * - abort() returns FALSE for tasks that are not in the set or were aborted
 *   already, and TRUE for tasks that cannot have finished yet;
 * - a join waits only as long as the model says it can complete without
 *   help (some task can finish and stay to be joined, or, in an ordered
 *   set, the oldest one can; or every task can finish); otherwise it is
 *   cancelled after a moment and must lose nothing;
 * - join_all_timeout_async always completes, with the tasks that surely
 *   finished before it (in an ordered set, the oldest ones of them) and
 *   others that finished in time; every task it does not return stays in
 *   the set;
 * - try_join_next never returns NULL while an aborted task waits (in an
 *   ordered set: while the oldest task is an aborted one);
 * - after every operation, n-spawned counts the spawns, n-finished never
 *   decreases, is at least the tasks surely finished and at most n-spawned,
 *   n-queued + n-running is at most the tasks that may not have finished,
 *   n-queued + n-running + n-finished is n-spawned, and all of them settle
 *   (nothing queued or running) when the model knows everything finished;
 * - task-progress is emitted in the main thread, for tasks that reported
 *   progress, with a value they reported;
 * - closed sets (by close() or a cancelled parent) spawn nothing and destroy
 *   the user_data at once;
 * - a join by id of an id that is not in the set fails at once with
 *   JS_JOIN_ERROR_UNKNOWN_TASK (or, for a task in a discarding set, may: it
 *   must then be one that may have left); of a task in the set, it hands
 *   out that task (whatever the order of an ordered set, and even in a
 *   discarding set), waiting only as long as the model says the task can
 *   finish without help (else it is cancelled after a moment and must lose
 *   nothing); a second join by id of the same task fails with
 *   G_IO_ERROR_PENDING while the first waits (or UNKNOWN_TASK once the
 *   first has it), and never gets the task;
 * - the get_tasks list model, once the context has run, lists tasks of the
 *   set in spawn order, every task of the set spawned since it was made,
 *   no task that was joined, detached, refused or freed by a shutdown, and
 *   nothing once the set is gone; items-changed comes in the main thread
 *   and its counts add up to the model's length;
 * - at the end, once every blocked task is released and the set dropped,
 *   every user_data was destroyed exactly once and every result freed
 *   exactly once, and the set was finalized.
 *
 * A violation aborts (a crash for libFuzzer). Thread scheduling is not
 * controlled, so the model allows every interleaving: a task in a thread
 * that does not wait for its gate may finish at any time, a short time
 * limit may expire at any time after the task was spawned, and a success
 * under abort-on-success may abort the others at any time.
 *
 * Built as a libFuzzer target with clang (fuzz-join-set) and, with any
 * compiler, into fuzz-replay, which runs the corpus as a regression test.
 */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <joinset/joinset.h>

#include "fuzz-join-set.h"
#include "js-test-util.h"

#define MAX_TASKS 24
#define MAX_OPS 48
#define WAIT_USEC (3 * G_TIME_SPAN_SECOND)
#define BRIEF_USEC (3 * G_TIME_SPAN_MILLISECOND)
/* A time limit no program reaches: it only starts and removes timers. */
#define LONG_TIMEOUT_MS (10 * 60 * 1000)

#define PROGRESS_START 0.5
#define PROGRESS_GATE 0.75

#define FUZZ_ERROR (g_quark_from_static_string ("fuzz-error"))

#define CHECK(cond, ...)                                                      \
  G_STMT_START {                                                              \
    if (G_UNLIKELY (!(cond)))                                                 \
      {                                                                       \
        fprintf (stderr, "fuzz-join-set: %s:%d: check failed: %s: ",          \
                 __FILE__, __LINE__, #cond);                                  \
        fprintf (stderr, __VA_ARGS__);                                        \
        fprintf (stderr, "\n");                                               \
        abort ();                                                             \
      }                                                                       \
  } G_STMT_END

typedef enum
{
  OUT_VALUE,         /* return a pointer at once */
  OUT_INT,           /* return an int at once */
  OUT_ERROR,         /* fail at once */
  OUT_ABANDON,       /* return nothing */
  OUT_GATED,         /* wait for the release op, ignoring cancellation */
  OUT_GATED_COOP,    /* wait for release or cancellation */
  OUT_LATER,         /* main: keep a ref, return on release */
  OUT_LATER_ABANDON, /* main: keep a ref, drop it on release */
  N_OUTCOMES
} Outcome;

typedef enum
{
  T_NONE,
  T_IN_SET,          /* spawned, not joined or detached */
  T_JOINED,
  T_DETACHED,
  T_REFUSED,         /* spawned on a closed set */
  T_DISCARDED,       /* finished in a set that discards results */
  T_SHUT_DOWN,       /* aborted (if unfinished) and freed by a shutdown */
} Where;

typedef struct
{
  /* Model */
  guint     id;
  gboolean  in_thread;
  Outcome   outcome;
  Where     where;
  gboolean  aborted;    /* surely aborted: abort() returned TRUE, or the
                         * set aborted it while it could not have finished */
  gboolean  maybe_aborted; /* the set aborted everything while it may
                            * have finished: either outcome is right */
  gboolean  released;
  gboolean  raced;      /* abort-on-success may abort it (or did), at a
                         * time the model does not know */
  gboolean  may_discard; /* it may finish while the set discards results,
                          * and then leave the set on its own */
  guint     discard_epoch; /* it cannot finish before discard_epoch began
                            * (0: unknown): while that epoch lasts, it
                            * leaves the set when it finishes */
  guint     aos_epoch;  /* spawned in this abort-on-success epoch, or 0 */
  gboolean  timeout_short; /* its time limit may expire in the program */
  gboolean  progress;   /* it reports progress */
  char     *name;       /* given to spawn_full(), or NULL */

  /* Shared with the task function (atomics) */
  gint      ran;
  gint      func_done;  /* the function returned */
  gint      destroyed;
  gint      results_made;
  gint      results_freed;
  gint      gate;       /* released */
  JsTask   *held;       /* OUT_LATER*: the producer's reference */
} Task;

static struct
{
  JsJoinSet    *set;
  gpointer      weak;
  GCancellable *parent;
  Task          tasks[MAX_TASKS];
  guint         n_tasks;
  gboolean      closed;      /* model */
  guint         max_concurrent;
  gboolean      ordered;
  gboolean      abort_on_success;
  gboolean      discard_results;
  guint         aos_epoch;     /* abort-on-success was turned on this many times */
  guint         discard_epoch; /* discard-results was turned on this many times */
  guint         timeout_ms;  /* the set's timeout property */
  guint64       n_finished;  /* the last n-finished read */
  GListModel   *tasks_model; /* js_join_set_get_tasks(), once read */
  guint         model_first; /* tasks from this id on were spawned after it */
  guint         model_length; /* the length items-changed adds up to */
  guint         n_progress;  /* task-progress emissions */
  guint         n_discard_warnings;
  GThread      *main_thread;
  GMutex        gate_mutex;
  GCond         gate_cond;
} F;

/* ------------------------------------------------------------------------
 * Task functions
 * ------------------------------------------------------------------------ */

/* A result counted in @t: js_test_result_free() fails on a second free. */
static JsTestResult *
result_new (Task *t)
{
  JsTestResultCounts counts = {
    .made = &t->results_made,
    .freed = &t->results_freed,
  };

  return js_test_result_new (t->id, t, &counts);
}

static void
task_destroy (gpointer data)
{
  Task *t = data;

  CHECK (g_atomic_int_add (&t->destroyed, 1) == 0,
         "user_data of task %u destroyed twice", t->id);
}

static void
produce (JsTask *task,
         Task   *t)
{
  switch (t->outcome)
    {
    case OUT_VALUE:
    case OUT_GATED:
    case OUT_LATER:
      js_task_return_pointer (task, result_new (t), js_test_result_free);
      break;
    case OUT_GATED_COOP:
      if (!js_task_return_error_if_cancelled (task))
        js_task_return_pointer (task, result_new (t), js_test_result_free);
      break;
    case OUT_INT:
      js_task_return_int (task, (gssize) t->id * 3);
      break;
    case OUT_ERROR:
      js_task_return_new_error (task, FUZZ_ERROR, (gint) t->id, "task %u failed", t->id);
      break;
    case OUT_ABANDON:
    case OUT_LATER_ABANDON:
    case N_OUTCOMES:
    default:
      break;
    }
}

static void
on_gate_cancelled (GCancellable *cancellable,
                   gpointer      data)
{
  g_mutex_lock (&F.gate_mutex);
  g_cond_broadcast (&F.gate_cond);
  g_mutex_unlock (&F.gate_mutex);
}

static void
thread_func (JsTask   *task,
             gpointer  user_data)
{
  Task *t = user_data;

  CHECK (g_atomic_int_add (&t->ran, 1) == 0, "task %u ran twice", t->id);
  if (t->progress)
    js_task_set_progress (task, PROGRESS_START);

  if (t->outcome == OUT_GATED || t->outcome == OUT_GATED_COOP)
    {
      gulong handler = 0;

      if (t->outcome == OUT_GATED_COOP)
        handler = g_cancellable_connect (js_task_get_cancellable (task), G_CALLBACK (on_gate_cancelled),
                                         NULL, NULL);
      g_mutex_lock (&F.gate_mutex);
      while (!g_atomic_int_get (&t->gate) &&
             !(t->outcome == OUT_GATED_COOP && g_cancellable_is_cancelled (js_task_get_cancellable (task))))
        g_cond_wait (&F.gate_cond, &F.gate_mutex);
      g_mutex_unlock (&F.gate_mutex);
      if (handler != 0)
        g_cancellable_disconnect (js_task_get_cancellable (task), handler);
      if (t->progress)
        js_task_set_progress (task, PROGRESS_GATE);
    }

  produce (task, t);
  g_atomic_int_set (&t->func_done, 1);
}

static void
main_func (JsTask   *task,
           gpointer  user_data)
{
  Task *t = user_data;

  CHECK (g_atomic_int_add (&t->ran, 1) == 0, "task %u ran twice", t->id);
  if (t->progress)
    js_task_set_progress (task, PROGRESS_START);

  if (t->outcome == OUT_LATER || t->outcome == OUT_LATER_ABANDON)
    {
      t->held = g_object_ref (task);
      if (t->released)
        {
          /* Released before it ran: complete now. */
          produce (t->held, t);
          g_clear_object (&t->held);
        }
    }
  else
    {
      produce (task, t);
    }
  g_atomic_int_set (&t->func_done, 1);
}

/* ------------------------------------------------------------------------
 * The model
 * ------------------------------------------------------------------------ */

static Task *
task_for_id (guint64 id)
{
  CHECK (id >= 1 && id <= F.n_tasks, "unknown task id %" G_GUINT64_FORMAT, id);
  return &F.tasks[id - 1];
}

static gboolean
is_gated (Outcome outcome)
{
  return outcome == OUT_GATED || outcome == OUT_GATED_COOP ||
         outcome == OUT_LATER || outcome == OUT_LATER_ABANDON;
}

/* Whether a younger task of the set will surely succeed while
 * abort-on-success stays on since it was spawned, and so abort @t if it
 * still runs then: the younger task is in the set (so not detached, which
 * would not count), was not aborted on its own, has no short time limit,
 * and succeeds without a release op or was released (after @t was
 * spawned, as it is younger). If it is aborted instead, by abort_all or by
 * another success, @t is aborted with it. */
static gboolean
success_will_abort (Task *t)
{
  if (!F.abort_on_success)
    return FALSE;
  for (guint i = t->id; i < F.n_tasks; i++)
    {
      Task *s = &F.tasks[i];

      if (s->where != T_IN_SET || s->aborted || s->timeout_short ||
          s->aos_epoch != F.aos_epoch)
        continue;
      switch (s->outcome)
        {
        case OUT_VALUE:
        case OUT_INT:
          return TRUE;
        case OUT_GATED:
        case OUT_GATED_COOP:
        case OUT_LATER:
          if (s->released)
            return TRUE;
          break;
        case OUT_ERROR:
        case OUT_ABANDON:
        case OUT_LATER_ABANDON:
        case N_OUTCOMES:
        default:
          break;
        }
    }
  return FALSE;
}

/* Whether @t surely finishes without a release op. */
static gboolean
can_finish_alone (Task *t)
{
  if (t->where != T_IN_SET)
    return FALSE;
  if (t->aborted || t->maybe_aborted)
    return TRUE;
  if (F.max_concurrent != 0)
    return FALSE;   /* conservative: it may wait behind blocked tasks */
  if (t->timeout_short)
    return TRUE;    /* it starts, and its time runs out */
  if (success_will_abort (t))
    return TRUE;
  switch (t->outcome)
    {
    case OUT_VALUE:
    case OUT_INT:
    case OUT_ERROR:
    case OUT_ABANDON:
      return TRUE;
    case OUT_GATED:
    case OUT_GATED_COOP:
    case OUT_LATER:
    case OUT_LATER_ABANDON:
      return t->released;
    case N_OUTCOMES:
    default:
      return FALSE;
    }
}

/* Whether @t has surely not finished by its own means: it needs a release
 * op or the main context, neither happened, and no time limit can have
 * expired. It may still have been aborted by a racing success. */
static gboolean
own_unfinished (Task *t)
{
  if (t->where != T_IN_SET || t->aborted || t->maybe_aborted || t->released ||
      t->timeout_short)
    return FALSE;
  return is_gated (t->outcome);
}

/* Whether @t surely has not finished. */
static gboolean
cannot_have_finished (Task *t)
{
  return own_unfinished (t) && !t->raced;
}

/* Whether @t surely finished: its outcome is fixed. */
static gboolean
surely_finished (Task *t)
{
  switch (t->where)
    {
    case T_JOINED:
    case T_DISCARDED:
    case T_SHUT_DOWN:
      return TRUE;
    case T_IN_SET:
    case T_DETACHED:
      return t->aborted || t->maybe_aborted;
    case T_NONE:
    case T_REFUSED:
    default:
      return FALSE;
    }
}

/* Whether @t, in the model's set, may have left the real one by
 * discarding. */
static gboolean
may_have_left (Task *t)
{
  return t->where == T_IN_SET && t->may_discard && !cannot_have_finished (t);
}

/* Whether @t surely leaves the set when it finishes, and so can never be
 * joined: it was unfinished when the set started to discard, and the set
 * still does. */
static gboolean
leaves_when_finished (Task *t)
{
  return t->where == T_IN_SET && F.discard_results && t->discard_epoch != 0 &&
         t->discard_epoch == F.discard_epoch;
}

/* A task of the model's set is not in the real one: it must be one that
 * may have been discarded, and now surely was. */
static void
left_by_discarding (Task       *t,
                    const char *why)
{
  CHECK (may_have_left (t), "task %u is gone from the set (%s), but it cannot "
         "have been discarded", t->id, why);
  t->where = T_DISCARDED;
}

static guint
length_max (void)
{
  guint n = 0;

  for (guint i = 0; i < F.n_tasks; i++)
    if (F.tasks[i].where == T_IN_SET)
      n++;
  return n;
}

static guint
length_min (void)
{
  guint n = 0;

  for (guint i = 0; i < F.n_tasks; i++)
    if (F.tasks[i].where == T_IN_SET && !may_have_left (&F.tasks[i]))
      n++;
  return n;
}

/* Whether a join_next can complete without a release op: some task can
 * finish and then surely stays to be joined (in an ordered set, the
 * oldest, or one behind older ones that can finish too), or every task of
 * the set can finish (the set then empties, or one stays). */
static gboolean
join_next_can_complete (void)
{
  gboolean all = TRUE;

  for (guint i = 0; i < F.n_tasks; i++)
    {
      Task *t = &F.tasks[i];

      if (t->where != T_IN_SET)
        continue;
      if (!can_finish_alone (t))
        {
          if (F.ordered)
            return FALSE;
          all = FALSE;
        }
      else if (!t->may_discard)
        {
          return TRUE;
        }
    }
  return all;
}

static gboolean
all_can_finish_alone (void)
{
  for (guint i = 0; i < F.n_tasks; i++)
    if (F.tasks[i].where == T_IN_SET && !can_finish_alone (&F.tasks[i]))
      return FALSE;
  return TRUE;
}

/* Whether @t surely waits in the set, finished, to be joined. */
static gboolean
waits_finished (Task *t)
{
  return t->where == T_IN_SET && (t->aborted || t->maybe_aborted) && !t->may_discard;
}

/* Whether a join must find a task at once: an aborted one waits (in an
 * ordered set, the oldest task is one). */
static gboolean
some_aborted_waiting (void)
{
  for (guint i = 0; i < F.n_tasks; i++)
    {
      Task *t = &F.tasks[i];

      if (t->where != T_IN_SET)
        continue;
      if (waits_finished (t))
        return TRUE;
      if (F.ordered)
        return FALSE;
    }
  return FALSE;
}

/* Whether @t may still complete with a success (and so, under
 * abort-on-success, abort the others). */
static gboolean
may_succeed (Task *t)
{
  if (t->where != T_IN_SET || t->aborted || t->maybe_aborted)
    return FALSE;
  switch (t->outcome)
    {
    case OUT_VALUE:
    case OUT_INT:
    case OUT_GATED:
    case OUT_GATED_COOP:
    case OUT_LATER:
      return TRUE;
    case OUT_ERROR:
    case OUT_ABANDON:
    case OUT_LATER_ABANDON:
    case N_OUTCOMES:
    default:
      return FALSE;
    }
}

/* abort-on-success: while it is on, a success of any task may abort every
 * other unfinished one, at a time the model does not know. Called after
 * every operation (and spawn), before the next observation. */
static void
model_race (void)
{
  if (!F.abort_on_success)
    return;
  for (guint i = 0; i < F.n_tasks; i++)
    {
      Task *t = &F.tasks[i];

      if (t->where != T_IN_SET || t->aborted || t->maybe_aborted || t->raced)
        continue;
      for (guint j = 0; j < F.n_tasks; j++)
        if (j != i && may_succeed (&F.tasks[j]))
          {
            t->raced = TRUE;
            break;
          }
    }
}

static void
check_counters (void)
{
  guint64 spawned, finished, finished2;
  guint queued, running, queued2, running2;
  guint finished_min = 0, unfinished_max = 0;

  for (guint i = 0; i < F.n_tasks; i++)
    {
      if (surely_finished (&F.tasks[i]))
        finished_min++;
      else
        unfinished_max++;
    }

  spawned = js_join_set_get_n_spawned (F.set);
  CHECK (spawned == F.n_tasks, "n-spawned %" G_GUINT64_FORMAT ", model %u",
         spawned, F.n_tasks);

  /* Tasks only move from queued to running to finished, from other
   * threads too: read in this order, each task is counted at most once. */
  finished = js_join_set_get_n_finished (F.set);
  running = js_join_set_get_n_running (F.set);
  queued = js_join_set_get_n_queued (F.set);
  CHECK (finished >= F.n_finished, "n-finished went down from %" G_GUINT64_FORMAT
         " to %" G_GUINT64_FORMAT, F.n_finished, finished);
  CHECK (finished <= spawned, "n-finished %" G_GUINT64_FORMAT " > n-spawned %"
         G_GUINT64_FORMAT, finished, spawned);
  CHECK (finished >= finished_min, "n-finished %" G_GUINT64_FORMAT ", but %u "
         "tasks surely finished", finished, finished_min);
  CHECK (queued + running <= unfinished_max, "n-queued %u + n-running %u, but "
         "at most %u tasks can be unfinished", queued, running, unfinished_max);
  CHECK (finished + running + queued <= spawned, "n-finished %" G_GUINT64_FORMAT
         " + n-running %u + n-queued %u > n-spawned %" G_GUINT64_FORMAT,
         finished, running, queued, spawned);

  /* In the reverse order, each at least once. */
  queued2 = js_join_set_get_n_queued (F.set);
  running2 = js_join_set_get_n_running (F.set);
  finished2 = js_join_set_get_n_finished (F.set);
  CHECK (finished2 + running2 + queued2 >= spawned, "n-finished %" G_GUINT64_FORMAT
         " + n-running %u + n-queued %u < n-spawned %" G_GUINT64_FORMAT,
         finished2, running2, queued2, spawned);
  CHECK (finished2 >= finished, "n-finished went down");
  F.n_finished = finished2;

  if (unfinished_max == 0)
    CHECK (queued2 == 0 && running2 == 0 && finished2 == spawned,
           "every task finished, but n-queued %u, n-running %u, n-finished %"
           G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT, queued2, running2,
           finished2, spawned);
}

static void
check_state (void)
{
  guint length, min, max;

  if (F.set == NULL)
    return;
  min = length_min ();
  max = length_max ();
  length = js_join_set_get_length (F.set);
  if (min == max)
    CHECK (length == min, "length %u, model %u", length, min);
  else
    CHECK (length >= min && length <= max, "length %u, model %u to %u", length, min, max);
  if (min > 0)
    CHECK (!js_join_set_is_empty (F.set), "is_empty, model %u tasks", min);
  if (max == 0)
    CHECK (js_join_set_is_empty (F.set), "not is_empty, model 0 tasks");
  CHECK (!!js_join_set_is_closed (F.set) == !!F.closed, "is_closed %d, model %d",
         js_join_set_is_closed (F.set), F.closed);
  CHECK (!!js_join_set_get_ordered (F.set) == !!F.ordered, "ordered");
  CHECK (!!js_join_set_get_abort_on_success (F.set) == !!F.abort_on_success,
         "abort-on-success");
  CHECK (!!js_join_set_get_discard_results (F.set) == !!F.discard_results,
         "discard-results");
  check_counters ();
}

/* Checks a task a join handed out and takes it out of the model. */
static void
check_joined_full (JsTask   *task,
                   gboolean  by_id)
{
  g_autoptr(GError) error = NULL;
  Task *t = task_for_id (js_task_get_id (task));
  double progress;

  CHECK (t->where == T_IN_SET, "task %u joined but it is %s", t->id,
         t->where == T_JOINED ? "joined already" :
         t->where == T_DETACHED ? "detached" :
         t->where == T_DISCARDED ? "discarded" :
         t->where == T_SHUT_DOWN ? "freed by a shutdown" : "not in the set");
  CHECK (js_task_get_completed (task), "task %u joined before it completed", t->id);
  /* A join by id takes its task even in a discarding set. */
  CHECK (by_id || !leaves_when_finished (t), "task %u finished while the set "
         "discarded results (since before it could finish), but was joined", t->id);
  CHECK (g_strcmp0 (js_task_get_name (task), t->name) == 0,
         "task %u joined with name %s, spawned as %s", t->id,
         js_task_get_name (task), t->name);
  progress = js_task_get_progress (task);
  CHECK (progress == 0.0 ||
         (t->progress && (progress == PROGRESS_START || progress == PROGRESS_GATE)),
         "task %u joined with progress %g", t->id, progress);

  if (F.ordered && !by_id)
    {
      /* The oldest task of the set: the older ones left it. */
      for (guint i = 0; i + 1 < t->id; i++)
        if (F.tasks[i].where == T_IN_SET)
          {
            CHECK (may_have_left (&F.tasks[i]), "ordered set: task %u joined before "
                   "task %u, which cannot have left the set", t->id, F.tasks[i].id);
            F.tasks[i].where = T_DISCARDED;
          }
    }

  t->where = T_JOINED;

  if (t->aborted)
    {
      /* Aborted before it finished: cancelled, whatever it returned. */
      js_task_propagate_boolean (task, &error);
      CHECK (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED),
             "aborted task %u joined with %s", t->id, error ? error->message : "a value");
      return;
    }

  if (js_task_had_error (task))
    {
      js_task_propagate_boolean (task, &error);
      if ((t->maybe_aborted || t->raced) &&
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (t->timeout_short && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        return;
    }

  /* Never released: its own outcome cannot have come. */
  CHECK (!(t->timeout_short && is_gated (t->outcome) && !t->released),
         "task %u was never released, but joined with %s, not TIMED_OUT",
         t->id, error ? error->message : "a value");
  g_clear_error (&error);

  switch (t->outcome)
    {
    case OUT_VALUE:
    case OUT_GATED:
    case OUT_LATER:
    case OUT_GATED_COOP:
      {
        JsTestResult *r = js_task_propagate_pointer (task, &error);

        CHECK (error == NULL, "task %u failed: %s", t->id, error->message);
        CHECK (r != NULL && r->magic == JS_TEST_RESULT_MAGIC && r->owner == t,
               "task %u: wrong result", t->id);
        js_test_result_free (r);
      }
      break;
    case OUT_INT:
      CHECK (js_task_propagate_int (task, &error) == (gssize) t->id * 3,
             "task %u: wrong int", t->id);
      CHECK (error == NULL, "task %u: unexpected error", t->id);
      break;
    case OUT_ERROR:
      js_task_propagate_boolean (task, &error);
      CHECK (g_error_matches (error, FUZZ_ERROR, (gint) t->id),
             "task %u: wrong error %s", t->id, error ? error->message : "(none)");
      break;
    case OUT_ABANDON:
    case OUT_LATER_ABANDON:
      js_task_propagate_boolean (task, &error);
      CHECK (g_error_matches (error, JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED),
             "task %u: expected ABANDONED, got %s", t->id,
             error ? error->message : "a value");
      break;
    case N_OUTCOMES:
    default:
      CHECK (FALSE, "bad outcome");
    }
}

static void
check_joined (JsTask *task)
{
  check_joined_full (task, FALSE);
}

/* The real set was empty: every task left in the model's must have been
 * discarded. */
static void
model_set_emptied (const char *why)
{
  for (guint i = 0; i < F.n_tasks; i++)
    if (F.tasks[i].where == T_IN_SET)
      left_by_discarding (&F.tasks[i], why);
}

/* Every task of the set is aborted: what abort_all, a cancelled parent,
 * shutdown and dispose do. */
static void
model_abort_all (void)
{
  for (guint i = 0; i < F.n_tasks; i++)
    {
      Task *t = &F.tasks[i];

      if (t->where != T_IN_SET || t->aborted || t->maybe_aborted)
        continue;
      if (F.discard_results && (cannot_have_finished (t) || leaves_when_finished (t)))
        t->where = T_DISCARDED;   /* it finishes now (or did, while the set
                                   * discarded), and leaves */
      else if (own_unfinished (t))
        t->aborted = TRUE;        /* now, or by a racing success before */
      else
        t->maybe_aborted = TRUE;
    }
}

/* ------------------------------------------------------------------------
 * Operations
 * ------------------------------------------------------------------------ */

typedef struct
{
  const guint8 *data;
  gsize         size;
  gsize         pos;
} Input;

static guint
next_byte (Input *in)
{
  return in->pos < in->size ? in->data[in->pos++] : 0;
}

static void
iterate_briefly (void)
{
  for (guint i = 0; i < 4; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* Iterates until @done, for up to @usec; returns whether it got there. */
static gboolean
iterate_until (gboolean *done,
               gint64    usec)
{
  gint64 deadline = g_get_monotonic_time () + usec;

  while (!*done)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (20);
    }
  return TRUE;
}

/* The time limits of the spawn op: the set's (spawn(), spawn_in_thread()),
 * or spawn_full()'s own. */
static const gint timeouts[] = { -1, 0, 1, 20, LONG_TIMEOUT_MS };

static gboolean
is_short_timeout (guint timeout_ms)
{
  return timeout_ms > 0 && timeout_ms < LONG_TIMEOUT_MS;
}

/* The argument byte: the outcome (modulo N_OUTCOMES), then the time limit,
 * then whether the task reports progress. Bytes below N_OUTCOMES spawn
 * with spawn() or spawn_in_thread(), no limit of their own, no progress. */
static void
op_spawn (Input   *in,
          gboolean in_thread)
{
  guint arg = next_byte (in);
  Outcome outcome = arg % N_OUTCOMES;
  gint timeout = timeouts[(arg / N_OUTCOMES) % G_N_ELEMENTS (timeouts)];
  gboolean progress = (arg / N_OUTCOMES / G_N_ELEMENTS (timeouts)) % 2;
  Task *t;
  guint64 id;

  if (F.set == NULL || F.n_tasks >= MAX_TASKS)
    return;
  if (in_thread && (outcome == OUT_LATER || outcome == OUT_LATER_ABANDON))
    outcome = OUT_GATED;
  if (!in_thread && (outcome == OUT_GATED || outcome == OUT_GATED_COOP))
    outcome = OUT_LATER;

  t = &F.tasks[F.n_tasks++];
  t->id = F.n_tasks;
  t->in_thread = in_thread;
  t->outcome = outcome;
  t->progress = progress;
  t->timeout_short = is_short_timeout (timeout < 0 ? F.timeout_ms : (guint) timeout);
  if (timeout >= 0)
    t->name = g_strdup_printf ("task %u", t->id);

  if (timeout >= 0)
    id = js_join_set_spawn_full (F.set, in_thread ? JS_SPAWN_IN_THREAD : JS_SPAWN_DEFAULT,
                                 t->name, (guint) timeout,
                                 in_thread ? thread_func : main_func, t, task_destroy);
  else if (in_thread)
    id = js_join_set_spawn_in_thread (F.set, thread_func, t, task_destroy);
  else
    id = js_join_set_spawn (F.set, main_func, t, task_destroy);

  if (F.closed)
    {
      CHECK (id == 0, "a closed set spawned task %" G_GUINT64_FORMAT, id);
      CHECK (g_atomic_int_get (&t->destroyed) == 1,
             "refused spawn did not destroy its user_data");
      t->where = T_REFUSED;
      t->id = 0;
      F.n_tasks--;
      g_free (t->name);
      memset (t, 0, sizeof *t);
      return;
    }

  CHECK (id == t->id, "spawn returned id %" G_GUINT64_FORMAT ", model %u", id, t->id);
  t->where = T_IN_SET;
  t->may_discard = F.discard_results;
  if (F.discard_results)
    t->discard_epoch = F.discard_epoch;
  if (F.abort_on_success)
    t->aos_epoch = F.aos_epoch;
  model_race ();
}

static void
release (Task *t)
{
  if (t->released)
    return;
  t->released = TRUE;

  g_mutex_lock (&F.gate_mutex);
  g_atomic_int_set (&t->gate, 1);
  g_cond_broadcast (&F.gate_cond);
  g_mutex_unlock (&F.gate_mutex);

  if (t->held != NULL)
    {
      produce (t->held, t);
      g_clear_object (&t->held);
    }
}

static void
op_release (Input *in)
{
  guint n = next_byte (in);

  if (F.n_tasks == 0)
    return;
  release (&F.tasks[n % F.n_tasks]);
}

static void
op_abort (Input *in)
{
  guint n = next_byte (in);
  guint64 id;
  gboolean aborted;
  Task *t = NULL;

  if (F.set == NULL)
    return;
  /* Now and then an id that was never spawned. */
  id = n % (F.n_tasks + 2);
  aborted = js_join_set_abort (F.set, id);
  if (id >= 1 && id <= F.n_tasks)
    t = &F.tasks[id - 1];

  if (t == NULL || t->where != T_IN_SET || t->aborted || t->maybe_aborted)
    {
      CHECK (!aborted, "abort(%" G_GUINT64_FORMAT ") returned TRUE for a task "
             "not in the set, finished or aborted already", id);
      return;
    }
  if (cannot_have_finished (t))
    CHECK (aborted, "abort(%" G_GUINT64_FORMAT ") returned FALSE for a task "
           "that cannot have finished", id);
  if (aborted)
    {
      t->aborted = TRUE;
      /* It finished now: a discarding set lets it go at once. */
      if (F.discard_results)
        t->where = T_DISCARDED;
    }
}

static void
op_abort_all (void)
{
  if (F.set == NULL)
    return;
  js_join_set_abort_all (F.set);
  model_abort_all ();
}

static void
op_detach_all (void)
{
  if (F.set == NULL)
    return;
  js_join_set_detach_all (F.set);
  for (guint i = 0; i < F.n_tasks; i++)
    if (F.tasks[i].where == T_IN_SET)
      F.tasks[i].where = T_DETACHED;
}

static void
op_set_max (Input *in)
{
  static const guint limits[] = { 0, 1, 2, 3, 8 };

  if (F.set == NULL)
    return;
  F.max_concurrent = limits[next_byte (in) % G_N_ELEMENTS (limits)];
  js_join_set_set_max_concurrent (F.set, F.max_concurrent);
  CHECK (js_join_set_get_max_concurrent (F.set) == F.max_concurrent, "max-concurrent");
}

static void
op_cancel_parent (void)
{
  if (F.set == NULL)
    return;
  g_cancellable_cancel (F.parent);
  F.closed = TRUE;
  model_abort_all ();
}

static void
op_try_join (void)
{
  JsTask *task;

  if (F.set == NULL)
    return;
  task = js_join_set_try_join_next (F.set);
  if (task == NULL)
    {
      CHECK (!some_aborted_waiting (),
             "try_join_next returned NULL while an aborted task waits%s",
             F.ordered ? " as the oldest of an ordered set" : "");
      return;
    }
  check_joined (task);
  g_object_unref (task);
}

typedef struct
{
  gboolean   done;
  JsTask    *task;
  GPtrArray *tasks;
  GError    *error;
  gboolean   shutdown_ok;
} Join;

static void
join_next_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Join *j = user_data;

  j->task = js_join_set_join_next_finish (JS_JOIN_SET (source), result, &j->error);
  j->done = TRUE;
}

static void
join_all_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Join *j = user_data;

  j->tasks = js_join_set_join_all_finish (JS_JOIN_SET (source), result, &j->error);
  j->done = TRUE;
}

static void
shutdown_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Join *j = user_data;

  j->shutdown_ok = js_join_set_shutdown_finish (JS_JOIN_SET (source), result, &j->error);
  j->done = TRUE;
}

/* join_next_async. If the model says a task will finish, the join must
 * deliver it; otherwise it is cancelled after a moment (or at once when
 * @cancel_now) and must then lose nothing. */
static void
op_join_next (gboolean cancel_now)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Join j = { FALSE };
  gboolean must_deliver;

  if (F.set == NULL)
    return;
  must_deliver = !cancel_now && join_next_can_complete ();

  js_join_set_join_next_async (F.set, cancellable, join_next_cb, &j);
  if (cancel_now)
    g_cancellable_cancel (cancellable);

  if (!iterate_until (&j.done, must_deliver ? WAIT_USEC : BRIEF_USEC))
    {
      CHECK (!must_deliver, "join_next_async: no task within %d s although one "
             "can finish", (int) (WAIT_USEC / G_TIME_SPAN_SECOND));
      g_cancellable_cancel (cancellable);
      CHECK (iterate_until (&j.done, WAIT_USEC), "cancelled join_next_async never completed");
    }

  if (j.task != NULL)
    {
      CHECK (j.error == NULL, "join_next_async: task and error");
      check_joined (j.task);
      g_object_unref (j.task);
    }
  else if (j.error != NULL)
    {
      CHECK (g_error_matches (j.error, G_IO_ERROR, G_IO_ERROR_CANCELLED),
             "join_next_async failed: %s", j.error->message);
      g_error_free (j.error);
    }
  else
    {
      model_set_emptied ("join_next_async returned no task");
    }
}

static void
op_join_all (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Join j = { FALSE };
  gboolean must_deliver;

  if (F.set == NULL)
    return;
  must_deliver = all_can_finish_alone ();

  js_join_set_join_all_async (F.set, cancellable, join_all_cb, &j);
  if (!iterate_until (&j.done, must_deliver ? WAIT_USEC : BRIEF_USEC))
    {
      CHECK (!must_deliver, "join_all_async: not done although every task can finish");
      g_cancellable_cancel (cancellable);
      CHECK (iterate_until (&j.done, WAIT_USEC), "cancelled join_all_async never completed");
    }

  if (j.tasks != NULL)
    {
      CHECK (j.error == NULL, "join_all_async: tasks and error");
      CHECK (j.tasks->len >= length_min () && j.tasks->len <= length_max (),
             "join_all_async: %u tasks, model %u to %u", j.tasks->len,
             length_min (), length_max ());
      for (guint i = 0; i < j.tasks->len; i++)
        check_joined (g_ptr_array_index (j.tasks, i));
      g_ptr_array_unref (j.tasks);
      model_set_emptied ("join_all_async did not return it");
    }
  else
    {
      CHECK (g_error_matches (j.error, G_IO_ERROR, G_IO_ERROR_CANCELLED),
             "join_all_async failed: %s", j.error ? j.error->message : "(no error)");
      g_error_free (j.error);
    }
}

static void
op_toggle_ordered (void)
{
  if (F.set == NULL)
    return;
  F.ordered = !F.ordered;
  js_join_set_set_ordered (F.set, F.ordered);
}

static void
op_toggle_abort_on_success (void)
{
  if (F.set == NULL)
    return;
  F.abort_on_success = !F.abort_on_success;
  if (F.abort_on_success)
    F.aos_epoch++;
  js_join_set_set_abort_on_success (F.set, F.abort_on_success);
  model_race ();
}

static void
op_toggle_discard_results (void)
{
  if (F.set == NULL)
    return;
  F.discard_results = !F.discard_results;
  if (F.discard_results)
    F.discard_epoch++;
  js_join_set_set_discard_results (F.set, F.discard_results);
  for (guint i = 0; i < F.n_tasks; i++)
    {
      Task *t = &F.tasks[i];

      if (t->where != T_IN_SET)
        continue;
      if (F.discard_results)
        {
          /* Tasks that finished before stay; the others may finish while
           * the set discards, and the ones that cannot have finished
           * will, if it still discards then. */
          if (!t->aborted && !t->maybe_aborted)
            t->may_discard = TRUE;
          t->discard_epoch = cannot_have_finished (t) ? F.discard_epoch : 0;
        }
      else if (cannot_have_finished (t))
        {
          /* It did not finish while the set discarded. */
          t->may_discard = FALSE;
        }
    }
}

static void
op_set_timeout (Input *in)
{
  static const guint limits[] = { 0, 2, 20, LONG_TIMEOUT_MS };

  if (F.set == NULL)
    return;
  F.timeout_ms = limits[next_byte (in) % G_N_ELEMENTS (limits)];
  js_join_set_set_timeout (F.set, F.timeout_ms);
  CHECK (js_join_set_get_timeout (F.set) == F.timeout_ms, "timeout");
}

static void
join_all_timeout_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Join *j = user_data;

  j->tasks = js_join_set_join_all_timeout_finish (JS_JOIN_SET (source), result, &j->error);
  j->done = TRUE;
}

/* join_all_timeout_async with a short deadline: it always completes, with
 * at least the tasks that surely waited, finished, when it was called (in
 * an ordered set, the oldest of them, up to the first that may run), and
 * every task it does not return stays in the set. */
static void
op_join_all_timeout (Input *in)
{
  static const guint deadlines[] = { 0, 1, 5, 20 };
  guint deadline = deadlines[next_byte (in) % G_N_ELEMENTS (deadlines)];
  gboolean expected[MAX_TASKS] = { FALSE, };
  Join j = { FALSE };

  if (F.set == NULL)
    return;

  for (guint i = 0; i < F.n_tasks; i++)
    {
      Task *t = &F.tasks[i];

      if (t->where != T_IN_SET)
        continue;
      if (waits_finished (t))
        expected[i] = TRUE;
      else if (F.ordered)
        break;
    }

  js_join_set_join_all_timeout_async (F.set, deadline, NULL, join_all_timeout_cb, &j);
  CHECK (iterate_until (&j.done, WAIT_USEC),
         "join_all_timeout_async (%u ms) did not complete within %d s", deadline,
         (int) (WAIT_USEC / G_TIME_SPAN_SECOND));
  CHECK (j.error == NULL && j.tasks != NULL, "join_all_timeout_async failed: %s",
         j.error ? j.error->message : "(no tasks, no error)");

  for (guint i = 0; i < j.tasks->len; i++)
    check_joined (g_ptr_array_index (j.tasks, i));
  for (guint i = 0; i < F.n_tasks; i++)
    CHECK (!expected[i] || F.tasks[i].where == T_JOINED,
           "join_all_timeout_async did not return task %u, which had finished",
           F.tasks[i].id);
  g_ptr_array_unref (j.tasks);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* join_next, which iterates the context from this thread. A timeout source
 * cancels it when the model does not say it can complete, or when it took
 * far too long. */
static void
op_join_next_sync (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gboolean must_deliver;
  GSource *timer;
  JsTask *task;

  if (F.set == NULL)
    return;
  must_deliver = join_next_can_complete ();

  timer = g_timeout_source_new ((must_deliver ? WAIT_USEC : BRIEF_USEC) / G_TIME_SPAN_MILLISECOND);
  g_source_set_callback (timer, cancel_cb, g_object_ref (cancellable), g_object_unref);
  g_source_attach (timer, NULL);
  task = js_join_set_join_next (F.set, cancellable, &error);
  g_source_destroy (timer);
  g_source_unref (timer);

  if (task != NULL)
    {
      CHECK (error == NULL, "join_next: task and error");
      check_joined (task);
      g_object_unref (task);
    }
  else if (error != NULL)
    {
      CHECK (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED),
             "join_next failed: %s", error->message);
      CHECK (!must_deliver, "join_next: no task within %d s although one can finish",
             (int) (WAIT_USEC / G_TIME_SPAN_SECOND));
    }
  else
    {
      model_set_emptied ("join_next returned no task");
    }
}

static void
op_close (void)
{
  if (F.set == NULL)
    return;
  js_join_set_close (F.set);
  F.closed = TRUE;
  /* Nothing else changes: the tasks in the set go on and are joined. */
}

static void
join_by_id_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Join *j = user_data;

  j->task = js_join_set_join_by_id_finish (JS_JOIN_SET (source), result, &j->error);
  j->done = TRUE;
}

/* The id a join by id asks for: now and then 0 or one never spawned. */
static guint64
pick_id (guint n,
         Task  **t)
{
  guint64 id = n % (F.n_tasks + 2);

  *t = id >= 1 && id <= F.n_tasks ? &F.tasks[id - 1] : NULL;
  if (*t != NULL && (*t)->where != T_IN_SET)
    *t = NULL;  /* joined, detached, discarded or freed: unknown too */
  return id;
}

/* Whether a join by id of @t (NULL: an id not in the set) completes
 * without help: at once for an unknown id, else when the task can
 * finish. */
static gboolean
join_by_id_can_complete (Task *t)
{
  return t == NULL || can_finish_alone (t);
}

/* Checks what a join by id of @id gave: @t is its task in the model, or
 * NULL if the id is not in the set. */
static void
check_join_by_id (const char *what,
                  guint64     id,
                  Task       *t,
                  JsTask     *task,
                  GError     *error,
                  gboolean    must_complete)
{
  if (task != NULL)
    {
      CHECK (error == NULL, "%s: task and error", what);
      CHECK (t != NULL, "%s (%" G_GUINT64_FORMAT "): a task for an id not in the set",
             what, id);
      CHECK (js_task_get_id (task) == id, "%s (%" G_GUINT64_FORMAT "): task %"
             G_GUINT64_FORMAT " instead", what, id, js_task_get_id (task));
      check_joined_full (task, TRUE);
      return;
    }
  CHECK (error != NULL, "%s (%" G_GUINT64_FORMAT "): no task, no error", what, id);
  if (g_error_matches (error, JS_JOIN_ERROR, JS_JOIN_ERROR_UNKNOWN_TASK))
    {
      if (t != NULL)
        left_by_discarding (t, what);
      return;
    }
  CHECK (t != NULL, "%s (%" G_GUINT64_FORMAT ") of an id not in the set failed "
         "with %s, not UNKNOWN_TASK", what, id, error->message);
  CHECK (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED),
         "%s (%" G_GUINT64_FORMAT ") failed: %s", what, id, error->message);
  CHECK (!must_complete, "%s (%" G_GUINT64_FORMAT "): cancelled after %d s although "
         "its task can finish", what, id, (int) (WAIT_USEC / G_TIME_SPAN_SECOND));
}

/* join_by_id_async of an id picked by the argument byte (its low 6 bits);
 * bit 6 starts a second join by id of the same id while the first waits.
 * Cancelled after a moment when the model does not say the task can
 * finish. */
static void
op_join_by_id (Input *in)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint arg = next_byte (in);
  gboolean twice = (arg & 64) != 0;
  Join j = { FALSE }, j2 = { FALSE };
  gboolean must_complete, unfinished;
  guint64 id;
  Task *t;

  if (F.set == NULL)
    return;
  id = pick_id (arg & 63, &t);
  must_complete = join_by_id_can_complete (t);
  unfinished = t != NULL && cannot_have_finished (t);

  js_join_set_join_by_id_async (F.set, id, cancellable, join_by_id_cb, &j);
  CHECK (!j.done, "join_by_id_async called back from inside the call");
  if (twice)
    {
      js_join_set_join_by_id_async (F.set, id, NULL, join_by_id_cb, &j2);
      CHECK (iterate_until (&j2.done, WAIT_USEC), "second join_by_id_async (%"
             G_GUINT64_FORMAT ") never completed", id);
      CHECK (j2.task == NULL, "two joins by id got task %" G_GUINT64_FORMAT, id);
      if (t == NULL)
        CHECK (g_error_matches (j2.error, JS_JOIN_ERROR, JS_JOIN_ERROR_UNKNOWN_TASK),
               "second join by id of unknown id %" G_GUINT64_FORMAT ": %s", id,
               j2.error ? j2.error->message : "(no error)");
      else if (unfinished)
        CHECK (g_error_matches (j2.error, G_IO_ERROR, G_IO_ERROR_PENDING),
               "second join by id of waiting task %" G_GUINT64_FORMAT ": %s", id,
               j2.error ? j2.error->message : "(no error)");
      else
        CHECK (g_error_matches (j2.error, G_IO_ERROR, G_IO_ERROR_PENDING) ||
               g_error_matches (j2.error, JS_JOIN_ERROR, JS_JOIN_ERROR_UNKNOWN_TASK),
               "second join by id of task %" G_GUINT64_FORMAT ": %s", id,
               j2.error ? j2.error->message : "(no error)");
      g_clear_error (&j2.error);
    }

  if (!iterate_until (&j.done, must_complete ? WAIT_USEC : BRIEF_USEC))
    {
      CHECK (!must_complete, "join_by_id_async (%" G_GUINT64_FORMAT "): not done "
             "within %d s although its task can finish", id,
             (int) (WAIT_USEC / G_TIME_SPAN_SECOND));
      g_cancellable_cancel (cancellable);
      CHECK (iterate_until (&j.done, WAIT_USEC), "cancelled join_by_id_async never completed");
    }
  check_join_by_id ("join_by_id_async", id, t, j.task, j.error, must_complete);
  g_clear_object (&j.task);
  g_clear_error (&j.error);
}

/* join_by_id, which iterates the context from this thread; cancelled by a
 * timer as op_join_next_sync() is. */
static void
op_join_by_id_sync (Input *in)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  guint arg = next_byte (in);
  gboolean must_complete;
  GSource *timer;
  JsTask *task;
  guint64 id;
  Task *t;

  if (F.set == NULL)
    return;
  id = pick_id (arg & 63, &t);
  must_complete = join_by_id_can_complete (t);

  timer = g_timeout_source_new ((must_complete ? WAIT_USEC : BRIEF_USEC) / G_TIME_SPAN_MILLISECOND);
  g_source_set_callback (timer, cancel_cb, g_object_ref (cancellable), g_object_unref);
  g_source_attach (timer, NULL);
  task = js_join_set_join_by_id (F.set, id, cancellable, &error);
  g_source_destroy (timer);
  g_source_unref (timer);

  check_join_by_id ("join_by_id", id, t, task, error, must_complete);
  g_clear_object (&task);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  CHECK (g_thread_self () == F.main_thread, "items-changed emitted in another thread");
  CHECK (position + removed <= F.model_length, "items-changed (%u, -%u, +%u) on "
         "a model of %u items", position, removed, added, F.model_length);
  F.model_length = F.model_length - removed + added;
  CHECK (F.model_length == g_list_model_get_n_items (model), "items-changed adds up "
         "to %u items, the model has %u", F.model_length, g_list_model_get_n_items (model));
}

/* Whether the list model agrees with the set, as far as the model can tell
 * (without a reason when it does not, for a retry); @why names the first
 * disagreement. Its contents follow the set through the main context: it
 * may lag until the context has run. */
static gboolean
tasks_model_agrees (const char **why,
                    guint       *bad_id)
{
  gboolean listed[MAX_TASKS] = { FALSE, };
  guint n = g_list_model_get_n_items (F.tasks_model);
  guint64 last = 0;

  *bad_id = 0;
  if (F.set == NULL)
    {
      *why = "items once the set is gone";
      return n == 0;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsTask) task = g_list_model_get_item (F.tasks_model, i);
      guint64 id;

      CHECK (JS_IS_TASK (task), "list model item %u is not a task", i);
      id = js_task_get_id (task);
      CHECK (id > last, "list model: task %" G_GUINT64_FORMAT " after task %"
             G_GUINT64_FORMAT ", not in spawn order", id, last);
      CHECK (id >= 1 && id <= F.n_tasks, "list model: task %" G_GUINT64_FORMAT
             " was never spawned", id);
      last = id;
      listed[id - 1] = TRUE;
      if (F.tasks[id - 1].where != T_IN_SET)
        {
          *why = "lists a task that left the set";
          *bad_id = (guint) id;
          return FALSE;
        }
    }
  for (guint i = F.model_first; i <= F.n_tasks; i++)
    if (F.tasks[i - 1].where == T_IN_SET && !may_have_left (&F.tasks[i - 1]) &&
        !listed[i - 1])
      {
        *why = "misses a task of the set spawned after it was made";
        *bad_id = i;
        return FALSE;
      }
  return TRUE;
}

/* Reads the list model of get_tasks, made on the first call and kept until
 * the end of the program (across the set's end, when it must empty): once
 * the context has run, it must agree with the set. */
static void
op_get_tasks (void)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_USEC;
  const char *why = NULL;
  guint bad_id;

  if (F.tasks_model == NULL)
    {
      if (F.set == NULL)
        return;
      F.tasks_model = js_join_set_get_tasks (F.set);
      F.model_first = F.n_tasks + 1;
      F.model_length = g_list_model_get_n_items (F.tasks_model);
      g_signal_connect (F.tasks_model, "items-changed", G_CALLBACK (on_items_changed), NULL);
    }
  else if (F.set != NULL)
    {
      GListModel *again = js_join_set_get_tasks (F.set);

      CHECK (again == F.tasks_model, "get_tasks made a second model while the "
             "first is held");
      g_object_unref (again);
    }

  while (!tasks_model_agrees (&why, &bad_id))
    {
      CHECK (g_get_monotonic_time () <= deadline, "the list model %s (task %u) %d s "
             "after the change", why, bad_id, (int) (WAIT_USEC / G_TIME_SPAN_SECOND));
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (200);
    }
}

/* Whether @t may keep a shutdown waiting until it is released: a thread
 * function stuck on its gate ignoring the abort (it may also be about to
 * start, or have been aborted before it started: the model cannot tell),
 * or a detached task, which shutdown does not abort. */
static gboolean
may_block_shutdown (Task *t)
{
  if (t->released || t->where == T_NONE || t->where == T_REFUSED)
    return FALSE;
  if (t->in_thread && t->outcome == OUT_GATED)
    return !g_atomic_int_get (&t->func_done);
  if (t->where == T_DETACHED)
    return t->outcome == OUT_GATED_COOP || t->outcome == OUT_LATER ||
           t->outcome == OUT_LATER_ABANDON;
  return FALSE;
}

static gboolean
functions_can_all_return (void)
{
  for (guint i = 0; i < F.n_tasks; i++)
    if (may_block_shutdown (&F.tasks[i]))
      return FALSE;
  return TRUE;
}

static void
op_shutdown (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Join j = { FALSE };
  gboolean must_finish;

  if (F.set == NULL)
    return;

  js_join_set_shutdown_async (F.set, cancellable, shutdown_cb, &j);
  /* Every task is aborted and freed: the set is empty at once. It refuses
   * spawns while the shutdown waits, and is open again afterwards (unless
   * it was closed): is_closed() is checked once the shutdown is done. */
  model_abort_all ();
  for (guint i = 0; i < F.n_tasks; i++)
    if (F.tasks[i].where == T_IN_SET)
      F.tasks[i].where = T_SHUT_DOWN;
  CHECK (js_join_set_get_length (F.set) == 0, "length %u after shutdown_async",
         js_join_set_get_length (F.set));
  CHECK (js_join_set_try_join_next (F.set) == NULL, "a task to join after shutdown_async");
  must_finish = functions_can_all_return ();

  if (!iterate_until (&j.done, must_finish ? WAIT_USEC : BRIEF_USEC))
    {
      CHECK (!must_finish, "shutdown_async: not done although no function is stuck");
      g_cancellable_cancel (cancellable);
      CHECK (iterate_until (&j.done, WAIT_USEC), "cancelled shutdown never completed");
    }
  if (j.shutdown_ok)
    CHECK (j.error == NULL, "shutdown: TRUE and an error");
  else
    CHECK (g_error_matches (j.error, G_IO_ERROR, G_IO_ERROR_CANCELLED),
           "shutdown failed: %s", j.error ? j.error->message : "(no error)");
  g_clear_error (&j.error);
  check_state ();
}

static void
op_unref (void)
{
  if (F.set == NULL)
    return;
  g_clear_object (&F.set);
  CHECK (F.weak == NULL, "the set outlived its last reference");
  for (guint i = 0; i < F.n_tasks; i++)
    if (F.tasks[i].where == T_IN_SET)
      {
        F.tasks[i].where = T_DETACHED;
        F.tasks[i].aborted = TRUE;
      }
}

/* ------------------------------------------------------------------------
 * One program
 * ------------------------------------------------------------------------ */

static void
finish (void)
{
  gint64 deadline;

  /* Let every task go, then drop the set. */
  for (guint i = 0; i < F.n_tasks; i++)
    release (&F.tasks[i]);
  iterate_briefly ();
  if (F.set != NULL)
    {
      /* Main-context tasks released before they ran complete when they
       * run; that needs the context. */
      if (!F.closed)
        js_join_set_set_max_concurrent (F.set, F.max_concurrent = 0);

      /* Released, every task finishes (detached ones too, while the set
       * lives): then nothing is queued or running any more. */
      deadline = g_get_monotonic_time () + WAIT_USEC;
      while (js_join_set_get_n_queued (F.set) != 0 ||
             js_join_set_get_n_running (F.set) != 0 ||
             js_join_set_get_n_finished (F.set) != js_join_set_get_n_spawned (F.set))
        {
          CHECK (g_get_monotonic_time () <= deadline,
                 "every task was released, but after %d s n-queued %u, n-running %u, "
                 "n-finished %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
                 (int) (WAIT_USEC / G_TIME_SPAN_SECOND),
                 js_join_set_get_n_queued (F.set), js_join_set_get_n_running (F.set),
                 js_join_set_get_n_finished (F.set), js_join_set_get_n_spawned (F.set));
          if (!g_main_context_iteration (NULL, FALSE))
            g_usleep (50);
        }
      check_state ();
      op_unref ();
    }
  if (F.tasks_model != NULL)
    op_get_tasks ();  /* empty once the set is gone */

  deadline = g_get_monotonic_time () + WAIT_USEC;
  for (;;)
    {
      gboolean settled = TRUE;

      for (guint i = 0; i < F.n_tasks; i++)
        {
          Task *t = &F.tasks[i];

          if (g_atomic_int_get (&t->destroyed) != 1 ||
              g_atomic_int_get (&t->results_freed) != g_atomic_int_get (&t->results_made) ||
              (g_atomic_int_get (&t->ran) && !g_atomic_int_get (&t->func_done)) ||
              t->held != NULL)
            settled = FALSE;
        }
      if (settled)
        break;
      if (g_get_monotonic_time () > deadline)
        {
          for (guint i = 0; i < F.n_tasks; i++)
            {
              Task *t = &F.tasks[i];

              fprintf (stderr, "task %u: thread %d outcome %d where %d aborted %d "
                       "ran %d done %d destroyed %d results %d/%d\n",
                       t->id, t->in_thread, t->outcome, t->where, t->aborted,
                       t->ran, t->func_done, t->destroyed, t->results_freed,
                       t->results_made);
            }
          CHECK (FALSE, "user_data or results not freed exactly once within %d s",
                 (int) (WAIT_USEC / G_TIME_SPAN_SECOND));
        }
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (50);
    }

  for (guint i = 0; i < F.n_tasks; i++)
    CHECK (F.tasks[i].ran <= 1, "ran twice");
}

/* A set that discards results warns about each failure nobody handles
 * (this harness connects no task-finished handler): expected here, so
 * counted and not printed. Every other message goes through. */
static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0 &&
        (log_level & G_LOG_LEVEL_WARNING) != 0 &&
        strstr (fields[i].value, "of a JsJoinSet that discards results failed") != NULL)
      {
        F.n_discard_warnings++;
        return G_LOG_WRITER_HANDLED;
      }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static void
on_task_progress (JsJoinSet *set,
                  JsTask    *task,
                  double     fraction,
                  gpointer   user_data)
{
  Task *t = task_for_id (js_task_get_id (task));

  CHECK (g_thread_self () == F.main_thread, "task-progress emitted in another thread");
  CHECK (t->progress, "task-progress for task %u, which reports none", t->id);
  CHECK (fraction == PROGRESS_START || fraction == PROGRESS_GATE,
         "task-progress for task %u with %g, which it never reported", t->id, fraction);
  F.n_progress++;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  Input in = { data, size, 0 };
  guint n_ops = 0;

  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_mutex_init (&F.gate_mutex);
      g_cond_init (&F.gate_cond);
      F.main_thread = g_thread_self ();
      g_log_set_writer_func (log_writer, NULL, NULL);
      g_once_init_leave (&initialized, 1);
    }

  F.parent = g_cancellable_new ();
  F.set = js_join_set_new_with_cancellable (F.parent);
  F.weak = F.set;
  g_object_add_weak_pointer (G_OBJECT (F.set), &F.weak);
  g_signal_connect (F.set, "task-progress", G_CALLBACK (on_task_progress), NULL);

  while (in.pos < in.size && n_ops++ < MAX_OPS)
    {
      switch (next_byte (&in) % 27)
        {
        case 0: case 1: op_spawn (&in, FALSE); break;
        case 2: case 3: op_spawn (&in, TRUE); break;
        case 4: op_release (&in); break;
        case 5: op_abort (&in); break;
        case 6: op_abort_all (); break;
        case 7: op_detach_all (); break;
        case 8: op_set_max (&in); break;
        case 9: op_cancel_parent (); break;
        case 10: op_try_join (); break;
        case 11: op_join_next (FALSE); break;
        case 12: op_join_next (TRUE); break;
        case 13: op_join_all (); break;
        case 14: op_shutdown (); break;
        case 15: iterate_briefly (); break;
        case 16: op_unref (); break;
        case 17: op_toggle_ordered (); break;
        case 18: op_toggle_abort_on_success (); break;
        case 19: op_toggle_discard_results (); break;
        case 20: op_join_all_timeout (&in); break;
        case 21: op_join_next_sync (); break;
        case 22: op_set_timeout (&in); break;
        case 23: op_close (); break;
        case 24: op_join_by_id (&in); break;
        case 25: op_join_by_id_sync (&in); break;
        case 26: op_get_tasks (); break;
        default: g_assert_not_reached ();
        }
      model_race ();
      check_state ();
    }

  finish ();

  g_clear_object (&F.parent);
  g_clear_object (&F.tasks_model);
  F.model_first = 0;
  F.model_length = 0;
  for (guint i = 0; i < F.n_tasks; i++)
    g_free (F.tasks[i].name);
  memset (F.tasks, 0, sizeof F.tasks);
  F.n_tasks = 0;
  F.closed = FALSE;
  F.max_concurrent = 0;
  F.ordered = FALSE;
  F.abort_on_success = FALSE;
  F.discard_results = FALSE;
  F.aos_epoch = 0;
  F.discard_epoch = 0;
  F.timeout_ms = 0;
  F.n_finished = 0;
  return 0;
}
