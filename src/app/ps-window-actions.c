/* ps-window-actions.c: the window's actions (win.run, win.stop, win.open,
 * win.show-view, win.toggle-form)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <stdio.h>
#include <string.h>


#include <glib/gi18n.h>

#include "ps-application.h"
#include "ps-chart-image.h"
#include "ps-window-private.h"

/* Run and Stop as the session and the form allow: Run stays enabled
 * while the form is being checked (it then waits for the check). */
void
ps_window_update_actions (PsWindow *self)
{
  gboolean busy = ps_run_session_is_busy (self->session) || ps_sweep_runner_is_running (self->runner);
  gboolean can_run = !busy && (ps_batch_form_is_valid (self->batch_form) ||
                               ps_batch_form_is_checking (self->batch_form));

  gtk_widget_set_visible (self->run_button, !busy);
  gtk_widget_set_visible (self->sweep_button, !busy);
  gtk_widget_set_visible (self->stop_button, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop",
                                 busy && ps_run_session_get_state (self->session) != PS_RUN_STATE_STOPPING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-log",
                                 !busy && ps_window_log_to_export (self, NULL) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export",
                                 !busy && (ps_window_log_to_export (self, NULL) != NULL ||
                                           ps_window_sweep_to_export (self) != NULL));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run", can_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sweep", can_run);
}

static void
run_action (GtkWidget  *widget,
            const char *action,
            GVariant   *param)
{
  PsWindow *self = PS_WINDOW (widget);

  if (ps_run_session_is_busy (self->session))
    return;
  ps_batch_form_commit (self->batch_form);
  if (ps_batch_form_is_checking (self->batch_form))
    {
      /* what the form shows is checked first: the run follows */
      self->run_when_checked = TRUE;
      return;
    }
  ps_window_start_run (self);
}

static void
sweep_action (GtkWidget  *widget,
              const char *action,
              GVariant   *param)
{
  PsWindow *self = PS_WINDOW (widget);

  if (ps_run_session_is_busy (self->session) || ps_sweep_runner_is_running (self->runner))
    return;
  ps_batch_form_commit (self->batch_form);
  if (ps_batch_form_is_checking (self->batch_form))
    {
      self->sweep_when_checked = TRUE;
      return;
    }
  ps_window_start_sweep (self);
}

static void
stop_action (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  PsWindow *self = PS_WINDOW (widget);

  self->run_when_checked = FALSE;
  self->sweep_when_checked = FALSE;
  if (ps_sweep_runner_is_running (self->runner))
    ps_sweep_runner_stop (self->runner);
  else
    ps_run_session_stop (self->session);
}

static void
open_response (GtkNativeDialog *dialog,
               int              response,
               PsWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      ps_window_open_log (self, file);
    }
  g_object_unref (dialog);
}

static void
open_action (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Open Run Log"), GTK_WINDOW (widget),
                                 GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  g_autoptr(GtkFileFilter) logs = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  gtk_file_filter_set_name (logs, _("Run logs (JSON Lines)"));
  gtk_file_filter_add_pattern (logs, "*.jsonl");
  gtk_file_filter_add_pattern (logs, "*.json");
  gtk_file_filter_add_pattern (logs, "*.log");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), logs);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  /* modal: a window closed under its chooser would be called back */
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (open_response), widget, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- Save Run Log… and Export… ---------------------------------------- */

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      data)
{
  g_autoptr(PsWindow) self = data;
  g_autoptr(GError) error = NULL;

  if (!g_file_copy_finish (G_FILE (object), result, &error))
    {
      g_autofree char *msg = g_strdup_printf (_("Could not save the run log: %s"), error->message);
      ps_window_add_text_toast (self, msg, 5);
    }
  else
    ps_window_add_text_toast (self, _("Run log saved"), 3);
}

static void
save_response (GtkNativeDialog *dialog,
               int              response,
               PsWindow        *self)
{
  const char *log = ps_window_log_to_export (self, NULL);

  if (response == GTK_RESPONSE_ACCEPT && log != NULL)
    {
      g_autoptr(GFile) to = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GFile) from = g_file_new_for_path (log);

      g_file_copy_async (from, to, G_FILE_COPY_OVERWRITE, G_PRIORITY_DEFAULT, NULL, NULL, NULL,
                         saved_cb, g_object_ref (self));
    }
  g_object_unref (dialog);
}

static char *
suggested_name (PsWindow   *self,
                const char *extension)
{
  const char *log = ps_window_log_to_export (self, NULL);
  g_autofree char *base = log ? g_path_get_basename (log) : g_strdup ("run.jsonl");
  char *dot = strrchr (base, '.');

  if (dot)
    *dot = '\0';
  return g_strconcat (base, extension, NULL);
}

static void
save_log_action (GtkWidget  *widget,
                 const char *action,
                 GVariant   *param)
{
  PsWindow *self = PS_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) logs = gtk_file_filter_new ();
  g_autofree char *name = NULL;

  if (ps_window_log_to_export (self, NULL) == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Save Run Log"), GTK_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_file_filter_set_name (logs, _("Run logs (JSON Lines)"));
  gtk_file_filter_add_pattern (logs, "*.jsonl");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), logs);
  name = suggested_name (self, ".jsonl");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (save_response), widget, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static const struct
{
  const char *format;
  const char *name;      /* translatable */
  const char *pattern;
} export_formats[] = {
  { "csv", N_("CSV, a row per task attempt"), "*.csv" },
  { "joblog", N_("GNU parallel joblog"), "*.joblog" },
  { "trace", N_("Trace for Perfetto (JSON)"), "*.json" },
  { "jsonl", N_("Run log (JSON Lines)"), "*.jsonl" },
  { "timeline-png", N_("Timeline image (PNG)"), "*.png" },
  { "timeline-svg", N_("Timeline image (SVG)"), "*.svg" },
  { "timeline-pdf", N_("Timeline image (PDF)"), "*.pdf" },
  { "cpu-png", N_("CPU chart image (PNG)"), "*.png" },
  { "cpu-svg", N_("CPU chart image (SVG)"), "*.svg" },
  { "memory-png", N_("Memory chart image (PNG)"), "*.png" },
  { "memory-svg", N_("Memory chart image (SVG)"), "*.svg" },
  { "ordering-png", N_("Ordering chart image (PNG)"), "*.png" },
  { "progress-png", N_("Progress chart image (PNG)"), "*.png" },
};

/* The log Save Run Log… and Export… work on: on the History page, the
 * selected row's (*@sweep: whether it is a sweep's); else the run shown. */
const char *
ps_window_log_to_export (PsWindow *self,
                         gboolean *sweep)
{
  if (sweep)
    *sweep = FALSE;
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "history") == 0)
    {
      const char *selected = ps_history_page_get_selected_log (self->history_page);

      if (sweep && selected)
        *sweep = ps_history_page_selected_is_sweep (self->history_page);
      return selected;
    }
  return ps_run_session_get_log_path (self->session);
}

/* What Export… offers on the Sizing page, for the sweep shown. */
static const struct
{
  const char *format;
  const char *name;      /* translatable */
  const char *pattern;
} sweep_formats[] = {
  { "sweep-csv", N_("CSV, a row per worker count"), "*.csv" },
  { "sweep-json", N_("JSON, as poolscope-run sweep --json"), "*.json" },
  { "speedup-png", N_("Speedup chart (PNG)"), "*.png" },
  { "speedup-svg", N_("Speedup chart (SVG)"), "*.svg" },
  { "speedup-pdf", N_("Speedup chart (PDF)"), "*.pdf" },
  { "efficiency-png", N_("Efficiency chart (PNG)"), "*.png" },
  { "wall-png", N_("Wall time chart (PNG)"), "*.png" },
  { "throughput-png", N_("Throughput chart (PNG)"), "*.png" },
};

/* The sweep Export… works on: the one on the Sizing page when it is the
 * page shown and no sweep runs; NULL otherwise. */
PsSweep *
ps_window_sweep_to_export (PsWindow *self)
{
  if (self->sweep == NULL || ps_sweep_runner_is_running (self->runner) ||
      g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "sizing") != 0 ||
      ps_sweep_get_n_points (self->sweep) == 0)
    return NULL;
  return self->sweep;
}

/* ---- chart images: the views' own drawing, into a file ---------------- */

/* A chart of the run shown (@model) or of the sweep shown (@sweep),
 * drawn in a thread into a file. Neither changes while it is drawn: no
 * run starts, and no sweep starts or is opened (images_drawing). */
typedef struct
{
  PsRunModel       *model;
  PsRunViewKind     run_kind;
  PsSweep          *sweep;   /* the window's */
  PsSweepChartKind  sweep_kind;
  char             *type;    /* png, svg, pdf */
  char             *path;
  char             *shown;
} Image;

static void
image_free (Image *im)
{
  g_clear_object (&im->model);
  g_free (im->type);
  g_free (im->path);
  g_free (im->shown);
  g_free (im);
}

/* Drawn here, off the main loop, as `poolscope-run export --chart` draws it. */
static void
image_thread (GTask        *task,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  Image *im = data;
  GError *error = NULL;
  gboolean ok = im->model ? ps_chart_image_write_run (im->path, im->type, im->run_kind, im->model, 0, 0, &error)
                          : ps_chart_image_write_sweep (im->path, im->type, im->sweep_kind, im->sweep, 0, 0, &error);

  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
image_done (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  PsWindow *self = PS_WINDOW (object);
  Image *im = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = NULL;

  self->images_drawing--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    msg = g_strdup_printf (_("Could not export the chart: %s"), error->message);
  else
    msg = g_strdup_printf (_("Exported to %s"), im->shown);
  ps_window_add_text_toast (self, msg, 3);
}

/* Draws @im into @file in a thread (a place not on this computer is said, and @im freed). */
static void
draw_image (PsWindow *self,
            GFile    *file,
            Image    *im)
{
  g_autoptr(GTask) task = NULL;

  im->path = g_file_get_path (file);
  im->shown = g_file_get_basename (file);
  if (im->path == NULL)
    {
      image_free (im);
      ps_window_add_text_toast (self, _("Could not export the chart: the place is not on this computer"), 5);
      return;
    }
  self->images_drawing++;
  task = g_task_new (self, NULL, image_done, NULL);
  g_task_set_task_data (task, im, (GDestroyNotify) image_free);
  g_task_run_in_thread (task, image_thread);
}

/* @format: CHART-TYPE: timeline, cpu, memory, ordering or progress; png, svg or pdf */
static void
export_image (PsWindow   *self,
              GFile      *file,
              const char *format)
{
  PsRunModel *model = ps_run_session_get_model (self->session);
  Image *im;

  if (model == NULL || ps_run_session_is_busy (self->session))
    {
      ps_window_add_text_toast (self, _("Could not export the chart: there is no finished run to draw"), 5);
      return;
    }
  im = g_new0 (Image, 1);
  {
    g_autofree char *chart = g_strndup (format, strrchr (format, '-') - format);

    if (!ps_chart_run_kind_from_name (chart, &im->run_kind))
      im->run_kind = PS_RUN_VIEW_TIMELINE;
  }
  im->model = g_object_ref (model);
  im->type = g_strdup (strrchr (format, '-') + 1);
  draw_image (self, file, im);
}

static void
sweep_table_written (GObject      *object,
                     GAsyncResult *result,
                     gpointer      data)
{
  g_autoptr(PsWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = g_file_get_basename (G_FILE (object));
  g_autofree char *msg = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    msg = g_strdup_printf (_("Could not export the sweep: %s"), error->message);
  else
    msg = g_strdup_printf (_("Exported to %s"), shown);
  ps_window_add_text_toast (self, msg, 3);
}

/* The sweep shown to @file: its table (made here, a few lines; written by
 * GIO off the main loop) or a chart (drawn in a thread). */
static void
export_sweep (PsWindow   *self,
              GFile      *file,
              const char *format)
{
  PsSweep *sweep = ps_window_sweep_to_export (self);
  g_autofree char *chart = NULL;
  PsSweepChartKind kind;
  const char *dash;

  if (sweep == NULL)
    {
      ps_window_add_text_toast (self, _("Could not export the sweep: there is no finished sweep shown"), 5);
      return;
    }
  if (g_str_equal (format, "sweep-csv") || g_str_equal (format, "sweep-json"))
    {
      GString *out = g_string_new (NULL);
      g_autoptr(GBytes) bytes = NULL;

      if (g_str_equal (format, "sweep-csv"))
        ps_sweep_to_csv (sweep, out);
      else
        {
          g_autofree char *json = ps_sweep_to_json (sweep);

          g_string_append (out, json);
          g_string_append_c (out, '\n');
        }
      bytes = g_string_free_to_bytes (out);
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL,
                                           sweep_table_written, g_object_ref (self));
      return;
    }
  dash = strrchr (format, '-');
  chart = g_strndup (format, dash - format);
  if (!ps_chart_sweep_kind_from_name (chart, &kind))
    return;
  {
    Image *im = g_new0 (Image, 1);

    im->sweep = sweep;
    im->sweep_kind = kind;
    im->type = g_strdup (dash + 1);
    draw_image (self, file, im);
  }
}

typedef struct
{
  PsWindow *window;
  char     *shown;
} Export;

static void
export_free (Export *e)
{
  g_object_unref (e->window);
  g_free (e->shown);
  g_free (e);
}

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  Export *e = data;
  GSubprocess *proc = G_SUBPROCESS (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  if (!g_subprocess_communicate_utf8_finish (proc, result, NULL, &err, &error))
    {
      g_autofree char *msg = g_strdup_printf (_("Could not export the run: %s"), error->message);
      ps_window_add_text_toast (e->window, msg, 5);
    }
  else if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) > 1)
    {
      /* the engine says what went wrong, after its name */
      const char *why = err && g_str_has_prefix (err, "poolscope-run: export: ") ? err + 23 : err;
      g_autofree char *msg = g_strdup_printf (_("Could not export the run: %s"), why && *why ? g_strstrip ((char *) why)
                                                                                      : _("the exporter failed"));
      ps_window_add_text_toast (e->window, msg, 5);
    }
  else if (g_subprocess_get_exit_status (proc) == 1)
    {
      /* a log cut short: what it had is exported, and why not the rest is said */
      const char *why = err && g_str_has_prefix (err, "poolscope-run: export: ") ? err + 23 : err;
      g_autofree char *msg = g_strdup_printf (_("Exported to %s, in part: %s"), e->shown,
                                              why && *why ? g_strstrip ((char *) why) : "");
      ps_window_add_text_toast (e->window, msg, 8);
    }
  else
    {
      g_autofree char *msg = g_strdup_printf (_("Exported to %s"), e->shown);
      ps_window_add_text_toast (e->window, msg, 3);
    }
  export_free (e);
}

/**
 * ps_window_export_to:
 * @format: csv, joblog, trace or jsonl; or a chart image, CHART-TYPE
 *   (timeline-png, cpu-svg, …); or a sweep's: sweep-csv, sweep-json,
 *   speedup-png, …
 *
 * Exports the run shown (on the History page, the selected row's; on the
 * Sizing page, the sweep shown) to @file: by the engine (`poolscope-run
 * export`, in a process of its own), or a chart drawn by the views' own
 * drawing (src/draw) in a thread: the window never waits for it.
 */
void
ps_window_export_to (PsWindow   *self,
                     GFile      *file,
                     const char *format)
{
  gboolean history = g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "history") == 0;
  const char *log = ps_window_log_to_export (self, NULL);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  const char *engine = PS_IS_APPLICATION (app) ? ps_application_get_engine_path (PS_APPLICATION (app))
                                                : g_getenv ("POOLSCOPE_ENGINE");
  g_autofree char *to = g_strdup (format);
  char *chart = NULL;
  Export *e;

  /* a sweep's table or chart: the one on the Sizing page, drawn here */
  for (guint i = 0; !history && i < G_N_ELEMENTS (sweep_formats); i++)
    if (g_str_equal (format, sweep_formats[i].format))
      {
        export_sweep (self, file, format);
        return;
      }
  /* a chart of the run shown is drawn by the app's own views, in a thread */
  if (!history &&
      (g_str_has_suffix (format, "-png") || g_str_has_suffix (format, "-svg") || g_str_has_suffix (format, "-pdf")))
    {
      export_image (self, file, format);
      return;
    }
  if (log == NULL || path == NULL || engine == NULL)
    {
      ps_window_add_text_toast (self, _("Could not export the run: its log is not on this computer"), 5);
      return;
    }
  /* a History row's by the engine (poolscope-draw for a chart): "timeline-png"
   * is --to png --chart timeline, "sweep-csv" --to csv */
  if (g_str_has_prefix (to, "sweep-"))
    memmove (to, to + 6, strlen (to + 6) + 1);
  else if ((chart = strrchr (to, '-')) != NULL)
    *chart++ = '\0';
  if (chart)
    proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                             engine, "export", log, "--to", chart, "--chart", to, "-o", path, NULL);
  else
    proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                             engine, "export", log, "--to", to, "-o", path, NULL);
  if (proc == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("Could not export the run: %s"), error->message);
      ps_window_add_text_toast (self, msg, 5);
      return;
    }
  e = g_new0 (Export, 1);
  e->window = g_object_ref (self);
  e->shown = g_file_get_basename (file);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, exported_cb, e);
}

static void
export_response (GtkNativeDialog *dialog,
                 int              response,
                 PsWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      GtkFileFilter *filter = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (dialog));
      const char *format = filter ? g_object_get_data (G_OBJECT (filter), "ps-format") : NULL;
      g_autofree char *name = g_file_get_basename (file);

      gboolean sweep = g_object_get_data (G_OBJECT (dialog), "ps-sweep") != NULL;

      /* the name's extension, when the chooser kept no filter */
      for (guint i = 0; sweep && format == NULL && i < G_N_ELEMENTS (sweep_formats); i++)
        if (g_str_has_suffix (name, sweep_formats[i].pattern + 1))
          format = sweep_formats[i].format;
      for (guint i = 0; !sweep && format == NULL && i < G_N_ELEMENTS (export_formats); i++)
        if (g_str_has_suffix (name, export_formats[i].pattern + 1))
          format = export_formats[i].format;
      ps_window_export_to (self, file, format ? format : sweep ? "sweep-csv" : "csv");
    }
  g_object_unref (dialog);
}

static void
export_action (GtkWidget  *widget,
               const char *action,
               GVariant   *param)
{
  PsWindow *self = PS_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;

  gboolean sweep_row = FALSE;

  ps_window_log_to_export (self, &sweep_row);
  /* on the Sizing page, the sweep shown; on the History page, a sweep's row */
  if (ps_window_sweep_to_export (self) != NULL || sweep_row)
    {
      chooser = gtk_file_chooser_native_new (_("Export Sweep"), GTK_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_SAVE,
                                             _("_Export"), _("_Cancel"));
      for (guint i = 0; i < G_N_ELEMENTS (sweep_formats); i++)
        {
          g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

          gtk_file_filter_set_name (filter, _(sweep_formats[i].name));
          gtk_file_filter_add_pattern (filter, sweep_formats[i].pattern);
          g_object_set_data (G_OBJECT (filter), "ps-format", (gpointer) sweep_formats[i].format);
          gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
        }
      g_object_set_data (G_OBJECT (chooser), "ps-sweep", GINT_TO_POINTER (TRUE));
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "sweep.csv");
      gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
      g_signal_connect_object (chooser, "response", G_CALLBACK (export_response), widget, 0);
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
      return;
    }
  if (ps_window_log_to_export (self, NULL) == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Export Run"), GTK_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  for (guint i = 0; i < G_N_ELEMENTS (export_formats); i++)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _(export_formats[i].name));
      gtk_file_filter_add_pattern (filter, export_formats[i].pattern);
      g_object_set_data (G_OBJECT (filter), "ps-format", (gpointer) export_formats[i].format);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
    }
  name = suggested_name (self, ".csv");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (export_response), widget, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
show_view_action (GtkWidget  *widget,
                  const char *action,
                  GVariant   *param)
{
  PsWindow *self = PS_WINDOW (widget);

  if (ps_live_page_show_view (self->live_page, g_variant_get_string (param, NULL)))
    adw_view_stack_set_visible_child_name (self->view_stack, "live");
}

static void
toggle_form_action (GtkWidget  *widget,
                    const char *action,
                    GVariant   *param)
{
  PsWindow *self = PS_WINDOW (widget);

  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
}

void
ps_window_class_add_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.sweep", NULL, sweep_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.save-log", NULL, save_log_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.show-view", "s", show_view_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-form", NULL, toggle_form_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-form", NULL);
}
