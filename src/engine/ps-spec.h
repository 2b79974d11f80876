/* ps-spec.h: a batch and the pool that runs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ps-items.h"
#include "ps-workload.h"

G_BEGIN_DECLS

#define PS_WORKERS_MAX 1024

typedef enum
{
  PS_START_FORK,
  PS_START_SPAWN,
} PsStartMethod;

typedef enum
{
  PS_ORDER_MAP,
  PS_ORDER_UNORDERED,
} PsOrder;

typedef enum
{
  PS_FORMAT_LINES,
  PS_FORMAT_LIST,
  PS_FORMAT_NONE,
} PsFormat;

typedef struct
{
  const char *name;
  const char *title;        /* translatable */
  const char *description;  /* translatable */
  const char *items;
  const char *workload;
  guint       workers;
  PsOrder     order;
  PsFormat    format;
  const char *epilogue;     /* printed by the engine after the run, or NULL */
} PsPreset;

typedef struct
{
  char          *preset;
  char          *items_spec;
  PsItems       *items;
  char          *workload_spec;
  PsWorkload     workload;
  guint          workers;
  gboolean       workers_set;     /* given explicitly: a preset does not override it */
  PsStartMethod  start;
  guint64        chunksize;       /* 0: automatic, as Pool.map */
  PsOrder        order;
  PsFormat       format;
  gboolean       format_set;
  guint64        seed;
  gboolean       seed_set;        /* given, or drawn by ps_spec_finish(): 0 is a seed too */
  double         sample_hz;
  double         timeout_s;       /* 0: none */
  guint          retries;
  guint64        max_tasks_per_child; /* 0: unlimited */
  char          *log_path;
  gboolean       quiet;
  gboolean       json;
} PsSpec;

const PsPreset *ps_preset_lookup        (const char     *name);
const PsPreset *ps_preset_list          (guint          *n_presets);

PsSpec         *ps_spec_new             (void);
PsSpec         *ps_spec_copy            (const PsSpec   *self);
void            ps_spec_free            (PsSpec         *self);
gboolean        ps_spec_parse_args      (PsSpec         *self,
                                         int             argc,
                                         char          **argv,
                                         GError        **error);
gboolean        ps_spec_finish          (PsSpec         *self,
                                         GError        **error);
guint64         ps_spec_get_chunksize   (const PsSpec   *self);
guint64         ps_spec_get_n_tasks     (const PsSpec   *self);
GPtrArray      *ps_spec_to_args         (const PsSpec   *self);
const char     *ps_start_method_to_string (PsStartMethod method);
const char     *ps_order_to_string      (PsOrder         order);
guint           ps_spec_default_workers (void);

gboolean        ps_parse_workers        (const char     *text,
                                         guint           max,
                                         guint          *out,
                                         GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsSpec, ps_spec_free)

G_END_DECLS
