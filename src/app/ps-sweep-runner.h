/* ps-sweep-runner.h: a sizing sweep run by the app, one run at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "ps-run-session.h"
#include "ps-sweep-record.h"
#include "ps-sweep.h"

G_BEGIN_DECLS

#define PS_TYPE_SWEEP_RUNNER (ps_sweep_runner_get_type ())

G_DECLARE_FINAL_TYPE (PsSweepRunner, ps_sweep_runner, PS, SWEEP_RUNNER, GObject)

PsSweepRunner *ps_sweep_runner_new        (PsRunSession  *session);
void           ps_sweep_runner_start      (PsSweepRunner *self,
                                           PsSweep       *sweep);
void           ps_sweep_runner_start_kept (PsSweepRunner *self,
                                           PsSweep       *sweep,
                                           PsSweepRecord *record);
void           ps_sweep_runner_stop       (PsSweepRunner *self);
gboolean       ps_sweep_runner_is_running (PsSweepRunner *self);
PsSweep       *ps_sweep_runner_get_sweep  (PsSweepRunner *self);
guint          ps_sweep_runner_get_index  (PsSweepRunner *self);
const char    *ps_sweep_runner_get_failure (PsSweepRunner *self);

G_END_DECLS
