/* ps-history.h: the runs kept, and their index (SQLite)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PS_HISTORY_SCHEMA_VERSION 3

typedef struct
{
  gint64   id;
  gint64   started_ns;     /* wall clock, ns since 1970; 0: not known */
  char    *items;
  char    *workload;
  char    *start_method;
  guint    workers;
  guint64  tasks;
  guint64  ok;
  guint64  failed;
  guint64  cancelled;
  gint64   wall_ns;        /* -1: the log stops before its run-end */
  char    *status;         /* "ok", "failed", "stopped", "cut off" */
  char    *path;           /* the log */
  gint64   size;           /* of the log, in bytes */
  /* schema 2 */
  char    *kind;           /* "run", or "sweep": a sizing sweep (Sizing shows it) */
  char    *counts;         /* a sweep's worker counts, "1, 2, 4"; "" for a run */
  guint    recommended;    /* a sweep's answer; 0: none */
  char    *hosts;          /* the hosts it ran on ("2/server1,1/here"); "": this machine */
} PsHistoryRun;

typedef struct _PsHistory PsHistory;

char         *ps_history_default_dir  (void);
PsHistory    *ps_history_open         (const char   *dir,
                                       gboolean     *rebuilt,
                                       GError      **error);
void          ps_history_close        (PsHistory    *self);
const char   *ps_history_get_runs_dir (PsHistory    *self);
char         *ps_history_new_log_path (PsHistory    *self,
                                       GError      **error);
char         *ps_history_make_log_file (const char  *runs_dir,
                                       GError      **error);
gboolean      ps_history_add_log      (PsHistory    *self,
                                       const char   *path,
                                       GError      **error);
gboolean      ps_history_forget_missing (PsHistory  *self,
                                       GError      **error);
gboolean      ps_history_sync         (PsHistory    *self,
                                       GError      **error);
gboolean      ps_history_forget       (PsHistory    *self,
                                       const char   *path,
                                       GError      **error);
gboolean      ps_history_owns_log     (const char   *dir,
                                       const char   *path);
GPtrArray    *ps_history_list         (PsHistory    *self,
                                       const char   *search,
                                       GError      **error);
gboolean      ps_history_rebuild      (PsHistory    *self,
                                       GError      **error);
PsHistoryRun *ps_history_read_log     (const char   *path,
                                       GError      **error);
void          ps_history_run_free     (PsHistoryRun *run);
char         *ps_history_run_to_json  (const PsHistoryRun *run);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsHistory, ps_history_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PsHistoryRun, ps_history_run_free)

G_END_DECLS
