/* ps-engine-client.c: drives `poolscope-run --ipc` from a main loop
 *
 * The app must not fork workers itself (it has started GTK), so it starts
 * the engine with GSubprocess — set to die with the app through
 * PR_SET_PDEATHSIG — and talks to it in frames: HELLO both ways, then RUN
 * and CANCEL in, EVENT and ERROR frames out. Reading is asynchronous on
 * the thread-default main context; nothing here blocks.
 *
 * A run is an async operation: ps_engine_client_run_async() takes the
 * options of `poolscope-run run`, one event sink and a GCancellable.
 * Every event of the run goes to the sink as it is decoded (a plain
 * call: a million tasks are a million task-ends), an EVENT_TASKS frame
 * as one PS_EVENT_TASKS event; the run completes after run-end
 * (ps_engine_client_run_finish(): TRUE, or G_IO_ERROR_CANCELLED when the
 * cancellable stopped it — run-end has still come), or with the reason
 * when the engine refused the batch, could not start, or died (what came
 * before stays with the sink). Cancelling sends CANCEL; the workers are
 * stopped and run-end follows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-engine-client"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <glib/gi18n-lib.h>

#include "ps-engine-client.h"
#include "ps-spec.h"
#include "ps-error.h"
#include "ps-frame.h"
#include "ps-ipc-proto.h"
#include "ps-task-batch.h"

#define READ_SIZE (256 * 1024)

struct _PsEngineClient
{
  GObject       parent_instance;
  char         *engine_path;
  GSubprocess  *subprocess;
  GCancellable *cancellable;
  PsBuffer      in;
  gboolean      greeted;
  gboolean      running;
  guint         cores;
  GBytes       *pending_run;  /* RUN sent once the engine has said HELLO */
  guint         pending_resize; /* a RESIZE asked for before that, 0: none */
  GQueue        writes;       /* GBytes: frames waiting for the one being written */
  GBytes       *writing;
  GTask        *task;         /* the run going, or NULL */
  PsEventFunc   sink;
  gpointer      sink_data;
  GCancellable *run_cancellable;
  gulong        cancel_id;
  GArray       *entries;      /* PsTaskBatchEntry: an EVENT_TASKS frame, decoded */
  gboolean      unasked;      /* cancelled before the RUN was sent */
};

G_DEFINE_FINAL_TYPE (PsEngineClient, ps_engine_client, G_TYPE_OBJECT)

static void
ps_engine_client_dispose (GObject *object)
{
  PsEngineClient *self = PS_ENGINE_CLIENT (object);

  g_cancellable_cancel (self->cancellable);
  if (self->subprocess)
    g_subprocess_force_exit (self->subprocess);
  g_clear_object (&self->subprocess);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->pending_run, g_bytes_unref);
  g_queue_clear_full (&self->writes, (GDestroyNotify) g_bytes_unref);
  ps_engine_client_detach (self);
  G_OBJECT_CLASS (ps_engine_client_parent_class)->dispose (object);
}

static void
ps_engine_client_finalize (GObject *object)
{
  PsEngineClient *self = PS_ENGINE_CLIENT (object);

  ps_buffer_clear (&self->in);
  g_array_unref (self->entries);
  g_free (self->engine_path);
  G_OBJECT_CLASS (ps_engine_client_parent_class)->finalize (object);
}

static void
ps_engine_client_class_init (PsEngineClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_engine_client_dispose;
  object_class->finalize = ps_engine_client_finalize;
}

static void
ps_engine_client_init (PsEngineClient *self)
{
  ps_buffer_init (&self->in);
  g_queue_init (&self->writes);
  self->entries = g_array_new (FALSE, FALSE, sizeof (PsTaskBatchEntry));
}

/* Hands a decoded event to the run's sink; its strings point into the
 * read buffer, valid for this call only. No copy is kept. */
static void
emit_event (const PsEvent *e,
            gpointer       data)
{
  PsEngineClient *self = data;

  if (self->sink)
    self->sink (e, self->sink_data);
}

/* Ends the run going: with @error, or (NULL) done after run-end. */
static void
complete_run (PsEngineClient *self,
              GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  g_autoptr(GCancellable) cancellable = g_steal_pointer (&self->run_cancellable);

  self->running = FALSE;
  self->sink = NULL;
  self->sink_data = NULL;
  if (cancellable)
    g_cancellable_disconnect (cancellable, self->cancel_id);
  self->cancel_id = 0;
  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else if (cancellable && g_cancellable_is_cancelled (cancellable))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The run was stopped"));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * ps_engine_client_detach:
 *
 * Drops the sink of the run going: none of its events reach it any more
 * (for a sink that is going away), and the run completes as cancelled.
 */
void
ps_engine_client_detach (PsEngineClient *self)
{
  g_return_if_fail (PS_IS_ENGINE_CLIENT (self));

  self->sink = NULL;
  self->sink_data = NULL;
  if (self->task != NULL)
    {
      gboolean asked = self->greeted && self->pending_run == NULL && !self->unasked;

      ps_engine_client_cancel (self);
      complete_run (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The run was stopped")));
      /* The engine's run goes on to its run-end, its events dropped: the
       * client stays busy until then, so that they cannot reach a next
       * run's sink. */
      if (asked && self->subprocess != NULL)
        self->running = TRUE;
    }
}

/**
 * ps_engine_client_new:
 * @engine_path: the poolscope-run executable
 */
PsEngineClient *
ps_engine_client_new (const char *engine_path)
{
  PsEngineClient *self = g_object_new (PS_TYPE_ENGINE_CLIENT, NULL);

  self->engine_path = g_strdup (engine_path);
  return self;
}

static void
fail (PsEngineClient *self,
      const char     *message)
{
  complete_run (self, g_error_new_literal (PS_ERROR, PS_ERROR_FAILED, message));
}

static void write_next (PsEngineClient *self);

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      data)
{
  g_autoptr(PsEngineClient) self = data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->writing, g_bytes_unref);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      g_queue_clear_full (&self->writes, (GDestroyNotify) g_bytes_unref);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->running)
        {
          g_autofree char *msg = g_strdup_printf (_("Cannot talk to the engine: %s"), error->message);
          fail (self, msg);
        }
      return;
    }
  write_next (self);
}

/* One write at a time on the stream; frames wait their turn in order. */
static void
write_next (PsEngineClient *self)
{
  GOutputStream *out;
  gsize len;
  const guint8 *data;

  if (self->writing != NULL || self->subprocess == NULL)
    return;
  self->writing = g_queue_pop_head (&self->writes);
  if (self->writing == NULL)
    return;
  out = g_subprocess_get_stdin_pipe (self->subprocess);
  data = g_bytes_get_data (self->writing, &len);
  g_output_stream_write_all_async (out, data, len, G_PRIORITY_DEFAULT, self->cancellable,
                                   write_cb, g_object_ref (self));
}

static void
send_bytes (PsEngineClient *self,
            GBytes         *bytes)
{
  g_queue_push_tail (&self->writes, g_bytes_ref (bytes));
  write_next (self);
}

static GBytes *
frame_bytes (PsBuffer *b)
{
  GBytes *bytes = g_bytes_new (b->data, b->len);

  ps_buffer_clear (b);
  return bytes;
}

static void read_more (PsEngineClient *self);

static gboolean
handle_frame (PsEngineClient *self,
              const PsFrame  *frame)
{
  if (!self->greeted)
    {
      PsProtoHello hello;
      PsBuffer b;

      if (frame->type != PS_FRAME_HELLO)
        {
          fail (self, _("The engine did not greet: it is not poolscope-run --ipc"));
          return FALSE;
        }
      if (!ps_proto_read_hello (frame, TRUE, &hello, NULL) || hello.version != PS_PROTOCOL_VERSION)
        {
          fail (self, _("The engine speaks another protocol version"));
          return FALSE;
        }
      self->cores = hello.cores;
      self->greeted = TRUE;

      ps_buffer_init (&b);
      ps_proto_put_hello (&b, PACKAGE_NAME, FALSE, 0);
      {
        g_autoptr(GBytes) answer = frame_bytes (&b);
        send_bytes (self, answer);
      }
      if (self->pending_run)
        {
          send_bytes (self, self->pending_run);
          g_clear_pointer (&self->pending_run, g_bytes_unref);
          if (self->pending_resize)
            {
              guint workers = self->pending_resize;

              self->pending_resize = 0;
              ps_engine_client_resize (self, workers);
            }
        }
      return TRUE;
    }

  if (frame->type == PS_FRAME_ERROR)
    {
      PsProtoError refusal;

      if (!ps_proto_read_error (frame, &refusal, NULL))
        refusal.message = _("The engine refused the batch");
      fail (self, refusal.message);
      return TRUE;
    }
  if (frame->type == PS_FRAME_EVENT)
    {
      PsEvent e;
      g_autoptr(GError) error = NULL;

      if (!ps_event_decode (frame, &e, &error))
        {
          g_autofree char *msg = g_strdup_printf (_("The engine sent a corrupt event: %s"), error->message);
          fail (self, msg);
          return FALSE;
        }
      emit_event (&e, self);
      if (e.type == PS_EVENT_RUN_END && self->running)
        complete_run (self, NULL);
      return TRUE;
    }
  if (frame->type == PS_FRAME_EVENT_TASKS)
    {
      g_autoptr(GError) error = NULL;

      PsTaskBatch batch;

      if (!ps_task_batch_check (frame, &batch, &error))
        {
          g_autofree char *msg = g_strdup_printf (_("The engine sent a corrupt event: %s"), error->message);
          fail (self, msg);
          return FALSE;
        }
      /* one tasks event for the frame, as the pool made it */
      if (self->sink)
        {
          PsEvent e = { 0 };

          ps_task_batch_entries (&batch, self->entries);
          e.type = PS_EVENT_TASKS;
          e.worker = batch.worker;
          e.pid = batch.pid;
          e.tasks = (const PsTaskBatchEntry *) (gpointer) self->entries->data;
          e.n_entries = self->entries->len;
          e.t = e.n_entries > 0 ? e.tasks[e.n_entries - 1].end : 0;
          if (e.n_entries > 0)
            emit_event (&e, self);
        }
      return TRUE;
    }
  fail (self, _("The engine sent an unexpected frame"));
  return FALSE;
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(PsEngineClient) self = data;
  GSubprocess *sub = G_SUBPROCESS (object);

  if (!g_subprocess_wait_finish (sub, result, NULL))
    return;
  if (sub != self->subprocess)
    return;
  if (self->running)
    {
      g_autofree char *msg = NULL;

      if (g_subprocess_get_if_signaled (sub))
        msg = g_strdup_printf (_("The engine died (signal %d); what was recorded stays on screen"),
                               g_subprocess_get_term_sig (sub));
      else
        msg = g_strdup_printf (_("The engine stopped unexpectedly (exit code %d); what was recorded stays on screen"),
                               g_subprocess_get_exit_status (sub));
      fail (self, msg);
    }
  g_clear_object (&self->subprocess);
  self->greeted = FALSE;
  self->in.len = 0;
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(PsEngineClient) self = data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  gsize pos = 0;

  if (n <= 0 || self->subprocess == NULL)
    return; /* end of stream: the exit status says the rest (wait_cb) */

  self->in.len += n;
  for (;;)
    {
      PsFrame frame;
      gsize used;
      g_autoptr(GError) frame_error = NULL;
      PsDecodeResult res = ps_frame_decode (self->in.data + pos, self->in.len - pos, &frame, &used,
                                            &frame_error);

      if (res == PS_DECODE_NEED_MORE)
        break;
      if (res == PS_DECODE_ERROR)
        {
          g_autofree char *msg = g_strdup_printf (_("The engine sent a corrupt frame: %s"),
                                                  frame_error->message);
          fail (self, msg);
          if (self->subprocess)
            g_subprocess_force_exit (self->subprocess);
          return;
        }
      pos += used;
      if (!handle_frame (self, &frame))
        {
          if (self->subprocess)
            g_subprocess_force_exit (self->subprocess);
          return;
        }
    }
  ps_buffer_consume (&self->in, pos);
  read_more (self);
}

static void
read_more (PsEngineClient *self)
{
  GInputStream *in;

  if (self->subprocess == NULL)
    return;
  in = g_subprocess_get_stdout_pipe (self->subprocess);
  if (self->in.cap - self->in.len < READ_SIZE / 2)
    ps_buffer_grow (&self->in, READ_SIZE);
  g_input_stream_read_async (in, self->in.data + self->in.len, self->in.cap - self->in.len,
                             G_PRIORITY_DEFAULT, self->cancellable, read_cb, g_object_ref (self));
}

static void
child_setup (gpointer data)
{
  /* The engine, and through it its workers, die with the app. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
ensure_engine (PsEngineClient  *self,
               GError         **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;

  if (self->subprocess != NULL)
    return TRUE;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  self->subprocess = g_subprocess_launcher_spawn (launcher, error, self->engine_path, "--ipc", NULL);
  if (self->subprocess == NULL)
    {
      g_prefix_error (error, _("Cannot start the engine (%s): "), self->engine_path);
      return FALSE;
    }
  /* what is still in flight for an engine that has gone stays with it */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->greeted = FALSE;
  self->in.len = 0;
  g_subprocess_wait_async (self->subprocess, NULL, wait_cb, g_object_ref (self));
  read_more (self);
  return TRUE;
}

static gboolean
complete_unasked (gpointer data)
{
  PsEngineClient *self = data;

  /* stopped before it was asked: cancelled, whoever stopped it */
  if (self->running && self->unasked)
    complete_run (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The run was stopped")));
  return G_SOURCE_REMOVE;
}

static void
run_cancelled (GCancellable *cancellable,
               gpointer      data)
{
  ps_engine_client_cancel (data);
}

/**
 * ps_engine_client_run_async:
 * @args: (array zero-terminated=1): the options of `poolscope-run run`
 * @sink: called with each event of the run, in order (valid during the
 *   call only)
 * @cancellable: (nullable): stops the run (its workers end, run-end follows)
 *
 * Starts a run on the engine (started with the first run). One run at a
 * time.
 */
void
ps_engine_client_run_async (PsEngineClient      *self,
                            const char * const  *args,
                            PsEventFunc          sink,
                            gpointer             sink_data,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint argc = g_strv_length ((char **) args);
  PsBuffer b;

  g_return_if_fail (PS_IS_ENGINE_CLIENT (self));
  g_return_if_fail (args != NULL && sink != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_engine_client_run_async);
  if (self->running)
    {
      g_task_return_new_error (task, PS_ERROR, PS_ERROR_FAILED, _("A run is already going"));
      return;
    }
  if (!ensure_engine (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ps_buffer_init (&b);
  ps_proto_put_run (&b, args, argc);
  bytes = frame_bytes (&b);

  self->running = TRUE;
  self->unasked = FALSE;
  self->task = g_steal_pointer (&task);
  self->sink = sink;
  self->sink_data = sink_data;
  if (self->greeted)
    send_bytes (self, bytes);
  else
    {
      g_clear_pointer (&self->pending_run, g_bytes_unref);
      self->pending_run = g_steal_pointer (&bytes);
      self->pending_resize = 0;
    }
  if (cancellable)
    {
      self->run_cancellable = g_object_ref (cancellable);
      /* runs at once when it is cancelled already */
      self->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (run_cancelled), self, NULL);
    }
}

/**
 * ps_engine_client_resize:
 * @workers: the pool's new size
 *
 * Grows or shrinks the pool of the run under way (a resize event comes
 * back); nothing when no run is under way.
 */
void
ps_engine_client_resize (PsEngineClient *self,
                         guint           workers)
{
  PsBuffer b;
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (PS_IS_ENGINE_CLIENT (self));
  g_return_if_fail (workers >= 1 && workers <= PS_WORKERS_MAX);
  if (!self->running || self->subprocess == NULL)
    return;
  if (!self->greeted || self->pending_run != NULL)
    {
      /* before the RUN has gone out: it follows the RUN */
      self->pending_resize = workers;
      return;
    }
  ps_buffer_init (&b);
  ps_proto_put_resize (&b, workers);
  bytes = frame_bytes (&b);
  send_bytes (self, bytes);
}

/**
 * ps_engine_client_run_finish:
 *
 * Returns: %TRUE once run-end has come; %FALSE with G_IO_ERROR_CANCELLED
 *   when the run was stopped (run-end has come too), or with the reason
 *   the run could not be carried out (refused, the engine could not
 *   start or died)
 */
gboolean
ps_engine_client_run_finish (PsEngineClient  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, ps_engine_client_run_async), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ps_engine_client_cancel:
 *
 * Asks the engine to stop the run; run-end follows.
 */
void
ps_engine_client_cancel (PsEngineClient *self)
{
  PsBuffer b;
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (PS_IS_ENGINE_CLIENT (self));
  if (!self->running || self->subprocess == NULL)
    return;
  if (!self->greeted)
    {
      /* Not asked yet: the run need not start at all. It completes from
       * an idle: this may run inside the cancellable's own handler, where
       * the handler cannot be disconnected. */
      if (self->pending_run != NULL)
        {
          g_clear_pointer (&self->pending_run, g_bytes_unref);
          self->unasked = TRUE;
          g_idle_add_full (G_PRIORITY_DEFAULT, complete_unasked, g_object_ref (self), g_object_unref);
        }
      return;
    }
  ps_buffer_init (&b);
  ps_proto_put_cancel (&b);
  bytes = frame_bytes (&b);
  send_bytes (self, bytes);
}

gboolean
ps_engine_client_is_running (PsEngineClient *self)
{
  return self->running;
}

GPid
ps_engine_client_get_pid (PsEngineClient *self)
{
  const char *id;

  if (self->subprocess == NULL || !(id = g_subprocess_get_identifier (self->subprocess)))
    return 0;
  return (GPid) g_ascii_strtoll (id, NULL, 10);
}

guint
ps_engine_client_get_cores (PsEngineClient *self)
{
  return self->cores;
}
