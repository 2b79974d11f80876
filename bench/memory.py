#!/usr/bin/env python3
"""Private memory of a fork worker: Poolscope vs a Python Pool worker.

Poolscope: poolscope-run run --workers 2 --workload sleep:1500 --items 1..2
           --sample-hz 10 --log FILE
           -> "uss" (private bytes) and "pss" of the workers' sample events;
           cross-checked by this harness reading the workers'
           /proc/PID/smaps_rollup itself in the middle of the run.
Anchor:    Pool(2) (fork), both workers have run one task and are idle;
           Private_Clean + Private_Dirty (and Pss) from smaps_rollup.

Goal (from the issue): a Poolscope fork worker's private memory <= 1 MiB.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import anchors
import benchlib as bl

MIB = 1024 * 1024


def smaps(pid):
    """Private, Pss and Rss bytes of pid, read as the Python anchor reads them."""
    private, pss, rss = anchors.private_bytes(pid)
    return {"private": private, "pss": pss, "rss": rss}


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def run_ps(argv, log, probe_at):
    """Run poolscope-run; returns (log events, harness smaps of workers)."""
    errf = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, stderr=errf)
    probed = []
    while p.poll() is None:
        if not probed and time.perf_counter() - t0 >= probe_at:
            for c in children(p.pid):
                try:
                    d = smaps(c)
                    d["pid"] = c
                    probed.append(d)
                except OSError:
                    pass
        time.sleep(0.02)
    out = p.stdout.read()
    p.stdout.close()
    p.wait()
    if p.returncode != 0:
        errf.seek(0)
        print("!! command failed (exit %d): %s\n!! stderr: %s"
              % (p.returncode, " ".join(argv),
                 errf.read().decode(errors="replace")))
        raise SystemExit(1)
    with open(log) as f:
        ev = [json.loads(x) for x in f if x.strip()]
    return out, ev, probed


def mib(b):
    return "%.3f MiB" % (b / MIB)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--sleep-ms", type=int, default=1500)
    ap.add_argument("--no-spawn", action="store_true",
                    help="skip the spawn reference rows")
    args = ap.parse_args()

    ps = bl.poolscope_run()
    tmp = tempfile.mkdtemp(prefix="ps-bench-mem-")
    log = os.path.join(tmp, "run.jsonl")
    methods = ("fork",) if args.no_spawn else ("fork", "spawn")

    def ps_argv(method):
        return [ps, "run", "--workers", "2", "--workload",
                "sleep:%d" % args.sleep_ms, "--items", "1..2",
                "--sample-hz", "10", "--start", method, "-q",
                "--log", log]

    bl.header("memory: private memory of a pool worker (2 workers)", [
        "%d interleaved repetitions (py, ps per start method: %s)"
        % (args.reps, ", ".join(methods)),
        "poolscope: %s" % " ".join(ps_argv("fork")[1:]).replace(log, "FILE"),
        "python:    Pool(2); map(square, [1, 2]); sleep 0.3 s; smaps_rollup"
        " of pool._pool",
    ])

    keys = ("uss", "pss", "rss", "h_private", "h_pss")
    r = {(who, m, k): [] for who in ("ps", "py") for m in methods
         for k in keys}
    problems = []
    for rep in range(args.reps):
        cells = []
        for m in methods:
            _, a = bl.anchor("memory", m, 300)
            ws = a["workers"]
            r[("py", m, "h_private")].append(max(w["private"] for w in ws))
            r[("py", m, "h_pss")].append(max(w["pss"] for w in ws))
            r[("py", m, "rss")].append(max(w["rss"] for w in ws))

            if os.path.exists(log):
                os.unlink(log)
            out, ev, probed = run_ps(ps_argv(m), log,
                                     probe_at=args.sleep_ms / 2000)
            if out.split() != [b"1", b"2"]:
                problems.append("poolscope %s: stdout %r" % (m, out[:80]))
            samples = [e for e in ev if e["event"] == "sample"]
            if not samples:
                problems.append("poolscope %s: no sample events" % m)
                continue
            last = {}
            for e in samples:          # the last sample of each worker
                last[e["pid"]] = e
            r[("ps", m, "uss")].append(max(e["uss"] for e in last.values()))
            r[("ps", m, "pss")].append(max(e["pss"] for e in last.values()))
            r[("ps", m, "rss")].append(max(e["rss"] for e in last.values()))
            wpids = {e["pid"] for e in ev if e["event"] == "worker-start"}
            hp = [d for d in probed if d["pid"] in wpids]
            if len(hp) != 2:
                problems.append("poolscope %s: harness found %d of the 2"
                                " workers" % (m, len(hp)))
            if hp:
                r[("ps", m, "h_private")].append(max(d["private"]
                                                      for d in hp))
                r[("ps", m, "h_pss")].append(max(d["pss"] for d in hp))
            cells.append("%s: py private %s | ps uss %s, pss %s (harness:"
                         " private %s)" % (
                             m, mib(r[("py", m, "h_private")][-1]),
                             mib(r[("ps", m, "uss")][-1]),
                             mib(r[("ps", m, "pss")][-1]),
                             mib(r[("ps", m, "h_private")][-1])
                             if hp else "n/a"))
        print("rep %d: %s" % (rep + 1, " || ".join(cells)), flush=True)
    try:
        os.unlink(log)
    except OSError:
        pass
    os.rmdir(tmp)

    med = {k: bl.median(v) for k, v in r.items()}
    print("\n(largest of the 2 workers per repetition; medians over"
          " repetitions)\n")
    rows = []
    for m in methods:
        rows.append(["python Pool worker (%s)" % m,
                     mib(med[("py", m, "h_private")]),
                     mib(med[("py", m, "h_pss")]),
                     mib(med[("py", m, "rss")]), "1.00"])
        rows.append(["poolscope worker (%s), from its log" % m,
                     mib(med[("ps", m, "uss")]), mib(med[("ps", m, "pss")]),
                     mib(med[("ps", m, "rss")]),
                     "%.3f" % (med[("ps", m, "uss")]
                               / med[("py", m, "h_private")])])
        rows.append(["poolscope worker (%s), harness smaps" % m,
                     mib(med[("ps", m, "h_private")]),
                     mib(med[("ps", m, "h_pss")]), "",
                     "%.3f" % (med[("ps", m, "h_private")]
                               / med[("py", m, "h_private")])])
    bl.table(rows, ["worker", "private (uss)", "pss", "rss",
                    "private vs python"])
    worst = max(med[("ps", "fork", "uss")], med[("ps", "fork", "h_private")])
    print()
    print("goal: Poolscope fork worker private memory <= 1 MiB: %s (%s)"
          % (bl.verdict(worst <= MIB), mib(worst)))
    for p in problems:
        print("PROBLEM: " + p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
