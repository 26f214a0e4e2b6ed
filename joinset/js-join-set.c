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
 * square (JsTask *task, gpointer user_data)
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
 * [property@Js.JoinSet:cancellable] aborts every task and closes the set.
 * [method@Js.JoinSet.shutdown_async] aborts every task, empties the set
 * and waits until no task function is running any more, as Tokio's
 * `shutdown` does; [method@Js.JoinSet.close] refuses new tasks and lets
 * the others finish, as tokio-util's `TaskTracker::close` does.
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
 * [method@Js.JoinSet.get_tasks] gives the unjoined tasks as a live
 * [iface@Gio.ListModel] to bind to a `GtkListView`, and
 * [signal@Js.JoinSet::task-started] reports each task that starts.
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

#include "js-core-private.h"
#include "js-join-result-private.h"
#include "js-task-list-private.h"

/* The façade over a JsCore (js-core-private.h): it checks arguments,
 * documents, notifies and emits; every method is one core call, and it
 * never takes the core's lock. */
struct _JsJoinSet
{
  GObject       parent_instance;

  JsCore       *core;
  GCancellable *cancellable;       /* construct-only parent */
  gulong        cancelled_id;
  GWeakRef      task_list;         /* JsTaskList: get_tasks() */
};

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
  PROP_TASKS,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  TASK_FINISHED,
  TASK_PROGRESS,
  TASK_STARTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/**
 * JsJoinSetClass:
 *
 * The class structure of [class@Js.JoinSet]. The type is final: it cannot be
 * subclassed, and its class structure has no virtual functions and
 * nothing public.
 *
 * Since: 1.0
 */
G_DEFINE_FINAL_TYPE (JsJoinSet, js_join_set, G_TYPE_OBJECT)

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

  /* Once the parent is cancelled, its handler has run or is running:
   * g_cancellable_disconnect() would wait for it, and deadlock if this
   * dispose runs inside it. Disconnecting the signal handler does not
   * wait, and GSignal keeps a running handler alive until it returns. */
  if (self->cancelled_id != 0)
    {
      if (g_cancellable_is_cancelled (self->cancellable))
        g_signal_handler_disconnect (self->cancellable, self->cancelled_id);
      else
        g_cancellable_disconnect (self->cancellable, self->cancelled_id);
      self->cancelled_id = 0;
    }

  _js_core_dispose (self->core);

  /* The model outlives the set, empty. */
  {
    g_autoptr(JsTaskList) task_list = g_weak_ref_get (&self->task_list);

    if (task_list != NULL)
      _js_task_list_clear (task_list);
  }

  G_OBJECT_CLASS (js_join_set_parent_class)->dispose (object);
}

static void
js_join_set_finalize (GObject *object)
{
  JsJoinSet *self = (JsJoinSet *)object;

  g_clear_object (&self->cancellable);
  g_weak_ref_clear (&self->task_list);
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

    case PROP_TASKS:
      g_value_take_object (value, js_join_set_get_tasks (self));
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
   * JsJoinSet:tasks:
   *
   * The tasks of the set that were not joined yet, as a live
   * [iface@Gio.ListModel] of [class@Js.Task], in spawn order: see
   * [method@Js.JoinSet.get_tasks]. Reading the property makes the model
   * if it does not exist.
   *
   * Since: 1.0
   */
  properties[PROP_TASKS] =
    g_param_spec_object ("tasks", NULL, NULL,
                         G_TYPE_LIST_MODEL,
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

  /**
   * JsJoinSet::task-started:
   * @self: the set
   * @task: the task whose function was called
   *
   * Emitted in the set's main context, never in a worker thread, for each
   * task whose function was called, in the order they started. Like
   * [signal@Js.JoinSet::task-finished], it is emitted soon after, not
   * while the function runs: a fast task may have finished already, and
   * several starts are emitted in one iteration of the context.
   *
   * Only tasks spawned while a handler is connected emit it: connect
   * before spawning. A set nobody listens to pays nothing for it. Tasks
   * aborted before they started never emit it.
   *
   * Since: 1.0
   */
  signals[TASK_STARTED] =
    g_signal_new ("task-started",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, JS_TYPE_TASK);
}

/* The core's reports, in the set's context. */

static void
on_task_progress (GObject *object,
                  JsTask  *task,
                  double   fraction)
{
  _js_task_notify_progress (task);
  g_signal_emit (object, signals[TASK_PROGRESS], 0, task, fraction);
}

static void
on_task_started (GObject *object,
                 JsTask  *task)
{
  g_signal_emit (object, signals[TASK_STARTED], 0, task);
}

static void
on_list_changed (GObject *object,
                 GArray  *events)
{
  g_autoptr(JsTaskList) task_list = g_weak_ref_get (&JS_JOIN_SET (object)->task_list);

  if (task_list != NULL)
    _js_task_list_apply (task_list, events);
}

static void
on_task_finished (GObject *object,
                  JsTask  *task)
{
  gboolean handled = g_signal_has_handler_pending (object, signals[TASK_FINISHED], 0, FALSE);

  g_signal_emit (object, signals[TASK_FINISHED], 0, task);

  /* A discarding set does not lose failures silently. */
  if (!handled && _js_core_task_is_discarded (task) && _js_task_failed (task))
    {
      g_autofree char *name = _js_core_task_dup_name (task);

      g_warning ("Task %" G_GUINT64_FORMAT "%s%s%s of a JsJoinSet that "
                 "discards results failed: %s",
                 task->id, name ? " (\"" : "", name ? name : "",
                 name ? "\")" : "", task->result.error->message);
    }
}

static void
on_changed (GObject       *object,
            JsCoreChanges  changes)
{
  static const struct {
    JsCoreChanges flags;
    guint         prop_id;
  } map[] = {
    { JS_CORE_CHANGED_LENGTH, PROP_LENGTH },
    { JS_CORE_CHANGED_N_QUEUED, PROP_N_QUEUED },
    { JS_CORE_CHANGED_N_RUNNING, PROP_N_RUNNING },
    { JS_CORE_CHANGED_N_FINISHED, PROP_N_FINISHED },
    { JS_CORE_CHANGED_N_SPAWNED, PROP_N_SPAWNED },
    { JS_CORE_CHANGED_N_FINISHED | JS_CORE_CHANGED_N_SPAWNED, PROP_PROGRESS },
  };

  g_object_freeze_notify (object);
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (changes & map[i].flags)
      g_object_notify_by_pspec (object, properties[map[i].prop_id]);
  g_object_thaw_notify (object);
}

static const JsCoreObserver observer = {
  .task_progress = on_task_progress,
  .task_finished = on_task_finished,
  .task_started = on_task_started,
  .changed = on_changed,
  .list_changed = on_list_changed,
};

static void
js_join_set_init (JsJoinSet *self)
{
  self->core = _js_core_new (G_OBJECT (self), &observer);
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
  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  return _js_core_get_policy (self->core, JS_CORE_MAX_CONCURRENT);
}

/* Sets a policy of the core, and notifies @prop_id if it changed. */
static void
set_policy (JsJoinSet    *self,
            JsCorePolicy  policy,
            guint         prop_id,
            guint         value)
{
  /* Changing a policy may complete joins, whose callbacks may drop the
   * caller's reference. */
  g_object_ref (self);
  if (_js_core_set_policy (self->core, policy, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
  g_object_unref (self);
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
  g_return_if_fail (JS_IS_JOIN_SET (self));

  set_policy (self, JS_CORE_MAX_CONCURRENT, PROP_MAX_CONCURRENT, max_concurrent);
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

  return _js_core_get_policy (self->core, JS_CORE_ABORT_ON_ERROR);
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

  set_policy (self, JS_CORE_ABORT_ON_ERROR, PROP_ABORT_ON_ERROR, !!abort_on_error);
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

  return _js_core_get_policy (self->core, JS_CORE_ABORT_ON_SUCCESS);
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

  set_policy (self, JS_CORE_ABORT_ON_SUCCESS, PROP_ABORT_ON_SUCCESS, !!abort_on_success);
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

  return _js_core_get_policy (self->core, JS_CORE_ORDERED);
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

  set_policy (self, JS_CORE_ORDERED, PROP_ORDERED, !!ordered);
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

  return _js_core_get_policy (self->core, JS_CORE_DISCARD_RESULTS);
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

  set_policy (self, JS_CORE_DISCARD_RESULTS, PROP_DISCARD_RESULTS, !!discard_results);
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
  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  return _js_core_get_policy (self->core, JS_CORE_TIMEOUT);
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
  g_return_if_fail (JS_IS_JOIN_SET (self));

  set_policy (self, JS_CORE_TIMEOUT, PROP_TIMEOUT, timeout_ms);
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
  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0);

  return _js_core_get_counter (self->core, JS_CORE_LENGTH);
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
 * Tells whether the set refuses new tasks: it was closed with
 * [method@Js.JoinSet.close], its parent cancellable was cancelled, or a
 * [method@Js.JoinSet.shutdown_async] is waiting (until it completes).
 *
 * Returns: %TRUE if spawning returns 0
 *
 * Since: 1.0
 */
gboolean
js_join_set_is_closed (JsJoinSet *self)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), TRUE);

  return _js_core_get_counter (self->core, JS_CORE_CLOSED);
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

  return _js_core_get_counter (self->core, JS_CORE_N_QUEUED);
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

  return _js_core_get_counter (self->core, JS_CORE_N_RUNNING);
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

  return _js_core_get_counter (self->core, JS_CORE_N_FINISHED);
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

  return _js_core_get_counter (self->core, JS_CORE_N_SPAWNED);
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
  g_return_val_if_fail (JS_IS_JOIN_SET (self), 0.0);

  return _js_core_get_progress (self->core);
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
  gboolean emit_finished = FALSE, emit_started = FALSE;
  JsTask *task;

  /* Not under the core's lock: these take GLib's signal lock. One lookup
   * when the set has no handler without a detail (task-started and
   * task-finished have none; notify:: handlers do), as on every hot path:
   * a set nobody listens to pays for one check, not one per signal. */
  if (g_signal_handler_find (self, G_SIGNAL_MATCH_DETAIL, 0, 0, NULL, NULL, NULL) != 0)
    {
      emit_finished = g_signal_has_handler_pending (self, signals[TASK_FINISHED], 0, TRUE);
      emit_started = g_signal_has_handler_pending (self, signals[TASK_STARTED], 0, TRUE);
    }

  task = _js_task_new (self->core, func, user_data, user_data_destroy, in_thread,
                       name, emit_finished, emit_started);

  return _js_run_queue_spawn (self->core, task, timeout_ms);
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
 * Safe from any thread. When the set is closed (see
 * [method@Js.JoinSet.is_closed]), nothing is spawned: @user_data is
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
 * @func runs on a worker thread, but @user_data_destroy never does: it runs
 * in the thread of the set's main context (see [callback@Js.TaskFunc]),
 * once the context is iterated. Bindings that cannot run code off their
 * main thread must not pass their functions here: GJS refuses to call a
 * JavaScript function on a worker thread, and the task then completes with
 * [error@Js.JoinError.ABANDONED]; its override refuses such a call at once
 * (see the JavaScript guide). Use [method@Js.JoinSet.spawn] from them.
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

  _js_waiter_join_async (self->core, G_OBJECT (self), JS_WAIT_NEXT, -1, cancellable, callback, user_data, js_join_set_join_next_async);
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

  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* A task function run by the wait may drop the caller's reference. */
  keep = g_object_ref (self);

  return _js_waiter_join_next (self->core, cancellable, error);
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
  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);

  return _js_waiter_try_join_next (self->core);
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

  _js_waiter_join_async (self->core, G_OBJECT (self), JS_WAIT_ALL, -1, cancellable, callback, user_data, js_join_set_join_all_async);
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

  _js_waiter_join_async (self->core, G_OBJECT (self), JS_WAIT_ALL, timeout_ms,
                         cancellable, callback, user_data,
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
 * js_join_set_join_by_id_async:
 * @self: a set
 * @id: the id of a task of the set, as the spawn call returned it
 * @cancellable: (nullable): a cancellable for this join
 * @callback: (scope async) (closure user_data): called with the result
 * @user_data: data for @callback
 *
 * Waits for one task, the one @id names, and takes it, leaving the other
 * tasks in the set: the analogue of awaiting one `JoinHandle` in Tokio.
 *
 * While it waits, the task is this join's: no other join takes it
 * ([method@Js.JoinSet.join_next_async], [method@Js.JoinSet.join_all_async]
 * and [method@Js.JoinSet.try_join_next] wait for it to be handed over,
 * then go on without it), even in a set that
 * [discards results][property@Js.JoinSet:discard-results]. A task has one
 * consumer: while one join by id waits for it, another one for the same
 * id fails at once with `G_IO_ERROR_PENDING`. An id that is not in the set
 * (never spawned, 0, joined already, detached or freed by a shutdown)
 * fails at once with %JS_JOIN_ERROR_UNKNOWN_TASK, and so does a pending
 * join whose task leaves the set without an outcome
 * ([method@Js.JoinSet.detach_all]).
 *
 * An aborted task (by [method@Js.JoinSet.abort], a timeout or a shutdown)
 * is handed over at once; its `js_task_propagate_*()` function then
 * reports `G_IO_ERROR_CANCELLED`. Cancelling @cancellable fails this join
 * with `G_IO_ERROR_CANCELLED` and gives the task back to the other joins,
 * unless it was handed over already. @callback runs in the thread-default
 * main context of the caller, never from inside this function.
 *
 * Since: 1.0
 */
void
js_join_set_join_by_id_async (JsJoinSet           *self,
                              guint64              id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _js_waiter_join_by_id_async (self->core, G_OBJECT (self), id, cancellable,
                               callback, user_data, js_join_set_join_by_id_async);
}

/**
 * js_join_set_join_by_id_finish:
 * @self: a set
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Js.JoinSet.join_by_id_async].
 *
 * As with [method@Js.JoinSet.join_next_finish], a task that failed or was
 * aborted is still a task: its error comes from its `js_task_propagate_*()`
 * function, not from here.
 *
 * Returns: (transfer full): the task, or %NULL with @error set: the id is
 *   not in the set (%JS_JOIN_ERROR_UNKNOWN_TASK), another join by id waits
 *   for it (`G_IO_ERROR_PENDING`), or the join was cancelled
 *
 * Since: 1.0
 */
JsTask *
js_join_set_join_by_id_finish (JsJoinSet     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == js_join_set_join_by_id_async, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * js_join_set_join_by_id:
 * @self: a set
 * @id: the id of a task of the set
 * @cancellable: (nullable): a cancellable
 * @error: return location for an error
 *
 * Blocks until the task @id names finishes, and takes it: the synchronous
 * form of [method@Js.JoinSet.join_by_id_async], with its rules, and with
 * the threading rules of [method@Js.JoinSet.join_next]: called from the
 * thread that runs the set's main context, it iterates that context while
 * it waits.
 *
 * Returns: (transfer full): the task, or %NULL with @error set (see
 *   [method@Js.JoinSet.join_by_id_finish])
 *
 * Since: 1.0
 */
JsTask *
js_join_set_join_by_id (JsJoinSet     *self,
                        guint64        id,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(JsJoinSet) keep = NULL;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* A task function run by the wait may drop the caller's reference. */
  keep = g_object_ref (self);

  return _js_waiter_join_by_id (self->core, id, cancellable, error);
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
  g_return_val_if_fail (JS_IS_JOIN_SET (self), FALSE);

  return _js_completion_abort (self->core, id);
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
  g_return_if_fail (JS_IS_JOIN_SET (self));

  _js_completion_abort_all (self->core);
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
  g_return_if_fail (JS_IS_JOIN_SET (self));

  _js_completion_detach_all (self->core);
}

/**
 * js_join_set_close:
 * @self: a set
 *
 * Closes the set: later spawns are refused (they return 0 and destroy
 * their `user_data` at once), while the tasks already in the set, queued
 * or running, go on and are joined as usual. Joins that wait for the set
 * to be empty ([method@Js.JoinSet.join_all_async], or
 * [method@Js.JoinSet.join_next] until it returns %NULL) then end once the
 * last task is joined. Closing is final, and closing twice is harmless.
 * Safe from any thread.
 *
 * Close, then wait, is tokio-util's `TaskTracker` pattern (`close()`
 * then `wait()`): stop accepting work, let the work in flight finish.
 *
 * ```c
 * js_join_set_close (set);
 * js_join_set_join_all_async (set, NULL, on_all_done, NULL);
 * ```
 *
 * To stop the work in flight as well, call
 * [method@Js.JoinSet.shutdown_async] after closing.
 * [method@Js.JoinSet.is_closed] tells whether the set is closed; it is
 * not a property, so nothing is notified.
 *
 * Since: 1.0
 */
void
js_join_set_close (JsJoinSet *self)
{
  g_return_if_fail (JS_IS_JOIN_SET (self));

  _js_core_close (self->core);
}

/**
 * js_join_set_shutdown_async:
 * @self: a set
 * @cancellable: (nullable): a cancellable to stop waiting
 * @callback: (scope async) (closure user_data): called when no task
 *   function is running any more
 * @user_data: data for @callback
 *
 * Empties the set as Tokio's `JoinSet::shutdown` does: aborts every
 * unfinished task, frees every task nobody joined, and completes once no
 * task function of the set is running any more: thread functions have
 * returned and tasks in the main context have completed. The set is empty
 * ([property@Js.JoinSet:length] is 0) as soon as this is called, and
 * accepts spawns again once the shutdown completes, unless it was closed:
 * call [method@Js.JoinSet.close] first for a set that stays closed.
 *
 * Joins pending when the shutdown starts are served first: each
 * [method@Js.JoinSet.join_next_async] gets one of the aborted tasks (or
 * none, once the set is empty), [method@Js.JoinSet.join_all_async] gets
 * all of them, and a [method@Js.JoinSet.join_by_id_async] its own task,
 * aborted. While the shutdown waits, spawns are refused (they return 0, and
 * [method@Js.JoinSet.is_closed] returns %TRUE), so that no task started
 * meanwhile escapes it.
 *
 * A thread function that ignores its cancellable delays the shutdown
 * until it returns. Cancelling @cancellable stops the wait (with
 * `G_IO_ERROR_CANCELLED`); the set is empty and accepts spawns again
 * (unless it was closed, or another shutdown waits). The rule is that a task
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
  g_return_if_fail (JS_IS_JOIN_SET (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _js_shutdown_start (self->core, G_OBJECT (self), cancellable, callback, user_data,
                      js_join_set_shutdown_async);
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

/**
 * js_join_set_get_tasks:
 * @self: a set
 *
 * Gets the tasks of @self that were not joined yet, as a live
 * [iface@Gio.ListModel] of [class@Js.Task], in spawn order: bind it to a
 * `GtkListView` to show the work of a set.
 *
 * The items are the tasks themselves: [property@Js.Task:state],
 * [property@Js.Task:progress] and [property@Js.Task:name] are notified on
 * them while they are in the model. A task enters the model when it is
 * spawned and leaves it when it is joined, detached, or freed by a set
 * with [property@Js.JoinSet:discard-results] (there, finished tasks leave
 * at once). An aborted task stays, finished, until it is joined; when it
 * was running, the join hands out a stand-in with the same id (see
 * [class@Js.Task]) and the model keeps the object it showed.
 *
 * [signal@Gio.ListModel::items-changed] is emitted in the set's main
 * context, never in a worker thread, and coalesced: however many tasks
 * are spawned, finish or are joined between two iterations of that
 * context, it is emitted at most once per iteration, for one span of
 * positions. Changes that do not wake the context up by themselves (tasks
 * starting, finishing, renamed) are gathered for about a frame (16 ms)
 * first. Use the model in the set's main context.
 *
 * The model is made on the first call, and the same one is returned while
 * anybody holds it: until then, and once it is gone, the set pays nothing
 * for it. Each change then costs O(log n) for n tasks, never a scan of
 * the set. A task that was already running when the model was made, and
 * that only its producer holds, enters it when it finishes. The model
 * does not keep the set alive; when the set is disposed, it becomes
 * empty (items-changed is then emitted in the thread that disposes it).
 *
 * A running task the model shows is still abandoned
 * ([error@Js.JoinError.ABANDONED]) when its producer drops it without
 * returning, once nobody but the model holds it.
 *
 * Returns: (transfer full): a list model of [class@Js.Task]
 *
 * Since: 1.0
 */
GListModel *
js_join_set_get_tasks (JsJoinSet *self)
{
  JsTaskList *task_list;

  g_return_val_if_fail (JS_IS_JOIN_SET (self), NULL);

  task_list = g_weak_ref_get (&self->task_list);
  if (task_list == NULL)
    {
      task_list = _js_task_list_new (self->core);
      g_weak_ref_set (&self->task_list, task_list);
    }

  return G_LIST_MODEL (task_list);
}
