/* fuzz-replay.c: runs fuzz-join-set over files, without libFuzzer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: fuzz-replay FILE-OR-DIRECTORY...
 *
 * Runs every file (every regular file of every directory, in name order)
 * through the harness once, as libFuzzer would. A failed check aborts,
 * naming the file on stderr first. This is the corpus regression test of
 * `meson test`, and works with any compiler.
 */

#include "config.h"

#include <stdio.h>

#include <glib.h>

#include "fuzz-join-set.h"

static guint n_run;

static void
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);

  fprintf (stderr, "fuzz-replay: %s (%" G_GSIZE_FORMAT " bytes)\n", path, length);
  LLVMFuzzerTestOneInput ((const guint8 *) contents, length);
  n_run++;
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
run_path (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      run_file (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  g_assert_nonnull (dir);
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    if (g_file_test (g_ptr_array_index (names, i), G_FILE_TEST_IS_REGULAR))
      run_file (g_ptr_array_index (names, i));
}

int
main (int   argc,
      char *argv[])
{
  gint64 start = g_get_monotonic_time ();

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
      return 2;
    }

  for (int i = 1; i < argc; i++)
    run_path (argv[i]);

  if (n_run == 0)
    g_error ("no input found");

  printf ("fuzz-replay: %u inputs passed in %.2f s\n", n_run,
          (g_get_monotonic_time () - start) / (double) G_TIME_SPAN_SECOND);
  return 0;
}
