/* ps-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PS_TYPE_APPLICATION (ps_application_get_type ())

G_DECLARE_FINAL_TYPE (PsApplication, ps_application, PS, APPLICATION, AdwApplication)

PsApplication *ps_application_new             (void);
const char    *ps_application_get_engine_path (PsApplication *self);

G_END_DECLS
