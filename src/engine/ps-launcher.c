/* ps-launcher.c: how a pool worker is started, noticed when it exits,
 * and reached
 *
 * The scheduler (ps-pool) only needs four things of a worker: a channel
 * that carries the worker protocol, a notice when it exits, a way to end
 * it, and the offset of its clock. A launcher provides them; the pool
 * does not know how the worker came to be:
 *
 * - fork: the engine forks; the child runs ps_worker_main() on the
 *   channel (copy-on-write, fast start). Its exit is a pidfd in the
 *   pool's epoll set.
 * - spawn: a fresh `poolscope-run --worker` through GSubprocess, the
 *   channel as fd 3; its exit comes through g_subprocess_wait_async().
 *
 * A launcher over ssh (or a cluster's srun) fits the same seam: its
 * channel is the remote side's stdin/stdout, its exit the ssh process,
 * and its clock offset measured at start.
 *
 * Every worker dies with the engine (PR_SET_PDEATHSIG: a SIGTERM, which
 * a worker running another program takes as the sign to end that
 * program's process group first) and ignores
 * SIGINT: Ctrl+C reaches the terminal's whole process group, and the
 * engine turns it into a cancel — a worker killed by it would look like
 * a crash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-launcher"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "ps-error.h"
#include "ps-launcher.h"
#include "ps-worker.h"

struct _PsLauncher
{
  PsStartMethod  method;
  char          *worker_command;
  pid_t          engine_pid;
  GCancellable  *cancellable;  /* no exit callback after the launcher is gone */
};

typedef struct
{
  PsLauncherExitFunc on_exit;
  gpointer           data;
} ExitWatch;

/**
 * ps_launcher_new:
 * @worker_command: the poolscope-run executable that spawn starts
 */
PsLauncher *
ps_launcher_new (PsStartMethod  method,
                 const char    *worker_command)
{
  PsLauncher *self = g_new0 (PsLauncher, 1);

  self->method = method;
  self->worker_command = g_strdup (worker_command);
  self->engine_pid = getpid ();
  self->cancellable = g_cancellable_new ();
  return self;
}

void
ps_launcher_free (PsLauncher *self)
{
  if (self == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_object_unref (self->cancellable);
  g_free (self->worker_command);
  g_free (self);
}

/* What names its workers: ForkPoolWorker-N, SpawnPoolWorker-N. */
const char *
ps_launcher_get_kind (PsLauncher *self)
{
  return self->method == PS_START_SPAWN ? "Spawn" : "Fork";
}

static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  signal (SIGINT, SIG_IGN);
  /* SIGUSR1/SIGUSR2 resize the engine's pool; sent to the whole group
   * they must not kill the workers */
  signal (SIGUSR1, SIG_IGN);
  signal (SIGUSR2, SIG_IGN);
}

/**
 * ps_launcher_child_prepare:
 * @channel: the child's end of the channel
 *
 * In a forked child that is to be a worker: die with the parent (a
 * SIGTERM), take Ctrl+C and the pool's SIGUSR1/2 as the engine's
 * business, the default for everything else; the channel as fd 3, stdin
 * /dev/null, stdout where stderr goes, nothing else open. Async-signal
 * safe. Returns: FALSE when the channel cannot be fd 3
 */
gboolean
ps_launcher_child_prepare (int channel)
{
  sigset_t all;
  int null_fd;

  prctl (PR_SET_PDEATHSIG, SIGTERM);
  signal (SIGINT, SIG_IGN);
  signal (SIGUSR1, SIG_IGN);
  signal (SIGUSR2, SIG_IGN);
  signal (SIGTERM, SIG_DFL);
  signal (SIGCHLD, SIG_DFL);
  signal (SIGPIPE, SIG_DFL);
  sigemptyset (&all);
  sigprocmask (SIG_SETMASK, &all, NULL);
  if (dup2 (channel, 3) < 0)
    return FALSE;
  null_fd = open ("/dev/null", O_RDONLY);
  if (null_fd >= 0)
    dup2 (null_fd, STDIN_FILENO);
  dup2 (STDERR_FILENO, STDOUT_FILENO);
  syscall (SYS_close_range, 4, ~0U, 0);
  return TRUE;
}

static gboolean
start_forked (PsLauncher  *self,
              const char  *name,
              int          child_fd,
              PsLaunched  *out,
              GError     **error)
{
  pid_t pid = fork ();

  if (pid < 0)
    {
      int saved = errno;
      g_set_error (error, PS_ERROR, PS_ERROR_FAILED, _("cannot fork a worker: %s"), g_strerror (saved));
      return FALSE;
    }
  if (pid == 0)
    {
      char comm[16];

      /* The child: a worker. Die with the engine; keep only the channel,
       * as fd 3, and stderr. */
      if (!ps_launcher_child_prepare (child_fd))
        _exit (71);
      if (getppid () != self->engine_pid)
        _exit (1);
      g_strlcpy (comm, name, sizeof comm);
      prctl (PR_SET_NAME, comm);
      _exit (ps_worker_main (3));
    }

  out->pid = pid;
  out->exit_fd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (out->exit_fd < 0)
    {
      int saved = errno;

      /* without a way to notice its exit, the worker must not run */
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      g_set_error (error, PS_ERROR, PS_ERROR_FAILED, _("cannot watch worker %d: %s"), pid,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static void
subprocess_wait_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autofree ExitWatch *watch = data;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL))
    return; /* the launcher has gone, and the pool with it */
  watch->on_exit (g_subprocess_get_status (G_SUBPROCESS (object)), watch->data);
}

/**
 * ps_launcher_watch_exit:
 * @cancellable: cancelled when @on_exit must no longer be called
 *
 * Calls @on_exit with @proc's wait status once it has exited.
 */
void
ps_launcher_watch_exit (GSubprocess        *proc,
                        GCancellable       *cancellable,
                        PsLauncherExitFunc  on_exit,
                        gpointer            data)
{
  ExitWatch *watch = g_new (ExitWatch, 1);

  watch->on_exit = on_exit;
  watch->data = data;
  g_subprocess_wait_async (proc, cancellable, subprocess_wait_cb, watch);
}

static gboolean
start_spawned (PsLauncher         *self,
               int                 child_fd,
               PsLauncherExitFunc  on_exit,
               gpointer            data,
               PsLaunched         *out,
               GError            **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  const char *argv[] = { self->worker_command, "--worker", NULL };
  int out_fd = dup (STDERR_FILENO);
  GSubprocess *proc;

  if (out_fd >= 0)
    g_subprocess_launcher_take_stdout_fd (launcher, out_fd);
  g_subprocess_launcher_take_fd (launcher, child_fd, 3);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (proc == NULL)
    return FALSE;
  out->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (proc), NULL, 10);
  out->exit_fd = -1;
  out->priv = proc;
  ps_launcher_watch_exit (proc, self->cancellable, on_exit, data);
  return TRUE;
}

/**
 * ps_launcher_start:
 * @name: the worker's name (its process name, for ps and top)
 * @on_exit: called when the worker exits, for a launcher that has no
 *   exit_fd to give (never after ps_launcher_free())
 * @out: (out caller-allocates): the worker
 *
 * Starts one worker. Its channel is non-blocking.
 *
 * Returns: %FALSE with @error set when it could not start
 */
gboolean
ps_launcher_start (PsLauncher          *self,
                   const char          *name,
                   PsLauncherExitFunc   on_exit,
                   gpointer             data,
                   PsLaunched          *out,
                   GError             **error)
{
  int sv[2];
  gboolean ok;

  memset (out, 0, sizeof *out);
  out->fd = out->exit_fd = -1;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    {
      int saved = errno;
      g_set_error (error, PS_ERROR, PS_ERROR_FAILED, _("cannot create a channel: %s"),
                   g_strerror (saved));
      return FALSE;
    }
  if (self->method == PS_START_FORK)
    {
      ok = start_forked (self, name, sv[1], out, error);
      close (sv[1]);
    }
  else
    ok = start_spawned (self, sv[1], on_exit, data, out, error); /* takes sv[1] */
  if (!ok)
    {
      close (sv[0]);
      return FALSE;
    }
  out->fd = sv[0];
  fcntl (out->fd, F_SETFL, fcntl (out->fd, F_GETFL) | O_NONBLOCK);
  return TRUE;
}

/**
 * ps_launched_reap:
 * @wait_status: (out): as waitpid() gives it
 *
 * Collects a worker whose exit_fd became readable, and closes exit_fd.
 *
 * Returns: %FALSE when it has not exited after all
 */
gboolean
ps_launched_reap (PsLaunched *worker,
                  int        *wait_status)
{
  siginfo_t info = { 0 };

  if (worker->exit_fd < 0 || waitid (P_PIDFD, worker->exit_fd, &info, WEXITED) < 0)
    return FALSE;
  close (worker->exit_fd);
  worker->exit_fd = -1;
  if (info.si_code == CLD_EXITED)
    *wait_status = W_EXITCODE (info.si_status, 0);
  else
    *wait_status = (info.si_status & 0x7f) | (info.si_code == CLD_DUMPED ? 0x80 : 0);
  return TRUE;
}

void
ps_launched_kill (PsLaunched *worker,
                  int         sig)
{
  /* a remote worker's launcher leads a process group of its own
   * (ps-remote.c): a launcher that is a script ends with what it started */
  if (worker->pid > 0 && worker->remote)
    kill (-worker->pid, sig);
  else if (worker->pid > 0)
    kill (worker->pid, sig);
}

/* Lets go of what the launcher kept of @worker (not its channel). */
void
ps_launched_clear (PsLaunched *worker)
{
  if (worker->exit_fd >= 0)
    close (worker->exit_fd);
  worker->exit_fd = -1;
  g_clear_object ((GSubprocess **) &worker->priv);
}
