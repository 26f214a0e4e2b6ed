/* js-task-list.c: the live list model of a set's tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What js_join_set_get_tasks() returns: a GListModel of the tasks of a
 * set that were not joined yet, in spawn (id) order. It exists only once
 * somebody asked for it; until then the scheduler records nothing
 * (JsCore.n_lists is 0, the one field its hot paths test).
 *
 * The core records what changed (JsCoreListEvent: a task entered or left
 * the set, started, finished, was renamed) under its lock, from any
 * thread, and its source hands each batch to the model in the set's main
 * context through the set's observer: at most one batch per main-loop
 * iteration, and one items-changed per batch, spanning what the batch
 * touched.
 *
 * The data structure: tasks leave in completion order, which is not spawn
 * order, so a removal may hit any position. A GSequence (a balanced tree
 * that knows its subtree sizes) sorted by id gives each task's position,
 * the item at a position, an insertion and a removal in O(log n), never a
 * scan, and a hash table finds a task's node by id in O(1). An array with
 * tombstones would make a removal O(1) but each batch's compaction, and
 * the lookup of a position, O(n) in the worst case (the oldest task
 * finishing first, in a set of 100,000). Reading the items in order, as a
 * list view does, follows the node of the previous read.
 *
 * What the model holds: each task with a toggle reference. A running task
 * belongs to its producer, and the set detects a producer that lets go of
 * it without returning when its last reference goes (see JsTask's
 * dispose): the toggle reference tells the model, when it is the only one
 * left, and the model then lets the core abandon the task as that dispose
 * would (_js_core_task_let_go()).
 */

#include "config.h"

#include "js-task-list-private.h"

struct _JsTaskList
{
  GObject        parent_instance;

  JsCore        *core;        /* owned, or NULL once the set is gone */
  GSequence     *items;       /* JsTask with a toggle reference, by id */
  GHashTable    *by_id;       /* &task->id → GSequenceIter */

  /* The last item read, for reading in order. */
  GSequenceIter *cached_iter;
  guint          cached_position;
};

static void js_task_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JsTaskList, js_task_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      js_task_list_model_init))

/* The model holds the last reference to @object: a running task was let
 * go by its producer. Any thread; never with the core's lock held (no
 * reference is dropped under it), and is_last is FALSE when a reference
 * is taken under it. */
static void
on_toggle (gpointer  data,
           GObject  *object,
           gboolean  is_last)
{
  if (is_last)
    _js_core_task_let_go (JS_TASK (object));
}

static void
release_task (gpointer task)
{
  g_object_remove_toggle_ref (task, on_toggle, NULL);
}

static void
js_task_list_finalize (GObject *object)
{
  JsTaskList *self = (JsTaskList *)object;

  /* The toggle references go first, while the core still counts this
   * model: see _js_core_unref_task_locked(). */
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->items, g_sequence_free);
  if (self->core != NULL)
    _js_core_list_stop (self->core);
  g_clear_pointer (&self->core, _js_core_unref);

  G_OBJECT_CLASS (js_task_list_parent_class)->finalize (object);
}

static void
js_task_list_class_init (JsTaskListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = js_task_list_finalize;
}

static void
js_task_list_init (JsTaskList *self)
{
  self->items = g_sequence_new (release_task);
  self->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
}

static GType
js_task_list_get_item_type (GListModel *model)
{
  return JS_TYPE_TASK;
}

static guint
js_task_list_get_n_items (GListModel *model)
{
  return g_sequence_get_length (JS_TASK_LIST (model)->items);
}

static gpointer
js_task_list_get_item (GListModel *model,
                       guint       position)
{
  JsTaskList *self = JS_TASK_LIST (model);
  GSequenceIter *iter;

  if (self->cached_iter != NULL && position == self->cached_position + 1)
    iter = g_sequence_iter_next (self->cached_iter);
  else if (self->cached_iter != NULL && position == self->cached_position)
    iter = self->cached_iter;
  else
    iter = g_sequence_get_iter_at_pos (self->items, position);

  if (g_sequence_iter_is_end (iter))
    return NULL;

  self->cached_iter = iter;
  self->cached_position = position;

  return g_object_ref (g_sequence_get (iter));
}

static void
js_task_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = js_task_list_get_item_type;
  iface->get_n_items = js_task_list_get_n_items;
  iface->get_item = js_task_list_get_item;
}

static int
compare_ids (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  guint64 id_a = ((const JsTask *)a)->id;
  guint64 id_b = ((const JsTask *)b)->id;

  return id_a < id_b ? -1 : id_a > id_b;
}

/* Takes @task (a reference, transfer full) into the model, in id order;
 * returns its node, or NULL if the model has it already. */
static GSequenceIter *
insert_task (JsTaskList *self,
             JsTask     *task)
{
  GSequenceIter *last = g_sequence_iter_prev (g_sequence_get_end_iter (self->items));
  GSequenceIter *iter;

  if (g_hash_table_contains (self->by_id, &task->id))
    {
      g_object_unref (task);
      return NULL;
    }

  /* The reference becomes a toggle reference: see on_toggle(). */
  g_object_add_toggle_ref (G_OBJECT (task), on_toggle, NULL);

  /* Tasks almost always come in spawn order: append. */
  if (g_sequence_iter_is_end (last) || ((JsTask *)g_sequence_get (last))->id < task->id)
    iter = g_sequence_append (self->items, task);
  else
    iter = g_sequence_insert_sorted (self->items, task, compare_ids, NULL);
  g_hash_table_insert (self->by_id, &task->id, iter);

  /* Last, as it may let the core abandon a task its producer dropped. */
  g_object_unref (task);

  return iter;
}

/* A new model for @core, holding the tasks of the set now. */
JsTaskList *
_js_task_list_new (JsCore *core)
{
  JsTaskList *self = g_object_new (JS_TYPE_TASK_LIST, NULL);
  g_autoptr(GPtrArray) tasks = _js_core_list_start (core);

  self->core = _js_core_ref (core);
  for (guint i = 0; i < tasks->len; i++)
    insert_task (self, g_ptr_array_index (tasks, i));

  return self;
}

/* The span of positions a batch changed: the items before `first` and
 * the `tail` last ones are the same objects before and after. */
typedef struct
{
  guint first;
  guint tail;
} Span;

static void
span_add (Span  *span,
          guint  position,
          guint  n_after)
{
  span->first = MIN (span->first, position);
  span->tail = MIN (span->tail, n_after);
}

static void
apply_add (JsTaskList *self,
           JsCoreListEvent *event,
           Span       *span)
{
  GSequenceIter *iter = insert_task (self, g_steal_pointer (&event->task));
  guint position, n;

  if (iter == NULL)
    return;

  position = g_sequence_iter_get_position (iter);
  n = g_sequence_get_length (self->items);
  span_add (span, position, n - position - 1);
}

static void
apply_remove (JsTaskList *self,
              guint64     id,
              Span       *span)
{
  GSequenceIter *iter = g_hash_table_lookup (self->by_id, &id);
  guint position, n;

  if (iter == NULL)
    return;

  position = g_sequence_iter_get_position (iter);
  n = g_sequence_get_length (self->items);
  span_add (span, position, n - position - 1);
  g_hash_table_remove (self->by_id, &id);
  g_sequence_remove (iter);
}

static void
remove_all (JsTaskList *self,
            Span       *span)
{
  span->first = 0;
  span->tail = 0;
  g_hash_table_remove_all (self->by_id);
  g_sequence_remove_range (g_sequence_get_begin_iter (self->items),
                           g_sequence_get_end_iter (self->items));
}

/* Notifies the state and name changes of @events on the tasks the model
 * has, after items-changed: the model is consistent when handlers run.
 * Each task is frozen while its changes are queued, so that a task that
 * started and finished in one batch notifies its state once. */
static void
notify_tasks (JsTaskList *self,
              GArray     *events)
{
  g_autoptr(GPtrArray) frozen = g_ptr_array_new ();

  for (guint i = 0; i < events->len; i++)
    {
      JsCoreListEvent *event = &g_array_index (events, JsCoreListEvent, i);
      GSequenceIter *iter;
      JsTask *task;

      if (event->change != JS_CORE_LIST_STATE && event->change != JS_CORE_LIST_NAME)
        continue;
      if ((iter = g_hash_table_lookup (self->by_id, &event->id)) == NULL)
        continue;

      /* Held until thawed: a handler may remove it from the model. */
      task = g_object_ref (g_sequence_get (iter));
      g_object_freeze_notify (G_OBJECT (task));
      g_ptr_array_add (frozen, task);
      if (event->change == JS_CORE_LIST_STATE)
        _js_task_notify_state (task);
      else
        _js_task_notify_name (task);
    }

  for (guint i = 0; i < frozen->len; i++)
    {
      g_object_thaw_notify (g_ptr_array_index (frozen, i));
      g_object_unref (g_ptr_array_index (frozen, i));
    }
}

/* Applies a batch of the core's changes, in the set's context: one
 * items-changed for all of them, then the notifications. */
void
_js_task_list_apply (JsTaskList *self,
                     GArray     *events)
{
  guint old_n = g_sequence_get_length (self->items);
  Span span = { G_MAXUINT, G_MAXUINT };
  guint new_n, removed, added;

  g_object_ref (self);

  for (guint i = 0; i < events->len; i++)
    {
      JsCoreListEvent *event = &g_array_index (events, JsCoreListEvent, i);

      switch (event->change)
        {
        case JS_CORE_LIST_ADD:
          apply_add (self, event, &span);
          break;
        case JS_CORE_LIST_REMOVE:
          apply_remove (self, event->id, &span);
          break;
        case JS_CORE_LIST_CLEAR:
          remove_all (self, &span);
          break;
        case JS_CORE_LIST_STATE:
        case JS_CORE_LIST_NAME:
        default:
          break;
        }
    }

  new_n = g_sequence_get_length (self->items);
  if (span.first != G_MAXUINT)
    {
      self->cached_iter = NULL;
      removed = old_n - span.first - span.tail;
      added = new_n - span.first - span.tail;
      if (removed > 0 || added > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), span.first, removed, added);
    }

  notify_tasks (self, events);
  g_object_unref (self);
}

/* The set is disposed: the model empties, and lets its core go. */
void
_js_task_list_clear (JsTaskList *self)
{
  Span span = { G_MAXUINT, G_MAXUINT };
  guint old_n = g_sequence_get_length (self->items);
  JsCore *core = g_steal_pointer (&self->core);

  if (core == NULL)
    return;

  g_object_ref (self);
  remove_all (self, &span);
  self->cached_iter = NULL;

  /* After the toggle references are gone: see js_task_list_finalize(). */
  _js_core_list_stop (core);
  _js_core_unref (core);
  if (old_n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, 0);
  g_object_unref (self);
}
