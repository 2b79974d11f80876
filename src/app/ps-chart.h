/* ps-chart.h: the base of the live charts: a model, a pace, a text cache,
 * a style; subclasses draw and describe
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ps-run-draw.h"

G_BEGIN_DECLS

#define PS_TYPE_CHART (ps_chart_get_type ())

G_DECLARE_DERIVABLE_TYPE (PsChart, ps_chart, PS, CHART, GtkWidget)

struct _PsChartClass
{
  GtkWidgetClass parent_class;

  /* what a screen reader calls the chart */
  const char *(*get_label) (PsChart           *self);
  /* pure drawing over the model: the same function tests and exports call */
  void        (*draw)      (PsChart           *self,
                            cairo_t           *cr,
                            int                width,
                            int                height,
                            const PsDrawStyle *style);
  /* the chart in words, agreeing with what draw() shows */
  void        (*describe)  (PsChart           *self,
                            GString           *out);
  /* how long a change may wait before it is drawn, in µs */
  gint64      (*pace)      (PsChart           *self);
  /* whether there is anything to draw and describe (default: a model) */
  gboolean    (*has_data)  (PsChart           *self);

  int min_width;
  int min_height;
  int natural_height;

  gpointer padding[3];
};

PsRunModel *ps_chart_get_model (PsChart    *self);
void        ps_chart_set_model (PsChart    *self,
                                PsRunModel *model);
gboolean    ps_chart_update    (PsChart    *self);
void        ps_chart_describe_now (PsChart *self);
gint64      ps_chart_pace_by_pixel (PsChart *self);

G_END_DECLS
