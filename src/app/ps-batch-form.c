/* ps-batch-form.c: the batch and its pool, as a form that never blocks
 *
 * Every edit starts a check after a short pause (CHECK_DELAY_MS); the
 * check runs in a thread, because an @FILE item list is read to be
 * checked, and a newer edit cancels it (its answer is dropped). Each
 * field is checked by its own parser and its error keeps its field as a
 * PS_BATCH_FORM_ERROR code: every wrong field is marked at once, and no
 * message text is ever matched. A file that is not a regular file (a
 * FIFO, a terminal, /dev/zero) is refused before it is opened: reading it
 * to check it would wait for a writer, or for ever, and eat its data.
 *
 * The form hands out the PsSpec of the last check that matched what it
 * shows (ps_batch_form_dup_spec()), and says so with notify::valid.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ps-batch-form.h"

#define CHECK_DELAY_MS 150

/* Sample rates offered by the form, in its order (0: off). */
static const double sample_rates[] = { 0, 1, 2, 5, 10, 20, 50 };
#define DEFAULT_SAMPLE_ROW 4

G_DEFINE_QUARK (ps-batch-form-error-quark, ps_batch_form_error)

struct _PsBatchForm
{
  GtkWidget      parent_instance;

  /* template */
  GtkWidget     *scroller;
  AdwComboRow   *preset_row;
  GtkStringList *preset_list;
  AdwEntryRow   *items_row;
  AdwEntryRow   *workload_row;
  AdwComboRow   *kind_row;      /* what a task runs: a workload, a command, a worker program */
  AdwEntryRow   *command_row;
  AdwActionRow  *shell_row;
  GtkSwitch     *shell_switch;
  AdwEntryRow   *program_row;
  AdwActionRow  *workers_row;
  GtkSpinButton *workers_spin;
  GtkAdjustment *workers_adjustment;
  AdwEntryRow   *chunksize_row;
  AdwEntryRow   *hosts_row;
  AdwComboRow   *order_row;
  AdwComboRow   *start_row;
  AdwComboRow   *sample_row;
  GtkLabel      *form_error;
  GtkLabel      *form_note;

  GSettings     *settings;
  gboolean       filling;       /* the form is being filled from a preset or a run */
  guint          check_id;      /* the pause before a check */
  GCancellable  *checking;      /* the check in its thread */
  PsSpec        *spec;          /* of the last check, when it found nothing wrong */
  GError        *errors[PS_BATCH_FIELD_N];
  guint          running_pool;  /* the pool size of the run under way, 0: none */
  char          *replayed;      /* the log whose batch the form shows */
};

enum
{
  PROP_0,
  PROP_VALID,
  PROP_CHECKING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum { CHECKED, WORKERS_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PsBatchForm, ps_batch_form, GTK_TYPE_WIDGET)

/* ---- what a task runs: a workload, a command or a worker program -------- */

enum { KIND_WORKLOAD, KIND_COMMAND, KIND_PROGRAM };

/* The workload spec of what the form shows (ps-workload.h). */
static char *
form_workload (PsBatchForm *self)
{
  switch (adw_combo_row_get_selected (self->kind_row))
    {
    case KIND_COMMAND:
      return g_strconcat (gtk_switch_get_active (self->shell_switch) ? "shell:" : "command:",
                          gtk_editable_get_text (GTK_EDITABLE (self->command_row)), NULL);
    case KIND_PROGRAM:
      return g_strconcat ("program:", gtk_editable_get_text (GTK_EDITABLE (self->program_row)), NULL);
    default:
      return g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->workload_row)));
    }
}

static void
update_kind (PsBatchForm *self)
{
  guint kind = adw_combo_row_get_selected (self->kind_row);

  gtk_widget_set_visible (GTK_WIDGET (self->workload_row), kind == KIND_WORKLOAD);
  gtk_widget_set_visible (GTK_WIDGET (self->command_row), kind == KIND_COMMAND);
  gtk_widget_set_visible (GTK_WIDGET (self->shell_row), kind == KIND_COMMAND);
  gtk_widget_set_visible (GTK_WIDGET (self->program_row), kind == KIND_PROGRAM);
}

/* Shows a workload spec in the rows it belongs to. */
static void
show_workload (PsBatchForm *self,
               const char  *spec)
{
  if (g_str_has_prefix (spec, "command:") || g_str_has_prefix (spec, "shell:"))
    {
      gboolean shell = g_str_has_prefix (spec, "shell:");

      gtk_switch_set_active (self->shell_switch, shell);
      gtk_editable_set_text (GTK_EDITABLE (self->command_row), strchr (spec, ':') + 1);
      adw_combo_row_set_selected (self->kind_row, KIND_COMMAND);
    }
  else if (g_str_has_prefix (spec, "program:"))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->program_row), spec + strlen ("program:"));
      adw_combo_row_set_selected (self->kind_row, KIND_PROGRAM);
    }
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (self->workload_row), spec);
      adw_combo_row_set_selected (self->kind_row, KIND_WORKLOAD);
    }
  update_kind (self);
}

/* ---- the check, in a thread --------------------------------------------- */

typedef struct
{
  /* what the form shows, copied on the main thread */
  char    *items;
  char    *workload;
  char    *chunksize;
  char    *hosts;
  guint    workers;
  PsOrder  order;
  PsStartMethod start;
  double   sample_hz;
  /* what the check found */
  PsSpec  *spec;
  GError  *errors[PS_BATCH_FIELD_N];
} Check;

static void
check_free (Check *c)
{
  g_free (c->items);
  g_free (c->workload);
  g_free (c->chunksize);
  g_free (c->hosts);
  g_clear_pointer (&c->spec, ps_spec_free);
  for (guint i = 0; i < PS_BATCH_FIELD_N; i++)
    g_clear_error (&c->errors[i]);
  g_free (c);
}

static void
field_error (Check        *c,
             PsBatchField  field,
             const char   *message)
{
  if (c->errors[field] == NULL)
    c->errors[field] = g_error_new_literal (PS_BATCH_FORM_ERROR, field, message);
}

/* An item file must be a file to be read twice (checked here, then read
 * by the engine): a FIFO or a device would block or be eaten. */
static gboolean
check_item_file (Check *c)
{
  const char *path = c->items + 1;
  g_autofree char *shown = g_filename_display_name (path);
  g_autofree char *message = NULL;
  struct stat st;

  if (path[0] == '\0')
    return TRUE; /* the parser says what is missing */
  if (stat (path, &st) < 0)
    {
      int saved = errno;
      message = g_strdup_printf (_("cannot read the item file “%s”: %s"), shown, g_strerror (saved));
    }
  else if (S_ISFIFO (st.st_mode))
    message = g_strdup_printf (_("“%s” is a named pipe: the app reads items from a regular file "
                                 "(poolscope-run --items @FILE reads pipes)"), shown);
  else if (S_ISDIR (st.st_mode))
    message = g_strdup_printf (_("“%s” is a folder, not an item file"), shown);
  else if (!S_ISREG (st.st_mode))
    message = g_strdup_printf (_("“%s” is not a regular file: the app reads items from a regular file"),
                               shown);
  if (message == NULL)
    return TRUE;
  field_error (c, PS_BATCH_FIELD_ITEMS, message);
  return FALSE;
}

static void
check_thread (GTask        *task,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  Check *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PsItems) items = NULL;
  g_auto(PsWorkload) workload = { 0 };
  gboolean workload_ok;
  guint64 chunksize = 0;

  /* each field by its own parser: all wrong fields are found at once */
  workload_ok = ps_workload_parse (c->workload, &workload, &error) &&
                ps_workload_check_runnable (&workload, &error);
  if (!workload_ok)
    field_error (c, PS_BATCH_FIELD_WORKLOAD, error->message);
  g_clear_error (&error);

  if (*c->chunksize != '\0' && !g_str_equal (c->chunksize, "auto") &&
      !g_ascii_string_to_unsigned (c->chunksize, 10, 1, PS_ITEMS_MAX_COUNT, &chunksize, NULL))
    field_error (c, PS_BATCH_FIELD_CHUNKSIZE,
                 _("a whole number of tasks from 1, or “auto” (as Pool.map chooses)"));

  /* empty: this machine */
  if (*c->hosts != '\0')
    {
      g_autoptr(GPtrArray) hosts = ps_hosts_parse (c->hosts, &error);

      if (hosts == NULL || !ps_hosts_check_programs (hosts, NULL, &error))
        field_error (c, PS_BATCH_FIELD_HOSTS, error->message);
      else if (hosts->len > PS_WORKERS_MAX)
        {
          g_autofree char *msg = g_strdup_printf (_("%u hosts, more than a pool’s %u workers"),
                                                  hosts->len, PS_WORKERS_MAX);
          field_error (c, PS_BATCH_FIELD_HOSTS, msg);
        }
      else if (workload_ok && workload.kind == PS_WORKLOAD_LOCK && ps_hosts_any_remote (hosts))
        field_error (c, PS_BATCH_FIELD_HOSTS,
                     _("the lock workload’s workers share a lock of this machine: it cannot run on "
                       "other hosts"));
      g_clear_error (&error);
    }

  if (g_str_equal (c->items, "-"))
    field_error (c, PS_BATCH_FIELD_ITEMS, _("the app cannot read standard input; use @FILE"));
  else if (c->items[0] != '@' || check_item_file (c))
    {
      items = ps_items_parse (c->items, &error);
      if (items == NULL)
        field_error (c, PS_BATCH_FIELD_ITEMS, error->message);
      else if (workload_ok && ps_workload_needs_integers (&workload) &&
               !ps_items_check_integers (items, &error))
        field_error (c, PS_BATCH_FIELD_ITEMS, error->message);
      g_clear_error (&error);
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  for (guint i = 0; i < PS_BATCH_FIELD_N; i++)
    if (c->errors[i] != NULL)
      {
        g_task_return_boolean (task, TRUE);
        return;
      }

  /* all fields are good: the spec the engine gets, checked as a whole */
  {
    g_autoptr(PsSpec) spec = ps_spec_new ();
    g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
    gboolean parsed;

    g_ptr_array_add (args, g_strdup ("--items"));
    g_ptr_array_add (args, g_strdup (c->items));
    g_ptr_array_add (args, g_strdup ("--workload"));
    g_ptr_array_add (args, g_strdup (c->workload));
    g_ptr_array_add (args, g_strdup ("--workers"));
    g_ptr_array_add (args, g_strdup_printf ("%u", c->workers));
    g_ptr_array_add (args, g_strdup ("--chunksize"));
    g_ptr_array_add (args, chunksize ? g_strdup_printf ("%" G_GUINT64_FORMAT, chunksize) : g_strdup ("auto"));
    g_ptr_array_add (args, g_strdup ("--order"));
    g_ptr_array_add (args, g_strdup (ps_order_to_string (c->order)));
    g_ptr_array_add (args, g_strdup ("--start"));
    g_ptr_array_add (args, g_strdup (ps_start_method_to_string (c->start)));
    g_ptr_array_add (args, g_strdup ("--sample-hz"));
    g_ptr_array_add (args, c->sample_hz > 0 ? g_strdup_printf ("%g", c->sample_hz) : g_strdup ("off"));
    if (*c->hosts != '\0')
      {
        g_ptr_array_add (args, g_strdup ("--hosts"));
        g_ptr_array_add (args, g_strdup (c->hosts));
      }
    parsed = ps_spec_parse_args (spec, args->len, (char **) args->pdata, &error);

    /* the items this check parsed, not a second reading of the file */
    if (parsed && items != NULL)
      spec->items = ps_items_ref (items);
    if (!parsed || !ps_spec_finish (spec, &error))
      {
        /* the fields passed one by one: what is left is the items */
        field_error (c, PS_BATCH_FIELD_ITEMS, error->message);
      }
    else
      c->spec = g_steal_pointer (&spec);
  }
  g_task_return_boolean (task, TRUE);
}

static double
form_sample_hz (PsBatchForm *self)
{
  return sample_rates[MIN (adw_combo_row_get_selected (self->sample_row), G_N_ELEMENTS (sample_rates) - 1)];
}

static GtkWidget *field_row (PsBatchForm *self, PsBatchField field);

static const char *
field_label (PsBatchForm  *self,
             PsBatchField  field)
{
  switch (field)
    {
    case PS_BATCH_FIELD_ITEMS: return _("Items");
    case PS_BATCH_FIELD_WORKLOAD:
      return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (field_row (self, field)));
    case PS_BATCH_FIELD_CHUNKSIZE: return _("Chunk size");
    case PS_BATCH_FIELD_HOSTS: return _("Hosts");
    case PS_BATCH_FIELD_N:
    default: return "";
    }
}

static GtkWidget *
field_row (PsBatchForm  *self,
           PsBatchField  field)
{
  switch (field)
    {
    case PS_BATCH_FIELD_ITEMS: return GTK_WIDGET (self->items_row);
    case PS_BATCH_FIELD_WORKLOAD:
      switch (adw_combo_row_get_selected (self->kind_row))
        {
        case KIND_COMMAND: return GTK_WIDGET (self->command_row);
        case KIND_PROGRAM: return GTK_WIDGET (self->program_row);
        default: return GTK_WIDGET (self->workload_row);
        }
    case PS_BATCH_FIELD_CHUNKSIZE: return GTK_WIDGET (self->chunksize_row);
    case PS_BATCH_FIELD_HOSTS: return GTK_WIDGET (self->hosts_row);
    case PS_BATCH_FIELD_N:
    default: return NULL;
    }
}

/* Marks each wrong field and lists what is wrong, a line a field. */
static void
show_errors (PsBatchForm *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (PsBatchField f = 0; f < PS_BATCH_FIELD_N; f++)
    {
      GtkWidget *row = field_row (self, f);

      if (self->errors[f] == NULL)
        {
          gtk_widget_remove_css_class (row, "error");
          /* the row's own help, if it has one */
          gtk_widget_set_tooltip_text (row, g_object_get_data (G_OBJECT (row), "ps-help"));
          gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
          gtk_accessible_reset_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID);
          continue;
        }
      gtk_widget_add_css_class (row, "error");
      gtk_widget_set_tooltip_text (row, self->errors[f]->message);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->errors[f]->message,
                                      -1);
      gtk_accessible_update_state (GTK_ACCESSIBLE (row),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
      if (text->len > 0)
        g_string_append_c (text, '\n');
      /* Translators: a form field and what is wrong with it */
      g_string_append_printf (text, _("%s: %s"), field_label (self, f), self->errors[f]->message);
    }
  gtk_label_set_text (self->form_error, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->form_error), text->len > 0);
}

static void
check_done (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  PsBatchForm *self = PS_BATCH_FORM (object);
  Check *c = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    return; /* a newer edit took over */
  g_clear_object (&self->checking);
  g_clear_pointer (&self->spec, ps_spec_free);
  self->spec = g_steal_pointer (&c->spec);
  for (guint i = 0; i < PS_BATCH_FIELD_N; i++)
    {
      g_clear_error (&self->errors[i]);
      self->errors[i] = g_steal_pointer (&c->errors[i]);
    }
  show_errors (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
  g_signal_emit (self, signals[CHECKED], 0);
}

static gboolean
start_check (gpointer data)
{
  PsBatchForm *self = data;
  g_autoptr(GTask) task = NULL;
  Check *c = g_new0 (Check, 1);
  const char *chunks = gtk_editable_get_text (GTK_EDITABLE (self->chunksize_row));

  self->check_id = 0;
  c->items = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->items_row)));
  c->workload = form_workload (self);
  /* the word the form shows for automatic, in the user's language */
  c->chunksize = g_strstrip (g_strdup (g_ascii_strcasecmp (chunks, _("auto")) == 0 ? "auto" : chunks));
  c->hosts = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->hosts_row))));
  c->workers = gtk_spin_button_get_value_as_int (self->workers_spin);
  c->order = adw_combo_row_get_selected (self->order_row) == 1 ? PS_ORDER_UNORDERED : PS_ORDER_MAP;
  c->start = adw_combo_row_get_selected (self->start_row) == 1 ? PS_START_SPAWN : PS_START_FORK;
  c->sample_hz = form_sample_hz (self);

  self->checking = g_cancellable_new ();
  task = g_task_new (self, self->checking, check_done, NULL);
  g_task_set_source_tag (task, start_check);
  g_task_set_task_data (task, c, (GDestroyNotify) check_free);
  g_task_run_in_thread (task, check_thread);
  return G_SOURCE_REMOVE;
}

/* Something the form shows changed: what it hands out is unknown until
 * a new check, which starts after a pause in typing. */
static void
schedule_check (PsBatchForm *self,
                guint        delay_ms)
{
  gboolean was_valid = ps_batch_form_is_valid (self);

  g_clear_pointer (&self->spec, ps_spec_free);
  if (self->checking)
    {
      g_cancellable_cancel (self->checking);
      g_clear_object (&self->checking);
    }
  g_clear_handle_id (&self->check_id, g_source_remove);
  self->check_id = g_timeout_add (delay_ms, start_check, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKING]);
  if (was_valid)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
}

static void update_note (PsBatchForm *self);

static void
form_changed (PsBatchForm *self)
{
  if (self->filling)
    return;
  /* an edit by hand makes the batch a custom one, no longer a replay's */
  if (adw_combo_row_get_selected (self->preset_row) != 0)
    {
      self->filling = TRUE;
      adw_combo_row_set_selected (self->preset_row, 0);
      self->filling = FALSE;
    }
  g_clear_pointer (&self->replayed, g_free);
  update_note (self);
  schedule_check (self, CHECK_DELAY_MS);
}

/* What the form must say besides errors: a pool size that is not the
 * one running, a batch that came from a log. */
static void
update_note (PsBatchForm *self)
{
  guint workers = gtk_spin_button_get_value_as_int (self->workers_spin);
  g_autofree char *subtitle = NULL;

  if (self->running_pool != 0 && workers != self->running_pool)
    /* Translators: shown under Workers while a run goes on with another pool size */
    subtitle = g_strdup_printf (ngettext ("For the next run: this one has %u worker",
                                          "For the next run: this one has %u workers",
                                          self->running_pool), self->running_pool);
  adw_action_row_set_subtitle (self->workers_row, subtitle ? subtitle : "");
  if (self->replayed)
    {
      g_autofree char *note = g_strdup_printf (_("The batch of the run replayed from %s"), self->replayed);
      gtk_label_set_text (self->form_note, note);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->form_note), self->replayed != NULL);
}

/* A pool setting: the batch stays the preset's (or the replay's). */
static void
pool_changed (PsBatchForm *self)
{
  update_note (self);
  if (!self->filling)
    schedule_check (self, CHECK_DELAY_MS);
}

static void
workers_changed (PsBatchForm *self)
{
  if (!self->filling)
    g_signal_emit (self, signals[WORKERS_CHANGED], 0,
                   (guint) gtk_spin_button_get_value_as_int (self->workers_spin));
}

/* ---- presets, settings, filling ----------------------------------------- */

/* Preset rows: “Custom”, then the engine's presets in its order. */
static const PsPreset *
preset_at (guint position)
{
  guint n;
  const PsPreset *presets = ps_preset_list (&n);

  return position >= 1 && position <= n ? &presets[position - 1] : NULL;
}

static void
apply_preset (PsBatchForm    *self,
              const PsPreset *preset)
{
  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->items_row), preset->items);
  show_workload (self, preset->workload);
  gtk_spin_button_set_value (self->workers_spin, preset->workers);
  gtk_editable_set_text (GTK_EDITABLE (self->chunksize_row), _("auto"));
  adw_combo_row_set_selected (self->order_row, preset->order == PS_ORDER_UNORDERED ? 1 : 0);
  adw_combo_row_set_selected (self->start_row, 0);
  self->filling = FALSE;
  g_clear_pointer (&self->replayed, g_free);
  update_note (self);
  schedule_check (self, 0);
}

static void
preset_selected (PsBatchForm *self)
{
  const PsPreset *preset;

  if (self->filling)
    return;
  preset = preset_at (adw_combo_row_get_selected (self->preset_row));
  if (preset)
    apply_preset (self, preset);
}

void
ps_batch_form_set_preset (PsBatchForm *self,
                          const char  *name)
{
  guint n;
  const PsPreset *presets = ps_preset_list (&n);

  g_return_if_fail (PS_IS_BATCH_FORM (self));

  for (guint i = 0; i < n; i++)
    if (g_str_equal (presets[i].name, name))
      adw_combo_row_set_selected (self->preset_row, i + 1);
}

void
ps_batch_form_set_workers (PsBatchForm *self,
                           guint        workers)
{
  g_return_if_fail (PS_IS_BATCH_FORM (self));
  gtk_spin_button_set_value (self->workers_spin, workers);
}

void
ps_batch_form_set_items (PsBatchForm *self,
                         const char  *items)
{
  g_return_if_fail (PS_IS_BATCH_FORM (self));
  gtk_editable_set_text (GTK_EDITABLE (self->items_row), items);
}

void
ps_batch_form_set_chunksize (PsBatchForm *self,
                             const char  *chunksize)
{
  g_return_if_fail (PS_IS_BATCH_FORM (self));
  gtk_editable_set_text (GTK_EDITABLE (self->chunksize_row), chunksize);
}

void
ps_batch_form_set_hosts (PsBatchForm *self,
                         const char  *hosts)
{
  g_return_if_fail (PS_IS_BATCH_FORM (self));
  gtk_editable_set_text (GTK_EDITABLE (self->hosts_row), hosts);
}

void
ps_batch_form_set_workload (PsBatchForm *self,
                            const char  *workload)
{
  g_return_if_fail (PS_IS_BATCH_FORM (self));
  show_workload (self, workload);
}

/**
 * ps_batch_form_fill_from_run:
 *
 * Shows the batch a run (a replayed log) ran, so that the form and the
 * views tell of the same batch; Run then runs it again.
 */
void
ps_batch_form_fill_from_run (PsBatchForm *self,
                             PsRunModel  *model)
{
  const char *items, *workload, *start;
  guint64 chunksize;

  g_return_if_fail (PS_IS_BATCH_FORM (self));

  items = ps_run_model_get_items_spec (model);
  workload = ps_run_model_get_workload (model);
  if (items == NULL || workload == NULL)
    return; /* a log without its run-start tells no batch */
  start = ps_run_model_get_start_method (model);
  chunksize = ps_run_model_get_chunksize (model);
  self->filling = TRUE;
  adw_combo_row_set_selected (self->preset_row, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->items_row), items);
  show_workload (self, workload);
  if (ps_run_model_get_pool_size (model) > 0)
    gtk_spin_button_set_value (self->workers_spin, ps_run_model_get_pool_size (model));
  if (chunksize > 0)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, chunksize);
      gtk_editable_set_text (GTK_EDITABLE (self->chunksize_row), text);
    }
  adw_combo_row_set_selected (self->order_row, ps_run_model_is_unordered (model) ? 1 : 0);
  adw_combo_row_set_selected (self->start_row, g_strcmp0 (start, "spawn") == 0 ? 1 : 0);
  self->filling = FALSE;
  g_free (self->replayed);
  self->replayed = g_strdup (g_object_get_data (G_OBJECT (model), "ps-source"));
  update_note (self);
  schedule_check (self, 0);
}

/* The batch as it was run, for the next start of the app. */
void
ps_batch_form_save (PsBatchForm *self)
{
  const PsPreset *preset = preset_at (adw_combo_row_get_selected (self->preset_row));
  const char *chunks = gtk_editable_get_text (GTK_EDITABLE (self->chunksize_row));
  guint64 chunksize = g_ascii_strtoull (chunks, NULL, 10);

  g_return_if_fail (PS_IS_BATCH_FORM (self));

  g_settings_set_string (self->settings, "last-preset", preset ? preset->name : "");
  g_settings_set_string (self->settings, "last-items", gtk_editable_get_text (GTK_EDITABLE (self->items_row)));
  {
    g_autofree char *workload = form_workload (self);
    g_settings_set_string (self->settings, "last-workload", workload);
  }
  g_settings_set_int (self->settings, "last-workers", gtk_spin_button_get_value_as_int (self->workers_spin));
  g_settings_set_int (self->settings, "last-chunksize", (int) MIN (chunksize, 100000000));
  g_settings_set_string (self->settings, "last-order",
                         adw_combo_row_get_selected (self->order_row) == 1 ? "unordered" : "map");
  g_settings_set_string (self->settings, "last-start-method",
                         adw_combo_row_get_selected (self->start_row) == 1 ? "spawn" : "fork");
  g_settings_set_double (self->settings, "last-sample-hz", form_sample_hz (self));
  g_settings_set_string (self->settings, "last-hosts", gtk_editable_get_text (GTK_EDITABLE (self->hosts_row)));
}

/* The last batch, or the square preset the first time. */
static void
restore (PsBatchForm *self)
{
  g_autofree char *preset_name = g_settings_get_string (self->settings, "last-preset");
  g_autofree char *order = g_settings_get_string (self->settings, "last-order");
  g_autofree char *start = g_settings_get_string (self->settings, "last-start-method");
  const PsPreset *preset = *preset_name ? ps_preset_lookup (preset_name) : NULL;
  int chunksize = g_settings_get_int (self->settings, "last-chunksize");
  double hz = g_settings_get_double (self->settings, "last-sample-hz");
  int workers = g_settings_get_int (self->settings, "last-workers");
  guint row = DEFAULT_SAMPLE_ROW;

  for (guint i = 0; i < G_N_ELEMENTS (sample_rates); i++)
    if (sample_rates[i] == hz)
      row = i;
  adw_combo_row_set_selected (self->sample_row, row);
  {
    g_autofree char *hosts = g_settings_get_string (self->settings, "last-hosts");

    /* the hosts are the user's machines, whatever the batch: kept with a preset too */
    self->filling = TRUE;
    gtk_editable_set_text (GTK_EDITABLE (self->hosts_row), hosts);
    self->filling = FALSE;
  }
  if (preset)
    {
      ps_batch_form_set_preset (self, preset->name);
      return;
    }
  self->filling = TRUE;
  {
    g_autofree char *items = g_settings_get_string (self->settings, "last-items");
    g_autofree char *workload = g_settings_get_string (self->settings, "last-workload");

    gtk_editable_set_text (GTK_EDITABLE (self->items_row), items);
    show_workload (self, workload);
  }
  if (chunksize > 0)
    {
      g_autofree char *text = g_strdup_printf ("%d", chunksize);
      gtk_editable_set_text (GTK_EDITABLE (self->chunksize_row), text);
    }
  else
    gtk_editable_set_text (GTK_EDITABLE (self->chunksize_row), _("auto"));
  gtk_spin_button_set_value (self->workers_spin,
                             workers > 0 ? MIN ((guint) workers, PS_WORKERS_MAX) : ps_spec_default_workers ());
  adw_combo_row_set_selected (self->order_row, g_str_equal (order, "unordered") ? 1 : 0);
  adw_combo_row_set_selected (self->start_row, g_str_equal (start, "spawn") ? 1 : 0);
  self->filling = FALSE;
  schedule_check (self, 0);
}

/* ---- what the form hands out -------------------------------------------- */

/**
 * ps_batch_form_dup_spec:
 *
 * Returns: (transfer full) (nullable): the batch as last checked, or
 *   %NULL while a check is due or when a field is wrong
 */
PsSpec *
ps_batch_form_dup_spec (PsBatchForm *self)
{
  g_return_val_if_fail (PS_IS_BATCH_FORM (self), NULL);
  return self->spec && !ps_batch_form_is_checking (self) ? ps_spec_copy (self->spec) : NULL;
}

/**
 * ps_batch_form_commit:
 *
 * Takes what is typed in Workers but not yet entered (Ctrl+Return
 * pressed in the spin button): the form then checks it, and what it
 * hands out is what it shows.
 */
void
ps_batch_form_commit (PsBatchForm *self)
{
  g_return_if_fail (PS_IS_BATCH_FORM (self));
  gtk_spin_button_update (self->workers_spin);
}

gboolean
ps_batch_form_is_checking (PsBatchForm *self)
{
  g_return_val_if_fail (PS_IS_BATCH_FORM (self), FALSE);
  return self->check_id != 0 || self->checking != NULL;
}

gboolean
ps_batch_form_is_valid (PsBatchForm *self)
{
  g_return_val_if_fail (PS_IS_BATCH_FORM (self), FALSE);
  return self->spec != NULL && !ps_batch_form_is_checking (self);
}

const GError *
ps_batch_form_get_error (PsBatchForm  *self,
                         PsBatchField  field)
{
  g_return_val_if_fail (PS_IS_BATCH_FORM (self), NULL);
  g_return_val_if_fail (field < PS_BATCH_FIELD_N, NULL);
  return self->errors[field];
}

/**
 * ps_batch_form_set_running:
 * @pool_size: the workers of the run under way, 0 when none runs
 *
 * While a run goes on, a Workers value that is not its pool says that it
 * is for the next run.
 */
void
ps_batch_form_set_running (PsBatchForm *self,
                           guint        pool_size)
{
  g_return_if_fail (PS_IS_BATCH_FORM (self));
  self->running_pool = pool_size;
  update_note (self);
}

static void
workload_action (GtkWidget  *widget,
                 const char *action,
                 GVariant   *param)
{
  PsBatchForm *self = PS_BATCH_FORM (widget);

  show_workload (self, g_variant_get_string (param, NULL));
  gtk_widget_grab_focus (field_row (self, PS_BATCH_FIELD_WORKLOAD));
}

static void
ps_batch_form_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PsBatchForm *self = PS_BATCH_FORM (object);

  switch (prop_id)
    {
    case PROP_VALID:
      g_value_set_boolean (value, ps_batch_form_is_valid (self));
      break;
    case PROP_CHECKING:
      g_value_set_boolean (value, ps_batch_form_is_checking (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_batch_form_dispose (GObject *object)
{
  PsBatchForm *self = PS_BATCH_FORM (object);

  g_clear_handle_id (&self->check_id, g_source_remove);
  if (self->checking)
    g_cancellable_cancel (self->checking);
  g_clear_object (&self->checking);
  gtk_widget_dispose_template (GTK_WIDGET (self), PS_TYPE_BATCH_FORM);
  G_OBJECT_CLASS (ps_batch_form_parent_class)->dispose (object);
}

static void
ps_batch_form_finalize (GObject *object)
{
  PsBatchForm *self = PS_BATCH_FORM (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->spec, ps_spec_free);
  for (guint i = 0; i < PS_BATCH_FIELD_N; i++)
    g_clear_error (&self->errors[i]);
  g_free (self->replayed);
  G_OBJECT_CLASS (ps_batch_form_parent_class)->finalize (object);
}

static void
ps_batch_form_class_init (PsBatchFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = ps_batch_form_get_property;
  object_class->dispose = ps_batch_form_dispose;
  object_class->finalize = ps_batch_form_finalize;

  properties[PROP_VALID] =
    g_param_spec_boolean ("valid", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHECKING] =
    g_param_spec_boolean ("checking", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* a check ended and its answer is what the form shows */
  signals[CHECKED] = g_signal_new ("checked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Workers changed (by hand or not): the window may resize a run's pool */
  signals[WORKERS_CHANGED] = g_signal_new ("workers-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/poolscope/Poolscope/ps-batch-form.ui");
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, scroller);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, preset_row);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, preset_list);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, items_row);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, workload_row);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, kind_row);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, command_row);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, shell_row);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, shell_switch);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, program_row);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, workers_row);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, workers_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, chunksize_row);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, hosts_row);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, order_row);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, start_row);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, sample_row);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, form_error);
  gtk_widget_class_bind_template_child (widget_class, PsBatchForm, form_note);
  gtk_widget_class_install_action (widget_class, "form.workload", "s", workload_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ps_batch_form_init (PsBatchForm *self)
{
  guint n;
  const PsPreset *presets = ps_preset_list (&n);

  self->settings = g_settings_new (APP_ID);
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_string_list_append (self->preset_list, _("Custom"));
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (self->preset_list, _(presets[i].title));
  gtk_adjustment_set_value (self->workers_adjustment, ps_spec_default_workers ());
  adw_combo_row_set_selected (self->sample_row, DEFAULT_SAMPLE_ROW);

  g_signal_connect_swapped (self->preset_row, "notify::selected", G_CALLBACK (preset_selected), self);
  g_signal_connect_swapped (self->items_row, "changed", G_CALLBACK (form_changed), self);
  g_signal_connect_swapped (self->workload_row, "changed", G_CALLBACK (form_changed), self);
  g_signal_connect_swapped (self->command_row, "changed", G_CALLBACK (form_changed), self);
  g_signal_connect_swapped (self->program_row, "changed", G_CALLBACK (form_changed), self);
  g_signal_connect_swapped (self->shell_switch, "notify::active", G_CALLBACK (form_changed), self);
  g_signal_connect_swapped (self->kind_row, "notify::selected", G_CALLBACK (update_kind), self);
  g_signal_connect_swapped (self->kind_row, "notify::selected", G_CALLBACK (form_changed), self);
  g_object_set_data_full (G_OBJECT (self->command_row), "ps-help",
                          g_strdup (gtk_widget_get_tooltip_text (GTK_WIDGET (self->command_row))), g_free);
  g_object_set_data_full (G_OBJECT (self->program_row), "ps-help",
                          g_strdup (gtk_widget_get_tooltip_text (GTK_WIDGET (self->program_row))), g_free);
  g_signal_connect_swapped (self->chunksize_row, "changed", G_CALLBACK (pool_changed), self);
  g_object_set_data_full (G_OBJECT (self->hosts_row), "ps-help",
                          g_strdup (gtk_widget_get_tooltip_text (GTK_WIDGET (self->hosts_row))), g_free);
  g_signal_connect_swapped (self->hosts_row, "changed", G_CALLBACK (pool_changed), self);
  g_signal_connect_swapped (self->workers_spin, "value-changed", G_CALLBACK (pool_changed), self);
  g_signal_connect_swapped (self->workers_spin, "value-changed", G_CALLBACK (workers_changed), self);
  g_signal_connect_swapped (self->order_row, "notify::selected", G_CALLBACK (pool_changed), self);
  g_signal_connect_swapped (self->start_row, "notify::selected", G_CALLBACK (pool_changed), self);
  g_signal_connect_swapped (self->sample_row, "notify::selected", G_CALLBACK (pool_changed), self);
  restore (self);
}
