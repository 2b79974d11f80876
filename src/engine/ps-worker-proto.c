/* ps-worker-proto.c: the protocol between the engine and a pool worker
 *
 * Frames (ps-frame.h) on the worker's channel, each encoded and decoded
 * here and nowhere else. The decoders are pure, trust nothing (a worker
 * is a process that may be anything by the time it writes) and are
 * fuzzed (tests/fuzz/fuzz-frame.c).
 *
 *   SETUP       u32 id, str name, str workload, u64 seed, str lock,
 *               u32 slot, u32 flags, u64 output_limit
 *   CHUNK       u64 first, u32 count, u32 attempt, u8 range,
 *               range: i64 value, i64 step; else count × str item
 *   READY       u32 pid, i64 t
 *   TASK_START  u64 task, u32 attempt, i64 t
 *   TASK_END    u64 task, u32 attempt, i64 start, i64 end, i64 cpu_ns,
 *               u8 status (ok | error | crashed), u8 kind, [i64 | str] result,
 *               str message
 *   TASK_RUN    u64 first, u32 count, u32 attempt, i64 t, f64 share,
 *               count × (u32 duration, i64 result)
 *   OUTPUT      u64 task, u8 stream, str text
 *   TASK_CHILD  u64 task, u32 pid
 *
 * and, with a worker on another host (ps-remote-worker.c relays its
 * channel over the launcher's stdin and stdout):
 *
 *   CLOSE       (empty) engine → relay: no more work. Without it, the end
 *               of the channel means the engine or the link is gone, and
 *               the relay ends the worker at once.
 *   PING        (empty) engine → relay, every PS_REMOTE_PING_S: the link
 *               lives; four missed, the relay ends the worker.
 *   SAMPLE      i64 t, f64 cpu_percent, i64 rss, i64 pss, i64 uss
 *   EXIT        i32 wait status (as waitpid() gives it), the relay's last
 *
 * Strings are a u32 length, the bytes and a NUL. Times are the worker's
 * CLOCK_MONOTONIC in nanoseconds (its launcher knows the offset).
 *
 * SETUP's lock is the name of the pool's semaphore for the lock workload
 * ("" for any other). A task-end says crashed only for a command killed
 * by a signal: the worker itself lives on. TASK_CHILD names the process
 * a command task runs in, so that the sampler counts its CPU and memory
 * with the worker's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-worker-proto"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ps-error.h"
#include "ps-event.h"
#include "ps-worker-proto.h"

static gboolean
bad (GError    **error,
     const char *what)
{
  g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL, _("corrupt %s frame"), what);
  return FALSE;
}

static gboolean
expect (const PsFrame *frame,
        PsFrameType    type,
        PsReader      *r,
        const char    *what,
        GError       **error)
{
  if (frame->type != type)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL, _("a %s frame was expected"), what);
      return FALSE;
    }
  ps_reader_init (r, frame);
  return TRUE;
}

void
ps_proto_put_setup (PsBuffer           *b,
                    const PsProtoSetup *setup)
{
  gsize f = ps_frame_begin (b, PS_FRAME_SETUP);

  ps_buffer_put_u32 (b, setup->id);
  ps_buffer_put_str (b, setup->name, strlen (setup->name));
  ps_buffer_put_str (b, setup->workload, strlen (setup->workload));
  ps_buffer_put_u64 (b, setup->seed);
  ps_buffer_put_str (b, setup->lock ? setup->lock : "", setup->lock ? strlen (setup->lock) : 0);
  ps_buffer_put_u32 (b, setup->slot);
  ps_buffer_put_u32 (b, setup->flags);
  ps_buffer_put_u64 (b, setup->output_limit);
  ps_frame_end (b, f);
}

gboolean
ps_proto_read_setup (const PsFrame *frame,
                     PsProtoSetup  *out,
                     GError       **error)
{
  PsReader r;

  if (!expect (frame, PS_FRAME_SETUP, &r, "setup", error))
    return FALSE;
  out->id = ps_reader_u32 (&r);
  out->name = ps_reader_str (&r, NULL);
  out->workload = ps_reader_str (&r, NULL);
  out->seed = ps_reader_u64 (&r);
  out->lock = ps_reader_str (&r, NULL);
  out->slot = ps_reader_u32 (&r);
  out->flags = ps_reader_u32 (&r);
  out->output_limit = ps_reader_u64 (&r);
  return ps_reader_finish (&r, "setup", error);
}

void
ps_proto_put_chunk_range (PsBuffer *b,
                          guint64   first,
                          guint32   count,
                          guint32   attempt,
                          gint64    value,
                          gint64    step)
{
  gsize f = ps_frame_begin (b, PS_FRAME_CHUNK);

  ps_buffer_put_u64 (b, first);
  ps_buffer_put_u32 (b, count);
  ps_buffer_put_u32 (b, attempt);
  ps_buffer_put_u8 (b, 1);
  ps_buffer_put_i64 (b, value);
  ps_buffer_put_i64 (b, step);
  ps_frame_end (b, f);
}

/* A CHUNK of text items: the items follow (ps_buffer_put_str), then
 * ps_proto_end_chunk_text() writes how many there were. */
gsize
ps_proto_begin_chunk_text (PsBuffer *b,
                           guint64   first,
                           guint32   attempt,
                           gsize    *count_at)
{
  gsize f = ps_frame_begin (b, PS_FRAME_CHUNK);

  ps_buffer_put_u64 (b, first);
  *count_at = b->len;
  ps_buffer_put_u32 (b, 0);
  ps_buffer_put_u32 (b, attempt);
  ps_buffer_put_u8 (b, 0);
  return f;
}

void
ps_proto_end_chunk_text (PsBuffer *b,
                         gsize     frame,
                         gsize     count_at,
                         guint32   count)
{
  guint32 le = GUINT32_TO_LE (count);

  memcpy (b->data + count_at, &le, 4);
  ps_frame_end (b, frame);
}

gboolean
ps_proto_read_chunk (const PsFrame *frame,
                     PsProtoChunk  *out,
                     GError       **error)
{
  PsReader r, check;
  guint8 range;

  if (!expect (frame, PS_FRAME_CHUNK, &r, "chunk", error))
    return FALSE;
  out->first = ps_reader_u64 (&r);
  out->count = ps_reader_u32 (&r);
  out->attempt = ps_reader_u32 (&r);
  range = ps_reader_u8 (&r);
  if (r.failed || range > 1 || out->count == 0)
    return bad (error, "chunk");
  out->range = range == 1;
  if (out->range)
    {
      out->value = ps_reader_i64 (&r);
      out->step = ps_reader_i64 (&r);
      return ps_reader_finish (&r, "chunk", error);
    }
  /* every item is there, and nothing after them */
  out->items = r;
  check = r;
  for (guint32 i = 0; i < out->count && !check.failed; i++)
    ps_reader_str (&check, NULL);
  return ps_reader_finish (&check, "chunk", error);
}

void
ps_proto_put_ready (PsBuffer *b,
                    guint32   pid,
                    gint64    t)
{
  gsize f = ps_frame_begin (b, PS_FRAME_READY);

  ps_buffer_put_u32 (b, pid);
  ps_buffer_put_i64 (b, t);
  ps_frame_end (b, f);
}

gboolean
ps_proto_read_ready (const PsFrame *frame,
                     PsProtoReady  *out,
                     GError       **error)
{
  PsReader r;

  if (!expect (frame, PS_FRAME_READY, &r, "ready", error))
    return FALSE;
  out->pid = ps_reader_u32 (&r);
  out->t = ps_reader_i64 (&r);
  return ps_reader_finish (&r, "ready", error);
}

void
ps_proto_put_task_start (PsBuffer *b,
                         guint64   task,
                         guint32   attempt,
                         gint64    t)
{
  gsize f = ps_frame_begin (b, PS_FRAME_TASK_START);

  ps_buffer_put_u64 (b, task);
  ps_buffer_put_u32 (b, attempt);
  ps_buffer_put_i64 (b, t);
  ps_frame_end (b, f);
}

gboolean
ps_proto_read_task_start (const PsFrame    *frame,
                          PsProtoTaskStart *out,
                          GError          **error)
{
  PsReader r;

  if (!expect (frame, PS_FRAME_TASK_START, &r, "task-start", error))
    return FALSE;
  out->task = ps_reader_u64 (&r);
  out->attempt = ps_reader_u32 (&r);
  out->t = ps_reader_i64 (&r);
  return ps_reader_finish (&r, "task-start", error);
}

void
ps_proto_put_task_end (PsBuffer             *b,
                       const PsProtoTaskEnd *e)
{
  gsize f = ps_frame_begin (b, PS_FRAME_TASK_END);

  ps_buffer_put_u64 (b, e->task);
  ps_buffer_put_u32 (b, e->attempt);
  ps_buffer_put_i64 (b, e->start);
  ps_buffer_put_i64 (b, e->end);
  ps_buffer_put_i64 (b, e->cpu_ns);
  ps_buffer_put_u8 (b, e->status);
  ps_buffer_put_u8 (b, e->result_kind);
  if (e->result_kind == PS_RESULT_INT)
    ps_buffer_put_i64 (b, e->result_int);
  else if (e->result_kind == PS_RESULT_TEXT)
    ps_buffer_put_str (b, e->result_text, e->result_len);
  ps_buffer_put_str (b, e->message, e->message ? strlen (e->message) : 0);
  ps_frame_end (b, f);
}

gboolean
ps_proto_read_task_end (const PsFrame  *frame,
                        PsProtoTaskEnd *out,
                        GError        **error)
{
  PsReader r;

  if (!expect (frame, PS_FRAME_TASK_END, &r, "task-end", error))
    return FALSE;
  out->task = ps_reader_u64 (&r);
  out->attempt = ps_reader_u32 (&r);
  out->start = ps_reader_i64 (&r);
  out->end = ps_reader_i64 (&r);
  out->cpu_ns = ps_reader_i64 (&r);
  out->status = ps_reader_u8 (&r);
  out->result_kind = ps_reader_u8 (&r);
  out->result_int = 0;
  out->result_text = NULL;
  out->result_len = 0;
  if (out->result_kind == PS_RESULT_INT)
    out->result_int = ps_reader_i64 (&r);
  else if (out->result_kind == PS_RESULT_TEXT)
    out->result_text = ps_reader_str (&r, &out->result_len);
  out->message = ps_reader_str (&r, NULL);
  if (!ps_reader_finish (&r, "task-end", error))
    return FALSE;
  if (out->result_kind > PS_RESULT_TEXT || (out->status != PS_TASK_OK && out->status != PS_TASK_ERROR &&
                                          out->status != PS_TASK_CRASHED))
    return bad (error, "task-end");
  /* texts end up in labels, logs and Python's repr(): valid UTF-8 only */
  if ((out->result_text && !g_utf8_validate (out->result_text, out->result_len, NULL)) ||
      !g_utf8_validate (out->message, -1, NULL))
    return bad (error, "task-end");
  return TRUE;
}

/* A TASK_RUN: count entries follow (ps_proto_put_task_run_entry), then
 * ps_frame_end(). */
gsize
ps_proto_begin_task_run (PsBuffer *b,
                         guint64   first,
                         guint32   count,
                         guint32   attempt,
                         gint64    t,
                         double    share)
{
  gsize f = ps_frame_begin (b, PS_FRAME_TASK_RUN);

  ps_buffer_put_u64 (b, first);
  ps_buffer_put_u32 (b, count);
  ps_buffer_put_u32 (b, attempt);
  ps_buffer_put_i64 (b, t);
  ps_buffer_put_f64 (b, share);
  return f;
}

gboolean
ps_proto_read_task_run (const PsFrame  *frame,
                        PsProtoTaskRun *out,
                        GError        **error)
{
  PsReader r;

  if (!expect (frame, PS_FRAME_TASK_RUN, &r, "task-run", error))
    return FALSE;
  out->first = ps_reader_u64 (&r);
  out->count = ps_reader_u32 (&r);
  out->attempt = ps_reader_u32 (&r);
  out->t = ps_reader_i64 (&r);
  out->share = ps_reader_f64 (&r);
  if (r.failed || (gsize) out->count * 12 != r.len - r.pos || !(out->share >= 0 && out->share <= 1))
    return bad (error, "task-run");
  out->entries = r;
  return TRUE;
}

/* An OUTPUT of @text_len bytes: they follow (ps_buffer_put), then
 * ps_proto_end_output(). */
gsize
ps_proto_begin_output (PsBuffer *b,
                       guint64   task,
                       guint8    stream,
                       gsize     text_len)
{
  gsize f = ps_frame_begin (b, PS_FRAME_OUTPUT);

  ps_buffer_put_u64 (b, task);
  ps_buffer_put_u8 (b, stream);
  ps_buffer_put_u32 (b, (guint32) text_len);
  return f;
}

void
ps_proto_end_output (PsBuffer *b,
                     gsize     frame)
{
  ps_buffer_put_u8 (b, 0);
  ps_frame_end (b, frame);
}

gboolean
ps_proto_read_output (const PsFrame *frame,
                      PsProtoOutput *out,
                      GError       **error)
{
  PsReader r;

  if (!expect (frame, PS_FRAME_OUTPUT, &r, "output", error))
    return FALSE;
  out->task = ps_reader_u64 (&r);
  out->stream = ps_reader_u8 (&r);
  out->text = ps_reader_str (&r, NULL);
  return ps_reader_finish (&r, "output", error);
}

void
ps_proto_put_task_child (PsBuffer *b,
                         guint64   task,
                         guint32   pid)
{
  gsize f = ps_frame_begin (b, PS_FRAME_TASK_CHILD);

  ps_buffer_put_u64 (b, task);
  ps_buffer_put_u32 (b, pid);
  ps_frame_end (b, f);
}

gboolean
ps_proto_read_task_child (const PsFrame    *frame,
                          PsProtoTaskChild *out,
                          GError          **error)
{
  PsReader r;

  if (!expect (frame, PS_FRAME_TASK_CHILD, &r, "task-child", error))
    return FALSE;
  out->task = ps_reader_u64 (&r);
  out->pid = ps_reader_u32 (&r);
  if (!ps_reader_finish (&r, "task-child", error))
    return FALSE;
  if (out->pid <= 1)
    return bad (error, "task-child");
  return TRUE;
}

void
ps_proto_put_close (PsBuffer *b)
{
  ps_frame_end (b, ps_frame_begin (b, PS_FRAME_CLOSE));
}

void
ps_proto_put_ping (PsBuffer *b)
{
  ps_frame_end (b, ps_frame_begin (b, PS_FRAME_PING));
}

void
ps_proto_put_sample (PsBuffer            *b,
                     const PsProtoSample *sample)
{
  gsize f = ps_frame_begin (b, PS_FRAME_SAMPLE);

  ps_buffer_put_i64 (b, sample->t);
  ps_buffer_put_f64 (b, sample->cpu_percent);
  ps_buffer_put_i64 (b, sample->rss);
  ps_buffer_put_i64 (b, sample->pss);
  ps_buffer_put_i64 (b, sample->uss);
  ps_frame_end (b, f);
}

gboolean
ps_proto_read_sample (const PsFrame *frame,
                      PsProtoSample *out,
                      GError       **error)
{
  PsReader r;

  if (!expect (frame, PS_FRAME_SAMPLE, &r, "sample", error))
    return FALSE;
  out->t = ps_reader_i64 (&r);
  out->cpu_percent = ps_reader_f64 (&r);
  out->rss = ps_reader_i64 (&r);
  out->pss = ps_reader_i64 (&r);
  out->uss = ps_reader_i64 (&r);
  if (!ps_reader_finish (&r, "sample", error))
    return FALSE;
  /* a core is 100%; no process has more than PS_WORKERS_MAX × that of one worker's tree */
  if (!(out->cpu_percent >= 0 && out->cpu_percent <= 100.0 * 65536) || out->rss < 0 ||
      out->pss < -1 || out->uss < -1)
    return bad (error, "sample");
  return TRUE;
}

void
ps_proto_put_exit (PsBuffer *b,
                   gint32    wait_status)
{
  gsize f = ps_frame_begin (b, PS_FRAME_EXIT);

  ps_buffer_put_u32 (b, (guint32) wait_status);
  ps_frame_end (b, f);
}

gboolean
ps_proto_read_exit (const PsFrame *frame,
                    gint32        *wait_status,
                    GError       **error)
{
  PsReader r;

  if (!expect (frame, PS_FRAME_EXIT, &r, "exit", error))
    return FALSE;
  *wait_status = (gint32) ps_reader_u32 (&r);
  if (!ps_reader_finish (&r, "exit", error))
    return FALSE;
  /* an exit code, or a signal: nothing else */
  if ((*wait_status & ~0xffff) != 0 || ((*wait_status & 0x7f) != 0 && (*wait_status & 0xff00) != 0))
    return bad (error, "exit");
  return TRUE;
}
