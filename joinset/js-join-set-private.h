/* js-join-set-private.h: the scheduler behind a JsJoinSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "js-join-set.h"
#include "js-task-private.h"

G_BEGIN_DECLS

/* The state of a join set that its tasks share. A JsJoinSet owns one
 * reference; every task, every pool item draining it and the thread-pool
 * watchdog own one too. Tasks never reference the JsJoinSet itself, so a
 * running task never keeps the set alive. */
JsCore *_js_core_ref              (JsCore   *core);
void    _js_core_unref            (JsCore   *core);

/* Runs thread tasks of @core until its run queue is empty. Called by the
 * shared thread pool, one call per drainer the core asked for. */
void    _js_runner_drain            (JsCore   *core);

/* Called by the pool's watchdog every tick while @core is watched.
 * Returns FALSE when the core no longer needs watching. */
gboolean _js_runner_check_stalled   (JsCore   *core);

/* The producer returned @result (ownership transferred). */
void    _js_core_task_return      (JsTask   *task,
                                   JsResult *result);

/* The last reference to @task was dropped (JsTask.dispose). */
void    _js_core_task_dispose     (JsTask   *task);

/* The producer reported progress (js_task_set_progress()). */
void    _js_core_task_set_progress (JsTask  *task,
                                    double   fraction);

/* Lock helpers for JsTask fields guarded by the core. */
void    _js_core_lock             (JsCore   *core);
void    _js_core_unlock           (JsCore   *core);

G_END_DECLS
