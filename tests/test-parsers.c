/* test-parsers.c: items, workloads, options, presets — table driven
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib.h>

#include "ps-error.h"
#include "ps-hosts.h"
#include "ps-items.h"
#include "ps-spec.h"
#include "ps-workload.h"

static void
test_items_good (void)
{
  static const struct { const char *spec; guint64 count; const char *first; const char *last; } cases[] = {
    { "1..9", 9, "1", "9" },
    { "1..100:3", 34, "1", "100" },
    { "-5..5", 11, "-5", "5" },
    { "7..7", 1, "7", "7" },
    { "a,b,c", 3, "a", "c" },
    { "Alice", 1, "Alice", "Alice" },
    { " x , y ", 2, "x", "y" },
    { "0..9223372036854775806:9223372036854775806", 2, "0", "9223372036854775806" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PsItems) items = ps_items_parse (cases[i].spec, &error);
      char buf[32];

      g_assert_no_error (error);
      g_assert_cmpuint (ps_items_get_count (items), ==, cases[i].count);
      g_assert_cmpstr (ps_items_get_text (items, 0, buf, NULL), ==, cases[i].first);
      g_assert_cmpstr (ps_items_get_text (items, cases[i].count - 1, buf, NULL), ==, cases[i].last);
    }
}

static void
test_items_bad (void)
{
  static const struct { const char *spec; const char *message_part; } cases[] = {
    { "", "no items" },
    { "   ", "no items" },
    { "9..1", "empty" },
    { "1..9:0", "step" },
    { "1..9:-2", "step" },
    { "1..99999999999999999999", "not an integer" },
    { "0..9223372036854775807", "more than" },
    { "a,,b", "empty" },
    { "@", "path" },
    { "@/nonexistent/file", "cannot read" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PsItems) items = ps_items_parse (cases[i].spec, &error);

      g_assert_null (items);
      g_assert_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT);
      if (strstr (error->message, cases[i].message_part) == NULL)
        g_error ("“%s”: message “%s” lacks “%s”", cases[i].spec, error->message, cases[i].message_part);
    }
}

static void
test_items_text (void)
{
  static const struct { const char *data; gsize len; gint64 count; const char *message_part; } cases[] = {
    { "a\nb\nc\n", 6, 3, NULL },
    { "a\r\nb", 4, 2, NULL },
    { "\n\nx\n\n", 5, 1, NULL },
    { "", 0, -1, "no items" },
    { "\n\n", 2, -1, "no items" },
    { "a\0b", 3, -1, "binary" },
    { "ok\n\xff\xfe\n", 6, -1, "line 2 is not valid UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PsItems) items = ps_items_parse_text (cases[i].data, cases[i].len, "f", &error);

      if (cases[i].count >= 0)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (ps_items_get_count (items), ==, cases[i].count);
        }
      else
        {
          g_assert_null (items);
          g_assert_nonnull (strstr (error->message, cases[i].message_part));
        }
    }
}

static void
test_items_long_line (void)
{
  gsize len = PS_ITEM_MAX_LEN + 10;
  g_autofree char *data = g_malloc (len);
  g_autoptr(GError) error = NULL;
  g_autoptr(PsItems) items = NULL;

  memset (data, 'x', len);
  items = ps_items_parse_text (data, len, "big", &error);
  g_assert_null (items);
  g_assert_nonnull (strstr (error->message, "line 1 is longer"));
}

static void
test_format_int (void)
{
  static const gint64 values[] = { 0, 1, -1, 9, 10, 99, 100, 12345, -987654321,
                                   G_MAXINT64, G_MININT64 };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      char buf[24];
      g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT, values[i]);
      gsize n = ps_format_int (values[i], buf);

      g_assert_cmpstr (buf, ==, expected);
      g_assert_cmpuint (n, ==, strlen (expected));
    }
}

static void
test_workloads (void)
{
  static const struct { const char *spec; gboolean ok; const char *canonical; } cases[] = {
    { "square", TRUE, "square" },
    { "print", TRUE, "print" },
    { "hello", TRUE, "hello" },
    { "cpu:10", TRUE, "cpu:10" },
    { "sleep:2.5", TRUE, "sleep:2.5" },
    { "random:cpu:10:2", TRUE, "random:cpu:10:2" },
    { "random:sleep:5:0", TRUE, "random:sleep:5:0" },
    { "alloc:64", TRUE, "alloc:64" },
    { "crash:0.25", TRUE, "crash:0.25" },
    { "", FALSE, NULL },
    { "cube", FALSE, NULL },
    { "cpu", FALSE, NULL },
    { "cpu:", FALSE, NULL },
    { "cpu:abc", FALSE, NULL },
    { "cpu:-1", FALSE, NULL },
    { "cpu:nan", FALSE, NULL },
    { "cpu:inf", FALSE, NULL },
    { "cpu:1e300", FALSE, NULL },
    { "square:3", FALSE, NULL },
    { "random:gpu:1:1", FALSE, NULL },
    { "random:cpu:0:1", FALSE, NULL },
    { "crash:1.5", FALSE, NULL },
    { "alloc:1000000", FALSE, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PsWorkload w;
      g_autoptr(GError) error = NULL;
      gboolean ok = ps_workload_parse (cases[i].spec, &w, &error);

      if (ok != cases[i].ok)
        g_error ("workload “%s”: expected %s", cases[i].spec, cases[i].ok ? "ok" : "an error");
      if (ok)
        {
          g_autofree char *s = ps_workload_to_string (&w);
          g_assert_cmpstr (s, ==, cases[i].canonical);
        }
      else
        g_assert_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT);
    }
}

/* lock:OUT:IN, the contention workload: both times in ms, from 0, not
 * both 0; every refusal names the spec as typed. */
static void
test_workload_lock (void)
{
  static const struct { const char *spec; double out_ms, in_ms; const char *canonical; } good[] = {
    { "lock:16:4", 16, 4, "lock:16:4" },
    { "lock:0:10", 0, 10, "lock:0:10" },
    { "lock:30:0", 30, 0, "lock:30:0" },
    { "lock:2.5:0.25", 2.5, 0.25, "lock:2.5:0.25" },
    { "lock:86400000:86400000", PS_WORKLOAD_MAX_MS, PS_WORKLOAD_MAX_MS, "lock:86400000:86400000" },
  };
  static const struct { const char *spec; const char *says; } bad[] = {
    { "lock:-1:4", "between" },
    { "lock:4:-1", "between" },
    { "lock:4", "takes 2 parameter(s)" },
    { "lock", "takes 2 parameter(s)" },
    { "lock:1:2:3", "takes 2 parameter(s)" },
    { "lock:a:b", "is not a number" },
    { "lock:4:", "needs the time holding the lock" },
    { "lock::4", "needs the time outside the lock" },
    { "lock:0:0", "some time outside or inside the lock" },
    { "lock:1e999:1", "is not a number" },
    { "lock:1:nan", "is not a number" },
    { "lock:86400001:1", "between" },
  };
  gboolean listed = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      PsWorkload w, again;
      g_autoptr(GError) error = NULL;
      g_autofree char *s = NULL;

      if (!ps_workload_parse (good[i].spec, &w, &error))
        g_error ("workload “%s”: %s", good[i].spec, error->message);
      g_assert_cmpint (w.kind, ==, PS_WORKLOAD_LOCK);
      g_assert_cmpfloat (w.ms, ==, good[i].out_ms);
      g_assert_cmpfloat (w.in_ms, ==, good[i].in_ms);
      s = ps_workload_to_string (&w);
      g_assert_cmpstr (s, ==, good[i].canonical);
      g_assert_true (ps_workload_parse (s, &again, NULL));
      g_assert_true (again.kind == w.kind && again.ms == w.ms && again.in_ms == w.in_ms);
      /* it sleeps, and may be killed mid-task: announced, like sleep */
      g_assert_false (ps_workload_is_trivial (&w));
      g_assert_false (ps_workload_needs_integers (&w));
      g_assert_cmpfloat (ps_workload_draw_ms (&w, 1, 2, 0), ==,
                         MIN (good[i].out_ms + good[i].in_ms, PS_WORKLOAD_MAX_MS));
    }

  /* whatever sleep says about its result, lock says too */
  {
    PsWorkload lock, sleep;

    g_assert_true (ps_workload_parse ("lock:1:1", &lock, NULL));
    g_assert_true (ps_workload_parse ("sleep:1", &sleep, NULL));
    g_assert_cmpint (ps_workload_has_result (&lock), ==, ps_workload_has_result (&sleep));
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      PsWorkload w;
      g_autoptr(GError) error = NULL;

      if (ps_workload_parse (bad[i].spec, &w, &error))
        g_error ("workload “%s”: expected an error", bad[i].spec);
      g_assert_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT);
      if (strstr (error->message, bad[i].spec) == NULL ||
          strstr (error->message, bad[i].says) == NULL)
        g_error ("workload “%s”: the message “%s” should name it and say “%s”", bad[i].spec,
                 error->message, bad[i].says);
    }

  for (const char *const *name = ps_workload_list_names (); *name; name++)
    listed |= g_str_equal (*name, "lock:OUT_MS:IN_MS");
  g_assert_true (listed);
}

static void
test_random_durations (void)
{
  PsWorkload w;
  double sum = 0, sum2 = 0;
  const guint n = 20000;

  g_assert_true (ps_workload_parse ("random:cpu:10:4", &w, NULL));
  for (guint i = 0; i < n; i++)
    {
      double ms = ps_workload_draw_ms (&w, 42, i, 0);
      g_assert_cmpfloat (ms, >, 0);
      sum += ms;
      sum2 += ms * ms;
    }
  /* log-normal with the asked mean and deviation, within sampling error */
  g_assert_cmpfloat_with_epsilon (sum / n, 10.0, 0.2);
  g_assert_cmpfloat_with_epsilon (sqrt (sum2 / n - (sum / n) * (sum / n)), 4.0, 0.3);
  /* reproducible */
  g_assert_cmpfloat (ps_workload_draw_ms (&w, 42, 7, 0), ==, ps_workload_draw_ms (&w, 42, 7, 0));
  g_assert_cmpfloat (ps_workload_draw_ms (&w, 42, 7, 0), !=, ps_workload_draw_ms (&w, 43, 7, 0));
}

static void
test_options (void)
{
  static const struct { const char *args; const char *message_part; } bad[] = {
    { "--workers 0", "--workers" },
    { "--workers 1025", "--workers" },
    { "--workers 18446744073709551617", "--workers" },
    { "--workers -3", "--workers" },
    { "--workers", "needs a value" },
    { "--start thread", "--start" },
    { "--order sorted", "--order" },
    { "--chunksize 0", "--chunksize" },
    { "--preset cube", "--preset" },
    { "--sample-hz -1", "--sample-hz" },
    { "--timeout abc", "--timeout" },
    { "--retries 99999", "--retries" },
    { "--format xml", "--format" },
    { "--frobnicate", "unknown option" },
    { "stray", "unexpected argument" },
    { "--json=yes", "takes no value" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto(GStrv) argv = g_strsplit (bad[i].args, " ", -1);
      g_autoptr(PsSpec) spec = ps_spec_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (ps_spec_parse_args (spec, g_strv_length (argv), argv, &error));
      g_assert_error (error, PS_ERROR, PS_ERROR_INVALID_INPUT);
      if (strstr (error->message, bad[i].message_part) == NULL)
        g_error ("“%s”: message “%s” lacks “%s”", bad[i].args, error->message, bad[i].message_part);
    }
}

static void
test_presets (void)
{
  static const struct { const char *name; const char *items; const char *workload; guint workers; } cases[] = {
    { "hello", "Alice", "hello", 1 },
    { "square", "1..9", "square", 6 },
    { "print-numbers", "1..4", "print", 4 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PsSpec) spec = ps_spec_new ();
      char *argv[] = { (char *) "--preset", (char *) cases[i].name };

      g_assert_true (ps_spec_parse_args (spec, 2, argv, NULL));
      g_assert_true (ps_spec_finish (spec, NULL));
      g_assert_cmpstr (spec->items_spec, ==, cases[i].items);
      g_assert_cmpstr (spec->workload_spec, ==, cases[i].workload);
      g_assert_cmpuint (spec->workers, ==, cases[i].workers);
    }
}

static void
test_chunksize_default (void)
{
  g_autoptr(PsSpec) spec = ps_spec_new ();
  char *argv[] = { (char *) "--items", (char *) "1..1000000", (char *) "--workers", (char *) "2" };

  g_assert_true (ps_spec_parse_args (spec, 4, argv, NULL));
  g_assert_true (ps_spec_finish (spec, NULL));
  /* Pool.map: ceil(n / (4 × workers)) */
  g_assert_cmpuint (ps_spec_get_chunksize (spec), ==, 125000);
}

/* A copy is whole and apart: the same batch, its own strings, shared items. */
static void
test_spec_copy (void)
{
  const char *argv[] = { "--items", "1..9", "--workload", "random:sleep:5:2", "-j3", "--seed", "0",
                         "--timeout", "0.5", "--log", "x.jsonl", NULL };
  g_autoptr(PsSpec) spec = ps_spec_new ();
  g_autoptr(PsSpec) copy = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ps_spec_parse_args (spec, g_strv_length ((char **) argv), (char **) argv, &error));
  g_assert_true (ps_spec_finish (spec, &error));
  copy = ps_spec_copy (spec);
  g_assert_cmpstr (copy->items_spec, ==, "1..9");
  g_assert_true (copy->items_spec != spec->items_spec);
  g_assert_true (copy->items == spec->items);
  g_assert_cmpuint (copy->workers, ==, 3);
  g_assert_true (copy->seed_set);
  g_assert_cmpuint (copy->seed, ==, 0);
  g_assert_cmpint (copy->workload.kind, ==, PS_WORKLOAD_RANDOM_SLEEP);
  g_assert_cmpstr (copy->log_path, ==, "x.jsonl");
  g_assert_cmpuint (ps_spec_get_n_tasks (copy), ==, 9);
  g_clear_pointer (&spec, ps_spec_free);
  /* the copy outlives the original */
  g_assert_cmpuint (ps_spec_get_n_tasks (copy), ==, 9);
  g_assert_cmpstr (copy->workload_spec, ==, "random:sleep:5:2");
}


/* GNU parallel's --sshlogin syntax, and what is refused */
static void
test_hosts_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hosts = ps_hosts_parse ("4/server1, me@server2 ,ssh -p 2222 me@server3,:,2/:,server1",
                                               &error);
  PsHost *h;
  static const char *const bad[] = {
    "", ",", "a,,b", "0/a", "1025/a", "a b;c", "$(touch x)", "-oProxyCommand=x", "ssh -p 'x a",
    "user@", "@host", "-p 22 host", "4/", "a\nb", NULL,
  };

  g_assert_no_error (error);
  g_assert_cmpuint (hosts->len, ==, 6);
  h = g_ptr_array_index (hosts, 0);
  g_assert_cmpstr (h->login, ==, "server1");
  g_assert_cmpstr (h->name, ==, "server1");
  g_assert_cmpuint (h->slots, ==, 4);
  g_assert_null (h->command);
  h = g_ptr_array_index (hosts, 1);
  g_assert_cmpstr (h->login, ==, "me@server2");
  g_assert_cmpstr (h->name, ==, "server2");
  g_assert_cmpuint (h->slots, ==, 0);
  h = g_ptr_array_index (hosts, 2);
  g_assert_cmpstr (h->login, ==, "me@server3");
  g_assert_cmpuint (g_strv_length (h->command), ==, 3);
  g_assert_cmpstr (h->command[2], ==, "2222");
  h = g_ptr_array_index (hosts, 3);
  g_assert_true (h->local);
  g_assert_cmpstr (h->name, ==, g_get_host_name ());
  h = g_ptr_array_index (hosts, 4);
  g_assert_true (h->local);
  g_assert_cmpuint (h->slots, ==, 2);
  /* a name given twice is told apart */
  g_assert_cmpstr (((PsHost *) g_ptr_array_index (hosts, 5))->name, ==, "server1#2");
  g_assert_true (ps_hosts_any_remote (hosts));

  for (guint i = 0; bad[i]; i++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(GPtrArray) none = ps_hosts_parse (bad[i], &e);

      if (none != NULL)
        g_error ("--hosts “%s” was taken", bad[i]);
      g_assert_error (e, PS_ERROR, PS_ERROR_INVALID_INPUT);
      g_assert_true (g_utf8_validate (e->message, -1, NULL));
    }
  g_assert_true (ps_hosts_check_launcher ("srun -w {host} -N1", NULL));
  g_assert_false (ps_hosts_check_launcher ("srun -N1", NULL));
  g_assert_false (ps_hosts_check_launcher ("{host} ssh", NULL));
  g_assert_false (ps_hosts_check_launcher ("ssh 'x {host}", NULL));
}

/* The command that starts a worker there: ssh gets the shared
 * connection and one line for the remote shell, quoted word by word;
 * another launcher gets the words as they are. */
static void
test_hosts_launch_argv (void)
{
  g_autoptr(GPtrArray) hosts = ps_hosts_parse ("me@server2,ssh -p 2222 server3", NULL);
  const char *remote[] = { "/opt/my dir/poolscope-run", "--worker", "--stdio", NULL };
  g_auto(GStrv) plain = ps_host_launch_argv (g_ptr_array_index (hosts, 0), NULL, "/tmp/cm", FALSE, remote);
  g_auto(GStrv) own = ps_host_launch_argv (g_ptr_array_index (hosts, 1), NULL, NULL, TRUE, remote);
  g_auto(GStrv) srun = ps_host_launch_argv (g_ptr_array_index (hosts, 0), "srun -w {host} -N1", NULL, FALSE, remote);
  g_autofree char *plain_line = g_strjoinv (" ", plain);
  g_autofree char *own_line = g_strjoinv (" ", own);
  guint n = g_strv_length (plain);

  g_assert_cmpstr (plain[0], ==, "ssh");
  g_assert_nonnull (strstr (plain_line, "-o ControlMaster=no -o ControlPath=/tmp/cm"));
  g_assert_nonnull (strstr (plain_line, "-o BatchMode=yes"));
  g_assert_cmpstr (plain[n - 2], ==, "me@server2");
  g_assert_cmpstr (plain[n - 1], ==, "'/opt/my dir/poolscope-run' '--worker' '--stdio'");
  /* the entry's own words, then our defaults (its options, earlier, win);
   * a session outside the shared connection opens none of its own (ours win) */
  g_assert_true (g_str_has_prefix (own_line, "ssh -o ControlMaster=no -o ControlPath=none -p 2222 -T -o BatchMode=yes"));
  g_assert_cmpstr (srun[0], ==, "srun");
  g_assert_cmpstr (srun[2], ==, "me@server2");
  g_assert_cmpstr (srun[4], ==, "/opt/my dir/poolscope-run");
  g_assert_cmpuint (g_strv_length (srun), ==, 7);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/ps/hosts/parse", test_hosts_parse);
  g_test_add_func ("/ps/hosts/launch-argv", test_hosts_launch_argv);
  g_test_add_func ("/ps/items/good", test_items_good);
  g_test_add_func ("/ps/items/bad", test_items_bad);
  g_test_add_func ("/ps/items/text", test_items_text);
  g_test_add_func ("/ps/items/long-line", test_items_long_line);
  g_test_add_func ("/ps/items/format-int", test_format_int);
  g_test_add_func ("/ps/workload/parse", test_workloads);
  g_test_add_func ("/ps/workload/random", test_random_durations);
  g_test_add_func ("/ps/workload/lock", test_workload_lock);
  g_test_add_func ("/ps/spec/bad-options", test_options);
  g_test_add_func ("/ps/spec/presets", test_presets);
  g_test_add_func ("/ps/spec/chunksize-default", test_chunksize_default);
  g_test_add_func ("/ps/spec/copy", test_spec_copy);
  return g_test_run ();
}
