/* ps-fit.h: the statistics and model fits of a sizing sweep (pure)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

double   ps_stat_median       (const double *v,
                               guint         n);
double   ps_stat_mad          (const double *v,
                               guint         n);
gboolean ps_stat_interval95   (const double *v,
                               guint         n,
                               double       *low,
                               double       *high);
gboolean ps_stat_is_outlier   (const double *v,
                               guint         n,
                               guint         i);

/* Amdahl's law: a run of N workers takes T(1) (s + (1 - s) / N). */
typedef struct
{
  double serial_fraction;   /* s, in [0, 1] */
  double rms_residual;      /* of the time ratios T(N) / T(base) */
} PsAmdahlFit;

gboolean ps_fit_amdahl        (const double *workers,
                               const double *wall,
                               guint         n,
                               PsAmdahlFit  *out,
                               GError      **error);
double   ps_amdahl_speedup    (const PsAmdahlFit *fit,
                               double             workers);

/* Gunther's Universal Scalability Law: X(N) = γ N / (1 + σ (N − 1) + κ N (N − 1)). */
typedef struct
{
  double gamma;             /* throughput of one worker */
  double sigma;             /* contention, ≥ 0 */
  double kappa;             /* coherency, ≥ 0 */
  double peak_workers;      /* √((1 − σ) / κ); NAN when κ = 0 (no peak) */
  double rms_residual;      /* of the throughputs, relative to their mean */
} PsUslFit;

gboolean ps_fit_usl           (const double *workers,
                               const double *throughput,
                               guint         n,
                               PsUslFit     *out,
                               GError      **error);
double   ps_usl_throughput    (const PsUslFit *fit,
                               double          workers);

G_END_DECLS
