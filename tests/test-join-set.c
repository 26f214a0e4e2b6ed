/* test-join-set.c: spawning, joining, concurrency limit, length and
 * detaching
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

#include "js-test-util.h"

static GThread *main_thread;

/* ------------------------------------------------------------------------
 * Task functions shared by the tests
 * ------------------------------------------------------------------------ */

/* Where and when a task function ran. */
typedef struct
{
  gboolean      ran;
  GThread      *thread;
  GMainContext *context;     /* the thread-default context it ran in */
  guint64       id;          /* js_task_get_id() seen by the function */
  gssize        value;       /* returned with js_task_return_int() */
} Record;

static void
record_run (JsTask   *task,
            gpointer  user_data)
{
  Record *record = user_data;

  g_assert_false (record->ran);
  record->ran = TRUE;
  record->thread = g_thread_self ();
  record->context = g_main_context_ref_thread_default ();
  g_main_context_unref (record->context);
  record->id = js_task_get_id (task);

  js_task_return_int (task, record->value);
}

/* A thread task that blocks until the test opens its gate, then returns
 * its value. The gate ignores cancellation. */
typedef struct
{
  JsTestGate     gate;
  gssize         value;
  GThread       *thread;
  GCancellable  *cancellable;
  JsTestCounter  returned;    /* it called js_task_return_int() */
} Gated;

static void
gated_init (Gated  *gated,
            gssize  value)
{
  js_test_gate_init (&gated->gate);
  js_test_counter_init (&gated->returned);
  gated->value = value;
  gated->thread = NULL;
  gated->cancellable = NULL;
}

static void
gated_clear (Gated *gated)
{
  /* a function that started may still be returning: wait for it before
   * freeing what it touches */
  if (js_test_gate_get_entered (&gated->gate) > 0)
    js_test_counter_await (&gated->returned, 1);

  js_test_gate_clear (&gated->gate);
  js_test_counter_clear (&gated->returned);
}

static void
gated_func (JsTask   *task,
            gpointer  user_data)
{
  Gated *gated = user_data;

  gated->thread = g_thread_self ();
  gated->cancellable = js_task_get_cancellable (task);
  js_test_gate_pass (&gated->gate);
  js_task_return_int (task, gated->value);
  js_test_counter_inc (&gated->returned);
}

/* Opens the gate and waits until the task completed. */
static void
gated_finish (Gated *gated)
{
  js_test_gate_open (&gated->gate);
  js_test_counter_await (&gated->returned, 1);
}

/* A task that returns a tracked result, for exactly-once checks. */
typedef struct
{
  JsTestCounter *result_freed;
  gssize         value;
  JsTestGate    *gate;        /* nullable */
  JsTestCounter *returned;    /* nullable */
} Producer;

static void
producer_free (gpointer data)
{
  Producer *producer = data;

  g_free (producer);
}

static Producer *
producer_new (JsTestCounter *result_freed,
              gssize         value,
              JsTestGate    *gate,
              JsTestCounter *returned)
{
  Producer *producer = g_new0 (Producer, 1);

  producer->result_freed = result_freed;
  producer->value = value;
  producer->gate = gate;
  producer->returned = returned;

  return producer;
}

static void
producer_func (JsTask   *task,
               gpointer  user_data)
{
  Producer *producer = user_data;

  if (producer->gate != NULL)
    js_test_gate_pass (producer->gate);
  js_task_return_pointer (task,
                          js_test_tracked_new (producer->result_freed, producer->value),
                          js_test_tracked_free);
  if (producer->returned != NULL)
    js_test_counter_inc (producer->returned);
}

/* Joins the next task, which must have completed with js_task_return_int(),
 * checks its id and value, and drops it. */
static void
assert_join_int (JsJoinSet *set,
                 guint64    id,
                 gssize     value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsTask) task = NULL;

  task = js_test_join_next (set, &error);
  g_assert_no_error (error);
  g_assert_nonnull (task);
  g_assert_cmpuint (js_task_get_id (task), ==, id);
  g_assert_cmpint (js_task_propagate_int (task, &error), ==, value);
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------------
 * Spawning
 * ------------------------------------------------------------------------ */

typedef struct
{
  JsJoinSet *set;
  Record     child;
  guint64    child_id;
  gboolean   child_ran_in_spawn;
} Parent;

static void
spawn_child (JsTask   *task,
             gpointer  user_data)
{
  Parent *parent = user_data;

  parent->child.value = 2;
  parent->child_id = js_join_set_spawn (parent->set, record_run, &parent->child, NULL);
  parent->child_ran_in_spawn = parent->child.ran;
  js_task_return_int (task, 1);
}

static void
test_spawn_not_reentrant (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Record record = { .value = 10 };
  Parent parent = { 0 };
  guint64 id, parent_id;

  g_test_summary ("js_join_set_spawn() never calls the function inside the "
                  "call, even from a task of the same set; the function runs "
                  "in the set's context");

  id = js_join_set_spawn (set, record_run, &record, NULL);
  g_assert_cmpuint (id, !=, 0);
  g_assert_false (record.ran);

  assert_join_int (set, id, 10);
  g_assert_true (record.ran);
  g_assert_true (record.thread == main_thread);
  g_assert_true (record.context == g_main_context_default ());
  g_assert_cmpuint (record.id, ==, id);

  parent.set = set;
  parent_id = js_join_set_spawn (set, spawn_child, &parent, NULL);
  assert_join_int (set, parent_id, 1);
  g_assert_cmpuint (parent.child_id, >, parent_id);
  g_assert_false (parent.child_ran_in_spawn);
  assert_join_int (set, parent.child_id, 2);
  g_assert_true (parent.child.ran);
  g_assert_true (parent.child.thread == main_thread);

  g_assert_finalize_object (g_steal_pointer (&set));
}

typedef struct
{
  GMainContext *context;
  JsJoinSet    *set;
  JsTestGate    set_ready;    /* opened by the helper */
  JsTestGate    spawned;      /* opened by the main thread */
  Record        helper_record;
  Record        main_record;
  guint64       helper_id;
  guint64       main_id;
} ContextTest;

static gpointer
context_helper (gpointer data)
{
  ContextTest *t = data;
  g_autoptr(GError) error = NULL;
  JsTask *first, *second;

  t->context = g_main_context_new ();
  g_main_context_push_thread_default (t->context);

  t->set = js_join_set_new ();
  t->helper_record.value = 1;
  t->helper_id = js_join_set_spawn (t->set, record_run, &t->helper_record, NULL);
  js_test_gate_open (&t->set_ready);

  js_test_gate_pass (&t->spawned);

  first = js_test_join_next (t->set, &error);
  g_assert_no_error (error);
  second = js_test_join_next (t->set, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_nonnull (second);
  g_assert_cmpuint (js_task_get_id (first), ==, t->helper_id);
  g_assert_cmpuint (js_task_get_id (second), ==, t->main_id);
  g_assert_finalize_object (first);
  g_assert_finalize_object (second);
  g_assert_finalize_object (g_steal_pointer (&t->set));

  g_main_context_pop_thread_default (t->context);

  return NULL;
}

static void
test_spawn_context (void)
{
  ContextTest t = { 0 };
  GThread *helper;

  g_test_summary ("Main-context tasks run in the thread-default context of "
                  "the thread that created the set, whichever thread spawns "
                  "them");

  js_test_gate_init (&t.set_ready);
  js_test_gate_init (&t.spawned);

  helper = g_thread_new ("context-helper", context_helper, &t);
  js_test_gate_pass (&t.set_ready);

  t.main_record.value = 2;
  t.main_id = js_join_set_spawn (t.set, record_run, &t.main_record, NULL);
  g_assert_cmpuint (t.main_id, >, t.helper_id);

  /* the helper is blocked, so only this thread could run them: it must not */
  js_test_iterate_pending (NULL);
  g_assert_false (t.main_record.ran);
  g_assert_false (t.helper_record.ran);

  js_test_gate_open (&t.spawned);
  g_thread_join (helper);

  g_assert_true (t.helper_record.ran);
  g_assert_true (t.helper_record.thread == helper);
  g_assert_true (t.helper_record.context == t.context);
  g_assert_true (t.main_record.ran);
  g_assert_true (t.main_record.thread == helper);
  g_assert_true (t.main_record.context == t.context);

  g_main_context_unref (t.context);
  js_test_gate_clear (&t.set_ready);
  js_test_gate_clear (&t.spawned);
}

static void
test_spawn_in_thread (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Record record = { .value = 3 };
  guint64 id;

  id = js_join_set_spawn_in_thread (set, record_run, &record, NULL);
  g_assert_cmpuint (id, !=, 0);
  assert_join_int (set, id, 3);
  g_assert_true (record.ran);
  g_assert_nonnull (record.thread);
  g_assert_true (record.thread != main_thread);
  g_assert_cmpuint (record.id, ==, id);

  g_assert_finalize_object (g_steal_pointer (&set));
}

static void
test_spawn_ids (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Record records[12] = { { 0 } };
  guint64 ids[G_N_ELEMENTS (records)];
  gboolean seen[G_N_ELEMENTS (records)] = { 0 };

  g_test_summary ("Ids are never 0, increase with each spawn, and the joined "
                  "task and its function see the id spawn returned");

  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    {
      records[i].value = i;
      if (i % 2 == 0)
        ids[i] = js_join_set_spawn (set, record_run, &records[i], NULL);
      else
        ids[i] = js_join_set_spawn_in_thread (set, record_run, &records[i], NULL);

      g_assert_cmpuint (ids[i], !=, 0);
      if (i > 0)
        g_assert_cmpuint (ids[i], >, ids[i - 1]);
    }

  g_assert_cmpuint (js_join_set_get_length (set), ==, G_N_ELEMENTS (records));

  for (guint n = 0; n < G_N_ELEMENTS (records); n++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsTask) task = js_test_join_next (set, &error);
      gssize i;

      g_assert_no_error (error);
      g_assert_nonnull (task);
      i = js_task_propagate_int (task, &error);
      g_assert_no_error (error);
      g_assert_cmpint (i, >=, 0);
      g_assert_cmpint (i, <, G_N_ELEMENTS (records));
      g_assert_false (seen[i]);
      seen[i] = TRUE;
      g_assert_cmpuint (js_task_get_id (task), ==, ids[i]);
      g_assert_cmpuint (records[i].id, ==, ids[i]);
    }

  g_assert_true (js_join_set_is_empty (set));
  g_assert_finalize_object (g_steal_pointer (&set));
}

/* ------------------------------------------------------------------------
 * The seed examples
 * ------------------------------------------------------------------------ */

static void
square (JsTask   *task,
        gpointer  user_data)
{
  gssize n = GPOINTER_TO_SIZE (user_data);

  g_assert_true (g_thread_self () != main_thread);
  js_task_return_int (task, n * n);
}

static void
test_example_sum_of_squares (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GError) error = NULL;
  JsTask *task;
  gssize total = 0;
  guint joined = 0;

  g_test_summary ("The class documentation's example: the sum of the squares "
                  "of 1..3, computed in threads, is 14");

  for (gsize n = 1; n <= 3; n++)
    g_assert_cmpuint (js_join_set_spawn_in_thread (set, square, GSIZE_TO_POINTER (n), NULL), !=, 0);

  while ((task = js_join_set_join_next (set, NULL, &error)))
    {
      total += js_task_propagate_int (task, &error);
      g_object_unref (task);
      g_assert_no_error (error);
      joined++;
    }
  g_assert_no_error (error);

  g_assert_cmpuint (joined, ==, 3);
  g_assert_cmpint (total, ==, 14);
  g_assert_finalize_object (g_steal_pointer (&set));
}

static void
word_length (JsTask   *task,
             gpointer  user_data)
{
  const char *word = user_data;

  js_task_return_int (task, g_utf8_strlen (word, -1));
}

static void
test_example_word_lengths (void)
{
  static const char * const words[] = { "red", "green", "blue" };
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GHashTable) index_of = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gssize lengths[G_N_ELEMENTS (words)] = { -1, -1, -1 };
  JsTestJoinAll all = { 0 };

  g_test_summary ("Word lengths computed by tasks, mapped back to their "
                  "words by task id: red, green, blue → 3, 5, 4");

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      guint64 id;

      if (i == 1)
        id = js_join_set_spawn_in_thread (set, word_length, (gpointer) words[i], NULL);
      else
        id = js_join_set_spawn (set, word_length, (gpointer) words[i], NULL);

      g_hash_table_insert (index_of, g_memdup2 (&id, sizeof id), GUINT_TO_POINTER (i));
    }

  js_join_set_join_all_async (set, NULL, js_test_join_all_cb, &all);
  js_test_iterate_until (NULL, &all.done);
  g_assert_no_error (all.error);
  g_assert_nonnull (all.tasks);
  g_assert_cmpuint (all.tasks->len, ==, G_N_ELEMENTS (words));

  for (guint i = 0; i < all.tasks->len; i++)
    {
      g_autoptr(GError) error = NULL;
      JsTask *task = g_ptr_array_index (all.tasks, i);
      guint64 id = js_task_get_id (task);
      guint index;

      g_assert_true (g_hash_table_contains (index_of, &id));
      index = GPOINTER_TO_UINT (g_hash_table_lookup (index_of, &id));
      g_assert_cmpint (lengths[index], ==, -1);
      lengths[index] = js_task_propagate_int (task, &error);
      g_assert_no_error (error);
    }

  g_assert_cmpint (lengths[0], ==, 3);
  g_assert_cmpint (lengths[1], ==, 5);
  g_assert_cmpint (lengths[2], ==, 4);

  g_ptr_array_unref (all.tasks);
  g_assert_true (js_join_set_is_empty (set));
  g_assert_finalize_object (g_steal_pointer (&set));
}

/* ------------------------------------------------------------------------
 * Completion order
 * ------------------------------------------------------------------------ */

static void
test_join_completion_order_threads (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Gated first, second;
  guint64 id1, id2;

  g_test_summary ("Tasks join in the order they finish, not the order they "
                  "were spawned");

  gated_init (&first, 1);
  gated_init (&second, 2);

  id1 = js_join_set_spawn_in_thread (set, gated_func, &first, NULL);
  id2 = js_join_set_spawn_in_thread (set, gated_func, &second, NULL);

  js_test_gate_open (&second.gate);
  assert_join_int (set, id2, 2);
  g_assert_cmpint (js_test_counter_get (&first.returned), ==, 0);

  js_test_gate_open (&first.gate);
  assert_join_int (set, id1, 1);

  g_assert_true (js_join_set_is_empty (set));
  g_assert_finalize_object (g_steal_pointer (&set));
  gated_clear (&first);
  gated_clear (&second);
}

typedef struct
{
  guint    started;
  guint    start_order[8];
  JsTask  *tasks[8];
} Held;

typedef struct
{
  Held  *held;
  guint  index;
} HeldSlot;

/* A main-context task that keeps its task and returns only when the test
 * completes it with complete_held(). */
static void
hold_task (JsTask   *task,
           gpointer  user_data)
{
  HeldSlot *slot = user_data;
  Held *held = slot->held;

  g_assert_true (g_thread_self () == main_thread);
  g_assert_null (held->tasks[slot->index]);
  held->tasks[slot->index] = g_object_ref (task);
  held->start_order[held->started++] = slot->index;
}

static void
complete_held (Held  *held,
               guint  index)
{
  JsTask *task = g_steal_pointer (&held->tasks[index]);

  g_assert_nonnull (task);
  js_task_return_int (task, index);
  g_object_unref (task);
}

static void
test_join_completion_order_main (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Held held = { 0 };
  HeldSlot slots[2] = { { &held, 0 }, { &held, 1 } };
  guint64 ids[2];

  for (guint i = 0; i < 2; i++)
    ids[i] = js_join_set_spawn (set, hold_task, &slots[i], NULL);

  while (held.started < 2)
    g_main_context_iteration (NULL, TRUE);

  complete_held (&held, 1);
  assert_join_int (set, ids[1], 1);
  complete_held (&held, 0);
  assert_join_int (set, ids[0], 0);

  g_assert_finalize_object (g_steal_pointer (&set));
}

/* ------------------------------------------------------------------------
 * join_next_async
 * ------------------------------------------------------------------------ */

static void
test_join_next_async_empty (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTestJoin join = { 0 };

  g_test_summary ("Joining an empty set gives no task and no error, never "
                  "from inside the call");

  js_join_set_join_next_async (set, NULL, js_test_join_cb, &join);
  g_assert_false (join.done);
  js_test_iterate_until (NULL, &join.done);
  g_assert_null (join.task);
  g_assert_no_error (join.error);
  g_assert_true (join.thread == main_thread);

  g_assert_finalize_object (g_steal_pointer (&set));
}

static void
test_join_next_async_fifo (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTestJoin joins[3] = { { 0 } };
  Gated gated[3];
  guint64 ids[3];
  JsTask *task;

  g_test_summary ("Several pending joins each get their own task, first "
                  "come first served, in completion order");

  for (guint i = 0; i < 3; i++)
    {
      gated_init (&gated[i], i);
      ids[i] = js_join_set_spawn_in_thread (set, gated_func, &gated[i], NULL);
    }

  for (guint i = 0; i < 3; i++)
    {
      js_join_set_join_next_async (set, NULL, js_test_join_cb, &joins[i]);
      g_assert_false (joins[i].done);
    }

  js_test_iterate_pending (NULL);
  for (guint i = 0; i < 3; i++)
    g_assert_false (joins[i].done);

  /* task 2 finishes first and goes to the first join */
  js_test_gate_open (&gated[2].gate);
  js_test_iterate_until (NULL, &joins[0].done);
  g_assert_no_error (joins[0].error);
  g_assert_nonnull (joins[0].task);
  g_assert_cmpuint (js_task_get_id (joins[0].task), ==, ids[2]);
  g_assert_false (joins[1].done);
  g_assert_false (joins[2].done);

  js_test_gate_open (&gated[0].gate);
  js_test_iterate_until (NULL, &joins[1].done);
  g_assert_no_error (joins[1].error);
  g_assert_nonnull (joins[1].task);
  g_assert_cmpuint (js_task_get_id (joins[1].task), ==, ids[0]);
  g_assert_false (joins[2].done);

  js_test_gate_open (&gated[1].gate);
  js_test_iterate_until (NULL, &joins[2].done);
  g_assert_no_error (joins[2].error);
  g_assert_nonnull (joins[2].task);
  g_assert_cmpuint (js_task_get_id (joins[2].task), ==, ids[1]);

  for (guint i = 0; i < 3; i++)
    {
      /* transfer full: the consumer holds the only reference */
      js_test_await_sole_reference (joins[i].task);
      g_assert_finalize_object (joins[i].task);
    }

  g_assert_true (js_join_set_is_empty (set));
  task = js_test_join_next (set, NULL);
  g_assert_null (task);

  g_assert_finalize_object (g_steal_pointer (&set));
  for (guint i = 0; i < 3; i++)
    gated_clear (&gated[i]);
}

static void
test_join_next_async_cancel (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  JsTestJoin join = { 0 };
  Gated gated;
  guint64 id;

  g_test_summary ("Cancelling a pending join fails it with "
                  "G_IO_ERROR_CANCELLED and loses no task");

  gated_init (&gated, 5);
  id = js_join_set_spawn_in_thread (set, gated_func, &gated, NULL);

  js_join_set_join_next_async (set, cancellable, js_test_join_cb, &join);
  js_test_iterate_pending (NULL);
  g_assert_false (join.done);

  g_cancellable_cancel (cancellable);
  js_test_iterate_until (NULL, &join.done);
  g_assert_null (join.task);
  g_assert_error (join.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&join.error);

  g_assert_cmpuint (js_join_set_get_length (set), ==, 1);
  g_assert_false (js_join_set_is_empty (set));

  /* the task finishes and is there for the next join */
  gated_finish (&gated);
  assert_join_int (set, id, 5);

  g_assert_finalize_object (g_steal_pointer (&set));
  gated_clear (&gated);
}

static void
test_join_next_async_cancel_served (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  JsTestJoin join = { 0 };
  Gated gated;
  guint64 id;

  g_test_summary ("A join that was handed its task before its callback ran "
                  "still returns the task if it is cancelled meanwhile");

  gated_init (&gated, 6);
  id = js_join_set_spawn_in_thread (set, gated_func, &gated, NULL);

  js_join_set_join_next_async (set, cancellable, js_test_join_cb, &join);
  js_test_iterate_pending (NULL);
  g_assert_false (join.done);

  /* the task completes, and the join takes it, without iterating */
  gated_finish (&gated);
  g_assert_true (js_join_set_is_empty (set));
  g_cancellable_cancel (cancellable);

  js_test_iterate_until (NULL, &join.done);
  g_assert_no_error (join.error);
  g_assert_nonnull (join.task);
  g_assert_cmpuint (js_task_get_id (join.task), ==, id);
  g_assert_cmpint (js_task_propagate_int (join.task, &error), ==, 6);
  g_assert_no_error (error);
  js_test_await_sole_reference (join.task);
  g_assert_finalize_object (join.task);

  g_assert_finalize_object (g_steal_pointer (&set));
  gated_clear (&gated);
}

static void
test_join_next_async_precancelled (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  JsTestJoin join = { 0 };
  Gated gated;
  guint64 id;

  g_test_summary ("A join with a cancellable already cancelled fails while "
                  "no task is ready, and loses no task");

  gated_init (&gated, 8);
  id = js_join_set_spawn_in_thread (set, gated_func, &gated, NULL);
  g_cancellable_cancel (cancellable);

  js_join_set_join_next_async (set, cancellable, js_test_join_cb, &join);
  g_assert_false (join.done);
  js_test_iterate_until (NULL, &join.done);
  g_assert_null (join.task);
  g_assert_error (join.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&join.error);

  gated_finish (&gated);
  assert_join_int (set, id, 8);

  g_assert_finalize_object (g_steal_pointer (&set));
  gated_clear (&gated);
}

typedef struct
{
  JsJoinSet    *set;
  GThread      *thread;
  JsTestJoin    first;
  JsTestJoin    empty;
  gint          done;     /* atomic */
} OtherContext;

static gpointer
other_context_helper (gpointer data)
{
  OtherContext *t = data;
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);

  js_join_set_join_next_async (t->set, NULL, js_test_join_cb, &t->first);
  g_assert_false (t->first.done);
  js_test_iterate_until (context, &t->first.done);

  js_join_set_join_next_async (t->set, NULL, js_test_join_cb, &t->empty);
  g_assert_false (t->empty.done);
  js_test_iterate_until (context, &t->empty.done);

  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  g_atomic_int_set (&t->done, TRUE);
  g_main_context_wakeup (NULL);

  return NULL;
}

static void
test_join_next_async_other_context (void)
{
  g_test_summary ("A join completes in the thread-default context of the "
                  "thread that started it, not in the set's context");

  for (guint kind = 0; kind < 2; kind++)
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      g_autoptr(GError) error = NULL;
      OtherContext t = { 0 };
      Record record = { .value = 11 };
      guint64 id;

      t.set = set;
      if (kind == 0)
        id = js_join_set_spawn_in_thread (set, record_run, &record, NULL);
      else
        id = js_join_set_spawn (set, record_run, &record, NULL);

      t.thread = g_thread_new ("other-context", other_context_helper, &t);

      /* A main-context task needs this thread to run the set's context; a
       * thread task's join must complete without it. */
      if (kind == 1)
        while (!g_atomic_int_get (&t.done))
          g_main_context_iteration (NULL, TRUE);
      g_thread_join (t.thread);
      js_test_iterate_pending (NULL);

      g_assert_true (t.first.thread == t.thread);
      g_assert_no_error (t.first.error);
      g_assert_nonnull (t.first.task);
      g_assert_cmpuint (js_task_get_id (t.first.task), ==, id);
      g_assert_cmpint (js_task_propagate_int (t.first.task, &error), ==, 11);
      g_assert_no_error (error);
      js_test_await_sole_reference (t.first.task);
      g_assert_finalize_object (t.first.task);

      g_assert_true (t.empty.thread == t.thread);
      g_assert_no_error (t.empty.error);
      g_assert_null (t.empty.task);

      if (kind == 1)
        g_assert_true (record.thread == main_thread);

      g_assert_finalize_object (g_steal_pointer (&set));
    }
}

/* A join_next_async() loop: each callback starts the next join, until
 * the set is empty. */
typedef struct
{
  guint     n_joined;
  gboolean  done;
  gboolean  in_call;    /* inside js_join_set_join_next_async() */
} JoinLoop;

static void
join_loop_next (JsJoinSet *set,
                JoinLoop  *loop);

static void
join_loop_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  JoinLoop *loop = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsTask) task = NULL;

  g_assert_false (loop->in_call);
  task = js_join_set_join_next_finish (JS_JOIN_SET (object), result, &error);
  g_assert_no_error (error);

  if (task == NULL)
    {
      loop->done = TRUE;
      return;
    }

  g_assert_cmpint (js_task_propagate_int (task, &error), ==, (gssize) js_task_get_id (task));
  loop->n_joined++;
  join_loop_next (JS_JOIN_SET (object), loop);
}

static void
join_loop_next (JsJoinSet *set,
                JoinLoop  *loop)
{
  loop->in_call = TRUE;
  js_join_set_join_next_async (set, NULL, join_loop_cb, loop);
  loop->in_call = FALSE;
}

static void
return_id (JsTask   *task,
           gpointer  user_data)
{
  js_task_return_int (task, (gssize) js_task_get_id (task));
}

static void
test_join_next_async_batched (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(JsJoinSet) set = NULL;
  JoinLoop loop = { 0 };
  const guint n = 200;

  g_test_summary ("A join_next_async() loop takes every finished task in "
                  "one main-loop iteration, never calling back from inside "
                  "the _async call");

  g_main_context_push_thread_default (context);
  set = js_join_set_new ();

  for (guint i = 0; i < n; i++)
    js_join_set_spawn_in_thread (set, return_id, NULL, NULL);
  while (js_join_set_get_n_finished (set) < n)
    g_usleep (1000);

  /* Nothing else is attached to this context: the first iteration that
   * dispatches anything is the set's source. */
  join_loop_next (set, &loop);
  g_assert_cmpuint (loop.n_joined, ==, 0);
  g_assert_true (g_main_context_iteration (context, FALSE));
  g_assert_cmpuint (loop.n_joined, ==, n);
  g_assert_true (loop.done);
  g_assert_true (js_join_set_is_empty (set));

  g_main_context_pop_thread_default (context);
  g_assert_finalize_object (g_steal_pointer (&set));
}

typedef struct
{
  GAsyncResult *result;
  GObject      *source_object;
  JsJoinSet    *set;          /* borrowed, for the checks */
} KeptResult;

static void
keep_result_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  KeptResult *kept = data;
  g_autoptr(GObject) source = g_async_result_get_source_object (result);

  g_assert_true (source == object);
  g_assert_true (g_async_result_get_user_data (result) == kept);
  g_assert_true (g_async_result_is_tagged (result, js_join_set_join_next_async));
  g_assert_false (g_async_result_is_tagged (result, js_join_set_join_all_async));
  kept->result = g_object_ref (result);
  kept->source_object = object;
}

static void
test_join_next_async_result (void)
{
  JsTestCounter freed;
  JsJoinSet *set = js_join_set_new ();
  KeptResult kept = { 0 };
  guint64 id;

  g_test_summary ("The result of a join is a GAsyncResult as GIO defines "
                  "it: it holds the set, and frees the task if nobody "
                  "finishes it");

  js_test_counter_init (&freed);
  id = js_join_set_spawn (set, producer_func,
                          producer_new (&freed, 5, NULL, NULL), producer_free);
  g_assert_cmpuint (id, >, 0);

  /* The pending join keeps the set alive without the caller's reference. */
  js_join_set_join_next_async (set, NULL, keep_result_cb, &kept);
  g_object_add_weak_pointer (G_OBJECT (set), (gpointer *) &set);
  g_object_unref (set);
  g_assert_nonnull (set);
  js_test_iterate_until (NULL, (gboolean *) &kept.result);
  g_assert_true (kept.source_object == (GObject *) set);
  g_assert_nonnull (set);

  /* Dropped unfinished: the task, and so its result, go with it. */
  g_assert_cmpint (js_test_counter_get (&freed), ==, 0);
  g_object_unref (kept.result);
  g_assert_cmpint (js_test_counter_get (&freed), ==, 1);
  g_assert_null (set);

  js_test_counter_clear (&freed);
}

typedef struct
{
  guint         step;          /* joins delivered */
  GAsyncResult *results[3];    /* borrowed: only compared */
  gboolean      weak_notified;
  gboolean      delivered;     /* reset before each join */
} ReusedResults;

static void
on_reused_result_notify (GObject    *object,
                         GParamSpec *pspec,
                         gpointer    data)
{
  g_assert_not_reached ();
}

static void
on_reused_result_weak_notify (gpointer  data,
                              GObject  *where_the_object_was)
{
  ((ReusedResults *) data)->weak_notified = TRUE;
}

static void
reused_result_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      data)
{
  ReusedResults *r = data;
  g_autoptr(GObject) source = g_async_result_get_source_object (result);
  guint notify_id = g_signal_lookup ("notify", G_TYPE_OBJECT);
  g_autoptr(JsTask) task = NULL;

  /* Whatever object it is, it describes this join. */
  g_assert_true (source == object);
  g_assert_true (g_async_result_get_user_data (result) == r);
  g_assert_true (g_async_result_is_tagged (result, js_join_set_join_next_async));
  g_assert_false (g_signal_has_handler_pending (result, notify_id, 0, TRUE));

  r->delivered = TRUE;
  r->results[r->step] = result;
  switch (r->step++)
    {
    case 0:
      /* Finished, no reference kept: it may serve the next join, without
       * the handler connected here. */
      task = js_join_set_join_next_finish (JS_JOIN_SET (object), result, NULL);
      g_assert_nonnull (task);
      g_signal_connect (result, "notify", G_CALLBACK (on_reused_result_notify), NULL);
      break;

    case 1:
      /* Something is attached to it: it is finalized, never reused. */
      task = js_join_set_join_next_finish (JS_JOIN_SET (object), result, NULL);
      g_assert_nonnull (task);
      g_object_weak_ref (G_OBJECT (result), on_reused_result_weak_notify, r);
      break;

    case 2:
      /* Not finished: the task goes when the callback returns. */
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
test_join_next_async_result_reused (void)
{
  JsTestCounter freed;
  JsJoinSet *set = js_join_set_new ();
  ReusedResults r = { 0 };

  g_test_summary ("A join's result that nobody can see any more after its "
                  "callback serves the next join, with nothing of the "
                  "previous one left on it: not when something is attached "
                  "to it, and never keeping the set alive");

  js_test_counter_init (&freed);
  for (guint i = 0; i < 3; i++)
    js_join_set_spawn (set, producer_func, producer_new (&freed, i, NULL, NULL),
                       producer_free);
  js_test_iterate_pending (NULL);

  r.delivered = FALSE;
  js_join_set_join_next_async (set, NULL, reused_result_cb, &r);
  js_test_iterate_until (NULL, &r.delivered);
  g_assert_cmpuint (r.step, ==, 1);
  g_assert_cmpint (js_test_counter_get (&freed), ==, 1);

  /* The same object, reused; with a weak reference on it, finalized. */
  r.delivered = FALSE;
  js_join_set_join_next_async (set, NULL, reused_result_cb, &r);
  js_test_iterate_until (NULL, &r.delivered);
  g_assert_cmpuint (r.step, ==, 2);
  g_assert_true (r.results[1] == r.results[0]);
  g_assert_true (r.weak_notified);
  g_assert_cmpint (js_test_counter_get (&freed), ==, 2);

  /* Unfinished: its task is freed as the callback returns. */
  r.delivered = FALSE;
  js_join_set_join_next_async (set, NULL, reused_result_cb, &r);
  js_test_iterate_until (NULL, &r.delivered);
  g_assert_cmpuint (r.step, ==, 3);
  g_assert_cmpint (js_test_counter_get (&freed), ==, 3);

  /* A kept result holds no reference to the set. */
  g_assert_finalize_object (set);
  js_test_counter_clear (&freed);
}

static void
test_join_next_async_no_callback (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTestCounter freed;

  g_test_summary ("A join without a callback takes a task and frees it, as "
                  "a GTask without a callback would, with or without a "
                  "cancellable");

  js_test_counter_init (&freed);
  for (guint i = 0; i < 2; i++)
    js_join_set_spawn (set, producer_func, producer_new (&freed, i, NULL, NULL),
                       producer_free);
  js_test_iterate_pending (NULL);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 2);

  js_join_set_join_next_async (set, NULL, NULL, NULL);
  js_join_set_join_next_async (set, cancellable, NULL, NULL);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 0);
  js_test_iterate_pending (NULL);
  g_assert_cmpint (js_test_counter_get (&freed), ==, 2);

  g_assert_finalize_object (g_steal_pointer (&set));
  js_test_counter_clear (&freed);
}

/* ------------------------------------------------------------------------
 * try_join_next
 * ------------------------------------------------------------------------ */

static void
test_try_join_next (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GError) error = NULL;
  JsTask *task;
  Gated gated;
  guint64 id;

  g_test_summary ("try_join_next() returns NULL while nothing finished; "
                  "is_empty() tells an empty set from one still running");

  g_assert_null (js_join_set_try_join_next (set));
  g_assert_true (js_join_set_is_empty (set));

  gated_init (&gated, 4);
  id = js_join_set_spawn_in_thread (set, gated_func, &gated, NULL);
  js_test_gate_await_entered (&gated.gate, 1);

  g_assert_null (js_join_set_try_join_next (set));
  g_assert_false (js_join_set_is_empty (set));
  g_assert_cmpuint (js_join_set_get_length (set), ==, 1);

  /* visible at once, without iterating any context */
  gated_finish (&gated);
  task = js_join_set_try_join_next (set);
  g_assert_nonnull (task);
  g_assert_cmpuint (js_task_get_id (task), ==, id);
  g_assert_cmpint (js_task_propagate_int (task, &error), ==, 4);
  g_assert_no_error (error);
  g_assert_true (js_join_set_is_empty (set));
  g_assert_null (js_join_set_try_join_next (set));

  js_test_await_sole_reference (task);
  g_assert_finalize_object (task);
  g_assert_finalize_object (g_steal_pointer (&set));
  gated_clear (&gated);
}

/* ------------------------------------------------------------------------
 * join_next (blocking)
 * ------------------------------------------------------------------------ */

static gboolean
return_later_cb (gpointer data)
{
  JsTask *task = data;

  js_task_return_int (task, 200);

  return G_SOURCE_REMOVE;
}

static void
return_from_idle (JsTask   *task,
                  gpointer  user_data)
{
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, return_later_cb,
                   g_object_ref (task), g_object_unref);
}

static void
return_from_timeout (JsTask   *task,
                     gpointer  user_data)
{
  g_timeout_add_full (G_PRIORITY_DEFAULT, 2, return_later_cb,
                      g_object_ref (task), g_object_unref);
}

static void
test_join_next_main_tasks (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GError) error = NULL;
  Record record = { .value = 200 };
  guint n = 0;
  JsTask *task;

  g_test_summary ("The blocking join_next() called from the thread that "
                  "runs the set's context iterates it, so main-context "
                  "tasks, even ones completing from callbacks, still run");

  js_join_set_spawn (set, return_from_timeout, NULL, NULL);
  js_join_set_spawn (set, return_from_idle, NULL, NULL);
  js_join_set_spawn (set, record_run, &record, NULL);

  while ((task = js_join_set_join_next (set, NULL, &error)) != NULL)
    {
      g_assert_cmpint (js_task_propagate_int (task, &error), ==, 200);
      g_assert_no_error (error);
      g_assert_finalize_object (task);
      n++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_true (record.thread == main_thread);

  g_assert_finalize_object (g_steal_pointer (&set));
}

static void
test_join_next_empty (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_assert_null (js_join_set_join_next (set, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (js_join_set_join_next (set, cancellable, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (g_steal_pointer (&set));
}

/* A worker that blocks in join_next() while the main thread runs the
 * set's context one iteration at a time, as a GTK 4 application does, and
 * a spawner thread adds a main-context task every 200 µs. */
#define N_POLLED 100

typedef struct
{
  JsJoinSet *set;
  Record     records[N_POLLED];
  guint      n_joined;
  gboolean   done;        /* atomic */
} PollingWorker;

static gpointer
spawn_slowly (gpointer data)
{
  PollingWorker *t = data;

  for (guint i = 0; i < N_POLLED; i++)
    {
      t->records[i].value = 5;
      js_join_set_spawn (t->set, record_run, &t->records[i], NULL);
      g_usleep (200);
    }

  return NULL;
}

static gpointer
join_while_polled (gpointer data)
{
  PollingWorker *t = data;

  while (t->n_joined < N_POLLED)
    {
      g_autoptr(GError) error = NULL;
      JsTask *task = js_join_set_join_next (t->set, NULL, &error);

      g_assert_no_error (error);
      if (task == NULL)
        {
          /* Empty for now: the spawner adds the next one. */
          g_thread_yield ();
          continue;
        }
      g_assert_cmpint (js_task_propagate_int (task, &error), ==, 5);
      g_assert_no_error (error);
      g_object_unref (task);
      t->n_joined++;
    }
  g_atomic_int_set (&t->done, TRUE);
  g_main_context_wakeup (NULL);

  return NULL;
}

static void
test_join_next_worker_polled (gconstpointer blocking)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  PollingWorker t = { 0 };
  GThread *worker, *spawner;
  guint n_elsewhere = 0;

  g_test_summary ("A blocking join_next() in a worker never runs the set's "
                  "context, not even between two iterations of the thread "
                  "that runs it: every main-context task runs in the main "
                  "thread, whether it polls or blocks in each iteration");

  t.set = set;
  worker = g_thread_new ("joiner", join_while_polled, &t);
  spawner = g_thread_new ("spawner", spawn_slowly, &t);
  while (!g_atomic_int_get (&t.done))
    {
      if (!g_main_context_iteration (NULL, GPOINTER_TO_INT (blocking)))
        g_usleep (50);
    }
  g_thread_join (spawner);
  g_thread_join (worker);

  g_assert_cmpuint (t.n_joined, ==, N_POLLED);
  for (guint i = 0; i < N_POLLED; i++)
    n_elsewhere += t.records[i].thread != main_thread;
  g_assert_cmpuint (n_elsewhere, ==, 0);
  g_assert_finalize_object (g_steal_pointer (&set));
}

/* A main-context task that spawns a thread task and blocks in join_next()
 * for it, inside the outer join_next() that runs it. With @finish_first
 * (user_data of the set's first task), the thread task finishes before the
 * inner join starts, so the outer join, already waiting, is served with it
 * first. */
static void
nested_join_run (JsJoinSet *set,
                 gboolean   finish_first)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsTask) inner = NULL;
  Record record = { .value = 7 };
  gint64 deadline = g_get_monotonic_time () + JS_TEST_DEADLINE_USEC;

  js_join_set_spawn_in_thread (set, record_run, &record, NULL);
  while (finish_first && js_join_set_get_n_finished (set) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }

  inner = js_join_set_join_next (set, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (inner);
  g_assert_cmpint (js_task_propagate_int (inner, NULL), ==, 7);
}

static void
nested_join_func (JsTask   *task,
                  gpointer  user_data)
{
  nested_join_run (user_data, FALSE);
  js_task_return_int (task, 1);
}

static void
nested_join_late_func (JsTask   *task,
                       gpointer  user_data)
{
  nested_join_run (user_data, TRUE);
  js_task_return_int (task, 1);
}

/* Runs @func as the outer task, in a subprocess: a deadlock fails the test
 * instead of hanging it. */
static void
nested_join_test (JsTaskFunc  func,
                  const char *summary)
{
  if (!g_test_subprocess ())
    {
      g_test_summary (summary);
      g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
    }
  else
    {
      g_autoptr(JsJoinSet) set = js_join_set_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(JsTask) outer = NULL;

      js_join_set_spawn (set, func, set, NULL);
      outer = js_join_set_join_next (set, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (outer);
      g_assert_cmpint (js_task_propagate_int (outer, NULL), ==, 1);
      g_assert_null (js_join_set_join_next (set, NULL, &error));
      g_assert_no_error (error);
    }
}

static void
test_join_next_nested (void)
{
  nested_join_test (nested_join_func,
                    "Nested blocking joins on one thread serve the "
                    "innermost first: a main-context task that blocks in "
                    "join_next() for the thread task it spawned gets it, "
                    "while the outer join_next() that runs it waits");
}

static void
test_join_next_nested_finished_first (void)
{
  nested_join_test (nested_join_late_func,
                    "A nested blocking join gets the task that finished "
                    "just before it started, although the outer join "
                    "that runs its caller was served with it already: "
                    "the outer one waits again (it deadlocked before)");
}

typedef struct
{
  JsJoinSet *set;
  GMainLoop *loop;
  Record     records[3];
  guint64    ids[4];
  gboolean   seen[4];
  guint      n_joined;
  gboolean   got_null;
  GThread   *worker;
} FromWorker;

static gpointer
join_from_worker (gpointer data)
{
  FromWorker *t = data;
  g_autoptr(GError) error = NULL;
  JsTask *task;

  while ((task = js_join_set_join_next (t->set, NULL, &error)) != NULL)
    {
      guint64 id = js_task_get_id (task);
      gboolean known = FALSE;

      g_assert_cmpint (js_task_propagate_int (task, &error), ==, 30);
      g_assert_no_error (error);
      for (guint i = 0; i < G_N_ELEMENTS (t->ids); i++)
        if (t->ids[i] == id)
          {
            g_assert_false (t->seen[i]);
            t->seen[i] = known = TRUE;
          }
      g_assert_true (known);
      g_object_unref (task);
      t->n_joined++;
    }
  g_assert_no_error (error);
  t->got_null = TRUE;

  g_main_loop_quit (t->loop);

  return NULL;
}

static gboolean
start_worker_cb (gpointer data)
{
  FromWorker *t = data;

  t->worker = g_thread_new ("joiner", join_from_worker, t);

  return G_SOURCE_REMOVE;
}

static void
test_join_next_from_worker (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  FromWorker t = { 0 };
  Record thread_record = { .value = 30 };

  g_test_summary ("The blocking join_next() called from a worker thread "
                  "while the main thread runs the set's loop waits for it "
                  "without deadlock; main-context tasks run in the main "
                  "thread");

  t.set = set;
  t.loop = g_main_loop_new (NULL, FALSE);
  for (guint i = 0; i < 3; i++)
    {
      t.records[i].value = 30;
      t.ids[i] = js_join_set_spawn (set, record_run, &t.records[i], NULL);
    }
  t.ids[3] = js_join_set_spawn_in_thread (set, record_run, &thread_record, NULL);

  /* start the worker once the loop owns the context */
  g_idle_add (start_worker_cb, &t);
  g_main_loop_run (t.loop);
  g_thread_join (t.worker);

  g_assert_true (t.got_null);
  g_assert_cmpuint (t.n_joined, ==, 4);
  for (guint i = 0; i < 3; i++)
    g_assert_true (t.records[i].thread == main_thread);

  g_main_loop_unref (t.loop);
  g_assert_finalize_object (g_steal_pointer (&set));
}

static gpointer
cancel_thread_func (gpointer data)
{
  g_cancellable_cancel (data);

  return NULL;
}

typedef struct
{
  GCancellable *cancellable;
  GThread      *thread;
} CancelLater;

static gboolean
cancel_from_thread_cb (gpointer data)
{
  CancelLater *later = data;

  later->thread = g_thread_new ("canceller", cancel_thread_func, later->cancellable);

  return G_SOURCE_REMOVE;
}

static void
test_join_next_cancel_owner (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  CancelLater later = { cancellable, NULL };
  Gated gated;
  guint64 id;

  g_test_summary ("Cancelling a blocking join_next() from another thread "
                  "while it iterates the set's context returns NULL with "
                  "G_IO_ERROR_CANCELLED, and loses no task");

  gated_init (&gated, 12);
  id = js_join_set_spawn_in_thread (set, gated_func, &gated, NULL);

  /* dispatched by join_next() itself, which proves it is blocked there */
  g_idle_add (cancel_from_thread_cb, &later);
  g_assert_null (js_join_set_join_next (set, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_nonnull (later.thread);
  g_thread_join (later.thread);

  g_assert_cmpuint (js_join_set_get_length (set), ==, 1);
  gated_finish (&gated);
  assert_join_int (set, id, 12);

  g_assert_finalize_object (g_steal_pointer (&set));
  gated_clear (&gated);
}

typedef struct
{
  JsJoinSet     *set;
  GCancellable  *cancellable;
  GMainLoop     *loop;
  JsTestGate     joining;
  JsTask        *task;
  GError        *error;
} CancelWaiting;

static gpointer
cancel_waiting_worker (gpointer data)
{
  CancelWaiting *t = data;

  js_test_gate_open (&t->joining);
  t->task = js_join_set_join_next (t->set, t->cancellable, &t->error);
  g_main_loop_quit (t->loop);

  return NULL;
}

static gboolean
start_cancel_waiting_cb (gpointer data)
{
  CancelWaiting *t = data;
  GThread *worker = g_thread_new ("joiner", cancel_waiting_worker, t);

  js_test_gate_pass (&t->joining);
  g_cancellable_cancel (t->cancellable);
  g_thread_unref (worker);

  return G_SOURCE_REMOVE;
}

static void
test_join_next_cancel_waiting (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  CancelWaiting t = { 0 };
  Gated gated;
  guint64 id;

  g_test_summary ("Cancelling a blocking join_next() that waits in a worker "
                  "thread returns NULL with G_IO_ERROR_CANCELLED, and loses "
                  "no task");

  gated_init (&gated, 13);
  id = js_join_set_spawn_in_thread (set, gated_func, &gated, NULL);

  t.set = set;
  t.cancellable = g_cancellable_new ();
  t.loop = g_main_loop_new (NULL, FALSE);
  js_test_gate_init (&t.joining);

  g_idle_add (start_cancel_waiting_cb, &t);
  g_main_loop_run (t.loop);

  g_assert_null (t.task);
  g_assert_error (t.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&t.error);

  g_assert_cmpuint (js_join_set_get_length (set), ==, 1);
  gated_finish (&gated);
  assert_join_int (set, id, 13);

  js_test_gate_clear (&t.joining);
  g_main_loop_unref (t.loop);
  g_object_unref (t.cancellable);
  g_assert_finalize_object (g_steal_pointer (&set));
  gated_clear (&gated);
}

/* ------------------------------------------------------------------------
 * join_all
 * ------------------------------------------------------------------------ */

static void
test_join_all_order (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTestJoinAll all = { 0 };
  Gated gated[4];
  guint64 ids[4];
  guint expected[4] = { 2, 3, 0, 1 };

  g_test_summary ("join_all_async() returns every task in completion order, "
                  "including tasks spawned while it waits");

  for (guint i = 0; i < 3; i++)
    {
      gated_init (&gated[i], i);
      ids[i] = js_join_set_spawn_in_thread (set, gated_func, &gated[i], NULL);
    }
  gated_init (&gated[3], 3);

  js_join_set_join_all_async (set, NULL, js_test_join_all_cb, &all);
  js_test_iterate_pending (NULL);
  g_assert_false (all.done);

  gated_finish (&gated[2]);
  js_test_iterate_pending (NULL);
  g_assert_false (all.done);

  ids[3] = js_join_set_spawn_in_thread (set, gated_func, &gated[3], NULL);
  gated_finish (&gated[3]);
  gated_finish (&gated[0]);
  js_test_iterate_pending (NULL);
  g_assert_false (all.done);

  gated_finish (&gated[1]);
  js_test_iterate_until (NULL, &all.done);
  g_assert_no_error (all.error);
  g_assert_nonnull (all.tasks);
  g_assert_cmpuint (all.tasks->len, ==, 4);

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GError) error = NULL;
      JsTask *task = g_ptr_array_index (all.tasks, i);

      g_assert_cmpuint (js_task_get_id (task), ==, ids[expected[i]]);
      g_assert_cmpint (js_task_propagate_int (task, &error), ==, expected[i]);
      g_assert_no_error (error);
    }

  g_assert_true (js_join_set_is_empty (set));

  for (guint i = 0; i < 4; i++)
    {
      JsTask *task = g_ptr_array_steal_index (all.tasks, 0);

      js_test_await_sole_reference (task);
      g_assert_finalize_object (task);
    }
  g_ptr_array_unref (all.tasks);

  g_assert_finalize_object (g_steal_pointer (&set));
  for (guint i = 0; i < 4; i++)
    gated_clear (&gated[i]);
}

static void
test_join_all_empty (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTestJoinAll all = { 0 };

  js_join_set_join_all_async (set, NULL, js_test_join_all_cb, &all);
  g_assert_false (all.done);
  js_test_iterate_until (NULL, &all.done);
  g_assert_no_error (all.error);
  g_assert_nonnull (all.tasks);
  g_assert_cmpuint (all.tasks->len, ==, 0);
  g_ptr_array_unref (all.tasks);

  g_assert_finalize_object (g_steal_pointer (&set));
}

static void
test_join_all_cancel (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  JsTestJoinAll all = { 0 };
  Gated gated[5];
  guint64 ids[5];
  const guint order[] = { 2, 0, 1, 3 };

  g_test_summary ("Cancelling join_all_async() fails it and puts back the "
                  "tasks it had taken, in completion order: none is lost");

  for (guint i = 0; i < 5; i++)
    {
      gated_init (&gated[i], i);
      ids[i] = js_join_set_spawn_in_thread (set, gated_func, &gated[i], NULL);
    }
  gated_finish (&gated[2]);
  gated_finish (&gated[0]);
  gated_finish (&gated[1]);

  js_join_set_join_all_async (set, cancellable, js_test_join_all_cb, &all);
  js_test_iterate_pending (NULL);
  g_assert_false (all.done);

  /* one more finishes while the join waits */
  gated_finish (&gated[3]);
  js_test_iterate_pending (NULL);
  g_assert_false (all.done);

  g_cancellable_cancel (cancellable);
  js_test_iterate_until (NULL, &all.done);
  g_assert_null (all.tasks);
  g_assert_error (all.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&all.error);

  g_assert_cmpuint (js_join_set_get_length (set), ==, 5);

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autoptr(GError) error = NULL;
      JsTask *task = js_join_set_try_join_next (set);

      g_assert_nonnull (task);
      g_assert_cmpuint (js_task_get_id (task), ==, ids[order[i]]);
      g_assert_cmpint (js_task_propagate_int (task, &error), ==, order[i]);
      g_assert_no_error (error);
      js_test_await_sole_reference (task);
      g_assert_finalize_object (task);
    }
  g_assert_null (js_join_set_try_join_next (set));

  gated_finish (&gated[4]);
  assert_join_int (set, ids[4], 4);

  g_assert_finalize_object (g_steal_pointer (&set));
  for (guint i = 0; i < 5; i++)
    gated_clear (&gated[i]);
}

/* ------------------------------------------------------------------------
 * max-concurrent
 * ------------------------------------------------------------------------ */

#define N_LIMITED 6

typedef struct
{
  GMutex        mutex;
  guint         start_order[N_LIMITED];
  gint          running;
  gint          max_running;
  JsTestCounter started;
  JsTestCounter finished;
  JsTestGate    gates[N_LIMITED];
} Limited;

typedef struct
{
  Limited *limited;
  guint    index;
} LimitedSlot;

static void
limited_func (JsTask   *task,
              gpointer  user_data)
{
  LimitedSlot *slot = user_data;
  Limited *l = slot->limited;

  g_mutex_lock (&l->mutex);
  l->start_order[js_test_counter_get (&l->started)] = slot->index;
  l->running++;
  l->max_running = MAX (l->max_running, l->running);
  js_test_counter_inc (&l->started);
  g_mutex_unlock (&l->mutex);

  js_test_gate_pass (&l->gates[slot->index]);

  g_mutex_lock (&l->mutex);
  l->running--;
  g_mutex_unlock (&l->mutex);

  js_task_return_int (task, slot->index);
  js_test_counter_inc (&l->finished);
}

static void
test_max_concurrent_threads (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  const guint limit = 2;
  Limited l = { 0 };
  LimitedSlot slots[N_LIMITED];

  g_test_summary ("With max-concurrent = 2, never more than 2 thread "
                  "functions run at once, and waiting tasks start in spawn "
                  "order as slots free up");

  g_mutex_init (&l.mutex);
  js_test_counter_init (&l.started);
  js_test_counter_init (&l.finished);
  for (guint i = 0; i < N_LIMITED; i++)
    js_test_gate_init (&l.gates[i]);

  js_join_set_set_max_concurrent (set, limit);
  g_assert_cmpuint (js_join_set_get_max_concurrent (set), ==, limit);

  for (guint i = 0; i < N_LIMITED; i++)
    {
      slots[i].limited = &l;
      slots[i].index = i;
      js_join_set_spawn_in_thread (set, limited_func, &slots[i], NULL);
    }

  for (guint k = 0; k < N_LIMITED; k++)
    {
      guint expected = MIN (k + limit, N_LIMITED);
      guint first;

      js_test_counter_await (&l.started, expected);
      g_mutex_lock (&l.mutex);
      g_assert_cmpint (js_test_counter_get (&l.started), ==, expected);
      g_assert_cmpint (l.running, <=, limit);
      first = l.start_order[k];
      g_mutex_unlock (&l.mutex);

      js_test_gate_open (&l.gates[first]);
      js_test_counter_await (&l.finished, k + 1);
    }

  g_assert_cmpint (l.max_running, ==, limit);
  for (guint i = 0; i < N_LIMITED; i++)
    g_assert_cmpuint (l.start_order[i], ==, i);

  for (guint i = 0; i < N_LIMITED; i++)
    {
      g_autoptr(JsTask) task = js_test_join_next (set, NULL);

      g_assert_nonnull (task);
    }

  g_assert_finalize_object (g_steal_pointer (&set));
  for (guint i = 0; i < N_LIMITED; i++)
    js_test_gate_clear (&l.gates[i]);
  js_test_counter_clear (&l.started);
  js_test_counter_clear (&l.finished);
  g_mutex_clear (&l.mutex);
}

static void
test_max_concurrent_main (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  Held held = { 0 };
  HeldSlot slots[5];
  guint64 ids[5];

  g_test_summary ("A main-context task holds its slot until it completes, "
                  "not just until its function returns");

  js_join_set_set_max_concurrent (set, 2);

  for (guint i = 0; i < 5; i++)
    {
      slots[i].held = &held;
      slots[i].index = i;
      ids[i] = js_join_set_spawn (set, hold_task, &slots[i], NULL);
    }

  while (held.started < 2)
    g_main_context_iteration (NULL, TRUE);
  js_test_iterate_pending (NULL);
  g_assert_cmpuint (held.started, ==, 2);

  /* complete them out of order: the next waiting one starts each time */
  complete_held (&held, 1);
  while (held.started < 3)
    g_main_context_iteration (NULL, TRUE);
  js_test_iterate_pending (NULL);
  g_assert_cmpuint (held.started, ==, 3);

  complete_held (&held, 0);
  complete_held (&held, 2);
  while (held.started < 5)
    g_main_context_iteration (NULL, TRUE);
  complete_held (&held, 4);
  complete_held (&held, 3);

  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (held.start_order[i], ==, i);

  assert_join_int (set, ids[1], 1);
  assert_join_int (set, ids[0], 0);
  assert_join_int (set, ids[2], 2);
  assert_join_int (set, ids[4], 4);
  assert_join_int (set, ids[3], 3);

  g_assert_finalize_object (g_steal_pointer (&set));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_max_concurrent_raise (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  guint notified = 0;
  guint value = 0;
  Gated gated[3];

  g_test_summary ("Raising max-concurrent starts waiting tasks at once, "
                  "without any task finishing; the property is notified "
                  "only when it changes");

  g_signal_connect (set, "notify::max-concurrent", G_CALLBACK (count_notify), &notified);

  js_join_set_set_max_concurrent (set, 1);
  g_assert_cmpuint (notified, ==, 1);
  js_join_set_set_max_concurrent (set, 1);
  g_assert_cmpuint (notified, ==, 1);

  for (guint i = 0; i < 3; i++)
    {
      gated_init (&gated[i], i);
      g_assert_cmpuint (js_join_set_spawn_in_thread (set, gated_func, &gated[i], NULL), !=, 0);
    }

  js_test_gate_await_entered (&gated[0].gate, 1);
  g_assert_cmpuint (js_test_gate_get_entered (&gated[1].gate), ==, 0);
  g_assert_cmpuint (js_test_gate_get_entered (&gated[2].gate), ==, 0);

  g_object_set (set, "max-concurrent", 3, NULL);
  g_assert_cmpuint (notified, ==, 2);
  g_object_get (set, "max-concurrent", &value, NULL);
  g_assert_cmpuint (value, ==, 3);

  /* the first one still blocks its slot */
  js_test_gate_await_entered (&gated[1].gate, 1);
  js_test_gate_await_entered (&gated[2].gate, 1);
  g_assert_cmpint (js_test_counter_get (&gated[0].returned), ==, 0);

  for (guint i = 0; i < 3; i++)
    gated_finish (&gated[i]);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsTask) task = js_test_join_next (set, NULL);

      g_assert_nonnull (task);
    }

  /* 0 means no limit */
  js_join_set_set_max_concurrent (set, 0);
  g_assert_cmpuint (notified, ==, 3);
  g_assert_cmpuint (js_join_set_get_max_concurrent (set), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&set));
  for (guint i = 0; i < 3; i++)
    gated_clear (&gated[i]);
}

static void
test_abort_on_error_property (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  gboolean value = TRUE;
  guint notified = 0;

  g_signal_connect (set, "notify::abort-on-error", G_CALLBACK (count_notify), &notified);

  g_assert_false (js_join_set_get_abort_on_error (set));
  js_join_set_set_abort_on_error (set, TRUE);
  g_assert_true (js_join_set_get_abort_on_error (set));
  g_assert_cmpuint (notified, ==, 1);
  js_join_set_set_abort_on_error (set, 42);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (set, "abort-on-error", &value, NULL);
  g_assert_true (value);
  g_object_set (set, "abort-on-error", FALSE, NULL);
  g_assert_cmpuint (notified, ==, 2);
  g_assert_false (js_join_set_get_abort_on_error (set));

  g_assert_finalize_object (g_steal_pointer (&set));
}

static void
test_construct_properties (void)
{
  JsJoinSet *set;
  gboolean abort_on_error = FALSE;
  guint max_concurrent = 0, length = 1;
  GCancellable *cancellable = (GCancellable *) 0x1;

  set = g_object_new (JS_TYPE_JOIN_SET,
                      "max-concurrent", 3,
                      "abort-on-error", TRUE,
                      NULL);
  g_assert_cmpuint (js_join_set_get_max_concurrent (set), ==, 3);
  g_assert_true (js_join_set_get_abort_on_error (set));
  g_assert_null (js_join_set_get_cancellable (set));
  g_assert_false (js_join_set_is_closed (set));

  g_object_get (set,
                "max-concurrent", &max_concurrent,
                "abort-on-error", &abort_on_error,
                "length", &length,
                "cancellable", &cancellable,
                NULL);
  g_assert_cmpuint (max_concurrent, ==, 3);
  g_assert_true (abort_on_error);
  g_assert_cmpuint (length, ==, 0);
  g_assert_null (cancellable);

  g_assert_finalize_object (set);
}

/* ------------------------------------------------------------------------
 * length
 * ------------------------------------------------------------------------ */

typedef struct
{
  guint    count;
  guint    length;
  GThread *thread;
} LengthNotify;

static void
on_length_notify (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  LengthNotify *n = user_data;

  n->count++;
  n->thread = g_thread_self ();
  g_object_get (object, "length", &n->length, NULL);
}

typedef struct
{
  JsJoinSet *set;
  Gated     *gated;
} SpawnFromThread;

static gpointer
spawn_from_thread (gpointer data)
{
  SpawnFromThread *t = data;

  return GSIZE_TO_POINTER (js_join_set_spawn_in_thread (t->set, gated_func, t->gated, NULL));
}

static void
wait_for_notify (LengthNotify *n,
                 guint         count)
{
  while (n->count < count)
    g_main_context_iteration (NULL, TRUE);
  js_test_iterate_pending (NULL);
  g_assert_cmpuint (n->count, ==, count);
}

static void
test_length (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  LengthNotify n = { 0 };
  SpawnFromThread spawner;
  Gated gated[5];
  JsTask *task;
  GThread *thread;

  g_test_summary ("length counts tasks spawned and not joined; notify::length "
                  "is emitted in the set's context, once per iteration, and "
                  "not when the length is unchanged");

  g_signal_connect (set, "notify::length", G_CALLBACK (on_length_notify), &n);
  for (guint i = 0; i < G_N_ELEMENTS (gated); i++)
    gated_init (&gated[i], i);

  for (guint i = 0; i < 3; i++)
    js_join_set_spawn_in_thread (set, gated_func, &gated[i], NULL);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 3);
  g_assert_cmpuint (n.count, ==, 0);

  wait_for_notify (&n, 1);
  g_assert_cmpuint (n.length, ==, 3);
  g_assert_true (n.thread == main_thread);

  /* finishing does not change the length: joining does */
  for (guint i = 0; i < 3; i++)
    gated_finish (&gated[i]);
  js_test_iterate_pending (NULL);
  g_assert_cmpuint (n.count, ==, 1);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 3);

  task = js_join_set_try_join_next (set);
  g_assert_nonnull (task);
  g_object_unref (task);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 2);
  g_assert_cmpuint (n.count, ==, 1);
  wait_for_notify (&n, 2);
  g_assert_cmpuint (n.length, ==, 2);

  /* up and down again within one iteration: no notification */
  js_join_set_spawn_in_thread (set, gated_func, &gated[3], NULL);
  task = js_join_set_try_join_next (set);
  g_assert_nonnull (task);
  g_object_unref (task);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 2);
  js_test_iterate_pending (NULL);
  g_assert_cmpuint (n.count, ==, 2);

  /* spawned from another thread, notified in the set's context */
  spawner.set = set;
  spawner.gated = &gated[4];
  thread = g_thread_new ("spawner", spawn_from_thread, &spawner);
  g_assert_cmpuint (GPOINTER_TO_SIZE (g_thread_join (thread)), !=, 0);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 3);
  wait_for_notify (&n, 3);
  g_assert_cmpuint (n.length, ==, 3);
  g_assert_true (n.thread == main_thread);

  gated_finish (&gated[3]);
  gated_finish (&gated[4]);
  for (guint i = 0; i < 3; i++)
    {
      task = js_test_join_next (set, NULL);
      g_assert_nonnull (task);
      g_object_unref (task);
    }
  g_assert_cmpuint (js_join_set_get_length (set), ==, 0);
  js_test_iterate_pending (NULL);
  g_assert_cmpuint (n.count, >, 3);
  g_assert_cmpuint (n.length, ==, 0);

  g_assert_finalize_object (g_steal_pointer (&set));
  for (guint i = 0; i < G_N_ELEMENTS (gated); i++)
    gated_clear (&gated[i]);
}

/* ------------------------------------------------------------------------
 * detach_all
 * ------------------------------------------------------------------------ */

typedef struct
{
  JsTestCounter  data_freed;
  JsTestCounter  result_freed;
  JsTask        *held;
} Detach;

static void
hold_main_task (JsTask   *task,
                gpointer  user_data)
{
  Detach *d = user_data;

  d->held = g_object_ref (task);
}

static void
detach_data_free (gpointer data)
{
  Detach *d = data;

  js_test_counter_inc (&d->data_freed);
}

static void
test_detach_all (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTestCounter returned;
  JsTestGate gate;
  Detach d;
  Record after = { .value = 77 };
  guint64 id;

  g_test_summary ("detach_all() empties the set; its tasks run on, queued "
                  "ones included, and every result is freed exactly once");

  js_test_counter_init (&d.data_freed);
  js_test_counter_init (&d.result_freed);
  js_test_counter_init (&returned);
  js_test_gate_init (&gate);
  d.held = NULL;

  /* B: completed, not joined */
  js_join_set_spawn_in_thread (set, producer_func,
                               producer_new (&d.result_freed, 1, NULL, &returned),
                               producer_free);
  js_test_counter_await (&returned, 1);

  /* M: running in the main context, completes later */
  js_join_set_spawn (set, hold_main_task, &d, detach_data_free);
  while (d.held == NULL)
    g_main_context_iteration (NULL, TRUE);

  /* A: running in a thread, blocked; C: queued behind it */
  js_join_set_set_max_concurrent (set, 2);
  js_join_set_spawn_in_thread (set, producer_func,
                               producer_new (&d.result_freed, 2, &gate, &returned),
                               producer_free);
  js_test_gate_await_entered (&gate, 1);
  js_join_set_spawn_in_thread (set, producer_func,
                               producer_new (&d.result_freed, 3, NULL, &returned),
                               producer_free);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 4);

  js_join_set_detach_all (set);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 0);
  g_assert_true (js_join_set_is_empty (set));
  g_assert_null (js_join_set_try_join_next (set));
  g_assert_false (js_join_set_is_closed (set));

  /* B's result was nobody's (its worker may still hold B a moment) */
  g_assert_cmpint (js_test_counter_await (&d.result_freed, 1), ==, 1);

  /* M completes; once its producer lets go, result and data are freed */
  js_task_return_pointer (d.held, js_test_tracked_new (&d.result_freed, 4),
                          js_test_tracked_free);
  g_assert_cmpint (js_test_counter_get (&d.data_freed), ==, 0);
  g_clear_object (&d.held);
  /* M's return freed its slot, so C may already have run on a worker and
   * had its detached result freed too. */
  g_assert_cmpint (js_test_counter_get (&d.result_freed), >=, 2);
  g_assert_cmpint (js_test_counter_get (&d.result_freed), <=, 3);
  g_assert_cmpint (js_test_counter_get (&d.data_freed), ==, 1);

  /* M's slot went to C; A finishes too, and both results are freed */
  js_test_gate_open (&gate);
  js_test_counter_await (&returned, 3);
  g_assert_cmpint (js_test_counter_await (&d.result_freed, 4), ==, 4);

  /* the set is still usable, and has only the new task */
  id = js_join_set_spawn (set, record_run, &after, NULL);
  g_assert_cmpuint (js_join_set_get_length (set), ==, 1);
  assert_join_int (set, id, 77);
  g_assert_true (js_join_set_is_empty (set));

  g_assert_finalize_object (g_steal_pointer (&set));
  g_assert_cmpint (js_test_counter_get (&d.result_freed), ==, 4);
  g_assert_cmpint (js_test_counter_get (&d.data_freed), ==, 1);

  js_test_counter_clear (&d.data_freed);
  js_test_counter_clear (&d.result_freed);
  js_test_counter_clear (&returned);
  js_test_gate_clear (&gate);
}

static void
test_detach_all_pending_join (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  JsTestJoin join = { 0 };
  Gated gated;

  g_test_summary ("Pending joins complete with no task when the set's tasks "
                  "are detached");

  gated_init (&gated, 1);
  js_join_set_spawn_in_thread (set, gated_func, &gated, NULL);
  js_join_set_join_next_async (set, NULL, js_test_join_cb, &join);
  js_test_iterate_pending (NULL);
  g_assert_false (join.done);

  js_join_set_detach_all (set);
  js_test_iterate_until (NULL, &join.done);
  g_assert_null (join.task);
  g_assert_no_error (join.error);

  /* the detached task still runs to its end */
  gated_finish (&gated);
  g_assert_null (js_join_set_try_join_next (set));
  g_assert_true (js_join_set_is_empty (set));

  g_assert_finalize_object (g_steal_pointer (&set));
  gated_clear (&gated);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  main_thread = g_thread_self ();

  g_test_add_func ("/join-set/spawn/not-reentrant", test_spawn_not_reentrant);
  g_test_add_func ("/join-set/spawn/context", test_spawn_context);
  g_test_add_func ("/join-set/spawn/in-thread", test_spawn_in_thread);
  g_test_add_func ("/join-set/spawn/ids", test_spawn_ids);
  g_test_add_func ("/join-set/examples/sum-of-squares", test_example_sum_of_squares);
  g_test_add_func ("/join-set/examples/word-lengths", test_example_word_lengths);
  g_test_add_func ("/join-set/join/completion-order-threads", test_join_completion_order_threads);
  g_test_add_func ("/join-set/join/completion-order-main", test_join_completion_order_main);
  g_test_add_func ("/join-set/join-next-async/empty", test_join_next_async_empty);
  g_test_add_func ("/join-set/join-next-async/fifo", test_join_next_async_fifo);
  g_test_add_func ("/join-set/join-next-async/cancel", test_join_next_async_cancel);
  g_test_add_func ("/join-set/join-next-async/cancel-served", test_join_next_async_cancel_served);
  g_test_add_func ("/join-set/join-next-async/precancelled", test_join_next_async_precancelled);
  g_test_add_func ("/join-set/join-next-async/other-context", test_join_next_async_other_context);
  g_test_add_func ("/join-set/join-next-async/batched", test_join_next_async_batched);
  g_test_add_func ("/join-set/join-next-async/result", test_join_next_async_result);
  g_test_add_func ("/join-set/join-next-async/result-reused", test_join_next_async_result_reused);
  g_test_add_func ("/join-set/join-next-async/no-callback", test_join_next_async_no_callback);
  g_test_add_func ("/join-set/try-join-next/basic", test_try_join_next);
  g_test_add_func ("/join-set/join-next/main-tasks", test_join_next_main_tasks);
  g_test_add_func ("/join-set/join-next/empty", test_join_next_empty);
  g_test_add_func ("/join-set/join-next/from-worker", test_join_next_from_worker);
  g_test_add_data_func ("/join-set/join-next/from-worker-polling", GINT_TO_POINTER (FALSE), test_join_next_worker_polled);
  g_test_add_data_func ("/join-set/join-next/from-worker-iterating", GINT_TO_POINTER (TRUE), test_join_next_worker_polled);
  g_test_add_func ("/join-set/join-next/nested", test_join_next_nested);
  g_test_add_func ("/join-set/join-next/nested-finished-first",
                   test_join_next_nested_finished_first);
  g_test_add_func ("/join-set/join-next/cancel-owner", test_join_next_cancel_owner);
  g_test_add_func ("/join-set/join-next/cancel-waiting", test_join_next_cancel_waiting);
  g_test_add_func ("/join-set/join-all/order", test_join_all_order);
  g_test_add_func ("/join-set/join-all/empty", test_join_all_empty);
  g_test_add_func ("/join-set/join-all/cancel", test_join_all_cancel);
  g_test_add_func ("/join-set/max-concurrent/threads", test_max_concurrent_threads);
  g_test_add_func ("/join-set/max-concurrent/main", test_max_concurrent_main);
  g_test_add_func ("/join-set/max-concurrent/raise", test_max_concurrent_raise);
  g_test_add_func ("/join-set/properties/abort-on-error", test_abort_on_error_property);
  g_test_add_func ("/join-set/properties/construct", test_construct_properties);
  g_test_add_func ("/join-set/length/notify", test_length);
  g_test_add_func ("/join-set/detach-all/tasks", test_detach_all);
  g_test_add_func ("/join-set/detach-all/pending-join", test_detach_all_pending_join);

  return g_test_run ();
}
