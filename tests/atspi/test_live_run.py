#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs batches in the real poolscope binary as a screen-reader user would,
# over AT-SPI, and checks the processes behind it with /proc:
#
# 1. --preset square, Workers set to 3 through the spin button, Run
#    pressed: the status reads "Finished", the Results text is the
#    squares, and three workers are named in the Progress view.
# 2. Stop pressed in the middle of long sleep tasks: the status reads
#    "Stopped…", no worker is left a second later, the app lives on.
# 3. SIGKILL to the engine mid-run: the window says so in words, what was
#    recorded stays, no worker is left, the app lives on.
# 4. SIGKILL to the app mid-run: the engine and its workers are gone
#    within a second (PR_SET_PDEATHSIG on both).
#
# Prints TAP.

import os
import signal
import subprocess
import sys
import time

import gi
gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_main_window import find, find_app, wait_for  # noqa: E402

results = []
SQUARES = "[1, 4, 9, 16, 25, 36, 49, 64, 81]"


def tap(ok, name, detail=""):
    results.append(bool(ok))
    print(("ok" if ok else "not ok"), len(results), "-", name,
          ("# " + str(detail)) if detail and not ok else "")
    sys.stdout.flush()


def text_of(node):
    try:
        t = node.get_text_iface()
        return t.get_text(0, t.get_character_count()) if t else ""
    except Exception:
        return ""


STATUS_PREFIXES = ("Ready", "Starting", "Running", "Finished", "Stopped", "Stopping", "Error")


def find_pred(node, pred, depth=0):
    if node is None or depth > 40:
        return None
    try:
        if pred(node):
            return node
        for i in range(node.get_child_count()):
            found = find_pred(node.get_child_at_index(i), pred, depth + 1)
            if found is not None:
                return found
    except Exception:
        return None
    return None


def status_text(app):
    """The status line: the label whose text starts like a status does."""
    # (the History page's Status cells say "Finished" or "Stopped" alone)
    label = find_pred(app, lambda n: n.get_role_name() == "label" and
                      (n.get_name() or "").startswith(STATUS_PREFIXES) and
                      (n.get_name() or "") not in ("Finished", "Stopped"))
    return label.get_name() if label is not None else ""


def results_view(app):
    return find_pred(app, lambda n: n.get_role_name() == "text" and
                     (n.get_name() or "").startswith("Results"))


def progress_rows(app):
    """The Progress table as a screen reader walks it: a dict per worker
    row, column title to cell text (cells are named "Title: text")."""
    table = find(app, "tree table", "Progress")
    rows = []
    if table is None:
        return rows

    def walk(node, depth=0):
        if node is None or depth > 6:
            return
        try:
            if node.get_role_name() == "table row" and node.get_name() != "Column titles":
                cells = {}
                for i in range(node.get_child_count()):
                    cell = node.get_child_at_index(i)
                    title, _, text = (cell.get_name() or "").partition(": ")
                    cells[title] = text
                if cells.get("Worker"):
                    rows.append(cells)
                return
            for i in range(node.get_child_count()):
                walk(node.get_child_at_index(i), depth + 1)
        except Exception:
            return
    walk(table)
    return rows


def click(node):
    action = node.get_action_iface()
    for i in range(action.get_n_actions()):
        if action.get_action_name(i) in ("click", "press", "activate"):
            return action.do_action(i)
    return action.do_action(0)


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except OSError:
        return False


def engine_and_workers(app_pid):
    engines = [p for p in children(app_pid) if "poolscope-run" in open("/proc/%d/cmdline" % p).read()]
    if not engines:
        return None, []
    return engines[0], children(engines[0])


def wait_for_pool(app_pid, n):
    """The app's engine and its workers once n of them run, or (None, [])."""
    def ready():
        engine, workers = engine_and_workers(app_pid)
        return (engine, workers) if len(workers) == n else None
    return wait_for(ready) or (None, [])


# the runs the app keeps: a folder of this script's run, so that each
# starts from an empty History (and its tree stays small to walk)
DATA_HOME = None


def start(args):
    global DATA_HOME
    env = dict(os.environ)
    env.pop("GTK_A11Y", None)
    env.pop("NO_AT_BRIDGE", None)
    if DATA_HOME is None:
        import tempfile
        base = os.environ.get("XDG_DATA_HOME") or tempfile.gettempdir()
        os.makedirs(base, exist_ok=True)
        DATA_HOME = tempfile.mkdtemp(prefix="atspi-", dir=base)
    env["XDG_DATA_HOME"] = DATA_HOME
    proc = subprocess.Popen([env["POOLSCOPE"]] + args, env=env)
    app = find_app("poolscope")
    return proc, app


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def square_run():
    proc, app = start(["--preset", "square"])
    try:
        tap(app is not None, "square: the application is on the accessibility bus")
        if app is None:
            return
        spin = wait_for(lambda: find(app, "spin button", "Workers"))
        spin.get_value_iface().set_current_value(3)
        tap(wait_for(lambda: spin.get_value_iface().get_current_value() == 3),
            "square: Workers set to 3 through the spin button")
        run = wait_for(lambda: find(app, "push button", "Run"))
        click(run)
        status = wait_for(lambda: status_text(app).startswith("Finished") and status_text(app))
        tap(status and status.startswith("Finished: 9 tasks"), "square: the status says Finished: 9 tasks",
            status_text(app))

        # the Results are on the Ordering page
        page = wait_for(lambda: find(app, "page tab", "Ordering"))
        tap(page is not None, "square: a button for the Ordering page")
        if page is not None:
            click(page)
        res = wait_for(lambda: SQUARES in text_of(results_view(app) or app) and results_view(app))
        tap(res and text_of(res).strip() == SQUARES, "square: the Results text is the squares in order",
            text_of(results_view(app)) if results_view(app) else "no Results text")

        rows = progress_rows(app)
        named = sorted(r["Worker"] for r in rows)
        tap(named == ["ForkPoolWorker-1", "ForkPoolWorker-2", "ForkPoolWorker-3"],
            "square: the Progress table has a row for each of the three workers", rows)
        timeline = find(app, "image", "Timeline")
        tap(timeline is not None and "3 worker lanes" in timeline.get_description(),
            "square: the Timeline has three lanes",
            timeline.get_description() if timeline else "no Timeline")
    finally:
        stop(proc)


def stop_mid_run():
    proc, app = start(["--items", "1..8", "--workload", "sleep:20000", "--workers", "4", "--run"])
    try:
        if app is None:
            tap(False, "stop: the application is on the accessibility bus")
            return
        wait_for(lambda: status_text(app).startswith("Running"))
        engine, workers = wait_for_pool(proc.pid, 4)
        tap(len(workers) == 4, "stop: four workers run", workers)
        button = wait_for(lambda: find(app, "push button", "Stop"))
        t0 = time.time()
        click(button)
        status = wait_for(lambda: status_text(app).startswith("Stopped") and status_text(app))
        tap(status and status.startswith("Stopped after 0 of 8 tasks"), "stop: the status says Stopped",
            status_text(app))
        time.sleep(max(0, 1.0 - (time.time() - t0)))
        left = [p for p in workers if alive(p)]
        tap(not left, "stop: no worker is left a second after Stop", left)
        tap(proc.poll() is None and find(app, "frame", "Poolscope") is not None,
            "stop: the app lives on")
        run = find(app, "push button", "Run")
        tap(run is not None, "stop: Run is offered again")
        # Stop is a cancel, not four crashes: the workers read as stopped
        rows = wait_for(lambda: [r for r in progress_rows(app) if r.get("Now") == "stopped"] and progress_rows(app)) or []
        tap(len(rows) == 4 and all(r.get("Now") == "stopped" for r in rows),
            "stop: Progress says the four workers were stopped, none died", rows)
        toast = find_pred(app, lambda n: "died" in (n.get_name() or ""))
        tap(toast is None, "stop: no toast of dead workers", toast.get_name() if toast else "")
    finally:
        stop(proc)


def kill_engine():
    proc, app = start(["--items", "1..8", "--workload", "sleep:20000", "--workers", "2", "--run"])
    try:
        if app is None:
            tap(False, "engine killed: the application is on the accessibility bus")
            return
        engine, workers = wait_for_pool(proc.pid, 2)
        wait_for(lambda: status_text(app).startswith("Running"))
        os.kill(engine, signal.SIGKILL)
        status = wait_for(lambda: status_text(app).startswith("Error") and status_text(app))
        tap(status and "engine" in status, "engine killed: the status says so in words", status_text(app))
        time.sleep(1.0)
        left = [p for p in workers if alive(p)]
        tap(not left, "engine killed: its workers are gone", left)
        rows = progress_rows(app)
        desc = " ".join(r["Worker"] + ": " + r.get("Now", "") for r in rows)
        tap("ForkPoolWorker-1" in desc and "ForkPoolWorker-2" in desc,
            "engine killed: what was recorded stays on screen", desc)
        tap(proc.poll() is None, "engine killed: the app lives on")
    finally:
        stop(proc)


def kill_app():
    proc, app = start(["--items", "1..8", "--workload", "sleep:20000", "--workers", "2", "--run"])
    try:
        engine, workers = wait_for_pool(proc.pid, 2)
        tap(engine is not None and len(workers) == 2, "app killed: an engine with two workers runs")
        proc.kill()
        proc.wait()
        t0 = time.time()
        gone = wait_for(lambda: not any(alive(p) for p in [engine] + workers if p), timeout=1.0)
        tap(gone, "app killed: engine and workers are gone within a second (%.2f s)" % (time.time() - t0),
            [p for p in [engine] + workers if p and alive(p)])
    finally:
        stop(proc)


def main():
    print("1..20")
    square_run()
    stop_mid_run()
    kill_engine()
    kill_app()
    while len(results) < 18:
        tap(False, "not reached")


if __name__ == "__main__":
    main()
    sys.exit(0 if all(results) else 1)
