/* ps-progress-table.c: a row per worker, as a GtkColumnView
 *
 * A real table, so that a screen reader walks it row by row and a user
 * sorts it by any column. Each row is a PsWorkerRow holding the texts of
 * its cells, made again from the model at the page's pace; a row tells
 * its cells when one of them changed, and only those labels are set.
 * Numbers are right-aligned, with the locale's digit grouping, in the
 * units the rest of Poolscope uses (ps-format).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ps-format.h"
#include "ps-progress-table.h"

/* ---- a row -------------------------------------------------------------- */

#define PS_TYPE_WORKER_ROW (ps_worker_row_get_type ())
G_DECLARE_FINAL_TYPE (PsWorkerRow, ps_worker_row, PS, WORKER_ROW, GObject)

struct _PsWorkerRow
{
  GObject             parent_instance;
  guint               index;      /* the model's worker, in the order they appeared */
  char               *text[PS_PROGRESS_N_COLUMNS];
  gint64              key[PS_PROGRESS_N_COLUMNS];  /* what sorts the column */
  char               *memory_tip;
  gint64              tip_memory[3];  /* the USS, PSS and RSS it was made of */
  gboolean            dead;       /* died or failed: its Now cell is an error */
  gboolean            gone;       /* no longer in the pool: dimmed */
};

enum { ROW_CHANGED, N_ROW_SIGNALS };
static guint row_signals[N_ROW_SIGNALS];

G_DEFINE_FINAL_TYPE (PsWorkerRow, ps_worker_row, G_TYPE_OBJECT)

static void
ps_worker_row_finalize (GObject *object)
{
  PsWorkerRow *self = PS_WORKER_ROW (object);

  for (guint i = 0; i < PS_PROGRESS_N_COLUMNS; i++)
    g_free (self->text[i]);
  g_free (self->memory_tip);
  G_OBJECT_CLASS (ps_worker_row_parent_class)->finalize (object);
}

static void
ps_worker_row_class_init (PsWorkerRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ps_worker_row_finalize;
  row_signals[ROW_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ps_worker_row_init (PsWorkerRow *self)
{
}

static gboolean
set_cell (PsWorkerRow *row,
          guint        column,
          const char  *text,
          gint64       key)
{
  row->key[column] = key;
  if (g_strcmp0 (row->text[column], text) == 0)
    return FALSE;
  g_free (row->text[column]);
  row->text[column] = g_strdup (text);
  return TRUE;
}

/* What the worker does now, in words, and whether that is an error. */
static void
describe_now (PsRunModel         *model,
              const PsWorkerInfo *w,
              char               *buf,
              gsize               size,
              gboolean           *dead)
{
  *dead = FALSE;
  if (w->exited >= 0)
    {
      if (w->stopped)
        g_strlcpy (buf, _("stopped"), size);
      else if (w->signal)
        {
          *dead = TRUE;
          g_snprintf (buf, size, _("died: %s"), w->exit_message ? w->exit_message : _("killed"));
        }
      else if (w->exit_code != 0)
        {
          *dead = TRUE;
          g_snprintf (buf, size, _("exited with status %d"), w->exit_code);
        }
      else
        g_strlcpy (buf, ps_run_model_is_ended (model) ? _("finished") : _("retired"), size);
      return;
    }
  if (w->lost)
    {
      /* a cut-off log or a dead engine: nothing is known after its end */
      if (w->lost_task >= 0)
        g_snprintf (buf, size, _("running task %" PRId64 " when the record stops"), w->lost_task);
      else
        g_strlcpy (buf, _("unknown: the record stops"), size);
      return;
    }
  if (w->current >= 0)
    {
      const PsTaskRec *tasks = ps_run_model_get_tasks (model);
      char item[24];
      const char *it = tasks && (guint64) w->current < ps_run_model_get_n_tasks (model)
                       ? ps_run_model_format_item (model, &tasks[w->current], item) : "?";
      /* a task's number names it, as in the log: no grouping */
      g_snprintf (buf, size, _("task %" PRId64 " (item %s)"), w->current, it);
    }
  else
    g_strlcpy (buf, ps_run_model_is_ended (model) ? _("done") : _("idle"), size);
}

/* Makes the row's texts from the model; TRUE when one changed. */
static gboolean
row_refresh (PsWorkerRow *row,
             PsRunModel  *model)
{
  const PsWorkerInfo *w = ps_run_model_get_worker_at (model, row->index);
  gint64 wall = ps_run_model_get_wall (model);
  gint64 alive = (w->exited >= 0 ? w->exited : wall) - w->started;
  double busy = alive > 0 ? MIN (1.0, (double) w->busy_ns / alive) : 0;
  double cpu;
  gint64 memory;
  gboolean changed = FALSE, dead;
  char buf[160];

  changed |= set_cell (row, PS_PROGRESS_WORKER, w->name, w->id);
  g_snprintf (buf, sizeof buf, "%d", w->pid);
  changed |= set_cell (row, PS_PROGRESS_PID, buf, w->pid);
  if (w->start_cost >= 0)
    ps_format_duration_buf (w->start_cost, buf, sizeof buf);
  else
    g_strlcpy (buf, "—", sizeof buf);
  changed |= set_cell (row, PS_PROGRESS_START, buf, w->start_cost);
  ps_format_count_buf (w->ok, buf, sizeof buf);
  changed |= set_cell (row, PS_PROGRESS_DONE, buf, (gint64) w->ok);
  ps_format_count_buf (w->failed, buf, sizeof buf);
  changed |= set_cell (row, PS_PROGRESS_FAILED, buf, (gint64) w->failed);
  /* Translators: a share of a worker's life spent in tasks */
  g_snprintf (buf, sizeof buf, _("%.0f%%"), busy * 100);
  changed |= set_cell (row, PS_PROGRESS_BUSY, buf, (gint64) (busy * 1000));
  /* the same figure as the CPU chart's legend */
  cpu = ps_run_model_get_worker_cpu (model, w);
  if (isnan (cpu))
    g_strlcpy (buf, "—", sizeof buf);
  else
    g_snprintf (buf, sizeof buf, _("%.0f%%"), cpu);
  changed |= set_cell (row, PS_PROGRESS_CPU, buf, isnan (cpu) ? -1 : (gint64) (cpu * 10));
  /* what the worker costs: its private pages where the kernel says */
  memory = w->uss >= 0 ? w->uss : w->pss >= 0 ? w->pss : w->rss;
  if (memory > 0)
    ps_format_bytes_buf (memory, buf, sizeof buf);
  else
    g_strlcpy (buf, "—", sizeof buf);
  if (memory > 0 && w->uss < 0 && w->pss < 0)
    {
      /* Translators: memory shown as resident set size, private pages unreadable */
      g_autofree char *rss = g_strdup_printf (_("%s (RSS)"), buf);
      g_strlcpy (buf, rss, sizeof buf);
    }
  changed |= set_cell (row, PS_PROGRESS_MEMORY, buf, memory);
  if (row->memory_tip == NULL || row->tip_memory[0] != w->uss || row->tip_memory[1] != w->pss ||
      row->tip_memory[2] != w->rss)
  {
    char uss[32], pss[32], rss[32];

    row->tip_memory[0] = w->uss;
    row->tip_memory[1] = w->pss;
    row->tip_memory[2] = w->rss;
    changed = TRUE;
    ps_format_bytes_buf (w->uss, uss, sizeof uss);
    ps_format_bytes_buf (w->pss, pss, sizeof pss);
    ps_format_bytes_buf (w->rss, rss, sizeof rss);
    g_free (row->memory_tip);
    /* Translators: USS, PSS and RSS are the kernel's names; keep them */
    row->memory_tip = g_strdup_printf (_("Private (USS) %s · proportional (PSS) %s · resident (RSS) %s"),
                                       uss, pss, rss);
  }
  describe_now (model, w, buf, sizeof buf, &dead);
  changed |= set_cell (row, PS_PROGRESS_NOW, buf, w->current);
  changed |= dead != row->dead || (w->exited >= 0) != row->gone;
  row->dead = dead;
  row->gone = w->exited >= 0;
  return changed;
}

/* ---- the table ---------------------------------------------------------- */

struct _PsProgressTable
{
  GtkWidget      parent_instance;

  GtkWidget     *scroller;
  GtkColumnView *view;
  GListStore    *rows;
  GtkSortListModel *sorted;
  PsRunModel    *model;
  guint          generation;    /* of the model's run the rows are of */
  GtkColumnViewColumn *columns[PS_PROGRESS_N_COLUMNS];
  GtkSorter     *sorters[PS_PROGRESS_N_COLUMNS];
};

G_DEFINE_FINAL_TYPE (PsProgressTable, ps_progress_table, GTK_TYPE_WIDGET)

static const struct
{
  const char *title;
  gboolean    numeric;
  gboolean    expand;
} column_info[PS_PROGRESS_N_COLUMNS] = {
  [PS_PROGRESS_WORKER] = { N_("Worker"),         FALSE, FALSE },
  [PS_PROGRESS_PID]    = { N_("PID"),            TRUE,  FALSE },
  /* how long from asking for the worker to its first word: fork against spawn */
  [PS_PROGRESS_START]  = { N_("Start-up"),       TRUE,  FALSE },
  [PS_PROGRESS_DONE]   = { N_("Done"),           TRUE,  FALSE },
  [PS_PROGRESS_FAILED] = { N_("Failed"),         TRUE,  FALSE },
  [PS_PROGRESS_BUSY]   = { N_("Busy"),           TRUE,  FALSE },
  [PS_PROGRESS_CPU]    = { N_("CPU"),            TRUE,  FALSE },
  [PS_PROGRESS_MEMORY] = { N_("Private Memory"), TRUE,  FALSE },
  [PS_PROGRESS_NOW]    = { N_("Now"),            FALSE, TRUE  },
};

static void
cell_show (GtkLabel    *label,
           PsWorkerRow *row)
{
  guint column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (label), "column"));
  GtkWidget *widget = GTK_WIDGET (label);

  gtk_label_set_text (label, row->text[column] ? row->text[column] : "");
  /* what a screen reader says for the cell and its row (GTK 4.8 would
   * name them after their widget types) */
  {
    GtkWidget *cell = gtk_widget_get_parent (widget);
    GtkWidget *list_row = cell ? gtk_widget_get_parent (cell) : NULL;

    if (cell != NULL)
      {
        /* Translators: a table cell read aloud: its column, then its text */
        g_autofree char *spoken = g_strdup_printf (_("%s: %s"), _(column_info[column].title),
                                                   row->text[column] ? row->text[column] : "");
        gtk_accessible_update_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL, spoken, -1);
      }
    if (column == PS_PROGRESS_WORKER && list_row != NULL)
      gtk_accessible_update_property (GTK_ACCESSIBLE (list_row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      row->text[column] ? row->text[column] : "", -1);
  }
  if (column == PS_PROGRESS_MEMORY)
    gtk_widget_set_tooltip_text (widget, row->memory_tip);
  if (column == PS_PROGRESS_NOW || column == PS_PROGRESS_WORKER)
    gtk_widget_set_tooltip_text (widget, row->text[column]);
  if (column == PS_PROGRESS_NOW && row->dead)
    gtk_widget_add_css_class (widget, "error");
  else
    gtk_widget_remove_css_class (widget, "error");
  if (column == PS_PROGRESS_FAILED && row->key[column] > 0)
    gtk_widget_add_css_class (widget, "error");
  else if (column == PS_PROGRESS_FAILED)
    gtk_widget_remove_css_class (widget, "error");
  if (row->gone)
    gtk_widget_add_css_class (widget, "dim-label");
  else
    gtk_widget_remove_css_class (widget, "dim-label");
}

static void
cell_setup (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  data)
{
  guint column = GPOINTER_TO_UINT (data);
  GtkWidget *label = gtk_label_new (NULL);

  g_object_set_data (G_OBJECT (label), "column", data);
  gtk_label_set_xalign (GTK_LABEL (label), column_info[column].numeric ? 1.0 : 0.0);
  if (column_info[column].numeric)
    gtk_widget_add_css_class (label, "numeric");
  if (column == PS_PROGRESS_NOW)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
cell_bind (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  data)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  PsWorkerRow *row = gtk_list_item_get_item (item);

  cell_show (label, row);
  g_signal_connect_object (row, "changed", G_CALLBACK (cell_show), label, G_CONNECT_SWAPPED);
}

static void
cell_unbind (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  data)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  PsWorkerRow *row = gtk_list_item_get_item (item);

  if (row)
    g_signal_handlers_disconnect_by_func (row, cell_show, label);
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      data)
{
  guint column = GPOINTER_TO_UINT (data);
  const PsWorkerRow *ra = a, *rb = b;
  gint64 ka = ra->key[column], kb = rb->key[column];

  if (column == PS_PROGRESS_NOW)
    return g_strcmp0 (ra->text[column], rb->text[column]);
  return ka < kb ? -1 : ka > kb;
}

GtkWidget *
ps_progress_table_new (void)
{
  return g_object_new (PS_TYPE_PROGRESS_TABLE, NULL);
}

void
ps_progress_table_set_model (PsProgressTable *self,
                             PsRunModel      *model)
{
  g_return_if_fail (PS_IS_PROGRESS_TABLE (self));

  g_set_object (&self->model, model);
  g_list_store_remove_all (self->rows);
  self->generation = model ? ps_run_model_get_generation (model) : 0;
  ps_progress_table_update (self);
}

/**
 * ps_progress_table_update:
 *
 * Brings the rows up to date with the model: new workers get a row, and
 * rows whose texts changed tell their cells.
 */
void
ps_progress_table_update (PsProgressTable *self)
{
  guint n_rows, n_workers;
  gboolean changed = FALSE;

  g_return_if_fail (PS_IS_PROGRESS_TABLE (self));

  if (self->model == NULL)
    return;
  n_workers = ps_run_model_get_n_workers (self->model);
  n_rows = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  if (ps_run_model_get_generation (self->model) != self->generation || n_workers < n_rows)
    {
      /* a new run: no row may speak of the old one's workers */
      self->generation = ps_run_model_get_generation (self->model);
      g_list_store_remove_all (self->rows);
      n_rows = 0;
    }
  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(PsWorkerRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows), i);

      if (row_refresh (row, self->model))
        {
          changed = TRUE;
          g_signal_emit (row, row_signals[ROW_CHANGED], 0);
        }
    }
  if (n_workers > n_rows)
    {
      g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);

      /* the rows are in the order workers came: new ones are at the end */
      for (guint i = n_rows; i < n_workers; i++)
        {
          PsWorkerRow *row = g_object_new (PS_TYPE_WORKER_ROW, NULL);

          row->index = i;
          row_refresh (row, self->model);
          g_ptr_array_add (added, row);
        }
      g_list_store_splice (self->rows, n_rows, 0, added->pdata, added->len);
      changed = TRUE;
    }
  /* a table sorted by a number follows it (GTK 4.8 does not say which
   * column sorts: 256 rows sort again in no time) */
  if (changed)
    gtk_sorter_changed (gtk_column_view_get_sorter (self->view), GTK_SORTER_CHANGE_DIFFERENT);
}

guint
ps_progress_table_get_n_rows (PsProgressTable *self)
{
  g_return_val_if_fail (PS_IS_PROGRESS_TABLE (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
}

/* The text of a cell as shown (in the table's sort order), for tests. */
const char *
ps_progress_table_get_text (PsProgressTable *self,
                            guint            row,
                            guint            column)
{
  g_autoptr(PsWorkerRow) r = NULL;

  g_return_val_if_fail (PS_IS_PROGRESS_TABLE (self), NULL);
  g_return_val_if_fail (column < PS_PROGRESS_N_COLUMNS, NULL);

  r = g_list_model_get_item (G_LIST_MODEL (self->sorted), row);
  return r ? r->text[column] : NULL;
}

static void
ps_progress_table_dispose (GObject *object)
{
  PsProgressTable *self = PS_PROGRESS_TABLE (object);

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->model);
  g_clear_object (&self->rows);
  G_OBJECT_CLASS (ps_progress_table_parent_class)->dispose (object);
}

static void
ps_progress_table_class_init (PsProgressTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ps_progress_table_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "progresstable");
}

static void
ps_progress_table_init (PsProgressTable *self)
{
  GtkNoSelection *selection;

  self->rows = g_list_store_new (PS_TYPE_WORKER_ROW);
  self->view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  self->sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->rows)),
                                          g_object_ref (gtk_column_view_get_sorter (self->view)));
  selection = gtk_no_selection_new (G_LIST_MODEL (self->sorted));
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  gtk_column_view_set_show_column_separators (self->view, FALSE);
  gtk_column_view_set_reorderable (self->view, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->view), "data-table");

  for (guint c = 0; c < PS_PROGRESS_N_COLUMNS; c++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;

      g_signal_connect (factory, "setup", G_CALLBACK (cell_setup), GUINT_TO_POINTER (c));
      g_signal_connect (factory, "bind", G_CALLBACK (cell_bind), GUINT_TO_POINTER (c));
      g_signal_connect (factory, "unbind", G_CALLBACK (cell_unbind), GUINT_TO_POINTER (c));
      column = gtk_column_view_column_new (_(column_info[c].title), factory);
      gtk_column_view_column_set_expand (column, column_info[c].expand);
      gtk_column_view_column_set_resizable (column, TRUE);
      self->sorters[c] = GTK_SORTER (gtk_custom_sorter_new (compare_rows, GUINT_TO_POINTER (c), NULL));
      gtk_column_view_column_set_sorter (column, self->sorters[c]);
      g_object_unref (self->sorters[c]);
      gtk_column_view_append_column (self->view, column);
      self->columns[c] = column;
      g_object_unref (column);
    }
  gtk_column_view_sort_by_column (self->view, self->columns[PS_PROGRESS_WORKER], GTK_SORT_ASCENDING);
  /* the row of column titles comes first among the view's children */
  if (gtk_widget_get_first_child (GTK_WIDGET (self->view)) != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_first_child (GTK_WIDGET (self->view))),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _("Column titles"), -1);

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller),
                                  GTK_POLICY_AUTOMATIC, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), GTK_WIDGET (self->view));
  /* as tall as its rows, up to about sixteen of them; then it scrolls (and
   * the handle below it gives it more) */
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (self->scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (self->scroller), 360);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Progress"),
                                  -1);
}
