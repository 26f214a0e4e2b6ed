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
next_thread_task_locked (JsCore     *core,
                         JsTask     *finished,
                         JsTaskFunc *func,
                         guint      *timeout_ms,
                         JsFlush    *flush)
{
  JsLink *link;

  JS_CORE_ASSERT_LOCKED (core);

  if (finished != NULL)
    {
      finished->func_done = TRUE;
      if (finished->lingering)
        {
          finished->lingering = FALSE;
          _js_list_unlink (&core->lingering, &finished->link);
        }
      core->n_busy--;
      _js_run_queue_release_slot_locked (core, finished, flush);
    }

  link = _js_list_pop_head (&core->thread_ready);
  if (link == NULL)
    {
      core->n_drainers--;
      return NULL;
    }

  *func = _js_run_queue_start_task_locked (core, JS_TASK_OF_LINK (link), flush);
  *timeout_ms = _js_task_timeout_ms (JS_TASK_OF_LINK (link));
  core->n_busy++;
  core->n_thread_started++;

  return JS_TASK_OF_LINK (link);
}

/* Runs thread tasks of the core until none is ready. */
static void
drain (JsPoolClient *client)
{
  JsCore *core = CORE_OF_CLIENT (client);
  JsTaskFunc func = NULL;
  JsTask *task = NULL;
  guint timeout_ms = 0;

  for (;;)
    {
      JsFlush flush = JS_FLUSH_INIT;
      JsTask *finished = task;

      _js_core_lock (core);
      task = next_thread_task_locked (core, finished, &func, &timeout_ms, &flush);

      /* The runner's reference: dropping it may abandon the task. In the
       * set's thread while a list model exists (see
       * _js_core_unref_task_locked()): a worker's unref raced with the
       * model letting go of the task. One window is left: a model made
       * after this, that takes the task, and whose set joins it and lets
       * it go, all before the flush runs. */
      if (finished != NULL && G_UNLIKELY (core->n_lists > 0))
        _js_core_unref_task_locked (core, &flush, g_steal_pointer (&finished));
      _js_core_unlock_and_flush (core, &flush);
      g_clear_object (&finished);

      if (task == NULL)
        break;

      if (timeout_ms > 0)
        _js_timeout_start (core, task, timeout_ms);
      func (task, task->user_data);
    }
}

/* How long thread tasks of a set may wait for a thread, with none of them
 * starting, before it warns; JS_STARVATION_WARNING_SECONDS overrides it
 * (0: never warn). */
#define JS_STARVATION_WARNING_SECONDS 2

static guint
get_starvation_warning_seconds (void)
{
  static gsize cache = 0;

  return _js_core_get_env_seconds (&cache, "JS_STARVATION_WARNING_SECONDS",
                                   JS_STARVATION_WARNING_SECONDS);
}

/* Whether the stall of a core has lasted long enough to warn about, once. */
static gboolean
stall_to_report_locked (JsCore *core,
                        gint64  now)
{
  guint seconds = get_starvation_warning_seconds ();

  JS_CORE_ASSERT_LOCKED (core);

  if (core->stalled_since == 0)
    core->stalled_since = now;

  if (seconds == 0 || core->stall_warned ||
      now - core->stalled_since < seconds * G_TIME_SPAN_SECOND)
    return FALSE;

  core->stall_warned = TRUE;
  return TRUE;
}

static void
warn_starved (JsCore *core,
              guint   n_ready,
              guint   n_drainers)
{
  g_autoptr(GObject) set = g_weak_ref_get (&core->set);

  if (_js_pool_is_exhausted ())
    g_warning ("JsJoinSet %p: %u thread task%s waited %u s for a worker "
               "thread: all %u threads of libjoinset's pool are busy in task "
               "functions (of this set or others) that do not return. Thread "
               "tasks must not block for long waiting for each other: use "
               "max-concurrent, or spawn() the tasks that wait.",
               set, n_ready, n_ready > 1 ? "s" : "", get_starvation_warning_seconds (),
               _js_pool_get_max_threads ());
  else
    g_warning ("JsJoinSet %p: %u thread task%s waited %u s while the %u "
               "threads of this set are blocked in task functions: a set runs "
               "at most %u thread tasks at once, so a task that waits for one "
               "queued behind it never returns. Use max-concurrent, or spawn() "
               "the tasks that wait.",
               set, n_ready, n_ready > 1 ? "s" : "", get_starvation_warning_seconds (),
               n_drainers, JS_POOL_MAX_DRAINERS);
}

/* How many drainers to add to a stalled core: as many again as it has
 * (so that a set of blocking tasks gets its threads in a few ticks, not
 * one per tick), no more than it has ready tasks, up to
 * JS_POOL_MAX_DRAINERS. */
static guint
drainers_to_add_locked (JsCore *core)
{
  guint add = MAX (core->n_drainers, 1);

  JS_CORE_ASSERT_LOCKED (core);

  add = MIN (add, core->thread_ready.length);
  return MIN (add, JS_POOL_MAX_DRAINERS - MIN (core->n_drainers, JS_POOL_MAX_DRAINERS));
}

/* Called by the watchdog every tick while the core is watched: when no
 * thread task started since the last tick, every drainer is stuck in a
 * task function, so more are pushed, up to JS_POOL_MAX_DRAINERS. A stall
 * that lasts is reported: at the cap, or when the shared pool has no
 * thread left, nothing else would tell. */
static gboolean
check_stalled (JsPoolClient *client)
{
  JsCore *core = CORE_OF_CLIENT (client);
  gboolean warn = FALSE, keep = TRUE;
  guint n_ready, n_drainers, add = 0;

  _js_core_lock (core);

  n_ready = core->thread_ready.length;
  n_drainers = core->n_drainers;
  if (n_ready == 0)
    {
      core->watched = FALSE;
      keep = FALSE;
    }
  else if (core->n_thread_started == core->watched_n_started)
    {
      add = drainers_to_add_locked (core);
      core->n_drainers += add;
      warn = stall_to_report_locked (core, g_get_monotonic_time ());
    }

  if (n_ready == 0 || core->n_thread_started != core->watched_n_started)
    {
      core->stalled_since = 0;
      core->stall_warned = FALSE;
    }
  core->watched_n_started = core->n_thread_started;

  _js_core_unlock (core);

  for (guint i = 0; i < add; i++)
    core->pool_ops->push_drainer (&core->pool_client);
  if (warn)
    warn_starved (core, n_ready, n_drainers);

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
  JsFlush flush = JS_FLUSH_INIT;
  JsTaskFunc func = NULL;
  JsTask *task = NULL;
  guint timeout_ms = 0;
  JsLink *link;

  _js_core_lock (core);
  link = _js_list_pop_head (&core->main_ready);
  if (link != NULL)
    {
      task = JS_TASK_OF_LINK (link);
      func = _js_run_queue_start_task_locked (core, task, &flush);
      timeout_ms = _js_task_timeout_ms (task);
    }
  _js_core_unlock_and_flush (core, &flush);

  if (task == NULL)
    return FALSE;

  if (timeout_ms > 0)
    _js_timeout_start (core, task, timeout_ms);
  func (task, task->user_data);

  /* The runner's reference: dropping it may abandon the task. */
  g_object_unref (task);

  return TRUE;
}
