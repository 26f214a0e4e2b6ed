/* progress.c: what a window needs to show the progress of a set: its
 * counters for an overall bar, task-progress for a bar per task and
 * task-finished for the list of finished tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

#define N_CHUNKS 40

static const char *files[] = { "alpha.iso", "beta.iso", "gamma.iso", "delta.iso" };

/* What a GTK window would show, kept in plain variables so that the
 * program can print it: an overall bar, a status line, and one row per
 * task with its own bar. */
typedef struct
{
  double      overall;       /* the overall GtkProgressBar's fraction */
  char       *status;        /* a GtkLabel */
  GHashTable *row_fraction;  /* task name → its row's bar, as a double */
  GHashTable *row_done;      /* task name → TRUE once it finished */
} Window;

static void
download (JsTask   *task,
          gpointer  user_data)
{
  for (guint chunk = 1; chunk <= N_CHUNKS; chunk++)
    {
      g_usleep (100);                       /* receive a chunk */
      js_task_set_progress (task, (double) chunk / N_CHUNKS);
    }

  js_task_return_int (task, N_CHUNKS);
}

/* notify::progress: n-finished / n-spawned. A GTK program binds it
 * instead: g_object_bind_property (set, "progress", bar, "fraction",
 * G_BINDING_SYNC_CREATE). */
static void
on_progress_changed (JsJoinSet  *set,
                     GParamSpec *pspec,
                     Window     *window)
{
  window->overall = js_join_set_get_progress (set);
}

/* notify::n-finished and friends: in the set's main context, coalesced. */
static void
on_counters_changed (JsJoinSet  *set,
                     GParamSpec *pspec,
                     Window     *window)
{
  g_free (window->status);
  window->status = g_strdup_printf ("%u queued, %u running, %" G_GUINT64_FORMAT
                                    " of %" G_GUINT64_FORMAT " finished",
                                    js_join_set_get_n_queued (set),
                                    js_join_set_get_n_running (set),
                                    js_join_set_get_n_finished (set),
                                    js_join_set_get_n_spawned (set));
}

/* task-progress: the last fraction a running task reported. */
static void
on_task_progress (JsJoinSet *set,
                  JsTask    *task,
                  double     fraction,
                  Window    *window)
{
  double *row = g_hash_table_lookup (window->row_fraction, js_task_get_name (task));

  *row = fraction;
}

/* task-finished: each task once, whatever its outcome. */
static void
on_task_finished (JsJoinSet *set,
                  JsTask    *task,
                  Window    *window)
{
  g_hash_table_add (window->row_done, (gpointer) js_task_get_name (task));
}

int
main (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Window window = { 0 };
  double fractions[G_N_ELEMENTS (files)] = { 0 };
  JsTask *task;
  gssize n_chunks = 0;

  window.row_fraction = g_hash_table_new (g_str_hash, g_str_equal);
  window.row_done = g_hash_table_new (g_str_hash, g_str_equal);

  /* Connect before spawning: task-finished is emitted for the tasks
   * spawned while a handler is connected. */
  g_signal_connect (set, "notify::progress", G_CALLBACK (on_progress_changed), &window);
  g_signal_connect (set, "notify::n-spawned", G_CALLBACK (on_counters_changed), &window);
  g_signal_connect (set, "notify::n-finished", G_CALLBACK (on_counters_changed), &window);
  g_signal_connect (set, "notify::n-running", G_CALLBACK (on_counters_changed), &window);
  g_signal_connect (set, "task-progress", G_CALLBACK (on_task_progress), &window);
  g_signal_connect (set, "task-finished", G_CALLBACK (on_task_finished), &window);

  js_join_set_set_max_concurrent (set, 2);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_hash_table_insert (window.row_fraction, (gpointer) files[i], &fractions[i]);
      js_join_set_spawn_full (set, JS_SPAWN_IN_THREAD, files[i], 0,
                              download, NULL, NULL);
    }

  /* A GTK program runs its main loop; here the loop runs until the window
   * shows every task as finished. */
  while (window.overall < 1.0 ||
         g_hash_table_size (window.row_done) < G_N_ELEMENTS (files))
    g_main_context_iteration (NULL, TRUE);

  g_print ("Overall: %.0f%% (%s)\n", window.overall * 100, window.status);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    g_print ("  %s: %.0f%%%s\n", files[i], fractions[i] * 100,
             g_hash_table_contains (window.row_done, files[i]) ? ", finished" : "");

  /* The tasks are still in the set: the signals do not join them. */
  while ((task = js_join_set_join_next (set, NULL, NULL)) != NULL)
    {
      n_chunks += js_task_propagate_int (task, NULL);
      g_object_unref (task);
    }
  g_print ("Joined %" G_GSSIZE_FORMAT " chunks\n", n_chunks);

  g_hash_table_unref (window.row_fraction);
  g_hash_table_unref (window.row_done);
  g_free (window.status);

  return EXIT_SUCCESS;
}
