/* ps-memory-chart.c: the memory of each worker, over time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-charts.h"

struct _PsMemoryChart
{
  PsChart parent_instance;
};

G_DEFINE_FINAL_TYPE (PsMemoryChart, ps_memory_chart, PS_TYPE_CHART)

static const char *
ps_memory_chart_get_label (PsChart *chart)
{
  return _("Memory");
}

static void
ps_memory_chart_draw (PsChart           *chart,
                  cairo_t           *cr,
                  int                width,
                  int                height,
                  const PsDrawStyle *style)
{
  ps_run_draw (PS_RUN_VIEW_MEMORY, ps_chart_get_model (chart), cr, width, height, style);
}

static void
ps_memory_chart_describe (PsChart *chart,
                      GString *out)
{
  ps_run_describe (PS_RUN_VIEW_MEMORY, ps_chart_get_model (chart), out);
}

static void
ps_memory_chart_class_init (PsMemoryChartClass *klass)
{
  PsChartClass *chart_class = PS_CHART_CLASS (klass);

  chart_class->get_label = ps_memory_chart_get_label;
  chart_class->draw = ps_memory_chart_draw;
  chart_class->describe = ps_memory_chart_describe;
  chart_class->min_width = 200;
  chart_class->min_height = 100;
  chart_class->natural_height = 220;
}

static void
ps_memory_chart_init (PsMemoryChart *self)
{
}
