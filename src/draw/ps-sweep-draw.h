/* ps-sweep-draw.h: a sizing sweep's charts drawn with cairo, pure
 * functions of a PsSweep and a size (the widgets, tests and exports)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ps-run-draw.h"
#include "ps-sweep.h"

G_BEGIN_DECLS

typedef enum
{
  PS_SWEEP_CHART_WALL,
  PS_SWEEP_CHART_SPEEDUP,
  PS_SWEEP_CHART_EFFICIENCY,
  PS_SWEEP_CHART_THROUGHPUT,
} PsSweepChartKind;

void ps_sweep_draw     (PsSweepChartKind   kind,
                        PsSweep           *sweep,
                        cairo_t           *cr,
                        int                width,
                        int                height,
                        const PsDrawStyle *style);
void ps_sweep_describe (PsSweepChartKind   kind,
                        PsSweep           *sweep,
                        GString           *out);

void ps_sweep_draw_speedups     (PsSweep *const     *sweeps,
                                 const char *const  *names,
                                 guint               n_sweeps,
                                 cairo_t            *cr,
                                 int                 width,
                                 int                 height,
                                 const PsDrawStyle  *style);
void ps_sweep_describe_speedups (PsSweep *const     *sweeps,
                                 const char *const  *names,
                                 guint               n_sweeps,
                                 GString            *out);

G_END_DECLS
