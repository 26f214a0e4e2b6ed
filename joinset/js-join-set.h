/* js-join-set.h: a structured group of tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (JS_INSIDE) && !defined (JS_COMPILATION)
# error "Only <joinset/joinset.h> can be included directly."
#endif

#include <gio/gio.h>

#include "js-types.h"
#include "js-version-macros.h"

G_BEGIN_DECLS

#define JS_TYPE_JOIN_SET (js_join_set_get_type ())

/**
 * JsSpawnFlags:
 * @JS_SPAWN_DEFAULT: run the task in the set's main context, as
 *   [method@Js.JoinSet.spawn] does
 * @JS_SPAWN_IN_THREAD: run the task on the thread pool, as
 *   [method@Js.JoinSet.spawn_in_thread] does
 *
 * How [method@Js.JoinSet.spawn_full] runs a task.
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/
{
  JS_SPAWN_DEFAULT   = 0,
  JS_SPAWN_IN_THREAD = 1 << 0,
} JsSpawnFlags;

JS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JsJoinSet, js_join_set, JS, JOIN_SET, GObject)

/* Construction */
JS_AVAILABLE_IN_ALL
JsJoinSet    *js_join_set_new                     (void) G_GNUC_WARN_UNUSED_RESULT;
JS_AVAILABLE_IN_ALL
JsJoinSet    *js_join_set_new_with_cancellable    (GCancellable        *cancellable) G_GNUC_WARN_UNUSED_RESULT;

/* Properties */
JS_AVAILABLE_IN_ALL
guint         js_join_set_get_max_concurrent      (JsJoinSet           *self);
JS_AVAILABLE_IN_ALL
void          js_join_set_set_max_concurrent      (JsJoinSet           *self,
                                                   guint                max_concurrent);
JS_AVAILABLE_IN_ALL
gboolean      js_join_set_get_abort_on_error      (JsJoinSet           *self);
JS_AVAILABLE_IN_ALL
void          js_join_set_set_abort_on_error      (JsJoinSet           *self,
                                                   gboolean             abort_on_error);
JS_AVAILABLE_IN_ALL
gboolean      js_join_set_get_abort_on_success    (JsJoinSet           *self);
JS_AVAILABLE_IN_ALL
void          js_join_set_set_abort_on_success    (JsJoinSet           *self,
                                                   gboolean             abort_on_success);
JS_AVAILABLE_IN_ALL
gboolean      js_join_set_get_ordered             (JsJoinSet           *self);
JS_AVAILABLE_IN_ALL
void          js_join_set_set_ordered             (JsJoinSet           *self,
                                                   gboolean             ordered);
JS_AVAILABLE_IN_ALL
gboolean      js_join_set_get_discard_results     (JsJoinSet           *self);
JS_AVAILABLE_IN_ALL
void          js_join_set_set_discard_results     (JsJoinSet           *self,
                                                   gboolean             discard_results);
JS_AVAILABLE_IN_ALL
guint         js_join_set_get_timeout             (JsJoinSet           *self);
JS_AVAILABLE_IN_ALL
void          js_join_set_set_timeout             (JsJoinSet           *self,
                                                   guint                timeout_ms);
JS_AVAILABLE_IN_ALL
GCancellable *js_join_set_get_cancellable         (JsJoinSet           *self);

/* State */
JS_AVAILABLE_IN_ALL
guint         js_join_set_get_length              (JsJoinSet           *self);
JS_AVAILABLE_IN_ALL
gboolean      js_join_set_is_empty                (JsJoinSet           *self);
JS_AVAILABLE_IN_ALL
gboolean      js_join_set_is_closed               (JsJoinSet           *self);
JS_AVAILABLE_IN_ALL
guint         js_join_set_get_n_queued            (JsJoinSet           *self);
JS_AVAILABLE_IN_ALL
guint         js_join_set_get_n_running           (JsJoinSet           *self);
JS_AVAILABLE_IN_ALL
guint64       js_join_set_get_n_finished          (JsJoinSet           *self);
JS_AVAILABLE_IN_ALL
guint64       js_join_set_get_n_spawned           (JsJoinSet           *self);
JS_AVAILABLE_IN_ALL
double        js_join_set_get_progress            (JsJoinSet           *self);

/* Spawning */
JS_AVAILABLE_IN_ALL
guint64       js_join_set_spawn                   (JsJoinSet           *self,
                                                   JsTaskFunc           func,
                                                   gpointer             user_data,
                                                   GDestroyNotify       user_data_destroy);
JS_AVAILABLE_IN_ALL
guint64       js_join_set_spawn_in_thread         (JsJoinSet           *self,
                                                   JsTaskFunc           func,
                                                   gpointer             user_data,
                                                   GDestroyNotify       user_data_destroy);
JS_AVAILABLE_IN_ALL
guint64       js_join_set_spawn_full              (JsJoinSet           *self,
                                                   JsSpawnFlags         flags,
                                                   const char          *name,
                                                   guint                timeout_ms,
                                                   JsTaskFunc           func,
                                                   gpointer             user_data,
                                                   GDestroyNotify       user_data_destroy);
JS_AVAILABLE_IN_ALL
guint64       js_join_set_spawn_async             (JsJoinSet           *self,
                                                   JsAsyncStartFunc     start,
                                                   JsAsyncFinishFunc    finish,
                                                   gpointer             user_data,
                                                   GDestroyNotify       user_data_destroy);

/* Joining */
JS_AVAILABLE_IN_ALL
void          js_join_set_join_next_async         (JsJoinSet           *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
JS_AVAILABLE_IN_ALL
JsTask       *js_join_set_join_next_finish        (JsJoinSet           *self,
                                                   GAsyncResult        *result,
                                                   GError             **error) G_GNUC_WARN_UNUSED_RESULT;
JS_AVAILABLE_IN_ALL
JsTask       *js_join_set_join_next               (JsJoinSet           *self,
                                                   GCancellable        *cancellable,
                                                   GError             **error) G_GNUC_WARN_UNUSED_RESULT;
JS_AVAILABLE_IN_ALL
JsTask       *js_join_set_try_join_next           (JsJoinSet           *self) G_GNUC_WARN_UNUSED_RESULT;

JS_AVAILABLE_IN_ALL
void          js_join_set_join_all_async          (JsJoinSet           *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
JS_AVAILABLE_IN_ALL
GPtrArray    *js_join_set_join_all_finish         (JsJoinSet           *self,
                                                   GAsyncResult        *result,
                                                   GError             **error) G_GNUC_WARN_UNUSED_RESULT;
JS_AVAILABLE_IN_ALL
void          js_join_set_join_all_timeout_async  (JsJoinSet           *self,
                                                   guint                timeout_ms,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
JS_AVAILABLE_IN_ALL
GPtrArray    *js_join_set_join_all_timeout_finish (JsJoinSet           *self,
                                                   GAsyncResult        *result,
                                                   GError             **error) G_GNUC_WARN_UNUSED_RESULT;
JS_AVAILABLE_IN_ALL
void          js_join_set_join_by_id_async        (JsJoinSet           *self,
                                                   guint64              id,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
JS_AVAILABLE_IN_ALL
JsTask       *js_join_set_join_by_id_finish       (JsJoinSet           *self,
                                                   GAsyncResult        *result,
                                                   GError             **error) G_GNUC_WARN_UNUSED_RESULT;
JS_AVAILABLE_IN_ALL
JsTask       *js_join_set_join_by_id              (JsJoinSet           *self,
                                                   guint64              id,
                                                   GCancellable        *cancellable,
                                                   GError             **error) G_GNUC_WARN_UNUSED_RESULT;

/* Aborting */
JS_AVAILABLE_IN_ALL
gboolean      js_join_set_abort                   (JsJoinSet           *self,
                                                   guint64              id);
JS_AVAILABLE_IN_ALL
void          js_join_set_abort_all               (JsJoinSet           *self);
JS_AVAILABLE_IN_ALL
void          js_join_set_detach_all              (JsJoinSet           *self);

/* Closing and shutting down */
JS_AVAILABLE_IN_ALL
void          js_join_set_close                   (JsJoinSet           *self);
JS_AVAILABLE_IN_ALL
void          js_join_set_shutdown_async          (JsJoinSet           *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
JS_AVAILABLE_IN_ALL
gboolean      js_join_set_shutdown_finish         (JsJoinSet           *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* A live list model of the tasks */
JS_AVAILABLE_IN_ALL
GListModel   *js_join_set_get_tasks               (JsJoinSet           *self);

G_END_DECLS
