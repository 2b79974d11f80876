/* ps-sweep.h: one batch over many pool sizes, and what it says of them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ps-event.h"
#include "ps-fit.h"
#include "ps-spec.h"

G_BEGIN_DECLS

#define PS_SWEEP_MAX_POINTS 64
#define PS_SWEEP_MAX_REPS   100
#define PS_SWEEP_DEFAULT_REPS 3
#define PS_SWEEP_DEFAULT_TOLERANCE 0.05

/* What one run of a sweep measured, gathered from its events. */
typedef struct
{
  guint      workers;
  gboolean   ended;           /* its run-end came */
  gboolean   cancelled;
  gint64     wall_ns;
  gint64     cpu_ns;          /* of its tasks */
  guint64    tasks;
  guint64    ok;
  guint64    failed;
  gint64     memory_now;      /* the pool's PSS (RSS where unreadable), now */
  gint64     memory_peak;
  gint64     start_cost_sum;  /* ns over the workers that started */
  guint      started;
  GHashTable *memory;         /* pid → its last memory figure */
} PsSweepRunResult;

void     ps_sweep_run_result_init      (PsSweepRunResult *r);
void     ps_sweep_run_result_clear     (PsSweepRunResult *r);
void     ps_sweep_run_result_add_event (PsSweepRunResult *r,
                                        const PsEvent    *e);

/* One run of the schedule. */
typedef struct
{
  guint    workers;
  guint    rep;               /* 0.. for the counted runs */
  gboolean warmup;            /* run first, not counted */
  gboolean done;
  PsSweepRunResult result;
} PsSweepRun;

/* What the repetitions of one worker count say. */
typedef struct
{
  guint    workers;
  guint    n_reps;            /* counted runs that ended */
  double  *walls;             /* s, in the order run */
  gboolean *outlier;
  double   wall_median;
  double   wall_min;
  double   wall_max;
  double   wall_low;          /* the 95% interval of the mean; NAN with one run */
  double   wall_high;
  double   tasks_per_s;       /* at the median wall */
  double   speedup;           /* against the smallest count measured */
  double   efficiency;        /* speedup / (workers / the smallest count) */
  double   karp_flatt;        /* serial fraction from this point alone; NAN for the base */
  double   cpu_use;           /* worker CPU / (workers × wall), median */
  gint64   memory_peak;       /* bytes, the largest of its runs */
  double   start_cost_s;      /* mean per worker */
  guint64  failed;            /* tasks, over its runs */
} PsSweepPoint;

typedef struct _PsSweep PsSweep;

gboolean      ps_sweep_parse_workers   (const char   *text,
                                        guint         usable_cpus,
                                        GArray      **counts,
                                        GError      **error);
gboolean      ps_sweep_parse_reps      (const char   *text,
                                        guint        *reps,
                                        GError      **error);
guint         ps_sweep_hosts_cpus      (const PsSpec *spec,
                                        char        **why);
guint         ps_sweep_usable_cpus     (char        **why);

PsSweep      *ps_sweep_new             (const PsSpec *spec,
                                        const guint  *counts,
                                        guint         n_counts,
                                        guint         reps,
                                        gboolean      warmup,
                                        guint64       seed);
PsSweep      *ps_sweep_load            (const char   *path,
                                        char        **problem,
                                        GError      **error);
PsSweep      *ps_sweep_load_full       (const char   *path,
                                        GCancellable *cancellable,
                                        int          *permille,
                                        char        **problem,
                                        GError      **error);
void          ps_sweep_free            (PsSweep      *self);
const PsSpec *ps_sweep_get_spec        (PsSweep      *self);
guint         ps_sweep_get_n_runs      (PsSweep      *self);
PsSweepRun   *ps_sweep_get_run         (PsSweep      *self,
                                        guint         index);
PsSpec       *ps_sweep_dup_run_spec    (PsSweep      *self,
                                        guint         index);
void          ps_sweep_run_done        (PsSweep      *self,
                                        guint         index);
void          ps_sweep_set_usable_cpus (PsSweep      *self,
                                        guint         cpus,
                                        const char   *why);
void          ps_sweep_set_available_memory (PsSweep *self,
                                        gint64        bytes);
void          ps_sweep_set_tolerance   (PsSweep      *self,
                                        double        tolerance);

void          ps_sweep_compute         (PsSweep      *self);
guint         ps_sweep_get_n_points    (PsSweep      *self);
const PsSweepPoint *ps_sweep_get_point (PsSweep      *self,
                                        guint         index);
const PsAmdahlFit *ps_sweep_get_amdahl (PsSweep      *self,
                                        const char  **why_not);
const PsUslFit *ps_sweep_get_usl       (PsSweep      *self,
                                        const char  **why_not);
guint         ps_sweep_get_recommended (PsSweep      *self);
const char   *ps_sweep_get_reason      (PsSweep      *self);
guint         ps_sweep_get_base        (PsSweep      *self);
guint         ps_sweep_get_usable_cpus (PsSweep      *self);

gint64        ps_sweep_get_started_ns  (PsSweep      *self);
gboolean      ps_sweep_is_ended        (PsSweep      *self);
guint         ps_sweep_get_n_counts    (PsSweep      *self);
guint         ps_sweep_get_reps        (PsSweep      *self);
guint         ps_sweep_get_count       (PsSweep      *self,
                                        guint         index);

char         *ps_sweep_to_json         (PsSweep      *self);
void          ps_sweep_format_table    (PsSweep      *self,
                                        GString      *out);
void          ps_sweep_to_csv          (PsSweep      *self,
                                        GString      *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsSweep, ps_sweep_free)

G_END_DECLS
