#!/usr/bin/env python3
"""Workers on other hosts: what a remote worker costs against a local one.

Two real sshd on 127.0.0.2 and 127.0.0.3 (tests/remote/sshd_fixture.py);
the "remote" workers run on this machine, so the difference is the link
(ssh, the relay beside each worker), not the CPU. Side by side, each
repetition running every variant in turn (interleaved), medians:

1. `square` over N integers (default 5 × 10^6), chunksize auto, 2 workers:
     poolscope-run run -j2                       (local, fork)
     poolscope-run run --hosts 2/h2              (two workers over ssh)
     Python Pool(2).map(square, range(N))        (the anchor)
2. the same with chunksize 1 (default 10^5 items): a round trip per task
     poolscope-run run -j2 --chunksize 1
     poolscope-run run --hosts 2/h2 --chunksize 1
     Python Pool(2).imap_unordered(square, range(N), chunksize=1)
3. a command per item, `true` over 400 items, 2 slots over ssh:
     poolscope-run run --hosts 2/h2 -- true
     parallel -S 2/h2 --ssh 'ssh -F CONFIG' true   (GNU parallel's --sshlogin)

Tasks/s are from the log: the tasks that end after the last worker-start,
over the time from then to run-end (a worker over ssh takes a few hundred
ms to start: that is shown apart, as its start cost); "whole" is the
process, connecting included. Goals: a
remote worker >= 0.5x a local one's tasks/s with chunksize auto, and
Poolscope's commands over ssh >= 2x GNU parallel's jobs/s over the same
host.

4. The clock offset: for each run, every remote worker-start records the
   host's offset and its error bound. The hosts share this machine's
   clock, so the true offset is 0: the measured one must be within its
   bound. Reported: the largest |offset| and the largest bound.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import benchlib as bl

sys.path.insert(0, os.path.join(bl.REPO_ROOT, "tests", "remote"))
import sshd_fixture  # noqa: E402


def run_log(ps, args, log):
    """The run's tasks/s once every worker is up (the link's cost per task,
    without the start of its sessions), the mean start cost of a worker,
    the whole process's wall time and the clocks the log recorded."""
    wall, cp = bl.run_timed([ps, "run", "-q", "--format", "none", "--log", log] + args)
    events = bl.read_log(log)
    start = next(e for e in events if e["event"] == "run-start")
    end = next(e for e in events if e["event"] == "run-end")
    if end["ok"] != start["tasks"]:
        raise SystemExit("!! %s: %d of %d tasks ok" % (" ".join(args), end["ok"], start["tasks"]))
    starts = [e for e in events if e["event"] == "worker-start"]
    up = max(e["t"] for e in starts)
    after = sum(len(e["tasks"]) for e in events if e["event"] == "tasks" and e["t"] > up)
    after += sum(1 for e in events if e["event"] == "task-end" and e["t"] > up)
    clocks = [(e["clock_offset_ns"], e["clock_error_ns"]) for e in events
              if e["event"] == "worker-start" and e.get("clock_error_ns")]
    cost = sum(e["start_cost_ns"] for e in starts) / len(starts) / 1e9
    return after / ((end["t"] - up) / 1e9), cost, wall, clocks


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5_000_000)
    ap.add_argument("--n1", type=int, default=100_000, help="items with chunksize 1")
    ap.add_argument("--commands", type=int, default=400)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()

    ps = bl.poolscope_run()
    parallel = shutil.which("parallel")
    fx = sshd_fixture.Fixture(path=os.path.dirname(ps))
    tmp = tempfile.mkdtemp(prefix="ps-bench-remote-")
    log = os.path.join(tmp, "log.jsonl")
    launcher = ["--launcher", fx.launcher(), "--remote-run", ps]
    variants = {
        "local": ["--items", "1..%d" % args.n, "-j2"],
        "remote": ["--items", "1..%d" % args.n, "--hosts", "2/h2"] + launcher,
        "local1": ["--items", "1..%d" % args.n1, "-j2", "--chunksize", "1"],
        "remote1": ["--items", "1..%d" % args.n1, "--hosts", "2/h2", "--chunksize", "1"] + launcher,
        "cmd": ["--items", "1..%d" % args.commands, "--hosts", "2/h2"] + launcher + ["--", "true"],
    }
    parallel_cmd = ([parallel, "-S", "2/h2", "--ssh", "ssh -F %s" % fx.config, "true", ":::"] +
                    [str(i) for i in range(1, args.commands + 1)]) if parallel else None

    bl.header("remote: a worker over ssh against a local one", [
        "%d interleaved repetitions; sshd on 127.0.0.2 (the same CPUs)" % args.reps,
    ] + ["%-8s poolscope-run run %s" % (k, " ".join(v)) for k, v in variants.items()] + [
        "anchor   Pool(2).map(square, range(%d)), Pool(2).imap_unordered(…, chunksize=1) over %d"
        % (args.n, args.n1),
        "parallel %s" % ("parallel -S 2/h2 --ssh 'ssh -F …' true ::: 1..%d" % args.commands
                         if parallel else "not installed"),
    ])

    rates = {k: [] for k in list(variants) + ["map", "imap", "parallel"]}
    walls = {k: [] for k in variants}
    costs = {k: [] for k in variants}
    worst_offset = worst_error = 0
    offset_ok = True
    try:
        for rep in range(args.reps):
            for k, v in variants.items():
                rate, cost, wall, clocks = run_log(ps, v, log)
                rates[k].append(rate)
                costs[k].append(cost)
                walls[k].append(wall)
                for off, err in clocks:
                    worst_offset = max(worst_offset, abs(off))
                    worst_error = max(worst_error, err)
                    offset_ok &= abs(off) <= err
            _, a = bl.anchor("map", args.n)
            rates["map"].append(args.n / a["map_s"])
            _, a = bl.anchor("chunk1", args.n1)
            rates["imap"].append(args.n1 / a["consume_s"])
            if parallel_cmd:
                wall, _ = bl.run_timed(parallel_cmd, stdout=subprocess.DEVNULL)
                rates["parallel"].append(args.commands / wall)
            print("rep %d: %s" % (rep + 1, " | ".join("%s %s" % (k, bl.fmt_rate(v[-1]))
                                                       for k, v in rates.items() if v)), flush=True)
    finally:
        fx.close()
        shutil.rmtree(tmp, ignore_errors=True)

    med = {k: bl.median(v) for k, v in rates.items() if v}
    rows = [
        ["square, chunksize auto", bl.fmt_rate(med["local"]), bl.fmt_rate(med["remote"]),
         "%.2fx" % (med["remote"] / med["local"]), bl.fmt_rate(med["map"]) + " (Pool.map)"],
        ["square, chunksize 1", bl.fmt_rate(med["local1"]), bl.fmt_rate(med["remote1"]),
         "%.2fx" % (med["remote1"] / med["local1"]), bl.fmt_rate(med["imap"]) + " (imap_unordered)"],
    ]
    print()
    bl.table(rows, ["tasks/s (median)", "local", "over ssh", "ssh/local", "Python anchor"])
    print()
    print("start cost of a worker (median of the means): local %s, over ssh %s"
          % (bl.fmt_s(bl.median(costs["local"])), bl.fmt_s(bl.median(costs["remote"]))))
    print("whole process, connecting included (median): local %s, over ssh %s; chunksize 1: %s, %s"
          % (bl.fmt_s(bl.median(walls["local"])), bl.fmt_s(bl.median(walls["remote"])),
             bl.fmt_s(bl.median(walls["local1"])), bl.fmt_s(bl.median(walls["remote1"]))))
    goal1 = med["remote"] / med["local"] >= 0.5
    print("goal: over ssh >= 0.5x local with chunksize auto: %.2fx %s"
          % (med["remote"] / med["local"], bl.verdict(goal1)))
    if "parallel" in med:
        ratio = med["cmd"] / med["parallel"]
        print("commands over ssh: poolscope %s, GNU parallel -S %s: %.1fx (goal >= 2x) %s"
              % (bl.fmt_rate(med["cmd"]), bl.fmt_rate(med["parallel"]), ratio, bl.verdict(ratio >= 2)))
    print("clock offset (true offset 0): largest |offset| %.1f µs, largest error bound %.1f µs: %s"
          % (worst_offset / 1e3, worst_error / 1e3,
             "every offset within its bound" if offset_ok else "AN OFFSET OUTSIDE ITS BOUND"))


if __name__ == "__main__":
    main()
