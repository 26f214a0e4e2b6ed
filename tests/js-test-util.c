/* js-test-util.c: the helpers of the C tests, compiled once
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One static library (js-test-util in tests/meson.build) that every C test
 * program links. It holds the bodies of two headers:
 *
 * - js-test-util.h: gates, counters, tracked data, main-context iteration,
 *   joins and expected messages, for every test;
 * - stress-util.h: the watchdog, knobs and seeds of the stress programs.
 *   It stays a header of its own so that the unit tests do not see the
 *   stress vocabulary, but its bodies live here, in their own section.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#include <joinset/joinset.h>

#include "js-test-util.h"
#include "stress-util.h"

/* ------------------------------------------------------------------------
 * Gates, counters and tracked data
 * ------------------------------------------------------------------------ */

void
js_test_gate_init (JsTestGate *gate)
{
  g_mutex_init (&gate->mutex);
  g_cond_init (&gate->cond);
  gate->open = FALSE;
  gate->n_entered = 0;
}

/* Closes the gate again and forgets who entered: no caller may be in
 * js_test_gate_pass() then. */
void
js_test_gate_reset (JsTestGate *gate)
{
  g_mutex_lock (&gate->mutex);
  gate->open = FALSE;
  gate->n_entered = 0;
  g_mutex_unlock (&gate->mutex);
}

void
js_test_gate_clear (JsTestGate *gate)
{
  g_cond_clear (&gate->cond);
  g_mutex_clear (&gate->mutex);
}

/* Blocks until the gate is open. */
void
js_test_gate_pass (JsTestGate *gate)
{
  g_mutex_lock (&gate->mutex);
  gate->n_entered++;
  g_cond_broadcast (&gate->cond);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->mutex);
  g_mutex_unlock (&gate->mutex);
}

void
js_test_gate_open (JsTestGate *gate)
{
  g_mutex_lock (&gate->mutex);
  gate->open = TRUE;
  g_cond_broadcast (&gate->cond);
  g_mutex_unlock (&gate->mutex);
}

guint
js_test_gate_get_entered (JsTestGate *gate)
{
  guint n;

  g_mutex_lock (&gate->mutex);
  n = gate->n_entered;
  g_mutex_unlock (&gate->mutex);

  return n;
}

/* Blocks until @n callers reached the gate. */
void
js_test_gate_await_entered (JsTestGate *gate,
                            guint       n)
{
  gint64 deadline = g_get_monotonic_time () + JS_TEST_DEADLINE_USEC;

  g_mutex_lock (&gate->mutex);
  while (gate->n_entered < n)
    if (!g_cond_wait_until (&gate->cond, &gate->mutex, deadline))
      break;
  g_mutex_unlock (&gate->mutex);

  g_assert_cmpuint (js_test_gate_get_entered (gate), >=, n);
}

/* Waits until @object has no reference but the caller's: a thread task's
 * runner drops its reference just after the task function returns, which
 * may be a moment after the task completed. */
void
js_test_await_sole_reference (gpointer object)
{
  gint64 deadline = g_get_monotonic_time () + JS_TEST_DEADLINE_USEC;

  while (g_atomic_int_get (&G_OBJECT (object)->ref_count) > 1 &&
         g_get_monotonic_time () < deadline)
    g_thread_yield ();

  g_assert_cmpuint (g_atomic_int_get (&G_OBJECT (object)->ref_count), ==, 1);
}

void
js_test_counter_init (JsTestCounter *counter)
{
  g_mutex_init (&counter->mutex);
  g_cond_init (&counter->cond);
  counter->value = 0;
}

void
js_test_counter_clear (JsTestCounter *counter)
{
  g_cond_clear (&counter->cond);
  g_mutex_clear (&counter->mutex);
}

void
js_test_counter_inc (JsTestCounter *counter)
{
  g_mutex_lock (&counter->mutex);
  counter->value++;
  g_cond_broadcast (&counter->cond);
  g_mutex_unlock (&counter->mutex);
}

gint
js_test_counter_get (JsTestCounter *counter)
{
  gint value;

  g_mutex_lock (&counter->mutex);
  value = counter->value;
  g_mutex_unlock (&counter->mutex);

  return value;
}

/* Whether this thread runs its thread-default context: the main thread
 * for the global default, or a thread that pushed its own. */
static gboolean
runs_its_context (void)
{
#ifdef __linux__
  if (g_main_context_get_thread_default () == NULL)
    return syscall (SYS_gettid) == getpid ();
#endif
  return TRUE;
}

static gint
counter_await (JsTestCounter *counter,
               gint           value,
               gboolean       iterate)
{
  gint64 deadline = g_get_monotonic_time () + JS_TEST_DEADLINE_USEC;
  gint reached;

  g_mutex_lock (&counter->mutex);
  while (counter->value < value)
    {
      gint64 until = iterate ? MIN (deadline, g_get_monotonic_time () + G_TIME_SPAN_MILLISECOND) : deadline;

      if (iterate)
        {
          g_mutex_unlock (&counter->mutex);
          while (g_main_context_iteration (g_main_context_get_thread_default (), FALSE))
            ;
          g_mutex_lock (&counter->mutex);
          if (counter->value >= value)
            break;
        }
      if (!g_cond_wait_until (&counter->cond, &counter->mutex, until) &&
          g_get_monotonic_time () >= deadline)
        break;
    }
  reached = counter->value;
  g_mutex_unlock (&counter->mutex);

  g_assert_cmpint (reached, >=, value);

  return reached;
}

/* Blocks until the counter reaches at least @value, and returns the value
 * then. Callers assert the exact value they expect. */
gint
js_test_counter_await (JsTestCounter *counter,
                       gint           value)
{
  return counter_await (counter, value, FALSE);
}

/* The same, for a counter of released user data: the user data of tasks is
 * destroyed in the set's context (see _js_core_release_locked()), so
 * a thread that runs its context dispatches what is pending there while it
 * waits. */
gint
js_test_counter_await_released (JsTestCounter *counter,
                                gint           value)
{
  return counter_await (counter, value, runs_its_context ());
}

JsTestTracked *
js_test_tracked_new (JsTestCounter *freed,
                     gssize         value)
{
  JsTestTracked *tracked = g_new0 (JsTestTracked, 1);

  tracked->freed = freed;
  tracked->value = value;

  return tracked;
}

void
js_test_tracked_free (gpointer data)
{
  JsTestTracked *tracked = data;

  js_test_counter_inc (tracked->freed);
  g_free (tracked);
}

static void
js_test_count (gint *counter)
{
  if (counter != NULL)
    g_atomic_int_inc (counter);
}

/* A result of @value for @owner (the caller's record of its task), counted
 * in @counts, which is copied: any counter may be NULL. */
JsTestResult *
js_test_result_new (gssize                    value,
                    gpointer                  owner,
                    const JsTestResultCounts *counts)
{
  JsTestResult *result = g_new0 (JsTestResult, 1);

  result->magic = JS_TEST_RESULT_MAGIC;
  result->value = value;
  result->owner = owner;
  result->counts = *counts;
  js_test_count (counts->made);
  js_test_count (counts->total_made);

  return result;
}

/* Frees a JsTestResult, counts it, then runs its notify: the last touch
 * of the counters, so that the test may free them once they add up. */
void
js_test_result_free (gpointer data)
{
  JsTestResult *result = data;
  JsTestResultCounts counts = result->counts;
  gssize value = result->value;

  g_assert_cmphex (result->magic, ==, JS_TEST_RESULT_MAGIC);
  result->magic = 0;
  if (counts.freed != NULL && g_atomic_int_add (counts.freed, 1) != 0)
    g_error ("result %" G_GSSIZE_FORMAT " freed twice", value);
  g_free (result);
  js_test_count (counts.total_freed);
  if (counts.notify != NULL)
    counts.notify (counts.notify_data);
}

gboolean
js_test_timeout_cb (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates @context (NULL for the global default one) until *@flag is set
 * by a callback dispatched there: the
 * `while (!done) g_main_context_iteration (NULL, TRUE);` loop, with a
 * deadline that fails the test instead of hanging. */
void
js_test_iterate_until (GMainContext   *context,
                       const gboolean *flag)
{
  gboolean timed_out = FALSE;
  GSource *timeout;

  if (*flag)
    return;

  timeout = g_timeout_source_new (JS_TEST_DEADLINE_USEC / 1000);
  g_source_set_callback (timeout, js_test_timeout_cb, &timed_out, NULL);
  g_source_attach (timeout, context);

  while (!*flag && !timed_out)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
  g_source_unref (timeout);

  g_assert_false (timed_out);
}

/* Runs everything @context has ready now, without blocking. */
void
js_test_iterate_pending (GMainContext *context)
{
  while (g_main_context_iteration (context, FALSE))
    ;
}

void
js_test_join_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  JsTestJoin *join = data;

  g_assert_false (join->done);
  join->task = js_join_set_join_next_finish (JS_JOIN_SET (object), result, &join->error);
  join->thread = g_thread_self ();
  join->done = TRUE;
}

void
js_test_join_all_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      data)
{
  JsTestJoinAll *all = data;

  g_assert_false (all->done);
  all->tasks = js_join_set_join_all_finish (JS_JOIN_SET (object), result, &all->error);
  all->done = TRUE;
}

/* Joins the next task asynchronously, iterating the thread-default
 * context until the join completes. */
JsTask *
js_test_join_next (JsJoinSet  *set,
                   GError    **error)
{
  JsTestJoin join = { 0 };

  js_join_set_join_next_async (set, NULL, js_test_join_cb, &join);
  js_test_iterate_until (g_main_context_get_thread_default (), &join.done);

  if (join.error != NULL)
    g_propagate_error (error, join.error);

  return join.task;
}

/* Joins every task asynchronously, iterating the thread-default context
 * until the join completes, and asserts that it succeeds. */
GPtrArray *
js_test_join_all (JsJoinSet *set)
{
  JsTestJoinAll all = { 0 };

  js_join_set_join_all_async (set, NULL, js_test_join_all_cb, &all);
  js_test_iterate_until (g_main_context_get_thread_default (), &all.done);
  g_assert_no_error (all.error);
  g_assert_nonnull (all.tasks);

  return all.tasks;
}

/* Asserts that @task joined as cancelled. */
void
js_test_assert_cancelled (JsTask *task)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (js_task_had_error (task));
  g_assert_null (js_task_propagate_pointer (task, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Expected warnings and criticals.
 *
 * libjoinset logs with G_LOG_USE_STRUCTURED, and GLib 2.74's
 * g_test_expect_message() only sees messages from g_logv(): it never
 * matches them. So a writer function counts the expected ones (from any
 * thread), and warnings and criticals are made non-fatal only while a test
 * expects one. Call js_test_expect_install() once, after g_test_init(). */
static struct
{
  GMutex          mutex;
  const char     *pattern;    /* glob on the message, or NULL */
  guint           seen;
  GLogLevelFlags  saved_fatal;
} js_test_expect;

static GLogWriterOutput
js_test_expect_writer (GLogLevelFlags   log_level,
                       const GLogField *fields,
                       gsize            n_fields,
                       gpointer         user_data)
{
  gboolean matched = FALSE;

  g_mutex_lock (&js_test_expect.mutex);
  if (js_test_expect.pattern != NULL &&
      (log_level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)))
    for (gsize i = 0; i < n_fields; i++)
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0 &&
          g_pattern_match_simple (js_test_expect.pattern, fields[i].value))
        {
          js_test_expect.seen++;
          matched = TRUE;
        }
  g_mutex_unlock (&js_test_expect.mutex);

  if (matched)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

void
js_test_expect_install (void)
{
  g_log_set_writer_func (js_test_expect_writer, NULL, NULL);
}

/* Expects messages matching the glob @pattern, until js_test_expect_end(). */
void
js_test_expect_begin (const char *pattern)
{
  g_mutex_lock (&js_test_expect.mutex);
  js_test_expect.pattern = pattern;
  js_test_expect.seen = 0;
  g_mutex_unlock (&js_test_expect.mutex);
  js_test_expect.saved_fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK);
}

/* How many expected messages were logged so far. */
guint
js_test_expect_seen (void)
{
  guint seen;

  g_mutex_lock (&js_test_expect.mutex);
  seen = js_test_expect.seen;
  g_mutex_unlock (&js_test_expect.mutex);

  return seen;
}

/* Stops expecting; returns how many expected messages were logged. */
guint
js_test_expect_end (void)
{
  guint seen;

  g_log_set_always_fatal (js_test_expect.saved_fatal);
  g_mutex_lock (&js_test_expect.mutex);
  js_test_expect.pattern = NULL;
  seen = js_test_expect.seen;
  g_mutex_unlock (&js_test_expect.mutex);

  return seen;
}

/* ------------------------------------------------------------------------
 * Stress programs: knobs, watchdog and seeds (stress-util.h)
 * ------------------------------------------------------------------------ */

guint64
stress_env_uint (const char *name,
                 guint64     fallback)
{
  const char *value = g_getenv (name);
  guint64 n;

  if (value == NULL || *value == '\0')
    return fallback;
  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &n, NULL))
    g_error ("%s=%s is not a number", name, value);
  return n;
}

/* ------------------------------------------------------------------------
 * Watchdog
 * ------------------------------------------------------------------------ */

/* The watchdog's state: the test moves it through stress_step(),
 * stress_watchdog_arm() and the setters below. */
typedef struct
{
  GThread     *thread;
  gint         progress;       /* atomic: bumped by the test */
  gint         stop;           /* atomic */
  gint         armed;          /* atomic: 0 between test cases */
  guint64      stall_usec;
  const char  *volatile what;  /* static string: the current step */
  volatile guint64 round;
  volatile guint32 seed;
  void       (*dump) (void);   /* prints test state on a stall */
} StressWatchdog;

static StressWatchdog stress_watchdog;

void
stress_step (const char *what)
{
  stress_watchdog.what = what;
  g_atomic_int_inc (&stress_watchdog.progress);
}

void
stress_watchdog_arm (gboolean armed)
{
  g_atomic_int_inc (&stress_watchdog.progress);
  g_atomic_int_set (&stress_watchdog.armed, armed);
}

/* What the watchdog prints on a stall: the round it is in, and that
 * round's seed. */
void
stress_watchdog_set_round (guint64 round)
{
  stress_watchdog.round = round;
}

void
stress_watchdog_set_seed (guint32 seed)
{
  stress_watchdog.seed = seed;
}

static void
stress_watchdog_backtrace (void)
{
  g_autofree char *gdb = g_find_program_in_path ("gdb");
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  const char *argv[] = {
    NULL, "-p", pid, "-batch", "-nx",
    "-ex", "set pagination off",
    "-ex", "thread apply all bt",
    NULL
  };

  if (gdb == NULL || g_strcmp0 (g_getenv ("JS_STRESS_GDB"), "0") == 0)
    {
      fprintf (stderr, "watchdog: no backtrace (gdb %s)\n",
               gdb == NULL ? "not installed" : "disabled by JS_STRESS_GDB=0");
      return;
    }

  argv[0] = gdb;
  fflush (stderr);
  /* Output goes straight to our stdout/stderr, that is to the test log. */
  g_spawn_sync (NULL, (char **) argv, NULL,
                G_SPAWN_CHILD_INHERITS_STDIN,
                NULL, NULL, NULL, NULL, NULL, NULL);
}

static gpointer
stress_watchdog_main (gpointer data)
{
  gint last = g_atomic_int_get (&stress_watchdog.progress);
  gint64 last_change = g_get_monotonic_time ();

  while (!g_atomic_int_get (&stress_watchdog.stop))
    {
      gint now_progress;
      gint64 now;

      g_usleep (20 * G_TIME_SPAN_MILLISECOND);

      now = g_get_monotonic_time ();
      now_progress = g_atomic_int_get (&stress_watchdog.progress);
      if (now_progress != last || !g_atomic_int_get (&stress_watchdog.armed))
        {
          last = now_progress;
          last_change = now;
          continue;
        }

      if ((guint64) (now - last_change) < stress_watchdog.stall_usec)
        continue;

      fprintf (stderr,
               "\nwatchdog: STALL: no progress for %.1f s in step \"%s\", "
               "round %" G_GUINT64_FORMAT ", round seed %u "
               "(replay with JS_STRESS_SEED=<the base seed printed at the start>)\n",
               (now - last_change) / (double) G_TIME_SPAN_SECOND,
               stress_watchdog.what ? stress_watchdog.what : "?",
               stress_watchdog.round, stress_watchdog.seed);
      if (stress_watchdog.dump != NULL)
        stress_watchdog.dump ();
      stress_watchdog_backtrace ();
      fprintf (stderr, "watchdog: aborting\n");
      fflush (stderr);
      abort ();
    }

  return NULL;
}

void
stress_watchdog_start (void (*dump) (void))
{
  stress_watchdog.stall_usec =
    stress_env_uint ("JS_STRESS_STALL_SECONDS", 3) * G_TIME_SPAN_SECOND;
  stress_watchdog.dump = dump;
  stress_watchdog.thread = g_thread_new ("stress-watchdog",
                                         stress_watchdog_main, NULL);
}

void
stress_watchdog_stop (void)
{
  g_atomic_int_set (&stress_watchdog.stop, TRUE);
  g_thread_join (g_steal_pointer (&stress_watchdog.thread));
}

/* The base seed: JS_STRESS_SEED, or one from the GTest random generator
 * (which --seed controls). */
guint32
stress_base_seed (void)
{
  guint32 seed = (guint32) stress_env_uint ("JS_STRESS_SEED",
                                            (guint32) g_test_rand_int ());

  g_test_message ("base seed %u (replay with JS_STRESS_SEED=%u)", seed, seed);
  return seed;
}

guint32
stress_round_seed (guint32 base,
                   guint64 round)
{
  guint64 x = base ^ (round * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  x ^= x >> 31;
  x *= G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  x ^= x >> 29;
  return (guint32) x;
}
