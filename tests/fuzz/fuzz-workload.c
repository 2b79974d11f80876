/* fuzz-workload.c: workload specs and the options of `run`
 *
 * The input up to its first NUL is a workload spec; the whole input, cut
 * at its NUL bytes, is an argument vector for ps_spec_parse_args(). What
 * is accepted must print back to something that parses to the same value,
 * and random draws must stay in the documented bounds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fuzz-common.h"
#include "ps-spec.h"
#include "ps-workload.h"

#define MAX_ARGS 64

static void
check_workload (const char *spec)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(PsWorkload) w = { 0 };
  g_auto(PsWorkload) again = { 0 };

  if (!ps_workload_parse (spec, &w, &error))
    {
      g_assert_nonnull (error);
      return;
    }

  text = ps_workload_to_string (&w);
  if (!ps_workload_parse (text, &again, &error))
    g_error ("“%s” printed as “%s”, which does not parse: %s", spec, text, error->message);
  g_assert_cmpint (again.kind, ==, w.kind);
  g_assert_cmpstr (again.text, ==, w.text);
  g_assert_true (again.ms == w.ms && again.sd_ms == w.sd_ms && again.mb == w.mb && again.p == w.p &&
                 again.in_ms == w.in_ms);

  for (guint64 task = 0; task < 4; task++)
    {
      double ms = ps_workload_draw_ms (&w, 0x5eed, task, 0);

      g_assert_true (isfinite (ms));
      g_assert_cmpfloat (ms, >=, 0);
      g_assert_cmpfloat (ms, <=, PS_WORKLOAD_MAX_MS);
      (void) ps_workload_draw_crash (&w, 0x5eed, task, 1);
    }
}

/* "-" reads standard input and "@FILE" a file: not for a fuzzer. */
static gboolean
items_are_safe (const char *items)
{
  return items == NULL || (items[0] != '@' && !g_str_equal (items, "-"));
}

static void
check_args (const uint8_t *data,
            size_t         size)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PsSpec) spec = ps_spec_new ();
  g_autoptr(PsSpec) again = ps_spec_new ();
  g_autoptr(GPtrArray) printed = NULL;
  g_autoptr(GError) error = NULL;
  gsize pos = 0;

  while (pos < size && args->len < MAX_ARGS)
    {
      const uint8_t *nul = memchr (data + pos, '\0', size - pos);
      gsize n = nul ? (gsize) (nul - (data + pos)) : size - pos;

      g_ptr_array_add (args, g_strndup ((const char *) data + pos, n));
      pos += n + 1;
    }

  if (!ps_spec_parse_args (spec, args->len, (char **) args->pdata, &error))
    {
      g_assert_nonnull (error);
      return;
    }

  /* What the app sends to the engine reads back the same. */
  printed = ps_spec_to_args (spec);
  if (!ps_spec_parse_args (again, printed->len, (char **) printed->pdata, &error))
    g_error ("printed options do not parse: %s", error->message);
  g_assert_cmpstr (again->preset, ==, spec->preset);
  g_assert_cmpstr (again->items_spec, ==, spec->items_spec);
  g_assert_cmpstr (again->workload_spec, ==, spec->workload_spec);
  g_assert_cmpuint (again->workers, ==, spec->workers);
  g_assert_cmpint (again->start, ==, spec->start);
  g_assert_cmpuint (again->chunksize, ==, spec->chunksize);
  g_assert_cmpint (again->order, ==, spec->order);
  g_assert_cmpuint (again->seed, ==, spec->seed);
  g_assert_cmpint (again->seed_set, ==, spec->seed_set);
  g_assert_true (again->sample_hz == spec->sample_hz);
  g_assert_true (again->timeout_s == spec->timeout_s);
  g_assert_cmpuint (again->retries, ==, spec->retries);
  g_assert_cmpuint (again->max_tasks_per_child, ==, spec->max_tasks_per_child);
  g_assert_cmpstr (again->log_path, ==, spec->log_path);

  if (items_are_safe (spec->items_spec))
    {
      if (ps_spec_finish (spec, &error))
        {
          g_assert_nonnull (spec->items);
          g_assert_cmpuint (ps_spec_get_chunksize (spec), >=, 1);
          g_assert_true (spec->seed_set);
        }
      else
        g_assert_nonnull (error);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *spec = NULL;

  fuzz_init ();

  spec = fuzz_strndup (data, size);
  check_workload (spec);
  check_args (data, size);
  return 0;
}
