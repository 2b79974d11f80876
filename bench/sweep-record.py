#!/usr/bin/env python3
"""What keeping a sweep costs it: poolscope-run sweep with and without --save.

Both: poolscope-run sweep --items 1..N --workload square --chunksize 1
      --workers 1,2 --reps 3 --json (a warm-up, then 6 counted runs of
      10^6 trivial tasks, the kind whose runs a log would slow most).
Kept: the same with --save into a fresh $XDG_DATA_HOME: each run's
      run-level lines gathered and appended between runs
      (ps-sweep-record.c). The log of the same sweep (--log) is measured
      too, for scale: it writes every task while the runs measure.

Repetitions alternate plain / kept / logged. What is compared is what a
sweep reports: the sum of its points' median walls (the measured time),
and the whole process.

Goal: keeping a sweep costs its measurements nothing (kept / plain within
the noise, <= 1.05x), and a kept sweep is small.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import benchlib as bl


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()

    ps = bl.poolscope_run()
    tmp = tempfile.mkdtemp(prefix="ps-bench-sweep-record-")
    base = [ps, "sweep", "--items", "1..%d" % args.n, "--workload", "square", "--chunksize", "1",
            "--workers", "1,2", "--reps", "3", "--json"]
    bl.header("sweep-record: a sweep with and without --save (and --log, for scale)", [
        "%d interleaved repetitions, %d tasks a run, 7 runs a sweep" % (args.reps, args.n),
        " ".join(base[1:]),
    ])
    r = {"plain": [], "kept": [], "logged": []}
    proc = {"plain": [], "kept": [], "logged": []}
    size = {}
    for rep in range(args.reps):
        for kind in ("plain", "kept", "logged"):
            argv = list(base)
            env_home = os.path.join(tmp, "data-%d" % rep)
            log = os.path.join(tmp, "sweep-%d.jsonl" % rep)
            if kind == "kept":
                argv.append("--save")
                os.environ["XDG_DATA_HOME"] = env_home
            if kind == "logged":
                argv += ["--log", log]
            w, cp = bl.run_timed(argv)
            os.environ.pop("XDG_DATA_HOME", None)
            out = json.loads(cp.stdout.decode())
            r[kind].append(sum(p["wall_s"] for p in out["points"]))
            proc[kind].append(w)
            if kind == "kept":
                runs = os.path.join(env_home, "poolscope", "runs")
                size["kept"] = sum(os.path.getsize(os.path.join(runs, f)) for f in os.listdir(runs))
            if kind == "logged":
                size["logged"] = os.path.getsize(log)
        print("rep %d: measured walls plain %.3f s, kept %.3f s, logged %.3f s" % (
            rep + 1, r["plain"][-1], r["kept"][-1], r["logged"][-1]), flush=True)

    m = {k: bl.median(v) for k, v in r.items()}
    mp = {k: bl.median(v) for k, v in proc.items()}
    print()
    bl.table([
        ["sweep", bl.fmt_s(m["plain"]), bl.fmt_s(mp["plain"]), "", "1.00x"],
        ["sweep --save (kept)", bl.fmt_s(m["kept"]), bl.fmt_s(mp["kept"]), "%.1f KB" % (size["kept"] / 1e3),
         "%.2fx" % (m["kept"] / m["plain"])],
        ["sweep --log", bl.fmt_s(m["logged"]), bl.fmt_s(mp["logged"]), "%.1f MB" % (size["logged"] / 1e6),
         "%.2fx" % (m["logged"] / m["plain"])],
    ], ["variant (medians)", "measured walls", "whole process", "on disk", "vs plain"])
    print()
    ratio = m["kept"] / m["plain"]
    print("goal: keeping a sweep costs its measurements nothing (<= 1.05x): %s (%.2fx)" % (
        bl.verdict(ratio <= 1.05), ratio))
    shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
