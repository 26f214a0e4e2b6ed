/* js-task.h: one task of a JsJoinSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (JS_INSIDE) && !defined (JS_COMPILATION)
# error "Only <joinset/joinset.h> can be included directly."
#endif

#include <gio/gio.h>

#include "js-types.h"
#include "js-version-macros.h"

G_BEGIN_DECLS

/**
 * JsTaskState:
 * @JS_TASK_STATE_QUEUED: spawned, its function not called yet: waiting
 *   for a concurrency slot, a thread or an iteration of its context
 * @JS_TASK_STATE_RUNNING: its function was called and it has no outcome
 *   yet
 * @JS_TASK_STATE_FINISHED: it has its outcome (returned, failed, aborted,
 *   timed out or abandoned), whether it was joined yet or not
 *
 * Where a task is in its life: see [method@Js.Task.get_state] and
 * [property@Js.Task:state]. A task goes from queued to running to
 * finished, or from queued to finished when it is aborted before it
 * started. Being joined is not a state of the task: it is leaving its set
 * (and the set's list model, [method@Js.JoinSet.get_tasks]).
 *
 * Since: 1.0
 */
typedef enum
{
  JS_TASK_STATE_QUEUED,
  JS_TASK_STATE_RUNNING,
  JS_TASK_STATE_FINISHED,
} JsTaskState;

#define JS_TYPE_TASK (js_task_get_type ())

JS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JsTask, js_task, JS, TASK, GObject)

/* Identity */
JS_AVAILABLE_IN_ALL
guint64       js_task_get_id                    (JsTask         *task);
JS_AVAILABLE_IN_ALL
const char   *js_task_get_name                  (JsTask         *task);
JS_AVAILABLE_IN_ALL
void          js_task_set_name                  (JsTask         *task,
                                                 const char     *name);

/* Progress */
JS_AVAILABLE_IN_ALL
void          js_task_set_progress              (JsTask         *task,
                                                 double          fraction);
JS_AVAILABLE_IN_ALL
double        js_task_get_progress              (JsTask         *task);

/* State */
JS_AVAILABLE_IN_ALL
GCancellable *js_task_get_cancellable           (JsTask         *task);
JS_AVAILABLE_IN_ALL
gboolean      js_task_is_cancelled              (JsTask         *task);
JS_AVAILABLE_IN_ALL
gboolean      js_task_get_completed             (JsTask         *task);
JS_AVAILABLE_IN_ALL
JsTaskState   js_task_get_state                 (JsTask         *task);

/* Returning results: the task function */
JS_AVAILABLE_IN_ALL
void          js_task_return_pointer            (JsTask         *task,
                                                 gpointer        result,
                                                 GDestroyNotify  result_destroy);
JS_AVAILABLE_IN_ALL
void          js_task_return_value              (JsTask         *task,
                                                 const GValue   *result);
JS_AVAILABLE_IN_ALL
void          js_task_return_boolean            (JsTask         *task,
                                                 gboolean        result);
JS_AVAILABLE_IN_ALL
void          js_task_return_int                (JsTask         *task,
                                                 gssize          result);
JS_AVAILABLE_IN_ALL
void          js_task_return_error              (JsTask         *task,
                                                 GError         *error);
JS_AVAILABLE_IN_ALL
void          js_task_return_new_error          (JsTask         *task,
                                                 GQuark          domain,
                                                 gint            code,
                                                 const char     *format,
                                                                 ...) G_GNUC_PRINTF (4, 5);
JS_AVAILABLE_IN_ALL
gboolean      js_task_return_error_if_cancelled (JsTask         *task);

/* Propagating results: whoever joined the task */
JS_AVAILABLE_IN_ALL
gpointer      js_task_propagate_pointer         (JsTask         *task,
                                                 GError        **error) G_GNUC_WARN_UNUSED_RESULT;
JS_AVAILABLE_IN_ALL
gboolean      js_task_propagate_value           (JsTask         *task,
                                                 GValue         *value,
                                                 GError        **error);
JS_AVAILABLE_IN_ALL
GValue       *js_task_dup_value                 (JsTask         *task,
                                                 GError        **error) G_GNUC_WARN_UNUSED_RESULT;
JS_AVAILABLE_IN_ALL
gboolean      js_task_propagate_boolean         (JsTask         *task,
                                                 GError        **error);
JS_AVAILABLE_IN_ALL
gssize        js_task_propagate_int             (JsTask         *task,
                                                 GError        **error);
JS_AVAILABLE_IN_ALL
gboolean      js_task_had_error                 (JsTask         *task);

G_END_DECLS
