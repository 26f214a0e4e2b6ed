/* first-set.c: square three numbers on worker threads, add up the results
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

static void
square (JsTask   *task,
        gpointer  user_data)
{
  gssize n = GPOINTER_TO_SIZE (user_data);

  js_task_return_int (task, n * n);
}

int
main (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *task;
  gssize total = 0;

  for (gsize n = 1; n <= 3; n++)
    js_join_set_spawn_in_thread (set, square, GSIZE_TO_POINTER (n), NULL);

  /* Tasks come back in the order they finish; NULL means the set is empty. */
  while ((task = js_join_set_join_next (set, NULL, NULL)) != NULL)
    {
      g_autoptr(GError) error = NULL;
      gssize result = js_task_propagate_int (task, &error);

      if (error != NULL)
        g_printerr ("Task %" G_GUINT64_FORMAT " failed: %s\n",
                    js_task_get_id (task), error->message);
      else
        total += result;

      g_object_unref (task);
    }

  g_print ("1*1 + 2*2 + 3*3 = %" G_GSSIZE_FORMAT "\n", total);

  return EXIT_SUCCESS;
}
