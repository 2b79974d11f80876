/* ps-export.c: a run's events in formats other tools read
 *
 * An exporter takes the events of one run as they come (a log read with
 * ps_log_foreach(), or a run going on) and writes them out in one pass,
 * in constant memory but for one name per worker:
 *
 * - jsonl: the run log (docs/log-format.md), as the engine writes it;
 * - csv: one row per task attempt (RFC 4180: a header, CRLF, fields with
 *   a comma, a quote or a line break in double quotes, quotes doubled);
 * - joblog: GNU parallel's --joblog (Seq Host Starttime JobRuntime Send
 *   Receive Exitval Signal Command, tab-separated; Starttime the epoch
 *   with 3 decimals, JobRuntime %10.3f, Exitval -1 and the signal for a
 *   killed task; Host ":" or the worker's host), one line per task that
 *   ended for good, Seq its 1-based
 *   number: `parallel --resume --joblog FILE` over the same items skips
 *   what the run finished. Cancelled tasks are left out, so they run.
 * - trace: Chrome's trace-event JSON (Perfetto, chrome://tracing): the
 *   run a process, each worker a named thread, each task attempt an "X"
 *   event, CPU and memory samples "C" counters, crashes and timeouts
 *   instant events; times in µs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-export"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "ps-command.h"
#include "ps-error.h"
#include "ps-export.h"
#include "ps-format.h"
#include "ps-items.h"
#include "ps-workload.h"

#define FLUSH_AT (1024 * 1024)

struct _PsExporter
{
  PsExportFormat format;
  int            fd;
  GString       *out;
  int            write_errno;
  guint64        n_tasks;
  gboolean       started;      /* the format's head is written */
  gboolean       first_event;  /* trace: no comma before it */
  /* from run-start */
  gint64         epoch_ns;
  char          *workload;
  PsCommand     *command;      /* joblog: a command workload's words */
  GHashTable    *workers;      /* name → id (task-ends in a log name their worker only) */
  GHashTable    *hosts;        /* name → the host of a worker on another one (joblog's Host) */
};

gboolean
ps_export_format_parse (const char      *text,
                        PsExportFormat  *out,
                        GError         **error)
{
  static const char *const names[] = { "jsonl", "csv", "joblog", "trace" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (text, names[i]) == 0)
      {
        *out = (PsExportFormat) i;
        return TRUE;
      }
  g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
               _("--to: “%s” is not a format this version writes (%s)"), text ? text : "",
               ps_export_format_list ());
  return FALSE;
}

const char *
ps_export_format_list (void)
{
  return "jsonl, csv, joblog, trace";
}

PsExporter *
ps_exporter_new (PsExportFormat format,
                 int            fd)
{
  PsExporter *self = g_new0 (PsExporter, 1);

  self->format = format;
  self->fd = fd;
  self->out = g_string_sized_new (FLUSH_AT + 4096);
  self->first_event = TRUE;
  self->workers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
ps_exporter_free (PsExporter *self)
{
  if (self == NULL)
    return;
  g_string_free (self->out, TRUE);
  g_free (self->workload);
  g_clear_pointer (&self->command, ps_command_free);
  g_hash_table_unref (self->workers);
  g_hash_table_unref (self->hosts);
  g_free (self);
}

guint64
ps_exporter_get_n_tasks (PsExporter *self)
{
  return self->n_tasks;
}

static void
flush_out (PsExporter *self)
{
  const char *p = self->out->str;
  gsize left = self->out->len;

  while (left > 0 && self->write_errno == 0)
    {
      gssize n = write (self->fd, p, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          self->write_errno = n < 0 ? errno : EIO;
          break;
        }
      p += n;
      left -= n;
    }
  g_string_truncate (self->out, 0);
}

/* ---- numbers, written by hand: printf's were most of an export's time --- */

/* GString's own appends are calls into GLib 2.74 for every piece */
static inline void
put_len (GString    *out,
         const char *text,
         gsize       len)
{
  if (G_UNLIKELY (out->len + len >= out->allocated_len))
    {
      g_string_append_len (out, text, len);
      return;
    }
  memcpy (out->str + out->len, text, len);
  out->len += len;
  out->str[out->len] = '\0';
}

static inline void
put_s (GString    *out,
       const char *text)
{
  put_len (out, text, strlen (text));
}

static inline void
put_c (GString *out,
       char     c)
{
  put_len (out, &c, 1);
}

static inline void
put_int (GString *out,
         gint64   v)
{
  char buf[24];

  put_len (out, buf, ps_format_int (v, buf));
}

/* @v / 10^@decimals with exactly @decimals digits after the point */
static void
put_fixed (GString *out,
           gint64   v,
           guint    decimals,
           guint    width)
{
  char buf[48];
  char *p = buf + sizeof buf;
  guint64 u = v < 0 ? (guint64) 0 - (guint64) v : (guint64) v;
  gsize len;

  for (guint i = 0; i < decimals; i++)
    {
      *--p = '0' + (char) (u % 10);
      u /= 10;
    }
  if (decimals > 0)
    *--p = '.';
  do
    {
      *--p = '0' + (char) (u % 10);
      u /= 10;
    }
  while (u > 0);
  if (v < 0)
    *--p = '-';
  len = buf + sizeof buf - p;
  for (gsize i = len; i < width; i++)
    put_c (out, ' ');
  put_len (out, p, len);
}

/* ns, rounded to @decimals digits of a second (3: ms, 6: µs, 9: ns) */
static void
put_seconds (GString *out,
             gint64   ns,
             guint    decimals,
             guint    width)
{
  gint64 unit = 1;

  for (guint i = decimals; i < 9; i++)
    unit *= 10;
  ns = MAX (ns, -G_MAXINT64);
  put_fixed (out, ns >= 0 ? ns / unit + (ns % unit >= unit / 2) : -((-ns) / unit + ((-ns) % unit >= unit / 2)),
             decimals, width);
}

/* A task's time from a log that may hold anything: never an overflow. */
static gint64
duration_of (const PsEvent *e)
{
  gint64 d;

  if (__builtin_sub_overflow (e->end, e->start, &d) || d < 0)
    return 0;
  return d;
}

/* ---- csv ---------------------------------------------------------------- */

static void
csv_field (GString    *out,
           const char *text)
{
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      put_s (out, text);
      return;
    }
  put_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        put_c (out, '"');
      put_c (out, *p);
    }
  put_c (out, '"');
}

static void
csv_task (PsExporter    *self,
          const PsEvent *e)
{
  GString *out = self->out;
  char item[24];

  put_int (out, (gint64) e->task);
  put_c (out, ',');
  csv_field (out, ps_event_get_item (e, item));
  put_c (out, ',');
  csv_field (out, e->name);
  put_c (out, ',');
  put_int (out, e->pid);
  put_c (out, ',');
  put_int (out, e->attempt);
  put_c (out, ',');
  put_s (out, ps_task_status_to_string (e->status));
  put_c (out, ',');
  put_seconds (out, e->start, 9, 0);
  put_c (out, ',');
  put_seconds (out, e->end, 9, 0);
  put_c (out, ',');
  put_seconds (out, duration_of (e), 9, 0);
  put_c (out, ',');
  put_seconds (out, MAX (e->cpu_ns, 0), 9, 0);
  put_c (out, ',');
  if (e->result_kind == PS_RESULT_INT)
    put_int (out, e->result_int);
  else if (e->result_kind == PS_RESULT_TEXT)
    csv_field (out, e->result_text);
  put_c (out, ',');
  csv_field (out, e->message);
  put_s (out, "\r\n");
}

/* ---- joblog ------------------------------------------------------------- */

static int
signal_from_message (const char *message)
{
  static const struct { const char *name; int sig; } names[] = {
    { "SIGKILL", SIGKILL }, { "SIGTERM", SIGTERM }, { "SIGSEGV", SIGSEGV }, { "SIGABRT", SIGABRT },
    { "SIGBUS", SIGBUS }, { "SIGFPE", SIGFPE }, { "SIGILL", SIGILL }, { "SIGINT", SIGINT },
    { "SIGPIPE", SIGPIPE }, { "SIGHUP", SIGHUP }, { "SIGQUIT", SIGQUIT },
  };
  const char *p;

  if (message == NULL)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strstr (message, names[i].name))
      return names[i].sig;
  if ((p = strstr (message, "signal ")) != NULL)
    return (int) CLAMP (g_ascii_strtoll (p + strlen ("signal "), NULL, 10), 0, 64);
  return 0;
}

/* The command line the task ran, as parallel writes it: the words with
 * their replacements, quoted where a shell would need it. */
static void
joblog_command (PsExporter    *self,
                const PsEvent *e,
                GString       *out)
{
  char item[24];
  const char *text = ps_event_get_item (e, item);
  gsize from = out->len;

  if (self->command != NULL)
    {
      g_autofree char *line = ps_command_display (self->command, text, e->task + 1, 0);

      g_string_append (out, line);
    }
  else
    {
      g_string_append (out, self->workload ? self->workload : "");
      g_string_append_c (out, ' ');
      g_string_append (out, text);
    }
  /* newlines make a joblog hard to parse: parallel writes them as NULs */
  for (gsize i = from; i < out->len; i++)
    if (out->str[i] == '\n')
      out->str[i] = '\0';
}

static void
joblog_task (PsExporter    *self,
             const PsEvent *e)
{
  GString *out = self->out;
  int exitval = 0, sig = 0;

  /* only a task's final end, and only of a task that ran to one */
  if (e->retry || e->status == PS_TASK_CANCELLED)
    return;
  switch (e->status)
    {
    case PS_TASK_OK:
      break;
    case PS_TASK_ERROR:
      exitval = e->result_kind == PS_RESULT_INT && e->result_int > 0 && e->result_int < 256
                ? (int) e->result_int : 1;
      break;
    case PS_TASK_TIMEOUT:
      exitval = -1;
      sig = SIGTERM;
      break;
    case PS_TASK_CRASHED:
    case PS_TASK_CANCELLED:
    case PS_TASK_N_STATUS:
    default:
      exitval = -1;
      sig = signal_from_message (e->message);
      break;
    }
  put_int (out, (gint64) e->task + 1);
  put_c (out, '\t');
  {
    const char *host = e->name ? g_hash_table_lookup (self->hosts, e->name) : NULL;

    /* a host name holds no tab (ps-hosts.c), but a log may say anything */
    if (host && !strpbrk (host, "\t\n"))
      put_s (out, host);
    else
      put_c (out, ':');
  }
  put_c (out, '\t');
  {
    gint64 when;

    if (__builtin_add_overflow (self->epoch_ns, e->start, &when))
      when = e->start;
    put_seconds (out, when, 3, 0);
  }
  put_c (out, '\t');
  /* parallel's JobRuntime is cut to the ms, not rounded */
  put_fixed (out, duration_of (e) / 1000000, 3, 10);
  put_s (out, "\t0\t0\t");
  put_int (out, exitval);
  put_c (out, '\t');
  put_int (out, sig);
  put_c (out, '\t');
  joblog_command (self, e, out);
  put_c (out, '\n');
}

/* ---- trace -------------------------------------------------------------- */

static void
trace_begin_event (PsExporter *self)
{
  if (!self->first_event)
    put_c (self->out, ',');
  self->first_event = FALSE;
  put_c (self->out, '\n');
}

static void
append_us (GString *out,
           gint64   ns)
{
  put_fixed (out, ns, 3, 0);
}

/* The worker's track: its id, as its worker-start said. */
static guint
worker_tid (PsExporter    *self,
            const PsEvent *e)
{
  if (e->worker != 0 || e->name == NULL)
    return e->worker;
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->workers, e->name));
}

static void
trace_task (PsExporter    *self,
            const PsEvent *e)
{
  GString *out = self->out;
  char item[24];
  const char *text = ps_event_get_item (e, item);
  guint tid = worker_tid (self, e);

  trace_begin_event (self);
  put_s (out, "{\"ph\":\"X\",\"cat\":\"task\",\"name\":");
  ps_json_append_string (out, text);
  put_s (out, ",\"pid\":1,\"tid\":");
  put_int (out, tid);
  put_s (out, ",\"ts\":");
  append_us (out, e->start);
  put_s (out, ",\"dur\":");
  append_us (out, duration_of (e));
  put_s (out, ",\"args\":{\"task\":");
  put_int (out, (gint64) e->task);
  put_s (out, ",\"item\":");
  ps_json_append_string (out, text);
  put_s (out, ",\"status\":\"");
  put_s (out, ps_task_status_to_string (e->status));
  put_s (out, "\",\"attempt\":");
  put_int (out, e->attempt);
  put_s (out, ",\"pid\":");
  put_int (out, e->pid);
  if (e->result_kind == PS_RESULT_INT)
    {
      put_s (out, ",\"result\":");
      put_int (out, e->result_int);
    }
  else if (e->result_kind == PS_RESULT_TEXT && e->result_text)
    {
      put_s (out, ",\"result\":");
      ps_json_append_string (out, e->result_text);
    }
  if (e->message)
    {
      put_s (out, ",\"message\":");
      ps_json_append_string (out, e->message);
    }
  put_s (out, "}}");

  if (e->status == PS_TASK_CRASHED || e->status == PS_TASK_TIMEOUT)
    {
      trace_begin_event (self);
      g_string_append_printf (out, "{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"fault\",\"name\":\"%s\",\"pid\":1,"
                              "\"tid\":%u,\"ts\":", ps_task_status_to_string (e->status), tid);
      append_us (out, e->end);
      put_s (out, ",\"args\":{\"task\":");
      g_string_append_printf (out, "%" G_GUINT64_FORMAT, e->task);
      if (e->message)
        {
          put_s (out, ",\"message\":");
          ps_json_append_string (out, e->message);
        }
      put_s (out, "}}");
    }
}

/* A counter: @value in thousandths (CPU %), or @whole (bytes) when it is
 * not negative; JSON has no room for the inf or nan a log's sample may
 * hold: 0 instead. */
static void
trace_counter (PsExporter    *self,
               const PsEvent *e,
               const char    *what,
               const char    *key,
               double         value,
               gint64         whole)
{
  GString *out = self->out;
  g_autofree char *name = g_strdup_printf ("%s %s", what, e->name ? e->name : "");

  trace_begin_event (self);
  g_string_append (out, "{\"ph\":\"C\",\"cat\":\"sample\",\"name\":");
  ps_json_append_string (out, name);
  g_string_append_printf (out, ",\"pid\":1,\"tid\":%u,\"ts\":", worker_tid (self, e));
  append_us (out, e->t);
  g_string_append_printf (out, ",\"args\":{\"%s\":", key);
  if (whole >= 0)
    put_int (out, whole);
  else
    put_fixed (out, isfinite (value) && fabs (value) < 1e12 ? (gint64) llround (value * 1000) : 0, 3, 0);
  g_string_append (out, "}}");
}

static void
trace_metadata (PsExporter *self,
                const char *what,
                guint       tid,
                const char *name)
{
  GString *out = self->out;

  trace_begin_event (self);
  g_string_append_printf (out, "{\"ph\":\"M\",\"cat\":\"__metadata\",\"name\":\"%s\",\"pid\":1,\"tid\":%u,"
                          "\"args\":{\"name\":", what, tid);
  ps_json_append_string (out, name);
  g_string_append (out, "}}");
}

/* ---- the events --------------------------------------------------------- */

static void
add_task_end (const PsEvent *e,
              gpointer       data)
{
  PsExporter *self = data;

  self->n_tasks++;
  if (self->format == PS_EXPORT_CSV)
    csv_task (self, e);
  else if (self->format == PS_EXPORT_JOBLOG)
    joblog_task (self, e);
  else if (self->format == PS_EXPORT_TRACE)
    trace_task (self, e);
  if (self->out->len >= FLUSH_AT)
    flush_out (self);
}

static void
begin (PsExporter *self)
{
  if (self->started)
    return;
  self->started = TRUE;
  if (self->format == PS_EXPORT_CSV)
    g_string_append (self->out, "task,item,worker,pid,attempt,status,start_s,end_s,duration_s,cpu_s,result,message\r\n");
  else if (self->format == PS_EXPORT_JOBLOG)
    g_string_append (self->out, "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n");
  else if (self->format == PS_EXPORT_TRACE)
    g_string_append (self->out, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[");
}

/**
 * ps_exporter_add:
 * @exporter: a #PsExporter (a #PsEventFunc's data)
 *
 * Takes the run's next event.
 */
void
ps_exporter_add (const PsEvent *e,
                 gpointer       exporter)
{
  PsExporter *self = exporter;

  begin (self);
  if (self->format == PS_EXPORT_JSONL)
    {
      if (e->type == PS_EVENT_TASKS)
        self->n_tasks += e->n_entries;
      else if (e->type == PS_EVENT_TASK_END)
        self->n_tasks++;
      ps_event_to_json (e, self->out);
      if (self->out->len >= FLUSH_AT)
        flush_out (self);
      return;
    }

  switch ((int) e->type)
    {
    case PS_EVENT_RUN_START:
      {
        PsWorkload w;

        self->epoch_ns = e->epoch_ns;
        g_free (self->workload);
        self->workload = g_strdup (e->workload);
        g_clear_pointer (&self->command, ps_command_free);
        if (e->workload && ps_workload_parse (e->workload, &w, NULL))
          {
            g_auto(GStrv) argv = ps_workload_get_argv (&w);

            if (w.kind == PS_WORKLOAD_SHELL)
              self->command = ps_command_new_shell (w.text, NULL);
            else if (w.kind == PS_WORKLOAD_COMMAND && argv)
              self->command = ps_command_new_argv ((const char *const *) argv, NULL);
            ps_workload_clear (&w);
          }
        if (self->format == PS_EXPORT_TRACE)
          {
            g_autofree char *title = g_strdup_printf ("Poolscope: %s over %s", e->workload ? e->workload : "?",
                                                      e->items ? e->items : "?");
            trace_metadata (self, "process_name", 0, title);
          }
        break;
      }
    case PS_EVENT_WORKER_START:
      if (e->name && !g_hash_table_contains (self->workers, e->name))
        {
          g_hash_table_insert (self->workers, g_strdup (e->name), GUINT_TO_POINTER (e->worker));
          /* on another host (it has a clock offset): parallel's Host is its sshlogin */
          if (e->host && e->clock_error_ns > 0)
            g_hash_table_insert (self->hosts, g_strdup (e->name), g_strdup (e->host));
          if (self->format == PS_EXPORT_TRACE)
            trace_metadata (self, "thread_name", e->worker, e->name ? e->name : "");
        }
      break;
    case PS_EVENT_TASK_END:
      add_task_end (e, self);
      break;
    case PS_EVENT_TASKS:
      ps_event_foreach_task (e, add_task_end, self);
      break;
    case PS_EVENT_SAMPLE:
      if (self->format == PS_EXPORT_TRACE)
        {
          trace_counter (self, e, "CPU %", "cpu_percent", e->cpu_percent, -1);
          trace_counter (self, e, "RSS", "bytes", 0, MAX (e->rss, 0));
        }
      break;
    default:
      break;
    }
  if (self->out->len >= FLUSH_AT)
    flush_out (self);
}

/**
 * ps_exporter_finish:
 *
 * Writes what is left (the trace's end).
 *
 * Returns: %TRUE when everything was written
 */
gboolean
ps_exporter_finish (PsExporter  *self,
                    GError     **error)
{
  begin (self);
  if (self->format == PS_EXPORT_TRACE)
    g_string_append (self->out, "\n]}\n");
  flush_out (self);
  if (self->write_errno != 0)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_FAILED, _("cannot write the export: %s"),
                   g_strerror (self->write_errno));
      return FALSE;
    }
  return TRUE;
}
