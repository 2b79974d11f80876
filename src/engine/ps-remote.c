/* ps-remote.c: the hosts of one pool: their connections and clocks, and
 * workers started on them
 *
 * Before a pool with hosts starts, each host gets one command through its
 * launcher (ps-hosts.c): `poolscope-run --worker --hello` there, which
 * says its version, protocol and CPUs, and then answers lines with its
 * clock (ps-remote-worker.c). With OpenSSH that command is the master of
 * a shared connection (ControlMaster): the run's workers there are
 * sessions of it, so a run logs in once per host, and the connection
 * lives exactly as long as the hello: closed (ps_remote_close()) when the
 * run ends, or cut when the engine dies (PR_SET_PDEATHSIG), which cuts
 * every worker's session with it.
 *
 * A host that cannot be reached, refuses the login, lacks poolscope-run,
 * or has another version of it is said once, by name, and left out.
 *
 * The clock offset: PS_REMOTE_PINGS round trips of the hello; the one
 * with the shortest round trip gives offset = (sent + received) / 2 −
 * the host's time, right within half that round trip (whatever the
 * latency, the host read its clock between sent and received).
 *
 * Everything here runs on the engine's main context, asynchronously: a
 * host that takes seconds to answer does not stop Stop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-remote"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <gio/gio.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "ps-error.h"
#include "ps-frame.h"
#include "ps-remote.h"

#define HELLO_TIMEOUT_S 30

typedef struct
{
  PsRemoteHost      pub;
  PsRemote         *remote;
  guint             index;
  GSubprocess      *hello;
  GOutputStream    *hello_in;
  GDataInputStream *hello_out;
  GOutputStream    *err;          /* the hello's stderr, kept */
  char             *control_path; /* OpenSSH's shared connection, or NULL */
  guint             pings;
  gint64            ping_sent;
  gint64            best_rtt;
  guint             timeout_id;
  gboolean          settled;
  gboolean          err_done;
  gboolean          exited;
  int               exit_status;
  gboolean          ended;        /* its hello's stdout ended */
} Host;

struct _PsRemote
{
  GPtrArray         *hosts;       /* Host* */
  GPtrArray         *spec_hosts;  /* PsHost, kept alive */
  char              *launcher;
  char              *program;     /* poolscope-run on the hosts */
  gboolean           spawn;
  guint              sample_ms;
  char              *socket_dir;
  GCancellable      *cancellable;
  PsRemoteReadyFunc  ready;
  PsRemoteLostFunc   lost;
  gpointer           data;
  guint              n_settled;
  guint              ready_idle;
  gboolean           connecting;
  gboolean           closing;
};

static void end_hello (Host *h, int sig);

static inline gint64
mono_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static void
host_free (Host *h)
{
  g_clear_handle_id (&h->timeout_id, g_source_remove);
  g_clear_object (&h->hello);
  g_clear_object (&h->hello_out);
  g_clear_object (&h->err);
  g_free (h->control_path);
  g_free (h->pub.failure);
  g_free (h);
}

/**
 * ps_remote_new:
 * @spec: a finished spec with hosts; it must outlive the remote (the
 *   program run there is --remote-run, or poolscope-run in its PATH)
 */
PsRemote *
ps_remote_new (const PsSpec *spec)
{
  PsRemote *self = g_new0 (PsRemote, 1);

  self->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) host_free);
  self->spec_hosts = g_ptr_array_ref (spec->hosts);
  self->launcher = g_strdup (spec->launcher ? spec->launcher : PS_LAUNCHER_DEFAULT);
  self->program = g_strdup (spec->remote_run ? spec->remote_run : "poolscope-run");
  self->spawn = spec->start == PS_START_SPAWN;
  self->sample_ms = spec->sample_hz > 0 ? MAX (1, (guint) (1000.0 / spec->sample_hz)) : 0;
  self->cancellable = g_cancellable_new ();
  for (guint i = 0; i < spec->hosts->len; i++)
    {
      Host *h = g_new0 (Host, 1);

      h->remote = self;
      h->index = i;
      h->pub.host = g_ptr_array_index (spec->hosts, i);
      h->pub.slots = h->pub.host->slots;
      g_ptr_array_add (self->hosts, h);
    }
  return self;
}

static void
remove_socket_dir (PsRemote *self)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (self->socket_dir == NULL)
    return;
  dir = g_dir_open (self->socket_dir, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->socket_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (self->socket_dir);
  g_clear_pointer (&self->socket_dir, g_free);
}

void
ps_remote_free (PsRemote *self)
{
  if (self == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->ready_idle, g_source_remove);
  for (guint i = 0; i < self->hosts->len; i++)
    {
      Host *h = g_ptr_array_index (self->hosts, i);

      /* the connection goes with the pool, and every session on it */
      end_hello (h, SIGTERM);
    }
  remove_socket_dir (self);
  g_ptr_array_unref (self->hosts);
  g_ptr_array_unref (self->spec_hosts);
  g_object_unref (self->cancellable);
  g_free (self->launcher);
  g_free (self->program);
  g_free (self);
}

guint
ps_remote_get_n_hosts (PsRemote *self)
{
  return self->hosts->len;
}

PsRemoteHost *
ps_remote_get_host (PsRemote *self,
                    guint     index)
{
  g_return_val_if_fail (index < self->hosts->len, NULL);
  return &((Host *) g_ptr_array_index (self->hosts, index))->pub;
}

/* Its hello, and with ssh the connection it is the master of, goes on. */
gboolean
ps_remote_is_connected (PsRemote *self,
                        guint     index)
{
  Host *h = g_ptr_array_index (self->hosts, index);

  return h->pub.host->local || (h->hello != NULL && !h->exited && !h->ended);
}

gboolean
ps_remote_is_connecting (PsRemote *self)
{
  return self->connecting;
}

static gboolean
ready_idle_cb (gpointer data)
{
  PsRemote *self = data;

  self->ready_idle = 0;
  self->connecting = FALSE;
  self->ready (self, self->data);
  return G_SOURCE_REMOVE;
}

/* The hello's launcher and what it started (its own process group: an
 * ssh with a ProxyCommand, a script), while the launcher is not reaped:
 * after that its group id may be anyone's. */
static void
end_hello (Host *h,
           int   sig)
{
  const char *id;

  if (h->hello == NULL || h->exited || (id = g_subprocess_get_identifier (h->hello)) == NULL)
    return;
  kill (-(pid_t) g_ascii_strtoll (id, NULL, 10), sig);
}

static void
settle (Host       *h,
        gboolean    up,
        char       *failure)
{
  PsRemote *self = h->remote;

  if (h->settled)
    {
      g_free (failure);
      return;
    }
  h->settled = TRUE;
  h->pub.up = up;
  h->pub.failure = failure;
  g_clear_handle_id (&h->timeout_id, g_source_remove);
  if (!up)
    end_hello (h, SIGKILL);
  if (++self->n_settled == self->hosts->len && self->ready_idle == 0)
    self->ready_idle = g_idle_add (ready_idle_cb, self);
}

/* The last line of what the launcher said on stderr (ssh's reason). */
static char *
last_err_line (Host *h)
{
  GMemoryOutputStream *m = G_MEMORY_OUTPUT_STREAM (h->err);
  gsize len = h->err ? g_memory_output_stream_get_data_size (m) : 0;
  g_autofree char *text = len ? g_utf8_make_valid (g_memory_output_stream_get_data (m), len) : NULL;
  g_auto(GStrv) lines = text ? g_strsplit (text, "\n", -1) : NULL;

  for (guint i = lines ? g_strv_length (lines) : 0; i > 0; i--)
    {
      char *line = g_strstrip (lines[i - 1]);

      gsize n = strlen (line);

      /* said inside a sentence of ours: without its own full stop */
      if (n > 0 && line[n - 1] == '.')
        line[--n] = '\0';
      if (*line)
        return g_utf8_strlen (line, -1) > 200 ? g_utf8_substring (line, 0, 200) : g_strdup (line);
    }
  return NULL;
}

/* The hello ended before it answered: once its exit and its stderr are
 * both in, say why, as the user can act on it. */
static void
explain (Host *h)
{
  const char *name = h->pub.host->name;
  g_autofree char *said = NULL;
  int code;

  if (h->settled || !h->exited || !h->err_done || !h->ended)
    return;
  said = last_err_line (h);
  code = WIFEXITED (h->exit_status) ? WEXITSTATUS (h->exit_status) : -1;
  if (code == 127)
    settle (h, FALSE, g_strdup_printf (_("host %s: “%s” is not there (install Poolscope on it, or give "
                                         "its path with --remote-run)%s%s"), name, h->remote->program,
                                       said ? ": " : "", said ? said : ""));
  else if (code == 2)
    settle (h, FALSE, g_strdup_printf (_("host %s: “%s” there does not know --worker --hello: an older "
                                         "version? Install the same version on both%s%s"),
                                       name, h->remote->program, said ? ": " : "", said ? said : ""));
  else if (code == 126)
    settle (h, FALSE, g_strdup_printf (_("host %s: “%s” cannot be run there%s%s"), name, h->remote->program,
                                       said ? ": " : "", said ? said : ""));
  else if (code == 255)
    settle (h, FALSE, g_strdup_printf (_("host %s: cannot connect or log in: %s"), name,
                                       said ? said : _("the launcher ended with code 255")));
  else if (code >= 0)
    settle (h, FALSE, g_strdup_printf (_("host %s: the launcher ended with code %d before poolscope-run "
                                         "answered%s%s"), name, code, said ? ": " : "", said ? said : ""));
  else
    settle (h, FALSE, g_strdup_printf (_("host %s: the launcher was killed by signal %d before "
                                         "poolscope-run answered"), name, WTERMSIG (h->exit_status)));
}

static void read_reply (Host *h);

/* A host that was up lost its connection: once. */
static void
lost (Host *h)
{
  PsRemote *self = h->remote;

  if (!h->pub.up || self->closing)
    return;
  h->pub.up = FALSE;
  h->pub.lost = TRUE;
  g_free (h->pub.failure);
  h->pub.failure = g_strdup_printf (_("host %s: the connection was lost"), h->pub.host->name);
  if (self->lost)
    self->lost (self, h->index, self->data);
}

static void
hello_exited_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  Host *h = data;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL))
    return; /* the remote has gone */
  h->exited = TRUE;
  h->exit_status = g_subprocess_get_status (G_SUBPROCESS (object));
  if (h->settled)
    lost (h);
  else
    explain (h);
}

static void
err_spliced_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  Host *h = data;
  g_autoptr(GError) error = NULL;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  h->err_done = TRUE;
  explain (h);
}

static void
send_ping (Host *h)
{
  g_autoptr(GError) error = NULL;

  h->ping_sent = mono_ns ();
  if (!g_output_stream_write_all (h->hello_in, "\n", 1, NULL, NULL, &error) ||
      !g_output_stream_flush (h->hello_in, NULL, &error))
    {
      h->ended = TRUE; /* it is going: its exit says why */
      explain (h);
      return;
    }
  read_reply (h);
}

static gboolean
check_greeting (Host       *h,
                const char *line)
{
  const char *name = h->pub.host->name;
  g_auto(GStrv) words = g_strsplit (line, " ", -1);
  guint64 protocol = 0, cores = 0;

  if (g_strv_length (words) != 4 || !g_str_equal (words[0], "poolscope-run") ||
      !g_ascii_string_to_unsigned (words[2], 10, 0, 255, &protocol, NULL) ||
      !g_ascii_string_to_unsigned (words[3], 10, 1, 1 << 20, &cores, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (line, -1);
      g_autofree char *shown = g_utf8_strlen (valid, -1) > 80 ? g_utf8_substring (valid, 0, 80) : g_strdup (valid);

      settle (h, FALSE, g_strdup_printf (_("host %s: “%s” did not answer as poolscope-run does (it said “%s”; "
                                           "a login script that prints may be the cause)"),
                                         name, h->remote->program, shown));
      return FALSE;
    }
  if (protocol != PS_PROTOCOL_VERSION || !g_str_equal (words[1], PACKAGE_VERSION))
    {
      g_autofree char *there = g_utf8_make_valid (words[1], -1);

      settle (h, FALSE, g_strdup_printf (_("host %s: poolscope-run %s is there, %s here (protocol %u, %u): "
                                           "install the same version on both"),
                                         name, there, PACKAGE_VERSION, (guint) protocol, PS_PROTOCOL_VERSION));
      return FALSE;
    }
  h->pub.cores = (guint) cores;
  if (h->pub.slots == 0)
    h->pub.slots = MIN ((guint) cores, PS_WORKERS_MAX);
  return TRUE;
}

static void
line_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  Host *h = data;
  g_autoptr(GError) error = NULL;
  gint64 now = mono_ns ();
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (line == NULL)
    {
      h->ended = TRUE;
      if (h->settled)
        lost (h);
      else
        explain (h);
      return;
    }
  if (h->settled)
    {
      read_reply (h); /* nothing more is said: wait for the end */
      return;
    }
  if (h->pings == 0 && h->ping_sent == 0)
    {
      if (check_greeting (h, line))
        send_ping (h);
      return;
    }
  {
    gint64 theirs;
    gint64 rtt = now - h->ping_sent;

    if (!g_ascii_string_to_signed (line, 10, G_MININT64, G_MAXINT64, &theirs, NULL))
      {
        settle (h, FALSE, g_strdup_printf (_("host %s: poolscope-run answered the clock with “%.40s”"),
                                           h->pub.host->name, line));
        return;
      }
    if (h->pings == 0 || rtt < h->best_rtt)
      {
        h->best_rtt = rtt;
        h->pub.clock_offset_ns = h->ping_sent + rtt / 2 - theirs;
        h->pub.clock_error_ns = MAX (rtt / 2, 1);
      }
    if (++h->pings < PS_REMOTE_PINGS)
      send_ping (h);
    else
      {
        settle (h, TRUE, NULL);
        read_reply (h);
      }
  }
}

static void
read_reply (Host *h)
{
  g_data_input_stream_read_line_async (h->hello_out, G_PRIORITY_DEFAULT, h->remote->cancellable,
                                       line_read_cb, h);
}

static gboolean
hello_timeout_cb (gpointer data)
{
  Host *h = data;

  h->timeout_id = 0;
  settle (h, FALSE, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "host %s: no answer within %d second",
                                                  "host %s: no answer within %d seconds", HELLO_TIMEOUT_S),
                                     h->pub.host->name, HELLO_TIMEOUT_S));
  return G_SOURCE_REMOVE;
}

/* In the launcher: die with the engine; Ctrl+C is the engine's to turn
 * into a cancel (ssh would die of it), so the launcher has its own
 * process group, away from the terminal's. */
static void
launcher_child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  setpgid (0, 0);
  signal (SIGINT, SIG_IGN);
  signal (SIGUSR1, SIG_IGN);
  signal (SIGUSR2, SIG_IGN);
}

static void
start_hello (Host *h)
{
  PsRemote *self = h->remote;
  const char *remote_argv[] = { self->program, "--worker", "--hello", NULL };
  g_auto(GStrv) argv = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) error = NULL;

  /* with OpenSSH, the hello is the master of the host's shared connection */
  if (ps_host_uses_ssh (h->pub.host, self->launcher) && self->socket_dir != NULL)
    h->control_path = g_strdup_printf ("%s/%u", self->socket_dir, h->index);
  argv = ps_host_launch_argv (h->pub.host, self->launcher, h->control_path, TRUE, remote_argv);
  g_subprocess_launcher_set_child_setup (launcher, launcher_child_setup, NULL, NULL);
  h->hello = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  if (h->hello == NULL)
    {
      settle (h, FALSE, g_strdup_printf (_("host %s: cannot run “%s”: %s"), h->pub.host->name, argv[0],
                                         error->message));
      return;
    }
  h->hello_in = g_subprocess_get_stdin_pipe (h->hello);
  h->hello_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (h->hello));
  g_data_input_stream_set_newline_type (h->hello_out, G_DATA_STREAM_NEWLINE_TYPE_LF);
  h->err = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (h->err, g_subprocess_get_stderr_pipe (h->hello),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE, G_PRIORITY_DEFAULT, self->cancellable,
                                err_spliced_cb, h);
  g_subprocess_wait_async (h->hello, self->cancellable, hello_exited_cb, h);
  h->timeout_id = g_timeout_add_seconds (HELLO_TIMEOUT_S, hello_timeout_cb, h);
  read_reply (h);
}

/* The folder of the run's ssh control sockets, named after this engine:
 * the folders an engine killed outright left behind (ssh removed their
 * sockets, not them) are removed here when that engine is gone and they
 * are empty. */
static char *
make_socket_dir (void)
{
  g_autofree char *name = g_strdup_printf ("poolscope-ssh-%d-XXXXXX", (int) getpid ());
  g_autoptr(GDir) tmp = g_dir_open (g_get_tmp_dir (), 0, NULL);
  const char *entry;

  while (tmp && (entry = g_dir_read_name (tmp)) != NULL)
    {
      gint64 pid;
      char *end = NULL;
      g_autofree char *path = NULL;
      g_autofree char *proc = NULL;

      if (!g_str_has_prefix (entry, "poolscope-ssh-"))
        continue;
      pid = g_ascii_strtoll (entry + strlen ("poolscope-ssh-"), &end, 10);
      if (pid <= 1 || end == NULL || *end != '-')
        continue;
      proc = g_strdup_printf ("/proc/%" G_GINT64_FORMAT, pid);
      if (g_file_test (proc, G_FILE_TEST_EXISTS))
        continue;
      path = g_build_filename (g_get_tmp_dir (), entry, NULL);
      g_rmdir (path); /* only if empty: a folder with sockets is someone's */
    }
  return g_dir_make_tmp (name, NULL);
}

/**
 * ps_remote_connect:
 * @ready: called (from the main loop, never from here) once every host
 *   has answered or failed
 * @lost: called when a host that was up loses its connection
 *
 * Starts the hello of every host at once.
 */
void
ps_remote_connect (PsRemote          *self,
                   PsRemoteReadyFunc  ready,
                   PsRemoteLostFunc   lost_func,
                   gpointer           data)
{
  self->ready = ready;
  self->lost = lost_func;
  self->data = data;
  self->connecting = TRUE;
  for (guint i = 0; i < self->hosts->len; i++)
    {
      Host *h = g_ptr_array_index (self->hosts, i);

      if (!h->pub.host->local)
        {
          if (self->socket_dir == NULL)
            self->socket_dir = make_socket_dir ();
          start_hello (h);
          continue;
        }
      /* this machine: no connection, the same clock */
      h->pub.cores = (guint) MAX (1, sysconf (_SC_NPROCESSORS_ONLN));
      if (h->pub.slots == 0)
        h->pub.slots = MIN (h->pub.cores, PS_WORKERS_MAX);
      settle (h, TRUE, NULL);
    }
  if (self->hosts->len == 0 && self->ready_idle == 0)
    self->ready_idle = g_idle_add (ready_idle_cb, self);
}

/* A stderr of its own for a worker's launcher: ssh makes its standard
 * descriptors non-blocking, and on a description it shared with the
 * engine (a pipe, a terminal) the engine's own writes — its results,
 * with 2>&1 — would fail with EAGAIN. A regular file does not mind.
 * Returns: the descriptor to give, or -1: give a pipe, forwarded here */
static int
launcher_stderr (void)
{
  struct stat st;

  if (fstat (STDERR_FILENO, &st) < 0)
    return open ("/dev/null", O_WRONLY | O_CLOEXEC);
  if (S_ISREG (st.st_mode))
    return dup (STDERR_FILENO);
  /* a new description of the same pipe or terminal (not of a socket) */
  return open ("/proc/self/fd/2", O_WRONLY | O_CLOEXEC | O_NOCTTY);
}

static void
err_forwarded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_output_stream_splice_finish (G_OUTPUT_STREAM (object), result, NULL);
}

/**
 * ps_remote_start_worker:
 * @index: a host that is up and not this machine
 *
 * Starts `poolscope-run --worker --stdio` there. @out's pid is the
 * launcher's (ssh) here: ending it ends the worker there.
 */
gboolean
ps_remote_start_worker (PsRemote           *self,
                        guint               index,
                        PsLauncherExitFunc  on_exit,
                        gpointer            data,
                        PsLaunched         *out,
                        GError            **error)
{
  Host *h = g_ptr_array_index (self->hosts, index);
  g_autofree char *sample_ms = g_strdup_printf ("%u", self->sample_ms);
  const char *remote_argv[] = { self->program, "--worker", "--stdio", "--sample-ms", sample_ms,
                                self->spawn ? "--spawn" : NULL, NULL };
  int err_fd = launcher_stderr ();
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (err_fd < 0 ? G_SUBPROCESS_FLAGS_STDERR_PIPE : G_SUBPROCESS_FLAGS_NONE);
  /* a connection carries so many sessions; the rest log in on their own */
  const char *control = h->pub.sessions < PS_HOST_SESSIONS_PER_CONNECTION ? h->control_path : NULL;
  g_auto(GStrv) argv = ps_host_launch_argv (h->pub.host, self->launcher, control, FALSE, remote_argv);
  GSubprocess *proc;
  int sv[2];

  memset (out, 0, sizeof *out);
  out->fd = out->exit_fd = -1;
  if (!h->pub.up)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_FAILED, "%s", h->pub.failure ? h->pub.failure : h->pub.host->name);
      return FALSE;
    }
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    {
      int saved = errno;
      g_set_error (error, PS_ERROR, PS_ERROR_FAILED, _("cannot create a channel: %s"), g_strerror (saved));
      return FALSE;
    }
  g_subprocess_launcher_take_stdout_fd (launcher, dup (sv[1]));
  g_subprocess_launcher_take_stdin_fd (launcher, sv[1]);
  if (err_fd >= 0)
    g_subprocess_launcher_take_stderr_fd (launcher, err_fd);
  g_subprocess_launcher_set_child_setup (launcher, launcher_child_setup, NULL, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, error);
  if (proc == NULL)
    {
      close (sv[0]);
      return FALSE;
    }
  h->pub.started++;
  if (err_fd < 0)
    {
      /* what it says goes to the engine's stderr, through a pipe of its own */
      g_autoptr(GOutputStream) err = g_unix_output_stream_new (STDERR_FILENO, FALSE);

      g_output_stream_splice_async (err, g_subprocess_get_stderr_pipe (proc), G_OUTPUT_STREAM_SPLICE_NONE,
                                    G_PRIORITY_DEFAULT, self->cancellable, err_forwarded_cb, NULL);
    }
  /* just started, not reaped: it has its pid */
  out->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (proc) ? g_subprocess_get_identifier (proc)
                                                                        : "0", NULL, 10);
  out->fd = sv[0];
  fcntl (out->fd, F_SETFL, fcntl (out->fd, F_GETFL) | O_NONBLOCK);
  out->clock_offset_ns = h->pub.clock_offset_ns;
  out->remote = TRUE;
  out->shared_connection = control != NULL;
  out->priv = proc;
  ps_launcher_watch_exit (proc, self->cancellable, on_exit, data);
  return TRUE;
}

/**
 * ps_remote_close:
 *
 * The run is over: each host's hello (and with it its connection) is let
 * go. A connection that ends from here on is not a loss.
 */
void
ps_remote_close (PsRemote *self)
{
  self->closing = TRUE;
  for (guint i = 0; i < self->hosts->len; i++)
    {
      Host *h = g_ptr_array_index (self->hosts, i);

      if (h->hello_in != NULL)
        g_output_stream_close (h->hello_in, NULL, NULL);
    }
}
