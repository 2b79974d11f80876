/* ps-run-summary.c: totals of a run, gathered from its events
 *
 * Works the same on a live run and on a log read back later.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-run-summary"

#include "config.h"

#include "ps-run-summary.h"

static void
worker_summary_free (PsWorkerSummary *w)
{
  g_free (w->name);
  g_free (w);
}

PsRunSummary *
ps_run_summary_new (void)
{
  PsRunSummary *self = g_new0 (PsRunSummary, 1);

  self->per_worker = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_summary_free);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  return self;
}

void
ps_run_summary_free (PsRunSummary *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->by_name);
  g_ptr_array_unref (self->per_worker);
  g_free (self);
}

static PsWorkerSummary *
lookup (PsRunSummary  *self,
        const PsEvent *e)
{
  PsWorkerSummary *w;

  if (e->name == NULL)
    return NULL;
  /* Most events name the same worker as the one before. */
  if (self->last != NULL && self->last->pid == e->pid && self->last_id == e->worker)
    return self->last;
  w = g_hash_table_lookup (self->by_name, e->name);
  if (w == NULL)
    {
      w = g_new0 (PsWorkerSummary, 1);
      w->name = g_strdup (e->name);
      w->pid = e->pid;
      g_ptr_array_add (self->per_worker, w);
      g_hash_table_insert (self->by_name, w->name, w);
    }
  self->last = w;
  self->last_id = e->worker;
  return w;
}

void
ps_run_summary_add (PsRunSummary  *self,
                    const PsEvent *e)
{
  PsWorkerSummary *w;

  switch ((int) e->type)
    {
    case PS_EVENT_TASKS:
      w = lookup (self, e);
      for (guint32 i = 0; i < e->n_entries; i++)
        {
          const PsTaskBatchEntry *t = &e->tasks[i];

          if (w)
            {
              w->busy_ns += MAX (t->end - t->start, 0);
              w->cpu_ns += MAX (t->cpu_ns, 0);
            }
          self->cpu_ns += MAX (t->cpu_ns, 0);
        }
      if (w)
        w->tasks += e->n_entries;
      self->ended += e->n_entries;
      self->ok += e->n_entries;
      break;

    case PS_EVENT_RUN_START:
      self->tasks = e->n_tasks;
      self->workers = e->workers;
      break;

    case PS_EVENT_WORKER_START:
      lookup (self, e);
      break;

    case PS_EVENT_TASK_END:
      self->ended++;
      w = lookup (self, e);
      if (w)
        {
          w->tasks++;
          w->busy_ns += MAX (e->end - e->start, 0);
          w->cpu_ns += MAX (e->cpu_ns, 0);
        }
      self->cpu_ns += MAX (e->cpu_ns, 0);
      /* an attempt tried again is not the task's end */
      if (e->retry)
        {
          self->retried++;
          break;
        }
      switch (e->status)
        {
        case PS_TASK_OK: self->ok++; break;
        case PS_TASK_ERROR: self->errors++; self->failed++; break;
        case PS_TASK_CRASHED: self->crashed++; self->failed++; break;
        case PS_TASK_TIMEOUT: self->timed_out++; self->failed++; break;
        case PS_TASK_CANCELLED: self->cancelled++; break;
        case PS_TASK_N_STATUS:
        default: break;
        }
      break;

    case PS_EVENT_RESIZE:
      /* the pool's size at the end, as the log's last resize says */
      self->workers = e->workers;
      break;

    case PS_EVENT_RUN_END:
      self->wall_ns = e->t;
      self->finished = TRUE;
      self->was_cancelled = e->cancelled;
      /* the engine's own count, which covers the tasks that never ran */
      self->failed = e->n_failed;
      self->ok = e->n_ok;
      self->cancelled = e->n_cancelled;
      break;

    case PS_EVENT_TASK_START:
    case PS_EVENT_OUTPUT:
    case PS_EVENT_SAMPLE:
    case PS_EVENT_WORKER_EXIT:
    case PS_EVENT_N_TYPES:
    default:
      break;
    }
}

/**
 * ps_run_summary_to_json:
 *
 * Returns: (transfer full): one JSON object: tasks, ok, failed (of
 *   which errors, crashed, timed_out: tasks by their last attempt),
 *   retried (attempts), cancelled (tasks that did not run to an end),
 *   wall_s, cpu_s, workers (at the end: a resize changes it), tasks_per_s and per_worker (name, pid, tasks:
 *   the attempts it ran, busy_s)
 */
char *
ps_run_summary_to_json (PsRunSummary *self)
{
  GString *s = g_string_new ("{");
  double wall = self->wall_ns / 1e9;

  g_string_append_printf (s, "\"tasks\":%" G_GUINT64_FORMAT, self->tasks);
  g_string_append_printf (s, ",\"ok\":%" G_GUINT64_FORMAT, self->ok);
  g_string_append_printf (s, ",\"failed\":%" G_GUINT64_FORMAT, self->failed);
  g_string_append_printf (s, ",\"errors\":%" G_GUINT64_FORMAT, self->errors);
  g_string_append_printf (s, ",\"crashed\":%" G_GUINT64_FORMAT, self->crashed);
  g_string_append_printf (s, ",\"timed_out\":%" G_GUINT64_FORMAT, self->timed_out);
  g_string_append_printf (s, ",\"retried\":%" G_GUINT64_FORMAT, self->retried);
  g_string_append_printf (s, ",\"cancelled\":%" G_GUINT64_FORMAT, self->cancelled);
  g_string_append_printf (s, ",\"wall_s\":%.6f", wall);
  g_string_append_printf (s, ",\"cpu_s\":%.6f", self->cpu_ns / 1e9);
  g_string_append_printf (s, ",\"workers\":%u", self->workers);
  g_string_append_printf (s, ",\"tasks_per_s\":%.1f", wall > 0 ? (self->ok + self->failed) / wall : 0.0);
  g_string_append (s, ",\"per_worker\":[");
  for (guint i = 0; i < self->per_worker->len; i++)
    {
      PsWorkerSummary *w = g_ptr_array_index (self->per_worker, i);

      g_string_append_printf (s, "%s{\"name\":", i ? "," : "");
      ps_json_append_string (s, w->name);
      g_string_append_printf (s, ",\"pid\":%d,\"tasks\":%" G_GUINT64_FORMAT ",\"busy_s\":%.6f}",
                              w->pid, w->tasks, w->busy_ns / 1e9);
    }
  g_string_append (s, "]}");
  return g_string_free (s, FALSE);
}
