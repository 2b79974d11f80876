/* ps-log-writer.c: the run log, JSON Lines written as the run goes
 *
 * A log must cost the run it records little (DESIGN.md: watching must
 * not change what is watched). Ordinary tasks come as tasks events and
 * are copied, as numbers, for a writer thread that formats them into
 * "tasks" lines (six numbers a task, docs/log-format.md) and writes;
 * the engine's thread only formats the few other events. The engine of a
 * run of tiny tasks is the busy process, and this keeps the log's work
 * off its thread (bench/log-cost.py).
 *
 * What has gathered is handed to the thread within 100 ms (and at 1 MiB,
 * and at the end), so a crash loses at most a fraction of a second; the
 * timer runs only while something waits. A write that fails — a full
 * disk, a file gone read-only — must not leave half a line: the file is
 * cut back to the last whole line, the log stops with a message, and the
 * run goes on without it.
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
#define TASK_BYTES        ((gsize) 40)  /* about what a task takes on disk: for the 1 MiB mark */

/* A piece of what the engine's thread hands over: text already
 * formatted, or the tasks of a tasks event (in the batch's numbers), to
 * be formatted by the writer thread. */
typedef struct
{
  GString          *text;       /* or NULL */
  gsize             tasks_at;   /* in Batch.numbers */
  guint32           n_tasks;
  guint32           worker;
  gint32            pid;
  char             *name;
} Block;

/* What is handed over at once. Batches go back and forth: the thread
 * returns each one emptied, so that the numbers' buffer, once grown, is
 * not allocated (and faulted in) again for every batch. */
typedef struct
{
  GPtrArray  *blocks;           /* Block* */
  GByteArray *numbers;          /* PsTaskBatchEntry after PsTaskBatchEntry */
} Batch;

struct _PsLogWriter
{
  char      *path;
  int        fd;
  Batch     *gathering;  /* not handed over yet */
  gsize      gathered;   /* about how many bytes they make */
  GString   *text;       /* the text block being filled */
  guint      timer;

  GThread   *thread;
  GMutex     lock;
  GCond      cond;
  GQueue     queue;      /* Batch*, for the thread */
  GQueue     spare;      /* Batch*, emptied by the thread */
  gboolean   busy;       /* the thread is writing a list */
  gboolean   stop;
  off_t      written;    /* the thread's: bytes of whole lines on disk */
  gboolean   own_file;   /* opened here (not stdout): it may be cut back */
  GString   *out;        /* the thread's: the lines of one list */
  char      *error;      /* set once, by the thread, when the log has stopped */
};

static void
block_free (Block *b)
{
  if (b->text)
    g_string_free (b->text, TRUE);
  g_free (b->name);
  g_free (b);
}

static Batch *
batch_new (void)
{
  Batch *batch = g_new (Batch, 1);

  batch->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) block_free);
  batch->numbers = g_byte_array_new ();
  return batch;
}

static void
batch_free (Batch *batch)
{
  g_ptr_array_unref (batch->blocks);
  g_byte_array_unref (batch->numbers);
  g_free (batch);
}

/* The thread: writes @out, or stops the log without leaving half a line. */
static void
write_lines (PsLogWriter *self)
{
  gsize done = 0;

  while (done < self->out->len)
    {
      gssize n = write (self->fd, self->out->str + done, self->out->len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : ENOSPC;
          const char *last_nl = done > 0 ? memrchr (self->out->str, '\n', done) : NULL;
          char *why;

          /* Never leave half a line behind, but keep the whole lines that
           * made it (a file that hit its size limit took part of them). */
          if (last_nl != NULL)
            self->written += last_nl + 1 - self->out->str;
          /* only a file of our own: stdout may be a file we append to */
          if (self->own_file && ftruncate (self->fd, self->written) < 0)
            { /* nothing better to do: the message below still stands */ }
          why = g_strdup_printf (_("the log “%s” stopped: %s; the run goes on without it"),
                                 self->path, g_strerror (saved));
          g_atomic_pointer_set (&self->error, why);
          return;
        }
      done += n;
    }
  self->written += done;
}

static gpointer
writer_thread (gpointer data)
{
  PsLogWriter *self = data;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      Batch *list;

      while (self->queue.length == 0 && !self->stop)
        g_cond_wait (&self->cond, &self->lock);
      if (self->queue.length == 0)
        break;
      list = g_queue_pop_head (&self->queue);
      self->busy = TRUE;
      g_mutex_unlock (&self->lock);

      if (g_atomic_pointer_get (&self->error) == NULL)
        {
          g_string_truncate (self->out, 0);
          for (guint i = 0; i < list->blocks->len; i++)
            {
              Block *b = g_ptr_array_index (list->blocks, i);

              if (b->text)
                g_string_append_len (self->out, b->text->str, b->text->len);
              else
                {
                  PsEvent e = { 0 };

                  e.type = PS_EVENT_TASKS;
                  e.worker = b->worker;
                  e.pid = b->pid;
                  e.name = b->name;
                  e.tasks = (const PsTaskBatchEntry *) (gpointer) (list->numbers->data + b->tasks_at);
                  e.n_entries = b->n_tasks;
                  ps_event_tasks_to_json (&e, self->out);
                }
            }
          write_lines (self);
        }
      g_ptr_array_set_size (list->blocks, 0);
      g_byte_array_set_size (list->numbers, 0);

      g_mutex_lock (&self->lock);
      g_queue_push_tail (&self->spare, list);
      self->busy = FALSE;
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* Hands what has gathered to the thread. */
static void
hand_over (PsLogWriter *self)
{
  if (self->text->len > 0)
    {
      Block *b = g_new0 (Block, 1);

      b->text = self->text;
      self->text = g_string_sized_new (4096);
      g_ptr_array_add (self->gathering->blocks, b);
    }
  if (self->gathering->blocks->len == 0)
    return;
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->queue, self->gathering);
  g_cond_broadcast (&self->cond);
  self->gathering = g_queue_pop_head (&self->spare);
  g_mutex_unlock (&self->lock);
  if (self->gathering == NULL)
    self->gathering = batch_new ();
  self->gathered = 0;
}

static gboolean
timer_cb (gpointer data)
{
  PsLogWriter *self = data;

  self->timer = 0;
  hand_over (self);
  return G_SOURCE_REMOVE;
}

/**
 * ps_log_writer_new:
 * @path: the file to write; it is created or emptied. "-" is standard
 *   output.
 *
 * Returns: (transfer full): a writer that hands its lines to a thread of
 *   its own on the thread-default main context, or %NULL when @path
 *   cannot be written
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
  self->own_file = !g_str_equal (path, "-");
  self->gathering = batch_new ();
  self->text = g_string_sized_new (4096);
  self->out = g_string_sized_new (FLUSH_BYTES * 2);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->queue);
  g_queue_init (&self->spare);
  self->thread = g_thread_new ("poolscope-log", writer_thread, self);
  return self;
}

void
ps_log_writer_add (PsLogWriter   *self,
                   const PsEvent *event)
{
  if (g_atomic_pointer_get (&self->error) != NULL)
    return;
  if (event->type == PS_EVENT_TASKS)
    {
      /* the numbers now, the text in the thread */
      Block *b = g_new0 (Block, 1);

      if (self->text->len > 0)
        {
          Block *t = g_new0 (Block, 1);

          t->text = self->text;
          self->text = g_string_sized_new (4096);
          g_ptr_array_add (self->gathering->blocks, t);
        }
      b->tasks_at = self->gathering->numbers->len;
      g_byte_array_append (self->gathering->numbers, (const guint8 *) event->tasks,
                           (guint) (event->n_entries * sizeof (PsTaskBatchEntry)));
      b->n_tasks = event->n_entries;
      b->worker = event->worker;
      b->pid = event->pid;
      b->name = g_strdup (event->name);
      g_ptr_array_add (self->gathering->blocks, b);
      self->gathered += event->n_entries * TASK_BYTES;
    }
  else
    {
      gsize before = self->text->len;

      ps_event_to_json (event, self->text);
      self->gathered += self->text->len - before;
    }
  if (self->gathered >= FLUSH_BYTES)
    hand_over (self);
  else if (self->timer == 0)
    self->timer = g_timeout_add (FLUSH_INTERVAL_MS, timer_cb, self);
}

/**
 * ps_log_writer_flush:
 *
 * Writes what has gathered, and waits until it is written. On failure
 * the log stops for good, cut back to its last whole line;
 * ps_log_writer_get_error() then says why.
 */
gboolean
ps_log_writer_flush (PsLogWriter  *self,
                     GError      **error)
{
  const char *why;

  g_clear_handle_id (&self->timer, g_source_remove);
  hand_over (self);
  g_mutex_lock (&self->lock);
  while (self->queue.length > 0 || self->busy)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  why = g_atomic_pointer_get (&self->error);
  if (why != NULL)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_FAILED, why);
      return FALSE;
    }
  return TRUE;
}

const char *
ps_log_writer_get_error (PsLogWriter *self)
{
  return g_atomic_pointer_get (&self->error);
}

void
ps_log_writer_free (PsLogWriter *self)
{
  if (self == NULL)
    return;
  /* what was gathered is written before the log closes */
  ps_log_writer_flush (self, NULL);
  g_mutex_lock (&self->lock);
  self->stop = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_thread_join (self->thread);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  if (self->fd >= 0)
    close (self->fd);
  batch_free (self->gathering);
  g_queue_clear_full (&self->spare, (GDestroyNotify) batch_free);
  g_string_free (self->text, TRUE);
  g_string_free (self->out, TRUE);
  g_free (self->path);
  g_free (self->error);
  g_free (self);
}
