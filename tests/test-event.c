/* test-event.c: log lines are JSON with the documented fields, and the
 * log reader refuses what is not a log line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "ps-event.h"

static void
test_json_roundtrip (void)
{
  PsEvent e = { 0 }, d;
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GStringChunk) chunk = g_string_chunk_new (256);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  e.type = PS_EVENT_TASK_END;
  e.t = 99;
  e.task = 3;
  e.item_int = 4;
  e.name = "ForkPoolWorker-2";
  e.pid = 77;
  e.status = PS_TASK_OK;
  e.start = 10;
  e.end = 90;
  e.cpu_ns = 80;
  e.result_kind = PS_RESULT_INT;
  e.result_int = 16;
  ps_event_to_json (&e, s);
  g_assert_true (g_str_has_suffix (s->str, "}\n"));
  g_assert_null (strchr (s->str, '\n') == s->str + s->len - 1 ? NULL : "two lines");

  g_assert_true (json_parser_load_from_data (parser, s->str, -1, &error));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "event"), ==, "task-end");
  g_assert_cmpint (json_object_get_int_member (o, "t"), ==, 99);
  g_assert_cmpint (json_object_get_int_member (o, "task"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (o, "item"), ==, "4");
  g_assert_cmpstr (json_object_get_string_member (o, "worker"), ==, "ForkPoolWorker-2");
  g_assert_cmpint (json_object_get_int_member (o, "pid"), ==, 77);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "ok");
  g_assert_cmpint (json_object_get_int_member (o, "start"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (o, "end"), ==, 90);
  g_assert_cmpint (json_object_get_int_member (o, "cpu_ns"), ==, 80);
  g_assert_cmpint (json_object_get_int_member (o, "result"), ==, 16);

  g_assert_true (ps_event_from_json_line (s->str, s->len - 1, &d, chunk, &error));
  g_assert_cmpint (d.type, ==, PS_EVENT_TASK_END);
  g_assert_cmpint (d.result_int, ==, 16);
  g_assert_cmpstr (d.item, ==, "4");
}

static void
test_json_escaping (void)
{
  PsEvent e = { 0 }, d;
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GStringChunk) chunk = g_string_chunk_new (256);
  const char *nasty = "quote \" back \\ nl \n tab \t ctl \x01 bad \xff utf8 é";

  e.type = PS_EVENT_OUTPUT;
  e.name = "w";
  e.text = nasty;
  ps_event_to_json (&e, s);
  g_assert_true (ps_event_from_json_line (s->str, s->len - 1, &d, chunk, NULL));
  g_assert_cmpstr (d.text, ==, "quote \" back \\ nl \n tab \t ctl \x01 bad \xef\xbf\xbd utf8 é");
}

/* A "tasks" line as the engine writes it is read by hand; any other
 * spelling by json-glib: both must give the same tasks, and refuse the
 * same lines. */
static void
test_tasks_fast_path (void)
{
  static const char *const lines[] = {
    "{\"event\":\"tasks\",\"t\":900,\"worker\":\"ForkPoolWorker-1\",\"id\":1,\"pid\":42,\"rank\":7,"
    "\"start\":100,\"tasks\":[[0,1,0,300,250,1],[2,3,5,-0,0,9],[4,-5,0,9223372036854775,1,-9223372036854775808]]}",
    "{\"event\":\"tasks\",\"t\":1,\"worker\":\"Würker-é\",\"id\":2,\"pid\":-1,\"rank\":0,"
    "\"start\":0,\"tasks\":[[0,1,0,1,0,1]]}  ",
    /* refused by both: negative t, negative task, negative gap, overflow, five numbers, a fraction */
    "{\"event\":\"tasks\",\"t\":-5,\"worker\":\"W\",\"id\":1,\"pid\":1,\"rank\":0,\"start\":0,\"tasks\":[[0,1,0,1,0,1]]}",
    "{\"event\":\"tasks\",\"t\":1,\"worker\":\"W\",\"id\":1,\"pid\":1,\"rank\":0,\"start\":0,\"tasks\":[[-1,1,0,1,0,1]]}",
    "{\"event\":\"tasks\",\"t\":1,\"worker\":\"W\",\"id\":1,\"pid\":1,\"rank\":0,\"start\":0,\"tasks\":[[0,1,-1,1,0,1]]}",
    "{\"event\":\"tasks\",\"t\":1,\"worker\":\"W\",\"id\":1,\"pid\":1,\"rank\":0,\"start\":9223372036854775807,"
    "\"tasks\":[[0,1,1,1,0,1]]}",
    "{\"event\":\"tasks\",\"t\":1,\"worker\":\"W\",\"id\":1,\"pid\":1,\"rank\":0,\"start\":0,\"tasks\":[[0,1,0,1,0]]}",
    "{\"event\":\"tasks\",\"t\":1,\"worker\":\"W\",\"id\":1,\"pid\":1,\"rank\":0,\"start\":0,\"tasks\":[[0,1,0,1.5,0,1]]}",
    "{\"event\":\"tasks\",\"t\":1,\"worker\":\"W\",\"id\":1,\"pid\":1,\"rank\":0,\"start\":0,\"tasks\":[]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      /* a space after the first comma is JSON all the same, but not the engine's spelling */
      g_autofree char *slow = NULL;
      const char *comma = strchr (lines[i], ',');
      g_autoptr(GArray) fast_entries = g_array_new (FALSE, FALSE, sizeof (PsTaskBatchEntry));
      g_autoptr(GArray) slow_entries = g_array_new (FALSE, FALSE, sizeof (PsTaskBatchEntry));
      g_autoptr(GStringChunk) strings = g_string_chunk_new (64);
      PsEvent fast, slow_e;
      gboolean ok_fast, ok_slow;

      slow = g_strdup_printf ("%.*s, %s", (int) (comma - lines[i]), lines[i], comma + 1);
      ok_fast = ps_event_parse_json_line (lines[i], strlen (lines[i]), &fast, fast_entries, strings, NULL);
      ok_slow = ps_event_parse_json_line (slow, strlen (slow), &slow_e, slow_entries, strings, NULL);
      g_test_message ("line %u: %d %d", i, ok_fast, ok_slow);
      g_assert_cmpint (ok_fast, ==, ok_slow);
      g_assert_cmpint (ok_fast, ==, i < 2);
      if (!ok_fast)
        continue;
      g_assert_cmpint (fast.type, ==, PS_EVENT_TASKS);
      g_assert_cmpint (slow_e.type, ==, PS_EVENT_TASKS);
      g_assert_cmpint (fast.t, ==, slow_e.t);
      g_assert_cmpstr (fast.name, ==, slow_e.name);
      g_assert_cmpuint (fast.worker, ==, slow_e.worker);
      g_assert_cmpint (fast.pid, ==, slow_e.pid);
      g_assert_cmpuint (fast.n_entries, ==, slow_e.n_entries);
      g_assert_cmpmem (fast.tasks, fast.n_entries * sizeof (PsTaskBatchEntry),
                       slow_e.tasks, slow_e.n_entries * sizeof (PsTaskBatchEntry));
    }
}

/* Flat lines read without json-glib: the same event, or the same refusal,
 * as json-glib gives for the same line with a member it alone reads (an
 * array, ignored as any unknown member is). */
static void
test_flat_fast_path (void)
{
  static const char *const lines[] = {
    "{\"event\":\"task-end\",\"t\":5,\"task\":3,\"item\":\"a \\\"b\\\" \\\\ \\/ \\b\\f\\n\\r\\t\",\"worker\":\"W-1\","
    "\"pid\":9,\"attempt\":0,\"start\":1,\"status\":\"ok\",\"end\":5,\"cpu_ns\":4,\"rank\":0,\"result\":\"r\\u00e9\\u20ac\"}",
    "{ \"event\" : \"task-start\" , \"t\":0,\"task\":0,\"item\":\"Würker é ✓\",\"worker\":\"W\",\"pid\":-1,\"start\":0 }  ",
    "{\"event\":\"task-end\",\"t\":5,\"task\":3,\"item\":\"x\",\"worker\":\"W\",\"pid\":9,\"start\":1,\"status\":\"crashed\","
    "\"end\":5,\"cpu_ns\":4,\"result\":-9223372036854775808,\"message\":\"killed\",\"retry\":true}",
    "{\"event\":\"output\",\"t\":7,\"task\":1,\"worker\":\"W\",\"pid\":2,\"stream\":\"stderr\",\"text\":\"\"}",
    "{\"event\":\"sample\",\"t\":7,\"worker\":\"W\",\"pid\":2,\"cpu_percent\":12.5e1,\"rss\":4096,\"pss\":8192}",
    "{\"event\":\"sample\",\"t\":7,\"worker\":\"W\",\"pid\":2,\"cpu_percent\":-0.25,\"rss\":4096,\"uss\":1}",
    "{\"event\":\"run-end\",\"t\":9,\"tasks\":1,\"ok\":1,\"failed\":0,\"cancelled\":null,\"message\":\"m\"}",
    "{\"event\":\"worker-exit\",\"t\":9,\"worker\":\"W\",\"id\":1,\"pid\":2,\"exit_code\":-1,\"signal\":9,\"stopped\":true}",
    /* refused by both, with the same words when both read it */
    "{\"event\":\"task-end\",\"t\":5,\"task\":3,\"item\":\"x\",\"worker\":\"W\",\"pid\":9,\"start\":1,\"status\":\"fine\","
    "\"end\":5,\"cpu_ns\":4}",
    "{\"event\":\"task-end\",\"t\":5,\"task\":\"3\",\"item\":\"x\",\"worker\":\"W\",\"pid\":9,\"start\":1,\"status\":\"ok\","
    "\"end\":5,\"cpu_ns\":4}",
    "{\"event\":\"task-start\",\"t\":0,\"task\":0,\"worker\":\"W\",\"pid\":1,\"start\":0}",
    "{\"event\":\"task-start\",\"t\":-1,\"task\":0,\"item\":\"x\",\"worker\":\"W\",\"pid\":1,\"start\":0}",
    "{\"event\":\"run-end\",\"t\":9,\"tasks\":1,\"ok\":1,\"failed\":0,\"cancelled\":1}",
    "{\"event\":\"worker-exit\",\"t\":9,\"worker\":\"W\",\"id\":1,\"pid\":2,\"stopped\":\"yes\"}",
    "{\"event\":\"nothing\",\"t\":9}",
  };
  /* what the flat reader leaves to json-glib */
  static const char *const odd[] = {
    "{\"event\":\"output\",\"t\":01,\"task\":1,\"worker\":\"W\",\"text\":\"x\"}",
    "{\"event\":\"output\",\"t\":1,\"task\":1,\"worker\":\"W\",\"text\":\"x\"",
    "{\"event\":\"output\",\"t\":1,\"task\":1,\"worker\":\"W\",\"text\":\"x\"} x",
    "{\"event\":\"output\",\"t\":1,\"task\":1,\"worker\":\"W\",\"text\":\"a\tb\"}",
    "{\"event\":\"output\",\"t\":1,\"task\":1,\"worker\":\"W\",\"text\":\"\\q\"}",
    "{\"event\":\"output\",\"t\":1,\"task\":1,\"worker\":\"W\",\"text\":tru}",
    "{\"event\":\"output\",\"t\":1.,\"task\":1,\"worker\":\"W\",\"text\":\"x\"}",
    "{\"event\":\"output\",\"t\":99999999999999999999,\"task\":1,\"worker\":\"W\",\"text\":\"x\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      const char *close = strrchr (lines[i], '}');
      g_autofree char *slow = g_strdup_printf ("%.*s,\"zz\":[0]%s", (int) (close - lines[i]), lines[i], close);
      g_autoptr(GStringChunk) strings = g_string_chunk_new (64);
      g_autoptr(GError) fast_error = NULL;
      g_autoptr(GError) slow_error = NULL;
      g_autoptr(GString) fast_json = g_string_new (NULL);
      g_autoptr(GString) slow_json = g_string_new (NULL);
      PsEvent fast, slow_e;
      gboolean ok_fast, ok_slow;

      ok_fast = ps_event_parse_json_line (lines[i], strlen (lines[i]), &fast, NULL, strings, &fast_error);
      ok_slow = ps_event_parse_json_line (slow, strlen (slow), &slow_e, NULL, strings, &slow_error);
      g_test_message ("line %u: %d %d %s", i, ok_fast, ok_slow, fast_error ? fast_error->message : "");
      g_assert_cmpint (ok_fast, ==, ok_slow);
      g_assert_cmpint (ok_fast, ==, i < 8);
      if (!ok_fast)
        {
          g_assert_cmpstr (fast_error->message, ==, slow_error->message);
          continue;
        }
      ps_event_to_json (&fast, fast_json);
      ps_event_to_json (&slow_e, slow_json);
      g_assert_cmpstr (fast_json->str, ==, slow_json->str);
      g_assert_cmpfloat (fast.cpu_percent, ==, slow_e.cpu_percent);
      g_assert_cmpint (fast.pss, ==, slow_e.pss);
      g_assert_cmpint (fast.uss, ==, slow_e.uss);
    }
  for (guint i = 0; i < G_N_ELEMENTS (odd); i++)
    {
      g_autoptr(GStringChunk) strings = g_string_chunk_new (64);
      g_autoptr(GError) error = NULL;
      PsEvent e;
      gboolean ok = ps_event_parse_json_line (odd[i], strlen (odd[i]), &e, NULL, strings, &error);

      /* json-glib's answer: it takes a leading zero and a bare tab, refuses the rest */
      g_test_message ("odd %u: %d %s", i, ok, error ? error->message : "");
      g_assert_cmpint (ok, ==, i == 0 || i == 3 || i == 4);
      if (!ok)
        g_assert_true (strstr (error->message, "not JSON") || strstr (error->message, "wrong type") ||
                       strstr (error->message, "negative"));
    }
}

static void
test_log_reader_bad (void)
{
  static const struct { const char *line; const char *part; } cases[] = {
    { "", "empty line" },
    { "{", "not JSON" },
    { "[1,2]", "not a JSON object" },
    { "{\"t\":1}", "no “event”" },
    { "{\"event\":\"party\",\"t\":1}", "unknown event" },
    { "{\"event\":\"task-end\",\"t\":1}", "lacks" },
    { "{\"event\":\"task-end\",\"t\":\"soon\",\"task\":1}", "wrong type" },
    { "{\"event\":\"run-start\",\"t\":0,\"schema\":99,\"tasks\":1,\"workers\":1,\"workload\":\"square\"}", "schema" },
    { "{\"event\":\"task-end\",\"t\":5,\"task\":1,\"item\":\"1\",\"worker\":\"w\",\"pid\":1,\"start\":1,"
      "\"end\":2,\"cpu_ns\":1,\"status\":\"exploded\"}", "unknown task status" },
    { "{\"event\":\"sample\",\"t\":-5,\"worker\":\"w\",\"pid\":1,\"rss\":1}", "negative" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PsEvent e;
      g_autoptr(GStringChunk) chunk = g_string_chunk_new (256);
      g_autoptr(GError) error = NULL;

      if (ps_event_from_json_line (cases[i].line, strlen (cases[i].line), &e, chunk, &error))
        g_error ("“%s” was read", cases[i].line);
      if (strstr (error->message, cases[i].part) == NULL)
        g_error ("“%s”: “%s” lacks “%s”", cases[i].line, error->message, cases[i].part);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/ps/event/tasks-fast-path", test_tasks_fast_path);
  g_test_add_func ("/ps/event/flat-fast-path", test_flat_fast_path);
  g_test_add_func ("/ps/event/json-roundtrip", test_json_roundtrip);
  g_test_add_func ("/ps/event/json-escaping", test_json_escaping);
  g_test_add_func ("/ps/event/log-reader-bad", test_log_reader_bad);
  return g_test_run ();
}
