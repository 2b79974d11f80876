/* ps-cli-run.c: `poolscope-run run`
 *
 * The pool's events go to the log, to the summary, and to stdout: output
 * lines as they arrive, results in submission order as soon as each prefix
 * is complete (like imap) or, like imap_unordered, each chunk's results
 * together once the whole chunk is done, chunks in completion order.
 * `--format list` prints what Python's print() prints for the list of
 * results, once the run is over (as `print(pool.map(...))` would).
 *
 * Standard output failing — a full disk, a closed descriptor, a pipe
 * whose reader left (`| head -1`) — ends the run: there is no one left to
 * tell the results to. A pipe whose reader left says so at once (POLLERR
 * on the write end), so a long run stops without waiting to print.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope-run"

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "ps-cli-run.h"
#include "ps-error.h"
#include "ps-format.h"
#include "ps-history.h"
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
  guint64       chunksize;
  guint32      *chunk_done;     /* unordered: tasks of each chunk done */
  GString      *list;           /* --format list: the list, printed at the end */
  int           signal;
  int           out_errno;      /* stdout failed with this; nothing more is printed */
  guint         flush_timer;
  guint         stdout_watch;
  char         *failure;
  gboolean      log_reported;
  gboolean      log_on_stdout;  /* --log -: the workers' output goes to stderr */
} CliRun;

static void stdout_failed (CliRun *run, int err);

gboolean ps_cli_stdout_closed;

/* Whether stdout has failed, and if so ends the run once. */
static gboolean
check_stdout (CliRun *run)
{
  if (run->out_errno != 0)
    return FALSE;
  if (G_LIKELY (!ferror_unlocked (stdout)))
    return TRUE;
  /* the errno of the failed write is gone: the retry says it again */
  clearerr (stdout);
  errno = 0;
  if (fflush (stdout) == 0 && !ferror (stdout))
    return TRUE;
  stdout_failed (run, errno ? errno : EIO);
  return FALSE;
}

static gboolean
flush_stdout (gpointer data)
{
  CliRun *run = data;

  run->flush_timer = 0;
  if (run->out_errno == 0 && fflush (stdout) != 0)
    stdout_failed (run, errno ? errno : EIO);
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

/* Whether Python's str.isprintable() holds for @c: repr() shows it as it is. */
static gboolean
python_printable (gunichar c)
{
  if (c == ' ')
    return TRUE;
  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_UNASSIGNED:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_SURROGATE:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
    case G_UNICODE_SPACE_SEPARATOR:
      return FALSE;
    default:
      return TRUE;
    }
}

/**
 * ps_python_repr_str:
 *
 * Appends what Python's repr() gives for the string @text (valid UTF-8):
 * single quotes unless the text holds one and no double quote; \\, \t,
 * \n, \r and the quote escaped; other unprintable characters as \xNN,
 * \uNNNN or \UNNNNNNNN.
 */
static void
ps_python_repr_str (GString    *out,
                    const char *text)
{
  char quote = (strchr (text, '\'') && !strchr (text, '"')) ? '"' : '\'';

  g_string_append_c (out, quote);
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == (gunichar) quote || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c < 0x80 && c >= 0x20 && c != 0x7f)
        g_string_append_c (out, (char) c);
      else if (python_printable (c))
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      else if (c <= 0xff)
        g_string_append_printf (out, "\\x%02x", c);
      else if (c <= 0xffff)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_printf (out, "\\U%08x", c);
    }
  g_string_append_c (out, quote);
}

static void
print_list_item (CliRun     *run,
                 const Slot *slot)
{
  if (!run->first_in_list)
    g_string_append (run->list, ", ");
  run->first_in_list = FALSE;
  if (slot->kind == SLOT_INT)
    {
      char buf[24];
      g_string_append_len (run->list, buf, ps_format_int (slot->value, buf));
    }
  else if (slot->kind == SLOT_TEXT)
    ps_python_repr_str (run->list, slot->text);
  else
    g_string_append (run->list, "None");
}

static void
print_slot (CliRun     *run,
            const Slot *slot)
{
  if (run->out_errno != 0)
    return;
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

/* A result in map or unordered order: see the top of the file. */
static void
place_result (CliRun  *run,
              guint64  task,
              Slot     slot)
{
  if (run->spec->order == PS_ORDER_UNORDERED)
    {
      guint64 chunk, first, count;

      if (run->chunksize <= 1)
        {
          print_slot (run, &slot);
          return;
        }
      /* a chunk's results wait for the whole chunk, as imap_unordered's */
      chunk = task / run->chunksize;
      first = chunk * run->chunksize;
      count = MIN (run->chunksize, run->n_tasks - first);
      if (slot.kind == SLOT_TEXT)
        slot.text = g_strdup (slot.text);
      run->slots[task] = slot;
      if (++run->chunk_done[chunk] < count)
        return;
      for (guint64 i = first; i < first + count; i++)
        {
          print_slot (run, &run->slots[i]);
          g_clear_pointer (&run->slots[i].text, g_free);
        }
      return;
    }

  /* map order: keep it until every earlier task has been printed */
  if (task != run->next_print)
    {
      if (slot.kind == SLOT_TEXT)
        slot.text = g_strdup (slot.text);
      run->slots[task] = slot;
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

  place_result (run, e->task, slot);
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
  char done[PS_FORMAT_BUF_SIZE];
  char total[PS_FORMAT_BUF_SIZE];
  g_autofree char *rate_text = NULL;
  g_autofree char *eta = NULL;

  ps_format_count_buf (run->done, done, sizeof done);
  ps_format_count_buf (run->n_tasks, total, sizeof total);
  /* a batch of slow tasks runs at 0.5/s, which "%.0f" showed as 0/s */
  if (rate < 9.95)
    rate_text = ps_format_number (round (rate * 10) / 10);
  else
    rate_text = ps_format_count ((guint64) round (rate));
  if (rate > 0 && run->done < run->n_tasks)
    {
      /* An estimate in whole seconds: three figures would flicker at
       * every redraw and promise a precision the estimate does not have. */
      double left_s = round ((run->n_tasks - run->done) / rate);
      gint64 left_ns = G_MAXINT64;
      g_autofree char *left = NULL;

      if (left_s < G_MAXINT64 / 1e9)
        left_ns = (gint64) left_s * G_GINT64_CONSTANT (1000000000);
      left = ps_format_duration (left_ns);

      /* Translators: the estimated time left, such as “ETA 2 min 05 s” */
      eta = g_strdup_printf (_("ETA %s"), left);
    }
  fprintf (stderr, "\r\033[K[%.*s%*s] %s/%s %s  %s/s  %s",
           filled, "##############################", width - filled, "",
           done, total, _("tasks"), rate_text, eta ? eta : "");
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
show_progress (CliRun *run,
               gint64  t)
{
  if (run->progress && (t - run->progress_at > 100000000 || run->done == run->n_tasks))
    {
      run->progress_at = t;
      draw_progress (run, t, FALSE);
    }
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

  switch ((int) e->type)
    {
    case PS_EVENT_TASKS:
      for (guint32 i = 0; i < e->n_entries; i++)
        {
          Slot slot = { SLOT_INT, e->tasks[i].result, NULL };

          run->done++;
          place_result (run, e->tasks[i].task, slot);
        }
      if (check_stdout (run))
        schedule_flush (run);
      show_progress (run, e->t);
      break;

    case PS_EVENT_NOTICE:
      fprintf (stderr, "%spoolscope-run: %s\n", run->progress ? "\r\033[K" : "", e->message);
      break;

    case PS_EVENT_OUTPUT:
      /* with --log -, stdout carries the log alone */
      if (e->stream == PS_STREAM_STDERR || run->log_on_stdout)
        {
          fputs (e->text, stderr);
          fputc ('\n', stderr);
          break;
        }
      if (run->out_errno != 0)
        break;
      fputs (e->text, stdout);
      fputc ('\n', stdout);
      if (check_stdout (run))
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
      /* a cancelled task never ran: it has no result to show */
      if (e->status == PS_TASK_CANCELLED)
        break;
      run->done++;
      take_result (run, e);
      if (check_stdout (run))
        schedule_flush (run);
      show_progress (run, e->t);
      break;

    case PS_EVENT_RUN_END:
      if (e->message && *e->message)
        run->failure = g_strdup (e->message);
      if (run->progress)
        draw_progress (run, e->t, TRUE);
      g_main_loop_quit (run->loop);
      break;

    case PS_EVENT_RUN_START:
      /* with --hosts the pool has its size, and so its chunk size, only
       * once they have answered */
      if (e->chunksize != run->chunksize && e->chunksize > 0)
        {
          run->chunksize = e->chunksize;
          g_clear_pointer (&run->chunk_done, g_free);
          if (run->spec->order == PS_ORDER_UNORDERED && run->chunksize > 1)
            run->chunk_done = g_new0 (guint32, run->n_tasks / run->chunksize + 1);
        }
      break;

    case PS_EVENT_WORKER_START:
    case PS_EVENT_TASK_START:
    case PS_EVENT_SAMPLE:
    case PS_EVENT_WORKER_EXIT:
    case PS_EVENT_N_TYPES:
    default:
      break;
    }
}

static void
stdout_failed (CliRun *run,
               int     err)
{
  if (run->out_errno != 0)
    return;
  run->out_errno = err;
  g_clear_handle_id (&run->stdout_watch, g_source_remove);
  /* a reader that left (| head) is how pipelines end, not an error to tell */
  if (err != EPIPE)
    fprintf (stderr, _("%spoolscope-run: cannot write the results to standard output: %s; "
                       "stopping the run\n"), run->progress ? "\r\033[K" : "", g_strerror (err));
  ps_pool_cancel (run->pool);
}

/* The reader of our pipe has gone (POLLERR on the write end). */
static gboolean
on_stdout_error (int          fd,
                 GIOCondition condition,
                 gpointer     data)
{
  CliRun *run = data;

  run->stdout_watch = 0;
  stdout_failed (run, EPIPE);
  return G_SOURCE_REMOVE;
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

/* SIGUSR1 adds a worker, SIGUSR2 takes one away, as with xargs -P */
static gboolean
on_sigusr1 (gpointer data)
{
  CliRun *run = data;

  if (run->spec->workers < PS_WORKERS_MAX)
    ps_pool_resize (run->pool, run->spec->workers + 1);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigusr2 (gpointer data)
{
  CliRun *run = data;

  if (run->spec->workers > 1)
    ps_pool_resize (run->pool, run->spec->workers - 1);
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
  g_autoptr(PsHistory) history = NULL;
  const PsPreset *preset;
  CliRun run = { 0 };
  guint sigint_id, sigterm_id, sigusr1_id, sigusr2_id;
  int status;

  if (!ps_spec_parse_args (spec, argc, argv, &error) || !ps_spec_finish (spec, &error))
    {
      fprintf (stderr, "poolscope-run: %s\n", error->message);
      return 2;
    }
  if (ps_cli_stdout_closed && (spec->format != PS_FORMAT_NONE || spec->json ||
                               g_strcmp0 (spec->log_path, "-") == 0))
    {
      fprintf (stderr, _("poolscope-run: cannot write the results: standard output is closed\n"));
      return 3;
    }
  if (spec->save)
    {
      g_autofree char *dir = ps_history_default_dir ();

      history = ps_history_open (dir, NULL, &error);
      if (history == NULL || (spec->log_path = ps_history_new_log_path (history, &error)) == NULL)
        {
          fprintf (stderr, "poolscope-run: --save: %s\n", error->message);
          return 3;
        }
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
  run.log_on_stdout = g_strcmp0 (spec->log_path, "-") == 0;
  run.summary = summary;
  run.n_tasks = ps_spec_get_n_tasks (spec);
  run.first_in_list = TRUE;
  run.progress = !spec->quiet && !spec->json && isatty (STDERR_FILENO);
  run.chunksize = ps_spec_get_chunksize (spec);
  if (spec->order == PS_ORDER_MAP || run.chunksize > 1 || spec->hosts != NULL)
    run.slots = g_new0 (Slot, run.n_tasks);
  if (spec->order == PS_ORDER_UNORDERED && run.chunksize > 1)
    run.chunk_done = g_new0 (guint32, run.n_tasks / run.chunksize + 1);
  if (spec->format == PS_FORMAT_LIST)
    run.list = g_string_new ("[");

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
  sigusr1_id = g_unix_signal_add (SIGUSR1, on_sigusr1, &run);
  sigusr2_id = g_unix_signal_add (SIGUSR2, on_sigusr2, &run);
  {
    struct stat st;

    if (fstat (STDOUT_FILENO, &st) == 0 && S_ISFIFO (st.st_mode))
      run.stdout_watch = g_unix_fd_add (STDOUT_FILENO, G_IO_ERR, on_stdout_error, &run);
  }

  if (!ps_pool_start (pool, &error))
    {
      fprintf (stderr, "poolscope-run: %s\n", error->message);
      status = 3;
      goto out;
    }
  /* run-end may have come already (a pool that ended as it started) */
  if (!ps_pool_is_finished (pool))
    g_main_loop_run (loop);

  if (run.out_errno == 0)
    {
      if (run.list)
        {
          g_string_append (run.list, "]\n");
          fwrite (run.list->str, 1, run.list->len, stdout);
        }
      if (preset && preset->epilogue && !run.signal)
        printf ("%s\n", preset->epilogue);
      if (run.spec->json)
        {
          g_autofree char *json = ps_run_summary_to_json (summary);
          printf ("%s\n", json);
        }
      if (fflush (stdout) != 0)
        stdout_failed (&run, errno ? errno : EIO);
    }

  if (run.out_errno == EPIPE)
    status = 128 + SIGPIPE;
  else if (run.out_errno != 0)
    status = 3;
  else if (run.signal)
    status = 128 + run.signal;
  else if (run.failure)
    {
      fprintf (stderr, "poolscope-run: %s\n", run.failure);
      status = 3;
    }
  else
    status = (summary->failed > 0 || summary->ok < summary->tasks) ? 1 : 0;

  if (run.signal && !run.spec->quiet && run.out_errno == 0)
    {
      char done[PS_FORMAT_BUF_SIZE];
      char total[PS_FORMAT_BUF_SIZE];
      char cancelled[PS_FORMAT_BUF_SIZE];

      ps_format_count_buf (summary->ok + summary->failed, done, sizeof done);
      ps_format_count_buf (summary->tasks, total, sizeof total);
      ps_format_count_buf (summary->cancelled, cancelled, sizeof cancelled);
      fprintf (stderr, _("poolscope-run: interrupted: %s of %s tasks done, %s cancelled\n"),
               done, total, cancelled);
    }

out:
  fflush (stdout);
  if (log != NULL)
    {
      ps_log_writer_flush (log, NULL);
      run.progress = FALSE;
      report_log_error (&run);
    }
  /* --save: the run joins the history, however it ended */
  if (history != NULL)
    {
      g_autoptr(GError) saved_error = NULL;

      if (!ps_history_add_log (history, run.spec->log_path, &saved_error))
        fprintf (stderr, "poolscope-run: --save: %s\n", saved_error->message);
    }
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_source_remove (sigusr1_id);
  g_source_remove (sigusr2_id);
  g_clear_handle_id (&run.flush_timer, g_source_remove);
  g_clear_handle_id (&run.stdout_watch, g_source_remove);
  if (run.list)
    g_string_free (run.list, TRUE);
  g_free (run.chunk_done);
  if (run.slots)
    {
      for (guint64 i = 0; i < run.n_tasks; i++)
        g_free (run.slots[i].text);
      g_free (run.slots);
    }
  g_free (run.failure);
  return status;
}
