/* js-completion.c: how a task gets its outcome
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every task leaves the run queue through _js_completion_complete_locked():
 * returned by its producer, aborted (abort, abort_all, a timeout, the
 * parent cancellable, shutdown, dispose) or abandoned. Completion gives
 * the slot back, keeps the outcome for a join (or discards it), applies
 * the abort-on-error and abort-on-success policies and serves waiters.
 */

#include "config.h"

#include "js-core-private.h"

/* Keeps track of a running thread task whose outcome the set no longer
 * waits for, until its function returns (see js-runner.c), so that a
 * shutdown stuck on it can name it. */
static void
linger_locked (JsCore *core,
               JsTask *task)
{
  JS_CORE_ASSERT_LOCKED (core);

  if (!task->in_thread || task->func_done || task->lingering)
    return;

  task->lingering = TRUE;
  _js_list_push_tail (&core->lingering, &task->link);
}

/* Takes @task out of the queue of its state, and out of the counters. */
static void
leave_queue_locked (JsCore      *core,
                    JsTask      *task,
                    JsTaskStage  prev)
{
  JS_CORE_ASSERT_LOCKED (core);

  switch (prev)
    {
    case JS_TASK_QUEUED:
      _js_list_unlink (&core->queue, &task->link);
      core->n_queued--;
      break;

    case JS_TASK_READY:
      _js_list_unlink (task->in_thread ? &core->thread_ready : &core->main_ready,
                      &task->link);
      core->n_queued--;
      break;

    case JS_TASK_RUNNING:
      if (!task->detached)
        _js_list_unlink (&core->running, &task->link);
      core->n_running--;
      break;

    case JS_TASK_COMPLETED:
    case JS_TASK_JOINED:
    default:
      g_assert_not_reached ();
    }
}

/* The timeout of @task, if it has one, is moot. */
static void
drop_timer_locked (JsCore  *core,
                   JsTask  *task,
                   JsFlush *flush)
{
  GSource *timer = NULL;

  JS_CORE_ASSERT_LOCKED (core);

  if (!task->has_timer)
    return;

  task->has_timer = FALSE;
  if (g_hash_table_steal_extended (core->timers, &task->id, NULL, (gpointer *) &timer))
    _js_flush_add_source (flush, timer);
}

/* A completed stand-in for the running @task, for the consumer, when the
 * core must not take a reference on @task itself (see
 * _js_completion_complete_locked()). */
static JsTask *
new_stand_in_locked (JsCore *core,
                     JsTask *task)
{
  JsTask *self = g_object_new (G_OBJECT_TYPE (task), NULL);

  JS_CORE_ASSERT_LOCKED (core);

  self->core = _js_core_ref (core);
  self->id = task->id;
  if (task->extra != NULL)
    {
      self->extra = g_new0 (JsTaskExtra, 1);
      self->extra->name = g_strdup (task->extra->name);
      self->extra->progress = task->extra->progress;
    }
  self->in_thread = task->in_thread;
  self->returned = TRUE;
  self->state = JS_TASK_COMPLETED;
  if (task->started)
    {
      self->cancellable = task->cancellable != NULL ? g_object_ref (task->cancellable) : NULL;
      self->started = TRUE;
      self->cancel_state = g_atomic_int_get (&task->cancel_state);
    }

  return self;
}

/* The task object a join will hand out for @task, which just completed:
 * @task itself with a new reference, or a stand-in. */
static JsTask *
joinable_locked (JsCore      *core,
                 JsTask      *task,
                 JsTaskStage  prev,
                 gboolean     producer_ref)
{
  JsTask *joinable;

  JS_CORE_ASSERT_LOCKED (core);

  /* Queued and ready tasks are held by the core's queue already. */
  if (prev != JS_TASK_RUNNING)
    return task;

  /* Kept alive by its producer only: take a reference for the completed
   * queue. */
  if (producer_ref)
    return g_object_ref (task);

  joinable = new_stand_in_locked (core, task);
  _js_id_table_insert (&core->tasks, joinable->id, joinable);
  linger_locked (core, task);

  return joinable;
}

/* Hands @joinable to the join by id that waits for it, keeps it for a
 * join, or frees it at once in a set that discards results, and queues
 * task-finished for it if anyone listens. */
static void
keep_locked (JsCore  *core,
             JsTask  *joinable,
             gboolean emit_finished,
             gboolean failed,
             JsFlush *flush)
{
  JS_CORE_ASSERT_LOCKED (core);

  /* A join by id waits for it: handed over, even in a set that discards
   * results (the join asked for it). */
  if (_js_waiter_claim_locked (core, joinable, flush))
    {
      if (emit_finished)
        {
          g_queue_push_tail (&core->emit_finished_queue, g_object_ref (joinable));
          _js_core_arm_locked (core, flush);
        }
      return;
    }

  if (!core->discard_results)
    {
      _js_list_push_tail (&core->completed, &joinable->link);
      if (emit_finished)
        {
          g_queue_push_tail (&core->emit_finished_queue, g_object_ref (joinable));
          _js_core_arm_locked (core, flush);
        }
      return;
    }

  /* Freed at once, unless task-finished (or a warning, for a failure)
   * still needs it. */
  joinable->state = JS_TASK_JOINED;
  joinable->discarded = TRUE;
  _js_id_table_remove (&core->tasks, joinable->id);
  core->length--;
  _js_core_list_remove_locked (core, joinable->id, flush);
  if (emit_finished || failed)
    {
      g_queue_push_tail (&core->emit_finished_queue, joinable);
      _js_core_arm_locked (core, flush);
    }
  else
    {
      _js_core_unref_task_locked (core, flush, joinable);
    }
}

/* Tells the list model that @task finished. A task it does not have (one
 * that ran, unreferenced by the set, when the model was made) enters it
 * now, as @joinable, which the set holds. */
static void
list_finished_locked (JsCore  *core,
                      JsTask  *task,
                      JsTask  *joinable,
                      JsFlush *flush)
{
  JS_CORE_ASSERT_LOCKED (core);

  if (G_LIKELY (core->n_lists == 0))
    return;

  if (task->in_list)
    _js_core_list_record_locked (core, JS_CORE_LIST_STATE, NULL, task->id, flush);
  else if (!core->discard_results)
    _js_core_list_record_locked (core, JS_CORE_LIST_ADD, joinable, joinable->id, flush);
}

/* Gives @task its outcome (taking ownership of @result) and, unless the
 * set no longer wants it, puts it in the completed queue.
 *
 * @producer_ref tells whether the caller holds a live reference to a
 * running @task (the producer returning its result). Otherwise (abort,
 * abandonment) the producer may be dropping its last reference on another
 * thread at this very moment, and taking a new one would resurrect the
 * task from its dispose(): GLib 2.74's g_object_unref() touches a
 * resurrected object after releasing its own reference, so another thread
 * could free it under its feet. The consumer then gets a stand-in: a new
 * task object with the same id and name. */
void
_js_completion_complete_locked (JsCore   *core,
                                JsTask   *task,
                                JsResult *result,
                                gboolean  producer_ref,
                                JsFlush  *flush)
{
  JsTaskStage prev = task->state;
  JsTask *joinable;
  gboolean failed, succeeded;

  JS_CORE_ASSERT_LOCKED (core);
  g_assert (prev < JS_TASK_COMPLETED);

  task->state = JS_TASK_COMPLETED;
  leave_queue_locked (core, task, prev);
  core->n_finished++;
  _js_core_arm_later_locked (core, flush);
  drop_timer_locked (core, task, flush);

  /* A thread task holds its slot until its function returns; a task in
   * the context holds it until it completes. */
  if (!task->in_thread || prev != JS_TASK_RUNNING)
    _js_run_queue_release_slot_locked (core, task, flush);

  if (task->detached || core->disposed)
    {
      /* Nobody will join it: drop the reference the queue held. */
      _js_task_set_result_locked (task, result);
      if (prev != JS_TASK_RUNNING)
        _js_core_unref_task_locked (core, flush, task);
      task->state = JS_TASK_JOINED;
      return;
    }

  joinable = joinable_locked (core, task, prev, producer_ref);
  _js_task_set_result_locked (joinable, result);
  list_finished_locked (core, task, joinable, flush);

  failed = _js_task_failed (joinable);
  succeeded = joinable->result_kind != JS_RESULT_ERROR;
  keep_locked (core, joinable, task->emit_finished, failed, flush);

  if ((core->abort_on_error && failed) || (core->abort_on_success && succeeded))
    _js_completion_abort_all_locked (core, flush);

  _js_waiter_serve_locked (core, flush);
}

/* Ends @task with @error (owned), or the abort error if it is %NULL: an
 * unstarted task never runs, a running one is cancelled.
 *
 * A running task of the set's context is cancelled from that context, soon
 * after, when the set is disposed (the dispose may run in another thread,
 * or in a garbage collector that cannot run its handlers) or when
 * @cancel_in_context says so (a timeout, in the timer thread). */
void
_js_completion_abort_with_error_locked (JsCore   *core,
                                        JsTask   *task,
                                        GError   *error,
                                        gboolean  cancel_in_context,
                                        JsFlush  *flush)
{
  JsResult result = { JS_RESULT_ERROR };

  JS_CORE_ASSERT_LOCKED (core);

  /* NULL stands for the abort error, built only if it is propagated:
   * aborting a million queued tasks builds no GError. */
  result.u.error = error;

  if (task->state == JS_TASK_RUNNING)
    {
      /* A task that never asked for its cancellable only gets the flag:
       * js_task_get_cancellable() hands out a cancelled one later. */
      g_atomic_int_or (&task->cancel_state, JS_TASK_ABORTED);
      if (task->cancellable != NULL)
        {
          if ((core->disposed || cancel_in_context) && !task->in_thread)
            _js_flush_add_cancel_in_context (flush, g_object_ref (task->cancellable));
          else
            _js_flush_add_cancel (flush, g_object_ref (task->cancellable));
        }
    }
  else if (task->user_data_destroy != NULL)
    {
      /* It never ran, and never will: nobody else holds user_data. */
      _js_core_release_locked (core, flush, task->user_data_destroy, task->user_data);
      task->user_data = NULL;
      task->user_data_destroy = NULL;
    }

  _js_completion_complete_locked (core, task, &result, FALSE, flush);
}

static void
abort_locked (JsCore  *core,
              JsTask  *task,
              JsFlush *flush)
{
  _js_completion_abort_with_error_locked (core, task, NULL, FALSE, flush);
}

static void
abort_queue_locked (JsCore  *core,
                    JsList  *queue,
                    JsFlush *flush)
{
  JsLink *link = queue->head;

  JS_CORE_ASSERT_LOCKED (core);

  while (link != NULL)
    {
      JsLink *next = link->next;
      JsTask *task = JS_TASK_OF_LINK (link);

      if (!task->detached)
        abort_locked (core, task, flush);

      link = next;
    }
}

void
_js_completion_abort_all_locked (JsCore  *core,
                                 JsFlush *flush)
{
  JS_CORE_ASSERT_LOCKED (core);

  /* Queued tasks first: they hold no slot, so aborting them starts
   * nothing. Aborting the others frees slots, which only detached tasks
   * (skipped here) can take. */
  abort_queue_locked (core, &core->queue, flush);
  abort_queue_locked (core, &core->main_ready, flush);
  abort_queue_locked (core, &core->thread_ready, flush);
  abort_queue_locked (core, &core->running, flush);
}

/* Results nobody joined: freed (after the lock). */
static void
drop_completed_locked (JsCore  *core,
                       JsFlush *flush)
{
  JsLink *link;

  JS_CORE_ASSERT_LOCKED (core);

  while ((link = _js_list_pop_head (&core->completed)) != NULL)
    {
      JsTask *task = JS_TASK_OF_LINK (link);

      task->state = JS_TASK_JOINED;
      _js_core_unref_task_locked (core, flush, task);
    }
}

/* Drops every task, for a set being disposed: unfinished ones are aborted
 * (queued ones never run, running ones are cancelled), results nobody
 * joined are freed. As the core is disposed, completion keeps nothing. */
void
_js_completion_drop_all_locked (JsCore  *core,
                                JsFlush *flush)
{
  JsList *unstarted[] = { &core->queue, &core->main_ready, &core->thread_ready };
  JsLink *link;

  JS_CORE_ASSERT_LOCKED (core);
  g_assert (core->disposed);

  _js_completion_abort_all_locked (core, flush);
  drop_completed_locked (core, flush);

  /* Detached tasks that have not started need the set to run: they are
   * dropped with it. */
  for (guint i = 0; i < G_N_ELEMENTS (unstarted); i++)
    {
      link = unstarted[i]->head;
      while (link != NULL)
        {
          JsLink *next = link->next;
          JsTask *task = JS_TASK_OF_LINK (link);

          g_assert (task->detached);
          abort_locked (core, task, flush);
          link = next;
        }
    }

  _js_id_table_remove_all (&core->tasks);
  core->length = 0;
}

/* js_join_set_abort(). Returns whether the task had not finished. */
gboolean
_js_completion_abort (JsCore  *core,
                      guint64  id)
{
  JsFlush flush = JS_FLUSH_INIT;
  gboolean aborted = FALSE;
  JsTask *task;

  _js_core_lock (core);
  task = _js_id_table_lookup (&core->tasks, id);
  if (task != NULL && task->state < JS_TASK_COMPLETED)
    {
      abort_locked (core, task, &flush);
      aborted = TRUE;
    }
  _js_core_unlock_and_flush (core, &flush);

  return aborted;
}

/* js_join_set_abort_all(). */
void
_js_completion_abort_all (JsCore *core)
{
  JsFlush flush = JS_FLUSH_INIT;

  _js_core_lock (core);
  _js_completion_abort_all_locked (core, &flush);
  _js_core_unlock_and_flush (core, &flush);
}

/* js_join_set_detach_all(): unfinished tasks run on, detached; results
 * nobody joined are freed; the set is empty. */
void
_js_completion_detach_all (JsCore *core)
{
  JsList *unstarted[] = { &core->queue, &core->main_ready, &core->thread_ready };
  JsFlush flush = JS_FLUSH_INIT;
  JsLink *link;

  _js_core_lock (core);

  drop_completed_locked (core, &flush);

  while ((link = _js_list_pop_head (&core->running)) != NULL)
    {
      JS_TASK_OF_LINK (link)->detached = TRUE;
      linger_locked (core, JS_TASK_OF_LINK (link));
    }

  for (guint i = 0; i < G_N_ELEMENTS (unstarted); i++)
    for (link = unstarted[i]->head; link != NULL; link = link->next)
      JS_TASK_OF_LINK (link)->detached = TRUE;

  _js_id_table_remove_all (&core->tasks);
  core->length = 0;
  _js_waiter_fail_claims_locked (core, &flush);
  if (core->n_lists > 0)
    _js_core_list_record_locked (core, JS_CORE_LIST_CLEAR, NULL, 0, &flush);
  _js_core_arm_locked (core, &flush);
  _js_waiter_serve_locked (core, &flush);

  _js_core_unlock_and_flush (core, &flush);
}

/* For a shutdown: aborts every unfinished task (pending joins are served
 * with the aborted tasks first, joins by id included), then frees the
 * results nobody joined. The set is empty afterwards. */
void
_js_completion_clear_locked (JsCore  *core,
                             JsFlush *flush)
{
  JS_CORE_ASSERT_LOCKED (core);

  _js_completion_abort_all_locked (core, flush);
  drop_completed_locked (core, flush);

  /* Every task left was completed, and is dropped now: from the list
   * model too. */
  _js_id_table_remove_all (&core->tasks);
  core->length = 0;
  if (core->n_lists > 0)
    _js_core_list_record_locked (core, JS_CORE_LIST_CLEAR, NULL, 0, flush);
  _js_core_arm_locked (core, flush);
  _js_waiter_serve_locked (core, flush);
}
