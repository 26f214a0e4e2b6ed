/* js-join-result-private.h: a light GAsyncResult for joins
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define JS_TYPE_JOIN_RESULT (_js_join_result_get_type ())

G_DECLARE_FINAL_TYPE (JsJoinResult, _js_join_result, JS, JOIN_RESULT, GObject)

JsJoinResult *_js_join_result_new       (JsJoinResult  **spare,
                                         GObject        *source_object,
                                         gpointer        source_tag,
                                         gpointer        user_data,
                                         gpointer        data,
                                         GDestroyNotify  data_destroy);

void          _js_join_result_release   (JsJoinResult   *self,
                                         JsJoinResult  **spare);

gboolean      _js_join_result_is_valid  (JsJoinResult   *self,
                                         gpointer        source_object,
                                         gpointer        source_tag);

gpointer      _js_join_result_steal     (JsJoinResult   *self);

G_END_DECLS
