/* ps-sampler.c: CPU and memory of a pool's processes, read from /proc
 *
 * Sampling must cost the run it watches next to nothing (bench/
 * sampling-cost.py: < 0.1% of a core for 64 idle workers at 10 Hz).
 * Most of the cost is the kernel formatting a /proc file on each read,
 * so a process is read only when it may have changed:
 *
 * - A process that used no CPU between its last two reads and has sent
 *   nothing since (ps_sampled_heard()) is blocked — waiting for work, or
 *   in a sleep task: it cannot run without waking up, and every wake-up
 *   of a worker ends in a frame. Its sample is repeated without a read,
 *   and read for real at least once a second.
 * - PSS (smaps_rollup walks every mapping: ~50 µs where schedstat takes
 *   1–3 µs) moves slowly — a sibling's exit, a copy-on-write break — so
 *   it is read first a second into the process's life, then every 5 s,
 *   and only for a process that ran since.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-sampler"

#include "config.h"

#include "ps-sampler.h"

#define QUIET_REREAD_NS G_GINT64_CONSTANT (1000000000)
#define PSS_PERIOD_NS   G_GINT64_CONSTANT (5000000000)
#define PSS_FIRST_NS    G_GINT64_CONSTANT (1000000000)

struct _PsSampled
{
  gint32        pid;
  gboolean      lean;
  PsProcHandle *proc;         /* opened on the first read */
  gboolean      gone;
  gint64        pss_at;
  gint64        read_at;      /* when /proc was last read */
  gboolean      heard;        /* it sent something since that read */
  gboolean      quiet;        /* that read found it had not run since the one before */
  PsProcSample  last;
};

/**
 * ps_sampled_new:
 * @lean: keep no descriptor open (a tight descriptor limit): each read
 *   opens its files
 * @started_ns: when the process was started (CLOCK_MONOTONIC): the first
 *   PSS is read a second after
 */
PsSampled *
ps_sampled_new (gint32   pid,
                gboolean lean,
                gint64   started_ns)
{
  PsSampled *self = g_new0 (PsSampled, 1);

  self->pid = pid;
  self->lean = lean;
  self->pss_at = started_ns - PSS_PERIOD_NS + PSS_FIRST_NS;
  return self;
}

void
ps_sampled_free (PsSampled *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->proc, ps_proc_handle_close);
  g_free (self);
}

/* The process sent something: it ran, so its next sample is read. */
void
ps_sampled_heard (PsSampled *self)
{
  self->heard = TRUE;
}

/**
 * ps_sampled_read:
 *
 * One sample of the process: read from /proc, or the last one again
 * (with 0% CPU) for a process that cannot have run since.
 *
 * Returns: %FALSE when the process is gone or cannot be read
 */
gboolean
ps_sampled_read (PsSampled    *self,
                 gint64        now_ns,
                 PsProcSample *out)
{
  gboolean want_pss = now_ns - self->pss_at >= PSS_PERIOD_NS;

  if (self->gone)
    return FALSE;
  if (self->proc == NULL && !(self->proc = ps_proc_handle_open_full (self->pid, self->lean)))
    {
      self->gone = TRUE;
      return FALSE;
    }
  if (self->quiet && !self->heard && now_ns - self->read_at < QUIET_REREAD_NS)
    {
      *out = self->last;
      out->cpu_percent = 0;
      return TRUE;
    }
  if (!ps_proc_handle_read (self->proc, now_ns, want_pss, out))
    return FALSE;
  if (want_pss)
    self->pss_at = now_ns;
  self->quiet = self->read_at != 0 && out->cpu_percent == 0;
  self->heard = FALSE;
  self->read_at = now_ns;
  self->last = *out;
  return TRUE;
}
