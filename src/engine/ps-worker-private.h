/* ps-worker-private.h: a pool worker's state, shared by its loop
 * (ps-worker.c) and the tasks that run other programs (ps-worker-exec.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <semaphore.h>
#include <sys/types.h>
#include <time.h>

#include "ps-command.h"
#include "ps-frame.h"
#include "ps-workload.h"

G_BEGIN_DECLS

#define PS_WORKER_FLUSH_BYTES  (64 * 1024)
/* A worker that ends with this has told the end of its running task
 * (its worker program crashed): the tasks it held after it go back to
 * the queue, none is charged. */
#define PS_WORKER_EXIT_HANDED_BACK 75

#define PS_WORKER_FLUSH_NS     (20 * G_GINT64_CONSTANT (1000000))

typedef struct
{
  guint64 task;
  guint32 attempt;
  gint64  start;
  gint64  end;
  guint8  status;
  gint64  result;
  const char *item;   /* into the input buffer */
  gsize   item_len;
  gboolean item_is_int;
  gint64  item_int;
} PsPending;

/* A program the worker started: a command's, or its worker program. */
typedef struct
{
  pid_t    pid;          /* also its process group; 0: none */
  int      pidfd;        /* readable once it has exited; -1 */
  int      in_fd;        /* its stdin (worker programs); -1 */
  int      out_fd;
  int      err_fd;
  int      stat_fd;      /* its /proc/PID/schedstat (worker programs); -1 */
} PsChild;

typedef struct _PsWorkerProgram PsWorkerProgram;

typedef struct
{
  int         fd;
  guint32     id;
  char        name[64];
  PsWorkload  workload;
  guint64     seed;
  gboolean    trivial;
  sem_t      *lock;       /* the lock workload's, shared by the pool */
  guint32     slot;
  guint32     flags;      /* PS_OUTPUT_* */
  guint64     output_limit;
  PsCommand  *command;    /* command and shell workloads */
  char       *command_path; /* its program, found in PATH at the start */
  char      **envp;       /* for the programs it starts: the worker's, POOLSCOPE_* after */
  guint       n_env;      /* entries of envp before the POOLSCOPE_* ones */
  int         term_fd;    /* a signalfd of SIGTERM, kept blocked; -1 when SIGTERM is not */
  PsWorkerProgram *program;
  PsBuffer    in;
  PsBuffer    out;
  gint64      last_flush;
  /* trivial tasks waiting for their CPU share */
  PsPending  *pending;
  gsize       n_pending;
  gsize       max_pending;
  gint64      batch_wall_start;
  gint64      batch_cpu_start;
  gint64      batch_last_end;
} PsWorker;

static inline gint64
ps_worker_now_ns (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* The process group of the program the worker runs now (0: none): a
 * worker that must die at once takes it with it. */
extern pid_t ps_worker_child_group;

G_GNUC_NORETURN void ps_worker_die           (const char *why);
G_GNUC_NORETURN void ps_worker_die_by_signal (int         sig);
void                 ps_worker_flush         (PsWorker   *w);

/* ps-worker-exec.c */
void     ps_worker_exec_setup   (PsWorker   *w);
void     ps_worker_exec_finish  (PsWorker   *w);
void     ps_worker_run_command  (PsWorker   *w,
                                 guint64     task,
                                 guint32     attempt,
                                 const char *item,
                                 gsize       item_len);
void     ps_worker_program_task (PsWorker   *w,
                                 guint64     task,
                                 guint32     attempt,
                                 const char *item,
                                 gsize       item_len);
guint32  ps_worker_exec_child_pid (PsWorker *w);
void     ps_worker_wait_input   (PsWorker   *w);

G_END_DECLS
