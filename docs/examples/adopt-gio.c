/* adopt-gio.c: load files with g_file_load_bytes_async(), each load a task
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gstdio.h>
#include <joinset/joinset.h>

/* Starts the operation: the task's cancellable, the callback and its data
 * go to the _async function unchanged. */
static void
load_start (JsTask              *task,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             callback_data,
            gpointer             user_data)
{
  g_file_load_bytes_async (G_FILE (user_data), cancellable, callback, callback_data);
}

/* Finishes it: the _finish function's error is the task's error, its value
 * goes into @value and belongs to the task. */
static gboolean
load_finish (GObject       *source_object,
             GAsyncResult  *result,
             GValue        *value,
             GError       **error)
{
  GBytes *bytes = g_file_load_bytes_finish (G_FILE (source_object), result, NULL, error);

  if (bytes == NULL)
    return FALSE;

  g_value_init (value, G_TYPE_BYTES);
  g_value_take_boxed (value, bytes);
  return TRUE;
}

int
main (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autofree char *dir = g_dir_make_tmp ("adopt-gio-XXXXXX", NULL);
  const char *files[] = { "a.txt", "b.txt", "missing.txt" };
  guint64 ids[G_N_ELEMENTS (files)];
  char *lines[G_N_ELEMENTS (files)];
  JsTask *task;

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);
      g_autofree char *text = g_strnfill (10 * (i + 1), 'x');

      g_file_set_contents (path, text, -1, NULL);
    }

  /* At most two loads at a time; each one is a task of the set. */
  js_join_set_set_max_concurrent (set, 2);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);

      ids[i] = js_join_set_spawn_async (set, load_start, load_finish,
                                        g_file_new_for_path (path),
                                        g_object_unref);
    }

  /* Tasks finish in any order: each result goes back to its file by id. */
  while ((task = js_join_set_join_next (set, NULL, NULL)) != NULL)
    {
      g_auto(GValue) value = G_VALUE_INIT;
      g_autoptr(GError) error = NULL;
      guint i = 0;

      while (ids[i] != js_task_get_id (task))
        i++;

      if (js_task_propagate_value (task, &value, &error))
        lines[i] = g_strdup_printf ("%s: %zu bytes", files[i],
                                    g_bytes_get_size (g_value_get_boxed (&value)));
      else
        lines[i] = g_strdup_printf ("%s: %s", files[i],
                                    g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
                                    ? "not found" : error->message);

      g_object_unref (task);
    }

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_print ("%s\n", lines[i]);
      g_free (lines[i]);
    }

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);

      g_unlink (path);
    }
  g_rmdir (dir);

  return EXIT_SUCCESS;
}
