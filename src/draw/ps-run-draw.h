/* ps-run-draw.h: the views of a run drawn with cairo, pure functions of a
 * PsRunModel and a size: the widgets, the tests and exports call them
 * without a display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <graphene.h>
#include <pango/pangocairo.h>

#include "ps-run-model.h"

G_BEGIN_DECLS

typedef enum
{
  PS_RUN_VIEW_TIMELINE,
  PS_RUN_VIEW_CPU,
  PS_RUN_VIEW_MEMORY,
  PS_RUN_VIEW_PROGRESS,
  PS_RUN_VIEW_ORDERING,
} PsRunViewKind;

/* Laid-out texts a view drew in its last frame, to draw again unshaped. */
typedef struct _PsTextCache PsTextCache;

PsTextCache   *ps_text_cache_new         (void);
void           ps_text_cache_free        (PsTextCache  *cache);
void           ps_text_cache_begin_frame (PsTextCache  *cache,
                                          PangoContext *context);
guint          ps_text_cache_get_size    (PsTextCache  *cache);

/* A colour, as GdkRGBA lays one out: the drawing needs no GTK. */
typedef struct
{
  float red;
  float green;
  float blue;
  float alpha;
} PsRGBA;

/* Colours and font of a drawing: from the widget's style, or fixed in tests. */
typedef struct
{
  PsRGBA                     fg;
  gboolean                    dark;
  const PangoFontDescription *font;   /* NULL: the cairo default */
  PangoContext               *pango;  /* the widget's, shared by every layout; NULL: one per layout */
  PsTextCache                *texts;  /* NULL: every text is laid out anew */
} PsDrawStyle;

/* Pure drawing, for the widget and for tests without a display. */
void           ps_run_draw              (PsRunViewKind      kind,
                                         PsRunModel        *model,
                                         cairo_t           *cr,
                                         int                width,
                                         int                height,
                                         const PsDrawStyle *style);
void           ps_run_describe          (PsRunViewKind      kind,
                                         PsRunModel        *model,
                                         GString           *out);
char          *ps_run_timeline_tooltip  (PsRunModel        *model,
                                         int                width,
                                         int                height,
                                         double             x,
                                         double             y);
gboolean       ps_run_timeline_task_rect (PsRunModel      *model,
                                         int              width,
                                         int              height,
                                         guint64          task,
                                         graphene_rect_t *out);
int            ps_run_progress_height   (PsRunModel        *model);

/* The height at which every lane is tall enough for its label: the
 * timeline's natural height, for a widget that scrolls. */
int            ps_run_timeline_natural_height (PsRunModel *model);

/* What the timeline draws as lane @row's label at that size ("name pid",
 * or the name and "pid N" on two lines, or a shortened name), and where
 * (@rect may be NULL); NULL when that lane's label is left out because
 * lanes are thinner than a label. @style NULL: the style of the last
 * drawing at that size, else the default font. */
char          *ps_run_timeline_lane_label (PsRunModel        *model,
                                           const PsDrawStyle *style,
                                           int                width,
                                           int                height,
                                           guint              row,
                                           graphene_rect_t   *rect);

/* The texts of the CPU or Memory legend as drawn at that size: the total,
 * the workers that fit (the busiest first), then "+N more" when some do
 * not. @style NULL: the default font. */
GPtrArray     *ps_run_legend_entries    (PsRunViewKind      kind,
                                         PsRunModel        *model,
                                         const PsDrawStyle *style,
                                         int                width,
                                         int                height);
void           ps_status_color          (guint              status,
                                         gboolean           dark,
                                         PsRGBA           *out);

/* Tasks finished a second over the run, with its resizes (ps-throughput-draw.c). */
void           ps_run_draw_throughput   (PsRunModel        *model,
                                         cairo_t           *cr,
                                         int                width,
                                         int                height,
                                         const PsDrawStyle *style);
void           ps_run_describe_throughput (PsRunModel      *model,
                                         GString           *out);

/* ", 2 crashed", ", 1 timeout": a status count after a count of tasks, translated */
void           ps_append_status_count   (GString           *out,
                                         PsTaskStatus       status,
                                         guint64            n);

/* The drawing kit the other charts share (the sweep's): layouts on the
 * widget's context and its text cache, colours of the palette. */
PangoLayout   *ps_draw_make_layout      (cairo_t           *cr,
                                         const PsDrawStyle *style,
                                         double             scale,
                                         gboolean           bold);
void           ps_draw_text             (cairo_t           *cr,
                                         PangoLayout       *layout,
                                         const char        *text,
                                         double             x,
                                         double             y,
                                         double             align,
                                         double             max_width);
int            ps_draw_text_width       (PangoLayout       *layout,
                                         const char        *text);
void           ps_draw_message          (cairo_t           *cr,
                                         const PsDrawStyle *style,
                                         int                width,
                                         int                height,
                                         const char        *text);
void           ps_draw_set_rgba         (cairo_t           *cr,
                                         const PsRGBA     *color,
                                         double             alpha);
void           ps_draw_series_color     (guint              index,
                                         gboolean           dark,
                                         PsRGBA           *out);
double         ps_draw_nice_step        (double             min_step);

G_END_DECLS
