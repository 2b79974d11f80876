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

#include <inttypes.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ps-error.h"
#include "ps-items.h"
#include "ps-log-reader.h"

/* Reads one line, without its newline, into @e. Returns NULL on success,
 * otherwise why the line cannot be read (without the line number). */
static char *
read_line (PsLog      *log,
           GArray     *entries,
           const char *line,
           gsize       n,
           PsEvent    *e)
{
  g_autoptr(GError) local_error = NULL;

  /* CRLF: a log that went through a Windows editor or transfer */
  if (n > 0 && line[n - 1] == '\r')
    n--;

  if (memchr (line, '\0', n) != NULL)
    return g_strdup (_("binary data (a NUL byte), not a line of JSON"));
  if (!g_utf8_validate (line, n, NULL))
    return g_strdup (_("not valid UTF-8"));
  if (!ps_event_parse_json_line (line, n, e, entries, log->strings, &local_error))
    return g_strdup (local_error->message);

  if (log->events->len == 0 && e->type != PS_EVENT_RUN_START)
    return g_strdup_printf (_("the first event is “%s”, not “run-start”: "
                              "this is not the beginning of a run log"),
                            ps_event_type_to_string (e->type));
  /* The writer truncates its file: two runs in one log were pasted together. */
  if (log->events->len > 0 && e->type == PS_EVENT_RUN_START)
    return g_strdup (_("a second “run-start”: the file holds more than one run"));
  return NULL;
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
 * kept and #PsLog.problem says why the log stops there.
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
  g_autofree char *why = NULL;
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (PsTaskBatchEntry));
  gboolean cut_off = FALSE;
  guint64 line = 0;
  gsize pos = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  log = g_new0 (PsLog, 1);
  log->events = g_array_new (FALSE, FALSE, sizeof (PsEvent));
  log->strings = g_string_chunk_new (64 * 1024);

  while (pos < len)
    {
      const char *start = data + pos;
      gsize rest = len - pos;
      /* Looking no further than the limit keeps a huge last line cheap. */
      const char *nl = memchr (start, '\n', MIN (rest, (gsize) PS_LOG_MAX_LINE + 1));
      gsize n = nl != NULL ? (gsize) (nl - start) : rest;
      PsEvent e;

      line++;
      if (n > PS_LOG_MAX_LINE)
        {
          why = g_strdup_printf (_("the line is longer than %u MiB"), PS_LOG_MAX_LINE >> 20);
          break;
        }
      if (ps_line_is_blank (start, n))
        {
          log->n_lines++;
          pos += n + (nl != NULL ? 1 : 0);
          continue;
        }
      if (nl == NULL)
        {
          /* Not a log cut short but a binary file with no newline at all */
          if (log->events->len == 0 && memchr (start, '\0', n) != NULL)
            why = g_strdup (_("binary data (a NUL byte), not a line of JSON"));
          else
            cut_off = TRUE;
          break;
        }
      if ((why = read_line (log, entries, start, n, &e)) != NULL)
        break;

      /* a "tasks" line is the task-ends it stands for */
      if (e.type == PS_EVENT_TASKS)
        ps_event_foreach_task (&e, append_event, log->events);
      else
        g_array_append_val (log->events, e);
      log->n_lines++;
      pos += n + 1;
    }

  if (log->events->len == 0)
    {
      if (why != NULL)
        g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL, _("line %" PRIu64 ": %s"), line, why);
      else if (cut_off)
        g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL,
                     _("line %" PRIu64 " is cut off before its end and no event is whole: "
                       "the run was probably killed while writing it"), line);
      else if (len == 0)
        g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL, _("the file is empty"));
      else
        g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL,
                             _("the file holds only blank lines, no events"));
      return NULL;
    }

  if (why != NULL)
    log->problem = g_strdup_printf (_("line %" PRIu64 ": %s"), line, why);
  else if (cut_off)
    log->problem = g_strdup (_("the last line is cut off: "
                               "the run was probably killed while writing"));

  return g_steal_pointer (&log);
}

/**
 * ps_log_load:
 * @path: a run log
 *
 * Reads the file at @path and parses it with ps_log_parse(). The file is
 * copied, not mapped: a run still going may cut its log back while it is
 * read, and a shrinking mapping would kill the reader with SIGBUS. Only
 * regular files are read.
 *
 * Returns: (transfer full): the log, or %NULL with @error naming the file
 */
PsLog *
ps_log_load (const char  *path,
             GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  PsLog *log;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  /* A directory cannot be read; /dev/zero or a FIFO would be read forever. */
  if (g_file_test (path, G_FILE_TEST_EXISTS) && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *shown = g_filename_display_name (path);

      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("cannot read the run log: “%s” is not a regular file"), shown);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      /* GLib's message names the file and the reason */
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("cannot read the run log: %s"), local_error->message);
      return NULL;
    }

  log = ps_log_parse (contents, len, &local_error);
  if (log == NULL)
    {
      g_autofree char *shown = g_filename_display_name (path);

      g_set_error (error, local_error->domain, local_error->code,
                   _("“%s” is not a readable run log: %s"), shown, local_error->message);
    }
  return log;
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
