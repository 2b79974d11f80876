/* ps-timeline-chart.c: a lane per worker, a bar per task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-charts.h"

struct _PsTimelineChart
{
  PsChart parent_instance;
};

G_DEFINE_FINAL_TYPE (PsTimelineChart, ps_timeline_chart, PS_TYPE_CHART)

static const char *
ps_timeline_chart_get_label (PsChart *chart)
{
  return _("Timeline");
}

static void
ps_timeline_chart_draw (PsChart           *chart,
                  cairo_t           *cr,
                  int                width,
                  int                height,
                  const PsDrawStyle *style)
{
  ps_run_draw (PS_RUN_VIEW_TIMELINE, ps_chart_get_model (chart), cr, width, height, style);
}

static void
ps_timeline_chart_describe (PsChart *chart,
                      GString *out)
{
  ps_run_describe (PS_RUN_VIEW_TIMELINE, ps_chart_get_model (chart), out);
}

static gboolean
ps_timeline_chart_query_tooltip (GtkWidget  *widget,
                                 int         x,
                                 int         y,
                                 gboolean    keyboard,
                                 GtkTooltip *tooltip)
{
  PsRunModel *model = ps_chart_get_model (PS_CHART (widget));
  g_autofree char *markup = NULL;

  if (model == NULL || keyboard)
    return FALSE;
  markup = ps_run_timeline_tooltip (model, gtk_widget_get_width (widget),
                                    gtk_widget_get_height (widget), x, y);
  if (markup == NULL)
    return FALSE;
  gtk_tooltip_set_markup (tooltip, markup);
  return TRUE;
}

/* Every lane gets room for its label: many workers make the chart taller
 * (its minimum, which is what a scrolled window gives it), and its page
 * scrolls. */
static void
ps_timeline_chart_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  PsRunModel *model = ps_chart_get_model (PS_CHART (widget));

  GTK_WIDGET_CLASS (ps_timeline_chart_parent_class)->measure (widget, orientation, for_size,
                                                              minimum, natural,
                                                              minimum_baseline, natural_baseline);
  if (orientation == GTK_ORIENTATION_VERTICAL && model != NULL)
    {
      int lanes = ps_run_timeline_natural_height (model);

      *minimum = MAX (*minimum, lanes);
      *natural = MAX (*natural, lanes);
    }
}

static void
ps_timeline_chart_class_init (PsTimelineChartClass *klass)
{
  PsChartClass *chart_class = PS_CHART_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  chart_class->get_label = ps_timeline_chart_get_label;
  chart_class->draw = ps_timeline_chart_draw;
  chart_class->describe = ps_timeline_chart_describe;
  chart_class->min_width = 280;
  chart_class->min_height = 160;
  chart_class->natural_height = 320;
  chart_class->pace = ps_chart_pace_by_pixel;
  widget_class->query_tooltip = ps_timeline_chart_query_tooltip;
  widget_class->measure = ps_timeline_chart_measure;
}

static void
ps_timeline_chart_init (PsTimelineChart *self)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
}
