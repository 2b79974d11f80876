/* ps-cli-run.h: poolscope-run's subcommands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* set by main() when the program started with stdout closed */
extern gboolean ps_cli_stdout_closed;

int ps_cli_run       (int          argc,
                      char       **argv,
                      const char  *self_exe);
int ps_cli_sweep     (int          argc,
                      char       **argv,
                      const char  *self_exe);
int ps_cli_export    (int          argc,
                      char       **argv);
int ps_cli_history   (int          argc,
                      char       **argv);

G_END_DECLS
