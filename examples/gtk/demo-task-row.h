/* demo-task-row.h: one unfinished task of the GTK 4 demo's list
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <joinset/joinset.h>

G_BEGIN_DECLS

#define DEMO_TYPE_TASK_ROW (demo_task_row_get_type ())

G_DECLARE_FINAL_TYPE (DemoTaskRow, demo_task_row, DEMO, TASK_ROW, GObject)

DemoTaskRow *demo_task_row_new          (JsTask      *task,
                                         gboolean     has_size,
                                         guint64      size);
JsTask      *demo_task_row_get_task     (DemoTaskRow *self);
double       demo_task_row_get_progress (DemoTaskRow *self);

G_END_DECLS
