/* ps-throughput-draw.c: tasks finished a second over the run, and when
 * the pool was resized: what a change of Workers did
 *
 * Pure functions of the model and a size, like ps-run-draw.c's. The run
 * is cut into bins of a few pixels; each bin counts the tasks whose end
 * falls in it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "ps-format.h"
#include "ps-run-draw.h"

#define BIN_PX 6.0
/* a rate over less than this is mostly noise: a bin holds a few tasks */
#define MIN_BIN_NS (100 * G_GINT64_CONSTANT (1000000))

/* Tasks a second in @n_bins bins over [0, span); NULL with no tasks kept. */
static double *
bin_rates (PsRunModel *model,
           gint64      span,
           guint       n_bins)
{
  const PsTaskRec *tasks = ps_run_model_get_tasks (model);
  guint64 n_done;
  const guint32 *order = ps_run_model_get_completion (model, &n_done);
  double *rate;
  double bin_s = span / 1e9 / n_bins;

  if (tasks == NULL || order == NULL || span <= 0 || n_bins == 0)
    return NULL;
  rate = g_new0 (double, n_bins);
  for (guint64 i = 0; i < n_done; i++)
    {
      gint64 end = tasks[order[i]].end;
      guint b = end <= 0 ? 0 : (guint) MIN ((double) end / span * n_bins, n_bins - 1);

      rate[b] += 1;
    }
  for (guint b = 0; b < n_bins; b++)
    rate[b] /= bin_s;
  return rate;
}

/* The mean rate between @from and @to (ns), from the bins. */
static double
mean_rate (const double *rate,
           guint         n_bins,
           gint64        span,
           gint64        from,
           gint64        to)
{
  double sum = 0;
  guint n = 0;

  for (guint b = 0; b < n_bins; b++)
    {
      gint64 mid = (gint64) ((b + 0.5) * span / n_bins);

      if (mid >= from && mid < to)
        {
          sum += rate[b];
          n++;
        }
    }
  return n ? sum / n : NAN;
}

void
ps_run_draw_throughput (PsRunModel        *model,
                        cairo_t           *cr,
                        int                width,
                        int                height,
                        const PsDrawStyle *style)
{
  g_autoptr(PangoLayout) small = ps_draw_make_layout (cr, style, 0.85, FALSE);
  gint64 span = ps_run_model_get_now (model);
  double x0, y0 = 8, w, h = height - 8 - 22, vmax = 0, step, label_w = 0;
  guint n_bins, n_resizes;
  const PsResizeRec *resizes = ps_run_model_get_resizes (model, &n_resizes);
  g_autofree double *rate = NULL;
  PsRGBA accent;
  char buf[PS_FORMAT_BUF_SIZE];

  if (!ps_run_model_has_run (model) || span <= 0)
    {
      ps_draw_message (cr, style, width, height, _("Tasks finished a second, over the run"));
      return;
    }
  if (ps_run_model_get_tasks (model) == NULL)
    {
      ps_draw_message (cr, style, width, height, _("Too many tasks to keep each one; see the run log"));
      return;
    }
  n_bins = (guint) CLAMP (MIN ((width - 60) / BIN_PX, (double) span / MIN_BIN_NS), 4, 400);
  rate = bin_rates (model, span, n_bins);
  for (guint b = 0; b < n_bins; b++)
    vmax = MAX (vmax, rate[b]);
  if (vmax <= 0)
    vmax = 1;
  step = ps_draw_nice_step (vmax / 3);
  vmax = ceil (vmax / step - 1e-9) * step;
  for (double v = 0; v <= vmax + step / 100; v += step)
    {
      ps_format_count_buf ((guint64) (v + 0.5), buf, sizeof buf);
      label_w = MAX (label_w, ps_draw_text_width (small, buf));
    }
  x0 = 8 + label_w + 8;
  w = width - x0 - 10;
  if (w < 20 || h < 20)
    return;

  cairo_set_line_width (cr, 1);
  for (double v = 0; v <= vmax + step / 100; v += step)
    {
      double y = floor (y0 + h - v / vmax * h) + 0.5;

      ps_draw_set_rgba (cr, &style->fg, 0.12);
      cairo_move_to (cr, x0, y);
      cairo_line_to (cr, x0 + w, y);
      cairo_stroke (cr);
      ps_format_count_buf ((guint64) (v + 0.5), buf, sizeof buf);
      ps_draw_set_rgba (cr, &style->fg, 0.6);
      ps_draw_text (cr, small, buf, x0 - 6, y - 8, 1, 0);
    }
  ps_format_duration_buf (span, buf, sizeof buf);
  ps_draw_text (cr, small, buf, x0 + w, y0 + h + 4, 1, 0);
  ps_draw_text (cr, small, "0", x0, y0 + h + 4, 0, 0);

  /* when the pool was resized, and to what */
  for (guint i = 0; i < n_resizes; i++)
    {
      double x = floor (x0 + (double) resizes[i].t / span * w) + 0.5;
      g_autofree char *label = g_strdup_printf (ngettext ("→ %u worker", "→ %u workers", resizes[i].workers),
                                                resizes[i].workers);

      ps_draw_set_rgba (cr, &style->fg, 0.5);
      cairo_set_dash (cr, (double[]) { 3, 3 }, 2, 0);
      cairo_move_to (cr, x, y0);
      cairo_line_to (cr, x, y0 + h);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      ps_draw_text (cr, small, label, x + 3, y0, 0, 0);
    }

  ps_status_color (PS_TASK_OK, style->dark, &accent);
  ps_draw_set_rgba (cr, &accent, 1);
  cairo_set_line_width (cr, 2);
  for (guint b = 0; b < n_bins; b++)
    {
      double xa = x0 + (double) b / n_bins * w, xb = x0 + (double) (b + 1) / n_bins * w;
      double y = y0 + h - rate[b] / vmax * h;

      if (b == 0)
        cairo_move_to (cr, xa, y);
      else
        cairo_line_to (cr, xa, y);
      cairo_line_to (cr, xb, y);
    }
  cairo_stroke (cr);
}

void
ps_run_describe_throughput (PsRunModel *model,
                            GString    *out)
{
  gint64 span = ps_run_model_get_now (model);
  guint n_resizes, n_bins = (guint) CLAMP (span / MIN_BIN_NS, 4, 200);
  const PsResizeRec *resizes = ps_run_model_get_resizes (model, &n_resizes);
  g_autofree double *rate = NULL;
  char buf[PS_FORMAT_BUF_SIZE], at[PS_FORMAT_BUF_SIZE];

  if (!ps_run_model_has_run (model) || span <= 0 || (rate = bin_rates (model, span, n_bins)) == NULL)
    {
      g_string_append (out, _("No throughput yet"));
      return;
    }
  ps_format_count_buf ((guint64) (ps_run_model_get_n_finished (model) / (span / 1e9) + 0.5), buf, sizeof buf);
  /* Translators: the throughput chart's description */
  g_string_append_printf (out, _("Throughput over the run: %s tasks a second on average"), buf);
  for (guint i = 0; i < n_resizes; i++)
    {
      gint64 before_from = i ? resizes[i - 1].t : 0, after_to = i + 1 < n_resizes ? resizes[i + 1].t : span;
      double before = mean_rate (rate, n_bins, span, before_from, resizes[i].t);
      double after = mean_rate (rate, n_bins, span, resizes[i].t, after_to);

      ps_format_duration_buf (resizes[i].t, at, sizeof at);
      g_string_append_printf (out, ngettext ("; at %s the pool was resized to %u worker",
                                             "; at %s the pool was resized to %u workers", resizes[i].workers),
                              at, resizes[i].workers);
      if (isfinite (before) && isfinite (after))
        g_string_append_printf (out, _(": %.0f tasks a second before, %.0f after"), before, after);
    }
}
