/* ps-export.h: a run's events in formats other tools read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ps-event.h"

G_BEGIN_DECLS

typedef enum
{
  PS_EXPORT_JSONL,   /* the run log itself (docs/log-format.md) */
  PS_EXPORT_CSV,     /* a row per task attempt, RFC 4180 */
  PS_EXPORT_JOBLOG,  /* GNU parallel's --joblog */
  PS_EXPORT_TRACE,   /* Chrome trace-event JSON, for Perfetto and chrome://tracing */
} PsExportFormat;

typedef struct _PsExporter PsExporter;

gboolean    ps_export_format_parse (const char      *text,
                                    PsExportFormat  *out,
                                    GError         **error);
const char *ps_export_format_list  (void);

PsExporter *ps_exporter_new        (PsExportFormat   format,
                                    int              fd);
void        ps_exporter_add        (const PsEvent   *event,
                                    gpointer         exporter);
gboolean    ps_exporter_finish     (PsExporter      *self,
                                    GError         **error);
void        ps_exporter_free       (PsExporter      *self);
guint64     ps_exporter_get_n_tasks (PsExporter     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsExporter, ps_exporter_free)

G_END_DECLS
