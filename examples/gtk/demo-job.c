/* demo-job.c: the GTK 4 demo's task functions, run on the thread pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Both functions are spawned with JS_SPAWN_IN_THREAD. They report progress
 * with js_task_set_progress() (safe from any thread; the set delivers it
 * to the main context, coalesced) and stop at the next chunk once their
 * cancellable is cancelled: by "Cancel all", by a new folder replacing the
 * set, or by the window closing and dropping it.
 *
 * Every DemoJob and every running task function is counted, so the demo
 * can show on exit that nothing it spawned outlived its set.
 */

#include "config.h"

#include "demo-job.h"

/* Do not list more than this many files. */
#define MAX_FILES (20 * 1000)

static int n_alive;      /* DemoJobs created and not freed yet */
static int n_freed;      /* DemoJobs freed */
static int n_never_ran;  /* ... whose task function was never called */
static int n_running;    /* task functions running now */
static int n_completed;  /* task functions that returned, not cancelled */
static int n_stopped;    /* task functions that returned, cancelled */

DemoJob *
demo_job_new (const char *path,
              guint64     size,
              gboolean    slow)
{
  DemoJob *job = g_new0 (DemoJob, 1);

  job->path = g_strdup (path);
  job->size = size;
  job->chunk_size = slow ? 8 * 1024 : 64 * 1024;
  job->delay_ms = slow ? 25 : 0;
  g_atomic_int_inc (&n_alive);

  return job;
}

void
demo_job_free (gpointer data)
{
  DemoJob *job = data;

  if (!job->ran)
    g_atomic_int_inc (&n_never_ran);
  g_free (job->path);
  g_free (job);
  g_atomic_int_add (&n_alive, -1);
  g_atomic_int_inc (&n_freed);
}

static void
job_started (DemoJob *job)
{
  job->ran = TRUE;
  g_atomic_int_inc (&n_running);
}

/* Counts how a task function ends, just before it returns its result: a
 * function that was cancelled stopped early, whatever it returns. */
static void
job_returning (GCancellable *cancellable,
               const GError *error)
{
  if (g_cancellable_is_cancelled (cancellable) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_atomic_int_inc (&n_stopped);
  else
    g_atomic_int_inc (&n_completed);
}

static void
demo_file_free (gpointer data)
{
  DemoFile *file = data;

  g_free (file->path);
  g_free (file->name);
  g_free (file);
}

static int
compare_files (gconstpointer a,
               gconstpointer b)
{
  const DemoFile *fa = *(DemoFile * const *) a;
  const DemoFile *fb = *(DemoFile * const *) b;

  return g_utf8_collate (fa->name, fb->name);
}

static gboolean
collect_files (GFile         *root,
               GFile         *dir,
               GPtrArray     *files,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;
  GFile *child;

  children = g_file_enumerate_children (dir,
                                        G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                        G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                        G_FILE_ATTRIBUTE_STANDARD_IS_HIDDEN,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                        cancellable, error);
  if (children == NULL)
    return FALSE;

  while (files->len < MAX_FILES)
    {
      const char *name;

      if (!g_file_enumerator_iterate (children, &info, &child, cancellable, error))
        return FALSE;
      if (info == NULL)
        break;

      name = g_file_info_get_name (info);
      if (g_file_info_get_is_hidden (info) || g_str_has_prefix (name, "_build"))
        continue;

      switch (g_file_info_get_file_type (info))
        {
        case G_FILE_TYPE_DIRECTORY:
          /* An unreadable subfolder is skipped, not an error; a
           * cancellation is. */
          {
            g_autoptr(GError) local_error = NULL;

            if (!collect_files (root, child, files, cancellable, &local_error) &&
                g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
              {
                g_propagate_error (error, g_steal_pointer (&local_error));
                return FALSE;
              }
          }
          break;

        case G_FILE_TYPE_REGULAR:
          {
            DemoFile *file = g_new0 (DemoFile, 1);

            file->path = g_file_get_path (child);
            file->name = g_file_get_relative_path (root, child);
            file->size = g_file_info_get_size (info);
            g_ptr_array_add (files, file);
          }
          break;

        default:
          break;
        }
    }

  return TRUE;
}

/* Lists the regular files under job->path, recursively, skipping hidden
 * files and build folders. Returns a GPtrArray of DemoFile, sorted by
 * name. */
void
demo_job_list_folder (JsTask   *task,
                      gpointer  user_data)
{
  DemoJob *job = user_data;
  g_autoptr(GFile) root = g_file_new_for_path (job->path);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (demo_file_free);
  GError *error = NULL;

  job_started (job);

  if (collect_files (root, root, files, js_task_get_cancellable (task), &error))
    {
      job_returning (js_task_get_cancellable (task), NULL);
      g_ptr_array_sort (files, compare_files);
      js_task_return_pointer (task, g_steal_pointer (&files),
                              (GDestroyNotify) g_ptr_array_unref);
    }
  else
    {
      job_returning (js_task_get_cancellable (task), error);
      js_task_return_error (task, error);
    }

  g_atomic_int_add (&n_running, -1);
}

/* Sleeps for @delay_ms, or less if @cancellable is cancelled meanwhile. */
static void
delay (GCancellable *cancellable,
       guint         delay_ms)
{
  GPollFD pollfd;

  if (g_cancellable_make_pollfd (cancellable, &pollfd))
    {
      g_poll (&pollfd, 1, delay_ms);
      g_cancellable_release_fd (cancellable);
    }
  else
    {
      g_usleep (delay_ms * G_TIME_SPAN_MILLISECOND);
    }
}

/* Returns the SHA-256 of job->path as a string, reading it a chunk at a
 * time, reporting progress and checking @cancellable between chunks. */
void
demo_job_hash_file (JsTask   *task,
                    gpointer  user_data)
{
  DemoJob *job = user_data;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GFile) file = g_file_new_for_path (job->path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autofree guchar *buffer = g_malloc (job->chunk_size);
  GError *error = NULL;
  guint64 done = 0;
  gssize n_read;

  job_started (job);

  stream = g_file_read (file, js_task_get_cancellable (task), &error);
  if (stream == NULL)
    goto out;

  for (;;)
    {
      if (job->delay_ms > 0)
        delay (js_task_get_cancellable (task), job->delay_ms);

      /* Fails with G_IO_ERROR_CANCELLED once the task is aborted. */
      n_read = g_input_stream_read (G_INPUT_STREAM (stream), buffer, job->chunk_size,
                                    js_task_get_cancellable (task), &error);
      if (n_read <= 0)
        break;

      g_checksum_update (checksum, buffer, n_read);
      done += n_read;
      if (job->size > 0)
        js_task_set_progress (task, MIN (1.0, (double) done / job->size));
    }

out:
  job_returning (js_task_get_cancellable (task), error);
  if (error != NULL)
    js_task_return_error (task, error);
  else
    js_task_return_pointer (task, g_strdup (g_checksum_get_string (checksum)), g_free);

  g_atomic_int_add (&n_running, -1);
}

guint
demo_job_get_n_alive (void)
{
  return g_atomic_int_get (&n_alive);
}

guint
demo_job_get_n_freed (void)
{
  return g_atomic_int_get (&n_freed);
}

guint
demo_job_get_n_running (void)
{
  return g_atomic_int_get (&n_running);
}

guint
demo_job_get_n_completed (void)
{
  return g_atomic_int_get (&n_completed);
}

guint
demo_job_get_n_stopped (void)
{
  return g_atomic_int_get (&n_stopped);
}

guint
demo_job_get_n_never_ran (void)
{
  return g_atomic_int_get (&n_never_ran);
}
