/* ps-remote.h: the hosts of one pool: their connections and clocks, and
 * workers started on them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ps-hosts.h"
#include "ps-launcher.h"
#include "ps-spec.h"

G_BEGIN_DECLS

#define PS_REMOTE_PINGS 8
/* the engine's PING to each remote worker: the relay ends its worker
 * after four missed (ps-remote-worker.c) */
#define PS_REMOTE_PING_S 5

typedef struct
{
  const PsHost *host;
  guint         slots;            /* given, or its CPUs */
  guint         cores;            /* as the host says */
  gboolean      up;               /* connected, and not lost since */
  gint64        clock_offset_ns;  /* add to the host's CLOCK_MONOTONIC for the engine's */
  gint64        clock_error_ns;   /* the offset is right within this (half the best round trip) */
  char         *failure;          /* why it is not up: said once, with its name */
  gboolean      lost;             /* it was up, and its connection went */
  guint         live;             /* workers the pool runs there now */
  guint         sessions;         /* of them, sessions of its shared connection */
  guint         start_failures;   /* workers in a row that ended before READY */
  guint         started;          /* workers started there, ever */
} PsRemoteHost;

typedef struct _PsRemote PsRemote;

/* Every host has answered, or failed. */
typedef void (*PsRemoteReadyFunc) (PsRemote *remote,
                                   gpointer  data);
/* A host that was up has lost its connection: its workers are going. */
typedef void (*PsRemoteLostFunc)  (PsRemote *remote,
                                   guint     index,
                                   gpointer  data);

PsRemote     *ps_remote_new           (const PsSpec       *spec);
void          ps_remote_free          (PsRemote           *self);
void          ps_remote_connect       (PsRemote           *self,
                                       PsRemoteReadyFunc   ready,
                                       PsRemoteLostFunc    lost,
                                       gpointer            data);
gboolean      ps_remote_is_connecting (PsRemote           *self);
gboolean      ps_remote_is_connected  (PsRemote           *self,
                                       guint               index);
guint         ps_remote_get_n_hosts   (PsRemote           *self);
PsRemoteHost *ps_remote_get_host      (PsRemote           *self,
                                       guint               index);
gboolean      ps_remote_start_worker  (PsRemote           *self,
                                       guint               index,
                                       PsLauncherExitFunc  on_exit,
                                       gpointer            data,
                                       PsLaunched         *out,
                                       GError            **error);
void          ps_remote_close         (PsRemote           *self);

int           ps_remote_hello_main    (void);
int           ps_remote_relay_main    (gboolean            spawn,
                                       guint               sample_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsRemote, ps_remote_free)

G_END_DECLS
