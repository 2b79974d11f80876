/* test-command.c: a command per item: replacement strings and quoting,
 * checked against a real /bin/sh
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ps-command.h"
#include "ps-error.h"

static char *
joined (char **argv)
{
  return g_strjoinv (" | ", argv);
}

static void
test_replacements (void)
{
  static const struct { const char *word; const char *item; const char *want; } cases[] = {
    { "{}", "dir/sub/name.tar.gz", "dir/sub/name.tar.gz" },
    { "{.}", "dir/sub/name.tar.gz", "dir/sub/name.tar" },
    { "{/}", "dir/sub/name.tar.gz", "name.tar.gz" },
    { "{//}", "dir/sub/name.tar.gz", "dir/sub" },
    { "{/.}", "dir/sub/name.tar.gz", "name.tar" },
    { "{//}", "name", "." },
    { "{.}", "a.b/c", "a.b/c" },         /* the extension is the basename's */
    { "{.}", ".bashrc", ".bashrc" },     /* a leading dot is the name */
    { "{#}-{%}", "x", "7-2" },
    { "in={}.out", "a b", "in=a b.out" },
    { "{", "x", "{" },
    { "{x}", "x", "{x}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *argv[] = { "prog", cases[i].word, NULL };
      g_autoptr(PsCommand) c = ps_command_new_argv (argv, NULL);
      g_auto(GStrv) out = ps_command_expand (c, cases[i].item, 7, 2);
      g_autofree char *shown = joined (out);

      g_test_message ("%s on %s: %s", cases[i].word, cases[i].item, shown);
      g_assert_cmpstr (out[1], ==, cases[i].want);
      /* a word with no replacement string: the item goes last */
      g_assert_cmpuint (g_strv_length (out), ==, ps_command_takes_item (c) ? 2 : 3);
    }
}

/* Items that are shell code stay text: run through a real /bin/sh, the
 * script prints exactly the item, and nothing it names is done. */
static void
test_shell_quoting (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ps-command-XXXXXX", NULL);
  g_autofree char *victim = g_build_filename (dir, "pwned", NULL);
  g_autofree char *subst = g_strdup_printf ("$(touch %s)", victim);
  g_autofree char *backq = g_strdup_printf ("`touch %s`", victim);
  g_autofree char *semi = g_strdup_printf ("a; touch %s", victim);
  g_autofree char *amp = g_strdup_printf ("a && touch %s", victim);
  g_autofree char *quote = g_strdup_printf ("it's'; touch %s; echo '", victim);
  const char *items[] = { subst, backq, semi, amp, quote, "\"double\" quotes", "new\nline", "-n", "$HOME",
                          "ünïcödé ✓", "*", "a\\b", "" };
  const char *scripts[] = { "printf '%s' {}", "printf '%s' \"{}\"", "printf '%s' '{}'", "printf '%s'",
                            "x={}; printf '%s' \"$x\"", "printf '%s' \"\\\"{}\\\"\"" };

  for (guint s = 0; s < G_N_ELEMENTS (scripts); s++)
    {
      g_autoptr(PsCommand) c = ps_command_new_shell (scripts[s], NULL);

      g_assert_true (ps_command_is_shell (c));
      for (guint i = 0; i < G_N_ELEMENTS (items); i++)
        {
          g_auto(GStrv) argv = ps_command_expand (c, items[i], 1, 1);
          g_autofree char *out = NULL;
          g_autoptr(GError) error = NULL;
          int status;

          g_assert_cmpstr (argv[0], ==, "/bin/sh");
          g_assert_true (g_spawn_sync (dir, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error));
          g_assert_no_error (error);
          g_test_message ("%s | %s → %s", scripts[s], items[i], argv[2]);
          if (s == 5)
            {
              /* an escaped quote inside double quotes is the script's text */
              g_autofree char *want = g_strdup_printf ("\"%s\"", items[i]);
              g_assert_cmpstr (out, ==, want);
            }
          else
            g_assert_cmpstr (out, ==, items[i]);
          g_assert_false (g_file_test (victim, G_FILE_TEST_EXISTS));
        }
    }
  g_rmdir (dir);
}

/* Without --shell no shell is involved at all: the item is one argument,
 * whatever it holds. */
static void
test_argv_no_shell (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ps-command-XXXXXX", NULL);
  g_autofree char *victim = g_build_filename (dir, "pwned", NULL);
  g_autofree char *subst = g_strdup_printf ("$(touch %s)", victim);
  const char *items[] = { subst, "a; rm -rf /nonexistent", "-n", "new\nline", "'\"", "" };
  const char *argv[] = { "printf", "%s", NULL };
  g_autoptr(PsCommand) c = ps_command_new_argv (argv, NULL);

  g_assert_false (ps_command_is_shell (c));
  g_assert_false (ps_command_takes_item (c));
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_auto(GStrv) run = ps_command_expand (c, items[i], 1, 1);
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      int status;

      g_assert_cmpuint (g_strv_length (run), ==, 3);
      g_assert_true (g_spawn_sync (dir, run, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, items[i]);
      g_assert_false (g_file_test (victim, G_FILE_TEST_EXISTS));
    }
  g_rmdir (dir);
}

static void
test_refused (void)
{
  const char *empty[] = { NULL };
  const char *blank[] = { "", NULL };
  GError *error = NULL;

  g_assert_null (ps_command_new_argv (empty, &error));
  g_assert_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (ps_command_new_argv (blank, &error));
  g_clear_error (&error);
  g_assert_null (ps_command_new_shell ("", &error));
  g_assert_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ps/command/replacements", test_replacements);
  g_test_add_func ("/ps/command/shell-quoting", test_shell_quoting);
  g_test_add_func ("/ps/command/argv-no-shell", test_argv_no_shell);
  g_test_add_func ("/ps/command/refused", test_refused);
  return g_test_run ();
}
