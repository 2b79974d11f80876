#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Starts the real poolscope binary and looks at it as a screen reader does,
# over AT-SPI: the application, its frame "Poolscope", the push button
# "Run" and the spin button "Workers". Prints TAP.

import os
import subprocess
import sys
import time

import gi
gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

results = []


def tap(ok, name, detail=""):
    results.append(ok)
    print(("ok" if ok else "not ok"), len(results), "-", name, ("# " + detail) if detail and not ok else "")
    sys.stdout.flush()


def find(node, role, name, depth=0):
    if node is None or depth > 40:
        return None
    try:
        if node.get_role_name() == role and (name is None or node.get_name() == name):
            return node
        for i in range(node.get_child_count()):
            found = find(node.get_child_at_index(i), role, name, depth + 1)
            if found is not None:
                return found
    except Exception:
        return None
    return None


def find_app(name, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        desktop = Atspi.get_desktop(0)
        for i in range(desktop.get_child_count()):
            app = desktop.get_child_at_index(i)
            try:
                if app is not None and app.get_name() == name:
                    return app
            except Exception:
                pass
        time.sleep(0.25)
    return None


def wait_for(fn, timeout=15):
    end = time.time() + timeout
    while time.time() < end:
        value = fn()
        if value:
            return value
        time.sleep(0.25)
    return None


def command_line(env):
    """The app's command line matches the README: bad usage exits 2 with a
    message, the worker range is poolscope-run's, one LOG in --help."""
    def run(*args):
        return subprocess.run([env["POOLSCOPE"]] + list(args), env=env, capture_output=True,
                              text=True, timeout=30)

    r = run("--bogus")
    tap(r.returncode == 2 and "unknown option “--bogus”" in r.stderr,
        "an unknown option exits 2 and names it", "%d %r" % (r.returncode, r.stderr))
    r = run("--workers", "2000")
    tap(r.returncode == 2 and "from 1 to 1024" in r.stderr,
        "--workers takes 1 to 1024, as poolscope-run", "%d %r" % (r.returncode, r.stderr))
    r = run("-j0")
    tap(r.returncode == 2 and "--workers" in r.stderr, "-jN is -j N", "%d %r" % (r.returncode, r.stderr))
    r = run("--help")
    usage = r.stdout.splitlines()[1] if len(r.stdout.splitlines()) > 1 else ""
    tap(r.returncode == 0 and usage.count("[LOG]") == 1, "--help names one LOG", usage)


def main():
    print("1..10")
    env = dict(os.environ)
    command_line(env)
    env.pop("GTK_A11Y", None)
    env.pop("NO_AT_BRIDGE", None)
    proc = subprocess.Popen([env["POOLSCOPE"], "--preset", "square"], env=env)
    try:
        app = find_app("poolscope")
        tap(app is not None, "the application is on the accessibility bus")
        if app is None:
            for _ in range(5):
                tap(False, "skipped: no application")
            return
        frame = wait_for(lambda: find(app, "frame", "Poolscope"))
        tap(frame is not None, "a frame titled Poolscope")
        run = wait_for(lambda: find(app, "push button", "Run"))
        tap(run is not None, "a push button Run")
        spin = wait_for(lambda: find(app, "spin button", "Workers"))
        tap(spin is not None, "a spin button Workers")
        value = spin.get_value_iface() if spin is not None else None
        tap(value is not None and value.get_current_value() == 6,
            "Workers holds the square preset's 6",
            "value %r" % (value.get_current_value() if value else None))

        # a screenshot of the window as a person sees it
        shot = os.path.join(env.get("PS_SCREENSHOT_DIR", "."), "main-window-x11.png")
        ok = False
        try:
            wid = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^Poolscope$"],
                                 capture_output=True, text=True, timeout=10).stdout.split()
            if wid:
                ok = subprocess.run(["import", "-window", wid[0], shot], timeout=20).returncode == 0
        except (OSError, subprocess.SubprocessError) as e:
            print("# screenshot failed:", e)
        tap(ok, "a screenshot of the window", shot)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
    sys.exit(0 if all(results) else 1)
