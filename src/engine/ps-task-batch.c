/* ps-task-batch.c: many task-end events of one worker in one frame
 *
 * A trivial task's task-end event costs ~90 bytes as an EVENT frame;
 * `poolscope-run --ipc` sends runs of ordinary ones (ok, first attempt,
 * integer item and result, one worker, ranks in a row) as one
 * PS_FRAME_EVENT_TASKS frame instead:
 *
 *   u32 worker, u32 pid, u64 first task, u64 first rank, i64 first start,
 *   u32 count, then per task: u32 task delta, u32 gap (its start minus the
 *   previous end), u32 duration, u32 CPU ns, i64 item, i64 result.
 *
 * The open frame is always the last one in the buffer, so the batcher
 * grows it in place; any other event closes it. A batched task's
 * task-start is implied by its task-end and not sent: the batcher holds a
 * task-start back until it sees whether its task-end follows at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ps-error.h"
#include "ps-task-batch.h"

#define TASK_BYTES  32
#define HEAD_BYTES  36
#define MAX_COUNT   32768   /* 1 MiB frames at most */

G_STATIC_ASSERT (HEAD_BYTES + (guint64) MAX_COUNT * TASK_BYTES <= PS_FRAME_MAX_PAYLOAD);

void
ps_task_batcher_reset (PsTaskBatcher *self)
{
  self->frame_at = G_MAXSIZE;
  self->count = 0;
}

/**
 * ps_task_batcher_flush:
 *
 * Appends a task-start held back; call before @out is written out.
 */
void
ps_task_batcher_flush (PsTaskBatcher *self,
                       PsBuffer      *out)
{
  if (self->has_start)
    {
      PsEvent e = { 0 };

      self->has_start = FALSE;
      ps_task_batcher_reset (self);
      e.type = PS_EVENT_TASK_START;
      e.t = self->held.t;
      e.worker = self->held.worker;
      e.pid = self->held.pid;
      e.task = self->held.task;
      e.item_int = self->held.item_int;
      e.start = self->held.start;
      ps_event_encode (&e, out);
    }
}

static gboolean
batchable (const PsEvent *e)
{
  return e->type == PS_EVENT_TASK_END && e->status == PS_TASK_OK && !e->retry &&
         e->attempt == 0 && e->item == NULL && e->result_kind == PS_RESULT_INT &&
         e->message == NULL && e->cpu_ns >= 0 && e->cpu_ns <= G_MAXUINT32 &&
         e->end >= e->start && e->end - e->start <= G_MAXUINT32;
}

static inline void
store_u32 (guint8  *p,
           guint32  v)
{
  v = GUINT32_TO_LE (v);
  memcpy (p, &v, 4);
}

static inline void
store_u64 (guint8  *p,
           guint64  v)
{
  v = GUINT64_TO_LE (v);
  memcpy (p, &v, 8);
}

static inline gboolean
continues_entry (const PsTaskBatcher    *self,
                 guint32                 worker,
                 gint32                  pid,
                 const PsTaskBatchEntry *t)
{
  return self->frame_at != G_MAXSIZE && self->count < MAX_COUNT &&
         worker == self->worker && pid == self->pid &&
         t->task > self->last_task && t->task - self->last_task <= G_MAXUINT32 &&
         t->start >= self->last_end && t->start - self->last_end <= G_MAXUINT32 &&
         t->rank == self->last_rank + 1;
}

/**
 * ps_task_batcher_add_entry:
 * @task: an ordinary task-end (ok, first attempt, integer item and
 *   result), whose task-start is implied
 *
 * Appends @task to the open batch frame of @out, or to a new one.
 *
 * Returns: %FALSE when its numbers do not fit a batch (then nothing is
 *   appended: send its events)
 */
gboolean
ps_task_batcher_add_entry (PsTaskBatcher          *self,
                           guint32                 worker,
                           gint32                  pid,
                           const PsTaskBatchEntry *t,
                           PsBuffer               *out)
{
  guint8 *p;

  if (t->cpu_ns < 0 || t->cpu_ns > G_MAXUINT32 || t->end < t->start ||
      t->end - t->start > G_MAXUINT32)
    return FALSE;
  /* a task-start held back is not this task's: it goes first */
  if (self->has_start &&
      !(t->task == self->held.task && worker == self->held.worker && t->start == self->held.start))
    ps_task_batcher_flush (self, out);
  self->has_start = FALSE;

  if (!continues_entry (self, worker, pid, t))
    {
      ps_task_batcher_reset (self);
      self->frame_at = ps_frame_begin (out, PS_FRAME_EVENT_TASKS);
      ps_buffer_put_u32 (out, worker);
      ps_buffer_put_u32 (out, (guint32) pid);
      ps_buffer_put_u64 (out, t->task);
      ps_buffer_put_u64 (out, t->rank);
      ps_buffer_put_i64 (out, t->start);
      self->count_at = out->len;
      ps_buffer_put_u32 (out, 0);
      self->worker = worker;
      self->pid = pid;
      self->last_task = t->task;
      self->last_end = t->start;
      self->last_rank = t->rank - 1;
    }
  /* this runs for every task of a live run: one capacity check, plain
   * stores, and the frame's count and length written in place */
  if (G_UNLIKELY (out->len + TASK_BYTES > out->cap))
    ps_buffer_grow (out, TASK_BYTES);
  p = out->data + out->len;
  store_u32 (p, (guint32) (t->task - self->last_task));
  store_u32 (p + 4, (guint32) (t->start - self->last_end));
  store_u32 (p + 8, (guint32) (t->end - t->start));
  store_u32 (p + 12, (guint32) t->cpu_ns);
  store_u64 (p + 16, (guint64) t->item);
  store_u64 (p + 24, (guint64) t->result);
  out->len += TASK_BYTES;
  self->count++;
  self->last_task = t->task;
  self->last_end = t->end;
  self->last_rank = t->rank;
  store_u32 (out->data + self->count_at, self->count);
  /* MAX_COUNT keeps it far below PS_FRAME_MAX_PAYLOAD */
  store_u32 (out->data + self->frame_at, (guint32) (out->len - self->frame_at - PS_FRAME_HEADER_SIZE));
  return TRUE;
}

/**
 * ps_task_batcher_add:
 * @out: the buffer; nothing else may be appended to it while a frame is
 *   open, except through here (reset the batcher when @out is emptied)
 *
 * Appends @event to @out: into the open batch frame when it can go there,
 * else as a frame of its own.
 */
void
ps_task_batcher_add (PsTaskBatcher *self,
                     const PsEvent *e,
                     PsBuffer      *out)
{
  PsTaskBatchEntry t;

  if (e->type == PS_EVENT_TASK_START && e->item == NULL && e->attempt == 0)
    {
      /* a few numbers, not the whole event: this happens for every task */
      if (self->has_start)
        ps_task_batcher_flush (self, out);
      self->held.t = e->t;
      self->held.task = e->task;
      self->held.item_int = e->item_int;
      self->held.start = e->start;
      self->held.worker = e->worker;
      self->held.pid = e->pid;
      self->has_start = TRUE;
      return;
    }
  if (batchable (e))
    {
      t.task = e->task;
      t.rank = e->rank;
      t.start = e->start;
      t.end = e->end;
      t.cpu_ns = e->cpu_ns;
      t.item = e->item_int;
      t.result = e->result_int;
      if (ps_task_batcher_add_entry (self, e->worker, e->pid, &t, out))
        return;
    }
  ps_task_batcher_flush (self, out);
  ps_task_batcher_reset (self);
  ps_event_encode (e, out);
}

/**
 * ps_task_batch_check:
 * @out: the batch, to read with ps_task_batch_next()
 *
 * Returns: %FALSE with @error when the frame is not a whole, consistent
 *   batch
 */
gboolean
ps_task_batch_check (const PsFrame  *frame,
                     PsTaskBatch    *out,
                     GError        **error)
{
  PsReader r;
  guint64 t;

  ps_reader_init (&r, frame);
  out->worker = ps_reader_u32 (&r);
  out->pid = (gint32) ps_reader_u32 (&r);
  out->first_task = ps_reader_u64 (&r);
  out->first_rank = ps_reader_u64 (&r);
  out->first_start = ps_reader_i64 (&r);
  out->count = ps_reader_u32 (&r);
  if (r.failed || out->count == 0 || (frame->len - HEAD_BYTES) % TASK_BYTES != 0 ||
      out->count != (frame->len - HEAD_BYTES) / TASK_BYTES)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL,
                   _("a task batch of %u bytes does not hold whole tasks"), frame->len);
      return FALSE;
    }
  out->tasks = frame->payload + HEAD_BYTES;
  /* tasks go forward and do not wrap */
  t = out->first_task;
  for (guint32 i = 0; i < out->count; i++)
    {
      guint32 delta;

      memcpy (&delta, out->tasks + (gsize) i * TASK_BYTES, 4);
      delta = GUINT32_FROM_LE (delta);
      if ((i > 0 && delta == 0) || t + delta < t)
        {
          g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL, _("a task batch goes backwards"));
          return FALSE;
        }
      t += delta;
    }
  return TRUE;
}

/**
 * ps_task_batch_entries:
 * @entries: (element-type PsTaskBatchEntry): emptied, then given the
 *   tasks of @batch, in order
 *
 * What a tasks event carries (PsEvent.tasks) made of a checked batch.
 */
void
ps_task_batch_entries (const PsTaskBatch *batch,
                       GArray            *entries)
{
  PsTaskBatchIter iter;
  const PsTaskBatchEntry *t;

  g_array_set_size (entries, 0);
  ps_task_batch_iter_init (&iter, batch);
  while ((t = ps_task_batch_next (&iter)))
    g_array_append_vals (entries, t, 1);
}

/**
 * ps_task_batch_foreach:
 * @func: called with each task-end event of a checked batch, in order
 *
 * One PsEvent, refilled for each task: valid during the call only.
 */
void
ps_task_batch_foreach (const PsTaskBatch *batch,
                       PsEventFunc        func,
                       gpointer           data)
{
  PsTaskBatchIter iter;
  const PsTaskBatchEntry *t;
  PsEvent shared = { 0 }, e;

  shared.worker = batch->worker;
  shared.pid = batch->pid;
  ps_event_init_task_end (&shared, &e);
  ps_task_batch_iter_init (&iter, batch);
  while ((t = ps_task_batch_next (&iter)))
    {
      ps_task_batch_event_fill (t, &e);
      func (&e, data);
    }
}

/**
 * ps_task_batch_decode:
 * @func: called with each task-end event, in order
 *
 * Returns: %FALSE with @error when the frame is not a whole, consistent
 *   batch (nothing is delivered then)
 */
gboolean
ps_task_batch_decode (const PsFrame    *frame,
                      PsEventFunc       func,
                      gpointer          data,
                      GError          **error)
{
  PsTaskBatch batch;

  if (!ps_task_batch_check (frame, &batch, error))
    return FALSE;
  ps_task_batch_foreach (&batch, func, data);
  return TRUE;
}
