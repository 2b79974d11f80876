#!/usr/bin/env python3
"""Cost of /proc sampling: 64 sleeping workers, --sample-hz 10 vs 0.

poolscope-run run --workers 64 --workload sleep:1000 --items 1..64
              --sample-hz 10|0 -q --json --format none

What is measured is the CPU time of the engine process itself (all its
threads), not of its workers.  /proc/PID/stat of a zombie reads 0, and the
rusage of wait4() includes the reaped workers, so the harness polls
/proc/PID/task/*/schedstat (ns of CPU per thread) every few ms while the
engine runs, up to and including its zombie state (Popen does not reap it
until we ask), and keeps each thread's last value.  The wait4() rusage
(engine + workers) is shown for reference.

Sampling cost = (engine CPU at 10 Hz - engine CPU at 0 Hz) / wall time,
as a share of one core.  A steady-state rate over the middle of the run
(all workers started, none finished) is reported as well.

Goal (from the issue): < 0.1% of one core.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import benchlib as bl

POLL_S = 0.005


def read_stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    rest = s[s.rindex(")") + 2:].split()
    # rest[0] is field 3 (state); utime, stime are fields 14, 15
    return rest[0], int(rest[11]) + int(rest[12])


def thread_cpu_ns(pid, last):
    """Update last[tid] with each thread's schedstat run time (ns)."""
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                last[tid] = max(last.get(tid, 0), int(f.read().split()[0]))
        except (OSError, ValueError, IndexError):
            pass


def measure(argv, window):
    """Run argv, return a dict with the engine's own CPU time and more."""
    errf = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, stderr=errf)
    last = {}
    ticks = 0
    snaps = {}
    while True:
        try:
            state, t = read_stat(p.pid)
        except OSError:
            state = "?"
        thread_cpu_ns(p.pid, last)
        now = time.perf_counter() - t0
        if state != "Z" and state != "?":
            ticks = t
        for name, at in (("a", window[0]), ("b", window[1])):
            if name not in snaps and now >= at and state not in "Z?":
                snaps[name] = (now, sum(last.values()))
        if state in "Z?":
            break
        time.sleep(POLL_S)
    wall = time.perf_counter() - t0
    out = p.stdout.read()
    p.stdout.close()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    errf.seek(0)
    err = errf.read().decode(errors="replace")
    if p.returncode != 0:
        print("!! command failed (exit %d): %s\n!! stderr: %s"
              % (p.returncode, " ".join(argv), err))
        raise SystemExit(1)
    summary = bl.last_json_line(out.decode())
    steady = None
    if "a" in snaps and "b" in snaps:
        (ta, ca), (tb, cb) = snaps["a"], snaps["b"]
        steady = (cb - ca) / 1e9 / (tb - ta)
    return {
        "cpu_s": sum(last.values()) / 1e9,
        "threads": len(last),
        "ticks_s": ticks / os.sysconf("SC_CLK_TCK"),
        "rusage_s": ru.ru_utime + ru.ru_stime,
        "wall": wall,
        "wall_s": summary["wall_s"],
        "ok": summary["ok"],
        "steady": steady,
    }


def count_samples(argv):
    """One untimed run with --log: how many sample events were written."""
    with tempfile.TemporaryDirectory(prefix="ps-bench-samp-") as d:
        log = os.path.join(d, "run.jsonl")
        subprocess.run(argv + ["--log", log], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        n = 0
        pids = set()
        with open(log) as f:
            for line in f:
                e = json.loads(line)
                if e["event"] == "sample":
                    n += 1
                    pids.add(e["pid"])
        return n, len(pids)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=64)
    ap.add_argument("--sleep-ms", type=int, default=1000)
    ap.add_argument("--hz", type=int, default=10)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--busy", action="store_true",
                    help="workers burn CPU (cpu:MS) instead of sleeping")
    args = ap.parse_args()

    ps = bl.poolscope_run()
    w, s = args.workers, args.sleep_ms

    def ps_argv(hz):
        return [ps, "run", "--workers", str(w), "--workload", ("cpu:%d" if args.busy else "sleep:%d") % s,
                "--items", "1..%d" % w, "--sample-hz", str(hz), "-q",
                "--json", "--format", "none"]

    expected_s = s / 1000
    if args.busy:
        # every worker runs its one task the whole run, sharing the cores
        expected_s *= w / (os.cpu_count() or 1)
    window = (0.3 * expected_s, 0.9 * expected_s)
    bl.header("sampling-cost: engine CPU with /proc sampling, %d workers"
              % w, [
                  "%d interleaved repetitions (%d Hz, 0 Hz)"
                  % (args.reps, args.hz),
                  "poolscope: %s" % " ".join(ps_argv("HZ")[1:]),
                  "steady-state window: %.2f s .. %.2f s after start"
                  % window,
              ])
    n, npids = count_samples(ps_argv(args.hz))
    rounds = args.hz * s // 1000 - 1   # the first round is 1/HZ in
    print("check run with --log: %d sample events from %d pids (expected"
          " about %d rounds x %d workers = %d)"
          % (n, npids, rounds, w, rounds * w))
    n0, _ = count_samples(ps_argv(0))
    print("check run with --log at 0 Hz: %d sample events" % n0, flush=True)

    r = {hz: [] for hz in (args.hz, 0)}
    problems = []
    for rep in range(args.reps):
        cells = []
        for hz in (args.hz, 0):
            m = measure(ps_argv(hz), window)
            if m["ok"] != w:
                problems.append("%d Hz: ok=%s" % (hz, m["ok"]))
            r[hz].append(m)
            cells.append("%2d Hz: engine CPU %s (ticks %s, +workers %s),"
                         " wall %.3f s, steady %.3f%%"
                         % (hz, bl.fmt_s(m["cpu_s"]), bl.fmt_s(m["ticks_s"]),
                            bl.fmt_s(m["rusage_s"]), m["wall"],
                            100 * (m["steady"] or float("nan"))))
        print("rep %d: %s" % (rep + 1, " | ".join(cells)), flush=True)

    def med(hz, k):
        return bl.median([m[k] for m in r[hz] if m[k] is not None])

    hz = args.hz
    wall = bl.median([m["wall_s"] for m in r[hz] + r[0]])
    cost = (med(hz, "cpu_s") - med(0, "cpu_s")) / wall
    pair = bl.median([(a["cpu_s"] - b["cpu_s"]) / a["wall_s"]
                      for a, b in zip(r[hz], r[0])])
    steady = med(hz, "steady") - med(0, "steady")
    print()
    rows = [
        ["engine CPU (schedstat, all threads)", bl.fmt_s(med(hz, "cpu_s")),
         bl.fmt_s(med(0, "cpu_s")),
         bl.fmt_s(med(hz, "cpu_s") - med(0, "cpu_s"))],
        ["engine utime+stime (ticks, last read)", bl.fmt_s(med(hz, "ticks_s")),
         bl.fmt_s(med(0, "ticks_s")),
         bl.fmt_s(med(hz, "ticks_s") - med(0, "ticks_s"))],
        ["wait4 rusage (engine + 64 workers)", bl.fmt_s(med(hz, "rusage_s")),
         bl.fmt_s(med(0, "rusage_s")),
         bl.fmt_s(med(hz, "rusage_s") - med(0, "rusage_s"))],
        ["wall_s", bl.fmt_s(med(hz, "wall_s")), bl.fmt_s(med(0, "wall_s")),
         ""],
        ["engine CPU rate, steady window", "%.3f%%" % (100 * med(hz, "steady")),
         "%.3f%%" % (100 * med(0, "steady")), "%.3f%%" % (100 * steady)],
    ]
    bl.table(rows, ["medians", "%d Hz" % hz, "0 Hz", "difference"])
    print()
    print("sampling cost, whole run: %.3f%% of a core (difference of medians"
          " / wall), %.3f%% (median of pairs)" % (100 * cost, 100 * pair))
    print("sampling cost, steady state: %.3f%% of a core" % (100 * steady))
    print("engine CPU with sampling off, steady state: %.3f%% of a core"
          % (100 * med(0, "steady")))
    print("notes: tick-based utime+stime has 10 ms resolution and is shown"
          " only as a cross-check;")
    print("  the engine's CPU in the whole run includes forking %d workers."
          % w)
    print("  the whole run also pays once per worker: opening its /proc files"
          " and its first smaps_rollup (PSS) read.")
    print()
    print("goal: sampling at %d Hz for %d workers < 0.1%% of a core, as a"
          " rate (steady state): %s (%.3f%%; whole run %.3f%%)"
          % (hz, w, bl.verdict(steady < 0.001), 100 * steady, 100 * cost))
    for p in problems:
        print("PROBLEM: " + p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
