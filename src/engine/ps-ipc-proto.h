/* ps-ipc-proto.h: the protocol between the app and `poolscope-run --ipc`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ps-frame.h"

G_BEGIN_DECLS

typedef struct
{
  guint32     version;
  const char *name;
  guint32     cores;     /* the engine's HELLO only */
} PsProtoHello;

typedef struct
{
  guint32     code;      /* 2: refused (bad options), 3: could not be carried out */
  const char *message;
} PsProtoError;

void       ps_proto_put_hello  (PsBuffer           *b,
                                const char         *name,
                                gboolean            with_cores,
                                guint32             cores);
gboolean   ps_proto_read_hello (const PsFrame      *frame,
                                gboolean            with_cores,
                                PsProtoHello       *out,
                                GError            **error);
void       ps_proto_put_run    (PsBuffer           *b,
                                const char * const *args,
                                guint               n_args);
GPtrArray *ps_proto_read_run   (const PsFrame      *frame,
                                GError            **error);
void       ps_proto_put_cancel (PsBuffer           *b);
void        ps_proto_put_resize    (PsBuffer      *b,
                                    guint32        workers);
gboolean    ps_proto_read_resize   (const PsFrame *frame,
                                    guint32       *workers,
                                    GError       **error);
void       ps_proto_put_error  (PsBuffer           *b,
                                guint32             code,
                                const char         *message);
gboolean   ps_proto_read_error (const PsFrame      *frame,
                                PsProtoError       *out,
                                GError            **error);

G_END_DECLS
