/* js-pool-private.h: the thread pool shared by every JsJoinSet
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Knows nothing of the scheduler: it runs "drainers" for clients, and a
 * client (a set's core) tells it through JsPoolClientFuncs what a drainer
 * does and whether it is stalled.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _JsPoolClient JsPoolClient;

typedef struct
{
  /* Runs on a worker thread: one call per drainer pushed. */
  void     (*drain)         (JsPoolClient *client);
  /* Called by the watchdog every tick while @client is watched. Returns
   * FALSE when it no longer needs watching. */
  gboolean (*check_stalled) (JsPoolClient *client);
  /* The pool holds a reference on a client while a drainer of it is queued
   * or running, and while it is watched. */
  void     (*ref)           (JsPoolClient *client);
  void     (*unref)         (JsPoolClient *client);
} JsPoolClientFuncs;

/* Embedded in the client's own structure. */
struct _JsPoolClient
{
  const JsPoolClientFuncs *funcs;
};

/* What a client asks of a pool, so that a test can stand in for it. */
typedef struct
{
  /* Queues one drainer for @client; it calls funcs->drain on a worker
   * thread. */
  void (*push_drainer) (JsPoolClient *client);
  /* Watches @client: while it has work waiting and makes no progress,
   * funcs->check_stalled is called every few milliseconds. */
  void (*watch)        (JsPoolClient *client);
} JsPoolOps;

/* The shared pool. */
extern const JsPoolOps _js_pool_ops;

/* How many drainers a client starts before the watchdog decides they are
 * blocked: the number of processors (at least 2). */
guint _js_pool_get_soft_cap (void);

/* How many drainers one client may have at most, blocked ones included. */
#define JS_POOL_MAX_DRAINERS 64

/* Whether all the pool's threads are busy while drainers wait for one, and
 * how many threads it may have: for the warning of a starved client. */
gboolean _js_pool_is_exhausted     (void);
guint    _js_pool_get_max_threads  (void);

G_END_DECLS
