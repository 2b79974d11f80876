/* test-sweep.c: the sizing sweep's plan, statistics, fits and answer (pure)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "ps-error.h"
#include "ps-fit.h"
#include "ps-sweep.h"
#include "ps-sweep-record.h"

#include <string.h>
#include <glib/gstdio.h>

/* An exact Amdahl curve gives back its serial fraction, with or without
 * one worker measured. */
static void
test_amdahl_exact (void)
{
  static const double fractions[] = { 0, 0.05, 0.2, 0.5, 0.9, 1 };

  for (guint f = 0; f < G_N_ELEMENTS (fractions); f++)
    {
      double s = fractions[f], n[] = { 1, 2, 4, 8, 16 }, t[5];
      PsAmdahlFit fit;
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < 5; i++)
        t[i] = 10 * (s + (1 - s) / n[i]);
      g_assert_true (ps_fit_amdahl (n, t, 5, &fit, &error));
      g_assert_cmpfloat_with_epsilon (fit.serial_fraction, s, 1e-6);
      g_assert_cmpfloat (fit.rms_residual, <, 1e-6);
      /* without one worker: relative to two */
      g_assert_true (ps_fit_amdahl (n + 1, t + 1, 4, &fit, &error));
      g_assert_cmpfloat_with_epsilon (fit.serial_fraction, s, 1e-6);
      g_assert_cmpfloat_with_epsilon (ps_amdahl_speedup (&fit, 4), 1 / (s + (1 - s) / 4), 1e-5);
    }
}

/* A USL curve with known σ and κ gives them back within 1%; with κ = 0
 * there is no peak. */
static void
test_usl_exact (void)
{
  static const struct { double gamma, sigma, kappa; } cases[] = {
    { 100, 0.05, 0.002 },
    { 3.5, 0.2, 0.0001 },
    { 1000, 0.01, 0 },
    { 50, 0, 0.01 },
  };
  double n[] = { 1, 2, 3, 4, 6, 8, 12, 16, 24, 32 };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      PsUslFit want = { cases[c].gamma, cases[c].sigma, cases[c].kappa, 0, 0 }, fit;
      double x[G_N_ELEMENTS (n)];
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (n); i++)
        x[i] = ps_usl_throughput (&want, n[i]);
      g_assert_true (ps_fit_usl (n, x, G_N_ELEMENTS (n), &fit, &error));
      g_test_message ("γ %g σ %g κ %g → γ %g σ %g κ %g, peak %g", want.gamma, want.sigma, want.kappa,
                      fit.gamma, fit.sigma, fit.kappa, fit.peak_workers);
      g_assert_cmpfloat (fabs (fit.gamma - want.gamma), <=, 0.01 * want.gamma);
      g_assert_cmpfloat (fabs (fit.sigma - want.sigma), <=, 0.01 * MAX (want.sigma, 1e-3));
      g_assert_cmpfloat (fabs (fit.kappa - want.kappa), <=, 0.01 * MAX (want.kappa, 1e-5));
      if (want.kappa > 0)
        g_assert_cmpfloat_with_epsilon (fit.peak_workers, sqrt ((1 - want.sigma) / want.kappa),
                                        0.01 * sqrt ((1 - want.sigma) / want.kappa));
      else
        g_assert_true (isnan (fit.peak_workers));
    }
}

/* Noisy data still fits, within its noise, and σ, κ stay ≥ 0 even when
 * the points lean the wrong way (superlinear). */
static void
test_usl_noisy (void)
{
  PsUslFit want = { 200, 0.1, 0.005, 0, 0 }, fit;
  double n[] = { 1, 2, 4, 8, 16, 32 }, x[6], super[] = { 100, 210, 440, 900, 1850, 3800 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 6; i++)
    x[i] = ps_usl_throughput (&want, n[i]) * (1 + g_rand_double_range (rand, -0.02, 0.02));
  g_assert_true (ps_fit_usl (n, x, 6, &fit, &error));
  g_assert_cmpfloat (fabs (fit.sigma - want.sigma), <, 0.05);
  g_assert_cmpfloat (fit.rms_residual, <, 0.05);
  g_assert_true (ps_fit_usl (n, super, 6, &fit, &error));
  g_assert_cmpfloat (fit.sigma, >=, 0);
  g_assert_cmpfloat (fit.kappa, >=, 0);
}

/* Too few points: a reason, no fit. */
static void
test_fits_refused (void)
{
  double n[] = { 2, 2, 4 }, t[] = { 1, 1.1, 0.6 };
  PsAmdahlFit a;
  PsUslFit u;
  GError *error = NULL;

  g_assert_false (ps_fit_amdahl (n, t, 2, &a, &error));
  g_assert_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_true (ps_fit_amdahl (n, t, 3, &a, &error));
  g_assert_false (ps_fit_usl (n, t, 3, &u, &error));
  g_assert_nonnull (strstr (error->message, "three"));
  g_clear_error (&error);
  t[0] = NAN;
  g_assert_false (ps_fit_amdahl (n, t, 3, &a, &error));
  g_clear_error (&error);
}

static void
test_stats (void)
{
  double v[] = { 5, 1, 4, 2, 3 }, w[] = { 1, 1.01, 0.99, 1.02, 3 }, lo, hi;

  g_assert_cmpfloat (ps_stat_median (v, 5), ==, 3);
  g_assert_cmpfloat (ps_stat_median (v, 4), ==, 3);  /* 5 1 4 2 → 2, 4 */
  g_assert_cmpfloat (ps_stat_mad (v, 5), ==, 1);
  g_assert_true (ps_stat_interval95 (v, 5, &lo, &hi));
  /* mean 3, sd √2.5, t(4) = 2.776: ± 1.963 */
  g_assert_cmpfloat_with_epsilon (lo, 3 - 2.776 * sqrt (2.5 / 5), 1e-9);
  g_assert_cmpfloat_with_epsilon (hi, 3 + 2.776 * sqrt (2.5 / 5), 1e-9);
  g_assert_false (ps_stat_interval95 (v, 1, &lo, &hi));
  g_assert_true (ps_stat_is_outlier (w, 5, 4));
  for (guint i = 0; i < 4; i++)
    g_assert_false (ps_stat_is_outlier (w, 5, i));
}

static void
assert_counts (const char  *text,
               guint        usable,
               const guint *want,
               guint        n)
{
  g_autoptr(GArray) counts = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ps_sweep_parse_workers (text, usable, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (g_array_index (counts, guint, i), ==, want[i]);
}

static void
test_parse_workers (void)
{
  static const char *bad[] = { "0..4", "8..1", "1..10000", "", " ", "a", "1..8:x1", "1..8:0", "1..8:", "1,,2",
                               "-1", "1..1025", "1..64:x", "1;2", "9999999999999999999999" };
  g_autoptr(GArray) counts = NULL;

  assert_counts ("1,2,4,8", 2, (guint[]) { 1, 2, 4, 8 }, 4);
  assert_counts ("8,1,4,4", 2, (guint[]) { 1, 4, 8 }, 3);
  assert_counts ("1..5", 2, (guint[]) { 1, 2, 3, 4, 5 }, 5);
  assert_counts ("1..64:x2", 2, (guint[]) { 1, 2, 4, 8, 16, 32, 64 }, 7);
  assert_counts ("2..10:4", 2, (guint[]) { 2, 6, 10 }, 3);
  assert_counts ("auto", 2, (guint[]) { 1, 2, 4, 8 }, 4);
  assert_counts ("auto", 3, (guint[]) { 1, 2, 3, 4, 8, 12 }, 6);
  assert_counts (" 1, 3..4 ", 2, (guint[]) { 1, 3, 4 }, 3);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (ps_sweep_parse_workers (bad[i], 2, &counts, &error));
      g_assert_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT);
      g_test_message ("%s: %s", bad[i], error->message);
      g_assert_true (g_str_has_prefix (error->message, "worker counts"));
    }
  {
    guint reps;
    g_autoptr(GError) error = NULL;

    g_assert_true (ps_sweep_parse_reps ("3", &reps, NULL));
    g_assert_cmpuint (reps, ==, 3);
    g_assert_false (ps_sweep_parse_reps ("0", &reps, &error));
    g_assert_nonnull (strstr (error->message, "repetitions"));
    g_assert_false (ps_sweep_parse_reps ("101", &reps, NULL));
  }
  g_assert_cmpuint (ps_sweep_usable_cpus (NULL), >=, 1);
}

static PsSpec *
spec_for (const char *workload)
{
  PsSpec *spec = ps_spec_new ();
  const char *argv[] = { "--items", "1..100", "--workload", workload, "--seed", "1" };

  g_assert_true (ps_spec_parse_args (spec, G_N_ELEMENTS (argv), (char **) argv, NULL));
  g_assert_true (ps_spec_finish (spec, NULL));
  return spec;
}

/* The plan: a warm-up first, then each repetition runs every count once,
 * in an order the seed decides. */
static void
test_schedule (void)
{
  g_autoptr(PsSpec) spec = spec_for ("square");
  guint counts[] = { 1, 2, 4, 8 };
  g_autoptr(PsSweep) a = ps_sweep_new (spec, counts, 4, 3, TRUE, 42);
  g_autoptr(PsSweep) b = ps_sweep_new (spec, counts, 4, 3, TRUE, 42);
  g_autoptr(PsSweep) c = ps_sweep_new (spec, counts, 4, 3, FALSE, 43);
  gboolean differs = FALSE;

  g_assert_cmpuint (ps_sweep_get_n_runs (a), ==, 13);
  g_assert_true (ps_sweep_get_run (a, 0)->warmup);
  g_assert_cmpuint (ps_sweep_get_n_runs (c), ==, 12);
  for (guint r = 0; r < 3; r++)
    {
      guint seen = 0;

      for (guint i = 0; i < 4; i++)
        {
          PsSweepRun *run = ps_sweep_get_run (a, 1 + r * 4 + i);

          g_assert_false (run->warmup);
          g_assert_cmpuint (run->rep, ==, r);
          seen |= 1u << run->workers;
          g_assert_cmpuint (run->workers, ==, ps_sweep_get_run (b, 1 + r * 4 + i)->workers);
          differs |= run->workers != ps_sweep_get_run (c, r * 4 + i)->workers;
        }
      g_assert_cmpuint (seen, ==, (1u << 1) | (1u << 2) | (1u << 4) | (1u << 8));
    }
  g_assert_true (differs);
  {
    g_autoptr(PsSpec) run_spec = ps_sweep_dup_run_spec (a, 3);

    g_assert_cmpuint (run_spec->workers, ==, ps_sweep_get_run (a, 3)->workers);
    g_assert_true (run_spec->seed == spec->seed);
  }
}

/* Feeds a run of @workers with @wall seconds and @cpu_use of each worker. */
static void
fake_run (PsSweep *sweep,
          guint    index,
          double   wall,
          double   cpu_use,
          gint64   memory)
{
  PsSweepRun *run = ps_sweep_get_run (sweep, index);
  PsEvent e = { 0 };

  e.type = PS_EVENT_RUN_START;
  e.workers = run->workers;
  e.n_tasks = 100;
  ps_sweep_run_result_add_event (&run->result, &e);
  for (guint k = 0; k < run->workers; k++)
    {
      PsEvent s = { 0 };

      s.type = PS_EVENT_SAMPLE;
      s.pid = 1000 + k;
      s.pss = memory;
      s.rss = 2 * memory;
      ps_sweep_run_result_add_event (&run->result, &s);
    }
  memset (&e, 0, sizeof e);
  e.type = PS_EVENT_RUN_END;
  e.t = (gint64) (wall * 1e9);
  e.cpu_total_ns = (gint64) (cpu_use * run->workers * wall * 1e9);
  e.n_ok = 100;
  ps_sweep_run_result_add_event (&run->result, &e);
  ps_sweep_run_done (sweep, index);
}

/* CPU-bound work on 2 CPUs: more workers than CPUs gain nothing, and the
 * answer is 2, with its reason. */
static void
test_recommend_cpu_bound (void)
{
  g_autoptr(PsSpec) spec = spec_for ("cpu:10");
  guint counts[] = { 1, 2, 3, 4 };
  g_autoptr(PsSweep) sweep = ps_sweep_new (spec, counts, 4, 2, FALSE, 1);
  const PsSweepPoint *p;

  ps_sweep_set_usable_cpus (sweep, 2, "2 usable CPUs");
  ps_sweep_set_available_memory (sweep, G_GINT64_CONSTANT (8) << 30);
  for (guint i = 0; i < ps_sweep_get_n_runs (sweep); i++)
    {
      guint n = ps_sweep_get_run (sweep, i)->workers;
      double wall = n == 1 ? 2.0 : n == 2 ? 1.02 : n == 3 ? 1.0 : 0.99;

      fake_run (sweep, i, wall * (ps_sweep_get_run (sweep, i)->rep ? 1.01 : 1), n <= 2 ? 0.97 : 0.65, 4 << 20);
    }
  ps_sweep_compute (sweep);
  g_test_message ("%s", ps_sweep_get_reason (sweep));
  g_assert_cmpuint (ps_sweep_get_recommended (sweep), ==, 2);
  g_assert_nonnull (strstr (ps_sweep_get_reason (sweep), "waits for a CPU"));
  p = ps_sweep_get_point (sweep, 1);
  g_assert_cmpuint (p->workers, ==, 2);
  g_assert_cmpuint (p->n_reps, ==, 2);
  g_assert_cmpfloat_with_epsilon (p->speedup, 2.01 / 1.0251, 0.01);
  g_assert_cmpfloat_with_epsilon (p->efficiency, p->speedup / 2, 1e-9);
  g_assert_cmpfloat_with_epsilon (p->cpu_use, 0.97, 1e-6);
  g_assert_cmpint (p->memory_peak, ==, 2 * (4 << 20));
  g_assert_true (isnan (ps_sweep_get_point (sweep, 0)->karp_flatt));
  g_assert_nonnull (ps_sweep_get_amdahl (sweep, NULL));
  g_assert_nonnull (ps_sweep_get_usl (sweep, NULL));
  {
    g_autofree char *json = ps_sweep_to_json (sweep);
    g_autoptr(GString) table = g_string_new (NULL);

    g_assert_nonnull (strstr (json, "\"recommended\":2"));
    g_assert_nonnull (strstr (json, "\"serial_fraction\":"));
    ps_sweep_format_table (sweep, table);
    g_test_message ("%s", table->str);
    g_assert_nonnull (strstr (table->str, "Recommended: 2 workers"));
  }
}

/* Work that scales: the largest count is the best, and said so; a pool
 * too big for the memory is refused. */
static void
test_recommend_scaling_and_memory (void)
{
  g_autoptr(PsSpec) spec = spec_for ("sleep:20");
  guint counts[] = { 1, 2, 4, 8, 16 };
  g_autoptr(PsSweep) sweep = ps_sweep_new (spec, counts, 5, 1, FALSE, 1);

  ps_sweep_set_usable_cpus (sweep, 2, "2 usable CPUs");
  ps_sweep_set_available_memory (sweep, G_GINT64_CONSTANT (80) << 20);  /* 80 MiB: 8 workers of 10 */
  for (guint i = 0; i < ps_sweep_get_n_runs (sweep); i++)
    fake_run (sweep, i, 2.0 / ps_sweep_get_run (sweep, i)->workers, 0.01, 10 << 20);
  ps_sweep_compute (sweep);
  g_test_message ("%s", ps_sweep_get_reason (sweep));
  g_assert_cmpuint (ps_sweep_get_recommended (sweep), ==, 8);
  g_assert_nonnull (strstr (ps_sweep_get_reason (sweep), "memory holds 8 workers"));
  g_assert_cmpfloat_with_epsilon (ps_sweep_get_amdahl (sweep, NULL)->serial_fraction, 0, 1e-6);

  ps_sweep_set_available_memory (sweep, G_GINT64_CONSTANT (64) << 30);
  ps_sweep_compute (sweep);
  g_assert_cmpuint (ps_sweep_get_recommended (sweep), ==, 16);
  g_assert_nonnull (strstr (ps_sweep_get_reason (sweep), "the best throughput measured"));
}

/* Spreads that overlap give no clear answer. */
static void
test_recommend_unclear (void)
{
  g_autoptr(PsSpec) spec = spec_for ("sleep:20");
  guint counts[] = { 1, 2 };
  g_autoptr(PsSweep) sweep = ps_sweep_new (spec, counts, 2, 3, FALSE, 1);
  static const double walls[2][3] = { { 1.0, 0.6, 1.4 }, { 0.8, 0.5, 1.3 } };

  ps_sweep_set_usable_cpus (sweep, 2, "2 usable CPUs");
  for (guint i = 0; i < ps_sweep_get_n_runs (sweep); i++)
    {
      PsSweepRun *run = ps_sweep_get_run (sweep, i);

      fake_run (sweep, i, walls[run->workers - 1][run->rep], 0.01, 0);
    }
  ps_sweep_compute (sweep);
  g_test_message ("%s", ps_sweep_get_reason (sweep));
  g_assert_cmpuint (ps_sweep_get_recommended (sweep), ==, 0);
  g_assert_true (g_str_has_prefix (ps_sweep_get_reason (sweep), "no clear answer"));
}

/* A sweep's record on a full disk (/dev/full): finishing says so, in
 * words; the record of a whole sweep reads back as the sweep. */
static void
test_record (void)
{
  static const guint counts[] = { 1, 2 };
  g_autoptr(PsSpec) spec = ps_spec_new ();
  g_autoptr(PsSweep) sweep = ps_sweep_new (spec, counts, 2, 1, FALSE, 7);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ps-test-record-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "kept.jsonl", NULL);
  g_autoptr(PsSweep) back = NULL;
  PsSweepRecord *record;

  for (guint full = 0; full <= 1; full++)
    {
      record = ps_sweep_record_new (full ? "/dev/full" : path, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < ps_sweep_get_n_runs (sweep); i++)
        {
          PsSweepRun *run = ps_sweep_get_run (sweep, i);
          PsEvent e = { 0 };

          ps_sweep_record_run (record, sweep, i);
          e.type = PS_EVENT_RUN_START;
          e.n_tasks = 10;
          e.workers = run->workers;
          e.items = "1..10";
          e.workload = "square";
          ps_sweep_record_add (record, &e);
          ps_sweep_run_result_add_event (&run->result, &e);
          e.type = PS_EVENT_TASK_END;    /* not kept */
          ps_sweep_record_add (record, &e);
          memset (&e, 0, sizeof e);
          e.type = PS_EVENT_RUN_END;
          e.t = 1000000000 / run->workers;
          e.n_tasks = e.n_ok = 10;
          ps_sweep_record_add (record, &e);
          ps_sweep_run_result_add_event (&run->result, &e);
          ps_sweep_run_done (sweep, i);
          ps_sweep_record_run_done (record);
        }
      ps_sweep_compute (sweep);
      if (full)
        {
          g_assert_false (ps_sweep_record_finish (record, sweep, TRUE, NULL, NULL, &error));
          g_test_message ("%s", error->message);
          g_assert_error (error, PS_ERROR, PS_ERROR_FAILED);
          g_assert_nonnull (strstr (error->message, "cannot keep the sweep"));
          g_clear_error (&error);
        }
      else
        g_assert_true (ps_sweep_record_finish (record, sweep, TRUE, NULL, NULL, &error));
    }
  back = ps_sweep_load (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ps_sweep_get_n_points (back), ==, 2);
  g_assert_cmpfloat_with_epsilon (ps_sweep_get_point (back, 1)->speedup, 2.0, 1e-9);
  g_assert_cmpuint (ps_sweep_get_recommended (back), ==, ps_sweep_get_recommended (sweep));
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ps/fit/amdahl-exact", test_amdahl_exact);
  g_test_add_func ("/ps/fit/usl-exact", test_usl_exact);
  g_test_add_func ("/ps/fit/usl-noisy", test_usl_noisy);
  g_test_add_func ("/ps/fit/refused", test_fits_refused);
  g_test_add_func ("/ps/fit/stats", test_stats);
  g_test_add_func ("/ps/sweep/record-full", test_record);
  g_test_add_func ("/ps/sweep/parse-workers", test_parse_workers);
  g_test_add_func ("/ps/sweep/schedule", test_schedule);
  g_test_add_func ("/ps/sweep/recommend-cpu-bound", test_recommend_cpu_bound);
  g_test_add_func ("/ps/sweep/recommend-scaling-memory", test_recommend_scaling_and_memory);
  g_test_add_func ("/ps/sweep/recommend-unclear", test_recommend_unclear);
  return g_test_run ();
}
