/* ps-format.h: numbers as a person reads them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Room for any value the _buf variants write in the locales we know of;
 * a text that does not fit is cut, never overrun. */
#define PS_FORMAT_BUF_SIZE 64

char *ps_format_duration     (gint64   ns) G_GNUC_WARN_UNUSED_RESULT;
void  ps_format_duration_buf (gint64   ns,
                              char    *buf,
                              gsize    size);

char *ps_format_bytes        (gint64   bytes) G_GNUC_WARN_UNUSED_RESULT;
void  ps_format_bytes_buf    (gint64   bytes,
                              char    *buf,
                              gsize    size);

char *ps_format_count        (guint64  n) G_GNUC_WARN_UNUSED_RESULT;
void  ps_format_count_buf    (guint64  n,
                              char    *buf,
                              gsize    size);

char *ps_format_number       (double   value) G_GNUC_WARN_UNUSED_RESULT;
char *ps_format_number_as_typed (double value) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
