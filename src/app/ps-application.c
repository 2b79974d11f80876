/* ps-application.c: the application object and its command line
 *
 * `poolscope [--preset NAME] [--workers N] [--items SPEC] [--workload SPEC] [--chunksize N] [--hosts SPEC]
 * [--run] [LOG]` opens a window with the batch filled in (and started).
 * Options are checked in the launching process, so that a mistake is told
 * on the terminal with exit status 2 and no window opens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "ps-application.h"
#include "ps-items.h"
#include "ps-spec.h"
#include "ps-window.h"
#include "ps-workload.h"

struct _PsApplication
{
  AdwApplication parent_instance;
  char          *engine_path;
};

G_DEFINE_FINAL_TYPE (PsApplication, ps_application, ADW_TYPE_APPLICATION)

#define PS_APP_MAX_WORKERS PS_WORKERS_MAX  /* as poolscope-run */

PsApplication *
ps_application_new (void)
{
  return g_object_new (PS_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/poolscope/Poolscope",
                       NULL);
}

/* The engine lives next to the app in a build tree, else in bindir. */
static char *
find_engine (void)
{
  const char *env = g_getenv ("POOLSCOPE_ENGINE");
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  if (env != NULL && *env)
    return g_strdup (env);
  if (self != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self);
      g_autofree char *built = g_build_filename (dir, "..", "cli", "poolscope-run", NULL);

      if (g_file_test (built, G_FILE_TEST_IS_EXECUTABLE))
        return g_canonicalize_filename (built, NULL);
    }
  return g_build_filename (BINDIR, "poolscope-run", NULL);
}

const char *
ps_application_get_engine_path (PsApplication *self)
{
  g_return_val_if_fail (PS_IS_APPLICATION (self), NULL);
  if (self->engine_path == NULL)
    self->engine_path = find_engine ();
  return self->engine_path;
}

static int
bad_option (const char *message)
{
  fprintf (stderr, "poolscope: %s\n", message);
  return 2;
}

/* Checks the options where the user can see the answer: on the terminal. */
static int
ps_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  const char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree const char **files = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      printf ("poolscope %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_variant_dict_lookup (options, "preset", "&s", &text) && ps_preset_lookup (text) == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("--preset: “%s” is not a known preset (hello, square, print-numbers)"), text);
      return bad_option (msg);
    }
  if (g_variant_dict_lookup (options, "workers", "&s", &text))
    {
      guint n;
      if (!ps_parse_workers (text, PS_APP_MAX_WORKERS, &n, &error))
        return bad_option (error->message);
    }
  if (g_variant_dict_lookup (options, "items", "&s", &text))
    {
      g_autoptr(PsItems) items = NULL;

      if (g_str_equal (text, "-"))
        return bad_option (_("--items: the app cannot read items from standard input; use @FILE"));
      if (!(items = ps_items_parse (text, &error)))
        {
          g_autofree char *msg = g_strdup_printf ("--items: %s", error->message);
          return bad_option (msg);
        }
    }
  if (g_variant_dict_lookup (options, "workload", "&s", &text))
    {
      PsWorkload w;
      if (!ps_workload_parse (text, &w, &error))
        {
          g_autofree char *msg = g_strdup_printf ("--workload: %s", error->message);
          return bad_option (msg);
        }
    }
  if (g_variant_dict_lookup (options, "chunksize", "&s", &text))
    {
      g_autoptr(PsSpec) spec = ps_spec_new ();
      char *argv[] = { (char *) "--chunksize", (char *) text, NULL };

      /* the engine's own parser: the same words, the same limits */
      if (!ps_spec_parse_args (spec, 2, argv, &error))
        return bad_option (error->message);
    }
  if (g_variant_dict_lookup (options, "hosts", "&s", &text) && *text)
    {
      g_autoptr(GPtrArray) hosts = ps_hosts_parse (text, &error);

      if (hosts == NULL)
        {
          g_autofree char *msg = g_strdup_printf ("--hosts: %s", error->message);
          return bad_option (msg);
        }
    }
  if (g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&ay", &files))
    {
      if (g_strv_length ((char **) files) > 1)
        return bad_option (_("give at most one run log to open"));
      if (!g_file_test (files[0], G_FILE_TEST_IS_REGULAR))
        {
          g_autofree char *msg = g_strdup_printf (_("cannot open the run log “%s”: no such file"), files[0]);
          return bad_option (msg);
        }
    }
  return -1;
}

static int
ps_application_command_line (GApplication            *app,
                             GApplicationCommandLine *cmdline)
{
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);
  PsWindow *window = ps_window_new (PS_APPLICATION (app));
  const char *text = NULL;
  g_autofree const char **files = NULL;

  if (g_variant_dict_lookup (options, "preset", "&s", &text))
    ps_window_set_preset (window, text);
  if (g_variant_dict_lookup (options, "workers", "&s", &text))
    ps_window_set_workers (window, (guint) g_ascii_strtoull (text, NULL, 10));
  if (g_variant_dict_lookup (options, "items", "&s", &text))
    ps_window_set_items (window, text);
  if (g_variant_dict_lookup (options, "workload", "&s", &text))
    ps_window_set_workload (window, text);
  if (g_variant_dict_lookup (options, "chunksize", "&s", &text))
    ps_window_set_chunksize (window, text);
  if (g_variant_dict_lookup (options, "hosts", "&s", &text))
    ps_window_set_hosts (window, text);
  gtk_window_present (GTK_WINDOW (window));

  if (g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&ay", &files) && files[0])
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (cmdline, files[0]);
      ps_window_open_log (window, file);
    }
  else if (g_variant_dict_contains (options, "run"))
    gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  return 0;
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       data)
{
  GtkApplication *app = data;
  static const char *developers[] = { "The Poolscope developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("Poolscope"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Poolscope developers"),
                         "version", PACKAGE_VERSION,
                         "comments", _("See how a pool of processes behaves, and pick the right pool size"),
                         "website", "https://github.com/poolscope/poolscope",
                         "issue-url", "https://github.com/poolscope/poolscope/issues",
                         "developers", developers,
                         "copyright", "© 2026 The Poolscope developers",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       data)
{
  g_application_quit (G_APPLICATION (data));
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "quit", quit_action },
};

static void
ps_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *run_accels[] = { "<Control>Return", NULL };
  static const char *stop_accels[] = { "Escape", NULL };
  static const char *open_accels[] = { "<Control>o", NULL };
  static const char *sweep_accels[] = { "<Control><Shift>Return", NULL };
  static const char *save_accels[] = { "<Control>s", NULL };
  static const char *export_accels[] = { "<Control>e", NULL };

  G_APPLICATION_CLASS (ps_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.run", run_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.stop", stop_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.open", open_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.sweep", sweep_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.save-log", save_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.export", export_accels);
  for (guint i = 0; i < 3; i++)
    {
      static const char *views[] = { "timeline", "resources", "ordering" };
      g_autofree char *detailed = g_strdup_printf ("win.show-view::%s", views[i]);
      g_autofree char *accel = g_strdup_printf ("<Alt>%u", i + 1);
      const char *accels[] = { accel, NULL };

      gtk_application_set_accels_for_action (GTK_APPLICATION (app), detailed, accels);
    }
}

static void
ps_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (ps_window_new (PS_APPLICATION (app))));
}

static void
ps_application_finalize (GObject *object)
{
  PsApplication *self = PS_APPLICATION (object);

  g_free (self->engine_path);
  G_OBJECT_CLASS (ps_application_parent_class)->finalize (object);
}

static void
ps_application_class_init (PsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ps_application_finalize;
  app_class->handle_local_options = ps_application_handle_local_options;
  app_class->command_line = ps_application_command_line;
  app_class->startup = ps_application_startup;
  app_class->activate = ps_application_activate;
}

static void
ps_application_init (PsApplication *self)
{
  static const GOptionEntry entries[] = {
    { "preset", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Fill in a preset: hello, square or print-numbers"), N_("NAME") },
    { "workers", 'j', 0, G_OPTION_ARG_STRING, NULL, N_("Worker processes, 1–1024"), N_("N") },
    { "items", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Items: 1..9, 1..100:3, a,b,c or @FILE"), N_("SPEC") },
    { "workload", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Workload, such as square, cpu:10 or sleep:50"), N_("SPEC") },
    { "chunksize", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Tasks handed to a worker at once, or auto"), N_("N") },
    { "hosts", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Hosts for the workers, as GNU parallel’s --sshlogin: 4/server1,:"), N_("SPEC") },
    { "run", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Start the batch at once"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL, NULL, NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[LOG] — a run log to open"));
}
