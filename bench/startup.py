#!/usr/bin/env python3
"""Start-up: time from start to the first result with 2 workers, fork and spawn.

Poolscope: poolscope-run run --items 1..2 --workers 2 --workload square
           --start fork|spawn --log FILE
  in-run:        the first task's "end" in the log (ns since run start)
  whole process: from Popen to the first line on its stdout (a pipe)
Anchor:    multiprocessing.get_context(fork|spawn); Pool(2); imap(square, [1, 2])
  in-run:        perf_counter before creating the Pool to the first result
  whole process: from Popen to the first line on its stdout (a pipe)

Goal (from the issue): Poolscope <= 1/5 of Python's time, for each method.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import benchlib as bl

METHODS = ("fork", "spawn")


def to_first_line(argv):
    """(seconds from Popen to the first stdout line, first line, rest)."""
    # stderr goes to a file: communicate() would bypass the buffer that
    # readline() filled, so stdout is read to its end with read() instead.
    errf = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         stderr=errf)
    line = p.stdout.readline()
    t1 = time.perf_counter()
    rest = p.stdout.read()
    p.stdout.close()
    p.wait()
    errf.seek(0)
    err = errf.read()
    errf.close()
    if p.returncode != 0:
        print("!! command failed (exit %d): %s\n!! stderr: %s"
              % (p.returncode, " ".join(argv), err.decode(errors="replace")))
        raise SystemExit(1)
    return t1 - t0, line, rest


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=9)
    args = ap.parse_args()

    ps = bl.poolscope_run()
    tmp = tempfile.mkdtemp(prefix="ps-bench-startup-")
    log = os.path.join(tmp, "run.jsonl")

    def ps_argv(method):
        return [ps, "run", "--items", "1..2", "--workers", "2",
                "--workload", "square", "--start", method, "-q",
                "--log", log]

    bl.header("startup: start to first result, 2 workers", [
        "%d interleaved repetitions (py fork, ps fork, py spawn, ps spawn)"
        % args.reps,
        "python:    get_context(M); Pool(2); next(imap(square, [1, 2]))",
        "poolscope: %s" % " ".join(ps_argv("M")[1:]).replace(log, "FILE"),
    ])

    r = {(who, m, k): [] for who in ("py", "ps") for m in METHODS
         for k in ("in", "proc", "cost")}
    problems = []
    for rep in range(args.reps):
        cells = []
        for m in METHODS:
            proc, line, rest = to_first_line(
                [bl.PYTHON, bl.ANCHORS, "startup", m])
            a = bl.last_json_line(rest.decode())
            if line.strip() != b"1" or not a["ok"]:
                problems.append("python %s: wrong results" % m)
            r[("py", m, "in")].append(a["first_s"])
            r[("py", m, "proc")].append(proc)

            if os.path.exists(log):
                os.unlink(log)
            proc, line, rest = to_first_line(ps_argv(m))
            if line.strip() != b"1" or rest.split() != [b"4"]:
                problems.append("poolscope %s: output %r" % (m, line + rest))
            ev = bl.read_log(log)
            ends = [end for _t, _w, _s, end in bl.task_ends(ev)]
            costs = [e["start_cost_ns"] for e in ev
                     if e["event"] == "worker-start"]
            if len(ends) != 2:
                problems.append("poolscope %s: %d task-end events"
                                % (m, len(ends)))
            r[("ps", m, "in")].append(min(ends) / 1e9)
            r[("ps", m, "proc")].append(proc)
            r[("ps", m, "cost")].append(max(costs) / 1e9 if costs else 0)
            cells.append("%s: py %s / %s, ps %s / %s" % (
                m, bl.fmt_s(r[("py", m, "in")][-1]),
                bl.fmt_s(r[("py", m, "proc")][-1]),
                bl.fmt_s(r[("ps", m, "in")][-1]),
                bl.fmt_s(r[("ps", m, "proc")][-1])))
        print("rep %d: %s" % (rep + 1, " | ".join(cells)), flush=True)
    try:
        os.unlink(log)
    except OSError:
        pass
    os.rmdir(tmp)

    m_ = {k: bl.median(v) for k, v in r.items()}
    print("\n(in-run / whole process to first stdout line)\n")
    rows = []
    verdicts = []
    for m in METHODS:
        for k, label in (("in", "in-run"), ("proc", "whole process")):
            py, psv = m_[("py", m, k)], m_[("ps", m, k)]
            ratio = psv / py
            verdicts.append((m, label, ratio))
            rows.append([m, label, bl.fmt_s(py), bl.fmt_s(psv),
                         "%.3f (1/%.0f)" % (ratio, 1 / ratio),
                         bl.verdict(ratio <= 0.2)])
    bl.table(rows, ["method", "measure", "python", "poolscope",
                    "poolscope/python", "goal <= 1/5"])
    print()
    print("poolscope worker start_cost_ns (slowest of the 2 workers, median):"
          " fork %s, spawn %s" % (bl.fmt_s(m_[("ps", "fork", "cost")]),
                                  bl.fmt_s(m_[("ps", "spawn", "cost")])))
    print("notes: Poolscope's in-run time is when the worker finished the"
          " first task (task-end 'end'),")
    print("  counted from run start (after exec and option parsing);"
          " Python's is when the parent")
    print("  received the first result, counted from just before Pool()"
          " (after interpreter start-up")
    print("  and 'import multiprocessing'). The whole-process figures include"
          " everything for both.")
    ok = all(ratio <= 0.2 for _, _, ratio in verdicts)
    print()
    print("goal: Poolscope <= 1/5 of Python for fork and spawn: %s"
          % bl.verdict(ok))
    for p in problems:
        print("PROBLEM: " + p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
