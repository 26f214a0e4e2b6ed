/* js-core.c: a core's life, and the settings of its set
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Creation (with the set's source), dispose (when the JsJoinSet goes: every
 * task is aborted or dropped, pending joins complete), the parent
 * cancellable, and the policies. The last reference is dropped in
 * js-core-base.c.
 */

#include "config.h"

#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "js-core-private.h"

/* Whether this is the process's main thread, which runs the global
 * default context by convention. */
static gboolean
is_main_thread (void)
{
#ifdef __linux__
  return syscall (SYS_gettid) == getpid ();
#else
  return TRUE;
#endif
}

/* The thread that runs @context, as far as the creator of a set can tell:
 * itself, when @context is the thread-default context it pushed, or when
 * it is the main thread and @context the global default. A set created in
 * a worker for the global default context has no home: whichever thread
 * owns the context runs it. */
static GThread *
home_of (GMainContext *context)
{
  if (g_main_context_get_thread_default () == context ||
      (context == g_main_context_default () && is_main_thread ()))
    return g_thread_ref (g_thread_self ());

  return NULL;
}

/* @set: the JsJoinSet, weakly referenced; @observer: (nullable): what it
 * is told, in its context. */
JsCore *
_js_core_new (GObject              *set,
              const JsCoreObserver *observer)
{
  JsCore *core = g_new0 (JsCore, 1);

  g_atomic_ref_count_init (&core->ref_count);
  g_mutex_init (&core->mutex);
  g_cond_init (&core->cond);
  core->arm_time = -1;
  core->order_next = 1;
  g_weak_ref_init (&core->set, set);
  core->observer = observer;
  core->pool_client.funcs = &_js_runner_pool_client_funcs;
  core->pool_ops = &_js_pool_ops;
  core->context = g_main_context_ref_thread_default ();
  core->home = home_of (core->context);
  core->soft_cap = _js_pool_get_soft_cap ();
  _js_id_table_init (&core->tasks);
  core->source = _js_core_source_new (core);

  return core;
}

/* Changes no list model will see: the references they hold go after the
 * lock. */
static void
drop_list_events_locked (JsCore  *core,
                         JsFlush *flush)
{
  JS_CORE_ASSERT_LOCKED (core);

  if (core->list_events == NULL)
    return;

  for (guint i = 0; i < core->list_events->len; i++)
    {
      JsCoreListEvent *event = &g_array_index (core->list_events, JsCoreListEvent, i);

      if (event->task != NULL)
        _js_core_unref_task_locked (core, flush, event->task);
    }
  g_array_set_size (core->list_events, 0);
}

/* Signals nobody can receive any more. */
static void
drop_signals_locked (JsCore  *core,
                     JsFlush *flush)
{
  JsTask *task;

  JS_CORE_ASSERT_LOCKED (core);

  drop_list_events_locked (core, flush);
  while ((task = g_queue_pop_head (&core->emit_started_queue)) != NULL)
    _js_core_unref_task_locked (core, flush, task);

  while ((task = g_queue_pop_head (&core->emit_finished_queue)) != NULL)
    _js_core_unref_task_locked (core, flush, task);
  while ((task = g_queue_pop_head (&core->emit_progress_queue)) != NULL)
    {
      task->extra->progress_pending = FALSE;
      _js_core_unref_task_locked (core, flush, task);
    }
}

/* The JsJoinSet is disposed: unfinished tasks are aborted (queued ones
 * never run), results nobody joined are freed, and the source goes. */
void
_js_core_dispose (JsCore *core)
{
  JsFlush flush = JS_FLUSH_INIT;
  GSource *source;

  _js_core_lock (core);

  /* GObject may run dispose again, if it was resurrected. */
  if (core->disposed)
    {
      _js_core_unlock (core);
      return;
    }

  core->closed = TRUE;
  core->disposed = TRUE;

  _js_completion_drop_all_locked (core, &flush);
  drop_signals_locked (core, &flush);

  source = g_steal_pointer (&core->source);
  /* User data let go off the home thread that the source did not get to
   * destroy: now, or from an idle in the context. */
  if (core->release != NULL)
    {
      _js_flush_add_releases (&flush, g_steal_pointer (&core->release));
      flush.release_in_context = !_js_core_is_home (core);
    }
  if (core->stuck_timer != NULL)
    _js_flush_add_source (&flush, g_steal_pointer (&core->stuck_timer));

  /* Joins still pending (only after g_object_run_dispose(): a pending
   * join holds the set) find an empty set. With the source gone, they
   * and the joins it had yet to deliver complete through their GTask, or
   * an idle in the set's context. */
  _js_waiter_serve_locked (core, &flush);
  _js_waiter_fail_claims_locked (core, &flush);
  _js_waiter_deliver_later_locked (core, &flush);

  _js_core_unlock_and_flush (core, &flush);

  g_source_destroy (source);
  g_source_unref (source);
}

/* The parent cancellable was cancelled: the set closes and aborts every
 * task. */
void
_js_core_parent_cancelled (GCancellable *cancellable,
                           JsCore       *core)
{
  JsFlush flush = JS_FLUSH_INIT;

  _js_core_lock (core);
  core->closed = TRUE;
  _js_completion_abort_all_locked (core, &flush);
  _js_core_unlock_and_flush (core, &flush);
}

/* js_join_set_close(): later spawns are refused; the tasks of the set go
 * on. */
void
_js_core_close (JsCore *core)
{
  _js_core_lock (core);
  core->closed = TRUE;
  _js_core_unlock (core);
}

/* Sets @policy to @value (a boolean for the flags). Returns whether it
 * changed. */
gboolean
_js_core_set_policy (JsCore       *core,
                     JsCorePolicy  policy,
                     guint         value)
{
  JsFlush flush = JS_FLUSH_INIT;
  gboolean changed = FALSE;

  _js_core_lock (core);
  switch (policy)
    {
    case JS_CORE_MAX_CONCURRENT:
      changed = _js_run_queue_set_max_concurrent_locked (core, value, &flush);
      break;
    case JS_CORE_ORDERED:
      changed = _js_waiter_set_ordered_locked (core, value, &flush);
      break;
    case JS_CORE_ABORT_ON_ERROR:
      changed = core->abort_on_error != !!value;
      core->abort_on_error = !!value;
      break;
    case JS_CORE_ABORT_ON_SUCCESS:
      changed = core->abort_on_success != !!value;
      core->abort_on_success = !!value;
      break;
    case JS_CORE_DISCARD_RESULTS:
      changed = core->discard_results != !!value;
      core->discard_results = !!value;
      break;
    case JS_CORE_TIMEOUT:
      changed = core->timeout_ms != value;
      core->timeout_ms = value;
      break;
    default:
      g_assert_not_reached ();
    }
  _js_core_unlock_and_flush (core, &flush);

  return changed;
}

/* A reference to the running @task, unless it may be in its dispose at
 * this moment. The set holds no reference to a running task (see
 * _js_completion_complete_locked()): when its producer holds the only
 * one, it may be dropping it in another thread right now, and a reference
 * taken from here would resurrect it. With two or more, nobody is in its
 * dispose: that starts with one reference, held by the thread disposing,
 * and only the set (whose lock the caller holds) takes references to
 * running tasks without owning one. So: one more, only from two or more. */
static gboolean
try_ref_running (JsTask *task)
{
  gint *ref_count = (gint *) &G_OBJECT (task)->ref_count;
  gint old = g_atomic_int_get (ref_count);

  while (old >= 2)
    {
      if (g_atomic_int_compare_and_exchange (ref_count, old, old + 1))
        return TRUE;
      old = g_atomic_int_get (ref_count);
    }

  return FALSE;
}

/* A list model is made (js-task-list.c): from now on the core records the
 * changes it needs, delivered through JsCoreObserver.list_changed. Returns
 * the tasks of the set now, in spawn order, each with a reference for the
 * model; changes recorded before are dropped, as it starts from these.
 * A running task that the set cannot reference (see try_ref_running())
 * is left out: it enters the model when it finishes. */
GPtrArray *
_js_core_list_start (JsCore *core)
{
  JsFlush flush = JS_FLUSH_INIT;
  GPtrArray *tasks = g_ptr_array_new ();
  guint64 id;

  _js_core_lock (core);
  core->n_lists++;
  drop_list_events_locked (core, &flush);

  for (id = _js_id_table_first (&core->tasks); id != 0 && id <= core->next_id; id++)
    {
      JsTask *task = _js_id_table_lookup (&core->tasks, id);

      if (task == NULL)
        continue;

      task->in_list = task->state != JS_TASK_RUNNING || try_ref_running (task);
      if (!task->in_list)
        continue;
      if (task->state != JS_TASK_RUNNING)
        g_object_ref (task);
      g_ptr_array_add (tasks, task);
    }

  _js_core_unlock_and_flush (core, &flush);

  return tasks;
}

/* A list model is gone: with no other, the core records nothing more. */
void
_js_core_list_stop (JsCore *core)
{
  JsFlush flush = JS_FLUSH_INIT;

  _js_core_lock (core);
  g_assert (core->n_lists > 0);
  if (--core->n_lists == 0)
    drop_list_events_locked (core, &flush);
  _js_core_unlock_and_flush (core, &flush);
}
