/* ps-window.c: the main window: a batch form, three pages, a status line
 *
 * The window puts the pieces together: PsBatchForm (the batch, checked
 * off the main loop) in a flap that folds over the pages in a narrow
 * window, the pages in an AdwViewStack (a switcher in the header, or at
 * the bottom when narrow), and a PsRunSession that runs the batch and
 * holds the model the pages draw. The frame clock renders: the charts at
 * their own pace, and every number on screen — the Live page's summary
 * and table, the status line — in one pass from the same counters.
 * The actions are in ps-window-actions.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>

#include "ps-format.h"
#include "ps-run-draw.h"
#include "ps-history.h"
#include "ps-window-private.h"

#define RENDER_INTERVAL_US (100 * 1000)
/* numbers that only count up are read, not watched: four times a second
 * once a run has gone on for a while */
#define TEXT_INTERVAL_US (250 * 1000)
/* while a sweep runs and its page is shown, the run under way is not
 * watched: the window renders once a second, so that it does not take
 * from the runs the CPU they are measured on */
#define SWEEP_RENDER_INTERVAL_US G_USEC_PER_SEC
/* below this width the window is narrow: the ordering page stacks */
#define NARROW_WIDTH 720

G_DEFINE_FINAL_TYPE (PsWindow, ps_window, ADW_TYPE_APPLICATION_WINDOW)

PsWindow *
ps_window_new (PsApplication *app)
{
  return g_object_new (PS_TYPE_WINDOW, "application", app, NULL);
}

void
ps_window_set_preset (PsWindow   *self,
                      const char *name)
{
  ps_batch_form_set_preset (self->batch_form, name);
}

void
ps_window_set_workers (PsWindow *self,
                       guint     workers)
{
  ps_batch_form_set_workers (self->batch_form, workers);
}

void
ps_window_set_items (PsWindow   *self,
                     const char *items)
{
  ps_batch_form_set_items (self->batch_form, items);
}

void
ps_window_set_chunksize (PsWindow   *self,
                         const char *chunksize)
{
  ps_batch_form_set_chunksize (self->batch_form, chunksize);
}

void
ps_window_set_hosts (PsWindow   *self,
                     const char *hosts)
{
  ps_batch_form_set_hosts (self->batch_form, hosts);
}

void
ps_window_set_workload (PsWindow   *self,
                        const char *workload)
{
  ps_batch_form_set_workload (self->batch_form, workload);
}

/* The status line: the state in words, with the counts the Live page
 * shows in the same frame. */
static void
update_status (PsWindow *self)
{
  PsRunModel *m = ps_run_session_get_model (self->session);
  PsRunState state = ps_run_session_get_state (self->session);
  g_autofree char *status = NULL;
  g_autoptr(GString) extra = g_string_new (NULL);
  char done[32], total[32], wall[32];
  /* plural forms follow the total: "3 of 1 task" cannot happen */
  gulong n_total = (gulong) MIN (ps_run_model_get_n_tasks (m), G_MAXULONG);

  /* a log being read says so, until it is shown (or stopped) */
  if (self->opening_id != 0 && self->opening && !g_cancellable_is_cancelled (self->opening))
    {
      /* Translators: the status line while a run log is read; %s is its file name */
      g_autofree char *reading = g_strdup_printf (_("Opening %s…"),
                                                  (const char *) g_object_get_data (G_OBJECT (self->opening),
                                                                                    "ps-name"));

      gtk_label_set_text (self->status_label, reading);
      return;
    }
  /* cancelled tasks were never done */
  ps_format_count_buf (ps_run_model_get_n_finished (m), done, sizeof done);
  ps_format_count_buf (ps_run_model_get_n_tasks (m), total, sizeof total);
  ps_format_duration_buf (ps_run_model_get_wall (m), wall, sizeof wall);
  for (PsTaskStatus st = PS_TASK_ERROR; st < PS_TASK_N_STATUS; st++)
    if (st != PS_TASK_CANCELLED && ps_run_model_get_n_status (m, st) > 0)
      ps_append_status_count (extra, st, ps_run_model_get_n_status (m, st));
  if (ps_run_model_get_n_retried (m) > 0)
    {
      guint64 retried = ps_run_model_get_n_retried (m);
      char n[32];

      ps_format_count_buf (retried, n, sizeof n);
      g_string_append_printf (extra, ngettext (", %s attempt retried", ", %s attempts retried",
                                               (gulong) MIN (retried, G_MAXULONG)), n);
    }
  if (extra->len > 0)
    {
      /* “, 2 crashed, 1 timeout” becomes “ — 2 crashed, 1 timeout” */
      g_string_erase (extra, 0, 1);
      g_string_prepend (extra, " —");
    }

  if (ps_run_model_get_error (m))
    status = g_strdup_printf (ngettext ("Error: %s (%s of %s task was recorded)",
                                        "Error: %s (%s of %s tasks were recorded)", n_total),
                              ps_run_model_get_error (m), done, total);
  else if (!ps_run_model_has_run (m) && ps_run_session_was_stopped (self->session) &&
           state == PS_RUN_STATE_IDLE)
    status = g_strdup (_("Stopped before the run started"));
  else if (!ps_run_model_has_run (m) && state == PS_RUN_STATE_IDLE)
    status = g_strdup (_("Ready"));
  else if (!ps_run_model_has_run (m))
    status = g_strdup (state == PS_RUN_STATE_STOPPING ? _("Stopping…")
                       /* each host says its version and clock before the run begins */
                       : ps_run_session_is_on_hosts (self->session) ? _("Connecting to the hosts…")
                       : _("Starting…"));
  else if (!ps_run_model_is_ended (m))
    status = state == PS_RUN_STATE_STOPPING
             ? g_strdup_printf (ngettext ("Stopping: %s of %s task", "Stopping: %s of %s tasks", n_total), done, total)
             : g_strdup_printf (ngettext ("Running: %s of %s task", "Running: %s of %s tasks", n_total), done, total);
  else if (ps_run_model_is_cancelled (m))
    status = g_strdup_printf (ngettext ("Stopped after %s of %s task", "Stopped after %s of %s tasks", n_total),
                              done, total);
  else
    status = g_strdup_printf (ngettext ("Finished: %s task in %s", "Finished: %s tasks in %s",
                                        (gulong) MIN (ps_run_model_get_n_finished (m), G_MAXULONG)),
                              done, wall);
  if (ps_run_session_get_source (self->session))
    {
      g_autofree char *with = g_strdup_printf (_("%s (replayed from %s)"), status,
                                               ps_run_session_get_source (self->session));
      g_free (status);
      status = g_steal_pointer (&with);
    }
  g_string_prepend (extra, status);
  if (g_strcmp0 (gtk_label_get_text (self->status_label), extra->str) != 0)
    gtk_label_set_text (self->status_label, extra->str);
}

static gint64
render_interval (PsWindow *self)
{
  if (ps_sweep_runner_is_running (self->runner) &&
      g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "live") != 0)
    return SWEEP_RENDER_INTERVAL_US;
  return RENDER_INTERVAL_US;
}

/* Whether the numbers are made again in this frame: at once early in a
 * run, when it ends or fails, else at TEXT_INTERVAL_US. */
static gboolean
texts_due (PsWindow *self)
{
  PsRunModel *m = ps_run_session_get_model (self->session);

  if (render_interval (self) > RENDER_INTERVAL_US)
    return g_get_monotonic_time () - self->texts_at >= SWEEP_RENDER_INTERVAL_US;
  return !ps_run_model_has_run (m) || ps_run_model_is_ended (m) || ps_run_model_get_error (m) ||
         ps_run_model_get_now (m) < 5 * G_GINT64_CONSTANT (1000000000) ||
         ps_run_session_get_state (self->session) != PS_RUN_STATE_RUNNING ||
         g_get_monotonic_time () - self->texts_at >= TEXT_INTERVAL_US;
}

void
ps_window_render (PsWindow *self)
{
  PsRunModel *m = ps_run_session_get_model (self->session);
  gboolean texts = texts_due (self);
  gboolean all_shown;

  if (texts)
    {
      self->texts_at = g_get_monotonic_time ();
      update_status (self);
    }
  all_shown = ps_live_page_render (self->live_page, texts) && texts;
  /* a view that waits for its pace is asked again on a later tick */
  self->rendered_serial = all_shown ? ps_run_model_get_serial (m) : G_MAXUINT64;
}


static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  PsWindow *self = PS_WINDOW (widget);
  PsRunModel *m = ps_run_session_get_model (self->session);
  gint64 t = gdk_frame_clock_get_frame_time (clock);

  if (ps_run_session_is_busy (self->session))
    ps_frame_stats_frame (self->frame_stats, t);
  /* Ten redraws a second while a run pours in: each one lays out and
   * paints the views, and a million tasks a second must not wait for it. */
  if (ps_run_model_get_serial (m) != self->rendered_serial && t - self->rendered_at >= render_interval (self))
    {
      self->rendered_at = t;
      ps_window_render (self);
    }
  if (!ps_run_session_is_busy (self->session) && self->rendered_serial == ps_run_model_get_serial (m))
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
ensure_ticking (PsWindow *self)
{
  self->rendered_serial = G_MAXUINT64;
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

/* A toast of plain text: libadwaita 1.2 reads a toast's title as markup,
 * and a message that holds a "<" (json-glib's "<data>") or a "&" would
 * show as an empty toast with a warning. */
AdwToast *
ps_window_add_text_toast (PsWindow   *self,
                          const char *text,
                          guint       timeout)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, timeout);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  return toast;
}

static void
death_toast_dismissed (PsWindow *self)
{
  self->death_toast = NULL;
  self->deaths = 0;
}

/* One toast for deaths close together: a kill storm is one piece of news. */
static void
worker_died (PsWindow   *self,
             const char *name,
             const char *message)
{
  g_autofree char *title = NULL;

  self->deaths++;
  if (self->deaths == 1)
    title = g_strdup_printf (_("%s died (%s); a new worker takes over"), name,
                             message ? message : _("killed"));
  else
    title = g_strdup_printf (ngettext ("%u worker died; the pool replaced it",
                                       "%u workers died; the pool replaced each of them",
                                       self->deaths), self->deaths);
  if (self->death_toast)
    {
      g_autofree char *escaped = g_markup_escape_text (title, -1);
      adw_toast_set_title (self->death_toast, escaped);
    }
  else
    {
      self->death_toast = ps_window_add_text_toast (self, title, 6);
      g_signal_connect_object (self->death_toast, "dismissed", G_CALLBACK (death_toast_dismissed),
                               self, G_CONNECT_SWAPPED);
    }
}

static void
notice (PsWindow   *self,
        const char *message)
{
  ps_window_add_text_toast (self, message, 10);
}

static void
session_state_changed (PsWindow *self)
{
  PsRunState state = ps_run_session_get_state (self->session);

  ps_window_update_actions (self);
  ps_batch_form_set_running (self->batch_form,
                             state == PS_RUN_STATE_IDLE ? 0 : ps_run_session_get_pool_size (self->session));
  ensure_ticking (self);
}

static void
session_finished (PsWindow *self)
{
  /* the end of a run is news, sweep or not */
  self->texts_at = 0;
  ps_window_render (self);
  /* its kept log joins the History */
  ps_history_page_reload (self->history_page);
  if (ps_frame_stats_run_finished (self->frame_stats, ps_run_session_get_model (self->session)))
    g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));
}

static void
session_model_changed (PsWindow *self)
{
  ps_live_page_set_model (self->live_page, ps_run_session_get_model (self->session));
  ensure_ticking (self);
  /* a replayed log can be saved and exported */
  ps_window_update_actions (self);
}

/* The form's spec goes to the session; the pages show the new run. */
void
ps_window_start_run (PsWindow *self)
{
  g_autoptr(PsSpec) spec = ps_batch_form_dup_spec (self->batch_form);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  self->run_when_checked = FALSE;
  if (spec == NULL || ps_run_session_is_busy (self->session))
    return;
  if (self->images_drawing > 0)
    {
      ps_window_add_text_toast (self, _("A chart of the last run is being exported: run again in a moment"), 3);
      return;
    }
  if (PS_IS_APPLICATION (app))
    ps_run_session_set_engine_path (self->session, ps_application_get_engine_path (PS_APPLICATION (app)));
  g_cancellable_cancel (self->opening);
  ps_frame_stats_run_started (self->frame_stats);
  /* each run keeps its log, for Save and Export (the settings say where, how many) */
  if (g_settings_get_boolean (self->settings, "keep-runs"))
    {
      g_autofree char *history = ps_history_default_dir ();
      g_autofree char *dir = g_build_filename (history, "runs", NULL);

      ps_run_session_set_keep (self->session, dir, g_settings_get_int (self->settings, "kept-runs"),
                               (guint64) g_settings_get_int (self->settings, "kept-megabytes") << 20);
    }
  else
    ps_run_session_set_keep (self->session, NULL, 0, 0);
  ps_run_session_start (self->session, spec);
  ps_batch_form_save (self->batch_form);
  ps_live_page_show_run (self->live_page);
  adw_view_stack_set_visible_child_name (self->view_stack, "live");
  ps_window_render (self);
}

/* The form's spec over the Sizing page's worker counts: a sweep, run by
 * the runner through the session (the Live page shows each run). */
void
ps_window_start_sweep (PsWindow *self)
{
  g_autoptr(PsSpec) spec = ps_batch_form_dup_spec (self->batch_form);
  g_autoptr(GArray) counts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *usable_why = NULL;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  guint reps, usable = ps_sweep_usable_cpus (&usable_why);

  self->sweep_when_checked = FALSE;
  if (spec == NULL || ps_run_session_is_busy (self->session) || ps_sweep_runner_is_running (self->runner))
    return;
  if (self->images_drawing > 0)
    {
      ps_window_add_text_toast (self, _("A chart of the last run is being exported: sweep again in a moment"), 3);
      return;
    }
  adw_view_stack_set_visible_child_name (self->view_stack, "sizing");
  /* over hosts: their slots are the CPUs "auto" goes up to, when known */
  if (spec->hosts != NULL)
    {
      g_autofree char *hosts_why = NULL;
      guint slots = ps_sweep_hosts_cpus (spec, &hosts_why);

      if (slots > 0)
        {
          usable = slots;
          g_free (usable_why);
          usable_why = g_steal_pointer (&hosts_why);
        }
    }
  if (!ps_sizing_page_get_request (self->sizing_page, usable, &counts, &reps, &error))
    return; /* said on the page */
  if (PS_IS_APPLICATION (app))
    ps_run_session_set_engine_path (self->session, ps_application_get_engine_path (PS_APPLICATION (app)));
  ps_sizing_page_set_sweep (self->sizing_page, NULL);
  g_clear_pointer (&self->sweep, ps_sweep_free);
  self->sweep = ps_sweep_new (spec, (guint *) counts->data, counts->len, reps, TRUE, spec->seed);
  ps_sweep_set_usable_cpus (self->sweep, usable, usable_why);
  ps_batch_form_save (self->batch_form);
  ps_live_page_show_run (self->live_page);
  ps_sizing_page_set_sweep (self->sizing_page, self->sweep);
  {
    /* the sweep is kept too, as runs are (the settings say where, whether) */
    PsSweepRecord *record = NULL;

    if (g_settings_get_boolean (self->settings, "keep-runs"))
      {
        g_autofree char *history = ps_history_default_dir ();
        g_autofree char *dir = g_build_filename (history, "runs", NULL);
        g_autofree char *path = NULL;
        g_autoptr(GError) keep_error = NULL;

        if (g_mkdir_with_parents (dir, 0700) != 0 || !(path = ps_history_make_log_file (dir, &keep_error)) ||
            !(record = ps_sweep_record_new (path, &keep_error)))
          {
            g_autofree char *msg = g_strdup_printf (_("This sweep is not kept: %s"),
                                                    keep_error ? keep_error->message : g_strerror (errno));
            ps_window_add_text_toast (self, msg, 5);
          }
      }
    ps_sweep_runner_start_kept (self->runner, self->sweep, record);
  }
  ps_sizing_page_update (self->sizing_page, TRUE, 0, FALSE);
  ps_window_update_actions (self);
}

static void
sweep_run_started (PsWindow *self,
                   guint     index)
{
  ps_sizing_page_update (self->sizing_page, TRUE, index, FALSE);
  ps_window_update_actions (self);
}

static void
sweep_run_done (PsWindow *self,
                guint     index)
{
  ps_sizing_page_update (self->sizing_page, TRUE, index + 1, FALSE);
}

static void
sweep_finished (PsWindow *self,
                gboolean  stopped)
{
  const char *failure = ps_sweep_runner_get_failure (self->runner);

  ps_sizing_page_update (self->sizing_page, FALSE, 0, stopped);
  if (failure)
    {
      g_autofree char *text = g_strdup_printf (_("The sweep ended: a run failed: %s"), failure);

      ps_sizing_page_set_failure (self->sizing_page, text);
    }
  self->texts_at = 0;
  ps_window_render (self);
  ps_window_update_actions (self);
}

/* Workers changed while one run goes on: its pool grows or shrinks now,
 * as GNU parallel's -j procfile lets it (a sweep keeps its own sizes). */
static void
workers_changed (PsWindow *self,
                 guint     workers)
{
  if (ps_sweep_runner_is_running (self->runner) ||
      ps_run_session_get_state (self->session) != PS_RUN_STATE_RUNNING)
    return;
  ps_run_session_resize (self->session, workers);
  ps_batch_form_set_running (self->batch_form, workers);
}

static void
use_size (PsWindow *self,
          guint     workers)
{
  g_autofree char *text = g_strdup_printf (ngettext ("Workers set to %u, for the next run",
                                                     "Workers set to %u, for the next run", workers), workers);

  /* for the next run: not a resize of one going on */
  g_signal_handlers_block_by_func (self->batch_form, workers_changed, self);
  ps_batch_form_set_workers (self->batch_form, workers);
  g_signal_handlers_unblock_by_func (self->batch_form, workers_changed, self);
  ps_window_add_text_toast (self, text, 3);
}


static void
form_checked (PsWindow *self)
{
  ps_window_update_actions (self);
  if (self->run_when_checked)
    {
      self->run_when_checked = FALSE;
      if (ps_batch_form_is_valid (self->batch_form))
        ps_window_start_run (self);
    }
  else if (self->sweep_when_checked)
    {
      self->sweep_when_checked = FALSE;
      if (ps_batch_form_is_valid (self->batch_form))
        ps_window_start_sweep (self);
    }
}

/* POOLSCOPE_FRAME_STATS: an opened log counts as shown once the frame
 * after its reading is painted. */
static void
replay_painted (GdkFrameClock *clock,
                PsWindow      *self)
{
  g_signal_handlers_disconnect_by_func (clock, replay_painted, self);
  if (ps_frame_stats_run_finished (self->frame_stats, ps_run_session_get_model (self->session)))
    g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));
}

/* The bar saying how much of a log is read: shown once the reading has
 * taken half a second, moved ten times a second, hidden when it ends. */
static gboolean
opening_tick (gpointer data)
{
  PsWindow *self = data;

  if (g_get_monotonic_time () - self->opening_since >= G_USEC_PER_SEC / 2)
    {
      gtk_progress_bar_set_fraction (self->opening_progress,
                                     ps_run_session_get_replay_fraction (self->session));
      gtk_widget_set_visible (GTK_WIDGET (self->opening_revealer), TRUE);
      gtk_revealer_set_reveal_child (self->opening_revealer, TRUE);
    }
  return G_SOURCE_CONTINUE;
}

static void
opening_ended (PsWindow *self)
{
  g_clear_handle_id (&self->opening_id, g_source_remove);
  update_status (self);
  /* gone, for screen readers too (a folded revealer's child stays in the tree) */
  if (self->opening_revealer)
    {
      gtk_revealer_set_reveal_child (self->opening_revealer, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->opening_revealer), FALSE);
    }
}

static void
opening_stop_clicked (PsWindow *self)
{
  g_cancellable_cancel (self->opening);
  opening_ended (self);
}

static void
replay_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(PsWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  PsSweep *sweep = NULL;
  gboolean ok = ps_run_session_replay_finish (PS_RUN_SESSION (source), result, &problem, &sweep, &error);

  /* a newer opening has its own bar */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    opening_ended (self);

  if (!ok)
    {
      g_autofree char *name = NULL;
      g_autofree char *msg = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->session == NULL)
        return;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
        {
          ps_window_add_text_toast (self, error->message, 5);
          return;
        }
      name = g_strdup (self->opening ? g_object_get_data (G_OBJECT (self->opening), "ps-name") : NULL);
      msg = g_strdup_printf (_("Could not open %s: %s"), name, error->message);
      ps_window_add_text_toast (self, msg, 0);
      return;
    }
  if (sweep)
    {
      /* a sweep's log: the sweep, on the Sizing page (a sweep under way, or
       * one being drawn into an image, keeps it) */
      if (ps_sweep_runner_is_running (self->runner) || self->images_drawing > 0)
        {
          ps_sweep_free (sweep);
          ps_window_add_text_toast (self, _("Stop the sweep first to open a sweep's log"), 5);
          return;
        }
      ps_sizing_page_set_sweep (self->sizing_page, NULL);
      g_clear_pointer (&self->sweep, ps_sweep_free);
      self->sweep = sweep;
      ps_sizing_page_set_sweep (self->sizing_page, self->sweep);
      ps_sizing_page_show_plan (self->sizing_page, self->sweep);
      ps_sizing_page_update (self->sizing_page, FALSE, 0, FALSE);
      /* the form shows the batch the sweep ran */
      {
        const PsSpec *spec = ps_sweep_get_spec (self->sweep);

        if (spec->items_spec && *spec->items_spec)
          ps_batch_form_set_items (self->batch_form, spec->items_spec);
        if (spec->workload_spec && *spec->workload_spec)
          ps_batch_form_set_workload (self->batch_form, spec->workload_spec);
      }
      {
        g_autofree char *name = self->opening ? g_strdup (g_object_get_data (G_OBJECT (self->opening), "ps-name"))
                                              : NULL;
        /* Translators: the status line after a kept or saved sweep is opened; %s is its file */
        g_autofree char *status = g_strdup_printf (_("Sweep opened from %s"), name ? name : "");

        gtk_label_set_label (self->status_label, status);
      }
      if (problem)
        {
          g_autofree char *msg = g_strdup_printf (_("The log stops early: %s"), problem);

          ps_window_add_text_toast (self, msg, 0);
        }
      adw_view_stack_set_visible_child_name (self->view_stack, "sizing");
      ps_window_update_actions (self);
      return;
    }
  ps_batch_form_fill_from_run (self->batch_form, ps_run_session_get_model (self->session));
  ps_live_page_show_run (self->live_page);
  /* an opened log joins the History */
  if (ps_run_session_get_log_path (self->session))
    ps_history_page_remember_log (self->history_page, ps_run_session_get_log_path (self->session));
  if (problem)
    {
      g_autofree char *msg = g_strdup_printf (_("The log stops early: %s"), problem);

      ps_window_add_text_toast (self, msg, 0);
    }
  adw_view_stack_set_visible_child_name (self->view_stack, "live");
  ps_window_render (self);
  if (self->frame_stats && gtk_widget_get_frame_clock (GTK_WIDGET (self)))
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

      g_signal_connect_object (clock, "after-paint", G_CALLBACK (replay_painted), self, 0);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

/* Reads a saved run log in a thread and shows it as if it ran now. */
void
ps_window_open_log (PsWindow *self,
                    GFile    *file)
{
  g_return_if_fail (PS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  /* said at once, not after reading the whole log */
  if (ps_run_session_is_busy (self->session))
    {
      ps_window_add_text_toast (self, _("Stop the run first to open a run log"), 5);
      return;
    }
  g_cancellable_cancel (self->opening);
  g_clear_object (&self->opening);
  self->opening = g_cancellable_new ();
  g_object_set_data_full (G_OBJECT (self->opening), "ps-name", g_file_get_basename (file), g_free);
  {
    g_autofree char *name = g_file_get_basename (file);
    /* Translators: above the bar that fills as a run log is read; %s is its file name */
    g_autofree char *text = g_strdup_printf (_("Opening %s…"), name);

    gtk_label_set_label (self->opening_label, text);
  }
  gtk_progress_bar_set_fraction (self->opening_progress, 0);
  self->opening_since = g_get_monotonic_time ();
  ps_frame_stats_run_started (self->frame_stats);
  if (self->opening_id == 0)
    self->opening_id = g_timeout_add (100, opening_tick, self);
  update_status (self);
  ps_run_session_replay_async (self->session, file, self->opening, replay_done, g_object_ref (self));
}

/* A kept run activated on the History page: shown in Live, as a log. */
static void
history_open_log (PsWindow   *self,
                  const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  /* shown in Live once read (a sweep in Sizing) */
  ps_window_open_log (self, file);
}

static void
history_notice (PsWindow   *self,
                const char *message)
{
  ps_window_add_text_toast (self, message, 5);
}

static void
undo_delete (AdwToast *toast,
             PsWindow *self)
{
  const char *const *paths = g_object_get_data (G_OBJECT (toast), "ps-paths");

  g_object_set_data (G_OBJECT (toast), "ps-undone", GINT_TO_POINTER (TRUE));
  ps_history_page_undo_delete_all (self->history_page, paths);
}

static void
delete_dismissed (AdwToast *toast,
                  PsWindow *self)
{
  const char *const *paths = g_object_get_data (G_OBJECT (toast), "ps-paths");

  /* a window going away keeps the logs: nothing deleted unasked */
  if (self->history_page != NULL && !g_object_get_data (G_OBJECT (toast), "ps-undone"))
    for (guint i = 0; paths[i]; i++)
      ps_history_page_finish_delete (self->history_page, paths[i]);
}

/* Runs deleted on the History page: gone when their toast goes, unless Undo. */
static void
history_run_deleted (PsWindow          *self,
                     const char *const *paths,
                     const char        *title)
{
  g_autofree char *dir = ps_history_default_dir ();
  guint n = g_strv_length ((char **) paths), owned = 0;
  g_autofree char *text = NULL;
  AdwToast *toast;

  for (guint i = 0; i < n; i++)
    owned += ps_history_owns_log (dir, paths[i]);
  /* a log opened from elsewhere is the user's: only the History forgets it */
  if (n == 1 && title)
    text = owned ? g_strdup_printf (_("Run deleted: %s"), title)
                 : g_strdup_printf (_("Removed from the History (the log stays): %s"), title);
  else if (owned == n)
    text = g_strdup_printf (ngettext ("%u run deleted", "%u runs deleted", n), n);
  else
    text = g_strdup_printf (ngettext ("%u run removed from the History (logs opened from elsewhere stay)",
                                      "%u runs removed from the History (logs opened from elsewhere stay)", n), n);
  toast = ps_window_add_text_toast (self, text, 6);
  g_object_set_data_full (G_OBJECT (toast), "ps-paths", g_strdupv ((char **) paths), (GDestroyNotify) g_strfreev);
  adw_toast_set_button_label (toast, _("_Undo"));
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_delete), self, 0);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (delete_dismissed), self, 0);
}

/* The History is read again each time it is shown. */
static void
page_shown (PsWindow *self)
{
  /* Export… is the sweep's on the Sizing page */
  ps_window_update_actions (self);
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "history") == 0)
    ps_history_page_reload (self->history_page);
}

/* The layout of a narrow window is changed after the allocation that
 * found it narrow, not during it. */
static gboolean
apply_narrow (gpointer data)
{
  PsWindow *self = data;

  self->narrow_id = 0;
  ps_live_page_set_narrow (self->live_page, self->narrow);
  return G_SOURCE_REMOVE;
}

static void
ps_window_size_allocate (GtkWidget *widget,
                         int        width,
                         int        height,
                         int        baseline)
{
  PsWindow *self = PS_WINDOW (widget);
  gboolean narrow = width < NARROW_WIDTH;

  GTK_WIDGET_CLASS (ps_window_parent_class)->size_allocate (widget, width, height, baseline);
  if (narrow != self->narrow && self->narrow_id == 0)
    {
      self->narrow = narrow;
      self->narrow_id = g_idle_add (apply_narrow, self);
    }
}

static void
ps_window_constructed (GObject *object)
{
  PsWindow *self = PS_WINDOW (object);

  G_OBJECT_CLASS (ps_window_parent_class)->constructed (object);

  /* the engine starts with the first run: the application names it then */
  self->session = ps_run_session_new (BINDIR "/poolscope-run");
  g_signal_connect_object (self->session, "notify::state", G_CALLBACK (session_state_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::model", G_CALLBACK (session_model_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "finished", G_CALLBACK (session_finished),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "worker-died", G_CALLBACK (worker_died),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notice", G_CALLBACK (notice),
                           self, G_CONNECT_SWAPPED);
  ps_live_page_set_model (self->live_page, ps_run_session_get_model (self->session));
  self->runner = ps_sweep_runner_new (self->session);
  g_signal_connect_object (self->runner, "run-started", G_CALLBACK (sweep_run_started), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->runner, "run-done", G_CALLBACK (sweep_run_done), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->runner, "finished", G_CALLBACK (sweep_finished), self, G_CONNECT_SWAPPED);
  /* a kept sweep joins the History once its file is whole */
  g_signal_connect_object (self->runner, "kept", G_CALLBACK (ps_history_page_reload), self->history_page,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sizing_page, "use-size", G_CALLBACK (use_size), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->history_page, "open-log", G_CALLBACK (history_open_log), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->history_page, "selection-changed", G_CALLBACK (ps_window_update_actions), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->history_page, "notice", G_CALLBACK (history_notice), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->history_page, "run-deleted", G_CALLBACK (history_run_deleted), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_stack, "notify::visible-child-name", G_CALLBACK (page_shown), self,
                           G_CONNECT_SWAPPED);
  ps_history_page_reload (self->history_page);
  ps_window_update_actions (self);
}

static void
ps_window_dispose (GObject *object)
{
  PsWindow *self = PS_WINDOW (object);

  if (self->tick_id)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  g_clear_handle_id (&self->narrow_id, g_source_remove);
  if (self->runner)
    {
      g_signal_handlers_disconnect_by_data (self->runner, self);
      g_clear_object (&self->runner);
    }
  if (self->sizing_page)
    ps_sizing_page_set_sweep (self->sizing_page, NULL);
  g_clear_pointer (&self->sweep, ps_sweep_free);
  if (self->session)
    {
      ps_run_session_close (self->session);
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_clear_object (&self->session);
    }
  g_cancellable_cancel (self->opening);
  g_clear_object (&self->opening);
  g_clear_handle_id (&self->opening_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), PS_TYPE_WINDOW);
  G_OBJECT_CLASS (ps_window_parent_class)->dispose (object);
}

static void
ps_window_finalize (GObject *object)
{
  PsWindow *self = PS_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->frame_stats, ps_frame_stats_free);
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
  widget_class->size_allocate = ps_window_size_allocate;

  g_type_ensure (PS_TYPE_BATCH_FORM);
  g_type_ensure (PS_TYPE_LIVE_PAGE);
  g_type_ensure (PS_TYPE_SIZING_PAGE);
  g_type_ensure (PS_TYPE_HISTORY_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/poolscope/Poolscope/ps-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PsWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, batch_form);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, sweep_button);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, sizing_page);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, live_page);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, history_page);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, opening_revealer);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, opening_label);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, opening_progress);
  gtk_widget_class_bind_template_callback (widget_class, opening_stop_clicked);
  ps_window_class_add_actions (widget_class);
}

static void
ps_window_init (PsWindow *self)
{
  self->frame_stats = ps_frame_stats_new_from_env ();
  self->settings = g_settings_new (APP_ID);

  gtk_widget_init_template (GTK_WIDGET (self));

  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_swapped (self->batch_form, "checked", G_CALLBACK (form_checked), self);
  g_signal_connect_swapped (self->batch_form, "workers-changed", G_CALLBACK (workers_changed), self);
  g_signal_connect_swapped (self->batch_form, "notify::checking", G_CALLBACK (ps_window_update_actions), self);
}
