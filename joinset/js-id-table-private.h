/* js-id-table-private.h: the tasks of a set, by id
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A map from id (1, 2, 3... as a set gives them) to a non-NULL pointer.
 * Ids are dense, so it is an array of pages of slots rather than a hash
 * table: 8 bytes per id whose page is live, O(1) lookup, insertion and
 * removal, and pages are freed once all their ids are gone. Not thread
 * safe: the set guards it with its mutex. */
typedef struct
{
  GPtrArray *pages;       /* JsIdPage or NULL; pages->pdata[0] covers
                           * page number first_page */
  guint64    first_page;
  guint64    last_page;   /* of the highest id added: kept when empty */
  guint      n_leading;   /* NULL pages at the start of pages */
} JsIdTable;

void     _js_id_table_init       (JsIdTable *table);
void     _js_id_table_clear      (JsIdTable *table);
void     _js_id_table_insert     (JsIdTable *table,
                                  guint64    id,
                                  gpointer   value);
gpointer _js_id_table_lookup     (JsIdTable *table,
                                  guint64    id);
gpointer _js_id_table_remove     (JsIdTable *table,
                                  guint64    id);
guint64  _js_id_table_first      (JsIdTable *table);
void     _js_id_table_remove_all (JsIdTable *table);

G_END_DECLS
