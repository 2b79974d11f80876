/* ps-frame-stats.c: POOLSCOPE_FRAME_STATS=FILE, what bench/live-run.py reads
 *
 * With the variable set, the window notes the frame clock's times during
 * a run and a 5 ms timeout notes the main loop's own gaps; at the end of
 * the run one JSON line goes to FILE (frames, the longest interval, the
 * app's CPU and memory). Nothing of this exists without the variable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <time.h>
#include <unistd.h>

#include "ps-frame-stats.h"
#include "ps-proc-stat.h"

struct _PsFrameStats
{
  char   *path;
  GArray *frame_times;    /* gint64 µs, frame clock times during a run */
  gint64  rss_before;
  gint64  cpu_before;     /* µs of this process's CPU */
  gint64  run_clicked;    /* monotonic µs when the run was asked for */
  guint   probe_id;       /* a 5 ms timeout: the main loop's own gaps */
  gint64  probe_last;
  gint64  probe_max_gap;
};

static gint64
own_rss (void)
{
  g_autofree char *text = NULL;
  gsize len;
  guint64 resident = 0;

  /* a small /proc file, read at a run's ends */
  if (g_file_get_contents ("/proc/self/statm", &text, &len, NULL))
    ps_proc_parse_statm (text, len, &resident, NULL);
  return (gint64) resident * sysconf (_SC_PAGESIZE);
}

static gint64
own_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gboolean
probe_cb (gpointer data)
{
  PsFrameStats *self = data;
  gint64 now = g_get_monotonic_time ();

  if (self->probe_last)
    self->probe_max_gap = MAX (self->probe_max_gap, now - self->probe_last);
  self->probe_last = now;
  return G_SOURCE_CONTINUE;
}

/* NULL unless POOLSCOPE_FRAME_STATS names a file. */
PsFrameStats *
ps_frame_stats_new_from_env (void)
{
  const char *path = g_getenv ("POOLSCOPE_FRAME_STATS");
  PsFrameStats *self;

  if (path == NULL || *path == '\0')
    return NULL;
  self = g_new0 (PsFrameStats, 1);
  self->path = g_strdup (path);
  self->frame_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  return self;
}

void
ps_frame_stats_free (PsFrameStats *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->probe_id, g_source_remove);
  g_array_unref (self->frame_times);
  g_free (self->path);
  g_free (self);
}

void
ps_frame_stats_run_started (PsFrameStats *self)
{
  if (self == NULL)
    return;
  g_array_set_size (self->frame_times, 0);
  self->rss_before = own_rss ();
  self->cpu_before = own_cpu_us ();
  self->run_clicked = g_get_monotonic_time ();
  self->probe_last = 0;
  self->probe_max_gap = 0;
  g_clear_handle_id (&self->probe_id, g_source_remove);
  self->probe_id = g_timeout_add (5, probe_cb, self);
}

void
ps_frame_stats_frame (PsFrameStats *self,
                      gint64        frame_time)
{
  if (self != NULL && self->probe_id != 0)
    g_array_append_val (self->frame_times, frame_time);
}

/* Writes the run's line; TRUE when the app is asked to quit after it
 * (POOLSCOPE_QUIT_AFTER_RUN). */
gboolean
ps_frame_stats_run_finished (PsFrameStats *self,
                             PsRunModel   *model)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 max_gap = 0, over_50 = 0;

  if (self == NULL)
    return FALSE;
  g_clear_handle_id (&self->probe_id, g_source_remove);
  for (guint i = 1; i < self->frame_times->len; i++)
    {
      gint64 gap = g_array_index (self->frame_times, gint64, i) - g_array_index (self->frame_times, gint64, i - 1);
      max_gap = MAX (max_gap, gap);
      over_50 += gap > 50000;
    }
  /* numbers in the C locale whatever the user's: this is JSON */
#define NUM(v) g_ascii_formatd (num[k++ % G_N_ELEMENTS (num)], G_ASCII_DTOSTR_BUF_SIZE, "%.6f", (v))
  {
    char num[5][G_ASCII_DTOSTR_BUF_SIZE];
    guint k = 0;
    const char *frame_ms = NUM (max_gap / 1000.0), *loop_ms = NUM (self->probe_max_gap / 1000.0);
    const char *wall = NUM (ps_run_model_get_wall (model) / 1e9);
    const char *shown = NUM ((g_get_monotonic_time () - self->run_clicked) / 1e6);
    const char *cpu = NUM ((own_cpu_us () - self->cpu_before) / 1e6);

    g_string_append_printf (json,
                            "{\"frames\": %u, \"max_frame_interval_ms\": %s, \"intervals_over_50ms\": %" G_GINT64_FORMAT
                            ", \"tasks\": %" G_GUINT64_FORMAT ", \"done\": %" G_GUINT64_FORMAT
                            ", \"max_loop_gap_ms\": %s, \"wall_s\": %s, \"shown_s\": %s, \"app_cpu_s\": %s"
                            ", \"rss_before\": %" G_GINT64_FORMAT ", \"rss_after\": %" G_GINT64_FORMAT "}\n",
                            self->frame_times->len, frame_ms, over_50,
                            ps_run_model_get_n_tasks (model), ps_run_model_get_n_done (model),
                            loop_ms, wall, shown, cpu, self->rss_before, own_rss ());
  }
#undef NUM
  if (!g_file_set_contents (self->path, json->str, json->len, &error))
    g_warning ("POOLSCOPE_FRAME_STATS: %s", error->message);
  g_array_set_size (self->frame_times, 0);
  return g_getenv ("POOLSCOPE_QUIT_AFTER_RUN") != NULL;
}
