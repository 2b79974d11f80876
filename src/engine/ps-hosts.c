/* ps-hosts.c: the machines a pool's workers run on
 *
 * --hosts takes GNU parallel's --sshlogin syntax: entries separated by
 * commas, each
 *
 *   [SLOTS/][COMMAND WORDS… ][USER@]HOST     or     [SLOTS/]:
 *
 * where ":" is this machine, SLOTS the workers the host takes (else as
 * many as it has CPUs), and COMMAND the entry's own launcher ("ssh -p
 * 2222 host"). --hosts-file has one entry a line, with # comments, as
 * parallel's --sshloginfile.
 *
 * A worker on a host is started by its launcher's words (--launcher
 * 'TEMPLATE {host}', by default OpenSSH), then the remote program and
 * its arguments. OpenSSH gets a shared connection (ControlMaster) per
 * host: ps_host_launch_argv() adds the options, and quotes the remote
 * words for the remote shell, which ssh hands its command to. Any other
 * launcher (srun, docker exec -i) gets them as words of its own.
 *
 * Nothing here runs anything: the parsers are pure, and fuzzed with the
 * options (ps-spec.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-hosts"

#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "ps-error.h"
#include "ps-hosts.h"
#include "ps-spec.h"

#define HOSTS_FILE_MAX (1024 * 1024)

void
ps_host_free (PsHost *self)
{
  if (self == NULL)
    return;
  g_free (self->entry);
  g_free (self->login);
  g_free (self->name);
  g_strfreev (self->command);
  g_free (self);
}

/* A user or host name: letters, digits and . _ - (and : and [ ] of an
 * IPv6 address), never starting with "-" (ssh would take it for an
 * option). */
static gboolean
valid_name (const char *s,
            gboolean    host)
{
  if (*s == '\0' || *s == '-')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isalnum (*s) && !strchr ("._-", *s) && !(host && strchr (":[]%", *s)))
      return FALSE;
  return TRUE;
}

static gboolean
valid_login (const char *login)
{
  const char *at = strrchr (login, '@');
  g_autofree char *user = at ? g_strndup (login, at - login) : NULL;

  if (at != NULL && !valid_name (user, FALSE))
    return FALSE;
  return valid_name (at ? at + 1 : login, TRUE);
}

static char *
shown (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    return g_strdup ("?");
  if (g_utf8_strlen (text, -1) > 60)
    {
      g_autofree char *cut = g_utf8_substring (text, 0, 60);
      return g_strconcat (cut, "…", NULL);
    }
  return g_strdup (text);
}

static PsHost *
parse_entry (const char  *text,
             GError     **error)
{
  g_autoptr(PsHost) host = g_new0 (PsHost, 1);
  g_autofree char *entry = g_strstrip (g_strdup (text));
  g_autofree char *what = shown (entry);
  const char *rest = entry;
  const char *slash = strchr (entry, '/');
  g_auto(GStrv) words = NULL;
  int n_words = 0;
  g_autoptr(GError) local_error = NULL;

  host->entry = g_strdup (entry);
  if (*entry == '\0')
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("an empty host entry (hosts are separated by commas: 4/server1,:)"));
      return NULL;
    }
  /* SLOTS/: digits then a slash, as parallel's "8/server" */
  if (slash != NULL && slash > entry && strspn (entry, "0123456789") == (gsize) (slash - entry))
    {
      guint64 slots = 0;
      g_autofree char *digits = g_strndup (entry, slash - entry);

      if (!g_ascii_string_to_unsigned (digits, 10, 1, PS_WORKERS_MAX, &slots, NULL))
        {
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       _("host entry “%s”: the workers before “/” must be 1 to %u"), what, PS_WORKERS_MAX);
          return NULL;
        }
      host->slots = (guint) slots;
      rest = slash + 1;
    }
  while (g_ascii_isspace (*rest))
    rest++;
  for (const char *c = rest; *c; c++)
    if ((guchar) *c < 0x20 && *c != '\t')
      {
        g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                     _("host entry “%s”: it holds a line break or a control character"), what);
        return NULL;
      }
  if (g_str_equal (rest, ":"))
    {
      host->local = TRUE;
      host->login = g_strdup (":");
      return g_steal_pointer (&host);
    }
  if (*rest == '\0' || !g_shell_parse_argv (rest, &n_words, &words, &local_error))
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("host entry “%s”: give a host, [USER@]HOST, “ssh -p PORT HOST” or “:” for this machine"),
                   what);
      return NULL;
    }
  if (!valid_login (words[n_words - 1]))
    {
      g_autofree char *login = shown (words[n_words - 1]);

      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("host entry “%s”: “%s” is not a host name (letters, digits, “.”, “-” and “_”, "
                     "after USER@ if a user is given)"), what, login);
      return NULL;
    }
  if (n_words > 1 && words[0][0] == '-')
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("host entry “%s”: the words before the host are a command (such as ssh -p 2222); "
                     "“%s” is an option"), what, words[0]);
      return NULL;
    }
  host->login = g_strdup (words[n_words - 1]);
  if (n_words > 1)
    {
      g_free (words[n_words - 1]);
      words[n_words - 1] = NULL;
      host->command = g_steal_pointer (&words);
    }
  return g_steal_pointer (&host);
}

/* Names after the host (without the user); this machine by its name; a
 * name given twice (two ports of one host) gets #2, #3… */
static void
name_hosts (GPtrArray *hosts)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < hosts->len; i++)
    {
      PsHost *h = g_ptr_array_index (hosts, i);
      const char *at = strrchr (h->login, '@');
      g_autofree char *base = h->local ? g_strdup (g_get_host_name ()) : g_strdup (at ? at + 1 : h->login);
      char *name = g_strdup (base);

      for (guint k = 2; g_hash_table_contains (seen, name); k++)
        {
          g_free (name);
          name = g_strdup_printf ("%s#%u", base, k);
        }
      h->name = name;
      g_hash_table_add (seen, name);
    }
}

static gboolean
add_entries (GPtrArray   *hosts,
             const char  *text,
             const char  *where,
             GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      PsHost *h = parse_entry (parts[i], &local_error);

      if (h == NULL)
        {
          if (where != NULL)
            g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT, "%s: %s", where, local_error->message);
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_ptr_array_add (hosts, h);
    }
  return TRUE;
}

/**
 * ps_hosts_parse:
 * @spec: comma-separated entries, as GNU parallel's --sshlogin
 *
 * Returns: (transfer full) (element-type PsHost): the hosts, or %NULL
 *   with @error naming the entry that is wrong
 */
GPtrArray *
ps_hosts_parse (const char  *spec,
                GError     **error)
{
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_host_free);

  if (!g_utf8_validate (spec, -1, NULL))
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT, _("the hosts are not valid UTF-8 text"));
      return NULL;
    }
  if (!add_entries (hosts, spec, NULL, error))
    return NULL;
  if (hosts->len == 0)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("an empty host entry (hosts are separated by commas: 4/server1,:)"));
      return NULL;
    }
  name_hosts (hosts);
  return g_steal_pointer (&hosts);
}

/* Up to HOSTS_FILE_MAX + 1 bytes: a pipe (--hosts-file <(…)) is read
 * as it comes, /dev/zero is not read for ever. */
static gboolean
read_bounded (const char  *path,
              char       **text,
              gsize       *len,
              GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, error);
  char *buf;
  gsize got = 0;

  if (in == NULL)
    return FALSE;
  buf = g_malloc (HOSTS_FILE_MAX + 2);
  if (!g_input_stream_read_all (G_INPUT_STREAM (in), buf, HOSTS_FILE_MAX + 1, &got, NULL, error))
    {
      g_free (buf);
      return FALSE;
    }
  buf[got] = '\0';
  *text = buf;
  *len = got;
  return TRUE;
}

/**
 * ps_hosts_parse_file:
 * @path: one entry a line; blank lines and lines starting with # are skipped
 *
 * Returns: (transfer full) (element-type PsHost): the hosts, or %NULL
 *   with @error naming the file, the line and what is wrong
 */
GPtrArray *
ps_hosts_parse_file (const char  *path,
                     GError     **error)
{
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_host_free);
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) lines = NULL;
  gsize len;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT, _("--hosts-file: “%s” is a folder"), display);
      return NULL;
    }
  if (!read_bounded (path, &text, &len, &local_error))
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT, "--hosts-file: %s", local_error->message);
      return NULL;
    }
  if (len > HOSTS_FILE_MAX || memchr (text, '\0', len) != NULL || !g_utf8_validate (text, len, NULL))
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("--hosts-file: “%s” is not a list of hosts (a text file of at most 1 MiB, "
                     "one host a line)"), display);
      return NULL;
    }
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *where = g_strdup_printf ("--hosts-file %s:%u", display, i + 1);
      char *line = g_strstrip (lines[i]);

      if (*line == '\0' || *line == '#')
        continue;
      if (!add_entries (hosts, line, where, error))
        return NULL;
    }
  if (hosts->len == 0)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("--hosts-file: “%s” names no host"), display);
      return NULL;
    }
  name_hosts (hosts);
  return g_steal_pointer (&hosts);
}

/**
 * ps_hosts_check_launcher:
 * @launcher: words, with {host} where the host goes
 */
gboolean
ps_hosts_check_launcher (const char  *launcher,
                         GError     **error)
{
  g_auto(GStrv) words = NULL;
  gboolean has_host = FALSE;

  if (!g_utf8_validate (launcher, -1, NULL) || !g_shell_parse_argv (launcher, NULL, &words, NULL))
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("--launcher: the words cannot be split (check the quotes)"));
      return FALSE;
    }
  for (guint i = 0; words[i]; i++)
    has_host |= strstr (words[i], "{host}") != NULL;
  if (!has_host || words[0][0] == '-' || strstr (words[0], "{host}") != NULL)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("--launcher: give a program and its words with {host} where the host goes, "
                             "such as “srun -w {host} -N1 -n1” or “ssh -T {host}”"));
      return FALSE;
    }
  return TRUE;
}

/**
 * ps_hosts_check_programs:
 * @launcher: (nullable): the --launcher template
 *
 * Each launcher the hosts need is a program in PATH: said once, before
 * the run, rather than once a worker.
 */
gboolean
ps_hosts_check_programs (GPtrArray   *hosts,
                         const char  *launcher,
                         GError     **error)
{
  g_auto(GStrv) words = NULL;

  for (guint i = 0; i < hosts->len; i++)
    {
      PsHost *h = g_ptr_array_index (hosts, i);
      const char *program;
      g_autofree char *found = NULL;

      if (h->local)
        continue;
      if (h->command != NULL)
        program = h->command[0];
      else
        {
          if (words == NULL && !g_shell_parse_argv (launcher ? launcher : PS_LAUNCHER_DEFAULT, NULL, &words, NULL))
            return TRUE; /* refused by ps_hosts_check_launcher() */
          program = words[0];
        }
      found = g_find_program_in_path (program);
      if (found == NULL)
        {
          g_autofree char *what = shown (h->command ? h->entry : program);

          if (h->command != NULL)
            g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                         _("host entry “%s”: “%s” is not a program in PATH (the words before the host "
                           "are the command that reaches it, such as ssh -p 2222)"), what, program);
          else
            g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                         _("the launcher “%s” is not a program in PATH (install OpenSSH’s client, or "
                           "give another with --launcher)"), what);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
ps_hosts_any_remote (GPtrArray *hosts)
{
  for (guint i = 0; hosts && i < hosts->len; i++)
    if (!((PsHost *) g_ptr_array_index (hosts, i))->local)
      return TRUE;
  return FALSE;
}

gboolean
ps_launcher_is_ssh (const char * const *argv)
{
  g_autofree char *base = argv && argv[0] ? g_path_get_basename (argv[0]) : NULL;

  return base != NULL && g_str_equal (base, "ssh");
}

/**
 * ps_host_uses_ssh:
 * @launcher: the template (--launcher), for an entry without words of its own
 *
 * Returns: whether @self is reached with OpenSSH (a shared connection,
 *   the remote words as one line for its remote shell)
 */
gboolean
ps_host_uses_ssh (const PsHost *self,
                  const char   *launcher)
{
  g_auto(GStrv) words = NULL;

  if (self->command != NULL)
    return ps_launcher_is_ssh ((const char * const *) self->command);
  if (!g_shell_parse_argv (launcher ? launcher : PS_LAUNCHER_DEFAULT, NULL, &words, NULL))
    return TRUE; /* refused by ps_hosts_check_launcher(); launched as the default */
  return ps_launcher_is_ssh ((const char * const *) words);
}

static char *
replace_host (const char *word,
              const char *login)
{
  g_auto(GStrv) parts = g_strsplit (word, "{host}", -1);

  return g_strjoinv (login, parts);
}

/**
 * ps_host_launch_argv:
 * @launcher: the template (--launcher), for an entry without words of its own
 * @control_path: (nullable): the shared connection's socket, for ssh
 * @master: this command opens the connection; else it uses it
 * @remote_argv: the program to run there and its arguments
 *
 * Returns: (transfer full): the command that starts @remote_argv on the host
 */
char **
ps_host_launch_argv (const PsHost        *self,
                     const char          *launcher,
                     const char          *control_path,
                     gboolean             master,
                     const char * const  *remote_argv)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) words = NULL;
  guint host_at = 0;
  gboolean ssh = ps_host_uses_ssh (self, launcher);

  if (self->command != NULL)
    {
      words = g_strdupv (self->command);
      for (guint i = 0; words[i]; i++)
        g_ptr_array_add (argv, g_strdup (words[i]));
      host_at = argv->len;
      g_ptr_array_add (argv, g_strdup (self->login));
    }
  else
    {
      if (!g_shell_parse_argv (launcher ? launcher : PS_LAUNCHER_DEFAULT, NULL, &words, NULL))
        g_shell_parse_argv (PS_LAUNCHER_DEFAULT, NULL, &words, NULL);
      for (guint i = 0; words[i]; i++)
        {
          if (strstr (words[i], "{host}") != NULL && host_at == 0)
            host_at = i;
          g_ptr_array_add (argv, replace_host (words[i], self->login));
        }
    }
  if (ssh)
    {
      /* before the host: the user's own options, earlier, win (ssh takes
       * the first value of each); never a password prompt, never a hang */
      const char *defaults[] = { "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
                                 "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3" };
      for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
        g_ptr_array_insert (argv, host_at + i, g_strdup (defaults[i]));
      /* right after ssh: the shared connection is the pool's, whatever the
       * user's config says; a session outside it opens none of its own
       * (a ControlPersist of the user's would outlive the run) */
      if (control_path == NULL)
        {
          const char *none[] = { "-o", "ControlMaster=no", "-o", "ControlPath=none" };
          for (guint i = 0; i < G_N_ELEMENTS (none); i++)
            g_ptr_array_insert (argv, 1 + i, g_strdup (none[i]));
        }
      else
        {
          const char *mux[] = { "-o", master ? "ControlMaster=yes" : "ControlMaster=no",
                                "-o", NULL, "-o", "ControlPersist=no" };
          g_autofree char *cp = g_strconcat ("ControlPath=", control_path, NULL);

          mux[3] = cp;
          for (guint i = 0; i < G_N_ELEMENTS (mux); i++)
            g_ptr_array_insert (argv, 1 + i, g_strdup (mux[i]));
        }
      /* ssh hands its command to the remote user's shell: one quoted line */
      {
        GString *line = g_string_new (NULL);

        for (guint i = 0; remote_argv[i]; i++)
          {
            g_autofree char *q = g_shell_quote (remote_argv[i]);
            if (i > 0)
              g_string_append_c (line, ' ');
            g_string_append (line, q);
          }
        g_ptr_array_add (argv, g_string_free (line, FALSE));
      }
    }
  else
    for (guint i = 0; remote_argv[i]; i++)
      g_ptr_array_add (argv, g_strdup (remote_argv[i]));

  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&argv), FALSE);
}
