/* ps-sweep-record.h: a sweep kept as it goes, in the history's form
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ps-event.h"
#include "ps-sweep.h"

G_BEGIN_DECLS

typedef struct _PsSweepRecord PsSweepRecord;

PsSweepRecord *ps_sweep_record_new       (const char     *path,
                                          GError        **error);
const char    *ps_sweep_record_get_path  (PsSweepRecord  *self);
void           ps_sweep_record_run       (PsSweepRecord  *self,
                                          PsSweep        *sweep,
                                          guint           index);
void           ps_sweep_record_add       (PsSweepRecord  *self,
                                          const PsEvent  *e);
void           ps_sweep_record_run_done  (PsSweepRecord  *self);
gboolean       ps_sweep_record_finish    (PsSweepRecord  *self,
                                          PsSweep        *sweep,
                                          gboolean        wait,
                                          GSourceFunc     done,
                                          gpointer        done_data,
                                          GError        **error);
gboolean       ps_sweep_record_wants     (const PsEvent  *e);

G_END_DECLS
