#!/usr/bin/env python3
"""Throughput with chunksize 1: square over N items, 2 workers.

Poolscope: poolscope-run run --items 1..N --workers 2 --workload square
           --order unordered --chunksize 1 (every task is timed by the engine)
Anchor:    Pool(2).imap_unordered(square, range(N), chunksize=1)

Python needs ~46 s for 1e6 items on the 2-core reference machine, so by
default the anchor runs 50,000 items and Poolscope 1,000,000.  What is
compared is the per-task rate (tasks/s), which does not depend on N once
start-up is amortised.

Goal (from the issue): Poolscope >= 10x Python's tasks/s.
"""

import argparse
import subprocess
import sys

import benchlib as bl


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000,
                    help="items for Poolscope (default 1e6)")
    ap.add_argument("--py-n", type=int, default=50_000,
                    help="items for the Python anchor (default 5e4)")
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()

    ps = bl.poolscope_run()
    n, pyn = args.n, args.py_n
    base = [ps, "run", "--items", "1..%d" % n, "--workers", "2",
            "--workload", "square", "--order", "unordered",
            "--chunksize", "1", "-q"]
    v_none = base + ["--json", "--format", "none"]
    v_devnull = base + ["--format", "lines"]
    v_pipe = base + ["--format", "lines", "--json"]
    bl.header("throughput-chunk1: square, 2 workers, chunksize 1, unordered", [
        "poolscope N=%d, python N=%d, %d interleaved repetitions"
        % (n, pyn, args.reps),
        "A  python: Pool(2).imap_unordered(square, range(N), chunksize=1)",
        "B1 poolscope: %s" % " ".join(v_none[1:]),
        "B2 poolscope: %s  >/dev/null" % " ".join(v_devnull[1:]),
        "B3 poolscope: %s  | drained pipe" % " ".join(v_pipe[1:]),
    ])

    expect_sum = sum(i * i for i in range(1, n + 1))
    r = {k: [] for k in ("py_in", "py_proc", "py_pool",
                         "b1_wall", "b1_proc", "b2_proc",
                         "b3_wall", "b3_proc")}
    problems = []
    for rep in range(args.reps):
        proc, a = bl.anchor("chunk1", pyn)
        if not a["ok"]:
            problems.append("python anchor returned wrong results")
        r["py_in"].append(a["consume_s"])
        r["py_pool"].append(a["pool_create_s"])
        r["py_proc"].append(proc)

        proc, cp = bl.run_timed(v_none)
        j = bl.last_json_line(cp.stdout.decode())
        if j["ok"] != n or j["tasks"] != n:
            problems.append("B1: summary says tasks=%s ok=%s" %
                            (j["tasks"], j["ok"]))
        r["b1_wall"].append(j["wall_s"])
        r["b1_proc"].append(proc)

        proc, cp = bl.run_timed(v_devnull, stdout=subprocess.DEVNULL)
        r["b2_proc"].append(proc)

        proc, cp = bl.run_timed(v_pipe)
        lines = cp.stdout.split(b"\n")
        j = bl.last_json_line(cp.stdout.decode())
        results = [int(x) for x in lines if x and not x.startswith(b"{")]
        if len(results) != n or sum(results) != expect_sum:
            problems.append("B3: %d results, sum ok=%s"
                            % (len(results), sum(results) == expect_sum))
        r["b3_wall"].append(j["wall_s"])
        r["b3_proc"].append(proc)
        print("rep %d: py %.3f s (proc %.3f s) | ps none %.4f s (proc %.4f)"
              " | ps >/dev/null proc %.4f s | ps pipe %.4f s (proc %.4f)"
              % (rep + 1, r["py_in"][-1], r["py_proc"][-1], r["b1_wall"][-1],
                 r["b1_proc"][-1], r["b2_proc"][-1], r["b3_wall"][-1],
                 r["b3_proc"][-1]), flush=True)

    m = {k: bl.median(v) for k, v in r.items()}
    rate = {
        "py_in": pyn / m["py_in"], "py_proc": pyn / m["py_proc"],
        "b1_wall": n / m["b1_wall"], "b1_proc": n / m["b1_proc"],
        "b2_proc": n / m["b2_proc"],
        "b3_wall": n / m["b3_wall"], "b3_proc": n / m["b3_proc"],
    }
    print()
    rows = [
        ["A python, in-process (consume only)", bl.fmt_s(m["py_in"]),
         bl.fmt_rate(rate["py_in"]), "1.0x"],
        ["A python, whole process", bl.fmt_s(m["py_proc"]),
         bl.fmt_rate(rate["py_proc"]), "1.0x"],
        ["B1 poolscope --format none, wall_s", bl.fmt_s(m["b1_wall"]),
         bl.fmt_rate(rate["b1_wall"]),
         "%.1fx" % (rate["b1_wall"] / rate["py_in"])],
        ["B1 poolscope --format none, whole process", bl.fmt_s(m["b1_proc"]),
         bl.fmt_rate(rate["b1_proc"]),
         "%.1fx" % (rate["b1_proc"] / rate["py_proc"])],
        ["B2 poolscope >/dev/null, whole process", bl.fmt_s(m["b2_proc"]),
         bl.fmt_rate(rate["b2_proc"]),
         "%.1fx" % (rate["b2_proc"] / rate["py_proc"])],
        ["B3 poolscope | pipe, wall_s", bl.fmt_s(m["b3_wall"]),
         bl.fmt_rate(rate["b3_wall"]),
         "%.1fx" % (rate["b3_wall"] / rate["py_in"])],
        ["B3 poolscope | pipe, whole process", bl.fmt_s(m["b3_proc"]),
         bl.fmt_rate(rate["b3_proc"]),
         "%.1fx" % (rate["b3_proc"] / rate["py_proc"])],
    ]
    bl.table(rows, ["variant (medians)", "time", "tasks/s",
                    "vs python"])
    print()
    print("notes: tasks/s is a per-task rate (Poolscope N=%d, Python N=%d)."
          % (n, pyn))
    print("  wall_s (from --json) counts from run start, i.e. it includes"
          " forking the workers;")
    print("  the Python in-process time excludes Pool creation"
          " (median %s). In-process ratios"
          % bl.fmt_s(m["py_pool"]))
    print("  compare wall_s with Python's consume time; whole-process ratios"
          " compare process times.")
    print("  Python's whole process includes interpreter start-up and"
          " Pool creation.")
    worst = min(rate["b1_wall"] / rate["py_in"],
                rate["b2_proc"] / rate["py_proc"],
                rate["b3_wall"] / rate["py_in"])
    print()
    print("goal: Poolscope tasks/s >= 10x Python's: %s (lowest ratio over"
          " B1/B2/B3: %.1fx)" % (bl.verdict(worst >= 10), worst))
    for p in problems:
        print("PROBLEM: " + p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
