/* test-task-batch.c: task-end events batched for the app, and back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ps-error.h"
#include "ps-task-batch.h"

typedef struct
{
  GArray *events;
} Collected;

static void
collect (const PsEvent *e,
         gpointer       data)
{
  g_array_append_vals (((Collected *) data)->events, e, 1);
}

/* Decodes every frame of @buf: batches through ps_task_batch_decode, the rest as events. */
static GArray *
decode_all (const PsBuffer *buf,
            guint          *n_frames,
            guint          *n_batches)
{
  Collected c = { g_array_new (FALSE, TRUE, sizeof (PsEvent)) };
  gsize pos = 0;

  *n_frames = *n_batches = 0;
  while (pos < buf->len)
    {
      PsFrame frame;
      gsize used;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (ps_frame_decode (buf->data + pos, buf->len - pos, &frame, &used, &error), ==, PS_DECODE_OK);
      g_assert_no_error (error);
      (*n_frames)++;
      if (frame.type == PS_FRAME_EVENT_TASKS)
        {
          (*n_batches)++;
          g_assert_true (ps_task_batch_decode (&frame, collect, &c, &error));
          g_assert_no_error (error);
        }
      else
        {
          PsEvent e;
          g_assert_true (ps_event_decode (&frame, &e, &error));
          g_assert_no_error (error);
          collect (&e, &c);
        }
      pos += used;
    }
  return c.events;
}

static PsEvent
task_end (guint32 worker,
          guint64 task,
          gint64  start,
          gint64  end,
          guint64 rank)
{
  PsEvent e = { 0 };

  e.type = PS_EVENT_TASK_END;
  e.worker = worker;
  e.pid = 1000 + worker;
  e.task = task;
  e.item_int = (gint64) task + 1;
  e.start = start;
  e.end = end;
  e.t = end;
  e.cpu_ns = (end - start) / 2;
  e.rank = rank;
  e.status = PS_TASK_OK;
  e.result_kind = PS_RESULT_INT;
  e.result_int = e.item_int * e.item_int;
  return e;
}

/* Ordinary task-ends come back the same, in the same order, in few frames;
 * their task-starts are implied; anything else goes as it is. */
static void
test_round_trip (void)
{
  PsTaskBatcher b;
  PsBuffer buf;
  g_autoptr(GArray) in = g_array_new (FALSE, TRUE, sizeof (PsEvent));
  g_autoptr(GArray) out = NULL;
  guint n_frames, n_batches, n_starts_in = 0;
  guint64 rank = 0;
  gint64 t[3] = { 0, 0, 0 };

  ps_buffer_init (&buf);
  ps_task_batcher_reset (&b);
  b.has_start = FALSE;
  /* 3000 tasks round robin over two workers, runs of 50 from each */
  for (guint64 task = 0; task < 3000; task++)
    {
      guint32 w = 1 + (task / 50) % 2;
      PsEvent start = task_end (w, task, t[w], 0, 0), end;

      start.type = PS_EVENT_TASK_START;
      start.status = PS_TASK_OK;
      start.result_kind = PS_RESULT_NONE;
      start.cpu_ns = 0;
      ps_task_batcher_add (&b, &start, &buf);
      end = task_end (w, task, t[w], t[w] + 300 + task % 7, rank++);
      if (task == 1234)
        {
          /* an odd one: a failure with a message goes as an EVENT frame */
          end.status = PS_TASK_ERROR;
          end.result_kind = PS_RESULT_NONE;
          end.message = "ValueError";
          g_array_append_val (in, start);
          n_starts_in++;
        }
      ps_task_batcher_add (&b, &end, &buf);
      g_array_append_val (in, end);
      t[w] = end.end + (task % 3 == 0 ? 1000 : 0);
    }
  ps_task_batcher_flush (&b, &buf);

  out = decode_all (&buf, &n_frames, &n_batches);
  g_test_message ("%u events in %u frames (%u batches), %zu bytes", in->len, n_frames, n_batches, buf.len);
  g_assert_cmpuint (out->len, ==, in->len);
  g_assert_cmpuint (n_frames, <, 200);
  for (guint i = 0; i < in->len; i++)
    {
      PsEvent *a = &g_array_index (in, PsEvent, i), *o = &g_array_index (out, PsEvent, i);
      char buf_a[24], buf_o[24];

      g_assert_cmpint (o->type, ==, a->type);
      g_assert_cmpuint (o->task, ==, a->task);
      g_assert_cmpuint (o->worker, ==, a->worker);
      g_assert_cmpint (o->pid, ==, a->pid);
      g_assert_cmpint (o->start, ==, a->start);
      g_assert_cmpstr (ps_event_get_item (o, buf_o), ==, ps_event_get_item (a, buf_a));
      if (a->type == PS_EVENT_TASK_END)
        {
          g_assert_cmpint (o->end, ==, a->end);
          g_assert_cmpint (o->cpu_ns, ==, a->cpu_ns);
          g_assert_cmpuint (o->rank, ==, a->rank);
          g_assert_cmpint (o->status, ==, a->status);
          g_assert_cmpint (o->result_kind, ==, a->result_kind);
          if (a->result_kind == PS_RESULT_INT)
            g_assert_cmpint (o->result_int, ==, a->result_int);
        }
    }
  g_assert_cmpuint (n_starts_in, ==, 1);
  ps_buffer_clear (&buf);
}

/* A task-start whose task-end does not follow at once is sent as it is. */
static void
test_lone_start (void)
{
  PsTaskBatcher b;
  PsBuffer buf;
  PsEvent start = task_end (1, 7, 100, 0, 0);
  g_autoptr(GArray) out = NULL;
  guint n_frames, n_batches;

  ps_buffer_init (&buf);
  ps_task_batcher_reset (&b);
  b.has_start = FALSE;
  start.type = PS_EVENT_TASK_START;
  ps_task_batcher_add (&b, &start, &buf);
  g_assert_cmpuint (buf.len, ==, 0);       /* held back */
  ps_task_batcher_flush (&b, &buf);         /* the buffer is about to be written */
  out = decode_all (&buf, &n_frames, &n_batches);
  g_assert_cmpuint (out->len, ==, 1);
  g_assert_cmpint (g_array_index (out, PsEvent, 0).type, ==, PS_EVENT_TASK_START);
  g_assert_cmpuint (g_array_index (out, PsEvent, 0).task, ==, 7);
  ps_buffer_clear (&buf);
}

/* Batches that lie about their size or go backwards are refused whole. */
static void
test_corrupt (void)
{
  PsTaskBatcher b;
  PsBuffer buf;
  struct { const char *what; gsize offset; guint32 value; gsize cut; } cases[] = {
    { "count too big", 8 + 32, 3, 0 },
    { "count zero", 8 + 32, 0, 0 },
    { "second task goes nowhere", 8 + 36 + 32, 0, 0 },
    { "cut short", 0, 0, 10 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PsEvent a = task_end (1, 0, 0, 10, 0), c = task_end (1, 1, 10, 20, 1);
      Collected got = { g_array_new (FALSE, TRUE, sizeof (PsEvent)) };
      g_autoptr(GError) error = NULL;
      PsFrame frame;
      guint32 le = GUINT32_TO_LE (cases[i].value);

      ps_buffer_init (&buf);
      ps_task_batcher_reset (&b);
      b.has_start = FALSE;
      ps_task_batcher_add (&b, &a, &buf);
      ps_task_batcher_add (&b, &c, &buf);
      g_assert_cmpuint (buf.len, ==, 8 + 36 + 2 * 32);
      if (cases[i].cut == 0)
        memcpy (buf.data + cases[i].offset, &le, 4);
      frame.type = PS_FRAME_EVENT_TASKS;
      frame.payload = buf.data + 8;
      frame.len = buf.len - 8 - cases[i].cut;
      g_assert_false (ps_task_batch_decode (&frame, collect, &got, &error));
      g_assert_error (error, PS_ERROR, PS_ERROR_PROTOCOL);
      g_test_message ("%s: %s", cases[i].what, error->message);
      g_assert_cmpuint (got.events->len, ==, 0);
      g_array_unref (got.events);
      ps_buffer_clear (&buf);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ps/task-batch/round-trip", test_round_trip);
  g_test_add_func ("/ps/task-batch/lone-start", test_lone_start);
  g_test_add_func ("/ps/task-batch/corrupt", test_corrupt);
  return g_test_run ();
}
