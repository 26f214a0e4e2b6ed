/* fan-out.c: fetch every page at once, handle each one as it arrives
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <locale.h>

#include <joinset/joinset.h>

/* Stands in for a real request, such as soup_session_send_and_read_async():
 * a GIO-style asynchronous operation that answers from the main loop. */
static void
answer (gpointer data)
{
  g_autoptr(GTask) request = data;
  const char *url = g_task_get_task_data (request);

  g_task_return_pointer (request, g_strdup_printf ("<h1>%s</h1>", url), g_free);
}

static void
fake_fetch_async (const char          *url,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) request = g_task_new (NULL, cancellable, callback, user_data);
  GError *error = NULL;

  if (!g_uri_is_valid (url, G_URI_FLAGS_NONE, &error))
    {
      g_task_return_error (request, error);
      return;
    }

  g_task_set_task_data (request, g_strdup (url), g_free);
  g_timeout_add_once (10 * strlen (url), answer, g_steal_pointer (&request));
}

static char *
fake_fetch_finish (GAsyncResult  *result,
                   GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The task: start the request, complete the task when it answers. */
static void
fetch_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(JsTask) task = user_data;
  GError *error = NULL;
  char *page = fake_fetch_finish (result, &error);

  if (page == NULL)
    js_task_return_error (task, error);
  else
    js_task_return_pointer (task, page, g_free);
}

static void
fetch (JsTask   *task,
       gpointer  user_data)
{
  const char *url = user_data;

  /* The reference keeps the task open until fetch_done() returns it. */
  fake_fetch_async (url, js_task_get_cancellable (task), fetch_done, g_object_ref (task));
}

/* The consumer: one join at a time, in the order the pages arrive. */
typedef struct
{
  GMainLoop *loop;
  guint      n_pages;
  gsize      n_bytes;
  guint      n_failed;
} Fetcher;

static void
on_next (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  JsJoinSet *set = JS_JOIN_SET (source);
  Fetcher *fetcher = user_data;
  g_autoptr(JsTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *page = NULL;

  task = js_join_set_join_next_finish (set, result, NULL);
  if (task == NULL)
    {
      /* The set is empty: every task was joined. */
      g_main_loop_quit (fetcher->loop);
      return;
    }

  page = js_task_propagate_pointer (task, &error);
  if (page != NULL)
    {
      fetcher->n_pages++;
      fetcher->n_bytes += strlen (page);
    }
  else if (g_error_matches (error, JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED))
    {
      g_printerr ("Task panicked: %s\n", error->message);
      fetcher->n_failed++;
    }
  else
    {
      g_printerr ("Task failed: %s\n", error->message);
      fetcher->n_failed++;
    }

  js_join_set_join_next_async (set, NULL, on_next, fetcher);
}

int
main (void)
{
  const char *urls[] = {
    "https://example.org/",
    "https://example.com/news",
    "not a url",
    "https://example.net/",
  };
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Fetcher fetcher = { loop, 0, 0, 0 };

  setlocale (LC_ALL, "");

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    js_join_set_spawn (set, fetch, g_strdup (urls[i]), g_free);

  js_join_set_join_next_async (set, NULL, on_next, &fetcher);
  g_main_loop_run (loop);

  g_print ("%u pages (%" G_GSIZE_FORMAT " bytes), %u failed\n",
           fetcher.n_pages, fetcher.n_bytes, fetcher.n_failed);

  return EXIT_SUCCESS;
}
