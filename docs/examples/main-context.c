/* main-context.c: which thread runs what
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

static GThread *main_thread;

static const char *
this_thread (void)
{
  return g_thread_self () == main_thread ? "the main thread" : "a worker thread";
}

static void
report (JsTask   *task,
        gpointer  user_data)
{
  js_task_return_pointer (task, g_strdup (this_thread ()), g_free);
}

static gpointer
producer (gpointer data)
{
  JsJoinSet *set = data;

  /* Spawning is safe from any thread; the task still runs in the
   * main context of the set. */
  js_join_set_spawn (set, report, NULL, NULL);

  return NULL;
}

static void
on_all_joined (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  const char *how[] = {
    "spawn() from the main thread",
    "spawn_in_thread() from the main thread",
    "spawn() from a worker thread",
  };
  GMainLoop *loop = user_data;
  g_autoptr(GPtrArray) tasks = NULL;

  tasks = js_join_set_join_all_finish (JS_JOIN_SET (source), result, NULL);

  for (guint64 id = 1; id <= G_N_ELEMENTS (how); id++)
    for (guint i = 0; i < tasks->len; i++)
      {
        JsTask *task = g_ptr_array_index (tasks, i);
        g_autofree char *ran_in = NULL;

        if (js_task_get_id (task) != id)
          continue;

        ran_in = js_task_propagate_pointer (task, NULL);
        g_print ("Task %" G_GUINT64_FORMAT ", %s, ran in %s\n",
                 id, how[id - 1], ran_in);
      }

  g_print ("The join callback ran in %s\n", this_thread ());

  g_main_loop_quit (loop);
}

int
main (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(JsJoinSet) set = NULL;
  GThread *thread;

  main_thread = g_thread_self ();

  /* The set takes the thread-default main context of the thread that
   * creates it: here the global default context, run by the main thread. */
  set = js_join_set_new ();

  js_join_set_spawn (set, report, NULL, NULL);
  js_join_set_spawn_in_thread (set, report, NULL, NULL);

  thread = g_thread_new ("producer", producer, set);
  g_thread_join (thread);

  js_join_set_join_all_async (set, NULL, on_all_joined, loop);
  g_main_loop_run (loop);

  return EXIT_SUCCESS;
}
