/* js-waiter.c: join and shutdown waiters, and their delivery
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "js-i18n-private.h"
#include "js-join-error.h"
#include "js-core-private.h"

void
_js_waiter_finish_locked (JsCore   *core,
                      JsWaiter *w,
                      JsFlush  *flush)
{
  w->done = TRUE;
  w->queue = NULL;

  if (w->kind == JS_WAIT_SYNC)
    {
      g_cond_broadcast (&core->cond);
      if (w->iterating)
        flush->wakeup = TRUE;
      return;
    }

  /* Waiters in the set's own context are completed together by the set's
   * source: one wake-up for a batch of results. Others go through GTask,
   * which posts to their context. */
  if (core->source != NULL &&
      (w->gtask == NULL || g_task_get_context (w->gtask) == core->context))
    {
      g_queue_push_tail_link (&core->deliver, &w->link);
      w->queue = &core->deliver;
      _js_core_arm_locked (core, flush);
    }
  else
    {
      _js_flush_add_deliver (flush, w);
    }
}

/* Hands the oldest completed task to a consumer. Returns the core's
 * reference. */
JsTask *
_js_waiter_take_completed_locked (JsCore  *core,
                       JsFlush *flush)
{
  JsTask *task = NULL;

  if (core->ordered)
    {
      /* The oldest task of the set, once it finished. Ids are given in
       * spawn order, and the ones skipped left the set for good. */
      while (core->order_next <= core->next_id &&
             (task = _js_id_table_lookup (&core->tasks, core->order_next)) == NULL)
        core->order_next++;

      if (task == NULL || task->state != JS_TASK_COMPLETED)
        return NULL;

      g_queue_unlink (&core->completed, &task->link);
    }
  else
    {
      GList *link = g_queue_pop_head_link (&core->completed);

      if (link == NULL)
        return NULL;

      task = link->data;
    }

  task->state = JS_TASK_JOINED;
  _js_id_table_remove (&core->tasks, task->id);
  core->length--;
  _js_core_arm_locked (core, flush);

  return task;
}

/* Serves pending joins, first come first served. */
void
_js_waiter_serve_locked (JsCore  *core,
                      JsFlush *flush)
{
  GList *link;

  while ((link = core->waiters.head) != NULL)
    {
      JsWaiter *w = link->data;

      if (w->kind == JS_WAIT_ALL)
        {
          JsTask *task;

          while ((task = _js_waiter_take_completed_locked (core, flush)) != NULL)
            g_ptr_array_add (w->all, task);

          if (core->length > 0)
            break;
        }
      else
        {
          w->task = _js_waiter_take_completed_locked (core, flush);

          /* Nothing finished yet, but something will. */
          if (w->task == NULL && core->length > 0)
            break;
        }

      g_queue_unlink (&core->waiters, link);
      _js_waiter_finish_locked (core, w, flush);
    }
}

void
_js_waiter_complete_shutdowns_locked (JsCore  *core,
                           JsFlush *flush)
{
  GList *link;

  /* Like joins: completed by the set's source when they wait in its
   * context, so that the GTask (which holds the set) is released in the
   * caller's thread right after its callback, not later by a worker. */
  while ((link = g_queue_pop_head_link (&core->shutdowns)) != NULL)
    _js_waiter_finish_locked (core, link->data, flush);

  if (core->stuck_timer != NULL)
    {
      _js_flush_add_source (flush, g_steal_pointer (&core->stuck_timer));
    }
}


/* The served waiters to complete, taken out of the core. */
GQueue
_js_waiter_take_deliver_locked (JsCore *core)
{
  GQueue deliver = core->deliver;

  g_queue_init (&core->deliver);
  for (GList *link = deliver.head; link != NULL; link = link->next)
    ((JsWaiter *)link->data)->queue = NULL;

  return deliver;
}

/* ------------------------------------------------------------------------
 * Waiters
 * ------------------------------------------------------------------------ */

void
waiter_free (gpointer data)
{
  JsWaiter *w = data;

  g_assert (w->gtask == NULL);
  g_assert (w->queue == NULL);

  g_clear_object (&w->set);
  g_clear_object (&w->task);
  g_clear_pointer (&w->all, g_ptr_array_unref);
  if (w->cancel_source != NULL)
    {
      g_source_destroy (w->cancel_source);
      g_source_unref (w->cancel_source);
    }
  if (w->deadline_source != NULL)
    {
      g_source_destroy (w->deadline_source);
      g_source_unref (w->deadline_source);
    }
  g_free (w);
}

/* Takes a pending waiter out of its queue. A join_all waiter gives back
 * the tasks it collected, so that cancelling it loses none. */
void
_js_waiter_unlink_locked (JsCore   *core,
                      JsWaiter *w,
                      JsFlush  *flush)
{
  g_assert (!w->done && w->queue != NULL);

  g_queue_unlink (w->queue, &w->link);
  w->queue = NULL;
  w->done = TRUE;
  w->cancelled = TRUE;

  if (w->all != NULL && w->all->len > 0)
    {
      for (guint i = w->all->len; i > 0; i--)
        {
          JsTask *task = g_ptr_array_steal_index (w->all, i - 1);

          task->state = JS_TASK_COMPLETED;
          _js_id_table_insert (&core->tasks, task->id, task);
          g_queue_push_head_link (&core->completed, &task->link);
          core->length++;
          core->order_next = MIN (core->order_next, task->id);
        }
      _js_core_arm_locked (core, flush);
      _js_waiter_serve_locked (core, flush);
    }
}

gboolean
light_deliver_cb (gpointer data)
{
  _js_waiter_deliver (data, TRUE);
  return G_SOURCE_REMOVE;
}

/* Completes an async waiter that is done. Called without the lock;
 * @in_source tells whether from a source of the set's context (its own
 * source, for waiters in that context), where a light waiter's callback
 * may run. */
void
_js_waiter_deliver (JsWaiter *w,
                gboolean  in_source)
{
  GTask *gtask = g_steal_pointer (&w->gtask);

  if (gtask == NULL)
    {
      g_autoptr(JsJoinResult) result = NULL;
      GObject *set = G_OBJECT (w->set);
      GDestroyNotify destroy;
      gpointer data;

      /* Only after a g_object_run_dispose(), with the set's source gone,
       * is a light waiter delivered from elsewhere: post it. */
      if (!in_source)
        {
          GSource *source = g_idle_source_new ();

          g_source_set_static_name (source, "[joinset] join");
          g_source_set_callback (source, light_deliver_cb, w, NULL);
          g_source_attach (source, w->core->context);
          g_source_unref (source);
          return;
        }

      if (w->kind == JS_WAIT_NEXT)
        {
          data = g_steal_pointer (&w->task);
          destroy = g_object_unref;
        }
      else
        {
          data = g_steal_pointer (&w->all);
          destroy = (GDestroyNotify) g_ptr_array_unref;
        }
      result = _js_join_result_new (G_OBJECT (g_steal_pointer (&w->set)), w->source_tag,
                                    w->user_data, data, destroy);

      /* The result holds the set until it is finalized. Without a
       * callback, as with a GTask, the outcome is dropped with it. */
      if (w->callback != NULL)
        w->callback (set, G_ASYNC_RESULT (result), w->user_data);
      waiter_free (w);
      return;
    }

  if (w->cancel_source != NULL)
    g_source_destroy (w->cancel_source);
  /* It holds the GTask, and so the set. */
  if (w->deadline_source != NULL)
    g_source_destroy (w->deadline_source);

  switch (w->kind)
    {
    case JS_WAIT_NEXT:
      g_task_return_pointer (gtask, g_steal_pointer (&w->task), g_object_unref);
      break;

    case JS_WAIT_ALL:
      g_task_return_pointer (gtask, g_steal_pointer (&w->all),
                             (GDestroyNotify) g_ptr_array_unref);
      break;

    case JS_WAIT_SHUTDOWN:
      g_task_return_boolean (gtask, TRUE);
      break;

    case JS_WAIT_SYNC:
    default:
      g_assert_not_reached ();
    }

  /* May free w. */
  g_object_unref (gtask);
}

gboolean
on_waiter_cancelled (GCancellable *cancellable,
                     gpointer      data)
{
  GTask *gtask = data;
  JsWaiter *w = g_task_get_task_data (gtask);
  JsCore *core = w->core;
  JsFlush flush = JS_FLUSH_INIT;
  gboolean cancelled = FALSE;

  g_mutex_lock (&core->mutex);
  if (!w->done)
    {
      _js_waiter_unlink_locked (core, w, &flush);
      cancelled = TRUE;
    }
  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);

  if (cancelled)
    {
      GTask *owned = g_steal_pointer (&w->gtask);

      if (w->deadline_source != NULL)
        g_source_destroy (w->deadline_source);
      g_task_return_error_if_cancelled (owned);
      g_object_unref (owned);
    }

  return G_SOURCE_REMOVE;
}

gboolean
on_waiter_deadline (gpointer data)
{
  GTask *gtask = data;
  JsWaiter *w = g_task_get_task_data (gtask);
  JsCore *core = w->core;
  JsFlush flush = JS_FLUSH_INIT;

  g_mutex_lock (&core->mutex);
  if (!w->done)
    {
      if (w->queue == NULL)
        {
          /* Another thread runs the context: join_async() finishes it
           * once queued. */
          w->timed_out = TRUE;
        }
      else
        {
          g_queue_unlink (w->queue, &w->link);
          _js_waiter_finish_locked (core, w, &flush);
        }
    }
  g_mutex_unlock (&core->mutex);

  _js_flush_run (core, &flush);

  return G_SOURCE_REMOVE;
}

/* A waiter for an async join or shutdown. A light one (see
 * can_join_light()) has no GTask: the set's source completes it. */
JsWaiter *
_js_waiter_new_async (JsJoinSet           *self,
                  JsWaitKind           kind,
                  gboolean             light,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data,
                  gpointer             source_tag)
{
  JsWaiter *w = g_new0 (JsWaiter, 1);
  GTask *gtask;

  w->link.data = w;
  w->core = self->core;
  w->kind = kind;
  if (kind == JS_WAIT_ALL)
    w->all = g_ptr_array_new_with_free_func (g_object_unref);

  if (light)
    {
      w->set = g_object_ref (self);
      w->callback = callback;
      w->user_data = user_data;
      w->source_tag = source_tag;
      return w;
    }

  gtask = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (gtask, source_tag);
  /* A join that was served returns its task even if its cancellable was
   * cancelled meanwhile: otherwise the task would be lost. */
  g_task_set_check_cancellable (gtask, FALSE);
  g_task_set_task_data (gtask, w, waiter_free);
  w->gtask = gtask;

  if (cancellable != NULL)
    {
      w->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (w->cancel_source, "[joinset] join cancelled");
      g_source_set_callback (w->cancel_source,
                             G_SOURCE_FUNC (on_waiter_cancelled),
                             g_object_ref (gtask), g_object_unref);
      g_source_attach (w->cancel_source, g_task_get_context (gtask));
    }

  return w;
}
