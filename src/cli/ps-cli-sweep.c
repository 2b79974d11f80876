/* ps-cli-sweep.c: poolscope-run sweep, one batch over many pool sizes
 *
 * Each run of the sweep's plan is a fresh pool in this process, run to
 * its end on the main loop; its events go to the sweep's tally (and to
 * the log). The table, the fits and the recommendation come at the end,
 * on stdout (or one JSON object with --json). Ctrl+C stops the run under
 * way and ends with the points finished so far.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope-run"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "ps-cli-run.h"
#include "ps-error.h"
#include "ps-format.h"
#include "ps-log-writer.h"
#include "ps-pool.h"
#include "ps-history.h"
#include "ps-sweep.h"
#include "ps-sweep-record.h"

typedef struct
{
  PsSweep     *sweep;
  PsSweepRun  *run;          /* the one under way */
  guint        index;
  PsPool      *pool;
  GMainLoop   *loop;
  PsLogWriter *log;
  PsSweepRecord *record;     /* --save: the sweep kept in the history */
  gboolean     progress;
  int          signal;
  char        *failure;
} CliSweep;

static void
on_event (const PsEvent *e,
          gpointer       data)
{
  CliSweep *s = data;

  ps_sweep_run_result_add_event (&s->run->result, e);
  if (s->log)
    ps_log_writer_add (s->log, e);
  if (s->record)
    ps_sweep_record_add (s->record, e);
  if (e->type == PS_EVENT_RUN_END)
    {
      if (e->message && !e->cancelled && s->failure == NULL)
        s->failure = g_strdup (e->message);
      g_main_loop_quit (s->loop);
    }
  else if (e->type == PS_EVENT_NOTICE && e->message)
    fprintf (stderr, "%spoolscope-run: %s\n", s->progress ? "\r\033[K" : "", e->message);
}

static gboolean
on_signal (CliSweep *s,
           int       signum)
{
  if (s->signal == 0)
    {
      s->signal = signum;
      if (s->pool)
        ps_pool_cancel (s->pool);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint (gpointer data)
{
  return on_signal (data, SIGINT);
}

static gboolean
on_sigterm (gpointer data)
{
  return on_signal (data, SIGTERM);
}

/* Takes the sweep's own options out of @argv; what is left is run's. */
static gboolean
take_sweep_options (int           argc,
                    char        **argv,
                    GPtrArray    *rest,
                    const char  **workers,
                    const char  **reps,
                    gboolean     *warmup,
                    const char  **tolerance,
                    GError      **error)
{
  for (int i = 0; i < argc; i++)
    {
      const char *arg = argv[i];
      const char **slot = NULL;
      const char *name = NULL;

      /* -- PROGRAM ARG…: the command's words are its own */
      if (g_str_equal (arg, "--"))
        {
          for (; i < argc; i++)
            g_ptr_array_add (rest, argv[i]);
          break;
        }
      if (g_str_equal (arg, "--warmup") || g_str_equal (arg, "--no-warmup"))
        {
          *warmup = g_str_equal (arg, "--warmup");
          continue;
        }
      if (g_str_has_prefix (arg, "--workers=") || g_str_has_prefix (arg, "--reps=") ||
          g_str_has_prefix (arg, "--tolerance="))
        {
          const char *eq = strchr (arg, '=');

          slot = g_str_has_prefix (arg, "--workers") ? workers : g_str_has_prefix (arg, "--reps") ? reps : tolerance;
          *slot = eq + 1;
          continue;
        }
      if (g_str_equal (arg, "--workers") || g_str_equal (arg, "-j"))
        slot = workers, name = arg;
      else if (g_str_equal (arg, "--reps"))
        slot = reps, name = arg;
      else if (g_str_equal (arg, "--tolerance"))
        slot = tolerance, name = arg;
      else if (g_str_has_prefix (arg, "-j") && arg[2] != '\0')
        {
          *workers = arg + 2;
          continue;
        }
      if (slot == NULL)
        {
          g_ptr_array_add (rest, (char *) arg);
          continue;
        }
      if (i + 1 >= argc)
        {
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT, _("%s needs a value"), name);
          return FALSE;
        }
      *slot = argv[++i];
    }
  return TRUE;
}

static void
show_progress (CliSweep *s)
{
  PsSweepRun *run = s->run;
  guint n = ps_sweep_get_n_runs (s->sweep);

  if (!s->progress)
    return;
  if (run->warmup)
    fprintf (stderr, ngettext ("\r\033[K[%u/%u] warm-up, %u worker (not counted)",
                               "\r\033[K[%u/%u] warm-up, %u workers (not counted)", run->workers),
             s->index + 1, n, run->workers);
  else
    fprintf (stderr, ngettext ("\r\033[K[%u/%u] %u worker, repetition %u",
                               "\r\033[K[%u/%u] %u workers, repetition %u", run->workers),
             s->index + 1, n, run->workers, run->rep + 1);
  fflush (stderr);
}

int
ps_cli_sweep (int         argc,
              char      **argv,
              const char *self_exe)
{
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  g_autoptr(PsSpec) spec = ps_spec_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) counts = NULL;
  g_autoptr(PsSweep) sweep = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(PsLogWriter) log = NULL;
  g_autoptr(PsHistory) history = NULL;
  g_autofree char *saved_path = NULL;
  g_autofree char *usable_why = NULL;
  const char *workers_text = "auto", *reps_text = NULL, *tolerance_text = NULL;
  gboolean warmup = TRUE, failed_tasks = FALSE;
  guint reps = PS_SWEEP_DEFAULT_REPS, usable, sigint_id, sigterm_id;
  CliSweep s = { 0 };
  int status = 0;

  if (!take_sweep_options (argc, argv, rest, &workers_text, &reps_text, &warmup, &tolerance_text, &error) ||
      !ps_spec_parse_args (spec, rest->len, (char **) rest->pdata, &error) ||
      !ps_spec_finish (spec, &error))
    {
      fprintf (stderr, "poolscope-run: %s\n", error->message);
      return 2;
    }
  usable = ps_sweep_usable_cpus (&usable_why);
  /* over hosts: their slots are the CPUs the sweep goes up to */
  if (spec->hosts != NULL)
    {
      g_clear_pointer (&usable_why, g_free);
      usable = ps_sweep_hosts_cpus (spec, &usable_why);
      if (usable == 0 && g_str_equal (workers_text, "auto"))
        {
          fprintf (stderr, _("poolscope-run: --workers: a sweep over hosts goes up to their slots: give "
                             "each host its slots (4/server) or the worker counts (--workers 1..16)\n"));
          return 2;
        }
      if (usable == 0)
        usable = ps_sweep_usable_cpus (NULL);
    }
  if (!ps_sweep_parse_workers (workers_text, usable, &counts, &error) ||
      (reps_text && !ps_sweep_parse_reps (reps_text, &reps, &error)))
    {
      fprintf (stderr, "poolscope-run: --%s\n", error->message);
      return 2;
    }
  if (ps_cli_stdout_closed)
    {
      fprintf (stderr, _("poolscope-run: cannot write the results: standard output is closed\n"));
      return 3;
    }
  if (spec->log_path != NULL && !(log = ps_log_writer_new (spec->log_path, &error)))
    {
      fprintf (stderr, "poolscope-run: %s\n", error->message);
      return 2;
    }

  sweep = ps_sweep_new (spec, (guint *) counts->data, counts->len, reps, warmup, spec->seed);
  ps_sweep_set_usable_cpus (sweep, usable, usable_why);
  if (tolerance_text)
    {
      double t = g_ascii_strtod (tolerance_text, NULL);

      if (!(t >= 0 && t <= 0.5))
        {
          fprintf (stderr, _("poolscope-run: --tolerance: “%s” is not a fraction from 0 to 0.5 "
                             "(0.05: within 5%% of the best)\n"), tolerance_text);
          return 2;
        }
      ps_sweep_set_tolerance (sweep, t);
    }
  /* --save: the sweep joins the history, kept as it goes (ps-sweep-record.c) */
  if (spec->save)
    {
      g_autofree char *dir = ps_history_default_dir ();

      history = ps_history_open (dir, NULL, &error);
      if (history == NULL || (saved_path = ps_history_new_log_path (history, &error)) == NULL ||
          (s.record = ps_sweep_record_new (saved_path, &error)) == NULL)
        {
          fprintf (stderr, "poolscope-run: --save: %s\n", error->message);
          return 3;
        }
    }

  s.sweep = sweep;
  s.loop = loop;
  s.log = log;
  s.progress = !spec->quiet && !spec->json && isatty (STDERR_FILENO);
  sigint_id = g_unix_signal_add (SIGINT, on_sigint, &s);
  sigterm_id = g_unix_signal_add (SIGTERM, on_sigterm, &s);

  for (s.index = 0; s.index < ps_sweep_get_n_runs (sweep) && s.signal == 0 && s.failure == NULL; s.index++)
    {
      g_autoptr(PsPool) pool = NULL;
      PsSpec *run_spec = ps_sweep_dup_run_spec (sweep, s.index);

      /* a sweep shows what it measured, not each run's results */
      run_spec->format = PS_FORMAT_NONE;
      s.run = ps_sweep_get_run (sweep, s.index);
      show_progress (&s);
      if (log)
        {
          PsEvent e = { 0 };

          /* which run the events that follow are */
          e.type = PS_EVENT_SWEEP_RUN;
          e.task = s.index;
          e.workers = s.run->workers;
          e.attempt = s.run->rep;
          e.retry = s.run->warmup;
          ps_log_writer_add (log, &e);
        }
      if (s.record)
        ps_sweep_record_run (s.record, sweep, s.index);
      pool = ps_pool_new (run_spec);
      s.pool = pool;
      ps_pool_set_worker_command (pool, self_exe);
      ps_pool_set_event_func (pool, on_event, &s);
      if (!ps_pool_start (pool, &error))
        {
          s.failure = g_strdup (error->message);
          s.pool = NULL;
          break;
        }
      if (!ps_pool_is_finished (pool))
        g_main_loop_run (loop);
      s.pool = NULL;
      if (s.record)
        ps_sweep_record_run_done (s.record);
      if (s.run->result.ended && !s.run->result.cancelled)
        {
          ps_sweep_run_done (sweep, s.index);
          failed_tasks |= s.run->result.failed > 0;
        }
    }
  if (s.progress)
    fprintf (stderr, "\r\033[K");

  ps_sweep_compute (sweep);
  if (s.record)
    {
      g_autoptr(GError) saved_error = NULL;

      if (!ps_sweep_record_finish (g_steal_pointer (&s.record), sweep, TRUE, NULL, NULL, &saved_error))
        {
          fprintf (stderr, "poolscope-run: --save: %s\n", saved_error->message);
          status = 3;
          g_clear_error (&saved_error);
        }
      if (!ps_history_add_log (history, saved_path, &saved_error))
        fprintf (stderr, "poolscope-run: --save: %s\n", saved_error->message);
    }
  if (log)
    {
      g_autofree char *result = ps_sweep_to_json (sweep);
      PsEvent e = { 0 };

      e.type = PS_EVENT_SWEEP_END;
      e.text = result;
      ps_log_writer_add (log, &e);
    }
  if (spec->json)
    {
      g_autofree char *json = ps_sweep_to_json (sweep);
      printf ("%s\n", json);
    }
  else
    {
      g_autoptr(GString) table = g_string_new (NULL);

      ps_sweep_format_table (sweep, table);
      fputs (table->str, stdout);
    }
  if (fflush (stdout) != 0)
    status = 3;
  if (log != NULL && !ps_log_writer_flush (log, &error))
    fprintf (stderr, "poolscope-run: %s\n", error->message);

  if (status == 0)
    {
      if (s.signal)
        {
          fprintf (stderr, _("poolscope-run: interrupted: the table has the runs that finished\n"));
          status = 128 + s.signal;
        }
      else if (s.failure)
        {
          fprintf (stderr, "poolscope-run: %s\n", s.failure);
          status = 3;
        }
      else
        status = failed_tasks ? 1 : 0;
    }
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_free (s.failure);
  return status;
}
