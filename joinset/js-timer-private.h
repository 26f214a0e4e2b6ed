/* js-timer-private.h: the thread where deadlines fire
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Knows nothing of the scheduler.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The context of libjoinset's timer thread, started on first use: a
 * private main context, iterated by a thread of its own for the life of
 * the process. Its thread never holds the context's lock while running a
 * callback, so a source may be attached to it with another lock held. */
GMainContext *_js_timer_get_context (void);

G_END_DECLS
