/* js-spawn-async.c: a GIO-style asynchronous operation as a task
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "joinset.h"

/* Built on the public API alone: a task of the set's context whose
 * function starts the operation with the task's cancellable, and whose
 * operation callback applies the finish function and returns the task.
 *
 * The pair and its user data live in a JsAsyncCall with two owners: the
 * task (as its user data, released when the task is done with it, which
 * for an aborted task is at once) and the operation (released when its
 * callback has run, which for an aborted task is later). So a late
 * callback still finds its finish function and its data, and the data is
 * released once both are done with it, in the set's context. */

typedef struct
{
  gatomicrefcount     ref_count;
  JsAsyncStartFunc    start;
  JsAsyncFinishFunc   finish;
  gpointer            user_data;
  GDestroyNotify      user_data_destroy;
} JsAsyncCall;

typedef struct
{
  JsAsyncCall *call;
  JsTask      *task;
} JsAsyncOperation;

static JsAsyncCall *
async_call_ref (JsAsyncCall *call)
{
  g_atomic_ref_count_inc (&call->ref_count);
  return call;
}

static void
async_call_unref (gpointer data)
{
  JsAsyncCall *call = data;

  if (!g_atomic_ref_count_dec (&call->ref_count))
    return;

  if (call->user_data_destroy != NULL)
    call->user_data_destroy (call->user_data);
  g_free (call);
}

/* Applies the finish function to the operation's result and returns the
 * task with what it gave. */
static void
finish_task (JsAsyncCall  *call,
             JsTask       *task,
             GObject      *source_object,
             GAsyncResult *result)
{
  g_auto(GValue) value = G_VALUE_INIT;
  GError *error = NULL;

  if (!call->finish (source_object, result, &value, &error))
    {
      if (error == NULL)
        {
          g_critical ("The finish function of task %" G_GUINT64_FORMAT
                      " returned FALSE without setting an error",
                      js_task_get_id (task));
          error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                       "The operation failed without an error");
        }
      js_task_return_error (task, error);
    }
  else if (G_IS_VALUE (&value))
    {
      js_task_return_value (task, &value);
    }
  else
    {
      js_task_return_boolean (task, TRUE);
    }
}

static void
operation_ready (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      data)
{
  JsAsyncOperation *op = data;

  /* After an abort the task has already joined with G_IO_ERROR_CANCELLED:
   * the finish function still runs, so that what it returns is freed,
   * and js_task_return_*() drops the late outcome. */
  finish_task (op->call, op->task, source_object, result);

  g_object_unref (op->task);
  async_call_unref (op->call);
  g_free (op);
}

static void
start_operation (JsTask   *task,
                 gpointer  data)
{
  JsAsyncCall *call = data;
  JsAsyncOperation *op = g_new (JsAsyncOperation, 1);

  op->call = async_call_ref (call);
  op->task = g_object_ref (task);

  call->start (task, js_task_get_cancellable (task), operation_ready, op,
               call->user_data);
}

/**
 * js_join_set_spawn_async:
 * @self: a set
 * @start: (scope notified) (closure user_data) (destroy user_data_destroy):
 *   starts the operation
 * @finish: (scope forever): finishes it
 * @user_data: data for @start
 * @user_data_destroy: (nullable): destroys @user_data once the task and
 *   the operation are done with it
 *
 * Spawns a task that is one GIO-style asynchronous operation, such as
 * g_file_load_bytes_async() and g_file_load_bytes_finish(): its outcome is
 * the operation's outcome.
 *
 * The task runs in the set's main context like one of
 * [method@Js.JoinSet.spawn], so the set's policies apply to it as to any
 * other task: [property@Js.JoinSet:max-concurrent] counts it until the
 * operation completes, [property@Js.JoinSet:timeout] bounds it, and
 * [property@Js.JoinSet:abort-on-error] sees its failure.
 *
 * @start is called in the set's context with the task's cancellable (from
 * [method@Js.Task.get_cancellable]), and must start exactly one operation
 * with that cancellable, the given callback and its data. An operation that
 * takes more arguments, such as an I/O priority, flags or a D-Bus method's
 * parameters, finds them in @user_data. @finish needs no data: a `_finish`
 * function takes the operation's source object and result, and the extra
 * out-arguments some have (such as an etag) can be %NULL.
 *
 * When the operation completes, @finish is called in the set's context with
 * its source object and result, and calls the operation's `_finish`
 * function:
 *
 * - on failure it returns %FALSE with the operation's error, which
 *   becomes the task's error;
 * - on success it returns %TRUE and, if the operation has a value, puts
 *   it in @value (initialized by @finish, which passes its ownership to the
 *   task): the joiner reads it with [method@Js.Task.propagate_value]. A
 *   task whose @finish leaves @value unset returns %TRUE
 *   ([method@Js.Task.propagate_boolean]).
 *
 * ```c
 * static void
 * load_start (JsTask              *task,
 *             GCancellable        *cancellable,
 *             GAsyncReadyCallback  callback,
 *             gpointer             callback_data,
 *             gpointer             user_data)
 * {
 *   g_file_load_bytes_async (user_data, cancellable, callback, callback_data);
 * }
 *
 * static gboolean
 * load_finish (GObject       *source_object,
 *              GAsyncResult  *result,
 *              GValue        *value,
 *              GError       **error)
 * {
 *   GBytes *bytes = g_file_load_bytes_finish (G_FILE (source_object),
 *                                             result, NULL, error);
 *
 *   if (bytes == NULL)
 *     return FALSE;
 *
 *   g_value_init (value, G_TYPE_BYTES);
 *   g_value_take_boxed (value, bytes);
 *   return TRUE;
 * }
 *
 * js_join_set_spawn_async (set, load_start, load_finish,
 *                          g_object_ref (file), g_object_unref);
 * ```
 *
 * Aborting the task (with [method@Js.JoinSet.abort], a timeout, a policy, a
 * parent cancellable or by dropping the set) cancels the operation's
 * cancellable, and the task joins with `G_IO_ERROR_CANCELLED` (or
 * `G_IO_ERROR_TIMED_OUT`) at once, without waiting for the operation. When
 * the operation's callback comes later, @finish still runs, so that what
 * it returns is freed, and its outcome is dropped. @user_data is destroyed
 * once both the task and the operation are done with it: when the last
 * reference to the task is dropped and the operation's callback has run
 * (at once, if the task never started).
 *
 * Safe from any thread. When the set is closed, nothing is spawned:
 * @user_data is destroyed at once and 0 is returned.
 *
 * Returns: the id of the task, or 0 if the set is closed
 *
 * Since: 1.0
 */
guint64
js_join_set_spawn_async (JsJoinSet         *self,
                         JsAsyncStartFunc   start,
                         JsAsyncFinishFunc  finish,
                         gpointer           user_data,
                         GDestroyNotify     user_data_destroy)
{
  JsAsyncCall *call;

  if G_UNLIKELY (!JS_IS_JOIN_SET (self) || start == NULL || finish == NULL)
    {
      if (user_data_destroy != NULL)
        user_data_destroy (user_data);
      g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);
      g_return_val_if_fail (start != NULL, 0);
      g_return_val_if_fail (finish != NULL, 0);
    }

  call = g_new (JsAsyncCall, 1);
  g_atomic_ref_count_init (&call->ref_count);
  call->start = start;
  call->finish = finish;
  call->user_data = user_data;
  call->user_data_destroy = user_data_destroy;

  return js_join_set_spawn (self, start_operation, call, async_call_unref);
}
