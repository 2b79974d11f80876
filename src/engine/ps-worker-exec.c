/* ps-worker-exec.c: tasks that are other programs' work
 *
 * A command (command:WORDS, shell:SCRIPT) runs once per task; a worker
 * program (program:WORDS) is started once per worker and fed its tasks
 * on stdin, an item a line, answering a line each (docs/worker-protocol.md).
 *
 * Programs are started with posix_spawn(), which glibc does with
 * clone(CLONE_VM | CLONE_VFORK): nothing of the worker's memory is copied,
 * however large the engine it was forked from. Each gets its own process
 * group, /dev/null (a command) or a pipe (a worker program) for stdin,
 * pipes for stdout and stderr, and no other descriptor of ours: the
 * channels to the engine and the app stay ours. Signals the worker
 * ignores or blocks go back to their defaults.
 *
 * SIGTERM, how the engine ends a worker (a timeout, Stop), is blocked in
 * such a worker for its whole life and read from a signalfd: the worker
 * then ends the program's whole group — SIGTERM, a grace, SIGKILL — and
 * only then dies by the SIGTERM itself, so that no grandchild outlives
 * its task. When a command ends by itself, what it left running in its
 * group is killed (SIGKILL) before its output is read to the end.
 *
 * Output is kept per task up to the output limit; beyond it, bytes are
 * counted and said in a last line of the task's stderr.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-worker"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ps-event.h"
#include "ps-format.h"
#include "ps-spec.h"
#include "ps-worker-private.h"
#include "ps-worker-proto.h"

extern char **environ;

/* how long a program's group has to end after SIGTERM: the engine's
 * SIGKILL of the worker follows its SIGTERM 500 ms later */
#define GROUP_GRACE_MS   200
/* an output line longer than this goes in pieces */
#define LINE_PIECE       (1024 * 1024)
#define READ_BYTES       (64 * 1024)
/* a worker program's task not answered within this is told as started */
#define ANNOUNCE_NS      PS_WORKER_FLUSH_NS

/* ------------------------------------------------------------------ */
/* Text                                                                */

/* Appends @len bytes of @text as valid UTF-8 without NULs: an invalid
 * byte or a NUL becomes U+FFFD. */
static void
put_valid (PsBuffer   *b,
           const char *text,
           gsize       len)
{
  while (len > 0)
    {
      const char *end;

      if (g_utf8_validate_len (text, len, &end))
        {
          ps_buffer_put (b, text, len);
          return;
        }
      ps_buffer_put (b, text, end - text);
      ps_buffer_put (b, "\xef\xbf\xbd", 3);
      len -= (end - text) + 1;
      text = end + 1;
    }
}

/* One OUTPUT frame a line, in pieces of LINE_PIECE at most. */
static void
emit_line (PsWorker   *w,
           guint64     task,
           guint8      stream,
           const char *tag,
           gsize       tag_len,
           const char *text,
           gsize       len)
{
  static PsBuffer scratch;

  do
    {
      gsize piece = MIN (len, LINE_PIECE);
      gsize f;

      /* a piece ends between characters, not inside one */
      while (piece < len && piece > LINE_PIECE - 4 && ((guchar) text[piece] & 0xc0) == 0x80)
        piece--;

      scratch.len = 0;
      if (tag != NULL)
        {
          gsize at = scratch.len;

          put_valid (&scratch, tag, tag_len);
          /* a tag is one line's start: an item's line breaks become spaces */
          for (gsize i = at; i < scratch.len; i++)
            if (scratch.data[i] == '\n' || scratch.data[i] == '\r')
              scratch.data[i] = ' ';
          ps_buffer_put_u8 (&scratch, '\t');
        }
      put_valid (&scratch, text, piece);
      f = ps_proto_begin_output (&w->out, task, stream, scratch.len);
      ps_buffer_put (&w->out, scratch.data, scratch.len);
      ps_proto_end_output (&w->out, f);
      text += piece;
      len -= piece;
      if (w->out.len > PS_WORKER_FLUSH_BYTES)
        ps_worker_flush (w);
    }
  while (len > 0);
}

/* Emits every whole line of @b (all of it, a last partial line too, when
 * @all) and keeps the rest. */
static void
emit_lines (PsWorker   *w,
            guint64     task,
            guint8      stream,
            const char *tag,
            gsize       tag_len,
            PsBuffer   *b,
            gboolean    all)
{
  gsize pos = 0;

  if (b->len == 0)
    return;
  for (;;)
    {
      const char *start = (const char *) b->data + pos;
      const char *nl = memchr (start, '\n', b->len - pos);

      if (nl == NULL)
        break;
      emit_line (w, task, stream, tag, tag_len, start, nl - start);
      pos = nl - (const char *) b->data + 1;
    }
  if (all || b->len - pos >= LINE_PIECE)
    {
      if (b->len > pos)
        emit_line (w, task, stream, tag, tag_len, (const char *) b->data + pos, b->len - pos);
      pos = b->len;
    }
  ps_buffer_consume (b, pos);
}

/* A message cut by snprintf() may end inside a character: it ends
 * before it instead (frames carry valid UTF-8 only). */
static char *
valid_text (char *text)
{
  const char *end;

  if (!g_utf8_validate (text, -1, &end))
    *(char *) end = '\0';
  return text;
}

static const char *
signal_name (int sig)
{
  switch (sig)
    {
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGINT: return "SIGINT";
    case SIGPIPE: return "SIGPIPE";
    case SIGHUP: return "SIGHUP";
    case SIGQUIT: return "SIGQUIT";
    default: return NULL;
    }
}

static void
describe_signal (char *buf,
                 gsize size,
                 int   sig)
{
  const char *name = signal_name (sig);

  if (name)
    snprintf (buf, size, "killed by %s", name);
  else
    snprintf (buf, size, "killed by signal %d", sig);
}

/* ------------------------------------------------------------------ */
/* Starting and ending programs                                        */

static int
open_pidfd (pid_t pid)
{
#ifdef SYS_pidfd_open
  return (int) syscall (SYS_pidfd_open, pid, 0);
#else
  errno = ENOSYS;
  return -1;
#endif
}

static void
set_env (PsWorker *w,
         guint64   seq)
{
  static char task_env[48], slot_env[32], worker_env[96];
  guint n = w->n_env;

  if (seq > 0)
    {
      snprintf (task_env, sizeof task_env, "POOLSCOPE_TASK=%" G_GUINT64_FORMAT, seq);
      w->envp[n++] = task_env;
    }
  snprintf (slot_env, sizeof slot_env, "POOLSCOPE_SLOT=%u", w->slot);
  w->envp[n++] = slot_env;
  snprintf (worker_env, sizeof worker_env, "POOLSCOPE_WORKER=%s", w->name);
  w->envp[n++] = worker_env;
  w->envp[n] = NULL;
}

/* Starts @argv (@path, when it is found already; else argv[0] looked
 * for in PATH) in a group of its own. Returns 0 or an errno. */
static int
spawn_child (PsWorker   *w,
             const char *path,
             char      **argv,
             gboolean    with_stdin,
             guint64     seq,
             PsChild    *c)
{
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t none, defaults;
  int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
  int rc;

  memset (c, 0, sizeof *c);
  c->pidfd = c->in_fd = c->out_fd = c->err_fd = c->stat_fd = -1;
  if ((with_stdin && pipe2 (in, O_CLOEXEC) < 0) || pipe2 (out, O_CLOEXEC) < 0 ||
      pipe2 (err, O_CLOEXEC) < 0)
    {
      rc = errno;
      for (int i = 0; i < 2; i++)
        {
          if (in[i] >= 0) close (in[i]);
          if (out[i] >= 0) close (out[i]);
          if (err[i] >= 0) close (err[i]);
        }
      return rc;
    }

  posix_spawn_file_actions_init (&fa);
  if (with_stdin)
    posix_spawn_file_actions_adddup2 (&fa, in[0], STDIN_FILENO);
  else
    posix_spawn_file_actions_addopen (&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2 (&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2 (&fa, err[1], STDERR_FILENO);
  posix_spawn_file_actions_addclosefrom_np (&fa, 3);

  posix_spawnattr_init (&attr);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup (&attr, 0);
  sigemptyset (&none);
  posix_spawnattr_setsigmask (&attr, &none);
  sigemptyset (&defaults);
  sigaddset (&defaults, SIGINT);
  sigaddset (&defaults, SIGPIPE);
  sigaddset (&defaults, SIGTERM);
  sigaddset (&defaults, SIGQUIT);
  sigaddset (&defaults, SIGHUP);
  sigaddset (&defaults, SIGCHLD);
  posix_spawnattr_setsigdefault (&attr, &defaults);

  set_env (w, seq);
  if (path != NULL || strchr (argv[0], '/'))
    rc = posix_spawn (&c->pid, path ? path : argv[0], &fa, &attr, argv, w->envp);
  else
    rc = posix_spawnp (&c->pid, argv[0], &fa, &attr, argv, w->envp);
  posix_spawn_file_actions_destroy (&fa);
  posix_spawnattr_destroy (&attr);

  if (with_stdin)
    close (in[0]);
  close (out[1]);
  close (err[1]);
  if (rc != 0)
    {
      if (with_stdin)
        close (in[1]);
      close (out[0]);
      close (err[0]);
      c->pid = 0;
      return rc;
    }
  ps_worker_child_group = c->pid;
  c->in_fd = in[1];
  c->out_fd = out[0];
  c->err_fd = err[0];
  fcntl (c->out_fd, F_SETFL, O_NONBLOCK);
  fcntl (c->err_fd, F_SETFL, O_NONBLOCK);
  if (c->in_fd >= 0)
    fcntl (c->in_fd, F_SETFL, O_NONBLOCK);
  c->pidfd = open_pidfd (c->pid);
  return 0;
}

/* Waits up to @ms for @c's leader to exit (not reaping it); -1: for ever. */
static gboolean
wait_exit (PsChild *c,
           int      ms)
{
  if (c->pidfd >= 0)
    {
      struct pollfd p = { c->pidfd, POLLIN, 0 };
      int n;

      do
        n = poll (&p, 1, ms);
      while (n < 0 && errno == EINTR);
      return n > 0;
    }
  /* no pidfd: look every 5 ms */
  for (int waited = 0; ms < 0 || waited <= ms; waited += 5)
    {
      siginfo_t info = { 0 };

      if (waitid (P_PID, c->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == c->pid)
        return TRUE;
      g_usleep (5000);
    }
  return FALSE;
}

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* Reaps the leader; its group must have been dealt with. */
static int
reap_child (PsChild       *c,
            struct rusage *ru)
{
  int status = 0;

  while (wait4 (c->pid, &status, 0, ru) < 0 && errno == EINTR)
    ;
  close_fd (&c->pidfd);
  if (ps_worker_child_group == c->pid)
    ps_worker_child_group = 0;
  c->pid = 0;
  return status;
}

/* Ends @c's whole group: SIGTERM, up to GROUP_GRACE_MS for the leader to
 * go, then SIGKILL for whatever is left; the leader is reaped. While it
 * is not reaped its pid, and so its group's id, cannot be taken by
 * another process. */
static int
end_group (PsChild       *c,
           struct rusage *ru)
{
  if (c->pid <= 0)
    return 0;
  kill (-c->pid, SIGTERM);
  kill (-c->pid, SIGCONT);
  wait_exit (c, GROUP_GRACE_MS);
  kill (-c->pid, SIGKILL);
  return reap_child (c, ru);
}

static void
close_child (PsChild *c)
{
  close_fd (&c->in_fd);
  close_fd (&c->out_fd);
  close_fd (&c->err_fd);
  close_fd (&c->stat_fd);
  close_fd (&c->pidfd);
}

/* ------------------------------------------------------------------ */
/* A command per task                                                  */

typedef struct
{
  guint64     task;
  const char *tag;
  gsize       tag_len;
  PsBuffer    text[3];     /* by stream: held text (grouped) or a partial line */
  guint64     kept;
  guint64     dropped;
} Output;

static void
take_output (PsWorker   *w,
             Output     *o,
             guint8      stream,
             const char *data,
             gsize       len)
{
  gboolean to_result = stream == PS_STREAM_STDOUT && (w->flags & PS_OUTPUT_RESULT_STDOUT);
  gsize room = w->output_limit == 0 ? len : (gsize) MIN ((guint64) len, w->output_limit - MIN (o->kept, w->output_limit));

  if (room < len)
    o->dropped += len - room;
  if (room == 0)
    return;
  o->kept += room;
  ps_buffer_put (&o->text[stream], data, room);
  if ((w->flags & PS_OUTPUT_LINE_BUFFER) && !to_result)
    emit_lines (w, o->task, stream, o->tag, o->tag_len, &o->text[stream], FALSE);
}

/* Reads what @fd has now. FALSE at its end. */
static gboolean
read_output (PsWorker *w,
             Output   *o,
             guint8    stream,
             int       fd)
{
  char buf[READ_BYTES];

  for (int rounds = 0; rounds < 16; rounds++)
    {
      gssize n = read (fd, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errno == EAGAIN;
      if (n == 0)
        return FALSE;
      take_output (w, o, stream, buf, n);
      if ((gsize) n < sizeof buf)
        break;
    }
  return TRUE;
}

static void
finish_output (PsWorker *w,
               Output   *o)
{
  gboolean result_stdout = (w->flags & PS_OUTPUT_RESULT_STDOUT) != 0;

  if (!result_stdout)
    emit_lines (w, o->task, PS_STREAM_STDOUT, o->tag, o->tag_len, &o->text[PS_STREAM_STDOUT], TRUE);
  emit_lines (w, o->task, PS_STREAM_STDERR, o->tag, o->tag_len, &o->text[PS_STREAM_STDERR], TRUE);
  if (o->dropped > 0)
    {
      char line[160];
      char size[PS_FORMAT_BUF_SIZE];
      int n;

      ps_format_count_buf (o->dropped, size, sizeof size);
      n = snprintf (line, sizeof line,
                    "poolscope: %s more bytes of output were not kept (the output limit is %" G_GUINT64_FORMAT
                    " bytes a task)", size, w->output_limit);
      emit_line (w, o->task, PS_STREAM_STDERR, NULL, 0, line, MIN ((gsize) n, sizeof line - 1));
    }
}

static void
clear_output (Output *o)
{
  for (int i = 0; i < 3; i++)
    ps_buffer_clear (&o->text[i]);
}

/* The worker was told to end (SIGTERM) or the engine has gone: the
 * command's group goes first, then the worker, with what it printed. */
G_GNUC_NORETURN static void
abandon (PsWorker *w,
         PsChild  *c,
         Output   *o,
         gboolean  engine_gone)
{
  struct rusage ru;

  if (engine_gone)
    {
      kill (-c->pid, SIGKILL);
      reap_child (c, &ru);
      _exit (0);
    }
  end_group (c, &ru);
  if (o != NULL)
    {
      read_output (w, o, PS_STREAM_STDOUT, c->out_fd);
      read_output (w, o, PS_STREAM_STDERR, c->err_fd);
      finish_output (w, o);
    }
  ps_worker_flush (w);
  ps_worker_die_by_signal (SIGTERM);
}

static gboolean
term_pending (PsWorker *w)
{
  struct signalfd_siginfo si;

  return read (w->term_fd, &si, sizeof si) == sizeof si;
}

void
ps_worker_run_command (PsWorker   *w,
                       guint64     task,
                       guint32     attempt,
                       const char *item,
                       gsize       item_len)
{
  g_autofree char *item_z = g_strndup (item, item_len);
  g_auto(GStrv) argv = ps_command_expand (w->command, item_z, task + 1, w->slot);
  PsProtoTaskEnd e;
  PsChild c;
  Output o = { 0 };
  struct rusage ru = { 0 };
  gint64 start, end;
  int rc, status;
  char message[256] = "";
  gboolean exited = FALSE;

  start = ps_worker_now_ns (CLOCK_MONOTONIC);
  ps_proto_put_task_start (&w->out, task, attempt, start);
  rc = spawn_child (w, w->command_path, argv, FALSE, task + 1, &c);
  if (rc != 0)
    {
      end = ps_worker_now_ns (CLOCK_MONOTONIC);
      snprintf (message, sizeof message, "cannot run “%s”: %s", argv[0], g_strerror (rc));
      e = (PsProtoTaskEnd) { task, attempt, start, end, 0, PS_TASK_ERROR, PS_RESULT_NONE, 0, NULL, 0,
                             valid_text (message) };
      ps_proto_put_task_end (&w->out, &e);
      return;
    }
  /* told with the next flush, within a flush period: commands that end
   * sooner go to the engine many at a time */
  ps_proto_put_task_child (&w->out, task, (guint32) c.pid);

  o.task = task;
  if (w->flags & PS_OUTPUT_TAG)
    {
      o.tag = item;
      o.tag_len = item_len;
    }

  while (!exited)
    {
      struct pollfd p[5];
      int n = 0, timeout = -1, got;

      p[n++] = (struct pollfd) { w->term_fd, POLLIN, 0 };
      p[n++] = (struct pollfd) { w->fd, POLLRDHUP, 0 };
      p[n++] = (struct pollfd) { c.pidfd, c.pidfd >= 0 ? POLLIN : 0, 0 };
      p[n++] = (struct pollfd) { c.out_fd, POLLIN, 0 };
      p[n++] = (struct pollfd) { c.err_fd, POLLIN, 0 };
      if (c.pidfd < 0)
        timeout = 5;
      /* line-buffered output goes out within a flush period */
      if (w->out.len > 0)
        {
          gint64 left = w->last_flush + PS_WORKER_FLUSH_NS - ps_worker_now_ns (CLOCK_MONOTONIC);

          if (left <= 0)
            {
              ps_worker_flush (w);
              continue;
            }
          timeout = timeout < 0 ? (int) (left / 1000000) + 1 : MIN (timeout, (int) (left / 1000000) + 1);
        }
      got = poll (p, n, timeout);
      if (got < 0 && errno != EINTR)
        ps_worker_die ("cannot wait for a command");
      if (got <= 0)
        {
          if (c.pidfd < 0 && wait_exit (&c, 0))
            exited = TRUE;
          continue;
        }
      if ((p[0].revents & POLLIN) && term_pending (w))
        abandon (w, &c, &o, FALSE);
      if (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR))
        abandon (w, &c, &o, TRUE);
      if (p[3].revents && !read_output (w, &o, PS_STREAM_STDOUT, c.out_fd))
        close_fd (&c.out_fd);
      if (p[4].revents && !read_output (w, &o, PS_STREAM_STDERR, c.err_fd))
        close_fd (&c.err_fd);
      if (p[2].revents)
        exited = TRUE;
    }

  /* What it left running goes; what was printed before is read to its
   * end (the writers are gone: a read finds the end or nothing). */
  kill (-c.pid, SIGKILL);
  if (c.out_fd >= 0)
    read_output (w, &o, PS_STREAM_STDOUT, c.out_fd);
  if (c.err_fd >= 0)
    read_output (w, &o, PS_STREAM_STDERR, c.err_fd);
  status = reap_child (&c, &ru);
  end = ps_worker_now_ns (CLOCK_MONOTONIC);
  close_child (&c);

  finish_output (w, &o);
  e = (PsProtoTaskEnd) { task, attempt, start, end,
                         (gint64) ru.ru_utime.tv_sec * 1000000000 + ru.ru_utime.tv_usec * 1000 +
                         (gint64) ru.ru_stime.tv_sec * 1000000000 + ru.ru_stime.tv_usec * 1000,
                         PS_TASK_OK, PS_RESULT_INT, 0, NULL, 0, message };
  if (WIFSIGNALED (status))
    {
      e.status = PS_TASK_CRASHED;
      e.result_kind = PS_RESULT_NONE;
      describe_signal (message, sizeof message, WTERMSIG (status));
    }
  else if (WEXITSTATUS (status) != 0)
    {
      e.status = PS_TASK_ERROR;
      e.result_int = WEXITSTATUS (status);
      snprintf (message, sizeof message, "exit status %d", WEXITSTATUS (status));
    }
  else if (w->flags & PS_OUTPUT_RESULT_STDOUT)
    {
      PsBuffer *text = &o.text[PS_STREAM_STDOUT];
      static PsBuffer valid;

      /* the result is its stdout, without the one newline that ends it */
      if (text->len > 0 && text->data[text->len - 1] == '\n')
        text->len--;
      valid.len = 0;
      put_valid (&valid, (const char *) text->data, text->len);
      e.result_kind = PS_RESULT_TEXT;
      e.result_text = valid.len ? (const char *) valid.data : "";
      e.result_len = valid.len;
    }
  ps_proto_put_task_end (&w->out, &e);
  clear_output (&o);
  /* a failure is news: --halt must hear of it before the next task ends */
  if (e.status != PS_TASK_OK)
    ps_worker_flush (w);
}

/* ------------------------------------------------------------------ */
/* A worker program                                                    */

typedef struct
{
  guint64 task;
  guint32 attempt;
  gint64  queued;
  gboolean announced;
} Asked;

struct _PsWorkerProgram
{
  PsChild   c;
  char     *name;         /* its argv[0], for messages */
  gboolean  json;
  PsBuffer  to_write;     /* items not yet taken by its stdin */
  PsBuffer  answers;      /* a partial line of stdout */
  PsBuffer  errors;       /* a partial line of stderr */
  Asked    *asked;        /* items given, not answered: a queue */
  gsize     asked_head;
  gsize     asked_len;
  gsize     asked_cap;
  gint64    last_end;
  gint64    cpu_at;       /* its CPU time, as last read */
  gint64    cpu_read_at;
  double    share;        /* of its wall time on a CPU, lately */
  guint64   err_kept;     /* stderr bytes kept for the task now at the head */
  guint64   err_dropped;
  char     *broken;       /* why it cannot go on; said with the next task */
  gboolean  protocol_error; /* broken by what it wrote, not by its end */
  int       exit_status;  /* how it ended, once broken by its end */
  gboolean  ended;
  gboolean  finishing;    /* its stdin closed by the worker: it is to end */
  guint64   last_task;    /* the last answered: stderr with no task at the head goes there */
  gboolean  any_task;     /* one was answered: before, stderr waits for the first task */
};

static gint64
program_cpu_ns (PsWorkerProgram *p)
{
  char buf[96];
  gssize n;

  if (p->c.stat_fd < 0)
    return -1;
  n = pread (p->c.stat_fd, buf, sizeof buf - 1, 0);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  return g_ascii_strtoll (buf, NULL, 10);
}

/* The program is gone, or must go: remember why, for the next task. */
static void
program_broken (PsWorker   *w,
                const char *why)
{
  PsWorkerProgram *p = w->program;
  struct rusage ru;

  if (p->broken == NULL)
    {
      p->broken = valid_text (g_strdup (why));
      p->protocol_error = !p->ended;
    }
  if (p->c.pid > 0)
    {
      if (!p->ended)
        p->exit_status = end_group (&p->c, &ru);
      else
        {
          kill (-p->c.pid, SIGKILL);
          p->exit_status = reap_child (&p->c, &ru);
        }
    }
  p->ended = TRUE;
  close_child (&p->c);
}

/* Says why the program cannot serve, as the end of the task at the head
 * (crashed), and ends the worker with PS_WORKER_EXIT_HANDED_BACK: the
 * engine puts the tasks it held behind that one back in the queue, and
 * starts another worker. */
G_GNUC_NORETURN static void
program_fail (PsWorker *w)
{
  PsWorkerProgram *p = w->program;
  char message[512];
  Asked *a = &p->asked[p->asked_head];
  gint64 now = ps_worker_now_ns (CLOCK_MONOTONIC);
  PsProtoTaskEnd e;

  g_assert (p->asked_len > 0);
  snprintf (message, sizeof message, "the worker program “%s” %s", p->name, p->broken);
  e = (PsProtoTaskEnd) { a->task, a->attempt, MAX (a->queued, p->last_end), now, 0, PS_TASK_CRASHED,
                         PS_RESULT_NONE, 0, NULL, 0, valid_text (message) };
  ps_proto_put_task_end (&w->out, &e);
  ps_worker_flush (w);
  _exit (PS_WORKER_EXIT_HANDED_BACK);
}

static void
program_ended (PsWorker *w)
{
  PsWorkerProgram *p = w->program;
  char why[128];
  struct rusage ru;
  int status;

  /* its stdout closed: it may take a moment more to exit */
  if (!wait_exit (&p->c, 1000))
    {
      program_broken (w, "closed its standard output without exiting");
      return;
    }
  kill (-p->c.pid, SIGKILL);
  status = reap_child (&p->c, &ru);
  p->ended = TRUE;
  p->exit_status = status;
  /* the end of its input, the end of its work */
  if (p->finishing && WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return;
  if (WIFSIGNALED (status))
    describe_signal (why, sizeof why, WTERMSIG (status));
  else
    snprintf (why, sizeof why, "exited with code %d", WEXITSTATUS (status));
  if (p->asked_len > 0)
    {
      char more[160];

      snprintf (more, sizeof more, "%s before it answered", why);
      program_broken (w, more);
    }
  else
    {
      char more[200];

      /* said with the next task, which its worker could no longer run */
      snprintf (more, sizeof more, "had %s before this task was given to it", why);
      program_broken (w, more);
    }
}

/* ---- the JSON mode: the few shapes of JSON it reads and writes ---- */

static void
put_json_string (PsBuffer   *b,
                 const char *s,
                 gsize       len)
{
  static const char hex[] = "0123456789abcdef";

  ps_buffer_put_u8 (b, '"');
  for (gsize i = 0; i < len; i++)
    {
      guchar ch = s[i];

      if (ch == '"' || ch == '\\')
        {
          ps_buffer_put_u8 (b, '\\');
          ps_buffer_put_u8 (b, ch);
        }
      else if (ch == '\n')
        ps_buffer_put (b, "\\n", 2);
      else if (ch == '\t')
        ps_buffer_put (b, "\\t", 2);
      else if (ch < 0x20)
        {
          char esc[6] = { '\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15] };
          ps_buffer_put (b, esc, 6);
        }
      else
        ps_buffer_put_u8 (b, ch);
    }
  ps_buffer_put_u8 (b, '"');
}

static const char *
skip_ws (const char *p,
         const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
    p++;
  return p;
}

/* A JSON string at @p, decoded into @out (when not NULL). Returns the
 * position after it, or NULL. */
static const char *
read_json_string (const char *p,
                  const char *end,
                  PsBuffer   *out)
{
  if (p >= end || *p != '"')
    return NULL;
  for (p++; p < end; p++)
    {
      if (*p == '"')
        return p + 1;
      if ((guchar) *p < 0x20)
        return NULL;
      if (*p != '\\')
        {
          if (out)
            ps_buffer_put_u8 (out, *p);
          continue;
        }
      if (++p >= end)
        return NULL;
      switch (*p)
        {
        case '"': case '\\': case '/':
          if (out) ps_buffer_put_u8 (out, *p);
          break;
        case 'b': if (out) ps_buffer_put_u8 (out, '\b'); break;
        case 'f': if (out) ps_buffer_put_u8 (out, '\f'); break;
        case 'n': if (out) ps_buffer_put_u8 (out, '\n'); break;
        case 'r': if (out) ps_buffer_put_u8 (out, '\r'); break;
        case 't': if (out) ps_buffer_put_u8 (out, '\t'); break;
        case 'u':
          {
            gunichar c = 0;
            char utf8[6];

            for (int k = 0; k < 4; k++)
              {
                int d;

                if (++p >= end || (d = g_ascii_xdigit_value (*p)) < 0)
                  return NULL;
                c = c * 16 + d;
              }
            /* a surrogate pair */
            if (c >= 0xd800 && c < 0xdc00 && p + 6 < end && p[1] == '\\' && p[2] == 'u')
              {
                gunichar lo = 0;

                for (int k = 0; k < 4; k++)
                  {
                    int d = g_ascii_xdigit_value (p[3 + k]);
                    if (d < 0)
                      return NULL;
                    lo = lo * 16 + d;
                  }
                if (lo >= 0xdc00 && lo < 0xe000)
                  {
                    c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                    p += 6;
                  }
              }
            if (c >= 0xd800 && c < 0xe000)
              c = 0xfffd;
            if (out)
              ps_buffer_put (out, utf8, g_unichar_to_utf8 (c, utf8));
            break;
          }
        default:
          return NULL;
        }
    }
  return NULL;
}

/* Any JSON value at @p: the position after it, or NULL. Nesting is
 * followed by brackets alone, strings skipped whole. */
static const char *
skip_json_value (const char *p,
                 const char *end)
{
  int depth = 0;

  p = skip_ws (p, end);
  do
    {
      if (p >= end)
        return NULL;
      if (*p == '"')
        {
          p = read_json_string (p, end, NULL);
          if (p == NULL)
            return NULL;
          continue;
        }
      if (*p == '{' || *p == '[')
        depth++;
      else if (*p == '}' || *p == ']')
        {
          if (--depth < 0)
            return NULL;
        }
      else if (depth == 0)
        {
          /* a number, true, false or null */
          const char *start = p;

          while (p < end && (g_ascii_isalnum (*p) || *p == '-' || *p == '+' || *p == '.'))
            p++;
          return p > start ? p : NULL;
        }
      p++;
    }
  while (depth > 0);
  return p;
}

typedef struct
{
  gboolean    has_id;
  gint64      id;
  const char *result;      /* its JSON text */
  const char *result_end;
  gboolean    has_error;
  PsBuffer   *error;
} JsonAnswer;

static gboolean
read_json_answer (const char *p,
                  const char *end,
                  JsonAnswer *a,
                  PsBuffer   *scratch)
{
  p = skip_ws (p, end);
  if (p >= end || *p != '{')
    return FALSE;
  p = skip_ws (p + 1, end);
  if (p < end && *p == '}')
    return skip_ws (p + 1, end) == end;
  for (;;)
    {
      const char *value;

      scratch->len = 0;
      p = read_json_string (p, end, scratch);
      if (p == NULL)
        return FALSE;
      p = skip_ws (p, end);
      if (p >= end || *p != ':')
        return FALSE;
      value = skip_ws (p + 1, end);
      p = skip_json_value (value, end);
      if (p == NULL)
        return FALSE;
      if (scratch->len == 2 && memcmp (scratch->data, "id", 2) == 0)
        {
          char num[32];
          char *num_end;
          gsize len = p - value;

          if (len == 0 || len >= sizeof num)
            return FALSE;
          memcpy (num, value, len);
          num[len] = '\0';
          a->id = g_ascii_strtoll (num, &num_end, 10);
          if (*num_end != '\0')
            return FALSE;
          a->has_id = TRUE;
        }
      else if (scratch->len == 6 && memcmp (scratch->data, "result", 6) == 0)
        {
          a->result = value;
          a->result_end = p;
        }
      else if (scratch->len == 5 && memcmp (scratch->data, "error", 5) == 0 &&
               !(p - value == 4 && memcmp (value, "null", 4) == 0))
        {
          a->error->len = 0;
          if (*value == '"')
            read_json_string (value, p, a->error);
          else
            ps_buffer_put (a->error, value, p - value);
          a->has_error = TRUE;
        }
      p = skip_ws (p, end);
      if (p < end && *p == ',')
        {
          p = skip_ws (p + 1, end);
          continue;
        }
      if (p < end && *p == '}')
        return skip_ws (p + 1, end) == end;
      return FALSE;
    }
}

/* Parses a decimal integer that fills [s, s+len) exactly. */
static gboolean
whole_int (const char *s,
           gsize       len,
           gint64     *out)
{
  char num[24];
  char *end;

  if (len == 0 || len >= sizeof num || !(g_ascii_isdigit (*s) || (*s == '-' && len > 1)))
    return FALSE;
  if (len > 1 && (s[*s == '-'] == '0'))
    return FALSE;
  memcpy (num, s, len);
  num[len] = '\0';
  errno = 0;
  *out = g_ascii_strtoll (num, &end, 10);
  return *end == '\0' && errno == 0;
}

/* An answer line for the task at the head of the queue. */
static void
take_answer (PsWorker   *w,
             const char *line,
             gsize       len,
             gint64      now)
{
  PsWorkerProgram *p = w->program;
  Asked *a;
  PsProtoTaskEnd e;
  static PsBuffer text, scratch, error_text;
  gint64 start;

  if (p->asked_len == 0)
    {
      char why[200];
      g_autofree char *shown = g_utf8_make_valid (line, MIN (len, 60));

      snprintf (why, sizeof why, "answered a line it was given no item for: “%s”", shown);
      program_broken (w, why);
      return;
    }
  a = &p->asked[p->asked_head];
  start = MAX (a->queued, p->last_end);
  e = (PsProtoTaskEnd) { a->task, a->attempt, start, now, (gint64) ((now - start) * p->share),
                         PS_TASK_OK, PS_RESULT_TEXT, 0, NULL, 0, "" };
  if (len > 0 && line[len - 1] == '\r')
    len--;

  if (p->json)
    {
      JsonAnswer ans = { 0 };

      ans.error = &error_text;
      if (!read_json_answer (line, line + len, &ans, &scratch) || !ans.has_id ||
          (ans.result == NULL && !ans.has_error))
        {
          char why[200];
          g_autofree char *shown = g_utf8_make_valid (line, MIN (len, 60));

          snprintf (why, sizeof why, "answered a line that is not a JSON object with an id and "
                    "a result or an error: “%s”", shown);
          program_broken (w, why);
          return;
        }
      if (ans.id != (gint64) (a->task + 1))
        {
          char why[160];

          snprintf (why, sizeof why, "answered id %" G_GINT64_FORMAT " where id %" G_GUINT64_FORMAT
                    " was next", ans.id, a->task + 1);
          program_broken (w, why);
          return;
        }
      text.len = 0;
      if (ans.has_error)
        {
          e.status = PS_TASK_ERROR;
          e.result_kind = PS_RESULT_NONE;
          put_valid (&text, (const char *) error_text.data, error_text.len);
          ps_buffer_put_u8 (&text, '\0');
          e.message = (const char *) text.data;
        }
      else if (whole_int (ans.result, ans.result_end - ans.result, &e.result_int))
        e.result_kind = PS_RESULT_INT;
      else if (*ans.result == '"')
        {
          scratch.len = 0;
          read_json_string (ans.result, ans.result_end, &scratch);
          put_valid (&text, (const char *) scratch.data, scratch.len);
        }
      else
        put_valid (&text, ans.result, ans.result_end - ans.result);
    }
  else
    {
      text.len = 0;
      if (whole_int (line, len, &e.result_int))
        e.result_kind = PS_RESULT_INT;
      else
        put_valid (&text, line, len);
    }
  if (e.result_kind == PS_RESULT_TEXT)
    {
      e.result_text = text.len ? (const char *) text.data : "";
      e.result_len = text.len;
    }
  ps_proto_put_task_end (&w->out, &e);

  p->last_end = now;
  p->last_task = a->task;
  p->any_task = TRUE;
  p->asked_head++;
  p->asked_len--;
  p->err_kept = 0;
  if (p->err_dropped > 0)
    {
      char note[160];
      char size[PS_FORMAT_BUF_SIZE];
      int n;

      ps_format_count_buf (p->err_dropped, size, sizeof size);
      n = snprintf (note, sizeof note, "poolscope: %s more bytes of output were not kept (the output limit is %"
                    G_GUINT64_FORMAT " bytes a task)", size, w->output_limit);
      emit_line (w, a->task, PS_STREAM_STDERR, NULL, 0, note, MIN ((gsize) n, sizeof note - 1));
      p->err_dropped = 0;
    }
  if (p->asked_len == 0)
    p->asked_head = 0;
  if (w->out.len > PS_WORKER_FLUSH_BYTES)
    ps_worker_flush (w);
}

static void
read_answers (PsWorker *w)
{
  PsWorkerProgram *p = w->program;
  gint64 now, cpu;

  for (int rounds = 0; rounds < 4 && p->c.out_fd >= 0; rounds++)
    {
      gssize n;
      gsize pos = 0;

      ps_buffer_grow (&p->answers, READ_BYTES);
      n = read (p->c.out_fd, p->answers.data + p->answers.len, READ_BYTES);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      if (n == 0)
        {
          close_fd (&p->c.out_fd);
          program_ended (w);
          return;
        }
      p->answers.len += n;
      now = ps_worker_now_ns (CLOCK_MONOTONIC);
      /* its share of the CPU since the last look, for the tasks answered now */
      cpu = program_cpu_ns (p);
      if (cpu >= 0 && now > p->cpu_read_at)
        {
          if (p->cpu_read_at > 0)
            p->share = CLAMP ((double) (cpu - p->cpu_at) / (double) (now - p->cpu_read_at), 0.0, 1.0);
          p->cpu_at = cpu;
          p->cpu_read_at = now;
        }
      for (;;)
        {
          const char *start = (const char *) p->answers.data + pos;
          const char *nl = memchr (start, '\n', p->answers.len - pos);

          if (nl == NULL)
            break;
          take_answer (w, start, nl - start, now);
          pos = nl - (const char *) p->answers.data + 1;
          if (p->broken)
            return;
        }
      ps_buffer_consume (&p->answers, pos);
      if (p->answers.len > MAX (w->output_limit, (guint64) PS_OUTPUT_LIMIT_DEFAULT))
        {
          char why[128];

          snprintf (why, sizeof why, "answered a line longer than %" G_GUINT64_FORMAT " bytes (the output limit)",
                    MAX (w->output_limit, (guint64) PS_OUTPUT_LIMIT_DEFAULT));
          program_broken (w, why);
          return;
        }
      if ((gsize) n < READ_BYTES)
        break;
    }
}

/* stderr goes with the task at the head: the one the program works on. */
static void
read_errors (PsWorker *w)
{
  PsWorkerProgram *p = w->program;
  char buf[READ_BYTES];
  gssize n;
  guint64 task;

  n = read (p->c.err_fd, buf, sizeof buf);
  if (n == 0)
    {
      close_fd (&p->c.err_fd);
      return;
    }
  if (n < 0)
    return;
  /* before its first item, what it says (a banner) waits for that item's task */
  if (p->asked_len == 0 && !p->any_task)
    {
      if (p->errors.len < READ_BYTES * 4)
        ps_buffer_put (&p->errors, buf, n);
      return;
    }
  task = p->asked_len > 0 ? p->asked[p->asked_head].task : p->last_task;
  if (w->output_limit > 0 && p->err_kept + n > w->output_limit)
    {
      gsize room = w->output_limit - MIN (p->err_kept, w->output_limit);

      p->err_dropped += n - room;
      n = room;
    }
  p->err_kept += n;
  ps_buffer_put (&p->errors, buf, n);
  emit_lines (w, task, PS_STREAM_STDERR, NULL, 0, &p->errors, FALSE);
}

/* Writes what its stdin takes now. */
static void
write_items (PsWorker *w)
{
  PsWorkerProgram *p = w->program;

  while (p->to_write.len > 0 && p->c.in_fd >= 0)
    {
      gssize n = write (p->c.in_fd, p->to_write.data, p->to_write.len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          if (errno == EPIPE)
            {
              /* it closed its stdin: its end is near, or it never reads */
              close_fd (&p->c.in_fd);
              if (p->c.out_fd < 0 || wait_exit (&p->c, 0))
                program_ended (w);
            }
          break;
        }
      ps_buffer_consume (&p->to_write, n);
    }
}

/* Looks at the program once: waits up to @timeout_ms (-1: for ever) for
 * it, or for @also (a descriptor of the worker, or -1). Returns TRUE if
 * @also is readable. */
static gboolean
program_poll (PsWorker *w,
              int       also,
              int       timeout_ms)
{
  PsWorkerProgram *p = w->program;
  struct pollfd fds[7];
  int n = 0, got;
  int i_term, i_also = -1, i_out = -1, i_err = -1, i_in = -1, i_pid = -1;

  /* the engine's end is a SIGTERM too (PR_SET_PDEATHSIG) */
  i_term = n;
  fds[n++] = (struct pollfd) { w->term_fd, POLLIN, 0 };
  if (also >= 0)
    {
      i_also = n;
      fds[n++] = (struct pollfd) { also, POLLIN, 0 };
    }
  if (!p->ended)
    {
      if (p->c.out_fd >= 0)
        {
          i_out = n;
          fds[n++] = (struct pollfd) { p->c.out_fd, POLLIN, 0 };
        }
      if (p->c.err_fd >= 0)
        {
          i_err = n;
          fds[n++] = (struct pollfd) { p->c.err_fd, POLLIN, 0 };
        }
      if (p->c.in_fd >= 0 && p->to_write.len > 0)
        {
          i_in = n;
          fds[n++] = (struct pollfd) { p->c.in_fd, POLLOUT, 0 };
        }
      if (p->c.out_fd < 0 && p->c.pidfd >= 0)
        {
          i_pid = n;
          fds[n++] = (struct pollfd) { p->c.pidfd, POLLIN, 0 };
        }
    }
  got = poll (fds, n, timeout_ms);
  if (got <= 0)
    return FALSE;
  if ((fds[i_term].revents & POLLIN) && term_pending (w))
    {
      struct rusage ru;

      if (!p->ended)
        end_group (&p->c, &ru);
      ps_worker_flush (w);
      ps_worker_die_by_signal (SIGTERM);
    }
  if (i_in >= 0 && fds[i_in].revents)
    write_items (w);
  if (i_err >= 0 && fds[i_err].revents && !p->ended)
    read_errors (w);
  if (i_out >= 0 && fds[i_out].revents && !p->ended)
    read_answers (w);
  if (i_pid >= 0 && fds[i_pid].revents && !p->ended)
    program_ended (w);
  return i_also >= 0 && (fds[i_also].revents & (POLLIN | POLLHUP | POLLERR));
}

/* The task at the head, running long enough to be told as started: so
 * that --timeout can see it. */
static int
announce_in_ms (PsWorker *w)
{
  PsWorkerProgram *p = w->program;
  Asked *a;
  gint64 start, left;

  if (p->asked_len == 0 || p->ended)
    return -1;
  a = &p->asked[p->asked_head];
  if (a->announced)
    return -1;
  start = MAX (a->queued, p->last_end);
  left = start + ANNOUNCE_NS - ps_worker_now_ns (CLOCK_MONOTONIC);
  if (left > 0)
    return (int) (left / 1000000) + 1;
  a->announced = TRUE;
  ps_proto_put_task_start (&w->out, a->task, a->attempt, start);
  ps_worker_flush (w);
  return -1;
}

void
ps_worker_program_task (PsWorker   *w,
                        guint64     task,
                        guint32     attempt,
                        const char *item,
                        gsize       item_len)
{
  PsWorkerProgram *p = w->program;
  Asked *a;

  if (p->asked_head + p->asked_len == p->asked_cap)
    {
      if (p->asked_head > 0)
        {
          memmove (p->asked, p->asked + p->asked_head, p->asked_len * sizeof (Asked));
          p->asked_head = 0;
        }
      if (p->asked_len == p->asked_cap)
        {
          p->asked_cap = MAX (1024, p->asked_cap * 2);
          p->asked = g_renew (Asked, p->asked, p->asked_cap);
        }
    }
  a = &p->asked[p->asked_head + p->asked_len++];
  a->task = task;
  a->attempt = attempt;
  a->queued = ps_worker_now_ns (CLOCK_MONOTONIC);
  a->announced = FALSE;
  if (!p->any_task && p->errors.len > 0)
    emit_lines (w, task, PS_STREAM_STDERR, NULL, 0, &p->errors, FALSE);
  p->any_task = TRUE;

  if (p->json)
    {
      char id[32];
      int n = snprintf (id, sizeof id, "{\"id\":%" G_GUINT64_FORMAT ",\"item\":", task + 1);

      ps_buffer_put (&p->to_write, id, n);
      put_json_string (&p->to_write, item, item_len);
      ps_buffer_put (&p->to_write, "}\n", 2);
    }
  else
    {
      ps_buffer_put (&p->to_write, item, item_len);
      ps_buffer_put_u8 (&p->to_write, '\n');
    }
  if (p->broken)
    program_fail (w);
  /* hand it over now when its stdin takes it; look at the answers so far;
   * when it is far behind, wait for it (telling a long task as started) */
  write_items (w);
  if (!p->broken)
    program_poll (w, -1, 0);
  while (!p->broken && !p->ended && p->to_write.len > 4 * READ_BYTES)
    {
      int timeout = announce_in_ms (w);

      program_poll (w, -1, timeout);
    }
  if (p->broken)
    program_fail (w);
}

/* Waits for the engine's next frame, serving the worker's program
 * meanwhile. */
void
ps_worker_wait_input (PsWorker *w)
{
  if (w->program == NULL)
    {
      /* a command worker between tasks: SIGTERM ends it at once */
      struct pollfd fds[2] = { { w->fd, POLLIN, 0 }, { w->term_fd, POLLIN, 0 } };

      while (poll (fds, 2, -1) < 0 && errno == EINTR)
        ;
      if ((fds[1].revents & POLLIN) && term_pending (w))
        ps_worker_die_by_signal (SIGTERM);
      return;
    }
  for (;;)
    {
      PsWorkerProgram *p = w->program;
      int timeout = announce_in_ms (w);

      if (p->broken && p->asked_len > 0)
        program_fail (w);
      if (w->out.len > 0)
        ps_worker_flush (w);
      if (program_poll (w, w->fd, timeout))
        return;
    }
}

static void
start_program (PsWorker *w)
{
  PsWorkerProgram *p = g_new0 (PsWorkerProgram, 1);
  g_auto(GStrv) argv = ps_workload_get_argv (&w->workload);
  int rc;

  w->program = p;
  p->json = (w->flags & PS_OUTPUT_JSON_PROGRAM) != 0;
  p->name = g_strdup (argv && argv[0] ? argv[0] : "?");
  p->c.pidfd = p->c.in_fd = p->c.out_fd = p->c.err_fd = p->c.stat_fd = -1;
  if (argv == NULL || argv[0] == NULL)
    {
      program_broken (w, "cannot be split into words");
      return;
    }
  rc = spawn_child (w, NULL, argv, TRUE, 0, &p->c);
  if (rc != 0)
    {
      char why[256];

      snprintf (why, sizeof why, "cannot be started: %s", g_strerror (rc));
      p->ended = TRUE;
      p->broken = g_strdup (why);
      p->exit_status = 127 << 8;
      return;
    }
  {
    char path[64];

    snprintf (path, sizeof path, "/proc/%d/schedstat", (int) p->c.pid);
    p->c.stat_fd = open (path, O_RDONLY | O_CLOEXEC);
  }
  p->share = 1.0;
  p->last_end = ps_worker_now_ns (CLOCK_MONOTONIC);
}

/* Builds what every program it starts gets, and starts a worker program. */
void
ps_worker_exec_setup (PsWorker *w)
{
  sigset_t term;
  guint n = 0, k = 0;

  if (!ps_workload_runs_program (&w->workload))
    return;

  sigemptyset (&term);
  sigaddset (&term, SIGTERM);
  sigprocmask (SIG_BLOCK, &term, NULL);
  w->term_fd = signalfd (-1, &term, SFD_CLOEXEC | SFD_NONBLOCK);
  if (w->term_fd < 0)
    ps_worker_die ("cannot make a signalfd for SIGTERM");

  for (char **e = environ; e && *e; e++)
    n++;
  w->envp = g_new0 (char *, n + 4);
  for (char **e = environ; e && *e; e++)
    if (!g_str_has_prefix (*e, "POOLSCOPE_TASK=") && !g_str_has_prefix (*e, "POOLSCOPE_SLOT=") &&
        !g_str_has_prefix (*e, "POOLSCOPE_WORKER="))
      w->envp[k++] = *e;
  w->n_env = k;

  if (w->workload.kind == PS_WORKLOAD_PROGRAM)
    start_program (w);
  else
    {
      g_auto(GStrv) argv = ps_workload_get_argv (&w->workload);

      w->command = w->workload.kind == PS_WORKLOAD_SHELL
                   ? ps_command_new_shell (w->workload.text, NULL)
                   : ps_command_new_argv ((const char *const *) argv, NULL);
      if (w->command == NULL)
        ps_worker_die ("a command that cannot be split into words in the setup frame");
      /* a program named in full is looked for in PATH once, not by each
       * task (posix_spawnp tries every directory of PATH in turn) */
      if (argv != NULL && strchr (argv[0], '/') == NULL && strchr (argv[0], '{') == NULL)
        w->command_path = g_find_program_in_path (argv[0]);
    }
}

static void
say_broken (PsWorkerProgram *p)
{
  char msg[512];
  int n = snprintf (msg, sizeof msg, "poolscope worker: the worker program “%s” %s\n", p->name, p->broken);

  if (write (STDERR_FILENO, msg, MIN ((gsize) n, sizeof msg - 1)) < 0)
    { /* nothing more to do */ }
}

/* The engine has closed the channel: a worker program answers what it was
 * given, then sees the end of its stdin and has a moment to exit. */
void
ps_worker_exec_finish (PsWorker *w)
{
  PsWorkerProgram *p = w->program;
  struct rusage ru;

  if (p == NULL)
    return;
  while (!p->broken && p->asked_len > 0)
    {
      int timeout = announce_in_ms (w);

      ps_worker_flush (w);
      program_poll (w, -1, timeout);
    }
  if (p->broken && p->asked_len > 0)
    program_fail (w);
  ps_worker_flush (w);
  if (p->broken)
    {
      /* no task was left to say it with */
      say_broken (p);
      if (p->protocol_error)
        _exit (70);
    }
  /* its input ends: it has two seconds to go, and must say nothing more */
  close_fd (&p->c.in_fd);
  p->finishing = TRUE;
  {
    gint64 until = ps_worker_now_ns (CLOCK_MONOTONIC) + 2 * G_GINT64_CONSTANT (1000000000);

    while (!p->ended && !p->broken)
      {
        gint64 left = until - ps_worker_now_ns (CLOCK_MONOTONIC);

        if (left <= 0)
          break;
        program_poll (w, -1, (int) (left / 1000000) + 1);
      }
  }
  if (!p->ended && p->c.pid > 0)
    end_group (&p->c, &ru);
  close_child (&p->c);
  if (p->broken)
    {
      say_broken (p);
      if (p->protocol_error)
        _exit (70);
    }
}

/* The worker program's process, for the engine's sampler; 0: none. */
guint32
ps_worker_exec_child_pid (PsWorker *w)
{
  return w->program && !w->program->ended ? (guint32) w->program->c.pid : 0;
}
