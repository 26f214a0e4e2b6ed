/* stress-util.h: watchdog, knobs and seeds shared by the stress tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The stress tests run long loops against real threads. Two things make
 * their failures useful instead of mysterious:
 *
 * - a watchdog thread: the test bumps a progress counter at every step and
 *   says what it is doing; if the counter does not move for
 *   JS_STRESS_STALL_SECONDS (default 3), the watchdog prints the step, the
 *   seed and the round, attaches gdb to print every thread's backtrace (when
 *   gdb is installed and JS_STRESS_GDB is not 0), and aborts;
 * - a seed: every random choice of the main thread comes from it, printed
 *   at the start; JS_STRESS_SEED=N replays the same choices (thread
 *   scheduling still varies).
 *
 * Knobs (environment variables, all optional):
 *   JS_STRESS_ROUNDS          rounds per case (stress-early-exit)
 *   JS_STRESS_TASKS           tasks in total (stress-threads)
 *   JS_STRESS_SEED            base seed
 *   JS_STRESS_STALL_SECONDS   watchdog limit
 *   JS_STRESS_GDB             0 to not attach gdb on a stall
 */

#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <joinset/joinset.h>

G_BEGIN_DECLS

static inline guint64
stress_env_uint (const char *name,
                 guint64     fallback)
{
  const char *value = g_getenv (name);
  guint64 n;

  if (value == NULL || *value == '\0')
    return fallback;
  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &n, NULL))
    g_error ("%s=%s is not a number", name, value);
  return n;
}

/* ------------------------------------------------------------------------
 * Watchdog
 * ------------------------------------------------------------------------ */

typedef struct
{
  GThread     *thread;
  gint         progress;       /* atomic: bumped by the test */
  gint         stop;           /* atomic */
  gint         armed;          /* atomic: 0 between test cases */
  guint64      stall_usec;
  const char  *volatile what;  /* static string: the current step */
  volatile guint64 round;
  volatile guint32 seed;
  void       (*dump) (void);   /* prints test state on a stall */
} StressWatchdog;

static StressWatchdog stress_watchdog;

static inline void
stress_step (const char *what)
{
  stress_watchdog.what = what;
  g_atomic_int_inc (&stress_watchdog.progress);
}

static inline void
stress_watchdog_arm (gboolean armed)
{
  g_atomic_int_inc (&stress_watchdog.progress);
  g_atomic_int_set (&stress_watchdog.armed, armed);
}

static inline void
stress_watchdog_backtrace (void)
{
  g_autofree char *gdb = g_find_program_in_path ("gdb");
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  const char *argv[] = {
    NULL, "-p", pid, "-batch", "-nx",
    "-ex", "set pagination off",
    "-ex", "thread apply all bt",
    NULL
  };

  if (gdb == NULL || g_strcmp0 (g_getenv ("JS_STRESS_GDB"), "0") == 0)
    {
      fprintf (stderr, "watchdog: no backtrace (gdb %s)\n",
               gdb == NULL ? "not installed" : "disabled by JS_STRESS_GDB=0");
      return;
    }

  argv[0] = gdb;
  fflush (stderr);
  /* Output goes straight to our stdout/stderr, that is to the test log. */
  g_spawn_sync (NULL, (char **) argv, NULL,
                G_SPAWN_CHILD_INHERITS_STDIN,
                NULL, NULL, NULL, NULL, NULL, NULL);
}

static inline gpointer
stress_watchdog_main (gpointer data)
{
  gint last = g_atomic_int_get (&stress_watchdog.progress);
  gint64 last_change = g_get_monotonic_time ();

  while (!g_atomic_int_get (&stress_watchdog.stop))
    {
      gint now_progress;
      gint64 now;

      g_usleep (20 * G_TIME_SPAN_MILLISECOND);

      now = g_get_monotonic_time ();
      now_progress = g_atomic_int_get (&stress_watchdog.progress);
      if (now_progress != last || !g_atomic_int_get (&stress_watchdog.armed))
        {
          last = now_progress;
          last_change = now;
          continue;
        }

      if ((guint64) (now - last_change) < stress_watchdog.stall_usec)
        continue;

      fprintf (stderr,
               "\nwatchdog: STALL: no progress for %.1f s in step \"%s\", "
               "round %" G_GUINT64_FORMAT ", round seed %u "
               "(replay with JS_STRESS_SEED=<the base seed printed at the start>)\n",
               (now - last_change) / (double) G_TIME_SPAN_SECOND,
               stress_watchdog.what ? stress_watchdog.what : "?",
               stress_watchdog.round, stress_watchdog.seed);
      if (stress_watchdog.dump != NULL)
        stress_watchdog.dump ();
      stress_watchdog_backtrace ();
      fprintf (stderr, "watchdog: aborting\n");
      fflush (stderr);
      abort ();
    }

  return NULL;
}

static inline void
stress_watchdog_start (void (*dump) (void))
{
  stress_watchdog.stall_usec =
    stress_env_uint ("JS_STRESS_STALL_SECONDS", 3) * G_TIME_SPAN_SECOND;
  stress_watchdog.dump = dump;
  stress_watchdog.thread = g_thread_new ("stress-watchdog",
                                         stress_watchdog_main, NULL);
}

static inline void
stress_watchdog_stop (void)
{
  g_atomic_int_set (&stress_watchdog.stop, TRUE);
  g_thread_join (g_steal_pointer (&stress_watchdog.thread));
}

/* The base seed: JS_STRESS_SEED, or one from the GTest random generator
 * (which --seed controls). */
static inline guint32
stress_base_seed (void)
{
  guint32 seed = (guint32) stress_env_uint ("JS_STRESS_SEED",
                                            (guint32) g_test_rand_int ());

  g_test_message ("base seed %u (replay with JS_STRESS_SEED=%u)", seed, seed);
  return seed;
}

static inline guint32
stress_round_seed (guint32 base,
                   guint64 round)
{
  guint64 x = base ^ (round * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  x ^= x >> 31;
  x *= G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  x ^= x >> 29;
  return (guint32) x;
}

G_END_DECLS
