/* ps-batch-form.h: the batch and its pool, as a form that never blocks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ps-run-model.h"
#include "ps-spec.h"

G_BEGIN_DECLS

/* The fields a check can find wrong; the codes of PS_BATCH_FORM_ERROR. */
typedef enum
{
  PS_BATCH_FIELD_ITEMS,
  PS_BATCH_FIELD_WORKLOAD,
  PS_BATCH_FIELD_CHUNKSIZE,
  PS_BATCH_FIELD_HOSTS,
  PS_BATCH_FIELD_N,
} PsBatchField;

#define PS_BATCH_FORM_ERROR (ps_batch_form_error_quark ())
GQuark ps_batch_form_error_quark (void);

#define PS_TYPE_BATCH_FORM (ps_batch_form_get_type ())

G_DECLARE_FINAL_TYPE (PsBatchForm, ps_batch_form, PS, BATCH_FORM, GtkWidget)

PsSpec       *ps_batch_form_dup_spec      (PsBatchForm *self);
void          ps_batch_form_commit        (PsBatchForm *self);
gboolean      ps_batch_form_is_checking   (PsBatchForm *self);
gboolean      ps_batch_form_is_valid      (PsBatchForm *self);
const GError *ps_batch_form_get_error     (PsBatchForm *self,
                                           PsBatchField field);
void          ps_batch_form_set_running   (PsBatchForm *self,
                                           guint        pool_size);
void          ps_batch_form_set_preset    (PsBatchForm *self,
                                           const char  *name);
void          ps_batch_form_set_items     (PsBatchForm *self,
                                           const char  *items);
void          ps_batch_form_set_workload  (PsBatchForm *self,
                                           const char  *workload);
void          ps_batch_form_set_workers   (PsBatchForm *self,
                                           guint        workers);
void          ps_batch_form_set_chunksize (PsBatchForm *self,
                                           const char  *chunksize);
void          ps_batch_form_set_hosts     (PsBatchForm *self,
                                           const char  *hosts);
void          ps_batch_form_fill_from_run (PsBatchForm *self,
                                           PsRunModel  *model);
void          ps_batch_form_save          (PsBatchForm *self);

G_END_DECLS
