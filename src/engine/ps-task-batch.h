/* ps-task-batch.h: many task-end events of one worker in one frame
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>

#include <glib.h>

#include "ps-event.h"
#include "ps-frame.h"

G_BEGIN_DECLS

/* The frame being filled at the end of an output buffer. */
typedef struct
{
  gsize   frame_at;    /* G_MAXSIZE: no frame open */
  gsize   count_at;
  guint32 count;
  guint32 worker;
  gint32  pid;
  guint64 last_task;
  gint64  last_end;
  guint64 last_rank;
  gboolean has_start;  /* a task-start held back: its task-end may follow at once */
  struct {             /* what of it a task-start frame carries */
    gint64  t;
    guint64 task;
    gint64  item_int;
    gint64  start;
    guint32 worker;
    gint32  pid;
  } held;
} PsTaskBatcher;

void     ps_task_batcher_reset  (PsTaskBatcher *self);
void     ps_task_batcher_add    (PsTaskBatcher *self,
                                 const PsEvent *event,
                                 PsBuffer      *out);
void     ps_task_batcher_flush  (PsTaskBatcher *self,
                                 PsBuffer      *out);

/* A checked EVENT_TASKS frame, to read without a PsEvent per task. */
typedef struct
{
  guint32       worker;
  gint32        pid;
  guint64       first_task;
  guint64       first_rank;
  gint64        first_start;   /* the previous end the first gap counts from */
  guint32       count;
  const guint8 *tasks;         /* count × 32 bytes */
} PsTaskBatch;

/* One task of a batch, as ps_task_batch_next() reads it: a PsTaskBatchEntry. */

gboolean ps_task_batcher_add_entry (PsTaskBatcher          *self,
                                   guint32                 worker,
                                   gint32                  pid,
                                   const PsTaskBatchEntry *task,
                                   PsBuffer               *out);

typedef struct
{
  const PsTaskBatch *batch;
  guint32            i;
  PsTaskBatchEntry   entry;
} PsTaskBatchIter;

gboolean ps_task_batch_check    (const PsFrame   *frame,
                                 PsTaskBatch     *out,
                                 GError         **error);

static inline void
ps_task_batch_iter_init (PsTaskBatchIter   *iter,
                         const PsTaskBatch *batch)
{
  iter->batch = batch;
  iter->i = 0;
  iter->entry.task = batch->first_task;
  iter->entry.rank = batch->first_rank - 1;
  iter->entry.end = batch->first_start;
}

/* The next task, or NULL after the last. A checked batch goes forward
 * and does not wrap; times wrap rather than overflow a signed add. */
static inline const PsTaskBatchEntry *
ps_task_batch_next (PsTaskBatchIter *iter)
{
  const guint8 *p;
  guint32 v[4];
  guint64 item, result;

  if (iter->i >= iter->batch->count)
    return NULL;
  p = iter->batch->tasks + (gsize) iter->i * 32;
  memcpy (v, p, 16);
  memcpy (&item, p + 16, 8);
  memcpy (&result, p + 24, 8);
  iter->entry.task += GUINT32_FROM_LE (v[0]);
  iter->entry.rank++;
  iter->entry.start = (gint64) ((guint64) iter->entry.end + GUINT32_FROM_LE (v[1]));
  iter->entry.end = (gint64) ((guint64) iter->entry.start + GUINT32_FROM_LE (v[2]));
  iter->entry.cpu_ns = GUINT32_FROM_LE (v[3]);
  iter->entry.item = (gint64) GUINT64_FROM_LE (item);
  iter->entry.result = (gint64) GUINT64_FROM_LE (result);
  iter->i++;
  return &iter->entry;
}

/* What is each task's own in a task-end (ps_event_init_task_end() fills
 * what the tasks share). */
static inline void
ps_task_batch_event_fill (const PsTaskBatchEntry *t,
                          PsEvent                *e)
{
  e->task = t->task;
  e->rank = t->rank;
  e->start = t->start;
  e->end = t->end;
  e->t = t->end;
  e->cpu_ns = t->cpu_ns;
  e->item_int = t->item;
  e->result_int = t->result;
}

void     ps_task_batch_entries  (const PsTaskBatch *batch,
                                 GArray          *entries);
void     ps_task_batch_foreach  (const PsTaskBatch *batch,
                                 PsEventFunc      func,
                                 gpointer         data);
gboolean ps_task_batch_decode   (const PsFrame   *frame,
                                 PsEventFunc      func,
                                 gpointer         data,
                                 GError         **error);

G_END_DECLS
