/* js-timer.c: the thread where deadlines fire
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "js-timer-private.h"

static gpointer
timer_thread_func (gpointer data)
{
  GMainContext *context = data;

  g_main_context_push_thread_default (context);
  for (;;)
    g_main_context_iteration (context, TRUE);

  return NULL;
}

GMainContext *
_js_timer_get_context (void)
{
  static GMainContext *context = NULL;

  if (g_once_init_enter (&context))
    {
      GMainContext *new_context = g_main_context_new ();

      g_thread_unref (g_thread_new ("joinset-timer", timer_thread_func,
                                    new_context));
      g_once_init_leave (&context, new_context);
    }

  return context;
}
