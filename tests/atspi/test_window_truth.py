#!/usr/bin/python3
# test_window_truth.py: the window tells the truth, as a screen reader
# finds it (AT-SPI on the real binary):
# 1. a FIFO in Items: refused in words within a second, the window answers
# 2. three wrong fields: three rows marked invalid at once, three lines said
# 3. 12 workers: the Progress table has 12 rows, each name whole
# 4. the CPU chart's description is the finished run's, though the run was
#    watched on the Timeline tab
# 5. a 360 px window reaches every page through the bottom switcher
# 6. a sweep from the Sizing page: its results table and recommendation
#    are read, and "Use Recommended Size" changes Workers
# 7. a command for each item: its row says what is wrong before Run, and
#    its output is read in the console after; the History lists the run
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import subprocess
import sys
import tempfile
import time

import gi
gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_main_window import find, find_app, wait_for  # noqa: E402
from test_live_run import click, find_pred, progress_rows, start, status_text, stop  # noqa: E402

results = []


def tap(ok, name, detail=""):
    results.append(bool(ok))
    print(("ok" if ok else "not ok"), len(results), "-", name,
          ("# " + str(detail)) if detail and not ok else "")
    sys.stdout.flush()


def set_text(node, text):
    Atspi.EditableText.set_text_contents(node, text)


def form_error(app):
    label = find_pred(app, lambda n: n.get_role_name() == "label" and
                      (n.get_name() or "").startswith(("Items: ", "Workload: ", "Chunk size: ")))
    return label.get_name() if label is not None else ""


def invalid(node):
    return node.get_state_set().contains(Atspi.StateType.INVALID)


def form_checks():
    tmp = tempfile.mkdtemp(prefix="ps-atspi-")
    fifo = os.path.join(tmp, "items.fifo")
    os.mkfifo(fifo)
    proc, app = start(["--preset", "square"])
    try:
        tap(app is not None, "form: the application is on the accessibility bus")
        if app is None:
            return
        items = wait_for(lambda: find(app, "text", "Items"))
        workload = find(app, "text", "Workload")
        chunks = find(app, "text", "Chunk size")
        t0 = time.time()
        set_text(items, "@" + fifo)
        said = wait_for(lambda: "named pipe" in form_error(app) and form_error(app), timeout=5)
        took = time.time() - t0
        # the time includes this script's walks of the accessibility tree
        tap(said and took < 2.0, "form: a FIFO in Items is refused in words at once (%.2f s)" % took,
            form_error(app))
        # the window answers meanwhile: the menu opens, the status is read
        t0 = time.time()
        # the menu button's own button is the one with an action
        menu = find_pred(app, lambda n: n.get_role_name() == "push button" and n.get_name() == "Main Menu" and
                         n.get_action_iface() is not None and n.get_action_iface().get_n_actions() > 0)
        click(menu)
        opened = wait_for(lambda: find(app, "push button", "Open Run Log…") or
                          find_pred(app, lambda n: "Open Run Log" in (n.get_name() or "")), timeout=3)
        tap(opened is not None and time.time() - t0 < 2.0,
            "form: the main menu opens at once with a FIFO in Items (%.2f s)" % (time.time() - t0))
        click(menu)

        set_text(items, "5..1")
        set_text(workload, "cpu:-1")
        set_text(chunks, "0")
        lines = wait_for(lambda: form_error(app).count("\n") == 2 and form_error(app), timeout=5) or form_error(app)
        tap(lines.startswith("Items: ") and "\nWorkload: " in lines and "\nChunk size: " in lines,
            "form: three wrong fields are said at once, a line each", lines)
        marked = [n.get_name() for n in (items, workload, chunks) if invalid(n)]
        tap(len(marked) == 3, "form: the three rows are marked invalid for a screen reader", marked)
        run = find(app, "push button", "Run")
        tap(run is not None and not run.get_state_set().contains(Atspi.StateType.SENSITIVE),
            "form: Run is disabled while a field is wrong")
    finally:
        stop(proc)
        os.unlink(fifo)
        os.rmdir(tmp)


def twelve_workers():
    proc, app = start(["--items", "1..600", "--workload", "cpu:2", "--workers", "12", "--run"])
    try:
        tap(app is not None, "12 workers: the application is on the accessibility bus")
        if app is None:
            return
        status = wait_for(lambda: status_text(app).startswith("Finished") and status_text(app), timeout=60)
        tap(status, "12 workers: the run finishes", status_text(app))
        rows = wait_for(lambda: len(progress_rows(app)) == 12 and progress_rows(app)) or progress_rows(app)
        names = sorted((r["Worker"] for r in rows), key=lambda n: int(n.rsplit("-", 1)[1]))
        tap(names == ["ForkPoolWorker-%d" % k for k in range(1, 13)],
            "12 workers: the Progress table has 12 rows, each name whole", names)
        done = sum(int(r.get("Done", "0").replace(",", "")) for r in rows)
        tap(done == 600, "12 workers: their Done cells add up to the 600 tasks", done)
        # watched on the Timeline tab: the CPU chart was never shown
        cpu = find(app, "image", "CPU usage")
        desc = cpu.get_description() if cpu is not None else ""
        tap("total" in desc and "ForkPoolWorker" in desc and "No run" not in desc,
            "12 workers: the CPU chart's description tells of this run though never shown", desc)
        timeline = find(app, "image", "Timeline")
        tap(timeline is not None and "12 worker lanes" in timeline.get_description(),
            "12 workers: the Timeline's description counts 12 lanes",
            timeline.get_description() if timeline else "")
    finally:
        stop(proc)


def narrow():
    proc, app = start(["--preset", "square"])
    try:
        tap(app is not None, "narrow: the application is on the accessibility bus")
        if app is None:
            return
        wid = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^Poolscope$"],
                             capture_output=True, text=True, timeout=20).stdout.split()
        if wid:
            subprocess.run(["xdotool", "windowsize", wid[0], "360", "640"], timeout=10)

        # GTK 4.8 reports no "showing" state: the bottom bar's switcher is
        # the last of the view switchers in the tree (the others are the
        # header's wide and narrow forms); its tabs must switch the pages
        def switchers():
            found = []

            def walk(n, d=0):
                if n is None or d > 40:
                    return
                if n.get_role_name() == "page tab list" and n.get_child_count() == 3 and \
                   n.get_child_at_index(0).get_name() == "Live":
                    found.append(n)
                for i in range(n.get_child_count()):
                    walk(n.get_child_at_index(i), d + 1)
            walk(app)
            return found
        lists = wait_for(lambda: switchers(), timeout=10) or []
        tap(len(lists) == 3, "narrow: the view switcher is there in the header and in the bottom bar",
            [tl.get_name() for tl in lists])
        if not lists:
            return
        reached = []
        for i, name in ((1, "Sizing"), (2, "History"), (0, "Live")):
            tab = lists[-1].get_child_at_index(i)
            click(tab)
            if wait_for(lambda: tab.get_state_set().contains(Atspi.StateType.SELECTED) or
                        tab.get_state_set().contains(Atspi.StateType.CHECKED), timeout=5):
                reached.append(name)
        tap(reached == ["Sizing", "History", "Live"], "narrow: the bottom switcher reaches every page", reached)
        shot = os.path.join(os.environ.get("PS_SCREENSHOT_DIR", "."), "narrow-x11.png")
        if wid:
            subprocess.run(["import", "-window", wid[0], shot], timeout=20)
    finally:
        stop(proc)


def sweep():
    proc, app = start(["--items", "1..24", "--workload", "sleep:10", "--chunksize", "1", "--workers", "1"])
    try:
        tap(app is not None, "sweep: the application is on the accessibility bus")
        if app is None:
            return
        tabs = wait_for(lambda: find(app, "page tab", "Sizing"))
        click(tabs)
        counts = wait_for(lambda: find(app, "text", "Worker counts"))
        tap(counts is not None, "sweep: an entry named Worker counts on the Sizing page")
        set_text(counts, "1,2,4")
        reps = find(app, "spin button", "Repetitions")
        tap(reps is not None, "sweep: a spin button named Repetitions")
        reps.get_value_iface().set_current_value(1)
        button = find_pred(app, lambda n: n.get_role_name() == "push button" and n.get_name() == "Sweep")
        click(button)
        done = wait_for(lambda: find_pred(app, lambda n: n.get_role_name() == "label" and
                                          (n.get_name() or "").startswith("Finished: 4 runs")), timeout=60)
        tap(done is not None, "sweep: the page says it finished its 4 runs (a warm-up and 3)")
        table = find(app, "tree table", "Sweep results")
        rows = []
        if table is not None:
            def walk(n, d=0):
                if n is None or d > 6:
                    return
                if n.get_role_name() == "table row" and n.get_name() != "Column titles" and \
                   "worker" in (n.get_name() or ""):
                    rows.append(n.get_name())
                    return
                for i in range(n.get_child_count()):
                    walk(n.get_child_at_index(i), d + 1)
            walk(table)
        tap(len(rows) == 3 and any("recommended" in r for r in rows),
            "sweep: the Sweep results table has a row per count, one recommended", rows)
        rec = find_pred(app, lambda n: n.get_role_name() == "label" and
                        (n.get_name() or "").startswith("Recommended:"))
        text = rec.get_name() if rec is not None else ""
        tap(text.startswith("Recommended: 4 workers"), "sweep: the recommendation is read: 4 workers", text)
        use = wait_for(lambda: find_pred(app, lambda n: n.get_role_name() == "push button" and
                                         "Use Recommended Size" in (n.get_name() or "")))
        tap(use is not None, "sweep: a button Use Recommended Size", use.get_name() if use else "")
        if use is None:
            return
        click(use)
        spin = find(app, "spin button", "Workers")
        tap(wait_for(lambda: spin.get_value_iface().get_current_value() == 4),
            "sweep: Use Recommended Size sets Workers to 4")
        # the sweep is kept: the History's table "Runs" lists it with its answer
        tap(history_lists(app, "Sweep, recommends 4"),
            "sweep: the History lists the kept sweep, “Sweep, recommends 4”")
    finally:
        stop(proc)


def history_lists(app, cell):
    """Shows the History page; whether its table "Runs" has a cell named @cell."""
    tab = wait_for(lambda: find(app, "page tab", "History"))
    if tab is not None:
        click(tab)
    table = wait_for(lambda: find_pred(app, lambda n: n.get_role_name() in ("table", "tree table") and
                                       n.get_name() == "Runs"), timeout=5)
    return wait_for(lambda: table is not None and
                    find_pred(table, lambda n: (n.get_name() or "") == cell), timeout=10) is not None


def showing(node):
    try:
        return node.get_state_set().contains(Atspi.StateType.SHOWING)
    except Exception:
        return False


def opening():
    """A long log: a bar says how much is read, and Stop leaves the window as it was."""
    log = os.path.join(os.environ.get("TMPDIR", "/tmp"), "ps-atspi-open-%d.jsonl" % os.getpid())
    items = log + ".items"
    with open(items, "w") as f:
        for i in range(1000000):
            f.write("item-%d\n" % i)
    subprocess.run([os.environ["POOLSCOPE_ENGINE"], "run", "--items", "@" + items, "--workload", "print",
                    "-j2", "-q", "--format", "none", "--log", log], check=True, stdout=subprocess.DEVNULL)
    proc, app = start([log])
    try:
        def the_bar():
            return find_pred(app, lambda n: n.get_role_name() == "progress bar" and
                             n.get_name() == "Reading the run log")
        bar = wait_for(lambda: the_bar() is not None and the_bar().get_value_iface().get_current_value() > 0,
                       timeout=10)
        tap(bar, "opening: a bar named “Reading the run log” fills while a long log is read")
        # its Stop, beside it (the toolbar's Stop is for runs)
        box = the_bar().get_parent() if the_bar() is not None else None
        button = find_pred(box, lambda n: n.get_role_name() == "push button" and n.get_name() == "Stop")
        if button is not None:
            click(button)
        gone = wait_for(lambda: the_bar() is None, timeout=5)
        time.sleep(1)
        # the status line has read "Ready" since the start: nothing was opened
        # (the line is named "Status" until its text first changes, then by its text)
        line = find_pred(app, lambda n: n.get_role_name() == "label" and n.get_name() == "Status" and
                         text_of(n) != "Status")
        said = text_of(line) if line is not None else status_text(app)
        tap(button is not None and gone and said == "Ready",
            "opening: its Stop ends it, the bar goes, the window stays as it was",
            (button is not None, gone, said))
    finally:
        stop(proc)
        for path in (log, items):
            try:
                os.unlink(path)
            except OSError:
                pass


def text_of(node):
    try:
        t = node.get_text_iface()
        return t.get_text(0, t.get_character_count()) if t is not None else ""
    except Exception:
        return ""


def command():
    proc, app = start(["--items", "a,b c", "--workload", "command:no-such-program-xyz {}", "-j2"])
    try:
        row = wait_for(lambda: find(app, "text", "Command"))
        kind = find_pred(app, lambda n: "Each task runs" in (n.get_name() or ""))
        tap(row is not None and kind is not None and text_of(row) == "no-such-program-xyz {}",
            "command: “Each task runs” and the Command row show the command", text_of(row) if row else None)
        said = wait_for(lambda: invalid(row) and form_error(app) == "" and
                        find_pred(app, lambda n: n.get_role_name() == "label" and
                                  (n.get_name() or "").startswith("Command: the program")), timeout=5)
        tap(said is not None and invalid(row),
            "command: a program not in PATH is said on its row, marked invalid, before Run")
        set_text(row, "echo out [{}]")
        run = find(app, "push button", "Run")
        ready = wait_for(lambda: not invalid(row) and run.get_state_set().contains(Atspi.StateType.SENSITIVE),
                         timeout=5)
        tap(ready, "command: put right, the row is valid and Run can be pressed")
        click(run)
        done = wait_for(lambda: status_text(app).startswith("Finished"), timeout=20)
        console = wait_for(lambda: find_pred(app, lambda n: n.get_role_name() == "text" and
                                             "out [b c]" in text_of(n)), timeout=5)
        tap(done and console is not None and "out [a]" in text_of(console),
            "command: the run finishes and the console reads each item's output",
            status_text(app))
        # the run is kept: the History's table of runs has it, newest first
        tap(history_lists(app, "command:echo out [{}]"),
            "command: the History's table “Runs” lists the run by its command")
    finally:
        stop(proc)


def main():
    print("1..31")
    form_checks()
    twelve_workers()
    narrow()
    sweep()
    command()
    opening()
    while len(results) < 31:
        tap(False, "not reached")


if __name__ == "__main__":
    main()
    sys.exit(0 if all(results) else 1)
