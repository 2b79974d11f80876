/* ps-sizing-page.c: the Sizing page
 *
 * Until the sizing sweep lands (ps-sweep in the engine), the page says
 * what it will show; the sweep's charts go here as PsChart subclasses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <adwaita.h>

#include "ps-sizing-page.h"

struct _PsSizingPage
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (PsSizingPage, ps_sizing_page, GTK_TYPE_WIDGET)

static void
ps_sizing_page_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), PS_TYPE_SIZING_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))))
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (ps_sizing_page_parent_class)->dispose (object);
}

static void
ps_sizing_page_class_init (PsSizingPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ps_sizing_page_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/poolscope/Poolscope/ps-sizing-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ps_sizing_page_init (PsSizingPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
