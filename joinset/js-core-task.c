/* js-core-task.c: what a JsTask asks of its core
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "js-i18n-private.h"
#include "js-join-error.h"
#include "js-core-private.h"

void
_js_core_task_return (JsTask   *task,
                      JsResult *result)
{
  JsCore *core = task->core;
  JsFlush flush = JS_FLUSH_INIT;
  gboolean twice = FALSE;

  g_mutex_lock (&core->mutex);

  if (task->returned)
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

  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);

  if (twice)
    g_critical ("A js_task_return_*() function was called twice on task %"
                G_GUINT64_FORMAT ": a task returns exactly once", task->id);

  _js_result_clear (result);
}

void
_js_core_task_dispose (JsTask *task)
{
  JsCore *core = task->core;
  JsFlush flush = JS_FLUSH_INIT;
  GDestroyNotify destroy;
  gpointer data;

  g_mutex_lock (&core->mutex);

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

  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);

  if (destroy != NULL)
    destroy (data);
}

void
_js_core_task_set_progress (JsTask *task,
                            double  fraction)
{
  JsCore *core = task->core;
  JsFlush flush = JS_FLUSH_INIT;
  JsTaskExtra *extra;

  g_mutex_lock (&core->mutex);
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
  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);
}
