/* version-check.c: compile-time version checks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <joinset/joinset.h>

/* Code that needs an API added after 1.0 guards it at compile time. */
#if JS_CHECK_VERSION (1, 0, 0)
# define HAVE_SPAWN_ASYNC 1
#else
# define HAVE_SPAWN_ASYNC 0
#endif

int
main (void)
{
  g_print ("built against libjoinset %s (%d.%d.%d)\n", JS_VERSION_S,
           JS_MAJOR_VERSION, JS_MINOR_VERSION, JS_MICRO_VERSION);
  g_print ("JS_VERSION_HEX >= 1.0.0: %s\n",
           JS_VERSION_HEX >= JS_ENCODE_VERSION (1, 0, 0) ? "yes" : "no");
  g_print ("spawn_async available: %s\n", HAVE_SPAWN_ASYNC ? "yes" : "no");

  return EXIT_SUCCESS;
}
