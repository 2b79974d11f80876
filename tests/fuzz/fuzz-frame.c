/* fuzz-frame.c: the frame decoder and the event decoder, on a stream
 *
 * The input is what a peer might send: frames back to back. Each frame
 * the decoder accepts must lie inside the input; an EVENT frame that
 * decodes, and each task-end of an EVENT_TASKS batch, must survive being
 * encoded again, and its JSON line must be one line of valid UTF-8 that
 * the log reader does not choke on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "ps-event.h"
#include "ps-frame.h"
#include "ps-ipc-proto.h"
#include "ps-task-batch.h"
#include "ps-worker-proto.h"

/* The decoded event, encoded and decoded again, is the same event. */
static void
check_reencode (const PsEvent *e)
{
  PsBuffer b;
  PsFrame frame;
  PsEvent again;
  gsize used = 0;
  g_autoptr(GError) error = NULL;

  ps_buffer_init (&b);
  ps_event_encode (e, &b);
  g_assert_cmpint (ps_frame_decode (b.data, b.len, &frame, &used, &error), ==, PS_DECODE_OK);
  g_assert_cmpuint (used, ==, b.len);
  if (!ps_event_decode (&frame, &again, &error))
    g_error ("a decoded event does not decode once encoded again: %s", error->message);

  g_assert_cmpint (again.type, ==, e->type);
  g_assert_cmpint (again.t, ==, e->t);
  g_assert_cmpuint (again.worker, ==, e->worker);
  g_assert_cmpuint (again.task, ==, e->task);
  g_assert_cmpint (again.status, ==, e->status);
  g_assert_cmpint (again.result_kind, ==, e->result_kind);
  g_assert_cmpint (again.result_int, ==, e->result_int);
  g_assert_cmpuint (again.n_tasks, ==, e->n_tasks);
  /* NULL and "" travel alike */
  g_assert_cmpstr (again.message ? again.message : "", ==, e->message ? e->message : "");
  ps_buffer_clear (&b);
}

static void
check_json (const PsEvent *e)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GStringChunk) strings = g_string_chunk_new (256);
  PsEvent back;

  ps_event_to_json (e, line);
  g_assert_cmpuint (line->len, >, 0);
  g_assert_true (line->str[line->len - 1] == '\n');
  g_assert_true (memchr (line->str, '\n', line->len - 1) == NULL);
  g_assert_true (g_utf8_validate (line->str, line->len, NULL));
  /* It may be refused (a negative time, say), but not crash. */
  (void) ps_event_from_json_line (line->str, line->len - 1, &back, strings, NULL);
}

/* Each task-end of a batch is an event like any other. */
static void
check_batched (const PsEvent *e,
               gpointer       data)
{
  guint *n = data;

  g_assert_cmpint (e->type, ==, PS_EVENT_TASK_END);
  check_reencode (e);
  check_json (e);
  (*n)++;
}

/* Frames other than events: walk the payload with the reader primitives,
 * which must never step outside it. */
static void
walk_payload (const PsFrame *frame)
{
  PsReader r;
  guint n = 0;

  ps_reader_init (&r, frame);
  while (!r.failed && r.pos < r.len)
    {
      gsize len = 0;
      const char *s;

      switch (n++ % 3)
        {
        case 0:
          s = ps_reader_str (&r, &len);
          g_assert_nonnull (s);
          g_assert_true (s[len] == '\0');
          break;
        case 1:
          (void) ps_reader_u32 (&r);
          break;
        default:
          (void) ps_reader_u8 (&r);
          break;
        }
      g_assert_cmpuint (r.pos, <=, r.len);
    }
  (void) ps_reader_finish (&r, "fuzz", NULL);
}

/* Decodes @b's one frame (it must be whole). */
static void
frame_of (PsBuffer *b,
          PsFrame  *frame)
{
  gsize used = 0;

  g_assert_cmpint (ps_frame_decode (b->data, b->len, frame, &used, NULL), ==, PS_DECODE_OK);
  g_assert_cmpuint (used, ==, b->len);
}

/* The worker and IPC protocols (ps-worker-proto, ps-ipc-proto): what a
 * decoder accepts encodes again to what decodes the same. */
static void
check_proto (const PsFrame *frame)
{
  PsBuffer b;
  PsFrame again;

  ps_buffer_init (&b);
  switch (frame->type)
    {
    case PS_FRAME_SETUP:
      {
        PsProtoSetup x, y;

        if (!ps_proto_read_setup (frame, &x, NULL))
          break;
        ps_proto_put_setup (&b, &x);
        frame_of (&b, &again);
        g_assert_true (ps_proto_read_setup (&again, &y, NULL));
        g_assert_cmpuint (x.id, ==, y.id);
        g_assert_cmpuint (x.seed, ==, y.seed);
        /* a NUL inside a string ends it: the copy may be shorter */
        g_assert_true (g_str_has_prefix (x.name, y.name));
        g_assert_true (g_str_has_prefix (x.workload, y.workload));
        /* a lock is there or not; an empty one is none */
        g_assert_nonnull (x.lock);
        g_assert_true (g_str_has_prefix (x.lock, y.lock));
        g_assert_cmpuint (x.slot, ==, y.slot);
        g_assert_cmpuint (x.flags, ==, y.flags);
        g_assert_cmpuint (x.output_limit, ==, y.output_limit);
        break;
      }
    case PS_FRAME_CHUNK:
      {
        PsProtoChunk x, y;
        gsize count_at, f;

        if (!ps_proto_read_chunk (frame, &x, NULL))
          break;
        g_assert_cmpuint (x.count, >, 0);
        if (x.range)
          ps_proto_put_chunk_range (&b, x.first, x.count, x.attempt, x.value, x.step);
        else
          {
            f = ps_proto_begin_chunk_text (&b, x.first, x.attempt, &count_at);
            for (guint32 i = 0; i < x.count; i++)
              {
                gsize len;
                const char *item = ps_reader_str (&x.items, &len);

                g_assert_false (x.items.failed);
                ps_buffer_put_str (&b, item, len);
              }
            ps_proto_end_chunk_text (&b, f, count_at, x.count);
          }
        frame_of (&b, &again);
        g_assert_true (ps_proto_read_chunk (&again, &y, NULL));
        g_assert_cmpuint (x.first, ==, y.first);
        g_assert_cmpuint (x.count, ==, y.count);
        g_assert_cmpint (x.range, ==, y.range);
        break;
      }
    case PS_FRAME_READY:
      {
        PsProtoReady x;
        (void) ps_proto_read_ready (frame, &x, NULL);
        break;
      }
    case PS_FRAME_TASK_START:
      {
        PsProtoTaskStart x, y;

        if (!ps_proto_read_task_start (frame, &x, NULL))
          break;
        ps_proto_put_task_start (&b, x.task, x.attempt, x.t);
        frame_of (&b, &again);
        g_assert_true (ps_proto_read_task_start (&again, &y, NULL));
        g_assert_cmpuint (x.task, ==, y.task);
        g_assert_cmpint (x.t, ==, y.t);
        break;
      }
    case PS_FRAME_TASK_END:
      {
        PsProtoTaskEnd x, y;

        if (!ps_proto_read_task_end (frame, &x, NULL))
          break;
        g_assert_true (x.status == PS_TASK_OK || x.status == PS_TASK_ERROR || x.status == PS_TASK_CRASHED);
        g_assert_cmpuint (x.result_kind, <=, PS_RESULT_TEXT);
        ps_proto_put_task_end (&b, &x);
        frame_of (&b, &again);
        g_assert_true (ps_proto_read_task_end (&again, &y, NULL));
        g_assert_cmpuint (x.task, ==, y.task);
        g_assert_cmpint (x.end, ==, y.end);
        g_assert_cmpint (x.result_int, ==, y.result_int);
        break;
      }
    case PS_FRAME_TASK_RUN:
      {
        PsProtoTaskRun x;

        if (!ps_proto_read_task_run (frame, &x, NULL))
          break;
        g_assert_true (x.share >= 0 && x.share <= 1);
        for (guint32 k = 0; k < x.count; k++)
          {
            guint32 dur;
            gint64 result;

            ps_proto_task_run_next (&x, &dur, &result);
            g_assert_false (x.entries.failed);
          }
        g_assert_cmpuint (x.entries.pos, ==, x.entries.len);
        break;
      }
    case PS_FRAME_TASK_CHILD:
      {
        PsProtoTaskChild x, y;

        if (!ps_proto_read_task_child (frame, &x, NULL))
          break;
        g_assert_cmpuint (x.pid, >, 1);
        ps_proto_put_task_child (&b, x.task, x.pid);
        frame_of (&b, &again);
        g_assert_true (ps_proto_read_task_child (&again, &y, NULL));
        g_assert_cmpuint (x.task, ==, y.task);
        g_assert_cmpuint (x.pid, ==, y.pid);
        break;
      }
    case PS_FRAME_SAMPLE:
      {
        PsProtoSample x, y;

        if (!ps_proto_read_sample (frame, &x, NULL))
          break;
        g_assert_true (x.cpu_percent >= 0 && x.rss >= 0 && x.pss >= -1 && x.uss >= -1);
        ps_proto_put_sample (&b, &x);
        frame_of (&b, &again);
        g_assert_true (ps_proto_read_sample (&again, &y, NULL));
        g_assert_cmpint (x.t, ==, y.t);
        g_assert_cmpint (x.rss, ==, y.rss);
        break;
      }
    case PS_FRAME_EXIT:
      {
        gint32 x, y;

        if (!ps_proto_read_exit (frame, &x, NULL))
          break;
        /* an exit code or a signal, never both */
        g_assert_true ((x & 0x7f) == 0 || (x & 0xff00) == 0);
        ps_proto_put_exit (&b, x);
        frame_of (&b, &again);
        g_assert_true (ps_proto_read_exit (&again, &y, NULL));
        g_assert_cmpint (x, ==, y);
        break;
      }
    case PS_FRAME_OUTPUT:
      {
        PsProtoOutput x;

        if (ps_proto_read_output (frame, &x, NULL))
          g_assert_nonnull (x.text);
        break;
      }
    case PS_FRAME_HELLO:
      {
        PsProtoHello x;

        (void) ps_proto_read_hello (frame, TRUE, &x, NULL);
        (void) ps_proto_read_hello (frame, FALSE, &x, NULL);
        break;
      }
    case PS_FRAME_RUN:
      {
        g_autoptr(GPtrArray) args = ps_proto_read_run (frame, NULL);
        g_autoptr(GPtrArray) args2 = NULL;

        if (args == NULL)
          break;
        ps_proto_put_run (&b, (const char * const *) args->pdata, args->len);
        frame_of (&b, &again);
        args2 = ps_proto_read_run (&again, NULL);
        g_assert_nonnull (args2);
        g_assert_cmpuint (args->len, ==, args2->len);
        break;
      }
    case PS_FRAME_RESIZE:
      {
        guint32 n, n2;

        if (!ps_proto_read_resize (frame, &n, NULL))
          break;
        g_assert_cmpuint (n, >=, 1);
        ps_proto_put_resize (&b, n);
        frame_of (&b, &again);
        g_assert_true (ps_proto_read_resize (&again, &n2, NULL));
        g_assert_cmpuint (n, ==, n2);
        break;
      }
    case PS_FRAME_ERROR:
      {
        PsProtoError x;

        if (ps_proto_read_error (frame, &x, NULL))
          g_assert_nonnull (x.message);
        break;
      }
    default:
      break;
    }
  ps_buffer_clear (&b);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gsize pos = 0;
  gboolean first = TRUE;

  fuzz_init ();

  while (pos < size)
    {
      g_autoptr(GError) error = NULL;
      PsFrame frame;
      gsize used = 0;
      PsDecodeResult res = ps_frame_decode (data + pos, size - pos, &frame, &used, &error);

      if (res != PS_DECODE_OK)
        {
          g_assert_true ((res == PS_DECODE_ERROR) == (error != NULL));
          break;
        }
      g_assert_cmpuint (used, ==, PS_FRAME_HEADER_SIZE + (gsize) frame.len);
      g_assert_cmpuint (used, <=, size - pos);
      g_assert_true (frame.payload == data + pos + PS_FRAME_HEADER_SIZE);

      /* Any shorter piece of a whole frame asks for more. */
      if (first)
        {
          PsFrame part;
          gsize part_used = 0;

          g_assert_cmpint (ps_frame_decode (data, used - 1, &part, &part_used, NULL), ==,
                           PS_DECODE_NEED_MORE);
          first = FALSE;
        }

      if (frame.type == PS_FRAME_EVENT)
        {
          PsEvent e;

          if (ps_event_decode (&frame, &e, &error))
            {
              check_reencode (&e);
              check_json (&e);
            }
          else
            g_assert_nonnull (error);
        }
      else if (frame.type == PS_FRAME_EVENT_TASKS)
        {
          guint n = 0;

          if (!ps_task_batch_decode (&frame, check_batched, &n, &error))
            {
              g_assert_nonnull (error);
              /* nothing is delivered from a bad batch */
              g_assert_cmpuint (n, ==, 0);
            }
          else
            g_assert_cmpuint (n, >, 0);
        }
      else
        {
          check_proto (&frame);
          walk_payload (&frame);
        }

      pos += used;
    }
  return 0;
}
