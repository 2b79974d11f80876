/* ps-run-draw.c: drawing the views of a run with cairo
 *
 * Each view is a pure function of the model and a size, so the widget and
 * the tests (into an image surface, without a display) draw the same way.
 * Nothing is allocated per task: lanes are walked with binary searches so
 * that a million tasks cost a pass per pixel column, not per task.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <glib/gi18n.h>

#include "ps-run-draw.h"

#define LANE_LABEL_W   168.0
#define AXIS_H         22.0
#define LEGEND_H       52.0
#define PAD            8.0
#define PROGRESS_ROW_H 24.0
#define PROGRESS_HEAD  58.0

/* GNOME palette: blue 3, orange 4, red 3, purple 3, dark 1, yellow 4 (lighter in dark style) */
void
ps_status_color (guint     status,
                 gboolean  dark,
                 GdkRGBA  *out)
{
  static const guint32 light[] = { 0x3584e4, 0xe66100, 0xe01b24, 0x9141ac, 0x9a9996, 0x99c1f1, 0xdeddda };
  static const guint32 darks[] = { 0x62a0ea, 0xffa348, 0xf66151, 0xc061cb, 0x77767b, 0x1c71d8, 0x3d3846 };
  guint32 rgb = (dark ? darks : light)[MIN (status, G_N_ELEMENTS (light) - 1)];

  /* called per bar: no parsing */
  out->red = ((rgb >> 16) & 0xff) / 255.0f;
  out->green = ((rgb >> 8) & 0xff) / 255.0f;
  out->blue = (rgb & 0xff) / 255.0f;
  out->alpha = 1;
}

/* One colour per worker line, apart from the status colours where it can. */
static void
series_color (guint     index,
              gboolean  dark,
              GdkRGBA  *out)
{
  static const char *light[] = { "#1c71d8", "#26a269", "#c64600", "#813d9c", "#986a44", "#e5a50a", "#2ec27e", "#c01c28" };
  static const char *darks[] = { "#62a0ea", "#57e389", "#ffa348", "#dc8add", "#cdab8f", "#f8e45c", "#8ff0a4", "#f66151" };

  gdk_rgba_parse (out, dark ? darks[index % 8] : light[index % 8]);
}

static void
set_rgba (cairo_t       *cr,
          const GdkRGBA *c,
          double         alpha)
{
  cairo_set_source_rgba (cr, c->red, c->green, c->blue, c->alpha * alpha);
}

/* A view redraws the same names, pids, headings and axis labels frame
 * after frame: shaping them again (Pango, HarfBuzz) was a fifth of the
 * app's CPU while a long run's workers slept. A text laid out in one
 * frame is kept for the next; what a frame did not use goes. */
struct _PsTextCache
{
  GHashTable *entries;   /* key → CachedText */
  guint       frame;
  guint       serial;    /* of the Pango context the layouts were made on */
};

typedef struct
{
  PangoLayout *layout;
  int          w, h;
  guint        frame;
} CachedText;

static GQuark cache_quark;

static void
cached_text_free (gpointer data)
{
  CachedText *c = data;

  g_object_unref (c->layout);
  g_free (c);
}

PsTextCache *
ps_text_cache_new (void)
{
  PsTextCache *cache = g_new0 (PsTextCache, 1);

  cache->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cached_text_free);
  return cache;
}

void
ps_text_cache_free (PsTextCache *cache)
{
  if (cache == NULL)
    return;
  g_hash_table_unref (cache->entries);
  g_free (cache);
}

static gboolean
unused (gpointer key,
        gpointer value,
        gpointer data)
{
  return ((CachedText *) value)->frame + 1 < *(guint *) data;
}

/* Call before each frame: texts the frame before last drew are dropped,
 * all of them when the fonts or the resolution changed. */
void
ps_text_cache_begin_frame (PsTextCache  *cache,
                           PangoContext *context)
{
  guint serial = context ? pango_context_get_serial (context) : 0;

  if (cache == NULL)
    return;
  if (serial != cache->serial)
    g_hash_table_remove_all (cache->entries);
  cache->serial = serial;
  cache->frame++;
  g_hash_table_foreach_remove (cache->entries, unused, &cache->frame);
}

guint
ps_text_cache_get_size (PsTextCache *cache)
{
  return g_hash_table_size (cache->entries);
}

/* @layout with @text in it, or the same already laid out, and its size. */
static PangoLayout *
laid_out (PangoLayout *layout,
          const char  *text,
          double       max_width,
          int         *w,
          int         *h)
{
  PsTextCache *cache = g_object_get_qdata (G_OBJECT (layout), cache_quark);
  const PangoFontDescription *font = pango_layout_get_font_description (layout);
  int width = max_width > 0 ? (int) (max_width * PANGO_SCALE) : -1;
  g_autofree char *key = NULL;
  CachedText *c;

  if (cache)
    {
      key = g_strdup_printf ("%u %d %d %d %s", font ? pango_font_description_hash (font) : 0,
                             font ? pango_font_description_get_size (font) : 0,
                             font ? (int) pango_font_description_get_weight (font) : 0, width, text);
      if ((c = g_hash_table_lookup (cache->entries, key)))
        {
          c->frame = cache->frame;
          *w = c->w;
          *h = c->h;
          return c->layout;
        }
    }
  if (cache)
    {
      /* a layout of its own, with the fonts of @layout */
      c = g_new0 (CachedText, 1);
      c->layout = pango_layout_copy (layout);
      c->frame = cache->frame;
      layout = c->layout;
      g_hash_table_insert (cache->entries, g_steal_pointer (&key), c);
    }
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, width);
  pango_layout_set_ellipsize (layout, width > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
  pango_layout_get_pixel_size (layout, w, h);
  if (cache)
    {
      c->w = *w;
      c->h = *h;
    }
  return layout;
}

static PangoLayout *
make_layout (cairo_t           *cr,
             const PsDrawStyle *style,
             double             scale,
             gboolean           bold)
{
  /* a layout on the widget's context costs far less than one with a
   * context of its own, made and dropped on every redraw */
  PangoLayout *layout = style->pango ? pango_layout_new (style->pango) : pango_cairo_create_layout (cr);
  PangoFontDescription *font = style->font ? pango_font_description_copy (style->font)
                                           : pango_font_description_from_string ("Sans 9");

  if (pango_font_description_get_size (font) <= 0)
    pango_font_description_set_size (font, 9 * PANGO_SCALE);
  pango_font_description_set_size (font, (int) (pango_font_description_get_size (font) * scale));
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  if (style->texts)
    {
      if (cache_quark == 0)
        cache_quark = g_quark_from_static_string ("ps-text-cache");
      g_object_set_qdata (G_OBJECT (layout), cache_quark, style->texts);
    }
  return layout;
}

/* Draws @text with its top-left (align 0), centre (0.5) or right (1) at x. */
static void
draw_text (cairo_t     *cr,
           PangoLayout *layout,
           const char  *text,
           double       x,
           double       y,
           double       align,
           double       max_width)
{
  int w, h;
  PangoLayout *shown = laid_out (layout, text, max_width, &w, &h);

  cairo_move_to (cr, x - align * w, y);
  pango_cairo_show_layout (cr, shown);
}

static void
draw_message (cairo_t           *cr,
              const PsDrawStyle *style,
              int                width,
              int                height,
              const char        *text)
{
  g_autoptr(PangoLayout) layout = make_layout (cr, style, 1.1, FALSE);
  int w, h;

  set_rgba (cr, &style->fg, 0.55);
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, (int) (MAX (width - 2 * PAD, 10) * PANGO_SCALE));
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, PAD, (height - h) / 2.0);
  pango_cairo_show_layout (cr, layout);
}

/* 1, 2 or 5 times a power of ten: at least @min_step. */
static double
nice_step (double min_step)
{
  double p, f;

  if (min_step <= 0)
    return 1;
  p = pow (10, floor (log10 (min_step)));
  f = min_step / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

static void
format_duration (gint64 ns,
                 char  *buf,
                 gsize  len)
{
  double a = llabs (ns);

  if (a >= 60e9)
    g_snprintf (buf, len, "%d:%02d", (int) (ns / 60000000000), (int) ((ns / 1000000000) % 60));
  else if (a >= 1e9)
    g_snprintf (buf, len, _("%.3g s"), ns / 1e9);
  else if (a >= 1e6)
    g_snprintf (buf, len, _("%.3g ms"), ns / 1e6);
  else if (a >= 1e3)
    g_snprintf (buf, len, _("%.3g µs"), ns / 1e3);
  else
    g_snprintf (buf, len, _("%d ns"), (int) ns);
}

static void
format_bytes (double bytes,
              char  *buf,
              gsize  len)
{
  if (bytes >= 1024.0 * 1024 * 1024)
    g_snprintf (buf, len, _("%.1f GiB"), bytes / (1024.0 * 1024 * 1024));
  else if (bytes >= 1024.0 * 1024)
    g_snprintf (buf, len, _("%.1f MiB"), bytes / (1024.0 * 1024));
  else
    g_snprintf (buf, len, _("%.0f KiB"), bytes / 1024.0);
}

/* A time axis along the top from x0 to x1 for [t0, t1] ns; grid lines down to y_end. */
static void
draw_time_axis (cairo_t           *cr,
                const PsDrawStyle *style,
                PangoLayout       *layout,
                double             x0,
                double             x1,
                double             y,
                double             y_end,
                gint64             t0,
                gint64             t1)
{
  double span = MAX (t1 - t0, 1);
  double step = nice_step (span / MAX ((x1 - x0) / 90.0, 1));
  char buf[32];

  for (double t = ceil (t0 / step) * step; t <= t1 + 0.5; t += step)
    {
      double x = x0 + (t - t0) / span * (x1 - x0);

      set_rgba (cr, &style->fg, 0.12);
      cairo_rectangle (cr, round (x), y + AXIS_H - 4, 1, y_end - (y + AXIS_H - 4));
      cairo_fill (cr);
      set_rgba (cr, &style->fg, 0.6);
      if (t == 0)
        g_strlcpy (buf, "0", sizeof buf);
      else
        format_duration ((gint64) t, buf, sizeof buf);
      draw_text (cr, layout, buf, x, y + 2, t == 0 ? 0 : 0.5, 0);
    }
}

/* The key to the colours, in rows that wrap at @x_end; returns its height. */
static double
draw_legend (cairo_t           *cr,
             const PsDrawStyle *style,
             PangoLayout       *layout,
             double             x_start,
             double             x_end,
             double             y,
             PsRunModel        *model)
{
  struct { guint status; const char *label; } items[] = {
    { PS_TASK_OK, N_("ok") },
    { PS_TASK_RUNNING, N_("running") },
    { PS_TASK_ERROR, N_("error") },
    { PS_TASK_CRASHED, N_("crashed") },
    { PS_TASK_TIMEOUT, N_("timeout") },
    { PS_TASK_CANCELLED, N_("cancelled") },
    { PS_TASK_CRASHED, N_("attempt tried again") },
    { G_MAXUINT, NULL },
  };
  g_autofree char *chunks = NULL;
  guint64 cs = ps_run_model_get_chunksize (model);
  double x = x_start, row_h = 18, y0 = y;

  if (cs > 0)
    chunks = g_strdup_printf (_("chunks of %" PRIu64 ": alternating shades, a tick where one starts"), cs);
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      const char *text = items[i].label ? _(items[i].label) : chunks;
      gboolean swatch = items[i].status != G_MAXUINT;
      GdkRGBA c;
      int w, h;

      if (text == NULL)
        continue;
      laid_out (layout, text, 0, &w, &h);
      if (x > x_start && x + 14 + w > x_end)
        {
          x = x_start;
          y += row_h;
        }
      if (swatch)
        {
          ps_status_color (items[i].status, style->dark, &c);
          if (i == 6)
            {
              set_rgba (cr, &c, 0.45);
              cairo_rectangle (cr, x, y + 9, 10, 5);
            }
          else
            {
              set_rgba (cr, &c, 1);
              cairo_rectangle (cr, x, y + 4, 10, 10);
            }
          cairo_fill (cr);
        }
      set_rgba (cr, &style->fg, swatch ? 0.75 : 0.55);
      draw_text (cr, layout, text, swatch ? x + 14 : x, y + 1, 0, 0);
      x += (swatch ? 14 : 0) + w + 16;
    }
  return y + row_h - y0;
}

/* ---- timeline ---------------------------------------------------------- */

typedef struct
{
  gint64  start;
  gint64  end;
  guint64 task;
  guint   status;
  gboolean attempt;
} LaneItem;

static gboolean
lane_item (PsRunModel   *model,
           const PsTaskRec *tasks,
           guint32       entry,
           gint64        now,
           LaneItem     *out)
{
  if (entry & PS_LANE_ATTEMPT)
    {
      const PsAttemptRec *a;

      if ((entry & ~PS_LANE_ATTEMPT) >= ps_run_model_get_n_attempts (model))
        return FALSE;
      a = ps_run_model_get_attempt (model, entry & ~PS_LANE_ATTEMPT);
      out->start = a->start;
      out->end = a->end;
      out->task = a->task;
      out->status = a->status;
      out->attempt = TRUE;
      return TRUE;
    }
  if (tasks == NULL || entry >= ps_run_model_get_n_tasks (model))
    return FALSE;
  out->task = entry;
  out->start = tasks[entry].start;
  out->status = ps_task_rec_status (&tasks[entry]);
  out->end = out->status == PS_TASK_RUNNING ? now : tasks[entry].end;
  out->attempt = FALSE;
  return TRUE;
}

/* First lane entry, from @lo, that starts at or after @t. */
static guint
lane_search (PsRunModel      *model,
             const PsTaskRec *tasks,
             GArray          *lane,
             guint            lo,
             gint64           t,
             gint64           now)
{
  guint hi = lane->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      LaneItem it;

      if (lane_item (model, tasks, g_array_index (lane, guint32, mid), now, &it) && it.start < t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

typedef struct
{
  double x0, x1;       /* plot area */
  double y0, lane_h;
  gint64 t1;           /* time at x1 */
} TimelineGeom;

static void
timeline_geom (PsRunModel   *model,
               int           width,
               int           height,
               TimelineGeom *g)
{
  guint n = MAX (ps_run_model_get_n_workers (model), 1);

  g->x0 = LANE_LABEL_W;
  g->x1 = MAX (width - PAD, g->x0 + 10);
  g->y0 = AXIS_H + 2;
  g->lane_h = CLAMP ((height - g->y0 - LEGEND_H - 4) / n, 3.0, 44.0);
  g->t1 = MAX (ps_run_model_get_wall (model), 1000);
}

/* Bars go through a pen that joins touching bars of one colour into one
 * rectangle and fills a colour's rectangles at once: a lane of a million
 * tasks is then a few hundred rectangles and fills, not a million. */
typedef struct
{
  cairo_t *cr;
  GdkRGBA  color;
  double   x0, x1, y, h;   /* the rectangle being extended */
  gboolean has_rect;
  gboolean has_path;
} Pen;

static void
pen_flush_rect (Pen *pen)
{
  if (pen->has_rect)
    {
      cairo_rectangle (pen->cr, pen->x0, pen->y, pen->x1 - pen->x0, pen->h);
      pen->has_rect = FALSE;
      pen->has_path = TRUE;
    }
}

static void
pen_finish (Pen *pen)
{
  pen_flush_rect (pen);
  if (pen->has_path)
    {
      set_rgba (pen->cr, &pen->color, 1);
      cairo_fill (pen->cr);
      pen->has_path = FALSE;
    }
}

static void
pen_rect (Pen           *pen,
          const GdkRGBA *color,
          double         x,
          double         y,
          double         w,
          double         h)
{
  if (!gdk_rgba_equal (color, &pen->color))
    {
      pen_finish (pen);
      pen->color = *color;
    }
  if (pen->has_rect && y == pen->y && h == pen->h && x <= pen->x1 + 0.01 && x >= pen->x0)
    {
      pen->x1 = MAX (pen->x1, x + w);
      return;
    }
  pen_flush_rect (pen);
  pen->x0 = x;
  pen->x1 = x + w;
  pen->y = y;
  pen->h = h;
  pen->has_rect = TRUE;
}

/* Chunks go round robin, so a lane gets every @pool-th chunk: shading by
 * chunk / pool alternates within a lane. */
static void
draw_bar (Pen               *pen,
          const PsDrawStyle *style,
          const LaneItem    *it,
          guint64            chunksize,
          guint              pool,
          double             x,
          double             w,
          double             y,
          double             h)
{
  GdkRGBA c;

  ps_status_color (it->status, style->dark, &c);
  /* every other chunk a shade darker (lighter in dark style) */
  if (chunksize > 0 && (it->task / chunksize / MAX (pool, 1)) % 2 == 1 && it->status == PS_TASK_OK)
    {
      double k = style->dark ? 1.25 : 0.78;
      c.red = MIN (c.red * k, 1);
      c.green = MIN (c.green * k, 1);
      c.blue = MIN (c.blue * k, 1);
    }
  /* a gap between tasks wide enough to tell apart */
  if (w >= 5)
    w -= 1;
  if (it->attempt)
    {
      c.alpha = 0.45;
      pen_rect (pen, &c, x, y + h / 2, MAX (w, 1), h / 2);
    }
  else
    pen_rect (pen, &c, x, y, MAX (w, 1), h);
}

static void
draw_timeline (PsRunModel        *model,
               cairo_t           *cr,
               int                width,
               int                height,
               const PsDrawStyle *style)
{
  g_autoptr(PangoLayout) layout = make_layout (cr, style, 1.0, FALSE);
  g_autoptr(PangoLayout) small = make_layout (cr, style, 0.85, FALSE);
  g_autoptr(PangoLayout) tiny = make_layout (cr, style, 0.75, FALSE);
  const PsTaskRec *tasks = ps_run_model_get_tasks (model);
  guint n_workers = ps_run_model_get_n_workers (model);
  guint64 chunksize = ps_run_model_get_chunksize (model);
  guint pool = MAX (ps_run_model_get_pool_size (model), 1);
  gint64 now = ps_run_model_get_now (model);
  TimelineGeom g;
  double px_ns;
  Pen pen = { cr, { 0, 0, 0, 0 }, 0, 0, 0, 0, FALSE, FALSE };
  GdkRGBA tick = style->fg;

  tick.alpha *= 0.7;
  if (n_workers == 0)
    {
      draw_message (cr, style, width, height,
                    ps_run_model_has_run (model) ? _("Starting workers…")
                                                 : _("Each worker gets a lane here, with a bar for every task it runs"));
      return;
    }
  timeline_geom (model, width, height, &g);
  px_ns = g.t1 / (g.x1 - g.x0);
  draw_time_axis (cr, style, small, g.x0, g.x1, 0, g.y0 + n_workers * g.lane_h, 0, g.t1);
  if (g.lane_h < 11)
    {
      /* lanes too thin to name: say how many, and where the first and last are */
      g_autofree char *summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u worker", "%u workers", n_workers),
                                                  n_workers);
      set_rgba (cr, &style->fg, 0.7);
      draw_text (cr, small, summary, PAD, g.y0, 0, LANE_LABEL_W - 2 * PAD);
      set_rgba (cr, &style->fg, 0.5);
      draw_text (cr, tiny, ps_run_model_get_worker (model, 0)->name, PAD, g.y0 + 16, 0, LANE_LABEL_W - 2 * PAD);
      draw_text (cr, tiny, ps_run_model_get_worker (model, n_workers - 1)->name, PAD,
                 g.y0 + n_workers * g.lane_h - 14, 0, LANE_LABEL_W - 2 * PAD);
    }

  for (guint wi = 0; wi < n_workers; wi++)
    {
      const PsWorkerInfo *w = ps_run_model_get_worker (model, wi);
      double y = g.y0 + wi * g.lane_h;
      double bar_h = MAX (g.lane_h - (g.lane_h >= 8 ? 4 : 1), 1);
      double by = y + (g.lane_h - bar_h) / 2;
      guint i = 0;

      /* the bars of the lane before, before anything else is drawn */
      pen_finish (&pen);
      if (wi % 2 == 1)
        {
          set_rgba (cr, &style->fg, 0.035);
          cairo_rectangle (cr, 0, y, width, g.lane_h);
          cairo_fill (cr);
        }
      if (g.lane_h >= 11)
        {
          /* the name, and the pid on a second line where both lines fit */
          char pid[32];
          int lw, lh, nw, nh;
          gboolean two_lines;

          laid_out (small, w->name, 0, &nw, &nh);
          laid_out (tiny, "0", 0, &lw, &lh);
          two_lines = g.lane_h >= nh + lh;
          g_snprintf (pid, sizeof pid, two_lines ? _("pid %d") : "%d", w->pid);
          laid_out (tiny, pid, 0, &lw, &lh);
          set_rgba (cr, &style->fg, w->exited >= 0 ? 0.45 : 0.85);
          if (two_lines)
            {
              double top = y + (g.lane_h - nh - lh) / 2;
              draw_text (cr, small, w->name, PAD, top, 0, LANE_LABEL_W - 2 * PAD);
              set_rgba (cr, &style->fg, 0.55);
              draw_text (cr, tiny, pid, PAD, top + nh, 0, 0);
            }
          else
            {
              draw_text (cr, small, w->name, PAD, y + (g.lane_h - nh) / 2, 0, LANE_LABEL_W - 3 * PAD - lw);
              set_rgba (cr, &style->fg, 0.55);
              draw_text (cr, tiny, pid, LANE_LABEL_W - PAD, y + (g.lane_h - lh) / 2, 1, 0);
            }
        }
      if (w->exited >= 0 && w->signal != 0 && !w->stopped)
        {
          /* where a worker died: a mark in the status colour */
          GdkRGBA c;
          double x = g.x0 + w->exited / px_ns;

          ps_status_color (PS_TASK_CRASHED, style->dark, &c);
          set_rgba (cr, &c, 1);
          cairo_rectangle (cr, x - 1, y, 2, g.lane_h);
          cairo_fill (cr);
        }

      while (i < w->lane->len)
        {
          LaneItem it;
          double x0, x1;

          if (!lane_item (model, tasks, g_array_index (w->lane, guint32, i), now, &it))
            {
              i++;
              continue;
            }
          x0 = g.x0 + it.start / px_ns;
          x1 = g.x0 + MAX (it.end, it.start) / px_ns;
          if (x1 - x0 >= 1.0 || it.attempt)
            {
              draw_bar (&pen, style, &it, chunksize, pool, x0, x1 - x0, by, bar_h);
              if (chunksize > 0 && !it.attempt && it.task % chunksize == 0 && x1 - x0 >= 3)
                pen_rect (&pen, &tick, x0, y + 1, 1, g.lane_h - 2);
              i++;
            }
          else
            {
              /* tasks shorter than a pixel: one column for all that start in it */
              double col = floor (x0);
              guint next = lane_search (model, tasks, w->lane, i + 1,
                                        (gint64) ((col + 1 - g.x0) * px_ns), now);

              draw_bar (&pen, style, &it, chunksize, pool, col, 1, by, bar_h);
              i = MAX (next, i + 1);
            }
        }
    }

  /* failures over everything, at least two pixels wide, so none hides */
  pen_finish (&pen);
  {
    guint64 n_failed;
    const guint32 *failed = ps_run_model_get_failed (model, &n_failed);

    for (guint64 k = 0; tasks && k < n_failed; k++)
      {
        const PsTaskRec *t = &tasks[failed[k]];
        LaneItem it = { t->start, t->end, failed[k], ps_task_rec_status (t), FALSE };
        double x0, x1, y, bar_h;

        const PsWorkerInfo *tw = ps_run_model_get_task_worker (model, t);

        if (tw == NULL || it.status == PS_TASK_CANCELLED)
          continue;
        y = g.y0 + tw->row * g.lane_h;
        bar_h = MAX (g.lane_h - (g.lane_h >= 8 ? 4 : 1), 1);
        x0 = g.x0 + t->start / px_ns;
        x1 = MAX (g.x0 + t->end / px_ns, x0 + 2);
        draw_bar (&pen, style, &it, 0, 1, x0, x1 - x0, y + (g.lane_h - bar_h) / 2, bar_h);
      }
  }

  pen_finish (&pen);
  draw_legend (cr, style, small, PAD, width - PAD, MIN (g.y0 + n_workers * g.lane_h + 6, height - LEGEND_H), model);
}

/* Where a task's last attempt is drawn; FALSE when it is in no lane. */
gboolean
ps_run_timeline_task_rect (PsRunModel      *model,
                           int              width,
                           int              height,
                           guint64          task,
                           graphene_rect_t *out)
{
  const PsTaskRec *tasks = ps_run_model_get_tasks (model);
  TimelineGeom g;
  double px_ns;

  const PsWorkerInfo *w;

  if (tasks == NULL || task >= ps_run_model_get_n_tasks (model) ||
      (w = ps_run_model_get_task_worker (model, &tasks[task])) == NULL)
    return FALSE;
  timeline_geom (model, width, height, &g);
  px_ns = g.t1 / (g.x1 - g.x0);
  graphene_rect_init (out, g.x0 + tasks[task].start / px_ns, g.y0 + w->row * g.lane_h,
                      MAX ((tasks[task].end - tasks[task].start) / px_ns, 1), g.lane_h);
  return TRUE;
}

char *
ps_run_timeline_tooltip (PsRunModel *model,
                         int         width,
                         int         height,
                         double      x,
                         double      y)
{
  const PsTaskRec *tasks = ps_run_model_get_tasks (model);
  guint n_workers = ps_run_model_get_n_workers (model);
  gint64 now = ps_run_model_get_now (model);
  const PsWorkerInfo *w;
  TimelineGeom g;
  double px_ns;
  gint64 t, slack;
  guint lane, i;
  LaneItem it;
  char item_buf[24], dur[32], cpu[32], at[32];
  const char *item;
  g_autofree char *head = NULL;

  if (n_workers == 0 || x < LANE_LABEL_W)
    return NULL;
  timeline_geom (model, width, height, &g);
  if (y < g.y0 || y >= g.y0 + n_workers * g.lane_h)
    return NULL;
  lane = (guint) ((y - g.y0) / g.lane_h);
  w = ps_run_model_get_worker (model, lane);
  px_ns = g.t1 / (g.x1 - g.x0);
  t = (gint64) ((x - g.x0) * px_ns);
  slack = (gint64) (2 * px_ns);

  /* the last entry that starts before the pointer, or the one just after */
  i = lane_search (model, tasks, w->lane, 0, t + 1, now);
  if (i > 0 && lane_item (model, tasks, g_array_index (w->lane, guint32, i - 1), now, &it) &&
      it.end + slack >= t)
    ;
  else if (i < w->lane->len && lane_item (model, tasks, g_array_index (w->lane, guint32, i), now, &it) &&
           it.start - slack <= t)
    ;
  else
    return g_strdup_printf (_("%s, pid %d: idle"), w->name, w->pid);

  item = tasks && it.task < ps_run_model_get_n_tasks (model)
         ? ps_run_model_format_item (model, &tasks[it.task], item_buf) : "?";
  format_duration (it.end - it.start, dur, sizeof dur);
  format_duration (it.start, at, sizeof at);
  if (tasks && !it.attempt && it.task < ps_run_model_get_n_tasks (model))
    format_duration ((gint64) tasks[it.task].cpu_us * 1000, cpu, sizeof cpu);
  else
    g_strlcpy (cpu, "–", sizeof cpu);
  head = g_strdup_printf (_("Task %" PRIu64 ", item %s"), it.task, item);
  return g_strdup_printf ("<b>%s</b>\n%s: %s\n%s %s · %s %s · %s %s\n%s, pid %d",
                          head,
                          _("Status"),
                          it.status == PS_TASK_RUNNING ? _("running")
                          : it.attempt ? _("failed, tried again")
                          : ps_task_status_to_string (it.status),
                          _("started at"), at, _("duration"), dur, _("CPU"), cpu,
                          w->name, w->pid);
}

/* ---- CPU and memory ----------------------------------------------------- */

static void
draw_series (PsRunModel        *model,
             cairo_t           *cr,
             int                width,
             int                height,
             const PsDrawStyle *style,
             gboolean           memory)
{
  g_autoptr(PangoLayout) small = make_layout (cr, style, 0.85, FALSE);
  const PsSampleRing *total = ps_run_model_get_total (model);
  guint n_workers = ps_run_model_get_n_workers (model);
  double x0 = 40, x1 = width - PAD, y0 = AXIS_H + 4, y1 = height - 20;
  gint64 t1, t0;
  double vmax = memory ? 1 : 100, grid_step;
  char buf[32];

  if (total->len == 0)
    {
      draw_message (cr, style, width, height,
                    !ps_run_model_has_run (model) ? (memory ? _("Memory of each worker (RSS) appears here during a run")
                                                           : _("CPU usage of each worker appears here during a run"))
                    : ps_run_model_is_ended (model) ? _("The run ended before the first sample")
                    : _("Waiting for the first sample…"));
      return;
    }

  /* the whole run while its samples are all kept, then the last two minutes */
  t1 = MAX (ps_run_model_get_wall (model), ps_sample_ring_get (total, total->len - 1)->t);
  t0 = total->len < PS_SAMPLE_RING ? 0 : ps_sample_ring_get (total, 0)->t;
  if (!ps_run_model_is_ended (model) && t1 - t0 < G_GINT64_CONSTANT (1000000000))
    t1 = t0 + G_GINT64_CONSTANT (1000000000);
  t1 = MAX (t1, t0 + 1000);

  /* the scale: whole cores for CPU (the total passes 100%), MiB for memory */
  for (guint wi = 0; wi < n_workers; wi++)
    {
      const PsSampleRing *r = &ps_run_model_get_worker (model, wi)->samples;
      for (guint i = 0; i < r->len; i++)
        {
          double v = memory ? ps_sample_ring_get (r, i)->rss : ps_sample_ring_get (r, i)->cpu;
          if (!isnan (v))
            vmax = MAX (vmax, v);
        }
    }
  if (!memory)
    for (guint i = 0; i < total->len; i++)
      if (!isnan (ps_sample_ring_get (total, i)->cpu))
        vmax = MAX (vmax, ps_sample_ring_get (total, i)->cpu);
  if (memory)
    {
      double mib = vmax / (1024.0 * 1024), step = nice_step (mib / 4);
      vmax = MAX (ceil (mib / step - 0.001), 1) * step * 1024 * 1024;
      /* four grid lines, on round numbers */
      while (vmax / (step * 1024 * 1024) > 4.5)
        step *= 2;
      grid_step = step * 1024 * 1024;
    }
  else
    {
      vmax = ceil (vmax / 100.0 - 0.02) * 100;
      grid_step = vmax <= 400 ? 25 * (vmax / 100) : nice_step (vmax / 4);
    }

  /* room on the left for the widest value label */
  for (double v = 0; v <= vmax + grid_step / 100; v += grid_step)
    {
      int tw, th;

      if (memory)
        format_bytes (v, buf, sizeof buf);
      else
        g_snprintf (buf, sizeof buf, "%.0f%%", v);
      laid_out (small, buf, 0, &tw, &th);
      x0 = MAX (x0, PAD + tw + 8);
    }

  draw_time_axis (cr, style, small, x0, x1, 0, y1, t0, t1);
  for (double v = 0; v <= vmax + grid_step / 100; v += grid_step)
    {
      double y = y1 - (y1 - y0) * v / vmax;

      set_rgba (cr, &style->fg, v == 0 ? 0.3 : 0.1);
      cairo_rectangle (cr, x0, round (y), x1 - x0, 1);
      cairo_fill (cr);
      if (memory && v == 0)
        g_strlcpy (buf, "0", sizeof buf);
      else if (memory)
        format_bytes (v, buf, sizeof buf);
      else
        g_snprintf (buf, sizeof buf, "%.0f%%", v);
      set_rgba (cr, &style->fg, 0.6);
      draw_text (cr, small, buf, x0 - 6, y - 7, 1, 0);
    }

  cairo_save (cr);
  cairo_rectangle (cr, x0, y0 - 2, x1 - x0, y1 - y0 + 4);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint wi = 0; wi <= n_workers; wi++)
    {
      /* the total last, on top; memory has none: it would flatten the workers */
      gboolean is_total = wi == n_workers;
      const PsSampleRing *r = is_total ? total : &ps_run_model_get_worker (model, wi)->samples;
      double last_x = -1, last_y = 0;
      guint points = 0;
      GdkRGBA c;

      if (is_total && memory)
        break;
      if (is_total)
        c = style->fg;
      else
        series_color (ps_run_model_get_worker (model, wi)->id - 1, style->dark, &c);

      for (guint i = 0; i < r->len; i++)
        {
          const PsSampleRec *s = ps_sample_ring_get (r, i);
          double x = x0 + (double) (s->t - t0) / (t1 - t0) * (x1 - x0);
          double v = memory ? s->rss : s->cpu;
          double y = y1 - (y1 - y0) * v / vmax;

          if (isnan (v))
            continue;   /* a first sample: no CPU figure yet */
          if (points > 0 && x - last_x < 1 && i + 1 < r->len)
            continue;   /* one point per pixel column */
          if (points++ == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
          last_x = x;
          last_y = y;
        }
      if (points == 1)
        {
          /* a worker sampled once: a dot, not an invisible line */
          cairo_new_path (cr);
          cairo_arc (cr, last_x, last_y, 2.5, 0, 2 * G_PI);
          set_rgba (cr, &c, 0.85);
          cairo_fill (cr);
          continue;
        }
      set_rgba (cr, &c, is_total ? 0.9 : 0.85);
      cairo_set_line_width (cr, is_total ? 2.5 : 1.5);
      cairo_stroke (cr);
    }
  cairo_restore (cr);

  /* legend: the total and the first workers, by colour */
  {
    double lx = x0 + 4;
    guint shown = 0;

    for (guint wi = 0; wi <= n_workers && lx < x1 - 80; wi++)
      {
        gboolean is_total = wi == n_workers;
        const PsWorkerInfo *w = is_total ? NULL : ps_run_model_get_worker (model, wi);
        GdkRGBA c;
        int tw, th;

        if (is_total && memory)
          break;
        /* while running, the live workers; afterwards every one */
        if (w != NULL && ((w->exited >= 0 && !ps_run_model_is_ended (model)) || shown >= 8))
          continue;
        if (w != NULL)
          series_color (w->id - 1, style->dark, &c);
        else
          c = style->fg;
        set_rgba (cr, &c, 1);
        cairo_rectangle (cr, lx, y1 + 8, 12, 3);
        cairo_fill (cr);
        set_rgba (cr, &style->fg, 0.75);
        draw_text (cr, small, w != NULL ? w->name : _("Total"), lx + 16, y1 + 2, 0, 0);
        laid_out (small, w != NULL ? w->name : _("Total"), 0, &tw, &th);
        lx += 16 + tw + 12;
        shown++;
      }
  }
}

/* ---- progress ------------------------------------------------------------ */

int
ps_run_progress_height (PsRunModel *model)
{
  return (int) (PROGRESS_HEAD + PROGRESS_ROW_H * ps_run_model_get_n_workers (model) + PAD);
}

static void
draw_progress (PsRunModel        *model,
               cairo_t           *cr,
               int                width,
               int                height,
               const PsDrawStyle *style)
{
  g_autoptr(PangoLayout) layout = make_layout (cr, style, 1.0, FALSE);
  g_autoptr(PangoLayout) bold = make_layout (cr, style, 1.05, TRUE);
  g_autoptr(GString) line = g_string_new (NULL);
  guint64 n = ps_run_model_get_n_tasks (model), done = ps_run_model_get_n_finished (model);
  gint64 wall = ps_run_model_get_wall (model);
  const PsTaskRec *tasks = ps_run_model_get_tasks (model);
  double frac = n ? (double) done / n : 0;
  /* Worker, PID, Done, Failed, Busy, CPU, Now */
  double cols[] = { PAD, 175, 240, 300, 360, 420, 480 };
  GdkRGBA accent;

  if (!ps_run_model_has_run (model))
    {
      draw_message (cr, style, width, height, _("No run yet"));
      return;
    }
  ps_status_color (PS_TASK_OK, style->dark, &accent);

  ps_run_describe (PS_RUN_VIEW_PROGRESS, model, line);
  /* the first line of the description is the overall state */
  if (strchr (line->str, '\n'))
    g_string_truncate (line, strchr (line->str, '\n') - line->str);
  set_rgba (cr, &style->fg, 0.9);
  draw_text (cr, bold, line->str, PAD, 4, 0, width - 2 * PAD);

  set_rgba (cr, &style->fg, 0.12);
  cairo_rectangle (cr, PAD, 26, width - 2 * PAD, 6);
  cairo_fill (cr);
  set_rgba (cr, &accent, 1);
  cairo_rectangle (cr, PAD, 26, (width - 2 * PAD) * frac, 6);
  cairo_fill (cr);

  set_rgba (cr, &style->fg, 0.55);
  draw_text (cr, layout, _("Worker"), cols[0], 38, 0, 0);
  draw_text (cr, layout, _("PID"), cols[1], 38, 0, 0);
  draw_text (cr, layout, _("Done"), cols[2], 38, 0, 0);
  draw_text (cr, layout, _("Failed"), cols[3], 38, 0, 0);
  draw_text (cr, layout, _("Busy"), cols[4], 38, 0, 0);
  draw_text (cr, layout, _("CPU"), cols[5], 38, 0, 0);
  draw_text (cr, layout, _("Now"), cols[6], 38, 0, 0);

  for (guint wi = 0; wi < ps_run_model_get_n_workers (model); wi++)
    {
      const PsWorkerInfo *w = ps_run_model_get_worker (model, wi);
      double y = PROGRESS_HEAD + wi * PROGRESS_ROW_H;
      gint64 alive = (w->exited >= 0 ? w->exited : wall) - w->started;
      double busy = alive > 0 ? MIN (1.0, (double) w->busy_ns / alive) : 0;
      char buf[96];
      GdkRGBA c;

      set_rgba (cr, &style->fg, w->exited >= 0 ? 0.45 : 0.9);
      draw_text (cr, layout, w->name, cols[0], y + 3, 0, cols[1] - cols[0] - 8);
      g_snprintf (buf, sizeof buf, "%d", w->pid);
      draw_text (cr, layout, buf, cols[1], y + 3, 0, 0);
      g_snprintf (buf, sizeof buf, "%" PRIu64, w->ok);
      draw_text (cr, layout, buf, cols[2], y + 3, 0, 0);
      if (w->failed > 0)
        {
          ps_status_color (PS_TASK_CRASHED, style->dark, &c);
          set_rgba (cr, &c, 1);
        }
      g_snprintf (buf, sizeof buf, "%" PRIu64, w->failed);
      draw_text (cr, layout, buf, cols[3], y + 3, 0, 0);
      set_rgba (cr, &style->fg, w->exited >= 0 ? 0.45 : 0.9);
      g_snprintf (buf, sizeof buf, "%.0f%%", busy * 100);
      draw_text (cr, layout, buf, cols[4], y + 3, 0, 0);
      /* the last sample while it runs; its tasks' CPU over its life after */
      g_snprintf (buf, sizeof buf, "%.0f%%", w->exited >= 0 || ps_run_model_is_ended (model)
                                             ? (alive > 0 ? 100.0 * w->cpu_ns / alive : 0) : w->cpu);
      draw_text (cr, layout, buf, cols[5], y + 3, 0, 0);

      if (w->exited >= 0)
        {
          ps_status_color (w->signal && !w->stopped ? PS_TASK_CRASHED : PS_TASK_CANCELLED,
                           style->dark, &c);
          set_rgba (cr, &c, 1);
          if (w->stopped)
            {
              set_rgba (cr, &style->fg, 0.5);
              g_strlcpy (buf, _("stopped"), sizeof buf);
            }
          else if (w->signal)
            g_snprintf (buf, sizeof buf, _("died: %s"), w->exit_message ? w->exit_message : "");
          else if (w->exit_code != 0)
            g_snprintf (buf, sizeof buf, _("exited with status %d"), w->exit_code);
          else
            {
              set_rgba (cr, &style->fg, 0.5);
              g_strlcpy (buf, ps_run_model_is_ended (model) ? _("finished") : _("retired"), sizeof buf);
            }
        }
      else if (w->current >= 0)
        {
          char item[24];
          const char *it = tasks && (guint64) w->current < n
                           ? ps_run_model_format_item (model, &tasks[w->current], item) : "?";
          ps_status_color (PS_TASK_RUNNING, style->dark, &c);
          set_rgba (cr, &style->fg, 0.9);
          g_snprintf (buf, sizeof buf, _("task %" PRId64 " (item %s)"), w->current, it);
        }
      else
        {
          set_rgba (cr, &style->fg, 0.5);
          g_strlcpy (buf, ps_run_model_is_ended (model) ? _("done") : _("idle"), sizeof buf);
        }
      draw_text (cr, layout, buf, cols[6], y + 3, 0, MAX (width - cols[6] - PAD, 20));
    }
}

/* ---- ordering ------------------------------------------------------------ */

static void
draw_ordering (PsRunModel        *model,
               cairo_t           *cr,
               int                width,
               int                height,
               const PsDrawStyle *style)
{
  g_autoptr(PangoLayout) small = make_layout (cr, style, 0.85, FALSE);
  guint64 n = ps_run_model_get_n_tasks (model), n_done;
  const guint32 *order = ps_run_model_get_completion (model, &n_done);
  const PsTaskRec *tasks = ps_run_model_get_tasks (model);
  double side = MIN (width - 40 - PAD, height - 22 - 28);
  double x0 = 40, y0 = 22, dot;
  GdkRGBA accent;
  cairo_surface_t *surface;
  guint32 *pixels;
  int stride, iside;
  guint64 in_place = 0, next_max = 0;
  char buf[128];

  if (!ps_run_model_has_run (model) || tasks == NULL || n == 0 || side < 20)
    {
      draw_message (cr, style, width, height,
                    _("Submission order against completion order: on the diagonal, tasks finish in the order they were given"));
      return;
    }
  ps_status_color (PS_TASK_OK, style->dark, &accent);

  set_rgba (cr, &style->fg, 0.06);
  cairo_rectangle (cr, x0, y0, side, side);
  cairo_fill (cr);
  set_rgba (cr, &style->fg, 0.3);
  cairo_set_line_width (cr, 1);
  cairo_set_dash (cr, (double[]) { 4, 4 }, 2, 0);
  cairo_move_to (cr, x0, y0 + side);
  cairo_line_to (cr, x0 + side, y0);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);

  /* points straight into pixels: a million of them cost a few ms */
  iside = (int) side;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, iside, iside);
  cairo_surface_flush (surface);
  pixels = (guint32 *) cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface) / 4;
  dot = n <= 400 ? MAX (2, MIN (6, side / n)) : 1;
  for (guint64 rank = 0; rank < n_done; rank++)
    {
      guint32 task = order[rank];
      int px = (int) ((double) task / n * (iside - dot));
      int py = iside - 1 - (int) ((double) rank / n * (iside - dot)) - ((int) dot - 1);
      GdkRGBA c = accent;
      guint32 argb;

      if (task >= next_max)
        in_place++;
      next_max = MAX (next_max, task + 1);
      if (ps_task_rec_status (&tasks[task]) != PS_TASK_OK && ps_task_rec_status (&tasks[task]) < PS_TASK_N_STATUS)
        ps_status_color (ps_task_rec_status (&tasks[task]), style->dark, &c);
      argb = 0xff000000u | ((guint32) (c.red * 255) << 16) | ((guint32) (c.green * 255) << 8) | (guint32) (c.blue * 255);
      for (int dy = 0; dy < (int) dot; dy++)
        for (int dx = 0; dx < (int) dot; dx++)
          if (px + dx < iside && py + dy >= 0 && py + dy < iside)
            pixels[(py + dy) * stride + px + dx] = argb;
    }
  cairo_surface_mark_dirty (surface);
  cairo_set_source_surface (cr, surface, x0, y0);
  cairo_paint (cr);
  cairo_surface_destroy (surface);

  set_rgba (cr, &style->fg, 0.6);
  draw_text (cr, small, _("finished ↑"), 4, y0 - 18, 0, 0);
  draw_text (cr, small, _("submitted →"), x0 + side, y0 + side + 4, 1, 0);
  draw_text (cr, small, "0", x0 - 4, y0 + side - 12, 1, 0);
  g_snprintf (buf, sizeof buf, "%" PRIu64, n - 1);
  draw_text (cr, small, buf, x0 - 4, y0 - 4, 1, 0);
  set_rgba (cr, &style->fg, 0.75);
  if (n_done > 0)
    g_snprintf (buf, sizeof buf, _("%.0f%% not overtaken by a later task"), 100.0 * in_place / n_done);
  else
    g_strlcpy (buf, _("nothing finished yet"), sizeof buf);
  draw_text (cr, small, buf, x0, y0 + side + 4, 0, side * 0.6);
}

void
ps_run_draw (PsRunViewKind      kind,
             PsRunModel        *model,
             cairo_t           *cr,
             int                width,
             int                height,
             const PsDrawStyle *style)
{
  g_return_if_fail (PS_IS_RUN_MODEL (model));

  if (width < 8 || height < 8)
    return;
  switch (kind)
    {
    case PS_RUN_VIEW_TIMELINE:
      draw_timeline (model, cr, width, height, style);
      break;
    case PS_RUN_VIEW_CPU:
      draw_series (model, cr, width, height, style, FALSE);
      break;
    case PS_RUN_VIEW_MEMORY:
      draw_series (model, cr, width, height, style, TRUE);
      break;
    case PS_RUN_VIEW_PROGRESS:
      draw_progress (model, cr, width, height, style);
      break;
    case PS_RUN_VIEW_ORDERING:
      draw_ordering (model, cr, width, height, style);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* What a view shows, in words: its accessible description. */
void
ps_run_describe (PsRunViewKind  kind,
                 PsRunModel    *model,
                 GString       *out)
{
  guint64 n = ps_run_model_get_n_tasks (model), done = ps_run_model_get_n_finished (model);
  gint64 wall = ps_run_model_get_wall (model);
  guint n_workers = ps_run_model_get_n_workers (model);
  char dur[32];

  if (!ps_run_model_has_run (model))
    {
      g_string_append (out, _("No run yet"));
      return;
    }
  switch (kind)
    {
    case PS_RUN_VIEW_PROGRESS:
      {
        double rate = wall > 0 ? done / (wall / 1e9) : 0;

        g_string_append_printf (out, _("%" PRIu64 " of %" PRIu64 " tasks done"), done, n);
        if (rate > 0)
          g_string_append_printf (out, _(", %.0f tasks/s"), rate);
        if (!ps_run_model_is_ended (model) && rate > 0 && done < n)
          {
            format_duration ((gint64) ((n - done) / rate * 1e9), dur, sizeof dur);
            g_string_append_printf (out, _(", about %s left"), dur);
          }
        for (PsTaskStatus s = PS_TASK_ERROR; s <= PS_TASK_CANCELLED; s++)
          if (ps_run_model_get_n_status (model, s) > 0)
            g_string_append_printf (out, ", %" PRIu64 " %s", ps_run_model_get_n_status (model, s),
                                    ps_task_status_to_string (s));
        if (ps_run_model_get_n_retried (model) > 0)
          g_string_append_printf (out, _(", %" PRIu64 " retried"), ps_run_model_get_n_retried (model));
        g_string_append_c (out, '\n');
        for (guint i = 0; i < n_workers; i++)
          {
            const PsWorkerInfo *w = ps_run_model_get_worker (model, i);
            g_string_append_printf (out, _("%s, pid %d: %" PRIu64 " tasks done"), w->name, w->pid, w->ok);
            if (w->failed)
              g_string_append_printf (out, _(", %" PRIu64 " failed"), w->failed);
            if (w->exited >= 0 && w->stopped)
              g_string_append (out, _(", stopped"));
            else if (w->exited >= 0 && w->signal)
              g_string_append_printf (out, _(", died: %s"), w->exit_message ? w->exit_message : "");
            else if (w->current >= 0)
              g_string_append_printf (out, _(", running task %" PRId64), w->current);
            g_string_append_c (out, '\n');
          }
      }
      break;

    case PS_RUN_VIEW_TIMELINE:
      format_duration (wall, dur, sizeof dur);
      g_string_append_printf (out, _("%u worker lanes over %s: "), n_workers, dur);
      for (guint i = 0; i < n_workers; i++)
        {
          const PsWorkerInfo *w = ps_run_model_get_worker (model, i);
          g_string_append_printf (out, "%s%s (pid %d, %" PRIu64 " tasks)", i ? ", " : "", w->name, w->pid, w->done);
        }
      break;

    case PS_RUN_VIEW_CPU:
    case PS_RUN_VIEW_MEMORY:
      g_string_append (out, kind == PS_RUN_VIEW_CPU ? _("CPU usage by worker, latest sample: ")
                                                    : _("Memory (RSS) by worker, latest sample: "));
      for (guint i = 0; i < n_workers; i++)
        {
          const PsWorkerInfo *w = ps_run_model_get_worker (model, i);
          char buf[32];

          if (kind == PS_RUN_VIEW_CPU)
            g_snprintf (buf, sizeof buf, "%.0f%%", w->cpu);
          else
            format_bytes (w->rss, buf, sizeof buf);
          g_string_append_printf (out, "%s%s %s", i ? ", " : "", w->name, buf);
        }
      break;

    case PS_RUN_VIEW_ORDERING:
      {
        guint64 n_done, overtaken = 0, next_max = 0;
        const guint32 *order = ps_run_model_get_completion (model, &n_done);

        /* a task is overtaken when one submitted after it finished first */
        for (guint64 r = 0; r < n_done; r++)
          {
            overtaken += order[r] < next_max;
            next_max = MAX (next_max, (guint64) order[r] + 1);
          }
        g_string_append_printf (out, _("%" PRIu64 " of %" PRIu64 " finished tasks were overtaken by a task "
                                       "submitted after them"), overtaken, n_done);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}
