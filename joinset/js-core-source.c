/* js-core-source.c: the set's GSource
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One source per set, attached to the set's context and armed (see
 * _js_core_arm_at_locked()) when there is something to do there. A
 * dispatch, in this order: emits task-progress and task-finished through
 * the observer, delivers the served light joins and the GTask joins of
 * that context, runs the main-context tasks that were ready, and reports
 * the counters that changed. Task-started goes first, and the changes for
 * the list model (one batch per dispatch: one items-changed) after the
 * task signals.
 */

#include "config.h"

#include "js-core-private.h"

typedef struct
{
  GSource  source;
  JsCore  *core;
} JsCoreSource;

/* What a dispatch takes out of the core, in one lock. */
typedef struct
{
  GQueue  deliver;         /* JsWaiter */
  GQueue  progressed;      /* JsTask, owned */
  double *fractions;       /* of each task of progressed */
  GQueue  finished;        /* JsTask, owned */
  GQueue  started;         /* JsTask, owned */
  GArray *list_events;     /* JsCoreListEvent, or NULL */
  GArray *release;         /* JsFlushCall: user data to destroy, or NULL */
  guint   n_main;          /* main-context tasks ready */
} JsDispatch;

static void
take_dispatch_locked (JsCore     *core,
                      JsDispatch *d)
{
  GList *link;
  guint i = 0;

  JS_CORE_ASSERT_LOCKED (core);

  __atomic_store_n (&core->arm_time, -1, __ATOMIC_RELEASE);
  d->deliver = _js_waiter_take_deliver_locked (core);
  d->n_main = core->main_ready.length;
  d->release = g_steal_pointer (&core->release);

  d->progressed = core->emit_progress_queue;
  g_queue_init (&core->emit_progress_queue);
  d->fractions = d->progressed.length > 0 ? g_new (double, d->progressed.length) : NULL;
  for (link = d->progressed.head; link != NULL; link = link->next, i++)
    {
      JsTaskExtra *extra = ((JsTask *)link->data)->extra;

      extra->progress_pending = FALSE;
      d->fractions[i] = extra->progress;
    }

  d->finished = core->emit_finished_queue;
  g_queue_init (&core->emit_finished_queue);
  d->started = core->emit_started_queue;
  g_queue_init (&core->emit_started_queue);

  d->list_events = NULL;
  if (core->list_events != NULL && core->list_events->len > 0)
    d->list_events = g_steal_pointer (&core->list_events);
}

/* Emits task-progress and task-finished, in the set's context. */
static void
emit_task_signals (JsCore     *core,
                   JsDispatch *d)
{
  g_autoptr(GObject) set = g_weak_ref_get (&core->set);
  const JsCoreObserver *observer = set != NULL ? core->observer : NULL;
  JsTask *task;
  guint i = 0;

  while ((task = g_queue_pop_head (&d->started)) != NULL)
    {
      if (observer != NULL)
        observer->task_started (set, task);
      g_object_unref (task);
    }

  while ((task = g_queue_pop_head (&d->progressed)) != NULL)
    {
      if (observer != NULL)
        observer->task_progress (set, task, d->fractions[i]);
      i++;
      g_object_unref (task);
    }

  while ((task = g_queue_pop_head (&d->finished)) != NULL)
    {
      if (observer != NULL)
        observer->task_finished (set, task);
      g_object_unref (task);
    }
}

/* Which counters changed since they were last reported, recorded as
 * reported. */
static JsCoreChanges
take_changes_locked (JsCore *core)
{
  JsCoreChanges changes = 0;

  JS_CORE_ASSERT_LOCKED (core);

#define CHANGED(flag, field) \
  if (core->field != core->notified_##field) \
    changes |= flag; \
  core->notified_##field = core->field
  CHANGED (JS_CORE_CHANGED_LENGTH, length);
  CHANGED (JS_CORE_CHANGED_N_QUEUED, n_queued);
  CHANGED (JS_CORE_CHANGED_N_RUNNING, n_running);
  CHANGED (JS_CORE_CHANGED_N_FINISHED, n_finished);
  CHANGED (JS_CORE_CHANGED_N_SPAWNED, n_spawned);
#undef CHANGED

  return changes;
}

static void
report_changes (JsCore *core)
{
  JsCoreChanges changes;

  /* The values are taken last, after the tasks of this dispatch ran: a
   * handler reads the live value, and it must be the one recorded as
   * reported, or a later change back to it would go unnoticed. */
  _js_core_lock (core);
  changes = take_changes_locked (core);
  _js_core_unlock (core);

  if (changes != 0 && core->observer != NULL)
    {
      g_autoptr(GObject) set = g_weak_ref_get (&core->set);

      if (set != NULL)
        core->observer->changed (set, changes);
    }
}

/* Hands the list model its batch of changes; the task references it did
 * not take are dropped. */
static void
report_list_changes (JsCore *core,
                     GArray *events)
{
  g_autoptr(GObject) set = g_weak_ref_get (&core->set);

  if (set != NULL && core->observer != NULL)
    core->observer->list_changed (set, events);

  for (guint i = 0; i < events->len; i++)
    g_clear_object (&g_array_index (events, JsCoreListEvent, i).task);
  g_array_unref (events);
}

static void
core_dispatch (JsCore *core)
{
  JsDispatch d;

  _js_core_lock (core);
  take_dispatch_locked (core, &d);
  _js_core_unlock (core);

  /* Released off the home thread: see _js_core_release_locked(). */
  if (d.release != NULL)
    _js_flush_run_releases (d.release);

  if (d.progressed.length > 0 || d.finished.length > 0 || d.started.length > 0)
    emit_task_signals (core, &d);
  g_free (d.fractions);
  if (d.list_events != NULL)
    report_list_changes (core, d.list_events);

  _js_waiter_deliver_batch (core, &d.deliver);

  /* Only the tasks ready now: tasks they spawn run in a later iteration. */
  for (guint i = 0; i < d.n_main; i++)
    if (!_js_runner_run_main_task (core))
      break;

  report_changes (core);
}

static gboolean
core_source_prepare (GSource *source,
                     gint    *timeout)
{
  JsCore *core = ((JsCoreSource *)source)->core;
  gint64 time = __atomic_load_n (&core->arm_time, __ATOMIC_ACQUIRE);
  gint64 now;

  *timeout = -1;
  if (time < 0)
    return FALSE;

  now = time == 0 ? 0 : g_get_monotonic_time ();
  if (time <= now)
    {
      *timeout = 0;
      return TRUE;
    }

  *timeout = (gint) ((time - now + 999) / 1000);
  return FALSE;
}

static gboolean
core_source_check (GSource *source)
{
  JsCore *core = ((JsCoreSource *)source)->core;
  gint64 time = __atomic_load_n (&core->arm_time, __ATOMIC_ACQUIRE);

  return time == 0 || (time > 0 && time <= g_get_monotonic_time ());
}

static gboolean
core_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  core_dispatch (((JsCoreSource *)source)->core);
  return G_SOURCE_CONTINUE;
}

static void
core_source_finalize (GSource *source)
{
  g_clear_pointer (&((JsCoreSource *)source)->core, _js_core_unref);
}

static GSourceFuncs core_source_funcs = {
  .prepare = core_source_prepare,
  .check = core_source_check,
  .dispatch = core_source_dispatch,
  .finalize = core_source_finalize,
};

/* The source of @core, attached to its context; it holds a reference on
 * the core. */
GSource *
_js_core_source_new (JsCore *core)
{
  JsCoreSource *source;

  source = (JsCoreSource *)g_source_new (&core_source_funcs, sizeof *source);
  source->core = _js_core_ref (core);
  g_source_set_static_name ((GSource *)source, "[joinset] JsJoinSet");
  /* A task may run a nested loop on the set's context, for example by
   * calling js_join_set_join_next() on its own set. */
  g_source_set_can_recurse ((GSource *)source, TRUE);
  g_source_attach ((GSource *)source, core->context);

  return (GSource *)source;
}
