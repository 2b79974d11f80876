/* ps-ipc-server.h: the engine side of `poolscope-run --ipc`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int ps_ipc_server_run (const char *self_exe);

G_END_DECLS
