/* ps-ipc-server.c: `poolscope-run --ipc`, the engine as the app sees it
 *
 * Frames on stdin and stdout (ps-frame.h). The engine speaks first with
 * HELLO (protocol version, its name, the CPU count); the client answers
 * HELLO with its version, then sends RUN (the options of `poolscope-run
 * run`, as strings) and may send CANCEL. Events go back as EVENT frames
 * (ordinary tasks as EVENT_TASKS), gathered and written within 20 ms or
 * at 64 KiB; a refused RUN gets an ERROR frame (code 2 and the message).
 * The end of stdin — the app has gone — cancels the run and ends the
 * engine. Standard output is the frame pipe alone: file descriptor 1 is
 * pointed at stderr, so that nothing printed (a GLib message, a library's
 * warning) can corrupt the stream. An engine with nothing to send has no
 * timer running.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-ipc-server"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "ps-ipc-proto.h"
#include "ps-ipc-server.h"
#include "ps-error.h"
#include "ps-frame.h"
#include "ps-log-writer.h"
#include "ps-pool.h"
#include "ps-task-batch.h"

#define FLUSH_MS    20
#define FLUSH_BYTES (64 * 1024)
#define MAX_BACKLOG (64u * 1024 * 1024)
#define PIPE_SIZE   (1024 * 1024)

typedef struct _Server Server;
static gboolean stdout_cb (int fd, GIOCondition condition, gpointer data);

struct _Server
{
  const char  *self_exe;
  GMainLoop   *loop;
  PsBuffer     in;
  PsBuffer     out;
  PsTaskBatcher batcher;     /* the task batch open at the end of out */
  gsize        out_done;     /* bytes of out already written */
  guint        out_id;       /* waits for stdout to take more */
  int          out_fd;       /* the frame pipe (the original stdout) */
  guint        flush_id;     /* sends what has gathered within FLUSH_MS */
  gboolean     greeted;
  gboolean     stdin_closed;
  PsPool      *pool;
  PsLogWriter *log;
  int          status;
  guint        stdin_id;
};

/* Writes what it can of @out without waiting: the pool never waits for the
 * app to read (a paint in the app must not show up as idle workers), up to
 * MAX_BACKLOG bytes queued here; past that, or with @block, it waits. */
static void
write_out (Server   *s,
           gboolean  block)
{
  ps_task_batcher_flush (&s->batcher, &s->out);
  /* whatever is written, the open batch frame is closed: its header may
   * be gone already */
  ps_task_batcher_reset (&s->batcher);

  while (s->out_done < s->out.len)
    {
      gssize n = write (s->out_fd, s->out.data + s->out_done, s->out.len - s->out_done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        {
          struct pollfd pfd = { s->out_fd, POLLOUT, 0 };

          if (!block && s->out.len - s->out_done <= MAX_BACKLOG)
            {
              if (s->out_id == 0)
                s->out_id = g_unix_fd_add (s->out_fd, G_IO_OUT | G_IO_ERR | G_IO_HUP, stdout_cb, s);
              break;
            }
          poll (&pfd, 1, -1);
          continue;
        }
      if (n <= 0)
        {
          /* The app has gone: nothing left to report to. */
          if (s->pool)
            ps_pool_cancel (s->pool);
          s->out.len = s->out_done = 0;
          s->stdin_closed = TRUE;
          return;
        }
      s->out_done += n;
    }
  if (s->out_done == s->out.len)
    {
      s->out.len = s->out_done = 0;
      g_clear_handle_id (&s->out_id, g_source_remove);
    }
  else if (s->out_done > s->out.len / 2)
    {
      /* the written half goes: amortised, the backlog is moved once */
      ps_buffer_consume (&s->out, s->out_done);
      s->out_done = 0;
    }
}

static void
flush_out (Server *s)
{
  write_out (s, FALSE);
}

static gboolean
stdout_cb (int          fd,
           GIOCondition condition,
           gpointer     data)
{
  Server *s = data;

  s->out_id = 0;
  write_out (s, FALSE);
  return G_SOURCE_REMOVE;
}

static void
send_error (Server     *s,
            guint32     code,
            const char *message)
{
  ps_task_batcher_flush (&s->batcher, &s->out);
  ps_task_batcher_reset (&s->batcher);
  ps_proto_put_error (&s->out, code, message);
  flush_out (s);
}

static void
clear_finished_pool (Server *s)
{
  if (s->pool != NULL && ps_pool_is_finished (s->pool))
    {
      g_clear_object (&s->pool);
      g_clear_pointer (&s->log, ps_log_writer_free);
    }
}

static gboolean
drop_pool (gpointer data)
{
  Server *s = data;

  /* a new run may have started since; only a finished pool goes */
  clear_finished_pool (s);
  if (s->stdin_closed)
    g_main_loop_quit (s->loop);
  return G_SOURCE_REMOVE;
}

static void
flush_if_full (Server *s)
{
  gsize pending = s->out.len - s->out_done;

  /* while stdout is full, its watch writes; past the backlog we wait */
  if (pending >= FLUSH_BYTES && (s->out_id == 0 || pending > MAX_BACKLOG))
    flush_out (s);
}

static gboolean flush_cb (gpointer data);

/* What is queued goes out within FLUSH_MS; nothing ticks while idle. */
static void
schedule_flush (Server *s)
{
  if (s->flush_id == 0)
    s->flush_id = g_timeout_add (FLUSH_MS, flush_cb, s);
}

static void
add_task_end (const PsEvent *e,
              gpointer       data)
{
  Server *s = data;

  ps_task_batcher_add (&s->batcher, e, &s->out);
}

static void
on_event (const PsEvent *e,
          gpointer       data)
{
  Server *s = data;

  if (s->log)
    ps_log_writer_add (s->log, e);
  if (e->type == PS_EVENT_TASKS)
    {
      /* ordinary tasks go straight into the open batch frame */
      for (guint32 i = 0; i < e->n_entries; i++)
        if (!ps_task_batcher_add_entry (&s->batcher, e->worker, e->pid, &e->tasks[i], &s->out))
          {
            PsEvent one = *e;

            one.tasks = &e->tasks[i];
            one.n_entries = 1;
            ps_event_foreach_task (&one, add_task_end, s);
          }
      schedule_flush (s);
      flush_if_full (s);
      return;
    }
  ps_task_batcher_add (&s->batcher, e, &s->out);
  schedule_flush (s);
  if (e->type == PS_EVENT_RUN_END)
    {
      if (s->log)
        ps_log_writer_flush (s->log, NULL);
      flush_out (s);
      g_idle_add (drop_pool, s);
    }
  else
    flush_if_full (s);
}

static void
start_run (Server        *s,
           const PsFrame *frame)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(PsSpec) spec = ps_spec_new ();
  g_autoptr(GError) error = NULL;

  if (!(args = ps_proto_read_run (frame, &error)))
    {
      send_error (s, 2, error->message);
      return;
    }
  /* The next RUN can arrive before the idle that drops the last pool. */
  clear_finished_pool (s);
  if (s->pool != NULL)
    {
      send_error (s, 2, _("a run is already going"));
      return;
    }
  if (!ps_spec_parse_args (spec, args->len, (char **) args->pdata, &error))
    {
      send_error (s, 2, error->message);
      return;
    }
  /* Standard input carries the client's frames: reading items from it
   * would swallow them and leave the engine deaf until the client goes. */
  if (g_strcmp0 (spec->items_spec, "-") == 0)
    {
      send_error (s, 2, _("--items: standard input carries the protocol in --ipc mode; use @FILE"));
      return;
    }
  if (!ps_spec_finish (spec, &error))
    {
      send_error (s, 2, error->message);
      return;
    }
  if (spec->log_path && !(s->log = ps_log_writer_new (spec->log_path, &error)))
    {
      send_error (s, 2, error->message);
      return;
    }

  s->pool = ps_pool_new (g_steal_pointer (&spec));
  ps_pool_set_worker_command (s->pool, s->self_exe);
  ps_pool_set_event_func (s->pool, on_event, s);
  if (!ps_pool_start (s->pool, &error))
    {
      send_error (s, 3, error->message);
      g_clear_object (&s->pool);
      g_clear_pointer (&s->log, ps_log_writer_free);
    }
}

static gboolean
handle_frame (Server        *s,
              const PsFrame *frame)
{
  if (!s->greeted)
    {
      PsProtoHello hello = { 0 };

      if (frame->type != PS_FRAME_HELLO)
        {
          send_error (s, 2, _("the client must say HELLO first"));
          return FALSE;
        }
      if (!ps_proto_read_hello (frame, FALSE, &hello, NULL) || hello.version != PS_PROTOCOL_VERSION)
        {
          g_autofree char *msg = g_strdup_printf (_("protocol version %u is not supported (this engine speaks %u)"),
                                                  hello.version, PS_PROTOCOL_VERSION);
          send_error (s, 2, msg);
          return FALSE;
        }
      s->greeted = TRUE;
      return TRUE;
    }

  switch (frame->type)
    {
    case PS_FRAME_RUN:
      start_run (s, frame);
      return TRUE;
    case PS_FRAME_CANCEL:
      if (s->pool)
        ps_pool_cancel (s->pool);
      return TRUE;
    case PS_FRAME_RESIZE:
      {
        g_autoptr(GError) error = NULL;
        guint32 workers;

        if (!ps_proto_read_resize (frame, &workers, &error))
          {
            send_error (s, 2, error->message);
            return FALSE;
          }
        /* between runs there is no pool to resize: the next run says its size */
        if (s->pool && !ps_pool_is_finished (s->pool))
          ps_pool_resize (s->pool, workers);
        return TRUE;
      }
    default:
      send_error (s, 2, _("unexpected frame from the client"));
      return FALSE;
    }
}

static void
stop_serving (Server *s)
{
  s->stdin_closed = TRUE;
  if (s->pool && !ps_pool_is_finished (s->pool))
    ps_pool_cancel (s->pool);
  else
    g_main_loop_quit (s->loop);
}

static gboolean
stdin_cb (int          fd,
          GIOCondition cond,
          gpointer     data)
{
  Server *s = data;
  gsize pos = 0;
  gssize n;

  ps_buffer_grow (&s->in, 65536);
  n = read (fd, s->in.data + s->in.len, s->in.cap - s->in.len);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      s->stdin_id = 0;
      stop_serving (s);
      return G_SOURCE_REMOVE;
    }
  s->in.len += n;

  for (;;)
    {
      PsFrame frame;
      gsize used;
      g_autoptr(GError) error = NULL;
      PsDecodeResult res = ps_frame_decode (s->in.data + pos, s->in.len - pos, &frame, &used, &error);

      if (res == PS_DECODE_NEED_MORE)
        break;
      if (res == PS_DECODE_ERROR)
        {
          send_error (s, 2, error->message);
          s->status = 2;
          s->stdin_id = 0;
          stop_serving (s);
          return G_SOURCE_REMOVE;
        }
      pos += used;
      if (!handle_frame (s, &frame))
        {
          s->status = 2;
          s->stdin_id = 0;
          stop_serving (s);
          return G_SOURCE_REMOVE;
        }
    }
  ps_buffer_consume (&s->in, pos);
  return G_SOURCE_CONTINUE;
}

static gboolean
flush_cb (gpointer data)
{
  Server *s = data;

  s->flush_id = 0;
  /* a held task-start goes out too: its task may run for long */
  if ((s->out.len > s->out_done && s->out_id == 0) || s->batcher.has_start)
    flush_out (s);
  return G_SOURCE_REMOVE;
}

static gboolean
on_term (gpointer data)
{
  stop_serving (data);
  return G_SOURCE_CONTINUE;
}

/**
 * ps_ipc_server_run:
 *
 * Returns: the exit status of `poolscope-run --ipc`
 */
int
ps_ipc_server_run (const char *self_exe)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Server s = { 0 };
  g_autofree char *name = g_strdup_printf ("poolscope-run %s", PACKAGE_VERSION);
  guint ids[3];

  /* the frames get a descriptor of their own; fd 1 becomes stderr */
  s.out_fd = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (s.out_fd < 0 || dup2 (STDERR_FILENO, STDOUT_FILENO) < 0)
    {
      fprintf (stderr, "poolscope-run: --ipc: cannot set up the frame pipe: %s\n", g_strerror (errno));
      return 3;
    }
  s.self_exe = self_exe;
  s.loop = loop;
  ps_buffer_init (&s.in);
  ps_buffer_init (&s.out);
  ps_task_batcher_reset (&s.batcher);
  s.batcher.has_start = FALSE;
  signal (SIGPIPE, SIG_IGN);
  fcntl (s.out_fd, F_SETFL, fcntl (s.out_fd, F_GETFL) | O_NONBLOCK);
#ifdef F_SETPIPE_SZ
  /* a pipe of 1 MiB (the most an unprivileged process gets by default)
   * rather than 64 KiB: while the app paints, the kernel holds what the
   * pool sends, instead of a backlog here that grows and moves */
  fcntl (s.out_fd, F_SETPIPE_SZ, PIPE_SIZE);
#endif

  ps_proto_put_hello (&s.out, name, TRUE, (guint32) sysconf (_SC_NPROCESSORS_ONLN));
  flush_out (&s);

  s.stdin_id = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, &s);
  ids[0] = 0;
  ids[1] = g_unix_signal_add (SIGTERM, on_term, &s);
  ids[2] = g_unix_signal_add (SIGINT, on_term, &s);
  g_main_loop_run (loop);

  write_out (&s, TRUE);
  g_clear_handle_id (&s.out_id, g_source_remove);
  g_clear_handle_id (&s.flush_id, g_source_remove);
  g_clear_object (&s.pool);
  g_clear_pointer (&s.log, ps_log_writer_free);
  g_clear_handle_id (&s.stdin_id, g_source_remove);
  for (guint i = 1; i < G_N_ELEMENTS (ids); i++)
    g_source_remove (ids[i]);
  ps_buffer_clear (&s.in);
  ps_buffer_clear (&s.out);
  close (s.out_fd);
  return s.status;
}
