/* ps-run-model.h: one run as the views see it, built from its events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ps-event.h"
#include "ps-task-batch.h"

G_BEGIN_DECLS

#define PS_TYPE_RUN_MODEL (ps_run_model_get_type ())

G_DECLARE_FINAL_TYPE (PsRunModel, ps_run_model, PS, RUN_MODEL, GObject)

/* The status of a task that has started but not ended, or not started. */
#define PS_TASK_RUNNING PS_TASK_N_STATUS
#define PS_TASK_PENDING (PS_TASK_N_STATUS + 1)

enum
{
  PS_TASK_FLAG_TEXT_ITEM   = 1 << 0,  /* item is an index into the model's strings */
  PS_TASK_FLAG_HAS_RESULT  = 1 << 1,
  PS_TASK_FLAG_TEXT_RESULT = 1 << 2,
  PS_TASK_FLAG_RETRIED     = 1 << 3,  /* an earlier attempt failed */
  PS_TASK_FLAG_FINISHED    = 1 << 4,  /* in the completion order */
};

/* One task, by submission index: 40 bytes. */
typedef struct
{
  gint64  start;    /* ns since the run started */
  gint64  end;
  gint64  item;     /* the integer item, or an index into the strings */
  gint64  result;
  guint32 cpu_us;
  guint16 worker;   /* index into the workers + 1; 0: none yet */
  guint8  state;    /* PS_TASK_STATE_*: zeroed memory is a task not started */
  guint8  flags;
} PsTaskRec;

#define PS_TASK_STATE_PENDING 0
#define PS_TASK_STATE_RUNNING 1
#define PS_TASK_STATE_ENDED   2   /* + its PsTaskStatus */

/* PsTaskStatus once ended, else PS_TASK_RUNNING or PS_TASK_PENDING */
static inline guint
ps_task_rec_status (const PsTaskRec *t)
{
  return t->state >= PS_TASK_STATE_ENDED ? (guint) (t->state - PS_TASK_STATE_ENDED)
         : t->state == PS_TASK_STATE_RUNNING ? PS_TASK_RUNNING : PS_TASK_PENDING;
}

/* An attempt that was tried again: drawn apart from the task's last one. */
typedef struct
{
  guint64 task;
  gint64  start;
  gint64  end;
  guint16 worker;
  guint8  status;
  guint8  attempt;
} PsAttemptRec;

typedef struct
{
  gint64 t;
  float  cpu;       /* % of one core */
  gint64 rss;       /* bytes */
} PsSampleRec;

/* The pool's size changed during the run, at t (ns) to workers. */
typedef struct
{
  gint64 t;
  guint  workers;
} PsResizeRec;

#define PS_SAMPLE_RING 1200   /* two minutes at 10 Hz */
#define PS_LANE_ATTEMPT (1u << 31)  /* a lane entry that is an attempt's index */

typedef struct
{
  PsSampleRec recs[PS_SAMPLE_RING];
  guint       head;           /* next write */
  guint       len;
} PsSampleRing;

typedef struct
{
  char         *name;
  gint32        pid;
  guint32       id;           /* K of PoolWorker-K */
  guint         row;          /* its place in ps_run_model_get_worker()'s order */
  gint64        started;      /* ns */
  gint64        start_cost;   /* ns from asking for it to its first word; -1: unknown */
  gint64        exited;       /* ns; -1 while alive */
  gint32        exit_code;
  gint32        signal;
  gboolean      stopped;      /* ended by Stop: not a crash */
  char         *exit_message;
  guint64       done;         /* tasks it ended, whatever their status */
  guint64       ok;
  guint64       failed;       /* tasks and attempts that did not end ok */
  gint64        busy_ns;
  gint64        cpu_ns;       /* of its tasks */
  gint64        current;      /* task running now, -1 when none */
  gboolean      lost;         /* alive when the record stopped (a cut log, a dead engine) */
  gint64        lost_task;    /* the task it ran then, -1 when none */
  gint64        current_since;
  GArray       *lane;         /* guint32 task indices (or attempts | 1<<31), by start */
  double        cpu;          /* last sample */
  gint64        rss;
  gint64        pss;
  gint64        uss;
  PsSampleRing  samples;
} PsWorkerInfo;

PsRunModel         *ps_run_model_new             (void);
void                ps_run_model_reset           (PsRunModel    *self);
void                ps_run_model_add_event       (PsRunModel    *self,
                                                  const PsEvent *event);
void                ps_run_model_prepare_async   (PsRunModel    *self,
                                                  guint64        n_tasks,
                                                  GCancellable  *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer       user_data);
gboolean            ps_run_model_prepare_finish  (PsRunModel    *self,
                                                  GAsyncResult  *result,
                                                  GError       **error);
void                ps_run_model_set_error       (PsRunModel    *self,
                                                  const char    *message);

guint64             ps_run_model_get_serial      (PsRunModel    *self);
guint               ps_run_model_get_generation  (PsRunModel    *self);
gboolean            ps_run_model_has_run         (PsRunModel    *self);
gboolean            ps_run_model_is_ended        (PsRunModel    *self);
gboolean            ps_run_model_is_cancelled    (PsRunModel    *self);
const char         *ps_run_model_get_error       (PsRunModel    *self);
const char         *ps_run_model_get_end_message (PsRunModel    *self);
guint64             ps_run_model_get_n_tasks     (PsRunModel    *self);
guint64             ps_run_model_get_n_done      (PsRunModel    *self);
guint64             ps_run_model_get_n_status    (PsRunModel    *self,
                                                  PsTaskStatus   status);
guint64             ps_run_model_get_n_retried   (PsRunModel    *self);
guint64             ps_run_model_get_chunksize   (PsRunModel    *self);
const char         *ps_run_model_get_workload    (PsRunModel    *self);
const char         *ps_run_model_get_items_spec  (PsRunModel    *self);
const char         *ps_run_model_get_start_method (PsRunModel   *self);
gboolean            ps_run_model_is_unordered    (PsRunModel    *self);
gint64              ps_run_model_get_now         (PsRunModel    *self);
gint64              ps_run_model_get_wall        (PsRunModel    *self);
gint64              ps_run_model_get_span        (PsRunModel    *self);
void                ps_run_model_set_time_scale  (PsRunModel    *self,
                                                  gint64         ns);
guint               ps_run_model_get_cores       (PsRunModel    *self);
guint               ps_run_model_get_pool_size   (PsRunModel    *self);
const PsResizeRec  *ps_run_model_get_resizes     (PsRunModel    *self,
                                                  guint         *n);

guint               ps_run_model_get_n_workers   (PsRunModel    *self);
const PsWorkerInfo *ps_run_model_get_worker      (PsRunModel    *self,
                                                  guint          row);
const PsWorkerInfo *ps_run_model_get_worker_at   (PsRunModel    *self,
                                                  guint          index);
const PsWorkerInfo *ps_run_model_get_task_worker (PsRunModel    *self,
                                                  const PsTaskRec *task);
const PsTaskRec    *ps_run_model_get_tasks       (PsRunModel    *self);
const PsAttemptRec *ps_run_model_get_attempt     (PsRunModel    *self,
                                                  guint          index);
const guint32      *ps_run_model_get_completion  (PsRunModel    *self,
                                                  guint64       *n);
const guint32      *ps_run_model_get_failed      (PsRunModel    *self,
                                                  guint64       *n);
guint               ps_run_model_get_n_attempts  (PsRunModel    *self);
const PsSampleRing *ps_run_model_get_total       (PsRunModel    *self);
guint64             ps_run_model_get_n_finished  (PsRunModel    *self);
double              ps_run_model_get_worker_cpu  (PsRunModel    *self,
                                                  const PsWorkerInfo *worker);

const char         *ps_run_model_format_item     (PsRunModel    *self,
                                                  const PsTaskRec *task,
                                                  char           buf[24]);
const char         *ps_run_model_format_result   (PsRunModel    *self,
                                                  const PsTaskRec *task,
                                                  char           buf[24]);
void                ps_run_model_append_results  (PsRunModel    *self,
                                                  GString       *out,
                                                  guint          max_shown);

/* Output lines, oldest first; lines older than the last 10,000 are dropped. */
guint64             ps_run_model_get_n_output    (PsRunModel    *self);
const char         *ps_run_model_get_output      (PsRunModel    *self,
                                                  guint64        line);

const PsSampleRec  *ps_sample_ring_get           (const PsSampleRing *ring,
                                                  guint               i);

G_END_DECLS
