/* test-window.c: the main window, in process, with a screenshot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "ps-application.h"
#include "ps-window.h"

static void
save_png (GtkWidget  *widget,
          const char *name)
{
  GdkPaintable *paintable = gtk_widget_paintable_new (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_autofree char *path = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                            name, NULL);

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s (%dx%d)", path, w, h);
  g_object_unref (paintable);
}

static GtkWidget *
find_by_type_and_label (GtkWidget  *root,
                        GType       type,
                        const char *label)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type) &&
          (label == NULL || (GTK_IS_BUTTON (c) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (c)), label) == 0)))
        return c;
      if ((found = find_by_type_and_label (c, type, label)))
        return found;
    }
  return NULL;
}

static GtkWidget *
find_by_name (GtkWidget  *root,
              const char *name)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (c)), name) == 0)
        return c;
      if ((found = find_by_name (c, name)))
        return found;
    }
  return NULL;
}

/* A label whose text starts with @prefix, anywhere under @root. */
static GtkWidget *
find_label (GtkWidget  *root,
            const char *prefix)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (GTK_IS_LABEL (c) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (c)), prefix))
        return c;
      if ((found = find_label (c, prefix)))
        return found;
    }
  return NULL;
}

static PsApplication *app;

static void
test_window_shows (void)
{
  PsWindow *window;
  GtkWidget *run, *spin;

  window = ps_window_new (app);
  ps_window_set_preset (window, "square");
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Poolscope");
  run = find_by_type_and_label (GTK_WIDGET (window), GTK_TYPE_BUTTON, "Run");
  g_assert_nonnull (run);
  g_assert_true (gtk_widget_get_visible (run));
  spin = find_by_type_and_label (GTK_WIDGET (window), GTK_TYPE_SPIN_BUTTON, NULL);
  g_assert_nonnull (spin);
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_ROLE_SPIN_BUTTON);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)), ==, 6);
  g_assert_true (gtk_widget_is_sensitive (run));

  save_png (GTK_WIDGET (window), "main-window.png");

  /* the same in dark style, for a person to look at */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  gtk_widget_queue_draw (GTK_WIDGET (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  save_png (GTK_WIDGET (window), "main-window-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A bad value is said inline, naming the field, and Run is disabled;
 * nothing crashes, and a good value enables Run again. */
static void
test_form_validation (void)
{
  PsWindow *window;
  GtkWidget *run, *error_label;
  struct { const char *items; const char *workload; const char *chunksize; const char *says; } cases[] = {
    { "9..1", "square", "auto", "Items: " },
    { "1..99999999999999999999", "square", "auto", "Items: " },
    { "-9223372036854775808..9223372036854775807", "square", "auto", "Items: " },
    { "1..10:0", "square", "auto", "Items: " },
    { "", "square", "auto", "Items: " },
    { "a,b", "square", "auto", "Items: item 1" },
    { "@/nonexistent/items.txt", "print", "auto", "Items: " },
    { "-", "print", "auto", "Items: " },
    { "1..9", "cube", "auto", "Workload: " },
    { "1..9", "cpu:-1", "auto", "Workload: " },
    { "1..9", "sleep:1e999", "auto", "Workload: " },
    { "1..9", "crash:2", "auto", "Workload: " },
    { "1..9", "random:cpu:1", "auto", "Workload: " },
    { "1..9", "alloc:999999999999", "auto", "Workload: " },
    { "1..9", "square", "0", "Chunk size: " },
    { "1..9", "square", "-1", "Chunk size: " },
    { "1..9", "square", "99999999999999999999", "Chunk size: " },
    { "1..9", "square", "ten", "Chunk size: " },
  };

  window = ps_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  run = find_by_type_and_label (GTK_WIDGET (window), GTK_TYPE_BUTTON, "Run");
  error_label = find_by_name (GTK_WIDGET (window), "form_error");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ps_window_set_items (window, cases[i].items);
      ps_window_set_workload (window, cases[i].workload);
      ps_window_set_chunksize (window, cases[i].chunksize);
      g_test_message ("%s | %s | %s: %s", cases[i].items, cases[i].workload, cases[i].chunksize,
                      gtk_label_get_text (GTK_LABEL (error_label)));
      g_assert_false (gtk_widget_is_sensitive (run));
      g_assert_true (gtk_widget_get_visible (error_label));
      g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (error_label)), cases[i].says));

      ps_window_set_items (window, "1..9");
      ps_window_set_workload (window, "square");
      ps_window_set_chunksize (window, "auto");
      g_assert_true (gtk_widget_is_sensitive (run));
      g_assert_false (gtk_widget_get_visible (error_label));
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
status_starts_with (PsWindow   *window,
                    const char *prefix)
{
  GtkWidget *status = find_by_name (GTK_WIDGET (window), "status_label");
  return g_str_has_prefix (gtk_label_get_text (GTK_LABEL (status)), prefix);
}

/* A real run through the engine; each live view saved in light and dark. */
static void
live_run (const char *items,
          const char *workload,
          guint       workers,
          const char *prefix,
          const char *status_has)
{
  PsWindow *window = ps_window_new (app);
  const char *views[] = { "timeline", "resources", "ordering" };
  GtkWidget *status, *stack;
  gint64 end;

  ps_window_set_preset (window, "square");
  ps_window_set_items (window, items);
  ps_window_set_workload (window, workload);
  ps_window_set_workers (window, workers);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!status_starts_with (window, "Finished") && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  status = find_by_name (GTK_WIDGET (window), "status_label");
  g_test_message ("status: %s", gtk_label_get_text (GTK_LABEL (status)));
  g_assert_true (status_starts_with (window, "Finished"));
  if (status_has)
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (status)), status_has));

  /* the views keep being drawn from the frame clock: let them catch up */
  for (int i = 0; i < 5; i++)
    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  stack = find_by_name (GTK_WIDGET (window), "live_views");
  for (guint dark = 0; dark <= 1; dark++)
    {
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
      for (guint i = 0; i < G_N_ELEMENTS (views); i++)
        {
          g_autofree char *name = g_strdup_printf ("%s-%s%s.png", prefix, views[i], dark ? "-dark" : "");

          gtk_stack_set_visible_child_name (GTK_STACK (stack), views[i]);
          for (int k = 0; k < 3; k++)
            gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
          save_png (GTK_WIDGET (window), name);
        }
    }
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The engines among the children of this process. */
static guint
count_engines (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((tid = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/children", tid);
      g_autofree char *text = NULL;
      g_auto(GStrv) pids = NULL;

      if (!g_file_get_contents (path, &text, NULL, NULL))
        continue;
      pids = g_strsplit_set (g_strstrip (text), " ", -1);
      for (guint i = 0; pids[i]; i++)
        {
          g_autofree char *comm_path = g_strdup_printf ("/proc/%s/comm", pids[i]);
          g_autofree char *comm = NULL;

          if (*pids[i] && g_file_get_contents (comm_path, &comm, NULL, NULL) &&
              g_str_has_prefix (comm, "poolscope-run"))
            n++;
        }
    }
  return n;
}

static void
wait_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

/* Stop pressed while the run's memory is being made ready: the engine is
 * never asked, the window says so, and the next Run runs. */
static void
test_stop_before_start (void)
{
  PsWindow *window = ps_window_new (app);
  GtkWidget *status = find_by_name (GTK_WIDGET (window), "status_label");
  gint64 end;
  guint engines;

  ps_window_set_preset (window, "square");
  ps_window_set_items (window, "1..200000");
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  /* the windows of earlier tests may still be ending theirs */
  engines = count_engines ();

  /* no main-loop turn between them: the preparation cannot have ended */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==, "Stopped before the run started");
  wait_ms (500);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==, "Stopped before the run started");
  g_assert_cmpuint (count_engines (), <=, engines);

  ps_window_set_items (window, "1..9");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!status_starts_with (window, "Finished") && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("status: %s", gtk_label_get_text (GTK_LABEL (status)));
  g_assert_true (status_starts_with (window, "Finished: 9 tasks"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_live_cpu (void)
{
  live_run ("1..400", "random:cpu:5:3", 4, "live", NULL);
}

/* Crashes show as crashes: the run ends, the pool heals. */
static void
test_live_crash (void)
{
  /* the seed is the engine's default: 300 tasks at 3% crash some, surely */
  live_run ("1..300", "crash:0.03", 3, "crash", " crashed");
}

/* A saved run replays into the views; a cut-off one says so; junk is refused. */
static void
test_open_log (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ps-test-window-XXXXXX", NULL);
  g_autofree char *log = g_build_filename (dir, "run.jsonl", NULL);
  g_autofree char *cut = g_build_filename (dir, "cut.jsonl", NULL);
  g_autofree char *junk = g_build_filename (dir, "junk.jsonl", NULL);
  const char *engine = g_getenv ("POOLSCOPE_ENGINE");
  const char *argv[] = { engine, "run", "--items", "1..40", "--workload", "random:cpu:3:2", "--workers", "3",
                         "--log", log, "--quiet", "--format", "none", NULL };
  g_autofree char *contents = NULL;
  gsize len;
  int status;
  PsWindow *window;
  struct { const char *path; const char *want; } cases[] = {
    { log, "Finished: 40 tasks in" },
    { cut, "Error: " },
  };

  g_assert_nonnull (engine);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_file_get_contents (log, &contents, &len, NULL));
  /* the run killed while writing: the last line cut in the middle */
  g_assert_true (g_file_set_contents (cut, contents, len * 2 / 3, NULL));
  g_assert_true (g_file_set_contents (junk, "\x7f" "ELF\x02\x01\x01\0\0\0", 10, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (cases[i].path);
      GtkWidget *status_label;
      gint64 end;

      window = ps_window_new (app);
      gtk_window_present (GTK_WINDOW (window));
      ps_window_open_log (window, file);
      end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
      while (!status_starts_with (window, cases[i].want) && g_get_monotonic_time () < end)
        g_main_context_iteration (NULL, TRUE);
      status_label = find_by_name (GTK_WIDGET (window), "status_label");
      g_test_message ("%s: %s", cases[i].path, gtk_label_get_text (GTK_LABEL (status_label)));
      g_assert_true (status_starts_with (window, cases[i].want));
      g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (status_label)), "replayed from"));
      gtk_window_destroy (GTK_WINDOW (window));
    }

  /* not a log at all, or JSON whose error names "<data>" (markup once
   * read as such, an empty toast): a toast in words, and the window stays
   * as it was */
  for (guint k = 0; k < 2; k++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (k == 0 ? junk : cut);
      GtkWidget *toast;
      gint64 end;

      if (k == 1)
        g_assert_true (g_file_set_contents (cut, "{\"event\": <nope> & more}\n", -1, NULL));
      window = ps_window_new (app);
      gtk_window_present (GTK_WINDOW (window));
      ps_window_open_log (window, file);
      end = g_get_monotonic_time () + G_USEC_PER_SEC;
      while (g_get_monotonic_time () < end)
        g_main_context_iteration (NULL, FALSE);
      g_assert_true (status_starts_with (window, "Ready"));
      toast = find_label (GTK_WIDGET (window), "Could not open");
      g_assert_nonnull (toast);
      g_test_message ("toast: %s", gtk_label_get_text (GTK_LABEL (toast)));
      g_assert_cmpuint (strlen (gtk_label_get_text (GTK_LABEL (toast))), >, 20);
      gtk_window_destroy (GTK_WINDOW (window));
    }
  g_unlink (log);
  g_unlink (cut);
  g_unlink (junk);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  /* screenshots of a page, not of a crossfade between two */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  adw_init ();
  g_test_add_func ("/ps/window/shows", test_window_shows);
  g_test_add_func ("/ps/window/form-validation", test_form_validation);
  g_test_add_func ("/ps/window/live-cpu", test_live_cpu);
  g_test_add_func ("/ps/window/live-crash", test_live_crash);
  g_test_add_func ("/ps/window/stop-before-start", test_stop_before_start);
  g_test_add_func ("/ps/window/open-log", test_open_log);

  /* one application for every test: a process registers its id once */
  app = ps_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  return g_test_run ();
}
