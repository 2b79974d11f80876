/* ps-run-view.h: the live views of a run, drawn from a PsRunModel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ps-run-draw.h"

G_BEGIN_DECLS

#define PS_TYPE_RUN_VIEW (ps_run_view_get_type ())

G_DECLARE_FINAL_TYPE (PsRunView, ps_run_view, PS, RUN_VIEW, GtkWidget)

GtkWidget     *ps_run_view_new          (PsRunViewKind  kind,
                                         PsRunModel    *model);
PsRunViewKind  ps_run_view_get_kind     (PsRunView     *self);
PsRunModel    *ps_run_view_get_model    (PsRunView     *self);
void           ps_run_view_set_model    (PsRunView     *self,
                                         PsRunModel    *model);
gboolean       ps_run_view_update       (PsRunView     *self);

G_END_DECLS
