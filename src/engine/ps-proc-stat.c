/* ps-proc-stat.c: reading processes' CPU time and memory from /proc
 *
 * The parsers are pure functions over a buffer. The sampler keeps each
 * file open and reads it with pread() into a stack buffer: no allocation
 * and no path lookup per sample. CPU time comes from schedstat (one
 * number, in ns, cheaper for the kernel to produce than stat); memory from
 * statm, read again only when the process has run since the last sample,
 * since a process that has not run has not touched its memory. PSS, which
 * costs the kernel a walk over every mapping, is read when asked for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-proc-stat"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "ps-error.h"
#include "ps-proc-stat.h"

static gboolean
fail (GError    **error,
      const char *what)
{
  g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL, _("cannot parse %s"), what);
  return FALSE;
}

/* Reads an unsigned decimal at *p, skipping leading blanks. */
static gboolean
read_u64 (const char **p,
          const char  *end,
          guint64     *out)
{
  const char *s = *p;
  guint64 v = 0;
  gboolean any = FALSE;

  while (s < end && (*s == ' ' || *s == '\t'))
    s++;
  while (s < end && *s >= '0' && *s <= '9')
    {
      guint d = *s - '0';
      if (v > (G_MAXUINT64 - d) / 10)
        return FALSE;
      v = v * 10 + d;
      s++;
      any = TRUE;
    }
  *p = s;
  *out = v;
  return any;
}

static gboolean
read_i64 (const char **p,
          const char  *end,
          gint64      *out)
{
  gboolean neg = FALSE;
  guint64 v;

  while (*p < end && (**p == ' ' || **p == '\t'))
    (*p)++;
  if (*p < end && **p == '-')
    {
      neg = TRUE;
      (*p)++;
    }
  if (!read_u64 (p, end, &v) || v > (guint64) G_MAXINT64)
    return FALSE;
  *out = neg ? -(gint64) v : (gint64) v;
  return TRUE;
}

/* Skips one space-separated field. */
static gboolean
skip_field (const char **p,
            const char  *end)
{
  const char *s = *p;

  while (s < end && *s == ' ')
    s++;
  if (s == end)
    return FALSE;
  while (s < end && *s != ' ' && *s != '\n')
    s++;
  *p = s;
  return TRUE;
}

/**
 * ps_proc_parse_stat:
 * @buf: the contents of /proc/PID/stat
 *
 * The command name is in parentheses and may itself hold spaces and
 * parentheses, so it runs from the first “(” to the last “)”.
 */
gboolean
ps_proc_parse_stat (const char  *buf,
                    gsize        len,
                    PsProcStat  *out,
                    GError     **error)
{
  const char *end = buf + len;
  const char *open, *close, *p;
  gint64 pid, ppid, rss;
  guint64 skip;

  memset (out, 0, sizeof *out);
  p = buf;
  if (!read_i64 (&p, end, &pid) || pid <= 0 || pid > G_MAXINT32)
    return fail (error, "/proc/PID/stat (pid)");
  open = memchr (buf, '(', len);
  close = NULL;
  for (const char *q = end; q > buf; q--)
    if (q[-1] == ')')
      {
        close = q - 1;
        break;
      }
  if (open == NULL || close == NULL || close < open || open != p + 1)
    return fail (error, "/proc/PID/stat (command name)");

  out->pid = pid;
  g_strlcpy (out->comm, open + 1, MIN ((gsize) (close - open), sizeof out->comm));

  p = close + 1;
  while (p < end && *p == ' ')
    p++;
  if (p >= end)
    return fail (error, "/proc/PID/stat (state)");
  out->state = *p++;
  if (!read_i64 (&p, end, &ppid))                     /* 4 ppid */
    return fail (error, "/proc/PID/stat (ppid)");
  out->ppid = ppid;
  for (int field = 5; field <= 13; field++)           /* pgrp … cmajflt */
    if (!skip_field (&p, end))
      return fail (error, "/proc/PID/stat (fields 5–13)");
  if (!read_u64 (&p, end, &out->utime) ||             /* 14 utime */
      !read_u64 (&p, end, &out->stime))               /* 15 stime */
    return fail (error, "/proc/PID/stat (utime, stime)");
  if (!read_i64 (&p, end, &out->cutime) ||            /* 16 cutime */
      !read_i64 (&p, end, &out->cstime))              /* 17 cstime */
    return fail (error, "/proc/PID/stat (cutime, cstime)");
  for (int field = 18; field <= 21; field++)          /* priority … itrealvalue */
    if (!skip_field (&p, end))
      return fail (error, "/proc/PID/stat (fields 18–21)");
  if (!read_u64 (&p, end, &out->starttime) ||         /* 22 starttime */
      !read_u64 (&p, end, &skip) ||                   /* 23 vsize */
      !read_i64 (&p, end, &rss))                      /* 24 rss */
    return fail (error, "/proc/PID/stat (starttime, rss)");
  out->rss_pages = rss;
  return TRUE;
}

/* /proc/PID/schedstat: time on CPU (ns), time waiting (ns), timeslices. */
gboolean
ps_proc_parse_schedstat (const char  *buf,
                         gsize        len,
                         guint64     *runtime_ns,
                         GError     **error)
{
  const char *p = buf;

  if (!read_u64 (&p, buf + len, runtime_ns))
    return fail (error, "/proc/PID/schedstat");
  return TRUE;
}

/* /proc/PID/statm: size resident shared text lib data dt, in pages. */
gboolean
ps_proc_parse_statm (const char  *buf,
                     gsize        len,
                     guint64     *resident_pages,
                     GError     **error)
{
  const char *p = buf;
  guint64 size;

  if (!read_u64 (&p, buf + len, &size) || !read_u64 (&p, buf + len, resident_pages))
    return fail (error, "/proc/PID/statm");
  return TRUE;
}

/* /proc/PID/smaps_rollup: “Pss:  N kB” and the Private_* lines. */
gboolean
ps_proc_parse_smaps_rollup (const char  *buf,
                            gsize        len,
                            gint64      *pss_bytes,
                            gint64      *private_bytes,
                            GError     **error)
{
  const char *end = buf + len;
  const char *line = buf;
  gboolean have_pss = FALSE;
  guint64 pss = 0, priv = 0;

  while (line < end)
    {
      const char *nl = memchr (line, '\n', end - line);
      const char *stop = nl ? nl : end;
      const char *colon = memchr (line, ':', stop - line);

      if (colon != NULL)
        {
          gsize klen = colon - line;
          const char *p = colon + 1;
          guint64 kb;

          if (klen == 3 && memcmp (line, "Pss", 3) == 0 && read_u64 (&p, stop, &kb))
            {
              pss = kb;
              have_pss = TRUE;
            }
          else if (((klen == 13 && memcmp (line, "Private_Clean", 13) == 0) ||
                    (klen == 13 && memcmp (line, "Private_Dirty", 13) == 0)) &&
                   read_u64 (&p, stop, &kb))
            priv += kb;
        }
      line = stop + 1;
    }
  if (!have_pss)
    return fail (error, "/proc/PID/smaps_rollup (no Pss line)");
  *pss_bytes = (gint64) pss * 1024;
  *private_bytes = (gint64) priv * 1024;
  return TRUE;
}

struct _PsProcHandle
{
  gint32  pid;
  int     sched_fd;      /* schedstat, or stat when schedstat is missing */
  gboolean sched_is_stat;
  gboolean lean;         /* no descriptor kept: each file opened per read */
  int     statm_fd;
  int     smaps_fd;      /* -1 until PSS is first asked for; -2 when unreadable */
  gint64  last_ns;
  guint64 last_cpu_ns;
  gint64  last_rss;
  gint64  last_pss;
  gint64  last_uss;
  guint64 cpu_at_pss;
  gboolean have_last;
};

static int
open_proc (gint32      pid,
           const char *file)
{
  char path[64];

  g_snprintf (path, sizeof path, "/proc/%d/%s", pid, file);
  return open (path, O_RDONLY | O_CLOEXEC);
}

static gssize
pread_all (int    fd,
           char  *buf,
           gsize  size)
{
  gssize n;

  do
    n = pread (fd, buf, size - 1, 0);
  while (n < 0 && errno == EINTR);
  if (n >= 0)
    buf[n] = '\0';
  return n;
}

/**
 * ps_proc_handle_open:
 *
 * Returns: (nullable): a handle, or %NULL when the process is gone or
 *   cannot be read
 */
PsProcHandle *
ps_proc_handle_open (gint32 pid)
{
  return ps_proc_handle_open_full (pid, FALSE);
}

/* A pread on a kept descriptor, or (lean) an open, read and close. */
static gssize
read_file (PsProcHandle *self,
           int          *fd,
           const char   *file,
           char         *buf,
           gsize         size)
{
  gssize n;
  int tmp;

  if (!self->lean)
    return pread_all (*fd, buf, size);
  tmp = open_proc (self->pid, file);
  if (tmp < 0)
    return -1;
  n = pread_all (tmp, buf, size);
  close (tmp);
  return n;
}

/**
 * ps_proc_handle_open_full:
 * @lean: keep no descriptor open (for a pool of many workers under a
 *   tight descriptor limit): each read opens its file; slower
 *
 * Returns: (nullable): a handle, or %NULL when the process is gone or
 *   cannot be read
 */
PsProcHandle *
ps_proc_handle_open_full (gint32   pid,
                          gboolean lean)
{
  PsProcHandle *self = g_new0 (PsProcHandle, 1);

  self->pid = pid;
  self->lean = lean;
  self->smaps_fd = -1;
  self->last_pss = self->last_uss = -1;
  self->sched_fd = open_proc (pid, "schedstat");
  if (self->sched_fd < 0)
    {
      self->sched_fd = open_proc (pid, "stat");
      self->sched_is_stat = TRUE;
    }
  self->statm_fd = open_proc (pid, "statm");
  if (self->sched_fd < 0 || self->statm_fd < 0)
    {
      ps_proc_handle_close (self);
      return NULL;
    }
  if (lean)
    {
      close (self->sched_fd);
      close (self->statm_fd);
      self->sched_fd = self->statm_fd = -1;
    }
  return self;
}

void
ps_proc_handle_close (PsProcHandle *self)
{
  if (self == NULL)
    return;
  if (self->sched_fd >= 0)
    close (self->sched_fd);
  if (self->statm_fd >= 0)
    close (self->statm_fd);
  if (self->smaps_fd >= 0)
    close (self->smaps_fd);
  g_free (self);
}

/**
 * ps_proc_handle_read:
 * @now_ns: CLOCK_MONOTONIC now
 * @want_pss: read PSS too (expensive: use a low rate)
 *
 * Returns: %FALSE when the process is gone
 */
gboolean
ps_proc_handle_read (PsProcHandle *self,
                     gint64        now_ns,
                     gboolean      want_pss,
                     PsProcSample *out)
{
  static long page_size, ticks;
  char buf[1024];
  guint64 cpu_ns;
  gboolean ran;

  if (G_UNLIKELY (page_size == 0))
    {
      page_size = sysconf (_SC_PAGESIZE);
      ticks = sysconf (_SC_CLK_TCK);
    }

  if (read_file (self, &self->sched_fd, self->sched_is_stat ? "stat" : "schedstat", buf, sizeof buf) <= 0)
    return FALSE;
  if (self->sched_is_stat)
    {
      PsProcStat st;
      if (!ps_proc_parse_stat (buf, strlen (buf), &st, NULL))
        return FALSE;
      cpu_ns = (st.utime + st.stime) * (G_GUINT64_CONSTANT (1000000000) / ticks);
    }
  else if (!ps_proc_parse_schedstat (buf, strlen (buf), &cpu_ns, NULL))
    return FALSE;

  ran = !self->have_last || cpu_ns != self->last_cpu_ns;
  if (ran)
    {
      guint64 pages;

      if (read_file (self, &self->statm_fd, "statm", buf, sizeof buf) <= 0 ||
          !ps_proc_parse_statm (buf, strlen (buf), &pages, NULL))
        return FALSE;
      self->last_rss = (gint64) pages * page_size;
    }

  if (want_pss && self->smaps_fd != -2 && (self->last_pss < 0 || cpu_ns != self->cpu_at_pss))
    {
      g_autofree char *big = g_malloc (4096);
      int fd;

      /* read every few seconds: opened each time, it costs no descriptor */
      fd = open_proc (self->pid, "smaps_rollup");
      if (fd < 0)
        self->smaps_fd = -2;
      else
        {
          if (pread_all (fd, big, 4096) > 0 &&
              ps_proc_parse_smaps_rollup (big, strlen (big), &self->last_pss, &self->last_uss, NULL))
            self->cpu_at_pss = cpu_ns;
          close (fd);
        }
    }

  out->cpu_ns = cpu_ns;
  out->cpu_percent = 0;
  if (self->have_last && now_ns > self->last_ns)
    out->cpu_percent = 100.0 * (double) (cpu_ns - self->last_cpu_ns) / (double) (now_ns - self->last_ns);
  out->rss = self->last_rss;
  out->pss = self->last_pss;
  out->uss = self->last_uss;

  self->have_last = TRUE;
  self->last_ns = now_ns;
  self->last_cpu_ns = cpu_ns;
  return TRUE;
}

/* Reads a small /proc file whole; FALSE when it is gone. */
static gboolean
read_small (const char *path,
            char       *buf,
            gsize       size,
            gsize      *len)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  gssize n;

  if (fd < 0)
    return FALSE;
  n = read (fd, buf, size - 1);
  close (fd);
  if (n < 0)
    return FALSE;
  buf[n] = '\0';
  *len = n;
  return TRUE;
}

/**
 * ps_proc_kill_group:
 * @pid: a process a worker started in a process group of its own
 *
 * SIGKILLs the process group @pid leads, if it still does: /proc says the
 * process leads a group of its own id (a pid taken again since by an
 * unrelated process almost never does).
 */
void
ps_proc_kill_group (gint32 pid)
{
  char path[64], buf[1024];
  gsize len;
  const char *p;
  int ppid, pgrp;

  g_snprintf (path, sizeof path, "/proc/%d/stat", pid);
  if (pid <= 1 || !read_small (path, buf, sizeof buf, &len))
    return;
  /* pid (comm) state ppid pgrp …: comm may hold anything but ends at the last ')' */
  p = strrchr (buf, ')');
  if (p == NULL || sscanf (p + 1, " %*c %d %d", &ppid, &pgrp) != 2 || pgrp != pid)
    return;
  kill (-pid, SIGKILL);
}

/**
 * ps_proc_tree_read:
 * @pid: a process a worker started (a command, a worker program)
 * @cpu_ns: (out): the CPU time of it and of every process under it,
 *   those still running and those it has waited for (so a shell's
 *   pipeline counts, not the shell alone)
 * @rss_bytes: (out): the resident memory of those still running
 *
 * The tree is walked through /proc/PID/task/PID/children, up to 256
 * processes. Returns: %FALSE when @pid is gone
 */
gboolean
ps_proc_tree_read (gint32  pid,
                   gint64 *cpu_ns,
                   gint64 *rss_bytes)
{
  static long ticks, page;
  gint32 queue[256];
  guint head = 0, tail = 0;
  gint64 total_ticks = 0, rss_pages = 0;
  gboolean root = TRUE;

  if (ticks == 0)
    {
      ticks = sysconf (_SC_CLK_TCK);
      page = sysconf (_SC_PAGESIZE);
    }
  queue[tail++] = pid;
  while (head < tail)
    {
      gint32 p = queue[head++];
      char path[64], buf[1024];
      gsize len;
      PsProcStat st;

      g_snprintf (path, sizeof path, "/proc/%d/stat", p);
      if (!read_small (path, buf, sizeof buf, &len) || !ps_proc_parse_stat (buf, len, &st, NULL))
        {
          if (root)
            return FALSE;
          continue;
        }
      root = FALSE;
      total_ticks += (gint64) st.utime + (gint64) st.stime + MAX (st.cutime, 0) + MAX (st.cstime, 0);
      rss_pages += MAX (st.rss_pages, 0);
      /* the list of children may be longer than any fixed buffer: read whole */
      {
        g_autofree char *list = NULL;

        g_snprintf (path, sizeof path, "/proc/%d/task/%d/children", p, p);
        if (!g_file_get_contents (path, &list, NULL, NULL))
          continue;
        for (char *q = list, *next; *q && tail < G_N_ELEMENTS (queue); q = next)
          {
            gint64 child = g_ascii_strtoll (q, &next, 10);

            if (next == q)
              break;
            if (child > 1 && child <= G_MAXINT32)
              queue[tail++] = (gint32) child;
          }
      }
    }
  *cpu_ns = total_ticks * (G_GINT64_CONSTANT (1000000000) / ticks);
  *rss_bytes = rss_pages * page;
  return TRUE;
}
