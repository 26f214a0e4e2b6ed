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
 * JS_POOL_MAX_DRAINERS.
 *
 * Locking: watch_mutex guards `watched`. It is never held while calling
 * into a core; a core may take it while holding its own lock (order: core
 * mutex, then watch_mutex).
 */

#include "config.h"

#include "js-pool-private.h"

#define WATCH_TICK_USEC (4 * G_TIME_SPAN_MILLISECOND)
#define POOL_MAX_THREADS 256

static GThreadPool *pool;
static guint        soft_cap;

static GMutex     watch_mutex;
static GCond      watch_cond;
static GPtrArray *watched;           /* JsCore (owned refs), may repeat */
static gboolean   watchdog_started;

static void
pool_func (gpointer data,
           gpointer unused)
{
  JsCore *core = data;

  _js_runner_drain (core);
  _js_core_unref (core);
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

void
_js_pool_push_drainer (JsCore *core)
{
  g_autoptr(GError) error = NULL;

  pool_init ();

  /* Pushing to a non-exclusive pool fails only when no thread exists and
   * none can be created; GLib then keeps the item queued for the next
   * thread, so the drainer is not lost. */
  if (!g_thread_pool_push (pool, _js_core_ref (core), &error))
    g_warning ("Could not start a worker thread: %s", error->message);
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
          JsCore *core = g_ptr_array_index (snapshot, i);

          if (!_js_runner_check_stalled (core))
            {
              g_mutex_lock (&watch_mutex);
              g_ptr_array_remove_fast (watched, core);
              g_mutex_unlock (&watch_mutex);
              _js_core_unref (core);
            }
        }

      g_mutex_lock (&watch_mutex);
    }

  g_assert_not_reached ();
  return NULL;
}

void
_js_pool_watch (JsCore *core)
{
  g_mutex_lock (&watch_mutex);

  if (watched == NULL)
    watched = g_ptr_array_new ();
  g_ptr_array_add (watched, _js_core_ref (core));
  g_cond_signal (&watch_cond);

  if (!watchdog_started)
    {
      watchdog_started = TRUE;
      g_thread_unref (g_thread_new ("js-watchdog", watchdog_main, NULL));
    }

  g_mutex_unlock (&watch_mutex);
}

/* The timer thread: a private main context, iterated by a thread of its
 * own for the life of the process, where the tasks' timeouts fire. It
 * runs no user code: a timeout aborts its task under the core's lock, and
 * tasks of a set's context are cancelled from that context. */
static gpointer
timer_thread_func (gpointer data)
{
  GMainContext *context = data;

  g_main_context_push_thread_default (context);
  for (;;)
    g_main_context_iteration (context, TRUE);

  return NULL;
}

GMainContext *
_js_pool_get_timer_context (void)
{
  static GMainContext *context = NULL;

  if (g_once_init_enter (&context))
    {
      GMainContext *new_context = g_main_context_new ();

      g_thread_unref (g_thread_new ("joinset-timer", timer_thread_func,
                                    new_context));
      g_once_init_leave (&context, new_context);
    }

  return context;
}
