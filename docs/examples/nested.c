/* nested.c: a task per folder, each with a set of its own for the files
 * of its folder; aborting a folder's task aborts its files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

typedef struct
{
  const char *name;
  guint       n_files;
  gboolean    slow;       /* its files take until they are cancelled */
  char       *report;     /* what became of its files */
} Folder;

typedef struct
{
  JsTask *task;           /* the folder's task, completed by on_files_done() */
  Folder *folder;
} Scan;

/* A file task, on a worker thread. The files of a slow folder stand for
 * big files on a slow disk: they wait until they are cancelled. */
static void
hash_file (JsTask   *task,
           gpointer  user_data)
{
  const Folder *folder = user_data;
  GPollFD fd;

  if (folder->slow && g_cancellable_make_pollfd (js_task_get_cancellable (task), &fd))
    {
      g_poll (&fd, 1, -1);
      g_cancellable_release_fd (js_task_get_cancellable (task));
    }

  if (!js_task_return_error_if_cancelled (task))
    js_task_return_int (task, 1024);
}

static void
on_files_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Scan *scan = user_data;
  g_autoptr(GPtrArray) files = NULL;
  guint n_hashed = 0, n_cancelled = 0;
  gssize bytes = 0;

  files = js_join_set_join_all_finish (JS_JOIN_SET (source), result, NULL);
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(GError) error = NULL;
      gssize size = js_task_propagate_int (g_ptr_array_index (files, i), &error);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        n_cancelled++;
      else if (error == NULL)
        {
          n_hashed++;
          bytes += size;
        }
    }

  scan->folder->report = g_strdup_printf ("%u files hashed, %u cancelled",
                                          n_hashed, n_cancelled);

  /* An aborted folder task already joined as cancelled: what it returns
   * now is freed. */
  if (!js_task_return_error_if_cancelled (scan->task))
    js_task_return_int (scan->task, bytes);

  g_object_unref (scan->task);
  g_free (scan);
}

/* A folder task, in the main context. */
static void
scan_folder (JsTask   *task,
             gpointer  user_data)
{
  Folder *folder = user_data;
  Scan *scan = g_new0 (Scan, 1);
  JsJoinSet *files;

  /* The child set follows the task's js_task_get_cancellable (task): when the folder's task
   * is aborted (alone, with its whole set, or by a timeout), every file
   * task is aborted too, and the child set is closed. */
  files = js_join_set_new_with_cancellable (js_task_get_cancellable (task));

  for (guint i = 0; i < folder->n_files; i++)
    js_join_set_spawn_in_thread (files, hash_file, folder, NULL);

  scan->task = g_object_ref (task);
  scan->folder = folder;
  js_join_set_join_all_async (files, NULL, on_files_done, scan);

  /* The pending join holds the child set until it completes. */
  g_object_unref (files);
}

int
main (void)
{
  Folder photos = { "Photos", 3, FALSE, NULL };
  Folder videos = { "Videos", 2, TRUE, NULL };
  g_autoptr(JsJoinSet) folders = js_join_set_new ();
  guint64 videos_id;
  JsTask *task;

  js_join_set_spawn (folders, scan_folder, &photos, NULL);
  videos_id = js_join_set_spawn (folders, scan_folder, &videos, NULL);

  /* Photos finishes; Videos cannot, its files wait. */
  task = js_join_set_join_next (folders, NULL, NULL);
  g_print ("%s: %" G_GSSIZE_FORMAT " bytes (%s)\n", photos.name,
           js_task_propagate_int (task, NULL), photos.report);
  g_object_unref (task);

  /* Aborting the Videos task aborts its child set. */
  js_join_set_abort (folders, videos_id);
  task = js_join_set_join_next (folders, NULL, NULL);
  g_print ("%s: %s\n", videos.name,
           js_task_had_error (task) ? "aborted" : "finished");
  g_object_unref (task);

  /* Its child set hands back its file tasks in the next iterations. */
  while (videos.report == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_print ("%s: %s\n", videos.name, videos.report);

  g_free (photos.report);
  g_free (videos.report);

  return EXIT_SUCCESS;
}
