/* ps-items.c: the items of a batch
 *
 * Items are either an integer range, kept as three numbers however long it
 * is, or a list of text items packed into one buffer with an offset table,
 * so ten million lines cost two allocations, not ten million.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-items"

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "ps-error.h"
#include "ps-items.h"

G_DEFINE_QUARK (ps-error-quark, ps_error)

struct _PsItems
{
  gatomicrefcount ref_count;
  gboolean is_range;
  /* range */
  gint64 first;
  gint64 step;
  guint64 count;
  /* list: items are NUL-terminated inside text */
  char *text;
  gsize *offsets;
};

static PsItems *
ps_items_alloc (void)
{
  PsItems *self = g_new0 (PsItems, 1);

  g_atomic_ref_count_init (&self->ref_count);
  return self;
}

/**
 * ps_items_new_range:
 * @first: the first item
 * @last: the last item, included when the step lands on it
 * @step: the distance between items, at least 1
 *
 * Returns: (transfer full): the items, or %NULL when the range is empty or
 *   too large
 */
PsItems *
ps_items_new_range (gint64   first,
                    gint64   last,
                    gint64   step,
                    GError **error)
{
  PsItems *self;
  guint64 span;

  if (step < 1)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("the step of a range must be at least 1, not %" PRId64), step);
      return NULL;
    }
  if (last < first)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("the range %" PRId64 "..%" PRId64 " is empty"
                     " (the end is before the start)"), first, last);
      return NULL;
    }

  /* The difference of two gint64 always fits a guint64. */
  span = (guint64) last - (guint64) first;
  /* not span / step + 1 > max: for the whole gint64 range that sum wraps to 0 */
  if (span / (guint64) step >= PS_ITEMS_MAX_COUNT)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("the range has more than %" PRIu64 " items"), PS_ITEMS_MAX_COUNT);
      return NULL;
    }

  self = ps_items_alloc ();
  self->is_range = TRUE;
  self->first = first;
  self->step = step;
  self->count = span / (guint64) step + 1;
  return self;
}

static gboolean
parse_int (const char  *text,
           const char  *what,
           const char  *spec,
           gint64      *out,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, out, &local_error))
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("%s “%s” in “%s” is not an integer in range"), what, text, spec);
      return FALSE;
    }
  return TRUE;
}

/* A range looks like A..B or A..B:S with integers; anything else is a list. */
static gboolean
looks_like_range (const char *spec)
{
  const char *dots = strstr (spec, "..");

  if (dots == NULL || dots == spec || strchr (spec, ',') != NULL)
    return FALSE;
  for (const char *p = spec; *p; p++)
    if (!(g_ascii_isdigit (*p) || *p == '-' || *p == '+' || *p == '.' || *p == ':' || *p == ' '))
      return FALSE;
  return TRUE;
}

static PsItems *
parse_range (const char  *spec,
             GError     **error)
{
  g_autofree char *copy = g_strstrip (g_strdup (spec));
  char *dots = strstr (copy, "..");
  char *colon;
  gint64 first, last, step = 1;

  *dots = '\0';
  colon = strchr (dots + 2, ':');
  if (colon != NULL)
    {
      *colon = '\0';
      if (!parse_int (colon + 1, _("the step"), spec, &step, error))
        return NULL;
    }
  if (!parse_int (copy, _("the start"), spec, &first, error) ||
      !parse_int (dots + 2, _("the end"), spec, &last, error))
    return NULL;

  return ps_items_new_range (first, last, step, error);
}

/* Builds a list from @n items found in @pieces. */
static PsItems *
list_from_pieces (GPtrArray  *pieces,
                  GError    **error)
{
  PsItems *self;
  gsize total = 0, pos = 0;

  if (pieces->len == 0)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT, _("the batch has no items"));
      return NULL;
    }

  for (guint i = 0; i < pieces->len; i++)
    total += strlen (g_ptr_array_index (pieces, i)) + 1;

  self = ps_items_alloc ();
  self->count = pieces->len;
  self->text = g_malloc (total);
  self->offsets = g_new (gsize, pieces->len);
  for (guint i = 0; i < pieces->len; i++)
    {
      const char *s = g_ptr_array_index (pieces, i);
      gsize n = strlen (s) + 1;

      self->offsets[i] = pos;
      memcpy (self->text + pos, s, n);
      pos += n;
    }
  return self;
}

static PsItems *
parse_comma_list (const char  *spec,
                  GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, ",", -1);
  g_autoptr(GPtrArray) pieces = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] == '\0')
        {
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       _("item %u of “%s” is empty"), i + 1, spec);
          return NULL;
        }
      if (strlen (parts[i]) > PS_ITEM_MAX_LEN)
        {
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       _("item %u is longer than %d bytes"), i + 1, PS_ITEM_MAX_LEN);
          return NULL;
        }
      g_ptr_array_add (pieces, parts[i]);
    }
  return list_from_pieces (pieces, error);
}

/**
 * ps_line_is_blank:
 *
 * Only spaces, tabs and CRs: such a line holds no item (as for xargs) and
 * no event (the log reader skips it).
 */
gboolean
ps_line_is_blank (const char *p,
                  gsize       n)
{
  for (gsize i = 0; i < n; i++)
    if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
      return FALSE;
  return TRUE;
}

/**
 * ps_items_parse_text:
 * @data: the bytes of an item file
 * @len: their length
 * @origin: a name for messages, such as the file's path
 *
 * Parses one item per line. Blank lines (empty, or only spaces and tabs)
 * are skipped, as xargs does; a trailing CR is dropped. A NUL byte,
 * invalid UTF-8 or a line longer than %PS_ITEM_MAX_LEN is an error naming
 * the line.
 *
 * Returns: (transfer full): the items, or %NULL with @error set
 */
PsItems *
ps_items_parse_text (const char  *data,
                     gsize        len,
                     const char  *origin,
                     GError     **error)
{
  PsItems *self;
  GArray *offsets;
  char *text;
  gsize in = 0, out = 0;
  guint64 line = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (memchr (data, '\0', len) != NULL)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("%s holds binary data (a NUL byte), not lines of text"), origin);
      return NULL;
    }

  text = g_malloc (len + 1);
  offsets = g_array_new (FALSE, FALSE, sizeof (gsize));

  while (in < len)
    {
      const char *start = data + in;
      const char *nl = memchr (start, '\n', len - in);
      gsize n = nl ? (gsize) (nl - start) : len - in;
      gsize keep = n;

      line++;
      in += n + (nl ? 1 : 0);
      if (keep > 0 && start[keep - 1] == '\r')
        keep--;
      if (ps_line_is_blank (start, keep))
        continue;
      if (keep > PS_ITEM_MAX_LEN)
        {
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       _("%s: line %" PRIu64 " is longer than %d bytes"),
                       origin, line, PS_ITEM_MAX_LEN);
          goto fail;
        }
      if (!g_utf8_validate (start, keep, NULL))
        {
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       _("%s: line %" PRIu64 " is not valid UTF-8"), origin, line);
          goto fail;
        }
      if (offsets->len >= PS_ITEMS_MAX_COUNT)
        {
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       _("%s has more than %" PRIu64 " items"), origin, PS_ITEMS_MAX_COUNT);
          goto fail;
        }
      g_array_append_val (offsets, out);
      memcpy (text + out, start, keep);
      text[out + keep] = '\0';
      out += keep + 1;
    }

  if (offsets->len == 0)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT, _("%s has no items"), origin);
      goto fail;
    }

  self = ps_items_alloc ();
  self->count = offsets->len;
  self->text = g_realloc (text, MAX (out, 1));
  self->offsets = (gsize *) (gpointer) g_array_free (offsets, FALSE);
  return self;

fail:
  g_free (text);
  g_array_free (offsets, TRUE);
  return NULL;
}

/* Reads an item file or standard input to its end. What can only get
 * worse as more comes is checked on the way — a NUL byte, a line already
 * too long, too many items — so /dev/zero, an endless line or an endless
 * stream is refused after a bounded read instead of filling the memory.
 * ps_items_parse_text() still has the last word on the whole text. */
static PsItems *
parse_fd (int          fd,
          const char  *origin,
          GError     **error)
{
  g_autofree char *data = NULL;
  gsize len = 0, cap = 0, line_len = 0;
  guint64 line = 1, items = 0;
  gboolean line_has_item = FALSE;
  struct stat st;

  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0)
    {
      cap = (gsize) st.st_size + 1;
      data = g_malloc (cap);
    }

  for (;;)
    {
      gssize n;

      if (len == cap)
        {
          cap = MAX (cap * 2, 1024 * 1024);
          data = g_realloc (data, cap);
        }
      n = read (fd, data + len, cap - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          if (fd == STDIN_FILENO)
            g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                         _("cannot read items from standard input: %s"), g_strerror (saved));
          else
            g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                         _("cannot read the item file “%s”: %s"), origin, g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        break;

      for (const char *p = data + len, *end = data + len + n; p < end; p++)
        {
          if (*p == '\n')
            {
              items += line_has_item;
              line++;
              line_len = 0;
              line_has_item = FALSE;
              if (items > PS_ITEMS_MAX_COUNT)
                {
                  g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                               _("%s has more than %" PRIu64 " items"), origin, PS_ITEMS_MAX_COUNT);
                  return NULL;
                }
              continue;
            }
          if (*p == '\0')
            {
              g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("%s holds binary data (a NUL byte), not lines of text"), origin);
              return NULL;
            }
          if (*p != ' ' && *p != '\t' && *p != '\r')
            line_has_item = TRUE;
          /* one byte of slack for the CR that the parser drops */
          if (++line_len > PS_ITEM_MAX_LEN + 1)
            {
              g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("%s: line %" PRIu64 " is longer than %d bytes"),
                           origin, line, PS_ITEM_MAX_LEN);
              return NULL;
            }
        }
      len += n;
    }
  return ps_items_parse_text (data ? data : "", len, origin, error);
}

/**
 * ps_items_parse:
 * @spec: `A..B`, `A..B:STEP`, `a,b,c`, `@FILE` or `-` (standard input)
 *
 * Returns: (transfer full): the items, or %NULL with @error set to a
 *   message that names what is wrong
 */
PsItems *
ps_items_parse (const char  *spec,
                GError     **error)
{
  g_return_val_if_fail (spec != NULL, NULL);

  if (!g_utf8_validate (spec, -1, NULL))
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("the items are not valid UTF-8"));
      return NULL;
    }
  if (spec[strspn (spec, " \t\r\n")] == '\0')
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT, _("the batch has no items"));
      return NULL;
    }
  if (g_str_equal (spec, "-"))
    return parse_fd (STDIN_FILENO, _("standard input"), error);
  if (spec[0] == '@')
    {
      PsItems *items;
      int fd;

      if (spec[1] == '\0')
        {
          g_set_error_literal (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                               _("“@” must be followed by the path of an item file"));
          return NULL;
        }
      fd = open (spec + 1, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        {
          int saved = errno;
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       _("cannot read the item file “%s”: %s"), spec + 1, g_strerror (saved));
          return NULL;
        }
      items = parse_fd (fd, spec + 1, error);
      close (fd);
      return items;
    }
  if (looks_like_range (spec))
    return parse_range (spec, error);
  return parse_comma_list (spec, error);
}

PsItems *
ps_items_ref (PsItems *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
ps_items_unref (PsItems *self)
{
  g_return_if_fail (self != NULL);
  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_free (self->text);
      g_free (self->offsets);
      g_free (self);
    }
}

guint64
ps_items_get_count (const PsItems *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->count;
}

gboolean
ps_items_is_range (const PsItems *self)
{
  return self->is_range;
}

static gint64
range_value (const PsItems *self,
             guint64        index)
{
  /* Wraps through unsigned arithmetic; the constructor made sure it stays in range. */
  return (gint64) ((guint64) self->first + index * (guint64) self->step);
}

/**
 * ps_format_int:
 * @buf: room for the digits, a sign and a NUL
 *
 * Formats @value in decimal, several times faster than printf: results and
 * items of a million-task run are formatted on the hot path.
 *
 * Returns: the length written, without the NUL
 */
gsize
ps_format_int (gint64 value,
               char   buf[24])
{
  static const char pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";
  static const guint64 powers[20] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL, 100000000ULL,
    1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL,
    100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
    1000000000000000000ULL, 10000000000000000000ULL,
  };
  guint64 v = value < 0 ? 0 - (guint64) value : (guint64) value;
  gsize sign = value < 0, n;
  guint32 small;
  char *p;

  /* how many digits (from the highest bit, then one comparison), then two
   * at a time from the right, in place, in 32 bits once it fits: this is
   * most of what printing a million results, or logging them, costs */
  if (v == 0)
    n = 1;
  else
    {
      /* floor(log10(2) × bits) + 1 is the count, or one too many */
      n = (((64 - (guint) __builtin_clzll (v)) * 1233) >> 12) + 1;
      if (v < powers[n - 1])
        n--;
    }
  buf[0] = '-';
  p = buf + sign + n;
  *p = '\0';
  while (v > G_MAXUINT32)
    {
      guint d = (guint) (v % 100) * 2;

      v /= 100;
      *--p = pairs[d + 1];
      *--p = pairs[d];
    }
  small = (guint32) v;
  while (small >= 100)
    {
      guint d = (small % 100) * 2;

      small /= 100;
      *--p = pairs[d + 1];
      *--p = pairs[d];
    }
  if (small >= 10)
    {
      *--p = pairs[small * 2 + 1];
      *--p = pairs[small * 2];
    }
  else
    *--p = (char) ('0' + small);
  return sign + n;
}

/**
 * ps_items_get_text:
 * @buf: room for a formatted integer
 * @len: (out) (optional): the length of the text
 *
 * Returns: the item as text, pointing into @self or @buf
 */
const char *
ps_items_get_text (const PsItems *self,
                   guint64        index,
                   char           buf[32],
                   gsize         *len)
{
  const char *ret;

  g_assert (index < self->count);
  if (self->is_range)
    {
      gsize n = ps_format_int (range_value (self, index), buf);
      if (len)
        *len = n;
      return buf;
    }
  ret = self->text + self->offsets[index];
  if (len)
    *len = strlen (ret);
  return ret;
}

/**
 * ps_items_get_int:
 *
 * Returns: %TRUE when the item is an integer, stored in @value
 */
gboolean
ps_items_get_int (const PsItems *self,
                  guint64        index,
                  gint64        *value)
{
  g_assert (index < self->count);
  if (self->is_range)
    {
      *value = range_value (self, index);
      return TRUE;
    }
  return g_ascii_string_to_signed (self->text + self->offsets[index], 10,
                                   G_MININT64, G_MAXINT64, value, NULL);
}

/**
 * ps_items_check_integers:
 *
 * Returns: %TRUE when every item is an integer; otherwise @error names the
 *   first item that is not
 */
gboolean
ps_items_check_integers (const PsItems  *self,
                         GError        **error)
{
  gint64 v;

  if (self->is_range)
    return TRUE;
  for (guint64 i = 0; i < self->count; i++)
    if (!ps_items_get_int (self, i, &v))
      {
        char buf[32];
        const char *text = ps_items_get_text (self, i, buf, NULL);
        /* g_utf8_substring() reads past the end of a string shorter than 40 */
        g_autofree char *shown = g_utf8_substring (text, 0, MIN (g_utf8_strlen (text, -1), 40));

        g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                     _("item %" PRIu64 " (“%s”) is not an integer, and the workload needs integers"),
                     i + 1, shown);
        return FALSE;
      }
  return TRUE;
}
