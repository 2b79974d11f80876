/* ps-chart-image.c: a chart drawn into a PNG, SVG or PDF file
 *
 * The views' own pure drawing (ps_run_draw(), ps_sweep_draw()) onto a
 * cairo surface of the file's kind, on white, in the light style: what
 * the app's Export… and `poolscope-run export --chart` write.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ps-chart-image.h"
#include "ps-error.h"

gboolean
ps_chart_image_type_is_known (const char *type)
{
  return g_strcmp0 (type, "png") == 0 || g_strcmp0 (type, "svg") == 0 || g_strcmp0 (type, "pdf") == 0;
}

static cairo_status_t
write_stream (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  return fwrite (data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/**
 * ps_chart_image_write:
 * @path: the file to write; "-": stdout
 * @type: png, svg or pdf
 *
 * Returns: %FALSE with @error saying why the file could not be written
 */
gboolean
ps_chart_image_write (const char      *path,
                      const char      *type,
                      int              width,
                      int              height,
                      PsChartDrawFunc  draw,
                      gpointer         data,
                      GError         **error)
{
  gboolean to_stdout = g_strcmp0 (path, "-") == 0;
  g_autofree char *tmp = NULL;
  g_autofree char *shown = g_filename_display_name (path);
  GStatBuf st;
  PsDrawStyle style = { { 0.f, 0.f, 0.f, 0.8f }, FALSE, NULL, NULL, NULL };
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  FILE *f;
  int saved = 0;

  g_return_val_if_fail (ps_chart_image_type_is_known (type), FALSE);
  g_return_val_if_fail (width > 0 && height > 0, FALSE);

  /* a file of its own beside @path, which takes @path's name once whole:
   * a failed drawing leaves what was there */
  if (!to_stdout && g_stat (path, &st) == 0 && !S_ISREG (st.st_mode))
    f = g_fopen (path, "wb");   /* a device or a FIFO, written as it is */
  else if (!to_stdout)
    {
      mode_t mask = umask (0);
      int fd;

      umask (mask);
      tmp = g_strdup_printf ("%s.XXXXXX", path);
      fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0666 & ~mask);
      if (fd >= 0)
        fchmod (fd, 0666 & ~mask);
      f = fd >= 0 ? fdopen (fd, "wb") : NULL;
    }
  else
    f = stdout;
  if (f == NULL)
    {
      saved = errno;
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT, _("cannot write “%s”: %s"), shown, g_strerror (saved));
      return FALSE;
    }
  if (g_str_equal (type, "svg"))
    surface = cairo_svg_surface_create_for_stream (write_stream, f, width, height);
  else if (g_str_equal (type, "pdf"))
    surface = cairo_pdf_surface_create_for_stream (write_stream, f, width, height);
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  draw (cr, width, height, &style, data);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  if (g_str_equal (type, "png"))
    status = cairo_surface_write_to_png_stream (surface, write_stream, f);
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);
  if (fflush (f) != 0 && status == CAIRO_STATUS_SUCCESS)
    {
      saved = errno;
      status = CAIRO_STATUS_WRITE_ERROR;
    }
  if (!to_stdout && fclose (f) != 0 && status == CAIRO_STATUS_SUCCESS)
    {
      saved = errno;
      status = CAIRO_STATUS_WRITE_ERROR;
    }
  if (status == CAIRO_STATUS_SUCCESS && tmp && g_rename (tmp, path) != 0)
    {
      saved = errno;
      status = CAIRO_STATUS_WRITE_ERROR;
    }
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT, _("cannot write “%s”: %s"), shown,
                   status == CAIRO_STATUS_WRITE_ERROR && saved ? g_strerror (saved) : cairo_status_to_string (status));
      if (tmp)
        g_unlink (tmp);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  const char *name;
  int         kind;
} ChartName;

static const ChartName run_charts[] = {
  { "timeline", PS_RUN_VIEW_TIMELINE },
  { "cpu", PS_RUN_VIEW_CPU },
  { "memory", PS_RUN_VIEW_MEMORY },
  { "ordering", PS_RUN_VIEW_ORDERING },
  { "progress", PS_RUN_VIEW_PROGRESS },
};

static const ChartName sweep_charts[] = {
  { "speedup", PS_SWEEP_CHART_SPEEDUP },
  { "efficiency", PS_SWEEP_CHART_EFFICIENCY },
  { "wall", PS_SWEEP_CHART_WALL },
  { "throughput", PS_SWEEP_CHART_THROUGHPUT },
};

static gboolean
chart_from_name (const ChartName *charts,
                 guint            n_charts,
                 const char      *name,
                 int             *kind)
{
  for (guint i = 0; i < n_charts; i++)
    if (g_strcmp0 (name, charts[i].name) == 0)
      {
        *kind = charts[i].kind;
        return TRUE;
      }
  return FALSE;
}

gboolean
ps_chart_run_kind_from_name (const char    *name,
                             PsRunViewKind *kind)
{
  int k;

  if (!chart_from_name (run_charts, G_N_ELEMENTS (run_charts), name, &k))
    return FALSE;
  *kind = k;
  return TRUE;
}

gboolean
ps_chart_sweep_kind_from_name (const char       *name,
                               PsSweepChartKind *kind)
{
  int k;

  if (!chart_from_name (sweep_charts, G_N_ELEMENTS (sweep_charts), name, &k))
    return FALSE;
  *kind = k;
  return TRUE;
}

typedef struct
{
  PsRunViewKind kind;
  PsRunModel   *model;
} RunChart;

static void
draw_run (cairo_t           *cr,
          int                width,
          int                height,
          const PsDrawStyle *style,
          gpointer           data)
{
  RunChart *c = data;

  ps_run_draw (c->kind, c->model, cr, width, height, style);
}

/**
 * ps_chart_image_write_run:
 * @width: 0 for PS_CHART_IMAGE_WIDTH
 * @height: 0 for the chart's own: a timeline as tall as its lanes
 */
gboolean
ps_chart_image_write_run (const char     *path,
                          const char     *type,
                          PsRunViewKind   kind,
                          PsRunModel     *model,
                          int             width,
                          int             height,
                          GError        **error)
{
  RunChart c = { kind, model };

  if (width <= 0)
    width = PS_CHART_IMAGE_WIDTH;
  if (height <= 0)
    height = kind == PS_RUN_VIEW_TIMELINE ? CLAMP (ps_run_timeline_natural_height (model), 320, PS_CHART_IMAGE_MAX)
                                          : PS_CHART_IMAGE_HEIGHT;
  return ps_chart_image_write (path, type, width, height, draw_run, &c, error);
}

typedef struct
{
  PsSweepChartKind kind;
  PsSweep         *sweep;
} SweepChart;

static void
draw_sweep (cairo_t           *cr,
            int                width,
            int                height,
            const PsDrawStyle *style,
            gpointer           data)
{
  SweepChart *c = data;

  ps_sweep_draw (c->kind, c->sweep, cr, width, height, style);
}

gboolean
ps_chart_image_write_sweep (const char       *path,
                            const char       *type,
                            PsSweepChartKind  kind,
                            PsSweep          *sweep,
                            int               width,
                            int               height,
                            GError          **error)
{
  SweepChart c = { kind, sweep };

  return ps_chart_image_write (path, type, width > 0 ? width : PS_CHART_IMAGE_WIDTH,
                               height > 0 ? height : PS_CHART_IMAGE_HEIGHT, draw_sweep, &c, error);
}
