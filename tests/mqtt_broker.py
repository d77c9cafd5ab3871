"""A private, real MQTT broker (Debian's Mosquitto) on 127.0.0.1 for tests, with password sign-in when
users are given, and a way to read back every retained message under some topics."""

from __future__ import annotations

import getpass
import json
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.certs import write_certificates
from tests.server_process import ServerProcess
from tests.waiting import free_port, wait_for

MISSING = (
    "Mosquitto is not installed, and the Home Assistant tests publish to a real MQTT broker: run `make test` "
    "as root (it installs it), or `apt-get install -y mosquitto`."
)


def mosquitto_binary() -> str | None:
    return shutil.which("mosquitto") or next((p for p in ("/usr/sbin/mosquitto",) if Path(p).exists()), None)


class Mosquitto(ServerProcess):
    name = "mosquitto"

    def __init__(self, users: dict[str, str] | None = None, tls: bool = False):
        self.users = users or {}  # none: anonymous clients are allowed
        self.tls = tls  # TLS only, with a certificate for localhost and 127.0.0.1 from a CA of the test's own
        self.ca_file: Path | None = None
        super().__init__()

    def start(self) -> Mosquitto:
        binary = mosquitto_binary()
        if binary is None:
            raise RuntimeError(MISSING)
        self.port = free_port()
        lines = [f"listener {self.port} 127.0.0.1", "persistence false", "log_dest stderr", f"user {getpass.getuser()}"]
        if self.tls:
            self.ca_file = write_certificates(self.root)
            lines += [
                f"cafile {self.ca_file}",
                f"certfile {self.root / 'server.pem'}",
                f"keyfile {self.root / 'server.key'}",
            ]
        if self.users:
            if shutil.which("mosquitto_passwd") is None:  # the same Debian package
                raise RuntimeError(MISSING)
            passwords = self.root / "passwords"
            for n, (user, password) in enumerate(self.users.items()):
                create = ["-c"] if n == 0 else []
                subprocess.run(["mosquitto_passwd", "-b", *create, str(passwords), user, password], check=True)
            lines += ["allow_anonymous false", f"password_file {passwords}"]
        else:
            lines.append("allow_anonymous true")
        config = self.root / "mosquitto.conf"
        config.write_text("\n".join(lines) + "\n")
        with self.log_path.open("wb") as log:  # the child keeps its own copy of the file
            self._process = subprocess.Popen([binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=log)
        wait_for(self._ready, 15, "Mosquitto to listen", lambda: self.log, interval=0.05)
        return self

    def _ready(self) -> bool:
        if self._process.poll() is not None:
            raise AssertionError(f"Mosquitto exited at start:\n{self.log}")
        with socket.create_connection(("127.0.0.1", self.port), timeout=1):
            return True

    def retained(self, *topics: str, user: str = "", password: str = "") -> dict[str, str]:
        """{topic: payload} of every retained message under `topics` (MQTT filters such as "otpdash/#").
        A marker published after subscribing comes back after the retained messages: then all are in."""
        import paho.mqtt.client as paho

        marker = f"otpdash-test/marker/{secrets.token_hex(4)}"
        found: dict[str, str] = {}
        done = []
        client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"test-{secrets.token_hex(4)}")
        if user:
            client.username_pw_set(user, password)
        if self.tls:
            client.tls_set(ca_certs=str(self.ca_file))

        def on_message(_client, _data, message):
            if message.topic == marker:
                done.append(True)
            elif message.retain:
                found[message.topic] = message.payload.decode()

        client.on_message = on_message
        client.connect("127.0.0.1", self.port)
        client.subscribe([(topic, 1) for topic in (*topics, marker)])
        client.publish(marker, "end", qos=1)
        deadline = time.monotonic() + 15
        while not done:
            assert time.monotonic() < deadline, f"the marker never came back from Mosquitto\n{self.log}"
            client.loop(0.1)
        client.disconnect()
        return found

    def retained_json(self, *topics: str) -> dict[str, object]:
        """The same, with JSON objects (discovery configs) parsed; states stay as the text sent."""
        return {t: json.loads(p) if p.startswith("{") else p for t, p in self.retained(*topics).items()}
