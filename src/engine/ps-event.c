/* ps-event.c: the one description of a run, in its three encodings
 *
 * Events travel as EVENT frames from the engine to the app, as JSON Lines
 * in the run log, and are read back from that log. One struct, one place
 * for each encoding, so that nothing keeps its own idea of a run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-event"

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include <glib/gi18n-lib.h>

#include "ps-error.h"
#include "ps-event.h"
#include "ps-items.h"
#include "ps-task-batch.h"

static const char *const type_names[PS_EVENT_N_TYPES] = {
  "run-start", "worker-start", "task-start", "task-end",
  "output", "sample", "worker-exit", "run-end", "notice",
  "sweep-run", "sweep-end", "resize",
};

static const char *const status_names[PS_TASK_N_STATUS] = {
  "ok", "error", "crashed", "timeout", "cancelled",
};

/**
 * ps_event_get_item:
 * @buf: room to format an integer item
 *
 * Returns: the item of a task or output event as text
 */
const char *
ps_event_get_item (const PsEvent *e,
                   char           buf[24])
{
  if (e->item != NULL)
    return e->item;
  ps_format_int (e->item_int, buf);
  return buf;
}

const char *
ps_event_type_to_string (PsEventType type)
{
  if (type == PS_EVENT_TASKS)
    return "tasks";
  g_return_val_if_fail (type < PS_EVENT_N_TYPES, "unknown");
  return type_names[type];
}

const char *
ps_task_status_to_string (PsTaskStatus status)
{
  g_return_val_if_fail (status < PS_TASK_N_STATUS, "unknown");
  return status_names[status];
}

gboolean
ps_task_status_from_string (const char   *text,
                            PsTaskStatus *status)
{
  for (guint i = 0; i < PS_TASK_N_STATUS; i++)
    if (g_strcmp0 (text, status_names[i]) == 0)
      {
        *status = i;
        return TRUE;
      }
  return FALSE;
}

#define PUT_STR(b, s) ps_buffer_put_str ((b), (s), (s) ? strlen (s) : 0)

/**
 * ps_event_encode:
 *
 * Appends @event to @buffer as one EVENT frame.
 */
void
ps_event_encode (const PsEvent *e,
                 PsBuffer      *b)
{
  gsize start = ps_frame_begin (b, PS_FRAME_EVENT);

  ps_buffer_put_u8 (b, e->type);
  ps_buffer_put_i64 (b, e->t);

  switch (e->type)
    {
    case PS_EVENT_RUN_START:
    case PS_EVENT_RUN_END:
      ps_buffer_put_u64 (b, e->n_tasks);
      ps_buffer_put_u32 (b, e->workers);
      ps_buffer_put_u32 (b, e->cores);
      ps_buffer_put_u64 (b, e->chunksize);
      PUT_STR (b, e->items);
      PUT_STR (b, e->workload);
      PUT_STR (b, e->start_method);
      PUT_STR (b, e->order);
      ps_buffer_put_u64 (b, e->seed);
      ps_buffer_put_i64 (b, e->epoch_ns);
      ps_buffer_put_u64 (b, e->n_ok);
      ps_buffer_put_u64 (b, e->n_failed);
      ps_buffer_put_u64 (b, e->n_cancelled);
      ps_buffer_put_i64 (b, e->cpu_total_ns);
      ps_buffer_put_u8 (b, e->cancelled);
      PUT_STR (b, e->message);
      PUT_STR (b, e->hosts);
      break;

    case PS_EVENT_WORKER_START:
    case PS_EVENT_WORKER_EXIT:
      ps_buffer_put_u32 (b, e->worker);
      ps_buffer_put_u32 (b, (guint32) e->pid);
      PUT_STR (b, e->name);
      ps_buffer_put_i64 (b, e->start_cost_ns);
      ps_buffer_put_u32 (b, (guint32) e->exit_code);
      ps_buffer_put_u32 (b, (guint32) e->signal);
      PUT_STR (b, e->message);
      ps_buffer_put_u8 (b, e->stopped);
      PUT_STR (b, e->host);
      ps_buffer_put_i64 (b, e->clock_offset_ns);
      ps_buffer_put_i64 (b, e->clock_error_ns);
      break;

    case PS_EVENT_TASK_START:
    case PS_EVENT_TASK_END:
      ps_buffer_put_u32 (b, e->worker);
      ps_buffer_put_u32 (b, (guint32) e->pid);
      ps_buffer_put_u64 (b, e->task);
      ps_buffer_put_u32 (b, e->attempt);
      {
        char buf[24];
        PUT_STR (b, ps_event_get_item (e, buf));
      }
      ps_buffer_put_i64 (b, e->start);
      if (e->type == PS_EVENT_TASK_END)
        {
          ps_buffer_put_u8 (b, e->status);
          ps_buffer_put_u8 (b, e->retry);
          ps_buffer_put_i64 (b, e->end);
          ps_buffer_put_i64 (b, e->cpu_ns);
          ps_buffer_put_u64 (b, e->rank);
          ps_buffer_put_u8 (b, e->result_kind);
          if (e->result_kind == PS_RESULT_INT)
            ps_buffer_put_i64 (b, e->result_int);
          else if (e->result_kind == PS_RESULT_TEXT)
            PUT_STR (b, e->result_text);
          PUT_STR (b, e->message);
        }
      break;

    case PS_EVENT_OUTPUT:
      ps_buffer_put_u32 (b, e->worker);
      ps_buffer_put_u32 (b, (guint32) e->pid);
      ps_buffer_put_u64 (b, e->task);
      ps_buffer_put_u8 (b, e->stream);
      PUT_STR (b, e->text);
      break;

    case PS_EVENT_NOTICE:
      PUT_STR (b, e->message);
      break;

    case PS_EVENT_SWEEP_RUN:
      ps_buffer_put_u64 (b, e->task);
      ps_buffer_put_u32 (b, e->workers);
      ps_buffer_put_u32 (b, e->attempt);
      ps_buffer_put_u8 (b, e->retry);
      break;

    case PS_EVENT_SWEEP_END:
      PUT_STR (b, e->text);
      break;

    case PS_EVENT_RESIZE:
      ps_buffer_put_u32 (b, e->workers);
      break;

    case PS_EVENT_SAMPLE:
      ps_buffer_put_u32 (b, e->worker);
      ps_buffer_put_u32 (b, (guint32) e->pid);
      ps_buffer_put_f64 (b, e->cpu_percent);
      ps_buffer_put_i64 (b, e->rss);
      ps_buffer_put_i64 (b, e->pss);
      ps_buffer_put_i64 (b, e->uss);
      break;

    case PS_EVENT_N_TYPES:
    default:
      g_assert_not_reached ();
    }

  ps_frame_end (b, start);
}

/**
 * ps_event_decode:
 * @event: (out): the event; its strings point into @frame
 *
 * Returns: %TRUE on success; %FALSE with @error set for a frame that is
 *   not a well-formed event
 */
gboolean
ps_event_decode (const PsFrame  *frame,
                 PsEvent        *e,
                 GError        **error)
{
  PsReader r;
  guint8 type;

  memset (e, 0, sizeof *e);
  if (frame->type != PS_FRAME_EVENT)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL, _("frame type %u is not an event"), frame->type);
      return FALSE;
    }

  ps_reader_init (&r, frame);
  type = ps_reader_u8 (&r);
  if (type >= PS_EVENT_N_TYPES)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL, _("unknown event type %u"), type);
      return FALSE;
    }
  e->type = type;
  e->t = ps_reader_i64 (&r);

  switch (e->type)
    {
    case PS_EVENT_RUN_START:
    case PS_EVENT_RUN_END:
      e->n_tasks = ps_reader_u64 (&r);
      e->workers = ps_reader_u32 (&r);
      e->cores = ps_reader_u32 (&r);
      e->chunksize = ps_reader_u64 (&r);
      e->items = ps_reader_str (&r, NULL);
      e->workload = ps_reader_str (&r, NULL);
      e->start_method = ps_reader_str (&r, NULL);
      e->order = ps_reader_str (&r, NULL);
      e->seed = ps_reader_u64 (&r);
      e->epoch_ns = ps_reader_i64 (&r);
      e->n_ok = ps_reader_u64 (&r);
      e->n_failed = ps_reader_u64 (&r);
      e->n_cancelled = ps_reader_u64 (&r);
      e->cpu_total_ns = ps_reader_i64 (&r);
      e->cancelled = ps_reader_u8 (&r) != 0;
      e->message = ps_reader_str (&r, NULL);
      e->hosts = ps_reader_str (&r, NULL);
      if (e->hosts && !*e->hosts)
        e->hosts = NULL;
      break;

    case PS_EVENT_WORKER_START:
    case PS_EVENT_WORKER_EXIT:
      e->worker = ps_reader_u32 (&r);
      e->pid = (gint32) ps_reader_u32 (&r);
      e->name = ps_reader_str (&r, NULL);
      e->start_cost_ns = ps_reader_i64 (&r);
      e->exit_code = (gint32) ps_reader_u32 (&r);
      e->signal = (gint32) ps_reader_u32 (&r);
      e->message = ps_reader_str (&r, NULL);
      e->stopped = ps_reader_u8 (&r) != 0;
      e->host = ps_reader_str (&r, NULL);
      if (e->host && !*e->host)
        e->host = NULL;
      e->clock_offset_ns = ps_reader_i64 (&r);
      e->clock_error_ns = ps_reader_i64 (&r);
      break;

    case PS_EVENT_TASK_START:
    case PS_EVENT_TASK_END:
      e->worker = ps_reader_u32 (&r);
      e->pid = (gint32) ps_reader_u32 (&r);
      e->task = ps_reader_u64 (&r);
      e->attempt = ps_reader_u32 (&r);
      e->item = ps_reader_str (&r, NULL);
      e->start = ps_reader_i64 (&r);
      if (e->type == PS_EVENT_TASK_END)
        {
          guint8 status = ps_reader_u8 (&r);
          guint8 kind;

          e->retry = ps_reader_u8 (&r) != 0;
          e->end = ps_reader_i64 (&r);
          e->cpu_ns = ps_reader_i64 (&r);
          e->rank = ps_reader_u64 (&r);
          kind = ps_reader_u8 (&r);
          if (status >= PS_TASK_N_STATUS || kind > PS_RESULT_TEXT)
            {
              g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL, _("corrupt task-end event"));
              return FALSE;
            }
          e->status = status;
          e->result_kind = kind;
          if (kind == PS_RESULT_INT)
            e->result_int = ps_reader_i64 (&r);
          else if (kind == PS_RESULT_TEXT)
            e->result_text = ps_reader_str (&r, NULL);
          e->message = ps_reader_str (&r, NULL);
        }
      break;

    case PS_EVENT_OUTPUT:
      e->worker = ps_reader_u32 (&r);
      e->pid = (gint32) ps_reader_u32 (&r);
      e->task = ps_reader_u64 (&r);
      e->stream = ps_reader_u8 (&r);
      e->text = ps_reader_str (&r, NULL);
      break;

    case PS_EVENT_NOTICE:
      e->message = ps_reader_str (&r, NULL);
      break;

    case PS_EVENT_SWEEP_RUN:
    case PS_EVENT_SWEEP_END:
      /* a sweep's log lines, never an engine's event */
      g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL, _("a “%s” event is not sent in frames"),
                   type_names[e->type]);
      return FALSE;

    case PS_EVENT_RESIZE:
      e->workers = ps_reader_u32 (&r);
      break;

    case PS_EVENT_SAMPLE:
      e->worker = ps_reader_u32 (&r);
      e->pid = (gint32) ps_reader_u32 (&r);
      e->cpu_percent = ps_reader_f64 (&r);
      e->rss = ps_reader_i64 (&r);
      e->pss = ps_reader_i64 (&r);
      e->uss = ps_reader_i64 (&r);
      break;

    case PS_EVENT_N_TYPES:
    default:
      g_assert_not_reached ();
    }

  return ps_reader_finish (&r, ps_event_type_to_string (e->type), error);
}

/* JSON string escaping per RFC 8259; invalid UTF-8 becomes U+FFFD. */
void
ps_json_append_string (GString    *out,
                       const char *str)
{
  const char *p = str ? str : "";
  const char *end = p + strlen (p);

  g_string_append_c (out, '"');
  while (p < end)
    {
      guchar c = *p;

      if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80)
        {
          g_string_append_c (out, c);
          p++;
          continue;
        }
      if (c >= 0x80)
        {
          gunichar u = g_utf8_get_char_validated (p, end - p);

          if (u == (gunichar) -1 || u == (gunichar) -2)
            {
              g_string_append (out, "\\ufffd");
              p++;
            }
          else
            {
              const char *next = g_utf8_next_char (p);
              g_string_append_len (out, p, next - p);
              p = next;
            }
          continue;
        }
      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default: g_string_append_printf (out, "\\u%04x", c); break;
        }
      p++;
    }
  g_string_append_c (out, '"');
}

static void
key (GString    *out,
     const char *name)
{
  g_string_append_c (out, ',');
  g_string_append_c (out, '"');
  g_string_append (out, name);
  g_string_append (out, "\":");
}

static void
key_int (GString    *out,
         const char *name,
         gint64      v)
{
  key (out, name);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, v);
}

static void
key_uint (GString    *out,
          const char *name,
          guint64     v)
{
  key (out, name);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, v);
}

static void
key_str (GString    *out,
         const char *name,
         const char *v)
{
  key (out, name);
  ps_json_append_string (out, v);
}

/**
 * ps_event_to_json:
 *
 * Appends @event to @out as one JSON object and a newline: a line of the
 * run log (docs/log-format.md).
 */
void
ps_event_to_json (const PsEvent *e,
                  GString       *out)
{
  if (e->type == PS_EVENT_TASKS)
    {
      ps_event_tasks_to_json (e, out);
      return;
    }
  g_string_append (out, "{\"event\":\"");
  g_string_append (out, ps_event_type_to_string (e->type));
  g_string_append (out, "\",\"t\":");
  g_string_append_printf (out, "%" G_GINT64_FORMAT, e->t);

  switch (e->type)
    {
    case PS_EVENT_RUN_START:
      key_int (out, "schema", PS_LOG_SCHEMA_VERSION);
      key_str (out, "version", PACKAGE_VERSION);
      key_uint (out, "tasks", e->n_tasks);
      key_uint (out, "workers", e->workers);
      key_uint (out, "cores", e->cores);
      key_uint (out, "chunksize", e->chunksize);
      key_str (out, "items", e->items);
      key_str (out, "workload", e->workload);
      key_str (out, "start_method", e->start_method);
      key_str (out, "order", e->order);
      key_uint (out, "seed", e->seed);
      if (e->epoch_ns > 0)
        key_int (out, "epoch_ns", e->epoch_ns);
      if (e->hosts)
        key_str (out, "hosts", e->hosts);
      break;

    case PS_EVENT_RUN_END:
      key_uint (out, "tasks", e->n_tasks);
      key_uint (out, "ok", e->n_ok);
      key_uint (out, "failed", e->n_failed);
      key_uint (out, "cancelled_tasks", e->n_cancelled);
      key_int (out, "cpu_ns", e->cpu_total_ns);
      key (out, "cancelled");
      g_string_append (out, e->cancelled ? "true" : "false");
      if (e->message && *e->message)
        key_str (out, "message", e->message);
      break;

    case PS_EVENT_WORKER_START:
    case PS_EVENT_WORKER_EXIT:
      key_str (out, "worker", e->name);
      key_uint (out, "id", e->worker);
      key_int (out, "pid", e->pid);
      if (e->type == PS_EVENT_WORKER_START)
        {
          key_int (out, "start_cost_ns", e->start_cost_ns);
          if (e->host)
            key_str (out, "host", e->host);
          if (e->clock_error_ns > 0)
            {
              key_int (out, "clock_offset_ns", e->clock_offset_ns);
              key_int (out, "clock_error_ns", e->clock_error_ns);
            }
        }
      else
        {
          key_int (out, "exit_code", e->exit_code);
          key_int (out, "signal", e->signal);
          if (e->message && *e->message)
            key_str (out, "reason", e->message);
          if (e->stopped)
            {
              key (out, "stopped");
              g_string_append (out, "true");
            }
        }
      break;

    case PS_EVENT_TASK_START:
    case PS_EVENT_TASK_END:
      {
        char buf[24];
        key_uint (out, "task", e->task);
        key_str (out, "item", ps_event_get_item (e, buf));
      }
      key_str (out, "worker", e->name);
      key_int (out, "pid", e->pid);
      key_uint (out, "attempt", e->attempt);
      key_int (out, "start", e->start);
      if (e->type == PS_EVENT_TASK_END)
        {
          key_str (out, "status", ps_task_status_to_string (e->status));
          key_int (out, "end", e->end);
          key_int (out, "cpu_ns", e->cpu_ns);
          key_uint (out, "rank", e->rank);
          if (e->result_kind == PS_RESULT_INT)
            key_int (out, "result", e->result_int);
          else if (e->result_kind == PS_RESULT_TEXT)
            key_str (out, "result", e->result_text);
          if (e->message && *e->message)
            key_str (out, "message", e->message);
          if (e->retry)
            {
              key (out, "retry");
              g_string_append (out, "true");
            }
        }
      break;

    case PS_EVENT_OUTPUT:
      key_uint (out, "task", e->task);
      key_str (out, "worker", e->name);
      key_int (out, "pid", e->pid);
      key_str (out, "stream", e->stream == PS_STREAM_STDERR ? "stderr" : "stdout");
      key_str (out, "text", e->text);
      break;

    case PS_EVENT_NOTICE:
      key_str (out, "message", e->message);
      break;

    case PS_EVENT_SWEEP_RUN:
      key_uint (out, "run", e->task);
      key_uint (out, "workers", e->workers);
      key_uint (out, "rep", e->attempt);
      key (out, "warmup");
      g_string_append (out, e->retry ? "true" : "false");
      break;

    case PS_EVENT_RESIZE:
      key_uint (out, "workers", e->workers);
      break;

    case PS_EVENT_SWEEP_END:
      /* the sweep's own JSON (ps_sweep_to_json()), as it is */
      key (out, "result");
      /* (only ps_sweep_to_json() makes it: one line of JSON) */
      g_string_append (out, e->text && e->text[0] == '{' && strchr (e->text, '\n') == NULL ? e->text : "{}");
      break;

    case PS_EVENT_SAMPLE:
      key_str (out, "worker", e->name);
      key_int (out, "pid", e->pid);
      key (out, "cpu_percent");
      g_string_append_printf (out, "%.2f", isfinite (e->cpu_percent) ? e->cpu_percent : 0.0);
      key_int (out, "rss", e->rss);
      if (e->pss >= 0)
        key_int (out, "pss", e->pss);
      if (e->uss >= 0)
        key_int (out, "uss", e->uss);
      break;

    case PS_EVENT_N_TYPES:
    default:
      g_assert_not_reached ();
    }
  g_string_append (out, "}\n");
}

/* Writes @value in decimal at @p, which has room for 21 characters (the
 * number and a NUL that the next write covers), and returns the end. */
static inline char *
put_decimal (char   *p,
             gint64  value)
{
  return p + ps_format_int (value, p);
}

#define TASKS_PER_LINE 512
/* "[" six numbers, five commas, "],": at most 6 × 21 (with the NUL) + 8 */
#define TASK_JSON_MAX  136

/**
 * ps_event_tasks_to_json:
 *
 * Appends a tasks event as "tasks" lines of the log (docs/log-format.md):
 * what the tasks share once, then six numbers a task, at most
 * TASKS_PER_LINE tasks a line so that every line stays far below the
 * reader's limit.
 */
void
ps_event_tasks_to_json (const PsEvent *e,
                        GString       *out)
{
  for (guint32 first = 0; first < e->n_entries; first += TASKS_PER_LINE)
    {
      guint32 n = MIN (e->n_entries - first, TASKS_PER_LINE);
      const PsTaskBatchEntry *t = &e->tasks[first];
      gint64 prev_end = t[0].start;
      gsize at;
      char *p;

      g_string_append (out, "{\"event\":\"tasks\",\"t\":");
      at = out->len;
      g_string_set_size (out, at + 24);
      p = put_decimal (out->str + at, t[n - 1].end);
      g_string_truncate (out, p - out->str);
      key_str (out, "worker", e->name);
      key_uint (out, "id", e->worker);
      key_int (out, "pid", e->pid);
      key_uint (out, "rank", t[0].rank);
      key_int (out, "start", t[0].start);
      g_string_append (out, ",\"tasks\":[");

      /* room for every task at once, then plain stores */
      at = out->len;
      g_string_set_size (out, at + (gsize) n * TASK_JSON_MAX);
      p = out->str + at;
      for (guint32 i = 0; i < n; i++)
        {
          *p++ = '[';
          p = put_decimal (p, (gint64) t[i].task);
          *p++ = ',';
          p = put_decimal (p, t[i].item);
          *p++ = ',';
          p = put_decimal (p, t[i].start - prev_end);
          *p++ = ',';
          p = put_decimal (p, t[i].end - t[i].start);
          *p++ = ',';
          p = put_decimal (p, t[i].cpu_ns);
          *p++ = ',';
          p = put_decimal (p, t[i].result);
          *p++ = ']';
          *p++ = ',';
          prev_end = t[i].end;
        }
      p--; /* the last comma */
      memcpy (p, "]}\n", 3);
      p += 3;
      g_string_truncate (out, p - out->str);
    }
}

/**
 * ps_event_init_task_end:
 * @tasks: a %PS_EVENT_TASKS event
 * @e: (out): a task-end with what the tasks share (worker, status ok, an
 *   integer result); ps_task_batch_event_fill() adds a task's own
 */
void
ps_event_init_task_end (const PsEvent *tasks,
                        PsEvent       *e)
{
  memset (e, 0, sizeof *e);
  e->type = PS_EVENT_TASK_END;
  e->status = PS_TASK_OK;
  e->result_kind = PS_RESULT_INT;
  e->worker = tasks->worker;
  e->pid = tasks->pid;
  e->name = tasks->name;
}

/**
 * ps_event_foreach_task:
 * @tasks: a %PS_EVENT_TASKS event
 *
 * Calls @func with a task-end event for each of its tasks, in order.
 */
void
ps_event_foreach_task (const PsEvent *tasks,
                       PsEventFunc    func,
                       gpointer       data)
{
  PsEvent e;

  g_return_if_fail (tasks->type == PS_EVENT_TASKS);
  ps_event_init_task_end (tasks, &e);
  for (guint32 i = 0; i < tasks->n_entries; i++)
    {
      ps_task_batch_event_fill (&tasks->tasks[i], &e);
      func (&e, data);
    }
}

/* json-glib parses nested arrays and objects by recursion, without a
 * limit: a line of a few hundred thousand '[' overflows the stack. Log
 * lines are flat, so anything nested this deep is refused before parsing. */
#define JSON_MAX_DEPTH 64

static gboolean
json_depth_ok (const char *line,
               gsize       len)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = line[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > JSON_MAX_DEPTH)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

/* One member of a flat JSON object read by flat_scan(). */
typedef enum { FLAT_INT, FLAT_DOUBLE, FLAT_STRING, FLAT_BOOL, FLAT_NULL } FlatKind;

typedef struct
{
  const char *key;     /* NUL-terminated, in the scan's copy of the line */
  guint       key_len;
  FlatKind    kind;
  gint64      i;       /* FLAT_INT, FLAT_BOOL */
  double      d;       /* FLAT_DOUBLE */
  const char *str;     /* FLAT_STRING: NUL-terminated, valid UTF-8 */
} FlatMember;

#define FLAT_MAX_MEMBERS 32

/* Readers of a JSON object that check the member's type: of a json-glib
 * object, or of the members flat_scan() read. */
typedef struct
{
  JsonObject   *obj;
  const FlatMember *flat;
  guint         n_flat;
  GStringChunk *strings;
  const char   *missing;
  const char   *wrong;
} Fields;

static inline const FlatMember *
flat_get (Fields     *f,
          const char *name)
{
  gsize len = strlen (name);

  for (guint i = 0; i < f->n_flat; i++)
    if (f->flat[i].key_len == len && f->flat[i].key[0] == name[0] && memcmp (f->flat[i].key, name, len) == 0)
      return &f->flat[i];
  return NULL;
}

static gboolean
has_member (Fields     *f,
            const char *name)
{
  return f->flat ? flat_get (f, name) != NULL : json_object_has_member (f->obj, name);
}

/* Whether the member @name is there and a whole number. */
static gboolean
member_is_int (Fields     *f,
               const char *name)
{
  JsonNode *node;

  if (f->flat)
    {
      const FlatMember *m = flat_get (f, name);
      return m != NULL && m->kind == FLAT_INT;
    }
  node = json_object_get_member (f->obj, name);
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static inline void
set_wrong (Fields     *f,
           const char *name)
{
  if (f->wrong == NULL)
    f->wrong = name;
}

static inline void
set_missing (Fields     *f,
             const char *name,
             gboolean    required)
{
  if (required && f->missing == NULL)
    f->missing = name;
}

static gint64
get_int (Fields     *f,
         const char *name,
         gboolean    required)
{
  JsonNode *node;

  if (f->flat)
    {
      const FlatMember *m = flat_get (f, name);

      if (m == NULL)
        set_missing (f, name, required);
      else if (m->kind != FLAT_INT)
        set_wrong (f, name);
      else
        return m->i;
      return 0;
    }
  node = json_object_get_member (f->obj, name);

  if (node == NULL)
    {
      if (required && f->missing == NULL)
        f->missing = name;
      return 0;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      if (f->wrong == NULL)
        f->wrong = name;
      return 0;
    }
  return json_node_get_int (node);
}

static double
get_double (Fields     *f,
            const char *name)
{
  JsonNode *node;

  if (f->flat)
    {
      const FlatMember *m = flat_get (f, name);

      if (m != NULL && m->kind == FLAT_INT)
        return (double) m->i;
      if (m != NULL && m->kind == FLAT_DOUBLE)
        return m->d;
      if (m != NULL)
        set_wrong (f, name);
      return 0;
    }
  node = json_object_get_member (f->obj, name);

  if (node == NULL)
    return 0;
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_DOUBLE &&
       json_node_get_value_type (node) != G_TYPE_INT64))
    {
      if (f->wrong == NULL)
        f->wrong = name;
      return 0;
    }
  return json_node_get_double (node);
}

/* json_object_get_boolean_member_with_default() is critical about an
 * array or object: a bad line is not a programming error. */
static gboolean
get_bool (Fields     *f,
          const char *name)
{
  JsonNode *node;

  if (f->flat)
    {
      const FlatMember *m = flat_get (f, name);

      if (m == NULL || m->kind == FLAT_NULL)
        return FALSE;
      if (m->kind != FLAT_BOOL)
        {
          set_wrong (f, name);
          return FALSE;
        }
      return m->i != 0;
    }
  node = json_object_get_member (f->obj, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      if (f->wrong == NULL)
        f->wrong = name;
      return FALSE;
    }
  return json_node_get_boolean (node);
}

static const char *
get_str (Fields     *f,
         const char *name,
         gboolean    required)
{
  JsonNode *node;
  const char *str;

  if (f->flat)
    {
      const FlatMember *m = flat_get (f, name);

      if (m == NULL)
        set_missing (f, name, required);
      else if (m->kind != FLAT_STRING)
        set_wrong (f, name);
      else
        return g_string_chunk_insert_len (f->strings, m->str, -1);
      return NULL;
    }
  node = json_object_get_member (f->obj, name);

  if (node == NULL)
    {
      if (required && f->missing == NULL)
        f->missing = name;
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      if (f->wrong == NULL)
        f->wrong = name;
      return NULL;
    }
  str = json_node_get_string (node);
  /* json-glib lets a malformed \u escape through as a lone surrogate: the
   * event's strings end up in labels, which want valid UTF-8. */
  if (G_UNLIKELY (!g_utf8_validate (str, -1, NULL)))
    {
      g_autofree char *valid = g_utf8_make_valid (str, -1);

      return g_string_chunk_insert_const (f->strings, valid);
    }
  return g_string_chunk_insert_const (f->strings, str);
}

/**
 * ps_event_from_json_line:
 * @line: one line of a run log, without its newline
 * @strings: where the event's strings are kept
 *
 * Returns: %TRUE with @event filled; %FALSE with @error naming what is
 *   wrong with the line
 */
gboolean
ps_event_from_json_line (const char    *line,
                         gsize          len,
                         PsEvent       *e,
                         GStringChunk  *strings,
                         GError       **error)
{
  return ps_event_parse_json_line (line, len, e, NULL, strings, error);
}

/* One task of a "tasks" line from its six numbers [task, item, gap,
 * duration, cpu_ns, result], after the one that ended at *prev_end:
 * FALSE for a negative task or time, or a time that overflows. */
static gboolean
task_from_numbers (const gint64      v[6],
                   gint64           *prev_end,
                   guint64           rank,
                   PsTaskBatchEntry *t)
{
  if (v[0] < 0 || v[2] < 0 || v[3] < 0 || v[4] < 0 ||
      *prev_end > G_MAXINT64 - v[2] || *prev_end + v[2] > G_MAXINT64 - v[3])
    return FALSE;
  t->task = (guint64) v[0];
  t->item = v[1];
  t->start = *prev_end + v[2];
  t->end = t->start + v[3];
  t->cpu_ns = v[4];
  t->result = v[5];
  t->rank = rank;
  *prev_end = t->end;
  return TRUE;
}

/* The tasks of a "tasks" line, into @entries. */
static gboolean
read_tasks (Fields   *f,
            PsEvent  *e,
            GArray   *entries,
            GError  **error)
{
  JsonNode *node = f->obj ? json_object_get_member (f->obj, "tasks") : NULL;
  JsonArray *array;
  gint64 rank = get_int (f, "rank", TRUE);
  gint64 prev_end = get_int (f, "start", TRUE);
  guint n;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL,
                           _("tasks event lacks the array “tasks”"));
      return FALSE;
    }
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0 || rank < 0)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL, _("tasks event with no tasks"));
      return FALSE;
    }
  g_array_set_size (entries, 0);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      JsonArray *a = JSON_NODE_HOLDS_ARRAY (item) ? json_node_get_array (item) : NULL;
      gint64 v[6];
      PsTaskBatchEntry t;

      if (a == NULL || json_array_get_length (a) != 6)
        goto bad;
      for (guint k = 0; k < 6; k++)
        {
          JsonNode *num = json_array_get_element (a, k);

          if (!JSON_NODE_HOLDS_VALUE (num) || json_node_get_value_type (num) != G_TYPE_INT64)
            goto bad;
          v[k] = json_node_get_int (num);
        }
      /* task ≥ 0; gap, duration and CPU time ≥ 0, and no time overflows */
      if (!task_from_numbers (v, &prev_end, (guint64) rank + i, &t))
        goto bad;
      g_array_append_val (entries, t);
    }
  e->tasks = (const PsTaskBatchEntry *) (gpointer) entries->data;
  e->n_entries = entries->len;
  return TRUE;

bad:
  g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL,
                       _("tasks event: each task must be six whole numbers "
                         "[task, item, gap, duration, cpu_ns, result], none of the times negative"));
  return FALSE;
}

/* ---- the fast path for "tasks" lines ----------------------------------- */

/* A JSON integer at *p (no fraction, no exponent); FALSE to leave the
 * line to the full parser. */
static inline gboolean
fast_int (const char **p,
          const char  *end,
          gint64      *out)
{
  const char *q = *p;
  gboolean neg = FALSE;
  guint64 v = 0;

  if (q < end && *q == '-')
    {
      neg = TRUE;
      q++;
    }
  if (q >= end || !g_ascii_isdigit (*q))
    return FALSE;
  for (; q < end && g_ascii_isdigit (*q); q++)
    {
      guint d = *q - '0';

      if (v > (G_GUINT64_CONSTANT (9223372036854775808) - d) / 10)
        return FALSE;
      v = v * 10 + d;
    }
  if (q < end && (*q == '.' || *q == 'e' || *q == 'E'))
    return FALSE;
  if (!neg && v > (guint64) G_MAXINT64)
    return FALSE;
  *out = neg ? (gint64) (0 - v) : (gint64) v;
  *p = q;
  return TRUE;
}

static inline gboolean
fast_lit (const char **p,
          const char  *end,
          const char  *lit,
          gsize        len)
{
  if ((gsize) (end - *p) < len || memcmp (*p, lit, len) != 0)
    return FALSE;
  *p += len;
  return TRUE;
}

/* A "tasks" line exactly as ps_event_tasks_to_json() writes it, read
 * without building a JSON tree (json-glib took ~5 µs a task). Anything
 * else — another order, spaces, escapes in the name — goes to the full
 * parser, which checks the same things. */
static gboolean
parse_tasks_fast (const char   *line,
                  gsize         len,
                  PsEvent      *e,
                  GArray       *entries,
                  GStringChunk *strings)
{
  const char *p = line, *end = line + len, *name, *name_end;
  gint64 t, id, pid, rank, start, prev_end;
  char *copy;

  while (end > p && (end[-1] == ' ' || end[-1] == '\r' || end[-1] == '\t'))
    end--;
  if (!fast_lit (&p, end, "{\"event\":\"tasks\",\"t\":", 21) || !fast_int (&p, end, &t) ||
      !fast_lit (&p, end, ",\"worker\":\"", 11))
    return FALSE;
  name = p;
  while (p < end && *p != '"' && *p != '\\' && (guchar) *p >= 0x20)
    p++;
  name_end = p;
  if (!fast_lit (&p, end, "\",\"id\":", 7) || !fast_int (&p, end, &id) ||
      !fast_lit (&p, end, ",\"pid\":", 7) || !fast_int (&p, end, &pid) ||
      !fast_lit (&p, end, ",\"rank\":", 8) || !fast_int (&p, end, &rank) ||
      !fast_lit (&p, end, ",\"start\":", 9) || !fast_int (&p, end, &start) ||
      !fast_lit (&p, end, ",\"tasks\":[", 10))
    return FALSE;
  if (t < 0 || rank < 0 || id < 0 || id > G_MAXUINT32 || pid < G_MININT32 || pid > G_MAXINT32 ||
      !g_utf8_validate (name, name_end - name, NULL))
    return FALSE;

  g_array_set_size (entries, 0);
  prev_end = start;
  for (guint64 i = 0;; i++)
    {
      gint64 v[6];
      PsTaskBatchEntry task;

      if (!fast_lit (&p, end, "[", 1))
        return FALSE;
      for (guint k = 0; k < 6; k++)
        if ((k > 0 && !fast_lit (&p, end, ",", 1)) || !fast_int (&p, end, &v[k]))
          return FALSE;
      if (!fast_lit (&p, end, "]", 1))
        return FALSE;
      if (!task_from_numbers (v, &prev_end, (guint64) rank + i, &task))
        return FALSE;
      g_array_append_val (entries, task);
      if (fast_lit (&p, end, ",", 1))
        continue;
      if (fast_lit (&p, end, "]}", 2) && p == end)
        break;
      return FALSE;
    }

  memset (e, 0, sizeof *e);
  e->type = PS_EVENT_TASKS;
  e->t = t;
  copy = g_strndup (name, name_end - name);
  e->name = g_string_chunk_insert_const (strings, copy);
  g_free (copy);
  e->worker = (guint32) id;
  e->pid = (gint32) pid;
  e->tasks = (const PsTaskBatchEntry *) (gpointer) entries->data;
  e->n_entries = entries->len;
  return TRUE;
}

/* ---- the fast path for flat lines --------------------------------------- */

static inline char *
skip_ws (char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

static inline int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* A JSON string at p (its opening quote), decoded in place: returns the
 * character after its closing quote, NULL to leave the line to json-glib
 * (an escape it would judge, a control character, no end). */
static char *
flat_string (char        *p,
             const char **out)
{
  char *r = p + 1, *w = p + 1;

  *out = w;
  for (;;)
    {
      guchar c = *r;

      if (c == '"')
        break;
      if (c < 0x20)
        return NULL;
      if (c != '\\')
        {
          *w++ = *r++;
          continue;
        }
      r++;
      switch (*r)
        {
        case '"': case '\\': case '/': *w++ = *r; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u':
          {
            gunichar cp = 0;

            for (int k = 1; k <= 4; k++)
              {
                int d = hex_digit (r[k]);

                if (d < 0)
                  return NULL;
                cp = cp * 16 + d;
              }
            /* a NUL or a surrogate (paired or lone): json-glib's to judge */
            if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
              return NULL;
            w += g_unichar_to_utf8 (cp, w);
            r += 4;
          }
          break;
        default:
          return NULL;
        }
      r++;
    }
  *w = '\0';
  return r + 1;
}

/* A JSON number at p, strictly by the grammar; NULL to leave the line to
 * json-glib (an integer past 64 bits, a malformed number). */
static char *
flat_number (char       *p,
             FlatMember *m)
{
  char *q = p, *int_end, saved;
  guint64 v = 0;
  gboolean neg = FALSE;

  if (*q == '-')
    {
      neg = TRUE;
      q++;
    }
  if (*q == '0')
    q++;
  else if (*q >= '1' && *q <= '9')
    while (g_ascii_isdigit (*q))
      q++;
  else
    return NULL;
  int_end = q;
  if (*q == '.')
    {
      q++;
      if (!g_ascii_isdigit (*q))
        return NULL;
      while (g_ascii_isdigit (*q))
        q++;
    }
  if (*q == 'e' || *q == 'E')
    {
      q++;
      if (*q == '+' || *q == '-')
        q++;
      if (!g_ascii_isdigit (*q))
        return NULL;
      while (g_ascii_isdigit (*q))
        q++;
    }
  if (q == int_end)
    {
      for (char *d = p + neg; d < q; d++)
        {
          guint digit = *d - '0';

          if (v > (G_GUINT64_CONSTANT (9223372036854775808) - digit) / 10)
            return NULL;
          v = v * 10 + digit;
        }
      if (!neg && v > (guint64) G_MAXINT64)
        return NULL;
      m->kind = FLAT_INT;
      m->i = neg ? (gint64) (0 - v) : (gint64) v;
      return q;
    }
  saved = *q;
  *q = '\0';
  m->kind = FLAT_DOUBLE;
  m->d = g_ascii_strtod (p, NULL);
  *q = saved;
  return q;
}

/* A line that is one JSON object of strings, numbers, booleans and nulls
 * (every line but "tasks" and "sweep-end") read without building a tree:
 * json-glib took ~13 µs a line. The line is valid UTF-8 (checked first),
 * and so are its decoded strings: an escape makes no surrogate. Returns the copy of the line the members
 * point into, or NULL to leave the line to json-glib: anything nested,
 * an escape it alone judges, a repeated member, anything not JSON. */
static char *
flat_scan (const char *line,
           gsize       len,
           FlatMember *members,
           guint      *n_members)
{
  char *buf = g_malloc (len + 1), *p;
  guint n = 0;

  memcpy (buf, line, len);
  buf[len] = '\0';   /* the sentinel every test below stops at */
  p = skip_ws (buf);
  if (*p++ != '{')
    goto fail;
  for (;;)
    {
      FlatMember *m = &members[n];
      char *key;

      p = skip_ws (p);
      if (*p != '"' || n == FLAT_MAX_MEMBERS)
        goto fail;
      key = ++p;
      while (*p != '"' && *p != '\\' && (guchar) *p >= 0x20)
        p++;
      if (*p != '"')
        goto fail;
      *p = '\0';
      m->key = key;
      m->key_len = p - key;
      p++;
      for (guint i = 0; i < n; i++)
        if (members[i].key_len == m->key_len && memcmp (members[i].key, key, m->key_len) == 0)
          goto fail;
      p = skip_ws (p);
      if (*p++ != ':')
        goto fail;
      p = skip_ws (p);
      switch (*p)
        {
        case '"':
          m->kind = FLAT_STRING;
          if (!(p = flat_string (p, &m->str)))
            goto fail;
          break;
        case 't':
          if (strncmp (p, "true", 4) != 0)
            goto fail;
          m->kind = FLAT_BOOL;
          m->i = 1;
          p += 4;
          break;
        case 'f':
          if (strncmp (p, "false", 5) != 0)
            goto fail;
          m->kind = FLAT_BOOL;
          m->i = 0;
          p += 5;
          break;
        case 'n':
          if (strncmp (p, "null", 4) != 0)
            goto fail;
          m->kind = FLAT_NULL;
          p += 4;
          break;
        default:
          if (!(p = flat_number (p, m)))
            goto fail;
          break;
        }
      n++;
      p = skip_ws (p);
      if (*p == ',')
        {
          p++;
          continue;
        }
      if (*p++ == '}')
        break;
      goto fail;
    }
  if (*skip_ws (p) != '\0' || skip_ws (p) != buf + len)
    goto fail;
  *n_members = n;
  return buf;

fail:
  g_free (buf);
  return NULL;
}

/**
 * ps_event_parse_json_line:
 * @entries: (nullable): where the tasks of a "tasks" line go (an array of
 *   #PsTaskBatchEntry), or %NULL to refuse such lines
 *
 * As ps_event_from_json_line(), and a "tasks" line becomes a
 * %PS_EVENT_TASKS event whose tasks point into @entries.
 */
gboolean
ps_event_parse_json_line (const char    *line,
                          gsize          len,
                          PsEvent       *e,
                          GArray        *entries,
                          GStringChunk  *strings,
                          GError       **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *flat_copy = NULL;
  FlatMember flat[FLAT_MAX_MEMBERS];
  guint n_flat = 0;
  JsonNode *root;
  Fields f = { NULL, NULL, 0, strings, NULL, NULL };
  const char *type;
  const char *status;

  memset (e, 0, sizeof *e);
  if (len == 0)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL, _("empty line"));
      return FALSE;
    }
  if (entries != NULL && len > 21 && line[2] == 'e' && parse_tasks_fast (line, len, e, entries, strings))
    return TRUE;
  if (!g_utf8_validate_len (line, len, NULL))
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL, _("not valid UTF-8"));
      return FALSE;
    }
  if ((flat_copy = flat_scan (line, len, flat, &n_flat)) != NULL)
    {
      f.flat = flat;
      f.n_flat = n_flat;
    }
  else
    {
      if (!json_depth_ok (line, len))
        {
          g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL,
                       _("arrays or objects nested more than %d deep"), JSON_MAX_DEPTH);
          return FALSE;
        }
      parser = json_parser_new_immutable ();
      if (!json_parser_load_from_data (parser, line, len, &local_error))
        {
          /* json-glib quotes the bad input in its message, down to half a
           * character or a lone surrogate: make it fit for a label. */
          g_autofree char *why = g_utf8_make_valid (local_error->message, -1);

          g_strdelimit (why, "\n\r\t", ' ');
          g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL, _("not JSON: %s"), why);
          return FALSE;
        }
      root = json_parser_get_root (parser);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL, _("not a JSON object"));
          return FALSE;
        }
      f.obj = json_node_get_object (root);
    }

  type = get_str (&f, "event", TRUE);
  e->t = get_int (&f, "t", TRUE);
  if (type == NULL)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL, _("no “event” member"));
      return FALSE;
    }
  e->type = PS_EVENT_N_TYPES;
  for (guint i = 0; i < PS_EVENT_N_TYPES; i++)
    if (g_str_equal (type, type_names[i]))
      e->type = i;
  if (entries != NULL && g_str_equal (type, "tasks"))
    e->type = PS_EVENT_TASKS;
  if (e->type == PS_EVENT_N_TYPES)
    {
      /* g_utf8_substring() reads past the end of a string shorter than 40 */
      g_autofree char *shown = g_utf8_substring (type, 0, MIN (g_utf8_strlen (type, -1), 40));
      g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL, _("unknown event “%s”"), shown);
      return FALSE;
    }

  switch (e->type)
    {
    case PS_EVENT_TASKS:
      e->name = get_str (&f, "worker", TRUE);
      e->worker = get_int (&f, "id", TRUE);
      e->pid = get_int (&f, "pid", TRUE);
      if (f.missing == NULL && f.wrong == NULL && !read_tasks (&f, e, entries, error))
        return FALSE;
      break;

    case PS_EVENT_RUN_START:
      {
        gint64 schema = get_int (&f, "schema", TRUE);

        /* schema 1 is schema 2 without "tasks" lines and "stopped" */
        if (schema != PS_LOG_SCHEMA_VERSION && schema != 1 && f.missing == NULL && f.wrong == NULL)
          {
            g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL,
                         _("log schema %" PRId64 " is not supported (this version reads schemas 1 and %d)"),
                         schema, PS_LOG_SCHEMA_VERSION);
            return FALSE;
          }
      }
      e->n_tasks = get_int (&f, "tasks", TRUE);
      e->workers = get_int (&f, "workers", TRUE);
      e->cores = get_int (&f, "cores", FALSE);
      e->chunksize = get_int (&f, "chunksize", FALSE);
      e->items = get_str (&f, "items", FALSE);
      e->workload = get_str (&f, "workload", TRUE);
      e->start_method = get_str (&f, "start_method", FALSE);
      e->order = get_str (&f, "order", FALSE);
      e->seed = get_int (&f, "seed", FALSE);
      e->epoch_ns = get_int (&f, "epoch_ns", FALSE);
      e->hosts = get_str (&f, "hosts", FALSE);
      break;

    case PS_EVENT_RUN_END:
      e->n_tasks = get_int (&f, "tasks", TRUE);
      e->n_ok = get_int (&f, "ok", TRUE);
      e->n_failed = get_int (&f, "failed", TRUE);
      e->n_cancelled = get_int (&f, "cancelled_tasks", FALSE);
      e->cpu_total_ns = get_int (&f, "cpu_ns", FALSE);
      e->cancelled = get_bool (&f, "cancelled");
      e->message = get_str (&f, "message", FALSE);
      break;

    case PS_EVENT_WORKER_START:
    case PS_EVENT_WORKER_EXIT:
      e->name = get_str (&f, "worker", TRUE);
      e->worker = get_int (&f, "id", TRUE);
      e->pid = get_int (&f, "pid", TRUE);
      e->start_cost_ns = get_int (&f, "start_cost_ns", FALSE);
      e->exit_code = get_int (&f, "exit_code", FALSE);
      e->signal = get_int (&f, "signal", FALSE);
      e->message = get_str (&f, "reason", FALSE);
      e->stopped = get_bool (&f, "stopped");
      e->host = get_str (&f, "host", FALSE);
      e->clock_offset_ns = get_int (&f, "clock_offset_ns", FALSE);
      e->clock_error_ns = get_int (&f, "clock_error_ns", FALSE);
      break;

    case PS_EVENT_TASK_START:
    case PS_EVENT_TASK_END:
      e->task = get_int (&f, "task", TRUE);
      e->item = get_str (&f, "item", TRUE);
      e->name = get_str (&f, "worker", TRUE);
      e->pid = get_int (&f, "pid", TRUE);
      e->attempt = get_int (&f, "attempt", FALSE);
      e->start = get_int (&f, "start", TRUE);
      if (e->type == PS_EVENT_TASK_END)
        {
          status = get_str (&f, "status", TRUE);
          if (status != NULL && !ps_task_status_from_string (status, &e->status))
            {
              g_autofree char *shown = g_utf8_substring (status, 0,
                                                         MIN (g_utf8_strlen (status, -1), 40));
              g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL, _("unknown task status “%s”"), shown);
              return FALSE;
            }
          e->end = get_int (&f, "end", TRUE);
          e->cpu_ns = get_int (&f, "cpu_ns", TRUE);
          e->rank = get_int (&f, "rank", FALSE);
          e->message = get_str (&f, "message", FALSE);
          e->retry = get_bool (&f, "retry");
          if (member_is_int (&f, "result"))
            {
              e->result_kind = PS_RESULT_INT;
              e->result_int = get_int (&f, "result", FALSE);
            }
          else if (has_member (&f, "result"))
            {
              e->result_kind = PS_RESULT_TEXT;
              e->result_text = get_str (&f, "result", FALSE);
            }
        }
      break;

    case PS_EVENT_OUTPUT:
      e->task = get_int (&f, "task", TRUE);
      e->name = get_str (&f, "worker", TRUE);
      e->pid = get_int (&f, "pid", FALSE);
      e->text = get_str (&f, "text", TRUE);
      e->stream = g_strcmp0 (get_str (&f, "stream", FALSE), "stderr") == 0
                  ? PS_STREAM_STDERR : PS_STREAM_STDOUT;
      break;

    case PS_EVENT_NOTICE:
      e->message = get_str (&f, "message", TRUE);
      break;

    case PS_EVENT_SWEEP_RUN:
      e->task = get_int (&f, "run", TRUE);
      e->workers = get_int (&f, "workers", TRUE);
      e->attempt = get_int (&f, "rep", FALSE);
      e->retry = get_bool (&f, "warmup");
      break;

    case PS_EVENT_RESIZE:
      e->workers = get_int (&f, "workers", TRUE);
      break;

    case PS_EVENT_SWEEP_END:
      {
        JsonNode *result = f.obj ? json_object_get_member (f.obj, "result") : NULL;

        if (result == NULL || !JSON_NODE_HOLDS_OBJECT (result))
          f.missing = f.missing ? f.missing : "result";
        else
          {
            g_autofree char *text = json_to_string (result, FALSE);
            e->text = g_string_chunk_insert (strings, text);
          }
      }
      break;

    case PS_EVENT_SAMPLE:
      e->name = get_str (&f, "worker", TRUE);
      e->pid = get_int (&f, "pid", TRUE);
      e->cpu_percent = get_double (&f, "cpu_percent");
      e->rss = get_int (&f, "rss", TRUE);
      e->pss = has_member (&f, "pss") ? get_int (&f, "pss", FALSE) : -1;
      e->uss = has_member (&f, "uss") ? get_int (&f, "uss", FALSE) : -1;
      break;

    case PS_EVENT_N_TYPES:
    default:
      g_assert_not_reached ();
    }

  if (f.wrong != NULL)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL,
                   _("%s event has a member “%s” of the wrong type"), type, f.wrong);
      return FALSE;
    }
  if (f.missing != NULL)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL,
                   _("%s event lacks the member “%s”"), type, f.missing);
      return FALSE;
    }
  if (e->t < 0)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL, _("negative time"));
      return FALSE;
    }
  return TRUE;
}
