/* js-result.c: the outcome of a task
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "js-result-private.h"

void
_js_result_data_clear (JsResultKind  kind,
                       JsResultData *data)
{
  switch (kind)
    {
    case JS_RESULT_POINTER:
      if (data->pointer.destroy != NULL && data->pointer.data != NULL)
        data->pointer.destroy (data->pointer.data);
      break;

    case JS_RESULT_VALUE:
      g_value_unset (data->value);
      g_free (data->value);
      break;

    case JS_RESULT_ERROR:
      g_clear_error (&data->error);
      break;

    case JS_RESULT_NONE:
    case JS_RESULT_BOOLEAN:
    case JS_RESULT_INT:
    default:
      break;
    }

  memset (data, 0, sizeof *data);
}
