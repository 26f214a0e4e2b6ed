/* js-task-list-private.h: the live list model of a set's tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "js-core-private.h"

G_BEGIN_DECLS

#define JS_TYPE_TASK_LIST (js_task_list_get_type ())

G_DECLARE_FINAL_TYPE (JsTaskList, js_task_list, JS, TASK_LIST, GObject)

JsTaskList *_js_task_list_new   (JsCore     *core);
void        _js_task_list_apply (JsTaskList *self,
                                 GArray     *events);
void        _js_task_list_clear (JsTaskList *self);

G_END_DECLS
