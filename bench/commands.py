#!/usr/bin/env python3
"""Your own work in the pool: a command per item, and a worker program.

1. `true` over N items (default 2,000), 2 workers, side by side:
     poolscope-run run --items 1..N -j2 -- true
     poolscope-run run --items 1..N -j2 --shell true
     xargs -P2 -n1 true               (the items on stdin)
     parallel -j2 true ::: items      (when GNU parallel is installed)
   Goal: Poolscope >= 1.3x the jobs/s of xargs, >= 5x those of parallel.
2. A Python worker program (contrib/python/poolscope_worker.py's serve)
   squaring 10^6 integers on 2 workers, against Python's
   Pool(2).imap_unordered(square, range(n), chunksize=1) (on fewer items:
   tasks/s is compared) and Pool(2).map(square, range(10^6)).
   Goal: >= 10x imap_unordered's tasks/s; the ratio to Pool.map reported.
3. A command spawned from an engine with a large resident set (10^7 text
   items held, ~0.5 GiB) costs what it costs from a small one: the worker
   starts commands with posix_spawn (CLONE_VM | CLONE_VFORK), never a fork
   of a big parent. Both runs stop after the same number of commands
   (--halt now,done=N). Goal: the big engine's jobs/s >= 0.8x the small's.

Every variant is run in turn in each repetition (interleaved), medians of
the repetitions are compared.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import benchlib as bl

SERVE = os.path.join(bl.REPO_ROOT, "contrib", "python", "poolscope_worker.py")


def jobs_rate(wall, n):
    return n / wall if wall > 0 else float("nan")


def rss_of_engine(ps, items_path):
    """The engine's peak RSS (VmHWM) holding the big item list, in MiB."""
    p = subprocess.Popen([ps, "run", "--items", "@" + items_path, "-j1", "-q", "--format", "none",
                          "--halt", "now,done=1", "--", "true"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    import time
    while p.poll() is None:
        try:
            with open("/proc/%d/status" % p.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.02)
    return peak / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="items for the true benchmark")
    ap.add_argument("--square-n", type=int, default=1_000_000)
    ap.add_argument("--py-n", type=int, default=50_000,
                    help="items for Python's imap_unordered(chunksize=1)")
    ap.add_argument("--big-items", type=int, default=10_000_000)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()

    ps = bl.poolscope_run()
    parallel = shutil.which("parallel")
    n = args.n
    tmp = tempfile.mkdtemp(prefix="ps-bench-commands-")
    items_path = os.path.join(tmp, "items")
    with open(items_path, "w") as f:
        f.write("".join("%d\n" % i for i in range(1, n + 1)))
    big_path = os.path.join(tmp, "big-items")
    with open(big_path, "w") as f:
        chunk = "".join("item-%08d\n" % i for i in range(100_000))
        for _ in range(args.big_items // 100_000):
            f.write(chunk)

    argv_cmd = [ps, "run", "--items", "1..%d" % n, "-j2", "-q", "--", "true"]
    shell_cmd = [ps, "run", "--items", "1..%d" % n, "-j2", "-q", "--shell", "true"]
    xargs_cmd = ["xargs", "-P2", "-n1", "true"]
    parallel_cmd = [parallel, "-j2", "true"] if parallel else None
    worker_cmd = [ps, "run", "--items", "1..%d" % args.square_n, "-j2", "-q", "--format", "none",
                  "--json", "--worker-program", "%s %s" % (bl.PYTHON, SERVE)]
    small_cmd = [ps, "run", "--items", "@" + items_path, "-j2", "-q", "--format", "none",
                 "--json", "--", "true"]
    big_cmd = [ps, "run", "--items", "@" + big_path, "-j2", "-q", "--format", "none",
               "--json", "--halt", "now,done=%d" % n, "--", "true"]

    bl.header("commands: a program per item, and a worker program", [
        "%d interleaved repetitions" % args.reps,
        "1a poolscope: %s" % " ".join(argv_cmd[1:]),
        "1b poolscope: %s" % " ".join(shell_cmd[1:]),
        "1c xargs:     %s  < %d items" % (" ".join(xargs_cmd), n),
        "1d parallel:  %s" % ("%s :::: %d items" % (" ".join(parallel_cmd), n)
                              if parallel else "not installed (apt install parallel)"),
        "2a poolscope: %s" % " ".join(worker_cmd[1:]),
        "2b python:    Pool(2).imap_unordered(square, range(%d), chunksize=1)" % args.py_n,
        "2c python:    Pool(2).map(square, range(%d))" % args.square_n,
        "3  poolscope: -- true, %d commands, engine holding %d items vs %d"
        % (n, args.big_items, n),
    ])

    r = {k: [] for k in ("argv", "shell", "xargs", "parallel", "worker", "imap", "map",
                         "small", "big")}
    problems = []
    for rep in range(args.reps):
        w, cp = bl.run_timed(argv_cmd, stdout=subprocess.DEVNULL)
        r["argv"].append(w)
        w, cp = bl.run_timed(shell_cmd, stdout=subprocess.DEVNULL)
        r["shell"].append(w)
        with open(items_path) as f:
            w, cp = bl.run_timed(xargs_cmd, stdin=f, stdout=subprocess.DEVNULL)
        r["xargs"].append(w)
        if parallel:
            w, cp = bl.run_timed(parallel_cmd + ["::::", items_path], stdout=subprocess.DEVNULL)
            r["parallel"].append(w)

        w, cp = bl.run_timed(worker_cmd)
        j = bl.last_json_line(cp.stdout.decode())
        if j["ok"] != args.square_n:
            problems.append("2a: %s of %d ok" % (j["ok"], args.square_n))
        r["worker"].append(j["wall_s"])
        _, a = bl.anchor("chunk1", args.py_n)
        r["imap"].append(a["consume_s"])
        _, a = bl.anchor("map", args.square_n)
        r["map"].append(a["map_s"])

        w, cp = bl.run_timed(small_cmd)
        r["small"].append(bl.last_json_line(cp.stdout.decode())["wall_s"])
        w, cp = bl.run_timed(big_cmd, check=False)
        j = bl.last_json_line(cp.stdout.decode())
        if j["ok"] < n:
            problems.append("3: the big run did %s commands, not %d" % (j["ok"], n))
        r["big"].append(j["wall_s"])
        print("rep %d: -- true %.3f s | --shell %.3f s | xargs %.3f s | parallel %s | "
              "worker program %.3f s | imap(%d) %.3f s | map %.3f s | small %.3f s | big %.3f s"
              % (rep + 1, r["argv"][-1], r["shell"][-1], r["xargs"][-1],
                 "%.3f s" % r["parallel"][-1] if parallel else "-", r["worker"][-1], args.py_n,
                 r["imap"][-1], r["map"][-1], r["small"][-1], r["big"][-1]), flush=True)

    m = {k: bl.median(v) for k, v in r.items()}
    rate = {
        "argv": jobs_rate(m["argv"], n), "shell": jobs_rate(m["shell"], n),
        "xargs": jobs_rate(m["xargs"], n),
        "parallel": jobs_rate(m["parallel"], n) if parallel else float("nan"),
        "worker": jobs_rate(m["worker"], args.square_n), "imap": jobs_rate(m["imap"], args.py_n),
        "map": jobs_rate(m["map"], args.square_n),
        "small": jobs_rate(m["small"], n), "big": jobs_rate(m["big"], n),
    }
    print()
    rows = [
        ["1a poolscope -- true (whole process)", bl.fmt_s(m["argv"]), bl.fmt_rate(rate["argv"]),
         "%.2fx xargs, %.1fx parallel" % (rate["argv"] / rate["xargs"], rate["argv"] / rate["parallel"])],
        ["1b poolscope --shell true", bl.fmt_s(m["shell"]), bl.fmt_rate(rate["shell"]),
         "%.2fx xargs, %.1fx parallel" % (rate["shell"] / rate["xargs"], rate["shell"] / rate["parallel"])],
        ["1c xargs -P2 -n1 true", bl.fmt_s(m["xargs"]), bl.fmt_rate(rate["xargs"]), "1.00x"],
        ["1d parallel -j2 true", bl.fmt_s(m["parallel"]), bl.fmt_rate(rate["parallel"]), ""],
        ["2a worker program, serve(square), wall_s", bl.fmt_s(m["worker"]), bl.fmt_rate(rate["worker"]),
         "%.1fx imap, %.2fx map" % (rate["worker"] / rate["imap"], rate["worker"] / rate["map"])],
        ["2b python imap_unordered(chunksize=1)", bl.fmt_s(m["imap"]), bl.fmt_rate(rate["imap"]), ""],
        ["2c python Pool.map", bl.fmt_s(m["map"]), bl.fmt_rate(rate["map"]), ""],
        ["3a -- true, small engine, wall_s", bl.fmt_s(m["small"]), bl.fmt_rate(rate["small"]), "1.00x"],
        ["3b -- true, big engine, wall_s", bl.fmt_s(m["big"]), bl.fmt_rate(rate["big"]),
         "%.2fx" % (rate["big"] / rate["small"])],
    ]
    bl.table(rows, ["variant (medians)", "time", "rate", "ratio"])
    big_mib = rss_of_engine(ps, big_path)
    print()
    print("the big engine's peak resident set: %.0f MiB" % big_mib)
    print()
    print("goal 1: -- true >= 1.3x xargs: %s (%.2fx); --shell: %.2fx"
          % (bl.verdict(rate["argv"] / rate["xargs"] >= 1.3), rate["argv"] / rate["xargs"],
             rate["shell"] / rate["xargs"]))
    if parallel:
        print("goal 1: -- true >= 5x parallel: %s (%.1fx); --shell: %.1fx"
              % (bl.verdict(rate["argv"] / rate["parallel"] >= 5), rate["argv"] / rate["parallel"],
                 rate["shell"] / rate["parallel"]))
    print("goal 2: worker program >= 10x imap_unordered(chunksize=1): %s (%.1fx; Pool.map: %.2fx)"
          % (bl.verdict(rate["worker"] / rate["imap"] >= 10), rate["worker"] / rate["imap"],
             rate["worker"] / rate["map"]))
    print("goal 3: a big engine's commands >= 0.8x a small one's: %s (%.2fx)"
          % (bl.verdict(rate["big"] / rate["small"] >= 0.8), rate["big"] / rate["small"]))
    for p in problems:
        print("PROBLEM: " + p)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
