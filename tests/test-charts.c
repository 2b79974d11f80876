/* test-charts.c: chart images, a sweep's exports and history ids, from
 * poolscope-run export as a user runs it
 *
 * The images are read back as another program would: PNG with cairo, SVG
 * rendered by rsvg-convert, PDF by pdftoppm; their pixels are looked at.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include <cairo.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cli-run.h"

typedef struct
{
  int    width;
  int    height;
  double inked;   /* the share of pixels that are not white */
  double ok_blue; /* the share of pixels near the status colour "ok" (#3584e4) */
} Pixels;

static void
read_png (const char *path,
          Pixels     *px)
{
  cairo_surface_t *s = cairo_image_surface_create_from_png (path);
  const unsigned char *data;
  guint64 inked = 0, blue = 0;
  int stride;

  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_flush (s);
  px->width = cairo_image_surface_get_width (s);
  px->height = cairo_image_surface_get_height (s);
  data = cairo_image_surface_get_data (s);
  stride = cairo_image_surface_get_stride (s);
  for (int y = 0; y < px->height; y++)
    for (int x = 0; x < px->width; x++)
      {
        guint32 v = *(const guint32 *) (data + y * stride + x * 4);
        int r = (v >> 16) & 0xff, g = (v >> 8) & 0xff, b = v & 0xff, a = v >> 24;

        if (a > 0 && (r < 240 || g < 240 || b < 240))
          inked++;
        if (a > 200 && abs (r - 0x35) < 40 && abs (g - 0x84) < 40 && abs (b - 0xe4) < 40)
          blue++;
      }
  px->inked = (double) inked / (px->width * px->height);
  px->ok_blue = (double) blue / (px->width * px->height);
  cairo_surface_destroy (s);
}

static void
run_tool (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDERR_MERGE |
                                                         G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_autofree char *out = NULL;

  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    g_error ("%s failed: %s", argv[0], out);
}

static char *
make_run_log (const char *name,
              const char *items,
              const char *workload)
{
  char *log = tmp_path (name);
  Result r = { 0 };

  run_cli (NULL, &r, "run", "--items", items, "--workload", workload, "-j2", "--chunksize", "1", "-q",
           "--format", "none", "--log", log, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  return log;
}

/* A run's charts as PNG, SVG and PDF, each read back by another program:
 * the timeline is drawn (its "ok" bars are there), at the size asked. */
static void
test_run_charts (void)
{
  /* long enough for samples: the first comes a second into a worker's life */
  g_autofree char *log = make_run_log ("charts.log", "1..100", "cpu:30");
  g_autofree char *png = tmp_path ("timeline.png");
  g_autofree char *svg = tmp_path ("cpu.svg");
  g_autofree char *svg_png = tmp_path ("cpu-svg.png");
  g_autofree char *pdf = tmp_path ("memory.pdf");
  g_autofree char *pdf_png = tmp_path ("memory-pdf");
  g_autofree char *pdf_png_file = tmp_path ("memory-pdf.png");
  Result r = { 0 };
  Pixels px;

  run_cli (NULL, &r, "export", log, "--to", "png", "-o", png, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  read_png (png, &px);
  g_test_message ("timeline %dx%d: %.3f inked, %.3f ok-blue", px.width, px.height, px.inked, px.ok_blue);
  g_assert_cmpint (px.width, ==, 1600);
  g_assert_cmpfloat (px.ok_blue, >, 0.01);

  run_cli (NULL, &r, "export", log, "--to", "png", "--chart", "ordering", "--size", "640x480", "-o", png, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  read_png (png, &px);
  g_assert_cmpint (px.width, ==, 640);
  g_assert_cmpint (px.height, ==, 480);
  g_assert_cmpfloat (px.inked, >, 0.002);

  run_cli (NULL, &r, "export", log, "--to", "svg", "--chart", "cpu", "--size", "800x300", "-o", svg, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  {
    const char *argv[] = { "rsvg-convert", "-f", "png", "--dpi-x", "72", "--dpi-y", "72", "-o", svg_png, svg, NULL };

    run_tool (argv);
  }
  read_png (svg_png, &px);
  g_test_message ("cpu (svg) %dx%d: %.3f inked", px.width, px.height, px.inked);
  g_assert_cmpint (px.width, ==, 800);
  g_assert_cmpint (px.height, ==, 300);
  g_assert_cmpfloat (px.inked, >, 0.002);

  run_cli (NULL, &r, "export", log, "--to", "pdf", "--chart", "memory", "-o", pdf, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  {
    const char *argv[] = { "pdftoppm", "-png", "-r", "36", "-singlefile", pdf, pdf_png, NULL };

    run_tool (argv);
  }
  read_png (pdf_png_file, &px);
  g_test_message ("memory (pdf) %dx%d: %.3f inked", px.width, px.height, px.inked);
  g_assert_cmpfloat (px.inked, >, 0.002);

  /* to stdout */
  run_cli (NULL, &r, "export", log, "--to", "svg", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "<svg"));
  result_clear (&r);
}

/* A sweep's log exports its table (the same numbers the sweep printed)
 * and its charts. */
static void
test_sweep_exports (void)
{
  g_autofree char *log = tmp_path ("sweep.log");
  g_autofree char *png = tmp_path ("speedup.png");
  g_autoptr(JsonParser) printed = json_parser_new ();
  g_autoptr(JsonParser) exported = json_parser_new ();
  JsonArray *a, *b;
  Result r = { 0 };
  g_auto(GStrv) lines = NULL;
  Pixels px;

  run_cli (NULL, &r, "sweep", "--items", "1..24", "--workload", "cpu:5", "--workers", "1,2,3", "--reps", "2",
           "--no-warmup", "--json", "--log", log, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (json_parser_load_from_data (printed, r.out, -1, NULL));
  result_clear (&r);

  run_cli (NULL, &r, "export", log, "--to", "json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (json_parser_load_from_data (exported, r.out, -1, NULL));
  result_clear (&r);
  a = json_object_get_array_member (json_node_get_object (json_parser_get_root (printed)), "points");
  b = json_object_get_array_member (json_node_get_object (json_parser_get_root (exported)), "points");
  g_assert_cmpuint (json_array_get_length (a), ==, 3);
  g_assert_cmpuint (json_array_get_length (b), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *p = json_array_get_object_element (a, i), *q = json_array_get_object_element (b, i);

      g_assert_cmpint (json_object_get_int_member (p, "workers"), ==, json_object_get_int_member (q, "workers"));
      g_assert_cmpfloat (json_object_get_double_member (p, "wall_s"), ==, json_object_get_double_member (q, "wall_s"));
      g_assert_cmpfloat (json_object_get_double_member (p, "speedup"), ==,
                         json_object_get_double_member (q, "speedup"));
    }
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (json_parser_get_root (printed)), "recommended"), ==,
                   json_object_get_int_member (json_node_get_object (json_parser_get_root (exported)), "recommended"));

  run_cli (NULL, &r, "export", log, "--to", "csv", NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);   /* header, 3 rows, "" */
  g_assert_true (g_str_has_prefix (lines[0], "workers,reps,wall_s,"));
  g_assert_true (g_str_has_prefix (lines[1], "1,2,"));
  result_clear (&r);

  run_cli (NULL, &r, "export", log, "--to", "png", "-o", png, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  read_png (png, &px);
  g_test_message ("speedup %dx%d: %.3f inked", px.width, px.height, px.inked);
  g_assert_cmpint (px.height, ==, 600);
  g_assert_cmpfloat (px.inked, >, 0.002);

  /* what a sweep has not */
  run_cli (NULL, &r, "export", log, "--to", "joblog", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "a sweep's log exports as csv, json"));
  result_clear (&r);
  run_cli (NULL, &r, "export", log, "--to", "png", "--chart", "timeline", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "not a chart of a sweep"));
  result_clear (&r);
}

/* poolscope-run export ID: a run of the history, by the id it lists. */
static void
test_history_id (void)
{
  g_autofree char *data = tmp_path ("xdg-data");
  g_autofree char *id = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(GStrv) lines = NULL;
  Result r = { 0 };

  g_setenv ("XDG_DATA_HOME", data, TRUE);
  run_cli (NULL, &r, "run", "--items", "1..30", "--save", "-q", "--format", "none", NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  run_cli (NULL, &r, "history", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, r.out, -1, NULL));
  id = g_strdup_printf ("%" G_GINT64_FORMAT,
                        json_object_get_int_member (json_array_get_object_element (
                          json_node_get_array (json_parser_get_root (parser)), 0), "id"));
  result_clear (&r);
  /* the table lists it too */
  run_cli (NULL, &r, "history", NULL);
  g_assert_nonnull (strstr (r.out, "id"));
  result_clear (&r);

  run_cli (NULL, &r, "export", id, "--to", "csv", NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 32);
  result_clear (&r);

  run_cli (NULL, &r, "export", "987654", "--to", "csv", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "no run 987654 in the history"));
  result_clear (&r);
  g_unsetenv ("XDG_DATA_HOME");
}

static void
test_bad_chart_options (void)
{
  g_autofree char *log = make_run_log ("bad.log", "1..5", "square");
  static const struct { const char *args[6]; const char *part; } cases[] = {
    { { "--to", "png", "--chart", "speedup" }, "not a chart of a run" },
    { { "--to", "png", "--size", "10x10" }, "from 16 to 20000" },
    { { "--to", "png", "--size", "wide" }, "WIDTHxHEIGHT" },
    { { "--to", "png", "--size", "800x99999" }, "from 16 to 20000" },
    { { "--to", "csv", "--chart", "cpu" }, "are for images" },
    { { "--to", "gif" }, "jsonl, csv, joblog, trace" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *argv[12] = { "export", log };
      Result r = { 0 };
      guint n = 2;

      for (guint k = 0; cases[i].args[k]; k++)
        argv[n++] = cases[i].args[k];
      run_argv (argv, NULL, &r);
      g_test_message ("case %u: %d %s", i, r.status, r.err);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, cases[i].part));
      g_assert_cmpstr (r.out, ==, "");
      result_clear (&r);
    }
}

/* A refused or failed export leaves the file that was there; one to a
 * FIFO (or a device) writes into it, never replaces it. */
static void
test_output_kept (void)
{
  g_autofree char *log = make_run_log ("kept.log", "1..5", "square");
  g_autofree char *bad = tmp_path ("bad.log");
  g_autofree char *fifo = tmp_path ("out.fifo");
  const char *formats[] = { "csv", "png" };
  struct stat st;

  g_assert_true (g_file_set_contents (bad, "junk\n", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *name = g_strconcat ("old.", formats[i], NULL);
      g_autofree char *old = tmp_path (name);
      g_autofree char *text = NULL;
      Result r = { 0 };

      g_assert_true (g_file_set_contents (old, "what was there\n", -1, NULL));
      run_cli (NULL, &r, "export", bad, "--to", formats[i], "-o", old, NULL);
      g_assert_cmpint (r.status, ==, 2);
      result_clear (&r);
      g_assert_true (g_file_get_contents (old, &text, NULL, NULL));
      g_assert_cmpstr (text, ==, "what was there\n");
    }

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      const char *cat[] = { "cat", fifo, NULL };
      g_autoptr(GSubprocess) reader = NULL;
      g_autoptr(GBytes) got = NULL;
      g_autoptr(GError) error = NULL;
      Result r = { 0 };

      g_unlink (fifo);
      g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
      reader = g_subprocess_newv (cat, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
      g_assert_no_error (error);
      run_cli (NULL, &r, "export", log, "--to", formats[i], "-o", fifo, NULL);
      g_assert_cmpint (r.status, ==, 0);
      result_clear (&r);
      g_assert_true (g_subprocess_communicate (reader, NULL, NULL, &got, NULL, &error));
      g_assert_cmpuint (g_bytes_get_size (got), >, 100);
      g_assert_cmpint (g_stat (fifo, &st), ==, 0);
      g_assert_true (S_ISFIFO (st.st_mode));
    }
  g_unlink (fifo);
}

int
main (int    argc,
      char **argv)
{
  cli_tests_init (&argc, &argv, "test-charts");
  g_test_add_func ("/ps/charts/run", test_run_charts);
  g_test_add_func ("/ps/charts/sweep-exports", test_sweep_exports);
  g_test_add_func ("/ps/charts/history-id", test_history_id);
  g_test_add_func ("/ps/charts/bad-options", test_bad_chart_options);
  g_test_add_func ("/ps/charts/output-kept", test_output_kept);
  return cli_tests_run ();
}
