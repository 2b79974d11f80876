/* ps-chart-image.h: a chart drawn into a PNG, SVG or PDF file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ps-run-draw.h"
#include "ps-sweep-draw.h"

G_BEGIN_DECLS

#define PS_CHART_IMAGE_WIDTH   1600
#define PS_CHART_IMAGE_HEIGHT  600    /* a chart's; a timeline is as tall as its lanes */
#define PS_CHART_IMAGE_MAX     20000  /* pixels a side, at most */

typedef void (*PsChartDrawFunc) (cairo_t           *cr,
                                 int                width,
                                 int                height,
                                 const PsDrawStyle *style,
                                 gpointer           data);

gboolean ps_chart_image_type_is_known (const char     *type);
gboolean ps_chart_image_write         (const char     *path,
                                       const char     *type,
                                       int             width,
                                       int             height,
                                       PsChartDrawFunc draw,
                                       gpointer        data,
                                       GError        **error);

/* The charts a run or a sweep has, by the names exports take. */
gboolean ps_chart_run_kind_from_name   (const char     *name,
                                        PsRunViewKind  *kind);
gboolean ps_chart_sweep_kind_from_name (const char     *name,
                                        PsSweepChartKind *kind);

gboolean ps_chart_image_write_run      (const char     *path,
                                        const char     *type,
                                        PsRunViewKind   kind,
                                        PsRunModel     *model,
                                        int             width,
                                        int             height,
                                        GError        **error);
gboolean ps_chart_image_write_sweep    (const char     *path,
                                        const char     *type,
                                        PsSweepChartKind kind,
                                        PsSweep        *sweep,
                                        int             width,
                                        int             height,
                                        GError        **error);

G_END_DECLS
