/* demo-window.c: the GTK 4 demo's window, hashing a folder with a JsJoinSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * DemoWindow:
 *
 * Owns one JsJoinSet at a time, for the folder it shows. A listing task
 * finds the files, then one task per file hashes it on the thread pool.
 * The window follows the set through its properties and signals alone,
 * and never joins:
 *
 * - the overall progress bar and the counters label follow n-queued,
 *   n-running, n-finished and n-spawned (notify handlers);
 * - the spin button is bound both ways to max-concurrent;
 * - the list is the set's own list model of its tasks
 *   (js_join_set_get_tasks()), mapped to rows that add the file's size:
 *   a task's row follows its name, state and progress, and leaves when
 *   the task finishes (the set discards finished tasks: discard-results);
 * - task-finished hands over each result;
 * - "Cancel all" calls js_join_set_abort_all();
 * - opening another folder, or closing the window, drops the set, which
 *   aborts every task it still has.
 */

#include "config.h"

#include "demo-job.h"
#include "demo-task-row.h"
#include "demo-window.h"

struct _DemoWindow
{
  GtkApplicationWindow  parent_instance;

  /* Template children */
  GtkLabel             *title_label;
  GtkLabel             *subtitle_label;
  GtkProgressBar       *overall_bar;
  GtkLabel             *counters_label;
  GtkSpinButton        *concurrency_spin;
  GtkColumnView        *column_view;
  GtkLabel             *last_label;

  const DemoOptions    *options;
  DemoStats            *stats;

  /* The current set, and what the window keeps about it. */
  JsJoinSet            *set;
  GBinding             *concurrency_binding;
  GFile                *folder;
  GtkMapListModel      *rows;          /* DemoTaskRow for each task of the
                                        * set's list model, in spawn order */
  GHashTable           *sizes;         /* guint64 id → guint64 size of the
                                        * file of an unfinished hash task */
  guint64               listing_id;
  guint64               n_spawned;     /* by this set */
  guint64               n_finished;    /* ... seen through task-finished */
  guint64               n_hashed;      /* files of this set, by outcome */
  guint64               n_hash_failed;
  guint64               n_hash_aborted;
  guint                 listed : 1;
};

G_DEFINE_FINAL_TYPE (DemoWindow, demo_window, GTK_TYPE_APPLICATION_WINDOW)

static void
on_set_finalized (gpointer  user_data,
                  GObject  *where_the_set_was)
{
  DemoStats *stats = user_data;

  g_atomic_int_inc (&stats->n_sets_finalized);
}

/* Drops the current set: every task it has not finished is aborted by its
 * dispose (queued ones never run, running ones are cancelled). The window
 * disconnects first, so what the set still does cannot reach it; a task
 * that finished but whose task-finished is still pending is dropped
 * unreported, with its result. */
static void
drop_set (DemoWindow *self)
{
  if (self->set == NULL)
    return;

  self->stats->n_dropped += self->n_spawned - self->n_finished;

  g_signal_handlers_disconnect_by_data (self->set, self);
  g_clear_pointer (&self->concurrency_binding, g_binding_unbind);
  gtk_map_list_model_set_model (self->rows, NULL);
  g_clear_object (&self->set);

  g_hash_table_remove_all (self->sizes);
  self->listing_id = 0;
  self->n_spawned = 0;
  self->n_finished = 0;
  self->n_hashed = 0;
  self->n_hash_failed = 0;
  self->n_hash_aborted = 0;
  self->listed = FALSE;
}

static void
demo_window_dispose (GObject *object)
{
  DemoWindow *self = DEMO_WINDOW (object);

  drop_set (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), DEMO_TYPE_WINDOW);

  G_OBJECT_CLASS (demo_window_parent_class)->dispose (object);
}

static void
demo_window_finalize (GObject *object)
{
  DemoWindow *self = DEMO_WINDOW (object);

  g_clear_object (&self->folder);
  g_clear_object (&self->rows);
  g_clear_pointer (&self->sizes, g_hash_table_unref);

  G_OBJECT_CLASS (demo_window_parent_class)->finalize (object);
}

static void
cancel_all_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  DemoWindow *self = user_data;

  if (self->set != NULL)
    js_join_set_abort_all (self->set);
}

/* The spin button shows max-concurrent; 0 means no limit. */
static gboolean
on_concurrency_output (GtkSpinButton *spin,
                       gpointer       user_data)
{
  int value = (int) gtk_adjustment_get_value (gtk_spin_button_get_adjustment (spin));
  g_autofree char *text = NULL;

  text = value == 0 ? g_strdup ("∞") : g_strdup_printf ("%d", value);
  if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (spin))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);

  return TRUE;
}

static int
on_concurrency_input (GtkSpinButton *spin,
                      double        *new_value,
                      gpointer       user_data)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  guint64 value;

  if (g_str_equal (text, "∞"))
    value = 0;
  else if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT, &value, NULL))
    return GTK_INPUT_ERROR;

  *new_value = value;
  return TRUE;
}

static void
demo_window_class_init (DemoWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = demo_window_dispose;
  object_class->finalize = demo_window_finalize;

  /* The list item factories of the template name the row type. */
  g_type_ensure (DEMO_TYPE_TASK_ROW);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/libjoinset/Demo/demo-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DemoWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, DemoWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, DemoWindow, overall_bar);
  gtk_widget_class_bind_template_child (widget_class, DemoWindow, counters_label);
  gtk_widget_class_bind_template_child (widget_class, DemoWindow, concurrency_spin);
  gtk_widget_class_bind_template_child (widget_class, DemoWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, DemoWindow, last_label);
  gtk_widget_class_bind_template_callback (widget_class, on_concurrency_output);
  gtk_widget_class_bind_template_callback (widget_class, on_concurrency_input);
}

static void
on_open_folder_response (GtkNativeDialog *dialog,
                         int              response,
                         gpointer         user_data)
{
  DemoWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (folder != NULL)
        demo_window_open_folder (self, folder);
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
open_folder_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  DemoWindow *self = user_data;
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new ("Hash the Files of a Folder",
                                        GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                        "_Hash", "_Cancel");
  if (self->folder != NULL)
    gtk_file_chooser_set_file (GTK_FILE_CHOOSER (dialog), self->folder, NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_folder_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* The row of a task of the set's model: the window adds the size of the
 * task's file, which it knows from the listing. */
static gpointer
map_task_to_row (gpointer item,
                 gpointer user_data)
{
  g_autoptr(JsTask) task = item;
  DemoWindow *self = user_data;
  guint64 id = js_task_get_id (task);
  guint64 *size = g_hash_table_lookup (self->sizes, &id);

  return demo_task_row_new (task, size != NULL, size != NULL ? *size : 0);
}

static void
demo_window_init (DemoWindow *self)
{
  static const GActionEntry actions[] = {
    { .name = "open-folder", .activate = open_folder_activated },
    { .name = "cancel-all", .activate = cancel_all_activated },
  };

  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = gtk_map_list_model_new (NULL, map_task_to_row, self, NULL);
  self->sizes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  gtk_column_view_set_model (self->column_view,
                             GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->rows)))));

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
}

DemoWindow *
demo_window_new (GtkApplication    *application,
                 const DemoOptions *options,
                 DemoStats         *stats)
{
  DemoWindow *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (stats != NULL, NULL);

  self = g_object_new (DEMO_TYPE_WINDOW, "application", application, NULL);
  self->options = options;
  self->stats = stats;
  gtk_spin_button_set_value (self->concurrency_spin, options->max_concurrent);

  return self;
}

/* The set's counters, read at once (the notifies are coalesced). */
static void
update_counters (DemoWindow *self)
{
  guint n_queued = js_join_set_get_n_queued (self->set);
  guint n_running = js_join_set_get_n_running (self->set);
  guint64 n_finished = js_join_set_get_n_finished (self->set);
  guint64 n_spawned = js_join_set_get_n_spawned (self->set);
  g_autofree char *counters = NULL;
  g_autofree char *progress = NULL;

  counters = g_strdup_printf ("%u queued · %u running · %" G_GUINT64_FORMAT " finished",
                              n_queued, n_running, n_finished);
  gtk_label_set_label (self->counters_label, counters);

  /* n-finished counts aborted tasks too: say how many, from what
   * task-finished told. */
  if (self->n_hash_aborted > 0)
    progress = g_strdup_printf ("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " tasks finished, %"
                                G_GUINT64_FORMAT " aborted",
                                n_finished, n_spawned, self->n_hash_aborted);
  else
    progress = g_strdup_printf ("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " tasks finished",
                                n_finished, n_spawned);
  gtk_progress_bar_set_text (self->overall_bar, progress);
  gtk_progress_bar_set_fraction (self->overall_bar,
                                 n_spawned > 0 ? (double) n_finished / n_spawned : 0.0);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "cancel-all")),
                               n_queued + n_running > 0);
}

static void
on_counter_notify (JsJoinSet  *set,
                   GParamSpec *pspec,
                   DemoWindow *self)
{
  update_counters (self);
}

static void
close_window (gpointer user_data)
{
  g_autoptr(GtkWindow) window = user_data;

  gtk_window_close (window);
}

static void
check_done (DemoWindow *self)
{
  g_autofree char *text = NULL;

  if (!self->listed || self->n_finished < self->n_spawned)
    return;

  text = g_strdup_printf ("Done: %" G_GUINT64_FORMAT " files hashed, %" G_GUINT64_FORMAT " failed, %"
                          G_GUINT64_FORMAT " aborted",
                          self->n_hashed, self->n_hash_failed, self->n_hash_aborted);
  gtk_label_set_label (self->last_label, text);

  /* Not from inside the set's signal: closing drops the set. */
  if (self->options->exit_when_done)
    g_idle_add_once (close_window, g_object_ref (self));
}

/* The tasks enter the set's list model, and so the list, by themselves:
 * the window only remembers the size of each file for its row. */
static void
spawn_hashes (DemoWindow *self,
              GPtrArray  *files)
{
  for (guint i = 0; i < files->len; i++)
    {
      const DemoFile *file = g_ptr_array_index (files, i);
      guint64 id;

      id = js_join_set_spawn_full (self->set, JS_SPAWN_IN_THREAD, file->name, 0,
                                   demo_job_hash_file,
                                   demo_job_new (file->path, file->size, self->options->slow),
                                   demo_job_free);
      if (id != 0)
        g_hash_table_insert (self->sizes, g_memdup2 (&id, sizeof id),
                             g_memdup2 (&file->size, sizeof file->size));
    }

  self->n_spawned += files->len;
  self->stats->n_spawned += files->len;
}

/* Emitted once per task (for the tasks spawned while it is connected),
 * in the main context. The set discards the task after the signal, so
 * this is where its result is taken. */
static void
on_task_finished (JsJoinSet  *set,
                  JsTask     *task,
                  DemoWindow *self)
{
  guint64 id = js_task_get_id (task);
  g_autoptr(GError) error = NULL;
  gpointer result;

  self->n_finished++;

  result = js_task_propagate_pointer (task, &error);
  if (error == NULL)
    self->stats->n_succeeded++;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->stats->n_aborted++;
  else
    self->stats->n_failed++;

  if (id == self->listing_id)
    {
      g_autoptr(GPtrArray) files = result;

      self->listed = TRUE;
      if (files != NULL)
        spawn_hashes (self, files);
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_label (self->last_label, error->message);
    }
  else
    {
      g_autofree char *checksum = result;
      g_autofree char *text = NULL;
      const char *name = js_task_get_name (task);

      /* Its row leaves by itself: the set's model drops finished tasks
       * of a set that discards results. */
      if (!g_hash_table_remove (self->sizes, &id))
        g_return_if_reached ();

      if (checksum != NULL)
        self->n_hashed++;
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        self->n_hash_aborted++;
      else
        self->n_hash_failed++;

      if (checksum != NULL)
        {
          text = g_strdup_printf ("%.16s…  %s", checksum, name);
          if (self->options->print_checksums)
            g_print ("%s  %s\n", checksum, name);
        }
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          text = g_strdup_printf ("%s: %s", name, error->message);
        }

      if (text != NULL)
        gtk_label_set_label (self->last_label, text);
    }

  update_counters (self);
  check_done (self);
}

/**
 * demo_window_open_folder:
 *
 * Drops the current set (aborting what it still runs) and hashes the
 * files of @folder with a new one.
 */
void
demo_window_open_folder (DemoWindow *self,
                         GFile      *folder)
{
  g_autofree char *path = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *title = NULL;

  g_return_if_fail (DEMO_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (folder));

  drop_set (self);
  g_set_object (&self->folder, folder);

  path = g_file_get_path (folder);
  basename = g_file_get_basename (folder);
  title = g_strdup_printf ("Hashing %s", basename);
  gtk_label_set_label (self->title_label, title);
  gtk_label_set_label (self->subtitle_label, path);
  gtk_label_set_label (self->last_label, "Listing files…");

  /* Finished tasks are freed at once: their results are taken in
   * task-finished, and a long-lived set does not grow. */
  self->set = g_object_new (JS_TYPE_JOIN_SET,
                            "discard-results", TRUE,
                            "max-concurrent", (guint) gtk_spin_button_get_value_as_int (self->concurrency_spin),
                            NULL);
  self->stats->n_sets++;
  g_object_weak_ref (G_OBJECT (self->set), on_set_finalized, self->stats);

  self->concurrency_binding =
    g_object_bind_property (self->set, "max-concurrent",
                            self->concurrency_spin, "value",
                            G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  g_signal_connect (self->set, "notify::n-queued", G_CALLBACK (on_counter_notify), self);
  g_signal_connect (self->set, "notify::n-running", G_CALLBACK (on_counter_notify), self);
  g_signal_connect (self->set, "notify::n-finished", G_CALLBACK (on_counter_notify), self);
  g_signal_connect (self->set, "notify::n-spawned", G_CALLBACK (on_counter_notify), self);
  /* Before spawning: only tasks spawned while a handler is connected
   * emit task-finished. */
  g_signal_connect (self->set, "task-finished", G_CALLBACK (on_task_finished), self);

  /* The list shows the set's own model of its tasks. */
  {
    g_autoptr(GListModel) tasks = js_join_set_get_tasks (self->set);

    gtk_map_list_model_set_model (self->rows, tasks);
  }

  self->listing_id = js_join_set_spawn_full (self->set, JS_SPAWN_IN_THREAD, "List files", 0,
                                             demo_job_list_folder,
                                             demo_job_new (path, 0, FALSE),
                                             demo_job_free);
  self->n_spawned++;
  self->stats->n_spawned++;

  update_counters (self);
}

/**
 * demo_window_get_join_set:
 *
 * Returns: (transfer none) (nullable): the set of the current folder
 */
JsJoinSet *
demo_window_get_join_set (DemoWindow *self)
{
  g_return_val_if_fail (DEMO_IS_WINDOW (self), NULL);

  return self->set;
}

guint
demo_window_get_n_rows (DemoWindow *self)
{
  g_return_val_if_fail (DEMO_IS_WINDOW (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->rows));
}

/**
 * demo_window_get_concurrency_spin:
 *
 * Returns: (transfer none): the "Tasks at once" spin button, bound both
 *   ways to the set's max-concurrent
 */
GtkSpinButton *
demo_window_get_concurrency_spin (DemoWindow *self)
{
  g_return_val_if_fail (DEMO_IS_WINDOW (self), NULL);

  return self->concurrency_spin;
}

/**
 * demo_window_save_screenshot:
 *
 * Renders the window as it is now, with its own renderer, into a PNG.
 */
gboolean
demo_window_save_screenshot (DemoWindow  *self,
                             const char  *path,
                             GError     **error)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;

  g_return_val_if_fail (DEMO_IS_WINDOW (self), FALSE);

  renderer = gtk_native_get_renderer (GTK_NATIVE (self));
  if (renderer == NULL || width <= 0 || height <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                   "The window is not shown yet");
      return FALSE;
    }

  paintable = gtk_widget_paintable_new (GTK_WIDGET (self));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The window drew nothing");
      return FALSE;
    }

  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not write %s", path);
      return FALSE;
    }

  return TRUE;
}
