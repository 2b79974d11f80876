/* ps-draw-main.c: poolscope-draw, the chart images of poolscope-run export
 *
 * Not a command for people: `poolscope-run export INPUT --to png|svg|pdf
 * [--chart NAME] [--size WxH]` checks the options and becomes this
 * program, as
 *
 *   poolscope-draw run|sweep INPUT TYPE CHART WIDTH HEIGHT OUTPUT
 *
 * (WIDTH, HEIGHT 0: the chart's own; OUTPUT "-": stdout). A run's log
 * is read into the app's run model and a sweep's into its PsSweep; the
 * views' own pure drawing (src/draw) makes the image. Exit status as
 * poolscope-run export: 0 done, 1 done with a log that stops early
 * (said), 2 bad input, 3 the file could not be written.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope-draw"

#include "config.h"

#include <locale.h>
#include <stdio.h>

#include <glib/gi18n-lib.h>

#include "ps-chart-image.h"
#include "ps-error.h"
#include "ps-log-reader.h"
#include "ps-run-model.h"
#include "ps-sweep.h"

static void
add_to_model (const PsEvent *e,
              gpointer       data)
{
  ps_run_model_add_event (data, e);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  guint64 width, height;
  const char *kind, *input, *type, *chart, *output;
  gboolean ok;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc != 8 || !g_ascii_string_to_unsigned (argv[5], 10, 0, PS_CHART_IMAGE_MAX, &width, NULL) ||
      !g_ascii_string_to_unsigned (argv[6], 10, 0, PS_CHART_IMAGE_MAX, &height, NULL) ||
      !ps_chart_image_type_is_known (argv[3]))
    {
      fprintf (stderr, _("poolscope-draw: this program draws the charts of “poolscope-run export "
                         "--to png|svg|pdf”: run that instead\n"));
      return 2;
    }
  kind = argv[1];
  input = argv[2];
  type = argv[3];
  chart = argv[4];
  output = argv[7];

  if (g_str_equal (kind, "sweep"))
    {
      g_autoptr(PsSweep) sweep = NULL;
      PsSweepChartKind chart_kind;

      if (!ps_chart_sweep_kind_from_name (chart, &chart_kind))
        {
          fprintf (stderr, _("poolscope-run: export: “%s” is not a chart of a sweep\n"), chart);
          return 2;
        }
      if (!(sweep = ps_sweep_load (input, &problem, &error)))
        {
          fprintf (stderr, "poolscope-run: export: %s\n", error->message);
          return 2;
        }
      ok = ps_chart_image_write_sweep (output, type, chart_kind, sweep, (int) width, (int) height, &error);
    }
  else
    {
      g_autoptr(PsRunModel) model = ps_run_model_new ();
      PsRunViewKind chart_kind;

      if (!ps_chart_run_kind_from_name (chart, &chart_kind))
        {
          fprintf (stderr, _("poolscope-run: export: “%s” is not a chart of a run\n"), chart);
          return 2;
        }
      if (!ps_log_foreach_batched (input, add_to_model, model, &problem, &error))
        {
          fprintf (stderr, "poolscope-run: export: %s\n", error->message);
          return 2;
        }
      if (problem && !ps_run_model_is_ended (model))
        ps_run_model_set_error (model, problem);
      ok = ps_chart_image_write_run (output, type, chart_kind, model, (int) width, (int) height, &error);
    }
  if (!ok)
    {
      fprintf (stderr, "poolscope-run: export: %s\n", error->message);
      return 3;
    }
  if (problem)
    {
      fprintf (stderr, _("poolscope-run: export: %s; the export has what came before\n"), problem);
      return 1;
    }
  return 0;
}
