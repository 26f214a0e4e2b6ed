/* ordered.c: process the chunks of a file on worker threads, and write
 * the results out in the order of the chunks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

static const char *chunks[] = {
  "the first chunk is slow",
  "second",
  "third",
  "fourth",
};

/* Lets the first chunk finish, once the others are done. */
static gint gate_open;

static void
shout (JsTask   *task,
       gpointer  user_data)
{
  const char *chunk = user_data;

  if (chunk == chunks[0])
    while (!g_atomic_int_get (&gate_open))
      g_usleep (1000);

  js_task_return_pointer (task, g_ascii_strup (chunk, -1), g_free);
}

int
main (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *task;

  /* Joins yield the tasks in spawn order, like tokio-util's JoinQueue. */
  js_join_set_set_ordered (set, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    js_join_set_spawn_in_thread (set, shout, (gpointer) chunks[i], NULL);

  /* The slow first chunk does not keep the others from running... */
  while (js_join_set_get_n_finished (set) < G_N_ELEMENTS (chunks) - 1)
    g_main_context_iteration (NULL, TRUE);
  g_print ("%" G_GUINT64_FORMAT " chunks finished, ",
           js_join_set_get_n_finished (set));

  /* ...but none of them can be joined before it. */
  task = js_join_set_try_join_next (set);
  g_print ("%s\n", task == NULL ? "none joinable yet" : "one joinable");
  g_clear_object (&task);

  g_atomic_int_set (&gate_open, TRUE);

  while ((task = js_join_set_join_next (set, NULL, NULL)) != NULL)
    {
      g_autofree char *result = js_task_propagate_pointer (task, NULL);

      g_print ("Task %" G_GUINT64_FORMAT ": %s\n", js_task_get_id (task), result);
      g_object_unref (task);
    }

  return EXIT_SUCCESS;
}
