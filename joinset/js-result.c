/* js-result.c: the outcome of a task
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "js-result-private.h"

void
_js_result_clear (JsResult *result)
{
  switch ((JsResultKind) result->kind)
    {
    case JS_RESULT_POINTER:
      if (result->u.pointer.destroy != NULL && result->u.pointer.data != NULL)
        result->u.pointer.destroy (result->u.pointer.data);
      break;

    case JS_RESULT_VALUE:
      g_value_unset (result->u.value);
      g_free (result->u.value);
      break;

    case JS_RESULT_ERROR:
      g_clear_error (&result->u.error);
      break;

    case JS_RESULT_NONE:
    case JS_RESULT_BOOLEAN:
    case JS_RESULT_INT:
    default:
      break;
    }

  memset (result, 0, sizeof *result);
}
