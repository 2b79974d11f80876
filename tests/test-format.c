/* test-format.c: durations, sizes, counts and numbers as people read them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>
#include <glib.h>

#include "ps-format.h"

#define MS G_GINT64_CONSTANT (1000000)
#define S  G_GINT64_CONSTANT (1000000000)

static const struct
{
  gint64      ns;
  const char *text;
} durations[] = {
  { 0, "0 s" },
  { 1, "1 ns" },
  { 850, "850 ns" },
  { 999, "999 ns" },
  { 1000, "1 \xc2\xb5s" },
  { 1234, "1.23 \xc2\xb5s" },
  { 1235, "1.24 \xc2\xb5s" },                /* half up */
  { 9994, "9.99 \xc2\xb5s" },
  { 9995, "10 \xc2\xb5s" },                  /* 10.0: three figures, not 10.00 */
  { 12000, "12 \xc2\xb5s" },
  { 999499, "999 \xc2\xb5s" },
  { 999500, "1 ms" },                        /* 999.5 µs rounds into the next unit */
  { 3 * MS, "3 ms" },
  { 3400000, "3.4 ms" },
  { 250 * MS, "250 ms" },
  { 999499999, "999 ms" },
  { 999500000, "1 s" },
  { 999960000, "1 s" },                      /* never "1000 ms" */
  { 1200 * MS, "1.2 s" },
  { 12 * S, "12 s" },
  { G_GINT64_CONSTANT (12345678901), "12.3 s" },
  { G_GINT64_CONSTANT (59949999999), "59.9 s" },
  { G_GINT64_CONSTANT (59950000000), "1 min 00 s" },
  { G_GINT64_CONSTANT (59960000000), "1 min 00 s" },
  { 60 * S, "1 min 00 s" },
  { 125 * S, "2 min 05 s" },
  { G_GINT64_CONSTANT (3599499999999), "59 min 59 s" },
  { G_GINT64_CONSTANT (3599500000000), "1 h 00 min" },
  { 3720 * S, "1 h 02 min" },
  { 3749 * S, "1 h 02 min" },
  { 3750 * S, "1 h 03 min" },
  { 86400 * S, "24 h 00 min" },
  { G_MAXINT64, "2562047 h 47 min" },
  { -1, "-1 ns" },
  { -3400000, "-3.4 ms" },
  { -125 * S, "-2 min 05 s" },
  { G_MININT64, "-2562047 h 47 min" },
};

#define KIB G_GINT64_CONSTANT (1024)
#define MIB (KIB * KIB)
#define GIB (MIB * KIB)
#define TIB (GIB * KIB)

static const struct
{
  gint64      bytes;
  const char *text;
} sizes[] = {
  { 0, "0 B" },
  { 1, "1 B" },
  { 512, "512 B" },
  { 1023, "1023 B" },
  { 1024, "1.0 KiB" },
  { 4 * KIB, "4.0 KiB" },
  { 4300, "4.2 KiB" },
  { 10188, "9.9 KiB" },
  { 10189, "10 KiB" },                       /* 9.95 KiB: 10, not 10.0 */
  { 10 * KIB, "10 KiB" },
  { 1048063, "1023 KiB" },
  { 1048064, "1.0 MiB" },                    /* 1023.5 KiB rounds into the next unit */
  { 4299161, "4.1 MiB" },
  { 12 * MIB, "12 MiB" },
  { 1288490189, "1.2 GiB" },
  { TIB, "1.0 TiB" },
  { 1536 * TIB, "1.5 PiB" },
  { G_MAXINT64, "8.0 EiB" },
  { -1, "\xe2\x80\x94" },
  { G_MININT64, "\xe2\x80\x94" },
};

static const struct
{
  guint64     n;
  const char *text;
} counts[] = {
  { 0, "0" },
  { 7, "7" },
  { 999, "999" },
  { 1000, "1,000" },
  { 20000, "20,000" },
  { 999999, "999,999" },
  { 1234567, "1,234,567" },
  { G_MAXUINT64, "18,446,744,073,709,551,615" },
};

static void
use_c_numeric (void)
{
  g_assert_nonnull (setlocale (LC_NUMERIC, "C"));
}

static void
test_duration (void)
{
  use_c_numeric ();
  for (guint i = 0; i < G_N_ELEMENTS (durations); i++)
    {
      g_autofree char *text = ps_format_duration (durations[i].ns);
      char buf[PS_FORMAT_BUF_SIZE];

      g_test_message ("%" G_GINT64_FORMAT " ns", durations[i].ns);
      g_assert_cmpstr (text, ==, durations[i].text);
      ps_format_duration_buf (durations[i].ns, buf, sizeof buf);
      g_assert_cmpstr (buf, ==, durations[i].text);
    }
}

/* No rounding anywhere may show a value in a unit it has outgrown, nor
 * more than three significant figures below a minute. */
static void
test_duration_sweep (void)
{
  use_c_numeric ();
  for (gint64 ns = 1; ns < 100 * S; ns = ns * 21 / 20 + 1)
    {
      char buf[PS_FORMAT_BUF_SIZE];
      char *end = NULL;
      double v;
      int figures = 0;

      ps_format_duration_buf (ns, buf, sizeof buf);
      v = g_ascii_strtod (buf, &end);
      for (const char *p = buf; p < end; p++)
        figures += g_ascii_isdigit (*p) != 0;
      if (strstr (buf, " min") != NULL)
        continue;
      g_assert_cmpint (figures, <=, 3);
      if (g_str_equal (end, " s"))
        g_assert_cmpfloat (v, <, 60);
      else
        g_assert_cmpfloat (v, <, 1000);
      g_assert_cmpfloat (v, >=, 1);
    }
}

static void
test_bytes (void)
{
  use_c_numeric ();
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *text = ps_format_bytes (sizes[i].bytes);
      char buf[PS_FORMAT_BUF_SIZE];

      g_test_message ("%" G_GINT64_FORMAT " B", sizes[i].bytes);
      g_assert_cmpstr (text, ==, sizes[i].text);
      ps_format_bytes_buf (sizes[i].bytes, buf, sizeof buf);
      g_assert_cmpstr (buf, ==, sizes[i].text);
    }
}

static void
test_count (void)
{
  use_c_numeric ();
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      g_autofree char *text = ps_format_count (counts[i].n);
      char buf[PS_FORMAT_BUF_SIZE];

      g_assert_cmpstr (text, ==, counts[i].text);
      ps_format_count_buf (counts[i].n, buf, sizeof buf);
      g_assert_cmpstr (buf, ==, counts[i].text);
    }
}

static void
test_number (void)
{
  static const struct
  {
    double      value;
    const char *text;
  } cases[] = {
    { 0, "0" },
    { -0.0, "0" },
    { 1, "1" },
    { 0.1, "0.1" },
    { 0.001, "0.001" },
    { 1e-12, "0.000000000001" },
    { 1.5, "1.5" },
    { -2.25, "-2.25" },
    { 1000, "1,000" },
    { 1234.5, "1,234.5" },
    { 65536, "65,536" },
    { 604800, "604,800" },
    { 86400000, "86,400,000" },
    { 123456.789, "123,456.789" },
    { 0.1 + 0.2, "0.30000000000000004" },
    { 1e21, "1,000,000,000,000,000,000,000" },
    { 9007199254740993.0, "9,007,199,254,740,992" },
  };

  use_c_numeric ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ps_format_number (cases[i].value);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* The extremes of a double: still digits, never an exponent, and they
 * read back as the same value. */
static void
test_number_extremes (void)
{
  static const double values[] = {
    1e300, -1.7976931348623157e308, 5e-324, 2.2250738585072014e-308,
  };

  use_c_numeric ();
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *text = ps_format_number (values[i]);
      g_autofree char *plain = NULL;
      GString *s = g_string_new (NULL);

      g_assert_null (strpbrk (text, "eE"));
      for (const char *p = text; *p; p++)
        if (*p != ',')
          g_string_append_c (s, *p);
      plain = g_string_free (s, FALSE);
      g_assert_cmpfloat (g_ascii_strtod (plain, NULL), ==, values[i]);
    }

  {
    g_autofree char *nan_text = ps_format_number (NAN);
    g_autofree char *inf_text = ps_format_number (-INFINITY);

    g_assert_cmpstr (nan_text, ==, "NaN");
    g_assert_cmpstr (inf_text, ==, "-\xe2\x88\x9e");
  }
}

/* A buffer too small for the text gets what fits, cut between characters
 * (never half of "µ"), and is always terminated. */
static void
test_small_buffers (void)
{
  char buf[16];

  use_c_numeric ();

  memset (buf, 'x', sizeof buf);
  ps_format_duration_buf (12000, buf, 0);
  g_assert_cmpint (buf[0], ==, 'x');

  ps_format_duration_buf (12000, buf, 1);
  g_assert_cmpstr (buf, ==, "");

  /* "12 µs" is 6 bytes: µ is the 4th and 5th */
  ps_format_duration_buf (12000, buf, 4);
  g_assert_cmpstr (buf, ==, "12 ");
  ps_format_duration_buf (12000, buf, 5);
  g_assert_cmpstr (buf, ==, "12 ");
  ps_format_duration_buf (12000, buf, 6);
  g_assert_cmpstr (buf, ==, "12 \xc2\xb5");
  ps_format_duration_buf (12000, buf, 7);
  g_assert_cmpstr (buf, ==, "12 \xc2\xb5s");

  ps_format_bytes_buf (-1, buf, 3);
  g_assert_cmpstr (buf, ==, "");
  ps_format_bytes_buf (-1, buf, 4);
  g_assert_cmpstr (buf, ==, "\xe2\x80\x94");
  ps_format_bytes_buf (4 * KIB, buf, 4);
  g_assert_cmpstr (buf, ==, "4.0");

  ps_format_count_buf (G_MAXUINT64, buf, 8);
  g_assert_cmpstr (buf, ==, "18,446,");

  for (gsize size = 1; size <= sizeof buf; size++)
    {
      ps_format_duration_buf (G_MININT64, buf, size);
      g_assert_cmpuint (strlen (buf), <, size);
      g_assert_true (g_utf8_validate (buf, -1, NULL));
    }
}

/* A locale whose grouping and decimal point differ from the C locale's:
 * the separators must come from LC_NUMERIC, not be built in. */
static void
test_locale (void)
{
  static const char *const names[] = { "de_DE.UTF-8", "de_DE.utf8", "de_AT.UTF-8", "de_AT.utf8" };
  const char *found = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names) && found == NULL; i++)
    found = setlocale (LC_NUMERIC, names[i]);
  if (found == NULL)
    {
      g_test_skip ("no German locale here (locale -a)");
      return;
    }

  {
    g_autofree char *count = ps_format_count (1234567);
    g_autofree char *small = ps_format_count (999);
    g_autofree char *max = ps_format_number (86400000);
    g_autofree char *least = ps_format_number (0.001);
    g_autofree char *mixed = ps_format_number (1234.5);
    g_autofree char *duration = ps_format_duration (3400000);
    g_autofree char *bytes = ps_format_bytes (4 * KIB);
    char buf[PS_FORMAT_BUF_SIZE];

    ps_format_count_buf (20000, buf, sizeof buf);
    use_c_numeric ();

    g_assert_cmpstr (count, ==, "1.234.567");
    g_assert_cmpstr (small, ==, "999");
    g_assert_cmpstr (buf, ==, "20.000");
    g_assert_cmpstr (max, ==, "86.400.000");
    g_assert_cmpstr (least, ==, "0,001");
    g_assert_cmpstr (mixed, ==, "1.234,5");
    g_assert_cmpstr (duration, ==, "3,4 ms");
    g_assert_cmpstr (bytes, ==, "4,0 KiB");
  }
}

/* What a limit message shows is what the parsers read back. */
static void
test_number_as_typed (void)
{
  static const struct { double value; const char *want; } cases[] = {
    { 0, "0" },
    { 86400000, "86400000" },
    { 604800, "604800" },
    { 0.001, "0.001" },
    { 1e-12, "0.000000000001" },
    { 2.5, "2.5" },
    { -3, "-3" },
    { 1e21, "1000000000000000000000" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = ps_format_number_as_typed (cases[i].value);

      g_assert_cmpstr (got, ==, cases[i].want);
      g_assert_cmpfloat (g_ascii_strtod (got, NULL), ==, cases[i].value);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/ps/format/duration", test_duration);
  g_test_add_func ("/ps/format/duration-sweep", test_duration_sweep);
  g_test_add_func ("/ps/format/bytes", test_bytes);
  g_test_add_func ("/ps/format/count", test_count);
  g_test_add_func ("/ps/format/number-as-typed", test_number_as_typed);
  g_test_add_func ("/ps/format/number", test_number);
  g_test_add_func ("/ps/format/number-extremes", test_number_extremes);
  g_test_add_func ("/ps/format/small-buffers", test_small_buffers);
  g_test_add_func ("/ps/format/locale", test_locale);
  return g_test_run ();
}
