/* test-id-table.c: the id → task table of a set, against a GHashTable
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The table is private: this program links the internal static library.
 */

#include "js-id-table-private.h"

#define VALUE(id) GSIZE_TO_POINTER ((gsize) (id) * 2 + 1)

static void
test_sequential (void)
{
  JsIdTable table;
  const guint64 n = 100000;

  g_test_summary ("Ids added in order are found, removed once, and the "
                  "directory shrinks as the oldest pages empty");

  _js_id_table_init (&table);
  g_assert_cmpuint (_js_id_table_first (&table), ==, 0);
  g_assert_null (_js_id_table_lookup (&table, 1));
  g_assert_null (_js_id_table_remove (&table, 1));

  for (guint64 id = 1; id <= n; id++)
    _js_id_table_insert (&table, id, VALUE (id));

  g_assert_cmpuint (_js_id_table_first (&table), ==, 1);
  for (guint64 id = 1; id <= n; id++)
    g_assert_true (_js_id_table_lookup (&table, id) == VALUE (id));
  g_assert_null (_js_id_table_lookup (&table, n + 1));
  g_assert_null (_js_id_table_lookup (&table, 0));

  for (guint64 id = 1; id < n; id++)
    {
      g_assert_true (_js_id_table_remove (&table, id) == VALUE (id));
      g_assert_null (_js_id_table_remove (&table, id));
    }

  /* One task left: its page, and a directory of a few entries. */
  g_assert_cmpuint (_js_id_table_first (&table), ==, n);
  g_assert_cmpuint (table.pages->len, <, 32);

  /* The last page is kept while empty: no allocation per task for a set
   * that goes from one task to none and back. */
  g_assert_true (_js_id_table_remove (&table, n) == VALUE (n));
  g_assert_cmpuint (_js_id_table_first (&table), ==, 0);
  _js_id_table_insert (&table, n + 1, VALUE (n + 1));
  g_assert_true (_js_id_table_lookup (&table, n + 1) == VALUE (n + 1));

  _js_id_table_remove_all (&table);
  g_assert_null (_js_id_table_lookup (&table, n + 1));
  g_assert_cmpuint (_js_id_table_first (&table), ==, 0);
  _js_id_table_clear (&table);
}

static void
test_old_id_returns (void)
{
  JsIdTable table;

  g_test_summary ("An id removed long ago can come back (a cancelled "
                  "join_all gives its tasks back) after its page was freed");

  _js_id_table_init (&table);
  for (guint64 id = 1; id <= 50000; id++)
    _js_id_table_insert (&table, id, VALUE (id));
  for (guint64 id = 1; id <= 49000; id++)
    _js_id_table_remove (&table, id);

  _js_id_table_insert (&table, 3, VALUE (3));
  _js_id_table_insert (&table, 3, VALUE (4));   /* replaces */
  g_assert_true (_js_id_table_lookup (&table, 3) == VALUE (4));
  g_assert_cmpuint (_js_id_table_first (&table), ==, 3);
  g_assert_true (_js_id_table_lookup (&table, 49001) == VALUE (49001));
  g_assert_true (_js_id_table_remove (&table, 3) == VALUE (4));
  g_assert_cmpuint (_js_id_table_first (&table), ==, 49001);

  _js_id_table_clear (&table);
}

static void
test_model (void)
{
  g_autoptr(GHashTable) model = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  guint64 next_id = 1;
  JsIdTable table;

  g_test_summary ("Random inserts of new and old ids, removals and lookups "
                  "agree with a GHashTable");

  _js_id_table_init (&table);

  for (guint step = 0; step < 300000; step++)
    {
      guint op = g_rand_int_range (rand, 0, 10);
      guint64 id;

      /* Mostly recent ids, as a set's tasks are, with some old ones. */
      guint64 back = (guint64) g_rand_int_range (rand, 0, 300);

      if (next_id > 1 && g_rand_int_range (rand, 0, 4) == 0)
        id = (guint64) g_rand_int_range (rand, 1, (gint32) MIN (next_id, G_MAXINT32));
      else
        id = next_id - MIN (next_id - 1, back);

      if (op < 4)
        {
          guint64 *key = g_new (guint64, 1);

          *key = id = next_id++;
          g_hash_table_insert (model, key, VALUE (id));
          _js_id_table_insert (&table, id, VALUE (id));
        }
      else if (op < 5 && id > 0)
        {
          guint64 *key = g_new (guint64, 1);

          *key = id;
          g_hash_table_replace (model, key, VALUE (id + 7));
          _js_id_table_insert (&table, id, VALUE (id + 7));
        }
      else if (op < 8)
        {
          gpointer expected = g_hash_table_lookup (model, &id);

          g_assert_true (_js_id_table_remove (&table, id) == expected);
          g_hash_table_remove (model, &id);
        }
      else
        {
          g_assert_true (_js_id_table_lookup (&table, id) == g_hash_table_lookup (model, &id));
        }

      if (step % 10000 == 0)
        {
          GHashTableIter iter;
          gpointer key;
          guint64 first = 0;

          g_hash_table_iter_init (&iter, model);
          while (g_hash_table_iter_next (&iter, &key, NULL))
            if (first == 0 || *(guint64 *) key < first)
              first = *(guint64 *) key;
          g_assert_cmpuint (_js_id_table_first (&table), ==, first);
        }
    }

  _js_id_table_clear (&table);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/id-table/sequential", test_sequential);
  g_test_add_func ("/id-table/old-id-returns", test_old_id_returns);
  g_test_add_func ("/id-table/model", test_model);

  return g_test_run ();
}
