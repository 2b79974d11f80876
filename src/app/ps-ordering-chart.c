/* ps-ordering-chart.c: when each task finished against when it was submitted
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-charts.h"

struct _PsOrderingChart
{
  PsChart parent_instance;
};

G_DEFINE_FINAL_TYPE (PsOrderingChart, ps_ordering_chart, PS_TYPE_CHART)

static const char *
ps_ordering_chart_get_label (PsChart *chart)
{
  return _("Ordering");
}

static void
ps_ordering_chart_draw (PsChart           *chart,
                  cairo_t           *cr,
                  int                width,
                  int                height,
                  const PsDrawStyle *style)
{
  ps_run_draw (PS_RUN_VIEW_ORDERING, ps_chart_get_model (chart), cr, width, height, style);
}

static void
ps_ordering_chart_describe (PsChart *chart,
                      GString *out)
{
  ps_run_describe (PS_RUN_VIEW_ORDERING, ps_chart_get_model (chart), out);
}

/* A long run moves the newest end by less than a pixel in a tenth of a
 * second (the axis spans the run): redraw about a pixel's worth of time. */
static gint64
ps_ordering_chart_pace (PsChart *chart)
{
  gint64 now_us = ps_run_model_get_now (ps_chart_get_model (chart)) / 1000;
  int width = MAX (gtk_widget_get_width (GTK_WIDGET (chart)), 100);

  return CLAMP (now_us / width, 100000, G_USEC_PER_SEC);
}

static void
ps_ordering_chart_class_init (PsOrderingChartClass *klass)
{
  PsChartClass *chart_class = PS_CHART_CLASS (klass);

  chart_class->get_label = ps_ordering_chart_get_label;
  chart_class->draw = ps_ordering_chart_draw;
  chart_class->describe = ps_ordering_chart_describe;
  chart_class->min_width = 200;
  chart_class->min_height = 100;
  chart_class->natural_height = 220;
  chart_class->pace = ps_ordering_chart_pace;
}

static void
ps_ordering_chart_init (PsOrderingChart *self)
{
}
