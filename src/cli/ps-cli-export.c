/* ps-cli-export.c: poolscope-run export LOG --to FORMAT [-o FILE]
 *
 * Reads a run log in one pass (ps_log_foreach_batched(): constant memory) and
 * writes it in another format (ps-export.c). A log that stops early (a
 * run cut off, a damaged line) is exported up to there, and said.
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

#include "ps-cli-run.h"
#include "ps-error.h"
#include "ps-export.h"
#include "ps-log-reader.h"

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
  const char *input = NULL, *to = NULL, *output = NULL;
  PsExportFormat format;
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
      fprintf (stderr, _("poolscope-run: export: --to is needed: one of %s\n"), ps_export_format_list ());
      return 2;
    }
  if (!ps_export_format_parse (to, &format, &error))
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
      fd = open (output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
      if (fd < 0)
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

  exporter = ps_exporter_new (format, fd);
  ok = ps_log_foreach_batched (input, ps_exporter_add, exporter, &problem, &error);
  if (!ok)
    {
      fprintf (stderr, "poolscope-run: export: %s\n", error->message);
      if (fd != STDOUT_FILENO)
        {
          close (fd);
          unlink (output);
        }
      return 2;
    }
  if (!ps_exporter_finish (exporter, &error))
    {
      fprintf (stderr, "poolscope-run: export: %s\n", error->message);
      if (fd != STDOUT_FILENO)
        close (fd);
      return 3;
    }
  if (fd != STDOUT_FILENO && close (fd) < 0)
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
