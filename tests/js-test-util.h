/* js-test-util.h: gates, counters and tracked data for the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every helper here is explicit about time: a test opens a gate when it
 * decides to, and waits for a counter to reach a value instead of sleeping.
 * Waits have a generous deadline so that a broken library fails the test
 * with a message instead of hanging until meson kills it.
 */

#pragma once

#include <joinset/joinset.h>

G_BEGIN_DECLS

#define JS_TEST_DEADLINE_USEC (10 * G_TIME_SPAN_SECOND)

/* A gate that thread task functions block on until the test opens it. It
 * deliberately ignores cancellation: it models blocking work that does not
 * check its cancellable. */
typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean open;
  guint    n_entered;
} JsTestGate;

static inline void
js_test_gate_init (JsTestGate *gate)
{
  g_mutex_init (&gate->mutex);
  g_cond_init (&gate->cond);
  gate->open = FALSE;
  gate->n_entered = 0;
}

static inline void
js_test_gate_clear (JsTestGate *gate)
{
  g_cond_clear (&gate->cond);
  g_mutex_clear (&gate->mutex);
}

/* Blocks until the gate is open. */
static inline void
js_test_gate_pass (JsTestGate *gate)
{
  g_mutex_lock (&gate->mutex);
  gate->n_entered++;
  g_cond_broadcast (&gate->cond);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->mutex);
  g_mutex_unlock (&gate->mutex);
}

static inline void
js_test_gate_open (JsTestGate *gate)
{
  g_mutex_lock (&gate->mutex);
  gate->open = TRUE;
  g_cond_broadcast (&gate->cond);
  g_mutex_unlock (&gate->mutex);
}

static inline guint
js_test_gate_get_entered (JsTestGate *gate)
{
  guint n;

  g_mutex_lock (&gate->mutex);
  n = gate->n_entered;
  g_mutex_unlock (&gate->mutex);

  return n;
}

/* Blocks until @n callers reached the gate. */
static inline void
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
static inline void
js_test_await_sole_reference (gpointer object)
{
  gint64 deadline = g_get_monotonic_time () + JS_TEST_DEADLINE_USEC;

  while (g_atomic_int_get (&G_OBJECT (object)->ref_count) > 1 &&
         g_get_monotonic_time () < deadline)
    g_thread_yield ();

  g_assert_cmpuint (g_atomic_int_get (&G_OBJECT (object)->ref_count), ==, 1);
}

/* A counter other threads increment and the test waits on. */
typedef struct
{
  GMutex mutex;
  GCond  cond;
  gint   value;
} JsTestCounter;

static inline void
js_test_counter_init (JsTestCounter *counter)
{
  g_mutex_init (&counter->mutex);
  g_cond_init (&counter->cond);
  counter->value = 0;
}

static inline void
js_test_counter_clear (JsTestCounter *counter)
{
  g_cond_clear (&counter->cond);
  g_mutex_clear (&counter->mutex);
}

static inline void
js_test_counter_inc (JsTestCounter *counter)
{
  g_mutex_lock (&counter->mutex);
  counter->value++;
  g_cond_broadcast (&counter->cond);
  g_mutex_unlock (&counter->mutex);
}

static inline gint
js_test_counter_get (JsTestCounter *counter)
{
  gint value;

  g_mutex_lock (&counter->mutex);
  value = counter->value;
  g_mutex_unlock (&counter->mutex);

  return value;
}

/* Blocks until the counter reaches at least @value, and returns the value
 * then. Callers assert the exact value they expect. */
static inline gint
js_test_counter_await (JsTestCounter *counter,
                       gint           value)
{
  gint64 deadline = g_get_monotonic_time () + JS_TEST_DEADLINE_USEC;
  gint reached;

  g_mutex_lock (&counter->mutex);
  while (counter->value < value)
    if (!g_cond_wait_until (&counter->cond, &counter->mutex, deadline))
      break;
  reached = counter->value;
  g_mutex_unlock (&counter->mutex);

  g_assert_cmpint (reached, >=, value);

  return reached;
}

/* Heap data that counts its destruction: used as user_data and as task
 * results, to prove each is freed exactly once. */
typedef struct
{
  JsTestCounter *freed;
  gssize         value;
} JsTestTracked;

static inline JsTestTracked *
js_test_tracked_new (JsTestCounter *freed,
                     gssize         value)
{
  JsTestTracked *tracked = g_new0 (JsTestTracked, 1);

  tracked->freed = freed;
  tracked->value = value;

  return tracked;
}

static inline void
js_test_tracked_free (gpointer data)
{
  JsTestTracked *tracked = data;

  js_test_counter_inc (tracked->freed);
  g_free (tracked);
}

static inline gboolean
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
static inline void
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
static inline void
js_test_iterate_pending (GMainContext *context)
{
  while (g_main_context_iteration (context, FALSE))
    ;
}

/* The outcome of one join_next_async(), collected by js_test_join_cb(). */
typedef struct
{
  gboolean  done;
  JsTask   *task;
  GError   *error;
  GThread  *thread;
} JsTestJoin;

static inline void
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

/* The outcome of one join_all_async(), collected by
 * js_test_join_all_cb(). */
typedef struct
{
  gboolean   done;
  GPtrArray *tasks;
  GError    *error;
} JsTestJoinAll;

static inline void
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
static inline JsTask *
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

static inline GLogWriterOutput
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

static inline void
js_test_expect_install (void)
{
  g_log_set_writer_func (js_test_expect_writer, NULL, NULL);
}

/* Expects messages matching the glob @pattern, until js_test_expect_end(). */
static inline void
js_test_expect_begin (const char *pattern)
{
  g_mutex_lock (&js_test_expect.mutex);
  js_test_expect.pattern = pattern;
  js_test_expect.seen = 0;
  g_mutex_unlock (&js_test_expect.mutex);
  js_test_expect.saved_fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK);
}

/* How many expected messages were logged so far. */
static inline guint
js_test_expect_seen (void)
{
  guint seen;

  g_mutex_lock (&js_test_expect.mutex);
  seen = js_test_expect.seen;
  g_mutex_unlock (&js_test_expect.mutex);

  return seen;
}

/* Stops expecting; returns how many expected messages were logged. */
static inline guint
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

G_END_DECLS
