#!/usr/bin/python3
# test_hosts.py: the Hosts field, as a screen reader finds it (AT-SPI on
# the real binary), with workers on a real sshd (tests/remote):
# 1. a host entry that looks like shell code: the row is marked invalid,
#    the form says why, Run cannot be pressed
# 2. put right (2 on h2 over ssh, 1 here): the run finishes, and the
#    Progress table names each worker after its host
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import socket
import sys

import gi
gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "remote"))
from test_main_window import find, wait_for  # noqa: E402
from test_live_run import click, find_pred, progress_rows, start, status_text, stop  # noqa: E402

results = []
N = 5


def tap(ok, name, detail=""):
    results.append(bool(ok))
    print(("ok" if ok else "not ok"), len(results), "-", name,
          ("# " + str(detail)) if detail and not ok else "")
    sys.stdout.flush()


def form_error(app):
    label = find_pred(app, lambda n: n.get_role_name() == "label" and (n.get_name() or "").startswith("Hosts: "))
    return label.get_name() if label is not None else ""


def invalid(node):
    return node.get_state_set().contains(Atspi.StateType.INVALID)


def main():
    try:
        import sshd_fixture
        fx = sshd_fixture.Fixture(path=os.path.dirname(os.environ["POOLSCOPE_ENGINE"]))
    except Exception as e:
        print("1..0 # SKIP no sshd here: %s" % e)
        return
    print("1..%d" % N)
    proc, app = start(["--items", "1..120", "--workload", "sleep:20", "-j3"])
    try:
        hosts = wait_for(lambda: find(app, "text", "Hosts"))
        run = find(app, "push button", "Run")
        tap(hosts is not None and run is not None, "the pool form has a Hosts row")
        Atspi.EditableText.set_text_contents(hosts, "a;b c")
        said = wait_for(lambda: invalid(hosts) and "“a;b” is not a program" in form_error(app), timeout=5)
        tap(said and not run.get_state_set().contains(Atspi.StateType.SENSITIVE),
            "a host that looks like shell code: the row is invalid, said, Run disabled", form_error(app))
        Atspi.EditableText.set_text_contents(hosts, "2/ssh -F %s h2,1/:" % fx.config)
        ready = wait_for(lambda: not invalid(hosts) and run.get_state_set().contains(Atspi.StateType.SENSITIVE),
                         timeout=5)
        tap(ready and form_error(app) == "", "put right, the row is valid and Run can be pressed", form_error(app))
        click(run)
        done = wait_for(lambda: status_text(app).startswith("Finished"), timeout=60)
        tap(done, "the run over h2 and this machine finishes", status_text(app))
        names = sorted(r.get("Worker", "") for r in progress_rows(app))
        me = socket.gethostname()
        tap(len(names) == 3 and sum(n.startswith("h2/ForkPoolWorker-") for n in names) == 2 and
            sum(n.startswith(me + "/ForkPoolWorker-") for n in names) == 1,
            "the Progress table names each worker after its host", names)
    finally:
        stop(proc)
        fx.close()
    while len(results) < N:
        tap(False, "not reached")


if __name__ == "__main__":
    main()
    sys.exit(0 if all(results) else 1)
