/* test-cli.c: poolscope-run as a user runs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
run_cli (const char *stdin_text,
         Result     *r,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  va_list ap;
  const char *arg;

  g_ptr_array_add (argv, (char *) POOLSCOPE_RUN);
  va_start (ap, r);
  while ((arg = va_arg (ap, const char *)))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, stdin_text, NULL, &r->out, &r->err, &error));
  g_assert_no_error (error);
  r->status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
}

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

static void
test_presets (void)
{
  Result r = { 0 };
  g_auto(GStrv) lines = NULL;

  run_cli (NULL, &r, "run", "--preset", "square", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "[1, 4, 9, 16, 25, 36, 49, 64, 81]\n");
  result_clear (&r);

  run_cli (NULL, &r, "run", "--preset", "hello", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "Hello, Alice!\nProcess has finished\n");
  result_clear (&r);

  run_cli (NULL, &r, "run", "--preset", "print-numbers", NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  for (guint k = 1; k <= 4; k++)
    {
      g_autofree char *want = g_strdup_printf ("Process ForkPoolWorker-%u: %u", k, k);
      g_assert_true (g_strv_contains ((const char * const *) lines, want));
    }
  result_clear (&r);

  run_cli (NULL, &r, "run", "--preset", "square", "--start", "spawn", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "[1, 4, 9, 16, 25, 36, 49, 64, 81]\n");
  result_clear (&r);
}

static void
test_items_sources (void)
{
  Result r = { 0 };
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "items.txt", NULL);

  run_cli ("3\n1\n2\n", &r, "run", "--items", "-", "--workers", "2", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "9\n1\n4\n");
  result_clear (&r);

  g_assert_true (g_file_set_contents (path, "x\ny\n", -1, NULL));
  {
    g_autofree char *arg = g_strconcat ("@", path, NULL);
    run_cli (NULL, &r, "run", "--items", arg, "--workload", "print", "--format", "none", "--workers", "1", NULL);
  }
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "Process ForkPoolWorker-1: x\nProcess ForkPoolWorker-1: y\n");
  result_clear (&r);

  run_cli (NULL, &r, "run", "--items", "1..100:3", "--workers", "3", "--order", "map", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "1\n16\n49\n100\n"));
  result_clear (&r);
}

static void
test_bad_command_lines (void)
{
  static const char *cases[][6] = {
    { "run", NULL },
    { "run", "--items", "", NULL },
    { "run", "--items", "9..1", NULL },
    { "run", "--items", "a,b", "--workload", "square", NULL },
    { "run", "--items", "1..3", "--workers", "0", NULL },
    { "run", "--items", "1..3", "--workers", "99999999999999999999", NULL },
    { "run", "--items", "1..3", "--workload", "cube", NULL },
    { "run", "--items", "1..3", "--preset", "nope", NULL },
    { "run", "--items", "1..3", "--log", "/nonexistent/dir/x.jsonl", NULL },
    { "run", "--items", "@/nonexistent", NULL },
    { "run", "--items", "1..3", "--chunksize", "-1", NULL },
    { "run", "--bogus", NULL },
    { "frobnicate", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Result r = { 0 };

      run_cli (NULL, &r, cases[i][0], cases[i][1], cases[i][2], cases[i][3], cases[i][4], cases[i][5]);
      if (r.status != 2)
        g_error ("case %u (%s %s %s): exit %d, stderr: %s", i, cases[i][1], cases[i][2], cases[i][3],
                 r.status, r.err);
      g_assert_cmpstr (r.out, ==, "");
      g_assert_true (g_str_has_prefix (r.err, "poolscope-run: "));
      result_clear (&r);
    }
}

static void
test_version (void)
{
  Result r = { 0 };

  run_cli (NULL, &r, "--version", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "poolscope-run " PACKAGE_VERSION "\n");
  result_clear (&r);
}

/* The log is JSON Lines with the documented fields, and the --json
 * summary agrees with it. */
static void
test_log_and_summary (void)
{
  Result r = { 0 };
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "run.jsonl", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint ends = 0, starts = 0;
  gboolean seen_run_start = FALSE, seen_run_end = FALSE, seen_sample = FALSE;
  g_autofree guint8 *seen = g_malloc0 (50);
  const char *summary;

  run_cli (NULL, &r, "run", "--items", "1..50", "--workload", "cpu:4", "--workers", "2",
           "--log", path, "--json", "--sample-hz", "50", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpstr (lines[g_strv_length (lines) - 1], ==, "");
  for (guint i = 0; lines[i] && *lines[i]; i++)
    {
      JsonObject *o;
      const char *event;

      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      o = json_node_get_object (json_parser_get_root (parser));
      event = json_object_get_string_member (o, "event");
      g_assert_true (json_object_has_member (o, "t"));
      if (g_str_equal (event, "run-start"))
        seen_run_start = TRUE;
      else if (g_str_equal (event, "run-end"))
        seen_run_end = TRUE;
      else if (g_str_equal (event, "sample"))
        seen_sample = TRUE;
      else if (g_str_equal (event, "task-start"))
        starts++;
      else if (g_str_equal (event, "task-end"))
        {
          static const char *fields[] = { "task", "item", "worker", "pid", "status", "start", "end", "cpu_ns", "result" };
          gint64 task = json_object_get_int_member (o, "task");

          for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
            g_assert_true (json_object_has_member (o, fields[f]));
          g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "ok");
          g_assert_cmpint (json_object_get_int_member (o, "cpu_ns"), >, 2000000);
          g_assert_cmpint (task, >=, 0);
          g_assert_cmpint (task, <, 50);
          seen[task]++;
          ends++;
        }
    }
  g_assert_true (seen_run_start && seen_run_end && seen_sample);
  g_assert_cmpuint (ends, ==, 50);
  g_assert_cmpuint (starts, ==, 50);
  for (guint i = 0; i < 50; i++)
    g_assert_cmpuint (seen[i], ==, 1);

  summary = strrchr (g_strchomp (r.out), '\n');
  summary = summary ? summary + 1 : r.out;
  g_assert_true (json_parser_load_from_data (parser, summary, -1, NULL));
  {
    JsonObject *o = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpint (json_object_get_int_member (o, "tasks"), ==, 50);
    g_assert_cmpint (json_object_get_int_member (o, "ok"), ==, 50);
    g_assert_cmpint (json_object_get_int_member (o, "workers"), ==, 2);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "per_worker")), ==, 2);
  }
  result_clear (&r);
}

static void
test_failure_exit (void)
{
  Result r = { 0 };

  run_cli (NULL, &r, "run", "--items", "1..30", "--workload", "crash:1", "--workers", "2", "-q", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "killed by SIGSEGV"));
  result_clear (&r);

  run_cli (NULL, &r, "run", "--items", "3037000500,2", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "4\n");
  g_assert_nonnull (strstr (r.err, "overflow"));
  result_clear (&r);
}

/* Starts a run that logs, and waits until its workers have said hello;
 * returns their pids. */
static GSubprocess *
start_logged_run (const char *log,
                  GArray     *pids)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                        &error, POOLSCOPE_RUN, "run", "--items", "1..20",
                                        "--workload", "sleep:5000", "--workers", "2", "--chunksize", "1",
                                        "--log", log, NULL);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_assert_no_error (error);
  while (pids->len < 2 && g_get_monotonic_time () < deadline)
    {
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;

      g_usleep (20000);
      if (!g_file_get_contents (log, &contents, NULL, NULL))
        continue;
      lines = g_strsplit (contents, "\n", -1);
      g_array_set_size (pids, 0);
      for (guint i = 0; lines[i]; i++)
        if (g_str_has_prefix (lines[i], "{\"event\":\"worker-start\""))
          {
            const char *p = strstr (lines[i], "\"pid\":");
            int pid = p ? atoi (p + 6) : 0;
            g_array_append_val (pids, pid);
          }
    }
  g_assert_cmpuint (pids->len, ==, 2);
  return proc;
}

/* Gone, or a zombie waiting for whoever adopted it. */
static gboolean
process_gone (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *close;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  close = strrchr (stat, ')');
  return close != NULL && close[1] == ' ' && close[2] == 'Z';
}

/* SIGKILL to poolscope-run: its workers end with it (PR_SET_PDEATHSIG). */
static void
test_no_orphans (void)
{
  g_autofree char *log = g_build_filename (g_get_tmp_dir (), "orphans.jsonl", NULL);
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GSubprocess) proc = start_logged_run (log, pids);
  gint64 deadline;
  gboolean gone = FALSE;

  g_subprocess_send_signal (proc, SIGKILL);
  g_assert_true (g_subprocess_wait (proc, NULL, NULL));
  deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
  while (!gone && g_get_monotonic_time () < deadline)
    {
      gone = process_gone (g_array_index (pids, int, 0)) && process_gone (g_array_index (pids, int, 1));
      if (!gone)
        g_usleep (10000);
    }
  g_assert_true (gone);
}

/* SIGINT: workers end, unfinished tasks are cancelled, the log is whole,
 * the exit status is 130. */
static void
test_interrupt (void)
{
  g_autofree char *log = g_build_filename (g_get_tmp_dir (), "interrupt.jsonl", NULL);
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GSubprocess) proc = start_logged_run (log, pids);
  g_autofree char *contents = NULL;
  gint64 t0 = g_get_monotonic_time ();

  g_subprocess_send_signal (proc, SIGINT);
  g_assert_true (g_subprocess_wait (proc, NULL, NULL));
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 2 * G_USEC_PER_SEC);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 130);
  g_assert_true (process_gone (g_array_index (pids, int, 0)));
  g_assert_true (process_gone (g_array_index (pids, int, 1)));
  g_assert_true (g_file_get_contents (log, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "}\n"));
  g_assert_nonnull (strstr (contents, "\"status\":\"cancelled\""));
  g_assert_nonnull (strstr (contents, "{\"event\":\"run-end\""));
  g_assert_nonnull (strstr (contents, "\"cancelled\":true"));
}

/* Kill storm: a random live worker is SIGKILLed 25 times during 3,000
 * tasks of cpu:2 on 2 workers. The run ends by itself, every task has
 * exactly one final task-end, the crashed ones are marked, and no process
 * is left. */
static void
test_kill_storm (void)
{
  g_autofree char *log = g_build_filename (g_get_tmp_dir (), "storm.jsonl", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GHashTable) live = g_hash_table_new (NULL, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree guint8 *ends = g_malloc0 (3000);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GRand *rand = g_rand_new_with_seed (20261124);
  guint kills = 0, crashed = 0, starts = 0, exits = 0;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                           POOLSCOPE_RUN, "run", "--items", "1..3000", "--workload", "cpu:2",
                           "--workers", "2", "--chunksize", "1", "--log", log, NULL);
  g_assert_no_error (error);

  while (kills < 25)
    {
      g_autofree char *now = NULL;
      g_auto(GStrv) now_lines = NULL;
      GList *pids;

      g_usleep (60000);
      if (!g_file_get_contents (log, &now, NULL, NULL))
        continue;
      now_lines = g_strsplit (now, "\n", -1);
      g_hash_table_remove_all (live);
      for (guint i = 0; now_lines[i]; i++)
        {
          const char *p = strstr (now_lines[i], "\"pid\":");
          gpointer pid = GINT_TO_POINTER (p ? atoi (p + 6) : 0);

          if (g_str_has_prefix (now_lines[i], "{\"event\":\"worker-start\""))
            g_hash_table_add (live, pid);
          else if (g_str_has_prefix (now_lines[i], "{\"event\":\"worker-exit\""))
            g_hash_table_remove (live, pid);
        }
      if (strstr (now, "{\"event\":\"run-end\""))
        break;
      pids = g_hash_table_get_keys (live);
      if (pids != NULL)
        {
          int pid = GPOINTER_TO_INT (g_list_nth_data (pids, g_rand_int_range (rand, 0, g_list_length (pids))));
          if (!process_gone (pid) && kill (pid, SIGKILL) == 0)
            kills++;
        }
      g_list_free (pids);
    }
  g_rand_free (rand);
  g_assert_cmpuint (kills, ==, 25);

  g_assert_true (g_subprocess_wait (proc, NULL, NULL));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);

  g_assert_true (g_file_get_contents (log, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] && *lines[i]; i++)
    {
      JsonObject *o;
      const char *event;

      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      o = json_node_get_object (json_parser_get_root (parser));
      event = json_object_get_string_member (o, "event");
      if (g_str_equal (event, "worker-start"))
        starts++;
      else if (g_str_equal (event, "worker-exit"))
        {
          exits++;
          g_assert_true (process_gone (json_object_get_int_member (o, "pid")));
        }
      else if (g_str_equal (event, "task-end") &&
               !json_object_get_boolean_member_with_default (o, "retry", FALSE))
        {
          gint64 task = json_object_get_int_member (o, "task");

          g_assert_cmpint (task, >=, 0);
          g_assert_cmpint (task, <, 3000);
          ends[task]++;
          if (g_str_equal (json_object_get_string_member (o, "status"), "crashed"))
            {
              crashed++;
              g_assert_cmpstr (json_object_get_string_member (o, "message"), ==, "killed by SIGKILL");
            }
          else
            g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "ok");
        }
    }
  for (guint i = 0; i < 3000; i++)
    g_assert_cmpuint (ends[i], ==, 1);
  /* most kills land in a task; one may hit a worker between tasks */
  g_assert_cmpuint (crashed, >=, 15);
  g_assert_cmpuint (crashed, <=, 25);
  g_assert_cmpuint (starts, ==, exits);
  /* every death is replaced while work remains */
  g_assert_cmpuint (starts, >=, 1 + crashed);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/ps/cli/presets", test_presets);
  g_test_add_func ("/ps/cli/items-sources", test_items_sources);
  g_test_add_func ("/ps/cli/bad-command-lines", test_bad_command_lines);
  g_test_add_func ("/ps/cli/version", test_version);
  g_test_add_func ("/ps/cli/log-and-summary", test_log_and_summary);
  g_test_add_func ("/ps/cli/failure-exit", test_failure_exit);
  g_test_add_func ("/ps/cli/no-orphans", test_no_orphans);
  g_test_add_func ("/ps/cli/interrupt", test_interrupt);
  g_test_add_func ("/ps/cli/kill-storm", test_kill_storm);
  return g_test_run ();
}
