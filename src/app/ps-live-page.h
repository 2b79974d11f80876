/* ps-live-page.h: the Live page: one run as it happens, or replayed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ps-progress-table.h"
#include "ps-run-model.h"

G_BEGIN_DECLS

#define PS_TYPE_LIVE_PAGE (ps_live_page_get_type ())

G_DECLARE_FINAL_TYPE (PsLivePage, ps_live_page, PS, LIVE_PAGE, GtkWidget)

void             ps_live_page_set_model     (PsLivePage *self,
                                             PsRunModel *model);
void             ps_live_page_show_run      (PsLivePage *self);
gboolean         ps_live_page_render        (PsLivePage *self,
                                             gboolean    texts);
gboolean         ps_live_page_show_view     (PsLivePage *self,
                                             const char *name);
void             ps_live_page_set_narrow    (PsLivePage *self,
                                             gboolean    narrow);
PsProgressTable *ps_live_page_get_table     (PsLivePage *self);
const char      *ps_live_page_get_summary   (PsLivePage *self);

void             ps_run_model_format_progress (PsRunModel *model,
                                               GString    *out);

G_END_DECLS
