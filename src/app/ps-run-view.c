/* ps-run-view.c: a live view of a run, drawn from a PsRunModel
 *
 * One widget class for the five views; ps-run-draw.c does the drawing.
 * The window calls ps_run_view_update() from its frame clock when the
 * model changed; the view then redraws if it is mapped and due (a long
 * run's timeline every pixel's worth of time), and refreshes its
 * accessible description at most twice a second (and at the end).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ps-run-view.h"

struct _PsRunView
{
  GtkWidget      parent_instance;

  PsRunViewKind  kind;
  PsRunModel    *model;
  guint64        drawn_serial;
  gint64         drawn_at;          /* monotonic µs of the last snapshot */
  guint64        drawn_failed;      /* what forces a redraw at once: failures, */
  guint          drawn_workers;     /* new workers (or lanes) */
  guint          measured_workers;  /* the progress view's height follows them */
  PsTextCache   *texts;
  guint64        described_serial;
  gint64         described_at;
};

enum
{
  PROP_0,
  PROP_KIND,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PsRunView, ps_run_view, GTK_TYPE_WIDGET)

static const char *
kind_label (PsRunViewKind kind)
{
  switch (kind)
    {
    case PS_RUN_VIEW_TIMELINE: return _("Timeline");
    case PS_RUN_VIEW_CPU: return _("CPU usage");
    case PS_RUN_VIEW_MEMORY: return _("Memory");
    case PS_RUN_VIEW_PROGRESS: return _("Progress");
    case PS_RUN_VIEW_ORDERING: return _("Ordering");
    default: return "";
    }
}

GtkWidget *
ps_run_view_new (PsRunViewKind  kind,
                 PsRunModel    *model)
{
  return g_object_new (PS_TYPE_RUN_VIEW, "kind", kind, "model", model, NULL);
}

PsRunViewKind
ps_run_view_get_kind (PsRunView *self)
{
  return self->kind;
}

PsRunModel *
ps_run_view_get_model (PsRunView *self)
{
  return self->model;
}

static void
describe (PsRunView *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->model == NULL)
    return;
  ps_run_describe (self->kind, self->model, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text->str,
                                  -1);
  self->described_serial = ps_run_model_get_serial (self->model);
  self->described_at = g_get_monotonic_time ();
}

void
ps_run_view_set_model (PsRunView  *self,
                       PsRunModel *model)
{
  g_return_if_fail (PS_IS_RUN_VIEW (self));

  if (g_set_object (&self->model, model))
    {
      self->drawn_serial = G_MAXUINT64;
      describe (self);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
    }
}

/* How long a view may wait before it shows what changed, in µs. A long
 * run's timeline moves by less than a pixel in a tenth of a second (its
 * axis spans the run: the newest end moves by width / elapsed pixels a
 * second), so it is redrawn when about a pixel's worth of time has gone
 * by; the progress rows' numbers are read, not watched, four times a
 * second once the run is under way. Samples come at the sample rate. */
static gint64
pace (PsRunView *self)
{
  gint64 now_us = ps_run_model_get_now (self->model) / 1000;
  int width = MAX (gtk_widget_get_width (GTK_WIDGET (self)), 100);

  switch (self->kind)
    {
    case PS_RUN_VIEW_TIMELINE:
    case PS_RUN_VIEW_ORDERING:
      return CLAMP (now_us / width, 100000, G_USEC_PER_SEC);
    case PS_RUN_VIEW_PROGRESS:
      return now_us < 5 * G_USEC_PER_SEC ? 100000 : 250000;
    case PS_RUN_VIEW_CPU:
    case PS_RUN_VIEW_MEMORY:
    default:
      return 100000;
    }
}

static guint64
n_failed (PsRunModel *model)
{
  guint64 n = 0;

  ps_run_model_get_failed (model, &n);
  return n + ps_run_model_get_n_retried (model);
}

static gboolean
due (PsRunView *self)
{
  if (self->drawn_serial == G_MAXUINT64 || ps_run_model_is_ended (self->model) ||
      ps_run_model_get_n_workers (self->model) != self->drawn_workers ||
      n_failed (self->model) != self->drawn_failed)
    return TRUE;
  return g_get_monotonic_time () - self->drawn_at >= pace (self);
}

/**
 * ps_run_view_update:
 *
 * Called on the frame clock: redraws when the model changed since, as
 * often as the view's pace asks (what stops a run, fails or adds a worker
 * is drawn at once).
 *
 * Returns: %FALSE when the view waits to show a change: call again
 */
gboolean
ps_run_view_update (PsRunView *self)
{
  guint64 serial;
  gboolean behind = FALSE;

  g_return_val_if_fail (PS_IS_RUN_VIEW (self), TRUE);

  if (self->model == NULL)
    return TRUE;
  serial = ps_run_model_get_serial (self->model);
  if (serial != self->drawn_serial && gtk_widget_get_mapped (GTK_WIDGET (self)) &&
      !(behind = !due (self)))
    {
      if (self->kind == PS_RUN_VIEW_PROGRESS &&
          ps_run_model_get_n_workers (self->model) != self->measured_workers)
        gtk_widget_queue_resize (GTK_WIDGET (self));
      else
        gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  /* what a screen reader reads, for the views that are shown */
  if (serial != self->described_serial && gtk_widget_get_mapped (GTK_WIDGET (self)) &&
      (ps_run_model_is_ended (self->model) || g_get_monotonic_time () - self->described_at > 500000))
    describe (self);
  return !behind;
}

static void
ps_run_view_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  PsRunView *self = PS_RUN_VIEW (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  PsDrawStyle style = { { 0 } };
  PangoContext *pango = gtk_widget_get_pango_context (widget);
  cairo_t *cr;

  if (self->model == NULL || w <= 0 || h <= 0)
    return;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &style.fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  style.dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  style.font = pango_context_get_font_description (pango);
  style.pango = pango;
  style.texts = self->texts;
  ps_text_cache_begin_frame (self->texts, pango);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  ps_run_draw (self->kind, self->model, cr, w, h, &style);
  cairo_destroy (cr);
  self->drawn_serial = ps_run_model_get_serial (self->model);
  self->drawn_at = g_get_monotonic_time ();
  self->drawn_workers = ps_run_model_get_n_workers (self->model);
  self->drawn_failed = n_failed (self->model);
}

static void
ps_run_view_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  PsRunView *self = PS_RUN_VIEW (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = self->kind == PS_RUN_VIEW_TIMELINE || self->kind == PS_RUN_VIEW_PROGRESS ? 420 : 200;
      *natural = 640;
    }
  else if (self->kind == PS_RUN_VIEW_PROGRESS)
    {
      self->measured_workers = self->model ? ps_run_model_get_n_workers (self->model) : 0;
      *minimum = *natural = self->model ? MAX (ps_run_progress_height (self->model), 40) : 40;
    }
  else
    {
      *minimum = self->kind == PS_RUN_VIEW_TIMELINE ? 160 : 120;
      *natural = self->kind == PS_RUN_VIEW_TIMELINE ? 320 : 220;
    }
}

static gboolean
ps_run_view_query_tooltip (GtkWidget  *widget,
                           int         x,
                           int         y,
                           gboolean    keyboard,
                           GtkTooltip *tooltip)
{
  PsRunView *self = PS_RUN_VIEW (widget);
  g_autofree char *markup = NULL;

  if (self->kind != PS_RUN_VIEW_TIMELINE || self->model == NULL || keyboard)
    return FALSE;
  markup = ps_run_timeline_tooltip (self->model, gtk_widget_get_width (widget),
                                    gtk_widget_get_height (widget), x, y);
  if (markup == NULL)
    return FALSE;
  gtk_tooltip_set_markup (tooltip, markup);
  return TRUE;
}

static void
ps_run_view_map (GtkWidget *widget)
{
  PsRunView *self = PS_RUN_VIEW (widget);

  GTK_WIDGET_CLASS (ps_run_view_parent_class)->map (widget);
  if (self->model && self->described_serial != ps_run_model_get_serial (self->model))
    describe (self);
}

static void
dark_changed (PsRunView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ps_run_view_constructed (GObject *object)
{
  PsRunView *self = PS_RUN_VIEW (object);

  G_OBJECT_CLASS (ps_run_view_parent_class)->constructed (object);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, kind_label (self->kind),
                                  -1);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), self->kind == PS_RUN_VIEW_TIMELINE);
  describe (self);
}

static void
ps_run_view_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PsRunView *self = PS_RUN_VIEW (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_int (value, self->kind);
      break;
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_run_view_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PsRunView *self = PS_RUN_VIEW (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_int (value);
      break;
    case PROP_MODEL:
      ps_run_view_set_model (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_run_view_dispose (GObject *object)
{
  PsRunView *self = PS_RUN_VIEW (object);

  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);
  g_clear_object (&self->model);
  g_clear_pointer (&self->texts, ps_text_cache_free);
  G_OBJECT_CLASS (ps_run_view_parent_class)->dispose (object);
}

static void
ps_run_view_class_init (PsRunViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ps_run_view_constructed;
  object_class->dispose = ps_run_view_dispose;
  object_class->get_property = ps_run_view_get_property;
  object_class->set_property = ps_run_view_set_property;
  widget_class->snapshot = ps_run_view_snapshot;
  widget_class->measure = ps_run_view_measure;
  widget_class->query_tooltip = ps_run_view_query_tooltip;
  widget_class->map = ps_run_view_map;

  properties[PROP_KIND] =
    g_param_spec_int ("kind", NULL, NULL, PS_RUN_VIEW_TIMELINE, PS_RUN_VIEW_ORDERING, PS_RUN_VIEW_TIMELINE,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, PS_TYPE_RUN_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "runview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ps_run_view_init (PsRunView *self)
{
  self->drawn_serial = G_MAXUINT64;
  self->texts = ps_text_cache_new ();
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (dark_changed), self, G_CONNECT_SWAPPED);
}
