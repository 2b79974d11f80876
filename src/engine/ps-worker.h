/* ps-worker.h: the loop a pool worker runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int ps_worker_main (int fd);

G_END_DECLS
