/* ps-items.h: the items of a batch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Items longer than this are refused with a message naming the line. */
#define PS_ITEM_MAX_LEN (64 * 1024)
/* A batch of more items than this is refused. */
#define PS_ITEMS_MAX_COUNT ((guint64) 100000000)

typedef struct _PsItems PsItems;

PsItems    *ps_items_new_range    (gint64       first,
                                   gint64       last,
                                   gint64       step,
                                   GError     **error);
PsItems    *ps_items_parse        (const char  *spec,
                                   GError     **error);
PsItems    *ps_items_parse_text   (const char  *data,
                                   gsize        len,
                                   const char  *origin,
                                   GError     **error);
PsItems    *ps_items_ref          (PsItems     *self);
void        ps_items_unref        (PsItems     *self);
guint64     ps_items_get_count    (const PsItems *self);
gboolean    ps_items_is_range     (const PsItems *self);
gboolean    ps_line_is_blank      (const char  *line,
                                   gsize        len);
const char *ps_items_get_text     (const PsItems *self,
                                   guint64      index,
                                   char         buf[32],
                                   gsize       *len);
gboolean    ps_items_get_int      (const PsItems *self,
                                   guint64      index,
                                   gint64      *value);
gsize       ps_format_int         (gint64       value,
                                   char         buf[24]);
gboolean    ps_items_check_integers (const PsItems *self,
                                   GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsItems, ps_items_unref)

G_END_DECLS
