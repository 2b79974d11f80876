/* ps-proc-stat.h: reading processes' CPU time and memory from /proc
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint32  pid;
  char    comm[64];
  char    state;
  gint32  ppid;
  guint64 utime;      /* clock ticks */
  guint64 stime;      /* clock ticks */
  gint64  cutime;     /* clock ticks of its children it has waited for */
  gint64  cstime;
  guint64 starttime;  /* clock ticks after boot */
  gint64  rss_pages;
} PsProcStat;

gboolean ps_proc_parse_stat         (const char *buf,
                                     gsize       len,
                                     PsProcStat *out,
                                     GError    **error);
gboolean ps_proc_parse_schedstat    (const char *buf,
                                     gsize       len,
                                     guint64    *runtime_ns,
                                     GError    **error);
gboolean ps_proc_parse_statm        (const char *buf,
                                     gsize       len,
                                     guint64    *resident_pages,
                                     GError    **error);
gboolean ps_proc_parse_smaps_rollup (const char *buf,
                                     gsize       len,
                                     gint64     *pss_bytes,
                                     gint64     *private_bytes,
                                     GError    **error);

/* A process being watched: its /proc files kept open between samples. */
typedef struct _PsProcHandle PsProcHandle;

typedef struct
{
  double  cpu_percent;  /* since the previous sample; 100: one core */
  gint64  cpu_ns;       /* total so far */
  gint64  rss;          /* bytes */
  gint64  pss;          /* bytes, -1 when not read */
  gint64  uss;          /* bytes, -1 when not read */
} PsProcSample;

PsProcHandle *ps_proc_handle_open  (gint32         pid);
PsProcHandle *ps_proc_handle_open_full (gint32     pid,
                                        gboolean   lean);
gboolean      ps_proc_handle_read  (PsProcHandle  *self,
                                    gint64         now_ns,
                                    gboolean       want_pss,
                                    PsProcSample  *out);
void          ps_proc_handle_close (PsProcHandle  *self);

void          ps_proc_kill_group   (gint32         pid);
gboolean      ps_proc_tree_read    (gint32         pid,
                                    gint64        *cpu_ns,
                                    gint64        *rss_bytes);

G_END_DECLS
