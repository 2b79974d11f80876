/* fuzz-items.c: item specs, item files and integer ranges
 *
 * The same input goes to the three parsers: as the text of an item file,
 * as an --items spec (up to its first NUL byte), and, when it is long
 * enough, as the three numbers of a range. What they accept must hold
 * together: a range's items step from its first to no further than its
 * last, and every item reads back as the integer it claims to be.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "ps-items.h"

/* Looking at every item of ten million costs too much per input. */
#define MAX_CHECKED 64

static void
check_items (const PsItems *items)
{
  guint64 count = ps_items_get_count (items);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (count, >=, 1);
  g_assert_cmpuint (count, <=, PS_ITEMS_MAX_COUNT);

  for (guint64 k = 0; k < MIN (count, 2 * MAX_CHECKED); k++)
    {
      /* the first and the last ones */
      guint64 i = k < MAX_CHECKED ? k : count - 1 - (k - MAX_CHECKED);
      char buf[32];
      gsize len = 0;
      const char *text = ps_items_get_text (items, i, buf, &len);
      gint64 v;

      g_assert_nonnull (text);
      g_assert_cmpuint (strlen (text), ==, len);
      g_assert_true (g_utf8_validate (text, len, NULL));
      if (ps_items_get_int (items, i, &v))
        {
          gint64 back;

          g_assert_true (g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &back, NULL));
          g_assert_cmpint (back, ==, v);
        }
      else
        g_assert_false (ps_items_is_range (items));
    }

  if (!ps_items_check_integers (items, &error))
    g_assert_nonnull (error);
}

static void
check_range (gint64 first,
             gint64 last,
             gint64 step)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PsItems) items = ps_items_new_range (first, last, step, &error);
  gint64 v;

  if (items == NULL)
    {
      g_assert_nonnull (error);
      return;
    }
  g_assert_true (ps_items_is_range (items));
  g_assert_true (ps_items_get_int (items, 0, &v));
  g_assert_cmpint (v, ==, first);
  g_assert_true (ps_items_get_int (items, ps_items_get_count (items) - 1, &v));
  g_assert_cmpint (v, <=, last);
  /* one more step would have passed the end */
  g_assert_true ((guint64) last - (guint64) v < (guint64) step);
  check_items (items);
}

/* ps_format_int() is printf's "%" G_GINT64_FORMAT, only faster. */
static void
check_format (gint64 value)
{
  char buf[24];
  char want[32];
  gsize len = ps_format_int (value, buf);

  g_snprintf (want, sizeof want, "%" G_GINT64_FORMAT, value);
  g_assert_cmpstr (buf, ==, want);
  g_assert_cmpuint (len, ==, strlen (want));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *spec = NULL;

  fuzz_init ();

  /* an item file */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PsItems) items = ps_items_parse_text ((const char *) data, size, "fuzz", &error);

    if (items != NULL)
      check_items (items);
    else
      g_assert_nonnull (error);
  }

  /* an --items spec; "-" and "@FILE" would read standard input and files */
  spec = fuzz_strndup (data, size);
  if (spec[0] != '@' && !g_str_equal (spec, "-"))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PsItems) items = ps_items_parse (spec, &error);

      if (items != NULL)
        check_items (items);
      else
        g_assert_nonnull (error);
    }

  /* a range from three raw numbers */
  if (size >= 3 * sizeof (gint64))
    {
      gint64 n[3];

      memcpy (n, data, sizeof n);
      check_range (n[0], n[1], n[2]);
      /* small steps, which the raw numbers rarely give */
      check_range (n[0], n[1], (n[2] & 0xff) + 1);
      check_format (n[0]);
    }
  return 0;
}
