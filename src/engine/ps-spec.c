/* ps-spec.c: a batch and the pool that runs it
 *
 * The command line of `poolscope-run run` and the RUN command of the --ipc
 * protocol are the same argument vector, parsed here: the app and the CLI
 * get the same validation and the same messages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-spec"

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "ps-error.h"
#include "ps-format.h"
#include "ps-spec.h"

static const PsPreset presets[] = {
  { "hello", N_("Hello process"),
    N_("One process greets Alice, then the parent reports that it has finished"),
    "Alice", "hello", 1, PS_ORDER_MAP, PS_FORMAT_NONE, "Process has finished" },
  { "square", N_("Square numbers"),
    N_("Pool(6).map(square, 1..9): results come back in submission order"),
    "1..9", "square", 6, PS_ORDER_MAP, PS_FORMAT_LIST, NULL },
  { "print-numbers", N_("Print numbers"),
    N_("Four pool workers, each printing the number it was given"),
    "1..4", "print", 4, PS_ORDER_MAP, PS_FORMAT_NONE, NULL },
};

const PsPreset *
ps_preset_list (guint *n_presets)
{
  *n_presets = G_N_ELEMENTS (presets);
  return presets;
}

const PsPreset *
ps_preset_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_strcmp0 (presets[i].name, name) == 0)
      return &presets[i];
  return NULL;
}

guint
ps_spec_default_workers (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);

  return CLAMP (n, 1, PS_WORKERS_MAX);
}

PsSpec *
ps_spec_new (void)
{
  PsSpec *self = g_new0 (PsSpec, 1);

  self->workers = ps_spec_default_workers ();
  self->start = PS_START_FORK;
  self->order = PS_ORDER_MAP;
  self->format = PS_FORMAT_LINES;
  self->sample_hz = 10;
  self->workload.kind = PS_WORKLOAD_SQUARE;
  return self;
}

void
ps_spec_free (PsSpec *self)
{
  if (self == NULL)
    return;
  g_free (self->preset);
  g_free (self->items_spec);
  g_clear_pointer (&self->items, ps_items_unref);
  g_free (self->workload_spec);
  ps_workload_clear (&self->workload);
  g_free (self->hosts_spec);
  g_free (self->hosts_file);
  g_free (self->launcher);
  g_free (self->remote_run);
  g_clear_pointer (&self->hosts, g_ptr_array_unref);
  g_free (self->log_path);
  g_free (self);
}

/**
 * ps_spec_copy:
 *
 * A spec is handed to one pool, which owns it; a sweep runs many pools
 * of one batch, each with its copy. The items, immutable once parsed,
 * are shared.
 *
 * Returns: (transfer full): a copy of @self
 */
PsSpec *
ps_spec_copy (const PsSpec *self)
{
  PsSpec *copy;

  g_return_val_if_fail (self != NULL, NULL);
  copy = g_memdup2 (self, sizeof *self);
  copy->preset = g_strdup (self->preset);
  copy->items_spec = g_strdup (self->items_spec);
  copy->items = self->items ? ps_items_ref (self->items) : NULL;
  copy->workload_spec = g_strdup (self->workload_spec);
  ps_workload_copy (&self->workload, &copy->workload);
  copy->hosts_spec = g_strdup (self->hosts_spec);
  copy->hosts_file = g_strdup (self->hosts_file);
  copy->launcher = g_strdup (self->launcher);
  copy->remote_run = g_strdup (self->remote_run);
  copy->hosts = self->hosts ? g_ptr_array_ref (self->hosts) : NULL;
  copy->log_path = g_strdup (self->log_path);
  return copy;
}

static gboolean
bad_value (GError     **error,
           const char  *option,
           const char  *value,
           const char  *expected)
{
  /* g_utf8_substring() reads past the end of a string shorter than 40 */
  g_autofree char *shown = g_utf8_validate (value, -1, NULL)
                           ? g_utf8_substring (value, 0, MIN (g_utf8_strlen (value, -1), 40))
                           : g_strdup ("?");

  g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
               _("%s: “%s” is not %s"), option, shown, expected);
  return FALSE;
}

static gboolean
parse_u64 (const char  *option,
           const char  *text,
           guint64      min,
           guint64      max,
           guint64     *out,
           GError     **error)
{
  g_autofree char *expected = g_strdup_printf (_("a whole number from %" PRIu64
                                                 " to %" PRIu64), min, max);

  if (!g_ascii_string_to_unsigned (text, 10, min, max, out, NULL))
    return bad_value (error, option, text, expected);
  return TRUE;
}

/* 0 turns the option off. Anything else must be at least @least: a tiny
 * value would otherwise be rounded to "off" (a timeout of 0 ns) or to an
 * interval that overflows, further down. */
static gboolean
parse_double_or_off (const char  *option,
                     const char  *text,
                     double       least,
                     double       max,
                     double      *out,
                     GError     **error)
{
  /* %g would write a limit of a million or more as "1e+06" */
  g_autofree char *least_text = ps_format_number_as_typed (least);
  g_autofree char *max_text = ps_format_number_as_typed (max);
  g_autofree char *expected = g_strdup_printf (_("0 (off) or a number from %s to %s"), least_text,
                                               max_text);
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);

  if (end == text || *end != '\0' || !(v == 0 || (v >= least && v <= max)))
    return bad_value (error, option, text, expected);
  *out = v;
  return TRUE;
}

/**
 * ps_parse_workers:
 *
 * Parses a worker count from 1 to @max, with a message naming --workers.
 */
gboolean
ps_parse_workers (const char  *text,
                  guint        max,
                  guint       *out,
                  GError     **error)
{
  guint64 v;

  if (!parse_u64 ("--workers", text, 1, max, &v, error))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

/* One way to say what the tasks do: --workload, --shell, --worker-program
 * or -- PROGRAM. */
static gboolean
set_workload (PsSpec      *self,
              const char  *option,
              char        *spec,
              GError     **error)
{
  if (self->workload_from != NULL && !g_str_equal (self->workload_from, option))
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("%s and %s both say what each task runs: give one of them"),
                   self->workload_from, option);
      g_free (spec);
      return FALSE;
    }
  self->workload_from = option;
  g_free (self->workload_spec);
  self->workload_spec = spec;
  return TRUE;
}

/* 4096, 64K, 16M, 1G (powers of 1024, as GNU parallel's sizes) */
static gboolean
parse_size (const char  *option,
            const char  *text,
            guint64     *out,
            GError     **error)
{
  char *end = NULL;
  guint64 v, mult = 1;

  if (!g_ascii_isdigit (*text))
    return bad_value (error, option, text, _("a size in bytes, such as 4096, 64K, 16M or 1G"));
  v = g_ascii_strtoull (text, &end, 10);
  if (*end == 'k' || *end == 'K')
    mult = 1024;
  else if (*end == 'm' || *end == 'M')
    mult = 1024 * 1024;
  else if (*end == 'g' || *end == 'G')
    mult = 1024 * 1024 * 1024;
  if (mult > 1)
    end++;
  if (*end != '\0' || v > G_MAXUINT64 / mult || v * mult > PS_OUTPUT_LIMIT_MAX)
    return bad_value (error, option, text, _("a size in bytes, such as 4096, 64K, 16M or 1G (at most 1G)"));
  *out = v * mult;
  return TRUE;
}

/**
 * ps_parse_halt:
 * @text: as GNU parallel's --halt: never, or now|soon,fail|success|done=N
 *   (N tasks) or =P% (of all tasks)
 *
 * Returns: %TRUE on success; otherwise @error says what is expected
 */
gboolean
ps_parse_halt (const char  *text,
               PsHaltWhen  *when,
               PsHaltOn    *on,
               guint64     *count,
               double      *percent,
               GError     **error)
{
  const char *comma, *eq, *num;
  char *end = NULL;

  if (g_str_equal (text, "never"))
    {
      *when = PS_HALT_NEVER;
      *count = 0;
      *percent = 0;
      return TRUE;
    }
  comma = strchr (text, ',');
  eq = comma ? strchr (comma, '=') : NULL;
  if (comma == NULL || eq == NULL)
    goto bad;
  if (comma - text == 3 && strncmp (text, "now", 3) == 0)
    *when = PS_HALT_NOW;
  else if (comma - text == 4 && strncmp (text, "soon", 4) == 0)
    *when = PS_HALT_SOON;
  else
    goto bad;
  if (eq - comma - 1 == 4 && strncmp (comma + 1, "fail", 4) == 0)
    *on = PS_HALT_ON_FAIL;
  else if (eq - comma - 1 == 7 && strncmp (comma + 1, "success", 7) == 0)
    *on = PS_HALT_ON_SUCCESS;
  else if (eq - comma - 1 == 4 && strncmp (comma + 1, "done", 4) == 0)
    *on = PS_HALT_ON_DONE;
  else
    goto bad;
  num = eq + 1;
  if (!g_ascii_isdigit (*num))
    goto bad;
  if (g_str_has_suffix (num, "%"))
    {
      double p = g_ascii_strtod (num, &end);

      if (end == NULL || *end != '%' || end[1] != '\0' || !(p > 0 && p <= 100))
        goto bad;
      *percent = p;
      *count = 0;
      return TRUE;
    }
  *count = g_ascii_strtoull (num, &end, 10);
  if (*end != '\0' || *count == 0 || *count > PS_ITEMS_MAX_COUNT)
    goto bad;
  *percent = 0;
  return TRUE;

bad:
  return bad_value (error, "--halt", text,
                    _("never, or now or soon with fail=N, success=N or done=N "
                      "(N tasks, or N% of them), such as now,fail=1 or soon,fail=10%"));
}

/**
 * ps_spec_parse_args:
 * @argv: options only, without the program or subcommand name; all of
 *   them must be understood
 *
 * Fills @self from the command-line options of `poolscope-run run`. Call
 * ps_spec_finish() afterwards to apply defaults and check the batch.
 *
 * Returns: %TRUE on success; otherwise @error names the option and value
 */
gboolean
ps_spec_parse_args (PsSpec  *self,
                    int      argc,
                    char   **argv,
                    GError **error)
{
  for (int i = 0; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *eq = (arg[0] == '-' && arg[1] == '-') ? strchr (arg, '=') : NULL;
      g_autofree char *name = NULL;
      const char *value = NULL;
      const char *attached = NULL;
      static const char *const flags[] = { "--quiet", "-q", "--json", "--line-buffer", "--tag", "--save", NULL };
      static const char *const valued[] = {
        "--preset", "--items", "--workload", "--workers", "-j", "--start", "--chunksize", "--order",
        "--format", "--seed", "--sample-hz", "--timeout", "--retries", "--max-tasks-per-child",
        "--log", "--shell", "--worker-program", "--result", "--output-limit", "--halt",
        "--worker-protocol", "--hosts", "-S", "--sshlogin", "--hosts-file", "--slf", "--launcher",
        "--remote-run", NULL
      };
      gboolean is_flag;

      /* -- PROGRAM ARG…: the rest is a command, run as given for each item */
      if (g_str_equal (arg, "--"))
        {
          GString *words = g_string_new ("command:");

          if (i + 1 >= argc)
            {
              g_string_free (words, TRUE);
              g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                                   _("no command after “--” (give a program and its arguments)"));
              return FALSE;
            }
          for (int k = i + 1; k < argc; k++)
            {
              g_autofree char *quoted = g_shell_quote (argv[k]);

              if (k > i + 1)
                g_string_append_c (words, ' ');
              g_string_append (words, quoted);
            }
          if (!set_workload (self, "--", g_string_free (words, FALSE), error))
            return FALSE;
          break;
        }

      /* -j4 is -j 4, as with make and GNU parallel */
      if (g_str_has_prefix (arg, "-j") && arg[2] != '\0')
        {
          name = g_strdup ("-j");
          attached = arg + 2;
        }
      else
        name = eq ? g_strndup (arg, eq - arg) : g_strdup (arg);
      is_flag = g_strv_contains (flags, name);

      if (!is_flag && !g_strv_contains (valued, name))
        {
          g_autofree char *shown = g_utf8_validate (arg, -1, NULL)
                                   ? g_utf8_substring (arg, 0, MIN (g_utf8_strlen (arg, -1), 40))
                                   : g_strdup ("?");

          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       name[0] == '-' ? _("unknown option “%s”") : _("unexpected argument “%s”"),
                       shown);
          return FALSE;
        }

      if (!is_flag)
        {
          if (attached != NULL)
            value = attached;
          else if (eq != NULL)
            value = eq + 1;
          else if (i + 1 < argc && name[0] == '-')
            value = argv[++i];
          else if (name[0] == '-')
            {
              g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("%s needs a value"), name);
              return FALSE;
            }
        }
      else if (eq != NULL)
        {
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       _("%s takes no value"), name);
          return FALSE;
        }

      if (g_str_equal (name, "--preset"))
        {
          if (ps_preset_lookup (value) == NULL)
            return bad_value (error, "--preset", value,
                              _("a known preset (hello, square, print-numbers)"));
          g_free (self->preset);
          self->preset = g_strdup (value);
        }
      else if (g_str_equal (name, "--items"))
        {
          g_free (self->items_spec);
          self->items_spec = g_strdup (value);
        }
      else if (g_str_equal (name, "--workload"))
        {
          if (!set_workload (self, "--workload", g_strdup (value), error))
            return FALSE;
        }
      else if (g_str_equal (name, "--shell"))
        {
          if (!set_workload (self, "--shell", g_strconcat ("shell:", value, NULL), error))
            return FALSE;
        }
      else if (g_str_equal (name, "--worker-program"))
        {
          if (!set_workload (self, "--worker-program", g_strconcat ("program:", value, NULL), error))
            return FALSE;
        }
      else if (g_str_equal (name, "--line-buffer"))
        self->output_flags |= PS_OUTPUT_LINE_BUFFER;
      else if (g_str_equal (name, "--tag"))
        self->output_flags |= PS_OUTPUT_TAG;
      else if (g_str_equal (name, "--result"))
        {
          if (g_str_equal (value, "stdout"))
            self->output_flags |= PS_OUTPUT_RESULT_STDOUT;
          else if (g_str_equal (value, "status"))
            self->output_flags &= ~PS_OUTPUT_RESULT_STDOUT;
          else
            return bad_value (error, "--result", value, _("status or stdout"));
        }
      else if (g_str_equal (name, "--output-limit"))
        {
          if (!parse_size ("--output-limit", value, &self->output_limit, error))
            return FALSE;
          self->output_limit_set = TRUE;
        }
      else if (g_str_equal (name, "--worker-protocol"))
        {
          if (g_str_equal (value, "lines"))
            self->worker_protocol = PS_WORKER_PROTOCOL_LINES;
          else if (g_str_equal (value, "json"))
            self->worker_protocol = PS_WORKER_PROTOCOL_JSON;
          else
            return bad_value (error, "--worker-protocol", value, _("lines or json"));
        }
      else if (g_str_equal (name, "--halt"))
        {
          if (!ps_parse_halt (value, &self->halt_when, &self->halt_on, &self->halt_count,
                              &self->halt_percent, error))
            return FALSE;
        }
      else if (g_str_equal (name, "--workers") || g_str_equal (name, "-j"))
        {
          if (!ps_parse_workers (value, PS_WORKERS_MAX, &self->workers, error))
            return FALSE;
          self->workers_set = TRUE;
        }
      else if (g_str_equal (name, "--start"))
        {
          if (g_str_equal (value, "fork"))
            self->start = PS_START_FORK;
          else if (g_str_equal (value, "spawn"))
            self->start = PS_START_SPAWN;
          else
            return bad_value (error, "--start", value, _("fork or spawn"));
        }
      else if (g_str_equal (name, "--chunksize"))
        {
          if (g_str_equal (value, "auto"))
            self->chunksize = 0;
          else if (!parse_u64 ("--chunksize", value, 1, PS_ITEMS_MAX_COUNT, &self->chunksize, error))
            return FALSE;
        }
      else if (g_str_equal (name, "--order"))
        {
          if (g_str_equal (value, "map"))
            self->order = PS_ORDER_MAP;
          else if (g_str_equal (value, "unordered"))
            self->order = PS_ORDER_UNORDERED;
          else
            return bad_value (error, "--order", value, _("map or unordered"));
        }
      else if (g_str_equal (name, "--format"))
        {
          if (g_str_equal (value, "lines"))
            self->format = PS_FORMAT_LINES;
          else if (g_str_equal (value, "list"))
            self->format = PS_FORMAT_LIST;
          else if (g_str_equal (value, "none"))
            self->format = PS_FORMAT_NONE;
          else
            return bad_value (error, "--format", value, _("lines, list or none"));
          self->format_set = TRUE;
        }
      else if (g_str_equal (name, "--seed"))
        {
          if (!parse_u64 ("--seed", value, 0, G_MAXUINT64, &self->seed, error))
            return FALSE;
          self->seed_set = TRUE;
        }
      else if (g_str_equal (name, "--sample-hz"))
        {
          if (!parse_double_or_off ("--sample-hz", value, 0.001, 1000, &self->sample_hz, error))
            return FALSE;
        }
      else if (g_str_equal (name, "--timeout"))
        {
          if (!parse_double_or_off ("--timeout", value, 0.001, 86400 * 7, &self->timeout_s, error))
            return FALSE;
        }
      else if (g_str_equal (name, "--retries"))
        {
          guint64 v;
          if (!parse_u64 ("--retries", value, 0, 1000, &v, error))
            return FALSE;
          self->retries = v;
        }
      else if (g_str_equal (name, "--max-tasks-per-child"))
        {
          if (!parse_u64 ("--max-tasks-per-child", value, 0, PS_ITEMS_MAX_COUNT,
                          &self->max_tasks_per_child, error))
            return FALSE;
        }
      else if (g_str_equal (name, "--log"))
        {
          if (value[0] == '\0')
            return bad_value (error, "--log", value, _("a file path"));
          g_free (self->log_path);
          self->log_path = g_strdup (value);
        }
      else if (g_str_equal (name, "--hosts") || g_str_equal (name, "-S") || g_str_equal (name, "--sshlogin"))
        {
          /* given twice, both count, as parallel's -S */
          char *joined = self->hosts_spec ? g_strconcat (self->hosts_spec, ",", value, NULL) : g_strdup (value);

          g_free (self->hosts_spec);
          self->hosts_spec = joined;
        }
      else if (g_str_equal (name, "--hosts-file") || g_str_equal (name, "--slf"))
        {
          if (value[0] == '\0')
            return bad_value (error, "--hosts-file", value, _("a file path"));
          g_free (self->hosts_file);
          self->hosts_file = g_strdup (value);
        }
      else if (g_str_equal (name, "--launcher"))
        {
          if (!ps_hosts_check_launcher (value, error))
            return FALSE;
          g_free (self->launcher);
          self->launcher = g_strdup (value);
        }
      else if (g_str_equal (name, "--remote-run"))
        {
          if (value[0] == '\0' || !g_utf8_validate (value, -1, NULL) || strchr (value, '\n'))
            return bad_value (error, "--remote-run", value, _("a program path"));
          g_free (self->remote_run);
          self->remote_run = g_strdup (value);
        }
      else if (g_str_equal (name, "--quiet") || g_str_equal (name, "-q"))
        self->quiet = TRUE;
      else if (g_str_equal (name, "--json"))
        self->json = TRUE;
      else if (g_str_equal (name, "--save"))
        self->save = TRUE;
      else
        g_assert_not_reached (); /* unknown names were refused above */
    }
  return TRUE;
}

/* A log must never overwrite what the run reads: the item file, or the
 * standard input it reads items from. "-" is standard output, which then
 * carries nothing else. */
static gboolean
check_log_path (PsSpec  *self,
                GError **error)
{
  struct stat log_st, in_st;
  gboolean same = FALSE;

  if (self->save && self->log_path != NULL)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("--save keeps the run's log in the history: give it or --log, not both"));
      return FALSE;
    }
  if (self->log_path == NULL)
    return TRUE;
  if (g_str_equal (self->log_path, "-"))
    {
      if (self->format != PS_FORMAT_NONE || self->json)
        {
          g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                               _("--log: “-” writes the log to standard output, which then carries "
                                 "nothing else: add --format none (and no --json), or give a file"));
          return FALSE;
        }
      return TRUE;
    }
  if (stat (self->log_path, &log_st) < 0)
    return TRUE; /* a new file cannot be one the run reads */
  if (self->items_spec && self->items_spec[0] == '@' && stat (self->items_spec + 1, &in_st) == 0)
    same = in_st.st_dev == log_st.st_dev && in_st.st_ino == log_st.st_ino;
  if (!same && g_strcmp0 (self->items_spec, "-") == 0 && fstat (STDIN_FILENO, &in_st) == 0)
    same = in_st.st_dev == log_st.st_dev && in_st.st_ino == log_st.st_ino;
  if (same)
    {
      g_autofree char *shown = g_filename_display_name (self->log_path);

      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("--log: “%s” is the file the items are read from; writing the log "
                     "there would destroy them: give another file"), shown);
      return FALSE;
    }
  return TRUE;
}

/* The options of commands and worker programs, against the workload. */
static gboolean
check_output_options (PsSpec  *self,
                      GError **error)
{
  PsWorkloadKind kind = self->workload.kind;
  gboolean command = kind == PS_WORKLOAD_COMMAND || kind == PS_WORKLOAD_SHELL;
  const char *option = NULL;

  if (!ps_workload_runs_program (&self->workload))
    {
      if (self->output_flags & PS_OUTPUT_LINE_BUFFER)
        option = "--line-buffer";
      else if (self->output_flags & PS_OUTPUT_TAG)
        option = "--tag";
      else if (self->output_flags & PS_OUTPUT_RESULT_STDOUT)
        option = "--result";
      else if (self->output_limit_set)
        option = "--output-limit";
    }
  else if (!command && (self->output_flags & (PS_OUTPUT_RESULT_STDOUT | PS_OUTPUT_LINE_BUFFER | PS_OUTPUT_TAG)))
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("%s is for commands: a worker program’s result is the line it answers, and "
                     "its standard error goes out line by line as the running task’s output"),
                   (self->output_flags & PS_OUTPUT_RESULT_STDOUT) ? "--result"
                   : (self->output_flags & PS_OUTPUT_LINE_BUFFER) ? "--line-buffer" : "--tag");
      return FALSE;
    }
  if (option != NULL)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("%s is for commands (-- PROGRAM, --shell) and worker programs; "
                     "the workload “%s” prints no output of its own"),
                   option, self->workload_spec);
      return FALSE;
    }
  if (self->worker_protocol == PS_WORKER_PROTOCOL_JSON && kind != PS_WORKLOAD_PROGRAM)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("--worker-protocol is for --worker-program"));
      return FALSE;
    }
  if (self->worker_protocol == PS_WORKER_PROTOCOL_JSON)
    self->output_flags |= PS_OUTPUT_JSON_PROGRAM;
  else
    self->output_flags &= ~PS_OUTPUT_JSON_PROGRAM;

  if (!self->output_limit_set)
    self->output_limit = PS_OUTPUT_LIMIT_DEFAULT;
  else if (self->output_limit == 0 && !(self->output_flags & PS_OUTPUT_LINE_BUFFER))
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("--output-limit 0 (keep everything) needs --line-buffer: grouped "
                             "output is held in memory until its task ends"));
      return FALSE;
    }

  /* a command's result is its exit status: its output is what it prints */
  if (command && !self->format_set)
    self->format = (self->output_flags & PS_OUTPUT_RESULT_STDOUT) ? PS_FORMAT_LINES : PS_FORMAT_NONE;
  return TRUE;
}

/* --hosts and --hosts-file, together, as parallel's -S and --slf. */
static gboolean
read_hosts (PsSpec  *self,
            GError **error)
{
  g_autoptr(GPtrArray) hosts = NULL;

  if (self->hosts != NULL)
    return TRUE; /* read already: the spec is finished again */
  if (self->hosts_spec == NULL && self->hosts_file == NULL)
    {
      if (self->launcher || self->remote_run)
        {
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       _("%s is for workers on other hosts: give them with --hosts or --hosts-file"),
                       self->launcher ? "--launcher" : "--remote-run");
          return FALSE;
        }
      return TRUE;
    }
  if (self->hosts_spec != NULL && !(hosts = ps_hosts_parse (self->hosts_spec, error)))
    {
      g_prefix_error (error, "--hosts: ");
      return FALSE;
    }
  if (self->hosts_file != NULL)
    {
      g_autoptr(GPtrArray) more = ps_hosts_parse_file (self->hosts_file, error);
      g_autoptr(GString) all = g_string_new (self->hosts_spec);

      if (more == NULL)
        return FALSE;
      /* named again over both, so that a name taken twice is told apart */
      for (guint i = 0; i < more->len; i++)
        {
          if (all->len > 0)
            g_string_append_c (all, ',');
          g_string_append (all, ((PsHost *) g_ptr_array_index (more, i))->entry);
        }
      g_clear_pointer (&hosts, g_ptr_array_unref);
      if (!(hosts = ps_hosts_parse (all->str, error)))
        return FALSE;
    }
  if (hosts->len > PS_WORKERS_MAX)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("--hosts: %u hosts, more than a pool’s %u workers"), hosts->len, PS_WORKERS_MAX);
      return FALSE;
    }
  if (!ps_hosts_check_programs (hosts, self->launcher, error))
    {
      g_prefix_error (error, self->hosts_spec ? "--hosts: " : "--hosts-file: ");
      return FALSE;
    }
  if (self->workload.kind == PS_WORKLOAD_LOCK && ps_hosts_any_remote (hosts))
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("the lock workload’s workers share a lock of this machine: it cannot run "
                             "on other hosts (use “:” alone, or another workload)"));
      return FALSE;
    }
  self->hosts = g_steal_pointer (&hosts);
  return TRUE;
}

/**
 * ps_spec_finish:
 *
 * Applies the preset and the defaults, then parses and checks the items
 * and the workload against each other.
 */
gboolean
ps_spec_finish (PsSpec  *self,
                GError **error)
{
  const PsPreset *preset = self->preset ? ps_preset_lookup (self->preset) : NULL;
  g_autoptr(GError) local_error = NULL;

  if (preset != NULL)
    {
      if (self->items_spec == NULL)
        self->items_spec = g_strdup (preset->items);
      if (self->workload_spec == NULL)
        self->workload_spec = g_strdup (preset->workload);
      if (!self->workers_set)
        self->workers = preset->workers;
      if (!self->format_set)
        self->format = preset->format;
    }

  if (self->items_spec == NULL)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("--items: no items given (use --items 1..9, a,b,c, @FILE or -, or a --preset)"));
      return FALSE;
    }
  if (self->workload_spec == NULL)
    self->workload_spec = g_strdup ("square");

  ps_workload_clear (&self->workload);
  if (!ps_workload_parse (self->workload_spec, &self->workload, &local_error) ||
      !ps_workload_check_runnable (&self->workload, &local_error))
    {
      if (g_strcmp0 (self->workload_from, "--") == 0)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT, "%s: %s",
                     self->workload_from ? self->workload_from : "--workload", local_error->message);
      return FALSE;
    }
  if (!check_output_options (self, error))
    return FALSE;
  if (!read_hosts (self, error))
    return FALSE;

  /* items parsed already (the app's form parses them in its check) are
   * not read again: an @FILE of millions of lines is read once */
  if (self->items == NULL)
    self->items = ps_items_parse (self->items_spec, &local_error);
  if (self->items == NULL)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT, "--items: %s", local_error->message);
      return FALSE;
    }
  if (ps_workload_needs_integers (&self->workload) &&
      !ps_items_check_integers (self->items, &local_error))
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT, "--items: %s", local_error->message);
      return FALSE;
    }

  /* the line protocol has an item a line: an item cannot hold a line break */
  if (self->workload.kind == PS_WORKLOAD_PROGRAM && self->worker_protocol == PS_WORKER_PROTOCOL_LINES &&
      !ps_items_is_range (self->items))
    {
      char buf[32];
      guint64 n = ps_items_get_count (self->items);

      for (guint64 i = 0; i < n; i++)
        {
          gsize len;
          const char *text = ps_items_get_text (self->items, i, buf, &len);

          if (memchr (text, '\n', len) != NULL)
            {
              g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("--items: item %" G_GUINT64_FORMAT " holds a line break, which a worker program "
                             "would read as two items: use --worker-protocol json"), i + 1);
              return FALSE;
            }
        }
    }

  if (self->halt_percent > 0)
    self->halt_count = MAX (1, (guint64) ceil (self->halt_percent / 100.0 *
                                               (double) ps_items_get_count (self->items) - 1e-9));

  if (!self->seed_set)
    {
      self->seed = g_random_int () | ((guint64) g_random_int () << 32);
      self->seed_set = TRUE;
    }

  return check_log_path (self, error);
}

guint64
ps_spec_get_n_tasks (const PsSpec *self)
{
  return self->items ? ps_items_get_count (self->items) : 0;
}

/**
 * ps_spec_get_chunksize:
 *
 * Returns: the chunk size in force: the one asked for, or Pool.map's
 *   default of ceil(n / (4 × workers)); 1 for a command per item
 */
guint64
ps_spec_get_chunksize (const PsSpec *self)
{
  guint64 n = ps_spec_get_n_tasks (self);
  guint64 d = 4 * (guint64) MAX (self->workers, 1);

  if (self->chunksize > 0)
    return self->chunksize;
  /* a program a task costs far more than its dispatch: one at a time,
   * as GNU parallel and xargs hand them out, balances uneven ones */
  if (self->workload.kind == PS_WORKLOAD_COMMAND || self->workload.kind == PS_WORKLOAD_SHELL)
    return 1;
  return MAX (1, (n + d - 1) / d);
}

const char *
ps_start_method_to_string (PsStartMethod method)
{
  return method == PS_START_SPAWN ? "spawn" : "fork";
}

const char *
ps_order_to_string (PsOrder order)
{
  return order == PS_ORDER_UNORDERED ? "unordered" : "map";
}

/**
 * ps_spec_to_args:
 *
 * Returns: (transfer container): the options that ps_spec_parse_args()
 *   turns back into @self (the items and workload as given, not parsed)
 */
GPtrArray *
ps_spec_to_args (const PsSpec *self)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

#define ADD(name, value) G_STMT_START { \
    g_ptr_array_add (args, g_strdup (name)); \
    g_ptr_array_add (args, value); \
  } G_STMT_END

  if (self->preset)
    ADD ("--preset", g_strdup (self->preset));
  if (self->items_spec)
    ADD ("--items", g_strdup (self->items_spec));
  if (self->workload_spec)
    ADD ("--workload", g_strdup (self->workload_spec));
  ADD ("--workers", g_strdup_printf ("%u", self->workers));
  ADD ("--start", g_strdup (ps_start_method_to_string (self->start)));
  ADD ("--chunksize", self->chunksize ? g_strdup_printf ("%" G_GUINT64_FORMAT, self->chunksize)
                                      : g_strdup ("auto"));
  ADD ("--order", g_strdup (ps_order_to_string (self->order)));
  if (self->seed_set)
    ADD ("--seed", g_strdup_printf ("%" G_GUINT64_FORMAT, self->seed));
  ADD ("--sample-hz", g_strdup (g_ascii_dtostr (buf, sizeof buf, self->sample_hz)));
  if (self->timeout_s > 0)
    ADD ("--timeout", g_strdup (g_ascii_dtostr (buf, sizeof buf, self->timeout_s)));
  if (self->retries)
    ADD ("--retries", g_strdup_printf ("%u", self->retries));
  if (self->max_tasks_per_child)
    ADD ("--max-tasks-per-child", g_strdup_printf ("%" G_GUINT64_FORMAT, self->max_tasks_per_child));
  if (self->log_path)
    ADD ("--log", g_strdup (self->log_path));
  if (self->hosts_spec)
    ADD ("--hosts", g_strdup (self->hosts_spec));
  if (self->hosts_file)
    ADD ("--hosts-file", g_strdup (self->hosts_file));
  if (self->launcher)
    ADD ("--launcher", g_strdup (self->launcher));
  if (self->remote_run)
    ADD ("--remote-run", g_strdup (self->remote_run));
  if (self->output_flags & PS_OUTPUT_LINE_BUFFER)
    g_ptr_array_add (args, g_strdup ("--line-buffer"));
  if (self->output_flags & PS_OUTPUT_TAG)
    g_ptr_array_add (args, g_strdup ("--tag"));
  if (self->output_flags & PS_OUTPUT_RESULT_STDOUT)
    ADD ("--result", g_strdup ("stdout"));
  if (self->output_limit_set)
    ADD ("--output-limit", g_strdup_printf ("%" G_GUINT64_FORMAT, self->output_limit));
  if (self->worker_protocol == PS_WORKER_PROTOCOL_JSON)
    ADD ("--worker-protocol", g_strdup ("json"));
  if (self->halt_when != PS_HALT_NEVER)
    {
      static const char *const whens[] = { "never", "soon", "now" };
      static const char *const ons[] = { "fail", "success", "done" };

      if (self->halt_percent > 0)
        ADD ("--halt", g_strdup_printf ("%s,%s=%s%%", whens[self->halt_when], ons[self->halt_on],
                                        g_ascii_dtostr (buf, sizeof buf, self->halt_percent)));
      else
        ADD ("--halt", g_strdup_printf ("%s,%s=%" G_GUINT64_FORMAT, whens[self->halt_when],
                                        ons[self->halt_on], self->halt_count));
    }
#undef ADD
  return args;
}
