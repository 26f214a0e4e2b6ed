/* demo-task-row.h: one unfinished task of the GTK 4 demo's list
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define DEMO_TYPE_TASK_ROW (demo_task_row_get_type ())

G_DECLARE_FINAL_TYPE (DemoTaskRow, demo_task_row, DEMO, TASK_ROW, GObject)

DemoTaskRow *demo_task_row_new          (guint64      id,
                                         const char  *name,
                                         guint64      size);
guint64      demo_task_row_get_id       (DemoTaskRow *self);
const char  *demo_task_row_get_name     (DemoTaskRow *self);
double       demo_task_row_get_progress (DemoTaskRow *self);
void         demo_task_row_set_progress (DemoTaskRow *self,
                                         double       progress);

G_END_DECLS
