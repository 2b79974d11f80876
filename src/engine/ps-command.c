/* ps-command.c: a command per item: GNU parallel's replacement strings,
 * with or without a shell
 *
 * A command is an argv, run as given (no shell: no item can be read as
 * shell code), or a script for /bin/sh -c. In both, these stand for a
 * part of the item, as in GNU parallel:
 *
 *   {}    the item               {.}   without its extension
 *   {/}   its basename           {//}  its directory ("." when none)
 *   {/.}  basename, no extension {#}   the task's number, from 1
 *   {%}   the worker's slot, from 1
 *
 * A command with none of them gets the item as its last argument. A
 * script never has an item pasted into it: each replacement becomes a
 * reference to a positional parameter of `sh -c SCRIPT sh PART…` ("$1"
 * outside quotes, ${1} inside double quotes, '"${1}"' inside single
 * ones), so the shell reads the item as a value, never as code: $(…),
 * `…`, ;, quotes and newlines stay text wherever the script puts them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ps-command.h"
#include "ps-error.h"

struct _PsCommand
{
  char    **argv;     /* argv mode: the words; shell mode: the script alone */
  gboolean  shell;
  gboolean  takes_item;
};

static const char *const replacements[] = { "{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "{%}", NULL };

static gboolean
has_replacement (const char *text)
{
  for (guint i = 0; replacements[i]; i++)
    if (strstr (text, replacements[i]) != NULL)
      return TRUE;
  return FALSE;
}

PsCommand *
ps_command_new_argv (const char * const *argv,
                     GError            **error)
{
  PsCommand *self;

  if (argv == NULL || argv[0] == NULL || argv[0][0] == '\0')
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("no command after “--” (give a program and its arguments)"));
      return NULL;
    }
  self = g_new0 (PsCommand, 1);
  self->argv = g_strdupv ((char **) argv);
  for (guint i = 0; argv[i]; i++)
    self->takes_item |= has_replacement (argv[i]);
  return self;
}

PsCommand *
ps_command_new_shell (const char  *script,
                      GError     **error)
{
  PsCommand *self;

  if (script == NULL || *script == '\0')
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("--shell: an empty script"));
      return NULL;
    }
  self = g_new0 (PsCommand, 1);
  self->argv = g_new0 (char *, 2);
  self->argv[0] = g_strdup (script);
  self->shell = TRUE;
  self->takes_item = has_replacement (script);
  return self;
}

void
ps_command_free (PsCommand *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->argv);
  g_free (self);
}

gboolean
ps_command_is_shell (const PsCommand *self)
{
  return self->shell;
}

/* Whether a replacement string says where the item goes (else it is
 * appended). */
gboolean
ps_command_takes_item (const PsCommand *self)
{
  return self->takes_item;
}


/* The item's last extension, of its basename only: "a.b/c" has none. */
static gsize
without_extension (const char *item)
{
  const char *slash = strrchr (item, '/');
  const char *base = slash ? slash + 1 : item;
  const char *dot = strrchr (base, '.');

  /* ".bashrc" is a name, not an extension */
  return dot && dot != base ? (gsize) (dot - item) : strlen (item);
}

static char *
make_part (const char *which,
           const char *item,
           guint64     seq,
           guint       slot)
{
  char *part;

  if (g_str_equal (which, "{}"))
    part = g_strdup (item);
  else if (g_str_equal (which, "{.}"))
    part = g_strndup (item, without_extension (item));
  else if (g_str_equal (which, "{/}"))
    part = g_path_get_basename (item);
  else if (g_str_equal (which, "{//}"))
    part = g_path_get_dirname (item);
  else if (g_str_equal (which, "{/.}"))
    {
      g_autofree char *base = g_path_get_basename (item);
      part = g_strndup (base, without_extension (base));
    }
  else if (g_str_equal (which, "{#}"))
    part = g_strdup_printf ("%" G_GUINT64_FORMAT, seq);
  else
    part = g_strdup_printf ("%u", slot);
  return part;
}

/* The replacement string at @p, or NULL: the longest that fits ({/.}
 * before {/}). */
static const char *
replacement_at (const char *p,
                gsize      *len)
{
  const char *which = NULL;

  *len = 0;
  if (*p != '{')
    return NULL;
  for (guint i = 0; replacements[i]; i++)
    {
      gsize l = strlen (replacements[i]);

      if (strncmp (p, replacements[i], l) == 0 && l > *len)
        {
          which = replacements[i];
          *len = l;
        }
    }
  return which;
}

/* A word as a shell reads it: as it is when nothing in it is special. */
static void
append_quoted (GString    *out,
               const char *word)
{
  if (*word != '\0' && strpbrk (word, " \t\n'\"\\$`;&|<>()*?[]{}~#!") == NULL)
    g_string_append (out, word);
  else
    {
      g_autofree char *quoted = g_shell_quote (word);
      g_string_append (out, quoted);
    }
}

/* @text with its replacements put in: as they are (an argv word, which
 * no shell reads), or quoted where a shell would need it (a script shown,
 * never run). */
static void
put_replaced (GString    *out,
              const char *text,
              const char *item,
              guint64     seq,
              guint       slot,
              gboolean    quote)
{
  for (const char *p = text; *p;)
    {
      gsize len;
      const char *which = replacement_at (p, &len);

      if (which)
        {
          g_autofree char *part = make_part (which, item, seq, slot);

          if (quote)
            append_quoted (out, part);
          else
            g_string_append (out, part);
          p += len;
        }
      else
        g_string_append_c (out, *p++);
    }
}

static char *
expand_word (const char *word,
             const char *item,
             guint64     seq,
             guint       slot)
{
  GString *out = g_string_new (NULL);

  put_replaced (out, word, item, seq, slot, FALSE);
  return g_string_free (out, FALSE);
}

/* A script: each replacement a reference to the next positional
 * parameter, written for the quoting it stands in; its value joins
 * @params. */
static char *
expand_script (const char *script,
               const char *item,
               guint64     seq,
               guint       slot,
               GPtrArray  *params)
{
  GString *out = g_string_new (NULL);
  enum { NORMAL, SINGLE, DOUBLE } state = NORMAL;

  for (const char *p = script; *p;)
    {
      gsize len;
      const char *which = state == SINGLE && *p != '{' ? NULL : replacement_at (p, &len);

      if (which)
        {
          guint n;

          g_ptr_array_add (params, make_part (which, item, seq, slot));
          n = params->len;
          if (state == NORMAL)
            g_string_append_printf (out, "\"${%u}\"", n);
          else if (state == DOUBLE)
            g_string_append_printf (out, "${%u}", n);
          else
            g_string_append_printf (out, "'\"${%u}\"'", n);
          p += len;
          continue;
        }
      /* the shell's own quoting, enough to know where a reference goes */
      if (state != SINGLE && *p == '\\' && p[1] != '\0')
        {
          g_string_append_len (out, p, 2);
          p += 2;
          continue;
        }
      if (state == NORMAL && *p == '\'')
        state = SINGLE;
      else if (state == SINGLE && *p == '\'')
        state = NORMAL;
      else if (state == NORMAL && *p == '"')
        state = DOUBLE;
      else if (state == DOUBLE && *p == '"')
        state = NORMAL;
      g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

/**
 * ps_command_expand:
 * @seq: the task's number, from 1
 * @slot: the worker's slot, from 1
 *
 * Returns: (transfer full): the argv to run for @item: the words with
 *   their replacements (the item appended when there is none), or
 *   /bin/sh -c SCRIPT sh PART… with each replacement a parameter
 */
char **
ps_command_expand (const PsCommand *self,
                   const char      *item,
                   guint64          seq,
                   guint            slot)
{
  GPtrArray *argv = g_ptr_array_new ();

  if (self->shell)
    {
      g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
      char *script = expand_script (self->argv[0], item, seq, slot, params);

      if (!self->takes_item)
        {
          /* the item last, as a word of its own */
          char *with = g_strconcat (script, " \"$1\"", NULL);

          g_free (script);
          script = with;
          g_ptr_array_add (params, g_strdup (item));
        }
      g_ptr_array_add (argv, g_strdup ("/bin/sh"));
      g_ptr_array_add (argv, g_strdup ("-c"));
      g_ptr_array_add (argv, script);
      g_ptr_array_add (argv, g_strdup ("sh"));   /* $0 */
      for (guint i = 0; i < params->len; i++)
        g_ptr_array_add (argv, g_strdup (g_ptr_array_index (params, i)));
    }
  else
    {
      for (guint i = 0; self->argv[i]; i++)
        g_ptr_array_add (argv, expand_word (self->argv[i], item, seq, slot));
      if (!self->takes_item)
        g_ptr_array_add (argv, g_strdup (item));
    }
  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (argv, FALSE);
}

/**
 * ps_command_display:
 * @seq: the task's number, from 1
 * @slot: the worker's slot, from 1 (0: not known)
 *
 * Returns: (transfer full): the command line that ran for @item, for
 *   people and logs (GNU parallel's joblog): the words with their
 *   replacements, quoted where a shell would need it; a script with the
 *   values put in. Never to be run: ps_command_expand() is what runs.
 */
char *
ps_command_display (const PsCommand *self,
                    const char      *item,
                    guint64          seq,
                    guint            slot)
{
  GString *out = g_string_new (NULL);

  if (self->shell)
    {
      put_replaced (out, self->argv[0], item, seq, slot, TRUE);
      if (!self->takes_item)
        {
          g_string_append_c (out, ' ');
          append_quoted (out, item);
        }
      return g_string_free (out, FALSE);
    }
  for (guint i = 0; self->argv[i]; i++)
    {
      g_autofree char *word = expand_word (self->argv[i], item, seq, slot);

      if (i > 0)
        g_string_append_c (out, ' ');
      append_quoted (out, word);
    }
  if (!self->takes_item)
    {
      g_string_append_c (out, ' ');
      append_quoted (out, item);
    }
  return g_string_free (out, FALSE);
}
