/* ps-workload.h: what a worker does with each item
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  PS_WORKLOAD_SQUARE,
  PS_WORKLOAD_PRINT,
  PS_WORKLOAD_HELLO,
  PS_WORKLOAD_CPU,
  PS_WORKLOAD_SLEEP,
  PS_WORKLOAD_RANDOM_CPU,
  PS_WORKLOAD_RANDOM_SLEEP,
  PS_WORKLOAD_ALLOC,
  PS_WORKLOAD_CRASH,
  PS_WORKLOAD_LOCK,
  PS_WORKLOAD_COMMAND,  /* command:WORDS: a program per item, no shell */
  PS_WORKLOAD_SHELL,    /* shell:SCRIPT: /bin/sh -c SCRIPT per item */
  PS_WORKLOAD_PROGRAM,  /* program:WORDS: one long-lived program per worker */
} PsWorkloadKind;

typedef struct
{
  PsWorkloadKind kind;
  double ms;        /* cpu, sleep; the mean for random; lock: the time outside the lock */
  double in_ms;     /* lock: the time holding the pool's one lock */
  double sd_ms;     /* random */
  double mb;        /* alloc */
  double p;         /* crash */
  char  *text;      /* command, program: the words as typed; shell: the script (owned) */
} PsWorkload;

/* The longest a single task may be asked to take: one day. */
#define PS_WORKLOAD_MAX_MS (24.0 * 3600.0 * 1000.0)
/* The most memory alloc:MB may touch. */
#define PS_WORKLOAD_MAX_MB (64.0 * 1024.0)

gboolean  ps_workload_parse          (const char        *spec,
                                      PsWorkload        *out,
                                      GError           **error);
void      ps_workload_clear          (PsWorkload        *self);
void      ps_workload_copy           (const PsWorkload  *self,
                                      PsWorkload        *out);
gboolean  ps_workload_runs_program   (const PsWorkload  *self);
char    **ps_workload_get_argv       (const PsWorkload  *self);
gboolean  ps_workload_check_runnable (const PsWorkload  *self,
                                      GError           **error);
char     *ps_workload_to_string      (const PsWorkload  *self);
gboolean  ps_workload_needs_integers (const PsWorkload  *self);
gboolean  ps_workload_is_trivial     (const PsWorkload  *self);
gboolean  ps_workload_has_result     (const PsWorkload  *self);
double    ps_workload_draw_ms        (const PsWorkload  *self,
                                      guint64            seed,
                                      guint64            task,
                                      guint              attempt);
gboolean  ps_workload_draw_crash     (const PsWorkload  *self,
                                      guint64            seed,
                                      guint64            task,
                                      guint              attempt);
const char *const *ps_workload_list_names (void);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PsWorkload, ps_workload_clear)

G_END_DECLS
