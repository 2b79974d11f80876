/* ps-error.h: the engine's error domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PS_ERROR (ps_error_quark ())

typedef enum
{
  PS_ERROR_INVALID_INPUT,   /* bad usage or input: the CLI exits 2 */
  PS_ERROR_PROTOCOL,        /* a frame or log line that does not decode */
  PS_ERROR_FAILED,          /* the run could not be carried out: exit 3 */
} PsError;

GQuark ps_error_quark (void);

G_END_DECLS
