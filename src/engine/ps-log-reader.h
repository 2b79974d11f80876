/* ps-log-reader.h: reading a run log back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ps-event.h"

G_BEGIN_DECLS

/* Lines longer than this are refused: no line the engine writes comes near. */
#define PS_LOG_MAX_LINE (4u * 1024u * 1024u)

typedef struct
{
  GArray       *events;    /* of PsEvent; their strings are owned by @strings */
  GStringChunk *strings;
  char         *problem;   /* NULL, or why the log stops early (a sentence, translated) */
  guint64       n_lines;   /* lines read, blank ones included, not the one that stopped it */
} PsLog;

PsLog *ps_log_parse (const char  *data,
                     gsize        len,
                     GError     **error);
PsLog *ps_log_load  (const char  *path,
                     GError     **error);
void   ps_log_free  (PsLog       *log);

gboolean ps_log_foreach      (const char    *path,
                              PsEventFunc    func,
                              gpointer       data,
                              char         **problem,
                              GError       **error);
gboolean ps_log_foreach_batched (const char *path,
                              PsEventFunc    func,
                              gpointer       data,
                              char         **problem,
                              GError       **error);
gboolean ps_log_foreach_sweep (const char    *path,
                              PsEventFunc    func,
                              gpointer       data,
                              GCancellable  *cancellable,
                              int           *permille,
                              char         **problem,
                              GError       **error);
gboolean ps_log_is_sweep     (const char    *path);
gboolean ps_log_read_batched (const char    *path,
                              PsEventFunc    func,
                              gpointer       data,
                              GCancellable  *cancellable,
                              int           *permille,
                              char         **problem,
                              GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsLog, ps_log_free)

G_END_DECLS
