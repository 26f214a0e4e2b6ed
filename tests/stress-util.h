/* stress-util.h: watchdog, knobs and seeds shared by the stress tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A header of its own, for the stress programs only; the bodies are in
 * js-test-util.c, compiled once into the js-test-util library with the
 * helpers of js-test-util.h, which it includes.
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

#include <joinset/joinset.h>

#include "js-test-util.h"

G_BEGIN_DECLS

/* The environment variable @name as a number, or @fallback when unset. */
guint64  stress_env_uint           (const char *name,
                                    guint64     fallback);

/* The watchdog: stress_step() names the current step and counts progress;
 * it only watches while armed; @dump prints the test's state on a stall
 * (or NULL). */
void     stress_watchdog_start     (void      (*dump) (void));
void     stress_watchdog_stop      (void);
void     stress_watchdog_arm       (gboolean    armed);
void     stress_step               (const char *what);
void     stress_watchdog_set_round (guint64     round);
void     stress_watchdog_set_seed  (guint32     seed);

/* The base seed: JS_STRESS_SEED, or one from the GTest random generator
 * (which --seed controls); and the seed of one round, derived from it. */
guint32  stress_base_seed          (void);
guint32  stress_round_seed         (guint32     base,
                                    guint64     round);

G_END_DECLS
