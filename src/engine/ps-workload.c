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

#include "ps-command.h"
#include "ps-error.h"
#include "ps-format.h"
#include "ps-workload.h"

static const char *const names[] = {
  "square", "print", "hello", "cpu:MS", "sleep:MS", "random:cpu:MEAN:SD",
  "random:sleep:MEAN:SD", "alloc:MB", "crash:P", "lock:OUT_MS:IN_MS", "command:PROGRAM ARG…",
  "shell:SCRIPT", "program:PROGRAM ARG…", NULL
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

/* command:WORDS and program:WORDS: WORDS split as a shell splits them
 * (quotes, backslashes), with nothing expanded; shell:SCRIPT kept as
 * typed. */
static gboolean
parse_program (const char      *spec,
               PsWorkloadKind   kind,
               const char      *rest,
               PsWorkload      *out,
               GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(PsCommand) command = NULL;

  if (kind == PS_WORKLOAD_SHELL)
    command = ps_command_new_shell (rest, error);
  else if (*rest == '\0' || strspn (rest, " \t\n") == strlen (rest))
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   kind == PS_WORKLOAD_PROGRAM ? _("the workload “%s” needs a program to start in each worker")
                                               : _("the workload “%s” needs a program to run for each item"),
                   spec);
      return FALSE;
    }
  else if (!g_shell_parse_argv (rest, NULL, &argv, &local_error))
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("the command “%s” cannot be split into words: %s"), rest, local_error->message);
      return FALSE;
    }
  else
    command = ps_command_new_argv ((const char *const *) argv, error);
  if (command == NULL)
    return FALSE;
  out->kind = kind;
  out->text = g_strdup (rest);
  return TRUE;
}

/**
 * ps_workload_parse:
 * @spec: such as `square`, `cpu:10`, `random:sleep:20:5`, `crash:0.1`, `lock:16:4`
 * @out: (out caller-allocates): the parsed workload, to be cleared with
 *   ps_workload_clear() (it is overwritten, not cleared, here)
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

  if (g_str_has_prefix (spec, "command:"))
    return parse_program (spec, PS_WORKLOAD_COMMAND, spec + strlen ("command:"), out, error);
  if (g_str_has_prefix (spec, "shell:"))
    return parse_program (spec, PS_WORKLOAD_SHELL, spec + strlen ("shell:"), out, error);
  if (g_str_has_prefix (spec, "program:"))
    return parse_program (spec, PS_WORKLOAD_PROGRAM, spec + strlen ("program:"), out, error);

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
    case PS_WORKLOAD_COMMAND:
      return g_strconcat ("command:", self->text, NULL);
    case PS_WORKLOAD_SHELL:
      return g_strconcat ("shell:", self->text, NULL);
    case PS_WORKLOAD_PROGRAM:
      return g_strconcat ("program:", self->text, NULL);
    default:
      g_assert_not_reached ();
    }
}

void
ps_workload_clear (PsWorkload *self)
{
  g_clear_pointer (&self->text, g_free);
}

void
ps_workload_copy (const PsWorkload *self,
                  PsWorkload       *out)
{
  *out = *self;
  out->text = g_strdup (self->text);
}

/* Whether its tasks are other programs' work: a command or a worker program. */
gboolean
ps_workload_runs_program (const PsWorkload *self)
{
  return self->kind == PS_WORKLOAD_COMMAND || self->kind == PS_WORKLOAD_SHELL ||
         self->kind == PS_WORKLOAD_PROGRAM;
}

/**
 * ps_workload_get_argv:
 *
 * Returns: (transfer full) (nullable): the words of a command or a worker
 *   program, as written (replacement strings not yet expanded); %NULL for
 *   any other workload and for a shell script
 */
char **
ps_workload_get_argv (const PsWorkload *self)
{
  char **argv = NULL;

  if (self->kind != PS_WORKLOAD_COMMAND && self->kind != PS_WORKLOAD_PROGRAM)
    return NULL;
  if (!g_shell_parse_argv (self->text, NULL, &argv, NULL))
    return NULL;
  return argv;
}

/**
 * ps_workload_check_runnable:
 *
 * A program that cannot be run is said once, before the run, rather than
 * by each of its tasks: the program of a command or a worker program is
 * looked for in PATH (unless a replacement string makes its name).
 *
 * Returns: %TRUE if there is nothing to run or it can be run
 */
gboolean
ps_workload_check_runnable (const PsWorkload  *self,
                            GError           **error)
{
  g_auto(GStrv) argv = ps_workload_get_argv (self);
  g_autofree char *found = NULL;
  const char *program;

  if (argv == NULL || argv[0] == NULL || strchr (argv[0], '{') != NULL)
    return TRUE;
  program = argv[0];
  if (strchr (program, '/') == NULL)
    {
      found = g_find_program_in_path (program);
      if (found == NULL)
        {
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       _("the program “%s” is not found in PATH"), program);
          return FALSE;
        }
      return TRUE;
    }
  if (g_file_test (program, G_FILE_TEST_IS_DIR) || !g_file_test (program, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   g_file_test (program, G_FILE_TEST_EXISTS) ? _("“%s” is not a program that can be run")
                                                             : _("the program “%s” does not exist"),
                   program);
      return FALSE;
    }
  return TRUE;
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
