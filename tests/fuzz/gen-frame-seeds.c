/* gen-frame-seeds.c: writes the seed corpus of fuzz-frame
 *
 * The seeds are frames made by the engine's own encoder, so that they
 * follow the encoder when the format changes. Run from the source root:
 *
 *   meson compile -C _build gen-frame-seeds
 *   _build/tests/fuzz/gen-frame-seeds tests/fuzz/corpus/frame
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps-event.h"
#include "ps-frame.h"
#include "ps-ipc-proto.h"
#include "ps-task-batch.h"
#include "ps-worker-proto.h"

static const char *dir;

static void
save (const char *name,
      const void *data,
      gsize       len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, data, len, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      exit (EXIT_FAILURE);
    }
}

static void
save_buffer (const char *name,
             PsBuffer   *b)
{
  save (name, b->data, b->len);
  ps_buffer_clear (b);
}

/* One event of each type, as a run would send them. */
static void
fill_events (PsEvent events[PS_EVENT_N_TYPES])
{
  memset (events, 0, sizeof (PsEvent) * PS_EVENT_N_TYPES);

  events[0].type = PS_EVENT_RUN_START;
  events[0].n_tasks = 9;
  events[0].workers = 6;
  events[0].cores = 2;
  events[0].chunksize = 1;
  events[0].items = "1..9";
  events[0].workload = "square";
  events[0].start_method = "fork";
  events[0].order = "map";
  events[0].seed = 12345;

  events[1].type = PS_EVENT_WORKER_START;
  events[1].t = 800000;
  events[1].worker = 3;
  events[1].pid = 4242;
  events[1].name = "ForkPoolWorker-3";
  events[1].start_cost_ns = 500000;
  events[1].host = "h2";
  events[1].clock_offset_ns = -1500;
  events[1].clock_error_ns = 38000;

  events[2].type = PS_EVENT_TASK_START;
  events[2].t = 900000;
  events[2].worker = 3;
  events[2].pid = 4242;
  events[2].task = 4;
  events[2].item_int = 5;
  events[2].start = 900000;

  events[3].type = PS_EVENT_TASK_END;
  events[3].t = 910000;
  events[3].worker = 3;
  events[3].pid = 4242;
  events[3].task = 4;
  events[3].item = "Alice";
  events[3].start = 900000;
  events[3].status = PS_TASK_CRASHED;
  events[3].retry = TRUE;
  events[3].end = 910000;
  events[3].cpu_ns = 9000;
  events[3].rank = 2;
  events[3].result_kind = PS_RESULT_TEXT;
  events[3].result_text = "Hello, Alice!";
  events[3].message = "killed by signal 9";

  events[4].type = PS_EVENT_OUTPUT;
  events[4].t = 905000;
  events[4].worker = 3;
  events[4].pid = 4242;
  events[4].task = 4;
  events[4].stream = PS_STREAM_STDERR;
  events[4].text = "Process ForkPoolWorker-3: 5 \xc3\xa9";

  events[5].type = PS_EVENT_SAMPLE;
  events[5].t = 1000000;
  events[5].worker = 3;
  events[5].pid = 4242;
  events[5].cpu_percent = 99.5;
  events[5].rss = 1 << 20;
  events[5].pss = 1 << 19;
  events[5].uss = -1;

  events[6].type = PS_EVENT_WORKER_EXIT;
  events[6].t = 2000000;
  events[6].worker = 3;
  events[6].pid = 4242;
  events[6].name = "ForkPoolWorker-3";
  events[6].exit_code = -1;
  events[6].signal = 9;
  events[6].message = "killed";

  events[7].type = PS_EVENT_RUN_END;
  events[7].t = 3000000;
  events[7].n_tasks = 9;
  events[7].n_ok = 8;
  events[7].n_failed = 1;
  events[7].cpu_total_ns = 70000;
  events[7].cancelled = TRUE;
  events[7].message = "cancelled";

  events[8].type = PS_EVENT_NOTICE;
  events[8].t = 2500000;
  events[8].message = "cannot start a replacement worker (no memory): the pool goes on with 1 worker";
  events[6].stopped = TRUE;
}

int
main (int    argc,
      char **argv)
{
  PsEvent events[PS_EVENT_N_TYPES];
  PsBuffer b;
  gsize start;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s DIR\n", argv[0]);
      return 2;
    }
  dir = argv[1];
  fill_events (events);
  ps_buffer_init (&b);

  /* each event alone */
  for (guint i = 0; i < PS_EVENT_N_TYPES; i++)
    {
      g_autofree char *name = g_strdup_printf ("event-%s", ps_event_type_to_string (i));

      ps_event_encode (&events[i], &b);
      save_buffer (name, &b);
    }

  /* a whole run as a stream, and the same stream cut in the middle */
  for (guint i = 0; i < PS_EVENT_N_TYPES; i++)
    ps_event_encode (&events[i], &b);
  save ("stream-cut", b.data, b.len / 2);
  save_buffer ("stream-run", &b);

  /* a task-end with an integer result */
  events[3].result_kind = PS_RESULT_INT;
  events[3].result_int = G_MININT64;
  events[3].status = PS_TASK_OK;
  events[3].retry = FALSE;
  ps_event_encode (&events[3], &b);
  save_buffer ("event-task-end-int", &b);

  /* task-ends of one worker in one EVENT_TASKS frame, then a task-end
   * that cannot go there, as poolscope-run --ipc sends them */
  {
    PsTaskBatcher batcher;
    PsEvent e = { 0 };

    ps_task_batcher_reset (&batcher);
    batcher.has_start = FALSE;
    e.type = PS_EVENT_TASK_END;
    e.worker = 2;
    e.pid = 4243;
    e.status = PS_TASK_OK;
    e.result_kind = PS_RESULT_INT;
    for (guint i = 0; i < 5; i++)
      {
        e.task = 10 + 2 * i;
        e.rank = i;
        e.item_int = e.task + 1;
        e.result_int = e.item_int * e.item_int;
        e.start = 1000000 + 300 * i;
        e.end = e.start + 250;
        e.t = e.end;
        e.cpu_ns = 200;
        ps_task_batcher_add (&batcher, &e, &b);
      }
    ps_task_batcher_add (&batcher, &events[3], &b);
    ps_task_batcher_flush (&batcher, &b);
    save_buffer ("stream-task-batch", &b);
  }

  /* frames that are not events, with payloads of strings and numbers */
  start = ps_frame_begin (&b, PS_FRAME_HELLO);
  ps_buffer_put_u32 (&b, PS_PROTOCOL_VERSION);
  ps_buffer_put_str (&b, "poolscope", 9);
  ps_frame_end (&b, start);
  start = ps_frame_begin (&b, PS_FRAME_TASK_RUN);
  for (guint i = 0; i < 4; i++)
    {
      ps_buffer_put_u32 (&b, i);
      ps_buffer_put_i64 (&b, (gint64) i * i);
    }
  ps_frame_end (&b, start);
  start = ps_frame_begin (&b, PS_FRAME_CANCEL);
  ps_frame_end (&b, start);
  ps_event_encode (&events[7], &b);
  save_buffer ("stream-mixed", &b);

  /* damaged headers: version, reserved bytes, type, length */
  ps_event_encode (&events[2], &b);
  b.data[5] = 2;
  save_buffer ("bad-version", &b);
  ps_event_encode (&events[2], &b);
  b.data[7] = 1;
  save_buffer ("bad-reserved", &b);
  ps_event_encode (&events[2], &b);
  b.data[4] = 99;
  save_buffer ("bad-type", &b);
  ps_event_encode (&events[2], &b);
  b.data[3] = 0x7f;
  save_buffer ("bad-length", &b);

  /* a string whose length runs past the payload */
  ps_event_encode (&events[4], &b);
  b.data[b.len - 2 - strlen (events[4].text)] = 0x7f;
  save_buffer ("bad-string-length", &b);

  /* the worker protocol, each frame from its encoder */
  {
    PsProtoSetup setup = { 3, "ForkPoolWorker-3", "random:sleep:10:25", 5, NULL, 3, 0, 1 << 24 };
    PsProtoSetup lock_setup = { 2, "SpawnPoolWorker-2", "lock:16:4", 9, "/poolscope-4242-0", 2, 0, 1 << 24 };
    PsProtoSetup command_setup = { 4, "ForkPoolWorker-4", "shell:gzip -c {} > {}.gz", 1, NULL, 2, 3, 4096 };
    PsProtoTaskEnd end = { 7, 1, 1000, 2000, 900, 0, 2, 0, "it's", 4, "" };
    gsize count_at, f;

    ps_proto_put_setup (&b, &setup);
    save_buffer ("worker-setup", &b);
    ps_proto_put_setup (&b, &lock_setup);
    save_buffer ("worker-setup-lock", &b);
    ps_proto_put_setup (&b, &command_setup);
    save_buffer ("worker-setup-command", &b);
    ps_proto_put_task_child (&b, 7, 4242);
    save_buffer ("worker-task-child", &b);
    ps_proto_put_chunk_range (&b, 0, 4, 0, 1, 1);
    save_buffer ("worker-chunk-range", &b);
    f = ps_proto_begin_chunk_text (&b, 4, 0, &count_at);
    ps_buffer_put_str (&b, "a", 1);
    ps_buffer_put_str (&b, "b c", 3);
    ps_proto_end_chunk_text (&b, f, count_at, 2);
    save_buffer ("worker-chunk-text", &b);
    ps_proto_put_ready (&b, 4242, 123456789);
    save_buffer ("worker-ready", &b);
    ps_proto_put_task_start (&b, 7, 1, 1000);
    save_buffer ("worker-task-start", &b);
    ps_proto_put_task_end (&b, &end);
    save_buffer ("worker-task-end", &b);
    f = ps_proto_begin_task_run (&b, 10, 3, 0, 5000, 0.75);
    for (guint i = 0; i < 3; i++)
      ps_proto_put_task_run_entry (&b, 100 + i, (gint64) i * i);
    ps_frame_end (&b, f);
    save_buffer ("worker-task-run", &b);
    f = ps_proto_begin_output (&b, 7, PS_STREAM_STDOUT, 5);
    ps_buffer_put (&b, "hello", 5);
    ps_proto_end_output (&b, f);
    save_buffer ("worker-output", &b);
    /* a remote worker's relay */
    {
      PsProtoSample sample = { 123456789, 87.5, 3 << 20, -1, -1 };

      ps_proto_put_close (&b);
      save_buffer ("worker-close", &b);
      ps_proto_put_ping (&b);
      save_buffer ("worker-ping", &b);
      ps_proto_put_sample (&b, &sample);
      save_buffer ("worker-sample", &b);
      ps_proto_put_exit (&b, 11);
      save_buffer ("worker-exit-signal", &b);
      ps_proto_put_exit (&b, 75 << 8);
      save_buffer ("worker-exit-code", &b);
    }
  }

  /* the IPC protocol */
  {
    const char *args[] = { "--items", "1..9", "--workload", "square", "-j2" };

    ps_proto_put_hello (&b, "poolscope-run 0.1.0", TRUE, 2);
    save_buffer ("ipc-hello-engine", &b);
    ps_proto_put_hello (&b, "poolscope", FALSE, 0);
    save_buffer ("ipc-hello-client", &b);
    ps_proto_put_run (&b, args, G_N_ELEMENTS (args));
    save_buffer ("ipc-run", &b);
    ps_proto_put_cancel (&b);
    save_buffer ("ipc-cancel", &b);
    ps_proto_put_resize (&b, 4);
    save_buffer ("ipc-resize", &b);
    ps_proto_put_resize (&b, 0);
    save_buffer ("ipc-resize-zero", &b);
    ps_proto_put_error (&b, 2, "--items: “9..1” is not a range");
    save_buffer ("ipc-error", &b);
  }

  return 0;
}
