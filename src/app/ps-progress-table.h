/* ps-progress-table.h: a row per worker, as a GtkColumnView
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ps-run-model.h"

G_BEGIN_DECLS

#define PS_TYPE_PROGRESS_TABLE (ps_progress_table_get_type ())

G_DECLARE_FINAL_TYPE (PsProgressTable, ps_progress_table, PS, PROGRESS_TABLE, GtkWidget)

GtkWidget  *ps_progress_table_new        (void);
void        ps_progress_table_set_model  (PsProgressTable *self,
                                          PsRunModel      *model);
void        ps_progress_table_update     (PsProgressTable *self);
guint       ps_progress_table_get_n_rows (PsProgressTable *self);
const char *ps_progress_table_get_text   (PsProgressTable *self,
                                          guint            row,
                                          guint            column);

/* Columns, in their order on screen. */
typedef enum
{
  PS_PROGRESS_WORKER,
  PS_PROGRESS_PID,
  PS_PROGRESS_START,
  PS_PROGRESS_DONE,
  PS_PROGRESS_FAILED,
  PS_PROGRESS_BUSY,
  PS_PROGRESS_CPU,
  PS_PROGRESS_MEMORY,
  PS_PROGRESS_NOW,
  PS_PROGRESS_N_COLUMNS,
} PsProgressColumn;

G_END_DECLS
