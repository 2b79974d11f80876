#!/usr/bin/env python3
"""Throughput of an ordered map: square over N items, 2 workers, default chunking.

Poolscope: poolscope-run run --items 1..N --workers 2 --workload square
           --order map  (default chunksize, "as Pool.map"), results printed
Anchor:    Pool(2).map(square, range(N))

Goal (from the issue): Poolscope >= 2x as fast as Python.
"""

import argparse
import subprocess
import sys

import benchlib as bl


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()

    ps = bl.poolscope_run()
    n = args.n
    base = [ps, "run", "--items", "1..%d" % n, "--workers", "2",
            "--workload", "square", "--order", "map", "-q"]
    v_pipe = base + ["--json"]
    v_devnull = base
    v_none = base + ["--json", "--format", "none"]
    bl.header("throughput-map: square, 2 workers, default chunking, in order", [
        "N=%d, %d interleaved repetitions" % (n, args.reps),
        "A  python: Pool(2).map(square, range(N))",
        "B1 poolscope: %s  | drained pipe" % " ".join(v_pipe[1:]),
        "B2 poolscope: %s  >/dev/null" % " ".join(v_devnull[1:]),
        "B3 poolscope: %s  (no printing, for reference)"
        % " ".join(v_none[1:]),
    ])
    expect = b"".join(b"%d\n" % (i * i) for i in range(1, n + 1))

    r = {k: [] for k in ("py_map", "py_pool", "py_proc",
                         "b1_wall", "b1_proc", "b2_proc",
                         "b3_wall", "b3_proc")}
    problems = []
    for rep in range(args.reps):
        proc, a = bl.anchor("map", n)
        if not a["ok"]:
            problems.append("python anchor returned wrong results")
        r["py_map"].append(a["map_s"])
        r["py_pool"].append(a["pool_create_s"])
        r["py_proc"].append(proc)

        proc, cp = bl.run_timed(v_pipe)
        j = bl.last_json_line(cp.stdout.decode())
        body = cp.stdout[:cp.stdout.rfind(b"\n{") + 1]
        if body != expect:
            problems.append("B1: results are not 1,4,9,... in order "
                            "(%d bytes vs %d expected)"
                            % (len(body), len(expect)))
        r["b1_wall"].append(j["wall_s"])
        r["b1_proc"].append(proc)

        proc, cp = bl.run_timed(v_devnull, stdout=subprocess.DEVNULL)
        r["b2_proc"].append(proc)

        proc, cp = bl.run_timed(v_none)
        j = bl.last_json_line(cp.stdout.decode())
        if j["ok"] != n:
            problems.append("B3: summary says ok=%s" % j["ok"])
        r["b3_wall"].append(j["wall_s"])
        r["b3_proc"].append(proc)
        print("rep %d: py map %.3f s (+pool %.3f s, proc %.3f s) | ps pipe"
              " %.4f s (proc %.4f s) | ps >/dev/null proc %.4f s"
              " | ps none %.4f s (proc %.4f s)"
              % (rep + 1, r["py_map"][-1], r["py_pool"][-1], r["py_proc"][-1],
                 r["b1_wall"][-1], r["b1_proc"][-1], r["b2_proc"][-1],
                 r["b3_wall"][-1], r["b3_proc"][-1]),
              flush=True)

    m = {k: bl.median(v) for k, v in r.items()}
    py_with_pool = bl.median([a + b for a, b in zip(r["py_map"],
                                                     r["py_pool"])])
    print()
    rows = [
        ["A python map() call", bl.fmt_s(m["py_map"]), "1.0x"],
        ["A python Pool(2) + map()", bl.fmt_s(py_with_pool), "1.0x"],
        ["A python whole process", bl.fmt_s(m["py_proc"]), "1.0x"],
        ["B1 poolscope | pipe, wall_s", bl.fmt_s(m["b1_wall"]),
         "%.1fx vs map(), %.1fx vs Pool+map()"
         % (m["py_map"] / m["b1_wall"], py_with_pool / m["b1_wall"])],
        ["B1 poolscope | pipe, whole process", bl.fmt_s(m["b1_proc"]),
         "%.1fx vs python whole process" % (m["py_proc"] / m["b1_proc"])],
        ["B2 poolscope >/dev/null, whole process", bl.fmt_s(m["b2_proc"]),
         "%.1fx vs python whole process" % (m["py_proc"] / m["b2_proc"])],
        ["B3 poolscope --format none, wall_s", bl.fmt_s(m["b3_wall"]),
         "%.1fx vs map() (reference only)" % (m["py_map"] / m["b3_wall"])],
        ["B3 poolscope --format none, whole proc", bl.fmt_s(m["b3_proc"]),
         "%.1fx vs python whole process (reference only)"
         % (m["py_proc"] / m["b3_proc"])],
    ]
    bl.table(rows, ["variant (medians)", "time", "speed-up (python/poolscope)"])
    print()
    print("notes: wall_s (from --json) counts from run start, so it includes"
          " forking the workers;")
    print("  Poolscope also prints every result (Python's map only builds a"
          " list).")
    print("  The goal is judged on the printed variants B1 (in-run: wall_s vs"
          " the map() call)")
    print("  and B2 (whole process vs whole process); B3 is for reference.")
    worst = min(m["py_map"] / m["b1_wall"], m["py_proc"] / m["b2_proc"])
    print()
    print("goal: Poolscope >= 2x as fast as Python: %s (lowest ratio %.1fx)"
          % (bl.verdict(worst >= 2), worst))
    for p in problems:
        print("PROBLEM: " + p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
