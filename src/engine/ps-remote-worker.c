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
 *   exit status cannot say "killed by SIGSEGV".
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

#include "ps-frame.h"
#include "ps-launcher.h"
#include "ps-remote.h"
#include "ps-sampler.h"
#include "ps-worker.h"
#include "ps-worker-proto.h"

#define PENDING_MAX   (4 * 1024 * 1024)
#define READ_SIZE     (256 * 1024)
#define END_GRACE_MS  200

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
  int        pidfd;
  int        sock;
  PsBuffer   to_worker;    /* from stdin, not yet written to the worker */
  PsBuffer   from_stdin;   /* read, not yet whole frames */
  PsBuffer   from_worker;  /* read from the worker, not yet whole frames */
  gboolean   closed;       /* CLOSE came: stdin's end is the end of work */
  gboolean   worker_eof;
  PsSampled *sampled;
  gint32     child;        /* the program the worker runs, sampled with it */
  gint64     child_cpu_ns;
  gint64     child_cpu_at;
} Relay;

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

/* The engine is out of reach: the worker goes now, and its programs with
 * it (a worker ends its programs' groups on SIGTERM). */
static int
end_worker (Relay *r)
{
  struct pollfd p = { r->pidfd, POLLIN, 0 };

  kill (r->pid, SIGTERM);
  if (r->pidfd < 0 || poll (&p, 1, END_GRACE_MS) <= 0)
    kill (r->pid, SIGKILL);
  waitpid (r->pid, NULL, 0);
  return 1;
}

/* Whole frames of @buf, up to the first CLOSE (which is taken out). */
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
      pos += used;
    }
  return pos;
}

static void
sample (Relay *r,
        gint64 now)
{
  PsProcSample s;
  PsProtoSample out;
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/children", r->pid, r->pid);
  g_autofree char *list = NULL;
  gint32 child = 0;
  PsBuffer b;

  if (!ps_sampled_read (r->sampled, now, &s))
    return;
  out.t = now;
  out.cpu_percent = s.cpu_percent;
  out.rss = s.rss;
  out.pss = s.pss;
  out.uss = s.uss;
  /* a command's or worker program's process tree is the worker's work,
   * as the engine counts it for a local worker */
  if (g_file_get_contents (path, &list, NULL, NULL))
    child = (gint32) g_ascii_strtoll (list, NULL, 10);
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
  write_all (STDOUT_FILENO, b.data, b.len);
  ps_buffer_clear (&b);
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
  siginfo_t info = { 0 };
  int status;
  PsBuffer b;

  signal (SIGPIPE, SIG_IGN);
  signal (SIGINT, SIG_IGN);
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    {
      perror ("poolscope-run: cannot create the worker's channel");
      return 71;
    }
  r.pid = fork ();
  if (r.pid < 0)
    {
      perror ("poolscope-run: cannot fork the worker");
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
  r.pidfd = (int) syscall (SYS_pidfd_open, r.pid, 0);
  if (r.pidfd < 0)
    return end_worker (&r);
  ps_buffer_init (&r.to_worker);
  ps_buffer_init (&r.from_stdin);
  ps_buffer_init (&r.from_worker);
  r.sampled = ps_sampled_new (r.pid, FALSE, mono_ns ());
  next_sample = sample_ms > 0 ? mono_ns () + (gint64) sample_ms * 1000000 : G_MAXINT64;

  for (;;)
    {
      struct pollfd fds[3];
      gint64 now = mono_ns ();
      int timeout = next_sample == G_MAXINT64 ? -1 : (int) MAX (0, (next_sample - now) / 1000000 + 1);
      gboolean bad = FALSE;
      int n;

      fds[0] = (struct pollfd) { stdin_done || r.to_worker.len > PENDING_MAX ? -1 : STDIN_FILENO, POLLIN, 0 };
      fds[1] = (struct pollfd) { r.worker_eof ? -1 : r.sock, POLLIN | (r.to_worker.len > 0 ? POLLOUT : 0), 0 };
      fds[2] = (struct pollfd) { r.pidfd, POLLIN, 0 };
      n = poll (fds, 3, timeout);
      if (n < 0 && errno != EINTR)
        return end_worker (&r);

      now = mono_ns ();
      if (now >= next_sample)
        {
          sample (&r, now);
          next_sample = now + (gint64) sample_ms * 1000000;
        }
      if (n <= 0)
        continue;

      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          gssize got;

          if (r.from_stdin.cap - r.from_stdin.len < READ_SIZE / 2)
            ps_buffer_grow (&r.from_stdin, READ_SIZE);
          got = read (STDIN_FILENO, r.from_stdin.data + r.from_stdin.len, r.from_stdin.cap - r.from_stdin.len);
          if (got < 0 && (errno == EINTR || errno == EAGAIN))
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
              gsize whole;

              r.from_stdin.len += got;
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
          gssize got;

          if (r.from_worker.cap - r.from_worker.len < READ_SIZE / 2)
            ps_buffer_grow (&r.from_worker, READ_SIZE);
          got = read (r.sock, r.from_worker.data + r.from_worker.len, r.from_worker.cap - r.from_worker.len);
          if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
            r.worker_eof = TRUE;
          else if (got > 0)
            {
              gsize whole;

              r.from_worker.len += got;
              whole = whole_frames (&r.from_worker, NULL, &bad);
              if (!write_all (STDOUT_FILENO, r.from_worker.data, whole))
                return end_worker (&r);
              ps_buffer_consume (&r.from_worker, whole);
              if (bad)
                r.worker_eof = TRUE; /* the engine will find it out from the frame */
            }
        }

      if ((fds[2].revents & POLLIN) && r.worker_eof)
        break;
      if (fds[2].revents & POLLIN)
        {
          /* gone: read what it wrote before it went, then tell its end */
          int flags = fcntl (r.sock, F_GETFL);
          fcntl (r.sock, F_SETFL, flags & ~O_NONBLOCK);
          shutdown (r.sock, SHUT_WR);
          while (!r.worker_eof)
            {
              gssize got;
              gsize whole;

              if (r.from_worker.cap - r.from_worker.len < READ_SIZE / 2)
                ps_buffer_grow (&r.from_worker, READ_SIZE);
              got = read (r.sock, r.from_worker.data + r.from_worker.len, r.from_worker.cap - r.from_worker.len);
              if (got <= 0)
                break;
              r.from_worker.len += got;
              whole = whole_frames (&r.from_worker, NULL, &bad);
              if (!write_all (STDOUT_FILENO, r.from_worker.data, whole))
                return 1;
              ps_buffer_consume (&r.from_worker, whole);
              if (bad)
                break;
            }
          break;
        }
    }

  if (waitid (P_PIDFD, r.pidfd, &info, WEXITED) < 0)
    return 1;
  if (info.si_code == CLD_EXITED)
    status = W_EXITCODE (info.si_status, 0);
  else
    status = (info.si_status & 0x7f) | (info.si_code == CLD_DUMPED ? 0x80 : 0);
  ps_buffer_init (&b);
  ps_proto_put_exit (&b, status);
  write_all (STDOUT_FILENO, b.data, b.len);
  ps_buffer_clear (&b);
  ps_sampled_free (r.sampled);
  return 0;
}
