/* close-then-wait.c: stop taking work, let the work in flight finish
 * (tokio-util's TaskTracker: close(), then wait())
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

static void
save (JsTask   *task,
      gpointer  user_data)
{
  /* Saving a document: it must not be cut short. */
  g_usleep (5 * G_TIME_SPAN_MILLISECOND);
  js_task_return_int (task, GPOINTER_TO_INT (user_data));
}

static void
on_all_saved (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GPtrArray) tasks = NULL;
  guint n_saved = 0;

  tasks = js_join_set_join_all_finish (JS_JOIN_SET (source), result, NULL);
  for (guint i = 0; i < tasks->len; i++)
    if (!js_task_had_error (g_ptr_array_index (tasks, i)))
      n_saved++;

  g_print ("%u documents saved, none cut short\n", n_saved);
  g_main_loop_quit (user_data);
}

int
main (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(JsJoinSet) set = js_join_set_new ();

  /* Two at a time: some saves are still queued when the program quits. */
  js_join_set_set_max_concurrent (set, 2);
  for (gint i = 1; i <= 5; i++)
    js_join_set_spawn_in_thread (set, save, GINT_TO_POINTER (i), NULL);

  /* Quitting: refuse new work, and wait for what was started. */
  js_join_set_close (set);
  g_print ("A save after close() gets id %" G_GUINT64_FORMAT "\n",
           js_join_set_spawn_in_thread (set, save, NULL, NULL));

  js_join_set_join_all_async (set, NULL, on_all_saved, loop);
  g_main_loop_run (loop);

  return EXIT_SUCCESS;
}
