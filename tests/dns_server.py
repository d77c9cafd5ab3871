"""A private, real DNS server (Debian's dnsmasq) on 127.0.0.1 for tests: it serves the TXT records
a test gives it (DKIM keys) and nothing else; it forwards nowhere (--no-resolv) and reads no hosts file.
"""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import time
from pathlib import Path

import dns.exception
import dns.message
import dns.query
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.server_process import ServerProcess

MISSING = (
    "dnsmasq is not installed, and the signature tests need a real DNS server: run `make test` as root "
    "(it installs it), or `apt-get install -y dnsmasq-base`."
)


def dnsmasq_binary() -> str | None:
    return shutil.which("dnsmasq") or next((p for p in ("/usr/sbin/dnsmasq",) if Path(p).exists()), None)


class SigningKey:
    """An RSA key pair as a DKIM signer holds it (PEM) and as DNS publishes it (a TXT record)."""

    def __init__(self, bits: int = 2048):
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        self.private_pem = self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @property
    def record(self) -> str:
        public = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return "v=DKIM1; k=rsa; p=" + base64.b64encode(public).decode()


class DnsServer(ServerProcess):
    name = "dnsmasq"

    def __init__(self, records: dict[str, str]):
        self.records = dict(records)  # name -> TXT text
        super().__init__()

    def start(self) -> DnsServer:
        binary = dnsmasq_binary()
        if binary is None:
            raise RuntimeError(MISSING)
        config = self.root / "dnsmasq.conf"
        config.write_text("".join(f"txt-record={name},{_strings(text)}\n" for name, text in self.records.items()))
        for _attempt in range(5):
            self.port = _free_udp_port()
            self._process = subprocess.Popen(
                [binary, "--no-daemon", f"--port={self.port}", "--listen-address=127.0.0.1", "--bind-interfaces",
                 "--no-resolv", "--no-hosts", "--user=root", f"--conf-file={config}", "--log-facility=-"],
                stdout=subprocess.DEVNULL, stderr=self.log_path.open("wb"),
            )  # fmt: skip
            if self._wait_ready():
                return self
            self.stop()
        raise RuntimeError(f"dnsmasq did not start: {self.log}")

    @property
    def resolvers(self) -> list[tuple[str, int]]:
        """The value settings.DNS_RESOLVERS takes for this server."""
        return [("127.0.0.1", self.port)]

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            try:
                dns.query.udp(dns.message.make_query("ready.invalid", "TXT"), "127.0.0.1", port=self.port, timeout=0.5)
                return True
            except (dns.exception.DNSException, OSError):
                time.sleep(0.05)
        return False


def _strings(text: str) -> str:
    """A TXT value as dnsmasq's quoted strings of at most 255 bytes each (one DNS character-string)."""
    return ",".join(f'"{text[i : i + 255]}"' for i in range(0, len(text), 255))


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
