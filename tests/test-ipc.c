/* test-ipc.c: poolscope-run --ipc through the client the app uses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "ps-engine-client.h"

typedef struct
{
  GMainLoop *loop;
  guint      task_ends;
  guint      worker_starts;
  gboolean   run_end;
  gboolean   finished;
  char      *failure;
  GString   *results;
} Seen;

static void
on_event (PsEngineClient *client,
          const PsEvent  *e,
          Seen           *seen)
{
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
on_failed (PsEngineClient *client,
           const char     *message,
           Seen           *seen)
{
  g_free (seen->failure);
  seen->failure = g_strdup (message);
  g_main_loop_quit (seen->loop);
}

static void
on_finished (PsEngineClient *client,
             Seen           *seen)
{
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
run (PsEngineClient     *client,
     Seen               *seen,
     const char * const *args)
{
  g_autoptr(GError) error = NULL;
  guint id = g_timeout_add_seconds (30, too_long, NULL);

  g_assert_true (ps_engine_client_run (client, args, &error));
  g_assert_no_error (error);
  g_main_loop_run (seen->loop);
  g_source_remove (id);
}

static void
test_run_through_ipc (void)
{
  g_autoptr(PsEngineClient) client = ps_engine_client_new (POOLSCOPE_RUN);
  Seen seen = { g_main_loop_new (NULL, FALSE), 0, 0, FALSE, FALSE, NULL, g_string_new (NULL) };
  const char *square[] = { "--preset", "square", "--workers", "3", NULL };
  const char *bad[] = { "--items", "9..1", NULL };

  g_signal_connect (client, "event", G_CALLBACK (on_event), &seen);
  g_signal_connect (client, "failed", G_CALLBACK (on_failed), &seen);
  g_signal_connect (client, "finished", G_CALLBACK (on_finished), &seen);

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

static void
test_missing_engine (void)
{
  g_autoptr(PsEngineClient) client = ps_engine_client_new ("/nonexistent/poolscope-run");
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--preset", "square", NULL };

  g_assert_false (ps_engine_client_run (client, args, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "Cannot start the engine"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/ps/ipc/run", test_run_through_ipc);
  g_test_add_func ("/ps/ipc/missing-engine", test_missing_engine);
  return g_test_run ();
}
