#!/usr/bin/env python3
"""A sweep measures what hyperfine measures, and costs no more than its runs.

For each batch (sleep:20 and cpu:10, 64 items, chunksize 1) and each of
1, 2 and 4 workers, two measurements of the same runs, interleaved:

  sweep      poolscope-run sweep --workers 1,2,4 --reps R --json --log L:
             each count's median wall_s (the engine's run-start..run-end)
  hyperfine  hyperfine -N --runs R 'poolscope-run run --workers N ...
             -q --format none': the median of each whole-process time

Goals (from the issue): each count's sweep median within 10% of
hyperfine's, and the sweep's whole process no longer than the sum of its
runs' walls (warm-up included, from the log) + 50 ms a run.

hyperfine times whole processes (exec, parsing the options, the engine's
start, the run, the exit): a few ms more than the run itself, which is
what the sweep times; at these batch sizes that is ~1-3%.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import benchlib as bl


def sweep(exe, batch, counts, reps, log):
    t0 = time.perf_counter()
    cp = subprocess.run([exe, "sweep"] + batch + ["--workers", ",".join(map(str, counts)), "--reps", str(reps),
                                                 "--json", "-q", "--log", log],
                        capture_output=True, text=True, check=True)
    whole = time.perf_counter() - t0
    result = json.loads(cp.stdout)
    walls = []
    with open(log) as f:
        for line in f:
            o = json.loads(line)
            if o["event"] == "run-end":
                walls.append(o["t"] / 1e9)
    return {p["workers"]: p["wall_s"] for p in result["points"]}, whole, walls


def hyperfine(exe, batch, n, reps, out):
    cmd = " ".join([exe, "run"] + batch + ["--workers", str(n), "-q", "--format", "none"])
    subprocess.run(["hyperfine", "-N", "--runs", str(reps), "--export-json", out, "--style", "none", cmd],
                   capture_output=True, text=True, check=True)
    with open(out) as f:
        return json.load(f)["results"][0]["median"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2, help="sweep/hyperfine pairs, interleaved")
    args = ap.parse_args()
    if shutil.which("hyperfine") is None:
        sys.exit("error: hyperfine is not installed (apt-get install hyperfine)")
    exe = bl.poolscope_run()
    counts = [1, 2, 4]
    batches = {
        "sleep:20": ["--items", "1..64", "--workload", "sleep:20", "--chunksize", "1", "--seed", "1"],
        "cpu:10": ["--items", "1..64", "--workload", "cpu:10", "--chunksize", "1", "--seed", "1"],
    }
    bl.header("sweep-agreement: poolscope-run sweep against hyperfine over the same runs",
              ["%d rounds of (sweep, hyperfine per count), %d repetitions each" % (args.rounds, args.reps)])
    tmp = tempfile.mkdtemp(prefix="ps-bench-sweep-")
    worst_ratio, worst_overhead = 0.0, 0.0
    for name, batch in batches.items():
        s_med = {n: [] for n in counts}
        h_med = {n: [] for n in counts}
        overheads = []
        for r in range(args.rounds):
            meds, whole, walls = sweep(exe, batch, counts, args.reps, os.path.join(tmp, "log.jsonl"))
            for n in counts:
                s_med[n].append(meds[n])
            overheads.append((whole - sum(walls)) / len(walls))
            for n in counts:
                h_med[n].append(hyperfine(exe, batch, n, args.reps, os.path.join(tmp, "h.json")))
        rows = []
        for n in counts:
            s, h = bl.median(s_med[n]), bl.median(h_med[n])
            ratio = s / h
            worst_ratio = max(worst_ratio, abs(ratio - 1))
            rows.append([str(n), bl.fmt_s(s), bl.fmt_s(h), "%.3f" % ratio])
        print("\n%s (medians of %d rounds)" % (name, args.rounds))
        bl.table(rows, ["workers", "sweep wall_s", "hyperfine", "sweep / hyperfine"])
        overhead = bl.median(overheads)
        worst_overhead = max(worst_overhead, overhead)
        print("sweep process beyond its runs: %s a run (median of rounds)" % bl.fmt_s(overhead))
    shutil.rmtree(tmp, ignore_errors=True)
    print()
    print("goal: each count within 10%% of hyperfine: %s (worst %.1f%%)"
          % (bl.verdict(worst_ratio <= 0.10), 100 * worst_ratio))
    print("goal: sweep <= its runs + 50 ms a run: %s (worst %s a run)"
          % (bl.verdict(worst_overhead <= 0.050), bl.fmt_s(worst_overhead)))


if __name__ == "__main__":
    main()
