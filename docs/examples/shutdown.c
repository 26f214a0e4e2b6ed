/* shutdown.c: abort does not wait for a running function, shutdown does
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

static gint n_running;

/* Blocking work in small steps, checking the cancellable between them. */
static void
copy_files (JsTask   *task,
            gpointer  user_data)
{
  guint step;

  g_atomic_int_inc (&n_running);

  for (step = 0; step < 10000; step++)
    {
      /* Completes the task with G_IO_ERROR_CANCELLED once it is aborted. */
      if (js_task_return_error_if_cancelled (task))
        break;
      g_usleep (G_TIME_SPAN_MILLISECOND);
    }

  if (step == 10000)
    js_task_return_boolean (task, TRUE);

  g_atomic_int_add (&n_running, -1);
}

static void
on_shut_down (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;

  *done = js_join_set_shutdown_finish (JS_JOIN_SET (source), result, NULL);
}

int
main (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(JsTask) first = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;
  guint64 id;

  id = js_join_set_spawn_in_thread (set, copy_files, NULL, NULL);
  js_join_set_spawn_in_thread (set, copy_files, NULL, NULL);

  /* Abort: the task joins at once, whether or not its function still runs. */
  js_join_set_abort (set, id);
  first = js_join_set_try_join_next (set);
  js_task_propagate_boolean (first, &error);
  g_print ("Task %" G_GUINT64_FORMAT " joined at once: %s\n",
           js_task_get_id (first), error->message);

  /* Shutdown: abort the rest, then wait until no function is running. */
  js_join_set_shutdown_async (set, NULL, on_shut_down, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_print ("After shutdown, %d task functions are running\n",
           g_atomic_int_get (&n_running));

  /* As Tokio's shutdown does, it leaves the set empty: the aborted task
   * nobody joined was freed. */
  g_print ("After shutdown, the set holds %u tasks\n", js_join_set_get_length (set));

  /* The set accepts new tasks again, unless it is closed. */
  js_join_set_close (set);
  id = js_join_set_spawn_in_thread (set, copy_files, NULL, NULL);
  g_print ("Spawning on a closed set returns %" G_GUINT64_FORMAT "\n", id);

  return EXIT_SUCCESS;
}
