/* bench.c: JsJoinSet against GTask and a raw GThreadPool, in one run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every measurement runs in a child process forked from a parent that never
 * starts a thread, so that each one starts from a clean heap, a cold thread
 * pool and its own peak RSS (taken from wait4()). The children write their
 * numbers back through a pipe; the parent prints one table (or JSON) and
 * checks the targets of issue 4.
 *
 * What is measured, for N trivial tasks (the task doubles its input and the
 * consumer sums the results, which is checked):
 *
 * - floor: a GThreadPool (one thread per processor) whose items push their
 *   result to a GAsyncQueue, popped on the main thread: the best a
 *   hand-written fan-out can do;
 * - gtask-thread: g_task_run_in_thread() per task, a callback per task on
 *   the main context;
 * - gtask-main: g_task_new() + g_task_return_int() on the main thread, a
 *   callback per task from the main context;
 * - js-join-all, js-join-next, js-try-join: js_join_set_spawn_in_thread()
 *   per task, collected with join_all_async, with a join_next_async loop,
 *   or with try_join_next after one wake-up (see on_try_join below);
 * - js-main: js_join_set_spawn() per task (the function returns at once),
 *   collected with join_all_async;
 * - js-main-blocking, js-thread-blocking: main-context or thread tasks
 *   joined by the README's loop, the blocking js_join_set_join_next(),
 *   from the thread that runs the set's context.
 *
 * Time runs from the first spawn to the last result consumed and freed,
 * and excludes creating the pool, the set or the GAsyncQueue. Each figure
 * is the median of --reps repetitions after one warm-up run.
 *
 * Memory: N tasks are spawned behind a gate (thread tasks block on a
 * condition that stays closed; main-context tasks wait because the context
 * is not iterated) and the heap growth (mallinfo2, with one malloc arena so
 * that worker threads count too) and RSS growth are divided by N. The same
 * child then times js_join_set_abort_all() on the N queued thread tasks.
 *
 * Startup: N thread tasks that each sleep 200 ms (blocking work) in a
 * fresh set with max-concurrent N, N = 8 and 64; the wall time until all
 * are joined, against the 200 ms of the ideal (every task starts at once).
 *
 * Latency: a fresh set (or a fresh GTask) per sample, the time from the
 * spawn call to the first line of the task function; the first sample of
 * each process (cold: no pool thread yet) is reported apart, as the median
 * over LATENCY_PROCESSES processes.
 *
 * Every throughput row also gives the CPU time of the whole process per
 * task (all threads): on a shared, noisy machine it moves less than the
 * wall time, and it is what a laptop's battery pays.
 */

#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <joinset/joinset.h>

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* CPU time of the whole process (every thread), in ns. */
static double
cpu_ns (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
}

static gsize
heap_bytes (void)
{
  struct mallinfo2 mi = mallinfo2 ();

  return mi.uordblks + mi.hblkhd;
}

static gsize
rss_bytes (void)
{
  unsigned long size = 0, resident = 0;
  FILE *f = fopen ("/proc/self/statm", "r");

  if (f != NULL)
    {
      if (fscanf (f, "%lu %lu", &size, &resident) != 2)
        resident = 0;
      fclose (f);
    }

  return (gsize) resident * (gsize) sysconf (_SC_PAGESIZE);
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *v,
        guint   n)
{
  qsort (v, n, sizeof *v, compare_double);
  if (n % 2 == 1)
    return v[n / 2];
  return (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The sum the consumer must find: inputs are 1..n, each doubled. */
static guint64
expected_sum (guint n)
{
  return (guint64) n * (n + 1);
}

static void
check_sum (const char *what,
           guint64     sum,
           guint       n)
{
  if (sum != expected_sum (n))
    g_error ("%s: results sum to %" G_GUINT64_FORMAT ", expected %" G_GUINT64_FORMAT,
             what, sum, expected_sum (n));
}

static void
iterate_until (const gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

/* ------------------------------------------------------------------------
 * A gate the benchmark controls: functions behind it wait until it opens.
 * ------------------------------------------------------------------------ */

static GMutex gate_mutex;
static GCond  gate_cond;
static gboolean gate_open;

static void
gate_wait (void)
{
  g_mutex_lock (&gate_mutex);
  while (!gate_open)
    g_cond_wait (&gate_cond, &gate_mutex);
  g_mutex_unlock (&gate_mutex);
}

static void
gate_set (gboolean open)
{
  g_mutex_lock (&gate_mutex);
  gate_open = open;
  g_cond_broadcast (&gate_cond);
  g_mutex_unlock (&gate_mutex);
}

/* ------------------------------------------------------------------------
 * Baseline: GThreadPool + GAsyncQueue (the floor)
 * ------------------------------------------------------------------------ */

static GThreadPool *floor_pool;
static GAsyncQueue *floor_results;
static char         floor_gate_item;   /* an item that waits at the gate */

static void
floor_func (gpointer data,
            gpointer user_data)
{
  if G_UNLIKELY (data == &floor_gate_item)
    {
      gate_wait ();
      return;
    }

  g_async_queue_push (floor_results, GSIZE_TO_POINTER (GPOINTER_TO_SIZE (data) * 2));
}

static void
floor_setup (void)
{
  if (floor_pool != NULL)
    return;

  floor_results = g_async_queue_new ();
  floor_pool = g_thread_pool_new (floor_func, NULL,
                                  g_get_num_processors (), FALSE, NULL);
}

static gint64
run_floor (guint n)
{
  guint64 sum = 0;
  gint64 start;

  floor_setup ();

  start = now_ns ();
  for (guint i = 1; i <= n; i++)
    g_thread_pool_push (floor_pool, GUINT_TO_POINTER (i), NULL);
  for (guint i = 0; i < n; i++)
    sum += GPOINTER_TO_SIZE (g_async_queue_pop (floor_results));
  start = now_ns () - start;

  check_sum ("floor", sum, n);
  return start;
}

/* ------------------------------------------------------------------------
 * Baseline: GTask
 * ------------------------------------------------------------------------ */

typedef struct
{
  guint    n;
  guint    count;
  guint64  sum;
  gboolean done;
} Collect;

static void
gtask_thread_func (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  g_task_return_int (task, GPOINTER_TO_SIZE (task_data) * 2);
}

static void
gtask_gated_func (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  gate_wait ();
  g_task_return_int (task, GPOINTER_TO_SIZE (task_data) * 2);
}

static void
on_gtask_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Collect *c = user_data;

  c->sum += g_task_propagate_int (G_TASK (result), NULL);
  if (++c->count == c->n)
    c->done = TRUE;
}

static gint64
run_gtask_thread (guint n)
{
  Collect c = { n };
  gint64 start = now_ns ();

  for (guint i = 1; i <= n; i++)
    {
      GTask *task = g_task_new (NULL, NULL, on_gtask_done, &c);

      g_task_set_task_data (task, GUINT_TO_POINTER (i), NULL);
      g_task_run_in_thread (task, gtask_thread_func);
      g_object_unref (task);
    }
  iterate_until (&c.done);
  start = now_ns () - start;

  check_sum ("gtask-thread", c.sum, n);
  return start;
}

static gint64
run_gtask_main (guint n)
{
  Collect c = { n };
  gint64 start = now_ns ();

  for (guint i = 1; i <= n; i++)
    {
      GTask *task = g_task_new (NULL, NULL, on_gtask_done, &c);

      g_task_return_int (task, (gssize) i * 2);
      g_object_unref (task);
    }
  iterate_until (&c.done);
  start = now_ns () - start;

  check_sum ("gtask-main", c.sum, n);
  return start;
}

/* ------------------------------------------------------------------------
 * Reference: one bare GObject per task, created and dropped. JsTask is a
 * GObject, so this is a lower bound for every JsJoinSet path.
 * ------------------------------------------------------------------------ */

#define BENCH_TYPE_OBJECT (bench_object_get_type ())
G_DECLARE_FINAL_TYPE (BenchObject, bench_object, BENCH, OBJECT, GObject)

struct _BenchObject
{
  GObject parent_instance;
  gsize   value;
};

G_DEFINE_FINAL_TYPE (BenchObject, bench_object, G_TYPE_OBJECT)

static void bench_object_class_init (BenchObjectClass *klass) { }
static void bench_object_init (BenchObject *self) { }

static gint64
run_gobject (guint n)
{
  BenchObject **objects = g_new (BenchObject *, n);
  guint64 sum = 0;
  gint64 start = now_ns ();

  for (guint i = 0; i < n; i++)
    {
      objects[i] = g_object_new (BENCH_TYPE_OBJECT, NULL);
      objects[i]->value = (gsize) (i + 1) * 2;
    }
  for (guint i = 0; i < n; i++)
    {
      sum += objects[i]->value;
      g_object_unref (objects[i]);
    }
  start = now_ns () - start;

  g_free (objects);
  check_sum ("gobject", sum, n);
  return start;
}

/* ------------------------------------------------------------------------
 * JsJoinSet
 * ------------------------------------------------------------------------ */

static void
double_it (JsTask   *task,
           gpointer  user_data)
{
  js_task_return_int (task, (gssize) GPOINTER_TO_SIZE (user_data) * 2);
}

static void
double_it_gated (JsTask   *task,
                 gpointer  user_data)
{
  gate_wait ();
  js_task_return_int (task, (gssize) GPOINTER_TO_SIZE (user_data) * 2);
}

typedef struct
{
  JsJoinSet *set;
  Collect    c;
  guint      wakeups;     /* main-loop iterations that ran a callback */
  gint64     last_time;   /* the iteration time of the last one */
} JsRun;

/* Counts main-loop iterations, not callbacks: joins served together are
 * delivered in one dispatch, and so share the iteration's time. */
static void
count_wakeup (JsRun *r)
{
  gint64 time = g_source_get_time (g_main_current_source ());

  if (time != r->last_time)
    r->wakeups++;
  r->last_time = time;
}

static void
consume (JsRun  *r,
         JsTask *task)
{
  GError *error = NULL;

  r->c.sum += js_task_propagate_int (task, &error);
  g_assert_no_error (error);
  g_object_unref (task);
  r->c.count++;
}

static void
on_join_all (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  JsRun *r = user_data;
  GError *error = NULL;
  GPtrArray *tasks = js_join_set_join_all_finish (r->set, result, &error);
  gpointer *v;
  gsize len;

  g_assert_no_error (error);
  count_wakeup (r);
  v = g_ptr_array_steal (tasks, &len);
  for (gsize i = 0; i < len; i++)
    consume (r, v[i]);
  g_free (v);
  g_ptr_array_unref (tasks);
  r->c.done = TRUE;
}

static void
on_join_next (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  JsRun *r = user_data;
  GError *error = NULL;
  JsTask *task = js_join_set_join_next_finish (r->set, result, &error);

  g_assert_no_error (error);
  g_assert (task != NULL);
  count_wakeup (r);
  consume (r, task);

  if (r->c.count < r->c.n)
    js_join_set_join_next_async (r->set, NULL, on_join_next, r);
  else
    r->c.done = TRUE;
}

/* One wake-up, then everything that finished meanwhile without waiting.
 * When try_join_next() finds nothing while tasks still run, wait again
 * with join_next_async(): the main context sleeps until the next batch
 * instead of spinning, and each wake-up serves a whole batch. */
static void
on_try_join (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  JsRun *r = user_data;
  GError *error = NULL;
  JsTask *task = js_join_set_join_next_finish (r->set, result, &error);

  g_assert_no_error (error);
  g_assert (task != NULL);
  count_wakeup (r);
  consume (r, task);

  while ((task = js_join_set_try_join_next (r->set)) != NULL)
    consume (r, task);

  if (r->c.count < r->c.n)
    js_join_set_join_next_async (r->set, NULL, on_try_join, r);
  else
    r->c.done = TRUE;
}

typedef enum
{
  JS_PATH_JOIN_ALL,
  JS_PATH_JOIN_NEXT,
  JS_PATH_TRY_JOIN,
  JS_PATH_MAIN,
  JS_PATH_MAIN_BLOCKING,
  JS_PATH_THREAD_BLOCKING,
  JS_PATH_MAIN_MODEL,
  JS_PATH_THREAD_MODEL,
} JsPath;

static guint last_wakeups;

/* The model scenarios: a live list model of the set's tasks with a
 * handler, as a list view has, alive from before the first spawn until
 * the model is empty again. */
static void
count_items_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     guint      *n_changes)
{
  (*n_changes)++;
}

static gint64
run_js (guint  n,
        JsPath path)
{
  JsRun r = { NULL, { n } };
  GListModel *model = NULL;
  guint n_changes = 0;
  gint64 start;

  r.set = js_join_set_new ();

  start = now_ns ();
  if (path == JS_PATH_MAIN_MODEL || path == JS_PATH_THREAD_MODEL)
    {
      model = js_join_set_get_tasks (r.set);
      g_signal_connect (model, "items-changed", G_CALLBACK (count_items_changed), &n_changes);
    }
  for (guint i = 1; i <= n; i++)
    {
      if (path == JS_PATH_MAIN || path == JS_PATH_MAIN_BLOCKING || path == JS_PATH_MAIN_MODEL)
        js_join_set_spawn (r.set, double_it, GUINT_TO_POINTER (i), NULL);
      else
        js_join_set_spawn_in_thread (r.set, double_it, GUINT_TO_POINTER (i), NULL);
    }

  switch (path)
    {
    case JS_PATH_JOIN_ALL:
    case JS_PATH_MAIN:
    case JS_PATH_MAIN_MODEL:
    case JS_PATH_THREAD_MODEL:
      js_join_set_join_all_async (r.set, NULL, on_join_all, &r);
      break;
    case JS_PATH_JOIN_NEXT:
      js_join_set_join_next_async (r.set, NULL, on_join_next, &r);
      break;
    case JS_PATH_TRY_JOIN:
      js_join_set_join_next_async (r.set, NULL, on_try_join, &r);
      break;
    case JS_PATH_MAIN_BLOCKING:
    case JS_PATH_THREAD_BLOCKING:
      {
        JsTask *task;

        while ((task = js_join_set_join_next (r.set, NULL, NULL)) != NULL)
          consume (&r, task);
        r.c.done = TRUE;
      }
      break;
    default:
      g_assert_not_reached ();
    }
  iterate_until (&r.c.done);
  while (model != NULL && g_list_model_get_n_items (model) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&model);
  start = now_ns () - start;

  check_sum ("js", r.c.sum, n);
  g_assert (js_join_set_is_empty (r.set));
  g_object_unref (r.set);
  /* With a model, the notes count its items-changed emissions. */
  last_wakeups = path == JS_PATH_MAIN_MODEL || path == JS_PATH_THREAD_MODEL ? n_changes : r.wakeups;

  return start;
}

static gint64 run_js_join_all (guint n) { return run_js (n, JS_PATH_JOIN_ALL); }
static gint64 run_js_join_next (guint n) { return run_js (n, JS_PATH_JOIN_NEXT); }
static gint64 run_js_try_join (guint n) { return run_js (n, JS_PATH_TRY_JOIN); }
static gint64 run_js_main (guint n) { return run_js (n, JS_PATH_MAIN); }
static gint64 run_js_main_blocking (guint n) { return run_js (n, JS_PATH_MAIN_BLOCKING); }
static gint64 run_js_thread_blocking (guint n) { return run_js (n, JS_PATH_THREAD_BLOCKING); }
static gint64 run_js_main_model (guint n) { return run_js (n, JS_PATH_MAIN_MODEL); }
static gint64 run_js_thread_model (guint n) { return run_js (n, JS_PATH_THREAD_MODEL); }

/* ------------------------------------------------------------------------
 * Scenarios
 * ------------------------------------------------------------------------ */

typedef enum
{
  KIND_THROUGHPUT,
  KIND_PENDING,
  KIND_LATENCY,
  KIND_STARTUP,
} Kind;

typedef struct
{
  const char *id;
  const char *label;
  Kind        kind;
  gint64    (*run) (guint n);
} Scenario;

static const Scenario throughput[] = {
  { "floor", "GThreadPool + GAsyncQueue (floor)", KIND_THROUGHPUT, run_floor },
  { "gtask-thread", "GTask run_in_thread, callback per task", KIND_THROUGHPUT, run_gtask_thread },
  { "gtask-main", "GTask returned on the main context", KIND_THROUGHPUT, run_gtask_main },
  { "gobject", "one bare GObject new+unref per task (reference)", KIND_THROUGHPUT, run_gobject },
  { "js-join-all", "JsJoinSet thread tasks, join_all_async", KIND_THROUGHPUT, run_js_join_all },
  { "js-join-next", "JsJoinSet thread tasks, join_next_async loop", KIND_THROUGHPUT, run_js_join_next },
  { "js-try-join", "JsJoinSet thread tasks, try_join_next after wake-up", KIND_THROUGHPUT, run_js_try_join },
  { "js-main", "JsJoinSet main-context tasks, join_all_async", KIND_THROUGHPUT, run_js_main },
  { "js-main-blocking", "JsJoinSet main-context tasks, blocking join_next loop", KIND_THROUGHPUT, run_js_main_blocking },
  { "js-thread-blocking", "JsJoinSet thread tasks, blocking join_next loop", KIND_THROUGHPUT, run_js_thread_blocking },
  { "js-main-model", "JsJoinSet main-context tasks, join_all_async, list model alive", KIND_THROUGHPUT, run_js_main_model },
  { "js-thread-model", "JsJoinSet thread tasks, join_all_async, list model alive", KIND_THROUGHPUT, run_js_thread_model },
};

static const Scenario pending[] = {
  { "floor", "GThreadPool items (floor)", KIND_PENDING, NULL },
  { "gtask-thread", "GTask run_in_thread", KIND_PENDING, NULL },
  { "gtask-main", "GTask returned on the main context", KIND_PENDING, NULL },
  { "js-thread", "JsJoinSet thread tasks", KIND_PENDING, NULL },
  { "js-main", "JsJoinSet main-context tasks", KIND_PENDING, NULL },
};

static const Scenario latency[] = {
  { "gtask", "GTask run_in_thread", KIND_LATENCY, NULL },
  { "js", "JsJoinSet spawn_in_thread, fresh set", KIND_LATENCY, NULL },
};

/* N thread tasks that each sleep (blocking work), max-concurrent N. */
static const Scenario startup[] = {
  { "js-sleepers", "JsJoinSet thread tasks sleeping 200 ms each, max-concurrent N", KIND_STARTUP, NULL },
};

#define SLEEPER_USEC (200 * G_TIME_SPAN_MILLISECOND)

/* What a child sends back. */
typedef struct
{
  double median;          /* ns per task; bytes per task; us */
  double min;
  double max;
  double extra1;          /* throughput: wake-ups; pending: RSS bytes per task; latency: cold us */
  double extra2;          /* pending: abort_all ns per task; latency: p90 us */
  double extra3;          /* pending: abort_all total ms */
  double cpu;             /* throughput: CPU ns per task (all threads), median */
  double peak_rss;        /* bytes, filled by the parent */
  int    ok;
} Result;

static guint opt_reps = 5;

/* Processes per latency row (one cold sample each). */
#define LATENCY_PROCESSES 7

static void
measure_throughput (const Scenario *s,
                    guint           n,
                    Result         *res)
{
  double *v = g_new (double, opt_reps);
  double *cpu = g_new (double, opt_reps);
  double wakeups = 0;

  /* Warm-up: threads, types, malloc arenas. */
  s->run (MIN (n, 20000));

  for (guint i = 0; i < opt_reps; i++)
    {
      double c0 = cpu_ns ();

      v[i] = (double) s->run (n) / n;
      cpu[i] = (cpu_ns () - c0) / n;
      wakeups += last_wakeups;
    }

  res->cpu = median (cpu, opt_reps);
  g_free (cpu);
  res->median = median (v, opt_reps);
  res->min = v[0];
  res->max = v[opt_reps - 1];
  res->extra1 = wakeups / opt_reps;
  g_free (v);
}

static void
measure_pending (const Scenario *s,
                 guint           n,
                 Result         *res)
{
  JsJoinSet *set = NULL;
  gsize heap0, rss0, heap1, rss1;
  Collect c = { n };

  /* One arena: mallinfo2() only sees the arena of its caller. */
  mallopt (M_ARENA_MAX, 1);
  gate_set (FALSE);

  /* Start the machinery first (threads, types, the set), so that only
   * the pending tasks count. */
  if (g_str_equal (s->id, "floor"))
    {
      floor_setup ();
      for (guint i = 0; i < g_get_num_processors (); i++)
        g_thread_pool_push (floor_pool, &floor_gate_item, NULL);
    }
  else if (g_str_has_prefix (s->id, "js"))
    {
      set = js_join_set_new ();
    }
  g_usleep (50 * 1000);

  heap0 = heap_bytes ();
  rss0 = rss_bytes ();

  for (guint i = 1; i <= n; i++)
    {
      if (g_str_equal (s->id, "floor"))
        {
          g_thread_pool_push (floor_pool, GUINT_TO_POINTER (i), NULL);
        }
      else if (g_str_equal (s->id, "gtask-thread"))
        {
          GTask *task = g_task_new (NULL, NULL, on_gtask_done, &c);

          g_task_set_task_data (task, GUINT_TO_POINTER (i), NULL);
          g_task_run_in_thread (task, gtask_gated_func);
          g_object_unref (task);
        }
      else if (g_str_equal (s->id, "gtask-main"))
        {
          GTask *task = g_task_new (NULL, NULL, on_gtask_done, &c);

          g_task_return_int (task, (gssize) i * 2);
          g_object_unref (task);
        }
      else if (g_str_equal (s->id, "js-thread"))
        {
          js_join_set_spawn_in_thread (set, double_it_gated, GUINT_TO_POINTER (i), NULL);
        }
      else if (g_str_equal (s->id, "js-main"))
        {
          js_join_set_spawn (set, double_it, GUINT_TO_POINTER (i), NULL);
        }
    }

  heap1 = heap_bytes ();
  rss1 = rss_bytes ();
  res->median = (double) ((gssize) heap1 - (gssize) heap0) / n;
  res->min = res->max = res->median;
  res->extra1 = (double) ((gssize) rss1 - (gssize) rss0) / n;

  if (g_str_equal (s->id, "js-thread"))
    {
      gint64 t = now_ns ();

      js_join_set_abort_all (set);
      t = now_ns () - t;
      res->extra2 = (double) t / n;
      res->extra3 = t / 1e6;
      g_assert (js_join_set_get_length (set) == n);
    }

  /* Let everything go; the process exits right after. */
  gate_set (TRUE);
  g_clear_object (&set);
}

typedef struct
{
  gint64   spawned;
  gint64   started;
  gboolean done;
} Latency;

static void
latency_js_func (JsTask   *task,
                 gpointer  user_data)
{
  Latency *l = user_data;

  l->started = now_ns ();
  js_task_return_boolean (task, TRUE);
}

static void
latency_gtask_func (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  Latency *l = task_data;

  l->started = now_ns ();
  g_task_return_boolean (task, TRUE);
}

static void
on_latency_gtask_done (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  ((Latency *) user_data)->done = TRUE;
}

static double
latency_sample (const Scenario *s)
{
  Latency l = { 0 };

  if (g_str_equal (s->id, "js"))
    {
      JsJoinSet *set = js_join_set_new ();
      JsTask *task;

      l.spawned = now_ns ();
      js_join_set_spawn_in_thread (set, latency_js_func, &l, NULL);
      task = js_join_set_join_next (set, NULL, NULL);
      g_assert (js_task_propagate_boolean (task, NULL));
      g_object_unref (task);
      g_object_unref (set);
    }
  else
    {
      GTask *task = g_task_new (NULL, NULL, on_latency_gtask_done, &l);

      g_task_set_task_data (task, &l, NULL);
      l.spawned = now_ns ();
      g_task_run_in_thread (task, latency_gtask_func);
      g_object_unref (task);
      iterate_until (&l.done);
    }

  return (l.started - l.spawned) / 1e3;
}

static void
sleeper_func (JsTask   *task,
              gpointer  user_data)
{
  g_usleep (SLEEPER_USEC);
  js_task_return_boolean (task, TRUE);
}

/* Blocking work starting at once: the wall time, in ms, until N sleeping
 * thread tasks of a fresh set with max-concurrent N are all joined. */
static void
measure_startup (const Scenario *s,
                 guint           n,
                 Result         *res)
{
  double *ms = g_new (double, opt_reps);

  for (guint r = 0; r < opt_reps; r++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      gint64 start = now_ns ();
      JsTask *task;

      js_join_set_set_max_concurrent (set, n);
      for (guint i = 0; i < n; i++)
        js_join_set_spawn_in_thread (set, sleeper_func, NULL, NULL);
      while ((task = js_join_set_join_next (set, NULL, NULL)) != NULL)
        g_object_unref (task);
      ms[r] = (now_ns () - start) / 1e6;
    }

  res->median = median (ms, opt_reps);
  res->min = res->max = ms[0];
  for (guint r = 1; r < opt_reps; r++)
    {
      res->min = MIN (res->min, ms[r]);
      res->max = MAX (res->max, ms[r]);
    }
  g_free (ms);
}

static void
measure_latency (const Scenario *s,
                 guint           samples,
                 Result         *res)
{
  double *v = g_new (double, samples);

  /* Any GIO application has started a thread already (GLib's worker, as
   * GTask's class_init does before the clock starts): so does this child,
   * so that "cold" means a fresh pool thread, not the first pthread_create
   * of the process (another 0.3-0.5 ms on this machine class). */
  g_thread_join (g_thread_new ("bench-warm", (GThreadFunc) g_strdup, NULL));

  res->extra1 = latency_sample (s);      /* cold: first spawn in the process */
  for (guint i = 0; i < samples; i++)
    {
      v[i] = latency_sample (s);
      /* Let the worker go idle again, as between two user actions. */
      g_usleep (200);
    }

  res->median = median (v, samples);
  res->min = v[0];
  res->max = v[samples - 1];
  res->extra2 = v[(guint) (samples * 0.9)];
  g_free (v);
}

/* Runs @func in a child process and returns what it measured, with the
 * child's peak RSS. The parent never starts a thread, so fork() is safe. */
typedef void (*MeasureFunc) (const Scenario *s, guint n, Result *res);

static gboolean
run_child (MeasureFunc     func,
           const Scenario *s,
           guint           n,
           Result         *res)
{
  struct rusage ru;
  int fds[2];
  int status;
  pid_t pid;
  ssize_t got;

  memset (res, 0, sizeof *res);
  fflush (stdout);
  fflush (stderr);

  if (pipe (fds) != 0)
    g_error ("pipe: %s", g_strerror (errno));

  pid = fork ();
  if (pid < 0)
    g_error ("fork: %s", g_strerror (errno));

  if (pid == 0)
    {
      Result r = { 0 };

      close (fds[0]);
      func (s, n, &r);
      r.ok = 1;
      if (write (fds[1], &r, sizeof r) != sizeof r)
        _exit (1);
      _exit (0);
    }

  close (fds[1]);
  got = read (fds[0], res, sizeof *res);
  close (fds[0]);

  if (wait4 (pid, &status, 0, &ru) < 0)
    g_error ("wait4: %s", g_strerror (errno));

  if (got != sizeof *res || !res->ok || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_printerr ("%s (N=%u) failed\n", s->id, n);
      res->ok = 0;
      return FALSE;
    }

  res->peak_rss = ru.ru_maxrss * 1024.0;
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Report
 * ------------------------------------------------------------------------ */

typedef struct
{
  const Scenario *s;
  guint           n;
  Result          r;
} Row;

typedef struct
{
  const char *what;
  double      value;
  double      limit;
  const char *unit;
  double      cpu_value;  /* the same ratio on CPU time, or -1 */
} Target;

static const Row *
find_row (GArray     *rows,
          Kind        kind,
          const char *id,
          guint       n)
{
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);

      if (row->s->kind == kind && g_str_equal (row->s->id, id) &&
          (n == 0 || row->n == n) && row->r.ok)
        return row;
    }

  return NULL;
}

static double
ratio (GArray     *rows,
       const char *id,
       const char *ref,
       guint       n)
{
  const Row *a = find_row (rows, KIND_THROUGHPUT, id, n);
  const Row *b = find_row (rows, KIND_THROUGHPUT, ref, n);

  if (a == NULL || b == NULL || b->r.median <= 0)
    return -1;
  return a->r.median / b->r.median;
}

static double
cpu_ratio (GArray     *rows,
           const char *id,
           const char *ref,
           guint       n)
{
  const Row *a = find_row (rows, KIND_THROUGHPUT, id, n);
  const Row *b = find_row (rows, KIND_THROUGHPUT, ref, n);

  if (a == NULL || b == NULL || b->r.cpu <= 0)
    return -1;
  return a->r.cpu / b->r.cpu;
}

static void
add_ratio_target (GArray     *targets,
                  GArray     *rows,
                  const char *id,
                  const char *ref,
                  guint       n,
                  double      limit,
                  const char *unit,
                  char       *what)
{
  Target t = { what, ratio (rows, id, ref, n), limit, unit, cpu_ratio (rows, id, ref, n) };

  g_array_append_val (targets, t);
}

static GArray *
check_targets (GArray *rows,
               guint  *ns,
               guint   n_ns,
               guint   n_pending)
{
  GArray *targets = g_array_new (FALSE, TRUE, sizeof (Target));
  const Row *row;

  for (guint k = 0; k < n_ns; k++)
    {
      guint n = ns[k];

      if (n < 100000)
        continue;

      add_ratio_target (targets, rows, "js-join-all", "floor", n, 1.0, "x floor",
                        g_strdup_printf ("join_all <= 1.0x floor (N=%u)", n));
      add_ratio_target (targets, rows, "js-try-join", "floor", n, 1.0, "x floor",
                        g_strdup_printf ("try_join_next <= 1.0x floor (N=%u)", n));
      add_ratio_target (targets, rows, "js-join-all", "gtask-thread", n, 1.0 / 6, "x GTask fan-out",
                        g_strdup_printf ("join_all >= 6x faster than GTask fan-out (N=%u)", n));
      add_ratio_target (targets, rows, "js-join-next", "gtask-thread", n, 0.5, "x GTask fan-out",
                        g_strdup_printf ("join_next loop <= 0.5x GTask fan-out (N=%u)", n));
      add_ratio_target (targets, rows, "js-main", "gtask-main", n, 0.35, "x GTask main",
                        g_strdup_printf ("main-context tasks <= 0.35x GTask main (N=%u)", n));
      add_ratio_target (targets, rows, "js-main-blocking", "js-main", n, 1.2, "x join_all",
                        g_strdup_printf ("blocking join_next loop, main-context tasks <= 1.2x join_all_async (N=%u)", n));
      add_ratio_target (targets, rows, "js-thread-blocking", "js-join-all", n, 1.2, "x join_all",
                        g_strdup_printf ("blocking join_next loop, thread tasks <= 1.2x join_all_async (N=%u)", n));
    }

  if (n_ns >= 2 && ns[0] <= 10000 && ns[n_ns - 1] >= 1000000)
    {
      const char *paths[] = { "js-join-all", "js-join-next", "js-try-join", "js-main" };

      for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
        {
          const Row *a = find_row (rows, KIND_THROUGHPUT, paths[i], ns[n_ns - 1]);
          const Row *b = find_row (rows, KIND_THROUGHPUT, paths[i], ns[0]);
          Target t = { NULL, -1, 1.2, "x N=10k", -1 };

          if (a != NULL && b != NULL)
            {
              t.value = a->r.median / b->r.median;
              t.cpu_value = a->r.cpu / b->r.cpu;
            }
          t.what = g_strdup_printf ("%s: ns/task at 1M <= 1.2x at 10k", paths[i]);
          g_array_append_val (targets, t);
        }
    }

  if ((row = find_row (rows, KIND_PENDING, "js-thread", 0)) != NULL)
    {
      Target t = { NULL, row->r.median, 150, "B/task", -1 };

      t.what = g_strdup_printf ("<= 150 B per pending thread task (N=%u)", n_pending);
      g_array_append_val (targets, t);
    }
  if ((row = find_row (rows, KIND_PENDING, "js-main", 0)) != NULL)
    {
      Target t = { NULL, row->r.median, 150, "B/task", -1 };

      t.what = g_strdup_printf ("<= 150 B per pending main-context task (N=%u)", n_pending);
      g_array_append_val (targets, t);
    }
  if ((row = find_row (rows, KIND_LATENCY, "js", 0)) != NULL)
    {
      Target t = { g_strdup ("first task of a fresh set starts <= 1 ms (median)"), row->r.median, 1000, "us", -1 };
      Target c = { g_strdup ("first task of a fresh set starts <= 1 ms (cold process)"), row->r.extra1, 1000, "us", -1 };

      g_array_append_val (targets, t);
      g_array_append_val (targets, c);
    }

  /* Blocking work starts at once: 200 ms sleepers, max-concurrent N. */
  if ((row = find_row (rows, KIND_STARTUP, "js-sleepers", 8)) != NULL)
    {
      Target t = { g_strdup ("8 sleeping thread tasks, max-concurrent 8, all joined <= 250 ms"), row->r.median, 250, "ms", -1 };

      g_array_append_val (targets, t);
    }
  if ((row = find_row (rows, KIND_STARTUP, "js-sleepers", 64)) != NULL)
    {
      Target t = { g_strdup ("64 sleeping thread tasks, max-concurrent 64, all joined <= 300 ms"), row->r.median, 300, "ms", -1 };

      g_array_append_val (targets, t);
    }

  return targets;
}

static void
print_table (GArray *rows,
             GArray *targets,
             guint   n_pending)
{
  g_print ("| scenario | N | ns/task (median) | min-max | x floor | x GTask | CPU ns/task | bytes/pending | peak RSS MiB | notes |\n");
  g_print ("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");

  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);
      const Result *r = &row->r;
      double rss = r->peak_rss / (1024.0 * 1024.0);

      if (!r->ok)
        {
          g_print ("| %s | %u | FAILED | | | | | | | |\n", row->s->label, row->n);
          continue;
        }

      switch (row->s->kind)
        {
        case KIND_THROUGHPUT:
          {
            double f = ratio (rows, row->s->id, "floor", row->n);
            const char *ref = (g_str_equal (row->s->id, "js-main") ||
                               g_str_equal (row->s->id, "js-main-model") ||
                               g_str_equal (row->s->id, "gobject"))
                              ? "gtask-main" : "gtask-thread";
            double g = ratio (rows, row->s->id, ref, row->n);
            g_autofree char *fs = f < 0 ? g_strdup ("-") : g_strdup_printf ("%.2f", f);
            g_autofree char *gs = (g < 0 || g_str_has_prefix (row->s->id, "gtask") ||
                                   g_str_equal (row->s->id, "floor"))
                                  ? g_strdup ("-") : g_strdup_printf ("%.2f", g);
            g_autofree char *notes = g_str_has_suffix (row->s->id, "-model")
                                     ? g_strdup_printf ("%.0f items-changed", r->extra1)
                                     : g_str_has_prefix (row->s->id, "js")
                                     ? g_strdup_printf ("%.0f wake-ups", r->extra1)
                                     : g_strdup ("");

            g_print ("| %s | %u | %.0f | %.0f-%.0f | %s | %s | %.0f | - | %.1f | %s |\n",
                     row->s->label, row->n, r->median, r->min, r->max,
                     fs, gs, r->cpu, rss, notes);
          }
          break;

        case KIND_PENDING:
          {
            g_autofree char *notes = NULL;

            if (g_str_equal (row->s->id, "js-thread"))
              notes = g_strdup_printf ("RSS %.0f B/task; abort_all %.0f ns/task (%.0f ms)",
                                       r->extra1, r->extra2, r->extra3);
            else
              notes = g_strdup_printf ("RSS %.0f B/task", r->extra1);

            g_print ("| pending: %s | %u | - | - | - | - | - | %.0f | %.1f | %s |\n",
                     row->s->label, row->n, r->median, rss, notes);
          }
          break;

        case KIND_LATENCY:
          g_print ("| first-task latency: %s | %u | %.0f us | %.0f-%.0f us | - | - | - | - | %.1f | cold %.0f us, p90 %.0f us |\n",
                   row->s->label, row->n, r->median, r->min, r->max, rss,
                   r->extra1, r->extra2);
          break;

        case KIND_STARTUP:
          g_print ("| blocking start: %s | %u | %.0f ms | %.0f-%.0f ms | - | - | - | - | %.1f | ideal %.0f ms |\n",
                   row->s->label, row->n, r->median, r->min, r->max, rss,
                   SLEEPER_USEC / 1000.0);
          break;

        default:
          g_assert_not_reached ();
        }
    }

  g_print ("\nTargets (issue 4):\n\n");
  for (guint i = 0; i < targets->len; i++)
    {
      const Target *t = &g_array_index (targets, Target, i);
      gboolean met = t->value >= 0 && t->value <= t->limit;
      g_autofree char *cpu = t->cpu_value < 0 ? g_strdup ("")
                             : g_strdup_printf ("; on CPU time %.2f%s", t->cpu_value,
                                                t->cpu_value <= t->limit ? " (met)" : "");

      if (t->value < 0)
        continue;
      if (met)
        g_print ("- [x] %s: %.2f %s (limit %.2f): met%s\n", t->what, t->value, t->unit, t->limit, cpu);
      else
        g_print ("- [ ] %s: %.2f %s (limit %.2f): %.2fx over%s\n",
                 t->what, t->value, t->unit, t->limit, t->value / t->limit, cpu);
    }
}

static void
print_json (GArray *rows,
            GArray *targets,
            gboolean quick)
{
  const char *kinds[] = { "throughput", "pending", "latency", "startup" };

  g_print ("{\n  \"glib\": \"%u.%u.%u\",\n  \"cpus\": %u,\n  \"reps\": %u,\n  \"quick\": %s,\n  \"results\": [\n",
           glib_major_version, glib_minor_version, glib_micro_version,
           g_get_num_processors (), opt_reps, quick ? "true" : "false");

  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);
      const Result *r = &row->r;

      g_print ("    {\"kind\": \"%s\", \"id\": \"%s\", \"n\": %u, \"ok\": %s",
               kinds[row->s->kind], row->s->id, row->n, r->ok ? "true" : "false");
      switch (row->s->kind)
        {
        case KIND_THROUGHPUT:
          {
            double f = ratio (rows, row->s->id, "floor", row->n);
            g_autofree char *fs = f < 0 ? g_strdup ("null") : g_strdup_printf ("%.3f", f);

            g_print (", \"ns_per_task\": %.1f, \"min\": %.1f, \"max\": %.1f, \"cpu_ns_per_task\": %.1f, \"ratio_floor\": %s, \"wakeups\": %.0f",
                     r->median, r->min, r->max, r->cpu, fs, r->extra1);
          }
          break;
        case KIND_PENDING:
          g_print (", \"heap_bytes_per_task\": %.1f, \"rss_bytes_per_task\": %.1f",
                   r->median, r->extra1);
          if (g_str_equal (row->s->id, "js-thread"))
            g_print (", \"abort_all_ns_per_task\": %.1f, \"abort_all_ms\": %.2f",
                     r->extra2, r->extra3);
          break;
        case KIND_LATENCY:
          g_print (", \"median_us\": %.1f, \"min_us\": %.1f, \"max_us\": %.1f, \"p90_us\": %.1f, \"cold_us\": %.1f",
                   r->median, r->min, r->max, r->extra2, r->extra1);
          break;
        case KIND_STARTUP:
          g_print (", \"median_ms\": %.1f, \"min_ms\": %.1f, \"max_ms\": %.1f",
                   r->median, r->min, r->max);
          break;
        default:
          g_assert_not_reached ();
        }
      g_print (", \"peak_rss_bytes\": %.0f}%s\n", r->peak_rss, i + 1 < rows->len ? "," : "");
    }

  g_print ("  ],\n  \"targets\": [\n");
  for (guint i = 0; i < targets->len; i++)
    {
      const Target *t = &g_array_index (targets, Target, i);

      g_print ("    {\"what\": \"%s\", \"value\": %.3f, \"cpu_value\": %.3f, \"limit\": %.3f, \"met\": %s}%s\n",
               t->what, t->value, t->cpu_value, t->limit,
               (t->value >= 0 && t->value <= t->limit) ? "true" : "false",
               i + 1 < targets->len ? "," : "");
    }
  g_print ("  ]\n}\n");
}

static gboolean
selected (char      **only,
          const char *kind,
          const char *id)
{
  g_autofree char *full = g_strdup_printf ("%s:%s", kind, id);

  if (only == NULL)
    return TRUE;

  for (guint i = 0; only[i] != NULL; i++)
    if (g_str_equal (only[i], id) || g_str_equal (only[i], kind) || g_str_equal (only[i], full))
      return TRUE;

  return FALSE;
}

int
main (int   argc,
      char *argv[])
{
  gboolean opt_json = FALSE, opt_quick = FALSE, opt_inline = FALSE;
  char **opt_only = NULL;
  int opt_n = 0;
  int opt_pending = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "Print JSON instead of a table", NULL },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &opt_quick, "N = 10k and 100k only, 3 repetitions", NULL },
    { "reps", 0, 0, G_OPTION_ARG_INT, &opt_reps, "Repetitions per measurement (default 5)", "R" },
    { "n", 'n', 0, G_OPTION_ARG_INT, &opt_n, "Measure this N only", "N" },
    { "pending", 0, 0, G_OPTION_ARG_INT, &opt_pending, "Pending tasks for the memory test (default 1000000)", "N" },
    { "only", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_only,
      "Run only this scenario (id, kind, or kind:id; repeatable), e.g. js-join-all, pending:js-thread, latency", "ID" },
    { "inline", 0, 0, G_OPTION_ARG_NONE, &opt_inline,
      "Run throughput scenarios in this process (for perf and callgrind)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- JsJoinSet benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_autoptr(GArray) targets = NULL;
  guint ns[3] = { 10000, 100000, 1000000 };
  guint n_ns = 3;
  guint n_pending = 1000000;
  gint64 start = now_ns ();

  mallopt (M_PERTURB, 0);

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (opt_quick)
    {
      n_ns = 2;
      if (opt_reps == 5)
        opt_reps = 3;
    }
  if (opt_n > 0)
    {
      ns[0] = opt_n;
      n_ns = 1;
    }
  if (opt_pending > 0)
    n_pending = opt_pending;
  if (opt_reps < 1)
    opt_reps = 1;

  if (opt_inline)
    {
      /* No fork: for profilers. Prints ns/task per repetition. */
      for (guint i = 0; i < G_N_ELEMENTS (throughput); i++)
        if (selected (opt_only, "throughput", throughput[i].id))
          for (guint k = 0; k < n_ns; k++)
            for (guint r = 0; r < opt_reps; r++)
              g_print ("%s N=%u: %.0f ns/task\n", throughput[i].id, ns[k],
                       (double) throughput[i].run (ns[k]) / ns[k]);
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (latency); i++)
    if (selected (opt_only, "latency", latency[i].id))
      {
        Row row = { &latency[i], 200 };
        double cold[LATENCY_PROCESSES], med[LATENCY_PROCESSES], p90[LATENCY_PROCESSES];
        double lo = G_MAXDOUBLE, hi = 0, rss = 0;
        guint ok = 0;

        /* The cold sample is one per process: take the median of a few. */
        for (guint p = 0; p < LATENCY_PROCESSES; p++)
          if (run_child (measure_latency, row.s, row.n, &row.r))
            {
              cold[ok] = row.r.extra1;
              med[ok] = row.r.median;
              p90[ok] = row.r.extra2;
              lo = MIN (lo, row.r.min);
              hi = MAX (hi, row.r.max);
              rss = MAX (rss, row.r.peak_rss);
              ok++;
            }
        if (ok > 0)
          {
            row.r.ok = 1;
            row.r.extra1 = median (cold, ok);
            row.r.median = median (med, ok);
            row.r.extra2 = median (p90, ok);
            row.r.min = lo;
            row.r.max = hi;
            row.r.peak_rss = rss;
          }
        g_array_append_val (rows, row);
      }

  for (guint k = 0; k < n_ns; k++)
    for (guint i = 0; i < G_N_ELEMENTS (throughput); i++)
      if (selected (opt_only, "throughput", throughput[i].id))
        {
          Row row = { &throughput[i], ns[k] };

          run_child (measure_throughput, row.s, row.n, &row.r);
          g_array_append_val (rows, row);
          if (!opt_json)
            g_printerr ("  %-14s N=%-8u %8.0f ns/task\n", row.s->id, row.n, row.r.median);
        }

  for (guint i = 0; i < G_N_ELEMENTS (startup); i++)
    if (selected (opt_only, "startup", startup[i].id))
      {
        const guint counts[] = { 8, 64 };

        for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
          {
            Row row = { &startup[i], counts[c] };

            run_child (measure_startup, row.s, row.n, &row.r);
            g_array_append_val (rows, row);
          }
      }

  for (guint i = 0; i < G_N_ELEMENTS (pending); i++)
    if (selected (opt_only, "pending", pending[i].id))
      {
        Row row = { &pending[i], n_pending };

        run_child (measure_pending, row.s, row.n, &row.r);
        g_array_append_val (rows, row);
      }

  targets = check_targets (rows, ns, n_ns, n_pending);

  if (opt_json)
    {
      print_json (rows, targets, opt_quick);
    }
  else
    {
      g_print ("libjoinset benchmark: GLib %u.%u.%u, %u CPUs, median of %u repetitions%s, %.0f s\n\n",
               glib_major_version, glib_minor_version, glib_micro_version,
               g_get_num_processors (), opt_reps, opt_quick ? " (--quick)" : "",
               (now_ns () - start) / 1e9);
      print_table (rows, targets, n_pending);
    }

  for (guint i = 0; i < targets->len; i++)
    g_free ((char *) g_array_index (targets, Target, i).what);

  for (guint i = 0; i < rows->len; i++)
    if (!g_array_index (rows, Row, i).r.ok)
      return 1;

  return 0;
}
