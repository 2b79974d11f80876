/* ps-pool.c: a pool of worker processes running one batch
 *
 * The pool lives on the thread-default main context of the engine
 * process. It starts its workers through a launcher (ps-launcher: fork or
 * spawn), owns the queue, hands out chunks, turns the workers' frames
 * into events, has them sampled (ps-sampler), and notices a worker that
 * dies.
 *
 * Scheduling: one shared queue, as in Python's Pool. Chunks of
 * consecutive tasks go to workers as they become free. Until task times
 * are known a worker holds at most two chunks; after that, besides the
 * chunk it runs, only as much as keeps it busy for TARGET_IN_FLIGHT_NS
 * (tiny tasks: up to 65,536 of them, since waking a process on another
 * core costs tens of microseconds and only many tasks in flight hide
 * that; tasks of milliseconds: nothing, a worker asks again when done).
 * So no worker sits on work that another, idle, could run.
 *
 * A worker runs its tasks in the order it was given them, so the task it
 * is running is always the first unfinished one it holds. When it dies,
 * that task is marked crashed (or timed out, or cancelled) and the ones
 * behind it go back to the front of the queue for another worker.
 *
 * Every worker's channel, and the exit_fd its launcher gives (a pidfd
 * for forked workers) that becomes
 * readable when it exits, sit in one epoll set, and the main loop polls
 * that one descriptor: a wake-up costs the same with 2 workers or 1,024,
 * where poll() over every socket and pidfd cost ~1 µs per descriptor on
 * each sample tick.
 *
 * A pool of the lock workload owns one more thing: the lock its workers
 * share, a named semaphore (lock_create()), and the repair of it when a
 * worker dies holding it (check_lock()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-pool"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "ps-error.h"
#include "ps-format.h"
#include "ps-launcher.h"
#include "ps-pool.h"
#include "ps-remote.h"
#include "ps-sampler.h"
#include "ps-worker-private.h"
#include "ps-worker-proto.h"

#define TARGET_IN_FLIGHT_NS  (2 * G_GINT64_CONSTANT (1000000))
#define MAX_IN_FLIGHT        65536
#define KILL_GRACE_NS        (500 * G_GINT64_CONSTANT (1000000))
#define READ_CHUNK           (256 * 1024)
/* items of a chunk go in frames of about this size (a chunk of millions
 * of text items would not fit one frame) */
#define CHUNK_FRAME_BYTES    (256 * 1024)
/* ordinary tasks gathered into one tasks event at most */
#define BATCH_MAX            4096
/* descriptors a worker costs the engine: its channel, a pidfd, and /proc
 * schedstat and statm kept open — or, under a tight limit, opened per
 * read (lean); and what the engine keeps for itself */
#define FDS_PER_WORKER       4
#define FDS_PER_WORKER_LEAN  2
#define FDS_RESERVE          32
/* beyond twice the time a task holds the lock, how long the lock may
 * stay taken, with no lock task ending, before it counts as lost */
#define LOCK_LOST_NS         (1000 * G_GINT64_CONSTANT (1000000))
/* a remote worker's session must say READY within this (ssh's login is
 * over, with ConnectTimeout, by then; a launcher queued longer is lost) */
#define REMOTE_READY_S       30
/* remote workers in a row that end before READY: then its host takes no more */
#define REMOTE_START_TRIES   3

typedef struct
{
  guint64 first;
  guint32 count;
  guint32 attempt;
} Chunk;

typedef struct _Worker
{
  PsPool       *pool;
  guint32       id;
  char         *name;
  GPid          pid;
  int           fd;
  guint32       index;        /* in pool->workers: the epoll key */
  gboolean      registered;   /* fd is in the epoll set */
  gboolean      wants_out;
  PsLaunched    launched;     /* its launcher's: exit_fd (a pidfd) or a callback */
  PsBuffer      in;
  PsBuffer      out;
  GArray       *chunks;       /* Chunk: handed out, not finished, in order */
  guint         chunk_head;
  guint32       head_done;
  guint64       in_flight;
  guint64       chunks_taken;  /* counts towards --max-tasks-per-child */
  gint64        head_since;   /* when the first unfinished task began, as far as known */
  gboolean      head_started; /* a TASK_START for it arrived */
  gint64        launched_at;
  gboolean      ready;
  gboolean      retiring;     /* --max-tasks-per-child reached, or the pool shrank */
  gboolean      surplus;      /* let go by a shrink: not replaced when it leaves */
  gboolean      closing;      /* channel shut: no more work */
  gboolean      exited;
  PsSampled    *sampled;      /* CPU and memory, once it is ready */
  gint64        kill_at;      /* when SIGKILL follows SIGTERM; 0: not being killed */
  PsTaskStatus  kill_status;  /* what the running task becomes when it dies */
  guint64       kill_task;    /* --timeout: the task it was killed for */
  guint32       kill_attempt;
  guint32       slot;         /* {%}: from 1, the lowest free when it started */
  /* the process a command task (or the worker program) runs in: sampled with the worker */
  gint32        child_pid;
  guint64       child_task;   /* G_MAXUINT64: the worker program, for the worker's life */
  gboolean      told_crash;   /* its worker program crashed, and it told its task's end */
  gint64        child_cpu_ns; /* of the program's process tree, at its last sample */
  gint64        child_cpu_at; /* when: the last sample, or when the program started */
  PsSampled    *child_sampled;
  guint         host;         /* its index in the spec's hosts; G_MAXUINT: none given */
  gboolean      exit_told;    /* a remote worker's relay told how it ended */
  gint32        exit_status;
  gboolean      shut_pending; /* shut the channel once what is queued is written */
  gboolean      start_late;   /* a remote one that did not say READY in time */
  gboolean      dropped;      /* a remote one still starting when the run ended: let go */
} Worker;

struct _PsPool
{
  GObject       parent_instance;

  PsSpec       *spec;
  char         *worker_command;
  PsLauncher   *launcher;
  PsRemote     *remote;        /* --hosts: their connections; NULL: this machine only */
  gboolean      connecting;    /* the hosts are answering: the run has not begun */
  guint         ping_source;   /* PING to remote workers, so that their relays know the link lives */
  PsEventFunc   func;
  gpointer      func_data;

  guint64       n_tasks;
  guint64       chunksize;
  guint64       next_task;
  GQueue        requeue;       /* Chunk*, run before fresh tasks */
  guint8       *task_final;    /* 1 once a task has its final task-end */

  guint64       n_final;
  guint64       n_ok;
  guint64       n_failed;
  guint64       n_cancelled_events;
  guint64       rank;
  gint64        cpu_total_ns;
  gint64        mean_task_ns;

  GArray       *batch;         /* PsTaskBatchEntry: ordinary tasks not yet told */
  struct _Worker *batch_worker;
  GPtrArray    *workers;       /* Worker*, every one ever started */
  GByteArray   *slots;         /* 1 where a live worker has that slot ({%}) */
  guint         n_live;
  guint         n_surplus;     /* live workers a shrink let go */
  guint32       next_worker_id;

  gint64        t0;
  int           epfd;
  guint         epoll_source;
  guint         sample_source;
  GSource      *deadline_source; /* the next --timeout or kill grace to enforce */
  gboolean      started;
  gboolean      lean_proc;     /* too few descriptors to keep /proc files open */
  gboolean      cancelled;
  gboolean      closing_all;
  gboolean      halting;       /* --halt soon: no more tasks handed out */
  gboolean      finished;
  char         *failure;
  /* the lock workload's (lock_create(), check_lock()) */
  sem_t        *lock;
  char         *lock_name;
  guint64       lock_releases;    /* task-ends of lock tasks: each released the lock */
  gboolean      lock_suspect;     /* a worker may have died holding it */
  gint64        lock_check_at;    /* when check_lock() looks again */
  gboolean      lock_seen_taken;  /* at its last look */
  guint64       lock_releases_then;
  char          itembuf[32];
  PsEvent       task_event;
};

G_DEFINE_FINAL_TYPE (PsPool, ps_pool, G_TYPE_OBJECT)

static void worker_on_exit (Worker *w, int status);
static void check_halt (PsPool *self);
static gboolean self_program (Worker *w);
static void flush_batch (PsPool *self);
static void arm_deadline (PsPool *self, gint64 when);
static void dispatch_all (PsPool *self);
static void check_finished (PsPool *self);
static gboolean start_worker (PsPool *self, GError **error);
static void lock_remove (PsPool *self);
static void host_gone (PsPool *self, guint index);
static void shrink_for_host (PsPool *self);
static gboolean ping_cb (gpointer data);

static inline gint64
mono_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static void
emit (PsPool  *self,
      PsEvent *e)
{
  /* what happened before this event is told before it */
  if (self->batch->len > 0)
    flush_batch (self);
  if (self->func)
    self->func (e, self->func_data);
}

/* Tells the user something they must know and that no other event says. */
static void
notice (PsPool     *self,
        const char *message)
{
  PsEvent e = { 0 };

  e.type = PS_EVENT_NOTICE;
  e.t = mono_ns () - self->t0;
  e.message = message;
  emit (self, &e);
}

static void
worker_free (Worker *w)
{
  if (w->fd >= 0)
    close (w->fd);
  ps_launched_clear (&w->launched);
  ps_buffer_clear (&w->in);
  ps_buffer_clear (&w->out);
  g_array_unref (w->chunks);
  g_clear_pointer (&w->sampled, ps_sampled_free);
  g_clear_pointer (&w->child_sampled, ps_sampled_free);
  g_free (w->name);
  g_free (w);
}

/* The worker's own process here, or the launcher (ssh) of a remote one,
 * whose end ends the worker there. */
static void
worker_signal (Worker *w,
               int     sig)
{
  if (!w->exited)
    ps_launched_kill (&w->launched, sig);
}

static void
ps_pool_dispose (GObject *object)
{
  PsPool *self = PS_POOL (object);

  /* Workers must not outlive the pool that owns them. */
  if (self->workers)
    for (guint i = 0; i < self->workers->len; i++)
      {
        Worker *w = g_ptr_array_index (self->workers, i);
        if (!w->exited)
          worker_signal (w, SIGKILL);
        /* nor the programs they run */
        if (!w->exited && w->child_pid > 0)
          ps_proc_kill_group (w->child_pid);
      }
  lock_remove (self);
  g_clear_handle_id (&self->sample_source, g_source_remove);
  g_clear_handle_id (&self->ping_source, g_source_remove);
  if (self->deadline_source)
    {
      g_source_destroy (self->deadline_source);
      g_clear_pointer (&self->deadline_source, g_source_unref);
    }
  g_clear_handle_id (&self->epoll_source, g_source_remove);
  /* no exit callback reaches a pool that is gone */
  g_clear_pointer (&self->launcher, ps_launcher_free);
  g_clear_pointer (&self->remote, ps_remote_free);
  G_OBJECT_CLASS (ps_pool_parent_class)->dispose (object);
}

static void
ps_pool_finalize (GObject *object)
{
  PsPool *self = PS_POOL (object);

  g_clear_pointer (&self->workers, g_ptr_array_unref);
  g_clear_pointer (&self->slots, g_byte_array_unref);
  g_clear_pointer (&self->batch, g_array_unref);
  g_queue_clear_full (&self->requeue, g_free);
  g_free (self->task_final);
  g_free (self->worker_command);
  g_free (self->failure);
  if (self->epfd >= 0)
    close (self->epfd);
  ps_spec_free (self->spec);
  G_OBJECT_CLASS (ps_pool_parent_class)->finalize (object);
}

static void
ps_pool_class_init (PsPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_pool_dispose;
  object_class->finalize = ps_pool_finalize;
}

static void
ps_pool_init (PsPool *self)
{
  g_queue_init (&self->requeue);
  self->epfd = -1;
  self->workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
  self->slots = g_byte_array_new ();
  self->batch = g_array_sized_new (FALSE, FALSE, sizeof (PsTaskBatchEntry), BATCH_MAX);
  self->worker_command = g_build_filename (BINDIR, "poolscope-run", NULL);
}

/**
 * ps_pool_new:
 * @spec: (transfer full): a finished spec (see ps_spec_finish())
 *
 * Returns: (transfer full): a pool, not yet started
 */
PsPool *
ps_pool_new (PsSpec *spec)
{
  PsPool *self;

  g_return_val_if_fail (spec != NULL && spec->items != NULL, NULL);

  self = g_object_new (PS_TYPE_POOL, NULL);
  self->spec = spec;
  self->n_tasks = ps_spec_get_n_tasks (spec);
  self->chunksize = ps_spec_get_chunksize (spec);
  self->task_final = g_malloc0 (self->n_tasks);
  return self;
}

void
ps_pool_set_event_func (PsPool      *self,
                        PsEventFunc  func,
                        gpointer     user_data)
{
  g_return_if_fail (PS_IS_POOL (self));
  self->func = func;
  self->func_data = user_data;
}

/**
 * ps_pool_set_worker_command:
 * @path: the poolscope-run executable that `--start spawn` launches
 */
void
ps_pool_set_worker_command (PsPool     *self,
                            const char *path)
{
  g_return_if_fail (PS_IS_POOL (self));
  g_free (self->worker_command);
  self->worker_command = g_strdup (path);
}

const PsSpec *
ps_pool_get_spec (PsPool *self)
{
  return self->spec;
}

gboolean
ps_pool_is_finished (PsPool *self)
{
  return self->finished;
}

/* Range items stay integers until a consumer wants their text. */
static void
fill_item (PsPool  *self,
           PsEvent *e,
           guint64  task)
{
  if (ps_items_is_range (self->spec->items))
    {
      ps_items_get_int (self->spec->items, task, &e->item_int);
      e->item = NULL;
    }
  else
    e->item = ps_items_get_text (self->spec->items, task, self->itembuf, NULL);
}

static gboolean
work_remains (PsPool *self)
{
  return !self->cancelled && !self->halting &&
         (self->next_task < self->n_tasks || self->requeue.length > 0);
}

/* Whether @w should be given one more chunk: a free worker always; until
 * task times are known, one that holds fewer than two chunks; after that,
 * one whose work queued behind the chunk it runs, with one chunk more,
 * still fits in TARGET_IN_FLIGHT_NS. */
static gboolean
wants_more (PsPool *self,
            Worker *w)
{
  guint64 held_chunks, head_left, by_time;

  if (w->in_flight == 0)
    return TRUE;
  /* --halt: what a worker holds is what runs before it can hear of a halt */
  if (self->spec->halt_when != PS_HALT_NEVER)
    return FALSE;
  held_chunks = w->chunks->len - w->chunk_head;
  if (self->mean_task_ns == 0)
    return held_chunks < 2;
  head_left = g_array_index (w->chunks, Chunk, w->chunk_head).count - w->head_done;
  by_time = MIN ((guint64) (TARGET_IN_FLIGHT_NS / self->mean_task_ns), MAX_IN_FLIGHT);
  return (w->in_flight - head_left) + self->chunksize <= by_time;
}

/* epoll keys: the worker's index, times two, plus one for its pidfd */
#define KEY_CHANNEL(w) ((guint64) (w)->index * 2)
#define KEY_PIDFD(w)   ((guint64) (w)->index * 2 + 1)

static void
update_io_watch (Worker *w)
{
  gboolean want_out = w->out.len > 0;
  struct epoll_event ev = { 0 };

  if (w->fd < 0 || w->pool->epfd < 0 || (w->registered && want_out == w->wants_out))
    return;
  ev.events = EPOLLIN | EPOLLRDHUP | (want_out ? EPOLLOUT : 0);
  ev.data.u64 = KEY_CHANNEL (w);
  if (epoll_ctl (w->pool->epfd, w->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, w->fd, &ev) == 0)
    {
      w->registered = TRUE;
      w->wants_out = want_out;
    }
}

static void
unwatch_channel (Worker *w)
{
  if (w->registered && w->fd >= 0)
    epoll_ctl (w->pool->epfd, EPOLL_CTL_DEL, w->fd, NULL);
  w->registered = FALSE;
}

static void
write_out (Worker *w)
{
  while (w->out.len > 0 && w->fd >= 0)
    {
      gssize n = write (w->fd, w->out.data, w->out.len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          if (errno != EAGAIN)
            w->out.len = 0; /* the worker is gone; its exit will be noticed */
          break;
        }
      ps_buffer_consume (&w->out, n);
    }
  if (w->shut_pending && w->out.len == 0 && w->fd >= 0)
    {
      shutdown (w->fd, SHUT_WR);
      w->shut_pending = FALSE;
    }
  update_io_watch (w);
}

/* No more work for @w: what it has not been sent yet (its SETUP, if it
 * was grown and shrunk at once) goes first, then the end of its channel.
 * A remote worker is told with CLOSE first: for it, the channel's end
 * alone means the engine is gone. */
static void
close_channel (Worker *w)
{
  w->closing = TRUE;
  /* one being killed, or busy (a cancel), ends at once: no CLOSE */
  if (w->launched.remote && w->kill_at == 0 && w->in_flight == 0)
    ps_proto_put_close (&w->out);
  w->shut_pending = TRUE;
  write_out (w);
}

static gboolean
next_chunk (PsPool *self,
            Chunk  *out)
{
  Chunk *c = g_queue_pop_head (&self->requeue);

  if (c != NULL)
    {
      *out = *c;
      g_free (c);
      return TRUE;
    }
  if (self->next_task >= self->n_tasks)
    return FALSE;
  out->first = self->next_task;
  out->count = (guint32) MIN (self->chunksize, self->n_tasks - self->next_task);
  out->attempt = 0;
  self->next_task += out->count;
  return TRUE;
}

static void
push_front (PsPool  *self,
            guint64  first,
            guint32  count,
            guint32  attempt)
{
  Chunk *c = g_new (Chunk, 1);

  c->first = first;
  c->count = count;
  c->attempt = attempt;
  g_queue_push_head (&self->requeue, c);
}

static gboolean
can_take (PsPool *self,
          Worker *w)
{
  /* a remote worker takes work once it said READY: its session may take
   * long to open, or never (the work would wait in it meanwhile) */
  return !w->exited && !w->closing && !w->retiring && w->kill_at == 0 &&
         (w->ready || !w->launched.remote) && work_remains (self) && wants_more (self, w);
}

static void
give_chunk (PsPool *self,
            Worker *w)
{
  const PsItems *items = self->spec->items;
  guint64 limit = self->spec->max_tasks_per_child;
  Chunk c;

  if (!next_chunk (self, &c))
    return;

  if (ps_items_is_range (items))
    {
      gint64 v0, v1 = 0;

      ps_items_get_int (items, c.first, &v0);
      if (c.count > 1)
        ps_items_get_int (items, c.first + 1, &v1);
      ps_proto_put_chunk_range (&w->out, c.first, c.count, c.attempt, v0,
                                c.count > 1 ? (gint64) ((guint64) v1 - (guint64) v0) : 1);
    }
  else
    {
      /* Text items go in frames of about CHUNK_FRAME_BYTES: the worker
       * runs each frame's tasks in turn, so one chunk may span several. */
      guint32 sent = 0;

      while (sent < c.count)
        {
          gsize count_at, bytes = 0;
          gsize f = ps_proto_begin_chunk_text (&w->out, c.first + sent, c.attempt, &count_at);
          guint32 n = 0;

          while (sent + n < c.count && (n == 0 || bytes < CHUNK_FRAME_BYTES))
            {
              gsize len;
              const char *text = ps_items_get_text (items, c.first + sent + n, self->itembuf, &len);

              ps_buffer_put_str (&w->out, text, len);
              bytes += len + 4;
              n++;
            }
          ps_proto_end_chunk_text (&w->out, f, count_at, n);
          sent += n;
        }
    }

  if (w->in_flight == 0)
    {
      w->head_since = mono_ns ();
      w->head_started = FALSE;
    }
  g_array_append_val (w->chunks, c);
  w->in_flight += c.count;
  /* Python's maxtasksperchild counts tasks of the pool: chunks */
  w->chunks_taken++;
  if (limit > 0 && w->chunks_taken >= limit)
    w->retiring = TRUE;
}

/* Hands out work to the workers that want it: free ones first, then one
 * chunk at a time to each that can take more, so that the first chunks
 * spread over all workers and a free worker never waits for a busy one. */
static void
dispatch_all (PsPool *self)
{
  gboolean progress = TRUE;

  for (guint i = 0; i < self->workers->len && work_remains (self); i++)
    {
      Worker *w = g_ptr_array_index (self->workers, i);

      if (w->in_flight == 0 && can_take (self, w))
        give_chunk (self, w);
    }
  while (progress && work_remains (self))
    {
      progress = FALSE;
      for (guint i = 0; i < self->workers->len; i++)
        {
          Worker *w = g_ptr_array_index (self->workers, i);

          if (can_take (self, w))
            {
              give_chunk (self, w);
              progress = TRUE;
            }
        }
    }

  for (guint i = 0; i < self->workers->len; i++)
    {
      Worker *w = g_ptr_array_index (self->workers, i);

      if (w->exited)
        continue;
      /* A retiring worker that has finished its share is let go; so is
       * every worker of a halting pool. */
      if ((w->retiring || self->halting) && w->in_flight == 0 && !w->closing && w->fd >= 0)
        {
          close_channel (w);
        }
      if (w->out.len > 0)
        write_out (w);
    }
}

static Chunk *
head_chunk (Worker *w)
{
  if (w->chunk_head >= w->chunks->len)
    return NULL;
  return &g_array_index (w->chunks, Chunk, w->chunk_head);
}

/* The first task a worker holds and has not finished. */
static gboolean
head_task (Worker  *w,
           guint64 *task,
           guint32 *attempt)
{
  Chunk *c = head_chunk (w);

  if (c == NULL)
    return FALSE;
  *task = c->first + w->head_done;
  *attempt = c->attempt;
  return TRUE;
}

static void
pop_head (Worker *w)
{
  Chunk *c = head_chunk (w);

  g_assert (c != NULL);
  if (w->child_pid != 0 && w->child_task == c->first + w->head_done)
    {
      w->child_pid = 0;
      g_clear_pointer (&w->child_sampled, ps_sampled_free);
    }
  w->in_flight--;
  if (++w->head_done == c->count)
    {
      w->chunk_head++;
      w->head_done = 0;
      if (w->chunk_head == w->chunks->len)
        {
          g_array_set_size (w->chunks, 0);
          w->chunk_head = 0;
        }
      else if (w->chunk_head > 1024 && w->chunk_head >= w->chunks->len / 2)
        {
          /* the done half goes: each chunk is moved once at most, on
           * average (tens of thousands may be in flight) */
          g_array_remove_range (w->chunks, 0, w->chunk_head);
          w->chunk_head = 0;
        }
    }
  w->head_started = FALSE;
}

static void
fill_worker (PsEvent *e,
             Worker  *w)
{
  e->worker = w->id;
  e->pid = w->pid;
  e->name = w->name;
}

/* --halt, as GNU parallel's: enough tasks failed (or succeeded, or
 * ended) — now: stop as Stop does; soon: hand out no more, let the
 * running ones finish. */
static void
check_halt (PsPool *self)
{
  static const char *const whens[] = { "never", "soon", "now" };
  const PsSpec *spec = self->spec;
  guint64 count = spec->halt_on == PS_HALT_ON_FAIL ? self->n_failed
                  : spec->halt_on == PS_HALT_ON_SUCCESS ? self->n_ok
                  : self->n_ok + self->n_failed;
  g_autofree char *msg = NULL;
  char n[PS_FORMAT_BUF_SIZE];

  if (self->cancelled || self->halting || count < spec->halt_count)
    return;
  ps_format_count_buf (count, n, sizeof n);
  if (spec->halt_on == PS_HALT_ON_FAIL)
    msg = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "--halt %s: %s task failed: %s",
                                        "--halt %s: %s tasks failed: %s", count),
                           whens[spec->halt_when], n,
                           spec->halt_when == PS_HALT_NOW ? _("stopping the run")
                                                          : _("no more tasks are started"));
  else
    msg = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "--halt %s: %s task done: %s",
                                        "--halt %s: %s tasks done: %s", count),
                           whens[spec->halt_when], n,
                           spec->halt_when == PS_HALT_NOW ? _("stopping the run")
                                                          : _("no more tasks are started"));
  notice (self, msg);
  if (spec->halt_when == PS_HALT_NOW)
    {
      ps_pool_cancel (self);
      return;
    }
  self->halting = TRUE;
  g_queue_clear_full (&self->requeue, g_free);
  self->next_task = self->n_tasks;
}

/* Records a task's end: its final one, or one attempt of a retried task. */
static void
finish_task (PsPool       *self,
             Worker       *w,
             guint64       task,
             guint32       attempt,
             gint64        start,
             gint64        end,
             gint64        cpu_ns,
             PsTaskStatus  status,
             PsResultKind  kind,
             gint64        result_int,
             const char   *result_text,
             const char   *message,
             gboolean      started_event_sent)
{
  /* Two events per task: a task event is kept and refilled, field by
   * field, rather than zeroed each time (a large memset per task). */
  PsEvent *ev = &self->task_event;
  gboolean retry = (status == PS_TASK_CRASHED || status == PS_TASK_TIMEOUT) &&
                   attempt < self->spec->retries && !self->cancelled;
#define e (*ev)

  /* An ordinary task joins the worker's batch: one tasks event for many,
   * the same with a log, a live app or neither. */
  if (!started_event_sent && status == PS_TASK_OK && attempt == 0 &&
      kind == PS_RESULT_INT && message == NULL && ps_items_is_range (self->spec->items))
    {
      PsTaskBatchEntry *plain;

      if (self->batch_worker != w || self->batch->len >= BATCH_MAX)
        flush_batch (self);
      self->batch_worker = w;
      g_array_set_size (self->batch, self->batch->len + 1);
      plain = &g_array_index (self->batch, PsTaskBatchEntry, self->batch->len - 1);
      plain->task = task;
      plain->rank = self->rank++;
      plain->start = start;
      plain->end = end;
      plain->cpu_ns = cpu_ns;
      plain->result = result_int;
      ps_items_get_int (self->spec->items, task, &plain->item);
      goto told;
    }

  fill_worker (&e, w);
  e.task = task;
  e.attempt = attempt;
  fill_item (self, &e, task);
  e.start = start;

  /* a task cancelled before it ran has no start to tell */
  if (!started_event_sent && status != PS_TASK_CANCELLED)
    {
      e.type = PS_EVENT_TASK_START;
      e.t = start;
      e.status = PS_TASK_OK;
      e.end = e.cpu_ns = 0;
      e.rank = 0;
      e.result_kind = PS_RESULT_NONE;
      e.message = NULL;
      e.retry = FALSE;
      emit (self, &e);
    }

  e.type = PS_EVENT_TASK_END;
  e.t = MAX (end, start);
  e.stream = 0;
  e.text = NULL;
  e.status = status;
  e.end = end;
  e.cpu_ns = cpu_ns;
  e.rank = self->rank++;
  e.result_kind = kind;
  e.result_int = result_int;
  e.result_text = result_text;
  e.message = message;
  e.retry = retry;
  emit (self, &e);
#undef e

told:
  self->cpu_total_ns += MAX (cpu_ns, 0);
  if (end > start)
    self->mean_task_ns = self->mean_task_ns == 0 ? MAX (end - start, 1)
                         : MAX (self->mean_task_ns + ((end - start) - self->mean_task_ns) / 16, 1);

  if (retry)
    {
      /* a handler of the events above may have cancelled the run: then
       * the task is one that did not run to an end */
      if (!self->cancelled)
        push_front (self, task, 1, attempt + 1);
      return;
    }

  g_assert (!self->task_final[task]);
  self->task_final[task] = 1;
  self->n_final++;
  if (status == PS_TASK_OK)
    self->n_ok++;
  else if (status == PS_TASK_CANCELLED)
    self->n_cancelled_events++;
  else
    self->n_failed++;
  if (self->spec->halt_when != PS_HALT_NEVER && status != PS_TASK_CANCELLED)
    check_halt (self);
}

/* Tells the gathered ordinary tasks as one event. */
static void
flush_batch (PsPool *self)
{
  Worker *w = self->batch_worker;
  PsEvent e;

  if (self->batch->len == 0 || w == NULL)
    return;
  memset (&e, 0, sizeof e);
  e.type = PS_EVENT_TASKS;
  fill_worker (&e, w);
  e.tasks = (const PsTaskBatchEntry *) (gpointer) self->batch->data;
  e.n_entries = self->batch->len;
  e.t = e.tasks[e.n_entries - 1].end;
  g_array_set_size (self->batch, 0);
  if (self->func)
    self->func (&e, self->func_data);
}

static gboolean
protocol_error (Worker     *w,
                const char *what)
{
  g_warning ("%s: %s; stopping it", w->name, what);
  /* killed by the pool: its task crashed, and no link was lost */
  if (w->kill_at == 0)
    {
      w->kill_status = PS_TASK_CRASHED;
      w->kill_at = G_MAXINT64;
    }
  worker_signal (w, SIGKILL);
  return FALSE;
}

static gboolean
handle_frame (PsPool        *self,
              Worker        *w,
              const PsFrame *frame)
{
  gint64 offset = w->launched.clock_offset_ns;
  guint64 head;
  guint32 head_attempt;

  switch (frame->type)
    {
    case PS_FRAME_READY:
      {
        PsEvent e = { 0 };
        PsProtoReady ready;

        if (!ps_proto_read_ready (frame, &ready, NULL) || w->ready ||
            (w->launched.remote && (gint32) ready.pid <= 1))
          return protocol_error (w, "bad ready frame");
        w->ready = TRUE;
        /* a remote worker's pid is the one it has there */
        if (w->pid <= 0 || w->launched.remote)
          w->pid = ready.pid;
        if (self->remote != NULL)
          ps_remote_get_host (self->remote, w->host)->start_failures = 0;
        fill_worker (&e, w);
        e.type = PS_EVENT_WORKER_START;
        e.t = ready.t + offset - self->t0;
        e.start_cost_ns = ready.t + offset - w->launched_at;
        if (self->remote != NULL)
          {
            PsRemoteHost *host = ps_remote_get_host (self->remote, w->host);

            e.host = host->host->name;
            e.clock_offset_ns = host->clock_offset_ns;
            e.clock_error_ns = host->clock_error_ns;
          }
        emit (self, &e);
        /* a remote one samples itself (SAMPLE frames) */
        if (!w->launched.remote)
          w->sampled = ps_sampled_new (w->pid, self->lean_proc, w->launched_at);
        return TRUE;
      }

    case PS_FRAME_TASK_START:
      {
        PsEvent e = { 0 };
        PsProtoTaskStart ts;
        gint64 t;

        if (!ps_proto_read_task_start (frame, &ts, NULL) ||
            !head_task (w, &head, &head_attempt) || head != ts.task || w->head_started)
          return protocol_error (w, "task-start out of order");
        t = ts.t + offset;
        w->head_started = TRUE;
        w->head_since = t;
        if (self->spec->timeout_s > 0)
          arm_deadline (self, t + (gint64) (self->spec->timeout_s * 1e9));
        fill_worker (&e, w);
        e.type = PS_EVENT_TASK_START;
        e.t = t - self->t0;
        e.task = ts.task;
        e.attempt = ts.attempt;
        fill_item (self, &e, ts.task);
        e.start = e.t;
        emit (self, &e);
        return TRUE;
      }

    case PS_FRAME_TASK_END:
      {
        PsProtoTaskEnd te;
        gboolean started;

        if (!ps_proto_read_task_end (frame, &te, NULL) ||
            !head_task (w, &head, &head_attempt) || head != te.task || te.attempt != head_attempt)
          return protocol_error (w, "task-end out of order");
        started = w->head_started;
        if (te.status == PS_TASK_CRASHED && self_program (w))
          w->told_crash = TRUE;
        pop_head (w);
        w->head_since = te.end + offset;
        if (self->lock != NULL)
          self->lock_releases++;
        finish_task (self, w, te.task, te.attempt, te.start + offset - self->t0, te.end + offset - self->t0,
                     te.cpu_ns, te.status, te.result_kind, te.result_int, te.result_text,
                     *te.message ? te.message : NULL, started);
        return TRUE;
      }

    case PS_FRAME_TASK_RUN:
      {
        PsProtoTaskRun run;
        gint64 t;

        if (!ps_proto_read_task_run (frame, &run, NULL))
          return protocol_error (w, "bad task-run frame");
        t = run.t + offset;
        for (guint32 k = 0; k < run.count; k++)
          {
            guint32 dur;
            gint64 result;

            ps_proto_task_run_next (&run, &dur, &result);
            if (!head_task (w, &head, &head_attempt) || head != run.first + k || run.attempt != head_attempt)
              return protocol_error (w, "task-run out of order");
            pop_head (w);
            finish_task (self, w, head, run.attempt, t - self->t0, t + dur - self->t0,
                         (gint64) (dur * run.share), PS_TASK_OK, PS_RESULT_INT, result, NULL, NULL, FALSE);
            t += dur;
          }
        w->head_since = t;
        return TRUE;
      }

    case PS_FRAME_TASK_CHILD:
      {
        PsProtoTaskChild child;

        if (!ps_proto_read_task_child (frame, &child, NULL) ||
            (child.task != G_MAXUINT64 && (!head_task (w, &head, &head_attempt) || head != child.task)))
          return protocol_error (w, "task-child out of order");
        /* a remote worker's program is its relay's to sample, and its pid means nothing here */
        if (w->launched.remote)
          return TRUE;
        /* a pid the engine would ever signal as a group: never init, the engine, its worker */
        if (child.pid <= 1 || (pid_t) child.pid == getpid () || (GPid) child.pid == w->pid)
          return protocol_error (w, "task-child names a process that is not its child");
        w->child_pid = (gint32) child.pid;
        w->child_task = child.task;
        w->child_cpu_ns = 0;
        w->child_cpu_at = mono_ns ();
        g_clear_pointer (&w->child_sampled, ps_sampled_free);
        return TRUE;
      }

    case PS_FRAME_OUTPUT:
      {
        PsEvent e = { 0 };
        PsProtoOutput out;

        if (!ps_proto_read_output (frame, &out, NULL))
          return protocol_error (w, "bad output frame");
        fill_worker (&e, w);
        e.type = PS_EVENT_OUTPUT;
        e.t = mono_ns () - self->t0;
        e.task = out.task;
        e.stream = out.stream == PS_STREAM_STDERR ? PS_STREAM_STDERR : PS_STREAM_STDOUT;
        e.text = out.text;
        emit (self, &e);
        return TRUE;
      }

    case PS_FRAME_SAMPLE:
      {
        PsEvent e = { 0 };
        PsProtoSample sample;

        if (!w->launched.remote || !ps_proto_read_sample (frame, &sample, NULL))
          return protocol_error (w, "bad sample frame");
        /* the relay samples from its start: nothing is told of a worker
         * before its worker-start (its pid there comes with READY) */
        if (!w->ready)
          return TRUE;
        fill_worker (&e, w);
        e.type = PS_EVENT_SAMPLE;
        e.t = sample.t + offset - self->t0;
        e.cpu_percent = sample.cpu_percent;
        e.rss = sample.rss;
        e.pss = sample.pss;
        e.uss = sample.uss;
        emit (self, &e);
        return TRUE;
      }

    case PS_FRAME_EXIT:
      {
        gint32 status;

        if (!w->launched.remote || !ps_proto_read_exit (frame, &status, NULL))
          return protocol_error (w, "bad exit frame");
        w->exit_told = TRUE;
        w->exit_status = status;
        return TRUE;
      }

    default:
      return protocol_error (w, "unexpected frame");
    }
}

/* Reads what the worker sent and acts on every whole frame. Returns
 * FALSE at end of file. */
static gboolean
read_worker (PsPool *self,
             Worker *w)
{
  gboolean eof = FALSE;

  /* A few reads at most, then the next worker's turn: one busy worker
   * must not be drained while the others' results wait (their lanes
   * would take turns). epoll comes back for what is left. */
  for (int rounds = 0; rounds < 2 && w->fd >= 0; rounds++)
    {
      gsize pos = 0;
      gssize n;

      if (w->in.cap - w->in.len < READ_CHUNK / 2)
        ps_buffer_grow (&w->in, READ_CHUNK);
      n = read (w->fd, w->in.data + w->in.len, w->in.cap - w->in.len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        break;
      if (n <= 0)
        {
          eof = TRUE;
          break;
        }
      w->in.len += n;
      if (w->sampled)
        ps_sampled_heard (w->sampled);

      for (;;)
        {
          PsFrame frame;
          gsize used;
          g_autoptr(GError) error = NULL;
          PsDecodeResult res = ps_frame_decode (w->in.data + pos, w->in.len - pos, &frame, &used, &error);

          if (res == PS_DECODE_NEED_MORE)
            break;
          if (res == PS_DECODE_ERROR)
            {
              protocol_error (w, error->message);
              w->in.len = pos = 0;
              break;
            }
          pos += used;
          if (!handle_frame (self, w, &frame))
            {
              w->in.len = pos = 0;
              break;
            }
        }
      ps_buffer_consume (&w->in, pos);
      if ((gsize) n < w->in.cap / 2)
        break;
    }
  flush_batch (self);
  return !eof;
}

static void
channel_ready (PsPool   *self,
               Worker   *w,
               guint32   events)
{
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
    {
      if (!read_worker (self, w))
        {
          /* The exit status, not the end of file, ends the worker: wait for it. */
          unwatch_channel (w);
          return;
        }
    }
  dispatch_all (self);
  if (events & EPOLLOUT)
    write_out (w);
  check_finished (self);
}

/* A worker whose launcher gave an exit_fd has exited: reap it. */
static void
exit_fd_ready (Worker *w)
{
  int status;

  epoll_ctl (w->pool->epfd, EPOLL_CTL_DEL, w->launched.exit_fd, NULL);
  if (!ps_launched_reap (&w->launched, &status))
    return;
  worker_on_exit (w, status);
}

static gboolean
epoll_cb (int          fd,
          GIOCondition cond,
          gpointer     data)
{
  PsPool *self = data;
  struct epoll_event events[64];
  int n;

  g_object_ref (self);
  n = epoll_wait (self->epfd, events, G_N_ELEMENTS (events), 0);
  for (int i = 0; i < n; i++)
    {
      guint64 key = events[i].data.u64;
      Worker *w;

      if (key / 2 >= self->workers->len)
        continue;
      w = g_ptr_array_index (self->workers, key / 2);
      if (key % 2 == 1)
        {
          if (w->launched.exit_fd >= 0)
            exit_fd_ready (w);
        }
      else if (!w->exited && w->fd >= 0 && w->registered)
        channel_ready (self, w, events[i].events);
    }
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

/* A worker whose launcher tells its exit by a call has exited. */
static void
launched_exit_cb (int      wait_status,
                  gpointer data)
{
  worker_on_exit (data, wait_status);
}

static const char *
signal_name (int sig)
{
  switch (sig)
    {
    case SIGSEGV: return "SIGSEGV";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGINT: return "SIGINT";
    default: return NULL;
    }
}

static char *
describe_exit (int status)
{
  if (WIFSIGNALED (status))
    {
      const char *name = signal_name (WTERMSIG (status));
      return name ? g_strdup_printf (_("killed by %s"), name)
                  : g_strdup_printf (_("killed by signal %d"), WTERMSIG (status));
    }
  return g_strdup_printf (_("exited with code %d"), WEXITSTATUS (status));
}

static gboolean
self_program (Worker *w)
{
  return w->pool->spec->workload.kind == PS_WORKLOAD_PROGRAM;
}

static void
worker_on_exit (Worker *w,
                int     status)
{
  PsPool *self = w->pool;
  PsEvent e = { 0 };
  gboolean link_lost;
  int launcher_status = status;
  guint host_failed = G_MAXUINT;
  gboolean leaves_pool = FALSE;
  /* its worker program's crash told as the end of the task it took down:
   * only then may the tasks behind it go back uncharged */
  gboolean handed_back;
  g_autofree char *why = NULL;
  gint64 now = mono_ns () - self->t0;
  guint64 task;
  guint32 attempt;

  /* Reaped already: nothing may signal its pid from here on (a handler
   * of the events read below may cancel the pool). */
  w->exited = TRUE;

  /* Whatever it wrote before it died is still in the socket. */
  if (w->fd >= 0)
    {
      int flags = fcntl (w->fd, F_GETFL);
      fcntl (w->fd, F_SETFL, flags | O_NONBLOCK);
      while (w->fd >= 0 && read_worker (self, w) && w->in.len < PS_FRAME_MAX_PAYLOAD)
        {
          char probe;
          if (recv (w->fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT) <= 0)
            break;
        }
      unwatch_channel (w);
      close (w->fd);
      w->fd = -1;
    }

  /* a remote worker: how it ended there, as its relay told (its last
   * frame, read just now); without that word its launcher ended first:
   * the link, or the host, went. Its task is told as crashed: it goes
   * back, and --retries applies. */
  link_lost = w->launched.remote && w->ready && !w->exit_told && w->kill_at == 0 && !self->cancelled;
  if (w->launched.remote && w->exit_told)
    status = w->exit_status;
  handed_back = self_program (w) && w->told_crash && WIFEXITED (status) &&
                WEXITSTATUS (status) == PS_WORKER_EXIT_HANDED_BACK;
  if (link_lost)
    {
      g_autofree char *how = describe_exit (launcher_status);
      PsRemoteHost *host = ps_remote_get_host (self->remote, w->host);

      why = g_strdup_printf (_("the connection to %s was lost (its launcher %s)"), host->host->name, how);
      /* a session of the host's one connection, and that connection has
       * ended too: the host is lost (else it was this session alone: a
       * crash, and a replacement there) */
      if (w->launched.shared_connection && host->up && !self->closing_all &&
          !ps_remote_is_connected (self->remote, w->host))
        {
          host->up = FALSE;
          host->lost = TRUE;
          g_free (host->failure);
          host->failure = g_strdup_printf (_("host %s: the connection was lost"), host->host->name);
          host_failed = w->host;
        }
    }
  else
    why = handed_back ? g_strdup (_("its worker program ended")) : describe_exit (status);

  self->n_live--;
  if (w->surplus)
    self->n_surplus--;
  if (self->remote != NULL)
    {
      PsRemoteHost *host = ps_remote_get_host (self->remote, w->host);

      host->live--;
      if (w->launched.shared_connection)
        host->sessions--;
      /* a worker there that could not even start: no more start there,
       * said once, rather than tried again and again (the ones running
       * there go on) */
      if (w->launched.remote && !w->ready && !self->cancelled && !w->dropped && host->up &&
          (w->start_late || ++host->start_failures >= REMOTE_START_TRIES))
        {
          g_autofree char *how = describe_exit (launcher_status);

          host->up = FALSE;
          g_free (host->failure);
          host->failure = w->start_late
                          ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "host %s: a worker did not start there within %d second",
                                                          "host %s: a worker did not start there within %d seconds",
                                                          REMOTE_READY_S),
                                             host->host->name, REMOTE_READY_S)
                          : g_strdup_printf (_("host %s: a worker could not start there (its launcher %s)"),
                                             host->host->name, how);
          host_failed = w->host;
        }
      /* a host that is down takes no replacement: the pool is smaller by
       * this worker, rather than crowding it onto the other hosts */
      if (!host->up && !w->surplus && !self->cancelled && !self->closing_all)
        leaves_pool = TRUE;
    }
  if (w->slot < self->slots->len)
    self->slots->data[w->slot] = 0;
  g_clear_pointer (&w->sampled, ps_sampled_free);
  /* A worker ends its programs' groups before it goes, unless it was
   * killed outright: then they are ended here. */
  if (w->child_pid > 0 && WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL)
    ps_proc_kill_group (w->child_pid);
  w->child_pid = 0;
  g_clear_pointer (&w->child_sampled, ps_sampled_free);

  /* A worker in a lock task ends itself on SIGTERM only once it holds
   * nothing (run_lock_task() in ps-worker.c); any other death in a lock
   * task it had begun may have taken the lock with it. */
  if (self->lock != NULL && w->head_started && head_task (w, &task, &attempt) &&
      !(WIFSIGNALED (status) && WTERMSIG (status) == SIGTERM))
    {
      self->lock_suspect = TRUE;
      self->lock_seen_taken = FALSE;
      self->lock_check_at = mono_ns ();
      arm_deadline (self, self->lock_check_at);
    }

  /* The running task dies with the worker; the ones queued behind it go
   * back to the queue. In a cancelled run only a task known to have
   * started gets a task-end (cancelled); the others never ran, and are
   * counted in run-end's cancelled_tasks like those never handed out. */
  if (head_task (w, &task, &attempt))
    {
      PsTaskStatus st = self->cancelled ? PS_TASK_CANCELLED
                        : w->kill_at != 0 ? w->kill_status : PS_TASK_CRASHED;
      const char *message = st == PS_TASK_TIMEOUT ? _("timed out") : why;
      gboolean started = w->head_started;
      gint64 since = w->head_since - self->t0;
      /* killed for a timeout whose task still ended in time (its task-end
       * was on the way): the task now at the head never had its turn */
      gboolean victim = !(st == PS_TASK_TIMEOUT && (task != w->kill_task || attempt != w->kill_attempt));

      /* its worker program crashed, and the worker told that task's end
       * itself (ps-worker-exec.c): the rest go back, none is charged */
      if (st == PS_TASK_CRASHED && handed_back)
        victim = FALSE;

      if (victim)
        pop_head (w);

      /* the rest, last first, so that the front of the queue keeps their
       * order; a retry of the dead one goes in front of them */
      for (guint i = w->chunks->len; i > w->chunk_head; i--)
        {
          Chunk *c = &g_array_index (w->chunks, Chunk, i - 1);
          guint32 skip = (i - 1 == w->chunk_head) ? w->head_done : 0;

          if (c->count > skip)
            push_front (self, c->first + skip, c->count - skip, c->attempt);
        }
      g_array_set_size (w->chunks, 0);
      w->chunk_head = w->head_done = 0;
      w->in_flight = 0;

      if (victim && (st != PS_TASK_CANCELLED || started))
        finish_task (self, w, task, attempt, MAX (since, 0), now, 0, st, PS_RESULT_NONE, 0, NULL,
                     st == PS_TASK_CANCELLED ? _("cancelled") : message, started);
    }

  fill_worker (&e, w);
  e.type = PS_EVENT_WORKER_EXIT;
  e.t = now;
  e.exit_code = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
  e.signal = WIFSIGNALED (status) ? WTERMSIG (status) : 0;
  e.message = (w->closing && WIFEXITED (status) && WEXITSTATUS (status) == 0) ? NULL : why;
  /* Stop and Ctrl+C end workers: that is not a crash; nor is the end of
   * one that was still starting when the run was over */
  e.stopped = self->cancelled || w->dropped;
  if (w->dropped)
    {
      e.message = NULL;
      e.signal = 0;
    }
  emit (self, &e);

  /* Cancelled runs drop the tasks that were handed back. */
  if (self->cancelled)
    g_queue_clear_full (&self->requeue, g_free);

  /* after its worker-exit: what the host's state means for the pool
   * (smaller first: the notice says the size it goes on with) */
  if (leaves_pool)
    shrink_for_host (self);
  if (host_failed != G_MAXUINT)
    host_gone (self, host_failed);

  /* The pool heals: a replacement takes the dead worker's place. */
  if (work_remains (self) && !self->closing_all && self->n_live - self->n_surplus < self->spec->workers)
    {
      g_autoptr(GError) error = NULL;

      if (!start_worker (self, &error))
        {
          g_autofree char *msg =
            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "cannot start a replacement worker (%s): the pool goes on with %u worker",
                                          "cannot start a replacement worker (%s): the pool goes on with %u workers",
                                          self->n_live),
                             error->message, self->n_live);
          if (self->n_live == 0)
            {
              g_free (self->failure);
              self->failure = g_strdup_printf (_("cannot start a replacement worker (%s): no worker is left"),
                                               error->message);
              ps_pool_cancel (self);
            }
          else
            notice (self, msg);
        }
    }

  dispatch_all (self);
  check_finished (self);
}

/* The lowest slot no live worker has: a replacement takes the place of
 * the worker it replaces, as GNU parallel's job slots. */
static guint32
take_slot (PsPool *self)
{
  guint32 slot;

  for (slot = 1; slot < self->slots->len; slot++)
    if (!self->slots->data[slot])
      break;
  if (slot >= self->slots->len)
    g_byte_array_set_size (self->slots, slot + 1);
  self->slots->data[slot] = 1;
  return slot;
}

/* The host a new worker goes to: of those up, the one with the fewest
 * workers for its slots (the first of equals). So N workers split over
 * the hosts by their slots (4/a,2/b and 3 workers: 2 on a, 1 on b), and
 * a replacement goes where one is missing. G_MAXUINT: none is left. */
static guint
pick_host (PsPool *self)
{
  guint best = G_MAXUINT;
  double best_load = 0;

  for (guint i = 0; i < ps_remote_get_n_hosts (self->remote); i++)
    {
      PsRemoteHost *h = ps_remote_get_host (self->remote, i);
      double load = (double) h->live / (double) MAX (h->slots, 1);

      if (h->up && (best == G_MAXUINT || load < best_load))
        {
          best = i;
          best_load = load;
        }
    }
  return best;
}

/* Why no host can take a worker: each one's reason. */
static char *
hosts_failure (PsPool *self)
{
  GString *why = g_string_new (_("no host can take workers"));

  for (guint i = 0; i < ps_remote_get_n_hosts (self->remote); i++)
    {
      PsRemoteHost *h = ps_remote_get_host (self->remote, i);

      if (h->failure)
        g_string_append_printf (why, "; %s", h->failure);
    }
  return g_string_free (why, FALSE);
}

static gboolean
start_worker (PsPool  *self,
              GError **error)
{
  Worker *w = g_new0 (Worker, 1);
  g_autofree char *spec = ps_workload_to_string (&self->spec->workload);
  PsRemoteHost *host = NULL;
  PsProtoSetup setup;
  gboolean ok;

  w->pool = self;
  w->host = G_MAXUINT;
  if (self->remote != NULL)
    {
      w->host = pick_host (self);
      if (w->host == G_MAXUINT)
        {
          g_autofree char *why = hosts_failure (self);

          g_set_error_literal (error, PS_ERROR, PS_ERROR_FAILED, why);
          g_free (w);
          return FALSE;
        }
      host = ps_remote_get_host (self->remote, w->host);
    }
  w->id = ++self->next_worker_id;
  w->slot = take_slot (self);
  /* on a host: its name first, as in host/ForkPoolWorker-3 */
  w->name = g_strdup_printf ("%s%s%sPoolWorker-%u", host ? host->host->name : "", host ? "/" : "",
                             ps_launcher_get_kind (self->launcher), w->id);
  w->fd = -1;
  w->launched.exit_fd = -1;
  w->chunks = g_array_new (FALSE, FALSE, sizeof (Chunk));
  ps_buffer_init (&w->in);
  ps_buffer_init (&w->out);
  w->launched_at = mono_ns ();

  if (host != NULL && !host->host->local)
    ok = ps_remote_start_worker (self->remote, w->host, launched_exit_cb, w, &w->launched, error);
  else
    ok = ps_launcher_start (self->launcher, w->name, launched_exit_cb, w, &w->launched, error);
  if (!ok)
    {
      self->slots->data[w->slot] = 0;
      worker_free (w);
      return FALSE;
    }
  if (host != NULL)
    host->live++;
  if (w->launched.shared_connection)
    host->sessions++;
  if (w->launched.remote)
    arm_deadline (self, w->launched_at + REMOTE_READY_S * G_GINT64_CONSTANT (1000000000));
  /* the channel is the pool's from here */
  w->pid = w->launched.pid;
  w->fd = w->launched.fd;
  w->launched.fd = -1;
  w->index = self->workers->len;
  g_ptr_array_add (self->workers, w);
  self->n_live++;

  if (w->launched.exit_fd >= 0)
    {
      struct epoll_event ev = { 0 };

      ev.events = EPOLLIN;
      ev.data.u64 = KEY_PIDFD (w);
      if (epoll_ctl (self->epfd, EPOLL_CTL_ADD, w->launched.exit_fd, &ev) < 0)
        {
          int saved = errno, status;

          /* without a way to notice its exit, the worker must not run */
          g_set_error (error, PS_ERROR, PS_ERROR_FAILED, _("cannot watch worker %d: %s"),
                       w->pid, g_strerror (saved));
          ps_launched_kill (&w->launched, SIGKILL);
          ps_launched_reap (&w->launched, &status);
          self->slots->data[w->slot] = 0;
          g_ptr_array_remove_index (self->workers, self->workers->len - 1);
          self->n_live--;
          if (host != NULL)
            host->live--;
          return FALSE;
        }
    }

  setup = (PsProtoSetup) { w->id, w->name, spec, self->spec->seed, self->lock_name, w->slot,
                           self->spec->output_flags, self->spec->output_limit };
  ps_proto_put_setup (&w->out, &setup);
  update_io_watch (w);
  return TRUE;
}

static gboolean
sample_cb (gpointer data)
{
  PsPool *self = data;
  gint64 now = mono_ns ();

  for (guint i = 0; i < self->workers->len; i++)
    {
      Worker *w = g_ptr_array_index (self->workers, i);
      PsProcSample s;
      PsEvent e = { 0 };

      if (w->exited || w->sampled == NULL || !ps_sampled_read (w->sampled, now, &s))
        continue;
      /* A command's or worker program's processes are the worker's work:
       * the CPU and resident memory of its whole tree (a shell's pipeline,
       * not the shell alone); the private memory of the process it started. */
      if (w->child_pid > 0)
        {
          PsProcSample cs;
          gint64 cpu_ns, rss;

          if (ps_proc_tree_read (w->child_pid, &cpu_ns, &rss))
            {
              if (now > w->child_cpu_at)
                s.cpu_percent += MAX (cpu_ns - w->child_cpu_ns, 0) * 100.0 / (double) (now - w->child_cpu_at);
              w->child_cpu_ns = cpu_ns;
              w->child_cpu_at = now;
              s.rss += rss;
            }
          if (w->child_sampled == NULL)
            w->child_sampled = ps_sampled_new (w->child_pid, self->lean_proc, now);
          ps_sampled_heard (w->child_sampled);
          /* private memory only when the program's is known too (it is read a
           * second into its life): else none, and the views show the RSS */
          if (!ps_sampled_read (w->child_sampled, now, &cs))
            cs.pss = cs.uss = -1;
          s.pss = s.pss >= 0 && cs.pss >= 0 ? s.pss + cs.pss : -1;
          s.uss = s.uss >= 0 && cs.uss >= 0 ? s.uss + cs.uss : -1;
        }
      fill_worker (&e, w);
      e.type = PS_EVENT_SAMPLE;
      e.t = now - self->t0;
      e.cpu_percent = s.cpu_percent;
      e.rss = s.rss;
      e.pss = s.pss;
      e.uss = s.uss;
      emit (self, &e);
    }
  return G_SOURCE_CONTINUE;
}

/* lock:OUT:IN: the one lock of the pool's workers. A named semaphore, so
 * that a spawned worker, a fresh process, opens it by the name SETUP gives
 * just as a forked one does. It lives as long as the pool: made before the
 * first worker starts, unlinked when the pool ends, however it ends
 * (lock_remove() from check_finished(), a failed start and dispose). Only
 * an engine killed outright leaves /dev/shm/sem.poolscope-PID-N behind. */
static gboolean
lock_create (PsPool  *self,
             GError **error)
{
  static gint serial;
  int saved = EEXIST;

  for (guint tries = 0; tries < 16; tries++)
    {
      g_autofree char *name = g_strdup_printf ("/poolscope-%d-%d", (int) getpid (),
                                               g_atomic_int_add (&serial, 1));
      sem_t *sem = sem_open (name, O_CREAT | O_EXCL, 0600, 1);

      if (sem != SEM_FAILED)
        {
          self->lock = sem;
          self->lock_name = g_steal_pointer (&name);
          return TRUE;
        }
      saved = errno;
      /* EEXIST: left by a killed engine that had our pid; never ours to
       * remove (another namespace may share /dev/shm): take the next */
      if (saved != EEXIST)
        break;
    }
  g_set_error (error, PS_ERROR, PS_ERROR_FAILED,
               _("cannot create the lock of the lock workload: %s"), g_strerror (saved));
  return FALSE;
}

static void
lock_remove (PsPool *self)
{
  if (self->lock == NULL)
    return;
  sem_unlink (self->lock_name);
  sem_close (self->lock);
  self->lock = NULL;
  g_clear_pointer (&self->lock_name, g_free);
  self->lock_suspect = FALSE;
}

/* A worker died in a lock task in a way that did not let it release the
 * lock (a SIGKILL not from us, the OOM killer): did it hold it? Nobody
 * can tell at once: a semaphore has no owner, and a value of 0 only says
 * that someone holds it, maybe a live worker (posting then would let two
 * in at a time for the rest of the run). But there is one lock, and a
 * live holder lets go within its IN ms. So, looking now and then:
 *
 * - free: the dead one did not hold it (once lost, it stays taken);
 * - taken at two looks 2 × IN + 1 s apart with no lock task ending in
 *   between (each one's task-end follows its release at once): no live
 *   worker holds it, the dead one took it along; post it once.
 *
 * Only a live holder stalled for over IN + 1 s could be mistaken for a
 * dead one. Nothing wakes the engine unless a worker died that way.
 *
 * Returns: %TRUE when it released the lock (the caller tells the user) */
static gboolean
check_lock (PsPool *self,
            gint64  now)
{
  int value = 0;

  if (sem_getvalue (self->lock, &value) == 0 && value > 0)
    {
      self->lock_suspect = FALSE;
      return FALSE;
    }
  if (self->lock_seen_taken && self->lock_releases == self->lock_releases_then)
    {
      sem_post (self->lock);
      self->lock_suspect = FALSE;
      return TRUE;
    }
  self->lock_seen_taken = TRUE;
  self->lock_releases_then = self->lock_releases;
  self->lock_check_at = now + 2 * (gint64) (self->spec->workload.in_ms * 1e6) + LOCK_LOST_NS;
  return FALSE;
}

/* Enforces --timeout, and the grace between SIGTERM and SIGKILL, at the
 * moment each falls due: one timer set to the earliest deadline, not a
 * poll (an idle engine is not woken at all). */
static gboolean
deadline_cb (gpointer data)
{
  PsPool *self = data;
  gint64 now = mono_ns ();
  gint64 limit = (gint64) (self->spec->timeout_s * 1e9);
  gint64 next = G_MAXINT64;
  gboolean lock_released = FALSE;

  g_source_set_ready_time (self->deadline_source, -1);
  for (guint i = 0; i < self->workers->len; i++)
    {
      Worker *w = g_ptr_array_index (self->workers, i);

      if (w->exited || w->pid <= 0)
        continue;
      /* a remote worker that does not say READY in time: a session that hangs */
      if (w->launched.remote && !w->ready && w->kill_at == 0)
        {
          gint64 due = w->launched_at + REMOTE_READY_S * G_GINT64_CONSTANT (1000000000);

          if (now >= due)
            {
              w->start_late = TRUE;
              w->kill_at = G_MAXINT64;
              worker_signal (w, SIGKILL);
            }
          else
            next = MIN (next, due);
          continue;
        }
      if (w->kill_at != 0 && w->kill_at != G_MAXINT64 && now >= w->kill_at)
        {
          worker_signal (w, SIGKILL);
          w->kill_at = G_MAXINT64;
        }
      else if (w->kill_at == 0 && limit > 0 && w->head_started && now >= w->head_since + limit &&
               head_task (w, &w->kill_task, &w->kill_attempt))
        {
          w->kill_status = PS_TASK_TIMEOUT;
          w->kill_at = now + KILL_GRACE_NS;
          worker_signal (w, SIGTERM);
        }

      if (w->kill_at != 0 && w->kill_at != G_MAXINT64)
        next = MIN (next, w->kill_at);
      else if (w->kill_at == 0 && limit > 0 && w->head_started)
        next = MIN (next, w->head_since + limit);
    }
  if (self->lock_suspect && now >= self->lock_check_at)
    lock_released = check_lock (self, now);
  if (self->lock_suspect)
    next = MIN (next, self->lock_check_at);
  if (next != G_MAXINT64)
    arm_deadline (self, next);
  /* last: a handler of the event may cancel the run */
  if (lock_released)
    notice (self, _("a worker died holding the lock of the lock workload: the pool released it"));
  return G_SOURCE_CONTINUE;
}

static gboolean
deadline_dispatch (GSource     *source,
                   GSourceFunc  callback,
                   gpointer     data)
{
  return callback (data);
}

static GSourceFuncs deadline_funcs = { NULL, NULL, deadline_dispatch, NULL, NULL, NULL };

/* Makes sure the deadline timer fires by @when (CLOCK_MONOTONIC ns). A
 * deadline that has moved later since only makes it fire early, and it
 * looks again. */
static void
arm_deadline (PsPool *self,
              gint64  when)
{
  gint64 ready, us = when / 1000 + 1;

  if (self->deadline_source == NULL)
    {
      self->deadline_source = g_source_new (&deadline_funcs, sizeof (GSource));
      g_source_set_static_name (self->deadline_source, "[poolscope] deadlines");
      g_source_set_callback (self->deadline_source, deadline_cb, self, NULL);
      g_source_set_ready_time (self->deadline_source, -1);
      g_source_attach (self->deadline_source, NULL);
    }
  ready = g_source_get_ready_time (self->deadline_source);
  if (ready == -1 || us < ready)
    g_source_set_ready_time (self->deadline_source, us);
}

static gboolean
any_in_flight (PsPool *self)
{
  for (guint i = 0; i < self->workers->len; i++)
    {
      Worker *w = g_ptr_array_index (self->workers, i);

      if (!w->exited && w->in_flight > 0)
        return TRUE;
    }
  return FALSE;
}

static void
check_finished (PsPool *self)
{
  PsEvent e = { 0 };

  if (self->finished || !self->started)
    return;

  if (!self->closing_all && (self->n_final == self->n_tasks || self->cancelled ||
                             (self->halting && !any_in_flight (self))))
    {
      self->closing_all = TRUE;
      for (guint i = 0; i < self->workers->len; i++)
        {
          Worker *w = g_ptr_array_index (self->workers, i);

          if (w->exited || w->closing)
            continue;
          /* a remote one that never said READY holds nothing: it goes now,
           * told as let go, not as a crash */
          if (w->launched.remote && !w->ready)
            {
              w->closing = TRUE;
              w->dropped = TRUE;
              w->kill_at = G_MAXINT64;
              worker_signal (w, SIGKILL);
              continue;
            }
          w->closing = TRUE;
          /* A replacement started a moment ago may still hold its SETUP:
           * send it, so that it says hello (worker-start) before it goes. */
          close_channel (w);
        }
    }

  if (self->n_live > 0 || !self->closing_all)
    return;

  self->finished = TRUE;
  g_clear_handle_id (&self->sample_source, g_source_remove);
  g_clear_handle_id (&self->ping_source, g_source_remove);
  /* every worker has gone: the hosts' connections go too */
  if (self->remote != NULL)
    ps_remote_close (self->remote);
  if (self->deadline_source)
    g_source_set_ready_time (self->deadline_source, -1);
  /* every worker has gone: nobody waits for the lock any more */
  lock_remove (self);

  e.type = PS_EVENT_RUN_END;
  e.t = mono_ns () - self->t0;
  e.n_tasks = self->n_tasks;
  e.workers = self->spec->workers;
  e.n_ok = self->n_ok;
  e.n_failed = self->n_failed;
  e.n_cancelled = self->n_tasks - self->n_ok - self->n_failed;
  e.cpu_total_ns = self->cpu_total_ns;
  e.cancelled = self->cancelled;
  e.message = self->failure;
  emit (self, &e);
}

/* Descriptors open in this process now. */
static guint
count_open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 16;
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* The pool asked for is the pool run: a soft descriptor limit below the
 * hard one is raised (as many servers do), and a pool that still cannot
 * have its descriptors is refused before it starts, naming the limit. */
static gboolean
check_descriptors (PsPool  *self,
                   GError **error)
{
  struct rlimit rl;
  guint64 base, need, need_lean;
  char hard[32];

  if (getrlimit (RLIMIT_NOFILE, &rl) < 0)
    return TRUE;
  base = count_open_fds () + FDS_RESERVE;
  need = base + (guint64) self->spec->workers * FDS_PER_WORKER;
  need_lean = base + (guint64) self->spec->workers * FDS_PER_WORKER_LEAN;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? MAX (need, 1024 * 1024) : MIN (rl.rlim_max, MAX (need, 1024 * 1024));
      setrlimit (RLIMIT_NOFILE, &rl);
      getrlimit (RLIMIT_NOFILE, &rl);
    }
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
    return TRUE;
  /* the sampler can do without kept descriptors; the pool cannot */
  self->lean_proc = TRUE;
  need = need_lean;
  if (rl.rlim_cur < need)
    {
      if (rl.rlim_max == RLIM_INFINITY)
        g_strlcpy (hard, "unlimited", sizeof hard);
      else
        g_snprintf (hard, sizeof hard, "%" G_GUINT64_FORMAT, (guint64) rl.rlim_max);
      g_set_error (error, PS_ERROR, PS_ERROR_FAILED,
                   g_dngettext (GETTEXT_PACKAGE,
                                "%u worker needs about %" G_GUINT64_FORMAT " open files, but the limit "
                                "is %" G_GUINT64_FORMAT " (ulimit -n; the hard limit is %s): raise it or "
                                "use fewer workers",
                                "%u workers need about %" G_GUINT64_FORMAT " open files, but the limit "
                                "is %" G_GUINT64_FORMAT " (ulimit -n; the hard limit is %s): raise it or "
                                "use fewer workers",
                                self->spec->workers),
                   self->spec->workers, need, (guint64) rl.rlim_cur, hard);
      return FALSE;
    }
  return TRUE;
}

/* The run itself: run-start, then its workers. */
static gboolean
begin_run (PsPool  *self,
           GError **error)
{
  PsEvent e = { 0 };
  g_autofree char *workload = NULL;
  g_autofree char *hosts_text = NULL;

  self->t0 = mono_ns ();

  workload = ps_workload_to_string (&self->spec->workload);
  e.type = PS_EVENT_RUN_START;
  e.t = 0;
  e.n_tasks = self->n_tasks;
  e.workers = self->spec->workers;
  e.cores = (guint32) sysconf (_SC_NPROCESSORS_ONLN);
  e.chunksize = self->chunksize;
  e.items = self->spec->items_spec;
  e.workload = workload;
  e.start_method = ps_start_method_to_string (self->spec->start);
  e.order = ps_order_to_string (self->spec->order);
  e.seed = self->spec->seed;
  /* t0 on the wall clock, for exports that speak in dates (a joblog) */
  e.epoch_ns = g_get_real_time () * 1000 - (mono_ns () - self->t0);
  /* the hosts it runs on, as their slots and names (not the words that reach them) */
  if (self->remote != NULL)
    {
      GString *hosts = g_string_new (NULL);

      for (guint i = 0; i < ps_remote_get_n_hosts (self->remote); i++)
        {
          PsRemoteHost *h = ps_remote_get_host (self->remote, i);

          if (h->up)
            g_string_append_printf (hosts, "%s%u/%s", hosts->len ? "," : "", h->slots, h->host->name);
        }
      hosts_text = g_string_free (hosts, FALSE);
      e.hosts = *hosts_text ? hosts_text : NULL;
    }
  emit (self, &e);
  /* a handler may have cancelled already (its reader gone): no workers */
  if (self->cancelled)
    {
      check_finished (self);
      return TRUE;
    }
  /* each host left out, said once, by name */
  for (guint i = 0; self->remote && i < ps_remote_get_n_hosts (self->remote); i++)
    {
      PsRemoteHost *h = ps_remote_get_host (self->remote, i);

      if (!h->up && h->failure)
        {
          g_autofree char *msg = g_strdup_printf (_("%s; the run goes on without it"), h->failure);
          notice (self, msg);
        }
    }
  /* a handler of those may have cancelled */
  if (self->cancelled || self->finished)
    {
      check_finished (self);
      return TRUE;
    }

  for (guint i = 0; i < self->spec->workers; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (!start_worker (self, &local_error) && self->n_live == 0)
        {
          PsEvent end = { 0 };
          g_autofree char *message = g_strdup_printf (_("The pool could not start: %s"), local_error->message);

          /* the log has a run-start: it gets its run-end */
          self->finished = TRUE;
          end.type = PS_EVENT_RUN_END;
          end.t = mono_ns () - self->t0;
          end.n_tasks = self->n_tasks;
          end.workers = self->spec->workers;
          end.n_cancelled = self->n_tasks;
          end.cancelled = TRUE;
          end.message = message;
          lock_remove (self);
          g_clear_handle_id (&self->sample_source, g_source_remove);
          if (self->remote != NULL)
            ps_remote_close (self->remote);
          emit (self, &end);
          g_set_error_literal (error, PS_ERROR, PS_ERROR_FAILED, message);
          return FALSE;
        }
      if (local_error != NULL)
        {
          /* Never a smaller pool than asked for, silently: the run ends
           * at once, and run-end says why. */
          self->failure = g_strdup_printf (_("only %u of %u workers could start: %s"),
                                           i, self->spec->workers, local_error->message);
          ps_pool_cancel (self);
          return TRUE;
        }
    }

  if (self->spec->sample_hz > 0)
    self->sample_source = g_timeout_add (MAX (1, (guint) (1000.0 / self->spec->sample_hz)),
                                         sample_cb, self);
  if (self->remote != NULL && ps_hosts_any_remote (self->spec->hosts))
    self->ping_source = g_timeout_add_seconds (PS_REMOTE_PING_S, ping_cb, self);

  dispatch_all (self);
  return TRUE;
}

/* A host is out of the run: lost (its workers are going), or no worker
 * can start there (the ones running there go on). Said once. */
static void
host_gone (PsPool *self,
           guint   index)
{
  PsRemoteHost *h = ps_remote_get_host (self->remote, index);
  g_autofree char *msg = NULL;

  if (self->cancelled || self->finished || self->closing_all)
    return;
  if (h->lost)
    {
      guint left = self->spec->workers > h->live ? self->spec->workers - h->live : 1;

      msg = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s; the pool goes on with %u worker",
                                          "%s; the pool goes on with %u workers", left), h->failure, left);
    }
  else
    msg = g_strdup_printf (_("%s; no more workers start there"), h->failure);
  notice (self, msg);
}

/* A worker of a host that is down has gone: the pool is one smaller (a
 * resize event says so); with no worker running and no host left, the
 * run ends, saying why. */
static void
shrink_for_host (PsPool *self)
{
  PsEvent e = { 0 };

  if (self->cancelled || self->finished || self->closing_all)
    return;
  if (pick_host (self) == G_MAXUINT && self->n_live == 0)
    {
      g_free (self->failure);
      self->failure = hosts_failure (self);
      ps_pool_cancel (self);
      return;
    }
  if (self->spec->workers <= 1)
    return;
  self->spec->workers--;
  e.type = PS_EVENT_RESIZE;
  e.t = mono_ns () - self->t0;
  e.workers = self->spec->workers;
  emit (self, &e);
}

static void
remote_lost (PsRemote *remote,
             guint     index,
             gpointer  data)
{
  PsPool *self = data;

  /* before the run: said with the other hosts' answers */
  if (self->connecting)
    return;
  host_gone (self, index);
}

/* Every few seconds, a word to each remote worker's relay: the link lives. */
static gboolean
ping_cb (gpointer data)
{
  PsPool *self = data;

  for (guint i = 0; i < self->workers->len; i++)
    {
      Worker *w = g_ptr_array_index (self->workers, i);

      if (w->launched.remote && !w->exited && w->fd >= 0 && !w->closing)
        {
          ps_proto_put_ping (&w->out);
          write_out (w);
        }
    }
  return G_SOURCE_CONTINUE;
}

/* Every host has answered: the pool has its size, and the run begins. */
static void
remote_ready (PsRemote *remote,
              gpointer  data)
{
  PsPool *self = data;
  guint slots = 0;

  self->connecting = FALSE;
  for (guint i = 0; i < ps_remote_get_n_hosts (remote); i++)
    {
      PsRemoteHost *h = ps_remote_get_host (remote, i);

      if (h->up)
        slots += h->slots;
    }
  if (slots == 0)
    {
      /* refused: run-start, then run-end saying each host's reason */
      self->failure = hosts_failure (self);
      self->cancelled = TRUE;
    }
  else if (!self->spec->workers_set)
    {
      /* as many as the hosts have slots */
      self->spec->workers = MIN (slots, PS_WORKERS_MAX);
      self->chunksize = ps_spec_get_chunksize (self->spec);
    }
  g_object_ref (self);
  begin_run (self, NULL);
  g_object_unref (self);
}

/**
 * ps_pool_start:
 *
 * Starts the workers and the run on the thread-default main context. The
 * run's events reach the event function; the last one is run-end.
 *
 * Returns: %FALSE with @error set when not even one worker could start
 */
gboolean
ps_pool_start (PsPool  *self,
               GError **error)
{
  g_return_val_if_fail (PS_IS_POOL (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  if (!check_descriptors (self, error))
    {
      g_prefix_error (error, _("The pool could not start: "));
      self->finished = TRUE;
      return FALSE;
    }

  if (self->spec->workload.kind == PS_WORKLOAD_LOCK && !lock_create (self, error))
    {
      g_prefix_error (error, _("The pool could not start: "));
      self->finished = TRUE;
      return FALSE;
    }

  self->started = TRUE;
  self->launcher = ps_launcher_new (self->spec->start, self->worker_command);
  self->t0 = mono_ns ();
  self->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (self->epfd < 0)
    {
      int saved = errno;
      g_set_error (error, PS_ERROR, PS_ERROR_FAILED, _("cannot create an epoll set: %s"),
                   g_strerror (saved));
      self->finished = TRUE;
      lock_remove (self);
      return FALSE;
    }
  self->epoll_source = g_unix_fd_add (self->epfd, G_IO_IN, epoll_cb, self);

  /* on hosts: the run begins once they have answered (remote_ready()) */
  if (self->spec->hosts != NULL)
    {
      self->remote = ps_remote_new (self->spec);
      self->connecting = TRUE;
      ps_remote_connect (self->remote, remote_ready, remote_lost, self);
      return TRUE;
    }
  return begin_run (self, error);
}

/**
 * ps_pool_resize:
 * @workers: the pool's new size, 1 to PS_WORKERS_MAX
 *
 * Grows or shrinks the pool while it runs: new workers start at once;
 * surplus ones (the newest) take no more work and leave when their chunks
 * are done, as a worker does that reached --max-tasks-per-child (their
 * worker-exit is an ordinary one, not a crash). A resize event says so.
 */
void
ps_pool_resize (PsPool *self,
                guint   workers)
{
  PsEvent e = { 0 };
  guint active;

  g_return_if_fail (PS_IS_POOL (self));
  g_return_if_fail (workers >= 1 && workers <= PS_WORKERS_MAX);

  if (self->cancelled || self->finished || self->closing_all || self->workers == NULL || self->connecting)
    return;
  /* the places taken: every live worker but those a shrink let go (one
   * that reached --max-tasks-per-child keeps its place for its successor) */
  active = self->n_live - self->n_surplus;
  /* the newest go first: the older ones have their lanes and their pace */
  for (guint i = self->workers->len; i > 0 && active > workers; i--)
    {
      Worker *w = g_ptr_array_index (self->workers, i - 1);

      if (!w->exited && !w->surplus)
        {
          w->retiring = TRUE;
          w->surplus = TRUE;
          self->n_surplus++;
          active--;
        }
    }
  while (active < workers && work_remains (self))
    {
      g_autoptr(GError) error = NULL;

      if (!start_worker (self, &error))
        {
          g_autofree char *msg =
            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "cannot grow the pool (%s): it goes on with %u worker",
                                          "cannot grow the pool (%s): it goes on with %u workers", active),
                             error->message, active);
          notice (self, msg);
          workers = active;
          break;
        }
      active++;
    }
  /* what the pool now is, not what was asked for */
  self->spec->workers = workers;
  e.type = PS_EVENT_RESIZE;
  e.t = mono_ns () - self->t0;
  e.workers = workers;
  emit (self, &e);
  dispatch_all (self);
  check_finished (self);
}

/**
 * ps_pool_cancel:
 *
 * Stops the run: workers are sent SIGTERM, then SIGKILL after a short
 * grace; their unfinished tasks end as cancelled. run-end follows once
 * every worker has gone.
 */
void
ps_pool_cancel (PsPool *self)
{
  gint64 now = mono_ns ();

  g_return_if_fail (PS_IS_POOL (self));
  if (self->cancelled || self->finished)
    return;
  self->cancelled = TRUE;
  /* the hosts are still answering: no worker has started; the run is
   * told as begun and stopped at once */
  if (self->connecting)
    {
      self->connecting = FALSE;
      g_clear_pointer (&self->remote, ps_remote_free);
      begin_run (self, NULL);
      return;
    }
  g_queue_clear_full (&self->requeue, g_free);
  self->next_task = self->n_tasks;

  for (guint i = 0; i < self->workers->len; i++)
    {
      Worker *w = g_ptr_array_index (self->workers, i);

      if (w->exited || w->pid <= 0)
        continue;
      /* a free worker is let go: it ends as it would at the end (a remote
       * one told with CLOSE, before it counts as being killed) */
      if (w->in_flight == 0 && w->fd >= 0 && !w->closing)
        close_channel (w);
      else
        worker_signal (w, SIGTERM);
      w->kill_status = PS_TASK_CANCELLED;
      w->kill_at = now + KILL_GRACE_NS;
    }
  /* SIGKILL follows the grace period. */
  arm_deadline (self, now + KILL_GRACE_NS);
  check_finished (self);
}
