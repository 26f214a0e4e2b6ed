/* js-join-result.c: a light GAsyncResult for joins
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A join that waits in the set's own main context, with no cancellable
 * and no deadline, needs none of what a GTask offers: no thread, no
 * cancellation, no idle source to reach another context. The set
 * completes it from its own source, together with the other joins served
 * in the same dispatch, and hands its callback this result instead: one
 * small object, no GSource and no wake-up per join.
 *
 * It behaves as GIO asks of a GAsyncResult: it holds its source object
 * (the set) until it is finalized, the callback runs in the caller's
 * thread-default context and never inside the _async call, and what the
 * finish function did not take is freed with the result. */

#include "config.h"

#include "js-join-result-private.h"

struct _JsJoinResult
{
  GObject         parent_instance;

  GObject        *source_object;   /* owned */
  gpointer        source_tag;
  gpointer        user_data;
  gpointer        data;            /* owned until stolen; may be NULL */
  GDestroyNotify  data_destroy;
  gboolean        stolen;          /* the finish function ran */
};

static void js_join_result_async_result_iface_init (GAsyncResultIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JsJoinResult, _js_join_result, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_RESULT,
                                                      js_join_result_async_result_iface_init))

static gpointer
js_join_result_get_user_data (GAsyncResult *result)
{
  return JS_JOIN_RESULT (result)->user_data;
}

static GObject *
js_join_result_get_source_object (GAsyncResult *result)
{
  JsJoinResult *self = JS_JOIN_RESULT (result);

  return self->source_object != NULL ? g_object_ref (self->source_object) : NULL;
}

static gboolean
js_join_result_is_tagged (GAsyncResult *result,
                          gpointer      source_tag)
{
  return JS_JOIN_RESULT (result)->source_tag == source_tag;
}

static void
js_join_result_async_result_iface_init (GAsyncResultIface *iface)
{
  iface->get_user_data = js_join_result_get_user_data;
  iface->get_source_object = js_join_result_get_source_object;
  iface->is_tagged = js_join_result_is_tagged;
}

static void
js_join_result_finalize (GObject *object)
{
  JsJoinResult *self = (JsJoinResult *)object;

  if (self->data != NULL && self->data_destroy != NULL)
    self->data_destroy (self->data);
  g_clear_object (&self->source_object);

  G_OBJECT_CLASS (_js_join_result_parent_class)->finalize (object);
}

static void
_js_join_result_class_init (JsJoinResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = js_join_result_finalize;
}

static void
_js_join_result_init (JsJoinResult *self)
{
}

/* Takes ownership of @source_object's reference and of @data. Reuses the
 * result in @spare, if there is one (see _js_join_result_release()). */
JsJoinResult *
_js_join_result_new (JsJoinResult   **spare,
                     GObject         *source_object,
                     gpointer         source_tag,
                     gpointer         user_data,
                     gpointer         data,
                     GDestroyNotify   data_destroy)
{
  JsJoinResult *self = g_atomic_pointer_exchange (spare, NULL);

  if (self == NULL)
    self = g_object_new (JS_TYPE_JOIN_RESULT, NULL);

  self->source_object = source_object;
  self->source_tag = source_tag;
  self->user_data = user_data;
  self->data = data;
  self->data_destroy = data_destroy;
  self->stolen = FALSE;

  return self;
}

/* Drops the caller's reference to @self, whose callback has returned.
 *
 * If that reference is the last one and nothing is attached to the object
 * (no binding's wrapper, weak reference, toggle reference or qdata: its
 * GData pointer is NULL), nobody can see it any more: it frees what a
 * finalize would (the outcome the finish function did not take, then the
 * source object, in that order), disconnects any handler, and keeps the
 * object in @spare for the next join instead of freeing it. A GObject
 * costs more than the rest of a light join (callgrind, joinset-bench
 * --inline --only js-join-next); one spare per set serves a join_next
 * loop. Otherwise, or if @spare is taken, it is a plain unref. */
void
_js_join_result_release (JsJoinResult  *self,
                         JsJoinResult **spare)
{
  GObject *object = G_OBJECT (self);
  GObject *source_object;
  gpointer data;

  if (g_atomic_int_get (&object->ref_count) != 1 || object->qdata != NULL)
    {
      g_object_unref (self);
      return;
    }

  data = g_steal_pointer (&self->data);
  if (data != NULL && self->data_destroy != NULL)
    self->data_destroy (data);
  self->data_destroy = NULL;
  self->user_data = NULL;
  self->source_tag = NULL;
  source_object = g_steal_pointer (&self->source_object);
  g_clear_object (&source_object);
  g_signal_handlers_destroy (self);

  /* The destroy notify or the source object's dispose ran user code: it
   * could not see @self, but it may have filled @spare. */
  if (object->qdata != NULL ||
      !g_atomic_pointer_compare_and_exchange (spare, NULL, self))
    g_object_unref (self);
}

gboolean
_js_join_result_is_valid (JsJoinResult *self,
                          gpointer      source_object,
                          gpointer      source_tag)
{
  return self->source_object == source_object && self->source_tag == source_tag;
}

/* The outcome, once. A second finish gets NULL and a critical, as a
 * GTask's would: NULL alone would look like an empty set. */
gpointer
_js_join_result_steal (JsJoinResult *self)
{
  if (self->stolen)
    {
      g_critical ("The result of a join was finished twice: call the "
                  "_finish() function once, in the join's callback");
      return NULL;
    }

  self->stolen = TRUE;
  return g_steal_pointer (&self->data);
}
