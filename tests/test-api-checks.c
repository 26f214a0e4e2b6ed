/* test-api-checks.c: every public function refuses bad arguments with a
 * critical, and does not crash
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each check runs in a subprocess where criticals are not fatal, counts the
 * criticals every misuse emits (exactly one each), checks what the function
 * returned, and that nothing else happened (no task spawned or completed,
 * user_data destroyed exactly once). The parent checks the subprocess exited
 * normally and printed the criticals.
 */

#include <math.h>

#include <joinset/joinset.h>

#include "js-test-util.h"

static gint n_criticals;

static GLogWriterOutput
count_criticals_writer (GLogLevelFlags   log_level,
                        const GLogField *fields,
                        gsize            n_fields,
                        gpointer         user_data)
{
  if (log_level & G_LOG_LEVEL_CRITICAL)
    g_atomic_int_inc (&n_criticals);

  return g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
}

/* Runs @stmt and checks it emitted exactly one critical. */
#define EXPECT_CRITICAL(stmt) \
  G_STMT_START { \
    gint before_ = g_atomic_int_get (&n_criticals); \
    stmt; \
    g_assert_cmpint (g_atomic_int_get (&n_criticals), ==, before_ + 1); \
  } G_STMT_END

/* Runs @stmt and checks it emitted no critical. */
#define EXPECT_NO_CRITICAL(stmt) \
  G_STMT_START { \
    gint before_ = g_atomic_int_get (&n_criticals); \
    stmt; \
    g_assert_cmpint (g_atomic_int_get (&n_criticals), ==, before_); \
  } G_STMT_END

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static GObject *
not_a_set (void)
{
  return g_object_new (G_TYPE_OBJECT, NULL);
}

static void
count_destroy (gpointer data)
{
  gint *count = data;

  (*count)++;
}

static void
never_called (JsTask   *task,
              gpointer  user_data)
{
  g_assert_not_reached ();
}

static void
return_int_func (JsTask   *task,
                 gpointer  user_data)
{
  js_task_return_int (task, GPOINTER_TO_INT (user_data));
}

static void
return_pointer_func (JsTask   *task,
                     gpointer  user_data)
{
  js_task_return_pointer (task, g_strdup ("result"), g_free);
}

/* A completed, joined task whose function was @func. */
static JsTask *
joined_task (JsTaskFunc func,
             gpointer   user_data)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GError) error = NULL;
  JsTask *task;

  js_join_set_spawn (set, func, user_data, NULL);
  task = js_test_join_next (set, &error);
  g_assert_no_error (error);
  g_assert_nonnull (task);

  return task;
}

static void
capture_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **captured = user_data;

  g_assert_null (*captured);
  *captured = g_object_ref (result);
}

static void
never_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_assert_not_reached ();
}

static GAsyncResult *
await_result (GAsyncResult **captured)
{
  while (*captured == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *captured;
}

static GError *
preset_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "already set");
}

/* ------------------------------------------------------------------------
 * JsJoinSet
 * ------------------------------------------------------------------------ */

static void
check_new_with_cancellable (void)
{
  g_autoptr(GObject) object = not_a_set ();
  g_autoptr(JsJoinSet) ok = NULL;

  EXPECT_CRITICAL (g_assert_null (js_join_set_new_with_cancellable ((GCancellable *) object)));
  EXPECT_NO_CRITICAL (ok = js_join_set_new_with_cancellable (NULL));
  g_assert_true (JS_IS_JOIN_SET (ok));
}

static void
check_getters_setters (void)
{
  g_autoptr(GObject) object = not_a_set ();
  JsJoinSet *wrong = (JsJoinSet *) object;

  EXPECT_CRITICAL (g_assert_cmpuint (js_join_set_get_max_concurrent (NULL), ==, 0));
  EXPECT_CRITICAL (g_assert_cmpuint (js_join_set_get_max_concurrent (wrong), ==, 0));
  EXPECT_CRITICAL (js_join_set_set_max_concurrent (NULL, 3));
  EXPECT_CRITICAL (js_join_set_set_max_concurrent (wrong, 3));
  EXPECT_CRITICAL (g_assert_false (js_join_set_get_abort_on_error (NULL)));
  EXPECT_CRITICAL (g_assert_false (js_join_set_get_abort_on_error (wrong)));
  EXPECT_CRITICAL (js_join_set_set_abort_on_error (NULL, TRUE));
  EXPECT_CRITICAL (js_join_set_set_abort_on_error (wrong, TRUE));
  EXPECT_CRITICAL (g_assert_null (js_join_set_get_cancellable (NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_get_cancellable (wrong)));
  EXPECT_CRITICAL (g_assert_cmpuint (js_join_set_get_length (NULL), ==, 0));
  EXPECT_CRITICAL (g_assert_cmpuint (js_join_set_get_length (wrong), ==, 0));
  EXPECT_CRITICAL (g_assert_true (js_join_set_is_empty (NULL)));
  EXPECT_CRITICAL (g_assert_true (js_join_set_is_empty (wrong)));
  EXPECT_CRITICAL (g_assert_true (js_join_set_is_closed (NULL)));
  EXPECT_CRITICAL (g_assert_true (js_join_set_is_closed (wrong)));
  EXPECT_CRITICAL (g_assert_false (js_join_set_get_abort_on_success (wrong)));
  EXPECT_CRITICAL (js_join_set_set_abort_on_success (wrong, TRUE));
  EXPECT_CRITICAL (g_assert_false (js_join_set_get_ordered (wrong)));
  EXPECT_CRITICAL (js_join_set_set_ordered (NULL, TRUE));
  EXPECT_CRITICAL (g_assert_false (js_join_set_get_discard_results (NULL)));
  EXPECT_CRITICAL (js_join_set_set_discard_results (wrong, TRUE));
  EXPECT_CRITICAL (g_assert_cmpuint (js_join_set_get_timeout (wrong), ==, 0));
  EXPECT_CRITICAL (js_join_set_set_timeout (NULL, 10));
  EXPECT_CRITICAL (g_assert_cmpuint (js_join_set_get_n_queued (wrong), ==, 0));
  EXPECT_CRITICAL (g_assert_cmpuint (js_join_set_get_n_running (NULL), ==, 0));
  EXPECT_CRITICAL (g_assert_cmpuint (js_join_set_get_n_finished (wrong), ==, 0));
  EXPECT_CRITICAL (g_assert_cmpuint (js_join_set_get_n_spawned (NULL), ==, 0));
  EXPECT_CRITICAL (g_assert_cmpfloat (js_join_set_get_progress (wrong), ==, 0.0));
}

static void
check_spawn (gboolean in_thread)
{
  guint64 (*spawn) (JsJoinSet *, JsTaskFunc, gpointer, GDestroyNotify) =
    in_thread ? js_join_set_spawn_in_thread : js_join_set_spawn;
  g_autoptr(GObject) object = not_a_set ();
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  gint destroyed = 0;

  /* user_data is destroyed exactly once: nothing else will */
  EXPECT_CRITICAL (g_assert_cmpuint (spawn (NULL, never_called, &destroyed, count_destroy), ==, 0));
  g_assert_cmpint (destroyed, ==, 1);
  EXPECT_CRITICAL (g_assert_cmpuint (spawn ((JsJoinSet *) object, never_called, &destroyed, count_destroy), ==, 0));
  g_assert_cmpint (destroyed, ==, 2);
  EXPECT_CRITICAL (g_assert_cmpuint (spawn (set, NULL, &destroyed, count_destroy), ==, 0));
  g_assert_cmpint (destroyed, ==, 3);
  EXPECT_CRITICAL (g_assert_cmpuint (spawn (set, NULL, NULL, NULL), ==, 0));

  g_assert_true (js_join_set_is_empty (set));
  js_test_iterate_pending (NULL);
  g_assert_true (js_join_set_is_empty (set));
}

static void
check_spawn_main (void)
{
  check_spawn (FALSE);
}

static void
check_spawn_thread (void)
{
  check_spawn (TRUE);
}

static void
check_spawn_full (void)
{
  g_autoptr(GObject) object = not_a_set ();
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  gint destroyed = 0;

  EXPECT_CRITICAL (g_assert_cmpuint (js_join_set_spawn_full (NULL, JS_SPAWN_DEFAULT, NULL, 0, never_called, &destroyed, count_destroy), ==, 0));
  g_assert_cmpint (destroyed, ==, 1);
  EXPECT_CRITICAL (g_assert_cmpuint (js_join_set_spawn_full ((JsJoinSet *) object, JS_SPAWN_IN_THREAD, "x", 0, never_called, &destroyed, count_destroy), ==, 0));
  g_assert_cmpint (destroyed, ==, 2);
  EXPECT_CRITICAL (g_assert_cmpuint (js_join_set_spawn_full (set, JS_SPAWN_DEFAULT, "x", 10, NULL, &destroyed, count_destroy), ==, 0));
  g_assert_cmpint (destroyed, ==, 3);
  /* An unknown flag */
  EXPECT_CRITICAL (g_assert_cmpuint (js_join_set_spawn_full (set, 1 << 5, NULL, 0, never_called, &destroyed, count_destroy), ==, 0));
  g_assert_cmpint (destroyed, ==, 4);

  g_assert_true (js_join_set_is_empty (set));
  js_test_iterate_pending (NULL);
}

static void
check_join_all_timeout (void)
{
  g_autoptr(GObject) object = not_a_set ();
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GAsyncResult) all = NULL;
  g_autoptr(GAsyncResult) timed = NULL;
  g_autoptr(GError) error = NULL;
  GError *preset = preset_error ();

  EXPECT_CRITICAL (js_join_set_join_all_timeout_async (NULL, 0, NULL, never_cb, NULL));
  EXPECT_CRITICAL (js_join_set_join_all_timeout_async (set, 0, (GCancellable *) object, never_cb, NULL));
  js_test_iterate_pending (NULL);

  js_join_set_join_all_async (set, NULL, capture_cb, &all);
  js_join_set_join_all_timeout_async (set, 10, NULL, capture_cb, &timed);
  await_result (&all);
  await_result (&timed);

  EXPECT_CRITICAL (g_assert_null (js_join_set_join_all_timeout_finish ((JsJoinSet *) object, timed, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_all_timeout_finish (set, all, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_all_finish (set, timed, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_all_timeout_finish (set, timed, &preset)));
  g_assert_error (preset, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&preset);

  EXPECT_NO_CRITICAL (g_ptr_array_unref (js_join_set_join_all_timeout_finish (set, timed, &error)));
  g_assert_no_error (error);
  EXPECT_NO_CRITICAL (g_ptr_array_unref (js_join_set_join_all_finish (set, all, &error)));
  g_assert_no_error (error);
}

static void
check_task_progress (void)
{
  g_autoptr(GObject) object = not_a_set ();
  g_autoptr(JsTask) task = joined_task (return_int_func, NULL);

  EXPECT_CRITICAL (js_task_set_progress (NULL, 0.5));
  EXPECT_CRITICAL (js_task_set_progress ((JsTask *) object, 0.5));
  EXPECT_CRITICAL (js_task_set_progress (task, -0.1));
  EXPECT_CRITICAL (js_task_set_progress (task, 1.5));
  EXPECT_CRITICAL (js_task_set_progress (task, NAN));
  EXPECT_CRITICAL (g_assert_cmpfloat (js_task_get_progress (NULL), ==, 0.0));
  EXPECT_CRITICAL (g_assert_cmpfloat (js_task_get_progress ((JsTask *) object), ==, 0.0));
  g_assert_cmpfloat (js_task_get_progress (task), ==, 0.0);
  EXPECT_NO_CRITICAL (js_task_set_progress (task, 1.0));
  g_assert_cmpfloat (js_task_get_progress (task), ==, 1.0);
}

static void
check_join_next_async (void)
{
  g_autoptr(GObject) object = not_a_set ();
  g_autoptr(JsJoinSet) set = js_join_set_new ();

  EXPECT_CRITICAL (js_join_set_join_next_async (NULL, NULL, never_cb, NULL));
  EXPECT_CRITICAL (js_join_set_join_next_async ((JsJoinSet *) object, NULL, never_cb, NULL));
  EXPECT_CRITICAL (js_join_set_join_next_async (set, (GCancellable *) object, never_cb, NULL));
  js_test_iterate_pending (NULL);
}

static void
check_join_next_finish (void)
{
  g_autoptr(GObject) object = not_a_set ();
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(JsJoinSet) other = js_join_set_new ();
  g_autoptr(GAsyncResult) next = NULL;
  g_autoptr(GAsyncResult) all = NULL;
  g_autoptr(GError) error = NULL;
  GError *preset = preset_error ();

  js_join_set_join_next_async (set, NULL, capture_cb, &next);
  js_join_set_join_all_async (set, NULL, capture_cb, &all);
  await_result (&next);
  await_result (&all);

  EXPECT_CRITICAL (g_assert_null (js_join_set_join_next_finish (NULL, next, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_next_finish ((JsJoinSet *) object, next, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_next_finish (set, NULL, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_next_finish (other, next, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_next_finish (set, all, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_next_finish (set, next, &preset)));
  g_assert_error (preset, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&preset);

  /* the misuse consumed nothing */
  EXPECT_NO_CRITICAL (g_assert_null (js_join_set_join_next_finish (set, next, &error)));
  g_assert_no_error (error);
  EXPECT_NO_CRITICAL (g_ptr_array_unref (js_join_set_join_all_finish (set, all, &error)));
  g_assert_no_error (error);

  /* finishing twice, as with a GTask: NULL alone would read as "empty" */
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_next_finish (set, next, &error)));
  g_assert_no_error (error);
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_all_finish (set, all, &error)));
  g_assert_no_error (error);
}

static void
check_join_next (void)
{
  g_autoptr(GObject) object = not_a_set ();
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  GError *preset = preset_error ();

  js_join_set_spawn (set, return_int_func, GINT_TO_POINTER (1), NULL);

  EXPECT_CRITICAL (g_assert_null (js_join_set_join_next (NULL, NULL, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_next ((JsJoinSet *) object, NULL, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_next (set, (GCancellable *) object, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_next (set, NULL, &preset)));
  g_assert_error (preset, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&preset);

  /* no task was taken */
  g_assert_cmpuint (js_join_set_get_length (set), ==, 1);
}

static void
check_try_join_next (void)
{
  g_autoptr(GObject) object = not_a_set ();

  EXPECT_CRITICAL (g_assert_null (js_join_set_try_join_next (NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_try_join_next ((JsJoinSet *) object)));
}

static void
check_join_all (void)
{
  g_autoptr(GObject) object = not_a_set ();
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(JsJoinSet) other = js_join_set_new ();
  g_autoptr(GAsyncResult) next = NULL;
  g_autoptr(GAsyncResult) all = NULL;
  g_autoptr(GError) error = NULL;
  GError *preset = preset_error ();

  EXPECT_CRITICAL (js_join_set_join_all_async (NULL, NULL, never_cb, NULL));
  EXPECT_CRITICAL (js_join_set_join_all_async ((JsJoinSet *) object, NULL, never_cb, NULL));
  EXPECT_CRITICAL (js_join_set_join_all_async (set, (GCancellable *) object, never_cb, NULL));
  js_test_iterate_pending (NULL);

  js_join_set_join_next_async (set, NULL, capture_cb, &next);
  js_join_set_join_all_async (set, NULL, capture_cb, &all);
  await_result (&next);
  await_result (&all);

  EXPECT_CRITICAL (g_assert_null (js_join_set_join_all_finish (NULL, all, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_all_finish ((JsJoinSet *) object, all, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_all_finish (set, NULL, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_all_finish (other, all, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_all_finish (set, next, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_all_finish (set, all, &preset)));
  g_assert_error (preset, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&preset);

  EXPECT_NO_CRITICAL (g_ptr_array_unref (js_join_set_join_all_finish (set, all, &error)));
  g_assert_no_error (error);
  EXPECT_NO_CRITICAL (g_assert_null (js_join_set_join_next_finish (set, next, &error)));
  g_assert_no_error (error);
}

static void
check_abort (void)
{
  g_autoptr(GObject) object = not_a_set ();

  EXPECT_CRITICAL (g_assert_false (js_join_set_abort (NULL, 1)));
  EXPECT_CRITICAL (g_assert_false (js_join_set_abort ((JsJoinSet *) object, 1)));
  EXPECT_CRITICAL (js_join_set_abort_all (NULL));
  EXPECT_CRITICAL (js_join_set_abort_all ((JsJoinSet *) object));
}

static void
check_detach_all (void)
{
  g_autoptr(GObject) object = not_a_set ();

  EXPECT_CRITICAL (js_join_set_detach_all (NULL));
  EXPECT_CRITICAL (js_join_set_detach_all ((JsJoinSet *) object));
}

static void
check_shutdown (void)
{
  g_autoptr(GObject) object = not_a_set ();
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(JsJoinSet) other = js_join_set_new ();
  g_autoptr(GAsyncResult) next = NULL;
  g_autoptr(GAsyncResult) shutdown = NULL;
  g_autoptr(GError) error = NULL;
  GError *preset = preset_error ();

  EXPECT_CRITICAL (js_join_set_shutdown_async (NULL, NULL, never_cb, NULL));
  EXPECT_CRITICAL (js_join_set_shutdown_async ((JsJoinSet *) object, NULL, never_cb, NULL));
  EXPECT_CRITICAL (js_join_set_shutdown_async (set, (GCancellable *) object, never_cb, NULL));
  js_test_iterate_pending (NULL);
  g_assert_false (js_join_set_is_closed (set));

  js_join_set_join_next_async (set, NULL, capture_cb, &next);
  js_join_set_shutdown_async (set, NULL, capture_cb, &shutdown);
  await_result (&next);
  await_result (&shutdown);

  EXPECT_CRITICAL (g_assert_false (js_join_set_shutdown_finish (NULL, shutdown, NULL)));
  EXPECT_CRITICAL (g_assert_false (js_join_set_shutdown_finish ((JsJoinSet *) object, shutdown, NULL)));
  EXPECT_CRITICAL (g_assert_false (js_join_set_shutdown_finish (set, NULL, NULL)));
  EXPECT_CRITICAL (g_assert_false (js_join_set_shutdown_finish (other, shutdown, NULL)));
  EXPECT_CRITICAL (g_assert_false (js_join_set_shutdown_finish (set, next, NULL)));
  EXPECT_CRITICAL (g_assert_false (js_join_set_shutdown_finish (set, shutdown, &preset)));
  g_assert_error (preset, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&preset);

  EXPECT_NO_CRITICAL (g_assert_true (js_join_set_shutdown_finish (set, shutdown, &error)));
  g_assert_no_error (error);
  EXPECT_NO_CRITICAL (g_assert_null (js_join_set_join_next_finish (set, next, &error)));
  g_assert_no_error (error);
}

static void
check_close (void)
{
  g_autoptr(GObject) object = not_a_set ();

  EXPECT_CRITICAL (js_join_set_close (NULL));
  EXPECT_CRITICAL (js_join_set_close ((JsJoinSet *) object));
}

static void
check_join_by_id (void)
{
  g_autoptr(GObject) object = not_a_set ();
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(JsJoinSet) other = js_join_set_new ();
  g_autoptr(GAsyncResult) next = NULL;
  g_autoptr(GAsyncResult) by_id = NULL;
  g_autoptr(JsTask) task = NULL;
  g_autoptr(GError) error = NULL;
  GError *preset = preset_error ();
  guint64 id;

  id = js_join_set_spawn (set, return_int_func, GINT_TO_POINTER (1), NULL);

  EXPECT_CRITICAL (js_join_set_join_by_id_async (NULL, id, NULL, never_cb, NULL));
  EXPECT_CRITICAL (js_join_set_join_by_id_async ((JsJoinSet *) object, id, NULL, never_cb, NULL));
  EXPECT_CRITICAL (js_join_set_join_by_id_async (set, id, (GCancellable *) object, never_cb, NULL));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_by_id (NULL, id, NULL, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_by_id ((JsJoinSet *) object, id, NULL, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_by_id (set, id, (GCancellable *) object, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_by_id (set, id, NULL, &preset)));
  g_assert_error (preset, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&preset);
  js_test_iterate_pending (NULL);

  /* no task was taken */
  g_assert_cmpuint (js_join_set_get_length (set), ==, 1);

  js_join_set_join_next_async (other, NULL, capture_cb, &next);
  js_join_set_join_by_id_async (set, id, NULL, capture_cb, &by_id);
  await_result (&next);
  await_result (&by_id);

  preset = preset_error ();
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_by_id_finish (NULL, by_id, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_by_id_finish ((JsJoinSet *) object, by_id, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_by_id_finish (set, NULL, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_by_id_finish (other, by_id, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_by_id_finish (set, next, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_join_set_join_by_id_finish (set, by_id, &preset)));
  g_assert_error (preset, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&preset);

  EXPECT_NO_CRITICAL (task = js_join_set_join_by_id_finish (set, by_id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (js_task_get_id (task), ==, id);
  EXPECT_NO_CRITICAL (g_assert_null (js_join_set_join_next_finish (other, next, &error)));
  g_assert_no_error (error);
}

static void
check_task_as_set (void)
{
  g_autoptr(JsTask) task = joined_task (return_int_func, GINT_TO_POINTER (1));

  g_test_summary ("A JsTask passed where a JsJoinSet is expected is refused");

  EXPECT_CRITICAL (g_assert_cmpuint (js_join_set_get_length ((JsJoinSet *) task), ==, 0));
  EXPECT_CRITICAL (g_assert_cmpuint (js_join_set_spawn ((JsJoinSet *) task, never_called, NULL, NULL), ==, 0));
  EXPECT_CRITICAL (g_assert_false (js_join_set_abort ((JsJoinSet *) task, js_task_get_id (task))));
  EXPECT_CRITICAL (js_join_set_abort_all ((JsJoinSet *) task));
  EXPECT_CRITICAL (js_join_set_detach_all ((JsJoinSet *) task));
}

/* ------------------------------------------------------------------------
 * JsTask
 * ------------------------------------------------------------------------ */

static void
check_task_identity (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *wrong = (JsTask *) set;

  EXPECT_CRITICAL (g_assert_cmpuint (js_task_get_id (NULL), ==, 0));
  EXPECT_CRITICAL (g_assert_cmpuint (js_task_get_id (wrong), ==, 0));
  EXPECT_CRITICAL (g_assert_null (js_task_get_name (NULL)));
  EXPECT_CRITICAL (g_assert_null (js_task_get_name (wrong)));
  EXPECT_CRITICAL (js_task_set_name (NULL, "name"));
  EXPECT_CRITICAL (js_task_set_name (wrong, "name"));
  EXPECT_CRITICAL (g_assert_null (js_task_get_cancellable (NULL)));
  EXPECT_CRITICAL (g_assert_null (js_task_get_cancellable (wrong)));
  EXPECT_CRITICAL (g_assert_false (js_task_get_completed (NULL)));
  EXPECT_CRITICAL (g_assert_false (js_task_get_completed (wrong)));
  EXPECT_CRITICAL (g_assert_false (js_task_had_error (NULL)));
  EXPECT_CRITICAL (g_assert_false (js_task_had_error (wrong)));
}

static void
check_task_return_null (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTask *wrong = (JsTask *) set;
  GValue value = G_VALUE_INIT;
  gint destroyed = 0;

  g_value_init (&value, G_TYPE_INT);

  /* the result is freed exactly once: nothing else will */
  EXPECT_CRITICAL (js_task_return_pointer (NULL, &destroyed, count_destroy));
  g_assert_cmpint (destroyed, ==, 1);
  EXPECT_CRITICAL (js_task_return_pointer (wrong, &destroyed, count_destroy));
  g_assert_cmpint (destroyed, ==, 2);

  EXPECT_CRITICAL (js_task_return_value (NULL, &value));
  EXPECT_CRITICAL (js_task_return_value (wrong, &value));
  EXPECT_CRITICAL (js_task_return_boolean (NULL, TRUE));
  EXPECT_CRITICAL (js_task_return_boolean (wrong, TRUE));
  EXPECT_CRITICAL (js_task_return_int (NULL, 1));
  EXPECT_CRITICAL (js_task_return_int (wrong, 1));
  EXPECT_CRITICAL (js_task_return_error (NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x")));
  EXPECT_CRITICAL (js_task_return_error (wrong, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x")));
  EXPECT_CRITICAL (js_task_return_new_error (NULL, G_IO_ERROR, G_IO_ERROR_FAILED, "x %d", 1));
  EXPECT_CRITICAL (js_task_return_new_error (wrong, G_IO_ERROR, G_IO_ERROR_FAILED, "x %d", 1));
  EXPECT_CRITICAL (g_assert_false (js_task_return_error_if_cancelled (NULL)));
  EXPECT_CRITICAL (g_assert_false (js_task_return_error_if_cancelled (wrong)));

  g_value_unset (&value);
  g_assert_true (js_join_set_is_empty (set));
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"
#pragma GCC diagnostic ignored "-Wformat"
static void
return_new_error_null_format (JsTask *task)
{
  const char *format = NULL;

  js_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, format);
}
#pragma GCC diagnostic pop

/* Misuses its own running task, then returns properly: none of the
 * misuses may complete the task. */
static void
misuse_running_task (JsTask   *task,
                     gpointer  user_data)
{
  GValue unset = G_VALUE_INIT;
  GValue out = G_VALUE_INIT;

  EXPECT_CRITICAL (js_task_return_value (task, NULL));
  EXPECT_CRITICAL (js_task_return_value (task, &unset));
  EXPECT_CRITICAL (js_task_return_error (task, NULL));
  EXPECT_CRITICAL (js_task_return_new_error (task, 0, 1, "no domain"));
  EXPECT_CRITICAL (return_new_error_null_format (task));

  /* a consumer function on a task that did not complete */
  EXPECT_CRITICAL (g_assert_null (js_task_propagate_pointer (task, NULL)));
  EXPECT_CRITICAL (g_assert_cmpint (js_task_propagate_int (task, NULL), ==, -1));
  EXPECT_CRITICAL (g_assert_false (js_task_propagate_boolean (task, NULL)));
  EXPECT_CRITICAL (g_assert_false (js_task_propagate_value (task, &out, NULL)));
  g_assert_false (G_IS_VALUE (&out));

  g_assert_false (js_task_get_completed (task));
  js_task_return_int (task, 42);
}

static void
check_task_return_running (void)
{
  for (guint kind = 0; kind < 2; kind++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(JsTask) task = NULL;

      if (kind == 0)
        js_join_set_spawn (set, misuse_running_task, NULL, NULL);
      else
        js_join_set_spawn_in_thread (set, misuse_running_task, NULL, NULL);

      task = js_test_join_next (set, &error);
      g_assert_no_error (error);
      g_assert_nonnull (task);
      g_assert_false (js_task_had_error (task));
      g_assert_cmpint (js_task_propagate_int (task, &error), ==, 42);
      g_assert_no_error (error);
    }
}

static void
check_task_return_never_ran (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsTask) task = NULL;
  guint64 id;

  /* aborted before its function ran, and joined: nobody may return it */
  id = js_join_set_spawn (set, return_int_func, GINT_TO_POINTER (1), NULL);
  g_assert_true (js_join_set_abort (set, id));
  task = js_join_set_try_join_next (set);
  g_assert_nonnull (task);

  EXPECT_CRITICAL (js_task_return_int (task, 5));
  g_assert_cmpint (js_task_propagate_int (task, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
check_task_propagate (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(JsTask) int_task = joined_task (return_int_func, GINT_TO_POINTER (7));
  g_autoptr(JsTask) pointer_task = joined_task (return_pointer_func, NULL);
  g_autofree char *result = NULL;
  JsTask *wrong = (JsTask *) set;
  GValue value = G_VALUE_INIT;
  GError *preset = preset_error ();

  EXPECT_CRITICAL (g_assert_null (js_task_propagate_pointer (NULL, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_task_propagate_pointer (wrong, NULL)));
  EXPECT_CRITICAL (g_assert_false (js_task_propagate_value (NULL, &value, NULL)));
  EXPECT_CRITICAL (g_assert_false (js_task_propagate_value (wrong, &value, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_task_dup_value (NULL, NULL)));
  EXPECT_CRITICAL (g_assert_null (js_task_dup_value (wrong, NULL)));
  EXPECT_CRITICAL (g_assert_false (js_task_propagate_boolean (NULL, NULL)));
  EXPECT_CRITICAL (g_assert_false (js_task_propagate_boolean (wrong, NULL)));
  EXPECT_CRITICAL (g_assert_cmpint (js_task_propagate_int (NULL, NULL), ==, -1));
  EXPECT_CRITICAL (g_assert_cmpint (js_task_propagate_int (wrong, NULL), ==, -1));
  g_assert_false (G_IS_VALUE (&value));

  /* NULL value, error already set */
  EXPECT_CRITICAL (g_assert_false (js_task_propagate_value (int_task, NULL, NULL)));
  EXPECT_CRITICAL (g_assert_cmpint (js_task_propagate_int (int_task, &preset), ==, -1));
  EXPECT_CRITICAL (g_assert_null (js_task_propagate_pointer (pointer_task, &preset)));
  g_assert_error (preset, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&preset);

  /* the wrong kind of result: an error (G_IO_ERROR_INVALID_DATA) naming
   * the right getter, no critical, so that bindings raise */
  {
    g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL, e5 = NULL;
    GValue *dup;

    EXPECT_NO_CRITICAL (g_assert_null (js_task_propagate_pointer (int_task, &e1)));
    g_assert_error (e1, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (e1->message, "js_task_propagate_int()"));
    EXPECT_NO_CRITICAL (g_assert_false (js_task_propagate_boolean (int_task, &e2)));
    g_assert_error (e2, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    EXPECT_NO_CRITICAL (g_assert_false (js_task_propagate_value (int_task, &value, &e3)));
    g_assert_error (e3, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_false (G_IS_VALUE (&value));
    EXPECT_NO_CRITICAL (dup = js_task_dup_value (int_task, &e4));
    g_assert_null (dup);
    g_assert_error (e4, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    EXPECT_NO_CRITICAL (g_assert_cmpint (js_task_propagate_int (pointer_task, &e5), ==, -1));
    g_assert_error (e5, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (e5->message, "js_task_propagate_pointer()"));
    /* and with no error location, nothing but the return value */
    EXPECT_NO_CRITICAL (g_assert_cmpint (js_task_propagate_int (pointer_task, NULL), ==, -1));
  }

  /* the results are still there */
  EXPECT_NO_CRITICAL (g_assert_cmpint (js_task_propagate_int (int_task, NULL), ==, 7));
  EXPECT_NO_CRITICAL (result = js_task_propagate_pointer (pointer_task, NULL));
  g_assert_cmpstr (result, ==, "result");

  /* a pointer result belongs to its first taker */
  EXPECT_CRITICAL (g_assert_null (js_task_propagate_pointer (pointer_task, NULL)));
}

/* ------------------------------------------------------------------------
 * Running the checks
 * ------------------------------------------------------------------------ */

typedef struct
{
  const char *path;
  void      (*body) (void);
} Check;

static void
run_check (gconstpointer data)
{
  const Check *check = data;

  if (g_test_subprocess ())
    {
      /* criticals are counted, and not fatal, so that what follows them
       * is checked too */
      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      g_log_set_writer_func (count_criticals_writer, NULL, NULL);
      check->body ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

int
main (int   argc,
      char *argv[])
{
  static const Check checks[] = {
    { "/join-set/api-checks/join-set/new-with-cancellable", check_new_with_cancellable },
    { "/join-set/api-checks/join-set/properties", check_getters_setters },
    { "/join-set/api-checks/join-set/spawn", check_spawn_main },
    { "/join-set/api-checks/join-set/spawn-in-thread", check_spawn_thread },
    { "/join-set/api-checks/join-set/spawn-full", check_spawn_full },
    { "/join-set/api-checks/join-set/join-all-timeout", check_join_all_timeout },
    { "/join-set/api-checks/task/progress", check_task_progress },
    { "/join-set/api-checks/join-set/join-next-async", check_join_next_async },
    { "/join-set/api-checks/join-set/join-next-finish", check_join_next_finish },
    { "/join-set/api-checks/join-set/join-next", check_join_next },
    { "/join-set/api-checks/join-set/try-join-next", check_try_join_next },
    { "/join-set/api-checks/join-set/join-all", check_join_all },
    { "/join-set/api-checks/join-set/abort", check_abort },
    { "/join-set/api-checks/join-set/detach-all", check_detach_all },
    { "/join-set/api-checks/join-set/shutdown", check_shutdown },
    { "/join-set/api-checks/join-set/close", check_close },
    { "/join-set/api-checks/join-set/join-by-id", check_join_by_id },
    { "/join-set/api-checks/join-set/task-as-set", check_task_as_set },
    { "/join-set/api-checks/task/identity", check_task_identity },
    { "/join-set/api-checks/task/return-null", check_task_return_null },
    { "/join-set/api-checks/task/return-running", check_task_return_running },
    { "/join-set/api-checks/task/return-never-ran", check_task_return_never_ran },
    { "/join-set/api-checks/task/propagate", check_task_propagate },
  };

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    g_test_add_data_func (checks[i].path, &checks[i], run_check);

  return g_test_run ();
}
