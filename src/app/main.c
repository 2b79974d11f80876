/* main.c: the Poolscope application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>

#include "ps-application.h"

/* GApplication answers an option it does not know with exit status 1;
 * the README promises 2 for bad usage, as poolscope-run does. Only the
 * names are looked at here: the values are checked with the engine's
 * parsers in ps_application_handle_local_options(). */
static gboolean
options_known (int    argc,
               char **argv)
{
  static const char *const valued[] = { "--preset", "--workers", "-j", "--items", "--workload",
                                        "--chunksize", "--hosts", NULL };
  static const char *const flags[] = { "--run", "--version", "-h", "--help", "--help-all",
                                       "--help-gapplication", "--gapplication-service", NULL };

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *eq = strchr (arg, '=');
      g_autofree char *name = eq && g_str_has_prefix (arg, "--") ? g_strndup (arg, eq - arg) : g_strdup (arg);

      if (g_str_equal (arg, "--"))
        break;
      if (arg[0] != '-' || arg[1] == '\0')
        continue;
      if (g_str_has_prefix (arg, "-j") && arg[2] != '\0' && arg[2] != '-')
        continue; /* -j4 */
      if (g_strv_contains (valued, name))
        {
          if (eq == NULL)
            i++;
          continue;
        }
      if (g_strv_contains (flags, name))
        continue;
      g_printerr (_("poolscope: unknown option “%s” (try --help)\n"), name);
      return FALSE;
    }
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(PsApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!options_known (argc, argv))
    return 2;
  /* -j4 is -j 4, as in poolscope-run (GOption wants the value apart) */
  {
    g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
    int status;

    for (int i = 0; i < argc; i++)
      {
        if (i > 0 && g_str_has_prefix (argv[i], "-j") && argv[i][2] != '\0' && argv[i][2] != '-')
          {
            g_ptr_array_add (args, g_strdup ("-j"));
            g_ptr_array_add (args, g_strdup (argv[i] + 2));
          }
        else
          g_ptr_array_add (args, g_strdup (argv[i]));
      }
    app = ps_application_new ();
    status = g_application_run (G_APPLICATION (app), (int) args->len, (char **) args->pdata);
    return status;
  }
}
