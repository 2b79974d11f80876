/* standalone.c: replays fuzz inputs without libFuzzer
 *
 * Linked with a fuzz target instead of libFuzzer, so that the corpus runs
 * as an ordinary test with any compiler: each file named on the command
 * line, and each file in each directory named, goes once through
 * LLVMFuzzerTestOneInput(). Arguments that start with '-' are libFuzzer
 * flags and are ignored, so the same command line works for both.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

static guint n_inputs;

static void
replay_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree guint8 *exact = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      exit (EXIT_FAILURE);
    }

  /* A copy without GLib's trailing NUL: reading one byte too far must be
   * seen by the address sanitizer, not land on the terminator. */
  exact = g_malloc (MAX (len, 1));
  memcpy (exact, contents, len);

  /* Printed first: when the target crashes, the last line names the input. */
  printf ("%s (%" G_GSIZE_FORMAT " bytes)\n", path, len);
  fflush (stdout);
  LLVMFuzzerTestOneInput (exact, len);
  n_inputs++;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
replay_dir (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      exit (EXIT_FAILURE);
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  /* the same order every time */
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    if (!g_file_test (g_ptr_array_index (names, i), G_FILE_TEST_IS_DIR))
      replay_file (g_ptr_array_index (names, i));
}

int
main (int    argc,
      char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (argv[i][0] == '-')
        continue;
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        replay_dir (argv[i]);
      else
        replay_file (argv[i]);
    }

  /* A replay of nothing is a mistake in the test, not a success. */
  if (n_inputs == 0)
    {
      fprintf (stderr, "%s: no input replayed\n", argv[0]);
      return EXIT_FAILURE;
    }
  printf ("%u inputs replayed\n", n_inputs);
  return EXIT_SUCCESS;
}
