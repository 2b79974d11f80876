/* cli-run.h: running poolscope-run as a user does, for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sys/resource.h>
#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Every file a test writes goes under it (made by the test's main()). */
extern char *tmp_dir;

typedef struct
{
  int     status;     /* exit status, -1 when killed by a signal */
  int     signal;     /* what killed it, 0 when it exited */
  char   *out;
  char   *err;
  gint64  wall_us;
} Result;

typedef struct
{
  const char *stdin_data;   /* piped in, or NULL for an empty stdin */
  const char *stdin_path;   /* a file as stdin instead of the pipe */
  const char *stdout_path;  /* stdout to a file instead of captured */
  const char *stdin_command; /* a shell command piped into stdin instead */
  rlim_t      fsize_limit;  /* RLIMIT_FSIZE in the child (SIGXFSZ ignored); 0: none */
  rlim_t      as_limit;     /* RLIMIT_AS in the child; 0: none */
  rlim_t      nofile_soft;  /* RLIMIT_NOFILE in the child; 0: as it is */
  rlim_t      nofile_hard;
  gboolean    close_stdout; /* the child starts with fd 1 closed */
  guint       timeout_s;    /* the child is killed and the test fails after it; 0: 60 */
} RunOptions;

char      *tmp_path         (const char          *name);
void       run_argv         (const char * const  *args,
                             const RunOptions    *opts,
                             Result              *r);
void       run_cli          (const char          *stdin_text,
                             Result              *r,
                             ...) G_GNUC_NULL_TERMINATED;
void       result_clear     (Result              *r);
guint      count_substrings (const char          *haystack,
                             const char          *needle);
GPtrArray *read_log         (const char          *path);
int        compare_gint64   (gconstpointer        a,
                             gconstpointer        b);
gboolean   is_event         (JsonObject          *o,
                             const char          *name);
void       remove_tmp_dir   (void);
void       cli_tests_init   (int                 *argc,
                             char              ***argv,
                             const char          *name);
int        cli_tests_run    (void);
void       limit_child      (gpointer             data);
gboolean   set_flag         (gpointer             data);
char      *bytes_to_string  (GBytes              *bytes);

G_END_DECLS
