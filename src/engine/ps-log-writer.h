/* ps-log-writer.h: the run log, JSON Lines written as the run goes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ps-event.h"

G_BEGIN_DECLS

typedef struct _PsLogWriter PsLogWriter;

PsLogWriter *ps_log_writer_new       (const char     *path,
                                      GError        **error);
void         ps_log_writer_add       (PsLogWriter    *self,
                                      const PsEvent  *event);
gboolean     ps_log_writer_flush     (PsLogWriter    *self,
                                      GError        **error);
const char  *ps_log_writer_get_error (PsLogWriter    *self);
void         ps_log_writer_free      (PsLogWriter    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsLogWriter, ps_log_writer_free)

G_END_DECLS
