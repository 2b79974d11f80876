/* ps-run-model.c: one run as the views see it, built from its events
 *
 * The model takes the engine's events one by one (live, or from a saved
 * log) and keeps what the views draw in flat arrays sized when the run
 * starts: a 40-byte record per task by submission index, the completion
 * order, one lane of task indices per worker, and fixed rings of samples.
 * Nothing here draws or signals per event: the window compares the serial
 * on its frame clock and redraws what changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "ps-items.h"
#include "ps-run-model.h"

#include <math.h>
#include <string.h>
#include <sys/mman.h>

/* Above this many tasks a run keeps counts but no per-task records. */
#define MAX_TASKS_KEPT  (8u * 1024 * 1024)
#define OUTPUT_KEPT     10000

typedef struct _PsRunArrays PsRunArrays;

struct _PsRunModel
{
  GObject       parent_instance;

  guint64       serial;
  gint64        time_scale;     /* ns the views span at least; 0: the run's own */
  gboolean      has_run;
  gboolean      ended;
  gboolean      cancelled;
  char         *error;
  char         *end_message;
  char         *workload;
  char         *items_spec;   /* as the run-start gave them */
  char         *start_method;
  guint64       n_tasks;
  guint64       chunksize;
  guint         cores;
  guint         pool_size;    /* the run's, or the last resize's */
  GArray       *resizes;      /* PsResizeRec */
  gboolean      unordered;
  gint64        now;
  gint64        wall;

  PsTaskRec    *tasks;        /* n_kept of them, zeroed (made ready before the run when it can) */
  guint64       n_kept;
  guint32      *completion;   /* n_kept of them: the task of each rank */
  guint64       n_completion;
  GArray       *attempts;     /* PsAttemptRec */
  GArray       *failed;       /* guint32: tasks that ended other than ok */
  GPtrArray    *workers;      /* PsWorkerInfo*, as they appeared: PsTaskRec.worker counts here */
  guint         generation;   /* one more at every reset */
  GPtrArray    *rows;         /* the same, by K: the order they are shown in */
  GPtrArray    *strings;      /* text items and results, by index: char* into text */
  GStringChunk *text;         /* their bytes, packed: no allocation per string */
  guint64       n_done;
  guint64       n_status[PS_TASK_N_STATUS];
  guint64       n_unrun;      /* cancelled tasks that never started (run-end says how many) */
  guint64       n_retried;

  PsSampleRing  total;

  char        **output;       /* OUTPUT_KEPT slots, a ring */
  guint64       n_output;

  PsRunArrays  *prepared;     /* made ready for the coming run, before it starts */
  guint         last_worker;  /* the one find_worker() found last */
};

G_STATIC_ASSERT (sizeof (PsTaskRec) == 40);

G_DEFINE_FINAL_TYPE (PsRunModel, ps_run_model, G_TYPE_OBJECT)

/* Zeroed memory for the per-task arrays. A big run's arrays are mapped
 * apart, so they go back whole when the run is reset. No huge pages
 * (MADV_HUGEPAGE): with the kernel's usual defrag=madvise, getting one
 * may compact memory for 100 ms and more while holding the process's
 * memory map, and the main thread waited on that (measured: main-loop
 * gaps of 110-160 ms in 4 of 12 runs). */
#define BIG (4u * 1024 * 1024)
#define POPULATE_STEP (2u * 1024 * 1024)

static gpointer
big_alloc (gsize size)
{
  gpointer p;

  if (size < BIG)
    return g_try_malloc0 (MAX (size, 1));
  p = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return NULL;
#ifdef MADV_DONTFORK
  /* starting the engine forks the app: without this, every page of the
   * arrays would be write-protected for copy-on-write until the child
   * execs, and fault again at its next write */
  madvise (p, size, MADV_DONTFORK);
#endif
  return p;
}

static void
big_free (gpointer p,
          gsize    size)
{
  if (p == NULL)
    return;
  if (size < BIG)
    g_free (p);
  else
    munmap (p, size);
}

/* The per-task arrays of a run of n tasks. */
struct _PsRunArrays
{
  guint64    n;
  PsTaskRec *tasks;
  guint32   *completion;
};

static void
run_arrays_free (PsRunArrays *a)
{
  big_free (a->tasks, a->n * sizeof (PsTaskRec));
  big_free (a->completion, a->n * sizeof (guint32));
  g_free (a);
}

static PsRunArrays *
run_arrays_new (guint64 n)
{
  PsRunArrays *a = g_new0 (PsRunArrays, 1);

  a->n = n;
  a->tasks = big_alloc (n * sizeof (PsTaskRec));
  a->completion = big_alloc (n * sizeof (guint32));
  if (a->tasks == NULL || a->completion == NULL)
    {
      run_arrays_free (a);
      return NULL;
    }
  return a;
}

/* Makes the pages of [p, p + size) resident. They are zero already and
 * stay zero; what changes is when the kernel clears them: now, rather
 * than one fault at a time while the run's events pour in. */
static void
populate (gpointer p,
          gsize    size)
{
  /* 2 MiB at a time: the kernel holds the process's memory map while it
   * populates, and the main thread waits for it to map anything */
  for (gsize at = 0; at < size; at += POPULATE_STEP)
    {
      gsize len = MIN (POPULATE_STEP, size - at);

#ifdef MADV_POPULATE_WRITE
      if (size >= BIG && madvise ((char *) p + at, len, MADV_POPULATE_WRITE) == 0)
        continue;
#endif
      for (gsize i = 0; i < len; i += 4096)
        ((volatile char *) p)[at + i] = 0;
    }
}

static void
prepare_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  guint64 n = *(guint64 *) data;
  PsRunArrays *a;

  /* Run and Stop again and again: no work for a run already let go */
  if (g_task_return_error_if_cancelled (task))
    return;
  a = run_arrays_new (n);
  if (a == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                               _("Not enough memory to keep %" G_GUINT64_FORMAT " tasks"), n);
      return;
    }
  populate (a->tasks, n * sizeof (PsTaskRec));
  populate (a->completion, n * sizeof (guint32));
  g_task_return_pointer (task, a, (GDestroyNotify) run_arrays_free);
}

/**
 * ps_run_model_prepare_async:
 * @n_tasks: the coming run's size
 *
 * Makes the per-task arrays of a run of @n_tasks ready, in a thread,
 * before the run starts: a million tasks are ~45 MB to clear, which
 * would otherwise happen while the run competes for the same cores.
 * The run-start event of a run of that size takes them. A run too big
 * to keep per-task records needs nothing and finishes at once.
 */
void
ps_run_model_prepare_async (PsRunModel          *self,
                            guint64              n_tasks,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PS_IS_RUN_MODEL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ps_run_model_prepare_async);
  g_clear_pointer (&self->prepared, run_arrays_free);
  if (n_tasks == 0 || n_tasks > MAX_TASKS_KEPT)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  g_task_set_task_data (task, g_memdup2 (&n_tasks, sizeof n_tasks), g_free);
  g_task_run_in_thread (task, prepare_thread);
}

gboolean
ps_run_model_prepare_finish (PsRunModel    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_autoptr(GError) local = NULL;
  PsRunArrays *a;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  /* cancelled: an error, whatever the thread made (the task frees it) */
  a = g_task_propagate_pointer (G_TASK (result), &local);
  if (local)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  g_clear_pointer (&self->prepared, run_arrays_free);
  self->prepared = a;
  return TRUE;
}

static void
worker_info_free (PsWorkerInfo *w)
{
  g_free (w->name);
  g_free (w->exit_message);
  g_array_unref (w->lane);
  g_free (w);
}

PsRunModel *
ps_run_model_new (void)
{
  return g_object_new (PS_TYPE_RUN_MODEL, NULL);
}

void
ps_run_model_reset (PsRunModel *self)
{
  g_return_if_fail (PS_IS_RUN_MODEL (self));

  /* what holds on to workers of the old run can tell */
  self->generation++;

  self->has_run = FALSE;
  self->ended = FALSE;
  self->cancelled = FALSE;
  g_clear_pointer (&self->prepared, run_arrays_free);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->end_message, g_free);
  g_clear_pointer (&self->workload, g_free);
  g_clear_pointer (&self->items_spec, g_free);
  g_clear_pointer (&self->start_method, g_free);
  g_array_set_size (self->resizes, 0);
  self->n_tasks = 0;
  self->chunksize = 0;
  self->cores = 0;
  self->unordered = FALSE;
  self->now = 0;
  self->wall = 0;
  /* give the memory of a big run back, not only its length */
  big_free (self->tasks, self->n_kept * sizeof (PsTaskRec));
  big_free (self->completion, self->n_kept * sizeof (guint32));
  self->tasks = NULL;
  self->completion = NULL;
  self->n_kept = 0;
  self->n_completion = 0;
  g_array_set_size (self->attempts, 0);
  g_array_set_size (self->failed, 0);
  g_ptr_array_set_size (self->rows, 0);
  g_ptr_array_set_size (self->workers, 0);
  g_ptr_array_set_size (self->strings, 0);
  g_string_chunk_clear (self->text);
  self->n_done = 0;
  self->n_retried = 0;
  memset (self->n_status, 0, sizeof self->n_status);
  self->n_unrun = 0;
  self->total.head = self->total.len = 0;
  for (guint i = 0; i < OUTPUT_KEPT; i++)
    g_clear_pointer (&self->output[i], g_free);
  self->n_output = 0;
  self->serial++;
}

static inline gboolean
worker_is (const PsWorkerInfo *w,
           const PsEvent      *e)
{
  /* binary events name a worker by K, log lines by its name */
  return w->pid == e->pid && (e->worker == 0 || w->id == e->worker) &&
         (e->name == NULL || g_strcmp0 (w->name, e->name) == 0);
}

static guint
find_worker (PsRunModel    *self,
             const PsEvent *e)
{
  /* a batch is a thousand events of one worker; a worker that has exited
   * is looked for anew (its pid and K may belong to a replacement now) */
  if (self->last_worker < self->workers->len)
    {
      PsWorkerInfo *last = g_ptr_array_index (self->workers, self->last_worker);

      if (last->exited < 0 && worker_is (last, e))
        return self->last_worker;
    }
  /* the newest first: a replacement is the one that gets events */
  for (guint i = self->workers->len; i > 0; i--)
    if (worker_is (g_ptr_array_index (self->workers, i - 1), e))
      return self->last_worker = i - 1;
  if (e->name == NULL || self->workers->len >= G_MAXUINT16 - 1)
    return G_MAXUINT;
  {
    PsWorkerInfo *w = g_new0 (PsWorkerInfo, 1);

    w->name = g_strdup (e->name);
    w->pid = e->pid;
    w->id = e->worker;
    if (w->id == 0)
      {
        /* from a log: K is the number at the end of the name */
        const char *dash = strrchr (e->name, '-');
        w->id = dash ? (guint32) g_ascii_strtoull (dash + 1, NULL, 10) : 0;
      }
    if (w->id == 0)
      w->id = self->workers->len + 1;
    w->started = e->t;
    w->exited = -1;
    w->current = -1;
    w->start_cost = -1;
    w->pss = -1;
    w->uss = -1;
    w->lane = g_array_new (FALSE, FALSE, sizeof (guint32));
    g_ptr_array_add (self->workers, w);

    /* workers announce themselves in any order: rows go by K */
    {
      guint row = self->rows->len;
      while (row > 0 && ((PsWorkerInfo *) g_ptr_array_index (self->rows, row - 1))->id > w->id)
        row--;
      g_ptr_array_insert (self->rows, row, w);
      for (guint i = row; i < self->rows->len; i++)
        ((PsWorkerInfo *) g_ptr_array_index (self->rows, i))->row = i;
    }
    return self->last_worker = self->workers->len - 1;
  }
}

static void
ring_push (PsSampleRing      *ring,
           const PsSampleRec *rec)
{
  ring->recs[ring->head] = *rec;
  ring->head = (ring->head + 1) % PS_SAMPLE_RING;
  ring->len = MIN (ring->len + 1, PS_SAMPLE_RING);
}

/**
 * ps_sample_ring_get:
 * @i: 0 for the oldest sample kept
 */
const PsSampleRec *
ps_sample_ring_get (const PsSampleRing *ring,
                    guint               i)
{
  g_assert (i < ring->len);
  return &ring->recs[(ring->head + PS_SAMPLE_RING - ring->len + i) % PS_SAMPLE_RING];
}

static gint64
keep_string (PsRunModel *self,
             const char *text)
{
  g_ptr_array_add (self->strings, g_string_chunk_insert (self->text, text));
  return self->strings->len - 1;
}

/* An item (or a result) that is an integer as the engine writes one
 * (EVENT frames and log lines carry every item as text) is kept as a
 * number, not a string. */
static gboolean
text_is_int (const char *text,
             gint64     *out)
{
  char buf[24];
  gint64 v;
  gsize len;

  if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &v, NULL))
    return FALSE;
  len = ps_format_int (v, buf);
  if (strlen (text) != len || memcmp (buf, text, len) != 0)
    return FALSE;
  *out = v;
  return TRUE;
}

static void
set_item (PsRunModel    *self,
          PsTaskRec     *rec,
          const PsEvent *e)
{
  if (rec->flags & PS_TASK_FLAG_TEXT_ITEM || (rec->item != 0 && e->item == NULL))
    return;
  if (e->item == NULL)
    rec->item = e->item_int;
  else if (!text_is_int (e->item, &rec->item))
    {
      rec->item = keep_string (self, e->item);
      rec->flags |= PS_TASK_FLAG_TEXT_ITEM;
    }
}

static void
task_start (PsRunModel    *self,
            const PsEvent *e)
{
  guint wi = find_worker (self, e);
  PsWorkerInfo *w;
  PsTaskRec *rec;

  if (wi == G_MAXUINT)
    return;
  w = g_ptr_array_index (self->workers, wi);
  w->current = e->task;
  w->current_since = e->start ? e->start : e->t;
  if (e->task >= self->n_kept)
    return;
  rec = &self->tasks[e->task];
  rec->start = w->current_since;
  rec->end = 0;
  rec->state = PS_TASK_STATE_RUNNING;
  rec->worker = wi + 1;
  set_item (self, rec, e);
  if (w->lane->len == 0 || g_array_index (w->lane, guint32, w->lane->len - 1) != e->task)
    {
      guint32 v = e->task;
      g_array_append_val (w->lane, v);
    }
}

static void
task_end (PsRunModel    *self,
          const PsEvent *e)
{
  guint wi = find_worker (self, e);
  PsWorkerInfo *w = wi == G_MAXUINT ? NULL : g_ptr_array_index (self->workers, wi);
  PsTaskRec *rec = e->task < self->n_kept ? &self->tasks[e->task] : NULL;

  if (w && w->current == (gint64) e->task)
    w->current = -1;

  if (e->retry)
    {
      /* an attempt that will be tried again: kept apart, in its lane */
      PsAttemptRec a = { e->task, e->start, e->end, wi + 1, e->status, MIN (e->attempt, 255) };

      self->n_retried++;
      if (w && self->attempts->len < PS_LANE_ATTEMPT - 1)
        {
          guint32 v = PS_LANE_ATTEMPT | self->attempts->len;

          /* a task-start already put the task itself in this lane */
          if (w->lane->len > 0 && g_array_index (w->lane, guint32, w->lane->len - 1) == e->task)
            g_array_index (w->lane, guint32, w->lane->len - 1) = v;
          else
            g_array_append_val (w->lane, v);
          g_array_append_val (self->attempts, a);
        }
      if (rec)
        {
          rec->flags |= PS_TASK_FLAG_RETRIED;
          rec->state = PS_TASK_STATE_PENDING;
          rec->worker = 0;
        }
      if (w)
        w->failed++;
      return;
    }

  self->n_done++;
  if (e->status < PS_TASK_N_STATUS)
    self->n_status[e->status]++;
  if (e->status == PS_TASK_CANCELLED)
    {
      /* never ran, or stopped: not a finished task, not in the order */
      if (rec && ps_task_rec_status (rec) != PS_TASK_RUNNING)
        rec->state = PS_TASK_STATE_ENDED + PS_TASK_CANCELLED;
      else if (rec)
        {
          rec->end = MAX (e->end, rec->start);
          rec->state = PS_TASK_STATE_ENDED + PS_TASK_CANCELLED;
        }
      return;
    }
  if (rec == NULL)
    {
      if (w)
        w->done++;
      return;
    }
  if (w)
    {
      w->done++;
      if (e->status == PS_TASK_OK)
        w->ok++;
      else
        w->failed++;
      if (e->end > e->start)
        w->busy_ns += e->end - e->start;
      w->cpu_ns += MAX (e->cpu_ns, 0);
      if (w->lane->len == 0 || g_array_index (w->lane, guint32, w->lane->len - 1) != e->task)
        {
          guint32 v = e->task;
          g_array_append_val (w->lane, v);
        }
    }
  set_item (self, rec, e);
  rec->start = e->start;
  rec->end = MAX (e->end, e->start);
  rec->cpu_us = (guint32) CLAMP (e->cpu_ns / 1000, 0, G_MAXUINT32);
  rec->state = PS_TASK_STATE_ENDED + e->status;
  rec->worker = w ? wi + 1 : 0;
  if (e->result_kind == PS_RESULT_INT)
    {
      rec->result = e->result_int;
      rec->flags |= PS_TASK_FLAG_HAS_RESULT;
    }
  else if (e->result_kind == PS_RESULT_TEXT && e->result_text &&
           text_is_int (e->result_text, &rec->result))
    {
      /* shown the same either way (the results list writes text that
       * reads as an integer unquoted): a number costs no string */
      rec->flags |= PS_TASK_FLAG_HAS_RESULT;
    }
  else if (e->result_kind == PS_RESULT_TEXT && e->result_text)
    {
      rec->result = keep_string (self, e->result_text);
      rec->flags |= PS_TASK_FLAG_HAS_RESULT | PS_TASK_FLAG_TEXT_RESULT;
    }
  if (e->status != PS_TASK_OK)
    {
      guint32 v = e->task;
      g_array_append_val (self->failed, v);
    }
  if (!(rec->flags & PS_TASK_FLAG_FINISHED))
    {
      self->completion[self->n_completion++] = e->task;
      rec->flags |= PS_TASK_FLAG_FINISHED;
    }
}

static void
sample (PsRunModel    *self,
        const PsEvent *e)
{
  guint wi = find_worker (self, e);
  PsWorkerInfo *w;
  PsSampleRec rec = { e->t, e->cpu_percent, e->rss };

  if (wi == G_MAXUINT)
    return;
  w = g_ptr_array_index (self->workers, wi);
  /* a worker's first sample has nothing to measure its CPU against */
  if (w->samples.len == 0)
    rec.cpu = NAN;
  else
    w->cpu = e->cpu_percent;
  w->rss = e->rss;
  if (e->pss >= 0)
    w->pss = e->pss;
  if (e->uss >= 0)
    w->uss = e->uss;
  ring_push (&w->samples, &rec);

  /* the engine samples every worker in one tick: one total per tick */
  if (self->total.len > 0)
    {
      PsSampleRec *last = (PsSampleRec *) ps_sample_ring_get (&self->total, self->total.len - 1);

      /* the engine stamps all the workers of one tick with one time */
      if (e->t == last->t)
        {
          if (isnan (last->cpu))
            last->cpu = rec.cpu;
          else if (!isnan (rec.cpu))
            last->cpu += rec.cpu;
          last->rss += rec.rss;
          return;
        }
    }
  ring_push (&self->total, &rec);
}

/* The tasks of a tasks event, as task_end() would take them one by one,
 * without a call per task between. */
static void
add_tasks (PsRunModel    *self,
           const PsEvent *tasks)
{
  const PsTaskBatchEntry *t, *end = tasks->tasks + tasks->n_entries;
  PsEvent e;
  PsWorkerInfo *w;
  guint wi;
  guint32 *lane;
  guint n_lane;

  ps_event_init_task_end (tasks, &e);
  wi = find_worker (self, &e);
  if (wi == G_MAXUINT || self->tasks == NULL)
    {
      /* the general way: no records kept, or a worker never announced */
      for (t = tasks->tasks; t < end; t++)
        {
          ps_task_batch_event_fill (t, &e);
          self->now = MAX (self->now, e.t);
          task_end (self, &e);
        }
      return;
    }

  /* What task_end() does with an ok task-end (its first attempt, integer
   * item and result) of a known worker, without a call per task: a
   * million tasks a second come this way. /ps/run-model/task-batch checks
   * that both build the same model. */
  w = g_ptr_array_index (self->workers, wi);
  n_lane = w->lane->len;
  g_array_set_size (w->lane, n_lane + tasks->n_entries);
  lane = (guint32 *) (gpointer) w->lane->data;
  for (t = tasks->tasks; t < end; t++)
    {
      PsTaskRec *rec;

      self->now = MAX (self->now, t->end);
      if (w->current == (gint64) t->task)
        w->current = -1;
      self->n_done++;
      self->n_status[PS_TASK_OK]++;
      w->done++;
      if (t->task >= self->n_kept)
        continue;
      rec = &self->tasks[t->task];
      w->ok++;
      if (t->end > t->start)
        w->busy_ns += t->end - t->start;
      w->cpu_ns += MAX (t->cpu_ns, 0);
      if (n_lane == 0 || lane[n_lane - 1] != t->task)
        lane[n_lane++] = (guint32) t->task;
      if (!(rec->flags & PS_TASK_FLAG_TEXT_ITEM) && rec->item == 0)
        rec->item = t->item;
      rec->start = t->start;
      rec->end = MAX (t->end, t->start);
      rec->cpu_us = (guint32) CLAMP (t->cpu_ns / 1000, 0, G_MAXUINT32);
      rec->state = PS_TASK_STATE_ENDED + PS_TASK_OK;
      rec->worker = wi + 1;
      rec->result = t->result;
      rec->flags |= PS_TASK_FLAG_HAS_RESULT;
      if (!(rec->flags & PS_TASK_FLAG_FINISHED))
        {
          self->completion[self->n_completion++] = t->task;
          rec->flags |= PS_TASK_FLAG_FINISHED;
        }
    }
  g_array_set_size (w->lane, n_lane);
}

void
ps_run_model_add_event (PsRunModel    *self,
                        const PsEvent *e)
{
  guint wi;

  g_return_if_fail (PS_IS_RUN_MODEL (self));

  self->serial++;
  self->now = MAX (self->now, e->t);
  switch (e->type)
    {
    case PS_EVENT_TASKS:
      /* a live run is mostly these: ordinary tasks of one worker */
      add_tasks (self, e);
      break;

    case PS_EVENT_RUN_START:
      {
      PsRunArrays *a = g_steal_pointer (&self->prepared);

      ps_run_model_reset (self);
      self->has_run = TRUE;
      self->n_tasks = e->n_tasks;
      self->chunksize = e->chunksize;
      self->cores = e->cores;
      self->pool_size = e->workers;
      g_free (self->workload);
      self->workload = g_strdup (e->workload);
      g_free (self->items_spec);
      self->items_spec = g_strdup (e->items);
      g_free (self->start_method);
      self->start_method = g_strdup (e->start_method);
      self->unordered = g_strcmp0 (e->order, "unordered") == 0;
      if (a && a->n != e->n_tasks)
        g_clear_pointer (&a, run_arrays_free);
      /* zero is a task not started yet: no pass over the records */
      if (a == NULL && e->n_tasks <= MAX_TASKS_KEPT)
        a = run_arrays_new (e->n_tasks);
      if (a)
        {
          self->tasks = a->tasks;
          self->completion = a->completion;
          self->n_kept = a->n;
          g_free (a);
        }
      }
      break;

    case PS_EVENT_WORKER_START:
      if ((wi = find_worker (self, e)) != G_MAXUINT)
        ((PsWorkerInfo *) g_ptr_array_index (self->workers, wi))->start_cost = e->start_cost_ns;
      break;

    case PS_EVENT_WORKER_EXIT:
      if ((wi = find_worker (self, e)) != G_MAXUINT)
        {
          PsWorkerInfo *w = g_ptr_array_index (self->workers, wi);

          w->exited = e->t;
          w->exit_code = e->exit_code;
          w->signal = e->signal;
          w->stopped = e->stopped;
          g_free (w->exit_message);
          w->exit_message = g_strdup (e->message);
          w->current = -1;
        }
      break;

    case PS_EVENT_TASK_START:
      task_start (self, e);
      break;

    case PS_EVENT_TASK_END:
      task_end (self, e);
      break;

    case PS_EVENT_OUTPUT:
      {
        guint slot = self->n_output % OUTPUT_KEPT;

        /* frames name the worker by K and pid, log lines by name */
        wi = find_worker (self, e);
        g_free (self->output[slot]);
        self->output[slot] = g_strdup_printf ("[%s] %s",
                                              wi != G_MAXUINT ? ((PsWorkerInfo *) g_ptr_array_index (self->workers, wi))->name
                                              : e->name ? e->name : "?",
                                              e->text ? e->text : "");
        self->n_output++;
      }
      break;

    case PS_EVENT_SAMPLE:
      sample (self, e);
      break;

    case PS_EVENT_RUN_END:
      self->ended = TRUE;
      self->cancelled = e->cancelled;
      /* tasks that never started have no task-end: the engine's count
       * says how many, and the window says what the CLI says */
      self->n_unrun = e->n_cancelled > self->n_status[PS_TASK_CANCELLED]
                      ? e->n_cancelled - self->n_status[PS_TASK_CANCELLED] : 0;
      self->wall = e->t;
      g_free (self->end_message);
      self->end_message = g_strdup (e->message);
      for (guint i = 0; i < self->workers->len; i++)
        ((PsWorkerInfo *) g_ptr_array_index (self->workers, i))->current = -1;
      break;

    case PS_EVENT_RESIZE:
      {
        PsResizeRec r = { e->t, e->workers };

        self->pool_size = e->workers;
        g_array_append_val (self->resizes, r);
      }
      break;

    case PS_EVENT_N_TYPES:
    default:
      break;
    }
}

/* When the pool was resized during the run, in order. */
const PsResizeRec *
ps_run_model_get_resizes (PsRunModel *self,
                          guint      *n)
{
  g_return_val_if_fail (PS_IS_RUN_MODEL (self), NULL);
  *n = self->resizes->len;
  return (const PsResizeRec *) self->resizes->data;
}

/* The engine could not carry the run out (or died): what was recorded stays. */
void
ps_run_model_set_error (PsRunModel *self,
                        const char *message)
{
  g_return_if_fail (PS_IS_RUN_MODEL (self));

  g_free (self->error);
  self->error = g_strdup (message);
  if (!self->ended)
    {
      /* what each worker was last seen doing: nothing is known after */
      for (guint i = 0; i < self->workers->len; i++)
        {
          PsWorkerInfo *w = g_ptr_array_index (self->workers, i);

          w->lost = w->exited < 0;
          w->lost_task = w->current;
        }
    }
  self->ended = TRUE;
  if (self->wall == 0)
    self->wall = self->now;
  for (guint i = 0; i < self->workers->len; i++)
    ((PsWorkerInfo *) g_ptr_array_index (self->workers, i))->current = -1;
  self->serial++;
}

/**
 * ps_run_model_get_worker_cpu:
 *
 * A worker's CPU in % of one core, as every view shows it: its latest
 * sample while it runs (NAN before its second, the first to have one),
 * its tasks' CPU over its life once it or the run has ended.
 */
double
ps_run_model_get_worker_cpu (PsRunModel         *self,
                             const PsWorkerInfo *w)
{
  gint64 alive;

  g_return_val_if_fail (PS_IS_RUN_MODEL (self), NAN);

  if (w->exited < 0 && !self->ended)
    return w->samples.len >= 2 ? w->cpu : NAN;
  alive = (w->exited >= 0 ? w->exited : self->wall) - w->started;
  return alive > 0 ? 100.0 * w->cpu_ns / alive : 0;
}

guint64 ps_run_model_get_serial (PsRunModel *self) { return self->serial; }
guint ps_run_model_get_generation (PsRunModel *self) { return self->generation; }

/* The workers in the order they appeared (new ones only ever at the end). */
const PsWorkerInfo *
ps_run_model_get_worker_at (PsRunModel *self,
                            guint       index)
{
  g_return_val_if_fail (PS_IS_RUN_MODEL (self), NULL);
  return index < self->workers->len ? g_ptr_array_index (self->workers, index) : NULL;
}
gboolean ps_run_model_has_run (PsRunModel *self) { return self->has_run; }
gboolean ps_run_model_is_ended (PsRunModel *self) { return self->ended; }
gboolean ps_run_model_is_cancelled (PsRunModel *self) { return self->cancelled; }
const char *ps_run_model_get_error (PsRunModel *self) { return self->error; }
const char *ps_run_model_get_end_message (PsRunModel *self) { return self->end_message; }
guint64 ps_run_model_get_n_tasks (PsRunModel *self) { return self->n_tasks; }
guint64 ps_run_model_get_n_done (PsRunModel *self) { return self->n_done; }
guint64 ps_run_model_get_n_retried (PsRunModel *self) { return self->n_retried; }
guint64 ps_run_model_get_chunksize (PsRunModel *self) { return self->chunksize; }
const char *ps_run_model_get_workload (PsRunModel *self) { return self->workload; }
const char *ps_run_model_get_items_spec (PsRunModel *self) { return self->items_spec; }
const char *ps_run_model_get_start_method (PsRunModel *self) { return self->start_method; }
gboolean ps_run_model_is_unordered (PsRunModel *self) { return self->unordered; }
gint64 ps_run_model_get_now (PsRunModel *self) { return self->now; }
guint ps_run_model_get_cores (PsRunModel *self) { return self->cores; }
guint ps_run_model_get_pool_size (PsRunModel *self) { return self->pool_size; }
guint ps_run_model_get_n_workers (PsRunModel *self) { return self->workers->len; }
const PsSampleRing *ps_run_model_get_total (PsRunModel *self) { return &self->total; }

/* Tasks that ended other than cancelled. */
guint64
ps_run_model_get_n_finished (PsRunModel *self)
{
  return self->n_done - self->n_status[PS_TASK_CANCELLED];
}

guint64
ps_run_model_get_n_status (PsRunModel   *self,
                           PsTaskStatus  status)
{
  if (status == PS_TASK_CANCELLED)
    return self->n_status[status] + self->n_unrun;
  return status < PS_TASK_N_STATUS ? self->n_status[status] : 0;
}

/* The run's length: its end, or now while it runs. */
gint64
ps_run_model_get_wall (PsRunModel *self)
{
  return self->ended && self->wall > 0 ? self->wall : self->now;
}

/**
 * ps_run_model_set_time_scale:
 * @ns: the time its views span at least (the longest of runs shown side
 *   by side, to put them on one time scale); 0: the run's own wall time
 */
void
ps_run_model_set_time_scale (PsRunModel *self,
                             gint64      ns)
{
  g_return_if_fail (PS_IS_RUN_MODEL (self));

  self->time_scale = MAX (ns, 0);
  self->serial++;
}

/* What the views span: the run's wall time, or the time scale when longer. */
gint64
ps_run_model_get_span (PsRunModel *self)
{
  return MAX (ps_run_model_get_wall (self), self->time_scale);
}

const PsWorkerInfo *
ps_run_model_get_worker (PsRunModel *self,
                         guint       row)
{
  g_return_val_if_fail (row < self->rows->len, NULL);
  return g_ptr_array_index (self->rows, row);
}

/* The worker that ran a task's last attempt, or NULL. */
const PsWorkerInfo *
ps_run_model_get_task_worker (PsRunModel      *self,
                              const PsTaskRec *task)
{
  if (task->worker == 0 || task->worker > self->workers->len)
    return NULL;
  return g_ptr_array_index (self->workers, task->worker - 1);
}

/* NULL when the run has too many tasks to keep each one. */
const PsTaskRec *
ps_run_model_get_tasks (PsRunModel *self)
{
  return self->n_kept > 0 ? self->tasks : NULL;
}

const PsAttemptRec *
ps_run_model_get_attempt (PsRunModel *self,
                          guint       index)
{
  g_return_val_if_fail (index < self->attempts->len, NULL);
  return &g_array_index (self->attempts, PsAttemptRec, index);
}

const guint32 *
ps_run_model_get_completion (PsRunModel *self,
                             guint64    *n)
{
  *n = self->n_completion;
  return self->completion;
}

const guint32 *
ps_run_model_get_failed (PsRunModel *self,
                         guint64    *n)
{
  *n = self->failed->len;
  return (const guint32 *) self->failed->data;
}

guint
ps_run_model_get_n_attempts (PsRunModel *self)
{
  return self->attempts->len;
}

const char *
ps_run_model_format_item (PsRunModel      *self,
                          const PsTaskRec *task,
                          char             buf[24])
{
  if (task->flags & PS_TASK_FLAG_TEXT_ITEM)
    return task->item < self->strings->len ? g_ptr_array_index (self->strings, task->item) : "";
  g_snprintf (buf, 24, "%" G_GINT64_FORMAT, task->item);
  return buf;
}

const char *
ps_run_model_format_result (PsRunModel      *self,
                            const PsTaskRec *task,
                            char             buf[24])
{
  if (!(task->flags & PS_TASK_FLAG_HAS_RESULT))
    return NULL;
  if (task->flags & PS_TASK_FLAG_TEXT_RESULT)
    return task->result < self->strings->len ? g_ptr_array_index (self->strings, task->result) : "";
  g_snprintf (buf, 24, "%" G_GINT64_FORMAT, task->result);
  return buf;
}

static gboolean
looks_like_int (const char *text)
{
  const char *p = text + (*text == '-');

  if (*p == '\0')
    return FALSE;
  for (; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* Results in map (submission) order as a Python-style list: a task not
 * finished yet shows as “…”, a failed one by its status. */
void
ps_run_model_append_results (PsRunModel *self,
                             GString    *out,
                             guint       max_shown)
{
  guint64 n = MIN (self->n_kept, max_shown);
  char buf[24];

  g_string_append_c (out, '[');
  for (guint64 i = 0; i < n; i++)
    {
      const PsTaskRec *t = &self->tasks[i];
      const char *r;

      if (i > 0)
        g_string_append (out, ", ");
      if (ps_task_rec_status (t) == PS_TASK_OK && (r = ps_run_model_format_result (self, t, buf)))
        {
          if ((t->flags & PS_TASK_FLAG_TEXT_RESULT) && !looks_like_int (r))
            {
              g_string_append_c (out, '\'');
              g_string_append (out, r);
              g_string_append_c (out, '\'');
            }
          else
            g_string_append (out, r);
        }
      else if (ps_task_rec_status (t) < PS_TASK_N_STATUS)
        g_string_append (out, ps_task_status_to_string (ps_task_rec_status (t)));
      else
        g_string_append (out, "…");
    }
  if (self->n_kept > n)
    g_string_append_printf (out, ", … (%" G_GUINT64_FORMAT " more)", self->n_kept - n);
  g_string_append_c (out, ']');
}

guint64
ps_run_model_get_n_output (PsRunModel *self)
{
  return self->n_output;
}

/* NULL for a line no longer kept. */
const char *
ps_run_model_get_output (PsRunModel *self,
                         guint64     line)
{
  if (line >= self->n_output || self->n_output - line > OUTPUT_KEPT)
    return NULL;
  return self->output[line % OUTPUT_KEPT];
}

static void
ps_run_model_finalize (GObject *object)
{
  PsRunModel *self = PS_RUN_MODEL (object);

  ps_run_model_reset (self);
  g_array_unref (self->attempts);
  g_array_unref (self->failed);
  g_ptr_array_unref (self->rows);
  g_ptr_array_unref (self->workers);
  g_array_unref (self->resizes);
  g_ptr_array_unref (self->strings);
  g_string_chunk_free (self->text);
  g_free (self->output);
  G_OBJECT_CLASS (ps_run_model_parent_class)->finalize (object);
}

static void
ps_run_model_class_init (PsRunModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ps_run_model_finalize;
}

static void
ps_run_model_init (PsRunModel *self)
{
  self->attempts = g_array_new (FALSE, FALSE, sizeof (PsAttemptRec));
  self->failed = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_info_free);
  self->resizes = g_array_new (FALSE, FALSE, sizeof (PsResizeRec));
  self->rows = g_ptr_array_new ();
  self->strings = g_ptr_array_new ();
  self->text = g_string_chunk_new (16 * 1024);
  self->output = g_new0 (char *, OUTPUT_KEPT);
}
