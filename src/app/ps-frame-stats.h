/* ps-frame-stats.h: POOLSCOPE_FRAME_STATS=FILE, what bench/live-run.py reads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ps-run-model.h"

G_BEGIN_DECLS

typedef struct _PsFrameStats PsFrameStats;

PsFrameStats *ps_frame_stats_new_from_env (void);
void          ps_frame_stats_free         (PsFrameStats *self);
void          ps_frame_stats_run_started  (PsFrameStats *self);
void          ps_frame_stats_frame        (PsFrameStats *self,
                                           gint64        frame_time);
gboolean      ps_frame_stats_run_finished (PsFrameStats *self,
                                           PsRunModel   *model);

G_END_DECLS
