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

/* Takes ownership of @source_object's reference and of @data. */
JsJoinResult *
_js_join_result_new (GObject        *source_object,
                     gpointer        source_tag,
                     gpointer        user_data,
                     gpointer        data,
                     GDestroyNotify  data_destroy)
{
  JsJoinResult *self = g_object_new (JS_TYPE_JOIN_RESULT, NULL);

  self->source_object = source_object;
  self->source_tag = source_tag;
  self->user_data = user_data;
  self->data = data;
  self->data_destroy = data_destroy;

  return self;
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
