/* ps-command.h: a command per item: GNU parallel's replacement strings,
 * with or without a shell (pure)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PsCommand PsCommand;

PsCommand *ps_command_new_argv     (const char * const *argv,
                                    GError            **error);
PsCommand *ps_command_new_shell    (const char         *script,
                                    GError            **error);
void       ps_command_free         (PsCommand          *self);
gboolean   ps_command_is_shell     (const PsCommand    *self);
gboolean   ps_command_takes_item   (const PsCommand    *self);
char     **ps_command_expand       (const PsCommand    *self,
                                    const char         *item,
                                    guint64             seq,
                                    guint               slot);
char      *ps_command_display      (const PsCommand    *self,
                                    const char         *item,
                                    guint64             seq,
                                    guint               slot);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsCommand, ps_command_free)

G_END_DECLS
