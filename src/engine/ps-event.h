/* ps-event.h: the one description of a run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ps-frame.h"

G_BEGIN_DECLS

#define PS_LOG_SCHEMA_VERSION 2

typedef enum
{
  PS_EVENT_RUN_START,
  PS_EVENT_WORKER_START,
  PS_EVENT_TASK_START,
  PS_EVENT_TASK_END,
  PS_EVENT_OUTPUT,
  PS_EVENT_SAMPLE,
  PS_EVENT_WORKER_EXIT,
  PS_EVENT_RUN_END,
  PS_EVENT_NOTICE,              /* something the user must hear of: message */
  /* A sizing sweep's log: before each run, which one it is (task: its
   * index, workers, attempt: the repetition, retry: the warm-up); at the
   * end, the sweep's result (text: a JSON object) */
  PS_EVENT_SWEEP_RUN,
  PS_EVENT_SWEEP_END,
  PS_EVENT_RESIZE,              /* the pool's size was changed during the run: workers */
  PS_EVENT_N_TYPES,
  /* Ordinary task-ends of one worker, in completion order (see
   * PsTaskBatchEntry): what a live run is mostly made of. Not one of the
   * event types above on the wire: the log writes it as a "tasks" line,
   * `--ipc` as an EVENT_TASKS frame, and readers give back task-ends. */
  PS_EVENT_TASKS = 64,
} PsEventType;

typedef enum
{
  PS_TASK_OK,
  PS_TASK_ERROR,
  PS_TASK_CRASHED,
  PS_TASK_TIMEOUT,
  PS_TASK_CANCELLED,
  PS_TASK_N_STATUS
} PsTaskStatus;

typedef enum
{
  PS_RESULT_NONE,
  PS_RESULT_INT,
  PS_RESULT_TEXT,
} PsResultKind;

typedef enum
{
  PS_STREAM_STDOUT = 1,
  PS_STREAM_STDERR = 2,
} PsStream;

/* One ordinary task: the first attempt, ok, an integer item and result,
 * no task-start of its own (its start is implied by the task-end). */
typedef struct
{
  guint64 task;
  guint64 rank;
  gint64  start;
  gint64  end;
  gint64  cpu_ns;
  gint64  item;
  gint64  result;
} PsTaskBatchEntry;

/* Strings are borrowed: from the frame, the JSON node or the engine. */
typedef struct
{
  PsEventType   type;
  gint64        t;              /* ns since the run started */

  /* worker-*, task-*, output, sample */
  guint32       worker;         /* K of PoolWorker-K, from 1 */
  gint32        pid;
  const char   *name;

  /* task-*, output */
  guint64       task;           /* submission index, from 0 */
  guint32       attempt;        /* 0 for the first try */
  const char   *item;           /* NULL when the item is item_int */
  gint64        item_int;
  PsTaskStatus  status;
  gint64        start;
  gint64        end;
  gint64        cpu_ns;
  guint64       rank;           /* completion rank, from 0 */
  PsResultKind  result_kind;
  gint64        result_int;
  const char   *result_text;
  const char   *message;        /* why a task failed, why a run ended early */
  gboolean      retry;          /* task-end of an attempt that will be tried again */

  /* output */
  PsStream      stream;
  const char   *text;

  /* sample */
  double        cpu_percent;    /* 100: one whole core */
  gint64        rss;            /* bytes */
  gint64        pss;            /* bytes, -1 when not readable */
  gint64        uss;            /* private bytes, -1 when not readable */

  /* worker-start, worker-exit */
  gint64        start_cost_ns;
  gint32        exit_code;      /* -1 when killed by a signal */
  gint32        signal;
  gboolean      stopped;        /* worker-exit: ended by the pool for a cancel */
  const char   *host;           /* worker-start: the host it runs on (--hosts), or NULL */
  gint64        clock_offset_ns; /* worker-start on another host: added to its clock's times */
  gint64        clock_error_ns;  /* the offset is right within this; 0: the engine's own clock */

  /* run-start, run-end */
  guint64       n_tasks;
  guint32       workers;
  guint32       cores;
  guint64       chunksize;
  const char   *items;
  const char   *workload;
  const char   *start_method;
  const char   *order;
  guint64       seed;
  gint64        epoch_ns;       /* run-start: the wall clock at t = 0, ns since 1970; 0: unknown */
  const char   *hosts;          /* run-start with --hosts: the hosts it runs on, "2/server1,1/here" */
  guint64       n_ok;
  guint64       n_failed;
  guint64       n_cancelled;
  gint64        cpu_total_ns;
  gboolean      cancelled;

  /* tasks: worker, pid and name above */
  const PsTaskBatchEntry *tasks;
  guint32       n_entries;
} PsEvent;

/* Takes events one at a time; the event is valid during the call only. */
typedef void (*PsEventFunc) (const PsEvent *event,
                             gpointer       data);

const char   *ps_event_get_item        (const PsEvent *event,
                                        char           buf[24]);
const char   *ps_event_type_to_string  (PsEventType   type);
const char   *ps_task_status_to_string (PsTaskStatus  status);
gboolean      ps_task_status_from_string (const char *text,
                                        PsTaskStatus *status);

void          ps_event_encode          (const PsEvent *event,
                                        PsBuffer      *buffer);
gboolean      ps_event_decode          (const PsFrame *frame,
                                        PsEvent       *event,
                                        GError       **error);
void          ps_event_to_json         (const PsEvent *event,
                                        GString       *out);
gboolean      ps_event_from_json_line  (const char    *line,
                                        gsize          len,
                                        PsEvent       *event,
                                        GStringChunk  *strings,
                                        GError       **error);
gboolean      ps_event_parse_json_line (const char    *line,
                                        gsize          len,
                                        PsEvent       *event,
                                        GArray        *entries,
                                        GStringChunk  *strings,
                                        GError       **error);
void          ps_event_init_task_end   (const PsEvent *tasks,
                                        PsEvent       *e);
void          ps_event_foreach_task    (const PsEvent *tasks,
                                        PsEventFunc    func,
                                        gpointer       data);
void          ps_event_tasks_to_json   (const PsEvent *tasks,
                                        GString       *out);
void          ps_json_append_string    (GString       *out,
                                        const char    *str);

G_END_DECLS
