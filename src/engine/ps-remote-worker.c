/* ps-remote-worker.c: the far end of a worker on another host
 *
 * A launcher (ssh, srun…) gives the engine a remote process's stdin and
 * stdout, nothing more: no signals, no /proc of the engine's. So on the
 * host, `poolscope-run --worker --stdio` is a relay: it forks the worker
 * itself (ps_worker_main() on a socketpair, or with --spawn an exec of
 * `poolscope-run --worker`) and
 *
 * - carries the frames both ways, whole ones only;
 * - ends the worker at once when its stdin ends without a CLOSE frame
 *   first: the engine, the link or the launcher is gone (there is nobody
 *   to hand results to, and a remote worker must never outlive its run);
 *   after a CLOSE it lets the worker finish, as a local one does at EOF;
 * - samples the worker's CPU and memory (and its program's process
 *   tree) from the host's /proc and sends them as SAMPLE frames, read
 *   as ps-sampler reads a local worker;
 * - tells how the worker ended (EXIT: its wait status), since ssh's own
 *   exit status cannot say "killed by SIGSEGV";
 * - takes the engine's PING (every few seconds) as the sign that the link
 *   lives: a network cut closes nothing on this side, so a long silence
 *   ends the worker as the end of stdin does.
 *
 * `poolscope-run --worker --hello` is the first thing run on a host (ps-remote.c):
 * it says its version, protocol and CPUs, then answers each line with
 * its CLOCK_MONOTONIC, for the engine to estimate the clock offset.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-remote-worker"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "ps-frame.h"
#include "ps-launcher.h"
#include "ps-proc-stat.h"
#include "ps-remote.h"
#include "ps-sampler.h"
#include "ps-worker.h"
#include "ps-worker-proto.h"

#define PENDING_MAX   (4 * 1024 * 1024)
#define READ_SIZE     (256 * 1024)
/* as the engine's for a local worker: more than the worker's own grace
 * for its program's group (ps-worker-exec.c) */
#define END_GRACE_MS  500
/* the engine says PING every PS_REMOTE_PING_S: this long without a word
 * from it, the link is gone (a network cut that closes nothing) */
#define SILENCE_MS    (4 * PS_REMOTE_PING_S * 1000)

static gint64
mono_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/**
 * ps_remote_hello_main:
 *
 * The greeting ps-remote.c reads: "poolscope-run VERSION PROTOCOL CPUS",
 * then the host's CLOCK_MONOTONIC once for every line read, until EOF.
 */
int
ps_remote_hello_main (void)
{
  char line[256];

  signal (SIGPIPE, SIG_IGN);
  printf ("poolscope-run %s %d %ld\n", PACKAGE_VERSION, PS_PROTOCOL_VERSION, sysconf (_SC_NPROCESSORS_ONLN));
  fflush (stdout);
  while (fgets (line, sizeof line, stdin) != NULL)
    {
      if (printf ("%" G_GINT64_FORMAT "\n", mono_ns ()) < 0 || fflush (stdout) != 0)
        return 1;
    }
  return 0;
}

typedef struct
{
  pid_t      pid;
  int        exit_fd;      /* readable once the worker has exited: a pidfd, or a SIGCHLD pipe */
  int        sock;
  PsBuffer   to_worker;    /* from stdin, not yet written to the worker */
  PsBuffer   from_stdin;   /* read, not yet whole frames */
  PsBuffer   from_worker;  /* read from the worker, not yet whole frames */
  gboolean   closed;       /* CLOSE came: stdin's end is the end of work */
  gboolean   worker_eof;
  gint64     heard_at;     /* the engine's last word */
  PsSampled *sampled;
  gint32     child;        /* the program the worker runs, sampled with it */
  gint64     child_cpu_ns;
  gint64     child_cpu_at;
} Relay;

static int sigchld_pipe[2] = { -1, -1 };

static void
on_sigchld (int sig)
{
  int saved = errno;

  /* full: a wake-up is pending anyway */
  (void) !write (sigchld_pipe[1], "", 1);
  errno = saved;
}

/* Without pidfds (Linux before 5.3), SIGCHLD through a pipe. */
static int
exit_pipe (void)
{
  struct sigaction sa = { 0 };

  if (pipe2 (sigchld_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
    return -1;
  sa.sa_handler = on_sigchld;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction (SIGCHLD, &sa, NULL);
  return sigchld_pipe[0];
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

/* The program the worker runs now (a command's, a worker program's
 * process, each leading a group of its own), or 0. */
static gint32
worker_child (Relay *r)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/children", r->pid, r->pid);
  g_autofree char *list = NULL;

  if (!g_file_get_contents (path, &list, NULL, NULL))
    return 0;
  return (gint32) g_ascii_strtoll (list, NULL, 10);
}

/* What the relay holds, let go as it ends. */
static void
relay_clear (Relay *r)
{
  ps_buffer_clear (&r->to_worker);
  ps_buffer_clear (&r->from_stdin);
  ps_buffer_clear (&r->from_worker);
  g_clear_pointer (&r->sampled, ps_sampled_free);
}

/* The engine is out of reach: the worker goes now, and its programs with
 * it. A worker ends its programs' groups on SIGTERM within its own
 * grace; one killed outright has its program's group killed here. */
static int
end_worker (Relay *r)
{
  struct pollfd p = { r->exit_fd, POLLIN, 0 };
  gint64 until = mono_ns () + (gint64) END_GRACE_MS * 1000000;
  gint32 child = worker_child (r);

  kill (r->pid, SIGTERM);
  while (waitpid (r->pid, NULL, WNOHANG) == 0)
    {
      gint64 left = until - mono_ns ();

      if (left <= 0 || r->exit_fd < 0)
        {
          kill (r->pid, SIGKILL);
          if (child > 1)
            ps_proc_kill_group (child);
          waitpid (r->pid, NULL, 0);
          break;
        }
      poll (&p, 1, (int) (left / 1000000) + 1);
    }
  relay_clear (r);
  return 1;
}

/* Whole frames of @buf, up to the first CLOSE (taken out); PINGs are
 * the relay's, taken out too. */
static gsize
whole_frames (PsBuffer *buf,
              gboolean *close_seen,
              gboolean *bad)
{
  gsize pos = 0;

  for (;;)
    {
      PsFrame frame;
      gsize used;
      PsDecodeResult res = ps_frame_decode (buf->data + pos, buf->len - pos, &frame, &used, NULL);

      if (res == PS_DECODE_NEED_MORE)
        break;
      if (res == PS_DECODE_ERROR)
        {
          *bad = TRUE;
          break;
        }
      if (close_seen != NULL && frame.type == PS_FRAME_CLOSE)
        {
          *close_seen = TRUE;
          break;
        }
      if (close_seen != NULL && frame.type == PS_FRAME_PING)
        {
          memmove (buf->data + pos, buf->data + pos + used, buf->len - pos - used);
          buf->len -= used;
          continue;
        }
      pos += used;
    }
  return pos;
}

static gboolean
sample (Relay *r,
        gint64 now)
{
  PsProcSample s;
  PsProtoSample out;
  gint32 child;
  PsBuffer b;
  gboolean ok;

  if (!ps_sampled_read (r->sampled, now, &s))
    return TRUE;
  out.t = now;
  out.cpu_percent = s.cpu_percent;
  out.rss = s.rss;
  out.pss = s.pss;
  out.uss = s.uss;
  /* a command's or worker program's process tree is the worker's work,
   * as the engine counts it for a local worker */
  child = worker_child (r);
  if (child > 1)
    {
      gint64 cpu_ns, rss;

      if (child != r->child)
        {
          r->child = child;
          r->child_cpu_ns = 0;
          r->child_cpu_at = now;
        }
      if (ps_proc_tree_read (child, &cpu_ns, &rss))
        {
          if (now > r->child_cpu_at)
            out.cpu_percent += MAX (cpu_ns - r->child_cpu_ns, 0) * 100.0 / (double) (now - r->child_cpu_at);
          r->child_cpu_ns = cpu_ns;
          r->child_cpu_at = now;
          out.rss += rss;
          out.pss = out.uss = -1;
        }
    }
  ps_buffer_init (&b);
  ps_proto_put_sample (&b, &out);
  ok = write_all (STDOUT_FILENO, b.data, b.len);
  ps_buffer_clear (&b);
  return ok;
}

static G_NORETURN void
run_worker (int      channel,
            gboolean spawn)
{
  /* as a local worker is (the launcher's stdin and stdout are the
   * relay's: the worker gets /dev/null, its output goes where its errors go) */
  if (!ps_launcher_child_prepare (channel))
    _exit (71);
  if (spawn)
    {
      execl ("/proc/self/exe", "poolscope-run", "--worker", (char *) NULL);
      _exit (127);
    }
  _exit (ps_worker_main (3));
}

/* What the worker wrote: whole frames go on; a bad one goes on as it is
 * (the engine says what is wrong and ends the worker). Returns: FALSE
 * when stdout is gone */
static gboolean
forward_from_worker (Relay *r)
{
  gboolean bad = FALSE;
  gsize whole = whole_frames (&r->from_worker, NULL, &bad);

  if (bad)
    whole = r->from_worker.len;
  if (!write_all (STDOUT_FILENO, r->from_worker.data, whole))
    return FALSE;
  ps_buffer_consume (&r->from_worker, whole);
  return TRUE;
}

static gssize
read_more (int       fd,
           PsBuffer *buf)
{
  gssize got;

  if (buf->cap - buf->len < READ_SIZE / 2)
    ps_buffer_grow (buf, READ_SIZE);
  do
    got = read (fd, buf->data + buf->len, buf->cap - buf->len);
  while (got < 0 && errno == EINTR);
  if (got > 0)
    buf->len += got;
  return got;
}

/**
 * ps_remote_relay_main:
 * @spawn: the worker is a fresh exec, as --start spawn; else a fork
 * @sample_ms: how often to sample it; 0: never
 *
 * Returns: the relay's exit status: 0 once it told the worker's end
 */
int
ps_remote_relay_main (gboolean spawn,
                      guint    sample_ms)
{
  Relay r = { 0 };
  int sv[2];
  gint64 next_sample;
  gboolean stdin_done = FALSE;
  int status = 0;
  gboolean reaped = FALSE;
  PsBuffer b;

  signal (SIGPIPE, SIG_IGN);
  signal (SIGINT, SIG_IGN);
  /* a launcher may hand over non-blocking descriptors: the relay blocks */
  fcntl (STDIN_FILENO, F_SETFL, fcntl (STDIN_FILENO, F_GETFL) & ~O_NONBLOCK);
  fcntl (STDOUT_FILENO, F_SETFL, fcntl (STDOUT_FILENO, F_GETFL) & ~O_NONBLOCK);
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    {
      fprintf (stderr, _("poolscope-run: cannot create the worker’s channel: %s\n"), g_strerror (errno));
      return 71;
    }
  r.pid = fork ();
  if (r.pid < 0)
    {
      fprintf (stderr, _("poolscope-run: cannot fork the worker: %s\n"), g_strerror (errno));
      return 71;
    }
  if (r.pid == 0)
    {
      close (sv[0]);
      run_worker (sv[1], spawn);
    }
  close (sv[1]);
  r.sock = sv[0];
  fcntl (r.sock, F_SETFL, fcntl (r.sock, F_GETFL) | O_NONBLOCK);
  r.exit_fd = (int) syscall (SYS_pidfd_open, r.pid, 0);
  if (r.exit_fd < 0)
    {
      r.exit_fd = exit_pipe ();
      /* it may have gone before the handler was there: its end is told all the same */
      if (r.exit_fd >= 0 && waitpid (r.pid, &status, WNOHANG) == r.pid)
        reaped = TRUE;
    }
  if (r.exit_fd < 0)
    {
      fprintf (stderr, _("poolscope-run: cannot watch the worker: %s\n"), g_strerror (errno));
      return end_worker (&r);
    }
  ps_buffer_init (&r.to_worker);
  ps_buffer_init (&r.from_stdin);
  ps_buffer_init (&r.from_worker);
  r.sampled = ps_sampled_new (r.pid, FALSE, mono_ns ());
  r.heard_at = mono_ns ();
  next_sample = sample_ms > 0 ? mono_ns () + (gint64) sample_ms * 1000000 : G_MAXINT64;

  while (!reaped)
    {
      struct pollfd fds[4];
      gint64 now = mono_ns ();
      gint64 wake = MIN (next_sample, stdin_done ? G_MAXINT64 : r.heard_at + (gint64) SILENCE_MS * 1000000);
      int timeout = (int) MAX (0, (wake - now) / 1000000 + 1);
      gboolean exited = FALSE;
      int n;

      fds[0] = (struct pollfd) { stdin_done || r.to_worker.len > PENDING_MAX ? -1 : STDIN_FILENO, POLLIN, 0 };
      fds[1] = (struct pollfd) { r.worker_eof ? -1 : r.sock, POLLIN | (r.to_worker.len > 0 ? POLLOUT : 0), 0 };
      fds[2] = (struct pollfd) { r.exit_fd, POLLIN, 0 };
      /* no events asked: POLLERR and POLLHUP say the reader is gone (after
       * CLOSE the worker, idle, ends by itself, and the socket may be half shut) */
      fds[3] = (struct pollfd) { r.closed ? -1 : STDOUT_FILENO, 0, 0 };
      n = poll (fds, 4, timeout);
      if (n < 0 && errno != EINTR)
        return end_worker (&r);
      if (n > 0 && (fds[3].revents & (POLLERR | POLLHUP | POLLNVAL)))
        return end_worker (&r);

      now = mono_ns ();
      if (now >= next_sample)
        {
          if (!sample (&r, now))
            return end_worker (&r);
          next_sample = now + (gint64) sample_ms * 1000000;
        }
      /* not reading stdin while the worker catches up is no silence */
      if (r.to_worker.len > PENDING_MAX)
        r.heard_at = now;
      /* silence: the link is cut somewhere (only when stdin had nothing
       * to say just now: what waits there is a word) */
      if (!stdin_done && (n <= 0 || !(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) &&
          now - r.heard_at > (gint64) SILENCE_MS * 1000000)
        return end_worker (&r);
      if (n <= 0)
        continue;

      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          gssize got = read_more (STDIN_FILENO, &r.from_stdin);

          if (got < 0 && errno == EAGAIN)
            ;
          else if (got <= 0)
            {
              /* the end without a CLOSE: nobody is left to work for */
              if (!r.closed)
                return end_worker (&r);
              stdin_done = TRUE;
            }
          else if (!r.closed)
            {
              gboolean bad = FALSE;
              gsize whole;

              r.heard_at = now;
              whole = whole_frames (&r.from_stdin, &r.closed, &bad);
              if (bad)
                return end_worker (&r);
              ps_buffer_put (&r.to_worker, r.from_stdin.data, whole);
              ps_buffer_consume (&r.from_stdin, whole);
              if (r.closed)
                stdin_done = TRUE;
            }
        }

      if (r.to_worker.len > 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP)))
        {
          gssize put = write (r.sock, r.to_worker.data, r.to_worker.len);

          if (put > 0)
            ps_buffer_consume (&r.to_worker, put);
          else if (put < 0 && errno != EAGAIN && errno != EINTR)
            r.to_worker.len = 0; /* the worker is gone: its exit is told below */
        }
      if (r.closed && r.to_worker.len == 0)
        shutdown (r.sock, SHUT_WR);

      if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          gssize got = read_more (r.sock, &r.from_worker);

          if (got == 0 || (got < 0 && errno != EAGAIN))
            r.worker_eof = TRUE;
          else if (got > 0 && !forward_from_worker (&r))
            return end_worker (&r);
        }

      if (fds[2].revents & POLLIN)
        {
          char drain[64];

          if (r.exit_fd == sigchld_pipe[0])
            while (read (r.exit_fd, drain, sizeof drain) > 0)
              ;
          exited = r.exit_fd != sigchld_pipe[0] || waitpid (r.pid, &status, WNOHANG) == r.pid;
        }
      if (exited)
        {
          reaped = r.exit_fd == sigchld_pipe[0];
          /* gone: read what it wrote before it went, then tell its end */
          fcntl (r.sock, F_SETFL, fcntl (r.sock, F_GETFL) & ~O_NONBLOCK);
          shutdown (r.sock, SHUT_WR);
          while (!r.worker_eof && read_more (r.sock, &r.from_worker) > 0)
            if (!forward_from_worker (&r))
              break;
          if (!reaped && waitpid (r.pid, &status, 0) != r.pid)
            {
              relay_clear (&r);
              return 1;
            }
          reaped = TRUE;
        }
    }

  ps_buffer_init (&b);
  ps_proto_put_exit (&b, status);
  write_all (STDOUT_FILENO, b.data, b.len);
  ps_buffer_clear (&b);
  relay_clear (&r);
  return 0;
}
