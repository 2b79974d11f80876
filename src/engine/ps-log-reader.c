/* ps-log-reader.c: reading a run log back
 *
 * A run log is whatever was on disk when the run stopped: whole lines as a
 * rule, but a killed run, a full disk or a user's editor can leave a log
 * that is cut off or damaged part way. The reader keeps every event before
 * the first line it cannot read and says why it stopped; only a file that
 * yields no event at all is an error. Each byte is looked at a bounded
 * number of times, so a hostile file costs time in proportion to its size.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-log-reader"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "ps-error.h"
#include "ps-items.h"
#include "ps-log-reader.h"

/* what a streaming read takes from the file at a time */
#define READ_BYTES (1024 * 1024)

/* Reads one line, without its newline, into @e. Returns NULL on success,
 * otherwise why the line cannot be read (without the line number). */
static char *
read_line (guint64       n_events,
           gboolean      sweep,
           GArray       *entries,
           GStringChunk *strings,
           const char   *line,
           gsize         n,
           PsEvent      *e)
{
  g_autoptr(GError) local_error = NULL;

  /* CRLF: a log that went through a Windows editor or transfer */
  if (n > 0 && line[n - 1] == '\r')
    n--;

  if (memchr (line, '\0', n) != NULL)
    return g_strdup (_("binary data (a NUL byte), not a line of JSON"));
  /* valid UTF-8: ps_event_parse_json_line() says when it is not */
  if (!ps_event_parse_json_line (line, n, e, entries, strings, &local_error))
    return g_strdup (local_error->message);

  /* a sweep's log: its runs, each a sweep-run line and a run's events */
  if (sweep)
    return n_events == 0 && e->type != PS_EVENT_SWEEP_RUN
      ? g_strdup_printf (_("the first event is “%s”, not “sweep-run”: "
                           "this is not the log of a sizing sweep (poolscope-run sweep --log)"),
                         ps_event_type_to_string (e->type))
      : NULL;
  if (n_events == 0 && e->type == PS_EVENT_SWEEP_RUN)
    return g_strdup (_("this is the log of a sizing sweep (poolscope-run sweep --log): many runs, "
                       "not one; its result is its last line, “sweep-end”"));
  if (n_events == 0 && e->type != PS_EVENT_RUN_START)
    return g_strdup_printf (_("the first event is “%s”, not “run-start”: "
                              "this is not the beginning of a run log"),
                            ps_event_type_to_string (e->type));
  /* The writer truncates its file: two runs in one log were pasted together. */
  if (n_events > 0 && e->type == PS_EVENT_RUN_START)
    return g_strdup (_("a second “run-start”: the file holds more than one run"));
  return NULL;
}

/* One reading of a log, from a buffer or streamed from a file: events go
 * to @func one at a time; the first line that cannot be read stops it. */
typedef struct
{
  PsEventFunc   func;
  gpointer      data;
  GStringChunk *strings;
  gboolean      clear_strings;  /* streaming: an event's strings live during its call */
  gboolean      batched;        /* a "tasks" line goes out as one tasks event */
  gboolean      sweep;          /* a sweep's log: many runs */
  GArray       *entries;        /* a "tasks" line's tasks */
  guint64       n_events;
  guint64       n_lines;
  guint64       line;
  char         *why;
  gboolean      cut_off;
} Reader;

static void
reader_init (Reader       *r,
             PsEventFunc   func,
             gpointer      data,
             GStringChunk *strings,
             gboolean      clear_strings)
{
  memset (r, 0, sizeof *r);
  r->func = func;
  r->data = data;
  r->strings = strings;
  r->clear_strings = clear_strings;
  r->entries = g_array_new (FALSE, FALSE, sizeof (PsTaskBatchEntry));
}

static void
reader_clear (Reader *r)
{
  g_clear_pointer (&r->entries, g_array_unref);
  g_clear_pointer (&r->why, g_free);
}

/* A whole line, without its newline. FALSE: reading stops here. */
static gboolean
reader_take (Reader     *r,
             const char *start,
             gsize       n)
{
  PsEvent e;

  r->line++;
  if (n > PS_LOG_MAX_LINE)
    {
      r->why = g_strdup_printf (_("the line is longer than %u MiB"), PS_LOG_MAX_LINE >> 20);
      return FALSE;
    }
  if (ps_line_is_blank (start, n))
    {
      r->n_lines++;
      return TRUE;
    }
  if (r->clear_strings)
    g_string_chunk_clear (r->strings);
  if ((r->why = read_line (r->n_events, r->sweep, r->entries, r->strings, start, n, &e)) != NULL)
    return FALSE;
  r->n_lines++;
  /* a "tasks" line is the task-ends it stands for (or one tasks event) */
  if (e.type == PS_EVENT_TASKS && r->batched)
    {
      r->n_events += e.n_entries;
      r->func (&e, r->data);
    }
  else if (e.type == PS_EVENT_TASKS)
    {
      r->n_events += e.n_entries;
      ps_event_foreach_task (&e, r->func, r->data);
    }
  else
    {
      r->n_events++;
      r->func (&e, r->data);
    }
  return TRUE;
}

/* What follows the last newline. */
static void
reader_tail (Reader     *r,
             const char *start,
             gsize       n)
{
  if (n == 0)
    return;
  r->line++;
  if (n > PS_LOG_MAX_LINE)
    r->why = g_strdup_printf (_("the line is longer than %u MiB"), PS_LOG_MAX_LINE >> 20);
  else if (ps_line_is_blank (start, n))
    r->n_lines++;
  /* Not a log cut short but a binary file with no newline at all */
  else if (r->n_events == 0 && memchr (start, '\0', n) != NULL)
    r->why = g_strdup (_("binary data (a NUL byte), not a line of JSON"));
  else
    r->cut_off = TRUE;
}

/* Reads the whole lines of @data; returns how many bytes they took. */
static gsize
reader_feed (Reader     *r,
             const char *data,
             gsize       len)
{
  gsize pos = 0;

  while (pos < len && r->why == NULL)
    {
      const char *start = data + pos;
      gsize rest = len - pos;
      /* Looking no further than the limit keeps a huge last line cheap. */
      const char *nl = memchr (start, '\n', MIN (rest, (gsize) PS_LOG_MAX_LINE + 1));

      if (nl == NULL)
        {
          if (rest > PS_LOG_MAX_LINE)
            reader_take (r, start, rest);  /* too long: says so */
          break;
        }
      if (!reader_take (r, start, nl - start))
        break;
      pos += nl - start + 1;
    }
  return pos;
}

/* The end of a reading: %FALSE with @error when not one event was read,
 * otherwise *@problem says why the log stops early (or NULL). */
static gboolean
reader_finish (Reader     *r,
               gsize       len,
               char      **problem,
               GError    **error)
{
  *problem = NULL;
  if (r->n_events == 0)
    {
      if (r->why != NULL)
        g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL, _("line %" PRIu64 ": %s"), r->line, r->why);
      else if (r->cut_off)
        g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL,
                     _("line %" PRIu64 " is cut off before its end and no event is whole: "
                       "the run was probably killed while writing it"), r->line);
      else if (len == 0)
        g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL, _("the file is empty"));
      else
        g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL,
                             _("the file holds only blank lines, no events"));
      return FALSE;
    }
  if (r->why != NULL)
    *problem = g_strdup_printf (_("line %" PRIu64 ": %s"), r->line, r->why);
  else if (r->cut_off)
    *problem = g_strdup (_("the last line is cut off: "
                           "the run was probably killed while writing"));
  return TRUE;
}

static void
append_event (const PsEvent *e,
              gpointer       data)
{
  g_array_append_vals (data, e, 1);
}

/**
 * ps_log_parse:
 * @data: the bytes of a run log (docs/log-format.md)
 * @len: their length
 *
 * Reads the events of a run log. Blank lines are skipped and a CR before
 * the newline is dropped. Reading stops at the first line that is not a
 * well-formed event (invalid UTF-8, not JSON, an unknown event, a missing
 * member, longer than %PS_LOG_MAX_LINE) and at a last line without its
 * newline, which a killed run leaves behind: the events before it are
 * kept and #PsLog.problem says why the log stops there. A "tasks" line
 * gives the task-ends it stands for.
 *
 * Returns: (transfer full): the log, or %NULL with @error set when not one
 *   event could be read (an empty file, not a run log, an unsupported
 *   schema)
 */
PsLog *
ps_log_parse (const char  *data,
              gsize        len,
              GError     **error)
{
  g_autoptr(PsLog) log = NULL;
  Reader r;
  gsize used;
  gboolean ok;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  log = g_new0 (PsLog, 1);
  log->events = g_array_new (FALSE, FALSE, sizeof (PsEvent));
  log->strings = g_string_chunk_new (64 * 1024);
  reader_init (&r, append_event, log->events, log->strings, FALSE);
  used = reader_feed (&r, data, len);
  if (r.why == NULL)
    reader_tail (&r, data + used, len - used);
  log->n_lines = r.n_lines;
  ok = reader_finish (&r, len, &log->problem, error);
  reader_clear (&r);
  return ok ? g_steal_pointer (&log) : NULL;
}

/**
 * ps_log_foreach:
 * @path: a run log
 * @func: called with each event; it and its strings are valid during the
 *   call only
 * @problem: (out) (optional): why the log stops early, or %NULL
 *
 * Reads a run log as ps_log_parse() does, streaming: a buffer of a few
 * MiB, however long the log, and nothing kept of an event after its
 * call. Only regular files are read: /dev/zero or a FIFO would be read
 * forever.
 *
 * Returns: %FALSE with @error set when the file cannot be read or holds
 *   not one event
 */
enum { READ_BATCHED = 1 << 0, READ_SWEEP = 1 << 1 };

static gboolean read_file (const char *path, PsEventFunc func, gpointer data, GStringChunk *strings,
                           guint flags, GCancellable *cancellable, int *permille,
                           char **problem, guint64 *n_lines, GError **error);

gboolean
ps_log_foreach (const char   *path,
                PsEventFunc   func,
                gpointer      data,
                char        **problem,
                GError      **error)
{
  g_return_val_if_fail (path != NULL && func != NULL, FALSE);
  return read_file (path, func, data, NULL, 0, NULL, NULL, problem, NULL, error);
}

/**
 * ps_log_foreach_batched:
 *
 * As ps_log_foreach(), but each "tasks" line reaches @func as one
 * %PS_EVENT_TASKS event (ps_event_foreach_task() gives its task-ends):
 * for readers that keep them together (exports, the model).
 */
gboolean
ps_log_foreach_batched (const char   *path,
                        PsEventFunc   func,
                        gpointer      data,
                        char        **problem,
                        GError      **error)
{
  g_return_val_if_fail (path != NULL && func != NULL, FALSE);
  return read_file (path, func, data, NULL, READ_BATCHED, NULL, NULL, problem, NULL, error);
}

/**
 * ps_log_foreach_sweep:
 *
 * As ps_log_read_batched(), for the log of a sizing sweep
 * (docs/log-format.md): its first event is a "sweep-run", and it holds
 * many runs.
 */
gboolean
ps_log_foreach_sweep (const char    *path,
                      PsEventFunc    func,
                      gpointer       data,
                      GCancellable  *cancellable,
                      int           *permille,
                      char         **problem,
                      GError       **error)
{
  g_return_val_if_fail (path != NULL && func != NULL, FALSE);
  return read_file (path, func, data, NULL, READ_BATCHED | READ_SWEEP, cancellable, permille, problem, NULL,
                    error);
}

/**
 * ps_log_is_sweep:
 *
 * Returns: whether @path's first line is a sweep-run: a sweep's log
 */
gboolean
ps_log_is_sweep (const char *path)
{
  char buf[4096];
  g_autoptr(GStringChunk) strings = g_string_chunk_new (256);
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (PsTaskBatchEntry));
  const char *nl;
  struct stat st;
  PsEvent e;
  gssize n;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return FALSE;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return FALSE;
    }
  do
    n = read (fd, buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  close (fd);
  if (n <= 0 || !(nl = memchr (buf, '\n', n)))
    return FALSE;
  return ps_event_parse_json_line (buf, nl - buf, &e, entries, strings, NULL) && e.type == PS_EVENT_SWEEP_RUN;
}

/**
 * ps_log_read_batched:
 * @cancellable: (nullable): stops the reading between two pieces of the file
 * @permille: (nullable): how much of the file is read, in thousandths,
 *   set atomically as it goes: another thread may watch it
 *
 * As ps_log_foreach_batched(), for a reader in a thread that shows its
 * progress and may be stopped. A stopped reading fails with
 * %G_IO_ERROR_CANCELLED.
 */
gboolean
ps_log_read_batched (const char    *path,
                     PsEventFunc    func,
                     gpointer       data,
                     GCancellable  *cancellable,
                     int           *permille,
                     char         **problem,
                     GError       **error)
{
  g_return_val_if_fail (path != NULL && func != NULL, FALSE);
  return read_file (path, func, data, NULL, READ_BATCHED, cancellable, permille, problem, NULL, error);
}

/* As ps_log_foreach(); with @strings, the events' strings are kept there. */
static gboolean
read_file (const char    *path,
           PsEventFunc    func,
           gpointer       data,
           GStringChunk  *strings,
           guint          flags,
           GCancellable  *cancellable,
           int           *permille,
           char         **problem,
           guint64       *n_lines,
           GError       **error)
{
  g_autoptr(GStringChunk) own = NULL;
  g_autoptr(GByteArray) carry = g_byte_array_new ();
  g_autofree char *why = NULL;
  g_autofree char *shown = g_filename_display_name (path);
  struct stat st;
  Reader r;
  gsize total = 0;
  gboolean ok;
  int fd;

  /* O_NONBLOCK: opening a FIFO would wait for a writer */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT, _("cannot read the run log “%s”: %s"),
                   shown, g_strerror (saved));
      return FALSE;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("cannot read the run log: “%s” is not a regular file"), shown);
      return FALSE;
    }
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  if (strings == NULL)
    strings = own = g_string_chunk_new (64 * 1024);
  reader_init (&r, func, data, strings, own != NULL);
  r.batched = (flags & READ_BATCHED) != 0;
  r.sweep = (flags & READ_SWEEP) != 0;

  for (;;)
    {
      gsize have = carry->len, used;
      gssize n;

      g_byte_array_set_size (carry, have + READ_BYTES);
      do
        n = read (fd, carry->data + have, READ_BYTES);
      while (n < 0 && errno == EINTR);
      if (n < 0)
        {
          int saved = errno;

          close (fd);
          reader_clear (&r);
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT, _("cannot read the run log “%s”: %s"),
                       shown, g_strerror (saved));
          return FALSE;
        }
      g_byte_array_set_size (carry, have + n);
      total += n;
      /* a reading stopped says no more: a newer one may share the figure */
      if (permille && st.st_size > 0 && !g_cancellable_is_cancelled (cancellable))
        g_atomic_int_set (permille, (int) MIN (1000, total * 1000 / (guint64) st.st_size));
      if (n == 0)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          reader_clear (&r);
          return FALSE;
        }
      used = reader_feed (&r, (const char *) carry->data, carry->len);
      g_byte_array_remove_range (carry, 0, used);
      if (r.why != NULL)
        break;
    }
  close (fd);
  if (r.why == NULL)
    reader_tail (&r, (const char *) carry->data, carry->len);
  ok = reader_finish (&r, total, problem ? problem : &why, error);
  if (n_lines)
    *n_lines = r.n_lines;
  reader_clear (&r);
  return ok;
}

/**
 * ps_log_load:
 * @path: a run log
 *
 * Reads the file at @path as ps_log_parse() reads a buffer, streaming it
 * (ps_log_foreach()): the file is never held whole, and a run still going
 * that cuts its log back while it is read cannot fault the reader (as a
 * shrinking mapping would).
 *
 * Returns: (transfer full): the log, or %NULL with @error naming the file
 */
PsLog *
ps_log_load (const char  *path,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PsLog) log = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  log = g_new0 (PsLog, 1);
  log->events = g_array_new (FALSE, FALSE, sizeof (PsEvent));
  log->strings = g_string_chunk_new (64 * 1024);
  if (!read_file (path, append_event, log->events, log->strings, 0, NULL, NULL, &log->problem, &log->n_lines,
                  &local_error))
    {
      g_autofree char *shown = g_filename_display_name (path);

      if (g_error_matches (local_error, PS_ERROR, PS_ERROR_INVALID_INPUT))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, local_error->domain, local_error->code,
                     _("“%s” is not a readable run log: %s"), shown, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&log);
}

void
ps_log_free (PsLog *log)
{
  if (log == NULL)
    return;
  g_clear_pointer (&log->events, g_array_unref);
  g_clear_pointer (&log->strings, g_string_chunk_free);
  g_free (log->problem);
  g_free (log);
}
