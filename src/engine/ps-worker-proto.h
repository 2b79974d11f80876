/* ps-worker-proto.h: the protocol between the engine and a pool worker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ps-frame.h"

G_BEGIN_DECLS

/* engine → worker, first: who it is and what it runs */
typedef struct
{
  guint32     id;
  const char *name;
  const char *workload;   /* a workload spec, as ps_workload_to_string() writes it */
  guint64     seed;
  const char *lock;       /* the lock workload's named semaphore (sem_open); NULL or "": none */
  guint32     slot;       /* from 1: a replacement takes the place of the worker it replaces */
  guint32     flags;      /* PS_OUTPUT_* of ps-spec.h */
  guint64     output_limit; /* bytes of output a task keeps; 0: all */
} PsProtoSetup;

/* engine → worker: consecutive tasks (a chunk, or a piece of one) */
typedef struct
{
  guint64  first;
  guint32  count;
  guint32  attempt;
  gboolean range;         /* items value, value + step, …; else count strings follow */
  gint64   value;
  gint64   step;
  PsReader items;         /* at the first of the count strings (checked) */
} PsProtoChunk;

/* worker → engine */
typedef struct
{
  guint32 pid;
  gint64  t;              /* CLOCK_MONOTONIC of the worker */
} PsProtoReady;

typedef struct
{
  guint64 task;
  guint32 attempt;
  gint64  t;
} PsProtoTaskStart;

typedef struct
{
  guint64     task;
  guint32     attempt;
  gint64      start;
  gint64      end;
  gint64      cpu_ns;
  guint8      status;     /* PS_TASK_OK or PS_TASK_ERROR: a worker never reports its own crash */
  guint8      result_kind;
  gint64      result_int;
  const char *result_text;
  gsize       result_len;
  const char *message;    /* "" for none */
} PsProtoTaskEnd;

/* worker → engine: ok tasks of one chunk back to back, 12 bytes each */
typedef struct
{
  guint64  first;
  guint32  count;
  guint32  attempt;
  gint64   t;             /* the first task's start */
  double   share;         /* of the batch's wall time spent on a CPU */
  PsReader entries;       /* count × (u32 duration, i64 result), checked */
} PsProtoTaskRun;

typedef struct
{
  guint64     task;
  guint8      stream;
  const char *text;
} PsProtoOutput;

/* worker → engine: a command task's process, for the sampler */
typedef struct
{
  guint64 task;
  guint32 pid;
} PsProtoTaskChild;

/* relay → engine: a remote worker's CPU and memory, as ps-sampler reads them */
typedef struct
{
  gint64 t;
  double cpu_percent;
  gint64 rss;
  gint64 pss;             /* -1: not read */
  gint64 uss;
} PsProtoSample;

void     ps_proto_put_close        (PsBuffer           *b);
void     ps_proto_put_ping         (PsBuffer           *b);
void     ps_proto_put_sample       (PsBuffer            *b,
                                    const PsProtoSample *sample);
gboolean ps_proto_read_sample      (const PsFrame      *frame,
                                    PsProtoSample      *out,
                                    GError            **error);
void     ps_proto_put_exit         (PsBuffer           *b,
                                    gint32              wait_status);
gboolean ps_proto_read_exit        (const PsFrame      *frame,
                                    gint32             *wait_status,
                                    GError            **error);
void     ps_proto_put_setup        (PsBuffer           *b,
                                    const PsProtoSetup *setup);
void     ps_proto_put_chunk_range  (PsBuffer           *b,
                                    guint64             first,
                                    guint32             count,
                                    guint32             attempt,
                                    gint64              value,
                                    gint64              step);
gsize    ps_proto_begin_chunk_text (PsBuffer           *b,
                                    guint64             first,
                                    guint32             attempt,
                                    gsize              *count_at);
void     ps_proto_end_chunk_text   (PsBuffer           *b,
                                    gsize               frame,
                                    gsize               count_at,
                                    guint32             count);
void     ps_proto_put_ready        (PsBuffer           *b,
                                    guint32             pid,
                                    gint64              t);
void     ps_proto_put_task_start   (PsBuffer           *b,
                                    guint64             task,
                                    guint32             attempt,
                                    gint64              t);
void     ps_proto_put_task_end     (PsBuffer             *b,
                                    const PsProtoTaskEnd *end);
gsize    ps_proto_begin_task_run   (PsBuffer           *b,
                                    guint64             first,
                                    guint32             count,
                                    guint32             attempt,
                                    gint64              t,
                                    double              share);
gsize    ps_proto_begin_output     (PsBuffer           *b,
                                    guint64             task,
                                    guint8              stream,
                                    gsize               text_len);
void     ps_proto_end_output       (PsBuffer           *b,
                                    gsize               frame);
void     ps_proto_put_task_child   (PsBuffer           *b,
                                    guint64             task,
                                    guint32             pid);

/* One task of a TASK_RUN: after ps_proto_begin_task_run(), count times. */
static inline void
ps_proto_put_task_run_entry (PsBuffer *b,
                             guint32   duration_ns,
                             gint64    result)
{
  ps_buffer_put_u32 (b, duration_ns);
  ps_buffer_put_i64 (b, result);
}

static inline void
ps_proto_task_run_next (PsProtoTaskRun *run,
                        guint32        *duration_ns,
                        gint64         *result)
{
  *duration_ns = ps_reader_u32 (&run->entries);
  *result = ps_reader_i64 (&run->entries);
}

gboolean ps_proto_read_task_child  (const PsFrame      *frame,
                                    PsProtoTaskChild   *out,
                                    GError            **error);
gboolean ps_proto_read_setup       (const PsFrame      *frame,
                                    PsProtoSetup       *out,
                                    GError            **error);
gboolean ps_proto_read_chunk       (const PsFrame      *frame,
                                    PsProtoChunk       *out,
                                    GError            **error);
gboolean ps_proto_read_ready       (const PsFrame      *frame,
                                    PsProtoReady       *out,
                                    GError            **error);
gboolean ps_proto_read_task_start  (const PsFrame      *frame,
                                    PsProtoTaskStart   *out,
                                    GError            **error);
gboolean ps_proto_read_task_end    (const PsFrame      *frame,
                                    PsProtoTaskEnd     *out,
                                    GError            **error);
gboolean ps_proto_read_task_run    (const PsFrame      *frame,
                                    PsProtoTaskRun     *out,
                                    GError            **error);
gboolean ps_proto_read_output      (const PsFrame      *frame,
                                    PsProtoOutput      *out,
                                    GError            **error);

G_END_DECLS
