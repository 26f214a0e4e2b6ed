/* js-join-error.h: errors reported for tasks of a JsJoinSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (JS_INSIDE) && !defined (JS_COMPILATION)
# error "Only <joinset/joinset.h> can be included directly."
#endif

#include <glib.h>

#include "js-version-macros.h"

G_BEGIN_DECLS

/**
 * JS_JOIN_ERROR:
 *
 * The error domain of the errors libjoinset itself reports for a task.
 *
 * A task that was aborted fails with `G_IO_ERROR_CANCELLED` instead, the
 * error GNOME code already checks for, and a task's own error is reported
 * unchanged.
 *
 * Since: 1.0
 */
#define JS_JOIN_ERROR (js_join_error_quark ())

/**
 * JsJoinError:
 * @JS_JOIN_ERROR_ABANDONED: the last reference to the task was dropped
 *   before it returned a result: the task function forgot to call one of
 *   the `js_task_return_*()` functions. This is the analog of a panicking
 *   task in Tokio.
 * @JS_JOIN_ERROR_UNKNOWN_TASK: a join by id
 *   ([method@Js.JoinSet.join_by_id_async]) named a task that is not in the
 *   set: it was never spawned, was joined already, or left the set
 *   ([method@Js.JoinSet.detach_all], [method@Js.JoinSet.shutdown_async],
 *   [property@Js.JoinSet:discard-results]). Since: 1.0
 *
 * Errors in the [error@Js.JoinError] domain.
 *
 * Since: 1.0
 */
typedef enum
{
  JS_JOIN_ERROR_ABANDONED,
  JS_JOIN_ERROR_UNKNOWN_TASK,
} JsJoinError;

JS_AVAILABLE_IN_ALL
GQuark js_join_error_quark (void);

G_END_DECLS
