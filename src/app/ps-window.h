/* ps-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ps-application.h"

G_BEGIN_DECLS

#define PS_TYPE_WINDOW (ps_window_get_type ())

G_DECLARE_FINAL_TYPE (PsWindow, ps_window, PS, WINDOW, AdwApplicationWindow)

PsWindow *ps_window_new          (PsApplication *app);
void      ps_window_set_preset   (PsWindow      *self,
                                  const char    *name);
void      ps_window_set_workers  (PsWindow      *self,
                                  guint          workers);
void      ps_window_set_items    (PsWindow      *self,
                                  const char    *items);
void      ps_window_set_workload (PsWindow      *self,
                                  const char    *workload);
void      ps_window_set_hosts    (PsWindow      *self,
                                  const char    *hosts);
void      ps_window_set_chunksize (PsWindow     *self,
                                   const char   *chunksize);
void      ps_window_open_log     (PsWindow      *self,
                                  GFile         *file);

G_END_DECLS
