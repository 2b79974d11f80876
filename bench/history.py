#!/usr/bin/env python3
"""History: listing 10,000 kept runs from the SQLite index.

A data folder with N kept run logs (each a real run's log, copied) and
its index is made once; then, interleaved:

Poolscope: poolscope-run history --json   (open the index, bring it in
           line with the runs folder — a readdir and a query —, list)
Anchor:    Python's sqlite3 reading the same rows from the same index

Goal (from the issue): a history of 10,000 runs opens in under 200 ms.
The app's History page does what `history` does, in a thread.
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

import benchlib as bl

PY_LIST = r'''
import sqlite3, sys, json
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT id, started_ns, items, workload, start_method, workers, tasks, ok, failed, "
                  "cancelled, wall_ns, status, path, size FROM runs ORDER BY started_ns DESC, id DESC").fetchall()
print(json.dumps([list(r) for r in rows])[:1])
'''


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--reps", type=int, default=7)
    args = ap.parse_args()

    ps = bl.poolscope_run()
    tmp = tempfile.mkdtemp(prefix="ps-bench-history-")
    # every poolscope-run of this script keeps its history here
    os.environ["XDG_DATA_HOME"] = tmp
    env = dict(os.environ)
    runs = os.path.join(tmp, "poolscope", "runs")
    subprocess.run([ps, "run", "--items", "1..100", "-j2", "--save", "-q", "--format", "none"], env=env,
                   check=True)
    first = os.path.join(runs, sorted(os.listdir(runs))[0])
    for i in range(1, args.n):
        shutil.copyfile(first, os.path.join(runs, "run-20260101-000000Z-%05d.jsonl" % i))
    t0 = time.perf_counter()
    subprocess.run([ps, "history", "--json"], env=env, check=True, stdout=subprocess.DEVNULL)
    index_s = time.perf_counter() - t0
    db = os.path.join(tmp, "poolscope", "index.sqlite3")

    bl.header("history: %d kept runs" % args.n, [
        "%d interleaved repetitions; the index was made once from the logs in %s" % (args.reps, bl.fmt_s(index_s)),
        "poolscope: poolscope-run history --json (whole process)",
        "python:    sqlite3 SELECT of the same rows (whole process)",
    ])
    r = {"ps": [], "py": []}
    for rep in range(args.reps):
        w, cp = bl.run_timed([ps, "history", "--json"], stdout=subprocess.PIPE)
        n = len(json.loads(cp.stdout))
        if n != args.n:
            print("PROBLEM: %d runs listed, not %d" % (n, args.n))
        r["ps"].append(w)
        w, _ = bl.run_timed([bl.PYTHON, "-c", PY_LIST, db])
        r["py"].append(w)
        print("rep %d: poolscope %s | python %s" % (rep + 1, bl.fmt_s(r["ps"][-1]), bl.fmt_s(r["py"][-1])),
              flush=True)
    m = {k: bl.median(v) for k, v in r.items()}
    print()
    bl.table([["poolscope-run history --json", bl.fmt_s(m["ps"])],
              ["python sqlite3 SELECT", bl.fmt_s(m["py"])]],
             ["variant (medians, whole process)", "time"])
    print()
    print("goal: %d runs listed in under 200 ms: %s (%s)" % (args.n, bl.verdict(m["ps"] < 0.2), bl.fmt_s(m["ps"])))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
