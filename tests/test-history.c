/* test-history.c: the runs kept — poolscope-run run --save and history,
 * with the real SQLite index, made again from the logs when it is damaged
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cli-run.h"

static JsonArray *
history_json (JsonParser *parser)
{
  Result r = { 0 };
  g_autoptr(GError) error = NULL;
  JsonArray *runs;

  run_cli (NULL, &r, "history", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  json_parser_load_from_data (parser, r.out, -1, &error);
  g_assert_no_error (error);
  runs = json_node_get_array (json_parser_get_root (parser));
  result_clear (&r);
  return runs;
}

/* the data folder of the runs this case starts (their XDG_DATA_HOME) */
static char *data_dir;

static void
fresh_data_dir (const char *name)
{
  g_free (data_dir);
  data_dir = tmp_path (name);
  g_setenv ("XDG_DATA_HOME", data_dir, TRUE);
}

static char *
index_path (void)
{
  return g_build_filename (data_dir, "poolscope", "index.sqlite3", NULL);
}

static void
test_save_and_list (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *db = NULL;
  JsonArray *runs;
  JsonObject *newest, *oldest;
  Result r = { 0 };

  fresh_data_dir ("data-save");
  db = index_path ();
  run_cli (NULL, &r, "run", "--preset", "square", "--save", "-q", NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  run_cli (NULL, &r, "run", "--items", "1..6", "-j2", "--save", "-q", "--shell", "test {} -lt 4", NULL);
  g_assert_cmpint (r.status, ==, 1);
  result_clear (&r);

  runs = history_json (parser);
  g_assert_cmpuint (json_array_get_length (runs), ==, 2);
  newest = json_array_get_object_element (runs, 0);
  oldest = json_array_get_object_element (runs, 1);
  g_assert_cmpstr (json_object_get_string_member (newest, "workload"), ==, "shell:test {} -lt 4");
  g_assert_cmpstr (json_object_get_string_member (newest, "status"), ==, "failed");
  g_assert_cmpint (json_object_get_int_member (newest, "tasks"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (newest, "ok"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (newest, "failed"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (oldest, "status"), ==, "ok");
  g_assert_cmpint (json_object_get_int_member (oldest, "tasks"), ==, 9);
  g_assert_true (g_file_test (json_object_get_string_member (oldest, "log"), G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (json_object_get_int_member (newest, "started_ns"), >=,
                   json_object_get_int_member (oldest, "started_ns"));

  /* a search keeps what holds its text */
  run_cli (NULL, &r, "history", "--search", "shell:", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "test {} -lt 4"));
  g_assert_null (strstr (r.out, "square"));
  result_clear (&r);
  /* % and _ are text, not patterns */
  run_cli (NULL, &r, "history", "--search", "%", NULL);
  g_assert_null (strstr (r.out, "square"));
  result_clear (&r);

  /* --save and --log: one or the other */
  run_cli (NULL, &r, "run", "--preset", "square", "--save", "--log", "x.log", NULL);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);

  /* a damaged index is made again from the logs: nothing is lost */
  g_assert_true (g_file_set_contents (db, "this is not a database", -1, NULL));
  run_cli (NULL, &r, "history", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "made again from the logs"));
  g_assert_nonnull (strstr (r.out, "square"));
  g_assert_nonnull (strstr (r.out, "test {} -lt 4"));
  result_clear (&r);

  /* and one damaged past its first page, where the rows are */
  {
    g_autofree char *contents = NULL;
    gsize len = 0;

    g_assert_true (g_file_get_contents (db, &contents, &len, NULL));
    g_assert_cmpuint (len, >=, 8192);
    memset (contents + 4096, 0xff, 4096);
    g_assert_true (g_file_set_contents (db, contents, len, NULL));
  }
  run_cli (NULL, &r, "history", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "made again from the logs"));
  g_assert_nonnull (strstr (r.out, "square"));
  result_clear (&r);

  /* so is a missing one */
  g_assert_cmpint (g_unlink (db), ==, 0);
  runs = history_json (parser);
  g_assert_cmpuint (json_array_get_length (runs), ==, 2);

  /* a log put in the folder joins the list (as the app's runs do) */
  {
    g_autofree char *copy = g_build_filename (data_dir, "poolscope", "runs", "run-29990101-000000Z-000.jsonl", NULL);
    g_autofree char *text = NULL;

    g_assert_true (g_file_get_contents (json_object_get_string_member (json_array_get_object_element (runs, 0), "log"),
                                        &text, NULL, NULL));
    g_assert_true (g_file_set_contents (copy, text, -1, NULL));
    runs = history_json (parser);
    g_assert_cmpuint (json_array_get_length (runs), ==, 3);
    g_assert_cmpint (g_unlink (copy), ==, 0);
    runs = history_json (parser);
    g_assert_cmpuint (json_array_get_length (runs), ==, 2);
  }

  /* a log deleted by hand leaves the list */
  g_assert_cmpint (g_unlink (json_object_get_string_member (json_array_get_object_element (runs, 1), "log")), ==, 0);
  runs = history_json (parser);
  g_assert_cmpuint (json_array_get_length (runs), ==, 1);
}

/* An engine killed outright leaves a log of what was seen: the run is
 * kept, said as cut off. */
static void
test_killed_run_kept (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *argv[] = { POOLSCOPE_RUN, "run", "--items", "1..100", "-j2", "--save", "-q",
                         "--workload", "sleep:50", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *runs;
  JsonObject *run;

  fresh_data_dir ("data-killed");
  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  g_usleep (600 * 1000);
  g_subprocess_send_signal (proc, SIGKILL);
  g_subprocess_wait (proc, NULL, NULL);

  /* the kept log's run is in the index only once it ended: the history
   * finds it in the folder when the index is made again */
  {
    g_autofree char *db = index_path ();
    g_unlink (db);
  }
  runs = history_json (parser);
  g_assert_cmpuint (json_array_get_length (runs), ==, 1);
  run = json_array_get_object_element (runs, 0);
  g_assert_cmpstr (json_object_get_string_member (run, "status"), ==, "cut off");
  g_assert_true (json_object_get_null_member (run, "wall_s"));
  g_assert_cmpint (json_object_get_int_member (run, "tasks"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (run, "log_bytes"), >, 0);
}

/* An index of a newer schema is left alone, and said. */
static void
test_newer_schema (void)
{
  g_autofree char *db = (fresh_data_dir ("data-newer"), index_path ());
  g_autofree char *dir = g_path_get_dirname (db);
  const char *sqlite[] = { "sqlite3", db, "PRAGMA user_version = 99;", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  Result r = { 0 };

  g_autofree char *program = g_find_program_in_path ("sqlite3");

  if (program == NULL)
    {
      g_test_skip ("the sqlite3 program is not installed (build-aux/dev installs it)");
      return;
    }
  g_mkdir_with_parents (dir, 0700);
  proc = g_subprocess_newv (sqlite, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (proc, NULL, &error));
  run_cli (NULL, &r, "history", NULL);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_nonnull (strstr (r.err, "newer Poolscope"));
  result_clear (&r);
  g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));
}

/* An index of schema 1 (before sweeps) is carried to this schema: its runs
 * stay, as runs; and a sweep saved then is listed as a sweep. */
static void
test_migrate_and_sweeps (void)
{
  g_autofree char *db = (fresh_data_dir ("data-migrate"), index_path ());
  g_autofree char *dir = g_path_get_dirname (db);
  g_autofree char *runs_dir = g_build_filename (dir, "runs", NULL);
  g_autofree char *log = g_build_filename (runs_dir, "run-old.jsonl", NULL);
  g_autofree char *v1 = g_strdup_printf (
    "CREATE TABLE runs (id INTEGER PRIMARY KEY, started_ns INTEGER NOT NULL, items TEXT NOT NULL,"
    " workload TEXT NOT NULL, start_method TEXT NOT NULL, workers INTEGER NOT NULL, tasks INTEGER NOT NULL,"
    " ok INTEGER NOT NULL, failed INTEGER NOT NULL, cancelled INTEGER NOT NULL, wall_ns INTEGER NOT NULL,"
    " status TEXT NOT NULL, path TEXT NOT NULL UNIQUE, size INTEGER NOT NULL);"
    "CREATE INDEX runs_by_time ON runs (started_ns DESC, id DESC);"
    "PRAGMA user_version = 1;");
  const char *make[] = { "sqlite3", db, v1, NULL };
  const char *version[] = { "sqlite3", db, "PRAGMA user_version;", NULL };
  g_autofree char *program = g_find_program_in_path ("sqlite3");
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *runs;
  JsonObject *sweep = NULL;
  Result r = { 0 };

  if (program == NULL)
    {
      g_test_skip ("the sqlite3 program is not installed (build-aux/dev installs it)");
      return;
    }
  /* a run kept before: its log, and the index of schema 1 with it */
  g_mkdir_with_parents (runs_dir, 0700);
  run_cli (NULL, &r, "run", "--items", "1..7", "-q", "--format", "none", "--log", log, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  proc = g_subprocess_newv (make, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (proc, NULL, &error));
  g_clear_object (&proc);

  run_cli (NULL, &r, "sweep", "--items", "1..12", "--workload", "cpu:2", "--workers", "1,2", "--reps", "1",
           "--save", "-q", NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  runs = history_json (parser);
  g_assert_cmpuint (json_array_get_length (runs), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *o = json_array_get_object_element (runs, i);

      if (g_str_equal (json_object_get_string_member (o, "kind"), "sweep"))
        sweep = o;
      else
        g_assert_cmpint (json_object_get_int_member (o, "tasks"), ==, 7);
    }
  g_assert_nonnull (sweep);
  g_assert_cmpstr (json_object_get_string_member (sweep, "counts"), ==, "1, 2");
  g_assert_cmpint (json_object_get_int_member (sweep, "tasks"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (sweep, "ok"), ==, 12 * 3);  /* a warm-up and two runs */
  g_assert_cmpint (json_object_get_int_member (sweep, "recommended"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (sweep, "log_bytes"), <, 64 * 1024);

  proc = g_subprocess_newv (version, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error));
  g_assert_cmpstr (g_strstrip (out), ==, "3");  /* PS_HISTORY_SCHEMA_VERSION */
  g_clear_object (&proc);

  /* the same table from before there were schemas (user_version 0) */
  {
    g_autofree char *db0 = (fresh_data_dir ("data-migrate-0"), index_path ());
    g_autofree char *dir0 = g_path_get_dirname (db0);
    g_autofree char *v0 = g_strndup (v1, strstr (v1, "PRAGMA") - v1);
    const char *make0[] = { "sqlite3", db0, v0, NULL };
    g_autoptr(JsonParser) parser0 = json_parser_new ();

    g_mkdir_with_parents (dir0, 0700);
    proc = g_subprocess_newv (make0, G_SUBPROCESS_FLAGS_NONE, &error);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_wait_check (proc, NULL, &error));
    run_cli (NULL, &r, "run", "--items", "1..4", "--save", "-q", "--format", "none", NULL);
    g_assert_cmpint (r.status, ==, 0);
    result_clear (&r);
    runs = history_json (parser0);
    g_assert_cmpuint (json_array_get_length (runs), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (runs, 0), "kind"), ==, "run");
  }
}

/* A sweep --save whose options are refused leaves no file behind (a
 * full disk is test-sweep's /ps/sweep/record-full). */
static void
test_sweep_save_fails (void)
{
  g_autofree char *runs_dir = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint files = 0;
  Result r = { 0 };

  fresh_data_dir ("data-sweep-full");
  runs_dir = g_build_filename (data_dir, "poolscope", "runs", NULL);
  run_cli (NULL, &r, "sweep", "--items", "1..4", "--workers", "1,2", "--save", "--tolerance", "2", NULL);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);
  dir = g_dir_open (runs_dir, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)))
    files++;
  g_assert_cmpuint (files, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  cli_tests_init (&argc, &argv, "test-history");
  /* every case starts from no history: a data folder of its own */
  g_test_add_func ("/ps/history/save-and-list", test_save_and_list);
  g_test_add_func ("/ps/history/killed-run-kept", test_killed_run_kept);
  g_test_add_func ("/ps/history/newer-schema", test_newer_schema);
  g_test_add_func ("/ps/history/migrate-and-sweeps", test_migrate_and_sweeps);
  g_test_add_func ("/ps/history/sweep-save-fails", test_sweep_save_fails);
  return cli_tests_run ();
}
