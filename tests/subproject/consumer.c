/* consumer.c: a program of another project, built against libjoinset as
 * a meson subproject
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
  g_autoptr(GError) error = NULL;
  JsTask *task;
  gssize total = 0;

  for (gsize n = 1; n <= 3; n++)
    js_join_set_spawn_in_thread (set, square, GSIZE_TO_POINTER (n), NULL);

  while ((task = js_join_set_join_next (set, NULL, &error)) != NULL)
    {
      total += js_task_propagate_int (task, NULL);
      g_object_unref (task);
    }

  g_print ("libjoinset %s as a subproject: %" G_GSSIZE_FORMAT "\n",
           JS_VERSION_S, total);
  return total == 14 ? EXIT_SUCCESS : EXIT_FAILURE;
}
