/* ps-sweep-record.c: a sweep kept as it goes, in the history's form
 *
 * A kept sweep is a sweep's log (docs/log-format.md) that holds, of each
 * run, only what the sweep's tally reads (ps_sweep_run_result_add_event):
 * run-start, worker-start, sample, worker-exit, resize, notice and
 * run-end; no task lines. ps_sweep_load() makes the same points, fits and
 * recommendation from it as from a whole log, at a few kilobytes a run.
 *
 * Nothing is written while a run goes, so that keeping a sweep costs its
 * measurements nothing: a run's lines are gathered, and handed at its end
 * to a thread of the record's own, which appends them (one write a run,
 * whole lines) while the next run starts. A sweep stopped, or an app that
 * dies, leaves the runs that ended.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ps-error.h"
#include "ps-sweep-record.h"


typedef struct
{
  int          fd;
  GAsyncQueue *pieces;
  char        *path;
  int          failed;      /* the errno of a write that failed, or 0 */
  gboolean     detached;    /* no one waits: the thread lets itself go */
  GSourceFunc  done;        /* then called on the default main context */
  gpointer     done_data;
} Writer;

static void writer_free (Writer *w);

struct _PsSweepRecord
{
  char        *path;
  GString     *run;       /* the lines of the run under way */
  GAsyncQueue *pieces;    /* GBytes to append; an empty one ends the thread */
  GThread     *thread;
  Writer      *writer;    /* the thread's; read after it is joined */
};

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  off_t whole = 0;          /* where the last whole piece ends */

  for (;;)
    {
      g_autoptr(GBytes) piece = g_async_queue_pop (w->pieces);
      gsize len;
      const char *p = g_bytes_get_data (piece, &len);

      if (len == 0)
        break;
      while (len > 0 && w->failed == 0)
        {
          gssize n = write (w->fd, p, len);

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            {
              /* a full disk: the file is cut back to its last whole run,
               * and nothing more is written */
              w->failed = errno;
              if (ftruncate (w->fd, whole) < 0)
                g_debug ("cannot cut “%s” back: %s", w->path, g_strerror (errno));
              break;
            }
          p += n;
          len -= n;
        }
      if (w->failed == 0)
        whole += g_bytes_get_size (piece);
    }
  close (w->fd);
  /* set before the last piece was queued: the queue orders the two */
  if (w->detached)
    {
      if (w->failed)
        g_warning ("cannot keep the sweep in “%s”: %s", w->path, g_strerror (w->failed));
      if (w->done)
        g_idle_add (w->done, w->done_data);
      writer_free (w);
    }
  return NULL;
}

static void
writer_free (Writer *w)
{
  g_async_queue_unref (w->pieces);
  g_free (w->path);
  g_free (w);
}

/**
 * ps_sweep_record_new:
 * @path: the file to keep the sweep in (made empty)
 */
PsSweepRecord *
ps_sweep_record_new (const char  *path,
                     GError     **error)
{
  PsSweepRecord *self;
  Writer *w;
  int fd;

  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_autofree char *shown = g_filename_display_name (path);

      g_set_error (error, PS_ERROR, PS_ERROR_FAILED, _("cannot keep the sweep in “%s”: %s"), shown,
                   g_strerror (saved));
      return NULL;
    }
  self = g_new0 (PsSweepRecord, 1);
  self->path = g_strdup (path);
  self->run = g_string_new (NULL);
  self->pieces = g_async_queue_new_full ((GDestroyNotify) g_bytes_unref);
  w = g_new0 (Writer, 1);
  w->fd = fd;
  w->pieces = g_async_queue_ref (self->pieces);
  w->path = g_strdup (path);
  self->writer = w;
  self->thread = g_thread_new ("ps-sweep-record", writer_thread, w);
  return self;
}

const char *
ps_sweep_record_get_path (PsSweepRecord *self)
{
  return self->path;
}

/* Whether a kept sweep holds this event (what the tally reads). */
gboolean
ps_sweep_record_wants (const PsEvent *e)
{
  switch (e->type)
    {
    case PS_EVENT_RUN_START:
    case PS_EVENT_WORKER_START:
    case PS_EVENT_SAMPLE:
    case PS_EVENT_WORKER_EXIT:
    case PS_EVENT_RESIZE:
    case PS_EVENT_NOTICE:
    case PS_EVENT_RUN_END:
      return TRUE;
    default:
      return FALSE;
    }
}

/* The run @index of @sweep starts: its sweep-run line. */
void
ps_sweep_record_run (PsSweepRecord *self,
                     PsSweep       *sweep,
                     guint          index)
{
  PsSweepRun *run = ps_sweep_get_run (sweep, index);
  PsEvent e = { 0 };

  e.type = PS_EVENT_SWEEP_RUN;
  e.task = index;
  e.workers = run->workers;
  e.attempt = run->rep;
  e.retry = run->warmup;
  g_string_truncate (self->run, 0);
  ps_event_to_json (&e, self->run);
}

void
ps_sweep_record_add (PsSweepRecord *self,
                     const PsEvent *e)
{
  if (ps_sweep_record_wants (e))
    ps_event_to_json (e, self->run);
}

/* The run is over: its lines go to the file, off this thread. */
void
ps_sweep_record_run_done (PsSweepRecord *self)
{
  if (self->run->len == 0)
    return;
  g_async_queue_push (self->pieces, g_bytes_new (self->run->str, self->run->len));
  g_string_truncate (self->run, 0);
}

/**
 * ps_sweep_record_finish:
 * @sweep: (nullable): the sweep, for its sweep-end line; %NULL: none
 * @wait: whether to wait for the file to be whole (a command line tool);
 *   else the writing ends in its thread (an app's main loop), and a
 *   failure is only logged
 * @done: (nullable): without @wait, called on the default main context
 *   once the file is whole (with @done_data)
 *
 * Writes what is left and the sweep's end, and frees the record.
 *
 * Returns: with @wait, %FALSE with @error when a write failed (the file
 *   then holds the runs written before it, whole)
 */
gboolean
ps_sweep_record_finish (PsSweepRecord *self,
                        PsSweep       *sweep,
                        gboolean       wait,
                        GSourceFunc    done,
                        gpointer       done_data,
                        GError       **error)
{
  gboolean ok = TRUE;

  ps_sweep_record_run_done (self);
  if (sweep)
    {
      g_autofree char *result = ps_sweep_to_json (sweep);
      g_autoptr(GString) line = g_string_new (NULL);
      PsEvent e = { 0 };

      e.type = PS_EVENT_SWEEP_END;
      e.text = result;
      ps_event_to_json (&e, line);
      g_async_queue_push (self->pieces, g_bytes_new (line->str, line->len));
    }
  if (!wait)
    {
      self->writer->detached = TRUE;
      self->writer->done = done;
      self->writer->done_data = done_data;
    }
  g_async_queue_push (self->pieces, g_bytes_new (NULL, 0));
  if (wait)
    {
      g_thread_join (self->thread);
      if (self->writer->failed)
        {
          g_autofree char *shown = g_filename_display_name (self->path);

          g_set_error (error, PS_ERROR, PS_ERROR_FAILED, _("cannot keep the sweep in “%s”: %s"), shown,
                       g_strerror (self->writer->failed));
          ok = FALSE;
        }
      writer_free (self->writer);
    }
  else
    g_thread_unref (self->thread);
  g_async_queue_unref (self->pieces);
  g_string_free (self->run, TRUE);
  g_free (self->path);
  g_free (self);
  return ok;
}
