/* ps-window-private.h: what ps-window.c and ps-window-actions.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ps-batch-form.h"
#include "ps-frame-stats.h"
#include "ps-history-page.h"
#include "ps-live-page.h"
#include "ps-run-session.h"
#include "ps-sizing-page.h"
#include "ps-sweep-runner.h"
#include "ps-window.h"

G_BEGIN_DECLS

struct _PsWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwFlap              *flap;
  PsBatchForm          *batch_form;
  GtkLabel             *status_label;
  GtkWidget            *run_button;
  GtkWidget            *stop_button;
  GtkWidget            *sweep_button;
  PsSizingPage         *sizing_page;
  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *view_stack;
  PsLivePage           *live_page;
  PsHistoryPage        *history_page;
  guint                 images_drawing; /* chart exports drawing the model in a thread */

  GSettings            *settings;
  PsRunSession         *session;
  PsSweepRunner        *runner;
  PsSweep              *sweep;          /* the last sweep, shown on the Sizing page */
  GCancellable         *opening;        /* a log being opened */
  GtkRevealer          *opening_revealer; /* its progress, past half a second */
  GtkLabel             *opening_label;
  GtkProgressBar       *opening_progress;
  guint                 opening_id;     /* the timeout that shows and moves it */
  gint64                opening_since;
  gboolean              run_when_checked; /* Run was pressed while the form was checked */
  gboolean              sweep_when_checked; /* Sweep was */

  guint64               rendered_serial;
  gint64                rendered_at;    /* frame time of the last render */
  gint64                texts_at;       /* when the numbers on screen were last made */
  guint                 tick_id;
  AdwToast             *death_toast;    /* the one toast that counts deaths */
  guint                 deaths;
  PsFrameStats         *frame_stats;    /* POOLSCOPE_FRAME_STATS only */
  gboolean              narrow;
  guint                 narrow_id;
};

void      ps_window_class_add_actions (GtkWidgetClass *widget_class);
void      ps_window_update_actions    (PsWindow       *self);
void      ps_window_start_run         (PsWindow       *self);
void      ps_window_export_to         (PsWindow       *self,
                                       GFile          *file,
                                       const char     *format);
void      ps_window_start_sweep       (PsWindow       *self);
PsSweep  *ps_window_sweep_to_export   (PsWindow       *self);
const char *ps_window_log_to_export   (PsWindow       *self,
                                       gboolean       *sweep);
void      ps_window_render            (PsWindow       *self);
AdwToast *ps_window_add_text_toast    (PsWindow       *self,
                                       const char     *text,
                                       guint           timeout);

G_END_DECLS
