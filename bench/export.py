#!/usr/bin/env python3
"""Exports: a 10^6-task run log as csv, jsonl, joblog and trace.

Poolscope: poolscope-run export LOG --to FORMAT -o FILE (whole process,
           reading the log included)
Anchor:    Python reading the same log (json.loads a line, the "tasks"
           lines expanded) and writing the same CSV rows with csv.writer

Goal (from the issue): >= 10^6 tasks a second for csv, jsonl and trace.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

import benchlib as bl

PY_CSV = r'''
import csv, json, sys
out = csv.writer(open(sys.argv[2], "w", newline=""))
out.writerow(["task", "item", "worker", "pid", "attempt", "status", "start_s", "end_s",
              "duration_s", "cpu_s", "result", "message"])
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] == "tasks":
        end = e["start"]
        for task, item, gap, dur, cpu, result in e["tasks"]:
            start = end + gap
            end = start + dur
            out.writerow([task, item, e["worker"], e["pid"], 0, "ok", "%.9f" % (start / 1e9),
                          "%.9f" % (end / 1e9), "%.9f" % (dur / 1e9), "%.9f" % (cpu / 1e9), result, ""])
            n += 1
    elif e["event"] == "task-end":
        out.writerow([e["task"], e["item"], e["worker"], e["pid"], e["attempt"], e["status"],
                      "%.9f" % (e["start"] / 1e9), "%.9f" % (e["end"] / 1e9),
                      "%.9f" % ((e["end"] - e["start"]) / 1e9), "%.9f" % (e["cpu_ns"] / 1e9),
                      e.get("result", ""), e.get("message", "")])
        n += 1
print(n)
'''


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()

    ps = bl.poolscope_run()
    tmp = tempfile.mkdtemp(prefix="ps-bench-export-")
    log = os.path.join(tmp, "run.log")
    bl.run_timed([ps, "run", "--items", "1..%d" % args.n, "-j2", "--chunksize", "1", "-q",
                  "--format", "none", "--log", log], stdout=subprocess.DEVNULL)
    formats = ["csv", "jsonl", "joblog", "trace"]
    bl.header("export: a %d-task log (%.1f MB) as %s" % (args.n, os.path.getsize(log) / 1e6,
                                                         ", ".join(formats)), [
        "%d interleaved repetitions" % args.reps,
        "poolscope: poolscope-run export LOG --to FORMAT -o FILE",
        "python:    json.loads per line + csv.writer, the same CSV rows",
    ])
    r = {k: [] for k in formats + ["python"]}
    sizes = {}
    for rep in range(args.reps):
        for f in formats:
            out = os.path.join(tmp, "out." + f)
            w, _ = bl.run_timed([ps, "export", log, "--to", f, "-o", out], stdout=subprocess.DEVNULL)
            r[f].append(w)
            sizes[f] = os.path.getsize(out)
        out = os.path.join(tmp, "py.csv")
        w, cp = bl.run_timed([bl.PYTHON, "-c", PY_CSV, log, out])
        if int(cp.stdout.decode().strip()) != args.n:
            print("PROBLEM: the Python anchor read %s tasks" % cp.stdout.decode().strip())
        r["python"].append(w)
        print("rep %d: %s | python csv %.3f s" % (
            rep + 1, " | ".join("%s %.3f s" % (f, r[f][-1]) for f in formats), r["python"][-1]), flush=True)

    m = {k: bl.median(v) for k, v in r.items()}
    print()
    rows = []
    for f in formats:
        rows.append(["poolscope export --to " + f, bl.fmt_s(m[f]), bl.fmt_rate(args.n / m[f]),
                     "%.0f MB" % (sizes[f] / 1e6), "%.1fx" % (m["python"] / m[f])])
    rows.append(["python json + csv.writer", bl.fmt_s(m["python"]), bl.fmt_rate(args.n / m["python"]),
                 "", "1.0x"])
    bl.table(rows, ["variant (medians, whole process)", "time", "tasks/s", "output", "vs python"])
    worst = min(args.n / m[f] for f in ("csv", "jsonl", "trace"))
    print()
    print("goal: csv, jsonl and trace >= 1 M tasks/s: %s (slowest %s)" % (bl.verdict(worst >= 1e6),
                                                                         bl.fmt_rate(worst)))
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
