/* js-core-lifecycle.c: the dispose of a core, and its parent cancellable
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "js-i18n-private.h"
#include "js-join-error.h"
#include "js-core-private.h"

void
_js_core_dispose (JsCore *core)
{
  JsFlush flush = JS_FLUSH_INIT;
  GQueue *lists[] = { &core->queue, &core->main_ready, &core->thread_ready };
  GQueue deliver;
  JsTask *task_ref;
  GSource *source;
  GList *link;

  g_mutex_lock (&core->mutex);

  /* GObject may run dispose again, if it was resurrected. */
  if (core->disposed)
    {
      g_mutex_unlock (&core->mutex);
      return;
    }

  core->closed = TRUE;
  core->disposed = TRUE;

  /* Unfinished tasks: queued ones never run, running ones are cancelled.
   * As the core is disposed, _js_completion_complete_locked() keeps none of them. */
  _js_completion_abort_all_locked (core, &flush);

  /* Results nobody joined. */
  while ((link = g_queue_pop_head_link (&core->completed)) != NULL)
    {
      JsTask *task = link->data;

      task->state = JS_TASK_JOINED;
      _js_flush_add_unref (&flush, task);
    }

  /* Detached tasks that have not started need the set to run: they are
   * dropped with it. */
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      link = lists[i]->head;
      while (link != NULL)
        {
          GList *next = link->next;
          JsTask *task = link->data;

          g_assert (task->detached);
          _js_completion_abort_locked (core, task, &flush);
          link = next;
        }
    }

  _js_id_table_remove_all (&core->tasks);
  core->length = 0;

  /* Signals nobody can receive any more. */
  while ((task_ref = g_queue_pop_head (&core->emit_finished_queue)) != NULL)
    _js_flush_add_unref (&flush, task_ref);
  while ((task_ref = g_queue_pop_head (&core->emit_progress_queue)) != NULL)
    {
      task_ref->extra->progress_pending = FALSE;
      _js_flush_add_unref (&flush, task_ref);
    }

  source = g_steal_pointer (&core->source);
  if (core->stuck_timer != NULL)
    {
      _js_flush_add_source (&flush, g_steal_pointer (&core->stuck_timer));
    }

  /* Joins still pending (only after g_object_run_dispose(): a pending
   * join holds the set) find an empty set. With the source gone, they
   * and the joins it had yet to deliver complete through their GTask, or
   * an idle in the set's context. */
  _js_waiter_serve_locked (core, &flush);
  deliver = _js_waiter_take_deliver_locked (core);
  while ((link = g_queue_pop_head_link (&deliver)) != NULL)
    _js_flush_add_deliver (&flush, link->data);

  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);

  g_source_destroy (source);
  g_source_unref (source);
}

void
_js_core_parent_cancelled (GCancellable *cancellable,
                     JsCore       *core)
{
  JsFlush flush = JS_FLUSH_INIT;

  g_mutex_lock (&core->mutex);
  core->closed = TRUE;
  _js_completion_abort_all_locked (core, &flush);
  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);
}
