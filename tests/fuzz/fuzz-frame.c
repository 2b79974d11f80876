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
#include "ps-task-batch.h"

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
        walk_payload (&frame);

      pos += used;
    }
  return 0;
}
