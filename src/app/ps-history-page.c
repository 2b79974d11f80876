/* ps-history-page.c: the History page
 *
 * Until runs are kept (a history in SQLite, exports), the page says
 * what it will show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <adwaita.h>

#include "ps-history-page.h"

struct _PsHistoryPage
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (PsHistoryPage, ps_history_page, GTK_TYPE_WIDGET)

static void
ps_history_page_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), PS_TYPE_HISTORY_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))))
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (ps_history_page_parent_class)->dispose (object);
}

static void
ps_history_page_class_init (PsHistoryPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ps_history_page_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/poolscope/Poolscope/ps-history-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ps_history_page_init (PsHistoryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
