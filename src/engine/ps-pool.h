/* ps-pool.h: a pool of worker processes running one batch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "ps-event.h"
#include "ps-spec.h"
#include "ps-task-batch.h"

G_BEGIN_DECLS

#define PS_TYPE_POOL (ps_pool_get_type ())

G_DECLARE_FINAL_TYPE (PsPool, ps_pool, PS, POOL, GObject)

PsPool       *ps_pool_new                (PsSpec       *spec);
void          ps_pool_set_event_func     (PsPool       *self,
                                          PsEventFunc   func,
                                          gpointer      user_data);
void          ps_pool_set_worker_command (PsPool       *self,
                                          const char   *path);
gboolean      ps_pool_start              (PsPool       *self,
                                          GError      **error);
void          ps_pool_cancel             (PsPool       *self);
void          ps_pool_resize             (PsPool       *self,
                                          guint         workers);
gboolean      ps_pool_is_finished        (PsPool       *self);
const PsSpec *ps_pool_get_spec           (PsPool       *self);

G_END_DECLS
