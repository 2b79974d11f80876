/* ps-sizing-page.c: the Sizing page: a sweep's points, fits and answer
 *
 * Above, what to sweep (the worker counts, the repetitions); then, as
 * points come, the recommendation in a sentence with a button that sets
 * Workers to it, the fits in words, four charts (throughput, speedup,
 * wall time, efficiency: PsSweepChart classes) and the points as an
 * accessible table, "Sweep results". The window runs the sweep (a
 * PsSweepRunner over its session) and calls ps_sizing_page_update()
 * after each run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <math.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ps-format.h"
#include "ps-sizing-page.h"
#include "ps-sweep-charts.h"

/* ---- a row of the results table ----------------------------------------- */

enum
{
  COL_WORKERS, COL_RUNS, COL_WALL, COL_SPREAD, COL_SPEEDUP, COL_EFFICIENCY,
  COL_TASKS, COL_CPU, COL_MEMORY, COL_START, COL_FAILED, N_COLS
};

static const struct { const char *title; gboolean numeric; } columns[N_COLS] = {
  [COL_WORKERS]    = { N_("Workers"), TRUE },
  [COL_RUNS]       = { N_("Runs"), TRUE },
  [COL_WALL]       = { N_("Wall"), TRUE },
  [COL_SPREAD]     = { N_("Spread"), TRUE },
  [COL_SPEEDUP]    = { N_("Speedup"), TRUE },
  [COL_EFFICIENCY] = { N_("Efficiency"), TRUE },
  [COL_TASKS]      = { N_("Tasks/s"), TRUE },
  [COL_CPU]        = { N_("CPU Use"), TRUE },
  [COL_MEMORY]     = { N_("Pool Memory"), TRUE },
  [COL_START]      = { N_("Start-up"), TRUE },
  [COL_FAILED]     = { N_("Failed"), TRUE },
};

#define PS_TYPE_SWEEP_ROW (ps_sweep_row_get_type ())
G_DECLARE_FINAL_TYPE (PsSweepRow, ps_sweep_row, PS, SWEEP_ROW, GObject)

struct _PsSweepRow
{
  GObject  parent_instance;
  char    *cells[N_COLS];
  gboolean recommended;
};

G_DEFINE_FINAL_TYPE (PsSweepRow, ps_sweep_row, G_TYPE_OBJECT)

static void
ps_sweep_row_finalize (GObject *object)
{
  PsSweepRow *self = PS_SWEEP_ROW (object);

  for (guint i = 0; i < N_COLS; i++)
    g_free (self->cells[i]);
  G_OBJECT_CLASS (ps_sweep_row_parent_class)->finalize (object);
}

static void
ps_sweep_row_class_init (PsSweepRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ps_sweep_row_finalize;
}

static void
ps_sweep_row_init (PsSweepRow *self)
{
}

static PsSweepRow *
row_new (const PsSweepPoint *p,
         gboolean            recommended)
{
  PsSweepRow *row = g_object_new (PS_TYPE_SWEEP_ROW, NULL);
  char buf[PS_FORMAT_BUF_SIZE];

  row->recommended = recommended;
  row->cells[COL_WORKERS] = g_strdup_printf ("%u", p->workers);
  row->cells[COL_RUNS] = g_strdup_printf ("%u", p->n_reps);
  if (p->n_reps == 0)
    {
      for (guint c = COL_WALL; c < N_COLS; c++)
        row->cells[c] = g_strdup ("—");
      return row;
    }
  ps_format_duration_buf ((gint64) (p->wall_median * 1e9), buf, sizeof buf);
  row->cells[COL_WALL] = g_strdup (buf);
  /* Translators: half the range of a point's runs, around their median */
  row->cells[COL_SPREAD] = p->n_reps > 1 ? g_strdup_printf (_("±%.1f%%"),
                                                            50 * (p->wall_max - p->wall_min) / p->wall_median)
                                         : g_strdup ("—");
  /* Translators: a speedup, "1.96×" */
  row->cells[COL_SPEEDUP] = g_strdup_printf (_("%.2f×"), p->speedup);
  row->cells[COL_EFFICIENCY] = g_strdup_printf (_("%.0f%%"), 100 * p->efficiency);
  ps_format_count_buf ((guint64) (p->tasks_per_s + 0.5), buf, sizeof buf);
  row->cells[COL_TASKS] = g_strdup (buf);
  row->cells[COL_CPU] = isfinite (p->cpu_use) ? g_strdup_printf (_("%.0f%%"), 100 * p->cpu_use) : g_strdup ("—");
  if (p->memory_peak > 0)
    ps_format_bytes_buf (p->memory_peak, buf, sizeof buf);
  else
    g_strlcpy (buf, "—", sizeof buf);
  row->cells[COL_MEMORY] = g_strdup (buf);
  if (isfinite (p->start_cost_s))
    ps_format_duration_buf ((gint64) (p->start_cost_s * 1e9), buf, sizeof buf);
  else
    g_strlcpy (buf, "—", sizeof buf);
  row->cells[COL_START] = g_strdup (buf);
  ps_format_count_buf (p->failed, buf, sizeof buf);
  row->cells[COL_FAILED] = g_strdup (buf);
  return row;
}

/* ---- the page ----------------------------------------------------------- */

struct _PsSizingPage
{
  GtkWidget      parent_instance;

  GtkWidget     *scroller;
  AdwEntryRow   *counts_row;
  GtkSpinButton *reps_spin;
  GtkLabel      *error_label;
  GtkLabel      *progress_label;
  GtkWidget     *answer_box;
  GtkLabel      *recommended_label;
  GtkWidget     *use_button;
  GtkLabel      *fits_label;
  GtkWidget     *charts_box;
  GtkWidget     *table_scroller;
  GtkColumnView *table;
  PsSweepChart  *throughput_chart;
  PsSweepChart  *speedup_chart;
  PsSweepChart  *wall_chart;
  PsSweepChart  *efficiency_chart;
  PsSweepChart  *charts[5];    /* the four above, NULL-ended */

  GListStore    *rows;
  PsSweep       *sweep;        /* the window's */
  char          *recommendation;
};

enum { USE_SIZE, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PsSizingPage, ps_sizing_page, GTK_TYPE_WIDGET)

static void
cell_setup (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), columns[GPOINTER_TO_UINT (data)].numeric ? 1.0 : 0.0);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
cell_bind (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  data)
{
  guint column = GPOINTER_TO_UINT (data);
  GtkWidget *label = gtk_list_item_get_child (item);
  PsSweepRow *row = gtk_list_item_get_item (item);
  GtkWidget *cell = gtk_widget_get_parent (label);
  GtkWidget *list_row = cell ? gtk_widget_get_parent (cell) : NULL;

  gtk_label_set_text (GTK_LABEL (label), row->cells[column]);
  if (row->recommended)
    gtk_widget_add_css_class (label, "heading");
  else
    gtk_widget_remove_css_class (label, "heading");
  /* what a screen reader says for the cell and the row */
  if (cell != NULL)
    {
      g_autofree char *spoken = g_strdup_printf (_("%s: %s"), _(columns[column].title), row->cells[column]);
      gtk_accessible_update_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL, spoken, -1);
    }
  if (column == COL_WORKERS && list_row != NULL)
    {
      gulong n = strtoul (row->cells[column], NULL, 10);
      g_autofree char *spoken = row->recommended
                                ? g_strdup_printf (ngettext ("%s worker, recommended", "%s workers, recommended", n),
                                                   row->cells[column])
                                : g_strdup_printf (ngettext ("%s worker", "%s workers", n), row->cells[column]);
      gtk_accessible_update_property (GTK_ACCESSIBLE (list_row), GTK_ACCESSIBLE_PROPERTY_LABEL, spoken, -1);
    }
}

/**
 * ps_sizing_page_get_request:
 * @counts: (out): the worker counts asked for
 * @reps: (out): the repetitions
 *
 * Reads what to sweep; a bad value is marked inline, with its reason.
 */
gboolean
ps_sizing_page_get_request (PsSizingPage *self,
                            guint         usable_cpus,
                            GArray      **counts,
                            guint        *reps,
                            GError      **error)
{
  GError *local = NULL;

  g_return_val_if_fail (PS_IS_SIZING_PAGE (self), FALSE);

  gtk_spin_button_update (self->reps_spin);
  if (!ps_sweep_parse_workers (gtk_editable_get_text (GTK_EDITABLE (self->counts_row)), usable_cpus,
                               counts, &local))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->counts_row), "error");
      gtk_label_set_text (self->error_label, local->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      g_propagate_error (error, local);
      return FALSE;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->counts_row), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  *reps = (guint) gtk_spin_button_get_value_as_int (self->reps_spin);
  return TRUE;
}

/* The plan of a sweep opened from its log: its counts and repetitions,
 * so that Sweep runs it again. */
void
ps_sizing_page_show_plan (PsSizingPage *self,
                          PsSweep      *sweep)
{
  g_autoptr(GString) counts = g_string_new (NULL);

  g_return_if_fail (PS_IS_SIZING_PAGE (self));
  for (guint i = 0; i < ps_sweep_get_n_counts (sweep); i++)
    g_string_append_printf (counts, i ? ",%u" : "%u", ps_sweep_get_count (sweep, i));
  gtk_editable_set_text (GTK_EDITABLE (self->counts_row), counts->str);
  gtk_spin_button_set_value (self->reps_spin, MAX (1, ps_sweep_get_reps (sweep)));
}

/* The sweep to show (the window keeps it); NULL: none. */
void
ps_sizing_page_set_sweep (PsSizingPage *self,
                          PsSweep      *sweep)
{
  g_return_if_fail (PS_IS_SIZING_PAGE (self));

  self->sweep = sweep;
  for (PsSweepChart **c = self->charts; *c; c++)
    ps_sweep_chart_set_sweep (*c, sweep);
  ps_sizing_page_update (self, FALSE, 0, FALSE);
}

static void
update_table (PsSizingPage *self)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; self->sweep && i < ps_sweep_get_n_points (self->sweep); i++)
    {
      const PsSweepPoint *p = ps_sweep_get_point (self->sweep, i);

      g_ptr_array_add (rows, row_new (p, p->workers == ps_sweep_get_recommended (self->sweep)));
    }
  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                       rows->pdata, rows->len);
}

/**
 * ps_sizing_page_update:
 * @running: whether the sweep goes on
 * @next_run: the run under way (or the next), for the progress line
 * @stopped: whether Stop ended it
 */
void
ps_sizing_page_update (PsSizingPage *self,
                       gboolean      running,
                       guint         next_run,
                       gboolean      stopped)
{
  PsSweep *sweep = self->sweep;
  g_autoptr(GString) fits = g_string_new (NULL);
  const PsAmdahlFit *amdahl;
  const PsUslFit *usl;
  const char *why;
  guint done = 0, n_runs;

  g_return_if_fail (PS_IS_SIZING_PAGE (self));

  gtk_widget_remove_css_class (GTK_WIDGET (self->progress_label), "error");
  gtk_widget_set_visible (self->answer_box, sweep != NULL);
  gtk_widget_set_visible (self->charts_box, sweep != NULL);
  gtk_widget_set_visible (self->table_scroller, sweep != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->fits_label), sweep != NULL);
  if (sweep == NULL)
    return;

  n_runs = ps_sweep_get_n_runs (sweep);
  for (guint i = 0; i < n_runs; i++)
    done += ps_sweep_get_run (sweep, i)->done;
  if (running && next_run < n_runs)
    {
      PsSweepRun *run = ps_sweep_get_run (sweep, next_run);
      g_autofree char *text = run->warmup
        ? g_strdup_printf (ngettext ("Run %u of %u: the warm-up, %u worker (not counted)",
                                     "Run %u of %u: the warm-up, %u workers (not counted)", run->workers),
                           next_run + 1, n_runs, run->workers)
        : g_strdup_printf (ngettext ("Run %u of %u: %u worker, repetition %u",
                                     "Run %u of %u: %u workers, repetition %u", run->workers),
                           next_run + 1, n_runs, run->workers, run->rep + 1);
      gtk_label_set_text (self->progress_label, text);
    }
  else
    {
      g_autofree char *text = stopped
        ? g_strdup_printf (ngettext ("Stopped after %u run of %u; the points keep what finished",
                                     "Stopped after %u runs of %u; the points keep what finished", done),
                           done, n_runs)
        : g_strdup_printf (ngettext ("Finished: %u run", "Finished: %u runs", n_runs), n_runs);
      gtk_label_set_text (self->progress_label, text);
    }

  g_free (self->recommendation);
  self->recommendation = ps_sweep_get_recommended (sweep) > 0
    /* Translators: the sweep's answer; %s is its reason in a sentence */
    ? g_strdup_printf (_("Recommended: %s"), ps_sweep_get_reason (sweep))
    : g_strdup_printf (_("Recommended: %s"), ps_sweep_get_reason (sweep) ? ps_sweep_get_reason (sweep) : "");
  gtk_label_set_text (self->recommended_label, self->recommendation);
  gtk_widget_set_sensitive (self->use_button, ps_sweep_get_recommended (sweep) > 0 && !running);

  amdahl = ps_sweep_get_amdahl (sweep, &why);
  if (amdahl)
    g_string_append_printf (fits, _("Amdahl’s law fits a serial fraction of %.2f: no pool runs this batch "
                                    "more than %.1f× faster than one worker."),
                            amdahl->serial_fraction,
                            amdahl->serial_fraction > 0 ? 1 / amdahl->serial_fraction : INFINITY);
  else
    g_string_append_printf (fits, _("Amdahl: %s."), why);
  g_string_append_c (fits, ' ');
  usl = ps_sweep_get_usl (sweep, &why);
  if (usl && usl->sigma >= 1)
    g_string_append_printf (fits, _("The Universal Scalability Law fits contention σ = %.3f: so high that "
                                    "one worker does best."), usl->sigma);
  else if (usl && isfinite (usl->peak_workers))
    g_string_append_printf (fits, _("The Universal Scalability Law fits contention σ = %.3f and coherency "
                                    "κ = %.4f: throughput peaks at %.1f workers."),
                            usl->sigma, usl->kappa, usl->peak_workers);
  else if (usl)
    g_string_append_printf (fits, _("The Universal Scalability Law fits contention σ = %.3f and no coherency "
                                    "cost: throughput keeps rising, ever more slowly."), usl->sigma);
  else
    g_string_append_printf (fits, _("USL: %s."), why);
  if (ps_sweep_get_base (sweep) > 1)
    g_string_append_printf (fits, _(" Speedup and efficiency are against %u workers, the fewest measured."),
                            ps_sweep_get_base (sweep));
  gtk_label_set_text (self->fits_label, fits->str);

  for (PsSweepChart **c = self->charts; *c; c++)
    ps_sweep_chart_set_sweep (*c, sweep);
  update_table (self);
}

/* Says why the sweep ended early, in the page's progress line. */
void
ps_sizing_page_set_failure (PsSizingPage *self,
                            const char   *text)
{
  g_return_if_fail (PS_IS_SIZING_PAGE (self));
  gtk_label_set_text (self->progress_label, text);
  gtk_widget_add_css_class (GTK_WIDGET (self->progress_label), "error");
}

const char *
ps_sizing_page_get_recommendation (PsSizingPage *self)
{
  g_return_val_if_fail (PS_IS_SIZING_PAGE (self), NULL);
  return self->recommendation;
}

static void
use_clicked (PsSizingPage *self)
{
  if (self->sweep && ps_sweep_get_recommended (self->sweep) > 0)
    g_signal_emit (self, signals[USE_SIZE], 0, ps_sweep_get_recommended (self->sweep));
}

static void
ps_sizing_page_dispose (GObject *object)
{
  PsSizingPage *self = PS_SIZING_PAGE (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), PS_TYPE_SIZING_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->rows);
  g_clear_pointer (&self->recommendation, g_free);
  G_OBJECT_CLASS (ps_sizing_page_parent_class)->dispose (object);
}

static void
ps_sizing_page_class_init (PsSizingPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ps_sizing_page_dispose;

  /* Use Recommended Size was pressed: the size */
  signals[USE_SIZE] = g_signal_new ("use-size", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  g_type_ensure (PS_TYPE_SWEEP_WALL_CHART);
  g_type_ensure (PS_TYPE_SWEEP_SPEEDUP_CHART);
  g_type_ensure (PS_TYPE_SWEEP_EFFICIENCY_CHART);
  g_type_ensure (PS_TYPE_SWEEP_THROUGHPUT_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/poolscope/Poolscope/ps-sizing-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, counts_row);
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, reps_spin);
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, answer_box);
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, recommended_label);
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, use_button);
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, fits_label);
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, charts_box);
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, table_scroller);
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, table);
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, throughput_chart);
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, speedup_chart);
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, wall_chart);
  gtk_widget_class_bind_template_child (widget_class, PsSizingPage, efficiency_chart);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ps_sizing_page_init (PsSizingPage *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->charts[0] = self->throughput_chart;
  self->charts[1] = self->speedup_chart;
  self->charts[2] = self->wall_chart;
  self->charts[3] = self->efficiency_chart;
  self->rows = g_list_store_new (PS_TYPE_SWEEP_ROW);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->rows)));
  gtk_column_view_set_model (self->table, GTK_SELECTION_MODEL (selection));
  for (guint c = 0; c < N_COLS; c++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (cell_setup), GUINT_TO_POINTER (c));
      g_signal_connect (factory, "bind", G_CALLBACK (cell_bind), GUINT_TO_POINTER (c));
      column = gtk_column_view_column_new (_(columns[c].title), g_object_ref (factory));
      gtk_column_view_column_set_expand (column, TRUE);
      gtk_column_view_append_column (self->table, column);
    }
  g_signal_connect_swapped (self->use_button, "clicked", G_CALLBACK (use_clicked), self);
}
