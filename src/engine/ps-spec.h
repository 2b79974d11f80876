/* ps-spec.h: a batch and the pool that runs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ps-hosts.h"
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

typedef enum
{
  PS_HALT_NEVER,
  PS_HALT_SOON,       /* hand out no more tasks; the running ones finish */
  PS_HALT_NOW,        /* stop at once, as Stop does */
} PsHaltWhen;

typedef enum
{
  PS_HALT_ON_FAIL,
  PS_HALT_ON_SUCCESS,
  PS_HALT_ON_DONE,
} PsHaltOn;

typedef enum
{
  PS_WORKER_PROTOCOL_LINES,  /* an item a line in, a result a line out */
  PS_WORKER_PROTOCOL_JSON,   /* a JSON object a line each way, with an id */
} PsWorkerProtocol;

/* What the worker does with a command's output (SETUP's flags). */
#define PS_OUTPUT_LINE_BUFFER  (1u << 0)  /* lines as they come; else a task's together at its end */
#define PS_OUTPUT_TAG          (1u << 1)  /* each line after the item and a tab */
#define PS_OUTPUT_RESULT_STDOUT (1u << 2) /* stdout is the result, not output */
#define PS_OUTPUT_JSON_PROGRAM (1u << 3)  /* the worker program speaks JSON */

/* What a task's output may keep by default: beyond it, the bytes are counted, and said. */
#define PS_OUTPUT_LIMIT_DEFAULT (16u * 1024u * 1024u)
#define PS_OUTPUT_LIMIT_MAX     (1024u * 1024u * 1024u)

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
  const char    *workload_from;   /* the option that gave it: --workload, --shell, … */
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
  /* commands and worker programs */
  guint32        output_flags;    /* PS_OUTPUT_* */
  guint64        output_limit;    /* bytes of output a task keeps; 0: all (with line buffering only) */
  gboolean       output_limit_set;
  PsWorkerProtocol worker_protocol;
  PsHaltWhen     halt_when;       /* --halt, as GNU parallel's */
  PsHaltOn       halt_on;
  guint64        halt_count;      /* tasks, or 0 with halt_percent */
  double         halt_percent;    /* of all tasks, when > 0 */
  /* workers on other machines (ps-hosts) */
  char          *hosts_spec;      /* --hosts, as given */
  char          *hosts_file;      /* --hosts-file */
  char          *launcher;        /* --launcher 'TEMPLATE {host}'; NULL: OpenSSH */
  char          *remote_run;      /* --remote-run: the program on the hosts; NULL: poolscope-run */
  GPtrArray     *hosts;           /* PsHost: the two read by ps_spec_finish(); NULL: this machine */
  char          *log_path;
  gboolean       save;            /* --save: the log goes into the history */
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

gboolean        ps_parse_halt           (const char     *text,
                                         PsHaltWhen     *when,
                                         PsHaltOn       *on,
                                         guint64        *count,
                                         double         *percent,
                                         GError        **error);
gboolean        ps_parse_workers        (const char     *text,
                                         guint           max,
                                         guint          *out,
                                         GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsSpec, ps_spec_free)

G_END_DECLS
