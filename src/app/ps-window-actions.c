/* ps-window-actions.c: the window's actions (win.run, win.stop, win.open,
 * win.show-view, win.toggle-form)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <glib/gi18n.h>

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
  gtk_widget_class_install_action (widget_class, "win.show-view", "s", show_view_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-form", NULL, toggle_form_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-form", NULL);
}
