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
void  ps_history_page_delete_selected (PsHistoryPage *self);
void  ps_history_page_compare    (PsHistoryPage *self);
void  ps_history_page_remember_log (PsHistoryPage *self,
                                    const char    *path);
const char *ps_history_page_get_selected_log (PsHistoryPage *self);
gboolean    ps_history_page_selected_is_sweep (PsHistoryPage *self);
void  ps_history_page_undo_delete_all (PsHistoryPage      *self,
                                       const char * const *paths);
void  ps_history_page_undo_delete (PsHistoryPage *self,
                                   const char    *path);
void  ps_history_page_finish_delete (PsHistoryPage *self,
                                     const char    *path);

G_END_DECLS
