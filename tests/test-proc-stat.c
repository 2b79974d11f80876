/* test-proc-stat.c: /proc parsers on canned lines, and the sampler live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <time.h>
#include <unistd.h>
#include <glib.h>

#include "ps-proc-stat.h"

static void
test_stat_names (void)
{
  static const struct { const char *line; const char *comm; guint64 utime; gint64 rss; } cases[] = {
    { "1234 (bash) S 1 1234 1234 0 -1 4194560 1 2 3 4 15 16 0 0 20 0 1 0 100 2000 300 18446744073709551615",
      "bash", 15, 300 },
    { "42 (my prog) R 1 42 42 0 -1 0 0 0 0 0 7 8 0 0 20 0 1 0 5 100 9 0", "my prog", 7, 9 },
    { "42 (a) b (c)) R 1 42 42 0 -1 0 0 0 0 0 70 80 0 0 20 0 1 0 5 100 11 0", "a) b (c)", 70, 11 },
    { "7 ((((x)))) S 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 100 12 0", "(((x)))", 1, 12 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PsProcStat st;
      g_autoptr(GError) error = NULL;

      g_assert_true (ps_proc_parse_stat (cases[i].line, strlen (cases[i].line), &st, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (st.comm, ==, cases[i].comm);
      g_assert_cmpuint (st.utime, ==, cases[i].utime);
      g_assert_cmpint (st.rss_pages, ==, cases[i].rss);
    }
}

static void
test_stat_bad (void)
{
  static const char *cases[] = {
    "", "abc", "12 bash S 1", "12 (bash S 1 2 3", "12 (bash) S", "12 (bash) S 1 2 3 4 5 6 7 8 9 10 x y",
    "-5 (x) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 100 12 0",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PsProcStat st;
      g_autoptr(GError) error = NULL;

      if (ps_proc_parse_stat (cases[i], strlen (cases[i]), &st, &error))
        g_error ("“%s” parsed", cases[i]);
      g_assert_nonnull (error);
    }
}

static void
test_other_files (void)
{
  const char *schedstat = "123456789 1000 7\n";
  const char *statm = "1000 250 100 10 0 300 0\n";
  const char *smaps = "55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:  1000 kB\nPss:  600 kB\n"
                      "Pss_Anon: 500 kB\nPrivate_Clean:  100 kB\nPrivate_Dirty:  200 kB\n";
  guint64 v;
  gint64 pss, priv;

  g_assert_true (ps_proc_parse_schedstat (schedstat, strlen (schedstat), &v, NULL));
  g_assert_cmpuint (v, ==, 123456789);
  g_assert_true (ps_proc_parse_statm (statm, strlen (statm), &v, NULL));
  g_assert_cmpuint (v, ==, 250);
  g_assert_true (ps_proc_parse_smaps_rollup (smaps, strlen (smaps), &pss, &priv, NULL));
  g_assert_cmpint (pss, ==, 600 * 1024);
  g_assert_cmpint (priv, ==, 300 * 1024);
  g_assert_false (ps_proc_parse_schedstat ("x", 1, &v, NULL));
  g_assert_false (ps_proc_parse_smaps_rollup ("Rss: 5 kB\n", 10, &pss, &priv, NULL));
}

/* The sampler on this very process: CPU time goes up while it spins. */
static void
test_sampler_live (void)
{
  PsProcHandle *h = ps_proc_handle_open (getpid ());
  PsProcSample a, b;
  struct timespec ts;
  gint64 t0, t1;
  volatile guint64 x = 0;

  g_assert_nonnull (h);
  clock_gettime (CLOCK_MONOTONIC, &ts);
  t0 = ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
  g_assert_true (ps_proc_handle_read (h, t0, TRUE, &a));
  do
    {
      for (int i = 0; i < 100000; i++)
        x += i;
      clock_gettime (CLOCK_MONOTONIC, &ts);
      t1 = ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
    }
  while (t1 - t0 < 100000000);
  g_assert_true (ps_proc_handle_read (h, t1, FALSE, &b));
  g_assert_cmpint (b.cpu_ns, >, a.cpu_ns);
  g_assert_cmpfloat (b.cpu_percent, >, 20.0);
  g_assert_cmpfloat (b.cpu_percent, <=, 105.0);
  g_assert_cmpint (b.rss, >, 100 * 1024);
  ps_proc_handle_close (h);
  g_assert_null (ps_proc_handle_open (G_MAXINT32));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/ps/proc-stat/names", test_stat_names);
  g_test_add_func ("/ps/proc-stat/bad", test_stat_bad);
  g_test_add_func ("/ps/proc-stat/other-files", test_other_files);
  g_test_add_func ("/ps/proc-stat/sampler-live", test_sampler_live);
  return g_test_run ();
}
