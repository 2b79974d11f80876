/* ps-task-batch.h: many task-end events of one worker in one frame
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

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

gboolean ps_task_batch_decode   (const PsFrame   *frame,
                                 PsEventFunc      func,
                                 gpointer         data,
                                 GError         **error);

G_END_DECLS
