/* join-by-id.c: wait for the one task the program needs now, and leave
 * the others running
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

typedef struct
{
  GMainLoop *loop;
  JsJoinSet *set;
  guint64    settings_id;
} App;

static void
load (JsTask   *task,
      gpointer  user_data)
{
  const char *what = user_data;

  /* The settings are small: they load first, but nothing relies on it. */
  g_usleep (g_str_equal (what, "settings") ? 1000 : 20000);
  js_task_return_pointer (task, g_strdup_printf ("%s loaded", what), g_free);
}

static void
on_rest_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GPtrArray) rest = js_join_set_join_all_finish (app->set, result, NULL);

  g_print ("Then the %u other tasks\n", rest->len);
  g_main_loop_quit (app->loop);
}

static void
on_settings (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsTask) task = NULL;
  g_autoptr(JsTask) again = NULL;

  task = js_join_set_join_by_id_finish (app->set, result, &error);
  g_print ("%s\n", (const char *) js_task_propagate_pointer (task, &error));
  g_print ("%u tasks are still in the set\n", js_join_set_get_length (app->set));

  /* A task is joined once: its id is not in the set any more. */
  again = js_join_set_join_by_id (app->set, app->settings_id, NULL, &error);
  g_print ("Joining it again: %s\n", error->message);

  js_join_set_join_all_async (app->set, NULL, on_rest_done, app);
}

int
main (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(JsJoinSet) set = js_join_set_new ();
  App app = { loop, set, 0 };

  js_join_set_spawn_in_thread (set, load, "thumbnails", NULL);
  app.settings_id = js_join_set_spawn_in_thread (set, load, "settings", NULL);
  js_join_set_spawn_in_thread (set, load, "search index", NULL);

  /* The window needs the settings now; the rest can wait. */
  js_join_set_join_by_id_async (set, app.settings_id, NULL, on_settings, &app);
  g_main_loop_run (loop);

  return EXIT_SUCCESS;
}
