/* test-cli.c: poolscope-run as a user runs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ps-engine-client.h"
#include "ps-workload.h"

#include "cli-run.h"

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
  g_autofree char *path = tmp_path ("items.txt");

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

/* Hostile command lines: each is refused with exit status 2, nothing on
 * stdout, and one line on stderr that names the option and the value;
 * never a crash, a hang or a run. */
static void
test_bad_command_lines (void)
{
  static const struct
  {
    const char *args[8];
    const char *message_part;
  } cases[] = {
    { { "run", NULL }, "--items: no items given" },
    { { "run", "--items", "", NULL }, "--items: the batch has no items" },
    { { "run", "--items", "9..1", NULL }, "the range 9..1 is empty" },
    { { "run", "--items", "a,b", "--workload", "square", NULL }, "(“a”) is not an integer" },
    { { "frobnicate", NULL }, "unknown command “frobnicate”" },

    /* numbers out of range, or past 64 bits */
    { { "run", "--items", "1..3", "--workers", "0", NULL }, "--workers: “0”" },
    { { "run", "--items", "1..3", "--workers", "1025", NULL },
      "--workers: “1025” is not a whole number from 1 to 1024" },
    { { "run", "--items", "1..3", "--workers", "-1", NULL }, "--workers: “-1”" },
    { { "run", "--items", "1..3", "--workers", "99999999999999999999", NULL },
      "--workers: “99999999999999999999”" },
    { { "run", "--items", "1..3", "--workers", "18446744073709551617", NULL },
      "--workers: “18446744073709551617”" },
    { { "run", "--items", "1..3", "--workers", "1e3", NULL }, "--workers: “1e3”" },
    { { "run", "--items", "1..3", "-j", "", NULL }, "--workers: “”" },
    { { "run", "--items", "1..3", "--chunksize", "-1", NULL }, "--chunksize: “-1”" },
    { { "run", "--items", "1..3", "--chunksize", "0", NULL }, "--chunksize: “0”" },
    { { "run", "--items", "1..3", "--chunksize", "18446744073709551616", NULL },
      "--chunksize: “18446744073709551616”" },
    { { "run", "--items", "1..3", "--chunksize", "abc", NULL }, "--chunksize: “abc”" },
    { { "run", "--items", "1..3", "--timeout", "-1", NULL }, "--timeout: “-1”" },
    { { "run", "--items", "1..3", "--timeout", "nan", NULL }, "--timeout: “nan”" },
    { { "run", "--items", "1..3", "--timeout", "inf", NULL }, "--timeout: “inf”" },
    { { "run", "--items", "1..3", "--timeout", "1e999", NULL }, "--timeout: “1e999”" },
    { { "run", "--items", "1..3", "--timeout", "604801", NULL }, "--timeout: “604801”" },
    /* would round to 0 ns, which is no timeout at all */
    { { "run", "--items", "1..3", "--timeout", "1e-12", NULL },
      "--timeout: “1e-12” is not 0 (off) or a number from 0.001 to 604800" },
    { { "run", "--items", "1..3", "--timeout=", NULL }, "--timeout: “”" },
    { { "run", "--items", "1..3", "--retries", "1001", NULL }, "--retries: “1001”" },
    { { "run", "--items", "1..3", "--retries", "-1", NULL }, "--retries: “-1”" },
    { { "run", "--items", "1..3", "--retries", "18446744073709551616", NULL },
      "--retries: “18446744073709551616”" },
    { { "run", "--items", "1..3", "--max-tasks-per-child", "-1", NULL },
      "--max-tasks-per-child: “-1”" },
    { { "run", "--items", "1..3", "--max-tasks-per-child", "100000001", NULL },
      "--max-tasks-per-child: “100000001”" },
    { { "run", "--items", "1..3", "--max-tasks-per-child", "99999999999999999999", NULL },
      "--max-tasks-per-child: “99999999999999999999”" },
    { { "run", "--items", "1..3", "--sample-hz", "1001", NULL }, "--sample-hz: “1001”" },
    { { "run", "--items", "1..3", "--sample-hz", "-1", NULL }, "--sample-hz: “-1”" },
    { { "run", "--items", "1..3", "--sample-hz", "nan", NULL }, "--sample-hz: “nan”" },
    /* its interval in ms overflowed to a 1 ms tick: sampling flat out */
    { { "run", "--items", "1..3", "--sample-hz", "1e-300", NULL },
      "--sample-hz: “1e-300” is not 0 (off) or a number from 0.001" },
    { { "run", "--items", "1..3", "--seed", "-1", NULL }, "--seed: “-1”" },
    { { "run", "--items", "1..3", "--seed", "18446744073709551616", NULL },
      "--seed: “18446744073709551616”" },
    { { "run", "--items", "1..3", "--seed", "abc", NULL }, "--seed: “abc”" },

    /* ranges */
    { { "run", "--items", "1..99999999999999999999", NULL },
      "--items: the end “99999999999999999999”" },
    { { "run", "--items", "5..1", NULL }, "--items: the range 5..1 is empty" },
    { { "run", "--items", "1..10:0", NULL },
      "--items: the step of a range must be at least 1, not 0" },
    { { "run", "--items", "1..10:-1", NULL },
      "--items: the step of a range must be at least 1, not -1" },
    { { "run", "--items", "0..100000000", NULL },
      "--items: the range has more than 100000000 items" },
    /* 2^64 items: the count wrapped to 0, and an empty run said all was well */
    { { "run", "--items", "-9223372036854775808..9223372036854775807", NULL },
      "--items: the range has more than" },
    { { "run", "--items", "@", NULL }, "--items: “@” must be followed by" },
    { { "run", "--items", "@/nonexistent", NULL },
      "--items: cannot read the item file “/nonexistent”" },

    /* workload specs */
    { { "run", "--items", "1..3", "--workload", "cube", NULL },
      "--workload: unknown workload “cube”" },
    { { "run", "--items", "1..3", "--workload", "cpu:", NULL },
      "--workload: the workload “cpu:” needs" },
    { { "run", "--items", "1..3", "--workload", "cpu:-1", NULL },
      "--workload: a duration in milliseconds in the workload “cpu:-1” must be between 0 and "
      "86400000" },
    { { "run", "--items", "1..3", "--workload", "cpu:abc", NULL },
      "--workload: a duration in milliseconds “abc”" },
    { { "run", "--items", "1..3", "--workload", "random:cpu:1", NULL },
      "--workload: the workload “random:cpu:1” takes 3" },
    { { "run", "--items", "1..3", "--workload", "random:cpu:1:2:3", NULL },
      "--workload: the workload “random:cpu:1:2:3” takes 3" },
    { { "run", "--items", "1..3", "--workload", "alloc:999999999999", NULL },
      "--workload: a size in MB in the workload “alloc:999999999999”" },
    { { "run", "--items", "1..3", "--workload", "crash:2", NULL },
      "--workload: a probability in the workload “crash:2”" },
    { { "run", "--items", "1..3", "--workload", "crash:nan", NULL },
      "--workload: a probability “nan”" },
    { { "run", "--items", "1..3", "--workload", "sleep:1e999", NULL },
      "--workload: a duration in milliseconds “1e999”" },

    /* names */
    { { "run", "--items", "1..3", "--preset", "nope", NULL },
      "--preset: “nope” is not a known preset" },
    { { "run", "--items", "1..3", "--preset", "", NULL }, "--preset: “” is not a known preset" },
    { { "run", "--items", "1..3", "--order", "random", NULL },
      "--order: “random” is not map or unordered" },
    { { "run", "--items", "1..3", "--start", "forkserver", NULL },
      "--start: “forkserver” is not fork or spawn" },
    { { "run", "--items", "1..3", "--format", "json", NULL },
      "--format: “json” is not lines, list or none" },
    { { "run", "--items", "1..3", "--log", "/nonexistent/dir/x.jsonl", NULL },
      "--log: cannot write “/nonexistent/dir/x.jsonl”" },
    { { "run", "--items", "1..3", "--log", "", NULL }, "--log: “” is not a file path" },

    /* missing values, unknown options */
    { { "run", "--items", NULL }, "--items needs a value" },
    { { "run", "--items", "1..3", "--workers", NULL }, "--workers needs a value" },
    { { "run", "--items", "1..3", "--log", NULL }, "--log needs a value" },
    { { "run", "--items", "1..3", "--json=yes", NULL }, "--json takes no value" },
    { { "run", "--bogus", NULL }, "unknown option “--bogus”" },
    { { "run", "--items", "1..3", "-x", NULL }, "unknown option “-x”" },
    { { "run", "--items", "1..3", "extra", NULL }, "unexpected argument “extra”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      RunOptions opts = { .timeout_s = 20 };
      Result r = { 0 };
      g_autofree char *shown = g_strjoinv (" ", (char **) cases[i].args);

      run_argv (cases[i].args, &opts, &r);
      if (r.status != 2 || strstr (r.err, cases[i].message_part) == NULL)
        g_error ("“%s”: exit %d (signal %d), stderr “%s”, wanted exit 2 and “%s”",
                 shown, r.status, r.signal, r.err, cases[i].message_part);
      g_assert_cmpstr (r.out, ==, "");
      g_assert_true (g_str_has_prefix (r.err, "poolscope-run: "));
      g_assert_cmpuint (count_substrings (r.err, "\n"), ==, 1);
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
  g_autofree char *path = tmp_path ("run.jsonl");
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
  g_autofree char *log = tmp_path ("orphans.jsonl");
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
  g_autofree char *log = tmp_path ("interrupt.jsonl");
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
  g_autofree char *log = tmp_path ("storm.jsonl");
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

/* The workload of the timeout test: short random sleeps, of which the
 * seed found below makes exactly one a sleep of 5–8 s. */
#define TIMEOUT_WORKLOAD "random:sleep:10:100"
#define TIMEOUT_TASKS    12

static guint64
seed_with_one_long_task (guint *long_task)
{
  PsWorkload w;

  g_assert_true (ps_workload_parse (TIMEOUT_WORKLOAD, &w, NULL));
  for (guint64 seed = 1; seed < 10000000; seed++)
    {
      guint n_long = 0, n_short = 0, which = 0;

      for (guint t = 0; t < TIMEOUT_TASKS; t++)
        {
          double ms = ps_workload_draw_ms (&w, seed, t, 0);

          if (ms >= 5000 && ms <= 8000)
            {
              n_long++;
              which = t;
            }
          else if (ms <= 40)
            n_short++;
        }
      /* early in the batch, so that work remains when it times out */
      if (n_long == 1 && n_short == TIMEOUT_TASKS - 1 && which >= 1 && which <= TIMEOUT_TASKS / 2)
        {
          *long_task = which;
          return seed;
        }
    }
  g_assert_not_reached ();
}

/* --timeout: the task that runs too long ends as timeout, its worker is
 * killed (SIGTERM) and replaced by one with a new name, the others end
 * ok, the status is 1, and nobody waits for the long sleep. Python's Pool
 * has no per-task timeout (AsyncResult.get(timeout) only stops waiting);
 * this follows concurrent.futures/pebble: the worker is ended. */
static void
test_timeout (void)
{
  g_autofree char *log = tmp_path ("timeout.jsonl");
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  guint long_task = 0;
  guint64 seed = seed_with_one_long_task (&long_task);
  g_autofree char *seed_text = g_strdup_printf ("%" G_GUINT64_FORMAT, seed);
  g_autofree char *items = g_strdup_printf ("1..%d", TIMEOUT_TASKS);
  const char *args[] = { "run", "--items", items, "--workload", TIMEOUT_WORKLOAD, "--seed", seed_text,
                         "--timeout", "0.2", "--workers", "2", "--chunksize", "1", "--log", log, NULL };
  g_autofree guint8 *ends = g_malloc0 (TIMEOUT_TASKS);
  const char *timed_out_worker = NULL;
  gboolean exit_seen = FALSE, replacement_seen = FALSE;
  Result r = { 0 };

  g_test_message ("seed %" G_GUINT64_FORMAT ": task %u sleeps 5 to 8 s", seed, long_task);
  run_argv (args, NULL, &r);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpint (r.wall_us, <, 4 * G_USEC_PER_SEC);
  g_assert_cmpuint (count_substrings (r.err, "timeout on"), ==, 1);
  g_assert_cmpuint (count_substrings (r.out, "\n"), ==, TIMEOUT_TASKS - 1);

  events = read_log (log);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (events, i);

      if (is_event (o, "worker-start"))
        {
          const char *name = json_object_get_string_member (o, "worker");

          if (exit_seen && !g_hash_table_contains (names, name))
            replacement_seen = TRUE;
          g_hash_table_add (names, (gpointer) name);
        }
      else if (is_event (o, "task-end"))
        {
          gint64 task = json_object_get_int_member (o, "task");
          const char *status = json_object_get_string_member (o, "status");

          g_assert_false (json_object_get_boolean_member_with_default (o, "retry", FALSE));
          if (task < 0 || task >= TIMEOUT_TASKS)
            g_error ("task %" G_GINT64_FORMAT " is not in the batch", task);
          ends[task]++;
          if (task == long_task)
            {
              g_assert_cmpstr (status, ==, "timeout");
              g_assert_cmpstr (json_object_get_string_member (o, "message"), ==, "timed out");
              /* ended at the timeout, not at the end of the sleep */
              g_assert_cmpint (json_object_get_int_member (o, "end"), <,
                               json_object_get_int_member (o, "start") + 3 * G_GINT64_CONSTANT (1000000000));
              timed_out_worker = json_object_get_string_member (o, "worker");
            }
          else
            g_assert_cmpstr (status, ==, "ok");
        }
      else if (is_event (o, "worker-exit") && timed_out_worker != NULL &&
               g_str_equal (json_object_get_string_member (o, "worker"), timed_out_worker))
        {
          g_assert_cmpint (json_object_get_int_member (o, "signal"), ==, SIGTERM);
          g_assert_cmpstr (json_object_get_string_member (o, "reason"), ==, "killed by SIGTERM");
          exit_seen = TRUE;
        }
    }
  g_assert_nonnull (timed_out_worker);
  g_assert_true (exit_seen);
  g_assert_true (replacement_seen);
  for (guint t = 0; t < TIMEOUT_TASKS; t++)
    g_assert_cmpuint (ends[t], ==, 1);
  result_clear (&r);
}

/* --timeout with --retries: a timed-out task is tried again, and the
 * earlier attempt carries the retry flag. */
static void
test_timeout_retried (void)
{
  g_autofree char *log = tmp_path ("timeout-retry.jsonl");
  g_autoptr(GPtrArray) events = NULL;
  const char *args[] = { "run", "--items", "1", "--workload", "sleep:5000", "--timeout", "0.2",
                         "--retries", "1", "--workers", "1", "--log", log, NULL };
  guint attempts = 0;
  Result r = { 0 };

  run_argv (args, NULL, &r);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpint (r.wall_us, <, 4 * G_USEC_PER_SEC);
  events = read_log (log);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (events, i);

      if (!is_event (o, "task-end"))
        continue;
      g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "timeout");
      g_assert_cmpint (json_object_get_int_member (o, "attempt"), ==, attempts);
      g_assert_true (json_object_get_boolean_member_with_default (o, "retry", FALSE) == (attempts == 0));
      attempts++;
    }
  g_assert_cmpuint (attempts, ==, 2);
  result_clear (&r);
}

/* --max-tasks-per-child 3, 20 tasks, 2 workers: each worker takes at
 * most 3 chunks, then retires (exit 0, no reason) and is replaced while
 * work remains, never more than 2 at a time; every task runs once.
 *
 * As in Python, the count is of the pool's tasks, which are chunks:
 * Pool(2, maxtasksperchild=3).map(f, range(20)) with its default
 * chunksize of 3 lets a worker run up to 9 items. Which worker takes
 * which chunk depends on who is free first, so the test checks the
 * bounds: at most 3 chunks a worker, and only the last two workers (the
 * ones alive when the queue ran dry) with fewer. */
static void
test_max_tasks_per_child (void)
{
  static const char *chunks[] = { "auto", "1", "2", "5" };
  static const guint sizes[] = { 3, 1, 2, 5 };

  for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
    {
      g_autofree char *log = tmp_path ("max-tasks.jsonl");
      const char *args[] = { "run", "--items", "1..20", "--workers", "2", "--max-tasks-per-child", "3",
                             "--chunksize", chunks[c], "--log", log, "--format", "none", NULL };
      g_autoptr(GPtrArray) events = NULL;
      g_autoptr(GHashTable) per_worker = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GHashTable) chunks_of = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                               (GDestroyNotify) g_hash_table_unref);
      guint8 ends[20] = { 0 };
      guint n_chunks = (20 + sizes[c] - 1) / sizes[c], short_workers = 0, chunk_total = 0;
      int alive = 0, starts = 0, exits = 0;
      Result r = { 0 };
      GHashTableIter iter;
      gpointer value;

      g_test_message ("--chunksize %s", chunks[c]);
      run_argv (args, NULL, &r);
      g_assert_cmpint (r.status, ==, 0);
      events = read_log (log);
      for (guint i = 0; i < events->len; i++)
        {
          JsonObject *o = g_ptr_array_index (events, i);

          if (is_event (o, "worker-start"))
            {
              starts++;
              g_assert_cmpint (++alive, <=, 2);
              g_hash_table_insert (per_worker, (gpointer) json_object_get_string_member (o, "worker"),
                                   GUINT_TO_POINTER (0));
              g_hash_table_insert (chunks_of, (gpointer) json_object_get_string_member (o, "worker"),
                                   g_hash_table_new (NULL, NULL));
            }
          else if (is_event (o, "worker-exit"))
            {
              exits++;
              alive--;
              g_assert_cmpint (json_object_get_int_member (o, "exit_code"), ==, 0);
              g_assert_false (json_object_has_member (o, "reason"));
            }
          else if (is_event (o, "task-end"))
            {
              const char *name = json_object_get_string_member (o, "worker");
              gint64 task = json_object_get_int_member (o, "task");
              guint n_done;

              g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "ok");
              g_assert_cmpint (task, >=, 0);
              g_assert_cmpint (task, <, 20);
              ends[task]++;
              g_assert_true (g_hash_table_contains (per_worker, name));
              n_done = GPOINTER_TO_UINT (g_hash_table_lookup (per_worker, name));
              g_hash_table_insert (per_worker, (gpointer) name, GUINT_TO_POINTER (n_done + 1));
              g_hash_table_add (g_hash_table_lookup (chunks_of, name),
                                GUINT_TO_POINTER ((guint) task / sizes[c] + 1));
            }
        }
      for (guint t = 0; t < 20; t++)
        g_assert_cmpuint (ends[t], ==, 1);
      g_assert_cmpint (starts, ==, exits);
      g_hash_table_iter_init (&iter, chunks_of);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          guint n = g_hash_table_size (value);

          g_assert_cmpuint (n, <=, 3);
          short_workers += n < 3;
          chunk_total += n;
        }
      g_assert_cmpuint (chunk_total, ==, n_chunks);
      g_assert_cmpuint (short_workers, <=, 2);
      result_clear (&r);
    }
}

/* --retries 2 with a workload that always crashes: three attempts a task,
 * the first two flagged retry, the last the final crash; status 1. */
static void
test_retries (void)
{
  g_autofree char *log = tmp_path ("retries.jsonl");
  const char *args[] = { "run", "--items", "1..4", "--workload", "crash:1", "--workers", "2",
                         "--retries", "2", "--log", log, "--json", NULL };
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint attempts[4] = { 0 }, starts[4] = { 0 }, finals[4] = { 0 };
  const char *summary;
  Result r = { 0 };

  run_argv (args, NULL, &r);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpuint (count_substrings (r.err, "killed by SIGSEGV; trying again"), ==, 8);
  g_assert_cmpuint (count_substrings (r.err, "killed by SIGSEGV\n"), ==, 4);

  events = read_log (log);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (events, i);
      gint64 task;

      if (is_event (o, "task-start"))
        {
          task = json_object_get_int_member (o, "task");
          g_assert_cmpint (task, >=, 0);
          g_assert_cmpint (task, <, 4);
          g_assert_cmpint (json_object_get_int_member (o, "attempt"), ==, starts[task]);
          starts[task]++;
        }
      else if (is_event (o, "task-end"))
        {
          gboolean retry = json_object_get_boolean_member_with_default (o, "retry", FALSE);

          task = json_object_get_int_member (o, "task");
          g_assert_cmpint (task, >=, 0);
          g_assert_cmpint (task, <, 4);
          g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "crashed");
          g_assert_cmpstr (json_object_get_string_member (o, "message"), ==, "killed by SIGSEGV");
          g_assert_cmpint (json_object_get_int_member (o, "attempt"), ==, attempts[task]);
          /* the earlier attempts are retried; the last one is final */
          g_assert_true (retry == (attempts[task] < 2));
          g_assert_cmpuint (finals[task], ==, 0);
          if (!retry)
            finals[task]++;
          attempts[task]++;
        }
    }
  for (guint t = 0; t < 4; t++)
    {
      g_assert_cmpuint (attempts[t], ==, 3);
      g_assert_cmpuint (starts[t], ==, 3);
      g_assert_cmpuint (finals[t], ==, 1);
    }

  summary = strrchr (g_strchomp (r.out), '\n');
  summary = summary ? summary + 1 : r.out;
  g_assert_true (json_parser_load_from_data (parser, summary, -1, NULL));
  {
    JsonObject *o = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpint (json_object_get_int_member (o, "tasks"), ==, 4);
    g_assert_cmpint (json_object_get_int_member (o, "ok"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (o, "failed"), ==, 4);
  }
  result_clear (&r);
}

/* A log on a full disk: one message naming the log, and the run goes on
 * without it (docs/log-format.md); the results and the status are those
 * of the run. */
static void
test_log_disk_full (void)
{
  const char *args[] = { "run", "--items", "1..5", "--log", "/dev/full", "--workers", "2", NULL };
  Result r = { 0 };

  run_argv (args, NULL, &r);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "1\n4\n9\n16\n25\n");
  g_assert_cmpuint (count_substrings (r.err, "poolscope-run: the log “/dev/full” stopped: "
                                              "No space left on device; the run goes on without it\n"), ==, 1);
  g_assert_cmpuint (count_substrings (r.err, "\n"), ==, 1);
  result_clear (&r);
}

/* A log that hits the file size limit part-way (EFBIG after 64 KiB, as a
 * full disk would): it ends with a whole line and keeps the whole lines
 * that fit, every line is JSON, the run finishes all its tasks, and the
 * message names the log once. */
static void
test_log_size_limit (void)
{
  g_autofree char *log = tmp_path ("limited.jsonl");
  const char *args[] = { "run", "--items", "1..20000", "--workers", "2", "--chunksize", "1",
                         "--log", log, "--format", "none", "--json", NULL };
  RunOptions opts = { .fsize_limit = 64 * 1024 };
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *message = g_strdup_printf ("poolscope-run: the log “%s” stopped: File too large; "
                                              "the run goes on without it\n", log);
  GStatBuf st;
  Result r = { 0 };

  run_argv (args, &opts, &r);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"ok\":20000"));
  g_assert_cmpuint (count_substrings (r.err, message), ==, 1);
  g_assert_cmpuint (count_substrings (r.err, "\n"), ==, 1);

  g_assert_cmpint (g_stat (log, &st), ==, 0);
  g_assert_cmpint (st.st_size, <=, 64 * 1024);
  /* the whole lines before the limit stay: less than one line is lost
   * ("tasks" lines hold up to 512 tasks: ~20 KB) */
  g_assert_cmpint (st.st_size, >, 40 * 1024);
  events = read_log (log);
  g_assert_true (is_event (g_ptr_array_index (events, 0), "run-start"));
  result_clear (&r);
}

/* The message comes when the log stops, not when a long run ends. */
static void
test_log_stop_reported_at_once (void)
{
  g_autofree char *log = tmp_path ("stops-early.jsonl");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  RunOptions opts = { .fsize_limit = 4096 };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gint64 t0, seen, ended;

  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_set_child_setup (launcher, limit_child, &opts, NULL);
  t0 = g_get_monotonic_time ();
  /* 3.5 s of sleeps; 100 samples a second fill 4 KiB in well under one */
  proc = g_subprocess_launcher_spawn (launcher, &error, POOLSCOPE_RUN, "run", "--items", "1..10",
                                      "--workload", "sleep:700", "--workers", "2", "--chunksize", "1",
                                      "--sample-hz", "50", "--log", log, NULL);
  g_assert_no_error (error);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (proc));
  line = g_data_input_stream_read_line (err, NULL, NULL, &error);
  seen = g_get_monotonic_time ();
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "stopped: File too large"));
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  ended = g_get_monotonic_time ();
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_test_message ("log stopped after %.2f s, run ended after %.2f s",
                  (seen - t0) / 1e6, (ended - t0) / 1e6);
  g_assert_cmpint (ended - seen, >, G_USEC_PER_SEC);
}

typedef struct
{
  const char *name;
  const char *data;
  gssize      len;
  const char *workload;
  const char *message_part;
} ItemFileCase;

/* Item files that cannot be a batch: exit status 2, one message naming
 * the file (and the line), nothing run. */
static void
test_hostile_item_files (void)
{
  g_autofree char *long_line = NULL;
  gsize long_len = 3 * 1024 * 1024;
  ItemFileCase cases[] = {
    { "empty", "", 0, "print", "has no items" },
    { "blank", "\n\n   \n\t\r\n \t \n\r\n", -1, "print", "has no items" },
    { "nul", "1\n2\0003\n", 6, "print", "holds binary data (a NUL byte)" },
    { "nul-square", "1\n2\0003\n", 6, "square", "holds binary data (a NUL byte)" },
    { "utf8", "ok\nab\xff" "c\n", -1, "print", ": line 2 is not valid UTF-8" },
    { "utf8-hello", "\n\nAlice\n\xc3\n", -1, "hello", ": line 4 is not valid UTF-8" },
    { "utf8-square", "1\n\xe2\x82\n", -1, "square", ": line 2 is not valid UTF-8" },
    { "words-square", "1\n2\nthree\n", -1, "square", "item 3 (“three”) is not an integer" },
    { "long", NULL, 0, "print", ": line 2 is longer than 65536 bytes" },
  };

  long_line = g_malloc (long_len + 3);
  memcpy (long_line, "1\n", 2);
  memset (long_line + 2, '7', long_len);
  long_line[long_len + 2] = '\n';
  cases[G_N_ELEMENTS (cases) - 1].data = long_line;
  cases[G_N_ELEMENTS (cases) - 1].len = long_len + 3;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = tmp_path (cases[i].name);
      g_autofree char *at = g_strconcat ("@", path, NULL);
      g_autofree char *named = g_strconcat ("--items: ", path, NULL);
      const char *args[] = { "run", "--items", at, "--workload", cases[i].workload, NULL };
      RunOptions opts = { .timeout_s = 20 };
      Result r = { 0 };

      g_test_message ("%s", cases[i].name);
      g_assert_true (g_file_set_contents (path, cases[i].data, cases[i].len, NULL));
      run_argv (args, &opts, &r);
      if (r.status != 2 || strstr (r.err, cases[i].message_part) == NULL)
        g_error ("%s: exit %d (signal %d), stderr “%s”, wanted exit 2 and “%s”",
                 cases[i].name, r.status, r.signal, r.err, cases[i].message_part);
      /* it names the file, except for a bad item, which it quotes */
      if (!g_str_equal (cases[i].name, "words-square"))
        g_assert_true (g_str_has_prefix (r.err + strlen ("poolscope-run: "), named));
      g_assert_cmpstr (r.out, ==, "");
      g_assert_cmpuint (count_substrings (r.err, "\n"), ==, 1);
      result_clear (&r);

      /* the same from standard input */
      {
        const char *stdin_args[] = { "run", "--items", "-", "--workload", cases[i].workload, NULL };

        opts.stdin_path = path;
        run_argv (stdin_args, &opts, &r);
        g_assert_cmpint (r.status, ==, 2);
        g_assert_nonnull (strstr (r.err, cases[i].message_part));
        g_assert_cmpstr (r.out, ==, "");
        result_clear (&r);
      }
      g_remove (path);
    }
}

/* Endless input: /dev/zero as the item file or as stdin is refused at its
 * first NUL, and an endless line once it is too long, not read until
 * memory runs out. The address space is capped
 * so that a regression fails fast instead of eating the machine. */
static void
test_endless_items (void)
{
  RunOptions opts = { .as_limit = (rlim_t) 1 << 30, .timeout_s = 20 };
  const char *file_args[] = { "run", "--items", "@/dev/zero", NULL };
  const char *stdin_args[] = { "run", "--items", "-", "--workload", "print", NULL };
  Result r = { 0 };

  run_argv (file_args, &opts, &r);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--items: /dev/zero holds binary data (a NUL byte)"));
  result_clear (&r);

  opts.stdin_path = "/dev/zero";
  run_argv (stdin_args, &opts, &r);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--items: standard input holds binary data (a NUL byte)"));
  result_clear (&r);

  /* one endless line of text, through a pipe */
  opts.stdin_path = NULL;
  opts.stdin_command = "tr '\\000' x < /dev/zero";
  run_argv (stdin_args, &opts, &r);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--items: standard input: line 1 is longer than 65536 bytes"));
  result_clear (&r);
}

/* Ten million lines of integers (76 MB): the batch runs to the end with
 * every result in order. Timed for the report; only a generous bound. */
static void
test_thirteen_million_lines (void)
{
  g_autofree char *path = tmp_path ("thirteen-million.txt");
  g_autofree char *out_path = tmp_path ("thirteen-million.out");
  g_autofree char *at = g_strconcat ("@", path, NULL);
  const char *args[] = { "run", "--items", at, "--workload", "square", "--quiet", NULL };
  RunOptions opts = { .stdout_path = out_path, .timeout_s = 100 };
  /* 13 million: the default chunk (n / 8) no longer fits one frame */
  const guint64 n = 13000000;
  FILE *f;
  char *line = NULL;
  size_t cap = 0;
  gssize len;
  guint64 count = 0;
  Result r = { 0 };

  f = fopen (path, "w");
  g_assert_nonnull (f);
  for (guint64 i = 1; i <= n; i++)
    fprintf (f, "%" G_GUINT64_FORMAT "\n", i);
  g_assert_cmpint (fclose (f), ==, 0);

  run_argv (args, &opts, &r);
  g_test_message ("13,000,000 items from a file, square, --quiet: %.2f s", r.wall_us / 1e6);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");

  f = fopen (out_path, "r");
  g_assert_nonnull (f);
  while ((len = getline (&line, &cap, f)) > 0)
    {
      count++;
      /* spot checks: every millionth result */
      if (count % 1000000 == 0)
        {
          char want[32];
          g_snprintf (want, sizeof want, "%" G_GUINT64_FORMAT "\n", count * count);
          g_assert_cmpstr (line, ==, want);
        }
    }
  free (line);
  fclose (f);
  g_assert_cmpuint (count, ==, n);
  g_remove (path);
  g_remove (out_path);
  result_clear (&r);
}

typedef struct
{
  gboolean  done;
  guint     task_ends;
  char     *failure;
} IpcRun;

static void
on_ipc_event (const PsEvent *e,
              gpointer       data)
{
  IpcRun *run = data;

  if (e->type == PS_EVENT_TASK_END)
    run->task_ends++;
  else if (e->type == PS_EVENT_TASKS)
    run->task_ends += e->n_entries;
}

static void
ipc_run_done (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  IpcRun *run = data;
  g_autoptr(GError) error = NULL;

  if (!ps_engine_client_run_finish (PS_ENGINE_CLIENT (object), result, &error))
    run->failure = g_strdup (error->message);
  run->done = TRUE;
}

static void
ipc_run (PsEngineClient     *client,
         IpcRun             *run,
         const char * const *args)
{
  gboolean late = FALSE;
  guint timer = g_timeout_add_seconds (20, set_flag, &late);

  run->done = FALSE;
  run->task_ends = 0;
  g_clear_pointer (&run->failure, g_free);
  ps_engine_client_run_async (client, args, on_ipc_event, run, NULL, ipc_run_done, run);
  while (!run->done && !late)
    g_main_context_iteration (NULL, TRUE);
  if (!run->done)
    g_error ("the engine did not answer within 20 s");
  g_source_remove (timer);
}

/* Over --ipc, standard input is the protocol: a RUN asking for items
 * from it is refused in words (it used to make the engine read the
 * client's frames as items, deaf until the client went away), and the
 * engine serves the next run. */
static void
test_ipc_items_from_stdin (void)
{
  g_autoptr(PsEngineClient) client = ps_engine_client_new (POOLSCOPE_RUN);
  const char *from_stdin[] = { "--items", "-", NULL };
  const char *square[] = { "--preset", "square", "--workers", "2", NULL };
  IpcRun run = { 0 };

  ipc_run (client, &run, from_stdin);
  g_assert_nonnull (run.failure);
  g_assert_nonnull (strstr (run.failure, "--items: standard input carries the protocol"));

  ipc_run (client, &run, square);
  g_assert_null (run.failure);
  g_assert_cmpuint (run.task_ends, ==, 9);
  g_free (run.failure);
}



/* --- the pool tells the truth (shared queue, Python's semantics, no
 * silent caps, accounting that agrees) --- */

/* The task-ends of a log (tasks lines expanded), by worker: busy time. */
static gint64
log_busy_ns (GPtrArray  *events,
             GHashTable *busy,
             gint64     *longest)
{
  gint64 total = 0;

  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (events, i);
      gint64 d;
      gpointer old;

      if (!is_event (o, "task-end"))
        continue;
      d = json_object_get_int_member (o, "end") - json_object_get_int_member (o, "start");
      old = g_hash_table_lookup (busy, json_object_get_string_member (o, "worker"));
      g_hash_table_insert (busy, (gpointer) json_object_get_string_member (o, "worker"),
                           GSIZE_TO_POINTER (GPOINTER_TO_SIZE (old) + (gsize) d));
      *longest = MAX (*longest, d);
      total += d;
    }
  return total;
}

/* An uneven batch on 3 workers (random:sleep, mean 10 ms, sd 25 ms: a
 * long tail, a fixed seed): with a shared queue no worker sits on work
 * while another is free, so every worker's busy time is within one task
 * of the others', and the wall time within one task of total / 3. Dealt
 * round robin (the old engine), busy times were 0.37 / 0.74 / 0.84 s. */
static void
test_shared_queue (void)
{
  g_autofree char *log = tmp_path ("uneven.jsonl");
  const char *args[] = { "run", "--items", "1..150", "--workload", "random:sleep:10:25", "--seed", "5",
                         "--workers", "3", "--chunksize", "1", "--log", log, "--format", "none", NULL };
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GHashTable) busy = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer value;
  gint64 longest = 0, total, lo = G_MAXINT64, hi = 0, wall = 0;
  Result r = { 0 };

  run_argv (args, NULL, &r);
  g_assert_cmpint (r.status, ==, 0);
  events = read_log (log);
  total = log_busy_ns (events, busy, &longest);
  g_hash_table_iter_init (&iter, busy);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      lo = MIN (lo, (gint64) GPOINTER_TO_SIZE (value));
      hi = MAX (hi, (gint64) GPOINTER_TO_SIZE (value));
    }
  wall = json_object_get_int_member (g_ptr_array_index (events, events->len - 1), "t");
  g_test_message ("busy %.3f..%.3f s, longest task %.3f s, wall %.3f s, ideal %.3f s",
                  lo / 1e9, hi / 1e9, longest / 1e9, wall / 1e9, MAX (total / 3, longest) / 1e9);
  g_assert_cmpuint (g_hash_table_size (busy), ==, 3);
  /* greedy list scheduling: nobody ends more than one task after the rest */
  g_assert_cmpint (hi - lo, <=, longest + 20 * G_GINT64_CONSTANT (1000000));
  g_assert_cmpint (wall, <=, total / 3 + longest + 60 * G_GINT64_CONSTANT (1000000));
  result_clear (&r);
}

/* --order unordered with chunks: as imap_unordered, a chunk's results
 * come together, in submission order within the chunk, once the whole
 * chunk is done; the chunks in the order they finished. */
static void
test_unordered_chunks (void)
{
  const char *args[] = { "run", "--items", "1..40", "--workload", "random:sleep:4:4", "--seed", "3",
                         "--workers", "3", "--chunksize", "4", "--order", "unordered", NULL };
  g_auto(GStrv) lines = NULL;
  gboolean seen[10] = { FALSE };
  Result r = { 0 };

  run_argv (args, NULL, &r);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 41);
  for (guint i = 0; i < 40; i += 4)
    {
      guint first = (guint) g_ascii_strtoull (lines[i], NULL, 10);

      /* a block of four is one chunk: 4k+1 … 4k+4 */
      g_assert_cmpuint ((first - 1) % 4, ==, 0);
      g_assert_false (seen[(first - 1) / 4]);
      seen[(first - 1) / 4] = TRUE;
      for (guint k = 1; k < 4; k++)
        g_assert_cmpuint (g_ascii_strtoull (lines[i + k], NULL, 10), ==, first + k);
    }
  result_clear (&r);
}

/* --format list prints what Python's print(list) prints: numbers bare,
 * strings in repr() (the quote it would pick, escapes), None for none,
 * and the workers' output before the list, never inside it. */
static void
test_python_list (void)
{
  g_autofree char *items = tmp_path ("repr.txt");
  g_autofree char *at = g_strconcat ("@", items, NULL);
  const char *text_args[] = { "run", "--items", at, "--workload", "sleep:0", "--format", "list", NULL };
  const char *int_args[] = { "run", "--items", "1..3", "--workload", "sleep:0", "--format", "list", NULL };
  const char *print_args[] = { "run", "--preset", "print-numbers", "--format", "list", NULL };
  /* what python3 -c 'print([l.rstrip("\n") for l in open(F)])' prints */
  const char *want = "[\"it's\", 'say \"hi\"', 'both \\' \"', 'tab\\there', 'back\\\\slash', "
                     "'non\\x01print', 'ünïcödé', ' 42', 'nbsp\\xa0here', 'zw\\u200bsp']\n";
  g_auto(GStrv) lines = NULL;
  Result r = { 0 };

  g_assert_true (g_file_set_contents (items, "it's\nsay \"hi\"\nboth ' \"\ntab\there\nback\\slash\n"
                                      "non\001print\nünïcödé\n 42\nnbsp\302\240here\nzw\342\200\213sp\n",
                                      -1, NULL));
  run_argv (text_args, NULL, &r);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, want);
  result_clear (&r);

  run_argv (int_args, NULL, &r);
  g_assert_cmpstr (r.out, ==, "[1, 2, 3]\n");
  result_clear (&r);

  run_argv (print_args, NULL, &r);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  for (guint i = 0; i < 4; i++)
    g_assert_true (g_str_has_prefix (lines[i], "Process ForkPoolWorker-"));
  g_assert_cmpstr (lines[4], ==, "[1, 2, 3, 4]");
  result_clear (&r);
}

/* Every --seed is a seed (0 too: the same draws twice, and the log says
 * 0), and -j3 is -j 3. */
static void
test_seed_and_jobs (void)
{
  g_autofree char *log = tmp_path ("seed0.jsonl");
  const char *args[] = { "run", "--items", "1..30", "--workload", "random:sleep:2:2", "--seed", "0",
                         "-j3", "--chunksize", "1", "--log", log, "--format", "none", NULL };
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autofree gint64 *d1 = g_new0 (gint64, 30);
  guint starts = 0, close = 0;
  Result r = { 0 };

  run_argv (args, NULL, &r);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  first = read_log (log);
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (first, 0), "seed"), ==, 0);
  for (guint i = 0; i < first->len; i++)
    {
      JsonObject *o = g_ptr_array_index (first, i);
      if (is_event (o, "worker-start"))
        starts++;
      else if (is_event (o, "task-end"))
        d1[json_object_get_int_member (o, "task")] =
          json_object_get_int_member (o, "end") - json_object_get_int_member (o, "start");
    }
  g_assert_cmpuint (starts, ==, 3);

  run_argv (args, NULL, &r);
  result_clear (&r);
  second = read_log (log);
  /* the same draws: durations agree to scheduling noise (a draw is 0–6 ms) */
  for (guint i = 0; i < second->len; i++)
    {
      JsonObject *o = g_ptr_array_index (second, i);
      if (is_event (o, "task-end"))
        {
          gint64 d = json_object_get_int_member (o, "end") - json_object_get_int_member (o, "start");
          close += ABS (d - d1[json_object_get_int_member (o, "task")]) < 1500000;
        }
    }
  g_assert_cmpuint (close, >=, 25);
}

static void
new_process_group (gpointer data)
{
  setpgid (0, 0);
}

/* Ctrl+C reaches the terminal's whole process group, workers included:
 * that is a cancel, not 3 crashes — tasks end cancelled (only those that
 * had started), no replacement worker starts, every worker-exit says
 * stopped, and --json, the log and run-end agree. */
static void
test_sigint_to_group (void)
{
  g_autofree char *log = tmp_path ("sigint-group.jsonl");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *summary, *end = NULL;
  guint starts = 0, exits = 0, stopped = 0, cancelled = 0, ok = 0;
  gint pgid;

  g_subprocess_launcher_set_child_setup (launcher, new_process_group, NULL, NULL);
  proc = g_subprocess_launcher_spawn (launcher, &error, POOLSCOPE_RUN, "run", "--items", "1..200",
                                      "--workload", "sleep:40", "--workers", "3", "--chunksize", "1",
                                      "--log", log, "--format", "none", "--json", NULL);
  g_assert_no_error (error);
  pgid = (gint) g_ascii_strtoll (g_subprocess_get_identifier (proc), NULL, 10);
  g_usleep (400000);
  g_assert_cmpint (kill (-pgid, SIGINT), ==, 0);
  g_assert_true (g_subprocess_communicate (proc, NULL, NULL, &out, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 130);

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                                             &error));
  summary = json_node_get_object (json_parser_get_root (parser));
  events = read_log (log);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (events, i);

      if (is_event (o, "worker-start"))
        starts++;
      else if (is_event (o, "worker-exit"))
        {
          exits++;
          stopped += json_object_get_boolean_member_with_default (o, "stopped", FALSE);
        }
      else if (is_event (o, "task-end"))
        {
          const char *status = json_object_get_string_member (o, "status");

          g_assert_cmpstr (status, !=, "crashed");
          cancelled += g_str_equal (status, "cancelled");
          ok += g_str_equal (status, "ok");
        }
      else if (is_event (o, "run-end"))
        end = o;
    }
  g_assert_nonnull (end);
  g_assert_cmpuint (starts, ==, 3);
  g_assert_cmpuint (exits, ==, 3);
  g_assert_cmpuint (stopped, ==, 3);
  g_assert_cmpuint (cancelled, <=, 3);
  g_assert_cmpuint (ok, >, 0);
  g_assert_true (json_object_get_boolean_member (end, "cancelled"));
  /* one truth: the log, run-end and --json */
  g_assert_cmpint (json_object_get_int_member (end, "ok"), ==, ok);
  g_assert_cmpint (json_object_get_int_member (summary, "ok"), ==, ok);
  g_assert_cmpint (json_object_get_int_member (summary, "crashed"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (summary, "cancelled"), ==,
                   json_object_get_int_member (end, "cancelled_tasks"));
  g_assert_cmpint (json_object_get_int_member (end, "cancelled_tasks"), ==, 200 - ok);
}

/* A 10 ms timeout ends each 60 ms task near its deadline: a timer per
 * deadline, not a poll (a 20 ms poll let half of such tasks finish). */
static void
test_timeout_exact (void)
{
  g_autofree char *log = tmp_path ("timeout-exact.jsonl");
  const char *args[] = { "run", "--items", "1..12", "--workload", "sleep:60", "--timeout", "0.01",
                         "--workers", "2", "--chunksize", "1", "--log", log, "--format", "none", NULL };
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GArray) late = g_array_new (FALSE, FALSE, sizeof (gint64));
  Result r = { 0 };

  run_argv (args, NULL, &r);
  g_assert_cmpint (r.status, ==, 1);
  events = read_log (log);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (events, i);
      gint64 d;

      if (!is_event (o, "task-end"))
        continue;
      g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "timeout");
      d = json_object_get_int_member (o, "end") - json_object_get_int_member (o, "start");
      g_assert_cmpint (d, >=, 10000000);
      g_assert_cmpint (d, <, 45000000); /* never anywhere near the task's own 60 ms */
      d -= 10000000;
      g_array_append_val (late, d);
    }
  g_assert_cmpuint (late->len, ==, 12);
  g_array_sort (late, compare_gint64);
  g_test_message ("ended after the deadline by: median %.2f ms, worst %.2f ms",
                  g_array_index (late, gint64, 6) / 1e6, g_array_index (late, gint64, 11) / 1e6);
  g_assert_cmpint (g_array_index (late, gint64, 6), <, 5000000);
  result_clear (&r);

  /* a timeout applies to a task whose start was reported: tiny tasks,
   * reported in batches every 20 ms, are never taken for hung ones */
  {
    const char *tiny[] = { "run", "--items", "1..300000", "--chunksize", "1", "--timeout", "0.005",
                           "--workers", "2", "--format", "none", "--json", NULL };

    run_argv (tiny, NULL, &r);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "\"ok\":300000"));
    result_clear (&r);
  }
}

/* --log - writes the log to stdout, and nothing else goes there: the
 * workers' output goes to stderr. */
static void
test_log_to_stdout (void)
{
  const char *args[] = { "run", "--items", "1..20", "--workload", "print", "--workers", "2",
                         "--log", "-", "--format", "none", NULL };
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  Result r = { 0 };

  run_argv (args, NULL, &r);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >, 20);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
  g_assert_cmpuint (count_substrings (r.err, "Process ForkPoolWorker-"), ==, 20);
  result_clear (&r);
}

/* Under a descriptor limit: a soft limit below the hard one is raised and
 * the whole pool runs; a hard limit too low for the pool is refused
 * before anything runs, naming the limit (exit 3) — never a smaller pool. */
static void
test_descriptor_limit (void)
{
  g_autofree char *log = tmp_path ("fd-limit.jsonl");
  const char *args[] = { "run", "--items", "1..60", "--workers", "60", "--log", log, "--format", "none", NULL };
  RunOptions raised = { .nofile_soft = 64, .nofile_hard = 4096 };
  RunOptions tight = { .nofile_soft = 64, .nofile_hard = 64 };
  g_autoptr(GPtrArray) events = NULL;
  guint starts = 0;
  Result r = { 0 };

  run_argv (args, &raised, &r);
  g_assert_cmpint (r.status, ==, 0);
  events = read_log (log);
  for (guint i = 0; i < events->len; i++)
    starts += is_event (g_ptr_array_index (events, i), "worker-start");
  g_assert_cmpuint (starts, ==, 60);
  result_clear (&r);

  g_unlink (log);
  run_argv (args, &tight, &r);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_nonnull (strstr (r.err, "60 workers need about"));
  g_assert_nonnull (strstr (r.err, "the limit is 64 (ulimit -n"));
  result_clear (&r);
}

/* --log onto the item file would destroy the items: refused, file kept. */
static void
test_log_onto_items (void)
{
  g_autofree char *items = tmp_path ("keep-items.txt");
  g_autofree char *at = g_strconcat ("@", items, NULL);
  const char *args[] = { "run", "--items", at, "--log", items, NULL };
  g_autofree char *after = NULL;
  Result r = { 0 };

  g_assert_true (g_file_set_contents (items, "1\n2\n3\n", -1, NULL));
  run_argv (args, NULL, &r);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "is the file the items are read from"));
  g_assert_true (g_file_get_contents (items, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, "1\n2\n3\n");
  result_clear (&r);
}

/* Results that cannot be written end the run: /dev/full and a closed
 * stdout with a message and exit 3; a reader that left (| head -1)
 * quietly and promptly, as Unix tools do (141), not after the batch. */
static void
test_stdout_errors (void)
{
  const char *args[] = { "run", "--items", "1..100", NULL };
  RunOptions full = { .stdout_path = "/dev/full" };
  RunOptions closed = { .close_stdout = TRUE };
  g_autofree char *script = g_strdup_printf ("set -o pipefail; '%s' run --items 1..100000 "
                                             "--workload sleep:2 --workers 2 --chunksize 1 | head -1",
                                             POOLSCOPE_RUN);
  const char *bash_argv[] = { "bash", "-c", script, NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL, err = NULL;
  gint64 t0;
  Result r = { 0 };

  run_argv (args, &full, &r);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_nonnull (strstr (r.err, "cannot write the results to standard output: No space left on device"));
  result_clear (&r);

  run_argv (args, &closed, &r);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_nonnull (strstr (r.err, "standard output is closed"));
  result_clear (&r);

  t0 = g_get_monotonic_time ();
  proc = g_subprocess_newv (bash_argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate (proc, NULL, NULL, &out, &err, &error));
  g_test_message ("| head -1 ended the 100,000-task run after %.2f s",
                  (g_get_monotonic_time () - t0) / 1e6);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 141);
  g_assert_cmpuint (g_bytes_get_size (err), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 10 * G_USEC_PER_SEC);
}

/* An idle `--ipc` engine (the app open, nothing running) is not woken. */
static void
test_idle_engine_wakeups (void)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status_path = NULL;
  guint64 before = 0, after = 0;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                           POOLSCOPE_RUN, "--ipc", NULL);
  g_assert_no_error (error);
  status_path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (proc));
  g_usleep (300000);
  for (guint round = 0; round < 2; round++)
    {
      g_autofree char *status = NULL;
      const char *p;

      g_assert_true (g_file_get_contents (status_path, &status, NULL, NULL));
      p = strstr (status, "\nvoluntary_ctxt_switches:");
      g_assert_nonnull (p);
      if (round == 0)
        before = g_ascii_strtoull (p + 26, NULL, 10);
      else
        after = g_ascii_strtoull (p + 26, NULL, 10);
      if (round == 0)
        g_usleep (2 * G_USEC_PER_SEC);
    }
  g_test_message ("idle engine: %" G_GUINT64_FORMAT " wake-ups in 2 s", after - before);
  g_assert_cmpuint (after - before, <=, 2);
  g_subprocess_force_exit (proc);
  g_subprocess_wait (proc, NULL, NULL);
}

/* The --json summary: the last line of stdout. */
static JsonObject *
lock_summary (JsonParser *parser,
              const char *out)
{
  g_autofree char *text = g_strchomp (g_strdup (out));
  const char *last = strrchr (text, '\n');
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, last ? last + 1 : text, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* The named semaphores a lock run of engine @pid holds in /dev/shm. */
static guint
count_lock_semaphores (const char *pid)
{
  g_autofree char *prefix = g_strdup_printf ("sem.poolscope-%s-", pid);
  g_autoptr(GDir) dir = g_dir_open ("/dev/shm", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    n += g_str_has_prefix (name, prefix);
  return n;
}

static void
lock_wait_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) data = TRUE;
}

/* Waits for @proc at most @timeout_s: a wedged pool fails the test. */
static void
wait_capped (GSubprocess *proc,
             guint        timeout_s)
{
  gboolean done = FALSE, late = FALSE;
  guint timer = g_timeout_add_seconds (timeout_s, set_flag, &late);

  g_subprocess_wait_async (proc, NULL, lock_wait_cb, &done);
  while (!done && !late)
    g_main_context_iteration (NULL, TRUE);
  if (!done)
    {
      g_subprocess_force_exit (proc);
      g_error ("poolscope-run: still running after %u s", timeout_s);
    }
  g_source_remove (timer);
}

/* lock:OUT:IN: each task holds the pool's one lock for IN ms, so 40
 * tasks of lock:0:10 take 40 × 10 ms however many workers there are,
 * forked or spawned (each worker opens the lock by its name), while
 * lock:30:0 runs 4 at a time. */
static void
test_lock_workload (void)
{
  static const struct { const char *workload; const char *start; double min_s, max_s; } cases[] = {
    { "lock:0:10", "fork", 0.4, 2.0 },
    { "lock:0:10", "spawn", 0.4, 2.0 },
    { "lock:30:0", "fork", 0.3, 0.6 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[] = { "run", "--items", "1..40", "--workload", cases[i].workload,
                             "--workers", "4", "--start", cases[i].start, "--json",
                             "--format", "none", NULL };
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *summary;
      double wall_s;
      Result r = { 0 };

      run_argv (args, NULL, &r);
      g_assert_cmpint (r.status, ==, 0);
      summary = lock_summary (parser, r.out);
      g_assert_cmpint (json_object_get_int_member (summary, "ok"), ==, 40);
      wall_s = json_object_get_double_member (summary, "wall_s");
      g_test_message ("%s, 4 workers, %s: 40 tasks in %.3f s (%.3f s with the process)",
                      cases[i].workload, cases[i].start, wall_s, r.wall_us / 1e6);
      g_assert_cmpfloat (wall_s, >=, cases[i].min_s);
      g_assert_cmpfloat (wall_s, <, cases[i].max_s);
      g_assert_cmpint (r.wall_us, <, cases[i].max_s * G_USEC_PER_SEC + G_USEC_PER_SEC);
      result_clear (&r);
    }
}

/* The lock, a named semaphore, lives as long as its pool: there while it
 * runs (so that a leak would be seen), gone once the run ends by itself
 * (fork, spawn) or by SIGINT. */
static void
test_lock_removed (void)
{
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GSubprocess) proc = NULL;
      g_autoptr(GError) error = NULL;
      gboolean interrupt = i == 2;
      const char *pid;
      gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

      proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                               G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                               POOLSCOPE_RUN, "run", "--items", interrupt ? "1..400" : "1..20",
                               "--workload", "lock:0:20", "--workers", "2",
                               "--start", i == 1 ? "spawn" : "fork", "--format", "none", NULL);
      g_assert_no_error (error);
      pid = g_subprocess_get_identifier (proc);
      while (count_lock_semaphores (pid) == 0 && g_get_monotonic_time () < deadline)
        g_usleep (2000);
      g_assert_cmpuint (count_lock_semaphores (pid), ==, 1);
      if (interrupt)
        {
          g_usleep (100000);
          g_subprocess_send_signal (proc, SIGINT);
        }
      wait_capped (proc, 10);
      g_assert_true (g_subprocess_get_if_exited (proc));
      g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, interrupt ? 130 : 0);
      g_assert_cmpuint (count_lock_semaphores (pid), ==, 0);
    }
}

/* --timeout ends lock tasks, waiting for the lock or holding it (either
 * is running): 4 tasks that hold it for 200 ms under a 50 ms timeout all
 * time out, and the run ends. A worker timed out holding the lock lets it
 * go before it dies: of 2 workers with lock:0:300 and a 450 ms timeout,
 * one holds the lock 300 ms while the other waits, gets it, and times out
 * holding it; its retry must get the lock at once and end ok. */
static void
test_lock_timeout (void)
{
  RunOptions capped = { .timeout_s = 10 };
  const char *timeout_args[] = { "run", "--items", "1..4", "--workload", "lock:0:200",
                                 "--workers", "2", "--timeout", "0.05", "--json",
                                 "--format", "none", "-q", NULL };
  const char *retry_args[] = { "run", "--items", "1..2", "--workload", "lock:0:300",
                               "--workers", "2", "--chunksize", "1", "--timeout", "0.45",
                               "--retries", "1", "--json", "--format", "none", "-q", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *summary;
  Result r = { 0 };

  run_argv (timeout_args, &capped, &r);
  g_assert_cmpint (r.status, ==, 1);
  summary = lock_summary (parser, r.out);
  g_test_message ("lock:0:200, --timeout 0.05: ended in %.3f s", r.wall_us / 1e6);
  g_assert_cmpint (json_object_get_int_member (summary, "timed_out"), ==, 4);
  result_clear (&r);

  run_argv (retry_args, &capped, &r);
  summary = lock_summary (parser, r.out);
  g_test_message ("lock:0:300, --timeout 0.45 --retries 1: ended in %.3f s", r.wall_us / 1e6);
  g_assert_cmpint (json_object_get_int_member (summary, "retried"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "ok"), ==, 2);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
}

/* A worker SIGKILLed while it holds the lock (not by the engine, so
 * nothing could let the lock go) does not wedge the pool: the engine
 * finds it taken, with no lock task ending, for 2 × IN + 1 s, and
 * releases it; the task left runs. */
static void
test_lock_lost (void)
{
  g_autofree char *log = tmp_path ("lock-lost.jsonl");
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GPtrArray) events = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC, t0;
  guint started = 0, ok = 0, crashed = 0, notices = 0;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, POOLSCOPE_RUN, "run", "--items", "1..3",
                           "--workload", "lock:0:300", "--workers", "2", "--chunksize", "1",
                           "--log", log, NULL);
  g_assert_no_error (error);
  /* both tasks begun: one holds the lock, the other waits for it */
  while (started < 2 && g_get_monotonic_time () < deadline)
    {
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;

      g_usleep (5000);
      if (!g_file_get_contents (log, &contents, NULL, NULL))
        continue;
      lines = g_strsplit (contents, "\n", -1);
      g_array_set_size (pids, 0);
      started = 0;
      for (guint i = 0; lines[i]; i++)
        if (g_str_has_prefix (lines[i], "{\"event\":\"worker-start\""))
          {
            const char *p = strstr (lines[i], "\"pid\":");
            int pid = p ? atoi (p + 6) : 0;
            g_array_append_val (pids, pid);
          }
        else if (g_str_has_prefix (lines[i], "{\"event\":\"task-start\""))
          started++;
    }
  g_assert_cmpuint (started, ==, 2);
  g_assert_cmpuint (pids->len, ==, 2);
  g_usleep (50000);
  for (guint i = 0; i < pids->len; i++)
    g_assert_cmpint (kill (g_array_index (pids, int, i), SIGKILL), ==, 0);
  t0 = g_get_monotonic_time ();
  wait_capped (proc, 10);
  g_test_message ("the lock was lost with its holder: the run ended %.3f s later",
                  (g_get_monotonic_time () - t0) / 1e6);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  g_assert_cmpuint (count_lock_semaphores (g_subprocess_get_identifier (proc)), ==, 0);

  events = read_log (log);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (events, i);

      if (is_event (o, "notice"))
        {
          const char *message = json_object_get_string_member (o, "message");

          notices += strstr (message, "holding the lock") != NULL;
        }
      else if (is_event (o, "task-end"))
        {
          const char *status = json_object_get_string_member (o, "status");

          ok += g_str_equal (status, "ok");
          crashed += g_str_equal (status, "crashed");
        }
    }
  g_assert_cmpuint (crashed, ==, 2);
  g_assert_cmpuint (ok, ==, 1);
  g_assert_cmpuint (notices, ==, 1);
}

/* SIGUSR1 adds a worker and SIGUSR2 takes one away while the run goes,
 * as with xargs -P: each resize is an event in the log, new workers take
 * work at once, a surplus one leaves as a worker leaves at the end (not a
 * crash), and every task still runs once. */
static void
test_resize_signals (void)
{
  g_autofree char *log = tmp_path ("resize.jsonl");
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GHashTable) late_workers = g_hash_table_new (g_str_hash, g_str_equal);
  guint resizes[8], n_resizes = 0, starts = 0, retired = 0, ok = 0;
  gint64 first_resize = -1, last_task_end = 0;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                           POOLSCOPE_RUN, "run", "--items", "1..150", "--workload", "sleep:20", "--workers", "2",
                           "--chunksize", "1", "--format", "none", "--log", log, NULL);
  g_assert_no_error (error);
  g_usleep (300000);
  g_subprocess_send_signal (proc, SIGUSR1);
  g_usleep (300000);
  g_subprocess_send_signal (proc, SIGUSR1);
  g_usleep (300000);
  g_subprocess_send_signal (proc, SIGUSR2);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);

  events = read_log (log);
  /* the workers that leave at the end do so after the last task ended
   * (under a sanitizer, some ms apart): the one let go, well before */
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (events, i);

      if (is_event (o, "task-end") || is_event (o, "tasks"))
        last_task_end = MAX (last_task_end, json_object_get_int_member (o, "t"));
    }
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (events, i);

      if (is_event (o, "resize"))
        {
          g_assert_cmpuint (n_resizes, <, G_N_ELEMENTS (resizes));
          resizes[n_resizes++] = json_object_get_int_member (o, "workers");
          if (first_resize < 0)
            first_resize = json_object_get_int_member (o, "t");
        }
      else if (is_event (o, "worker-start"))
        starts++;
      else if (is_event (o, "worker-exit") && json_object_get_int_member (o, "t") < last_task_end)
        {
          /* left before the end: the one SIGUSR2 let go, and not as a crash */
          g_assert_cmpint (json_object_get_int_member (o, "exit_code"), ==, 0);
          g_assert_false (json_object_has_member (o, "reason"));
          retired++;
        }
      else if (is_event (o, "task-end") || is_event (o, "tasks"))
        {
          if (first_resize >= 0 && json_object_get_int_member (o, "t") > first_resize + 100000000)
            g_hash_table_add (late_workers, (gpointer) json_object_get_string_member (o, "worker"));
          ok += is_event (o, "tasks") ? json_array_get_length (json_object_get_array_member (o, "tasks")) : 1;
        }
    }
  g_test_message ("resizes %u, worker starts %u, retired %u, workers after the first resize %u, tasks %u",
                  n_resizes, starts, retired, g_hash_table_size (late_workers), ok);
  g_assert_cmpuint (n_resizes, ==, 3);
  g_assert_cmpuint (resizes[0], ==, 3);
  g_assert_cmpuint (resizes[1], ==, 4);
  g_assert_cmpuint (resizes[2], ==, 3);
  g_assert_cmpuint (starts, ==, 4);
  g_assert_cmpuint (retired, ==, 1);
  g_assert_cmpuint (g_hash_table_size (late_workers), >=, 3);
  g_assert_cmpuint (ok, ==, 150);
  g_unlink (log);
}

/* Growing a pool whose workers retire after each chunk
 * (--max-tasks-per-child 1) starts one more place, not one a retiring
 * worker: never more than the new size live at once. */
static void
test_resize_retiring (void)
{
  g_autofree char *log = tmp_path ("resize-retiring.jsonl");
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gint live = 0, most = 0, most_after = 0;
  gboolean resized = FALSE;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                           POOLSCOPE_RUN, "run", "--items", "1..60", "--workload", "sleep:15", "--workers", "2",
                           "--chunksize", "1", "--max-tasks-per-child", "1", "--format", "none", "--log", log, NULL);
  g_assert_no_error (error);
  g_usleep (250000);
  g_subprocess_send_signal (proc, SIGUSR1);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  events = read_log (log);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (events, i);

      resized |= is_event (o, "resize");
      live += is_event (o, "worker-start") ? 1 : is_event (o, "worker-exit") ? -1 : 0;
      most = MAX (most, live);
      if (resized)
        most_after = MAX (most_after, live);
    }
  g_test_message ("most live workers %d, after the resize %d", most, most_after);
  g_assert_true (resized);
  g_assert_cmpint (most_after, >=, 3);
  g_assert_cmpint (most, <=, 3);
  g_unlink (log);
}

int
main (int    argc,
      char **argv)
{
  cli_tests_init (&argc, &argv, "test-cli");
  g_test_add_func ("/ps/cli/presets", test_presets);
  g_test_add_func ("/ps/cli/items-sources", test_items_sources);
  g_test_add_func ("/ps/cli/bad-command-lines", test_bad_command_lines);
  g_test_add_func ("/ps/cli/version", test_version);
  g_test_add_func ("/ps/cli/log-and-summary", test_log_and_summary);
  g_test_add_func ("/ps/cli/failure-exit", test_failure_exit);
  g_test_add_func ("/ps/cli/no-orphans", test_no_orphans);
  g_test_add_func ("/ps/cli/interrupt", test_interrupt);
  g_test_add_func ("/ps/cli/kill-storm", test_kill_storm);
  g_test_add_func ("/ps/cli/timeout", test_timeout);
  g_test_add_func ("/ps/cli/timeout-retried", test_timeout_retried);
  g_test_add_func ("/ps/cli/max-tasks-per-child", test_max_tasks_per_child);
  g_test_add_func ("/ps/cli/retries", test_retries);
  g_test_add_func ("/ps/cli/log-disk-full", test_log_disk_full);
  g_test_add_func ("/ps/cli/log-size-limit", test_log_size_limit);
  g_test_add_func ("/ps/cli/log-stop-reported-at-once", test_log_stop_reported_at_once);
  g_test_add_func ("/ps/cli/hostile-item-files", test_hostile_item_files);
  g_test_add_func ("/ps/cli/endless-items", test_endless_items);
  g_test_add_func ("/ps/cli/thirteen-million-lines", test_thirteen_million_lines);
  g_test_add_func ("/ps/cli/ipc-items-from-stdin", test_ipc_items_from_stdin);
  g_test_add_func ("/ps/cli/shared-queue", test_shared_queue);
  g_test_add_func ("/ps/cli/unordered-chunks", test_unordered_chunks);
  g_test_add_func ("/ps/cli/python-list", test_python_list);
  g_test_add_func ("/ps/cli/seed-and-jobs", test_seed_and_jobs);
  g_test_add_func ("/ps/cli/sigint-to-group", test_sigint_to_group);
  g_test_add_func ("/ps/cli/resize-signals", test_resize_signals);
  g_test_add_func ("/ps/cli/resize-retiring", test_resize_retiring);
  g_test_add_func ("/ps/cli/timeout-exact", test_timeout_exact);
  g_test_add_func ("/ps/cli/descriptor-limit", test_descriptor_limit);
  g_test_add_func ("/ps/cli/log-onto-items", test_log_onto_items);
  g_test_add_func ("/ps/cli/log-to-stdout", test_log_to_stdout);
  g_test_add_func ("/ps/cli/stdout-errors", test_stdout_errors);
  g_test_add_func ("/ps/cli/idle-engine-wakeups", test_idle_engine_wakeups);
  g_test_add_func ("/ps/cli/lock-workload", test_lock_workload);
  g_test_add_func ("/ps/cli/lock-removed", test_lock_removed);
  g_test_add_func ("/ps/cli/lock-timeout", test_lock_timeout);
  g_test_add_func ("/ps/cli/lock-lost", test_lock_lost);
  return cli_tests_run ();
}
