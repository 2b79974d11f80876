/* fuzz-sweep.c: a sweep read back from its log (ps_sweep_load)
 *
 * The bytes are the log's (in a memfd, read by its path as a user's file
 * is). A log that reads makes a sweep whose points, table and JSON come
 * out whole, with valid UTF-8; one that does not says why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "fuzz-common.h"
#include "ps-sweep.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsSweep) sweep = NULL;
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *problem = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  int fd;

  fuzz_init ();
  fd = memfd_create ("fuzz-sweep", MFD_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, data, size), ==, (gssize) size);
  path = g_strdup_printf ("/proc/self/fd/%d", fd);

  sweep = ps_sweep_load (path, &problem, &error);
  close (fd);
  if (sweep == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  g_assert_no_error (error);
  g_assert_true (problem == NULL || g_utf8_validate (problem, -1, NULL));
  g_assert_cmpuint (ps_sweep_get_n_points (sweep), <=, PS_SWEEP_MAX_POINTS);
  ps_sweep_to_csv (sweep, csv);
  g_assert_true (g_str_has_prefix (csv->str, "workers,"));
  json = ps_sweep_to_json (sweep);
  if (!json_parser_load_from_data (parser, json, -1, &error))
    g_error ("a loaded sweep's JSON does not read: %s\n%s", error->message, json);
  return 0;
}
