/* js-core-private.h: the scheduler behind a JsJoinSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The middle layer of libjoinset. Below it, primitives that know nothing
 * of the scheduler: js-id-table, js-list (the run queues' links),
 * js-result, js-join-result (the light GAsyncResult), js-flush (deferred
 * work), js-timer (the timer thread) and js-pool (the shared thread
 * pool). Above it, the GObject façades
 * js-join-set.c and js-task.c, which check arguments and make one core
 * call per method, and js-task-list.c, the list model of the set's tasks;
 * they never take the core's lock and the core never names their
 * properties or signals (it reports through JsCoreObserver).
 *
 * The files of this layer, each calling only the ones before it:
 *
 *   js-core-base.c       references, the lock, reading counters and policies
 *   js-waiter.c          joins and shutdowns that wait: serving them
 *                        (ordered or not), delivering them (light or
 *                        GTask), the blocking join
 *   js-run-queue.c       spawning, concurrency slots, ready queues,
 *                        how many drainers a set wants
 *   js-completion.c      a task's outcome: completion, aborts, the
 *                        abort-on-* and discard-results policies,
 *                        lingering tasks, detaching
 *   js-timeout.c         where a task's timeout is started, and fires
 *   js-runner.c          where task functions are called: drainers on the
 *                        pool, main-context tasks from the set's source
 *   js-shutdown.c        shutdown_async: abort, empty the set, wait; the warning
 *                        about a shutdown stuck on a task
 *   js-core-task.c       what a JsTask asks of its core (return, abandon,
 *                        progress, name)
 *   js-core-source.c     the set's GSource: dispatch delivers joins, runs
 *                        main-context tasks, reports to the observer
 *   js-core.c            a core's creation, dispose, parent cancellable
 *                        and policies
 *
 * A function named _js_<file>_*() is defined in js-<file>.c.
 *
 * Glossary
 * --------
 * core       JsCore: the state of a set that its tasks share. The JsJoinSet
 *            owns one reference; each task, queued drainer, timeout and
 *            the watchdog own one too. Tasks never reference the JsJoinSet,
 *            so a running task never keeps its set alive.
 * _locked    a function to call with core->mutex held, and only then. In
 *            debug builds JS_CORE_ASSERT_LOCKED() checks it.
 * flush      a JsFlush: what a _locked function could not do under the
 *            lock (cancel, destroy user data, deliver a waiter, push a
 *            drainer, wake a context, unref), done by _js_flush_run()
 *            once the lock is released.
 * home       the thread that runs the set's context (core->home, or for
 *            a set without one, whichever thread owns the context). The
 *            user data of tasks is destroyed there only: see
 *            _js_core_release_locked().
 * arm        make the core's GSource dispatch: at once (arm) or within a
 *            frame (arm later, for coalesced notifications). Lock-free on
 *            the reading side: see _js_core_arm_at_locked().
 * slot       a concurrency slot: a task holds one from READY until it
 *            completes (a thread task: until its function returns).
 *            max_concurrent bounds them.
 * drainer    a pool work item that runs a core's ready thread tasks one
 *            after another until none is left (js-runner.c). A core asks
 *            for up to soft_cap of them; the watchdog adds more when the
 *            busy ones make no progress.
 * busy       a drainer inside a task function.
 * waiter     a JsWaiter: one pending join (next, all, blocking) or
 *            shutdown, queued first come first served.
 * serve      hand completed tasks to the waiters at the head of the queue.
 * deliver    complete a served waiter: call its callback through its
 *            GTask, or, for a light waiter, from the set's source.
 * light join a join started in the set's own context without cancellable
 *            or deadline: no GTask, completed by the set's source in
 *            batches through a JsJoinResult.
 * ordered    joins yield tasks in spawn (id) order: order_next is the
 *            oldest id that may still be in the set.
 * stand-in   a new JsTask object with the id and name of a running task
 *            that completed without its producer's reference (aborted,
 *            timed out, abandoned): see _js_completion_complete_locked().
 * lingering  a thread task whose function still runs although the set no
 *            longer waits for its outcome (aborted or detached while
 *            running). Kept in core->lingering to name it if a shutdown
 *            gets stuck.
 * detached   let go by detach_all(): runs on, nobody joins it.
 * closed     refuses new tasks for good (close, parent cancelled,
 *            dispose). While a shutdown waits (core->shutdowns is not
 *            empty) spawns are refused too; the set reopens after it.
 * claim      a join by id waiting for its task: while it waits, the task
 *            is its own, and no other join takes it (core->claims).
 * disposed   the JsJoinSet is gone: everything completes into nothing.
 *
 * Locking
 * -------
 * One GMutex per core, core->mutex, guards every field below the line
 * that says so in JsCore, every JsWaiter's queue membership and flags,
 * and the fields of a JsTask that js-task-private.h marks. Rules:
 *
 * - no user code, signal emission, g_object_unref() of a task or
 *   GMainContext lock with core->mutex held: record it in a JsFlush;
 * - the one exception: a task's timeout source is attached to the private
 *   timer context under the lock (see _js_timeout_start());
 * - lock order: core->mutex, then the pool's watch_mutex (never the other
 *   way: the pool calls into a core with no lock held);
 * - a function that may run user code, even through _js_flush_run(), may
 *   see the last reference to the JsJoinSet dropped: it reads nothing of
 *   the set afterwards, and reads the core only through a reference it
 *   holds (a task's, a drainer's, the source's).
 */

#pragma once

#include "js-join-set.h"
#include "js-flush-private.h"
#include "js-id-table-private.h"
#include "js-join-result-private.h"
#include "js-pool-private.h"
#include "js-task-private.h"

G_BEGIN_DECLS

/* What the JsJoinSet wants to know, delivered in the set's context by its
 * source. @set is a strong reference for the duration of the call. */
typedef enum
{
  JS_CORE_CHANGED_LENGTH     = 1 << 0,
  JS_CORE_CHANGED_N_QUEUED   = 1 << 1,
  JS_CORE_CHANGED_N_RUNNING  = 1 << 2,
  JS_CORE_CHANGED_N_FINISHED = 1 << 3,
  JS_CORE_CHANGED_N_SPAWNED  = 1 << 4,
} JsCoreChanges;

/* What changed for the set's list model (js-task-list.c), recorded only
 * while one exists (JsCore.n_lists > 0): see _js_core_list_record_locked().
 * Tasks are named by id; ADD carries a reference to the task object. */
typedef enum
{
  JS_CORE_LIST_ADD,      /* a task entered the set, or came back to it */
  JS_CORE_LIST_REMOVE,   /* the task with this id left the set */
  JS_CORE_LIST_STATE,    /* it started or finished */
  JS_CORE_LIST_NAME,     /* it was renamed */
  JS_CORE_LIST_CLEAR,    /* every task left the set (detach_all) */
} JsCoreListChange;

typedef struct
{
  JsCoreListChange  change;
  guint64           id;
  JsTask           *task;  /* owned, for ADD; NULL otherwise */
} JsCoreListEvent;

typedef struct
{
  void (*task_progress) (GObject       *set,
                         JsTask        *task,
                         double         fraction);
  void (*task_finished) (GObject       *set,
                         JsTask        *task);
  void (*task_started)  (GObject       *set,
                         JsTask        *task);
  void (*changed)       (GObject       *set,
                         JsCoreChanges  changes);
  /* @events: JsCoreListEvent, in the order they happened; the callee
   * takes the task references out of the ADD events it keeps (and sets
   * them to NULL) */
  void (*list_changed)  (GObject       *set,
                         GArray        *events);
} JsCoreObserver;

/* The settings of a set, read and written through one pair of calls. */
typedef enum
{
  JS_CORE_MAX_CONCURRENT,
  JS_CORE_ABORT_ON_ERROR,
  JS_CORE_ABORT_ON_SUCCESS,
  JS_CORE_ORDERED,
  JS_CORE_DISCARD_RESULTS,
  JS_CORE_TIMEOUT,
} JsCorePolicy;

/* What a set counts. */
typedef enum
{
  JS_CORE_LENGTH,
  JS_CORE_N_QUEUED,
  JS_CORE_N_RUNNING,
  JS_CORE_N_FINISHED,
  JS_CORE_N_SPAWNED,
  JS_CORE_CLOSED,
} JsCoreCounter;

typedef enum
{
  JS_WAIT_NEXT,            /* join_next_async */
  JS_WAIT_ALL,             /* join_all_async, join_all_timeout_async */
  JS_WAIT_SYNC,            /* join_next, on the caller's stack */
  JS_WAIT_SHUTDOWN,        /* shutdown_async */
  JS_WAIT_ID,              /* join_by_id_async */
} JsWaitKind;

typedef struct _JsWaiter JsWaiter;

struct _JsCore
{
  gatomicrefcount  ref_count;
  GMutex           mutex;
  GCond            cond;           /* broadcast when a blocking join that
                                    * waits on it is done */
  GMainContext    *context;        /* immutable: where spawn() tasks run */
  GThread         *home;           /* immutable, owned, or NULL: the thread
                                    * that runs `context` (see
                                    * js-waiter.c, the blocking join) */
  GWeakRef         set;            /* the JsJoinSet, for the observer */
  const JsCoreObserver *observer;  /* immutable, or NULL */
  JsPoolClient     pool_client;    /* immutable: the core, to the pool */
  const JsPoolOps *pool_ops;       /* immutable after creation */
  guint            soft_cap;       /* immutable: drainers before the watchdog */
  gpointer         lock_owner;     /* the GThread holding mutex, in debug
                                    * builds (atomic) */
  JsJoinResult    *spare_result;   /* owned, or NULL (atomic): a light
                                    * join's result kept for the next one
                                    * (see _js_join_result_release()) */

  /* Everything below is guarded by mutex. */
  GSource         *source;         /* NULL once the set is disposed */
  JsIdTable        tasks;          /* id → JsTask: every task of the set
                                    * that was not joined or detached */

  /* The run queue (js-run-queue.c): a task is in exactly one of these
   * lists, linked through its JsTask.link (see JsTaskStage), or in none
   * once joined or detached. */
  JsList           queue;          /* JS_TASK_QUEUED, waiting for a slot */
  JsList           thread_ready;   /* JS_TASK_READY, for a drainer */
  JsList           main_ready;     /* JS_TASK_READY, for the source */
  JsList           running;        /* JS_TASK_RUNNING, not detached */
  JsList           completed;      /* JS_TASK_COMPLETED, not detached */
  JsList           lingering;      /* lingering thread tasks (glossary);
                                    * no reference: their drainer holds one */

  /* Waiters (js-waiter.c). */
  GQueue           waiters;        /* JsWaiter NEXT, ALL, SYNC: FIFO */
  GQueue           shutdowns;      /* JsWaiter SHUTDOWN */
  GQueue           deliver;        /* JsWaiter served, for the source to
                                    * deliver */
  GHashTable      *claims;         /* &waiter->id → JsWaiter: the joins by
                                    * id (async or blocking) that wait for
                                    * a task; NULL until needed */
  GSource         *stuck_timer;    /* warns about a shutdown that waits */
  GArray          *release;        /* JsFlushCall, or NULL: user data let
                                    * go off the home thread, destroyed by
                                    * the source (see
                                    * _js_core_release_locked()) */

  /* For the observer, emitted by the source. */
  GQueue           emit_finished_queue; /* JsTask, owned: task-finished */
  GQueue           emit_progress_queue; /* JsTask, owned: task-progress */
  GQueue           emit_started_queue;  /* JsTask, owned: task-started */
  GArray          *list_events;    /* JsCoreListEvent for the list model,
                                    * or NULL: nothing recorded yet */
  guint            n_lists;        /* list models alive: the one field the
                                    * hot paths read (see js-task-list.c) */

  GHashTable      *timers;         /* &task->id → GSource, owned: the
                                    * timeouts of running tasks; NULL until
                                    * needed */
  guint64          next_id;
  guint64          n_thread_started; /* for the watchdog */
  guint64          watched_n_started; /* n_thread_started at the last tick */
  gint64           stalled_since;  /* monotonic time of the first tick with
                                    * thread tasks ready and none started,
                                    * or 0 */
  guint            stall_warned : 1; /* warned about this stall */
  gint64           arm_time;       /* see _js_core_arm_at_locked(); written
                                    * under mutex, read atomically without
                                    * it by the source's prepare and check */
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
  guint            n_active;       /* tasks holding a slot */
  guint            max_concurrent;
  guint            n_drainers;     /* drainers pushed and not exited */
  guint            n_busy;         /* busy drainers */
  guint            n_cond_waiters; /* blocking joins waiting on cond: GLib
                                    * 2.74 makes a syscall for every
                                    * broadcast, waiter or not */
  guint            closed : 1;
  guint            disposed : 1;
  guint            abort_on_error : 1;
  guint            abort_on_success : 1;
  guint            ordered : 1;
  guint            discard_results : 1;
  guint            watched : 1;    /* the pool's watchdog watches it */
};

/* ------------------------------------------------------------------------
 * The lock (inline: it is on every path)
 * ------------------------------------------------------------------------ */

#ifdef JS_ENABLE_LOCK_CHECKS
# define JS_CORE_ASSERT_LOCKED(core) \
  g_assert (g_atomic_pointer_get (&(core)->lock_owner) == (gpointer) g_thread_self ())
#else
# define JS_CORE_ASSERT_LOCKED(core) G_STMT_START { (void) (core); } G_STMT_END
#endif

static inline void
_js_core_lock (JsCore *core)
{
  g_mutex_lock (&core->mutex);
#ifdef JS_ENABLE_LOCK_CHECKS
  g_atomic_pointer_set (&core->lock_owner, g_thread_self ());
#endif
}

static inline void
_js_core_unlock (JsCore *core)
{
#ifdef JS_ENABLE_LOCK_CHECKS
  g_atomic_pointer_set (&core->lock_owner, NULL);
#endif
  g_mutex_unlock (&core->mutex);
}

/* Waits on core->cond, releasing the lock meanwhile. */
static inline void
_js_core_wait_locked (JsCore *core)
{
  JS_CORE_ASSERT_LOCKED (core);
#ifdef JS_ENABLE_LOCK_CHECKS
  g_atomic_pointer_set (&core->lock_owner, NULL);
#endif
  g_cond_wait (&core->cond, &core->mutex);
#ifdef JS_ENABLE_LOCK_CHECKS
  g_atomic_pointer_set (&core->lock_owner, g_thread_self ());
#endif
}

/* Unlocks, then does what @flush recorded. */
static inline void
_js_core_unlock_and_flush (JsCore  *core,
                           JsFlush *flush)
{
  GMainContext *context = core->context;

  _js_core_unlock (core);
  _js_flush_run (flush, context);
}

static inline JsCore *
_js_core_ref (JsCore *core)
{
  g_atomic_ref_count_inc (&core->ref_count);
  return core;
}

/* ------------------------------------------------------------------------
 * Arming the source (inline: called for every task)
 * ------------------------------------------------------------------------ */

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
  JS_CORE_ASSERT_LOCKED (core);

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
  JS_CORE_ASSERT_LOCKED (core);

  if (core->source == NULL || core->arm_time >= 0)
    return;

  _js_core_arm_at_locked (core, g_get_monotonic_time () + JS_NOTIFY_INTERVAL_USEC, flush);
}

/* ------------------------------------------------------------------------
 * The list model's records (inline: the hot paths test n_lists)
 * ------------------------------------------------------------------------ */

/* Records a change for the list model, to be delivered by the source
 * within a frame. @task: for ADD, a task the core holds a reference to
 * (never a running task the core does not own: see
 * _js_completion_complete_locked()). Call only when core->n_lists > 0. */
static inline void
_js_core_list_record_locked (JsCore           *core,
                             JsCoreListChange  change,
                             JsTask           *task,
                             guint64           id,
                             JsFlush          *flush)
{
  JsCoreListEvent event = { change, id, NULL };

  JS_CORE_ASSERT_LOCKED (core);
  g_assert (core->n_lists > 0);

  if (core->source == NULL)
    return;
  if (core->list_events == NULL)
    core->list_events = g_array_new (FALSE, FALSE, sizeof (JsCoreListEvent));
  if (change == JS_CORE_LIST_ADD)
    {
      event.task = g_object_ref (task);
      task->in_list = TRUE;
    }
  g_array_append_val (core->list_events, event);
  _js_core_arm_later_locked (core, flush);
}

/* A task's state or name changed: the model notifies it, if it has it. */
static inline void
_js_core_list_touch_locked (JsCore           *core,
                            JsTask           *task,
                            JsCoreListChange  change,
                            JsFlush          *flush)
{
  if (G_UNLIKELY (core->n_lists > 0) && task->in_list)
    _js_core_list_record_locked (core, change, NULL, task->id, flush);
}

/* The task with @id left the set. */
static inline void
_js_core_list_remove_locked (JsCore  *core,
                             guint64  id,
                             JsFlush *flush)
{
  if (G_UNLIKELY (core->n_lists > 0))
    _js_core_list_record_locked (core, JS_CORE_LIST_REMOVE, NULL, id, flush);
}

/* ------------------------------------------------------------------------
 * js-core-base.c
 * ------------------------------------------------------------------------ */

void      _js_core_unref                       (JsCore        *core);
gboolean  _js_core_is_home                     (JsCore        *core);
void      _js_core_release_locked              (JsCore        *core,
                                                JsFlush       *flush,
                                                GDestroyNotify destroy,
                                                gpointer       data);
void      _js_core_unref_task_locked           (JsCore        *core,
                                                JsFlush       *flush,
                                                JsTask        *task);
guint     _js_core_get_env_seconds             (gsize         *cache,
                                                const char    *name,
                                                guint          fallback);
guint64   _js_core_get_counter                 (JsCore        *core,
                                                JsCoreCounter  counter);
double    _js_core_get_progress                (JsCore        *core);
guint     _js_core_get_policy                  (JsCore        *core,
                                                JsCorePolicy   policy);

/* ------------------------------------------------------------------------
 * js-waiter.c
 * ------------------------------------------------------------------------ */

JsWaiter *_js_waiter_new_async                 (JsCore              *core,
                                                GObject             *set,
                                                JsWaitKind           kind,
                                                gboolean             light,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data,
                                                gpointer             source_tag);
void      _js_waiter_serve_locked              (JsCore        *core,
                                                JsFlush       *flush);
void      _js_waiter_wait_shutdown_locked      (JsCore        *core,
                                                JsWaiter      *w,
                                                JsFlush       *flush);
void      _js_waiter_complete_shutdowns_locked (JsCore        *core,
                                                JsFlush       *flush);
gboolean  _js_waiter_set_ordered_locked        (JsCore        *core,
                                                gboolean       ordered,
                                                JsFlush       *flush);
GQueue    _js_waiter_take_deliver_locked       (JsCore        *core);
void      _js_waiter_deliver_later_locked      (JsCore        *core,
                                                JsFlush       *flush);
void      _js_waiter_deliver_batch             (JsCore        *core,
                                                GQueue        *deliver);
void      _js_waiter_join_async                (JsCore              *core,
                                                GObject             *set,
                                                JsWaitKind           kind,
                                                gint64               timeout_ms,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data,
                                                gpointer             source_tag);
JsTask   *_js_waiter_join_next                 (JsCore        *core,
                                                GCancellable  *cancellable,
                                                GError       **error);
JsTask   *_js_waiter_try_join_next             (JsCore        *core);
void      _js_waiter_join_by_id_async          (JsCore              *core,
                                                GObject             *set,
                                                guint64              id,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data,
                                                gpointer             source_tag);
JsTask   *_js_waiter_join_by_id                (JsCore        *core,
                                                guint64        id,
                                                GCancellable  *cancellable,
                                                GError       **error);
gboolean  _js_waiter_claim_locked              (JsCore        *core,
                                                JsTask        *joinable,
                                                JsFlush       *flush);
void      _js_waiter_fail_claims_locked        (JsCore        *core,
                                                JsFlush       *flush);

/* ------------------------------------------------------------------------
 * js-run-queue.c
 * ------------------------------------------------------------------------ */

guint64    _js_run_queue_spawn                  (JsCore        *core,
                                                 JsTask        *task,
                                                 gint64         timeout_ms);
void       _js_run_queue_schedule_locked        (JsCore        *core,
                                                 JsFlush       *flush);
gboolean   _js_run_queue_set_max_concurrent_locked (JsCore     *core,
                                                 guint          max_concurrent,
                                                 JsFlush       *flush);
void       _js_run_queue_release_slot_locked    (JsCore        *core,
                                                 JsTask        *task,
                                                 JsFlush       *flush);
JsTaskFunc _js_run_queue_start_task_locked      (JsCore        *core,
                                                 JsTask        *task,
                                                 JsFlush       *flush);

/* ------------------------------------------------------------------------
 * js-completion.c
 * ------------------------------------------------------------------------ */

void      _js_completion_complete_locked       (JsCore        *core,
                                                JsTask        *task,
                                                JsResult      *result,
                                                gboolean       producer_ref,
                                                JsFlush       *flush);
void      _js_completion_abort_with_error_locked (JsCore      *core,
                                                JsTask        *task,
                                                GError        *error,
                                                gboolean       cancel_in_context,
                                                JsFlush       *flush);
void      _js_completion_abort_all_locked      (JsCore        *core,
                                                JsFlush       *flush);
void      _js_completion_drop_all_locked       (JsCore        *core,
                                                JsFlush       *flush);
gboolean  _js_completion_abort                 (JsCore        *core,
                                                guint64        id);
void      _js_completion_abort_all             (JsCore        *core);
void      _js_completion_detach_all            (JsCore        *core);
void      _js_completion_clear_locked          (JsCore        *core,
                                                JsFlush       *flush);

/* ------------------------------------------------------------------------
 * js-timeout.c
 * ------------------------------------------------------------------------ */

void      _js_timeout_start                    (JsCore        *core,
                                                JsTask        *task,
                                                guint          timeout_ms);

/* ------------------------------------------------------------------------
 * js-runner.c
 * ------------------------------------------------------------------------ */

extern const JsPoolClientFuncs _js_runner_pool_client_funcs;

gboolean  _js_runner_run_main_task             (JsCore        *core);

/* ------------------------------------------------------------------------
 * js-shutdown.c
 * ------------------------------------------------------------------------ */

void      _js_shutdown_start                   (JsCore              *core,
                                                GObject             *set,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data,
                                                gpointer             source_tag);

/* ------------------------------------------------------------------------
 * js-core-task.c: the calls of js-task.c
 * ------------------------------------------------------------------------ */

void          _js_core_task_return             (JsTask        *task,
                                                JsResult      *result);
void          _js_core_task_abandon            (JsTask        *task);
void          _js_core_task_set_progress       (JsTask        *task,
                                                double         fraction);
double        _js_core_task_get_progress       (JsTask        *task);
const char   *_js_core_task_get_name           (JsTask        *task);
char         *_js_core_task_dup_name           (JsTask        *task);
void          _js_core_task_set_name           (JsTask        *task,
                                                const char    *name);
GCancellable *_js_core_task_get_cancellable    (JsTask        *task);
gboolean      _js_core_task_is_cancelled       (JsTask        *task);
gboolean      _js_core_task_is_completed       (JsTask        *task);
JsTaskState   _js_core_task_get_state          (JsTask        *task);
void          _js_core_task_let_go             (JsTask        *task);
gboolean      _js_core_task_had_error          (JsTask        *task);
gboolean      _js_core_task_is_discarded       (JsTask        *task);
gboolean      _js_core_task_take_pointer       (JsTask        *task,
                                                gpointer      *data);

/* ------------------------------------------------------------------------
 * js-core-source.c
 * ------------------------------------------------------------------------ */

GSource  *_js_core_source_new                  (JsCore        *core);

/* ------------------------------------------------------------------------
 * js-core.c: the calls of js-join-set.c
 * ------------------------------------------------------------------------ */

JsCore   *_js_core_new                         (GObject              *set,
                                                const JsCoreObserver *observer);
void      _js_core_dispose                     (JsCore        *core);
void      _js_core_parent_cancelled            (GCancellable  *cancellable,
                                                JsCore        *core);
void      _js_core_close                       (JsCore        *core);
gboolean  _js_core_set_policy                  (JsCore        *core,
                                                JsCorePolicy   policy,
                                                guint          value);
GPtrArray *_js_core_list_start                 (JsCore        *core);
void      _js_core_list_stop                   (JsCore        *core);

G_END_DECLS
