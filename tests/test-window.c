/* test-window.c: the main window, in process, with a screenshot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <sys/stat.h>

#include "ps-application.h"
#include "ps-batch-form.h"
#include "ps-chart.h"
#include "ps-progress-table.h"
#include "ps-sizing-page.h"
#include "ps-window.h"
#include "ps-window-private.h"
#include "ps-log-reader.h"
#include "ps-history.h"

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

static void
remember_deleted (PsHistoryPage      *page,
                  const char * const *paths,
                  const char         *title,
                  GStrv              *out)
{
  g_strfreev (*out);
  *out = g_strdupv ((char **) paths);
}

/* Every widget under @root named @name (gtk_widget_set_name). */
static void
collect_named (GtkWidget  *root,
               const char *name,
               GPtrArray  *out)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      if (g_strcmp0 (gtk_widget_get_name (c), name) == 0)
        g_ptr_array_add (out, c);
      collect_named (c, name, out);
    }
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

static GtkWidget *
find_by_type (GtkWidget *root,
              GType      type)
{
  return find_by_type_and_label (root, type, NULL);
}

/* Turns the main loop until the form's check of what it shows is over;
 * returns the longest the loop was away, in µs (the form must never
 * hold it). */
static gint64
wait_form_checked (PsWindow *window)
{
  PsBatchForm *form = PS_BATCH_FORM (find_by_type (GTK_WIDGET (window), PS_TYPE_BATCH_FORM));
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC, last = g_get_monotonic_time (), gap = 0;

  while (ps_batch_form_is_checking (form) && g_get_monotonic_time () < end)
    {
      gint64 now;

      g_main_context_iteration (NULL, FALSE);
      now = g_get_monotonic_time ();
      gap = MAX (gap, now - last);
      last = now;
      g_usleep (1000);
    }
  g_assert_false (ps_batch_form_is_checking (form));
  return gap;
}

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
  spin = find_by_name (GTK_WIDGET (window), "workers_spin");
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
      wait_form_checked (window);
      g_test_message ("%s | %s | %s: %s", cases[i].items, cases[i].workload, cases[i].chunksize,
                      gtk_label_get_text (GTK_LABEL (error_label)));
      g_assert_false (gtk_widget_is_sensitive (run));
      g_assert_true (gtk_widget_get_visible (error_label));
      g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (error_label)), cases[i].says));

      ps_window_set_items (window, "1..9");
      ps_window_set_workload (window, "square");
      ps_window_set_chunksize (window, "auto");
      wait_form_checked (window);
      g_assert_true (gtk_widget_is_sensitive (run));
      g_assert_false (gtk_widget_get_visible (error_label));
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Four wrong fields are four marks, each from its field's own check
 * (an error code, never a message matched): all at once. */
static void
test_form_all_errors (void)
{
  PsWindow *window = ps_window_new (app);
  PsBatchForm *form = PS_BATCH_FORM (find_by_type (GTK_WIDGET (window), PS_TYPE_BATCH_FORM));
  const char *rows[] = { "items_row", "workload_row", "chunksize_row", "hosts_row" };
  GtkWidget *error_label;

  gtk_window_present (GTK_WINDOW (window));
  ps_window_set_items (window, "5..1");
  ps_window_set_workload (window, "cpu:-1");
  ps_window_set_chunksize (window, "0");
  /* shell code where a host goes */
  ps_window_set_hosts (window, "4/$(touch x)");
  wait_form_checked (window);
  for (PsBatchField f = 0; f < PS_BATCH_FIELD_N; f++)
    {
      const GError *error = ps_batch_form_get_error (form, f);

      g_assert_nonnull (error);
      g_assert_true (error->domain == PS_BATCH_FORM_ERROR);
      g_assert_cmpint (error->code, ==, f);
      g_assert_true (gtk_widget_has_css_class (find_by_name (GTK_WIDGET (window), rows[f]), "error"));
    }
  error_label = find_by_name (GTK_WIDGET (window), "form_error");
  g_test_message ("%s", gtk_label_get_text (GTK_LABEL (error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "Items: "));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "\nWorkload: "));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "\nChunk size: "));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "\nHosts: host entry "));
  g_assert_null (ps_batch_form_dup_spec (form));
  g_assert_false (gtk_widget_is_sensitive (find_by_type_and_label (GTK_WIDGET (window), GTK_TYPE_BUTTON, "Run")));

  /* one field put right clears its mark alone */
  ps_window_set_workload (window, "square");
  wait_form_checked (window);
  g_assert_null (ps_batch_form_get_error (form, PS_BATCH_FIELD_WORKLOAD));
  g_assert_false (gtk_widget_has_css_class (find_by_name (GTK_WIDGET (window), "workload_row"), "error"));
  g_assert_nonnull (ps_batch_form_get_error (form, PS_BATCH_FIELD_ITEMS));
  g_assert_nonnull (ps_batch_form_get_error (form, PS_BATCH_FIELD_CHUNKSIZE));
  /* no hosts: this machine */
  ps_window_set_hosts (window, "");
  wait_form_checked (window);
  g_assert_null (ps_batch_form_get_error (form, PS_BATCH_FIELD_HOSTS));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A FIFO in Items is refused in words without being opened (it would
 * wait for a writer and eat its data), and a big item file is read off
 * the main loop: typing goes on meanwhile. */
static void
test_form_never_blocks (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ps-test-form-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "items.fifo", NULL);
  g_autofree char *big = g_build_filename (dir, "items.txt", NULL);
  g_autofree char *at_fifo = g_strconcat ("@", fifo, NULL);
  g_autofree char *at_big = g_strconcat ("@", big, NULL);
  g_autoptr(GString) lines = g_string_new (NULL);
  PsWindow *window = ps_window_new (app);
  PsBatchForm *form = PS_BATCH_FORM (find_by_type (GTK_WIDGET (window), PS_TYPE_BATCH_FORM));
  gint64 t0, gap;
  const GError *error;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  for (guint i = 0; i < 2000000; i++)
    g_string_append_printf (lines, "item-%u\n", i);
  g_assert_true (g_file_set_contents (big, lines->str, lines->len, NULL));

  gtk_window_present (GTK_WINDOW (window));
  ps_window_set_workload (window, "print");
  t0 = g_get_monotonic_time ();
  ps_window_set_items (window, at_fifo);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 100000);
  gap = wait_form_checked (window);
  g_test_message ("FIFO: checked in %.0f ms, longest main-loop gap %.1f ms",
                  (g_get_monotonic_time () - t0) / 1e3, gap / 1e3);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, G_USEC_PER_SEC);
  error = ps_batch_form_get_error (form, PS_BATCH_FIELD_ITEMS);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "named pipe"));

  /* 2,000,000 lines: each keystroke is answered at once, the check runs
   * in its thread (and a newer keystroke drops the older check) */
  t0 = g_get_monotonic_time ();
  ps_window_set_items (window, at_big);
  ps_window_set_items (window, "@");
  ps_window_set_items (window, at_big);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 100000);
  gap = wait_form_checked (window);
  g_test_message ("2,000,000 items: checked in %.0f ms, longest main-loop gap %.1f ms",
                  (g_get_monotonic_time () - t0) / 1e3, gap / 1e3);
  g_assert_cmpint (gap, <, 100000);
  g_assert_null (ps_batch_form_get_error (form, PS_BATCH_FIELD_ITEMS));
  g_assert_true (ps_batch_form_is_valid (form));
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (fifo);
  g_unlink (big);
  g_rmdir (dir);
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
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!status_starts_with (window, "Running") && !status_starts_with (window, "Finished") &&
         g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  if (status_starts_with (window, "Running"))
    {
      /* Workers changed mid-run resizes the pool there and then: a new
       * worker gets a row (and a lane), and the form has no note */
      GtkWidget *row = find_by_name (GTK_WIDGET (window), "workers_row");
      PsProgressTable *table = PS_PROGRESS_TABLE (find_by_type (GTK_WIDGET (window), PS_TYPE_PROGRESS_TABLE));
      gint64 until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

      ps_window_set_workers (window, workers + 1);
      g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "");
      while (ps_progress_table_get_n_rows (table) < workers + 1 && status_starts_with (window, "Running") &&
             g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, TRUE);
      g_test_message ("rows after the resize: %u", ps_progress_table_get_n_rows (table));
      if (status_starts_with (window, "Running"))
        g_assert_cmpuint (ps_progress_table_get_n_rows (table), ==, workers + 1);
    }
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

  /* a row per worker, each name whole; the summary counts what the status line counts */
  {
    PsProgressTable *table = PS_PROGRESS_TABLE (find_by_type (GTK_WIDGET (window), PS_TYPE_PROGRESS_TABLE));
    GtkWidget *summary = find_by_name (GTK_WIDGET (window), "summary_label");

    g_assert_cmpuint (ps_progress_table_get_n_rows (table), >=, workers);
    for (guint r = 0; r < ps_progress_table_get_n_rows (table); r++)
      {
        g_test_message ("%s | %s | %s | %s", ps_progress_table_get_text (table, r, PS_PROGRESS_WORKER),
                        ps_progress_table_get_text (table, r, PS_PROGRESS_START),
                        ps_progress_table_get_text (table, r, PS_PROGRESS_DONE),
                        ps_progress_table_get_text (table, r, PS_PROGRESS_NOW));
        g_assert_true (g_str_has_prefix (ps_progress_table_get_text (table, r, PS_PROGRESS_WORKER), "ForkPoolWorker-"));
      }
    g_test_message ("summary: %s", gtk_label_get_text (GTK_LABEL (summary)));
    {
      /* "Finished: 400 tasks in …" and "400 of 400 tasks done · …" */
      g_auto(GStrv) words = g_strsplit (gtk_label_get_text (GTK_LABEL (status)), " ", 3);
      g_autofree char *count = g_strconcat (words[1], " of ", NULL);

      g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (summary)), count));
    }
  }

  stack = find_by_name (GTK_WIDGET (window), "views");
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

static char *
text_view_text (GtkWidget *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* A command for each item, through the shell: its output in the
 * console, its exit status its result; a program that is not there is
 * said in the Command row before Run. */
static void
test_command (void)
{
  PsWindow *window = ps_window_new (app);
  PsBatchForm *form = PS_BATCH_FORM (find_by_type (GTK_WIDGET (window), PS_TYPE_BATCH_FORM));
  GtkWidget *run = find_by_type_and_label (GTK_WIDGET (window), GTK_TYPE_BUTTON, "Run");
  GtkWidget *command_row = find_by_name (GTK_WIDGET (window), "command_row");
  GtkWidget *error_label = find_by_name (GTK_WIDGET (window), "form_error");
  g_autofree char *output = NULL;
  gint64 end;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));

  ps_window_set_items (window, "a,b c,$(touch /nonexistent-pwned)");
  ps_window_set_workload (window, "command:no-such-program-xyz {}");
  wait_form_checked (window);
  g_assert_true (gtk_widget_get_visible (command_row));
  g_assert_false (gtk_widget_get_visible (find_by_name (GTK_WIDGET (window), "workload_row")));
  g_assert_true (gtk_widget_has_css_class (command_row, "error"));
  g_test_message ("%s", gtk_label_get_text (GTK_LABEL (error_label)));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (error_label)),
                                   "Command: the program “no-such-program-xyz” is not found in PATH"));
  g_assert_false (gtk_widget_is_sensitive (run));

  ps_window_set_workload (window, "command:echo 'unclosed");
  wait_form_checked (window);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (error_label)), "Command: the command"));

  /* the shell switch makes it a script; items stay values */
  ps_window_set_workload (window, "shell:echo \"out [{}]\"; echo \"err [{}]\" >&2");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (find_by_name (GTK_WIDGET (window), "shell_switch"))));
  wait_form_checked (window);
  g_assert_false (gtk_widget_has_css_class (command_row, "error"));
  g_assert_nonnull (ps_batch_form_dup_spec (form));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!status_starts_with (window, "Finished") && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (status_starts_with (window, "Finished"));
  for (int i = 0; i < 3; i++)
    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  output = text_view_text (find_by_name (GTK_WIDGET (window), "output_view"));
  g_test_message ("console:\n%s", output);
  g_assert_nonnull (strstr (output, "out [a]"));
  g_assert_nonnull (strstr (output, "out [b c]"));
  g_assert_nonnull (strstr (output, "out [$(touch /nonexistent-pwned)]"));
  g_assert_nonnull (strstr (output, "err [b c]"));
  save_png (GTK_WIDGET (window), "command-run.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static guint
count_run_logs (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d && g_dir_read_name (d))
    n++;
  return n;
}

static void
run_to_end (PsWindow *window)
{
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  while (!status_starts_with (window, "Running") && !status_starts_with (window, "Finished") &&
         g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  while (!status_starts_with (window, "Finished") && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (status_starts_with (window, "Finished"));
}

/* Each run keeps its log in the user's data folder (the oldest go beyond
 * the setting), and the run shown is exported by the engine, the window
 * never waiting. */
static void
test_keep_and_export (void)
{
  PsWindow *window = ps_window_new (app);
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "poolscope", "runs", NULL);
  g_autofree char *tmp = g_dir_make_tmp ("ps-test-export-XXXXXX", NULL);
  g_autofree char *csv_path = g_build_filename (tmp, "run.csv", NULL);
  g_autoptr(GFile) csv = g_file_new_for_path (csv_path);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(PsLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *path;
  gint64 end, last, gap = 0;

  g_test_message ("runs kept in %s", dir);
  g_settings_set_int (settings, "kept-runs", 2);
  ps_window_set_preset (window, "square");
  ps_window_set_items (window, "1..2000");
  ps_window_set_workload (window, "square");
  gtk_window_present (GTK_WINDOW (window));
  wait_form_checked (window);
  for (int i = 0; i < 3; i++)
    run_to_end (window);

  path = ps_run_session_get_log_path (window->session);
  g_assert_nonnull (path);
  g_assert_true (g_str_has_prefix (path, dir));
  log = ps_log_load (path, &error);
  g_assert_no_error (error);
  g_assert_null (log->problem);
  /* the last run's log, whole; the oldest of three gone */
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (count_run_logs (dir) > 2 && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (count_run_logs (dir), ==, 2);

  /* the History lists the kept runs, read in a thread, the last first */
  adw_view_stack_set_visible_child_name (window->view_stack, "history");
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (ps_history_page_get_n_runs (window->history_page) < 2 && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_test_message ("History: %u runs", ps_history_page_get_n_runs (window->history_page));
  g_assert_cmpuint (ps_history_page_get_n_runs (window->history_page), >=, 2);
  for (int k = 0; k < 3; k++)
    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  save_png (GTK_WIDGET (window), "history.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  for (int k = 0; k < 3; k++)
    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  save_png (GTK_WIDGET (window), "history-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  /* delete with Undo: off the list at once, back with Undo, gone after */
  {
    GtkColumnView *view = GTK_COLUMN_VIEW (find_by_type (GTK_WIDGET (window->history_page), GTK_TYPE_COLUMN_VIEW));
    GtkSelectionModel *selection = gtk_column_view_get_model (view);
    guint before = ps_history_page_get_n_runs (window->history_page);
    g_autofree char *victim = NULL;
    gint64 until;

    /* two selected: Compare shows them side by side */
    gtk_selection_model_select_all (selection);
    ps_history_page_compare (window->history_page);
    {
      GtkWindow *compare = g_object_get_data (G_OBJECT (window->history_page), "ps-compare-window");

      g_assert_nonnull (compare);
      g_assert_nonnull (find_label (GTK_WIDGET (compare), "Tasks a second against the first"));
      g_assert_nonnull (find_label (GTK_WIDGET (compare), "(the first)"));
      /* each run's timeline, CPU and memory charts, read in a thread, on one time scale */
      {
        g_autoptr(GPtrArray) timelines = g_ptr_array_new ();
        g_autoptr(GPtrArray) cpus = g_ptr_array_new ();
        gint64 read_by = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
        PsRunModel *a, *b;

        collect_named (GTK_WIDGET (compare), "compare-timeline", timelines);
        collect_named (GTK_WIDGET (compare), "compare-cpu", cpus);
        g_assert_cmpuint (timelines->len, ==, 2);
        g_assert_cmpuint (cpus->len, ==, 2);
        while (ps_chart_get_model (g_ptr_array_index (timelines, 1)) == NULL && g_get_monotonic_time () < read_by)
          g_main_context_iteration (NULL, FALSE);
        a = ps_chart_get_model (g_ptr_array_index (timelines, 0));
        b = ps_chart_get_model (g_ptr_array_index (timelines, 1));
        g_assert_nonnull (a);
        g_assert_nonnull (b);
        g_assert_true (ps_chart_get_model (g_ptr_array_index (cpus, 0)) == a);
        g_assert_cmpint (ps_run_model_get_n_done (a), >, 0);
        g_assert_cmpint (ps_run_model_get_span (a), ==, ps_run_model_get_span (b));
        g_assert_cmpint (ps_run_model_get_span (a), ==, MAX (ps_run_model_get_wall (a), ps_run_model_get_wall (b)));
      }
      for (int k = 0; k < 3; k++)
        gtk_test_widget_wait_for_draw (GTK_WIDGET (compare));
      save_png (GTK_WIDGET (compare), "history-compare.png");
      gtk_window_destroy (compare);
    }
    gtk_selection_model_select_item (selection, 1, TRUE);
    victim = g_strdup (ps_history_page_get_selected_log (window->history_page));
    g_assert_nonnull (victim);
    ps_history_page_delete_selected (window->history_page);
    g_assert_cmpuint (ps_history_page_get_n_runs (window->history_page), ==, before - 1);
    ps_history_page_undo_delete (window->history_page, victim);
    until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (ps_history_page_get_n_runs (window->history_page) < before && g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
    g_assert_cmpuint (ps_history_page_get_n_runs (window->history_page), ==, before);
    g_assert_true (g_file_test (victim, G_FILE_TEST_EXISTS));

    /* all selected: one toast for them all, the run shown in Live kept and
     * said to be; Undo brings every one back */
    {
      g_auto(GStrv) deleted = NULL;
      gulong id = g_signal_connect (window->history_page, "run-deleted", G_CALLBACK (remember_deleted), &deleted);

      gtk_selection_model_select_all (selection);
      ps_history_page_delete_selected (window->history_page);
      g_signal_handler_disconnect (window->history_page, id);
      g_assert_nonnull (deleted);
      g_test_message ("deleted %u of %u at once", g_strv_length (deleted), before);
      g_assert_cmpuint (g_strv_length (deleted), ==, before - 1);
      g_assert_cmpuint (ps_history_page_get_n_runs (window->history_page), ==, 1);
      /* the toast with Undo is the one shown; why one stays comes after it */
      g_assert_nonnull (find_label (GTK_WIDGET (window), before - 1 == 1 ? "Run deleted: " : "runs deleted"));
      for (guint i = 0; deleted[i]; i++)
        ps_history_page_undo_delete (window->history_page, deleted[i]);
      until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while (ps_history_page_get_n_runs (window->history_page) < before && g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
      g_assert_cmpuint (ps_history_page_get_n_runs (window->history_page), ==, before);
    }

    gtk_selection_model_select_item (selection, 1, TRUE);
    g_assert_cmpstr (ps_history_page_get_selected_log (window->history_page), ==, victim);
    ps_history_page_delete_selected (window->history_page);
    ps_history_page_finish_delete (window->history_page, victim);
    until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (g_file_test (victim, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
    g_assert_false (g_file_test (victim, G_FILE_TEST_EXISTS));
    g_assert_cmpuint (ps_history_page_get_n_runs (window->history_page), ==, before - 1);

    /* Export… on the History page: the selected row's run, by the engine */
    gtk_selection_model_select_item (selection, 0, TRUE);
    {
      g_autofree char *row_csv_path = g_build_filename (g_get_tmp_dir (), "ps-test-row.csv", NULL);
      g_autofree char *row_png_path = g_build_filename (g_get_tmp_dir (), "ps-test-row.png", NULL);
      g_autoptr(GFile) row_csv = g_file_new_for_path (row_csv_path);
      g_autoptr(GFile) row_png = g_file_new_for_path (row_png_path);
      g_autoptr(GdkTexture) texture = NULL;
      g_autofree char *row_text = NULL;

      g_unlink (row_csv_path);
      g_unlink (row_png_path);
      g_assert_cmpstr (ps_window_log_to_export (window, NULL), ==,
                       ps_history_page_get_selected_log (window->history_page));
      ps_window_export_to (window, row_csv, "csv");
      ps_window_export_to (window, row_png, "timeline-png");
      until = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
      while ((!g_file_test (row_csv_path, G_FILE_TEST_EXISTS) || !g_file_test (row_png_path, G_FILE_TEST_EXISTS)) &&
             g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
      g_assert_true (g_file_get_contents (row_csv_path, &row_text, NULL, NULL));
      g_assert_true (g_str_has_prefix (row_text, "task,item,worker,"));
      texture = gdk_texture_new_from_filename (row_png_path, NULL);
      g_assert_nonnull (texture);
      g_unlink (row_csv_path);
      g_unlink (row_png_path);
    }
  }
  /* off the History page, Export… is the run shown's again */
  adw_view_stack_set_visible_child_name (window->view_stack, "live");

  ps_window_export_to (window, csv, "csv");
  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  last = g_get_monotonic_time ();
  while (g_get_monotonic_time () < end)
    {
      g_autofree char *contents = NULL;
      gint64 now;

      g_main_context_iteration (NULL, FALSE);
      now = g_get_monotonic_time ();
      gap = MAX (gap, now - last);
      last = now;
      if (g_file_get_contents (csv_path, &contents, NULL, NULL) &&
          contents != NULL && g_str_has_suffix (contents, "\r\n"))
        {
          guint lines = 0;

          for (const char *p = contents; (p = strchr (p, '\n')); p++)
            lines++;
          if (lines == 2001)
            {
              text = g_steal_pointer (&contents);
              break;
            }
        }
      g_usleep (2000);
    }
  g_assert_nonnull (text);
  g_assert_true (g_str_has_prefix (text, "task,item,worker,pid,attempt,status,"));
  g_test_message ("exported 2,000 rows; the main loop's longest gap meanwhile %.1f ms", gap / 1000.0);
  g_assert_cmpint (gap, <, 500 * 1000);

  /* the timeline as PNG, SVG and PDF, drawn by the views' own drawing;
   * the SVG and the PDF read back by rsvg-convert and pdftoppm */
  {
    static const char *const types[] = { "png", "svg", "pdf" };

    for (guint i = 0; i < G_N_ELEMENTS (types); i++)
      {
        g_autofree char *name = g_strdup_printf ("timeline.%s", types[i]);
        g_autofree char *format = g_strdup_printf ("timeline-%s", types[i]);
        g_autofree char *image_path = g_build_filename (tmp, name, NULL);
        g_autofree char *png_path = g_build_filename (tmp, "read-back.png", NULL);
        g_autoptr(GFile) image = g_file_new_for_path (image_path);
        g_autoptr(GdkTexture) texture = NULL;
        g_autofree guchar *pixels = NULL;
        guint blue = 0;
        gint64 until = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

        ps_window_export_to (window, image, format);
        while (window->images_drawing > 0 && g_get_monotonic_time () < until)
          g_main_context_iteration (NULL, FALSE);
        g_assert_cmpuint (window->images_drawing, ==, 0);
        g_assert_true (g_file_test (image_path, G_FILE_TEST_IS_REGULAR));
        if (!g_str_equal (types[i], "png"))
          {
            g_autofree char *rsvg = g_find_program_in_path ("rsvg-convert");
            g_autofree char *pdftoppm = g_find_program_in_path ("pdftoppm");
            g_autofree char *stem = g_build_filename (tmp, "read-back", NULL);
            g_autoptr(GSubprocess) proc = NULL;

            if ((g_str_equal (types[i], "svg") && rsvg == NULL) || (g_str_equal (types[i], "pdf") && pdftoppm == NULL))
              {
                g_test_message ("no %s to read the %s back with (build-aux/dev installs it): skipped",
                                g_str_equal (types[i], "svg") ? "rsvg-convert" : "pdftoppm", types[i]);
                continue;
              }
            proc = g_str_equal (types[i], "svg")
                   ? g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, rsvg, "-o", png_path, image_path, NULL)
                   : g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, pdftoppm, "-png", "-r", "40", "-singlefile",
                                       image_path, stem, NULL);
            g_assert_no_error (error);
            g_assert_true (g_subprocess_wait_check (proc, NULL, &error));
            g_assert_no_error (error);
          }
        texture = gdk_texture_new_from_filename (g_str_equal (types[i], "png") ? image_path : png_path, &error);
        g_assert_no_error (error);
        pixels = g_malloc ((gsize) gdk_texture_get_width (texture) * gdk_texture_get_height (texture) * 4);
        gdk_texture_download (texture, pixels, gdk_texture_get_width (texture) * 4);
        /* the ok tasks' bars: blue, as on the screen (BGRA in memory) */
        for (gsize p = 0; p < (gsize) gdk_texture_get_width (texture) * gdk_texture_get_height (texture); p++)
          if (pixels[p * 4] > 150 && pixels[p * 4 + 2] < 120 && pixels[p * 4 + 1] < 180)
            blue++;
        g_test_message ("%s: %dx%d, %u blue pixels", types[i], gdk_texture_get_width (texture),
                        gdk_texture_get_height (texture), blue);
        g_assert_cmpuint (blue, >, 100);
        if (g_str_equal (types[i], "png"))
          {
            /* kept beside the screenshots, to be looked at */
            g_autofree char *keep = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                                      "export-timeline.png", NULL);
            g_autoptr(GFile) to = g_file_new_for_path (keep);

            g_file_copy (image, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL);
          }
        g_unlink (image_path);
        g_unlink (png_path);
      }
    /* the other charts: each drawn to its own image */
    {
      static const char *const others[] = { "ordering-png", "progress-png", "cpu-svg" };

      for (guint i = 0; i < G_N_ELEMENTS (others); i++)
        {
          g_autofree char *image_path = g_build_filename (tmp, others[i], NULL);
          g_autoptr(GFile) image = g_file_new_for_path (image_path);
          gint64 until = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
          struct stat st;

          ps_window_export_to (window, image, others[i]);
          while (window->images_drawing > 0 && g_get_monotonic_time () < until)
            g_main_context_iteration (NULL, FALSE);
          g_assert_cmpint (g_stat (image_path, &st), ==, 0);
          g_test_message ("%s: %" G_GINT64_FORMAT " bytes", others[i], (gint64) st.st_size);
          g_assert_cmpint (st.st_size, >, 1000);
          g_unlink (image_path);
        }
    }
  }

  /* a log opened from elsewhere joins the History; removed there, it is
   * forgotten and the file stays */
  {
    g_autofree char *outside = g_build_filename (tmp, "opened.jsonl", NULL);
    g_autoptr(GFile) from = g_file_new_for_path (ps_run_session_get_log_path (window->session));
    g_autoptr(GFile) to = g_file_new_for_path (outside);
    GtkColumnView *view = GTK_COLUMN_VIEW (find_by_type (GTK_WIDGET (window->history_page), GTK_TYPE_COLUMN_VIEW));
    GtkSelectionModel *selection = gtk_column_view_get_model (view);
    guint before = ps_history_page_get_n_runs (window->history_page);
    gint64 until = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    gboolean found = FALSE;

    g_assert_true (g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, NULL));
    ps_window_open_log (window, to);
    while (ps_history_page_get_n_runs (window->history_page) < before + 1 && g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
    g_assert_cmpuint (ps_history_page_get_n_runs (window->history_page), ==, before + 1);
    /* another run shown, so that the opened log is not the one in Live */
    run_to_end (window);
    until = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    while (ps_history_page_get_n_runs (window->history_page) < before + 1 && g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)) && !found; i++)
      {
        gtk_selection_model_select_item (selection, i, TRUE);
        found = g_strcmp0 (ps_history_page_get_selected_log (window->history_page), outside) == 0;
      }
    g_assert_true (found);
    ps_history_page_delete_selected (window->history_page);
    ps_history_page_finish_delete (window->history_page, outside);
    /* forgotten by the index: no reload brings it back */
    until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < until)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (5000);
      }
    found = FALSE;
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)) && !found; i++)
      {
        gtk_selection_model_select_item (selection, i, TRUE);
        found = g_strcmp0 (ps_history_page_get_selected_log (window->history_page), outside) == 0;
      }
    g_assert_false (found);
    g_assert_true (g_file_test (outside, G_FILE_TEST_EXISTS));
    g_unlink (outside);
  }

  g_settings_reset (settings, "kept-runs");
  g_unlink (csv_path);
  g_rmdir (tmp);
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
  wait_form_checked (window);
  /* the windows of earlier tests may still be ending theirs */
  engines = count_engines ();

  /* no main-loop turn between them: the preparation cannot have ended */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==, "Stopped before the run started");
  wait_ms (500);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==, "Stopped before the run started");
  g_assert_cmpuint (count_engines (), <=, engines);

  /* Run pressed while the form is checked runs once the check is over */
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
      /* the form shows the batch the log ran */
      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_by_name (GTK_WIDGET (window), "items_row"))), ==, "1..40");
      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_by_name (GTK_WIDGET (window), "workload_row"))), ==,
                       "random:cpu:3:2");
      g_assert_true (gtk_widget_get_visible (find_by_name (GTK_WIDGET (window), "form_note")));
      {
        PsProgressTable *table = PS_PROGRESS_TABLE (find_by_type (GTK_WIDGET (window), PS_TYPE_PROGRESS_TABLE));

        for (int k = 0; k < 3; k++)
          gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
        g_assert_cmpuint (ps_progress_table_get_n_rows (table), ==, 3);
        /* a cut-off run says what it knew: never "done" for a worker it lost sight of */
        for (guint r = 0; r < 3; r++)
          {
            const char *now = ps_progress_table_get_text (table, r, PS_PROGRESS_NOW);

            g_test_message ("%s: %s", ps_progress_table_get_text (table, r, PS_PROGRESS_WORKER), now);
            if (i == 1)
              g_assert_nonnull (strstr (now, "record stops"));
          }
      }
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

/* A 10^6-task log: read streaming in a thread, with a bar saying how
 * much is read once it takes half a second, and Stop leaving the window
 * as it was. */
static void
test_open_big_log (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ps-test-window-XXXXXX", NULL);
  g_autofree char *log = g_build_filename (dir, "big.jsonl", NULL);
  const char *engine = g_getenv ("POOLSCOPE_ENGINE");
  const char *argv[] = { engine, "run", "--items", "1..1000000", "--workload", "square", "--workers", "2",
                         "--log", log, "--quiet", "--format", "none", NULL };
  g_autoptr(GFile) file = g_file_new_for_path (log);
  int status;
  PsWindow *window;
  GtkWidget *revealer, *stop;
  gboolean shown = FALSE;
  gint64 start, end, took;

  g_assert_nonnull (engine);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  window = ps_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  revealer = find_by_name (GTK_WIDGET (window), "opening_revealer");
  stop = find_by_name (GTK_WIDGET (window), "opening_stop");
  g_assert_nonnull (revealer);
  g_assert_nonnull (stop);

  /* read to the end */
  start = g_get_monotonic_time ();
  ps_window_open_log (window, file);
  /* the status line says what is read until it is shown */
  g_assert_true (status_starts_with (window, "Opening big.jsonl"));
  end = start + 60 * G_USEC_PER_SEC;
  while (!status_starts_with (window, "Finished: 1,000,000 tasks") && g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, TRUE);
      shown |= gtk_revealer_get_reveal_child (GTK_REVEALER (revealer));
    }
  took = g_get_monotonic_time () - start;
  g_test_message ("opened 10^6 tasks in %.2f s; bar shown: %d", took / 1e6, shown);
  g_assert_true (status_starts_with (window, "Finished: 1,000,000 tasks"));
  /* the bar, when it was needed, and gone at the end */
  if (took > G_USEC_PER_SEC)
    g_assert_true (shown);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  gtk_window_destroy (GTK_WINDOW (window));

  /* Stop at once: nothing opened, nothing said amiss */
  window = ps_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  revealer = find_by_name (GTK_WIDGET (window), "opening_revealer");
  stop = find_by_name (GTK_WIDGET (window), "opening_stop");
  ps_window_open_log (window, file);
  g_signal_emit_by_name (stop, "clicked");
  end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (status_starts_with (window, "Ready"));
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  g_assert_null (find_label (GTK_WIDGET (window), "Could not open"));
  gtk_window_destroy (GTK_WINDOW (window));

  g_unlink (log);
  g_rmdir (dir);
}

/* The newest whole kept sweep in the app's runs folder, or NULL. */
static char *
newest_kept_sweep (void)
{
  g_autofree char *history = ps_history_default_dir ();
  g_autofree char *dir = g_build_filename (history, "runs", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  char *best = NULL;
  gint64 best_time = 0;
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL;
      struct stat st;

      if (g_stat (path, &st) != 0 || !g_file_get_contents (path, &text, NULL, NULL) ||
          !g_str_has_prefix (text, "{\"event\":\"sweep-run\"") || !strstr (text, "\"sweep-end\""))
        continue;
      if (best == NULL || st.st_mtime >= best_time)
        {
          g_free (best);
          best = g_steal_pointer (&path);
          best_time = st.st_mtime;
        }
    }
  return best;
}

/* A sweep from the Sizing page: real runs through the engine, one after
 * another on the Live page; the page fills with the points, the answer
 * and its table, and Use Recommended Size sets Workers. */
static void
test_sweep (void)
{
  PsWindow *window = ps_window_new (app);
  GtkWidget *counts, *table, *label, *use, *spin, *stack;
  PsSizingPage *page;
  gint64 end;

  ps_window_set_preset (window, "square");
  ps_window_set_items (window, "1..24");
  ps_window_set_workload (window, "sleep:10");
  ps_window_set_chunksize (window, "1");
  ps_window_set_workers (window, 1);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 900);
  gtk_window_present (GTK_WINDOW (window));
  wait_form_checked (window);
  page = PS_SIZING_PAGE (find_by_type (GTK_WIDGET (window), PS_TYPE_SIZING_PAGE));
  counts = find_by_name (GTK_WIDGET (window), "counts_row");

  /* a bad list is said on the page, and nothing runs */
  gtk_editable_set_text (GTK_EDITABLE (counts), "8..1");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sweep", NULL));
  g_assert_true (gtk_widget_has_css_class (counts, "error"));
  g_assert_true (gtk_widget_get_visible (find_by_name (GTK_WIDGET (window), "error_label")));
  g_assert_true (status_starts_with (window, "Ready"));

  gtk_editable_set_text (GTK_EDITABLE (counts), "1,2,4");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_by_name (GTK_WIDGET (window), "reps_spin")), 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sweep", NULL));
  g_assert_false (gtk_widget_has_css_class (counts, "error"));
  stack = find_by_name (GTK_WIDGET (window), "view_stack");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (stack)), ==, "sizing");
  label = find_by_name (GTK_WIDGET (window), "progress_label");
  end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), "Finished") && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("%s", gtk_label_get_text (GTK_LABEL (label)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "Finished: 7 runs");  /* a warm-up and 3 × 2 */
  g_test_message ("%s", ps_sizing_page_get_recommendation (page));
  g_assert_true (g_str_has_prefix (ps_sizing_page_get_recommendation (page), "Recommended: 4 workers"));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (find_by_name (GTK_WIDGET (window), "recommended_label"))),
                                   "Recommended: "));
  table = find_by_name (GTK_WIDGET (window), "table");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (table)))), ==, 3);
  /* the runs were shown as runs: the status line tells of the last one */
  g_assert_true (status_starts_with (window, "Finished: 24 tasks"));

  for (guint dark = 0; dark <= 1; dark++)
    {
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
      for (int k = 0; k < 3; k++)
        gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      save_png (GTK_WIDGET (window), dark ? "sizing-dark.png" : "sizing.png");
    }
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  use = find_by_name (GTK_WIDGET (window), "use_button");
  /* the answer is for the next run: Use sets Workers, and only then */
  spin = find_by_name (GTK_WIDGET (window), "workers_spin");
  g_assert_true (gtk_widget_is_sensitive (use));
  g_signal_emit_by_name (use, "clicked");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)), ==, 4);
  {
    g_autofree char *recommendation = g_strdup (ps_sizing_page_get_recommendation (page));
    g_autofree char *kept = NULL;
    g_autoptr(PsHistoryRun) run = NULL;
    g_autoptr(GFile) file = NULL;

    gtk_window_destroy (GTK_WINDOW (window));

    /* the sweep was kept as it went: the History's, and it opens in Sizing
     * with the same answer */
    end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while ((kept = newest_kept_sweep ()) == NULL && g_get_monotonic_time () < end)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (10000);
      }
    g_assert_nonnull (kept);
    run = ps_history_read_log (kept, NULL);
    g_assert_nonnull (run);
    g_assert_cmpstr (run->kind, ==, "sweep");
    g_assert_cmpstr (run->counts, ==, "1, 2, 4");
    g_assert_cmpuint (run->recommended, ==, 4);
    g_test_message ("kept sweep %s: %" G_GINT64_FORMAT " bytes", kept, run->size);

    window = ps_window_new (app);
    gtk_window_present (GTK_WINDOW (window));
    page = PS_SIZING_PAGE (find_by_type (GTK_WIDGET (window), PS_TYPE_SIZING_PAGE));
    file = g_file_new_for_path (kept);
    ps_window_open_log (window, file);
    end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (g_strcmp0 (ps_sizing_page_get_recommendation (page), recommendation) != 0 && g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, FALSE);
    g_assert_cmpstr (ps_sizing_page_get_recommendation (page), ==, recommendation);
    g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->view_stack), ==, "sizing");
    table = find_by_name (GTK_WIDGET (window), "table");
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (table)))), ==, 3);
    for (int k = 0; k < 3; k++)
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
    save_png (GTK_WIDGET (window), "sizing-kept.png");

    /* Export… on the Sizing page: the sweep's table and its charts */
    g_assert_nonnull (ps_window_sweep_to_export (window));
    {
      g_autofree char *csv_path = g_build_filename (g_get_tmp_dir (), "ps-test-sweep.csv", NULL);
      g_autofree char *png_path = g_build_filename (g_get_tmp_dir (), "ps-test-speedup.png", NULL);
      g_autoptr(GFile) csv = g_file_new_for_path (csv_path);
      g_autoptr(GFile) png = g_file_new_for_path (png_path);
      g_autofree char *text = NULL;
      g_autoptr(GdkTexture) texture = NULL;
      g_auto(GStrv) lines = NULL;

      g_unlink (csv_path);
      g_unlink (png_path);
      ps_window_export_to (window, csv, "sweep-csv");
      ps_window_export_to (window, png, "speedup-png");
      end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while ((!g_file_test (csv_path, G_FILE_TEST_EXISTS) || window->images_drawing > 0) &&
             g_get_monotonic_time () < end)
        g_main_context_iteration (NULL, FALSE);
      g_assert_true (g_file_get_contents (csv_path, &text, NULL, NULL));
      lines = g_strsplit (text, "\r\n", -1);
      g_assert_cmpuint (g_strv_length (lines), ==, 5);  /* a header, 1, 2 and 4 workers, "" */
      g_assert_true (g_str_has_prefix (lines[3], "4,2,"));
      g_assert_true (g_str_has_suffix (lines[3], ",true"));
      texture = gdk_texture_new_from_filename (png_path, NULL);
      g_assert_nonnull (texture);
      g_assert_cmpint (gdk_texture_get_width (texture), ==, 1600);
      g_unlink (csv_path);
      g_unlink (png_path);
    }
    gtk_window_destroy (GTK_WINDOW (window));
    g_unlink (kept);
  }
}

/* Stop in the middle of a sweep: the run under way ends, the sweep with
 * it, and the points keep the runs that finished. */
static void
test_sweep_stop (void)
{
  PsWindow *window = ps_window_new (app);
  GtkWidget *label;
  gint64 end;

  ps_window_set_preset (window, "square");
  ps_window_set_items (window, "1..8");
  ps_window_set_workload (window, "sleep:100");
  ps_window_set_chunksize (window, "1");
  gtk_window_present (GTK_WINDOW (window));
  wait_form_checked (window);
  gtk_editable_set_text (GTK_EDITABLE (find_by_name (GTK_WIDGET (window), "counts_row")), "1,2,4");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sweep", NULL));
  label = find_by_name (GTK_WIDGET (window), "progress_label");
  /* the warm-up (2 workers, 0.4 s) and one counted run, then Stop */
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), "Run 3 of") && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL));
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), "Stopped") && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("%s", gtk_label_get_text (GTK_LABEL (label)));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), "Stopped after 2 runs of 10"));
  g_assert_true (gtk_widget_get_visible (find_by_type_and_label (GTK_WIDGET (window), GTK_TYPE_BUTTON, "Sweep")));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The deepest widgets drawn beyond @root's sides: what clips a narrow
 * window (a widget given less than it needs is centred on its space and
 * cut on both sides). */
static guint
report_wide (GtkWidget *root,
             GtkWidget *widget,
             int        depth)
{
  guint found = 0;
  graphene_rect_t r;

  /* what is not shown clips nothing; a scrolled window's content may be wide */
  if (!gtk_widget_get_mapped (widget))
    return 0;
  if (!GTK_IS_SCROLLED_WINDOW (widget))
    for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
      found += report_wide (root, c, depth + 1);
  if (found == 0 && gtk_widget_compute_bounds (widget, root, &r) &&
      (r.origin.x < -2 || r.origin.x + r.size.width > gtk_widget_get_width (root) + 2))
    {
      g_test_message ("%*s%s (%s) is drawn from %.0f to %.0f of %d px", depth, "", G_OBJECT_TYPE_NAME (widget),
                      gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)) ?: "",
                      r.origin.x, r.origin.x + r.size.width, gtk_widget_get_width (root));
      return 1;
    }
  return found;
}

/* A phone-sized window (360 px) reaches every page, and nothing in it asks
 * for more room than it has: the form folds away, the switcher moves to
 * the bottom. */
static void
test_narrow (void)
{
  PsWindow *window = ps_window_new (app);
  const char *pages[] = { "live", "sizing", "history" };
  GtkWidget *bar, *stack;
  gint64 end;

  /* libadwaita 1.2's switcher bar, revealed without an animation, gives
   * its box a height of -1 (a warning, fatal here): reveal it as users see it */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", TRUE, NULL);
  /* GNOME's window buttons (its settings daemon says so; Xvfb has none) */
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);
  ps_window_set_preset (window, "square");
  ps_window_set_workers (window, 4);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  gtk_window_present (GTK_WINDOW (window));
  wait_form_checked (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!status_starts_with (window, "Finished") && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  for (int k = 0; k < 5; k++)
    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  bar = find_by_type (GTK_WIDGET (window), ADW_TYPE_VIEW_SWITCHER_BAR);
  g_assert_true (adw_view_switcher_bar_get_reveal (ADW_VIEW_SWITCHER_BAR (bar)));
  g_assert_true (adw_flap_get_folded (ADW_FLAP (find_by_name (GTK_WIDGET (window), "flap"))));
  stack = find_by_name (GTK_WIDGET (window), "view_stack");
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *name = g_strdup_printf ("narrow-%s.png", pages[i]);

      adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), pages[i]);
      wait_ms (400);  /* the crossfade */
      for (int k = 0; k < 3; k++)
        gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      g_test_message ("%s: %d px wide", pages[i], gtk_widget_get_width (GTK_WIDGET (window)));
      /* the content, within the window's frame (its shadow and border under Xvfb) */
      {
        GtkWidget *content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (window));

        g_assert_cmpint (gtk_widget_get_width (content), <=, 360);
        g_assert_cmpuint (report_wide (content, content, 0), ==, 0);
      }
      save_png (GTK_WIDGET (window), name);
    }
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  gtk_settings_reset_property (gtk_settings_get_default (), "gtk-decoration-layout");
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
  g_test_add_func ("/ps/window/form-all-errors", test_form_all_errors);
  g_test_add_func ("/ps/window/form-never-blocks", test_form_never_blocks);
  g_test_add_func ("/ps/window/live-cpu", test_live_cpu);
  g_test_add_func ("/ps/window/live-crash", test_live_crash);
  g_test_add_func ("/ps/window/stop-before-start", test_stop_before_start);
  g_test_add_func ("/ps/window/open-log", test_open_log);
  g_test_add_func ("/ps/window/open-big-log", test_open_big_log);
  g_test_add_func ("/ps/window/narrow", test_narrow);
  g_test_add_func ("/ps/window/sweep", test_sweep);
  g_test_add_func ("/ps/window/command", test_command);
  g_test_add_func ("/ps/window/keep-and-export", test_keep_and_export);
  g_test_add_func ("/ps/window/sweep-stop", test_sweep_stop);

  /* one application for every test: a process registers its id once */
  app = ps_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  return g_test_run ();
}
