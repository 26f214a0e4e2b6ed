/* error-handling.c: parse numbers, and tell the tasks that failed, panicked
 * or were cancelled apart
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <locale.h>

#include <joinset/joinset.h>

static void
parse_number (JsTask   *task,
              gpointer  user_data)
{
  const char *text = user_data;
  GError *error = NULL;
  gint64 number;

  /* A bug: this path forgets to complete the task. libjoinset notices
   * when the last reference to the task goes away. */
  if (*text == '\0')
    return;

  if (g_ascii_string_to_signed (text, 10, G_MININT32, G_MAXINT32, &number, &error))
    js_task_return_int (task, number);
  else
    js_task_return_error (task, error);
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  guint64 id_a = js_task_get_id (*(JsTask **) a);
  guint64 id_b = js_task_get_id (*(JsTask **) b);

  return (id_a > id_b) - (id_a < id_b);
}

static void
on_all_joined (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GMainLoop *loop = user_data;
  g_autoptr(GPtrArray) tasks = NULL;

  tasks = js_join_set_join_all_finish (JS_JOIN_SET (source), result, NULL);

  /* join_all gives the tasks in completion order: sort them by id. */
  g_ptr_array_sort (tasks, compare_ids);

  for (guint i = 0; i < tasks->len; i++)
    {
      JsTask *task = g_ptr_array_index (tasks, i);
      g_autoptr(GError) error = NULL;
      gssize number = js_task_propagate_int (task, &error);

      g_print ("Task %" G_GUINT64_FORMAT ": ", js_task_get_id (task));

      if (error == NULL)
        g_print ("%" G_GSSIZE_FORMAT "\n", number);
      else if (g_error_matches (error, JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED))
        g_print ("panicked (%s)\n", error->message);
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_print ("cancelled\n");
      else
        g_print ("failed (%s)\n", error->message);
    }

  g_main_loop_quit (loop);
}

int
main (void)
{
  const char *inputs[] = { "42", "seven", "", "1000", "-3" };
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  guint64 ids[G_N_ELEMENTS (inputs)];

  setlocale (LC_ALL, "");

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    ids[i] = js_join_set_spawn (set, parse_number, (gpointer) inputs[i], NULL);

  /* Changed our mind about the fourth one: it never runs. */
  js_join_set_abort (set, ids[3]);

  js_join_set_join_all_async (set, NULL, on_all_joined, loop);
  g_main_loop_run (loop);

  return EXIT_SUCCESS;
}
