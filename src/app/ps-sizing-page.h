/* ps-sizing-page.h: the Sizing page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PS_TYPE_SIZING_PAGE (ps_sizing_page_get_type ())

G_DECLARE_FINAL_TYPE (PsSizingPage, ps_sizing_page, PS, SIZING_PAGE, GtkWidget)

G_END_DECLS
