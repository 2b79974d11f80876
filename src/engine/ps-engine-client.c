/* ps-engine-client.c: drives `poolscope-run --ipc` from a main loop
 *
 * The app must not fork workers itself (it has started GTK), so it starts
 * the engine with GSubprocess — set to die with the app through
 * PR_SET_PDEATHSIG — and talks to it in frames: HELLO both ways, then RUN
 * and CANCEL in, EVENT and ERROR frames out. Reading is asynchronous on
 * the thread-default main context; nothing here blocks.
 *
 * Events go, as they are decoded, to the function given to
 * ps_engine_client_set_event_func() (a plain call: a million tasks are a
 * million events) and to ::event handlers if there are any (a PsEvent,
 * valid during the emission). ::failed says a message (the engine refused
 * the batch, could not start, or died), and ::finished comes once a run
 * has ended (after run-end, or after ::failed).
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
#include "ps-error.h"
#include "ps-frame.h"
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
  GQueue        writes;       /* GBytes: frames waiting for the one being written */
  GBytes       *writing;
  PsEventFunc   event_func;
  gpointer      event_data;
  GDestroyNotify event_destroy;
  PsTaskBatchFunc batch_func;
  gpointer      batch_data;
  GDestroyNotify batch_destroy;
  gboolean      event_handlers; /* ::event has handlers: looked up once a read */
};

enum { SIGNAL_EVENT, SIGNAL_FAILED, SIGNAL_FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

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
  ps_engine_client_set_event_func (self, NULL, NULL, NULL);
  ps_engine_client_set_batch_func (self, NULL, NULL, NULL);
  G_OBJECT_CLASS (ps_engine_client_parent_class)->dispose (object);
}

static void
ps_engine_client_finalize (GObject *object)
{
  PsEngineClient *self = PS_ENGINE_CLIENT (object);

  ps_buffer_clear (&self->in);
  g_free (self->engine_path);
  G_OBJECT_CLASS (ps_engine_client_parent_class)->finalize (object);
}

static void
ps_engine_client_class_init (PsEngineClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ps_engine_client_dispose;
  object_class->finalize = ps_engine_client_finalize;

  signals[SIGNAL_EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ps_engine_client_init (PsEngineClient *self)
{
  ps_buffer_init (&self->in);
  g_queue_init (&self->writes);
}

/* Hands a decoded event on; its strings point into the read buffer, valid
 * for this call only. No copy is kept: a batch of thousands of task-ends
 * is one PsEvent on the stack, refilled for each. */
static void
emit_signal (const PsEvent *e,
             gpointer       data)
{
  g_signal_emit (data, signals[SIGNAL_EVENT], 0, e);
}

static void
emit_event (const PsEvent *e,
            gpointer       data)
{
  PsEngineClient *self = data;

  if (self->event_func)
    self->event_func (e, self->event_data);
  if (self->event_handlers)
    g_signal_emit (self, signals[SIGNAL_EVENT], 0, e);
}

/**
 * ps_engine_client_set_batch_func:
 * @func: (nullable): called with each batch of ordinary task-ends
 *
 * Where batches of task-ends (an EVENT_TASKS frame, checked) go instead
 * of the event function, which then sees the other events only: a
 * consumer that takes a batch whole saves a call per task.
 */
void
ps_engine_client_set_batch_func (PsEngineClient  *self,
                                 PsTaskBatchFunc  func,
                                 gpointer         data,
                                 GDestroyNotify   destroy)
{
  g_return_if_fail (PS_IS_ENGINE_CLIENT (self));

  if (self->batch_destroy)
    self->batch_destroy (self->batch_data);
  self->batch_func = func;
  self->batch_data = data;
  self->batch_destroy = destroy;
}

/**
 * ps_engine_client_set_event_func:
 * @func: (nullable): called with each event, in order, as it is decoded
 *
 * Where the events of a run go. The event and its strings are valid
 * during the call only.
 */
void
ps_engine_client_set_event_func (PsEngineClient *self,
                                 PsEventFunc     func,
                                 gpointer        data,
                                 GDestroyNotify  destroy)
{
  g_return_if_fail (PS_IS_ENGINE_CLIENT (self));

  if (self->event_destroy)
    self->event_destroy (self->event_data);
  self->event_func = func;
  self->event_data = data;
  self->event_destroy = destroy;
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
  gboolean was_running = self->running;

  self->running = FALSE;
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, message);
  if (was_running)
    g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
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
  PsReader r;

  ps_reader_init (&r, frame);
  if (!self->greeted)
    {
      guint32 version;
      PsBuffer b;
      gsize f;

      if (frame->type != PS_FRAME_HELLO)
        {
          fail (self, _("The engine did not greet: it is not poolscope-run --ipc"));
          return FALSE;
        }
      version = ps_reader_u32 (&r);
      ps_reader_str (&r, NULL);
      self->cores = ps_reader_u32 (&r);
      if (!ps_reader_finish (&r, "hello", NULL) || version != PS_PROTOCOL_VERSION)
        {
          fail (self, _("The engine speaks another protocol version"));
          return FALSE;
        }
      self->greeted = TRUE;

      ps_buffer_init (&b);
      f = ps_frame_begin (&b, PS_FRAME_HELLO);
      ps_buffer_put_u32 (&b, PS_PROTOCOL_VERSION);
      ps_buffer_put_str (&b, PACKAGE_NAME, strlen (PACKAGE_NAME));
      ps_frame_end (&b, f);
      {
        g_autoptr(GBytes) hello = frame_bytes (&b);
        send_bytes (self, hello);
      }
      if (self->pending_run)
        {
          send_bytes (self, self->pending_run);
          g_clear_pointer (&self->pending_run, g_bytes_unref);
        }
      return TRUE;
    }

  if (frame->type == PS_FRAME_ERROR)
    {
      guint32 code = ps_reader_u32 (&r);
      const char *message = ps_reader_str (&r, NULL);

      (void) code;
      fail (self, r.failed ? _("The engine refused the batch") : message);
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
        {
          self->running = FALSE;
          g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
        }
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
      if (self->batch_func == NULL)
        ps_task_batch_foreach (&batch, emit_event, self);
      else
        {
          self->batch_func (&batch, self->batch_data);
          if (self->event_handlers)
            ps_task_batch_foreach (&batch, emit_signal, self);
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
  self->event_handlers = g_signal_has_handler_pending (self, signals[SIGNAL_EVENT], 0, FALSE);
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
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->greeted = FALSE;
  self->in.len = 0;
  g_subprocess_wait_async (self->subprocess, NULL, wait_cb, g_object_ref (self));
  read_more (self);
  return TRUE;
}

/**
 * ps_engine_client_run:
 * @args: (array zero-terminated=1): the options of `poolscope-run run`
 *
 * Starts a run. Its events arrive through ::event; a refusal through
 * ::failed.
 */
gboolean
ps_engine_client_run (PsEngineClient      *self,
                      const char * const  *args,
                      GError             **error)
{
  PsBuffer b;
  gsize f;
  guint argc = g_strv_length ((char **) args);
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (PS_IS_ENGINE_CLIENT (self), FALSE);

  if (self->running)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_FAILED, _("A run is already going"));
      return FALSE;
    }
  if (!ensure_engine (self, error))
    return FALSE;

  ps_buffer_init (&b);
  f = ps_frame_begin (&b, PS_FRAME_RUN);
  ps_buffer_put_u32 (&b, argc);
  for (guint i = 0; i < argc; i++)
    ps_buffer_put_str (&b, args[i], strlen (args[i]));
  ps_frame_end (&b, f);
  bytes = frame_bytes (&b);

  self->running = TRUE;
  if (self->greeted)
    send_bytes (self, bytes);
  else
    {
      g_clear_pointer (&self->pending_run, g_bytes_unref);
      self->pending_run = g_steal_pointer (&bytes);
    }
  return TRUE;
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
  gsize f;
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (PS_IS_ENGINE_CLIENT (self));
  if (!self->running || self->subprocess == NULL || !self->greeted)
    return;
  ps_buffer_init (&b);
  f = ps_frame_begin (&b, PS_FRAME_CANCEL);
  ps_frame_end (&b, f);
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
