/* ps-run-charts.c: the charts of a run that are a draw function and its
 * description, nothing more: CPU, memory, ordering, throughput (the
 * timeline, with its tooltip and its lanes' height, has a file of its own)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-charts.h"

static void
cpu_draw (PsRunModel *m, cairo_t *cr, int w, int h, const PsDrawStyle *style)
{
  ps_run_draw (PS_RUN_VIEW_CPU, m, cr, w, h, style);
}

static void
cpu_describe (PsRunModel *m, GString *out)
{
  ps_run_describe (PS_RUN_VIEW_CPU, m, out);
}

static void
memory_draw (PsRunModel *m, cairo_t *cr, int w, int h, const PsDrawStyle *style)
{
  ps_run_draw (PS_RUN_VIEW_MEMORY, m, cr, w, h, style);
}

static void
memory_describe (PsRunModel *m, GString *out)
{
  ps_run_describe (PS_RUN_VIEW_MEMORY, m, out);
}

static void
ordering_draw (PsRunModel *m, cairo_t *cr, int w, int h, const PsDrawStyle *style)
{
  ps_run_draw (PS_RUN_VIEW_ORDERING, m, cr, w, h, style);
}

static void
ordering_describe (PsRunModel *m, GString *out)
{
  ps_run_describe (PS_RUN_VIEW_ORDERING, m, out);
}

/* Each redraw counts every finished task: four times a second is plenty. */
static gint64
quarter_second (PsChart *chart)
{
  return 250000;
}

/* One final class: its label, its pure draw and describe functions, its
 * sizes, and its pace (NULL: the base's tenth of a second). */
#define RUN_CHART(Name, name, label, draw_fn, describe_fn, min_h, nat_h, pace_fn) \
  struct _Ps##Name { PsChart parent_instance; };                              \
  G_DEFINE_FINAL_TYPE (Ps##Name, ps_##name, PS_TYPE_CHART)                    \
  static const char *                                                         \
  ps_##name##_get_label (PsChart *chart)                                      \
  {                                                                           \
    return label;                                                             \
  }                                                                           \
  static void                                                                 \
  ps_##name##_draw (PsChart *chart, cairo_t *cr, int w, int h,                \
                    const PsDrawStyle *style)                                 \
  {                                                                           \
    draw_fn (ps_chart_get_model (chart), cr, w, h, style);                    \
  }                                                                           \
  static void                                                                 \
  ps_##name##_describe (PsChart *chart, GString *out)                         \
  {                                                                           \
    describe_fn (ps_chart_get_model (chart), out);                            \
  }                                                                           \
  static void                                                                 \
  ps_##name##_class_init (Ps##Name##Class *klass)                             \
  {                                                                           \
    PsChartClass *chart_class = PS_CHART_CLASS (klass);                       \
    gint64 (*pace) (PsChart *) = pace_fn;                                     \
                                                                              \
    chart_class->get_label = ps_##name##_get_label;                           \
    chart_class->draw = ps_##name##_draw;                                     \
    chart_class->describe = ps_##name##_describe;                             \
    chart_class->min_width = 200;                                             \
    chart_class->min_height = min_h;                                          \
    chart_class->natural_height = nat_h;                                      \
    if (pace)                                                                 \
      chart_class->pace = pace;                                               \
  }                                                                           \
  static void                                                                 \
  ps_##name##_init (Ps##Name *self)                                           \
  {                                                                           \
  }

RUN_CHART (CpuChart, cpu_chart, _("CPU usage"), cpu_draw, cpu_describe, 100, 220, NULL)
RUN_CHART (MemoryChart, memory_chart, _("Memory"), memory_draw, memory_describe, 100, 220, NULL)
RUN_CHART (OrderingChart, ordering_chart, _("Ordering"), ordering_draw, ordering_describe, 100, 220,
           ps_chart_pace_by_pixel)
RUN_CHART (ThroughputChart, throughput_chart, _("Throughput"), ps_run_draw_throughput,
           ps_run_describe_throughput, 90, 160, quarter_second)
