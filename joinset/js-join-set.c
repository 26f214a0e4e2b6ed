/* js-join-set.c: a structured group of tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * JsJoinSet:
 *
 * A group of related tasks: spawn any number of them, take each result as
 * it finishes, abort one or all, and know that when the set is dropped
 * nothing it started is left running unowned.
 *
 * `JsJoinSet` brings Tokio's `JoinSet` to GLib. Tasks come in two kinds,
 * with one signature, [callback@Js.TaskFunc]:
 *
 * - [method@Js.JoinSet.spawn] runs the function in the set's
 *   [struct@GLib.MainContext] (the thread-default context when the set was
 *   created), never inside the spawn call itself. It may complete its
 *   [class@Js.Task] later, from the callback of an `_async` operation;
 * - [method@Js.JoinSet.spawn_in_thread] runs blocking work on a worker
 *   thread of a thread pool shared by every set.
 *
 * Finished tasks are joined in completion order, not spawn order, with
 * [method@Js.JoinSet.join_next_async], [method@Js.JoinSet.join_next],
 * [method@Js.JoinSet.try_join_next] or [method@Js.JoinSet.join_all_async].
 * Each task keeps the id [method@Js.JoinSet.spawn] returned, so results can
 * be mapped back to their inputs.
 *
 * ```c
 * static void
 * square (JsTask *task, GCancellable *cancellable, gpointer user_data)
 * {
 *   gssize n = GPOINTER_TO_SIZE (user_data);
 *
 *   js_task_return_int (task, n * n);
 * }
 *
 * static gssize
 * sum_of_squares (void)
 * {
 *   g_autoptr(JsJoinSet) set = js_join_set_new ();
 *   g_autoptr(GError) error = NULL;
 *   JsTask *task;
 *   gssize total = 0;
 *
 *   for (gsize n = 1; n <= 3; n++)
 *     js_join_set_spawn_in_thread (set, square, GSIZE_TO_POINTER (n), NULL);
 *
 *   while ((task = js_join_set_join_next (set, NULL, &error)))
 *     {
 *       total += js_task_propagate_int (task, &error);
 *       g_object_unref (task);
 *       g_assert_no_error (error);
 *     }
 *
 *   return total; // 14
 * }
 * ```
 *
 * ## Aborting
 *
 * [method@Js.JoinSet.abort] and [method@Js.JoinSet.abort_all] abort tasks:
 * a task that has not started never runs (its `user_data` is destroyed at
 * once), and a running task's cancellable is cancelled. Either way the task
 * joins at once with `G_IO_ERROR_CANCELLED`; whatever a running function
 * returns afterwards is freed. Cancelling the set's parent
 * [property@Js.JoinSet:cancellable] aborts every task and closes the set,
 * and [method@Js.JoinSet.shutdown_async] does the same and waits until no
 * task function is running any more.
 *
 * Dropping the last reference to the set aborts every unfinished task,
 * never runs the queued ones, and frees every result nobody joined. Tasks
 * never keep their set alive (only pending joins do), so a
 * `g_autoptr(JsJoinSet)` leaving scope, or a binding's garbage collector,
 * really ends the group. Thread functions still running finish safely
 * afterwards: their results are freed. Running thread tasks are cancelled
 * during the dispose; running tasks of the set's context are cancelled
 * from that context, at `G_PRIORITY_HIGH` on its next iteration, so that
 * their [signal@Gio.Cancellable::cancelled] handlers run in the thread
 * they expect, even when the last reference is dropped in another thread
 * or by a garbage collector that cannot run them (GJS).
 *
 * ## Policies and progress
 *
 * - [property@Js.JoinSet:max-concurrent] limits how many tasks run at once;
 * - [property@Js.JoinSet:ordered] joins tasks in spawn order instead;
 * - [property@Js.JoinSet:abort-on-error] and
 *   [property@Js.JoinSet:abort-on-success] end the group on the first
 *   failure, or on the first success (a race);
 * - [property@Js.JoinSet:timeout], [method@Js.JoinSet.spawn_full] and
 *   [method@Js.JoinSet.join_all_timeout_async] bound the time of a task,
 *   and of a wait for all of them;
 * - [property@Js.JoinSet:discard-results] frees finished tasks at once, for
 *   long-lived groups of fire-and-forget work.
 *
 * For a user interface, [property@Js.JoinSet:n-queued],
 * [property@Js.JoinSet:n-running], [property@Js.JoinSet:n-finished] and
 * [property@Js.JoinSet:n-spawned] count the tasks,
 * [signal@Js.JoinSet::task-finished] reports each finished task, and
 * [signal@Js.JoinSet::task-progress] the progress a task reports with
 * [method@Js.Task.set_progress]. All of them are delivered in the set's
 * main context and coalesced, so that many fast tasks do not flood it.
 *
 * ## Threads
 *
 * Spawning, aborting and reading the length are safe from any thread.
 * Joins complete in the thread-default main context of their caller, as
 * GIO requires. [property@Js.JoinSet:length] and the counters are
 * notified in the set's own context, at most once per main-loop iteration;
 * the other properties are notified in the thread that sets them.
 *
 * Since: 1.0
 */

#include "config.h"

#include <string.h>

#include "js-i18n-private.h"
#include "js-id-table-private.h"
#include "js-join-error.h"
#include "js-join-result-private.h"
#include "js-join-set-private.h"
#include "js-pool-private.h"

/* Deferred work. The core never calls user code, emits a signal or drops
 * a task reference while holding its mutex: functions ending in _locked
 * record what must happen into a JsFlush, and flush_run() does it after
 * the mutex is released. */
typedef struct
{
  gpointer       data;
  GDestroyNotify notify;
} JsDestroy;

typedef struct
{
  GPtrArray *cancel;       /* GCancellable, owned: to cancel */
  GPtrArray *cancel_in_context; /* GCancellable, owned: to cancel from the
                                 * core's context (dispose) */
  GArray    *destroy;      /* JsDestroy: user_data of tasks that never ran */
  GPtrArray *deliver;      /* JsWaiter: async waiters to complete now */
  GPtrArray *unref;        /* GObject, owned */
  GPtrArray *sources;      /* GSource, owned: to destroy */
  guint      n_drainers;   /* drainers to push to the pool */
  guint      watch : 1;    /* ask the pool's watchdog to watch the core */
  guint      wakeup : 1;   /* wake up the core's context, unless this
                            * thread runs it */
  guint      in_timer : 1; /* running in the timer thread */
} JsFlush;

#define JS_FLUSH_INIT { 0 }

typedef enum
{
  JS_WAIT_NEXT,            /* join_next_async */
  JS_WAIT_ALL,             /* join_all_async */
  JS_WAIT_SYNC,            /* join_next, on the caller's stack */
  JS_WAIT_SHUTDOWN,        /* shutdown_async */
} JsWaitKind;

/* Someone waiting for the set. Async waiters are the task data of their
 * GTask, which holds the set (and so the core) alive; light waiters (no
 * GTask, see join_async()) hold the set themselves. */
typedef struct
{
  GList       link;        /* in `queue` */
  GQueue     *queue;       /* core->waiters, ->shutdowns, ->deliver or NULL */
  JsCore     *core;
  JsWaitKind  kind;
  guint       done : 1;    /* served or cancelled; guarded by core->mutex */
  guint       cancelled : 1;
  guint       iterating : 1;
  guint       timed_out : 1; /* the deadline passed before it was queued */
  JsTask     *task;        /* NEXT, SYNC: the task handed over, or NULL */
  GPtrArray  *all;         /* ALL: the tasks handed over so far */
  GTask      *gtask;       /* owned while pending */
  JsJoinSet   *set;         /* light: owned while pending */
  GAsyncReadyCallback callback; /* light */
  gpointer     user_data;   /* light */
  gpointer     source_tag;  /* light */
  GSource    *cancel_source;
  GSource    *deadline_source; /* join_all_timeout_async() */
} JsWaiter;

/* Lock order: core->mutex, then the pool's watch_mutex. GMainContext locks
 * are never taken with core->mutex held (sources are made ready through a
 * JsFlush), except the private timer context's (see start_timeout()). */
struct _JsCore
{
  gatomicrefcount  ref_count;
  GMutex           mutex;
  GCond            cond;           /* broadcast when a blocking join is done */
  GMainContext    *context;        /* immutable: where spawn() tasks run */
  GWeakRef         set;            /* the JsJoinSet, for notifications */
  guint            soft_cap;       /* immutable: drainers before the watchdog */

  /* Everything below is guarded by mutex. */
  GSource         *source;         /* NULL once the set is disposed */
  JsIdTable        tasks;          /* id → JsTask: every task of the set
                                    * that was not joined or detached */
  GQueue           queue;          /* JS_TASK_QUEUED */
  GQueue           thread_ready;   /* JS_TASK_READY, in a thread */
  GQueue           main_ready;     /* JS_TASK_READY, in the context */
  GQueue           running;        /* JS_TASK_RUNNING, not detached */
  GQueue           completed;      /* JS_TASK_COMPLETED, not detached */
  GQueue           waiters;        /* JsWaiter NEXT, ALL, SYNC: FIFO */
  GQueue           shutdowns;      /* JsWaiter SHUTDOWN */
  GQueue           deliver;        /* JsWaiter served, completed by source */
  GQueue           finishing;      /* thread tasks whose function still
                                    * runs although the set no longer waits
                                    * for their outcome (aborted or detached
                                    * while running); no reference: their
                                    * runner holds one */
  GSource         *stuck_timer;    /* warns about a shutdown that waits */
  GQueue           finished;       /* JsTask, owned: to emit task-finished */
  GQueue           progressed;     /* JsTask, owned: progress to notify */
  GHashTable      *timers;         /* &task->id → GSource, owned: the
                                    * timeouts of running tasks; NULL until
                                    * needed */
  guint64          next_id;
  guint64          progress;       /* thread tasks started, for the watchdog */
  guint64          watched_progress;
  gint64           arm_time;       /* see arm_at_locked(); written under
                                    * mutex, read atomically without it by
                                    * the source's prepare and check */
  guint64          order_next;     /* ordered: no task with a smaller id
                                    * is left in `tasks` */
  guint64          n_spawned;
  guint64          n_finished;
  guint64          notified_n_spawned;
  guint64          notified_n_finished;
  guint            n_queued;       /* QUEUED or READY */
  guint            n_running;      /* RUNNING */
  guint            notified_n_queued;
  guint            notified_n_running;
  guint            length;
  guint            notified_length;
  guint            timeout_ms;     /* for spawn() and spawn_in_thread() */
  guint            n_active;       /* tasks holding a concurrency slot */
  guint            max_concurrent;
  guint            n_drainers;     /* drainers pushed and not exited */
  guint            n_busy;         /* drainers inside a task function */
  guint            closed : 1;
  guint            disposed : 1;
  guint            abort_on_error : 1;
  guint            abort_on_success : 1;
  guint            ordered : 1;
  guint            discard_results : 1;
  guint            watched : 1;
};

struct _JsJoinSet
{
  GObject       parent_instance;

  JsCore       *core;
  GCancellable *cancellable;       /* construct-only parent */
  gulong        cancelled_id;
};

enum {
  PROP_0,
  PROP_ABORT_ON_ERROR,
  PROP_ABORT_ON_SUCCESS,
  PROP_CANCELLABLE,
  PROP_DISCARD_RESULTS,
  PROP_LENGTH,
  PROP_MAX_CONCURRENT,
  PROP_N_FINISHED,
  PROP_N_QUEUED,
  PROP_N_RUNNING,
  PROP_N_SPAWNED,
  PROP_ORDERED,
  PROP_PROGRESS,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  TASK_FINISHED,
  TASK_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JsJoinSet, js_join_set, G_TYPE_OBJECT)

/* ------------------------------------------------------------------------
 * The core
 * ------------------------------------------------------------------------ */

void
_js_core_lock (JsCore *core)
{
  g_mutex_lock (&core->mutex);
}

void
_js_core_unlock (JsCore *core)
{
  g_mutex_unlock (&core->mutex);
}

JsCore *
_js_core_ref (JsCore *core)
{
  g_atomic_ref_count_inc (&core->ref_count);
  return core;
}

void
_js_core_unref (JsCore *core)
{
  if (!g_atomic_ref_count_dec (&core->ref_count))
    return;

  g_assert (core->source == NULL);
  g_assert (core->waiters.length == 0);
  g_assert (core->shutdowns.length == 0);
  g_assert (core->deliver.length == 0);

  g_assert (core->finished.length == 0);
  g_assert (core->progressed.length == 0);
  g_assert (core->timers == NULL || g_hash_table_size (core->timers) == 0);

  g_clear_pointer (&core->timers, g_hash_table_unref);
  _js_id_table_clear (&core->tasks);
  g_weak_ref_clear (&core->set);
  g_main_context_unref (core->context);
  g_cond_clear (&core->cond);
  g_mutex_clear (&core->mutex);
  g_free (core);
}

static void
flush_add_unref (JsFlush  *flush,
                 gpointer  object)
{
  if (flush->unref == NULL)
    flush->unref = g_ptr_array_new ();
  g_ptr_array_add (flush->unref, object);
}

static void
flush_add_deliver (JsFlush  *flush,
                   JsWaiter *w)
{
  if (flush->deliver == NULL)
    flush->deliver = g_ptr_array_new ();
  g_ptr_array_add (flush->deliver, w);
}

static void
flush_add_source (JsFlush *flush,
                  GSource *source)
{
  if (flush->sources == NULL)
    flush->sources = g_ptr_array_new ();
  g_ptr_array_add (flush->sources, source);
}

/* The core's source is armed (made ready) to deliver joins, run tasks of
 * its context or notify. core->arm_time tells when it will dispatch: -1
 * not armed, 0 at once, else a monotonic time. The source's prepare and
 * check read it without a lock, so arming costs no GMainContext lock and
 * no eventfd write when the context's own thread arms it (it prepares the
 * source again before it polls), and one wake-up per batch otherwise:
 * only a change to an earlier time wakes the context up. */
static void
arm_at_locked (JsCore  *core,
               gint64   time,
               JsFlush *flush)
{
  if (core->source == NULL)
    return;
  if (core->arm_time >= 0 && core->arm_time <= time)
    return;

  __atomic_store_n (&core->arm_time, time, __ATOMIC_RELEASE);
  flush->wakeup = TRUE;
}

/* At once: joins to deliver, tasks to run. */
static void
arm_locked (JsCore  *core,
            JsFlush *flush)
{
  arm_at_locked (core, 0, flush);
}

/* Soon: the counters and progress to notify, coalesced so that a UI is
 * notified at most once per frame, however many tasks finish. */
#define JS_NOTIFY_INTERVAL_USEC (16 * G_TIME_SPAN_MILLISECOND)

static void
arm_later_locked (JsCore  *core,
                  JsFlush *flush)
{
  if (core->source == NULL || core->arm_time >= 0)
    return;

  arm_at_locked (core, g_get_monotonic_time () + JS_NOTIFY_INTERVAL_USEC, flush);
}

static void waiter_deliver (JsWaiter *w,
                            gboolean  in_source);

static gboolean
cancel_all_cb (gpointer data)
{
  GPtrArray *cancellables = data;

  for (guint i = 0; i < cancellables->len; i++)
    g_cancellable_cancel (g_ptr_array_index (cancellables, i));

  return G_SOURCE_REMOVE;
}

static void
flush_run (JsCore  *core,
           JsFlush *flush)
{
  if (flush->cancel != NULL)
    {
      for (guint i = 0; i < flush->cancel->len; i++)
        {
          GCancellable *cancellable = g_ptr_array_index (flush->cancel, i);

          g_cancellable_cancel (cancellable);
          g_object_unref (cancellable);
        }
      g_ptr_array_unref (flush->cancel);
    }

  if (flush->cancel_in_context != NULL)
    {
      GSource *idle = g_idle_source_new ();

      g_ptr_array_set_free_func (flush->cancel_in_context, g_object_unref);
      g_source_set_priority (idle, G_PRIORITY_HIGH);
      g_source_set_static_name (idle, "[joinset] cancel on dispose");
      g_source_set_callback (idle, cancel_all_cb, flush->cancel_in_context,
                             (GDestroyNotify) g_ptr_array_unref);
      g_source_attach (idle, core->context);
      g_source_unref (idle);
    }

  if (flush->destroy != NULL)
    {
      for (guint i = 0; i < flush->destroy->len; i++)
        {
          JsDestroy *d = &g_array_index (flush->destroy, JsDestroy, i);

          d->notify (d->data);
        }
      g_array_unref (flush->destroy);
    }

  if (flush->deliver != NULL)
    {
      for (guint i = 0; i < flush->deliver->len; i++)
        waiter_deliver (g_ptr_array_index (flush->deliver, i), FALSE);
      g_ptr_array_unref (flush->deliver);
    }

  if (flush->sources != NULL)
    {
      for (guint i = 0; i < flush->sources->len; i++)
        {
          GSource *source = g_ptr_array_index (flush->sources, i);

          g_source_destroy (source);
          g_source_unref (source);
        }
      g_ptr_array_unref (flush->sources);
    }

  for (guint i = 0; i < flush->n_drainers; i++)
    _js_pool_push_drainer (core);

  if (flush->watch)
    _js_pool_watch (core);

  /* The thread that runs the context looks at the core again before it
   * polls: only another thread needs to wake it up. */
  if (flush->wakeup && !g_main_context_is_owner (core->context))
    g_main_context_wakeup (core->context);

  if (flush->unref != NULL)
    {
      for (guint i = 0; i < flush->unref->len; i++)
        g_object_unref (g_ptr_array_index (flush->unref, i));
      g_ptr_array_unref (flush->unref);
    }
}

/* Makes sure every ready thread task has a drainer on its way, up to the
 * soft cap; beyond it, the watchdog adds drainers when the busy ones make
 * no progress. Drainers busy in a task function do not count as free:
 * that function may block, for example on the task spawned after it. */
static void
ensure_drainers_locked (JsCore  *core,
                        JsFlush *flush)
{
  guint ready = core->thread_ready.length;
  guint idle = core->n_drainers - core->n_busy;
  guint room = core->soft_cap > core->n_drainers ? core->soft_cap - core->n_drainers : 0;
  guint add = ready > idle ? MIN (ready - idle, room) : 0;

  if (add > 0)
    {
      flush->n_drainers += add;
      core->n_drainers += add;
      idle += add;
    }

  if (ready > idle && !core->watched)
    {
      core->watched = TRUE;
      core->watched_progress = core->progress;
      flush->watch = TRUE;
    }
}

static void
make_ready_locked (JsCore  *core,
                   JsTask  *task,
                   JsFlush *flush)
{
  task->state = JS_TASK_READY;
  task->holds_slot = TRUE;
  core->n_active++;

  if (task->in_thread)
    {
      g_queue_push_tail_link (&core->thread_ready, &task->link);
    }
  else
    {
      g_queue_push_tail_link (&core->main_ready, &task->link);
      arm_locked (core, flush);
    }
}

static gboolean
has_free_slot_locked (JsCore *core)
{
  return core->max_concurrent == 0 || core->n_active < core->max_concurrent;
}

/* Starts queued tasks, in FIFO order, while there are free slots. */
static void
schedule_locked (JsCore  *core,
                 JsFlush *flush)
{
  GList *link;

  while ((link = core->queue.head) != NULL && has_free_slot_locked (core))
    {
      g_queue_unlink (&core->queue, link);
      make_ready_locked (core, link->data, flush);
    }

  ensure_drainers_locked (core, flush);
}

static void
finish_waiter_locked (JsCore   *core,
                      JsWaiter *w,
                      JsFlush  *flush)
{
  w->done = TRUE;
  w->queue = NULL;

  if (w->kind == JS_WAIT_SYNC)
    {
      g_cond_broadcast (&core->cond);
      if (w->iterating)
        flush->wakeup = TRUE;
      return;
    }

  /* Waiters in the set's own context are completed together by the set's
   * source: one wake-up for a batch of results. Others go through GTask,
   * which posts to their context. */
  if (core->source != NULL &&
      (w->gtask == NULL || g_task_get_context (w->gtask) == core->context))
    {
      g_queue_push_tail_link (&core->deliver, &w->link);
      w->queue = &core->deliver;
      arm_locked (core, flush);
    }
  else
    {
      flush_add_deliver (flush, w);
    }
}

/* Hands the oldest completed task to a consumer. Returns the core's
 * reference. */
static JsTask *
take_completed_locked (JsCore  *core,
                       JsFlush *flush)
{
  JsTask *task = NULL;

  if (core->ordered)
    {
      /* The oldest task of the set, once it finished. Ids are given in
       * spawn order, and the ones skipped left the set for good. */
      while (core->order_next <= core->next_id &&
             (task = _js_id_table_lookup (&core->tasks, core->order_next)) == NULL)
        core->order_next++;

      if (task == NULL || task->state != JS_TASK_COMPLETED)
        return NULL;

      g_queue_unlink (&core->completed, &task->link);
    }
  else
    {
      GList *link = g_queue_pop_head_link (&core->completed);

      if (link == NULL)
        return NULL;

      task = link->data;
    }

  task->state = JS_TASK_JOINED;
  _js_id_table_remove (&core->tasks, task->id);
  core->length--;
  arm_locked (core, flush);

  return task;
}

/* Serves pending joins, first come first served. */
static void
serve_waiters_locked (JsCore  *core,
                      JsFlush *flush)
{
  GList *link;

  while ((link = core->waiters.head) != NULL)
    {
      JsWaiter *w = link->data;

      if (w->kind == JS_WAIT_ALL)
        {
          JsTask *task;

          while ((task = take_completed_locked (core, flush)) != NULL)
            g_ptr_array_add (w->all, task);

          if (core->length > 0)
            break;
        }
      else
        {
          w->task = take_completed_locked (core, flush);

          /* Nothing finished yet, but something will. */
          if (w->task == NULL && core->length > 0)
            break;
        }

      g_queue_unlink (&core->waiters, link);
      finish_waiter_locked (core, w, flush);
    }
}

static void
complete_shutdowns_locked (JsCore  *core,
                           JsFlush *flush)
{
  GList *link;

  /* Like joins: completed by the set's source when they wait in its
   * context, so that the GTask (which holds the set) is released in the
   * caller's thread right after its callback, not later by a worker. */
  while ((link = g_queue_pop_head_link (&core->shutdowns)) != NULL)
    finish_waiter_locked (core, link->data, flush);

  if (core->stuck_timer != NULL)
    {
      flush_add_source (flush, g_steal_pointer (&core->stuck_timer));
    }
}

static void
release_slot_locked (JsCore  *core,
                     JsTask  *task,
                     JsFlush *flush)
{
  if (!task->holds_slot)
    return;

  task->holds_slot = FALSE;
  core->n_active--;

  schedule_locked (core, flush);

  if (core->n_active == 0)
    complete_shutdowns_locked (core, flush);
}

static void abort_all_locked (JsCore  *core,
                              JsFlush *flush);

/* Keeps track of a running thread task whose outcome the set no longer
 * waits for, until its function returns (see _js_core_drain()), so that a
 * shutdown stuck on it can name it. */
static void
finishing_add_locked (JsCore *core,
                      JsTask *task)
{
  if (!task->in_thread || task->func_done || task->finishing)
    return;

  task->finishing = TRUE;
  g_queue_push_tail_link (&core->finishing, &task->link);
}

/* Gives @task its outcome (taking ownership of @result) and, unless the
 * set no longer wants it, puts it in the completed queue.
 *
 * @producer_ref tells whether the caller holds a live reference to a
 * running @task (the producer returning its result). Otherwise (abort,
 * abandonment) the producer may be dropping its last reference on another
 * thread at this very moment, and taking a new one would resurrect the
 * task from its dispose(): GLib 2.74's g_object_unref() touches a
 * resurrected object after releasing its own reference, so another thread
 * could free it under its feet. The consumer then gets a new task object
 * with the same id and name instead. */
static void
complete_locked (JsCore   *core,
                 JsTask   *task,
                 JsResult *result,
                 gboolean  producer_ref,
                 JsFlush  *flush)
{
  JsTaskState prev = task->state;
  JsTask *joinable = task;
  gboolean failed, succeeded;

  g_assert (prev < JS_TASK_COMPLETED);

  task->state = JS_TASK_COMPLETED;

  switch (prev)
    {
    case JS_TASK_QUEUED:
      g_queue_unlink (&core->queue, &task->link);
      core->n_queued--;
      break;

    case JS_TASK_READY:
      g_queue_unlink (task->in_thread ? &core->thread_ready : &core->main_ready,
                      &task->link);
      core->n_queued--;
      break;

    case JS_TASK_RUNNING:
      if (!task->detached)
        g_queue_unlink (&core->running, &task->link);
      core->n_running--;
      break;

    default:
      g_assert_not_reached ();
    }

  core->n_finished++;
  arm_later_locked (core, flush);

  if (task->has_timer)
    {
      GSource *timer = NULL;

      task->has_timer = FALSE;
      if (g_hash_table_steal_extended (core->timers, &task->id, NULL, (gpointer *) &timer))
        flush_add_source (flush, timer);
    }

  /* A thread task holds its slot until its function returns; a task in
   * the context holds it until it completes. */
  if (!task->in_thread || prev != JS_TASK_RUNNING)
    release_slot_locked (core, task, flush);

  if (task->detached || core->disposed)
    {
      /* Nobody will join it: drop the reference the queue held. */
      task->result = *result;
      memset (result, 0, sizeof *result);
      if (prev != JS_TASK_RUNNING)
        flush_add_unref (flush, task);
      task->state = JS_TASK_JOINED;
      return;
    }

  if (prev == JS_TASK_RUNNING)
    {
      if (producer_ref)
        {
          /* Kept alive by its producer only: take a reference for the
           * completed queue. */
          g_object_ref (task);
        }
      else
        {
          joinable = _js_task_new_completed (task);
          _js_id_table_insert (&core->tasks, joinable->id, joinable);
          finishing_add_locked (core, task);
        }
    }

  joinable->result = *result;
  memset (result, 0, sizeof *result);

  failed = _js_result_failed (&joinable->result);
  succeeded = joinable->result.kind != JS_RESULT_ERROR;

  if (core->discard_results)
    {
      /* Freed at once, unless task-finished (or a warning, for a failure)
       * still needs it. */
      joinable->state = JS_TASK_JOINED;
      joinable->discarded = TRUE;
      _js_id_table_remove (&core->tasks, joinable->id);
      core->length--;
      if (task->emit_finished || failed)
        {
          g_queue_push_tail (&core->finished, joinable);
          arm_locked (core, flush);
        }
      else
        {
          flush_add_unref (flush, joinable);
        }
    }
  else
    {
      g_queue_push_tail_link (&core->completed, &joinable->link);
      if (task->emit_finished)
        {
          g_queue_push_tail (&core->finished, g_object_ref (joinable));
          arm_locked (core, flush);
        }
    }

  if ((core->abort_on_error && failed) || (core->abort_on_success && succeeded))
    abort_all_locked (core, flush);

  serve_waiters_locked (core, flush);
}

/* Ends @task with @error (owned), or the abort error if it is %NULL:
 * an unstarted task never runs, a running one is cancelled. */
static void
abort_task_with_error_locked (JsCore  *core,
                              JsTask  *task,
                              GError  *error,
                              JsFlush *flush)
{
  JsResult result = { JS_RESULT_ERROR };

  /* NULL stands for the abort error, built only if it is propagated:
   * aborting a million queued tasks builds no GError. */
  result.u.error = error;

  if (task->state == JS_TASK_RUNNING)
    {
      /* When the set is disposed, or a timeout fires in the timer thread,
       * tasks of the set's context are cancelled from that context, soon
       * after: the dispose may run in another thread, or in a garbage
       * collector that cannot run their handlers. */
      GPtrArray **cancel = (core->disposed || flush->in_timer) && !task->in_thread ?
                           &flush->cancel_in_context : &flush->cancel;

      if (*cancel == NULL)
        *cancel = g_ptr_array_new ();
      g_ptr_array_add (*cancel, g_object_ref (task->cancellable));
    }
  else if (task->user_data_destroy != NULL)
    {
      /* It never ran, and never will: nobody else holds user_data. */
      JsDestroy d = { task->user_data, task->user_data_destroy };

      if (flush->destroy == NULL)
        flush->destroy = g_array_new (FALSE, FALSE, sizeof (JsDestroy));
      g_array_append_val (flush->destroy, d);
      task->user_data = NULL;
      task->user_data_destroy = NULL;
    }

  complete_locked (core, task, &result, FALSE, flush);
}

static void
abort_task_locked (JsCore  *core,
                   JsTask  *task,
                   JsFlush *flush)
{
  abort_task_with_error_locked (core, task, NULL, flush);
}

static void
abort_list_locked (JsCore  *core,
                   GQueue  *queue,
                   JsFlush *flush)
{
  GList *link = queue->head;

  while (link != NULL)
    {
      GList *next = link->next;
      JsTask *task = link->data;

      if (!task->detached)
        abort_task_locked (core, task, flush);

      link = next;
    }
}

static void
abort_all_locked (JsCore  *core,
                  JsFlush *flush)
{
  /* Queued tasks first: they hold no slot, so aborting them starts
   * nothing. Aborting the others frees slots, which only detached tasks
   * (skipped here) can take. */
  abort_list_locked (core, &core->queue, flush);
  abort_list_locked (core, &core->main_ready, flush);
  abort_list_locked (core, &core->thread_ready, flush);
  abort_list_locked (core, &core->running, flush);
}

/* Marks @task as started: its function, returned, is about to be
 * called. */
static JsTaskFunc
start_task_locked (JsCore       *core,
                   JsTask       *task,
                   GCancellable *cancellable,
                   JsFlush      *flush)
{
  JsTaskFunc func = task->func;

  task->state = JS_TASK_RUNNING;
  task->cancellable = cancellable;
  task->started = TRUE;
  if (!task->detached)
    g_queue_push_tail_link (&core->running, &task->link);
  core->n_queued--;
  core->n_running++;
  arm_later_locked (core, flush);

  return func;
}

/* A running task's timeout, in the timer thread's context. */
typedef struct
{
  guint64  id;
  guint    timeout_ms;
  JsCore  *core;
} JsTimeout;

static void
timeout_free (gpointer data)
{
  JsTimeout *t = data;

  _js_core_unref (t->core);
  g_free (t);
}

static gboolean
timeout_cb (gpointer data)
{
  JsTimeout *t = data;
  JsCore *core = t->core;
  JsFlush flush = JS_FLUSH_INIT;
  JsTask *task;

  flush.in_timer = TRUE;

  g_mutex_lock (&core->mutex);
  /* Completing the task removes its timer: if it is still there, the task
   * still runs (or was let go with detach_all()). */
  if (core->timers != NULL &&
      g_hash_table_lookup (core->timers, &t->id) == g_main_current_source ())
    {
      GSource *timer = NULL;

      g_hash_table_steal_extended (core->timers, &t->id, NULL, (gpointer *) &timer);
      flush_add_source (&flush, timer);

      task = _js_id_table_lookup (&core->tasks, t->id);
      if (task != NULL && task->state == JS_TASK_RUNNING)
        {
          task->has_timer = FALSE;
          abort_task_with_error_locked (core, task,
                                        g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                     /* Translators: %u is a
                                                      * number of milliseconds */
                                                     _("The task timed out after %u ms"),
                                                     t->timeout_ms),
                                        &flush);
        }
    }
  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);

  return G_SOURCE_REMOVE;
}

/* Starts the timeout of @task, which just started.
 *
 * The source is attached with the core's lock held, so that timeout_cb()
 * always finds it in core->timers: the one exception to "no GMainContext
 * lock under the core's", safe because the timer context is private and
 * its thread never holds its lock while taking a core's. The key is the
 * task's own id: complete_locked() removes the entry before the task can
 * be finalized. */
static void
start_timeout (JsCore *core,
               JsTask *task)
{
  JsTimeout *t = g_new (JsTimeout, 1);
  GSource *timer = g_timeout_source_new (task->timeout_ms);

  t->id = task->id;
  t->timeout_ms = task->timeout_ms;
  t->core = _js_core_ref (core);
  g_source_set_static_name (timer, "[joinset] task timeout");
  g_source_set_callback (timer, timeout_cb, t, timeout_free);

  g_mutex_lock (&core->mutex);
  if (task->state == JS_TASK_RUNNING && !task->detached && core->source != NULL)
    {
      if (core->timers == NULL)
        core->timers = g_hash_table_new (g_int64_hash, g_int64_equal);
      g_source_attach (timer, _js_pool_get_timer_context ());
      g_hash_table_insert (core->timers, &task->id, g_steal_pointer (&timer));
      task->has_timer = TRUE;
    }
  g_mutex_unlock (&core->mutex);

  /* It finished (or was let go) first. */
  g_clear_pointer (&timer, g_source_unref);
}

void
_js_core_drain (JsCore *core)
{
  JsTask *task = NULL;
  JsTaskFunc func = NULL;

  for (;;)
    {
      JsFlush flush = JS_FLUSH_INIT;
      GCancellable *cancellable = g_cancellable_new ();
      JsTask *finished = task;
      GList *link;

      g_mutex_lock (&core->mutex);

      if (finished != NULL)
        {
          finished->func_done = TRUE;
          if (finished->finishing)
            {
              finished->finishing = FALSE;
              g_queue_unlink (&core->finishing, &finished->link);
            }
          core->n_busy--;
          release_slot_locked (core, finished, &flush);
        }

      link = g_queue_pop_head_link (&core->thread_ready);
      if (link != NULL)
        {
          task = link->data;
          func = start_task_locked (core, task, g_steal_pointer (&cancellable), &flush);
          core->n_busy++;
          core->progress++;
        }
      else
        {
          task = NULL;
          core->n_drainers--;
        }

      g_mutex_unlock (&core->mutex);

      flush_run (core, &flush);
      g_clear_object (&cancellable);

      /* The runner's reference: dropping it may abandon the task. */
      g_clear_object (&finished);

      if (task == NULL)
        break;

      if (task->timeout_ms > 0)
        start_timeout (core, task);
      func (task, task->cancellable, task->user_data);
    }
}

gboolean
_js_core_check_stalled (JsCore *core)
{
  JsFlush flush = JS_FLUSH_INIT;
  gboolean keep = TRUE;

  g_mutex_lock (&core->mutex);

  if (core->thread_ready.length == 0)
    {
      core->watched = FALSE;
      keep = FALSE;
    }
  else if (core->progress == core->watched_progress &&
           core->n_drainers < JS_POOL_MAX_DRAINERS)
    {
      /* Every drainer is stuck in a task: add one. */
      core->n_drainers++;
      flush.n_drainers = 1;
    }

  core->watched_progress = core->progress;

  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);

  return keep;
}

/* Runs one task of main_ready. Called by the set's source. */
static gboolean
run_main_task (JsCore *core)
{
  GCancellable *cancellable = g_cancellable_new ();
  JsFlush flush = JS_FLUSH_INIT;
  JsTaskFunc func = NULL;
  JsTask *task;
  GList *link;

  g_mutex_lock (&core->mutex);
  link = g_queue_pop_head_link (&core->main_ready);
  if (link != NULL)
    {
      task = link->data;
      func = start_task_locked (core, task, g_steal_pointer (&cancellable), &flush);
    }
  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);

  if (link == NULL)
    {
      g_object_unref (cancellable);
      return FALSE;
    }

  if (task->timeout_ms > 0)
    start_timeout (core, task);
  func (task, task->cancellable, task->user_data);

  /* The runner's reference: dropping it may abandon the task. */
  g_object_unref (task);

  return TRUE;
}

/* Emits task-progress and task-finished, in the set's context. */
static void
emit_task_signals (JsCore *core,
                   GQueue *progressed,
                   double *fractions,
                   GQueue *finished)
{
  g_autoptr(JsJoinSet) self = g_weak_ref_get (&core->set);
  JsTask *task;
  guint i = 0;

  while ((task = g_queue_pop_head (progressed)) != NULL)
    {
      if (self != NULL)
        {
          g_object_notify_by_pspec (G_OBJECT (task), _js_task_get_progress_pspec ());
          g_signal_emit (self, signals[TASK_PROGRESS], 0, task, fractions[i]);
        }
      i++;
      g_object_unref (task);
    }

  while ((task = g_queue_pop_head (finished)) != NULL)
    {
      if (self != NULL)
        {
          gboolean handled = g_signal_has_handler_pending (self, signals[TASK_FINISHED], 0, FALSE);
          g_autoptr(GError) error = NULL;

          g_signal_emit (self, signals[TASK_FINISHED], 0, task);

          /* A discarding set does not lose failures silently. */
          if (!handled && task->discarded && _js_result_failed (&task->result))
            {
              g_autofree char *name = NULL;

              _js_core_lock (core);
              name = g_strdup (_js_task_name_locked (task));
              _js_core_unlock (core);

              g_warning ("Task %" G_GUINT64_FORMAT "%s%s%s of a JsJoinSet that "
                         "discards results failed: %s",
                         task->id, name ? " (\"" : "", name ? name : "",
                         name ? "\")" : "", task->result.u.error->message);
            }
        }
      g_object_unref (task);
    }
}

/* Joins delivered in one dispatch of the set's source, at most (about). */
#define JS_DELIVER_PER_DISPATCH 4096

/* The served waiters to complete, taken out of the core. */
static GQueue
take_deliver_locked (JsCore *core)
{
  GQueue deliver = core->deliver;

  g_queue_init (&core->deliver);
  for (GList *link = deliver.head; link != NULL; link = link->next)
    ((JsWaiter *)link->data)->queue = NULL;

  return deliver;
}

static void
core_dispatch (JsCore  *core,
               GSource *source)
{
  GQueue deliver, progressed, finished;
  g_autofree double *fractions = NULL;
  guint n_main;
  gboolean notify[N_PROPS] = { FALSE, };
  gboolean any_notify = FALSE;
  GList *link;

  g_mutex_lock (&core->mutex);
  __atomic_store_n (&core->arm_time, -1, __ATOMIC_RELEASE);
  deliver = take_deliver_locked (core);
  n_main = core->main_ready.length;

  progressed = core->progressed;
  g_queue_init (&core->progressed);
  if (progressed.length > 0)
    fractions = g_new (double, progressed.length);
  link = progressed.head;
  for (guint i = 0; link != NULL; link = link->next, i++)
    {
      JsTaskExtra *extra = ((JsTask *)link->data)->extra;

      extra->progress_pending = FALSE;
      fractions[i] = extra->progress;
    }
  finished = core->finished;
  g_queue_init (&core->finished);

  g_mutex_unlock (&core->mutex);

  if (progressed.length > 0 || finished.length > 0)
    emit_task_signals (core, &progressed, fractions, &finished);

  /* Joins started by these callbacks and served at once are delivered
   * in the same dispatch, up to a bound that lets other sources run. */
  for (guint n = 0;;)
    {
      link = deliver.head;
      while (link != NULL)
        {
          GList *next = link->next;

          waiter_deliver (link->data, TRUE);
          link = next;
          n++;
        }

      if (n >= JS_DELIVER_PER_DISPATCH)
        break;

      g_mutex_lock (&core->mutex);
      deliver = take_deliver_locked (core);
      g_mutex_unlock (&core->mutex);

      if (deliver.length == 0)
        break;
    }

  /* Only the tasks ready now: tasks they spawn run in a later iteration. */
  for (guint i = 0; i < n_main; i++)
    if (!run_main_task (core))
      break;

  /* The values notified are taken last, after the tasks above ran: a
   * handler reads the live value, and it must be the one recorded as
   * notified, or a later change back to it would go unnotified. */
  g_mutex_lock (&core->mutex);
#define CHANGED(prop, field) \
  notify[prop] = core->field != core->notified_##field; \
  any_notify |= notify[prop]; \
  core->notified_##field = core->field
  CHANGED (PROP_LENGTH, length);
  CHANGED (PROP_N_QUEUED, n_queued);
  CHANGED (PROP_N_RUNNING, n_running);
  CHANGED (PROP_N_FINISHED, n_finished);
  CHANGED (PROP_N_SPAWNED, n_spawned);
#undef CHANGED
  notify[PROP_PROGRESS] = notify[PROP_N_FINISHED] || notify[PROP_N_SPAWNED];
  g_mutex_unlock (&core->mutex);

  if (any_notify)
    {
      g_autoptr(JsJoinSet) self = g_weak_ref_get (&core->set);

      if (self != NULL)
        {
          g_object_freeze_notify (G_OBJECT (self));
          for (guint i = 0; i < N_PROPS; i++)
            if (notify[i])
              g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
          g_object_thaw_notify (G_OBJECT (self));
        }
    }
}

typedef struct
{
  GSource  source;
  JsCore  *core;
} JsCoreSource;

static gboolean
core_source_prepare (GSource *source,
                     gint    *timeout)
{
  JsCore *core = ((JsCoreSource *)source)->core;
  gint64 time = __atomic_load_n (&core->arm_time, __ATOMIC_ACQUIRE);
  gint64 now;

  *timeout = -1;
  if (time < 0)
    return FALSE;

  now = time == 0 ? 0 : g_get_monotonic_time ();
  if (time <= now)
    {
      *timeout = 0;
      return TRUE;
    }

  *timeout = (gint) ((time - now + 999) / 1000);
  return FALSE;
}

static gboolean
core_source_check (GSource *source)
{
  JsCore *core = ((JsCoreSource *)source)->core;
  gint64 time = __atomic_load_n (&core->arm_time, __ATOMIC_ACQUIRE);

  return time == 0 || (time > 0 && time <= g_get_monotonic_time ());
}

static gboolean
core_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  core_dispatch (((JsCoreSource *)source)->core, source);
  return G_SOURCE_CONTINUE;
}

static void
core_source_finalize (GSource *source)
{
  g_clear_pointer (&((JsCoreSource *)source)->core, _js_core_unref);
}

static GSourceFuncs core_source_funcs = {
  .prepare = core_source_prepare,
  .check = core_source_check,
  .dispatch = core_source_dispatch,
  .finalize = core_source_finalize,
};

static JsCore *
core_new (JsJoinSet *self)
{
  JsCore *core = g_new0 (JsCore, 1);
  JsCoreSource *source;

  g_atomic_ref_count_init (&core->ref_count);
  g_mutex_init (&core->mutex);
  g_cond_init (&core->cond);
  core->arm_time = -1;
  core->order_next = 1;
  g_weak_ref_init (&core->set, self);
  core->context = g_main_context_ref_thread_default ();
  core->soft_cap = _js_pool_get_soft_cap ();
  _js_id_table_init (&core->tasks);

  source = (JsCoreSource *)g_source_new (&core_source_funcs, sizeof *source);
  source->core = _js_core_ref (core);
  g_source_set_static_name ((GSource *)source, "[joinset] JsJoinSet");
  /* A task may run a nested loop on the set's context, for example by
   * calling js_join_set_join_next() on its own set. */
  g_source_set_can_recurse ((GSource *)source, TRUE);
  g_source_attach ((GSource *)source, core->context);
  core->source = (GSource *)source;

  return core;
}

static void
core_dispose (JsCore *core)
{
  JsFlush flush = JS_FLUSH_INIT;
  GQueue *lists[] = { &core->queue, &core->main_ready, &core->thread_ready };
  GQueue deliver;
  JsTask *task_ref;
  GSource *source;
  GList *link;

  g_mutex_lock (&core->mutex);

  /* GObject may run dispose again, if it was resurrected. */
  if (core->disposed)
    {
      g_mutex_unlock (&core->mutex);
      return;
    }

  core->closed = TRUE;
  core->disposed = TRUE;

  /* Unfinished tasks: queued ones never run, running ones are cancelled.
   * As the core is disposed, complete_locked() keeps none of them. */
  abort_all_locked (core, &flush);

  /* Results nobody joined. */
  while ((link = g_queue_pop_head_link (&core->completed)) != NULL)
    {
      JsTask *task = link->data;

      task->state = JS_TASK_JOINED;
      flush_add_unref (&flush, task);
    }

  /* Detached tasks that have not started need the set to run: they are
   * dropped with it. */
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      link = lists[i]->head;
      while (link != NULL)
        {
          GList *next = link->next;
          JsTask *task = link->data;

          g_assert (task->detached);
          abort_task_locked (core, task, &flush);
          link = next;
        }
    }

  _js_id_table_remove_all (&core->tasks);
  core->length = 0;

  /* Signals nobody can receive any more. */
  while ((task_ref = g_queue_pop_head (&core->finished)) != NULL)
    flush_add_unref (&flush, task_ref);
  while ((task_ref = g_queue_pop_head (&core->progressed)) != NULL)
    {
      task_ref->extra->progress_pending = FALSE;
      flush_add_unref (&flush, task_ref);
    }

  source = g_steal_pointer (&core->source);
  if (core->stuck_timer != NULL)
    {
      flush_add_source (&flush, g_steal_pointer (&core->stuck_timer));
    }

  /* Joins still pending (only after g_object_run_dispose(): a pending
   * join holds the set) find an empty set. With the source gone, they
   * and the joins it had yet to deliver complete through their GTask, or
   * an idle in the set's context. */
  serve_waiters_locked (core, &flush);
  deliver = take_deliver_locked (core);
  while ((link = g_queue_pop_head_link (&deliver)) != NULL)
    flush_add_deliver (&flush, link->data);

  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);

  g_source_destroy (source);
  g_source_unref (source);
}

static void
on_parent_cancelled (GCancellable *cancellable,
                     JsCore       *core)
{
  JsFlush flush = JS_FLUSH_INIT;

  g_mutex_lock (&core->mutex);
  core->closed = TRUE;
  abort_all_locked (core, &flush);
  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);
}

void
_js_core_task_return (JsTask   *task,
                      JsResult *result)
{
  JsCore *core = task->core;
  JsFlush flush = JS_FLUSH_INIT;
  gboolean twice = FALSE;

  g_mutex_lock (&core->mutex);

  if (task->returned)
    {
      twice = TRUE;
    }
  else
    {
      task->returned = TRUE;

      /* Otherwise the task was aborted first: this late result is freed
       * below. */
      if (task->state == JS_TASK_RUNNING)
        complete_locked (core, task, result, TRUE, &flush);
    }

  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);

  if (twice)
    g_critical ("A js_task_return_*() function was called twice on task %"
                G_GUINT64_FORMAT ": a task returns exactly once", task->id);

  _js_result_clear (result);
}

void
_js_core_task_dispose (JsTask *task)
{
  JsCore *core = task->core;
  JsFlush flush = JS_FLUSH_INIT;
  GDestroyNotify destroy;
  gpointer data;

  g_mutex_lock (&core->mutex);

  if (task->state == JS_TASK_RUNNING)
    {
      JsResult result = { JS_RESULT_ERROR };

      /* The producer let go without returning: the consumer gets a new
       * task object carrying the error (see complete_locked()). */
      g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, task->id);

      result.u.error = g_error_new (JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED,
                                    /* Translators: %s is the number that
                                     * identifies a task */
                                    _("Task %s was dropped without returning a result"),
                                    id);
      complete_locked (core, task, &result, FALSE, &flush);
    }

  /* The producer is done with user_data. */
  data = g_steal_pointer (&task->user_data);
  destroy = g_steal_pointer (&task->user_data_destroy);

  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);

  if (destroy != NULL)
    destroy (data);
}

void
_js_core_task_set_progress (JsTask *task,
                            double  fraction)
{
  JsCore *core = task->core;
  JsFlush flush = JS_FLUSH_INIT;
  JsTaskExtra *extra;

  g_mutex_lock (&core->mutex);
  extra = _js_task_get_extra_locked (task);
  extra->progress = fraction;
  /* Delivered for running tasks of a set that is still there. */
  if (!extra->progress_pending && task->state == JS_TASK_RUNNING &&
      !task->detached && core->source != NULL)
    {
      extra->progress_pending = TRUE;
      g_queue_push_tail (&core->progressed, g_object_ref (task));
      arm_later_locked (core, &flush);
    }
  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);
}

/* ------------------------------------------------------------------------
 * Waiters
 * ------------------------------------------------------------------------ */

static void
waiter_free (gpointer data)
{
  JsWaiter *w = data;

  g_assert (w->gtask == NULL);
  g_assert (w->queue == NULL);

  g_clear_object (&w->set);
  g_clear_object (&w->task);
  g_clear_pointer (&w->all, g_ptr_array_unref);
  if (w->cancel_source != NULL)
    {
      g_source_destroy (w->cancel_source);
      g_source_unref (w->cancel_source);
    }
  if (w->deadline_source != NULL)
    {
      g_source_destroy (w->deadline_source);
      g_source_unref (w->deadline_source);
    }
  g_free (w);
}

/* Takes a pending waiter out of its queue. A join_all waiter gives back
 * the tasks it collected, so that cancelling it loses none. */
static void
waiter_unlink_locked (JsCore   *core,
                      JsWaiter *w,
                      JsFlush  *flush)
{
  g_assert (!w->done && w->queue != NULL);

  g_queue_unlink (w->queue, &w->link);
  w->queue = NULL;
  w->done = TRUE;
  w->cancelled = TRUE;

  if (w->all != NULL && w->all->len > 0)
    {
      for (guint i = w->all->len; i > 0; i--)
        {
          JsTask *task = g_ptr_array_steal_index (w->all, i - 1);

          task->state = JS_TASK_COMPLETED;
          _js_id_table_insert (&core->tasks, task->id, task);
          g_queue_push_head_link (&core->completed, &task->link);
          core->length++;
          core->order_next = MIN (core->order_next, task->id);
        }
      arm_locked (core, flush);
      serve_waiters_locked (core, flush);
    }
}

static gboolean
light_deliver_cb (gpointer data)
{
  waiter_deliver (data, TRUE);
  return G_SOURCE_REMOVE;
}

/* Completes an async waiter that is done. Called without the lock;
 * @in_source tells whether from a source of the set's context (its own
 * source, for waiters in that context), where a light waiter's callback
 * may run. */
static void
waiter_deliver (JsWaiter *w,
                gboolean  in_source)
{
  GTask *gtask = g_steal_pointer (&w->gtask);

  if (gtask == NULL)
    {
      g_autoptr(JsJoinResult) result = NULL;
      GObject *set = G_OBJECT (w->set);
      GDestroyNotify destroy;
      gpointer data;

      /* Only after a g_object_run_dispose(), with the set's source gone,
       * is a light waiter delivered from elsewhere: post it. */
      if (!in_source)
        {
          GSource *source = g_idle_source_new ();

          g_source_set_static_name (source, "[joinset] join");
          g_source_set_callback (source, light_deliver_cb, w, NULL);
          g_source_attach (source, w->core->context);
          g_source_unref (source);
          return;
        }

      if (w->kind == JS_WAIT_NEXT)
        {
          data = g_steal_pointer (&w->task);
          destroy = g_object_unref;
        }
      else
        {
          data = g_steal_pointer (&w->all);
          destroy = (GDestroyNotify) g_ptr_array_unref;
        }
      result = _js_join_result_new (G_OBJECT (g_steal_pointer (&w->set)), w->source_tag,
                                    w->user_data, data, destroy);

      /* The result holds the set until it is finalized. Without a
       * callback, as with a GTask, the outcome is dropped with it. */
      if (w->callback != NULL)
        w->callback (set, G_ASYNC_RESULT (result), w->user_data);
      waiter_free (w);
      return;
    }

  if (w->cancel_source != NULL)
    g_source_destroy (w->cancel_source);
  /* It holds the GTask, and so the set. */
  if (w->deadline_source != NULL)
    g_source_destroy (w->deadline_source);

  switch (w->kind)
    {
    case JS_WAIT_NEXT:
      g_task_return_pointer (gtask, g_steal_pointer (&w->task), g_object_unref);
      break;

    case JS_WAIT_ALL:
      g_task_return_pointer (gtask, g_steal_pointer (&w->all),
                             (GDestroyNotify) g_ptr_array_unref);
      break;

    case JS_WAIT_SHUTDOWN:
      g_task_return_boolean (gtask, TRUE);
      break;

    case JS_WAIT_SYNC:
    default:
      g_assert_not_reached ();
    }

  /* May free w. */
  g_object_unref (gtask);
}

static gboolean
on_waiter_cancelled (GCancellable *cancellable,
                     gpointer      data)
{
  GTask *gtask = data;
  JsWaiter *w = g_task_get_task_data (gtask);
  JsCore *core = w->core;
  JsFlush flush = JS_FLUSH_INIT;
  gboolean cancelled = FALSE;

  g_mutex_lock (&core->mutex);
  if (!w->done)
    {
      waiter_unlink_locked (core, w, &flush);
      cancelled = TRUE;
    }
  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);

  if (cancelled)
    {
      GTask *owned = g_steal_pointer (&w->gtask);

      if (w->deadline_source != NULL)
        g_source_destroy (w->deadline_source);
      g_task_return_error_if_cancelled (owned);
      g_object_unref (owned);
    }

  return G_SOURCE_REMOVE;
}

static gboolean
on_waiter_deadline (gpointer data)
{
  GTask *gtask = data;
  JsWaiter *w = g_task_get_task_data (gtask);
  JsCore *core = w->core;
  JsFlush flush = JS_FLUSH_INIT;

  g_mutex_lock (&core->mutex);
  if (!w->done)
    {
      if (w->queue == NULL)
        {
          /* Another thread runs the context: join_async() finishes it
           * once queued. */
          w->timed_out = TRUE;
        }
      else
        {
          g_queue_unlink (w->queue, &w->link);
          finish_waiter_locked (core, w, &flush);
        }
    }
  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);

  return G_SOURCE_REMOVE;
}

/* A waiter for an async join or shutdown. A light one (see
 * can_join_light()) has no GTask: the set's source completes it. */
static JsWaiter *
waiter_new_async (JsJoinSet           *self,
                  JsWaitKind           kind,
                  gboolean             light,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data,
                  gpointer             source_tag)
{
  JsWaiter *w = g_new0 (JsWaiter, 1);
  GTask *gtask;

  w->link.data = w;
  w->core = self->core;
  w->kind = kind;
  if (kind == JS_WAIT_ALL)
    w->all = g_ptr_array_new_with_free_func (g_object_unref);

  if (light)
    {
      w->set = g_object_ref (self);
      w->callback = callback;
      w->user_data = user_data;
      w->source_tag = source_tag;
      return w;
    }

  gtask = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (gtask, source_tag);
  /* A join that was served returns its task even if its cancellable was
   * cancelled meanwhile: otherwise the task would be lost. */
  g_task_set_check_cancellable (gtask, FALSE);
  g_task_set_task_data (gtask, w, waiter_free);
  w->gtask = gtask;

  if (cancellable != NULL)
    {
      w->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (w->cancel_source, "[joinset] join cancelled");
      g_source_set_callback (w->cancel_source,
                             G_SOURCE_FUNC (on_waiter_cancelled),
                             g_object_ref (gtask), g_object_unref);
      g_source_attach (w->cancel_source, g_task_get_context (gtask));
    }

  return w;
}

/* ------------------------------------------------------------------------
 * JsJoinSet
 * ------------------------------------------------------------------------ */

static void
js_join_set_constructed (GObject *object)
{
  JsJoinSet *self = (JsJoinSet *)object;

  G_OBJECT_CLASS (js_join_set_parent_class)->constructed (object);

  if (self->cancellable != NULL)
    self->cancelled_id = g_cancellable_connect (self->cancellable,
                                                G_CALLBACK (on_parent_cancelled),
                                                _js_core_ref (self->core),
                                                (GDestroyNotify) _js_core_unref);
}

static void
js_join_set_dispose (GObject *object)
{
  JsJoinSet *self = (JsJoinSet *)object;

  /* Disconnecting from inside the handler's own emission would deadlock;
   * once the parent is cancelled the handler has run or is running, and
   * its core reference is released with the cancellable. */
  if (self->cancelled_id != 0 && !g_cancellable_is_cancelled (self->cancellable))
    g_cancellable_disconnect (self->cancellable, self->cancelled_id);
  self->cancelled_id = 0;

  core_dispose (self->core);

  G_OBJECT_CLASS (js_join_set_parent_class)->dispose (object);
}

static void
js_join_set_finalize (GObject *object)
{
  JsJoinSet *self = (JsJoinSet *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->core, _js_core_unref);

  G_OBJECT_CLASS (js_join_set_parent_class)->finalize (object);
}

static void
js_join_set_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  JsJoinSet *self = JS_JOIN_SET (object);

  switch (prop_id)
    {
    case PROP_ABORT_ON_ERROR:
      g_value_set_boolean (value, js_join_set_get_abort_on_error (self));
      break;

    case PROP_ABORT_ON_SUCCESS:
      g_value_set_boolean (value, js_join_set_get_abort_on_success (self));
      break;

    case PROP_CANCELLABLE:
      g_value_set_object (value, self->cancellable);
      break;

    case PROP_DISCARD_RESULTS:
      g_value_set_boolean (value, js_join_set_get_discard_results (self));
      break;

    case PROP_LENGTH:
      g_value_set_uint (value, js_join_set_get_length (self));
      break;

    case PROP_MAX_CONCURRENT:
      g_value_set_uint (value, js_join_set_get_max_concurrent (self));
      break;

    case PROP_N_FINISHED:
      g_value_set_uint64 (value, js_join_set_get_n_finished (self));
      break;

    case PROP_N_QUEUED:
      g_value_set_uint (value, js_join_set_get_n_queued (self));
      break;

    case PROP_N_RUNNING:
      g_value_set_uint (value, js_join_set_get_n_running (self));
      break;

    case PROP_N_SPAWNED:
      g_value_set_uint64 (value, js_join_set_get_n_spawned (self));
      break;

    case PROP_ORDERED:
      g_value_set_boolean (value, js_join_set_get_ordered (self));
      break;

    case PROP_PROGRESS:
      g_value_set_double (value, js_join_set_get_progress (self));
      break;

    case PROP_TIMEOUT:
      g_value_set_uint (value, js_join_set_get_timeout (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
js_join_set_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  JsJoinSet *self = JS_JOIN_SET (object);

  switch (prop_id)
    {
    case PROP_ABORT_ON_ERROR:
      js_join_set_set_abort_on_error (self, g_value_get_boolean (value));
      break;

    case PROP_ABORT_ON_SUCCESS:
      js_join_set_set_abort_on_success (self, g_value_get_boolean (value));
      break;

    case PROP_CANCELLABLE:
      self->cancellable = g_value_dup_object (value);
      break;

    case PROP_DISCARD_RESULTS:
      js_join_set_set_discard_results (self, g_value_get_boolean (value));
      break;

    case PROP_MAX_CONCURRENT:
      js_join_set_set_max_concurrent (self, g_value_get_uint (value));
      break;

    case PROP_ORDERED:
      js_join_set_set_ordered (self, g_value_get_boolean (value));
      break;

    case PROP_TIMEOUT:
      js_join_set_set_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
js_join_set_class_init (JsJoinSetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = js_join_set_constructed;
  object_class->dispose = js_join_set_dispose;
  object_class->finalize = js_join_set_finalize;
  object_class->get_property = js_join_set_get_property;
  object_class->set_property = js_join_set_set_property;

  /**
   * JsJoinSet:abort-on-error:
   *
   * Whether the first task that fails aborts every unfinished task.
   *
   * Any error counts except `G_IO_ERROR_CANCELLED`, so aborted tasks do
   * not abort the others. The failed task keeps its own error.
   *
   * Since: 1.0
   */
  properties[PROP_ABORT_ON_ERROR] =
    g_param_spec_boolean ("abort-on-error", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:cancellable:
   *
   * A parent cancellable: cancelling it aborts every task of the set and
   * closes it, so that later spawns return 0.
   *
   * Since: 1.0
   */
  properties[PROP_CANCELLABLE] =
    g_param_spec_object ("cancellable", NULL, NULL,
                         G_TYPE_CANCELLABLE,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:length:
   *
   * The number of tasks in the set: spawned and not joined yet, whether
   * they are queued, running or finished.
   *
   * It is notified in the set's main context, at most once per main-loop
   * iteration, when it changed since the last notification.
   *
   * Since: 1.0
   */
  properties[PROP_LENGTH] =
    g_param_spec_uint ("length", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:max-concurrent:
   *
   * How many task functions may run at once, or 0 for no limit.
   *
   * Tasks beyond the limit wait in spawn order. A thread task holds its
   * place until its function returns; a task in the main context until it
   * completes. Raising the limit starts waiting tasks at once.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_CONCURRENT] =
    g_param_spec_uint ("max-concurrent", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:abort-on-success:
   *
   * Whether the first task that succeeds aborts every unfinished task:
   * the "ask three mirrors, keep the fastest" race.
   *
   * Any task that does not complete with an error counts as a success.
   * The winner keeps its result; the others join as cancelled. The set
   * stays open.
   *
   * Since: 1.0
   */
  properties[PROP_ABORT_ON_SUCCESS] =
    g_param_spec_boolean ("abort-on-success", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:discard-results:
   *
   * Whether finished tasks are freed at once instead of waiting to be
   * joined, like Swift's discarding task groups: for a long-lived set of
   * fire-and-forget work, tied for example to a window, that must not grow
   * without bound.
   *
   * A discarding set has nothing to join: joins only wait for it to become
   * empty. [signal@Js.JoinSet::task-finished] still sees every task that
   * finishes (connect it before spawning), and a task that fails (with
   * any error but `G_IO_ERROR_CANCELLED`) while no handler is connected is
   * reported with a warning. Setting it does not discard the tasks that
   * already finished.
   *
   * Since: 1.0
   */
  properties[PROP_DISCARD_RESULTS] =
    g_param_spec_boolean ("discard-results", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:n-finished:
   *
   * How many tasks of the set have finished, with any outcome (aborted
   * ones included), joined or not, since the set was created.
   *
   * With [property@Js.JoinSet:n-spawned] it makes a progress bar. Like
   * every counter of the set, it is notified in the set's main context,
   * coalesced: at most once per main-loop iteration and about 60 times a
   * second, however many tasks finish.
   *
   * Since: 1.0
   */
  properties[PROP_N_FINISHED] =
    g_param_spec_uint64 ("n-finished", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:n-queued:
   *
   * How many tasks wait to start: for a concurrency slot (see
   * [property@Js.JoinSet:max-concurrent]), a worker thread, or an
   * iteration of the set's main context. Notified like
   * [property@Js.JoinSet:n-finished].
   *
   * Since: 1.0
   */
  properties[PROP_N_QUEUED] =
    g_param_spec_uint ("n-queued", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:n-running:
   *
   * How many tasks have started and not finished yet. Notified like
   * [property@Js.JoinSet:n-finished].
   *
   * Since: 1.0
   */
  properties[PROP_N_RUNNING] =
    g_param_spec_uint ("n-running", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:n-spawned:
   *
   * How many tasks were spawned on the set since it was created. Notified
   * like [property@Js.JoinSet:n-finished].
   *
   * Since: 1.0
   */
  properties[PROP_N_SPAWNED] =
    g_param_spec_uint64 ("n-spawned", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:ordered:
   *
   * Whether joins yield tasks in spawn order instead of completion order,
   * like tokio-util's `JoinQueue`.
   *
   * A slow task holds back the tasks spawned after it, but never stops
   * them from running: they finish and wait, in order, to be joined.
   * [method@Js.JoinSet.try_join_next] returns %NULL while the oldest task
   * runs, even if younger ones finished.
   *
   * Since: 1.0
   */
  properties[PROP_ORDERED] =
    g_param_spec_boolean ("ordered", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:progress:
   *
   * The fraction of the spawned tasks that finished:
   * [property@Js.JoinSet:n-finished] divided by
   * [property@Js.JoinSet:n-spawned], or 0.0 before the first spawn. Bind
   * it to a `GtkProgressBar`'s `fraction`:
   *
   * ```c
   * g_object_bind_property (set, "progress", bar, "fraction", G_BINDING_SYNC_CREATE);
   * ```
   *
   * Aborted tasks count as finished. It is notified with the counters, in
   * the set's main context and coalesced.
   *
   * Since: 1.0
   */
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL,
                         0.0, 1.0, 0.0,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:timeout:
   *
   * The time limit, in milliseconds, of each task spawned with
   * [method@Js.JoinSet.spawn] or [method@Js.JoinSet.spawn_in_thread], or
   * 0 for none. Changing it applies to the tasks spawned afterwards; see
   * [method@Js.JoinSet.spawn_full] for a limit per task.
   *
   * The clock starts when the task's function is called, not when it is
   * queued. A task that runs out of time is aborted, and joins with
   * `G_IO_ERROR_TIMED_OUT` (which [property@Js.JoinSet:abort-on-error]
   * counts as a failure).
   *
   * Since: 1.0
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JsJoinSet::task-finished:
   * @self: the set
   * @task: the task that finished
   *
   * Emitted in the set's main context for each task that finished, in
   * completion order: an alternative to a join loop, for example to
   * update a user interface.
   *
   * Unless [property@Js.JoinSet:discard-results] is set, the task stays in
   * the set, to be joined: leave its result to the join. In a set that
   * discards results, the handler is the only place that sees the result:
   * take it there with the `js_task_propagate_*()` functions.
   *
   * Only tasks spawned while a handler is connected emit it: connect
   * before spawning. Tasks detached with [method@Js.JoinSet.detach_all] do
   * not, and emissions still pending when the set is disposed are dropped
   * with it (the tasks are freed).
   *
   * Since: 1.0
   */
  signals[TASK_FINISHED] =
    g_signal_new ("task-finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, JS_TYPE_TASK);

  /**
   * JsJoinSet::task-progress:
   * @self: the set
   * @task: a running task
   * @fraction: its progress, from 0.0 to 1.0
   *
   * Emitted in the set's main context when a task reported progress with
   * [method@Js.Task.set_progress], coalesced: at most once per task per
   * main-loop iteration, with the last value, about 60 times a second at
   * most. [property@Js.Task:progress] is notified just before.
   *
   * Since: 1.0
   */
  signals[TASK_PROGRESS] =
    g_signal_new ("task-progress",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 2, JS_TYPE_TASK, G_TYPE_DOUBLE);
}

static void
js_join_set_init (JsJoinSet *self)
{
  self->core = core_new (self);
}

/**
 * js_join_set_new:
 *
 * Creates an empty set. Its tasks spawned with [method@Js.JoinSet.spawn]
 * run in the thread-default main context of the caller.
 *
 * Returns: (transfer full): a new `JsJoinSet`
 *
 * Since: 1.0
 */
JsJoinSet *
js_join_set_new (void)
{
  return g_object_new (JS_TYPE_JOIN_SET, NULL);
}

/**
 * js_join_set_new_with_cancellable:
 * @cancellable: (nullable): a parent cancellable
 *
 * Creates an empty set with a parent cancellable (see
 * [property@Js.JoinSet:cancellable]). Cancelling @cancellable aborts the
 * whole set.
 *
 * Returns: (transfer full): a new `JsJoinSet`
 *
 * Since: 1.0
 */
JsJoinSet *
js_join_set_new_with_cancellable (GCancellable *cancellable)
{
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  return g_object_new (JS_TYPE_JOIN_SET, "cancellable", cancellable, NULL);
}

/**
 * js_join_set_get_max_concurrent:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:max-concurrent].
 *
 * Returns: the concurrency limit, or 0 for none
 *
 * Since: 1.0
 */
guint
js_join_set_get_max_concurrent (JsJoinSet *self)
{
  guint max_concurrent;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  g_mutex_lock (&self->core->mutex);
  max_concurrent = self->core->max_concurrent;
  g_mutex_unlock (&self->core->mutex);

  return max_concurrent;
}

/**
 * js_join_set_set_max_concurrent:
 * @self: a set
 * @max_concurrent: how many task functions may run at once, or 0
 *
 * Sets [property@Js.JoinSet:max-concurrent]. Raising the limit starts
 * waiting tasks at once; lowering it lets running tasks finish.
 *
 * Since: 1.0
 */
void
js_join_set_set_max_concurrent (JsJoinSet *self,
                                guint      max_concurrent)
{
  JsCore *core;
  JsFlush flush = JS_FLUSH_INIT;
  gboolean changed;

  g_return_if_fail (JS_IS_JOIN_SET (self));

  core = self->core;

  g_mutex_lock (&core->mutex);
  changed = core->max_concurrent != max_concurrent;
  core->max_concurrent = max_concurrent;
  schedule_locked (core, &flush);
  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_CONCURRENT]);
}

/* The boolean policies: one getter and one setter for all. */
static gboolean
get_flag (JsJoinSet *self,
          guint      prop_id)
{
  JsCore *core = self->core;
  gboolean value = FALSE;

  g_mutex_lock (&core->mutex);
  switch (prop_id)
    {
    case PROP_ABORT_ON_ERROR:
      value = core->abort_on_error;
      break;
    case PROP_ABORT_ON_SUCCESS:
      value = core->abort_on_success;
      break;
    case PROP_DISCARD_RESULTS:
      value = core->discard_results;
      break;
    case PROP_ORDERED:
      value = core->ordered;
      break;
    default:
      g_assert_not_reached ();
    }
  g_mutex_unlock (&core->mutex);

  return value;
}

/* The smallest id of a task of the set, for ordered joins. */
static guint64
first_id_locked (JsCore *core)
{
  guint64 first = _js_id_table_first (&core->tasks);

  return first != 0 ? first : core->next_id + 1;
}

static void
set_flag (JsJoinSet *self,
          guint      prop_id,
          gboolean   value)
{
  JsCore *core = self->core;
  JsFlush flush = JS_FLUSH_INIT;
  gboolean changed;

  value = !!value;

  g_mutex_lock (&core->mutex);
  switch (prop_id)
    {
    case PROP_ABORT_ON_ERROR:
      changed = core->abort_on_error != (guint) value;
      core->abort_on_error = value;
      break;
    case PROP_ABORT_ON_SUCCESS:
      changed = core->abort_on_success != (guint) value;
      core->abort_on_success = value;
      break;
    case PROP_DISCARD_RESULTS:
      changed = core->discard_results != (guint) value;
      core->discard_results = value;
      break;
    case PROP_ORDERED:
      changed = core->ordered != (guint) value;
      core->ordered = value;
      if (changed && value)
        core->order_next = first_id_locked (core);
      /* Unordered, tasks that waited behind the oldest may be joined. */
      if (changed)
        serve_waiters_locked (core, &flush);
      break;
    default:
      g_assert_not_reached ();
    }
  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

/**
 * js_join_set_get_abort_on_error:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:abort-on-error].
 *
 * Returns: whether the first failing task aborts the others
 *
 * Since: 1.0
 */
gboolean
js_join_set_get_abort_on_error (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), FALSE);

  return get_flag (self, PROP_ABORT_ON_ERROR);
}

/**
 * js_join_set_set_abort_on_error:
 * @self: a set
 * @abort_on_error: whether the first failing task aborts the others
 *
 * Sets [property@Js.JoinSet:abort-on-error].
 *
 * Since: 1.0
 */
void
js_join_set_set_abort_on_error (JsJoinSet *self,
                                gboolean   abort_on_error)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));

  set_flag (self, PROP_ABORT_ON_ERROR, abort_on_error);
}

/**
 * js_join_set_get_abort_on_success:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:abort-on-success].
 *
 * Returns: whether the first successful task aborts the others
 *
 * Since: 1.0
 */
gboolean
js_join_set_get_abort_on_success (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), FALSE);

  return get_flag (self, PROP_ABORT_ON_SUCCESS);
}

/**
 * js_join_set_set_abort_on_success:
 * @self: a set
 * @abort_on_success: whether the first successful task aborts the others
 *
 * Sets [property@Js.JoinSet:abort-on-success].
 *
 * Since: 1.0
 */
void
js_join_set_set_abort_on_success (JsJoinSet *self,
                                  gboolean   abort_on_success)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));

  set_flag (self, PROP_ABORT_ON_SUCCESS, abort_on_success);
}

/**
 * js_join_set_get_ordered:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:ordered].
 *
 * Returns: whether joins yield tasks in spawn order
 *
 * Since: 1.0
 */
gboolean
js_join_set_get_ordered (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), FALSE);

  return get_flag (self, PROP_ORDERED);
}

/**
 * js_join_set_set_ordered:
 * @self: a set
 * @ordered: whether joins yield tasks in spawn order
 *
 * Sets [property@Js.JoinSet:ordered]. Turned on in a set that holds tasks,
 * the next join waits for the oldest of them.
 *
 * Since: 1.0
 */
void
js_join_set_set_ordered (JsJoinSet *self,
                         gboolean   ordered)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));

  set_flag (self, PROP_ORDERED, ordered);
}

/**
 * js_join_set_get_discard_results:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:discard-results].
 *
 * Returns: whether finished tasks are freed at once
 *
 * Since: 1.0
 */
gboolean
js_join_set_get_discard_results (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), FALSE);

  return get_flag (self, PROP_DISCARD_RESULTS);
}

/**
 * js_join_set_set_discard_results:
 * @self: a set
 * @discard_results: whether finished tasks are freed at once
 *
 * Sets [property@Js.JoinSet:discard-results].
 *
 * Since: 1.0
 */
void
js_join_set_set_discard_results (JsJoinSet *self,
                                 gboolean   discard_results)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));

  set_flag (self, PROP_DISCARD_RESULTS, discard_results);
}

/**
 * js_join_set_get_timeout:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:timeout].
 *
 * Returns: the time limit of new tasks, in milliseconds, or 0 for none
 *
 * Since: 1.0
 */
guint
js_join_set_get_timeout (JsJoinSet *self)
{
  guint timeout_ms;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  g_mutex_lock (&self->core->mutex);
  timeout_ms = self->core->timeout_ms;
  g_mutex_unlock (&self->core->mutex);

  return timeout_ms;
}

/**
 * js_join_set_set_timeout:
 * @self: a set
 * @timeout_ms: the time limit of new tasks, in milliseconds, or 0 for none
 *
 * Sets [property@Js.JoinSet:timeout].
 *
 * Since: 1.0
 */
void
js_join_set_set_timeout (JsJoinSet *self,
                         guint      timeout_ms)
{
  gboolean changed;

  g_return_if_fail (JS_IS_JOIN_SET (self));

  g_mutex_lock (&self->core->mutex);
  changed = self->core->timeout_ms != timeout_ms;
  self->core->timeout_ms = timeout_ms;
  g_mutex_unlock (&self->core->mutex);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

/**
 * js_join_set_get_cancellable:
 * @self: a set
 *
 * Gets the parent [property@Js.JoinSet:cancellable].
 *
 * Returns: (transfer none) (nullable): the parent cancellable
 *
 * Since: 1.0
 */
GCancellable *
js_join_set_get_cancellable (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);

  return self->cancellable;
}

/**
 * js_join_set_get_length:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:length]: how many tasks were spawned and not
 * joined yet. Safe from any thread.
 *
 * Returns: the number of tasks in the set
 *
 * Since: 1.0
 */
guint
js_join_set_get_length (JsJoinSet *self)
{
  guint length;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  g_mutex_lock (&self->core->mutex);
  length = self->core->length;
  g_mutex_unlock (&self->core->mutex);

  return length;
}

/**
 * js_join_set_is_empty:
 * @self: a set
 *
 * Tells whether the set has no task left to join. When
 * [method@Js.JoinSet.try_join_next] returns %NULL, this tells an empty set
 * from one whose tasks are still running.
 *
 * Returns: %TRUE if [property@Js.JoinSet:length] is 0
 *
 * Since: 1.0
 */
gboolean
js_join_set_is_empty (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), TRUE);

  return js_join_set_get_length (self) == 0;
}

/**
 * js_join_set_is_closed:
 * @self: a set
 *
 * Tells whether the set refuses new tasks: its parent cancellable was
 * cancelled or [method@Js.JoinSet.shutdown_async] was called.
 *
 * Returns: %TRUE if spawning returns 0
 *
 * Since: 1.0
 */
gboolean
js_join_set_is_closed (JsJoinSet *self)
{
  gboolean closed;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), TRUE);

  g_mutex_lock (&self->core->mutex);
  closed = self->core->closed;
  g_mutex_unlock (&self->core->mutex);

  return closed;
}

/* The progress counters: one reader for all. */
static guint64
get_counter (JsJoinSet *self,
             guint      prop_id)
{
  JsCore *core = self->core;
  guint64 value = 0;

  g_mutex_lock (&core->mutex);
  switch (prop_id)
    {
    case PROP_N_FINISHED:
      value = core->n_finished;
      break;
    case PROP_N_QUEUED:
      value = core->n_queued;
      break;
    case PROP_N_RUNNING:
      value = core->n_running;
      break;
    case PROP_N_SPAWNED:
      value = core->n_spawned;
      break;
    default:
      g_assert_not_reached ();
    }
  g_mutex_unlock (&core->mutex);

  return value;
}

/**
 * js_join_set_get_n_queued:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:n-queued]. Safe from any thread.
 *
 * Returns: how many tasks wait to start
 *
 * Since: 1.0
 */
guint
js_join_set_get_n_queued (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  return get_counter (self, PROP_N_QUEUED);
}

/**
 * js_join_set_get_n_running:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:n-running]. Safe from any thread.
 *
 * Returns: how many tasks have started and not finished
 *
 * Since: 1.0
 */
guint
js_join_set_get_n_running (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  return get_counter (self, PROP_N_RUNNING);
}

/**
 * js_join_set_get_n_finished:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:n-finished]. Safe from any thread.
 *
 * Returns: how many tasks have finished since the set was created
 *
 * Since: 1.0
 */
guint64
js_join_set_get_n_finished (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  return get_counter (self, PROP_N_FINISHED);
}

/**
 * js_join_set_get_n_spawned:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:n-spawned]. Safe from any thread.
 *
 * Returns: how many tasks were spawned since the set was created
 *
 * Since: 1.0
 */
guint64
js_join_set_get_n_spawned (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  return get_counter (self, PROP_N_SPAWNED);
}

/**
 * js_join_set_get_progress:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:progress]. Safe from any thread.
 *
 * Returns: the fraction of the spawned tasks that finished, from 0.0 to 1.0
 *
 * Since: 1.0
 */
double
js_join_set_get_progress (JsJoinSet *self)
{
  guint64 finished, spawned;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0.0);

  g_mutex_lock (&self->core->mutex);
  finished = self->core->n_finished;
  spawned = self->core->n_spawned;
  g_mutex_unlock (&self->core->mutex);

  return spawned > 0 ? (double) finished / spawned : 0.0;
}

/* @timeout_ms: -1 for the set's timeout */
static guint64
spawn_internal (JsJoinSet      *self,
                JsTaskFunc      func,
                gpointer        user_data,
                GDestroyNotify  user_data_destroy,
                gboolean        in_thread,
                const char     *name,
                gint64          timeout_ms)
{
  JsCore *core = self->core;
  JsFlush flush = JS_FLUSH_INIT;
  JsTask *task;
  guint64 id = 0;

  task = _js_task_new (core, func, user_data, user_data_destroy, in_thread);
  if (name != NULL)
    _js_task_get_extra_locked (task)->name = g_strdup (name);
  /* Not under the core's lock: it takes GLib's signal lock. */
  task->emit_finished = g_signal_has_handler_pending (self, signals[TASK_FINISHED], 0, TRUE);

  g_mutex_lock (&core->mutex);

  task->timeout_ms = timeout_ms < 0 ? core->timeout_ms : (guint) timeout_ms;

  if (core->closed)
    {
      /* Never spawned: dropping it destroys user_data. */
      task->state = JS_TASK_JOINED;
      flush_add_unref (&flush, task);
    }
  else
    {
      id = task->id = ++core->next_id;
      _js_id_table_insert (&core->tasks, task->id, task);
      core->length++;
      core->n_spawned++;
      core->n_queued++;
      arm_locked (core, &flush);

      if (core->queue.length == 0 && has_free_slot_locked (core))
        {
          make_ready_locked (core, task, &flush);
          if (in_thread)
            ensure_drainers_locked (core, &flush);
        }
      else
        {
          g_queue_push_tail_link (&core->queue, &task->link);
        }
    }

  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);

  return id;
}

/**
 * js_join_set_spawn:
 * @self: a set
 * @func: (scope notified) (closure user_data) (destroy user_data_destroy):
 *   the task function
 * @user_data: data for @func
 * @user_data_destroy: (nullable): destroys @user_data once the task no
 *   longer needs it
 *
 * Spawns a task that runs @func in the set's main context: the
 * thread-default context when the set was created. @func is never called
 * inside this call, but from a later iteration of that context. It may
 * complete its task later, from the callback of an `_async` operation.
 *
 * Safe from any thread. When the set is closed (its parent cancellable was
 * cancelled, or it is shutting down), nothing is spawned: @user_data is
 * destroyed at once and 0 is returned.
 *
 * Returns: the id of the task, unique within the set, or 0 if the set is
 *   closed
 *
 * Since: 1.0
 */
guint64
js_join_set_spawn (JsJoinSet      *self,
                   JsTaskFunc      func,
                   gpointer        user_data,
                   GDestroyNotify  user_data_destroy)
{
  if G_UNLIKELY (!JS_IS_JOIN_SET (self) || func == NULL)
    {
      if (user_data_destroy != NULL)
        user_data_destroy (user_data);
      g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);
      g_return_val_if_fail (func != NULL, 0);
    }

  return spawn_internal (self, func, user_data, user_data_destroy, FALSE, NULL, -1);
}

/**
 * js_join_set_spawn_in_thread:
 * @self: a set
 * @func: (scope notified) (closure user_data) (destroy user_data_destroy):
 *   the task function
 * @user_data: data for @func
 * @user_data_destroy: (nullable): destroys @user_data once the task no
 *   longer needs it
 *
 * Spawns a task that runs blocking work: @func is called on a worker
 * thread of a thread pool that every set shares. Its cancellable is
 * cancelled when the task is aborted; a long-running function checks it
 * (for example with [method@Js.Task.return_error_if_cancelled]) so that
 * shutting the set down does not wait for it.
 *
 * Safe from any thread. When the set is closed, nothing is spawned:
 * @user_data is destroyed at once and 0 is returned.
 *
 * Returns: the id of the task, unique within the set, or 0 if the set is
 *   closed
 *
 * Since: 1.0
 */
guint64
js_join_set_spawn_in_thread (JsJoinSet      *self,
                             JsTaskFunc      func,
                             gpointer        user_data,
                             GDestroyNotify  user_data_destroy)
{
  if G_UNLIKELY (!JS_IS_JOIN_SET (self) || func == NULL)
    {
      if (user_data_destroy != NULL)
        user_data_destroy (user_data);
      g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);
      g_return_val_if_fail (func != NULL, 0);
    }

  return spawn_internal (self, func, user_data, user_data_destroy, TRUE, NULL, -1);
}

/**
 * js_join_set_spawn_full:
 * @self: a set
 * @flags: where to run the task
 * @name: (nullable): a name for the task (see [method@Js.Task.set_name])
 * @timeout_ms: the time limit of the task, in milliseconds, or 0 for none
 * @func: (scope notified) (closure user_data) (destroy user_data_destroy):
 *   the task function
 * @user_data: data for @func
 * @user_data_destroy: (nullable): destroys @user_data once the task no
 *   longer needs it
 *
 * Spawns a task like [method@Js.JoinSet.spawn] or, with
 * %JS_SPAWN_IN_THREAD, like [method@Js.JoinSet.spawn_in_thread], with a
 * name and a time limit of its own: [property@Js.JoinSet:timeout] does not
 * apply.
 *
 * The name is set before the task is queued, so it shows in logs and in
 * [signal@Js.JoinSet::task-progress] handlers from the start. The clock of
 * @timeout_ms starts when the function is called; a task that runs out of
 * time is aborted (its cancellable is cancelled) and joins with
 * `G_IO_ERROR_TIMED_OUT`. The cancellable of a task of the set's context is
 * cancelled from that context; the cancellable of a thread task from
 * libjoinset's timer thread, which every set shares: keep `cancelled`
 * handlers of thread tasks short.
 *
 * Returns: the id of the task, or 0 if the set is closed
 *
 * Since: 1.0
 */
guint64
js_join_set_spawn_full (JsJoinSet      *self,
                        JsSpawnFlags    flags,
                        const char     *name,
                        guint           timeout_ms,
                        JsTaskFunc      func,
                        gpointer        user_data,
                        GDestroyNotify  user_data_destroy)
{
  if G_UNLIKELY (!JS_IS_JOIN_SET (self) || func == NULL ||
                 (flags & ~JS_SPAWN_IN_THREAD) != 0)
    {
      if (user_data_destroy != NULL)
        user_data_destroy (user_data);
      g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);
      g_return_val_if_fail (func != NULL, 0);
      g_return_val_if_fail ((flags & ~JS_SPAWN_IN_THREAD) == 0, 0);
    }

  return spawn_internal (self, func, user_data, user_data_destroy,
                         (flags & JS_SPAWN_IN_THREAD) != 0, name, timeout_ms);
}

/* Whether a join may use a light waiter: it waits in the set's own
 * context, where the set's source completes it, and needs neither a
 * cancellable nor a deadline, the two things a GTask brings. */
static gboolean
can_join_light (JsCore       *core,
                gint64        timeout_ms,
                GCancellable *cancellable)
{
  GMainContext *context = g_main_context_get_thread_default ();

  if (context == NULL)
    context = g_main_context_default ();

  return cancellable == NULL && timeout_ms < 0 && context == core->context;
}

/* Queues an async join (first come, first served) and serves it at once
 * if it can be. If @cancellable is already cancelled, the waiter's cancel
 * source takes it out again in the next iteration, unless it was served.
 *
 * A join served at once still completes later, from the set's source: in
 * the same dispatch when it is called from a join's callback, so that a
 * join_next_async() loop takes a whole batch of results in one main-loop
 * iteration. */
static void
join_async (JsJoinSet           *self,
            JsWaitKind           kind,
            gint64               timeout_ms,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            gpointer             source_tag)
{
  JsCore *core = self->core;
  JsFlush flush = JS_FLUSH_INIT;
  JsWaiter *w;

  w = waiter_new_async (self, kind, can_join_light (core, timeout_ms, cancellable),
                        cancellable, callback, user_data, source_tag);

  /* Attached before the lock, as GMainContext locks are never taken under
   * it; see on_waiter_deadline() for a deadline that passes first. */
  if (timeout_ms >= 0)
    {
      w->deadline_source = g_timeout_source_new ((guint) timeout_ms);
      g_source_set_static_name (w->deadline_source, "[joinset] join deadline");
      g_source_set_callback (w->deadline_source, on_waiter_deadline,
                             g_object_ref (w->gtask), g_object_unref);
      g_source_attach (w->deadline_source, g_task_get_context (w->gtask));
    }

  g_mutex_lock (&core->mutex);
  g_queue_push_tail_link (&core->waiters, &w->link);
  w->queue = &core->waiters;
  serve_waiters_locked (core, &flush);
  if (w->timed_out && !w->done)
    {
      g_queue_unlink (w->queue, &w->link);
      finish_waiter_locked (core, w, &flush);
    }
  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);
}

/* The pointer an async join returned, from a GTask or a light result. */
static gboolean
join_result_is_valid (JsJoinSet    *self,
                      GAsyncResult *result,
                      gpointer      source_tag)
{
  if (JS_IS_JOIN_RESULT (result))
    return _js_join_result_is_valid (JS_JOIN_RESULT (result), self, source_tag);

  return g_task_is_valid (result, self) &&
         g_task_get_source_tag (G_TASK (result)) == source_tag;
}

static gpointer
join_result_propagate (GAsyncResult  *result,
                       GError       **error)
{
  if (JS_IS_JOIN_RESULT (result))
    return _js_join_result_steal (JS_JOIN_RESULT (result));

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * js_join_set_join_next_async:
 * @self: a set
 * @cancellable: (nullable): a cancellable for this join
 * @callback: (scope async) (closure user_data): called with the result
 * @user_data: data for @callback
 *
 * Waits for the next task to finish, in completion order. On an empty set
 * the join completes at once, with no task and no error.
 *
 * Several joins may be pending at once: each gets its own task, first come
 * first served. Cancelling @cancellable fails this join with
 * `G_IO_ERROR_CANCELLED` and loses no task: it stays in the set for the
 * next join. @callback runs in the thread-default main context of the
 * caller.
 *
 * A join started in the set's own context without a @cancellable is
 * completed by the set itself, not by a [class@Gio.Task]: a loop whose
 * callback starts the next join takes every task that already finished in
 * one main-loop iteration, with no wake-up per task. @callback is never
 * called from inside this function.
 *
 * Since: 1.0
 */
void
js_join_set_join_next_async (JsJoinSet           *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  join_async (self, JS_WAIT_NEXT, -1, cancellable, callback, user_data, js_join_set_join_next_async);
}

/**
 * js_join_set_join_next_finish:
 * @self: a set
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Js.JoinSet.join_next_async].
 *
 * A task that failed, was aborted or was abandoned is still a task: its
 * error comes from its `js_task_propagate_*()` function, not from here.
 *
 * Returns: (transfer full) (nullable): the next finished task, or %NULL if
 *   the set was empty (with @error unset) or the join was cancelled (with
 *   @error set)
 *
 * Since: 1.0
 */
JsTask *
js_join_set_join_next_finish (JsJoinSet     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);
  g_return_val_if_fail (join_result_is_valid (self, result, js_join_set_join_next_async), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return join_result_propagate (result, error);
}

static void
on_sync_cancelled (GCancellable *cancellable,
                   JsWaiter     *w)
{
  JsCore *core = w->core;
  JsFlush flush = JS_FLUSH_INIT;

  g_mutex_lock (&core->mutex);
  if (!w->done)
    {
      waiter_unlink_locked (core, w, &flush);
      g_cond_broadcast (&core->cond);
      if (w->iterating)
        flush.wakeup = TRUE;
    }
  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);
}

/**
 * js_join_set_join_next:
 * @self: a set
 * @cancellable: (nullable): a cancellable
 * @error: return location for an error
 *
 * Blocks until the next task finishes, and returns it: the synchronous
 * form of [method@Js.JoinSet.join_next_async], for worker threads and
 * command-line programs.
 *
 * Called from the thread that runs the set's main context (or when no
 * thread runs it), it iterates that context while it waits, so the set's
 * tasks in the main context keep running and nothing deadlocks. Called from
 * another thread, it waits for the thread that runs the context.
 *
 * Returns: (transfer full) (nullable): the next finished task, or %NULL if
 *   the set is empty (with @error unset) or @cancellable was cancelled
 *   (with @error set)
 *
 * Since: 1.0
 */
JsTask *
js_join_set_join_next (JsJoinSet     *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(JsJoinSet) keep = NULL;
  JsFlush flush = JS_FLUSH_INIT;
  JsWaiter w = { { 0 } };
  gulong cancelled_id = 0;
  gboolean owner;
  JsCore *core;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  keep = g_object_ref (self);
  core = self->core;

  w.link.data = &w;
  w.core = core;
  w.kind = JS_WAIT_SYNC;

  g_mutex_lock (&core->mutex);
  g_queue_push_tail_link (&core->waiters, &w.link);
  w.queue = &core->waiters;
  serve_waiters_locked (core, &flush);
  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);

  if (cancellable != NULL)
    cancelled_id = g_cancellable_connect (cancellable,
                                          G_CALLBACK (on_sync_cancelled),
                                          &w, NULL);

  owner = g_main_context_acquire (core->context);

  g_mutex_lock (&core->mutex);
  if (owner)
    {
      w.iterating = TRUE;
      while (!w.done)
        {
          g_mutex_unlock (&core->mutex);
          g_main_context_iteration (core->context, TRUE);
          g_mutex_lock (&core->mutex);
        }
      w.iterating = FALSE;
    }
  else
    {
      while (!w.done)
        g_cond_wait (&core->cond, &core->mutex);
    }
  g_mutex_unlock (&core->mutex);

  if (owner)
    g_main_context_release (core->context);

  if (cancelled_id != 0)
    g_cancellable_disconnect (cancellable, cancelled_id);

  if (w.cancelled)
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return NULL;
    }

  return g_steal_pointer (&w.task);
}

/**
 * js_join_set_try_join_next:
 * @self: a set
 *
 * Takes the next finished task without waiting. Safe from any thread.
 *
 * Returns: (transfer full) (nullable): the next finished task, or %NULL if
 *   none has finished yet or the set is empty (see
 *   [method@Js.JoinSet.is_empty])
 *
 * Since: 1.0
 */
JsTask *
js_join_set_try_join_next (JsJoinSet *self)
{
  JsFlush flush = JS_FLUSH_INIT;
  JsTask *task;
  JsCore *core;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);

  core = self->core;

  g_mutex_lock (&core->mutex);
  task = take_completed_locked (core, &flush);
  if (task != NULL && core->length == 0)
    serve_waiters_locked (core, &flush);
  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);

  return task;
}

/**
 * js_join_set_join_all_async:
 * @self: a set
 * @cancellable: (nullable): a cancellable for this join
 * @callback: (scope async) (closure user_data): called with the result
 * @user_data: data for @callback
 *
 * Waits until every task of the set has finished, including tasks spawned
 * while waiting, and takes them all. Cancelling @cancellable fails the
 * join with `G_IO_ERROR_CANCELLED` and loses no task: the tasks taken so
 * far go back to the set, in the same order.
 *
 * Since: 1.0
 */
void
js_join_set_join_all_async (JsJoinSet           *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  join_async (self, JS_WAIT_ALL, -1, cancellable, callback, user_data, js_join_set_join_all_async);
}

/**
 * js_join_set_join_all_finish:
 * @self: a set
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Js.JoinSet.join_all_async].
 *
 * Returns: (transfer container) (element-type JsTask) (nullable): every
 *   task of the set in completion order (an empty array for an empty set),
 *   or %NULL with @error set if the join was cancelled
 *
 * Since: 1.0
 */
GPtrArray *
js_join_set_join_all_finish (JsJoinSet     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);
  g_return_val_if_fail (join_result_is_valid (self, result, js_join_set_join_all_async), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return join_result_propagate (result, error);
}

/**
 * js_join_set_join_all_timeout_async:
 * @self: a set
 * @timeout_ms: how long to wait, in milliseconds
 * @cancellable: (nullable): a cancellable for this join
 * @callback: (scope async) (closure user_data): called with the result
 * @user_data: data for @callback
 *
 * Like [method@Js.JoinSet.join_all_async], but gives up waiting after
 * @timeout_ms milliseconds and then returns the tasks finished so far:
 * the partial results of a search, or of a page that must render on time.
 * The tasks still running stay in the set, to be joined later or aborted
 * with [method@Js.JoinSet.abort_all]. With a @timeout_ms of 0 it takes
 * only the tasks that already finished.
 *
 * Since: 1.0
 */
void
js_join_set_join_all_timeout_async (JsJoinSet           *self,
                                    guint                timeout_ms,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  join_async (self, JS_WAIT_ALL, timeout_ms, cancellable, callback, user_data,
              js_join_set_join_all_timeout_async);
}

/**
 * js_join_set_join_all_timeout_finish:
 * @self: a set
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Js.JoinSet.join_all_timeout_async].
 *
 * Returns: (transfer container) (element-type JsTask) (nullable): the
 *   tasks that finished in time, in completion order (spawn order in an
 *   [property@Js.JoinSet:ordered] set), or %NULL with @error set if the
 *   join was cancelled
 *
 * Since: 1.0
 */
GPtrArray *
js_join_set_join_all_timeout_finish (JsJoinSet     *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);
  g_return_val_if_fail (join_result_is_valid (self, result, js_join_set_join_all_timeout_async), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return join_result_propagate (result, error);
}

/**
 * js_join_set_abort:
 * @self: a set
 * @id: the id of a task of the set
 *
 * Aborts one task. If it has not started, it never will and its
 * `user_data` is destroyed at once; if it is running, its cancellable is
 * cancelled. Either way it joins at once with `G_IO_ERROR_CANCELLED`, and
 * whatever its function returns afterwards is freed.
 *
 * Aborting a task that already finished keeps its real result; aborting
 * twice is harmless. Safe from any thread.
 *
 * Returns: %TRUE if the task had not finished and is now aborted
 *
 * Since: 1.0
 */
gboolean
js_join_set_abort (JsJoinSet *self,
                   guint64    id)
{
  JsFlush flush = JS_FLUSH_INIT;
  gboolean aborted = FALSE;
  JsTask *task;
  JsCore *core;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), FALSE);

  core = self->core;

  g_mutex_lock (&core->mutex);
  task = _js_id_table_lookup (&core->tasks, id);
  if (task != NULL && task->state < JS_TASK_COMPLETED)
    {
      abort_task_locked (core, task, &flush);
      aborted = TRUE;
    }
  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);

  return aborted;
}

/**
 * js_join_set_abort_all:
 * @self: a set
 *
 * Aborts every unfinished task of the set, as [method@Js.JoinSet.abort]
 * does. The set stays open: new tasks can be spawned. Safe from any
 * thread.
 *
 * Since: 1.0
 */
void
js_join_set_abort_all (JsJoinSet *self)
{
  JsFlush flush = JS_FLUSH_INIT;
  JsCore *core;

  g_return_if_fail (JS_IS_JOIN_SET (self));

  core = self->core;

  g_mutex_lock (&core->mutex);
  abort_all_locked (core, &flush);
  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);
}

/**
 * js_join_set_detach_all:
 * @self: a set
 *
 * Lets every task go: unfinished tasks run on (queued ones start as slots
 * free up, as long as the set exists), their results are discarded, and
 * results nobody joined are freed. The set is empty afterwards, and
 * pending joins complete with no task.
 *
 * Since: 1.0
 */
void
js_join_set_detach_all (JsJoinSet *self)
{
  JsFlush flush = JS_FLUSH_INIT;
  GQueue *lists[3];
  JsCore *core;
  GList *link;

  g_return_if_fail (JS_IS_JOIN_SET (self));

  core = self->core;
  lists[0] = &core->queue;
  lists[1] = &core->main_ready;
  lists[2] = &core->thread_ready;

  g_mutex_lock (&core->mutex);

  while ((link = g_queue_pop_head_link (&core->completed)) != NULL)
    {
      JsTask *task = link->data;

      task->state = JS_TASK_JOINED;
      flush_add_unref (&flush, task);
    }

  while ((link = g_queue_pop_head_link (&core->running)) != NULL)
    {
      ((JsTask *)link->data)->detached = TRUE;
      finishing_add_locked (core, link->data);
    }

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    for (link = lists[i]->head; link != NULL; link = link->next)
      ((JsTask *)link->data)->detached = TRUE;

  _js_id_table_remove_all (&core->tasks);
  core->length = 0;
  arm_locked (core, &flush);
  serve_waiters_locked (core, &flush);

  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);
}

/* How long a shutdown waits before it warns about the thread functions it
 * waits for; JS_SHUTDOWN_WARNING_SECONDS overrides it (0: never warn). */
#define JS_STUCK_WARNING_SECONDS 10

static guint
get_stuck_warning_seconds (void)
{
  static gsize value = 0;

  if (g_once_init_enter (&value))
    {
      const char *env = g_getenv ("JS_SHUTDOWN_WARNING_SECONDS");
      guint64 seconds = JS_STUCK_WARNING_SECONDS;

      if (env != NULL &&
          !g_ascii_string_to_unsigned (env, 10, 0, G_MAXUINT / 2, &seconds, NULL))
        seconds = JS_STUCK_WARNING_SECONDS;
      g_once_init_leave (&value, seconds + 1);
    }

  return value - 1;
}

/* Appends 'id ("name")' to @names, after a comma unless it is the first. */
static void
append_task_locked (GString *names,
                    JsTask  *task,
                    guint    index)
{
  const char *name = _js_task_name_locked (task);

  g_string_append_printf (names, "%s%" G_GUINT64_FORMAT, index > 0 ? ", " : "", task->id);
  if (name != NULL)
    g_string_append_printf (names, " (\"%s\")", name);
}

static gboolean
stuck_timer_cb (gpointer data)
{
  JsCore *core = data;
  g_autoptr(GString) names = g_string_new (NULL);
  GSource *timer = NULL;
  guint n_named = 0;
  guint n_active = 0;

  g_mutex_lock (&core->mutex);
  if (core->stuck_timer == g_main_current_source ())
    {
      timer = g_steal_pointer (&core->stuck_timer);
      n_active = core->n_active;

      /* Aborted thread tasks whose function did not return, then those
       * that returned a result and did not leave their function. */
      for (GList *l = core->finishing.head; l != NULL; l = l->next)
        {
          append_task_locked (names, l->data, n_named++);
        }
      for (GList *l = core->completed.head; l != NULL; l = l->next)
        {
          JsTask *task = l->data;

          if (task->in_thread && task->holds_slot && !task->func_done)
            append_task_locked (names, task, n_named++);
        }
    }
  g_mutex_unlock (&core->mutex);

  if (timer == NULL)
    return G_SOURCE_REMOVE;

  if (n_active > 0)
    {
      if (n_active > n_named)
        g_string_append_printf (names, "%s%u other%s", n_named ? " and " : "",
                                n_active - n_named, n_active - n_named > 1 ? "s" : "");
      g_warning ("A JsJoinSet shutdown has waited %u s for %u task%s whose "
                 "function still runs: %s. A task function must return soon "
                 "after its cancellable is cancelled.",
                 get_stuck_warning_seconds (), n_active,
                 n_active > 1 ? "s" : "", names->str);
    }

  g_source_unref (timer);
  return G_SOURCE_REMOVE;
}

/**
 * js_join_set_shutdown_async:
 * @self: a set
 * @cancellable: (nullable): a cancellable to stop waiting
 * @callback: (scope async) (closure user_data): called when no task
 *   function is running any more
 * @user_data: data for @callback
 *
 * Closes the set (later spawns return 0), aborts every unfinished task,
 * and completes once no task function of the set is running any more:
 * thread functions have returned and tasks in the main context have
 * completed. The aborted tasks stay in the set, and join as cancelled.
 *
 * A thread function that ignores its cancellable delays the shutdown
 * until it returns. Cancelling @cancellable stops the wait (with
 * `G_IO_ERROR_CANCELLED`); the set stays closed. The rule is that a task
 * function returns soon after its cancellable is cancelled: a shutdown
 * still waiting after 10 seconds says so with a warning that names the
 * tasks it waits for (their ids and names), from the set's main context.
 * The environment variable `JS_SHUTDOWN_WARNING_SECONDS` changes the delay;
 * `0` turns the warning off.
 *
 * Since: 1.0
 */
void
js_join_set_shutdown_async (JsJoinSet           *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  JsFlush flush = JS_FLUSH_INIT;
  GSource *timer = NULL;
  JsWaiter *w;
  JsCore *core;
  guint warn_after;

  g_return_if_fail (JS_IS_JOIN_SET (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  core = self->core;
  w = waiter_new_async (self, JS_WAIT_SHUTDOWN, FALSE, cancellable, callback, user_data,
                        js_join_set_shutdown_async);

  /* Attached before the lock (GMainContext locks are never taken under
   * it), kept only if the shutdown has to wait. */
  warn_after = get_stuck_warning_seconds ();
  if (warn_after > 0)
    {
      timer = g_timeout_source_new_seconds (warn_after);
      g_source_set_static_name (timer, "[joinset] stuck shutdown warning");
      g_source_set_callback (timer, stuck_timer_cb, _js_core_ref (core),
                             (GDestroyNotify) _js_core_unref);
      g_source_attach (timer, core->context);
    }

  g_mutex_lock (&core->mutex);
  core->closed = TRUE;
  abort_all_locked (core, &flush);
  g_queue_push_tail_link (&core->shutdowns, &w->link);
  w->queue = &core->shutdowns;
  if (core->n_active == 0)
    complete_shutdowns_locked (core, &flush);
  else if (timer != NULL && core->stuck_timer == NULL && core->source != NULL)
    core->stuck_timer = g_steal_pointer (&timer);
  g_mutex_unlock (&core->mutex);

  flush_run (core, &flush);

  if (timer != NULL)
    {
      g_source_destroy (timer);
      g_source_unref (timer);
    }
}

/**
 * js_join_set_shutdown_finish:
 * @self: a set
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Js.JoinSet.shutdown_async].
 *
 * Returns: %TRUE once no task function is running, %FALSE with @error set
 *   if the wait was cancelled
 *
 * Since: 1.0
 */
gboolean
js_join_set_shutdown_finish (JsJoinSet     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == js_join_set_shutdown_async, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
