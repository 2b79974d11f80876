/* ps-run-session.c: a run's life in the app, apart from any widget
 *
 * The session owns the engine client and the model of the run shown. A
 * run goes IDLE → PREPARING (the model's per-task memory is cleared in a
 * thread, not page by page while the run competes for the cores) →
 * RUNNING → (STOPPING →) IDLE; the state property says where it is. Its
 * events go into the model, and what a user must hear of is passed on as
 * signals: "worker-died" for a worker that was not stopped, "notice" for
 * the engine's notices; "finished" once a run is over, whatever ended it.
 * A replayed log is read and modelled in a thread, then becomes the
 * session's model.
 *
 * With a log folder set, every run (not a sweep's: its tap is set) has
 * the engine write its log there (--log), named by the time it started;
 * ps_run_session_get_log_path() names the log of the run shown (or the
 * replayed one), for Save and Export. The oldest logs beyond the limits
 * are deleted in a thread as a new run starts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ps-engine-client.h"
#include "ps-history.h"
#include "ps-log-reader.h"
#include "ps-run-session.h"

struct _PsRunSession
{
  GObject          parent_instance;

  char            *engine_path;
  PsEngineClient  *client;
  PsRunModel      *model;
  PsRunState       state;
  GCancellable    *preparing;
  GPtrArray       *pending_args;   /* the run's command line, sent once prepared */
  guint            pool_size;
  gboolean         stopped;        /* Stop was pressed for the last run */
  char            *source;         /* the log's name when replaying */
  char            *log_dir;        /* where runs keep their logs; NULL: they do not */
  guint            kept_runs;
  guint64          kept_bytes;
  char            *log_path;       /* the log of the run shown: kept, or replayed */
  int              replay_permille; /* of the log being replayed, read (atomic) */
  PsEventFunc      tap;            /* every event of a run, after the model */
  gpointer         tap_data;
  gboolean         on_hosts;       /* the run's workers are (also) on other hosts */
};

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum { WORKER_DIED, NOTICE, FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PsRunSession, ps_run_session, G_TYPE_OBJECT)

PsRunSession *
ps_run_session_new (const char *engine_path)
{
  PsRunSession *self = g_object_new (PS_TYPE_RUN_SESSION, NULL);

  self->engine_path = g_strdup (engine_path);
  return self;
}

/* The engine to start with the next run, if none started yet. */
void
ps_run_session_set_engine_path (PsRunSession *self,
                                const char   *engine_path)
{
  g_return_if_fail (PS_IS_RUN_SESSION (self));

  g_free (self->engine_path);
  self->engine_path = g_strdup (engine_path);
}

/**
 * ps_run_session_set_keep:
 * @dir: (nullable): the folder runs keep their logs in, or %NULL
 * @runs: how many logs to keep at most
 * @bytes: how much room they may take (the newest is always kept)
 */
void
ps_run_session_set_keep (PsRunSession *self,
                         const char   *dir,
                         guint         runs,
                         guint64       bytes)
{
  g_return_if_fail (PS_IS_RUN_SESSION (self));

  g_free (self->log_dir);
  self->log_dir = g_strdup (dir);
  self->kept_runs = MAX (runs, 1);
  self->kept_bytes = bytes;
}

/* The log of the run shown, once it is over (or the replayed one); NULL: none. */
const char *
ps_run_session_get_log_path (PsRunSession *self)
{
  /* a run the engine refused wrote nothing */
  GStatBuf st;

  g_return_val_if_fail (PS_IS_RUN_SESSION (self), NULL);
  if (ps_run_session_is_busy (self) || self->log_path == NULL ||
      g_stat (self->log_path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size == 0)
    return NULL;
  return self->log_path;
}

typedef struct
{
  char    *name;
  guint64  size;
} KeptLog;

static int
compare_kept (gconstpointer a,
              gconstpointer b)
{
  /* newest first: the names start with the time */
  return -g_strcmp0 (((const KeptLog *) a)->name, ((const KeptLog *) b)->name);
}

/* Deletes the oldest run logs beyond the limits, in a thread. */
static void
prune_thread (GTask        *task,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  char **limits = data;   /* dir, runs, bytes, then the logs in use */
  const char *dir = limits[0];
  guint runs = (guint) g_ascii_strtoull (limits[1], NULL, 10);
  guint64 bytes = g_ascii_strtoull (limits[2], NULL, 10), total = 0;
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GArray) logs = g_array_new (FALSE, FALSE, sizeof (KeptLog));
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = NULL;
      GStatBuf st;
      KeptLog k;

      if (!g_str_has_prefix (name, "run-") || !g_str_has_suffix (name, ".jsonl"))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (g_stat (path, &st) != 0)
        continue;
      k.name = g_strdup (name);
      k.size = st.st_size;
      g_array_append_val (logs, k);
    }
  g_array_sort (logs, compare_kept);
  /* the logs in use (the run about to start among them) take the first
   * places; the others follow, newest first */
  for (guint i = 0, place = g_strv_length (limits + 3); i < logs->len; i++)
    {
      KeptLog *k = &g_array_index (logs, KeptLog, i);

      if (!g_strv_contains ((const char *const *) limits + 3, k->name))
        {
          total += k->size;
          if (place++ >= runs || total > bytes)
            {
              g_autofree char *path = g_build_filename (dir, k->name, NULL);
              g_unlink (path);
            }
        }
      g_free (k->name);
    }
}

/* The logs the app's sessions are writing or showing (main thread only):
 * a prune, whichever window's, spares them. */
static GHashTable *logs_in_use;

static void
log_in_use (const char *path,
            gboolean    in_use)
{
  if (logs_in_use == NULL)
    logs_in_use = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (in_use)
    g_hash_table_add (logs_in_use, g_path_get_basename (path));
  else
    {
      g_autofree char *name = g_path_get_basename (path);
      g_hash_table_remove (logs_in_use, name);
    }
}

/* Whether one of the app's sessions writes or shows the log at @path. */
gboolean
ps_run_session_log_is_in_use (const char *path)
{
  g_autofree char *name = g_path_get_basename (path);

  return logs_in_use != NULL && g_hash_table_contains (logs_in_use, name);
}

/* A new log's path in the log folder, for the run to start: named by the
 * time (UTC, so that names sort as runs started), made at once so that no
 * other run can take the name. */
static char *
new_log_path (PsRunSession *self)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *spare;
  GHashTableIter iter;
  gpointer name;
  char *path;

  if (self->log_dir == NULL || g_mkdir_with_parents (self->log_dir, 0700) != 0)
    return NULL;
  path = ps_history_make_log_file (self->log_dir, NULL);
  if (path == NULL)
    return NULL;
  log_in_use (path, TRUE);

  /* dir, runs, bytes, then the names to spare */
  spare = g_ptr_array_new ();
  g_ptr_array_add (spare, g_strdup (self->log_dir));
  g_ptr_array_add (spare, g_strdup_printf ("%u", self->kept_runs));
  g_ptr_array_add (spare, g_strdup_printf ("%" G_GUINT64_FORMAT, self->kept_bytes));
  g_hash_table_iter_init (&iter, logs_in_use);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    g_ptr_array_add (spare, g_strdup (name));
  g_ptr_array_add (spare, NULL);
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, g_ptr_array_free (spare, FALSE), (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, prune_thread);
  return path;
}

/* Every event of the runs to come also goes to @func (a sweep's tally). */
void
ps_run_session_set_event_tap (PsRunSession *self,
                              PsEventFunc   func,
                              gpointer      data)
{
  g_return_if_fail (PS_IS_RUN_SESSION (self));
  self->tap = func;
  self->tap_data = data;
}

PsRunModel *
ps_run_session_get_model (PsRunSession *self)
{
  g_return_val_if_fail (PS_IS_RUN_SESSION (self), NULL);
  return self->model;
}

PsRunState
ps_run_session_get_state (PsRunSession *self)
{
  g_return_val_if_fail (PS_IS_RUN_SESSION (self), PS_RUN_STATE_IDLE);
  return self->state;
}

/* From Run on, until the engine said the run is over. */
gboolean
ps_run_session_is_busy (PsRunSession *self)
{
  g_return_val_if_fail (PS_IS_RUN_SESSION (self), FALSE);
  return self->state != PS_RUN_STATE_IDLE;
}

gboolean
ps_run_session_was_stopped (PsRunSession *self)
{
  g_return_val_if_fail (PS_IS_RUN_SESSION (self), FALSE);
  return self->stopped;
}

const char *
ps_run_session_get_source (PsRunSession *self)
{
  g_return_val_if_fail (PS_IS_RUN_SESSION (self), NULL);
  return self->source;
}

/* The pool of the run under way (or last run): what Workers had then. */
guint
ps_run_session_get_pool_size (PsRunSession *self)
{
  g_return_val_if_fail (PS_IS_RUN_SESSION (self), 0);
  return self->pool_size;
}

static void
set_state (PsRunSession *self,
           PsRunState    state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_model (PsRunSession *self,
           PsRunModel   *model)
{
  if (g_set_object (&self->model, model))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

static void
on_event (const PsEvent *e,
          gpointer       data)
{
  PsRunSession *self = data;

  ps_run_model_add_event (self->model, e);
  if (self->tap)
    self->tap (e, self->tap_data);
  if (e->type == PS_EVENT_WORKER_EXIT && e->signal != 0 && !e->stopped && !self->stopped)
    g_signal_emit (self, signals[WORKER_DIED], 0, e->name, e->message);
  else if (e->type == PS_EVENT_NOTICE && e->message != NULL)
    g_signal_emit (self, signals[NOTICE], 0, e->message);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(PsRunSession) self = data;
  g_autoptr(GError) error = NULL;
  gboolean ok = ps_engine_client_run_finish (PS_ENGINE_CLIENT (object), result, &error);

  /* a closed session shows nothing */
  if (self->client == NULL)
    return;
  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ps_run_model_set_error (self->model, error->message);
  set_state (self, PS_RUN_STATE_IDLE);
  g_signal_emit (self, signals[FINISHED], 0);
}

static void
prepared_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(PsRunSession) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = NULL;

  if (!ps_run_model_prepare_finish (PS_RUN_MODEL (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* stopped before it started, or the session is closed */
  /* short of memory for the records, the run-start event tries again */
  g_clear_object (&self->preparing);
  args = g_steal_pointer (&self->pending_args);
  if (self->client == NULL)
    self->client = ps_engine_client_new (self->engine_path);
  set_state (self, PS_RUN_STATE_RUNNING);
  /* every event of the run goes to on_event(), tasks events whole */
  ps_engine_client_run_async (self->client, (const char * const *) args->pdata, on_event, self,
                              NULL, run_done_cb, g_object_ref (self));
}

/* The run asked for workers on other hosts: until run-start, they are
 * being reached. */
gboolean
ps_run_session_is_on_hosts (PsRunSession *self)
{
  g_return_val_if_fail (PS_IS_RUN_SESSION (self), FALSE);
  return self->on_hosts;
}

/**
 * ps_run_session_start:
 *
 * Runs @spec on a fresh model (the session's model stays the same object).
 */
void
ps_run_session_start (PsRunSession *self,
                      const PsSpec *spec)
{
  g_return_if_fail (PS_IS_RUN_SESSION (self));
  g_return_if_fail (!ps_run_session_is_busy (self));

  g_clear_pointer (&self->pending_args, g_ptr_array_unref);
  self->pending_args = ps_spec_to_args (spec);
  if (self->log_path)
    log_in_use (self->log_path, FALSE);
  g_clear_pointer (&self->log_path, g_free);
  /* a sweep's runs (its tap set) are not kept: their logging would be measured */
  if (self->tap == NULL && spec->log_path == NULL && (self->log_path = new_log_path (self)) != NULL)
    {
      g_ptr_array_add (self->pending_args, g_strdup ("--log"));
      g_ptr_array_add (self->pending_args, g_strdup (self->log_path));
    }
  g_ptr_array_add (self->pending_args, NULL);
  self->pool_size = spec->workers;
  self->on_hosts = ps_hosts_any_remote (spec->hosts);
  self->stopped = FALSE;
  g_clear_pointer (&self->source, g_free);
  if (self->model == NULL || g_object_get_data (G_OBJECT (self->model), "ps-source"))
    {
      /* a replayed log's model stays the log's */
      g_autoptr(PsRunModel) model = ps_run_model_new ();
      set_model (self, model);
    }
  ps_run_model_reset (self->model);
  set_state (self, PS_RUN_STATE_PREPARING);
  self->preparing = g_cancellable_new ();
  ps_run_model_prepare_async (self->model, ps_items_get_count (spec->items), self->preparing,
                              prepared_cb, g_object_ref (self));
}

/* Grows or shrinks the pool of the run under way. */
void
ps_run_session_resize (PsRunSession *self,
                       guint         workers)
{
  g_return_if_fail (PS_IS_RUN_SESSION (self));

  if (self->state != PS_RUN_STATE_RUNNING || self->client == NULL)
    return;
  self->pool_size = workers;
  ps_engine_client_resize (self->client, workers);
}

void
ps_run_session_stop (PsRunSession *self)
{
  g_return_if_fail (PS_IS_RUN_SESSION (self));

  if (self->state == PS_RUN_STATE_PREPARING)
    {
      /* the engine has not been asked yet: nothing ran */
      self->stopped = TRUE;
      g_cancellable_cancel (self->preparing);
      g_clear_object (&self->preparing);
      g_clear_pointer (&self->pending_args, g_ptr_array_unref);
      set_state (self, PS_RUN_STATE_IDLE);
      g_signal_emit (self, signals[FINISHED], 0);
      return;
    }
  if (self->state != PS_RUN_STATE_RUNNING)
    return;
  self->stopped = TRUE;
  set_state (self, PS_RUN_STATE_STOPPING);
  ps_engine_client_cancel (self->client);
}

/* ---- replay ------------------------------------------------------------- */

typedef struct
{
  GFile      *file;
  PsRunModel *model;
  PsSweep    *sweep;     /* the file was a sweep's log */
  char       *problem;
} Replay;

static void
replay_free (Replay *r)
{
  g_clear_object (&r->file);
  g_clear_object (&r->model);
  g_clear_pointer (&r->sweep, ps_sweep_free);
  g_free (r->problem);
  g_free (r);
}

static void
replay_add (const PsEvent *e,
            gpointer       data)
{
  ps_run_model_add_event (data, e);
}

/* Reads the log and builds its model here, off the main loop, streaming:
 * no event outlives its line but in the model, which is not shared until
 * the session takes it. */
static void
replay_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  PsRunSession *self = source;
  Replay *r = data;
  g_autofree char *path = g_file_get_path (r->file);
  GError *error = NULL;

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (r->file);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("%s is not a local file"), uri);
      return;
    }
  /* a sweep's log (kept, or from poolscope-run sweep --log) is the sweep */
  if (ps_log_is_sweep (path))
    {
      if (!(r->sweep = ps_sweep_load_full (path, cancellable, &self->replay_permille, &r->problem, &error)))
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      return;
    }
  r->model = ps_run_model_new ();
  if (!ps_log_read_batched (path, replay_add, r->model, cancellable, &self->replay_permille,
                            &r->problem, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (r->problem && !ps_run_model_is_ended (r->model))
    ps_run_model_set_error (r->model, r->problem);
  else if (!ps_run_model_is_ended (r->model))
    ps_run_model_set_error (r->model, _("the log has no end: the run was cut short"));
  g_task_return_boolean (task, TRUE);
}

/* How much of the log being replayed is read, from 0 to 1. */
double
ps_run_session_get_replay_fraction (PsRunSession *self)
{
  g_return_val_if_fail (PS_IS_RUN_SESSION (self), 0);

  return g_atomic_int_get (&self->replay_permille) / 1000.0;
}

/**
 * ps_run_session_replay_async:
 *
 * Reads a saved run log in a thread; when it finishes, the log's run is
 * the session's model (unless a run started meanwhile: then it fails).
 */
void
ps_run_session_replay_async (PsRunSession        *self,
                             GFile               *file,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Replay *r;

  g_return_if_fail (PS_IS_RUN_SESSION (self));
  g_return_if_fail (G_IS_FILE (file));

  r = g_new0 (Replay, 1);
  r->file = g_object_ref (file);
  g_atomic_int_set (&self->replay_permille, 0);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_run_session_replay_async);
  g_task_set_task_data (task, r, (GDestroyNotify) replay_free);
  g_task_run_in_thread (task, replay_thread);
}

/**
 * ps_run_session_replay_finish:
 * @problem: (out) (optional): why the log stops early, if it does
 * @sweep: (out) (optional) (transfer full): the sweep, when the file was a
 *   sweep's log: then the session's run stays as it was
 *
 * Returns: %TRUE when the log is the session's run now (or *@sweep is set)
 */
gboolean
ps_run_session_replay_finish (PsRunSession  *self,
                              GAsyncResult  *result,
                              char         **problem,
                              PsSweep      **sweep,
                              GError       **error)
{
  Replay *r;

  g_return_val_if_fail (PS_IS_RUN_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  r = g_task_get_task_data (G_TASK (result));
  if (r->sweep)
    {
      if (sweep == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("this is the log of a sizing sweep, not of one run"));
          return FALSE;
        }
      *sweep = g_steal_pointer (&r->sweep);
      if (problem)
        *problem = g_strdup (r->problem);
      return TRUE;
    }
  if (ps_run_session_is_busy (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _("Stop the run first to open a run log"));
      return FALSE;
    }
  r = g_task_get_task_data (G_TASK (result));
  g_free (self->source);
  self->source = g_file_get_basename (r->file);
  if (self->log_path)
    log_in_use (self->log_path, FALSE);
  g_free (self->log_path);
  self->log_path = g_file_get_path (r->file);
  g_object_set_data_full (G_OBJECT (r->model), "ps-source", g_strdup (self->source), g_free);
  self->stopped = FALSE;
  self->pool_size = ps_run_model_get_pool_size (r->model);
  set_model (self, r->model);
  if (problem)
    *problem = g_strdup (r->problem);
  return TRUE;
}

/* Lets the engine go: a run under way is cancelled, nothing calls back. */
void
ps_run_session_close (PsRunSession *self)
{
  g_return_if_fail (PS_IS_RUN_SESSION (self));

  if (self->client)
    {
      /* a read in flight holds the client: it must not call back here */
      PsEngineClient *client = g_steal_pointer (&self->client);

      ps_engine_client_detach (client);
      g_object_unref (client);
    }
  g_cancellable_cancel (self->preparing);
  g_clear_object (&self->preparing);
  g_clear_pointer (&self->pending_args, g_ptr_array_unref);
}

static void
ps_run_session_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PsRunSession *self = PS_RUN_SESSION (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ps_run_session_dispose (GObject *object)
{
  ps_run_session_close (PS_RUN_SESSION (object));
  G_OBJECT_CLASS (ps_run_session_parent_class)->dispose (object);
}

static void
ps_run_session_finalize (GObject *object)
{
  PsRunSession *self = PS_RUN_SESSION (object);

  g_clear_object (&self->model);
  g_free (self->engine_path);
  g_free (self->source);
  g_free (self->log_dir);
  if (self->log_path)
    log_in_use (self->log_path, FALSE);
  g_free (self->log_path);
  G_OBJECT_CLASS (ps_run_session_parent_class)->finalize (object);
}

static void
ps_run_session_class_init (PsRunSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = ps_run_session_get_property;
  object_class->dispose = ps_run_session_dispose;
  object_class->finalize = ps_run_session_finalize;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, PS_TYPE_RUN_MODEL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, PS_RUN_STATE_IDLE, PS_RUN_STATE_STOPPING, PS_RUN_STATE_IDLE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[WORKER_DIED] = g_signal_new ("worker-died", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                       G_TYPE_STRING, G_TYPE_STRING);
  signals[NOTICE] = g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ps_run_session_init (PsRunSession *self)
{
  self->model = ps_run_model_new ();
}
