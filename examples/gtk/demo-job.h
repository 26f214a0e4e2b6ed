/* demo-job.h: the GTK 4 demo's task functions, run on the thread pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <joinset/joinset.h>

G_BEGIN_DECLS

/* The user_data of one task: a folder to list or a file to hash. */
typedef struct
{
  char    *path;
  guint64  size;        /* bytes, for the progress fraction */
  gsize    chunk_size;  /* bytes read between two progress reports */
  guint    delay_ms;    /* artificial delay per chunk (--slow), 0: none */
  gboolean ran;         /* its task function was called */
} DemoJob;

/* One entry of the list demo_job_list_folder() returns. */
typedef struct
{
  char    *path;
  char    *name;        /* relative to the listed folder */
  guint64  size;
} DemoFile;

DemoJob *demo_job_new               (const char   *path,
                                     guint64       size,
                                     gboolean      slow);
void     demo_job_free              (gpointer      job);

void     demo_job_list_folder       (JsTask       *task,
                                     gpointer      user_data);
void     demo_job_hash_file         (JsTask       *task,
                                     gpointer      user_data);

guint    demo_job_get_n_alive       (void);
guint    demo_job_get_n_freed       (void);
guint    demo_job_get_n_running     (void);
guint    demo_job_get_n_completed   (void);
guint    demo_job_get_n_stopped     (void);
guint    demo_job_get_n_never_ran   (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DemoJob, demo_job_free)

G_END_DECLS
