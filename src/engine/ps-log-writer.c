/* ps-log-writer.c: the run log, JSON Lines written as the run goes
 *
 * Lines are gathered in memory and written within 100 ms (and when 1 MiB
 * has gathered, and at the end), so a crash loses at most a fraction of a
 * second; the timer runs only while something waits to be written.
 * Ordinary tasks come as tasks events and become "tasks" lines, six
 * numbers a task (docs/log-format.md): a log costs a run little. A write that fails — a full disk, a file gone read-only — must
 * not leave half a line: the file is cut back to the last whole line, the
 * log stops with a message, and the run goes on without it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-log-writer"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "ps-error.h"
#include "ps-log-writer.h"

#define FLUSH_INTERVAL_MS 100
#define FLUSH_BYTES       (1024 * 1024)

struct _PsLogWriter
{
  char    *path;
  int      fd;
  GString *pending;
  off_t    written;   /* bytes of whole lines on disk */
  guint    timer;
  char    *error;     /* set once the log has stopped */
};

static gboolean
timer_cb (gpointer data)
{
  PsLogWriter *self = data;

  self->timer = 0;
  ps_log_writer_flush (self, NULL);
  return G_SOURCE_REMOVE;
}

/**
 * ps_log_writer_new:
 * @path: the file to write; it is created or emptied. "-" is standard
 *   output.
 *
 * Returns: (transfer full): a writer that flushes itself on the
 *   thread-default main context, or %NULL when @path cannot be written
 */
PsLogWriter *
ps_log_writer_new (const char  *path,
                   GError     **error)
{
  PsLogWriter *self;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_str_equal (path, "-"))
    fd = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  else
    fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("--log: cannot write “%s”: %s"), path, g_strerror (saved));
      return NULL;
    }

  self = g_new0 (PsLogWriter, 1);
  self->path = g_strdup (path);
  self->fd = fd;
  self->pending = g_string_sized_new (FLUSH_BYTES + 256 * 1024);
  return self;
}

void
ps_log_writer_add (PsLogWriter   *self,
                   const PsEvent *event)
{
  if (self->error != NULL)
    return;
  ps_event_to_json (event, self->pending);
  if (self->pending->len >= FLUSH_BYTES)
    ps_log_writer_flush (self, NULL);
  else if (self->timer == 0)
    self->timer = g_timeout_add (FLUSH_INTERVAL_MS, timer_cb, self);
}

/**
 * ps_log_writer_flush:
 *
 * Writes what has gathered. On failure the log stops for good, cut back
 * to its last whole line; ps_log_writer_get_error() then says why.
 */
gboolean
ps_log_writer_flush (PsLogWriter  *self,
                     GError      **error)
{
  gsize done = 0;

  if (self->error != NULL)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_FAILED, self->error);
      return FALSE;
    }

  while (done < self->pending->len)
    {
      gssize n = write (self->fd, self->pending->str + done, self->pending->len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : ENOSPC;
          const char *last_nl = done > 0 ? memrchr (self->pending->str, '\n', done) : NULL;

          /* Never leave half a line behind, but keep the whole lines that
           * made it (a file that hit its size limit took part of them). */
          if (last_nl != NULL)
            self->written += last_nl + 1 - self->pending->str;
          if (ftruncate (self->fd, self->written) < 0)
            { /* nothing better to do: the message below still stands */ }
          self->error = g_strdup_printf (_("the log “%s” stopped: %s; the run goes on without it"),
                                         self->path, g_strerror (saved));
          g_string_truncate (self->pending, 0);
          g_clear_handle_id (&self->timer, g_source_remove);
          g_set_error_literal (error, PS_ERROR, PS_ERROR_FAILED, self->error);
          return FALSE;
        }
      done += n;
    }
  self->written += done;
  g_string_truncate (self->pending, 0);
  return TRUE;
}

const char *
ps_log_writer_get_error (PsLogWriter *self)
{
  return self->error;
}

void
ps_log_writer_free (PsLogWriter *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->fd >= 0)
    close (self->fd);
  g_string_free (self->pending, TRUE);
  g_free (self->path);
  g_free (self->error);
  g_free (self);
}
