/* ps-sizing-page.h: the Sizing page: a sweep's points, fits and answer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ps-sweep.h"

G_BEGIN_DECLS

#define PS_TYPE_SIZING_PAGE (ps_sizing_page_get_type ())

G_DECLARE_FINAL_TYPE (PsSizingPage, ps_sizing_page, PS, SIZING_PAGE, GtkWidget)

gboolean    ps_sizing_page_get_request (PsSizingPage *self,
                                        guint         usable_cpus,
                                        GArray      **counts,
                                        guint        *reps,
                                        GError      **error);
void        ps_sizing_page_set_sweep   (PsSizingPage *self,
                                        PsSweep      *sweep);
void        ps_sizing_page_update      (PsSizingPage *self,
                                        gboolean      running,
                                        guint         next_run,
                                        gboolean      stopped);
void        ps_sizing_page_set_failure (PsSizingPage *self,
                                        const char   *text);
const char *ps_sizing_page_get_recommendation (PsSizingPage *self);

void          ps_sizing_page_show_plan (PsSizingPage *self,
                                        PsSweep      *sweep);

G_END_DECLS
