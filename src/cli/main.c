/* main.c: poolscope-run, the headless front end of the Poolscope engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "poolscope-run"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "ps-cli-run.h"
#include "ps-ipc-server.h"
#include "ps-remote.h"
#include "ps-worker.h"

static void
usage (FILE *out)
{
  fprintf (out, _("Usage:\n"
                  "  poolscope-run run [OPTION…]    run a batch on a pool of processes\n"
                  "  poolscope-run sweep [OPTION…]  run it over many pool sizes; fit, recommend\n"
                  "  poolscope-run export LOG|ID --to FORMAT [-o FILE]  a run log (or a kept run's id) as\n"
                  "                                 jsonl, csv, joblog (GNU parallel's, for --resume) or\n"
                  "                                 trace (Perfetto); a sweep's log as csv or json;\n"
                  "                                 --to png|svg|pdf [--chart NAME] [--size WxH]: a chart\n"
                  "  poolscope-run history [--json] [--search TEXT]  the runs kept (run --save, the app)\n"
                  "  poolscope-run --ipc            serve the Poolscope app over stdin/stdout\n"
                  "  poolscope-run --version        print the version\n"
                  "  poolscope-run --help           print this help\n"
                  "\n"
                  "Options of run:\n"
                  "  --preset NAME          hello, square or print-numbers\n"
                  "  --items SPEC           1..9, 1..100:3, a,b,c, @FILE (one per line) or - (stdin)\n"
                  "  --workload SPEC        square, print, hello, cpu:MS, sleep:MS,\n"
                  "                         random:cpu:MEAN:SD, random:sleep:MEAN:SD, alloc:MB, crash:P,\n"
                  "                         lock:OUT_MS:IN_MS (IN ms of each task under one pool-wide lock)\n"
                  "  --workers N, -j N, -jN worker processes, 1–1024 (default: the number of CPUs)\n"
                  "  --start fork|spawn     how workers start (default: fork)\n"
                  "  --chunksize N|auto     tasks handed to a worker at once (default: as Pool.map,\n"
                  "                         ceil(tasks / (4 × workers)))\n"
                  "  --order map|unordered  map: results in submission order, as Pool.imap;\n"
                  "                         unordered: each chunk's results together once the chunk\n"
                  "                         is done, chunks as they finish, as Pool.imap_unordered\n"
                  "  --format lines|list|none  one result per line, what Python's print() shows for\n"
                  "                         the list of results (after the run), or none (default: lines)\n"
                  "  --seed N               seed for random workloads, any number from 0 (default: drawn)\n"
                  "  --sample-hz HZ         CPU and memory samples per second (default: 10; 0: off)\n"
                  "  --timeout SEC          end a task that runs longer (its worker is replaced;\n"
                  "                         not for the instant square, print and hello)\n"
                  "  --retries N            run a task again, up to N times, when its worker crashed\n"
                  "                         or it timed out (not when it failed with an error)\n"
                  "  --max-tasks-per-child N  replace a worker after it has taken N chunks (Python's\n"
                  "                         maxtasksperchild: a chunk is one task of the pool)\n"
                  "  --halt never|now,fail=N|soon,fail=N  as GNU parallel's: stop at once (now) or\n"
                  "                         start no more tasks (soon) once N tasks failed; also\n"
                  "                         success=N, done=N, and N%% of all tasks\n"
                  "  --log FILE             write the run's events as JSON Lines; - for stdout\n"
                  "                         (with --format none)\n"
                  "  --json                 end with a JSON summary on stdout\n"
                  "  --save                 keep the run's log in the history (poolscope-run history)\n"
                  "  --quiet, -q            no progress on stderr\n"
                  "\n"
                  "Your own work (instead of --workload):\n"
                  "  -- PROGRAM [ARG…]      run PROGRAM once per item, without a shell; {} the item,\n"
                  "                         {.} without extension, {/} basename, {//} directory,\n"
                  "                         {/.} basename without extension, {#} the task's number,\n"
                  "                         {%%} the worker's slot; none given: the item goes last\n"
                  "  --shell SCRIPT         run /bin/sh -c SCRIPT once per item; each replacement\n"
                  "                         string is a quoted value, never shell code\n"
                  "  --worker-program 'PROGRAM ARG…'  start PROGRAM once per worker and write its\n"
                  "                         items on its stdin, one a line; it answers each with\n"
                  "                         one line (docs/worker-protocol.md)\n"
                  "  --worker-protocol lines|json  json: {\"id\":N,\"item\":…} in, {\"id\":N,\"result\":…}\n"
                  "                         or {\"id\":N,\"error\":…} out (default: lines)\n"
                  "  --line-buffer          a command's output lines as they come (default: each\n"
                  "                         task's output together when it ends)\n"
                  "  --tag                  each output line after its item and a tab\n"
                  "  --result status|stdout  a command's result: its exit status, or its stdout\n"
                  "                         (printed in submission order with --order map)\n"
                  "  --output-limit SIZE    output a task keeps: 4096, 64K, 16M, 1G (default 16M;\n"
                  "                         beyond it bytes are counted and said; 0 with\n"
                  "                         --line-buffer: all)\n"
                  "\n"
                  "Workers on other hosts (docs/hosts.md):\n"
                  "  --hosts SPEC, -S SPEC  as GNU parallel's --sshlogin: 4/server1,user@server2,\n"
                  "                         'ssh -p 2222 server3', : (this machine); N/ the host's\n"
                  "                         workers (default: its CPUs); --workers N splits N over\n"
                  "                         the hosts by them\n"
                  "  --hosts-file FILE      one host a line, # comments (as --sshloginfile)\n"
                  "  --launcher 'WORDS {host}'  what reaches a host (default: ssh -T -o BatchMode=yes\n"
                  "                         {host}, one shared connection per host); srun -w {host},\n"
                  "                         docker exec -i {host}, …\n"
                  "  --remote-run PATH      poolscope-run on the hosts (default: the one in PATH there)\n"
                  "\n"
                  "Options of sweep (and every option of run but --workers):\n"
                  "  --workers LIST         1,2,4,8 or 1..8 or 1..64:x2 (doubling) or 2..16:2 (a step)\n"
                  "                         or auto: 1, 2, 4, … to 4× the usable CPUs, and their\n"
                  "                         number (default: auto)\n"
                  "  --reps N               runs of each count, 1–100 (default: 3), interleaved\n"
                  "  --warmup, --no-warmup  one uncounted run first (default: --warmup)\n"
                  "  --tolerance F          recommend the fewest workers within F of the best\n"
                  "                         throughput (default: 0.05)\n"
                  "  --json                 one JSON object: points, amdahl, usl, recommended, reason\n"
                  "\n"
                  "Exit status: 0 all tasks ok, 1 some failed (a command's non-zero exit, or a\n"
                  "--halt), 2 bad usage or input, 3 the run could not be carried out, 130/143\n"
                  "interrupted. Unlike GNU parallel, the count of failed tasks is not the status.\n"));
}

static char *
find_self_exe (void)
{
  g_autofree char *path = g_file_read_link ("/proc/self/exe", NULL);

  return path ? g_steal_pointer (&path) : g_strdup ("poolscope-run");
}

/* poolscope-run --worker --hello | --stdio [--sample-ms N] [--spawn]:
 * what the engine starts on another host through its launcher
 * (ps-remote.c, ps-remote-worker.c). */
static int
remote_worker (int    argc,
               char **argv)
{
  gboolean stdio = FALSE, spawn = FALSE;
  guint64 sample_ms = 0;

  /* its few messages in the user's language (a local worker, which says
   * nothing, does not pay for this) */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  if (argc == 1 && g_str_equal (argv[0], "--hello"))
    return ps_remote_hello_main ();
  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--stdio"))
        stdio = TRUE;
      else if (g_str_equal (argv[i], "--spawn"))
        spawn = TRUE;
      else if (g_str_equal (argv[i], "--sample-ms") && i + 1 < argc &&
               g_ascii_string_to_unsigned (argv[i + 1], 10, 0, 3600000, &sample_ms, NULL))
        i++;
      else
        {
          fprintf (stderr, _("poolscope-run: --worker: “%s” is not understood here (the engine starts "
                             "workers with --hello, or --stdio [--sample-ms N] [--spawn])\n"), argv[i]);
          return 2;
        }
    }
  if (!stdio)
    {
      fprintf (stderr, _("poolscope-run: --worker: give --stdio (the channel is standard input and output)\n"));
      return 2;
    }
  return ps_remote_relay_main (spawn, (guint) sample_ms);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *self_exe = NULL;

  /* A spawned worker: nothing but the loop, on the channel at fd 3. */
  if (argc == 2 && g_str_equal (argv[1], "--worker"))
    {
      if (fcntl (3, F_GETFD) < 0)
        {
          fprintf (stderr, "poolscope-run: --worker is started by the engine, with a channel on fd 3\n");
          return 2;
        }
      return ps_worker_main (3);
    }
  /* On a host: the relay of a remote worker, or the hello before it. */
  if (argc >= 3 && g_str_equal (argv[1], "--worker"))
    return remote_worker (argc - 2, argv + 2);

  /* A closed standard descriptor would be taken by the next file opened
   * (a socket, the epoll set) and results written into it: hold its place
   * with /dev/null, and remember that stdout was closed. */
  for (int fd = 0; fd <= 2; fd++)
    if (fcntl (fd, F_GETFD) < 0 && errno == EBADF)
      {
        int null_fd = open ("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);

        if (fd == STDOUT_FILENO)
          ps_cli_stdout_closed = TRUE;
        if (null_fd >= 0 && null_fd != fd)
          {
            dup2 (null_fd, fd);
            close (null_fd);
          }
      }

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  self_exe = find_self_exe ();
  /* Writing to a worker that has just died must not kill the engine. */
  signal (SIGPIPE, SIG_IGN);

  if (argc < 2)
    {
      usage (stderr);
      return 2;
    }
  if (g_str_equal (argv[1], "--version") || g_str_equal (argv[1], "-V"))
    {
      printf ("poolscope-run %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      usage (stdout);
      return 0;
    }
  if (g_str_equal (argv[1], "--ipc") && argc == 2)
    return ps_ipc_server_run (self_exe);
  if (g_str_equal (argv[1], "run"))
    {
      if (argc == 3 && (g_str_equal (argv[2], "--help") || g_str_equal (argv[2], "-h")))
        {
          usage (stdout);
          return 0;
        }
      return ps_cli_run (argc - 2, argv + 2, self_exe);
    }
  if (g_str_equal (argv[1], "sweep"))
    {
      if (argc == 3 && (g_str_equal (argv[2], "--help") || g_str_equal (argv[2], "-h")))
        {
          usage (stdout);
          return 0;
        }
      return ps_cli_sweep (argc - 2, argv + 2, self_exe);
    }

  if (g_str_equal (argv[1], "history"))
    return ps_cli_history (argc - 2, argv + 2);
  if (g_str_equal (argv[1], "export"))
    {
      if (argc == 3 && (g_str_equal (argv[2], "--help") || g_str_equal (argv[2], "-h")))
        {
          usage (stdout);
          return 0;
        }
      return ps_cli_export (argc - 2, argv + 2);
    }

  fprintf (stderr, _("poolscope-run: unknown command “%s” (try --help)\n"), argv[1]);
  return 2;
}
