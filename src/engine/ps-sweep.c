/* ps-sweep.c: one batch over many pool sizes, and what it says of them
 *
 * A sweep is a plan and a tally; running its runs is the caller's (the
 * CLI runs pools in its process, the app runs them through its engine),
 * each run a full run of the same batch on a fresh pool. The plan: one
 * warm-up run that is not counted (at the median count), then the
 * repetitions, each a shuffled order of every count (repetition-major,
 * seeded), so that the machine's drift spreads over all counts instead of
 * landing on the last ones. The tally: each run's events go through
 * ps_sweep_run_result_add_event(); ps_sweep_compute() makes the points
 * (medians, spreads, speedup, efficiency, Karp–Flatt, CPU use, memory),
 * the Amdahl and USL fits and the recommended size with its reason.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ps-error.h"
#include "ps-format.h"
#include "ps-log-reader.h"
#include "ps-sweep.h"

/* A CPU-bound batch keeps each worker on a CPU this much of its time. */
#define CPU_BOUND_USE 0.7

struct _PsSweep
{
  PsSpec       *spec;
  GArray       *counts;       /* guint, ascending */
  guint         reps;
  GPtrArray    *runs;         /* PsSweepRun*, in the order they run */
  guint         usable_cpus;
  char         *usable_why;
  gint64        available_memory;
  double        tolerance;

  /* what ps_sweep_compute() found */
  GArray       *points;       /* PsSweepPoint */
  PsAmdahlFit   amdahl;
  gboolean      have_amdahl;
  char         *amdahl_why;
  PsUslFit      usl;
  gboolean      have_usl;
  char         *usl_why;
  guint         recommended;  /* 0: no clear answer */
  char         *reason;

  /* a sweep read back from its log */
  gint64        started_ns;   /* its first run-start's epoch_ns; 0: not known */
  gboolean      ended;        /* its log has its sweep-end */
};

/* ---- the list of worker counts ------------------------------------------ */

static gboolean
parse_count (const char  *text,
             const char  *whole,
             guint       *out,
             GError     **error)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (text, 10, 1, PS_WORKERS_MAX, &v, NULL))
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("worker counts “%s”: “%s” is not a whole number from 1 to %u"),
                   whole, text, PS_WORKERS_MAX);
      return FALSE;
    }
  *out = (guint) v;
  return TRUE;
}

static int
compare_guint (gconstpointer a,
               gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

static gboolean
add_count (GArray      *counts,
           guint        n,
           const char  *whole,
           GError     **error)
{
  for (guint i = 0; i < counts->len; i++)
    if (g_array_index (counts, guint, i) == n)
      return TRUE;
  if (counts->len >= PS_SWEEP_MAX_POINTS)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("worker counts “%s”: more than %u counts; a sweep runs each of them several times"),
                   whole, PS_SWEEP_MAX_POINTS);
      return FALSE;
    }
  g_array_append_val (counts, n);
  return TRUE;
}

/**
 * ps_sweep_parse_workers:
 * @text: "1,2,4,8", "1..8", "1..64:x2" (doubling), "2..16:2" (a step),
 *   "auto", or several of them joined by commas
 * @usable_cpus: what "auto" is made of
 * @counts: (out): the counts, ascending, each once
 */
gboolean
ps_sweep_parse_workers (const char  *text,
                        guint        usable_cpus,
                        GArray     **counts,
                        GError     **error)
{
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (guint));
  g_auto(GStrv) parts = NULL;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (text != NULL, FALSE);

  shown = g_utf8_validate (text, -1, NULL) ? g_utf8_substring (text, 0, MIN (g_utf8_strlen (text, -1), 60))
                                           : g_strdup ("?");
  {
    g_autofree char *stripped = g_strstrip (g_strdup (text));

    if (*stripped == '\0')
      {
        g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                     _("worker counts: none given (use 1,2,4,8 or 1..8 or 1..64:x2 or auto)"));
        return FALSE;
      }
  }
  parts = g_strsplit (text, ",", -1);
  for (guint p = 0; parts[p]; p++)
    {
      char *part = g_strstrip (parts[p]);
      char *dots = strstr (part, "..");

      if (g_str_equal (part, "auto"))
        {
          guint u = MAX (1, MIN (usable_cpus, PS_WORKERS_MAX));

          for (guint n = 1; n <= MIN (4 * u, PS_WORKERS_MAX); n *= 2)
            if (!add_count (out, n, shown, error))
              return FALSE;
          if (!add_count (out, u, shown, error) ||
              !add_count (out, MIN (4 * u, PS_WORKERS_MAX), shown, error))
            return FALSE;
        }
      else if (dots != NULL)
        {
          g_autofree char *first_text = g_strndup (part, dots - part);
          const char *rest = dots + 2, *colon = strchr (rest, ':');
          g_autofree char *last_text = colon ? g_strndup (rest, colon - rest) : g_strdup (rest);
          guint first, last, step = 1, factor = 0;

          if (!parse_count (first_text, shown, &first, error) || !parse_count (last_text, shown, &last, error))
            return FALSE;
          if (last < first)
            {
              g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                           _("worker counts “%s”: the range %u..%u is empty (the end is before the start)"),
                           shown, first, last);
              return FALSE;
            }
          if (colon != NULL)
            {
              guint64 v;
              gboolean times = colon[1] == 'x' || colon[1] == '*';

              if (!g_ascii_string_to_unsigned (colon + 1 + times, 10, times ? 2 : 1, PS_WORKERS_MAX, &v, NULL))
                {
                  g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                               _("worker counts “%s”: after “:” comes a step (1..8:2) or a factor of 2 or more (1..64:x2)"),
                               shown);
                  return FALSE;
                }
              if (times)
                factor = (guint) v;
              else
                step = (guint) v;
            }
          for (guint64 n = first; n <= last; n = factor ? n * factor : n + step)
            if (!add_count (out, (guint) n, shown, error))
              return FALSE;
        }
      else
        {
          guint n;

          if (!parse_count (part, shown, &n, error) || !add_count (out, n, shown, error))
            return FALSE;
        }
    }
  g_array_sort (out, compare_guint);
  *counts = g_steal_pointer (&out);
  return TRUE;
}

gboolean
ps_sweep_parse_reps (const char  *text,
                     guint       *reps,
                     GError     **error)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (text, 10, 1, PS_SWEEP_MAX_REPS, &v, NULL))
    {
      g_autofree char *shown = g_utf8_validate (text, -1, NULL)
                               ? g_utf8_substring (text, 0, MIN (g_utf8_strlen (text, -1), 40))
                               : g_strdup ("?");

      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("repetitions: “%s” is not a whole number from 1 to %u"), shown, PS_SWEEP_MAX_REPS);
      return FALSE;
    }
  *reps = (guint) v;
  return TRUE;
}

/* The quota of a cgroup v2 directory in CPUs, or 0 for none. */
static double
cgroup2_quota (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "cpu.max", NULL);
  g_autofree char *text = NULL;
  gint64 quota, period;

  if (!g_file_get_contents (path, &text, NULL, NULL) || g_str_has_prefix (text, "max"))
    return 0;
  if (sscanf (text, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT, &quota, &period) != 2 || quota <= 0 || period <= 0)
    return 0;
  return (double) quota / period;
}

/**
 * ps_sweep_hosts_cpus:
 * @spec: a finished spec with hosts
 * @why: (out) (optional): what they are, in words
 *
 * The CPUs of a pool's hosts, as their slots give them (this machine's
 * usable CPUs for a ":" without slots). Returns: 0 when a host other than
 * this machine has no slots given: only asking it would tell
 */
guint
ps_sweep_hosts_cpus (const PsSpec  *spec,
                     char         **why)
{
  guint total = 0;

  for (guint i = 0; spec->hosts && i < spec->hosts->len; i++)
    {
      const PsHost *h = g_ptr_array_index (spec->hosts, i);

      if (h->slots > 0)
        total += h->slots;
      else if (h->local)
        total += ps_sweep_usable_cpus (NULL);
      else
        return 0;
    }
  total = MIN (total, PS_WORKERS_MAX);
  if (why)
    *why = g_strdup_printf (ngettext ("the hosts’ %u slot", "the hosts’ %u slots", total), total);
  return total;
}

/**
 * ps_sweep_usable_cpus:
 * @why: (out) (optional): what limits them, in words
 *
 * The CPUs this process may use: its affinity mask, and a cgroup's CPU
 * quota (cpu.max, on the way up from its own cgroup), whichever is less.
 */
guint
ps_sweep_usable_cpus (char **why)
{
  cpu_set_t set;
  guint affinity = 0;
  double quota = 0;
  g_autofree char *cgroup = NULL;

  if (sched_getaffinity (0, sizeof set, &set) == 0)
    affinity = CPU_COUNT (&set);
  if (affinity == 0)
    affinity = MAX (1, (guint) g_get_num_processors ());

  if (g_file_get_contents ("/proc/self/cgroup", &cgroup, NULL, NULL))
    {
      char *line = strstr (cgroup, "0::");

      if (line != NULL)
        {
          char *end = strchr (line, '\n');
          g_autofree char *dir = NULL;

          if (end)
            *end = '\0';
          dir = g_build_filename ("/sys/fs/cgroup", line + 3, NULL);
          /* the tightest quota on the way to the root */
          while (dir != NULL && g_str_has_prefix (dir, "/sys/fs/cgroup"))
            {
              double q = cgroup2_quota (dir);
              char *parent;

              if (q > 0 && (quota == 0 || q < quota))
                quota = q;
              if (g_str_equal (dir, "/sys/fs/cgroup"))
                break;
              parent = g_path_get_dirname (dir);
              g_free (dir);
              dir = parent;
            }
        }
    }
  if (quota > 0 && ceil (quota - 1e-9) < affinity)
    {
      guint n = MAX (1, (guint) ceil (quota - 1e-9));

      if (why)
        *why = g_strdup_printf (ngettext ("%u usable CPU (a cgroup quota of %.2f)",
                                          "%u usable CPUs (a cgroup quota of %.2f)", n), n, quota);
      return n;
    }
  if (why)
    *why = g_strdup_printf (ngettext ("%u usable CPU", "%u usable CPUs", affinity), affinity);
  return affinity;
}

/* ---- one run's tally --------------------------------------------------- */

void
ps_sweep_run_result_init (PsSweepRunResult *r)
{
  memset (r, 0, sizeof *r);
  r->memory = g_hash_table_new (NULL, NULL);
}

void
ps_sweep_run_result_clear (PsSweepRunResult *r)
{
  g_clear_pointer (&r->memory, g_hash_table_unref);
}

static void
set_memory (PsSweepRunResult *r,
            gint32            pid,
            gint64            bytes)
{
  gpointer old;

  if (g_hash_table_lookup_extended (r->memory, GINT_TO_POINTER (pid), NULL, &old))
    r->memory_now -= GPOINTER_TO_SIZE (old);
  if (bytes >= 0)
    {
      g_hash_table_insert (r->memory, GINT_TO_POINTER (pid), GSIZE_TO_POINTER ((gsize) bytes));
      r->memory_now += bytes;
    }
  else
    g_hash_table_remove (r->memory, GINT_TO_POINTER (pid));
  r->memory_peak = MAX (r->memory_peak, r->memory_now);
}

/**
 * ps_sweep_run_result_add_event:
 *
 * Takes one event of the run (a tasks event too: it holds no totals the
 * run-end does not).
 */
void
ps_sweep_run_result_add_event (PsSweepRunResult *r,
                               const PsEvent    *e)
{
  switch (e->type)
    {
    case PS_EVENT_RUN_START:
      r->workers = e->workers;
      r->tasks = e->n_tasks;
      break;
    case PS_EVENT_WORKER_START:
      if (e->start_cost_ns > 0)
        {
          r->start_cost_sum += e->start_cost_ns;
          r->started++;
        }
      break;
    case PS_EVENT_SAMPLE:
      /* what the worker costs: PSS, or RSS where PSS is unreadable */
      set_memory (r, e->pid, e->pss >= 0 ? e->pss : e->rss);
      break;
    case PS_EVENT_WORKER_EXIT:
      set_memory (r, e->pid, -1);
      break;
    case PS_EVENT_RUN_END:
      r->ended = TRUE;
      r->cancelled = e->cancelled;
      r->wall_ns = e->t;
      r->cpu_ns = e->cpu_total_ns;
      r->ok = e->n_ok;
      r->failed = e->n_failed;
      break;
    case PS_EVENT_TASK_START:
    case PS_EVENT_TASK_END:
    case PS_EVENT_OUTPUT:
    case PS_EVENT_NOTICE:
    case PS_EVENT_TASKS:
    case PS_EVENT_N_TYPES:
    default:
      break;
    }
}

/* MemAvailable, in bytes; 0 when unknown. */
static gint64
available_memory (void)
{
  g_autofree char *text = NULL;
  const char *line;
  gint64 kib = 0;

  if (!g_file_get_contents ("/proc/meminfo", &text, NULL, NULL) ||
      (line = strstr (text, "MemAvailable:")) == NULL ||
      sscanf (line + strlen ("MemAvailable:"), "%" G_GINT64_FORMAT, &kib) != 1)
    return 0;
  return kib * 1024;
}

/* ---- the plan ----------------------------------------------------------- */

static void
run_free (PsSweepRun *run)
{
  ps_sweep_run_result_clear (&run->result);
  g_free (run);
}

static PsSweepRun *
run_new (guint    workers,
         guint    rep,
         gboolean warmup)
{
  PsSweepRun *run = g_new0 (PsSweepRun, 1);

  run->workers = workers;
  run->rep = rep;
  run->warmup = warmup;
  ps_sweep_run_result_init (&run->result);
  return run;
}

/**
 * ps_sweep_new:
 * @spec: the batch (finished); copied
 * @counts: the worker counts, ascending
 * @seed: what shuffles each repetition's order
 */
PsSweep *
ps_sweep_new (const PsSpec *spec,
              const guint  *counts,
              guint         n_counts,
              guint         reps,
              gboolean      warmup,
              guint64       seed)
{
  PsSweep *self = g_new0 (PsSweep, 1);
  g_autoptr(GRand) rand = g_rand_new_with_seed_array ((const guint32 *) &seed, 2);

  g_return_val_if_fail (n_counts > 0 && reps > 0, NULL);

  self->spec = ps_spec_copy (spec);
  self->counts = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_vals (self->counts, counts, n_counts);
  self->reps = reps;
  self->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) run_free);
  self->tolerance = PS_SWEEP_DEFAULT_TOLERANCE;
  self->usable_cpus = ps_sweep_usable_cpus (&self->usable_why);
  self->points = g_array_new (FALSE, TRUE, sizeof (PsSweepPoint));
  self->available_memory = available_memory ();

  if (warmup)
    g_ptr_array_add (self->runs, run_new (counts[n_counts / 2], 0, TRUE));
  for (guint r = 0; r < reps; r++)
    {
      g_autofree guint *order = g_memdup2 (counts, n_counts * sizeof (guint));

      /* Fisher–Yates */
      for (guint i = n_counts; i > 1; i--)
        {
          guint j = g_rand_int_range (rand, 0, i), t = order[i - 1];

          order[i - 1] = order[j];
          order[j] = t;
        }
      for (guint i = 0; i < n_counts; i++)
        g_ptr_array_add (self->runs, run_new (order[i], r, FALSE));
    }
  /* points without runs, and the fits' reasons for waiting, from the start */
  ps_sweep_compute (self);
  return self;
}

static void
clear_points (PsSweep *self)
{
  for (guint i = 0; i < self->points->len; i++)
    {
      PsSweepPoint *p = &g_array_index (self->points, PsSweepPoint, i);

      g_free (p->walls);
      g_free (p->outlier);
    }
  g_array_set_size (self->points, 0);
}

void
ps_sweep_free (PsSweep *self)
{
  if (self == NULL)
    return;
  clear_points (self);
  g_array_unref (self->points);
  g_ptr_array_unref (self->runs);
  g_array_unref (self->counts);
  ps_spec_free (self->spec);
  g_free (self->usable_why);
  g_free (self->amdahl_why);
  g_free (self->usl_why);
  g_free (self->reason);
  g_free (self);
}

const PsSpec *
ps_sweep_get_spec (PsSweep *self)
{
  return self->spec;
}

guint
ps_sweep_get_n_runs (PsSweep *self)
{
  return self->runs->len;
}

PsSweepRun *
ps_sweep_get_run (PsSweep *self,
                  guint    index)
{
  g_return_val_if_fail (index < self->runs->len, NULL);
  return g_ptr_array_index (self->runs, index);
}

/* The batch of run @index: the sweep's, with that run's pool size. */
PsSpec *
ps_sweep_dup_run_spec (PsSweep *self,
                       guint    index)
{
  PsSpec *spec;

  g_return_val_if_fail (index < self->runs->len, NULL);
  spec = ps_spec_copy (self->spec);
  spec->workers = ps_sweep_get_run (self, index)->workers;
  spec->workers_set = TRUE;
  g_clear_pointer (&spec->log_path, g_free);
  return spec;
}

void
ps_sweep_run_done (PsSweep *self,
                   guint    index)
{
  g_return_if_fail (index < self->runs->len);
  ps_sweep_get_run (self, index)->done = TRUE;
}

void
ps_sweep_set_usable_cpus (PsSweep    *self,
                          guint       cpus,
                          const char *why)
{
  self->usable_cpus = MAX (cpus, 1);
  g_free (self->usable_why);
  self->usable_why = g_strdup (why);
}

void
ps_sweep_set_available_memory (PsSweep *self,
                               gint64   bytes)
{
  self->available_memory = bytes;
}

void
ps_sweep_set_tolerance (PsSweep *self,
                        double   tolerance)
{
  self->tolerance = CLAMP (tolerance, 0, 0.5);
}

guint
ps_sweep_get_usable_cpus (PsSweep *self)
{
  return self->usable_cpus;
}

/* ---- the points, the fits, the answer ----------------------------------- */


static void
make_point (PsSweep      *self,
            guint         workers,
            PsSweepPoint *p)
{
  g_autoptr(GArray) walls = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) uses = g_array_new (FALSE, FALSE, sizeof (double));
  double cost_sum = 0;
  guint cost_n = 0;

  memset (p, 0, sizeof *p);
  p->workers = workers;
  /* unmeasured until a run of it has ended */
  p->wall_median = p->wall_min = p->wall_max = p->wall_low = p->wall_high = NAN;
  p->cpu_use = p->start_cost_s = NAN;
  for (guint i = 0; i < self->runs->len; i++)
    {
      PsSweepRun *run = g_ptr_array_index (self->runs, i);
      const PsSweepRunResult *r = &run->result;
      double wall, use;

      if (run->warmup || !run->done || run->workers != workers || !r->ended || r->cancelled || r->wall_ns <= 0)
        continue;
      wall = r->wall_ns / 1e9;
      use = r->cpu_ns / 1e9 / (workers * wall);
      g_array_append_val (walls, wall);
      g_array_append_val (uses, use);
      p->memory_peak = MAX (p->memory_peak, r->memory_peak);
      p->failed += r->failed;
      p->tasks_per_s = r->tasks;  /* the batch's size, the same for every run */
      if (r->started > 0)
        {
          cost_sum += (double) r->start_cost_sum / r->started / 1e9;
          cost_n++;
        }
    }
  p->n_reps = walls->len;
  if (p->n_reps == 0)
    {
      p->tasks_per_s = NAN;
      return;
    }
  p->walls = g_memdup2 (walls->data, walls->len * sizeof (double));
  p->outlier = g_new0 (gboolean, walls->len);
  for (guint i = 0; i < walls->len; i++)
    p->outlier[i] = ps_stat_is_outlier (p->walls, p->n_reps, i);
  p->wall_median = ps_stat_median (p->walls, p->n_reps);
  p->wall_min = p->wall_max = p->walls[0];
  for (guint i = 1; i < p->n_reps; i++)
    {
      p->wall_min = MIN (p->wall_min, p->walls[i]);
      p->wall_max = MAX (p->wall_max, p->walls[i]);
    }
  ps_stat_interval95 (p->walls, p->n_reps, &p->wall_low, &p->wall_high);
  if (p->n_reps < 2)
    p->wall_low = p->wall_high = NAN;
  p->tasks_per_s = p->tasks_per_s / p->wall_median;
  p->cpu_use = ps_stat_median ((double *) uses->data, uses->len);
  p->start_cost_s = cost_n ? cost_sum / cost_n : NAN;
}

/* "half the processes", "a third of the processes", "3 fewer processes" */
static char *
fewer_processes (guint chosen,
                 guint best)
{
  if (chosen * 2 == best)
    return g_strdup (_("half the processes"));
  if (chosen * 3 == best)
    return g_strdup (_("a third of the processes"));
  if (chosen * 4 == best)
    return g_strdup (_("a quarter of the processes"));
  return g_strdup_printf (ngettext ("%u fewer process", "%u fewer processes", best - chosen), best - chosen);
}

static void
recommend (PsSweep *self)
{
  const PsSweepPoint *best = NULL, *rec = NULL, *base;
  g_autoptr(GString) why = g_string_new (NULL);
  gboolean cpu_bound;
  char rate[PS_FORMAT_BUF_SIZE];

  g_clear_pointer (&self->reason, g_free);
  self->recommended = 0;
  for (guint i = 0; i < self->points->len; i++)
    {
      const PsSweepPoint *p = &g_array_index (self->points, PsSweepPoint, i);

      if (p->n_reps > 0 && (best == NULL || p->tasks_per_s > best->tasks_per_s))
        best = p;
    }
  if (best == NULL)
    {
      self->reason = g_strdup (_("no run has finished yet"));
      return;
    }
  /* the fewest workers measured (a stopped sweep may lack the smallest) */
  base = NULL;
  for (guint i = 0; i < self->points->len && base == NULL; i++)
    if (g_array_index (self->points, PsSweepPoint, i).n_reps > 0)
      base = &g_array_index (self->points, PsSweepPoint, i);
  for (guint i = 0; i < self->points->len && rec == NULL; i++)
    {
      const PsSweepPoint *p = &g_array_index (self->points, PsSweepPoint, i);

      if (p->n_reps > 0 && p->tasks_per_s >= best->tasks_per_s * (1 - self->tolerance))
        rec = p;
    }
  g_assert (rec != NULL);  /* best itself qualifies */

  /* a batch whose workers were on a CPU most of the time gains nothing
   * from more workers than CPUs, whatever the noise says */
  cpu_bound = base->n_reps > 0 && base->cpu_use >= CPU_BOUND_USE;
  if (cpu_bound && rec->workers > self->usable_cpus)
    for (guint i = 0; i < self->points->len; i++)
      {
        const PsSweepPoint *p = &g_array_index (self->points, PsSweepPoint, i);

        if (p->n_reps > 0 && p->workers <= self->usable_cpus)
          rec = p;
      }
  /* a pool that does not fit in memory is no answer */
  if (self->available_memory > 0 && best->memory_peak > 0)
    {
      double each = (double) best->memory_peak / best->workers;
      guint fits = (guint) MIN (self->available_memory / each, (double) G_MAXUINT);

      if (rec->workers > fits)
        {
          char free_text[PS_FORMAT_BUF_SIZE], each_text[PS_FORMAT_BUF_SIZE];
          const PsSweepPoint *fit = NULL;

          for (guint i = 0; i < self->points->len; i++)
            {
              const PsSweepPoint *p = &g_array_index (self->points, PsSweepPoint, i);

              if (p->n_reps > 0 && p->workers <= fits)
                fit = p;
            }
          ps_format_bytes_buf (self->available_memory, free_text, sizeof free_text);
          ps_format_bytes_buf ((gint64) each, each_text, sizeof each_text);
          if (fit == NULL)
            {
              self->reason = g_strdup_printf (ngettext ("no clear answer: even %u worker needs more memory than "
                                                        "is free (%s free, %s a worker)",
                                                        "no clear answer: even %u workers need more memory than "
                                                        "is free (%s free, %s a worker)", base->workers),
                                              base->workers, free_text, each_text);
              return;
            }
          rec = fit;
          g_string_append_printf (why, ngettext ("; memory holds %u worker (%s free, %s a worker)",
                                                 "; memory holds %u workers (%s free, %s a worker)", fits),
                                  fits, free_text, each_text);
        }
    }

  /* a smaller count whose runs reach into the chosen one's: the spread
   * says nothing clear */
  for (guint i = 0; i < self->points->len; i++)
    {
      const PsSweepPoint *p = &g_array_index (self->points, PsSweepPoint, i);
      double p_high, rec_low;

      if (p->workers >= rec->workers || p->n_reps < 2 || rec->n_reps < 2)
        continue;
      p_high = p->tasks_per_s * p->wall_median / p->wall_min;
      rec_low = rec->tasks_per_s * rec->wall_median / rec->wall_max;
      if (p_high >= rec_low && p->tasks_per_s < best->tasks_per_s * (1 - self->tolerance))
        {
          self->reason = g_strdup_printf (_("no clear answer: the runs of %u and of %u workers overlap in "
                                            "throughput; run more repetitions, or a longer batch"),
                                          p->workers, rec->workers);
          return;
        }
    }

  self->recommended = rec->workers;
  ps_format_count_buf ((guint64) (best->tasks_per_s + 0.5), rate, sizeof rate);
  {
    g_autoptr(GString) s = g_string_new (NULL);

    if (rec == best)
      g_string_append_printf (s, ngettext ("%u worker: the best throughput measured (%s tasks a second)",
                                           "%u workers: the best throughput measured (%s tasks a second)",
                                           rec->workers), rec->workers, rate);
    else
      {
        g_autofree char *fewer = fewer_processes (rec->workers, best->workers);

        g_string_append_printf (s, ngettext ("%u worker: %.0f%% of the best throughput (%u workers) with %s",
                                             "%u workers: %.0f%% of the best throughput (%u workers) with %s",
                                             rec->workers),
                                rec->workers, 100 * rec->tasks_per_s / best->tasks_per_s, best->workers, fewer);
      }
    if (cpu_bound && self->points->len > 0 &&
        g_array_index (self->points, PsSweepPoint, self->points->len - 1).workers > self->usable_cpus)
      g_string_append_printf (s, ngettext ("; above %u worker each task waits for a CPU (%s)",
                                           "; above %u workers each task waits for a CPU (%s)",
                                           self->usable_cpus),
                              self->usable_cpus, self->usable_why ? self->usable_why : "");
    g_string_append (s, why->str);
    self->reason = g_string_free (g_steal_pointer (&s), FALSE);
  }
}

/**
 * ps_sweep_compute:
 *
 * Makes the points, the fits and the recommendation from the runs done
 * so far (a stopped sweep keeps what it finished).
 */
void
ps_sweep_compute (PsSweep *self)
{
  g_autoptr(GArray) n = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) wall = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) x = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  const PsSweepPoint *base = NULL;

  clear_points (self);
  for (guint i = 0; i < self->counts->len; i++)
    {
      PsSweepPoint p;

      make_point (self, g_array_index (self->counts, guint, i), &p);
      g_array_append_val (self->points, p);
    }
  for (guint i = 0; i < self->points->len && base == NULL; i++)
    if (g_array_index (self->points, PsSweepPoint, i).n_reps > 0)
      base = &g_array_index (self->points, PsSweepPoint, i);
  for (guint i = 0; i < self->points->len; i++)
    {
      PsSweepPoint *p = &g_array_index (self->points, PsSweepPoint, i);
      double nd = p->workers;

      p->speedup = p->efficiency = p->karp_flatt = NAN;
      if (p->n_reps == 0 || base == NULL)
        continue;
      p->speedup = base->wall_median / p->wall_median;
      p->efficiency = p->speedup * base->workers / p->workers;
      if (base->workers == 1 && p->workers > 1)
        p->karp_flatt = (1 / p->speedup - 1 / nd) / (1 - 1 / nd);
      g_array_append_val (n, nd);
      g_array_append_val (wall, p->wall_median);
      g_array_append_val (x, p->tasks_per_s);
    }

  g_clear_pointer (&self->amdahl_why, g_free);
  g_clear_pointer (&self->usl_why, g_free);
  self->have_amdahl = ps_fit_amdahl ((double *) n->data, (double *) wall->data, n->len, &self->amdahl, &error);
  if (!self->have_amdahl)
    self->amdahl_why = g_strdup (error->message);
  g_clear_error (&error);
  self->have_usl = ps_fit_usl ((double *) n->data, (double *) x->data, n->len, &self->usl, &error);
  if (!self->have_usl)
    self->usl_why = g_strdup (error->message);
  recommend (self);
}

guint
ps_sweep_get_n_points (PsSweep *self)
{
  return self->points->len;
}

const PsSweepPoint *
ps_sweep_get_point (PsSweep *self,
                    guint    index)
{
  g_return_val_if_fail (index < self->points->len, NULL);
  return &g_array_index (self->points, PsSweepPoint, index);
}

const PsAmdahlFit *
ps_sweep_get_amdahl (PsSweep     *self,
                     const char **why_not)
{
  if (why_not)
    *why_not = self->amdahl_why;
  return self->have_amdahl ? &self->amdahl : NULL;
}

const PsUslFit *
ps_sweep_get_usl (PsSweep     *self,
                  const char **why_not)
{
  if (why_not)
    *why_not = self->usl_why;
  return self->have_usl ? &self->usl : NULL;
}

guint
ps_sweep_get_recommended (PsSweep *self)
{
  return self->recommended;
}

const char *
ps_sweep_get_reason (PsSweep *self)
{
  return self->reason;
}

/* The smallest count measured: what speedup is against. */
guint
ps_sweep_get_base (PsSweep *self)
{
  for (guint i = 0; i < self->points->len; i++)
    if (g_array_index (self->points, PsSweepPoint, i).n_reps > 0)
      return g_array_index (self->points, PsSweepPoint, i).workers;
  return 0;
}

/* ---- out ---------------------------------------------------------------- */

static void
add_number (JsonBuilder *b,
            const char  *name,
            double       v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

guint
ps_sweep_get_reps (PsSweep *self)
{
  return self->reps;
}

guint
ps_sweep_get_n_counts (PsSweep *self)
{
  return self->counts->len;
}

guint
ps_sweep_get_count (PsSweep *self,
                    guint    index)
{
  g_return_val_if_fail (index < self->counts->len, 0);
  return g_array_index (self->counts, guint, index);
}

/* When a sweep read back from its log started (ns since 1970; 0: not known). */
gint64
ps_sweep_get_started_ns (PsSweep *self)
{
  return self->started_ns;
}

/* Whether a sweep read back from its log ran to its end (its sweep-end). */
gboolean
ps_sweep_is_ended (PsSweep *self)
{
  return self->ended;
}

/* A number for a CSV cell, in the C locale; NaN (not measured): empty. */
static void
csv_number (GString *out,
            double   v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (out, ',');
  if (!isnan (v) && !isinf (v))
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.9g", v));
}

/**
 * ps_sweep_to_csv:
 *
 * The sweep's table as CSV (RFC 4180: a header, CRLF line ends): a row
 * per worker count, the same numbers as ps_sweep_to_json()'s "points"
 * (seconds, bytes; an empty cell for what was not measured) and whether
 * it is the recommended size.
 */
void
ps_sweep_to_csv (PsSweep *self,
                 GString *out)
{
  g_string_append (out, "workers,reps,wall_s,wall_min_s,wall_max_s,wall_ci95_low_s,wall_ci95_high_s,"
                        "tasks_per_s,speedup,efficiency,karp_flatt,cpu_use,memory_peak_bytes,start_cost_s,"
                        "failed,recommended\r\n");
  for (guint i = 0; i < self->points->len; i++)
    {
      const PsSweepPoint *p = &g_array_index (self->points, PsSweepPoint, i);

      g_string_append_printf (out, "%u,%u", p->workers, p->n_reps);
      csv_number (out, p->n_reps ? p->wall_median : NAN);
      csv_number (out, p->n_reps ? p->wall_min : NAN);
      csv_number (out, p->n_reps ? p->wall_max : NAN);
      csv_number (out, p->wall_low);
      csv_number (out, p->wall_high);
      csv_number (out, p->n_reps ? p->tasks_per_s : NAN);
      csv_number (out, p->speedup);
      csv_number (out, p->efficiency);
      csv_number (out, p->karp_flatt);
      csv_number (out, p->n_reps ? p->cpu_use : NAN);
      g_string_append_printf (out, ",%" G_GINT64_FORMAT, p->memory_peak);
      csv_number (out, p->start_cost_s);
      g_string_append_printf (out, ",%" G_GUINT64_FORMAT ",%s\r\n", p->failed,
                              p->workers == self->recommended ? "true" : "false");
    }
}

/* ---- a sweep read back from its log ---------------------------------- */

typedef struct
{
  PsSweep    *sweep;
  PsSweepRun *run;           /* the one whose events come */
  gboolean    have_spec;
  char       *result;        /* sweep-end's, as JSON */
} Loading;

static void
load_event (const PsEvent *e,
            gpointer       data)
{
  Loading *l = data;

  switch (e->type)
    {
    case PS_EVENT_SWEEP_RUN:
      l->run = run_new (e->workers, e->attempt, e->retry);
      g_ptr_array_add (l->sweep->runs, l->run);
      return;
    case PS_EVENT_SWEEP_END:
      g_free (l->result);
      l->result = g_strdup (e->text);
      l->run = NULL;
      return;
    case PS_EVENT_RUN_START:
      if (!l->have_spec)
        {
          PsSpec *spec = l->sweep->spec;

          l->have_spec = TRUE;
          l->sweep->started_ns = e->epoch_ns;
          g_free (spec->items_spec);
          spec->items_spec = g_strdup (e->items);
          g_free (spec->workload_spec);
          spec->workload_spec = g_strdup (e->workload);
          spec->chunksize = e->chunksize;
          spec->seed = e->seed;
          spec->seed_set = TRUE;
          spec->start = g_strcmp0 (e->start_method, "spawn") == 0 ? PS_START_SPAWN : PS_START_FORK;
          spec->order = g_strcmp0 (e->order, "unordered") == 0 ? PS_ORDER_UNORDERED : PS_ORDER_MAP;
        }
      break;
    default:
      break;
    }
  if (l->run == NULL)
    return;
  ps_sweep_run_result_add_event (&l->run->result, e);
  if (e->type == PS_EVENT_RUN_END)
    l->run->done = TRUE;
}

static int
compare_counts (gconstpointer a,
                gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/**
 * ps_sweep_load:
 * @path: a sweep's log (`poolscope-run sweep --log`)
 * @problem: (out) (optional): why the log stops early, if it does
 *
 * Reads a sweep back: its runs, each one's tally from its events, and
 * what they say (ps_sweep_compute()), with the number of usable CPUs the
 * sweep had when its log says it (its "sweep-end").
 *
 * Returns: (transfer full): the sweep, or %NULL with @error
 */
PsSweep *
ps_sweep_load (const char  *path,
               char       **problem,
               GError     **error)
{
  return ps_sweep_load_full (path, NULL, NULL, problem, error);
}

/**
 * ps_sweep_load_full:
 * @cancellable: (nullable): stops the reading (a %G_IO_ERROR_CANCELLED)
 * @permille: (nullable): how much of the log is read, as ps_log_read_batched()
 *
 * As ps_sweep_load(), for a reader in a thread that shows its progress.
 */
PsSweep *
ps_sweep_load_full (const char    *path,
                    GCancellable  *cancellable,
                    int           *permille,
                    char         **problem,
                    GError       **error)
{
  g_autoptr(PsSweep) self = g_new0 (PsSweep, 1);
  g_autofree char *why = NULL;
  Loading l = { self, NULL, FALSE, NULL };

  self->spec = ps_spec_new ();
  self->counts = g_array_new (FALSE, FALSE, sizeof (guint));
  self->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) run_free);
  self->tolerance = PS_SWEEP_DEFAULT_TOLERANCE;
  self->usable_cpus = ps_sweep_usable_cpus (&self->usable_why);
  self->points = g_array_new (FALSE, TRUE, sizeof (PsSweepPoint));
  self->available_memory = available_memory ();

  if (!ps_log_foreach_sweep (path, load_event, &l, cancellable, permille, &why, error))
    {
      g_free (l.result);
      return NULL;
    }
  for (guint i = 0; i < self->runs->len; i++)
    {
      PsSweepRun *run = g_ptr_array_index (self->runs, i);
      gboolean known = FALSE;

      if (run->workers == 0 || run->workers > PS_WORKERS_MAX)
        {
          g_autofree char *shown = g_filename_display_name (path);

          g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                       _("“%s”: a sweep-run of %u workers, not from 1 to %u"), shown, run->workers,
                       PS_WORKERS_MAX);
          g_free (l.result);
          return NULL;
        }
      self->reps = MAX (self->reps, run->warmup ? 1 : run->rep + 1);
      for (guint k = 0; k < self->counts->len; k++)
        known |= g_array_index (self->counts, guint, k) == run->workers;
      if (!known && self->counts->len < PS_SWEEP_MAX_POINTS)
        g_array_append_val (self->counts, run->workers);
    }
  g_array_sort (self->counts, compare_counts);
  if (l.result)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (json_parser_load_from_data (parser, l.result, -1, NULL) &&
          (root = json_parser_get_root (parser)) && JSON_NODE_HOLDS_OBJECT (root))
        {
          gint64 cpus = json_object_get_int_member_with_default (json_node_get_object (root), "usable_cpus", 0);

          if (cpus > 0 && cpus <= PS_WORKERS_MAX)
            {
              g_autofree char *said = g_strdup (_("as the sweep's log says"));

              ps_sweep_set_usable_cpus (self, (guint) cpus, said);
            }
        }
      g_free (l.result);
      self->ended = TRUE;
    }
  if (problem)
    *problem = g_steal_pointer (&why);
  ps_sweep_compute (self);
  return g_steal_pointer (&self);
}

char *
ps_sweep_to_json (PsSweep *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *why;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "usable_cpus");
  json_builder_add_int_value (b, self->usable_cpus);
  json_builder_set_member_name (b, "base_workers");
  json_builder_add_int_value (b, ps_sweep_get_base (self));
  json_builder_set_member_name (b, "points");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->points->len; i++)
    {
      const PsSweepPoint *p = ps_sweep_get_point (self, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "workers");
      json_builder_add_int_value (b, p->workers);
      json_builder_set_member_name (b, "reps");
      json_builder_begin_array (b);
      for (guint r = 0; r < p->n_reps; r++)
        json_builder_add_double_value (b, p->walls[r]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "outliers");
      json_builder_begin_array (b);
      for (guint r = 0; r < p->n_reps; r++)
        json_builder_add_boolean_value (b, p->outlier[r]);
      json_builder_end_array (b);
      add_number (b, "wall_s", p->n_reps ? p->wall_median : NAN);
      add_number (b, "wall_min_s", p->n_reps ? p->wall_min : NAN);
      add_number (b, "wall_max_s", p->n_reps ? p->wall_max : NAN);
      add_number (b, "wall_ci95_low_s", p->wall_low);
      add_number (b, "wall_ci95_high_s", p->wall_high);
      add_number (b, "tasks_per_s", p->n_reps ? p->tasks_per_s : NAN);
      add_number (b, "speedup", p->speedup);
      add_number (b, "efficiency", p->efficiency);
      add_number (b, "karp_flatt", p->karp_flatt);
      add_number (b, "cpu_use", p->n_reps ? p->cpu_use : NAN);
      json_builder_set_member_name (b, "memory_peak_bytes");
      json_builder_add_int_value (b, p->memory_peak);
      add_number (b, "start_cost_s", p->start_cost_s);
      json_builder_set_member_name (b, "failed");
      json_builder_add_int_value (b, (gint64) p->failed);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "amdahl");
  json_builder_begin_object (b);
  add_number (b, "serial_fraction", self->have_amdahl ? self->amdahl.serial_fraction : NAN);
  add_number (b, "rms_residual", self->have_amdahl ? self->amdahl.rms_residual : NAN);
  if (ps_sweep_get_amdahl (self, &why) == NULL)
    {
      json_builder_set_member_name (b, "refused");
      json_builder_add_string_value (b, why);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "usl");
  json_builder_begin_object (b);
  add_number (b, "gamma", self->have_usl ? self->usl.gamma : NAN);
  add_number (b, "sigma", self->have_usl ? self->usl.sigma : NAN);
  add_number (b, "kappa", self->have_usl ? self->usl.kappa : NAN);
  add_number (b, "peak_workers", self->have_usl ? self->usl.peak_workers : NAN);
  add_number (b, "rms_residual", self->have_usl ? self->usl.rms_residual : NAN);
  if (ps_sweep_get_usl (self, &why) == NULL)
    {
      json_builder_set_member_name (b, "refused");
      json_builder_add_string_value (b, why);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "recommended");
  if (self->recommended)
    json_builder_add_int_value (b, self->recommended);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, self->reason ? self->reason : "");
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static void
pad (GString    *out,
     const char *text,
     int         width,
     gboolean    right)
{
  int len = (int) g_utf8_strlen (text, -1);

  if (right)
    for (int i = len; i < width; i++)
      g_string_append_c (out, ' ');
  g_string_append (out, text);
  if (!right)
    for (int i = len; i < width; i++)
      g_string_append_c (out, ' ');
}

/**
 * ps_sweep_format_table:
 *
 * The points as a table for a terminal, then the fits and the answer.
 */
void
ps_sweep_format_table (PsSweep *self,
                       GString *out)
{
  static const int widths[] = { 7, 10, 8, 8, 10, 12, 6, 10 };
  const char *heads[] = { _("workers"), _("wall"), _("spread"), _("speedup"), _("efficiency"),
                          _("tasks/s"), _("CPU"), _("memory") };
  const PsAmdahlFit *amdahl;
  const PsUslFit *usl;
  const char *why;

  for (guint c = 0; c < G_N_ELEMENTS (heads); c++)
    {
      pad (out, heads[c], widths[c], c > 0);
      g_string_append (out, c + 1 < G_N_ELEMENTS (heads) ? "  " : "\n");
    }
  for (guint i = 0; i < self->points->len; i++)
    {
      const PsSweepPoint *p = ps_sweep_get_point (self, i);
      char cell[8][PS_FORMAT_BUF_SIZE];

      g_snprintf (cell[0], sizeof cell[0], "%u", p->workers);
      if (p->n_reps == 0)
        {
          pad (out, cell[0], widths[0], FALSE);
          g_string_append_printf (out, "  %s\n", _("not measured"));
          continue;
        }
      ps_format_duration_buf ((gint64) (p->wall_median * 1e9), cell[1], sizeof cell[1]);
      /* Translators: the spread of a point's runs around their median */
      g_snprintf (cell[2], sizeof cell[2], _("±%.0f%%"),
                  50 * (p->wall_max - p->wall_min) / p->wall_median);
      g_snprintf (cell[3], sizeof cell[3], "%.2f×", p->speedup);
      g_snprintf (cell[4], sizeof cell[4], "%.0f%%", 100 * p->efficiency);
      ps_format_count_buf ((guint64) (p->tasks_per_s + 0.5), cell[5], sizeof cell[5]);
      g_snprintf (cell[6], sizeof cell[6], "%.0f%%", 100 * p->cpu_use);
      if (p->memory_peak > 0)
        ps_format_bytes_buf (p->memory_peak, cell[7], sizeof cell[7]);
      else
        g_strlcpy (cell[7], "—", sizeof cell[7]);
      for (guint c = 0; c < 8; c++)
        {
          pad (out, cell[c], widths[c], c > 0);
          g_string_append (out, c + 1 < 8 ? "  " : "");
        }
      for (guint r = 0; r < p->n_reps; r++)
        if (p->outlier[r])
          {
            /* Translators: after a row of the sweep table */
            g_string_append_printf (out, _("  (run %u is an outlier)"), r + 1);
            break;
          }
      g_string_append_c (out, '\n');
    }
  if (ps_sweep_get_base (self) > 1)
    g_string_append_printf (out, _("speedup and efficiency are against %u workers, the fewest measured\n"),
                            ps_sweep_get_base (self));
  amdahl = ps_sweep_get_amdahl (self, &why);
  if (amdahl)
    g_string_append_printf (out, _("Amdahl: serial fraction %.3f (a speedup of at most %.1f×)\n"),
                            amdahl->serial_fraction,
                            amdahl->serial_fraction > 0 ? 1 / amdahl->serial_fraction : INFINITY);
  else
    g_string_append_printf (out, _("Amdahl: %s\n"), why);
  usl = ps_sweep_get_usl (self, &why);
  if (usl && usl->sigma >= 1)
    g_string_append_printf (out, _("USL: σ %.4f, κ %.5f: contention so high that one worker does best\n"),
                            usl->sigma, usl->kappa);
  else if (usl && isfinite (usl->peak_workers))
    g_string_append_printf (out, _("USL: σ %.4f, κ %.5f: throughput peaks at %.1f workers\n"),
                            usl->sigma, usl->kappa, usl->peak_workers);
  else if (usl)
    g_string_append_printf (out, _("USL: σ %.4f, κ 0: no peak (throughput keeps rising, ever more slowly)\n"),
                            usl->sigma);
  else
    g_string_append_printf (out, _("USL: %s\n"), why);
  /* with no size, the reason starts "no clear answer" */
  g_string_append_printf (out, _("Recommended: %s\n"), self->reason ? self->reason : "");
}
