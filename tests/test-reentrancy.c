/* test-reentrancy.c: every callback of the library, doing every action
 * the docs allow there
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Any callback may do anything: every public entry point keeps what it
 * needs alive until it returns, whatever the user code it triggers does.
 * This program checks it with a matrix generated from two tables, the
 * callbacks the library invokes and the actions a callback may take, one
 * test path per cell: /join-set/reentrancy/<callback>/<action>.
 *
 * A cell builds a set where its callback will fire, arms it, kicks the set
 * with the entry point that fires the callback (an abort, a setter, a
 * join, an iteration of the context), and the callback performs the
 * action, once. The test's only reference to the set is handed to the
 * cell, so that "unref" drops the last reference from inside the
 * callback, with the entry point that fired it still on the stack. Then
 * the cell lets everything finish and checks that the set was finalized,
 * that every user_data was destroyed exactly once, every result freed
 * exactly once, and every join and shutdown started completed.
 *
 * Each cell runs in a subprocess (g_test_trap_subprocess()), so that a
 * crash, a sanitizer report or a hang fails that cell alone and the rest
 * of the matrix still runs: the child's stderr (the sanitizer's report,
 * the failed assertion) goes to the test log.
 *
 * The list model of js_join_set_get_tasks() is one more thing a cell may
 * hold: the rows items-changed and notify-state hold it from before the
 * first spawn, and the action get-tasks-held takes it; they keep it until
 * the set is finalized (the model must not keep the set alive), then drop
 * it and check that it is finalized too. The action get-tasks takes the
 * model, reads it as a list view would, and drops it at once, with the
 * cell's own reference if it holds one: the model's last reference goes
 * with the callback's entry point on the stack (in items-changed and
 * notify-state, the model's own emission), and the set stops recording
 * for it.
 *
 * Two cells are skipped, because the docs forbid them rather than because
 * they are hard: task-func-thread/get-tasks and get-tasks-held. The model
 * is for the set's main context only ("Use the model in the set's main
 * context", the doc of js_join_set_get_tasks()), and a thread task's
 * function runs on a worker.
 */

#include <string.h>

#include <joinset/joinset.h>

#include "js-test-util.h"

/* How long a cell waits for one step, and how long its subprocess may
 * take in all (a deadlock cannot meet a deadline it would have to check
 * itself). */
#define CELL_DEADLINE_USEC   (5 * G_TIME_SPAN_SECOND)
#define CELL_SUBPROCESS_USEC (60 * G_TIME_SPAN_SECOND)
#define MAX_RECS             32

/* ------------------------------------------------------------------------
 * The two tables
 * ------------------------------------------------------------------------ */

typedef enum
{
  CB_TASK_FUNC_MAIN,     /* a task function, in the set's context */
  CB_TASK_FUNC_THREAD,   /* a task function, on a worker thread */
  CB_CANCELLED_MAIN,     /* "cancelled" of a main task's cancellable */
  CB_CANCELLED_THREAD,   /* "cancelled" of a thread task's cancellable */
  CB_USER_DATA_DESTROY,  /* the user_data_destroy given to spawn */
  CB_RESULT_DESTROY,     /* the result_destroy given to return_pointer */
  CB_JOIN_NEXT,          /* the callback of join_next_async */
  CB_JOIN_ALL,           /* the callback of join_all_async */
  CB_SHUTDOWN,           /* the callback of shutdown_async */
  CB_TASK_FINISHED,      /* JsJoinSet::task-finished */
  CB_TASK_PROGRESS,      /* JsJoinSet::task-progress */
  CB_NOTIFY_SETTER,      /* notify:: of a writable property, from its setter */
  CB_NOTIFY_COUNTER,     /* notify:: of a counter, from the set's context */
  CB_TASK_STARTED,       /* JsJoinSet::task-started */
  CB_JOIN_BY_ID,         /* the callback of join_by_id_async */
  CB_ITEMS_CHANGED,      /* items-changed of the model of get_tasks */
  CB_NOTIFY_STATE,       /* notify::state of a task in that model */
  CB_ASYNC_START,        /* the start function of spawn_async */
  CB_ASYNC_FINISH,       /* the finish function of spawn_async */
} CallbackKind;

typedef struct
{
  const char   *name;
  CallbackKind  kind;
  const char   *property;   /* for the notify:: callbacks */
  const char   *kick;       /* the entry point that fires it, for the log */
} CallbackDef;

/* JsJoinSet:cancellable is construct-only: it is never notified after
 * g_object_new() returns, so no handler can see it. */
static const CallbackDef callbacks[] = {
  { "task-func-main", CB_TASK_FUNC_MAIN, NULL, "the set's GSource" },
  { "task-func-thread", CB_TASK_FUNC_THREAD, NULL, "a pool thread" },
  { "cancelled-main", CB_CANCELLED_MAIN, NULL, "js_join_set_abort()" },
  { "cancelled-thread", CB_CANCELLED_THREAD, NULL, "js_join_set_abort_all()" },
  { "user-data-destroy", CB_USER_DATA_DESTROY, NULL, "js_join_set_abort() of a queued task" },
  { "result-destroy", CB_RESULT_DESTROY, NULL, "js_join_set_detach_all()" },
  { "join-next-cb", CB_JOIN_NEXT, NULL, "js_join_set_join_next_async()" },
  { "join-all-cb", CB_JOIN_ALL, NULL, "js_join_set_join_all_async()" },
  { "shutdown-cb", CB_SHUTDOWN, NULL, "js_join_set_shutdown_async()" },
  { "task-finished", CB_TASK_FINISHED, NULL, "the set's GSource" },
  { "task-progress", CB_TASK_PROGRESS, NULL, "the set's GSource" },
  { "notify-abort-on-error", CB_NOTIFY_SETTER, "abort-on-error", "js_join_set_set_abort_on_error()" },
  { "notify-abort-on-success", CB_NOTIFY_SETTER, "abort-on-success", "js_join_set_set_abort_on_success()" },
  { "notify-discard-results", CB_NOTIFY_SETTER, "discard-results", "js_join_set_set_discard_results()" },
  { "notify-max-concurrent", CB_NOTIFY_SETTER, "max-concurrent", "js_join_set_set_max_concurrent()" },
  { "notify-ordered", CB_NOTIFY_SETTER, "ordered", "js_join_set_set_ordered()" },
  { "notify-timeout", CB_NOTIFY_SETTER, "timeout", "js_join_set_set_timeout()" },
  { "notify-length", CB_NOTIFY_COUNTER, "length", "the set's GSource" },
  { "notify-n-finished", CB_NOTIFY_COUNTER, "n-finished", "the set's GSource" },
  { "notify-n-queued", CB_NOTIFY_COUNTER, "n-queued", "the set's GSource" },
  { "notify-n-running", CB_NOTIFY_COUNTER, "n-running", "the set's GSource" },
  { "notify-n-spawned", CB_NOTIFY_COUNTER, "n-spawned", "the set's GSource" },
  { "notify-progress", CB_NOTIFY_COUNTER, "progress", "the set's GSource" },
  { "task-started", CB_TASK_STARTED, NULL, "the set's GSource" },
  { "join-by-id-cb", CB_JOIN_BY_ID, NULL, "js_join_set_join_by_id_async()" },
  { "items-changed", CB_ITEMS_CHANGED, NULL, "the set's GSource" },
  { "notify-state", CB_NOTIFY_STATE, "state", "the set's GSource" },
  { "spawn-async-start", CB_ASYNC_START, NULL, "the set's GSource" },
  { "spawn-async-finish", CB_ASYNC_FINISH, NULL, "the callback of g_file_query_info_async()" },
};

typedef enum
{
  ACT_UNREF,
  ACT_ABORT,
  ACT_ABORT_ALL,
  ACT_SPAWN_MAIN,
  ACT_SPAWN_THREAD,
  ACT_TRY_JOIN_NEXT,
  ACT_JOIN_NEXT_ASYNC,
  ACT_JOIN_NEXT,
  ACT_DETACH_ALL,
  ACT_SHUTDOWN,
  ACT_SET_MAX_CONCURRENT,
  ACT_SET_ORDERED,
  ACT_SET_ABORT_ON_ERROR,
  ACT_SET_ABORT_ON_SUCCESS,
  ACT_SET_DISCARD_RESULTS,
  ACT_SET_TIMEOUT,
  ACT_CLOSE,
  ACT_JOIN_BY_ID_ASYNC,
  ACT_JOIN_BY_ID,
  ACT_SPAWN_ASYNC,
  ACT_GET_TASKS,
  ACT_GET_TASKS_HELD,
} ActionKind;

typedef struct
{
  const char *name;
  ActionKind  kind;
} ActionDef;

static const ActionDef actions[] = {
  { "unref", ACT_UNREF },
  { "abort", ACT_ABORT },
  { "abort-all", ACT_ABORT_ALL },
  { "spawn-main", ACT_SPAWN_MAIN },
  { "spawn-thread", ACT_SPAWN_THREAD },
  { "try-join-next", ACT_TRY_JOIN_NEXT },
  { "join-next-async", ACT_JOIN_NEXT_ASYNC },
  { "join-next", ACT_JOIN_NEXT },
  { "detach-all", ACT_DETACH_ALL },
  { "shutdown", ACT_SHUTDOWN },
  { "set-max-concurrent", ACT_SET_MAX_CONCURRENT },
  { "set-ordered", ACT_SET_ORDERED },
  { "set-abort-on-error", ACT_SET_ABORT_ON_ERROR },
  { "set-abort-on-success", ACT_SET_ABORT_ON_SUCCESS },
  { "set-discard-results", ACT_SET_DISCARD_RESULTS },
  { "set-timeout", ACT_SET_TIMEOUT },
  { "close", ACT_CLOSE },
  { "join-by-id-async", ACT_JOIN_BY_ID_ASYNC },
  { "join-by-id", ACT_JOIN_BY_ID },
  { "spawn-async", ACT_SPAWN_ASYNC },
  { "get-tasks", ACT_GET_TASKS },
  { "get-tasks-held", ACT_GET_TASKS_HELD },
};

typedef struct
{
  const CallbackDef *callback;
  const ActionDef   *action;
  char              *path;
} CellDef;

/* ------------------------------------------------------------------------
 * A cell: its set, its tasks, and what it counts
 *
 * Every task has a record with a role. The population every cell starts
 * from:
 *   A  main, returns a result at once        B  thread, idem
 *   C  main, held: the test completes it     D  thread, blocked on the
 *      (the kick's material)                    kick gate
 *   H  main, held until the end              G  thread, blocked on the
 *      (the target of "abort")                  late gate
 * and the kicks and actions add:
 *   F  the task whose function fires (task-func-*), or whose start or
 *      finish function fires (spawn-async-*)
 *   Q  a queued main task, aborted before it starts (user-data-destroy)
 *   E  tasks that return at once (the counters' kick, the spawn actions),
 *      or block on the late gate (the kick of n-running)
 * The async tasks (F-async, E-async) are js_join_set_spawn_async() of a
 * real GIO operation, g_file_query_info_async() of the current directory:
 * their result is the GFileInfo, counted made and freed like the others.
 *
 * The targets of the joins by id: join-by-id-cb joins A, finished before
 * the kick, so that its callback comes at once; the action
 * join-by-id-async joins H, which waits for the end of the cell (or an
 * abort, or a shutdown); the blocking join-by-id joins A too, which never
 * blocks for long, wherever the action runs (H would deadlock a callback
 * in the set's context: only the test releases it, after the callback).
 * When the kick or the callback took A or H already, the join fails with
 * JS_JOIN_ERROR_UNKNOWN_TASK, which must be as clean.
 * ------------------------------------------------------------------------ */

typedef enum
{
  ROLE_A,
  ROLE_B,
  ROLE_C,
  ROLE_D,
  ROLE_H,
  ROLE_G,
  ROLE_F_MAIN,
  ROLE_F_THREAD,
  ROLE_Q,
  ROLE_E_MAIN,
  ROLE_E_THREAD,
  ROLE_E_GATED,
  ROLE_F_ASYNC,
  ROLE_E_ASYNC,
  N_ROLES
} Role;

static const char *role_names[] = {
  "A", "B", "C", "D", "H", "G", "F-main", "F-thread", "Q", "E-main", "E-thread",
  "E-gated", "F-async", "E-async",
};

typedef struct _Cell Cell;

typedef struct
{
  Cell    *cell;
  Role     role;
  guint64  id;
  gint     called;         /* the function was called */
  gint     returned;       /* the function completed its task */
  gint     data_freed;     /* user_data_destroy */
  gint     result_made;
  gint     result_freed;
  JsTask  *held;           /* C and H, until the test completes them */
  GFile   *file;           /* F-async and E-async: what they query */
} Rec;

struct _Cell
{
  const CellDef *def;
  JsJoinSet     *set;      /* borrowed: valid while owned is, or for the
                            * action, which runs before anything drops it */
  JsJoinSet     *owned;    /* the test's only reference, or NULL */

  gint           armed;
  gint           fired;
  gint           acted;
  JsTestGate     kicked;   /* F-thread acts once the kick returned */
  JsTestGate     gate_kick;
  JsTestGate     gate_late;

  gint           pending;  /* joins and shutdowns not completed */
  gint           finalized;
  gint           join_hung;
  gint           join_by_id_failed; /* with another error than UNKNOWN_TASK */
  gint           total_made;
  gint           total_freed;

  GMutex         mutex;    /* guards n_recs */
  Rec            recs[MAX_RECS];
  guint          n_recs;
  Rec           *by_role[N_ROLES];

  GListModel    *model;    /* items-changed, notify-state: held from the start */
  GListModel    *taken;    /* what the action get-tasks took */
  gint           models_made;
  gint           models_finalized;
};

static void task_func (JsTask   *task,
                       gpointer  data);

static gboolean
role_in_thread (Role role)
{
  return role == ROLE_B || role == ROLE_D || role == ROLE_G ||
         role == ROLE_F_THREAD || role == ROLE_E_THREAD || role == ROLE_E_GATED;
}

static void
rec_data_free (gpointer data);

static void     async_start  (JsTask              *task,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             callback_data,
                              gpointer             user_data);
static gboolean async_finish (GObject             *source_object,
                              GAsyncResult        *result,
                              GValue              *value,
                              GError             **error);

static Rec *
spawn_rec (Cell *cell,
           Role  role)
{
  Rec *rec;

  g_mutex_lock (&cell->mutex);
  g_assert_cmpuint (cell->n_recs, <, MAX_RECS);
  rec = &cell->recs[cell->n_recs++];
  rec->cell = cell;
  rec->role = role;
  if (cell->by_role[role] == NULL)
    cell->by_role[role] = rec;
  g_mutex_unlock (&cell->mutex);

  if (role == ROLE_F_ASYNC || role == ROLE_E_ASYNC)
    {
      rec->file = g_file_new_for_path (".");
      g_object_set_data (G_OBJECT (rec->file), "reentrancy-rec", rec);
      rec->id = js_join_set_spawn_async (cell->set, async_start, async_finish, rec, rec_data_free);
    }
  else if (role_in_thread (role))
    rec->id = js_join_set_spawn_in_thread (cell->set, task_func, rec, rec_data_free);
  else
    rec->id = js_join_set_spawn (cell->set, task_func, rec, rec_data_free);

  return rec;
}

/* ------------------------------------------------------------------------
 * Firing: the first callback after the cell is armed performs the action
 * ------------------------------------------------------------------------ */

static void run_action (Cell *cell);

static void
fire (Cell *cell)
{
  if (!g_atomic_int_get (&cell->armed) ||
      !g_atomic_int_compare_and_exchange (&cell->fired, 0, 1))
    return;

  run_action (cell);
  g_atomic_int_set (&cell->acted, 1);
  g_main_context_wakeup (NULL);
}

static void
rec_data_free (gpointer data)
{
  Rec *rec = data;

  if (g_atomic_int_add (&rec->data_freed, 1) != 0)
    g_error ("user_data of task %s destroyed twice", role_names[rec->role]);
  g_clear_object (&rec->file);

  if (rec->cell->def->callback->kind == CB_USER_DATA_DESTROY && rec->role == ROLE_Q)
    fire (rec->cell);
  g_main_context_wakeup (NULL);
}

static void
on_result_freed (gpointer data)
{
  Rec *rec = data;

  if (rec->cell->def->callback->kind == CB_RESULT_DESTROY)
    fire (rec->cell);
  g_main_context_wakeup (NULL);
}

static void
produce (Rec    *rec,
         JsTask *task)
{
  Cell *cell = rec->cell;
  JsTestResultCounts counts = {
    &rec->result_made, &rec->result_freed,
    &cell->total_made, &cell->total_freed,
    on_result_freed, rec,
  };

  js_task_return_pointer (task, js_test_result_new (rec->role, rec, &counts),
                          js_test_result_free);
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  Rec *rec = data;
  CallbackKind kind = rec->cell->def->callback->kind;

  if ((kind == CB_CANCELLED_MAIN && rec->role == ROLE_C) ||
      (kind == CB_CANCELLED_THREAD && rec->role == ROLE_D))
    fire (rec->cell);
}

static void
task_func (JsTask   *task,
           gpointer  data)
{
  Rec *rec = data;
  Cell *cell = rec->cell;

  g_atomic_int_set (&rec->called, 1);

  switch (rec->role)
    {
    case ROLE_C:
    case ROLE_H:
      rec->held = g_object_ref (task);
      g_cancellable_connect (js_task_get_cancellable (task), G_CALLBACK (on_cancelled), rec, NULL);
      return;

    case ROLE_E_GATED:
      js_test_gate_pass (&cell->gate_late);
      break;

    case ROLE_D:
    case ROLE_G:
      g_cancellable_connect (js_task_get_cancellable (task), G_CALLBACK (on_cancelled), rec, NULL);
      js_test_gate_pass (rec->role == ROLE_D ? &cell->gate_kick : &cell->gate_late);
      break;

    case ROLE_F_THREAD:
      js_test_gate_pass (&cell->kicked);
      fire (cell);
      break;

    case ROLE_F_MAIN:
      fire (cell);
      break;

    case ROLE_A:
    case ROLE_B:
    case ROLE_Q:
    case ROLE_E_MAIN:
    case ROLE_E_THREAD:
    default:
      break;
    }

  produce (rec, task);
  g_atomic_int_set (&rec->returned, 1);
  g_main_context_wakeup (NULL);
}

/* The two functions of js_join_set_spawn_async(): a real GIO operation,
 * whose callback comes from GIO, in the set's context. The start function
 * acts with the operation in flight; the finish function, with the
 * operation's result in hand, before the library returns it to the task
 * (which the action may have aborted, or whose set it may have dropped). */

static void
on_info_finalized (gpointer  data,
                   GObject  *where_the_object_was)
{
  Rec *rec = data;

  g_atomic_int_inc (&rec->result_freed);
  g_atomic_int_inc (&rec->cell->total_freed);
  g_main_context_wakeup (NULL);
}

static void
async_start (JsTask              *task,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             callback_data,
             gpointer             user_data)
{
  Rec *rec = user_data;

  g_atomic_int_set (&rec->called, 1);
  g_file_query_info_async (rec->file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, cancellable, callback, callback_data);
  if (rec->cell->def->callback->kind == CB_ASYNC_START && rec->role == ROLE_F_ASYNC)
    fire (rec->cell);
}

static gboolean
async_finish (GObject       *source_object,
              GAsyncResult  *result,
              GValue        *value,
              GError       **error)
{
  Rec *rec = g_object_get_data (source_object, "reentrancy-rec");
  GFileInfo *info = g_file_query_info_finish (G_FILE (source_object), result, error);

  if (info != NULL)
    {
      g_atomic_int_inc (&rec->result_made);
      g_atomic_int_inc (&rec->cell->total_made);
      g_object_weak_ref (G_OBJECT (info), on_info_finalized, rec);
      g_value_init (value, G_TYPE_FILE_INFO);
      g_value_take_object (value, info);
    }

  if (rec->cell->def->callback->kind == CB_ASYNC_FINISH && rec->role == ROLE_F_ASYNC)
    fire (rec->cell);
  g_atomic_int_set (&rec->returned, 1);
  g_main_context_wakeup (NULL);

  return info != NULL;
}

/* The set's signals, and the callbacks of the joins the kicks start. */

static void
on_task_finished (JsJoinSet *set,
                  JsTask    *task,
                  gpointer   data)
{
  fire (data);
}

static void
on_task_progress (JsJoinSet *set,
                  JsTask    *task,
                  double     fraction,
                  gpointer   data)
{
  fire (data);
}

static void
on_task_started (JsJoinSet *set,
                 JsTask    *task,
                 gpointer   data)
{
  fire (data);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    data)
{
  fire (data);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    data)
{
  fire (data);
}

static void
on_set_finalized (gpointer  data,
                  GObject  *where_the_object_was)
{
  Cell *cell = data;

  g_atomic_int_inc (&cell->finalized);
  g_main_context_wakeup (NULL);
}

static void
on_model_finalized (gpointer  data,
                    GObject  *where_the_object_was)
{
  Cell *cell = data;

  g_atomic_int_inc (&cell->models_finalized);
}

/* Takes the set's list model, and counts it to check that it goes. */
static GListModel *
take_model (Cell *cell)
{
  GListModel *model = js_join_set_get_tasks (cell->set);

  g_atomic_int_inc (&cell->models_made);
  g_object_weak_ref (G_OBJECT (model), on_model_finalized, cell);

  return model;
}

static void
pending_done (Cell *cell)
{
  g_atomic_int_add (&cell->pending, -1);
  g_main_context_wakeup (NULL);
}

static void
join_next_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  Cell *cell = data;
  g_autoptr(GError) error = NULL;
  JsTask *task = js_join_set_join_next_finish (JS_JOIN_SET (object), result, &error);

  g_clear_object (&task);
  if (cell->def->callback->kind == CB_JOIN_NEXT)
    fire (cell);
  pending_done (cell);
}

static void
join_all_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  Cell *cell = data;
  g_autoptr(GError) error = NULL;
  GPtrArray *tasks = js_join_set_join_all_finish (JS_JOIN_SET (object), result, &error);

  g_clear_pointer (&tasks, g_ptr_array_unref);
  if (cell->def->callback->kind == CB_JOIN_ALL)
    fire (cell);
  pending_done (cell);
}

static void
join_by_id_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      data)
{
  Cell *cell = data;
  g_autoptr(GError) error = NULL;
  JsTask *task = js_join_set_join_by_id_finish (JS_JOIN_SET (object), result, &error);

  if (g_getenv ("JS_REENTRANCY_VERBOSE") != NULL)
    g_printerr ("%s: join_by_id_async: %s\n", cell->def->path, task != NULL ? "a task" : error->message);
  /* Its only ways out: the task, or the task left the set already. */
  if (task == NULL && !g_error_matches (error, JS_JOIN_ERROR, JS_JOIN_ERROR_UNKNOWN_TASK))
    g_atomic_int_set (&cell->join_by_id_failed, 1);
  g_clear_object (&task);
  if (cell->def->callback->kind == CB_JOIN_BY_ID)
    fire (cell);
  pending_done (cell);
}

static void
shutdown_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  Cell *cell = data;
  g_autoptr(GError) error = NULL;

  js_join_set_shutdown_finish (JS_JOIN_SET (object), result, &error);
  if (cell->def->callback->kind == CB_SHUTDOWN)
    fire (cell);
  pending_done (cell);
}

/* ------------------------------------------------------------------------
 * The actions
 * ------------------------------------------------------------------------ */

/* A watchdog for the blocking join: it cancels the join if it is still
 * waiting after the deadline, so a hang fails the cell with a message. */
typedef struct
{
  GMutex        mutex;
  GCond         cond;
  gboolean      done;
  GCancellable *cancellable;
} Watchdog;

static gpointer
watchdog_main (gpointer data)
{
  Watchdog *dog = data;
  gint64 deadline = g_get_monotonic_time () + CELL_DEADLINE_USEC;

  g_mutex_lock (&dog->mutex);
  while (!dog->done)
    if (!g_cond_wait_until (&dog->cond, &dog->mutex, deadline))
      break;
  if (!dog->done)
    g_cancellable_cancel (dog->cancellable);
  g_mutex_unlock (&dog->mutex);

  return NULL;
}

/* The blocking join_next(), or join_by_id() of @id when it is not 0. */
static void
action_join (Cell    *cell,
             guint64  id)
{
  Watchdog dog = { .cancellable = g_cancellable_new () };
  g_autoptr(GError) error = NULL;
  GThread *thread;
  JsTask *task;

  g_mutex_init (&dog.mutex);
  g_cond_init (&dog.cond);
  thread = g_thread_new ("reentrancy-watchdog", watchdog_main, &dog);

  if (id != 0)
    task = js_join_set_join_by_id (cell->set, id, dog.cancellable, &error);
  else
    task = js_join_set_join_next (cell->set, dog.cancellable, &error);
  if (g_getenv ("JS_REENTRANCY_VERBOSE") != NULL)
    g_printerr ("%s: blocking join: %s\n", cell->def->path,
                task != NULL ? "a task" : error != NULL ? error->message : "no task");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_atomic_int_set (&cell->join_hung, 1);
  else if (id != 0 && task == NULL && !g_error_matches (error, JS_JOIN_ERROR, JS_JOIN_ERROR_UNKNOWN_TASK))
    g_atomic_int_set (&cell->join_by_id_failed, 1);
  g_clear_object (&task);

  g_mutex_lock (&dog.mutex);
  dog.done = TRUE;
  g_cond_signal (&dog.cond);
  g_mutex_unlock (&dog.mutex);
  g_thread_join (thread);
  g_clear_object (&dog.cancellable);
  g_cond_clear (&dog.cond);
  g_mutex_clear (&dog.mutex);
}

/* Reads @model as a list view does, then drops it. */
static void
action_read_model (GListModel *model)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsTask) task = g_list_model_get_item (model, i);

      g_assert_nonnull (task);
      (void) js_task_get_state (task);
    }
  g_object_unref (model);
}

static void
run_action (Cell *cell)
{
  JsJoinSet *set = cell->set;
  JsTask *task;

  switch (cell->def->action->kind)
    {
    case ACT_UNREF:
      {
        guint refs = g_atomic_int_get (&G_OBJECT (set)->ref_count);

        g_object_unref (g_steal_pointer (&cell->owned));
        if (g_getenv ("JS_REENTRANCY_VERBOSE") != NULL)
          g_printerr ("%s: %u reference(s) before the unref, %s\n", cell->def->path, refs,
                      g_atomic_int_get (&cell->finalized) ? "finalized inside the callback" : "still alive after it");
      }
      break;

    case ACT_ABORT:
      (void) js_join_set_abort (set, cell->by_role[ROLE_H]->id);
      break;

    case ACT_ABORT_ALL:
      js_join_set_abort_all (set);
      break;

    case ACT_SPAWN_MAIN:
      spawn_rec (cell, ROLE_E_MAIN);
      break;

    case ACT_SPAWN_THREAD:
      spawn_rec (cell, ROLE_E_THREAD);
      break;

    case ACT_TRY_JOIN_NEXT:
      task = js_join_set_try_join_next (set);
      g_clear_object (&task);
      break;

    case ACT_JOIN_NEXT_ASYNC:
      g_atomic_int_inc (&cell->pending);
      js_join_set_join_next_async (set, NULL, join_next_cb, cell);
      break;

    case ACT_JOIN_NEXT:
      action_join (cell, 0);
      break;

    case ACT_DETACH_ALL:
      js_join_set_detach_all (set);
      break;

    case ACT_SHUTDOWN:
      g_atomic_int_inc (&cell->pending);
      js_join_set_shutdown_async (set, NULL, shutdown_cb, cell);
      break;

    case ACT_SET_MAX_CONCURRENT:
      js_join_set_set_max_concurrent (set, js_join_set_get_max_concurrent (set) == 1 ? 2 : 1);
      break;

    case ACT_SET_ORDERED:
      js_join_set_set_ordered (set, !js_join_set_get_ordered (set));
      break;

    case ACT_SET_ABORT_ON_ERROR:
      js_join_set_set_abort_on_error (set, !js_join_set_get_abort_on_error (set));
      break;

    case ACT_SET_ABORT_ON_SUCCESS:
      js_join_set_set_abort_on_success (set, !js_join_set_get_abort_on_success (set));
      break;

    case ACT_SET_DISCARD_RESULTS:
      js_join_set_set_discard_results (set, !js_join_set_get_discard_results (set));
      break;

    case ACT_SET_TIMEOUT:
      js_join_set_set_timeout (set, js_join_set_get_timeout (set) == 5000 ? 6000 : 5000);
      break;

    case ACT_CLOSE:
      js_join_set_close (set);
      break;

    case ACT_JOIN_BY_ID_ASYNC:
      g_atomic_int_inc (&cell->pending);
      js_join_set_join_by_id_async (set, cell->by_role[ROLE_H]->id, NULL, join_by_id_cb, cell);
      break;

    case ACT_JOIN_BY_ID:
      action_join (cell, cell->by_role[ROLE_A]->id);
      break;

    case ACT_SPAWN_ASYNC:
      spawn_rec (cell, ROLE_E_ASYNC);
      break;

    case ACT_GET_TASKS:
    case ACT_GET_TASKS_HELD:
      /* While anybody holds the model, the set gives the same one. */
      cell->taken = take_model (cell);
      if (cell->model != NULL && cell->taken != cell->model)
        g_error ("js_join_set_get_tasks() made a second model while the first was held");
      if (cell->def->action->kind == ACT_GET_TASKS)
        {
          /* In the rows that hold the model, its last reference goes
           * here, inside its own items-changed or a notify::state. */
          g_clear_object (&cell->model);
          action_read_model (g_steal_pointer (&cell->taken));
        }
      break;

    default:
      g_assert_not_reached ();
    }
}

/* ------------------------------------------------------------------------
 * Running a cell: set up, arm, kick, settle, check
 * ------------------------------------------------------------------------ */

typedef gboolean (*CellPredicate) (Cell *cell);

/* Iterates the default context until @pred holds, or the deadline. Thread
 * tasks wake the context when they change what the predicates read; the
 * short poll covers the gates, which do not. */
static gboolean
wait_for (Cell          *cell,
          CellPredicate  pred)
{
  gint64 deadline = g_get_monotonic_time () + CELL_DEADLINE_USEC;

  while (!pred (cell))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (200);
    }

  return TRUE;
}

static gboolean
population_ready (Cell *cell)
{
  for (Role role = ROLE_A; role <= ROLE_G; role++)
    if (!g_atomic_int_get (&cell->by_role[role]->called))
      return FALSE;

  return g_atomic_int_get (&cell->by_role[ROLE_A]->returned) &&
         g_atomic_int_get (&cell->by_role[ROLE_B]->returned) &&
         js_test_gate_get_entered (&cell->gate_kick) == 1 &&
         js_test_gate_get_entered (&cell->gate_late) == 1;
}

static gboolean
cell_acted (Cell *cell)
{
  return g_atomic_int_get (&cell->acted);
}

static void
release_held (Rec *rec)
{
  if (rec == NULL || rec->held == NULL)
    return;

  produce (rec, rec->held);
  g_atomic_int_set (&rec->returned, 1);
  g_clear_object (&rec->held);
}

static void
release_all (Cell *cell)
{
  js_test_gate_open (&cell->gate_kick);
  js_test_gate_open (&cell->gate_late);
  js_test_gate_open (&cell->kicked);
  release_held (cell->by_role[ROLE_C]);
  release_held (cell->by_role[ROLE_H]);
}

static gboolean
cell_settled (Cell *cell)
{
  if (!g_atomic_int_get (&cell->finalized) || g_atomic_int_get (&cell->pending) != 0)
    return FALSE;

  for (guint i = 0; i < cell->n_recs; i++)
    {
      Rec *rec = &cell->recs[i];

      if (g_atomic_int_get (&rec->data_freed) != 1 ||
          g_atomic_int_get (&rec->result_freed) != g_atomic_int_get (&rec->result_made))
        return FALSE;
    }

  return TRUE;
}

static void
set_up (Cell *cell)
{
  const CallbackDef *cb = cell->def->callback;

  cell->owned = js_join_set_new ();
  cell->set = cell->owned;
  g_object_weak_ref (G_OBJECT (cell->set), on_set_finalized, cell);

  /* The model exists before the first spawn, so that every task is in
   * it (a running task enters a later model only when it finishes). */
  if (cb->kind == CB_ITEMS_CHANGED || cb->kind == CB_NOTIFY_STATE)
    cell->model = take_model (cell);

  if (cb->kind == CB_TASK_FINISHED)
    g_signal_connect (cell->set, "task-finished", G_CALLBACK (on_task_finished), cell);
  else if (cb->kind == CB_TASK_PROGRESS)
    g_signal_connect (cell->set, "task-progress", G_CALLBACK (on_task_progress), cell);
  else if (cb->kind == CB_TASK_STARTED)
    g_signal_connect (cell->set, "task-started", G_CALLBACK (on_task_started), cell);
  else if (cb->kind == CB_ITEMS_CHANGED)
    g_signal_connect (cell->model, "items-changed", G_CALLBACK (on_items_changed), cell);
  else if (cb->kind == CB_NOTIFY_STATE)
    ; /* on C, once it runs: below */
  else if (cb->property != NULL)
    {
      g_autofree char *signal = g_strconcat ("notify::", cb->property, NULL);

      g_signal_connect (cell->set, signal, G_CALLBACK (on_notify), cell);
    }

  for (Role role = ROLE_A; role <= ROLE_G; role++)
    spawn_rec (cell, role);

  if (!wait_for (cell, population_ready))
    g_error ("%s: the tasks did not start within the deadline", cell->def->path);

  /* C's state goes to finished when the kick completes it. */
  if (cb->kind == CB_NOTIFY_STATE)
    g_signal_connect (cell->by_role[ROLE_C]->held, "notify::state", G_CALLBACK (on_notify), cell);

  /* Let the notifications and signals of the start go by, unarmed. */
  js_test_iterate_pending (NULL);
}

/* Changes @property with its own setter, not g_object_set(), which would
 * hold a reference of its own across the notification. */
static void
kick_setter (JsJoinSet  *set,
             const char *property)
{
  if (g_str_equal (property, "abort-on-error"))
    js_join_set_set_abort_on_error (set, TRUE);
  else if (g_str_equal (property, "abort-on-success"))
    js_join_set_set_abort_on_success (set, TRUE);
  else if (g_str_equal (property, "discard-results"))
    js_join_set_set_discard_results (set, TRUE);
  else if (g_str_equal (property, "max-concurrent"))
    js_join_set_set_max_concurrent (set, 3);
  else if (g_str_equal (property, "ordered"))
    js_join_set_set_ordered (set, TRUE);
  else if (g_str_equal (property, "timeout"))
    js_join_set_set_timeout (set, 3000);
  else
    g_assert_not_reached ();
}

/* Changes a counter to a value it never had while the population
 * started. A counter is notified when it differs from the value it had at
 * its last notification, read by the library a moment before the handler
 * could read it: only a value out of reach of the set-up is sure to be
 * notified. The set-up has 6 tasks, at most 6 queued or running and 2
 * finished.
 *
 * n-running: 3 more thread tasks block on the late gate: 7 running.
 * The others, with max-concurrent 1: 7 more tasks wait for a slot (7
 * queued, 13 spawned and in the set) and C, D and H finish (5 finished,
 * a progress of 5/13, a fraction no set-up of 6 tasks reaches). */
static void
kick_counter (Cell *cell)
{
  if (g_str_equal (cell->def->callback->property, "n-running"))
    {
      for (guint i = 0; i < 3; i++)
        spawn_rec (cell, ROLE_E_GATED);
      return;
    }

  for (guint i = 0; i < 7; i++)
    spawn_rec (cell, i < 4 ? ROLE_E_MAIN : ROLE_E_THREAD);
  release_held (cell->by_role[ROLE_C]);
  release_held (cell->by_role[ROLE_H]);
  js_test_gate_open (&cell->gate_kick);
}

/* Calls the entry point that fires the cell's callback. */
static void
kick (Cell *cell)
{
  const CallbackDef *cb = cell->def->callback;
  JsJoinSet *set = cell->set;
  Rec *q;

  switch (cb->kind)
    {
    case CB_TASK_FUNC_MAIN:
      spawn_rec (cell, ROLE_F_MAIN);
      break;

    case CB_TASK_FUNC_THREAD:
      spawn_rec (cell, ROLE_F_THREAD);
      /* The function acts once the spawn returned: the test does not
       * touch the set afterwards, so "unref" races nothing of its own. */
      js_test_gate_open (&cell->kicked);
      break;

    case CB_CANCELLED_MAIN:
      (void) js_join_set_abort (set, cell->by_role[ROLE_C]->id);
      break;

    case CB_CANCELLED_THREAD:
      js_join_set_abort_all (set);
      break;

    case CB_USER_DATA_DESTROY:
      /* Aborting Q before it started destroys its user_data inside
       * js_join_set_abort(). */
      q = spawn_rec (cell, ROLE_Q);
      (void) js_join_set_abort (set, q->id);
      break;

    case CB_RESULT_DESTROY:
      js_join_set_detach_all (set);
      break;

    case CB_JOIN_NEXT:
      g_atomic_int_inc (&cell->pending);
      js_join_set_join_next_async (set, NULL, join_next_cb, cell);
      break;

    case CB_JOIN_ALL:
      g_atomic_int_inc (&cell->pending);
      js_join_set_join_all_async (set, NULL, join_all_cb, cell);
      release_all (cell);
      break;

    case CB_SHUTDOWN:
      g_atomic_int_inc (&cell->pending);
      js_join_set_shutdown_async (set, NULL, shutdown_cb, cell);
      js_test_gate_open (&cell->gate_kick);
      js_test_gate_open (&cell->gate_late);
      break;

    case CB_TASK_FINISHED:
      release_held (cell->by_role[ROLE_C]);
      break;

    case CB_TASK_PROGRESS:
      js_task_set_progress (cell->by_role[ROLE_C]->held, 0.5);
      break;

    case CB_NOTIFY_SETTER:
      kick_setter (set, cb->property);
      break;

    case CB_NOTIFY_COUNTER:
      kick_counter (cell);
      break;

    case CB_TASK_STARTED:
    case CB_ITEMS_CHANGED:
      spawn_rec (cell, ROLE_E_MAIN);
      break;

    case CB_JOIN_BY_ID:
      g_atomic_int_inc (&cell->pending);
      js_join_set_join_by_id_async (set, cell->by_role[ROLE_A]->id, NULL, join_by_id_cb, cell);
      break;

    case CB_NOTIFY_STATE:
      release_held (cell->by_role[ROLE_C]);
      break;

    case CB_ASYNC_START:
    case CB_ASYNC_FINISH:
      spawn_rec (cell, ROLE_F_ASYNC);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
check (Cell    *cell,
       GString *problems)
{
  if (!g_atomic_int_get (&cell->finalized))
    g_string_append (problems, "\n  the set was not finalized");
  if (g_atomic_int_get (&cell->pending) != 0)
    g_string_append_printf (problems, "\n  %d join(s) or shutdown(s) never completed",
                            g_atomic_int_get (&cell->pending));
  if (g_atomic_int_get (&cell->join_hung))
    g_string_append (problems, "\n  the blocking join in the callback did not return within the deadline");
  if (g_atomic_int_get (&cell->join_by_id_failed))
    g_string_append (problems, "\n  a join by id gave neither its task nor JS_JOIN_ERROR_UNKNOWN_TASK");
  if (g_atomic_int_get (&cell->models_finalized) != g_atomic_int_get (&cell->models_made))
    g_string_append_printf (problems, "\n  %d list model(s) taken, %d finalized once dropped",
                            g_atomic_int_get (&cell->models_made),
                            g_atomic_int_get (&cell->models_finalized));

  for (guint i = 0; i < cell->n_recs; i++)
    {
      Rec *rec = &cell->recs[i];
      gint data_freed = g_atomic_int_get (&rec->data_freed);
      gint made = g_atomic_int_get (&rec->result_made);
      gint freed = g_atomic_int_get (&rec->result_freed);

      if (data_freed != 1)
        g_string_append_printf (problems, "\n  user_data of task %s (id %" G_GUINT64_FORMAT ") destroyed %d times",
                                role_names[rec->role], rec->id, data_freed);
      if (made != freed)
        g_string_append_printf (problems, "\n  result of task %s (id %" G_GUINT64_FORMAT ") made %d times, freed %d times",
                                role_names[rec->role], rec->id, made, freed);
    }
}

/* Kept reachable for LeakSanitizer (see run_cell() and main()); volatile,
 * or the compiler drops stores to statics nobody reads. */
static Cell *volatile last_cell;
static CellDef *volatile cell_defs;

static void
run_cell (const CellDef *def)
{
  /* On the heap and never freed on failure: a callback may still run
   * while the child process reports and exits. */
  Cell *cell = g_new0 (Cell, 1);
  g_autoptr(GString) problems = g_string_new (NULL);

  cell->def = def;
  g_mutex_init (&cell->mutex);
  js_test_gate_init (&cell->kicked);
  js_test_gate_init (&cell->gate_kick);
  js_test_gate_init (&cell->gate_late);

  set_up (cell);

  /* Hold the counters' new tasks in the queue (see kick_counter()). */
  if (def->callback->kind == CB_NOTIFY_COUNTER &&
      !g_str_equal (def->callback->property, "n-running"))
    js_join_set_set_max_concurrent (cell->set, 1);

  g_atomic_int_set (&cell->armed, 1);
  kick (cell);

  if (!wait_for (cell, cell_acted))
    g_error ("%s: the callback did not fire after %s", def->path, def->callback->kick);

  /* Let everything finish, drop the test's reference if the action did
   * not, and wait for the set to go. */
  release_all (cell);
  g_clear_object (&cell->owned);
  wait_for (cell, cell_settled);

  /* The set went while the models were held: drop them now. */
  g_clear_object (&cell->model);
  g_clear_object (&cell->taken);

  check (cell, problems);
  if (problems->len > 0)
    g_error ("%s (fired by %s):%s", def->path, def->callback->kick, problems->str);

  /* Not freed: a worker that just counted a destroy notify may still be
   * reading the cell on its way out (ThreadSanitizer saw it). Each cell
   * runs in a process of its own, which exits next; the static keeps the
   * cell reachable, so LeakSanitizer does not report it. */
  last_cell = cell;
}

/* Why a cell is not run, or NULL: see the comment at the top. */
static const char *
cell_skip_reason (const CellDef *def)
{
  if (def->callback->kind == CB_TASK_FUNC_THREAD &&
      (def->action->kind == ACT_GET_TASKS || def->action->kind == ACT_GET_TASKS_HELD))
    return "the list model is for the set's main context only, and a thread task's function runs on a worker";

  return NULL;
}

static void
test_cell (gconstpointer data)
{
  const CellDef *def = data;
  const char *skip = cell_skip_reason (def);

  if (skip != NULL)
    {
      g_test_skip (skip);
      return;
    }

  if (g_test_subprocess ())
    {
      run_cell (def);
      return;
    }

  g_test_summary ("A callback performs an action on the set that invoked it; "
                  "the set stays sound, is finalized, and frees everything once.");
  g_test_trap_subprocess (NULL, CELL_SUBPROCESS_USEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  gsize n_cells = G_N_ELEMENTS (callbacks) * G_N_ELEMENTS (actions);
  CellDef *defs = g_new0 (CellDef, n_cells);
  int status;

  g_test_init (&argc, &argv, NULL);

  /* A failing cell fails its path and the matrix goes on. */
  if (!g_test_subprocess ())
    g_test_set_nonfatal_assertions ();

  for (gsize c = 0; c < G_N_ELEMENTS (callbacks); c++)
    for (gsize a = 0; a < G_N_ELEMENTS (actions); a++)
      {
        CellDef *def = &defs[c * G_N_ELEMENTS (actions) + a];

        def->callback = &callbacks[c];
        def->action = &actions[a];
        def->path = g_strdup_printf ("/join-set/reentrancy/%s/%s",
                                     callbacks[c].name, actions[a].name);
        g_test_add_data_func (def->path, def, test_cell);
      }

  status = g_test_run ();

  /* The table is not freed either: a worker may still be reading a cell's
   * definition from a destroy notify as the process exits (ThreadSanitizer
   * saw it). It stays reachable through a static for LeakSanitizer. */
  cell_defs = defs;

  return status;
}
