/* ps-sweep-charts.c: the Sizing page's charts
 *
 * A PsSweepChart is a PsChart whose data is a sweep, not a run: the page
 * sets the sweep and calls ps_sweep_chart_set_sweep() again as points
 * come (a handful a minute: each is drawn and described at once). The
 * four charts differ only in what ps_sweep_draw() draws for their kind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-sweep-charts.h"

typedef struct
{
  PsSweep *sweep;   /* the page's; it outlives the chart's use of it */
} PsSweepChartPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (PsSweepChart, ps_sweep_chart, PS_TYPE_CHART)

PsSweep *
ps_sweep_chart_get_sweep (PsSweepChart *self)
{
  PsSweepChartPrivate *priv = ps_sweep_chart_get_instance_private (self);

  g_return_val_if_fail (PS_IS_SWEEP_CHART (self), NULL);
  return priv->sweep;
}

/* The sweep shown (NULL: none); the chart is drawn and described anew. */
void
ps_sweep_chart_set_sweep (PsSweepChart *self,
                          PsSweep      *sweep)
{
  PsSweepChartPrivate *priv = ps_sweep_chart_get_instance_private (self);

  g_return_if_fail (PS_IS_SWEEP_CHART (self));
  priv->sweep = sweep;
  ps_chart_describe_now (PS_CHART (self));
  if (sweep == NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("No sweep yet"),
                                    -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
ps_sweep_chart_has_data (PsChart *chart)
{
  return ps_sweep_chart_get_sweep (PS_SWEEP_CHART (chart)) != NULL;
}

static void
ps_sweep_chart_draw (PsChart           *chart,
                     cairo_t           *cr,
                     int                width,
                     int                height,
                     const PsDrawStyle *style)
{
  ps_sweep_draw (PS_SWEEP_CHART_GET_CLASS (chart)->kind, ps_sweep_chart_get_sweep (PS_SWEEP_CHART (chart)),
                 cr, width, height, style);
}

static void
ps_sweep_chart_describe (PsChart *chart,
                         GString *out)
{
  ps_sweep_describe (PS_SWEEP_CHART_GET_CLASS (chart)->kind, ps_sweep_chart_get_sweep (PS_SWEEP_CHART (chart)),
                     out);
}

static void
ps_sweep_chart_class_init (PsSweepChartClass *klass)
{
  PsChartClass *chart_class = PS_CHART_CLASS (klass);

  chart_class->has_data = ps_sweep_chart_has_data;
  chart_class->draw = ps_sweep_chart_draw;
  chart_class->describe = ps_sweep_chart_describe;
  chart_class->min_width = 240;
  chart_class->min_height = 140;
  chart_class->natural_height = 220;
}

static void
ps_sweep_chart_init (PsSweepChart *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("No sweep yet"),
                                  -1);
}

#define SWEEP_CHART(Name, name, KIND, label)                                    \
  struct _Ps##Name { PsSweepChart parent_instance; };                           \
  G_DEFINE_FINAL_TYPE (Ps##Name, ps_##name, PS_TYPE_SWEEP_CHART)                \
  static const char *                                                           \
  ps_##name##_get_label (PsChart *chart)                                        \
  {                                                                             \
    return label;                                                               \
  }                                                                             \
  static void                                                                   \
  ps_##name##_class_init (Ps##Name##Class *klass)                               \
  {                                                                             \
    PS_CHART_CLASS (klass)->get_label = ps_##name##_get_label;                  \
    PS_SWEEP_CHART_CLASS (klass)->kind = KIND;                                  \
  }                                                                             \
  static void                                                                   \
  ps_##name##_init (Ps##Name *self)                                             \
  {                                                                             \
  }

SWEEP_CHART (SweepWallChart, sweep_wall_chart, PS_SWEEP_CHART_WALL, _("Wall time by worker count"))
SWEEP_CHART (SweepSpeedupChart, sweep_speedup_chart, PS_SWEEP_CHART_SPEEDUP, _("Speedup by worker count"))
SWEEP_CHART (SweepEfficiencyChart, sweep_efficiency_chart, PS_SWEEP_CHART_EFFICIENCY,
             _("Efficiency by worker count"))
SWEEP_CHART (SweepThroughputChart, sweep_throughput_chart, PS_SWEEP_CHART_THROUGHPUT,
             _("Throughput by worker count"))
