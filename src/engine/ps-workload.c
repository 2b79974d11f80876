/* ps-workload.c: parsing workload specs and drawing their random parts
 *
 * Random durations and crashes are drawn from (seed, task, attempt), not
 * from a stream: the same seed gives the same batch whichever worker runs
 * which task, and a retried task draws anew.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-workload"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ps-error.h"
#include "ps-format.h"
#include "ps-workload.h"

static const char *const names[] = {
  "square", "print", "hello", "cpu:MS", "sleep:MS", "random:cpu:MEAN:SD",
  "random:sleep:MEAN:SD", "alloc:MB", "crash:P", "lock:OUT_MS:IN_MS", NULL
};

const char *const *
ps_workload_list_names (void)
{
  return names;
}

static gboolean
parse_number (const char  *text,
              const char  *what,
              const char  *spec,
              double       min,
              double       max,
              double      *out,
              GError     **error)
{
  char *end = NULL;
  double v;

  if (text == NULL || *text == '\0')
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("the workload “%s” needs %s"), spec, what);
      return FALSE;
    }
  v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (v))
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("%s “%s” in the workload “%s” is not a number"), what, text, spec);
      return FALSE;
    }
  if (v < min || v > max)
    {
      /* %g wrote one day in ms as "8.64e+07" */
      g_autofree char *least = ps_format_number_as_typed (min);
      g_autofree char *most = ps_format_number_as_typed (max);

      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("%s in the workload “%s” must be between %s and %s"), what, spec, least, most);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

/**
 * ps_workload_parse:
 * @spec: such as `square`, `cpu:10`, `random:sleep:20:5`, `crash:0.1`, `lock:16:4`
 * @out: (out caller-allocates): the parsed workload
 *
 * Returns: %TRUE on success; otherwise @error names what is wrong
 */
gboolean
ps_workload_parse (const char  *spec,
                   PsWorkload  *out,
                   GError     **error)
{
  g_auto(GStrv) parts = NULL;
  guint n;
  const char *ms_name = _("a duration in milliseconds");

  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  if (!g_utf8_validate (spec, -1, NULL))
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("the workload is not valid UTF-8"));
      return FALSE;
    }

  parts = g_strsplit (spec, ":", 5);
  n = g_strv_length (parts);

#define EXPECT(count)                                                                \
  G_STMT_START {                                                                     \
    if (n != (count))                                                                \
      {                                                                              \
        g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,                        \
                     _("the workload “%s” takes %u parameter(s) separated by “:”"),  \
                     spec, (guint) (count) - 1);                                     \
        return FALSE;                                                                \
      }                                                                              \
  } G_STMT_END

  if (n == 0)
    goto unknown;
  if (g_str_equal (parts[0], "square"))
    {
      EXPECT (1);
      out->kind = PS_WORKLOAD_SQUARE;
      return TRUE;
    }
  if (g_str_equal (parts[0], "print"))
    {
      EXPECT (1);
      out->kind = PS_WORKLOAD_PRINT;
      return TRUE;
    }
  if (g_str_equal (parts[0], "hello"))
    {
      EXPECT (1);
      out->kind = PS_WORKLOAD_HELLO;
      return TRUE;
    }
  if (g_str_equal (parts[0], "cpu") || g_str_equal (parts[0], "sleep"))
    {
      EXPECT (2);
      out->kind = parts[0][0] == 'c' ? PS_WORKLOAD_CPU : PS_WORKLOAD_SLEEP;
      return parse_number (parts[1], ms_name, spec, 0, PS_WORKLOAD_MAX_MS, &out->ms, error);
    }
  if (g_str_equal (parts[0], "random"))
    {
      if (n < 2 || !(g_str_equal (parts[1], "cpu") || g_str_equal (parts[1], "sleep")))
        {
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       _("the workload “%s” must be random:cpu:MEAN:SD or random:sleep:MEAN:SD"),
                       spec);
          return FALSE;
        }
      EXPECT (4);
      out->kind = parts[1][0] == 'c' ? PS_WORKLOAD_RANDOM_CPU : PS_WORKLOAD_RANDOM_SLEEP;
      if (!parse_number (parts[2], _("the mean duration"), spec, 0.001, PS_WORKLOAD_MAX_MS,
                         &out->ms, error))
        return FALSE;
      return parse_number (parts[3], _("the spread"), spec, 0, PS_WORKLOAD_MAX_MS,
                           &out->sd_ms, error);
    }
  if (g_str_equal (parts[0], "alloc"))
    {
      EXPECT (2);
      out->kind = PS_WORKLOAD_ALLOC;
      return parse_number (parts[1], _("a size in MB"), spec, 0, PS_WORKLOAD_MAX_MB, &out->mb,
                           error);
    }
  if (g_str_equal (parts[0], "crash"))
    {
      EXPECT (2);
      out->kind = PS_WORKLOAD_CRASH;
      return parse_number (parts[1], _("a probability"), spec, 0, 1, &out->p, error);
    }
  if (g_str_equal (parts[0], "lock"))
    {
      EXPECT (3);
      out->kind = PS_WORKLOAD_LOCK;
      if (!parse_number (parts[1], _("the time outside the lock"), spec, 0, PS_WORKLOAD_MAX_MS,
                         &out->ms, error) ||
          !parse_number (parts[2], _("the time holding the lock"), spec, 0, PS_WORKLOAD_MAX_MS,
                         &out->in_ms, error))
        return FALSE;
      /* a task of no time at all measures only the pool's overhead: square does that */
      if (out->ms == 0 && out->in_ms == 0)
        {
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       _("the workload “%s” needs some time outside or inside the lock"), spec);
          return FALSE;
        }
      return TRUE;
    }
#undef EXPECT

unknown:
  {
    g_autofree char *known = g_strjoinv (", ", (char **) names);
    /* g_utf8_substring() reads past the end of a string shorter than 40 */
    g_autofree char *shown = g_utf8_substring (spec, 0, MIN (g_utf8_strlen (spec, -1), 40));

    g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                 _("unknown workload “%s” (known: %s)"), shown, known);
  }
  return FALSE;
}

char *
ps_workload_to_string (const PsWorkload *self)
{
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];

  switch (self->kind)
    {
    case PS_WORKLOAD_SQUARE: return g_strdup ("square");
    case PS_WORKLOAD_PRINT: return g_strdup ("print");
    case PS_WORKLOAD_HELLO: return g_strdup ("hello");
    case PS_WORKLOAD_CPU:
      return g_strconcat ("cpu:", g_ascii_dtostr (a, sizeof a, self->ms), NULL);
    case PS_WORKLOAD_SLEEP:
      return g_strconcat ("sleep:", g_ascii_dtostr (a, sizeof a, self->ms), NULL);
    case PS_WORKLOAD_RANDOM_CPU:
    case PS_WORKLOAD_RANDOM_SLEEP:
      return g_strconcat (self->kind == PS_WORKLOAD_RANDOM_CPU ? "random:cpu:" : "random:sleep:",
                          g_ascii_dtostr (a, sizeof a, self->ms), ":",
                          g_ascii_dtostr (b, sizeof b, self->sd_ms), NULL);
    case PS_WORKLOAD_ALLOC:
      return g_strconcat ("alloc:", g_ascii_dtostr (a, sizeof a, self->mb), NULL);
    case PS_WORKLOAD_CRASH:
      return g_strconcat ("crash:", g_ascii_dtostr (a, sizeof a, self->p), NULL);
    case PS_WORKLOAD_LOCK:
      return g_strconcat ("lock:", g_ascii_dtostr (a, sizeof a, self->ms), ":",
                          g_ascii_dtostr (b, sizeof b, self->in_ms), NULL);
    default:
      g_assert_not_reached ();
    }
}

gboolean
ps_workload_needs_integers (const PsWorkload *self)
{
  return self->kind == PS_WORKLOAD_SQUARE;
}

/* Trivial workloads take well under a microsecond: the worker batches
 * their events and measures CPU time per batch instead of per task. */
gboolean
ps_workload_is_trivial (const PsWorkload *self)
{
  return self->kind == PS_WORKLOAD_SQUARE ||
         self->kind == PS_WORKLOAD_PRINT ||
         self->kind == PS_WORKLOAD_HELLO;
}

gboolean
ps_workload_has_result (const PsWorkload *self)
{
  return self->kind != PS_WORKLOAD_HELLO;
}

/* splitmix64: a well-mixed 64-bit value from any 64-bit input. */
static guint64
mix64 (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return x ^ (x >> 31);
}

static double
uniform (guint64 seed,
         guint64 task,
         guint   attempt,
         guint   stream)
{
  guint64 x = mix64 (mix64 (mix64 (seed) ^ task) ^ ((guint64) attempt << 32 | stream));

  /* 53 random bits in (0, 1) */
  return ((x >> 11) + 0.5) / 9007199254740992.0;
}

/**
 * ps_workload_draw_ms:
 *
 * Returns: how long the task runs, in ms: fixed for cpu and sleep,
 *   log-normal with the workload's mean and standard deviation for random;
 *   for lock its own time outside and inside the lock, without the wait
 *   for it (which depends on the other workers)
 */
double
ps_workload_draw_ms (const PsWorkload *self,
                     guint64           seed,
                     guint64           task,
                     guint             attempt)
{
  double s2, mu, z;

  if (self->kind == PS_WORKLOAD_LOCK)
    return MIN (self->ms + self->in_ms, PS_WORKLOAD_MAX_MS);
  if (self->kind != PS_WORKLOAD_RANDOM_CPU && self->kind != PS_WORKLOAD_RANDOM_SLEEP)
    return self->ms;
  if (self->sd_ms <= 0)
    return self->ms;

  /* Log-normal with the requested mean m and deviation s:
   * sigma² = ln(1 + s²/m²), mu = ln m − sigma²/2; z from Box–Muller. */
  s2 = log1p ((self->sd_ms * self->sd_ms) / (self->ms * self->ms));
  mu = log (self->ms) - s2 / 2;
  z = sqrt (-2 * log (uniform (seed, task, attempt, 1))) * cos (2 * G_PI * uniform (seed, task, attempt, 2));
  return MIN (exp (mu + sqrt (s2) * z), PS_WORKLOAD_MAX_MS);
}

gboolean
ps_workload_draw_crash (const PsWorkload *self,
                        guint64           seed,
                        guint64           task,
                        guint             attempt)
{
  if (self->kind != PS_WORKLOAD_CRASH)
    return FALSE;
  return uniform (seed, task, attempt, 3) < self->p;
}
