/* ps-ipc-proto.c: the protocol between the app and `poolscope-run --ipc`
 *
 * Frames (ps-frame.h) on the engine's stdin and its frame pipe. The
 * engine speaks first; events travel as EVENT frames (ps-event.c) and
 * runs of ordinary task-ends as EVENT_TASKS (ps-task-batch.c). The rest
 * is here, encoded and decoded in one place; the decoders are pure and
 * fuzzed (tests/fuzz/fuzz-frame.c).
 *
 *   HELLO   engine: u32 version, str name, u32 cores; client: u32 version, str name
 *   RUN     u32 argc, argc × str: the options of `poolscope-run run`
 *   CANCEL  (empty)
 *   RESIZE  u32 workers: the pool's new size, while it runs
 *   ERROR   u32 code, str message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-ipc-proto"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ps-error.h"
#include "ps-ipc-proto.h"
#include "ps-spec.h"

/* RUN carries a command line: no more options than a shell would pass */
#define MAX_ARGS 4096

void
ps_proto_put_hello (PsBuffer   *b,
                    const char *name,
                    gboolean    with_cores,
                    guint32     cores)
{
  gsize f = ps_frame_begin (b, PS_FRAME_HELLO);

  ps_buffer_put_u32 (b, PS_PROTOCOL_VERSION);
  ps_buffer_put_str (b, name, strlen (name));
  if (with_cores)
    ps_buffer_put_u32 (b, cores);
  ps_frame_end (b, f);
}

/**
 * ps_proto_read_hello:
 * @with_cores: the engine's HELLO (it says how many CPUs it has)
 *
 * Returns: %FALSE with @error for a frame that is no HELLO of that side;
 *   the version is not checked here
 */
gboolean
ps_proto_read_hello (const PsFrame *frame,
                     gboolean       with_cores,
                     PsProtoHello  *out,
                     GError       **error)
{
  PsReader r;

  if (frame->type != PS_FRAME_HELLO)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL, _("a HELLO frame was expected"));
      return FALSE;
    }
  ps_reader_init (&r, frame);
  out->version = ps_reader_u32 (&r);
  out->name = ps_reader_str (&r, NULL);
  out->cores = with_cores ? ps_reader_u32 (&r) : 0;
  return ps_reader_finish (&r, "hello", error);
}

void
ps_proto_put_run (PsBuffer           *b,
                  const char * const *args,
                  guint               n_args)
{
  gsize f = ps_frame_begin (b, PS_FRAME_RUN);

  ps_buffer_put_u32 (b, n_args);
  for (guint i = 0; i < n_args; i++)
    ps_buffer_put_str (b, args[i], strlen (args[i]));
  ps_frame_end (b, f);
}

/**
 * ps_proto_read_run:
 *
 * Returns: (transfer container): the options, pointing into @frame, or
 *   %NULL with @error
 */
GPtrArray *
ps_proto_read_run (const PsFrame *frame,
                   GError       **error)
{
  g_autoptr(GPtrArray) args = NULL;
  PsReader r;
  guint32 argc;

  if (frame->type != PS_FRAME_RUN)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL, _("a RUN frame was expected"));
      return NULL;
    }
  ps_reader_init (&r, frame);
  argc = ps_reader_u32 (&r);
  if (argc > MAX_ARGS)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL, _("a RUN of more than %d options"), MAX_ARGS);
      return NULL;
    }
  args = g_ptr_array_sized_new (argc + 1);
  for (guint32 i = 0; i < argc && !r.failed; i++)
    g_ptr_array_add (args, (char *) ps_reader_str (&r, NULL));
  if (!ps_reader_finish (&r, "run", error))
    return NULL;
  return g_steal_pointer (&args);
}

void
ps_proto_put_cancel (PsBuffer *b)
{
  ps_frame_end (b, ps_frame_begin (b, PS_FRAME_CANCEL));
}

void
ps_proto_put_resize (PsBuffer *b,
                     guint32   workers)
{
  gsize f = ps_frame_begin (b, PS_FRAME_RESIZE);

  ps_buffer_put_u32 (b, workers);
  ps_frame_end (b, f);
}

gboolean
ps_proto_read_resize (const PsFrame *frame,
                      guint32       *workers,
                      GError       **error)
{
  PsReader r;

  if (frame->type != PS_FRAME_RESIZE)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL, _("not a RESIZE frame"));
      return FALSE;
    }
  ps_reader_init (&r, frame);
  *workers = ps_reader_u32 (&r);
  if (!ps_reader_finish (&r, "resize", error))
    return FALSE;
  if (*workers < 1 || *workers > PS_WORKERS_MAX)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL, _("a RESIZE to %u workers (1 to %u)"),
                   *workers, PS_WORKERS_MAX);
      return FALSE;
    }
  return TRUE;
}

void
ps_proto_put_error (PsBuffer   *b,
                    guint32     code,
                    const char *message)
{
  gsize f = ps_frame_begin (b, PS_FRAME_ERROR);

  ps_buffer_put_u32 (b, code);
  ps_buffer_put_str (b, message, strlen (message));
  ps_frame_end (b, f);
}

gboolean
ps_proto_read_error (const PsFrame *frame,
                     PsProtoError  *out,
                     GError       **error)
{
  PsReader r;

  if (frame->type != PS_FRAME_ERROR)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL, _("an ERROR frame was expected"));
      return FALSE;
    }
  ps_reader_init (&r, frame);
  out->code = ps_reader_u32 (&r);
  out->message = ps_reader_str (&r, NULL);
  return ps_reader_finish (&r, "error", error);
}
