/* test-spawn-async.c: GIO-style asynchronous operations as tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Real GIO operations: g_file_load_bytes_async() and the wait of a
 * GSubprocess, with the set's policies, aborts in flight, timeouts and
 * dispose while an operation is pending.
 */

#include <unistd.h>

#include <joinset/joinset.h>

#include "js-test-util.h"

/* What the start and finish functions of one operation saw. */
typedef struct
{
  GFile        *file;          /* for a file load */
  char        **argv;          /* for a subprocess */
  GSubprocess  *subprocess;    /* the one started, if any */
  GThread      *thread;        /* the test's thread */
  gint          n_started;
  gint          n_finished;
  gint         *max_running;   /* shared between operations */
  gint         *running;
  gboolean      destroyed;
} Op;

static Op *
op_new_file (GFile *file)
{
  Op *op = g_new0 (Op, 1);

  op->file = g_object_ref (file);
  op->thread = g_thread_self ();
  return op;
}

static Op *
op_new_argv (const char *const *argv)
{
  Op *op = g_new0 (Op, 1);

  op->argv = g_strdupv ((char **) argv);
  op->thread = g_thread_self ();
  return op;
}

/* The destroy notify: records it; the Op itself is freed by the test. */
static void
op_destroyed (gpointer data)
{
  Op *op = data;

  g_assert_true (g_thread_self () == op->thread);
  g_assert_false (op->destroyed);
  op->destroyed = TRUE;
}

static void
op_free (Op *op)
{
  if (op->subprocess != NULL)
    {
      g_subprocess_force_exit (op->subprocess);
      g_object_unref (op->subprocess);
    }
  g_clear_object (&op->file);
  g_strfreev (op->argv);
  g_free (op);
}

static void
load_start (JsTask              *task,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             callback_data,
            gpointer             user_data)
{
  Op *op = user_data;

  g_assert_true (g_thread_self () == op->thread);
  g_assert_true (G_IS_CANCELLABLE (cancellable));
  g_assert_true (cancellable == js_task_get_cancellable (task));
  op->n_started++;
  g_file_load_bytes_async (op->file, cancellable, callback, callback_data);
}

static gboolean
load_finish (GObject       *source_object,
             GAsyncResult  *result,
             GValue        *value,
             GError       **error)
{
  GBytes *bytes = g_file_load_bytes_finish (G_FILE (source_object), result,
                                            NULL, error);

  if (bytes == NULL)
    return FALSE;

  g_value_init (value, G_TYPE_BYTES);
  g_value_take_boxed (value, bytes);
  return TRUE;
}

static void
wait_start (JsTask              *task,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             callback_data,
            gpointer             user_data)
{
  Op *op = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_thread_self () == op->thread);
  op->n_started++;
  if (op->running != NULL)
    {
      (*op->running)++;
      *op->max_running = MAX (*op->max_running, *op->running);
    }

  op->subprocess = g_subprocess_newv ((const char *const *) op->argv,
                                      G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (op->subprocess, cancellable, callback,
                                 callback_data);
}

/* A finish function with no value: the task returns TRUE. It finds its
 * Op through the subprocess. */
static gboolean
wait_finish (GObject       *source_object,
             GAsyncResult  *result,
             GValue        *value,
             GError       **error)
{
  Op *op = g_object_get_data (source_object, "op");

  op->n_finished++;
  if (op->running != NULL)
    (*op->running)--;

  return g_subprocess_wait_check_finish (G_SUBPROCESS (source_object), result,
                                         error);
}

/* wait_start, and the subprocess knows its Op. */
static void
wait_start_tagged (JsTask              *task,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             callback_data,
                   gpointer             user_data)
{
  Op *op = user_data;

  wait_start (task, cancellable, callback, callback_data, user_data);
  g_object_set_data (G_OBJECT (op->subprocess), "op", op);
}

static GFile *
temp_file_with (const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd;

  fd = g_file_open_tmp ("js-spawn-async-XXXXXX", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  return g_file_new_for_path (path);
}

static void
test_file_load (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GFile) file = temp_file_with ("hello, joinset");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsTask) task = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  Op *op = op_new_file (file);
  GBytes *bytes;
  guint64 id;

  id = js_join_set_spawn_async (set, load_start, load_finish, op, op_destroyed);
  g_assert_cmpuint (id, !=, 0);
  g_assert_cmpint (op->n_started, ==, 0);   /* never inside the call */
  g_assert_cmpuint (js_join_set_get_length (set), ==, 1);

  task = js_test_join_next (set, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (js_task_get_id (task), ==, id);
  g_assert_true (js_task_propagate_value (task, &value, &error));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_HOLDS (&value, G_TYPE_BYTES));
  bytes = g_value_get_boxed (&value);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   "hello, joinset", 14);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 0);

  /* The data lives as long as the task that was spawned with it. */
  g_assert_false (op->destroyed);
  g_clear_object (&task);
  g_assert_true (op->destroyed);

  g_file_delete (file, NULL, NULL);
  op_free (op);
}

/* The task's error is the operation's, and it counts for abort-on-error. */
static void
test_file_load_error (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent/js-spawn-async");
  const char *sleeper[] = { "sleep", "30", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsTask) first = NULL;
  g_autoptr(JsTask) second = NULL;
  Op *load = op_new_file (file);
  Op *wait = op_new_argv (sleeper);
  guint64 load_id;

  js_join_set_set_abort_on_error (set, TRUE);
  js_join_set_spawn_async (set, wait_start_tagged, wait_finish, wait, op_destroyed);
  load_id = js_join_set_spawn_async (set, load_start, load_finish, load, op_destroyed);

  first = js_test_join_next (set, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (js_task_get_id (first), ==, load_id);
  g_assert_false (js_task_propagate_boolean (first, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The failure aborted the 30-second wait at once. */
  second = js_test_join_next (set, &error);
  g_assert_no_error (error);
  js_test_assert_cancelled (second);
  g_assert_cmpint (wait->n_started, ==, 1);

  /* Its late callback still runs the finish function, then releases the
   * data, in the set's context. */
  js_test_iterate_until (NULL, &wait->destroyed);
  g_assert_cmpint (wait->n_finished, ==, 1);

  g_clear_object (&first);
  g_assert_true (load->destroyed);
  op_free (load);
  op_free (wait);
}

static void
test_subprocess (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  const char *ok[] = { "true", NULL };
  const char *fails[] = { "false", NULL };
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GError) error = NULL;
  Op *op_ok = op_new_argv (ok);
  Op *op_fails = op_new_argv (fails);
  guint64 id_ok, id_fails;

  id_ok = js_join_set_spawn_async (set, wait_start_tagged, wait_finish, op_ok, op_destroyed);
  id_fails = js_join_set_spawn_async (set, wait_start_tagged, wait_finish, op_fails, op_destroyed);

  tasks = js_test_join_all (set);
  g_assert_cmpuint (tasks->len, ==, 2);
  for (guint i = 0; i < tasks->len; i++)
    {
      JsTask *task = g_ptr_array_index (tasks, i);
      gboolean ok_value = js_task_propagate_boolean (task, &error);

      if (js_task_get_id (task) == id_ok)
        {
          /* A finish function that sets no value returns TRUE. */
          g_assert_no_error (error);
          g_assert_true (ok_value);
        }
      else
        {
          g_assert_cmpuint (js_task_get_id (task), ==, id_fails);
          g_assert_error (error, G_SPAWN_EXIT_ERROR, 1);
          g_clear_error (&error);
        }
    }

  g_clear_pointer (&tasks, g_ptr_array_unref);
  g_assert_true (op_ok->destroyed);
  g_assert_true (op_fails->destroyed);
  op_free (op_ok);
  op_free (op_fails);
}

/* max-concurrent counts an operation until it completes. */
static void
test_max_concurrent (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  const char *argv[] = { "sleep", "0.05", NULL };
  g_autoptr(GPtrArray) tasks = NULL;
  Op *ops[6];
  gint running = 0, max_running = 0;

  js_join_set_set_max_concurrent (set, 2);
  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      ops[i] = op_new_argv (argv);
      ops[i]->running = &running;
      ops[i]->max_running = &max_running;
      js_join_set_spawn_async (set, wait_start_tagged, wait_finish, ops[i], op_destroyed);
    }

  tasks = js_test_join_all (set);
  g_assert_cmpuint (tasks->len, ==, G_N_ELEMENTS (ops));
  g_assert_cmpint (max_running, ==, 2);
  g_assert_cmpint (running, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      g_assert_true (js_task_propagate_boolean (g_ptr_array_index (tasks, i), NULL));
    }
  g_clear_pointer (&tasks, g_ptr_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      g_assert_true (ops[i]->destroyed);
      op_free (ops[i]);
    }
}

/* Started, then aborted in flight: the task joins G_IO_ERROR_CANCELLED at
 * once, the operation's cancellable is cancelled, and its late callback
 * is handled. */
static void
test_abort_in_flight (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  const char *argv[] = { "sleep", "30", NULL };
  g_autoptr(JsTask) task = NULL;
  Op *op = op_new_argv (argv);
  guint64 id;

  id = js_join_set_spawn_async (set, wait_start_tagged, wait_finish, op, op_destroyed);
  while (op->n_started == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (js_join_set_get_n_running (set), ==, 1);

  g_assert_true (js_join_set_abort (set, id));
  task = js_join_set_try_join_next (set);
  g_assert_nonnull (task);                  /* at once: no iteration */
  g_assert_cmpuint (js_task_get_id (task), ==, id);
  js_test_assert_cancelled (task);
  g_assert_false (op->destroyed);           /* the operation still holds it */
  g_assert_cmpint (op->n_finished, ==, 0);

  js_test_iterate_until (NULL, &op->destroyed);
  g_assert_cmpint (op->n_finished, ==, 1);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 0);
  op_free (op);
}

static void
test_timeout (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  const char *argv[] = { "sleep", "30", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsTask) task = NULL;
  Op *op = op_new_argv (argv);

  js_join_set_set_timeout (set, 50);
  js_join_set_spawn_async (set, wait_start_tagged, wait_finish, op, op_destroyed);

  task = js_test_join_next (set, &error);
  g_assert_no_error (error);
  g_assert_false (js_task_propagate_boolean (task, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

  js_test_iterate_until (NULL, &op->destroyed);
  g_assert_cmpint (op->n_finished, ==, 1);
  op_free (op);
}

/* Dropping the set while the operation is pending cancels it; the late
 * callback finds everything it needs. */
static void
test_dispose_pending (void)
{
  JsJoinSet *set = js_join_set_new ();
  const char *argv[] = { "sleep", "30", NULL };
  Op *op = op_new_argv (argv);
  Op *queued = op_new_argv (argv);

  js_join_set_set_max_concurrent (set, 1);
  js_join_set_spawn_async (set, wait_start_tagged, wait_finish, op, op_destroyed);
  js_join_set_spawn_async (set, wait_start_tagged, wait_finish, queued, op_destroyed);
  while (op->n_started == 0)
    g_main_context_iteration (NULL, TRUE);

  g_object_unref (set);

  /* The queued one never started: its data goes with the set. */
  g_assert_true (queued->destroyed);
  g_assert_cmpint (queued->n_started, ==, 0);

  js_test_iterate_until (NULL, &op->destroyed);
  g_assert_cmpint (op->n_finished, ==, 1);
  op_free (op);
  op_free (queued);
}

/* Spawning on a closed set (its parent cancellable cancelled) returns 0
 * and releases the data at once. */
static void
test_closed (void)
{
  g_autoptr(GCancellable) parent = g_cancellable_new ();
  g_autoptr(JsJoinSet) set = js_join_set_new_with_cancellable (parent);
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent");
  Op *op = op_new_file (file);

  g_cancellable_cancel (parent);
  g_assert_cmpuint (js_join_set_spawn_async (set, load_start, load_finish, op,
                                             op_destroyed), ==, 0);
  g_assert_true (op->destroyed);
  g_assert_cmpint (op->n_started, ==, 0);
  op_free (op);
}

static gboolean
broken_finish (GObject       *source_object,
               GAsyncResult  *result,
               GValue        *value,
               GError       **error)
{
  g_bytes_unref (g_file_load_bytes_finish (G_FILE (source_object), result,
                                           NULL, NULL));
  return FALSE;
}

/* A finish function that fails without an error is a programming error:
 * a critical, and the task still fails rather than hangs. */
static void
test_finish_without_error (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GFile) file = temp_file_with ("x");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsTask) task = NULL;
  Op *op = op_new_file (file);

  js_join_set_spawn_async (set, load_start, broken_finish, op, op_destroyed);
  js_test_expect_begin ("*returned FALSE without setting an error*");
  task = js_test_join_next (set, &error);
  g_assert_cmpuint (js_test_expect_end (), ==, 1);
  g_assert_no_error (error);
  g_assert_false (js_task_propagate_boolean (task, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_object (&task);
  g_assert_true (op->destroyed);

  g_file_delete (file, NULL, NULL);
  op_free (op);
}

static void
test_arguments (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent");
  Op *op = op_new_file (file);

  js_test_expect_begin ("*start != NULL*");
  g_assert_cmpuint (js_join_set_spawn_async (set, NULL, load_finish, op, op_destroyed), ==, 0);
  g_assert_cmpuint (js_test_expect_end (), ==, 1);
  g_assert_true (op->destroyed);

  op->destroyed = FALSE;
  js_test_expect_begin ("*finish != NULL*");
  g_assert_cmpuint (js_join_set_spawn_async (set, load_start, NULL, op, op_destroyed), ==, 0);
  g_assert_cmpuint (js_test_expect_end (), ==, 1);
  g_assert_true (op->destroyed);

  op->destroyed = FALSE;
  js_test_expect_begin ("*JS_IS_JOIN_SET*");
  g_assert_cmpuint (js_join_set_spawn_async (NULL, load_start, load_finish, op, op_destroyed), ==, 0);
  g_assert_cmpuint (js_test_expect_end (), ==, 1);
  g_assert_true (op->destroyed);
  op_free (op);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  js_test_expect_install ();

  g_test_add_func ("/spawn-async/file-load", test_file_load);
  g_test_add_func ("/spawn-async/file-load-error", test_file_load_error);
  g_test_add_func ("/spawn-async/gsubprocess-wait", test_subprocess);
  g_test_add_func ("/spawn-async/max-concurrent", test_max_concurrent);
  g_test_add_func ("/spawn-async/abort-in-flight", test_abort_in_flight);
  g_test_add_func ("/spawn-async/timeout", test_timeout);
  g_test_add_func ("/spawn-async/dispose-pending", test_dispose_pending);
  g_test_add_func ("/spawn-async/closed", test_closed);
  g_test_add_func ("/spawn-async/finish-without-error", test_finish_without_error);
  g_test_add_func ("/spawn-async/arguments", test_arguments);

  return g_test_run ();
}
