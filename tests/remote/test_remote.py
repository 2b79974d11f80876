#!/usr/bin/python3
# test_remote.py: pool workers on other hosts, over real OpenSSH
#
# Two sshd on 127.0.0.2 and 127.0.0.3 (sshd_fixture.py), each with its own
# host key, logins by a key made here, BatchMode. Every run is the real
# poolscope-run; the hosts run the build's poolscope-run (--remote-run).
#
# SPDX-License-Identifier: GPL-3.0-or-later
import collections
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ENGINE = os.environ.get("POOLSCOPE_ENGINE", "poolscope-run")
results = []


def tap(ok, name, detail=""):
    results.append(bool(ok))
    print(("ok" if ok else "not ok"), len(results), "-", name)
    if detail and not ok:
        for line in str(detail).splitlines()[-30:]:
            print("#", line)
    sys.stdout.flush()


def skip_all(why):
    print("1..0 # SKIP", why)
    sys.exit(0)


if shutil.which("ssh") is None or not os.path.exists("/usr/sbin/sshd"):
    skip_all("OpenSSH (openssh-server and -client) is not installed: build-aux/dev setup installs it")

import sshd_fixture  # noqa: E402

try:
    fx = sshd_fixture.Fixture()
except Exception as e:  # no loopback aliases, no right to listen
    skip_all("cannot start sshd here: %s" % e)

work = tempfile.mkdtemp(prefix="poolscope-remote-")


def engine(*args, timeout=120, remote=ENGINE, launcher=None):
    cmd = [ENGINE, "run", "--launcher", launcher or fx.launcher(), "--remote-run", remote] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def read_log(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def finals(events):
    """Each task's last end: task-end lines, and the ordinary tasks a
    "tasks" line gathers ([task, item, attempt, …])."""
    out = [e for e in events if e["event"] == "task-end" and not e.get("retry")]
    for e in events:
        if e["event"] == "tasks":
            out += [{"task": t[0], "status": "ok", "worker": e["worker"]} for t in e["tasks"]]
    return out


def remote_processes():
    """Relays and hellos still running (zombies waiting for sshd do not count)."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().split(b"\0")
            with open("/proc/%s/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and b"--worker" in cmd and (b"--stdio" in cmd or b"--hello" in cmd):
            out.append(int(pid))
    return out


def wait_none_left(seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = remote_processes()
        if not left:
            return []
        time.sleep(0.1)
    return remote_processes()


try:
    # 1. two hosts and this machine together, every task exactly once
    log = os.path.join(work, "mixed.jsonl")
    r = engine("--items", "1..3000", "--workload", "square", "--hosts", "2/h2,2/h3,1/:",
               "--log", log, "--sample-hz", "20")
    ok = r.returncode == 0 and r.stdout.split() == [str(i * i) for i in range(1, 3001)]
    tap(ok, "over h2, h3 and : the results are Pool.map's, in order", r.stderr)
    ev = read_log(log)
    fin = finals(ev)
    tap(len(fin) == 3000 and len({e["task"] for e in fin}) == 3000 and all(e["status"] == "ok" for e in fin),
        "every task has exactly one final task-end", collections.Counter(e["status"] for e in fin))
    # tasks long enough for the remote workers to start (~0.3 s) and share them
    r = engine("--items", "1..300", "--workload", "sleep:20", "--hosts", "2/h2,2/h3,1/:",
               "--log", log, "--sample-hz", "20", "--format", "none")
    ev = read_log(log)
    fin = finals(ev)
    starts = [e for e in ev if e["event"] == "worker-start"]
    hosts = collections.Counter(e.get("host") for e in starts)
    local_name = [e for e in starts if not e.get("clock_error_ns")]
    tap(hosts["h2"] == 2 and hosts["h3"] == 2 and len(local_name) == 1 and len(starts) == 5,
        "the workers split by slots: 2 on h2, 2 on h3, 1 here", hosts)
    tap(all(e["worker"].startswith(e["host"] + "/ForkPoolWorker-") for e in starts),
        "each worker is named after its host (host/ForkPoolWorker-N)", [e["worker"] for e in starts])
    by_worker = collections.Counter(e["worker"] for e in fin)
    tap(all(by_worker[e["worker"]] > 0 for e in starts),
        "every worker, remote and local, ran tasks", by_worker)
    # loopback hosts share this machine's clock: the true offset is 0
    remote_starts = [e for e in starts if e.get("clock_error_ns")]
    tap(remote_starts and all(abs(e["clock_offset_ns"]) <= e["clock_error_ns"] + 200000 and
                              e["clock_error_ns"] < 50000000 for e in remote_starts),
        "the clock offset of each host is within its recorded error of the truth (0)",
        [(e["host"], e["clock_offset_ns"], e["clock_error_ns"]) for e in remote_starts])
    remote_pids = {e["worker"]: e["pid"] for e in remote_starts}
    samples = [e for e in ev if e["event"] == "sample" and e["worker"] in remote_pids]
    tap(samples and all(s["rss"] > 0 and s["pid"] == remote_pids[s["worker"]] for s in samples),
        "remote workers are sampled where they run (their pid there, RSS > 0)", samples[:3])
    joblog = subprocess.run([ENGINE, "export", log, "--to", "joblog"], capture_output=True, text=True)
    job_hosts = collections.Counter(line.split("\t")[1] for line in joblog.stdout.splitlines()[1:])
    csv = subprocess.run([ENGINE, "export", log, "--to", "csv"], capture_output=True, text=True)
    tap(joblog.returncode == 0 and set(job_hosts) == {"h2", "h3", ":"} and sum(job_hosts.values()) == 300 and
        "h2/ForkPoolWorker-" in csv.stdout,
        "exports name the hosts: joblog's Host column (h2, h3, :) and the CSV's workers", job_hosts)
    run_start = next(e for e in ev if e["event"] == "run-start")
    tap(run_start["workers"] == 5, "the run's size is the hosts' slots", run_start)
    import socket
    tap(run_start.get("hosts") == "2/h2,2/h3,1/%s" % socket.gethostname(),
        "run-start records the hosts as slots and names", run_start.get("hosts"))
    # kept in the history, found by a host's name
    data = os.path.join(work, "data")
    env = dict(os.environ, XDG_DATA_HOME=data)
    r = subprocess.run([ENGINE, "run", "--launcher", fx.launcher(), "--remote-run", ENGINE, "--items", "1..20",
                        "--workload", "sleep:50", "--hosts", "1/h3,1/:", "--save", "-q", "--format", "none"],
                       capture_output=True, text=True, env=env, timeout=60)
    found = subprocess.run([ENGINE, "history", "--json", "--search", "h3"], capture_output=True, text=True,
                           env=env, timeout=60)
    try:
        kept = json.loads(found.stdout)
    except ValueError:
        kept = []
    tap(r.returncode == 0 and len(kept) == 1 and kept[0].get("hosts", "").startswith("1/h3,"),
        "the history keeps the hosts, and --search finds a run by one", (found.stdout, r.stderr))
    first_remote = min(e["t"] for e in remote_starts)
    early = [e for e in ev if e["event"] == "task-start" and e["worker"] in remote_pids and e["t"] < first_remote]
    tap(not early, "a remote worker takes no task before it said READY", early[:2])

    # 1b. ssh makes its stdio non-blocking: never the engine's (results through 2>&1 to a slow reader)
    out = os.path.join(work, "slow-reader.txt")
    sh = ("%s run --launcher %s --remote-run %s --hosts 2/h2 -j2 --items 1..300000 --workload square 2>&1 "
          "| (sleep 3; cat > %s)") % (ENGINE, shlex.quote(fx.launcher()), ENGINE, out)
    r = subprocess.run(["sh", "-c", sh], capture_output=True, text=True, timeout=120)
    with open(out) as f:
        lines = f.read().splitlines()
    tap(r.returncode == 0 and len(lines) == 300000 and lines[-1] == str(300000 ** 2),
        "results through 2>&1 to a slow reader: every line, the launchers' stdio kept apart", (len(lines), r.stderr))
    # the remote workers still starting when the local one has done it all: let go, not crashed
    log = os.path.join(work, "dropped.jsonl")
    r = engine("--items", "1..50", "--workload", "square", "--hosts", "2/h2,1/:", "--log", log)
    exits = [e for e in read_log(log) if e["event"] == "worker-exit"]
    tap(r.returncode == 0 and exits and all(e.get("stopped") or e["exit_code"] == 0 for e in exits) and
        not any(e.get("reason") for e in exits),
        "a run done before its remote workers started lets them go without a crash", exits)

    # 2. --workers N splits by slots
    log = os.path.join(work, "split.jsonl")
    r = engine("--items", "1..30", "--workload", "sleep:20", "--hosts", "4/h2,2/h3", "--workers", "3",
               "--log", log, "--format", "none")
    hosts = collections.Counter(e.get("host") for e in read_log(log) if e["event"] == "worker-start")
    tap(r.returncode == 0 and hosts == {"h2": 2, "h3": 1}, "--workers 3 over 4/h2,2/h3: 2 and 1", (hosts, r.stderr))

    # 3. one ssh connection per host
    p = subprocess.Popen([ENGINE, "run", "--launcher", fx.launcher(), "--remote-run", ENGINE,
                          "--items", "1..40", "--workload", "sleep:100", "--hosts", "4/h2",
                          "--format", "none", "--chunksize", "1"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    port = fx.servers["h2"]["port"]
    ss = subprocess.run(["ss", "-Htn", "state", "established", "dst", "127.0.0.2:%d" % port],
                        capture_output=True, text=True).stdout.strip().splitlines()
    relays = len([pid for pid in remote_processes()])
    out, err = p.communicate(timeout=60)
    tap(p.returncode == 0 and len(ss) == 1 and relays >= 4,
        "4 workers on a host share one ssh connection", (ss, relays, err))

    # 3b. sshd's default MaxSessions (10): 8 workers share the connection, the rest log in on their own
    fx10 = sshd_fixture.Fixture(addresses=("127.0.0.4",), max_sessions=10)
    try:
        log = os.path.join(work, "sessions.jsonl")
        p = subprocess.Popen([ENGINE, "run", "--launcher", fx10.launcher(), "--remote-run", ENGINE,
                              "--items", "1..240", "--workload", "sleep:50", "--hosts", "12/h4",
                              "--log", log, "--format", "none", "--chunksize", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        port = fx10.servers["h4"]["port"]
        most = 0
        while p.poll() is None:
            conns = subprocess.run(["ss", "-Htn", "state", "established", "dst", "127.0.0.4:%d" % port],
                                   capture_output=True, text=True).stdout.strip().splitlines()
            most = max(most, len(conns))
            time.sleep(0.1)
        out, err = p.communicate(timeout=120)
        ev = read_log(log)
        starts = [e for e in ev if e["event"] == "worker-start"]
        tap(p.returncode == 0 and len(finals(ev)) == 240 and len(starts) == 12 and most == 5 and
            "refused" not in err,
            "12 workers on a host with MaxSessions 10: 8 on the shared connection, 4 of their own",
            (most, len(starts), err[-600:]))
    finally:
        fx10.close()

    # 4. a host refusing logins, and one that cannot be reached: said once each
    bad = os.path.join(work, "bad_config")
    with open(fx.config) as f, open(bad, "w") as g:
        g.write(f.read().replace("IdentityFile " + fx.key, "IdentityFile " + os.path.join(work, "no-key")))
    log = os.path.join(work, "refused.jsonl")
    r = engine("--items", "1..50", "--hosts", "h2,ssh -F %s h3,ssh -p 1 127.0.0.9" % bad, "--log", log,
               "--format", "none")
    notices = [e["message"] for e in read_log(log) if e["event"] == "notice"]
    refused = [n for n in notices if n.startswith("host h3:")]
    unreachable = [n for n in notices if n.startswith("host 127.0.0.9:")]
    tap(r.returncode == 0 and len(refused) == 1 and "Permission denied" in refused[0] and
        len(unreachable) == 1 and "Connection refused" in unreachable[0] and
        len(finals(read_log(log))) == 50,
        "a refused login and an unreachable host are said once by name; the run goes on", (notices, r.stderr))
    tap(r.stderr.count("host h3:") == 1, "the CLI says the refused host once", r.stderr)

    # 5. poolscope-run missing on the hosts: refused, every host named
    r = engine("--items", "1..5", "--hosts", "h2,h3", remote="/nonexistent/poolscope-run")
    tap(r.returncode == 3 and "host h2:" in r.stderr and "host h3:" in r.stderr and
        "/nonexistent/poolscope-run" in r.stderr and "--remote-run" in r.stderr and r.stdout == "",
        "a missing remote poolscope-run: exit 3, each host named", r.stderr)

    # 6. another version there
    old = os.path.join(work, "old-poolscope-run")
    with open(old, "w") as f:
        f.write("#!/bin/sh\necho 'poolscope-run 0.0.1 5 2'\ncat > /dev/null\n")
    os.chmod(old, 0o755)
    r = engine("--items", "1..5", "--hosts", "h2,:", remote=old)
    tap(r.returncode == 0 and "poolscope-run 0.0.1 is there" in r.stderr and "host h2" in r.stderr and
        r.stdout.split() == ["1", "4", "9", "16", "25"],
        "a version mismatch is said; the run goes on with this machine", r.stderr)

    # 7. sshd killed mid-run: its workers crashed, their tasks run elsewhere, once
    log = os.path.join(work, "killed.jsonl")
    p = subprocess.Popen([ENGINE, "run", "--launcher", fx.launcher(), "--remote-run", ENGINE,
                          "--items", "1..60", "--workload", "sleep:100", "--hosts", "2/h2,2/h3,1/:",
                          "--retries", "2", "--log", log, "--format", "none", "--chunksize", "1"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    fx.kill("h3")
    out, err = p.communicate(timeout=90)
    ev = read_log(log)
    fin = finals(ev)
    crashed = [e for e in ev if e["event"] == "task-end" and e["status"] == "crashed"]
    tap(p.returncode == 0 and len(fin) == 60 and len({e["task"] for e in fin}) == 60 and
        all(e["status"] == "ok" for e in fin),
        "sshd killed mid-run: every task done exactly once", (collections.Counter(e["status"] for e in fin), err))
    tap(crashed and all("connection to h3 was lost" in (e.get("message") or "") and e.get("retry")
                        for e in crashed),
        "the tasks running on it are crashed, and tried again", crashed[:2])
    tap(err.count("host h3: the connection was lost") == 1, "the lost host is said once", err)
    fx.start("h3")

    # 8. the engine killed: no remote worker outlives it
    p = subprocess.Popen([ENGINE, "run", "--launcher", fx.launcher(), "--remote-run", ENGINE,
                          "--items", "1..200", "--workload", "cpu:200", "--hosts", "2/h2,2/h3",
                          "--format", "none"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(remote_processes()) < 8:
        time.sleep(0.1)
    before = len(remote_processes())
    killed_engine = p.pid
    p.kill()
    p.wait()
    left = wait_none_left()
    tap(before >= 8 and not left, "SIGKILL of the engine: every remote worker is gone within 10 s",
        (before, left))

    # 9. Ctrl+C: a cancel, not a crash, and nothing left behind
    log = os.path.join(work, "sigint.jsonl")
    p = subprocess.Popen([ENGINE, "run", "--launcher", fx.launcher(), "--remote-run", ENGINE,
                          "--items", "1..200", "--workload", "sleep:30000", "--hosts", "2/h2,h3",
                          "--sample-hz", "0", "--log", log, "--format", "none"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(2)
    p.send_signal(signal.SIGINT)
    err = p.communicate(timeout=30)[1]
    ev = read_log(log)
    exits = [e for e in ev if e["event"] == "worker-exit"]
    tap(p.returncode == 130 and exits and all(e.get("stopped") for e in exits) and
        not any(e["status"] == "crashed" for e in ev if e["event"] == "task-end") and not wait_none_left(5),
        "SIGINT amid 30 s tasks stops remote workers as a cancel: no crash, nothing left within 5 s",
        (p.returncode, exits[:2], err, remote_processes()))

    # 10. a remote worker that crashes is told by its signal, and retried
    log = os.path.join(work, "crash.jsonl")
    r = engine("--items", "1..40", "--workload", "crash:0.2", "--hosts", "h2", "--retries", "20",
               "--seed", "7", "--log", log, "--format", "none")
    ev = read_log(log)
    crashed = [e for e in ev if e["event"] == "task-end" and e["status"] == "crashed"]
    tap(crashed and all(e.get("message") == "killed by SIGSEGV" for e in crashed) and
        len(finals(ev)) == 40, "a remote crash says killed by SIGSEGV, as a local one", (crashed[:2], r.stderr))

    # 10b. a timeout on a remote program that ignores SIGTERM: its group goes too
    marker = "4747%d" % os.getpid()
    r = engine("--items", "1..2", "--hosts", "2/h2", "--timeout", "1", "--",
               "sh", "-c", "trap '' TERM; sleep %s" % marker)
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-f", "sleep %s" % marker], capture_output=True, text=True).stdout.split()
    tap(r.returncode == 1 and r.stderr.count("timed out") == 2 and not left,
        "a remote task's program that ignores SIGTERM does not outlive its timeout", (left, r.stderr))
    for pid in left:
        os.kill(int(pid), signal.SIGKILL)

    # 10c. the only host with workers is lost: the others take over, none is cancelled
    log = os.path.join(work, "one.jsonl")
    p = subprocess.Popen([ENGINE, "run", "--launcher", fx.launcher(), "--remote-run", ENGINE,
                          "--items", "1..30", "--workload", "sleep:100", "-j1", "--hosts", "h2,h3",
                          "--retries", "2", "--log", log, "--format", "none"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    fx.kill("h2")
    out, err = p.communicate(timeout=90)
    fin = finals(read_log(log))
    hosts = collections.Counter(e["worker"].split("/")[0] for e in fin)
    tap(p.returncode == 0 and len(fin) == 30 and all(e["status"] == "ok" for e in fin) and hosts["h3"] > 0,
        "-j1: its host lost, the run goes on on the other host", (hosts, err))
    fx.start("h2")

    # 10d. a host whose sessions hang (never READY) holds no task, and is ended with the run;
    # a host where a later start fails charges no task and keeps its running workers
    fake = os.path.join(work, "fake-remote")
    count = os.path.join(work, "starts")
    with open(fake, "w") as f:
        f.write("#!/bin/sh\n"
                "case \"$1 $2 $PSHOST\" in\n"
                "  '--worker --stdio stuck') exec sleep 3600 ;;\n"
                "  '--worker --stdio flaky') echo x >> %s; [ $(wc -l < %s) -ge 3 ] && exit 3 ;;\n"
                "esac\n"
                "exec %s \"$@\"\n" % (count, count, ENGINE))
    os.chmod(fake, 0o755)
    t0 = time.monotonic()
    r = subprocess.run([ENGINE, "run", "--launcher", "env PSHOST={host}", "--remote-run", fake,
                        "--items", "1..40", "--workload", "sleep:10", "--hosts", "1/stuck,1/good",
                        "--format", "none"], capture_output=True, text=True, timeout=60)
    took = time.monotonic() - t0
    tap(r.returncode == 0 and took < 10 and not wait_none_left(3) and
        not subprocess.run(["pgrep", "-f", "sleep 3600"], capture_output=True).stdout,
        "a host whose worker never says READY takes no task and does not hold the run (%.1f s)" % took,
        r.stderr)
    log = os.path.join(work, "flaky.jsonl")
    r = subprocess.run([ENGINE, "run", "--launcher", "env PSHOST={host}", "--remote-run", fake,
                        "--items", "1..60", "--workload", "sleep:10", "--hosts", "2/flaky,2/good",
                        "--max-tasks-per-child", "3", "--chunksize", "1", "--log", log, "--format", "none"],
                       capture_output=True, text=True, timeout=60)
    ev = read_log(log)
    fin = finals(ev)
    notices = [e["message"] for e in ev if e["event"] == "notice"]
    tap(r.returncode == 0 and len(fin) == 60 and all(e["status"] == "ok" for e in fin) and
        any("host flaky: a worker could not start there" in n and "no more workers start there" in n
            for n in notices) and len(notices) == 1,
        "a start that fails on a host charges no task, is said once, and the run finishes", (notices, r.stderr))

    # 11. any launcher: words, the host, then the remote program's words
    log = os.path.join(work, "launcher.jsonl")
    r = subprocess.run([ENGINE, "run", "--launcher", "env POOLSCOPE_TEST_HOST={host}", "--remote-run", ENGINE,
                        "--items", "1..60", "--workload", "sleep:30", "--hosts", "2/node1,node2",
                        "--workers", "3", "--log", log, "--format", "none"],
                       capture_output=True, text=True, timeout=60)
    ev = read_log(log)
    names = sorted(e["worker"] for e in ev if e["event"] == "worker-start")
    tap(r.returncode == 0 and len(finals(ev)) == 60 and
        names[0].startswith("node1/") and any(n.startswith("node2/") for n in names),
        "a launcher other than ssh (env HOST=… here) starts workers as srun would", (names, r.stderr))

    # 12. --hosts-file with comments; the sweep goes up to the hosts' slots
    hosts_file = os.path.join(work, "hosts")
    with open(hosts_file, "w") as f:
        f.write("# the test's two servers\n2/h2\n\n  # and this machine\n1/:\n")
    r = subprocess.run([ENGINE, "sweep", "--launcher", fx.launcher(), "--remote-run", ENGINE,
                        "--hosts-file", hosts_file, "--items", "1..200", "--workload", "sleep:5",
                        "--reps", "1", "--no-warmup", "--json"], capture_output=True, text=True, timeout=200)
    try:
        sweep = json.loads(r.stdout)
        counts = [p["workers"] for p in sweep["points"]]
    except (ValueError, KeyError) as e:
        counts = e
    tap(r.returncode == 0 and isinstance(counts, list) and max(counts) >= 3,
        "a sweep over a hosts file's slots runs every point", (counts, r.stderr[-500:]))

    # 13. bad input: exit 2, words naming what is wrong, nothing started
    cases = [
        (["--hosts", ""], "empty host entry"),
        (["--hosts", "0/h2"], "1 to 1024"),
        (["--hosts", "h2,,h3"], "empty host entry"),
        (["--hosts", "a;rm -rf /"], "not a host name"),
        (["--hosts", "a;b h2"], "“a;b” is not a program in PATH"),
        (["--hosts", "h2", "--launcher", "no-such-launcher {host}"], "not a program in PATH"),
        (["--hosts", "$(touch /tmp/poolscope-pwned)"], "not a host name"),
        (["--hosts", "-oProxyCommand=x"], "not a host name"),
        (["--hosts", "ssh -p 'unbalanced h2"], "give a host"),
        (["--hosts", "h2", "--launcher", "ssh -T"], "{host}"),
        (["--hosts-file", os.path.join(work, "no-such-file")], "--hosts-file"),
        (["--hosts-file", work], "is a folder"),
        (["--launcher", "ssh {host}"], "--hosts"),
        (["--hosts", "h2", "--workload", "lock:1:1"], "lock workload"),
    ]
    for args, words in cases:
        r = subprocess.run([ENGINE, "run", "--items", "1..3"] + args, capture_output=True, text=True, timeout=30)
        tap(r.returncode == 2 and words in r.stderr and r.stdout == "",
            "refused: %s" % " ".join(args), r.stderr)
    tap(not os.path.exists("/tmp/poolscope-pwned"), "a host that looks like shell code runs nothing")
    import glob
    stale = glob.glob(os.path.join(tempfile.gettempdir(), "poolscope-ssh-%d-*" % killed_engine))
    tap(not stale, "the control socket folder of the killed engine is removed by a later run", stale)
finally:
    fx.close()
    shutil.rmtree(work, ignore_errors=True)

print("1..%d" % len(results))
sys.exit(0 if all(results) else 1)
