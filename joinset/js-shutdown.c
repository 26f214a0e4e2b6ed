/* js-shutdown.c: emptying a set and waiting until no task function runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A shutdown aborts every unfinished task, frees the results nobody
 * joined, and waits (as a JS_WAIT_SHUTDOWN waiter, completed by
 * js-waiter.c when no task holds a slot any more). While it waits, spawns
 * are refused (see _js_run_queue_spawn()); the set accepts them again
 * afterwards, unless it was closed. A shutdown still waiting after a
 * while warns, naming the tasks it waits for.
 */

#include "config.h"

#include "js-core-private.h"

/* How long a shutdown waits before it warns about the thread functions it
 * waits for; JS_SHUTDOWN_WARNING_SECONDS overrides it (0: never warn). */
#define JS_STUCK_WARNING_SECONDS 10

static guint
get_stuck_warning_seconds (void)
{
  static gsize cache = 0;

  return _js_core_get_env_seconds (&cache, "JS_SHUTDOWN_WARNING_SECONDS",
                                   JS_STUCK_WARNING_SECONDS);
}

/* Appends 'id ("name")' to @names, after a comma unless it is the first. */
static void
append_task_locked (JsCore  *core,
                    GString *names,
                    JsTask  *task,
                    guint    index)
{
  const char *name = _js_task_name_locked (task);

  JS_CORE_ASSERT_LOCKED (core);

  g_string_append_printf (names, "%s%" G_GUINT64_FORMAT, index > 0 ? ", " : "", task->id);
  if (name != NULL)
    g_string_append_printf (names, " (\"%s\")", name);
}

/* Names the tasks whose function still runs: lingering ones (aborted, the
 * function did not return), then those that returned a result and did not
 * leave their function. Returns how many it named. */
static guint
name_stuck_tasks_locked (JsCore  *core,
                         GString *names)
{
  guint n_named = 0;

  JS_CORE_ASSERT_LOCKED (core);

  for (JsLink *l = core->lingering.head; l != NULL; l = l->next)
    append_task_locked (core, names, JS_TASK_OF_LINK (l), n_named++);

  for (JsLink *l = core->completed.head; l != NULL; l = l->next)
    {
      JsTask *task = JS_TASK_OF_LINK (l);

      if (task->in_thread && task->holds_slot && !task->func_done)
        append_task_locked (core, names, task, n_named++);
    }

  return n_named;
}

static gboolean
stuck_timer_cb (gpointer data)
{
  JsCore *core = data;
  g_autoptr(GString) names = g_string_new (NULL);
  GSource *timer = NULL;
  guint n_named = 0;
  guint n_active = 0;

  _js_core_lock (core);
  if (core->stuck_timer == g_main_current_source ())
    {
      timer = g_steal_pointer (&core->stuck_timer);
      n_active = core->n_active;
      n_named = name_stuck_tasks_locked (core, names);
    }
  _js_core_unlock (core);

  if (timer == NULL)
    return G_SOURCE_REMOVE;

  if (n_active > 0)
    {
      if (n_active > n_named)
        g_string_append_printf (names, "%s%u other%s", n_named ? " and " : "",
                                n_active - n_named, n_active - n_named > 1 ? "s" : "");
      g_warning ("A JsJoinSet shutdown has waited %u s for %u task%s whose "
                 "function still runs: %s. A task function must return soon "
                 "after its cancellable is cancelled.",
                 get_stuck_warning_seconds (), n_active,
                 n_active > 1 ? "s" : "", names->str);
    }

  g_source_unref (timer);
  return G_SOURCE_REMOVE;
}

/* The warning timer of a shutdown, attached to the set's context, or
 * NULL if warnings are off. */
static GSource *
stuck_timer_new (JsCore *core)
{
  guint warn_after = get_stuck_warning_seconds ();
  GSource *timer;

  if (warn_after == 0)
    return NULL;

  timer = g_timeout_source_new_seconds (warn_after);
  g_source_set_static_name (timer, "[joinset] stuck shutdown warning");
  g_source_set_callback (timer, stuck_timer_cb, _js_core_ref (core),
                         (GDestroyNotify) _js_core_unref);
  g_source_attach (timer, core->context);

  return timer;
}

/* js_join_set_shutdown_async(). */
void
_js_shutdown_start (JsCore              *core,
                    GObject             *set,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data,
                    gpointer             source_tag)
{
  JsFlush flush = JS_FLUSH_INIT;
  JsWaiter *w;
  GSource *timer;

  w = _js_waiter_new_async (core, set, JS_WAIT_SHUTDOWN, FALSE, cancellable,
                            callback, user_data, source_tag);

  /* Attached before the lock (GMainContext locks are never taken under
   * it), kept only if the shutdown has to wait. */
  timer = stuck_timer_new (core);

  _js_core_lock (core);
  _js_completion_clear_locked (core, &flush);
  _js_waiter_wait_shutdown_locked (core, w, &flush);
  if (core->n_active > 0 && timer != NULL && core->stuck_timer == NULL &&
      core->source != NULL)
    core->stuck_timer = g_steal_pointer (&timer);
  _js_core_unlock_and_flush (core, &flush);

  if (timer != NULL)
    {
      g_source_destroy (timer);
      g_source_unref (timer);
    }
}
