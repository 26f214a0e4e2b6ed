/* racing.c: ask three mirrors and keep the first answer; check a download
 * three ways and stop at the first failure
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

typedef struct
{
  const char *name;
  int         delay_ms;   /* how long the request takes */
  gboolean    fails;
} Request;

/* Stands for a request that takes @request->delay_ms milliseconds, or
 * less if it is cancelled: it waits on the cancellable's file descriptor,
 * so that an aborted task returns at once. */
static void
send_request (JsTask   *task,
              gpointer  user_data)
{
  const Request *request = user_data;
  GPollFD fd;

  if (g_cancellable_make_pollfd (js_task_get_cancellable (task), &fd))
    {
      g_poll (&fd, 1, request->delay_ms);
      g_cancellable_release_fd (js_task_get_cancellable (task));
    }

  if (js_task_return_error_if_cancelled (task))
    return;

  if (request->fails)
    js_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                              "%s does not match", request->name);
  else
    js_task_return_pointer (task, g_strdup_printf ("answer from %s", request->name),
                            g_free);
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/* Spawns the requests, joins them all, and prints one line per request,
 * in alphabetical order. */
static void
run (JsJoinSet     *set,
     const Request *requests,
     guint          n_requests)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  JsTask *task;

  for (guint i = 0; i < n_requests; i++)
    js_join_set_spawn_full (set, JS_SPAWN_IN_THREAD, requests[i].name, 0,
                            send_request, (gpointer) &requests[i], NULL);

  while ((task = js_join_set_join_next (set, NULL, NULL)) != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *answer = js_task_propagate_pointer (task, &error);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_ptr_array_add (lines, g_strdup_printf ("  %s: aborted", js_task_get_name (task)));
      else if (error != NULL)
        g_ptr_array_add (lines, g_strdup_printf ("  %s: failed: %s", js_task_get_name (task),
                                                 error->message));
      else
        g_ptr_array_add (lines, g_strdup_printf ("  %s: %s", js_task_get_name (task), answer));

      g_object_unref (task);
    }

  g_ptr_array_sort (lines, compare_lines);
  for (guint i = 0; i < lines->len; i++)
    g_print ("%s\n", (const char *) g_ptr_array_index (lines, i));
}

int
main (void)
{
  /* Two mirrors are far away; the first answer wins. The policies abort
   * the tasks in the set when the race is decided, so the one that can
   * decide it at once is spawned last. */
  static const Request mirrors[] = {
    { "mirror-a.example.org", 60000, FALSE },
    { "mirror-c.example.org", 60000, FALSE },
    { "mirror-b.example.org", 10, FALSE },
  };
  /* One check fails at once; the others need not finish. */
  static const Request checks[] = {
    { "signature", 60000, FALSE },
    { "virus-scan", 60000, FALSE },
    { "checksum", 0, TRUE },
  };
  g_autoptr(JsJoinSet) race = js_join_set_new ();
  g_autoptr(JsJoinSet) all_or_nothing = js_join_set_new ();

  js_join_set_set_abort_on_success (race, TRUE);
  g_print ("Racing with abort-on-success:\n");
  run (race, mirrors, G_N_ELEMENTS (mirrors));

  js_join_set_set_abort_on_error (all_or_nothing, TRUE);
  g_print ("Checking with abort-on-error:\n");
  run (all_or_nothing, checks, G_N_ELEMENTS (checks));

  return EXIT_SUCCESS;
}
