/* js-core-private.h: the scheduler behind a JsJoinSet: its state and internal calls
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "js-join-set-private.h"
#include "js-id-table-private.h"
#include "js-join-result-private.h"
#include "js-pool-private.h"

G_BEGIN_DECLS

/* Deferred work. The core never calls user code, emits a signal or drops
 * a task reference while holding its mutex: functions ending in _locked
 * record what must happen into a JsFlush, and _js_flush_run() does it after
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
 * JsFlush), except the private timer context's (see _js_timeout_start()). */
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
  GQueue           lingering;      /* thread tasks whose function still
                                    * runs although the set no longer waits
                                    * for their outcome (aborted or detached
                                    * while running); no reference: their
                                    * runner holds one */
  GSource         *stuck_timer;    /* warns about a shutdown that waits */
  GQueue           emit_finished_queue; /* JsTask, owned: to emit task-finished */
  GQueue           emit_progress_queue; /* JsTask, owned: progress to notify */
  GHashTable      *timers;         /* &task->id → GSource, owned: the
                                    * timeouts of running tasks; NULL until
                                    * needed */
  guint64          next_id;
  guint64          n_thread_started; /* thread tasks started, for the watchdog */
  guint64          watched_n_started;
  gint64           arm_time;       /* see _js_core_arm_at_locked(); written under
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

/* The core's source is armed (made ready) to deliver joins, run tasks of
 * its context or notify. core->arm_time tells when it will dispatch: -1
 * not armed, 0 at once, else a monotonic time. The source's prepare and
 * check read it without a lock, so arming costs no GMainContext lock and
 * no eventfd write when the context's own thread arms it (it prepares the
 * source again before it polls), and one wake-up per batch otherwise:
 * only a change to an earlier time wakes the context up. */
static inline void
_js_core_arm_at_locked (JsCore  *core,
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
static inline void
_js_core_arm_locked (JsCore  *core,
            JsFlush *flush)
{
  _js_core_arm_at_locked (core, 0, flush);
}

/* Soon: the counters and progress to notify, coalesced so that a UI is
 * notified at most once per frame, however many tasks finish. */
#define JS_NOTIFY_INTERVAL_USEC (16 * G_TIME_SPAN_MILLISECOND)

static inline void
_js_core_arm_later_locked (JsCore  *core,
                  JsFlush *flush)
{
  if (core->source == NULL || core->arm_time >= 0)
    return;

  _js_core_arm_at_locked (core, g_get_monotonic_time () + JS_NOTIFY_INTERVAL_USEC, flush);
}

/* Joins delivered in one dispatch of the set's source, at most (about). */
#define JS_DELIVER_PER_DISPATCH 4096

/* js-flush.c */
void
_js_flush_add_unref (JsFlush  *flush,
                 gpointer  object);

void
_js_flush_add_deliver (JsFlush  *flush,
                   JsWaiter *w);

void
_js_flush_add_source (JsFlush *flush,
                  GSource *source);

gboolean
cancel_all_cb (gpointer data);

void
_js_flush_run (JsCore  *core,
           JsFlush *flush);

/* js-run-queue.c */
void
_js_run_queue_ensure_drainers_locked (JsCore  *core,
                        JsFlush *flush);

void
_js_run_queue_make_ready_locked (JsCore  *core,
                   JsTask  *task,
                   JsFlush *flush);

gboolean
_js_run_queue_has_free_slot_locked (JsCore *core);

void
_js_run_queue_schedule_locked (JsCore  *core,
                 JsFlush *flush);

void
_js_run_queue_release_slot_locked (JsCore  *core,
                     JsTask  *task,
                     JsFlush *flush);

JsTaskFunc
_js_run_queue_start_task_locked (JsCore       *core,
                   JsTask       *task,
                   GCancellable *cancellable,
                   JsFlush      *flush);

/* js-waiter.c */
void
_js_waiter_finish_locked (JsCore   *core,
                      JsWaiter *w,
                      JsFlush  *flush);

JsTask *
_js_waiter_take_completed_locked (JsCore  *core,
                       JsFlush *flush);

void
_js_waiter_serve_locked (JsCore  *core,
                      JsFlush *flush);

void
_js_waiter_complete_shutdowns_locked (JsCore  *core,
                           JsFlush *flush);

GQueue
_js_waiter_take_deliver_locked (JsCore *core);

void
waiter_free (gpointer data);

void
_js_waiter_unlink_locked (JsCore   *core,
                      JsWaiter *w,
                      JsFlush  *flush);

gboolean
light_deliver_cb (gpointer data);

void
_js_waiter_deliver (JsWaiter *w,
                gboolean  in_source);

gboolean
on_waiter_cancelled (GCancellable *cancellable,
                     gpointer      data);

gboolean
on_waiter_deadline (gpointer data);

JsWaiter *
_js_waiter_new_async (JsJoinSet           *self,
                  JsWaitKind           kind,
                  gboolean             light,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data,
                  gpointer             source_tag);

/* js-completion.c */
void
_js_completion_linger_locked (JsCore *core,
                      JsTask *task);

void
_js_completion_complete_locked (JsCore   *core,
                 JsTask   *task,
                 JsResult *result,
                 gboolean  producer_ref,
                 JsFlush  *flush);

void
_js_completion_abort_with_error_locked (JsCore  *core,
                              JsTask  *task,
                              GError  *error,
                              JsFlush *flush);

void
_js_completion_abort_locked (JsCore  *core,
                   JsTask  *task,
                   JsFlush *flush);

void
abort_list_locked (JsCore  *core,
                   GQueue  *queue,
                   JsFlush *flush);

void
_js_completion_abort_all_locked (JsCore  *core,
                  JsFlush *flush);

/* js-timeout.c */
void
timeout_free (gpointer data);

gboolean
timeout_cb (gpointer data);

void
_js_timeout_start (JsCore *core,
               JsTask *task);

gboolean
_js_runner_run_main_task (JsCore *core);

/* js-core-lifecycle.c */
void
_js_core_dispose (JsCore *core);

void
_js_core_parent_cancelled (GCancellable *cancellable,
                     JsCore       *core);

G_END_DECLS
