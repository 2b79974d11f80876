/* ps-cli-history.c: poolscope-run history [--json] [--search TEXT]
 *
 * The runs kept (by the app, and by `poolscope-run run --save`), newest
 * first, from the history's index (ps-history.c), brought in line with
 * the runs folder first, and made again from the logs when it is missing
 * or damaged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope-run"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ps-cli-run.h"
#include "ps-format.h"
#include "ps-history.h"

int
ps_cli_history (int    argc,
                char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsHistory) history = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autofree char *dir = ps_history_default_dir ();
  const char *search = NULL;
  gboolean json = FALSE, rebuilt = FALSE;

  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--search") && i + 1 < argc)
        search = argv[++i];
      else if (g_str_has_prefix (argv[i], "--search="))
        search = argv[i] + strlen ("--search=");
      else
        {
          fprintf (stderr, _("poolscope-run: history: unknown option “%s” (--json, --search TEXT)\n"), argv[i]);
          return 2;
        }
    }
  history = ps_history_open (dir, &rebuilt, &error);
  if (history == NULL || !ps_history_sync (history, &error) ||
      (runs = ps_history_list (history, search, &error)) == NULL)
    {
      fprintf (stderr, "poolscope-run: history: %s\n", error->message);
      return 3;
    }
  if (rebuilt && !json)
    fprintf (stderr, _("poolscope-run: history: the index was made again from the logs in %s\n"),
             ps_history_get_runs_dir (history));

  if (json)
    {
      GString *out = g_string_new ("[");

      for (guint i = 0; i < runs->len; i++)
        {
          g_autofree char *one = ps_history_run_to_json (g_ptr_array_index (runs, i));

          if (i > 0)
            g_string_append_c (out, ',');
          g_string_append (out, one);
        }
      g_string_append (out, "]\n");
      fputs (out->str, stdout);
      g_string_free (out, TRUE);
      return fflush (stdout) == 0 ? 0 : 3;
    }

  if (runs->len == 0)
    {
      printf (_("No runs kept yet (poolscope-run run --save …, or a run in the app)\n"));
      return 0;
    }
  printf ("%6s  %-19s  %-8s  %7s  %10s  %10s  %s\n", _("id"), _("started"), _("status"), _("workers"),
          _("tasks"), _("wall"), _("workload over items"));
  for (guint i = 0; i < runs->len; i++)
    {
      PsHistoryRun *run = g_ptr_array_index (runs, i);
      g_autoptr(GDateTime) when = run->started_ns > 0 ? g_date_time_new_from_unix_local (run->started_ns / 1000000000)
                                                      : NULL;
      g_autofree char *date = when ? g_date_time_format (when, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
      g_autofree char *wall = run->wall_ns >= 0 ? ps_format_duration (run->wall_ns) : g_strdup ("—");
      g_autofree char *tasks = ps_format_count (run->tasks);

      gboolean sweep = g_strcmp0 (run->kind, "sweep") == 0;
      g_autofree char *workers = sweep ? g_strdup (run->counts) : g_strdup_printf ("%u", run->workers);
      g_autofree char *what = NULL;

      if (sweep && run->recommended > 0)
        /* Translators: a kept sizing sweep in poolscope-run history */
        what = g_strdup_printf (_("sweep of %s over %s, recommends %u"), run->workload, run->items, run->recommended);
      else if (sweep)
        what = g_strdup_printf (_("sweep of %s over %s"), run->workload, run->items);
      else
        what = g_strdup_printf (_("%s over %s"), run->workload, run->items);
      printf ("%6" G_GINT64_FORMAT "  %-19s  %-8s  %7s  %10s  %10s  %s\n", run->id, date, run->status, workers,
              tasks, wall, what);
    }
  return fflush (stdout) == 0 ? 0 : 3;
}
