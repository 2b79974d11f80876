#!/usr/bin/env python3
"""Opening a 10^6-task log in the app, against Python reading the same file.

Two logs of 1,000,000 tasks, made by poolscope-run at the start:
  kept:   --items 1..N --workload square -j2 --chunksize 1 (as the app keeps
          a run: mostly "tasks" lines, ~37 bytes a task)
  jsonl:  --items @FILE of N text lines --workload print -j2 (a task-start,
          a task-end and an output line a task, ~516 bytes a task: the log
          no "tasks" line shortens)
App:      poolscope LOG with POOLSCOPE_FRAME_STATS=FILE and
          POOLSCOPE_QUIT_AFTER_RUN=1: the app reads the log in its thread,
          builds the run's model, paints the Live page once and quits;
          shown_s is from the start of the reading to that paint, and the
          app's RSS growth over it / N is its memory a task.
Python:   json.loads of every line (only reading; it builds no model), the
          floor a user's own script starts from.

Goals (from the issue): a kept run shown in <= 2 s with <= 64 bytes a task
of app memory; a JSON Lines log in <= 5 s.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import benchlib as bl

PY_READ = r'''
import json, sys
n = 0
with open(sys.argv[1], "rb") as f:
    for line in f:
        json.loads(line)
        n += 1
print(n)
'''


def app_env(display, extra):
    env = dict(os.environ)
    env.update({
        "DISPLAY": display,
        "GDK_BACKEND": "x11",
        "GSK_RENDERER": "cairo",
        "GSETTINGS_BACKEND": "memory",
        "GSETTINGS_SCHEMA_DIR": os.environ.get(
            "GSETTINGS_SCHEMA_DIR", os.path.join(bl.REPO_ROOT, "_build", "data")),
        "POOLSCOPE_ENGINE": bl.poolscope_run(),
        "XDG_DATA_HOME": extra.pop("XDG_DATA_HOME"),
    })
    env.pop("WAYLAND_DISPLAY", None)
    env.update(extra)
    return env


def open_in_app(app, log, display, data_home, timeout=120):
    fd, stats = tempfile.mkstemp(prefix="poolscope-fs-", suffix=".json")
    os.close(fd)
    os.unlink(stats)
    env = app_env(display, {"POOLSCOPE_FRAME_STATS": stats, "POOLSCOPE_QUIT_AFTER_RUN": "1",
                            "XDG_DATA_HOME": data_home})
    p = subprocess.Popen([app, log], env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        print("!! the app did not quit within %d s" % timeout)
        raise SystemExit(1)
    try:
        with open(stats) as f:
            d = json.loads(f.read())
        os.unlink(stats)
    except (OSError, ValueError) as e:
        print("!! no statistics from the app (exit %d, %s): %s" % (p.returncode, e,
                                                                   err.decode(errors="replace")[-2000:]))
        raise SystemExit(1)
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--use-display", action="store_true",
                    help="run on $DISPLAY rather than a new Xvfb")
    args = ap.parse_args()

    ps = bl.poolscope_run()
    app = bl.app_path()
    tmp = tempfile.mkdtemp(prefix="ps-bench-replay-")
    data_home = os.path.join(tmp, "data")
    kept = os.path.join(tmp, "kept.jsonl")
    text = os.path.join(tmp, "text.jsonl")
    items = os.path.join(tmp, "items.txt")
    with open(items, "w") as f:
        for i in range(args.n):
            f.write("item-%d\n" % i)
    bl.run_timed([ps, "run", "--items", "1..%d" % args.n, "-j2", "--chunksize", "1", "-q",
                  "--format", "none", "--log", kept], stdout=subprocess.DEVNULL)
    bl.run_timed([ps, "run", "--items", "@" + items, "--workload", "print", "-j2", "-q",
                  "--format", "none", "--log", text], stdout=subprocess.DEVNULL)
    display, display_proc = bl.start_display(args.use_display)
    try:
        bl.header("replay: a %d-task log opened in the app" % args.n, [
            "%d interleaved repetitions; app %s" % (args.reps, bl.built(app)),
            "kept:  %.0f MB (square, chunksize 1)" % (os.path.getsize(kept) / 1e6),
            "jsonl: %.0f MB (text items, print: task-start, task-end, output a task)"
            % (os.path.getsize(text) / 1e6),
            "python: json.loads of every line, nothing kept",
        ])
        r = {k: [] for k in ("kept", "jsonl", "py-kept", "py-jsonl")}
        mem = {"kept": [], "jsonl": []}
        for rep in range(args.reps):
            for name, log in (("kept", kept), ("jsonl", text)):
                d = open_in_app(app, log, display, data_home)
                if d["done"] != args.n:
                    print("PROBLEM: the app shows %d tasks done, not %d" % (d["done"], args.n))
                r[name].append(d["shown_s"])
                mem[name].append((d["rss_after"] - d["rss_before"]) / args.n)
                w, cp = bl.run_timed([bl.PYTHON, "-c", PY_READ, log])
                r["py-" + name].append(w)
            print("rep %d: kept %.2f s, python %.2f s | jsonl %.2f s, python %.2f s" % (
                rep + 1, r["kept"][-1], r["py-kept"][-1], r["jsonl"][-1], r["py-jsonl"][-1]), flush=True)
    finally:
        bl.stop_display(display_proc)

    m = {k: bl.median(v) for k, v in r.items()}
    mm = {k: bl.median(v) for k, v in mem.items()}
    print()
    bl.table([
        ["kept run, app to first paint", bl.fmt_s(m["kept"]), "%.0f B" % mm["kept"],
         "%.1fx" % (m["py-kept"] / m["kept"])],
        ["kept run, python json.loads", bl.fmt_s(m["py-kept"]), "", "1.0x"],
        ["JSON Lines, app to first paint", bl.fmt_s(m["jsonl"]), "%.0f B" % mm["jsonl"],
         "%.1fx" % (m["py-jsonl"] / m["jsonl"])],
        ["JSON Lines, python json.loads", bl.fmt_s(m["py-jsonl"]), "", "1.0x"],
    ], ["variant (medians)", "time", "app memory a task", "vs python"])
    print()
    print("goal: a kept run in <= 2 s: %s (%s)" % (bl.verdict(m["kept"] <= 2), bl.fmt_s(m["kept"])))
    print("goal: <= 64 bytes a task of app memory (kept run): %s (%.0f B)" % (
        bl.verdict(mm["kept"] <= 64), mm["kept"]))
    print("goal: a JSON Lines log in <= 5 s: %s (%s)" % (bl.verdict(m["jsonl"] <= 5), bl.fmt_s(m["jsonl"])))
    for dirpath, dirnames, filenames in os.walk(tmp, topdown=False):
        for f in filenames:
            os.unlink(os.path.join(dirpath, f))
        for d in dirnames:
            os.rmdir(os.path.join(dirpath, d))
    os.rmdir(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
