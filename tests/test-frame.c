/* test-frame.c: the frame decoder never trusts its input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "ps-error.h"
#include "ps-event.h"
#include "ps-frame.h"

static void
test_roundtrip (void)
{
  PsBuffer b;
  PsEvent e = { 0 }, d;
  PsFrame frame;
  gsize used;
  g_autoptr(GError) error = NULL;

  ps_buffer_init (&b);
  e.type = PS_EVENT_TASK_END;
  e.t = 12345;
  e.worker = 3;
  e.pid = 4242;
  e.task = 7;
  e.item = "seven";
  e.status = PS_TASK_CRASHED;
  e.start = 100;
  e.end = 200;
  e.cpu_ns = 50;
  e.rank = 2;
  e.result_kind = PS_RESULT_TEXT;
  e.result_text = "r";
  e.message = "killed by SIGSEGV";
  ps_event_encode (&e, &b);

  g_assert_cmpint (ps_frame_decode (b.data, b.len, &frame, &used, &error), ==, PS_DECODE_OK);
  g_assert_cmpuint (used, ==, b.len);
  g_assert_true (ps_event_decode (&frame, &d, &error));
  g_assert_no_error (error);
  g_assert_cmpint (d.type, ==, PS_EVENT_TASK_END);
  g_assert_cmpint (d.t, ==, 12345);
  g_assert_cmpuint (d.task, ==, 7);
  g_assert_cmpstr (d.item, ==, "seven");
  g_assert_cmpint (d.status, ==, PS_TASK_CRASHED);
  g_assert_cmpstr (d.result_text, ==, "r");
  g_assert_cmpstr (d.message, ==, "killed by SIGSEGV");
  ps_buffer_clear (&b);
}

/* Every prefix of a valid frame is “need more”, never an error or a read
 * past the end; the frame is copied into an exact-size heap buffer so that
 * a sanitizer sees any overrun. */
static void
test_truncated (void)
{
  PsBuffer b;
  PsEvent e = { 0 };

  ps_buffer_init (&b);
  e.type = PS_EVENT_OUTPUT;
  e.name = "ForkPoolWorker-1";
  e.text = "Process ForkPoolWorker-1: 1";
  ps_event_encode (&e, &b);

  for (gsize n = 0; n < b.len; n++)
    {
      g_autofree guint8 *copy = g_memdup2 (b.data, MAX (n, 1));
      PsFrame frame;
      gsize used;

      g_assert_cmpint (ps_frame_decode (copy, n, &frame, &used, NULL), ==, PS_DECODE_NEED_MORE);
    }
  ps_buffer_clear (&b);
}

static void
test_corrupt (void)
{
  static const struct { guint8 header[8]; const char *part; } cases[] = {
    { { 0, 0, 0, 0, PS_FRAME_EVENT, 99, 0, 0 }, "protocol version" },
    { { 0, 0, 0, 0, PS_FRAME_EVENT, PS_PROTOCOL_VERSION, 1, 0 }, "corrupt" },
    { { 0, 0, 0, 0, 200, PS_PROTOCOL_VERSION, 0, 0 }, "unknown frame type" },
    { { 0xff, 0xff, 0xff, 0xff, PS_FRAME_EVENT, PS_PROTOCOL_VERSION, 0, 0 }, "larger than" },
    { { 0x01, 0x00, 0x00, 0x01, PS_FRAME_EVENT, PS_PROTOCOL_VERSION, 0, 0 }, "larger than" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PsFrame frame;
      gsize used;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (ps_frame_decode (cases[i].header, 8, &frame, &used, &error), ==, PS_DECODE_ERROR);
      g_assert_error (error, PS_ERROR, PS_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, cases[i].part));
    }
}

/* A well-framed payload whose content lies: strings longer than the
 * payload, missing NULs, trailing bytes, unknown event types. */
static void
test_lying_payload (void)
{
  static const struct { const char *name; gsize len; guint8 payload[32]; } cases[] = {
    { "empty", 0, { 0 } },
    { "bad type", 9, { 42, 0, 0, 0, 0, 0, 0, 0, 0 } },
    { "short", 5, { PS_EVENT_OUTPUT, 1, 2, 3, 4 } },
    { "string too long", 30, { PS_EVENT_OUTPUT, 0, 0, 0, 0, 0, 0, 0, 0, /* worker */ 1, 0, 0, 0,
                               /* pid */ 1, 0, 0, 0, /* task */ 0, 0, 0, 0, 0, 0, 0, 0,
                               /* stream */ 1, /* len */ 0xff, 0xff, 0xff, 0x7f } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PsFrame frame = { PS_FRAME_EVENT, cases[i].len, NULL };
      g_autofree guint8 *copy = g_memdup2 (cases[i].payload, MAX (cases[i].len, 1));
      PsEvent e;
      g_autoptr(GError) error = NULL;

      frame.payload = copy;
      if (ps_event_decode (&frame, &e, &error))
        g_error ("payload “%s” decoded", cases[i].name);
      g_assert_error (error, PS_ERROR, PS_ERROR_PROTOCOL);
    }
}

static void
test_trailing_bytes (void)
{
  PsBuffer b;
  PsEvent e = { 0 };
  PsFrame frame;
  gsize used;
  guint32 len;
  g_autoptr(GError) error = NULL;

  ps_buffer_init (&b);
  e.type = PS_EVENT_SAMPLE;
  e.name = "w";
  ps_event_encode (&e, &b);
  ps_buffer_put_u8 (&b, 0);     /* one byte more inside the frame */
  memcpy (&len, b.data, 4);
  len = GUINT32_TO_LE (GUINT32_FROM_LE (len) + 1);
  memcpy (b.data, &len, 4);
  g_assert_cmpint (ps_frame_decode (b.data, b.len, &frame, &used, NULL), ==, PS_DECODE_OK);
  g_assert_false (ps_event_decode (&frame, &e, &error));
  g_assert_nonnull (strstr (error->message, "trailing"));
  ps_buffer_clear (&b);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/ps/frame/roundtrip", test_roundtrip);
  g_test_add_func ("/ps/frame/truncated", test_truncated);
  g_test_add_func ("/ps/frame/corrupt-header", test_corrupt);
  g_test_add_func ("/ps/frame/lying-payload", test_lying_payload);
  g_test_add_func ("/ps/frame/trailing-bytes", test_trailing_bytes);
  return g_test_run ();
}
