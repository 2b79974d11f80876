/* ps-launcher.h: how a pool worker is started, noticed when it exits,
 * and reached
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ps-spec.h"

G_BEGIN_DECLS

/* A started worker, as its launcher hands it to the pool. */
typedef struct
{
  GPid     pid;
  int      fd;              /* the channel (frames both ways); the pool's to close */
  int      exit_fd;         /* readable once the worker has exited (a pidfd; reap it with
                             * ps_launched_reap()), or -1: the launcher calls back instead */
  gint64   clock_offset_ns; /* add to the times the worker reports to get the engine's
                             * (0 on this machine; estimated for a remote one) */
  gboolean remote;          /* on another host: pid is its launcher's (ssh) here, killing
                             * it ends the worker there; the worker's own pid comes in READY */
  gboolean shared_connection; /* a session of its host's one ssh connection */
  gpointer priv;            /* the launcher's: ps_launched_clear() lets it go */
} PsLaunched;

/* The worker has exited; @wait_status as waitpid() gives it. */
typedef void (*PsLauncherExitFunc) (int      wait_status,
                                    gpointer data);

typedef struct _PsLauncher PsLauncher;

PsLauncher *ps_launcher_new        (PsStartMethod       method,
                                    const char         *worker_command);
void        ps_launcher_free       (PsLauncher         *self);
const char *ps_launcher_get_kind   (PsLauncher         *self);
gboolean    ps_launcher_start      (PsLauncher         *self,
                                    const char         *name,
                                    PsLauncherExitFunc  on_exit,
                                    gpointer            data,
                                    PsLaunched         *out,
                                    GError            **error);
gboolean    ps_launched_reap       (PsLaunched         *worker,
                                    int                *wait_status);
void        ps_launched_kill       (PsLaunched         *worker,
                                    int                 sig);
void        ps_launched_clear      (PsLaunched         *worker);
gboolean    ps_launcher_child_prepare (int              channel);
void        ps_launcher_watch_exit (GSubprocess        *proc,
                                    GCancellable       *cancellable,
                                    PsLauncherExitFunc  on_exit,
                                    gpointer            data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsLauncher, ps_launcher_free)

G_END_DECLS
