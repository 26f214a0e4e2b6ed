/* demo-window.h: the GTK 4 demo's window, hashing a folder with a JsJoinSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <joinset/joinset.h>

G_BEGIN_DECLS

/* Command-line options the window follows. */
typedef struct
{
  guint     max_concurrent;   /* initial max-concurrent */
  gboolean  slow;             /* small chunks and a delay per chunk */
  gboolean  exit_when_done;   /* close the window once every file is hashed */
  gboolean  print_checksums;  /* print "SHA256  NAME" for each file hashed */
} DemoOptions;

/* What happened to every task the window spawned, over all its sets: each
 * task is counted exactly once, either by the set's task-finished signal or
 * as unfinished when its set was dropped. */
typedef struct
{
  guint64  n_spawned;         /* listings included */
  guint64  n_succeeded;
  guint64  n_failed;
  guint64  n_aborted;         /* joined with G_IO_ERROR_CANCELLED */
  guint64  n_dropped;         /* not reported by task-finished when their set
                               * was dropped: aborted by the drop, or finished
                               * just before, their signal still pending */
  guint    n_sets;
  int      n_sets_finalized;  /* atomic */
} DemoStats;

#define DEMO_TYPE_WINDOW (demo_window_get_type ())

G_DECLARE_FINAL_TYPE (DemoWindow, demo_window, DEMO, WINDOW, GtkApplicationWindow)

DemoWindow *demo_window_new             (GtkApplication     *application,
                                         const DemoOptions  *options,
                                         DemoStats          *stats);
void        demo_window_open_folder     (DemoWindow         *self,
                                         GFile              *folder);
JsJoinSet  *demo_window_get_join_set    (DemoWindow         *self);
guint       demo_window_get_n_rows      (DemoWindow         *self);
GtkSpinButton *demo_window_get_concurrency_spin (DemoWindow   *self);
gboolean    demo_window_save_screenshot (DemoWindow         *self,
                                         const char         *path,
                                         GError            **error);

G_END_DECLS
