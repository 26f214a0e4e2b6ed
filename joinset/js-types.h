/* js-types.h: forward declarations shared by the libjoinset headers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (JS_INSIDE) && !defined (JS_COMPILATION)
# error "Only <joinset/joinset.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _JsJoinSet JsJoinSet;
typedef struct _JsTask    JsTask;

/**
 * JsTaskFunc:
 * @task: (transfer none): the task to return a result through
 * @user_data: (closure): the data passed when the task was spawned
 *
 * The body of a task spawned with [method@Js.JoinSet.spawn] or
 * [method@Js.JoinSet.spawn_in_thread].
 *
 * The function completes the task by calling one of the `js_task_return_*()`
 * functions, such as `js_task_return_pointer()`, either before it
 * returns or later, from any thread, after taking a reference on @task with
 * g_object_ref() (for example from the callback of an `_async` operation it
 * started). A task whose last reference is dropped before it returned a
 * result completes with [error@Js.JoinError.ABANDONED].
 *
 * A task is aborted when [method@Js.JoinSet.abort] names it, when its set
 * aborts every task or is dropped, and when the set's parent cancellable
 * is cancelled. A long loop checks [method@Js.Task.is_cancelled], which
 * costs nothing; an `_async` operation takes the task's cancellable from
 * [method@Js.Task.get_cancellable], which creates it on first use.
 *
 * @user_data is released (its destroy notify called) in the thread that
 * runs the set's main context, its home thread, whichever thread drops the
 * last reference to @task: directly when that is the home thread, otherwise
 * at the next iteration of the set's context. A language binding whose
 * closures may be released only in its main thread (GJS) can therefore
 * spawn a task without crashing, although GJS still refuses to run a
 * JavaScript function on a worker thread: give JavaScript functions to
 * [method@Js.JoinSet.spawn] only.
 *
 * Since: 1.0
 */
typedef void (*JsTaskFunc) (JsTask   *task,
                            gpointer  user_data);

/**
 * JsAsyncStartFunc:
 * @task: (transfer none): the task the operation is
 * @cancellable: (transfer none): the task's cancellable, to pass to the
 *   operation
 * @callback: (scope async) (closure callback_data): the callback to pass
 *   to the operation
 * @callback_data: the data to pass with @callback
 * @user_data: (closure): the data passed to
 *   [method@Js.JoinSet.spawn_async]
 *
 * Starts the asynchronous operation of a task spawned with
 * [method@Js.JoinSet.spawn_async]: calls one `_async` function with
 * @cancellable, @callback and @callback_data. Called in the set's main
 * context.
 *
 * Since: 1.0
 */
typedef void (*JsAsyncStartFunc) (JsTask              *task,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             callback_data,
                                  gpointer             user_data);

/**
 * JsAsyncFinishFunc:
 * @source_object: (nullable) (transfer none): the source object of the
 *   operation
 * @result: (transfer none): the result of the operation
 * @value: (out caller-allocates): where to put the operation's value, if
 *   it has one: an unset `GValue` to initialize and fill
 * @error: the operation's error
 *
 * Finishes the asynchronous operation of a task spawned with
 * [method@Js.JoinSet.spawn_async]: calls its `_finish` function with
 * @source_object and @result, and hands the outcome over. Called in the
 * set's main context.
 *
 * Returns: %TRUE if the operation succeeded, %FALSE with @error set if it
 *   failed
 *
 * Since: 1.0
 */
typedef gboolean (*JsAsyncFinishFunc) (GObject       *source_object,
                                       GAsyncResult  *result,
                                       GValue        *value,
                                       GError       **error);

G_END_DECLS
