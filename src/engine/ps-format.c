/* ps-format.c: numbers as a person reads them
 *
 * One unit system for every duration, size and count that the CLI and the
 * app show, so "3.4 ms" in the progress line is "3.4 ms" in a tooltip.
 * Machine formats (the log, --json, --format list) never come here: they
 * are written in the C locale with their own fixed precision.
 *
 * The arithmetic is in integers: rounding must decide the unit ("999.96 ms"
 * is "1 s", not "1000 ms"), and doubles near a boundary would make that
 * decision differently on either side of a printf.
 *
 * The decimal point and the digit grouping come from LC_NUMERIC, as the
 * rest of the desktop shows them; the C locale groups with ",", since an
 * ungrouped 86400000 is what people misread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-format"

#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ps-format.h"

/* Room for the text of any value before it is cut to the caller's buffer. */
#define WORK_SIZE 256

/* A separator longer than one UTF-8 character is not one we understand. */
#define SEP_MAX 4

typedef struct
{
  char thousands[SEP_MAX + 1];
  char decimal[SEP_MAX + 1];
  char grouping[8];
} Numeric;

static void
copy_sep (char       *dst,
          const char *src,
          const char *fallback)
{
  if (src != NULL && *src != '\0' && strlen (src) <= SEP_MAX && g_utf8_validate (src, -1, NULL))
    strcpy (dst, src);
  else
    strcpy (dst, fallback);
}

/* Read each time, not cached: the app and the tests may change the locale,
 * and a stale separator would be wrong in a way nobody would notice. */
static void
get_numeric (Numeric *num)
{
  const struct lconv *lc = localeconv ();
  gboolean has_sep = lc->thousands_sep != NULL && *lc->thousands_sep != '\0';

  copy_sep (num->decimal, lc->decimal_point, ".");
  /* A locale whose decimal point is "," and that does not group must not
   * get "," for grouping too: 1,234 would read as one and a bit. */
  copy_sep (num->thousands, lc->thousands_sep,
            g_str_equal (num->decimal, ",") ? "\xc2\xa0" : ",");
  if (g_str_equal (num->thousands, num->decimal))
    strcpy (num->thousands, g_str_equal (num->decimal, ",") ? "\xc2\xa0" : ",");

  if (has_sep && lc->grouping != NULL && *lc->grouping != '\0')
    g_strlcpy (num->grouping, lc->grouping, sizeof num->grouping);
  else
    strcpy (num->grouping, "\3");
}

/* Writes @n_digits ASCII digits to @out with the thousands separator
 * between groups, as LC_NUMERIC's grouping says (a group size repeats
 * until the next one; CHAR_MAX stops grouping). @out needs room for
 * (SEP_MAX + 1) bytes a digit and a NUL. */
static void
group_digits (const char    *digits,
              gsize          n_digits,
              const Numeric *num,
              char          *out,
              gsize          out_size)
{
  gsize sep_len = strlen (num->thousands);
  const char *g = num->grouping;
  int group = (*g == CHAR_MAX || *g <= 0) ? 0 : *g;
  int in_group = 0;
  char *p = out + out_size;

  g_assert (out_size >= n_digits * (SEP_MAX + 1) + 1);

  *--p = '\0';
  for (gsize i = n_digits; i > 0; i--)
    {
      if (group > 0 && in_group == group)
        {
          p -= sep_len;
          memcpy (p, num->thousands, sep_len);
          in_group = 0;
          if (g[1] != '\0')
            g++;
          group = (*g == CHAR_MAX || *g <= 0) ? 0 : *g;
        }
      *--p = digits[i - 1];
      in_group++;
    }
  memmove (out, p, strlen (p) + 1);
}

/* Copies @src to @buf, cut at a character boundary if it does not fit: a
 * label drawn from half a "µ" would be invalid UTF-8. */
static void
copy_truncated (char       *buf,
                gsize       size,
                const char *src)
{
  gsize len;

  if (size == 0)
    return;
  len = strlen (src);
  if (len >= size)
    {
      len = size - 1;
      while (len > 0 && ((guchar) src[len] & 0xc0) == 0x80)
        len--;
    }
  memcpy (buf, src, len);
  buf[len] = '\0';
}

static guint64
pow10_u (guint d)
{
  guint64 p = 1;

  while (d-- > 0)
    p *= 10;
  return p;
}

/* @n / @div rounded half up, without the overflow of (n + div / 2) / div. */
static guint64
round_div (guint64 n,
           guint64 div)
{
  guint64 r = n % div;

  return n / div + (r >= div - r ? 1 : 0);
}

/* "3.40 ms" from q = 340, d = 2: @q is the value in units of 10^-d. */
static void
format_fixed (char       *out,
              gsize       size,
              guint64     q,
              guint       d,
              gboolean    strip_zeros,
              const char *unit)
{
  Numeric num;
  guint64 p = pow10_u (d);
  char frac[24] = "";

  if (d > 0)
    {
      g_snprintf (frac, sizeof frac, "%0*" G_GUINT64_FORMAT, (int) d, q % p);
      if (strip_zeros)
        {
          gsize len = strlen (frac);

          while (len > 0 && frac[len - 1] == '0')
            frac[--len] = '\0';
        }
    }
  get_numeric (&num);
  g_snprintf (out, size, "%" G_GUINT64_FORMAT "%s%s %s", q / p, *frac ? num.decimal : "", frac,
              unit);
}

static void
format_magnitude (guint64  u,
                  char    *out,
                  gsize    size)
{
  /* Each unit holds values below its limit; rounding that reaches the
   * limit moves to the next unit, so there is never a "1000 ms". */
  static const struct
  {
    guint64     scale;
    guint64     limit;
    const char *symbol;
  } units[] = {
    { 1, 1000, "ns" },
    { G_GUINT64_CONSTANT (1000), 1000, "\xc2\xb5s" },  /* U+00B5 MICRO SIGN */
    { G_GUINT64_CONSTANT (1000000), 1000, "ms" },
    { G_GUINT64_CONSTANT (1000000000), 60, "s" },
  };
  guint64 secs, mins;

  if (u == 0)
    {
      g_strlcpy (out, "0 s", size);
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      guint64 scale = units[i].scale;
      guint64 whole = u / scale;
      guint64 q;
      guint d;

      if (whole >= units[i].limit)
        continue;
      /* three significant figures: 1.23, 12.3, 123 */
      d = whole < 10 ? 2 : whole < 100 ? 1 : 0;
      while (d > 0 && scale < pow10_u (d))
        d--;
      q = round_div (u, scale / pow10_u (d));
      /* 9.996 is 10.0, not 10.00: still three figures */
      if (q >= 1000 && d > 0)
        {
          d--;
          q = round_div (u, scale / pow10_u (d));
        }
      if (q / pow10_u (d) >= units[i].limit)
        continue;
      format_fixed (out, size, q, d, TRUE, units[i].symbol);
      return;
    }

  secs = round_div (u, G_GUINT64_CONSTANT (1000000000));
  if (secs < 3600)
    {
      /* Translators: a duration such as “2 min 05 s”: minutes, then seconds
       * with two digits. “min” is the symbol for minutes, “s” for seconds. */
      g_snprintf (out, size, _("%u min %02u s"), (guint) (secs / 60), (guint) (secs % 60));
      return;
    }
  /* rounded again from @u, not from @secs: no double rounding */
  mins = round_div (u, G_GUINT64_CONSTANT (60000000000));
  /* Translators: a duration such as “1 h 02 min”: hours, then minutes
   * with two digits. “h” is the symbol for hours, “min” for minutes. */
  g_snprintf (out, size, _("%" PRIu64 " h %02u min"), mins / 60, (guint) (mins % 60));
}

static void
format_duration (gint64  ns,
                 char   *out,
                 gsize   size)
{
  g_assert (size >= 2);

  if (ns >= 0)
    {
      format_magnitude ((guint64) ns, out, size);
      return;
    }
  /* -(guint64) keeps G_MININT64, whose magnitude no gint64 holds */
  out[0] = '-';
  format_magnitude (-(guint64) ns, out + 1, size - 1);
}

static void
format_bytes (gint64  bytes,
              char   *out,
              gsize   size)
{
  static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
  guint64 u = (guint64) bytes;
  guint k = 1;

  if (bytes < 0)
    {
      /* unknown, as a sampler that could not read a value says */
      g_strlcpy (out, "\xe2\x80\x94", size);  /* U+2014 EM DASH */
      return;
    }
  if (u < 1024)
    {
      g_snprintf (out, size, "%" G_GUINT64_FORMAT " B", u);
      return;
    }

  while (k + 1 < G_N_ELEMENTS (units) && (u >> (10 * (k + 1))) != 0)
    k++;
  for (;;)
    {
      guint64 whole = u >> (10 * k);
      guint64 rem = u & ((G_GUINT64_CONSTANT (1) << (10 * k)) - 1);
      guint64 div = G_GUINT64_CONSTANT (1) << (10 * k);
      guint d = whole < 10 ? 1 : 0;
      /* rem < 2^60, so rem * 10 fits */
      guint64 q = whole * pow10_u (d) + round_div (rem * pow10_u (d), div);

      if (d == 1 && q >= 100)
        {
          d = 0;
          q = whole + round_div (rem, div);
        }
      if (d == 0 && q >= 1024 && k + 1 < G_N_ELEMENTS (units))
        {
          k++;
          continue;
        }
      format_fixed (out, size, q, d, FALSE, units[k]);
      return;
    }
}

static void
format_count (guint64  n,
              char    *out,
              gsize    size)
{
  Numeric num;
  char digits[24];
  char grouped[20 * (SEP_MAX + 1) + 1];
  int len;

  len = g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, n);
  get_numeric (&num);
  group_digits (digits, len, &num, grouped, sizeof grouped);
  g_strlcpy (out, grouped, size);
}

/**
 * ps_format_duration:
 * @ns: a duration in nanoseconds
 *
 * Formats a duration for a person: "0 s", "850 ns", "12 µs", "3.4 ms",
 * "250 ms", "1.2 s", "2 min 05 s", "1 h 02 min". Below a minute it shows
 * at most three significant figures, trailing zeros dropped; a value that
 * rounds up to the next unit is shown in it ("999.96 ms" is "1 s"). From a
 * minute up it shows whole seconds, from an hour up whole minutes. A
 * negative duration has a leading "-".
 *
 * Returns: (transfer full): the text
 */
char *
ps_format_duration (gint64 ns)
{
  char buf[WORK_SIZE];

  format_duration (ns, buf, sizeof buf);
  return g_strdup (buf);
}

/**
 * ps_format_duration_buf:
 * @ns: a duration in nanoseconds
 * @buf: (out caller-allocates): where the text goes
 * @size: the size of @buf; %PS_FORMAT_BUF_SIZE is enough
 *
 * As ps_format_duration(), without an allocation. Text that does not fit
 * is cut at a character boundary; @buf is always NUL-terminated unless
 * @size is 0.
 */
void
ps_format_duration_buf (gint64  ns,
                        char   *buf,
                        gsize   size)
{
  char work[WORK_SIZE];

  g_return_if_fail (buf != NULL || size == 0);

  format_duration (ns, work, sizeof work);
  copy_truncated (buf, size, work);
}

/**
 * ps_format_bytes:
 * @bytes: a size in bytes, or a negative number when it is not known
 *
 * Formats a size in IEC units as GNOME shows memory: "512 B", "4.0 KiB",
 * "12 MiB", "1.2 GiB": one decimal below 10, none from 10 up, and a value
 * that rounds up to 1024 is shown in the next unit. A negative size is
 * "—", unknown.
 *
 * Returns: (transfer full): the text
 */
char *
ps_format_bytes (gint64 bytes)
{
  char buf[WORK_SIZE];

  format_bytes (bytes, buf, sizeof buf);
  return g_strdup (buf);
}

/**
 * ps_format_bytes_buf:
 * @bytes: a size in bytes, or a negative number when it is not known
 * @buf: (out caller-allocates): where the text goes
 * @size: the size of @buf; %PS_FORMAT_BUF_SIZE is enough
 *
 * As ps_format_bytes(), without an allocation; cut as
 * ps_format_duration_buf() is.
 */
void
ps_format_bytes_buf (gint64  bytes,
                     char   *buf,
                     gsize   size)
{
  char work[WORK_SIZE];

  g_return_if_fail (buf != NULL || size == 0);

  format_bytes (bytes, work, sizeof work);
  copy_truncated (buf, size, work);
}

/**
 * ps_format_count:
 * @n: a count
 *
 * Formats a count with its digits grouped by the thousands separator of
 * LC_NUMERIC, or by "," in a locale that has none (the C locale):
 * 20000 is "20,000".
 *
 * Returns: (transfer full): the text
 */
char *
ps_format_count (guint64 n)
{
  char buf[WORK_SIZE];

  format_count (n, buf, sizeof buf);
  return g_strdup (buf);
}

/**
 * ps_format_count_buf:
 * @n: a count
 * @buf: (out caller-allocates): where the text goes
 * @size: the size of @buf; %PS_FORMAT_BUF_SIZE is enough
 *
 * As ps_format_count(), without an allocation; cut as
 * ps_format_duration_buf() is.
 */
void
ps_format_count_buf (guint64  n,
                     char    *buf,
                     gsize    size)
{
  char work[WORK_SIZE];

  g_return_if_fail (buf != NULL || size == 0);

  format_count (n, work, sizeof work);
  copy_truncated (buf, size, work);
}

/* @value in exponent notation with the fewest significant digits that
 * read back exactly ("1e-01" for 0.1, not the "0.10000000000000001" of
 * %.17g), in the C locale; returns how many digits follow the point. */
static int
shortest_exponent (double value,
                   char  *sci,
                   gsize  size)
{
  int prec;

  for (prec = 0; prec < 17; prec++)
    {
      char fmt[8];

      g_snprintf (fmt, sizeof fmt, "%%.%de", prec);
      g_ascii_formatd (sci, size, fmt, value);
      if (g_ascii_strtod (sci, NULL) == value)
        break;
    }
  return prec;
}

/**
 * ps_format_number:
 * @value: a number, such as a limit in a message
 *
 * Formats @value as a plain decimal, never in exponent notation: the
 * shortest digits that read back as @value, the integer part grouped as
 * ps_format_count() groups it. 86400000 is "86,400,000", 0.001 is
 * "0.001", 1e-12 is "0.000000000001".
 *
 * Returns: (transfer full): the text
 */
char *
ps_format_number (double value)
{
  char sci[G_ASCII_DTOSTR_BUF_SIZE];
  char digits[24];
  gsize n_digits = 0;
  gint64 exp10;
  double mag = fabs (value);
  const char *e;
  GString *out;
  Numeric num;
  g_autofree char *int_digits = NULL;
  g_autofree char *grouped = NULL;
  gsize n_int;

  if (isnan (value))
    return g_strdup ("NaN");
  if (isinf (value))
    return g_strdup (value < 0 ? "-\xe2\x88\x9e" : "\xe2\x88\x9e");  /* U+221E INFINITY */
  if (mag == 0)
    return g_strdup ("0");

  shortest_exponent (mag, sci, sizeof sci);

  /* sci is "d.ddde±XX" in the C locale */
  for (e = sci; *e != 'e' && *e != '\0'; e++)
    if (g_ascii_isdigit (*e))
      digits[n_digits++] = *e;
  g_assert (*e == 'e' && n_digits > 0 && n_digits < sizeof digits);
  exp10 = g_ascii_strtoll (e + 1, NULL, 10);
  while (n_digits > 1 && digits[n_digits - 1] == '0')
    n_digits--;

  /* the value is digits[0].digits[1..] × 10^exp10 */
  n_int = exp10 >= 0 ? (gsize) exp10 + 1 : 1;
  int_digits = g_malloc (n_int + 1);
  for (gsize i = 0; i < n_int; i++)
    {
      if (exp10 < 0)
        int_digits[i] = '0';
      else
        int_digits[i] = i < n_digits ? digits[i] : '0';
    }
  int_digits[n_int] = '\0';

  get_numeric (&num);
  grouped = g_malloc (n_int * (SEP_MAX + 1) + 1);
  group_digits (int_digits, n_int, &num, grouped, n_int * (SEP_MAX + 1) + 1);

  out = g_string_new (value < 0 ? "-" : "");
  g_string_append (out, grouped);
  if (exp10 < 0)
    {
      g_string_append (out, num.decimal);
      for (gint64 i = 0; i < -exp10 - 1; i++)
        g_string_append_c (out, '0');
      g_string_append_len (out, digits, n_digits);
    }
  else if ((gsize) exp10 + 1 < n_digits)
    {
      g_string_append (out, num.decimal);
      g_string_append_len (out, digits + exp10 + 1, n_digits - (exp10 + 1));
    }
  return g_string_free (out, FALSE);
}

/**
 * ps_format_number_as_typed:
 * @value: a limit of what a user may type
 *
 * Formats @value as the option parsers read numbers: a plain decimal in
 * the C locale, no grouping, never in exponent notation, the fewest
 * digits that read back as @value. 86400000 is "86400000", 0.001 is
 * "0.001". A message that says which values are allowed shows them so,
 * or a user would type the "86,400,000" or the "604.800" it showed.
 *
 * Returns: (transfer full): the text
 */
char *
ps_format_number_as_typed (double value)
{
  char sci[G_ASCII_DTOSTR_BUF_SIZE];
  char fixed[400];
  char fmt[16];
  int prec;
  gint64 exp10;
  const char *e;

  if (!isfinite (value))
    return ps_format_number (value);
  if (value == 0)
    return g_strdup ("0");
  prec = shortest_exponent (value, sci, sizeof sci);
  e = strchr (sci, 'e');
  exp10 = e ? g_ascii_strtoll (e + 1, NULL, 10) : 0;
  /* as many decimals as the shortest digits need, none for an integer */
  g_snprintf (fmt, sizeof fmt, "%%.%" G_GINT64_FORMAT "f", MAX (0, (gint64) prec - exp10));
  g_ascii_formatd (fixed, sizeof fixed, fmt, value);
  return g_strdup (fixed);
}
