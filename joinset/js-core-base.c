/* js-core-base.c: what every scheduler file shares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A core's last reference, and the read-only view of its counters and
 * policies. See js-core-private.h for the glossary and the lock rules.
 */

#include "config.h"

#include "js-core-private.h"

void
_js_core_unref (JsCore *core)
{
  if (!g_atomic_ref_count_dec (&core->ref_count))
    return;

  g_assert (core->source == NULL);
  g_assert (core->waiters.length == 0);
  g_assert (core->shutdowns.length == 0);
  g_assert (core->deliver.length == 0);
  g_assert (core->claims == NULL || g_hash_table_size (core->claims) == 0);

  g_assert (core->emit_finished_queue.length == 0);
  g_assert (core->emit_progress_queue.length == 0);
  g_assert (core->emit_started_queue.length == 0);
  g_assert (core->list_events == NULL || core->list_events->len == 0);
  g_assert (core->timers == NULL || g_hash_table_size (core->timers) == 0);

  g_clear_pointer (&core->timers, g_hash_table_unref);
  g_clear_pointer (&core->claims, g_hash_table_unref);
  g_clear_pointer (&core->list_events, g_array_unref);
  _js_id_table_clear (&core->tasks);
  g_weak_ref_clear (&core->set);
  g_main_context_unref (core->context);
  g_clear_pointer (&core->home, g_thread_unref);
  g_cond_clear (&core->cond);
  g_mutex_clear (&core->mutex);
  g_free (core);
}

/* The whole number of seconds in the environment variable @name, or
 * @fallback when it is unset or not a number: read once, into @cache (a
 * static gsize of the caller's, zero-initialized). */
guint
_js_core_get_env_seconds (gsize      *cache,
                          const char *name,
                          guint       fallback)
{
  if (g_once_init_enter (cache))
    {
      const char *env = g_getenv (name);
      guint64 seconds = fallback;

      if (env != NULL &&
          !g_ascii_string_to_unsigned (env, 10, 0, G_MAXUINT / 2, &seconds, NULL))
        seconds = fallback;
      g_once_init_leave (cache, seconds + 1);
    }

  return *cache - 1;
}

static guint64
get_counter_locked (JsCore        *core,
                    JsCoreCounter  counter)
{
  JS_CORE_ASSERT_LOCKED (core);

  switch (counter)
    {
    case JS_CORE_LENGTH:
      return core->length;
    case JS_CORE_N_QUEUED:
      return core->n_queued;
    case JS_CORE_N_RUNNING:
      return core->n_running;
    case JS_CORE_N_FINISHED:
      return core->n_finished;
    case JS_CORE_N_SPAWNED:
      return core->n_spawned;
    case JS_CORE_CLOSED:
      /* Spawns are refused while a shutdown waits, too. */
      return core->closed || core->shutdowns.length > 0;
    default:
      g_assert_not_reached ();
    }
}

guint64
_js_core_get_counter (JsCore        *core,
                      JsCoreCounter  counter)
{
  guint64 value;

  _js_core_lock (core);
  value = get_counter_locked (core, counter);
  _js_core_unlock (core);

  return value;
}

/* n-finished / n-spawned, both read at once. */
double
_js_core_get_progress (JsCore *core)
{
  guint64 finished, spawned;

  _js_core_lock (core);
  finished = core->n_finished;
  spawned = core->n_spawned;
  _js_core_unlock (core);

  return spawned > 0 ? (double) finished / spawned : 0.0;
}

guint
_js_core_get_policy (JsCore       *core,
                     JsCorePolicy  policy)
{
  guint value = 0;

  _js_core_lock (core);
  switch (policy)
    {
    case JS_CORE_MAX_CONCURRENT:
      value = core->max_concurrent;
      break;
    case JS_CORE_ABORT_ON_ERROR:
      value = core->abort_on_error;
      break;
    case JS_CORE_ABORT_ON_SUCCESS:
      value = core->abort_on_success;
      break;
    case JS_CORE_ORDERED:
      value = core->ordered;
      break;
    case JS_CORE_DISCARD_RESULTS:
      value = core->discard_results;
      break;
    case JS_CORE_TIMEOUT:
      value = core->timeout_ms;
      break;
    default:
      g_assert_not_reached ();
    }
  _js_core_unlock (core);

  return value;
}
