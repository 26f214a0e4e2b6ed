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

/* The value of an outcome, whose kind is kept beside it: a JsTask keeps
 * the kind in its bitfield, where a JsResult's padding would cost 8 bytes
 * per task. */
typedef union
{
  struct {
    gpointer       data;
    GDestroyNotify destroy;
  } pointer;
  GValue   *value;
  gboolean  boolean;
  gssize    integer;
  GError   *error;     /* NULL: aborted (G_IO_ERROR_CANCELLED), the error
                        * built only if someone propagates it */
} JsResultData;

/* The outcome of a task. Exactly one owner at a time: the producer while
 * it builds it, then the task, then (for a pointer) the consumer that
 * propagates it. _js_result_clear() frees whatever is still owned. */
typedef struct
{
  JsResultKind kind;
  JsResultData u;
} JsResult;

/* Whether an outcome of @kind and @data is an error other than a
 * cancellation. */
#define _js_result_data_failed(kind, data) \
  ((kind) == JS_RESULT_ERROR && (data)->error != NULL && \
   !g_error_matches ((data)->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))

/* Whether @r is an error other than a cancellation. */
#define _js_result_failed(r) _js_result_data_failed ((r)->kind, &(r)->u)

/* Frees what an outcome of @kind and @data still owns, and zeroes @data. */
void _js_result_data_clear (JsResultKind  kind,
                            JsResultData *data);

/* Frees what @result still owns, and empties it. */
static inline void
_js_result_clear (JsResult *result)
{
  _js_result_data_clear (result->kind, &result->u);
  result->kind = JS_RESULT_NONE;
}

G_END_DECLS
