/* ps-fit.c: the statistics and model fits of a sizing sweep
 *
 * Pure functions over arrays, so that tests feed them exact curves.
 *
 * Amdahl's serial fraction is found by minimising the squared error of
 * the time ratios T(N) / T(base) over s in [0, 1] (a fine scan, then a
 * golden-section search): a sweep that did not measure one worker still
 * has a fit, relative to its smallest count. The Universal Scalability
 * Law starts from its linear form, N / X = (1 + σ (N − 1) + κ N (N − 1)) / γ,
 * solved by least squares with σ, κ ≥ 0 (each bound tried active or not),
 * and is then refined on the throughputs themselves by a bounded
 * Levenberg–Marquardt: the linear form weighs the points unevenly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ps-error.h"
#include "ps-fit.h"

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

double
ps_stat_median (const double *v,
                guint         n)
{
  g_autofree double *s = NULL;

  if (n == 0)
    return NAN;
  s = g_memdup2 (v, n * sizeof (double));
  qsort (s, n, sizeof (double), compare_doubles);
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* The median absolute deviation from the median. */
double
ps_stat_mad (const double *v,
             guint         n)
{
  g_autofree double *d = NULL;
  double m = ps_stat_median (v, n);

  if (n == 0)
    return NAN;
  d = g_new (double, n);
  for (guint i = 0; i < n; i++)
    d[i] = fabs (v[i] - m);
  return ps_stat_median (d, n);
}

/* Student's t at 97.5% for 1..30 degrees of freedom. */
static const double t975[] = {
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
  2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
  2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
};

/**
 * ps_stat_interval95:
 *
 * The 95% confidence interval of the mean of @v (Student's t). FALSE
 * with fewer than two values.
 */
gboolean
ps_stat_interval95 (const double *v,
                    guint         n,
                    double       *low,
                    double       *high)
{
  double mean = 0, ss = 0, half;

  if (n < 2)
    {
      *low = *high = n == 1 ? v[0] : NAN;
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    mean += v[i];
  mean /= n;
  for (guint i = 0; i < n; i++)
    ss += (v[i] - mean) * (v[i] - mean);
  half = (n - 1 <= G_N_ELEMENTS (t975) ? t975[n - 2] : 1.96) * sqrt (ss / (n - 1) / n);
  *low = mean - half;
  *high = mean + half;
  return TRUE;
}

/* Far from the median: more than three scaled MADs (a robust 3σ). */
gboolean
ps_stat_is_outlier (const double *v,
                    guint         n,
                    guint         i)
{
  double m, mad;

  if (n < 3 || i >= n)
    return FALSE;
  m = ps_stat_median (v, n);
  /* with a few runs the MAD is one deviation, however small: no scale
   * under 2% of the median (runs a few percent apart are alike) */
  mad = MAX (ps_stat_mad (v, n) * 1.4826, fabs (m) * 0.02);
  return fabs (v[i] - m) > 3 * mad;
}

/* ---- Amdahl ----------------------------------------------------------- */

static double
amdahl_error (double        s,
              const double *workers,
              const double *wall,
              guint         n,
              guint         base)
{
  double fb = s + (1 - s) / workers[base], e = 0;

  for (guint i = 0; i < n; i++)
    {
      double r = wall[i] / wall[base] - (s + (1 - s) / workers[i]) / fb;
      e += r * r;
    }
  return e;
}

/**
 * ps_fit_amdahl:
 * @workers: the worker counts
 * @wall: the (median) wall time at each
 *
 * Fits Amdahl's serial fraction to the times relative to the smallest
 * count. Refused with fewer than two distinct counts.
 */
gboolean
ps_fit_amdahl (const double *workers,
               const double *wall,
               guint         n,
               PsAmdahlFit  *out,
               GError      **error)
{
  guint base = 0, distinct = 0;
  double best = 0, best_e = G_MAXDOUBLE, lo, hi;
  const double phi = (sqrt (5) - 1) / 2;

  memset (out, 0, sizeof *out);
  for (guint i = 0; i < n; i++)
    {
      if (!(workers[i] >= 1) || !(wall[i] > 0) || !isfinite (wall[i]))
        {
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       _("no Amdahl fit: a point has no usable time"));
          return FALSE;
        }
      if (workers[i] < workers[base])
        base = i;
    }
  for (guint i = 0; i < n; i++)
    {
      gboolean seen = FALSE;

      for (guint j = 0; j < i; j++)
        seen |= workers[j] == workers[i];
      distinct += !seen;
    }
  if (distinct < 2)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("no Amdahl fit: it needs at least two worker counts"));
      return FALSE;
    }

  /* a scan finds the valley, golden sections its floor */
  for (guint k = 0; k <= 1000; k++)
    {
      double e = amdahl_error (k / 1000.0, workers, wall, n, base);

      if (e < best_e)
        {
          best_e = e;
          best = k / 1000.0;
        }
    }
  lo = MAX (0, best - 0.001);
  hi = MIN (1, best + 0.001);
  for (int it = 0; it < 60; it++)
    {
      double a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);

      if (amdahl_error (a, workers, wall, n, base) < amdahl_error (b, workers, wall, n, base))
        hi = b;
      else
        lo = a;
    }
  out->serial_fraction = (lo + hi) / 2;
  out->rms_residual = sqrt (amdahl_error (out->serial_fraction, workers, wall, n, base) / n);
  return TRUE;
}

/* The speedup over one worker the fit gives at @workers. */
double
ps_amdahl_speedup (const PsAmdahlFit *fit,
                   double             workers)
{
  return 1 / (fit->serial_fraction + (1 - fit->serial_fraction) / workers);
}

/* ---- USL -------------------------------------------------------------- */

double
ps_usl_throughput (const PsUslFit *fit,
                   double          workers)
{
  double n = workers;

  return fit->gamma * n / (1 + fit->sigma * (n - 1) + fit->kappa * n * (n - 1));
}

static double
usl_sse (const PsUslFit *fit,
         const double   *workers,
         const double   *x,
         guint           n)
{
  double e = 0;

  for (guint i = 0; i < n; i++)
    {
      double r = x[i] - ps_usl_throughput (fit, workers[i]);
      e += r * r;
    }
  return e;
}

/* Solves the k×k system a x = b (k ≤ 3) by Gaussian elimination with
 * partial pivoting; FALSE when it is singular. */
static gboolean
solve (double a[3][3],
       double b[3],
       guint  k,
       double x[3])
{
  for (guint c = 0; c < k; c++)
    {
      guint p = c;

      for (guint r = c + 1; r < k; r++)
        if (fabs (a[r][c]) > fabs (a[p][c]))
          p = r;
      if (fabs (a[p][c]) < 1e-300)
        return FALSE;
      for (guint j = 0; j < k; j++)
        {
          double t = a[c][j];
          a[c][j] = a[p][j];
          a[p][j] = t;
        }
      {
        double t = b[c];
        b[c] = b[p];
        b[p] = t;
      }
      for (guint r = c + 1; r < k; r++)
        {
          double f = a[r][c] / a[c][c];

          for (guint j = c; j < k; j++)
            a[r][j] -= f * a[c][j];
          b[r] -= f * b[c];
        }
    }
  for (guint c = k; c-- > 0;)
    {
      double s = b[c];

      for (guint j = c + 1; j < k; j++)
        s -= a[c][j] * x[j];
      x[c] = s / a[c][c];
    }
  return TRUE;
}

/* N / X = a + b (N − 1) + c N (N − 1), with b, c ≥ 0: each of the four
 * choices of which bounds hold, the best feasible one. */
static gboolean
usl_linear (const double *workers,
            const double *x,
            guint         n,
            PsUslFit     *out)
{
  double best_e = G_MAXDOUBLE;
  gboolean found = FALSE;

  for (guint mask = 0; mask < 4; mask++)
    {
      gboolean use_b = (mask & 1) != 0, use_c = (mask & 2) != 0;
      double ata[3][3] = { { 0 } }, atb[3] = { 0 }, p[3] = { 0 }, coef[3] = { 0 }, e = 0;
      guint k = 1 + use_b + use_c;

      for (guint i = 0; i < n; i++)
        {
          double f[3], y = workers[i] / x[i];
          guint m = 0;

          f[m++] = 1;
          if (use_b)
            f[m++] = workers[i] - 1;
          if (use_c)
            f[m++] = workers[i] * (workers[i] - 1);
          for (guint r = 0; r < k; r++)
            {
              for (guint c = 0; c < k; c++)
                ata[r][c] += f[r] * f[c];
              atb[r] += f[r] * y;
            }
        }
      if (!solve (ata, atb, k, p))
        continue;
      coef[0] = p[0];
      coef[1] = use_b ? p[1] : 0;
      coef[2] = use_c ? p[use_b ? 2 : 1] : 0;
      if (coef[0] <= 0 || coef[1] < 0 || coef[2] < 0)
        continue;
      for (guint i = 0; i < n; i++)
        {
          double y = workers[i] / x[i];
          double r = y - (coef[0] + coef[1] * (workers[i] - 1) + coef[2] * workers[i] * (workers[i] - 1));
          e += r * r;
        }
      if (e < best_e)
        {
          best_e = e;
          out->gamma = 1 / coef[0];
          out->sigma = coef[1] / coef[0];
          out->kappa = coef[2] / coef[0];
          found = TRUE;
        }
    }
  return found;
}

/**
 * ps_fit_usl:
 * @workers: the worker counts
 * @throughput: the (median) throughput at each, tasks a second
 *
 * Fits γ, σ, κ. Refused with fewer than three distinct counts (three
 * parameters).
 */
gboolean
ps_fit_usl (const double *workers,
            const double *throughput,
            guint         n,
            PsUslFit     *out,
            GError      **error)
{
  guint distinct = 0;
  double lambda = 1e-3, e, mean = 0;

  memset (out, 0, sizeof *out);
  out->peak_workers = NAN;
  for (guint i = 0; i < n; i++)
    {
      gboolean seen = FALSE;

      if (!(workers[i] >= 1) || !(throughput[i] > 0) || !isfinite (throughput[i]))
        {
          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       _("no USL fit: a point has no usable throughput"));
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        seen |= workers[j] == workers[i];
      distinct += !seen;
      mean += throughput[i] / n;
    }
  if (distinct < 3)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("no USL fit: it needs at least three worker counts"));
      return FALSE;
    }
  if (!usl_linear (workers, throughput, n, out))
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("no USL fit: the throughputs do not fit the law"));
      return FALSE;
    }

  /* Levenberg–Marquardt on the throughputs, σ and κ held at ≥ 0 */
  e = usl_sse (out, workers, throughput, n);
  for (int it = 0; it < 200 && e > 0; it++)
    {
      double jtj[3][3] = { { 0 } }, jtr[3] = { 0 }, d[3] = { 0 };
      PsUslFit trial = *out;
      double te;

      for (guint i = 0; i < n; i++)
        {
          double nn = workers[i], den = 1 + out->sigma * (nn - 1) + out->kappa * nn * (nn - 1);
          double model = out->gamma * nn / den, r = throughput[i] - model;
          double j[3] = { nn / den,
                          -out->gamma * nn * (nn - 1) / (den * den),
                          -out->gamma * nn * nn * (nn - 1) / (den * den) };

          for (guint a = 0; a < 3; a++)
            {
              for (guint b = 0; b < 3; b++)
                jtj[a][b] += j[a] * j[b];
              jtr[a] += j[a] * r;
            }
        }
      for (guint a = 0; a < 3; a++)
        jtj[a][a] *= 1 + lambda;
      if (!solve (jtj, jtr, 3, d))
        break;
      trial.gamma += d[0];
      trial.sigma = MAX (0, trial.sigma + d[1]);
      trial.kappa = MAX (0, trial.kappa + d[2]);
      te = trial.gamma > 0 ? usl_sse (&trial, workers, throughput, n) : G_MAXDOUBLE;
      if (te < e)
        {
          gboolean done = e - te < 1e-15 * e;

          *out = trial;
          e = te;
          lambda = MAX (lambda / 10, 1e-12);
          if (done)
            break;
        }
      else if ((lambda *= 10) > 1e12)
        break;
    }
  out->peak_workers = out->kappa > 0 && out->sigma < 1 ? sqrt ((1 - out->sigma) / out->kappa) : NAN;
  out->rms_residual = sqrt (e / n) / mean;
  return TRUE;
}
