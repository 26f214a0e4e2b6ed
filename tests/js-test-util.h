/* js-test-util.h: gates, counters and tracked data for the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every helper here is explicit about time: a test opens a gate when it
 * decides to, and waits for a counter to reach a value instead of sleeping.
 * Waits have a generous deadline so that a broken library fails the test
 * with a message instead of hanging until meson kills it.
 *
 * Only declarations and types: the bodies are compiled once, in
 * js-test-util.c, into the js-test-util library every C test links.
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

/* A counter other threads increment and the test waits on. */
typedef struct
{
  GMutex mutex;
  GCond  cond;
  gint   value;
} JsTestCounter;

/* Heap data that counts its destruction: used as user_data and as task
 * results, to prove each is freed exactly once. */
typedef struct
{
  JsTestCounter *freed;
  gssize         value;
} JsTestTracked;

/* Where a JsTestResult counts itself: atomic gints, any of them NULL.
 * @made and @freed belong to one task (freeing its result twice fails the
 * test), @total_made and @total_freed to the whole test. @notify runs
 * last, with @notify_data, once the result is freed and counted; the
 * counters may be gone by then, as the test is free to drop them as soon
 * as they add up. */
typedef struct
{
  gint           *made;
  gint           *freed;
  gint           *total_made;
  gint           *total_freed;
  GDestroyNotify  notify;
  gpointer        notify_data;
} JsTestResultCounts;

#define JS_TEST_RESULT_MAGIC 0x52534c54u

/* A task result that proves it is freed exactly once: its value, the
 * caller's record of the task it belongs to, and the counters it reports
 * to. Return it with js_task_return_pointer (task, result,
 * js_test_result_free). */
typedef struct
{
  guint32             magic;
  gssize              value;
  gpointer            owner;
  JsTestResultCounts  counts;
} JsTestResult;

/* The outcome of one join_next_async(), collected by js_test_join_cb(). */
typedef struct
{
  gboolean  done;
  JsTask   *task;
  GError   *error;
  GThread  *thread;
} JsTestJoin;

/* The outcome of one join_all_async(), collected by
 * js_test_join_all_cb(). */
typedef struct
{
  gboolean   done;
  GPtrArray *tasks;
  GError    *error;
} JsTestJoinAll;

/* Gates: js_test_gate_pass() blocks until the gate is open;
 * js_test_gate_await_entered() blocks until @n callers reached it;
 * js_test_gate_reset() closes it again, with no caller inside. */
void              js_test_gate_init            (JsTestGate     *gate);
void              js_test_gate_reset           (JsTestGate     *gate);
void              js_test_gate_clear           (JsTestGate     *gate);
void              js_test_gate_pass            (JsTestGate     *gate);
void              js_test_gate_open            (JsTestGate     *gate);
guint             js_test_gate_get_entered     (JsTestGate     *gate);
void              js_test_gate_await_entered   (JsTestGate     *gate,
                                                guint           n);

/* Waits until @object has no reference but the caller's. */
void              js_test_await_sole_reference (gpointer        object);

/* Counters: js_test_counter_await() blocks until the counter reaches at
 * least @value and returns the value then. */
void              js_test_counter_init         (JsTestCounter  *counter);
void              js_test_counter_clear        (JsTestCounter  *counter);
void              js_test_counter_inc          (JsTestCounter  *counter);
gint              js_test_counter_get          (JsTestCounter  *counter);
gint              js_test_counter_await_released (JsTestCounter  *counter,
                                                gint            value);
gint              js_test_counter_await        (JsTestCounter  *counter,
                                                gint            value);

JsTestTracked    *js_test_tracked_new          (JsTestCounter  *freed,
                                                gssize          value);
void              js_test_tracked_free         (gpointer        data);

JsTestResult     *js_test_result_new           (gssize                    value,
                                                gpointer                  owner,
                                                const JsTestResultCounts *counts);
void              js_test_result_free          (gpointer                  data);

/* Main-context iteration, with a deadline that fails the test. */
gboolean          js_test_timeout_cb           (gpointer        data);
void              js_test_iterate_until        (GMainContext   *context,
                                                const gboolean *flag);
void              js_test_iterate_pending      (GMainContext   *context);

/* Joins: callbacks that collect into JsTestJoin and JsTestJoinAll, and
 * join_next and join_all that iterate the thread-default context until
 * they complete (js_test_join_all() asserts it succeeds). */
void              js_test_join_cb              (GObject        *object,
                                                GAsyncResult   *result,
                                                gpointer        data);
void              js_test_join_all_cb          (GObject        *object,
                                                GAsyncResult   *result,
                                                gpointer        data);
JsTask           *js_test_join_next            (JsJoinSet      *set,
                                                GError        **error);
GPtrArray        *js_test_join_all             (JsJoinSet      *set);
void              js_test_assert_cancelled     (JsTask         *task);

/* Expected warnings and criticals: call js_test_expect_install() once,
 * after g_test_init(); then js_test_expect_begin() expects messages
 * matching a glob until js_test_expect_end(), which returns how many
 * were logged. */
void              js_test_expect_install       (void);
void              js_test_expect_begin         (const char     *pattern);
guint             js_test_expect_seen          (void);
guint             js_test_expect_end           (void);

G_END_DECLS
