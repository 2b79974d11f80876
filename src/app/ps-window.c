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

#include <inttypes.h>

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "ps-engine-client.h"
#include "ps-log-reader.h"
#include "ps-proc-stat.h"
#include "ps-run-model.h"
#include "ps-run-view.h"
#include "ps-spec.h"
#include "ps-window.h"

/* Sample rates offered by the form, in its order (0: off). */
static const double sample_rates[] = { 0, 1, 2, 5, 10, 20, 50 };
#define DEFAULT_SAMPLE_ROW 4

/* Results shown as text: the list is cut after this many. */
#define RESULTS_SHOWN 2000
#define OUTPUT_LINES_SHOWN 5000
#define RENDER_INTERVAL_US (100 * 1000)

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
  AdwComboRow          *sample_row;
  GtkLabel             *form_error;
  GtkLabel             *status_label;
  GtkWidget            *run_button;
  GtkWidget            *stop_button;
  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *view_stack;
  AdwStatusPage        *live_status;
  GtkWidget            *live_box;
  GtkStack             *live_views;
  PsRunView            *progress_view;
  PsRunView            *timeline_view;
  PsRunView            *cpu_view;
  PsRunView            *memory_view;
  PsRunView            *ordering_view;
  GtkTextView          *output_view;
  GtkTextView          *results_view;

  GSettings            *settings;
  PsEngineClient       *client;
  GCancellable         *cancellable;  /* a log being opened */
  GCancellable         *preparing;    /* the model's arrays being made ready for a run */
  GPtrArray            *pending_args; /* that run's command line, sent once they are */
  gboolean              filling;      /* the form is being filled from a preset */
  gboolean              form_ok;

  /* the run shown: live, or replayed from a log */
  PsRunModel           *model;
  guint64               rendered_serial;
  gint64                rendered_at;    /* frame time of the last render */
  guint64               output_shown;   /* lines of the model's output in the view */
  gint64                results_at;     /* when the results text was last made */
  gint64                status_at;      /* when the status line was last set */
  char                 *status_extra;   /* its failure counts, as they were then */

  /* POOLSCOPE_FRAME_STATS=FILE: frame intervals and memory of each run,
   * for bench/live-run.py */
  GArray               *frame_times;    /* gint64 µs, frame clock times during a run */
  gint64                rss_before;
  gint64                cpu_before;     /* µs of this process's CPU */
  gint64                run_clicked;    /* monotonic µs when the run was asked for */
  guint                 probe_id;       /* a 5 ms timeout: the main loop's own gaps */
  gint64                probe_last;
  gint64                probe_max_gap;
  gboolean              stopping;
  char                 *source;         /* the log's name when replaying */
  guint                 tick_id;
  AdwToast             *death_toast;    /* the one toast that counts deaths */
  guint                 deaths;
};

G_DEFINE_FINAL_TYPE (PsWindow, ps_window, ADW_TYPE_APPLICATION_WINDOW)

static gboolean is_running (PsWindow *self);

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

static double
form_sample_hz (PsWindow *self)
{
  return sample_rates[MIN (adw_combo_row_get_selected (self->sample_row), G_N_ELEMENTS (sample_rates) - 1)];
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
  g_ptr_array_add (args, g_strdup ("--sample-hz"));
  g_ptr_array_add (args, g_strdup_printf ("%g", form_sample_hz (self)));

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
      {
        /* the engine names its options; the form names its fields */
        static const struct { const char *option; const char *field; } names[] = {
          { "--items: ", N_("Items: ") },
          { "--workload: ", N_("Workload: ") },
          { "--chunksize: ", N_("Chunk size: ") },
          { "--workers: ", N_("Workers: ") },
        };
        g_autofree char *message = g_strdup (error->message);

        for (guint i = 0; i < G_N_ELEMENTS (names); i++)
          if (g_str_has_prefix (error->message, names[i].option))
            {
              g_free (message);
              message = g_strconcat (_(names[i].field), error->message + strlen (names[i].option), NULL);
            }
        set_form_error (self, row, message);
      }
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
ps_window_set_chunksize (PsWindow   *self,
                         const char *chunksize)
{
  gtk_editable_set_text (GTK_EDITABLE (self->chunksize_row), chunksize);
}

void
ps_window_set_workload (PsWindow   *self,
                        const char *workload)
{
  gtk_editable_set_text (GTK_EDITABLE (self->workload_row), workload);
}

/* Returns FALSE when the line waits to show a new count (call again). */
static gboolean
update_status (PsWindow *self)
{
  PsRunModel *m = self->model;
  g_autofree char *status = NULL;
  g_autoptr(GString) extra = g_string_new (NULL);
  /* numbers as text first: a 64-bit format macro cannot stand in a msgid */
  char done[24], total[24];

  /* cancelled tasks were never done */
  g_snprintf (done, sizeof done, "%" G_GUINT64_FORMAT,
              ps_run_model_get_n_finished (m));
  g_snprintf (total, sizeof total, "%" G_GUINT64_FORMAT, ps_run_model_get_n_tasks (m));
  for (PsTaskStatus st = PS_TASK_ERROR; st < PS_TASK_N_STATUS; st++)
    if (st != PS_TASK_CANCELLED && ps_run_model_get_n_status (m, st) > 0)
      g_string_append_printf (extra, ", %" G_GUINT64_FORMAT " %s",
                              ps_run_model_get_n_status (m, st), ps_task_status_to_string (st));
  if (ps_run_model_get_n_retried (m) > 0)
    g_string_append_printf (extra, _(", %" PRIu64 " attempts retried"), ps_run_model_get_n_retried (m));
  if (extra->len > 0)
    {
      /* “, 2 crashed, 1 timeout” becomes “ — 2 crashed, 1 timeout” */
      g_string_erase (extra, 0, 1);
      g_string_prepend (extra, " —");
    }

  if (ps_run_model_get_error (m))
    status = g_strdup_printf (_("Error: %s (%s of %s tasks were recorded)"), ps_run_model_get_error (m), done, total);
  else if (!ps_run_model_has_run (m) && self->stopping && !is_running (self))
    status = g_strdup (_("Stopped before the run started"));
  else if (!ps_run_model_has_run (m))
    status = g_strdup (self->stopping ? _("Stopping…") : _("Starting…"));
  else if (!ps_run_model_is_ended (m))
    status = g_strdup_printf (_("Running: %s of %s tasks"), done, total);
  else if (ps_run_model_is_cancelled (m))
    status = g_strdup_printf (_("Stopped after %s of %s tasks"), done, total);
  else
    status = g_strdup_printf (_("Finished: %s tasks in %.2f s"), done, ps_run_model_get_wall (m) / 1e9);
  if (self->source)
    {
      g_autofree char *with = g_strdup_printf (_("%s (replayed from %s)"), status, self->source);
      g_free (status);
      status = g_steal_pointer (&with);
    }
  /* a new text lays the whole window out again: while a long run only
   * counts up, four times a second is enough; anything else at once */
  if (ps_run_model_has_run (m) && !ps_run_model_is_ended (m) && !ps_run_model_get_error (m) &&
      ps_run_model_get_now (m) > 5 * G_GINT64_CONSTANT (1000000000) &&
      g_strcmp0 (extra->str, self->status_extra) == 0 &&
      g_get_monotonic_time () - self->status_at < 250000)
    return FALSE;
  g_free (self->status_extra);
  self->status_extra = g_strdup (extra->str);
  self->status_at = g_get_monotonic_time ();
  g_string_prepend (extra, status);
  gtk_label_set_text (self->status_label, extra->str);
  return TRUE;
}

/* New output lines go to the end of the console; it keeps the last few thousand. */
static void
update_output (PsWindow *self)
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
update_results (PsWindow *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gint64 now = g_get_monotonic_time ();

  /* a long list is made again four times a second at most, and only
   * where it is seen (switching to its page brings it up to date) */
  if (!ps_run_model_is_ended (self->model) &&
      (now - self->results_at < 250000 ||
       g_strcmp0 (gtk_stack_get_visible_child_name (self->live_views), "ordering") != 0))
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

static void
live_view_switched (PsWindow *self)
{
  self->results_at = 0;
  update_results (self);
  update_output (self);
}

static void
render (PsWindow *self)
{
  PsRunView *views[] = { self->progress_view, self->timeline_view, self->cpu_view,
                         self->memory_view, self->ordering_view };
  gboolean all_shown = update_status (self);

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    all_shown &= ps_run_view_update (views[i]);
  /* a view that waits for its pace is asked again on a later tick */
  self->rendered_serial = all_shown ? ps_run_model_get_serial (self->model) : G_MAXUINT64;
  update_output (self);
  update_results (self);
}

static gint64
own_rss (void)
{
  g_autofree char *text = NULL;
  gsize len;
  guint64 resident = 0;

  /* only with POOLSCOPE_FRAME_STATS: a small /proc file, read at a run's ends */
  if (g_file_get_contents ("/proc/self/statm", &text, &len, NULL))
    ps_proc_parse_statm (text, len, &resident, NULL);
  return (gint64) resident * sysconf (_SC_PAGESIZE);
}

static gint64
own_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gboolean
probe_cb (gpointer data)
{
  PsWindow *self = data;
  gint64 now = g_get_monotonic_time ();

  if (self->probe_last)
    self->probe_max_gap = MAX (self->probe_max_gap, now - self->probe_last);
  self->probe_last = now;
  return G_SOURCE_CONTINUE;
}

static void
write_frame_stats (PsWindow *self)
{
  const char *path = g_getenv ("POOLSCOPE_FRAME_STATS");
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 max_gap = 0, over_50 = 0;

  if (path == NULL || self->frame_times == NULL)
    return;
  g_clear_handle_id (&self->probe_id, g_source_remove);
  for (guint i = 1; i < self->frame_times->len; i++)
    {
      gint64 gap = g_array_index (self->frame_times, gint64, i) - g_array_index (self->frame_times, gint64, i - 1);
      max_gap = MAX (max_gap, gap);
      over_50 += gap > 50000;
    }
  g_string_append_printf (json,
                          "{\"frames\": %u, \"max_frame_interval_ms\": %.3f, \"intervals_over_50ms\": %" G_GINT64_FORMAT
                          ", \"tasks\": %" G_GUINT64_FORMAT ", \"done\": %" G_GUINT64_FORMAT
                          ", \"max_loop_gap_ms\": %.3f, \"wall_s\": %.6f, \"shown_s\": %.6f, \"app_cpu_s\": %.6f, \"rss_before\": %" G_GINT64_FORMAT
                          ", \"rss_after\": %" G_GINT64_FORMAT "}\n",
                          self->frame_times->len, max_gap / 1000.0, over_50,
                          ps_run_model_get_n_tasks (self->model), ps_run_model_get_n_done (self->model),
                          self->probe_max_gap / 1000.0, ps_run_model_get_wall (self->model) / 1e9,
                          (g_get_monotonic_time () - self->run_clicked) / 1e6, (own_cpu_us () - self->cpu_before) / 1e6,
                          self->rss_before, own_rss ());
  if (!g_file_set_contents (path, json->str, json->len, &error))
    g_warning ("POOLSCOPE_FRAME_STATS: %s", error->message);
  g_array_set_size (self->frame_times, 0);
  if (g_getenv ("POOLSCOPE_QUIT_AFTER_RUN"))
    g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  PsWindow *self = PS_WINDOW (widget);

  if (self->frame_times && is_running (self))
    {
      gint64 t = gdk_frame_clock_get_frame_time (clock);
      g_array_append_val (self->frame_times, t);
    }

  /* Ten redraws a second while a run pours in: each one lays out and
   * paints the views, and a million tasks a second must not wait for it. */
  if (ps_run_model_get_serial (self->model) != self->rendered_serial &&
      gdk_frame_clock_get_frame_time (clock) - self->rendered_at >= RENDER_INTERVAL_US)
    {
      self->rendered_at = gdk_frame_clock_get_frame_time (clock);
      render (self);
    }
  if (ps_run_model_is_ended (self->model) && !is_running (self))
    {
      render (self);
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
ensure_ticking (PsWindow *self)
{
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

static void
death_toast_dismissed (PsWindow *self)
{
  self->death_toast = NULL;
  self->deaths = 0;
}

/* A toast of plain text: libadwaita 1.2 reads a toast's title as markup,
 * and a message that holds a "<" (json-glib's "<data>") or a "&" would
 * show as an empty toast with a warning. */
static AdwToast *
add_text_toast (PsWindow   *self,
                const char *text,
                guint       timeout)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, timeout);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  return toast;
}

/* One toast for deaths close together: a kill storm is one piece of news. */
static void
announce_death (PsWindow      *self,
                const PsEvent *e)
{
  g_autofree char *title = NULL;

  self->deaths++;
  if (self->deaths == 1)
    title = g_strdup_printf (_("%s died (%s); a new worker takes over"), e->name,
                             e->message ? e->message : _("killed"));
  else
    title = g_strdup_printf (_("%u workers died; the pool replaced each of them"), self->deaths);
  if (self->death_toast)
    {
      g_autofree char *escaped = g_markup_escape_text (title, -1);
      adw_toast_set_title (self->death_toast, escaped);
    }
  else
    {
      self->death_toast = add_text_toast (self, title, 6);
      g_signal_connect_object (self->death_toast, "dismissed", G_CALLBACK (death_toast_dismissed),
                               self, G_CONNECT_SWAPPED);
    }
}

static void
on_event (const PsEvent *e,
          gpointer       data)
{
  PsWindow *self = data;

  ps_run_model_add_event (self->model, e);
  if (e->type == PS_EVENT_WORKER_EXIT && e->signal != 0 && !e->stopped && !self->stopping)
    announce_death (self, e);
  else if (e->type == PS_EVENT_NOTICE && e->message != NULL)
    {
      add_text_toast (self, e->message, 10);
    }
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
on_failed (PsWindow   *self,
           const char *message)
{
  ps_run_model_set_error (self->model, message);
  render (self);
}

static void
on_finished (PsWindow *self)
{
  set_running (self, FALSE);
  render (self);
  write_frame_stats (self);
}

static void
save_batch (PsWindow *self)
{
  const PsPreset *preset = preset_at (adw_combo_row_get_selected (self->preset_row));
  const char *chunks = gtk_editable_get_text (GTK_EDITABLE (self->chunksize_row));
  guint64 chunksize = g_ascii_strtoull (chunks, NULL, 10);

  g_settings_set_string (self->settings, "last-preset", preset ? preset->name : "");
  g_settings_set_string (self->settings, "last-items", gtk_editable_get_text (GTK_EDITABLE (self->items_row)));
  g_settings_set_string (self->settings, "last-workload", gtk_editable_get_text (GTK_EDITABLE (self->workload_row)));
  g_settings_set_int (self->settings, "last-workers", gtk_spin_button_get_value_as_int (self->workers_spin));
  g_settings_set_int (self->settings, "last-chunksize", (int) MIN (chunksize, 100000000));
  g_settings_set_string (self->settings, "last-order",
                         adw_combo_row_get_selected (self->order_row) == 1 ? "unordered" : "map");
  g_settings_set_string (self->settings, "last-start-method",
                         adw_combo_row_get_selected (self->start_row) == 1 ? "spawn" : "fork");
  g_settings_set_double (self->settings, "last-sample-hz",
                         form_sample_hz (self));
}

/* The sample rate of the last batch, and its pool when it was no preset
 * (a preset sets its own). */
static void
restore_pool (PsWindow *self,
              gboolean  with_pool)
{
  g_autofree char *order = g_settings_get_string (self->settings, "last-order");
  g_autofree char *start = g_settings_get_string (self->settings, "last-start-method");
  int chunksize = g_settings_get_int (self->settings, "last-chunksize");
  double hz = g_settings_get_double (self->settings, "last-sample-hz");
  guint row = DEFAULT_SAMPLE_ROW;

  for (guint i = 0; i < G_N_ELEMENTS (sample_rates); i++)
    if (sample_rates[i] == hz)
      row = i;
  adw_combo_row_set_selected (self->sample_row, row);
  if (!with_pool)
    return;
  self->filling = TRUE;
  if (chunksize > 0)
    {
      g_autofree char *text = g_strdup_printf ("%d", chunksize);
      gtk_editable_set_text (GTK_EDITABLE (self->chunksize_row), text);
    }
  adw_combo_row_set_selected (self->order_row, g_str_equal (order, "unordered") ? 1 : 0);
  adw_combo_row_set_selected (self->start_row, g_str_equal (start, "spawn") ? 1 : 0);
  self->filling = FALSE;
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
    }
  return self->client;
}

static void
show_live (PsWindow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->live_status), FALSE);
  gtk_widget_set_visible (self->live_box, TRUE);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->output_view), "", 0);
  self->output_shown = 0;
  self->results_at = 0;
}

static gboolean
is_running (PsWindow *self)
{
  /* from Run on: making the run's memory ready comes first */
  return self->preparing != NULL ||
         (self->client != NULL && ps_engine_client_is_running (self->client));
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(PsWindow) self = data;
  g_autoptr(GError) error = NULL;

  gboolean ok = ps_engine_client_run_finish (PS_ENGINE_CLIENT (object), result, &error);

  /* a window that has gone (dispose drops its client) shows nothing */
  if (self->client == NULL)
    return;
  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    on_failed (self, error->message);
  on_finished (self);
}

static void
start_engine (PsWindow *self)
{
  g_autoptr(GPtrArray) args = g_steal_pointer (&self->pending_args);

  /* every event of the run goes to on_event(), tasks events whole */
  ps_engine_client_run_async (get_client (self), (const char * const *) args->pdata, on_event, self,
                              NULL, run_done_cb, g_object_ref (self));
  save_batch (self);
}

static void
prepared_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(PsWindow) self = data;
  g_autoptr(GError) error = NULL;

  if (!ps_run_model_prepare_finish (PS_RUN_MODEL (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* stopped before it started, or the window is gone */
  /* short of memory for the records, the run-start event tries again */
  g_clear_object (&self->preparing);
  start_engine (self);
}

static void
run_action (GtkWidget  *widget,
            const char *action,
            GVariant   *param)
{
  PsWindow *self = PS_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsSpec) spec = spec_from_form (self, &error);

  if (spec == NULL)
    {
      validate_form (self);
      return;
    }
  g_clear_pointer (&self->pending_args, g_ptr_array_unref);
  self->pending_args = ps_spec_to_args (spec);
  g_ptr_array_add (self->pending_args, NULL);

  g_cancellable_cancel (self->cancellable);
  ps_run_model_reset (self->model);
  self->stopping = FALSE;
  g_clear_pointer (&self->source, g_free);
  show_live (self);
  set_running (self, TRUE);
  ensure_ticking (self);
  if (self->frame_times)
    {
      g_array_set_size (self->frame_times, 0);
      self->rss_before = own_rss ();
      self->cpu_before = own_cpu_us ();
      self->run_clicked = g_get_monotonic_time ();
      self->probe_last = 0;
      self->probe_max_gap = 0;
      g_clear_handle_id (&self->probe_id, g_source_remove);
      self->probe_id = g_timeout_add (5, probe_cb, self);
    }

  /* the run's per-task memory is cleared now, in a thread, not page by
   * page while the run competes with the app for the same cores */
  g_cancellable_cancel (self->preparing);
  g_clear_object (&self->preparing);
  self->preparing = g_cancellable_new ();
  ps_run_model_prepare_async (self->model, ps_items_get_count (spec->items), self->preparing,
                              prepared_cb, g_object_ref (self));
}

static void
stop_action (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  PsWindow *self = PS_WINDOW (widget);

  if (self->preparing)
    {
      /* the engine has not been asked yet: nothing ran */
      self->stopping = TRUE;
      g_cancellable_cancel (self->preparing);
      g_clear_object (&self->preparing);
      g_clear_pointer (&self->pending_args, g_ptr_array_unref);
      set_running (self, FALSE);
      render (self);
      /* no run to follow: the frame clock and the probe rest */
      if (self->tick_id)
        gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
      g_clear_handle_id (&self->probe_id, g_source_remove);
      return;
    }
  if (!is_running (self))
    return;
  self->stopping = TRUE;
  ps_engine_client_cancel (self->client);
}

typedef struct
{
  PsRunModel *model;
  char       *problem;
} Replay;

static void
replay_free (Replay *r)
{
  g_clear_object (&r->model);
  g_free (r->problem);
  g_free (r);
}

/* Reads the log and builds its model here, off the main loop: the model
 * is not shared until the window takes it. */
static void
load_log_thread (GTask        *task,
                 gpointer      source,
                 gpointer      data,
                 GCancellable *cancellable)
{
  GFile *file = data;
  g_autofree char *path = g_file_get_path (file);
  GError *error = NULL;
  g_autoptr(PsLog) log = NULL;
  Replay *r;

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("%s is not a local file"), uri);
      return;
    }
  if (!(log = ps_log_load (path, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  r = g_new0 (Replay, 1);
  r->model = ps_run_model_new ();
  for (guint i = 0; i < log->events->len && !g_cancellable_is_cancelled (cancellable); i++)
    ps_run_model_add_event (r->model, &g_array_index (log->events, PsEvent, i));
  r->problem = g_strdup (log->problem);
  if (r->problem && !ps_run_model_is_ended (r->model))
    ps_run_model_set_error (r->model, r->problem);
  else if (!ps_run_model_is_ended (r->model))
    ps_run_model_set_error (r->model, _("the log has no end: the run was cut short"));
  g_task_return_pointer (task, r, (GDestroyNotify) replay_free);
}

static void
set_model (PsWindow   *self,
           PsRunModel *model)
{
  PsRunView *views[] = { self->progress_view, self->timeline_view, self->cpu_view,
                         self->memory_view, self->ordering_view };

  g_set_object (&self->model, model);
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    ps_run_view_set_model (views[i], model);
}

static void
load_log_done (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  PsWindow *self = PS_WINDOW (source);
  GFile *file = g_task_get_task_data (G_TASK (result));
  g_autofree char *name = g_file_get_basename (file);
  g_autoptr(GError) error = NULL;
  Replay *r = g_task_propagate_pointer (G_TASK (result), &error);

  if (r == NULL)
    {
      g_autofree char *msg = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      msg = g_strdup_printf (_("Could not open %s: %s"), name, error->message);
      add_text_toast (self, msg, 0);
      return;
    }
  if (is_running (self))
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("Stop the run first to open a run log")));
      replay_free (r);
      return;
    }

  set_model (self, r->model);
  self->stopping = FALSE;
  g_free (self->source);
  self->source = g_steal_pointer (&name);
  show_live (self);
  if (r->problem)
    {
      g_autofree char *msg = g_strdup_printf (_("The log stops early: %s"), r->problem);

      add_text_toast (self, msg, 0);
    }
  adw_view_stack_set_visible_child_name (self->view_stack, "live");
  render (self);
  replay_free (r);
}

/* Reads a saved run log in a thread and shows it as if it ran now. */
void
ps_window_open_log (PsWindow *self,
                    GFile    *file)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, load_log_done, NULL);
  g_task_set_source_tag (task, ps_window_open_log);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, load_log_thread);
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
workload_action (GtkWidget  *widget,
                 const char *action,
                 GVariant   *param)
{
  PsWindow *self = PS_WINDOW (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->workload_row), g_variant_get_string (param, NULL));
  gtk_widget_grab_focus (GTK_WIDGET (self->workload_row));
}

static void
show_view_action (GtkWidget  *widget,
                  const char *action,
                  GVariant   *param)
{
  PsWindow *self = PS_WINDOW (widget);
  const char *name = g_variant_get_string (param, NULL);

  if (gtk_stack_get_child_by_name (self->live_views, name) == NULL)
    return;
  adw_view_stack_set_visible_child_name (self->view_stack, "live");
  gtk_stack_set_visible_child_name (self->live_views, name);
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
  gtk_spin_button_set_value (self->workers_spin, MIN (workers, PS_WORKERS_MAX));
  restore_pool (self, !(*preset && ps_preset_lookup (preset)));
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
    {
      /* a read in flight holds the client: it must not call back here */
      PsEngineClient *client = g_steal_pointer (&self->client);

      ps_engine_client_detach (client);
      g_object_unref (client);
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->preparing);
  g_clear_object (&self->preparing);
  g_clear_pointer (&self->pending_args, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), PS_TYPE_WINDOW);
  G_OBJECT_CLASS (ps_window_parent_class)->dispose (object);
}

static void
ps_window_finalize (GObject *object)
{
  PsWindow *self = PS_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->model);
  g_clear_pointer (&self->frame_times, g_array_unref);
  g_clear_handle_id (&self->probe_id, g_source_remove);
  g_free (self->source);
  g_free (self->status_extra);
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

  g_type_ensure (PS_TYPE_RUN_VIEW);
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
  gtk_widget_class_bind_template_child (widget_class, PsWindow, live_box);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, live_views);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, sample_row);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, progress_view);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, timeline_view);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, cpu_view);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, memory_view);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, ordering_view);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, output_view);
  gtk_widget_class_bind_template_child (widget_class, PsWindow, results_view);

  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.show-view", "s", show_view_action);
  gtk_widget_class_install_action (widget_class, "win.workload", "s", workload_action);
}

static void
ps_window_init (PsWindow *self)
{
  guint n;
  const PsPreset *presets = ps_preset_list (&n);
  g_autoptr(PsRunModel) model = ps_run_model_new ();

  if (g_getenv ("POOLSCOPE_FRAME_STATS"))
    self->frame_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->settings = g_settings_new (APP_ID);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_string_list_append (self->preset_list, _("Custom"));
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (self->preset_list, _(presets[i].title));

  gtk_adjustment_set_value (self->workers_adjustment, ps_spec_default_workers ());
  adw_combo_row_set_selected (self->sample_row, DEFAULT_SAMPLE_ROW);
  set_model (self, model);
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
  g_signal_connect_swapped (self->sample_row, "notify::selected", G_CALLBACK (validate_form), self);
  g_signal_connect_swapped (self->live_views, "notify::visible-child", G_CALLBACK (live_view_switched), self);
}
