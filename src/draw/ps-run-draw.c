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
#include <string.h>
#include <pango/pangocairo.h>
#include <glib/gi18n.h>

#include "ps-format.h"
#include "ps-run-draw.h"

#define LANE_LABEL_MAX 0.35    /* of the width, at most, for the lane labels */
#define LANE_NATURAL_H 16.0    /* a lane with room for its label in the default font */
#define LANE_MAX_H     44.0
#define LABEL_GAP      6.0     /* between a lane's name and its pid */
#define LEGEND_GAP     12.0    /* between the entries of the CPU and Memory legends */
#define SWATCH_W       16.0
#define DESCRIBED_MAX  5       /* workers named in a CPU or Memory description */
#define AXIS_H         22.0
#define LEGEND_H       52.0
#define PAD            8.0
#define PROGRESS_ROW_H 24.0
#define PROGRESS_HEAD  58.0

/* GNOME palette: blue 3, orange 4, red 3, purple 3, dark 1, yellow 4 (lighter in dark style) */
void
ps_status_color (guint     status,
                 gboolean  dark,
                 PsRGBA  *out)
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

/* "#rrggbb", from the palettes below. */
static void
ps_rgba_parse_hex (PsRGBA     *out,
                   const char *hex)
{
  guint32 rgb = (guint32) g_ascii_strtoull (hex + 1, NULL, 16);

  out->red = ((rgb >> 16) & 0xff) / 255.0f;
  out->green = ((rgb >> 8) & 0xff) / 255.0f;
  out->blue = (rgb & 0xff) / 255.0f;
  out->alpha = 1;
}

/* One colour per worker line, apart from the status colours where it can. */
static void
series_color (guint     index,
              gboolean  dark,
              PsRGBA  *out)
{
  static const char *light[] = { "#1c71d8", "#26a269", "#c64600", "#813d9c", "#986a44", "#e5a50a", "#2ec27e", "#c01c28" };
  static const char *darks[] = { "#62a0ea", "#57e389", "#ffa348", "#dc8add", "#cdab8f", "#f8e45c", "#8ff0a4", "#f66151" };

  ps_rgba_parse_hex (out, dark ? darks[index % 8] : light[index % 8]);
}

static void
set_rgba (cairo_t       *cr,
          const PsRGBA *c,
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

/* @layout with @text in it, or the same already laid out, and its size;
 * cut with "…" where @ellipsize says when wider than @max_width. */
static PangoLayout *
laid_out_full (PangoLayout        *layout,
               const char         *text,
               double              max_width,
               PangoEllipsizeMode  ellipsize,
               int                *w,
               int                *h)
{
  PsTextCache *cache = g_object_get_qdata (G_OBJECT (layout), cache_quark);
  const PangoFontDescription *font = pango_layout_get_font_description (layout);
  int width = max_width > 0 ? (int) (max_width * PANGO_SCALE) : -1;
  g_autofree char *key = NULL;
  CachedText *c;

  if (cache)
    {
      key = g_strdup_printf ("%u %d %d %d %d %s", font ? pango_font_description_hash (font) : 0,
                             font ? pango_font_description_get_size (font) : 0,
                             font ? (int) pango_font_description_get_weight (font) : 0, width,
                             (int) ellipsize, text);
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
  pango_layout_set_ellipsize (layout, width > 0 ? ellipsize : PANGO_ELLIPSIZE_NONE);
  pango_layout_get_pixel_size (layout, w, h);
  if (cache)
    {
      c->w = *w;
      c->h = *h;
    }
  return layout;
}

static PangoLayout *
laid_out (PangoLayout *layout,
          const char  *text,
          double       max_width,
          int         *w,
          int         *h)
{
  return laid_out_full (layout, text, max_width, PANGO_ELLIPSIZE_END, w, h);
}

/* The width @text takes in @layout's font. */
static int
text_width (PangoLayout *layout,
            const char  *text)
{
  int w, h;

  laid_out (layout, text, 0, &w, &h);
  return w;
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
draw_text_full (cairo_t            *cr,
                PangoLayout        *layout,
                const char         *text,
                double              x,
                double              y,
                double              align,
                double              max_width,
                PangoEllipsizeMode  ellipsize)
{
  int w, h;
  PangoLayout *shown = laid_out_full (layout, text, max_width, ellipsize, &w, &h);

  cairo_move_to (cr, x - align * w, y);
  pango_cairo_show_layout (cr, shown);
}

static void
draw_text (cairo_t     *cr,
           PangoLayout *layout,
           const char  *text,
           double       x,
           double       y,
           double       align,
           double       max_width)
{
  draw_text_full (cr, layout, text, x, y, align, max_width, PANGO_ELLIPSIZE_END);
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

/* Durations and sizes in the units of the whole of Poolscope (ps-format):
 * "3 ms", "1.23 s", "2 min 05 s"; "4.1 MiB". */
static void
format_duration (gint64 ns,
                 char  *buf,
                 gsize  len)
{
  ps_format_duration_buf (ns, buf, len);
}

static void
format_bytes (double bytes,
              char  *buf,
              gsize  len)
{
  ps_format_bytes_buf (isnan (bytes) ? -1 : (gint64) bytes, buf, len);
}

/* A CPU usage where one core fully used is 100%: "95%"; "–" for none yet. */
static void
format_percent (double  percent,
                char   *buf,
                gsize   len)
{
  if (isnan (percent))
    g_strlcpy (buf, "–", len);
  else
    /* Translators: a CPU usage in percent of one core: "95%" */
    g_snprintf (buf, len, _("%.0f%%"), percent);
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
      PsRGBA c;
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

/* How the lanes are named: one form for every lane, the first of these
 * that fits the label column, so that no two workers ever read alike. */
typedef enum
{
  LABEL_TWO_LINES,   /* the name, and "pid N" under it */
  LABEL_NAME_PID,    /* the name, and the pid at the column's end */
  LABEL_NAME,        /* the name alone: the names tell the workers apart */
  LABEL_SHORT,       /* the name without the start all the names share */
  LABEL_SHORT_PID,   /* the same, and the pid: some names are alike */
} LabelForm;

typedef struct
{
  LabelForm form;
  gsize     drop;       /* bytes of the shared start left out, "…" instead */
  gboolean  squeezed;   /* even that is too wide: cut at the start, the end kept */
  double    column;     /* the label column's width: where the lanes' plot starts */
  double    pid_w;      /* of the widest pid */
  double    name_h;
  double    pid_h;
  guint     every;      /* a label for every Nth lane, where lanes are thinner than one */
} LaneLabels;

typedef struct
{
  double     x0, x1;       /* plot area */
  double     y0, lane_h;
  double     legend_y;     /* top of the status legend */
  gint64     t1;           /* time at x1 */
  LaneLabels labels;
} TimelineGeom;

/* Where a prefix that all the names share may be left out: at the start of
 * a word within it ("Fork|Pool|Worker-|12"), never in the part that tells
 * the names apart, and never the whole of a name. Ascending, 0 not in it. */
static GArray *
name_cuts (PsRunModel *model)
{
  GArray *cuts = g_array_new (FALSE, FALSE, sizeof (gsize));
  guint n = ps_run_model_get_n_workers (model);
  const char *first, *p;
  gsize common, shortest;

  if (n == 0)
    return cuts;
  first = ps_run_model_get_worker (model, 0)->name;
  common = shortest = strlen (first);
  for (guint i = 1; i < n; i++)
    {
      const char *name = ps_run_model_get_worker (model, i)->name;
      gsize k = 0;

      while (k < common && name[k] == first[k])
        k++;
      common = k;
      shortest = MIN (shortest, strlen (name));
    }
  common = MIN (common, shortest > 0 ? shortest - 1 : 0);
  for (p = first; *p && (gsize) (p - first) <= common; p = g_utf8_next_char (p))
    {
      const char *next = g_utf8_next_char (p);
      gunichar c0 = g_utf8_get_char (p), c1;

      if (*next == '\0' || (gsize) (next - first) > common)
        break;
      c1 = g_utf8_get_char (next);
      if ((!g_unichar_isalnum (c0) && g_unichar_isalnum (c1)) ||
          (g_unichar_islower (c0) && g_unichar_isupper (c1)))
        {
          gsize cut = next - first;
          g_array_append_val (cuts, cut);
        }
    }
  return cuts;
}

/* The name as a lane shows it: without the shared start @drop. */
static void
short_name (const char *name,
            gsize       drop,
            GString    *out)
{
  g_string_truncate (out, 0);
  if (drop > 0)
    g_string_append (out, "…");
  g_string_append (out, name + drop);
}

/* The label column as wide as the widest label (at most a share of the
 * width), and the first form of label whose every instance fits in it. */
static void
measure_lane_labels (PsRunModel  *model,
                     PangoLayout *name_font,
                     PangoLayout *pid_font,
                     int          width,
                     double       lane_h,
                     LaneLabels  *out)
{
  guint n = ps_run_model_get_n_workers (model);
  double cap = MAX (floor (width * LANE_LABEL_MAX), 2 * PAD + 24);
  int max_name = 0, max_pid = 0, max_pid2 = 0, nh = 0, ph = 0, tw;
  const PsWorkerInfo *widest = NULL;
  gboolean distinct = TRUE;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) cuts = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  double label_h;

  memset (out, 0, sizeof *out);
  out->form = LABEL_NAME_PID;
  laid_out (name_font, "0", 0, &tw, &nh);
  laid_out (pid_font, "0", 0, &tw, &ph);
  out->name_h = nh;
  out->pid_h = ph;
  out->every = 1;
  out->column = 2 * PAD;

  for (guint i = 0; i < n; i++)
    {
      const PsWorkerInfo *w = ps_run_model_get_worker (model, i);
      char pid[32];

      tw = text_width (name_font, w->name);
      if (widest == NULL || tw > max_name)
        {
          max_name = tw;
          widest = w;
        }
      g_snprintf (pid, sizeof pid, "%d", w->pid);
      max_pid = MAX (max_pid, text_width (pid_font, pid));
      /* Translators: a worker's process id, under its name in the timeline */
      g_snprintf (pid, sizeof pid, _("pid %d"), w->pid);
      max_pid2 = MAX (max_pid2, text_width (pid_font, pid));
      distinct &= g_hash_table_add (seen, w->name);
    }
  out->pid_w = max_pid;
  if (n == 0)
    return;

  if (lane_h >= nh + ph && MAX (max_name, max_pid2) + 2 * PAD <= cap)
    {
      out->form = LABEL_TWO_LINES;
      out->column = MAX (max_name, max_pid2) + 2 * PAD;
    }
  else if (max_name + LABEL_GAP + max_pid + 2 * PAD <= cap)
    {
      out->form = LABEL_NAME_PID;
      out->column = max_name + LABEL_GAP + max_pid + 2 * PAD;
    }
  else if (distinct && max_name + 2 * PAD <= cap)
    {
      out->form = LABEL_NAME;
      out->column = max_name + 2 * PAD;
    }
  else
    {
      /* the start all names share goes, a word at a time: the rest of
       * each is as wide as the rest of the widest, give or take kerning */
      double with_pid = distinct ? 0 : LABEL_GAP + max_pid;
      int max_short = 0;

      out->form = distinct ? LABEL_SHORT : LABEL_SHORT_PID;
      out->squeezed = TRUE;
      cuts = name_cuts (model);
      for (guint c = 0; c < cuts->len; c++)
        {
          out->drop = g_array_index (cuts, gsize, c);
          short_name (widest->name, out->drop, text);
          if (text_width (name_font, text->str) + with_pid + 2 * PAD <= cap)
            {
              out->squeezed = FALSE;
              break;
            }
        }
      for (guint i = 0; i < n; i++)
        {
          short_name (ps_run_model_get_worker (model, i)->name, out->drop, text);
          max_short = MAX (max_short, text_width (name_font, text->str));
        }
      out->column = max_short + with_pid + 2 * PAD;
      if (out->column > cap)
        {
          out->column = cap;
          out->squeezed = TRUE;
        }
    }

  /* lanes thinner than a label: one for a group of lanes, none overlapping */
  label_h = out->form == LABEL_TWO_LINES ? nh + ph : nh;
  if (lane_h < label_h)
    out->every = (guint) ceil (label_h / lane_h - 1e-9);
}

/* The name and the pid of a lane's label, as drawn. */
static void
lane_label_parts (const LaneLabels   *l,
                  const PsWorkerInfo *w,
                  GString            *name,
                  char               *pid,
                  gsize               pid_len)
{
  short_name (w->name, l->form == LABEL_SHORT || l->form == LABEL_SHORT_PID ? l->drop : 0, name);
  if (l->form == LABEL_TWO_LINES)
    g_snprintf (pid, pid_len, _("pid %d"), w->pid);
  else if (l->form == LABEL_NAME_PID || l->form == LABEL_SHORT_PID)
    g_snprintf (pid, pid_len, "%d", w->pid);
  else
    pid[0] = '\0';
}

/* Lanes thinner than a pixel when they must: the widget scrolls at the
 * natural height, this is the whole pool at a glance. */
static double
lane_height (PsRunModel *model,
             int         height)
{
  guint n = MAX (ps_run_model_get_n_workers (model), 1);

  return MIN (MAX (height - (AXIS_H + 2) - LEGEND_H - 4, 1) / n, LANE_MAX_H);
}

static void
timeline_geom_with (PsRunModel       *model,
                    const LaneLabels *labels,
                    int               width,
                    int               height,
                    TimelineGeom     *g)
{
  g->y0 = AXIS_H + 2;
  g->lane_h = lane_height (model, height);
  g->legend_y = MIN (g->y0 + ps_run_model_get_n_workers (model) * g->lane_h + 6, height - LEGEND_H);
  g->labels = *labels;
  g->x0 = labels->column;
  g->x1 = MAX (width - PAD, g->x0 + 10);
  g->t1 = MAX (ps_run_model_get_span (model), 1000);
}

static void
timeline_geom (PsRunModel   *model,
               PangoLayout  *name_font,
               PangoLayout  *pid_font,
               int           width,
               int           height,
               TimelineGeom *g)
{
  LaneLabels labels;

  measure_lane_labels (model, name_font, pid_font, width, lane_height (model, height), &labels);
  timeline_geom_with (model, &labels, width, height, g);
}

/* Where lane @row's label goes; FALSE when it has none. A label is
 * centred on its lane; on lanes thinner than a label, one every so many
 * lanes starts at the top of its lane, a label's height below the last. */
static gboolean
lane_label_rect (const TimelineGeom *g,
                 guint               row,
                 graphene_rect_t    *out)
{
  const LaneLabels *l = &g->labels;
  double h = l->form == LABEL_TWO_LINES ? l->name_h + l->pid_h : l->name_h;
  double y = g->y0 + row * g->lane_h;
  double top = l->every > 1 ? y : y + (g->lane_h - h) / 2;

  if (row % l->every != 0 || top + h > g->legend_y)
    return FALSE;
  graphene_rect_init (out, PAD, top, MAX (l->column - 2 * PAD, 1), h);
  return TRUE;
}

/* The label column a timeline was drawn with last, at its size: the
 * tooltip and the task rectangles have no style to measure with, and
 * must find the lanes where the drawing put them. */
typedef struct
{
  int        width, height;
  guint      n_workers;
  LaneLabels labels;
} DrawnLabels;

static GQuark drawn_quark;

static void
remember_labels (PsRunModel         *model,
                 int                 width,
                 int                 height,
                 const TimelineGeom *g)
{
  DrawnLabels *d = g_new0 (DrawnLabels, 1);

  if (drawn_quark == 0)
    drawn_quark = g_quark_from_static_string ("ps-run-draw-labels");
  d->width = width;
  d->height = height;
  d->n_workers = ps_run_model_get_n_workers (model);
  d->labels = g->labels;
  g_object_set_qdata_full (G_OBJECT (model), drawn_quark, d, g_free);
}

/* The geometry with @style's fonts; with none, that of the last drawing at
 * this size, or the default font's. */
static void
timeline_geom_for (PsRunModel        *model,
                   const PsDrawStyle *style,
                   int                width,
                   int                height,
                   TimelineGeom      *g)
{
  const DrawnLabels *d = drawn_quark && style == NULL
                         ? g_object_get_qdata (G_OBJECT (model), drawn_quark) : NULL;
  PsDrawStyle fallback = { { 0, 0, 0, 1 }, FALSE, NULL, NULL, NULL };
  cairo_surface_t *surface;
  cairo_t *cr;
  PangoLayout *name_font, *pid_font;

  if (d != NULL && d->width == width && d->height == height &&
      d->n_workers == ps_run_model_get_n_workers (model))
    {
      timeline_geom_with (model, &d->labels, width, height, g);
      return;
    }
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cr = cairo_create (surface);
  name_font = make_layout (cr, style ? style : &fallback, 0.85, FALSE);
  pid_font = make_layout (cr, style ? style : &fallback, 0.75, FALSE);
  timeline_geom (model, name_font, pid_font, width, height, g);
  g_object_unref (name_font);
  g_object_unref (pid_font);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

int
ps_run_timeline_natural_height (PsRunModel *model)
{
  g_return_val_if_fail (PS_IS_RUN_MODEL (model), 0);

  return (int) ceil (AXIS_H + 2 + MAX (ps_run_model_get_n_workers (model), 1) * LANE_NATURAL_H +
                     LEGEND_H + 4);
}

char *
ps_run_timeline_lane_label (PsRunModel        *model,
                            const PsDrawStyle *style,
                            int                width,
                            int                height,
                            guint              row,
                            graphene_rect_t   *rect)
{
  g_autoptr(GString) name = g_string_new (NULL);
  TimelineGeom g;
  graphene_rect_t r;
  char pid[32];

  g_return_val_if_fail (PS_IS_RUN_MODEL (model), NULL);

  if (row >= ps_run_model_get_n_workers (model))
    return NULL;
  timeline_geom_for (model, style, width, height, &g);
  if (!lane_label_rect (&g, row, &r))
    return NULL;
  if (rect)
    *rect = r;
  lane_label_parts (&g.labels, ps_run_model_get_worker (model, row), name, pid, sizeof pid);
  if (pid[0] == '\0')
    return g_string_free (g_steal_pointer (&name), FALSE);
  return g_strdup_printf (g.labels.form == LABEL_TWO_LINES ? "%s\n%s" : "%s %s", name->str, pid);
}

/* Bars go through a pen that joins touching bars of one colour into one
 * rectangle and fills a colour's rectangles at once: a lane of a million
 * tasks is then a few hundred rectangles and fills, not a million. */
typedef struct
{
  cairo_t *cr;
  PsRGBA  color;
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
          const PsRGBA *color,
          double         x,
          double         y,
          double         w,
          double         h)
{
  if (memcmp (color, &pen->color, sizeof *color) != 0)
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
  PsRGBA c;

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

/* Bars a pixel or two apart on lanes that have room for a gap. */
static double
bar_height (double lane_h)
{
  return lane_h >= 8 ? lane_h - 4 : lane_h >= 3 ? lane_h - 1 : lane_h;
}

static void
draw_lane_label (cairo_t            *cr,
                 const PsDrawStyle  *style,
                 const TimelineGeom *g,
                 PangoLayout        *name_font,
                 PangoLayout        *pid_font,
                 const PsWorkerInfo *w,
                 const graphene_rect_t *r)
{
  const LaneLabels *l = &g->labels;
  g_autoptr(GString) name = g_string_new (NULL);
  gboolean has_pid;
  double name_w;
  char pid[32];

  lane_label_parts (l, w, name, pid, sizeof pid);
  has_pid = pid[0] != '\0' && l->form != LABEL_TWO_LINES;
  /* cut, where it must be, at the start: the end tells workers apart;
   * a worker on a host (h2/ForkPoolWorker-3) in the middle, keeping the
   * host as well */
  name_w = l->squeezed ? MAX (r->size.width - (has_pid ? LABEL_GAP + l->pid_w : 0), 8) : 0;
  set_rgba (cr, &style->fg, w->exited >= 0 ? 0.45 : 0.85);
  draw_text_full (cr, name_font, name->str, r->origin.x, r->origin.y, 0, name_w,
                  strchr (name->str, '/') ? PANGO_ELLIPSIZE_MIDDLE : PANGO_ELLIPSIZE_START);
  if (pid[0] == '\0')
    return;
  set_rgba (cr, &style->fg, 0.55);
  if (l->form == LABEL_TWO_LINES)
    draw_text (cr, pid_font, pid, r->origin.x, r->origin.y + l->name_h, 0, 0);
  else
    draw_text (cr, pid_font, pid, r->origin.x + r->size.width,
               r->origin.y + (l->name_h - l->pid_h) / 2, 1, 0);
}

static void
draw_timeline (PsRunModel        *model,
               cairo_t           *cr,
               int                width,
               int                height,
               const PsDrawStyle *style)
{
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
  PsRGBA tick = style->fg;

  tick.alpha *= 0.7;
  if (n_workers == 0)
    {
      draw_message (cr, style, width, height,
                    ps_run_model_has_run (model) ? _("Starting workers…")
                                                 : _("Each worker gets a lane here, with a bar for every task it runs"));
      return;
    }
  timeline_geom (model, small, tiny, width, height, &g);
  remember_labels (model, width, height, &g);
  px_ns = g.t1 / (g.x1 - g.x0);
  draw_time_axis (cr, style, small, g.x0, g.x1, 0, g.y0 + n_workers * g.lane_h, 0, g.t1);

  for (guint wi = 0; wi < n_workers; wi++)
    {
      const PsWorkerInfo *w = ps_run_model_get_worker (model, wi);
      double y = g.y0 + wi * g.lane_h;
      double bar_h = bar_height (g.lane_h);
      double by = y + (g.lane_h - bar_h) / 2;
      graphene_rect_t label;
      guint i = 0;

      /* the bars of the lane before, before anything else is drawn */
      pen_finish (&pen);
      if (wi % 2 == 1 && g.lane_h >= 4)
        {
          set_rgba (cr, &style->fg, 0.035);
          cairo_rectangle (cr, 0, y, width, g.lane_h);
          cairo_fill (cr);
        }
      if (lane_label_rect (&g, wi, &label))
        draw_lane_label (cr, style, &g, small, tiny, w, &label);
      if (w->exited >= 0 && w->signal != 0 && !w->stopped)
        {
          /* where a worker died: a mark in the status colour */
          PsRGBA c;
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
              if (chunksize > 0 && !it.attempt && it.task % chunksize == 0 && x1 - x0 >= 3 &&
                  g.lane_h >= 6)
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
        bar_h = bar_height (g.lane_h);
        x0 = g.x0 + t->start / px_ns;
        x1 = MAX (g.x0 + t->end / px_ns, x0 + 2);
        draw_bar (&pen, style, &it, 0, 1, x0, x1 - x0, y + (g.lane_h - bar_h) / 2, bar_h);
      }
  }

  pen_finish (&pen);
  draw_legend (cr, style, small, PAD, width - PAD, g.legend_y, model);
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
  timeline_geom_for (model, NULL, width, height, &g);
  px_ns = g.t1 / (g.x1 - g.x0);
  graphene_rect_init (out, g.x0 + tasks[task].start / px_ns, g.y0 + w->row * g.lane_h,
                      MAX ((tasks[task].end - tasks[task].start) / px_ns, 1), g.lane_h);
  return TRUE;
}

/* A lane's worker in full, for the pointer on its label. */
static char *
worker_tooltip (PsRunModel         *model,
                const PsWorkerInfo *w)
{
  g_autofree char *counts = NULL;
  g_autofree char *state = NULL;

  /* Translators: under a worker's name in the timeline's tooltip: its
   * process id and how many tasks it ended */
  counts = g_strdup_printf (ngettext ("pid %d · %" PRIu64 " task", "pid %d · %" PRIu64 " tasks",
                                      (gulong) MIN (w->done, G_MAXULONG)),
                            w->pid, w->done);
  if (w->exited >= 0 && w->stopped)
    state = g_strdup (_("stopped"));
  else if (w->exited >= 0 && w->signal != 0)
    state = g_strdup_printf (_("died: %s"), w->exit_message ? w->exit_message : "");
  else if (w->exited >= 0 && w->exit_code != 0)
    state = g_strdup_printf (_("exited with status %d"), w->exit_code);
  else if (w->exited >= 0)
    state = g_strdup (ps_run_model_is_ended (model) ? _("finished") : _("retired"));
  else if (w->current >= 0)
    state = g_strdup_printf (_("running task %" PRId64), w->current);
  else
    state = g_strdup (_("idle"));
  return g_markup_printf_escaped ("<b>%s</b>\n%s\n%s", w->name, counts, state);
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

  if (n_workers == 0)
    return NULL;
  timeline_geom_for (model, NULL, width, height, &g);
  if (y < g.y0 || y >= g.y0 + n_workers * g.lane_h)
    return NULL;
  lane = MIN ((guint) ((y - g.y0) / g.lane_h), n_workers - 1);
  if (x < g.x0)
    {
      /* on a label that stands for a group of thin lanes: its worker */
      graphene_rect_t r;
      guint first = lane - lane % g.labels.every;

      if (lane_label_rect (&g, first, &r) && y >= r.origin.y && y < r.origin.y + r.size.height)
        lane = first;
      return worker_tooltip (model, ps_run_model_get_worker (model, lane));
    }
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
    return g_markup_printf_escaped (_("%s, pid %d: idle"), w->name, w->pid);

  item = tasks && it.task < ps_run_model_get_n_tasks (model)
         ? ps_run_model_format_item (model, &tasks[it.task], item_buf) : "?";
  format_duration (it.end - it.start, dur, sizeof dur);
  format_duration (it.start, at, sizeof at);
  if (tasks && !it.attempt && it.task < ps_run_model_get_n_tasks (model))
    format_duration ((gint64) tasks[it.task].cpu_us * 1000, cpu, sizeof cpu);
  else
    g_strlcpy (cpu, "–", sizeof cpu);
  head = g_strdup_printf (_("Task %" PRIu64 ", item %s"), it.task, item);
  return g_markup_printf_escaped ("<b>%s</b>\n%s: %s\n%s %s · %s %s · %s %s\n%s, pid %d",
                          head,
                          _("Status"),
                          it.status == PS_TASK_RUNNING ? _("running")
                          : it.attempt ? _("failed, tried again")
                          : ps_task_status_to_string (it.status),
                          _("started at"), at, _("duration"), dur, _("CPU"), cpu,
                          w->name, w->pid);
}

/* ---- CPU and memory ----------------------------------------------------- */

typedef struct
{
  double x0, x1, y0, y1;   /* plot area */
  gint64 t0, t1;
  double vmax, grid_step;
} SeriesGeom;

/* A value axis label: "150%", "64 MiB". */
static void
format_value (double   v,
              gboolean memory,
              char    *buf,
              gsize    len)
{
  if (memory)
    format_bytes (v, buf, len);
  else
    format_percent (v, buf, len);
}

/* The time span, the scale and the plot area; FALSE before the first sample. */
static gboolean
series_geom (PsRunModel  *model,
             gboolean     memory,
             PangoLayout *small,
             int          width,
             int          height,
             SeriesGeom  *g)
{
  const PsSampleRing *total = ps_run_model_get_total (model);
  guint n_workers = ps_run_model_get_n_workers (model);
  char buf[32];

  if (total->len == 0)
    return FALSE;
  g->x0 = 40;
  g->x1 = width - PAD;
  g->y0 = AXIS_H + 4;
  g->y1 = height - 20;
  g->vmax = memory ? 1 : 100;

  /* the whole run while its samples are all kept, then the last two minutes */
  g->t1 = MAX (ps_run_model_get_span (model), ps_sample_ring_get (total, total->len - 1)->t);
  g->t0 = total->len < PS_SAMPLE_RING ? 0 : ps_sample_ring_get (total, 0)->t;
  if (!ps_run_model_is_ended (model) && g->t1 - g->t0 < G_GINT64_CONSTANT (1000000000))
    g->t1 = g->t0 + G_GINT64_CONSTANT (1000000000);
  g->t1 = MAX (g->t1, g->t0 + 1000);

  /* the scale: whole cores for CPU (the total passes 100%), MiB for memory */
  for (guint wi = 0; wi < n_workers; wi++)
    {
      const PsSampleRing *r = &ps_run_model_get_worker (model, wi)->samples;
      for (guint i = 0; i < r->len; i++)
        {
          double v = memory ? ps_sample_ring_get (r, i)->rss : ps_sample_ring_get (r, i)->cpu;
          if (!isnan (v))
            g->vmax = MAX (g->vmax, v);
        }
    }
  if (!memory)
    for (guint i = 0; i < total->len; i++)
      if (!isnan (ps_sample_ring_get (total, i)->cpu))
        g->vmax = MAX (g->vmax, ps_sample_ring_get (total, i)->cpu);
  if (memory)
    {
      double mib = g->vmax / (1024.0 * 1024), step = nice_step (mib / 4);
      g->vmax = MAX (ceil (mib / step - 0.001), 1) * step * 1024 * 1024;
      /* four grid lines, on round numbers */
      while (g->vmax / (step * 1024 * 1024) > 4.5)
        step *= 2;
      g->grid_step = step * 1024 * 1024;
    }
  else
    {
      g->vmax = ceil (g->vmax / 100.0 - 0.02) * 100;
      g->grid_step = g->vmax <= 400 ? 25 * (g->vmax / 100) : nice_step (g->vmax / 4);
    }

  /* room on the left for the widest value label */
  for (double v = 0; v <= g->vmax + g->grid_step / 100; v += g->grid_step)
    {
      format_value (v, memory, buf, sizeof buf);
      g->x0 = MAX (g->x0, PAD + text_width (small, buf) + 8);
    }
  return TRUE;
}

/* What a worker's legend entry shows: its memory, or its CPU as the
 * Progress table shows it (the latest sample while it runs, its CPU over
 * its life after; NAN before its second sample). */
static double
worker_value (PsRunModel         *model,
              const PsWorkerInfo *w,
              gboolean            memory)
{
  if (memory)
    return (double) w->rss;
  return ps_run_model_get_worker_cpu (model, w);
}

typedef struct
{
  PsRunModel *model;
  gboolean    memory;
} OrderData;

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      data)
{
  const OrderData *o = data;
  const PsWorkerInfo *wa = ps_run_model_get_worker (o->model, *(const guint *) a);
  const PsWorkerInfo *wb = ps_run_model_get_worker (o->model, *(const guint *) b);
  gboolean ended = ps_run_model_is_ended (o->model);
  double va = worker_value (o->model, wa, o->memory), vb = worker_value (o->model, wb, o->memory);

  /* while the run goes on, the workers that left come last */
  if (!ended && (wa->exited >= 0) != (wb->exited >= 0))
    return wa->exited >= 0 ? 1 : -1;
  /* no figure yet: after those with one */
  if (isnan (va) != isnan (vb))
    return isnan (va) ? 1 : -1;
  if (!isnan (va) && va != vb)
    return va > vb ? -1 : 1;
  return wa->row < wb->row ? -1 : wa->row > wb->row;
}

/* The rows of the workers, the busiest (or largest) first. */
static GArray *
series_order (PsRunModel *model,
              gboolean    memory)
{
  guint n = ps_run_model_get_n_workers (model);
  GArray *rows = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
  OrderData o = { model, memory };

  for (guint i = 0; i < n; i++)
    g_array_append_val (rows, i);
  g_qsort_with_data (rows->data, rows->len, sizeof (guint), compare_rows, &o);
  return rows;
}

/* The pool's total at the latest sample (the end of the total's line),
 * or once the run is over the sum of its workers' entries. */
static void
format_total (PsRunModel *model,
              gboolean    memory,
              char       *buf,
              gsize       len)
{
  const PsSampleRing *total = ps_run_model_get_total (model);
  const PsSampleRec *last = total->len ? ps_sample_ring_get (total, total->len - 1) : NULL;
  double value = last == NULL ? NAN : memory ? (double) last->rss : last->cpu;

  /* once the run is over, the sum of what its workers' entries show */
  if (!memory && ps_run_model_is_ended (model) && ps_run_model_get_n_workers (model) > 0)
    {
      value = 0;
      for (guint i = 0; i < ps_run_model_get_n_workers (model); i++)
        {
          double v = ps_run_model_get_worker_cpu (model, ps_run_model_get_worker (model, i));
          value += isnan (v) ? 0 : v;
        }
    }
  format_value (value, memory, buf, len);
}

/* The legend's first entry. */
static char *
series_total_text (PsRunModel *model,
                   gboolean    memory,
                   gboolean    with_cores)
{
  guint cores = ps_run_model_get_cores (model);
  char value[32];

  format_total (model, memory, value, sizeof value);
  if (!memory && with_cores && cores > 0)
    /* Translators: the CPU legend's first entry: the whole pool's CPU usage
     * in percent of one core ("190%"), then how many cores there are */
    return g_strdup_printf (ngettext ("Total %s (%u core)", "Total %s (%u cores)", cores),
                            value, cores);
  /* Translators: the legend's first entry: the whole pool's CPU usage
   * ("190%") or memory ("42 MiB") */
  return g_strdup_printf (_("Total %s"), value);
}

/* A worker as the legend and the description name it: "ForkPoolWorker-3 95%". */
static char *
series_worker_text (PsRunModel         *model,
                    const PsWorkerInfo *w,
                    gboolean            memory,
                    gsize               drop)
{
  g_autoptr(GString) name = g_string_new (NULL);
  char value[32];

  format_value (worker_value (model, w, memory), memory, value, sizeof value);
  short_name (w->name, drop, name);
  /* Translators: a worker in the CPU or Memory legend and description:
   * its name, then its latest CPU usage ("95%") or memory ("8.0 MiB") */
  return g_strdup_printf (_("%s %s"), name->str, value);
}

static char *
more_text (guint n)
{
  /* Translators: in the CPU or Memory legend, after the workers it shows:
   * how many more workers there are */
  return g_strdup_printf (ngettext ("+%u more", "+%u more", n), n);
}

typedef struct
{
  char               *text;
  const PsWorkerInfo *worker;   /* NULL: the total, or the workers left out */
  gboolean            swatch;
  double              x;
  double              max_w;    /* > 0: cut to this */
} LegendEntry;

static void
legend_entry_clear (gpointer data)
{
  g_free (((LegendEntry *) data)->text);
}

/* How many of the workers in @rows fit after @x, each with its name
 * shortened by @drop and with room kept for "+N more" after the last. */
static guint
legend_fit (PsRunModel  *model,
            gboolean     memory,
            PangoLayout *layout,
            GArray      *rows,
            gsize        drop,
            double       x,
            double       x_end,
            GArray      *out)
{
  guint n = rows->len, k = 0;

  for (; k < n; k++)
    {
      const PsWorkerInfo *w = ps_run_model_get_worker (model, g_array_index (rows, guint, k));
      g_autofree char *text = series_worker_text (model, w, memory, drop);
      g_autofree char *more = k + 1 < n ? more_text (n - k - 1) : NULL;
      double ew = SWATCH_W + text_width (layout, text);

      if (x + ew + (more ? LEGEND_GAP + text_width (layout, more) : 0) > x_end)
        break;
      if (out)
        {
          LegendEntry e = { g_steal_pointer (&text), w, TRUE, x, 0 };
          g_array_append_val (out, e);
        }
      x += ew + LEGEND_GAP;
    }
  return k;
}

/* The legend in one row from @x_start to @x_end: the total, then as many
 * workers as fit, the busiest first, then how many it leaves out. Full
 * names where they all fit, or where leaving out the start that all names
 * share (a word at a time) would not make them all fit either; never a
 * name cut at its end, where workers differ. */
static void
series_legend (PsRunModel  *model,
               gboolean     memory,
               PangoLayout *layout,
               double       x_start,
               double       x_end,
               GArray      *out)
{
  g_autoptr(GArray) rows = series_order (model, memory);
  g_autoptr(GArray) cuts = name_cuts (model);
  g_autofree char *all = rows->len ? more_text (rows->len) : NULL;
  double all_w = all ? LEGEND_GAP + text_width (layout, all) : 0;
  /* memory has no total line: no swatch for it */
  LegendEntry total = { series_total_text (model, memory, TRUE), NULL, !memory, x_start, 0 };
  double x;
  gsize drop = 0;
  guint shown;

  /* too narrow for the cores: the total alone, and room for "+N more" */
  if ((total.swatch ? SWATCH_W : 0) + text_width (layout, total.text) + all_w > x_end - x_start)
    {
      g_free (total.text);
      total.text = series_total_text (model, memory, FALSE);
      total.max_w = MAX (x_end - x_start - (total.swatch ? SWATCH_W : 0) - all_w, 20);
    }
  g_array_append_val (out, total);
  x = x_start + (total.swatch ? SWATCH_W : 0) + text_width (layout, total.text) + LEGEND_GAP;
  if (total.max_w > 0)
    x = MIN (x, x_start + (total.swatch ? SWATCH_W : 0) + total.max_w + LEGEND_GAP);

  shown = legend_fit (model, memory, layout, rows, 0, x, x_end, NULL);
  if (shown < rows->len)
    {
      guint c;

      for (c = 0; c < cuts->len; c++)
        {
          gsize cut = g_array_index (cuts, gsize, c);

          if (legend_fit (model, memory, layout, rows, cut, x, x_end, NULL) == rows->len)
            break;
        }
      if (c < cuts->len)
        drop = g_array_index (cuts, gsize, c);
      else if (shown == 0 && cuts->len > 0)
        drop = g_array_index (cuts, gsize, cuts->len - 1);
    }
  shown = legend_fit (model, memory, layout, rows, drop, x, x_end, out);
  if (shown < rows->len)
    {
      const LegendEntry *prev = &g_array_index (out, LegendEntry, out->len - 1);
      LegendEntry more = { more_text (rows->len - shown), NULL, FALSE, x, 0 };

      if (out->len > 1)
        more.x = prev->x + SWATCH_W + text_width (layout, prev->text) + LEGEND_GAP;
      g_array_append_val (out, more);
    }
}

GPtrArray *
ps_run_legend_entries (PsRunViewKind      kind,
                       PsRunModel        *model,
                       const PsDrawStyle *style,
                       int                width,
                       int                height)
{
  PsDrawStyle fallback = { { 0, 0, 0, 1 }, FALSE, NULL, NULL, NULL };
  cairo_surface_t *surface;
  cairo_t *cr;
  PangoLayout *small;
  SeriesGeom g;
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (LegendEntry));

  g_return_val_if_fail (PS_IS_RUN_MODEL (model), NULL);
  g_return_val_if_fail (kind == PS_RUN_VIEW_CPU || kind == PS_RUN_VIEW_MEMORY, NULL);

  g_array_set_clear_func (entries, legend_entry_clear);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cr = cairo_create (surface);
  small = make_layout (cr, style ? style : &fallback, 0.85, FALSE);
  if (series_geom (model, kind == PS_RUN_VIEW_MEMORY, small, width, height, &g))
    series_legend (model, kind == PS_RUN_VIEW_MEMORY, small, g.x0 + 4, g.x1, entries);
  for (guint i = 0; i < entries->len; i++)
    g_ptr_array_add (texts, g_strdup (g_array_index (entries, LegendEntry, i).text));
  g_object_unref (small);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return texts;
}

static void
draw_series (PsRunModel        *model,
             cairo_t           *cr,
             int                width,
             int                height,
             const PsDrawStyle *style,
             gboolean           memory)
{
  g_autoptr(PangoLayout) small = make_layout (cr, style, 0.85, FALSE);
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (LegendEntry));
  const PsSampleRing *total = ps_run_model_get_total (model);
  guint n_workers = ps_run_model_get_n_workers (model);
  SeriesGeom g;
  char buf[32];

  if (!series_geom (model, memory, small, width, height, &g))
    {
      draw_message (cr, style, width, height,
                    !ps_run_model_has_run (model) ? (memory ? _("Memory of each worker (RSS) appears here during a run")
                                                           : _("CPU usage of each worker appears here during a run"))
                    : ps_run_model_is_ended (model) ? _("The run ended before the first sample")
                    : _("Waiting for the first sample…"));
      return;
    }

  draw_time_axis (cr, style, small, g.x0, g.x1, 0, g.y1, g.t0, g.t1);
  for (double v = 0; v <= g.vmax + g.grid_step / 100; v += g.grid_step)
    {
      double y = g.y1 - (g.y1 - g.y0) * v / g.vmax;

      set_rgba (cr, &style->fg, v == 0 ? 0.3 : 0.1);
      cairo_rectangle (cr, g.x0, round (y), g.x1 - g.x0, 1);
      cairo_fill (cr);
      if (memory && v == 0)
        g_strlcpy (buf, "0", sizeof buf);
      else
        format_value (v, memory, buf, sizeof buf);
      set_rgba (cr, &style->fg, 0.6);
      draw_text (cr, small, buf, g.x0 - 6, y - 7, 1, 0);
    }

  cairo_save (cr);
  cairo_rectangle (cr, g.x0, g.y0 - 2, g.x1 - g.x0, g.y1 - g.y0 + 4);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint wi = 0; wi <= n_workers; wi++)
    {
      /* the total last, on top; memory has none: it would flatten the workers */
      gboolean is_total = wi == n_workers;
      const PsSampleRing *r = is_total ? total : &ps_run_model_get_worker (model, wi)->samples;
      double last_x = -1, last_y = 0;
      guint points = 0;
      PsRGBA c;

      if (is_total && memory)
        break;
      if (is_total)
        c = style->fg;
      else
        series_color (ps_run_model_get_worker (model, wi)->id - 1, style->dark, &c);

      for (guint i = 0; i < r->len; i++)
        {
          const PsSampleRec *s = ps_sample_ring_get (r, i);
          double x = g.x0 + (double) (s->t - g.t0) / (g.t1 - g.t0) * (g.x1 - g.x0);
          double v = memory ? s->rss : s->cpu;
          double y = g.y1 - (g.y1 - g.y0) * v / g.vmax;

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

  /* the legend: the total, the busiest workers by colour, how many more */
  g_array_set_clear_func (entries, legend_entry_clear);
  series_legend (model, memory, small, g.x0 + 4, g.x1, entries);
  for (guint i = 0; i < entries->len; i++)
    {
      const LegendEntry *e = &g_array_index (entries, LegendEntry, i);
      double tx = e->x;

      if (e->swatch)
        {
          PsRGBA c;

          if (e->worker != NULL)
            series_color (e->worker->id - 1, style->dark, &c);
          else
            c = style->fg;
          set_rgba (cr, &c, 1);
          cairo_rectangle (cr, e->x, g.y1 + 8, 12, e->worker ? 3 : 4);
          cairo_fill (cr);
          tx += SWATCH_W;
        }
      set_rgba (cr, &style->fg, e->worker != NULL || i == 0 ? 0.75 : 0.55);
      draw_text (cr, small, e->text, tx, g.y1 + 2, 0, e->max_w);
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
  PsRGBA accent;

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
      PsRGBA c;

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
  /* below the square: its axis name, then how many kept their place */
  double side = MIN (width - 40 - PAD, height - 22 - 44);
  double x0 = 40, y0 = 22, dot;
  PsRGBA accent;
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
      PsRGBA c = accent;
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
  draw_text (cr, small, buf, x0, y0 + side + 22, 0, width - x0 - PAD);
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

/* ", 2 errors": a count of tasks that ended with @status. */
void
ps_append_status_count (GString      *out,
                     PsTaskStatus  status,
                     guint64       n)
{
  gulong k = (gulong) MIN (n, G_MAXULONG);

  switch (status)
    {
    case PS_TASK_ERROR:
      /* Translators: tasks that raised an error, after "12 of 20 tasks done" */
      g_string_append_printf (out, ngettext (", %" PRIu64 " error", ", %" PRIu64 " errors", k), n);
      break;
    case PS_TASK_CRASHED:
      /* Translators: tasks whose worker died, after "12 of 20 tasks done" */
      g_string_append_printf (out, ngettext (", %" PRIu64 " crashed",
                                             ", %" PRIu64 " crashed", k), n);
      break;
    case PS_TASK_TIMEOUT:
      /* Translators: tasks that ran out of time, after "12 of 20 tasks done" */
      g_string_append_printf (out, ngettext (", %" PRIu64 " timeout",
                                             ", %" PRIu64 " timeouts", k), n);
      break;
    case PS_TASK_CANCELLED:
      /* Translators: tasks stopped or never run, after "12 of 20 tasks done" */
      g_string_append_printf (out, ngettext (", %" PRIu64 " cancelled",
                                             ", %" PRIu64 " cancelled", k), n);
      break;
    default:
      g_string_append_printf (out, ", %" PRIu64 " %s", n, ps_task_status_to_string (status));
      break;
    }
}

/* The total and the busiest (or largest) workers, with the numbers the
 * legend shows, and how many are not named. */
static void
describe_series (PsRunModel *model,
                 gboolean    memory,
                 GString    *out)
{
  g_autoptr(GArray) rows = series_order (model, memory);
  guint cores = ps_run_model_get_cores (model);
  guint named = MIN (rows->len, DESCRIBED_MAX);
  char value[32];

  format_total (model, memory, value, sizeof value);
  if (memory)
    /* Translators: the Memory view's description; %s is the pool's total
     * resident memory at the latest sample, e.g. "42 MiB" */
    g_string_append_printf (out, _("Memory (RSS), latest sample: total %s"), value);
  else if (ps_run_model_is_ended (model) && cores > 0)
    /* Translators: the CPU view's description once the run is over; %s is
     * the pool's mean CPU usage in percent of one core ("190%"), %u the cores */
    g_string_append_printf (out, ngettext ("CPU usage over the run: total %s on %u core",
                                           "CPU usage over the run: total %s on %u cores", cores),
                            value, cores);
  else if (cores > 0)
    /* Translators: the CPU view's description; %s is the pool's CPU usage
     * at the latest sample in percent of one core ("190%"), %u the cores */
    g_string_append_printf (out, ngettext ("CPU usage, latest sample: total %s on %u core",
                                           "CPU usage, latest sample: total %s on %u cores", cores),
                            value, cores);
  else if (ps_run_model_is_ended (model))
    /* Translators: the CPU view's description once the run is over; %s is
     * the pool's mean CPU usage in percent of one core ("190%") */
    g_string_append_printf (out, _("CPU usage over the run: total %s"), value);
  else
    /* Translators: the CPU view's description; %s is the pool's CPU usage
     * at the latest sample in percent of one core ("190%") */
    g_string_append_printf (out, _("CPU usage, latest sample: total %s"), value);

  for (guint i = 0; i < named; i++)
    {
      const PsWorkerInfo *w = ps_run_model_get_worker (model, g_array_index (rows, guint, i));
      /* Translators: in the CPU view's description, a worker sampled once:
       * it has no CPU figure yet */
      g_autofree char *text = isnan (worker_value (model, w, memory))
                              ? g_strdup_printf (_("%s not measured yet"), w->name)
                              : series_worker_text (model, w, memory, 0);

      if (i == 0)
        /* Translators: in the CPU view's description, before the workers
         * named, the busiest first */
        g_string_append (out, memory ? _("; largest: ") : _("; busiest: "));
      else
        g_string_append (out, ", ");
      g_string_append (out, text);
    }
  if (rows->len > named)
    /* Translators: in the CPU or Memory description, after the workers named */
    g_string_append_printf (out, ngettext ("; %u more worker", "; %u more workers",
                                           rows->len - named), rows->len - named);
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
        guint64 retried = ps_run_model_get_n_retried (model);

        /* Translators: the progress; the count is the total number of tasks */
        g_string_append_printf (out, ngettext ("%" PRIu64 " of %" PRIu64 " task done",
                                               "%" PRIu64 " of %" PRIu64 " tasks done",
                                               (gulong) MIN (n, G_MAXULONG)), done, n);
        if (rate >= 0.95)
          /* Translators: the rate of the run so far, "12 tasks a second" */
          g_string_append_printf (out, ngettext (", %.0f task a second", ", %.0f tasks a second",
                                                 (gulong) MIN (round (rate), G_MAXULONG)), rate);
        else if (rate > 0)
          {
            format_duration ((gint64) (1e9 / rate), dur, sizeof dur);
            /* Translators: the rate of a slow run so far: ", a task every 2 min 05 s" */
            g_string_append_printf (out, _(", a task every %s"), dur);
          }
        if (!ps_run_model_is_ended (model) && rate > 0 && done < n)
          {
            format_duration ((gint64) ((n - done) / rate * 1e9), dur, sizeof dur);
            /* Translators: time left at the rate so far: ", about 3 s left" */
            g_string_append_printf (out, _(", about %s left"), dur);
          }
        for (PsTaskStatus s = PS_TASK_ERROR; s <= PS_TASK_CANCELLED; s++)
          if (ps_run_model_get_n_status (model, s) > 0)
            ps_append_status_count (out, s, ps_run_model_get_n_status (model, s));
        if (retried > 0)
          /* Translators: tasks that were tried again after a failure */
          g_string_append_printf (out, ngettext (", %" PRIu64 " retried", ", %" PRIu64 " retried",
                                                 (gulong) MIN (retried, G_MAXULONG)), retried);
        g_string_append_c (out, '\n');
        for (guint i = 0; i < n_workers; i++)
          {
            const PsWorkerInfo *w = ps_run_model_get_worker (model, i);

            /* Translators: a worker's line: its name, its pid, the tasks it did */
            g_string_append_printf (out, ngettext ("%s, pid %d: %" PRIu64 " task done",
                                                   "%s, pid %d: %" PRIu64 " tasks done",
                                                   (gulong) MIN (w->ok, G_MAXULONG)),
                                    w->name, w->pid, w->ok);
            if (w->failed)
              /* Translators: tasks and attempts of a worker that did not end well */
              g_string_append_printf (out, ngettext (", %" PRIu64 " failed", ", %" PRIu64 " failed",
                                                     (gulong) MIN (w->failed, G_MAXULONG)),
                                      w->failed);
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
      /* Translators: the timeline's description, before the list of its
       * lanes; %s is the run's duration, "510 ms" */
      g_string_append_printf (out, ngettext ("%u worker lane over %s: ", "%u worker lanes over %s: ",
                                             n_workers), n_workers, dur);
      for (guint i = 0; i < n_workers; i++)
        {
          const PsWorkerInfo *w = ps_run_model_get_worker (model, i);

          if (i > 0)
            g_string_append (out, ", ");
          /* Translators: a lane of the timeline: the worker's name, its pid
           * and how many tasks it ended */
          g_string_append_printf (out, ngettext ("%s (pid %d, %" PRIu64 " task)",
                                                 "%s (pid %d, %" PRIu64 " tasks)",
                                                 (gulong) MIN (w->done, G_MAXULONG)),
                                  w->name, w->pid, w->done);
        }
      break;

    case PS_RUN_VIEW_CPU:
    case PS_RUN_VIEW_MEMORY:
      describe_series (model, kind == PS_RUN_VIEW_MEMORY, out);
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
        /* Translators: the ordering view's description; the count is the
         * number of finished tasks */
        g_string_append_printf (out, ngettext ("%" PRIu64 " of %" PRIu64 " finished task was "
                                               "overtaken by a task submitted after it",
                                               "%" PRIu64 " of %" PRIu64 " finished tasks were "
                                               "overtaken by a task submitted after them",
                                               (gulong) MIN (n_done, G_MAXULONG)),
                                overtaken, n_done);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

/* ---- the kit, for the other charts (ps-sweep-draw.c) --------------------- */

PangoLayout *
ps_draw_make_layout (cairo_t           *cr,
                     const PsDrawStyle *style,
                     double             scale,
                     gboolean           bold)
{
  return make_layout (cr, style, scale, bold);
}

void
ps_draw_text (cairo_t     *cr,
              PangoLayout *layout,
              const char  *text,
              double       x,
              double       y,
              double       align,
              double       max_width)
{
  draw_text (cr, layout, text, x, y, align, max_width);
}

int
ps_draw_text_width (PangoLayout *layout,
                    const char  *text)
{
  return text_width (layout, text);
}

void
ps_draw_message (cairo_t           *cr,
                 const PsDrawStyle *style,
                 int                width,
                 int                height,
                 const char        *text)
{
  draw_message (cr, style, width, height, text);
}

void
ps_draw_set_rgba (cairo_t       *cr,
                  const PsRGBA *color,
                  double         alpha)
{
  set_rgba (cr, color, alpha);
}

void
ps_draw_series_color (guint     index,
                      gboolean  dark,
                      PsRGBA  *out)
{
  series_color (index, dark, out);
}

double
ps_draw_nice_step (double min_step)
{
  return nice_step (min_step);
}
