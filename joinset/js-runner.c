/* js-runner.c: where task functions are called
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Thread tasks are run by drainers: pool work items that take the core's
 * ready thread tasks one after another (see js-pool.c for why). Tasks of
 * the set's context are run by the set's source, one dispatch at a time.
 * Either way the task leaves READY here, its timeout starts, and its
 * function is called with no lock held.
 */

#include "config.h"

#include "js-core-private.h"

/* The core that embeds @client (through void *: the offset keeps the
 * alignment, which a char * cast would hide from -Wcast-align). */
#define CORE_OF_CLIENT(client) \
  ((JsCore *) (void *) ((char *) (client) - G_STRUCT_OFFSET (JsCore, pool_client)))

/* A drainer's bookkeeping between two tasks: @finished (the task it ran,
 * or NULL) gives its slot back, and the next ready thread task, if any,
 * is started. Returns it, or NULL when the drainer exits. */
static JsTask *
next_thread_task_locked (JsCore      *core,
                         JsTask      *finished,
                         GCancellable *cancellable,
                         JsTaskFunc  *func,
                         JsFlush     *flush)
{
  GList *link;

  JS_CORE_ASSERT_LOCKED (core);

  if (finished != NULL)
    {
      finished->func_done = TRUE;
      if (finished->lingering)
        {
          finished->lingering = FALSE;
          g_queue_unlink (&core->lingering, &finished->link);
        }
      core->n_busy--;
      _js_run_queue_release_slot_locked (core, finished, flush);
    }

  link = g_queue_pop_head_link (&core->thread_ready);
  if (link == NULL)
    {
      core->n_drainers--;
      return NULL;
    }

  *func = _js_run_queue_start_task_locked (core, link->data, cancellable, flush);
  core->n_busy++;
  core->n_thread_started++;

  return link->data;
}

/* Runs thread tasks of the core until none is ready. */
static void
drain (JsPoolClient *client)
{
  JsCore *core = CORE_OF_CLIENT (client);
  JsTaskFunc func = NULL;
  JsTask *task = NULL;

  for (;;)
    {
      JsFlush flush = JS_FLUSH_INIT;
      GCancellable *cancellable = g_cancellable_new ();
      JsTask *finished = task;

      _js_core_lock (core);
      task = next_thread_task_locked (core, finished, cancellable, &func, &flush);
      if (task != NULL)
        cancellable = NULL;  /* the task's now */
      _js_core_unlock_and_flush (core, &flush);
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

/* Called by the watchdog every tick while the core is watched: when no
 * thread task started since the last tick, every drainer is stuck in a
 * task function, so one more is pushed. */
static gboolean
check_stalled (JsPoolClient *client)
{
  JsCore *core = CORE_OF_CLIENT (client);
  gboolean add = FALSE;
  gboolean keep = TRUE;

  _js_core_lock (core);

  if (core->thread_ready.length == 0)
    {
      core->watched = FALSE;
      keep = FALSE;
    }
  else if (core->n_thread_started == core->watched_n_started &&
           core->n_drainers < JS_POOL_MAX_DRAINERS)
    {
      core->n_drainers++;
      add = TRUE;
    }

  core->watched_n_started = core->n_thread_started;

  _js_core_unlock (core);

  if (add)
    core->pool_ops->push_drainer (&core->pool_client);

  return keep;
}

static void
client_ref (JsPoolClient *client)
{
  _js_core_ref (CORE_OF_CLIENT (client));
}

static void
client_unref (JsPoolClient *client)
{
  _js_core_unref (CORE_OF_CLIENT (client));
}

const JsPoolClientFuncs _js_runner_pool_client_funcs = {
  .drain = drain,
  .check_stalled = check_stalled,
  .ref = client_ref,
  .unref = client_unref,
};

/* Runs one task of main_ready. Called by the set's source. Returns FALSE
 * if there was none. */
gboolean
_js_runner_run_main_task (JsCore *core)
{
  GCancellable *cancellable = g_cancellable_new ();
  JsFlush flush = JS_FLUSH_INIT;
  JsTaskFunc func = NULL;
  JsTask *task = NULL;
  GList *link;

  _js_core_lock (core);
  link = g_queue_pop_head_link (&core->main_ready);
  if (link != NULL)
    {
      task = link->data;
      func = _js_run_queue_start_task_locked (core, task, g_steal_pointer (&cancellable), &flush);
    }
  _js_core_unlock_and_flush (core, &flush);

  if (task == NULL)
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
