/* js-pool.c: the thread pool shared by every JsJoinSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Thread tasks are not pushed to the pool one by one. A set keeps its own
 * run queue and asks the pool for a few "drainers", each of which runs the
 * set's thread tasks one after another until the queue is empty. That keeps
 * a flood of small tasks to one futex wake-up per drainer instead of one
 * per task, and the number of threads close to the number of processors.
 *
 * Thread tasks may block (that is what spawn_in_thread is for), so a fixed
 * number of drainers could starve: every drainer stuck on a task that waits
 * for a task still queued behind it. A watchdog thread therefore looks at
 * every set that has tasks waiting for a drainer; when such a set made no
 * progress during a whole tick it gets one more drainer, up to
 * JS_POOL_MAX_DRAINERS (the client decides, in its check_stalled).
 *
 * Locking: watch_mutex guards `watched`. It is never held while calling
 * into a client. Clients call in without holding their own locks.
 */

#include "config.h"

#include "js-pool-private.h"

#define WATCH_TICK_USEC (4 * G_TIME_SPAN_MILLISECOND)
/* Tokio's cap for spawn_blocking: eight sets whose 64 threads all block
 * still leave room for the others. Beyond it, a starved set warns (see
 * js-runner.c). */
#define POOL_MAX_THREADS 512

static GThreadPool *pool;
static guint        soft_cap;

static GMutex     watch_mutex;
static GCond      watch_cond;
static GPtrArray *watched;           /* JsPoolClient (owned refs), may repeat */
static gboolean   watchdog_started;

static void
pool_func (gpointer data,
           gpointer unused)
{
  JsPoolClient *client = data;

  client->funcs->drain (client);
  client->funcs->unref (client);
}

static void
pool_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      soft_cap = MAX (2, g_get_num_processors ());
      pool = g_thread_pool_new (pool_func, NULL, POOL_MAX_THREADS, FALSE, NULL);
      g_once_init_leave (&initialized, 1);
    }
}

guint
_js_pool_get_soft_cap (void)
{
  pool_init ();
  return soft_cap;
}

/* Whether every thread the pool may have is running a drainer while more
 * drainers wait for one. */
gboolean
_js_pool_is_exhausted (void)
{
  pool_init ();
  return g_thread_pool_get_num_threads (pool) >= POOL_MAX_THREADS &&
         g_thread_pool_unprocessed (pool) > 0;
}

guint
_js_pool_get_max_threads (void)
{
  return POOL_MAX_THREADS;
}

static void pool_watch (JsPoolClient *client);

static void
pool_push_drainer (JsPoolClient *client)
{
  g_autoptr(GError) error = NULL;

  pool_init ();

  client->funcs->ref (client);

  /* Pushing to a non-exclusive pool fails only when no thread exists and
   * none can be created; GLib then keeps the item queued for the next
   * thread, so the drainer is not lost. */
  if (!g_thread_pool_push (pool, client, &error))
    g_warning ("Could not start a worker thread: %s", error->message);

  /* No thread is left to run it: have the watchdog look at the client,
   * which reports the starvation if it lasts. */
  if (g_thread_pool_get_num_threads (pool) >= POOL_MAX_THREADS)
    pool_watch (client);
}

static gpointer
watchdog_main (gpointer data)
{
  g_mutex_lock (&watch_mutex);

  for (;;)
    {
      g_autoptr(GPtrArray) snapshot = NULL;
      gint64 deadline;

      while (watched->len == 0)
        g_cond_wait (&watch_cond, &watch_mutex);

      deadline = g_get_monotonic_time () + WATCH_TICK_USEC;
      while (g_get_monotonic_time () < deadline)
        g_cond_wait_until (&watch_cond, &watch_mutex, deadline);

      snapshot = g_ptr_array_new_full (watched->len, NULL);
      for (guint i = 0; i < watched->len; i++)
        g_ptr_array_add (snapshot, g_ptr_array_index (watched, i));

      g_mutex_unlock (&watch_mutex);

      for (guint i = 0; i < snapshot->len; i++)
        {
          JsPoolClient *client = g_ptr_array_index (snapshot, i);

          if (!client->funcs->check_stalled (client))
            {
              g_mutex_lock (&watch_mutex);
              g_ptr_array_remove_fast (watched, client);
              g_mutex_unlock (&watch_mutex);
              client->funcs->unref (client);
            }
        }

      g_mutex_lock (&watch_mutex);
    }

  g_assert_not_reached ();
  return NULL;
}

static void
pool_watch (JsPoolClient *client)
{
  client->funcs->ref (client);

  g_mutex_lock (&watch_mutex);

  if (watched == NULL)
    watched = g_ptr_array_new ();
  g_ptr_array_add (watched, client);
  g_cond_signal (&watch_cond);

  if (!watchdog_started)
    {
      watchdog_started = TRUE;
      g_thread_unref (g_thread_new ("js-watchdog", watchdog_main, NULL));
    }

  g_mutex_unlock (&watch_mutex);
}

const JsPoolOps _js_pool_ops = {
  .push_drainer = pool_push_drainer,
  .watch = pool_watch,
};
