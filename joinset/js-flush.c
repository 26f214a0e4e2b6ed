/* js-flush.c: deferred work, done once a lock is released
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "js-flush-private.h"

static GPtrArray *
ptr_array_add (GPtrArray **array,
               gpointer    data)
{
  if (*array == NULL)
    *array = g_ptr_array_new ();
  g_ptr_array_add (*array, data);
  return *array;
}

/* @cancellable: (transfer full) */
void
_js_flush_add_cancel (JsFlush      *flush,
                      GCancellable *cancellable)
{
  ptr_array_add (&flush->cancel, cancellable);
}

/* @cancellable: (transfer full) */
void
_js_flush_add_cancel_in_context (JsFlush      *flush,
                                 GCancellable *cancellable)
{
  ptr_array_add (&flush->cancel_in_context, cancellable);
}

void
_js_flush_add_release (JsFlush        *flush,
                       GDestroyNotify  notify,
                       gpointer        data)
{
  JsFlushCall call = { notify, data };

  if (flush->release == NULL)
    flush->release = g_array_new (FALSE, FALSE, sizeof (JsFlushCall));
  g_array_append_val (flush->release, call);
}

/* @release: (transfer full): JsFlushCall, added to those of @flush. */
void
_js_flush_add_releases (JsFlush *flush,
                        GArray  *release)
{
  if (flush->release == NULL)
    {
      flush->release = release;
      return;
    }

  g_array_append_vals (flush->release, release->data, release->len);
  g_array_unref (release);
}

/* Calls the destroy notifies of @release (JsFlushCall, transfer full). */
void
_js_flush_run_releases (GArray *release)
{
  for (guint i = 0; i < release->len; i++)
    {
      JsFlushCall *call = &g_array_index (release, JsFlushCall, i);

      call->func (call->data);
    }
  g_array_unref (release);
}

static gboolean
release_all_cb (gpointer data)
{
  _js_flush_run_releases (g_array_ref (data));
  return G_SOURCE_REMOVE;
}

void
_js_flush_add_call (JsFlush     *flush,
                    JsFlushFunc  func,
                    gpointer     data)
{
  JsFlushCall call = { func, data };

  if (flush->n_calls < JS_FLUSH_N_INLINE_CALLS)
    {
      flush->calls[flush->n_calls++] = call;
      return;
    }

  if (flush->more_calls == NULL)
    flush->more_calls = g_array_new (FALSE, FALSE, sizeof (JsFlushCall));
  g_array_append_val (flush->more_calls, call);
}

/* @source: (transfer full) */
void
_js_flush_add_source (JsFlush *flush,
                      GSource *source)
{
  ptr_array_add (&flush->sources, source);
}

/* @object: (transfer full) */
void
_js_flush_add_unref (JsFlush  *flush,
                     gpointer  object)
{
  ptr_array_add (&flush->unref, object);
}

static gboolean
cancel_all_cb (gpointer data)
{
  GPtrArray *cancellables = data;

  for (guint i = 0; i < cancellables->len; i++)
    g_cancellable_cancel (g_ptr_array_index (cancellables, i));

  return G_SOURCE_REMOVE;
}

/* The releases of @flush: here, or from an idle in @context. */
G_GNUC_NO_INLINE static void
run_or_defer_releases (JsFlush      *flush,
                       GMainContext *context)
{
  GSource *idle;

  if (!flush->release_in_context)
    {
      _js_flush_run_releases (flush->release);
      return;
    }

  idle = g_idle_source_new ();
  g_source_set_static_name (idle, "[joinset] release user data");
  g_source_set_callback (idle, release_all_cb, flush->release,
                         (GDestroyNotify) g_array_unref);
  g_source_attach (idle, context);
  g_source_unref (idle);
}

static void
run_calls (GArray *calls)
{
  for (guint i = 0; i < calls->len; i++)
    {
      JsFlushCall *call = &g_array_index (calls, JsFlushCall, i);

      call->func (call->data);
    }
  g_array_unref (calls);
}

/* Does what @flush recorded. @context is the one to wake up and to cancel
 * in: it is used before any user code runs (a cancelled handler, a
 * destroy notify, a join's callback), which may drop the last reference to
 * whatever owned it. */
void
_js_flush_run (JsFlush      *flush,
               GMainContext *context)
{
  /* The thread that runs the context looks at its sources again before it
   * polls: only another thread needs to wake it up. */
  if (flush->wakeup && !g_main_context_is_owner (context))
    g_main_context_wakeup (context);

  if (flush->cancel_in_context != NULL)
    {
      GSource *idle = g_idle_source_new ();

      g_ptr_array_set_free_func (flush->cancel_in_context, g_object_unref);
      g_source_set_priority (idle, G_PRIORITY_HIGH);
      g_source_set_static_name (idle, "[joinset] cancel on dispose");
      g_source_set_callback (idle, cancel_all_cb, flush->cancel_in_context,
                             (GDestroyNotify) g_ptr_array_unref);
      g_source_attach (idle, context);
      g_source_unref (idle);
    }

  if (flush->cancel != NULL)
    {
      for (guint i = 0; i < flush->cancel->len; i++)
        {
          GCancellable *cancellable = g_ptr_array_index (flush->cancel, i);

          g_cancellable_cancel (cancellable);
          g_object_unref (cancellable);
        }
      g_ptr_array_unref (flush->cancel);
    }

  if (G_UNLIKELY (flush->release != NULL))
    run_or_defer_releases (flush, context);

  for (guint i = 0; i < flush->n_calls; i++)
    flush->calls[i].func (flush->calls[i].data);
  if (flush->more_calls != NULL)
    run_calls (flush->more_calls);

  if (flush->sources != NULL)
    {
      for (guint i = 0; i < flush->sources->len; i++)
        {
          GSource *source = g_ptr_array_index (flush->sources, i);

          g_source_destroy (source);
          g_source_unref (source);
        }
      g_ptr_array_unref (flush->sources);
    }

  if (flush->unref != NULL)
    {
      for (guint i = 0; i < flush->unref->len; i++)
        g_object_unref (g_ptr_array_index (flush->unref, i));
      g_ptr_array_unref (flush->unref);
    }
}
