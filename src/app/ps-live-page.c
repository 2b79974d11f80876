/* ps-live-page.c: the Live page: one run as it happens, or replayed
 *
 * Above, what the whole run has done (a line and a bar); then the
 * workers as a table; below it the charts. The window's frame clock
 * calls ps_live_page_render(): the charts keep their own pace, and the
 * texts (summary, table) are made in the same call as the window's
 * status line, from the same counters, so that no two numbers on screen
 * disagree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "ps-charts.h"
#include "ps-format.h"
#include "ps-live-page.h"

/* Results shown as text: the list is cut after this many. */
#define RESULTS_SHOWN 2000
#define OUTPUT_LINES_SHOWN 5000

struct _PsLivePage
{
  GtkWidget        parent_instance;

  GtkStack        *page_stack;
  GtkLabel        *summary_label;
  GtkProgressBar  *progress_bar;
  GtkPaned        *paned;
  PsProgressTable *progress_table;
  GtkStack        *views;
  GtkBox          *ordering_box;
  PsChart         *timeline_chart;
  PsChart         *cpu_chart;
  PsChart         *memory_chart;
  PsChart         *ordering_chart;
  PsChart         *throughput_chart;
  PsChart         *charts[5];
  GtkTextView     *output_view;
  GtkTextView     *results_view;

  PsRunModel      *model;
  guint64          output_shown;   /* lines of the model's output in the view */
  guint            table_rows;     /* the rows the handle was placed for */
  gint64           results_at;     /* when the results text was last made */
  char            *summary;
};

G_DEFINE_FINAL_TYPE (PsLivePage, ps_live_page, GTK_TYPE_WIDGET)

/**
 * ps_run_model_format_progress:
 *
 * The run's progress in one line, as the Live page shows it: what is
 * done of what, how fast, how long is left; the status line counts the
 * same tasks.
 */
void
ps_run_model_format_progress (PsRunModel *m,
                              GString    *out)
{
  guint64 done = ps_run_model_get_n_finished (m), total = ps_run_model_get_n_tasks (m);
  gint64 now = ps_run_model_get_now (m);
  char d[32], t[32], rate[32], left[32];

  if (!ps_run_model_has_run (m))
    return; /* no count is known before the run-start */
  ps_format_count_buf (done, d, sizeof d);
  ps_format_count_buf (total, t, sizeof t);
  /* Translators: "5,298 of 20,000 tasks done"; the count is the total */
  g_string_append_printf (out, ngettext ("%s of %s task done", "%s of %s tasks done",
                                         (gulong) MIN (total, G_MAXULONG)), d, t);
  if (now > 0 && done > 0)
    {
      double per_s = done / (now / 1e9);

      ps_format_count_buf ((guint64) (per_s + 0.5), rate, sizeof rate);
      /* Translators: a rate, as in "1,234 tasks a second" */
      g_string_append_printf (out, ngettext (" · %s task a second", " · %s tasks a second",
                                             (gulong) MIN (per_s + 0.5, G_MAXULONG)), rate);
      if (!ps_run_model_is_ended (m) && ps_run_model_get_error (m) == NULL && total > done)
        {
          double eta_s = (total - done) / per_s;

          /* a guess: whole seconds, so that it does not flicker */
          ps_format_duration_buf ((gint64) (eta_s >= 1 ? floor (eta_s + 0.5) * 1e9 : eta_s * 1e9),
                                  left, sizeof left);
          /* Translators: time left at the rate so far */
          g_string_append_printf (out, _(" · about %s left"), left);
        }
    }
  if (ps_run_model_is_ended (m) && ps_run_model_get_error (m) == NULL)
    {
      ps_format_duration_buf (ps_run_model_get_wall (m), left, sizeof left);
      /* Translators: the run's wall-clock time */
      g_string_append_printf (out, _(" · %s in all"), left);
    }
}

void
ps_live_page_set_model (PsLivePage *self,
                        PsRunModel *model)
{
  g_return_if_fail (PS_IS_LIVE_PAGE (self));

  g_set_object (&self->model, model);
  for (guint i = 0; i < G_N_ELEMENTS (self->charts); i++)
    ps_chart_set_model (self->charts[i], model);
  ps_progress_table_set_model (self->progress_table, model);
}

/* The run's views instead of the empty page, with empty text views. */
void
ps_live_page_show_run (PsLivePage *self)
{
  g_return_if_fail (PS_IS_LIVE_PAGE (self));

  gtk_stack_set_visible_child_name (self->page_stack, "run");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->output_view), "", 0);
  self->output_shown = 0;
  self->results_at = 0;
}

/* New output lines go to the end of the console; it keeps the last few thousand. */
static void
update_output (PsLivePage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->output_view);
  guint64 n = ps_run_model_get_n_output (self->model);
  g_autoptr(GString) text = g_string_new (NULL);
  GtkTextIter end;
  int lines;

  if (n == self->output_shown)
    return;
  if (n < self->output_shown)
    {
      gtk_text_buffer_set_text (buffer, "", 0);
      self->output_shown = 0;
    }
  if (n - self->output_shown > OUTPUT_LINES_SHOWN)
    self->output_shown = n - OUTPUT_LINES_SHOWN;
  for (; self->output_shown < n; self->output_shown++)
    {
      const char *line = ps_run_model_get_output (self->model, self->output_shown);
      if (line)
        {
          g_string_append (text, line);
          g_string_append_c (text, '\n');
        }
    }
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text->str, text->len);
  lines = gtk_text_buffer_get_line_count (buffer);
  if (lines > OUTPUT_LINES_SHOWN + 1)
    {
      GtkTextIter start, cut;
      gtk_text_buffer_get_start_iter (buffer, &start);
      gtk_text_buffer_get_iter_at_line (buffer, &cut, lines - 1 - OUTPUT_LINES_SHOWN);
      gtk_text_buffer_delete (buffer, &start, &cut);
    }
}

static void
update_results (PsLivePage *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gint64 now = g_get_monotonic_time ();

  /* a long list is made again four times a second at most, and only
   * where it is seen (switching to its page brings it up to date) */
  if (!ps_run_model_is_ended (self->model) &&
      (now - self->results_at < 250000 ||
       g_strcmp0 (gtk_stack_get_visible_child_name (self->views), "ordering") != 0))
    return;
  self->results_at = now;
  if (ps_run_model_get_tasks (self->model) == NULL)
    g_string_append (text, ps_run_model_get_n_tasks (self->model) > 0
                           ? _("Too many tasks to keep each result; see the run log")
                           : "");
  else
    ps_run_model_append_results (self->model, text, RESULTS_SHOWN);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->results_view), text->str, text->len);
}

/* The table as tall as its rows, up to nearly half the page, whenever
 * its rows change (a new run, workers coming): a handle dragged since
 * stays where it was put until then. */
static void
fit_table (PsLivePage *self)
{
  guint rows = ps_progress_table_get_n_rows (self->progress_table);
  int height = gtk_widget_get_height (GTK_WIDGET (self->paned));
  int natural = 0;

  if (rows == self->table_rows || height <= 0)
    return;
  self->table_rows = rows;
  gtk_widget_measure (GTK_WIDGET (self->progress_table), GTK_ORIENTATION_VERTICAL,
                      gtk_widget_get_width (GTK_WIDGET (self->progress_table)), NULL, &natural, NULL, NULL);
  gtk_paned_set_position (self->paned, MIN (natural, height * 45 / 100));
}

static void
update_texts (PsLivePage *self)
{
  g_autoptr(GString) line = g_string_new (NULL);
  guint64 total = ps_run_model_get_n_tasks (self->model);

  ps_run_model_format_progress (self->model, line);
  if (g_strcmp0 (line->str, self->summary) != 0)
    {
      g_free (self->summary);
      self->summary = g_strdup (line->str);
      gtk_label_set_text (self->summary_label, line->str);
      gtk_widget_set_visible (GTK_WIDGET (self->summary_label), line->len > 0);
      gtk_progress_bar_set_fraction (self->progress_bar,
                                     total ? (double) ps_run_model_get_n_finished (self->model) / total : 0);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                      GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, line->str,
                                      -1);
    }
  ps_progress_table_update (self->progress_table);
  fit_table (self);
}

/**
 * ps_live_page_render:
 * @texts: whether the summary and the table are made again now
 *
 * Returns: %FALSE when a chart waits to show a change: call again
 */
gboolean
ps_live_page_render (PsLivePage *self,
                     gboolean    texts)
{
  gboolean all_shown = TRUE;

  g_return_val_if_fail (PS_IS_LIVE_PAGE (self), TRUE);

  if (self->model == NULL)
    return TRUE;
  if (texts)
    update_texts (self);
  for (guint i = 0; i < G_N_ELEMENTS (self->charts); i++)
    all_shown &= ps_chart_update (self->charts[i]);
  update_output (self);
  update_results (self);
  return all_shown;
}

gboolean
ps_live_page_show_view (PsLivePage *self,
                        const char *name)
{
  g_return_val_if_fail (PS_IS_LIVE_PAGE (self), FALSE);

  if (gtk_stack_get_child_by_name (self->views, name) == NULL)
    return FALSE;
  gtk_stack_set_visible_child_name (self->views, name);
  return TRUE;
}

/* A narrow window puts the results below the ordering chart. */
void
ps_live_page_set_narrow (PsLivePage *self,
                         gboolean    narrow)
{
  g_return_if_fail (PS_IS_LIVE_PAGE (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->ordering_box),
                                  narrow ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
  /* side by side each gets half; stacked, the chart takes what it needs */
  gtk_box_set_homogeneous (self->ordering_box, !narrow);
}

PsProgressTable *
ps_live_page_get_table (PsLivePage *self)
{
  g_return_val_if_fail (PS_IS_LIVE_PAGE (self), NULL);
  return self->progress_table;
}

const char *
ps_live_page_get_summary (PsLivePage *self)
{
  g_return_val_if_fail (PS_IS_LIVE_PAGE (self), NULL);
  return self->summary;
}

static void
view_switched (PsLivePage *self)
{
  if (self->model == NULL)
    return;
  self->results_at = 0;
  update_results (self);
  update_output (self);
}

static void
ps_live_page_dispose (GObject *object)
{
  PsLivePage *self = PS_LIVE_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), PS_TYPE_LIVE_PAGE);
  g_clear_object (&self->model);
  g_clear_pointer (&self->summary, g_free);
  G_OBJECT_CLASS (ps_live_page_parent_class)->dispose (object);
}

static void
ps_live_page_class_init (PsLivePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_live_page_dispose;

  g_type_ensure (PS_TYPE_PROGRESS_TABLE);
  g_type_ensure (PS_TYPE_TIMELINE_CHART);
  g_type_ensure (PS_TYPE_CPU_CHART);
  g_type_ensure (PS_TYPE_MEMORY_CHART);
  g_type_ensure (PS_TYPE_ORDERING_CHART);
  g_type_ensure (PS_TYPE_THROUGHPUT_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/poolscope/Poolscope/ps-live-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PsLivePage, page_stack);
  gtk_widget_class_bind_template_child (widget_class, PsLivePage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, PsLivePage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PsLivePage, paned);
  gtk_widget_class_bind_template_child (widget_class, PsLivePage, progress_table);
  gtk_widget_class_bind_template_child (widget_class, PsLivePage, views);
  gtk_widget_class_bind_template_child (widget_class, PsLivePage, ordering_box);
  gtk_widget_class_bind_template_child (widget_class, PsLivePage, timeline_chart);
  gtk_widget_class_bind_template_child (widget_class, PsLivePage, cpu_chart);
  gtk_widget_class_bind_template_child (widget_class, PsLivePage, memory_chart);
  gtk_widget_class_bind_template_child (widget_class, PsLivePage, ordering_chart);
  gtk_widget_class_bind_template_child (widget_class, PsLivePage, throughput_chart);
  gtk_widget_class_bind_template_child (widget_class, PsLivePage, output_view);
  gtk_widget_class_bind_template_child (widget_class, PsLivePage, results_view);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ps_live_page_init (PsLivePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->charts[0] = self->timeline_chart;
  self->charts[1] = self->cpu_chart;
  self->charts[2] = self->memory_chart;
  self->charts[3] = self->ordering_chart;
  self->charts[4] = self->throughput_chart;
  g_signal_connect_swapped (self->views, "notify::visible-child", G_CALLBACK (view_switched), self);
}
