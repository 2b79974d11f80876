/* ps-frame.c: length-prefixed binary frames between processes
 *
 * A frame is an 8-byte header — payload length (u32, little endian), type
 * (u8), protocol version (u8), two zero bytes — and the payload. Integers
 * are little endian; a string is its length (u32), its bytes and a NUL, so
 * that a reader can hand out pointers into the buffer. The decoder trusts
 * nothing: a length over PS_FRAME_MAX_PAYLOAD, an unknown type or version,
 * non-zero reserved bytes, and a payload read past its end are errors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ps-frame"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ps-error.h"
#include "ps-frame.h"

static gboolean
type_is_known (guint8 type)
{
  switch (type)
    {
    case PS_FRAME_SETUP:
    case PS_FRAME_CHUNK:
    case PS_FRAME_CLOSE:
    case PS_FRAME_PING:
    case PS_FRAME_SAMPLE:
    case PS_FRAME_EXIT:
    case PS_FRAME_READY:
    case PS_FRAME_TASK_START:
    case PS_FRAME_TASK_END:
    case PS_FRAME_OUTPUT:
    case PS_FRAME_TASK_RUN:
    case PS_FRAME_TASK_CHILD:
    case PS_FRAME_HELLO:
    case PS_FRAME_RUN:
    case PS_FRAME_CANCEL:
    case PS_FRAME_EVENT:
    case PS_FRAME_ERROR:
    case PS_FRAME_EVENT_TASKS:
    case PS_FRAME_RESIZE:
      return TRUE;
    default:
      return FALSE;
    }
}

/**
 * ps_frame_decode:
 * @buf: received bytes
 * @len: how many
 * @frame: (out): the frame, pointing into @buf
 * @consumed: (out): the bytes the frame took
 *
 * Returns: %PS_DECODE_OK with @frame set, %PS_DECODE_NEED_MORE when @buf
 *   holds only part of a frame, or %PS_DECODE_ERROR with @error set
 */
PsDecodeResult
ps_frame_decode (const guint8  *buf,
                 gsize          len,
                 PsFrame       *frame,
                 gsize         *consumed,
                 GError       **error)
{
  guint32 plen;

  if (len < PS_FRAME_HEADER_SIZE)
    return PS_DECODE_NEED_MORE;

  memcpy (&plen, buf, 4);
  plen = GUINT32_FROM_LE (plen);

  if (buf[5] != PS_PROTOCOL_VERSION)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL,
                   _("frame of protocol version %u, expected %u"), buf[5], PS_PROTOCOL_VERSION);
      return PS_DECODE_ERROR;
    }
  if (buf[6] != 0 || buf[7] != 0)
    {
      g_set_error_literal (error, PS_ERROR, PS_ERROR_PROTOCOL, _("corrupt frame header"));
      return PS_DECODE_ERROR;
    }
  if (!type_is_known (buf[4]))
    {
      g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL, _("unknown frame type %u"), buf[4]);
      return PS_DECODE_ERROR;
    }
  if (plen > PS_FRAME_MAX_PAYLOAD)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL,
                   _("frame of %u bytes is larger than the limit of %u"), plen, PS_FRAME_MAX_PAYLOAD);
      return PS_DECODE_ERROR;
    }
  if (len - PS_FRAME_HEADER_SIZE < plen)
    return PS_DECODE_NEED_MORE;

  frame->type = buf[4];
  frame->len = plen;
  frame->payload = buf + PS_FRAME_HEADER_SIZE;
  *consumed = PS_FRAME_HEADER_SIZE + (gsize) plen;
  return PS_DECODE_OK;
}

void
ps_buffer_init (PsBuffer *self)
{
  self->data = NULL;
  self->len = 0;
  self->cap = 0;
}

void
ps_buffer_clear (PsBuffer *self)
{
  g_clear_pointer (&self->data, g_free);
  self->len = self->cap = 0;
}

void
ps_buffer_grow (PsBuffer *self,
                gsize     extra)
{
  gsize need = self->len + extra;
  gsize cap = MAX (self->cap, 4096);

  while (cap < need)
    cap *= 2;
  if (cap != self->cap)
    {
      self->data = g_realloc (self->data, cap);
      self->cap = cap;
    }
}

/* Drops the first @n bytes, which have been written out. */
void
ps_buffer_consume (PsBuffer *self,
                   gsize     n)
{
  g_assert (n <= self->len);
  if (n == self->len)
    self->len = 0;
  else
    {
      memmove (self->data, self->data + n, self->len - n);
      self->len -= n;
    }
}

/**
 * ps_frame_begin:
 *
 * Starts a frame of @type; append the payload, then call ps_frame_end()
 * with the returned offset.
 */
gsize
ps_frame_begin (PsBuffer    *self,
                PsFrameType  type)
{
  guint8 header[PS_FRAME_HEADER_SIZE] = { 0, 0, 0, 0, type, PS_PROTOCOL_VERSION, 0, 0 };
  gsize start = self->len;

  ps_buffer_put (self, header, sizeof header);
  return start;
}

void
ps_frame_end (PsBuffer *self,
              gsize     start)
{
  gsize plen = self->len - start - PS_FRAME_HEADER_SIZE;
  guint32 le;

  g_assert (plen <= PS_FRAME_MAX_PAYLOAD);
  le = GUINT32_TO_LE ((guint32) plen);
  memcpy (self->data + start, &le, 4);
}

void
ps_buffer_put_str (PsBuffer   *self,
                   const char *str,
                   gsize       len)
{
  if (str == NULL)
    {
      str = "";
      len = 0;
    }
  ps_buffer_put_u32 (self, (guint32) len);
  ps_buffer_put (self, str, len);
  ps_buffer_put_u8 (self, 0);
}

void
ps_buffer_put_f64 (PsBuffer *self,
                   double    v)
{
  guint64 bits;

  memcpy (&bits, &v, 8);
  ps_buffer_put_u64 (self, bits);
}

double
ps_reader_f64 (PsReader *self)
{
  guint64 bits = ps_reader_u64 (self);
  double v;

  memcpy (&v, &bits, 8);
  return v;
}

/* Returns a NUL-terminated string inside the frame, or "" on failure. */
const char *
ps_reader_str (PsReader *self,
               gsize    *len)
{
  guint32 n = ps_reader_u32 (self);
  const guint8 *p;

  if (self->failed || self->len - self->pos < (gsize) n + 1)
    {
      self->failed = TRUE;
      if (len)
        *len = 0;
      return "";
    }
  p = ps_reader_take (self, (gsize) n + 1);
  if (p == NULL || p[n] != '\0')
    {
      self->failed = TRUE;
      if (len)
        *len = 0;
      return "";
    }
  if (len)
    *len = n;
  return (const char *) p;
}

/**
 * ps_reader_finish:
 * @what: the frame's name, for the message
 *
 * Returns: %TRUE when every read stayed inside the payload and the whole
 *   payload was read
 */
gboolean
ps_reader_finish (PsReader    *self,
                  const char  *what,
                  GError     **error)
{
  if (self->failed || self->pos != self->len)
    {
      g_set_error (error, PS_ERROR, PS_ERROR_PROTOCOL,
                   self->failed ? _("truncated %s frame") : _("%s frame has trailing bytes"), what);
      return FALSE;
    }
  return TRUE;
}
