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
  g_assert (core->release == NULL);

  g_assert (core->emit_finished_queue.length == 0);
  g_assert (core->emit_progress_queue.length == 0);
  g_assert (core->emit_started_queue.length == 0);
  g_assert (core->list_events == NULL || core->list_events->len == 0);
  g_assert (core->timers == NULL || g_hash_table_size (core->timers) == 0);

  g_clear_object (&core->spare_result);
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

/* Whether this thread may destroy user data of @core's tasks: the set's
 * home thread (see _js_core_new()), or, for a set without one, the thread
 * that runs its context now. */
gboolean
_js_core_is_home (JsCore *core)
{
  if (core->home != NULL)
    return core->home == g_thread_self ();

  return g_main_context_is_owner (core->context);
}

/* Releases @data (calls @destroy on it) in the set's home thread, whatever
 * thread lets go of it: the user data of a binding (a GJS closure) may be
 * released only there. At home, @flush does it once the lock is released;
 * elsewhere the set's source does, in its next dispatch, which a task's
 * completion arms anyway (the usual case: a thread task whose function
 * returned without returning a result); once the set is disposed, an idle
 * in its context. */
void
_js_core_release_locked (JsCore         *core,
                         JsFlush        *flush,
                         GDestroyNotify  destroy,
                         gpointer        data)
{
  JsFlushCall call = { destroy, data };

  JS_CORE_ASSERT_LOCKED (core);

  if (_js_core_is_home (core) || core->source == NULL)
    {
      _js_flush_add_release (flush, destroy, data);
      flush->release_in_context = !_js_core_is_home (core);
      return;
    }

  if (core->release == NULL)
    core->release = g_array_new (FALSE, FALSE, sizeof (JsFlushCall));
  g_array_append_val (core->release, call);
  _js_core_arm_locked (core, flush);
}

/* Drops the core's (or a runner's) reference to @task once the lock is
 * released. While a list model exists, in the set's home thread: the
 * model holds its tasks with toggle references, and GLib 2.74's
 * g_object_unref() reads an object's toggle references after the
 * decrement that leaves only them, holding no reference, so that unref
 * in another thread races with the model dropping the task for good (a
 * use-after-free the fuzzer found; tests/test-task-list.c
 * /threads-race). */
void
_js_core_unref_task_locked (JsCore  *core,
                            JsFlush *flush,
                            JsTask  *task)
{
  JS_CORE_ASSERT_LOCKED (core);

  if (G_LIKELY (core->n_lists == 0) || _js_core_is_home (core))
    _js_flush_add_unref (flush, task);
  else
    _js_core_release_locked (core, flush, g_object_unref, task);
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
