"""Two real OpenSSH servers on loopback addresses, for tests and benchmarks.

Each has its own host key; the client key and the authorized_keys file
are made here. `ssh -F fixture.config HOST` reaches them as h2
(127.0.0.2) and h3 (127.0.0.3), with BatchMode logins.

SPDX-License-Identifier: GPL-3.0-or-later
"""
import getpass
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


def free_port(address):
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


class Fixture:
    def __init__(self, addresses=("127.0.0.2", "127.0.0.3"), path=None, max_sessions=64):
        """@path: a folder put first in the sessions' PATH (where the
        build's poolscope-run is), as a user's install would be."""
        self.dir = tempfile.mkdtemp(prefix="poolscope-sshd-")
        os.chmod(self.dir, 0o755)
        self.user = getpass.getuser()
        self.key = os.path.join(self.dir, "id_ed25519")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.key], check=True)
        self.authorized = os.path.join(self.dir, "authorized_keys")
        shutil.copy(self.key + ".pub", self.authorized)
        os.chmod(self.authorized, 0o600)
        self.known = os.path.join(self.dir, "known_hosts")
        self.servers = {}
        os.makedirs("/run/sshd", exist_ok=True)
        client = []
        for i, address in enumerate(addresses):
            name = "h%s" % address.rsplit(".", 1)[1]
            port = free_port(address)
            hostkey = os.path.join(self.dir, "host_%s" % name)
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostkey], check=True)
            conf = os.path.join(self.dir, "sshd_%s.conf" % name)
            with open(conf, "w") as f:
                f.write("\n".join([
                    "ListenAddress %s:%d" % (address, port),
                    "HostKey %s" % hostkey,
                    "AuthorizedKeysFile %s" % self.authorized,
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    "StrictModes no",
                    "UsePAM no",
                    "MaxSessions %d" % max_sessions,
                    "MaxStartups 64",
                    "PidFile %s" % os.path.join(self.dir, "sshd_%s.pid" % name),
                    "LogLevel ERROR",
                    "SetEnv LC_ALL=C.UTF-8" + (" PATH=%s:/usr/bin:/bin" % path if path else ""),
                    ""]))
            self.servers[name] = {"address": address, "port": port, "conf": conf, "proc": None}
            client += ["Host %s" % name, "  HostName %s" % address, "  Port %d" % port,
                       "  User %s" % self.user, "  IdentityFile %s" % self.key,
                       "  IdentitiesOnly yes", "  UserKnownHostsFile %s" % self.known,
                       "  StrictHostKeyChecking no", "  LogLevel ERROR", ""]
        self.config = os.path.join(self.dir, "ssh_config")
        with open(self.config, "w") as f:
            f.write("\n".join(client))
        for name in self.servers:
            self.start(name)

    def start(self, name):
        s = self.servers[name]
        log = os.path.join(self.dir, "sshd_%s.log" % name)
        s["proc"] = subprocess.Popen([SSHD, "-D", "-f", s["conf"], "-E", log])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((s["address"], s["port"]), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("sshd %s did not start: %s" % (name, open(log).read()))

    def kill(self, name):
        """The server and every connection it carries, at once."""
        s = self.servers[name]
        pid = s["proc"].pid
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        os.kill(pid, signal.SIGKILL)
        for c in children:
            try:
                os.kill(int(c), signal.SIGKILL)
            except ProcessLookupError:
                pass
        s["proc"].wait()

    def launcher(self):
        return "ssh -F %s {host}" % self.config

    def close(self):
        for name, s in self.servers.items():
            if s["proc"] and s["proc"].poll() is None:
                self.kill(name)
        shutil.rmtree(self.dir, ignore_errors=True)
