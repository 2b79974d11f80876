/* test-export.c: poolscope-run export, each format read by a tool that is
 * not ours: Python's csv module, GNU parallel's --resume, a trace model
 * built as Perfetto's importer builds it
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

/* Runs argv (not poolscope-run) and returns its stdout; the test fails
 * when it does not exit 0. */
static char *
run_tool (const char * const *argv,
          const char         *cwd)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;

  if (cwd)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    g_error ("%s failed: %s%s", argv[0], out, err);
  return out;
}

/* A command run with awkward items, one of which fails and stops it: a
 * log with ok, error and cancelled tasks, and texts to quote. */
static char *
make_log (const char *name,
          const char *const *extra)
{
  g_autofree char *items = tmp_path ("export-items");
  g_autofree char *at = NULL;
  char *log = tmp_path (name);
  const char *items_text = "a\nb,c\n\"quoted\" item\nstop\ne\nf\ng\nh\n";
  const char *args[32] = { "run", "--items", NULL, "-j2", "--chunksize", "1", "-q", "--log", log };
  Result r = { 0 };
  guint n = 9;

  g_assert_true (g_file_set_contents (items, items_text, -1, NULL));
  at = g_strconcat ("@", items, NULL);
  args[2] = at;
  for (guint i = 0; extra[i]; i++)
    args[n++] = extra[i];
  args[n] = NULL;
  run_argv (args, NULL, &r);
  g_assert_cmpint (r.status, ==, 1);
  result_clear (&r);
  return log;
}

static void
test_csv (void)
{
  static const char *const extra[] = { "--halt", "now,fail=1", "--shell",
                                       "sleep 0.05; echo \"out, {}\"; [ {} != stop ]", NULL };
  g_autofree char *log = make_log ("csv.log", extra);
  g_autofree char *csv = tmp_path ("out.csv");
  g_autofree char *checked = NULL;
  const char *python[] = {
    "python3", "-c",
    "import csv, sys\n"
    "rows = list(csv.DictReader(open(sys.argv[1], newline=''), strict=True))\n"
    "assert list(rows[0].keys()) == ['task','item','worker','pid','attempt','status','start_s',"
    "'end_s','duration_s','cpu_s','result','message'], rows[0].keys()\n"
    "for r in rows:\n"
    "    assert float(r['end_s']) >= float(r['start_s']) >= 0, r\n"
    "    assert abs(float(r['duration_s']) - (float(r['end_s']) - float(r['start_s']))) < 1e-6, r\n"
    "    assert r['worker'].startswith('ForkPoolWorker-'), r\n"
    "items = {r['item']: r for r in rows}\n"
    "assert items['b,c']['status'] in ('ok', 'cancelled'), items\n"
    "assert items['\"quoted\" item']['status'] in ('ok', 'cancelled'), items\n"
    "assert items['stop']['status'] == 'error' and items['stop']['message'] == 'exit status 1', items\n"
    "print(len(rows), sum(r['status'] == 'ok' for r in rows), sum(r['status'] == 'cancelled' for r in rows))\n",
    csv, NULL
  };
  Result r = { 0 };
  g_autofree char *raw = NULL;
  int rows, ok, cancelled;

  run_cli (NULL, &r, "export", log, "--to", "csv", "-o", csv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  g_assert_true (g_file_get_contents (csv, &raw, NULL, NULL));
  /* RFC 4180: CRLF after every record */
  g_assert_true (g_str_has_suffix (raw, "\r\n"));
  checked = run_tool (python, NULL);
  g_test_message ("csv rows, ok, cancelled: %s", checked);
  g_assert_cmpint (sscanf (checked, "%d %d %d", &rows, &ok, &cancelled), ==, 3);
  g_assert_cmpint (rows, >=, 4);
  g_assert_cmpint (ok, >=, 2);
  g_assert_cmpint (rows, ==, ok + 1 + cancelled);

  /* the same rows on stdout */
  run_cli (NULL, &r, "export", log, "--to", "csv", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, raw);
  result_clear (&r);
}

static void
test_joblog_resume (void)
{
  static const char *const extra[] = { "--halt", "now,fail=1", "--shell",
                                       "sleep 0.1; [ {} != stop ]", NULL };
  g_autofree char *log = make_log ("joblog.log", extra);
  g_autofree char *joblog = tmp_path ("joblog");
  g_autofree char *ran = tmp_path ("ran");
  g_autofree char *script = g_strdup_printf ("echo {} >> %s", ran);
  g_autofree char *text = NULL;
  g_autofree char *ran_text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  static const char *const items[] = { "a", "b,c", "\"quoted\" item", "stop", "e", "f", "g", "h" };
  Result r = { 0 };
  guint n_ran = 0;

  g_autofree char *parallel = g_find_program_in_path ("parallel");

  if (parallel == NULL)
    {
      g_test_skip ("GNU parallel is not installed (build-aux/dev installs it)");
      return;
    }
  run_cli (NULL, &r, "export", log, "--to", "joblog", "-o", joblog, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  g_assert_true (g_file_get_contents (joblog, &text, NULL, NULL));
  g_test_message ("%s", text);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand");
  for (guint i = 1; lines[i] && *lines[i]; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);

      g_assert_cmpuint (g_strv_length (f), ==, 9);
      g_assert_cmpstr (f[1], ==, ":");
      g_assert_nonnull (strchr (f[2], '.'));
      g_assert_cmpuint (strlen (strchr (f[2], '.') + 1), ==, 3);
      g_assert_cmpuint (strlen (f[3]), >=, 10);
      if (strstr (f[8], "[ stop !="))
        g_assert_cmpstr (f[6], ==, "1");
      g_hash_table_add (done, g_strdup (f[0]));
    }
  /* a, "b,c" and stop at least; the one beside stop may have been cancelled */
  g_assert_cmpuint (g_hash_table_size (done), >=, 3);
  g_assert_cmpuint (g_hash_table_size (done), <, 8);

  /* parallel runs only what the joblog does not have */
  {
    const char *argv[24] = { "parallel", "--will-cite", "--resume", "--joblog", joblog, "-j2", script, ":::" };
    guint n = 8;
    g_autofree char *out = NULL;

    for (guint i = 0; i < G_N_ELEMENTS (items); i++)
      argv[n++] = items[i];
    argv[n] = NULL;
    out = run_tool (argv, tmp_dir);
  }
  g_assert_true (g_file_get_contents (ran, &ran_text, NULL, NULL));
  g_test_message ("parallel ran:\n%s", ran_text);
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autofree char *seq = g_strdup_printf ("%u", i + 1);
      g_autofree char *line = g_strdup_printf ("%s\n", items[i]);
      gboolean ran_it = strstr (ran_text, line) != NULL;

      g_assert_true (ran_it != g_hash_table_contains (done, seq));
      n_ran += ran_it;
    }
  g_assert_cmpuint (n_ran + g_hash_table_size (done), ==, 8);
}

static void
test_trace (void)
{
  static const char *const extra[] = { "--halt", "now,fail=1", "--sample-hz", "50", "--shell",
                                       "sleep 0.1; [ {} != stop ]", NULL };
  g_autofree char *log = make_log ("trace.log", extra);
  g_autofree char *trace = tmp_path ("out.trace");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) last_end = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_autofree char *model_dir = g_test_build_filename (G_TEST_DIST, "..", "_build-node", "node_modules", NULL);
  g_autofree char *node = NULL;
  JsonArray *events;
  guint n_tasks = 0, n_threads = 0, n_counters = 0;
  Result r = { 0 };

  run_cli (NULL, &r, "export", log, "--to", "trace", "-o", trace, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);

  /* our checks: every event has a phase and a category, tasks last ≥ 0
   * and never overlap on their worker's track */
  json_parser_load_from_file (parser, trace, &error);
  g_assert_no_error (error);
  events = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "traceEvents");
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *e = json_array_get_object_element (events, i);
      const char *ph = json_object_get_string_member (e, "ph");

      g_assert_true (json_object_has_member (e, "cat"));
      if (g_str_equal (ph, "M"))
        n_threads += g_str_equal (json_object_get_string_member (e, "name"), "thread_name");
      else if (g_str_equal (ph, "C"))
        n_counters++;
      else if (g_str_equal (ph, "X"))
        {
          gint64 tid = json_object_get_int_member (e, "tid");
          double ts = json_object_get_double_member (e, "ts"), dur = json_object_get_double_member (e, "dur");
          gpointer prev = g_hash_table_lookup (last_end, GINT_TO_POINTER (tid));

          g_assert_cmpint (tid, >, 0);
          g_assert_cmpfloat (dur, >=, 0);
          /* in the order they ended, on one worker, each starts after the last ended */
          if (prev)
            g_assert_cmpfloat (ts + 0.001, >=, *(double *) prev);
          g_hash_table_insert (last_end, GINT_TO_POINTER (tid), g_memdup2 (&(double) { ts + dur }, sizeof (double)));
          n_tasks++;
        }
    }
  g_assert_cmpuint (n_threads, ==, 2);
  g_assert_cmpuint (n_tasks, >=, 4);
  g_assert_cmpuint (n_counters, >, 0);

  /* and a reader that is not ours: the trace model Perfetto-like tools build */
  if (!g_file_test (model_dir, G_FILE_TEST_IS_DIR) || (node = g_find_program_in_path ("node")) == NULL)
    {
      g_test_message ("@tracerbench/trace-model not in %s (build-aux/dev installs it with npm): "
                      "the independent check is skipped", model_dir);
      return;
    }
  {
    g_autofree char *quoted_dir = g_strdup_printf ("'%s'", model_dir);
    g_autofree char *real_script = NULL;
    g_autofree char *out = NULL;
    const char *argv[] = { "node", "-e", NULL, trace, NULL };
    guint threads = 0, tasks = 0;

    real_script = g_strdup_printf (
      "const { buildModel } = require(%s + '/@tracerbench/trace-model');\n"
      "const t = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));\n"
      "const m = buildModel(t.traceEvents);\n"
      "let tasks = 0, threads = 0;\n"
      "for (const p of m.processes) for (const th of p.threads) {\n"
      "  threads++;\n"
      "  if (!th.name.startsWith('ForkPoolWorker-')) throw new Error('thread ' + th.name);\n"
      "  for (const e of th.events) if ([].concat(e.cat).includes('task')) tasks++;\n"
      "}\n"
      "console.log(threads + ' ' + tasks);\n", quoted_dir);
    argv[2] = real_script;
    out = run_tool (argv, NULL);
    g_test_message ("trace-model: threads, tasks: %s", out);
    g_assert_cmpint (sscanf (out, "%u %u", &threads, &tasks), ==, 2);
    g_assert_cmpuint (threads, ==, 2);
    g_assert_cmpuint (tasks, ==, n_tasks);
  }
}

static void
test_jsonl_and_bad_input (void)
{
  static const char *const extra[] = { "--halt", "now,fail=1", "--", "test", "{}", "!=", "stop", NULL };
  g_autofree char *log = make_log ("jsonl.log", extra);
  g_autofree char *again = tmp_path ("again.log");
  g_autofree char *cut = tmp_path ("cut.log");
  g_autofree char *text = NULL;
  g_autofree char *copy = NULL;
  gsize len;
  Result r = { 0 };

  /* jsonl: the log, as the engine writes it */
  run_cli (NULL, &r, "export", log, "--to", "jsonl", "-o", again, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  g_assert_true (g_file_get_contents (log, &text, &len, NULL));
  g_assert_true (g_file_get_contents (again, &copy, NULL, NULL));
  g_assert_cmpstr (copy, ==, text);

  /* a log cut in a line: what came before, and said (exit 1) */
  g_assert_true (g_file_set_contents (cut, text, len * 2 / 3, NULL));
  run_cli (NULL, &r, "export", cut, "--to", "csv", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_true (g_str_has_prefix (r.out, "task,item,"));
  g_assert_nonnull (strstr (r.err, "the export has what came before"));
  result_clear (&r);

  /* bad usage: exit 2, in words, nothing written */
  run_cli (NULL, &r, "export", log, "--to", "xlsx", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "jsonl, csv, joblog, trace"));
  result_clear (&r);
  run_cli (NULL, &r, "export", log, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--to is needed"));
  result_clear (&r);
  run_cli (NULL, &r, "export", "/nonexistent/log", "--to", "csv", NULL);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);
  run_cli (NULL, &r, "export", log, "--to", "csv", "-o", log, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "would destroy it"));
  result_clear (&r);
  run_cli (NULL, &r, "export", "/etc/passwd", "--to", "csv", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);
}

int
main (int    argc,
      char **argv)
{
  cli_tests_init (&argc, &argv, "test-export");
  g_test_add_func ("/ps/export/csv", test_csv);
  g_test_add_func ("/ps/export/joblog-resume", test_joblog_resume);
  g_test_add_func ("/ps/export/trace", test_trace);
  g_test_add_func ("/ps/export/jsonl-and-bad-input", test_jsonl_and_bad_input);
  return cli_tests_run ();
}
