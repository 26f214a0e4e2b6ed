/* js-completion.c: how a task gets its outcome: completion, aborts, policies
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "js-i18n-private.h"
#include "js-join-error.h"
#include "js-core-private.h"

/* Keeps track of a running thread task whose outcome the set no longer
 * waits for, until its function returns (see _js_runner_drain()), so that a
 * shutdown stuck on it can name it. */
void
_js_completion_linger_locked (JsCore *core,
                      JsTask *task)
{
  if (!task->in_thread || task->func_done || task->lingering)
    return;

  task->lingering = TRUE;
  g_queue_push_tail_link (&core->lingering, &task->link);
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
 * could free it under its feet. The consumer then gets a new task object
 * with the same id and name instead. */
void
_js_completion_complete_locked (JsCore   *core,
                 JsTask   *task,
                 JsResult *result,
                 gboolean  producer_ref,
                 JsFlush  *flush)
{
  JsTaskState prev = task->state;
  JsTask *joinable = task;
  gboolean failed, succeeded;

  g_assert (prev < JS_TASK_COMPLETED);

  task->state = JS_TASK_COMPLETED;

  switch (prev)
    {
    case JS_TASK_QUEUED:
      g_queue_unlink (&core->queue, &task->link);
      core->n_queued--;
      break;

    case JS_TASK_READY:
      g_queue_unlink (task->in_thread ? &core->thread_ready : &core->main_ready,
                      &task->link);
      core->n_queued--;
      break;

    case JS_TASK_RUNNING:
      if (!task->detached)
        g_queue_unlink (&core->running, &task->link);
      core->n_running--;
      break;

    default:
      g_assert_not_reached ();
    }

  core->n_finished++;
  _js_core_arm_later_locked (core, flush);

  if (task->has_timer)
    {
      GSource *timer = NULL;

      task->has_timer = FALSE;
      if (g_hash_table_steal_extended (core->timers, &task->id, NULL, (gpointer *) &timer))
        _js_flush_add_source (flush, timer);
    }

  /* A thread task holds its slot until its function returns; a task in
   * the context holds it until it completes. */
  if (!task->in_thread || prev != JS_TASK_RUNNING)
    _js_run_queue_release_slot_locked (core, task, flush);

  if (task->detached || core->disposed)
    {
      /* Nobody will join it: drop the reference the queue held. */
      task->result = *result;
      memset (result, 0, sizeof *result);
      if (prev != JS_TASK_RUNNING)
        _js_flush_add_unref (flush, task);
      task->state = JS_TASK_JOINED;
      return;
    }

  if (prev == JS_TASK_RUNNING)
    {
      if (producer_ref)
        {
          /* Kept alive by its producer only: take a reference for the
           * completed queue. */
          g_object_ref (task);
        }
      else
        {
          joinable = _js_task_new_completed (task);
          _js_id_table_insert (&core->tasks, joinable->id, joinable);
          _js_completion_linger_locked (core, task);
        }
    }

  joinable->result = *result;
  memset (result, 0, sizeof *result);

  failed = _js_result_failed (&joinable->result);
  succeeded = joinable->result.kind != JS_RESULT_ERROR;

  if (core->discard_results)
    {
      /* Freed at once, unless task-finished (or a warning, for a failure)
       * still needs it. */
      joinable->state = JS_TASK_JOINED;
      joinable->discarded = TRUE;
      _js_id_table_remove (&core->tasks, joinable->id);
      core->length--;
      if (task->emit_finished || failed)
        {
          g_queue_push_tail (&core->emit_finished_queue, joinable);
          _js_core_arm_locked (core, flush);
        }
      else
        {
          _js_flush_add_unref (flush, joinable);
        }
    }
  else
    {
      g_queue_push_tail_link (&core->completed, &joinable->link);
      if (task->emit_finished)
        {
          g_queue_push_tail (&core->emit_finished_queue, g_object_ref (joinable));
          _js_core_arm_locked (core, flush);
        }
    }

  if ((core->abort_on_error && failed) || (core->abort_on_success && succeeded))
    _js_completion_abort_all_locked (core, flush);

  _js_waiter_serve_locked (core, flush);
}

/* Ends @task with @error (owned), or the abort error if it is %NULL:
 * an unstarted task never runs, a running one is cancelled. */
void
_js_completion_abort_with_error_locked (JsCore  *core,
                              JsTask  *task,
                              GError  *error,
                              JsFlush *flush)
{
  JsResult result = { JS_RESULT_ERROR };

  /* NULL stands for the abort error, built only if it is propagated:
   * aborting a million queued tasks builds no GError. */
  result.u.error = error;

  if (task->state == JS_TASK_RUNNING)
    {
      /* When the set is disposed, or a timeout fires in the timer thread,
       * tasks of the set's context are cancelled from that context, soon
       * after: the dispose may run in another thread, or in a garbage
       * collector that cannot run their handlers. */
      GPtrArray **cancel = (core->disposed || flush->in_timer) && !task->in_thread ?
                           &flush->cancel_in_context : &flush->cancel;

      if (*cancel == NULL)
        *cancel = g_ptr_array_new ();
      g_ptr_array_add (*cancel, g_object_ref (task->cancellable));
    }
  else if (task->user_data_destroy != NULL)
    {
      /* It never ran, and never will: nobody else holds user_data. */
      JsDestroy d = { task->user_data, task->user_data_destroy };

      if (flush->destroy == NULL)
        flush->destroy = g_array_new (FALSE, FALSE, sizeof (JsDestroy));
      g_array_append_val (flush->destroy, d);
      task->user_data = NULL;
      task->user_data_destroy = NULL;
    }

  _js_completion_complete_locked (core, task, &result, FALSE, flush);
}

void
_js_completion_abort_locked (JsCore  *core,
                   JsTask  *task,
                   JsFlush *flush)
{
  _js_completion_abort_with_error_locked (core, task, NULL, flush);
}

void
abort_list_locked (JsCore  *core,
                   GQueue  *queue,
                   JsFlush *flush)
{
  GList *link = queue->head;

  while (link != NULL)
    {
      GList *next = link->next;
      JsTask *task = link->data;

      if (!task->detached)
        _js_completion_abort_locked (core, task, flush);

      link = next;
    }
}

void
_js_completion_abort_all_locked (JsCore  *core,
                  JsFlush *flush)
{
  /* Queued tasks first: they hold no slot, so aborting them starts
   * nothing. Aborting the others frees slots, which only detached tasks
   * (skipped here) can take. */
  abort_list_locked (core, &core->queue, flush);
  abort_list_locked (core, &core->main_ready, flush);
  abort_list_locked (core, &core->thread_ready, flush);
  abort_list_locked (core, &core->running, flush);
}
