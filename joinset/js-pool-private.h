/* js-pool-private.h: the thread pool shared by every JsJoinSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "js-join-set-private.h"

G_BEGIN_DECLS

/* How many drainers a set starts for its thread tasks before the watchdog
 * decides they are blocked: the number of processors (at least 2). */
guint _js_pool_get_soft_cap (void);

/* How many drainers one set may have at most, blocked ones included. */
#define JS_POOL_MAX_DRAINERS 64

/* Queues one drainer for @core on the shared pool; it calls
 * _js_runner_drain() on a worker thread. */
void  _js_pool_push_drainer (JsCore *core);

/* Watches @core: while it has thread tasks waiting and makes no progress,
 * one more drainer is started every few milliseconds. */
void  _js_pool_watch        (JsCore *core);

/* The context of the thread where task timeouts fire, started on first
 * use. */
GMainContext *_js_pool_get_timer_context (void);

G_END_DECLS
