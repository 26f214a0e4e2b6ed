/* js-task-private.h: the inside of a JsTask, shared with the scheduler
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "js-task.h"
#include "js-list-private.h"
#include "js-result-private.h"

G_BEGIN_DECLS

typedef struct _JsCore JsCore;

/* Where a task is in its set's scheduler. Public readers see a coarser
 * JsTaskState (js_task_get_state()). */
typedef enum
{
  /* In JsCore.queue, waiting for a concurrency slot. The core owns a ref. */
  JS_TASK_QUEUED,
  /* In JsCore.thread_ready or JsCore.main_ready: holds a slot, its function
   * has not been called yet. The core owns a ref. */
  JS_TASK_READY,
  /* Its function was called and it has no outcome yet. In JsCore.running
   * unless detached; the core owns NO ref: the producer's references keep
   * it alive, and dropping the last one abandons it (see dispose). */
  JS_TASK_RUNNING,
  /* Has its outcome. In JsCore.completed (the core owns a ref) unless it
   * was detached or its set was disposed. */
  JS_TASK_COMPLETED,
  /* Handed to a consumer by a join, or dropped with its set. */
  JS_TASK_JOINED,
} JsTaskStage;

/* A started task's cancellation, read without the lock. */
typedef enum
{
  JS_TASK_ABORTED         = 1 << 0,  /* aborted once started */
  JS_TASK_HAS_CANCELLABLE = 1 << 1,  /* task->cancellable is set, and stays */
} JsTaskCancelState;

/* What few tasks need, allocated on first use. Guarded by core->mutex,
 * except timeout_ms: immutable once the task is spawned. */
typedef struct
{
  char   *name;
  GSList *old_names;             /* char *: names replaced by set_name(),
                                  * kept until the task is finalized so
                                  * that get_name() never dangles */
  double  progress;
  guint   timeout_ms;            /* 0: none */
  guint   progress_pending : 1;  /* in JsCore.emit_progress_queue */
} JsTaskExtra;

struct _JsTask
{
  GObject parent_instance;

  /* Immutable after spawn */
  JsCore         *core;              /* strong reference */
  guint64         id;

  /* Everything below is guarded by core->mutex, except where noted. */

  /* Node in whichever JsCore list holds the task (see JsTaskStage). */
  JsLink          link;

  gpointer        user_data;
  GDestroyNotify  user_data_destroy;

  /* One or the other, to keep a pending task small. */
  union {
    JsTaskFunc    func;              /* until it starts */
    GCancellable *cancellable;       /* owned, once started: NULL until
                                      * js_task_get_cancellable() creates
                                      * it (see js-core-task.c) */
  };
  JsTaskExtra    *extra;             /* name and progress, or NULL */

  /* Written once under the lock when the task completes, with its kind
   * (result_kind); read without the lock by the consumer, which received
   * the task through the lock. */
  JsResultData    result;

  guint           state : 3;         /* JsTaskStage */
  guint           in_thread : 1;     /* spawned with spawn_in_thread */
  guint           returned : 1;      /* the producer called js_task_return_*() */
  guint           holds_slot : 1;    /* counts in JsCore.n_active */
  guint           func_done : 1;     /* the thread function returned */
  guint           detached : 1;      /* no longer owned by its set */
  guint           lingering : 1;     /* in JsCore.lingering */
  guint           emit_finished : 1; /* emits JsJoinSet::task-finished */
  guint           has_timer : 1;     /* has a timeout in JsCore.timers */
  guint           discarded : 1;     /* freed by a set that discards results */
  guint           started : 1;       /* holds its cancellable, not its func */
  guint           result_taken : 1;  /* a pointer result was propagated */
  guint           emit_started : 1;  /* emits JsJoinSet::task-started */
  guint           in_list : 1;       /* handed to the set's list model
                                      * (see JsCoreListEvent) */

  /* JsResultKind of `result`, written and read as `result` is. Its own
   * byte, not a bit-field: the flags above are written under the lock
   * after the task completed (func_done), while its consumer reads the
   * kind without the lock, and bit-fields share one memory location. It
   * fits in the bytes the flags leave free. */
  guint8          result_kind;

  guint           cancel_state;      /* atomic JsTaskCancelState bits:
                                      * js_task_is_cancelled() reads them
                                      * without the lock */
};

/* The extra fields of @task, allocated on first use; with the core
 * locked. */
static inline JsTaskExtra *
_js_task_get_extra_locked (JsTask *task)
{
  if (task->extra == NULL)
    task->extra = g_new0 (JsTaskExtra, 1);

  return task->extra;
}

/* The task that @link, a JsTask.link, belongs to. */
#define JS_TASK_OF_LINK(l) JS_LINK_CONTAINER (l, JsTask, link)

/* Moves the outcome @r into @task, leaving @r empty; with the core
 * locked. */
static inline void
_js_task_set_result_locked (JsTask   *task,
                            JsResult *r)
{
  task->result_kind = r->kind;
  task->result = r->u;
  memset (r, 0, sizeof *r);
}

/* Whether @task completed with an error other than a cancellation. */
#define _js_task_failed(task) \
  _js_result_data_failed ((task)->result_kind, &(task)->result)

/* The name of @task, or NULL; with the core locked. */
#define _js_task_name_locked(task) ((task)->extra != NULL ? (task)->extra->name : NULL)

/* The time limit of @task, 0 for none: immutable once it is spawned. */
#define _js_task_timeout_ms(task) ((task)->extra != NULL ? (task)->extra->timeout_ms : 0)

/* js-task.c, for js-join-set.c */
JsTask *_js_task_new             (JsCore         *core,
                                  JsTaskFunc      func,
                                  gpointer        user_data,
                                  GDestroyNotify  user_data_destroy,
                                  gboolean        in_thread,
                                  const char     *name,
                                  gboolean        emit_finished,
                                  gboolean        emit_started);
void    _js_task_notify_progress (JsTask         *task);
void    _js_task_notify_state    (JsTask         *task);
void    _js_task_notify_name     (JsTask         *task);

G_END_DECLS
