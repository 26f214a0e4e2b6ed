/* js-id-table.c: the tasks of a set, by id
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "js-id-table-private.h"

#define PAGE_SHIFT 7
#define PAGE_SIZE  (1u << PAGE_SHIFT)

typedef struct
{
  guint    n_live;
  gpointer slots[PAGE_SIZE];
} JsIdPage;

void
_js_id_table_init (JsIdTable *table)
{
  table->pages = g_ptr_array_new_with_free_func (g_free);
  table->first_page = 0;
  table->last_page = 0;
  table->n_leading = 0;
}

void
_js_id_table_clear (JsIdTable *table)
{
  g_clear_pointer (&table->pages, g_ptr_array_unref);
}

/* The page of @page_number, or NULL if it is out of range or freed. */
static inline JsIdPage *
get_page (JsIdTable *table,
          guint64    page_number)
{
  if (page_number < table->first_page ||
      page_number - table->first_page >= table->pages->len)
    return NULL;

  return g_ptr_array_index (table->pages, page_number - table->first_page);
}

void
_js_id_table_insert (JsIdTable *table,
                     guint64    id,
                     gpointer   value)
{
  guint64 page_number = id >> PAGE_SHIFT;
  JsIdPage *page;
  gpointer *slot;

  g_assert (value != NULL);

  if (table->pages->len == 0)
    {
      table->first_page = page_number;
      table->n_leading = 0;
    }
  else if (page_number < table->first_page)
    {
      /* An old id coming back (a cancelled join_all gives its tasks back
       * to the set) after its page was trimmed: rare. */
      guint missing = (guint) (table->first_page - page_number);
      guint len = table->pages->len;

      g_ptr_array_set_size (table->pages, len + missing);
      memmove (&table->pages->pdata[missing], &table->pages->pdata[0],
               len * sizeof (gpointer));
      memset (&table->pages->pdata[0], 0, missing * sizeof (gpointer));
      table->first_page = page_number;
      table->n_leading += missing;
    }

  while (page_number - table->first_page >= table->pages->len)
    g_ptr_array_add (table->pages, NULL);

  slot = &table->pages->pdata[page_number - table->first_page];
  if (*slot == NULL)
    {
      *slot = g_new0 (JsIdPage, 1);
      if (page_number - table->first_page < table->n_leading)
        table->n_leading = page_number - table->first_page;
    }
  page = *slot;

  if (page->slots[id & (PAGE_SIZE - 1)] == NULL)
    page->n_live++;
  page->slots[id & (PAGE_SIZE - 1)] = value;

  table->last_page = MAX (table->last_page, page_number);
}

gpointer
_js_id_table_lookup (JsIdTable *table,
                     guint64    id)
{
  JsIdPage *page = get_page (table, id >> PAGE_SHIFT);

  return page != NULL ? page->slots[id & (PAGE_SIZE - 1)] : NULL;
}

gpointer
_js_id_table_remove (JsIdTable *table,
                     guint64    id)
{
  guint64 page_number = id >> PAGE_SHIFT;
  JsIdPage *page = get_page (table, page_number);
  gpointer value;

  if (page == NULL || (value = page->slots[id & (PAGE_SIZE - 1)]) == NULL)
    return NULL;

  page->slots[id & (PAGE_SIZE - 1)] = NULL;
  if (--page->n_live > 0 || page_number == table->last_page)
    return value;

  /* Empty, and no new id will land in it: free it. The highest page is
   * kept, so that a set going from one task to none and back does not
   * allocate a page per task. */
  g_free (page);
  table->pages->pdata[page_number - table->first_page] = NULL;

  /* Drop the NULL pages at the start of the directory, once they are as
   * many as the rest: amortized O(1). */
  while (table->n_leading < table->pages->len &&
         table->pages->pdata[table->n_leading] == NULL)
    table->n_leading++;
  if (table->n_leading >= 16 && table->n_leading * 2 >= table->pages->len)
    {
      g_ptr_array_remove_range (table->pages, 0, table->n_leading);
      table->first_page += table->n_leading;
      table->n_leading = 0;
    }

  return value;
}

/* The smallest id in @table, or 0 if it is empty. */
guint64
_js_id_table_first (JsIdTable *table)
{
  for (guint i = table->n_leading; i < table->pages->len; i++)
    {
      JsIdPage *page = g_ptr_array_index (table->pages, i);

      if (page == NULL || page->n_live == 0)
        continue;

      for (guint j = 0; j < PAGE_SIZE; j++)
        if (page->slots[j] != NULL)
          return ((table->first_page + i) << PAGE_SHIFT) + j;
    }

  return 0;
}

void
_js_id_table_remove_all (JsIdTable *table)
{
  g_ptr_array_set_size (table->pages, 0);
  table->first_page = 0;
  table->last_page = 0;
  table->n_leading = 0;
}
