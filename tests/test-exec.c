/* test-exec.c: your own work in the pool: a command per item, worker
 * programs — real programs, real process groups
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cli-run.h"

/* Items no command may read as code: each would create a file in
 * tmp_dir if a shell ever parsed it. */
static const char *const hostile[] = {
  "plain",
  "with space",
  "it's",
  "\"double\"",
  "$(touch @/pwned-dollar)",
  "`touch @/pwned-backquote`",
  "a; touch @/pwned-semicolon",
  "a && touch @/pwned-and",
  "| touch @/pwned-pipe",
  "$HOME",
  "-n",
  "--help",
  "ünïcödé ✓",
  "dir/sub.dir/name.tar.gz",
  ".bashrc",
  "*",
  "\\back\\slash",
  NULL
};

static char *
hostile_item (guint i)
{
  g_auto(GStrv) parts = g_strsplit (hostile[i], "@", -1);

  return g_strjoinv (tmp_dir, parts);
}

static char *
write_items (const char *name,
             GPtrArray  *items)
{
  GString *text = g_string_new (NULL);
  char *path = tmp_path (name);

  for (guint i = 0; i < items->len; i++)
    g_string_append_printf (text, "%s\n", (const char *) g_ptr_array_index (items, i));
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  g_string_free (text, TRUE);
  return path;
}

static void
assert_no_pwned_file (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)))
    if (g_str_has_prefix (name, "pwned"))
      g_error ("an item ran as shell code: %s/%s exists", tmp_dir, name);
}

static JsonObject *
parse_summary (const char *out)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *last = strrchr (out, '{');
  g_autoptr(GError) error = NULL;

  /* the summary is the last line: the one object with "tasks" */
  for (const char *p = out; (p = strstr (p, "{\"tasks\"")); p++)
    last = p;
  g_assert_nonnull (last);
  json_parser_load_from_data (parser, last, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Whether any process on the machine has @marker in its command line. */
static gboolean
process_with (const char *marker)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (proc)))
    {
      g_autofree char *path = NULL;
      g_autofree char *cmdline = NULL;
      gsize len;

      if (!g_ascii_isdigit (*name) || atoi (name) == getpid ())
        continue;
      path = g_strdup_printf ("/proc/%s/cmdline", name);
      if (!g_file_get_contents (path, &cmdline, &len, NULL))
        continue;
      for (gsize i = 0; i + 1 < len; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, marker) && !strstr (cmdline, "test-exec"))
        return TRUE;
    }
  return FALSE;
}

/* What a leftover would be: a process that outlives its task dies
 * soon after, if at all. */
static void
assert_no_process_with (const char *marker)
{
  for (int i = 0; i < 50 && process_with (marker); i++)
    g_usleep (20000);
  if (process_with (marker))
    g_error ("a process with “%s” outlived its task", marker);
}

static void
test_replacements_hostile (void)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = NULL;
  g_autofree char *at = NULL;
  GString *expected_argv = g_string_new (NULL);
  GString *expected_shell = g_string_new (NULL);
  static const char *const starts[] = { "fork", "spawn" };

  for (guint i = 0; hostile[i]; i++)
    {
      char *item = hostile_item (i);
      g_autofree char *base = g_path_get_basename (item);
      g_autofree char *dir = g_path_get_dirname (item);
      const char *dot = strrchr (base, '.');
      gsize base_noext = dot && dot != base ? (gsize) (dot - base) : strlen (base);
      const char *slash = strrchr (item, '/');
      const char *idot = strrchr (slash ? slash + 1 : item, '.');
      gsize item_noext = idot && idot != (slash ? slash + 1 : item) ? (gsize) (idot - item) : strlen (item);

      g_string_append_printf (expected_argv, "%s|%.*s|%s|%s|%.*s|%u\n", item, (int) item_noext, item,
                              base, dir, (int) base_noext, base, i + 1);
      g_string_append_printf (expected_shell, "[%s] [%s] '%s' %u\n", item, base, item, i + 1);
      g_ptr_array_add (items, item);
    }
  path = write_items ("hostile", items);
  at = g_strconcat ("@", path, NULL);

  for (guint s = 0; s < G_N_ELEMENTS (starts); s++)
    {
      Result r = { 0 };

      /* no shell: the words as given, each replacement put in as it is */
      run_cli (NULL, &r, "run", "--items", at, "-j3", "--start", starts[s], "--result", "stdout",
               "--order", "map", "-q", "--", "printf", "%s|%s|%s|%s|%s|%s\\n",
               "{}", "{.}", "{/}", "{//}", "{/.}", "{#}", NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.out, ==, expected_argv->str);
      result_clear (&r);

      /* through the shell: in and out of double and single quotes, values never code */
      run_cli (NULL, &r, "run", "--items", at, "-j3", "--start", starts[s], "--result", "stdout",
               "--order", "map", "-q", "--shell", "printf '%s\\n' \"[{}] [{/}]\"\" '{}' {#}\"", NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.out, ==, expected_shell->str);
      result_clear (&r);

      /* the item appended when no replacement string says where */
      run_cli (NULL, &r, "run", "--items", at, "-j2", "--start", starts[s], "--result", "stdout",
               "--order", "map", "-q", "--shell", "printf '<%s>\\n'", NULL);
      g_assert_cmpint (r.status, ==, 0);
      for (guint i = 0; i < items->len; i++)
        {
          g_autofree char *line = g_strdup_printf ("<%s>\n", (const char *) g_ptr_array_index (items, i));
          g_assert_nonnull (strstr (r.out, line));
        }
      result_clear (&r);
    }
  assert_no_pwned_file ();
  g_string_free (expected_argv, TRUE);
  g_string_free (expected_shell, TRUE);
}

static void
test_exit_codes (void)
{
  Result r = { 0 };
  g_autoptr(JsonObject) summary = NULL;
  g_autofree char *log = tmp_path ("exit-codes.log");
  g_autoptr(GPtrArray) events = NULL;
  guint errors = 0, crashed = 0, ok = 0;

  /* 0 → ok, non-zero → error with the code, a signal → crashed */
  run_cli (NULL, &r, "run", "--items", "0,3,0,kill", "-j2", "-q", "--json", "--log", log,
           "--shell", "if [ {} = kill ]; then kill -SEGV $$; fi; exit {}", NULL);
  g_assert_cmpint (r.status, ==, 1);
  summary = parse_summary (r.out);
  g_assert_cmpint (json_object_get_int_member (summary, "ok"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (summary, "errors"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "crashed"), ==, 1);
  result_clear (&r);
  events = read_log (log);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *e = g_ptr_array_index (events, i);
      const char *status;

      if (!is_event (e, "task-end"))
        continue;
      status = json_object_get_string_member (e, "status");
      if (g_str_equal (status, "error"))
        {
          errors++;
          g_assert_cmpstr (json_object_get_string_member (e, "message"), ==, "exit status 3");
          g_assert_cmpint (json_object_get_int_member (e, "result"), ==, 3);
        }
      else if (g_str_equal (status, "crashed"))
        {
          crashed++;
          g_assert_cmpstr (json_object_get_string_member (e, "message"), ==, "killed by SIGSEGV");
        }
      else if (g_str_equal (status, "ok"))
        ok++;
    }
  g_assert_cmpuint (errors, ==, 1);
  g_assert_cmpuint (crashed, ==, 1);
  g_assert_cmpuint (ok, ==, 2);
  /* a command's crash is not its worker's: no worker was replaced */
  for (guint i = 0; i < events->len; i++)
    g_assert_false (is_event (g_ptr_array_index (events, i), "worker-exit") &&
                    json_object_get_int_member (g_ptr_array_index (events, i), "exit_code") != 0);

  /* a program that is not there: said once, before the run */
  run_cli (NULL, &r, "run", "--items", "1..1000", "-q", "--", "no-such-program-here", "{}", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpuint (count_substrings (r.err, "no-such-program-here"), ==, 1);
  g_assert_nonnull (strstr (r.err, "not found in PATH"));
  result_clear (&r);
  run_cli (NULL, &r, "run", "--items", "1", "-q", "--worker-program", "/nonexistent/worker", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "does not exist"));
  result_clear (&r);

  /* a program named by its item: each task says why it could not run */
  run_cli (NULL, &r, "run", "--items", "/nonexistent/a,/dev/null", "-q", "--json", "--", "{}", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "cannot run “/nonexistent/a”: No such file or directory"));
  g_assert_nonnull (strstr (r.err, "cannot run “/dev/null”: Permission denied"));
  result_clear (&r);
}

static void
test_bad_usage (void)
{
  static const struct { const char *args[8]; const char *says; } cases[] = {
    { { "--items", "1", "--", NULL }, "no command after" },
    { { "--items", "1", "--shell", "", NULL }, "empty script" },
    { { "--items", "1", "--worker-program", "   ", NULL }, "needs a program" },
    { { "--items", "1", "--worker-program", "awk 'unterminated", NULL }, "cannot be split into words" },
    { { "--items", "1", "--workload", "square", "--shell", "true", NULL }, "give one of them" },
    { { "--items", "1", "--tag", NULL }, "--tag is for commands" },
    { { "--items", "1", "--output-limit", "2G", "--", "true", NULL }, "at most 1G" },
    { { "--items", "1", "--output-limit", "0", "--", "true", NULL }, "needs --line-buffer" },
    { { "--items", "1", "--halt", "now,fail=0", "--", "true", NULL }, "--halt" },
    { { "--items", "1", "--halt", "later,fail=1", "--", "true", NULL }, "--halt" },
    { { "--items", "1", "--result", "stdout", "--worker-program", "cat", NULL }, "is for commands" },
    { { "--items", "1", "--worker-protocol", "json", "--", "true", NULL }, "for --worker-program" },
    { { "--items", "a\nb,c", "--worker-program", "cat", NULL }, "holds a line break" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[12] = { "run", "-q" };
      Result r = { 0 };
      guint n = 2;

      for (guint k = 0; cases[i].args[k]; k++)
        args[n++] = cases[i].args[k];
      args[n] = NULL;
      run_argv (args, NULL, &r);
      if (r.status != 2 || strstr (r.err, cases[i].says) == NULL)
        g_error ("case %u: exit %d, stderr “%s”, expected 2 and “%s”", i, r.status, r.err, cases[i].says);
      result_clear (&r);
    }
}

static void
test_timeout_kills_group (void)
{
  Result r = { 0 };
  g_autoptr(JsonObject) summary = NULL;

  /* the command starts children of its own, in and out of the background */
  run_cli (NULL, &r, "run", "--items", "1,2", "-j2", "-q", "--json", "--timeout", "0.3",
           "--shell", "sleep 9171.{} & sleep 9171.{}; wait", NULL);
  g_assert_cmpint (r.status, ==, 1);
  summary = parse_summary (r.out);
  g_assert_cmpint (json_object_get_int_member (summary, "timed_out"), ==, 2);
  g_assert_cmpint (r.wall_us, <, 5 * G_USEC_PER_SEC);
  assert_no_process_with ("sleep 9171.");
  result_clear (&r);

  /* a command that ends by itself: what it left behind goes with it */
  run_cli (NULL, &r, "run", "--items", "1", "-q", "--shell", "sleep 9172 & echo started", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (r.wall_us, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpstr (r.out, ==, "started 1\n");  /* the item, appended */
  assert_no_process_with ("sleep 9172");
  result_clear (&r);
}

static void
test_stop_kills_group (void)
{
  const char *argv[] = { POOLSCOPE_RUN, "run", "--items", "1..4", "-j2", "-q",
                         "--shell", ": {}; sleep 9173 & sleep 9173; wait", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 100 && !process_with ("sleep 9173"); i++)
    g_usleep (20000);
  g_assert_true (process_with ("sleep 9173"));
  g_usleep (100000);
  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 130);
  assert_no_process_with ("sleep 9173");
  g_clear_object (&proc);

  /* the engine killed outright: its workers take their commands with them */
  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 100 && !process_with ("sleep 9173"); i++)
    g_usleep (20000);
  g_assert_true (process_with ("sleep 9173"));
  g_subprocess_send_signal (proc, SIGKILL);
  g_subprocess_wait (proc, NULL, NULL);
  assert_no_process_with ("sleep 9173");
}

static void
test_output_bounded (void)
{
  Result r = { 0 };

  /* 50 MB from one task, 64 KiB kept: the rest counted and said */
  run_cli (NULL, &r, "run", "--items", "1", "-q", "--output-limit", "64K",
           "--shell", ": {}; head -c 50000000 /dev/zero | tr '\\0' x | fold -w 100", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpuint (strlen (r.out), <=, 65536 + 1024);
  g_assert_cmpuint (strlen (r.out), >=, 60000);
  g_assert_nonnull (strstr (r.err, "more bytes of output were not kept"));
  result_clear (&r);

  /* a command that never stops printing, ended by its timeout */
  run_cli (NULL, &r, "run", "--items", "1,2", "-j2", "-q", "--timeout", "0.5", "--output-limit", "1M",
           "--line-buffer", "--", "yes", "{}", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpuint (strlen (r.out), <=, 2 * (1024 * 1024 + 1024));
  g_assert_cmpint (r.wall_us, <, 10 * G_USEC_PER_SEC);
  result_clear (&r);

  /* a line without end comes in pieces, never all in memory at once */
  run_cli (NULL, &r, "run", "--items", "1", "-q", "--output-limit", "8M",
           "--shell", ": {}; head -c 5000000 /dev/zero | tr '\\0' y", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpuint (strlen (r.out), ==, 5000000 + 5);  /* pieces of 1 MiB, a newline each */
  result_clear (&r);
}

static void
test_descriptors_and_env (void)
{
  static const char *const starts[] = { "fork", "spawn" };

  for (guint s = 0; s < G_N_ELEMENTS (starts); s++)
    {
      Result r = { 0 };
      g_autofree char *env = NULL;

      /* only 0–2, stdin /dev/null */
      run_cli (NULL, &r, "run", "--items", "1,2,3", "-j2", "-q", "--start", starts[s], "--result", "stdout",
               "--shell", ": {}; ls /proc/$$/fd; readlink /proc/$$/fd/0", NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.out, ==, "0\n1\n2\n/dev/null\n0\n1\n2\n/dev/null\n0\n1\n2\n/dev/null\n");
      result_clear (&r);

      run_cli (NULL, &r, "run", "--items", "a,b,c,d", "-j2", "--chunksize", "1", "-q", "--start", starts[s],
               "--result", "stdout", "--shell",
               "echo $POOLSCOPE_TASK {#} $POOLSCOPE_SLOT {%} ${POOLSCOPE_WORKER%%-*}", NULL);
      g_assert_cmpint (r.status, ==, 0);
      env = g_strdup (r.out);
      {
        g_auto(GStrv) lines = g_strsplit (env, "\n", -1);

        g_assert_cmpuint (g_strv_length (lines), ==, 5);
        for (guint i = 0; i < 4; i++)
          {
            g_auto(GStrv) f = g_strsplit (lines[i], " ", -1);
            g_autofree char *task = g_strdup_printf ("%u", i + 1);

            g_assert_cmpuint (g_strv_length (f), ==, 5);
            g_assert_cmpstr (f[0], ==, task);
            g_assert_cmpstr (f[1], ==, task);
            g_assert_cmpstr (f[2], ==, f[3]);
            g_assert_true (g_str_equal (f[2], "1") || g_str_equal (f[2], "2"));
            g_assert_cmpstr (f[4], ==, s == 0 ? "ForkPoolWorker" : "SpawnPoolWorker");
          }
      }
      result_clear (&r);
    }
}

/* The CPU a shell's pipeline burns is its worker's, as the samples say:
 * the processes under the shell count, not the waiting shell alone. */
static void
test_samples_count_the_tree (void)
{
  g_autofree char *log = tmp_path ("samples.log");
  g_autoptr(GPtrArray) events = NULL;
  double most = 0;
  gint64 task_cpu = 0;
  Result r = { 0 };

  run_cli (NULL, &r, "run", "--items", "1", "-q", "--sample-hz", "20", "--log", log, "--shell",
           ": {}; head -c 60000000 /dev/urandom | gzip -1 -c > /dev/null", NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  events = read_log (log);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *e = g_ptr_array_index (events, i);

      if (is_event (e, "sample"))
        most = MAX (most, json_object_get_double_member (e, "cpu_percent"));
      else if (is_event (e, "task-end"))
        task_cpu = json_object_get_int_member (e, "cpu_ns");
    }
  g_test_message ("the busiest sample: %.1f%% of a core; the task's CPU time %.3f s", most, task_cpu / 1e9);
  /* before, only the shell was read: 0% */
  g_assert_cmpfloat (most, >=, 25);
  /* the task's CPU time is its process tree's too (rusage of the waited-for) */
  g_assert_cmpint (task_cpu, >=, 100 * G_GINT64_CONSTANT (1000000));
}

static void
test_output_modes (void)
{
  Result r = { 0 };
  g_auto(GStrv) lines = NULL;

  /* grouped: a task's lines together, though the tasks run side by side */
  run_cli (NULL, &r, "run", "--items", "a,b,c,d,e,f", "-j3", "--chunksize", "1", "-q",
           "--shell", "for i in 1 2 3; do echo {} $i; echo {} err $i >&2; sleep 0.02; done", NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 19);
  for (guint t = 0; t < 6; t++)
    for (guint k = 1; k < 3; k++)
      g_assert_cmpint (lines[t * 3 + k][0], ==, lines[t * 3][0]);
  g_assert_cmpuint (count_substrings (r.err, " err "), ==, 18);
  g_clear_pointer (&lines, g_strfreev);
  result_clear (&r);

  /* line-buffered, tagged: each line as it comes, after its item */
  run_cli (NULL, &r, "run", "--items", "x y,z", "-j2", "-q", "--line-buffer", "--tag",
           "--", "printf", "1\\n2\\n", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "x y\t1\n"));
  g_assert_nonnull (strstr (r.out, "x y\t2\n"));
  g_assert_nonnull (strstr (r.out, "z\t1\n"));
  g_assert_cmpuint (count_substrings (r.out, "\n"), ==, 4);
  result_clear (&r);

  /* --result stdout: results in submission order, as Pool.map */
  run_cli (NULL, &r, "run", "--items", "0.3,0.1,0.2", "-j3", "-q", "--result", "stdout",
           "--shell", "sleep {}; echo done {}", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "done 0.3\ndone 0.1\ndone 0.2\n");
  result_clear (&r);
}

static void
test_halt (void)
{
  Result r = { 0 };
  g_autoptr(JsonObject) summary = NULL;

  /* now: the first failure stops the run, the running task is cancelled */
  run_cli (NULL, &r, "run", "--items", "0,1,0,0,0,0,0,0", "-j1", "--chunksize", "1", "-q", "--json",
           "--halt", "now,fail=1", "--shell", "sleep 0.05; exit {}", NULL);
  g_assert_cmpint (r.status, ==, 1);
  summary = parse_summary (r.out);
  /* the task after it may have ended before the engine heard of the failure */
  g_assert_cmpint (json_object_get_int_member (summary, "ok"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "ok"), <=, 2);
  g_assert_cmpint (json_object_get_int_member (summary, "errors"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "cancelled"), ==,
                   7 - json_object_get_int_member (summary, "ok"));
  g_assert_nonnull (strstr (r.err, "--halt now: 1 task failed"));
  g_clear_pointer (&summary, json_object_unref);
  result_clear (&r);

  /* soon: what runs finishes, nothing new starts */
  run_cli (NULL, &r, "run", "--items", "1,0,0,0,0,0,0,0", "-j2", "--chunksize", "1", "-q", "--json",
           "--halt", "soon,fail=1", "--shell", "sleep 0.2; exit {}", NULL);
  g_assert_cmpint (r.status, ==, 1);
  summary = parse_summary (r.out);
  g_assert_cmpint (json_object_get_int_member (summary, "errors"), ==, 1);
  /* the task beside the failed one, and any the other worker held, ran to their end */
  g_assert_cmpint (json_object_get_int_member (summary, "ok"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "ok"), <=, 3);
  g_assert_cmpint (json_object_get_int_member (summary, "cancelled"), ==,
                   8 - 1 - json_object_get_int_member (summary, "ok"));
  g_clear_pointer (&summary, json_object_unref);
  result_clear (&r);

  /* success=50%: half of them done is enough */
  run_cli (NULL, &r, "run", "--items", "1..10", "-j1", "--chunksize", "1", "-q", "--json",
           "--halt", "now,success=50%", "--", "sh", "-c", "sleep 0.05", "sh", NULL);
  summary = parse_summary (r.out);
  g_assert_cmpint (json_object_get_int_member (summary, "ok"), >=, 5);
  g_assert_cmpint (json_object_get_int_member (summary, "ok"), <=, 6);
  g_assert_cmpint (json_object_get_int_member (summary, "cancelled"), ==,
                   10 - json_object_get_int_member (summary, "ok"));
  result_clear (&r);
}

static char *
python_worker (const char *name,
               const char *body)
{
  char *path = tmp_path (name);
  g_autofree char *text = g_strdup_printf ("import sys\nfrom poolscope_worker import serve\n%s\n", body);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_program_serve (void)
{
  g_autofree char *square = python_worker ("square.py", "serve(lambda item: int(item) ** 2)");
  g_autofree char *picky = python_worker ("picky.py",
                                          "def f(item):\n"
                                          "    if item == '3':\n"
                                          "        raise ValueError('no threes')\n"
                                          "    print('working on', item, file=sys.stderr)\n"
                                          "    return {'item': item}\n"
                                          "serve(f, json=True)");
  g_autofree char *command = g_strdup_printf ("python3 %s", square);
  g_autofree char *picky_command = g_strdup_printf ("python3 %s", picky);
  g_autoptr(JsonObject) summary = NULL;
  GString *expected = g_string_new (NULL);
  Result r = { 0 };

  for (int i = 1; i <= 2000; i++)
    g_string_append_printf (expected, "%d\n", i * i);
  run_cli (NULL, &r, "run", "--items", "1..2000", "-j2", "-q", "--worker-program", command, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, expected->str);
  result_clear (&r);

  /* the JSON protocol: an exception fails its task alone */
  run_cli (NULL, &r, "run", "--items", "1..5", "-j2", "-q", "--json", "--worker-program", picky_command,
           "--worker-protocol", "json", NULL);
  g_assert_cmpint (r.status, ==, 1);
  summary = parse_summary (r.out);
  g_assert_cmpint (json_object_get_int_member (summary, "ok"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (summary, "errors"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "crashed"), ==, 0);
  g_assert_nonnull (strstr (r.err, "ValueError: no threes"));
  g_assert_nonnull (strstr (r.out, "{\"item\": \"1\"}"));
  g_assert_cmpuint (count_substrings (r.err, "working on"), ==, 4);
  result_clear (&r);
  g_string_free (expected, TRUE);
}

static void
test_program_faults (void)
{
  g_autofree char *dies = python_worker ("dies.py",
                                         "def f(item):\n"
                                         "    if item == '3':\n"
                                         "        sys.exit(7)\n"
                                         "    return item\n"
                                         "serve(f)");
  g_autofree char *dies_command = g_strdup_printf ("python3 %s", dies);
  g_autoptr(JsonObject) summary = NULL;
  Result r = { 0 };

  /* it exits: its task crashed, the pool heals, the rest run */
  run_cli (NULL, &r, "run", "--items", "1..6", "-j1", "--chunksize", "1", "-q", "--json",
           "--worker-program", dies_command, NULL);
  g_assert_cmpint (r.status, ==, 1);
  summary = parse_summary (r.out);
  g_assert_cmpint (json_object_get_int_member (summary, "ok"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (summary, "crashed"), ==, 1);
  g_assert_nonnull (strstr (r.err, "exited with code 7 before it answered"));
  g_clear_pointer (&summary, json_object_unref);
  result_clear (&r);

  /* it hangs (never reads its stdin): --timeout ends it and its group */
  run_cli (NULL, &r, "run", "--items", "1..3", "-j1", "-q", "--json", "--timeout", "0.3",
           "--worker-program", "sleep 9174", NULL);
  g_assert_cmpint (r.status, ==, 1);
  summary = parse_summary (r.out);
  g_assert_cmpint (json_object_get_int_member (summary, "timed_out"), ==, 3);
  g_assert_cmpint (r.wall_us, <, 10 * G_USEC_PER_SEC);
  assert_no_process_with ("sleep 9174");
  g_clear_pointer (&summary, json_object_unref);
  result_clear (&r);

  /* garbage where JSON was due: a protocol error, said */
  run_cli (NULL, &r, "run", "--items", "1,2", "-j1", "-q", "--json", "--worker-protocol", "json",
           "--worker-program", "sh -c 'while read x; do echo garbage; done'", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "not a JSON object"));
  summary = parse_summary (r.out);
  g_assert_cmpint (json_object_get_int_member (summary, "crashed"), ==, 2);
  g_clear_pointer (&summary, json_object_unref);
  result_clear (&r);

  /* two lines for one item: in JSON the id shows it at once */
  run_cli (NULL, &r, "run", "--items", "1,2", "-j1", "-q", "--json", "--worker-protocol", "json",
           "--worker-program",
           "sh -c 'while read x; do echo \"{\\\"id\\\": 1, \\\"result\\\": 0}\"; "
           "echo \"{\\\"id\\\": 1, \\\"result\\\": 0}\"; done'", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "answered id 1 where id 2 was next"));
  result_clear (&r);

  /* …and in lines, once no item is left to take it */
  run_cli (NULL, &r, "run", "--items", "1", "-j1", "-q",
           "--worker-program", "sh -c 'read x; echo one; echo two; sleep 0.2'", NULL);
  g_assert_nonnull (strstr (r.err, "answered a line it was given no item for: “two”"));
  result_clear (&r);

  /* a program that exits at once: each task crashed, said in words, no hang */
  run_cli (NULL, &r, "run", "--items", "1..3", "-j1", "-q", "--json", "--worker-program", "true", NULL);
  g_assert_cmpint (r.status, ==, 1);
  /* seen while it waited for an item, or when it was given one */
  g_assert_nonnull (strstr (r.err, "the worker program “true” "));
  g_assert_nonnull (strstr (r.err, "exited with code 0 before"));
  result_clear (&r);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *contrib = NULL;

  cli_tests_init (&argc, &argv, "test-exec");
  /* serve(fn), from the source tree */
  contrib = g_test_build_filename (G_TEST_DIST, "..", "contrib", "python", NULL);
  g_setenv ("PYTHONPATH", contrib, TRUE);

  g_test_add_func ("/ps/exec/replacements-hostile", test_replacements_hostile);
  g_test_add_func ("/ps/exec/exit-codes", test_exit_codes);
  g_test_add_func ("/ps/exec/bad-usage", test_bad_usage);
  g_test_add_func ("/ps/exec/timeout-kills-group", test_timeout_kills_group);
  g_test_add_func ("/ps/exec/stop-kills-group", test_stop_kills_group);
  g_test_add_func ("/ps/exec/output-bounded", test_output_bounded);
  g_test_add_func ("/ps/exec/descriptors-and-env", test_descriptors_and_env);
  g_test_add_func ("/ps/exec/output-modes", test_output_modes);
  g_test_add_func ("/ps/exec/samples-count-the-tree", test_samples_count_the_tree);
  g_test_add_func ("/ps/exec/halt", test_halt);
  g_test_add_func ("/ps/exec/program-serve", test_program_serve);
  g_test_add_func ("/ps/exec/program-faults", test_program_faults);
  return cli_tests_run ();
}
