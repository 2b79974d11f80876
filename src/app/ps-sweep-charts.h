/* ps-sweep-charts.h: the Sizing page's charts, each a PsChart over a PsSweep
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ps-chart.h"
#include "ps-sweep-draw.h"

G_BEGIN_DECLS

#define PS_TYPE_SWEEP_CHART (ps_sweep_chart_get_type ())
G_DECLARE_DERIVABLE_TYPE (PsSweepChart, ps_sweep_chart, PS, SWEEP_CHART, PsChart)

struct _PsSweepChartClass
{
  PsChartClass parent_class;

  PsSweepChartKind kind;
};

PsSweep *ps_sweep_chart_get_sweep (PsSweepChart *self);
void     ps_sweep_chart_set_sweep (PsSweepChart *self,
                                   PsSweep      *sweep);

#define PS_TYPE_SWEEP_WALL_CHART (ps_sweep_wall_chart_get_type ())
G_DECLARE_FINAL_TYPE (PsSweepWallChart, ps_sweep_wall_chart, PS, SWEEP_WALL_CHART, PsSweepChart)

#define PS_TYPE_SWEEP_SPEEDUP_CHART (ps_sweep_speedup_chart_get_type ())
G_DECLARE_FINAL_TYPE (PsSweepSpeedupChart, ps_sweep_speedup_chart, PS, SWEEP_SPEEDUP_CHART, PsSweepChart)

#define PS_TYPE_SWEEP_EFFICIENCY_CHART (ps_sweep_efficiency_chart_get_type ())
G_DECLARE_FINAL_TYPE (PsSweepEfficiencyChart, ps_sweep_efficiency_chart, PS, SWEEP_EFFICIENCY_CHART, PsSweepChart)

#define PS_TYPE_SWEEP_THROUGHPUT_CHART (ps_sweep_throughput_chart_get_type ())
G_DECLARE_FINAL_TYPE (PsSweepThroughputChart, ps_sweep_throughput_chart, PS, SWEEP_THROUGHPUT_CHART, PsSweepChart)

G_END_DECLS
