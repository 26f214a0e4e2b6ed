/* js-flush-private.h: deferred work, done once a lock is released
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Knows nothing of the scheduler. Code that holds a lock must not call
 * user code, emit a signal, drop a reference or take a GMainContext lock:
 * it records what must happen into a JsFlush on its stack, and
 * _js_flush_run() does it after the lock is released.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef void (*JsFlushFunc) (gpointer data);

typedef struct
{
  JsFlushFunc func;
  gpointer    data;
} JsFlushCall;

/* Calls kept in the JsFlush itself before an array is allocated: the
 * usual flush has one at most (a drainer to push, a waiter to deliver).
 * A JsFlush is zeroed for every lock section, so it stays small: with 4
 * inline calls, a main-context task cost 1 % more instructions (callgrind,
 * joinset-bench --inline --only js-main -n 20000). */
#define JS_FLUSH_N_INLINE_CALLS 1

typedef struct
{
  GPtrArray   *cancel;              /* GCancellable, owned: to cancel */
  GPtrArray   *cancel_in_context;   /* GCancellable, owned: to cancel from
                                     * the context given to _js_flush_run(),
                                     * at G_PRIORITY_HIGH */
  GArray      *release;             /* JsFlushCall: destroys the user data
                                     * of tasks (never ran, or let go);
                                     * first. Only in the set's home thread:
                                     * see _js_core_release_locked() */
  JsFlushCall  calls[JS_FLUSH_N_INLINE_CALLS]; /* then these, in order */
  guint        n_calls;
  GArray      *more_calls;          /* JsFlushCall: and these */
  GPtrArray   *sources;             /* GSource, owned: to destroy */
  GPtrArray   *unref;               /* GObject, owned: dropped last */
  guint        wakeup : 1;          /* wake the context up, unless this
                                     * thread owns it */
  guint        release_in_context : 1; /* run `release` from an idle in the
                                     * context, not here */
} JsFlush;

#define JS_FLUSH_INIT { 0 }

void _js_flush_add_cancel            (JsFlush        *flush,
                                      GCancellable   *cancellable);
void _js_flush_add_cancel_in_context (JsFlush        *flush,
                                      GCancellable   *cancellable);
void _js_flush_add_release           (JsFlush        *flush,
                                      GDestroyNotify  notify,
                                      gpointer        data);
void _js_flush_add_releases          (JsFlush        *flush,
                                      GArray         *release);
void _js_flush_run_releases          (GArray         *release);
void _js_flush_add_call              (JsFlush        *flush,
                                      JsFlushFunc     func,
                                      gpointer        data);
void _js_flush_add_source            (JsFlush        *flush,
                                      GSource        *source);
void _js_flush_add_unref             (JsFlush        *flush,
                                      gpointer        object);
void _js_flush_run                   (JsFlush        *flush,
                                      GMainContext   *context);

G_END_DECLS
