/* joinset-hash.c: checksum every file under a directory with a JsJoinSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: joinset-hash [-j JOBS] [DIRECTORY]
 *
 * Every file is hashed by a task on the thread pool, at most JOBS at once.
 * Each checksum is printed as its task finishes (completion order, mapped
 * back to its file by the task id), then a summary. Ctrl-C cancels the
 * set's parent cancellable: running tasks stop at their next chunk, queued
 * ones never start, and the summary says how many were aborted.
 */

#include "config.h"

#include <glib-unix.h>
#include <joinset/joinset.h>

#define CHUNK_SIZE (64 * 1024)

typedef struct
{
  GMainLoop    *loop;
  JsJoinSet    *set;
  GHashTable   *paths;        /* task id → path */
  guint         n_hashed;
  guint         n_failed;
  guint         n_aborted;
} Hasher;

/* Runs on a worker thread. */
static void
hash_file (JsTask   *task,
           gpointer  user_data)
{
  const char *path = user_data;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autofree guchar *buffer = g_malloc (CHUNK_SIZE);
  GError *error = NULL;
  gssize n_read;

  stream = g_file_read (file, js_task_get_cancellable (task), &error);
  if (stream == NULL)
    {
      js_task_return_error (task, error);
      return;
    }

  while ((n_read = g_input_stream_read (G_INPUT_STREAM (stream), buffer,
                                        CHUNK_SIZE, js_task_get_cancellable (task), &error)) > 0)
    g_checksum_update (checksum, buffer, n_read);

  if (n_read < 0)
    js_task_return_error (task, error);
  else
    js_task_return_pointer (task, g_strdup (g_checksum_get_string (checksum)), g_free);
}

static void
collect_files (GFile      *dir,
               GPtrArray  *paths,
               GError    **error)
{
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;
  GFile *child;

  children = g_file_enumerate_children (dir,
                                        G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                        NULL, error);
  if (children == NULL)
    return;

  while (g_file_enumerator_iterate (children, &info, &child, NULL, error) && info != NULL)
    {
      const char *name = g_file_info_get_name (info);

      switch (g_file_info_get_file_type (info))
        {
        case G_FILE_TYPE_DIRECTORY:
          /* Skip version control and build directories. */
          if (name[0] != '.' && !g_str_has_prefix (name, "_build"))
            collect_files (child, paths, NULL);
          break;

        case G_FILE_TYPE_REGULAR:
          g_ptr_array_add (paths, g_file_get_path (child));
          break;

        default:
          break;
        }
    }
}

static void join_next (Hasher *hasher);

static void
on_joined (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Hasher *hasher = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsTask) task = NULL;
  g_autofree char *sum = NULL;
  const char *path;

  task = js_join_set_join_next_finish (JS_JOIN_SET (object), result, &error);
  if (task == NULL)
    {
      /* The set is empty: every task was joined. */
      g_main_loop_quit (hasher->loop);
      return;
    }

  path = g_hash_table_lookup (hasher->paths, GSIZE_TO_POINTER (js_task_get_id (task)));
  sum = js_task_propagate_pointer (task, &error);

  if (sum != NULL)
    {
      g_print ("%s  %s\n", sum, path);
      hasher->n_hashed++;
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      hasher->n_aborted++;
    }
  else
    {
      g_printerr ("%s: %s\n", path, error->message);
      hasher->n_failed++;
    }

  join_next (hasher);
}

static void
join_next (Hasher *hasher)
{
  js_join_set_join_next_async (hasher->set, NULL, on_joined, hasher);
}

static gboolean
on_sigint (gpointer user_data)
{
  GCancellable *cancellable = user_data;

  g_printerr ("Interrupted: aborting the remaining tasks\n");
  g_cancellable_cancel (cancellable);

  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  int jobs = (int) g_get_num_processors ();
  Hasher hasher = { 0 };
  GOptionEntry entries[] = {
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Hash at most JOBS files at once", "JOBS" },
    G_OPTION_ENTRY_NULL
  };

  context = g_option_context_new ("[DIRECTORY] - checksum every file with a JsJoinSet");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (jobs < 1)
    {
      g_printerr ("--jobs must be at least 1\n");
      return 2;
    }

  dir = g_file_new_for_commandline_arg (argc > 1 ? argv[1] : JS_SOURCE_DIR);
  collect_files (dir, files, &error);
  if (error != NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  hasher.loop = g_main_loop_new (NULL, FALSE);
  hasher.set = js_join_set_new_with_cancellable (cancellable);
  hasher.paths = g_hash_table_new (NULL, NULL);
  js_join_set_set_max_concurrent (hasher.set, jobs);

  g_unix_signal_add (SIGINT, on_sigint, cancellable);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      guint64 id;

      id = js_join_set_spawn_in_thread (hasher.set, hash_file, g_strdup (path), g_free);
      g_hash_table_insert (hasher.paths, GSIZE_TO_POINTER (id), (gpointer) path);
    }

  join_next (&hasher);
  g_main_loop_run (hasher.loop);

  g_print ("\n%u files hashed, %u failed, %u aborted, with at most %d at once, in %.3f s\n",
           hasher.n_hashed, hasher.n_failed, hasher.n_aborted, jobs,
           g_timer_elapsed (timer, NULL));

  g_clear_pointer (&hasher.paths, g_hash_table_unref);
  g_clear_object (&hasher.set);
  g_clear_pointer (&hasher.loop, g_main_loop_unref);

  return hasher.n_failed > 0 || hasher.n_aborted > 0 ? 1 : 0;
}
