/* ps-worker.c: the loop a pool worker runs
 *
 * A worker reads SETUP, then CHUNK frames, runs each task and writes its
 * events back on the same channel. It runs in a forked child of the engine
 * or in a fresh `poolscope-run --worker`, so it uses no main loop and no
 * GLib state that a fork could have left locked: only read(), write(),
 * clocks and malloc.
 *
 * Throughput for tiny tasks comes from batching: events are appended to
 * one buffer and written when the worker runs out of tasks, when the
 * buffer passes 64 KiB or when 20 ms have gone by. Tasks of a non-trivial
 * workload (anything that may take time or crash) flush before they start,
 * so the engine knows at once which task is running. Reading a CPU-time
 * clock is a system call (~0.6 µs here), so trivial tasks get their share
 * of the CPU time measured over the batch instead of their own reading.
 *
 * The lock workload shares one named semaphore among the pool's workers
 * (run_lock_task()); it is opened by its name from SETUP, the same way in
 * a forked worker and a spawned one. sem_open() takes a lock of glibc's
 * in a forked child, but only the engine's main thread, the one that
 * forks, ever calls it there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-worker"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ps-event.h"
#include "ps-frame.h"
#include "ps-items.h"
#include "ps-worker.h"
#include "ps-worker-private.h"
#include "ps-worker-proto.h"
#include "ps-workload.h"

#define FLUSH_BYTES  PS_WORKER_FLUSH_BYTES
#define FLUSH_NS     PS_WORKER_FLUSH_NS
#define READ_SIZE    (256 * 1024)
/* how long a worker waiting for the lock may take to notice its SIGTERM */
#define LOCK_SLICE_NS (20 * G_GINT64_CONSTANT (1000000))

typedef PsPending Pending;
typedef PsWorker Worker;

#define now_ns ps_worker_now_ns

pid_t ps_worker_child_group;

static void
end_child_group (void)
{
  if (ps_worker_child_group > 1)
    kill (-ps_worker_child_group, SIGKILL);
}

void
ps_worker_die (const char *why)
{
  /* stderr is inherited from the engine; nothing else is safe to use here */
  char msg[256];
  int n = snprintf (msg, sizeof msg, "poolscope worker: %s\n", why);

  if (write (STDERR_FILENO, msg, MIN ((size_t) n, sizeof msg - 1)) < 0)
    { /* nothing more to do */ }
  end_child_group ();
  _exit (70);
}

static void
write_all (int          fd,
           const guint8 *data,
           gsize        len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          /* the engine has gone: nobody to report to, nothing to run for */
          end_child_group ();
          _exit (0);
        }
      data += n;
      len -= n;
    }
}

static void
encode_pending (Worker *w)
{
  gint64 wall, cpu;
  double share;

  if (w->n_pending == 0)
    return;

  /* The fraction of the batch's wall time this worker spent on a CPU. */
  wall = now_ns (CLOCK_MONOTONIC) - w->batch_wall_start;
  cpu = now_ns (CLOCK_THREAD_CPUTIME_ID) - w->batch_cpu_start;
  share = wall > 0 ? CLAMP ((double) cpu / (double) wall, 0.0, 1.0) : 1.0;

  for (gsize i = 0; i < w->n_pending; i++)
    {
      Pending *p = &w->pending[i];
      gsize run = 0;
      gint64 task_cpu;
      char itembuf[24];
      const char *item;
      gsize item_len;
      gsize start;
      PsProtoTaskEnd end;

      /* Back-to-back square tasks of one chunk go as one TASK_RUN frame:
       * 12 bytes a task instead of a whole task-end frame. */
      if (w->workload.kind == PS_WORKLOAD_SQUARE)
        while (i + run < w->n_pending && run < 65536 &&
               w->pending[i + run].status == PS_TASK_OK &&
               w->pending[i + run].task == p->task + run &&
               w->pending[i + run].attempt == p->attempt &&
               w->pending[i + run].end - w->pending[i + run].start < G_MAXUINT32 &&
               (run == 0 || w->pending[i + run].start == w->pending[i + run - 1].end))
          run++;
      if (run >= 2)
        {
          gsize f = ps_proto_begin_task_run (&w->out, p->task, (guint32) run, p->attempt, p->start, share);

          for (gsize k = 0; k < run; k++)
            ps_proto_put_task_run_entry (&w->out,
                                         (guint32) (w->pending[i + k].end - w->pending[i + k].start),
                                         w->pending[i + k].result);
          ps_frame_end (&w->out, f);
          i += run - 1;
          continue;
        }
      task_cpu = (gint64) ((double) (p->end - p->start) * share);
      item = p->item;
      item_len = p->item_len;

      if (p->item_is_int && w->workload.kind != PS_WORKLOAD_SQUARE)
        {
          item_len = ps_format_int (p->item_int, itembuf);
          item = itembuf;
        }

      if (w->workload.kind == PS_WORKLOAD_PRINT || w->workload.kind == PS_WORKLOAD_HELLO)
        {
          char line[128];
          int n;

          /* the item may be long: write the text in pieces */
          if (w->workload.kind == PS_WORKLOAD_PRINT)
            n = snprintf (line, sizeof line, "Process %s: ", w->name);
          else
            n = snprintf (line, sizeof line, "Hello, ");
          start = ps_proto_begin_output (&w->out, p->task, PS_STREAM_STDOUT,
                                         n + item_len + (w->workload.kind == PS_WORKLOAD_HELLO));
          ps_buffer_put (&w->out, line, n);
          ps_buffer_put (&w->out, item, item_len);
          if (w->workload.kind == PS_WORKLOAD_HELLO)
            ps_buffer_put_u8 (&w->out, '!');
          ps_proto_end_output (&w->out, start);
        }

      end = (PsProtoTaskEnd) { p->task, p->attempt, p->start, p->end, task_cpu, p->status,
                               PS_RESULT_NONE, 0, NULL, 0, NULL };
      if (p->status != PS_TASK_OK)
        end.message = "integer overflow";
      else if (w->workload.kind == PS_WORKLOAD_SQUARE)
        {
          end.result_kind = PS_RESULT_INT;
          end.result_int = p->result;
        }
      else if (w->workload.kind == PS_WORKLOAD_PRINT && p->item_is_int)
        {
          end.result_kind = PS_RESULT_INT;
          end.result_int = p->item_int;
        }
      else if (w->workload.kind == PS_WORKLOAD_PRINT)
        {
          end.result_kind = PS_RESULT_TEXT;
          end.result_text = item;
          end.result_len = item_len;
        }
      ps_proto_put_task_end (&w->out, &end);
    }
  w->n_pending = 0;
}

void
ps_worker_flush (Worker *w)
{
  encode_pending (w);
  if (w->out.len > 0)
    {
      write_all (w->fd, w->out.data, w->out.len);
      w->out.len = 0;
    }
  w->last_flush = now_ns (CLOCK_MONOTONIC);
}

static void
burn_cpu (double ms)
{
  gint64 until = now_ns (CLOCK_THREAD_CPUTIME_ID) + (gint64) (ms * 1e6);
  volatile guint64 x = 1;

  while (now_ns (CLOCK_THREAD_CPUTIME_ID) < until)
    for (int i = 0; i < 2000; i++)
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
}

static void
sleep_ms (double ms)
{
  struct timespec ts;

  ts.tv_sec = (time_t) (ms / 1000);
  ts.tv_nsec = (long) fmod (ms * 1e6, 1e9);
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

static void
touch_memory (double mb)
{
  gsize size = (gsize) (mb * 1024 * 1024);
  volatile char *mem;
  long page = sysconf (_SC_PAGESIZE);

  if (size == 0)
    return;
  mem = malloc (size);
  if (mem == NULL)
    ps_worker_die ("out of memory in alloc workload");
  for (gsize off = 0; off < size; off += page)
    mem[off] = 1;
  free ((void *) mem);
}

static void
add_ns (struct timespec *ts,
        gint64           ns)
{
  ns += ts->tv_nsec;
  ts->tv_sec += ns / 1000000000;
  ts->tv_nsec = ns % 1000000000;
}

/* Ends the worker by @sig, taken with sigtimedwait() while blocked: the
 * engine sees the death it caused (killed by SIGTERM), as for any task. */
void
ps_worker_die_by_signal (int sig)
{
  sigset_t set;

  sigemptyset (&set);
  sigaddset (&set, sig);
  signal (sig, SIG_DFL);
  raise (sig);
  sigprocmask (SIG_UNBLOCK, &set, NULL);
  _exit (128 + sig);
}

/* lock:OUT:IN: OUT ms of sleep, then IN ms of sleep holding the pool's
 * one lock, so that with any number of workers IN/(OUT+IN) of the batch
 * is serial.
 *
 * A worker must never die holding the lock, or the others would wait for
 * it for ever. The engine ends a worker (a timeout, a cancel) with
 * SIGTERM, and SIGKILL only 0.5 s later: so SIGTERM is blocked from the
 * wait to the release and taken only where the worker knows whether it
 * holds the lock. Waiting, it looks for it between slices of
 * sem_clockwait() (a semaphore cannot be waited for together with a
 * signal), and dies holding nothing; holding, its sleep is a
 * sigtimedwait() for it, and it releases the lock before it dies. A death
 * it cannot catch (a SIGKILL from elsewhere, the OOM killer) is the
 * engine's to repair: see check_lock() in ps-pool.c. */
static void
run_lock_task (Worker *w)
{
  static const struct timespec zero = { 0, 0 };
  struct timespec until;
  sigset_t term, old;
  gint64 release;

  sleep_ms (w->workload.ms);

  sigemptyset (&term);
  sigaddset (&term, SIGTERM);
  sigprocmask (SIG_BLOCK, &term, &old);
  for (;;)
    {
      clock_gettime (CLOCK_MONOTONIC, &until);
      add_ns (&until, LOCK_SLICE_NS);
      if (sem_clockwait (w->lock, CLOCK_MONOTONIC, &until) == 0)
        break;
      if (errno != ETIMEDOUT && errno != EINTR)
        ps_worker_die ("cannot wait for the pool's lock");
      if (sigtimedwait (&term, NULL, &zero) == SIGTERM)
        ps_worker_die_by_signal (SIGTERM);
    }

  release = now_ns (CLOCK_MONOTONIC) + (gint64) (w->workload.in_ms * 1e6);
  for (;;)
    {
      gint64 left = release - now_ns (CLOCK_MONOTONIC);
      struct timespec ts;
      int sig;

      if (left <= 0)
        break;
      ts.tv_sec = left / 1000000000;
      ts.tv_nsec = left % 1000000000;
      sig = sigtimedwait (&term, NULL, &ts);
      if (sig == SIGTERM)
        {
          sem_post (w->lock);
          ps_worker_die_by_signal (SIGTERM);
        }
      if (sig < 0 && errno == EAGAIN)
        break;
      /* EINTR: a signal with a handler; the time left is counted again */
    }
  sem_post (w->lock);
  /* a SIGTERM that came after the release ends the worker here */
  sigprocmask (SIG_SETMASK, &old, NULL);
}

/* A task whose workload may take long or crash: reported as it goes. */
static void
run_slow_task (Worker     *w,
               guint64     task,
               guint32     attempt,
               const char *item,
               gsize       item_len,
               gboolean    item_is_int,
               gint64      item_int)
{
  gint64 start, end, cpu0;
  PsProtoTaskEnd e;
  double ms;

  if (w->workload.kind == PS_WORKLOAD_COMMAND || w->workload.kind == PS_WORKLOAD_SHELL)
    {
      ps_worker_run_command (w, task, attempt, item, item_len);
      return;
    }
  if (w->workload.kind == PS_WORKLOAD_PROGRAM)
    {
      ps_worker_program_task (w, task, attempt, item, item_len);
      return;
    }

  start = now_ns (CLOCK_MONOTONIC);
  cpu0 = now_ns (CLOCK_THREAD_CPUTIME_ID);
  ps_proto_put_task_start (&w->out, task, attempt, start);
  ps_worker_flush (w);

  switch (w->workload.kind)
    {
    case PS_WORKLOAD_CPU:
    case PS_WORKLOAD_RANDOM_CPU:
      burn_cpu (ps_workload_draw_ms (&w->workload, w->seed, task, attempt));
      break;
    case PS_WORKLOAD_SLEEP:
    case PS_WORKLOAD_RANDOM_SLEEP:
      ms = ps_workload_draw_ms (&w->workload, w->seed, task, attempt);
      sleep_ms (ms);
      break;
    case PS_WORKLOAD_ALLOC:
      touch_memory (w->workload.mb);
      break;
    case PS_WORKLOAD_CRASH:
      if (ps_workload_draw_crash (&w->workload, w->seed, task, attempt))
        {
          signal (SIGSEGV, SIG_DFL);
          raise (SIGSEGV);
        }
      break;
    case PS_WORKLOAD_LOCK:
      run_lock_task (w);
      break;
    case PS_WORKLOAD_SQUARE:
    case PS_WORKLOAD_PRINT:
    case PS_WORKLOAD_HELLO:
    default:
      g_assert_not_reached ();
    }

  end = now_ns (CLOCK_MONOTONIC);
  /* the result is the item, as it came: a number stays a number */
  e = (PsProtoTaskEnd) { task, attempt, start, end, now_ns (CLOCK_THREAD_CPUTIME_ID) - cpu0, PS_TASK_OK,
                         item_is_int ? PS_RESULT_INT : PS_RESULT_TEXT, item_int, item, item_len, NULL };
  ps_proto_put_task_end (&w->out, &e);
}

/* Parses a decimal integer; FALSE on anything else or on overflow. */
static inline gboolean
parse_int (const char *s,
           gsize       len,
           gint64     *out)
{
  gboolean neg = FALSE;
  guint64 v = 0;
  gsize i = 0;

  if (len > 0 && (s[0] == '-' || s[0] == '+'))
    {
      neg = s[0] == '-';
      i = 1;
    }
  if (i == len)
    return FALSE;
  for (; i < len; i++)
    {
      guint d = (guchar) s[i] - '0';
      if (d > 9 || v > (G_GUINT64_CONSTANT (9223372036854775808) - d) / 10)
        return FALSE;
      v = v * 10 + d;
    }
  if (!neg && v > (guint64) G_MAXINT64)
    return FALSE;
  *out = neg ? (gint64) (0 - v) : (gint64) v;
  return TRUE;
}

static void
run_trivial_task (Worker     *w,
                  guint64     task,
                  guint32     attempt,
                  const char *item,
                  gsize       item_len,
                  gboolean    item_is_int,
                  gint64      item_int)
{
  Pending *p;

  if (w->n_pending == 0)
    {
      w->batch_wall_start = now_ns (CLOCK_MONOTONIC);
      w->batch_cpu_start = now_ns (CLOCK_THREAD_CPUTIME_ID);
      w->batch_last_end = w->batch_wall_start;
    }
  if (w->n_pending == w->max_pending)
    {
      w->max_pending = MAX (1024, w->max_pending * 2);
      w->pending = realloc (w->pending, w->max_pending * sizeof (Pending));
      if (w->pending == NULL)
        ps_worker_die ("out of memory");
    }
  p = &w->pending[w->n_pending++];
  p->task = task;
  p->attempt = attempt;
  p->item = item;
  p->item_len = item_len;
  p->item_is_int = item_is_int;
  p->item_int = item_int;
  p->status = PS_TASK_OK;
  p->result = 0;
  /* Back to back in a batch, a task starts when the one before it ended:
   * one clock reading per task instead of two. */
  p->start = w->batch_last_end;

  if (w->workload.kind == PS_WORKLOAD_SQUARE)
    {
      gint64 v = item_int;

      if (!item_is_int && !parse_int (item, item_len, &v))
        p->status = PS_TASK_ERROR;
      else if (__builtin_mul_overflow (v, v, &p->result))
        p->status = PS_TASK_ERROR;
    }
  p->end = w->batch_last_end = now_ns (CLOCK_MONOTONIC);

  if (p->end - w->last_flush > FLUSH_NS || w->n_pending >= 4096)
    ps_worker_flush (w);
}

static void
handle_chunk (Worker        *w,
              const PsFrame *frame)
{
  PsProtoChunk c;

  if (!ps_proto_read_chunk (frame, &c, NULL))
    ps_worker_die ("corrupt chunk frame");
  if (c.range)
    {
      for (guint32 i = 0; i < c.count; i++)
        {
          gint64 v = (gint64) ((guint64) c.value + (guint64) i * (guint64) c.step);

          if (w->trivial)
            run_trivial_task (w, c.first + i, c.attempt, NULL, 0, TRUE, v);
          else
            {
              char buf[24];
              gsize n = ps_format_int (v, buf);
              run_slow_task (w, c.first + i, c.attempt, buf, n, TRUE, v);
            }
        }
      return;
    }

  /* the decoder has checked that count items are there */
  for (guint32 i = 0; i < c.count; i++)
    {
      gsize len;
      const char *item = ps_reader_str (&c.items, &len);

      if (w->trivial)
        run_trivial_task (w, c.first + i, c.attempt, item, len, FALSE, 0);
      else
        run_slow_task (w, c.first + i, c.attempt, item, len, FALSE, 0);
    }
}

static void
handle_setup (Worker        *w,
              const PsFrame *frame)
{
  PsProtoSetup setup;

  if (!ps_proto_read_setup (frame, &setup, NULL))
    ps_worker_die ("corrupt setup frame");
  w->id = setup.id;
  w->seed = setup.seed;
  w->slot = setup.slot;
  w->flags = setup.flags;
  w->output_limit = setup.output_limit;
  g_strlcpy (w->name, setup.name, sizeof w->name);
  if (!ps_workload_parse (setup.workload, &w->workload, NULL))
    ps_worker_die ("unknown workload in setup frame");
  w->trivial = ps_workload_is_trivial (&w->workload);
  if (w->workload.kind == PS_WORKLOAD_LOCK)
    {
      /* the engine made it before any worker started, and removes it at the end */
      if (*setup.lock == '\0')
        ps_worker_die ("a lock workload without its lock in the setup frame");
      w->lock = sem_open (setup.lock, 0);
      if (w->lock == SEM_FAILED)
        ps_worker_die ("cannot open the pool's lock");
    }

  ps_worker_exec_setup (w);

  ps_proto_put_ready (&w->out, (guint32) getpid (), now_ns (CLOCK_MONOTONIC));
  if (ps_worker_exec_child_pid (w) != 0)
    ps_proto_put_task_child (&w->out, G_MAXUINT64, ps_worker_exec_child_pid (w));
  ps_worker_flush (w);
}

/**
 * ps_worker_main:
 * @fd: the channel to the engine
 *
 * Runs tasks until the engine closes the channel.
 *
 * Returns: the exit status for the worker process
 */
int
ps_worker_main (int fd)
{
  Worker w = { 0 };
  gboolean have_setup = FALSE;

  w.fd = fd;
  w.term_fd = -1;
  ps_buffer_init (&w.in);
  ps_buffer_init (&w.out);
  ps_buffer_grow (&w.in, READ_SIZE);
  ps_buffer_grow (&w.out, FLUSH_BYTES * 2);
  signal (SIGPIPE, SIG_IGN);

  for (;;)
    {
      gsize pos = 0;
      gssize n;

      /* Out of work: report everything, then wait for more. */
      ps_worker_flush (&w);
      if (w.in.cap - w.in.len < READ_SIZE / 2)
        ps_buffer_grow (&w.in, READ_SIZE);
      /* a worker of other programs serves them, and its SIGTERM, meanwhile */
      if (w.term_fd >= 0)
        ps_worker_wait_input (&w);
      do
        n = read (fd, w.in.data + w.in.len, w.in.cap - w.in.len);
      while (n < 0 && errno == EINTR);
      if (n == 0)
        break;
      if (n < 0)
        ps_worker_die ("cannot read from the engine");
      w.in.len += n;

      for (;;)
        {
          PsFrame frame;
          gsize used;
          PsDecodeResult res = ps_frame_decode (w.in.data + pos, w.in.len - pos, &frame, &used, NULL);

          if (res == PS_DECODE_NEED_MORE)
            {
              /* make room for a frame larger than the buffer */
              if (w.in.len - pos >= PS_FRAME_HEADER_SIZE)
                {
                  guint32 plen;
                  memcpy (&plen, w.in.data + pos, 4);
                  plen = GUINT32_FROM_LE (plen);
                  if (w.in.cap < (gsize) plen + PS_FRAME_HEADER_SIZE + READ_SIZE)
                    {
                      ps_worker_flush (&w);
                      ps_buffer_consume (&w.in, pos);
                      pos = 0;
                      ps_buffer_grow (&w.in, (gsize) plen + PS_FRAME_HEADER_SIZE);
                    }
                }
              break;
            }
          if (res == PS_DECODE_ERROR)
            ps_worker_die ("corrupt frame from the engine");
          pos += used;
          if (frame.type == PS_FRAME_SETUP)
            {
              handle_setup (&w, &frame);
              have_setup = TRUE;
            }
          else if (frame.type == PS_FRAME_CHUNK && have_setup)
            handle_chunk (&w, &frame);
          else
            ps_worker_die ("unexpected frame from the engine");
        }
      /* pending tasks may point into the frames about to be dropped */
      ps_worker_flush (&w);
      ps_buffer_consume (&w.in, pos);
    }

  ps_worker_exec_finish (&w);
  ps_worker_flush (&w);
  if (w.lock != NULL)
    sem_close (w.lock);
  free (w.pending);
  ps_buffer_clear (&w.in);
  ps_buffer_clear (&w.out);
  return 0;
}
