/* js-result-private.h: the outcome of a task
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Knows nothing of the scheduler: a JsResult is a value that moves from
 * its producer to the task, then to the consumer.
 */

#pragma once

#include <string.h>

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  JS_RESULT_NONE = 0,
  JS_RESULT_POINTER,
  JS_RESULT_VALUE,
  JS_RESULT_BOOLEAN,
  JS_RESULT_INT,
  JS_RESULT_ERROR,
} JsResultKind;

/* The outcome of a task. Exactly one owner at a time: the producer while
 * it builds it, then the task, then (for a pointer) the consumer that
 * propagates it. _js_result_clear() frees whatever is still owned. */
typedef struct
{
  JsResultKind kind;
  union {
    struct {
      gpointer       data;
      GDestroyNotify destroy;
    } pointer;
    GValue   *value;
    gboolean  boolean;
    gssize    integer;
    GError   *error;     /* NULL: aborted (G_IO_ERROR_CANCELLED), the
                          * error built only if someone propagates it */
  } u;
} JsResult;

/* Whether @r is an error other than a cancellation. */
#define _js_result_failed(r) \
  ((r)->kind == JS_RESULT_ERROR && (r)->u.error != NULL && \
   !g_error_matches ((r)->u.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))

void _js_result_clear (JsResult *result);

/* Moves the outcome out of @src into @dest, leaving @src empty. */
static inline void
_js_result_move (JsResult *dest,
                 JsResult *src)
{
  *dest = *src;
  memset (src, 0, sizeof *src);
}

G_END_DECLS
