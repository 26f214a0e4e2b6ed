/* js-task-private.h: the inside of a JsTask, shared with the scheduler
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "js-task.h"

G_BEGIN_DECLS

typedef struct _JsCore JsCore;

typedef enum
{
  JS_RESULT_NONE = 0,
  JS_RESULT_POINTER,
  JS_RESULT_VALUE,
  JS_RESULT_BOOLEAN,
  JS_RESULT_INT,
  JS_RESULT_ERROR,
} JsResultKind;

/* The outcome of a task. Exactly one owner at a time: the producer while
 * it builds it, then the task, then (for a pointer) the consumer that
 * propagates it. _js_result_clear() frees whatever is still owned. */
typedef struct
{
  JsResultKind kind;
  union {
    struct {
      gpointer       data;
      GDestroyNotify destroy;
    } pointer;
    GValue   *value;
    gboolean  boolean;
    gssize    integer;
    GError   *error;     /* NULL: aborted (G_IO_ERROR_CANCELLED), the
                          * error built only if someone propagates it */
  } u;
} JsResult;

/* Whether @r is an error other than a cancellation. */
#define _js_result_failed(r) \
  ((r)->kind == JS_RESULT_ERROR && (r)->u.error != NULL && \
   !g_error_matches ((r)->u.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))

void _js_result_clear (JsResult *result);

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
} JsTaskState;

/* What few tasks need, allocated on first use. Guarded by core->mutex. */
typedef struct
{
  char   *name;
  double  progress;
  guint   progress_pending : 1;  /* in JsCore.emit_progress_queue */
} JsTaskExtra;

struct _JsTask
{
  GObject parent_instance;

  /* Immutable after spawn */
  JsCore         *core;              /* strong reference */
  guint64         id;

  /* Everything below is guarded by core->mutex, except where noted. */

  /* Node in whichever JsCore queue holds the task (see JsTaskState). */
  GList           link;

  gpointer        user_data;
  GDestroyNotify  user_data_destroy;

  /* One or the other, to keep a pending task small. */
  union {
    JsTaskFunc    func;              /* until it starts */
    GCancellable *cancellable;       /* owned, once started: set when the
                                      * task leaves READY */
  };
  JsTaskExtra    *extra;             /* name and progress, or NULL */

  /* Written once under the lock when the task completes; read without the
   * lock by the consumer, which received the task through the lock. */
  JsResult        result;

  guint           state : 3;         /* JsTaskState */
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

  guint           timeout_ms;        /* immutable after spawn; 0: none */
};

JsTask *_js_task_new (JsCore         *core,
                      JsTaskFunc      func,
                      gpointer        user_data,
                      GDestroyNotify  user_data_destroy,
                      gboolean        in_thread);

JsTask *_js_task_new_completed (JsTask *task);

JsTaskExtra *_js_task_get_extra_locked (JsTask *task);

GParamSpec  *_js_task_get_progress_pspec (void);

/* The name of @task, or NULL; with the core locked. */
#define _js_task_name_locked(task) ((task)->extra != NULL ? (task)->extra->name : NULL)

G_END_DECLS
