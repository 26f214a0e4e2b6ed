/* js-run-queue.c: spawning, concurrency slots and ready queues
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A spawned task waits in core->queue until a slot is free, then in
 * core->thread_ready (for a drainer) or core->main_ready (for the set's
 * source) until js-runner.c starts it. This file decides when tasks move
 * on and how many drainers the core wants; it calls no task function.
 */

#include "config.h"

#include "js-core-private.h"

/* These two run from a JsFlush, maybe after user code that dropped the
 * last reference to the set: each holds a core reference of its own,
 * taken when it was recorded. */
static void
push_drainer_cb (gpointer data)
{
  JsCore *core = data;

  core->pool_ops->push_drainer (&core->pool_client);
  _js_core_unref (core);
}

static void
watch_cb (gpointer data)
{
  JsCore *core = data;

  core->pool_ops->watch (&core->pool_client);
  _js_core_unref (core);
}

/* How many drainers the core starts at once: one per processor, or as
 * many as max-concurrent lets run when it says more (the user asked for
 * that much concurrency: blocking tasks start without waiting for the
 * watchdog), up to JS_POOL_MAX_DRAINERS. */
static inline guint
drainer_cap_locked (JsCore *core)
{
  JS_CORE_ASSERT_LOCKED (core);

  if (core->max_concurrent > core->soft_cap)
    return MIN (core->max_concurrent, JS_POOL_MAX_DRAINERS);

  return core->soft_cap;
}

/* Makes sure every ready thread task has a drainer on its way, up to the
 * cap above; beyond it, the watchdog adds drainers when the busy ones make
 * no progress. Busy drainers do not count as free: their task function
 * may block, for example on the task spawned after it. */
static void
ensure_drainers_locked (JsCore  *core,
                        JsFlush *flush)
{
  guint ready = core->thread_ready.length;
  guint idle = core->n_drainers - core->n_busy;
  guint cap = drainer_cap_locked (core);
  guint room = cap > core->n_drainers ? cap - core->n_drainers : 0;
  guint add = ready > idle ? MIN (ready - idle, room) : 0;

  JS_CORE_ASSERT_LOCKED (core);

  for (guint i = 0; i < add; i++)
    _js_flush_add_call (flush, push_drainer_cb, _js_core_ref (core));
  core->n_drainers += add;
  idle += add;

  if (ready > idle && !core->watched)
    {
      core->watched = TRUE;
      core->watched_n_started = core->n_thread_started;
      _js_flush_add_call (flush, watch_cb, _js_core_ref (core));
    }
}

static void
make_ready_locked (JsCore  *core,
                   JsTask  *task,
                   JsFlush *flush)
{
  JS_CORE_ASSERT_LOCKED (core);

  task->state = JS_TASK_READY;
  task->holds_slot = TRUE;
  core->n_active++;

  if (task->in_thread)
    {
      _js_list_push_tail (&core->thread_ready, &task->link);
    }
  else
    {
      _js_list_push_tail (&core->main_ready, &task->link);
      _js_core_arm_locked (core, flush);
    }
}

static inline gboolean
has_free_slot_locked (JsCore *core)
{
  JS_CORE_ASSERT_LOCKED (core);

  return core->max_concurrent == 0 || core->n_active < core->max_concurrent;
}

/* Starts queued tasks, in FIFO order, while there are free slots. */
void
_js_run_queue_schedule_locked (JsCore  *core,
                               JsFlush *flush)
{
  JsLink *link;

  JS_CORE_ASSERT_LOCKED (core);

  while ((link = core->queue.head) != NULL && has_free_slot_locked (core))
    {
      _js_list_unlink (&core->queue, link);
      make_ready_locked (core, JS_TASK_OF_LINK (link), flush);
    }

  ensure_drainers_locked (core, flush);
}

/* Adds @task (transfer full), new from _js_task_new(), to the set.
 * @timeout_ms: -1 for the set's timeout. Returns its id, or 0 if the set
 * is closed or a shutdown waits: the task is then dropped, destroying its
 * user_data. */
guint64
_js_run_queue_spawn (JsCore *core,
                     JsTask *task,
                     gint64  timeout_ms)
{
  JsFlush flush = JS_FLUSH_INIT;
  guint64 id = 0;

  _js_core_lock (core);

  if (timeout_ms < 0)
    timeout_ms = core->timeout_ms;
  if (timeout_ms > 0)
    _js_task_get_extra_locked (task)->timeout_ms = (guint) timeout_ms;

  if (core->closed || core->shutdowns.length > 0)
    {
      /* Never spawned: dropping it destroys user_data. */
      task->state = JS_TASK_JOINED;
      _js_core_unref_task_locked (core, &flush, task);
    }
  else
    {
      id = task->id = ++core->next_id;
      _js_id_table_insert (&core->tasks, task->id, task);
      core->length++;
      core->n_spawned++;
      core->n_queued++;
      _js_core_arm_locked (core, &flush);
      if (G_UNLIKELY (core->n_lists > 0))
        _js_core_list_record_locked (core, JS_CORE_LIST_ADD, task, id, &flush);

      if (core->queue.length == 0 && has_free_slot_locked (core))
        {
          make_ready_locked (core, task, &flush);
          if (task->in_thread)
            ensure_drainers_locked (core, &flush);
        }
      else
        {
          _js_list_push_tail (&core->queue, &task->link);
        }
    }

  _js_core_unlock_and_flush (core, &flush);

  return id;
}

/* Returns whether the limit changed. Raising it starts waiting tasks. */
gboolean
_js_run_queue_set_max_concurrent_locked (JsCore  *core,
                                         guint    max_concurrent,
                                         JsFlush *flush)
{
  gboolean changed = core->max_concurrent != max_concurrent;

  JS_CORE_ASSERT_LOCKED (core);

  core->max_concurrent = max_concurrent;
  _js_run_queue_schedule_locked (core, flush);

  return changed;
}

/* @task gives its slot back: the next queued task may start, and a
 * shutdown waiting for the set to be idle may complete. */
void
_js_run_queue_release_slot_locked (JsCore  *core,
                                   JsTask  *task,
                                   JsFlush *flush)
{
  JS_CORE_ASSERT_LOCKED (core);

  if (!task->holds_slot)
    return;

  task->holds_slot = FALSE;
  core->n_active--;

  _js_run_queue_schedule_locked (core, flush);

  if (core->n_active == 0)
    _js_waiter_complete_shutdowns_locked (core, flush);
}

/* Marks @task as started: its function, returned, is about to be called.
 * It has no cancellable until js_task_get_cancellable() makes one. */
JsTaskFunc
_js_run_queue_start_task_locked (JsCore  *core,
                                 JsTask  *task,
                                 JsFlush *flush)
{
  JsTaskFunc func = task->func;

  JS_CORE_ASSERT_LOCKED (core);

  task->state = JS_TASK_RUNNING;
  task->cancellable = NULL;
  task->started = TRUE;
  if (!task->detached)
    _js_list_push_tail (&core->running, &task->link);
  core->n_queued--;
  core->n_running++;
  _js_core_arm_later_locked (core, flush);
  _js_core_list_touch_locked (core, task, JS_CORE_LIST_STATE, flush);

  /* The runner holds the queue's reference until the function returns. */
  if (task->emit_started)
    {
      g_queue_push_tail (&core->emit_started_queue, g_object_ref (task));
      _js_core_arm_locked (core, flush);
    }

  return func;
}
