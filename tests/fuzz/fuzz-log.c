/* fuzz-log.c: the run log reader
 *
 * A log that is read starts with run-start, and each of its events, once
 * written out as a log line, reads back to the same line: what the reader
 * keeps is what the writer would write.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "ps-log-reader.h"

/* What the app puts in labels must be valid UTF-8. */
static void
check_strings (const PsEvent *e)
{
  const char *strings[] = {
    e->name, e->item, e->result_text, e->message, e->text,
    e->items, e->workload, e->start_method, e->order,
  };

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    g_assert_true (strings[i] == NULL || g_utf8_validate (strings[i], -1, NULL));
}

static void
check_event (const PsEvent *e)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GString) line2 = g_string_new (NULL);
  g_autoptr(GStringChunk) strings = g_string_chunk_new (256);
  g_autoptr(GError) error = NULL;
  PsEvent back;

  check_strings (e);
  ps_event_to_json (e, line);
  g_assert_true (g_utf8_validate (line->str, line->len, NULL));
  if (!ps_event_from_json_line (line->str, line->len - 1, &back, strings, &error))
    g_error ("the line written for a read event does not read: %s\n%s", error->message, line->str);
  ps_event_to_json (&back, line2);
  g_assert_cmpstr (line2->str, ==, line->str);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsLog) log = NULL;

  fuzz_init ();

  log = ps_log_parse ((const char *) data, size, &error);
  if (log == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (log->events->len, >=, 1);
  /* a line is one event, or a "tasks" line of tasks of at least 14
   * bytes each ("[0,0,0,0,0,0],") */
  g_assert_cmpuint (log->n_lines, >=, 1);
  g_assert_cmpuint (log->events->len, <=, log->n_lines + size / 14);
  g_assert_cmpint (g_array_index (log->events, PsEvent, 0).type, ==, PS_EVENT_RUN_START);
  if (log->problem != NULL)
    g_assert_true (g_utf8_validate (log->problem, -1, NULL));

  for (guint i = 0; i < log->events->len; i++)
    check_event (&g_array_index (log->events, PsEvent, i));
  return 0;
}
