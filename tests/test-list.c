/* test-list.c: the intrusive list of a set's run queues, against a GQueue
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The list is private: this program includes its header directly.
 */

#include "js-list-private.h"

typedef struct
{
  guint  value;
  JsLink link;
} Item;

#define ITEM_OF(l) JS_LINK_CONTAINER (l, Item, link)

/* @list holds exactly the items of @model, in the same order, linked both
 * ways. */
static void
assert_same (JsList *list,
             GQueue *model)
{
  JsLink *link = list->head;
  JsLink *prev = NULL;

  g_assert_cmpuint (list->length, ==, model->length);
  for (GList *l = model->head; l != NULL; l = l->next)
    {
      g_assert_nonnull (link);
      g_assert_true (ITEM_OF (link) == l->data);
      g_assert_true (link->prev == prev);
      prev = link;
      link = link->next;
    }
  g_assert_null (link);
  g_assert_true (list->tail == prev);
}

static void
test_basic (void)
{
  Item items[3] = { { 0 }, { 1 }, { 2 } };
  JsList list = { 0 };

  g_test_summary ("push_tail, push_head, unlink and pop_head keep the "
                  "order, the length and both directions of the links");

  g_assert_null (_js_list_pop_head (&list));

  _js_list_push_tail (&list, &items[1].link);
  _js_list_push_tail (&list, &items[2].link);
  _js_list_push_head (&list, &items[0].link);
  g_assert_cmpuint (list.length, ==, 3);
  g_assert_true (ITEM_OF (list.head) == &items[0]);
  g_assert_true (ITEM_OF (list.tail) == &items[2]);

  /* From the middle, then the ends. */
  _js_list_unlink (&list, &items[1].link);
  g_assert_null (items[1].link.next);
  g_assert_null (items[1].link.prev);
  g_assert_true (list.head->next == list.tail);
  g_assert_true (list.tail->prev == list.head);

  g_assert_true (ITEM_OF (_js_list_pop_head (&list)) == &items[0]);
  _js_list_unlink (&list, &items[2].link);
  g_assert_cmpuint (list.length, ==, 0);
  g_assert_null (list.head);
  g_assert_null (list.tail);

  /* An unlinked item can join a list again. */
  _js_list_push_head (&list, &items[2].link);
  g_assert_true (list.head == list.tail);
  g_assert_true (ITEM_OF (_js_list_pop_head (&list)) == &items[2]);
  g_assert_null (_js_list_pop_head (&list));
}

static void
test_model (void)
{
  const guint n = 2000;
  Item *items = g_new0 (Item, n);
  gboolean *in_list = g_new0 (gboolean, n);
  GQueue model = G_QUEUE_INIT;
  JsList list = { 0 };
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());

  g_test_summary ("Random pushes at both ends, unlinks anywhere and pops "
                  "leave the list as a GQueue doing the same");

  for (guint i = 0; i < n; i++)
    items[i].value = i;

  for (guint step = 0; step < 50000; step++)
    {
      Item *item = &items[g_rand_int_range (rand, 0, n)];

      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
        case 1:
          if (in_list[item->value])
            {
              _js_list_unlink (&list, &item->link);
              g_queue_remove (&model, item);
              in_list[item->value] = FALSE;
            }
          else if (step % 2 == 0)
            {
              _js_list_push_tail (&list, &item->link);
              g_queue_push_tail (&model, item);
              in_list[item->value] = TRUE;
            }
          else
            {
              _js_list_push_head (&list, &item->link);
              g_queue_push_head (&model, item);
              in_list[item->value] = TRUE;
            }
          break;

        case 2:
          {
            JsLink *link = _js_list_pop_head (&list);
            Item *expected = g_queue_pop_head (&model);

            if (expected == NULL)
              {
                g_assert_null (link);
              }
            else
              {
                g_assert_true (ITEM_OF (link) == expected);
                in_list[expected->value] = FALSE;
              }
          }
          break;

        default:
          if (step % 997 == 0)
            assert_same (&list, &model);
          break;
        }
    }

  assert_same (&list, &model);

  g_queue_clear (&model);
  g_rand_free (rand);
  g_free (in_list);
  g_free (items);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/list/basic", test_basic);
  g_test_add_func ("/list/model", test_model);

  return g_test_run ();
}
