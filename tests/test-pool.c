/* test-pool.c: the pool with real worker processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "ps-pool.h"

typedef struct
{
  GMainLoop *loop;
  guint64    n_tasks;
  guint8    *ended;       /* final task-end events per task */
  guint8    *started;
  GArray    *order;       /* task indices in completion order */
  guint64    ok;
  guint64    crashed;
  guint64    cancelled;
  guint      worker_starts;
  guint      worker_exits;
  gboolean   run_end;
  gboolean   run_start;
  PsPool    *pool;
  guint64    cancel_after;
  guint64    timed_out;
  gint64     longest_ns;  /* of the tasks that did not end ok */
  guint      task_starts;
  guint      cancel_on_starts;  /* cancel once this many tasks have started */
  guint      killed_by[65];     /* worker exits per signal */
  guint64    end_cancelled;     /* run-end: tasks that did not run to an end */
  guint      stopped_exits;     /* worker-exits that say the pool stopped them */
} Run;

static void
on_event (const PsEvent *e,
          gpointer       data)
{
  Run *run = data;

  switch ((int) e->type)
    {
    case PS_EVENT_TASKS:
      g_assert_cmpuint (e->n_entries, >, 0);
      /* each stands for its task-start and task-end */
      for (guint32 i = 0; i < e->n_entries; i++)
        {
          g_assert_cmpuint (e->tasks[i].task, <, run->n_tasks);
          run->started[e->tasks[i].task]++;
        }
      ps_event_foreach_task (e, on_event, data);
      break;
    case PS_EVENT_RUN_START:
      g_assert_false (run->run_start);
      run->run_start = TRUE;
      break;
    case PS_EVENT_WORKER_START:
      run->worker_starts++;
      g_assert_cmpint (e->pid, >, 0);
      g_assert_cmpint (e->start_cost_ns, >, 0);
      break;
    case PS_EVENT_TASK_START:
      g_assert_cmpuint (e->task, <, run->n_tasks);
      run->started[e->task]++;
      if (++run->task_starts == run->cancel_on_starts)
        g_idle_add_once ((GSourceOnceFunc) ps_pool_cancel, run->pool);
      break;
    case PS_EVENT_TASK_END:
      g_assert_cmpuint (e->task, <, run->n_tasks);
      g_assert_cmpint (e->end, >=, e->start);
      if (e->retry)
        break;
      run->ended[e->task]++;
      g_array_append_val (run->order, e->task);
      if (e->status == PS_TASK_OK)
        run->ok++;
      else if (e->status == PS_TASK_CRASHED)
        run->crashed++;
      else if (e->status == PS_TASK_CANCELLED)
        run->cancelled++;
      else if (e->status == PS_TASK_TIMEOUT)
        run->timed_out++;
      if (e->status != PS_TASK_OK)
        run->longest_ns = MAX (run->longest_ns, e->end - e->start);
      if (run->cancel_after && run->order->len == run->cancel_after)
        ps_pool_cancel (run->pool);
      break;
    case PS_EVENT_WORKER_EXIT:
      run->worker_exits++;
      g_assert_cmpint (e->signal, >=, 0);
      g_assert_cmpint (e->signal, <, (int) G_N_ELEMENTS (run->killed_by));
      run->killed_by[e->signal]++;
      run->stopped_exits += e->stopped;
      break;
    case PS_EVENT_RUN_END:
      g_assert_false (run->run_end);
      run->run_end = TRUE;
      run->end_cancelled = e->n_cancelled;
      g_assert_cmpuint (e->n_ok + e->n_failed + e->n_cancelled, ==, run->n_tasks);
      g_main_loop_quit (run->loop);
      break;
    case PS_EVENT_OUTPUT:
    case PS_EVENT_SAMPLE:
    case PS_EVENT_N_TYPES:
    default:
      break;
    }
}

static gboolean
too_long (gpointer data)
{
  g_error ("the run did not end in time");
  return G_SOURCE_REMOVE;
}

static void
run_pool_with (Run        *run,
               const char *args,
               const char *worker_command)
{
  g_auto(GStrv) argv = g_strsplit (args, " ", -1);
  PsSpec *spec = ps_spec_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PsPool) pool = NULL;
  guint timeout;

  g_assert_true (ps_spec_parse_args (spec, g_strv_length (argv), argv, &error));
  g_assert_true (ps_spec_finish (spec, &error));
  run->n_tasks = ps_spec_get_n_tasks (spec);
  run->ended = g_malloc0 (run->n_tasks);
  run->started = g_malloc0 (run->n_tasks);
  run->order = g_array_new (FALSE, FALSE, sizeof (guint64));
  run->loop = g_main_loop_new (NULL, FALSE);

  pool = ps_pool_new (spec);
  run->pool = pool;
  ps_pool_set_worker_command (pool, worker_command);
  ps_pool_set_event_func (pool, on_event, run);
  g_assert_true (ps_pool_start (pool, &error));
  g_assert_no_error (error);
  timeout = g_timeout_add_seconds (60, too_long, NULL);
  g_main_loop_run (run->loop);
  g_source_remove (timeout);
  g_assert_true (ps_pool_is_finished (pool));
  run->pool = NULL;
}

static void
run_pool (Run        *run,
          const char *args)
{
  run_pool_with (run, args, POOLSCOPE_RUN);
}

static void
run_clear (Run *run)
{
  g_free (run->ended);
  g_free (run->started);
  g_array_unref (run->order);
  g_main_loop_unref (run->loop);
  memset (run, 0, sizeof *run);
}

/* Every submission index ends exactly once, started once, whatever the
 * start method, chunk size and worker count. */
static void
test_exactly_once (void)
{
  static const char *methods[] = { "fork", "spawn" };
  static const char *chunks[] = { "1", "7", "auto", "5000" };
  static const char *workers[] = { "1", "3", "8" };

  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
      for (guint w = 0; w < G_N_ELEMENTS (workers); w++)
        {
          g_autofree char *args = g_strdup_printf ("--items 1..2000 --workload square --start %s "
                                                   "--chunksize %s --workers %s --sample-hz 0",
                                                   methods[m], chunks[c], workers[w]);
          Run run = { 0 };

          g_test_message ("%s", args);
          run_pool (&run, args);
          g_assert_cmpuint (run.ok, ==, 2000);
          for (guint64 i = 0; i < run.n_tasks; i++)
            {
              g_assert_cmpuint (run.ended[i], ==, 1);
              g_assert_cmpuint (run.started[i], ==, 1);
            }
          g_assert_cmpuint (run.worker_starts, ==, g_ascii_strtoull (workers[w], NULL, 10));
          g_assert_cmpuint (run.worker_exits, ==, run.worker_starts);
          run_clear (&run);
        }
}

static guint64
inversions (GArray *order)
{
  guint64 n = 0;

  for (guint i = 1; i < order->len; i++)
    if (g_array_index (order, guint64, i) < g_array_index (order, guint64, i - 1))
      n++;
  return n;
}

/* With random durations, tasks finish out of submission order: the
 * completion ranks are not the identity (that is what map's reordering
 * hides), yet every index is there once. */
static void
test_random_order (void)
{
  Run run = { 0 };

  run_pool (&run, "--items 1..60 --workload random:sleep:4:3 --workers 4 --chunksize 1 --seed 5 --sample-hz 0");
  g_assert_cmpuint (run.ok, ==, 60);
  g_assert_cmpuint (inversions (run.order), >, 3);
  run_clear (&run);

  /* one worker, chunk 1: completion order is submission order */
  run_pool (&run, "--items 1..30 --workload random:sleep:1:1 --workers 1 --chunksize 1 --seed 5 --sample-hz 0");
  g_assert_cmpuint (inversions (run.order), ==, 0);
  run_clear (&run);
}

/* A crash takes down one task, not the pool: it heals and ends. */
static void
test_crash_isolation (void)
{
  Run run = { 0 };

  run_pool (&run, "--items 1..200 --workload crash:0.05 --workers 3 --seed 11 --chunksize 4 --sample-hz 20");
  g_assert_cmpuint (run.crashed, >, 0);
  g_assert_cmpuint (run.ok + run.crashed, ==, 200);
  for (guint64 i = 0; i < run.n_tasks; i++)
    g_assert_cmpuint (run.ended[i], ==, 1);
  /* a crash is replaced while work remains; every worker that started exits */
  g_assert_cmpuint (run.worker_starts, >=, 3);
  g_assert_cmpuint (run.worker_starts, <=, 3 + run.crashed);
  g_assert_cmpuint (run.worker_exits, ==, run.worker_starts);
  run_clear (&run);
}

static void
test_cancel (void)
{
  Run run = { 0 };
  gint64 t0 = g_get_monotonic_time ();

  run.cancel_after = 5;
  run_pool (&run, "--items 1..100 --workload sleep:200 --workers 2 --chunksize 1 --sample-hz 0");
  g_assert_cmpuint (run.ok, <, 100);
  /* a task-end (cancelled) only for a task that was running, at most one
   * a worker; the rest never ran and are counted by run-end */
  g_assert_cmpuint (run.cancelled, <=, 2);
  g_assert_cmpuint (run.end_cancelled, ==, 100 - run.ok);
  g_assert_cmpuint (run.end_cancelled, >=, 90);
  for (guint64 i = 0; i < run.n_tasks; i++)
    g_assert_cmpuint (run.ended[i], <=, 1);
  /* no replacement after a cancel, and every exit says it was stopped */
  g_assert_cmpuint (run.worker_starts, ==, 2);
  g_assert_cmpuint (run.stopped_exits, ==, 2);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 5 * G_USEC_PER_SEC);
  run_clear (&run);
}

/* A worker whose SIGTERM is ignored: the real poolscope-run --worker,
 * started by a shell that ignores TERM first (an ignored signal stays
 * ignored across exec), as a workload that blocks TERM would be. */
static char *
write_term_ignoring_worker (char **dir)
{
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\ntrap '' TERM\nexec '%s' \"$@\"\n",
                                             POOLSCOPE_RUN);
  char *path;

  *dir = g_dir_make_tmp ("test-pool-XXXXXX", NULL);
  g_assert_nonnull (*dir);
  path = g_build_filename (*dir, "term-ignoring-worker", NULL);
  g_assert_true (g_file_set_contents (path, script, -1, NULL));
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  return path;
}

/* --timeout ends a task's worker with SIGTERM; a worker that ignores it
 * gets SIGKILL after the grace (500 ms). Either way the task ends as
 * timeout, long before its sleep would have. */
static void
test_timeout_term_then_kill (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *stubborn = write_term_ignoring_worker (&dir);
  const char *args = "--items 1..1 --workload sleep:5000 --start spawn --workers 1 --timeout 0.2 "
                     "--sample-hz 0";
  Run run = { 0 };
  gint64 t0;

  /* an ordinary worker dies of the SIGTERM */
  t0 = g_get_monotonic_time ();
  run_pool (&run, args);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 4 * G_USEC_PER_SEC);
  g_assert_cmpuint (run.timed_out, ==, 1);
  g_assert_cmpuint (run.killed_by[SIGTERM], ==, 1);
  g_assert_cmpuint (run.killed_by[SIGKILL], ==, 0);
  run_clear (&run);

  /* one that ignores it is killed after the grace */
  t0 = g_get_monotonic_time ();
  run_pool_with (&run, args, stubborn);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 4 * G_USEC_PER_SEC);
  g_assert_cmpuint (run.timed_out, ==, 1);
  g_assert_cmpuint (run.killed_by[SIGTERM], ==, 0);
  g_assert_cmpuint (run.killed_by[SIGKILL], ==, 1);
  g_assert_cmpuint (run.worker_exits, ==, run.worker_starts);
  /* 0.2 s to the timeout, then the 0.5 s grace */
  g_assert_cmpint (run.longest_ns, >=, 650 * G_GINT64_CONSTANT (1000000));
  run_clear (&run);

  /* a cancel (Ctrl-C) does not wait for such workers either */
  run.cancel_on_starts = 2;
  t0 = g_get_monotonic_time ();
  run_pool_with (&run, "--items 1..2 --workload sleep:5000 --start spawn --workers 2 --chunksize 1 "
                 "--sample-hz 0", stubborn);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 4 * G_USEC_PER_SEC);
  g_assert_cmpuint (run.cancelled, ==, 2);
  g_assert_cmpuint (run.killed_by[SIGKILL], ==, 2);
  g_assert_cmpint (run.longest_ns, >=, 450 * G_GINT64_CONSTANT (1000000));
  run_clear (&run);

  g_remove (stubborn);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  signal (SIGPIPE, SIG_IGN);
  g_test_add_func ("/ps/pool/exactly-once", test_exactly_once);
  g_test_add_func ("/ps/pool/random-order", test_random_order);
  g_test_add_func ("/ps/pool/crash-isolation", test_crash_isolation);
  g_test_add_func ("/ps/pool/cancel", test_cancel);
  g_test_add_func ("/ps/pool/timeout-term-then-kill", test_timeout_term_then_kill);
  return g_test_run ();
}
