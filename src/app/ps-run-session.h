/* ps-run-session.h: a run's life in the app, apart from any widget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ps-run-model.h"
#include "ps-sweep.h"
#include "ps-spec.h"

G_BEGIN_DECLS

typedef enum
{
  PS_RUN_STATE_IDLE,       /* nothing runs: a run may have ended, or a log is shown */
  PS_RUN_STATE_PREPARING,  /* Run was pressed: the model's memory is made ready */
  PS_RUN_STATE_RUNNING,    /* the engine runs the batch */
  PS_RUN_STATE_STOPPING,   /* Stop was pressed: the engine winds down */
} PsRunState;

#define PS_TYPE_RUN_SESSION (ps_run_session_get_type ())

G_DECLARE_FINAL_TYPE (PsRunSession, ps_run_session, PS, RUN_SESSION, GObject)

PsRunSession *ps_run_session_new          (const char    *engine_path);
void          ps_run_session_set_engine_path (PsRunSession *self,
                                           const char    *engine_path);
void          ps_run_session_set_event_tap (PsRunSession *self,
                                           PsEventFunc    func,
                                           gpointer       data);
void          ps_run_session_set_keep     (PsRunSession  *self,
                                           const char    *dir,
                                           guint          runs,
                                           guint64        bytes);
const char   *ps_run_session_get_log_path (PsRunSession  *self);
gboolean      ps_run_session_log_is_in_use (const char   *path);
PsRunModel   *ps_run_session_get_model    (PsRunSession  *self);
PsRunState    ps_run_session_get_state    (PsRunSession  *self);
gboolean      ps_run_session_is_busy      (PsRunSession  *self);
gboolean      ps_run_session_was_stopped  (PsRunSession  *self);
const char   *ps_run_session_get_source   (PsRunSession  *self);
guint         ps_run_session_get_pool_size (PsRunSession *self);
gboolean      ps_run_session_is_on_hosts  (PsRunSession  *self);
void          ps_run_session_start        (PsRunSession  *self,
                                           const PsSpec  *spec);
void          ps_run_session_stop         (PsRunSession  *self);
void          ps_run_session_resize       (PsRunSession  *self,
                                           guint          workers);
void          ps_run_session_replay_async (PsRunSession  *self,
                                           GFile         *file,
                                           GCancellable  *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer       user_data);
double        ps_run_session_get_replay_fraction (PsRunSession *self);
gboolean      ps_run_session_replay_finish (PsRunSession *self,
                                           GAsyncResult  *result,
                                           char         **problem,
                                           PsSweep      **sweep,
                                           GError       **error);
void          ps_run_session_close        (PsRunSession  *self);

G_END_DECLS
