/* js-waiter.c: joins and shutdowns that wait, and their delivery
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A waiter is queued (core->waiters, or core->shutdowns), served when
 * tasks complete (first come, first served; in spawn order for an ordered
 * set), and then delivered: through its GTask, which posts to the
 * caller's context, or, for a light waiter in the set's own context, by
 * the set's source in batches (see js-core-source.c). A blocking join
 * (JS_WAIT_SYNC) lives on its caller's stack and is woken through
 * core->cond, or by the context it iterates.
 *
 * A join by id (JS_WAIT_ID, or a blocking one) is not queued: it claims
 * its task in core->claims, and js-completion.c hands the task to it when
 * it completes (_js_waiter_claim_locked()), so that no other join takes
 * it. It always has a GTask: it may fail.
 */

#include "config.h"

#include "js-core-private.h"
#include "js-i18n-private.h"
#include "js-join-error.h"
#include "js-join-result-private.h"

/* Someone waiting for the set. Async waiters are the task data of their
 * GTask, which holds the set (and so the core) alive; light waiters (no
 * GTask, see can_join_light()) hold the set themselves. */
struct _JsWaiter
{
  GList       link;        /* in `queue` */
  GQueue     *queue;       /* core->waiters, ->shutdowns, ->deliver or NULL */
  JsCore     *core;
  JsWaitKind  kind;
  guint       done : 1;    /* served or cancelled; guarded by core->mutex */
  guint       cancelled : 1;
  guint       iterating : 1;
  guint       timed_out : 1; /* the deadline passed before it was queued */
  guint       by_id : 1;   /* ID, or SYNC by id: in core->claims while
                            * pending, never in a queue */
  guint64     id;          /* by_id: the task it waits for */
  GError     *error;       /* by_id: why it failed, or NULL */
  GThread    *thread;      /* SYNC: the thread that waits */
  JsWaiter   *outer;       /* SYNC: the blocking join this one is nested in */
  JsTask     *task;        /* NEXT, ID, SYNC: the task handed over, or NULL */
  GPtrArray  *all;         /* ALL: the tasks handed over so far */
  GTask      *gtask;       /* owned while pending */
  GObject    *set;         /* light: owned while pending */
  GAsyncReadyCallback callback; /* light */
  gpointer     user_data;   /* light */
  gpointer     source_tag;  /* light */
  GSource    *cancel_source;
  GSource    *deadline_source; /* join_all_timeout_async() */
};

/* Joins delivered in one dispatch of the set's source, at most (about). */
#define JS_DELIVER_PER_DISPATCH 4096

static void deliver (JsWaiter *w,
                     gboolean  in_source);

static void
deliver_later_cb (gpointer data)
{
  deliver (data, FALSE);
}

/* The waiter is served or timed out: wake a blocking join, or queue an
 * async one for delivery. */
static void
finish_locked (JsCore   *core,
               JsWaiter *w,
               JsFlush  *flush)
{
  JS_CORE_ASSERT_LOCKED (core);

  w->done = TRUE;
  w->queue = NULL;

  if (w->kind == JS_WAIT_SYNC)
    {
      if (core->n_cond_waiters > 0)
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
      _js_flush_add_call (flush, deliver_later_cb, w);
    }
}

/* Takes the completed @task, out of every queue, out of the set. Returns
 * the core's reference, for a consumer. */
static JsTask *
take_task_locked (JsCore  *core,
                  JsTask  *task,
                  JsFlush *flush)
{
  JS_CORE_ASSERT_LOCKED (core);

  task->state = JS_TASK_JOINED;
  _js_id_table_remove (&core->tasks, task->id);
  core->length--;
  _js_core_list_remove_locked (core, task->id, flush);
  _js_core_arm_locked (core, flush);

  return task;
}

/* Hands the oldest completed task to a consumer. Returns the core's
 * reference. */
static JsTask *
take_completed_locked (JsCore  *core,
                       JsFlush *flush)
{
  JsTask *task = NULL;

  JS_CORE_ASSERT_LOCKED (core);

  if (core->ordered)
    {
      /* The oldest task of the set, once it finished. Ids are given in
       * spawn order, and the ones skipped left the set for good. */
      while (core->order_next <= core->next_id &&
             (task = _js_id_table_lookup (&core->tasks, core->order_next)) == NULL)
        core->order_next++;

      if (task == NULL || task->state != JS_TASK_COMPLETED)
        return NULL;

      _js_list_unlink (&core->completed, &task->link);
    }
  else
    {
      JsLink *link = _js_list_pop_head (&core->completed);

      if (link == NULL)
        return NULL;

      task = JS_TASK_OF_LINK (link);
    }

  return take_task_locked (core, task, flush);
}

/* Serves pending joins, first come first served. */
void
_js_waiter_serve_locked (JsCore  *core,
                         JsFlush *flush)
{
  GList *link;

  JS_CORE_ASSERT_LOCKED (core);

  while ((link = core->waiters.head) != NULL)
    {
      JsWaiter *w = link->data;

      if (w->kind == JS_WAIT_ALL)
        {
          JsTask *task;

          while ((task = take_completed_locked (core, flush)) != NULL)
            g_ptr_array_add (w->all, task);

          if (core->length > 0)
            break;
        }
      else
        {
          w->task = take_completed_locked (core, flush);

          /* Nothing finished yet, but something will. */
          if (w->task == NULL && core->length > 0)
            break;
        }

      g_queue_unlink (&core->waiters, link);
      finish_locked (core, w, flush);
    }
}

/* ------------------------------------------------------------------------
 * Joins by id: claims
 * ------------------------------------------------------------------------ */

static GError *
unknown_task_error_new (guint64 id)
{
  g_autofree char *str = g_strdup_printf ("%" G_GUINT64_FORMAT, id);

  return g_error_new (JS_JOIN_ERROR, JS_JOIN_ERROR_UNKNOWN_TASK,
                      /* Translators: %s is the number that identifies a
                       * task */
                      _("No task %s in the set: it was never spawned, "
                        "was joined already, or left the set"),
                      str);
}

/* @joinable just completed: if a join by id waits for it, it is handed
 * over, with the reference the completed queue would have taken, and
 * leaves the set. Returns whether it was. */
gboolean
_js_waiter_claim_locked (JsCore   *core,
                         JsTask   *joinable,
                         JsFlush  *flush)
{
  JsWaiter *w;

  JS_CORE_ASSERT_LOCKED (core);

  if (G_LIKELY (core->claims == NULL) ||
      (w = g_hash_table_lookup (core->claims, &joinable->id)) == NULL)
    return FALSE;

  g_hash_table_remove (core->claims, &w->id);
  w->task = take_task_locked (core, joinable, flush);
  finish_locked (core, w, flush);

  return TRUE;
}

/* The tasks that joins by id wait for left the set without an outcome
 * for them (detach_all, dispose): the joins fail. */
void
_js_waiter_fail_claims_locked (JsCore  *core,
                               JsFlush *flush)
{
  GHashTableIter iter;
  gpointer value;

  JS_CORE_ASSERT_LOCKED (core);

  if (core->claims == NULL)
    return;

  g_hash_table_iter_init (&iter, core->claims);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      JsWaiter *w = value;

      g_hash_table_iter_remove (&iter);
      w->error = unknown_task_error_new (w->id);
      finish_locked (core, w, flush);
    }
}

/* Starts the join by id @w: it is done at once (served, or failed) or
 * claims its task. A task has one consumer: a second join by id of the
 * same task fails with G_IO_ERROR_PENDING. */
static void
claim_or_serve_locked (JsCore   *core,
                       JsWaiter *w,
                       JsFlush  *flush)
{
  JsTask *task = _js_id_table_lookup (&core->tasks, w->id);

  JS_CORE_ASSERT_LOCKED (core);

  if (task == NULL)
    {
      w->error = unknown_task_error_new (w->id);
    }
  else if (core->claims != NULL && g_hash_table_contains (core->claims, &w->id))
    {
      g_autofree char *str = g_strdup_printf ("%" G_GUINT64_FORMAT, w->id);

      w->error = g_error_new (G_IO_ERROR, G_IO_ERROR_PENDING,
                              /* Translators: %s is the number that
                               * identifies a task */
                              _("Task %s is already being joined by id"), str);
    }
  else if (task->state == JS_TASK_COMPLETED)
    {
      _js_list_unlink (&core->completed, &task->link);
      w->task = take_task_locked (core, task, flush);
      /* Joins waiting for the set to be empty may be done. */
      _js_waiter_serve_locked (core, flush);
    }
  else
    {
      if (core->claims == NULL)
        core->claims = g_hash_table_new (g_int64_hash, g_int64_equal);
      g_hash_table_insert (core->claims, &w->id, w);
      return;
    }

  finish_locked (core, w, flush);
}

/* Queues a shutdown waiter; it completes once no task holds a slot. */
void
_js_waiter_wait_shutdown_locked (JsCore   *core,
                                 JsWaiter *w,
                                 JsFlush  *flush)
{
  JS_CORE_ASSERT_LOCKED (core);
  g_assert (w->kind == JS_WAIT_SHUTDOWN);

  g_queue_push_tail_link (&core->shutdowns, &w->link);
  w->queue = &core->shutdowns;
  if (core->n_active == 0)
    _js_waiter_complete_shutdowns_locked (core, flush);
}

/* No task holds a slot any more: every shutdown is done waiting, and its
 * warning about a stuck task is moot. */
void
_js_waiter_complete_shutdowns_locked (JsCore  *core,
                                      JsFlush *flush)
{
  GList *link;

  JS_CORE_ASSERT_LOCKED (core);

  /* Like joins: completed by the set's source when they wait in its
   * context, so that the GTask (which holds the set) is released in the
   * caller's thread right after its callback, not later by a worker. */
  while ((link = g_queue_pop_head_link (&core->shutdowns)) != NULL)
    finish_locked (core, link->data, flush);

  if (core->stuck_timer != NULL)
    _js_flush_add_source (flush, g_steal_pointer (&core->stuck_timer));
}

/* The smallest id of a task of the set, for ordered joins. */
static guint64
first_id_locked (JsCore *core)
{
  guint64 first = _js_id_table_first (&core->tasks);

  JS_CORE_ASSERT_LOCKED (core);

  return first != 0 ? first : core->next_id + 1;
}

/* Turns ordered joins on or off. Returns whether it changed. */
gboolean
_js_waiter_set_ordered_locked (JsCore   *core,
                               gboolean  ordered,
                               JsFlush  *flush)
{
  JS_CORE_ASSERT_LOCKED (core);

  if (core->ordered == (guint) !!ordered)
    return FALSE;

  core->ordered = !!ordered;
  if (ordered)
    core->order_next = first_id_locked (core);
  /* Unordered, tasks that waited behind the oldest may be joined. */
  _js_waiter_serve_locked (core, flush);

  return TRUE;
}

/* ------------------------------------------------------------------------
 * Delivery
 * ------------------------------------------------------------------------ */

/* The served waiters for the source to complete, taken out of the core. */
GQueue
_js_waiter_take_deliver_locked (JsCore *core)
{
  GQueue taken = core->deliver;

  JS_CORE_ASSERT_LOCKED (core);

  g_queue_init (&core->deliver);
  for (GList *link = taken.head; link != NULL; link = link->next)
    ((JsWaiter *)link->data)->queue = NULL;

  return taken;
}

/* The source is gone (dispose): the waiters it had yet to deliver are
 * delivered through their GTask, or an idle in the set's context. */
void
_js_waiter_deliver_later_locked (JsCore  *core,
                                 JsFlush *flush)
{
  GQueue taken = _js_waiter_take_deliver_locked (core);
  GList *link;

  while ((link = g_queue_pop_head_link (&taken)) != NULL)
    _js_flush_add_call (flush, deliver_later_cb, link->data);
}

/* Delivers @taken from the set's source, then the joins that these
 * callbacks started and that were served at once, in the same dispatch,
 * up to a bound that lets other sources run. Not while task signals
 * (task-progress, -finished, -started) wait to be emitted: a join served
 * at once may take their task, and the signals of a task come before its
 * join, so those joins wait for the next dispatch, which emits the signals
 * first (the deliver queue armed it). */
void
_js_waiter_deliver_batch (JsCore *core,
                          GQueue *taken)
{
  GQueue batch = *taken;

  g_queue_init (taken);

  for (guint n = 0;;)
    {
      GList *link = batch.head;

      while (link != NULL)
        {
          GList *next = link->next;

          deliver (link->data, TRUE);
          link = next;
          n++;
        }

      if (n >= JS_DELIVER_PER_DISPATCH)
        break;

      _js_core_lock (core);
      if (core->emit_progress_queue.length == 0 &&
          core->emit_finished_queue.length == 0 &&
          core->emit_started_queue.length == 0)
        batch = _js_waiter_take_deliver_locked (core);
      else
        g_queue_init (&batch);
      _js_core_unlock (core);

      if (batch.length == 0)
        break;
    }
}

static void
waiter_free (gpointer data)
{
  JsWaiter *w = data;

  g_assert (w->gtask == NULL);
  g_assert (w->queue == NULL);

  g_clear_object (&w->set);
  g_clear_object (&w->task);
  g_clear_error (&w->error);
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

static gboolean
light_deliver_cb (gpointer data)
{
  deliver (data, TRUE);
  return G_SOURCE_REMOVE;
}

/* A light waiter: its callback gets a JsJoinResult, in the set's context. */
static void
deliver_light (JsWaiter *w,
               gboolean  in_source)
{
  JsJoinResult *result;
  JsCore *core;
  GObject *set = w->set;
  GDestroyNotify destroy;
  gpointer data;

  /* Only after a g_object_run_dispose(), with the set's source gone, is a
   * light waiter delivered from elsewhere: post it. */
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
  /* The callback may drop the last reference to the set, and with it the
   * core's: hold the core for its spare result. */
  core = _js_core_ref (w->core);
  result = _js_join_result_new (&core->spare_result,
                                g_steal_pointer (&w->set), w->source_tag,
                                w->user_data, data, destroy);

  /* The result holds the set until it is released. Without a callback,
   * as with a GTask, the outcome is dropped with it. */
  if (w->callback != NULL)
    w->callback (set, G_ASYNC_RESULT (result), w->user_data);
  _js_join_result_release (result, &core->spare_result);
  waiter_free (w);
  _js_core_unref (core);
}

static void
deliver_gtask (JsWaiter *w,
               GTask    *gtask)
{
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

    case JS_WAIT_ID:
      if (w->error != NULL)
        g_task_return_error (gtask, g_steal_pointer (&w->error));
      else
        g_task_return_pointer (gtask, g_steal_pointer (&w->task), g_object_unref);
      break;

    case JS_WAIT_SYNC:
    default:
      g_assert_not_reached ();
    }

  /* May free w. */
  g_object_unref (gtask);
}

/* Completes an async waiter that is done. Called without the lock;
 * @in_source tells whether from a source of the set's context (its own
 * source, for waiters in that context), where a light waiter's callback
 * may run. */
static void
deliver (JsWaiter *w,
         gboolean  in_source)
{
  GTask *gtask = g_steal_pointer (&w->gtask);

  if (gtask == NULL)
    deliver_light (w, in_source);
  else
    deliver_gtask (w, gtask);
}

/* ------------------------------------------------------------------------
 * Async joins and shutdowns
 * ------------------------------------------------------------------------ */

/* Takes a pending waiter out of its queue. A join_all waiter gives back
 * the tasks it collected, so that cancelling it loses none. */
static void
unlink_locked (JsCore   *core,
               JsWaiter *w,
               JsFlush  *flush)
{
  JS_CORE_ASSERT_LOCKED (core);
  g_assert (!w->done && (w->queue != NULL || w->by_id));

  /* A join by id gives up its claim: the task goes to other joins. */
  if (w->by_id)
    g_hash_table_remove (core->claims, &w->id);
  else
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
          _js_list_push_head (&core->completed, &task->link);
          core->length++;
          core->order_next = MIN (core->order_next, task->id);
          if (G_UNLIKELY (core->n_lists > 0))
            _js_core_list_record_locked (core, JS_CORE_LIST_ADD, task, task->id, flush);
        }
      _js_core_arm_locked (core, flush);
      _js_waiter_serve_locked (core, flush);
    }
}

static gboolean
on_waiter_cancelled (GCancellable *cancellable,
                     gpointer      data)
{
  GTask *gtask = data;
  JsWaiter *w = g_task_get_task_data (gtask);
  JsCore *core = w->core;
  JsFlush flush = JS_FLUSH_INIT;
  gboolean cancelled = FALSE;

  _js_core_lock (core);
  if (!w->done)
    {
      unlink_locked (core, w, &flush);
      cancelled = TRUE;
      /* A shutdown nobody waits for any more warns about nothing. */
      if (w->kind == JS_WAIT_SHUTDOWN && core->shutdowns.length == 0 &&
          core->stuck_timer != NULL)
        _js_flush_add_source (&flush, g_steal_pointer (&core->stuck_timer));
    }
  _js_core_unlock_and_flush (core, &flush);

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

static gboolean
on_waiter_deadline (gpointer data)
{
  GTask *gtask = data;
  JsWaiter *w = g_task_get_task_data (gtask);
  JsCore *core = w->core;
  JsFlush flush = JS_FLUSH_INIT;

  _js_core_lock (core);
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
          finish_locked (core, w, &flush);
        }
    }
  _js_core_unlock_and_flush (core, &flush);

  return G_SOURCE_REMOVE;
}

/* A waiter for an async join or shutdown. A light one (see
 * can_join_light()) has no GTask: the set's source completes it. */
JsWaiter *
_js_waiter_new_async (JsCore              *core,
                      GObject             *set,
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
  w->core = core;
  w->kind = kind;
  if (kind == JS_WAIT_ALL)
    w->all = g_ptr_array_new_with_free_func (g_object_unref);

  if (light)
    {
      w->set = g_object_ref (set);
      w->callback = callback;
      w->user_data = user_data;
      w->source_tag = source_tag;
      return w;
    }

  gtask = g_task_new (set, cancellable, callback, user_data);
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
 * iteration. @timeout_ms: -1 for none. */
void
_js_waiter_join_async (JsCore              *core,
                       GObject             *set,
                       JsWaitKind           kind,
                       gint64               timeout_ms,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data,
                       gpointer             source_tag)
{
  JsFlush flush = JS_FLUSH_INIT;
  JsWaiter *w;

  w = _js_waiter_new_async (core, set, kind, can_join_light (core, timeout_ms, cancellable),
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

  _js_core_lock (core);
  g_queue_push_tail_link (&core->waiters, &w->link);
  w->queue = &core->waiters;
  _js_waiter_serve_locked (core, &flush);
  if (w->timed_out && !w->done)
    {
      g_queue_unlink (w->queue, &w->link);
      finish_locked (core, w, &flush);
    }
  _js_core_unlock_and_flush (core, &flush);
}

/* js_join_set_join_by_id_async(): see claim_or_serve_locked(). If
 * @cancellable is already cancelled, the waiter's cancel source gives up
 * the claim in the next iteration, unless the task was handed over. */
void
_js_waiter_join_by_id_async (JsCore              *core,
                             GObject             *set,
                             guint64              id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data,
                             gpointer             source_tag)
{
  JsFlush flush = JS_FLUSH_INIT;
  JsWaiter *w;

  w = _js_waiter_new_async (core, set, JS_WAIT_ID, FALSE, cancellable,
                            callback, user_data, source_tag);
  w->by_id = TRUE;
  w->id = id;

  _js_core_lock (core);
  claim_or_serve_locked (core, w, &flush);
  _js_core_unlock_and_flush (core, &flush);
}

/* ------------------------------------------------------------------------
 * Joins that do not wait, or block
 * ------------------------------------------------------------------------ */

JsTask *
_js_waiter_try_join_next (JsCore *core)
{
  JsFlush flush = JS_FLUSH_INIT;
  JsTask *task;

  _js_core_lock (core);
  task = take_completed_locked (core, &flush);
  if (task != NULL && core->length == 0)
    _js_waiter_serve_locked (core, &flush);
  _js_core_unlock_and_flush (core, &flush);

  return task;
}

static void
on_sync_cancelled (GCancellable *cancellable,
                   JsWaiter     *w)
{
  JsCore *core = w->core;
  JsFlush flush = JS_FLUSH_INIT;

  _js_core_lock (core);
  if (!w->done)
    {
      unlink_locked (core, w, &flush);
      if (core->n_cond_waiters > 0)
        g_cond_broadcast (&core->cond);
      if (w->iterating)
        flush.wakeup = TRUE;
    }
  _js_core_unlock_and_flush (core, &flush);
}

/* The innermost blocking join of this thread, whatever its set: a chain
 * through JsWaiter.outer, on the stack of the thread. */
static GPrivate innermost_sync;

/* A join nested in @w's thread was queued after an outer join of the same
 * set got a task it cannot return yet (the outer one is below on the
 * stack, inside the dispatch that runs the inner one's caller). The inner
 * one takes that task, and the outer one waits again, first in line: a
 * thread task spawned by a main-context task that then blocks for it must
 * not go to the join that waits for the main-context task itself. */
static gboolean
take_from_outer_locked (JsCore   *core,
                        JsWaiter *w)
{
  JS_CORE_ASSERT_LOCKED (core);

  for (JsWaiter *outer = w->outer; outer != NULL; outer = outer->outer)
    {
      /* A join by id got the very task it waits for: not this one's. */
      if (outer->core != core || !outer->done || outer->cancelled ||
          outer->by_id || outer->task == NULL)
        continue;

      w->task = g_steal_pointer (&outer->task);
      w->done = TRUE;
      outer->done = FALSE;
      g_queue_push_head_link (&core->waiters, &outer->link);
      outer->queue = &core->waiters;
      return TRUE;
    }

  return FALSE;
}

/* Queues a blocking join. Nested blocking joins of one thread (a task
 * function, run by an outer join_next()'s iteration, that blocks in
 * join_next() itself) are served innermost first: the outer one cannot
 * return before the inner one does. Others are first come, first served. */
static void
queue_sync_locked (JsCore   *core,
                   JsWaiter *w)
{
  GList *link;

  JS_CORE_ASSERT_LOCKED (core);

  if (take_from_outer_locked (core, w))
    return;

  for (link = core->waiters.head; link != NULL; link = link->next)
    {
      JsWaiter *outer = link->data;

      if (outer->kind == JS_WAIT_SYNC && outer->thread == w->thread)
        break;
    }

  if (link != NULL)
    g_queue_insert_before_link (&core->waiters, link, &w->link);
  else
    g_queue_push_tail_link (&core->waiters, &w->link);
  w->queue = &core->waiters;
}

/* Whether this thread may iterate the set's context while it waits: it
 * owns it already (a join nested in a dispatch), or it is the context's
 * home thread (see _js_core_new()) and nobody else runs it at the moment.
 * Any other thread never runs the set's context, even between two
 * iterations of its home thread: it would run the set's main-context
 * tasks, and the application's own sources, in the wrong thread. */
static gboolean
acquire_if_home (JsCore *core)
{
  if (g_main_context_is_owner (core->context))
    return g_main_context_acquire (core->context);

  return core->home == g_thread_self () && g_main_context_acquire (core->context);
}

/* Waits until @w is done: iterating the set's context if this thread may
 * (so that the set's main-context tasks keep running), or on core->cond
 * while the thread that runs it serves the join. */
static void
wait_sync (JsCore   *core,
           JsWaiter *w)
{
  gboolean owner = acquire_if_home (core);

  _js_core_lock (core);
  if (owner)
    {
      w->iterating = TRUE;
      while (!w->done)
        {
          _js_core_unlock (core);
          g_main_context_iteration (core->context, TRUE);
          _js_core_lock (core);
        }
      w->iterating = FALSE;
    }
  else if (!w->done)
    {
      core->n_cond_waiters++;
      while (!w->done)
        _js_core_wait_locked (core);
      core->n_cond_waiters--;
    }
  _js_core_unlock (core);

  if (owner)
    g_main_context_release (core->context);
}

/* wait_sync(), stopped early by @cancellable. */
static void
wait_sync_cancellable (JsCore       *core,
                       JsWaiter     *w,
                       GCancellable *cancellable)
{
  gulong cancelled_id = 0;

  if (cancellable != NULL)
    cancelled_id = g_cancellable_connect (cancellable,
                                          G_CALLBACK (on_sync_cancelled),
                                          w, NULL);

  /* While it waits, it is this thread's innermost blocking join. */
  w->outer = g_private_get (&innermost_sync);
  g_private_set (&innermost_sync, w);
  wait_sync (core, w);
  g_private_set (&innermost_sync, w->outer);

  if (cancelled_id != 0)
    g_cancellable_disconnect (cancellable, cancelled_id);
}

/* A blocking join of this thread, on its stack. */
static void
init_sync (JsWaiter *w,
           JsCore   *core)
{
  w->link.data = w;
  w->core = core;
  w->kind = JS_WAIT_SYNC;
  w->thread = g_thread_self ();
  w->outer = g_private_get (&innermost_sync);
}

/* The blocking join. The caller holds a reference on the set. */
JsTask *
_js_waiter_join_next (JsCore        *core,
                      GCancellable  *cancellable,
                      GError       **error)
{
  JsFlush flush = JS_FLUSH_INIT;
  JsWaiter w = { { 0 } };
  gboolean served;

  init_sync (&w, core);

  _js_core_lock (core);
  queue_sync_locked (core, &w);
  _js_waiter_serve_locked (core, &flush);
  served = w.done;
  _js_core_unlock_and_flush (core, &flush);

  /* Served at once, the usual case in a join_next() loop once a batch has
   * finished: no wait, no GMainContext lock. */
  if (served)
    return g_steal_pointer (&w.task);

  wait_sync_cancellable (core, &w, cancellable);

  if (w.cancelled)
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return NULL;
    }

  return g_steal_pointer (&w.task);
}

/* The blocking join by id. The caller holds a reference on the set. */
JsTask *
_js_waiter_join_by_id (JsCore        *core,
                       guint64        id,
                       GCancellable  *cancellable,
                       GError       **error)
{
  JsFlush flush = JS_FLUSH_INIT;
  JsWaiter w = { { 0 } };
  gboolean served;

  init_sync (&w, core);
  w.by_id = TRUE;
  w.id = id;

  _js_core_lock (core);
  claim_or_serve_locked (core, &w, &flush);
  served = w.done;
  _js_core_unlock_and_flush (core, &flush);

  if (!served)
    wait_sync_cancellable (core, &w, cancellable);

  if (w.cancelled)
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return NULL;
    }
  if (w.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&w.error));
      return NULL;
    }

  return g_steal_pointer (&w.task);
}
