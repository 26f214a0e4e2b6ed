/* concurrency-limit.c: crawl a site whose pages link to more pages, with
 * at most four requests in flight
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

#define MAX_REQUESTS 4
#define N_PAGES      40

typedef struct
{
  JsTask *task;
  guint   page;
} Request;

static guint in_flight;
static guint peak;

/* Stands in for a download that answers from the main loop a few
 * milliseconds later: page n links to pages 2n and 2n + 1. */
static void
page_downloaded (gpointer data)
{
  Request *request = data;
  GArray *links = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint link = 2 * request->page; link <= 2 * request->page + 1; link++)
    if (link <= N_PAGES)
      g_array_append_val (links, link);

  in_flight--;
  js_task_return_pointer (request->task, links, (GDestroyNotify) g_array_unref);

  g_object_unref (request->task);
  g_free (request);
}

static void
crawl (JsTask   *task,
       gpointer  user_data)
{
  Request *request = g_new0 (Request, 1);

  request->task = g_object_ref (task);
  request->page = GPOINTER_TO_UINT (user_data);

  in_flight++;
  peak = MAX (peak, in_flight);

  g_timeout_add_once (5, page_downloaded, request);
}

int
main (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *task;
  guint n_crawled = 0;

  /* Spawning never blocks: the tasks over the limit wait for a free slot,
   * in the order they were spawned. */
  js_join_set_set_max_concurrent (set, MAX_REQUESTS);
  js_join_set_spawn (set, crawl, GUINT_TO_POINTER (1), NULL);

  /* join_next() runs the main context while it waits, so the requests
   * progress without a GMainLoop. */
  while ((task = js_join_set_join_next (set, NULL, NULL)) != NULL)
    {
      g_autoptr(GArray) links = js_task_propagate_pointer (task, NULL);

      n_crawled++;

      /* Every link found adds a task to the set, while others run. */
      for (guint i = 0; links != NULL && i < links->len; i++)
        js_join_set_spawn (set, crawl,
                           GUINT_TO_POINTER (g_array_index (links, guint, i)),
                           NULL);

      g_object_unref (task);
    }

  g_print ("Crawled %u pages, at most %u at a time\n", n_crawled, peak);

  return EXIT_SUCCESS;
}
