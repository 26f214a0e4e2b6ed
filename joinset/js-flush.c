/* js-flush.c: deferred work, done after the core's lock is released
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "js-i18n-private.h"
#include "js-join-error.h"
#include "js-core-private.h"

void
_js_flush_add_unref (JsFlush  *flush,
                 gpointer  object)
{
  if (flush->unref == NULL)
    flush->unref = g_ptr_array_new ();
  g_ptr_array_add (flush->unref, object);
}

void
_js_flush_add_deliver (JsFlush  *flush,
                   JsWaiter *w)
{
  if (flush->deliver == NULL)
    flush->deliver = g_ptr_array_new ();
  g_ptr_array_add (flush->deliver, w);
}

void
_js_flush_add_source (JsFlush *flush,
                  GSource *source)
{
  if (flush->sources == NULL)
    flush->sources = g_ptr_array_new ();
  g_ptr_array_add (flush->sources, source);
}

gboolean
cancel_all_cb (gpointer data)
{
  GPtrArray *cancellables = data;

  for (guint i = 0; i < cancellables->len; i++)
    g_cancellable_cancel (g_ptr_array_index (cancellables, i));

  return G_SOURCE_REMOVE;
}

void
_js_flush_run (JsCore  *core,
           JsFlush *flush)
{
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

  if (flush->cancel_in_context != NULL)
    {
      GSource *idle = g_idle_source_new ();

      g_ptr_array_set_free_func (flush->cancel_in_context, g_object_unref);
      g_source_set_priority (idle, G_PRIORITY_HIGH);
      g_source_set_static_name (idle, "[joinset] cancel on dispose");
      g_source_set_callback (idle, cancel_all_cb, flush->cancel_in_context,
                             (GDestroyNotify) g_ptr_array_unref);
      g_source_attach (idle, core->context);
      g_source_unref (idle);
    }

  if (flush->destroy != NULL)
    {
      for (guint i = 0; i < flush->destroy->len; i++)
        {
          JsDestroy *d = &g_array_index (flush->destroy, JsDestroy, i);

          d->notify (d->data);
        }
      g_array_unref (flush->destroy);
    }

  if (flush->deliver != NULL)
    {
      for (guint i = 0; i < flush->deliver->len; i++)
        _js_waiter_deliver (g_ptr_array_index (flush->deliver, i), FALSE);
      g_ptr_array_unref (flush->deliver);
    }

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

  for (guint i = 0; i < flush->n_drainers; i++)
    _js_pool_push_drainer (core);

  if (flush->watch)
    _js_pool_watch (core);

  /* The thread that runs the context looks at the core again before it
   * polls: only another thread needs to wake it up. */
  if (flush->wakeup && !g_main_context_is_owner (core->context))
    g_main_context_wakeup (core->context);

  if (flush->unref != NULL)
    {
      for (guint i = 0; i < flush->unref->len; i++)
        g_object_unref (g_ptr_array_index (flush->unref, i));
      g_ptr_array_unref (flush->unref);
    }
}
