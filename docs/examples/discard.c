/* discard.c: a long-lived set of fire-and-forget work that does not pile
 * up results nobody reads
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

#define N_SAVES 1000

/* Stands for saving a draft to disk; one save in a thousand fails. */
static void
autosave (JsTask   *task,
          gpointer  user_data)
{
  guint draft = GPOINTER_TO_UINT (user_data);

  if (draft == 500)
    js_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                              "No space left to save draft %u", draft);
  else
    js_task_return_boolean (task, TRUE);
}

/* In a discarding set, task-finished is the only place where a task's
 * outcome can be read: the task is freed after the handler returns. */
static void
on_task_finished (JsJoinSet *set,
                  JsTask    *task,
                  guint     *n_seen)
{
  g_autoptr(GError) error = NULL;

  (*n_seen)++;
  if (!js_task_propagate_boolean (task, &error))
    g_print ("Autosave failed: %s\n", error->message);
}

int
main (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  guint n_seen = 0;
  JsTask *task;

  js_join_set_set_discard_results (set, TRUE);
  js_join_set_set_max_concurrent (set, 4);

  /* Without a handler, a failure would be reported with a warning. */
  g_signal_connect (set, "task-finished", G_CALLBACK (on_task_finished), &n_seen);

  for (guint draft = 1; draft <= N_SAVES; draft++)
    js_join_set_spawn_in_thread (set, autosave, GUINT_TO_POINTER (draft), NULL);

  /* There is nothing to join: a join waits until the set is empty and
   * returns no task. */
  task = js_join_set_join_next (set, NULL, NULL);
  g_assert (task == NULL);

  /* The last task-finished emissions are still on their way. */
  while (n_seen < N_SAVES)
    g_main_context_iteration (NULL, TRUE);

  g_print ("%" G_GUINT64_FORMAT " saves finished, %u seen by task-finished\n",
           js_join_set_get_n_finished (set), n_seen);
  g_print ("Tasks left in the set: %u\n", js_join_set_get_length (set));

  return EXIT_SUCCESS;
}
