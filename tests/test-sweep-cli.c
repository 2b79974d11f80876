/* test-sweep-cli.c: poolscope-run sweep over real pools
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include <glib/gstdio.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ps-log-reader.h"
#include "ps-sweep.h"

/* Runs poolscope-run with @argv (NULL-terminated, without the binary);
 * returns its exit status, stdout and stderr. */
static int
run (char              **out,
     char              **err,
     guint               interrupt_after_ms,
     const char * const *argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) o = NULL, e = NULL;
  GCancellable *none = NULL;

  g_ptr_array_add (args, (char *) POOLSCOPE_RUN);
  for (guint i = 0; argv[i]; i++)
    g_ptr_array_add (args, (char *) argv[i]);
  g_ptr_array_add (args, NULL);
  proc = g_subprocess_newv ((const char * const *) args->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  if (interrupt_after_ms)
    {
      g_usleep (interrupt_after_ms * 1000);
      g_subprocess_send_signal (proc, SIGINT);
    }
  g_assert_true (g_subprocess_communicate (proc, NULL, none, &o, &e, &error));
  g_assert_no_error (error);
  *out = g_strndup (g_bytes_get_size (o) ? g_bytes_get_data (o, NULL) : "", g_bytes_get_size (o));
  *err = g_strndup (g_bytes_get_size (e) ? g_bytes_get_data (e, NULL) : "", g_bytes_get_size (e));
  return g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc)
                                           : 128 + g_subprocess_get_term_sig (proc);
}

static JsonObject *
parse (JsonParser *parser,
       const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static JsonObject *
point (JsonObject *sweep,
       guint       workers)
{
  JsonArray *points = json_object_get_array_member (sweep, "points");

  for (guint i = 0; i < json_array_get_length (points); i++)
    {
      JsonObject *p = json_array_get_object_element (points, i);

      if (json_object_get_int_member (p, "workers") == workers)
        return p;
    }
  g_assert_not_reached ();
  return NULL;
}

/* Waiting work scales with the pool, CPUs or not: 1 to 16 workers of
 * sleep:20 on this machine's two CPUs, each count run twice. */
static void
test_sleep_scales (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *sweep;
  double last = 0;
  int status;

  status = run (&out, &err, 0, (const char *[]) { "sweep", "--items", "1..96", "--workload", "sleep:20",
                                                  "--chunksize", "1", "--workers", "1,2,4,8,16", "--reps", "2",
                                                  "--json", NULL });
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  sweep = parse (parser, out);
  for (guint n = 1; n <= 16; n *= 2)
    {
      JsonObject *p = point (sweep, n);
      double speedup = json_object_get_double_member (p, "speedup");

      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (p, "reps")), ==, 2);
      g_assert_cmpfloat (json_object_get_double_member (p, "efficiency"), >, n <= 8 ? 0.8 : 0.6);
      g_assert_cmpfloat (speedup, >, last);
      g_assert_cmpfloat (json_object_get_double_member (p, "wall_s"), >, 0);
      g_assert_cmpfloat (json_object_get_double_member (p, "tasks_per_s"), >, 0);
      last = speedup;
    }
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (sweep, "amdahl"),
                                                    "serial_fraction"), <, 0.05);
  g_assert_true (json_object_has_member (json_object_get_object_member (sweep, "usl"), "sigma"));
  g_assert_true (json_object_has_member (json_object_get_object_member (sweep, "usl"), "kappa"));
  g_assert_true (json_object_has_member (json_object_get_object_member (sweep, "usl"), "peak_workers"));
  g_assert_cmpint (json_object_get_int_member (sweep, "recommended"), ==, 16);
  g_assert_nonnull (strstr (json_object_get_string_member (sweep, "reason"), "best throughput"));
}

/* CPU-bound work on the usable CPUs: the answer is their number. */
static void
test_cpu_recommends_cpus (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint usable = ps_sweep_usable_cpus (NULL);
  JsonObject *sweep;
  int status;

  if (usable > 4)
    {
      g_test_skip ("more than four usable CPUs: 1..4 workers never oversubscribe them");
      return;
    }
  status = run (&out, &err, 0, (const char *[]) { "sweep", "--items", "1..32", "--workload", "cpu:20",
                                                  "--chunksize", "1", "--workers", "1..4", "--reps", "2",
                                                  "--json", NULL });
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  sweep = parse (parser, out);
  g_assert_cmpint (json_object_get_int_member (sweep, "usable_cpus"), ==, usable);
  g_assert_cmpint (json_object_get_int_member (sweep, "recommended"), ==, usable);
  g_assert_cmpfloat (json_object_get_double_member (point (sweep, 1), "cpu_use"), >, 0.8);
  if (usable < 4)
    g_assert_nonnull (strstr (json_object_get_string_member (sweep, "reason"), "waits for a CPU"));
}

/* The contention workload: each task holds the pool's one lock for IN of
 * its OUT + IN ms. A mutex is not quite Amdahl's law: below
 * (OUT + IN) / IN = 5 workers the lock is seldom waited for, above it
 * the pool runs one task per IN ms whatever its size. So the serial
 * fraction IN / (OUT + IN) = 0.2 shows at the largest counts: in the
 * Karp–Flatt measure there, and in the plateau of 1 / IN = 250 tasks a
 * second; a least-squares Amdahl fit over every count finds less (about
 * 0.1: the small counts ran better than Amdahl's law says). */
static void
test_lock_serial_fraction (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *sweep, *p16;
  double karp_flatt, best = 0, s;
  JsonArray *points;
  int status;

  status = run (&out, &err, 0, (const char *[]) { "sweep", "--items", "1..48", "--workload", "lock:16:4",
                                                  "--chunksize", "1", "--workers", "1,2,4,8,16", "--reps", "2",
                                                  "--json", NULL });
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  sweep = parse (parser, out);
  p16 = point (sweep, 16);
  karp_flatt = json_object_get_double_member (p16, "karp_flatt");
  s = json_object_get_double_member (json_object_get_object_member (sweep, "amdahl"), "serial_fraction");
  points = json_object_get_array_member (sweep, "points");
  for (guint i = 0; i < json_array_get_length (points); i++)
    best = MAX (best, json_object_get_double_member (json_array_get_object_element (points, i), "tasks_per_s"));
  g_test_message ("Karp-Flatt at 16: %.3f, Amdahl fit %.3f, best %.0f tasks/s", karp_flatt, s, best);
  g_assert_cmpfloat (karp_flatt, >=, 0.15);
  g_assert_cmpfloat (karp_flatt, <=, 0.25);
  g_assert_cmpfloat (best, <=, 250 * 1.05);
  g_assert_cmpfloat (best, >=, 250 * 0.75);
  /* the fit sees contention: it is no longer near 0 as for sleep */
  g_assert_cmpfloat (s, >=, 0.05);
  /* and the answer is not the largest pool: 8 or 16 do the same */
  g_assert_cmpint (json_object_get_int_member (sweep, "recommended"), <=, 8);
}

/* The table on a terminal's stdout: a row a count, the fits, the answer. */
static void
test_table (void)
{
  g_autofree char *out = NULL, *err = NULL;
  int status;

  status = run (&out, &err, 0, (const char *[]) { "sweep", "--items", "1..20", "--workload", "sleep:5",
                                                  "--workers", "1..3", "--reps", "1", "--no-warmup", NULL });
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_prefix (out, "workers"));
  g_assert_nonnull (strstr (out, "\n1 "));
  g_assert_nonnull (strstr (out, "\n3 "));
  g_assert_nonnull (strstr (out, "Amdahl: serial fraction"));
  g_assert_nonnull (strstr (out, "USL: "));
  g_assert_nonnull (strstr (out, "Recommended: "));
}

/* Ctrl+C ends the run under way; the points finished are kept. */
static void
test_interrupt (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *sweep;
  JsonArray *points;
  guint measured = 0;
  int status;

  status = run (&out, &err, 1500, (const char *[]) { "sweep", "--items", "1..8", "--workload", "sleep:100",
                                                     "--chunksize", "1", "--workers", "1,2,4,8", "--reps", "3",
                                                     "--no-warmup", "--json", NULL });
  g_test_message ("%d %s%s", status, out, err);
  g_assert_cmpint (status, ==, 130);
  g_assert_nonnull (strstr (err, "interrupted"));
  sweep = parse (parser, out);
  points = json_object_get_array_member (sweep, "points");
  g_assert_cmpuint (json_array_get_length (points), ==, 4);
  for (guint i = 0; i < 4; i++)
    measured += json_array_get_length (json_object_get_array_member (json_array_get_object_element (points, i),
                                                                     "reps")) > 0;
  /* 1.5 s: some runs ended (8 at 100 ms take 0.1 to 0.8 s each), not all twelve */
  g_assert_cmpuint (measured, >=, 1);
  g_assert_cmpuint (measured, <=, 4);
}

/* --log: each run's events after a sweep-run line, the result last; the
 * result in the log is the one on stdout; a replay says what the file is. */
static void
test_log (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ps-sweep-log-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "sweep.jsonl", NULL);
  g_autofree char *out = NULL, *err = NULL, *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *printed, *last = NULL;
  guint sweep_runs = 0, run_starts = 0, run_ends = 0;
  g_autoptr(PsLog) log = NULL;
  int status;

  status = run (&out, &err, 0, (const char *[]) { "sweep", "--items", "1..8", "--workload", "sleep:5",
                                                  "--workers", "1,2", "--reps", "2", "--log", path,
                                                  "--json", NULL });
  g_assert_cmpint (status, ==, 0);
  printed = parse (parser, out);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (g_strstrip (text), "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_autoptr(JsonParser) line = json_parser_new ();
      JsonObject *o = parse (line, lines[i]);
      const char *event = json_object_get_string_member (o, "event");

      if (i == 0)
        g_assert_cmpstr (event, ==, "sweep-run");
      sweep_runs += g_str_equal (event, "sweep-run");
      run_starts += g_str_equal (event, "run-start");
      run_ends += g_str_equal (event, "run-end");
      if (lines[i + 1] == NULL)
        {
          g_assert_cmpstr (event, ==, "sweep-end");
          last = json_object_ref (json_object_get_object_member (o, "result"));
        }
    }
  g_assert_cmpuint (sweep_runs, ==, 5);   /* a warm-up and 2 × 2 */
  g_assert_cmpuint (run_starts, ==, 5);
  g_assert_cmpuint (run_ends, ==, 5);
  g_assert_nonnull (last);
  g_assert_cmpint (json_object_get_int_member (last, "recommended"), ==,
                   json_object_get_int_member (printed, "recommended"));
  g_assert_cmpstr (json_object_get_string_member (last, "reason"), ==,
                   json_object_get_string_member (printed, "reason"));
  json_object_unref (last);

  /* the log reader does not take it for a cut-off run */
  log = ps_log_load (path, &error);
  if (log != NULL)
    {
      g_test_message ("%s", log->problem);
      g_assert_nonnull (strstr (log->problem, "sizing sweep"));
    }
  else
    {
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "sizing sweep"));
    }
  g_unlink (path);
  g_rmdir (dir);
}

/* The usable CPUs are the affinity mask's, not the machine's: under
 * taskset -c 0, auto is 1, 2, 4 and CPU-bound work is answered with 1. */
static void
test_affinity (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *taskset = g_find_program_in_path ("taskset");
  JsonObject *sweep;
  JsonArray *points;

  if (taskset == NULL)
    {
      g_test_skip ("no taskset");
      return;
    }
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           "taskset", "-c", "0", POOLSCOPE_RUN, "sweep", "--items", "1..8", "--workload", "cpu:10",
                           "--chunksize", "1", "--reps", "1", "--no-warmup", "--json", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  sweep = parse (parser, out);
  g_assert_cmpint (json_object_get_int_member (sweep, "usable_cpus"), ==, 1);
  points = json_object_get_array_member (sweep, "points");
  g_assert_cmpuint (json_array_get_length (points), ==, 3);   /* auto: 1, 2, 4 */
  g_assert_cmpint (json_object_get_int_member (sweep, "recommended"), ==, 1);
}

/* Bad lists and counts: exit 2 with a message naming what is wrong. */
static void
test_bad_usage (void)
{
  static const struct { const char *args[4]; const char *says; } cases[] = {
    { { "--workers", "0..4", NULL }, "worker counts" },
    { { "--workers", "8..1", NULL }, "empty" },
    { { "--workers", "1..1000", NULL }, "more than 64" },
    { { "--workers", "1..10000", NULL }, "1 to 1024" },
    { { "--reps", "0", NULL }, "repetitions" },
    { { "--reps", "many", NULL }, "repetitions" },
    { { "--workers", NULL }, "needs a value" },
    { { "--tolerance", "2", NULL }, "tolerance" },
    { { "--bogus", NULL }, "unknown option" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      const char *argv[10] = { "sweep", "--items", "1..4", "--workload", "square" };
      guint n = 5;
      int status;

      for (guint a = 0; cases[i].args[a]; a++)
        argv[n++] = cases[i].args[a];
      argv[n] = NULL;
      status = run (&out, &err, 0, argv);
      g_test_message ("%s → %d %s", cases[i].args[0], status, err);
      g_assert_cmpint (status, ==, 2);
      g_assert_nonnull (strstr (err, cases[i].says));
      g_assert_cmpstr (out, ==, "");
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ps/sweep-cli/sleep-scales", test_sleep_scales);
  g_test_add_func ("/ps/sweep-cli/cpu-recommends-cpus", test_cpu_recommends_cpus);
  g_test_add_func ("/ps/sweep-cli/lock-serial-fraction", test_lock_serial_fraction);
  g_test_add_func ("/ps/sweep-cli/table", test_table);
  g_test_add_func ("/ps/sweep-cli/log", test_log);
  g_test_add_func ("/ps/sweep-cli/affinity", test_affinity);
  g_test_add_func ("/ps/sweep-cli/interrupt", test_interrupt);
  g_test_add_func ("/ps/sweep-cli/bad-usage", test_bad_usage);
  return g_test_run ();
}
