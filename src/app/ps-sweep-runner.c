/* ps-sweep-runner.c: a sizing sweep run by the app, one run at a time
 *
 * The plan and the tally are the engine's PsSweep; the runs go through
 * the window's PsRunSession, so that the Live page shows each run as any
 * other. The runner taps the session's events into the run's tally and,
 * when the session says a run is over, counts it and starts the next
 * from an idle (not inside the session's signal). Stop ends the run under
 * way and the sweep with it; what finished stays counted.
 *
 * Signals: "run-started" (index), "run-done" (index), "finished"
 * (stopped: whether Stop ended it), "kept" (the kept sweep's file is whole).
 *
 * With a record (ps_sweep_runner_start_kept()), the sweep is kept as it
 * goes: each run's run-level events, appended in the record's thread at
 * the run's end (ps-sweep-record.c), never during a run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include "ps-sweep-runner.h"
#include "ps-sweep-record.h"

struct _PsSweepRunner
{
  GObject       parent_instance;

  PsRunSession *session;
  PsSweep      *sweep;     /* the caller's, while running */
  guint         index;     /* of the run under way */
  gboolean      running;
  gboolean      stopping;
  char         *failure;   /* why a run failed and ended the sweep */
  PsSweepRecord *record;   /* where the sweep is kept, or NULL */
  guint         next_id;
  gulong        finished_id;
};

enum { RUN_STARTED, RUN_DONE, FINISHED, KEPT, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PsSweepRunner, ps_sweep_runner, G_TYPE_OBJECT)

PsSweepRunner *
ps_sweep_runner_new (PsRunSession *session)
{
  PsSweepRunner *self = g_object_new (PS_TYPE_SWEEP_RUNNER, NULL);

  self->session = g_object_ref (session);
  return self;
}

static void
tap (const PsEvent *e,
     gpointer       data)
{
  PsSweepRunner *self = data;

  if (self->running && self->index < ps_sweep_get_n_runs (self->sweep))
    {
      ps_sweep_run_result_add_event (&ps_sweep_get_run (self->sweep, self->index)->result, e);
      if (self->record)
        ps_sweep_record_add (self->record, e);
    }
}

/* The kept sweep's file is whole: "kept". */
static gboolean
record_whole (gpointer data)
{
  g_autoptr(PsSweepRunner) self = data;

  g_signal_emit (self, signals[KEPT], 0);
  return G_SOURCE_REMOVE;
}

static void
finish (PsSweepRunner *self)
{
  gboolean stopped = self->stopping;

  self->running = FALSE;
  self->stopping = FALSE;
  ps_run_session_set_event_tap (self->session, NULL, NULL);
  g_clear_signal_handler (&self->finished_id, self->session);
  ps_sweep_compute (self->sweep);
  if (self->record)
    ps_sweep_record_finish (g_steal_pointer (&self->record), self->sweep, FALSE, record_whole,
                            g_object_ref (self), NULL);
  g_signal_emit (self, signals[FINISHED], 0, stopped);
}

static gboolean
start_next (gpointer data)
{
  PsSweepRunner *self = data;
  g_autoptr(PsSpec) spec = NULL;

  self->next_id = 0;
  if (self->stopping || self->index >= ps_sweep_get_n_runs (self->sweep))
    {
      finish (self);
      return G_SOURCE_REMOVE;
    }
  spec = ps_sweep_dup_run_spec (self->sweep, self->index);
  if (self->record)
    ps_sweep_record_run (self->record, self->sweep, self->index);
  ps_run_session_start (self->session, spec);
  g_signal_emit (self, signals[RUN_STARTED], 0, self->index);
  return G_SOURCE_REMOVE;
}

static void
session_finished (PsSweepRunner *self)
{
  PsSweepRun *run;

  if (!self->running)
    return;
  run = ps_sweep_get_run (self->sweep, self->index);
  if (run->result.ended && !run->result.cancelled && ps_run_model_get_error (ps_run_session_get_model (self->session)) == NULL)
    ps_sweep_run_done (self->sweep, self->index);
  else
    {
      /* a run that failed ends the sweep (the next would fail too), and
       * says why; one Stop ended is no failure */
      const char *error = ps_run_model_get_error (ps_run_session_get_model (self->session));

      if (!self->stopping && error != NULL)
        self->failure = g_strdup (error);
      self->stopping = TRUE;
    }
  ps_sweep_compute (self->sweep);
  if (self->record)
    ps_sweep_record_run_done (self->record);
  g_signal_emit (self, signals[RUN_DONE], 0, self->index);
  self->index++;
  self->next_id = g_idle_add (start_next, self);
}

/* Runs every run of @sweep, in its order (the session must be idle). */
void
ps_sweep_runner_start (PsSweepRunner *self,
                       PsSweep       *sweep)
{
  ps_sweep_runner_start_kept (self, sweep, NULL);
}

/**
 * ps_sweep_runner_start_kept:
 * @record: (transfer full) (nullable): where the sweep is kept as it goes
 *
 * As ps_sweep_runner_start(), keeping the sweep in @record.
 */
void
ps_sweep_runner_start_kept (PsSweepRunner *self,
                            PsSweep       *sweep,
                            PsSweepRecord *record)
{
  g_return_if_fail (PS_IS_SWEEP_RUNNER (self));
  g_return_if_fail (!self->running && !ps_run_session_is_busy (self->session));

  self->sweep = sweep;
  self->record = record;
  self->index = 0;
  self->running = TRUE;
  g_clear_pointer (&self->failure, g_free);
  self->stopping = FALSE;
  ps_run_session_set_event_tap (self->session, tap, self);
  self->finished_id = g_signal_connect_swapped (self->session, "finished", G_CALLBACK (session_finished), self);
  start_next (self);
}

void
ps_sweep_runner_stop (PsSweepRunner *self)
{
  g_return_if_fail (PS_IS_SWEEP_RUNNER (self));

  if (!self->running)
    return;
  self->stopping = TRUE;
  if (ps_run_session_is_busy (self->session))
    ps_run_session_stop (self->session);
  else if (self->next_id)
    {
      g_clear_handle_id (&self->next_id, g_source_remove);
      finish (self);
    }
}

gboolean
ps_sweep_runner_is_running (PsSweepRunner *self)
{
  g_return_val_if_fail (PS_IS_SWEEP_RUNNER (self), FALSE);
  return self->running;
}

PsSweep *
ps_sweep_runner_get_sweep (PsSweepRunner *self)
{
  g_return_val_if_fail (PS_IS_SWEEP_RUNNER (self), NULL);
  return self->sweep;
}

/* Why the last sweep ended early, when a run failed; NULL otherwise. */
const char *
ps_sweep_runner_get_failure (PsSweepRunner *self)
{
  g_return_val_if_fail (PS_IS_SWEEP_RUNNER (self), NULL);
  return self->failure;
}

guint
ps_sweep_runner_get_index (PsSweepRunner *self)
{
  g_return_val_if_fail (PS_IS_SWEEP_RUNNER (self), 0);
  return self->index;
}

static void
ps_sweep_runner_dispose (GObject *object)
{
  PsSweepRunner *self = PS_SWEEP_RUNNER (object);

  g_clear_handle_id (&self->next_id, g_source_remove);
  if (self->session)
    {
      g_clear_signal_handler (&self->finished_id, self->session);
      if (self->running)
        ps_run_session_set_event_tap (self->session, NULL, NULL);
    }
  g_clear_object (&self->session);
  g_clear_pointer (&self->failure, g_free);
  /* the runs that ended stay kept */
  if (self->record)
    ps_sweep_record_finish (g_steal_pointer (&self->record), NULL, FALSE, NULL, NULL, NULL);
  G_OBJECT_CLASS (ps_sweep_runner_parent_class)->dispose (object);
}

static void
ps_sweep_runner_class_init (PsSweepRunnerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ps_sweep_runner_dispose;

  signals[RUN_STARTED] = g_signal_new ("run-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[RUN_DONE] = g_signal_new ("run-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  /* the sweep's record is whole on disk (after "finished") */
  signals[KEPT] = g_signal_new ("kept", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ps_sweep_runner_init (PsSweepRunner *self)
{
}
