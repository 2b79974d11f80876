/* ps-sweep-draw.c: a sizing sweep's charts drawn with cairo
 *
 * Four charts over the worker count: wall time (the median, with the
 * spread of the repetitions as a bar), speedup (with the ideal line and
 * the fitted Amdahl and USL curves), efficiency, throughput (with the
 * USL curve). The recommended size is marked on every one. The counts
 * go on a log scale when they span a factor of eight or more (1, 2, 4, …
 * evenly spaced), else a linear one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "ps-format.h"
#include "ps-sweep-draw.h"

#define PAD    8.0
#define RIGHT  14.0
#define TOP    22.0   /* room for the recommended size's label */
#define BOTTOM 40.0

typedef struct
{
  double x0, y0, w, h;      /* the plot */
  double nmin, nmax;
  gboolean log;
  double vmax, step;
} Frame;

static double
x_of (const Frame *f,
      double       n)
{
  double a, b, t;

  if (f->nmax <= f->nmin)
    return f->x0 + f->w / 2;
  a = f->log ? log2 (f->nmin) : f->nmin;
  b = f->log ? log2 (f->nmax) : f->nmax;
  t = ((f->log ? log2 (n) : n) - a) / (b - a);
  return f->x0 + t * f->w;
}

static double
y_of (const Frame *f,
      double       v)
{
  return f->y0 + f->h - CLAMP (v / f->vmax, 0, 1.05) * f->h;
}

/* What the chart shows of point @p, NAN where nothing. */
static double
value_of (PsSweepChartKind    kind,
          const PsSweepPoint *p)
{
  if (p->n_reps == 0)
    return NAN;
  switch (kind)
    {
    case PS_SWEEP_CHART_WALL: return p->wall_median;
    case PS_SWEEP_CHART_SPEEDUP: return p->speedup;
    case PS_SWEEP_CHART_EFFICIENCY: return 100 * p->efficiency;
    case PS_SWEEP_CHART_THROUGHPUT: return p->tasks_per_s;
    default: return NAN;
    }
}

static void
format_axis_value (PsSweepChartKind kind,
                   double           v,
                   char            *buf,
                   gsize            len)
{
  switch (kind)
    {
    case PS_SWEEP_CHART_WALL:
      ps_format_duration_buf ((gint64) (v * 1e9), buf, len);
      break;
    case PS_SWEEP_CHART_SPEEDUP:
      /* Translators: a speedup on a chart's axis, "2×" */
      g_snprintf (buf, len, _("%g×"), v);
      break;
    case PS_SWEEP_CHART_EFFICIENCY:
      g_snprintf (buf, len, "%g%%", v);
      break;
    case PS_SWEEP_CHART_THROUGHPUT:
    default:
      ps_format_count_buf ((guint64) (v + 0.5), buf, len);
      break;
    }
}

/* The speedup the fits give at @n, relative to the sweep's base. */
static double
amdahl_at (const PsAmdahlFit *fit,
           double             n,
           double             base)
{
  return ps_amdahl_speedup (fit, n) / ps_amdahl_speedup (fit, base);
}

static gboolean
make_frame (PsSweepChartKind  kind,
            PsSweep          *sweep,
            PangoLayout      *small,
            int               width,
            int               height,
            Frame            *f)
{
  double vmax = 0, label_w = 0;
  guint measured = 0;

  if (ps_sweep_get_n_points (sweep) == 0)
    return FALSE;
  f->nmin = ps_sweep_get_point (sweep, 0)->workers;
  f->nmax = ps_sweep_get_point (sweep, ps_sweep_get_n_points (sweep) - 1)->workers;
  f->log = f->nmax / f->nmin >= 8;
  for (guint i = 0; i < ps_sweep_get_n_points (sweep); i++)
    {
      const PsSweepPoint *p = ps_sweep_get_point (sweep, i);
      double v = kind == PS_SWEEP_CHART_WALL ? p->wall_max : value_of (kind, p);

      if (isfinite (v))
        {
          vmax = MAX (vmax, v);
          measured++;
        }
    }
  if (measured == 0)
    return FALSE;
  if (kind == PS_SWEEP_CHART_SPEEDUP)
    vmax = MAX (vmax, f->nmax / ps_sweep_get_base (sweep));  /* the ideal line */
  if (kind == PS_SWEEP_CHART_EFFICIENCY)
    vmax = MAX (vmax, 100);
  if (vmax <= 0)
    vmax = 1;
  f->step = ps_draw_nice_step (vmax / 4);
  f->vmax = ceil (vmax / f->step - 1e-9) * f->step;

  /* room on the left for the widest value label */
  for (double v = 0; v <= f->vmax + f->step / 100; v += f->step)
    {
      char buf[PS_FORMAT_BUF_SIZE];

      format_axis_value (kind, v, buf, sizeof buf);
      label_w = MAX (label_w, ps_draw_text_width (small, buf));
    }
  f->x0 = PAD + label_w + 8;
  f->y0 = TOP;
  f->w = width - f->x0 - RIGHT;
  f->h = height - TOP - BOTTOM;
  return f->w >= 40 && f->h >= 30;
}

static int
compare_guint (gconstpointer a,
               gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/* The value axis: a line and a label at each step. */
static void
draw_value_grid (PsSweepChartKind   kind,
                 cairo_t           *cr,
                 const Frame       *f,
                 const PsDrawStyle *style,
                 PangoLayout       *small)
{
  char buf[PS_FORMAT_BUF_SIZE];

  cairo_set_line_width (cr, 1);
  for (double v = 0; v <= f->vmax + f->step / 100; v += f->step)
    {
      double y = floor (y_of (f, v)) + 0.5;

      ps_draw_set_rgba (cr, &style->fg, 0.12);
      cairo_move_to (cr, f->x0, y);
      cairo_line_to (cr, f->x0 + f->w, y);
      cairo_stroke (cr);
      format_axis_value (kind, v, buf, sizeof buf);
      ps_draw_set_rgba (cr, &style->fg, 0.6);
      ps_draw_text (cr, small, buf, f->x0 - 6, y - 8, 1, 0);
    }
}

/* A label under every worker count (ascending) that has room. */
static void
draw_count_labels (cairo_t           *cr,
                   const Frame       *f,
                   const PsDrawStyle *style,
                   PangoLayout       *small,
                   GArray            *counts)
{
  char buf[PS_FORMAT_BUF_SIZE];
  double last_right = -G_MAXDOUBLE;

  for (guint i = 0; i < counts->len; i++)
    {
      guint n = g_array_index (counts, guint, i);
      double x = x_of (f, n);
      int tw;

      g_snprintf (buf, sizeof buf, "%u", n);
      tw = ps_draw_text_width (small, buf);
      if (x - tw / 2.0 < last_right + 6)
        continue;
      last_right = x + tw / 2.0;
      ps_draw_set_rgba (cr, &style->fg, 0.6);
      ps_draw_text (cr, small, buf, x, f->y0 + f->h + 4, 0.5, 0);
    }
}

static void
draw_axes (PsSweepChartKind   kind,
           PsSweep           *sweep,
           cairo_t           *cr,
           const Frame       *f,
           const PsDrawStyle *style,
           PangoLayout       *small)
{
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (guint));

  draw_value_grid (kind, cr, f, style, small);
  for (guint i = 0; i < ps_sweep_get_n_points (sweep); i++)
    g_array_append_val (counts, ps_sweep_get_point (sweep, i)->workers);
  draw_count_labels (cr, f, style, small, counts);
}

static void
draw_curve (cairo_t     *cr,
            const Frame *f,
            double     (*fn) (gconstpointer data, double n),
            gconstpointer data)
{
  gboolean first = TRUE;

  for (int k = 0; k <= 100; k++)
    {
      double t = k / 100.0;
      double n = f->log ? exp2 (log2 (f->nmin) + t * (log2 (f->nmax) - log2 (f->nmin)))
                        : f->nmin + t * (f->nmax - f->nmin);
      double v = fn (data, n);

      if (!isfinite (v))
        continue;
      if (first)
        cairo_move_to (cr, x_of (f, n), y_of (f, v));
      else
        cairo_line_to (cr, x_of (f, n), y_of (f, v));
      first = FALSE;
    }
  cairo_stroke (cr);
}

typedef struct
{
  PsSweep *sweep;
  double   base;
} CurveData;

static double
ideal_fn (gconstpointer data,
          double        n)
{
  const CurveData *d = data;
  return n / d->base;
}

static double
amdahl_fn (gconstpointer data,
           double        n)
{
  const CurveData *d = data;
  return amdahl_at (ps_sweep_get_amdahl (d->sweep, NULL), n, d->base);
}

static double
usl_speedup_fn (gconstpointer data,
                double        n)
{
  const CurveData *d = data;
  const PsUslFit *fit = ps_sweep_get_usl (d->sweep, NULL);

  return ps_usl_throughput (fit, n) / ps_usl_throughput (fit, d->base);
}

static double
usl_fn (gconstpointer data,
        double        n)
{
  const CurveData *d = data;
  return ps_usl_throughput (ps_sweep_get_usl (d->sweep, NULL), n);
}

static double
full_fn (gconstpointer data,
         double        n)
{
  return 100;
}

void
ps_sweep_draw (PsSweepChartKind   kind,
               PsSweep           *sweep,
               cairo_t           *cr,
               int                width,
               int                height,
               const PsDrawStyle *style)
{
  g_autoptr(PangoLayout) small = ps_draw_make_layout (cr, style, 0.85, FALSE);
  CurveData data = { sweep, ps_sweep_get_base (sweep) };
  PsRGBA accent, fit_color, usl_color;
  gboolean first = TRUE;
  guint rec;
  Frame f;
  char buf[128];
  double legend_x;

  if (sweep == NULL || !make_frame (kind, sweep, small, width, height, &f))
    {
      ps_draw_message (cr, style, width, height,
                       _("Each worker count's result appears here as its runs finish"));
      return;
    }
  ps_draw_series_color (0, style->dark, &accent);
  ps_draw_series_color (2, style->dark, &fit_color);
  ps_draw_series_color (3, style->dark, &usl_color);
  draw_axes (kind, sweep, cr, &f, style, small);

  /* the references first, under the measurements */
  cairo_set_line_width (cr, 1.5);
  cairo_set_dash (cr, (double[]) { 4, 4 }, 2, 0);
  if (kind == PS_SWEEP_CHART_SPEEDUP)
    {
      ps_draw_set_rgba (cr, &style->fg, 0.35);
      draw_curve (cr, &f, ideal_fn, &data);
    }
  if (kind == PS_SWEEP_CHART_EFFICIENCY)
    {
      ps_draw_set_rgba (cr, &style->fg, 0.35);
      draw_curve (cr, &f, full_fn, &data);
    }
  cairo_set_dash (cr, NULL, 0, 0);
  if (kind == PS_SWEEP_CHART_SPEEDUP && ps_sweep_get_amdahl (sweep, NULL))
    {
      ps_draw_set_rgba (cr, &fit_color, 0.9);
      draw_curve (cr, &f, amdahl_fn, &data);
    }
  if ((kind == PS_SWEEP_CHART_SPEEDUP || kind == PS_SWEEP_CHART_THROUGHPUT) && ps_sweep_get_usl (sweep, NULL))
    {
      ps_draw_set_rgba (cr, &usl_color, 0.9);
      draw_curve (cr, &f, kind == PS_SWEEP_CHART_SPEEDUP ? usl_speedup_fn : usl_fn, &data);
    }

  /* the recommended size on every chart */
  rec = ps_sweep_get_recommended (sweep);
  if (rec > 0)
    {
      double x = floor (x_of (&f, rec)) + 0.5;

      ps_draw_set_rgba (cr, &accent, 0.8);
      cairo_set_line_width (cr, 1);
      cairo_set_dash (cr, (double[]) { 2, 3 }, 2, 0);
      cairo_move_to (cr, x, f.y0);
      cairo_line_to (cr, x, f.y0 + f.h);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      g_snprintf (buf, sizeof buf, _("recommended: %u"), rec);
      /* above the plot, where no line runs */
      ps_draw_text (cr, small, buf, CLAMP (x, f.x0 + ps_draw_text_width (small, buf) / 2.0,
                                          f.x0 + f.w - ps_draw_text_width (small, buf) / 2.0),
                    f.y0 - 19, 0.5, 0);
    }

  /* the measurements: medians joined, the spread of the runs as bars */
  ps_draw_set_rgba (cr, &accent, 1);
  cairo_set_line_width (cr, 2);
  for (guint i = 0; i < ps_sweep_get_n_points (sweep); i++)
    {
      const PsSweepPoint *p = ps_sweep_get_point (sweep, i);
      double v = value_of (kind, p);

      if (!isfinite (v))
        continue;
      if (first)
        cairo_move_to (cr, x_of (&f, p->workers), y_of (&f, v));
      else
        cairo_line_to (cr, x_of (&f, p->workers), y_of (&f, v));
      first = FALSE;
    }
  cairo_stroke (cr);
  for (guint i = 0; i < ps_sweep_get_n_points (sweep); i++)
    {
      const PsSweepPoint *p = ps_sweep_get_point (sweep, i);
      double v = value_of (kind, p), x = x_of (&f, p->workers);

      if (!isfinite (v))
        continue;
      if (p->n_reps > 1)
        {
          /* the spread: wall min..max, and what it means for the others */
          double lo, hi;

          if (kind == PS_SWEEP_CHART_WALL)
            lo = p->wall_min, hi = p->wall_max;
          else
            lo = v * p->wall_median / p->wall_max, hi = v * p->wall_median / p->wall_min;
          cairo_set_line_width (cr, 1.5);
          cairo_move_to (cr, x, y_of (&f, lo));
          cairo_line_to (cr, x, y_of (&f, hi));
          cairo_move_to (cr, x - 4, y_of (&f, lo));
          cairo_line_to (cr, x + 4, y_of (&f, lo));
          cairo_move_to (cr, x - 4, y_of (&f, hi));
          cairo_line_to (cr, x + 4, y_of (&f, hi));
          cairo_stroke (cr);
        }
      cairo_arc (cr, x, y_of (&f, v), p->workers == rec ? 5 : 3.5, 0, 2 * G_PI);
      cairo_fill (cr);
    }

  /* what each line is */
  legend_x = f.x0;
  if (kind == PS_SWEEP_CHART_SPEEDUP || kind == PS_SWEEP_CHART_THROUGHPUT)
    {
      const PsAmdahlFit *amdahl = ps_sweep_get_amdahl (sweep, NULL);
      const PsUslFit *usl = ps_sweep_get_usl (sweep, NULL);
      struct { const PsRGBA *c; char text[96]; gboolean on; } items[3] = { { 0 } };

      items[0].c = &accent;
      g_strlcpy (items[0].text, _("measured"), sizeof items[0].text);
      items[0].on = TRUE;
      if (kind == PS_SWEEP_CHART_SPEEDUP && amdahl)
        {
          items[1].c = &fit_color;
          g_snprintf (items[1].text, sizeof items[1].text, _("Amdahl, serial fraction %.2f"),
                      amdahl->serial_fraction);
          items[1].on = TRUE;
        }
      if (usl)
        {
          items[2].c = &usl_color;
          if (isfinite (usl->peak_workers))
            g_snprintf (items[2].text, sizeof items[2].text, _("USL, peak at %.1f workers"), usl->peak_workers);
          else
            g_strlcpy (items[2].text, _("USL, no peak"), sizeof items[2].text);
          items[2].on = TRUE;
        }
      for (guint i = 0; i < 3; i++)
        {
          if (!items[i].on)
            continue;
          ps_draw_set_rgba (cr, items[i].c, 1);
          cairo_rectangle (cr, legend_x, f.y0 + f.h + 26, 10, 3);
          cairo_fill (cr);
          ps_draw_set_rgba (cr, &style->fg, 0.75);
          ps_draw_text (cr, small, items[i].text, legend_x + 14, f.y0 + f.h + 20, 0, 0);
          legend_x += 14 + ps_draw_text_width (small, items[i].text) + 14;
        }
    }
  /* the axis's name where the legend leaves room for it */
  if (legend_x + ps_draw_text_width (small, _("workers →")) <= f.x0 + f.w)
    {
      ps_draw_set_rgba (cr, &style->fg, 0.6);
      ps_draw_text (cr, small, _("workers →"), f.x0 + f.w, f.y0 + f.h + 20, 1, 0);
    }
}

static const char *
chart_title (PsSweepChartKind kind)
{
  switch (kind)
    {
    case PS_SWEEP_CHART_WALL: return _("Wall time");
    case PS_SWEEP_CHART_SPEEDUP: return _("Speedup");
    case PS_SWEEP_CHART_EFFICIENCY: return _("Efficiency");
    case PS_SWEEP_CHART_THROUGHPUT: return _("Throughput");
    default: return "";
    }
}

/* In words: each measured count's value, the fits, the recommendation. */
void
ps_sweep_describe (PsSweepChartKind  kind,
                   PsSweep          *sweep,
                   GString          *out)
{
  guint shown = 0;

  if (sweep == NULL || ps_sweep_get_n_points (sweep) == 0)
    {
      g_string_append (out, _("No sweep yet"));
      return;
    }
  /* Translators: the start of a sweep chart's description, "Speedup by worker count: " */
  g_string_append_printf (out, _("%s by worker count: "), chart_title (kind));
  for (guint i = 0; i < ps_sweep_get_n_points (sweep); i++)
    {
      const PsSweepPoint *p = ps_sweep_get_point (sweep, i);
      double v = value_of (kind, p);
      char value[PS_FORMAT_BUF_SIZE];

      if (!isfinite (v))
        continue;
      if (kind == PS_SWEEP_CHART_WALL)
        ps_format_duration_buf ((gint64) (v * 1e9), value, sizeof value);
      else if (kind == PS_SWEEP_CHART_SPEEDUP)
        g_snprintf (value, sizeof value, "%.2f×", v);
      else if (kind == PS_SWEEP_CHART_EFFICIENCY)
        g_snprintf (value, sizeof value, "%.0f%%", v);
      else
        /* Translators: a throughput, "1,234 tasks a second" */
        g_snprintf (value, sizeof value, _("%.0f tasks a second"), v);
      g_string_append_printf (out, ngettext ("%s%u worker %s", "%s%u workers %s", p->workers),
                              shown ? ", " : "", p->workers, value);
      shown++;
    }
  if (shown == 0)
    g_string_append (out, _("nothing measured yet"));
  if (kind == PS_SWEEP_CHART_SPEEDUP && ps_sweep_get_amdahl (sweep, NULL))
    g_string_append_printf (out, _("; Amdahl serial fraction %.2f"),
                            ps_sweep_get_amdahl (sweep, NULL)->serial_fraction);
  if ((kind == PS_SWEEP_CHART_SPEEDUP || kind == PS_SWEEP_CHART_THROUGHPUT) && ps_sweep_get_usl (sweep, NULL))
    {
      const PsUslFit *usl = ps_sweep_get_usl (sweep, NULL);

      if (isfinite (usl->peak_workers))
        g_string_append_printf (out, _("; the USL fit peaks at %.1f workers"), usl->peak_workers);
      else
        g_string_append (out, _("; the USL fit has no peak"));
    }
  if (ps_sweep_get_recommended (sweep) > 0)
    g_string_append_printf (out, ngettext ("; recommended: %u worker", "; recommended: %u workers",
                                           ps_sweep_get_recommended (sweep)),
                            ps_sweep_get_recommended (sweep));
}

/**
 * ps_sweep_draw_speedups:
 * @sweeps: (array length=n_sweeps): sweeps to compare
 * @names: (array length=n_sweeps): what the legend calls each
 *
 * The measured speedup of each sweep (against its own smallest count),
 * one colour each, on one chart with the ideal line: sweeps side by side.
 */
void
ps_sweep_draw_speedups (PsSweep *const     *sweeps,
                        const char *const  *names,
                        guint               n_sweeps,
                        cairo_t            *cr,
                        int                 width,
                        int                 height,
                        const PsDrawStyle  *style)
{
  g_autoptr(PangoLayout) small = ps_draw_make_layout (cr, style, 0.85, FALSE);
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (guint));
  double vmax = 0, label_w = 0, legend_x, legend_y;
  guint legend_rows;
  gboolean same_base = TRUE;
  char buf[PS_FORMAT_BUF_SIZE];
  Frame f = { 0 };
  CurveData ideal = { NULL, 0 };

  f.nmin = G_MAXDOUBLE;
  for (guint s = 0; s < n_sweeps; s++)
    for (guint i = 0; i < ps_sweep_get_n_points (sweeps[s]); i++)
      {
        const PsSweepPoint *p = ps_sweep_get_point (sweeps[s], i);
        gboolean known = FALSE;

        f.nmin = MIN (f.nmin, p->workers);
        f.nmax = MAX (f.nmax, p->workers);
        if (isfinite (p->speedup) && p->n_reps > 0)
          vmax = MAX (vmax, p->speedup);
        for (guint k = 0; k < counts->len; k++)
          known |= g_array_index (counts, guint, k) == p->workers;
        if (!known)
          g_array_append_val (counts, p->workers);
      }
  if (vmax <= 0 || f.nmin > f.nmax)
    {
      ps_draw_message (cr, style, width, height, _("None of these sweeps has a measured point"));
      return;
    }
  vmax = MAX (vmax, f.nmax / f.nmin);
  f.log = f.nmax / f.nmin >= 8;
  f.step = ps_draw_nice_step (vmax / 4);
  f.vmax = ceil (vmax / f.step - 1e-9) * f.step;
  for (double v = 0; v <= f.vmax + f.step / 100; v += f.step)
    {
      format_axis_value (PS_SWEEP_CHART_SPEEDUP, v, buf, sizeof buf);
      label_w = MAX (label_w, ps_draw_text_width (small, buf));
    }
  f.x0 = PAD + label_w + 8;
  f.y0 = TOP;
  f.w = width - f.x0 - RIGHT;
  /* the legend's lines, as many as the names take, under the plot */
  legend_x = f.x0;
  legend_rows = 1;
  for (guint s = 0; s < n_sweeps; s++)
    {
      double w = 14 + ps_draw_text_width (small, names[s]) + 14;

      if (legend_x + w - 14 > f.x0 + f.w && legend_x > f.x0)
        {
          legend_x = f.x0;
          legend_rows++;
        }
      legend_x += w;
      same_base &= ps_sweep_get_base (sweeps[s]) == ps_sweep_get_base (sweeps[0]);
    }
  f.h = height - TOP - BOTTOM - (legend_rows - 1) * 16;
  if (f.w < 40 || f.h < 30)
    return;

  /* the grid, the value labels, every count's label that has room */
  draw_value_grid (PS_SWEEP_CHART_SPEEDUP, cr, &f, style, small);
  g_array_sort (counts, compare_guint);
  draw_count_labels (cr, &f, style, small, counts);

  /* the ideal (each sweep's own when their fewest workers differ: each
   * speedup is against its own), then each sweep's medians */
  cairo_set_line_width (cr, 1.5);
  cairo_set_dash (cr, (double[]) { 4, 4 }, 2, 0);
  for (guint s = 0; s < (same_base ? 1 : n_sweeps); s++)
    {
      PsRGBA c;

      ideal.base = ps_sweep_get_base (sweeps[s]);
      ps_draw_series_color (s, style->dark, &c);
      ps_draw_set_rgba (cr, same_base ? &style->fg : &c, 0.35);
      draw_curve (cr, &f, ideal_fn, &ideal);
    }
  cairo_set_dash (cr, NULL, 0, 0);
  legend_x = f.x0;
  legend_y = f.y0 + f.h + 20;
  for (guint s = 0; s < n_sweeps; s++)
    {
      PsRGBA c;
      gboolean first = TRUE;

      ps_draw_series_color (s, style->dark, &c);
      ps_draw_set_rgba (cr, &c, 1);
      cairo_set_line_width (cr, 2);
      for (guint i = 0; i < ps_sweep_get_n_points (sweeps[s]); i++)
        {
          const PsSweepPoint *p = ps_sweep_get_point (sweeps[s], i);

          if (p->n_reps == 0 || !isfinite (p->speedup))
            continue;
          if (first)
            cairo_move_to (cr, x_of (&f, p->workers), y_of (&f, p->speedup));
          else
            cairo_line_to (cr, x_of (&f, p->workers), y_of (&f, p->speedup));
          first = FALSE;
        }
      cairo_stroke (cr);
      for (guint i = 0; i < ps_sweep_get_n_points (sweeps[s]); i++)
        {
          const PsSweepPoint *p = ps_sweep_get_point (sweeps[s], i);

          if (p->n_reps == 0 || !isfinite (p->speedup))
            continue;
          cairo_arc (cr, x_of (&f, p->workers), y_of (&f, p->speedup), 3.5, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      /* its name in the legend, on as many lines as it takes */
      if (legend_x + 14 + ps_draw_text_width (small, names[s]) > f.x0 + f.w && legend_x > f.x0)
        {
          legend_x = f.x0;
          legend_y += 16;
        }
      cairo_rectangle (cr, legend_x, legend_y + 6, 10, 3);
      cairo_fill (cr);
      ps_draw_set_rgba (cr, &style->fg, 0.75);
      ps_draw_text (cr, small, names[s], legend_x + 14, legend_y, 0, 0);
      legend_x += 14 + ps_draw_text_width (small, names[s]) + 14;
    }
}

/* The chart of ps_sweep_draw_speedups() in words. */
void
ps_sweep_describe_speedups (PsSweep *const    *sweeps,
                            const char *const *names,
                            guint              n_sweeps,
                            GString           *out)
{
  g_string_append (out, _("Speedup of each sweep against its fewest workers."));
  for (guint s = 0; s < n_sweeps; s++)
    {
      g_string_append_printf (out, " %s:", names[s]);
      for (guint i = 0; i < ps_sweep_get_n_points (sweeps[s]); i++)
        {
          const PsSweepPoint *p = ps_sweep_get_point (sweeps[s], i);

          if (p->n_reps == 0 || !isfinite (p->speedup))
            continue;
          /* Translators: one point of a compared sweep, "4 workers 3.10×" */
          g_string_append_printf (out, ngettext (" %u worker %.2f×", " %u workers %.2f×", p->workers),
                                  p->workers, p->speedup);
          g_string_append_c (out, i + 1 < ps_sweep_get_n_points (sweeps[s]) ? ',' : '.');
        }
      if (ps_sweep_get_recommended (sweeps[s]) > 0)
        g_string_append_printf (out, _(" Recommended: %u."), ps_sweep_get_recommended (sweeps[s]));
    }
}
