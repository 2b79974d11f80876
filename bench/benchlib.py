"""Shared helpers for the Poolscope benchmarks (stdlib only).

Every benchmark runs the Python anchor and poolscope-run side by side in
one invocation, alternating A/B repetitions, and prints medians and ratios.
"""

import json
import os
import shutil
import platform
import statistics
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)

# The Python anchors run in a fresh interpreter.  We use the interpreter
# that runs this script (sys.executable, i.e. the real pyenv 3.11 binary),
# not the pyenv shim, which is a bash script and would add tens of
# milliseconds to every whole-process time of the anchor.
PYTHON = sys.executable


def poolscope_run():
    """Path of poolscope-run: $POOLSCOPE_RUN or _build/src/cli/poolscope-run."""
    path = os.environ.get("POOLSCOPE_RUN")
    if not path:
        path = os.path.join(REPO_ROOT, "_build", "src", "cli", "poolscope-run")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        sys.exit("error: poolscope-run not found at %s "
                 "(build it, or set POOLSCOPE_RUN)" % path)
    return path


def header(title, extra=None):
    print("=" * 72)
    print(title)
    print("-" * 72)
    print("date:      %s" % time.strftime("%Y-%m-%d %H:%M:%S"))
    print("host:      %s, %d CPUs, load %s" % (
        platform.node(), os.cpu_count() or 0, loadavg()))
    print("python:    %s (%s)" % (platform.python_version(), PYTHON))
    print("poolscope: %s" % poolscope_run())
    if extra:
        for line in extra:
            print(line)
    print("-" * 72, flush=True)


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt_s(s):
    if s != s:  # nan
        return "n/a"
    if s < 1e-3:
        return "%.1f µs" % (s * 1e6)
    if s < 1:
        return "%.2f ms" % (s * 1e3)
    return "%.3f s" % s


def fmt_rate(r):
    if r >= 1e6:
        return "%.2f M/s" % (r / 1e6)
    if r >= 1e3:
        return "%.1f k/s" % (r / 1e3)
    return "%.1f /s" % r


def last_json_line(text):
    """The --json summary: the last non-empty line of stdout."""
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line:
            return json.loads(line)
    raise ValueError("no JSON summary on stdout")


def run_timed(argv, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
              check=True):
    """Run argv, return (whole-process wall seconds, CompletedProcess).

    With stdout=PIPE the pipe is drained by communicate() while the child
    runs, so the child never blocks on a full pipe.
    """
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=stdout, stdin=stdin,
                         stderr=subprocess.PIPE)
    out, err = p.communicate()
    wall = time.perf_counter() - t0
    cp = subprocess.CompletedProcess(argv, p.returncode, out, err)
    if check and p.returncode != 0:
        print("!! command failed (exit %d): %s" % (p.returncode,
                                                  " ".join(argv)))
        if err:
            print("!! stderr: %s" % err.decode(errors="replace")[-2000:])
        raise SystemExit(1)
    return wall, cp


ANCHORS = os.path.join(BENCH_DIR, "anchors.py")


def anchor(name, *args):
    """Run a Python anchor of bench/anchors.py in a fresh interpreter.

    The anchor prints one JSON line last; returns (whole-process wall s, dict).
    """
    wall, cp = run_timed([PYTHON, ANCHORS, name] + [str(a) for a in args])
    return wall, last_json_line(cp.stdout.decode())


def table(rows, headers):
    """Print a simple aligned table. rows: list of lists of str."""
    widths = [len(h) for h in headers]
    for r in rows:
        for i, c in enumerate(r):
            widths[i] = max(widths[i], len(c))
    line = "  ".join(h.ljust(widths[i]) for i, h in enumerate(headers))
    print(line)
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)))


def verdict(ok):
    return "MET" if ok else "NOT MET"


XVFB_SCREEN = "1280x800x24"


def start_display(use_display):
    """Start Xvfb on a free display; returns (DISPLAY, Popen or None).

    With use_display (or without Xvfb installed) the current $DISPLAY is
    used; with neither, there is nothing to run the app on: say so.
    """
    have = os.environ.get("DISPLAY")
    xvfb = shutil.which("Xvfb")
    if use_display or not xvfb:
        if have:
            if not use_display:
                print("note: Xvfb not found, using DISPLAY=%s" % have)
            return have, None
        sys.exit("error: the app needs an X display and there is none: "
                 "install Xvfb (Debian/Ubuntu: apt install xvfb) so that this "
                 "script starts its own, or run it under xvfb-run -a -s "
                 "'-screen 0 %s' with --use-display" % XVFB_SCREEN)
    r, w = os.pipe()
    p = subprocess.Popen([xvfb, "-displayfd", str(w), "-screen", "0",
                          XVFB_SCREEN, "-nolisten", "tcp"],
                         pass_fds=(w,), stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    num = b""
    while not num.endswith(b"\n"):
        chunk = os.read(r, 64)
        if not chunk:
            break
        num += chunk
    os.close(r)
    if not num.strip():
        p.kill()
        p.wait()
        sys.exit("error: Xvfb did not start (%s)" % xvfb)
    return ":" + num.decode().strip(), p


def stop_display(p):
    if p is not None:
        p.terminate()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def app_path():
    """The app: $POOLSCOPE_APP or _build/src/app/poolscope."""
    path = os.environ.get("POOLSCOPE_APP") or os.path.join(
        REPO_ROOT, "_build", "src", "app", "poolscope")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        sys.exit("error: the app was not found at %s "
                 "(build it, or set POOLSCOPE_APP)" % path)
    return path


def built(path):
    """The file's modification time: which build was measured."""
    return time.strftime("%Y-%m-%d %H:%M:%S",
                         time.localtime(os.stat(path).st_mtime))


def task_ends(events):
    """(task, worker, start, end) of each final task-end of a run log's
    events (parsed JSON lines), "tasks" lines included (docs/log-format.md:
    six numbers a task, each start the previous end plus a gap)."""
    out = []
    for e in events:
        if e["event"] == "task-end" and not e.get("retry"):
            out.append((e["task"], e["worker"], e["start"], e["end"]))
        elif e["event"] == "tasks":
            prev = e["start"]
            for task, _item, gap, dur, _cpu, _result in e["tasks"]:
                out.append((task, e["worker"], prev + gap, prev + gap + dur))
                prev += gap + dur
    return out


def read_log(path):
    """A run log's events, one parsed JSON object a line."""
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]
