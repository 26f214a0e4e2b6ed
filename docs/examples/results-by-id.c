/* results-by-id.c: tasks finish in any order; their ids tell which input
 * each result belongs to
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

static void
measure (JsTask   *task,
         gpointer  user_data)
{
  const char *word = user_data;

  /* The longer the word, the sooner it finishes. */
  g_usleep ((10 - strlen (word)) * G_TIME_SPAN_MILLISECOND);

  js_task_return_int (task, g_utf8_strlen (word, -1));
}

int
main (void)
{
  const char *words[] = { "red", "green", "blue" };
  gssize lengths[G_N_ELEMENTS (words)] = { 0 };
  g_autoptr(GHashTable) index_of = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  guint64 ids[G_N_ELEMENTS (words)];
  JsTask *task;

  /* Remember which input each task id stands for. */
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      ids[i] = js_join_set_spawn_in_thread (set, measure, (gpointer) words[i], NULL);
      g_hash_table_insert (index_of, &ids[i], GUINT_TO_POINTER (i));
    }

  while ((task = js_join_set_join_next (set, NULL, NULL)) != NULL)
    {
      guint64 id = js_task_get_id (task);
      guint i = GPOINTER_TO_UINT (g_hash_table_lookup (index_of, &id));

      lengths[i] = js_task_propagate_int (task, NULL);
      g_object_unref (task);
    }

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    g_print ("%s: %" G_GSSIZE_FORMAT "\n", words[i], lengths[i]);

  return EXIT_SUCCESS;
}
