/* test-ipc.c: poolscope-run --ipc through the client the app uses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include <sys/wait.h>
#include <unistd.h>

#include "ps-engine-client.h"
#include "ps-frame.h"
#include "ps-ipc-proto.h"
#include "ps-task-batch.h"

typedef struct
{
  GMainLoop *loop;
  guint      task_ends;
  guint      worker_starts;
  gboolean   run_end;
  gboolean   finished;
  char      *failure;
  GString   *results;
  gboolean   cancelled;
} Seen;

static void
on_event (const PsEvent *e,
          gpointer       data)
{
  Seen *seen = data;

  if (e->type == PS_EVENT_TASKS)
    {
      ps_event_foreach_task (e, on_event, data);
      return;
    }
  if (e->type == PS_EVENT_TASK_END)
    {
      seen->task_ends++;
      g_string_append_printf (seen->results, "%" G_GUINT64_FORMAT "=%" G_GINT64_FORMAT " ",
                              e->task, e->result_int);
    }
  else if (e->type == PS_EVENT_WORKER_START)
    seen->worker_starts++;
  else if (e->type == PS_EVENT_RUN_END)
    seen->run_end = TRUE;
}

static void
run_done (GObject      *object,
          GAsyncResult *result,
          gpointer      data)
{
  Seen *seen = data;
  g_autoptr(GError) error = NULL;

  if (!ps_engine_client_run_finish (PS_ENGINE_CLIENT (object), result, &error))
    {
      g_free (seen->failure);
      seen->failure = g_strdup (error->message);
      seen->cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    }
  seen->finished = TRUE;
  g_main_loop_quit (seen->loop);
}

static gboolean
too_long (gpointer data)
{
  g_error ("no answer from the engine");
  return G_SOURCE_REMOVE;
}

static void
run_with (PsEngineClient     *client,
          Seen               *seen,
          const char * const *args,
          GCancellable       *cancellable)
{
  guint id = g_timeout_add_seconds (30, too_long, NULL);

  ps_engine_client_run_async (client, args, on_event, seen, cancellable, run_done, seen);
  g_main_loop_run (seen->loop);
  g_source_remove (id);
}

static void
run (PsEngineClient     *client,
     Seen               *seen,
     const char * const *args)
{
  run_with (client, seen, args, NULL);
}

static void
test_run_through_ipc (void)
{
  g_autoptr(PsEngineClient) client = ps_engine_client_new (POOLSCOPE_RUN);
  Seen seen = { g_main_loop_new (NULL, FALSE), 0, 0, FALSE, FALSE, NULL, g_string_new (NULL), FALSE };
  const char *square[] = { "--preset", "square", "--workers", "3", NULL };
  const char *bad[] = { "--items", "9..1", NULL };

  run (client, &seen, square);
  g_assert_null (seen.failure);
  g_assert_true (seen.run_end && seen.finished);
  g_assert_cmpuint (seen.task_ends, ==, 9);
  g_assert_cmpuint (seen.worker_starts, ==, 3);
  g_assert_nonnull (strstr (seen.results->str, "8=81 "));
  g_assert_cmpuint (ps_engine_client_get_cores (client), >, 0);

  /* a refused batch is said in words; the engine stays for the next run */
  seen.finished = FALSE;
  run (client, &seen, bad);
  g_assert_nonnull (seen.failure);
  g_assert_nonnull (strstr (seen.failure, "--items"));

  g_clear_pointer (&seen.failure, g_free);
  seen.task_ends = 0;
  seen.finished = FALSE;
  run (client, &seen, square);
  g_assert_null (seen.failure);
  g_assert_cmpuint (seen.task_ends, ==, 9);

  g_string_free (seen.results, TRUE);
  g_main_loop_unref (seen.loop);
}

static gboolean
cancel_soon (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* A GCancellable stops a run: CANCEL goes to the engine, the workers
 * end, run-end still comes to the sink, and the run completes as
 * cancelled; the engine then serves the next run. */
static void
test_cancel_through_ipc (void)
{
  g_autoptr(PsEngineClient) client = ps_engine_client_new (POOLSCOPE_RUN);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Seen seen = { g_main_loop_new (NULL, FALSE), 0, 0, FALSE, FALSE, NULL, g_string_new (NULL), FALSE };
  const char *slow[] = { "--items", "1..100", "--workload", "sleep:200", "--workers", "2", NULL };
  const char *square[] = { "--preset", "square", NULL };
  gint64 t0 = g_get_monotonic_time ();

  g_timeout_add (400, cancel_soon, cancellable);
  run_with (client, &seen, slow, cancellable);
  g_assert_true (seen.cancelled);
  g_assert_true (seen.run_end);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 5 * G_USEC_PER_SEC);

  /* cancelled before it was asked: completes at once, nothing runs */
  g_clear_pointer (&seen.failure, g_free);
  seen.run_end = seen.cancelled = FALSE;
  {
    g_autoptr(PsEngineClient) fresh = ps_engine_client_new (POOLSCOPE_RUN);
    g_autoptr(GCancellable) at_once = g_cancellable_new ();

    g_cancellable_cancel (at_once);
    run_with (fresh, &seen, square, at_once);
    g_assert_true (seen.cancelled);
    g_assert_false (seen.run_end);
  }

  g_clear_pointer (&seen.failure, g_free);
  seen.task_ends = 0;
  run (client, &seen, square);
  g_assert_null (seen.failure);
  g_assert_cmpuint (seen.task_ends, ==, 9);
  g_string_free (seen.results, TRUE);
  g_main_loop_unref (seen.loop);
}

/* A detached run's events reach nobody, and not the next run either: the
 * client stays busy until its run-end, then serves a new run cleanly. */
static void
test_detach (void)
{
  g_autoptr(PsEngineClient) client = ps_engine_client_new (POOLSCOPE_RUN);
  Seen seen = { g_main_loop_new (NULL, FALSE), 0, 0, FALSE, FALSE, NULL, g_string_new (NULL), FALSE };
  Seen other = { g_main_loop_new (NULL, FALSE), 0, 0, FALSE, FALSE, NULL, g_string_new (NULL), FALSE };
  const char *slow[] = { "--items", "1..50", "--workload", "sleep:100", "--workers", "2", NULL };
  const char *square[] = { "--preset", "square", NULL };
  gint64 until;

  ps_engine_client_run_async (client, slow, on_event, &seen, NULL, run_done, &seen);
  until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (seen.worker_starts < 2 && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (seen.worker_starts, ==, 2);
  ps_engine_client_detach (client);
  while (!seen.finished)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (seen.cancelled);

  /* busy with the old run's tail until its end comes (it may have come
   * already: the engine ends a cancelled run of sleeping workers fast) */
  until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (ps_engine_client_is_running (client) && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (ps_engine_client_is_running (client));
  g_assert_false (seen.run_end);

  run (client, &other, square);
  g_assert_null (other.failure);
  g_assert_cmpuint (other.task_ends, ==, 9);
  g_assert_cmpuint (other.worker_starts, ==, 6); /* the preset's Pool(6) */
  g_free (seen.failure);
  g_string_free (seen.results, TRUE);
  g_string_free (other.results, TRUE);
  g_main_loop_unref (seen.loop);
  g_main_loop_unref (other.loop);
}

static void
test_missing_engine (void)
{
  g_autoptr(PsEngineClient) client = ps_engine_client_new ("/nonexistent/poolscope-run");
  Seen seen = { g_main_loop_new (NULL, FALSE), 0, 0, FALSE, FALSE, NULL, g_string_new (NULL), FALSE };
  const char *args[] = { "--preset", "square", NULL };

  run (client, &seen, args);
  g_assert_nonnull (seen.failure);
  g_assert_nonnull (strstr (seen.failure, "Cannot start the engine"));
  g_free (seen.failure);
  g_string_free (seen.results, TRUE);
  g_main_loop_unref (seen.loop);
}

static void
collect_event (const PsEvent *e,
               gpointer       data)
{
  if (e->type == PS_EVENT_TASK_END)
    (*(guint64 *) data)++;
}

/* The pool does not wait for its reader: an app busy painting must not show
 * up as idle workers. The engine's output is left unread while 400,000 tasks
 * run; the run's own clock then says it did not wait, and nothing is lost. */
static void
test_reader_late (void)
{
  const char *argv[] = { POOLSCOPE_RUN, "--ipc", NULL };
  const char *args[] = { "--items", "1..400000", "--workload", "square", "--workers", "2",
                         "--chunksize", "1", "--sample-hz", "0" };
  int in_fd, out_fd;
  GPid pid;
  PsBuffer b, got;
  gsize pos = 0;
  guint64 ends = 0;
  gint64 run_end_t = -1;
  int status;

  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                           &pid, &in_fd, &out_fd, NULL, NULL));
  ps_buffer_init (&b);
  ps_proto_put_hello (&b, "test", FALSE, 0);
  ps_proto_put_run (&b, args, G_N_ELEMENTS (args));
  g_assert_cmpint (write (in_fd, b.data, b.len), ==, (gssize) b.len);
  ps_buffer_clear (&b);

  /* a reader that looks away for two seconds */
  g_usleep (2 * G_USEC_PER_SEC);

  ps_buffer_init (&got);
  while (run_end_t < 0)
    {
      gssize n;

      ps_buffer_grow (&got, 1 << 20);
      n = read (out_fd, got.data + got.len, got.cap - got.len);
      g_assert_cmpint (n, >, 0);
      got.len += n;
      for (;;)
        {
          PsFrame frame;
          gsize used;
          PsEvent e;
          g_autoptr(GError) error = NULL;
          PsDecodeResult res = ps_frame_decode (got.data + pos, got.len - pos, &frame, &used, &error);

          g_assert_cmpint (res, !=, PS_DECODE_ERROR);
          if (res == PS_DECODE_NEED_MORE)
            break;
          pos += used;
          if (frame.type == PS_FRAME_EVENT_TASKS)
            g_assert_true (ps_task_batch_decode (&frame, collect_event, &ends, &error));
          else if (frame.type == PS_FRAME_EVENT)
            {
              g_assert_true (ps_event_decode (&frame, &e, &error));
              collect_event (&e, &ends);
              if (e.type == PS_EVENT_RUN_END)
                run_end_t = e.t;
            }
        }
    }
  g_test_message ("the run took %.3f s while its reader looked away for 2 s", run_end_t / 1e9);
  g_assert_cmpuint (ends, ==, 400000);
  g_assert_cmpint (run_end_t, <, G_GINT64_CONSTANT (1500000000));

  close (in_fd);
  close (out_fd);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  ps_buffer_clear (&got);
}

static guint resized_to;

static void
on_resize_event (const PsEvent *e,
                 gpointer       data)
{
  if (e->type == PS_EVENT_RESIZE)
    resized_to = e->workers;
  on_event (e, data);
}

/* RESIZE during a run grows the pool: a resize event comes back and a
 * third worker starts; RESIZE between runs does nothing. */
static void
test_resize (void)
{
  g_autoptr(PsEngineClient) client = ps_engine_client_new (POOLSCOPE_RUN);
  Seen seen = { g_main_loop_new (NULL, FALSE), 0, 0, FALSE, FALSE, NULL, g_string_new (NULL), FALSE };
  const char *slow[] = { "--items", "1..60", "--workload", "sleep:20", "--workers", "2", "--chunksize", "1", NULL };
  gint64 until;

  resized_to = 0;
  ps_engine_client_run_async (client, slow, on_resize_event, &seen, NULL, run_done, &seen);
  until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (seen.worker_starts < 2 && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (seen.worker_starts, ==, 2);
  ps_engine_client_resize (client, 3);
  while (!seen.finished)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (seen.failure);
  g_assert_cmpuint (resized_to, ==, 3);
  g_assert_cmpuint (seen.worker_starts, ==, 3);
  g_assert_cmpuint (seen.task_ends, ==, 60);
  /* no run: nothing to resize, nothing breaks */
  ps_engine_client_resize (client, 4);
  g_main_loop_unref (seen.loop);
  g_string_free (seen.results, TRUE);
  g_free (seen.failure);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/ps/ipc/run", test_run_through_ipc);
  g_test_add_func ("/ps/ipc/cancel", test_cancel_through_ipc);
  g_test_add_func ("/ps/ipc/detach", test_detach);
  g_test_add_func ("/ps/ipc/resize", test_resize);
  g_test_add_func ("/ps/ipc/missing-engine", test_missing_engine);
  g_test_add_func ("/ps/ipc/reader-late", test_reader_late);
  return g_test_run ();
}
