/* fuzz-common.h: what every fuzz target shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* A critical or a warning is a bug the fuzzer should report as a crash:
 * bad input must come back as a GError, never as a complaint on stderr. */
static inline void
fuzz_init (void)
{
  static gboolean done;

  if (G_LIKELY (done))
    return;
  done = TRUE;
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

/* @data as a NUL-terminated string, cut at its first NUL byte. */
static inline char *
fuzz_strndup (const uint8_t *data,
              size_t         size)
{
  return g_strndup ((const char *) data, size);
}
