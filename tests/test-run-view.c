/* test-run-view.c: the run model and the views, fed canned events
 *
 * A made-up run of 12 tasks on three workers, with a crash that is tried
 * again on a replacement worker, a timeout and an error, drawn into image
 * surfaces (no display needed) in light and dark style. The PNGs are
 * saved for a person to look at; pixels are checked where they mean
 * something: a task's bar has its status's colour.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <gtk/gtk.h>

#include "ps-run-model.h"
#include <adwaita.h>

#include "ps-charts.h"
#include "ps-progress-table.h"
#include "ps-sweep-charts.h"
#include "ps-sweep-draw.h"

#define MS G_GINT64_CONSTANT (1000000)
#define W 900
#define H 360

static const char *names[] = { NULL, "ForkPoolWorker-1", "ForkPoolWorker-2", "ForkPoolWorker-3", "ForkPoolWorker-4" };

static void
worker_event (PsRunModel  *m,
              PsEventType  type,
              guint        k,
              gint64       t,
              int          signal)
{
  PsEvent e = { 0 };

  e.type = type;
  e.t = t;
  e.worker = k;
  e.pid = 100 + k;
  e.name = names[k];
  e.signal = signal;
  e.exit_code = signal ? -1 : 0;
  e.message = signal ? "killed by SIGSEGV" : NULL;
  ps_run_model_add_event (m, &e);
}

static void
task_event (PsRunModel   *m,
            guint         k,
            guint64       task,
            gint64        start,
            gint64        end,
            PsTaskStatus  status,
            gboolean      retry)
{
  PsEvent e = { 0 };

  e.type = PS_EVENT_TASK_END;
  e.t = end;
  e.worker = k;
  e.pid = 100 + k;
  e.task = task;
  e.item_int = task + 1;
  e.start = start;
  e.end = end;
  e.cpu_ns = (end - start) / 2;
  e.status = status;
  e.retry = retry;
  e.attempt = task == 5 && !retry ? 1 : 0;
  e.result_kind = status == PS_TASK_OK ? PS_RESULT_INT : PS_RESULT_NONE;
  e.result_int = (gint64) (task + 1) * (gint64) (task + 1);
  ps_run_model_add_event (m, &e);
}

static void
sample_event (PsRunModel *m,
              guint       k,
              gint64      t,
              double      cpu,
              gint64      rss)
{
  PsEvent e = { 0 };

  e.type = PS_EVENT_SAMPLE;
  e.t = t;
  e.worker = k;
  e.pid = 100 + k;
  e.cpu_percent = cpu;
  e.rss = rss;
  e.pss = e.uss = -1;
  ps_run_model_add_event (m, &e);
}

static void
run_start (PsRunModel *m,
           guint64     n_tasks,
           guint32     workers,
           guint64     chunksize,
           const char *workload)
{
  PsEvent e = { 0 };

  e.type = PS_EVENT_RUN_START;
  e.n_tasks = n_tasks;
  e.workers = workers;
  e.cores = 2;
  e.chunksize = chunksize;
  e.workload = workload;
  e.order = "map";
  e.start_method = "fork";
  ps_run_model_add_event (m, &e);
}

/* chunks of two, round robin: worker 1 runs 0,1,6,7; 2 runs 2,3,8,9; 3 runs 4,5 (dies), 10,11 go to 4 */
static PsRunModel *
canned_run (void)
{
  PsRunModel *m = ps_run_model_new ();
  PsEvent end = { 0 };

  run_start (m, 12, 3, 2, "cpu:100");
  for (guint k = 1; k <= 3; k++)
    worker_event (m, PS_EVENT_WORKER_START, k, 1 * MS, 0);

  task_event (m, 1, 0, 2 * MS, 100 * MS, PS_TASK_OK, FALSE);
  task_event (m, 2, 2, 2 * MS, 100 * MS, PS_TASK_OK, FALSE);
  task_event (m, 3, 4, 2 * MS, 100 * MS, PS_TASK_OK, FALSE);
  task_event (m, 1, 1, 100 * MS, 200 * MS, PS_TASK_OK, FALSE);
  task_event (m, 2, 3, 100 * MS, 200 * MS, PS_TASK_OK, FALSE);
  task_event (m, 3, 5, 100 * MS, 150 * MS, PS_TASK_CRASHED, TRUE);
  worker_event (m, PS_EVENT_WORKER_EXIT, 3, 150 * MS, 11);
  worker_event (m, PS_EVENT_WORKER_START, 4, 152 * MS, 0);
  task_event (m, 4, 5, 155 * MS, 255 * MS, PS_TASK_OK, FALSE);
  task_event (m, 1, 6, 200 * MS, 300 * MS, PS_TASK_OK, FALSE);
  task_event (m, 2, 8, 200 * MS, 300 * MS, PS_TASK_OK, FALSE);
  task_event (m, 1, 7, 300 * MS, 500 * MS, PS_TASK_TIMEOUT, FALSE);
  task_event (m, 2, 9, 300 * MS, 400 * MS, PS_TASK_OK, FALSE);
  task_event (m, 4, 10, 255 * MS, 355 * MS, PS_TASK_OK, FALSE);
  task_event (m, 4, 11, 355 * MS, 455 * MS, PS_TASK_ERROR, FALSE);

  for (gint64 t = 100; t <= 500; t += 100)
    for (guint k = 1; k <= 4; k++)
      if (!(k == 3 && t > 100) && !(k == 4 && t < 200))
        sample_event (m, k, t * MS, k == 4 ? 40 : 95, (2 + k + t / 100) * 1024 * 1024);

  for (guint k = 1; k <= 4; k++)
    if (k != 3)
      worker_event (m, PS_EVENT_WORKER_EXIT, k, 505 * MS, 0);
  end.type = PS_EVENT_RUN_END;
  end.t = 510 * MS;
  end.n_tasks = 12;
  end.n_ok = 9;
  end.n_failed = 2;
  ps_run_model_add_event (m, &end);
  return m;
}

/* A pool of @n workers, ForkPoolWorker-1..n with pids 4001..: two tasks
 * each and five samples, the last with a CPU figure and a size that
 * differ from worker to worker, so that which is busiest is known. */
static double
pool_cpu (guint k)
{
  return 2 + (k * 7) % 15;
}

static PsRunModel *
pool_run (guint n)
{
  PsRunModel *m = ps_run_model_new ();
  PsEvent end = { 0 };

  run_start (m, 2 * n, n, 1, "cpu:100");
  for (guint k = 1; k <= n; k++)
    {
      g_autofree char *name = g_strdup_printf ("ForkPoolWorker-%u", k);
      PsEvent e = { 0 };

      e.type = PS_EVENT_WORKER_START;
      e.t = 1 * MS;
      e.worker = k;
      e.pid = 4000 + k;
      e.name = name;
      ps_run_model_add_event (m, &e);
    }
  for (guint k = 1; k <= n; k++)
    for (guint j = 0; j < 2; j++)
      {
        PsEvent e = { 0 };

        e.type = PS_EVENT_TASK_END;
        e.worker = k;
        e.pid = 4000 + k;
        e.task = 2 * (k - 1) + j;
        e.item_int = e.task;
        e.start = (2 + 100 * j + k % 7) * MS;
        e.end = e.t = e.start + (60 + k % 30) * MS;
        e.cpu_ns = (e.end - e.start) / 2;
        e.status = k % 11 == 5 && j == 1 ? PS_TASK_ERROR : PS_TASK_OK;
        e.result_kind = PS_RESULT_INT;
        e.result_int = 1;
        ps_run_model_add_event (m, &e);
      }
  for (guint tick = 0; tick <= 4; tick++)
    for (guint k = 1; k <= n; k++)
      {
        PsEvent e = { 0 };

        e.type = PS_EVENT_SAMPLE;
        e.t = (10 + tick * 45) * MS;
        e.worker = k;
        e.pid = 4000 + k;
        e.cpu_percent = pool_cpu (k) * (0.6 + 0.1 * tick);
        e.rss = (gint64) (10 + (k * 13) % 40) * 1024 * 1024;
        e.pss = e.uss = -1;
        ps_run_model_add_event (m, &e);
      }
  for (guint k = 1; k <= n; k++)
    {
      PsEvent e = { 0 };

      e.type = PS_EVENT_WORKER_EXIT;
      e.t = 205 * MS;
      e.worker = k;
      e.pid = 4000 + k;
      ps_run_model_add_event (m, &e);
    }
  end.type = PS_EVENT_RUN_END;
  end.t = 210 * MS;
  end.n_tasks = 2 * n;
  ps_run_model_add_event (m, &end);
  return m;
}

/* Stop in the middle: what never ran is counted apart and drawn nowhere. */
static void
test_model_cancel (void)
{
  g_autoptr(PsRunModel) m = ps_run_model_new ();
  PsEvent e = { 0 }, end = { 0 };
  guint64 n;

  run_start (m, 4, 1, 4, NULL);
  worker_event (m, PS_EVENT_WORKER_START, 1, 0, 0);
  task_event (m, 1, 0, 1 * MS, 2 * MS, PS_TASK_OK, FALSE);
  e.type = PS_EVENT_TASK_START;
  e.worker = 1;
  e.pid = 101;
  e.task = 1;
  e.start = e.t = 2 * MS;
  ps_run_model_add_event (m, &e);
  task_event (m, 1, 1, 2 * MS, 9 * MS, PS_TASK_CANCELLED, FALSE);   /* stopped while it ran */
  task_event (m, 1, 2, 9 * MS, 9 * MS, PS_TASK_CANCELLED, FALSE);   /* never ran */
  task_event (m, 1, 3, 9 * MS, 9 * MS, PS_TASK_CANCELLED, FALSE);
  worker_event (m, PS_EVENT_WORKER_EXIT, 1, 9 * MS, 15);
  end.type = PS_EVENT_RUN_END;
  end.t = 10 * MS;
  end.cancelled = TRUE;
  ps_run_model_add_event (m, &end);

  g_assert_true (ps_run_model_is_cancelled (m));
  g_assert_cmpuint (ps_run_model_get_n_finished (m), ==, 1);
  g_assert_cmpuint (ps_run_model_get_n_status (m, PS_TASK_CANCELLED), ==, 3);
  ps_run_model_get_completion (m, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (ps_run_model_get_worker (m, 0)->ok, ==, 1);
  g_assert_cmpuint (ps_run_model_get_worker (m, 0)->failed, ==, 0);
  /* the lane holds the task that ran and the one stopped, not the others */
  g_assert_cmpuint (ps_run_model_get_worker (m, 0)->lane->len, ==, 2);
  g_assert_cmpuint (ps_task_rec_status (&ps_run_model_get_tasks (m)[1]), ==, PS_TASK_CANCELLED);
  g_assert_cmpuint (ps_task_rec_status (&ps_run_model_get_tasks (m)[3]), ==, PS_TASK_CANCELLED);
}

/* Items come as numbers (batches), as text that is a number (frames, log
 * lines) or as text: each is shown as it was given. */
static void
test_model_items (void)
{
  g_autoptr(PsRunModel) m = ps_run_model_new ();
  const char *texts[] = { NULL, "156", "Alice", "007" };
  const char *want[] = { "41", "156", "Alice", "007" };

  run_start (m, 4, 1, 0, NULL);
  worker_event (m, PS_EVENT_WORKER_START, 1, 0, 0);
  for (guint i = 0; i < 4; i++)
    {
      PsEvent e = { 0 };
      char buf[24];

      e.type = PS_EVENT_TASK_END;
      e.worker = 1;
      e.pid = 101;
      e.task = i;
      e.item = texts[i];
      e.item_int = texts[i] ? 0 : 41;
      e.status = PS_TASK_OK;
      ps_run_model_add_event (m, &e);
      g_assert_cmpstr (ps_run_model_format_item (m, &ps_run_model_get_tasks (m)[i], buf), ==, want[i]);
    }
}

static const char *kind_names[] = { "timeline", "cpu", "memory", "progress", "ordering" };

/* Draws @kind at @width × @height and saves it as view-@kind@suffix.png. */
static cairo_surface_t *
draw_sized (PsRunModel    *m,
            PsRunViewKind  kind,
            gboolean       dark,
            PsTextCache   *texts,
            int            width,
            int            height,
            const char    *suffix)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);
  PsDrawStyle style = { { 0 } };
  g_autofree char *name = g_strdup_printf ("view-%s%s%s.png", kind_names[kind], suffix, dark ? "-dark" : "");
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);

  /* the window's background and text colours of each style */
  style.dark = dark;
  style.texts = texts;
  style.fg = dark ? (PsRGBA) { 1, 1, 1, 1 } : (PsRGBA) { 0, 0, 0, 0.8f };
  if (dark)
    cairo_set_source_rgb (cr, 0x24 / 255.0, 0x24 / 255.0, 0x24 / 255.0);
  else
    cairo_set_source_rgb (cr, 0xfa / 255.0, 0xfa / 255.0, 0xfa / 255.0);
  cairo_paint (cr);
  ps_run_draw (kind, m, cr, width, height, &style);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  g_test_message ("saved %s", path);
  return surface;
}

static cairo_surface_t *
draw_with (PsRunModel    *m,
           PsRunViewKind  kind,
           gboolean       dark,
           PsTextCache   *texts)
{
  return draw_sized (m, kind, dark, texts, W, H, "");
}

static cairo_surface_t *
draw (PsRunModel    *m,
      PsRunViewKind  kind,
      gboolean       dark)
{
  return draw_with (m, kind, dark, NULL);
}

static void
pixel_at (cairo_surface_t *surface,
          double           x,
          double           y,
          PsRGBA         *out)
{
  guint32 p = ((guint32 *) cairo_image_surface_get_data (surface))
              [(int) y * cairo_image_surface_get_stride (surface) / 4 + (int) x];

  out->red = ((p >> 16) & 0xff) / 255.0;
  out->green = ((p >> 8) & 0xff) / 255.0;
  out->blue = (p & 0xff) / 255.0;
  out->alpha = 1;
}

static void
assert_close_color (const PsRGBA *got,
                    const PsRGBA *want)
{
  g_assert_cmpfloat_with_epsilon (got->red, want->red, 0.02);
  g_assert_cmpfloat_with_epsilon (got->green, want->green, 0.02);
  g_assert_cmpfloat_with_epsilon (got->blue, want->blue, 0.02);
}

static void
test_model_counts (void)
{
  g_autoptr(PsRunModel) m = canned_run ();
  g_autoptr(GString) results = g_string_new (NULL);
  guint64 n;
  const guint32 *order = ps_run_model_get_completion (m, &n);

  g_assert_true (ps_run_model_is_ended (m));
  g_assert_cmpuint (ps_run_model_get_n_done (m), ==, 12);
  g_assert_cmpuint (ps_run_model_get_n_status (m, PS_TASK_OK), ==, 10);
  g_assert_cmpuint (ps_run_model_get_n_status (m, PS_TASK_TIMEOUT), ==, 1);
  g_assert_cmpuint (ps_run_model_get_n_status (m, PS_TASK_ERROR), ==, 1);
  g_assert_cmpuint (ps_run_model_get_n_retried (m), ==, 1);
  g_assert_cmpuint (ps_run_model_get_n_workers (m), ==, 4);
  g_assert_cmpint (ps_run_model_get_worker (m, 2)->signal, ==, 11);
  g_assert_cmpuint (ps_run_model_get_worker (m, 3)->done, ==, 3);

  /* each task once in the completion order */
  g_assert_cmpuint (n, ==, 12);
  {
    gboolean seen[12] = { FALSE };
    for (guint64 r = 0; r < n; r++)
      {
        g_assert_cmpuint (order[r], <, 12);
        g_assert_false (seen[order[r]]);
        seen[order[r]] = TRUE;
      }
  }

  ps_run_model_append_results (m, results, 100);
  g_assert_cmpstr (results->str, ==, "[1, 4, 9, 16, 25, 36, 49, timeout, 81, 100, 121, error]");
}

/* The crashed attempt, the timeout and the error each show in their colour. */
static void
test_timeline_pixels (gconstpointer data)
{
  gboolean dark = GPOINTER_TO_INT (data);
  g_autoptr(PsRunModel) m = canned_run ();
  cairo_surface_t *s = draw (m, PS_RUN_VIEW_TIMELINE, dark);
  struct { guint64 task; PsTaskStatus status; } cases[] = {
    { 7, PS_TASK_TIMEOUT }, { 11, PS_TASK_ERROR }, { 0, PS_TASK_OK },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      graphene_rect_t r;
      PsRGBA got, want;
      g_autofree char *tip = NULL;
      g_autofree char *head = g_strdup_printf ("Task %" G_GUINT64_FORMAT ",", cases[i].task);

      g_assert_true (ps_run_timeline_task_rect (m, W, H, cases[i].task, &r));
      pixel_at (s, r.origin.x + r.size.width / 2, r.origin.y + r.size.height / 2, &got);
      ps_status_color (cases[i].status, dark, &want);
      assert_close_color (&got, &want);

      tip = ps_run_timeline_tooltip (m, W, H, r.origin.x + r.size.width / 2, r.origin.y + r.size.height / 2);
      g_assert_nonnull (tip);
      g_assert_nonnull (strstr (tip, head));
      g_assert_nonnull (strstr (tip, ps_task_status_to_string (cases[i].status)));
    }

  /* the crashed attempt of task 5: worker 3's lane, lower half, the crash colour faded */
  {
    graphene_rect_t r4;
    PsRGBA got;
    g_autofree char *tip = NULL;

    g_assert_true (ps_run_timeline_task_rect (m, W, H, 4, &r4));   /* worker 3's first task */
    tip = ps_run_timeline_tooltip (m, W, H, r4.origin.x + r4.size.width * 1.25, r4.origin.y + r4.size.height * 0.75);
    g_assert_nonnull (tip);
    g_assert_nonnull (strstr (tip, "Task 5,"));
    g_assert_nonnull (strstr (tip, "tried again"));
    pixel_at (s, r4.origin.x + r4.size.width * 1.25, r4.origin.y + r4.size.height * 0.75, &got);
    g_assert_true (got.red > got.blue);   /* reddish, not the blue of ok */
  }
  cairo_surface_destroy (s);
}

static void
test_views_draw (gconstpointer data)
{
  gboolean dark = GPOINTER_TO_INT (data);
  g_autoptr(PsRunModel) m = canned_run ();

  for (PsRunViewKind kind = PS_RUN_VIEW_TIMELINE; kind <= PS_RUN_VIEW_ORDERING; kind++)
    {
      cairo_surface_t *s = draw (m, kind, dark);
      guint32 *px = (guint32 *) cairo_image_surface_get_data (s);
      int stride = cairo_image_surface_get_stride (s) / 4;
      guint drawn = 0;

      /* something was drawn, and not only text: count pixels off the background */
      for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
          drawn += px[y * stride + x] != px[0];
      g_test_message ("%s: %u pixels drawn", kind_names[kind], drawn);
      g_assert_cmpuint (drawn, >, 2000);
      cairo_surface_destroy (s);
    }
}

static void
test_descriptions (void)
{
  g_autoptr(PsRunModel) m = canned_run ();
  struct { PsRunViewKind kind; const char *want[3]; } cases[] = {
    { PS_RUN_VIEW_PROGRESS, { "12 of 12 tasks done", "1 timeout", "ForkPoolWorker-3, pid 103: 1 task done" } },
    { PS_RUN_VIEW_TIMELINE, { "4 worker lanes over 510 ms", "ForkPoolWorker-4 (pid 104, 3 tasks)", NULL } },
    { PS_RUN_VIEW_CPU, { "CPU usage over the run: total 164% on 2 cores", "ForkPoolWorker-1 49%", "ForkPoolWorker-4 42%" } },
    { PS_RUN_VIEW_MEMORY, { "total 28 MiB", "ForkPoolWorker-1 8.0 MiB", "ForkPoolWorker-4 11 MiB" } },
    { PS_RUN_VIEW_ORDERING, { "of 12 finished tasks were overtaken by a task submitted after them", NULL, NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      ps_run_describe (cases[i].kind, m, text);
      g_test_message ("%s: %s", kind_names[cases[i].kind], text->str);
      for (guint j = 0; j < 3 && cases[i].want[j]; j++)
        if (strstr (text->str, cases[i].want[j]) == NULL)
          g_error ("“%s” not in the %s description: %s", cases[i].want[j], kind_names[cases[i].kind], text->str);
      g_assert_null (strstr (text->str, " 1 tasks"));
    }
}

/* One task, one worker, a few milliseconds: singular words, and the
 * duration in a unit that says it, not "0.00 s". */
static void
test_descriptions_short_run (void)
{
  struct { gint64 wall; const char *want; } walls[] = {
    { 3 * MS, "over 3 ms" },
    { 3 * MS + 250000, "over 3.25 ms" },
    { 1234 * MS, "over 1.23 s" },
    { 999960000, "over 1 s" },
    { 59990 * MS, "over 1 min 00 s" },
    { 125000 * MS, "over 2 min 05 s" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (walls); i++)
    {
      g_autoptr(PsRunModel) m = ps_run_model_new ();
      g_autoptr(GString) timeline = g_string_new (NULL);
      g_autoptr(GString) progress = g_string_new (NULL);
      PsEvent end = { 0 };

      run_start (m, 1, 1, 1, "sleep:3");
      worker_event (m, PS_EVENT_WORKER_START, 1, 0, 0);
      task_event (m, 1, 0, 0, walls[i].wall, PS_TASK_OK, FALSE);
      worker_event (m, PS_EVENT_WORKER_EXIT, 1, walls[i].wall, 0);
      end.type = PS_EVENT_RUN_END;
      end.t = walls[i].wall;
      end.n_tasks = 1;
      end.n_ok = 1;
      ps_run_model_add_event (m, &end);

      ps_run_describe (PS_RUN_VIEW_TIMELINE, m, timeline);
      ps_run_describe (PS_RUN_VIEW_PROGRESS, m, progress);
      g_test_message ("%s | %s", timeline->str, progress->str);
      g_assert_nonnull (strstr (timeline->str, walls[i].want));
      g_assert_null (strstr (timeline->str, "0.00 s"));
      g_assert_true (g_str_has_prefix (timeline->str, "1 worker lane over"));
      g_assert_nonnull (strstr (timeline->str, "ForkPoolWorker-1 (pid 101, 1 task)"));
      g_assert_true (g_str_has_prefix (progress->str, "1 of 1 task done"));
      g_assert_nonnull (strstr (progress->str, "ForkPoolWorker-1, pid 101: 1 task done"));
    }
}

/* Whether @label has @number in it as a number of its own: "…10" has 10,
 * "4010" has not. */
static gboolean
has_number (const char *label,
            guint       number)
{
  for (const char *p = label; *p; p++)
    if (g_ascii_isdigit (*p) && (p == label || !g_ascii_isdigit (p[-1])) &&
        g_ascii_strtoull (p, NULL, 10) == number)
      return TRUE;
  return FALSE;
}

/* Twelve workers whose names differ only at the end: at any width, the
 * labels as drawn are all different and each keeps its worker's number;
 * on a label, the tooltip names the worker in full. */
static void
test_lane_labels (void)
{
  g_autoptr(PsRunModel) m = pool_run (12);
  int widths[] = { 900, 640, 420, 300, 220 };

  cairo_surface_destroy (draw_sized (m, PS_RUN_VIEW_TIMELINE, FALSE, NULL, W, H, "-12"));
  cairo_surface_destroy (draw_sized (m, PS_RUN_VIEW_TIMELINE, FALSE, NULL, 420, H, "-12-narrow"));
  /* too narrow for any label whole: cut at the start, drawn all the same */
  cairo_surface_destroy (draw_sized (m, PS_RUN_VIEW_TIMELINE, FALSE, NULL, 120, H, "-12-tiny"));
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      PsDrawStyle style = { { 0 } };

      for (guint row = 0; row < 12; row++)
        {
          graphene_rect_t r;
          char *label = ps_run_timeline_lane_label (m, &style, widths[i], H, row, &r);

          g_assert_nonnull (label);
          g_test_message ("%d px, lane %u: %s", widths[i], row, label);
          if (!has_number (label, row + 1))
            g_error ("lane %u at %d px: “%s” does not say %u", row, widths[i], label, row + 1);
          if (!g_hash_table_add (seen, label))
            g_error ("two lanes read “%s” at %d px", label, widths[i]);
          /* in the label column, and that is not most of the width */
          g_assert_cmpfloat (r.origin.x + r.size.width, <=, widths[i] * 0.35 + 1);
        }
    }

  /* the tooltip on lane 10's label: the full name and the pid */
  {
    graphene_rect_t r;
    g_autofree char *label = ps_run_timeline_lane_label (m, NULL, W, H, 9, &r);
    g_autofree char *tip = ps_run_timeline_tooltip (m, W, H, r.origin.x + 2, r.origin.y + r.size.height / 2);

    g_assert_nonnull (tip);
    g_assert_nonnull (strstr (tip, "ForkPoolWorker-10<"));
    g_assert_nonnull (strstr (tip, "pid 4010"));
  }
}

/* Drawn in a larger font, the label column is wider: the tooltip and the
 * task rectangles, which have no style, find the lanes where they were drawn. */
static void
test_lane_labels_font (void)
{
  g_autoptr(PsRunModel) m = canned_run ();
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
  cairo_t *cr = cairo_create (s);
  PangoFontDescription *font = pango_font_description_from_string ("Sans 14");
  PsDrawStyle style = { { 0 } }, plain = { { 0 } };
  graphene_rect_t big, small, task;
  g_autofree char *label = NULL;
  g_autofree char *label_plain = NULL;
  PsRGBA got, want, bg;

  style.fg = (PsRGBA) { 0, 0, 0, 0.8f };
  style.font = font;
  cairo_set_source_rgb (cr, 0xfa / 255.0, 0xfa / 255.0, 0xfa / 255.0);
  cairo_paint (cr);
  ps_run_draw (PS_RUN_VIEW_TIMELINE, m, cr, W, H, &style);
  cairo_destroy (cr);
  cairo_surface_flush (s);

  label = ps_run_timeline_lane_label (m, NULL, W, H, 0, &big);
  label_plain = ps_run_timeline_lane_label (m, &plain, W, H, 0, &small);
  g_assert_cmpstr (label, ==, label_plain);
  g_assert_cmpfloat (big.size.height, >, small.size.height);
  g_assert_cmpfloat (big.size.width, >, small.size.width);

  /* task 0's bar starts where the rectangle says, not a label's width off */
  g_assert_true (ps_run_timeline_task_rect (m, W, H, 0, &task));
  pixel_at (s, task.origin.x + 3, task.origin.y + task.size.height / 2, &got);
  ps_status_color (PS_TASK_OK, FALSE, &want);
  assert_close_color (&got, &want);
  pixel_at (s, task.origin.x - 3, task.origin.y + task.size.height / 2, &got);
  bg = (PsRGBA) { 0xfa / 255.f, 0xfa / 255.f, 0xfa / 255.f, 1 };
  assert_close_color (&got, &bg);
  cairo_surface_destroy (s);
  pango_font_description_free (font);
}

/* 256 workers: at the natural height every lane has its label; squeezed
 * into 320 px, one label every so many lanes, none over another. */
static void
test_lane_labels_many (void)
{
  g_autoptr(PsRunModel) m = pool_run (256);
  g_autoptr(PsRunModel) m64 = pool_run (64);
  int natural = ps_run_timeline_natural_height (m);
  graphene_rect_t last = GRAPHENE_RECT_INIT (0, -1000, 0, 0);
  guint labelled = 0;
  gint64 last_row = -1;

  cairo_surface_destroy (draw_sized (m64, PS_RUN_VIEW_TIMELINE, FALSE, NULL, W, H, "-64"));
  cairo_surface_destroy (draw_sized (m64, PS_RUN_VIEW_TIMELINE, TRUE, NULL, W,
                                     ps_run_timeline_natural_height (m64), "-64-natural"));

  g_assert_cmpint (natural, >=, 256 * 14);
  g_assert_cmpint (ps_run_timeline_natural_height (m64), <, natural);
  cairo_surface_destroy (draw_sized (m, PS_RUN_VIEW_TIMELINE, FALSE, NULL, W, natural, "-256-natural"));
  for (guint row = 0; row < 256; row++)
    {
      graphene_rect_t r;
      g_autofree char *label = ps_run_timeline_lane_label (m, NULL, W, natural, row, &r);

      if (label == NULL)
        g_error ("lane %u has no label at the natural height, %d px", row, natural);
      g_assert_true (has_number (label, row + 1));
      g_assert_cmpfloat (r.origin.y, >=, last.origin.y + last.size.height);
      last = r;
    }

  cairo_surface_destroy (draw_sized (m, PS_RUN_VIEW_TIMELINE, FALSE, NULL, W, 320, "-256"));
  last = GRAPHENE_RECT_INIT (0, -1000, 0, 0);
  for (guint row = 0; row < 256; row++)
    {
      graphene_rect_t r;
      g_autofree char *label = ps_run_timeline_lane_label (m, NULL, W, 320, row, &r);

      if (label == NULL)
        continue;
      g_assert_true (has_number (label, row + 1));
      /* a label's height apart at least: no text over text */
      g_assert_cmpfloat (r.size.height, >, 8);
      g_assert_cmpfloat (r.origin.y, >=, last.origin.y + last.size.height);
      g_assert_cmpfloat (r.origin.y + r.size.height, <=, 320);
      if (last_row >= 0)
        g_test_message ("lanes %" G_GINT64_FORMAT " and %u labelled, %.1f px apart",
                        last_row, row, r.origin.y - last.origin.y);
      last = r;
      last_row = row;
      labelled++;
    }
  g_test_message ("%u of 256 lanes labelled at 320 px", labelled);
  g_assert_cmpuint (labelled, >=, 5);
  g_assert_cmpuint (labelled, <, 256);
  /* the first worker is named, where the lanes start */
  g_assert_true (has_number (ps_run_timeline_lane_label (m, NULL, W, 320, 0, NULL), 1));
}

/* The CPU legend of twelve workers in 640 px: the total first, the
 * busiest workers, then how many it leaves out; the description names
 * the same total and the same numbers. */
static void
test_series_legend (void)
{
  g_autoptr(PsRunModel) m = pool_run (12);
  g_autoptr(GPtrArray) cpu = ps_run_legend_entries (PS_RUN_VIEW_CPU, m, NULL, 640, 220);
  g_autoptr(GPtrArray) wide = ps_run_legend_entries (PS_RUN_VIEW_CPU, m, NULL, 3000, 220);
  g_autoptr(GPtrArray) memory = ps_run_legend_entries (PS_RUN_VIEW_MEMORY, m, NULL, 640, 220);
  g_autoptr(GString) described = g_string_new (NULL);
  g_autofree char *total = NULL;
  g_autofree char *more = NULL;
  g_autofree char *total_mib = NULL;
  double sum = 0, busiest = -1;
  gint64 rss = 0;
  guint busiest_k = 0, shown;

  cairo_surface_destroy (draw_sized (m, PS_RUN_VIEW_CPU, FALSE, NULL, 640, 220, "-12-640"));
  cairo_surface_destroy (draw_sized (m, PS_RUN_VIEW_MEMORY, TRUE, NULL, 640, 220, "-12-640"));
  /* the run is over: each entry is what the Progress table shows */
  for (guint k = 1; k <= 12; k++)
    {
      double cpu_k = ps_run_model_get_worker_cpu (m, ps_run_model_get_worker (m, k - 1));

      sum += cpu_k;
      rss += (gint64) (10 + (k * 13) % 40) * 1024 * 1024;
      if (cpu_k > busiest)
        {
          busiest = cpu_k;
          busiest_k = k;
        }
    }
  total = g_strdup_printf ("Total %.0f%% (2 cores)", sum);
  for (guint i = 0; i < cpu->len; i++)
    g_test_message ("CPU legend at 640 px: %s", (char *) cpu->pdata[i]);

  g_assert_cmpuint (cpu->len, >=, 3);
  g_assert_cmpstr (cpu->pdata[0], ==, total);
  shown = cpu->len - 2;
  g_assert_cmpuint (shown, >=, 1);
  g_assert_cmpuint (shown, <, 12);
  more = g_strdup_printf ("+%u more", 12 - shown);
  g_assert_cmpstr (cpu->pdata[cpu->len - 1], ==, more);
  {
    g_autofree char *first = g_strdup_printf ("ForkPoolWorker-%u %.0f%%", busiest_k, busiest);
    g_assert_cmpstr (cpu->pdata[1], ==, first);
  }

  /* room for all: every worker, and no "more" */
  g_assert_cmpuint (wide->len, ==, 13);
  g_assert_null (strstr (wide->pdata[12], "more"));

  /* memory: its total is the pool's sum too */
  total_mib = g_strdup_printf ("Total %.0f MiB", rss / (1024.0 * 1024));
  g_assert_cmpstr (memory->pdata[0], ==, total_mib);
  g_assert_true (g_str_has_prefix (memory->pdata[memory->len - 1], "+"));

  ps_run_describe (PS_RUN_VIEW_CPU, m, described);
  g_test_message ("%s", described->str);
  {
    g_autofree char *said = g_strdup_printf ("total %.0f%% on 2 cores", sum);
    g_assert_nonnull (strstr (described->str, said));
  }
  for (guint i = 1; i + 1 < cpu->len; i++)
    g_assert_nonnull (strstr (described->str, cpu->pdata[i]));
  g_assert_nonnull (strstr (described->str, "; 7 more workers"));
}

/* A long run's views wait for their pace; a failure, a new worker or the
 * run's end is drawn at once. */
static void
test_pace (void)
{
  g_autoptr(PsRunModel) m = ps_run_model_new ();
  PsEvent end = { 0 };
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  PsChart *timeline = g_object_new (PS_TYPE_TIMELINE_CHART, "model", m, NULL);
  PsChart *progress = g_object_new (PS_TYPE_ORDERING_CHART, "model", m, NULL);
  const gint64 S = 1000 * MS;

  run_start (m, 100, 2, 1, "sleep:1000");
  worker_event (m, PS_EVENT_WORKER_START, 1, 1 * MS, 0);
  worker_event (m, PS_EVENT_WORKER_START, 2, 1 * MS, 0);
  for (guint64 i = 0; i < 40; i++)
    task_event (m, 1 + i % 2, i, (gint64) (i / 2) * 10 * S, (gint64) (i / 2 + 1) * 10 * S, PS_TASK_OK, FALSE);

  gtk_box_append (GTK_BOX (box), GTK_WIDGET (progress));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (timeline));
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 500);
  gtk_window_present (GTK_WINDOW (window));
  for (int i = 0; i < 3; i++)
    gtk_test_widget_wait_for_draw (window);

  /* 2000 s into the run: the timeline (and the ordering chart) wait a
   * second between redraws; both were drawn a moment ago */
  task_event (m, 1, 40, 2000 * S, 2001 * S, PS_TASK_OK, FALSE);
  g_assert_false (ps_chart_update (timeline));
  g_assert_false (ps_chart_update (progress));
  /* a crash does not wait for the pace: it is drawn (and told) within a
   * quarter of a second, not a second */
  task_event (m, 2, 41, 2000 * S, 2001 * S, PS_TASK_CRASHED, FALSE);
  g_usleep (260 * 1000);
  g_assert_true (ps_chart_update (timeline));
  g_assert_true (ps_chart_update (progress));
  gtk_test_widget_wait_for_draw (window);
  task_event (m, 1, 42, 2001 * S, 2002 * S, PS_TASK_OK, FALSE);
  g_assert_false (ps_chart_update (timeline));
  /* nor does the end */
  end.type = PS_EVENT_RUN_END;
  end.t = 2002 * S;
  end.n_tasks = 100;
  ps_run_model_add_event (m, &end);
  g_assert_true (ps_chart_update (timeline));
  g_assert_true (ps_chart_update (progress));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Texts kept from one frame to the next draw the very same pixels as
 * texts laid out anew; what a frame no longer draws is dropped. */
static void
test_text_cache (void)
{
  g_autoptr(PsRunModel) m = canned_run ();
  PsTextCache *cache = ps_text_cache_new ();

  for (PsRunViewKind kind = PS_RUN_VIEW_TIMELINE; kind <= PS_RUN_VIEW_ORDERING; kind++)
    {
      cairo_surface_t *fresh = draw (m, kind, FALSE);
      guint kept = 0;

      for (int frame = 0; frame < 3; frame++)
        {
          cairo_surface_t *again;

          ps_text_cache_begin_frame (cache, NULL);
          again = draw_with (m, kind, FALSE, cache);
          g_assert_cmpmem (cairo_image_surface_get_data (fresh),
                           cairo_image_surface_get_stride (fresh) * H,
                           cairo_image_surface_get_data (again),
                           cairo_image_surface_get_stride (again) * H);
          /* the first frame still holds the texts of the view before */
          if (frame > 1)
            g_assert_cmpuint (ps_text_cache_get_size (cache), ==, kept);
          kept = ps_text_cache_get_size (cache);
          cairo_surface_destroy (again);
        }
      g_test_message ("%s: %u texts kept", kind_names[kind], kept);
      g_assert_cmpuint (kept, >, 0);
      cairo_surface_destroy (fresh);
    }
  /* two frames without texts: nothing left */
  ps_text_cache_begin_frame (cache, NULL);
  ps_text_cache_begin_frame (cache, NULL);
  g_assert_cmpuint (ps_text_cache_get_size (cache), ==, 0);
  ps_text_cache_free (cache);
}

/* A batch taken whole makes the same model as its task-ends one by one. */
static void
feed_event (const PsEvent *e,
            gpointer       data)
{
  ps_run_model_add_event (data, e);
}

static void
test_task_batch (void)
{
  g_autoptr(PsRunModel) one = ps_run_model_new ();
  g_autoptr(PsRunModel) whole = ps_run_model_new ();
  PsTaskBatcher batcher;
  PsBuffer out;
  gsize pos = 0;
  guint frames = 0;
  const guint64 n = 5000;
  guint64 n_one, n_whole;

  run_start (one, n, 2, 1, "square");
  run_start (whole, n, 2, 1, "square");
  for (guint k = 1; k <= 2; k++)
    {
      worker_event (one, PS_EVENT_WORKER_START, k, 0, 0);
      worker_event (whole, PS_EVENT_WORKER_START, k, 0, 0);
    }

  /* runs of a few tasks per worker, as the engine sends them */
  ps_buffer_init (&out);
  ps_task_batcher_reset (&batcher);
  batcher.has_start = FALSE;
  for (guint64 i = 0; i < n; i++)
    {
      PsEvent e = { 0 };

      e.worker = 1 + (i / 7) % 2;
      e.pid = 100 + e.worker;
      e.task = i;
      e.item_int = (gint64) i + 1;
      e.start = (gint64) i * 1000 + 17;
      e.type = PS_EVENT_TASK_START;
      e.t = e.start;
      ps_task_batcher_add (&batcher, &e, &out);
      e.type = PS_EVENT_TASK_END;
      e.end = e.start + 300 + (gint64) (i % 5);
      e.t = e.end;
      e.cpu_ns = 250;
      e.rank = i;
      e.status = PS_TASK_OK;
      e.result_kind = PS_RESULT_INT;
      e.result_int = ((gint64) i + 1) * ((gint64) i + 1);
      ps_task_batcher_add (&batcher, &e, &out);
    }
  ps_task_batcher_flush (&batcher, &out);

  while (pos < out.len)
    {
      PsFrame frame;
      gsize used;
      PsTaskBatch batch;

      g_assert_cmpint (ps_frame_decode (out.data + pos, out.len - pos, &frame, &used, NULL), ==, PS_DECODE_OK);
      pos += used;
      g_assert_cmpint (frame.type, ==, PS_FRAME_EVENT_TASKS);
      g_assert_true (ps_task_batch_check (&frame, &batch, NULL));
      g_assert_true (ps_task_batch_decode (&frame, feed_event, one, NULL));
      {
        /* as the engine client hands it on: one tasks event */
        g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (PsTaskBatchEntry));
        PsEvent tasks = { 0 };

        ps_task_batch_entries (&batch, entries);
        tasks.type = PS_EVENT_TASKS;
        tasks.worker = batch.worker;
        tasks.pid = batch.pid;
        tasks.tasks = (const PsTaskBatchEntry *) (gpointer) entries->data;
        tasks.n_entries = entries->len;
        tasks.t = tasks.tasks[tasks.n_entries - 1].end;
        ps_run_model_add_event (whole, &tasks);
      }
      frames++;
    }
  g_test_message ("%u frames for %" G_GUINT64_FORMAT " tasks", frames, n);
  g_assert_cmpuint (frames, >, 100);
  ps_buffer_clear (&out);

  g_assert_cmpuint (ps_run_model_get_n_done (whole), ==, n);
  g_assert_cmpint (ps_run_model_get_now (whole), ==, ps_run_model_get_now (one));
  g_assert_cmpmem (ps_run_model_get_tasks (whole), n * sizeof (PsTaskRec),
                   ps_run_model_get_tasks (one), n * sizeof (PsTaskRec));
  g_assert_cmpmem (ps_run_model_get_completion (whole, &n_whole), n * 4,
                   ps_run_model_get_completion (one, &n_one), n * 4);
  g_assert_cmpuint (n_whole, ==, n_one);
  for (guint row = 0; row < 2; row++)
    {
      const PsWorkerInfo *a = ps_run_model_get_worker (one, row), *b = ps_run_model_get_worker (whole, row);

      g_assert_cmpuint (a->done, ==, b->done);
      g_assert_cmpuint (a->ok, ==, b->ok);
      g_assert_cmpint (a->busy_ns, ==, b->busy_ns);
      g_assert_cmpint (a->cpu_ns, ==, b->cpu_ns);
      g_assert_cmpmem (a->lane->data, a->lane->len * 4, b->lane->data, b->lane->len * 4);
    }
}

/* A million tasks: every view draws in well under a frame's worth of work each. */
static void
test_many_tasks (void)
{
  g_autoptr(PsRunModel) m = ps_run_model_new ();
  PsEvent e = { 0 };
  const guint64 n = 1000000;
  gint64 t_feed;

  e.type = PS_EVENT_RUN_START;
  e.n_tasks = n;
  e.chunksize = 1;
  e.workload = "square";
  e.order = "unordered";
  ps_run_model_add_event (m, &e);
  for (guint k = 1; k <= 2; k++)
    worker_event (m, PS_EVENT_WORKER_START, k, 0, 0);
  t_feed = g_get_monotonic_time ();
  for (guint64 i = 0; i < n; i++)
    {
      PsEvent t = { 0 };
      t.type = PS_EVENT_TASK_END;
      t.worker = 1 + i % 2;
      t.pid = 100 + t.worker;
      t.task = i;
      t.item_int = i;
      t.start = (gint64) (i / 2) * 400;
      t.end = t.start + 300;
      t.t = t.end;
      t.status = PS_TASK_OK;
      t.result_kind = PS_RESULT_INT;
      t.result_int = (gint64) i * (gint64) i;
      ps_run_model_add_event (m, &t);
    }
  /* for scale, not a goal: the model's share of a live run's work */
  g_test_message ("10⁶ task-ends into the model: %.1f ms (records not prepared)",
                  (g_get_monotonic_time () - t_feed) / 1000.0);
  g_assert_cmpuint (ps_run_model_get_n_done (m), ==, n);
  for (PsRunViewKind kind = PS_RUN_VIEW_TIMELINE; kind <= PS_RUN_VIEW_ORDERING; kind++)
    {
      cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
      cairo_t *cr = cairo_create (s);
      PsDrawStyle style = { { 0, 0, 0, 1 }, FALSE, NULL };
      gint64 t0 = g_get_monotonic_time ();

      ps_run_draw (kind, m, cr, W, H, &style);
      g_test_message ("%s with 10⁶ tasks: %.1f ms", kind_names[kind], (g_get_monotonic_time () - t0) / 1000.0);
      cairo_destroy (cr);
      cairo_surface_destroy (s);
    }
}

/* A chart's description is current when a screen reader reads it,
 * whether the chart is shown or not: at most a second behind while the
 * run goes on, at once for a failure and at the end. */
static void
test_chart_described_unmapped (void)
{
  g_autoptr(PsRunModel) m = ps_run_model_new ();
  PsChart *cpu = g_object_ref_sink (g_object_new (PS_TYPE_CPU_CHART, "model", m, NULL));
  PsEvent end = { 0 };
  char *problem;

  problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (cpu), GTK_ACCESSIBLE_PROPERTY_LABEL, "CPU usage");
  g_assert_null (problem);
  run_start (m, 10, 2, 1, "cpu:5");
  worker_event (m, PS_EVENT_WORKER_START, 1, 1 * MS, 0);
  worker_event (m, PS_EVENT_WORKER_START, 2, 1 * MS, 0);
  sample_event (m, 1, 100 * MS, 95, 8 << 20);
  sample_event (m, 2, 100 * MS, 40, 8 << 20);
  /* two new workers are news: told within a quarter of a second, never mapped */
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (cpu)));
  g_usleep (260 * 1000);
  g_assert_true (ps_chart_update (cpu));
  g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (cpu), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
  {
    GString *want = g_string_new (NULL);

    ps_run_describe (PS_RUN_VIEW_CPU, m, want);
    problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (cpu), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, want->str);
    g_assert_null (problem);
    g_string_free (want, TRUE);
  }
  /* a sample a moment later waits (the reader is not flooded), the end does not */
  sample_event (m, 1, 200 * MS, 50, 8 << 20);
  g_assert_false (ps_chart_update (cpu));
  end.type = PS_EVENT_RUN_END;
  end.t = 300 * MS;
  end.n_tasks = 10;
  ps_run_model_add_event (m, &end);
  g_assert_true (ps_chart_update (cpu));
  {
    GString *want = g_string_new (NULL);

    ps_run_describe (PS_RUN_VIEW_CPU, m, want);
    problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (cpu), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, want->str);
    g_assert_null (problem);
    g_string_free (want, TRUE);
  }
  g_object_unref (cpu);
}

/* Each chart class: its name for a screen reader, a description that is
 * the pure describe function's, a size to draw in; the timeline asks for
 * room for every lane. */
static void
test_chart_classes (void)
{
  g_autoptr(PsRunModel) m = canned_run ();
  g_autoptr(PsRunModel) many = pool_run (64);
  struct { GType type; PsRunViewKind kind; const char *label; } cases[] = {
    { PS_TYPE_TIMELINE_CHART, PS_RUN_VIEW_TIMELINE, "Timeline" },
    { PS_TYPE_CPU_CHART, PS_RUN_VIEW_CPU, "CPU usage" },
    { PS_TYPE_MEMORY_CHART, PS_RUN_VIEW_MEMORY, "Memory" },
    { PS_TYPE_ORDERING_CHART, PS_RUN_VIEW_ORDERING, "Ordering" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PsChart *chart = g_object_ref_sink (g_object_new (cases[i].type, "model", m, NULL));
      GString *want = g_string_new (NULL);
      char *problem;
      int min_w, min_h, nat_h, nat_many;

      g_assert_true (ps_chart_get_model (chart) == m);
      problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                    cases[i].label);
      g_assert_null (problem);
      gtk_test_accessible_assert_role (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_ROLE_IMG);
      ps_run_describe (cases[i].kind, m, want);
      problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                    want->str);
      g_assert_null (problem);
      gtk_widget_measure (GTK_WIDGET (chart), GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
      gtk_widget_measure (GTK_WIDGET (chart), GTK_ORIENTATION_VERTICAL, -1, &min_h, &nat_h, NULL, NULL);
      /* a phone's width (360 px, less margins) holds every chart */
      g_assert_cmpint (min_w, >, 0);
      g_assert_cmpint (min_w, <=, 300);
      g_assert_cmpint (min_h, <=, nat_h);
      ps_chart_set_model (chart, many);
      gtk_widget_measure (GTK_WIDGET (chart), GTK_ORIENTATION_VERTICAL, -1, NULL, &nat_many, NULL, NULL);
      if (cases[i].kind == PS_RUN_VIEW_TIMELINE)
        g_assert_cmpint (nat_many, >=, 64 * 14);
      else
        g_assert_cmpint (nat_many, ==, nat_h);
      g_string_free (want, TRUE);
      g_object_unref (chart);
    }

  /* in a scrolled window, 64 lanes get their room and scroll */
  {
    GtkWidget *window = gtk_window_new ();
    GtkWidget *scroller = gtk_scrolled_window_new ();
    PsChart *timeline = g_object_new (PS_TYPE_TIMELINE_CHART, "model", m, NULL);

    gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (timeline));
    gtk_window_set_child (GTK_WINDOW (window), scroller);
    gtk_window_set_default_size (GTK_WINDOW (window), 800, 300);
    gtk_window_present (GTK_WINDOW (window));
    gtk_test_widget_wait_for_draw (window);
    g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (timeline)), <=, 300);
    /* the run grows to 64 workers while it is shown */
    ps_chart_set_model (timeline, many);
    ps_chart_update (timeline);
    for (int k = 0; k < 3; k++)
      gtk_test_widget_wait_for_draw (window);
    g_test_message ("64 lanes: %d px", gtk_widget_get_height (GTK_WIDGET (timeline)));
    g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (timeline)), >=, 64 * 14);
    gtk_window_destroy (GTK_WINDOW (window));
  }
}

/* The Progress table: a row per worker with its whole name, numbers
 * grouped, sortable; it follows the model as rows are added. */
static void
test_progress_table (void)
{
  g_autoptr(PsRunModel) m = ps_run_model_new ();
  PsProgressTable *table = g_object_ref_sink (PS_PROGRESS_TABLE (ps_progress_table_new ()));
  GtkWidget *window = gtk_window_new ();
  GtkColumnView *view = NULL;

  run_start (m, 40000, 12, 1, "square");
  for (guint k = 1; k <= 12; k++)
    {
      g_autofree char *name = g_strdup_printf ("ForkPoolWorker-%u", k);
      PsEvent e = { 0 };

      e.type = PS_EVENT_WORKER_START;
      e.t = (gint64) k * MS;
      e.worker = k;
      e.pid = 100 + k;
      e.name = name;
      e.start_cost_ns = 1500 * 1000;
      ps_run_model_add_event (m, &e);
    }
  /* worker 12 ends 12,345 tasks; the others one each */
  for (guint64 i = 0; i < 12345; i++)
    task_event (m, 12, i, 20 * MS + (gint64) i * 1000, 20 * MS + (gint64) i * 1000 + 500, PS_TASK_OK, FALSE);
  for (guint k = 1; k <= 11; k++)
    task_event (m, k, 12345 + k, 30 * MS, 31 * MS, k == 3 ? PS_TASK_CRASHED : PS_TASK_OK, FALSE);

  ps_progress_table_set_model (table, m);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (table));
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 500);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (window);

  g_assert_cmpuint (ps_progress_table_get_n_rows (table), ==, 12);
  /* in worker order at first (K, not text: 10 after 9) */
  for (guint r = 0; r < 12; r++)
    {
      g_autofree char *want = g_strdup_printf ("ForkPoolWorker-%u", r + 1);
      g_assert_cmpstr (ps_progress_table_get_text (table, r, PS_PROGRESS_WORKER), ==, want);
    }
  g_assert_cmpstr (ps_progress_table_get_text (table, 11, PS_PROGRESS_DONE), ==, "12,345");
  g_assert_cmpstr (ps_progress_table_get_text (table, 2, PS_PROGRESS_FAILED), ==, "1");
  g_assert_cmpstr (ps_progress_table_get_text (table, 0, PS_PROGRESS_START), ==, "1.5 ms");
  g_assert_cmpstr (ps_progress_table_get_text (table, 0, PS_PROGRESS_PID), ==, "101");

  /* sorted by Done, most first: worker 12 on top */
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (table)); c && view == NULL; c = gtk_widget_get_first_child (c))
    if (GTK_IS_COLUMN_VIEW (c))
      view = GTK_COLUMN_VIEW (c);
  g_assert_nonnull (view);
  gtk_column_view_sort_by_column (view, g_list_model_get_item (gtk_column_view_get_columns (view), PS_PROGRESS_DONE),
                                  GTK_SORT_DESCENDING);
  g_assert_cmpstr (ps_progress_table_get_text (table, 0, PS_PROGRESS_WORKER), ==, "ForkPoolWorker-12");
  /* and it follows the numbers: worker 5 overtakes */
  for (guint64 i = 0; i < 20000; i++)
    task_event (m, 5, 13000 + i, 40 * MS, 41 * MS, PS_TASK_OK, FALSE);
  ps_progress_table_update (table);
  g_assert_cmpstr (ps_progress_table_get_text (table, 0, PS_PROGRESS_WORKER), ==, "ForkPoolWorker-5");
  g_assert_cmpstr (ps_progress_table_get_text (table, 0, PS_PROGRESS_DONE), ==, "20,001");

  /* a new run empties it */
  ps_run_model_reset (m);
  ps_progress_table_update (table);
  g_assert_cmpuint (ps_progress_table_get_n_rows (table), ==, 0);

  /* a new run with as many workers before the table looks again: its rows
   * are the new run's, never the old one's freed workers */
  ps_run_model_reset (m);
  run_start (m, 10, 12, 1, "square");
  for (guint k = 1; k <= 12; k++)
    {
      g_autofree char *name = g_strdup_printf ("SpawnPoolWorker-%u", k);
      PsEvent e = { 0 };

      e.type = PS_EVENT_WORKER_START;
      e.t = MS;
      e.worker = k;
      e.pid = 500 + k;
      e.name = name;
      ps_run_model_add_event (m, &e);
    }
  ps_progress_table_update (table);
  g_assert_cmpuint (ps_progress_table_get_n_rows (table), ==, 12);
  for (guint r = 0; r < 12; r++)
    g_assert_true (g_str_has_prefix (ps_progress_table_get_text (table, r, PS_PROGRESS_WORKER), "SpawnPoolWorker-"));
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (table);
}

/* A sweep made of runs fed by hand: @walls[k] seconds for counts[k]. */
static PsSweep *
fake_sweep (const guint  *counts,
            const double *walls,
            guint         n)
{
  PsSpec *spec = ps_spec_new ();
  const char *argv[] = { "--items", "1..100", "--workload", "sleep:10", "--seed", "1" };
  PsSweep *sweep;

  g_assert_true (ps_spec_parse_args (spec, G_N_ELEMENTS (argv), (char **) argv, NULL));
  g_assert_true (ps_spec_finish (spec, NULL));
  sweep = ps_sweep_new (spec, counts, n, 2, FALSE, 3);
  ps_spec_free (spec);
  ps_sweep_set_usable_cpus (sweep, 2, "2 usable CPUs");
  ps_sweep_set_available_memory (sweep, G_GINT64_CONSTANT (8) << 30);
  for (guint i = 0; i < ps_sweep_get_n_runs (sweep); i++)
    {
      PsSweepRun *run = ps_sweep_get_run (sweep, i);
      PsEvent e = { 0 };
      guint k = 0;

      while (counts[k] != run->workers)
        k++;
      e.type = PS_EVENT_RUN_START;
      e.workers = run->workers;
      e.n_tasks = 100;
      ps_sweep_run_result_add_event (&run->result, &e);
      memset (&e, 0, sizeof e);
      e.type = PS_EVENT_RUN_END;
      e.t = (gint64) (walls[k] * (run->rep ? 1.04 : 0.98) * 1e9);
      e.cpu_total_ns = e.t / 10;
      e.n_ok = 100;
      ps_sweep_run_result_add_event (&run->result, &e);
      ps_sweep_run_done (sweep, i);
    }
  ps_sweep_compute (sweep);
  return sweep;
}

/* The sweep's charts: each draws its points, fits and the recommended
 * size, light and dark, and says in words what it draws. */
static void
test_sweep_charts (void)
{
  guint counts[] = { 1, 2, 4, 8, 16 };
  double walls[] = { 2.0, 1.05, 0.6, 0.45, 0.5 };   /* contention, then coherency costs */
  PsSweep *sweep = fake_sweep (counts, walls, 5);
  struct { PsSweepChartKind kind; GType type; const char *name; const char *says; } cases[] = {
    { PS_SWEEP_CHART_WALL, PS_TYPE_SWEEP_WALL_CHART, "wall", "Wall time by worker count: 1 worker 2.02 s" },
    { PS_SWEEP_CHART_SPEEDUP, PS_TYPE_SWEEP_SPEEDUP_CHART, "speedup", "Amdahl serial fraction" },
    { PS_SWEEP_CHART_EFFICIENCY, PS_TYPE_SWEEP_EFFICIENCY_CHART, "efficiency", "2 workers 95%" },
    { PS_SWEEP_CHART_THROUGHPUT, PS_TYPE_SWEEP_THROUGHPUT_CHART, "throughput", "USL fit peaks at" },
  };

  g_test_message ("recommended %u: %s", ps_sweep_get_recommended (sweep), ps_sweep_get_reason (sweep));
  g_assert_cmpuint (ps_sweep_get_recommended (sweep), ==, 8);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      PsSweepChart *chart = g_object_ref_sink (g_object_new (cases[i].type, NULL));
      char *problem;

      for (int dark = 0; dark <= 1; dark++)
        {
          cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 640, 260);
          cairo_t *cr = cairo_create (s);
          PsDrawStyle style = { { 0 } };
          g_autofree char *png = g_strdup_printf ("%s/sweep-%s%s.png", g_getenv ("G_TEST_BUILDDIR") ?: ".",
                                                  cases[i].name, dark ? "-dark" : "");
          guint32 *px;
          guint drawn = 0;

          style.fg = dark ? (PsRGBA) { 1, 1, 1, 1 } : (PsRGBA) { 0, 0, 0, 1 };
          style.dark = dark;
          cairo_set_source_rgb (cr, dark ? 0.14 : 0.98, dark ? 0.14 : 0.98, dark ? 0.14 : 0.98);
          cairo_paint (cr);
          ps_sweep_draw (cases[i].kind, sweep, cr, 640, 260, &style);
          cairo_destroy (cr);
          cairo_surface_flush (s);
          px = (guint32 *) cairo_image_surface_get_data (s);
          for (int p = 0; p < 640 * 260; p++)
            drawn += px[p] != px[0];
          g_assert_cmpuint (drawn, >, 2000);
          g_assert_cmpint (cairo_surface_write_to_png (s, png), ==, CAIRO_STATUS_SUCCESS);
          cairo_surface_destroy (s);
        }
      ps_sweep_describe (cases[i].kind, sweep, text);
      g_test_message ("%s", text->str);
      g_assert_nonnull (strstr (text->str, cases[i].says));
      g_assert_nonnull (strstr (text->str, "recommended: 8 workers"));
      /* the class: no sweep, then this one */
      problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                    "No sweep yet");
      g_assert_null (problem);
      ps_sweep_chart_set_sweep (chart, sweep);
      problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                    text->str);
      g_assert_null (problem);
      gtk_test_accessible_assert_role (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_ROLE_IMG);
      ps_sweep_chart_set_sweep (chart, NULL);
      g_object_unref (chart);
    }
  ps_sweep_free (sweep);
}

/* A sweep of @counts whose run with n workers took base / n^@scaling s. */
static PsSweep *
made_sweep (double scaling)
{
  static const guint counts[] = { 1, 2, 4 };
  g_autoptr(PsSpec) spec = ps_spec_new ();
  PsSweep *sweep = ps_sweep_new (spec, counts, G_N_ELEMENTS (counts), 1, FALSE, 1);

  for (guint i = 0; i < ps_sweep_get_n_runs (sweep); i++)
    {
      PsSweepRun *run = ps_sweep_get_run (sweep, i);

      run->result.ended = TRUE;
      run->result.tasks = run->result.ok = 100;
      run->result.wall_ns = (gint64) (1e9 / pow (run->workers, scaling));
      ps_sweep_run_done (sweep, i);
    }
  ps_sweep_compute (sweep);
  return sweep;
}

/* Sweeps side by side: each one's speedup in its own colour, and the
 * same in words. */
static void
test_sweep_speedups (void)
{
  PsSweep *sweeps[2] = { made_sweep (1.0), made_sweep (0.5) };
  const char *legend[2] = { "1. linear", "2. square root" };
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 800, 300);
  cairo_t *cr = cairo_create (surface);
  PsDrawStyle style = { { 0, 0, 0, 0.8f } };
  g_autoptr(GString) words = g_string_new (NULL);
  guint found[2] = { 0, 0 };
  const unsigned char *data;
  int stride;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  ps_sweep_draw_speedups (sweeps, legend, 2, cr, 800, 300, &style);
  cairo_surface_flush (surface);
  {
    g_autofree char *png = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                             "sweep-speedups.png", NULL);

    cairo_surface_write_to_png (surface, png);
  }
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (guint s = 0; s < 2; s++)
    {
      PsRGBA c;

      ps_draw_series_color (s, FALSE, &c);
      for (int y = 0; y < 300; y++)
        for (int x = 0; x < 800; x++)
          {
            guint32 v = *(const guint32 *) (data + y * stride + x * 4);

            found[s] += abs ((int) ((v >> 16) & 0xff) - (int) (c.red * 255)) < 8 &&
                        abs ((int) ((v >> 8) & 0xff) - (int) (c.green * 255)) < 8 &&
                        abs ((int) (v & 0xff) - (int) (c.blue * 255)) < 8;
          }
    }
  g_test_message ("pixels of each sweep's colour: %u, %u", found[0], found[1]);
  g_assert_cmpuint (found[0], >, 200);
  g_assert_cmpuint (found[1], >, 200);
  ps_sweep_describe_speedups (sweeps, legend, 2, words);
  g_test_message ("%s", words->str);
  g_assert_nonnull (strstr (words->str, "1. linear: 1 worker 1.00×, 2 workers 2.00×, 4 workers 4.00×."));
  g_assert_nonnull (strstr (words->str, "4 workers 2.00×."));
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  ps_sweep_free (sweeps[0]);
  ps_sweep_free (sweeps[1]);
}

int
main (int    argc,
      char **argv)
{
  /* a display: the pace test shows views in a window */
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/ps/run-model/counts", test_model_counts);
  g_test_add_func ("/ps/run-model/cancel", test_model_cancel);
  g_test_add_func ("/ps/run-model/items", test_model_items);
  g_test_add_func ("/ps/run-model/task-batch", test_task_batch);
  g_test_add_data_func ("/ps/run-view/timeline-pixels/light", GINT_TO_POINTER (FALSE), test_timeline_pixels);
  g_test_add_data_func ("/ps/run-view/timeline-pixels/dark", GINT_TO_POINTER (TRUE), test_timeline_pixels);
  g_test_add_data_func ("/ps/run-view/draw/light", GINT_TO_POINTER (FALSE), test_views_draw);
  g_test_add_data_func ("/ps/run-view/draw/dark", GINT_TO_POINTER (TRUE), test_views_draw);
  g_test_add_func ("/ps/run-view/descriptions", test_descriptions);
  g_test_add_func ("/ps/run-view/sweep-speedups", test_sweep_speedups);
  g_test_add_func ("/ps/run-view/descriptions/short-run", test_descriptions_short_run);
  g_test_add_func ("/ps/run-view/lane-labels", test_lane_labels);
  g_test_add_func ("/ps/run-view/lane-labels/many", test_lane_labels_many);
  g_test_add_func ("/ps/run-view/lane-labels/font", test_lane_labels_font);
  g_test_add_func ("/ps/run-view/series-legend", test_series_legend);
  g_test_add_func ("/ps/run-view/pace", test_pace);
  g_test_add_func ("/ps/chart/classes", test_chart_classes);
  g_test_add_func ("/ps/chart/sweep", test_sweep_charts);
  g_test_add_func ("/ps/chart/described-unmapped", test_chart_described_unmapped);
  g_test_add_func ("/ps/progress-table/rows", test_progress_table);
  g_test_add_func ("/ps/run-view/text-cache", test_text_cache);
  g_test_add_func ("/ps/run-view/many-tasks", test_many_tasks);
  return g_test_run ();
}
