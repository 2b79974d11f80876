/* ps-throughput-chart.c: tasks finished a second over the run, and its resizes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-charts.h"

struct _PsThroughputChart
{
  PsChart parent_instance;
};

G_DEFINE_FINAL_TYPE (PsThroughputChart, ps_throughput_chart, PS_TYPE_CHART)

static const char *
ps_throughput_chart_get_label (PsChart *chart)
{
  return _("Throughput");
}

static void
ps_throughput_chart_draw (PsChart           *chart,
                          cairo_t           *cr,
                          int                width,
                          int                height,
                          const PsDrawStyle *style)
{
  ps_run_draw_throughput (ps_chart_get_model (chart), cr, width, height, style);
}

static void
ps_throughput_chart_describe (PsChart *chart,
                              GString *out)
{
  ps_run_describe_throughput (ps_chart_get_model (chart), out);
}

/* Each redraw counts every finished task: four times a second is plenty. */
static gint64
ps_throughput_chart_pace (PsChart *chart)
{
  return 250000;
}

static void
ps_throughput_chart_class_init (PsThroughputChartClass *klass)
{
  PsChartClass *chart_class = PS_CHART_CLASS (klass);

  chart_class->get_label = ps_throughput_chart_get_label;
  chart_class->draw = ps_throughput_chart_draw;
  chart_class->describe = ps_throughput_chart_describe;
  chart_class->pace = ps_throughput_chart_pace;
  chart_class->min_width = 200;
  chart_class->min_height = 90;
  chart_class->natural_height = 160;
}

static void
ps_throughput_chart_init (PsThroughputChart *self)
{
}
