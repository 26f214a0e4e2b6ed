/* task-list.c: a live list of the tasks of a set, as a GtkListView shows
 * it, without GTK: js_join_set_get_tasks() with its items-changed and the
 * state of each task
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

static const char *files[] = { "a.jpg", "b.jpg", "c.jpg" };

/* Starts making a thumbnail. The operation is in flight until main()
 * completes it, in the order it chooses, so that this program prints the
 * same lines every time. */
static void
make_thumbnail (JsTask   *task,
                gpointer  user_data)
{
  GPtrArray *in_flight = user_data;

  g_ptr_array_add (in_flight, g_object_ref (task));
}

static const char *
state_name (JsTaskState state)
{
  switch (state)
    {
    case JS_TASK_STATE_QUEUED:
      return "queued";
    case JS_TASK_STATE_RUNNING:
      return "running";
    case JS_TASK_STATE_FINISHED:
    default:
      return "finished";
    }
}

/* What a row of the list view binds to: the task's name and state. */
static void
on_state_changed (JsTask     *task,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  guint *n_notified = user_data;

  g_print ("%s is %s\n", js_task_get_name (task), state_name (js_task_get_state (task)));
  (*n_notified)++;
}

/* What the list view does on items-changed: it reads the items in the
 * span that changed (here, the whole list, to print it). */
static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  guint *n_changes = user_data;

  g_print ("items-changed at %u: %u removed, %u added\n", position, removed, added);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(JsTask) task = g_list_model_get_item (model, i);

      g_print ("  row %u: %s, %s\n", i, js_task_get_name (task),
               state_name (js_task_get_state (task)));
    }
  (*n_changes)++;
}

static void
iterate_until (const guint *counter,
               guint        value)
{
  while (*counter < value)
    g_main_context_iteration (NULL, TRUE);
}

int
main (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) in_flight = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GListModel) model = js_join_set_get_tasks (set);
  const guint finish_order[] = { 1, 0, 2 };
  guint n_changes = 0, n_notified = 0;

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &n_changes);

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    js_join_set_spawn_full (set, JS_SPAWN_DEFAULT, files[i], 0,
                            make_thumbnail, in_flight, NULL);

  /* One items-changed for the three spawns. */
  iterate_until (&n_changes, 1);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(JsTask) task = g_list_model_get_item (model, i);

      g_signal_connect (task, "notify::state", G_CALLBACK (on_state_changed), &n_notified);
    }
  iterate_until (&n_notified, 3);

  /* Each operation completes; its task is joined and leaves the list. */
  for (guint i = 0; i < G_N_ELEMENTS (finish_order); i++)
    {
      JsTask *done = g_ptr_array_index (in_flight, finish_order[i]);
      g_autoptr(JsTask) joined = NULL;

      js_task_return_int (done, 1);
      iterate_until (&n_notified, 4 + i);

      joined = js_join_set_try_join_next (set);
      g_print ("joined %s\n", js_task_get_name (joined));
      iterate_until (&n_changes, 2 + i);
    }

  return 0;
}
