/* js-join-set.c: a structured group of tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * JsJoinSet:
 *
 * A group of related tasks: spawn any number of them, take each result as
 * it finishes, abort one or all, and know that when the set is dropped
 * nothing it started is left running unowned.
 *
 * `JsJoinSet` brings Tokio's `JoinSet` to GLib. Tasks come in two kinds,
 * with one signature, [callback@Js.TaskFunc]:
 *
 * - [method@Js.JoinSet.spawn] runs the function in the set's
 *   [struct@GLib.MainContext] (the thread-default context when the set was
 *   created), never inside the spawn call itself. It may complete its
 *   [class@Js.Task] later, from the callback of an `_async` operation;
 * - [method@Js.JoinSet.spawn_in_thread] runs blocking work on a worker
 *   thread of a thread pool shared by every set.
 *
 * Finished tasks are joined in completion order, not spawn order, with
 * [method@Js.JoinSet.join_next_async], [method@Js.JoinSet.join_next],
 * [method@Js.JoinSet.try_join_next] or [method@Js.JoinSet.join_all_async].
 * Each task keeps the id [method@Js.JoinSet.spawn] returned, so results can
 * be mapped back to their inputs.
 *
 * ```c
 * static void
 * square (JsTask *task, GCancellable *cancellable, gpointer user_data)
 * {
 *   gssize n = GPOINTER_TO_SIZE (user_data);
 *
 *   js_task_return_int (task, n * n);
 * }
 *
 * static gssize
 * sum_of_squares (void)
 * {
 *   g_autoptr(JsJoinSet) set = js_join_set_new ();
 *   g_autoptr(GError) error = NULL;
 *   JsTask *task;
 *   gssize total = 0;
 *
 *   for (gsize n = 1; n <= 3; n++)
 *     js_join_set_spawn_in_thread (set, square, GSIZE_TO_POINTER (n), NULL);
 *
 *   while ((task = js_join_set_join_next (set, NULL, &error)))
 *     {
 *       total += js_task_propagate_int (task, &error);
 *       g_object_unref (task);
 *       g_assert_no_error (error);
 *     }
 *
 *   return total; // 14
 * }
 * ```
 *
 * ## Aborting
 *
 * [method@Js.JoinSet.abort] and [method@Js.JoinSet.abort_all] abort tasks:
 * a task that has not started never runs (its `user_data` is destroyed at
 * once), and a running task's cancellable is cancelled. Either way the task
 * joins at once with `G_IO_ERROR_CANCELLED`; whatever a running function
 * returns afterwards is freed. Cancelling the set's parent
 * [property@Js.JoinSet:cancellable] aborts every task and closes the set,
 * and [method@Js.JoinSet.shutdown_async] does the same and waits until no
 * task function is running any more.
 *
 * Dropping the last reference to the set aborts every unfinished task,
 * never runs the queued ones, and frees every result nobody joined. Tasks
 * never keep their set alive (only pending joins do), so a
 * `g_autoptr(JsJoinSet)` leaving scope, or a binding's garbage collector,
 * really ends the group. Thread functions still running finish safely
 * afterwards: their results are freed. Running thread tasks are cancelled
 * during the dispose; running tasks of the set's context are cancelled
 * from that context, at `G_PRIORITY_HIGH` on its next iteration, so that
 * their [signal@Gio.Cancellable::cancelled] handlers run in the thread
 * they expect, even when the last reference is dropped in another thread
 * or by a garbage collector that cannot run them (GJS).
 *
 * ## Policies and progress
 *
 * - [property@Js.JoinSet:max-concurrent] limits how many tasks run at once;
 * - [property@Js.JoinSet:ordered] joins tasks in spawn order instead;
 * - [property@Js.JoinSet:abort-on-error] and
 *   [property@Js.JoinSet:abort-on-success] end the group on the first
 *   failure, or on the first success (a race);
 * - [property@Js.JoinSet:timeout], [method@Js.JoinSet.spawn_full] and
 *   [method@Js.JoinSet.join_all_timeout_async] bound the time of a task,
 *   and of a wait for all of them;
 * - [property@Js.JoinSet:discard-results] frees finished tasks at once, for
 *   long-lived groups of fire-and-forget work.
 *
 * For a user interface, [property@Js.JoinSet:n-queued],
 * [property@Js.JoinSet:n-running], [property@Js.JoinSet:n-finished] and
 * [property@Js.JoinSet:n-spawned] count the tasks,
 * [signal@Js.JoinSet::task-finished] reports each finished task, and
 * [signal@Js.JoinSet::task-progress] the progress a task reports with
 * [method@Js.Task.set_progress]. All of them are delivered in the set's
 * main context and coalesced, so that many fast tasks do not flood it.
 *
 * ## Threads
 *
 * Spawning, aborting and reading the length are safe from any thread.
 * Joins complete in the thread-default main context of their caller, as
 * GIO requires. [property@Js.JoinSet:length] and the counters are
 * notified in the set's own context, at most once per main-loop iteration;
 * the other properties are notified in the thread that sets them.
 *
 * Since: 1.0
 */

#include "config.h"

#include <string.h>

#include "js-i18n-private.h"
#include "js-id-table-private.h"
#include "js-join-error.h"
#include "js-join-result-private.h"
#include "js-core-private.h"


enum {
  PROP_0,
  PROP_ABORT_ON_ERROR,
  PROP_ABORT_ON_SUCCESS,
  PROP_CANCELLABLE,
  PROP_DISCARD_RESULTS,
  PROP_LENGTH,
  PROP_MAX_CONCURRENT,
  PROP_N_FINISHED,
  PROP_N_QUEUED,
  PROP_N_RUNNING,
  PROP_N_SPAWNED,
  PROP_ORDERED,
  PROP_PROGRESS,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  TASK_FINISHED,
  TASK_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JsJoinSet, js_join_set, G_TYPE_OBJECT)

/* Emits task-progress and task-finished, in the set's context. */
static void
emit_task_signals (JsCore *core,
                   GQueue *progressed,
                   double *fractions,
                   GQueue *finished)
{
  g_autoptr(JsJoinSet) self = g_weak_ref_get (&core->set);
  JsTask *task;
  guint i = 0;

  while ((task = g_queue_pop_head (progressed)) != NULL)
    {
      if (self != NULL)
        {
          g_object_notify_by_pspec (G_OBJECT (task), _js_task_get_progress_pspec ());
          g_signal_emit (self, signals[TASK_PROGRESS], 0, task, fractions[i]);
        }
      i++;
      g_object_unref (task);
    }

  while ((task = g_queue_pop_head (finished)) != NULL)
    {
      if (self != NULL)
        {
          gboolean handled = g_signal_has_handler_pending (self, signals[TASK_FINISHED], 0, FALSE);
          g_autoptr(GError) error = NULL;

          g_signal_emit (self, signals[TASK_FINISHED], 0, task);

          /* A discarding set does not lose failures silently. */
          if (!handled && task->discarded && _js_result_failed (&task->result))
            {
              g_autofree char *name = NULL;

              _js_core_lock (core);
              name = g_strdup (_js_task_name_locked (task));
              _js_core_unlock (core);

              g_warning ("Task %" G_GUINT64_FORMAT "%s%s%s of a JsJoinSet that "
                         "discards results failed: %s",
                         task->id, name ? " (\"" : "", name ? name : "",
                         name ? "\")" : "", task->result.u.error->message);
            }
        }
      g_object_unref (task);
    }
}

static void
core_dispatch (JsCore  *core,
               GSource *source)
{
  GQueue deliver, progressed, finished;
  g_autofree double *fractions = NULL;
  guint n_main;
  gboolean notify[N_PROPS] = { FALSE, };
  gboolean any_notify = FALSE;
  GList *link;

  g_mutex_lock (&core->mutex);
  __atomic_store_n (&core->arm_time, -1, __ATOMIC_RELEASE);
  deliver = _js_waiter_take_deliver_locked (core);
  n_main = core->main_ready.length;

  progressed = core->emit_progress_queue;
  g_queue_init (&core->emit_progress_queue);
  if (progressed.length > 0)
    fractions = g_new (double, progressed.length);
  link = progressed.head;
  for (guint i = 0; link != NULL; link = link->next, i++)
    {
      JsTaskExtra *extra = ((JsTask *)link->data)->extra;

      extra->progress_pending = FALSE;
      fractions[i] = extra->progress;
    }
  finished = core->emit_finished_queue;
  g_queue_init (&core->emit_finished_queue);

  g_mutex_unlock (&core->mutex);

  if (progressed.length > 0 || finished.length > 0)
    emit_task_signals (core, &progressed, fractions, &finished);

  /* Joins started by these callbacks and served at once are delivered
   * in the same dispatch, up to a bound that lets other sources run. */
  for (guint n = 0;;)
    {
      link = deliver.head;
      while (link != NULL)
        {
          GList *next = link->next;

          _js_waiter_deliver (link->data, TRUE);
          link = next;
          n++;
        }

      if (n >= JS_DELIVER_PER_DISPATCH)
        break;

      g_mutex_lock (&core->mutex);
      deliver = _js_waiter_take_deliver_locked (core);
      g_mutex_unlock (&core->mutex);

      if (deliver.length == 0)
        break;
    }

  /* Only the tasks ready now: tasks they spawn run in a later iteration. */
  for (guint i = 0; i < n_main; i++)
    if (!_js_runner_run_main_task (core))
      break;

  /* The values notified are taken last, after the tasks above ran: a
   * handler reads the live value, and it must be the one recorded as
   * notified, or a later change back to it would go unnotified. */
  g_mutex_lock (&core->mutex);
#define CHANGED(prop, field) \
  notify[prop] = core->field != core->notified_##field; \
  any_notify |= notify[prop]; \
  core->notified_##field = core->field
  CHANGED (PROP_LENGTH, length);
  CHANGED (PROP_N_QUEUED, n_queued);
  CHANGED (PROP_N_RUNNING, n_running);
  CHANGED (PROP_N_FINISHED, n_finished);
  CHANGED (PROP_N_SPAWNED, n_spawned);
#undef CHANGED
  notify[PROP_PROGRESS] = notify[PROP_N_FINISHED] || notify[PROP_N_SPAWNED];
  g_mutex_unlock (&core->mutex);

  if (any_notify)
    {
      g_autoptr(JsJoinSet) self = g_weak_ref_get (&core->set);

      if (self != NULL)
        {
          g_object_freeze_notify (G_OBJECT (self));
          for (guint i = 0; i < N_PROPS; i++)
            if (notify[i])
              g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
          g_object_thaw_notify (G_OBJECT (self));
        }
    }
}

typedef struct
{
  GSource  source;
  JsCore  *core;
} JsCoreSource;

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
  core_dispatch (((JsCoreSource *)source)->core, source);
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

static JsCore *
core_new (JsJoinSet *self)
{
  JsCore *core = g_new0 (JsCore, 1);
  JsCoreSource *source;

  g_atomic_ref_count_init (&core->ref_count);
  g_mutex_init (&core->mutex);
  g_cond_init (&core->cond);
  core->arm_time = -1;
  core->order_next = 1;
  g_weak_ref_init (&core->set, self);
  core->context = g_main_context_ref_thread_default ();
  core->soft_cap = _js_pool_get_soft_cap ();
  _js_id_table_init (&core->tasks);

  source = (JsCoreSource *)g_source_new (&core_source_funcs, sizeof *source);
  source->core = _js_core_ref (core);
  g_source_set_static_name ((GSource *)source, "[joinset] JsJoinSet");
  /* A task may run a nested loop on the set's context, for example by
   * calling js_join_set_join_next() on its own set. */
  g_source_set_can_recurse ((GSource *)source, TRUE);
  g_source_attach ((GSource *)source, core->context);
  core->source = (GSource *)source;

  return core;
}

/* ------------------------------------------------------------------------
 * JsJoinSet
 * ------------------------------------------------------------------------ */

static void
js_join_set_constructed (GObject *object)
{
  JsJoinSet *self = (JsJoinSet *)object;

  G_OBJECT_CLASS (js_join_set_parent_class)->constructed (object);

  if (self->cancellable != NULL)
    self->cancelled_id = g_cancellable_connect (self->cancellable,
                                                G_CALLBACK (_js_core_parent_cancelled),
                                                _js_core_ref (self->core),
                                                (GDestroyNotify) _js_core_unref);
}

static void
js_join_set_dispose (GObject *object)
{
  JsJoinSet *self = (JsJoinSet *)object;

  /* Disconnecting from inside the handler's own emission would deadlock;
   * once the parent is cancelled the handler has run or is running, and
   * its core reference is released with the cancellable. */
  if (self->cancelled_id != 0 && !g_cancellable_is_cancelled (self->cancellable))
    g_cancellable_disconnect (self->cancellable, self->cancelled_id);
  self->cancelled_id = 0;

  _js_core_dispose (self->core);

  G_OBJECT_CLASS (js_join_set_parent_class)->dispose (object);
}

static void
js_join_set_finalize (GObject *object)
{
  JsJoinSet *self = (JsJoinSet *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->core, _js_core_unref);

  G_OBJECT_CLASS (js_join_set_parent_class)->finalize (object);
}

static void
js_join_set_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  JsJoinSet *self = JS_JOIN_SET (object);

  switch (prop_id)
    {
    case PROP_ABORT_ON_ERROR:
      g_value_set_boolean (value, js_join_set_get_abort_on_error (self));
      break;

    case PROP_ABORT_ON_SUCCESS:
      g_value_set_boolean (value, js_join_set_get_abort_on_success (self));
      break;

    case PROP_CANCELLABLE:
      g_value_set_object (value, self->cancellable);
      break;

    case PROP_DISCARD_RESULTS:
      g_value_set_boolean (value, js_join_set_get_discard_results (self));
      break;

    case PROP_LENGTH:
      g_value_set_uint (value, js_join_set_get_length (self));
      break;

    case PROP_MAX_CONCURRENT:
      g_value_set_uint (value, js_join_set_get_max_concurrent (self));
      break;

    case PROP_N_FINISHED:
      g_value_set_uint64 (value, js_join_set_get_n_finished (self));
      break;

    case PROP_N_QUEUED:
      g_value_set_uint (value, js_join_set_get_n_queued (self));
      break;

    case PROP_N_RUNNING:
      g_value_set_uint (value, js_join_set_get_n_running (self));
      break;

    case PROP_N_SPAWNED:
      g_value_set_uint64 (value, js_join_set_get_n_spawned (self));
      break;

    case PROP_ORDERED:
      g_value_set_boolean (value, js_join_set_get_ordered (self));
      break;

    case PROP_PROGRESS:
      g_value_set_double (value, js_join_set_get_progress (self));
      break;

    case PROP_TIMEOUT:
      g_value_set_uint (value, js_join_set_get_timeout (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
js_join_set_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  JsJoinSet *self = JS_JOIN_SET (object);

  switch (prop_id)
    {
    case PROP_ABORT_ON_ERROR:
      js_join_set_set_abort_on_error (self, g_value_get_boolean (value));
      break;

    case PROP_ABORT_ON_SUCCESS:
      js_join_set_set_abort_on_success (self, g_value_get_boolean (value));
      break;

    case PROP_CANCELLABLE:
      self->cancellable = g_value_dup_object (value);
      break;

    case PROP_DISCARD_RESULTS:
      js_join_set_set_discard_results (self, g_value_get_boolean (value));
      break;

    case PROP_MAX_CONCURRENT:
      js_join_set_set_max_concurrent (self, g_value_get_uint (value));
      break;

    case PROP_ORDERED:
      js_join_set_set_ordered (self, g_value_get_boolean (value));
      break;

    case PROP_TIMEOUT:
      js_join_set_set_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
js_join_set_class_init (JsJoinSetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = js_join_set_constructed;
  object_class->dispose = js_join_set_dispose;
  object_class->finalize = js_join_set_finalize;
  object_class->get_property = js_join_set_get_property;
  object_class->set_property = js_join_set_set_property;

  /**
   * JsJoinSet:abort-on-error:
   *
   * Whether the first task that fails aborts every unfinished task.
   *
   * Any error counts except `G_IO_ERROR_CANCELLED`, so aborted tasks do
   * not abort the others. The failed task keeps its own error.
   *
   * Since: 1.0
   */
  properties[PROP_ABORT_ON_ERROR] =
    g_param_spec_boolean ("abort-on-error", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:cancellable:
   *
   * A parent cancellable: cancelling it aborts every task of the set and
   * closes it, so that later spawns return 0.
   *
   * Since: 1.0
   */
  properties[PROP_CANCELLABLE] =
    g_param_spec_object ("cancellable", NULL, NULL,
                         G_TYPE_CANCELLABLE,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:length:
   *
   * The number of tasks in the set: spawned and not joined yet, whether
   * they are queued, running or finished.
   *
   * It is notified in the set's main context, at most once per main-loop
   * iteration, when it changed since the last notification.
   *
   * Since: 1.0
   */
  properties[PROP_LENGTH] =
    g_param_spec_uint ("length", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:max-concurrent:
   *
   * How many task functions may run at once, or 0 for no limit.
   *
   * Tasks beyond the limit wait in spawn order. A thread task holds its
   * place until its function returns; a task in the main context until it
   * completes. Raising the limit starts waiting tasks at once.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_CONCURRENT] =
    g_param_spec_uint ("max-concurrent", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:abort-on-success:
   *
   * Whether the first task that succeeds aborts every unfinished task:
   * the "ask three mirrors, keep the fastest" race.
   *
   * Any task that does not complete with an error counts as a success.
   * The winner keeps its result; the others join as cancelled. The set
   * stays open.
   *
   * Since: 1.0
   */
  properties[PROP_ABORT_ON_SUCCESS] =
    g_param_spec_boolean ("abort-on-success", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:discard-results:
   *
   * Whether finished tasks are freed at once instead of waiting to be
   * joined, like Swift's discarding task groups: for a long-lived set of
   * fire-and-forget work, tied for example to a window, that must not grow
   * without bound.
   *
   * A discarding set has nothing to join: joins only wait for it to become
   * empty. [signal@Js.JoinSet::task-finished] still sees every task that
   * finishes (connect it before spawning), and a task that fails (with
   * any error but `G_IO_ERROR_CANCELLED`) while no handler is connected is
   * reported with a warning. Setting it does not discard the tasks that
   * already finished.
   *
   * Since: 1.0
   */
  properties[PROP_DISCARD_RESULTS] =
    g_param_spec_boolean ("discard-results", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:n-finished:
   *
   * How many tasks of the set have finished, with any outcome (aborted
   * ones included), joined or not, since the set was created.
   *
   * With [property@Js.JoinSet:n-spawned] it makes a progress bar. Like
   * every counter of the set, it is notified in the set's main context,
   * coalesced: at most once per main-loop iteration and about 60 times a
   * second, however many tasks finish.
   *
   * Since: 1.0
   */
  properties[PROP_N_FINISHED] =
    g_param_spec_uint64 ("n-finished", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:n-queued:
   *
   * How many tasks wait to start: for a concurrency slot (see
   * [property@Js.JoinSet:max-concurrent]), a worker thread, or an
   * iteration of the set's main context. Notified like
   * [property@Js.JoinSet:n-finished].
   *
   * Since: 1.0
   */
  properties[PROP_N_QUEUED] =
    g_param_spec_uint ("n-queued", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:n-running:
   *
   * How many tasks have started and not finished yet. Notified like
   * [property@Js.JoinSet:n-finished].
   *
   * Since: 1.0
   */
  properties[PROP_N_RUNNING] =
    g_param_spec_uint ("n-running", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:n-spawned:
   *
   * How many tasks were spawned on the set since it was created. Notified
   * like [property@Js.JoinSet:n-finished].
   *
   * Since: 1.0
   */
  properties[PROP_N_SPAWNED] =
    g_param_spec_uint64 ("n-spawned", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:ordered:
   *
   * Whether joins yield tasks in spawn order instead of completion order,
   * like tokio-util's `JoinQueue`.
   *
   * A slow task holds back the tasks spawned after it, but never stops
   * them from running: they finish and wait, in order, to be joined.
   * [method@Js.JoinSet.try_join_next] returns %NULL while the oldest task
   * runs, even if younger ones finished.
   *
   * Since: 1.0
   */
  properties[PROP_ORDERED] =
    g_param_spec_boolean ("ordered", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:progress:
   *
   * The fraction of the spawned tasks that finished:
   * [property@Js.JoinSet:n-finished] divided by
   * [property@Js.JoinSet:n-spawned], or 0.0 before the first spawn. Bind
   * it to a `GtkProgressBar`'s `fraction`:
   *
   * ```c
   * g_object_bind_property (set, "progress", bar, "fraction", G_BINDING_SYNC_CREATE);
   * ```
   *
   * Aborted tasks count as finished. It is notified with the counters, in
   * the set's main context and coalesced.
   *
   * Since: 1.0
   */
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL,
                         0.0, 1.0, 0.0,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * JsJoinSet:timeout:
   *
   * The time limit, in milliseconds, of each task spawned with
   * [method@Js.JoinSet.spawn] or [method@Js.JoinSet.spawn_in_thread], or
   * 0 for none. Changing it applies to the tasks spawned afterwards; see
   * [method@Js.JoinSet.spawn_full] for a limit per task.
   *
   * The clock starts when the task's function is called, not when it is
   * queued. A task that runs out of time is aborted, and joins with
   * `G_IO_ERROR_TIMED_OUT` (which [property@Js.JoinSet:abort-on-error]
   * counts as a failure).
   *
   * Since: 1.0
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JsJoinSet::task-finished:
   * @self: the set
   * @task: the task that finished
   *
   * Emitted in the set's main context for each task that finished, in
   * completion order: an alternative to a join loop, for example to
   * update a user interface.
   *
   * Unless [property@Js.JoinSet:discard-results] is set, the task stays in
   * the set, to be joined: leave its result to the join. In a set that
   * discards results, the handler is the only place that sees the result:
   * take it there with the `js_task_propagate_*()` functions.
   *
   * Only tasks spawned while a handler is connected emit it: connect
   * before spawning. Tasks detached with [method@Js.JoinSet.detach_all] do
   * not, and emissions still pending when the set is disposed are dropped
   * with it (the tasks are freed).
   *
   * Since: 1.0
   */
  signals[TASK_FINISHED] =
    g_signal_new ("task-finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, JS_TYPE_TASK);

  /**
   * JsJoinSet::task-progress:
   * @self: the set
   * @task: a running task
   * @fraction: its progress, from 0.0 to 1.0
   *
   * Emitted in the set's main context when a task reported progress with
   * [method@Js.Task.set_progress], coalesced: at most once per task per
   * main-loop iteration, with the last value, about 60 times a second at
   * most. [property@Js.Task:progress] is notified just before.
   *
   * Since: 1.0
   */
  signals[TASK_PROGRESS] =
    g_signal_new ("task-progress",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 2, JS_TYPE_TASK, G_TYPE_DOUBLE);
}

static void
js_join_set_init (JsJoinSet *self)
{
  self->core = core_new (self);
}

/**
 * js_join_set_new:
 *
 * Creates an empty set. Its tasks spawned with [method@Js.JoinSet.spawn]
 * run in the thread-default main context of the caller.
 *
 * Returns: (transfer full): a new `JsJoinSet`
 *
 * Since: 1.0
 */
JsJoinSet *
js_join_set_new (void)
{
  return g_object_new (JS_TYPE_JOIN_SET, NULL);
}

/**
 * js_join_set_new_with_cancellable:
 * @cancellable: (nullable): a parent cancellable
 *
 * Creates an empty set with a parent cancellable (see
 * [property@Js.JoinSet:cancellable]). Cancelling @cancellable aborts the
 * whole set.
 *
 * Returns: (transfer full): a new `JsJoinSet`
 *
 * Since: 1.0
 */
JsJoinSet *
js_join_set_new_with_cancellable (GCancellable *cancellable)
{
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  return g_object_new (JS_TYPE_JOIN_SET, "cancellable", cancellable, NULL);
}

/**
 * js_join_set_get_max_concurrent:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:max-concurrent].
 *
 * Returns: the concurrency limit, or 0 for none
 *
 * Since: 1.0
 */
guint
js_join_set_get_max_concurrent (JsJoinSet *self)
{
  guint max_concurrent;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  g_mutex_lock (&self->core->mutex);
  max_concurrent = self->core->max_concurrent;
  g_mutex_unlock (&self->core->mutex);

  return max_concurrent;
}

/**
 * js_join_set_set_max_concurrent:
 * @self: a set
 * @max_concurrent: how many task functions may run at once, or 0
 *
 * Sets [property@Js.JoinSet:max-concurrent]. Raising the limit starts
 * waiting tasks at once; lowering it lets running tasks finish.
 *
 * Since: 1.0
 */
void
js_join_set_set_max_concurrent (JsJoinSet *self,
                                guint      max_concurrent)
{
  JsCore *core;
  JsFlush flush = JS_FLUSH_INIT;
  gboolean changed;

  g_return_if_fail (JS_IS_JOIN_SET (self));

  core = self->core;

  g_mutex_lock (&core->mutex);
  changed = core->max_concurrent != max_concurrent;
  core->max_concurrent = max_concurrent;
  _js_run_queue_schedule_locked (core, &flush);
  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_CONCURRENT]);
}

/* The boolean policies: one getter and one setter for all. */
static gboolean
get_flag (JsJoinSet *self,
          guint      prop_id)
{
  JsCore *core = self->core;
  gboolean value = FALSE;

  g_mutex_lock (&core->mutex);
  switch (prop_id)
    {
    case PROP_ABORT_ON_ERROR:
      value = core->abort_on_error;
      break;
    case PROP_ABORT_ON_SUCCESS:
      value = core->abort_on_success;
      break;
    case PROP_DISCARD_RESULTS:
      value = core->discard_results;
      break;
    case PROP_ORDERED:
      value = core->ordered;
      break;
    default:
      g_assert_not_reached ();
    }
  g_mutex_unlock (&core->mutex);

  return value;
}

/* The smallest id of a task of the set, for ordered joins. */
static guint64
first_id_locked (JsCore *core)
{
  guint64 first = _js_id_table_first (&core->tasks);

  return first != 0 ? first : core->next_id + 1;
}

static void
set_flag (JsJoinSet *self,
          guint      prop_id,
          gboolean   value)
{
  JsCore *core = self->core;
  JsFlush flush = JS_FLUSH_INIT;
  gboolean changed;

  value = !!value;

  g_mutex_lock (&core->mutex);
  switch (prop_id)
    {
    case PROP_ABORT_ON_ERROR:
      changed = core->abort_on_error != (guint) value;
      core->abort_on_error = value;
      break;
    case PROP_ABORT_ON_SUCCESS:
      changed = core->abort_on_success != (guint) value;
      core->abort_on_success = value;
      break;
    case PROP_DISCARD_RESULTS:
      changed = core->discard_results != (guint) value;
      core->discard_results = value;
      break;
    case PROP_ORDERED:
      changed = core->ordered != (guint) value;
      core->ordered = value;
      if (changed && value)
        core->order_next = first_id_locked (core);
      /* Unordered, tasks that waited behind the oldest may be joined. */
      if (changed)
        _js_waiter_serve_locked (core, &flush);
      break;
    default:
      g_assert_not_reached ();
    }
  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

/**
 * js_join_set_get_abort_on_error:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:abort-on-error].
 *
 * Returns: whether the first failing task aborts the others
 *
 * Since: 1.0
 */
gboolean
js_join_set_get_abort_on_error (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), FALSE);

  return get_flag (self, PROP_ABORT_ON_ERROR);
}

/**
 * js_join_set_set_abort_on_error:
 * @self: a set
 * @abort_on_error: whether the first failing task aborts the others
 *
 * Sets [property@Js.JoinSet:abort-on-error].
 *
 * Since: 1.0
 */
void
js_join_set_set_abort_on_error (JsJoinSet *self,
                                gboolean   abort_on_error)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));

  set_flag (self, PROP_ABORT_ON_ERROR, abort_on_error);
}

/**
 * js_join_set_get_abort_on_success:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:abort-on-success].
 *
 * Returns: whether the first successful task aborts the others
 *
 * Since: 1.0
 */
gboolean
js_join_set_get_abort_on_success (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), FALSE);

  return get_flag (self, PROP_ABORT_ON_SUCCESS);
}

/**
 * js_join_set_set_abort_on_success:
 * @self: a set
 * @abort_on_success: whether the first successful task aborts the others
 *
 * Sets [property@Js.JoinSet:abort-on-success].
 *
 * Since: 1.0
 */
void
js_join_set_set_abort_on_success (JsJoinSet *self,
                                  gboolean   abort_on_success)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));

  set_flag (self, PROP_ABORT_ON_SUCCESS, abort_on_success);
}

/**
 * js_join_set_get_ordered:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:ordered].
 *
 * Returns: whether joins yield tasks in spawn order
 *
 * Since: 1.0
 */
gboolean
js_join_set_get_ordered (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), FALSE);

  return get_flag (self, PROP_ORDERED);
}

/**
 * js_join_set_set_ordered:
 * @self: a set
 * @ordered: whether joins yield tasks in spawn order
 *
 * Sets [property@Js.JoinSet:ordered]. Turned on in a set that holds tasks,
 * the next join waits for the oldest of them.
 *
 * Since: 1.0
 */
void
js_join_set_set_ordered (JsJoinSet *self,
                         gboolean   ordered)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));

  set_flag (self, PROP_ORDERED, ordered);
}

/**
 * js_join_set_get_discard_results:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:discard-results].
 *
 * Returns: whether finished tasks are freed at once
 *
 * Since: 1.0
 */
gboolean
js_join_set_get_discard_results (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), FALSE);

  return get_flag (self, PROP_DISCARD_RESULTS);
}

/**
 * js_join_set_set_discard_results:
 * @self: a set
 * @discard_results: whether finished tasks are freed at once
 *
 * Sets [property@Js.JoinSet:discard-results].
 *
 * Since: 1.0
 */
void
js_join_set_set_discard_results (JsJoinSet *self,
                                 gboolean   discard_results)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));

  set_flag (self, PROP_DISCARD_RESULTS, discard_results);
}

/**
 * js_join_set_get_timeout:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:timeout].
 *
 * Returns: the time limit of new tasks, in milliseconds, or 0 for none
 *
 * Since: 1.0
 */
guint
js_join_set_get_timeout (JsJoinSet *self)
{
  guint timeout_ms;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  g_mutex_lock (&self->core->mutex);
  timeout_ms = self->core->timeout_ms;
  g_mutex_unlock (&self->core->mutex);

  return timeout_ms;
}

/**
 * js_join_set_set_timeout:
 * @self: a set
 * @timeout_ms: the time limit of new tasks, in milliseconds, or 0 for none
 *
 * Sets [property@Js.JoinSet:timeout].
 *
 * Since: 1.0
 */
void
js_join_set_set_timeout (JsJoinSet *self,
                         guint      timeout_ms)
{
  gboolean changed;

  g_return_if_fail (JS_IS_JOIN_SET (self));

  g_mutex_lock (&self->core->mutex);
  changed = self->core->timeout_ms != timeout_ms;
  self->core->timeout_ms = timeout_ms;
  g_mutex_unlock (&self->core->mutex);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

/**
 * js_join_set_get_cancellable:
 * @self: a set
 *
 * Gets the parent [property@Js.JoinSet:cancellable].
 *
 * Returns: (transfer none) (nullable): the parent cancellable
 *
 * Since: 1.0
 */
GCancellable *
js_join_set_get_cancellable (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);

  return self->cancellable;
}

/**
 * js_join_set_get_length:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:length]: how many tasks were spawned and not
 * joined yet. Safe from any thread.
 *
 * Returns: the number of tasks in the set
 *
 * Since: 1.0
 */
guint
js_join_set_get_length (JsJoinSet *self)
{
  guint length;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  g_mutex_lock (&self->core->mutex);
  length = self->core->length;
  g_mutex_unlock (&self->core->mutex);

  return length;
}

/**
 * js_join_set_is_empty:
 * @self: a set
 *
 * Tells whether the set has no task left to join. When
 * [method@Js.JoinSet.try_join_next] returns %NULL, this tells an empty set
 * from one whose tasks are still running.
 *
 * Returns: %TRUE if [property@Js.JoinSet:length] is 0
 *
 * Since: 1.0
 */
gboolean
js_join_set_is_empty (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), TRUE);

  return js_join_set_get_length (self) == 0;
}

/**
 * js_join_set_is_closed:
 * @self: a set
 *
 * Tells whether the set refuses new tasks: its parent cancellable was
 * cancelled or [method@Js.JoinSet.shutdown_async] was called.
 *
 * Returns: %TRUE if spawning returns 0
 *
 * Since: 1.0
 */
gboolean
js_join_set_is_closed (JsJoinSet *self)
{
  gboolean closed;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), TRUE);

  g_mutex_lock (&self->core->mutex);
  closed = self->core->closed;
  g_mutex_unlock (&self->core->mutex);

  return closed;
}

/* The progress counters: one reader for all. */
static guint64
get_counter (JsJoinSet *self,
             guint      prop_id)
{
  JsCore *core = self->core;
  guint64 value = 0;

  g_mutex_lock (&core->mutex);
  switch (prop_id)
    {
    case PROP_N_FINISHED:
      value = core->n_finished;
      break;
    case PROP_N_QUEUED:
      value = core->n_queued;
      break;
    case PROP_N_RUNNING:
      value = core->n_running;
      break;
    case PROP_N_SPAWNED:
      value = core->n_spawned;
      break;
    default:
      g_assert_not_reached ();
    }
  g_mutex_unlock (&core->mutex);

  return value;
}

/**
 * js_join_set_get_n_queued:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:n-queued]. Safe from any thread.
 *
 * Returns: how many tasks wait to start
 *
 * Since: 1.0
 */
guint
js_join_set_get_n_queued (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  return get_counter (self, PROP_N_QUEUED);
}

/**
 * js_join_set_get_n_running:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:n-running]. Safe from any thread.
 *
 * Returns: how many tasks have started and not finished
 *
 * Since: 1.0
 */
guint
js_join_set_get_n_running (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  return get_counter (self, PROP_N_RUNNING);
}

/**
 * js_join_set_get_n_finished:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:n-finished]. Safe from any thread.
 *
 * Returns: how many tasks have finished since the set was created
 *
 * Since: 1.0
 */
guint64
js_join_set_get_n_finished (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  return get_counter (self, PROP_N_FINISHED);
}

/**
 * js_join_set_get_n_spawned:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:n-spawned]. Safe from any thread.
 *
 * Returns: how many tasks were spawned since the set was created
 *
 * Since: 1.0
 */
guint64
js_join_set_get_n_spawned (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  return get_counter (self, PROP_N_SPAWNED);
}

/**
 * js_join_set_get_progress:
 * @self: a set
 *
 * Gets [property@Js.JoinSet:progress]. Safe from any thread.
 *
 * Returns: the fraction of the spawned tasks that finished, from 0.0 to 1.0
 *
 * Since: 1.0
 */
double
js_join_set_get_progress (JsJoinSet *self)
{
  guint64 finished, spawned;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0.0);

  g_mutex_lock (&self->core->mutex);
  finished = self->core->n_finished;
  spawned = self->core->n_spawned;
  g_mutex_unlock (&self->core->mutex);

  return spawned > 0 ? (double) finished / spawned : 0.0;
}

/* @timeout_ms: -1 for the set's timeout */
static guint64
spawn_internal (JsJoinSet      *self,
                JsTaskFunc      func,
                gpointer        user_data,
                GDestroyNotify  user_data_destroy,
                gboolean        in_thread,
                const char     *name,
                gint64          timeout_ms)
{
  JsCore *core = self->core;
  JsFlush flush = JS_FLUSH_INIT;
  JsTask *task;
  guint64 id = 0;

  task = _js_task_new (core, func, user_data, user_data_destroy, in_thread);
  if (name != NULL)
    _js_task_get_extra_locked (task)->name = g_strdup (name);
  /* Not under the core's lock: it takes GLib's signal lock. */
  task->emit_finished = g_signal_has_handler_pending (self, signals[TASK_FINISHED], 0, TRUE);

  g_mutex_lock (&core->mutex);

  task->timeout_ms = timeout_ms < 0 ? core->timeout_ms : (guint) timeout_ms;

  if (core->closed)
    {
      /* Never spawned: dropping it destroys user_data. */
      task->state = JS_TASK_JOINED;
      _js_flush_add_unref (&flush, task);
    }
  else
    {
      id = task->id = ++core->next_id;
      _js_id_table_insert (&core->tasks, task->id, task);
      core->length++;
      core->n_spawned++;
      core->n_queued++;
      _js_core_arm_locked (core, &flush);

      if (core->queue.length == 0 && _js_run_queue_has_free_slot_locked (core))
        {
          _js_run_queue_make_ready_locked (core, task, &flush);
          if (in_thread)
            _js_run_queue_ensure_drainers_locked (core, &flush);
        }
      else
        {
          g_queue_push_tail_link (&core->queue, &task->link);
        }
    }

  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);

  return id;
}

/**
 * js_join_set_spawn:
 * @self: a set
 * @func: (scope notified) (closure user_data) (destroy user_data_destroy):
 *   the task function
 * @user_data: data for @func
 * @user_data_destroy: (nullable): destroys @user_data once the task no
 *   longer needs it
 *
 * Spawns a task that runs @func in the set's main context: the
 * thread-default context when the set was created. @func is never called
 * inside this call, but from a later iteration of that context. It may
 * complete its task later, from the callback of an `_async` operation.
 *
 * Safe from any thread. When the set is closed (its parent cancellable was
 * cancelled, or it is shutting down), nothing is spawned: @user_data is
 * destroyed at once and 0 is returned.
 *
 * Returns: the id of the task, unique within the set, or 0 if the set is
 *   closed
 *
 * Since: 1.0
 */
guint64
js_join_set_spawn (JsJoinSet      *self,
                   JsTaskFunc      func,
                   gpointer        user_data,
                   GDestroyNotify  user_data_destroy)
{
  if G_UNLIKELY (!JS_IS_JOIN_SET (self) || func == NULL)
    {
      if (user_data_destroy != NULL)
        user_data_destroy (user_data);
      g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);
      g_return_val_if_fail (func != NULL, 0);
    }

  return spawn_internal (self, func, user_data, user_data_destroy, FALSE, NULL, -1);
}

/**
 * js_join_set_spawn_in_thread:
 * @self: a set
 * @func: (scope notified) (closure user_data) (destroy user_data_destroy):
 *   the task function
 * @user_data: data for @func
 * @user_data_destroy: (nullable): destroys @user_data once the task no
 *   longer needs it
 *
 * Spawns a task that runs blocking work: @func is called on a worker
 * thread of a thread pool that every set shares. Its cancellable is
 * cancelled when the task is aborted; a long-running function checks it
 * (for example with [method@Js.Task.return_error_if_cancelled]) so that
 * shutting the set down does not wait for it.
 *
 * Safe from any thread. When the set is closed, nothing is spawned:
 * @user_data is destroyed at once and 0 is returned.
 *
 * Returns: the id of the task, unique within the set, or 0 if the set is
 *   closed
 *
 * Since: 1.0
 */
guint64
js_join_set_spawn_in_thread (JsJoinSet      *self,
                             JsTaskFunc      func,
                             gpointer        user_data,
                             GDestroyNotify  user_data_destroy)
{
  if G_UNLIKELY (!JS_IS_JOIN_SET (self) || func == NULL)
    {
      if (user_data_destroy != NULL)
        user_data_destroy (user_data);
      g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);
      g_return_val_if_fail (func != NULL, 0);
    }

  return spawn_internal (self, func, user_data, user_data_destroy, TRUE, NULL, -1);
}

/**
 * js_join_set_spawn_full:
 * @self: a set
 * @flags: where to run the task
 * @name: (nullable): a name for the task (see [method@Js.Task.set_name])
 * @timeout_ms: the time limit of the task, in milliseconds, or 0 for none
 * @func: (scope notified) (closure user_data) (destroy user_data_destroy):
 *   the task function
 * @user_data: data for @func
 * @user_data_destroy: (nullable): destroys @user_data once the task no
 *   longer needs it
 *
 * Spawns a task like [method@Js.JoinSet.spawn] or, with
 * %JS_SPAWN_IN_THREAD, like [method@Js.JoinSet.spawn_in_thread], with a
 * name and a time limit of its own: [property@Js.JoinSet:timeout] does not
 * apply.
 *
 * The name is set before the task is queued, so it shows in logs and in
 * [signal@Js.JoinSet::task-progress] handlers from the start. The clock of
 * @timeout_ms starts when the function is called; a task that runs out of
 * time is aborted (its cancellable is cancelled) and joins with
 * `G_IO_ERROR_TIMED_OUT`. The cancellable of a task of the set's context is
 * cancelled from that context; the cancellable of a thread task from
 * libjoinset's timer thread, which every set shares: keep `cancelled`
 * handlers of thread tasks short.
 *
 * Returns: the id of the task, or 0 if the set is closed
 *
 * Since: 1.0
 */
guint64
js_join_set_spawn_full (JsJoinSet      *self,
                        JsSpawnFlags    flags,
                        const char     *name,
                        guint           timeout_ms,
                        JsTaskFunc      func,
                        gpointer        user_data,
                        GDestroyNotify  user_data_destroy)
{
  if G_UNLIKELY (!JS_IS_JOIN_SET (self) || func == NULL ||
                 (flags & ~JS_SPAWN_IN_THREAD) != 0)
    {
      if (user_data_destroy != NULL)
        user_data_destroy (user_data);
      g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);
      g_return_val_if_fail (func != NULL, 0);
      g_return_val_if_fail ((flags & ~JS_SPAWN_IN_THREAD) == 0, 0);
    }

  return spawn_internal (self, func, user_data, user_data_destroy,
                         (flags & JS_SPAWN_IN_THREAD) != 0, name, timeout_ms);
}

/* Whether a join may use a light waiter: it waits in the set's own
 * context, where the set's source completes it, and needs neither a
 * cancellable nor a deadline, the two things a GTask brings. */
static gboolean
can_join_light (JsCore       *core,
                gint64        timeout_ms,
                GCancellable *cancellable)
{
  GMainContext *context = g_main_context_get_thread_default ();

  if (context == NULL)
    context = g_main_context_default ();

  return cancellable == NULL && timeout_ms < 0 && context == core->context;
}

/* Queues an async join (first come, first served) and serves it at once
 * if it can be. If @cancellable is already cancelled, the waiter's cancel
 * source takes it out again in the next iteration, unless it was served.
 *
 * A join served at once still completes later, from the set's source: in
 * the same dispatch when it is called from a join's callback, so that a
 * join_next_async() loop takes a whole batch of results in one main-loop
 * iteration. */
static void
join_async (JsJoinSet           *self,
            JsWaitKind           kind,
            gint64               timeout_ms,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            gpointer             source_tag)
{
  JsCore *core = self->core;
  JsFlush flush = JS_FLUSH_INIT;
  JsWaiter *w;

  w = _js_waiter_new_async (self, kind, can_join_light (core, timeout_ms, cancellable),
                        cancellable, callback, user_data, source_tag);

  /* Attached before the lock, as GMainContext locks are never taken under
   * it; see on_waiter_deadline() for a deadline that passes first. */
  if (timeout_ms >= 0)
    {
      w->deadline_source = g_timeout_source_new ((guint) timeout_ms);
      g_source_set_static_name (w->deadline_source, "[joinset] join deadline");
      g_source_set_callback (w->deadline_source, on_waiter_deadline,
                             g_object_ref (w->gtask), g_object_unref);
      g_source_attach (w->deadline_source, g_task_get_context (w->gtask));
    }

  g_mutex_lock (&core->mutex);
  g_queue_push_tail_link (&core->waiters, &w->link);
  w->queue = &core->waiters;
  _js_waiter_serve_locked (core, &flush);
  if (w->timed_out && !w->done)
    {
      g_queue_unlink (w->queue, &w->link);
      _js_waiter_finish_locked (core, w, &flush);
    }
  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);
}

/* The pointer an async join returned, from a GTask or a light result. */
static gboolean
join_result_is_valid (JsJoinSet    *self,
                      GAsyncResult *result,
                      gpointer      source_tag)
{
  if (JS_IS_JOIN_RESULT (result))
    return _js_join_result_is_valid (JS_JOIN_RESULT (result), self, source_tag);

  return g_task_is_valid (result, self) &&
         g_task_get_source_tag (G_TASK (result)) == source_tag;
}

static gpointer
join_result_propagate (GAsyncResult  *result,
                       GError       **error)
{
  if (JS_IS_JOIN_RESULT (result))
    return _js_join_result_steal (JS_JOIN_RESULT (result));

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * js_join_set_join_next_async:
 * @self: a set
 * @cancellable: (nullable): a cancellable for this join
 * @callback: (scope async) (closure user_data): called with the result
 * @user_data: data for @callback
 *
 * Waits for the next task to finish, in completion order. On an empty set
 * the join completes at once, with no task and no error.
 *
 * Several joins may be pending at once: each gets its own task, first come
 * first served. Cancelling @cancellable fails this join with
 * `G_IO_ERROR_CANCELLED` and loses no task: it stays in the set for the
 * next join. @callback runs in the thread-default main context of the
 * caller.
 *
 * A join started in the set's own context without a @cancellable is
 * completed by the set itself, not by a [class@Gio.Task]: a loop whose
 * callback starts the next join takes every task that already finished in
 * one main-loop iteration, with no wake-up per task. @callback is never
 * called from inside this function.
 *
 * Since: 1.0
 */
void
js_join_set_join_next_async (JsJoinSet           *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  join_async (self, JS_WAIT_NEXT, -1, cancellable, callback, user_data, js_join_set_join_next_async);
}

/**
 * js_join_set_join_next_finish:
 * @self: a set
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Js.JoinSet.join_next_async].
 *
 * A task that failed, was aborted or was abandoned is still a task: its
 * error comes from its `js_task_propagate_*()` function, not from here.
 *
 * Returns: (transfer full) (nullable): the next finished task, or %NULL if
 *   the set was empty (with @error unset) or the join was cancelled (with
 *   @error set)
 *
 * Since: 1.0
 */
JsTask *
js_join_set_join_next_finish (JsJoinSet     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);
  g_return_val_if_fail (join_result_is_valid (self, result, js_join_set_join_next_async), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return join_result_propagate (result, error);
}

static void
on_sync_cancelled (GCancellable *cancellable,
                   JsWaiter     *w)
{
  JsCore *core = w->core;
  JsFlush flush = JS_FLUSH_INIT;

  g_mutex_lock (&core->mutex);
  if (!w->done)
    {
      _js_waiter_unlink_locked (core, w, &flush);
      g_cond_broadcast (&core->cond);
      if (w->iterating)
        flush.wakeup = TRUE;
    }
  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);
}

/**
 * js_join_set_join_next:
 * @self: a set
 * @cancellable: (nullable): a cancellable
 * @error: return location for an error
 *
 * Blocks until the next task finishes, and returns it: the synchronous
 * form of [method@Js.JoinSet.join_next_async], for worker threads and
 * command-line programs.
 *
 * Called from the thread that runs the set's main context (or when no
 * thread runs it), it iterates that context while it waits, so the set's
 * tasks in the main context keep running and nothing deadlocks. Called from
 * another thread, it waits for the thread that runs the context.
 *
 * Returns: (transfer full) (nullable): the next finished task, or %NULL if
 *   the set is empty (with @error unset) or @cancellable was cancelled
 *   (with @error set)
 *
 * Since: 1.0
 */
JsTask *
js_join_set_join_next (JsJoinSet     *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(JsJoinSet) keep = NULL;
  JsFlush flush = JS_FLUSH_INIT;
  JsWaiter w = { { 0 } };
  gulong cancelled_id = 0;
  gboolean owner;
  JsCore *core;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  keep = g_object_ref (self);
  core = self->core;

  w.link.data = &w;
  w.core = core;
  w.kind = JS_WAIT_SYNC;

  g_mutex_lock (&core->mutex);
  g_queue_push_tail_link (&core->waiters, &w.link);
  w.queue = &core->waiters;
  _js_waiter_serve_locked (core, &flush);
  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);

  if (cancellable != NULL)
    cancelled_id = g_cancellable_connect (cancellable,
                                          G_CALLBACK (on_sync_cancelled),
                                          &w, NULL);

  owner = g_main_context_acquire (core->context);

  g_mutex_lock (&core->mutex);
  if (owner)
    {
      w.iterating = TRUE;
      while (!w.done)
        {
          g_mutex_unlock (&core->mutex);
          g_main_context_iteration (core->context, TRUE);
          g_mutex_lock (&core->mutex);
        }
      w.iterating = FALSE;
    }
  else
    {
      while (!w.done)
        g_cond_wait (&core->cond, &core->mutex);
    }
  g_mutex_unlock (&core->mutex);

  if (owner)
    g_main_context_release (core->context);

  if (cancelled_id != 0)
    g_cancellable_disconnect (cancellable, cancelled_id);

  if (w.cancelled)
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return NULL;
    }

  return g_steal_pointer (&w.task);
}

/**
 * js_join_set_try_join_next:
 * @self: a set
 *
 * Takes the next finished task without waiting. Safe from any thread.
 *
 * Returns: (transfer full) (nullable): the next finished task, or %NULL if
 *   none has finished yet or the set is empty (see
 *   [method@Js.JoinSet.is_empty])
 *
 * Since: 1.0
 */
JsTask *
js_join_set_try_join_next (JsJoinSet *self)
{
  JsFlush flush = JS_FLUSH_INIT;
  JsTask *task;
  JsCore *core;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);

  core = self->core;

  g_mutex_lock (&core->mutex);
  task = _js_waiter_take_completed_locked (core, &flush);
  if (task != NULL && core->length == 0)
    _js_waiter_serve_locked (core, &flush);
  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);

  return task;
}

/**
 * js_join_set_join_all_async:
 * @self: a set
 * @cancellable: (nullable): a cancellable for this join
 * @callback: (scope async) (closure user_data): called with the result
 * @user_data: data for @callback
 *
 * Waits until every task of the set has finished, including tasks spawned
 * while waiting, and takes them all. Cancelling @cancellable fails the
 * join with `G_IO_ERROR_CANCELLED` and loses no task: the tasks taken so
 * far go back to the set, in the same order.
 *
 * Since: 1.0
 */
void
js_join_set_join_all_async (JsJoinSet           *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  join_async (self, JS_WAIT_ALL, -1, cancellable, callback, user_data, js_join_set_join_all_async);
}

/**
 * js_join_set_join_all_finish:
 * @self: a set
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Js.JoinSet.join_all_async].
 *
 * Returns: (transfer container) (element-type JsTask) (nullable): every
 *   task of the set in completion order (an empty array for an empty set),
 *   or %NULL with @error set if the join was cancelled
 *
 * Since: 1.0
 */
GPtrArray *
js_join_set_join_all_finish (JsJoinSet     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);
  g_return_val_if_fail (join_result_is_valid (self, result, js_join_set_join_all_async), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return join_result_propagate (result, error);
}

/**
 * js_join_set_join_all_timeout_async:
 * @self: a set
 * @timeout_ms: how long to wait, in milliseconds
 * @cancellable: (nullable): a cancellable for this join
 * @callback: (scope async) (closure user_data): called with the result
 * @user_data: data for @callback
 *
 * Like [method@Js.JoinSet.join_all_async], but gives up waiting after
 * @timeout_ms milliseconds and then returns the tasks finished so far:
 * the partial results of a search, or of a page that must render on time.
 * The tasks still running stay in the set, to be joined later or aborted
 * with [method@Js.JoinSet.abort_all]. With a @timeout_ms of 0 it takes
 * only the tasks that already finished.
 *
 * Since: 1.0
 */
void
js_join_set_join_all_timeout_async (JsJoinSet           *self,
                                    guint                timeout_ms,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  join_async (self, JS_WAIT_ALL, timeout_ms, cancellable, callback, user_data,
              js_join_set_join_all_timeout_async);
}

/**
 * js_join_set_join_all_timeout_finish:
 * @self: a set
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Js.JoinSet.join_all_timeout_async].
 *
 * Returns: (transfer container) (element-type JsTask) (nullable): the
 *   tasks that finished in time, in completion order (spawn order in an
 *   [property@Js.JoinSet:ordered] set), or %NULL with @error set if the
 *   join was cancelled
 *
 * Since: 1.0
 */
GPtrArray *
js_join_set_join_all_timeout_finish (JsJoinSet     *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);
  g_return_val_if_fail (join_result_is_valid (self, result, js_join_set_join_all_timeout_async), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return join_result_propagate (result, error);
}

/**
 * js_join_set_abort:
 * @self: a set
 * @id: the id of a task of the set
 *
 * Aborts one task. If it has not started, it never will and its
 * `user_data` is destroyed at once; if it is running, its cancellable is
 * cancelled. Either way it joins at once with `G_IO_ERROR_CANCELLED`, and
 * whatever its function returns afterwards is freed.
 *
 * Aborting a task that already finished keeps its real result; aborting
 * twice is harmless. Safe from any thread.
 *
 * Returns: %TRUE if the task had not finished and is now aborted
 *
 * Since: 1.0
 */
gboolean
js_join_set_abort (JsJoinSet *self,
                   guint64    id)
{
  JsFlush flush = JS_FLUSH_INIT;
  gboolean aborted = FALSE;
  JsTask *task;
  JsCore *core;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), FALSE);

  core = self->core;

  g_mutex_lock (&core->mutex);
  task = _js_id_table_lookup (&core->tasks, id);
  if (task != NULL && task->state < JS_TASK_COMPLETED)
    {
      _js_completion_abort_locked (core, task, &flush);
      aborted = TRUE;
    }
  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);

  return aborted;
}

/**
 * js_join_set_abort_all:
 * @self: a set
 *
 * Aborts every unfinished task of the set, as [method@Js.JoinSet.abort]
 * does. The set stays open: new tasks can be spawned. Safe from any
 * thread.
 *
 * Since: 1.0
 */
void
js_join_set_abort_all (JsJoinSet *self)
{
  JsFlush flush = JS_FLUSH_INIT;
  JsCore *core;

  g_return_if_fail (JS_IS_JOIN_SET (self));

  core = self->core;

  g_mutex_lock (&core->mutex);
  _js_completion_abort_all_locked (core, &flush);
  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);
}

/**
 * js_join_set_detach_all:
 * @self: a set
 *
 * Lets every task go: unfinished tasks run on (queued ones start as slots
 * free up, as long as the set exists), their results are discarded, and
 * results nobody joined are freed. The set is empty afterwards, and
 * pending joins complete with no task.
 *
 * Since: 1.0
 */
void
js_join_set_detach_all (JsJoinSet *self)
{
  JsFlush flush = JS_FLUSH_INIT;
  GQueue *lists[3];
  JsCore *core;
  GList *link;

  g_return_if_fail (JS_IS_JOIN_SET (self));

  core = self->core;
  lists[0] = &core->queue;
  lists[1] = &core->main_ready;
  lists[2] = &core->thread_ready;

  g_mutex_lock (&core->mutex);

  while ((link = g_queue_pop_head_link (&core->completed)) != NULL)
    {
      JsTask *task = link->data;

      task->state = JS_TASK_JOINED;
      _js_flush_add_unref (&flush, task);
    }

  while ((link = g_queue_pop_head_link (&core->running)) != NULL)
    {
      ((JsTask *)link->data)->detached = TRUE;
      _js_completion_linger_locked (core, link->data);
    }

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    for (link = lists[i]->head; link != NULL; link = link->next)
      ((JsTask *)link->data)->detached = TRUE;

  _js_id_table_remove_all (&core->tasks);
  core->length = 0;
  _js_core_arm_locked (core, &flush);
  _js_waiter_serve_locked (core, &flush);

  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);
}

/* How long a shutdown waits before it warns about the thread functions it
 * waits for; JS_SHUTDOWN_WARNING_SECONDS overrides it (0: never warn). */
#define JS_STUCK_WARNING_SECONDS 10

static guint
get_stuck_warning_seconds (void)
{
  static gsize value = 0;

  if (g_once_init_enter (&value))
    {
      const char *env = g_getenv ("JS_SHUTDOWN_WARNING_SECONDS");
      guint64 seconds = JS_STUCK_WARNING_SECONDS;

      if (env != NULL &&
          !g_ascii_string_to_unsigned (env, 10, 0, G_MAXUINT / 2, &seconds, NULL))
        seconds = JS_STUCK_WARNING_SECONDS;
      g_once_init_leave (&value, seconds + 1);
    }

  return value - 1;
}

/* Appends 'id ("name")' to @names, after a comma unless it is the first. */
static void
append_task_locked (GString *names,
                    JsTask  *task,
                    guint    index)
{
  const char *name = _js_task_name_locked (task);

  g_string_append_printf (names, "%s%" G_GUINT64_FORMAT, index > 0 ? ", " : "", task->id);
  if (name != NULL)
    g_string_append_printf (names, " (\"%s\")", name);
}

static gboolean
stuck_timer_cb (gpointer data)
{
  JsCore *core = data;
  g_autoptr(GString) names = g_string_new (NULL);
  GSource *timer = NULL;
  guint n_named = 0;
  guint n_active = 0;

  g_mutex_lock (&core->mutex);
  if (core->stuck_timer == g_main_current_source ())
    {
      timer = g_steal_pointer (&core->stuck_timer);
      n_active = core->n_active;

      /* Aborted thread tasks whose function did not return, then those
       * that returned a result and did not leave their function. */
      for (GList *l = core->lingering.head; l != NULL; l = l->next)
        {
          append_task_locked (names, l->data, n_named++);
        }
      for (GList *l = core->completed.head; l != NULL; l = l->next)
        {
          JsTask *task = l->data;

          if (task->in_thread && task->holds_slot && !task->func_done)
            append_task_locked (names, task, n_named++);
        }
    }
  g_mutex_unlock (&core->mutex);

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

/**
 * js_join_set_shutdown_async:
 * @self: a set
 * @cancellable: (nullable): a cancellable to stop waiting
 * @callback: (scope async) (closure user_data): called when no task
 *   function is running any more
 * @user_data: data for @callback
 *
 * Closes the set (later spawns return 0), aborts every unfinished task,
 * and completes once no task function of the set is running any more:
 * thread functions have returned and tasks in the main context have
 * completed. The aborted tasks stay in the set, and join as cancelled.
 *
 * A thread function that ignores its cancellable delays the shutdown
 * until it returns. Cancelling @cancellable stops the wait (with
 * `G_IO_ERROR_CANCELLED`); the set stays closed. The rule is that a task
 * function returns soon after its cancellable is cancelled: a shutdown
 * still waiting after 10 seconds says so with a warning that names the
 * tasks it waits for (their ids and names), from the set's main context.
 * The environment variable `JS_SHUTDOWN_WARNING_SECONDS` changes the delay;
 * `0` turns the warning off.
 *
 * Since: 1.0
 */
void
js_join_set_shutdown_async (JsJoinSet           *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  JsFlush flush = JS_FLUSH_INIT;
  GSource *timer = NULL;
  JsWaiter *w;
  JsCore *core;
  guint warn_after;

  g_return_if_fail (JS_IS_JOIN_SET (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  core = self->core;
  w = _js_waiter_new_async (self, JS_WAIT_SHUTDOWN, FALSE, cancellable, callback, user_data,
                        js_join_set_shutdown_async);

  /* Attached before the lock (GMainContext locks are never taken under
   * it), kept only if the shutdown has to wait. */
  warn_after = get_stuck_warning_seconds ();
  if (warn_after > 0)
    {
      timer = g_timeout_source_new_seconds (warn_after);
      g_source_set_static_name (timer, "[joinset] stuck shutdown warning");
      g_source_set_callback (timer, stuck_timer_cb, _js_core_ref (core),
                             (GDestroyNotify) _js_core_unref);
      g_source_attach (timer, core->context);
    }

  g_mutex_lock (&core->mutex);
  core->closed = TRUE;
  _js_completion_abort_all_locked (core, &flush);
  g_queue_push_tail_link (&core->shutdowns, &w->link);
  w->queue = &core->shutdowns;
  if (core->n_active == 0)
    _js_waiter_complete_shutdowns_locked (core, &flush);
  else if (timer != NULL && core->stuck_timer == NULL && core->source != NULL)
    core->stuck_timer = g_steal_pointer (&timer);
  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);

  if (timer != NULL)
    {
      g_source_destroy (timer);
      g_source_unref (timer);
    }
}

/**
 * js_join_set_shutdown_finish:
 * @self: a set
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Js.JoinSet.shutdown_async].
 *
 * Returns: %TRUE once no task function is running, %FALSE with @error set
 *   if the wait was cancelled
 *
 * Since: 1.0
 */
gboolean
js_join_set_shutdown_finish (JsJoinSet     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == js_join_set_shutdown_async, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
