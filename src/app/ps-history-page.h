/* ps-history-page.h: the History page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PS_TYPE_HISTORY_PAGE (ps_history_page_get_type ())

G_DECLARE_FINAL_TYPE (PsHistoryPage, ps_history_page, PS, HISTORY_PAGE, GtkWidget)

void  ps_history_page_reload     (PsHistoryPage *self);
guint ps_history_page_get_n_runs (PsHistoryPage *self);

G_END_DECLS
