/* ps-engine-client.h: drives `poolscope-run --ipc` from a main loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ps-event.h"

G_BEGIN_DECLS

#define PS_TYPE_ENGINE_CLIENT (ps_engine_client_get_type ())

G_DECLARE_FINAL_TYPE (PsEngineClient, ps_engine_client, PS, ENGINE_CLIENT, GObject)

PsEngineClient *ps_engine_client_new         (const char          *engine_path);
void            ps_engine_client_run_async  (PsEngineClient      *self,
                                             const char * const  *args,
                                             PsEventFunc          sink,
                                             gpointer             sink_data,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean        ps_engine_client_run_finish (PsEngineClient      *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void            ps_engine_client_resize     (PsEngineClient *self,
                                             guint           workers);
void            ps_engine_client_cancel     (PsEngineClient      *self);
void            ps_engine_client_detach     (PsEngineClient      *self);
gboolean        ps_engine_client_is_running (PsEngineClient      *self);
GPid            ps_engine_client_get_pid    (PsEngineClient      *self);
guint           ps_engine_client_get_cores  (PsEngineClient      *self);

G_END_DECLS
