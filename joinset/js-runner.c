/* js-runner.c: where task functions are called: drainers and the set's context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "js-i18n-private.h"
#include "js-join-error.h"
#include "js-core-private.h"

void
_js_runner_drain (JsCore *core)
{
  JsTask *task = NULL;
  JsTaskFunc func = NULL;

  for (;;)
    {
      JsFlush flush = JS_FLUSH_INIT;
      GCancellable *cancellable = g_cancellable_new ();
      JsTask *finished = task;
      GList *link;

      g_mutex_lock (&core->mutex);

      if (finished != NULL)
        {
          finished->func_done = TRUE;
          if (finished->lingering)
            {
              finished->lingering = FALSE;
              g_queue_unlink (&core->lingering, &finished->link);
            }
          core->n_busy--;
          _js_run_queue_release_slot_locked (core, finished, &flush);
        }

      link = g_queue_pop_head_link (&core->thread_ready);
      if (link != NULL)
        {
          task = link->data;
          func = _js_run_queue_start_task_locked (core, task, g_steal_pointer (&cancellable), &flush);
          core->n_busy++;
          core->n_thread_started++;
        }
      else
        {
          task = NULL;
          core->n_drainers--;
        }

      g_mutex_unlock (&core->mutex);

      _js_flush_run (core, &flush);
      g_clear_object (&cancellable);

      /* The runner's reference: dropping it may abandon the task. */
      g_clear_object (&finished);

      if (task == NULL)
        break;

      if (task->timeout_ms > 0)
        _js_timeout_start (core, task);
      func (task, task->cancellable, task->user_data);
    }
}

gboolean
_js_runner_check_stalled (JsCore *core)
{
  JsFlush flush = JS_FLUSH_INIT;
  gboolean keep = TRUE;

  g_mutex_lock (&core->mutex);

  if (core->thread_ready.length == 0)
    {
      core->watched = FALSE;
      keep = FALSE;
    }
  else if (core->n_thread_started == core->watched_n_started &&
           core->n_drainers < JS_POOL_MAX_DRAINERS)
    {
      /* Every drainer is stuck in a task: add one. */
      core->n_drainers++;
      flush.n_drainers = 1;
    }

  core->watched_n_started = core->n_thread_started;

  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);

  return keep;
}

/* Runs one task of main_ready. Called by the set's source. */
gboolean
_js_runner_run_main_task (JsCore *core)
{
  GCancellable *cancellable = g_cancellable_new ();
  JsFlush flush = JS_FLUSH_INIT;
  JsTaskFunc func = NULL;
  JsTask *task;
  GList *link;

  g_mutex_lock (&core->mutex);
  link = g_queue_pop_head_link (&core->main_ready);
  if (link != NULL)
    {
      task = link->data;
      func = _js_run_queue_start_task_locked (core, task, g_steal_pointer (&cancellable), &flush);
    }
  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);

  if (link == NULL)
    {
      g_object_unref (cancellable);
      return FALSE;
    }

  if (task->timeout_ms > 0)
    _js_timeout_start (core, task);
  func (task, task->cancellable, task->user_data);

  /* The runner's reference: dropping it may abandon the task. */
  g_object_unref (task);

  return TRUE;
}
