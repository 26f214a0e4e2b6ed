/* test-task.c: the producer and consumer sides of JsTask
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <joinset/joinset.h>

#include "js-test-util.h"

#define TEST_ERROR (test_error_quark ())
static G_DEFINE_QUARK (js-test-error-quark, test_error)

typedef enum
{
  KIND_THREAD,
  KIND_MAIN,
} Kind;

static guint64
spawn_kind (JsJoinSet      *set,
            Kind            kind,
            JsTaskFunc      func,
            gpointer        user_data,
            GDestroyNotify  user_data_destroy)
{
  if (kind == KIND_THREAD)
    return js_join_set_spawn_in_thread (set, func, user_data, user_data_destroy);
  else
    return js_join_set_spawn (set, func, user_data, user_data_destroy);
}

/* Joins the only task of @set, checks it is the one with @id and that the
 * set is empty afterwards. */
static JsTask *
join_only (JsJoinSet *set,
           guint64    id)
{
  g_autoptr(GError) error = NULL;
  JsTask *task;

  task = js_test_join_next (set, &error);
  g_assert_no_error (error);
  g_assert_nonnull (task);
  g_assert_true (JS_IS_TASK (task));
  g_assert_cmpuint (js_task_get_id (task), ==, id);
  g_assert_true (js_task_get_completed (task));
  g_assert_true (js_join_set_is_empty (set));

  /* A thread task's runner holds a reference until its function returns,
   * a moment after the task completed. */
  js_test_await_sole_reference (task);

  return task;
}

/* ------------------------------------------------------------------------
 * return_pointer / propagate_pointer
 * ------------------------------------------------------------------------ */

static void
return_tracked (JsTask   *task,
                gpointer  user_data)
{
  JsTestTracked *tracked = user_data;

  js_task_return_pointer (task,
                          js_test_tracked_new (tracked->freed, tracked->value),
                          js_test_tracked_free);
}

static void
test_return_pointer (void)
{
  for (Kind kind = KIND_THREAD; kind <= KIND_MAIN; kind++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      g_autoptr(GError) error = NULL;
      JsTestCounter result_freed;
      JsTestTracked seed = { &result_freed, 42 };
      JsTestTracked *result;
      JsTask *task;
      guint64 id;

      js_test_counter_init (&result_freed);

      id = spawn_kind (set, kind, return_tracked, &seed, NULL);
      g_assert_cmpuint (id, !=, 0);

      task = join_only (set, id);
      g_assert_false (js_task_had_error (task));

      result = js_task_propagate_pointer (task, &error);
      g_assert_no_error (error);
      g_assert_nonnull (result);
      g_assert_cmpint (result->value, ==, 42);

      /* transfer full: the task no longer owns the result */
      g_assert_finalize_object (task);
      g_assert_cmpint (js_test_counter_get (&result_freed), ==, 0);

      js_test_tracked_free (result);
      g_assert_cmpint (js_test_counter_get (&result_freed), ==, 1);

      g_assert_finalize_object (g_steal_pointer (&set));
      g_assert_cmpint (js_test_counter_get (&result_freed), ==, 1);
      js_test_counter_clear (&result_freed);
    }
}

static void
test_return_pointer_unpropagated (void)
{
  g_test_summary ("A pointer result nobody propagates is freed exactly once, "
                  "when the joined task is dropped");

  for (Kind kind = KIND_THREAD; kind <= KIND_MAIN; kind++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      JsTestCounter result_freed;
      JsTestTracked seed = { &result_freed, 7 };
      JsTask *task;
      guint64 id;

      js_test_counter_init (&result_freed);

      id = spawn_kind (set, kind, return_tracked, &seed, NULL);
      task = join_only (set, id);
      g_assert_cmpint (js_test_counter_get (&result_freed), ==, 0);

      g_assert_finalize_object (task);
      g_assert_cmpint (js_test_counter_get (&result_freed), ==, 1);

      g_assert_finalize_object (g_steal_pointer (&set));
      g_assert_cmpint (js_test_counter_get (&result_freed), ==, 1);
      js_test_counter_clear (&result_freed);
    }
}

/* ------------------------------------------------------------------------
 * return_value / propagate_value
 * ------------------------------------------------------------------------ */

static void
return_int_value (JsTask   *task,
                  gpointer  user_data)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, -1234);
  js_task_return_value (task, &value);
  g_value_unset (&value);
}

static void
return_string_value (JsTask   *task,
                     gpointer  user_data)
{
  GValue value = G_VALUE_INIT;
  char *string = g_strdup ("grüne Äpfel");

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, string);
  js_task_return_value (task, &value);
  /* the task keeps a copy: scribble over what the producer owned */
  memset (string, 'x', strlen (string));
  g_free (string);
  g_value_unset (&value);
}

static void
test_return_value (void)
{
  for (Kind kind = KIND_THREAD; kind <= KIND_MAIN; kind++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      g_autoptr(GError) error = NULL;
      GValue value = G_VALUE_INIT;
      JsTask *task;
      guint64 id;

      id = spawn_kind (set, kind, return_int_value, NULL, NULL);
      task = join_only (set, id);
      g_assert_true (js_task_propagate_value (task, &value, &error));
      g_assert_no_error (error);
      g_assert_true (G_VALUE_HOLDS_INT (&value));
      g_assert_cmpint (g_value_get_int (&value), ==, -1234);
      g_value_unset (&value);
      g_assert_finalize_object (task);

      id = spawn_kind (set, kind, return_string_value, NULL, NULL);
      task = join_only (set, id);

      /* propagate_value copies: it can be called more than once */
      for (guint i = 0; i < 2; i++)
        {
          g_assert_true (js_task_propagate_value (task, &value, &error));
          g_assert_no_error (error);
          g_assert_true (G_VALUE_HOLDS_STRING (&value));
          g_assert_cmpstr (g_value_get_string (&value), ==, "grüne Äpfel");
          g_value_unset (&value);
        }

      /* dup_value, what bindings call propagate_value, returns a copy */
      {
        GValue *copy = js_task_dup_value (task, &error);

        g_assert_no_error (error);
        g_assert_nonnull (copy);
        g_assert_true (G_VALUE_HOLDS_STRING (copy));
        g_assert_cmpstr (g_value_get_string (copy), ==, "grüne Äpfel");
        g_value_unset (copy);
        g_free (copy);
      }
      g_assert_false (js_task_had_error (task));
      g_assert_finalize_object (task);

      g_assert_finalize_object (g_steal_pointer (&set));
    }
}

/* ------------------------------------------------------------------------
 * return_boolean, return_int
 * ------------------------------------------------------------------------ */

static void
return_boolean (JsTask   *task,
                gpointer  user_data)
{
  /* any non-zero value is TRUE */
  js_task_return_boolean (task, GPOINTER_TO_INT (user_data) ? 2 : 0);
}

static void
return_int (JsTask   *task,
            gpointer  user_data)
{
  gssize *value = user_data;

  js_task_return_int (task, *value);
}

static void
test_return_boolean (void)
{
  for (Kind kind = KIND_THREAD; kind <= KIND_MAIN; kind++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();

      for (gint expected = 0; expected <= 1; expected++)
        {
          g_autoptr(GError) error = NULL;
          JsTask *task;
          guint64 id;

          id = spawn_kind (set, kind, return_boolean, GINT_TO_POINTER (expected), NULL);
          task = join_only (set, id);
          g_assert_cmpint (js_task_propagate_boolean (task, &error), ==, expected);
          g_assert_no_error (error);
          g_assert_false (js_task_had_error (task));
          g_assert_finalize_object (task);
        }

      g_assert_finalize_object (g_steal_pointer (&set));
    }
}

static void
test_return_int (void)
{
  static const gssize values[] = { 0, 1, -1, 14, G_MAXSSIZE, G_MINSSIZE };

  for (Kind kind = KIND_THREAD; kind <= KIND_MAIN; kind++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();

      for (guint i = 0; i < G_N_ELEMENTS (values); i++)
        {
          g_autoptr(GError) error = NULL;
          JsTask *task;
          guint64 id;

          id = spawn_kind (set, kind, return_int, (gpointer) &values[i], NULL);
          task = join_only (set, id);
          g_assert_cmpint (js_task_propagate_int (task, &error), ==, values[i]);
          g_assert_no_error (error);
          g_assert_finalize_object (task);
        }

      g_assert_finalize_object (g_steal_pointer (&set));
    }
}

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

static void
return_error (JsTask   *task,
              gpointer  user_data)
{
  js_task_return_error (task, g_error_new_literal (TEST_ERROR, 17, "the seventeenth failure"));
}

static void
return_new_error (JsTask   *task,
                  gpointer  user_data)
{
  js_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                            "no %s in %d places", "cheese", 3);
}

static void
assert_task_error (JsTask     *task,
                   GQuark      domain,
                   gint        code,
                   const char *message)
{
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  g_assert_true (js_task_get_completed (task));
  g_assert_true (js_task_had_error (task));

  /* every propagate function reports the same error, every time */
  g_assert_null (js_task_propagate_pointer (task, &error));
  g_assert_error (error, domain, code);
  g_assert_cmpstr (error->message, ==, message);
  g_clear_error (&error);

  g_assert_cmpint (js_task_propagate_int (task, &error), ==, -1);
  g_assert_error (error, domain, code);
  g_assert_cmpstr (error->message, ==, message);
  g_clear_error (&error);

  g_assert_false (js_task_propagate_boolean (task, &error));
  g_assert_error (error, domain, code);
  g_clear_error (&error);

  g_assert_false (js_task_propagate_value (task, &value, &error));
  g_assert_error (error, domain, code);
  g_assert_false (G_IS_VALUE (&value));
  g_clear_error (&error);

  g_assert_null (js_task_dup_value (task, &error));
  g_assert_error (error, domain, code);
  g_clear_error (&error);
}

static void
test_return_error (void)
{
  g_test_summary ("A task's own error reaches the consumer unchanged: "
                  "domain, code and message");

  for (Kind kind = KIND_THREAD; kind <= KIND_MAIN; kind++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      JsTask *task;
      guint64 id;

      id = spawn_kind (set, kind, return_error, NULL, NULL);
      task = join_only (set, id);
      assert_task_error (task, TEST_ERROR, 17, "the seventeenth failure");
      g_assert_finalize_object (task);

      id = spawn_kind (set, kind, return_new_error, NULL, NULL);
      task = join_only (set, id);
      assert_task_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no cheese in 3 places");
      g_assert_finalize_object (task);

      g_assert_finalize_object (g_steal_pointer (&set));
    }
}

static void
return_error_if_cancelled (JsTask   *task,
                           gpointer  user_data)
{
  gboolean *checked = user_data;

  /* not cancelled: nothing happens, the task is still running */
  g_assert_false (js_task_return_error_if_cancelled (task));
  g_assert_false (js_task_get_completed (task));

  g_cancellable_cancel (js_task_get_cancellable (task));
  g_assert_true (js_task_return_error_if_cancelled (task));
  g_assert_true (js_task_get_completed (task));
  g_assert_true (js_task_had_error (task));

  *checked = TRUE;
}

static void
test_return_error_if_cancelled (void)
{
  for (Kind kind = KIND_THREAD; kind <= KIND_MAIN; kind++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      g_autoptr(GError) error = NULL;
      gboolean checked = FALSE;
      JsTask *task;
      guint64 id;

      id = spawn_kind (set, kind, return_error_if_cancelled, &checked, NULL);
      task = join_only (set, id);
      g_assert_true (checked);
      g_assert_cmpint (js_task_propagate_int (task, &error), ==, -1);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_finalize_object (task);

      g_assert_finalize_object (g_steal_pointer (&set));
    }
}

/* ------------------------------------------------------------------------
 * Lazy cancellables
 * ------------------------------------------------------------------------ */

typedef struct
{
  JsTask       *task;        /* held by the test while the function runs */
  GCancellable *made;        /* what get_cancellable() gave after the abort */
  gboolean      was_cancelled_before;
} Lazy;

/* Keeps running: the test aborts it, then looks at it. */
static void
hold_func (JsTask   *task,
           gpointer  user_data)
{
  Lazy *lazy = user_data;

  g_assert_false (js_task_is_cancelled (task));
  lazy->task = g_object_ref (task);
}

static void
test_lazy_cancellable (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsTask) joined = NULL;
  Lazy lazy = { 0 };
  guint64 id;

  g_test_summary ("A task has no cancellable until asked: aborting one "
                  "that has none sets the flag js_task_is_cancelled() "
                  "reads, and the cancellable made afterwards is already "
                  "cancelled; every call returns the same object");

  id = js_join_set_spawn (set, hold_func, &lazy, NULL);
  /* Not started yet: no cancellable, not cancelled. */
  while (lazy.task == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (js_task_is_cancelled (lazy.task));

  g_assert_true (js_join_set_abort (set, id));
  g_assert_true (js_task_is_cancelled (lazy.task));

  lazy.made = js_task_get_cancellable (lazy.task);
  g_assert_nonnull (lazy.made);
  g_assert_true (g_cancellable_is_cancelled (lazy.made));
  g_assert_true (js_task_get_cancellable (lazy.task) == lazy.made);
  g_assert_true (js_task_return_error_if_cancelled (lazy.task));

  joined = js_join_set_try_join_next (set);
  g_assert_nonnull (joined);
  g_assert_cmpint (js_task_propagate_int (joined, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&lazy.task);
}

/* Made before the abort: the abort cancels it. Cancelled by the task's own
 * code: is_cancelled() sees that too. */
static void
ask_then_hold_func (JsTask   *task,
                    gpointer  user_data)
{
  Lazy *lazy = user_data;
  GCancellable *cancellable = js_task_get_cancellable (task);

  g_assert_nonnull (cancellable);
  lazy->was_cancelled_before = g_cancellable_is_cancelled (cancellable);
  lazy->made = cancellable;
  /* Published last: the test may be waiting in another thread. */
  g_atomic_pointer_set (&lazy->task, g_object_ref (task));
}

static void
test_lazy_cancellable_made_first (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(JsTask) joined = NULL;
  Lazy lazy = { 0 };
  guint64 id;

  g_test_summary ("A cancellable made while the task runs is cancelled by "
                  "a later abort, and one cancelled by the task's own code "
                  "makes js_task_is_cancelled() true");

  id = js_join_set_spawn_in_thread (set, ask_then_hold_func, &lazy, NULL);
  while (g_atomic_pointer_get (&lazy.task) == NULL)
    g_thread_yield ();
  g_assert_false (lazy.was_cancelled_before);
  g_assert_false (js_task_is_cancelled (lazy.task));
  g_assert_true (js_join_set_abort (set, id));
  g_assert_true (g_cancellable_is_cancelled (lazy.made));
  g_assert_true (js_task_is_cancelled (lazy.task));
  joined = js_join_set_try_join_next (set);
  g_assert_nonnull (joined);
  g_clear_object (&lazy.task);

  /* A cancellable the task's code cancels itself. */
  memset (&lazy, 0, sizeof lazy);
  id = js_join_set_spawn (set, ask_then_hold_func, &lazy, NULL);
  while (lazy.task == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (lazy.made);
  g_assert_true (js_task_is_cancelled (lazy.task));
  g_assert_true (js_task_return_error_if_cancelled (lazy.task));
  g_clear_object (&lazy.task);
  g_clear_object (&joined);
  joined = js_join_set_try_join_next (set);
  g_assert_nonnull (joined);
  g_assert_true (js_task_had_error (joined));
}

/* ------------------------------------------------------------------------
 * Identity: completed, name, cancellable
 * ------------------------------------------------------------------------ */

typedef struct
{
  gboolean      checked;
  guint64       id;
  GCancellable *cancellable;
} Identity;

static void
check_identity (JsTask   *task,
                gpointer  user_data)
{
  Identity *identity = user_data;

  g_assert_cmpuint (js_task_get_id (task), !=, 0);
  identity->id = js_task_get_id (task);

  g_assert_true (G_IS_CANCELLABLE (js_task_get_cancellable (task)));
  g_assert_true (js_task_get_cancellable (task) == js_task_get_cancellable (task));
  g_assert_false (g_cancellable_is_cancelled (js_task_get_cancellable (task)));
  identity->cancellable = js_task_get_cancellable (task);

  g_assert_false (js_task_get_completed (task));
  g_assert_false (js_task_had_error (task));

  g_assert_null (js_task_get_name (task));
  js_task_set_name (task, "first");
  g_assert_cmpstr (js_task_get_name (task), ==, "first");
  {
    /* A name handed out stays valid after a rename (checked by ASan and
     * valgrind in CI): another thread may rename the task at any time. */
    const char *first = js_task_get_name (task);

    js_task_set_name (task, "second");
    g_assert_cmpstr (first, ==, "first");
    g_assert_cmpstr (js_task_get_name (task), ==, "second");
  }
  js_task_set_name (task, NULL);
  g_assert_null (js_task_get_name (task));
  js_task_set_name (task, "the-name");

  js_task_return_int (task, 5);

  g_assert_true (js_task_get_completed (task));
  g_assert_false (js_task_had_error (task));
  identity->checked = TRUE;
}

static void
test_identity (void)
{
  g_test_summary ("id, name, cancellable and completed, seen from the task "
                  "function and from the consumer");

  for (Kind kind = KIND_THREAD; kind <= KIND_MAIN; kind++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      g_autoptr(GError) error = NULL;
      Identity identity = { 0 };
      JsTask *task;
      guint64 id;

      id = spawn_kind (set, kind, check_identity, &identity, NULL);
      task = join_only (set, id);

      g_assert_true (identity.checked);
      g_assert_cmpuint (identity.id, ==, id);
      g_assert_cmpstr (js_task_get_name (task), ==, "the-name");
      g_assert_true (js_task_get_cancellable (task) == identity.cancellable);
      g_assert_false (g_cancellable_is_cancelled (js_task_get_cancellable (task)));
      g_assert_cmpint (js_task_propagate_int (task, &error), ==, 5);
      g_assert_no_error (error);

      js_task_set_name (task, "renamed by the consumer");
      g_assert_cmpstr (js_task_get_name (task), ==, "renamed by the consumer");

      g_assert_finalize_object (task);
      g_assert_finalize_object (g_steal_pointer (&set));
    }
}

/* ------------------------------------------------------------------------
 * Returning later
 * ------------------------------------------------------------------------ */

typedef struct
{
  JsTask   *task;
  gboolean  func_returned;
  gboolean  completed_late;
} Later;

static gboolean
later_idle_cb (gpointer data)
{
  Later *later = data;
  JsTask *task = g_steal_pointer (&later->task);

  g_assert_true (later->func_returned);
  g_assert_false (js_task_get_completed (task));
  js_task_return_int (task, 99);
  g_assert_true (js_task_get_completed (task));
  later->completed_late = TRUE;
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

static void
return_from_idle (JsTask   *task,
                  gpointer  user_data)
{
  Later *later = user_data;

  later->task = g_object_ref (task);
  g_timeout_add (1, later_idle_cb, later);
  g_assert_false (js_task_get_completed (task));
  later->func_returned = TRUE;
}

static void
test_return_later_main (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GError) error = NULL;
  Later later = { 0 };
  JsTask *task;
  guint64 id;

  g_test_summary ("A task in the main context can take a reference, return "
                  "from its function and complete later from a callback");

  id = js_join_set_spawn (set, return_from_idle, &later, NULL);
  task = join_only (set, id);
  g_assert_true (later.func_returned);
  g_assert_true (later.completed_late);
  g_assert_cmpint (js_task_propagate_int (task, &error), ==, 99);
  g_assert_no_error (error);
  g_assert_finalize_object (task);
  g_assert_finalize_object (g_steal_pointer (&set));
}

static gpointer
later_thread_func (gpointer data)
{
  Later *later = data;
  JsTask *task = g_steal_pointer (&later->task);

  js_task_return_pointer (task, g_strdup ("from another thread"), g_free);
  g_object_unref (task);
  g_free (later);

  return NULL;
}

static void
return_from_thread (JsTask   *task,
                    gpointer  user_data)
{
  GThread **thread = user_data;
  Later *later = g_new0 (Later, 1);

  later->task = g_object_ref (task);
  *thread = g_thread_new ("later", later_thread_func, later);
}

static void
test_return_later_thread (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;
  GThread *thread = NULL;
  JsTask *task;
  guint64 id;

  g_test_summary ("A task in the main context may be completed from another "
                  "thread");

  id = js_join_set_spawn (set, return_from_thread, &thread, NULL);
  task = join_only (set, id);
  g_assert_nonnull (thread);
  g_free (g_thread_join (thread));

  result = js_task_propagate_pointer (task, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, "from another thread");
  g_assert_finalize_object (task);
  g_assert_finalize_object (g_steal_pointer (&set));
}

/* ------------------------------------------------------------------------
 * Abandoned tasks
 * ------------------------------------------------------------------------ */

static void
return_nothing (JsTask   *task,
                gpointer  user_data)
{
}

static void
assert_abandoned (JsTask *task)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (js_task_get_completed (task));
  g_assert_true (js_task_had_error (task));
  g_assert_cmpint (js_task_propagate_int (task, &error), ==, -1);
  g_assert_error (error, JS_JOIN_ERROR, JS_JOIN_ERROR_ABANDONED);
}

static void
test_abandoned (void)
{
  g_test_summary ("A task function that neither returns a result nor keeps "
                  "a reference makes its task join as ABANDONED");

  for (Kind kind = KIND_THREAD; kind <= KIND_MAIN; kind++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      JsTestCounter data_freed;
      JsTask *task;
      guint64 id;

      js_test_counter_init (&data_freed);

      id = spawn_kind (set, kind, return_nothing,
                       js_test_tracked_new (&data_freed, 0), js_test_tracked_free);
      task = join_only (set, id);
      assert_abandoned (task);
      /* destroyed once the producer let go: a worker thread may still be
       * letting go while the task is joined */
      g_assert_cmpint (js_test_counter_get (&data_freed), <=, 1);

      g_assert_finalize_object (task);
      g_assert_cmpint (js_test_counter_await_released (&data_freed, 1), ==, 1);
      g_assert_finalize_object (g_steal_pointer (&set));
      g_assert_cmpint (js_test_counter_get (&data_freed), ==, 1);
      js_test_counter_clear (&data_freed);
    }
}

typedef struct
{
  JsTestCounter started;
  JsTestCounter data_freed;
  JsTask       *kept;
} Keeper;

static void
keeper_destroy (gpointer data)
{
  Keeper *keeper = data;

  js_test_counter_inc (&keeper->data_freed);
}

static void
keep_task (JsTask   *task,
           gpointer  user_data)
{
  Keeper *keeper = user_data;

  keeper->kept = g_object_ref (task);
  js_test_counter_inc (&keeper->started);
}

static void
test_abandoned_later (void)
{
  g_test_summary ("A task whose producer keeps a reference and drops it "
                  "without returning completes as ABANDONED at that moment");

  for (Kind kind = KIND_THREAD; kind <= KIND_MAIN; kind++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      Keeper keeper;
      JsTask *task;
      guint64 id;

      js_test_counter_init (&keeper.data_freed);
      js_test_counter_init (&keeper.started);
      keeper.kept = NULL;

      id = spawn_kind (set, kind, keep_task, &keeper, keeper_destroy);

      if (kind == KIND_MAIN)
        while (js_test_counter_get (&keeper.started) == 0)
          g_main_context_iteration (NULL, TRUE);
      js_test_counter_await (&keeper.started, 1);
      js_test_iterate_pending (NULL);
      /* a worker thread drops its own reference just after the function
       * returns: wait for that, so that ours is the last one */
      js_test_await_sole_reference (keeper.kept);

      /* the function returned, but the task is still alive */
      g_assert_null (js_join_set_try_join_next (set));
      g_assert_false (js_join_set_is_empty (set));
      g_assert_false (js_task_get_completed (keeper.kept));
      g_assert_cmpint (js_test_counter_get (&keeper.data_freed), ==, 0);

      g_clear_object (&keeper.kept);

      /* at that moment, without iterating */
      task = js_join_set_try_join_next (set);
      g_assert_nonnull (task);
      g_assert_cmpuint (js_task_get_id (task), ==, id);
      assert_abandoned (task);
      g_assert_true (js_join_set_is_empty (set));
      g_assert_cmpint (js_test_counter_get (&keeper.data_freed), <=, 1);

      g_assert_finalize_object (task);
      g_assert_cmpint (js_test_counter_get (&keeper.data_freed), ==, 1);
      g_assert_finalize_object (g_steal_pointer (&set));
      g_assert_cmpint (js_test_counter_get (&keeper.data_freed), ==, 1);
      js_test_counter_clear (&keeper.data_freed);
      js_test_counter_clear (&keeper.started);
    }
}

/* ------------------------------------------------------------------------
 * Returning twice
 * ------------------------------------------------------------------------ */

static void
return_twice (JsTask   *task,
              gpointer  user_data)
{
  JsTestCounter *freed = user_data;

  js_task_return_int (task, 1);
  /* the second result is refused and freed */
  js_task_return_pointer (task, js_test_tracked_new (freed, 2), js_test_tracked_free);
}

static void
test_return_twice (void)
{
  g_test_summary ("A second js_task_return_*() is a critical, not a crash; "
                  "the first result stands and the second is freed");

  if (g_test_subprocess ())
    {
      for (Kind kind = KIND_THREAD; kind <= KIND_MAIN; kind++)
        {
          g_autoptr(JsJoinSet) set = js_join_set_new ();
          g_autoptr(GError) error = NULL;
          JsTestCounter freed;
          JsTask *task;
          guint64 id;

          /* keep running after the critical, to check what follows */
          g_log_set_always_fatal (G_LOG_FATAL_MASK);

          js_test_counter_init (&freed);
          id = spawn_kind (set, kind, return_twice, &freed, NULL);
          task = join_only (set, id);
          g_assert_cmpint (js_task_propagate_int (task, &error), ==, 1);
          g_assert_no_error (error);
          g_assert_cmpint (js_test_counter_get (&freed), ==, 1);
          g_assert_finalize_object (task);
          g_assert_finalize_object (g_steal_pointer (&set));
          js_test_counter_clear (&freed);
        }
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*twice*CRITICAL*twice*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/join-set/task/return-pointer", test_return_pointer);
  g_test_add_func ("/join-set/task/return-pointer-unpropagated", test_return_pointer_unpropagated);
  g_test_add_func ("/join-set/task/return-value", test_return_value);
  g_test_add_func ("/join-set/task/return-boolean", test_return_boolean);
  g_test_add_func ("/join-set/task/return-int", test_return_int);
  g_test_add_func ("/join-set/task/return-error", test_return_error);
  g_test_add_func ("/join-set/task/return-error-if-cancelled", test_return_error_if_cancelled);
  g_test_add_func ("/join-set/task/identity", test_identity);
  g_test_add_func ("/join-set/task/lazy-cancellable", test_lazy_cancellable);
  g_test_add_func ("/join-set/task/lazy-cancellable-made-first", test_lazy_cancellable_made_first);
  g_test_add_func ("/join-set/task/return-later-main", test_return_later_main);
  g_test_add_func ("/join-set/task/return-later-thread", test_return_later_thread);
  g_test_add_func ("/join-set/task/abandoned", test_abandoned);
  g_test_add_func ("/join-set/task/abandoned-later", test_abandoned_later);
  g_test_add_func ("/join-set/task/return-twice", test_return_twice);

  return g_test_run ();
}
