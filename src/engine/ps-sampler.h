/* ps-sampler.h: CPU and memory of a pool's processes, read from /proc
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ps-proc-stat.h"

G_BEGIN_DECLS

/* One sampled process: its /proc handle and when to read what. */
typedef struct _PsSampled PsSampled;

PsSampled *ps_sampled_new    (gint32        pid,
                              gboolean      lean,
                              gint64        started_ns);
void       ps_sampled_free   (PsSampled    *self);
void       ps_sampled_heard  (PsSampled    *self);
gboolean   ps_sampled_read   (PsSampled    *self,
                              gint64        now_ns,
                              PsProcSample *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsSampled, ps_sampled_free)

G_END_DECLS
