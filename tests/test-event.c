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
  g_test_add_func ("/ps/event/json-roundtrip", test_json_roundtrip);
  g_test_add_func ("/ps/event/json-escaping", test_json_escaping);
  g_test_add_func ("/ps/event/log-reader-bad", test_log_reader_bad);
  return g_test_run ();
}
