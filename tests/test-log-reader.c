/* test-log-reader.c: run logs read back, whole, damaged and hostile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "ps-error.h"
#include "ps-log-reader.h"

#define RUN_START "{\"event\":\"run-start\",\"t\":0,\"schema\":1,\"tasks\":2,\"workers\":1," \
                  "\"workload\":\"square\"}"
#define TASK_START(n) "{\"event\":\"task-start\",\"t\":5,\"task\":" #n ",\"item\":\"" #n "\"," \
                      "\"worker\":\"ForkPoolWorker-1\",\"pid\":7,\"start\":5}"
#define TASK_END(n) "{\"event\":\"task-end\",\"t\":9,\"task\":" #n ",\"item\":\"" #n "\"," \
                    "\"worker\":\"ForkPoolWorker-1\",\"pid\":7,\"start\":5,\"end\":9," \
                    "\"cpu_ns\":3,\"status\":\"ok\",\"result\":4}"
#define RUN_END "{\"event\":\"run-end\",\"t\":20,\"tasks\":2,\"ok\":2,\"failed\":0}"
/* nested 100 deep */
#define DEEP10 "[[[[[[[[[["
#define DEEP DEEP10 DEEP10 DEEP10 DEEP10 DEEP10 DEEP10 DEEP10 DEEP10 DEEP10 DEEP10
/* data with NUL bytes in it */
#define BIN(s) s, sizeof (s) - 1
#define WHOLE RUN_START "\n" TASK_START (0) "\n" TASK_END (0) "\n" RUN_END "\n"

/* A table of inputs and what the reader must make of them: an error
 * (n_events < 0) whose message holds @part, or a log of exactly n_events
 * events whose problem holds @part (NULL: no problem). */
typedef struct
{
  const char *name;
  const char *data;
  gssize      len;        /* -1: strlen */
  int         n_events;
  const char *part;
} Case;

static const Case cases[] = {
  /* nothing usable: an error */
  { "empty", "", 0, -1, "empty" },
  { "whitespace", "  \n\t\n \r\n\n   ", -1, -1, "blank" },
  { "binary",
    BIN ("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0\n\xff\xfe\0\n"), -1,
    "line 1: binary" },
  { "binary-no-newline", BIN ("\x01\x02\0\0\0\x01\x02"), -1, "line 1: binary" },
  { "nul-only", BIN ("\0"), -1, "line 1: binary" },
  { "invalid-utf8",
    "{\"event\":\"run-start\xff\xfe\",\"t\":0}\n", -1, -1,
    "line 1: not valid UTF-8" },
  { "overlong-utf8", "{\"event\":\"\xc0\xaf\"}\n", -1, -1, "UTF-8" },
  { "not-json", "hello, world\n", -1, -1, "line 1: not JSON" },
  { "json-array", "[1, 2, 3]\n", -1, -1, "not a JSON object" },
  { "first-not-run-start",
    TASK_START (0) "\n" RUN_START "\n", -1, -1,
    "line 1: the first event" },
  { "first-after-blank",
    "\n\n" TASK_END (0) "\n", -1, -1,
    "line 3: the first event" },
  { "wrong-schema",
    "{\"event\":\"run-start\",\"t\":0,\"schema\":3,\"tasks\":2,\"workers\":1,"
    "\"workload\":\"square\"}\n" TASK_START (0) "\n", -1, -1,
    "schema" },
  { "unknown-event-first", "{\"event\":\"party\",\"t\":0}\n", -1, -1, "unknown event" },
  { "first-line-cut", "{\"event\":\"run-start\",\"t\":0,\"sch", -1, -1, "line 1 is cut off" },
  { "deep-first", DEEP "]]]\n", -1, -1, "nested" },

  /* events, and where and why they stop */
  { "whole", WHOLE, -1, 4, NULL },
  { "crlf",
    RUN_START "\r\n" TASK_START (0) "\r\n" TASK_END (0) "\r\n" RUN_END "\r\n", -1, 4,
    NULL },
  { "blank-lines",
    "\n" RUN_START "\n\n  \n" TASK_START (0) "\n\r\n" RUN_END "\n\n", -1, 3,
    NULL },
  { "trailing-spaces", WHOLE "   ", -1, 4, NULL },
  { "cut-off",
    WHOLE TASK_START (1) "\n{\"event\":\"task-end\",\"t\":1", -1, 5,
    "the last line is cut off" },
  { "cut-before-newline", RUN_START "\n" RUN_END, -1, 1, "cut off" },
  { "corrupt-middle",
    BIN (RUN_START "\n" TASK_START (0) "\n{\"event\":\"task-e\0\0\0\n" RUN_END "\n"), 2,
    "line 3: binary" },
  { "not-json-middle",
    RUN_START "\n" TASK_START (0) "\n{\"event\":\"task-end\",\n" RUN_END "\n", -1, 2,
    "line 3: not JSON" },
  { "invalid-utf8-middle",
    RUN_START "\n" TASK_START (0) "\n" TASK_START (1) "\n"
    "{\"event\":\"output\",\"t\":1,\"task\":0,\"worker\":\"w\",\"text\":\"\xed\xa0\x80\"}\n"
    RUN_END "\n", -1, 3,
    "line 4: not valid UTF-8" },
  { "unknown-event-middle",
    RUN_START "\n{\"event\":\"party\",\"t\":3}\n" RUN_END "\n", -1, 1,
    "line 2: unknown event “party”" },
  { "missing-member",
    RUN_START "\n{\"event\":\"task-end\",\"t\":3,\"task\":0}\n" RUN_END "\n", -1, 1,
    "line 2: task-end event lacks" },
  { "wrong-type",
    RUN_START "\n" TASK_START (0) "\n"
    "{\"event\":\"run-end\",\"t\":20,\"tasks\":2,\"ok\":2,\"failed\":0,\"cancelled\":[true]}\n",
    -1, 2,
    "line 3: run-end event has a member “cancelled”" },
  { "second-run-start",
    WHOLE RUN_START "\n" TASK_START (0) "\n", -1, 4,
    "line 5: a second" },
  { "deep-middle",
    RUN_START "\n{\"event\":\"sample\",\"t\":1,\"x\":" DEEP "]]]]]]]]]]}\n", -1, 1,
    "line 2: arrays or objects nested" },
  /* json-glib lets a lone surrogate through: it must not reach the event */
  { "bad-unicode-escape",
    RUN_START "\n{\"event\":\"output\",\"t\":1,\"task\":0,"
    "\"worker\":\"For\\ud8`3d\\ude001\",\"text\":\"x\"}\n", -1, 2,
    NULL },
  { "json-null-byte-escape",
    RUN_START "\n{\"event\":\"output\",\"t\":1,\"task\":0,\"worker\":\"w\","
    "\"text\":\"a\\u0000b\"}\n", -1, 2,
    NULL },
};

/* Only the first @len bytes are there: nothing may read past them. */
static PsLog *
parse_exact (const char  *data,
             gsize        len,
             GError     **error)
{
  g_autofree char *copy = g_memdup2 (data, len);

  return ps_log_parse (copy, len, error);
}

/* Whatever the input, the strings of an event are fit for a label. */
static void
check_strings (const char    *name,
               const PsEvent *e)
{
  const char *strings[] = {
    e->name, e->item, e->result_text, e->message, e->text,
    e->items, e->workload, e->start_method, e->order,
  };

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    if (strings[i] != NULL && !g_utf8_validate (strings[i], -1, NULL))
      g_error ("%s: an event holds invalid UTF-8", name);
}

/* Reads @data and checks the outcome against @c. */
static void
check_case (const Case *c,
            const char *data,
            gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsLog) log = parse_exact (data, len, &error);

  if (c->n_events < 0)
    {
      if (log != NULL)
        g_error ("%s: read %u events, expected an error", c->name, log->events->len);
      g_assert_error (error, PS_ERROR, PS_ERROR_PROTOCOL);
      if (strstr (error->message, c->part) == NULL)
        g_error ("%s: message “%s” lacks “%s”", c->name, error->message, c->part);
      return;
    }

  if (log == NULL)
    g_error ("%s: error “%s”", c->name, error->message);
  g_assert_no_error (error);
  if (log->events->len != (guint) c->n_events)
    g_error ("%s: read %u events, expected %d (problem: %s)", c->name, log->events->len,
             c->n_events, log->problem);
  g_assert_cmpint (g_array_index (log->events, PsEvent, 0).type, ==, PS_EVENT_RUN_START);
  for (guint i = 0; i < log->events->len; i++)
    check_strings (c->name, &g_array_index (log->events, PsEvent, i));
  if (c->part == NULL && log->problem != NULL)
    g_error ("%s: unexpected problem “%s”", c->name, log->problem);
  if (c->part != NULL && (log->problem == NULL || strstr (log->problem, c->part) == NULL))
    g_error ("%s: problem “%s” lacks “%s”", c->name, log->problem, c->part);
}

static void
test_hostile (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      gsize len = c->len >= 0 ? (gsize) c->len : strlen (c->data);

      g_test_message ("case %s", c->name);
      check_case (c, c->data, len);
    }
}

/* A log written by the real binary, for the tests that need a real one. */
static char *
real_log_of (gsize      *len,
             const char *workload)
{
  g_autofree char *dir = g_dir_make_tmp ("ps-log-reader-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "run.jsonl", NULL);
  const char *run = g_getenv ("POOLSCOPE_RUN") ? g_getenv ("POOLSCOPE_RUN") : POOLSCOPE_RUN;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_nonnull (dir);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                           run, "run", "--items", "1..50", "--workload", workload,
                           "--log", path, "--quiet", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (proc, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, len, &error));
  g_assert_no_error (error);
  g_unlink (path);
  g_rmdir (dir);
  return contents;
}

static char *
real_log (gsize *len)
{
  return real_log_of (len, "square");
}

static guint
count_lines (const char *data,
             gsize       len)
{
  guint n = 0;

  for (gsize i = 0; i < len; i++)
    n += data[i] == '\n';
  return n;
}

static void
test_real_run (void)
{
  gsize len;
  g_autofree char *data = real_log (&len);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsLog) log = parse_exact (data, len, &error);
  guint n_ends = 0;
  gint64 sum = 0;
  const PsEvent *first, *last;

  g_assert_no_error (error);
  g_assert_nonnull (log);
  g_assert_null (log->problem);
  /* a "tasks" line is as many task-ends */
  g_assert_cmpuint (log->events->len, >=, count_lines (data, len));
  g_assert_cmpuint (log->n_lines, ==, count_lines (data, len));

  first = &g_array_index (log->events, PsEvent, 0);
  last = &g_array_index (log->events, PsEvent, log->events->len - 1);
  g_assert_cmpint (first->type, ==, PS_EVENT_RUN_START);
  g_assert_cmpuint (first->n_tasks, ==, 50);
  g_assert_cmpstr (first->workload, ==, "square");
  g_assert_cmpstr (first->items, ==, "1..50");
  g_assert_cmpint (last->type, ==, PS_EVENT_RUN_END);
  g_assert_cmpuint (last->n_ok, ==, 50);
  g_assert_cmpuint (last->n_failed, ==, 0);

  for (guint i = 0; i < log->events->len; i++)
    {
      const PsEvent *e = &g_array_index (log->events, PsEvent, i);

      if (e->type != PS_EVENT_TASK_END || e->retry)
        continue;
      n_ends++;
      g_assert_cmpint (e->status, ==, PS_TASK_OK);
      g_assert_cmpint (e->result_kind, ==, PS_RESULT_INT);
      sum += e->result_int;
    }
  g_assert_cmpuint (n_ends, ==, 50);
  g_assert_cmpint (sum, ==, 50 * 51 * 101 / 6);
}

/* Cut at every byte of the first line and of the last few: never a crash,
 * only the events of the whole lines, and a problem unless the cut falls
 * on a line's end. */
static void
test_truncated (void)
{
  gsize len, from = 0;
  g_autofree char *data = real_log (&len);
  guint total = count_lines (data, len);
  const char *first_nl = memchr (data, '\n', len);
  guint nl_seen = 0;

  g_assert_cmpuint (total, >, 8);
  g_assert_cmpint (data[len - 1], ==, '\n');

  /* nothing whole: always an error */
  for (gsize cut = 0; cut <= (gsize) (first_nl - data); cut++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PsLog) log = parse_exact (data, cut, &error);

      g_assert_null (log);
      g_assert_error (error, PS_ERROR, PS_ERROR_PROTOCOL);
    }

  /* where the last six lines begin */
  for (gsize i = len - 1; i > 0; i--)
    if (data[i - 1] == '\n' && ++nl_seen == 7)
      {
        from = i;
        break;
      }
  g_assert_cmpuint (from, >, 0);

  for (gsize cut = from; cut <= len; cut++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PsLog) log = parse_exact (data, cut, &error);
      guint whole = count_lines (data, cut);

      gsize last_nl = cut;
      g_autoptr(PsLog) whole_log = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (log);
      /* what the whole lines hold, and nothing of the cut one */
      while (last_nl > 0 && data[last_nl - 1] != '\n')
        last_nl--;
      whole_log = parse_exact (data, last_nl, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (log->events->len, ==, whole_log->events->len);
      g_assert_cmpuint (log->n_lines, ==, whole);
      g_assert_cmpuint (whole, <=, total);
      if (data[cut - 1] == '\n')
        g_assert_null (log->problem);
      else
        g_assert_nonnull (strstr (log->problem, "cut off"));
    }
}

/* A bad line in the middle of a real log keeps what comes before it. */
static void
test_corrupt_middle (void)
{
  gsize len;
  /* print: an output line between the tasks, so many lines */
  g_autofree char *data = real_log_of (&len, "print");
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsLog) log = NULL;
  g_autoptr(PsLog) first_lines = NULL;
  g_auto(GStrv) lines = g_strsplit (data, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), >, 20);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      /* line 12: the first half of a line glued to the next one, as two
       * writers without a lock would leave it */
      if (i == 11)
        g_string_append_len (s, lines[i], strlen (lines[i]) / 2);
      else
        {
          g_string_append (s, lines[i]);
          g_string_append_c (s, '\n');
        }
    }

  log = ps_log_parse (s->str, s->len, &error);
  g_assert_no_error (error);
  first_lines = ps_log_parse (s->str, (gsize) (strstr (s->str, lines[11]) - s->str), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first_lines->n_lines, ==, 11);
  g_assert_cmpuint (log->events->len, ==, first_lines->events->len);
  g_assert_cmpuint (log->n_lines, ==, 11);
  g_assert_true (g_str_has_prefix (log->problem, "line 12: not JSON"));
}

static void
test_long_line (void)
{
  gsize big = 5 * 1024 * 1024;
  g_autoptr(GString) s = g_string_sized_new (big + 1024);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsLog) log = NULL;
  gsize pad;

  /* as the first line: not a log */
  g_string_append (s, "{\"event\":\"run-start\",\"x\":\"");
  while (s->len < big)
    g_string_append (s, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  g_string_append (s, "\"}\n");
  log = ps_log_parse (s->str, s->len, &error);
  g_assert_null (log);
  g_assert_error (error, PS_ERROR, PS_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "line 1: the line is longer than 4 MiB"));
  g_clear_error (&error);

  /* later on: a problem, with the events before it */
  g_string_prepend (s, RUN_START "\n" TASK_START (0) "\n");
  log = ps_log_parse (s->str, s->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->events->len, ==, 2);
  g_assert_cmpstr (log->problem, ==, "line 3: the line is longer than 4 MiB");
  g_clear_pointer (&log, ps_log_free);

  /* the same without a newline */
  g_string_truncate (s, s->len - 1);
  log = ps_log_parse (s->str, s->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->events->len, ==, 2);
  g_assert_cmpstr (log->problem, ==, "line 3: the line is longer than 4 MiB");
  g_clear_pointer (&log, ps_log_free);

  /* nesting that would overflow json-glib's stack */
  g_string_assign (s, RUN_START "\n{\"event\":\"sample\",\"t\":1,\"x\":");
  for (guint i = 0; i < 500000; i++)
    g_string_append_c (s, '[');
  g_string_append (s, "\n" RUN_END "\n");
  log = ps_log_parse (s->str, s->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->events->len, ==, 1);
  g_assert_nonnull (strstr (log->problem, "line 2: arrays or objects nested"));
  g_clear_pointer (&log, ps_log_free);

  /* exactly at the limit (JSON allows the padding) is still read */
  g_string_assign (s, RUN_START);
  pad = PS_LOG_MAX_LINE - s->len;
  g_string_set_size (s, PS_LOG_MAX_LINE);
  memset (s->str + s->len - pad, ' ', pad);
  g_string_append (s, "\n" RUN_END "\n");
  log = ps_log_parse (s->str, s->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->events->len, ==, 2);
  g_assert_null (log->problem);
  g_clear_pointer (&log, ps_log_free);

  /* one byte more is not */
  g_string_insert_c (s, 0, ' ');
  log = ps_log_parse (s->str, s->len, &error);
  g_assert_null (log);
  g_assert_nonnull (strstr (error->message, "longer than"));
}

static void
test_load (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ps-log-reader-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "some.jsonl", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.jsonl", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsLog) log = NULL;

  log = ps_log_load (missing, &error);
  g_assert_null (log);
  g_assert_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  /* a directory, and a device that never ends */
  log = ps_log_load (dir, &error);
  g_assert_null (log);
  g_assert_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "not a regular file"));
  g_clear_error (&error);
  log = ps_log_load ("/dev/zero", &error);
  g_assert_null (log);
  g_assert_nonnull (strstr (error->message, "/dev/zero"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  log = ps_log_load (path, &error);
  g_assert_null (log);
  g_assert_nonnull (strstr (error->message, "some.jsonl"));
  g_assert_nonnull (strstr (error->message, "empty"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, WHOLE, -1, NULL));
  log = ps_log_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->events->len, ==, 4);
  g_assert_cmpuint (log->n_lines, ==, 4);
  g_assert_null (log->problem);

  g_unlink (path);
  g_rmdir (dir);
}

static void
count_ends (const PsEvent *e,
            gpointer       data)
{
  guint64 *n = data;

  if (e->type == PS_EVENT_TASK_END)
    n[0]++;
  n[1]++;
}

/* ps_log_foreach streams a log: a real 300,000-task run (tasks lines)
 * read in pieces gives every task-end, the same as ps_log_load; a copy
 * cut in the middle of a line stops there and says so; a FIFO is refused
 * rather than read forever. */
static void
test_foreach (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ps-log-foreach-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "run.jsonl", NULL);
  g_autofree char *cut = g_build_filename (dir, "cut.jsonl", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  const char *run = g_getenv ("POOLSCOPE_RUN") ? g_getenv ("POOLSCOPE_RUN") : POOLSCOPE_RUN;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PsLog) log = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *problem = NULL;
  guint64 n[2] = { 0, 0 };
  gsize len;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, run, "run", "--items", "1..300000",
                           "--chunksize", "1", "--workers", "2", "--format", "none", "--log", path,
                           "--quiet", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (proc, NULL, &error));

  g_assert_true (ps_log_foreach (path, count_ends, n, &problem, &error));
  g_assert_no_error (error);
  g_assert_null (problem);
  g_assert_cmpuint (n[0], ==, 300000);
  log = ps_log_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->events->len, ==, n[1]);

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (cut, contents, len / 2, NULL));
  n[0] = n[1] = 0;
  g_assert_true (ps_log_foreach (cut, count_ends, n, &problem, &error));
  g_assert_nonnull (strstr (problem, "cut off"));
  g_assert_cmpuint (n[0], >, 0);
  g_assert_cmpuint (n[0], <, 300000);

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_clear_pointer (&problem, g_free);
  g_assert_false (ps_log_foreach (fifo, count_ends, n, &problem, &error));
  g_assert_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "not a regular file"));

  g_unlink (path);
  g_unlink (cut);
  g_unlink (fifo);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/ps/log-reader/hostile", test_hostile);
  g_test_add_func ("/ps/log-reader/real-run", test_real_run);
  g_test_add_func ("/ps/log-reader/truncated", test_truncated);
  g_test_add_func ("/ps/log-reader/corrupt-middle", test_corrupt_middle);
  g_test_add_func ("/ps/log-reader/long-line", test_long_line);
  g_test_add_func ("/ps/log-reader/load", test_load);
  g_test_add_func ("/ps/log-reader/foreach", test_foreach);
  return g_test_run ();
}
