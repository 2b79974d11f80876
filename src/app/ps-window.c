/* ps-window.c: the main window: the batch form, the views, the status line
 *
 * The form is checked as the user types, with the engine's own parsers:
 * a bad value is shown inline with its reason and Run is disabled. A run
 * goes through PsEngineClient to `poolscope-run --ipc`; its events update
 * the window's counters, and the widgets are refreshed from the frame
 * clock, not once per event.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <glib/gi18n.h>

#include "ps-engine-client.h"
#include "ps-spec.h"
#include "ps-window.h"

typedef struct
{
  char    *name;
  gint32   pid;
  guint64  done;
  gint64   busy_ns;
  gboolean exited;
} WorkerRow;

struct _PsWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  GtkAdjustment        *workers_adjustment;
  GtkSpinButton        *workers_spin;
  AdwComboRow          *preset_row;
  GtkStringList        *preset_list;
  AdwEntryRow          *items_row;
  AdwEntryRow          *workload_row;
  AdwEntryRow          *chunksize_row;
  AdwComboRow          *order_row;
  AdwComboRow          *start_row;
  GtkLabel             *form_error;
  GtkLabel             *status_label;
  GtkWidget            *run_button;
  GtkWidget            *stop_button;
  AdwToastOverlay      *toast_overlay;
  AdwStatusPage        *live_status;
  GtkWidget            *results_scroller;
  GtkTextView          *results_view;

  GSettings            *settings;
  PsEngineClient       *client;
  gboolean              filling;     /* the form is being filled from a preset */
  gboolean              form_ok;

  /* the current run, as its events told it */
  guint64               n_tasks;
  guint64               done;
  gint64                last_t;
  gboolean              run_ended;
  gboolean              stopping;
  char                 *run_error;
  GPtrArray            *workers;     /* WorkerRow* */
  GArray               *results;     /* gint64, map order; G_MININT64: not yet */
  GString              *output;
  gboolean              dirty;
  guint                 tick_id;
};

G_DEFINE_FINAL_TYPE (PsWindow, ps_window, ADW_TYPE_APPLICATION_WINDOW)

static gboolean is_running (PsWindow *self);

static void
worker_row_free (WorkerRow *row)
{
  g_free (row->name);
  g_free (row);
}

PsWindow *
ps_window_new (PsApplication *app)
{
  return g_object_new (PS_TYPE_WINDOW, "application", app, NULL);
}

/* Preset rows: “Custom”, then the engine's presets in its order. */
static const PsPreset *
preset_at (guint position)
{
  guint n;
  const PsPreset *presets = ps_preset_list (&n);

  return position >= 1 && position <= n ? &presets[position - 1] : NULL;
}

static void
set_form_error (PsWindow   *self,
                GtkWidget  *row,
                const char *message)
{
  if (row)
    gtk_widget_add_css_class (row, "error");
  gtk_label_set_text (self->form_error, message);
  gtk_widget_set_visible (GTK_WIDGET (self->form_error), TRUE);
}

/* Builds the spec from the form; on a bad value says which, inline. */
static PsSpec *
spec_from_form (PsWindow  *self,
                GError   **error)
{
  g_autoptr(PsSpec) spec = ps_spec_new ();
  const char *chunks = gtk_editable_get_text (GTK_EDITABLE (self->chunksize_row));
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (args, g_strdup ("--items"));
  g_ptr_array_add (args, g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->items_row))));
  g_ptr_array_add (args, g_strdup ("--workload"));
  g_ptr_array_add (args, g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->workload_row))));
  g_ptr_array_add (args, g_strdup ("--workers"));
  g_ptr_array_add (args, g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (self->workers_spin)));
  g_ptr_array_add (args, g_strdup ("--chunksize"));
  g_ptr_array_add (args, g_strdup (*chunks == '\0' || g_ascii_strcasecmp (chunks, _("auto")) == 0
                                   ? "auto" : chunks));
  g_ptr_array_add (args, g_strdup ("--order"));
  g_ptr_array_add (args, g_strdup (adw_combo_row_get_selected (self->order_row) == 1 ? "unordered" : "map"));
  g_ptr_array_add (args, g_strdup ("--start"));
  g_ptr_array_add (args, g_strdup (adw_combo_row_get_selected (self->start_row) == 1 ? "spawn" : "fork"));

  if (g_str_equal (gtk_editable_get_text (GTK_EDITABLE (self->items_row)), "-"))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Items: the app cannot read standard input; use @FILE"));
      return NULL;
    }
  if (!ps_spec_parse_args (spec, args->len, (char **) args->pdata, error) ||
      !ps_spec_finish (spec, error))
    return NULL;
  return g_steal_pointer (&spec);
}

static void
validate_form (PsWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsSpec) spec = NULL;
  GtkWidget *rows[] = { GTK_WIDGET (self->items_row), GTK_WIDGET (self->workload_row),
                        GTK_WIDGET (self->chunksize_row) };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    gtk_widget_remove_css_class (rows[i], "error");
  gtk_widget_set_visible (GTK_WIDGET (self->form_error), FALSE);

  spec = spec_from_form (self, &error);
  self->form_ok = spec != NULL;
  if (!self->form_ok)
    {
      GtkWidget *row = NULL;

      if (g_str_has_prefix (error->message, "--items") || g_str_has_prefix (error->message, "Items"))
        row = GTK_WIDGET (self->items_row);
      else if (g_str_has_prefix (error->message, "--workload"))
        row = GTK_WIDGET (self->workload_row);
      else if (g_str_has_prefix (error->message, "--chunksize"))
        row = GTK_WIDGET (self->chunksize_row);
      set_form_error (self, row, error->message);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run",
                                 self->form_ok && !is_running (self));
}

static void
form_changed (PsWindow *self)
{
  if (self->filling)
    return;
  /* an edit by hand makes the batch a custom one */
  if (adw_combo_row_get_selected (self->preset_row) != 0)
    {
      self->filling = TRUE;
      adw_combo_row_set_selected (self->preset_row, 0);
      self->filling = FALSE;
    }
  validate_form (self);
}

static void
apply_preset (PsWindow       *self,
              const PsPreset *preset)
{
  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->items_row), preset->items);
  gtk_editable_set_text (GTK_EDITABLE (self->workload_row), preset->workload);
  gtk_spin_button_set_value (self->workers_spin, preset->workers);
  gtk_editable_set_text (GTK_EDITABLE (self->chunksize_row), _("auto"));
  adw_combo_row_set_selected (self->order_row, preset->order == PS_ORDER_UNORDERED ? 1 : 0);
  adw_combo_row_set_selected (self->start_row, 0);
  self->filling = FALSE;
  validate_form (self);
}

static void
preset_selected (PsWindow *self)
{
  const PsPreset *preset;

  if (self->filling)
    return;
  preset = preset_at (adw_combo_row_get_selected (self->preset_row));
  if (preset)
    apply_preset (self, preset);
}

void
ps_window_set_preset (PsWindow   *self,
                      const char *name)
{
  guint n;
  const PsPreset *presets = ps_preset_list (&n);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (presets[i].name, name))
      adw_combo_row_set_selected (self->preset_row, i + 1);
}

void
ps_window_set_workers (PsWindow *self,
                       guint     workers)
{
  gtk_spin_button_set_value (self->workers_spin, workers);
}

void
ps_window_set_items (PsWindow   *self,
                     const char *items)
{
  gtk_editable_set_text (GTK_EDITABLE (self->items_row), items);
}

void
ps_window_set_workload (PsWindow   *self,
                        const char *workload)
{
  gtk_editable_set_text (GTK_EDITABLE (self->workload_row), workload);
}

static WorkerRow *
worker_for (PsWindow      *self,
            const PsEvent *e)
{
  for (guint i = 0; i < self->workers->len; i++)
    {
      WorkerRow *row = g_ptr_array_index (self->workers, i);
      if (row->pid == e->pid && g_strcmp0 (row->name, e->name) == 0)
        return row;
    }
  if (e->name == NULL)
    return NULL;
  {
    WorkerRow *row = g_new0 (WorkerRow, 1);
    row->name = g_strdup (e->name);
    row->pid = e->pid;
    g_ptr_array_add (self->workers, row);
    return row;
  }
}

static void
render (PsWindow *self)
{
  g_autofree char *status = NULL;
  GString *text = g_string_new (NULL);
  double secs = self->last_t / 1e9;

  /* numbers as text first: a 64-bit format macro cannot stand in a msgid */
  char done[24], total[24];

  g_snprintf (done, sizeof done, "%" G_GUINT64_FORMAT, self->done);
  g_snprintf (total, sizeof total, "%" G_GUINT64_FORMAT, self->n_tasks);
  if (self->run_error)
    status = g_strdup (self->run_error);
  else if (!self->run_ended)
    status = g_strdup_printf (_("Running: %s of %s tasks"), done, total);
  else if (self->stopping)
    status = g_strdup_printf (_("Stopped after %s of %s tasks"), done, total);
  else
    status = g_strdup_printf (_("Finished: %s tasks in %.2f s"), done, secs);
  gtk_label_set_text (self->status_label, status);

  g_string_append_printf (text, "%s\n", _("Workers"));
  for (guint i = 0; i < self->workers->len; i++)
    {
      WorkerRow *row = g_ptr_array_index (self->workers, i);
      g_string_append_printf (text, "  %s (pid %d): %" G_GUINT64_FORMAT " %s%s\n", row->name, row->pid,
                              row->done, _("tasks done"), row->exited ? _(", exited") : "");
    }
  if (self->output->len > 0)
    g_string_append_printf (text, "\n%s\n%s", _("Output"), self->output->str);
  g_string_append_printf (text, "\n%s\n[", _("Results"));
  for (guint i = 0; i < self->results->len && i < 10000; i++)
    {
      gint64 v = g_array_index (self->results, gint64, i);
      if (i > 0)
        g_string_append (text, ", ");
      if (v == G_MININT64)
        g_string_append (text, "…");
      else
        g_string_append_printf (text, "%" G_GINT64_FORMAT, v);
    }
  g_string_append (text, self->results->len > 10000 ? ", …]" : "]");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->results_view), text->str, -1);
  g_string_free (text, TRUE);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  PsWindow *self = PS_WINDOW (widget);

  if (self->dirty)
    {
      self->dirty = FALSE;
      render (self);
    }
  if (self->run_ended || self->run_error)
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_event (PsEngineClient *client,
          const PsEvent  *e,
          PsWindow       *self)
{
  WorkerRow *row;

  self->last_t = MAX (self->last_t, e->t);
  switch (e->type)
    {
    case PS_EVENT_RUN_START:
      self->n_tasks = e->n_tasks;
      g_array_set_size (self->results, 0);
      if (e->n_tasks <= 100000)
        {
          gint64 none = G_MININT64;
          for (guint64 i = 0; i < e->n_tasks; i++)
            g_array_append_val (self->results, none);
        }
      break;
    case PS_EVENT_WORKER_START:
      worker_for (self, e);
      break;
    case PS_EVENT_WORKER_EXIT:
      if ((row = worker_for (self, e)))
        row->exited = TRUE;
      if (e->signal != 0 && !self->stopping)
        {
          g_autofree char *msg = g_strdup_printf (_("%s died: %s"), e->name, e->message ? e->message : "");
          adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (msg));
        }
      break;
    case PS_EVENT_TASK_END:
      if (e->retry)
        break;
      self->done++;
      if ((row = worker_for (self, e)))
        {
          row->done++;
          row->busy_ns += e->end - e->start;
        }
      if (e->task < self->results->len && e->status == PS_TASK_OK)
        g_array_index (self->results, gint64, e->task) =
          e->result_kind == PS_RESULT_INT ? e->result_int : (gint64) e->task;
      break;
    case PS_EVENT_OUTPUT:
      if (self->output->len < 1 << 20)
        g_string_append_printf (self->output, "[%s] %s\n", e->name, e->text);
      break;
    case PS_EVENT_RUN_END:
      self->run_ended = TRUE;
      break;
    case PS_EVENT_TASK_START:
    case PS_EVENT_SAMPLE:
    case PS_EVENT_N_TYPES:
    default:
      break;
    }
  self->dirty = TRUE;
}

static void
set_running (PsWindow *self,
             gboolean  running)
{
  gtk_widget_set_visible (self->run_button, !running);
  gtk_widget_set_visible (self->stop_button, running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run", !running && self->form_ok);
}

static void
on_failed (PsEngineClient *client,
           const char     *message,
           PsWindow       *self)
{
  g_free (self->run_error);
  self->run_error = g_strdup (message);
  self->dirty = TRUE;
  render (self);
}

static void
on_finished (PsEngineClient *client,
             PsWindow       *self)
{
  set_running (self, FALSE);
  render (self);
}

static void
save_batch (PsWindow *self)
{
  const PsPreset *preset = preset_at (adw_combo_row_get_selected (self->preset_row));

  g_settings_set_string (self->settings, "last-preset", preset ? preset->name : "");
  g_settings_set_string (self->settings, "last-items", gtk_editable_get_text (GTK_EDITABLE (self->items_row)));
  g_settings_set_string (self->settings, "last-workload", gtk_editable_get_text (GTK_EDITABLE (self->workload_row)));
  g_settings_set_int (self->settings, "last-workers", gtk_spin_button_get_value_as_int (self->workers_spin));
}

/* The engine starts with the first run: the application is known by then. */
static PsEngineClient *
get_client (PsWindow *self)
{
  if (self->client == NULL)
    {
      GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
      const char *engine = PS_IS_APPLICATION (app)
                           ? ps_application_get_engine_path (PS_APPLICATION (app))
                           : BINDIR "/poolscope-run";

      self->client = ps_engine_client_new (engine);
      g_signal_connect_object (self->client, "event", G_CALLBACK (on_event), self, 0);
      g_signal_connect_object (self->client, "failed", G_CALLBACK (on_failed), self, 0);
      g_signal_connect_object (self->client, "finished", G_CALLBACK (on_finished), self, 0);
    }
  return self->client;
}

static gboolean
is_running (PsWindow *self)
{
  return self->client != NULL && ps_engine_client_is_running (self->client);
}

static void
run_action (GtkWidget  *widget,
            const char *action,
            GVariant   *param)
{
  PsWindow *self = PS_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsSpec) spec = spec_from_form (self, &error);
  g_autoptr(GPtrArray) args = NULL;

  if (spec == NULL)
    {
      validate_form (self);
      return;
    }
  args = ps_spec_to_args (spec);
  g_ptr_array_add (args, NULL);

  self->n_tasks = ps_spec_get_n_tasks (spec);
  self->done = 0;
  self->last_t = 0;
  self->run_ended = FALSE;
  self->stopping = FALSE;
  g_clear_pointer (&self->run_error, g_free);
  g_ptr_array_set_size (self->workers, 0);
  g_array_set_size (self->results, 0);
  g_string_truncate (self->output, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->live_status), FALSE);
  gtk_widget_set_visible (self->results_scroller, TRUE);

  if (!ps_engine_client_run (get_client (self), (const char * const *) args->pdata, &error))
    {
      on_failed (self->client, error->message, self);
      return;
    }
  save_batch (self);
  set_running (self, TRUE);
  self->dirty = TRUE;
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

static void
stop_action (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  PsWindow *self = PS_WINDOW (widget);

  if (!is_running (self))
    return;
  self->stopping = TRUE;
  ps_engine_client_cancel (self->client);
}

void
ps_window_open_log (PsWindow *self,
                    GFile    *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *msg = g_strdup_printf (_("Replaying saved runs is not available yet (%s)"), name);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (msg));
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

  g_signal_connect (chooser, "response", G_CALLBACK (open_response), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
ps_window_constructed (GObject *object)
{
  PsWindow *self = PS_WINDOW (object);
  g_autofree char *preset = NULL;
  int workers;

  G_OBJECT_CLASS (ps_window_parent_class)->constructed (object);


  /* the last batch, or the square preset the first time */
  preset = g_settings_get_string (self->settings, "last-preset");
  if (*preset && ps_preset_lookup (preset))
    ps_window_set_preset (self, preset);
  else
    {
      g_autofree char *items = g_settings_get_string (self->settings, "last-items");
      g_autofree char *workload = g_settings_get_string (self->settings, "last-workload");

      self->filling = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->items_row), items);
      gtk_editable_set_text (GTK_EDITABLE (self->workload_row), workload);
      gtk_editable_set_text (GTK_EDITABLE (self->chunksize_row), _("auto"));
      self->filling = FALSE;
    }
  workers = g_settings_get_int (self->settings, "last-workers");
  if (workers <= 0 || (*preset && ps_preset_lookup (preset)))
    workers = (*preset && ps_preset_lookup (preset)) ? (int) ps_preset_lookup (preset)->workers
                                                      : (int) ps_spec_default_workers ();
  gtk_spin_button_set_value (self->workers_spin, MIN (workers, 256));
  validate_form (self);
  set_running (self, FALSE);
}

static void
ps_window_dispose (GObject *object)
{
  PsWindow *self = PS_WINDOW (object);

  if (self->tick_id)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  if (self->client)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), PS_TYPE_WINDOW);
  G_OBJECT_CLASS (ps_window_parent_class)->dispose (object);
}

static void
ps_window_finalize (GObject *object)
{
  PsWindow *self = PS_WINDOW (object);

  g_clear_object (&self->settings);
  g_ptr_array_unref (self->workers);
  g_array_unref (self->results);
  g_string_free (self->output, TRUE);
  g_free (self->run_error);
  G_OBJECT_CLASS (ps_window_parent_class)->finalize (object);
}

static void
ps_window_class_init (PsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ps_window_constructed;
  object_class->dispose = ps_window_dispose;
  object_class->finalize = ps_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/poolscope/Poolscope/ps-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PsWindow, workers_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, preset_row);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, preset_list);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, items_row);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, workload_row);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, chunksize_row);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, order_row);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, start_row);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, form_error);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, live_status);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, results_scroller);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, results_view);

  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
}

static void
ps_window_init (PsWindow *self)
{
  guint n;
  const PsPreset *presets = ps_preset_list (&n);

  self->workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_row_free);
  self->results = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->output = g_string_new (NULL);
  self->settings = g_settings_new (APP_ID);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_string_list_append (self->preset_list, _("Custom"));
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (self->preset_list, _(presets[i].title));

  gtk_adjustment_set_value (self->workers_adjustment, ps_spec_default_workers ());
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_swapped (self->preset_row, "notify::selected", G_CALLBACK (preset_selected), self);
  g_signal_connect_swapped (self->items_row, "changed", G_CALLBACK (form_changed), self);
  g_signal_connect_swapped (self->workload_row, "changed", G_CALLBACK (form_changed), self);
  g_signal_connect_swapped (self->chunksize_row, "changed", G_CALLBACK (validate_form), self);
  g_signal_connect_swapped (self->workers_spin, "value-changed", G_CALLBACK (validate_form), self);
  g_signal_connect_swapped (self->order_row, "notify::selected", G_CALLBACK (validate_form), self);
  g_signal_connect_swapped (self->start_row, "notify::selected", G_CALLBACK (validate_form), self);
}
