/* js-core-task.c: what a JsTask asks of its core
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The calls of js-task.c: a producer returning, abandoning or reporting
 * progress, and the task's fields that the core's lock guards.
 */

#include "config.h"

#include "js-i18n-private.h"
#include "js-join-error.h"
#include "js-core-private.h"

/* The producer returned @result (ownership transferred). */
void
_js_core_task_return (JsTask   *task,
                      JsResult *result)
{
  JsCore *core = task->core;
  JsFlush flush = JS_FLUSH_INIT;
  gboolean twice = FALSE;
  gboolean never_ran = FALSE;

  _js_core_lock (core);

  if (!task->started)
    {
      never_ran = TRUE;
    }
  else if (task->returned)
    {
      twice = TRUE;
    }
  else
    {
      task->returned = TRUE;

      /* Otherwise the task was aborted first: this late result is freed
       * below. */
      if (task->state == JS_TASK_RUNNING)
        _js_completion_complete_locked (core, task, result, TRUE, &flush);
    }

  _js_core_unlock_and_flush (core, &flush);

  if (twice)
    g_critical ("A js_task_return_*() function was called twice on task %"
                G_GUINT64_FORMAT ": a task returns exactly once", task->id);
  else if (never_ran)
    g_critical ("A js_task_return_*() function was called on task %"
                G_GUINT64_FORMAT ", whose function never ran: only the task "
                "function, or code it hands the task to, returns a task",
                task->id);

  _js_result_clear (result);
}

/* The last reference to @task was dropped (JsTask.dispose): it is
 * abandoned if it was running, and the producer is done with user_data. */
void
_js_core_task_abandon (JsTask *task)
{
  JsCore *core = task->core;
  JsFlush flush = JS_FLUSH_INIT;
  GDestroyNotify destroy;
  gpointer data;

  _js_core_lock (core);

  if (task->state == JS_TASK_RUNNING)
    {
      JsResult result = { JS_RESULT_ERROR };

      /* The producer let go without returning: the consumer gets a new
       * task object carrying the error (see _js_completion_complete_locked()). */
      g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, task->id);

      result.u.error = g_error_new (JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED,
                                    /* Translators: %s is the number that
                                     * identifies a task */
                                    _("Task %s was dropped without returning a result"),
                                    id);
      _js_completion_complete_locked (core, task, &result, FALSE, &flush);
    }

  /* The producer is done with user_data. */
  data = g_steal_pointer (&task->user_data);
  destroy = g_steal_pointer (&task->user_data_destroy);

  _js_core_unlock_and_flush (core, &flush);

  if (destroy != NULL)
    destroy (data);
}

/* The producer reported progress: queued for the source to emit. */
void
_js_core_task_set_progress (JsTask *task,
                            double  fraction)
{
  JsCore *core = task->core;
  JsFlush flush = JS_FLUSH_INIT;
  JsTaskExtra *extra;

  _js_core_lock (core);
  extra = _js_task_get_extra_locked (task);
  extra->progress = fraction;
  /* Delivered for running tasks of a set that is still there. */
  if (!extra->progress_pending && task->state == JS_TASK_RUNNING &&
      !task->detached && core->source != NULL)
    {
      extra->progress_pending = TRUE;
      g_queue_push_tail (&core->emit_progress_queue, g_object_ref (task));
      _js_core_arm_later_locked (core, &flush);
    }
  _js_core_unlock_and_flush (core, &flush);
}

double
_js_core_task_get_progress (JsTask *task)
{
  double progress;

  _js_core_lock (task->core);
  progress = task->extra != NULL ? task->extra->progress : 0.0;
  _js_core_unlock (task->core);

  return progress;
}

/* Returns: (transfer none): valid until the name is changed. */
const char *
_js_core_task_get_name (JsTask *task)
{
  const char *name;

  _js_core_lock (task->core);
  name = _js_task_name_locked (task);
  _js_core_unlock (task->core);

  return name;
}

char *
_js_core_task_dup_name (JsTask *task)
{
  char *name;

  _js_core_lock (task->core);
  name = g_strdup (_js_task_name_locked (task));
  _js_core_unlock (task->core);

  return name;
}

void
_js_core_task_set_name (JsTask     *task,
                        const char *name)
{
  char *old_name;

  _js_core_lock (task->core);
  old_name = _js_task_name_locked (task);
  if (name != NULL || old_name != NULL)
    _js_task_get_extra_locked (task)->name = g_strdup (name);
  _js_core_unlock (task->core);

  g_free (old_name);
}

/* Returns: (transfer none) (nullable): NULL until the task started. */
GCancellable *
_js_core_task_get_cancellable (JsTask *task)
{
  GCancellable *cancellable;

  _js_core_lock (task->core);
  cancellable = task->started ? task->cancellable : NULL;
  _js_core_unlock (task->core);

  return cancellable;
}

gboolean
_js_core_task_is_completed (JsTask *task)
{
  gboolean completed;

  _js_core_lock (task->core);
  completed = task->state >= JS_TASK_COMPLETED;
  _js_core_unlock (task->core);

  return completed;
}

gboolean
_js_core_task_had_error (JsTask *task)
{
  gboolean had_error;

  _js_core_lock (task->core);
  had_error = task->state >= JS_TASK_COMPLETED &&
              task->result.kind == JS_RESULT_ERROR;
  _js_core_unlock (task->core);

  return had_error;
}

/* Takes the pointer result of a completed task, once. Returns FALSE if
 * it was taken already. */
gboolean
_js_core_task_take_pointer (JsTask   *task,
                            gpointer *data)
{
  gboolean first;

  _js_core_lock (task->core);
  first = !task->result_taken;
  task->result_taken = TRUE;
  *data = first ? g_steal_pointer (&task->result.u.pointer.data) : NULL;
  _js_core_unlock (task->core);

  return first;
}
