/* fuzz-join-set.c: a model-based fuzzer for JsJoinSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The input is a program: each byte picks an operation (spawn in the main
 * context or in a thread with a chosen outcome, release a blocked task,
 * abort one, abort all, detach all, set max-concurrent, cancel the parent,
 * the joins, a cancelled join, shutdown, iterate the main context, drop the
 * set), the next bytes its arguments. The program runs against a real set
 * and, next to it, against a small reference model of what the set
 * promises; every observation is checked against the model:
 *
 * - the length and closed state are exact after every operation;
 * - a joined task is one of the set's, joined once, with the outcome its
 *   function produced, or G_IO_ERROR_CANCELLED if and only if it was
 *   aborted, or JS_JOIN_ERROR_ABANDONED if its function never returned;
 * - abort() returns FALSE for tasks that are not in the set or were aborted
 *   already, and TRUE for tasks that cannot have finished yet;
 * - a join waits only as long as the model says some task can finish
 *   without help; otherwise it is cancelled after a moment and must lose
 *   nothing;
 * - try_join_next never returns NULL while an aborted task waits;
 * - closed sets spawn nothing and destroy the user_data at once;
 * - at the end, once every blocked task is released and the set dropped,
 *   every user_data was destroyed exactly once and every result freed
 *   exactly once, and the set was finalized.
 *
 * A violation aborts (a crash for libFuzzer). Thread scheduling is not
 * controlled, so the model allows every interleaving: a task in a thread
 * that does not wait for its gate may finish at any time.
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

#define MAX_TASKS 24
#define MAX_OPS 48
#define WAIT_USEC (3 * G_TIME_SPAN_SECOND)
#define BRIEF_USEC (3 * G_TIME_SPAN_MILLISECOND)

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
  guint         length;      /* model */
  gboolean      closed;      /* model */
  guint         max_concurrent;
  GMutex        gate_mutex;
  GCond         gate_cond;
} F;

/* ------------------------------------------------------------------------
 * Task functions
 * ------------------------------------------------------------------------ */

typedef struct
{
  Task   *task;
  guint32 magic;
} Result;

#define RESULT_MAGIC 0x46555a5au

static void
result_free (gpointer data)
{
  Result *r = data;

  CHECK (r->magic == RESULT_MAGIC, "result freed twice or corrupt");
  r->magic = 0;
  CHECK (g_atomic_int_add (&r->task->results_freed, 1) == 0,
         "result of task %u freed twice", r->task->id);
  g_free (r);
}

static Result *
result_new (Task *t)
{
  Result *r = g_new (Result, 1);

  r->task = t;
  r->magic = RESULT_MAGIC;
  g_atomic_int_inc (&t->results_made);
  return r;
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
      js_task_return_pointer (task, result_new (t), result_free);
      break;
    case OUT_GATED_COOP:
      if (!js_task_return_error_if_cancelled (task))
        js_task_return_pointer (task, result_new (t), result_free);
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
thread_func (JsTask       *task,
             GCancellable *cancellable,
             gpointer      user_data)
{
  Task *t = user_data;

  CHECK (g_atomic_int_add (&t->ran, 1) == 0, "task %u ran twice", t->id);

  if (t->outcome == OUT_GATED || t->outcome == OUT_GATED_COOP)
    {
      gulong handler = 0;

      if (t->outcome == OUT_GATED_COOP)
        handler = g_cancellable_connect (cancellable, G_CALLBACK (on_gate_cancelled),
                                         NULL, NULL);
      g_mutex_lock (&F.gate_mutex);
      while (!g_atomic_int_get (&t->gate) &&
             !(t->outcome == OUT_GATED_COOP && g_cancellable_is_cancelled (cancellable)))
        g_cond_wait (&F.gate_cond, &F.gate_mutex);
      g_mutex_unlock (&F.gate_mutex);
      if (handler != 0)
        g_cancellable_disconnect (cancellable, handler);
    }

  produce (task, t);
  g_atomic_int_set (&t->func_done, 1);
}

static void
main_func (JsTask       *task,
           GCancellable *cancellable,
           gpointer      user_data)
{
  Task *t = user_data;

  CHECK (g_atomic_int_add (&t->ran, 1) == 0, "task %u ran twice", t->id);

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

/* Whether @t surely has not finished: it needs a release op or the main
 * context, and neither happened. */
static gboolean
cannot_have_finished (Task *t)
{
  if (t->where != T_IN_SET || t->aborted || t->maybe_aborted || t->released)
    return FALSE;
  return t->outcome == OUT_GATED || t->outcome == OUT_GATED_COOP ||
         t->outcome == OUT_LATER || t->outcome == OUT_LATER_ABANDON;
}

static gboolean
some_can_finish_alone (void)
{
  for (guint i = 0; i < F.n_tasks; i++)
    if (can_finish_alone (&F.tasks[i]))
      return TRUE;
  return FALSE;
}

static gboolean
all_can_finish_alone (void)
{
  for (guint i = 0; i < F.n_tasks; i++)
    if (F.tasks[i].where == T_IN_SET && !can_finish_alone (&F.tasks[i]))
      return FALSE;
  return TRUE;
}

static gboolean
some_aborted_waiting (void)
{
  for (guint i = 0; i < F.n_tasks; i++)
    if (F.tasks[i].where == T_IN_SET && (F.tasks[i].aborted || F.tasks[i].maybe_aborted))
      return TRUE;
  return FALSE;
}

static void
check_state (void)
{
  if (F.set == NULL)
    return;
  CHECK (js_join_set_get_length (F.set) == F.length,
         "length %u, model %u", js_join_set_get_length (F.set), F.length);
  CHECK (js_join_set_is_empty (F.set) == (F.length == 0), "is_empty");
  CHECK (!!js_join_set_is_closed (F.set) == !!F.closed, "is_closed %d, model %d",
         js_join_set_is_closed (F.set), F.closed);
}

/* Checks a task a join handed out and takes it out of the model. */
static void
check_joined (JsTask *task)
{
  g_autoptr(GError) error = NULL;
  Task *t = task_for_id (js_task_get_id (task));

  CHECK (t->where == T_IN_SET, "task %u joined but it is %s", t->id,
         t->where == T_JOINED ? "joined already" :
         t->where == T_DETACHED ? "detached" : "not in the set");
  CHECK (js_task_get_completed (task), "task %u joined before it completed", t->id);
  t->where = T_JOINED;
  F.length--;

  if (t->aborted)
    {
      /* Aborted before it finished: cancelled, whatever it returned. */
      js_task_propagate_boolean (task, &error);
      CHECK (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED),
             "aborted task %u joined with %s", t->id, error ? error->message : "a value");
      return;
    }

  if (t->maybe_aborted && js_task_had_error (task))
    {
      js_task_propagate_boolean (task, &error);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_clear_error (&error);
    }

  switch (t->outcome)
    {
    case OUT_VALUE:
    case OUT_GATED:
    case OUT_LATER:
    case OUT_GATED_COOP:
      {
        Result *r = js_task_propagate_pointer (task, &error);

        CHECK (error == NULL, "task %u failed: %s", t->id, error->message);
        CHECK (r != NULL && r->magic == RESULT_MAGIC && r->task == t,
               "task %u: wrong result", t->id);
        result_free (r);
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
      if (cannot_have_finished (t))
        t->aborted = TRUE;
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

static void
op_spawn (Input   *in,
          gboolean in_thread)
{
  Outcome outcome = next_byte (in) % N_OUTCOMES;
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

  if (in_thread)
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
      memset (t, 0, sizeof *t);
      return;
    }

  CHECK (id == t->id, "spawn returned id %" G_GUINT64_FORMAT ", model %u", id, t->id);
  t->where = T_IN_SET;
  F.length++;
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
    t->aborted = TRUE;
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
  F.length = 0;
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
             "try_join_next returned NULL while an aborted task waits");
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
  must_deliver = !cancel_now && (F.length == 0 || some_can_finish_alone ());

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
      CHECK (F.length == 0, "join_next_async returned no task on a set of %u", F.length);
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
      CHECK (j.tasks->len == F.length, "join_all_async: %u tasks, model %u",
             j.tasks->len, F.length);
      for (guint i = 0; i < j.tasks->len; i++)
        check_joined (g_ptr_array_index (j.tasks, i));
      g_ptr_array_unref (j.tasks);
      CHECK (F.length == 0, "join_all left tasks");
    }
  else
    {
      CHECK (g_error_matches (j.error, G_IO_ERROR, G_IO_ERROR_CANCELLED),
             "join_all_async failed: %s", j.error ? j.error->message : "(no error)");
      g_error_free (j.error);
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
  F.closed = TRUE;
  model_abort_all ();
  check_state ();
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
  F.length = 0;
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
      op_unref ();
    }

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
      g_once_init_leave (&initialized, 1);
    }

  F.parent = g_cancellable_new ();
  F.set = js_join_set_new_with_cancellable (F.parent);
  F.weak = F.set;
  g_object_add_weak_pointer (G_OBJECT (F.set), &F.weak);

  while (in.pos < in.size && n_ops++ < MAX_OPS)
    {
      switch (next_byte (&in) % 17)
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
        default: g_assert_not_reached ();
        }
      check_state ();
    }

  finish ();

  g_clear_object (&F.parent);
  memset (F.tasks, 0, sizeof F.tasks);
  F.n_tasks = 0;
  F.length = 0;
  F.closed = FALSE;
  F.max_concurrent = 0;
  return 0;
}
