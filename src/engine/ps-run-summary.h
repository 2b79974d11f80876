/* ps-run-summary.h: totals of a run, gathered from its events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ps-event.h"

G_BEGIN_DECLS

typedef struct
{
  char    *name;
  gint32   pid;
  guint64  tasks;
  gint64   busy_ns;
  gint64   cpu_ns;
} PsWorkerSummary;

typedef struct
{
  guint64    tasks;
  guint64    ended;       /* attempts that ended, retried ones included */
  guint64    ok;          /* tasks whose last attempt is ok */
  guint64    failed;      /* tasks whose last attempt failed: errors, crashed, timed_out */
  guint64    errors;
  guint64    crashed;
  guint64    timed_out;
  guint64    retried;     /* attempts that crashed or timed out and were tried again */
  guint64    cancelled;   /* tasks that did not run to an end */
  gint64     wall_ns;
  gint64     cpu_ns;
  guint32    workers;
  gboolean   finished;
  gboolean   was_cancelled;
  GPtrArray *per_worker;  /* PsWorkerSummary*, in order of first appearance */
  GHashTable *by_name;
  PsWorkerSummary *last;
  guint32          last_id;
} PsRunSummary;

PsRunSummary *ps_run_summary_new     (void);
void          ps_run_summary_add     (PsRunSummary  *self,
                                      const PsEvent *event);
char         *ps_run_summary_to_json (PsRunSummary  *self);
void          ps_run_summary_free    (PsRunSummary  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsRunSummary, ps_run_summary_free)

G_END_DECLS
