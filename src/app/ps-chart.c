/* ps-chart.c: the base of the live charts
 *
 * A chart holds the model it draws, the texts it laid out last frame and
 * when it last drew and described itself. The page calls
 * ps_chart_update() from its frame clock when the model changed; the
 * chart then redraws if it is mapped and due (what stops a run, fails or
 * adds a worker at once, the rest at the subclass's pace), and renews its
 * accessible description once a second whether it is shown or not, and
 * at the end of a run: a screen reader never hears a stale chart.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <adwaita.h>

#include "ps-chart.h"

#define DESCRIBE_INTERVAL_US G_USEC_PER_SEC
/* what is news (a failure, a new worker) is shown within this, but not
 * more often: a crash a task would redraw every chart on every frame */
#define NEWS_INTERVAL_US (100 * 1000)
#define NEWS_DESCRIBE_INTERVAL_US (250 * 1000)

typedef struct
{
  PsRunModel  *model;
  PsTextCache *texts;
  guint64      drawn_serial;
  gint64       drawn_at;        /* monotonic µs of the last snapshot */
  guint64      drawn_failed;    /* what forces a redraw at once: failures, */
  guint        drawn_workers;   /* new workers (or lanes) */
  guint        measured_workers; /* the lanes its size was asked for */
  guint64      described_serial;
  gint64       described_at;
  guint64      described_failed;
  guint        described_workers;
  char        *description;
} PsChartPrivate;

enum
{
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (PsChart, ps_chart, GTK_TYPE_WIDGET)

PsRunModel *
ps_chart_get_model (PsChart *self)
{
  PsChartPrivate *priv = ps_chart_get_instance_private (self);

  g_return_val_if_fail (PS_IS_CHART (self), NULL);
  return priv->model;
}

static guint64
n_failed (PsRunModel *model)
{
  guint64 n = 0;

  ps_run_model_get_failed (model, &n);
  return n + ps_run_model_get_n_retried (model);
}

/**
 * ps_chart_describe_now:
 *
 * Renews the accessible description from the model, now.
 */
void
ps_chart_describe_now (PsChart *self)
{
  PsChartPrivate *priv = ps_chart_get_instance_private (self);
  g_autoptr(GString) text = g_string_new (NULL);

  if (!PS_CHART_GET_CLASS (self)->has_data (self))
    return;
  PS_CHART_GET_CLASS (self)->describe (self, text);
  priv->described_at = g_get_monotonic_time ();
  if (priv->model)
    {
      priv->described_serial = ps_run_model_get_serial (priv->model);
      priv->described_failed = n_failed (priv->model);
      priv->described_workers = ps_run_model_get_n_workers (priv->model);
    }
  /* the same words again are no news for an assistive technology */
  if (g_strcmp0 (text->str, priv->description) == 0)
    return;
  g_free (priv->description);
  priv->description = g_strdup (text->str);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text->str,
                                  -1);
}

void
ps_chart_set_model (PsChart    *self,
                    PsRunModel *model)
{
  PsChartPrivate *priv = ps_chart_get_instance_private (self);

  g_return_if_fail (PS_IS_CHART (self));

  if (g_set_object (&priv->model, model))
    {
      priv->drawn_serial = G_MAXUINT64;
      ps_chart_describe_now (self);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
    }
}

static gboolean
due (PsChart *self)
{
  PsChartPrivate *priv = ps_chart_get_instance_private (self);

  gint64 since = g_get_monotonic_time () - priv->drawn_at;

  if (priv->drawn_serial == G_MAXUINT64 || ps_run_model_is_ended (priv->model))
    return TRUE;
  if ((ps_run_model_get_n_workers (priv->model) != priv->drawn_workers ||
       n_failed (priv->model) != priv->drawn_failed) && since >= NEWS_INTERVAL_US)
    return TRUE;
  return since >= PS_CHART_GET_CLASS (self)->pace (self);
}

/**
 * ps_chart_update:
 *
 * Called on the frame clock: redraws when the model changed since, as
 * often as the chart's pace asks, and keeps the description current.
 *
 * Returns: %FALSE when the chart waits to show a change: call again
 */
gboolean
ps_chart_update (PsChart *self)
{
  PsChartPrivate *priv = ps_chart_get_instance_private (self);
  guint64 serial;
  gboolean behind = FALSE;

  g_return_val_if_fail (PS_IS_CHART (self), TRUE);

  if (priv->model == NULL)
    return TRUE;
  serial = ps_run_model_get_serial (priv->model);
  if (serial != priv->drawn_serial && gtk_widget_get_mapped (GTK_WIDGET (self)) &&
      !(behind = !due (self)))
    {
      if (ps_run_model_get_n_workers (priv->model) != priv->measured_workers)
        gtk_widget_queue_resize (GTK_WIDGET (self));  /* lanes ask for room */
      else
        gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  if (serial != priv->described_serial)
    {
      gint64 since = g_get_monotonic_time () - priv->described_at;

      /* what is drawn soon is told soon */
      if (ps_run_model_is_ended (priv->model) || since >= DESCRIBE_INTERVAL_US ||
          ((ps_run_model_get_n_workers (priv->model) != priv->described_workers ||
            n_failed (priv->model) != priv->described_failed) && since >= NEWS_DESCRIBE_INTERVAL_US))
        ps_chart_describe_now (self);
      else
        behind = TRUE;
    }
  return !behind;
}

/**
 * ps_chart_pace_by_pixel:
 *
 * A pace for charts whose time axis spans the run: a long run moves its
 * newest end by less than a pixel in a tenth of a second, so it is
 * redrawn about a pixel's worth of time later (0.1 s to 1 s).
 */
gint64
ps_chart_pace_by_pixel (PsChart *self)
{
  PsChartPrivate *priv = ps_chart_get_instance_private (self);
  gint64 now_us = priv->model ? ps_run_model_get_now (priv->model) / 1000 : 0;
  int width = MAX (gtk_widget_get_width (GTK_WIDGET (self)), 100);

  return CLAMP (now_us / width, 100000, G_USEC_PER_SEC);
}

static gint64
ps_chart_real_pace (PsChart *self)
{
  return 100000;
}

static gboolean
ps_chart_real_has_data (PsChart *self)
{
  return ps_chart_get_model (self) != NULL;
}

static void
ps_chart_snapshot (GtkWidget   *widget,
                   GtkSnapshot *snapshot)
{
  PsChart *self = PS_CHART (widget);
  PsChartPrivate *priv = ps_chart_get_instance_private (self);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  PsDrawStyle style = { { 0 } };
  PangoContext *pango = gtk_widget_get_pango_context (widget);
  cairo_t *cr;

  if (!PS_CHART_GET_CLASS (self)->has_data (self) || w <= 0 || h <= 0)
    return;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  {
    GdkRGBA fg;

    gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
    style.fg = (PsRGBA) { fg.red, fg.green, fg.blue, fg.alpha };
  }
  G_GNUC_END_IGNORE_DEPRECATIONS
  style.dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  style.font = pango_context_get_font_description (pango);
  style.pango = pango;
  style.texts = priv->texts;
  ps_text_cache_begin_frame (priv->texts, pango);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  PS_CHART_GET_CLASS (self)->draw (self, cr, w, h, &style);
  cairo_destroy (cr);
  priv->drawn_at = g_get_monotonic_time ();
  if (priv->model)
    {
      priv->drawn_serial = ps_run_model_get_serial (priv->model);
      priv->drawn_workers = ps_run_model_get_n_workers (priv->model);
      priv->drawn_failed = n_failed (priv->model);
    }
}

static void
ps_chart_measure (GtkWidget      *widget,
                  GtkOrientation  orientation,
                  int             for_size,
                  int            *minimum,
                  int            *natural,
                  int            *minimum_baseline,
                  int            *natural_baseline)
{
  PsChartClass *klass = PS_CHART_GET_CLASS (widget);
  PsChartPrivate *priv = ps_chart_get_instance_private (PS_CHART (widget));

  priv->measured_workers = priv->model ? ps_run_model_get_n_workers (priv->model) : 0;
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = klass->min_width;
      *natural = MAX (klass->min_width, 640);
    }
  else
    {
      *minimum = klass->min_height;
      *natural = klass->natural_height;
    }
}

static void
dark_changed (PsChart *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ps_chart_constructed (GObject *object)
{
  PsChart *self = PS_CHART (object);

  G_OBJECT_CLASS (ps_chart_parent_class)->constructed (object);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  PS_CHART_GET_CLASS (self)->get_label (self),
                                  -1);
  ps_chart_describe_now (self);
}

static void
ps_chart_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  PsChart *self = PS_CHART (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, ps_chart_get_model (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_chart_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  PsChart *self = PS_CHART (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      ps_chart_set_model (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_chart_dispose (GObject *object)
{
  PsChart *self = PS_CHART (object);
  PsChartPrivate *priv = ps_chart_get_instance_private (self);

  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);
  g_clear_object (&priv->model);
  g_clear_pointer (&priv->texts, ps_text_cache_free);
  g_clear_pointer (&priv->description, g_free);
  G_OBJECT_CLASS (ps_chart_parent_class)->dispose (object);
}

static void
ps_chart_class_init (PsChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ps_chart_constructed;
  object_class->dispose = ps_chart_dispose;
  object_class->get_property = ps_chart_get_property;
  object_class->set_property = ps_chart_set_property;
  widget_class->snapshot = ps_chart_snapshot;
  widget_class->measure = ps_chart_measure;
  klass->pace = ps_chart_real_pace;
  klass->has_data = ps_chart_real_has_data;
  klass->min_width = 200;
  klass->min_height = 120;
  klass->natural_height = 220;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, PS_TYPE_RUN_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ps_chart_init (PsChart *self)
{
  PsChartPrivate *priv = ps_chart_get_instance_private (self);

  priv->drawn_serial = G_MAXUINT64;
  priv->texts = ps_text_cache_new ();
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (dark_changed), self, G_CONNECT_SWAPPED);
}
