/* main.c: the GTK 4 demo of libjoinset
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: joinset-gtk-demo [OPTION…] [FOLDER]
 *
 * Hashes (SHA-256) every file under FOLDER with a JsJoinSet, showing the
 * set's counters, each unfinished task's progress, a spin button bound to
 * max-concurrent and a "Cancel all" button. Without FOLDER: the source
 * tree it was built from, or else your home folder.
 *
 * Closing the window drops the set, which aborts every task it still has.
 * On exit the demo waits (at most 5 s) until no task function runs any
 * more, then prints a one-line summary that accounts for every task it
 * spawned, and exits with status 1 if a task function or its user_data
 * outlived the set.
 *
 * For tests and screenshots: --screenshot FILE [--after MS] renders the
 * window into a PNG after MS milliseconds, prints the set's counters and
 * closes the window; --close-after MS, --cancel-after MS and --spin-after
 * MS do what a user would; --exit-when-done closes the window once every
 * task finished.
 */

#include "config.h"

#include <gtk/gtk.h>
#include <joinset/joinset.h>

#include "demo-job.h"
#include "demo-window.h"

/* How long the summary waits for the task functions of dropped sets. */
#define STOP_TIMEOUT_MS 5000

static DemoOptions options = {
  .max_concurrent = 4,
};
static DemoStats stats;

static char *screenshot_path;
static int screenshot_after_ms = 1500;
static int close_after_ms = -1;
static int cancel_after_ms = -1;
static int spin_after_ms = -1;
static int spin_value = 1;
static int max_concurrent = -1;
static gboolean screenshot_failed;

static const GOptionEntry entries[] = {
  { "max-concurrent", 'j', 0, G_OPTION_ARG_INT, &max_concurrent,
    "Hash at most N files at once (0: no limit; default 4)", "N" },
  { "slow", 0, 0, G_OPTION_ARG_NONE, &options.slow,
    "Read small chunks, with a delay after each, so progress can be seen", NULL },
  { "print-checksums", 0, 0, G_OPTION_ARG_NONE, &options.print_checksums,
    "Print the SHA-256 of each file hashed, like sha256sum", NULL },
  { "exit-when-done", 0, 0, G_OPTION_ARG_NONE, &options.exit_when_done,
    "Close the window once every task finished", NULL },
  { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, &screenshot_path,
    "Render the window into the PNG FILE, print the counters and close", "FILE" },
  { "after", 0, 0, G_OPTION_ARG_INT, &screenshot_after_ms,
    "Take the screenshot MS milliseconds after the window is shown (default 1500)", "MS" },
  { "close-after", 0, 0, G_OPTION_ARG_INT, &close_after_ms,
    "Close the window MS milliseconds after it is shown", "MS" },
  { "cancel-after", 0, 0, G_OPTION_ARG_INT, &cancel_after_ms,
    "Click \"Cancel All\" MS milliseconds after the window is shown", "MS" },
  { "spin", 0, 0, G_OPTION_ARG_INT, &spin_value,
    "With --spin-after: the value to give \"Tasks at once\" (default 1)", "N" },
  { "spin-after", 0, 0, G_OPTION_ARG_INT, &spin_after_ms,
    "Set \"Tasks at once\" to --spin's value MS milliseconds after the window is shown", "MS" },
  G_OPTION_ENTRY_NULL
};

/* The set's counters, the rows left, and both ends of the max-concurrent
 * binding. */
static void
print_counters (const char *what,
                DemoWindow *window)
{
  JsJoinSet *set = demo_window_get_join_set (window);
  GtkSpinButton *spin = demo_window_get_concurrency_spin (window);

  g_print ("%s: %u queued, %u running, %" G_GUINT64_FORMAT " finished, %"
           G_GUINT64_FORMAT " spawned, %u rows, max-concurrent %u, spin %d\n",
           what,
           js_join_set_get_n_queued (set),
           js_join_set_get_n_running (set),
           js_join_set_get_n_finished (set),
           js_join_set_get_n_spawned (set),
           demo_window_get_n_rows (window),
           js_join_set_get_max_concurrent (set),
           gtk_spin_button_get_value_as_int (spin));
}

static void add_window_timeout (DemoWindow  *window,
                                int          after_ms,
                                void       (*func) (DemoWindow *window));

/* A loaded X server may not have drawn the window yet when the timeout
 * fires: try again every 100 ms, for up to 5 s more. */
#define SCREENSHOT_RETRIES 50

static void
take_screenshot (DemoWindow *window)
{
  static guint attempts = 0;
  g_autoptr(GError) error = NULL;

  if (!demo_window_save_screenshot (window, screenshot_path, &error))
    {
      if (++attempts <= SCREENSHOT_RETRIES)
        {
          add_window_timeout (window, 100, take_screenshot);
          return;
        }
      g_printerr ("Screenshot: %s\n", error->message);
      screenshot_failed = TRUE;
    }
  else
    {
      print_counters ("screenshot", window);
    }

  gtk_window_close (GTK_WINDOW (window));
}

static void
close_window (DemoWindow *window)
{
  print_counters ("closing", window);
  gtk_window_close (GTK_WINDOW (window));
}

static void
click_cancel_all (DemoWindow *window)
{
  print_counters ("cancel all", window);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel-all", NULL);
}

static void
set_spin (DemoWindow *window)
{
  print_counters ("before spin", window);
  gtk_spin_button_set_value (demo_window_get_concurrency_spin (window), spin_value);
  print_counters ("after spin", window);
}

/* A scripted action, MS milliseconds after the window is shown, unless
 * the window is gone by then. */
typedef struct
{
  GWeakRef   window;
  void     (*func) (DemoWindow *window);
} WindowTimeout;

static gboolean
window_timeout_fire (gpointer data)
{
  WindowTimeout *timeout = data;
  g_autoptr(DemoWindow) window = g_weak_ref_get (&timeout->window);

  if (window != NULL)
    timeout->func (window);

  return G_SOURCE_REMOVE;
}

static void
window_timeout_free (gpointer data)
{
  WindowTimeout *timeout = data;

  g_weak_ref_clear (&timeout->window);
  g_free (timeout);
}

static void
add_window_timeout (DemoWindow *window,
                    int         after_ms,
                    void      (*func) (DemoWindow *window))
{
  WindowTimeout *timeout;

  if (after_ms < 0)
    return;

  timeout = g_new0 (WindowTimeout, 1);
  g_weak_ref_init (&timeout->window, window);
  timeout->func = func;
  g_timeout_add_full (G_PRIORITY_DEFAULT, after_ms, window_timeout_fire, timeout, window_timeout_free);
}

static void
show_window (GtkApplication *app,
             GFile          *folder)
{
  DemoWindow *window = demo_window_new (app, &options, &stats);

  demo_window_open_folder (window, folder);
  gtk_window_present (GTK_WINDOW (window));

  if (screenshot_path != NULL)
    add_window_timeout (window, screenshot_after_ms, take_screenshot);
  add_window_timeout (window, close_after_ms, close_window);
  add_window_timeout (window, cancel_after_ms, click_cancel_all);
  add_window_timeout (window, spin_after_ms, set_spin);
}

static void
on_activate (GtkApplication *app)
{
  g_autoptr(GFile) folder = NULL;

  if (g_file_test (JS_SOURCE_DIR, G_FILE_TEST_IS_DIR))
    folder = g_file_new_for_path (JS_SOURCE_DIR);
  else
    folder = g_file_new_for_path (g_get_home_dir ());

  show_window (app, folder);
}

static void
on_open (GtkApplication  *app,
         GFile          **files,
         int              n_files,
         const char      *hint)
{
  show_window (app, files[0]);
}

static int
on_handle_local_options (GApplication *app,
                         GVariantDict *dict)
{
  if (max_concurrent < -1)
    {
      g_printerr ("--max-concurrent must be 0 (no limit) or more\n");
      return 2;
    }
  if (max_concurrent >= 0)
    options.max_concurrent = max_concurrent;

  return -1;
}

/* Waits until the task functions of the dropped sets returned and their
 * user_data was freed, then accounts for every task. Returns the exit
 * status: 1 if something outlived its set. */
static int
print_summary (void)
{
  g_autoptr(GTimer) timer = g_timer_new ();
  guint64 n_finished = stats.n_succeeded + stats.n_failed + stats.n_aborted;
  guint n_running;
  guint n_alive;
  double waited_ms;

  while ((demo_job_get_n_running () > 0 || demo_job_get_n_alive () > 0) &&
         g_timer_elapsed (timer, NULL) * 1000 < STOP_TIMEOUT_MS)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (G_TIME_SPAN_MILLISECOND);
    }
  waited_ms = g_timer_elapsed (timer, NULL) * 1000;
  n_running = demo_job_get_n_running ();
  n_alive = demo_job_get_n_alive ();

  g_print ("summary: %" G_GUINT64_FORMAT " tasks spawned: %" G_GUINT64_FORMAT " finished (%"
           G_GUINT64_FORMAT " succeeded, %" G_GUINT64_FORMAT " failed, %" G_GUINT64_FORMAT
           " aborted), %" G_GUINT64_FORMAT " dropped with their set unreported; "
           "%u of %u sets finalized; task functions: %u completed, %u stopped when cancelled, "
           "%u never called, %u still running (waited %.0f ms); %u of %" G_GUINT64_FORMAT
           " user_data freed\n",
           stats.n_spawned, n_finished, stats.n_succeeded, stats.n_failed, stats.n_aborted,
           stats.n_dropped,
           (guint) g_atomic_int_get (&stats.n_sets_finalized), stats.n_sets,
           demo_job_get_n_completed (), demo_job_get_n_stopped (), demo_job_get_n_never_ran (),
           n_running, waited_ms,
           demo_job_get_n_freed (), stats.n_spawned);

  if (n_running > 0 || n_alive > 0 ||
      (guint) g_atomic_int_get (&stats.n_sets_finalized) != stats.n_sets ||
      n_finished + stats.n_dropped != stats.n_spawned ||
      demo_job_get_n_freed () != stats.n_spawned)
    {
      g_printerr ("Some tasks outlived their set\n");
      return 1;
    }

  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = NULL;
  int status;

  app = gtk_application_new ("org.libjoinset.Demo",
                             G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_application_add_main_option_entries (G_APPLICATION (app), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (app), "[FOLDER]");
  g_application_set_option_context_summary (G_APPLICATION (app),
                                            "Hash every file under FOLDER with a JsJoinSet.");
  g_signal_connect (app, "handle-local-options", G_CALLBACK (on_handle_local_options), NULL);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  g_signal_connect (app, "open", G_CALLBACK (on_open), NULL);

  status = g_application_run (G_APPLICATION (app), argc, argv);
  g_clear_object (&app);

  /* Not after --help. */
  if (status == 0 && stats.n_sets > 0)
    status = print_summary ();
  if (status == 0 && screenshot_failed)
    status = 1;

  g_free (screenshot_path);

  return status;
}
