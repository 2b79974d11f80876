/* cli-run.c: running poolscope-run as a user does, for the tests
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

#include "cli-run.h"

/* Every file a test writes goes here: the tests of other builds may run
 * at the same time, and must not share a path in /tmp with these. */
char *tmp_dir;

char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}


/* In the child, between fork and exec. */
void
limit_child (gpointer data)
{
  const RunOptions *opts = data;

  if (opts->fsize_limit > 0)
    {
      struct rlimit rl = { opts->fsize_limit, opts->fsize_limit };

      /* a write past the limit fails with EFBIG instead of killing */
      signal (SIGXFSZ, SIG_IGN);
      setrlimit (RLIMIT_FSIZE, &rl);
    }
  if (opts->as_limit > 0)
    {
      struct rlimit rl = { opts->as_limit, opts->as_limit };
      setrlimit (RLIMIT_AS, &rl);
    }
  if (opts->nofile_soft > 0)
    {
      struct rlimit rl = { opts->nofile_soft, opts->nofile_hard };
      setrlimit (RLIMIT_NOFILE, &rl);
    }
  if (opts->close_stdout)
    close (STDOUT_FILENO);
}

typedef struct
{
  gboolean  done;
  GBytes   *out;
  GBytes   *err;
  GError   *error;
} Communication;

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  Communication *c = data;

  g_subprocess_communicate_finish (G_SUBPROCESS (object), result, &c->out, &c->err, &c->error);
  c->done = TRUE;
}

gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

char *
bytes_to_string (GBytes *bytes)
{
  gsize len = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;

  return g_strndup (data ? data : "", len);
}

/* Runs poolscope-run with @args and waits for it, at most opts->timeout_s:
 * a hang is a failure, not a stuck test. */
void
run_argv (const char * const *args,
          const RunOptions   *opts,
          Result             *r)
{
  static const RunOptions defaults = { 0 };
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pipeline = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDERR_PIPE;
  Communication c = { 0 };
  gboolean late = FALSE;
  guint timeout_s, timer;
  gint64 t0;

  if (opts == NULL)
    opts = &defaults;
  timeout_s = opts->timeout_s ? opts->timeout_s : 60;
  if (opts->stdin_command)
    {
      /* sh -c 'COMMAND | exec "$0" "$@"' poolscope-run ARGS… */
      pipeline = g_strconcat (opts->stdin_command, " | exec \"$0\" \"$@\"", NULL);
      g_ptr_array_add (argv, (char *) "/bin/sh");
      g_ptr_array_add (argv, (char *) "-c");
      g_ptr_array_add (argv, pipeline);
    }
  g_ptr_array_add (argv, (char *) POOLSCOPE_RUN);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  if (opts->stdin_path == NULL && opts->stdin_command == NULL)
    flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;
  if (opts->stdout_path == NULL)
    flags |= G_SUBPROCESS_FLAGS_STDOUT_PIPE;
  launcher = g_subprocess_launcher_new (flags);
  /* messages are checked by substring: keep them untranslated */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  if (opts->stdin_path)
    g_subprocess_launcher_set_stdin_file_path (launcher, opts->stdin_path);
  if (opts->stdout_path)
    g_subprocess_launcher_set_stdout_file_path (launcher, opts->stdout_path);
  if (opts->fsize_limit > 0 || opts->as_limit > 0 || opts->nofile_soft > 0 || opts->close_stdout)
    g_subprocess_launcher_set_child_setup (launcher, limit_child, (gpointer) opts, NULL);
  if (opts->stdin_data)
    input = g_bytes_new (opts->stdin_data, strlen (opts->stdin_data));
  else if (flags & G_SUBPROCESS_FLAGS_STDIN_PIPE)
    input = g_bytes_new_static ("", 0);  /* an empty stdin, closed at once */

  t0 = g_get_monotonic_time ();
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_async (proc, input, NULL, communicate_cb, &c);
  timer = g_timeout_add_seconds (timeout_s, set_flag, &late);
  while (!c.done && !late)
    g_main_context_iteration (NULL, TRUE);
  if (!c.done)
    {
      g_autofree char *joined = g_strjoinv (" ", (char **) args);

      g_subprocess_force_exit (proc);
      g_error ("poolscope-run %s: still running after %u s", joined, timeout_s);
    }
  g_source_remove (timer);
  r->wall_us = g_get_monotonic_time () - t0;
  g_assert_no_error (c.error);
  r->status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
  r->signal = g_subprocess_get_if_signaled (proc) ? g_subprocess_get_term_sig (proc) : 0;
  r->out = bytes_to_string (c.out);
  r->err = bytes_to_string (c.err);
  g_clear_pointer (&c.out, g_bytes_unref);
  g_clear_pointer (&c.err, g_bytes_unref);
}

void
run_cli (const char *stdin_text,
         Result     *r,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  RunOptions opts = { .stdin_data = stdin_text };
  va_list ap;
  const char *arg;

  va_start (ap, r);
  while ((arg = va_arg (ap, const char *)))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  run_argv ((const char * const *) args->pdata, &opts, r);
}

void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

guint
count_substrings (const char *haystack,
                  const char *needle)
{
  guint n = 0;

  for (const char *p = haystack; (p = strstr (p, needle)) != NULL; p += strlen (needle))
    n++;
  return n;
}

/* A "tasks" line as the task-end objects it stands for (docs/log-format.md). */
static void
expand_tasks (JsonObject *o,
              GPtrArray  *events)
{
  JsonArray *tasks = json_object_get_array_member (o, "tasks");
  gint64 rank = json_object_get_int_member (o, "rank");
  gint64 prev_end = json_object_get_int_member (o, "start");

  g_assert_cmpuint (json_array_get_length (tasks), >, 0);
  for (guint i = 0; i < json_array_get_length (tasks); i++)
    {
      JsonArray *t = json_array_get_array_element (tasks, i);
      JsonObject *e = json_object_new ();
      g_autofree char *item = NULL;
      gint64 start;

      g_assert_cmpuint (json_array_get_length (t), ==, 6);
      item = g_strdup_printf ("%" G_GINT64_FORMAT, json_array_get_int_element (t, 1));
      start = prev_end + json_array_get_int_element (t, 2);
      prev_end = start + json_array_get_int_element (t, 3);
      json_object_set_string_member (e, "event", "task-end");
      json_object_set_int_member (e, "t", prev_end);
      json_object_set_int_member (e, "task", json_array_get_int_element (t, 0));
      json_object_set_string_member (e, "item", item);
      json_object_set_string_member (e, "worker", json_object_get_string_member (o, "worker"));
      json_object_set_int_member (e, "pid", json_object_get_int_member (o, "pid"));
      json_object_set_int_member (e, "attempt", 0);
      json_object_set_int_member (e, "start", start);
      json_object_set_string_member (e, "status", "ok");
      json_object_set_int_member (e, "end", prev_end);
      json_object_set_int_member (e, "cpu_ns", json_array_get_int_element (t, 4));
      json_object_set_int_member (e, "rank", rank + i);
      json_object_set_int_member (e, "result", json_array_get_int_element (t, 5));
      json_object_set_boolean_member (e, "from_tasks_line", TRUE);
      g_ptr_array_add (events, e);
    }
}

/* The log as JSON objects, one a line, a "tasks" line as its task-ends;
 * every line must parse, and the file must end with a whole line. */
GPtrArray *
read_log (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 0);
  g_assert_cmpint (contents[len - 1], ==, '\n');
  lines = g_strsplit (contents, "\n", -1);
  /* the last piece is the empty one after the final newline */
  for (guint i = 0; lines[i + 1] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!json_parser_load_from_data (parser, lines[i], -1, &error))
        g_error ("%s: line %u is not JSON (%s): %.200s", path, i + 1, error->message, lines[i]);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      if (g_str_equal (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                                      "event"), "tasks"))
        expand_tasks (json_node_get_object (json_parser_get_root (parser)), events);
      else
        g_ptr_array_add (events, json_node_dup_object (json_parser_get_root (parser)));
    }
  return events;
}

int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

gboolean
is_event (JsonObject *o,
          const char *name)
{
  return g_str_equal (json_object_get_string_member (o, "event"), name);
}


static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_clear_pointer (&dir, g_dir_close);
  g_rmdir (path);
}

void
remove_tmp_dir (void)
{
  remove_tree (tmp_dir);
}

/* The start of a test program of the CLI: GTest, SIGPIPE ignored (a
 * child that refuses its stdin early must not take the test with it),
 * a folder of its own for what it writes. */
void
cli_tests_init (int         *argc,
                char      ***argv,
                const char  *name)
{
  g_autofree char *pattern = g_strconcat (name, "-XXXXXX", NULL);

  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  signal (SIGPIPE, SIG_IGN);
  tmp_dir = g_dir_make_tmp (pattern, NULL);
  g_assert_nonnull (tmp_dir);
}

/* Runs the tests, then removes their folder. */
int
cli_tests_run (void)
{
  int status = g_test_run ();

  remove_tmp_dir ();
  g_clear_pointer (&tmp_dir, g_free);
  return status;
}
