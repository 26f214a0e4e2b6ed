/* js-list-private.h: an intrusive doubly linked list
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Knows nothing of the scheduler. The run queues of a set link their tasks
 * through a JsLink inside each JsTask: two pointers where a GList in a
 * GQueue takes three (the third, `data`, would only point back at the
 * task). Eight bytes per pending task, of the 128 the 1.0 API issue
 * allows. Not thread safe: the set guards its lists with its mutex.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _JsLink JsLink;

struct _JsLink
{
  JsLink *next;
  JsLink *prev;
};

typedef struct
{
  JsLink *head;
  JsLink *tail;
  guint   length;
} JsList;

/* The structure of type @type whose member @member is @link. */
#define JS_LINK_CONTAINER(link, type, member) \
  ((type *) (gpointer) ((char *) (link) - G_STRUCT_OFFSET (type, member)))

static inline void
_js_list_push_tail (JsList *list,
                    JsLink *link)
{
  link->next = NULL;
  link->prev = list->tail;
  if (list->tail != NULL)
    list->tail->next = link;
  else
    list->head = link;
  list->tail = link;
  list->length++;
}

static inline void
_js_list_push_head (JsList *list,
                    JsLink *link)
{
  link->prev = NULL;
  link->next = list->head;
  if (list->head != NULL)
    list->head->prev = link;
  else
    list->tail = link;
  list->head = link;
  list->length++;
}

/* Removes @link, which must be in @list. */
static inline void
_js_list_unlink (JsList *list,
                 JsLink *link)
{
  g_assert (list->length > 0);

  if (link->prev != NULL)
    link->prev->next = link->next;
  else
    list->head = link->next;

  if (link->next != NULL)
    link->next->prev = link->prev;
  else
    list->tail = link->prev;

  link->next = link->prev = NULL;
  list->length--;
}

/* Removes and returns the first link, or NULL. */
static inline JsLink *
_js_list_pop_head (JsList *list)
{
  JsLink *link = list->head;

  if (link != NULL)
    _js_list_unlink (list, link);

  return link;
}

G_END_DECLS
