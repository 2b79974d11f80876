/* ps-cli-run.c: `poolscope-run run`
 *
 * The pool's events go to the log, to the summary, and to stdout: output
 * lines as they arrive, results in submission order as soon as each prefix
 * is complete (like imap) or in completion order (like imap_unordered).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope-run"

#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "ps-cli-run.h"
#include "ps-error.h"
#include "ps-log-writer.h"
#include "ps-pool.h"
#include "ps-run-summary.h"

typedef enum
{
  SLOT_EMPTY,
  SLOT_INT,
  SLOT_TEXT,
  SLOT_NONE,     /* finished without a result */
  SLOT_FAILED,
} SlotKind;

typedef struct
{
  guint8  kind;
  gint64  value;
  char   *text;
} Slot;

typedef struct
{
  PsPool       *pool;
  PsSpec       *spec;           /* owned by the pool */
  GMainLoop    *loop;
  PsLogWriter  *log;
  PsRunSummary *summary;
  Slot         *slots;          /* map order: results waiting for their turn */
  guint64       next_print;
  guint64       n_tasks;
  guint64       done;
  gboolean      first_in_list;
  gboolean      progress;
  gint64        progress_at;
  int           signal;
  guint         flush_timer;
  char         *failure;
  gboolean      log_reported;
} CliRun;

static gboolean
flush_stdout (gpointer data)
{
  CliRun *run = data;

  fflush (stdout);
  run->flush_timer = 0;
  return G_SOURCE_REMOVE;
}

/* Output reaches a pipe within 100 ms, and an engine with nothing to print
 * is not woken for it: each wake-up polls every worker's descriptors. */
static void
schedule_flush (CliRun *run)
{
  if (run->flush_timer == 0)
    run->flush_timer = g_timeout_add (100, flush_stdout, run);
}

static void
print_list_item (CliRun     *run,
                 const Slot *slot)
{
  fputs (run->first_in_list ? "" : ", ", stdout);
  run->first_in_list = FALSE;
  if (slot->kind == SLOT_INT)
    {
      char buf[24];
      fwrite_unlocked (buf, 1, ps_format_int (slot->value, buf), stdout);
    }
  else if (slot->kind == SLOT_TEXT)
    {
      fputc ('\'', stdout);
      for (const char *p = slot->text; *p; p++)
        {
          if (*p == '\'' || *p == '\\')
            fputc ('\\', stdout);
          fputc (*p, stdout);
        }
      fputc ('\'', stdout);
    }
  else
    fputs ("None", stdout);
}

static void
print_slot (CliRun     *run,
            const Slot *slot)
{
  if (run->spec->format == PS_FORMAT_LIST)
    print_list_item (run, slot);
  else if (run->spec->format == PS_FORMAT_LINES)
    {
      if (slot->kind == SLOT_INT)
        {
          char buf[24];
          gsize n = ps_format_int (slot->value, buf);

          buf[n] = '\n';
          fwrite_unlocked (buf, 1, n + 1, stdout);
        }
      else if (slot->kind == SLOT_TEXT)
        {
          fputs_unlocked (slot->text, stdout);
          putc_unlocked ('\n', stdout);
        }
    }
}

static void
take_result (CliRun        *run,
             const PsEvent *e)
{
  Slot slot = { SLOT_NONE, 0, NULL };
  char itembuf[24];

  if (e->status != PS_TASK_OK)
    slot.kind = SLOT_FAILED;
  else if (e->result_kind == PS_RESULT_INT)
    {
      slot.kind = SLOT_INT;
      slot.value = e->result_int;
    }
  else if (e->result_kind == PS_RESULT_TEXT)
    {
      slot.kind = SLOT_TEXT;
      slot.text = (char *) e->result_text;
    }

  if (e->status != PS_TASK_OK && e->status != PS_TASK_CANCELLED)
    fprintf (stderr, _("poolscope-run: task %" PRIu64 " (%s) %s on %s%s%s\n"),
             e->task, ps_event_get_item (e, itembuf), ps_task_status_to_string (e->status), e->name,
             e->message ? ": " : "", e->message ? e->message : "");

  if (run->spec->order == PS_ORDER_UNORDERED)
    {
      print_slot (run, &slot);
      return;
    }

  /* map order: keep it until every earlier task has been printed */
  if (e->task != run->next_print)
    {
      if (slot.kind == SLOT_TEXT)
        slot.text = g_strdup (slot.text);
      run->slots[e->task] = slot;
      return;
    }
  print_slot (run, &slot);
  run->next_print++;
  while (run->next_print < run->n_tasks && run->slots[run->next_print].kind != SLOT_EMPTY)
    {
      Slot *s = &run->slots[run->next_print++];
      print_slot (run, s);
      g_clear_pointer (&s->text, g_free);
    }
}

static void
draw_progress (CliRun  *run,
               gint64   t,
               gboolean last)
{
  double secs = t / 1e9;
  double rate = secs > 0 ? run->done / secs : 0;
  int width = 30;
  int filled = run->n_tasks ? (int) (width * run->done / run->n_tasks) : width;
  g_autofree char *eta = NULL;

  if (rate > 0 && run->done < run->n_tasks)
    eta = g_strdup_printf (_("ETA %.0f s"), (run->n_tasks - run->done) / rate);
  fprintf (stderr, "\r\033[K[%.*s%*s] %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " %s  %.0f/s  %s",
           filled, "##############################", width - filled, "",
           run->done, run->n_tasks, _("tasks"), rate, eta ? eta : "");
  if (last)
    fputc ('\n', stderr);
}

/* A log that fails stops, and the run goes on (docs/log-format.md): say
 * so when it happens, once, not only at the end of a long run. */
static void
report_log_error (CliRun *run)
{
  const char *why = run->log ? ps_log_writer_get_error (run->log) : NULL;

  if (why == NULL || run->log_reported)
    return;
  run->log_reported = TRUE;
  fprintf (stderr, "%spoolscope-run: %s\n", run->progress ? "\r\033[K" : "", why);
}

static void
on_event (const PsEvent *e,
          gpointer       data)
{
  CliRun *run = data;

  if (run->log)
    {
      ps_log_writer_add (run->log, e);
      report_log_error (run);
    }
  ps_run_summary_add (run->summary, e);

  switch (e->type)
    {
    case PS_EVENT_OUTPUT:
      fputs (e->text, e->stream == PS_STREAM_STDERR ? stderr : stdout);
      fputc ('\n', e->stream == PS_STREAM_STDERR ? stderr : stdout);
      schedule_flush (run);
      break;

    case PS_EVENT_TASK_END:
      if (e->retry)
        {
          char itembuf[24];

          fprintf (stderr, _("poolscope-run: task %" PRIu64 " (%s) %s on %s: %s; trying again\n"),
                   e->task, ps_event_get_item (e, itembuf), ps_task_status_to_string (e->status), e->name,
                   e->message ? e->message : "");
          break;
        }
      run->done++;
      take_result (run, e);
      schedule_flush (run);
      if (run->progress && (e->t - run->progress_at > 100000000 || run->done == run->n_tasks))
        {
          run->progress_at = e->t;
          draw_progress (run, e->t, FALSE);
        }
      break;

    case PS_EVENT_RUN_END:
      if (e->message && *e->message)
        run->failure = g_strdup (e->message);
      if (run->progress)
        draw_progress (run, e->t, TRUE);
      g_main_loop_quit (run->loop);
      break;

    case PS_EVENT_RUN_START:
    case PS_EVENT_WORKER_START:
    case PS_EVENT_TASK_START:
    case PS_EVENT_SAMPLE:
    case PS_EVENT_WORKER_EXIT:
    case PS_EVENT_N_TYPES:
    default:
      break;
    }
}

static gboolean
on_signal (gpointer data,
           int      sig)
{
  CliRun *run = data;

  if (run->signal == 0)
    run->signal = sig;
  ps_pool_cancel (run->pool);
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


/**
 * ps_cli_run:
 *
 * Returns: the exit status of `poolscope-run run`
 */
int
ps_cli_run (int         argc,
            char      **argv,
            const char *self_exe)
{
  g_autoptr(PsSpec) spec = ps_spec_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PsLogWriter) log = NULL;
  g_autoptr(PsRunSummary) summary = ps_run_summary_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(PsPool) pool = NULL;
  const PsPreset *preset;
  CliRun run = { 0 };
  guint sigint_id, sigterm_id;
  int status;

  if (!ps_spec_parse_args (spec, argc, argv, &error) || !ps_spec_finish (spec, &error))
    {
      fprintf (stderr, "poolscope-run: %s\n", error->message);
      return 2;
    }
  if (spec->log_path != NULL && !(log = ps_log_writer_new (spec->log_path, &error)))
    {
      fprintf (stderr, "poolscope-run: %s\n", error->message);
      return 2;
    }

  preset = spec->preset ? ps_preset_lookup (spec->preset) : NULL;
  run.spec = spec;
  run.loop = loop;
  run.log = log;
  run.summary = summary;
  run.n_tasks = ps_spec_get_n_tasks (spec);
  run.first_in_list = TRUE;
  run.progress = !spec->quiet && !spec->json && isatty (STDERR_FILENO);
  if (spec->order == PS_ORDER_MAP)
    run.slots = g_new0 (Slot, run.n_tasks);

  /* Results go out in big writes; a terminal still sees each line. */
  if (!isatty (STDOUT_FILENO))
    setvbuf (stdout, NULL, _IOFBF, 1 << 16);

  pool = ps_pool_new (g_steal_pointer (&spec));
  run.pool = pool;
  run.spec = (PsSpec *) ps_pool_get_spec (pool);
  ps_pool_set_worker_command (pool, self_exe);
  ps_pool_set_event_func (pool, on_event, &run);

  sigint_id = g_unix_signal_add (SIGINT, on_sigint, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, on_sigterm, &run);

  if (run.spec->format == PS_FORMAT_LIST)
    fputc ('[', stdout);

  if (!ps_pool_start (pool, &error))
    {
      fprintf (stderr, "poolscope-run: %s\n", error->message);
      status = 3;
      goto out;
    }
  g_main_loop_run (loop);

  if (run.spec->format == PS_FORMAT_LIST)
    fputs ("]\n", stdout);
  if (preset && preset->epilogue && !run.signal)
    printf ("%s\n", preset->epilogue);
  if (run.spec->json)
    {
      g_autofree char *json = ps_run_summary_to_json (summary);
      printf ("%s\n", json);
    }

  if (run.signal)
    status = 128 + run.signal;
  else if (run.failure)
    {
      fprintf (stderr, "poolscope-run: %s\n", run.failure);
      status = 3;
    }
  else
    status = (summary->failed > 0 || summary->ok < summary->tasks) ? 1 : 0;

  if (run.signal && !run.spec->quiet)
    fprintf (stderr, _("poolscope-run: interrupted: %" PRIu64 " of %" PRIu64
                       " tasks done, %" PRIu64 " cancelled\n"),
             summary->ok + summary->failed, summary->tasks, summary->cancelled);

out:
  fflush (stdout);
  if (log != NULL)
    {
      ps_log_writer_flush (log, NULL);
      run.progress = FALSE;
      report_log_error (&run);
    }
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_clear_handle_id (&run.flush_timer, g_source_remove);
  if (run.slots)
    {
      for (guint64 i = 0; i < run.n_tasks; i++)
        g_free (run.slots[i].text);
      g_free (run.slots);
    }
  g_free (run.failure);
  return status;
}
