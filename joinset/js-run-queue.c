/* js-run-queue.c: concurrency slots, ready queues and drainers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "js-i18n-private.h"
#include "js-join-error.h"
#include "js-core-private.h"

/* Makes sure every ready thread task has a drainer on its way, up to the
 * soft cap; beyond it, the watchdog adds drainers when the busy ones make
 * no progress. Drainers busy in a task function do not count as free:
 * that function may block, for example on the task spawned after it. */
void
_js_run_queue_ensure_drainers_locked (JsCore  *core,
                        JsFlush *flush)
{
  guint ready = core->thread_ready.length;
  guint idle = core->n_drainers - core->n_busy;
  guint room = core->soft_cap > core->n_drainers ? core->soft_cap - core->n_drainers : 0;
  guint add = ready > idle ? MIN (ready - idle, room) : 0;

  if (add > 0)
    {
      flush->n_drainers += add;
      core->n_drainers += add;
      idle += add;
    }

  if (ready > idle && !core->watched)
    {
      core->watched = TRUE;
      core->watched_n_started = core->n_thread_started;
      flush->watch = TRUE;
    }
}

void
_js_run_queue_make_ready_locked (JsCore  *core,
                   JsTask  *task,
                   JsFlush *flush)
{
  task->state = JS_TASK_READY;
  task->holds_slot = TRUE;
  core->n_active++;

  if (task->in_thread)
    {
      g_queue_push_tail_link (&core->thread_ready, &task->link);
    }
  else
    {
      g_queue_push_tail_link (&core->main_ready, &task->link);
      _js_core_arm_locked (core, flush);
    }
}

gboolean
_js_run_queue_has_free_slot_locked (JsCore *core)
{
  return core->max_concurrent == 0 || core->n_active < core->max_concurrent;
}

/* Starts queued tasks, in FIFO order, while there are free slots. */
void
_js_run_queue_schedule_locked (JsCore  *core,
                 JsFlush *flush)
{
  GList *link;

  while ((link = core->queue.head) != NULL && _js_run_queue_has_free_slot_locked (core))
    {
      g_queue_unlink (&core->queue, link);
      _js_run_queue_make_ready_locked (core, link->data, flush);
    }

  _js_run_queue_ensure_drainers_locked (core, flush);
}

void
_js_run_queue_release_slot_locked (JsCore  *core,
                     JsTask  *task,
                     JsFlush *flush)
{
  if (!task->holds_slot)
    return;

  task->holds_slot = FALSE;
  core->n_active--;

  _js_run_queue_schedule_locked (core, flush);

  if (core->n_active == 0)
    _js_waiter_complete_shutdowns_locked (core, flush);
}

/* Marks @task as started: its function, returned, is about to be
 * called. */
JsTaskFunc
_js_run_queue_start_task_locked (JsCore       *core,
                   JsTask       *task,
                   GCancellable *cancellable,
                   JsFlush      *flush)
{
  JsTaskFunc func = task->func;

  task->state = JS_TASK_RUNNING;
  task->cancellable = cancellable;
  task->started = TRUE;
  if (!task->detached)
    g_queue_push_tail_link (&core->running, &task->link);
  core->n_queued--;
  core->n_running++;
  _js_core_arm_later_locked (core, flush);

  return func;
}
