"""A private, real Dovecot IMAP server on 127.0.0.1 for tests and benchmarks.

Plain IMAP with STARTTLS on one port, IMAPS on another, a certificate signed by a throw-away CA
(its file is `ca_file`), valid for 127.0.0.1 and localhost but also listening on 127.0.0.2 (a
name the certificate does not cover), users from a passwd file, Maildir storage, and a \\Junk folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from imapclient import IMAPClient

from tests.certs import write_certificates

MISSING = (
    "Dovecot is not installed, and the IMAP tests need a real server: run `make test` as root "
    "(it installs them), or `apt-get install -y dovecot-core dovecot-imapd`."
)

CONFIG = """\
protocols = imap
listen = 127.0.0.1, 127.0.0.2
base_dir = {root}/run
state_dir = {root}/state
instance_name = {name}
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/server.pem
ssl_key = <{root}/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
mail_fsync = never
mail_max_userip_connections = 50
shutdown_clients = yes
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/mail/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Junk {{
    special_use = \\Junk
    auto = subscribe
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1, 127.0.0.2
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1, 127.0.0.2
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next((p for p in ("/usr/sbin/dovecot",) if os.access(p, os.X_OK)), None)


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """Distinct free ports: all sockets stay bound until every port is known, or the kernel may
    hand the same port out twice (seen: Dovecot refusing a duplicate listener)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class Dovecot:
    def __init__(self, users: dict[str, str] | None = None, extra_config: str = ""):
        binary = dovecot_binary()
        if binary is None:
            raise RuntimeError(MISSING)
        self.binary = binary
        self.users = dict(users or {"alice": "alice-pass-1"})
        self.root = Path(tempfile.mkdtemp(prefix="otpdash-dovecot-"))
        self.root.chmod(0o755)  # the mail processes run as nobody and must reach mail/
        self.name = f"otpdash-{uuid.uuid4().hex[:12]}"
        self.imap_port, self.imaps_port = free_ports(2)
        self.config = self.root / "dovecot.conf"
        self.extra_config = extra_config
        self._write_files()

    # --- files ---
    def _write_files(self) -> None:
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir()
        self._write_certificates()
        self.write_passwd()
        self.config.write_text(
            CONFIG.format(root=self.root, name=self.name, imap_port=self.imap_port, imaps_port=self.imaps_port)
            + self.extra_config
        )
        shutil.chown(self.root / "mail", "nobody", "nogroup")

    def write_passwd(self) -> None:
        lines = [f"{user}:{{PLAIN}}{password}::::::" for user, password in self.users.items()]
        (self.root / "passwd").write_text("\n".join(lines) + "\n")

    def _write_certificates(self) -> None:
        self.ca_file = write_certificates(self.root)

    # --- process ---
    @property
    def pid_file(self) -> Path:
        return self.root / "run" / "master.pid"

    def start(self) -> Dovecot:
        (self.root / "run" / "anvil-auth-penalty").unlink(missing_ok=True)
        # The daemon keeps inherited pipes open, so its output goes to a file, not to a pipe.
        with open(self.root / "start.err", "w+") as err:
            code = subprocess.call(
                [self.binary, "-c", str(self.config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                timeout=30,
            )
            err.seek(0)
            if code != 0:
                raise RuntimeError(f"dovecot did not start: {err.read().strip()}\n{self.log()}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.imap_port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not answer on port {self.imap_port}\n{self.log()}")

    def stop(self) -> None:
        """SIGTERM the master and wait for its pid file to go (kill -0 sees zombies here)."""
        try:
            pid = int(self.pid_file.read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            self.pid_file.unlink(missing_ok=True)
            return
        deadline = time.monotonic() + 10
        while self.pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        self._kill_leftovers()

    def _kill_leftovers(self) -> None:
        """Connections already open outlive the master; a stopped server must drop them too."""
        marker = f"dovecot-{self.name}/".encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if (entry / "cmdline").read_bytes().startswith(marker):
                    os.kill(int(entry.name), signal.SIGKILL)
            except (OSError, ProcessLookupError):
                continue

    def restart(self) -> None:
        self.stop()
        self.start()

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def doveadm(self, *args: str) -> str:
        doveadm = shutil.which("doveadm") or "/usr/bin/doveadm"
        result = subprocess.run([doveadm, "-c", str(self.config), *args], capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise RuntimeError(f"doveadm {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def connections(self) -> dict[str, int]:
        """IMAP sessions open now, per user (doveadm who)."""
        counts: dict[str, int] = {}
        for line in self.doveadm("who", "-1").splitlines()[1:]:
            user, proto = line.split()[:2]
            if proto == "imap":
                counts[user] = counts.get(user, 0) + 1
        return counts

    # --- mail ---
    def client(self, user: str = "alice") -> IMAPClient:
        client = IMAPClient("127.0.0.1", self.imap_port, ssl=False, timeout=30)
        client.login(user, self.users[user])
        return client

    def append(self, messages: list, folder: str = "INBOX", user: str = "alice") -> None:
        """Seed with MULTIAPPEND in batches: one APPEND per message is far too slow for big folders."""
        client = self.client(user)
        try:
            for start in range(0, len(messages), 500):
                client.multiappend(folder, messages[start : start + 500])
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX", user: str = "alice") -> dict[int, tuple]:
        client = self.client(user)
        try:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            return (
                {uid: tuple(sorted(data[b"FLAGS"])) for uid, data in client.fetch(uids, ["FLAGS"]).items()}
                if uids
                else {}
            )
        finally:
            client.logout()
