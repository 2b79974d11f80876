/* ps-history-page.c: the History page: the runs kept, newest first
 *
 * The list comes from the history's index (ps-history.c, SQLite), read
 * in a thread: opened (made again from the logs when it is missing or
 * damaged, said by "notice"), brought in line with the runs folder, then
 * listed, filtered by the search entry in the query itself. A newer
 * reload makes an older one's answer moot. Activating a row asks for its
 * log to be opened ("open-log"), as Open Run Log… does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <math.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ps-charts.h"
#include "ps-sweep-draw.h"
#include "ps-format.h"
#include "ps-log-reader.h"
#include "ps-history.h"
#include "ps-history-page.h"
#include "ps-run-session.h"

/* ---- a row: one kept run ------------------------------------------------ */

#define PS_TYPE_HISTORY_ROW (ps_history_row_get_type ())
G_DECLARE_FINAL_TYPE (PsHistoryRow, ps_history_row, PS, HISTORY_ROW, GObject)

struct _PsHistoryRow
{
  GObject       parent_instance;
  PsHistoryRun *run;
};

G_DEFINE_FINAL_TYPE (PsHistoryRow, ps_history_row, G_TYPE_OBJECT)

static void
ps_history_row_finalize (GObject *object)
{
  g_clear_pointer (&PS_HISTORY_ROW (object)->run, ps_history_run_free);
  G_OBJECT_CLASS (ps_history_row_parent_class)->finalize (object);
}

static void
ps_history_row_class_init (PsHistoryRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ps_history_row_finalize;
}

static void
ps_history_row_init (PsHistoryRow *self)
{
}

/* ---- the page ----------------------------------------------------------- */

typedef enum
{
  COL_STARTED,
  COL_STATUS,
  COL_WORKERS,
  COL_TASKS,
  COL_WALL,
  COL_WORKLOAD,
  COL_ITEMS,
  N_COLS
} Column;

struct _PsHistoryPage
{
  GtkWidget        parent_instance;

  GtkStack        *stack;
  GtkSearchEntry  *search_entry;
  GtkColumnView   *column_view;
  GtkLabel        *count_label;
  GtkWidget       *delete_button;
  GtkWidget       *compare_button;
  GtkMultiSelection *selection;
  GHashTable      *deleting;     /* logs deleted with Undo still offered: not listed */

  GListStore      *runs;
  guint            generation;   /* of the reload whose answer is wanted */
  gboolean         disposed;     /* answers from threads are for nobody */
};

G_DEFINE_FINAL_TYPE (PsHistoryPage, ps_history_page, GTK_TYPE_WIDGET)

enum { OPEN_LOG, NOTICE, RUN_DELETED, SELECTION, N_SIGNALS };
static guint signals[N_SIGNALS];

static char *
cell_text (const PsHistoryRun *run,
           Column              col)
{
  switch (col)
    {
    case COL_STARTED:
      if (run->started_ns > 0)
        {
          g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (run->started_ns / 1000000000);
          return g_date_time_format (when, "%Y-%m-%d %H:%M:%S");
        }
      return g_strdup ("—");
    case COL_STATUS:
      /* a kept sweep: what it says, or how it ended */
      if (g_strcmp0 (run->kind, "sweep") == 0)
        {
          if (g_str_equal (run->status, "stopped"))
            return g_strdup (_("Sweep, stopped"));
          if (g_str_equal (run->status, "cut off"))
            return g_strdup (_("Sweep, cut off"));
          if (run->recommended > 0)
            /* Translators: the status of a kept sizing sweep; %u is the worker count it recommends */
            return g_strdup_printf (_("Sweep, recommends %u"), run->recommended);
          return g_strdup (_("Sweep"));
        }
      /* the index's words, for people */
      if (g_str_equal (run->status, "ok"))
        return g_strdup (_("Finished"));
      if (g_str_equal (run->status, "failed"))
        {
          g_autofree char *n = ps_format_count (run->failed);
          return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s task failed", "%s tasks failed", run->failed), n);
        }
      if (g_str_equal (run->status, "stopped"))
        return g_strdup (_("Stopped"));
      return g_strdup (_("Cut off"));
    case COL_WORKERS:
      if (g_strcmp0 (run->kind, "sweep") == 0 && run->counts && *run->counts)
        return g_strdup (run->counts);
      /* on other hosts: how many, their names in the row's tooltip */
      if (run->hosts && *run->hosts)
        {
          guint n_hosts = 1;

          for (const char *c = run->hosts; *c; c++)
            n_hosts += *c == ',';
          /* Translators: workers of a run, and the hosts they were on */
          return g_strdup_printf (ngettext ("%u on %u host", "%u on %u hosts", n_hosts), run->workers, n_hosts);
        }
      return g_strdup_printf ("%u", run->workers);
    case COL_TASKS:
      return ps_format_count (run->tasks);
    case COL_WALL:
      return run->wall_ns >= 0 ? ps_format_duration (run->wall_ns) : g_strdup ("—");
    case COL_WORKLOAD:
      return g_strdup (run->workload);
    case COL_ITEMS:
      return g_strdup (run->items);
    case N_COLS:
    default:
      return g_strdup ("");
    }
}

static gint64
cell_number (const PsHistoryRun *run,
             Column              col)
{
  switch (col)
    {
    case COL_STARTED: return run->started_ns;
    case COL_WORKERS: return run->workers;
    case COL_TASKS: return (gint64) run->tasks;
    case COL_WALL: return run->wall_ns;
    case COL_STATUS:
    case COL_WORKLOAD:
    case COL_ITEMS:
    case N_COLS:
    default: return 0;
    }
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      data)
{
  const PsHistoryRun *x = PS_HISTORY_ROW ((gpointer) a)->run;
  const PsHistoryRun *y = PS_HISTORY_ROW ((gpointer) b)->run;
  Column col = GPOINTER_TO_UINT (data);

  if (col == COL_STATUS || col == COL_WORKLOAD || col == COL_ITEMS)
    {
      g_autofree char *tx = cell_text (x, col);
      g_autofree char *ty = cell_text (y, col);
      int c = g_utf8_collate (tx, ty);

      return c < 0 ? GTK_ORDERING_SMALLER : c > 0 ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
    }
  return cell_number (x, col) < cell_number (y, col) ? GTK_ORDERING_SMALLER
         : cell_number (x, col) > cell_number (y, col) ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  data)
{
  Column col = GPOINTER_TO_UINT (data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), col == COL_WORKERS || col == COL_TASKS || col == COL_WALL ? 1 : 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), col == COL_WORKLOAD || col == COL_ITEMS ? PANGO_ELLIPSIZE_END
                                                                                      : PANGO_ELLIPSIZE_NONE);
  if (col == COL_WORKERS || col == COL_TASKS || col == COL_WALL)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  data)
{
  PsHistoryRow *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = cell_text (row->run, GPOINTER_TO_UINT (data));

  gtk_label_set_text (GTK_LABEL (label), text);
  /* a cut text is whole in its tooltip; the hosts of a run on hosts too */
  if (GPOINTER_TO_UINT (data) == COL_WORKERS && row->run->hosts && *row->run->hosts)
    gtk_widget_set_tooltip_text (label, row->run->hosts);
  else
    gtk_widget_set_tooltip_text (label, GPOINTER_TO_UINT (data) == COL_WORKLOAD || GPOINTER_TO_UINT (data) == COL_ITEMS
                                        ? text : NULL);
}

static void
add_column (PsHistoryPage *self,
            Column         col,
            const char    *title,
            gboolean       expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;
  GtkSorter *sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows, GUINT_TO_POINTER (col), NULL));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GUINT_TO_POINTER (col));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GUINT_TO_POINTER (col));
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (self->column_view, column);
  g_object_unref (sorter);
  g_object_unref (column);
}

typedef struct
{
  char      *dir;
  char      *search;
  guint      generation;
  GPtrArray *runs;
  gboolean   rebuilt;
} Load;

static void
load_free (Load *l)
{
  g_free (l->dir);
  g_free (l->search);
  g_clear_pointer (&l->runs, g_ptr_array_unref);
  g_free (l);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  Load *l = data;
  g_autoptr(PsHistory) history = NULL;
  GError *error = NULL;

  history = ps_history_open (l->dir, &l->rebuilt, &error);
  if (history == NULL || !ps_history_sync (history, &error) ||
      (l->runs = ps_history_list (history, l->search, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void selection_changed (PsHistoryPage *self);

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  PsHistoryPage *self = PS_HISTORY_PAGE (object);
  Load *l = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  if (self->disposed)
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (l->generation == self->generation)
        {
          g_autofree char *msg = g_strdup_printf (_("The history cannot be read: %s"), error->message);
          g_signal_emit (self, signals[NOTICE], 0, msg);
        }
      return;
    }
  if (l->generation != self->generation)
    return; /* a newer reload is on its way */
  if (l->rebuilt)
    g_signal_emit (self, signals[NOTICE], 0, _("The history’s index was damaged: it was made again from the run logs"));

  rows = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < l->runs->len; i++)
    {
      PsHistoryRow *row;

      if (g_hash_table_contains (self->deleting, ((PsHistoryRun *) g_ptr_array_index (l->runs, i))->path))
        {
          g_clear_pointer (&l->runs->pdata[i], ps_history_run_free);
          continue;
        }
      row = g_object_new (PS_TYPE_HISTORY_ROW, NULL);

      /* the row takes the run */
      row->run = g_ptr_array_index (l->runs, i);
      l->runs->pdata[i] = NULL;
      g_ptr_array_add (rows, row);
    }
  g_ptr_array_set_free_func (l->runs, NULL);
  g_list_store_splice (self->runs, 0, g_list_model_get_n_items (G_LIST_MODEL (self->runs)), rows->pdata, rows->len);
  {
    guint sweeps = 0;
    g_autofree char *n_runs = NULL;
    g_autofree char *n_sweeps = NULL;
    g_autofree char *text = NULL;

    for (guint i = 0; i < rows->len; i++)
      sweeps += g_strcmp0 (PS_HISTORY_ROW (g_ptr_array_index (rows, i))->run->kind, "sweep") == 0;
    n_runs = ps_format_count (rows->len - sweeps);
    n_sweeps = ps_format_count (sweeps);
    if (sweeps == 0)
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s run kept", "%s runs kept", rows->len), n_runs);
    else if (sweeps == rows->len)
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s sweep kept", "%s sweeps kept", sweeps), n_sweeps);
    else
      {
        /* Translators: "3 runs and 1 sweep kept": the first %s is the runs (already counted) */
        g_autofree char *runs_part = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s run", "%s runs",
                                                                   rows->len - sweeps), n_runs);

        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s and %s sweep kept", "%s and %s sweeps kept", sweeps),
                                runs_part, n_sweeps);
      }
    gtk_label_set_text (self->count_label, text);
  }
  /* the rows are new: nothing is selected (splice says no selection-changed) */
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  selection_changed (self);
  /* an empty search still shows the search entry */
  gtk_stack_set_visible_child_name (self->stack,
                                    rows->len > 0 || *gtk_editable_get_text (GTK_EDITABLE (self->search_entry))
                                    ? "list" : "empty");
}

/**
 * ps_history_page_reload:
 *
 * Reads the history again, off the main loop.
 */
void
ps_history_page_reload (PsHistoryPage *self)
{
  g_autoptr(GTask) task = NULL;
  Load *l;

  g_return_if_fail (PS_IS_HISTORY_PAGE (self));
  l = g_new0 (Load, 1);
  l->dir = ps_history_default_dir ();
  l->search = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  l->generation = ++self->generation;
  task = g_task_new (self, NULL, load_done, NULL);
  g_task_set_task_data (task, l, (GDestroyNotify) load_free);
  g_task_run_in_thread (task, load_thread);
}

static void
row_activated (PsHistoryPage *self,
               guint          position)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (self->column_view));
  g_autoptr(PsHistoryRow) row = g_list_model_get_item (model, position);

  if (row != NULL)
    g_signal_emit (self, signals[OPEN_LOG], 0, row->run->path);
}

/* The selected rows, in the list's order. */
static GPtrArray *
selected_rows (PsHistoryPage *self)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GtkBitsetIter iter;
  guint position;

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, set, &position); ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    g_ptr_array_add (rows, g_list_model_get_item (G_LIST_MODEL (self->selection), position));
  return rows;
}

static void
selection_changed (PsHistoryPage *self)
{
  g_autoptr(GPtrArray) rows = selected_rows (self);

  gtk_widget_set_sensitive (self->delete_button, rows->len >= 1);
  gtk_widget_set_sensitive (self->compare_button, rows->len >= 2);
  /* Save and Export work on the selected run */
  g_signal_emit (self, signals[SELECTION], 0);
}

static void
compare_cell (GtkGrid    *grid,
              int         column,
              int         row,
              const char *text,
              gboolean    heading)
{
  GtkWidget *label = gtk_label_new (text);

  /* not selectable: the first one would take the focus with its text all
   * selected (the numbers are the exports' to copy) */
  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0 : 1);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
  if (heading)
    gtk_widget_add_css_class (label, "heading");
  gtk_grid_attach (grid, label, column, row, 1, 1);
}

/* "+12% (1.12×)" of @value against @base; "" for the base itself. */
static char *
difference (double value,
            double base)
{
  if (base <= 0 || value < 0)
    return g_strdup ("");
  return g_strdup_printf ("%+.0f%% (%.2f×)", (value / base - 1) * 100, value / base);
}

static void
compare_closed (PsHistoryPage *self)
{
  g_object_set_data (G_OBJECT (self), "ps-compare-window", NULL);
}

/* ---- the compared runs' charts: their logs read in a thread ------------ */

typedef struct
{
  GPtrArray *paths;    /* char*: the runs' logs */
  GPtrArray *models;   /* PsRunModel*, made in the thread */
  GPtrArray *charts;   /* PsChart*, main thread only: three a run */
  GPtrArray *sweep_paths;  /* char*: the sweeps' */
  GPtrArray *sweeps;   /* PsSweep*, made in the thread */
  GPtrArray *names;    /* char*: what the speedup chart calls each sweep */
  GtkWidget *speedups; /* the sweeps' speedup chart, or NULL */
} CompareCharts;

static void
compare_charts_free (CompareCharts *cc)
{
  g_ptr_array_unref (cc->paths);
  g_clear_pointer (&cc->models, g_ptr_array_unref);
  g_clear_pointer (&cc->charts, g_ptr_array_unref);
  g_ptr_array_unref (cc->sweep_paths);
  g_clear_pointer (&cc->sweeps, g_ptr_array_unref);
  g_ptr_array_unref (cc->names);
  g_clear_object (&cc->speedups);
  g_free (cc);
}

typedef struct
{
  GPtrArray *sweeps;
  GPtrArray *names;
} Speedups;

static void
speedups_free (Speedups *sp)
{
  g_ptr_array_unref (sp->sweeps);
  g_ptr_array_unref (sp->names);
  g_free (sp);
}

static void
speedups_draw (GtkDrawingArea *area,
               cairo_t        *cr,
               int             width,
               int             height,
               gpointer        data)
{
  Speedups *sp = g_object_get_data (G_OBJECT (area), "ps-speedups");
  PsDrawStyle style = { { 0 } };
  GdkRGBA fg;

  if (sp == NULL)
    return;
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);
  style.fg = (PsRGBA) { fg.red, fg.green, fg.blue, fg.alpha };
  style.dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  ps_sweep_draw_speedups ((PsSweep *const *) sp->sweeps->pdata, (const char *const *) sp->names->pdata,
                          sp->sweeps->len, cr, width, height, &style);
}

static void
compare_add (const PsEvent *e,
             gpointer       data)
{
  ps_run_model_add_event (data, e);
}

static void
compare_read_thread (GTask        *task,
                     gpointer      source,
                     gpointer      data,
                     GCancellable *cancellable)
{
  CompareCharts *cc = data;
  GPtrArray *models = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *sweeps = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_sweep_free);

  for (guint i = 0; i < cc->paths->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      PsRunModel *model = ps_run_model_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *problem = NULL;

      if (!ps_log_read_batched (g_ptr_array_index (cc->paths, i), compare_add, model, cancellable, NULL,
                                &problem, &error))
        ps_run_model_set_error (model, error->message);
      else if (problem && !ps_run_model_is_ended (model))
        ps_run_model_set_error (model, problem);
      g_ptr_array_add (models, model);
    }
  cc->models = models;
  for (guint i = 0; i < cc->sweep_paths->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      g_autoptr(GError) error = NULL;
      PsSweep *sweep = ps_sweep_load (g_ptr_array_index (cc->sweep_paths, i), NULL, &error);

      /* a sweep that cannot be read is left out of the chart, and its name with it */
      g_ptr_array_add (sweeps, sweep);
    }
  cc->sweeps = sweeps;
  g_task_return_boolean (task, !g_cancellable_is_cancelled (cancellable));
}

/* Each run's charts get its model; all on the longest run's time scale. */
static void
compare_read_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  CompareCharts *cc = g_task_get_task_data (G_TASK (result));
  /* the widgets are let go here, on the main thread: the task's last
   * reference may go in its thread */
  g_autoptr(GPtrArray) charts = g_steal_pointer (&cc->charts);
  g_autoptr(GtkWidget) speedups = g_steal_pointer (&cc->speedups);
  gint64 span = 0;

  if (!g_task_propagate_boolean (G_TASK (result), NULL) || cc->models->len * 3 != charts->len)
    return;
  if (speedups && cc->sweeps->len == cc->names->len)
    {
      Speedups *sp = g_new0 (Speedups, 1);
      g_autoptr(GString) words = g_string_new (NULL);

      sp->sweeps = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_sweep_free);
      sp->names = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < cc->sweeps->len; i++)
        if (g_ptr_array_index (cc->sweeps, i) != NULL)
          {
            g_ptr_array_add (sp->sweeps, g_steal_pointer (&g_ptr_array_index (cc->sweeps, i)));
            g_ptr_array_add (sp->names, g_strdup (g_ptr_array_index (cc->names, i)));
          }
      ps_sweep_describe_speedups ((PsSweep *const *) sp->sweeps->pdata, (const char *const *) sp->names->pdata,
                                  sp->sweeps->len, words);
      gtk_accessible_update_property (GTK_ACCESSIBLE (speedups), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      words->str, -1);
      g_object_set_data_full (G_OBJECT (speedups), "ps-speedups", sp, (GDestroyNotify) speedups_free);
      gtk_widget_queue_draw (speedups);
    }
  for (guint i = 0; i < cc->models->len; i++)
    span = MAX (span, ps_run_model_get_wall (g_ptr_array_index (cc->models, i)));
  for (guint i = 0; i < cc->models->len; i++)
    {
      PsRunModel *model = g_ptr_array_index (cc->models, i);

      ps_run_model_set_time_scale (model, span);
      for (guint k = 0; k < 3; k++)
        {
          PsChart *chart = g_ptr_array_index (charts, i * 3 + k);

          ps_chart_set_model (chart, model);
          ps_chart_update (chart);
        }
    }
}

static GtkWidget *
compare_chart (GType       type,
               int         height,
               const char *name)
{
  GtkWidget *chart = g_object_new (type, "height-request", height, "hexpand", TRUE, NULL);

  gtk_widget_set_name (chart, name);
  return chart;
}

/**
 * ps_history_page_compare:
 *
 * Shows the selected runs' batches and totals side by side, each against
 * the first selected: what changed, and by how much.
 */
void
ps_history_page_compare (PsHistoryPage *self)
{
  g_autoptr(GPtrArray) rows = selected_rows (self);
  GtkWidget *window, *grid, *box, *scroller;
  static const char *const labels[] = {
    N_("Started"), N_("Status"), N_("Workload"), N_("Items"), N_("Workers"), N_("Start method"),
    N_("Tasks"), N_("Succeeded"), N_("Failed"), N_("Wall time"), N_("Tasks a second"),
    N_("Wall time against the first"), N_("Tasks a second against the first"),
  };

  g_return_if_fail (PS_IS_HISTORY_PAGE (self));
  if (rows->len < 2)
    return;
  window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), _("Compare Runs"));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 760);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (grid), 18);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_widget_set_margin_start (grid, 18);
  gtk_widget_set_margin_end (grid, 18);
  gtk_widget_set_margin_top (grid, 18);
  gtk_widget_set_margin_bottom (grid, 18);
  gtk_accessible_update_property (GTK_ACCESSIBLE (grid), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Runs side by side"), -1);
  for (guint r = 0; r < G_N_ELEMENTS (labels); r++)
    compare_cell (GTK_GRID (grid), 0, r, _(labels[r]), TRUE);
  for (guint c = 0; c < rows->len; c++)
    {
      const PsHistoryRun *run = PS_HISTORY_ROW (g_ptr_array_index (rows, c))->run;
      const PsHistoryRun *first = PS_HISTORY_ROW (g_ptr_array_index (rows, 0))->run;
      double rate = run->wall_ns > 0 ? (double) run->ok * 1e9 / (double) run->wall_ns : -1;
      double first_rate = first->wall_ns > 0 ? (double) first->ok * 1e9 / (double) first->wall_ns : -1;
      g_autofree char *ok = ps_format_count (run->ok);
      g_autofree char *failed = ps_format_count (run->failed);
      g_autofree char *rate_text = rate >= 0 ? ps_format_number (round (rate * 10) / 10) : g_strdup ("—");
      const Column cols[] = { COL_STARTED, COL_STATUS, COL_WORKLOAD, COL_ITEMS, COL_WORKERS };

      for (guint r = 0; r < G_N_ELEMENTS (cols); r++)
        {
          g_autofree char *text = cell_text (run, cols[r]);
          compare_cell (GTK_GRID (grid), c + 1, r, text, FALSE);
        }
      compare_cell (GTK_GRID (grid), c + 1, 5, run->start_method, FALSE);
      {
        g_autofree char *tasks = cell_text (run, COL_TASKS);
        g_autofree char *wall = cell_text (run, COL_WALL);
        g_autofree char *wall_diff = c == 0 ? g_strdup (_("(the first)"))
                                             : difference ((double) run->wall_ns, (double) first->wall_ns);
        g_autofree char *rate_diff = c == 0 ? g_strdup (_("(the first)")) : difference (rate, first_rate);

        compare_cell (GTK_GRID (grid), c + 1, 6, tasks, FALSE);
        compare_cell (GTK_GRID (grid), c + 1, 7, ok, FALSE);
        compare_cell (GTK_GRID (grid), c + 1, 8, failed, FALSE);
        compare_cell (GTK_GRID (grid), c + 1, 9, wall, FALSE);
        compare_cell (GTK_GRID (grid), c + 1, 10, rate_text, FALSE);
        compare_cell (GTK_GRID (grid), c + 1, 11, wall_diff, FALSE);
        compare_cell (GTK_GRID (grid), c + 1, 12, rate_diff, FALSE);
      }
    }
  /* each run's timeline, CPU and memory, all on one time scale */
  {
    GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
    CompareCharts *cc = g_new0 (CompareCharts, 1);
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GTask) task = NULL;
    GtkWidget *title;

    guint n_runs = 0, n_sweeps = 0;

    cc->paths = g_ptr_array_new_with_free_func (g_free);
    cc->charts = g_ptr_array_new_with_free_func (g_object_unref);
    cc->sweep_paths = g_ptr_array_new_with_free_func (g_free);
    cc->names = g_ptr_array_new_with_free_func (g_free);
    gtk_box_append (GTK_BOX (content), grid);
    for (guint c = 0; c < rows->len; c++)
      {
        const PsHistoryRun *run = PS_HISTORY_ROW (g_ptr_array_index (rows, c))->run;

        if (g_strcmp0 (run->kind, "sweep") == 0)
          {
            g_autofree char *started = cell_text (run, COL_STARTED);

            n_sweeps++;
            g_ptr_array_add (cc->sweep_paths, g_strdup (run->path));
            /* Translators: a compared sweep in the speedup chart's legend: its column, when it started, what it ran */
            g_ptr_array_add (cc->names, g_strdup_printf (_("%u. %s, %s over %s"), c + 1, started, run->workload,
                                                         run->items));
          }
        else
          n_runs++;
      }
    /* the sweeps' speedups on one chart */
    if (n_sweeps > 0)
      {
        GtkWidget *area = gtk_drawing_area_new ();

        title = gtk_label_new (ngettext ("The sweep's speedup", "The sweeps' speedups on one chart", n_sweeps));
        gtk_label_set_xalign (GTK_LABEL (title), 0);
        gtk_widget_add_css_class (title, "title-4");
        gtk_widget_set_margin_start (title, 18);
        gtk_box_append (GTK_BOX (content), title);
        gtk_widget_set_size_request (area, -1, 280);
        gtk_widget_set_margin_start (area, 18);
        gtk_widget_set_margin_end (area, 18);
        gtk_widget_set_name (area, "compare-speedups");
        gtk_accessible_update_property (GTK_ACCESSIBLE (area), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Speedup of the compared sweeps"), -1);
        gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), speedups_draw, NULL, NULL);
        gtk_box_append (GTK_BOX (content), area);
        cc->speedups = g_object_ref (area);
      }
    if (n_runs > 0)
      {
        title = gtk_label_new (_("Timelines, CPU and memory on one time scale"));
        gtk_label_set_xalign (GTK_LABEL (title), 0);
        gtk_widget_add_css_class (title, "title-4");
        gtk_widget_set_margin_start (title, 18);
        gtk_box_append (GTK_BOX (content), title);
      }
    for (guint c = 0; c < rows->len; c++)
      {
        const PsHistoryRun *run = PS_HISTORY_ROW (g_ptr_array_index (rows, c))->run;

        if (g_strcmp0 (run->kind, "sweep") != 0)
          {
            g_autofree char *started = cell_text (run, COL_STARTED);
            /* Translators: above a compared run's charts: its place among them, when it started, what it ran */
            g_autofree char *heading = g_strdup_printf (ngettext ("Run %u — %s — %s over %s, %u worker",
                                                                  "Run %u — %s — %s over %s, %u workers",
                                                                  run->workers),
                                                        c + 1, started, run->workload, run->items, run->workers);
            GtkWidget *label = gtk_label_new (heading), *charts = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
            GtkWidget *timeline = compare_chart (PS_TYPE_TIMELINE_CHART, 150, "compare-timeline");
            GtkWidget *cpu = compare_chart (PS_TYPE_CPU_CHART, 140, "compare-cpu");
            GtkWidget *memory = compare_chart (PS_TYPE_MEMORY_CHART, 140, "compare-memory");

            gtk_label_set_xalign (GTK_LABEL (label), 0);
            gtk_label_set_wrap (GTK_LABEL (label), TRUE);
            gtk_widget_add_css_class (label, "heading");
            gtk_widget_set_margin_start (label, 18);
            gtk_widget_set_margin_top (label, 6);
            gtk_box_append (GTK_BOX (content), label);
            gtk_widget_set_margin_start (timeline, 18);
            gtk_widget_set_margin_end (timeline, 18);
            gtk_box_append (GTK_BOX (content), timeline);
            gtk_widget_set_margin_start (charts, 18);
            gtk_widget_set_margin_end (charts, 18);
            gtk_box_append (GTK_BOX (charts), cpu);
            gtk_box_append (GTK_BOX (charts), memory);
            gtk_box_append (GTK_BOX (content), charts);
            g_ptr_array_add (cc->charts, g_object_ref (timeline));
            g_ptr_array_add (cc->charts, g_object_ref (cpu));
            g_ptr_array_add (cc->charts, g_object_ref (memory));
            g_ptr_array_add (cc->paths, g_strdup (run->path));
          }
      }
    gtk_widget_set_margin_bottom (content, 18);
    /* the window's going stops the reading; the charts stay alive for it */
    g_object_set_data_full (G_OBJECT (window), "ps-compare-reading", g_object_ref (cancellable), g_object_unref);
    g_signal_connect_object (window, "destroy", G_CALLBACK (g_cancellable_cancel), cancellable, G_CONNECT_SWAPPED);
    task = g_task_new (NULL, cancellable, compare_read_done, NULL);
    g_task_set_task_data (task, cc, (GDestroyNotify) compare_charts_free);
    g_task_run_in_thread (task, compare_read_thread);
    grid = content;
  }
  scroller = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), grid);
  gtk_box_append (GTK_BOX (box), scroller);
  adw_window_set_content (ADW_WINDOW (window), box);
  /* the window shown, for tests; forgotten when it goes */
  g_object_set_data (G_OBJECT (self), "ps-compare-window", window);
  g_signal_connect_object (window, "destroy", G_CALLBACK (compare_closed), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (window));
}

/**
 * ps_history_page_delete_selected:
 *
 * Takes the selected runs off the list and says so ("run-deleted": their
 * logs, and a title when there is one): each log goes when
 * ps_history_page_finish_delete() says so, unless
 * ps_history_page_undo_delete() brings it back first. A log a run writes
 * or the window shows stays, and is said to.
 */
void
ps_history_page_delete_selected (PsHistoryPage *self)
{
  g_autoptr(GPtrArray) rows = selected_rows (self);
  g_autoptr(GStrvBuilder) paths = g_strv_builder_new ();
  g_auto(GStrv) deleted = NULL;
  g_autofree char *title = NULL;
  guint kept = 0;

  g_return_if_fail (PS_IS_HISTORY_PAGE (self));
  if (rows->len == 0)
    return;
  for (guint i = 0; i < rows->len; i++)
    {
      PsHistoryRow *row = g_ptr_array_index (rows, i);
      guint position;

      /* a log a run writes, or the window shows, stays */
      if (ps_run_session_log_is_in_use (row->run->path))
        {
          kept++;
          continue;
        }
      if (title == NULL)
        title = g_strdup_printf ("%s over %s", row->run->workload, row->run->items);
      g_strv_builder_add (paths, row->run->path);
      g_hash_table_add (self->deleting, g_strdup (row->run->path));
      if (g_list_store_find (self->runs, row, &position))
        g_list_store_remove (self->runs, position);
    }
  /* the toast with Undo first: the one not to miss */
  deleted = g_strv_builder_end (paths);
  if (deleted[0] != NULL)
    g_signal_emit (self, signals[RUN_DELETED], 0, deleted, deleted[1] == NULL ? title : NULL);
  if (kept > 0)
    g_signal_emit (self, signals[NOTICE], 0,
                   rows->len == 1 ? _("This run is under way or shown in Live: it cannot be deleted now")
                                  : ngettext ("The run under way or shown in Live stays: it cannot be deleted now",
                                              "The runs under way or shown in Live stay: they cannot be deleted now",
                                              kept));
}

void
ps_history_page_undo_delete (PsHistoryPage *self,
                             const char    *path)
{
  const char *paths[] = { path, NULL };

  ps_history_page_undo_delete_all (self, paths);
}

/* Brings back every run of @paths: one reading of the History. */
void
ps_history_page_undo_delete_all (PsHistoryPage      *self,
                                 const char * const *paths)
{
  g_return_if_fail (PS_IS_HISTORY_PAGE (self));
  for (guint i = 0; paths[i]; i++)
    g_hash_table_remove (self->deleting, paths[i]);
  ps_history_page_reload (self);
}

/* A kept run's log is deleted; a log opened from elsewhere is only
 * forgotten by the history: the file is the user's. */
static void
unlink_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  g_autofree char *dir = ps_history_default_dir ();

  if (ps_history_owns_log (dir, data))
    g_unlink (data);
  else
    {
      g_autoptr(PsHistory) history = ps_history_open (dir, NULL, NULL);

      if (history)
        ps_history_forget (history, data, NULL);
    }
  g_task_return_boolean (task, TRUE);
}

static void
remember_thread (GTask        *task,
                 gpointer      source,
                 gpointer      data,
                 GCancellable *cancellable)
{
  g_autofree char *dir = ps_history_default_dir ();
  g_autoptr(PsHistory) history = ps_history_open (dir, NULL, NULL);

  if (history)
    ps_history_add_log (history, data, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
remembered (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  PsHistoryPage *self = PS_HISTORY_PAGE (object);

  if (!self->disposed)
    ps_history_page_reload (self);
}

/**
 * ps_history_page_remember_log:
 *
 * A log opened (Open Run Log…) joins the History, where it stays while
 * the file does; deleting it there forgets it, and leaves the file.
 */
void
ps_history_page_remember_log (PsHistoryPage *self,
                              const char    *path)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PS_IS_HISTORY_PAGE (self));
  task = g_task_new (self, NULL, remembered, NULL);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, remember_thread);
}

static void
unlinked (GObject      *object,
          GAsyncResult *result,
          gpointer      data)
{
  PsHistoryPage *self = PS_HISTORY_PAGE (object);

  if (self->disposed)
    {
      g_free (data);
      return;
    }
  g_hash_table_remove (self->deleting, data);
  g_free (data);
  /* the index forgets it at this reload */
  ps_history_page_reload (self);
}

/* The Undo was not taken: the log goes, off the main loop. */
void
ps_history_page_finish_delete (PsHistoryPage *self,
                               const char    *path)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PS_IS_HISTORY_PAGE (self));
  if (!g_hash_table_contains (self->deleting, path))
    return;
  task = g_task_new (self, NULL, unlinked, g_strdup (path));
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, unlink_thread);
}

static gboolean
delete_shortcut (GtkWidget *widget,
                 GVariant  *args,
                 gpointer   data)
{
  ps_history_page_delete_selected (PS_HISTORY_PAGE (widget));
  return TRUE;
}

/* The log of the selected run, or NULL. */
const char *
ps_history_page_get_selected_log (PsHistoryPage *self)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (PS_IS_HISTORY_PAGE (self), NULL);
  rows = selected_rows (self);
  /* the row outlives this array: the list holds it */
  return rows->len > 0 ? PS_HISTORY_ROW (g_ptr_array_index (rows, 0))->run->path : NULL;
}

/* Whether the first selected row is a sweep. */
gboolean
ps_history_page_selected_is_sweep (PsHistoryPage *self)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (PS_IS_HISTORY_PAGE (self), FALSE);
  rows = selected_rows (self);
  return rows->len > 0 && g_strcmp0 (PS_HISTORY_ROW (g_ptr_array_index (rows, 0))->run->kind, "sweep") == 0;
}

/* The number of runs listed (for tests). */
guint
ps_history_page_get_n_runs (PsHistoryPage *self)
{
  g_return_val_if_fail (PS_IS_HISTORY_PAGE (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->runs));
}

static void
ps_history_page_dispose (GObject *object)
{
  PsHistoryPage *self = PS_HISTORY_PAGE (object);
  GtkWidget *child;

  /* answers still on their way are for nobody */
  self->generation++;
  self->disposed = TRUE;
  gtk_widget_dispose_template (GTK_WIDGET (object), PS_TYPE_HISTORY_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))))
    gtk_widget_unparent (child);
  g_clear_object (&self->runs);
  g_clear_pointer (&self->deleting, g_hash_table_unref);
  G_OBJECT_CLASS (ps_history_page_parent_class)->dispose (object);
}

static void
ps_history_page_class_init (PsHistoryPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ps_history_page_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/poolscope/Poolscope/ps-history-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PsHistoryPage, stack);
  gtk_widget_class_bind_template_child (widget_class, PsHistoryPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PsHistoryPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, PsHistoryPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, PsHistoryPage, delete_button);
  gtk_widget_class_bind_template_child (widget_class, PsHistoryPage, compare_button);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Delete, 0, delete_shortcut, NULL);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  /* a kept run's log is to be opened */
  signals[OPEN_LOG] = g_signal_new ("open-log", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 1, G_TYPE_STRING);
  /* a run taken off the list: its log, a title; Undo is still possible */
  /* the logs of the runs taken off the list (a strv), and a title when it is one run */
  signals[RUN_DELETED] = g_signal_new ("run-deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                       NULL, G_TYPE_NONE, 2, G_TYPE_STRV, G_TYPE_STRING);
  /* the selection changed */
  signals[SELECTION] = g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                     NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* something the user must hear of: a message */
  signals[NOTICE] = g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ps_history_page_init (PsHistoryPage *self)
{
  GtkSortListModel *sorted;
  GtkMultiSelection *selection;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->runs = g_list_store_new (PS_TYPE_HISTORY_ROW);
  add_column (self, COL_STARTED, _("Started"), FALSE);
  add_column (self, COL_STATUS, _("Status"), FALSE);
  add_column (self, COL_WORKERS, _("Workers"), FALSE);
  add_column (self, COL_TASKS, _("Tasks"), FALSE);
  add_column (self, COL_WALL, _("Wall Time"), FALSE);
  add_column (self, COL_WORKLOAD, _("Workload"), TRUE);
  add_column (self, COL_ITEMS, _("Items"), TRUE);
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->runs)),
                                    g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->deleting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  selection = gtk_multi_selection_new (G_LIST_MODEL (sorted));
  self->selection = selection;
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  g_signal_connect_swapped (selection, "selection-changed", G_CALLBACK (selection_changed), self);
  g_signal_connect_swapped (self->delete_button, "clicked", G_CALLBACK (ps_history_page_delete_selected), self);
  g_signal_connect_swapped (self->compare_button, "clicked", G_CALLBACK (ps_history_page_compare), self);
  g_signal_connect_swapped (self->column_view, "activate", G_CALLBACK (row_activated), self);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (ps_history_page_reload), self);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}
