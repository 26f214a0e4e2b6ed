/* test-run-queue.c: the run queue of a core, against a fake pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The scheduler is private: this program links the internal static library
 * and drives one core directly. The core's pool is replaced by a fake that
 * records what the run queue asks of it (drainers, watching) and runs
 * nothing by itself: the test decides when a drainer runs, on its own
 * thread, so every count below is deterministic.
 */

#include "config.h"

#include "js-core-private.h"

typedef struct
{
  guint n_pushed;          /* drainers asked for */
  guint n_watched;         /* watch requests */
} FakePool;

static FakePool fake;

static void
fake_push_drainer (JsPoolClient *client)
{
  fake.n_pushed++;
}

static void
fake_watch (JsPoolClient *client)
{
  fake.n_watched++;
}

static const JsPoolOps fake_pool_ops = {
  .push_drainer = fake_push_drainer,
  .watch = fake_watch,
};

typedef struct
{
  GObject *owner;          /* stands in for the JsJoinSet */
  JsCore  *core;
  GArray  *order;          /* guint64: ids in the order their function ran */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  memset (&fake, 0, sizeof fake);
  f->owner = g_object_new (G_TYPE_OBJECT, NULL);
  f->core = _js_core_new (f->owner, NULL);
  f->core->pool_ops = &fake_pool_ops;
  f->core->soft_cap = 2;
  f->order = g_array_new (FALSE, FALSE, sizeof (guint64));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  _js_core_dispose (f->core);
  /* The source, and any task left, hold references too. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&f->core, _js_core_unref);
  g_assert_finalize_object (f->owner);
  g_array_unref (f->order);
}

static void
record_func (JsTask   *task,
             gpointer  user_data)
{
  Fixture *f = user_data;
  guint64 id = js_task_get_id (task);

  g_array_append_val (f->order, id);
  js_task_return_int (task, (gssize) id * 10);
}

static guint64
spawn (Fixture  *f,
       gboolean  in_thread)
{
  JsTask *task = _js_task_new (f->core, record_func, f, NULL, in_thread, NULL, FALSE, FALSE);

  return _js_run_queue_spawn (f->core, task, -1);
}

/* Runs one drainer to the end, on this thread, as a pool worker would. */
static void
run_drainer (Fixture *f)
{
  f->core->pool_client.funcs->drain (&f->core->pool_client);
}

static void
test_slots_fifo (Fixture       *f,
                 gconstpointer  data)
{
  g_test_summary ("With max-concurrent 2, the first two thread tasks take "
                  "the slots, the rest wait in spawn order; a drainer runs "
                  "them all, in FIFO order, as slots free up");

  g_assert_true (_js_core_set_policy (f->core, JS_CORE_MAX_CONCURRENT, 2));
  g_assert_false (_js_core_set_policy (f->core, JS_CORE_MAX_CONCURRENT, 2));

  for (guint64 i = 1; i <= 5; i++)
    g_assert_cmpuint (spawn (f, TRUE), ==, i);

  g_assert_cmpuint (f->core->n_active, ==, 2);
  g_assert_cmpuint (f->core->thread_ready.length, ==, 2);
  g_assert_cmpuint (f->core->queue.length, ==, 3);
  g_assert_cmpuint (f->core->n_queued, ==, 5);
  g_assert_cmpuint (f->core->length, ==, 5);
  /* One drainer per ready task, up to the soft cap; nobody is stuck. */
  g_assert_cmpuint (fake.n_pushed, ==, 2);
  g_assert_cmpuint (f->core->n_drainers, ==, 2);
  g_assert_cmpuint (fake.n_watched, ==, 0);

  run_drainer (f);

  g_assert_cmpuint (f->order->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (g_array_index (f->order, guint64, i), ==, i + 1);
  g_assert_cmpuint (f->core->n_active, ==, 0);
  g_assert_cmpuint (f->core->n_queued, ==, 0);
  g_assert_cmpuint (f->core->n_running, ==, 0);
  g_assert_cmpuint (f->core->n_finished, ==, 5);
  g_assert_cmpuint (f->core->n_busy, ==, 0);
  /* The drainer that ran exited; the other one was never run. */
  g_assert_cmpuint (f->core->n_drainers, ==, 1);
  /* The slots it freed were taken by queued tasks, which the running
   * drainer took itself: no more drainers were asked for. */
  g_assert_cmpuint (fake.n_pushed, ==, 2);

  for (guint64 i = 1; i <= 5; i++)
    {
      g_autoptr(JsTask) task = _js_waiter_try_join_next (f->core);

      g_assert_nonnull (task);
      g_assert_cmpuint (js_task_get_id (task), ==, i);
      g_assert_cmpint (js_task_propagate_int (task, NULL), ==, (gssize) i * 10);
    }
  g_assert_null (_js_waiter_try_join_next (f->core));
  g_assert_cmpuint (f->core->length, ==, 0);

  /* The last drainer finds nothing and exits. */
  run_drainer (f);
  g_assert_cmpuint (f->core->n_drainers, ==, 0);
}

static void
test_raise_limit (Fixture       *f,
                  gconstpointer  data)
{
  g_test_summary ("Raising max-concurrent moves waiting tasks to the ready "
                  "queue at once and asks for drainers for them");

  _js_core_set_policy (f->core, JS_CORE_MAX_CONCURRENT, 1);
  for (guint i = 0; i < 4; i++)
    spawn (f, TRUE);
  g_assert_cmpuint (f->core->thread_ready.length, ==, 1);
  g_assert_cmpuint (fake.n_pushed, ==, 1);

  g_assert_true (_js_core_set_policy (f->core, JS_CORE_MAX_CONCURRENT, 0));
  g_assert_cmpuint (f->core->queue.length, ==, 0);
  g_assert_cmpuint (f->core->thread_ready.length, ==, 4);
  g_assert_cmpuint (f->core->n_active, ==, 4);
  /* Up to the soft cap; beyond it the watchdog decides. */
  g_assert_cmpuint (fake.n_pushed, ==, 2);
  g_assert_cmpuint (fake.n_watched, ==, 1);
  g_assert_true (f->core->watched);

  run_drainer (f);
  g_assert_cmpuint (f->order->len, ==, 4);
}

static void
test_watchdog (Fixture       *f,
               gconstpointer  data)
{
  g_test_summary ("More ready thread tasks than drainers engage the "
                  "watchdog once; a tick with no task started adds a "
                  "drainer, a tick with none ready stops watching");

  f->core->soft_cap = 1;
  spawn (f, TRUE);
  spawn (f, TRUE);

  g_assert_cmpuint (fake.n_pushed, ==, 1);
  g_assert_cmpuint (fake.n_watched, ==, 1);

  /* No task started since the watch began: every drainer is stuck. */
  g_assert_true (f->core->pool_client.funcs->check_stalled (&f->core->pool_client));
  g_assert_cmpuint (fake.n_pushed, ==, 2);
  g_assert_cmpuint (f->core->n_drainers, ==, 2);

  /* A third spawn does not watch twice. */
  spawn (f, TRUE);
  g_assert_cmpuint (fake.n_watched, ==, 1);

  run_drainer (f);
  g_assert_cmpuint (f->order->len, ==, 3);

  g_assert_false (f->core->pool_client.funcs->check_stalled (&f->core->pool_client));
  g_assert_false (f->core->watched);
  g_assert_cmpuint (fake.n_pushed, ==, 2);
}

static void
test_main_context (Fixture       *f,
                   gconstpointer  data)
{
  g_test_summary ("A main-context task is made ready and arms the source, "
                  "asks the pool for nothing, and runs from the context");

  spawn (f, FALSE);
  g_assert_cmpuint (f->core->main_ready.length, ==, 1);
  g_assert_cmpint (f->core->arm_time, ==, 0);
  g_assert_cmpuint (fake.n_pushed, ==, 0);
  g_assert_cmpuint (f->order->len, ==, 0);

  while (f->order->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (f->core->n_active, ==, 0);
  g_assert_cmpuint (f->core->completed.length, ==, 1);
}

static void
destroy_count (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_closed (Fixture       *f,
             gconstpointer  data)
{
  guint destroyed = 0;
  JsTask *task;

  g_test_summary ("A closed core spawns nothing: the task is dropped and "
                  "its user_data destroyed at once");

  f->core->closed = TRUE;
  task = _js_task_new (f->core, record_func, &destroyed, destroy_count, TRUE, NULL, FALSE, FALSE);
  g_assert_cmpuint (_js_run_queue_spawn (f->core, task, -1), ==, 0);
  g_assert_cmpuint (destroyed, ==, 1);
  g_assert_cmpuint (f->core->length, ==, 0);
  g_assert_cmpuint (f->core->n_spawned, ==, 0);
  g_assert_cmpuint (fake.n_pushed, ==, 0);
}

static void
test_lock_check (Fixture       *f,
                 gconstpointer  data)
{
#ifdef JS_ENABLE_LOCK_CHECKS
  g_test_summary ("In a debug build, a _locked function called without "
                  "the core's lock aborts");

  if (g_test_subprocess ())
    {
      JsFlush flush = JS_FLUSH_INIT;

      _js_run_queue_schedule_locked (f->core, &flush);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*assertion failed*lock_owner*");
#else
  g_test_skip ("lock checks are built into debug builds only");
#endif
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/join-set/run-queue/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("slots-fifo", test_slots_fifo);
  ADD ("raise-limit", test_raise_limit);
  ADD ("watchdog", test_watchdog);
  ADD ("main-context", test_main_context);
  ADD ("closed", test_closed);
  ADD ("lock-check", test_lock_check);

#undef ADD

  return g_test_run ();
}
