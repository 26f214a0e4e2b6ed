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

/* The producer let go of @task: it is abandoned if it was running, and
 * the producer is done with user_data (unless @only_running and it was
 * not running). */
static void
abandon (JsTask   *task,
         gboolean  only_running)
{
  JsCore *core = task->core;
  JsFlush flush = JS_FLUSH_INIT;
  GDestroyNotify destroy = NULL;
  gpointer data = NULL;
  gboolean running;

  _js_core_lock (core);

  running = task->state == JS_TASK_RUNNING;
  if (running)
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

  /* The producer is done with user_data (unless @only_running and it was
   * not running): destroyed in the set's home thread, here and now if
   * this is it (the usual case, without the flush's array), else by the
   * set's source (see _js_core_release_locked()). */
  if ((running || !only_running) && task->user_data_destroy != NULL)
    {
      if (_js_core_is_home (core))
        {
          destroy = g_steal_pointer (&task->user_data_destroy);
          data = g_steal_pointer (&task->user_data);
        }
      else
        {
          _js_core_release_locked (core, &flush,
                                   g_steal_pointer (&task->user_data_destroy),
                                   g_steal_pointer (&task->user_data));
        }
    }

  _js_core_unlock_and_flush (core, &flush);

  if (destroy != NULL)
    destroy (data);
}

/* The last reference to @task was dropped (JsTask.dispose). */
void
_js_core_task_abandon (JsTask *task)
{
  abandon (task, FALSE);
}

/* The list model holds the last reference to @task (a toggle reference,
 * see js-task-list.c): if it runs, its producer let go of it without
 * returning, as if the last reference had been dropped. */
void
_js_core_task_let_go (JsTask *task)
{
  abandon (task, TRUE);
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

/* Returns: (transfer none): valid as long as the task (see set_name). */
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
  JsFlush flush = JS_FLUSH_INIT;
  JsTaskExtra *extra;

  _js_core_lock (task->core);
  if (name != NULL || _js_task_name_locked (task) != NULL)
    {
      /* The old name may have been handed out by get_name(): keep it. */
      extra = _js_task_get_extra_locked (task);
      if (extra->name != NULL)
        extra->old_names = g_slist_prepend (extra->old_names, extra->name);
      extra->name = g_strdup (name);
      _js_core_list_touch_locked (task->core, task, JS_CORE_LIST_NAME, &flush);
    }
  _js_core_unlock_and_flush (task->core, &flush);
}

/* The cancellable of a started task, created on first use: cancelled at
 * once if the task was aborted before, and by an abort afterwards.
 * Returns: (transfer none) (nullable): NULL until the task started. */
GCancellable *
_js_core_task_get_cancellable (JsTask *task)
{
  JsCore *core = task->core;
  GCancellable *cancellable, *made;
  gboolean started, was_cancelled, cancel_now = FALSE;

  _js_core_lock (core);
  started = task->started;
  cancellable = started ? task->cancellable : NULL;
  was_cancelled = (g_atomic_int_get (&task->cancel_state) & JS_TASK_ABORTED) != 0;
  _js_core_unlock (core);

  if (cancellable != NULL || !started)
    return cancellable;

  /* Made, and cancelled if need be, outside the lock: the core's lock is
   * never held around another object's. */
  made = g_cancellable_new ();
  if (was_cancelled)
    g_cancellable_cancel (made);

  _js_core_lock (core);
  if (task->cancellable == NULL)
    {
      task->cancellable = g_steal_pointer (&made);
      g_atomic_int_or (&task->cancel_state, JS_TASK_HAS_CANCELLABLE);
      /* Aborted in between: the abort saw no cancellable to cancel. */
      cancel_now = !was_cancelled &&
                   (g_atomic_int_get (&task->cancel_state) & JS_TASK_ABORTED) != 0;
    }
  cancellable = task->cancellable;
  _js_core_unlock (core);

  /* Another thread made it first. */
  g_clear_object (&made);
  if (cancel_now)
    g_cancellable_cancel (cancellable);

  return cancellable;
}

/* The cheap check: no cancellable is made, and no lock is taken. The
 * cancellable, once published, never changes: it may be read without the
 * lock, after the bit that says it is there. */
gboolean
_js_core_task_is_cancelled (JsTask *task)
{
  guint state = g_atomic_int_get (&task->cancel_state);

  if (state & JS_TASK_ABORTED)
    return TRUE;
  if (state & JS_TASK_HAS_CANCELLABLE)
    return g_cancellable_is_cancelled (task->cancellable);

  return FALSE;
}

JsTaskState
_js_core_task_get_state (JsTask *task)
{
  JsTaskStage stage;

  _js_core_lock (task->core);
  stage = task->state;
  _js_core_unlock (task->core);

  switch (stage)
    {
    case JS_TASK_QUEUED:
    case JS_TASK_READY:
      return JS_TASK_STATE_QUEUED;
    case JS_TASK_RUNNING:
      return JS_TASK_STATE_RUNNING;
    case JS_TASK_COMPLETED:
    case JS_TASK_JOINED:
    default:
      return JS_TASK_STATE_FINISHED;
    }
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

/* Whether a set that discards results freed @task when it finished. The
 * flag shares its word with others that workers write: read it locked. */
gboolean
_js_core_task_is_discarded (JsTask *task)
{
  gboolean discarded;

  _js_core_lock (task->core);
  discarded = task->discarded;
  _js_core_unlock (task->core);

  return discarded;
}

gboolean
_js_core_task_had_error (JsTask *task)
{
  gboolean had_error;

  _js_core_lock (task->core);
  had_error = task->state >= JS_TASK_COMPLETED &&
              task->result_kind == JS_RESULT_ERROR;
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
  *data = first ? g_steal_pointer (&task->result.pointer.data) : NULL;
  _js_core_unlock (task->core);

  return first;
}
