/* cancellation-token.c: workers that run until the program shuts down
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib-unix.h>
#include <signal.h>

#include <joinset/joinset.h>

#define N_WORKERS 4

static gint n_cleaned_up;

/* A worker on its own thread: small units of blocking work until its
 * cancellable is cancelled, then cleanup. */
static void
worker (JsTask   *task,
        gpointer  user_data)
{
  guint units = 0;

  while (!g_cancellable_is_cancelled (js_task_get_cancellable (task)))
    {
      g_usleep (G_TIME_SPAN_MILLISECOND);
      units++;
    }

  /* The set no longer waits for this result, but shutdown waits for this
   * function to return: finish the cleanup here. */
  g_atomic_int_inc (&n_cleaned_up);
  js_task_return_int (task, units);
}

typedef struct
{
  GMainLoop    *loop;
  GCancellable *shutdown;
  JsJoinSet    *set;
  guint         n_cancelled;
} App;

static void
on_shut_down (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  App *app = user_data;

  /* Every worker has returned. */
  js_join_set_shutdown_finish (app->set, result, NULL);

  g_print ("%d workers cleaned up, %u tasks cancelled\n",
           g_atomic_int_get (&n_cleaned_up), app->n_cancelled);

  g_main_loop_quit (app->loop);
}

static gboolean
on_shutdown_requested (gpointer user_data)
{
  App *app = user_data;
  JsTask *task;

  if (g_cancellable_is_cancelled (app->shutdown))
    return G_SOURCE_CONTINUE;

  /* Cancelling the parent cancellable aborts every task of the set and
   * closes it: the tasks join as cancelled at once. */
  g_cancellable_cancel (app->shutdown);
  while ((task = js_join_set_try_join_next (app->set)) != NULL)
    {
      g_autoptr(GError) error = NULL;

      js_task_propagate_int (task, &error);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        app->n_cancelled++;
      g_object_unref (task);
    }

  /* Shutdown waits until no worker is running any more. */
  js_join_set_shutdown_async (app->set, NULL, on_shut_down, app);

  return G_SOURCE_CONTINUE;
}

int
main (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) shutdown = g_cancellable_new ();
  g_autoptr(JsJoinSet) set = js_join_set_new_with_cancellable (shutdown);
  App app = { loop, shutdown, set, 0 };
  guint sigint_id;
  guint timeout_id;

  for (guint i = 0; i < N_WORKERS; i++)
    js_join_set_spawn_in_thread (set, worker, NULL, NULL);

  /* Shut down on Ctrl+C, or after 50 ms in this example. */
  sigint_id = g_unix_signal_add (SIGINT, on_shutdown_requested, &app);
  timeout_id = g_timeout_add (50, on_shutdown_requested, &app);

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (timeout_id);

  return EXIT_SUCCESS;
}
