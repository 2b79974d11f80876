#!/usr/bin/env python3
"""Live run of sleep tasks for minutes: the app's memory must stay flat.

App:  poolscope --items 1..N --workload sleep:100 --workers 8 --run on a
      private Xvfb (GSK_RENDERER=cairo: Xvfb has no GPU), samples at 10 Hz
      (the app's default), N sized so that the run lasts --minutes
      (N = workers * minutes * 60 s / sleep).
The harness reads the app's VmRSS (and RssAnon) from /proc/PID/status every
--interval seconds from outside, from run start (the workers appear) to run
end (they are gone), then ends the app with SIGTERM.

The app keeps one 40-byte record per task and 4 bytes of completion order
in arrays sized, and made resident, before the run starts (the model
prepares them while the engine is not yet asked), so they are in the RSS
from the first read on. What grows with tasks done is a worker's lane, 4
bytes a task. Samples go to rings of 1200 per worker, two minutes at 10 Hz,
full after the first two minutes.

Goal (from the issue): a 10-minute run of sleep tasks keeps the app's memory
flat.  Judged on the second half of the run (after the rings are full): RSS
growth < --bound-kib.
"""

import argparse
import os
import signal
import subprocess
import sys
import time

import benchlib as bl

XVFB_SCREEN = bl.XVFB_SCREEN
TASK_BYTES = 44       # PsTaskRec 40 + completion 4, resident from run start
LANE_BYTES = 4        # a worker's lane: grows with tasks done (ps-run-model.c)
SAMPLE_BYTES = 24     # PsSampleRec: what one sample would cost if kept
KIB = 1024.0


def children(pid):
    kids = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                kids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return kids


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def status(pid):
    """VmRSS, RssAnon, RssFile in bytes from /proc/PID/status."""
    vals = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                vals[k] = int(v.split()[0]) * 1024
    return vals


def cpu_s(pid):
    """utime + stime of pid, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def slope(points):
    """Least-squares slope of [(t, y)]: y per unit of t."""
    if len(points) < 2:
        return float("nan")
    n = len(points)
    mt = sum(t for t, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((t - mt) ** 2 for t, _ in points)
    return sum((t - mt) * (y - my) for t, y in points) / den if den else 0.0


def at(samples, t):
    """The sample nearest to time t."""
    return min(samples, key=lambda s: abs(s["t"] - t))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10,
                    help="length of the run (default 10)")
    ap.add_argument("--sleep-ms", type=int, default=100)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--interval", type=float, default=2,
                    help="seconds between RSS reads (default 2)")
    ap.add_argument("--bound-kib", type=float, default=256,
                    help="second-half growth counted as flat"
                    " (default 256 KiB)")
    ap.add_argument("--renderer", default="cairo",
                    help="GSK_RENDERER for the app (default cairo: Xvfb has"
                    " no GPU)")
    ap.add_argument("--csv", metavar="FILE",
                    help="also write every read (t, VmRSS, RssAnon, app CPU)"
                    " to FILE")
    ap.add_argument("--use-display", action="store_true",
                    help="run the app on $DISPLAY instead of a private Xvfb")
    args = ap.parse_args()

    ps = bl.poolscope_run()
    app = bl.app_path()
    n = int(round(args.workers * args.minutes * 60000 / args.sleep_ms))
    argv = [app, "--items", "1..%d" % n, "--workload",
            "sleep:%d" % args.sleep_ms, "--workers", str(args.workers),
            "--run"]
    display, xvfb = bl.start_display(args.use_display)
    try:
        bl.header("live-sleep-memory: the app's RSS over a %g-minute live run"
                  " of sleep tasks" % args.minutes, [
                      "app:       %s (built %s)" % (app, bl.built(app)),
                      "engine:    built %s" % bl.built(ps),
                      "display:   %s (%s), GSK_RENDERER=%s" % (
                          display, "private Xvfb %s" % XVFB_SCREEN if xvfb
                          else "$DISPLAY", args.renderer),
                      "run:       poolscope %s" % " ".join(argv[1:]),
                      "           (samples at 10 Hz, the app's default;"
                      " VmRSS read every %g s)" % args.interval,
                  ])
        return measure(args, ps, app, argv, n, display)
    finally:
        bl.stop_display(xvfb)


def measure(args, ps, app, argv, n, display):
    env = dict(os.environ)
    env.update({
        "DISPLAY": display, "GDK_BACKEND": "x11",
        "GSK_RENDERER": args.renderer, "GSETTINGS_BACKEND": "memory",
        "GSETTINGS_SCHEMA_DIR": os.environ.get(
            "GSETTINGS_SCHEMA_DIR", os.path.join(bl.REPO_ROOT, "_build", "data")),
        "POOLSCOPE_ENGINE": ps,
    })
    env.pop("WAYLAND_DISPLAY", None)
    # No POOLSCOPE_FRAME_STATS: its array of frame times grows by 8 bytes a
    # frame (~28 KiB a minute at 60 Hz), which is the harness, not the app.
    for k in ("POOLSCOPE_FRAME_STATS", "POOLSCOPE_QUIT_AFTER_RUN"):
        env.pop(k, None)

    engine_comm = os.path.basename(ps)[:15]   # /proc/PID/comm is cut at 15
    launched = time.monotonic()
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    samples, t0, ended, engine = [], None, None, None
    expected = args.minutes * 60
    deadline = launched + 60 + 2 * expected
    next_read = 0.0
    try:
        while p.poll() is None and time.monotonic() < deadline:
            now = time.monotonic()
            if engine is None:
                engine = next((c for c in children(p.pid)
                               if comm(c) == engine_comm), None)
            if t0 is None and now - launched > 60:
                print("!! no workers 60 s after launching the app")
                break
            workers = len(children(engine)) if engine else 0
            if t0 is None and workers > 0:
                t0 = now
                print("run started %.1f s after launch; %d workers"
                      % (t0 - launched, workers), flush=True)
            if t0 is not None and now >= next_read:
                s = status(p.pid)
                s["t"] = now - t0
                s["cpu"] = cpu_s(p.pid)
                s["workers"] = workers
                samples.append(s)
                next_read = now + args.interval
                if len(samples) % max(1, int(60 / args.interval)) == 1:
                    print("t=%6.1f s  VmRSS %8.2f MiB  RssAnon %8.2f MiB"
                          "  app CPU %.1f s" % (s["t"], s["VmRSS"] / 2**20,
                                                 s["RssAnon"] / 2**20,
                                                 s["cpu"]), flush=True)
            if t0 is not None and workers == 0:
                ended = now
                break
            time.sleep(min(0.25, args.interval))
        if ended is not None:
            time.sleep(1.0)          # the last redraw of the finished run
            after = status(p.pid)
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        try:
            _, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
    if ended is None or len(samples) < 4:
        print("!! the run did not start and end as expected (t0=%s, ended=%s,"
              " %d reads); app stderr: %s"
              % (t0, ended, len(samples),
                 err.decode(errors="replace")[-2000:]))
        return 1

    if args.csv:
        with open(args.csv, "w") as f:
            f.write("t_s,vmrss_kib,rssanon_kib,app_cpu_s\n")
            for s in samples:
                f.write("%.2f,%d,%d,%.3f\n" % (s["t"], s["VmRSS"] // 1024,
                                               s["RssAnon"] // 1024, s["cpu"]))
    dur = ended - t0
    rate = n / dur                                  # tasks done per second
    half = dur / 2
    second = [s for s in samples if s["t"] >= half and s["workers"] > 0]
    first_min = at(samples, 60.0)
    # judged while the run is on: the last read is at its end, when the
    # app draws the finished run (a one-time cost, shown in the table)
    during = [s for s in samples if s["workers"] > 0] or samples
    mid, last = at(during, half), during[-1]
    grow2 = last["VmRSS"] - mid["VmRSS"]
    anon2 = last["RssAnon"] - mid["RssAnon"]
    tasks2 = rate * (last["t"] - mid["t"])
    lanes2 = tasks2 * LANE_BYTES
    sl = slope([(s["t"] / 60, s["VmRSS"] / KIB) for s in second])
    sl_anon = slope([(s["t"] / 60, s["RssAnon"] / KIB) for s in second])
    sl_lanes = rate * 60 * LANE_BYTES / KIB
    unbounded = ((args.workers + 1) * 10 * 60 * SAMPLE_BYTES) / KIB
    cpu = (last["cpu"] - samples[0]["cpu"]) / (last["t"] - samples[0]["t"])

    print()
    print("run: %d tasks in %.1f s (%.1f tasks/s), %d RSS reads; app CPU"
          " %.1f%% of a core" % (n, dur, rate, len(samples), 100 * cpu))
    if err.strip():
        print("app stderr: %s" % err.decode(errors="replace").strip()[-500:])
    print()
    mib = lambda b: "%.2f MiB" % (b / 2**20)
    rows = [
        ["run start (first read)", "%.0f s" % samples[0]["t"],
         mib(samples[0]["VmRSS"]), mib(samples[0]["RssAnon"])],
        ["~1 min", "%.0f s" % first_min["t"], mib(first_min["VmRSS"]),
         mib(first_min["RssAnon"])],
        ["half-way", "%.0f s" % mid["t"], mib(mid["VmRSS"]),
         mib(mid["RssAnon"])],
        ["last read while workers ran", "%.0f s" % last["t"],
         mib(last["VmRSS"]), mib(last["RssAnon"])],
        ["at the run's end (finished run drawn)", "%.0f s" % samples[-1]["t"],
         mib(samples[-1]["VmRSS"]), mib(samples[-1]["RssAnon"])],
        ["1 s after the run ended", "", mib(after["VmRSS"]),
         mib(after["RssAnon"])],
        ["peak during the run", "", mib(max(s["VmRSS"] for s in samples)),
         mib(max(s["RssAnon"] for s in samples))],
    ]
    bl.table(rows, ["app RSS", "t", "VmRSS", "RssAnon"])
    print()
    rows = [
        ["RSS growth, half-way to end", "%+.0f KiB" % (grow2 / KIB),
         "RssAnon %+.0f KiB" % (anon2 / KIB)],
        ["  for scale: lanes of the %.0f tasks done (x %d B)"
         % (tasks2, LANE_BYTES), "%+.0f KiB" % (lanes2 / KIB), ""],
        ["slope over the second half (least squares)", "%+.1f KiB/min" % sl,
         "RssAnon %+.1f KiB/min" % sl_anon],
        ["  lanes at %.1f tasks/s" % rate, "%+.1f KiB/min" % sl_lanes, ""],
        ["  samples, if they were all kept (%d x 10 Hz x %d B)"
         % (args.workers + 1, SAMPLE_BYTES), "%+.1f KiB/min" % unbounded,
         "(for scale)"],
    ]
    bl.table(rows, ["second half (%.0f-%.0f s)" % (mid["t"], last["t"]),
                    "VmRSS", ""])
    print()
    print("notes: the per-task records of all %d tasks (%s) are resident"
          " before the run starts;" % (n, mib(n * TASK_BYTES)))
    print("  a worker's lane grows by %d bytes a task done." % LANE_BYTES)
    print("  Samples go to rings of 1200 per worker (+1 total): full 2 min"
          " into the run; the second")
    print("  half of a run shorter than ~4 min still includes rings"
          " filling.")
    if args.minutes < 4:
        print("  (this run is %g min: the verdict is indicative only)"
              % args.minutes)
    print()
    print("goal: app memory flat over a %g-minute sleep run: %s (second half:"
          " %+.0f KiB, bound %.0f KiB; %+.1f KiB/min)"
          % (args.minutes, bl.verdict(grow2 < args.bound_kib * KIB),
             grow2 / KIB, args.bound_kib, sl))
    return 0


if __name__ == "__main__":
    sys.exit(main())
