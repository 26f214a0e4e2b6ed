/* js-task.c: one task of a JsJoinSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * JsTask:
 *
 * One task spawned on a [class@Js.JoinSet].
 *
 * A `JsTask` plays two roles, with the vocabulary of [class@Gio.Task]:
 *
 * - the **producer** (the [callback@Js.TaskFunc] the task runs) completes
 *   it with one of the `js_task_return_*()` functions, such as
 *   `js_task_return_pointer()` or [method@Js.Task.return_error], from
 *   any thread, either before the function returns or later, after taking
 *   a reference on the task;
 * - the **consumer** receives the finished task from a join, such as
 *   [method@Js.JoinSet.join_next_async], and reads its outcome with the
 *   matching `js_task_propagate_*()` function.
 *
 * A task completes exactly once. It completes with `G_IO_ERROR_CANCELLED`
 * when it is aborted, whatever its function returns afterwards (that late
 * result is freed at once), and with [error@Js.JoinError.ABANDONED] when
 * the last reference to it is dropped before it returned anything.
 *
 * The `user_data` given at spawn time is destroyed exactly once: when the
 * task is aborted before it started, or when the last reference to the
 * task is dropped, so a task function may use it until it lets go of the
 * task, as with [method@Gio.Task.set_task_data]. It is always destroyed in
 * the thread that runs the set's main context (see [callback@Js.TaskFunc]).
 *
 * Since: 1.0
 */

#include "config.h"

#include "js-enums.h"
#include "js-i18n-private.h"
#include "js-join-error.h"
#include "js-core-private.h"

/**
 * JsTaskClass:
 *
 * The class structure of [class@Js.Task]. The type is final: it cannot be
 * subclassed, and its class structure has no virtual functions and
 * nothing public.
 *
 * Since: 1.0
 */
G_DEFINE_FINAL_TYPE (JsTask, js_task, G_TYPE_OBJECT)

/* Most of what a pending task costs (docs/performance.md), which the 1.0
 * API issue bounds at 128 bytes with its slot in the id table and its
 * share of GSlice's slab: keep it within 112 bytes on 64-bit systems. */
G_STATIC_ASSERT (GLIB_SIZEOF_VOID_P != 8 || sizeof (JsTask) <= 112);

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_PROGRESS,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
extra_free (JsTaskExtra *extra)
{
  g_free (extra->name);
  g_slist_free_full (extra->old_names, g_free);
  g_free (extra);
}

static void
js_task_dispose (GObject *object)
{
  JsTask *self = (JsTask *)object;

  /* Dropping the last reference is how a producer lets go of a task: the
   * core completes it as abandoned if it never returned (re-referencing it
   * to keep it for a join), and destroys user_data once. */
  _js_core_task_abandon (self);

  G_OBJECT_CLASS (js_task_parent_class)->dispose (object);
}

static void
js_task_finalize (GObject *object)
{
  JsTask *self = (JsTask *)object;

  _js_result_data_clear (self->result_kind, &self->result);
  if (self->started)
    g_clear_object (&self->cancellable);
  g_clear_pointer (&self->extra, extra_free);
  g_clear_pointer (&self->core, _js_core_unref);

  G_OBJECT_CLASS (js_task_parent_class)->finalize (object);
}

static void
js_task_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  JsTask *self = JS_TASK (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint64 (value, self->id);
      break;

    case PROP_NAME:
      g_value_take_string (value, _js_core_task_dup_name (self));
      break;

    case PROP_PROGRESS:
      g_value_set_double (value, js_task_get_progress (self));
      break;

    case PROP_STATE:
      g_value_set_enum (value, js_task_get_state (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
js_task_class_init (JsTaskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = js_task_dispose;
  object_class->finalize = js_task_finalize;
  object_class->get_property = js_task_get_property;

  /**
   * JsTask:id:
   *
   * The id of the task: see [method@Js.Task.get_id].
   *
   * Since: 1.0
   */
  properties[PROP_ID] =
    g_param_spec_uint64 ("id", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * JsTask:name:
   *
   * The name of the task, given by [method@Js.JoinSet.spawn_full] or
   * [method@Js.Task.set_name].
   *
   * It is notified while the set's list model exists
   * ([method@Js.JoinSet.get_tasks]) and the task is in it, in the set's
   * main context, whatever thread renamed it, at most once per main-loop
   * iteration. Without a model, nothing pays for it: read it when the
   * task finishes or reports progress.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * JsTask:progress:
   *
   * How far the task got, from 0.0 to 1.0, as its function last reported
   * with [method@Js.Task.set_progress].
   *
   * It is notified in the main context of the task's set, not in the
   * thread that set it, and coalesced: when a task reports progress many
   * times between two iterations of that context, only the last value is
   * notified, together with [signal@Js.JoinSet::task-progress].
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
   * JsTask:state:
   *
   * Where the task is in its life: queued, running or finished. See
   * [method@Js.Task.get_state].
   *
   * It is notified in the set's main context, never from a worker thread,
   * while the set's list model exists ([method@Js.JoinSet.get_tasks]) and
   * the task is in it: a set nobody shows in a list pays nothing for it.
   * Several changes between two iterations of that context are notified
   * once, with the last state. Without a model, the
   * [signal@Js.JoinSet::task-started] and
   * [signal@Js.JoinSet::task-finished] signals tell the same.
   *
   * Since: 1.0
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       JS_TYPE_TASK_STATE, JS_TASK_STATE_QUEUED,
                       (G_PARAM_READABLE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
js_task_init (JsTask *self)
{
}

/* A new task of @core, not spawned yet: see _js_run_queue_spawn(). */
JsTask *
_js_task_new (JsCore         *core,
              JsTaskFunc      func,
              gpointer        user_data,
              GDestroyNotify  user_data_destroy,
              gboolean        in_thread,
              const char     *name,
              gboolean        emit_finished,
              gboolean        emit_started)
{
  JsTask *self = g_object_new (JS_TYPE_TASK, NULL);

  self->core = _js_core_ref (core);
  self->func = func;
  self->user_data = user_data;
  self->user_data_destroy = user_data_destroy;
  self->in_thread = !!in_thread;
  self->emit_finished = !!emit_finished;
  self->emit_started = !!emit_started;
  self->state = JS_TASK_QUEUED;
  /* Nobody else sees the task yet: no lock needed. */
  if (name != NULL)
    {
      self->extra = g_new0 (JsTaskExtra, 1);
      self->extra->name = g_strdup (name);
    }

  return self;
}

/* Notifies JsTask:progress; called by the set, in its context. */
void
_js_task_notify_progress (JsTask *task)
{
  g_object_notify_by_pspec (G_OBJECT (task), properties[PROP_PROGRESS]);
}

/* Notifies JsTask:state; called by the list model, in the set's context. */
void
_js_task_notify_state (JsTask *task)
{
  g_object_notify_by_pspec (G_OBJECT (task), properties[PROP_STATE]);
}

/* Notifies JsTask:name; called by the list model, in the set's context. */
void
_js_task_notify_name (JsTask *task)
{
  g_object_notify_by_pspec (G_OBJECT (task), properties[PROP_NAME]);
}

/**
 * js_task_get_id:
 * @task: a task
 *
 * Gets the identifier [method@Js.JoinSet.spawn] returned for @task: unique
 * within its set and never 0. Use it to map a result back to its input, or
 * to abort the task with [method@Js.JoinSet.abort].
 *
 * Returns: the id of @task
 *
 * Since: 1.0
 */
guint64
js_task_get_id (JsTask *task)
{
  g_return_val_if_fail (JS_IS_TASK (task), 0);

  return task->id;
}

/**
 * js_task_get_name:
 * @task: a task
 *
 * Gets the name set with [method@Js.Task.set_name].
 *
 * The string belongs to @task and stays valid as long as @task, even if
 * another thread renames it meanwhile: safe from any thread.
 *
 * Returns: (nullable): the name of @task
 *
 * Since: 1.0
 */
const char *
js_task_get_name (JsTask *task)
{
  g_return_val_if_fail (JS_IS_TASK (task), NULL);

  return _js_core_task_get_name (task);
}

/**
 * js_task_set_name:
 * @task: a task
 * @name: (nullable): a name for debugging, or %NULL
 *
 * Gives @task a name, to tell tasks apart in logs and debuggers.
 *
 * Since: 1.0
 */
void
js_task_set_name (JsTask     *task,
                  const char *name)
{
  g_return_if_fail (JS_IS_TASK (task));

  _js_core_task_set_name (task, name);
}

/**
 * js_task_set_progress:
 * @task: a task
 * @fraction: how far the task got, from 0.0 to 1.0
 *
 * Reports the progress of a long task, such as a download or a
 * conversion, for a user interface. Safe from any thread, and cheap:
 * call it as often as the work allows.
 *
 * The new value is delivered in the main context of the task's set, as a
 * notification of [property@Js.Task:progress] and an emission of
 * [signal@Js.JoinSet::task-progress], coalesced: only the last value set
 * between two deliveries is delivered, at most about 60 times a second.
 * Nothing is delivered for a task that has finished, or whose set is
 * gone.
 *
 * Since: 1.0
 */
void
js_task_set_progress (JsTask *task,
                      double  fraction)
{
  g_return_if_fail (JS_IS_TASK (task));
  g_return_if_fail (fraction >= 0.0 && fraction <= 1.0);

  _js_core_task_set_progress (task, fraction);
}

/**
 * js_task_get_progress:
 * @task: a task
 *
 * Gets [property@Js.Task:progress]: the fraction last given to
 * [method@Js.Task.set_progress], or 0.0. Safe from any thread.
 *
 * Returns: the progress of @task, from 0.0 to 1.0
 *
 * Since: 1.0
 */
double
js_task_get_progress (JsTask *task)
{
  g_return_val_if_fail (JS_IS_TASK (task), 0.0);

  return _js_core_task_get_progress (task);
}

/**
 * js_task_get_cancellable:
 * @task: a task
 *
 * Gets the cancellable of @task, for the `_async` operations its function
 * starts. It is cancelled when the task is aborted, when its set aborts
 * all tasks or is disposed, and when the set's parent cancellable is
 * cancelled.
 *
 * A task has no cancellable until this function is first called: it is
 * made then (already cancelled if the task was aborted before), so a task
 * that never asks costs no [class@Gio.Cancellable]. Safe from any thread;
 * every call returns the same object. To check whether the task was
 * aborted, [method@Js.Task.is_cancelled] is cheaper.
 *
 * Returns: (transfer none) (nullable): the cancellable of @task, or %NULL
 *   if the task function has not been called (yet)
 *
 * Since: 1.0
 */
GCancellable *
js_task_get_cancellable (JsTask *task)
{
  g_return_val_if_fail (JS_IS_TASK (task), NULL);

  return _js_core_task_get_cancellable (task);
}

/**
 * js_task_is_cancelled:
 * @task: a task
 *
 * Tells whether @task was aborted while its function ran, or its
 * cancellable was cancelled, as [method@Gio.Cancellable.is_cancelled]
 * would tell of its cancellable, without making one: an atomic read, for
 * a long loop to check between steps. Safe from any thread.
 *
 * Returns: %TRUE if @task was cancelled after its function was called
 *
 * Since: 1.0
 */
gboolean
js_task_is_cancelled (JsTask *task)
{
  g_return_val_if_fail (JS_IS_TASK (task), FALSE);

  return _js_core_task_is_cancelled (task);
}

/**
 * js_task_get_completed:
 * @task: a task
 *
 * Tells whether @task has its outcome: it returned, failed, was aborted or
 * was abandoned. Every task a join hands out is completed.
 *
 * Returns: %TRUE if @task has completed
 *
 * Since: 1.0
 */
gboolean
js_task_get_completed (JsTask *task)
{
  g_return_val_if_fail (JS_IS_TASK (task), FALSE);

  return _js_core_task_is_completed (task);
}

/**
 * js_task_get_state:
 * @task: a task
 *
 * Gets where @task is in its life, as [property@Js.Task:state]: queued
 * until its function is called, running until it has its outcome, then
 * finished. Safe from any thread; the value read may change at once in
 * another thread, the notification comes later, in the set's context.
 *
 * Returns: the state of @task
 *
 * Since: 1.0
 */
JsTaskState
js_task_get_state (JsTask *task)
{
  g_return_val_if_fail (JS_IS_TASK (task), JS_TASK_STATE_QUEUED);

  return _js_core_task_get_state (task);
}

/**
 * js_task_return_pointer: (skip)
 * @task: a task
 * @result: (nullable) (transfer full): the result of the task
 * @result_destroy: (nullable): a function to free @result
 *
 * Completes @task with @result. Call it once, from any thread.
 *
 * If no consumer takes the result with `js_task_propagate_pointer()`
 * (because the task was aborted, detached or its set was disposed, or the
 * consumer dropped it), @result_destroy frees it, exactly once.
 *
 * Since: 1.0
 */
void
js_task_return_pointer (JsTask         *task,
                        gpointer        result,
                        GDestroyNotify  result_destroy)
{
  JsResult r = { JS_RESULT_POINTER };

  r.u.pointer.data = result;
  r.u.pointer.destroy = result_destroy;

  if G_UNLIKELY (!JS_IS_TASK (task))
    {
      _js_result_clear (&r);
      g_return_if_fail (JS_IS_TASK (task));
    }

  _js_core_task_return (task, &r);
}

/**
 * js_task_return_value:
 * @task: a task
 * @result: the result of the task
 *
 * Completes @task with a copy of @result. Call it once, from any thread.
 * This is the way bindings return their values.
 *
 * Since: 1.0
 */
void
js_task_return_value (JsTask       *task,
                      const GValue *result)
{
  JsResult r = { JS_RESULT_VALUE };

  g_return_if_fail (JS_IS_TASK (task));
  g_return_if_fail (result != NULL && G_IS_VALUE (result));

  r.u.value = g_new0 (GValue, 1);
  g_value_init (r.u.value, G_VALUE_TYPE (result));
  g_value_copy (result, r.u.value);

  _js_core_task_return (task, &r);
}

/**
 * js_task_return_boolean:
 * @task: a task
 * @result: the result of the task
 *
 * Completes @task with a boolean. Call it once, from any thread.
 *
 * Since: 1.0
 */
void
js_task_return_boolean (JsTask   *task,
                        gboolean  result)
{
  JsResult r = { JS_RESULT_BOOLEAN };

  g_return_if_fail (JS_IS_TASK (task));

  r.u.boolean = !!result;
  _js_core_task_return (task, &r);
}

/**
 * js_task_return_int:
 * @task: a task
 * @result: the result of the task
 *
 * Completes @task with an integer. Call it once, from any thread.
 *
 * Since: 1.0
 */
void
js_task_return_int (JsTask *task,
                    gssize  result)
{
  JsResult r = { JS_RESULT_INT };

  g_return_if_fail (JS_IS_TASK (task));

  r.u.integer = result;
  _js_core_task_return (task, &r);
}

/**
 * js_task_return_error:
 * @task: a task
 * @error: (transfer full): the error the task failed with
 *
 * Completes @task with @error, which the consumer receives unchanged. Call
 * it once, from any thread.
 *
 * Since: 1.0
 */
void
js_task_return_error (JsTask *task,
                      GError *error)
{
  JsResult r = { JS_RESULT_ERROR };

  r.u.error = error;

  if G_UNLIKELY (!JS_IS_TASK (task) || error == NULL)
    {
      _js_result_clear (&r);
      g_return_if_fail (JS_IS_TASK (task));
      g_return_if_fail (error != NULL);
    }

  _js_core_task_return (task, &r);
}

/**
 * js_task_return_new_error:
 * @task: a task
 * @domain: the error domain
 * @code: the error code
 * @format: a printf()-style format for the error message
 * @...: the parameters of @format
 *
 * Completes @task with a new error, as [method@Js.Task.return_error] does.
 *
 * Since: 1.0
 */
void
js_task_return_new_error (JsTask     *task,
                          GQuark      domain,
                          gint        code,
                          const char *format,
                          ...)
{
  GError *error;
  va_list args;

  g_return_if_fail (JS_IS_TASK (task));
  g_return_if_fail (domain != 0);
  g_return_if_fail (format != NULL);

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);

  js_task_return_error (task, error);
}

/**
 * js_task_return_error_if_cancelled:
 * @task: a task
 *
 * Completes @task with `G_IO_ERROR_CANCELLED` if it was cancelled (see
 * [method@Js.Task.is_cancelled]), as
 * [method@Gio.Task.return_error_if_cancelled] does. A task function checks
 * this between steps of long work; it makes no cancellable (see
 * [method@Js.Task.is_cancelled]).
 *
 * Returns: %TRUE if @task was cancelled and has now returned
 *
 * Since: 1.0
 */
gboolean
js_task_return_error_if_cancelled (JsTask *task)
{
  g_return_val_if_fail (JS_IS_TASK (task), FALSE);

  if (!_js_core_task_is_cancelled (task))
    return FALSE;

  js_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                            /* Translators: the error of a task aborted with
                             * js_join_set_abort() */
                            "%s", _("The task was aborted"));
  return TRUE;
}

static gboolean
check_completed (JsTask     *task,
                 const char *function)
{
  if G_LIKELY (js_task_get_completed (task))
    return TRUE;

  g_critical ("%s() called on task %" G_GUINT64_FORMAT " before it "
              "completed: propagate the tasks a join returns",
              function, task->id);
  return FALSE;
}

static gboolean
propagate_error (JsTask  *task,
                 GError **error)
{
  if (task->result_kind != JS_RESULT_ERROR)
    return FALSE;

  if (task->result.error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                         /* Translators: the error of a task aborted with
                          * js_join_set_abort() */
                         _("The task was aborted"));
  else
    g_propagate_error (error, g_error_copy (task->result.error));
  return TRUE;
}

/* A result read with the getter of another kind is an error, not only a
 * programmer's mistake: language bindings read results whose kind they
 * cannot know in advance (a Python or JavaScript task returns any value),
 * and must raise, so it is reported through @error (G_IO_ERROR_INVALID_DATA),
 * with no critical. Out of line: the usual path only compares. */
G_GNUC_NO_INLINE static void
set_wrong_kind_error (JsTask  *task,
                      GError **error)
{
  static const char * const getters[] = {
    [JS_RESULT_POINTER] = "js_task_propagate_pointer()",
    [JS_RESULT_VALUE] = "js_task_propagate_value()",
    [JS_RESULT_BOOLEAN] = "js_task_propagate_boolean()",
    [JS_RESULT_INT] = "js_task_propagate_int()",
  };
  JsResultKind kind = task->result_kind;
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, task->id);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               /* Translators: the first %s is the number that identifies a
                * task, the second the C function that reads its result */
               _("Task %s returned a result of another kind: read it with %s"),
               id, kind < G_N_ELEMENTS (getters) && getters[kind] != NULL ? getters[kind] : "?");
}

static inline gboolean
check_kind (JsTask       *task,
            JsResultKind  kind,
            GError      **error)
{
  if G_LIKELY (task->result_kind == kind)
    return TRUE;

  set_wrong_kind_error (task, error);
  return FALSE;
}

/**
 * js_task_propagate_pointer: (skip)
 * @task: a completed task
 * @error: return location for the task's error
 *
 * Takes the result of a task that completed with
 * `js_task_return_pointer()`, or its error. The result can be taken
 * once: ownership passes to the caller, who frees it.
 *
 * Returns: (transfer full) (nullable): the result of @task, or %NULL with
 *   @error set if it failed, was aborted or was abandoned
 *
 * Since: 1.0
 */
gpointer
js_task_propagate_pointer (JsTask  *task,
                           GError **error)
{
  gpointer data;

  g_return_val_if_fail (JS_IS_TASK (task), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_completed (task, G_STRFUNC) || propagate_error (task, error))
    return NULL;
  if (!check_kind (task, JS_RESULT_POINTER, error))
    return NULL;

  if (!_js_core_task_take_pointer (task, &data))
    {
      g_critical ("js_task_propagate_pointer() called twice on task %"
                  G_GUINT64_FORMAT ": its result belongs to the first caller",
                  task->id);
      return NULL;
    }

  return data;
}

/**
 * js_task_propagate_value:
 * @task: a completed task
 * @value: (out caller-allocates): an uninitialized #GValue to copy the
 *   result into
 * @error: return location for the task's error
 *
 * Copies the result of a task that completed with
 * [method@Js.Task.return_value] into @value, or reports its error.
 *
 * Returns: %TRUE if @value was set, %FALSE with @error set otherwise
 *
 * Since: 1.0
 */
gboolean
js_task_propagate_value (JsTask  *task,
                         GValue  *value,
                         GError **error)
{
  g_return_val_if_fail (JS_IS_TASK (task), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_completed (task, G_STRFUNC) || propagate_error (task, error))
    return FALSE;
  if (!check_kind (task, JS_RESULT_VALUE, error))
    return FALSE;

  g_value_init (value, G_VALUE_TYPE (task->result.value));
  g_value_copy (task->result.value, value);
  return TRUE;
}

/**
 * js_task_dup_value: (rename-to js_task_propagate_value)
 * @task: a completed task
 * @error: return location for the task's error
 *
 * Returns a copy of the result of a task that completed with
 * [method@Js.Task.return_value], or reports its error: the form of
 * [method@Js.Task.propagate_value] that language bindings use, where
 * `task.propagate_value()` returns the value or throws.
 *
 * Returns: (transfer full) (nullable): a newly allocated copy of the
 *   result, free it with g_value_unset() and g_free(), or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
GValue *
js_task_dup_value (JsTask  *task,
                   GError **error)
{
  GValue *value;

  g_return_val_if_fail (JS_IS_TASK (task), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  value = g_new0 (GValue, 1);
  if (!js_task_propagate_value (task, value, error))
    {
      g_free (value);
      return NULL;
    }

  return value;
}

/**
 * js_task_propagate_boolean:
 * @task: a completed task
 * @error: return location for the task's error
 *
 * Gets the result of a task that completed with
 * [method@Js.Task.return_boolean], or its error.
 *
 * Returns: the result of @task, or %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
js_task_propagate_boolean (JsTask  *task,
                           GError **error)
{
  g_return_val_if_fail (JS_IS_TASK (task), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_completed (task, G_STRFUNC) || propagate_error (task, error))
    return FALSE;
  if (!check_kind (task, JS_RESULT_BOOLEAN, error))
    return FALSE;

  return task->result.boolean;
}

/**
 * js_task_propagate_int:
 * @task: a completed task
 * @error: return location for the task's error
 *
 * Gets the result of a task that completed with
 * [method@Js.Task.return_int], or its error.
 *
 * Returns: the result of @task, or -1 with @error set
 *
 * Since: 1.0
 */
gssize
js_task_propagate_int (JsTask  *task,
                       GError **error)
{
  g_return_val_if_fail (JS_IS_TASK (task), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!check_completed (task, G_STRFUNC) || propagate_error (task, error))
    return -1;
  if (!check_kind (task, JS_RESULT_INT, error))
    return -1;

  return task->result.integer;
}

/**
 * js_task_had_error:
 * @task: a task
 *
 * Tells whether @task completed with an error: its own, an abort
 * (`G_IO_ERROR_CANCELLED`) or [error@Js.JoinError.ABANDONED].
 *
 * Returns: %TRUE if @task completed with an error
 *
 * Since: 1.0
 */
gboolean
js_task_had_error (JsTask *task)
{
  g_return_val_if_fail (JS_IS_TASK (task), FALSE);

  return _js_core_task_had_error (task);
}
