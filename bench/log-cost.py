#!/usr/bin/env python3
"""What a log costs a run: 10^6 square tasks, chunksize 1, 2 workers,
with and without --log, side by side.

Poolscope A: poolscope-run run --items 1..N --workload square --chunksize 1
             --workers 2 --format none --json
Poolscope B: the same with --log FILE (JSON Lines, schema 2: ordinary
             tasks as "tasks" lines)
Anchor:      the run without a log is the anchor: watching must not
             change what is watched.

Prints the medians of interleaved repetitions (in-run wall from --json,
and the whole process), the ratio, the log's bytes per task, and whether
the lanes progress together: for each worker, the share of its own tasks
done by the time the run is a quarter, half and three quarters through,
against the share of all tasks done then (the old engine drained one
worker at a time while logging: lanes took turns).

Goals (from the issue): with --log <= 1.5x (moonshot 1.2x), <= 150 bytes
a task, lanes together.
"""

import argparse
import os
import tempfile

import benchlib as bl


def lanes_spread(path):
    """Largest gap, at 1/4, 1/2 and 3/4 of the run, between a worker's share
    of its own tasks done and the share of all tasks done."""
    ends = {}
    for _task, worker, _start, end in bl.task_ends(bl.read_log(path)):
        ends.setdefault(worker, []).append(end)
    every = sorted(x for lst in ends.values() for x in lst)
    if not every:
        return float("nan")
    first, last = every[0], every[-1]
    worst = 0.0
    for q in (0.25, 0.5, 0.75):
        t = first + (last - first) * q
        overall = sum(1 for x in every if x <= t) / len(every)
        for lst in ends.values():
            mine = sum(1 for x in lst if x <= t) / len(lst)
            worst = max(worst, abs(mine - overall))
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=7)
    args = ap.parse_args()

    ps = bl.poolscope_run()
    tmp = tempfile.mkdtemp(prefix="ps-log-cost-", dir=os.environ.get("TMPDIR", "/tmp"))
    log = os.path.join(tmp, "run.jsonl")
    base = [ps, "run", "--items", "1..%d" % args.n, "--workload", "square", "--chunksize", "1",
            "--workers", "2", "--format", "none", "--json", "-q"]
    bl.header("log-cost: %d square tasks, chunksize 1, 2 workers, with and without --log" % args.n, [
        "%d interleaved repetitions; the log in %s" % (args.reps, tmp),
        "A poolscope: %s" % " ".join(base[1:]),
        "B poolscope: ... --log %s" % log,
    ])
    r = {k: [] for k in ("a_in", "a_proc", "b_in", "b_proc", "bytes", "spread")}
    for rep in range(args.reps):
        for with_log in ((False, True) if rep % 2 == 0 else (True, False)):
            argv = base + (["--log", log] if with_log else [])
            proc, cp = bl.run_timed(argv)
            s = bl.last_json_line(cp.stdout.decode())
            assert s["ok"] == args.n, s
            key = "b" if with_log else "a"
            r[key + "_in"].append(s["wall_s"])
            r[key + "_proc"].append(proc)
            if with_log:
                r["bytes"].append(os.path.getsize(log) / args.n)
                r["spread"].append(lanes_spread(log))
    ratio_in = bl.median(r["b_in"]) / bl.median(r["a_in"])
    ratio_proc = bl.median(r["b_proc"]) / bl.median(r["a_proc"])
    per_rep = sorted(b / a for a, b in zip(r["a_in"], r["b_in"]))
    rows = [
        ["in-run (--json wall_s)", bl.fmt_s(bl.median(r["a_in"])), bl.fmt_s(bl.median(r["b_in"])),
         "%.2fx" % ratio_in],
        ["whole process", bl.fmt_s(bl.median(r["a_proc"])), bl.fmt_s(bl.median(r["b_proc"])),
         "%.2fx" % ratio_proc],
    ]
    bl.table(rows, ["time", "no log", "--log", "ratio"])
    print()
    print("per-rep in-run ratios: %s" % ", ".join("%.2f" % x for x in per_rep))
    print("log size: %.1f bytes a task" % bl.median(r["bytes"]))
    print("lanes: worst gap between a worker's share done and the run's: %.1f%%"
          % (100 * bl.median(r["spread"])))
    print()
    print("goal: --log <= 1.5x (in-run): %s (moonshot 1.2x: %s)"
          % (bl.verdict(ratio_in <= 1.5), bl.verdict(ratio_in <= 1.2)))
    print("goal: <= 150 bytes a task: %s" % bl.verdict(bl.median(r["bytes"]) <= 150))
    print("goal: lanes progress together (gap <= 10%%): %s" % bl.verdict(bl.median(r["spread"]) <= 0.10))
    os.unlink(log)
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
