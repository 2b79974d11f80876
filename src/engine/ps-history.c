/* ps-history.c: the runs kept, and their index (SQLite)
 *
 * A kept run is its log, a file of DIR/runs/ (the record: JSON Lines,
 * docs/log-format.md, flushed as the run goes, so a run cut off by a
 * crash keeps what was seen). DIR/index.sqlite3 holds a row a run — its
 * batch, pool, times, totals and where its log is — so that a history of
 * thousands opens without reading them. The index is only ever derived
 * from the logs: when it is missing, damaged or from another schema it
 * is made again from them (ps_history_rebuild()).
 *
 * The database is in WAL mode, with a busy timeout: the app and
 * `poolscope-run run --save` may write at once. user_version is the
 * schema's version; a newer one than this code knows is refused.
 *
 * A PsHistory is used from one thread at a time (open one per thread).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-history"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ps-error.h"
#include "ps-event.h"
#include "ps-history.h"
#include "ps-sweep.h"

/* the first and the last line of a log are read, at most this much of each */
#define EDGE_BYTES (256 * 1024)

struct _PsHistory
{
  sqlite3 *db;
  gboolean newer;     /* the index is of a newer schema: left alone */
  gboolean damaged;   /* its quick_check failed */
  char    *dir;
  char    *runs_dir;
  char    *db_path;
};

static gboolean
db_error (PsHistory  *self,
          GError    **error,
          const char *what)
{
  g_set_error (error, PS_ERROR, PS_ERROR_FAILED, _("the history’s index: %s: %s"), what,
               self->db ? sqlite3_errmsg (self->db) : "?");
  return FALSE;
}

static gboolean
exec (PsHistory  *self,
      const char *sql,
      GError    **error)
{
  char *msg = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_FAILED, _("the history’s index: %s"), msg ? msg : "?");
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

/* Says the failure (when @what), then ends the transaction under way
 * without its changes. Always FALSE. */
static gboolean
rollback (PsHistory  *self,
          GError    **error,
          const char *what)
{
  if (what != NULL)
    db_error (self, error, what);
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static int
user_version (PsHistory *self)
{
  sqlite3_stmt *st = NULL;
  int v = -1;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step (st) == SQLITE_ROW)
    v = sqlite3_column_int (st, 0);
  sqlite3_finalize (st);
  return v;
}

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS runs ("
  "  id INTEGER PRIMARY KEY,"
  "  started_ns INTEGER NOT NULL,"
  "  items TEXT NOT NULL,"
  "  workload TEXT NOT NULL,"
  "  start_method TEXT NOT NULL,"
  "  workers INTEGER NOT NULL,"
  "  tasks INTEGER NOT NULL,"
  "  ok INTEGER NOT NULL,"
  "  failed INTEGER NOT NULL,"
  "  cancelled INTEGER NOT NULL,"
  "  wall_ns INTEGER NOT NULL,"
  "  status TEXT NOT NULL,"
  "  path TEXT NOT NULL UNIQUE,"
  "  size INTEGER NOT NULL,"
  "  kind TEXT NOT NULL DEFAULT 'run',"
  "  counts TEXT NOT NULL DEFAULT '',"
  "  recommended INTEGER NOT NULL DEFAULT 0,"
  "  hosts TEXT NOT NULL DEFAULT '');"
  "CREATE INDEX IF NOT EXISTS runs_by_time ON runs (started_ns DESC, id DESC);";

/* Schema 2 added sweeps: these columns, to a table that lacks them. */
static const struct { const char *name; const char *add; } columns_2[] = {
  { "kind", "ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'run'" },
  { "counts", "ALTER TABLE runs ADD COLUMN counts TEXT NOT NULL DEFAULT ''" },
  { "recommended", "ALTER TABLE runs ADD COLUMN recommended INTEGER NOT NULL DEFAULT 0" },
};

/* Schema 3 added workers on other hosts. */
static const struct { const char *name; const char *add; } columns_3[] = {
  { "hosts", "ALTER TABLE runs ADD COLUMN hosts TEXT NOT NULL DEFAULT ''" },
};

static gboolean
has_column (PsHistory  *self,
            const char *name)
{
  sqlite3_stmt *st = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA table_info(runs)", -1, &st, NULL) != SQLITE_OK)
    return FALSE;
  while (!found && sqlite3_step (st) == SQLITE_ROW)
    found = g_strcmp0 ((const char *) sqlite3_column_text (st, 1), name) == 0;
  sqlite3_finalize (st);
  return found;
}

/* Brings an index of an older schema (0: made before there were schemas,
 * or new) to this one, in one transaction that another opening waits
 * for (BEGIN IMMEDIATE; the version read again inside it). */
static gboolean
migrate (PsHistory *self,
         gboolean  *fresh,
         GError   **error)
{
  int version;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  version = user_version (self);
  if (version == 0)
    {
      /* new, or made before there were schemas: made now (a table there
       * already is kept, and given what it lacks below) */
      if (!exec (self, schema, error))
        goto fail;
      *fresh = TRUE;
    }
  if (version < 2)
    for (guint i = 0; i < G_N_ELEMENTS (columns_2); i++)
      if (!has_column (self, columns_2[i].name) && !exec (self, columns_2[i].add, error))
        goto fail;
  if (version < 3)
    for (guint i = 0; i < G_N_ELEMENTS (columns_3); i++)
      if (!has_column (self, columns_3[i].name) && !exec (self, columns_3[i].add, error))
        goto fail;
  if (version < PS_HISTORY_SCHEMA_VERSION &&
      !exec (self, "PRAGMA user_version = " G_STRINGIFY (PS_HISTORY_SCHEMA_VERSION), error))
    goto fail;
  return exec (self, "COMMIT", error);

fail:
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

/* Opens (and makes) the database; FALSE when it is not a usable one. */
static gboolean
open_db (PsHistory *self,
         gboolean  *fresh,
         GError   **error)
{
  int version;

  *fresh = !g_file_test (self->db_path, G_FILE_TEST_EXISTS);
  if (sqlite3_open_v2 (self->db_path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    return db_error (self, error, _("cannot open it"));
  sqlite3_busy_timeout (self->db, 5000);
  version = user_version (self);
  if (version < 0)
    return db_error (self, error, _("not a database"));
  if (version > PS_HISTORY_SCHEMA_VERSION)
    {
      self->newer = TRUE;
      g_set_error (error, PS_ERROR, PS_ERROR_FAILED,
                   _("the history’s index was made by a newer Poolscope (schema %d; this one knows %d)"),
                   version, PS_HISTORY_SCHEMA_VERSION);
      return FALSE;
    }
  if (!exec (self, "PRAGMA journal_mode=WAL", error))
    return FALSE;
  if (version < PS_HISTORY_SCHEMA_VERSION && !migrate (self, fresh, error))
    return FALSE;

  /* a damage past the first page shows only when the pages are read */
  {
    sqlite3_stmt *st = NULL;
    gboolean ok = FALSE;

    if (sqlite3_prepare_v2 (self->db, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step (st) == SQLITE_ROW)
      ok = g_strcmp0 ((const char *) sqlite3_column_text (st, 0), "ok") == 0;
    sqlite3_finalize (st);
    if (!ok)
      {
        self->damaged = TRUE;
        return db_error (self, error, _("damaged"));
      }
  }
  return TRUE;
}

/* Whether the last failure says the file is not a sound database (rather
 * than busy, full or not to be written): only then is it put aside. */
static gboolean
is_damage (PsHistory *self)
{
  int code = self->db ? sqlite3_errcode (self->db) : SQLITE_OK;

  return self->damaged || code == SQLITE_NOTADB || code == SQLITE_CORRUPT;
}

/**
 * ps_history_default_dir:
 *
 * Returns: (transfer full): the history's folder of this user, which the
 *   app and `poolscope-run` share: $XDG_DATA_HOME/poolscope
 */
char *
ps_history_default_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "poolscope", NULL);
}

/**
 * ps_history_open:
 * @dir: the history's folder (the app's: $XDG_DATA_HOME/poolscope)
 * @rebuilt: (out) (optional): set when the index was damaged, and was
 *   put aside and made again from the logs (a missing one is made
 *   without a word)
 *
 * Returns: (transfer full) (nullable): the history, or %NULL with @error
 */
PsHistory *
ps_history_open (const char  *dir,
                 gboolean    *rebuilt,
                 GError     **error)
{
  g_autoptr(PsHistory) self = g_new0 (PsHistory, 1);
  g_autoptr(GError) local_error = NULL;
  gboolean fresh = FALSE;

  if (rebuilt)
    *rebuilt = FALSE;
  self->dir = g_strdup (dir);
  self->runs_dir = g_build_filename (dir, "runs", NULL);
  self->db_path = g_build_filename (dir, "index.sqlite3", NULL);
  if (g_mkdir_with_parents (self->runs_dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, PS_ERROR, PS_ERROR_FAILED, _("cannot make the history’s folder “%s”: %s"),
                   self->runs_dir, g_strerror (saved));
      return NULL;
    }
  if (!open_db (self, &fresh, &local_error))
    {
      /* a damaged index is put aside and made again: the logs are the truth */
      g_autofree char *aside = g_strconcat (self->db_path, ".damaged", NULL);
      g_autofree char *wal = g_strconcat (self->db_path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (self->db_path, "-shm", NULL);

      if (self->newer || !is_damage (self))
        {
          /* newer, busy, full, not ours to write: left as it is */
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_clear_pointer (&self->db, sqlite3_close);
      g_rename (self->db_path, aside);
      g_unlink (wal);
      g_unlink (shm);
      g_clear_error (&local_error);
      self->damaged = FALSE;
      if (!open_db (self, &fresh, error))
        return NULL;
      if (rebuilt)
        *rebuilt = TRUE;
      fresh = TRUE;
    }
  /* a new index (the first run, or one put aside) is made from the logs */
  if (fresh && !ps_history_rebuild (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
ps_history_close (PsHistory *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->db, sqlite3_close);
  g_free (self->dir);
  g_free (self->runs_dir);
  g_free (self->db_path);
  g_free (self);
}

const char *
ps_history_get_runs_dir (PsHistory *self)
{
  return self->runs_dir;
}

/**
 * ps_history_new_log_path:
 *
 * Returns: (transfer full): a new, empty log file in the runs folder,
 *   named by the time (UTC, so that names sort as runs started), made
 *   with O_EXCL so that no other run takes the name
 */
char *
ps_history_new_log_path (PsHistory  *self,
                         GError    **error)
{
  return ps_history_make_log_file (self->runs_dir, error);
}

/**
 * ps_history_make_log_file:
 * @runs_dir: the history's runs folder (it exists)
 *
 * As ps_history_new_log_path(), without the index (no database is
 * opened: for a main loop).
 */
char *
ps_history_make_log_file (const char  *runs_dir,
                          GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  for (guint n = 0; n < 1000; n++)
    {
      g_autofree char *base = g_strdup_printf ("run-%sZ-%03u.jsonl", stamp, n);
      char *path = g_build_filename (runs_dir, base, NULL);
      int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

      if (fd >= 0)
        {
          close (fd);
          return path;
        }
      g_free (path);
      if (errno != EEXIST)
        break;
    }
  g_set_error (error, PS_ERROR, PS_ERROR_FAILED, _("cannot make a log in the history’s folder “%s”: %s"),
               runs_dir, g_strerror (errno));
  return NULL;
}

void
ps_history_run_free (PsHistoryRun *run)
{
  if (run == NULL)
    return;
  g_free (run->items);
  g_free (run->workload);
  g_free (run->start_method);
  g_free (run->hosts);
  g_free (run->status);
  g_free (run->path);
  g_free (run->kind);
  g_free (run->counts);
  g_free (run);
}

/* A line of the log as an event, or FALSE. */
static gboolean
parse_line (const char   *line,
            gsize         len,
            PsEvent      *e,
            GStringChunk *strings)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (PsTaskBatchEntry));

  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
    len--;
  /* ps_event_parse_json_line() checks the UTF-8 */
  return len > 0 && ps_event_parse_json_line (line, len, e, entries, strings, NULL);
}

/* A sweep's log: read back whole (a kept sweep is a few kilobytes a run). */
static PsHistoryRun *
read_sweep (const char  *path,
            gint64       size,
            GError     **error)
{
  g_autoptr(PsHistoryRun) run = g_new0 (PsHistoryRun, 1);
  g_autofree char *problem = NULL;
  g_autoptr(PsSweep) sweep = ps_sweep_load (path, &problem, error);
  g_autoptr(GString) counts = g_string_new (NULL);
  gboolean stopped = FALSE;
  const PsSpec *spec;

  if (sweep == NULL)
    return NULL;
  spec = ps_sweep_get_spec (sweep);
  run->kind = g_strdup ("sweep");
  run->started_ns = ps_sweep_get_started_ns (sweep);
  run->items = g_strdup (spec->items_spec ? spec->items_spec : "");
  run->workload = g_strdup (spec->workload_spec ? spec->workload_spec : "");
  run->start_method = g_strdup (ps_start_method_to_string (spec->start));
  for (guint i = 0; i < ps_sweep_get_n_counts (sweep); i++)
    {
      guint c = ps_sweep_get_count (sweep, i);

      g_string_append_printf (counts, i ? ", %u" : "%u", c);
      run->workers = MAX (run->workers, c);
    }
  run->counts = g_string_free (g_steal_pointer (&counts), FALSE);
  run->wall_ns = 0;
  for (guint i = 0; i < ps_sweep_get_n_runs (sweep); i++)
    {
      const PsSweepRun *r = ps_sweep_get_run (sweep, i);

      run->tasks = MAX (run->tasks, r->result.tasks);
      run->ok += r->result.ok;
      run->failed += r->result.failed;
      if (r->result.ended)
        run->wall_ns += r->result.wall_ns;
      stopped |= r->result.cancelled;
    }
  run->recommended = ps_sweep_get_recommended (sweep);
  run->status = g_strdup (!ps_sweep_is_ended (sweep) ? "cut off" : stopped ? "stopped"
                          : run->failed > 0 ? "failed" : "ok");
  run->path = g_strdup (path);
  run->size = size;
  return g_steal_pointer (&run);
}

/**
 * ps_history_read_log:
 *
 * What the index keeps of a log, from its first line (run-start) and its
 * last (run-end, when the run got to its end): two reads, whatever the
 * log's size.
 *
 * Returns: (transfer full) (nullable): the run, or %NULL with @error when
 *   @path is not the log of a run
 */
PsHistoryRun *
ps_history_read_log (const char  *path,
                     GError     **error)
{
  g_autoptr(PsHistoryRun) run = g_new0 (PsHistoryRun, 1);
  g_autoptr(GStringChunk) strings = g_string_chunk_new (1024);
  g_autofree char *head = g_malloc (EDGE_BYTES + 1);
  g_autofree char *tail = NULL;
  g_autofree char *shown = g_filename_display_name (path);
  struct stat st;
  PsEvent start, last;
  const char *nl, *line;
  gssize n;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0 || fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT, _("“%s” is not a run log: %s"), shown,
                   fd >= 0 ? _("not a regular file") : g_strerror (saved));
      return NULL;
    }
  n = pread (fd, head, EDGE_BYTES, 0);
  nl = n > 0 ? memchr (head, '\n', n) : NULL;
  if (n > 0 && nl != NULL && parse_line (head, nl - head, &start, strings) && start.type == PS_EVENT_SWEEP_RUN)
    {
      close (fd);
      return read_sweep (path, st.st_size, error);
    }
  if (n <= 0 || nl == NULL || !parse_line (head, nl - head, &start, strings) || start.type != PS_EVENT_RUN_START)
    {
      close (fd);
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT,
                   _("“%s” is not a run log: its first line is not a run-start"), shown);
      return NULL;
    }
  run->started_ns = start.epoch_ns;
  run->items = g_strdup (start.items ? start.items : "");
  run->workload = g_strdup (start.workload ? start.workload : "");
  run->start_method = g_strdup (start.start_method ? start.start_method : "");
  run->workers = start.workers;
  run->tasks = start.n_tasks;
  run->wall_ns = -1;
  run->path = g_strdup (path);
  run->size = st.st_size;
  run->status = g_strdup ("cut off");
  run->kind = g_strdup ("run");
  run->counts = g_strdup ("");
  run->hosts = g_strdup (start.hosts ? start.hosts : "");

  /* the last whole line */
  {
    gint64 from = MAX (0, (gint64) st.st_size - EDGE_BYTES);

    tail = g_malloc (EDGE_BYTES + 1);
    n = pread (fd, tail, EDGE_BYTES, from);
  }
  close (fd);
  if (n > 0 && tail[n - 1] == '\n')
    {
      const char *end = tail + n - 1;

      line = end;
      while (line > tail && line[-1] != '\n')
        line--;
      if ((line > tail || (gint64) st.st_size <= EDGE_BYTES) &&
          parse_line (line, end - line, &last, strings) && last.type == PS_EVENT_RUN_END)
        {
          run->ok = last.n_ok;
          run->failed = last.n_failed;
          run->cancelled = last.n_cancelled;
          run->wall_ns = last.t;
          g_free (run->status);
          run->status = g_strdup (last.cancelled ? "stopped"
                                  : (last.message && *last.message) || last.n_failed > 0 ? "failed" : "ok");
        }
    }
  return g_steal_pointer (&run);
}

static gboolean
insert (PsHistory          *self,
        const PsHistoryRun *run,
        GError            **error)
{
  sqlite3_stmt *st = NULL;
  gboolean ok;

  if (sqlite3_prepare_v2 (self->db,
                          "INSERT OR REPLACE INTO runs (id, started_ns, items, workload, start_method, workers, "
                          "tasks, ok, failed, cancelled, wall_ns, status, path, size, kind, counts, recommended, "
                          "hosts) "
                          "VALUES ((SELECT id FROM runs WHERE path = ?12), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                          "?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                          -1, &st, NULL) != SQLITE_OK)
    return db_error (self, error, _("cannot add a run"));
  sqlite3_bind_int64 (st, 1, run->started_ns);
  sqlite3_bind_text (st, 2, run->items, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, run->workload, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 4, run->start_method, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 5, run->workers);
  sqlite3_bind_int64 (st, 6, (sqlite3_int64) run->tasks);
  sqlite3_bind_int64 (st, 7, (sqlite3_int64) run->ok);
  sqlite3_bind_int64 (st, 8, (sqlite3_int64) run->failed);
  sqlite3_bind_int64 (st, 9, (sqlite3_int64) run->cancelled);
  sqlite3_bind_int64 (st, 10, run->wall_ns);
  sqlite3_bind_text (st, 11, run->status, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 12, run->path, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 13, run->size);
  sqlite3_bind_text (st, 14, run->kind ? run->kind : "run", -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 15, run->counts ? run->counts : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 16, run->recommended);
  sqlite3_bind_text (st, 17, run->hosts ? run->hosts : "", -1, SQLITE_STATIC);
  ok = sqlite3_step (st) == SQLITE_DONE;
  sqlite3_finalize (st);
  return ok || db_error (self, error, _("cannot add a run"));
}

/**
 * ps_history_add_log:
 *
 * Adds (or renews) the run whose log is @path.
 */
gboolean
ps_history_add_log (PsHistory   *self,
                    const char  *path,
                    GError     **error)
{
  g_autoptr(PsHistoryRun) run = ps_history_read_log (path, error);

  return run != NULL && insert (self, run, error);
}

/* Forgets the run whose log is @path (its log stays where it is). */
gboolean
ps_history_forget (PsHistory   *self,
                   const char  *path,
                   GError     **error)
{
  sqlite3_stmt *st = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "DELETE FROM runs WHERE path = ?1", -1, &st, NULL) != SQLITE_OK)
    return db_error (self, error, _("cannot forget a run"));
  sqlite3_bind_text (st, 1, path, -1, SQLITE_STATIC);
  rc = sqlite3_step (st);
  sqlite3_finalize (st);
  return rc == SQLITE_DONE || db_error (self, error, _("cannot forget a run"));
}

/* Whether @path is one of the history's own logs (else a log opened from elsewhere). */
gboolean
ps_history_owns_log (const char *dir,
                     const char *path)
{
  g_autofree char *runs = g_build_filename (dir, "runs", NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  return g_strcmp0 (runs, parent) == 0;
}

/* Forgets the runs whose logs are gone (pruned, deleted by hand). */
gboolean
ps_history_forget_missing (PsHistory  *self,
                           GError    **error)
{
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *st = NULL;

  if (sqlite3_prepare_v2 (self->db, "SELECT path FROM runs", -1, &st, NULL) != SQLITE_OK)
    return db_error (self, error, _("cannot read it"));
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      const char *path = (const char *) sqlite3_column_text (st, 0);

      if (path && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (gone, g_strdup (path));
    }
  sqlite3_finalize (st);
  if (gone->len == 0)
    return TRUE;
  if (!exec (self, "BEGIN", error))
    return FALSE;
  for (guint i = 0; i < gone->len; i++)
    {
      int rc;

      if (sqlite3_prepare_v2 (self->db, "DELETE FROM runs WHERE path = ?1", -1, &st, NULL) != SQLITE_OK)
        return rollback (self, error, _("cannot forget a run"));
      sqlite3_bind_text (st, 1, g_ptr_array_index (gone, i), -1, SQLITE_STATIC);
      rc = sqlite3_step (st);
      sqlite3_finalize (st);
      if (rc != SQLITE_DONE)
        return rollback (self, error, _("cannot forget a run"));
    }
  return exec (self, "COMMIT", error) || rollback (self, NULL, NULL);
}

/**
 * ps_history_sync:
 *
 * Brings the index in line with the runs folder: logs it does not have
 * (the app's runs, a log put there by hand) or whose size changed (a run
 * that went on after it was read) are read, runs whose logs are gone are
 * forgotten. A readdir and one query when nothing changed.
 */
gboolean
ps_history_sync (PsHistory  *self,
                 GError    **error)
{
  g_autoptr(GDir) dir = NULL;
  sqlite3_stmt *st = NULL;
  const char *name;
  gboolean began = FALSE;

  if (!ps_history_forget_missing (self, error))
    return FALSE;
  /* the size each log had when it was read */
  {
    g_autoptr(GHashTable) sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

    if (sqlite3_prepare_v2 (self->db, "SELECT path, size FROM runs", -1, &st, NULL) != SQLITE_OK)
      return db_error (self, error, _("cannot read it"));
    while (sqlite3_step (st) == SQLITE_ROW)
      {
        gint64 size = sqlite3_column_int64 (st, 1);
        g_hash_table_insert (sizes, g_strdup ((const char *) sqlite3_column_text (st, 0)),
                             g_memdup2 (&size, sizeof size));
      }
    sqlite3_finalize (st);

    dir = g_dir_open (self->runs_dir, 0, NULL);
    while (dir && (name = g_dir_read_name (dir)))
      {
        g_autofree char *path = NULL;
        const gint64 *size;
        GStatBuf sb;

        if (!g_str_has_suffix (name, ".jsonl"))
          continue;
        path = g_build_filename (self->runs_dir, name, NULL);
        size = g_hash_table_lookup (sizes, path);
        if (g_stat (path, &sb) != 0 || sb.st_size == 0 || (size && *size == (gint64) sb.st_size))
          continue;
        {
          g_autoptr(PsHistoryRun) run = ps_history_read_log (path, NULL);

          /* a file that is not a run's log stays out of the list */
          if (run == NULL)
            continue;
          if (!began && !exec (self, "BEGIN", error))
            return FALSE;
          began = TRUE;
          if (!insert (self, run, error))
            return rollback (self, NULL, NULL);
        }
      }
  }
  return !began || exec (self, "COMMIT", error) || rollback (self, NULL, NULL);
}

/**
 * ps_history_rebuild:
 *
 * Makes the index again from the logs of the runs folder.
 */
gboolean
ps_history_rebuild (PsHistory  *self,
                    GError    **error)
{
  g_autoptr(GDir) dir = g_dir_open (self->runs_dir, 0, NULL);
  const char *name;

  if (!exec (self, "BEGIN", error))
    return FALSE;
  if (!exec (self, "DELETE FROM runs", error))
    return rollback (self, NULL, NULL);
  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *path = NULL;
      g_autoptr(PsHistoryRun) run = NULL;

      if (!g_str_has_suffix (name, ".jsonl"))
        continue;
      path = g_build_filename (self->runs_dir, name, NULL);
      /* a file that is not a run's log is left out, not fatal */
      run = ps_history_read_log (path, NULL);
      if (run != NULL && !insert (self, run, error))
        return rollback (self, NULL, NULL);
    }
  return exec (self, "COMMIT", error) || rollback (self, NULL, NULL);
}

/* LIKE '%text%' with its own % and _ taken as they are */
static char *
like_pattern (const char *text)
{
  GString *out = g_string_new ("%");

  for (const char *p = text; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '%');
  return g_string_free (out, FALSE);
}

static char *
dup_column (sqlite3_stmt *st,
            int           i)
{
  const char *text = (const char *) sqlite3_column_text (st, i);

  return g_strdup (text ? text : "");
}

/**
 * ps_history_list:
 * @search: (nullable): keep only runs whose items, workload, status,
 *   start method or worker count hold it
 *
 * Returns: (transfer full) (element-type PsHistoryRun): the runs, newest
 *   first
 */
GPtrArray *
ps_history_list (PsHistory   *self,
                 const char  *search,
                 GError     **error)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) ps_history_run_free);
  g_autofree char *pattern = search && *search ? like_pattern (search) : NULL;
  sqlite3_stmt *st = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT id, started_ns, items, workload, start_method, workers, tasks, ok, failed, "
                           "cancelled, wall_ns, status, path, size, kind, counts, recommended, hosts FROM runs "
                           "WHERE ?1 IS NULL OR kind LIKE ?1 ESCAPE '\\' OR hosts LIKE ?1 ESCAPE '\\' OR "
                           "items LIKE ?1 ESCAPE '\\' OR workload LIKE ?1 ESCAPE '\\' OR status LIKE ?1 ESCAPE '\\' "
                           "OR start_method LIKE ?1 ESCAPE '\\' OR CAST(workers AS TEXT) = ?2 "
                           "ORDER BY started_ns DESC, id DESC",
                           -1, &st, NULL);
  if (rc != SQLITE_OK)
    {
      db_error (self, error, _("cannot read it"));
      return NULL;
    }
  if (pattern)
    {
      sqlite3_bind_text (st, 1, pattern, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 2, search, -1, SQLITE_STATIC);
    }
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      PsHistoryRun *run = g_new0 (PsHistoryRun, 1);

      run->id = sqlite3_column_int64 (st, 0);
      run->started_ns = sqlite3_column_int64 (st, 1);
      run->items = dup_column (st, 2);
      run->workload = dup_column (st, 3);
      run->start_method = dup_column (st, 4);
      run->workers = (guint) sqlite3_column_int64 (st, 5);
      run->tasks = (guint64) sqlite3_column_int64 (st, 6);
      run->ok = (guint64) sqlite3_column_int64 (st, 7);
      run->failed = (guint64) sqlite3_column_int64 (st, 8);
      run->cancelled = (guint64) sqlite3_column_int64 (st, 9);
      run->wall_ns = sqlite3_column_int64 (st, 10);
      run->status = dup_column (st, 11);
      run->path = dup_column (st, 12);
      run->size = sqlite3_column_int64 (st, 13);
      run->kind = dup_column (st, 14);
      run->counts = dup_column (st, 15);
      run->recommended = (guint) sqlite3_column_int64 (st, 16);
      run->hosts = dup_column (st, 17);
      g_ptr_array_add (runs, run);
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      db_error (self, error, _("cannot read it"));
      return NULL;
    }
  return g_steal_pointer (&runs);
}

char *
ps_history_run_to_json (const PsHistoryRun *run)
{
  GString *out = g_string_new ("{");

  g_string_append_printf (out, "\"id\":%" G_GINT64_FORMAT ",\"started_ns\":%" G_GINT64_FORMAT ",\"items\":",
                          run->id, run->started_ns);
  ps_json_append_string (out, run->items);
  g_string_append (out, ",\"workload\":");
  ps_json_append_string (out, run->workload);
  g_string_append (out, ",\"start_method\":");
  ps_json_append_string (out, run->start_method);
  g_string_append_printf (out, ",\"workers\":%u,\"tasks\":%" G_GUINT64_FORMAT ",\"ok\":%" G_GUINT64_FORMAT
                          ",\"failed\":%" G_GUINT64_FORMAT ",\"cancelled\":%" G_GUINT64_FORMAT ",\"wall_s\":",
                          run->workers, run->tasks, run->ok, run->failed, run->cancelled);
  if (run->wall_ns >= 0)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.6f", run->wall_ns / 1e9));
    }
  else
    g_string_append (out, "null");
  g_string_append (out, ",\"status\":");
  ps_json_append_string (out, run->status);
  g_string_append (out, ",\"log\":");
  ps_json_append_string (out, run->path);
  g_string_append_printf (out, ",\"log_bytes\":%" G_GINT64_FORMAT ",\"kind\":", run->size);
  ps_json_append_string (out, run->kind ? run->kind : "run");
  if (run->kind && g_str_equal (run->kind, "sweep"))
    {
      g_string_append (out, ",\"counts\":");
      ps_json_append_string (out, run->counts ? run->counts : "");
      g_string_append_printf (out, ",\"recommended\":%u", run->recommended);
    }
  if (run->hosts && *run->hosts)
    {
      g_string_append (out, ",\"hosts\":");
      ps_json_append_string (out, run->hosts);
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}
