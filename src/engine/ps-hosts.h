/* ps-hosts.h: the machines a pool's workers run on, as GNU parallel's
 * --sshlogin names them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The launcher when none is given: OpenSSH, never asking for a password. */
#define PS_LAUNCHER_DEFAULT "ssh -T -o BatchMode=yes {host}"
/* Worker sessions one ssh connection carries: sshd's MaxSessions is 10 by
 * default, the connection's own session (ps-remote's hello) is one, and
 * one is kept spare for a session sshd is still closing (a killed
 * worker's) when its replacement asks. */
#define PS_HOST_SESSIONS_PER_CONNECTION 8

typedef struct
{
  char     *entry;    /* as given, for messages */
  char     *login;    /* [user@]host; ":" for this machine */
  char     *name;     /* what workers are named after: the host, or this machine's name */
  char    **command;  /* the entry's own launcher words before the login ("ssh -p 2222"), or NULL */
  guint     slots;    /* workers it takes; 0: as many as it has CPUs */
  gboolean  local;
} PsHost;

void       ps_host_free          (PsHost      *self);
GPtrArray *ps_hosts_parse        (const char  *spec,
                                  GError     **error);
GPtrArray *ps_hosts_parse_file   (const char  *path,
                                  GError     **error);
gboolean   ps_hosts_check_launcher (const char *launcher,
                                  GError     **error);
gboolean   ps_hosts_any_remote   (GPtrArray   *hosts);
gboolean   ps_hosts_check_programs (GPtrArray *hosts,
                                  const char  *launcher,
                                  GError     **error);
char     **ps_host_launch_argv   (const PsHost *self,
                                  const char   *launcher,
                                  const char   *control_path,
                                  gboolean      master,
                                  const char * const *remote_argv);
gboolean   ps_launcher_is_ssh    (const char * const *argv);
gboolean   ps_host_uses_ssh      (const PsHost *self,
                                  const char   *launcher);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsHost, ps_host_free)

G_END_DECLS
