/* timeouts.c: a time limit for every task of a set, one for a single task,
 * and a join that returns what finished before a deadline
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

/* Stands for a DNS lookup: a host whose name starts with "slow" never
 * answers, the others answer at once. A slow lookup waits on its
 * cancellable, so it returns as soon as its task is aborted. */
static void
look_up (JsTask   *task,
         gpointer  user_data)
{
  const char *host = user_data;

  if (g_str_has_prefix (host, "slow"))
    {
      GPollFD fd;

      if (g_cancellable_make_pollfd (js_task_get_cancellable (task), &fd))
        {
          g_poll (&fd, 1, -1);
          g_cancellable_release_fd (js_task_get_cancellable (task));
        }
    }

  if (!js_task_return_error_if_cancelled (task))
    js_task_return_pointer (task, g_strdup_printf ("192.0.2.%zu", strlen (host)), g_free);
}

/* The set is ordered: the tasks come back in the order of @hosts. */
static void
print_task (JsTask     *task,
            const char *host)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = js_task_propagate_pointer (task, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_print ("  %s: timed out (%s)\n", host, error->message);
  else if (error != NULL)
    g_print ("  %s: %s\n", host, error->message);
  else
    g_print ("  %s: %s\n", host, answer);
}

static void
spawn_all (JsJoinSet   *set,
           const char **hosts)
{
  for (guint i = 0; hosts[i] != NULL; i++)
    js_join_set_spawn_in_thread (set, look_up, (gpointer) hosts[i], NULL);
}

static void
print_joined (JsJoinSet   *set,
              const char **hosts)
{
  JsTask *task;

  for (guint i = 0; (task = js_join_set_join_next (set, NULL, NULL)) != NULL; i++)
    {
      print_task (task, hosts[i]);
      g_object_unref (task);
    }
}

static void
on_partial_results (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GPtrArray **tasks = user_data;

  *tasks = js_join_set_join_all_timeout_finish (JS_JOIN_SET (source), result, NULL);
}

int
main (void)
{
  const char *first[] = { "fast.example.org", "slow.example.org", NULL };
  const char *mirror[] = { "slow.mirror.example.org", NULL };
  const char *last[] = { "a.example.org", "b.example.org", "slow.c.example.org", NULL };
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  g_autoptr(GPtrArray) tasks = NULL;

  /* Joins in spawn order, so that the output does not depend on which
   * task finishes first. */
  js_join_set_set_ordered (set, TRUE);

  /* 1. Every task spawned from now on gets 200 ms, counted from the call
   *    of its function. */
  js_join_set_set_timeout (set, 200);
  spawn_all (set, first);
  g_print ("A timeout for every task:\n");
  print_joined (set, first);

  /* 2. spawn_full() gives one task a limit of its own, whatever the set's
   *    (0 for none), and a name. */
  js_join_set_spawn_full (set, JS_SPAWN_IN_THREAD, mirror[0], 50,
                          look_up, (gpointer) mirror[0], NULL);
  g_print ("A timeout for one task:\n");
  print_joined (set, mirror);

  /* 3. No time limit for the tasks, but a deadline for the join: it gives
   *    back what finished in time and leaves the rest in the set. */
  js_join_set_set_timeout (set, 0);
  spawn_all (set, last);
  js_join_set_join_all_timeout_async (set, 300, NULL, on_partial_results, &tasks);
  while (tasks == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_print ("A deadline for the join: %u tasks in time, %u left\n",
           tasks->len, js_join_set_get_length (set));
  for (guint i = 0; i < tasks->len; i++)
    print_task (g_ptr_array_index (tasks, i), last[i]);

  /* What is left is still running: abort it. */
  js_join_set_abort_all (set);
  print_joined (set, last + tasks->len);

  return EXIT_SUCCESS;
}
