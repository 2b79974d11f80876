/* ps-frame.h: length-prefixed binary frames between processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

#define PS_PROTOCOL_VERSION  6   /* 2: EVENT_TASKS frames; 3: worker-exit says stopped; 4: RESIZE, resize events;
                                    5: SETUP's slot and output options, TASK_CHILD, crashed task-ends;
                                    6: CLOSE, SAMPLE and EXIT of a worker on another host */
#define PS_FRAME_HEADER_SIZE 8
#define PS_FRAME_MAX_PAYLOAD (16u * 1024u * 1024u)

typedef enum
{
  /* engine → worker */
  PS_FRAME_SETUP = 1,
  PS_FRAME_CHUNK = 2,
  PS_FRAME_CLOSE = 3,       /* no more work: the end of a remote worker's channel is a kill */
  PS_FRAME_PING = 4,        /* the link to a remote worker lives (its relay takes it) */
  /* worker → engine */
  PS_FRAME_READY = 16,
  PS_FRAME_TASK_START = 17,
  PS_FRAME_TASK_END = 18,
  PS_FRAME_OUTPUT = 19,
  PS_FRAME_TASK_RUN = 20,   /* consecutive trivial tasks with integer results */
  PS_FRAME_TASK_CHILD = 21, /* the process a command task runs in */
  PS_FRAME_SAMPLE = 22,     /* a remote worker's CPU and memory, read where it runs */
  PS_FRAME_EXIT = 23,       /* how a remote worker ended, from the relay beside it */
  /* client ↔ engine, poolscope-run --ipc */
  PS_FRAME_HELLO = 32,
  PS_FRAME_RUN = 33,
  PS_FRAME_CANCEL = 34,
  PS_FRAME_EVENT = 35,
  PS_FRAME_ERROR = 36,
  PS_FRAME_EVENT_TASKS = 37, /* task-end events of one worker, 32 bytes each */
  PS_FRAME_RESIZE = 38,      /* client: u32 workers, the pool's new size during the run */
} PsFrameType;

typedef struct
{
  guint8        type;
  guint32       len;
  const guint8 *payload;
} PsFrame;

typedef enum
{
  PS_DECODE_OK,
  PS_DECODE_NEED_MORE,
  PS_DECODE_ERROR,
} PsDecodeResult;

PsDecodeResult ps_frame_decode (const guint8  *buf,
                                gsize          len,
                                PsFrame       *frame,
                                gsize         *consumed,
                                GError       **error);

/* A growable output buffer that frames are appended to. */
typedef struct
{
  guint8 *data;
  gsize   len;
  gsize   cap;
} PsBuffer;

void  ps_buffer_init      (PsBuffer     *self);
void  ps_buffer_clear     (PsBuffer     *self);
void  ps_buffer_consume   (PsBuffer     *self,
                           gsize         n);
void  ps_buffer_grow      (PsBuffer     *self,
                           gsize         extra);
gsize ps_frame_begin      (PsBuffer     *self,
                           PsFrameType   type);
void  ps_frame_end        (PsBuffer     *self,
                           gsize         start);
void  ps_buffer_put_str   (PsBuffer     *self,
                           const char   *str,
                           gsize         len);

static inline void
ps_buffer_put (PsBuffer   *self,
               const void *data,
               gsize       n)
{
  if (G_UNLIKELY (self->len + n > self->cap))
    ps_buffer_grow (self, n);
  memcpy (self->data + self->len, data, n);
  self->len += n;
}

static inline void
ps_buffer_put_u8 (PsBuffer *self, guint8 v)
{
  ps_buffer_put (self, &v, 1);
}

static inline void
ps_buffer_put_u32 (PsBuffer *self, guint32 v)
{
  v = GUINT32_TO_LE (v);
  ps_buffer_put (self, &v, 4);
}

static inline void
ps_buffer_put_u64 (PsBuffer *self, guint64 v)
{
  v = GUINT64_TO_LE (v);
  ps_buffer_put (self, &v, 8);
}

static inline void
ps_buffer_put_i64 (PsBuffer *self, gint64 v)
{
  ps_buffer_put_u64 (self, (guint64) v);
}

void ps_buffer_put_f64 (PsBuffer *self,
                        double    v);

/* Reads a payload; any read past its end sets @failed and returns zeros. */
typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
  gboolean      failed;
} PsReader;

static inline void
ps_reader_init (PsReader      *self,
                const PsFrame *frame)
{
  self->data = frame->payload;
  self->len = frame->len;
  self->pos = 0;
  self->failed = FALSE;
}

static inline const guint8 *
ps_reader_take (PsReader *self,
                gsize     n)
{
  const guint8 *p;

  if (G_UNLIKELY (self->failed || self->len - self->pos < n))
    {
      self->failed = TRUE;
      return NULL;
    }
  p = self->data + self->pos;
  self->pos += n;
  return p;
}

static inline guint8
ps_reader_u8 (PsReader *self)
{
  const guint8 *p = ps_reader_take (self, 1);

  return p ? *p : 0;
}

static inline guint32
ps_reader_u32 (PsReader *self)
{
  const guint8 *p = ps_reader_take (self, 4);
  guint32 v = 0;

  if (p)
    memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static inline guint64
ps_reader_u64 (PsReader *self)
{
  const guint8 *p = ps_reader_take (self, 8);
  guint64 v = 0;

  if (p)
    memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

static inline gint64
ps_reader_i64 (PsReader *self)
{
  return (gint64) ps_reader_u64 (self);
}

double      ps_reader_f64    (PsReader      *self);
const char *ps_reader_str    (PsReader      *self,
                              gsize         *len);
gboolean    ps_reader_finish (PsReader      *self,
                              const char    *what,
                              GError       **error);

G_END_DECLS
