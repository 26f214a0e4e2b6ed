/* js-timeout.c: the time limits of running tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A task's timeout starts when its function is called
 * (_js_timeout_start(), from js-runner.c) and fires in libjoinset's timer
 * thread, where it aborts the task with G_IO_ERROR_TIMED_OUT. Completing
 * the task first removes it (js-completion.c).
 */

#include "config.h"

#include "js-i18n-private.h"
#include "js-core-private.h"
#include "js-timer-private.h"

/* A running task's timeout, in the timer thread's context. */
typedef struct
{
  guint64  id;
  guint    timeout_ms;
  JsCore  *core;
} JsTimeout;

static void
timeout_free (gpointer data)
{
  JsTimeout *t = data;

  _js_core_unref (t->core);
  g_free (t);
}

static gboolean
timeout_cb (gpointer data)
{
  JsTimeout *t = data;
  JsCore *core = t->core;
  JsFlush flush = JS_FLUSH_INIT;
  JsTask *task;

  _js_core_lock (core);
  /* Completing the task removes its timer: if it is still there, the task
   * still runs (or was let go with detach_all()). */
  if (core->timers != NULL &&
      g_hash_table_lookup (core->timers, &t->id) == g_main_current_source ())
    {
      GSource *timer = NULL;

      g_hash_table_steal_extended (core->timers, &t->id, NULL, (gpointer *) &timer);
      _js_flush_add_source (&flush, timer);

      task = _js_id_table_lookup (&core->tasks, t->id);
      if (task != NULL && task->state == JS_TASK_RUNNING)
        {
          task->has_timer = FALSE;
          /* Tasks of the set's context are cancelled from that
           * context: this is the timer thread. */
          _js_completion_abort_with_error_locked (core, task,
                                                  g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                               /* Translators: %u is a
                                                                * number of milliseconds */
                                                               _("The task timed out after %u ms"),
                                                               t->timeout_ms),
                                                  TRUE, &flush);
        }
    }
  _js_core_unlock_and_flush (core, &flush);

  return G_SOURCE_REMOVE;
}

/* Starts the timeout of @task, which just started.
 *
 * The source is attached with the core's lock held, so that timeout_cb()
 * always finds it in core->timers: the one exception to "no GMainContext
 * lock under the core's", safe because the timer context is private and
 * its thread never holds its lock while taking a core's. The key is the
 * task's own id: _js_completion_complete_locked() removes the entry before the task can
 * be finalized. Called without the lock. */
void
_js_timeout_start (JsCore *core,
                   JsTask *task,
                   guint   timeout_ms)
{
  JsTimeout *t = g_new (JsTimeout, 1);
  GSource *timer = g_timeout_source_new (timeout_ms);

  t->id = task->id;
  t->timeout_ms = timeout_ms;
  t->core = _js_core_ref (core);
  g_source_set_static_name (timer, "[joinset] task timeout");
  g_source_set_callback (timer, timeout_cb, t, timeout_free);

  _js_core_lock (core);
  if (task->state == JS_TASK_RUNNING && !task->detached && core->source != NULL)
    {
      if (core->timers == NULL)
        core->timers = g_hash_table_new (g_int64_hash, g_int64_equal);
      g_source_attach (timer, _js_timer_get_context ());
      g_hash_table_insert (core->timers, &task->id, g_steal_pointer (&timer));
      task->has_timer = TRUE;
    }
  _js_core_unlock (core);

  /* It finished (or was let go) first. */
  g_clear_pointer (&timer, g_source_unref);
}
