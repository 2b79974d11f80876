/* ps-cli-export.c: poolscope-run export INPUT --to FORMAT [-o FILE]
 *   [--chart NAME] [--size WxH]
 *
 * INPUT is a run log, a sweep's log or the id of a run in the history
 * (poolscope-run history). A run log is read in one pass
 * (ps_log_foreach_batched(): constant memory) and written in another
 * format (ps-export.c). A sweep's log is read back as the sweep
 * (ps_sweep_load()) and written as its table (csv, json). Chart images
 * (png, svg, pdf) are drawn by poolscope-draw, which this program
 * becomes (exec) once the options are checked: poolscope-run itself
 * links no cairo nor Pango. A log that stops early (a run cut off, a
 * damaged line) is exported up to there, and said.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope-run"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ps-cli-run.h"
#include "ps-error.h"
#include "ps-export.h"
#include "ps-history.h"
#include "ps-log-reader.h"
#include "ps-sweep.h"

#define CHART_MAX_SIDE 20000   /* as PS_CHART_IMAGE_MAX */

static const char *const run_charts[] = { "timeline", "cpu", "memory", "ordering", "progress", NULL };
static const char *const sweep_charts[] = { "speedup", "efficiency", "wall", "throughput", NULL };

/* The export goes to a file of its own beside @output, which takes
 * @output's name only when the export is whole: a failed or refused one
 * leaves what was there before. Returns the file's descriptor, or -1
 * with errno. */
static int
output_open (const char  *output,
             char       **tmp)
{
  mode_t mask;
  struct stat st;
  int fd;

  /* a device or a FIFO (/dev/null, a pipe) is written as it is */
  *tmp = NULL;
  if (stat (output, &st) == 0 && !S_ISREG (st.st_mode))
    return open (output, O_WRONLY | O_CLOEXEC);
  mask = umask (0);
  umask (mask);
  *tmp = g_strdup_printf ("%s.XXXXXX", output);
  fd = g_mkstemp_full (*tmp, O_WRONLY | O_CLOEXEC, 0666 & ~mask);
  if (fd >= 0)
    fchmod (fd, 0666 & ~mask);
  else
    g_clear_pointer (tmp, g_free);
  return fd;
}

static void
output_abort (int   fd,
              char *tmp)
{
  close (fd);
  unlink (tmp);
}

/* Closes @fd and gives it @output's name; FALSE with errno. */
static gboolean
output_commit (int         fd,
               const char *tmp,
               const char *output)
{
  if (close (fd) < 0)
    {
      int saved = errno;

      unlink (tmp);
      errno = saved;
      return FALSE;
    }
  if (rename (tmp, output) < 0)
    {
      int saved = errno;

      unlink (tmp);
      errno = saved;
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_image (const char *to)
{
  return g_strcmp0 (to, "png") == 0 || g_strcmp0 (to, "svg") == 0 || g_strcmp0 (to, "pdf") == 0;
}

/* WxH, each from 16 to CHART_MAX_SIDE pixels. */
static gboolean
parse_size (const char *text,
            guint      *width,
            guint      *height)
{
  g_auto(GStrv) parts = g_strsplit (text, "x", 3);
  guint64 w, h;

  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 16, CHART_MAX_SIDE, &w, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 16, CHART_MAX_SIDE, &h, NULL))
    return FALSE;
  *width = (guint) w;
  *height = (guint) h;
  return TRUE;
}

/* A history id (all digits, and no file of that name): its log. */
static char *
history_log (const char  *input,
             GError     **error)
{
  g_autofree char *dir = ps_history_default_dir ();
  g_autoptr(PsHistory) history = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  guint64 id;

  if (!g_ascii_string_to_unsigned (input, 10, 1, G_MAXINT64, &id, NULL))
    return NULL;
  if (!(history = ps_history_open (dir, NULL, error)) || !ps_history_sync (history, error) ||
      !(runs = ps_history_list (history, NULL, error)))
    return NULL;
  for (guint i = 0; i < runs->len; i++)
    {
      PsHistoryRun *run = g_ptr_array_index (runs, i);

      if (run->id == (gint64) id)
        return g_strdup (run->path);
    }
  g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
               _("no file “%s”, and no run %s in the history (poolscope-run history lists them)"),
               input, input);
  return NULL;
}

/* Where poolscope-draw is: beside this program (the build tree), else
 * where it is installed. */
static char *
find_draw_program (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self ? g_path_get_dirname (self) : NULL;
  g_autofree char *beside = dir ? g_build_filename (dir, "poolscope-draw", NULL) : NULL;
  const char *env = g_getenv ("POOLSCOPE_DRAW");

  if (env && *env)
    return g_strdup (env);
  if (beside && g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&beside);
  return g_build_filename (LIBEXECDIR, "poolscope-draw", NULL);
}

static int
export_sweep (const char *input,
              const char *to,
              int         fd,
              const char *output)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  g_autoptr(PsSweep) sweep = ps_sweep_load (input, &problem, &error);
  g_autoptr(GString) out = g_string_new (NULL);
  gsize done = 0;

  if (sweep == NULL)
    {
      fprintf (stderr, "poolscope-run: export: %s\n", error->message);
      return 2;
    }
  if (g_str_equal (to, "csv"))
    ps_sweep_to_csv (sweep, out);
  else
    {
      g_autofree char *json = ps_sweep_to_json (sweep);

      g_string_append (out, json);
      g_string_append_c (out, '\n');
    }
  while (done < out->len)
    {
      gssize n = write (fd, out->str + done, out->len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          fprintf (stderr, _("poolscope-run: export: cannot write “%s”: %s\n"), output ? output : "-",
                   g_strerror (saved));
          return 3;
        }
      done += n;
    }
  if (problem != NULL)
    {
      fprintf (stderr, _("poolscope-run: export: %s; the export has what came before\n"), problem);
      return 1;
    }
  return 0;
}

static gboolean
same_file (const char *a,
           const char *b)
{
  struct stat sa, sb;

  return stat (a, &sa) == 0 && stat (b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int
ps_cli_export (int    argc,
               char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsExporter) exporter = NULL;
  g_autofree char *problem = NULL;
  const char *input = NULL, *to = NULL, *output = NULL, *chart = NULL, *size = NULL;
  g_autofree char *from_history = NULL;
  g_autofree char *tmp = NULL;
  PsExportFormat format;
  guint width = 0, height = 0;
  gboolean sweep;
  int fd = STDOUT_FILENO;
  gboolean ok;

  for (int i = 0; i < argc; i++)
    {
      const char *arg = argv[i];
      const char **slot = NULL;

      if (g_str_equal (arg, "--to"))
        slot = &to;
      else if (g_str_equal (arg, "-o") || g_str_equal (arg, "--output"))
        slot = &output;
      else if (g_str_equal (arg, "--chart"))
        slot = &chart;
      else if (g_str_equal (arg, "--size"))
        slot = &size;
      else if (g_str_has_prefix (arg, "--chart="))
        {
          chart = arg + strlen ("--chart=");
          continue;
        }
      else if (g_str_has_prefix (arg, "--size="))
        {
          size = arg + strlen ("--size=");
          continue;
        }
      else if (g_str_has_prefix (arg, "--to="))
        {
          to = arg + strlen ("--to=");
          continue;
        }
      else if (g_str_has_prefix (arg, "--output="))
        {
          output = arg + strlen ("--output=");
          continue;
        }
      else if (arg[0] == '-' && arg[1] != '\0')
        {
          fprintf (stderr, _("poolscope-run: export: unknown option “%s”\n"), arg);
          return 2;
        }
      else if (input == NULL)
        {
          input = arg;
          continue;
        }
      else
        {
          fprintf (stderr, _("poolscope-run: export: one log at a time (“%s” is one too many)\n"), arg);
          return 2;
        }
      if (i + 1 >= argc)
        {
          fprintf (stderr, _("poolscope-run: export: %s needs a value\n"), arg);
          return 2;
        }
      *slot = argv[++i];
    }
  if (input == NULL)
    {
      fprintf (stderr, _("poolscope-run: export: which log? (poolscope-run export LOG --to %s)\n"),
               ps_export_format_list ());
      return 2;
    }
  if (to == NULL)
    {
      fprintf (stderr, _("poolscope-run: export: --to is needed: one of %s, png, svg, pdf\n"),
               ps_export_format_list ());
      return 2;
    }
  /* a run in the history, by its id */
  if (!g_file_test (input, G_FILE_TEST_EXISTS) && input[0] >= '0' && input[0] <= '9')
    {
      if (!(from_history = history_log (input, &error)))
        {
          if (error)
            {
              fprintf (stderr, "poolscope-run: export: %s\n", error->message);
              return 2;
            }
        }
      else
        input = from_history;
    }
  sweep = ps_log_is_sweep (input);
  if (size != NULL && !parse_size (size, &width, &height))
    {
      fprintf (stderr, _("poolscope-run: export: --size “%s”: give WIDTHxHEIGHT in pixels, "
                         "each from 16 to %u (e.g. 1600x600)\n"), size, CHART_MAX_SIDE);
      return 2;
    }
  if ((chart != NULL || size != NULL) && !is_image (to))
    {
      fprintf (stderr, _("poolscope-run: export: --chart and --size are for images: --to png, svg or pdf\n"));
      return 2;
    }
  if (is_image (to))
    {
      const char *const *charts = sweep ? sweep_charts : run_charts;
      g_autofree char *list = g_strjoinv (", ", (char **) charts);

      if (chart == NULL)
        chart = charts[0];
      if (!g_strv_contains (charts, chart))
        {
          fprintf (stderr, sweep ? _("poolscope-run: export: “%s” is not a chart of a sweep: one of %s\n")
                                 : _("poolscope-run: export: “%s” is not a chart of a run: one of %s\n"),
                   chart, list);
          return 2;
        }
    }
  else if (sweep && !g_str_equal (to, "csv") && !g_str_equal (to, "json"))
    {
      fprintf (stderr, _("poolscope-run: export: a sweep's log exports as csv, json, png, svg or pdf, "
                         "not “%s”\n"), to);
      return 2;
    }
  else if (!sweep && !ps_export_format_parse (to, &format, &error))
    {
      fprintf (stderr, "poolscope-run: export: %s\n", error->message);
      return 2;
    }
  if (output != NULL && !g_str_equal (output, "-"))
    {
      if (same_file (input, output))
        {
          fprintf (stderr, _("poolscope-run: export: “%s” is the log being read: writing there would "
                             "destroy it\n"), output);
          return 2;
        }
      /* an image's file is poolscope-draw's to make */
      if (!is_image (to) && (fd = output_open (output, &tmp)) < 0)
        {
          int saved = errno;
          fprintf (stderr, _("poolscope-run: export: cannot write “%s”: %s\n"), output, g_strerror (saved));
          return 3;
        }
    }
  else if (ps_cli_stdout_closed)
    {
      fprintf (stderr, _("poolscope-run: export: standard output is closed\n"));
      return 3;
    }

  if (is_image (to))
    {
      g_autofree char *draw = find_draw_program ();
      g_autofree char *w = g_strdup_printf ("%u", width);
      g_autofree char *h = g_strdup_printf ("%u", height);
      const char *draw_argv[] = { draw, sweep ? "sweep" : "run", input, to, chart, w, h,
                                  output ? output : "-", NULL };

      fflush (stdout);
      execv (draw, (char **) draw_argv);
      {
        int saved = errno;
        fprintf (stderr, _("poolscope-run: export: cannot draw charts: “%s”: %s (built without cairo "
                           "and Pango?)\n"), draw, g_strerror (saved));
      }
      return 3;
    }
  if (sweep)
    {
      int status = export_sweep (input, to, fd, output);

      if (fd != STDOUT_FILENO && !tmp)
        close (fd);
      if (tmp && status >= 2)
        output_abort (fd, tmp);
      else if (tmp && !output_commit (fd, tmp, output))
        {
          int saved = errno;
          fprintf (stderr, _("poolscope-run: export: cannot write “%s”: %s\n"), output, g_strerror (saved));
          return 3;
        }
      return status;
    }

  exporter = ps_exporter_new (format, fd);
  ok = ps_log_foreach_batched (input, ps_exporter_add, exporter, &problem, &error);
  if (!ok)
    {
      fprintf (stderr, "poolscope-run: export: %s\n", error->message);
      if (tmp)
        output_abort (fd, tmp);
      else if (fd != STDOUT_FILENO)
        close (fd);
      return 2;
    }
  if (!ps_exporter_finish (exporter, &error))
    {
      fprintf (stderr, "poolscope-run: export: %s\n", error->message);
      if (tmp)
        output_abort (fd, tmp);
      else if (fd != STDOUT_FILENO)
        close (fd);
      return 3;
    }
  if ((tmp && !output_commit (fd, tmp, output)) || (!tmp && fd != STDOUT_FILENO && close (fd) < 0))
    {
      int saved = errno;
      fprintf (stderr, _("poolscope-run: export: cannot write “%s”: %s\n"), output, g_strerror (saved));
      return 3;
    }
  if (problem != NULL)
    {
      /* what came before is exported; the rest is not there to export */
      fprintf (stderr, _("poolscope-run: export: %s; the export has what came before\n"), problem);
      return 1;
    }
  return 0;
}
