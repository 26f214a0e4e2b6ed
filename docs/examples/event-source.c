/* event-source.c: take results as they finish without an _async join,
 * from the set's task-finished signal
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

typedef struct
{
  GMainLoop *loop;
  guint      n_left;
} Collector;

static void
square (JsTask   *task,
        gpointer  user_data)
{
  gssize n = GPOINTER_TO_SIZE (user_data);

  js_task_return_int (task, n * n);
}

/* Emitted in the set's main context for every task that finishes. The
 * task is finished, but still in the set: take it, and any other that
 * finished meanwhile, with try_join_next(). */
static void
on_task_finished (JsJoinSet *set,
                  JsTask    *finished,
                  Collector *c)
{
  JsTask *task;

  while ((task = js_join_set_try_join_next (set)) != NULL)
    {
      g_print ("task %" G_GUINT64_FORMAT ": %zd\n",
               js_task_get_id (task), js_task_propagate_int (task, NULL));
      g_object_unref (task);
      if (--c->n_left == 0)
        g_main_loop_quit (c->loop);
    }
}

int
main (void)
{
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Collector c = { loop, 3 };

  /* Ordered, so that what this prints does not depend on timing. */
  js_join_set_set_ordered (set, TRUE);
  g_signal_connect (set, "task-finished", G_CALLBACK (on_task_finished), &c);

  for (gsize n = 1; n <= 3; n++)
    js_join_set_spawn_in_thread (set, square, GSIZE_TO_POINTER (n), NULL);

  g_main_loop_run (loop);
  g_print ("empty: %s\n", js_join_set_is_empty (set) ? "yes" : "no");

  return 0;
}
