/* ps-charts.h: the live charts of a run, each a PsChart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ps-chart.h"

G_BEGIN_DECLS

#define PS_TYPE_TIMELINE_CHART (ps_timeline_chart_get_type ())
G_DECLARE_FINAL_TYPE (PsTimelineChart, ps_timeline_chart, PS, TIMELINE_CHART, PsChart)

#define PS_TYPE_CPU_CHART (ps_cpu_chart_get_type ())
G_DECLARE_FINAL_TYPE (PsCpuChart, ps_cpu_chart, PS, CPU_CHART, PsChart)

#define PS_TYPE_MEMORY_CHART (ps_memory_chart_get_type ())
G_DECLARE_FINAL_TYPE (PsMemoryChart, ps_memory_chart, PS, MEMORY_CHART, PsChart)

#define PS_TYPE_ORDERING_CHART (ps_ordering_chart_get_type ())
G_DECLARE_FINAL_TYPE (PsOrderingChart, ps_ordering_chart, PS, ORDERING_CHART, PsChart)

#define PS_TYPE_THROUGHPUT_CHART (ps_throughput_chart_get_type ())
G_DECLARE_FINAL_TYPE (PsThroughputChart, ps_throughput_chart, PS, THROUGHPUT_CHART, PsChart)

G_END_DECLS
